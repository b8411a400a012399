"""Inbound mailboxes: one interface (:class:`Inbox`), two backends (Maildir and IMAP).

This is an edge module: its code blocks (imapclient is synchronous), so the daemon runs it in one
worker thread. The loop that uses it looks like this::

    inbox = open_inbox(settings.mailbox.url, os.environ.get("MAILFLOW_IMAP_PASSWORD"), checkpoint=store)
    while not stop.is_set():
        for item in inbox.fetch():
            ...parse, route, apply, commit (unique Message-ID)...
            inbox.mark_done(item)            # only after the commit
        inbox.wait(poll_interval, stop)      # IDLE, or a sleep; reconnects after failures

What raises, and what does not
------------------------------
* ``fetch``, ``wait`` and ``mark_done`` never raise for network errors, server restarts, timeouts
  or unexpected server replies: they log a warning, drop the connection and return (``[]``,
  ``True``/``False``, ``None``). The next ``fetch``/``wait`` reconnects, with exponential backoff
  and jitter after failed attempts. Marks that could not be stored are kept and stored after the
  reconnect. The checkpoint (last UID) only moves past mail whose mark the server stored, so a
  crash in between makes the next run fetch it again (the caller's Message-ID dedupe skips it)
  instead of leaving it unmarked on the server for good.
* They raise :class:`MailboxAuthError` (wrong user or password) and :class:`MailboxError` (TLS
  certificate rejected, STARTTLS not offered, folder missing, custom flags not allowed) when
  (re)connecting, since these need an operator, not a retry.
* ``deliver`` raises :class:`MailboxConnectionError` when the server cannot be reached (it is
  used by ``mailflow inject``, which should report that and exit).
* :func:`open_inbox` raises ``ValueError`` naming what is wrong with the URL or options.

Nothing here ever logs or formats the password.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import os
import random
import ssl
import threading
import time
import mailbox as _stdlib_mailbox
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

log = logging.getLogger("mailflow.edges.mailbox")

__all__ = [
    "Fetched", "Checkpoint", "MemoryCheckpoint", "Inbox", "MaildirInbox", "ImapInbox",
    "open_inbox", "MailboxError", "MailboxAuthError", "MailboxConnectionError",
]


class MailboxError(Exception):
    """A mailbox problem that needs an operator (configuration, TLS, missing folder)."""


class MailboxAuthError(MailboxError):
    """The server rejected the user name or password."""


class MailboxConnectionError(MailboxError):
    """The server could not be reached (raised by ``deliver`` only)."""


@dataclass
class Fetched:
    """One message copy taken from an inbox."""

    key: str  # "imap:<folder>:<uidvalidity>:<uid>" or "maildir:<key>"
    raw: bytes
    folder: str = ""
    uidvalidity: int | None = None
    uid: int | None = None
    size: int | None = None  # the whole message's size when `raw` is only its first HEAD_BYTES

    @property
    def truncated(self) -> bool:
        return self.size is not None and self.size > len(self.raw)


# A message over the inbox's max_message_bytes is taken as its first HEAD_BYTES only (enough for
# every header that says who sent what): memory per message stays bounded whatever arrives.
HEAD_BYTES = 64 * 1024
# One fetch holds at most this many bytes of mail (plus its first message, whatever its size): a
# batch of 200 large mails would otherwise sit in memory at once.
BATCH_BYTES = 32 * 1024 * 1024


@runtime_checkable
class Checkpoint(Protocol):
    """Where an IMAP inbox remembers how far it got, per folder (the store implements it)."""

    def load(self, folder: str) -> tuple[int | None, int]: ...  # (uidvalidity, last_uid)

    def save(self, folder: str, uidvalidity: int, last_uid: int) -> None: ...


class MemoryCheckpoint:
    """A :class:`Checkpoint` kept in memory (tests, or a throw-away run)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def load(self, folder: str) -> tuple[int | None, int]:
        with self._lock:
            return self._data.get(folder, (None, 0))

    def save(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        with self._lock:
            self._data[folder] = (int(uidvalidity), int(last_uid))


@runtime_checkable
class Inbox(Protocol):
    description: str

    def fetch(self, limit: int = 200) -> list[Fetched]:
        """Messages not yet processed, oldest first (at most ``limit``)."""

    def mark_done(self, item: Fetched) -> None:
        """Record ``item`` as processed; call only after its transaction committed."""

    def wait(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Block until new mail may be there (True) or ``timeout``/``stop`` (False)."""

    def deliver(self, raw: bytes) -> str:
        """Put a message into the inbox; returns a key describing where it went."""

    def close(self) -> None: ...


def _interruptible_sleep(seconds: float, *events: threading.Event | None) -> bool:
    """Sleep up to ``seconds``; False as soon as one of ``events`` is set, else True."""
    evs = [e for e in events if e is not None]
    end = time.monotonic() + seconds
    while True:
        if any(e.is_set() for e in evs):
            return False
        rem = end - time.monotonic()
        if rem <= 0:
            return True
        step = min(rem, 0.2) if len(evs) > 1 else rem
        if evs:
            evs[0].wait(step)
        else:
            time.sleep(step)


# ---------------------------------------------------------------------------------------- Maildir
class MaildirInbox:
    """A local Maildir (stdlib ``mailbox.Maildir``), created if missing.

    Unprocessed mail is every message in ``new/`` and ``cur/``, oldest first (file mtime, then
    key). Processing a message *moves* it (one atomic rename) into the Maildir++ sub-folder
    ``.mailflow-done`` inside the same directory, so the inbox itself only ever holds work still
    to do, an operator can see what was done, and a Dovecot serving the same directory shows it
    as the folder ``mailflow-done``. Keys are the stdlib Maildir keys (file name before ``:``).
    """

    def __init__(self, path: str | os.PathLike, *, processed_folder: str = "mailflow-done",
                 poll_interval: float = 0.5, logger: logging.Logger | None = None,
                 max_message_bytes: int | None = None) -> None:
        if not processed_folder or "/" in processed_folder or processed_folder.startswith("."):
            raise ValueError(f"invalid maildir processed_folder {processed_folder!r}")
        self.path = Path(path)
        self.processed_folder = processed_folder
        self.poll_interval = poll_interval
        self.log = logger or log
        self.max_message_bytes = max_message_bytes
        try:
            for sub in ("tmp", "new", "cur"):  # stdlib only creates them for a new directory
                (self.path / sub).mkdir(parents=True, exist_ok=True)
            self._md = _stdlib_mailbox.Maildir(self.path, factory=None, create=True)
            if processed_folder in self._md.list_folders():
                self._done = self._md.get_folder(processed_folder)
            else:
                self._done = self._md.add_folder(processed_folder)
        except OSError as e:
            raise MailboxError(f"cannot create or open maildir {self.path}: {e}") from e
        self._done_path = self.path / f".{processed_folder}"
        self.description = f"maildir:{self.path} (processed mail moved to .{processed_folder})"

    def _files(self) -> list[tuple[str, Path]]:
        """(key, path) of every message file in new/ and cur/ (the key is the name before ":")."""
        out = []
        for sub in ("new", "cur"):
            d = self.path / sub
            try:
                names = os.listdir(d)
            except FileNotFoundError:
                continue
            out += [(name.split(":", 1)[0], d / name) for name in names if not name.startswith(".")]
        return out

    def _entries(self) -> list[tuple[int, str, Path]]:
        out = []
        for key, p in self._files():
            try:
                out.append((p.stat().st_mtime_ns, key, p))
            except FileNotFoundError:
                continue
        out.sort(key=lambda e: (e[0], e[1]))
        return out

    def fetch(self, limit: int = 200) -> list[Fetched]:
        out: list[Fetched] = []
        held = 0
        for _mtime, key, p in self._entries():
            if len(out) >= limit or held >= BATCH_BYTES:
                break
            try:
                with open(p, "rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    big = self.max_message_bytes is not None and size > self.max_message_bytes
                    raw = f.read(HEAD_BYTES) if big else f.read()
            except FileNotFoundError:  # moved away meanwhile
                continue
            out.append(Fetched(key=f"maildir:{key}", raw=raw, folder=str(self.path), size=size if big else None))
            held += len(raw)
        return out

    def mark_done(self, item: Fetched) -> None:
        self.mark_done_many([item])

    def mark_done_many(self, items: list[Fetched]) -> None:
        """Move the items into the processed folder; one directory listing for the whole batch.
        An item no longer there was already marked done (e.g. a replay): nothing to do."""
        files = dict(reversed(self._files()))   # the first of new/, cur/ wins, as before
        for item in items:
            p = files.pop(item.key.removeprefix("maildir:"), None)
            if p is None:
                continue
            target = p.name if ":" in p.name else p.name + ":2,"
            try:
                os.rename(p, self._done_path / "cur" / target)
            except FileNotFoundError:
                pass

    def wait(self, timeout: float, stop: threading.Event | None = None) -> bool:
        end = time.monotonic() + timeout
        while True:
            if stop is not None and stop.is_set():
                return False
            if self._files():  # existence only: no stat or sort of every file while polling
                return True
            rem = end - time.monotonic()
            if rem <= 0:
                return False
            if not _interruptible_sleep(min(self.poll_interval, rem), stop):
                return False

    def deliver(self, raw: bytes) -> str:
        return "maildir:" + self._md.add(raw)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._md.close()

    def __repr__(self) -> str:
        return f"<MaildirInbox {self.description}>"


# ------------------------------------------------------------------------------------------- IMAP
# Errors after which the connection is dropped and re-established later. imaplib.IMAP4.abort is
# imapclient's AbortError (BYE, EOF); OSError covers resets, refusals, timeouts and TLS errors.
_NETWORK_ERRORS = (OSError, EOFError, imaplib.IMAP4.abort)


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
        self._password = password
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
        self._ns_prefix, self._delimiter = "", "/"

    # ------------------------------------------------------------------ connection
    @property
    def connected(self) -> bool:
        return self._client is not None

    def _ssl_context(self) -> ssl.SSLContext:
        if self.verify_tls:
            return ssl.create_default_context(cafile=self.ca_file)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _tls_failed(self, e: ssl.SSLCertVerificationError) -> MailboxError:
        return MailboxError(
            f"{self.description}: TLS certificate verification failed "
            f"({getattr(e, 'verify_message', None) or e}); fix the server certificate, trust its CA "
            f"with ca_file, or (lab servers only) set verify_tls = false")

    def connect(self) -> None:
        """Connect, log in, send ID, select the folder (no-op when connected). Raises
        MailboxAuthError/MailboxError, and network errors (OSError, imaplib.IMAP4.abort)."""
        with self._lock:
            if self._client is None:
                self._connect()

    def _connect(self) -> None:
        from imapclient import IMAPClient
        from imapclient.exceptions import IMAPClientError, LoginError

        ctx = self._ssl_context() if self.security != "plain" else None
        try:
            client = IMAPClient(self.host, self.port, ssl=self.security == "ssl", ssl_context=ctx,
                                timeout=self.timeout)
        except ssl.SSLCertVerificationError as e:
            raise self._tls_failed(e) from None
        try:
            if self.security == "starttls":
                if not client.has_capability("STARTTLS"):
                    raise MailboxError(f"{self.description}: the server does not offer STARTTLS; "
                                       "refusing to send the password unencrypted")
                try:
                    client.starttls(ctx)
                except ssl.SSLCertVerificationError as e:
                    raise self._tls_failed(e) from None
            self._login(client, LoginError)
            caps = tuple(client.capabilities())
            self.capabilities = caps
            if b"ID" in caps:
                try:
                    from mailflow import __version__
                    self.server_id = client.id_({"name": "mailflow", "version": __version__,
                                                 "vendor": "mailflow", "os": "linux"})
                except IMAPClientError as e:
                    self.log.warning("IMAP ID command refused by %s: %s", self.host, e)
            self._learn_namespace(client)
            try:
                info = client.select_folder(self._server_name(self.folder))
            except imaplib.IMAP4.abort:
                raise
            except IMAPClientError as e:
                raise MailboxError(f"{self.description}: cannot select folder {self.folder!r}: {e}") from None
            if self.processed == "flag":
                perm = tuple(info.get(b"PERMANENTFLAGS", ()))
                if b"\\*" not in perm and self.flag.encode() not in perm:
                    raise MailboxError(
                        f"{self.description}: the server does not allow the keyword {self.flag} on "
                        f"{self.folder!r} (PERMANENTFLAGS {perm!r}); use processed = \"move\"")
            uidvalidity = int(info[b"UIDVALIDITY"])
        except BaseException:
            with contextlib.suppress(Exception):
                client.shutdown()
            raise
        self._client = client
        self._connected_at = time.monotonic()
        self._adopt_uidvalidity(uidvalidity)
        self.log.info("IMAP connected: %s (UIDVALIDITY %s)", self.description, uidvalidity)

    def _learn_namespace(self, client) -> None:
        """The personal namespace prefix and hierarchy delimiter ("/" in folder options is
        translated to it, so "Archive/mailflow" works on Dovecot's "." and Gmail's "/")."""
        self._ns_prefix, self._delimiter = "", "/"
        with contextlib.suppress(imaplib.IMAP4.error, IndexError, TypeError, ValueError):
            if client.has_capability("NAMESPACE"):
                personal = client.namespace().personal
                if personal:
                    prefix, delim = personal[0]
                    self._ns_prefix = prefix or ""
                    self._delimiter = delim or "/"
            else:
                listed = client.list_folders("", "")
                if listed and listed[0][1]:
                    d = listed[0][1]
                    self._delimiter = d.decode() if isinstance(d, bytes) else d

    def _server_name(self, name: str) -> str:
        if name.upper() == "INBOX":
            return "INBOX"
        if self._delimiter != "/":
            name = name.replace("/", self._delimiter)
        if self._ns_prefix and not name.startswith(self._ns_prefix):
            name = self._ns_prefix + name
        return name

    def _login(self, client, LoginError) -> None:
        caps = tuple(client.capabilities())
        plain_ok = b"AUTH=PLAIN" in caps
        use_plain = plain_ok and (b"LOGINDISABLED" in caps or not self._password.isascii()
                                  or not self.username.isascii())
        if b"LOGINDISABLED" in caps and not plain_ok:
            raise MailboxError(f"{self.description}: the server disables LOGIN and offers no AUTH=PLAIN "
                               "(over plain IMAP, use security ssl or starttls)")
        try:
            if use_plain:
                client.plain_login(self.username, self._password)
            else:
                client.login(self.username, self._password)
        except LoginError as e:
            text = str(e)
            if "UNAVAILABLE" in text.upper():  # e.g. "[UNAVAILABLE] Temporary authentication failure"
                raise ConnectionError(f"temporary login failure: {text}") from None
            raise MailboxAuthError(
                f"IMAP login as {self.username!r} at {self.host}:{self.port} failed: {text} "
                "(check the user name and MAILFLOW_IMAP_PASSWORD; many providers want an app "
                "password or authorization code, not the web password)") from None

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

    def _lost(self, e: BaseException, during: str) -> None:
        """The connection failed: drop it and schedule the next attempt."""
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
            try:
                self._ensure_connected()
                items = self._fetch(limit)
            except MailboxError:
                raise
            except _NETWORK_ERRORS + (imaplib.IMAP4.error,) as e:
                self._lost(e, "fetch")
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
            try:
                self._flush_marks()
            except MailboxError:
                raise
            except _NETWORK_ERRORS + (imaplib.IMAP4.error,) as e:
                self._lost(e, "mark_done")

    def _flush_marks(self) -> None:
        if not self._pending_marks or self._client is None:
            return
        c = self._client
        uids = sorted(set(self._pending_marks))
        if self.processed == "flag":
            c.add_flags(uids, [self.flag], silent=True)
        else:
            target = self._server_name(self.processed_folder)
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
                        _interruptible_sleep(min(self._retry_at, deadline) - now, stop, self._closing)
                        continue
                    try:
                        self._ensure_connected()
                    except MailboxError:
                        raise
                    except _NETWORK_ERRORS + (imaplib.IMAP4.error,) as e:
                        self._lost(e, "reconnect")
                        continue
                    return True  # mail may have arrived while we were away
                if not (self.use_idle and b"IDLE" in self.capabilities):
                    return _interruptible_sleep(deadline - now, stop, self._closing)
                try:
                    return self._idle(deadline, stop)
                except (_Reconnect,) + _NETWORK_ERRORS + (imaplib.IMAP4.error,) as e:
                    self._lost(e, "IDLE")

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


# -------------------------------------------------------------------------------------- open_inbox
_IMAP_SCHEMES = {"imaps": ("ssl", 993), "imap+starttls": ("starttls", 143), "imap": ("plain", 143)}
_IMAP_ONLY = {"security", "processed", "flag", "verify_tls", "ca_file", "timeout", "backoff", "use_idle"}
_URL_HELP = ('expected "maildir:PATH", "imaps://USER@HOST:993/FOLDER", '
             '"imap+starttls://USER@HOST:143/FOLDER" or (lab only) "imap://USER@HOST:143/FOLDER"')


def open_inbox(url: str, password: str | None = None, *, checkpoint: Checkpoint | None = None,
               base_dir: str | os.PathLike | None = None, **options) -> Inbox:
    """Build an inbox from a URL (see ``_URL_HELP``); percent-escapes in the user and folder
    are decoded (``mailflow%40corp.example``). A relative Maildir path is taken relative to
    ``base_dir`` (default: the current directory). ``options`` go to the backend; IMAP-only
    options are ignored for Maildir so that one ``[mailbox]`` section fits both."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"mailbox url is empty: {_URL_HELP}")
    url = url.strip()
    scheme, sep, rest = url.partition(":")
    scheme = scheme.lower()
    if not sep:
        raise ValueError(f"mailbox url {url!r} has no scheme: {_URL_HELP}")
    if scheme == "maildir":
        path = rest[2:] if rest.startswith("//") else rest
        if not path:
            raise ValueError(f"mailbox url {url!r} has no path: {_URL_HELP}")
        p = Path(path).expanduser()
        if not p.is_absolute() and base_dir is not None:
            p = Path(base_dir) / p
        md_opts = {k: v for k, v in options.items() if k not in _IMAP_ONLY}
        try:
            return MaildirInbox(p, **md_opts)
        except TypeError as e:
            raise ValueError(f"mailbox option not understood for maildir: {e}") from None
    if scheme not in _IMAP_SCHEMES:
        shown = url.split("@", 1)[-1] if "@" in url else url
        raise ValueError(f"mailbox url scheme {scheme!r} is not supported (…{shown}): {_URL_HELP}")
    parts = urlsplit(url)
    safe = f"{scheme}://{parts.hostname or ''}"  # for messages: never echo user:password
    if parts.password is not None:
        raise ValueError(f"mailbox url {safe}… contains a password: remove it and set "
                         "MAILFLOW_IMAP_PASSWORD instead")
    if not parts.username:
        raise ValueError(f"mailbox url {url!r} has no user name: write {scheme}://USER@HOST/FOLDER "
                         "(an '@' inside the user name is written %40)")
    if not parts.hostname:
        raise ValueError(f"mailbox url {url!r} has no host: {_URL_HELP}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"mailbox url {url!r} has an invalid port") from None
    if parts.query or parts.fragment:
        raise ValueError(f"mailbox url {url!r}: '?…'/'#…' are not supported; put options in [mailbox]")
    security, default_port = _IMAP_SCHEMES[scheme]
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    if not password:
        raise ValueError(f"no password for mailbox {url}: set MAILFLOW_IMAP_PASSWORD")
    options.pop("poll_interval", None)  # a daemon setting, not an IMAP one
    try:
        return ImapInbox(parts.hostname, port or default_port, unquote(parts.username), password,
                         security=security, folder=folder, checkpoint=checkpoint, **options)
    except TypeError as e:
        raise ValueError(f"mailbox option not understood for IMAP: {e}") from None
