"""The daemon's service layer on the embedded defaults (Maildir in, Maildir out): never lose, never repeat."""

import sqlite3
from datetime import datetime

import pytest

from apphelp import SH, flush, make_app, outbox_mails
from mailflow.testing import make_mail

START = datetime(2026, 11, 20, 10, 0, tzinfo=SH)


def eml(mid: str, sender: str = "zhangwei@corp.example", subject: str = "问一下", body: str = "这个会在哪开？") -> bytes:
    return make_mail(sender, f"{body}\n", subject=subject, message_id=mid)


def test_an_eml_injected_twice_is_processed_once(tmp_path):
    app, svc, _ = make_app(tmp_path, START)
    app.inbox.deliver(eml("<once@client.example>"))
    app.inbox.deliver(eml("<once@client.example>"))
    assert svc.ingest.ingest_once() == 2
    assert app.store.inbound_counts() == {"unknown": 1}
    assert len(outbox_mails(app)) == 1          # one help answer, not two
    assert app.inbox.fetch() == []              # both copies marked processed
    assert svc.ingest.ingest_once() == 0


def test_a_mail_that_breaks_processing_is_kept_with_its_traceback(tmp_path, monkeypatch):
    app, svc, _ = make_app(tmp_path, START)
    from mailflow.flows import dispatch as core

    def boom(ctx, msg, rt, handlers):
        raise ValueError("a bug in a flow")
    monkeypatch.setattr(core, "handle_inbound", boom)
    raw = eml("<broken@client.example>")
    app.inbox.deliver(raw)
    assert svc.ingest.ingest_once() == 1               # the loop goes on
    row = app.store.inbound_row("<broken@client.example>")
    assert row["status"] == "error" and "a bug in a flow" in row["error"] and row["raw"] == raw
    assert app.inbox.fetch() == []              # stored, so it is off the server; `replay` runs it again
    monkeypatch.undo()
    assert svc.ingest.replay("<broken@client.example>") == "unknown"
    assert app.store.inbound_row("<broken@client.example>")["status"] == "unknown"


def test_a_decision_reads_only_what_was_loaded_for_it(tmp_path):
    """The flows' Context has no live store behind it: a snapshot must be given, and an empty one
    (the admin's copy of a mail that failed) answers no read, even of a task that is stored."""
    from mailflow.model import NotLoaded, Snapshot, Task
    app, _svc, _ = make_app(tmp_path, START)
    try:
        app.store.save_task(Task(id=None, title="接口开发", owner="zhangwei@corp.example", due=None), START)
        with pytest.raises(TypeError):
            app.context(START)
        with pytest.raises(NotLoaded, match="get_task"):
            app.context(START, Snapshot()).lookup.get_task(1)
    finally:
        app.close()


def test_an_unwritable_store_marks_nothing_processed(tmp_path, monkeypatch):
    app, svc, _ = make_app(tmp_path, START)
    app.inbox.deliver(eml("<disk-full@client.example>"))
    real = app.store.record_inbound

    def full(**kw):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(app.store, "record_inbound", full)
    from mailflow.outbox import StoreUnavailable
    with pytest.raises(StoreUnavailable, match="disk is full"):
        svc.ingest.ingest_once()
    assert len(app.inbox.fetch()) == 1          # still on the server
    monkeypatch.setattr(app.store, "record_inbound", real)
    assert svc.ingest.ingest_once() == 1               # resumes when it can
    assert app.store.inbound_counts() == {"unknown": 1}


def test_auto_replies_are_kept_but_never_answered(tmp_path):
    app, svc, _ = make_app(tmp_path, START)
    raw = eml("<ooo@client.example>", subject="自动回复: 会议通知", body="我正在休假，11月30日返回。")
    raw = raw.replace(b"Subject:", b"Auto-Submitted: auto-replied\r\nSubject:")
    svc.ingest.process_raw(raw, "k", START)
    assert app.store.inbound_counts() == {"ignored": 1}
    assert outbox_mails(app) == []


def test_strangers_get_no_answer_but_the_admin_gets_the_mail(tmp_path):
    app, svc, _ = make_app(tmp_path, START, org={"admin": "zhaomin@corp.example"})
    svc.ingest.process_raw(eml("<spam@x.example>", sender="someone@elsewhere.example"), "k", START)
    mails = outbox_mails(app)
    assert [m["To"] for m in mails] == ["zhaomin@corp.example"]
    assert "需人工处理" in mails[0]["Subject"]


def test_the_outbox_sends_each_mail_once_and_a_rerun_queues_nothing_new(tmp_path):
    app, svc, _ = make_app(tmp_path, START)
    svc.ingest.process_raw(eml("<q1@client.example>"), "k", START)
    assert flush(svc) == 1
    assert flush(svc) == 0
    svc.ingest.process_raw(eml("<q1@client.example>"), "k", START)     # the same mail again
    assert app.store.outbox_counts() == {"sent": 1}
    sent = list((tmp_path / "mail" / "sent" / "new").iterdir())
    assert len(sent) == 1


def test_the_hourly_cap_holds_a_mail_loop(tmp_path):
    app, svc, _ = make_app(tmp_path, START, smtp={"hourly_cap": 3})
    for i in range(5):
        svc.ingest.process_raw(eml(f"<loop{i}@client.example>", body=f"第{i}封"), "k", START)
    assert app.store.outbox_counts() == {"queued": 3, "held": 2}


def test_outgoing_mail_is_threaded_tagged_and_marked_automatic(tmp_path):
    app, svc, _ = make_app(tmp_path, START)
    svc.ingest.process_raw(eml("<t1@client.example>"), "k", START)
    (mail,) = outbox_mails(app)
    assert mail["In-Reply-To"] == "<t1@client.example>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["From"].addresses[0].addr_spec == "mailflow@corp.example"
    assert mail["Message-ID"].endswith("@corp.example>")


def test_timeline_mail_over_the_hourly_cap_is_held_too_never_sent_later_on_its_own(tmp_path, caplog):
    """A reminder deferred by an hour feeds a loop as well as an answer does: held, for a human."""
    from mailflow.model import Mail
    app, svc, _ = make_app(tmp_path, START, smtp={"hourly_cap": 2})
    with caplog.at_level("WARNING", logger="mailflow"), app.store.transaction():
        for i in range(40):
            svc.outbox.queue(Mail(key=f"reminder:{i}", template="help", to=["zhangwei@corp.example"],
                                  context={"name": "张伟", "subject": f"提醒{i}"}, kind="task_reminder"), START)
    rows = sorted(app.store.outbox_rows(), key=lambda r: r["id"])
    assert [r["status"] for r in rows] == ["queued"] * 2 + ["held"] * 38
    assert all(r["not_before"] is None for r in rows)
    assert flush(svc) == 2 and flush(svc) == 0
    # 38 held mails, one line in the log for this recipient and hour
    assert caplog.text.count("holding mail to zhangwei@corp.example") == 1
    with app.store.transaction():
        assert app.store.requeue(rows[2]["id"])                # an operator releases one
    assert flush(svc) == 1
