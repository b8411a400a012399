"""Meetings (会前准备): where a meeting comes from, its notices and invites, the answers to them.

Pure: no I/O, no clock (ctx.now). Every entry point returns an Outcome for the service to commit.

- A meeting comes from a YAML file (`from_data`, errors name the key), from an invitation a host
  sends to the shared mailbox (iMIP REQUEST/CANCEL, created or updated by UID), or from a plain
  会议通知/会议安排/meeting mail with key-value lines (`from_text`; what is missing is answered).
  The text itself (key-value lines, people lists, agenda lines, times) is read by meeting_text.py.
- `add` gives it an id and sends the notices; `reschedule` sends a new REQUEST (same UID,
  SEQUENCE+1); `cancel` sends METHOD:CANCEL to everyone invited.
- Answers: iMIP REPLY keyed on UID + attendee + SEQUENCE/DTSTAMP, and text replies in the notice's
  thread (参加 / 不参加 / 由王五代参会 / 待定). Each is recorded with when and how it came.
- The host (or a delegate) may move or cancel the meeting by mail in its thread ("会议改到下周三下午
  3点", "会议取消，原因…"): `host_change` asks the host to confirm with one click, then runs
  `reschedule` / `cancel`. Anyone else's same words are read as usual.
- Timeline steps (rules/meetings.yaml) are the conditions and actions registered at the end.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from . import answers, dispatch as core
from ..write import ical_out
from ..read import ical_in, replies
from ..timeline import rules
from ..read.agenda_text import agenda_lines
from ..read.meeting_text import HostCommand, agenda_item, kv_fields, one_person, parse_when, people_in, read_host_command
from ..model import AgendaItem, Attendee, Mail, Meeting, Outcome, Role, Rsvp

NOTICE_KINDS = ("notice", "meeting_update", "meeting_nudge", "meeting_reminder", "meeting_rsvp_receipt")
SUBJECT_WORDS = re.compile(r"会议通知|会议安排|會議通知|會議安排|\bmeeting\b", re.I)
NOT_A_NOTICE = re.compile(r"纪要|紀要|minutes|^\s*(re|回复|回覆|答复|aw|fw|fwd|转发|轉寄)\s*[:：]", re.I)


class MeetingError(ValueError):
    """A meeting file or command is wrong; the message names the key."""


# --------------------------------------------------------------------------- people and times
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


# --------------------------------------------------------------------------- the file format
FILE_KEYS = {"title", "goal", "start", "end", "timezone", "location", "online", "host", "recorder",
             "preparer", "attendees", "agenda"}
AGENDA_KEYS = {"title", "owner", "minutes", "outcome", "materials"}


def from_data(data: Any, directory, tz: str = "Asia/Shanghai", source: str = "meeting.yaml") -> Meeting:
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


MAX_INVITED = 500       # attendees taken from one calendar invitation


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


# --------------------------------------------------------------------------- creating and changing
def add(ctx: core.Context, m: Meeting, notify: list[str] | None = None) -> Outcome:
    """A new meeting: id, UID, created_at, and a notice to every attendee (or to `notify`)."""
    m.id = ctx.ids("meetings")
    m.created_at = ctx.now
    if not m.uid:
        m.uid = uid_for(m.id, m.title, m.start, ctx.now, ctx.org.domain)
    out = Outcome(meetings=[m], log=[f"meeting {m.id} {m.title!r} at {m.start:%Y-%m-%d %H:%M} created "
                                     f"from {m.source}; notices to {len(m.attendees)} people"])
    out.mails += notices(ctx, m, m.emails if notify is None else notify)
    return out


def reschedule(ctx: core.Context, m: Meeting, start: datetime, end: datetime) -> Outcome:
    """A new time: SEQUENCE+1, answers reset (they were for the old time), a REQUEST to all."""
    if m.status != "scheduled":
        raise MeetingError(f"meeting {m.id} is {m.status}; it cannot be rescheduled")
    if end <= start:
        raise MeetingError("--end: not after --start")
    old_start, old_end = m.start, m.end
    m.start, m.end = start, end
    m.sequence += 1
    reset_answers(ctx, m)
    out = Outcome(meetings=[m], log=[f"meeting {m.id} moved from {old_start:%Y-%m-%d %H:%M} to "
                                     f"{start:%Y-%m-%d %H:%M} (SEQUENCE {m.sequence})"])
    for mail in notices(ctx, m, m.emails, template="meeting_update", kind="meeting_update"):
        mail.context.update(old_start=old_start, old_end=old_end)
        out.mails.append(mail)
    return out


def cancel(ctx: core.Context, m: Meeting, reason: str) -> Outcome:
    """METHOD:CANCEL (STATUS:CANCELLED, same UID, SEQUENCE+1) to everyone invited."""
    if m.status == "cancelled":
        raise MeetingError(f"meeting {m.id} is already cancelled")
    m.status, m.cancel_reason = "cancelled", (reason or "").strip()
    m.sequence += 1
    out = Outcome(meetings=[m], log=[f"meeting {m.id} cancelled (SEQUENCE {m.sequence}): {m.cancel_reason}"])
    out.mails += notices(ctx, m, m.emails, template="meeting_cancel", kind="meeting_cancel", method="CANCEL")
    return out


def reset_answers(ctx: core.Context, m: Meeting) -> None:
    """After a change of time the old answers no longer hold; replies to the older SEQUENCE are
    kept out by recording the new SEQUENCE and this moment as the baseline."""
    for a in m.attendees:
        if a.role is Role.HOST and a.email == m.host:
            continue
        a.rsvp, a.proxy, a.answered_at, a.answered_via = Rsvp.NEEDS_ACTION, None, None, None
        a.rsvp_sequence, a.rsvp_stamp = m.sequence, ctx.now.astimezone(timezone.utc)


# --------------------------------------------------------------------------- mails
ROLE_LABELS = {
    "zh-CN": {"host": "主持人", "recorder": "记录人", "preparer": "材料准备人", "required": "核心参会人",
              "optional": "列席"},
    "zh-TW": {"host": "主持人", "recorder": "記錄人", "preparer": "材料準備人", "required": "核心參會人",
              "optional": "列席"},
    "en": {"host": "host", "recorder": "recorder", "preparer": "material preparer",
           "required": "required attendee", "optional": "optional (for information)"},
}
RSVP_LABELS = {
    "zh-CN": {"needs-action": "未答复", "accepted": "参加", "declined": "不参加", "tentative": "待定"},
    "zh-TW": {"needs-action": "未答覆", "accepted": "參加", "declined": "不參加", "tentative": "待定"},
    "en": {"needs-action": "no answer yet", "accepted": "attending", "declined": "not attending",
           "tentative": "tentative"},
}


def meeting_data(ctx: core.Context, m: Meeting, lang: str) -> dict:
    """The meeting as plain data for templates (names resolved, times in the meeting's zone)."""
    zone = ZoneInfo(m.tz or ctx.org.timezone)
    labels = ROLE_LABELS.get(lang, ROLE_LABELS["zh-CN"])
    rsvps = RSVP_LABELS.get(lang, RSVP_LABELS["zh-CN"])
    return {
        "id": m.id, "title": m.title, "goal": m.goal, "start": m.start.astimezone(zone),
        "end": m.end.astimezone(zone), "tz": m.tz, "location": m.location, "online": m.online,
        "host": ctx.name(m.host), "recorder": ctx.name(m.recorder) if m.recorder else "",
        "preparer": ctx.name(m.preparer) if m.preparer else "",
        "minutes_total": sum(i.minutes or 0 for i in m.agenda),
        "agenda": [{"seq": i.seq, "title": i.title, "owner": ctx.name(i.owner) if i.owner else "",
                    "minutes": i.minutes or "", "outcome": i.outcome, "materials": i.materials}
                   for i in m.agenda],
        "agenda_rows": [[i.seq, i.title, ctx.name(i.owner) if i.owner else "—", i.minutes or "—",
                         i.outcome or "—", i.materials or "—"] for i in m.agenda],
        "attendees": [{"name": a.name or ctx.name(a.email), "email": a.email, "role": labels[a.role.value],
                       "rsvp": rsvps[a.rsvp.value], "proxy": ctx.name(a.proxy) if a.proxy else ""}
                      for a in m.attendees],
        "status": m.status, "cancel_reason": m.cancel_reason,
    }


def to_prepare(m: Meeting, email: str) -> list[dict]:
    """What this person is asked to bring: the agenda items they own and their materials."""
    return [{"title": i.title, "materials": i.materials, "minutes": i.minutes or ""}
            for i in m.agenda if i.owner == email]


def calendar_for(ctx: core.Context, m: Meeting, lang: str, method: str = "REQUEST") -> bytes | None:
    """The invite for a notice. A meeting that came from the host's own invitation gets none:
    that invitation is the calendar entry, and a second REQUEST from us would fight the host's
    client over SEQUENCE in every attendee's calendar."""
    if m.source == "imip":
        return None
    description = None if lang != "en" or method == "CANCEL" else english_description(ctx, m)
    return ical_out.build_invite(m, ctx.now, method, names=ctx.name, description=description,
                             organizer_email=ctx.org.address, organizer=ctx.org.meeting_organizer,
                             organizer_name=organizer_name(ctx, m, lang))


def organizer_name(ctx: core.Context, m: Meeting, lang: str) -> str:
    """The CN of the shared mailbox as ORGANIZER: whose meeting it is, and that mailflow sends it
    ("王磊（主持人） via 会议助手"). ical_out strips line breaks and quotes from it."""
    label = ROLE_LABELS.get(lang, ROLE_LABELS["zh-CN"])["host"]
    host = ctx.name(m.host) if m.host else ""
    if not host:
        return ctx.org.name
    role = f" ({label})" if lang == "en" else f"（{label}）"
    return f"{host}{role} via {ctx.org.name}"


def english_description(ctx: core.Context, m: Meeting) -> str:
    zone = ZoneInfo(m.tz)
    lines = [f"Goal: {m.goal}"] if m.goal else []
    lines.append(f"Time: {m.start.astimezone(zone):%Y-%m-%d %H:%M}-{m.end.astimezone(zone):%H:%M} ({m.tz})")
    if m.location:
        lines.append(f"Place: {m.location}")
    if m.online:
        lines.append(f"Online: {m.online}")
    lines.append("; ".join(f"{label}: {ctx.name(e)}" for label, e in
                           (("Host", m.host), ("Recorder", m.recorder), ("Materials", m.preparer)) if e))
    if m.agenda:
        lines += ["", "Agenda:"]
        for i in m.agenda:
            extra = ", ".join(x for x in (ctx.name(i.owner) if i.owner else "",
                                          f"{i.minutes} min" if i.minutes else "") if x)
            lines.append(f"{i.seq}. {i.title}" + (f" ({extra})" if extra else ""))
            if i.outcome:
                lines.append(f"   Outcome: {i.outcome}")
            if i.materials:
                lines.append(f"   Materials: {i.materials}")
    return "\n".join(lines)


def notices(ctx: core.Context, m: Meeting, emails: list[str], *, template: str = "meeting_notice",
            kind: str = "notice", method: str = "REQUEST") -> list[Mail]:
    """One mail per attendee: each reads it in their own language (zh-CN, zh-TW, en) with their own
    role and what they are to prepare, and a reply in that thread says whose answer it is even when
    it comes from a delegate. From the shared address, on the host's behalf.

    The invite differs only by language (English readers get an English description), so it is
    built once per language, not once per person."""
    key_kind = {"notice": "notice", "meeting_update": "update", "meeting_cancel": "cancel"}.get(kind, kind)
    invites: dict[str, bytes | None] = {}
    data: dict[str, dict] = {}             # meeting_data per language: built once, not per person
    by_email = {a.email: a for a in m.attendees}
    mails = []
    for email in emails:
        lang = ctx.lang(email)
        att = by_email.get(email.lower())
        labels = ROLE_LABELS.get(lang, ROLE_LABELS["zh-CN"])
        if lang not in invites:
            invites[lang] = calendar_for(ctx, m, lang, method)
            data[lang] = meeting_data(ctx, m, lang)
        invite = invites[lang]
        mails.append(Mail(
            key=f"{key_kind}:m{m.id}:s{m.sequence}:{email}", template=template, to=[email], lang=lang,
            meeting_id=m.id, kind=kind, calendar=invite,
            context={"name": (att.name if att and att.name else ctx.name(email)), "has_invite": invite is not None,
                     "stands_in_for": "",
                     "role": labels[att.role.value] if att else "", "role_key": att.role.value if att else "",
                     "m": data[lang], "prepare": to_prepare(m, email),
                     "on_behalf": ctx.name(m.host)}))
    return mails


def to_person(ctx: core.Context, m: Meeting, email: str, template: str, key: str, kind: str,
              data: dict | None = None, **extra) -> Mail:
    """One mail about `m` to one person. `data` keeps meeting_data per language across the calls
    of one step (built once, not once per attendee)."""
    lang = ctx.lang(email)
    if data is None:
        data = {}
    if lang not in data:
        data[lang] = meeting_data(ctx, m, lang)
    return Mail(key=key, template=template, to=[email], lang=lang, meeting_id=m.id, kind=kind,
                context={"name": ctx.name(email), "m": data[lang],
                         "prepare": to_prepare(m, email), "sender_name": ctx.org.name, **extra})


# --------------------------------------------------------------------------- answers
def newer(att: Attendee, sequence: int, stamp: datetime | None) -> bool:
    """Whether an answer (SEQUENCE, DTSTAMP) is newer than the one recorded: an older SEQUENCE
    never wins; at the same SEQUENCE the later DTSTAMP does (no DTSTAMP: the later arrival)."""
    if sequence != att.rsvp_sequence:
        return sequence > att.rsvp_sequence
    if stamp is not None and att.rsvp_stamp is not None:
        return stamp.astimezone(timezone.utc) >= att.rsvp_stamp.astimezone(timezone.utc)
    return True


def record(ctx: core.Context, m: Meeting, att: Attendee, rsvp: Rsvp, proxy: str | None, via: str,
           sequence: int, stamp: datetime | None, out: Outcome) -> None:
    """Store one answer; a named stand-in is invited; the host hears of a required 'no' without one."""
    att.rsvp, att.answered_at, att.answered_via = rsvp, ctx.now, via
    att.rsvp_sequence, att.rsvp_stamp = sequence, (stamp or ctx.now).astimezone(timezone.utc)
    att.proxy = None
    if proxy:
        found = ctx.directory.resolve(proxy)
        att.proxy = found.email if found else proxy
        if found and m.attendee(found.email) is None:
            role = Role.OPTIONAL if att.role is Role.OPTIONAL else Role.REQUIRED
            m.attendees.append(Attendee(email=found.email, role=role, name=found.name))
            if m.status == "scheduled":
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


def answering_for(ctx: core.Context, m: Meeting, sender: str) -> Attendee | None:
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


def read_answer(ctx: core.Context, text: str, rt: core.Route | None = None) -> tuple[Rsvp | None, str | None]:
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


def _answer_of(ctx: core.Context, msg: Any, rt: core.Route | None) -> tuple[Rsvp | None, str | None]:
    if msg.calendar_reply and not (msg.visible or "").strip():
        return _CALENDAR_ANSWERS.get(msg.calendar_reply), None
    return read_answer(ctx, msg.visible or msg.text, rt)


@core.on_reply(*NOTICE_KINDS)
def on_notice_reply(ctx: core.Context, msg: Any, rt: core.Route) -> Outcome | None:
    """A text answer in a notice's thread: 参加 / 不参加 / 由王五代参会 / 待定; from the host, a
    move or a cancellation (host_change)."""
    m = ctx.lookup.get_meeting(rt.meeting_id) if rt.meeting_id is not None else None
    if m is None:
        return None
    return host_change(ctx, msg, rt, m) or _rsvp_by_mail(ctx, msg, rt, m)


@core.on_object("meeting")
def on_meeting_tag(ctx: core.Context, msg: Any, rt: core.Route) -> Outcome | None:
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


def _rsvp_by_mail(ctx: core.Context, msg: Any, rt: core.Route, m: Meeting,
                  answer: tuple[Rsvp | None, str | None] | None = None) -> Outcome:
    if not core.authenticated(msg, ctx.org):
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
        record(ctx, m, att, rsvp, proxy, via, m.sequence, msg.date, out)
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


# --------------------------------------------------------------------------- the host moves or cancels by mail
def may_change_meeting(ctx: core.Context, m: Meeting, sender: str) -> bool:
    """Only the host moves or cancels a meeting, or the host's delegates, who act for the host (as
    in core.may_change_task). The recorder writes the minutes but does not decide the meeting."""
    sender = (sender or "").strip().lower()
    host = (m.host or "").lower()
    if not sender or not host:
        return False
    if sender == host:
        return True
    person = ctx.directory.get(host)
    return bool(person and sender in [d.lower() for d in person.delegates])


# The one-click bodies of the confirmation; read back by meeting_text.read_host_command.
CHANGE_WORDS = {
    "zh-CN": {"confirm_move": "确认改期：{when}", "confirm_cancel": "确认取消，原因：{reason}", "keep": "不要"},
    "zh-TW": {"confirm_move": "確認改期：{when}", "confirm_cancel": "確認取消，原因：{reason}", "keep": "不要"},
    "en": {"confirm_move": "Confirm the move: {when}", "confirm_cancel": "Confirm the cancellation, reason: {reason}",
           "keep": "Keep it as it is"},
}


def host_change(ctx: core.Context, msg: Any, rt: core.Route, m: Meeting) -> Outcome | None:
    """The host writes in the meeting's thread "会议改到下周三下午3点" or "会议取消，原因…": mailflow asks
    the host to confirm (one click), and on 确认改期 / 确认取消 sends the update / cancellation to
    everyone as `meeting reschedule` / `meeting cancel` do. From anyone else, or when it is no
    command, None: the mail is read as usual."""
    if not may_change_meeting(ctx, m, msg.sender):
        return None
    cmd = read_host_command(msg.visible or "", ctx.now, m.tz or ctx.org.timezone, ctx.calendar)
    if cmd is None and (rt.answered or {}).get("kind") == "meeting_change_confirm":
        cmd = _yes_to_confirmation(ctx, msg, m)
    if cmd is None:
        return None
    if not core.authenticated(msg, ctx.org):
        return Outcome(status="refused", log=[f"meeting {m.id}: change from {msg.sender} failed authentication"])
    if cmd.action == "keep":
        return Outcome(status="ignored", intent="meeting_keep",
                       log=[f"meeting {m.id}: {msg.sender} keeps the meeting as it is"])
    if m.status != "scheduled":
        return Outcome(status="ignored", intent=f"meeting_{cmd.action}",
                       log=[f"meeting {m.id} is {m.status}; {cmd.action} from {msg.sender} not applied"])
    if cmd.action in ("move", "confirm_move"):
        if cmd.problem:
            return _change_mail(ctx, msg, m, cmd, status="unknown", log=f"unclear new time {cmd.when_text!r} "
                                f"({cmd.problem}); asked back")
        start = cmd.start
        end = cmd.end or start + (m.end - m.start)     # only a start: the meeting keeps its length
        if (start, end) == (m.start, m.end):
            return Outcome(status="ignored", intent="meeting_move",
                           log=[f"meeting {m.id} is already at {start:%Y-%m-%d %H:%M}"])
        if cmd.action == "move":
            return _change_mail(ctx, msg, m, cmd, start=start, end=end,
                                log=f"{msg.sender} asked to move it to {start:%Y-%m-%d %H:%M}; confirmation asked")
        out = reschedule(ctx, m, start, end)
        out.intent = "meeting_move"
        out.log.append(f"moved by mail, confirmed by {msg.sender}")
        return out
    if cmd.action == "cancel":
        return _change_mail(ctx, msg, m, cmd, log=f"{msg.sender} asked to cancel it; confirmation asked")
    out = cancel(ctx, m, cmd.reason)
    out.intent = "meeting_cancel"
    out.log.append(f"cancelled by mail, confirmed by {msg.sender}")
    return out


def _yes_to_confirmation(ctx: core.Context, msg: Any, m: Meeting) -> HostCommand | None:
    """A plain "确认" / "OK" written in reply to the confirmation: the proposal is the 确认… line the
    confirmation itself carried (quoted below the answer)."""
    if not re.fullmatch(r"\s*(确认|確認|确定|確定|好的?|可以|同意|ok(ay)?|yes|confirm(ed)?|go ahead)\W*", msg.visible or "",
                        re.I):
        return None
    for line in (msg.text or "").splitlines():
        line = re.sub(r"<mailto:[^>]*>", "", line).lstrip("> \t")     # the quoted link line: its label only
        cmd = read_host_command(line, ctx.now, m.tz or ctx.org.timezone, ctx.calendar)
        if cmd and cmd.action in ("confirm_move", "confirm_cancel"):
            return cmd
    return None


def _change_mail(ctx: core.Context, msg: Any, m: Meeting, cmd: HostCommand, *, log: str,
                 status: str = "applied", start: datetime | None = None, end: datetime | None = None) -> Outcome:
    """To the host: the one-click confirmation of a move or a cancellation, or the ask-back when the
    new time is unclear."""
    sender = msg.sender.lower()
    lang = answers.language_of_text(msg.visible or "", ctx.lang(sender))
    zone = ZoneInfo(m.tz or ctx.org.timezone)
    words = CHANGE_WORDS.get(lang, CHANGE_WORDS["zh-CN"])
    subject = f"{answers.RE_PREFIX.get(lang, '')}[MF-M{m.id}] {m.title}"
    links = []
    if not cmd.problem:
        when = f"{start.astimezone(zone):%Y-%m-%d %H:%M}-{end.astimezone(zone):%H:%M}" if start else ""
        first = "confirm_move" if start else "confirm_cancel"
        for key in (first, "keep"):
            body = words[key].format(when=when, reason=cmd.reason)
            # no In-Reply-To: the subject tag routes the click to this meeting
            links.append({"key": key, "body": body, "href": answers.mailto(ctx.org.address, subject, body)})
    mail = to_person(ctx, m, sender, "meeting_change_confirm", f"meeting_change:{msg.message_id}",
                     "meeting_change_confirm", action="move" if cmd.action == "move" else cmd.action,
                     problem=cmd.problem, when_text=cmd.when_text, reason=cmd.reason,
                     new_start=start.astimezone(zone) if start else None,
                     new_end=end.astimezone(zone) if end else None, links=links)
    if lang != mail.lang:
        mail.lang, mail.context["m"] = lang, meeting_data(ctx, m, lang)
    mail.in_reply_to, mail.references = msg.message_id, list(msg.references or [])
    return Outcome(mails=[mail], status=status, intent=f"meeting_{cmd.action}",
                   log=[f"meeting {m.id}: {log}"])


@core.on_reply("meeting_change_confirm")
def on_change_confirm_reply(ctx: core.Context, msg: Any, rt: core.Route) -> Outcome | None:
    """The host's answer to the confirmation: 确认改期 / 确认取消 / 不要 (or a plain 确认)."""
    m = ctx.lookup.get_meeting(rt.meeting_id) if rt.meeting_id is not None else None
    return host_change(ctx, msg, rt, m) if m is not None else None


def _counter_mail(ctx: core.Context, m: Meeting, att: Attendee, r: Any) -> Mail:
    zone = ZoneInfo(m.tz or ctx.org.timezone)
    start = r.proposed_start.astimezone(zone) if r.proposed_start else None
    end = r.proposed_end.astimezone(zone) if r.proposed_end else None
    note = re.sub(r"[\r\n]+", " ", r.comment or "").strip()[:300]
    return to_person(ctx, m, m.host, "meeting_counter",
                     f"counter:m{m.id}:{att.email}:{r.sequence}:{(r.dtstamp or ctx.now).isoformat()}",
                     "meeting_counter", who=att.name or ctx.name(att.email), who_email=att.email,
                     proposed_start=start, proposed_end=end, note=note)


def _calendar_parts(msg: Any) -> list[bytes]:
    """The calendar parts of a mail, each once (clients send it inline and as invite.ics)."""
    return list(dict.fromkeys(msg.calendars or []))


@core.on_new(10)
def on_imip_reply(ctx: core.Context, msg: Any) -> Outcome | None:
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
    if not core.authenticated(msg, ctx.org):
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
        record(ctx, m, att, r.partstat, r.delegated_to, "imip", r.sequence, r.dtstamp, out)
        changed[m.id] = m
    out.meetings = list(changed.values())
    out.status = "applied" if changed else "ignored"
    return out


on_imip_reply.calendar = True


@core.on_new(11)
def on_invitation(ctx: core.Context, msg: Any) -> Outcome | None:
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
        return None   # a stranger's invitation: core.not_understood keeps it and tells the admin
    if not core.authenticated(msg, ctx.org):
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
        existing.status, existing.sequence = "cancelled", max(existing.sequence, info.sequence)
        existing.cancel_reason = info.description.strip()[:500]
        return Outcome(meetings=[existing], log=[f"meeting {existing.id} cancelled by the host's invitation"])
    if existing is not None and info.sequence < existing.sequence:
        return Outcome(status="ignored", log=[f"invitation {info.uid} SEQUENCE {info.sequence} is older than "
                                              f"meeting {existing.id}'s {existing.sequence}"])
    fields = kv_fields(info.description)
    m = Meeting(id=None, uid=info.uid, title=info.summary or "(无主题)", start=info.start, end=info.end,
                tz=info.tz, location=info.location, host=host, sequence=info.sequence, source="imip",
                goal=fields.get("goal", ""), online=fields.get("online", ""))
    m.recorder = one_person(ctx, fields.get("recorder"))
    m.preparer = one_person(ctx, fields.get("preparer"))
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
    m.agenda = [agenda_item(ctx, i, line) for i, line in enumerate(info.agenda, start=1)]
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
        reset_answers(ctx, m)
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


def _recurring_answer(ctx: core.Context, msg: Any, info: ical_in.InviteInfo, host: str,
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


# --------------------------------------------------------------------------- plain 会议通知 mails
def from_text(ctx: core.Context, text: str, sender: str) -> tuple[Meeting | None, list[str], list[str]]:
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
    host = one_person(ctx, f.get("host")) if f.get("host") else sender
    unknown: list[str] = []
    if f.get("host") and host is None:
        unknown.append(f["host"])
    required, bad = people_in(ctx, f.get("attendees", ""))
    optional, bad2 = people_in(ctx, f.get("optional", ""))
    unknown += bad + bad2
    recorder = one_person(ctx, f.get("recorder"))
    preparer = one_person(ctx, f.get("preparer"))
    for key, value in (("recorder", recorder), ("preparer", preparer)):
        if f.get(key) and value is None:
            unknown.append(f[key])
    if not required and not optional:
        missing.append("attendees")
    if missing or unknown or host is None:
        return None, missing, unknown
    lines = agenda_lines(text)
    agenda = [agenda_item(ctx, i, line) for i, line in enumerate(lines, start=1)]
    if end is None:
        end = start + timedelta(minutes=sum(i.minutes or 0 for i in agenda) or 60)
    m = Meeting(id=None, uid="", title=f["title"].strip(), start=start, end=end, tz=ctx.org.timezone,
                goal=f.get("goal", ""), location=f.get("location", ""), online=f.get("online", ""),
                host=host, recorder=recorder, preparer=preparer, agenda=agenda, source="mail")
    m.attendees = roster(m, required, optional, ctx.directory)
    return m, [], []


@core.on_new(40)
def on_meeting_mail(ctx: core.Context, msg: Any) -> Outcome | None:
    """A 会议通知 / 会议安排 / meeting mail from a known person starts a meeting."""
    subject = msg.subject or ""
    if not SUBJECT_WORDS.search(subject) or NOT_A_NOTICE.search(subject) or core.SUBJECT_TAG.search(subject):
        return None
    sender = (msg.sender or "").lower()
    if ctx.directory.get(sender) is None:
        return None
    if not core.authenticated(msg, ctx.org):
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


# --------------------------------------------------------------------------- the timeline
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


def mailed(ctx: core.Context, m: Meeting, email: str) -> bool:
    """Whether mailflow mails this attendee: everyone of a meeting it created; of a meeting taken
    from a host's own invitation, only colleagues in people.yaml (the host's calendar reached the
    rest, and an address in a calendar file must not make us mail outsiders)."""
    return m.source != "imip" or ctx.directory.get(email) is not None


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


# --------------------------------------------------------------------------- for the CLI
def to_json(m: Meeting) -> dict:
    """`mailflow meeting show --json`: the meeting with each attendee's answer."""
    return {
        "id": m.id, "uid": m.uid, "title": m.title, "goal": m.goal, "start": m.start.isoformat(),
        "end": m.end.isoformat(), "timezone": m.tz, "location": m.location, "online": m.online,
        "host": m.host, "recorder": m.recorder, "preparer": m.preparer, "status": m.status,
        "cancel_reason": m.cancel_reason, "sequence": m.sequence, "source": m.source,
        "created_at": m.created_at.isoformat() if m.created_at else None,
        "attendees": [{"email": a.email, "name": a.name, "role": a.role.value, "rsvp": a.rsvp.value,
                       **({"proxy": a.proxy} if a.proxy else {}),
                       "answered_at": a.answered_at.isoformat() if a.answered_at else None,
                       "answered_via": a.answered_via} for a in m.attendees],
        "agenda": [{"seq": i.seq, "title": i.title, "owner": i.owner, "minutes": i.minutes,
                    "outcome": i.outcome, "materials": i.materials} for i in m.agenda],
    }


def summary_json(m: Meeting) -> dict:
    counts: dict[str, int] = {}
    for a in m.attendees:
        counts[a.rsvp.value] = counts.get(a.rsvp.value, 0) + 1
    return {"id": m.id, "title": m.title, "start": m.start.isoformat(), "end": m.end.isoformat(),
            "status": m.status, "host": m.host, "attendees": len(m.attendees), "rsvp": counts}


