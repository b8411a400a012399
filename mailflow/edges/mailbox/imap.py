"""The IMAP inbox: one folder of the shared mailbox read with imapclient, processed mail flagged or
moved, IDLE for new mail, and a connection that comes back by itself. Logging in is imap_login.py.

Its code blocks (imapclient is synchronous), so the daemon runs it in one worker thread.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import random
import threading
import time

from .imap_login import FolderNames, ImapAccount, open_session
from .inbox import (BATCH_BYTES, HEAD_BYTES, Checkpoint, Fetched, MailboxConnectionError, MailboxError,
                    MemoryCheckpoint, interruptible_sleep)

log = logging.getLogger("mailflow.edges.mailbox")  # one logger name for the package, as before the split

# Errors after which the connection is dropped and re-established later. imaplib.IMAP4.abort is
# imapclient's AbortError (BYE, EOF); OSError covers resets, refusals, timeouts and TLS errors.
_NETWORK_ERRORS = (OSError, EOFError, imaplib.IMAP4.abort)
# ... and with an unexpected server reply too, except while delivering (see ``deliver``).
_RETRYABLE = _NETWORK_ERRORS + (imaplib.IMAP4.error,)


class _Reconnect(Exception):
    """Internal: the server said BYE, or the connection went away while idling."""


class ImapInbox:
    """An IMAP folder read with imapclient.

    * Security: ``"ssl"`` (IMAPS, port 993), ``"starttls"`` (port 143; refuses to log in if the
      server does not offer STARTTLS) or ``"plain"`` (lab and tests only). Certificates are
      verified unless ``verify_tls=False`` (a self-signed lab server); ``ca_file`` trusts a
      private CA instead.
    * Login: LOGIN, or AUTH=PLAIN when the server disables LOGIN or the password is not ASCII.
      The RFC 2971 ``ID`` command is sent after login when advertised (NetEase 163/126 refuse
      SELECT without it); the server's answer is kept in ``server_id``.
    * Progress: UIDVALIDITY and the last processed UID per folder are kept in ``checkpoint``.
      ``fetch`` asks for ``UID last+1:*`` (and, in flag mode, ``UNKEYWORD flag``) after a NOOP.
      A changed UIDVALIDITY resets ``last_uid`` to 0 and is logged as a warning; the caller's
      Message-ID dedupe keeps anything from applying twice.
    * Processed mail (only in ``mark_done``): ``processed="flag"`` stores the keyword ``flag``;
      ``processed="move"`` moves it to ``processed_folder`` (created if missing; MOVE, else
      COPY + \\Deleted + UID EXPUNGE).
    * ``wait`` uses IDLE when advertised (re-issued every 25 min, below the 29-min limit),
      else sleeps; ``use_idle=False`` forces polling.
    * Reconnects with exponential backoff (``backoff=(first, max)`` seconds) and jitter.
    """

    IDLE_REISSUE = 25 * 60

    def __init__(self, host: str, port: int | None = None, username: str = "", password: str = "", *,
                 security: str = "ssl", folder: str = "INBOX", processed: str = "flag",
                 processed_folder: str = "mailflow-done", flag: str = "$MailflowDone",
                 verify_tls: bool = True, ca_file: str | None = None,
                 checkpoint: Checkpoint | None = None, timeout: float = 30,
                 logger: logging.Logger | None = None, backoff: tuple[float, float] = (1, 60),
                 use_idle: bool = True, max_message_bytes: int | None = None) -> None:
        if security not in ("ssl", "starttls", "plain"):
            raise ValueError(f"mailbox security must be 'ssl', 'starttls' or 'plain', not {security!r}")
        if processed not in ("flag", "move"):
            raise ValueError(f"mailbox processed must be 'flag' or 'move', not {processed!r}")
        if not host:
            raise ValueError("IMAP host is empty")
        if not username:
            raise ValueError("IMAP user name is empty")
        if not password:
            raise ValueError("IMAP password is empty: set MAILFLOW_IMAP_PASSWORD")
        if processed == "move" and (not processed_folder or processed_folder == folder):
            raise ValueError("processed_folder must be set and differ from the folder read")
        if processed == "flag" and (not flag or any(ch in flag for ch in ' ()[]{%*"\\')):
            raise ValueError(f"invalid IMAP keyword for processed mail: {flag!r}")
        if len(backoff) != 2 or not (0 < backoff[0] <= backoff[1]):
            raise ValueError(f"backoff must be (first, max) seconds with 0 < first <= max, not {backoff!r}")
        self.host = host
        self.port = int(port) if port else (993 if security == "ssl" else 143)
        self.username = username
        self.security = security
        self.folder = folder
        self.processed = processed
        self.processed_folder = processed_folder
        self.flag = flag
        self.verify_tls = verify_tls
        self.ca_file = ca_file
        self.checkpoint: Checkpoint = checkpoint if checkpoint is not None else MemoryCheckpoint()
        self.timeout = timeout
        self.log = logger or log
        self.backoff = (float(backoff[0]), float(backoff[1]))
        self.use_idle = use_idle
        self.max_message_bytes = max_message_bytes
        scheme = {"ssl": "imaps", "starttls": "imap+starttls", "plain": "imap"}[security]
        how = f"flag {flag}" if processed == "flag" else f"move to {processed_folder}"
        self.description = f"{scheme}://{username}@{host}:{self.port}/{folder} (processed: {how})"

        self.server_id: dict | None = None
        self.capabilities: tuple[bytes, ...] = ()
        self.last_error: str | None = None
        self.last_fetch: float | None = None  # time.time() of the last successful fetch
        self._client = None
        self._lock = threading.RLock()
        self._closing = threading.Event()
        self._uidvalidity: int | None = None
        self._connected_at = 0.0
        self._failures = 0
        self._retry_at = 0.0
        self._outstanding: set[int] = set()  # fetched, not yet marked done
        self._done_high = 0
        self._pending_marks: list[int] = []  # done, but not yet stored on the server
        self._more = False  # the last fetch hit its limit
        self._done_folder_ok = False
        self._names = FolderNames()
        self._account = ImapAccount(host, self.port, username, password, security, verify_tls, ca_file,
                                    timeout, self.description)

    # ------------------------------------------------------------------ connection
    @property
    def connected(self) -> bool:
        return self._client is not None

    def connect(self) -> None:
        """Connect, log in, send ID, select the folder (no-op when connected). Raises
        MailboxAuthError/MailboxError, and network errors (OSError, imaplib.IMAP4.abort)."""
        with self._lock:
            if self._client is None:
                self._connect()

    def _connect(self) -> None:
        session = open_session(self._account, self.folder,
                               self.flag if self.processed == "flag" else None, self.log)
        self.capabilities = session.capabilities
        if session.server_id is not None:
            self.server_id = session.server_id
        self._names = session.names
        self._client = session.client
        self._connected_at = time.monotonic()
        self._adopt_uidvalidity(session.uidvalidity)
        self.log.info("IMAP connected: %s (UIDVALIDITY %s)", self.description, session.uidvalidity)

    def _adopt_uidvalidity(self, uidvalidity: int) -> None:
        saved_uv, _last = self.checkpoint.load(self.folder)
        if self._uidvalidity is not None and self._uidvalidity != uidvalidity or (
                saved_uv is not None and saved_uv != uidvalidity):
            old = saved_uv if saved_uv is not None else self._uidvalidity
            self.log.warning(
                "IMAP UIDVALIDITY of %s changed from %s to %s: reading the folder again from UID 1 "
                "(messages already applied are skipped by Message-ID)", self.folder, old, uidvalidity)
            self.checkpoint.save(self.folder, uidvalidity, 0)
            self._outstanding.clear()
            self._pending_marks.clear()
            self._done_high = 0
        elif saved_uv is None:
            self.checkpoint.save(self.folder, uidvalidity, 0)
        self._uidvalidity = uidvalidity

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()

    @contextlib.contextmanager
    def _or_retry_later(self, during: str, *also: type[BaseException]):
        """Run the block; a network error or an unexpected reply (or one of ``also``) drops the
        connection and schedules the next attempt instead of raising. MailboxError passes: it
        needs an operator, not a retry."""
        try:
            yield
        except (*also, *_RETRYABLE) as e:
            self._lost(e, during)

    def _lost(self, e: BaseException, during: str) -> None:
        """The connection failed: drop it and schedule the next attempt.

        The reconnect promise: a connection that was up and then went away (a server restart, an
        idle timeout) is retried at once, so one drop costs nothing; every failure after that waits
        ``first * 2**(n-1)`` seconds, capped at ``max``, times a jitter in [0.5, 1) so several
        daemons do not hammer a recovering server in step. A drop within 5 s of connecting counts
        as a failure, so a server that lets us in and throws us out cannot make us spin."""
        self.last_error = f"{during}: {type(e).__name__}: {e}"
        was_connected = self._client is not None
        self._drop()
        quick_drop = was_connected and time.monotonic() - self._connected_at < 5
        if was_connected and not quick_drop and self._failures == 0:
            self._retry_at = time.monotonic()  # first reconnect right away
            self.log.warning("IMAP connection to %s:%s lost during %s (%s); reconnecting",
                             self.host, self.port, during, self.last_error)
            return
        self._failures += 1
        lo, hi = self.backoff
        delay = min(hi, lo * 2 ** (self._failures - 1)) * random.uniform(0.5, 1.0)
        self._retry_at = time.monotonic() + delay
        self.log.warning("IMAP %s at %s:%s failed (%s); attempt %d, retrying in %.1fs",
                         during, self.host, self.port, self.last_error, self._failures, delay)

    def _ensure_connected(self) -> None:
        if self._client is None:
            self._connect()
            self._failures = 0
            self.last_error = None
        self._flush_marks()

    # ---------------------------------------------------------------------- fetch
    def fetch(self, limit: int = 200) -> list[Fetched]:
        with self._lock:
            if self._closing.is_set():
                return []
            if self._client is None and time.monotonic() < self._retry_at:
                return []
            items = None
            with self._or_retry_later("fetch"):
                self._ensure_connected()
                items = self._fetch(limit)
            if items is None:
                return []
            self.last_fetch = time.time()
            return items

    def _fetch(self, limit: int) -> list[Fetched]:
        c = self._client
        uv = self._uidvalidity
        saved_uv, last = self.checkpoint.load(self.folder)
        if saved_uv != uv:
            last = 0
        c.noop()  # lets this connection see mail other connections delivered
        criteria = ["UID", f"{last + 1}:*"]
        if self.processed == "flag":
            criteria += ["UNKEYWORD", self.flag]
        # "UID n:*" also matches the highest UID when n is above it: filter.
        uids = sorted(u for u in c.search(criteria) if u > last)
        self._more = len(uids) > limit
        uids = uids[:limit]
        big: dict[int, int] = {}
        if self.max_message_bytes is not None and uids:
            # sizes first: a message over the limit is fetched as its head only, and a batch stops
            # once it holds BATCH_BYTES
            sizes = {u: int(v.get(b"RFC822.SIZE", 0)) for u, v in c.fetch(uids, ["RFC822.SIZE"]).items()}
            held, keep = 0, []
            for u in uids:
                if keep and held >= BATCH_BYTES:
                    self._more = True
                    break
                keep.append(u)
                if sizes.get(u, 0) > self.max_message_bytes:
                    big[u] = sizes[u]
                    held += HEAD_BYTES
                else:
                    held += sizes.get(u, 0)
            uids = keep
        out: list[Fetched] = []
        for i in range(0, len(uids), 100):
            chunk = uids[i:i + 100]
            small = [u for u in chunk if u not in big]
            data = c.fetch(small, ["BODY.PEEK[]"]) if small else {}
            heads = [u for u in chunk if u in big]
            if heads:
                data.update(c.fetch(heads, [f"BODY.PEEK[]<0.{HEAD_BYTES}>"]))
            for uid in chunk:
                msg = data.get(uid)
                body = None if msg is None else msg.get(b"BODY[]", msg.get(b"BODY[]<0>"))
                if body is None:
                    continue  # expunged meanwhile
                out.append(Fetched(key=f"imap:{self.folder}:{uv}:{uid}", raw=bytes(body),
                                   folder=self.folder, uidvalidity=uv, uid=uid, size=big.get(uid)))
                self._outstanding.add(uid)
        return out

    # ------------------------------------------------------------------ mark_done
    def mark_done(self, item: Fetched) -> None:
        self.mark_done_many([item])

    def mark_done_many(self, items: list[Fetched]) -> None:
        """Mark several committed messages processed: one checkpoint write (whose synchronous=FULL
        commit also syncs the store's WAL, so the caller's commits are on disk before the server
        hears of them) and one STORE/MOVE for all of them, instead of one of each per message."""
        with self._lock:
            uids = []
            for item in items:
                if item.uid is None or item.folder != self.folder:
                    raise ValueError(f"{item.key} does not come from {self.description}")
                if item.uidvalidity != self._uidvalidity:
                    self.log.warning("IMAP mark_done(%s) ignored: UIDVALIDITY is now %s", item.key,
                                     self._uidvalidity)
                    continue
                uids.append(item.uid)
            if not uids:
                return
            self._outstanding.difference_update(uids)
            self._done_high = max(self._done_high, *uids)
            _uv, last = self.checkpoint.load(self.folder)
            # The checkpoint stops before any mail whose mark the server has not stored yet (this
            # batch included): a crash between the checkpoint and the STORE would otherwise leave
            # it unflagged, and never fetched again, for good. _flush_marks moves it on after the STORE.
            blocked = self._outstanding | set(self._pending_marks) | set(uids)
            new_last = min(min(blocked) - 1, self._done_high)
            self.checkpoint.save(self.folder, self._uidvalidity, max(new_last, last))
            self._pending_marks.extend(uids)
            if self._client is None:
                return  # stored after the next reconnect
            with self._or_retry_later("mark_done"):
                self._flush_marks()

    def _flush_marks(self) -> None:
        if not self._pending_marks or self._client is None:
            return
        c = self._client
        uids = sorted(set(self._pending_marks))
        if self.processed == "flag":
            c.add_flags(uids, [self.flag], silent=True)
        else:
            target = self._names.on_server(self.processed_folder)
            if not self._done_folder_ok:
                if not c.folder_exists(target):
                    try:
                        c.create_folder(target)
                    except imaplib.IMAP4.abort:
                        raise
                    except imaplib.IMAP4.error as e:
                        if not c.folder_exists(target):  # else: created meanwhile by someone
                            raise MailboxError(f"{self.description}: cannot create the folder "
                                               f"{target!r} for processed mail: {e}") from None
                self._done_folder_ok = True
            if c.has_capability("MOVE"):
                c.move(uids, target)
            else:
                c.copy(uids, target)
                c.add_flags(uids, [b"\\Deleted"], silent=True)
                if c.has_capability("UIDPLUS"):
                    c.uid_expunge(uids)
                else:
                    c.expunge()
        self._pending_marks.clear()
        # Stored on the server: the checkpoint may now move past them.
        if self._uidvalidity is not None and self._done_high:
            _uv, last = self.checkpoint.load(self.folder)
            new_last = min((min(self._outstanding) - 1) if self._outstanding else self._done_high,
                           self._done_high)
            if new_last > last:
                self.checkpoint.save(self.folder, self._uidvalidity, new_last)

    # ----------------------------------------------------------------------- wait
    def wait(self, timeout: float, stop: threading.Event | None = None) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            if self._more:
                self._more = False
                return True
            while True:
                if self._closing.is_set() or (stop is not None and stop.is_set()):
                    return False
                now = time.monotonic()
                if now >= deadline:
                    return False
                if self._client is None:
                    if now < self._retry_at:
                        interruptible_sleep(min(self._retry_at, deadline) - now, stop, self._closing)
                        continue
                    with self._or_retry_later("reconnect"):
                        self._ensure_connected()
                        return True  # mail may have arrived while we were away
                    continue
                if not (self.use_idle and b"IDLE" in self.capabilities):
                    return interruptible_sleep(deadline - now, stop, self._closing)
                with self._or_retry_later("IDLE", _Reconnect):
                    return self._idle(deadline, stop)

    @staticmethod
    def _news(responses) -> bool:
        for r in responses:
            if isinstance(r, tuple) and len(r) >= 2:
                if r[0] == b"BYE":
                    raise _Reconnect(f"server said BYE: {r[1]!r}")
                if r[1] in (b"EXISTS", b"RECENT"):
                    return True
        return False

    def _idle(self, deadline: float, stop: threading.Event | None) -> bool:
        c = self._client
        self._flush_marks()
        if self._news(c.noop()[1]):
            return True
        c.idle()
        started = time.monotonic()
        news = False
        while True:
            if self._closing.is_set() or (stop is not None and stop.is_set()):
                break
            now = time.monotonic()
            if now >= deadline:
                break
            if now - started >= self.IDLE_REISSUE:
                if self._news(c.idle_done()[1]):
                    return True
                c.idle()
                started = time.monotonic()
            step = min(1.0, deadline - now)
            t0 = time.monotonic()
            responses = c.idle_check(timeout=step)
            if self._news(responses):
                news = True
                break
            if not responses and time.monotonic() - t0 < step / 2:
                # idle_check returns early and empty when the socket hit EOF: probe it
                # (idle_done raises if the connection is gone).
                if self._news(c.idle_done()[1]):
                    return True
                c.idle()
        done = c.idle_done()
        return news or self._news(done[1])

    # -------------------------------------------------------------------- deliver
    def deliver(self, raw: bytes) -> str:
        """APPEND ``raw`` to the folder; returns "imap:<folder>:<uidvalidity>:<uid>" when the
        server reports APPENDUID (else "imap:<folder>")."""
        with self._lock:
            try:
                self._ensure_connected()
                resp = self._client.append(self.folder, raw)
            except MailboxError:
                raise
            except _NETWORK_ERRORS as e:
                self._lost(e, "deliver")
                raise MailboxConnectionError(f"{self.description}: cannot deliver: {e}") from None
            except imaplib.IMAP4.error as e:
                raise MailboxError(f"{self.description}: the server refused APPEND: {e}") from None
            text = resp.decode(errors="replace") if isinstance(resp, bytes) else str(resp)
            parts = text.split("APPENDUID", 1)
            if len(parts) == 2:
                nums = parts[1].replace("]", " ").split()
                if len(nums) >= 2 and nums[0].isdigit() and nums[1].isdigit():
                    return f"imap:{self.folder}:{nums[0]}:{nums[1]}"
            return f"imap:{self.folder}"

    def close(self) -> None:
        self._closing.set()
        with self._lock:
            client, self._client = self._client, None
            if client is not None:
                with contextlib.suppress(Exception):
                    client.logout()
                with contextlib.suppress(Exception):
                    client.shutdown()

    def __repr__(self) -> str:
        return f"<ImapInbox {self.description}>"
