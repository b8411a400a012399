"""The pure core as tables: (the world, one mail in the users' own words, now) -> Outcome.

No store and no disk: the world is a testing.MemoryLookup, the flow's Snapshot is loaded from it by
edges/snapshot.load exactly as ingest loads it from the store (so a query the loader misses fails
here with NotLoaded), and dispatch.handle_inbound runs the chain that flows/register builds. Each row
says who writes what in answer to which mail, and what is decided: the task's new state, the mails
queued, the RSVP recorded, the minutes' state. The end-to-end tests (test_tasks, test_meetings,
test_minutes_flow, test_month_scenario) keep the daemon, the store and the rendered mail honest.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mailflow.edges import snapshot
from mailflow.flows import dispatch as core, meetings, register
from mailflow.model import (ActionItem, Attendee, Meeting, MinutesConfirmation, MinutesVersion, NotLoaded,
                            ParsedMinutes, Person, Role, Rsvp, Snapshot, Task, TaskStatus)
from mailflow.read import dates, inbound
from mailflow.read.people import Directory
from mailflow.testing import MemoryLookup, make_mail

SH = ZoneInfo("Asia/Shanghai")
SHARED = "mailflow@corp.example"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)               # a Friday morning
HOST, RECORDER, OWNER, OTHER = ("wanglei@corp.example", "sunli@corp.example", "zhangwei@corp.example",
                                "lina@corp.example")
TW, EN, SECRETARY, STRANGER = "chenjing@corp.example", "tom@corp.example", "mishu@corp.example", "x@other.example"
PEOPLE = Directory([
    Person("王磊", HOST, "技术部", manager="zhaomin@corp.example", delegates=[SECRETARY]),
    Person("孙丽", RECORDER, "行政部"), Person("张伟", OWNER, "市场部", manager="zhaomin@corp.example"),
    Person("李娜", OTHER, "销售部"), Person("王芳", "wangfang@corp.example", "技术部"),
    Person("陈静", TW, "产品部", language="zh-TW"), Person("Tom Baker", EN, "产品部", language="en"),
    Person("赵敏", "zhaomin@corp.example", "总经办"), Person("秘书", SECRETARY, "技术部"),
    Person("周强", "zhouqiang@corp.example", "财务部"), Person("刘洋", "liuyang@corp.example", "设计部")])
ORG = core.Org(address=SHARED, name="会议跟进助手", timezone="Asia/Shanghai")
CALENDAR = dates.WorkCalendar(tz="Asia/Shanghai")
HANDLERS = register.build_handlers()
ENDED = {"start": datetime(2026, 11, 19, 14, 0, tzinfo=SH), "end": datetime(2026, 11, 19, 15, 30, tzinfo=SH)}
DRAFT = """三、决议结果
1. 上线时间暂定为12月1日

四、行动项
任务名称：活动预算清单
负责人：周强
计划完成时间：12月10日

任务名称：设计稿
负责人：刘洋
截止时间：12月8日
"""


# --- the world ------------------------------------------------------------------------------------
def meeting(**kw) -> Meeting:
    m = Meeting(id=1, uid="mf-1@corp.example", title="Q4营销活动筹备会", host=HOST, recorder=RECORDER,
                start=datetime(2026, 11, 25, 14, 0, tzinfo=SH), end=datetime(2026, 11, 25, 15, 30, tzinfo=SH),
                attendees=[Attendee(HOST, Role.HOST, "王磊", Rsvp.ACCEPTED), Attendee(RECORDER, Role.RECORDER, "孙丽"),
                           Attendee(OWNER, Role.REQUIRED, "张伟"), Attendee(OTHER, Role.REQUIRED, "李娜"),
                           Attendee(TW, Role.REQUIRED, "陈静"), Attendee(EN, Role.OPTIONAL, "Tom Baker")])
    return replace(m, **kw)


def task(ident: int = 1, owner: str = OWNER, title: str = "接口文档编写", status=TaskStatus.IN_PROGRESS, **kw) -> Task:
    return Task(id=ident, title=title, owner=owner, due=date(2026, 12, 4), meeting_id=1, item_no=ident,
                status=status, **kw)


def ledger() -> MemoryLookup:
    """张伟 owns two open tasks, 王磊 (the host) one; 张伟's 设计稿 is finished and waits for 验收."""
    return MemoryLookup(meetings=[meeting()], tasks=[
        task(1), task(2, owner=HOST, title="预算清单"), task(3, title="设计稿", status=TaskStatus.DONE, percent=100),
        task(4, owner=EN, title="Pricing page"), task(5, owner=TW, title="用户调研"), task(6, title="联调测试"),
        task(7, title="需求评审", status=TaskStatus.VERIFIED, percent=100)])


def in_review() -> MemoryLookup:
    """The meeting has ended; 孙丽's draft v1 (two action items) waits for the host's review."""
    parsed = ParsedMinutes(decisions=["上线时间暂定为12月1日"], action_items=[
        ActionItem("活动预算清单", owner="zhouqiang@corp.example", due=date(2026, 12, 10)),
        ActionItem("设计稿", owner="liuyang@corp.example", due=date(2026, 12, 8))])
    draft = MinutesVersion(id=1, meeting_id=1, version=1, text=DRAFT, author=RECORDER, received_at=NOW,
                           status="review", message_id="<draft-1@client.example>", parsed=parsed)
    return MemoryLookup(meetings=[meeting(minutes_state="review", **ENDED)], tasks=[task(1)], minutes=[draft])


def distributed() -> MemoryLookup:
    """The final minutes went out; 张伟 and 李娜 have until Tuesday to object."""
    world = in_review()
    world.meetings[1].minutes_state, world.minutes[0].status = "final", "final"
    world.confirmations = [MinutesConfirmation(1, 1, who, deadline=NOW + timedelta(days=4)) for who in (OWNER, OTHER)]
    return world


def ended() -> MemoryLookup:
    return MemoryLookup(meetings=[meeting(**ENDED)])


def decide(world: MemoryLookup, sender: str, text: str, *, answering: str | None = None, subject: str = "回复",
           now: datetime = NOW, **mail):
    """One mail through the loader and the chain, as ingest runs it (minus the store)."""
    msg = inbound.parse(make_mail(sender, text, subject=subject, in_reply_to=answering, date=now, **mail),
                        own_addresses=[SHARED])
    rt, snap = snapshot.load(world, msg, ORG, PEOPLE, now)
    before = copy.deepcopy(rt)
    ctx = core.Context(directory=PEOPLE, calendar=CALENDAR, org=ORG, now=now, lookup=snap,
                       ids=core.Ids(snap.next_ids.__getitem__))
    out = core.handle_inbound(ctx, msg, rt, HANDLERS)
    assert rt == before, "a flow changed the Route it was given"
    return out


# --- the rows ---------------------------------------------------------------------------------------
# (what happens, world, sender, words, the mail answered: (kind, task id, meeting id), expected)
# expected: status; task {field: value} of out.tasks[0] (or "unchanged"); events; mails {(kind, to)};
# rsvp (email, rsvp, proxy); minutes (meeting state, version status); confirmation (email, status).
ROWS = [
    ("owner: 已完成 -> done, receipt, host asked to verify", ledger, OWNER, "已完成", ("task_assigned", 1, None),
     {"status": "applied", "task": {"status": TaskStatus.DONE, "percent": 100}, "events": ["done"],
      "mails": {("task_receipt", OWNER), ("task_verify", HOST)}}),
    ("a colleague who is not the owner: refused, the host told", ledger, OTHER, "已完成", ("task_assigned", 1, None),
     {"status": "refused", "task": "unchanged", "mails": {("task_refused", OTHER), ("task_refused_host", HOST)}}),
    ("a stranger: refused without an answer (no backscatter)", ledger, STRANGER, "已完成", ("task_assigned", 1, None),
     {"status": "refused", "task": "unchanged", "mails": set()}),
    ("延期 with a date and a reason -> delayed to that day", ledger, OWNER, "延期到12月20日，原因：供应商接口延迟",
     ("task_assigned", 1, None),
     {"status": "applied", "task": {"status": TaskStatus.DELAYED, "due": date(2026, 12, 20),
                                    "delay_reason": "供应商接口延迟"},
      "events": ["delay"], "mails": {("task_receipt", OWNER), ("task_delay_notice", HOST)}}),
    ("延期 without a reason: logged, flagged, the reason asked for", ledger, OWNER, "延期到12月20日",
     ("task_assigned", 1, None),
     {"task": {"status": TaskStatus.IN_PROGRESS, "due": date(2026, 12, 4), "risk": True},
      "events": ["delay_requested"], "mails": {("task_clarify", OWNER), ("task_delay_notice", HOST)}}),
    ("延期 without a date: the date asked for", ledger, OWNER, "这个需要延期", ("task_assigned", 1, None),
     {"task": {"due": date(2026, 12, 4)}, "events": ["delay_requested"],
      "mails": {("task_ask_date", OWNER), ("task_delay_notice", HOST)}}),
    ("a question asserts nothing: asked back", ledger, OWNER, "这个任务什么时候要交？", ("task_assigned", 1, None),
     {"status": "unknown", "task": "unchanged", "events": ["unclear"], "mails": {("task_clarify", OWNER)}}),
    ("收到，确认负责 -> the owner accepts the task", ledger, OWNER, "收到，我来负责", ("task_assigned", 1, None),
     {"status": "applied", "events": ["confirm"], "mails": {("task_receipt", OWNER)}}),
    ("a percent -> progress", ledger, OWNER, "进行中，目前完成了60%", ("task_receipt", 1, None),
     {"task": {"status": TaskStatus.IN_PROGRESS, "percent": 60}, "events": ["progress"]}),
    ("a risk -> flagged, the status kept", ledger, OWNER, "有风险：测试环境还没到位", ("task_receipt", 1, None),
     {"task": {"status": TaskStatus.IN_PROGRESS, "risk": True}, "events": ["risk"]}),
    ("the owner's delegate may report for them", ledger, SECRETARY, "王总这项已经做完了", ("task_assigned", 2, None),
     {"status": "applied", "task": {"status": TaskStatus.DONE}, "mails": {("task_receipt", SECRETARY),
                                                                          ("task_verify", HOST)}}),
    ("the host: 验收通过 -> verified", ledger, HOST, "验收通过", ("task_verify", 3, None),
     {"task": {"status": TaskStatus.VERIFIED}, "events": ["verified"],
      "mails": {("task_receipt", HOST), ("task_verify_result", OWNER)}}),
    ("the host: 退回 + reason -> back to work", ledger, HOST, "退回，缺少测试报告", ("task_verify", 3, None),
     {"task": {"status": TaskStatus.IN_PROGRESS, "done_at": None}, "events": ["rejected"],
      "mails": {("task_receipt", HOST), ("task_verify_result", OWNER)}}),
    ("English: Done -> done, the receipt in English", ledger, EN, "Done, the page is live.", ("task_assigned", 4, None),
     {"task": {"status": TaskStatus.DONE}, "mails": {("task_receipt", EN), ("task_verify", HOST)}, "lang": "en"}),
    ("Traditional Chinese: 已經完成了 -> done, the receipt in zh-TW", ledger, TW, "已經完成了",
     ("task_assigned", 5, None),
     {"task": {"status": TaskStatus.DONE}, "lang": "zh-TW"}),
    ("a verified task is closed: acknowledged, nothing changes", ledger, OWNER, "进行中，完成了60%",
     ("task_assigned", 7, None), {"status": "applied", "task": "unchanged", "mails": {("task_receipt", OWNER)}}),
    ("an out-of-office reply is not an answer", ledger, OWNER, "我正在休假，12月1日回来", ("task_assigned", 1, None),
     {"status": "ignored", "task": "unchanged", "mails": set(), "headers": {"Auto-Submitted": "auto-replied"}}),
    ("a new mail naming the task by its title -> that task", ledger, OWNER, "接口文档已完成", (None, None, None),
     {"status": "applied", "task": {"id": 1, "status": TaskStatus.DONE}}),
    ("the host hands the task over: 改由李娜负责", ledger, HOST, "这个任务改由李娜负责，截止改为12月9日",
     ("task_receipt", 1, None), {"task": {"owner": OTHER, "due": date(2026, 12, 9)}}),
    # meetings: answers to the notice
    ("参加 -> accepted, a receipt", ledger, OWNER, "参加", ("notice", None, 1),
     {"status": "applied", "rsvp": (OWNER, Rsvp.ACCEPTED, None), "mails": {("meeting_rsvp_receipt", OWNER)}}),
    ("不参加 from a required attendee -> declined, the host told", ledger, OTHER, "不参加，那天出差",
     ("notice", None, 1),
     {"rsvp": (OTHER, Rsvp.DECLINED, None), "mails": {("meeting_declined", HOST), ("meeting_rsvp_receipt", OTHER)}}),
    ("由王芳代参会 -> declined with a stand-in, who is invited", ledger, OTHER, "我出差，由王芳代参会",
     ("notice", None, 1),
     {"rsvp": (OTHER, Rsvp.DECLINED, "wangfang@corp.example"),
      "mails": {("notice", "wangfang@corp.example"), ("meeting_rsvp_receipt", OTHER)}}),
    ("待定 -> tentative, answered in zh-TW", ledger, TW, "待定", ("notice", None, 1),
     {"rsvp": (TW, Rsvp.TENTATIVE, None), "lang": "zh-TW"}),
    ("the host's secretary answers for him", ledger, SECRETARY, "王总参加", ("notice", None, 1),
     {"rsvp": (HOST, Rsvp.ACCEPTED, None), "mails": {("meeting_rsvp_receipt", SECRETARY)}}),
    ("someone not invited: refused, not recorded", ledger, STRANGER, "参加", ("notice", None, 1),
     {"status": "refused", "mails": set()}),
    # minutes
    ("the host approves the draft -> final, tasks assigned, confirmations opened", in_review, HOST, "确认",
     ("minutes_review", None, 1),
     {"minutes": ("final", "final"), "new_tasks": [("活动预算清单", "zhouqiang@corp.example"), ("设计稿", "liuyang@corp.example")],
      "mails": {("task_assigned", "zhouqiang@corp.example"), ("task_assigned", "liuyang@corp.example")},
      "confirmation": (OWNER, "pending")}),
    ("the host asks for a change -> forwarded to the recorder", in_review, HOST, "第2项的截止时间改成12月9日",
     ("minutes_review", None, 1), {"minutes": ("draft", None), "mails": {("minutes_correction", RECORDER)}}),
    ("an attendee may not approve the minutes", in_review, OTHER, "确认", ("minutes_review", None, 1),
     {"status": "refused", "mails": set()}),
    ("确认 to the final minutes -> confirmed", distributed, OWNER, "确认，没有问题", ("minutes_final", None, 1),
     {"confirmation": (OWNER, "confirmed"), "mails": set()}),
    ("有异议 -> recorded and sent to host and recorder", distributed, OTHER, "有异议：第二项的负责人不对",
     ("minutes_final", None, 1),
     {"confirmation": (OTHER, "objection"), "mails": {("minutes_objection", HOST)}}),
    ("the recorder's new mail titled 会议纪要 -> a draft for review", ended, RECORDER, DRAFT, (None, None, None),
     {"minutes": ("review", "review"), "mails": {("minutes_review", HOST)}, "subject": "Q4营销活动筹备会 会议纪要"}),
    ("a draft with a vague date -> one mail listing the problem", ended, RECORDER,
     "四、行动项\n任务名称：设计稿\n负责人：刘洋\n截止时间：尽快\n", (None, None, None),
     {"minutes": ("draft", "problems"), "mails": {("minutes_problems", RECORDER)}, "subject": "会议纪要"}),
    ("someone else's 纪要 mail is not a draft", ended, OTHER, DRAFT, (None, None, None),
     {"status": "unknown", "minutes": None, "subject": "Q4营销活动筹备会 会议纪要"}),
]


@pytest.mark.parametrize("what, world, sender, words, answering, expected", ROWS, ids=[r[0] for r in ROWS])
def test_a_mail_decides(what, world, sender, words, answering, expected):
    w = world()
    kind, task_id, meeting_id = answering
    mid = None
    if kind:
        mid = w.sent(kind, task=w.task_rows.get(task_id), meeting=w.meetings.get(meeting_id), to=[sender])
    before = {t.id: copy.deepcopy(t) for t in w.task_rows.values()}
    out = decide(w, sender, words, answering=mid, subject=expected.get("subject", "回复"),
                 headers=expected.get("headers"))
    if "status" in expected:
        assert out.status == expected["status"], out.log
    if expected.get("task") == "unchanged":
        assert out.tasks == []
    elif "task" in expected:
        t = out.tasks[0]
        for name, value in expected["task"].items():
            assert getattr(t, name) == value, (name, out.log)
    if "events" in expected:
        assert [e.kind for e in out.task_events] == expected["events"]
    if "mails" in expected:
        sent = {(m.kind, to) for m in out.mails for to in m.to}
        assert expected["mails"] <= sent if expected["mails"] else not sent, sent
    if "lang" in expected:
        assert out.mails and out.mails[0].lang == expected["lang"]
    if "rsvp" in expected:
        email, rsvp, proxy = expected["rsvp"]
        [m] = out.meetings
        assert (m.attendee(email).rsvp, m.attendee(email).proxy) == (rsvp, proxy)
    if "minutes" in expected:
        if expected["minutes"] is None:
            assert not out.minutes and not out.meetings
        else:
            state, version = expected["minutes"]
            assert out.meetings[0].minutes_state == state
            assert (out.minutes[-1].status if out.minutes else None) == (version or None)
    if "new_tasks" in expected:
        assert [(t.title, t.owner) for t in out.tasks] == expected["new_tasks"]
    if "confirmation" in expected:
        email, status = expected["confirmation"]
        assert next(c.status for c in out.confirmations if c.email == email) == status
    assert {t.id: t for t in w.task_rows.values()} == before, "the world changed under a flow"


# --- what the table rests on ------------------------------------------------------------------------
def test_a_query_the_loader_did_not_make_fails_loudly():
    w = ledger()
    mid = w.sent("task_assigned", task=w.task_rows[1], to=[OWNER])
    msg = inbound.parse(make_mail(OWNER, "已完成", in_reply_to=mid), own_addresses=[SHARED])
    rt, snap = snapshot.load(w, msg, ORG, PEOPLE, NOW)
    assert rt.task_id == 1 and snap.get_task(1).title == "接口文档编写"
    with pytest.raises(NotLoaded, match="get_task"):
        snap.get_task(2)                       # not this mail's: never loaded, never None
    with pytest.raises(NotLoaded):
        snap.minutes_candidates([OWNER], NOW - timedelta(days=30), NOW)
    with pytest.raises(NotLoaded):
        Snapshot().get_meeting(1)


def test_the_snapshot_hands_out_copies_so_a_flow_cannot_change_the_next_read():
    w = ledger()
    mid = w.sent("task_assigned", task=w.task_rows[1], to=[OWNER])
    msg = inbound.parse(make_mail(OWNER, "已完成", in_reply_to=mid), own_addresses=[SHARED])
    _rt, snap = snapshot.load(w, msg, ORG, PEOPLE, NOW)
    snap.get_task(1).status = TaskStatus.DONE
    snap.get_task(1).collaborators.append(OTHER)
    assert snap.get_task(1).status is TaskStatus.IN_PROGRESS and OTHER not in snap.get_task(1).collaborators
    # nested objects too: an attendee's answer changed on one read is not on the next
    snap.get_meeting(1).attendees[2].rsvp = Rsvp.DECLINED
    snap.get_meeting(1).attendees.pop()
    again = snap.get_meeting(1)
    assert again.attendees[2].rsvp is Rsvp.NEEDS_ACTION and len(again.attendees) == 6
    assert again == w.get_meeting(1)


def test_new_rows_take_the_ids_the_snapshot_was_loaded_with():
    w = in_review()
    w.task_rows[41] = task(41)                  # the ledger's highest id: new tasks are 42 and 43
    mid = w.sent("minutes_review", meeting=w.meetings[1], to=[HOST])
    out = decide(w, HOST, "同意", answering=mid)
    assert [t.id for t in out.tasks] == [42, 43]
    assert {m.task_id for m in out.mails if m.kind == "task_assigned"} == {42, 43}
    assert [v.id for v in out.minutes] == [1]   # an existing version keeps its id; a new one gets it at commit


def test_a_numbered_answer_names_its_first_task_on_the_outcome_not_on_the_route():
    w = ledger()
    mid = w.sent("progress_request", to=[OWNER], items=[1, 6])
    out = decide(w, OWNER, "1 已完成；2 进行中，完成了50%", answering=mid)
    assert [(t.id, t.status, t.percent) for t in out.tasks] == [(1, TaskStatus.DONE, 100),
                                                               (6, TaskStatus.IN_PROGRESS, 50)]
    assert out.task_id == 1


def test_adding_a_meeting_leaves_the_given_meeting_as_it_was():
    m = meeting(id=None, uid="")
    ctx = core.Context(directory=PEOPLE, calendar=CALENDAR, org=ORG, now=NOW, lookup=Snapshot(),
                       ids=core.Ids({"meetings": 8}.__getitem__))
    out = meetings.add(ctx, m)
    assert (m.id, m.uid, m.created_at) == (None, "", None)
    assert out.meetings[0].id == 8 and out.meetings[0].uid.startswith("mf-8-")


def test_the_chain_refuses_a_second_handler_for_one_kind():
    def first(ctx, msg, rt):
        return None

    def second(ctx, msg, rt):
        return None
    handlers = core.Handlers()
    handlers.add(core.on_reply("notice")(first))
    with pytest.raises(ValueError, match="notice"):
        handlers.add(core.on_reply("notice")(second))


def test_every_flow_module_is_in_the_chain_once():
    handlers = register.build_handlers()
    assert {"notice", "task_verify", "minutes_review", "minutes_final", "progress_request"} <= set(handlers.reply)
    assert set(handlers.object) == {"task", "meeting"}
    priorities = [dict(fn.inbound)["new"] for fn in handlers.new]
    assert priorities == sorted(priorities)       # tried in priority order
