"""Meetings and drafts for the minutes tests, shared so that no test file imports another.

- full(): the meeting whose template test_minutes_template pins and test_minutes fills in and reads.
- kinds(parsed): the (item, kind) of each problem a parsed draft has (test_minutes, test_minutes_styles).
- The minutes flow's world (test_minutes_flow, test_days_off): Q4营销活动筹备会 ends at END, the
  recorder 孙丽 is asked for the minutes, answers with CLEAN_DRAFT at DRAFT_AT, the host 王磊 approves.

      def test_…(world):                    # world: the fixture, imported by the test file
          app, svc, clock, m = world
          send(svc, reply_to(requested(world), "sunli@corp.example", CLEAN_DRAFT, date=DRAFT_DATE))
          (review,) = mails(app, "minutes_review")
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from apphelp import SH, make_app, outbox_mails
from mailflow.model import AgendaItem, Attendee, Meeting, Role


# --- a meeting for the template ------------------------------------------------------------------
def full() -> Meeting:
    """Room and online link, an optional guest, an agenda with owners, minutes and an outcome."""
    return Meeting(
        id=7, uid="m7@mailflow", title="新品上市协调会",
        start=datetime(2026, 8, 3, 14, 0, tzinfo=SH), end=datetime(2026, 8, 3, 15, 30, tzinfo=SH),
        location="3楼大会议室", online="腾讯会议 123-456-789",
        host="zhangwei@example.com", recorder="wangfang@example.com",
        attendees=[Attendee("zhangwei@example.com", Role.HOST), Attendee("wangfang@example.com", Role.RECORDER),
                   Attendee("wanglei@example.com", Role.REQUIRED), Attendee("zhoumin@example.com", Role.REQUIRED),
                   Attendee("guest@partner.example", Role.OPTIONAL, name="外部顾问")],
        agenda=[AgendaItem(1, "接口方案评审", "wanglei@example.com", 15, "确定接口方案"),
                AgendaItem(2, "预算确认", "zhoumin@example.com", 10)],
    )


def kinds(parsed) -> list[tuple[int | None, str]]:
    return [(p.item, p.kind) for p in parsed.problems]


# --- the minutes flow's world ---------------------------------------------------------------------
START = datetime(2026, 11, 19, 14, 0, tzinfo=SH)      # Thursday
END = datetime(2026, 11, 19, 16, 0, tzinfo=SH)
DRAFT_AT = datetime(2026, 11, 20, 10, 0, tzinfo=SH)   # Friday morning
DRAFT_DATE = "Fri, 20 Nov 2026 10:00:00 +0800"

CLEAN_DRAFT = """\
Q4营销活动筹备会 会议纪要

三、决议结果
1. 上线时间暂定为12月1日
2. 由市场部-张负责提交需求文档，11月27日前完成，李娜配合

四、行动项
任务名称：活动预算清单
负责人：周强
协同人：王磊
计划完成时间：11月30日
完成标准：预算表经财务部审核

任务名称：设计稿
负责人：刘洋
截止时间：11月26日
交付物：主视觉与三张海报
"""


def meeting(title: str = "Q4营销活动筹备会", start: datetime = START, end: datetime = END,
            recorder: str = "sunli@corp.example") -> Meeting:
    people = [("wanglei@corp.example", Role.HOST), (recorder, Role.RECORDER),
              ("liuyang@corp.example", Role.PREPARER), ("zhangwei@corp.example", Role.REQUIRED),
              ("lina@corp.example", Role.REQUIRED), ("zhouqiang@corp.example", Role.REQUIRED),
              ("chenjing@corp.example", Role.REQUIRED), ("tom@corp.example", Role.OPTIONAL)]
    return Meeting(id=None, uid=f"{uuid.uuid4().hex}@corp.example", title=title, start=start, end=end,
                   goal="明确四部门活动分工及时间节点", location="公司3楼会议室A", online="腾讯会议 123-456-789",
                   host="wanglei@corp.example", recorder=recorder, preparer="liuyang@corp.example",
                   attendees=[Attendee(email=e, role=r) for e, r in people],
                   agenda=[AgendaItem(seq=1, title="市场部需求文档提交时间及优先级", owner="zhangwei@corp.example",
                                      minutes=15, outcome="明确提交时间")])


@pytest.fixture
def world(tmp_path):
    """(app, svc, clock, meeting): the meeting saved three days before it ends, the clock an hour before."""
    app, svc, clock = make_app(tmp_path, END - timedelta(hours=1))
    m = app.store.save_meeting(meeting(), END - timedelta(days=3))
    yield app, svc, clock, m
    app.close()


def mails(app, kind):
    return outbox_mails(app, kind)


def requested(world):
    """The minutes request the recorder gets when the meeting ends."""
    app, svc, clock, m = world
    assert svc.ticker.tick_once(END) >= 1
    (req,) = mails(app, "minutes_request")
    return req


def send(svc, raw: bytes, at: datetime = DRAFT_AT) -> str:
    return svc.ingest.process_raw(raw, "test", at)
