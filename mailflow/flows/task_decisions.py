"""The host's answer to a request waiting for them: 同意 / 不同意 (one click) to a handover, or to
a delay when [tasks] delay_needs_approval holds it; naming another person hands the task to them.
The requester hears the decision (task_decision); anything else in that thread is read as usual.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from . import dispatch
from .task_changes import TaskError, _decision_mail, set_due
from .task_handovers import _NO_HANDOVER, _direct_handover, _named_owner
from .task_reading import _read, _task_and_meeting, _words
from .task_receipts import _clip, _host_receipt
from .task_refusals import _gate
from ..read import replies
from ..model import Outcome, Task, TaskEvent

# The host's answer to a request. A refusal is looked for first (不同意 contains 同意).
_DENY = re.compile(r"不同意|不批准|不准|不可以|不接受|不行|拒绝|拒絕|驳回|駁回|否决|否決|"
                   r"\bno\b|\bnot\s+(?:approved?|agreed?|ok)\b|\bden(?:y|ied)\b|\breject(?:ed)?\b|\bdecline[sd]?\b", re.I)
_APPROVE = re.compile(r"同意|批准|准了|可以|没问题|沒問題|好的|\bok(?:ay)?\b|\bapproved?\b|\byes\b|\bagreed?\b|"
                      r"go ahead", re.I)


def _decision(text: str) -> str | None:
    """'approve', 'deny' or None for the host's answer to a handover or delay request."""
    if _DENY.search(text or ""):
        return "deny"
    if _APPROVE.search(text or ""):
        return "approve"
    return None


def _pending(ctx: dispatch.Context, task: Task, kind: str, flag: str | None = None) -> TaskEvent | None:
    """The request still waiting for the host: the latest `kind` event with nothing decided since."""
    for e in reversed(ctx.lookup.task_events(task.id)):
        if e.kind == kind and (flag is None or flag in e.flags):
            return e
        if e.kind in ("reassigned", "reassign_denied", "delay", "delay_denied", "due_set"):
            return None
    return None


def _flag_value(e: TaskEvent | None, prefix: str) -> str | None:
    return next((f[len(prefix):] for f in (e.flags if e else []) if f.startswith(prefix)), None)


@dispatch.on_reply("task_handover_request", "task_delay_request")
def on_decision(ctx: dispatch.Context, msg: Any, rt: dispatch.Route) -> Outcome | None:
    """The host answers a handover or delay request: 同意 / 不同意 (one click), or names another
    person. Anything else in that thread is read like any mail about the task."""
    task, meeting = _task_and_meeting(ctx, rt)
    if task is None or not ctx.standing.decides(task, meeting):
        return None
    refused = _gate(ctx, msg, task, meeting)
    if refused is not None:
        return refused
    words = _words(msg)
    verdict = _decision(words)
    sender = (msg.sender or "").lower()
    stamp = msg.message_id
    if rt.answered["kind"] == "task_handover_request":
        asked = _pending(ctx, task, "reassign_requested")
        if verdict == "deny":
            ev = TaskEvent(task_id=task.id, at=ctx.now, actor=sender, kind="reassign_denied", text=_clip(words),
                           old_status=task.status.value, new_status=task.status.value, message_id=stamp)
            mails = [_host_receipt(ctx, msg, task, "handover_denied")]
            if asked is not None and asked.actor.lower() != sender:
                mails.append(_decision_mail(ctx, task, "handover", "deny", sender, to=asked.actor,
                                            key=f"task_decision:t{task.id}:{stamp}"))
            return Outcome(status="applied", task_events=[ev], mails=mails, intent="objection",
                           log=[f"task {task.id}: handover refused by {sender}"])
        named = _named_owner(words) and not _NO_HANDOVER.search(words)
        if verdict == "approve" and asked is None and not named:
            return Outcome(status="applied", log=[f"task {task.id}: no handover request is waiting"],
                           mails=[_host_receipt(ctx, msg, task, "unchanged")])
        if verdict == "approve" or named:
            reading = _read(ctx, msg, rt, task)
            if asked is not None and not reading.reason:
                reading = replace(reading, reason=_clip(asked.text))
            return _direct_handover(ctx, msg, task, meeting, reading, fallback=_flag_value(asked, "to:"))
        return None
    asked = _pending(ctx, task, "delay_requested", "approval")
    if asked is None or verdict is None:
        return None
    if verdict == "deny":
        ev = TaskEvent(task_id=task.id, at=ctx.now, actor=sender, kind="delay_denied", text=_clip(words),
                       old_status=task.status.value, new_status=task.status.value, message_id=stamp)
        return Outcome(status="applied", task_events=[ev], intent="objection",
                       mails=[_host_receipt(ctx, msg, task, "delay_denied"),
                              _decision_mail(ctx, task, "delay", "deny", sender, old_due=task.due,
                                             key=f"task_decision:t{task.id}:{stamp}")],
                       log=[f"task {task.id}: delay to {asked.due} refused by {sender}"])
    reason = replies.classify(asked.text, asked.at, ctx.calendar).reason or _clip(asked.text)
    try:
        out = set_due(ctx, task, meeting, asked.due, actor=sender, reason=reason, message_id=stamp)
    except TaskError as e:
        return Outcome(status="applied", log=[str(e)], mails=[_host_receipt(ctx, msg, task, "unchanged")])
    out.task_events[0].flags = ["approved"]
    out.mails.insert(0, _host_receipt(ctx, msg, out.tasks[0], "delay", old_due=task.due))
    out.intent = "confirm"
    return out
