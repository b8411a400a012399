"""Due entries that follow the task: the owner's all-day calendar entry stays true.

The assignment mail carries the task's due date as an all-day METHOD:PUBLISH entry (SEQUENCE 0,
UID task-<id>@domain; minutes_flow.assignment_mail). Whenever a change moves what that entry
says — a delay or a new due date, a new owner, done (the entry ends), a return to work (it
starts again) — `follow` adds the next version: same UID, SEQUENCE + 1.

- The owner gets it attached (due-T<id>.ics) to a mail already going to them about this task
  (their receipt, the verification result); only when none is, a short task_due_entry mail.
- A new owner gets the live entry; the old owner gets the ended one, so their calendar stops
  reminding them of work that is no longer theirs.
- The version count is read from the task's log (no column of its own): every earlier event that
  moved the entry — a due date set by a change (not a mere request), a crossing into or out of
  done, a change of owner — was one version, so the next SEQUENCE is one more than those. Counting
  a change that sent nothing only skips a number; SEQUENCE still only grows.

Pure: reads the log through ctx.lookup, returns nothing, adds to the Outcome it is given.
"""

from __future__ import annotations

from typing import Any

from . import core, ical
from .model import Attachment, Mail, Outcome, Task, TaskEvent, TaskStatus

_ENDED = (TaskStatus.DONE, TaskStatus.VERIFIED)
_ENDED_VALUES = {s.value for s in _ENDED}
_NO_VERSION = ("created", "delay_requested", "reassign_requested")   # version 0, or nothing changed yet


def _state(t: Task | None) -> tuple | None:
    """What the owner's calendar shows for a task: nothing, or (owner, due, ended)."""
    if t is None or t.due is None:
        return None
    return (t.owner, t.due, t.status in _ENDED)


def moved_the_entry(e: TaskEvent) -> bool:
    """Whether a logged change made a new version of the due entry."""
    if e.kind in _NO_VERSION:
        return False
    crossed = (e.old_status in _ENDED_VALUES) != (e.new_status in _ENDED_VALUES) \
        if e.old_status and e.new_status else False
    return e.due is not None or crossed or "reassign" in e.kind or "owner" in e.kind


def sequence(ctx: core.Context, task_id: int) -> int:
    """The SEQUENCE the next version of the task's entry carries."""
    try:
        events = ctx.lookup.task_events(task_id)
    except Exception:
        events = []
    return 1 + sum(1 for e in events if moved_the_entry(e))


def entry(ctx: core.Context, t: Task, meeting_title: str, seq: int, *, ended: bool, owner: str) -> Attachment:
    """The due-T<id>.ics attachment for `owner` (their language, names not addresses)."""
    data = ical.build_due_entry(t, meeting_title, ctx.now, ctx.org.domain, owner_name=ctx.name(t.owner),
                                organizer_email=ctx.org.address, sequence=seq, names=ctx.name,
                                lang=ctx.lang(owner), done=ended)
    return Attachment(filename=f"due-T{t.id}.ics", content_type="text/calendar", data=data)


def follow(ctx: core.Context, before: Task, after: Task, out: Outcome, meeting: Any = None) -> None:
    """Add the next version of the due entry to `out` when the change from `before` to `after`
    alters what the owner's calendar shows."""
    old, new = _state(before), _state(after)
    if after.id is None or old == new or (old is None and new is None):
        return
    seq = sequence(ctx, after.id)
    title = getattr(meeting, "title", "") or ""
    sends: list[tuple[str, bool, str]] = []        # (to, ended, why)
    if new is not None:
        why = "ended" if new[2] else ("moved" if old is None or old[0] == new[0] else "yours")
        sends.append((after.owner, new[2], why))
    if old is not None and (new is None or old[0] != new[0]) and not old[2]:
        # the old owner's entry ends: on the old date, marked finished for them
        sends.append((old[0], True, "released"))
    for to, ended, why in sends:
        shown = after if to == after.owner or before is None else before
        att = entry(ctx, shown, title, seq, ended=ended, owner=to)
        carrier = next((m for m in out.mails if m.to == [to] and m.task_id == after.id), None)
        if carrier is not None:
            carrier.attachments = [a for a in carrier.attachments if a.filename != att.filename] + [att]
            continue
        out.mails.append(Mail(
            key=f"task_due_entry:t{after.id}:s{seq}:{to}", template="task_due_entry", to=[to],
            lang=ctx.lang(to), kind="task_due_entry", task_id=after.id, meeting_id=after.meeting_id,
            attachments=[att],
            context={"name": ctx.name(to), "title": after.title, "why": why, "due": after.due,
                     "old_due": before.due if before else None, "owner": ctx.name(after.owner),
                     "sender_name": ctx.org.name}))
    out.log.append(f"task {after.id}: due entry SEQUENCE {seq} to {', '.join(to for to, _e, _w in sends)}")


__all__ = ["entry", "follow", "moved_the_entry", "sequence"]
