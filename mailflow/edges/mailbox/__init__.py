"""Inbound mailboxes: one interface (:class:`Inbox`, inbox.py), two backends (maildir.py, imap.py),
and :func:`open_inbox`, which picks the backend from the ``[mailbox] url``. The rest of mailflow
imports from here only.

This is an edge package: its code blocks (imapclient is synchronous), so the daemon runs it in one
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

Never lose a mail (a DESIGN promise): a message is marked processed only after the transaction
that applied it committed, so a crash in between leaves it to be fetched again, and the store's
unique Message-ID makes that second pass a no-op.

Nothing here ever logs or formats the password.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from ..urls import host_and_port, maildir_path
from .imap import ImapInbox
from .inbox import (BATCH_BYTES, HEAD_BYTES, Checkpoint, Fetched, Inbox, MailboxAuthError,
                    MailboxConnectionError, MailboxError, MemoryCheckpoint)
from .maildir import MaildirInbox

__all__ = [
    "Fetched", "Checkpoint", "MemoryCheckpoint", "Inbox", "MaildirInbox", "ImapInbox",
    "open_inbox", "MailboxError", "MailboxAuthError", "MailboxConnectionError",
    "HEAD_BYTES", "BATCH_BYTES",
]


# -------------------------------------------------------------------------------------- open_inbox
_IMAP_SCHEMES = {"imaps": ("ssl", 993), "imap+starttls": ("starttls", 143), "imap": ("plain", 143)}
_IMAP_ONLY = {"security", "processed", "flag", "verify_tls", "ca_file", "timeout", "backoff", "use_idle"}
_URL_HELP = ('expected "maildir:PATH", "imaps://USER@HOST:993/FOLDER", '
             '"imap+starttls://USER@HOST:143/FOLDER" or (lab only) "imap://USER@HOST:143/FOLDER"')


def open_inbox(url: str, password: str | None = None, *, checkpoint: Checkpoint | None = None,
               base_dir: str | os.PathLike | None = None, **options) -> Inbox:
    """Build an inbox from a URL (see ``_URL_HELP``); percent-escapes in the IMAP user and folder
    are decoded (``mailflow%40corp.example``). A Maildir path is read by urls.maildir_path: as
    written, relative to ``base_dir`` (default: the current directory). ``options`` go to the backend; IMAP-only
    options are ignored for Maildir so that one ``[mailbox]`` section fits both."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"mailbox url is empty: {_URL_HELP}")
    url = url.strip()
    scheme, sep, rest = url.partition(":")
    scheme = scheme.lower()
    if not sep:
        raise ValueError(f"mailbox url {url!r} has no scheme: {_URL_HELP}")
    if scheme == "maildir":
        try:
            p = maildir_path(url, base_dir)
        except ValueError as e:
            raise ValueError(f"mailbox url {e}") from None
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
    host, port = host_and_port(parts, "mailbox", url, f": {_URL_HELP}")
    if parts.query or parts.fragment:
        raise ValueError(f"mailbox url {url!r}: '?…'/'#…' are not supported; put options in [mailbox]")
    security, default_port = _IMAP_SCHEMES[scheme]
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    if not password:
        raise ValueError(f"no password for mailbox {url}: set MAILFLOW_IMAP_PASSWORD")
    options.pop("poll_interval", None)  # a daemon setting, not an IMAP one
    try:
        return ImapInbox(host, port or default_port, unquote(parts.username), password,
                         security=security, folder=folder, checkpoint=checkpoint, **options)
    except TypeError as e:
        raise ValueError(f"mailbox option not understood for IMAP: {e}") from None
