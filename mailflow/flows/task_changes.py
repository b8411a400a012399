"""The two changes decided from above — by the CLI (`tasks reassign`, `tasks set-due`) or by the
host's 同意 to a request: hand a task to another owner (`reassign`) and give it a new due date
(`set_due`). Each tells whoever it concerns and moves the owner's due entry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from . import dispatch, due_entries
from .task_receipts import _base, _clip
from ..model import Mail, Outcome, Task, TaskEvent, TaskStatus


class TaskError(ValueError):
    """A change the ledger cannot make (the CLI prints it and exits 2)."""


def _who(ctx: dispatch.Context, actor: str) -> str:
    """Who decided, for a mail: a colleague's name; a change made at the command line is the org's."""
    return (ctx.name(actor) or actor) if "@" in (actor or "") else ctx.org.name


def _decision_mail(ctx: dispatch.Context, t: Task, about: str, verdict: str, actor: str, *, key: str,
                   old_due: date | None = None, to: str | None = None, new_owner: str = "") -> Mail:
    """The requester hears the decision on their handover or delay request."""
    to = to or t.owner
    return Mail(key=key, template="task_decision", to=[to], lang=ctx.lang(to), kind="task_decision",
                task_id=t.id, meeting_id=t.meeting_id,
                context={**_base(ctx, t), "name": ctx.name(to), "about": about, "verdict": verdict,
                         "by_name": _who(ctx, actor), "old_due": old_due, "reason": t.delay_reason,
                         "new_owner": new_owner})


def reassign(ctx: dispatch.Context, task: Task, meeting: Any, new_owner: str, *, actor: str, due: date | None = None,
             reason: str = "", message_id: str | None = None) -> Outcome:
    """Hand `task` to `new_owner` (an address in people.yaml): the new owner gets the assignment
    mail with the due entry, the old owner is released and their entry ends, the host is told when
    someone else decided, and the log says who to whom and why."""
    new_owner = new_owner.lower()
    if task.status is TaskStatus.VERIFIED:
        raise TaskError(f"task {task.id} is verified and closed")
    if new_owner == task.owner.lower():
        raise TaskError(f"{ctx.name(new_owner) or new_owner} already owns task {task.id}")
    old_owner = task.owner
    t = replace(task, collaborators=[c for c in task.collaborators if c.lower() != new_owner])
    t.owner, t.confirmed_at = new_owner, None
    new_due = due if due is not None and due != task.due else None
    if new_due is not None:
        t.due = new_due
    change = f"{ctx.name(old_owner) or old_owner} → {ctx.name(new_owner) or new_owner}" + (
        f"，{new_due.isoformat()}" if new_due else "") + (f"：{_clip(reason)}" if reason else "")
    event = TaskEvent(task_id=task.id, at=ctx.now, actor=actor, kind="reassigned", text=change,
                      old_status=task.status.value, new_status=t.status.value, due=new_due,
                      percent=t.percent, message_id=message_id,
                      flags=[f"from:{old_owner}", f"to:{new_owner}"])
    out = Outcome(status="applied", tasks=[t], task_events=[event],
                  log=[f"task {task.id} ({task.title}): handed over {change} by {actor}"])
    stamp = message_id or ctx.now.isoformat()
    info = {"from_name": ctx.name(old_owner) or old_owner, "to_name": ctx.name(new_owner) or new_owner,
            "reason": _clip(reason), "by_name": _who(ctx, actor), "old_due": task.due}
    if meeting is not None:
        from . import minutes as minutes_flow          # the same assignment mail the minutes send
        mail = minutes_flow.assignment_mail(ctx, meeting, t, ctx.now)
        mail.key = f"task_assigned:t{task.id}:{new_owner}:{stamp}"
        mail.context["handover"] = info
        out.mails.append(mail)
    out.mails.append(Mail(
        key=f"task_released:t{task.id}:{old_owner}:{stamp}", template="task_owner_changed", to=[old_owner],
        lang=ctx.lang(old_owner), kind="task_owner_changed", task_id=task.id, meeting_id=task.meeting_id,
        context={**_base(ctx, t), **info, "name": ctx.name(old_owner), "role": "released"}))
    host = getattr(meeting, "host", None)
    if host and host.lower() != actor.lower() and host.lower() not in (old_owner.lower(), new_owner):
        out.mails.append(Mail(
            key=f"task_owner_changed:t{task.id}:{host}:{stamp}", template="task_owner_changed", to=[host],
            lang=ctx.lang(host), kind="task_owner_changed", task_id=task.id, meeting_id=task.meeting_id,
            context={**_base(ctx, t), **info, "name": ctx.name(host), "role": "informed"}))
    due_entries.follow(ctx, task, t, out, meeting)
    return out


def set_due(ctx: dispatch.Context, task: Task, meeting: Any, due: date, *, actor: str, reason: str,
            message_id: str | None = None) -> Outcome:
    """A new due date decided from above (CLI `tasks set-due`, the host's 同意 to a delay): the
    task is 延期 with the reason, the owner is told and their due entry moves."""
    if task.status is TaskStatus.VERIFIED:
        raise TaskError(f"task {task.id} is verified and closed")
    if not (reason or "").strip():
        raise TaskError("a new due date needs a reason (--reason)")
    t = replace(task, collaborators=list(task.collaborators))
    t.due, t.delay_reason = due, reason.strip()
    if task.status is not TaskStatus.DONE:
        t.status = TaskStatus.DELAYED
    event = TaskEvent(task_id=task.id, at=ctx.now, actor=actor, kind="delay", text=_clip(reason),
                      old_status=task.status.value, new_status=t.status.value, due=due, percent=t.percent,
                      message_id=message_id, flags=["decided"])
    out = Outcome(status="applied", tasks=[t], task_events=[event],
                  log=[f"task {task.id} ({task.title}): due {task.due} → {due} by {actor}: {reason}"])
    if task.owner.lower() != actor.lower():
        out.mails.append(_decision_mail(ctx, t, "delay", "approve", actor, old_due=task.due,
                                        key=f"task_decision:t{task.id}:due:{message_id or ctx.now.isoformat()}"))
    due_entries.follow(ctx, task, t, out, meeting)
    return out
