"""Outbound mail: one small async interface (sender.py), two backends (maildir.py, smtp.py), and
:func:`open_mailer`, which picks the backend from the ``[smtp] url``. The rest of mailflow imports
from here only.

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

from urllib.parse import unquote, urlsplit

from ..urls import host_and_port, maildir_path
from .maildir import MaildirOutbox
from .sender import (AuthenticationSendError, Mailer, PermanentSendError, SendError,
                     TransientSendError)
from .smtp import SmtpMailer

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


# ----------------------------------------------------------------------------------------- factory

_SCHEMES = {"smtps": "ssl", "smtp+ssl": "ssl", "smtp+starttls": "starttls", "smtp": "plain"}
_SMTP_OPTIONS = {"verify_tls", "timeout", "local_hostname", "logger", "idle_timeout", "tls_context"}
_MAILDIR_OPTIONS = {"fsync", "envelope_headers", "logger", "base_dir"}


def open_mailer(url: str, password: str | None = None, **options) -> Mailer:
    """A mailer for ``url``.

    ``maildir:./mail/sent`` (read by urls.maildir_path: the path as written, relative to ``base_dir``
    when given, else the working directory),
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
        try:
            path = maildir_path(url, options.get("base_dir"))
        except ValueError as e:
            raise ValueError(f"mailer url {e}") from None
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
    host, port = host_and_port(parts, "mailer", url)     # no password in it: refused just above
    if parts.path not in ("", "/"):
        raise ValueError(f"mailer url {url!r}: an SMTP url has no path (found {parts.path!r})")
    if parts.query or parts.fragment:
        raise ValueError(f"mailer url {url!r}: query strings and fragments are not supported")
    username = unquote(parts.username) if parts.username else None
    if username and not password:
        raise ValueError(
            f"mailer url {url!r} names user {username!r} but no password was given "
            "(set MAILFLOW_SMTP_PASSWORD)"
        )
    kw = {k: v for k, v in options.items() if k in _SMTP_OPTIONS}
    return SmtpMailer(
        host,
        port,
        username,
        password if username else None,
        security=_SCHEMES[scheme],
        **kw,
    )
