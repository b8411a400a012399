"""Due entries follow the task, through the flow: a delay, a return to work, a new owner send the
owner the next version of the all-day entry (same UID, SEQUENCE+1); done ends it. The .ics part says
method=PUBLISH and charset=UTF-8 in its Content-Type (RFC 6047) and names people, not addresses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from apphelp import SHARED, body_text, make_app, outbox_mails, reply_to
from icaljs import require_ical_js, run_ical_js
from mailflow.testing import make_mail
from mailflow.edges import snapshot
from mailflow.flows import due_entries, minutes as minutes_flow
from mailflow.model import Attendee, Meeting, Outcome, Role, Snapshot, Task, TaskStatus

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 20, 10, 0, tzinfo=SH)          # a Friday
HOST, OWNER, OTHER = "wanglei@corp.example", "zhangwei@corp.example", "lina@corp.example"


@pytest.fixture
def env(tmp_path):
    app, svc, clock = make_app(tmp_path, START)
    m = Meeting(id=None, uid="m-due@corp.example", title="产品发布协调会",
                start=datetime(2026, 11, 18, 14, 0, tzinfo=SH), end=datetime(2026, 11, 18, 15, 0, tzinfo=SH),
                host=HOST, recorder="sunli@corp.example",
                attendees=[Attendee(HOST, Role.HOST), Attendee(OWNER, Role.REQUIRED)])
    app.store.save_meeting(m, START)
    app.store.save_task(Task(id=None, title="接口开发", owner=OWNER, due=date(2026, 11, 27), meeting_id=m.id,
                             collaborators=[OTHER]), START)
    yield app, svc, clock
    app.close()


def reply(sender: str, text: str, day: int = 20) -> bytes:
    return make_mail(sender, text, to=SHARED, subject="回复：[MF-T1] 任务：接口开发", date=f"{day} Nov 2026 10:00:00 +0800")


def due_parts(msg) -> list:
    return [p for p in msg.walk() if p.get_content_type() == "text/calendar"]


def entry_of(msg):
    [part] = due_parts(msg)
    assert part.get_filename() == "due-T1.ics"
    assert part.get_param("method") == "PUBLISH" and part.get_param("charset") == "UTF-8"
    cal = Calendar.from_ical(part.get_payload(decode=True))
    return next(iter(cal.walk("VEVENT")))


def mails_to(app, who):
    return [m for m in outbox_mails(app) if m["To"] == who]


def test_the_owners_delay_comes_back_with_the_moved_entry(env):
    app, svc, clock = env
    assert svc.ingest.process_raw(reply(OWNER, "延期到12月4日，原因：测试环境故障"), "t", clock.now()) == "applied"
    [receipt] = outbox_mails(app, "task_receipt")
    ev = entry_of(receipt)
    assert (str(ev["UID"]), int(ev["SEQUENCE"]), ev["DTSTART"].dt) == ("task-1@corp.example", 1, date(2026, 12, 4))
    assert str(ev["SUMMARY"]) == "【截止】接口开发" and ev.walk("VALARM")
    desc = str(ev["DESCRIPTION"])
    assert "负责人：张伟" in desc and "协同人：李娜" in desc and "@" not in desc
    assert outbox_mails(app, "task_due_entry") == []          # no extra mail: it rides on the receipt
    # a second delay is the next version
    svc.ingest.process_raw(reply(OWNER, "再延期到12月11日，原因：依赖的接口还没好", day=21), "t", clock.now())
    ev = entry_of(outbox_mails(app, "task_receipt")[-1])
    assert (int(ev["SEQUENCE"]), ev["DTSTART"].dt) == (2, date(2026, 12, 11))


def test_a_delay_decided_by_the_host_reaches_the_owner_on_its_own(env):
    app, svc, clock = env
    assert svc.ingest.process_raw(reply(HOST, "这个任务延期到12月2日，原因：需求有调整"), "t", clock.now()) == "applied"
    [note] = outbox_mails(app, "task_due_entry")
    assert note["To"] == OWNER and "截止日期由 2026-11-27 改为 2026-12-02" in body_text(note)
    ev = entry_of(note)
    assert (int(ev["SEQUENCE"]), ev["DTSTART"].dt) == (1, date(2026, 12, 2))
    assert not due_parts(outbox_mails(app, "task_receipt")[0])   # the host's receipt carries none


def test_done_ends_the_entry_verified_keeps_it_ended_returned_starts_it_again(env):
    app, svc, clock = env
    svc.ingest.process_raw(reply(OWNER, "已完成"), "t", clock.now())
    assert app.store.get_task(1).status is TaskStatus.DONE
    ended = entry_of(outbox_mails(app, "task_receipt")[0])
    assert int(ended["SEQUENCE"]) == 1 and str(ended["SUMMARY"]) == "【已完成】接口开发"
    assert not ended.walk("VALARM") and ended["DTSTART"].dt == date(2026, 11, 27)
    [ask] = outbox_mails(app, "task_verify")          # the host's verification request carries none
    assert ask["To"] == HOST and not due_parts(ask)
    # the host returns it: the owner's verification result carries the live entry again
    svc.ingest.process_raw(reply_to(ask, HOST, "退回，缺少接口文档"), "t", clock.now())
    assert app.store.get_task(1).status is TaskStatus.IN_PROGRESS
    [result] = outbox_mails(app, "task_verify_result")
    again = entry_of(result)
    assert int(again["SEQUENCE"]) == 2 and str(again["SUMMARY"]) == "【截止】接口开发" and again.walk("VALARM")


def test_verified_after_done_sends_nothing_new(env):
    app, svc, clock = env
    svc.ingest.process_raw(reply(OWNER, "已完成"), "t", clock.now())
    [ask] = outbox_mails(app, "task_verify")
    before = len(outbox_mails(app))
    svc.ingest.process_raw(reply_to(ask, HOST, "验收通过"), "t", clock.now())
    assert app.store.get_task(1).status is TaskStatus.VERIFIED
    assert all(not due_parts(m) for m in outbox_mails(app)[before:])


def test_a_new_owner_gets_the_entry_and_the_old_one_sees_it_end(env):
    app, svc, clock = env
    before = app.store.get_task(1)
    after = replace(before, owner=OTHER, due=date(2026, 12, 9))
    out = Outcome(tasks=[after])
    with app.store.transaction():
        ctx = app.context(clock.now(), snapshot.for_task(app.store, 1))  # its log numbers the entry
        due_entries.follow(ctx, before, after, out, app.store.get_meeting(1))
        svc.outbox.commit(out, clock.now())
    [new] = [m for m in outbox_mails(app, "task_due_entry") if m["To"] == OTHER]
    [old] = [m for m in outbox_mails(app, "task_due_entry") if m["To"] == OWNER]
    live, gone = entry_of(new), entry_of(old)
    assert str(live["UID"]) == str(gone["UID"]) and int(live["SEQUENCE"]) == int(gone["SEQUENCE"]) == 1
    assert live["DTSTART"].dt == date(2026, 12, 9) and "负责人：李娜" in str(live["DESCRIPTION"])
    assert str(gone["SUMMARY"]).startswith("【已完成】") and gone["DTSTART"].dt == date(2026, 11, 27)
    assert "现由您负责" in body_text(new) and "已改由李娜负责" in body_text(old)


def test_the_assignment_entry_is_publish_utf8_with_names(env):
    app, svc, clock = env
    ctx = app.context(clock.now(), Snapshot())  # the mail reads nothing stored
    mail = minutes_flow.assignment_mail(ctx, app.store.get_meeting(1), app.store.get_task(1), clock.now())
    with app.store.transaction():
        svc.outbox.commit(Outcome(mails=[mail]), clock.now())
    ev = entry_of(outbox_mails(app, "task_assigned")[0])
    assert int(ev["SEQUENCE"]) == 0 and "协同人：李娜" in str(ev["DESCRIPTION"])
    assert "@" not in str(ev["DESCRIPTION"])


def test_every_due_entry_passes_ical_js(env, tmp_path):
    require_ical_js()
    app, svc, clock = env
    svc.ingest.process_raw(reply(HOST, "这个任务延期到12月2日，原因：需求有调整"), "t", clock.now())
    svc.ingest.process_raw(reply(OWNER, "已完成", day=21), "t", clock.now())
    files = []
    for i, m in enumerate(outbox_mails(app)):
        for j, part in enumerate(due_parts(m)):
            path = tmp_path / f"{i}-{j}.ics"
            path.write_bytes(part.get_payload(decode=True))
            files.append(str(path))
    assert len(files) == 2
    done = run_ical_js(files)
    assert done.returncode == 0, done.stderr or done.stdout
