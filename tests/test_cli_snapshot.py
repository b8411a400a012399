"""The CLI's changes as tables: the world, a command, now -> Outcome, over the Snapshot the command loads.

`mailflow tasks reassign / set-due` and `mailflow meeting reschedule / cancel / add` load what their
flow reads with edges/snapshot.for_task, for_meeting and for_new_meeting before it runs (in the
transaction that commits it); here the same loaders read a testing.MemoryLookup instead of the
store, so a read they miss fails with NotLoaded. Each row also checks that deciding changed
nothing in the world: the Outcome says what is to change, the commit does it. The end-to-end runs
of the commands are in test_task_decisions, test_spoken_names, test_meetings and test_cli.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow.edges import snapshot
from mailflow.flows import dispatch, meetings, task_changes
from mailflow.model import (Attendee, Meeting, NotLoaded, Person, Role, Rsvp, Snapshot, Task, TaskEvent,
                            TaskStatus)
from mailflow.read import dates
from mailflow.read.people import Directory
from mailflow.testing import MemoryLookup

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 11, 0, tzinfo=SH)
HOST, ZHANG, LI, CHEN = ("wanglei@corp.example", "zhangwei@corp.example", "lina@corp.example",
                         "chenjing@corp.example")
PEOPLE = Directory([Person("王磊", HOST, "技术部"), Person("张伟", ZHANG, "技术部"),
                    Person("李娜", LI, "销售部"), Person("陈静", CHEN, "产品部", language="zh-TW")])
ORG = dispatch.Org(address="mailflow@corp.example", name="会议跟进助手", timezone="Asia/Shanghai")


def world() -> MemoryLookup:
    """王磊's 技术评审会 on Wednesday; 张伟 owns 接口开发 (due 12月4日), already delayed once by mail."""
    m = Meeting(id=1, uid="mf-1@corp.example", title="技术评审会", host=HOST, sequence=0,
                start=datetime(2026, 11, 25, 14, 0, tzinfo=SH), end=datetime(2026, 11, 25, 15, 0, tzinfo=SH),
                attendees=[Attendee(HOST, Role.HOST, "王磊", Rsvp.ACCEPTED), Attendee(ZHANG, Role.REQUIRED, "张伟", Rsvp.ACCEPTED),
                           Attendee(LI, Role.REQUIRED, "李娜", Rsvp.DECLINED), Attendee(CHEN, Role.OPTIONAL, "陈静")])
    t = Task(id=1, title="接口开发", owner=ZHANG, due=date(2026, 12, 4), meeting_id=1, item_no=1,
             status=TaskStatus.IN_PROGRESS, percent=40)
    log = [TaskEvent(1, datetime(2026, 11, 12, 9, 0, tzinfo=SH), "mailflow", "created", due=date(2026, 12, 1)),
           TaskEvent(1, datetime(2026, 11, 16, 9, 0, tzinfo=SH), ZHANG, "delay", "联调推迟",
                     old_status="in_progress", new_status="delayed", due=date(2026, 12, 4))]
    return MemoryLookup(meetings=[m], tasks=[t], events=log)


def context(snap: Snapshot) -> dispatch.Context:
    """The Context the CLI builds over the loaded snapshot (App.context(now, snapshot))."""
    return dispatch.Context(directory=PEOPLE, calendar=dates.WorkCalendar(tz="Asia/Shanghai"), org=ORG,
                            now=NOW, lookup=snap, ids=dispatch.Ids(snap.next_ids.__getitem__))


def on_task(the_world: MemoryLookup, change):
    """As `mailflow tasks …` runs: load the task's snapshot, read the task and its meeting from it, decide."""
    snap = snapshot.for_task(the_world, 1)
    t = snap.get_task(1)
    return change(context(snap), t, snap.get_meeting(t.meeting_id))


def on_meeting(the_world: MemoryLookup, change):
    snap = snapshot.for_meeting(the_world, 1)
    return change(context(snap), snap.get_meeting(1))


def sent(out) -> set[tuple[str, str]]:
    return {(mail.kind, to) for mail in out.mails for to in mail.to}


def sequence_of_due_entry(out, to: str) -> int:
    data = next(a.data for mail in out.mails if mail.to == [to] for a in mail.attachments
                if a.filename == "due-T1.ics")
    return int(data.decode().split("SEQUENCE:")[1].split()[0])


def reassign_to_lina(the_world):
    return on_task(the_world, lambda ctx, t, m: task_changes.reassign(
        ctx, t, m, LI, actor="cli", reason="张伟调去支援展会"))


def set_due_dec_18(the_world):
    return on_task(the_world, lambda ctx, t, m: task_changes.set_due(
        ctx, t, m, date(2026, 12, 18), actor="cli", reason="客户推迟验收"))


def reschedule_to_thursday(the_world):
    return on_meeting(the_world, lambda ctx, m: meetings.reschedule(
        ctx, m, datetime(2026, 11, 26, 14, 0, tzinfo=SH), datetime(2026, 11, 26, 15, 0, tzinfo=SH)))


def cancel_for_the_client(the_world):
    return on_meeting(the_world, lambda ctx, m: meetings.cancel(ctx, m, "客户临时变更"))


@pytest.mark.parametrize("what, command, decided, mails", [
    ("接口开发 goes from 张伟 to 李娜: she gets the assignment, he is released, the host is told",
     reassign_to_lina,
     lambda out: (out.tasks[0].owner, out.tasks[0].due, out.task_events[0].kind, out.task_events[0].text,
                  sequence_of_due_entry(out, LI))
     == (LI, date(2026, 12, 4), "reassigned", "张伟 → 李娜：张伟调去支援展会", 2),
     {("task_assigned", LI), ("task_owner_changed", ZHANG), ("task_owner_changed", HOST)}),
    ("接口开发 is due 12月18日 instead: 延期 with the reason, 张伟 hears it with his due entry moved",
     set_due_dec_18,
     lambda out: (out.tasks[0].due, out.tasks[0].status, out.tasks[0].delay_reason, out.task_events[0].kind,
                  sequence_of_due_entry(out, ZHANG))
     == (date(2026, 12, 18), TaskStatus.DELAYED, "客户推迟验收", "delay", 2),
     {("task_decision", ZHANG)}),
    ("the 技术评审会 moves to Thursday: SEQUENCE 1, everyone's answer is asked again",
     reschedule_to_thursday,
     lambda out: (out.meetings[0].start.day, out.meetings[0].sequence,
                  {a.email: a.rsvp for a in out.meetings[0].attendees})
     == (26, 1, {HOST: Rsvp.ACCEPTED, ZHANG: Rsvp.NEEDS_ACTION, LI: Rsvp.NEEDS_ACTION, CHEN: Rsvp.NEEDS_ACTION}),
     {("meeting_update", who) for who in (HOST, ZHANG, LI, CHEN)}),
    ("the 技术评审会 is cancelled: METHOD:CANCEL with the reason to everyone invited",
     cancel_for_the_client,
     lambda out: (out.meetings[0].status, out.meetings[0].cancel_reason, out.meetings[0].sequence)
     == ("cancelled", "客户临时变更", 1),
     {("meeting_cancel", who) for who in (HOST, ZHANG, LI, CHEN)}),
])
def test_a_command_decides_over_its_snapshot_and_changes_nothing(what, command, decided, mails):
    the_world = world()
    before = copy.deepcopy(vars(the_world))
    out = command(the_world)
    assert decided(out), what
    assert sent(out) == mails, what
    assert vars(the_world) == before, f"{what}: deciding changed the world"


def test_the_due_entry_counts_the_log_the_task_loader_read():
    """The next SEQUENCE of the owner's due entry comes from the task's log: a loader that left the
    log out would make set-due fail loudly, not start the entry again at SEQUENCE 1."""
    the_world = world()
    partial = Snapshot()
    for query in (("get_task", 1), ("get_meeting", 1)):
        partial.record(query, snapshot.for_task(the_world, 1).answers[query])
    t = partial.get_task(1)
    with pytest.raises(NotLoaded, match="task_events"):
        task_changes.set_due(context(partial), t, partial.get_meeting(1), date(2026, 12, 18),
                             actor="cli", reason="客户推迟验收")


def test_adding_a_meeting_numbers_it_from_the_snapshot():
    """`meeting add` reads nothing stored but the next free id, which goes into the calendar UID."""
    the_world = world()
    new = replace(the_world.meetings[1], id=None, uid="", title="上线复盘会", sequence=0)
    snap = snapshot.for_new_meeting(the_world)
    out = meetings.add(context(snap), new)
    assert out.meetings[0].id == 2 and out.meetings[0].uid.startswith("mf-2-")
    assert set(the_world.meetings) == {1}


def test_an_unknown_id_loads_as_nothing_so_the_command_can_say_so():
    the_world = world()
    assert snapshot.for_task(the_world, 9).get_task(9) is None
    assert snapshot.for_meeting(the_world, 9).get_meeting(9) is None
