"""The SQLite store: migrations, one transaction per event, dedupe keys."""

import sqlite3
from datetime import date, datetime

import pytest

from mailflow.model import Attendee, Meeting, Role, Task, TaskEvent, TaskStatus
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
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


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
    assert s.tasks() == [] and s.outbox_counts() == {}
    assert s.conn.execute("SELECT COUNT(*) FROM task_events").fetchone()[0] == 0


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


def test_open_tasks_due_between_uses_the_index(tmp_path):
    s = Store(tmp_path / "mf.db")
    plan = s.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE status IN ('not_started') "
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
    stored = s.conn.execute("SELECT length(raw) FROM inbound").fetchone()[0]
    assert stored < len(raw) / 5


# --- issue 12: several processes on one file; a file that vanishes ------------------------------------
def test_a_writer_waits_for_another_instead_of_failing(tmp_path):
    """The daemon and a CLI command (meeting add, replay, outbox retry) write the same file: the
    second writer waits for the first (busy_timeout) instead of failing with 'database is locked'."""
    import threading
    import time as _time
    from mailflow.edges.store import BUSY_TIMEOUT_MS
    b = Store(tmp_path / "s.db")
    assert b.conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS == 30_000
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
