"""iCalendar for meetings: the invite of a 会议通知, its cancellation, task due entries, and the
iMIP replies and outside invitations that arrive in the shared mailbox.

Pure: no clock (``now`` is a parameter), no disk. Named ``ical`` so that it never shadows the
standard library's ``calendar`` module.

Building (RFC 5545 / RFC 5546 iTIP):
- ``build_invite`` writes METHOD:REQUEST or METHOD:CANCEL for a Meeting. UID is ``meeting.uid``,
  SEQUENCE is ``meeting.sequence`` (the caller raises it on every change), DTSTAMP is ``now`` in
  UTC. With ``organizer="shared"`` (the default) ORGANIZER is the shared mailbox
  (``organizer_email``), its CN naming the host ("王磊（主持人） via 会议助手"): calendar clients send
  Accept/Decline to the ORGANIZER, so the buttons reach mailflow. The host is an ATTENDEE with
  ROLE=CHAIR, PARTSTAT=ACCEPTED and no RSVP request. With ``organizer="host"`` ORGANIZER is the
  host and the shared address is its SENT-BY (answers then reach the host, not mailflow).
  Without a host the shared address itself is the ORGANIZER. A CANCEL asks nobody to answer.
- ``build_due_entry`` writes METHOD:PUBLISH with one all-day VEVENT on a task's due date; the
  same UID with a higher SEQUENCE moves it, and ``done=True`` marks it finished (see there).

Parsing never raises on bad input: garbage gives ``[]``. Outlook's Windows zone names
("China Standard Time"), its display-name TZIDs ("(UTC+08:00) Beijing, Chongqing, ..."),
Mozilla's "/mozilla.org/.../Asia/Shanghai", custom VTIMEZONEs, UTC (Gmail) and floating times are
all turned into aware datetimes with an IANA zone name.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from icalendar import Alarm, Calendar, Event, vCalAddress

from ..model import AgendaItem, Meeting, Role, Rsvp, Task

try:  # icalendar's own Windows -> IANA table (CLDR); a small fallback if it ever moves
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON as _WINDOWS
except Exception:  # pragma: no cover - depends on the icalendar version
    _WINDOWS = {}

PRODID = "-//mailflow//mailflow meeting follow-up//ZH"
ORGANIZER_MODES = ("shared", "host")
ALARM_BEFORE = timedelta(minutes=15)
VTIMEZONE_FIRST_DATE = date(2000, 1, 1)  # no 1986-91 DST history for Asia/Shanghai

_WINDOWS_EXTRA = {
    "china standard time": "Asia/Shanghai",
    "taipei standard time": "Asia/Taipei",
    "tokyo standard time": "Asia/Tokyo",
    "singapore standard time": "Asia/Singapore",
    "utc": "UTC",
    "gmt standard time": "Europe/London",
    "w. europe standard time": "Europe/Berlin",
    "pacific standard time": "America/Los_Angeles",
    "eastern standard time": "America/New_York",
}
# Outlook 2003-2007 wrote display names as TZIDs; a city in the name is enough to know the zone.
_DISPLAY_CITIES = [
    ("beijing", "Asia/Shanghai"), ("chongqing", "Asia/Shanghai"), ("urumqi", "Asia/Shanghai"),
    ("taipei", "Asia/Taipei"), ("hong kong", "Asia/Hong_Kong"), ("singapore", "Asia/Singapore"),
    ("kuala lumpur", "Asia/Kuala_Lumpur"), ("osaka", "Asia/Tokyo"), ("tokyo", "Asia/Tokyo"),
    ("seoul", "Asia/Seoul"), ("amsterdam", "Europe/Berlin"), ("berlin", "Europe/Berlin"),
    ("london", "Europe/London"), ("paris", "Europe/Paris"), ("pacific time", "America/Los_Angeles"),
    ("eastern time", "America/New_York"), ("coordinated universal time", "UTC"),
]

_ROLE_TO_ICAL = {
    Role.HOST: "CHAIR",
    Role.RECORDER: "REQ-PARTICIPANT",
    Role.PREPARER: "REQ-PARTICIPANT",
    Role.REQUIRED: "REQ-PARTICIPANT",
    Role.OPTIONAL: "OPT-PARTICIPANT",
}
# When one person is listed twice, the stronger role wins.
_ROLE_RANK = {Role.HOST: 0, Role.RECORDER: 1, Role.PREPARER: 2, Role.REQUIRED: 3, Role.OPTIONAL: 4}
_PARTSTAT = {
    "ACCEPTED": Rsvp.ACCEPTED,
    "DECLINED": Rsvp.DECLINED,
    "TENTATIVE": Rsvp.TENTATIVE,
    "NEEDS-ACTION": Rsvp.NEEDS_ACTION,
    "DELEGATED": Rsvp.DECLINED,  # the person will not come; delegated_to names the stand-in
}


# --------------------------------------------------------------------------- results
@dataclass
class RsvpReply:
    """One attendee's answer from a METHOD:REPLY (or COUNTER) object."""

    uid: str
    attendee: str                     # email, lower case
    partstat: Rsvp
    sequence: int
    dtstamp: datetime | None          # aware (UTC) when given
    comment: str | None = None        # COMMENT, or Gmail's X-RESPONSE-COMMENT
    delegated_to: str | None = None   # email of the stand-in (PARTSTAT=DELEGATED)
    method: str = "REPLY"             # REPLY, or COUNTER (a proposal of another time)
    recurrence_id: datetime | None = None
    proposed_start: datetime | None = None  # COUNTER: the time proposed (aware)
    proposed_end: datetime | None = None


@dataclass
class InviteInfo:
    """A METHOD:REQUEST or METHOD:CANCEL sent to us by an outside organizer."""

    uid: str
    method: str
    sequence: int
    summary: str
    start: datetime | None            # aware, in `tz`; None only for a CANCEL without DTSTART
    end: datetime | None              # aware, in `tz`; None with start
    tz: str                           # IANA name
    location: str
    description: str
    organizer: str                    # email, lower case ("" when absent)
    attendees: list[tuple[str, str, Role]] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)
    status: str = ""                  # STATUS upper case; CANCELLED for a CANCEL
    dtstamp: datetime | None = None
    organizer_name: str = ""
    all_day: bool = False
    recurring: bool = False           # the master of a series (RRULE or RDATE)
    frequency: str = ""               # the RRULE's FREQ (WEEKLY, DAILY, …), upper case
    recurrence_id: datetime | None = None  # set when the event is one instance of a series


# --------------------------------------------------------------------------- building
def build_invite(meeting: Meeting, now: datetime, method: str = "REQUEST",
                 names: Callable[[str], str] | None = None, description: str | None = None,
                 organizer_email: str | None = None, organizer: str = "shared",
                 organizer_name: str | None = None) -> bytes:
    """The text/calendar bytes (CRLF, folded at 75 octets) for a meeting notice or cancellation.

    `method` is REQUEST or CANCEL. `names` maps an email to a display name for CN (an attendee's
    own `name` wins). `description` replaces the default agenda text (e.g. in the reader's
    language). `organizer_email` is the shared mailbox that sends on the host's behalf;
    `organizer` is "shared" (it is the ORGANIZER, CN `organizer_name`) or "host" (the host is,
    SENT-BY the shared mailbox).
    """
    if organizer not in ORGANIZER_MODES:
        raise ValueError(f"organizer must be one of {', '.join(ORGANIZER_MODES)}, not {organizer!r}")
    method = method.strip().upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"method must be REQUEST or CANCEL, not {method!r}")
    if not meeting.uid:
        raise ValueError("meeting.uid is empty: an invite needs a stable UID")
    tz = _zone(meeting.tz)
    display = _namer(meeting, names)

    cal = _calendar(method)
    ev = Event()
    ev.add("uid", meeting.uid)
    ev.add("sequence", int(meeting.sequence))
    ev.add("dtstamp", _utc(now))
    ev.add("dtstart", _in_zone(meeting.start, tz))
    ev.add("dtend", _in_zone(meeting.end, tz))
    ev.add("summary", _one_line(meeting.title))
    location = _location(meeting)
    if location:
        ev.add("location", location)
    if description is None:
        description = (_cancel_text(meeting) if method == "CANCEL"
                       else default_description(meeting, display))
    if description:
        ev.add("description", description.replace("\r\n", "\n"))
    url = _url_in(meeting.online)
    if url:
        ev.add("url", url)

    org = _organizer(meeting, display, organizer_email, organizer, organizer_name)
    if org is not None:
        ev.add("organizer", org)
    for email, role in _people(meeting):
        params = {"CUTYPE": "INDIVIDUAL", "ROLE": _ROLE_TO_ICAL[role]}
        if method == "REQUEST":
            # the host runs the meeting: he is not asked to answer his own invitation
            params.update({"PARTSTAT": "ACCEPTED"} if role is Role.HOST
                          else {"PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"})
        ev.add("attendee", _address(email, display(email), params))

    if method == "CANCEL":
        ev.add("status", "CANCELLED")
    else:
        ev.add("status", "CONFIRMED")
        ev.add("transp", "OPAQUE")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _one_line(meeting.title) or "会议提醒")
        alarm.add("trigger", -ALARM_BEFORE)
        ev.add_component(alarm)
    cal.add_component(ev)
    cal.add_missing_timezones(first_date=VTIMEZONE_FIRST_DATE)
    _drop_false_validity(cal)
    return cal.to_ical()


def _drop_false_validity(cal: Calendar) -> None:
    """icalendar notes "only works from 2000-01-01 to 2038-01-01" on every VTIMEZONE it writes.
    A zone with one fixed offset (Asia/Shanghai since 1991) is right for every date after its
    start, so the note would be false there; it stays on zones whose DST dates are listed."""
    for tz in cal.walk("VTIMEZONE"):
        if len(tz.subcomponents) == 1 and "COMMENT" in tz:
            del tz["COMMENT"]


_DUE_LABELS = {
    "zh-CN": {"due": "【截止】", "done": "【已完成】", "task": "任务", "meeting": "来自会议", "owner": "负责人",
              "date": "截止日期", "deliverable": "交付物/完成标准", "with": "协同人", "sep": "、",
              "alarm": "明天截止：", "finished": "此任务已完成，本条目不再提醒。"},
    "zh-TW": {"due": "【截止】", "done": "【已完成】", "task": "任務", "meeting": "來自會議", "owner": "負責人",
              "date": "截止日期", "deliverable": "交付物/完成標準", "with": "協同人", "sep": "、",
              "alarm": "明天截止：", "finished": "此任務已完成，本條目不再提醒。"},
    "en": {"due": "[Due] ", "done": "[Done] ", "task": "Task", "meeting": "From the meeting", "owner": "Owner",
           "date": "Due date", "deliverable": "Deliverable", "with": "Together with", "sep": ", ",
           "alarm": "Due tomorrow: ", "finished": "This task is done; this entry will not remind you again."},
}


def due_uid(task: Task, meeting_title: str, uid_domain: str) -> str:
    """The due entry's UID: stable per task, so every later entry updates the same calendar item."""
    if task.id is not None:
        return f"task-{task.id}@{uid_domain}"
    digest = hashlib.sha1(f"{task.owner}\n{task.title}\n{meeting_title}".encode()).hexdigest()[:16]
    return f"task-{digest}@{uid_domain}"


def build_due_entry(task: Task, meeting_title: str, now: datetime, uid_domain: str,
                    owner_name: str = "", organizer_email: str | None = None,
                    sequence: int = 0, names: Callable[[str], str] | None = None,
                    lang: str = "zh-CN", done: bool = False) -> bytes:
    """A METHOD:PUBLISH calendar with one all-day VEVENT on the task's due date.

    The UID is stable per task (task-<id>@<uid_domain>), so a moved due date or a new owner
    updates the entry: pass a higher `sequence` each time. ORGANIZER is `organizer_email` (the
    shared mailbox) or else the owner. A DISPLAY alarm fires at 09:00 the day before.

    `done=True` ends the entry: the same UID with the higher SEQUENCE, "【已完成】" in the title,
    no alarm, free time. It is an updated PUBLISH rather than METHOD:CANCEL because the owner
    added the entry from an attachment, not as an invitation: Outlook and Gmail act on a CANCEL
    only for a meeting they hold as an invitation from that organizer, while a PUBLISH with the
    same UID and a higher SEQUENCE is imported as an update of the item by Outlook, Gmail and
    Thunderbird alike, and the owner keeps a record of the finished task.

    The description names people (`owner_name`, `names` for collaborators), never addresses.
    """
    if task.due is None:
        raise ValueError("task has no due date")
    label = _DUE_LABELS.get(lang, _DUE_LABELS["zh-CN"])
    due = task.due if not isinstance(task.due, datetime) else task.due.date()
    title = _one_line(task.title)
    cal = _calendar("PUBLISH")
    ev = Event()
    ev.add("uid", due_uid(task, meeting_title, uid_domain))
    ev.add("sequence", int(sequence))
    ev.add("dtstamp", _utc(now))
    ev.add("dtstart", due)
    ev.add("dtend", due + timedelta(days=1))
    ev.add("summary", f"{label['done'] if done else label['due']}{title}")
    lines = [f"{label['task']}：{title}"] if lang != "en" else [f"{label['task']}: {title}"]
    colon = ": " if lang == "en" else "："
    if meeting_title:
        lines.append(f"{label['meeting']}{colon}{_one_line(meeting_title)}")
    lines.append(f"{label['owner']}{colon}{owner_name or _person_name(task.owner, names)}")
    lines.append(f"{label['date']}{colon}{due.isoformat()}")
    if task.deliverable:
        lines.append(f"{label['deliverable']}{colon}{task.deliverable}")
    if task.collaborators:
        lines.append(label["with"] + colon + label["sep"].join(_person_name(c, names) for c in task.collaborators))
    if task.description:
        lines += ["", _no_addresses(task.description, names)]
    if done:
        lines += ["", label["finished"]]
    ev.add("description", "\n".join(lines))
    ev.add("organizer", _address(organizer_email or task.owner,
                                 "" if organizer_email else _param_text(owner_name), {}))
    ev.add("transp", "TRANSPARENT")
    ev.add("categories", ["mailflow"])
    if not done:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{label['alarm']}{title}")
        alarm.add("trigger", -timedelta(hours=15))  # midnight of the due day minus 15 h = 09:00 the day before
        ev.add_component(alarm)
    cal.add_component(ev)
    return cal.to_ical()


_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _person_name(email: str, names: Callable[[str], str] | None) -> str:
    """A person's display name; without one, the part of the address before the @."""
    email = (email or "").strip()
    found = ""
    if names is not None and "@" in email:
        try:
            found = names(email.lower()) or ""
        except Exception:
            found = ""
    if found and found.lower() != email.lower():
        return _one_line(found)
    return email.split("@", 1)[0] if "@" in email else email


def _no_addresses(text: str, names: Callable[[str], str] | None) -> str:
    return _ADDRESS.sub(lambda m: _person_name(m.group(0), names), text or "")


def default_description(meeting: Meeting, names: Callable[[str], str] | None = None) -> str:
    """The DESCRIPTION of an invite: goal, roles and the agenda (议题/负责人/时长/预期成果/材料)."""
    name = names or (lambda e: e)
    lines: list[str] = []
    if meeting.goal:
        lines.append(f"会议目标：{meeting.goal}")
    tz = _zone(meeting.tz)
    start, end = _in_zone(meeting.start, tz), _in_zone(meeting.end, tz)
    when = f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" if start.date() == end.date() \
        else f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"
    lines.append(f"时间：{when}（{meeting.tz}）")
    if meeting.location:
        lines.append(f"地点：{meeting.location}")
    if meeting.online:
        lines.append(f"线上会议：{meeting.online}")
    roles = []
    if meeting.host:
        roles.append(f"主持人：{name(meeting.host) or meeting.host}")
    if meeting.recorder:
        roles.append(f"记录人：{name(meeting.recorder) or meeting.recorder}")
    if meeting.preparer:
        roles.append(f"材料准备人：{name(meeting.preparer) or meeting.preparer}")
    if roles:
        lines.append("；".join(roles))
    if meeting.agenda:
        lines += ["", "议程："]
        for i, item in enumerate(meeting.agenda, start=1):
            lines += _agenda_lines(item, i, name)
    return "\n".join(lines)


def _agenda_lines(item: AgendaItem, index: int, name: Callable[[str], str]) -> list[str]:
    extra = []
    if item.owner:
        extra.append(f"负责人：{name(item.owner) or item.owner}")
    if item.minutes:
        extra.append(f"{item.minutes}分钟")
    head = f"{item.seq or index}. {_one_line(item.title)}"
    if extra:
        head += "（" + "，".join(extra) + "）"
    out = [head]
    if item.outcome:
        out.append(f"   预期成果：{item.outcome}")
    if item.materials:
        out.append(f"   材料：{item.materials}")
    return out


def _cancel_text(meeting: Meeting) -> str:
    text = "会议已取消。"
    if meeting.cancel_reason:
        text += f"\n原因：{meeting.cancel_reason}"
    return text


def _calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def _namer(meeting: Meeting, names: Callable[[str], str] | None) -> Callable[[str], str]:
    own = {a.email.lower(): a.name for a in meeting.attendees if a.name}

    def display(email: str) -> str:
        email = (email or "").lower()
        if own.get(email):
            return own[email]
        if names is not None:
            try:
                found = names(email)
            except Exception:
                found = ""
            if found and found.lower() != email:
                return found
        return ""
    return display


def _people(meeting: Meeting) -> list[tuple[str, Role]]:
    """Everyone invited, once each, with the strongest role they hold; the host first."""
    roles: dict[str, Role] = {}

    def put(email: str | None, role: Role) -> None:
        email = (email or "").strip().lower()
        if not email:
            return
        old = roles.get(email)
        if old is None or _ROLE_RANK[role] < _ROLE_RANK[old]:
            roles[email] = role

    put(meeting.host, Role.HOST)
    put(meeting.recorder, Role.RECORDER)
    put(meeting.preparer, Role.PREPARER)
    for a in meeting.attendees:
        role = a.role
        if role is Role.HOST and a.email.lower() != (meeting.host or "").lower():
            role = Role.REQUIRED  # only the meeting's host is CHAIR
        put(a.email, role)
    return sorted(roles.items(), key=lambda kv: _ROLE_RANK[kv[1]])


def _organizer(meeting: Meeting, display: Callable[[str], str], organizer_email: str | None,
               mode: str, name: str | None) -> vCalAddress | None:
    host = (meeting.host or "").strip().lower()
    shared = (organizer_email or "").strip().lower()
    if mode == "shared" and shared and host != shared:
        # the buttons answer the ORGANIZER: the shared mailbox, named for the host it acts for
        return _address(shared, name if name is not None else display(host), {})
    if host:
        params = {}
        if shared and shared != host:
            params["SENT-BY"] = f"mailto:{shared}"
        return _address(host, display(host), params)
    if shared:
        return _address(shared, "", {})
    return None


def _address(email: str, cn: str, params: dict[str, str]) -> vCalAddress:
    addr = vCalAddress(f"mailto:{email.strip().lower()}")
    cn = _param_text(cn)
    if cn:
        addr.params["CN"] = cn  # icalendar puts it in double quotes when it holds : ; or ,
    for key, value in params.items():
        addr.params[key] = value
    return addr


def _param_text(text: str) -> str:
    # a parameter value may not hold a double quote or a control character (RFC 5545 3.1)
    return re.sub(r"[\x00-\x1f\x7f]+", " ", (text or "").replace('"', "'")).strip()


def _one_line(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", text or "").strip()


def _location(meeting: Meeting) -> str:
    parts = [p.strip() for p in (meeting.location, meeting.online) if p and p.strip()]
    return " / ".join(parts)


def _url_in(text: str) -> str | None:
    m = re.search(r"https?://[^\s<>\"']+", text or "")
    return m.group(0) if m else None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def _in_zone(dt: datetime, tz: ZoneInfo) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=tz)  # a naive time is a wall time in the meeting's zone
    local = dt.astimezone(tz)
    return local.astimezone(timezone.utc) if tz.key == "UTC" else local


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return dt.astimezone(timezone.utc)


# --------------------------------------------------------------------------- parsing
def calendar_method(data: bytes) -> str | None:
    """The METHOD of the first VCALENDAR in `data`, upper case; None when there is none."""
    text = _decode(data)
    if text is None:
        return None
    m = re.search(r"^METHOD(?:;[^:\r\n]*)?:[ \t]*([^\r\n]*)", _unfold(text), re.I | re.M)
    if not m:
        return None
    return m.group(1).strip().upper() or None


def parse_replies(data: bytes) -> list[RsvpReply]:
    """Every attendee answer in the METHOD:REPLY (and COUNTER) objects of `data`."""
    out: list[RsvpReply] = []
    for cal in _calendars(data):
        method = _method(cal)
        if method not in ("REPLY", "COUNTER"):
            continue
        for ev in _events(cal):
            try:
                out += _replies_of(ev, method)
            except Exception:
                continue
    return out


def parse_invites(data: bytes, default_tz: str = "Asia/Shanghai") -> list[InviteInfo]:
    """The METHOD:REQUEST and METHOD:CANCEL events in `data`, times resolved to IANA zones.

    Floating and UTC times are put in `default_tz`. The master event of a recurring series is
    returned (``recurring``); its overridden instances (RECURRENCE-ID) are skipped. An object that
    carries only instances (an organizer moved or cancelled one occurrence) returns them with
    ``recurrence_id`` set, so that the caller never takes one occurrence for the whole meeting.
    A CANCEL needs no DTSTART (RFC 5546 3.2.5): UID and SEQUENCE identify what is cancelled.
    """
    try:
        _zone(default_tz)
    except ValueError:
        default_tz = "Asia/Shanghai"
    out: list[InviteInfo] = []
    for cal in _calendars(data):
        method = _method(cal)
        if method not in ("REQUEST", "CANCEL"):
            continue
        events = _events(cal)
        masters = {_text(e.get("UID")) for e in events if e.get("RECURRENCE-ID") is None}
        for ev in events:
            if ev.get("RECURRENCE-ID") is not None and _text(ev.get("UID")) in masters:
                continue
            try:
                info = _invite_of(ev, method, default_tz)
            except Exception:
                continue
            if info is not None:
                out.append(info)
    return out


def _replies_of(ev: Any, method: str) -> list[RsvpReply]:
    uid = _text(ev.get("UID"))
    if not uid:
        return []
    sequence = _int(ev.get("SEQUENCE"))
    dtstamp = _stamp(ev.get("DTSTAMP"))
    comment = _text(ev.get("COMMENT")) or _text(ev.get("X-RESPONSE-COMMENT")) or None
    rid = _first(ev.get("RECURRENCE-ID"))
    recurrence_id = None
    if rid is not None:
        try:
            recurrence_id = _resolve(rid, "UTC")[0]
        except Exception:
            recurrence_id = None
    proposed_start = proposed_end = None
    if method == "COUNTER":
        proposed_start, proposed_end = _span(ev)
    out = []
    for att in _all(ev.get("ATTENDEE")):
        email = _email(att)
        if not email:
            continue
        params = getattr(att, "params", {}) or {}
        if _param(params, "DELEGATED-FROM"):
            continue  # the stand-in's line: the delegator's line already carries DELEGATED-TO
        status = _param(params, "PARTSTAT").upper() or "NEEDS-ACTION"
        partstat = _PARTSTAT.get(status)
        if partstat is None:
            continue
        delegated = _param(params, "DELEGATED-TO")
        own_comment = _param(params, "X-RESPONSE-COMMENT")
        out.append(RsvpReply(
            uid=uid, attendee=email, partstat=partstat, sequence=sequence, dtstamp=dtstamp,
            comment=(own_comment or comment or None), method=method,
            delegated_to=(_strip_mailto(delegated) or None) if delegated else None,
            recurrence_id=recurrence_id, proposed_start=proposed_start, proposed_end=proposed_end,
        ))
    return out


def _span(ev: Any) -> tuple[datetime | None, datetime | None]:
    """(start, end) of an event as aware datetimes, or (None, None) when it cannot be read."""
    try:
        start = _resolve(_first(ev.get("DTSTART")), "UTC")[0]
    except Exception:
        return None, None
    try:
        end = _resolve(_first(ev.get("DTEND")), "UTC")[0]
    except Exception:
        end = None
    return start, end


def _invite_of(ev: Any, method: str, default_tz: str) -> InviteInfo | None:
    uid = _text(ev.get("UID"))
    dtstart = _first(ev.get("DTSTART"))
    if not uid:
        return None
    if not _has_dt(dtstart):
        if method != "CANCEL":
            return None
        return InviteInfo(uid=uid, method=method, sequence=_int(ev.get("SEQUENCE")),
                          summary=_text(ev.get("SUMMARY")), start=None, end=None, tz=default_tz,
                          location=_text(ev.get("LOCATION")), description=_text(ev.get("DESCRIPTION")),
                          organizer=_email(_first(ev.get("ORGANIZER"))), status="CANCELLED",
                          dtstamp=_stamp(ev.get("DTSTAMP")), recurrence_id=_instance(ev))
    start, tz, all_day = _resolve(dtstart, default_tz)
    end = None
    dtend = _first(ev.get("DTEND"))
    if _has_dt(dtend):
        try:
            end = _resolve(dtend, default_tz)[0].astimezone(ZoneInfo(tz))
        except Exception:
            end = None
    if end is None:
        duration = _first(ev.get("DURATION"))
        delta = duration.dt if _has_dt(duration) else None
        if isinstance(delta, timedelta):
            end = start + delta
        else:
            end = start + (timedelta(days=1) if all_day else timedelta(0))
    if end < start:
        end = start

    organizer_prop = _first(ev.get("ORGANIZER"))
    organizer = _email(organizer_prop) if organizer_prop is not None else ""
    organizer_name = _param(getattr(organizer_prop, "params", {}) or {}, "CN") if organizer_prop is not None else ""
    attendees: list[tuple[str, str, Role]] = []
    rooms: list[str] = []
    seen: set[str] = set()
    for att in _all(ev.get("ATTENDEE")):
        email = _email(att)
        params = getattr(att, "params", {}) or {}
        name = _param(params, "CN")
        if name.lower() == email:
            name = ""  # Gmail writes the address as CN when it knows no name
        cutype = _param(params, "CUTYPE").upper()
        if cutype in ("ROOM", "RESOURCE"):
            if name or email:
                rooms.append(name or email)
            continue
        if not email or email in seen:
            continue
        seen.add(email)
        role_param = _param(params, "ROLE").upper() or "REQ-PARTICIPANT"
        role = (Role.HOST if role_param == "CHAIR"
                else Role.OPTIONAL if role_param in ("OPT-PARTICIPANT", "NON-PARTICIPANT")
                else Role.REQUIRED)
        attendees.append((email, name, role))
    if not organizer:
        chair = next((e for e, _, r in attendees if r is Role.HOST), "")
        organizer = chair

    description = _text(ev.get("DESCRIPTION")).replace("\r\n", "\n").replace("\r", "\n")
    location = _text(ev.get("LOCATION")) or "、".join(rooms)
    status = _text(ev.get("STATUS")).upper()
    if method == "CANCEL":
        status = "CANCELLED"
    return InviteInfo(
        uid=uid, method=method, sequence=_int(ev.get("SEQUENCE")), summary=_text(ev.get("SUMMARY")),
        start=start, end=end, tz=tz, location=location, description=description,
        organizer=organizer, attendees=attendees, agenda=agenda_lines(description),
        status=status, dtstamp=_stamp(ev.get("DTSTAMP")), organizer_name=organizer_name,
        all_day=all_day, recurring=ev.get("RRULE") is not None or ev.get("RDATE") is not None,
        frequency=_frequency(ev), recurrence_id=_instance(ev),
    )


def _frequency(ev: Any) -> str:
    rule = _first(ev.get("RRULE"))
    try:
        freq = rule.get("FREQ") if rule is not None else None
    except Exception:
        return ""
    freq = _first(freq)
    return str(freq).upper() if freq else ""


def _instance(ev: Any) -> datetime | None:
    """The RECURRENCE-ID of one occurrence of a series (aware, UTC), or None."""
    rid = _first(ev.get("RECURRENCE-ID"))
    if not _has_dt(rid):
        return None
    try:
        return _resolve(rid, "UTC")[0].astimezone(timezone.utc)
    except Exception:
        return None


# Agenda lines in a free-text description ------------------------------------------------
_AGENDA_HEAD = re.compile(
    r"^\s*[【\[]?\s*(?:会议|會議)?(?:议程|議程|议题|議題|agenda|topics?)\s*[】\]]?\s*(?:[:：]\s*(?P<rest>.*))?$",
    re.I)
_NUMBERED = re.compile(
    r"^\s*(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、．)）]|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|(?:议题|議題|item)\s*\d{1,2}\s*[:：.、])(?!\d)\s*(?P<text>\S.*)$", re.I)
_BULLET = re.compile(r"^\s*[-•·*・●▪◦]\s+(?P<text>\S.*)$")
_KEY_LINE = re.compile(r"^\s*[^\s:：]{1,12}\s*[:：]")


def agenda_lines(description: str) -> list[str]:
    """Agenda items found in a description: the lines of an "议程：" block, or numbered lines."""
    lines = (description or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    items: list[str] = []
    in_block = False
    for line in lines:
        head = _AGENDA_HEAD.match(line)
        if head:
            in_block = True
            rest = (head.group("rest") or "").strip()
            if rest:
                items += [p.strip() for p in re.split(r"[；;]", rest) if p.strip()]
            continue
        numbered = _NUMBERED.match(line)
        if numbered:
            items.append(numbered.group("text").strip())
            continue
        if in_block:
            if not line.strip():
                if items:
                    in_block = False
                continue
            bullet = _BULLET.match(line)
            if bullet:
                items.append(bullet.group("text").strip())
            elif line[:1].isspace() and items:
                continue  # an indented detail line under the previous item (预期成果, 材料)
            elif _KEY_LINE.match(line):
                in_block = False
            else:
                items.append(line.strip())
    seen: set[str] = set()
    return [i for i in items if not (i in seen or seen.add(i))]


# Low-level helpers -----------------------------------------------------------------------
def _decode(data: bytes | str) -> str | None:
    if isinstance(data, str):
        return data
    if not isinstance(data, (bytes, bytearray)):
        return None
    raw = bytes(data)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _unfold(text: str) -> str:
    return re.sub(r"\r?\n[ \t]", "", text)


def _calendars(data: bytes) -> list[Calendar]:
    text = _decode(data)
    if not text or "BEGIN:VCALENDAR" not in text.upper():
        return []
    text = text.replace("\x00", "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cals = Calendar.from_ical(text, multiple=True)
        except Exception:
            cals = []
            # one broken VCALENDAR must not hide the others: parse each block on its own
            for block in re.findall(r"BEGIN:VCALENDAR.*?END:VCALENDAR", text, re.I | re.S):
                try:
                    cals += Calendar.from_ical(block, multiple=True)
                except Exception:
                    continue
    return [c for c in cals if getattr(c, "name", "") == "VCALENDAR"]


def _events(cal: Calendar) -> list[Any]:
    try:
        return [c for c in cal.walk("VEVENT")]
    except Exception:
        return []


def _method(cal: Calendar) -> str:
    return _text(cal.get("METHOD")).upper()


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _has_dt(prop: Any) -> bool:
    """Whether `prop` is a readable date/time value (icalendar keeps bad values as vBroken,
    whose attribute access raises)."""
    if prop is None or type(prop).__name__ == "vBroken":
        return False
    try:
        return getattr(prop, "dt", None) is not None
    except Exception:
        return False


def _all(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    value = _first(value)
    if value is None:
        return ""
    try:
        return str(value).strip()
    except Exception:
        return ""


def _int(value: Any) -> int:
    value = _first(value)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def _param(params: Any, key: str) -> str:
    try:
        value = params.get(key)
    except Exception:
        return ""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):  # an unquoted value with commas (Outlook) splits
        value = ",".join(str(v) for v in value)
    return str(value).strip().strip('"').strip()


def _strip_mailto(value: str) -> str:
    value = (value or "").strip().strip('"').strip()
    value = re.sub(r"^mailto:", "", value, flags=re.I).strip().strip("<>").strip()
    return value.lower() if "@" in value else ""


def _email(prop: Any) -> str:
    """The email of an ORGANIZER/ATTENDEE value: mailto: in any case, or the EMAIL parameter."""
    if prop is None:
        return ""
    found = _strip_mailto(str(prop))
    if not found:
        found = _strip_mailto(_param(getattr(prop, "params", {}) or {}, "EMAIL"))
    return found


def _stamp(prop: Any) -> datetime | None:
    prop = _first(prop)
    if not _has_dt(prop):
        return None
    try:
        dt, _, _ = _resolve(prop, "UTC")
        return dt.astimezone(timezone.utc)
    except Exception:
        return None


@lru_cache(maxsize=1)
def _iana_names() -> frozenset[str]:
    try:
        return frozenset(available_timezones())
    except Exception:  # pragma: no cover
        return frozenset()


@lru_cache(maxsize=256)
def iana_zone(tzid: str) -> str | None:
    """The IANA name for a TZID as clients write it, or None when it cannot be told."""
    tzid = (tzid or "").strip().strip('"').strip()
    if not tzid:
        return None
    if tzid in _iana_names():
        return tzid
    folded = tzid.casefold()
    for table in (_WINDOWS,):
        for win, iana in table.items():
            if win.casefold() == folded:
                return iana
    if folded in _WINDOWS_EXTRA:
        return _WINDOWS_EXTRA[folded]
    if "/" in tzid:  # "/mozilla.org/20050126_1/Asia/Shanghai", "/softwarestudio.org/.../Asia/Shanghai"
        parts = [p for p in tzid.split("/") if p]
        for i in range(len(parts)):
            candidate = "/".join(parts[i:])
            if candidate in _iana_names():
                return candidate
    for city, iana in _DISPLAY_CITIES:
        if city in folded:
            return iana
    if folded in ("z", "gmt", "utc", "etc/utc", "etc/gmt"):
        return "UTC"
    return None


def _resolve(prop: Any, default_tz: str) -> tuple[datetime, str, bool]:
    """(aware datetime, IANA zone, all_day) for a DTSTART/DTEND-like property."""
    value = prop.dt
    params = getattr(prop, "params", {}) or {}
    if isinstance(value, date) and not isinstance(value, datetime):
        tz = default_tz
        return datetime.combine(value, time(0), ZoneInfo(tz)), tz, True
    if not isinstance(value, datetime):
        raise ValueError("not a date-time")
    tzid = _param(params, "TZID")
    if tzid:
        iana = iana_zone(tzid)
        if iana:
            # the wall time in the file is in that zone, whatever the VTIMEZONE says about history
            return value.replace(tzinfo=ZoneInfo(iana)), iana, False
        if value.tzinfo is not None:  # a custom VTIMEZONE ("Customized Time Zone")
            return _by_offset(value, default_tz), _zone_name_for(value, default_tz), False
        return value.replace(tzinfo=ZoneInfo(default_tz)), default_tz, False
    if value.tzinfo is None:  # floating time
        return value.replace(tzinfo=ZoneInfo(default_tz)), default_tz, False
    return value.astimezone(ZoneInfo(default_tz)), default_tz, False  # UTC (Z)


def _zone_name_for(value: datetime, default_tz: str) -> str:
    offset = value.utcoffset()
    if offset is None:
        return default_tz
    if value.astimezone(ZoneInfo(default_tz)).utcoffset() == offset:
        return default_tz
    seconds = int(offset.total_seconds())
    if seconds == 0:
        return "UTC"
    if seconds % 3600 == 0 and abs(seconds) <= 12 * 3600:
        hours = seconds // 3600
        return f"Etc/GMT{-hours:+d}"  # POSIX sign: Etc/GMT-8 is UTC+8
    return "UTC"


def _by_offset(value: datetime, default_tz: str) -> datetime:
    return value.astimezone(ZoneInfo(_zone_name_for(value, default_tz)))


__all__ = [
    "ORGANIZER_MODES", "InviteInfo", "RsvpReply", "agenda_lines", "build_due_entry", "build_invite", "due_uid",
    "calendar_method", "default_description", "iana_zone", "parse_invites", "parse_replies",
]
