"""Opening an IMAP session with imapclient: TLS (IMAPS, or STARTTLS that is required, never skipped),
certificates verified, LOGIN or AUTH=PLAIN, the RFC 2971 ID, the personal namespace and the SELECT
of the folder read. Kept apart from imap.py, which reads and marks mail over the session opened
here, because this is the one place the password is used and the one place that decides which
failures need an operator (:class:`MailboxAuthError`, :class:`MailboxError`) rather than a retry.

Nothing here ever logs or formats the password.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass, field
from typing import Any

from .inbox import MailboxAuthError, MailboxError


@dataclass(frozen=True)
class ImapAccount:
    """Where and how to log in; ``description`` names the inbox in every error (never the password)."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    security: str                     # "ssl", "starttls" or "plain"
    verify_tls: bool
    ca_file: str | None
    timeout: float
    description: str


@dataclass(frozen=True)
class FolderNames:
    """The personal namespace prefix and hierarchy delimiter: "/" in folder options is translated to
    the delimiter, so "Archive/mailflow" works on Dovecot's "." and Gmail's "/"."""

    prefix: str = ""
    delimiter: str = "/"

    def on_server(self, name: str) -> str:
        if name.upper() == "INBOX":
            return "INBOX"
        if self.delimiter != "/":
            name = name.replace("/", self.delimiter)
        if self.prefix and not name.startswith(self.prefix):
            name = self.prefix + name
        return name


@dataclass
class Session:
    """A logged-in connection with ``folder`` selected."""

    client: Any
    capabilities: tuple[bytes, ...]
    server_id: dict | None            # the server's answer to ID, when it offers ID and answered
    uidvalidity: int
    names: FolderNames


def open_session(account: ImapAccount, folder: str, keyword: str | None,
                 log: logging.Logger) -> Session:
    """Connect, log in, send ID, select ``folder``. ``keyword`` is the flag that marks processed mail
    (None when processed mail is moved): the folder must allow it. Raises MailboxAuthError and
    MailboxError, and network errors (OSError, imaplib.IMAP4.abort) for the caller to retry."""
    from imapclient import IMAPClient
    from imapclient.exceptions import IMAPClientError, LoginError

    ctx = _ssl_context(account) if account.security != "plain" else None
    try:
        client = IMAPClient(account.host, account.port, ssl=account.security == "ssl", ssl_context=ctx,
                            timeout=account.timeout)
    except ssl.SSLCertVerificationError as e:
        raise _tls_failed(account, e) from None
    try:
        if account.security == "starttls":
            if not client.has_capability("STARTTLS"):
                raise MailboxError(f"{account.description}: the server does not offer STARTTLS; "
                                   "refusing to send the password unencrypted")
            try:
                client.starttls(ctx)
            except ssl.SSLCertVerificationError as e:
                raise _tls_failed(account, e) from None
        _login(account, client, LoginError)
        caps = tuple(client.capabilities())
        server_id = None
        if b"ID" in caps:
            try:
                from mailflow import __version__
                server_id = client.id_({"name": "mailflow", "version": __version__,
                                        "vendor": "mailflow", "os": "linux"})
            except IMAPClientError as e:
                log.warning("IMAP ID command refused by %s: %s", account.host, e)
        names = _folder_names(client)
        try:
            info = client.select_folder(names.on_server(folder))
        except imaplib.IMAP4.abort:
            raise
        except IMAPClientError as e:
            raise MailboxError(f"{account.description}: cannot select folder {folder!r}: {e}") from None
        if keyword is not None:
            perm = tuple(info.get(b"PERMANENTFLAGS", ()))
            if b"\\*" not in perm and keyword.encode() not in perm:
                raise MailboxError(
                    f"{account.description}: the server does not allow the keyword {keyword} on "
                    f"{folder!r} (PERMANENTFLAGS {perm!r}); use processed = \"move\"")
        uidvalidity = int(info[b"UIDVALIDITY"])
    except BaseException:
        with contextlib.suppress(Exception):
            client.shutdown()
        raise
    return Session(client, caps, server_id, uidvalidity, names)


def _ssl_context(account: ImapAccount) -> ssl.SSLContext:
    if account.verify_tls:
        return ssl.create_default_context(cafile=account.ca_file)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _tls_failed(account: ImapAccount, e: ssl.SSLCertVerificationError) -> MailboxError:
    return MailboxError(
        f"{account.description}: TLS certificate verification failed "
        f"({getattr(e, 'verify_message', None) or e}); fix the server certificate, trust its CA "
        f"with ca_file, or (lab servers only) set verify_tls = false")


def _folder_names(client) -> FolderNames:
    prefix, delimiter = "", "/"
    with contextlib.suppress(imaplib.IMAP4.error, IndexError, TypeError, ValueError):
        if client.has_capability("NAMESPACE"):
            personal = client.namespace().personal
            if personal:
                ns_prefix, delim = personal[0]
                prefix = ns_prefix or ""
                delimiter = delim or "/"
        else:
            listed = client.list_folders("", "")
            if listed and listed[0][1]:
                d = listed[0][1]
                delimiter = d.decode() if isinstance(d, bytes) else d
    return FolderNames(prefix, delimiter)


def _login(account: ImapAccount, client, LoginError) -> None:
    """LOGIN, or AUTH=PLAIN when the server disables LOGIN or the credentials are not ASCII. A
    temporary refusal ([UNAVAILABLE]) is a ConnectionError, so the caller retries it."""
    caps = tuple(client.capabilities())
    plain_ok = b"AUTH=PLAIN" in caps
    use_plain = plain_ok and (b"LOGINDISABLED" in caps or not account.password.isascii()
                              or not account.username.isascii())
    if b"LOGINDISABLED" in caps and not plain_ok:
        raise MailboxError(f"{account.description}: the server disables LOGIN and offers no AUTH=PLAIN "
                           "(over plain IMAP, use security ssl or starttls)")
    try:
        if use_plain:
            client.plain_login(account.username, account.password)
        else:
            client.login(account.username, account.password)
    except LoginError as e:
        text = str(e)
        if "UNAVAILABLE" in text.upper():  # e.g. "[UNAVAILABLE] Temporary authentication failure"
            raise ConnectionError(f"temporary login failure: {text}") from None
        raise MailboxAuthError(
            f"IMAP login as {account.username!r} at {account.host}:{account.port} failed: {text} "
            "(check the user name and MAILFLOW_IMAP_PASSWORD; many providers want an app "
            "password or authorization code, not the web password)") from None
