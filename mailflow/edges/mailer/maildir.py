"""The Maildir outbox, the embedded default: every sent mail is written as a complete ``.eml`` file into
a Maildir (``./mail/sent``), one file per Message-ID, for a single host, a test or a dry run.

A retry resends the same message (a DESIGN promise): the file name comes from the Message-ID, which
the outbox row fixed when the mail was queued, so a retry after a crash finds the file already
there and never writes a second copy.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import re
import socket
import time
from pathlib import Path

from .sender import PermanentSendError, TransientSendError, require_recipients

_log = logging.getLogger("mailflow.edges.mailer")  # one logger name for the package, as before the split

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
        require_recipients(recipients, message_id)
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
