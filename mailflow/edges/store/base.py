"""What every repository of the store shares: its errors, value conversions and the Repository base.

Lives in edges/store/ because it is SQLite's side of the house: the rest of the code sees model
objects and these errors, never a row or a cursor. Values are always bound as SQL parameters (or
handed to sqlite-utils, which binds them), never formatted into SQL.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, datetime
from typing import Any, Iterator

import sqlite_utils
from sqlite_utils.db import Table

BUSY_TIMEOUT_MS = 30_000    # a writer waits this long for another (the daemon, a CLI command)
OUTBOX_STATES = ("queued", "retry", "sent", "dead", "held")
CHUNK = 500                 # ids per IN (...) list: well under SQLite's bound-parameter limit


class StoreError(RuntimeError):
    """The store cannot be used; the message says what happened and what to do."""


class StoreGone(StoreError):
    """The database file was deleted or replaced under a running process: writing on would put
    everything into a file nobody can open again, so the process stops instead."""


class StoreDamaged(StoreError):
    """The database file is not a healthy SQLite database."""


def damaged(path: str, e: Exception | str) -> StoreDamaged:
    """The error for a database SQLite finds malformed, with what to do about it."""
    return StoreDamaged(f"the store {path} is damaged ({e}): stop mailflow, move the file aside and "
                        "restore it from a backup (`sqlite3 FILE .recover` may save what is left)")


def is_damage(e: Exception) -> bool:
    """A DatabaseError that means a malformed file (an OperationalError is a lock, a full disk …)."""
    return isinstance(e, sqlite3.DatabaseError) and not isinstance(e, sqlite3.OperationalError)


def file_identity(path: str) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the database file, None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


# --- values as the file stores them: ISO 8601 text, JSON text ----------------------------------
def dt_text(v: datetime | None) -> str | None:
    return v.isoformat() if v else None


def dt_value(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def date_text(v: date | None) -> str | None:
    return v.isoformat() if v else None


def date_value(v: str | None) -> date | None:
    return date.fromisoformat(v) if v else None


def json_text(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def marks(values: list) -> str:
    """'?,?,?' for an IN (...) list of these values (the values themselves are bound)."""
    return ",".join("?" * len(values))


def chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield list(values[i:i + size])


class Repository:
    """The base of every repository mixin: the connection, sqlite-utils' Database over it, and
    two small row readers for the queries that stay SQL (joins, aggregates, the ingest hot path)."""

    conn: sqlite3.Connection
    db: sqlite_utils.Database
    _tables: dict[str, Table]

    def table(self, name: str) -> Table:
        """sqlite-utils' Table, made once: db[name] asks SQLite whether it is a view at every call."""
        t = self._tables.get(name)
        if t is None:
            t = self._tables[name] = self.db.table(name)
        return t

    def _one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        cur = self.conn.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row))

    def _all(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        cur = self.conn.execute(sql, params)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
