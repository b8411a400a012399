"""Due entries that follow the task: the owner's all-day calendar entry stays true.

The assignment mail carries the task's due date as an all-day METHOD:PUBLISH entry (SEQUENCE 0,
UID task-<id>@domain; flows/minutes.assignment_mail). Whenever a change moves what that entry
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

`days_off_notice` is the check at assignment: a due date on a weekend or an official holiday
(China's calendar with 调休: a make-up Saturday is a working day, a weekday in 国庆 is not) is kept
as written, and the host (cc the recorder) is told which tasks fall on a day off, with the working
day before it, so that a date nobody meant is caught when it is set, not when it is missed.

Pure: reads the log through ctx.lookup, returns nothing, adds to the Outcome it is given.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from . import dispatch
from ..write import ical_out
from ..model import Attachment, Mail, Outcome, Task, TaskEvent, TaskStatus

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


def sequence(ctx: dispatch.Context, task_id: int) -> int:
    """The SEQUENCE the next version of the task's entry carries."""
    events = ctx.lookup.task_events(task_id)    # NotLoaded here is a gap in the snapshot loader
    return 1 + sum(1 for e in events if moved_the_entry(e))


def entry(ctx: dispatch.Context, t: Task, meeting_title: str, seq: int, *, ended: bool, owner: str) -> Attachment:
    """The due-T<id>.ics attachment for `owner` (their language, names not addresses)."""
    data = ical_out.build_due_entry(t, meeting_title, ctx.now, ctx.org.domain, owner_name=ctx.name(t.owner),
                                organizer_email=ctx.org.address, sequence=seq, names=ctx.name,
                                lang=ctx.lang(owner), done=ended)
    return Attachment(filename=f"due-T{t.id}.ics", content_type="text/calendar", data=data)


def follow(ctx: dispatch.Context, before: Task, after: Task, out: Outcome, meeting: Any = None) -> None:
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


_HOLIDAYS = {
    "zh-CN": {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
              "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
              "National Day": "国庆节"},
    "zh-TW": {"New Year's Day": "元旦", "Spring Festival": "春節", "Tomb-sweeping Day": "清明節",
              "Labour Day": "勞動節", "Dragon Boat Festival": "端午節", "Mid-autumn Festival": "中秋節",
              "National Day": "國慶節"},
}
_WEEKEND = {"zh-CN": ("周六", "周日"), "zh-TW": ("週六", "週日"), "en": ("Saturday", "Sunday")}


def day_off_reason(ctx: dispatch.Context, day: date, lang: str) -> str:
    """Why `day` is not a working day, in `lang`: the holiday's name, else the weekend day."""
    period = ctx.calendar.period_from(day)
    if period is not None and period.start <= day <= period.end:
        return _HOLIDAYS.get(lang, {}).get(period.name, period.name)
    if day.weekday() >= 5:
        return _WEEKEND.get(lang, _WEEKEND["zh-CN"])[day.weekday() - 5]
    return "holiday" if lang == "en" else "休息日"


def days_off_notice(ctx: dispatch.Context, meeting: Any, tasks: list[Task]) -> list[Mail]:
    """One mail to the host (cc the recorder) listing the new tasks whose due date is a day off."""
    host = getattr(meeting, "host", None)
    off = [t for t in tasks if t.due is not None and not ctx.calendar.is_workday(t.due)]
    if not host or not off:
        return []
    lang = ctx.lang(host)
    recorder = getattr(meeting, "recorder", None)
    rows = [{"id": t.id, "title": t.title, "owner": ctx.name(t.owner), "due": t.due,
             "why": day_off_reason(ctx, t.due, lang),
             "before": ctx.calendar.add_workdays(t.due, -1) if _has_workday_before(ctx, t.due) else None}
            for t in off]
    return [Mail(key=f"task_due_day_off:m{meeting.id}:" + ",".join(str(t.id) for t in off),
                 template="task_due_day_off", to=[host], cc=[recorder] if recorder and recorder != host else [],
                 lang=lang, kind="task_due_day_off", meeting_id=meeting.id,
                 context={"name": ctx.name(host), "meeting_title": meeting.title, "rows": rows,
                          "sender_name": ctx.org.name})]


def _has_workday_before(ctx: dispatch.Context, day: date) -> bool:
    try:
        ctx.calendar.add_workdays(day, -1)
        return True
    except Exception:
        return False


__all__ = ["day_off_reason", "days_off_notice", "entry", "follow", "moved_the_entry", "sequence"]
