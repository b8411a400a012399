"""The Maildir inbox: a local directory (stdlib ``mailbox.Maildir``) read as the shared mailbox, for
a single host, a test, or a Dovecot serving the same directory. Processed mail is moved out of the
inbox, so the inbox only ever holds work still to do.
"""

from __future__ import annotations

import contextlib
import logging
import mailbox as _stdlib_mailbox
import os
import threading
import time
from pathlib import Path

from .inbox import BATCH_BYTES, HEAD_BYTES, Fetched, MailboxError, interruptible_sleep

log = logging.getLogger("mailflow.edges.mailbox")  # one logger name for the package, as before the split


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
            if not interruptible_sleep(min(self.poll_interval, rem), stop):
                return False

    def deliver(self, raw: bytes) -> str:
        return "maildir:" + self._md.add(raw)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._md.close()

    def __repr__(self) -> str:
        return f"<MaildirInbox {self.description}>"
