"""Handovers by mail. The owner's side asks ("这个改由小李负责"): the request goes to the host with
one-click 同意 / 不同意 (task_decisions). The host, or the manager answering an escalation, naming
the new owner hands the task over at once, with a new due date when the same words give one.
Which colleague a written name means is the directory's `resolve_spoken` (read/people.py).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from . import dispatch
from .task_changes import TaskError, reassign
from .task_reading import _words
from .task_receipts import _base, _clip, _host_receipt
from ..read import replies
from ..read.reply_lexicon import normalize
from ..read.reply_parts import assignee as _assignee_in
from ..model import Intent, Mail, Outcome, Task

# "不要改由李娜负责" / "先别转给李娜" / "don't hand it over": a handover word under a negation decides nothing.
_NO_HANDOVER = re.compile(r"(?:别|別|不要|不用|不必|先不|暂不|暫不|勿|无需|無需|不能)\s*(?:再)?(?:改由|转给|轉給|转交|轉交|交给|交給|移交|改派)|"
                          r"\b(?:don'?t|do\s+not|not|never)\s+(?:reassign|hand|transfer)", re.I)


def _hands_over(reading: Any, text: str) -> bool:
    """Whether the words of someone who decides hand the task over now: a sure statement (a
    handover, or a new date with it) naming the new owner, not a question or a negated one."""
    if not reading.sure or getattr(reading, "question", False) or _NO_HANDOVER.search(text or ""):
        return False
    return reading.intent in (Intent.REASSIGN, Intent.DELAY) and bool(_named_owner(text))


def _named_owner(text: str) -> str | None:
    """The new owner a handover sentence names ("改由李明负责", "hand it over to Tom"), as written."""
    text = text or ""
    name = _assignee_in(text, normalize(text))
    # the blank of a one-click "改由____负责" left empty: the verb is not a name
    if name and normalize(name) in ("负责", "处理", "跟进", "来做", "接手", "接管"):
        return None
    return name


def _handover_request(ctx: dispatch.Context, msg: Any, task: Task, meeting: Any, assignee: str | None) -> Mail:
    """A handover ("这个改由小李负责") goes to the host as a request, in the sender's words."""
    found = ctx.directory.resolve_spoken(assignee)
    return Mail(
        key=f"task_handover:t{task.id}:{msg.message_id}", template="task_handover_request", to=[meeting.host],
        lang=ctx.lang(meeting.host), kind="task_handover_request", task_id=task.id, meeting_id=task.meeting_id,
        context={**_base(ctx, task), "name": ctx.name(meeting.host), "text": _clip(_words(msg)),
                 "sender_name": ctx.name(msg.sender) or msg.sender, "meeting_title": meeting.title,
                 "assignee": found.name if found else (assignee or ""), "known": found is not None})


def _direct_handover(ctx: dispatch.Context, msg: Any, task: Task, meeting: Any, reading: Any,
                     fallback: str | None = None) -> Outcome:
    """The host or the manager names the new owner: done at once (with a new due date when the
    same words give one); a name nobody in people.yaml answers to is asked back."""
    sender = (msg.sender or "").lower()
    named = _named_owner(_words(msg))
    person = ctx.directory.resolve_spoken(named) if named else None
    if person is None and fallback:
        person = ctx.directory.get(fallback)
    if person is None:
        return Outcome(status="unknown", log=[f"handover to {named!r}: nobody in people.yaml by that name"],
                       mails=[_host_receipt(ctx, msg, task, "handover_who", note=named or "")])
    due = reading.due if reading is not None else None
    if due is None:
        due = _date_beside_handover(ctx, msg, task, named or "")
    due = due if due != task.due else None
    reason = (reading.reason if reading is not None else "") or _clip(_words(msg))
    try:
        out = reassign(ctx, task, meeting, person.email, actor=sender, due=due, reason=reason,
                       message_id=msg.message_id)
    except TaskError as e:
        return Outcome(status="applied", log=[str(e)], mails=[_host_receipt(ctx, msg, task, "unchanged")])
    t = out.tasks[0]
    out.mails.insert(0, _host_receipt(ctx, msg, t, "reassigned", note=person.name, old_due=task.due if due else None))
    out.intent = Intent.REASSIGN.value
    return out


def _date_beside_handover(ctx: dispatch.Context, msg: Any, task: Task, named: str) -> date | None:
    """"改由李娜负责，截止12月8日": a handover reading carries no date, so the clauses that do not
    name the new owner are read for one (the first sure date wins)."""
    for clause in re.split(r"[，,。；;\n]", _words(msg)):
        if not clause.strip() or (named and named in clause):
            continue
        # "截止12月8日" / "due Dec 8": the label only says the date is the due date
        clause = re.sub(r"^\s*(?:截止(?:日期|时间|時間)?(?:改为|改為|为|為|是)?|(?:new\s+)?(?:due(?:\s+date)?|deadline)"
                        r"(?:\s+(?:is|on|by))?)\s*[:：]?\s*", "", clause, flags=re.I)
        r = replies.classify(clause, msg.date or ctx.now, ctx.calendar,
                             context=replies.ReplyContext(due=task.due, asked="new_date", kind="task"))
        if r.due is not None and r.due >= ctx.now.astimezone(ctx.tz).date():
            return r.due
    return None
