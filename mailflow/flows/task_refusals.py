"""Who may change a task, and what everyone else is told: steps 1 and 2 of every task mail.

1. Authentication: with [org] trusted_authserv_id set, mail our own server does not vouch for
   changes nothing (status "refused", no answer: the sender may be forged; the admin is told).
   A plus-address token that is forged, or names another task, is refused the same way.
2. Authority: the owner and the owner's delegates, the meeting's host and recorder (and the
   host's delegates), the owner's manager answering an escalation. A colleague outside them gets a
   polite refusal and the host is told; a stranger gets nothing (no backscatter).
"""

from __future__ import annotations

from typing import Any

from . import dispatch as core
from .task_receipts import _base, _clip
from .. import tokens
from ..model import Mail, Outcome, Task

def _is_host_delegate(ctx: core.Context, sender: str, meeting: Any) -> bool:
    if not meeting or not meeting.host:
        return False
    host = ctx.directory.get(meeting.host)
    return bool(host and (sender or "").lower() in host.delegates)


def _is_verifier(ctx: core.Context, sender: str, meeting: Any) -> bool:
    """The host verifies (验收); so may the host's delegates."""
    if not meeting or not meeting.host:
        return False
    return sender == meeting.host.lower() or _is_host_delegate(ctx, sender, meeting)


def _owner_side(ctx: core.Context, task: Task, sender: str) -> bool:
    if sender == task.owner.lower():
        return True
    owner = ctx.directory.get(task.owner)
    return bool(owner and sender in owner.delegates)


def _token_problem(ctx: core.Context, msg: Any, task: Task) -> str | None:
    """A plus-address token on a mail routed to `task` must be genuine and name it (or its meeting)."""
    org = ctx.org
    if not (org.plus_addressing and org.secret):
        return None
    for addr in [*(msg.to or []), *(msg.cc or [])]:
        tok = tokens.token_in(addr, org.address)
        if not tok:
            continue
        checked = tokens.check_token(org.secret, tok)
        if checked is None:
            return f"forged reply token in {addr}"
        kind, num = checked
        if not ((kind == "t" and num == task.id) or (kind == "m" and num == task.meeting_id)):
            return f"reply token {kind}{num} used on task {task.id}"
    return None


def _gate(ctx: core.Context, msg: Any, task: Task, meeting: Any, rt: core.Route,
          check_sender: bool = True) -> Outcome | None:
    if not core.authenticated(msg, ctx.org):
        return _silent_refusal(ctx, msg, f"not authenticated by {ctx.org.trusted_authserv_id}; task "
                                         f"{task.id} unchanged")
    problem = _token_problem(ctx, msg, task)
    if problem:
        return _silent_refusal(ctx, msg, f"{problem}; task {task.id} unchanged")
    sender = (msg.sender or "").lower()
    if check_sender and not core.may_change_task(ctx, task, sender, meeting) \
            and not core.may_decide_escalation(ctx, task, sender, rt.answered):
        return _refuse(ctx, msg, task, meeting)
    return None


def _silent_refusal(ctx: core.Context, msg: Any, why: str) -> Outcome:
    out = Outcome(status="refused", log=[why])
    if ctx.org.admin:
        out.mails.append(core.forward_to_admin(ctx, msg, "refused", why))
    return out


def _refuse(ctx: core.Context, msg: Any, task: Task, meeting: Any) -> Outcome:
    """A polite refusal to someone who may not change the task; the host is told."""
    sender = (msg.sender or "").lower()
    out = Outcome(status="refused", log=[f"{sender} may not change task {task.id} ({task.title}); refused"])
    base = _base(ctx, task)
    # Only colleagues (people.yaml) get the refusal: an address outside it may be forged, and an
    # answer would be backscatter to whoever owns it, carrying the task's title and owner outside.
    if ctx.directory.get(sender) is None:
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


def _decides(ctx: core.Context, sender: str, task: Task, meeting: Any, rt: core.Route | None) -> bool:
    """Who decides for a task rather than asks: the host (and delegates), the owner's manager
    answering an escalation."""
    if meeting is None and task.meeting_id is not None:
        meeting = ctx.lookup.get_meeting(task.meeting_id)
    return _is_verifier(ctx, sender, meeting) or bool(
        rt is not None and core.may_decide_escalation(ctx, task, sender, rt.answered))
