"""Meetings (会前准备): the meeting itself — from a YAML file, created, moved, cancelled.

Pure: no I/O, no clock (ctx.now). Every entry point returns an Outcome for the daemon to commit.

- A meeting comes from a YAML file (`from_data`, errors name the key), from an invitation a host
  sends to the shared mailbox (iMIP REQUEST/CANCEL, created or updated by UID), or from a plain
  会议通知/会议安排/meeting mail with key-value lines (meeting_from_mail; what is missing is answered).
- `add` gives it an id and sends the notices (meeting_notices); `reschedule` sends a new REQUEST
  (same UID, SEQUENCE+1); `cancel` sends METHOD:CANCEL to everyone invited.
- The answers to the notices are meeting_rsvps; the host moving or cancelling it by mail is
  meeting_changes; the timeline's conditions and actions (rules/meetings.yaml) are meeting_reminders.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from . import dispatch
from .meeting_notices import notices
from ..model import DEFAULT_TIMEZONE, AgendaItem, Attendee, Meeting, Outcome, Role, Rsvp


class MeetingError(ValueError):
    """A meeting file or command is wrong; the message names the key."""


def person(directory, value: Any, where: str) -> str:
    """The email of the one person `value` names (an email, a name or an alias)."""
    text = str(value or "").strip()
    if not text:
        raise MeetingError(f"{where}: empty")
    found = directory.find(text)
    if len(found) == 1:
        return found[0].email
    if len(found) > 1:
        raise MeetingError(f"{where}: {text!r} is ambiguous ({', '.join(p.email for p in found)})")
    raise MeetingError(f"{where}: unknown person {text!r} (not in people.yaml)")


def parse_moment(value: Any, tz: str, where: str) -> datetime:
    """A time to the minute: '2026-11-25 14:00', an ISO time with offset, or a YAML datetime."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        raise MeetingError(f"{where}: {value} has no time of day; give it to the minute, e.g. {value} 14:00")
    else:
        text = str(value or "").strip().replace("/", "-")
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise MeetingError(f"{where}: {value!r} is not a time such as 2026-11-25 14:00") from None
        if len(text) <= 10:
            raise MeetingError(f"{where}: {value!r} has no time of day; give it to the minute")
    if dt.second or dt.microsecond:
        dt = dt.replace(second=0, microsecond=0)
    zone = ZoneInfo(tz)
    return dt.replace(tzinfo=zone) if dt.tzinfo is None else dt.astimezone(zone)


def uid_for(meeting_id: int, title: str, start: datetime, now: datetime, domain: str) -> str:
    """A UID that stays with the meeting for life and never repeats, even if the store is rebuilt."""
    digest = hashlib.sha256(f"{meeting_id}|{title}|{start.isoformat()}|{now.isoformat()}".encode()).hexdigest()
    return f"mf-{meeting_id}-{digest[:12]}@{domain}"


FILE_KEYS = {"title", "goal", "start", "end", "timezone", "location", "online", "host", "recorder",
             "preparer", "attendees", "agenda"}
AGENDA_KEYS = {"title", "owner", "minutes", "outcome", "materials"}


def from_data(data: Any, directory, tz: str = DEFAULT_TIMEZONE, source: str = "meeting.yaml") -> Meeting:
    """A Meeting (no id, no UID yet) from the parsed YAML file; MeetingError names the key."""
    if not isinstance(data, dict):
        raise MeetingError(f"{source}: expected a mapping with title, start, end, host, attendees")
    unknown = sorted(set(data) - FILE_KEYS)
    if unknown:
        raise MeetingError(f"{source}: key {unknown[0]!r}: unknown key (known: {', '.join(sorted(FILE_KEYS))})")
    for key in ("title", "start", "end", "host"):
        if data.get(key) in (None, ""):
            raise MeetingError(f"{source}: key '{key}': required")
    zone = str(data.get("timezone") or tz)
    try:
        ZoneInfo(zone)
    except Exception:
        raise MeetingError(f"{source}: key 'timezone': unknown time zone {zone!r}") from None
    start = parse_moment(data["start"], zone, f"{source}: key 'start'")
    end = parse_moment(data["end"], zone, f"{source}: key 'end'")
    if end <= start:
        raise MeetingError(f"{source}: key 'end': {end:%Y-%m-%d %H:%M} is not after the start")
    host = person(directory, data["host"], f"{source}: key 'host'")
    recorder = person(directory, data["recorder"], f"{source}: key 'recorder'") if data.get("recorder") else None
    preparer = person(directory, data["preparer"], f"{source}: key 'preparer'") if data.get("preparer") else None
    raw_att = data.get("attendees") or {}
    if isinstance(raw_att, list):
        raw_att = {"required": raw_att}
    if not isinstance(raw_att, dict) or set(raw_att) - {"required", "optional"}:
        raise MeetingError(f"{source}: key 'attendees': expected required: [...] and optional: [...]")
    groups: dict[str, list[str]] = {}
    for group in ("required", "optional"):
        values = raw_att.get(group) or []
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            raise MeetingError(f"{source}: key 'attendees.{group}': expected a list")
        groups[group] = [person(directory, v, f"{source}: key 'attendees.{group}[{i}]'")
                         for i, v in enumerate(values, start=1)]
    agenda = []
    raw_agenda = data.get("agenda") or []
    if not isinstance(raw_agenda, list):
        raise MeetingError(f"{source}: key 'agenda': expected a list of items")
    for i, item in enumerate(raw_agenda, start=1):
        where = f"{source}: key 'agenda[{i}]"
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, dict):
            raise MeetingError(f"{where}': expected a mapping with title, owner, minutes, outcome, materials")
        bad = sorted(set(item) - AGENDA_KEYS)
        if bad:
            raise MeetingError(f"{where}.{bad[0]}': unknown key")
        if not str(item.get("title") or "").strip():
            raise MeetingError(f"{where}.title': required")
        minutes = item.get("minutes")
        if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0):
            raise MeetingError(f"{where}.minutes': expected a whole number of minutes, got {minutes!r}")
        owner = person(directory, item["owner"], f"{where}.owner'") if item.get("owner") else None
        agenda.append(AgendaItem(seq=i, title=str(item["title"]).strip(), owner=owner, minutes=minutes,
                                 outcome=str(item.get("outcome") or "").strip(),
                                 materials=str(item.get("materials") or "").strip()))
    m = Meeting(id=None, uid="", title=str(data["title"]).strip(), start=start, end=end, tz=zone,
                goal=str(data.get("goal") or "").strip(), location=str(data.get("location") or "").strip(),
                online=str(data.get("online") or "").strip(), host=host, recorder=recorder,
                preparer=preparer, agenda=agenda, source="file")
    m.attendees = roster(m, groups["required"], groups["optional"], directory)
    if len(m.attendees) < 2:
        raise MeetingError(f"{source}: key 'attendees': nobody is invited besides the host")
    return m


def roster(m: Meeting, required: list[str], optional: list[str], directory) -> list[Attendee]:
    """Everyone invited once, with the strongest role they hold; the host first."""
    out: dict[str, Attendee] = {}
    for email, role in ([(m.host, Role.HOST), (m.recorder, Role.RECORDER), (m.preparer, Role.PREPARER)]
                        + [(e, Role.REQUIRED) for e in required] + [(e, Role.OPTIONAL) for e in optional]):
        if email and email not in out:
            out[email] = Attendee(email=email, role=role, name=directory.name_of(email)
                                  if directory.get(email) else "")
    host = out.get(m.host)
    if host:  # the host sends the invitation: their own answer is yes
        host.rsvp, host.answered_via = Rsvp.ACCEPTED, "host"
    return list(out.values())


def add(ctx: dispatch.Context, m: Meeting, notify: list[str] | None = None) -> Outcome:
    """A new meeting: id, UID, created_at, and a notice to every attendee (or to `notify`). `m` is
    left as it was; the Outcome holds the meeting with its id (out.meetings[0])."""
    new_id = ctx.ids("meetings")
    m = replace(m, id=new_id, created_at=ctx.now,
                uid=m.uid or uid_for(new_id, m.title, m.start, ctx.now, ctx.org.domain))
    out = Outcome(meetings=[m], log=[f"meeting {m.id} {m.title!r} at {m.start:%Y-%m-%d %H:%M} created "
                                     f"from {m.source}; notices to {len(m.attendees)} people"])
    out.mails += notices(ctx, m, m.emails if notify is None else notify)
    return out


def reschedule(ctx: dispatch.Context, m: Meeting, start: datetime, end: datetime) -> Outcome:
    """A new time: SEQUENCE+1, answers reset (they were for the old time), a REQUEST to all."""
    if m.status != "scheduled":
        raise MeetingError(f"meeting {m.id} is {m.status}; it cannot be rescheduled")
    if end <= start:
        raise MeetingError("--end: not after --start")
    old_start, old_end = m.start, m.end
    m = reset_answers(ctx, replace(m, start=start, end=end, sequence=m.sequence + 1))
    out = Outcome(meetings=[m], log=[f"meeting {m.id} moved from {old_start:%Y-%m-%d %H:%M} to "
                                     f"{start:%Y-%m-%d %H:%M} (SEQUENCE {m.sequence})"])
    for mail in notices(ctx, m, m.emails, template="meeting_update", kind="meeting_update"):
        mail.context.update(old_start=old_start, old_end=old_end)
        out.mails.append(mail)
    return out


def cancel(ctx: dispatch.Context, m: Meeting, reason: str) -> Outcome:
    """METHOD:CANCEL (STATUS:CANCELLED, same UID, SEQUENCE+1) to everyone invited."""
    if m.status == "cancelled":
        raise MeetingError(f"meeting {m.id} is already cancelled")
    m = replace(m, status="cancelled", cancel_reason=(reason or "").strip(), sequence=m.sequence + 1)
    out = Outcome(meetings=[m], log=[f"meeting {m.id} cancelled (SEQUENCE {m.sequence}): {m.cancel_reason}"])
    out.mails += notices(ctx, m, m.emails, template="meeting_cancel", kind="meeting_cancel", method="CANCEL")
    return out


def reset_answers(ctx: dispatch.Context, m: Meeting) -> Meeting:
    """After a change of time the old answers no longer hold; replies to the older SEQUENCE are
    kept out by recording the new SEQUENCE and this moment as the baseline. Returns a new Meeting."""
    stamp = ctx.now.astimezone(timezone.utc)
    return replace(m, attendees=[
        a if a.role is Role.HOST and a.email == m.host else
        replace(a, rsvp=Rsvp.NEEDS_ACTION, proxy=None, answered_at=None, answered_via=None,
                rsvp_sequence=m.sequence, rsvp_stamp=stamp)
        for a in m.attendees])

