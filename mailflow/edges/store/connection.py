"""The store's connection: opening the file, the unit of work (one transaction per event), the
file's identity, and the small key/value `meta` table.

The repositories (meetings.py, tasks.py …) are mixins over this: they read `self.conn` /
`self.db` and write inside `self.transaction()`.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from . import schema
from .base import (BUSY_TIMEOUT_MS, Repository, StoreDamaged, StoreGone, damaged, file_identity,
                   json_text)


class StoreConnection(Repository):
    """One SQLite file. Not thread-safe: the daemon uses it from one thread.

    Several processes may use the file at once (the daemon and CLI commands): every write
    transaction is BEGIN IMMEDIATE and waits up to BUSY_TIMEOUT_MS for another writer."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")   # WAL + NORMAL: durable at checkpoints, never corrupt
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as e:
            raise self.damaged(e) from None
        self.conn = conn
        # sqlite-utils over the same connection: its writes join an open transaction (savepoints)
        self.db = sqlite_utils.Database(conn)
        self._tables = {}
        self._depth = 0
        # The file this connection writes to: checked at every transaction (check_identity)
        self.identity = file_identity(self.path) if self.path != ":memory:" else None
        try:
            self.migrate()
        except sqlite3.DatabaseError as e:
            if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
                raise
            raise self.damaged(e) from None

    def damaged(self, e: Exception | str) -> StoreDamaged:
        return damaged(self.path, e)

    def quick_check(self) -> None:
        """PRAGMA quick_check (at daemon start): StoreDamaged, with SQLite's first findings, if not ok."""
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)").fetchall()]
        except sqlite3.DatabaseError as e:
            raise self.damaged(e) from None
        if rows != ["ok"]:
            raise self.damaged("; ".join(rows))

    def check_identity(self) -> None:
        """StoreGone if the database file this connection opened was deleted or replaced."""
        if self.identity is None:
            return
        now = file_identity(self.path)
        if now != self.identity:
            what = "was deleted" if now is None else "was replaced by another file"
            raise StoreGone(f"the store {self.path} {what} while mailflow was running; stopping without "
                            "marking anything processed. Restore the file (or start afresh) and start "
                            "mailflow again: mail not yet applied is still unmarked on the server")

    def close(self) -> None:
        self.conn.close()

    # --- the unit of work ----------------------------------------------------------------------
    # One inbound mail (or one rule firing) is one transaction: its inbound row, the objects it
    # changed, their task events and every mail it queued commit together or not at all; the
    # mailbox marks the mail processed only after that COMMIT (ingest), so a crash in between
    # replays the mail and the unique Message-ID / dedupe keys make the replay a no-op
    # (DESIGN.md "Never lose, never repeat").
    @contextmanager
    def transaction(self) -> Iterator["StoreConnection"]:
        """BEGIN IMMEDIATE ... COMMIT; nested use joins the outer transaction. The file's identity
        is checked before BEGIN and again before COMMIT, so nothing commits into a deleted file."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self.check_identity()
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self
            self.check_identity()
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")

    @contextmanager
    def tracing(self, callback) -> Iterator[None]:
        """Hand every SQL statement this connection runs to callback(sql) (tests, benchmarks)."""
        self.conn.set_trace_callback(callback)
        try:
            yield
        finally:
            self.conn.set_trace_callback(None)

    # --- schema ------------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return schema.schema_version(self.conn)

    def migrate(self) -> int:
        """Bring the schema up to date; running it again is a no-op. Returns the version."""
        return schema.migrate(self.conn, self.db)

    def busy_timeout_ms(self) -> int:
        """How long this connection waits for another writer (PRAGMA busy_timeout is per connection)."""
        return self.conn.execute("PRAGMA busy_timeout").fetchone()[0]

    def next_id(self, table: str) -> int:
        """The id the next row of `table` will get (safe inside a transaction: one writer)."""
        assert table in ("meetings", "tasks", "minutes")
        return (self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]) + 1

    # --- meta: small facts about this store (status) ------------------------------------------------
    def set_meta(self, key: str, value: Any) -> None:
        self.table("meta").upsert({"key": key, "value": json_text(value)}, pk="key")

    def get_meta(self, key: str, default: Any = None) -> Any:
        for row in self.table("meta").rows_where("key = ?", [key], select="value"):
            return json.loads(row["value"])
        return default
