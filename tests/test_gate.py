"""The authority gate (flows/gate.py), as tables: who writes, about which task or meeting, in which
thread -> in what capacity they act, and what that lets them do. Decided once per mail, before
any handler runs; the handlers' refusals are pinned end to end in test_tasks.py and test_security.py.

The team: 张伟 owns 接口开发 (his assistant 小周 answers for him, his manager is 陈总); 王磊 hosts
the meeting (his assistant 小吴 answers for him); 李娜 records it (小孙 answers for her); 赵敏 is
a colleague with no part in it; outsider@elsewhere.example is nobody we know.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow import tokens
from mailflow.flows import gate
from mailflow.flows.dispatch import Org, Route
from mailflow.flows.gate import Role
from mailflow.model import Meeting, Task
from mailflow.read.inbound import Inbound
from mailflow.read.people import Directory

SH = ZoneInfo("Asia/Shanghai")
ZHANG, ZHOU, CHEN = "zhangwei@corp.example", "zhou@corp.example", "chen@corp.example"
WANG, WU = "wanglei@corp.example", "wu@corp.example"
LI, SUN = "lina@corp.example", "sun@corp.example"
ZHAO, OUTSIDER = "zhaomin@corp.example", "outsider@elsewhere.example"
SHARED = "mailflow@corp.example"

DIRECTORY = Directory.from_data({"people": [
    {"name": "张伟", "email": ZHANG, "manager": CHEN, "delegates": [ZHOU]},
    {"name": "小周", "email": ZHOU},
    {"name": "陈总", "email": CHEN},
    {"name": "王磊", "email": WANG, "delegates": [WU]},
    {"name": "小吴", "email": WU},
    {"name": "李娜", "email": LI, "delegates": [SUN]},
    {"name": "小孙", "email": SUN},
    {"name": "赵敏", "email": ZHAO},
]})
MEETING = Meeting(id=7, uid="mf-7@corp.example", title="Q4 筹备会", start=datetime(2026, 11, 25, 14, 0, tzinfo=SH),
                  end=datetime(2026, 11, 25, 15, 0, tzinfo=SH), host=WANG, recorder=LI)
TASK = Task(id=42, title="接口开发", owner=ZHANG, due=date(2026, 11, 27), meeting_id=7)
OTHER_TASK = Task(id=43, title="联调测试", owner=ZHAO, due=date(2026, 11, 30), meeting_id=7)


def mail(sender: str, *, to=(SHARED,), auth: tuple[str, ...] = ()) -> Inbound:
    return Inbound(message_id="<m@client.example>", sender=sender, to=list(to), authentication_results=list(auth))


def escalation(task_id=42, to=(CHEN,)) -> dict:
    """The outbox row of the escalation mail about a task, as the route carries it."""
    return {"id": 9, "kind": "escalation", "task_id": task_id, "recipients": str(list(to)).replace("'", '"')}


def about_task(sender, *, answered=None, directory=DIRECTORY, org=Org(), msg=None):
    rt = Route(kind="task", task_id=TASK.id, meeting_id=MEETING.id, via="in-reply-to", answered=answered)
    return gate.standing(directory, org, msg or mail(sender), rt, TASK, MEETING)


def about_meeting(sender):
    rt = Route(kind="meeting", meeting_id=MEETING.id, via="in-reply-to", answered={"id": 3, "kind": "notice"})
    return gate.standing(DIRECTORY, Org(), mail(sender), rt, None, MEETING)


# --- who someone is for a task ------------------------------------------------------------------
TASK_ROLES = [
    ("张伟 answers about his own task", ZHANG, None, {Role.OWNER}),
    ("his assistant 小周 answers for him", ZHOU, None, {Role.OWNER_DELEGATE}),
    ("the host 王磊 writes in the task's thread", WANG, None, {Role.HOST}),
    ("the host's assistant 小吴 writes for the host", WU, None, {Role.HOST_DELEGATE}),
    ("the recorder 李娜 writes", LI, None, {Role.RECORDER}),
    ("the recorder's assistant 小孙 writes", SUN, None, {Role.RECORDER_DELEGATE}),
    ("陈总, 张伟's manager, answers the escalation about the task", CHEN, escalation(), {Role.MANAGER_ON_ESCALATION}),
    ("陈总 writing in the task's ordinary thread is nobody there", CHEN, None, set()),
    ("陈总 answering an escalation about another task", CHEN, escalation(task_id=43), set()),
    ("a colleague with no part in the task", ZHAO, None, set()),
    ("an outsider", OUTSIDER, None, set()),
    ("张伟 with his address in capitals is still 张伟", "ZhangWei@Corp.Example", None, {Role.OWNER}),
]


@pytest.mark.parametrize("who, sender, answered, roles", TASK_ROLES, ids=[r[0] for r in TASK_ROLES])
def test_who_someone_is_for_a_task(who, sender, answered, roles):
    assert about_task(sender, answered=answered).roles == frozenset(roles)


# --- what that lets them do ---------------------------------------------------------------------
# (sender, thread) -> may change the task / is the owner's side / decides for it (hands over, approves
# a delay) / verifies (验收) and moves the meeting
ABILITIES = [
    ("the owner reports progress", ZHANG, None, (True, True, False, False)),
    ("the owner's assistant reports for him", ZHOU, None, (True, True, False, False)),
    ("the host decides and verifies", WANG, None, (True, False, True, True)),
    ("the host's assistant acts for the host", WU, None, (True, False, True, True)),
    ("the recorder may update the ledger but decides nothing", LI, None, (True, False, False, False)),
    ("the recorder's assistant may not change the task", SUN, None, (False, False, False, False)),
    ("the manager decides in the escalation's thread only", CHEN, escalation(), (False, False, True, False)),
    ("a colleague may not change someone else's task", ZHAO, None, (False, False, False, False)),
]


@pytest.mark.parametrize("who, sender, answered, expected", ABILITIES, ids=[r[0] for r in ABILITIES])
def test_what_each_one_may_do_with_the_task(who, sender, answered, expected):
    s = about_task(sender, answered=answered)
    assert (s.may_change_task(TASK, MEETING), s.owner_side(TASK), s.decides(TASK, MEETING),
            s.host_side(MEETING)) == expected


def test_without_a_manager_in_people_yaml_whoever_the_escalation_went_to_decides():
    directory = Directory.from_data({"people": [{"name": "张伟", "email": ZHANG}, {"name": "赵敏", "email": ZHAO}]})
    assert about_task(ZHAO, answered=escalation(to=(ZHAO,)), directory=directory).roles == {Role.MANAGER_ON_ESCALATION}
    assert about_task(CHEN, answered=escalation(to=(ZHAO,)), directory=directory).roles == frozenset()


# --- a meeting's thread ---------------------------------------------------------------------------
MEETING_ROLES = [
    ("the host answers in the notice's thread", WANG, {Role.HOST}, True, True),
    ("the host's assistant may move the meeting for him", WU, {Role.HOST_DELEGATE}, True, True),
    ("the recorder writes the minutes but does not move the meeting", LI, {Role.RECORDER}, False, True),
    ("the recorder's assistant sends the draft for her", SUN, {Role.RECORDER_DELEGATE}, False, True),
    ("an attendee answering the notice has no say over the meeting", ZHANG, set(), False, False),
]


@pytest.mark.parametrize("who, sender, roles, moves_it, writes_minutes", MEETING_ROLES, ids=[r[0] for r in MEETING_ROLES])
def test_who_someone_is_for_a_meeting(who, sender, roles, moves_it, writes_minutes):
    s = about_meeting(sender)
    assert s.roles == frozenset(roles)
    assert (s.host_side(MEETING), s.writes_minutes(MEETING)) == (moves_it, writes_minutes)


def test_a_task_reached_outside_the_routed_one_is_judged_by_the_same_rules():
    # "1 已完成；2 延期" from 张伟 to the weekly request: task 43 is 赵敏's, so he may not change it
    s = about_task(ZHANG)
    assert s.may_change_task(TASK, MEETING) and not s.may_change_task(OTHER_TASK, MEETING)
    assert s.roles_for_task(OTHER_TASK, MEETING) == frozenset()
    # the host may change any task of the meeting, the routed one or not
    assert about_task(WANG).may_change_task(OTHER_TASK, MEETING)
    # a status matched outside any task thread: the gate was about a meeting, the task is judged anew
    assert about_meeting(ZHANG).roles_for_task(TASK, MEETING) == {Role.OWNER}


def test_colleague_means_in_people_yaml():
    assert about_task(ZHAO).colleague and about_task(ZHOU).colleague
    assert not about_task(OUTSIDER).colleague


# --- authentication and reply tokens ---------------------------------------------------------------
MX = "mx.corp.example"
AUTHENTICATION = [
    ("no trusted server configured: every mail passes", "", (), True),
    ("our server vouches for the From domain", MX, (f"{MX}; dmarc=pass header.from=corp.example",), True),
    ("our server says the From is spoofed", MX, (f"{MX}; dmarc=fail header.from=corp.example",), False),
    ("a forged pass below our own verdict does not count", MX,
     (f"{MX}; dkim=none; spf=fail", f"{MX}; dmarc=pass header.from=corp.example"), False),
    ("no verdict of our server at all", MX, (), False),
]


@pytest.mark.parametrize("what, authserv, headers, ok", AUTHENTICATION, ids=[r[0] for r in AUTHENTICATION])
def test_authentication_is_decided_once_for_the_mail(what, authserv, headers, ok):
    s = about_task(ZHANG, org=Org(trusted_authserv_id=authserv), msg=mail(ZHANG, auth=headers))
    assert s.authenticated is ok
    assert s.roles == {Role.OWNER}          # who he is does not depend on it; the handlers refuse


SECRET = "s3cret"
TOKENS = [
    ("a genuine token for this task", tokens.reply_address(SHARED, SECRET, "t", 42), None),
    ("a genuine token for the task's meeting", tokens.reply_address(SHARED, SECRET, "m", 7), None),
    ("a token for another task", tokens.reply_address(SHARED, SECRET, "t", 43), "reply token t43 used on task 42"),
    ("a forged token", "mailflow+t42.deadbeef@corp.example", "forged reply token in mailflow+t42.deadbeef@corp.example"),
    ("no token, just the shared address", SHARED, None),
]


@pytest.mark.parametrize("what, address, problem", TOKENS, ids=[r[0] for r in TOKENS])
def test_reply_tokens_must_be_genuine_and_name_the_task(what, address, problem):
    org = Org(address=SHARED, secret=SECRET, plus_addressing=True)
    s = about_task(ZHANG, org=org, msg=mail(ZHANG, to=(address,)))
    assert s.token_problem(TASK) == problem


def test_tokens_are_not_read_when_plus_addressing_is_off():
    s = about_task(ZHANG, msg=mail(ZHANG, to=("mailflow+t43.deadbeef@corp.example",)))
    assert s.token_problem(TASK) is None


def test_the_timeline_asks_the_same_owner_side_question():
    # rules' owner_reply_unread: was the last unread word the owner's side's?
    assert gate.owner_side(DIRECTORY, TASK, ZHOU) and gate.owner_side(DIRECTORY, TASK, "ZhangWei@corp.example")
    assert not gate.owner_side(DIRECTORY, TASK, WANG) and not gate.owner_side(DIRECTORY, TASK, "cli")


# --- once per mail, before any handler ------------------------------------------------------------
def test_the_gate_runs_once_before_dispatch_and_every_handler_sees_its_answer():
    from mailflow.flows import dispatch as core
    from mailflow.model import Outcome
    from mailflow.testing import MemoryLookup

    seen = []

    def on_stray_status(ctx, msg, rt):            # tried first in a meeting's thread; not its mail
        seen.append(ctx.standing)
        return None

    def on_meeting_mail(ctx, msg, rt):
        seen.append(ctx.standing)
        return Outcome(status="applied")

    handlers = core.Handlers()
    handlers.add(core.on_stray(on_stray_status))
    handlers.add(core.on_object("meeting")(on_meeting_mail))
    ctx = core.Context(directory=DIRECTORY, calendar=None, org=Org(), now=datetime(2026, 11, 20, 10, 0, tzinfo=SH),
                       lookup=MemoryLookup(meetings=[MEETING], tasks=[TASK]), ids=core.Ids(lambda table: 1))
    rt = Route(kind="meeting", meeting_id=MEETING.id, via="subject")
    # 小吴 writes about the meeting for the host
    assert core.handle_inbound(ctx, mail(WU), rt, handlers).status == "applied"
    assert len(seen) == 2 and seen[0] is seen[1]
    assert seen[0].roles == {Role.HOST_DELEGATE} and seen[0].host_side(MEETING)
    assert ctx.standing is None                   # the caller's Context is not changed
