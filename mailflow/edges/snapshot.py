"""Loading the Snapshot a flow decides over: every store read one inbound mail's decision may make,
run BEFORE the flow is called, so the flow itself never queries the store halfway (DESIGN.md:
"a flow gets a loaded snapshot").

It lives in edges/ because it is the one place of the inbound path that reads the store; it uses
only the store's public read methods, so it runs as well over testing.MemoryLookup (the table
tests load their snapshot through it too, and a load it misses fails there first).

What is loaded, from the route and the parsed mail (each answer kept under its query):
- the sent rows In-Reply-To/References name (routing), and the routed task and meeting;
- for a mail answering a mail that numbered tasks, those task ids (outbox_items);
- every task loaded: its meeting and its event log; tasks and meetings named by subject tags;
- the sender's open tasks, when the mail may be a task status written outside any task thread;
- meetings named by the UIDs of the mail's calendar parts (iMIP answers, invitations);
- the meetings a new-thread minutes draft from the sender may belong to (minutes_candidates);
- minutes versions and confirmations of the meetings a minutes flow may act on;
- the next id of the tables whose new rows a flow numbers itself (meetings, tasks).

A timeline step loads its own by the rule's scope (`for_step`, called by tick.py before the
rule's conditions and action run). The CLI's changes load theirs the same way, in the transaction
that commits them (cli_context.commit_change): `for_new_meeting` (meeting add), `for_meeting`
(reschedule, cancel), `for_task` (tasks reassign, set-due).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..flows import dispatch
from ..flows.minutes import LOOKBACK as MINUTES_LOOKBACK, looks_like_draft
from ..model import NUMBERED_KINDS, Meeting, Snapshot, Task
from ..read import ical_in

NEW_ROW_TABLES = ("meetings", "tasks")      # a new minutes version gets its id at commit


class _Recorder:
    """Runs a read on the source once and keeps its answer in the snapshot, with the answers it
    implies (a task in a list is also `get_task`'s answer; a meeting also `meeting_by_uid`'s)."""

    def __init__(self, source: Any, snap: Snapshot):
        self.source, self.snap = source, snap

    def _run(self, query: tuple, call) -> Any:
        if self.snap.knows(query):
            return self.snap.answers[query]
        value = self.snap.record(query, call())
        for obj in (value if isinstance(value, list) else [value]):
            if isinstance(obj, Task):
                self.snap.answers.setdefault(("get_task", obj.id), obj)
            elif isinstance(obj, Meeting):
                self.snap.answers.setdefault(("get_meeting", obj.id), obj)
                self.snap.answers.setdefault(("meeting_by_uid", obj.uid), obj)
        return value

    def sent_message(self, message_id: str) -> dict | None:
        return self._run(("sent_message", message_id), lambda: self.source.sent_message(message_id))

    def outbox_items(self, outbox_id: int) -> list[int] | None:
        return self._run(("outbox_items", outbox_id), lambda: self.source.outbox_items(outbox_id))

    def get_task(self, task_id: int) -> Task | None:
        return self._run(("get_task", task_id), lambda: self.source.get_task(task_id))

    def open_tasks_of(self, owner: str) -> list[Task]:
        return self._run(("tasks", None, owner.lower(), True),
                         lambda: self.source.tasks(owner=owner, open_only=True))

    def task_events(self, task_id: int) -> list:
        return self._run(("task_events", task_id), lambda: self.source.task_events(task_id))

    def get_meeting(self, meeting_id: int) -> Meeting | None:
        return self._run(("get_meeting", meeting_id), lambda: self.source.get_meeting(meeting_id))

    def meeting_by_uid(self, uid: str) -> Meeting | None:
        return self._run(("meeting_by_uid", uid), lambda: self.source.meeting_by_uid(uid))

    def minutes_candidates(self, people: list[str], since: datetime, now: datetime) -> list[Meeting]:
        return self._run(("minutes_candidates", tuple(people), since, now),
                         lambda: self.source.minutes_candidates(people, since, now))

    def minutes_of(self, meeting_id: int) -> None:
        self._run(("minutes_versions", meeting_id), lambda: self.source.minutes_versions(meeting_id))
        self._run(("minutes_confirmations", meeting_id), lambda: self.source.minutes_confirmations(meeting_id))

    def tasks_of_meeting(self, meeting_id: int) -> list[Task]:
        """All of a meeting's tasks, and (implied) its open ones."""
        tasks = self._run(("tasks", meeting_id, None, False), lambda: self.source.tasks(meeting_id=meeting_id))
        self.snap.answers.setdefault(("tasks", meeting_id, None, True), [t for t in tasks if not t.status.closed])
        return tasks

    def latest_task_events(self, task_ids: list[int]) -> dict:
        return self._run(("latest_task_events", tuple(task_ids)),
                         lambda: self.source.latest_task_events(task_ids) if task_ids else {})

    def inbound_row(self, row_id: int) -> dict | None:
        return self._run(("inbound_row", row_id), lambda: self.source.inbound_row(row_id))


def load(source: Any, msg: Any, org: dispatch.Org, directory: Any, now: datetime
         ) -> tuple[dispatch.Route, Snapshot]:
    """Route `msg` and load everything its flows may read from `source` (the Store, inside the
    transaction that will commit the Outcome, or a MemoryLookup). Returns the route and the
    snapshot; `now` must be the Context's now (the minutes candidates are a window ending then)."""
    snap = Snapshot(next_ids={t: source.next_id(t) for t in NEW_ROW_TABLES})
    q = _Recorder(source, snap)
    rt = dispatch.route(msg, q, org)
    sender = (msg.sender or "").lower()
    task_ids: list[int] = [rt.task_id] if rt.task_id is not None else []
    meeting_ids: list[int] = [rt.meeting_id] if rt.meeting_id is not None else []
    minutes_ids: list[int] = []
    kind = (rt.answered or {}).get("kind") or ""
    if kind in NUMBERED_KINDS:
        task_ids += q.outbox_items(rt.answered["id"]) or []
    if kind.startswith("minutes") or rt.kind == "meeting":
        minutes_ids += meeting_ids
    for tag in dispatch.SUBJECT_TAG.finditer(msg.subject or ""):
        (task_ids if tag.group(1).upper() == "T" else minutes_ids).append(int(tag.group(2)))
    routed = q.get_task(rt.task_id) if rt.task_id is not None else None
    if sender and directory.get(sender) is not None and routed is None:
        # a status outside its task's thread is matched to the sender's open tasks (flows: stray)
        task_ids += [t.id for t in q.open_tasks_of(sender)]
    for task_id in dict.fromkeys(task_ids):
        task = q.get_task(task_id)
        if task is not None:
            q.task_events(task_id)
            if task.meeting_id is not None:
                meeting_ids.append(task.meeting_id)
    for uid in _calendar_uids(msg, org):
        m = q.meeting_by_uid(uid)
        if m is not None:
            meeting_ids.append(m.id)
    if sender and looks_like_draft(msg):
        people = [sender, *directory.delegators_of(sender)]
        minutes_ids += [m.id for m in q.minutes_candidates(people, now - MINUTES_LOOKBACK, now)]
    for meeting_id in dict.fromkeys(meeting_ids + minutes_ids):
        q.get_meeting(meeting_id)
    for meeting_id in dict.fromkeys(minutes_ids):
        if q.get_meeting(meeting_id) is not None:
            q.minutes_of(meeting_id)
    return rt, snap


def for_step(source: Any, step: Any) -> Snapshot:
    """Everything a timeline step's conditions and action may read about its object, read before
    they run (by the rule's scope: a task's meeting and event log; a meeting, its tasks with their
    latest events, minutes and confirmations; the meetings of an owner's tasks; the tasks of a
    person's events; the stored mails behind a host's replies). A read nobody loaded raises
    NotLoaded in the rule code, so a gap shows in the tests, never as a query halfway."""
    snap, obj, scope = Snapshot(), step.obj, step.rule.scope
    q = _Recorder(source, snap)
    if scope == "task":
        if obj.meeting_id is not None:
            q.get_meeting(obj.meeting_id)
        snap.record(("get_task", obj.id), obj)          # the row the tick planned the step for
        q.task_events(obj.id)
    elif scope == "meeting":
        snap.record(("get_meeting", obj.id), obj)       # the row the tick planned the step for
        q.latest_task_events([t.id for t in q.tasks_of_meeting(obj.id)])
        q.minutes_of(obj.id)
    elif scope == "owner":
        for t in obj.tasks:
            if t.meeting_id is not None:
                q.get_meeting(t.meeting_id)
    elif scope == "person":
        for task_id in {e.task_id for e in obj.events}:
            q.get_task(task_id)
    elif scope == "host":
        for r in obj.replies:
            q.inbound_row(r["id"])
    return snap


def _calendar_uids(msg: Any, org: dispatch.Org) -> list[str]:
    """The UIDs the calendar flows look up: of iMIP answers and of invitations, read as they read them."""
    uids: list[str] = []
    for part in dict.fromkeys(msg.calendars or []):
        uids += [r.uid for r in ical_in.parse_replies(part)]
        if ical_in.calendar_method(part) in ("REQUEST", "CANCEL"):
            uids += [i.uid for i in ical_in.parse_invites(part, org.timezone)]
    return list(dict.fromkeys(uids))


# --- the CLI's changes: what each command's flow reads, loaded before it runs ---------------------
def for_new_meeting(source: Any) -> Snapshot:
    """`meeting add`: the flow reads nothing stored; it numbers the new meeting (its id is in the UID)."""
    return Snapshot(next_ids={"meetings": source.next_id("meetings")})


def for_meeting(source: Any, meeting_id: int) -> Snapshot:
    """`meeting reschedule` / `cancel`: the meeting (None when there is none; the command says so)."""
    snap = Snapshot()
    _Recorder(source, snap).get_meeting(meeting_id)
    return snap


def for_task(source: Any, task_id: int) -> Snapshot:
    """`tasks reassign` / `set-due`: the task, its meeting (the assignment mail, the host told) and
    its log (the due entry's next SEQUENCE, flows/due_entries)."""
    snap = Snapshot()
    q = _Recorder(source, snap)
    task = q.get_task(task_id)
    if task is not None:
        q.task_events(task_id)
        if task.meeting_id is not None:
            q.get_meeting(task.meeting_id)
    return snap
