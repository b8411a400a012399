"""China's working-day calendar (法定节假日 + 调休) and the organisation's clock.

Pure apart from :func:`load_holidays`, which reads ``rules/holidays.yaml``.

Working days follow the State Council's arrangement with 调休 (``chinese_calendar``), plus the
operator's ``rules/holidays.yaml``. For a year that neither knows (2027 until it is published and
added), Monday–Friday are counted and the year is reported as a *gap*: every ``WorkCalendar`` method
that looks at a date accepts ``gaps``, a set owned by the caller, into which it adds the year. The
calendar itself is immutable, so one instance can be shared between threads.

Holiday *periods* (国庆 10-01..10-07) are the package's named holiday days grouped into runs of
consecutive days with the same name; the deadline reader anchors 节前 / 国庆节后 on them.

The calendar also carries the organisation's time zone and working hours (``[org] timezone``,
``[schedule] work_start/work_end``), so that whoever holds it reads 今天 and 下班前 the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import chinese_calendar
from zoneinfo import ZoneInfo

from ..model import DEFAULT_TIMEZONE

DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)   # a calendar made without the [org] timezone
WORKDAY_START = time(9, 0)     # 明早 / tomorrow morning
WORKDAY_END = time(18, 0)      # 下班前 / EOD / COB / 下午
MORNING_END = time(12, 0)      # 上午 / 中午
MAX_WORKDAY_STEP = 10_000      # a guard against absurd counts

_PKG_OFF = frozenset(chinese_calendar.holidays)
_PKG_ON = frozenset(chinese_calendar.workdays)
_PKG_YEARS = frozenset(range(min(d.year for d in _PKG_OFF), max(d.year for d in _PKG_OFF) + 1))

_RANGE_RE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|~|～|至|到)\s*(\d{4}-\d{1,2}-\d{1,2})\s*$")


def _parse_day(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
        parts = value.strip().split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
    raise ValueError(f"{where}: {value!r} is not a date (write YYYY-MM-DD)")


def _parse_entry(value: Any, where: str) -> list[date]:
    """One list entry: a date, or a range "YYYY-MM-DD..YYYY-MM-DD" (inclusive)."""
    if isinstance(value, str):
        m = _RANGE_RE.match(value)
        if m:
            a, b = _parse_day(m.group(1), where), _parse_day(m.group(2), where)
            if b < a:
                raise ValueError(f"{where}: range {value!r} ends before it starts")
            if (b - a).days > 366:
                raise ValueError(f"{where}: range {value!r} is longer than a year")
            return [a + timedelta(days=i) for i in range((b - a).days + 1)]
    return [_parse_day(value, where)]


def _parse_extra(extra: dict | None, source: str = "holidays.yaml") -> tuple[dict[int, set[date]], dict[int, set[date]]]:
    """Validate the parsed holidays.yaml; return ({year: days off}, {year: 调休 working days})."""
    off: dict[int, set[date]] = {}
    on: dict[int, set[date]] = {}
    if not extra:
        return off, on
    if not isinstance(extra, dict):
        raise ValueError(f"{source}: the top level must be a mapping with a 'years' key")
    unknown = set(extra) - {"years"}
    if unknown:
        raise ValueError(f"{source}: unknown top-level key(s) {sorted(map(str, unknown))}; expected 'years'")
    years = extra.get("years") or {}
    if not isinstance(years, dict):
        raise ValueError(f"{source}: 'years' must map a year to its holidays and workdays")
    for key, spec in years.items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise ValueError(f"{source}: years.{key}: not a year") from None
        if not 1900 <= year <= 2200:
            raise ValueError(f"{source}: years.{key}: not a plausible year")
        spec = spec or {}
        if not isinstance(spec, dict):
            raise ValueError(f"{source}: years.{year}: expected 'holidays' and 'workdays' lists")
        bad = set(spec) - {"holidays", "workdays"}
        if bad:
            raise ValueError(f"{source}: years.{year}: unknown key(s) {sorted(map(str, bad))}; "
                             "expected 'holidays' and 'workdays'")
        for kind, target in (("holidays", off), ("workdays", on)):
            items = spec.get(kind) or []
            if not isinstance(items, list):
                raise ValueError(f"{source}: years.{year}.{kind}: must be a list")
            days = target.setdefault(year, set())
            for i, item in enumerate(items):
                where = f"{source}: years.{year}.{kind}[{i}]"
                for d in _parse_entry(item, where):
                    if d.year != year:
                        raise ValueError(f"{where}: {d.isoformat()} is not in {year}")
                    if kind == "workdays" and d.weekday() < 5:
                        raise ValueError(f"{where}: {d.isoformat()} is a weekday; 'workdays' lists the "
                                         "weekend days that are worked (调休)")
                    days.add(d)
        clash = off.get(year, set()) & on.get(year, set())
        if clash:
            first = min(clash).isoformat()
            raise ValueError(f"{source}: years.{year}: {first} is listed both as a holiday and as a workday")
    return off, on


def load_holidays(path) -> dict:
    """Read and validate ``rules/holidays.yaml``; returns the parsed mapping for :class:`WorkCalendar`."""
    import yaml  # local: the rest of the module never touches the disk

    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    data = data or {}
    _parse_extra(data, str(path))
    return data


@dataclass(frozen=True)
class HolidayPeriod:
    """A run of consecutive official days off with one holiday name (e.g. National Day 10-01..10-07)."""

    name: str           # chinese_calendar's English name: "National Day", "Spring Festival", …
    start: date
    end: date

    def days(self):
        d = self.start
        while d <= self.end:
            yield d
            d += timedelta(days=1)


def _group_periods(named: dict[date, str]) -> tuple[HolidayPeriod, ...]:
    runs: list[HolidayPeriod] = []
    for d in sorted(named):
        last = runs[-1] if runs else None
        if last and last.name == named[d] and d - last.end == timedelta(days=1):
            runs[-1] = HolidayPeriod(last.name, last.start, d)
        else:
            runs.append(HolidayPeriod(named[d], d, d))
    return tuple(runs)


_PKG_PERIODS = _group_periods({d: str(getattr(n, "value", n)).split(",")[0] for d, n in chinese_calendar.holidays.items()})


class WorkCalendar:
    """China's working days (法定节假日 + 调休) from ``chinese_calendar`` plus operator extras.

    ``extra`` is the parsed holidays.yaml: ``{"years": {2027: {"holidays": [...], "workdays": [...]}}}``.
    A year listed there counts as known; its entries are added to (and override) the package's.
    Methods taking ``gaps`` add to it every year they had to guess (Monday–Friday) for.
    ``tz``, ``work_start`` and ``work_end`` are the organisation's (``[org] timezone``, ``[schedule]``).
    """

    __slots__ = ("_off", "_on", "_years", "_periods", "tz", "work_start", "work_end")

    def __init__(self, extra: dict | None = None, *, tz: tzinfo | str | None = None,
                 work_start: time | None = None, work_end: time | None = None):
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else (tz or DEFAULT_ZONE)
        self.work_start = work_start or WORKDAY_START
        self.work_end = work_end or WORKDAY_END
        extra_off, extra_on = _parse_extra(extra)
        off, on = set(_PKG_OFF), set(_PKG_ON)
        for days in extra_off.values():
            off |= days
            on -= days
        for days in extra_on.values():
            on |= days
            off -= days
        self._off = frozenset(off)
        self._on = frozenset(on)
        self._years = _PKG_YEARS | frozenset(extra_off) | frozenset(extra_on)
        self._periods = tuple(p for p in _PKG_PERIODS if not any(d in self._on for d in p.days()))

    @property
    def years(self) -> frozenset[int]:
        return self._years

    def has_data(self, year: int) -> bool:
        return year in self._years

    def for_org(self, *, tz: tzinfo | str | None = None, work_start: time | None = None,
                work_end: time | None = None) -> "WorkCalendar":
        """The same days with another organisation's time zone and working hours."""
        other = object.__new__(WorkCalendar)
        other._off, other._on, other._years, other._periods = self._off, self._on, self._years, self._periods
        other.tz = ZoneInfo(tz) if isinstance(tz, str) else (tz or self.tz)
        other.work_start = work_start or self.work_start
        other.work_end = work_end or self.work_end
        return other

    def periods(self) -> tuple[HolidayPeriod, ...]:
        """The named holiday periods the official data knows, in date order."""
        return self._periods

    def period_from(self, day: date, name: str | None = None) -> HolidayPeriod | None:
        """The period (of ``name``, or any) that is current on ``day`` or comes next; None when the
        known data has none — the next one lies in a year without calendar data."""
        for p in self._periods:
            if p.end >= day and (name is None or p.name == name):
                return p
        return None

    def is_workday(self, d: date, gaps: set[int] | None = None) -> bool:
        if isinstance(d, datetime):
            d = d.date()
        if d in self._on:
            return True
        if d in self._off:
            return False
        if d.year not in self._years and gaps is not None:
            gaps.add(d.year)
        return d.weekday() < 5

    def add_workdays(self, d: date, n: int, gaps: set[int] | None = None) -> date:
        """The n-th working day after ``d`` (d itself never counts); n < 0 counts backwards; n == 0 is d."""
        if abs(n) > MAX_WORKDAY_STEP:
            raise ValueError(f"{n} working days is out of range")
        if isinstance(d, datetime):
            d = d.date()
        step = timedelta(days=1 if n > 0 else -1)
        left = abs(n)
        while left:
            d += step
            if self.is_workday(d, gaps):
                left -= 1
        return d

    def workdays_between(self, a: date, b: date, gaps: set[int] | None = None) -> int:
        """Working days in (a, b] — so ``add_workdays(a, workdays_between(a, b)) == b`` for a working day b.
        Negative (minus the working days in (b, a]) when b is before a."""
        if isinstance(a, datetime):
            a = a.date()
        if isinstance(b, datetime):
            b = b.date()
        if b < a:
            return -self.workdays_between(b, a, gaps)
        if (b - a).days > 4 * MAX_WORKDAY_STEP:
            raise ValueError("range too long")
        count = 0
        d = a
        one = timedelta(days=1)
        while d < b:
            d += one
            if self.is_workday(d, gaps):
                count += 1
        return count

    def next_workday(self, d: date, include_self: bool = False, gaps: set[int] | None = None) -> date:
        if isinstance(d, datetime):
            d = d.date()
        if include_self and self.is_workday(d, gaps):
            return d
        return self.add_workdays(d, 1, gaps)




DEFAULT_CALENDAR = WorkCalendar()
