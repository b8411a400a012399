"""The answers to a meeting's notices: text replies in the notice's thread or naming the meeting
by its tag (参加 / 不参加 / 由王五代参会 / 待定) and iMIP REPLYs keyed on UID + attendee +
SEQUENCE/DTSTAMP; each recorded with when and how it came. A stand-in is invited, the host hears
of a required "no", and a proposal of another time (COUNTER) goes to the host to decide.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from . import answers, dispatch
from .meeting_changes import host_change
from .meeting_from_mail import _calendar_parts
from .meeting_notices import RSVP_LABELS, ROLE_LABELS, meeting_data, notices, to_person
from ..read import ical_in, replies
from ..model import Attendee, Mail, Meeting, Outcome, Role, Rsvp

NOTICE_KINDS = ("notice", "meeting_update", "meeting_nudge", "meeting_reminder", "meeting_rsvp_receipt")


def newer(att: Attendee, sequence: int, stamp: datetime | None) -> bool:
    """Whether an answer (SEQUENCE, DTSTAMP) is newer than the one recorded: an older SEQUENCE
    never wins; at the same SEQUENCE the later DTSTAMP does (no DTSTAMP: the later arrival)."""
    if sequence != att.rsvp_sequence:
        return sequence > att.rsvp_sequence
    if stamp is not None and att.rsvp_stamp is not None:
        return stamp.astimezone(timezone.utc) >= att.rsvp_stamp.astimezone(timezone.utc)
    return True


def record(ctx: dispatch.Context, m: Meeting, att: Attendee, rsvp: Rsvp, proxy: str | None, via: str,
           sequence: int, stamp: datetime | None, out: Outcome) -> tuple[Meeting, Attendee]:
    """One answer: returns the meeting and the attendee with it recorded (new objects; `m` and `att`
    are left as they were). A named stand-in is invited; the host hears of a required 'no' without one."""
    found = ctx.directory.resolve(proxy) if proxy else None
    stand_in = found is not None and m.attendee(found.email) is None
    answered = replace(att, rsvp=rsvp, answered_at=ctx.now, answered_via=via, rsvp_sequence=sequence,
                       rsvp_stamp=(stamp or ctx.now).astimezone(timezone.utc),
                       proxy=(found.email if found else proxy) if proxy else None)
    attendees = [answered if a is att else a for a in m.attendees]
    if stand_in:
        role = Role.OPTIONAL if att.role is Role.OPTIONAL else Role.REQUIRED
        attendees.append(Attendee(email=found.email, role=role, name=found.name))
    m, att = replace(m, attendees=attendees), answered
    if stand_in and m.status == "scheduled":
        [mail] = notices(ctx, m, [found.email])
        mail.context["stands_in_for"] = ctx.name(att.email)
        out.mails.append(mail)
        out.log.append(f"{found.email} stands in for {att.email}; notice sent")
    out.log.append(f"meeting {m.id}: {att.email} -> {rsvp.value}"
                   + (f" (stand-in {att.proxy})" if att.proxy else "") + f" via {via}")
    if rsvp is Rsvp.DECLINED and not att.proxy and att.required and att.email != m.host \
            and m.status == "scheduled":
        out.mails.append(to_person(
            ctx, m, m.host, "meeting_declined", f"declined:m{m.id}:{att.email}:{ctx.now.isoformat()}",
            "meeting_declined", who=ctx.name(att.email), who_email=att.email,
            who_role=ROLE_LABELS.get(ctx.lang(m.host), ROLE_LABELS["zh-CN"])[att.role.value]))
    return m, att


def answering_for(ctx: dispatch.Context, m: Meeting, sender: str) -> Attendee | None:
    """The attendee a mail answers for: the sender, or the person whose delegate the sender is."""
    att = m.attendee(sender)
    if att is None:
        for boss in ctx.directory.delegators_of(sender):
            att = m.attendee(boss)
            if att:
                break
    return att


_ANSWERS = {"confirm": Rsvp.ACCEPTED, "decline": Rsvp.DECLINED, "tentative": Rsvp.TENTATIVE}
# An empty-body calendar reply ("已接受: …", "Declined: …"): inbound reads it into calendar_reply.
# Delegated is a no for this attendee (the delegate, when the calendar part names one, is invited
# by on_imip_reply; a subject line names nobody).
_CALENDAR_ANSWERS = {"accepted": Rsvp.ACCEPTED, "declined": Rsvp.DECLINED, "tentative": Rsvp.TENTATIVE,
                     "delegated": Rsvp.DECLINED}


def read_answer(ctx: dispatch.Context, text: str, rt: dispatch.Route | None = None) -> tuple[Rsvp | None, str | None]:
    """(answer, stand-in name) of a text reply, read by replies.classify as an answer to the notice:
    参加/确认/收到 -> accepted, 不参加/请假/无法参加 -> declined, 由王五代参会 -> declined with 王五,
    待定/可能 -> tentative; (None, None) when it is not an answer (a question, a progress note, …)
    or the reading is not sure: an RSVP never changes on a guess."""
    # an answer in a meeting's thread, or naming it by its tag, answers "will you attend?"
    context = answers.context_for(rt, kind="meeting", asked="rsvp")
    reading = replies.classify(text or "", ctx.now, ctx.calendar, context=context)
    if not reading.sure:
        return None, None
    if reading.proxy:
        return Rsvp.DECLINED, reading.proxy.strip()
    return _ANSWERS.get(reading.intent.value), None


def _answer_of(ctx: dispatch.Context, msg: Any, rt: dispatch.Route | None) -> tuple[Rsvp | None, str | None]:
    if msg.calendar_reply and not (msg.visible or "").strip():
        return _CALENDAR_ANSWERS.get(msg.calendar_reply), None
    return read_answer(ctx, msg.visible or msg.text, rt)


@dispatch.on_reply(*NOTICE_KINDS)
def on_notice_reply(ctx: dispatch.Context, msg: Any, rt: dispatch.Route) -> Outcome | None:
    """A text answer in a notice's thread: 参加 / 不参加 / 由王五代参会 / 待定; from the host, a
    move or a cancellation (host_change)."""
    m = ctx.lookup.get_meeting(rt.meeting_id) if rt.meeting_id is not None else None
    if m is None:
        return None
    return host_change(ctx, msg, rt, m) or _rsvp_by_mail(ctx, msg, rt, m)


@dispatch.on_object("meeting")
def on_meeting_tag(ctx: dispatch.Context, msg: Any, rt: dispatch.Route) -> Outcome | None:
    """A mail naming an upcoming meeting by its [MF-M…] tag outside the notice's thread — a
    one-click answer from a client that drops In-Reply-To, or a calendar reply's subject — from
    someone invited. Only a sure answer is taken; anything else goes on to the other flows."""
    m = ctx.lookup.get_meeting(rt.meeting_id) if rt.meeting_id is not None else None
    if m is None:
        return None
    change = host_change(ctx, msg, rt, m)
    if change is not None:
        return change
    if m.status != "scheduled" or m.start <= ctx.now or answering_for(ctx, m, msg.sender) is None:
        return None
    answer = _answer_of(ctx, msg, rt)
    if answer[0] is None:
        return None
    return _rsvp_by_mail(ctx, msg, rt, m, answer)


def _rsvp_by_mail(ctx: dispatch.Context, msg: Any, rt: dispatch.Route, m: Meeting,
                  answer: tuple[Rsvp | None, str | None] | None = None) -> Outcome:
    if not ctx.standing.authenticated:
        return Outcome(status="refused", log=[f"answer from {msg.sender} failed authentication; not recorded"])
    att = answering_for(ctx, m, msg.sender)
    if att is None:
        return Outcome(status="refused", log=[f"{msg.sender} is not invited to meeting {m.id}; not recorded"])
    if m.status != "scheduled":
        return Outcome(status="ignored", log=[f"meeting {m.id} is {m.status}; answer from {msg.sender} not recorded"])
    rsvp, proxy = answer or _answer_of(ctx, msg, rt)
    sender = msg.sender.lower()
    out = Outcome(meetings=[m])
    words = (msg.visible or "").strip()
    lang = ctx.lang(sender)
    if rsvp is None:
        # Not sure: nothing recorded; the answer quotes the words in the language they are written
        # in and offers the one-click answers; the host's digest shows the words.
        out.meetings, out.status = [], "unknown"
        out.log.append(f"meeting {m.id}: could not read an answer from {msg.sender}")
        lang = answers.language_of_text(words, lang)
    else:
        via = "mail" if att.email == sender else f"mail (by {sender})"
        m, att = record(ctx, m, att, rsvp, proxy, via, m.sequence, msg.date, out)
        out.meetings = [m]
    receipt = to_person(ctx, m, sender, "meeting_rsvp_receipt", f"rsvp_receipt:{msg.message_id}",
                        "meeting_rsvp_receipt", answer=rsvp.value if rsvp else "",
                        answer_label=RSVP_LABELS.get(lang, RSVP_LABELS["zh-CN"])[rsvp.value]
                        if rsvp else "", proxy=ctx.name(att.proxy) if rsvp and att.proxy else "",
                        for_name=ctx.name(att.email) if att.email != sender else "", text=words[:300])
    if rsvp is None and lang != receipt.lang:
        receipt.lang, receipt.context["m"] = lang, meeting_data(ctx, m, lang)
    receipt.in_reply_to, receipt.references = msg.message_id, list(msg.references or [])
    out.mails.append(receipt)
    return out


def _counter_mail(ctx: dispatch.Context, m: Meeting, att: Attendee, r: Any) -> Mail:
    zone = ZoneInfo(m.tz or ctx.org.timezone)
    start = r.proposed_start.astimezone(zone) if r.proposed_start else None
    end = r.proposed_end.astimezone(zone) if r.proposed_end else None
    note = re.sub(r"[\r\n]+", " ", r.comment or "").strip()[:300]
    return to_person(ctx, m, m.host, "meeting_counter",
                     f"counter:m{m.id}:{att.email}:{r.sequence}:{(r.dtstamp or ctx.now).isoformat()}",
                     "meeting_counter", who=att.name or ctx.name(att.email), who_email=att.email,
                     proposed_start=start, proposed_end=end, note=note)


@dispatch.on_new(10)
def on_imip_reply(ctx: dispatch.Context, msg: Any) -> Outcome | None:
    """iMIP REPLY (Outlook, Gmail, Apple, Thunderbird), keyed on UID + attendee + SEQUENCE/DTSTAMP."""
    answers, seen = [], set()
    for part in _calendar_parts(msg):
        for r in ical_in.parse_replies(part):
            k = (r.uid, r.attendee, r.sequence, r.dtstamp)
            if k not in seen:
                seen.add(k)
                answers.append(r)
    meetings: dict[str, Meeting | None] = {}
    for r in answers:
        if r.uid not in meetings:
            meetings[r.uid] = ctx.lookup.meeting_by_uid(r.uid)
    answers = [r for r in answers if meetings.get(r.uid) is not None]
    if not answers:
        return None
    if not ctx.standing.authenticated:
        return Outcome(status="refused", log=[f"iMIP reply from {msg.sender} failed authentication"])
    out = Outcome()
    changed: dict[int, Meeting] = {}
    for r in answers:
        m = meetings[r.uid]
        att = answering_for(ctx, m, r.attendee)
        if att is None:
            out.log.append(f"meeting {m.id}: {r.attendee} answered but is not invited; ignored")
            continue
        if r.method != "REPLY":
            # a proposal of another time ("Propose new time") now reaches the shared mailbox, not the
            # host: it changes nothing, and the host decides (meeting reschedule, or nothing)
            out.log.append(f"meeting {m.id}: {r.attendee} proposed another time ({r.method}); host told")
            if m.status == "scheduled" and m.host:
                out.mails.append(_counter_mail(ctx, m, att, r))
            continue
        if not newer(att, r.sequence, r.dtstamp):
            out.log.append(f"meeting {m.id}: {r.attendee} answered SEQUENCE {r.sequence} "
                           f"({r.partstat.value}); a newer answer is kept")
            continue
        if r.partstat is Rsvp.NEEDS_ACTION:
            continue
        meetings[r.uid], _att = record(ctx, m, att, r.partstat, r.delegated_to, "imip", r.sequence, r.dtstamp, out)
        changed[m.id] = meetings[r.uid]
    out.meetings = list(changed.values())
    out.status = "applied" if changed else "ignored"
    return out


on_imip_reply.calendar = True
