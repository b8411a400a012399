"""Building iCalendar for meetings (RFC 5545 / RFC 5546 iTIP): the invite of a 会议通知, its
cancellation and a task's due entry. It lives in write/ because it turns facts into bytes; reading the
calendar parts that arrive is read/ical_in.py.

Pure: no clock (``now`` is a parameter), no disk. Named ``ical_out``, never ``calendar``, so that it
cannot shadow the standard library's module.

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

Deterministic effects (a DESIGN promise): the bytes depend only on the meeting or task, the
SEQUENCE and ``now``, and the UID is stable per meeting (``meeting.uid``) and per task
(``due_uid``), so a re-rendered or resent mail carries the same calendar item and a client updates
it instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, vCalAddress

from ..model import DEFAULT_TIMEZONE, AgendaItem, Meeting, Role, Task

PRODID = "-//mailflow//mailflow meeting follow-up//ZH"
ORGANIZER_MODES = ("shared", "host")
ALARM_BEFORE = timedelta(minutes=15)
VTIMEZONE_FIRST_DATE = date(2000, 1, 1)  # no 1986-91 DST history for Asia/Shanghai

_ROLE_TO_ICAL = {
    Role.HOST: "CHAIR",
    Role.RECORDER: "REQ-PARTICIPANT",
    Role.PREPARER: "REQ-PARTICIPANT",
    Role.REQUIRED: "REQ-PARTICIPANT",
    Role.OPTIONAL: "OPT-PARTICIPANT",
}
# When one person is listed twice, the stronger role wins.
_ROLE_RANK = {Role.HOST: 0, Role.RECORDER: 1, Role.PREPARER: 2, Role.REQUIRED: 3, Role.OPTIONAL: 4}


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
    """The DESCRIPTION of an invite: goal, roles and the agenda (议题/负责人/时长/预期成果/材料).

    English readers get flows/meeting_notices.english_description instead: the same parts in the
    same order, but its layout (ASCII separators, a roles line always present, no ``seq or index``)
    is what English invites have always carried, so the two are not folded into one."""
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
        return ZoneInfo(name or DEFAULT_TIMEZONE)
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


__all__ = ["ORGANIZER_MODES", "build_due_entry", "build_invite", "default_description", "due_uid"]
