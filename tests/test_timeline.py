"""Timelines: reminders, the weekly progress request, overdue notices, escalation, the follow-up
table and the host's digest go out on the right working day and hour, once — across 调休
Saturdays, National Day, month ends, downtime, quiet hours and moved due dates."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import date, datetime, time, timedelta
from types import ModuleType

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from apphelp import SH, body_text, make_app, outbox_mails, reply_to
from mailflow.timeline import due, plan, rules
from mailflow.timeline.moments import Clockwork, field_moment, scheduled_moment
from mailflow.cli import main
from mailflow.read.dates import WorkCalendar
from mailflow.model import Attendee, Mail, Meeting, NotLoaded, Role, Task, TaskEvent, TaskStatus
from mailflow.edges.store import Store

HOST, RECORDER = "wanglei@corp.example", "sunli@corp.example"
ZHANG, LI, CHEN, TOM = "zhangwei@corp.example", "lina@corp.example", "chenjing@corp.example", "tom@corp.example"
MANAGER = "zhaomin@corp.example"
MY_KINDS = ("due_reminder", "progress_request", "overdue", "escalation", "followup_table", "digest")


def at(y, mo, d, h=9, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


def add_meeting(app, end: datetime, attendees=(ZHANG, LI, CHEN), now=None) -> Meeting:
    m = Meeting(id=None, uid=f"m-{end.isoformat()}", title="Q4营销活动筹备会", start=end - timedelta(hours=2), end=end,
                host=HOST, recorder=RECORDER,
                attendees=[Attendee(HOST, Role.HOST), Attendee(RECORDER, Role.RECORDER)]
                + [Attendee(a, Role.REQUIRED) for a in attendees])
    return app.store.save_meeting(m, now or end)


def add_task(app, owner, due, title="提交需求文档", meeting=None, status=TaskStatus.IN_PROGRESS, now=None, **kw) -> Task:
    t = Task(id=None, title=title, owner=owner, due=due, meeting_id=meeting.id if meeting else None,
             status=status, **kw)
    return app.store.save_task(t, now or at(2026, 9, 1))


def run(svc, start: datetime, end: datetime, step=timedelta(minutes=30), each=None) -> None:
    """Step the daemon's tick through simulated time (inclusive of both ends)."""
    now = start
    while now <= end:
        if each:
            each(now)
        svc.ticker.tick_once(now)
        now += step


def sent(app, *kinds) -> list[dict]:
    out = []
    for r in app.store.outbox_history():
        if r["kind"] in (kinds or MY_KINDS):
            r["at"] = datetime.fromisoformat(r["created_at"]).astimezone(SH)
            out.append(r)
    return out


def moments(app, *kinds) -> list[tuple[str, datetime]]:
    return [(r["kind"], r["at"].replace(tzinfo=None)) for r in sent(app, *kinds)]


@pytest.fixture
def app_svc(tmp_path):
    app, svc, clock = make_app(tmp_path, at(2026, 9, 1))
    yield app, svc
    app.store.close()


# --- due reminders on the right working day --------------------------------------------------
@pytest.mark.parametrize("due, expected", [
    # after National Day: the 调休 Saturday 10-10 counts, the holiday week does not
    (date(2026, 10, 12), [datetime(2026, 10, 8, 9), datetime(2026, 10, 10, 9)]),
    # before National Day's second half: 3 working days back skip 10-01..10-07
    (date(2026, 10, 9), [datetime(2026, 9, 29, 9), datetime(2026, 10, 8, 9)]),
    # a month end: due on the 1st, reminded the Thursday before and on the 30th
    (date(2026, 12, 1), [datetime(2026, 11, 26, 9), datetime(2026, 11, 30, 9)]),
    # 中秋 Friday 09-25 is not a working day
    (date(2026, 9, 29), [datetime(2026, 9, 23, 9), datetime(2026, 9, 28, 9)]),
])
def test_an_owner_is_reminded_3_and_1_working_days_before_the_due_date(app_svc, due, expected):
    app, svc = app_svc
    add_task(app, ZHANG, due)
    run(svc, datetime.combine(due - timedelta(days=16), time(8), SH), datetime.combine(due, time(20), SH))
    assert moments(app, "due_reminder") == [("due_reminder", m) for m in expected]
    assert all(r["recipients"] == [ZHANG] for r in sent(app, "due_reminder"))


def test_a_task_not_started_also_gets_the_2_day_reminder(app_svc):
    app, svc = app_svc
    add_task(app, LI, date(2026, 11, 27), title="预算草案", status=TaskStatus.NOT_STARTED)
    run(svc, at(2026, 11, 20, 8), at(2026, 11, 27, 20))
    assert [m for _, m in moments(app, "due_reminder")] == [
        datetime(2026, 11, 24, 9), datetime(2026, 11, 25, 9), datetime(2026, 11, 26, 9)]
    subjects = [r["subject"] for r in sent(app, "due_reminder")]
    assert "还有3个工作日到期" in subjects[0] and "还有1个工作日到期" in subjects[2]
    assert "未开始" in body_text(outbox_mails(app, "due_reminder")[0])


def test_a_done_task_gets_no_more_reminders(app_svc):
    app, svc = app_svc
    t = add_task(app, ZHANG, date(2026, 11, 25))
    run(svc, at(2026, 11, 20, 8), at(2026, 11, 22, 12))
    t.status = TaskStatus.DONE
    app.store.save_task(t, at(2026, 11, 22, 12))
    run(svc, at(2026, 11, 22, 12, 30), at(2026, 12, 4, 12))
    assert [m for _, m in moments(app, "due_reminder", "overdue")] == [datetime(2026, 11, 20, 9)]


def test_a_reminder_crossing_into_2027_is_counted_monday_to_friday_and_says_so(app_svc, caplog):
    app, svc = app_svc
    add_task(app, ZHANG, date(2027, 1, 5))
    with caplog.at_level(logging.INFO, logger="mailflow"):
        run(svc, at(2026, 12, 28, 8), at(2027, 1, 5, 12))
    # no 2027 calendar yet: 01-01 is counted as a working day, and the log says so
    assert [m for _, m in moments(app, "due_reminder")] == [datetime(2026, 12, 31, 9), datetime(2027, 1, 4, 9)]
    assert "calendar_gap" in caplog.text or "calendar gap" in caplog.text


# --- overdue and escalation ------------------------------------------------------------------------
def test_overdue_the_next_working_day_at_0930_then_escalation_to_the_manager(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    add_task(app, LI, date(2026, 11, 27), title="预算草案", meeting=m)
    run(svc, at(2026, 11, 27, 8), at(2026, 12, 4, 20))
    over, esc = sent(app, "overdue"), sent(app, "escalation")
    assert [r["at"].replace(tzinfo=None) for r in over] == [datetime(2026, 11, 30, 9, 30)]
    assert over[0]["recipients"] == [LI, HOST]
    assert [r["at"].replace(tzinfo=None) for r in esc] == [datetime(2026, 12, 2, 9, 30)]
    assert esc[0]["recipients"] == [MANAGER, LI, HOST]
    mail = outbox_mails(app, "escalation")[0]
    assert "专项复盘" in body_text(mail) and "李娜" in mail["Subject"]
    assert mail["Subject"].startswith("[MF-T")


def test_no_escalation_once_the_task_is_done(app_svc):
    app, svc = app_svc
    t = add_task(app, LI, date(2026, 11, 27))
    run(svc, at(2026, 11, 27, 8), at(2026, 11, 30, 12))
    t.status = TaskStatus.DONE
    app.store.save_task(t, at(2026, 11, 30, 12))
    run(svc, at(2026, 11, 30, 12, 30), at(2026, 12, 7, 12))
    assert [k for k, _ in moments(app, "overdue", "escalation")] == ["overdue"]


def test_an_owner_without_a_manager_is_escalated_to_the_host(tmp_path):
    people = ("people:\n  - {name: 王磊, email: wanglei@corp.example}\n"
              "  - {name: 独行侠, email: solo@corp.example}\n")
    app, svc, _ = make_app(tmp_path, at(2026, 11, 1), people=people)
    m = add_meeting(app, at(2026, 11, 18, 16), attendees=("solo@corp.example",))
    add_task(app, "solo@corp.example", date(2026, 11, 27), meeting=m)
    run(svc, at(2026, 12, 2, 9), at(2026, 12, 2, 10))
    assert sent(app, "escalation")[0]["recipients"] == [HOST, "solo@corp.example"]


# --- a due date moved by a delay ------------------------------------------------------------------
def test_a_delayed_task_is_reminded_for_its_new_date_and_not_the_old_one(app_svc):
    app, svc = app_svc
    t = add_task(app, CHEN, date(2026, 12, 8), title="活动页面设计")
    run(svc, at(2026, 12, 1, 8), at(2026, 12, 4, 10))
    t.due, t.status, t.delay_reason = date(2026, 12, 15), TaskStatus.DELAYED, "设计部排期冲突"
    app.store.save_task(t, at(2026, 12, 4, 10))
    run(svc, at(2026, 12, 4, 10, 30), at(2026, 12, 17, 20))
    assert [m for _, m in moments(app, "due_reminder", "overdue")] == [
        datetime(2026, 12, 3, 9),                          # 3 days before the old date
        datetime(2026, 12, 10, 9), datetime(2026, 12, 14, 9),   # the new date's reminders
        datetime(2026, 12, 16, 9, 30)]                     # overdue for the new date only
    assert "2026-12-15" in sent(app, "due_reminder")[-1]["subject"]


# --- the weekly progress request ------------------------------------------------------------------
def test_one_numbered_progress_request_per_person_on_friday_at_1600(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    a = add_task(app, ZHANG, date(2026, 12, 4), title="提交需求文档", meeting=m)
    b = add_task(app, ZHANG, date(2026, 11, 30), title="竞品分析", meeting=m)
    add_task(app, ZHANG, date(2026, 11, 25), title="已经做完的", meeting=m, status=TaskStatus.DONE)
    add_task(app, TOM, date(2026, 12, 4), title="Landing page copy", meeting=m)
    run(svc, at(2026, 11, 20, 12), at(2026, 11, 21, 12))
    reqs = sent(app, "progress_request")
    assert sorted((r["recipients"], r["at"].replace(tzinfo=None)) for r in reqs) == [
        ([TOM], datetime(2026, 11, 20, 16)), ([ZHANG], datetime(2026, 11, 20, 16))]
    zhang = next(r for r in reqs if r["recipients"] == [ZHANG])
    # numbered by due date; the ids are kept with the sent mail for "1 已完成；2 进行中 60%"
    assert app.store.outbox_items(zhang["id"]) == [b.id, a.id]
    mail = next(x for x in outbox_mails(app, "progress_request") if x["To"] == ZHANG)
    text = body_text(mail)
    assert text.index("1. 竞品分析") < text.index("2. 提交需求文档") and "已经做完的" not in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    cells = [[td.get_text() for td in tr.find_all("td")] for tr in BeautifulSoup(html, "html.parser").find_all("tr")][1:]
    assert [c[:2] for c in cells] == [["1", "竞品分析"], ["2", "提交需求文档"]]
    tom = next(x for x in outbox_mails(app, "progress_request") if x["To"] == TOM)
    assert tom["Subject"].startswith("[MF-T") and "Weekly progress update" in tom["Subject"]


def test_a_numbered_answer_to_the_progress_request_updates_each_task(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    a = add_task(app, ZHANG, date(2026, 11, 30), title="竞品分析", meeting=m)
    b = add_task(app, ZHANG, date(2026, 12, 4), title="提交需求文档", meeting=m)
    run(svc, at(2026, 11, 20, 15, 30), at(2026, 11, 20, 16))
    request = outbox_mails(app, "progress_request")[0]
    svc.ingest.process_raw(reply_to(request, ZHANG, "1 已完成；2 进行中 60%", date="Fri, 20 Nov 2026 17:00:00 +0800"),
                           "t", at(2026, 11, 20, 17))
    assert app.store.get_task(a.id).status is TaskStatus.DONE
    got = app.store.get_task(b.id)
    assert got.status is TaskStatus.IN_PROGRESS and got.percent == 60


def test_a_holiday_friday_request_waits_for_the_next_window_but_never_twice_in_a_week(app_svc):
    app, svc = app_svc
    add_task(app, ZHANG, date(2026, 12, 31))
    run(svc, at(2026, 9, 18, 8), at(2026, 10, 17, 20))
    assert [m for _, m in moments(app, "progress_request")] == [
        datetime(2026, 9, 18, 16),
        datetime(2026, 9, 28, 9),     # 09-25 is 中秋: the next working day
        # 10-02 is National Day: its request would land on 10-08, the week of 10-09's — covered by it
        datetime(2026, 10, 9, 16),
        datetime(2026, 10, 16, 16)]


# --- the follow-up table ----------------------------------------------------------------------------
def test_the_followup_table_goes_weekly_from_7_days_after_the_meeting_until_all_tasks_close(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16), attendees=(ZHANG, LI, CHEN))
    a = add_task(app, ZHANG, date(2026, 11, 25), title="提交需求文档", meeting=m, percent=40)
    b = add_task(app, LI, date(2026, 12, 4), title="预算草案", meeting=m, risk=True, risk_note="等财务部确认")

    def close(now):
        if now == at(2026, 12, 7, 12):
            for t in (a, b):
                t.status = TaskStatus.VERIFIED
                app.store.save_task(t, now)
    run(svc, at(2026, 11, 18, 16), at(2026, 12, 17, 12), each=close)
    tables = sent(app, "followup_table")
    assert sorted({r["at"].replace(tzinfo=None) for r in tables}) == [datetime(2026, 11, 25, 9), datetime(2026, 12, 2, 9)]
    first = [r for r in tables if r["at"] == at(2026, 11, 25, 9)]
    assert sorted(sum((r["recipients"] for r in first), [])) == sorted([HOST, RECORDER, ZHANG, LI, CHEN])
    assert any(r["recipients"] == [CHEN] and "會議決議跟進表" in r["subject"] for r in first)


def test_the_xlsx_attachment_opens_and_matches_the_html_table(app_svc):
    from openpyxl import load_workbook
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16), attendees=(ZHANG, LI))
    t = add_task(app, ZHANG, date(2026, 11, 24), title="提交需求文档", meeting=m, percent=40, item_no=1)
    app.store.add_task_event(TaskEvent(task_id=t.id, at=at(2026, 11, 23, 15), actor=ZHANG, kind="progress",
                                       text="进行中 40%，已完成初稿"))
    add_task(app, LI, date(2026, 12, 4), title="预算草案 <含税>", meeting=m, risk=True, risk_note="等财务部确认",
             status=TaskStatus.NOT_STARTED, item_no=2)
    run(svc, at(2026, 11, 25, 8, 30), at(2026, 11, 25, 9))
    mail = outbox_mails(app, "followup_table")[0]
    att = next(p for p in mail.iter_attachments())
    assert att.get_filename().endswith(".xlsx")
    ws = load_workbook(io.BytesIO(att.get_content())).active
    sheet = [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]
    html = mail.get_body(preferencelist=("html",)).get_content()
    table = [[cell.get_text() for cell in tr.find_all(["th", "td"])]
             for tr in BeautifulSoup(html, "html.parser").find("table").find_all("tr")]
    assert sheet == table
    assert table[0] == ["序号", "任务", "负责人", "截止日期", "状态", "进度", "风险", "最近更新"]
    assert table[1][:6] == ["1", "提交需求文档", "张伟", "2026-11-24", "进行中（已逾期）", "40%"]
    assert table[1][7] == "2026-11-23：进行中 40%，已完成初稿"
    assert table[2][1] == "预算草案 <含税>" and table[2][6] == "等财务部确认"
    assert "预算草案 &lt;含税&gt;" in html


# --- the host's digest ------------------------------------------------------------------------------
def test_the_host_gets_a_daily_digest_of_replies_that_need_a_human(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    t = add_task(app, LI, date(2026, 12, 4), meeting=m)
    for i, (when, sender) in enumerate([(at(2026, 11, 20, 11), LI), (at(2026, 11, 21, 10), LI)]):
        app.store.record_inbound(message_id=f"<x{i}@client>", raw=b"x", mailbox_key="k", received_at=when,
                                 sender=sender, subject="回复：任务", status="unknown", detail="这个再看看吧",
                                 task_id=t.id)
    app.store.record_inbound(message_id="<ok@client>", raw=b"x", mailbox_key="k", received_at=at(2026, 11, 20, 12),
                             sender=LI, subject="回复", status="applied", task_id=t.id)
    run(svc, at(2026, 11, 20, 8), at(2026, 11, 24, 20))
    digests = sent(app, "digest")
    assert [(r["recipients"], r["at"].replace(tzinfo=None)) for r in digests] == [
        ([HOST], datetime(2026, 11, 20, 17, 30)),
        ([HOST], datetime(2026, 11, 23, 17, 30))]      # Saturday's reply waits for Monday
    assert "李娜" in body_text(outbox_mails(app, "digest")[0])


# --- downtime, quiet hours, the hourly cap ----------------------------------------------------------
def test_after_72_hours_down_each_missed_step_fires_once_and_stale_ones_are_skipped(app_svc, caplog):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 4, 16))
    add_task(app, ZHANG, date(2026, 11, 25), meeting=m)      # -3: Fri 11-20 09:00 (max_late 1 day)
    add_task(app, LI, date(2026, 11, 17), meeting=m)         # escalation Fri 11-20 09:30 (max_late 3 days)
    add_task(app, CHEN, date(2026, 11, 26), meeting=m)       # -3: Mon 11-23 09:00, after the downtime
    run(svc, at(2026, 11, 19, 8), at(2026, 11, 19, 17, 30))
    before = len(sent(app))
    with caplog.at_level(logging.INFO, logger="mailflow"):
        # down from Thu 17:30 to Sun 17:30; ticks every 30 minutes again from then on
        run(svc, at(2026, 11, 22, 17, 30), at(2026, 11, 24, 12))
    new = sent(app)[before:]
    assert sorted((r["kind"], r["recipients"][0], r["at"].replace(tzinfo=None)) for r in new
                  if r["kind"] != "followup_table") == sorted([
        ("escalation", MANAGER, datetime(2026, 11, 23, 9)),          # 3 days late, within max_late
        ("due_reminder", CHEN, datetime(2026, 11, 23, 9)),
        ("due_reminder", ZHANG, datetime(2026, 11, 24, 9)),          # -1 for 11-25
    ])
    assert "skipped task_due_reminder_3 for t1" in caplog.text
    assert "skipped progress_request" in caplog.text
    assert app.store.firings("task_due_reminder_3", "t1")[0]["status"] == "skipped"
    # and running the same moments again sends nothing more
    run(svc, at(2026, 11, 23, 9), at(2026, 11, 24, 12))
    assert len(sent(app)) == before + len(new)


def test_a_short_outage_in_working_hours_sends_the_missed_step_once_when_back(app_svc):
    app, svc = app_svc
    add_task(app, ZHANG, date(2026, 11, 25))
    run(svc, at(2026, 11, 20, 8), at(2026, 11, 20, 8, 30))
    run(svc, at(2026, 11, 20, 11, 7), at(2026, 11, 20, 13), step=timedelta(minutes=1))
    assert [(k, m) for k, m in moments(app)] == [("due_reminder", datetime(2026, 11, 20, 11, 7))]


def test_nothing_goes_out_outside_working_hours(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 9, 23, 18, 30))            # follow-up due 09-30 … then 10-07 (holiday)
    for i, day in enumerate([date(2026, 10, 9), date(2026, 10, 12), date(2026, 10, 1), date(2026, 9, 30)]):
        add_task(app, [ZHANG, LI, CHEN, TOM][i], day, meeting=m, status=TaskStatus.NOT_STARTED)
    run(svc, at(2026, 9, 24, 0), at(2026, 10, 20, 23, 30), step=timedelta(minutes=10))
    cal = WorkCalendar()
    rows = sent(app)
    assert len(rows) > 15
    for r in rows:
        assert cal.is_workday(r["at"].date()) and time(9) <= r["at"].time() < time(18), r
    tables = sorted({r["at"].replace(tzinfo=None) for r in rows if r["kind"] == "followup_table"})
    assert tables[:2] == [datetime(2026, 9, 30, 9), datetime(2026, 10, 8, 9)]


def test_the_hourly_cap_holds_reminders_and_answers_alike(tmp_path, caplog):
    app, svc, _ = make_app(tmp_path, at(2026, 11, 20, 8), smtp={"hourly_cap": 3})
    for i in range(5):
        add_task(app, ZHANG, date(2026, 11, 25), title=f"任务{i + 1}")
    add_task(app, LI, date(2026, 11, 25))
    with caplog.at_level(logging.WARNING, logger="mailflow"):
        run(svc, at(2026, 11, 20, 8, 30), at(2026, 11, 20, 9, 30))
    states = app.store.outbox_history()
    zhang = [(s["status"], s["not_before"] is not None) for s in states if ZHANG in s["recipients"]]
    # every automatic mail beyond the cap is held for a human (issue 12: nothing loops on its own)
    assert zhang == [("queued", False)] * 3 + [("held", False)] * 2
    assert [s["status"] for s in states if LI in s["recipients"]] == ["queued"]
    assert "hourly cap" in caplog.text
    # a mail loop can only be fed by answers to inbound mail: those are held for a human
    for i in range(3):
        svc.outbox.queue(Mail(key=f"loop:{i}", template="help", to=[LI], in_reply_to=f"<loop{i}@x.example>",
                              context={"name": "李娜", "subject": "x"}), at(2026, 11, 20, 9, 40))
    assert [s["status"] for s in app.store.outbox_history(to=LI)] == ["queued", "queued", "queued", "held"]


# --- the engine, pure ----------------------------------------------------------------------------
def _rule(**trigger) -> rules.Rule:
    scope = "owner" if ("weekly" in trigger or "daily" in trigger) else "task"
    return rules.parse_rules({"rules": [{"name": "r", "scope": scope, "trigger": trigger, "action": "x"}]},
                             "test.yaml")[0]


CW = Clockwork(tz=SH, work_start=time(9), work_end=time(18), calendar=WorkCalendar())


@pytest.mark.parametrize("weekday, now, expected", [
    ("sat", at(2026, 10, 10, 16, 5), at(2026, 10, 10, 16)),    # 调休 Saturday: a working day, on time
    ("sat", at(2026, 10, 17, 16, 5), None),                    # an ordinary Saturday: not now …
    ("sat", at(2026, 10, 19, 9, 5), at(2026, 10, 19, 9)),      # … but Monday morning
    ("fri", at(2026, 10, 2, 16, 5), None),                     # National Day
    ("fri", at(2026, 10, 8, 9, 5), None),                      # superseded by 10-09's
    ("fri", at(2026, 10, 9, 16, 5), at(2026, 10, 9, 16)),
    ("fri", at(2026, 5, 6, 9, 5), None),                       # 05-01 holiday: 05-06 is in 05-08's week
    ("fri", at(2026, 5, 8, 16, 5), at(2026, 5, 8, 16)),
])
def test_weekly_moments_around_holidays_and_tiaoxiu(weekday, now, expected):
    rule = _rule(weekly=weekday, at="16:00")
    assert scheduled_moment(rule, now - timedelta(minutes=10), now, CW) == expected


def test_quiet_hours_move_a_moment_to_the_next_window():
    rule = _rule(field="task.due", offset=0, unit="days", at="20:00")
    task = Task(id=1, title="x", owner=ZHANG, due=date(2026, 10, 9))
    assert field_moment(rule, task, None, at(2026, 10, 10, 12), CW) == at(2026, 10, 10, 9)   # 调休 Sat
    task.due = date(2026, 9, 30)
    assert field_moment(rule, task, None, at(2026, 10, 8, 12), CW) == at(2026, 10, 8, 9)
    assert field_moment(rule, task, None, at(2026, 10, 7, 12), CW) is None


def test_after_downtime_a_repeating_rule_fires_only_its_latest_occurrence():
    rule = rules.parse_rules({"rules": [{"name": "f", "scope": "meeting", "action": "x", "trigger": {
        "field": "meeting.end", "offset": 7, "unit": "days", "at": "work_start", "repeat": "7 days"}}]}, "t.yaml")[0]
    m = Meeting(id=7, uid="u", title="t", start=at(2026, 11, 4, 14), end=at(2026, 11, 4, 16))
    steps = due.due_steps(rule, [m], at(2026, 12, 3, 10), CW, since=at(2026, 11, 10))
    assert [(s.moment, s.skipped) for s in steps] == [(at(2026, 12, 2, 9), False)]
    stale = due.due_steps(rule, [m], at(2026, 12, 8, 10), CW, since=at(2026, 11, 10))
    assert [(s.moment, s.skipped) for s in stale] == [(at(2026, 12, 2, 9), True)]


def test_a_tick_between_moments_reads_nothing(app_svc):
    app, svc = app_svc
    for i in range(50):
        add_task(app, ZHANG, date(2026, 11, 25) + timedelta(days=i % 20))
    svc.ticker.tick_once(at(2026, 11, 20, 10))
    statements: list[str] = []
    with app.store.tracing(statements.append):              # every SQL statement the tick runs
        svc.ticker.tick_once(at(2026, 11, 20, 10, 30))
        svc.ticker.tick_once(at(2026, 11, 20, 11, 30))
    assert statements, "the trace saw nothing: it would prove nothing"
    task_reads = [q for q in statements if re.search(r"\b(FROM|JOIN)\s+[\"\[]?(tasks|task_events)\b", q, re.I)]
    assert task_reads == []


# --- a whole meeting, four weeks ------------------------------------------------------------------
def test_four_weeks_of_a_meeting_every_mail_on_its_working_day_and_hour_once(app_svc):
    """Meeting Wed 11-18; tasks from its minutes the next day; replies change them on the way."""
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16), now=at(2026, 11, 10))
    created = at(2026, 11, 19, 10)
    t1 = add_task(app, ZHANG, date(2026, 11, 25), "提交需求文档", m, now=created, item_no=1)
    t2 = add_task(app, LI, date(2026, 11, 27), "预算草案", m, status=TaskStatus.NOT_STARTED, now=created, item_no=2)
    t3 = add_task(app, CHEN, date(2026, 12, 8), "活动页面设计", m, now=created, item_no=3)

    def events(now):
        def change(t, **kw):
            for k, v in kw.items():
                setattr(t, k, v)
            app.store.save_task(t, now)
        if now == at(2026, 11, 24, 14):
            change(t1, status=TaskStatus.DONE, percent=100)
        if now == at(2026, 11, 26, 11):
            app.store.record_inbound(message_id="<q@client>", raw=b"x", mailbox_key="k", received_at=now, sender=LI,
                                     subject="回复：预算草案", status="unknown", detail="这个我再看看", task_id=t2.id)
        if now == at(2026, 12, 3, 10):
            change(t2, status=TaskStatus.DONE)
        if now == at(2026, 12, 4, 10):
            change(t3, due=date(2026, 12, 15), status=TaskStatus.DELAYED, delay_reason="设计排期冲突")
        if now == at(2026, 12, 14, 15):
            change(t3, status=TaskStatus.DONE)

    run(svc, at(2026, 11, 19, 8), at(2026, 12, 17, 20), each=events)
    got = sorted((r["kind"], tuple(r["recipients"]), r["at"].replace(tzinfo=None)) for r in sent(app))
    D = datetime
    expected = sorted([
        # 张伟 (T1, due 11-25, in progress): 3 and 1 working days before; done 11-24
        ("due_reminder", (ZHANG,), D(2026, 11, 20, 9)), ("due_reminder", (ZHANG,), D(2026, 11, 24, 9)),
        # 李娜 (T2, due 11-27, not started = at risk): 3, 2, 1 days before; overdue; escalation
        ("due_reminder", (LI,), D(2026, 11, 24, 9)), ("due_reminder", (LI,), D(2026, 11, 25, 9)),
        ("due_reminder", (LI,), D(2026, 11, 26, 9)),
        ("overdue", (LI, HOST), D(2026, 11, 30, 9, 30)),
        ("escalation", (MANAGER, LI, HOST), D(2026, 12, 2, 9, 30)),
        # 陈静 (T3, due 12-08, delayed on 12-04 to 12-15): old -3 on 12-03, then the new date's
        ("due_reminder", (CHEN,), D(2026, 12, 3, 9)),
        ("due_reminder", (CHEN,), D(2026, 12, 10, 9)), ("due_reminder", (CHEN,), D(2026, 12, 14, 9)),
        # Fridays 16:00: everyone with open tasks, one mail each
        ("progress_request", (ZHANG,), D(2026, 11, 20, 16)), ("progress_request", (LI,), D(2026, 11, 20, 16)),
        ("progress_request", (CHEN,), D(2026, 11, 20, 16)),
        ("progress_request", (LI,), D(2026, 11, 27, 16)), ("progress_request", (CHEN,), D(2026, 11, 27, 16)),
        ("progress_request", (CHEN,), D(2026, 12, 4, 16)), ("progress_request", (CHEN,), D(2026, 12, 11, 16)),
        # the follow-up table: 7 days after, then weekly while tasks are open (zh-CN group + 陈静 in zh-TW)
        *[("followup_table", (HOST, RECORDER, ZHANG, LI), D(2026, 11, 25 + 7 * i, 9) if i == 0 else
           D(2026, 12, 2 + 7 * (i - 1), 9)) for i in range(3)],
        *[("followup_table", (CHEN,), d) for d in (D(2026, 11, 25, 9), D(2026, 12, 2, 9), D(2026, 12, 9, 9))],
        # the host's digest of the reply that needs a human
        ("digest", (HOST,), D(2026, 11, 26, 17, 30)),
    ])
    assert got == expected


def test_the_lifecycle_through_the_cli_in_a_folder_made_by_init(tmp_path, monkeypatch):
    runner = CliRunner()
    folder = tmp_path / "mf"
    assert runner.invoke(main, ["init", str(folder)]).exit_code == 0
    monkeypatch.chdir(folder)
    monkeypatch.delenv("MAILFLOW_CONFIG", raising=False)
    store = Store(folder / "mailflow.db")
    m = Meeting(id=None, uid="cli-1", title="Q4营销活动筹备会", start=at(2026, 11, 18, 14), end=at(2026, 11, 18, 16),
                host=HOST, recorder=RECORDER, attendees=[Attendee(ZHANG, Role.REQUIRED), Attendee(LI, Role.REQUIRED)])
    store.save_meeting(m, at(2026, 11, 10))
    store.save_task(Task(id=None, title="预算草案", owner=LI, due=date(2026, 11, 27), meeting_id=m.id), at(2026, 11, 19))
    store.close()

    def once(now: datetime) -> list[str]:
        before = set((folder / "mail" / "sent").rglob("*"))
        result = runner.invoke(main, ["run", "--once", "--now", now.isoformat()])
        assert result.exit_code == 0, result.output
        return sorted(p.name for p in set((folder / "mail" / "sent").rglob("*")) - before if p.is_file())

    def kinds() -> list[tuple[str, str]]:
        s = Store(folder / "mailflow.db")
        rows = [(r["kind"], r["created_at"][:16]) for r in s.outbox_history() if r["kind"] in MY_KINDS]
        s.close()
        return rows

    for now in [at(2026, 11, 24, 8, 59), at(2026, 11, 24, 9), at(2026, 11, 24, 9, 1), at(2026, 11, 25, 9),
                at(2026, 11, 26, 9), at(2026, 11, 27, 16), at(2026, 11, 27, 16, 30), at(2026, 11, 30, 9, 30),
                at(2026, 11, 30, 10), at(2026, 12, 2, 9, 30)]:
        once(now)
    # not started = at risk: 3, 2 and 1 working days before; each once although run twice at 09:00-ish
    assert sorted(kinds()) == sorted([
        ("due_reminder", "2026-11-24T09:00"), ("due_reminder", "2026-11-25T09:00"),
        ("due_reminder", "2026-11-26T09:00"), ("followup_table", "2026-11-25T09:00"),
        ("progress_request", "2026-11-27T16:00"), ("overdue", "2026-11-30T09:30"),
        ("escalation", "2026-12-02T09:30"),
        ("followup_table", "2026-12-02T09:30")])       # not run at 09:00 that day: sent at 09:30, once
    sent_files = list((folder / "mail" / "sent").rglob("*.eml")) or [p for p in (folder / "mail" / "sent").rglob("*")
                                                                       if p.is_file()]
    assert len(sent_files) >= 6


# --- the CLI: rules check and when ----------------------------------------------------------------
def test_rules_check_passes_the_shipped_rules_with_a_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "progress_request" in result.output and "weekly fri 16:00" in result.output
    assert result.output.strip().splitlines()[-1].startswith("ok: ")


def test_rules_check_names_the_file_the_rule_and_the_key_of_each_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "tasks.yaml").write_text(
        "rules:\n"
        "  - name: reminder\n    scope: task\n    trigger: {field: task.due, offset: -3, unit: weeks}\n"
        "    action: task_due_reminder\n"
        "  - name: weekly\n    scope: owner\n    trigger: {weekly: fri, at: 16:00}\n    action: progress_request\n"
        "  - name: nudge\n    scope: task\n    trigger: {field: task.due}\n    action: no_such_action\n"
        "    when: [no_such_condition]\n"
        "  - name: late\n    scope: task\n    trigger: {field: task.due}\n    action: task_overdue\n    max_late: soon\n",
        encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "check"])
    out = result.output                                    # stdout and stderr, as the terminal shows them
    assert result.exit_code == 2
    assert "tasks.yaml: rule reminder: key 'trigger'.unit" in out
    assert "tasks.yaml: rule weekly: key 'trigger'.at" in out and "quote it" in out
    assert "rule nudge: key 'action': unknown action 'no_such_action'" in out
    assert "rule nudge: key 'when': unknown condition 'no_such_condition'" in out
    assert "rule late: key 'max_late'" in out


def test_when_prints_one_line_per_expression(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["when", "本周五", "3个工作日内", "尽快", "--now", "2026-09-30T10:00"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("本周五\t2026-10-02")
    assert lines[1].startswith("3个工作日内\t2026-10-10")      # National Day, then the 调休 Saturday
    assert "vague" in lines[2]


def test_when_json_and_stdin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["when", "-", "--json", "--now", "2026-12-29T10:00"],
                                input="3个工作日内\n周五下班前\n待定\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.strip().splitlines() if line.startswith("{")]
    # 12-30, 12-31, then a working day of 2027, whose calendar is not published: no date, a gap
    assert rows[0] == {"text": "3个工作日内", "due": None, "time": None, "vague": False, "calendar_gap": True,
                       "error": None}
    assert rows[1]["due"] == "2027-01-01" and rows[1]["time"] == "18:00" and rows[1]["calendar_gap"]
    assert rows[2] == {"text": "待定", "due": None, "time": None, "vague": True, "calendar_gap": False, "error": None}


# --- never chase over a reply nobody has read ------------------------------------------------------
UNCLEAR = "周一我们当面碰一下？"          # a question: no status, so nothing the flows may act on


def _reply_to_the_reminder(app, svc, when, text):
    reminder = outbox_mails(app, "due_reminder")[-1]
    return svc.ingest.process_raw(reply_to(reminder, LI, text, date=when.strftime("%a, %d %b %Y %H:%M:%S +0800")),
                                  "test", when)


def test_an_unread_reply_after_the_last_reminder_holds_the_overdue_notice_and_the_escalation(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    add_task(app, LI, date(2026, 11, 27), title="预算草案", meeting=m)
    run(svc, at(2026, 11, 24, 8), at(2026, 11, 26, 10))                   # the last reminder: Thu 11-26 09:00
    assert _reply_to_the_reminder(app, svc, at(2026, 11, 26, 15), UNCLEAR) == "unknown"
    run(svc, at(2026, 11, 26, 15, 30), at(2026, 12, 4, 20))
    assert sent(app, "overdue", "escalation") == []                       # nobody chased on a misreading
    looks = sent(app, "task_host_look")
    assert [(r["recipients"], r["at"].replace(tzinfo=None)) for r in looks] == [
        ([HOST], datetime(2026, 11, 30, 9, 30)), ([HOST], datetime(2026, 12, 2, 9, 30))]
    first, second = outbox_mails(app, "task_host_look")
    assert UNCLEAR in body_text(first) and "逾期通知没有发出" in body_text(first)
    assert "上报赵敏" in body_text(second) and "李娜" in first["Subject"]


def test_a_reply_the_reminder_already_answered_does_not_hold_the_overdue_notice(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    add_task(app, LI, date(2026, 11, 27), title="预算草案", meeting=m)
    run(svc, at(2026, 11, 24, 8), at(2026, 11, 24, 10))                   # the 3-day reminder, Tue 11-24
    _reply_to_the_reminder(app, svc, at(2026, 11, 24, 11), UNCLEAR)
    run(svc, at(2026, 11, 24, 11, 30), at(2026, 11, 30, 12))              # reminded again on Thu, silence
    assert [r["at"].replace(tzinfo=None) for r in sent(app, "overdue")] == [datetime(2026, 11, 30, 9, 30)]
    assert sent(app, "task_host_look") == []


def test_a_clear_answer_after_the_unread_one_lets_the_chase_go_on(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    t = add_task(app, LI, date(2026, 11, 27), title="预算草案", meeting=m)
    run(svc, at(2026, 11, 24, 8), at(2026, 11, 26, 10))
    _reply_to_the_reminder(app, svc, at(2026, 11, 26, 15), UNCLEAR)
    assert _reply_to_the_reminder(app, svc, at(2026, 11, 26, 16), "进行中 70%") == "applied"
    assert app.store.get_task(t.id).percent == 70
    run(svc, at(2026, 11, 26, 16, 30), at(2026, 11, 30, 12))
    assert len(sent(app, "overdue")) == 1 and sent(app, "task_host_look") == []


def test_a_handover_request_is_not_escalated_over(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    t = add_task(app, LI, date(2026, 11, 27), title="预算草案", meeting=m)
    run(svc, at(2026, 11, 24, 8), at(2026, 11, 26, 10))
    _reply_to_the_reminder(app, svc, at(2026, 11, 26, 15), "这个改由王芳负责")
    assert app.store.get_task(t.id).owner == LI                            # the host decides, not us
    run(svc, at(2026, 11, 26, 15, 30), at(2026, 11, 30, 12))
    assert sent(app, "overdue") == []
    [look] = outbox_mails(app, "task_host_look")
    assert "申请转交任务" in body_text(look) and "这个改由王芳负责" in body_text(look)


def test_the_digest_quotes_what_the_sender_wrote_not_a_log_line(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    add_task(app, LI, date(2026, 12, 4), title="预算草案", meeting=m)
    run(svc, at(2026, 11, 30, 8), at(2026, 12, 1, 10))                    # the 3-day reminder, Tue 12-01
    _reply_to_the_reminder(app, svc, at(2026, 12, 1, 11), UNCLEAR + "\n\n李娜\n销售部")
    run(svc, at(2026, 12, 1, 11, 30), at(2026, 12, 1, 18))
    [digest] = outbox_mails(app, "digest")
    text = body_text(digest)
    assert UNCLEAR in text and "not understood" not in text


# --- the names rules may use: collected by an explicit call, each name once ------------------------------
def _module(name: str, **functions) -> ModuleType:
    module = ModuleType(name)
    for attr, fn in functions.items():
        fn.__module__ = name
        setattr(module, attr, fn)
    return module


def test_an_action_named_twice_is_refused_with_both_places_named():
    def remind(ctx, step):
        return None

    def remind_again(ctx, step):
        return None
    first = _module("ours.reminders", remind=rules.action("task_due_reminder")(remind))
    second = _module("ours.more_reminders", remind_again=rules.action("task_due_reminder")(remind_again))
    with pytest.raises(ValueError, match=r"rule action 'task_due_reminder' is registered twice: "
                                         r"ours\.reminders\..*remind and ours\.more_reminders\..*remind_again"):
        rules.collect([first, second])


def test_marking_an_action_registers_nothing_until_the_app_collects_it():
    def nudge(ctx, step):
        return None
    module = _module("ours.nudges", nudge=rules.action("nudge")(rules.condition("always")(nudge)))
    assert "nudge" not in rules.collect([]).actions
    names = rules.collect([module])
    assert names.actions["nudge"] is nudge and names.conditions["always"] is nudge
    imported = _module("ours.elsewhere")
    imported.nudge = nudge                                   # imported into another module: not twice
    assert list(rules.collect([module, imported]).actions) == ["nudge"]


def test_a_rule_naming_an_unknown_action_is_an_error_that_names_file_rule_and_key():
    (rule,) = rules.parse_rules({"rules": [{"name": "r", "scope": "task", "action": "no_such_action",
                                            "when": ["no_such_condition"],
                                            "trigger": {"field": "task.due", "offset": -1}}]}, "mine.yaml")
    errors = rules.check([rule], rules.collect([]))
    assert errors[0].startswith("mine.yaml: rule r: key 'action': unknown action 'no_such_action'")
    assert errors[1].startswith("mine.yaml: rule r: key 'when': unknown condition 'no_such_condition'")


# --- tick planning: what to ask the store, decided without it ------------------------------------------
def test_a_reminder_rule_plans_a_narrow_read_of_the_days_whose_reminder_falls_now():
    rule = _rule(field="task.due", offset=-1, unit="working_days", at="work_start")
    now = at(2026, 11, 23, 9, 0)                                      # Monday, work_start
    query = plan.plan(rule, now - timedelta(minutes=1), now, CW)
    assert query.read == "open_tasks_due_between"
    assert query.lo <= date(2026, 11, 24) <= query.hi                 # due Tuesday: reminded now
    assert query.hi < date(2026, 11, 30)                              # due next week: not read at all


def test_between_a_rules_moments_the_plan_reads_nothing():
    rule = _rule(field="task.due", offset=-3, unit="working_days", at="work_start")
    now = at(2026, 11, 23, 10, 17)
    assert plan.plan(rule, now - timedelta(minutes=1), now, CW).empty


def test_after_a_weekend_down_the_weekly_request_is_planned_once_and_not_after_it_was_recorded():
    rule = _rule(weekly="fri", at="16:00")
    back = at(2026, 11, 23, 10, 0)                                    # down from Thursday evening to Monday
    query = plan.plan(rule, at(2026, 11, 19, 17, 0), back, CW)
    assert query.read == "open_task_owners" and query.moment == at(2026, 11, 20, 16, 0)
    assert query.unless_fired == plan.occurrence_key(rule, at(2026, 11, 20, 16, 0))
    assert plan.plan(rule, back, back + timedelta(minutes=1), CW).empty      # the next tick: nothing again


def test_a_step_decides_over_what_the_tick_loaded_and_asks_the_store_nothing(app_svc):
    app, svc = app_svc
    m = add_meeting(app, at(2026, 11, 18, 16))
    t = add_task(app, ZHANG, date(2026, 11, 24), meeting=m)
    rule = next(r for r in app.rules if r.scope == "task" and r.action == "task_overdue")
    (step,) = due.due_steps(rule, [t], at(2026, 11, 25, 12), app.clockwork)
    snap = svc.ticker.load_step(step)
    assert snap.get_meeting(m.id).title == m.title and snap.task_events(t.id) == []
    with pytest.raises(NotLoaded):
        snap.tasks(owner=ZHANG)                                       # not this step's business
