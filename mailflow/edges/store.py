"""The SQLite store (sqlite-utils): schema migrations, queries, and one transaction per event.

WAL mode; any SQLite tool can open the file. Every write that belongs to one event happens inside
`with store.transaction():` so an inbound row, the objects it changed, its task events and the
mails it queued are committed together or not at all (DESIGN.md "Never lose, never repeat").
Values are always bound as SQL parameters, never formatted into SQL.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import zlib
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from ..model import (ActionItem, AgendaItem, Attendee, Meeting, MinutesConfirmation, MinutesVersion, OwnerTasks,
                    ParsedMinutes, Problem, Role, Rsvp, Task, TaskEvent, TaskStatus)

# Each migration runs once, in order, inside a transaction; the index is the schema version.
MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE people (
        email TEXT PRIMARY KEY, name TEXT NOT NULL, department TEXT, title TEXT, manager TEXT,
        aliases TEXT, delegates TEXT, language TEXT);
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, title TEXT NOT NULL, goal TEXT,
        start TEXT NOT NULL, "end" TEXT NOT NULL, tz TEXT, location TEXT, online TEXT,
        host TEXT, recorder TEXT, preparer TEXT, sequence INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'scheduled', cancel_reason TEXT, source TEXT,
        minutes_state TEXT NOT NULL DEFAULT 'none', created_at TEXT, updated_at TEXT);
    CREATE INDEX meetings_start ON meetings(status, start);
    CREATE INDEX meetings_end ON meetings(status, "end");
    CREATE TABLE attendees (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id), email TEXT NOT NULL, role TEXT NOT NULL,
        name TEXT, rsvp TEXT NOT NULL DEFAULT 'needs-action', proxy TEXT, answered_at TEXT,
        answered_via TEXT, rsvp_sequence INTEGER NOT NULL DEFAULT -1, rsvp_stamp TEXT, position INTEGER,
        PRIMARY KEY (meeting_id, email));
    CREATE TABLE agenda_items (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id), seq INTEGER NOT NULL, title TEXT NOT NULL,
        owner TEXT, minutes INTEGER, outcome TEXT, materials TEXT, PRIMARY KEY (meeting_id, seq));
    CREATE TABLE minutes (
        id INTEGER PRIMARY KEY, meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        version INTEGER NOT NULL, status TEXT NOT NULL, text TEXT NOT NULL, author TEXT,
        received_at TEXT, message_id TEXT, parsed TEXT, UNIQUE (meeting_id, version));
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY, meeting_id INTEGER REFERENCES meetings(id), item_no INTEGER,
        title TEXT NOT NULL, description TEXT, owner TEXT NOT NULL, collaborators TEXT,
        due TEXT, deliverable TEXT, status TEXT NOT NULL, percent INTEGER, risk INTEGER NOT NULL DEFAULT 0,
        risk_note TEXT, delay_reason TEXT, confirmed_at TEXT, created_at TEXT, updated_at TEXT,
        done_at TEXT, verified_at TEXT);
    CREATE INDEX tasks_open_due ON tasks(status, due);
    CREATE INDEX tasks_meeting ON tasks(meeting_id);
    CREATE INDEX tasks_owner ON tasks(owner);
    CREATE TABLE task_events (
        id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks(id), at TEXT NOT NULL,
        actor TEXT, kind TEXT NOT NULL, text TEXT, old_status TEXT, new_status TEXT, percent INTEGER,
        due TEXT, message_id TEXT, flags TEXT);
    CREATE INDEX task_events_task ON task_events(task_id);
    CREATE TABLE inbound (
        id INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, mailbox_key TEXT, received_at TEXT,
        sender TEXT, subject TEXT, status TEXT NOT NULL, detail TEXT, error TEXT,
        meeting_id INTEGER, task_id INTEGER, intent TEXT, raw BLOB, processed_at TEXT);
    CREATE INDEX inbound_status ON inbound(status);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY, dedupe_key TEXT NOT NULL UNIQUE, message_id TEXT NOT NULL UNIQUE,
        kind TEXT, template TEXT, meeting_id INTEGER, task_id INTEGER, sender TEXT NOT NULL,
        recipients TEXT NOT NULL, subject TEXT, raw BLOB NOT NULL, status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, not_before TEXT, last_error TEXT,
        created_at TEXT NOT NULL, sent_at TEXT);
    CREATE INDEX outbox_pending ON outbox(status, not_before);
    CREATE TABLE fired (
        key TEXT PRIMARY KEY, rule TEXT NOT NULL, object TEXT NOT NULL, moment TEXT,
        at TEXT NOT NULL, status TEXT NOT NULL);
    CREATE TABLE mailbox_state (
        folder TEXT PRIMARY KEY, uidvalidity INTEGER, last_uid INTEGER NOT NULL DEFAULT 0);
    """,
    # 2: the tasks a sent mail numbered 1..n (a weekly progress request, a receipt), so that an
    #    answer such as "1 已完成；3 延期到周五" finds its tasks (tasks.py)
    """
    CREATE TABLE outbox_items (message_id TEXT PRIMARY KEY, items TEXT NOT NULL);
    """,
    # 3: each attendee's answer to the final minutes (minutes_flow.py): pending until the
    #    2-working-day deadline, then confirmed | objection | accepted (silence)
    """
    CREATE TABLE minutes_confirmations (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id), version INTEGER NOT NULL, email TEXT NOT NULL,
        status TEXT NOT NULL, deadline TEXT, answered_at TEXT, text TEXT, message_id TEXT,
        PRIMARY KEY (meeting_id, email));
    """,
    # 4: timelines (timeline.py): indexes so a rule tick reads what is due, not every row —
    #    meetings and tasks by their times in julianday() (the form the window queries use), open
    #    tasks per meeting (follow-up tables), the hourly cap's recent outbox rows, the digest's
    #    unknown replies
    """
    CREATE INDEX meetings_start_jd ON meetings(julianday(start));
    CREATE INDEX meetings_end_jd ON meetings(julianday("end"));
    CREATE INDEX meetings_created_jd ON meetings(julianday(created_at));
    CREATE INDEX tasks_created_jd ON tasks(julianday(created_at));
    CREATE INDEX tasks_meeting_status ON tasks(meeting_id, status);
    CREATE INDEX tasks_status_owner ON tasks(status, owner);
    CREATE INDEX outbox_created_jd ON outbox(julianday(created_at));
    CREATE INDEX inbound_status_received ON inbound(status, received_at);
    """,
    # 5: the hourly cap per recipient without scanning the outbox: one row per (mail, recipient),
    #    kept by triggers (so every writer of the outbox keeps it right), indexed by recipient and time
    """
    CREATE TABLE outbox_rcpt (
        outbox_id INTEGER NOT NULL, recipient TEXT NOT NULL, jd REAL NOT NULL, held INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX outbox_rcpt_recent ON outbox_rcpt(recipient, jd);
    CREATE INDEX outbox_rcpt_mail ON outbox_rcpt(outbox_id);
    INSERT INTO outbox_rcpt SELECT o.id, r.value, julianday(o.created_at), o.status = 'held'
        FROM outbox o, json_each(o.recipients) r;
    CREATE TRIGGER outbox_rcpt_add AFTER INSERT ON outbox BEGIN
        INSERT INTO outbox_rcpt SELECT NEW.id, r.value, julianday(NEW.created_at), NEW.status = 'held'
        FROM json_each(NEW.recipients) r; END;
    CREATE TRIGGER outbox_rcpt_status AFTER UPDATE OF status ON outbox BEGIN
        UPDATE outbox_rcpt SET held = (NEW.status = 'held') WHERE outbox_id = NEW.id; END;
    CREATE TRIGGER outbox_rcpt_drop AFTER DELETE ON outbox BEGIN
        DELETE FROM outbox_rcpt WHERE outbox_id = OLD.id; END;
    """,
]

def _statements(script: str) -> list[str]:
    """A migration script split into statements (a trigger's BEGIN … END holds several ';')."""
    out, buf = [], ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf)
            buf = ""
    if buf.strip(" \n;"):
        out.append(buf)
    return out


OUTBOX_STATES = ("queued", "retry", "sent", "dead", "held")


def _dt(v: datetime | None) -> str | None:
    return v.isoformat() if v else None


def _pdt(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def _d(v: date | None) -> str | None:
    return v.isoformat() if v else None


def _pd(v: str | None) -> date | None:
    return date.fromisoformat(v) if v else None


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


class StoreError(RuntimeError):
    """The store cannot be used; the message says what happened and what to do."""


class StoreGone(StoreError):
    """The database file was deleted or replaced under a running process: writing on would put
    everything into a file nobody can open again, so the process stops instead."""


class StoreDamaged(StoreError):
    """The database file is not a healthy SQLite database."""


BUSY_TIMEOUT_MS = 30_000    # a writer waits this long for another (the daemon, a CLI command)


def damaged(path: str, e: Exception | str) -> StoreDamaged:
    """The error for a database SQLite finds malformed, with what to do about it."""
    return StoreDamaged(f"the store {path} is damaged ({e}): stop mailflow, move the file aside and "
                        "restore it from a backup (`sqlite3 FILE .recover` may save what is left)")


def is_damage(e: Exception) -> bool:
    """A DatabaseError that means a malformed file (an OperationalError is a lock, a full disk …)."""
    return isinstance(e, sqlite3.DatabaseError) and not isinstance(e, sqlite3.OperationalError)


def _identity(path: str) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the database file, None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


class Store:
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
        self.db = sqlite_utils.Database(conn)
        self._depth = 0
        # The file this connection writes to: checked at every transaction (check_identity)
        self.identity = _identity(self.path) if self.path != ":memory:" else None
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
        now = _identity(self.path)
        if now != self.identity:
            what = "was deleted" if now is None else "was replaced by another file"
            raise StoreGone(f"the store {self.path} {what} while mailflow was running; stopping without "
                            "marking anything processed. Restore the file (or start afresh) and start "
                            "mailflow again: mail not yet applied is still unmarked on the server")

    def close(self) -> None:
        self.conn.close()

    # --- transactions and schema -------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator["Store"]:
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

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> int:
        """Bring the schema up to date; running it again is a no-op. Returns the version."""
        for number, script in enumerate(MIGRATIONS, start=1):
            if self.version >= number:
                continue
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number:d}")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        return self.version

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

    def next_id(self, table: str) -> int:
        """The id the next row of `table` will get (safe inside a transaction: one writer)."""
        assert table in ("meetings", "tasks", "minutes")
        return (self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]) + 1

    # --- meta (status) ----------------------------------------------------------
    def set_meta(self, key: str, value: Any) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                          "SET value = excluded.value", (key, _j(value)))

    def get_meta(self, key: str, default: Any = None) -> Any:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(row["value"]) if row else default

    # --- people -------------------------------------------------------------
    def sync_people(self, people: list) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM people")
            for p in people:
                self.conn.execute(
                    "INSERT INTO people VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (p.email, p.name, p.department, p.title, p.manager, _j(p.aliases),
                     _j(p.delegates), p.language))

    # --- meetings -------------------------------------------------------------
    def save_meeting(self, m: Meeting, now: datetime) -> Meeting:
        with self.transaction():
            if m.id is None:
                m.id = self.next_id("meetings")
            if m.created_at is None:
                m.created_at = now
            self.conn.execute(
                'INSERT INTO meetings (id, uid, title, goal, start, "end", tz, location, online, host, '
                "recorder, preparer, sequence, status, cancel_reason, source, minutes_state, created_at, "
                "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                'uid=excluded.uid, title=excluded.title, goal=excluded.goal, start=excluded.start, '
                '"end"=excluded."end", tz=excluded.tz, location=excluded.location, online=excluded.online, '
                "host=excluded.host, recorder=excluded.recorder, preparer=excluded.preparer, "
                "sequence=excluded.sequence, status=excluded.status, cancel_reason=excluded.cancel_reason, "
                "source=excluded.source, minutes_state=excluded.minutes_state, updated_at=excluded.updated_at",
                (m.id, m.uid, m.title, m.goal, _dt(m.start), _dt(m.end), m.tz, m.location, m.online,
                 m.host, m.recorder, m.preparer, m.sequence, m.status, m.cancel_reason, m.source,
                 m.minutes_state, _dt(m.created_at), _dt(now)))
            self.conn.execute("DELETE FROM attendees WHERE meeting_id = ?", (m.id,))
            for pos, a in enumerate(m.attendees):
                self.conn.execute(
                    "INSERT INTO attendees VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (m.id, a.email, a.role.value, a.name, a.rsvp.value, a.proxy, _dt(a.answered_at),
                     a.answered_via, a.rsvp_sequence, _dt(a.rsvp_stamp), pos))
            self.conn.execute("DELETE FROM agenda_items WHERE meeting_id = ?", (m.id,))
            for it in m.agenda:
                self.conn.execute("INSERT INTO agenda_items VALUES (?,?,?,?,?,?,?)",
                                  (m.id, it.seq, it.title, it.owner, it.minutes, it.outcome, it.materials))
        return m

    def _meeting(self, row: dict | None) -> Meeting | None:
        if row is None:
            return None
        mid = row["id"]
        attendees = [
            Attendee(email=a["email"], role=Role(a["role"]), name=a["name"] or "", rsvp=Rsvp(a["rsvp"]),
                     proxy=a["proxy"], answered_at=_pdt(a["answered_at"]), answered_via=a["answered_via"],
                     rsvp_sequence=a["rsvp_sequence"], rsvp_stamp=_pdt(a["rsvp_stamp"]))
            for a in self._all("SELECT * FROM attendees WHERE meeting_id = ? ORDER BY position", (mid,))]
        agenda = [AgendaItem(seq=r["seq"], title=r["title"], owner=r["owner"], minutes=r["minutes"],
                             outcome=r["outcome"] or "", materials=r["materials"] or "")
                  for r in self._all("SELECT * FROM agenda_items WHERE meeting_id = ? ORDER BY seq", (mid,))]
        return Meeting(id=mid, uid=row["uid"], title=row["title"], goal=row["goal"] or "",
                       start=_pdt(row["start"]), end=_pdt(row["end"]), tz=row["tz"],
                       location=row["location"] or "", online=row["online"] or "", host=row["host"] or "",
                       recorder=row["recorder"], preparer=row["preparer"], attendees=attendees,
                       agenda=agenda, sequence=row["sequence"], status=row["status"],
                       cancel_reason=row["cancel_reason"] or "", source=row["source"] or "",
                       minutes_state=row["minutes_state"], created_at=_pdt(row["created_at"]))

    def get_meeting(self, meeting_id: int) -> Meeting | None:
        return self._meeting(self._one("SELECT * FROM meetings WHERE id = ?", (meeting_id,)))

    def meeting_by_uid(self, uid: str) -> Meeting | None:
        return self._meeting(self._one("SELECT * FROM meetings WHERE uid = ?", (uid,)))

    def meetings(self, status: str | None = None) -> list[Meeting]:
        if status:
            rows = self._all("SELECT * FROM meetings WHERE status = ? ORDER BY start", (status,))
        else:
            rows = self._all("SELECT * FROM meetings ORDER BY start")
        return [self._meeting(r) for r in rows]

    # --- minutes --------------------------------------------------------------------
    def save_minutes(self, mv: MinutesVersion) -> MinutesVersion:
        with self.transaction():
            if mv.id is None:
                mv.id = self.next_id("minutes")
            self.conn.execute(
                "INSERT INTO minutes VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "status=excluded.status, parsed=excluded.parsed",
                (mv.id, mv.meeting_id, mv.version, mv.status, mv.text, mv.author, _dt(mv.received_at),
                 mv.message_id, _j(_parsed_to_data(mv.parsed)) if mv.parsed else None))
        return mv

    def minutes_versions(self, meeting_id: int) -> list[MinutesVersion]:
        rows = self._all("SELECT * FROM minutes WHERE meeting_id = ? ORDER BY version", (meeting_id,))
        return [MinutesVersion(id=r["id"], meeting_id=r["meeting_id"], version=r["version"],
                               status=r["status"], text=r["text"], author=r["author"] or "",
                               received_at=_pdt(r["received_at"]), message_id=r["message_id"],
                               parsed=_parsed_from_data(json.loads(r["parsed"])) if r["parsed"] else None)
                for r in rows]

    # --- tasks ----------------------------------------------------------------------
    def save_task(self, t: Task, now: datetime) -> Task:
        with self.transaction():
            if t.id is None:
                t.id = self.next_id("tasks")
            if t.created_at is None:
                t.created_at = now
            t.updated_at = now
            self.conn.execute(
                "INSERT INTO tasks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "meeting_id=excluded.meeting_id, item_no=excluded.item_no, title=excluded.title, "
                "description=excluded.description, owner=excluded.owner, collaborators=excluded.collaborators, "
                "due=excluded.due, deliverable=excluded.deliverable, status=excluded.status, "
                "percent=excluded.percent, risk=excluded.risk, risk_note=excluded.risk_note, "
                "delay_reason=excluded.delay_reason, confirmed_at=excluded.confirmed_at, "
                "updated_at=excluded.updated_at, done_at=excluded.done_at, verified_at=excluded.verified_at",
                (t.id, t.meeting_id, t.item_no, t.title, t.description, t.owner, _j(t.collaborators),
                 _d(t.due), t.deliverable, t.status.value, t.percent, int(t.risk), t.risk_note,
                 t.delay_reason, _dt(t.confirmed_at), _dt(t.created_at), _dt(t.updated_at),
                 _dt(t.done_at), _dt(t.verified_at)))
        return t

    @staticmethod
    def _task(r: dict | None) -> Task | None:
        if r is None:
            return None
        return Task(id=r["id"], title=r["title"], owner=r["owner"], due=_pd(r["due"]),
                    meeting_id=r["meeting_id"], item_no=r["item_no"],
                    collaborators=json.loads(r["collaborators"] or "[]"), deliverable=r["deliverable"] or "",
                    description=r["description"] or "", status=TaskStatus(r["status"]), percent=r["percent"],
                    risk=bool(r["risk"]), risk_note=r["risk_note"] or "", delay_reason=r["delay_reason"] or "",
                    confirmed_at=_pdt(r["confirmed_at"]), created_at=_pdt(r["created_at"]),
                    updated_at=_pdt(r["updated_at"]), done_at=_pdt(r["done_at"]),
                    verified_at=_pdt(r["verified_at"]))

    def get_task(self, task_id: int) -> Task | None:
        return self._task(self._one("SELECT * FROM tasks WHERE id = ?", (task_id,)))

    def tasks(self, meeting_id: int | None = None, owner: str | None = None,
              open_only: bool = False) -> list[Task]:
        sql, params = "SELECT * FROM tasks WHERE 1=1", []
        if meeting_id is not None:
            sql += " AND meeting_id = ?"
            params.append(meeting_id)
        if owner:
            sql += " AND owner = ?"
            params.append(owner.lower())
        if open_only:
            sql += " AND status NOT IN ('done', 'verified')"
        return [self._task(r) for r in self._all(sql + " ORDER BY id", tuple(params))]

    def open_tasks_due_between(self, lo: date, hi: date) -> list[Task]:
        """Open tasks with lo <= due <= hi: uses the (status, due) index, so a tick costs what is due."""
        rows = self._all("SELECT * FROM tasks WHERE status IN ('not_started', 'in_progress', 'delayed') "
                         "AND due >= ? AND due <= ? ORDER BY due, id", (_d(lo), _d(hi)))
        return [self._task(r) for r in rows]

    def open_task_owners(self) -> list[OwnerTasks]:
        """Everyone with open tasks, with those tasks (weekly per-person mails)."""
        groups: dict[str, OwnerTasks] = {}
        rows = self._all("SELECT * FROM tasks WHERE status IN ('not_started', 'in_progress', 'delayed') "
                         "ORDER BY owner, due, id")
        for r in rows:
            t = self._task(r)
            groups.setdefault(t.owner, OwnerTasks(t.owner)).tasks.append(t)
        return list(groups.values())

    def add_task_event(self, e: TaskEvent) -> None:
        self.conn.execute(
            "INSERT INTO task_events (task_id, at, actor, kind, text, old_status, new_status, percent, due, "
            "message_id, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (e.task_id, _dt(e.at), e.actor, e.kind, e.text, e.old_status, e.new_status, e.percent,
             _d(e.due), e.message_id, _j(e.flags)))

    def task_events(self, task_id: int) -> list[TaskEvent]:
        return [TaskEvent(task_id=r["task_id"], at=_pdt(r["at"]), actor=r["actor"], kind=r["kind"],
                          text=r["text"] or "", old_status=r["old_status"], new_status=r["new_status"],
                          percent=r["percent"], due=_pd(r["due"]), message_id=r["message_id"],
                          flags=json.loads(r["flags"] or "[]"))
                for r in self._all("SELECT * FROM task_events WHERE task_id = ? ORDER BY id", (task_id,))]

    def task_events_by_actor(self, since: datetime, until: datetime) -> dict[str, list[TaskEvent]]:
        """The task updates recorded from people's mail in (since, until], by the person (the
        daily receipt digest, [schedule] receipts = "daily")."""
        rows = self._all("SELECT * FROM task_events WHERE actor LIKE '%@%' "
                         "AND julianday(at) > julianday(?) AND julianday(at) <= julianday(?) ORDER BY id",
                         (_dt(since), _dt(until)))
        out: dict[str, list[TaskEvent]] = {}
        for r in rows:
            out.setdefault(r["actor"], []).append(TaskEvent(
                task_id=r["task_id"], at=_pdt(r["at"]), actor=r["actor"], kind=r["kind"], text=r["text"] or "",
                old_status=r["old_status"], new_status=r["new_status"], percent=r["percent"], due=_pd(r["due"]),
                message_id=r["message_id"], flags=json.loads(r["flags"] or "[]")))
        return out

    # --- inbound ----------------------------------------------------------------------
    def inbound_status(self, message_id: str) -> str | None:
        row = self._one("SELECT status FROM inbound WHERE message_id = ?", (message_id,))
        return row["status"] if row else None

    def record_inbound(self, *, message_id: str, raw: bytes, mailbox_key: str, received_at: datetime,
                       sender: str, subject: str, status: str, detail: str = "", error: str = "",
                       meeting_id: int | None = None, task_id: int | None = None,
                       intent: str | None = None) -> int:
        """Insert or update the row of one inbound message (raw bytes kept, zlib-compressed; a
        `too_large` row's head is replaced by the whole mail once it is read)."""
        self.conn.execute(
            "INSERT INTO inbound (message_id, mailbox_key, received_at, sender, subject, status, detail, "
            "error, meeting_id, task_id, intent, raw, processed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(message_id) DO UPDATE SET status=excluded.status, detail=excluded.detail, "
            "error=excluded.error, meeting_id=excluded.meeting_id, task_id=excluded.task_id, "
            "intent=excluded.intent, processed_at=excluded.processed_at, raw=excluded.raw",
            (message_id, mailbox_key, _dt(received_at), sender, subject, status, detail, error,
             meeting_id, task_id, intent, zlib.compress(raw, 6), _dt(received_at)))
        return self._one("SELECT id FROM inbound WHERE message_id = ?", (message_id,))["id"]

    def inbound_row(self, ident: int | str) -> dict | None:
        key = "id" if isinstance(ident, int) or str(ident).isdigit() else "message_id"
        row = self._one(f"SELECT * FROM inbound WHERE {key} = ?", (ident,))
        if row and row["raw"] is not None:
            row["raw"] = zlib.decompress(row["raw"])
        return row

    def inbound_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._all("SELECT status, COUNT(*) n FROM inbound GROUP BY status")}

    # --- outbox -------------------------------------------------------------------------
    def queue_mail(self, *, dedupe_key: str, message_id: str, raw: bytes, sender: str,
                   recipients: list[str], subject: str, now: datetime, kind: str = "",
                   template: str = "", meeting_id: int | None = None, task_id: int | None = None,
                   not_before: datetime | None = None, status: str = "queued") -> bool:
        """Queue a rendered mail; False (and nothing queued) when its dedupe key was queued before."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO outbox (dedupe_key, message_id, kind, template, meeting_id, task_id, "
            "sender, recipients, subject, raw, status, not_before, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (dedupe_key, message_id, kind, template, meeting_id, task_id, sender, _j(recipients),
             subject, raw, status, _dt(not_before), _dt(now)))
        return cur.rowcount == 1

    def is_queued(self, dedupe_key: str) -> bool:
        return self._one("SELECT 1 FROM outbox WHERE dedupe_key = ?", (dedupe_key,)) is not None

    def outbox_due(self, now: datetime, limit: int = 100) -> list[dict]:
        rows = self._all(
            "SELECT id, message_id, sender, recipients, raw, attempts, kind FROM outbox "
            "WHERE status IN ('queued', 'retry') AND (not_before IS NULL OR julianday(not_before) <= julianday(?)) "
            "ORDER BY id LIMIT ?", (_dt(now), limit))
        for r in rows:
            r["recipients"] = json.loads(r["recipients"])
        return rows

    def outbox_rows(self, status: str | None = None, limit: int = 200) -> list[dict]:
        sql = ("SELECT id, dedupe_key, message_id, kind, meeting_id, task_id, recipients, subject, status, "
               "attempts, not_before, last_error, created_at, sent_at FROM outbox")
        params: tuple = ()
        if status:
            sql += " WHERE status = ?"
            params = (status,)
        rows = self._all(sql + " ORDER BY id DESC LIMIT ?", params + (limit,))
        for r in rows:
            r["recipients"] = json.loads(r["recipients"])
        return rows

    def outbox_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._all("SELECT status, COUNT(*) n FROM outbox GROUP BY status")}

    def mark_sent(self, outbox_id: int, now: datetime) -> None:
        self.conn.execute("UPDATE outbox SET status='sent', sent_at=?, attempts=attempts+1, last_error=NULL "
                          "WHERE id=?", (_dt(now), outbox_id))

    def mark_retry(self, outbox_id: int, error: str, not_before: datetime) -> None:
        self.conn.execute("UPDATE outbox SET status='retry', attempts=attempts+1, last_error=?, not_before=? "
                          "WHERE id=?", (error, _dt(not_before), outbox_id))

    def mark_dead(self, outbox_id: int, error: str) -> None:
        self.conn.execute("UPDATE outbox SET status='dead', attempts=attempts+1, last_error=? WHERE id=?",
                          (error, outbox_id))

    def requeue(self, outbox_id: int) -> bool:
        cur = self.conn.execute("UPDATE outbox SET status='queued', not_before=NULL WHERE id=? "
                                "AND status IN ('dead', 'retry', 'held')", (outbox_id,))
        return cur.rowcount == 1

    def sent_to_since(self, recipient: str, since: datetime) -> int:
        """Mails queued for `recipient` since `since` (for the hourly loop-breaking cap)."""
        row = self._one("SELECT COUNT(*) n FROM outbox_rcpt WHERE recipient = ? AND jd >= julianday(?) "
                        "AND held = 0", (recipient, _dt(since)))
        return row["n"]

    def held_to_since(self, recipient: str, since: datetime) -> int:
        """Mails held for `recipient` (hourly cap) queued since `since`: one log line per hour."""
        row = self._one("SELECT COUNT(*) n FROM outbox_rcpt WHERE recipient = ? AND jd >= julianday(?) "
                        "AND held = 1", (recipient, _dt(since)))
        return row["n"]

    def sent_message(self, message_id: str) -> dict | None:
        """What we sent under this Message-ID: kind, meeting_id, task_id (for reply routing)."""
        return self._one("SELECT id, kind, template, meeting_id, task_id, recipients FROM outbox "
                         "WHERE message_id = ?", (message_id,))

    # --- numbered task lists of sent mails (tasks.py: multi-item answers) ----------------------
    def save_outbox_items(self, message_id: str, task_ids: list[int]) -> None:
        self.conn.execute("INSERT OR IGNORE INTO outbox_items (message_id, items) VALUES (?, ?)",
                          (message_id, _j([int(i) for i in task_ids])))

    def outbox_items(self, outbox_id: int) -> list[int] | None:
        """The task ids a sent mail (by outbox row id) numbered 1..n, or None."""
        row = self._one("SELECT i.items FROM outbox_items i JOIN outbox o ON o.message_id = i.message_id "
                        "WHERE o.id = ?", (outbox_id,))
        return json.loads(row["items"]) if row else None

    # --- minutes flow (minutes_flow.py): its meetings and the attendees' confirmations -----------
    def minutes_candidates(self, people: list[str], since: datetime, now: datetime) -> list[Meeting]:
        """Meetings of which one of `people` is recorder or host, ended in [since, now], minutes not
        final: where a new-thread draft may belong (most recent end first)."""
        marks = ",".join("?" * len(people))
        rows = self._all(
            f'SELECT * FROM meetings WHERE status = \'scheduled\' AND minutes_state != \'final\' '
            f'AND (recorder IN ({marks}) OR host IN ({marks})) AND julianday("end") >= julianday(?) '
            f'AND julianday("end") <= julianday(?) ORDER BY julianday("end") DESC, id DESC',
            (*people, *people, _dt(since), _dt(now)))
        return [self._meeting(r) for r in rows]

    def save_minutes_confirmation(self, c: MinutesConfirmation) -> None:
        self.conn.execute(
            "INSERT INTO minutes_confirmations VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(meeting_id, email) DO UPDATE "
            "SET version=excluded.version, status=excluded.status, deadline=excluded.deadline, "
            "answered_at=excluded.answered_at, text=excluded.text, message_id=excluded.message_id",
            (c.meeting_id, c.version, c.email, c.status, _dt(c.deadline), _dt(c.answered_at), c.text,
             c.message_id))

    def minutes_confirmations(self, meeting_id: int) -> list[MinutesConfirmation]:
        return [MinutesConfirmation(meeting_id=r["meeting_id"], version=r["version"], email=r["email"],
                                    status=r["status"], deadline=_pdt(r["deadline"]),
                                    answered_at=_pdt(r["answered_at"]), text=r["text"] or "",
                                    message_id=r["message_id"])
                for r in self._all("SELECT * FROM minutes_confirmations WHERE meeting_id = ? ORDER BY rowid",
                                   (meeting_id,))]

    # --- timelines (timeline.py, service.tick_once): narrow reads for the rule tick ------------
    def fired_among(self, keys: list[str]) -> set[str]:
        """Which of `keys` have fired (or were recorded skipped/unmet): one query per 500 keys."""
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            found |= {r["key"] for r in self._all(
                f"SELECT key FROM fired WHERE key IN ({','.join('?' * len(chunk))})", tuple(chunk))}
        return found

    def meeting_times(self, field: str, until: datetime,
                      weekdays: set[int] | None = None) -> list[tuple[int, datetime]]:
        """(id, start|end|created_at) of every meeting not cancelled whose time is <= until — two
        columns only, for repeating rules (the weekly follow-up table). `weekdays` (Mon=0, in
        until's zone) keeps only meetings on those weekdays, computed in SQL."""
        assert field in ("start", "end", "created_at")
        sql = (f'SELECT id, "{field}" FROM meetings WHERE status != \'cancelled\' AND '
               f'julianday("{field}") <= julianday(?)')
        params: list = [_dt(until)]
        if weekdays is not None:
            if not weekdays:
                return []
            # julianday() is UTC; shift by the zone's offset, and JDN % 7 == 0 is a Monday
            offset = until.utcoffset().total_seconds() / 86400 if until.utcoffset() else 0.0
            sql += (f' AND CAST(julianday("{field}") + ? + 0.5 AS INTEGER) % 7 IN '
                    f'({",".join("?" * len(weekdays))})')
            params += [offset, *sorted(weekdays)]
        rows = self.conn.execute(sql, tuple(params)).fetchall()
        return [(r[0], _pdt(r[1])) for r in rows if r[1]]

    def meetings_having_open_tasks(self, ids: list[int]) -> set[int]:
        """Which of these meetings have an open task (index tasks(meeting_id, status))."""
        found: set[int] = set()
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            found |= {r[0] for r in self.conn.execute(
                f"SELECT DISTINCT meeting_id FROM tasks WHERE meeting_id IN ({','.join('?' * len(chunk))}) "
                "AND status IN ('not_started', 'in_progress', 'delayed')", tuple(chunk)).fetchall()}
        return found

    def meetings_in_window(self, field: str, lo: datetime, hi: datetime) -> list[Meeting]:
        """Scheduled meetings whose start|end|created_at lies in [lo, hi), through the julianday index."""
        assert field in ("start", "end", "created_at")
        rows = self._all(f'SELECT * FROM meetings WHERE +status = \'scheduled\' AND julianday("{field}") >= '
                         f'julianday(?) AND julianday("{field}") < julianday(?) ORDER BY id', (_dt(lo), _dt(hi)))
        return [self._meeting(r) for r in rows]

    def latest_task_events(self, task_ids: list[int]) -> dict[int, TaskEvent]:
        """Each task's latest event that has a text (the follow-up table's 最近更新), in one query."""
        out: dict[int, TaskEvent] = {}
        for i in range(0, len(task_ids), 500):
            chunk = list(task_ids[i:i + 500])
            rows = self._all(
                "SELECT * FROM task_events WHERE id IN (SELECT MAX(id) FROM task_events WHERE task_id IN "
                f"({','.join('?' * len(chunk))}) AND text IS NOT NULL AND text != '' GROUP BY task_id)", tuple(chunk))
            for r in rows:
                out[r["task_id"]] = TaskEvent(task_id=r["task_id"], at=_pdt(r["at"]), actor=r["actor"], kind=r["kind"],
                                              text=r["text"] or "", old_status=r["old_status"],
                                              new_status=r["new_status"], percent=r["percent"], due=_pd(r["due"]),
                                              message_id=r["message_id"], flags=json.loads(r["flags"] or "[]"))
        return out

    def meetings_by_ids(self, ids: list[int]) -> list[Meeting]:
        return [m for m in (self.get_meeting(i) for i in ids) if m is not None]

    def tasks_between_times(self, field: str, lo: datetime, hi: datetime) -> list[Task]:
        assert field == "created_at"
        rows = self._all("SELECT * FROM tasks WHERE julianday(created_at) >= julianday(?) "
                         "AND julianday(created_at) < julianday(?) ORDER BY id", (_dt(lo), _dt(hi)))
        return [self._task(r) for r in rows]

    def unknown_replies_by_host(self, since: datetime, until: datetime) -> dict[str, list[dict]]:
        """Inbound mail with status 'unknown' (needs a human), and refused mail from strangers
        (tasks._refuse), about a task or meeting, received in (since, until], grouped by the
        meeting's host: the daily digest."""
        rows = self._all(
            "SELECT i.id, i.message_id, i.received_at, i.sender, i.subject, i.detail, i.task_id, "
            "COALESCE(i.meeting_id, t.meeting_id) AS meeting_id, m.host, m.title AS meeting_title, "
            "t.title AS task_title FROM inbound i LEFT JOIN tasks t ON t.id = i.task_id "
            "JOIN meetings m ON m.id = COALESCE(i.meeting_id, t.meeting_id) "
            "WHERE i.status IN ('unknown', 'refused') AND (i.status = 'unknown' OR i.intent = 'stranger') "
            "AND (i.task_id IS NOT NULL OR i.meeting_id IS NOT NULL) "
            "AND julianday(i.received_at) > julianday(?) AND julianday(i.received_at) <= julianday(?) "
            "ORDER BY m.host, i.received_at, i.id", (_dt(since), _dt(until)))
        out: dict[str, list[dict]] = {}
        for r in rows:
            r["received_at"] = _pdt(r["received_at"])
            if r["host"]:
                out.setdefault(r["host"], []).append(r)
        return out

    # --- rule firings -------------------------------------------------------------------
    def has_fired(self, key: str) -> bool:
        return self._one("SELECT 1 FROM fired WHERE key = ?", (key,)) is not None

    def mark_fired(self, key: str, rule: str, obj: str, moment: datetime | None, now: datetime,
                   status: str = "sent") -> None:
        self.conn.execute("INSERT OR IGNORE INTO fired VALUES (?,?,?,?,?,?)",
                          (key, rule, obj, _dt(moment), _dt(now), status))

    # --- IMAP checkpoint (mailbox.Checkpoint) ---------------------------------------------
    def checkpoint(self) -> "Checkpoint":
        """A checkpoint for the IMAP worker thread: same table, its own connection."""
        return Checkpoint(self.path, self.identity) if self.path != ":memory:" else self

    def load(self, folder: str) -> tuple[int | None, int]:
        row = self._one("SELECT uidvalidity, last_uid FROM mailbox_state WHERE folder = ?", (folder,))
        return (row["uidvalidity"], row["last_uid"]) if row else (None, 0)

    def save(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        self.conn.execute("INSERT INTO mailbox_state VALUES (?,?,?) ON CONFLICT(folder) DO UPDATE SET "
                          "uidvalidity=excluded.uidvalidity, last_uid=excluded.last_uid",
                          (folder, uidvalidity, last_uid))


def _parsed_to_data(p: ParsedMinutes) -> dict:
    return {"decisions": p.decisions,
            "action_items": [{**asdict(a), "due": _d(a.due)} for a in p.action_items],
            "problems": [asdict(x) for x in p.problems]}


def _parsed_from_data(d: dict) -> ParsedMinutes:
    return ParsedMinutes(
        decisions=list(d.get("decisions", [])),
        action_items=[ActionItem(**{**a, "due": _pd(a.get("due"))}) for a in d.get("action_items", [])],
        problems=[Problem(**x) for x in d.get("problems", [])])



class Checkpoint:
    """UIDVALIDITY and last UID per folder, written from the IMAP worker thread.

    sqlite3 connections belong to the thread that made them; this one opens its own connection
    lazily in whichever thread uses it (WAL lets it write beside the main connection)."""

    def __init__(self, path: str, identity: tuple[int, int] | None = None):
        self.path = path
        self.identity = identity          # the store's file: a checkpoint never goes elsewhere
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: this commit fsyncs the WAL, and with it every commit the main connection made
            # before (synchronous=NORMAL does not sync them): the inbox saves the checkpoint right
            # before it marks messages processed on the server, so nothing is marked that a power
            # cut could still take out of the store. One sync per batch of marks (mark_done_many).
            conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
        return conn

    def load(self, folder: str) -> tuple[int | None, int]:
        row = self._conn().execute("SELECT uidvalidity, last_uid FROM mailbox_state WHERE folder = ?",
                                   (folder,)).fetchone()
        return (row[0], row[1]) if row else (None, 0)

    def save(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        # Saved right before mail is marked processed on the server: never for a vanished store
        if self.identity is not None and _identity(self.path) != self.identity:
            raise StoreGone(f"the store {self.path} was deleted or replaced; nothing is marked processed")
        self._conn().execute("INSERT INTO mailbox_state VALUES (?,?,?) ON CONFLICT(folder) DO UPDATE SET "
                             "uidvalidity=excluded.uidvalidity, last_uid=excluded.last_uid",
                             (folder, uidvalidity, last_uid))
