"""Due dates never fall on a day off unnoticed: a due date on a weekend or an official holiday
(China's calendar, 调休 included) is kept but flagged to the host (cc the recorder) when the tasks
are assigned, and a reminder says "今天到期" only on the due date itself."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from apphelp import SH, body_text, make_app, outbox_mails, reply_to
from mailflow.flows import due_entries
from mailflow.timeline import actions as timeline
from mailflow.model import Attendee, Meeting, Outcome, Role, Snapshot, Task
from minuteshelp import CLEAN_DRAFT, DRAFT_AT, DRAFT_DATE, mails, requested, send

HOST, RECORDER = "wanglei@corp.example", "sunli@corp.example"


def test_a_saturday_due_date_in_the_minutes_is_kept_and_flagged_to_host_and_recorder(world):
    app, svc, clock, m = world
    req = requested(world)
    draft = CLEAN_DRAFT.replace("计划完成时间：11月30日", "计划完成时间：11月28日")   # a Saturday
    send(svc, reply_to(req, RECORDER, draft, date=DRAFT_DATE))
    (review,) = mails(app, "minutes_review")
    send(svc, reply_to(review, HOST, "确认"), DRAFT_AT + timedelta(hours=2))
    budget = next(t for t in app.store.tasks() if t.title == "活动预算清单")
    assert budget.due == date(2026, 11, 28)                      # kept as the minutes say
    (note,) = mails(app, "task_due_day_off")
    assert note["To"] == HOST and note["Cc"] == RECORDER
    text = body_text(note)
    assert "活动预算清单（负责人：周强）：2026-11-28 是周六，此前最后一个工作日是 2026-11-27" in text
    assert "设计稿" not in text                                  # 11月26日 is a Thursday


def ctx_in_september(tmp_path):
    app, svc, clock = make_app(tmp_path, datetime(2026, 9, 15, 10, 0, tzinfo=SH))
    return app, svc


@pytest.mark.parametrize("due, flagged, why", [
    (date(2026, 10, 5), True, "国庆节"),      # a Monday inside the National Day holiday
    (date(2026, 10, 10), False, ""),         # a Saturday made a working day (调休)
    (date(2026, 10, 17), True, "周六"),
    (date(2026, 9, 25), True, "中秋节"),      # a Friday off
    (date(2026, 10, 9), False, ""),
])
def test_what_counts_as_a_day_off_follows_chinas_calendar(tmp_path, due, flagged, why):
    app, svc = ctx_in_september(tmp_path)
    try:
        now = datetime(2026, 9, 15, 10, 0, tzinfo=SH)
        m = Meeting(id=3, uid="u3@corp.example", title="国庆前协调会", start=now, end=now + timedelta(hours=1),
                    host=HOST, recorder=RECORDER, attendees=[Attendee(HOST, Role.HOST)])
        mails_ = due_entries.days_off_notice(app.context(now, Snapshot()), m,
                                              [Task(id=9, title="交付", owner="lina@corp.example", due=due)])
        assert bool(mails_) is flagged
        if flagged:
            with app.store.transaction():
                svc.outbox.commit(Outcome(mails=mails_), now)
            assert f"{due:%Y-%m-%d} 是{why}" in body_text(outbox_mails(app, "task_due_day_off")[0])
    finally:
        app.close()


def test_the_english_notice_names_the_holiday(tmp_path):
    app, svc = ctx_in_september(tmp_path)
    try:
        ctx = app.context(datetime(2026, 9, 15, 10, 0, tzinfo=SH), Snapshot())
        assert due_entries.day_off_reason(ctx, date(2026, 10, 5), "en") == "National Day"
        assert due_entries.day_off_reason(ctx, date(2026, 10, 17), "zh-TW") == "週六"
    finally:
        app.close()


# --------------------------------------------------------------------------- reminder wording
@pytest.fixture
def saturday_task(tmp_path):
    start = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    app, svc, clock = make_app(tmp_path, start)
    m = Meeting(id=None, uid="m-sat@corp.example", title="产品发布协调会",
                start=datetime(2026, 11, 18, 14, 0, tzinfo=SH), end=datetime(2026, 11, 18, 15, 0, tzinfo=SH),
                host=HOST, recorder=RECORDER, attendees=[Attendee(HOST, Role.HOST)])
    app.store.save_meeting(m, start)
    app.store.save_task(Task(id=None, title="接口开发", owner="zhangwei@corp.example", due=date(2026, 11, 28),
                             meeting_id=m.id), start)
    yield app, svc
    app.close()


def test_the_last_reminder_before_a_saturday_due_date_does_not_say_today(saturday_task):
    app, svc = saturday_task
    svc.ticker.tick_once(datetime(2026, 11, 27, 9, 5, tzinfo=SH))          # Friday: the last working day before
    reminders = outbox_mails(app, "due_reminder")
    assert reminders, "the reminder one working day before is sent"
    last = reminders[-1]
    words = last["Subject"] + body_text(last)
    assert "今天到期" not in words and "就是今天" not in words
    assert "在非工作日到期" in last["Subject"] and "截止日不是工作日，今天是此前最后一个工作日" in body_text(last)


@pytest.mark.parametrize("today, due, when", [
    (date(2026, 11, 27), date(2026, 11, 27), "today"),
    (date(2026, 11, 27), date(2026, 11, 28), "day_off"),       # Friday before a Saturday due date
    (date(2026, 11, 26), date(2026, 11, 28), "ahead"),
    (date(2026, 11, 30), date(2026, 11, 28), "past"),
    (date(2026, 9, 30), date(2026, 10, 5), "day_off"),         # in National Day: no working day between
    (date(2026, 9, 30), date(2026, 10, 8), "ahead"),           # the first working day after it
])
def test_due_words(tmp_path, today, due, when):
    app, _svc, _ = make_app(tmp_path, datetime(2026, 9, 1, 9, 0, tzinfo=SH))
    try:
        got = timeline.due_words(app.context(datetime(2026, 9, 1, 9, 0, tzinfo=SH), Snapshot()), today, due)
        assert got["due_when"] == when
    finally:
        app.close()


# --------------------------------------------------------------------------- minutes due on a day off
@pytest.mark.parametrize("end, says", [
    (datetime(2026, 11, 27, 15, 0, tzinfo=SH), "该时间是周六，不是工作日"),      # Friday's meeting: due Saturday
    (datetime(2026, 11, 25, 15, 0, tzinfo=SH), None),                          # Wednesday's: due Thursday
])
def test_the_minutes_request_says_when_its_24_hours_end_on_a_day_off(tmp_path, end, says):
    app, svc, clock = make_app(tmp_path, end - timedelta(days=3))
    try:
        m = Meeting(id=None, uid="m-min@corp.example", title="周五评审会", start=end - timedelta(hours=1), end=end,
                    host=HOST, recorder=RECORDER, attendees=[Attendee(HOST, Role.HOST), Attendee(RECORDER, Role.RECORDER)])
        app.store.save_meeting(m, end - timedelta(days=3))
        svc.ticker.tick_once(end + timedelta(minutes=1))
        [req] = outbox_mails(app, "minutes_request")
        text = body_text(req)
        assert (says in text) if says else ("不是工作日" not in text)
    finally:
        app.close()
