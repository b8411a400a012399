"""A delay asked for a day on or before the current due contradicts itself ('延期到12月4日' when the
task is due 12月5日): the owner has another date in mind, so mailflow asks back instead of moving
the due earlier or dropping the request. A delay to a later day, or by a span, is applied at once.
(bench/common.py once generated the contradictory kind and counted the ask-backs as unknown.)"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow.model import Attendee, Meeting, Role, Task, TaskStatus

from apphelp import SHARED, make_app, outbox_mails
from mailflow.testing import make_mail

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 20, 10, 0, tzinfo=SH)           # a Friday
HOST, OWNER = "wanglei@corp.example", "zhangwei@corp.example"
DUE = date(2026, 12, 5)


def setup(tmp_path):
    app, svc, clock = make_app(tmp_path, START)
    m = Meeting(id=None, uid="m-delay@corp.example", title="周例会", start=datetime(2026, 11, 18, 14, 0, tzinfo=SH),
                end=datetime(2026, 11, 18, 15, 0, tzinfo=SH), host=HOST, recorder=HOST,
                attendees=[Attendee(HOST, Role.HOST), Attendee(OWNER, Role.REQUIRED)])
    app.store.save_meeting(m, START)
    app.store.save_task(Task(id=None, title="供应商比价", owner=OWNER, due=DUE, meeting_id=m.id), START)
    return app, svc, clock


def say(svc, clock, text: str) -> str:
    raw = make_mail(f"张伟 <{OWNER}>", text, to=SHARED, subject="回复：[MF-T1] 任务：供应商比价")
    return svc.ingest.process_raw(raw, "test", clock.now())


@pytest.mark.parametrize("text", ["需要延期到12月3日，原因：报价单还没齐。", "申请延期到12月5日，原因是要等财务审批。",
                                  "需要延期到下周五，因为样品周四才到"])
def test_a_delay_to_a_day_not_after_the_due_is_asked_back_and_changes_nothing(tmp_path, text):
    app, svc, clock = setup(tmp_path)
    assert say(svc, clock, text) == "unknown"
    t = app.store.get_task(1)
    assert (t.status, t.due) == (TaskStatus.NOT_STARTED, DUE)
    assert outbox_mails(app, "task_clarify")


@pytest.mark.parametrize("text, due", [("需要延期到12月12日，原因：报价单还没齐。", date(2026, 12, 12)),
                                       ("申请延期一周，原因是要等财务审批。", date(2026, 12, 12)),
                                       ("要推迟3天，样品周四才到", date(2026, 12, 8))])
def test_a_delay_to_a_later_day_or_by_a_span_moves_the_due(tmp_path, text, due):
    app, svc, clock = setup(tmp_path)
    assert say(svc, clock, text) == "applied"
    t = app.store.get_task(1)
    assert (t.status, t.due) == (TaskStatus.DELAYED, due)
