"""The minutes timeline's steps (rules/minutes.yaml): the conditions a step asks (not requested
yet, no draft yet, a review pending, confirmations still open) and what it does (ask the recorder,
nudge, tell the host the minutes are late, remind the host to review, close the confirmation window
with silence as 无异议视为认可). The mails themselves are built by flows/minutes.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from .minutes import _facts, _fresh, _latest, _mid, _writer, request_mail, review_mail
from ..timeline import rules
from ..model import Mail, Outcome


@rules.condition("minutes_not_requested")
def minutes_not_requested(ctx, m) -> bool:
    return m.status == "scheduled" and m.minutes_state == "none" and bool(_writer(m))


@rules.condition("minutes_no_draft")
def minutes_no_draft(ctx, m) -> bool:
    return m.status == "scheduled" and m.minutes_state in ("none", "requested")


@rules.condition("minutes_review_pending")
def minutes_review_pending(ctx, m) -> bool:
    return m.minutes_state == "review"


@rules.condition("minutes_confirmations_open")
def minutes_confirmations_open(ctx, m) -> bool:
    return m.minutes_state == "final" and any(c.status == "pending" for c in ctx.lookup.minutes_confirmations(m.id))


@rules.action("minutes_request")
def act_request(ctx, step) -> Outcome:
    m = _fresh(ctx, step.obj)
    if m.minutes_state != "none":
        return Outcome()
    m = replace(m, minutes_state="requested")
    return Outcome(meetings=[m], mails=[request_mail(ctx, m)],
                   log=[f"asked {_writer(m)} for the minutes of meeting {m.id}"])


@rules.action("minutes_nudge")
def act_nudge(ctx, step) -> Outcome:
    m = _fresh(ctx, step.obj)
    to = _writer(m)
    return Outcome(log=[f"reminded {to} of the minutes of meeting {m.id}"], mails=[Mail(
        key=f"minutes_nudge:{step.key}", template="minutes_nudge", to=[to], lang=ctx.lang(to),
        kind="minutes_nudge", meeting_id=m.id, in_reply_to=_mid(ctx, f"minutes_request:m{m.id}"),
        context={"name": ctx.name(to), "meeting": _facts(ctx, m),
                 "due": (m.end + timedelta(hours=24)).astimezone(ctx.tz)})])


@rules.action("minutes_late_host")
def act_late_host(ctx, step) -> Outcome:
    m = _fresh(ctx, step.obj)
    return Outcome(log=[f"told the host {m.host} that the minutes of meeting {m.id} are late"], mails=[Mail(
        key=f"minutes_late:{step.key}", template="minutes_late", to=[m.host], lang=ctx.lang(m.host),
        kind="minutes_late", meeting_id=m.id,
        context={"name": ctx.name(m.host), "meeting": _facts(ctx, m), "recorder_email": _writer(m),
                 "final_by": (m.end + timedelta(hours=48)).astimezone(ctx.tz)})])


@rules.action("minutes_review_reminder")
def act_review_reminder(ctx, step) -> Outcome:
    m = _fresh(ctx, step.obj)
    mv = _latest(ctx.lookup.minutes_versions(m.id), "review")
    if m.minutes_state != "review" or mv is None:
        return Outcome()
    return Outcome(mails=[review_mail(ctx, m, mv, reminder_key=step.key)],
                   log=[f"reminded the host {m.host} to review minutes v{mv.version} of meeting {m.id}"])


@rules.action("minutes_confirmation_close")
def act_close(ctx, step) -> Outcome:
    """Silence until the deadline is accepted (无异议视为认可)."""
    m = step.obj
    out = Outcome()
    for c in ctx.lookup.minutes_confirmations(m.id):
        if c.status == "pending" and c.deadline and c.deadline <= ctx.now:
            out.confirmations.append(replace(c, status="accepted", answered_at=ctx.now, text="无异议视为认可"))
    if out.confirmations:
        out.log.append(f"minutes of meeting {m.id}: {len(out.confirmations)} attendee(s) silent until the "
                       f"deadline; recorded as accepted")
    return out
