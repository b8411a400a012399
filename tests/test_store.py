"""The SQLite store: migrations, one transaction per event, dedupe keys."""

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlite_utils

from mailflow.model import (Attendee, Meeting, MinutesConfirmation, MinutesVersion, Role, Task, TaskEvent,
                            TaskStatus)
from mailflow.edges.store import MIGRATIONS, Store
from apphelp import SH

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)


def test_migrations_from_empty_and_again_are_a_noop(tmp_path):
    path = tmp_path / "mf.db"
    s = Store(path)
    assert s.version == len(MIGRATIONS)
    s.close()
    s = Store(path)                      # opening again runs nothing
    assert s.migrate() == len(MIGRATIONS)
    assert sqlite_utils.Database(path).journal_mode == "wal"


def test_the_file_opens_in_any_sqlite_tool(tmp_path):
    path = tmp_path / "mf.db"
    s = Store(path)
    s.save_task(Task(None, "接口开发", "wanglei@corp.example", date(2026, 11, 30)), NOW)
    s.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT title, status FROM tasks").fetchall() == [("接口开发", "not_started")]


def test_a_failed_event_leaves_nothing_behind(tmp_path):
    s = Store(tmp_path / "mf.db")
    with pytest.raises(RuntimeError):
        with s.transaction():
            t = s.save_task(Task(None, "接口开发", "wanglei@corp.example", date(2026, 11, 30)), NOW)
            s.add_task_event(TaskEvent(t.id, NOW, "wanglei@corp.example", "created"))
            s.queue_mail(dedupe_key="k1", message_id="<a@x>", raw=b"x", sender="s", recipients=["a@x"],
                         subject="s", now=NOW)
            raise RuntimeError("crash in the middle")
    assert s.tasks() == [] and s.outbox_counts() == {} and s.task_events(t.id) == []


def test_a_dedupe_key_is_queued_once(tmp_path):
    s = Store(tmp_path / "mf.db")
    with s.transaction():
        assert s.queue_mail(dedupe_key="reminder:t1:2026-11-27", message_id="<a@x>", raw=b"x", sender="s",
                            recipients=["a@x"], subject="s", now=NOW)
        assert not s.queue_mail(dedupe_key="reminder:t1:2026-11-27", message_id="<b@x>", raw=b"y",
                                sender="s", recipients=["a@x"], subject="s", now=NOW)
    assert s.outbox_counts() == {"queued": 1}


def test_meetings_round_trip_with_attendees_in_order(tmp_path):
    s = Store(tmp_path / "mf.db")
    m = Meeting(None, "uid-1@corp.example", "Q4营销活动筹备会", datetime(2026, 11, 25, 14, 0, tzinfo=SH),
                datetime(2026, 11, 25, 16, 0, tzinfo=SH), host="wanglei@corp.example",
                attendees=[Attendee("wanglei@corp.example", Role.HOST), Attendee("lina@corp.example", Role.REQUIRED),
                           Attendee("chenjing@corp.example", Role.OPTIONAL)])
    s.save_meeting(m, NOW)
    back = s.get_meeting(m.id)
    assert [a.email for a in back.attendees] == ["wanglei@corp.example", "lina@corp.example", "chenjing@corp.example"]
    assert back.start == m.start and s.meeting_by_uid("uid-1@corp.example").id == m.id


def test_the_reads_a_minutes_or_calendar_mail_loads_are_one_plain_statement_each(tmp_path):
    """meeting_by_uid (an invitation or an RSVP), minutes_candidates (a draft in a new thread),
    minutes_versions and minutes_confirmations run for such mails: each answers in order with one
    SELECT of its own, never a look into sqlite_master as sqlite-utils' rows_where does at every call."""
    s = Store(tmp_path / "mf.db")
    m = s.save_meeting(Meeting(None, "uid-7@corp.example", "周例会", datetime(2026, 11, 19, 14, 0, tzinfo=SH),
                               datetime(2026, 11, 19, 15, 0, tzinfo=SH), recorder="lina@corp.example"), NOW)
    for v in (2, 1):
        s.save_minutes(MinutesVersion(None, m.id, v, f"纪要第{v}版", "lina@corp.example", NOW))
    for who in ("wanglei@corp.example", "chenjing@corp.example"):
        s.save_minutes_confirmation(MinutesConfirmation(m.id, 2, who))
    statements: list[str] = []
    with s.tracing(statements.append):
        assert s.meeting_by_uid("uid-7@corp.example").id == m.id
        assert s.meeting_by_uid("nobody@corp.example") is None
        assert [c.id for c in s.minutes_candidates(["lina@corp.example"], datetime(2026, 11, 12, tzinfo=SH),
                                                   NOW)] == [m.id]
        assert [v.version for v in s.minutes_versions(m.id)] == [1, 2]
        assert [c.email for c in s.minutes_confirmations(m.id)] == ["wanglei@corp.example",
                                                                   "chenjing@corp.example"]
    assert not [q for q in statements if "sqlite_master" in q]
    # a meeting found reads its attendees and agenda too: 3 + 1 (not found) + 3 (candidate) + 1 + 1
    assert len(statements) == 9


def test_open_tasks_due_between_uses_the_index(tmp_path):
    s = Store(tmp_path / "mf.db")
    db = sqlite_utils.Database(tmp_path / "mf.db")           # the file, as any SQLite tool sees it
    assert ["status", "due"] in [i.columns for i in db["tasks"].indexes]
    plan = db.execute("EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE status IN ('not_started') "
                      "AND due >= '2026-11-01' AND due <= '2026-12-01'").fetchall()
    assert "tasks_open_due" in str(plan)
    s.save_task(Task(None, "a", "x@corp.example", date(2026, 11, 30)), NOW)
    s.save_task(Task(None, "b", "x@corp.example", date(2027, 3, 1)), NOW)
    s.save_task(Task(None, "c", "x@corp.example", date(2026, 11, 29), status=TaskStatus.DONE), NOW)
    assert [t.title for t in s.open_tasks_due_between(date(2026, 11, 1), date(2026, 12, 31))] == ["a"]


def test_inbound_raw_bytes_are_kept_compressed(tmp_path):
    s = Store(tmp_path / "mf.db")
    raw = ("Subject: 确认\r\n\r\n" + "已完成" * 1000).encode()
    with s.transaction():
        s.record_inbound(message_id="<m1@x>", raw=raw, mailbox_key="k", received_at=NOW, sender="a@x",
                         subject="确认", status="applied")
    assert s.inbound_row("<m1@x>")["raw"] == raw
    stored = next(sqlite_utils.Database(tmp_path / "mf.db")["inbound"].rows_where(select="raw"))["raw"]
    assert len(stored) < len(raw) / 5


def test_the_ledgers_read_back_in_order_by_kind_recipient_sender_and_rule(tmp_path):
    s = Store(tmp_path / "mf.db")
    with s.transaction():
        for i, (kind, to) in enumerate([("notice", ["lina@x", "wanglei@x"]), ("due_reminder", ["lina@x"]),
                                        ("notice", ["chenjing@x"])]):
            s.queue_mail(dedupe_key=f"k{i}", message_id=f"<o{i}@x>", raw=b"x", sender="s", recipients=to,
                         subject="s", now=NOW, kind=kind)
        for i, sender in enumerate(["lina@x", "tom@x", "lina@x"]):
            s.record_inbound(message_id=f"<i{i}@x>", raw=b"r", mailbox_key="k", received_at=NOW, sender=sender,
                             subject="s", status=["applied", "unknown", "refused"][i])
        s.mark_fired("due_reminder:t1:2026-11-27", "due_reminder", "t1", NOW, NOW, "skipped")
        s.mark_fired("due_reminder:t2:2026-11-27", "due_reminder", "t2", NOW, NOW)
    assert [(r["kind"], r["recipients"]) for r in s.outbox_history()] == [
        ("notice", ["lina@x", "wanglei@x"]), ("due_reminder", ["lina@x"]), ("notice", ["chenjing@x"])]
    assert [r["message_id"] for r in s.outbox_history("notice", to="lina@x")] == ["<o0@x>"]
    assert [r["message_id"] for r in s.outbox_history(to="lina")] == []         # a whole address, not a part
    assert [r["status"] for r in s.inbound_history("lina@x")] == ["applied", "refused"]
    assert "raw" not in s.inbound_history()[0]                                   # inbound_row has the bytes
    assert [f["status"] for f in s.firings("due_reminder")] == ["skipped", "sent"]
    assert [f["key"] for f in s.firings("due_reminder", "t2")] == ["due_reminder:t2:2026-11-27"]


# --- issue 12: several processes on one file; a file that vanishes ------------------------------------
def test_a_writer_waits_for_another_instead_of_failing(tmp_path):
    """The daemon and a CLI command (meeting add, replay, outbox retry) write the same file: the
    second writer waits for the first (busy_timeout) instead of failing with 'database is locked'."""
    import threading
    import time as _time
    from mailflow.edges.store import BUSY_TIMEOUT_MS
    b = Store(tmp_path / "s.db")
    assert b.busy_timeout_ms() == BUSY_TIMEOUT_MS == 30_000
    held = threading.Event()

    def daemon_like() -> None:
        a = Store(tmp_path / "s.db")             # the daemon: its own connection (process)
        with a.transaction():
            a.set_meta("who", "daemon")
            held.set()
            _time.sleep(1.0)                     # a long transaction
    t = threading.Thread(target=daemon_like)
    t.start()
    held.wait(5)
    t0 = _time.monotonic()
    with b.transaction():                        # waits, then goes through
        b.set_meta("who", "cli")
    waited = _time.monotonic() - t0
    t.join()
    assert 0.5 < waited < 10 and b.get_meta("who") == "cli"


def test_a_deleted_or_replaced_file_stops_every_transaction_and_commits_nothing(tmp_path):
    import os
    import shutil
    import pytest
    from mailflow.edges.store import StoreGone
    path = tmp_path / "s.db"
    s = Store(path)
    with s.transaction():
        s.set_meta("k", 1)
    with pytest.raises(StoreGone, match="was deleted"):
        with s.transaction():
            s.set_meta("k", 2)
            for suffix in ("", "-wal", "-shm"):
                (tmp_path / f"s.db{suffix}").unlink(missing_ok=True)
    with pytest.raises(StoreGone, match="was deleted"):          # and every one after it
        with s.transaction():
            s.set_meta("k", 3)
    s2 = Store(tmp_path / "t.db")
    shutil.copy(tmp_path / "t.db", tmp_path / "copy.db")
    os.replace(tmp_path / "copy.db", tmp_path / "t.db")
    with pytest.raises(StoreGone, match="replaced"):
        with s2.transaction():
            pass


# --- files written by an older mailflow (raw CREATE TABLE text, before sqlite-utils) -------------------
FIXTURES = Path(__file__).parent / "fixtures" / "store"


def old_file(tmp_path, version: int) -> Path:
    """A database file as an older mailflow left it (tests/fixtures/store/mailflow-vN.sql)."""
    path = tmp_path / f"v{version}.db"
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / f"mailflow-v{version}.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def shape(path) -> dict:
    """Each table's columns, keys and indexes, as sqlite-utils reads them from the file."""
    db = sqlite_utils.Database(path)
    return {t.name: ([(c.name, c.type, c.notnull, c.default_value, c.is_pk) for c in t.columns],
                     sorted((fk.column, fk.other_table, fk.other_column) for fk in t.foreign_keys),
                     sorted((bool(i.unique), tuple(map(str, i.columns))) for i in t.indexes),
                     sorted(tr.name for tr in t.triggers))
            for t in db.tables}


def test_a_first_release_file_migrates_to_the_current_schema_and_keeps_its_rows(tmp_path):
    path = old_file(tmp_path, 1)
    s = Store(path)
    assert s.version == len(MIGRATIONS)
    assert s.get_task(1).title == "提交需求文档" and s.get_meeting(1).title == "Q4营销活动筹备会"
    # the mail queued before the upgrade counts for its recipient's hourly cap (v5 backfill)
    assert s.sent_to_since("lina@corp.example", datetime(2026, 11, 20, 9, 30, tzinfo=SH)) == 1
    s.save_outbox_items("<mf-1@corp.example>", [1])                      # v2
    assert s.outbox_items(s.outbox_rows()[0]["id"]) == [1]
    s.close()
    assert shape(path) == shape(Store(tmp_path / "new.db").path)


def test_a_current_file_written_before_sqlite_utils_opens_as_it_is_and_keeps_working(tmp_path):
    path = old_file(tmp_path, 5)
    before = shape(path)
    s = Store(path)
    assert s.version == len(MIGRATIONS) and shape(path) == before      # nothing to migrate, nothing rebuilt
    assert s.load("INBOX") == (1700000000, 42)
    t = s.get_task(1)
    t.status = TaskStatus.IN_PROGRESS
    with s.transaction():
        s.save_task(t, NOW)
        s.add_task_event(TaskEvent(t.id, NOW, "lina@corp.example", "progress", text="进行中"))
        assert s.queue_mail(dedupe_key="receipt:t1", message_id="<mf-2@corp.example>", raw=b"x",
                            sender="mailflow@corp.example", recipients=["lina@corp.example"], subject="s", now=NOW)
    assert s.get_task(1).status is TaskStatus.IN_PROGRESS
    assert s.get_task(1).created_at == datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    assert [e.kind for e in s.task_events(1)] == ["created", "progress"]
    assert s.sent_to_since("lina@corp.example", datetime(2026, 11, 20, 9, 30, tzinfo=SH)) == 2


def test_a_new_file_has_the_same_tables_keys_and_indexes_as_one_an_older_mailflow_made(tmp_path):
    """The schema is written with sqlite-utils now; a file an older mailflow made (raw CREATE
    TABLE text, UNIQUE written inline) must not differ from a new one in anything a query sees."""
    assert shape(Store(tmp_path / "new.db").path) == shape(old_file(tmp_path, 5))
