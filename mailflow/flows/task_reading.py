"""What a mail about a task says: the sender's new words, read by replies.classify with what the
reader should know (the task's due date, what the answered mail asked), and narrowed to what may
change a task (only a sure reading does; a handover is passed on however sure it is).

Shared by the task_* flow modules: status replies (task_status), verification, the host's
decisions and handovers, strays. Pure: the lookup is read, nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import answers, dispatch, gate
from ..read import replies
from ..model import Intent, Meeting, Task

# "____" in a one-click answer is a blank the person did not fill in: it says nothing.
_BLANK = re.compile(r"_{2,}")


@dataclass
class _Part:
    intent: Intent
    percent: int | None = None
    due: date | None = None
    due_vague: bool = False
    reason: str = ""
    deadline: Any = None
    calendar_gap: bool = False
    assignee: str | None = None          # REASSIGN: the new owner as written
    guess: Intent | None = None          # UNKNOWN: what an unsure reading leaned to (asked back)

    @classmethod
    def of(cls, r: Any) -> "_Part":
        # an ItemReading has no calendar_gap or assignee of its own
        return cls(intent=r.intent, percent=r.percent, due=r.due, due_vague=r.due_vague, reason=r.reason,
                   deadline=r.deadline, assignee=getattr(r, "assignee", None),
                   calendar_gap=bool(getattr(r, "calendar_gap", False)
                                     or (r.deadline and r.deadline.calendar_gap)))


def _task_and_meeting(ctx: dispatch.Context, rt: dispatch.Route) -> tuple[Task | None, Meeting | None]:
    """The routed task and its meeting, loaded as the gate loaded them; (None, None) without a task."""
    task, meeting = gate.routed(ctx.lookup, rt)
    return (task, meeting) if task is not None else (None, None)


def _words(msg: Any) -> str:
    """The sender's new text; the blanks of a one-click answer left unfilled ("____") say nothing."""
    return _BLANK.sub("", msg.visible or "").strip()


def _read(ctx: dispatch.Context, msg: Any, rt: dispatch.Route, task: Task | None) -> Any:
    """replies.classify with what the reader should know: the task's current due date (a later
    promised date is a delay) and what the mail being answered asked (after "请给出新的日期",
    "1月4日吧" is the new date)."""
    context = answers.context_for(rt, due=task.due if task else None, kind="task")
    return replies.classify(_words(msg), msg.date or ctx.now, ctx.calendar, context=context)


def _sure_part(ctx: dispatch.Context, r: Any, task: Task | None) -> "_Part":
    """What a reading may do to a task: only a sure one changes it. A handover is passed on
    however sure it is (it changes nothing by itself); anything else unsure is asked back."""
    if r.intent is Intent.REASSIGN:
        return _Part.of(r)
    asking_without_date = r.intent is Intent.DELAY and r.due is None
    if not r.sure and not asking_without_date:
        return _Part(intent=Intent.UNKNOWN, guess=r.intent)
    # A delay asked for without a usable date is certain as a request; it changes neither status
    # nor due date (delay_requested) and its answer asks for the date.
    part = _Part.of(r)
    if part.intent is Intent.DELAY and not part.reason and task is not None:
        part.reason = _pending_reason(ctx, task)
    return part


def _item_for_due(ctx: dispatch.Context, msg: Any, rt: dispatch.Route, it: Any, task: Task, by_due: dict) -> Any:
    """A numbered item read against its own task's due date ("2 12月9日前给到" is a delay when task
    2 is due before then): the text is read once per distinct due date among the listed tasks."""
    if task.due not in by_due:
        by_due[task.due] = _read(ctx, msg, rt, task)
    return next((x for x in by_due[task.due].items if x.item == it.item), it)


def _pending_reason(ctx: dispatch.Context, task: Task) -> str:
    """The reason of a delay request still waiting for its date ("需要延期，原因：…" then, asked for
    the date, "1月4日吧"): the two answers make one request."""
    events = ctx.lookup.task_events(task.id)
    last = events[-1] if events else None
    if last is None or last.kind != "delay_requested":
        return ""
    return replies.classify(last.text, last.at, ctx.calendar).reason
