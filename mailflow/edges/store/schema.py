"""The schema: tables, indexes and triggers, as numbered migrations written with sqlite-utils.

PRAGMA user_version is the number of migrations applied. Each migration runs once, in order,
inside its own BEGIN IMMEDIATE transaction (sqlite-utils' calls join it through savepoints), so a
crash leaves the file at the previous version. A migration is never edited once released: a
database made by an older mailflow (whose tables were written as raw CREATE TABLE text) has run it
already. A later change is a new migration: `table.add_column(...)`, `table.transform(...)`,
`table.create_index(...)`.

Raw SQL stays where sqlite-utils has no form for it: indexes on an expression (julianday(...),
which the rule tick's window queries use), triggers, and the backfill INSERT ... SELECT.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

import sqlite_utils

TEXT, INT, REAL, BLOB = str, int, float, bytes


def _v1_first_schema(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": TEXT, "value": TEXT}, pk="key", if_not_exists=True)
    db["people"].create(
        {"email": TEXT, "name": TEXT, "department": TEXT, "title": TEXT, "manager": TEXT,
         "aliases": TEXT, "delegates": TEXT, "language": TEXT},
        pk="email", not_null={"name"}, if_not_exists=True)
    db["meetings"].create(
        {"id": INT, "uid": TEXT, "title": TEXT, "goal": TEXT, "start": TEXT, "end": TEXT, "tz": TEXT,
         "location": TEXT, "online": TEXT, "host": TEXT, "recorder": TEXT, "preparer": TEXT,
         "sequence": INT, "status": TEXT, "cancel_reason": TEXT, "source": TEXT, "minutes_state": TEXT,
         "created_at": TEXT, "updated_at": TEXT},
        pk="id", not_null={"uid", "title", "start", "end", "sequence", "status", "minutes_state"},
        defaults={"sequence": 0, "status": "scheduled", "minutes_state": "none"}, if_not_exists=True)
    db["meetings"].create_index(["uid"], index_name="meetings_uid", unique=True, if_not_exists=True)
    db["meetings"].create_index(["status", "start"], index_name="meetings_start", if_not_exists=True)
    db["meetings"].create_index(["status", "end"], index_name="meetings_end", if_not_exists=True)
    db["attendees"].create(
        {"meeting_id": INT, "email": TEXT, "role": TEXT, "name": TEXT, "rsvp": TEXT, "proxy": TEXT,
         "answered_at": TEXT, "answered_via": TEXT, "rsvp_sequence": INT, "rsvp_stamp": TEXT,
         "position": INT},
        pk=("meeting_id", "email"), foreign_keys=[("meeting_id", "meetings", "id")],
        not_null={"meeting_id", "email", "role", "rsvp", "rsvp_sequence"},
        defaults={"rsvp": "needs-action", "rsvp_sequence": -1}, if_not_exists=True)
    db["agenda_items"].create(
        {"meeting_id": INT, "seq": INT, "title": TEXT, "owner": TEXT, "minutes": INT, "outcome": TEXT,
         "materials": TEXT},
        pk=("meeting_id", "seq"), foreign_keys=[("meeting_id", "meetings", "id")],
        not_null={"meeting_id", "seq", "title"}, if_not_exists=True)
    db["minutes"].create(
        {"id": INT, "meeting_id": INT, "version": INT, "status": TEXT, "text": TEXT, "author": TEXT,
         "received_at": TEXT, "message_id": TEXT, "parsed": TEXT},
        pk="id", foreign_keys=[("meeting_id", "meetings", "id")],
        not_null={"meeting_id", "version", "status", "text"}, if_not_exists=True)
    db["minutes"].create_index(["meeting_id", "version"], index_name="minutes_version", unique=True,
                               if_not_exists=True)
    db["tasks"].create(
        {"id": INT, "meeting_id": INT, "item_no": INT, "title": TEXT, "description": TEXT, "owner": TEXT,
         "collaborators": TEXT, "due": TEXT, "deliverable": TEXT, "status": TEXT, "percent": INT,
         "risk": INT, "risk_note": TEXT, "delay_reason": TEXT, "confirmed_at": TEXT, "created_at": TEXT,
         "updated_at": TEXT, "done_at": TEXT, "verified_at": TEXT},
        pk="id", foreign_keys=[("meeting_id", "meetings", "id")],
        not_null={"title", "owner", "status", "risk"}, defaults={"risk": 0}, if_not_exists=True)
    db["tasks"].create_index(["status", "due"], index_name="tasks_open_due", if_not_exists=True)
    db["tasks"].create_index(["meeting_id"], index_name="tasks_meeting", if_not_exists=True)
    db["tasks"].create_index(["owner"], index_name="tasks_owner", if_not_exists=True)
    db["task_events"].create(
        {"id": INT, "task_id": INT, "at": TEXT, "actor": TEXT, "kind": TEXT, "text": TEXT,
         "old_status": TEXT, "new_status": TEXT, "percent": INT, "due": TEXT, "message_id": TEXT,
         "flags": TEXT},
        pk="id", foreign_keys=[("task_id", "tasks", "id")], not_null={"task_id", "at", "kind"},
        if_not_exists=True)
    db["task_events"].create_index(["task_id"], index_name="task_events_task", if_not_exists=True)
    db["inbound"].create(
        {"id": INT, "message_id": TEXT, "mailbox_key": TEXT, "received_at": TEXT, "sender": TEXT,
         "subject": TEXT, "status": TEXT, "detail": TEXT, "error": TEXT, "meeting_id": INT, "task_id": INT,
         "intent": TEXT, "raw": BLOB, "processed_at": TEXT},
        pk="id", not_null={"message_id", "status"}, if_not_exists=True)
    db["inbound"].create_index(["message_id"], index_name="inbound_message_id", unique=True,
                               if_not_exists=True)
    db["inbound"].create_index(["status"], index_name="inbound_status", if_not_exists=True)
    db["outbox"].create(
        {"id": INT, "dedupe_key": TEXT, "message_id": TEXT, "kind": TEXT, "template": TEXT,
         "meeting_id": INT, "task_id": INT, "sender": TEXT, "recipients": TEXT, "subject": TEXT,
         "raw": BLOB, "status": TEXT, "attempts": INT, "not_before": TEXT, "last_error": TEXT,
         "created_at": TEXT, "sent_at": TEXT},
        pk="id", not_null={"dedupe_key", "message_id", "sender", "recipients", "raw", "status", "attempts",
                           "created_at"},
        defaults={"attempts": 0}, if_not_exists=True)
    db["outbox"].create_index(["dedupe_key"], index_name="outbox_dedupe_key", unique=True, if_not_exists=True)
    db["outbox"].create_index(["message_id"], index_name="outbox_message_id", unique=True, if_not_exists=True)
    db["outbox"].create_index(["status", "not_before"], index_name="outbox_pending", if_not_exists=True)
    db["fired"].create(
        {"key": TEXT, "rule": TEXT, "object": TEXT, "moment": TEXT, "at": TEXT, "status": TEXT},
        pk="key", not_null={"rule", "object", "at", "status"}, if_not_exists=True)
    db["mailbox_state"].create({"folder": TEXT, "uidvalidity": INT, "last_uid": INT}, pk="folder",
                               not_null={"last_uid"}, defaults={"last_uid": 0}, if_not_exists=True)


def _v2_outbox_items(db: sqlite_utils.Database) -> None:
    """The tasks a sent mail numbered 1..n (a weekly progress request, a receipt), so that an answer
    such as "1 已完成；3 延期到周五" finds its tasks (flows/task_status: on_numbered_reply)."""
    db["outbox_items"].create({"message_id": TEXT, "items": TEXT}, pk="message_id", not_null={"items"},
                              if_not_exists=True)


def _v3_minutes_confirmations(db: sqlite_utils.Database) -> None:
    """Each attendee's answer to the final minutes (flows/minutes): pending until the 2-working-day
    deadline, then confirmed | objection | accepted (silence)."""
    db["minutes_confirmations"].create(
        {"meeting_id": INT, "version": INT, "email": TEXT, "status": TEXT, "deadline": TEXT,
         "answered_at": TEXT, "text": TEXT, "message_id": TEXT},
        pk=("meeting_id", "email"), foreign_keys=[("meeting_id", "meetings", "id")],
        not_null={"meeting_id", "version", "email", "status"}, if_not_exists=True)


def _v4_tick_indexes(db: sqlite_utils.Database) -> None:
    """Indexes so a rule tick reads what is due, not every row: meetings and tasks by their times in
    julianday() (the form the window queries use), open tasks per meeting (follow-up tables), the
    hourly cap's recent outbox rows, the digest's unknown replies."""
    # Indexes on an expression: sqlite-utils' create_index takes column names only
    for sql in ('CREATE INDEX meetings_start_jd ON meetings(julianday(start))',
                'CREATE INDEX meetings_end_jd ON meetings(julianday("end"))',
                'CREATE INDEX meetings_created_jd ON meetings(julianday(created_at))',
                'CREATE INDEX tasks_created_jd ON tasks(julianday(created_at))',
                'CREATE INDEX outbox_created_jd ON outbox(julianday(created_at))'):
        db.execute(sql)
    db["tasks"].create_index(["meeting_id", "status"], index_name="tasks_meeting_status")
    db["tasks"].create_index(["status", "owner"], index_name="tasks_status_owner")
    db["inbound"].create_index(["status", "received_at"], index_name="inbound_status_received")


def _v5_outbox_recipients(db: sqlite_utils.Database) -> None:
    """The hourly cap per recipient without scanning the outbox: one row per (mail, recipient),
    kept by triggers (so every writer of the outbox keeps it right), indexed by recipient and time."""
    db["outbox_rcpt"].create({"outbox_id": INT, "recipient": TEXT, "jd": REAL, "held": INT},
                             not_null={"outbox_id", "recipient", "jd", "held"}, defaults={"held": 0})
    db["outbox_rcpt"].create_index(["recipient", "jd"], index_name="outbox_rcpt_recent")
    db["outbox_rcpt"].create_index(["outbox_id"], index_name="outbox_rcpt_mail")
    # A backfill from JSON and triggers: SQL, sqlite-utils has no form for them
    db.execute("INSERT INTO outbox_rcpt SELECT o.id, r.value, julianday(o.created_at), o.status = 'held' "
               "FROM outbox o, json_each(o.recipients) r")
    db.execute("CREATE TRIGGER outbox_rcpt_add AFTER INSERT ON outbox BEGIN "
               "INSERT INTO outbox_rcpt SELECT NEW.id, r.value, julianday(NEW.created_at), NEW.status = 'held' "
               "FROM json_each(NEW.recipients) r; END")
    db.execute("CREATE TRIGGER outbox_rcpt_status AFTER UPDATE OF status ON outbox BEGIN "
               "UPDATE outbox_rcpt SET held = (NEW.status = 'held') WHERE outbox_id = NEW.id; END")
    db.execute("CREATE TRIGGER outbox_rcpt_drop AFTER DELETE ON outbox BEGIN "
               "DELETE FROM outbox_rcpt WHERE outbox_id = OLD.id; END")


# The index + 1 is the schema version the migration brings the file to.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_first_schema,
    _v2_outbox_items,
    _v3_minutes_confirmations,
    _v4_tick_indexes,
    _v5_outbox_recipients,
]


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, db: sqlite_utils.Database) -> int:
    """Bring the schema up to date; running it again is a no-op. Returns the version."""
    for number, step in enumerate(MIGRATIONS, start=1):
        if schema_version(conn) >= number:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            conn.execute(f"PRAGMA user_version = {number:d}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return schema_version(conn)
