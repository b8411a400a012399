"""IMAP checkpoints (edges/mailbox.Checkpoint): UIDVALIDITY and the last UID seen per folder.

Two implementations over one table: `Checkpoint` opens its own connection in the IMAP worker
thread (sqlite3 connections belong to the thread that made them) and syncs fully, because the
inbox saves it right before marking mail processed on the server; `CheckpointRepository` makes
the Store itself a checkpoint on its own connection (an in-memory store, which no other
connection could see, and callers that run the inbox in the store's thread).
"""

from __future__ import annotations

import sqlite3
import threading

import sqlite_utils

from .base import BUSY_TIMEOUT_MS, Repository, StoreGone, file_identity


def _load(db: sqlite_utils.Database, folder: str) -> tuple[int | None, int]:
    for row in db["mailbox_state"].rows_where("folder = ?", [folder], select="uidvalidity, last_uid"):
        return (row["uidvalidity"], row["last_uid"])
    return (None, 0)


def _save(db: sqlite_utils.Database, folder: str, uidvalidity: int, last_uid: int) -> None:
    db["mailbox_state"].upsert({"folder": folder, "uidvalidity": uidvalidity, "last_uid": last_uid},
                               pk="folder")


class CheckpointRepository(Repository):
    """The Store as a checkpoint, on the store's own connection."""

    def load(self, folder: str) -> tuple[int | None, int]:
        return _load(self.db, folder)

    def save(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        _save(self.db, folder, uidvalidity, last_uid)


class Checkpoint:
    """UIDVALIDITY and last UID per folder, written from the IMAP worker thread.

    sqlite3 connections belong to the thread that made them; this one opens its own connection
    lazily in whichever thread uses it (WAL lets it write beside the main connection)."""

    def __init__(self, path: str, identity: tuple[int, int] | None = None):
        self.path = path
        self.identity = identity          # the store's file: a checkpoint never goes elsewhere
        self._local = threading.local()

    def _db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: this commit fsyncs the WAL, and with it every commit the main connection made
            # before (synchronous=NORMAL does not sync them): the inbox saves the checkpoint right
            # before it marks messages processed on the server, so nothing is marked that a power
            # cut could still take out of the store. One sync per batch of marks (mark_done_many).
            conn.execute("PRAGMA synchronous=FULL")
            db = self._local.db = sqlite_utils.Database(conn)
        return db

    def load(self, folder: str) -> tuple[int | None, int]:
        return _load(self._db(), folder)

    def save(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        # Saved right before mail is marked processed on the server: never for a vanished store
        if self.identity is not None and file_identity(self.path) != self.identity:
            raise StoreGone(f"the store {self.path} was deleted or replaced; nothing is marked processed")
        _save(self._db(), folder, uidvalidity, last_uid)
