"""Tick planning: which rows may hold a step of a rule in (since, now] — a narrow read the store
answers through its indexes, so a tick costs what is due, not what exists (most ticks read nothing).

Pure: `plan(rule, since, now, cw)` returns a Query (what to read, as data); the edge (tick.py)
has the store answer it once and hands the rows to due.due_steps, which decides. The prefilters
here only narrow, they never decide: field_moment still decides for each object. One read needs a
second pass: the repeating meeting rule reads (id, time) pairs first, `due_ids` keeps those that
can fire, and only those meetings (with open tasks) are read whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from .moments import Clockwork, field_attr, field_moment, final, previous_occurrence, scheduled_moment
from .rules import Rule

# What a Query may ask for (tick.py answers each with the store's read of the same name).
READS = ("nothing", "open_task_owners", "task_events_by_actor", "unknown_replies_by_host",
         "repeating_meetings", "open_tasks", "open_tasks_due_between", "tasks_created_between",
         "meetings_in_window")


@dataclass(frozen=True)
class Query:
    """What one rule needs read in one tick. `lo`/`hi` bound the read (days for task.due, moments
    otherwise); `column` is the store column behind the trigger field; `weekdays` narrows the
    repeating meeting read; `unless_fired`: a clock rule whose occurrence is recorded reads nothing."""

    read: str
    column: str | None = None
    lo: Any = None
    hi: Any = None
    weekdays: frozenset[int] | None = None
    unless_fired: str | None = None
    moment: datetime | None = None     # a clock rule's occurrence

    @property
    def empty(self) -> bool:
        return self.read == "nothing"


NOTHING = Query("nothing")


def occurrence_key(rule: Rule, moment: datetime) -> str:
    """Recorded once every object of a weekly/daily occurrence was handled."""
    return f"{rule.name}:*:{moment.isoformat(timespec='minutes')}"


def plan(rule: Rule, since: datetime, now: datetime, cw: Clockwork) -> Query:
    """The read that finds every object a step of `rule` can be due for in (since, now]."""
    t = rule.trigger
    if t.scheduled:
        moment = scheduled_moment(rule, since, now, cw)
        if moment is None or rule.scope not in ("owner", "person", "host"):
            return NOTHING
        key = occurrence_key(rule, moment)
        if rule.scope == "owner":
            return Query("open_task_owners", unless_fired=key, moment=moment)
        start = previous_occurrence(rule, moment, cw)      # what a digest covers
        read = "task_events_by_actor" if rule.scope == "person" else "unknown_replies_by_host"
        return Query(read, lo=start, hi=moment, unless_fired=key, moment=moment)
    if t.repeat:
        if not may_fall_in(rule, since, now, cw):
            return NOTHING
        if rule.scope == "meeting":
            # only meetings with open tasks repeat (the weekly follow-up table until all are closed)
            weekdays = repeat_base_weekdays(rule, since, now, cw)
            return Query("repeating_meetings", column=field_attr(t.field), hi=now.astimezone(cw.tz),
                         weekdays=None if weekdays is None else frozenset(weekdays))
        return Query("open_tasks")
    rng = base_range(rule, since, now, cw)
    if rng is None:
        return NOTHING
    lo, hi = rng
    if t.field == "task.due":
        return Query("open_tasks_due_between", lo=lo.date(), hi=(hi - timedelta(microseconds=1)).date())
    if t.field == "task.created":
        return Query("tasks_created_between", column="created_at", lo=lo, hi=hi + timedelta(seconds=1))
    return Query("meetings_in_window", column=field_attr(t.field), lo=lo, hi=hi + timedelta(seconds=1))


class _Base:
    """An object with just an id and one time field (for a rule's moment without loading it)."""

    def __init__(self, ident: int, attr: str, value: Any):
        self.id = ident
        setattr(self, attr, value)


def due_ids(rule: Rule, times: list[tuple[int, Any]], since: datetime, now: datetime, cw: Clockwork) -> list[int]:
    """Of (id, field value) pairs, the ids whose step of `rule` falls in (since, now]."""
    attr = field_attr(rule.trigger.field)
    return [ident for ident, value in times
            if field_moment(rule, _Base(ident, attr, value), since, now, cw) is not None]


def base_range(rule: Rule, since: datetime, now: datetime, cw: Clockwork) -> tuple[datetime, datetime] | None:
    """For a field rule without `repeat`: the [first, last] stretch (local datetimes) in which the
    base value (task.due's day, meeting.start, …) of a step falling in (since, now] must lie — a
    narrow range the store reads through an index. None: no step can fall in the window (most ticks)."""
    t = rule.trigger
    lo = cw.gap_start(since) if rule.quiet_hours else since.astimezone(cw.tz)
    hi = now.astimezone(cw.tz)
    if t.unit in ("hours", "minutes"):
        off = timedelta(**{t.unit: t.offset})
        if t.field == "task.due":   # a day: widen to whole days
            return _day_start((lo - off).date() - timedelta(days=1), cw), _day_start((hi - off).date() + timedelta(days=2), cw)
        return lo - off, hi - off
    if not may_fall_in(rule, since, now, cw):
        return None
    first, last = lo.date(), hi.date()     # nominal moments lie on days first..last
    if t.unit == "days":
        a, b = first - timedelta(days=t.offset), last - timedelta(days=t.offset)
    else:                                  # working days: the base days whose shifted day lands in range
        n = t.offset
        span = timedelta(days=abs(n) * 2 + 20)
        lo_d, hi_d = (first - span, last) if n >= 0 else (first, last + span)
        found = [d for d in _days(lo_d, hi_d) if first <= cw.add_workdays(d, n) <= last]
        if not found:
            return None
        a, b = found[0], found[-1]
    return _day_start(a, cw), _day_start(b + timedelta(days=1), cw)


def _day_start(d: date, cw: Clockwork) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=cw.tz)


def _days(a: date, b: date):
    while a <= b:
        yield a
        a += timedelta(days=1)


def may_fall_in(rule: Rule, since: datetime, now: datetime, cw: Clockwork) -> bool:
    """Day-unit rules with a fixed time of day (`at`, or a date field) only ever run at that time or
    at work_start (moved): is one of those inside (since, now]? Lets most ticks skip a rule at once."""
    t = rule.trigger
    if now - since > timedelta(days=2) or t.unit in ("hours", "minutes"):
        return True
    if t.at is None and t.field not in ("task.due",):
        return True                    # the time of day comes from a datetime field
    if t.repeat is not None and t.repeat % timedelta(days=1):
        return True
    times = {cw.time_of(rule.trigger.at, cw.work_start)}
    if rule.quiet_hours:
        times.add(cw.work_start)
    lo, hi = since.astimezone(cw.tz), now.astimezone(cw.tz)
    for d in _days(lo.date(), hi.date()):
        for tm in times:
            if lo < datetime.combine(d, tm, tzinfo=cw.tz) <= hi:
                return True
    return False


def repeat_base_weekdays(rule: Rule, since: datetime, now: datetime, cw: Clockwork) -> set[int] | None:
    """For a day-unit rule that repeats whole weeks at a fixed time (the weekly 会议决议跟进表): the
    weekdays (Mon=0) of the base field's local date whose occurrences can fall in (since, now], so
    the store reads only those meetings. None: any weekday can (long windows, other triggers).
    A prefilter only: field_moment still decides for each meeting."""
    t = rule.trigger
    if (t.unit != "days" or t.repeat is None or t.at is None or t.repeat % timedelta(days=7)
            or now - since > timedelta(days=6)):
        return None
    found: set[int] = set()
    # nominal days up to 16 days back: quiet hours may move a moment past the longest holiday
    for d in _days(since.astimezone(cw.tz).date() - timedelta(days=16), now.astimezone(cw.tz).date()):
        if since < final(rule, cw.at(d, t.at, cw.work_start), cw) <= now:
            found.add((d - timedelta(days=t.offset)).weekday())
    jan, jul = (datetime(now.year, m, 1, tzinfo=cw.tz).utcoffset() for m in (1, 7))
    if jan != jul:   # a zone with summer time: a meeting near midnight may sit on the next weekday
        found |= {(w + k) % 7 for w in found for k in (-1, 1)}
    return found
