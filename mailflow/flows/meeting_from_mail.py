"""Meetings that arrive by mail: a host's own calendar invitation sent to the shared mailbox
(iMIP REQUEST/CANCEL: created or updated by UID; a recurring series is not followed, the host is
told), and a plain 会议通知 / 会议安排 / meeting mail with key-value lines (`from_text`; what is
missing or unknown is answered). The text itself is read by read/meeting_text.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import dispatch
from .meetings import add, reset_answers, roster
from .meeting_notices import mailed, notices
from ..read import ical_in
from ..read.agenda_text import agenda_lines
from ..read.meeting_text import agenda_item, kv_fields, one_person, parse_when, people_in
from ..model import Mail, Meeting, Outcome, Role

SUBJECT_WORDS = re.compile(r"会议通知|会议安排|會議通知|會議安排|\bmeeting\b", re.I)
NOT_A_NOTICE = re.compile(r"纪要|紀要|minutes|^\s*(re|回复|回覆|答复|aw|fw|fwd|转发|轉寄)\s*[:：]", re.I)
MAX_INVITED = 500       # attendees taken from one calendar invitation


def _calendar_parts(msg: Any) -> list[bytes]:
    """The calendar parts of a mail, each once (clients send it inline and as invite.ics)."""
    return list(dict.fromkeys(msg.calendars or []))


@dispatch.on_new(11)
def on_invitation(ctx: dispatch.Context, msg: Any) -> Outcome | None:
    """A host's own invitation to the shared mailbox creates the meeting, or updates it by UID."""
    infos = []
    for part in _calendar_parts(msg):
        method = ical_in.calendar_method(part)
        if method in ("REQUEST", "CANCEL"):
            infos += ical_in.parse_invites(part, ctx.org.timezone)
    if not infos:
        return None
    info = infos[0]
    existing = ctx.lookup.meeting_by_uid(info.uid)
    if existing is not None and existing.source != "imip":
        return Outcome(status="ignored", log=[f"invitation {info.uid} is meeting {existing.id}, which mailflow "
                                              "sent itself; change it with `mailflow meeting reschedule`"])
    host = info.organizer if info.organizer and info.organizer != ctx.org.address.lower() else msg.sender.lower()
    if ctx.directory.get(host) is None:
        return None   # a stranger's invitation: dispatch.not_understood keeps it and tells the admin
    if not ctx.standing.authenticated:
        return Outcome(status="refused", log=[f"invitation from {msg.sender} failed authentication"])
    if info.recurrence_id is not None:
        # one occurrence of a series moved or cancelled: it is not the meeting, and must not move it
        return Outcome(status="ignored", log=[f"invitation {info.uid}: one occurrence "
                                              f"({info.recurrence_id:%Y-%m-%d %H:%M} UTC) of a series; not followed"])
    if info.recurring and info.method == "REQUEST":
        return _recurring_answer(ctx, msg, info, host, existing)
    if info.method == "CANCEL":
        if existing is None or existing.status == "cancelled":
            return Outcome(status="ignored", log=[f"cancellation of unknown or cancelled meeting {info.uid}"])
        existing = replace(existing, status="cancelled", sequence=max(existing.sequence, info.sequence),
                           cancel_reason=info.description.strip()[:500])
        return Outcome(meetings=[existing], log=[f"meeting {existing.id} cancelled by the host's invitation"])
    if existing is not None and info.sequence < existing.sequence:
        return Outcome(status="ignored", log=[f"invitation {info.uid} SEQUENCE {info.sequence} is older than "
                                              f"meeting {existing.id}'s {existing.sequence}"])
    fields = kv_fields(info.description)
    m = Meeting(id=None, uid=info.uid, title=info.summary or "(无主题)", start=info.start, end=info.end,
                tz=info.tz, location=info.location, host=host, sequence=info.sequence, source="imip",
                goal=fields.get("goal", ""), online=fields.get("online", ""))
    m.recorder = one_person(ctx.directory, fields.get("recorder"))
    m.preparer = one_person(ctx.directory, fields.get("preparer"))
    others = [(e, r) for e, _n, r in info.attendees if e not in (ctx.org.address.lower(), host)]
    dropped = len(others) - MAX_INVITED
    if dropped > 0:
        # a calendar can list thousands of addresses; mailflow follows a meeting, not a mailing list
        others = others[:MAX_INVITED]
    m.attendees = roster(m, [e for e, r in others if r is not Role.OPTIONAL],
                         [e for e, r in others if r is Role.OPTIONAL], ctx.directory)
    by_email = {a.email: a for a in m.attendees}
    for e, n, _r in info.attendees:
        a = by_email.get(e)
        if a and not a.name and n:
            a.name = n
    m.agenda = [agenda_item(ctx.directory, i, line) for i, line in enumerate(info.agenda, start=1)]
    # Only colleagues in people.yaml get a notice: the host's invitation already reached everyone,
    # and a stranger's address in it must not make us mail outsiders.
    known = [a.email for a in m.attendees if mailed(ctx, m, a.email)]
    note = (f"; {dropped} attendee(s) beyond the first {MAX_INVITED} not followed" if dropped > 0 else "")
    if existing is None:
        out = add(ctx, m, notify=known)
        out.log[0] += note
        return out
    m.id, m.created_at, m.minutes_state = existing.id, existing.created_at, existing.minutes_state
    moved = (m.start, m.end) != (existing.start, existing.end)
    old = {a.email: a for a in existing.attendees}
    for a in m.attendees:
        if a.email in old and not moved:
            a.rsvp, a.proxy, a.answered_at, a.answered_via = (old[a.email].rsvp, old[a.email].proxy,
                                                              old[a.email].answered_at, old[a.email].answered_via)
            a.rsvp_sequence, a.rsvp_stamp = old[a.email].rsvp_sequence, old[a.email].rsvp_stamp
    if moved:
        m = reset_answers(ctx, m)
    out = Outcome(meetings=[m], log=[f"meeting {m.id} updated from the host's invitation (SEQUENCE {m.sequence})"
                                     + ("; new time" if moved else "")])
    out.log[0] += note
    out.mails += notices(ctx, m, [e for e in known if e not in old])
    return out


on_invitation.calendar = True


_FREQUENCY = {
    "zh-CN": {"DAILY": "每天", "WEEKLY": "每周", "MONTHLY": "每月", "YEARLY": "每年"},
    "zh-TW": {"DAILY": "每天", "WEEKLY": "每週", "MONTHLY": "每月", "YEARLY": "每年"},
    "en": {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly", "YEARLY": "yearly"},
}


def _recurring_answer(ctx: dispatch.Context, msg: Any, info: ical_in.InviteInfo, host: str,
                      existing: Meeting | None) -> Outcome:
    """A series (RRULE) is not stored: one meeting row cannot hold its occurrences, their answers
    and minutes. The host is told once per invitation version; a meeting already followed under
    that UID is left as it was."""
    lang = ctx.lang(host)
    title = re.sub(r"\s+", " ", info.summary or "").strip()[:200] or "(无主题)"
    when = info.start.astimezone(ZoneInfo(info.tz)) if info.start else None
    mail = Mail(key=f"meeting_recurring:{info.uid}:s{info.sequence}", template="meeting_recurring", to=[host],
                lang=lang, kind="meeting_recurring", in_reply_to=msg.message_id,
                references=list(msg.references or []),
                context={"name": ctx.name(host), "title": title,
                         "when": f"{when:%Y-%m-%d %H:%M}" if when else "",
                         "rule": _FREQUENCY.get(lang, _FREQUENCY["zh-CN"]).get(info.frequency, ""),
                         "sender_name": ctx.org.name})
    kept = f"; meeting {existing.id} is left as it was" if existing is not None else ""
    return Outcome(mails=[mail], status="ignored",
                   log=[f"invitation {info.uid} is a recurring series ({info.frequency or 'RDATE'}); "
                        f"not followed, the host is told{kept}"])


def from_text(ctx: dispatch.Context, text: str, sender: str) -> tuple[Meeting | None, list[str], list[str]]:
    """(meeting, missing keys, unknown names) from a plain 会议通知 mail."""
    f = kv_fields(text)
    missing: list[str] = []
    if not f.get("title"):
        missing.append("title")
    start, end, problem = parse_when(" ".join(x for x in (f.get("date", ""), f.get("time", "")) if x),
                                     ctx.now, ctx.org.timezone, ctx.calendar)
    if problem:
        missing.append(problem)
    if not f.get("location") and not f.get("online"):
        missing.append("place")
    host = one_person(ctx.directory, f.get("host")) if f.get("host") else sender
    unknown: list[str] = []
    if f.get("host") and host is None:
        unknown.append(f["host"])
    required, bad = people_in(ctx.directory, f.get("attendees", ""))
    optional, bad2 = people_in(ctx.directory, f.get("optional", ""))
    unknown += bad + bad2
    recorder = one_person(ctx.directory, f.get("recorder"))
    preparer = one_person(ctx.directory, f.get("preparer"))
    for key, value in (("recorder", recorder), ("preparer", preparer)):
        if f.get(key) and value is None:
            unknown.append(f[key])
    if not required and not optional:
        missing.append("attendees")
    if missing or unknown or host is None:
        return None, missing, unknown
    lines = agenda_lines(text)
    agenda = [agenda_item(ctx.directory, i, line) for i, line in enumerate(lines, start=1)]
    if end is None:
        end = start + timedelta(minutes=sum(i.minutes or 0 for i in agenda) or 60)
    m = Meeting(id=None, uid="", title=f["title"].strip(), start=start, end=end, tz=ctx.org.timezone,
                goal=f.get("goal", ""), location=f.get("location", ""), online=f.get("online", ""),
                host=host, recorder=recorder, preparer=preparer, agenda=agenda, source="mail")
    m.attendees = roster(m, required, optional, ctx.directory)
    return m, [], []


@dispatch.on_new(40)
def on_meeting_mail(ctx: dispatch.Context, msg: Any) -> Outcome | None:
    """A 会议通知 / 会议安排 / meeting mail from a known person starts a meeting."""
    subject = msg.subject or ""
    if not SUBJECT_WORDS.search(subject) or NOT_A_NOTICE.search(subject) or dispatch.SUBJECT_TAG.search(subject):
        return None
    sender = (msg.sender or "").lower()
    if not ctx.standing.colleague:
        return None
    if not ctx.standing.authenticated:
        return Outcome(status="refused", log=[f"meeting mail from {sender} failed authentication"])
    m, missing, unknown = from_text(ctx, msg.visible or msg.text, sender)
    if m is None:
        lang = ctx.lang(sender)
        mail = Mail(key=f"meeting_unclear:{msg.message_id}", template="meeting_unclear", to=[sender],
                    lang=lang, kind="meeting_unclear", in_reply_to=msg.message_id,
                    references=list(msg.references or []),
                    context={"name": ctx.name(sender), "subject": subject, "missing": missing,
                             "unknown": unknown, "sender_name": ctx.org.name})
        return Outcome(mails=[mail], status="unknown",
                       log=[f"meeting mail from {sender}: missing {', '.join(missing) or '-'}; "
                            f"unknown people {', '.join(unknown) or '-'}"])
    return add(ctx, m)
