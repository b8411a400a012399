"""Who may change a task, and what everyone else is told: steps 1 and 2 of every task mail.

1. Authentication: with [org] trusted_authserv_id set, mail our own server does not vouch for
   changes nothing (status "refused", no answer: the sender may be forged; the admin is told).
   A plus-address token that is forged, or names another task, is refused the same way.
2. Authority: the owner and the owner's delegates, the meeting's host and recorder (and the
   host's delegates), the owner's manager answering an escalation. A colleague outside them gets a
   polite refusal and the host is told; a stranger gets nothing (no backscatter).

Who the sender is was decided once, before dispatch, by flows/gate.py (ctx.standing); this module
only turns that into the refusal and its mails.
"""

from __future__ import annotations

from typing import Any

from . import dispatch
from .task_receipts import _base, _clip
from ..model import Mail, Outcome, Task


def _gate(ctx: dispatch.Context, msg: Any, task: Task, meeting: Any, check_sender: bool = True) -> Outcome | None:
    """The refusal, if any, of what the gate decided about this mail's sender (ctx.standing) for `task`."""
    standing = ctx.standing
    if not standing.authenticated:
        return _silent_refusal(ctx, msg, f"not authenticated by {ctx.org.trusted_authserv_id}; task "
                                         f"{task.id} unchanged")
    problem = standing.token_problem(task)
    if problem:
        return _silent_refusal(ctx, msg, f"{problem}; task {task.id} unchanged")
    if check_sender and not standing.may_change_task(task, meeting) and not standing.decides(task, meeting):
        return _refuse(ctx, msg, task, meeting)
    return None


def _silent_refusal(ctx: dispatch.Context, msg: Any, why: str) -> Outcome:
    out = Outcome(status="refused", log=[why])
    if ctx.org.admin:
        out.mails.append(dispatch.forward_to_admin(ctx, msg, "refused", why))
    return out


def _refuse(ctx: dispatch.Context, msg: Any, task: Task, meeting: Any) -> Outcome:
    """A polite refusal to someone who may not change the task; the host is told."""
    sender = (msg.sender or "").lower()
    out = Outcome(status="refused", log=[f"{sender} may not change task {task.id} ({task.title}); refused"])
    base = _base(ctx, task)
    # Only colleagues (people.yaml) get the refusal: an address outside it may be forged, and an
    # answer would be backscatter to whoever owns it, carrying the task's title and owner outside.
    if not ctx.standing.colleague:
        # Nor a note to the host at once: a stranger (or a bounce no rule recognised) could make
        # one per mail for ever. It is listed in the host's daily digest instead (store:
        # unknown_replies_by_host, intent "stranger").
        out.intent = "stranger"
        out.log.append(f"{sender} is not in the directory: no answer; listed in the host's daily digest")
        return out
    else:
        out.mails.append(Mail(
            key=f"task_refused:{msg.message_id}", template="task_refused", to=[sender], lang=ctx.lang(sender),
            kind="task_refused", task_id=task.id, meeting_id=task.meeting_id, in_reply_to=msg.message_id,
            references=list(msg.references or []),
            context={**base, "name": msg.sender_name or ctx.name(sender) or sender,
                     "host_name": ctx.name(meeting.host) if meeting and meeting.host else ""}))
    if meeting and meeting.host:
        out.mails.append(Mail(
            key=f"task_refused_host:{msg.message_id}", template="task_refused_host", to=[meeting.host],
            lang=ctx.lang(meeting.host), kind="task_refused_host", task_id=task.id,
            meeting_id=task.meeting_id,
            context={**base, "name": ctx.name(meeting.host), "sender": sender,
                     "sender_name": msg.sender_name or ctx.name(sender) or sender,
                     "text": _clip(msg.visible), "subject": msg.subject or ""}))
    return out
