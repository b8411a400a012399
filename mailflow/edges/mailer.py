"""Outbound mail: one small async interface, two backends.

* ``MaildirOutbox`` (the embedded default): every sent mail is written as a complete ``.eml`` file into a
  Maildir (``./mail/sent``), one file per Message-ID, so a retry after a crash never writes a second copy.
* ``SmtpMailer``: aiosmtplib over SMTPS, STARTTLS or plain SMTP (lab and tests only), AUTH when a username
  is given, one connection reused across sends and reopened transparently when the server dropped it.

Every failure leaves ``send`` as one of two exceptions, so the outbox needs no knowledge of SMTP:

* ``TransientSendError``: 4xx answers, network errors, timeouts, TLS handshake failures. Retry later.
* ``PermanentSendError``: 5xx answers, addresses the server cannot take, missing server features.
  The mail is dead. ``AuthenticationSendError`` (a subclass) is a refused login: the outbox may prefer to
  keep the mail queued and report the configuration error instead of killing every queued mail.

Both carry ``.code`` (the SMTP reply code, or None) and a message naming the server's answer, never the
password.

Recipients (documented decision): ``send`` returns the recipients the server refused while it accepted
the mail for the others (``{address: "550 No such user"}``, empty when all were accepted); they are
logged as a warning and not retried, because a retry would deliver the mail twice to the accepted ones.
When every recipient is refused the mail was delivered to nobody: ``PermanentSendError`` if every refusal
is 5xx, else ``TransientSendError`` (a retry may succeed for the 4xx ones).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import re
import socket
import ssl
import time
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import quote, unquote, urlsplit

import aiosmtplib
from aiosmtplib.email import parse_address

__all__ = [
    "SendError",
    "TransientSendError",
    "PermanentSendError",
    "AuthenticationSendError",
    "Mailer",
    "MaildirOutbox",
    "SmtpMailer",
    "open_mailer",
]

_log = logging.getLogger("mailflow.edges.mailer")


# --------------------------------------------------------------------------------------------- errors


class SendError(Exception):
    """A mail could not be handed over. ``code`` is the SMTP reply code when the server gave one."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class TransientSendError(SendError):
    """4xx, network error, timeout: the same mail may be sent again later."""


class PermanentSendError(SendError):
    """5xx or a mail the server can never take: the mail is dead."""


class AuthenticationSendError(PermanentSendError):
    """The server refused the login (e.g. 535). Permanent for this configuration, not for the mail."""


# ------------------------------------------------------------------------------------------ interface


@runtime_checkable
class Mailer(Protocol):
    description: str  # for logs and status; never contains a password

    async def send(
        self, sender: str, recipients: list[str], data: bytes, message_id: str
    ) -> dict[str, str]:
        """Hand over one rendered mail. Returns refused recipients (empty when all accepted)."""
        ...

    async def close(self) -> None: ...


# ------------------------------------------------------------------------------------------- maildir

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]+")
_counter = itertools.count()


def _bare_id(message_id: str) -> str:
    bare = message_id.strip()
    if bare.startswith("<") and bare.endswith(">"):
        bare = bare[1:-1].strip()
    return bare


class MaildirOutbox:
    """Writes every sent mail as a complete ``.eml`` into ``path/new`` (a Maildir, created if missing).

    The file name is derived from the Message-ID (a readable part plus a hash), so sending the same
    Message-ID again is a no-op: a retry after a crash does not write a second copy. Files are written to
    ``tmp/``, fsynced and then hard-linked into ``new/``, so a reader never sees half a mail.

    With ``envelope_headers`` (the default) the file starts with ``Return-Path`` and ``X-Envelope-To``
    headers, as a delivery agent would add, so the operator can see who would have received it (Bcc too).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fsync: bool = True,
        envelope_headers: bool = True,
        logger: logging.Logger | None = None,
    ):
        self.path = Path(path)
        self.fsync = fsync
        self.envelope_headers = envelope_headers
        self.log = logger or _log
        self.description = f"maildir:{self.path}"
        self._made = False

    def __repr__(self) -> str:
        return f"MaildirOutbox({str(self.path)!r})"

    @staticmethod
    def file_name(message_id: str) -> str:
        """The file name used for ``message_id`` (angle brackets and surrounding spaces ignored)."""
        bare = _bare_id(message_id)
        if not bare:
            raise ValueError("a mail needs a Message-ID to be written to the outbox Maildir")
        readable = _UNSAFE.sub("_", bare)[:80].strip("._") or "mail"
        digest = hashlib.sha256(bare.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        return f"{readable}-{digest}.eml"

    def path_for(self, message_id: str) -> Path:
        """Where the mail with ``message_id`` is (or will be) stored."""
        return self.path / "new" / self.file_name(message_id)

    def _ensure_dirs(self) -> None:
        if not self._made:
            for sub in ("tmp", "new", "cur"):
                (self.path / sub).mkdir(parents=True, exist_ok=True)
            self._made = True

    def _already_there(self, name: str) -> bool:
        if (self.path / "new" / name).exists():
            return True
        cur = self.path / "cur"
        # a mail client that read the file moves it to cur/ and appends the Maildir info suffix
        return any((cur / variant).exists() for variant in (name, name + ":2,", name + ":2,S"))

    def _envelope(self, sender: str, recipients: list[str]) -> bytes:
        to = ",\r\n ".join(recipients)
        return f"Return-Path: <{sender}>\r\nX-Envelope-To: {to}\r\n".encode("utf-8")

    def _write(self, sender: str, recipients: list[str], data: bytes, message_id: str) -> bool:
        name = self.file_name(message_id)
        self._ensure_dirs()
        if self._already_there(name):
            return False
        tmp = self.path / "tmp" / f"{time.time_ns()}.P{os.getpid()}Q{next(_counter)}.{socket.gethostname()}"
        target = self.path / "new" / name
        try:
            with open(tmp, "xb") as f:
                if self.envelope_headers:
                    f.write(self._envelope(sender, recipients))
                f.write(data)
                if self.fsync:
                    f.flush()
                    os.fsync(f.fileno())
            try:
                os.link(tmp, target)
            except FileExistsError:
                return False  # another writer won the race with the same Message-ID
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if self.fsync:
            fd = os.open(self.path / "new", os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return True

    async def send(
        self, sender: str, recipients: list[str], data: bytes, message_id: str
    ) -> dict[str, str]:
        if not recipients:
            raise PermanentSendError(f"{message_id}: no recipients")
        try:
            self.file_name(message_id)
        except ValueError as exc:
            raise PermanentSendError(str(exc)) from None
        try:
            written = await asyncio.to_thread(self._write, sender, list(recipients), data, message_id)
        except OSError as exc:
            self._made = False  # check the folders again next time (someone may have removed them)
            raise TransientSendError(f"{self.description}: cannot write {message_id}: {exc}") from exc
        if not written:
            self.log.info("%s: %s already written, not writing it again", self.description, message_id)
        return {}

    async def close(self) -> None:
        return None


# ---------------------------------------------------------------------------------------------- SMTP

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SECURITY_PORTS = {"ssl": 465, "starttls": 587, "plain": 25}
_SECURITY_SCHEMES = {"ssl": "smtps", "starttls": "smtp+starttls", "plain": "smtp"}


class SmtpMailer:
    """Sends over SMTP with aiosmtplib, reusing one connection across sends.

    ``security``: "ssl" (SMTPS, implicit TLS, port 465), "starttls" (port 587; the upgrade is required,
    never silently skipped) or "plain" (no TLS at all: lab servers and tests only). AUTH (PLAIN/LOGIN/
    CRAM-MD5, whatever the server offers) is done when a username is given. ``timeout`` bounds every
    single command (connect, EHLO, AUTH, MAIL, each RCPT, DATA). A connection idle for longer than
    ``idle_timeout`` seconds is closed and reopened before the next send (servers drop idle clients).

    ``send`` calls are serialised on the one connection; use several mailers for parallel sending.
    ``connections`` counts the connections opened so far.
    """

    def __init__(
        self,
        host: str,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        *,
        security: str = "ssl",
        verify_tls: bool = True,
        timeout: float = 30,
        local_hostname: str | None = None,
        logger: logging.Logger | None = None,
        idle_timeout: float = 60,
        tls_context: ssl.SSLContext | None = None,
    ):
        if security not in _SECURITY_PORTS:
            raise ValueError(f"security must be one of ssl, starttls, plain; not {security!r}")
        if not host:
            raise ValueError("SMTP host is empty")
        if timeout is None or timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.host = host
        self.port = int(port) if port else _SECURITY_PORTS[security]
        self.username = username or None
        self._password = password
        self.security = security
        self.verify_tls = verify_tls
        self.timeout = float(timeout)
        self.local_hostname = local_hostname
        self.idle_timeout = idle_timeout
        self.tls_context = tls_context
        self.log = logger or _log
        user = f"{quote(self.username, safe='')}@" if self.username else ""
        host_part = f"[{host}]" if ":" in host else host
        self.description = f"{_SECURITY_SCHEMES[security]}://{user}{host_part}:{self.port}"
        self.connections = 0
        self._client: aiosmtplib.SMTP | None = None
        self._last_used = 0.0
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"SmtpMailer({self.description!r})"

    # -- connection ------------------------------------------------------------------------------

    def _new_client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self._password if self.username else None,
            use_tls=self.security == "ssl",
            start_tls=self.security == "starttls",
            validate_certs=self.verify_tls,
            tls_context=self.tls_context,
            timeout=self.timeout,
            local_hostname=self.local_hostname,
        )

    async def _connect(self) -> aiosmtplib.SMTP:
        self._drop()
        client = self._new_client()
        try:
            await client.connect()  # TLS / STARTTLS / AUTH happen here
            if client.is_ehlo_or_helo_needed:
                await client.ehlo()
        except BaseException:
            client.close()
            raise
        self.connections += 1
        self._client = client
        self.log.debug("%s: connected", self.description)
        return client

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except RuntimeError:  # its event loop is closed (a connection from an earlier asyncio.run)
                pass

    def _usable(self) -> bool:
        client = self._client
        if client is None or not client.is_connected:
            return False
        if self.idle_timeout and time.monotonic() - self._last_used > self.idle_timeout:
            self.log.debug("%s: connection idle too long, reopening", self.description)
            self._drop()
            return False
        return True

    # -- sending -----------------------------------------------------------------------------------

    async def send(
        self, sender: str, recipients: list[str], data: bytes, message_id: str
    ) -> dict[str, str]:
        if not recipients:
            raise PermanentSendError(f"{message_id}: no recipients")
        for address in (sender, *recipients):
            try:
                if _CONTROL.search(address):
                    raise ValueError(f"address {address!r} contains control characters")
                parse_address(address)
            except ValueError as exc:
                raise PermanentSendError(f"{self.description}: {message_id}: {exc}") from None
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._lock is None:
            # first send, or a new event loop (asyncio.run per pass): the old connection belongs
            # to the old loop and cannot be used from this one
            self._drop()
            self._loop = loop
            self._lock = asyncio.Lock()
        async with self._lock:
            try:
                refused = await self._send_locked(sender, list(recipients), data)
            except SendError:
                raise
            except Exception as exc:  # every failure leaves as Transient/PermanentSendError
                answered = isinstance(exc, (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused))
                if not answered or (self._client is not None and not self._client.is_connected):
                    self._drop()  # keep the connection only after a clean server answer (then RSET)
                raise self._map(exc, message_id) from None
            except BaseException:  # cancelled mid-transaction: the connection state is unknown
                self._drop()
                raise
            finally:
                self._last_used = time.monotonic()
        if refused:
            self.log.warning(
                "%s: %s accepted, but refused for %s",
                self.description,
                message_id,
                "; ".join(f"{r}: {why}" for r, why in refused.items()),
            )
        return refused

    async def _send_locked(self, sender: str, recipients: list[str], data: bytes) -> dict[str, str]:
        options = []
        if not (sender.isascii() and all(r.isascii() for r in recipients)):
            options.append("SMTPUTF8")
        reused = self._usable()
        client = self._client if reused else await self._connect()
        assert client is not None
        try:
            errors, _reply = await client.sendmail(
                sender, recipients, data, mail_options=self._body_options(client, data, options)
            )
        except aiosmtplib.SMTPServerDisconnected:
            if not reused:
                raise
            # The server closed the reused connection while it sat idle (or restarted): open a new
            # connection and try once more. (Only if the server dropped the connection after taking the
            # whole DATA but before answering could this deliver twice; every SMTP retry has that window.)
            self.log.debug("%s: reused connection was closed by the server, reconnecting", self.description)
            client = await self._connect()
            errors, _reply = await client.sendmail(
                sender, recipients, data, mail_options=self._body_options(client, data, options)
            )
        return {rcpt: f"{resp.code} {resp.message}" for rcpt, resp in errors.items()}

    @staticmethod
    def _body_options(client: aiosmtplib.SMTP, data: bytes, options: list[str]) -> list[str]:
        if not data.isascii() and client.supports_extension("8bitmime"):
            return [*options, "BODY=8BITMIME"]
        return options

    # -- error mapping -------------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        if self._password:
            text = text.replace(self._password, "***")
        return text

    def _map(self, exc: BaseException, message_id: str) -> SendError:
        where = f"{self.description}: {message_id}"
        if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
            code = next((c for c in codes if 400 <= c < 500), codes[0] if codes else None)
            cls = PermanentSendError if codes and all(c >= 500 for c in codes) else TransientSendError
            return cls(self._scrub(f"{where}: every recipient refused: {detail}"), code)
        if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
            msg = self._scrub(f"{where}: login as {self.username} refused: {exc.code} {exc.message}")
            if 400 <= exc.code < 500:
                return TransientSendError(msg, exc.code)
            return AuthenticationSendError(msg, exc.code)
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            what = {
                aiosmtplib.SMTPSenderRefused: "sender refused",
                aiosmtplib.SMTPDataError: "message refused",
                aiosmtplib.SMTPHeloError: "EHLO refused",
                aiosmtplib.SMTPConnectResponseError: "greeting refused",
            }.get(type(exc), "server answered")
            msg = self._scrub(f"{where}: {what}: {exc.code} {exc.message}")
            if 500 <= exc.code < 600:
                return PermanentSendError(msg, exc.code)
            return TransientSendError(msg, exc.code)  # 4xx, or a code outside the 4xx/5xx ranges
        if isinstance(exc, aiosmtplib.SMTPTimeoutError) or isinstance(exc, TimeoutError):
            return TransientSendError(self._scrub(f"{where}: timed out: {exc}"))
        cert = _find_cause(exc, ssl.SSLCertVerificationError)
        if cert is not None:
            return TransientSendError(
                self._scrub(f"{where}: TLS certificate not trusted ({cert.verify_message}); "
                            "verify_tls=false is for lab servers only")
            )
        if isinstance(exc, (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError)):
            return TransientSendError(self._scrub(f"{where}: network error: {exc}"))
        if isinstance(exc, (OSError, ssl.SSLError)):
            return TransientSendError(self._scrub(f"{where}: network error: {exc}"))
        if isinstance(exc, aiosmtplib.SMTPNotSupported):
            return PermanentSendError(self._scrub(f"{where}: server lacks a needed feature: {exc}"))
        if isinstance(exc, aiosmtplib.SMTPException):
            # e.g. "The SMTP AUTH extension is not supported by this server"
            return PermanentSendError(self._scrub(f"{where}: {exc}"))
        return TransientSendError(self._scrub(f"{where}: unexpected {type(exc).__name__}: {exc}"))

    async def close(self) -> None:
        if self._loop is not asyncio.get_running_loop():
            self._drop()
            return
        client, self._client = self._client, None
        if client is None:
            return
        if client.is_connected:
            try:
                await client.quit(timeout=min(self.timeout, 5))
            except Exception:
                pass
        client.close()


def _find_cause(exc: BaseException | None, kind: type[BaseException]):
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


# ----------------------------------------------------------------------------------------- factory

_SCHEMES = {"smtps": "ssl", "smtp+ssl": "ssl", "smtp+starttls": "starttls", "smtp": "plain"}
_SMTP_OPTIONS = {"verify_tls", "timeout", "local_hostname", "logger", "idle_timeout", "tls_context"}
_MAILDIR_OPTIONS = {"fsync", "envelope_headers", "logger", "base_dir"}


def open_mailer(url: str, password: str | None = None, **options) -> Mailer:
    """A mailer for ``url``.

    ``maildir:./mail/sent`` (relative to ``base_dir`` when given, else the working directory),
    ``smtps://user%40corp.example@smtp.corp.example:465``, ``smtp+starttls://user@host:587``,
    ``smtp://host:25`` (plain, lab and tests). The user is percent-decoded; the password comes from
    ``password`` (the environment), never from the URL. Raises ValueError naming what is wrong.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError("mailer url is empty")
    url = url.strip()
    unknown = set(options) - _SMTP_OPTIONS - _MAILDIR_OPTIONS
    if unknown:
        raise TypeError(f"open_mailer got unknown options: {', '.join(sorted(unknown))}")
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""

    if scheme == "maildir":
        rest = url.split(":", 1)[1]
        if rest.startswith("//"):
            rest = rest[2:]  # maildir:///abs/path
        rest = unquote(rest)
        if not rest:
            raise ValueError(f"mailer url {url!r}: maildir needs a path, e.g. maildir:./mail/sent")
        path = Path(rest).expanduser()
        base = options.get("base_dir")
        if base is not None and not path.is_absolute():
            path = Path(base) / path
        kw = {k: v for k, v in options.items() if k in _MAILDIR_OPTIONS and k != "base_dir"}
        return MaildirOutbox(path, **kw)

    if scheme not in _SCHEMES:
        raise ValueError(
            f"mailer url: unknown scheme {scheme!r}; use maildir:PATH, smtps://, smtp+starttls:// or smtp://"
        )
    parts = urlsplit(url)
    if parts.password is not None:
        # say nothing of the URL itself: it holds the password
        raise ValueError(
            "mailer url contains a password; put it in the environment (MAILFLOW_SMTP_PASSWORD) instead"
        )
    safe_url = url
    if not parts.hostname:
        raise ValueError(f"mailer url {safe_url!r} has no host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"mailer url {safe_url!r} has an invalid port") from None
    if parts.path not in ("", "/"):
        raise ValueError(f"mailer url {safe_url!r}: an SMTP url has no path (found {parts.path!r})")
    if parts.query or parts.fragment:
        raise ValueError(f"mailer url {safe_url!r}: query strings and fragments are not supported")
    username = unquote(parts.username) if parts.username else None
    if username and not password:
        raise ValueError(
            f"mailer url {safe_url!r} names user {username!r} but no password was given "
            "(set MAILFLOW_SMTP_PASSWORD)"
        )
    kw = {k: v for k, v in options.items() if k in _SMTP_OPTIONS}
    return SmtpMailer(
        parts.hostname,
        port,
        username,
        password if username else None,
        security=_SCHEMES[scheme],
        **kw,
    )
