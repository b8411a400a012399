"""A status about a task written where no task is: in a meeting notice's thread ("接口开发已完成"
answers the notice but is not an RSVP), in a forward or in a new mail. It is matched to the
sender's open task by a task tag in the text, by the title's words, or — outside a meeting's
thread — by being their only open task; several fitting are asked about, numbered.
"""

from __future__ import annotations

import re
from typing import Any

from . import answers, dispatch
from .task_reading import _words
from .task_receipts import _clarify
from .task_status import on_task_mail
from ..read import replies
from ..read.reply_lexicon import normalize
from ..model import Intent, Outcome, Task

_STRAY_INTENTS = (Intent.DONE, Intent.PROGRESS, Intent.DELAY, Intent.RISK, Intent.REASSIGN)
_TAG_IN_TEXT = re.compile(r"\[MF-T(\d{1,12})\]", re.I)


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"\s+", "", normalize(text or "").lower())
    return {t[i:i + 2] for i in range(len(t) - 1)}


def _names_title(title: str, text: str) -> bool:
    """Whether `text` names the task: its whole title, or most of the title's two-character pieces
    ("接口文档已完成" names 接口文档编写) or of its English words."""
    if not title:
        return False
    folded, t = normalize(text).lower(), normalize(title).lower()
    if t in folded:
        return True
    words = [w for w in re.findall(r"[a-z]{3,}", t)]
    if words:
        return sum(w in folded for w in words) / len(words) >= 0.75
    grams = _bigrams(title)
    return len(grams) >= 2 and len(grams & _bigrams(text)) / len(grams) >= 0.6


def _matching_tasks(ctx: dispatch.Context, msg: Any, mine: list[Task], *, only_named: bool) -> list[Task]:
    """The sender's open tasks this mail is about: by a task tag in its text (a forward keeps
    the subject it forwards), else by title words, else (when allowed) their only open task."""
    blob = f"{msg.subject or ''}\n{msg.text or ''}"
    by_id = {t.id: t for t in mine}
    tagged = [by_id[int(n)] for n in dict.fromkeys(_TAG_IN_TEXT.findall(blob)) if int(n) in by_id]
    if tagged:
        return tagged
    named = [t for t in mine if _names_title(t.title, f"{msg.subject or ''}\n{_words(msg)}")]
    if named:
        return named
    return mine if len(mine) == 1 and not only_named else []


def _stray(ctx: dispatch.Context, msg: Any, rt: dispatch.Route, *, in_meeting_thread: bool) -> Outcome | None:
    sender = (msg.sender or "").lower()
    if not sender or not ctx.standing.colleague:
        return None
    mine = ctx.lookup.tasks(owner=sender, open_only=True)
    if not mine:
        return None
    reading = replies.classify(_words(msg), msg.date or ctx.now, ctx.calendar,
                               context=replies.ReplyContext(kind="task"))
    if not reading.sure or reading.intent not in _STRAY_INTENTS or reading.items:
        return None
    # In a meeting's thread only a plain status (done, a percent) can be a task's without naming
    # it; a delay there may be about the meeting itself, so it must name the task.
    loose = reading.intent in (Intent.DONE, Intent.PROGRESS)
    found = _matching_tasks(ctx, msg, mine, only_named=in_meeting_thread and not loose)
    if not found:
        if in_meeting_thread or len(mine) < 2:
            return None
        found = mine                            # a status naming no task: which one? list them
    if len(found) > 1:
        task_rt = dispatch.Route(kind="task", task_id=found[0].id, via="matched")
        out = _clarify(ctx, msg, task_rt, None, mode="items", numbered=found, reading=reading)
        out.log.insert(0, f"a status outside any task thread fits {len(found)} open tasks of {sender}: asked which")
        out.intent = reading.intent.value
        return out
    task_rt = dispatch.Route(kind="task", task_id=found[0].id, meeting_id=found[0].meeting_id, via="matched")
    out = on_task_mail(ctx, msg, task_rt)
    if out is not None:
        out.log.insert(0, f"matched to task {found[0].id} ({found[0].title}) outside its thread")
    return out


@dispatch.on_stray
def on_stray_in_meeting_thread(ctx: dispatch.Context, msg: Any, rt: dispatch.Route) -> Outcome | None:
    """"接口开发已完成" in answer to a meeting notice: the sender's task, not an RSVP. Only in the
    thread of a mail that asked for an RSVP (a minutes thread speaks of items itself)."""
    kind = (rt.answered or {}).get("kind")
    if kind and answers.ASKED_BY_KIND.get(kind) != "rsvp":
        return None
    return _stray(ctx, msg, rt, in_meeting_thread=True)


@dispatch.on_new(90)
def on_stray_new_mail(ctx: dispatch.Context, msg: Any) -> Outcome | None:
    """A new mail or a forward naming a task (after every flow that starts something new)."""
    return _stray(ctx, msg, dispatch.Route(kind="new"), in_meeting_thread=False)
