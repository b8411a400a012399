"""The daemon's loop: ingest, tick, flush — the only code that reads the clock.

- ingest_once: fetch mail, parse, route, run the core, commit everything the mail caused in one
  transaction, and only then mark it processed on the server. A mail already stored under its
  Message-ID is marked processed without being applied again. A mail whose processing raised is
  stored with status `error` and its traceback (raw bytes kept) and the loop goes on; when the
  *store itself* fails (disk full, read-only), nothing is marked and ingest pauses.
- tick_once: runs the timeline rules; every step has a unique key, so nothing fires twice.
- flush_once: sends the outbox; 4xx and network errors retry with backoff, 5xx is dead.
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import random
import signal
import sqlite3
import threading
import traceback
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from .flows import dispatch as core
from .read import inbound
from .timeline import rules
from .app import App
from .edges.mailbox import HEAD_BYTES
from .model import Mail, Outcome
from .edges.store import StoreError

log = logging.getLogger("mailflow")


FLUSH_BATCH = 100   # outbox rows per flush; a full batch is followed by the next at once
INGEST_BATCH = 200  # inbound mails per fetch
# After SIGTERM/SIGINT the current transaction may finish; a mail still being read this long after
# the signal is abandoned (its transaction rolls back, nothing is marked: it is read again at the
# next start), and a process still alive at HARD_STOP_AFTER (stuck inside one C call) is ended by
# faulthandler's watchdog thread, which needs no Python code to run.
ABANDON_AFTER = 2.5
HARD_STOP_AFTER = 4.5


class _Base:
    """An object with just an id and one time field (for a rule's moment without loading it)."""

    def __init__(self, ident: int, fld: str, value: Any):
        self.id = ident
        setattr(self, rules.field_attr(fld), value)


class StoreUnavailable(RuntimeError):
    """The database cannot be written (disk full, read-only): stop taking mail off the server."""


class Service:
    def __init__(self, app: App):
        self.app = app
        self.store = app.store
        self.stop_event = threading.Event()
        # Mails the SMTP server accepted while the store could not record it (disk full): recorded
        # before anything else is sent, so an unwritable store never resends them pass after pass.
        self._sent_unrecorded: dict[int, datetime] = {}
        self._unsaved_error: dict | None = None      # last_error that could not be written yet
        self._more_due = False                        # the last flush had a full batch
        self.fatal: StoreError | None = None          # why the loop stopped on its own (store gone)

    # --- committing an outcome ---------------------------------------------------------
    def commit(self, out: Outcome, now: datetime) -> None:
        """Store an outcome's objects and queue its mails; the caller holds the transaction."""
        for m in out.meetings:
            self.store.save_meeting(m, now)
        for mv in out.minutes:
            self.store.save_minutes(mv)
        for t in out.tasks:
            self.store.save_task(t, now)
        for e in out.task_events:
            self.store.add_task_event(e)
        for c in out.confirmations:
            self.store.save_minutes_confirmation(c)
        for mail in out.mails:
            self.queue(mail, now)

    def queue(self, mail: Mail, now: datetime, not_before: datetime | None = None) -> bool:
        if self.store.is_queued(mail.key):
            return False
        org = self.app.settings.org
        reply_to = None
        if org.plus_addressing and self.app.settings.secret:
            from . import tokens
            if mail.task_id is not None:
                reply_to = tokens.reply_address(org.address, self.app.settings.secret, "t", mail.task_id)
            elif mail.meeting_id is not None:
                reply_to = tokens.reply_address(org.address, self.app.settings.secret, "m", mail.meeting_id)
        r = self.app.renderer.render(mail, now, reply_to=reply_to, on_behalf=mail.context.get("on_behalf"))
        status = "queued"
        cap = self.app.settings.smtp.hourly_cap
        if cap and any(self.store.sent_to_since(rcpt, now - timedelta(hours=1)) >= cap for rcpt in r.recipients):
            # Over the cap, every automatic mail is held for a human, never sent later on its own:
            # a reminder deferred by an hour can feed a loop as well as an answer can.
            status = "held"
            self._log_held(mail, r.recipients, cap, now)
        queued = self.store.queue_mail(
            dedupe_key=mail.key, message_id=r.message_id, raw=r.raw, sender=r.sender,
            recipients=r.recipients, subject=r.subject, now=now, kind=mail.kind or mail.template,
            template=mail.template, meeting_id=mail.meeting_id, task_id=mail.task_id,
            not_before=not_before, status=status)
        if queued:
            log.info("queued %s %s to %s", mail.kind or mail.template, r.message_id, ", ".join(r.recipients))
            items = mail.numbered_tasks()      # tasks a mail numbers 1..n, for "1 已完成；3 延期到周五"
            if items:
                self.store.save_outbox_items(r.message_id, items)
        return queued

    def _log_held(self, mail: Mail, recipients: list[str], cap: int, now: datetime) -> None:
        """One warning per recipient and clock hour, however many mails a loop produces (the rest
        show in `mailflow outbox --status held` and in `mailflow status`)."""
        hour = now.replace(minute=0, second=0, microsecond=0)
        for rcpt in recipients:
            if self.store.held_to_since(rcpt, hour) == 0:
                log.warning("holding mail to %s: %d mails to them within an hour (hourly cap; a mail loop?). "
                            "Further mails to them this hour are held without a line each: "
                            "`mailflow outbox --status held`, release one with `mailflow outbox retry ID`",
                            rcpt, cap)
        log.debug("held %s to %s", mail.key, ", ".join(recipients))

    # --- inbound -------------------------------------------------------------------------
    def process_raw(self, raw: bytes, mailbox_key: str, now: datetime, *, replay: bool = False,
                    size: int | None = None) -> str:
        """Parse, route and apply one mail; returns the status stored for it. `size` is the whole
        mail's size when `raw` is only its head (the inbox did not fetch a mail over the limit)."""
        org = self.app.settings.org
        limit = self.app.settings.mailbox.max_message_bytes
        if max(len(raw), size or 0) > limit:
            return self._too_large(raw, mailbox_key, now, max(len(raw), size or 0), limit, replay)
        msg = inbound.parse(raw, own_addresses=[org.address])
        previous = self.store.inbound_status(msg.message_id)
        if previous is not None and previous != "too_large" and not replay:
            log.info("duplicate %s (already %s); not applied again", msg.message_id, previous)
            return "duplicate"
        try:
            with self.store.transaction():
                ctx = self.app.context(now)
                rt = core.route(msg, self.store, ctx.org)
                out = core.handle_inbound(ctx, msg, rt)
                self.commit(out, now)
                self.store.record_inbound(
                    message_id=msg.message_id, raw=raw, mailbox_key=mailbox_key, received_at=now,
                    sender=msg.sender, subject=msg.subject, status=out.status, detail="; ".join(out.log),
                    meeting_id=rt.meeting_id, task_id=rt.task_id,
                    intent=out.intent)
        except sqlite3.OperationalError as e:
            raise StoreUnavailable(f"cannot write the store: {e}") from e
        except StoreError:
            raise
        except Exception as e:  # a bug or a mail we cannot handle: keep it, say why, go on
            tb = traceback.format_exc()
            log.error("error processing %s from %s: %s: %s", msg.message_id, msg.sender, type(e).__name__, e)
            try:
                with self.store.transaction():
                    self.store.record_inbound(
                        message_id=msg.message_id, raw=raw, mailbox_key=mailbox_key, received_at=now,
                        sender=msg.sender, subject=msg.subject, status="error",
                        detail=f"{type(e).__name__}: {e}", error=tb)
                    if org.admin:
                        self.queue(core.forward_to_admin(self.app.context(now), msg, "error",
                                                         f"{type(e).__name__}: {e}"), now)
            except sqlite3.OperationalError as e2:
                raise StoreUnavailable(f"cannot write the store: {e2}") from e2
            return "error"
        for line in out.log:
            log.info("%s from %s: %s", msg.message_id, msg.sender, line)
        log.info("inbound %s from %s routed %s/%s -> %s", msg.message_id, msg.sender, rt.kind, rt.via, out.status)
        return out.status

    def _too_large(self, raw: bytes, mailbox_key: str, now: datetime, size: int, limit: int,
                   replay: bool) -> str:
        """A mail over [mailbox] max_message_bytes is not read: its header block (within the first
        HEAD_BYTES) says who sent what; that head is stored as a truncated record with status
        `too_large`, the admin is told, and the whole mail stays in the mailbox, marked processed."""
        head = raw[:HEAD_BYTES]
        ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
        msg = inbound.parse(head[:min(ends)] + b"\r\n\r\n" if ends else head, own_addresses=[self.app.settings.org.address])
        if self.store.inbound_status(msg.message_id) is not None and not replay:
            log.info("duplicate %s (too large, already stored); not stored again", msg.message_id)
            return "duplicate"
        detail = (f"{size:,} bytes, over [mailbox] max_message_bytes ({limit:,}): not read. Stored: its first "
                  f"{len(head):,} bytes; the whole mail stays in the mailbox, marked processed")
        admin = self.app.settings.org.admin
        try:
            with self.store.transaction():
                self.store.record_inbound(
                    message_id=msg.message_id, raw=head, mailbox_key=mailbox_key, received_at=now,
                    sender=msg.sender, subject=msg.subject, status="too_large", detail=detail)
                if admin:
                    self.queue(core.forward_to_admin(self.app.context(now), msg, "too_large", detail), now)
        except sqlite3.OperationalError as e:
            raise StoreUnavailable(f"cannot write the store: {e}") from e
        log.warning("inbound %s from %s: too large (%s)%s", msg.message_id, msg.sender, detail,
                    "; the admin is told" if admin else "")
        return "too_large"

    def ingest_once(self, limit: int = INGEST_BATCH) -> int:
        """One pass over the inbox; returns how many mails were taken."""
        return len(self._ingest(limit))

    def _ingest(self, limit: int) -> list:
        inbox = self.app.inbox
        items = inbox.fetch(limit)
        committed: list = []
        try:
            for item in items:
                if self.stop_event.is_set():
                    break
                now = self.app.now()
                self.process_raw(item.raw, item.key, now, size=item.size)   # StoreUnavailable: not marked
                committed.append(item)
        finally:
            self._mark_done(inbox, committed)
        self.store.set_meta("last_poll", self.app.now().isoformat())
        return items

    def drain_inbox(self, batch: int = INGEST_BATCH) -> int:
        """Take mail until the inbox is empty (batch by batch); stops when a batch brings nothing
        new (mail that cannot be marked is fetched again: it must not loop for ever)."""
        total, seen = 0, set()
        while not self.stop_event.is_set():
            items = self._ingest(batch)
            keys = {item.key for item in items}
            if not keys - seen:
                break
            total += len(keys - seen)
            seen |= keys          # (a batch may be short of `batch`: the inbox bounds its bytes)
        return total

    @staticmethod
    def _mark_done(inbox: Any, items: list) -> None:
        """Mark committed mail processed, a batch at a time: one WAL sync and one IMAP STORE per
        batch instead of per message (bench/ingest.py). A crash before this leaves them unmarked;
        fetched again, they are recognised by Message-ID and only marked, never applied twice."""
        if not items:
            return
        many = getattr(inbox, "mark_done_many", None)
        if many is not None:
            many(items)
        else:
            for item in items:
                inbox.mark_done(item)

    def replay(self, ident: int | str) -> str:
        row = self.store.inbound_row(ident)
        if row is None:
            raise KeyError(f"no stored inbound message {ident}")
        if row["status"] == "too_large":
            raise KeyError(f"inbound {ident} was too large: only its head is stored. Raise [mailbox] "
                           "max_message_bytes and put the mail back into the inbox (unflag it, or move it "
                           "back from the processed folder)")
        return self.process_raw(row["raw"], row["mailbox_key"] or "", self.app.now(), replay=True)

    # --- rules -----------------------------------------------------------------------------
    def candidates(self, rule: rules.Rule, since: datetime, now: datetime) -> list[Any]:
        """The objects a step of `rule` can be due for in (since, now], read through indexes so a
        tick costs what is due, not what exists (rules.base_range; most ticks read nothing)."""
        t = rule.trigger
        cw = self.app.clockwork
        if t.scheduled:
            moment = rules.scheduled_moment(rule, since, now, cw)
            if moment is None or self.store.has_fired(self._occurrence_key(rule, moment)):
                return []
            if rule.scope == "owner":
                return self.store.open_task_owners()
            if rule.scope == "person":
                start = rules.previous_occurrence(rule, moment, cw)
                return [rules.PersonDay(person, events, start)
                        for person, events in self.store.task_events_by_actor(start, moment).items()]
            if rule.scope == "host":
                start = rules.previous_occurrence(rule, moment, cw)
                return [rules.HostReplies(host, rows, start)
                        for host, rows in self.store.unknown_replies_by_host(start, moment).items()]
            return []
        if t.repeat:
            if not rules.may_fall_in(rule, since, now, cw):
                return []
            if rule.scope == "meeting":
                # only meetings with open tasks repeat (the weekly follow-up table until all are closed)
                fld = rules.field_attr(t.field)
                weekdays = rules.repeat_base_weekdays(rule, since, now, cw)
                due = [mid for mid, value in self.store.meeting_times(fld, now.astimezone(cw.tz), weekdays)
                       if rules.field_moment(rule, _Base(mid, t.field, value), since, now, cw) is not None]
                open_ids = self.store.meetings_having_open_tasks(due)
                return self.store.meetings_by_ids([m for m in due if m in open_ids])
            return [x for x in self.store.tasks(open_only=True)
                    if rules.field_moment(rule, x, since, now, cw) is not None]
        rng = rules.base_range(rule, since, now, cw)
        if rng is None:
            return []
        lo, hi = rng
        if t.field == "task.due":
            return self.store.open_tasks_due_between(lo.date(), (hi - timedelta(microseconds=1)).date())
        if t.field == "task.created":
            return self.store.tasks_between_times("created_at", lo, hi + timedelta(seconds=1))
        return self.store.meetings_in_window(rules.field_attr(t.field), lo, hi + timedelta(seconds=1))

    @staticmethod
    def _occurrence_key(rule: rules.Rule, moment: datetime) -> str:
        """Recorded once every object of a weekly/daily occurrence was handled."""
        return f"{rule.name}:*:{moment.isoformat(timespec='minutes')}"

    def tick_once(self, now: datetime | None = None) -> int:
        """Run every rule step that is due; returns how many steps acted.

        Each rule looks at (since, now]: since is its previous tick (rules.window_start), so after
        downtime every missed step is found once and the stale ones are recorded as skipped."""
        now = now or self.app.now()
        cw = self.app.clockwork
        quiet = self.app.settings.schedule.quiet_hours
        marks = self.store.get_meta("rule_ticks", {}) or {}
        acted = 0
        ctx = None
        for rule in self.app.rules:
            if not quiet and rule.quiet_hours:
                rule = replace(rule, quiet_hours=False)
            if rule.quiet_hours and not cw.in_window(now):
                continue      # nothing goes out now; the first tick in the next window catches up
            prev = marks.get(rule.name)
            since = rules.window_start(rule, datetime.fromisoformat(prev) if prev else None, now)
            if prev and datetime.fromisoformat(prev) < since:
                log.warning("rule %s: last ran %s; steps before %s are not looked at", rule.name, prev,
                            since.isoformat(timespec="minutes"))
            steps = rules.due_steps(rule, self.candidates(rule, since, now), now, cw, since=since)
            done = self.store.fired_among([s.key for s in steps]) if steps else set()
            for step in steps:
                if step.key in done:
                    continue
                if ctx is None:
                    ctx = self.app.context(now)
                acted += self._run_step(step, now, ctx)
            if rule.trigger.scheduled:
                moment = rules.scheduled_moment(rule, since, now, cw)
                if moment is not None:
                    with self.store.transaction():
                        self.store.mark_fired(self._occurrence_key(rule, moment), rule.name, "*", moment, now,
                                              "done")
            marks[rule.name] = now.isoformat()
        with self.store.transaction():
            self.store.set_meta("rule_ticks", marks)
            self.store.set_meta("last_tick", now.isoformat())
        return acted

    def _run_step(self, step: rules.Step, now: datetime, ctx: Any = None) -> int:
        rule = step.rule
        if step.gaps:
            log.warning("rule %s for %s: moment %s counted Monday–Friday for %s (calendar gap: no official "
                        "working-day calendar; add the year to rules/holidays.yaml)", rule.name, step.obj_key,
                        step.moment.isoformat(timespec="minutes"), ", ".join(map(str, step.gaps)))
        try:
            with self.store.transaction():
                if step.skipped:
                    self.store.mark_fired(step.key, rule.name, step.obj_key, step.moment, now, "skipped")
                    log.warning("skipped %s for %s: due %s, more than max_late (%s) ago",
                                rule.name, step.obj_key, step.moment.isoformat(timespec="minutes"), rule.max_late)
                    return 0
                ctx = ctx or self.app.context(now)
                unmet = [c for c in rule.when if not rules.CONDITIONS[c](ctx, step.obj)]
                if unmet:
                    # decided at the step's moment: recorded so later ticks need not ask again
                    self.store.mark_fired(step.key, rule.name, step.obj_key, step.moment, now, "unmet")
                    log.debug("rule %s for %s: not sent (%s)", rule.name, step.obj_key, ", ".join(unmet))
                    return 0
                out = rules.ACTIONS[rule.action](ctx, step)
                self.store.mark_fired(step.key, rule.name, step.obj_key, step.moment, now, "sent")
                self.commit(out, now)
        except sqlite3.OperationalError as e:
            raise StoreUnavailable(f"cannot write the store: {e}") from e
        except StoreError:
            raise
        except Exception as e:
            log.error("rule %s for %s failed: %s: %s", rule.name, step.obj_key, type(e).__name__, e,
                      exc_info=True)
            self._note_error(f"rule {rule.name} for {step.obj_key} failed: {type(e).__name__}: {e}")
            with self.store.transaction():
                self.store.mark_fired(step.key, rule.name, step.obj_key, step.moment, now, "error")
            return 0
        for line in out.log:
            log.info("rule %s for %s: %s", rule.name, step.obj_key, line)
        log.info("rule %s fired for %s (moment %s, %d mail(s))", rule.name, step.obj_key,
                 step.moment.isoformat(timespec="minutes"), len(out.mails))
        return 1

    # --- outbox -------------------------------------------------------------------------------
    async def flush_once(self, now: datetime | None = None, limit: int = 100) -> int:
        """Send what is due in the outbox; returns how many were sent."""
        from .edges.mailer import AuthenticationSendError, PermanentSendError, TransientSendError
        mailer = self.app.mailer
        now = now or self.app.now()
        sent = 0
        self.store.check_identity()                   # StoreGone: nothing is sent into a lost store
        self._record_unrecorded()                     # StoreUnavailable: send nothing until it can
        rows = self.store.outbox_due(now, limit)
        self._more_due = len(rows) == limit
        for row in rows:
            if self.stop_event.is_set():
                self._more_due = False
                break
            if row["id"] in self._sent_unrecorded:
                continue
            try:
                await mailer.send(row["sender"], row["recipients"], row["raw"], row["message_id"])
            except TransientSendError as e:
                attempts = row["attempts"] + 1
                if attempts >= self.app.settings.smtp.max_attempts:
                    self.store.mark_dead(row["id"], f"gave up after {attempts} attempts: {e}")
                    log.error("outbox %d %s dead after %d attempts: %s", row["id"], row["message_id"], attempts, e)
                else:
                    delay = min(3600, 30 * 2 ** (attempts - 1)) * random.uniform(0.8, 1.2)
                    self.store.mark_retry(row["id"], str(e), now + timedelta(seconds=delay))
                    log.warning("outbox %d %s: %s; retry in %ds", row["id"], row["message_id"], e, delay)
                continue
            except AuthenticationSendError as e:
                # A wrong SMTP password is a configuration problem, not a bad mail: keep everything
                # queued, say so, and try again next pass (after the operator fixes it).
                self._note_error(f"SMTP login failed; mail stays queued: {e}")
                self._more_due = False
                break
            except PermanentSendError as e:
                self.store.mark_dead(row["id"], str(e))
                log.error("outbox %d %s dead: %s", row["id"], row["message_id"], e)
                continue
            log.info("sent %s to %s", row["message_id"], ", ".join(row["recipients"]))
            self._sent_unrecorded[row["id"]] = self.app.now()
            self._record_unrecorded()
            sent += 1
        return sent

    def _record_unrecorded(self) -> None:
        try:
            for outbox_id, at in list(self._sent_unrecorded.items()):
                self.store.mark_sent(outbox_id, at)
                del self._sent_unrecorded[outbox_id]
            if self._unsaved_error is not None:
                self.store.set_meta("last_error", self._unsaved_error)
                self._unsaved_error = None
        except sqlite3.OperationalError as e:
            raise StoreUnavailable(f"cannot write the store: {e}; {len(self._sent_unrecorded)} sent mail(s) "
                                   "not yet recorded as sent, nothing more is sent until they are") from e

    async def drain_outbox(self, batch: int = FLUSH_BATCH) -> int:
        """Send everything due, a batch at a time (a mail that fails waits for its retry time, so
        this ends)."""
        sent = 0
        while not self.stop_event.is_set():
            sent += await self.flush_once(limit=batch)
            if not self._more_due:
                break
        return sent

    # --- the loop ---------------------------------------------------------------------------------
    async def run_once(self) -> dict:
        """`run --once` does the whole job: the inbox drained, the rule tick, the sendable outbox
        drained (in batches; the hourly cap holds what is over it)."""
        counts = {"ingested": self.drain_inbox()}
        counts["fired"] = self.tick_once()
        counts["sent"] = await self.drain_outbox()
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
            loop.add_signal_handler(signal.SIGHUP, self._reload)
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
                        self.tick_once()
                        next_tick = loop.time() + tick_every
                    sent = await self.flush_once(limit=FLUSH_BATCH)
                except StoreError as e:
                    self._stop_fatal(e)
                    break
                except StoreUnavailable as e:
                    self._note_error(str(e))
                except Exception as e:  # the loop never stops on a bug; it says what happened
                    self._note_error(f"{type(e).__name__}: {e}")
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

    async def _fatal_async(self, e: StoreError) -> None:
        self._stop_fatal(e)

    def _inbound_worker(self, loop: asyncio.AbstractEventLoop, wake: asyncio.Event) -> None:
        """Network only: fetch, hand each mail to the loop thread (which owns SQLite), and mark it
        processed on the server once the loop has committed it."""
        backoff = 1.0
        last_keys: set = set()
        while not self.stop_event.is_set():
            try:
                inbox = self.app.inbox
                items = inbox.fetch(INGEST_BATCH)
                committed: list = []
                try:
                    for item in items:
                        if self.stop_event.is_set():
                            break
                        done = asyncio.run_coroutine_threadsafe(self._process_on_loop(item), loop)
                        done.result()                 # StoreUnavailable: this one is not marked
                        committed.append(item)
                finally:
                    self._mark_done(inbox, committed)
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
                asyncio.run_coroutine_threadsafe(self._fatal_async(e), loop)
                loop.call_soon_threadsafe(wake.set)
                return
            except StoreUnavailable as e:
                asyncio.run_coroutine_threadsafe(self._note_error_async(
                    f"{e}; not taking mail off the server until it can be written"), loop)
                self.stop_event.wait(min(backoff, 60))
                backoff = min(backoff * 2, 60)
            except Exception as e:
                if self.stop_event.is_set():
                    return
                asyncio.run_coroutine_threadsafe(self._note_error_async(f"inbox: {type(e).__name__}: {e}"), loop)
                self.stop_event.wait(min(backoff, 60) * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, 60)

    async def _process_on_loop(self, item: Any) -> str:
        return self.process_raw(item.raw, item.key, self.app.now(), size=item.size)

    async def _note_poll(self) -> None:
        self.store.set_meta("last_poll", self.app.now().isoformat())

    async def _note_error_async(self, text: str) -> None:
        self._note_error(text)

    def _note_error(self, text: str) -> None:
        log.error("%s", text)
        error = {"at": self.app.now().isoformat(), "error": text}
        try:
            self.store.set_meta("last_error", error)
            self._unsaved_error = None
        except sqlite3.Error:
            self._unsaved_error = error       # written once the store can be written again

    def _reload(self) -> None:
        try:
            notes = self.app.load()
            log.info("reloaded rules, templates and people")
            if notes:       # owners who left people.yaml with open tasks: their hosts are told
                now = self.app.now()
                with self.store.transaction():
                    for mail in notes:
                        self.queue(mail, now)
        except Exception as e:
            log.error("reload failed, keeping the previous configuration: %s", e)
