"""The SMTP sender: aiosmtplib over SMTPS, STARTTLS or plain SMTP (lab and tests only), AUTH when a
username is given, one connection reused across sends and reopened when the server dropped it.
Every failure leaves ``send`` as a Transient- or PermanentSendError (``_map``); the password never
appears in one. Delivery is at least once: a retry sends the same bytes under the same Message-ID.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import time
from urllib.parse import quote

import aiosmtplib
from aiosmtplib.email import parse_address

from .sender import (AuthenticationSendError, PermanentSendError, SendError, TransientSendError,
                     require_recipients)

_log = logging.getLogger("mailflow.edges.mailer")  # one logger name for the package, as before the split

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
        require_recipients(recipients, message_id)
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
