"""Replies become task updates: the 任务台账 and its 进度更新 log (pure; returns Outcomes).

A mail reaches this module when dispatch.route placed it on a task (In-Reply-To/References to a
mail we sent about the task, the [MF-T42] subject tag, or a signed plus-address token), or when
it answers a mail that numbered several tasks (the weekly progress request, a receipt): the
numbered task ids of such a mail are kept in the outbox_items table (see `Mail.numbered_tasks`).
This module reads status replies and applies them to the ledger; its siblings hold the other jobs:
task_reading (what a mail says), task_refusals (checks 1 and 2), task_receipts (what the sender
hears back, the daily digest), task_verification (验收), task_handovers, task_decisions and
task_changes (the host's decisions, handovers, new due dates), task_stray (a status outside a thread).

Order of checks, for every mail:
1. Authentication: with [org] trusted_authserv_id set, mail without a pass from our own server
   changes nothing (status "refused", no answer: the sender may be forged; the admin is told).
   A plus-address token that is forged, or names another task, is refused the same way.
2. Authority (decided once by flows/gate.py): owner, the owner's delegates, the meeting's host and
   recorder (and the host's delegates). Anyone else gets a polite refusal; the host is told.
3. replies.classify on the new text, anchored on the mail's Date, told the task's due date and what
   the answered mail asked (answers.context_for). Only a sure reading changes a task.

What an answer does (decisions; the tests pin them):
- confirm: Task.confirmed_at, when the owner or a delegate says it (行动项需经负责人确认). Any
  other report by the owner's side (progress, done, delay) also counts as accepting the task.
- progress: 未开始 -> 进行中 (a task that was 已完成 is reopened); a 延期 task stays 延期 (its new
  date and reason still stand) and only the percent changes; "未开始" keeps 未开始 at 0%.
- done: 已完成 at 100%, the risk flag cleared, and the host asked to verify (验收通过 / 退回 + reason).
  The host's answer (in that thread, or any task thread while the task is 已完成) -> 已验收, or
  back to 进行中 with the reason logged and the owner told.
- delay: needs a new date *and* a reason. With both: 延期, new due, reason. Without one of them the
  ledger's status and due stay as they are, but the request is logged (event "delay_requested")
  and the risk flag set, so the host sees it at once; the sender is asked for what is missing.
  Either kind is flagged late_notice (event flag + a mail to the host) when asked less than 24 h
  before the end of working hours on the due date, or after it.
- risk: the risk flag and note; the receipt goes in copy to the host.
- objection / decline / tentative on a task: logged, status "unknown" (the host's daily digest
  reads inbound rows with status unknown and a task_id), the sender told the host will decide.
- reassign (这个改由小李负责) by the owner's side: never a confirm and no change; logged (event
  "reassign_requested", flag to:<address> when the name resolves) and sent to the host as a
  handover request with one-click 同意 / 不同意 (task_decisions.on_decision). The host's 同意 — or the host, or the
  manager answering an escalation, naming the new owner directly ("这个任务改由李明负责，截止改为
  12月9日") — hands it over (task_changes.reassign): the new owner gets the assignment mail with the due entry,
  the old owner is released, the log says "张伟 → 李明：reason".
- Every delay request reaches the host at once (task_delay_notice); with [tasks]
  delay_needs_approval a complete one waits (delay_requested, flag approval) for the host's 同意
  (task_changes.set_due) or 不同意 (delay_denied); the owner hears the decision (task_decision).
- The escalation's manager (gate.Role.MANAGER_ON_ESCALATION) may change the task in that thread.
- A status outside any task thread (a meeting notice's thread, a forward, a new mail) is matched
  to the sender's open task (task_stray); several fitting are asked about, numbered.
- [schedule] receipts = "daily": plain receipts wait for the person's digest (task_receipts.receipt_digest).
- not sure, or unknown: nothing changes; the words are logged (event "unclear", which also holds
  the overdue notice and the escalation, timeline.py) and one short clarifying answer goes back in
  the language the sender wrote in, quoting them, with one-click answers; an answer to that
  clarification that is still not understood gets no second one (it waits in the digest).
  A delay without a usable date is sure as a request: the answer (kind task_ask_date) asks for the
  date, and the next answer is read as that date, with the reason given the first time.
- A 已验收 task is closed: answers are acknowledged and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from . import dispatch, due_entries
from .task_handovers import _direct_handover, _handover_request, _hands_over
from .task_reading import _Part, _item_for_due, _read, _sure_part, _task_and_meeting, _words
from .task_receipts import OWN_KINDS, _base, _clarify, _clip, _hold_receipt, _line
from .task_refusals import _gate, _refuse
from .task_verification import _verdict, _verify, _verify_request
from ..read import dates
from ..model import NUMBERED_KINDS, Intent, Mail, Outcome, Task, TaskEvent, TaskStatus

# What a task event records for a reply that changed nothing until a human looks at it.
UNREAD_KINDS = ("unclear", "reassign_requested")


@dataclass
class _Result:
    task: Task
    what: str                  # confirm progress done delay delay_incomplete risk noted handover closed unchanged
    missing: list[str] = field(default_factory=list)
    late: bool = False
    gap: bool = False
    old_due: date | None = None
    changed: bool = False
    event: TaskEvent | None = None
    part: Any = None


@dispatch.on_object("task")
def on_task_mail(ctx: dispatch.Context, msg: Any, rt: dispatch.Route) -> Outcome | None:
    task, meeting = _task_and_meeting(ctx, rt)
    if task is None:
        return None
    refused = _gate(ctx, msg, task, meeting)
    if refused is not None:
        return refused
    if ctx.standing.host_side(meeting) and task.status is TaskStatus.DONE and _verdict(_words(msg)):
        return _verify(ctx, msg, task, meeting)
    reading = _read(ctx, msg, rt, task)
    if ctx.standing.decides(task, meeting) and _hands_over(reading, _words(msg)):
        # The host (or the manager answering an escalation) hands the task over directly:
        # "这个任务改由李明负责，截止改为12月9日" needs nobody's approval.
        return _direct_handover(ctx, msg, task, meeting, reading)
    out = _apply_reading(ctx, msg, rt, [(task, meeting, _sure_part(ctx, reading, task))], reading)
    out.intent = reading.intent.value
    return out


@dispatch.on_reply(*NUMBERED_KINDS)
def on_numbered_reply(ctx: dispatch.Context, msg: Any, rt: dispatch.Route) -> Outcome | None:
    """An answer to a mail that listed several tasks, numbered ("1 已完成；3 延期到周五")."""
    ids = ctx.lookup.outbox_items(rt.answered["id"]) if rt.answered else None
    if not ids:
        return None              # a receipt about one task: on_task_mail (routed by its task_id)
    tasks = [ctx.lookup.get_task(i) for i in ids]
    reading = _read(ctx, msg, rt, tasks[0] if len(tasks) == 1 else None)
    picked: list[tuple[Task, _Part]] = []
    unclear: list[int] = []
    if reading.items:
        by_due = {None: reading}
        for it in reading.items:
            task = tasks[it.item - 1] if 1 <= it.item <= len(tasks) else None
            if task is None:
                unclear.append(it.item)
                continue
            picked.append((task, _sure_part(ctx, _item_for_due(ctx, msg, rt, it, task, by_due), task)))
    elif len(tasks) == 1 and tasks[0] is not None:
        picked.append((tasks[0], _sure_part(ctx, reading, tasks[0])))
    if not picked:
        # No numbers and several tasks: which one? Ask once, listing them.
        rt = replace(rt, task_id=next((t.id for t in tasks if t is not None), None))
        out = _clarify(ctx, msg, rt, None, mode="items", numbered=[t for t in tasks if t is not None],
                       reading=reading)
        out.intent, out.task_id = reading.intent.value, rt.task_id
        return out
    # One read per meeting: the listed tasks mostly come from the same few meetings.
    meetings = {mid: ctx.lookup.get_meeting(mid) for mid in {t.meeting_id for t, _p in picked} if mid is not None}
    pairs = [(task, meetings.get(task.meeting_id), part) for task, part in picked]
    refused = _gate(ctx, msg, pairs[0][0], pairs[0][1], check_sender=False)
    if refused is not None:
        return refused
    allowed = [p for p in pairs if ctx.standing.may_change_task(p[0], p[1])]
    if not allowed:
        return _refuse(ctx, msg, pairs[0][0], pairs[0][1])
    rt = replace(rt, task_id=allowed[0][0].id)
    out = _apply_reading(ctx, msg, rt, allowed, reading, unclear=unclear, numbered=ids,
                         refused=[p[0] for p in pairs if p not in allowed])
    out.intent, out.task_id = reading.intent.value, rt.task_id
    return out


def _due_end(ctx: dispatch.Context, due: date) -> datetime:
    end = getattr(ctx.clockwork, "work_end", None) or dates.WORKDAY_END
    return datetime.combine(due, end, tzinfo=ctx.tz)


def _asked_at(ctx: dispatch.Context, msg: Any) -> datetime:
    """When the sender asked: the Date header, unless it is in the future or days old (skewed clocks)."""
    d = msg.date
    if d is None or d.tzinfo is None or d > ctx.now or d < ctx.now - timedelta(days=2):
        return ctx.now
    return d


def _apply_one(ctx: dispatch.Context, msg: Any, task: Task, meeting: Any, part: _Part, text: str) -> _Result:
    sender = (msg.sender or "").lower()
    t = replace(task, collaborators=list(task.collaborators))
    old = task.status
    ev = dict(task_id=task.id, at=ctx.now, actor=sender, text=text, old_status=old.value,
              message_id=msg.message_id)
    res = _Result(task=t, what="unchanged", part=part)
    if old is TaskStatus.VERIFIED:
        res.what = "closed"
        return res
    intent = part.intent
    owner_side = ctx.standing.owner_side(task)

    if intent in (Intent.CONFIRM, Intent.PROGRESS, Intent.DONE, Intent.DELAY, Intent.RISK) and owner_side \
            and t.confirmed_at is None:
        t.confirmed_at = ctx.now
        res.changed = True
    if intent is Intent.CONFIRM:
        if res.changed:
            res.what = "confirm"
            res.event = TaskEvent(**ev, kind="confirm", new_status=old.value)
        return res
    if intent is Intent.DONE or (intent is Intent.PROGRESS and part.percent == 100):
        if old is TaskStatus.DONE:
            return res
        t.status, t.percent, t.done_at, t.risk = TaskStatus.DONE, 100, ctx.now, False
        res.what, res.changed = "done", True
        res.event = TaskEvent(**ev, kind="done", new_status="done", percent=100)
        return res
    if intent is Intent.PROGRESS:
        if old is TaskStatus.NOT_STARTED and part.percent == 0:
            t.percent = 0
        elif old is not TaskStatus.DELAYED:
            t.status = TaskStatus.IN_PROGRESS
        if part.percent is not None:
            t.percent = part.percent
        if old is TaskStatus.DONE:
            t.done_at = None
        if (t.status, t.percent) == (old, task.percent) and not res.changed:
            return res
        res.what, res.changed = "progress", True
        res.event = TaskEvent(**ev, kind="progress", new_status=t.status.value, percent=t.percent)
        return res
    if intent is Intent.DELAY:
        deadline = part.deadline
        due = part.due
        if deadline is not None and deadline.delay is not None and task.due is not None:
            deadline = dates.apply_delay(deadline, task.due, ctx.calendar)
            due = deadline.due
        gap = part.calendar_gap or bool(deadline and deadline.calendar_gap)
        res.gap = gap
        res.late = task.due is not None and _asked_at(ctx, msg) > _due_end(ctx, task.due) - timedelta(hours=24)
        flags = (["late_notice"] if res.late else []) + (["calendar_gap"] if gap else [])
        if due is not None and due < ctx.now.astimezone(ctx.tz).date():
            due = None
        res.missing = (["date"] if due is None else []) + (["reason"] if not part.reason else [])
        if res.missing:
            t.risk = True
            t.risk_note = t.risk_note or text[:200]
            res.what, res.changed = "delay_incomplete", True
            res.event = TaskEvent(**ev, kind="delay_requested", new_status=old.value, due=due, flags=flags)
            return res
        if ctx.org.delay_needs_approval and owner_side and not ctx.standing.host_side(meeting):
            # [tasks] delay_needs_approval: the request waits for the host's 同意 (on_decision)
            res.what, res.changed = "delay_pending", True
            res.event = TaskEvent(**ev, kind="delay_requested", new_status=old.value, due=due,
                                  flags=flags + ["approval"])
            return res
        res.old_due = task.due
        t.status, t.due, t.delay_reason, t.done_at = TaskStatus.DELAYED, due, part.reason, None
        res.what, res.changed = "delay", True
        res.event = TaskEvent(**ev, kind="delay", new_status="delayed", due=due, percent=t.percent, flags=flags)
        return res
    if intent is Intent.RISK:
        t.risk, t.risk_note = True, text[:200]
        if part.percent is not None:
            t.percent = part.percent
            if old is TaskStatus.NOT_STARTED and part.percent > 0:
                t.status = TaskStatus.IN_PROGRESS
        res.what, res.changed = "risk", True
        res.event = TaskEvent(**ev, kind="risk", new_status=t.status.value, percent=t.percent)
        return res
    if intent in (Intent.OBJECTION, Intent.DECLINE, Intent.TENTATIVE):
        res.what = "noted"
        res.event = TaskEvent(**ev, kind=intent.value, new_status=old.value)
        return res
    if intent is Intent.REASSIGN:
        # Never a confirm and never a change here: the host decides on a handover (issue 11 adds
        # the approval flow); the request and the sender's words stay in the task's log.
        res.what = "handover"
        person = ctx.directory.resolve_spoken(part.assignee)
        res.event = TaskEvent(**ev, kind="reassign_requested", new_status=old.value,
                              flags=[f"to:{person.email}"] if person else [])
        return res
    res.what = "unknown"
    res.event = TaskEvent(**ev, kind="unclear", new_status=old.value)
    return res


def _apply_reading(ctx: dispatch.Context, msg: Any, rt: dispatch.Route, pairs: list, reading: Any, *,
                   unclear: list[int] | None = None, numbered: list[int] | None = None,
                   refused: list[Task] | None = None) -> Outcome:
    sender = (msg.sender or "").lower()
    text = _clip(reading.text or msg.visible)
    results = [(meeting, _apply_one(ctx, msg, task, meeting, part, text)) for task, meeting, part in pairs]
    unknown = [r for _m, r in results if r.what == "unknown"]
    known = [(m, r) for m, r in results if r.what != "unknown"]
    if not known and not unclear:
        out = _clarify(ctx, msg, rt, pairs[0][0], mode="unknown", reading=reading, guess=unknown[0].part.guess)
        out.task_events += [r.event for r in unknown if r.event is not None]
        return out
    if (not unknown and not unclear and not refused and rt.answered and rt.answered.get("kind") in OWN_KINDS
            and all(r.what in ("unchanged", "closed") for _m, r in known)):
        # "好的" / "收到" to our own receipt: nothing to record, and no receipt of the receipt.
        return Outcome(status="ignored", log=["an acknowledgement of our answer; nothing changed"])
    out = Outcome(status="applied")
    lang = ctx.lang(sender)
    cc: list[str] = []
    lines = []
    for meeting, r in known:
        t = r.task
        if r.changed:
            out.tasks.append(t)
        if r.event is not None:
            out.task_events.append(r.event)
        out.log.append(f"task {t.id} ({t.title}): {r.what} by {sender}"
                       + (f", due {t.due}" if r.what == "delay" else "")
                       + (" [late notice]" if r.late else "") + (" [calendar gap]" if r.gap else ""))
        host = meeting.host if meeting else ""
        if r.what == "noted":
            out.status = "unknown"
        if r.what == "risk" and host and host != sender:
            cc.append(host)
        if r.what == "done" and host:
            out.mails.append(_verify_request(ctx, msg, t, meeting))
        if r.late and host:
            out.mails.append(_late_notice(ctx, msg, t, meeting, r))
        elif r.what in ("delay", "delay_incomplete", "delay_pending") and host and host != sender:
            out.mails.append(_delay_notice(ctx, msg, t, meeting, r))
        what = r.what
        if what == "handover" and host and host != sender:
            out.mails.append(_handover_request(ctx, msg, t, meeting, r.part.assignee if r.part else None))
        elif what == "handover":
            what = "handover_noted"      # the host wrote it (or there is none): nobody else to ask
        lines.append(_line(ctx, t, what, note=t.risk_note, missing=r.missing, late=r.late, gap=r.gap,
                           old_due=r.old_due or (r.part.due if r.what == "delay_pending" and r.part else None),
                           verify=r.what == "done" and bool(host),
                           host_name=ctx.name(host) if host else ""))
    out.task_events += [r.event for r in unknown if r.event is not None]
    if unknown:
        unclear = list(unclear or []) + [
            (numbered.index(r.task.id) + 1) if numbered and r.task.id in numbered else r.task.id for r in unknown]
    first = known[0][1].task if known else pairs[0][0]
    single = numbered is None
    key = f"task_receipt:{msg.message_id}"
    clarify_kind = any(r.what == "delay_incomplete" for _m, r in known) or bool(unclear)
    # A delay without its date asks for the date: the answer is read as that date (answers.py).
    ask_date = single and any(r.what == "delay_incomplete" and "date" in r.missing for _m, r in known)
    out.mails.insert(0, Mail(
        key=key, template="task_receipt", to=[sender], cc=sorted(set(cc)), lang=lang,
        kind="task_ask_date" if ask_date else "task_clarify" if clarify_kind and single else "task_receipt",
        task_id=first.id if single else None, meeting_id=first.meeting_id,
        in_reply_to=msg.message_id, references=list(msg.references or []),
        context={"name": msg.sender_name or ctx.name(sender) or sender, "lines": lines,
                 "unclear": unclear or [], "refused": [t.title for t in (refused or [])],
                 "items": list(numbered) if numbered else [], "offer": "date" if ask_date else None}))
    if unclear:
        out.log.append(f"not understood for item(s) {', '.join(map(str, unclear))}")
    if refused:
        out.log.append(f"{sender} may not change: {', '.join(str(t.id) for t in refused)}")
    for (before, _m, _p), (meeting, r) in zip(pairs, results):
        due_entries.follow(ctx, before, r.task, out, meeting)   # the owner's calendar entry follows
    _hold_receipt(ctx, out, key)
    return out


def _delay_notice(ctx: dispatch.Context, msg: Any, task: Task, meeting: Any, r: _Result) -> Mail:
    """Every delay request reaches the host at once (GUIDE 001: the host coordinates); with
    [tasks] delay_needs_approval it asks for 同意 / 不同意 (kind task_delay_request)."""
    pending = r.what == "delay_pending"
    kind = "task_delay_request" if pending else "task_delay_notice"
    return Mail(
        key=f"{kind}:t{task.id}:{msg.message_id}", template="task_delay_notice", to=[meeting.host],
        lang=ctx.lang(meeting.host), kind=kind, task_id=task.id, meeting_id=task.meeting_id,
        context={**_base(ctx, task), "name": ctx.name(meeting.host), "text": _clip(_words(msg)),
                 "sender_name": ctx.name(msg.sender) or msg.sender, "meeting_title": meeting.title,
                 "what": r.what, "old_due": r.old_due or task.due,
                 "new_due": r.event.due if r.event is not None else None, "missing": r.missing,
                 "approval": pending})


def _late_notice(ctx: dispatch.Context, msg: Any, task: Task, meeting: Any, r: _Result) -> Mail:
    return Mail(
        key=f"task_late_notice:t{task.id}:{msg.message_id}", template="task_late_notice", to=[meeting.host],
        lang=ctx.lang(meeting.host), kind="task_late_notice", task_id=task.id, meeting_id=task.meeting_id,
        context={**_base(ctx, task), "name": ctx.name(meeting.host), "text": _clip(msg.visible),
                 "sender_name": ctx.name(msg.sender) or msg.sender, "old_due": r.old_due or task.due,
                 "new_due": task.due if r.what == "delay" else None, "asked": _asked_at(ctx, msg)})
