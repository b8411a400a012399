"""Reading the calendar parts that arrive in the shared mailbox: the iMIP answers to our invites
(METHOD:REPLY / COUNTER) and the invitations outside organizers send (METHOD:REQUEST / CANCEL). It
lives in read/ because it turns bytes into facts; building invites is write/ical_out.py.

Pure: no clock, no disk. Parsing never raises on bad input: garbage gives ``[]``. Outlook's Windows
zone names ("China Standard Time"), its display-name TZIDs ("(UTC+08:00) Beijing, Chongqing, ..."),
Mozilla's "/mozilla.org/.../Asia/Shanghai", custom VTIMEZONEs, UTC (Gmail) and floating times are
all turned into aware datetimes with an IANA zone name (the names: read/ical_zones.py).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar

from ..model import DEFAULT_TIMEZONE, Role, Rsvp
from .agenda_text import agenda_lines
from .ical_zones import iana_zone, zone_name_for

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


def parse_invites(data: bytes, default_tz: str = DEFAULT_TIMEZONE) -> list[InviteInfo]:
    """The METHOD:REQUEST and METHOD:CANCEL events in `data`, times resolved to IANA zones.

    Floating and UTC times are put in `default_tz`. The master event of a recurring series is
    returned (``recurring``); its overridden instances (RECURRENCE-ID) are skipped. An object that
    carries only instances (an organizer moved or cancelled one occurrence) returns them with
    ``recurrence_id`` set, so that the caller never takes one occurrence for the whole meeting.
    A CANCEL needs no DTSTART (RFC 5546 3.2.5): UID and SEQUENCE identify what is cancelled.
    """
    try:
        ZoneInfo(default_tz or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        default_tz = DEFAULT_TIMEZONE
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
            return _by_offset(value, default_tz), zone_name_for(value, default_tz), False
        return value.replace(tzinfo=ZoneInfo(default_tz)), default_tz, False
    if value.tzinfo is None:  # floating time
        return value.replace(tzinfo=ZoneInfo(default_tz)), default_tz, False
    return value.astimezone(ZoneInfo(default_tz)), default_tz, False  # UTC (Z)


def _by_offset(value: datetime, default_tz: str) -> datetime:
    return value.astimezone(ZoneInfo(zone_name_for(value, default_tz)))


__all__ = ["InviteInfo", "RsvpReply", "calendar_method", "parse_invites", "parse_replies"]
