"""One daemon per store: `mailflow run` (and `run --once`) holds an exclusive lock on a file beside
the database for as long as it runs.

An fcntl lock, not a pid file: the kernel drops it when the process ends however it ends (SIGKILL,
a crash), so a stale file never blocks a restart. The file holds the holder's pid for the message
a second instance prints. CLI commands that only change the store (meeting add, replay, outbox
retry) do not take it: SQLite's own locking serialises their transactions with the daemon's.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path


class AlreadyRunning(RuntimeError):
    """Another process holds the lock; str() names its pid and the lock file."""

    def __init__(self, path: Path, pid: str):
        self.path, self.pid = path, pid
        who = f"pid {pid}" if pid else "another process"
        super().__init__(f"another mailflow run ({who}) is using this store; it holds the lock {path}. "
                         "Stop it first (one daemon per store), or give this one its own [store] path")


class RunLock:
    def __init__(self, db_path: str | Path):
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        for attempt in range(5):       # `mailflow status` may hold a shared lock for a moment
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if attempt == 4:
                    pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                    os.close(fd)
                    raise AlreadyRunning(self.path, pid) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def holder(self) -> str | None:
        """The pid of the process holding the lock (for `mailflow status`), None when none does."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        finally:
            os.close(fd)          # a shared lock we got is dropped with the descriptor
        return None

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)           # closing the descriptor drops the lock
            self._fd = None

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
