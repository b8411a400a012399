"""Which IANA zone a calendar's TZID means, as clients write it: IANA names, Outlook's Windows
names ("China Standard Time") and display names ("(UTC+08:00) Beijing, Chongqing, ..."), Mozilla's
"/mozilla.org/.../Asia/Shanghai" paths, and a bare UTC offset from a custom VTIMEZONE. A part of
reading calendars (read/ical_in.py), kept apart because it is a table lookup, not parsing.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

try:  # icalendar's own Windows -> IANA table (CLDR); a small fallback if it ever moves
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON as _WINDOWS
except Exception:  # pragma: no cover - depends on the icalendar version
    _WINDOWS = {}

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
    for win, iana in _WINDOWS.items():
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


def zone_name_for(value: datetime, default_tz: str) -> str:
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


__all__ = ["iana_zone", "zone_name_for"]
