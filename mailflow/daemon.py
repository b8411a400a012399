"""The daemon: its start (one per store: the run lock), the loop, the signals and the inbox worker
thread, over ingest, tick and outbox.

An edge module: it owns the event loop, the run lock and the process's signals and nothing else
(`mailflow run` parses its options and calls start(); the start line's URLs are shown without
passwords, as `status` shows them, by edges.urls.safe_url); what one mail, one tick or one flush
does lives in ingest.py, tick.py and outbox.py. Inbound mail is fetched in a worker thread (IMAP
IDLE or polling: network only) and applied on the loop thread, which alone owns SQLite; the tick
runs every [schedule] tick_seconds and the outbox is flushed after each pass. Time is a parameter:
the App's clock (FakeClock in tests, `--now` for simulations) is the only clock the daemon reads.
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import random
import signal
import sys
import threading
from typing import Any, Callable

from . import __version__
from .app import App
from .edges.urls import safe_url
from .config import ConfigError, Settings
from .edges.runlock import AlreadyRunning, RunLock
from .edges.store import StoreError
from .ingest import INGEST_BATCH, Ingest, take_batch
from .outbox import FLUSH_BATCH, Outbox, StoreUnavailable
from .tick import Ticker

log = logging.getLogger("mailflow")

# After SIGTERM/SIGINT the current transaction may finish; a mail still being read this long after
# the signal is abandoned (its transaction rolls back, nothing is marked: it is read again at the
# next start), and a process still alive at HARD_STOP_AFTER (stuck inside one C call) is ended by
# faulthandler's watchdog thread, which needs no Python code to run.
ABANDON_AFTER = 2.5
HARD_STOP_AFTER = 4.5


def exit_on_signal(signum: int, _frame: Any) -> None:
    """SIGTERM/SIGINT before the loop takes over (and after it closed): end the process with status
    0 through SystemExit, so an open transaction rolls back and nothing is marked processed."""
    log.info("stopping on signal %d", signum)
    # a process stuck inside one C call never reaches the SystemExit: end it in time anyway
    faulthandler.dump_traceback_later(HARD_STOP_AFTER, exit=True)
    raise SystemExit(0)


async def close_mailer(app: App) -> None:
    """A polite QUIT to the SMTP server on the way out, not a wait: at most one second."""
    if app._mailer is not None:
        try:
            await asyncio.wait_for(app._mailer.close(), timeout=1.0)
        except (asyncio.TimeoutError, OSError):
            pass


class Refused(Exception):
    """The daemon would not start, or stopped on its own: what to say and the exit status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def start(load_settings: Callable[[], Settings], open_app: Callable[[Settings], App], once: bool) -> None:
    """`mailflow run`: one daemon per store (the run lock), the loop until a stop signal, or one pass
    with `once`; the mailer and the App are closed and the lock released however it ends.

    The caller loads the settings and opens the App (their errors exit as every command's do);
    Refused says why the daemon did not run (status 2: another daemon holds the lock, or the
    configuration broke while running; 1: the store is damaged or gone)."""
    # Until the loop takes over (and after it closes, when asyncio restores the default handler),
    # SIGTERM/SIGINT end the process with status 0 through SystemExit: an open transaction rolls
    # back and nothing is marked processed, so stopping at any moment loses nothing.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, exit_on_signal)
    settings = load_settings()
    try:
        lock = RunLock(settings.path(settings.store.path)).acquire()
    except AlreadyRunning as e:
        raise Refused(str(e), 2) from None
    try:
        app = open_app(settings)
        try:
            app.store.quick_check()
        except StoreError as e:
            raise Refused(str(e), 1) from None
        daemon = Daemon(app)
        log.info("mailflow %s: inbox %s, outbox %s, store %s", __version__, safe_url(settings.mailbox.url),
                 safe_url(settings.smtp.url), settings.path(settings.store.path))
        try:
            if once:
                counts = asyncio.run(daemon.run_once())
                log.info("once: %d mail(s) taken in, %d rule step(s), %d mail(s) sent",
                         counts["ingested"], counts["fired"], counts["sent"])
            else:
                asyncio.run(daemon.run_forever())
        except StoreUnavailable as e:
            log.error("%s", e)
            sys.exit(1)
        except StoreError as e:
            daemon.fatal = daemon.fatal or e
        except ConfigError as e:
            raise Refused(f"configuration error: {e}", 2) from None
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_IGN)          # already stopping: finish closing quietly
            asyncio.run(close_mailer(app))
            app.close()
        if daemon.fatal is not None:
            raise Refused(str(daemon.fatal), 1)
    finally:
        lock.release()
        faulthandler.cancel_dump_traceback_later()       # armed by a stop signal (Daemon.run_forever)


class Daemon:
    def __init__(self, app: App):
        self.app = app
        self.store = app.store
        self.stop_event = threading.Event()
        self.outbox = Outbox(app, self.stop_event)
        self.ingest = Ingest(app, self.outbox, self.stop_event)
        self.ticker = Ticker(app, self.outbox)
        self.fatal: StoreError | None = None          # why the loop stopped on its own (store gone)

    # --- the loop ---------------------------------------------------------------------------------
    async def run_once(self) -> dict:
        """`run --once` does the whole job: the inbox drained, the rule tick, the sendable outbox
        drained (in batches; the hourly cap holds what is over it)."""
        counts = {"ingested": self.ingest.drain_inbox()}
        counts["fired"] = self.ticker.tick_once()
        counts["sent"] = await self.outbox.drain()
        return counts

    async def run_forever(self) -> None:
        """Inbound in a worker thread (IDLE or poll), the tick every minute, the outbox after each.

        SIGTERM/SIGINT: the current transaction may finish, then the loop ends; see ABANDON_AFTER
        and HARD_STOP_AFTER for a mail that takes longer. The handlers are plain signal handlers,
        not the event loop's: those would only run once the mail being read is done."""
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        in_main = threading.current_thread() is threading.main_thread()   # signals go to that thread only
        previous = ({sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM)}
                    if in_main else {})

        def stop(signum: int, _frame: Any) -> None:
            if self.stop_event.is_set():
                return
            log.info("stopping on signal %d: finishing the current transaction", signum)
            self.stop_event.set()
            loop.call_soon_threadsafe(wake.set)
            signal.signal(signal.SIGALRM, self._abandon)
            signal.setitimer(signal.ITIMER_REAL, ABANDON_AFTER)
            faulthandler.dump_traceback_later(HARD_STOP_AFTER, exit=True)
        for sig in previous:
            if sig != signal.SIGALRM:
                signal.signal(sig, stop)
        try:
            loop.add_signal_handler(signal.SIGHUP, self.reload)
        except (NotImplementedError, RuntimeError, AttributeError):
            pass
        worker = threading.Thread(target=self._inbound_worker, args=(loop, wake), name="mailflow-inbox",
                                  daemon=True)     # never keeps the process alive after the loop ended
        worker.start()
        tick_every = self.app.settings.schedule.tick_seconds
        next_tick = 0.0
        try:
            while not self.stop_event.is_set():
                sent = 0
                try:
                    if loop.time() >= next_tick:
                        self.ticker.tick_once()
                        next_tick = loop.time() + tick_every
                    sent = await self.outbox.flush_once(limit=FLUSH_BATCH)
                except StoreError as e:
                    self._stop_fatal(e)
                    break
                except StoreUnavailable as e:
                    self.outbox.note_error(str(e))
                except Exception as e:  # the loop never stops on a bug; it says what happened
                    self.outbox.note_error(f"{type(e).__name__}: {e}")
                    log.exception("loop error")
                wake.clear()
                if sent >= FLUSH_BATCH:
                    await asyncio.sleep(0)     # a full batch went out: more is due, send it without a pause
                    continue
                try:
                    await asyncio.wait_for(wake.wait(), timeout=min(5.0, tick_every))
                except asyncio.TimeoutError:
                    pass
            for _ in range(20):                # the worker marks what this loop committed, then ends
                if not worker.is_alive():
                    break
                await asyncio.sleep(0.1)
            else:
                log.warning("inbox worker still busy at shutdown; leaving it (nothing is marked without a commit)")
        finally:
            if in_main:
                signal.setitimer(signal.ITIMER_REAL, 0)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("stopped")

    def _abandon(self, _signum: int, _frame: Any) -> None:
        log.warning("still busy %.1f s after the stop signal: stopping now (a mail being read is not "
                    "committed or marked; it is read again at the next start)", ABANDON_AFTER)
        raise SystemExit(0)

    def _stop_fatal(self, e: StoreError) -> None:
        """The store is gone or damaged: say so once and stop (a supervisor restarting the daemon
        then gets the same clear error from the start-up checks)."""
        if self.fatal is None:
            self.fatal = e
            log.error("%s", e)
        self.stop_event.set()

    def _inbound_worker(self, loop: asyncio.AbstractEventLoop, wake: asyncio.Event) -> None:
        """Network only: fetch, hand each mail to the loop thread (which owns SQLite), and mark it
        processed on the server once the loop has committed it."""
        backoff = 1.0
        last_keys: set = set()

        def on_loop(item: Any) -> str:
            # StoreUnavailable raised there comes back here: this mail is not marked
            return asyncio.run_coroutine_threadsafe(self._process_on_loop(item), loop).result()

        while not self.stop_event.is_set():
            try:
                inbox = self.app.inbox
                items = take_batch(inbox, INGEST_BATCH, self.stop_event, on_loop)
                if self.stop_event.is_set():
                    return
                if items:
                    loop.call_soon_threadsafe(wake.set)
                asyncio.run_coroutine_threadsafe(self._note_poll(), loop).result()
                backoff = 1.0
                keys = {item.key for item in items}
                if keys and keys != last_keys:
                    # Mail that came while this batch was processed was announced (IMAP EXISTS)
                    # during those commands, and IDLE will not announce it again: look once more
                    # before waiting. (The same keys twice: they cannot be marked; wait.)
                    last_keys = keys
                    continue
                last_keys = keys
                inbox.wait(self.app.settings.mailbox.poll_interval, self.stop_event)
            except StoreError as e:
                loop.call_soon_threadsafe(self._stop_fatal, e)     # on the loop thread, which owns SQLite
                loop.call_soon_threadsafe(wake.set)
                return
            except StoreUnavailable as e:
                loop.call_soon_threadsafe(self.outbox.note_error,
                                          f"{e}; not taking mail off the server until it can be written")
                self.stop_event.wait(min(backoff, 60))
                backoff = min(backoff * 2, 60)
            except Exception as e:
                if self.stop_event.is_set():
                    return
                loop.call_soon_threadsafe(self.outbox.note_error, f"inbox: {type(e).__name__}: {e}")
                self.stop_event.wait(min(backoff, 60) * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, 60)

    async def _process_on_loop(self, item: Any) -> str:
        return self.ingest.process_item(item)

    async def _note_poll(self) -> None:
        self.store.set_meta("last_poll", self.app.now().isoformat())

    def reload(self) -> None:
        try:
            notes = self.app.load()
            log.info("reloaded rules, templates and people")
            if notes:       # owners who left people.yaml with open tasks: their hosts are told
                now = self.app.now()
                with self.store.transaction():
                    for mail in notes:
                        self.outbox.queue(mail, now)
        except Exception as e:
            log.error("reload failed, keeping the previous configuration: %s", e)
