"""Working-hour moments: when a rule's step falls for an object (the Clockwork of zone, working
hours and the working-day calendar with 调休), and when a weekly/daily rule's occurrence falls.

Pure (dates in, datetimes out); it lives in timeline/ beside rules.py (what a rule says) and due.py
(which steps are due). Quiet hours move a moment to the next working window (working day,
work_start..work_end). A weekly (daily) occurrence that quiet hours pushed into the same week (day)
as the next regular occurrence is dropped — e.g. a Friday request on a holiday Friday is not sent
on the Thursday after the holiday *and* again on that Friday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from .rules import Rule


@dataclass(frozen=True)
class Clockwork:
    """What moments need: the zone, working hours and the working-day calendar."""

    tz: Any
    work_start: time
    work_end: time
    calendar: Any                     # dates.WorkCalendar: is_workday, add_workdays

    def time_of(self, spec: str | None, default: time) -> time:
        if spec == "work_start":
            return self.work_start
        if spec == "work_end":
            return self.work_end
        if spec:
            h, m = spec.split(":")
            return time(int(h), int(m))
        return default

    def at(self, d: date, spec: str | None, default: time) -> datetime:
        return datetime.combine(d, self.time_of(spec, default), tzinfo=self.tz)

    def is_workday(self, d: date, gaps: set[int] | None = None) -> bool:
        try:
            return self.calendar.is_workday(d, gaps)
        except TypeError:             # a calendar without gap reporting
            return self.calendar.is_workday(d)

    def in_window(self, moment: datetime, gaps: set[int] | None = None) -> bool:
        local = moment.astimezone(self.tz)
        return (self.work_start <= local.time().replace(tzinfo=None) < self.work_end
                and self.is_workday(local.date(), gaps))

    def next_window(self, moment: datetime, gaps: set[int] | None = None) -> datetime:
        """`moment` itself when inside working hours of a working day, else the next window's start."""
        local = moment.astimezone(self.tz)
        if self.in_window(local, gaps):
            return local
        d = local.date()
        if local.time().replace(tzinfo=None) < self.work_start and self.is_workday(d, gaps):
            return datetime.combine(d, self.work_start, tzinfo=self.tz)
        for _ in range(400):
            d += timedelta(days=1)
            if self.is_workday(d, gaps):
                return datetime.combine(d, self.work_start, tzinfo=self.tz)
        return local

    def gap_start(self, moment: datetime) -> datetime:
        """The start of the quiet stretch `moment` lies in (the previous window's end), or `moment`
        itself inside a window: every x >= gap_start(lo) has next_window(x) >= ... > lo or x > lo."""
        local = moment.astimezone(self.tz)
        if self.in_window(local):
            return local
        d = local.date()
        if local.time().replace(tzinfo=None) >= self.work_end and self.is_workday(d):
            return datetime.combine(d, self.work_end, tzinfo=self.tz)
        for _ in range(400):
            d -= timedelta(days=1)
            if self.is_workday(d):
                return datetime.combine(d, self.work_end, tzinfo=self.tz)
        return local

    def add_workdays(self, d: date, n: int, gaps: set[int] | None = None) -> date:
        try:
            return self.calendar.add_workdays(d, n, gaps)
        except TypeError:
            return self.calendar.add_workdays(d, n)


def field_attr(fld: str) -> str:
    """The attribute (and store column) behind a trigger field: task.due -> due, meeting.created -> created_at."""
    attr = fld.split(".", 1)[1]
    return "created_at" if attr == "created" else attr


def base_value(obj: Any, fld: str) -> datetime | date | None:
    return getattr(obj, field_attr(fld), None)


def moment_of(rule: Rule, obj: Any, cw: Clockwork, gaps: set[int] | None = None) -> datetime | None:
    """When `rule` first fires for `obj` (before quiet-hours adjustment), or None (no base value)."""
    base = base_value(obj, rule.trigger.field)
    if base is None:
        return None
    return nominal_from(rule, base, cw, gaps)


def nominal_from(rule: Rule, base: datetime | date, cw: Clockwork, gaps: set[int] | None = None) -> datetime:
    t = rule.trigger
    if t.unit in ("hours", "minutes"):
        if not isinstance(base, datetime):
            base = cw.at(base, t.at, cw.work_start)
        return base + timedelta(**{t.unit: t.offset})
    d = base.astimezone(cw.tz).date() if isinstance(base, datetime) else base
    if t.unit == "working_days":
        d = cw.add_workdays(d, t.offset, gaps) if t.offset else d
    else:
        d = d + timedelta(days=t.offset)
    default = base.astimezone(cw.tz).time().replace(tzinfo=None) if isinstance(base, datetime) else cw.work_start
    return cw.at(d, t.at, default)


def final(rule: Rule, nominal: datetime, cw: Clockwork, gaps: set[int] | None = None) -> datetime:
    """The moment a step really runs: quiet hours move it to the next working window."""
    return cw.next_window(nominal, gaps) if rule.quiet_hours else nominal.astimezone(cw.tz)


def field_moment(rule: Rule, obj: Any, since: datetime | None, now: datetime, cw: Clockwork,
                 gaps: set[int] | None = None) -> datetime | None:
    """The (latest) moment of `rule` for `obj` in (since, now], or None."""
    nominal = moment_of(rule, obj, cw, gaps)
    if nominal is None or nominal > now:
        return None
    rep = rule.trigger.repeat
    if rep:
        k = (now - nominal) // rep
        while k >= 0:
            moment = final(rule, nominal + k * rep, cw, gaps)
            if moment <= now:
                break
            k -= 1
        else:
            return None
    else:
        moment = final(rule, nominal, cw, gaps)
        if moment > now:
            return None
    if since is not None and moment <= since:
        return None
    return moment


def _occurs_on(rule: Rule, d: date, cw: Clockwork, gaps: set[int] | None) -> bool:
    t = rule.trigger
    if t.daily:
        return cw.is_workday(d, gaps)
    return d.weekday() == t.weekly


def _bucket(rule: Rule, moment: datetime) -> tuple:
    return moment.isocalendar()[:2] if rule.trigger.weekly is not None else (moment.date(),)


def scheduled_moment(rule: Rule, since: datetime | None, now: datetime, cw: Clockwork,
                     gaps: set[int] | None = None) -> datetime | None:
    """weekly/daily rules: the latest occurrence whose (quiet-hours-moved) moment lies in (since, now]."""
    t = rule.trigger
    local_now = now.astimezone(cw.tz)
    day = local_now.date()
    later: datetime | None = None      # the moved moment of the next occurrence after `day`
    nxt = day + timedelta(days=1)
    for _ in range(30):                # the next regular occurrence after now, for the bucket check
        if _occurs_on(rule, nxt, cw, gaps):
            later = final(rule, cw.at(nxt, t.at, cw.work_start), cw, gaps)
            break
        nxt += timedelta(days=1)
    for _ in range(120):
        if _occurs_on(rule, day, cw, gaps):
            nominal = cw.at(day, t.at, cw.work_start)
            moment = final(rule, nominal, cw, gaps)
            superseded = later is not None and moment != later and _bucket(rule, moment) == _bucket(rule, later)
            later = moment
            if nominal <= local_now and moment <= local_now:
                if since is not None and moment <= since:
                    return None
                if not superseded:
                    return moment
        day -= timedelta(days=1)
    return None


def previous_occurrence(rule: Rule, moment: datetime, cw: Clockwork) -> datetime:
    """The occurrence of a weekly/daily rule before the one at `moment` (what a digest covers)."""
    day = moment.astimezone(cw.tz).date() - timedelta(days=1)
    for _ in range(60):
        if _occurs_on(rule, day, cw, None):
            return final(rule, cw.at(day, rule.trigger.at, cw.work_start), cw)
        day -= timedelta(days=1)
    return moment - timedelta(days=7)
