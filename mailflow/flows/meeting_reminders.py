"""The meeting timeline's steps (rules/meetings.yaml): the conditions a step asks (upcoming, short
notice, a preparer, unanswered attendees) and the mails it sends (the host's short-notice warning,
the preparer's reminder, the RSVP nudge, the day-before reminder), each built for its step.
"""

from __future__ import annotations

from .meeting_notices import mailed, to_person
from ..timeline import rules
from ..model import Attendee, Meeting, Outcome, Rsvp


@rules.condition("meeting_upcoming")
def meeting_upcoming(ctx, m) -> bool:
    """Scheduled and not started yet."""
    return m.status == "scheduled" and m.start > ctx.now


@rules.condition("meeting_short_notice")
def meeting_short_notice(ctx, m) -> bool:
    """Fewer than 2 working days between the day the meeting was created and its day."""
    created = (m.created_at or ctx.now).astimezone(ctx.tz).date()
    return ctx.calendar.workdays_between(created, m.start.astimezone(ctx.tz).date()) < 2


@rules.condition("meeting_has_preparer")
def meeting_has_preparer(ctx, m) -> bool:
    return bool(m.preparer)


@rules.condition("meeting_has_unanswered")
def meeting_has_unanswered(ctx, m) -> bool:
    return bool(unanswered(m))


def unanswered(m: Meeting) -> list[Attendee]:
    return [a for a in m.attendees if a.rsvp is Rsvp.NEEDS_ACTION and a.email != m.host]


def _after_notice(m: Meeting, step) -> bool:
    """A step whose moment passed before the notice went out is covered by the notice itself."""
    return m.created_at is None or m.created_at < step.moment


@rules.action("meeting_host_warning")
def host_warning(ctx, step) -> Outcome:
    m = step.obj
    days = ctx.calendar.workdays_between(m.created_at.astimezone(ctx.tz).date(), m.start.astimezone(ctx.tz).date())
    return Outcome(mails=[to_person(ctx, m, m.host, "meeting_host_warning", f"{step.key}:{m.host}",
                                    "meeting_host_warning", workdays=max(days, 0))],
                   log=[f"meeting {m.id} starts in {days} working day(s): host warned"])


@rules.action("meeting_preparer_reminder")
def preparer_reminder(ctx, step) -> Outcome:
    m = step.obj
    if not m.preparer or not _after_notice(m, step):
        return Outcome(log=[f"meeting {m.id}: no preparer reminder (none, or the notice was later)"])
    return Outcome(mails=[to_person(ctx, m, m.preparer, "meeting_preparer_reminder", f"{step.key}:{m.preparer}",
                                    "meeting_preparer_reminder")])


@rules.action("meeting_rsvp_nudge")
def rsvp_nudge(ctx, step) -> Outcome:
    m = step.obj
    if not _after_notice(m, step):
        return Outcome(log=[f"meeting {m.id}: no nudge, the notice went out after its moment"])
    data: dict = {}
    mails = [to_person(ctx, m, a.email, "meeting_nudge", f"{step.key}:{a.email}", "meeting_nudge", data)
             for a in unanswered(m) if mailed(ctx, m, a.email)]
    return Outcome(mails=mails, log=[f"meeting {m.id}: nudged {len(mails)} people without an answer"])


@rules.action("meeting_day_before")
def day_before(ctx, step) -> Outcome:
    m = step.obj
    if not _after_notice(m, step):
        return Outcome(log=[f"meeting {m.id}: no reminder, the notice went out after its moment"])
    data: dict = {}
    mails = [to_person(ctx, m, a.email, "meeting_reminder", f"{step.key}:{a.email}", "meeting_reminder",
                       data, rsvp=a.rsvp.value)
             for a in m.attendees if a.rsvp is not Rsvp.DECLINED and mailed(ctx, m, a.email)]
    return Outcome(mails=mails, log=[f"meeting {m.id}: day-before reminder to {len(mails)} people"])
