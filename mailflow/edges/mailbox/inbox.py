"""The inbox interface the daemon talks to: what one fetched message is (:class:`Fetched`), what an
inbox does (:class:`Inbox`), where an IMAP inbox keeps its progress (:class:`Checkpoint`), and the
errors that need an operator. The backends (maildir.py, imap.py) implement it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


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
        """Record ``item`` as processed; call only after its transaction committed (a crash in
        between leaves the mail to be fetched again, and the store's unique Message-ID skips it:
        never lost, never applied twice)."""

    def wait(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Block until new mail may be there (True) or ``timeout``/``stop`` (False)."""

    def deliver(self, raw: bytes) -> str:
        """Put a message into the inbox; returns a key describing where it went."""

    def close(self) -> None: ...


def interruptible_sleep(seconds: float, *events: threading.Event | None) -> bool:
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
