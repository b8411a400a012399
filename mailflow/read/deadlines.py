"""Deadlines as people write them: date parts → phrases → a due date, by rules with anchors.

Pure: no disk, network or clock; ``now`` is a parameter. The reader works in three steps:

1. :mod:`mailflow.read.datetext` folds the text and cuts it into date parts (a month, a day, 下周五,
   下午3点, 国庆前, 3个工作日内, 月底, 尽快, 前 …).
2. Adjacent parts, joined only by spaces, 的, 于 or "at/on/by", form a *phrase*; a phrase ends
   where a slot it already has would be filled again ("12月1日-12月5日" is two phrases).
3. A phrase is read by its anchor, in this order: an impossible part (9999年, 2月30日, 公元前) is an
   error; a vague word or a span (尽快, TBD, 上旬/中旬/下旬, 月初, 年中, 12月前) is vague; then a holiday
   period (节前 = the last working day before the period that is current or comes next, 节后 = the
   first working day after it, from the official calendar with 调休); a count from today (N个工作日内
   = the Nth working day after today); a period end (月底, Q4末, 年底, end of next month); a calendar
   date (a month-day already past rolls to next year; an explicit year is kept); a weekday in a
   Monday-start week (本周五, 下周一; a bare 周五 is the next Friday, today included); a relative day
   (明天); or, with only a time, today. The time of day comes from the same phrase (今晚8点 = 20:00,
   下班 / EOD = the end of working hours, 明早 = its start, 下午3点 = 15:00, 5pm, 17:00).

Two phrases joined by a range or change word (至 / 到 / - / ~ / to, 推迟到, 改到, 延至, "moved from X
to Y", "原定X，现Y") are one deadline: the later phrase, which inherits the month of the first
("11月20日至25日" → 11-25). A hedge (大概, 左右, around) makes a date vague.

``calendar_gap`` is true when the date lies in a year without official calendar data, and when a
count or a holiday needs that data: then ``due`` is None, never a Monday–Friday guess.
The time zone and working hours are the calendar's (``WorkCalendar(tz=…, work_end=…)``) unless the
caller passes ``tz``; the default is config.DEFAULT_TIMEZONE.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Iterable

from .datetext import Part, fold, parts
from .workdays import DEFAULT_CALENDAR, MORNING_END, WorkCalendar

_YEAR_SPAN = 10          # an explicit year further than this from today is not a deadline


@dataclass(frozen=True)
class Delay:
    """A relative shift asked for (推迟3天 → Delay(3, "days")); unit: days, workdays or months."""

    n: int
    unit: str

    def apply(self, d: date, cal: WorkCalendar | None = None, gaps: set[int] | None = None) -> date:
        if self.unit == "workdays":
            return (cal or DEFAULT_CALENDAR).add_workdays(d, self.n, gaps)
        if self.unit == "months":
            return _add_months(d, self.n)
        return d + timedelta(days=self.n)


@dataclass(frozen=True)
class Deadline:
    text: str               # the expression as found
    due: date | None        # None when vague, impossible, or needing calendar data that is missing
    time: time | None       # 18:00 for 下班前 / EOD; None when only a day is given (end of that day)
    vague: bool             # 尽快, 待定, 上旬, ASAP, 大概…, and every impossible date: ask for a date
    calendar_gap: bool      # the date, or the working days counted to it, lie in a year without data
    delay: Delay | None = None  # 推迟3天: the shift itself; ``due`` is then counted from now
    error: str | None = None    # why the text is no possible date (9999年, 2月30日, 公元前)


def apply_delay(deadline: Deadline, current_due: date, cal: WorkCalendar | None = None) -> Deadline:
    """Re-anchor a relative delay (推迟3天) on the task's current due date instead of today."""
    if deadline.delay is None:
        return deadline
    gaps: set[int] = set()
    due = deadline.delay.apply(current_due, cal, gaps)
    return replace(deadline, due=due, calendar_gap=bool(gaps))


# --- small date helpers ----------------------------------------------------------------------

def _last_day(y: int, m: int) -> date:
    return date(y, m, _calendar.monthrange(y, m)[1])


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, min(d.day, _calendar.monthrange(y, m + 1)[1]))


def _monday(d: date, weeks: int = 0) -> date:
    return d - timedelta(days=d.weekday()) + timedelta(weeks=weeks)


def _week_offset(pre: str | None) -> int:
    pre = pre or ""
    return 2 if pre.startswith("下下") else 1 if pre.startswith("下") else -1 if pre.startswith("上") else 0


def _quarter_end(y: int, q: int) -> date:
    return _last_day(y, q * 3)


class _Impossible(Exception):
    """The text names no possible date; the message says why (in the users' words)."""


@dataclass
class _Ctx:
    now: datetime            # local wall time of the organisation, naive
    cal: WorkCalendar

    @property
    def today(self) -> date:
        return self.now.date()


# --- phrases ---------------------------------------------------------------------------------

_GLUE = re.compile(r"(?:[\s,的于在]|\b(?:at|on|by|the)\b)*", re.I | re.A)
_FLAGS = {"m_fen", "d_hao", "md_loose", "m_implicit"}
_TRAILING = {"before", "after_cn"}             # markers that only qualify the date before them
_SLOT = {"y_rel": "y", "m_rel": "m"}          # slots that share a place with another


@dataclass
class _Phrase:
    start: int
    end: int
    slots: dict
    kinds: set


def _phrases(norm: str, found: list[Part]) -> list[_Phrase]:
    out: list[_Phrase] = []
    cur: _Phrase | None = None
    for p in found:
        keys = {_SLOT.get(k, k) for k in p.slots if k not in _FLAGS}
        if p.kind in _TRAILING and cur is None:
            continue                       # 截止 / a leading 前 or 后 belongs to no date
        joins = (cur is not None and _GLUE.fullmatch(norm, cur.end, p.start) is not None
                 and not keys & {_SLOT.get(k, k) for k in cur.slots if k not in _FLAGS})
        if joins:
            cur.slots.update(p.slots)
            cur.end = p.end
            cur.kinds.add(p.kind)
        else:
            if p.kind in _TRAILING:
                continue
            cur = _Phrase(p.start, p.end, dict(p.slots), {p.kind})
            out.append(cur)
    return out


# --- reading one phrase ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Reading:
    due: date | None = None
    time: time | None = None
    vague: bool = False
    gap: bool = False
    delay: Delay | None = None
    error: str | None = None


_VAGUE = _Reading(vague=True)
_GAP = _Reading(gap=True)


def _year(s: dict, c: _Ctx) -> int | None:
    if "y_rel" in s:
        return c.today.year + s["y_rel"]
    y = s.get("y")
    if y is not None and abs(y - c.today.year) > _YEAR_SPAN:
        raise _Impossible(f"{y}年 is not a plausible year for a deadline")
    return y


def _valid(y: int, m: int, d: int) -> date:
    if not 1 <= m <= 12:
        raise _Impossible(f"there is no month {m}")
    try:
        return date(y, m, d)
    except ValueError:
        raise _Impossible(f"{m}月{d}日 does not exist in {y}") from None


def _calendar_date(y: int | None, m: int, d: int, c: _Ctx) -> date:
    """A month-day; without a year, one already past is next year's."""
    if y is not None:
        return _valid(y, m, d)
    if not 1 <= m <= 12 or not 1 <= d <= 31:
        raise _Impossible(f"{m}月{d}日 is not a date")
    for k in range(0, 5):                 # 2月29日: the next year that has it
        try:
            cand = date(c.today.year + k, m, d)
        except ValueError:
            if d > 29 or m != 2:
                raise _Impossible(f"{m}月{d}日 does not exist") from None
            continue
        if cand >= c.today:
            return cand
    raise _Impossible(f"{m}月{d}日 does not exist")


def _month_start(s: dict, c: _Ctx, y: int | None) -> date | None:
    """The first day of the month a phrase names (12月, 下个月, 月底's month)."""
    t = c.today
    if "m_rel" in s:
        return _add_months(t.replace(day=1), s["m_rel"])
    m = s.get("m")
    if m is None:
        return None
    if not 1 <= m <= 12:
        raise _Impossible(f"there is no month {m}")
    if y is None:
        y = t.year if m >= t.month else t.year + 1
    return date(y, m, 1)


def _weekday_date(pre: str | None, wd: int, t: date) -> date:
    if pre is None:                       # bare 周五 / Friday: the next one, today included
        return t + timedelta(days=(wd - t.weekday()) % 7)
    if pre == "coming":                   # "the coming Friday", "following Friday": never today
        return t + timedelta(days=(wd - t.weekday() - 1) % 7 + 1)
    return _monday(t, _week_offset(pre)) + timedelta(days=wd)


def _holiday(s: dict, c: _Ctx) -> _Reading:
    name, side = s["holiday"]
    period = c.cal.period_from(c.today, name)
    if period is None:                    # the next such holiday is in a year without data
        return _GAP
    # "节后两个工作日内": counted from the holiday instead of today (1: the first working day)
    n, unit = s.get("count") or (1, "workdays")
    if unit != "workdays" or not 0 < n <= 99:
        return _VAGUE
    gaps: set[int] = set()
    if side == "before":
        if period.start <= c.today:
            return _VAGUE                 # already in the holiday: "before" it has passed
        d = c.cal.add_workdays(period.start, -n, gaps)
        if d < c.today:
            return _VAGUE
    else:
        d = c.cal.add_workdays(period.end, n, gaps)
    return _GAP if gaps else _Reading(due=d)


def _count(s: dict, c: _Ctx) -> _Reading | None:
    n, unit = s["count"]
    if not 0 < n <= 999:
        return None
    if unit == "workdays":
        gaps: set[int] = set()
        d = c.cal.add_workdays(c.today, n, gaps)
        return _GAP if gaps else _Reading(due=d)
    if unit == "hours":
        at = c.now + timedelta(hours=n)
        return _Reading(due=at.date(), time=time(at.hour, at.minute))
    if unit == "months":
        return _Reading(due=_add_months(c.today, n))
    return _Reading(due=c.today + timedelta(days=n * (7 if unit == "weeks" else 1)))


def _delay(s: dict, c: _Ctx) -> _Reading | None:
    n, unit = s["delay"]
    if not 0 < n <= 999:
        return None
    if unit == "weeks":
        n, unit = n * 7, "days"
    gaps: set[int] = set()
    d = Delay(n, unit).apply(c.today, c.cal, gaps)
    return _Reading(due=None if gaps else d, gap=bool(gaps), delay=Delay(n, unit))


def _quarter(s: dict, y: int | None, c: _Ctx) -> _Reading:
    q, part = s["quarter"]
    if part in ("前", "之前", "以前"):
        return _VAGUE                     # Q4前: before Q4 starts, or by its end? ask.
    t = c.today
    if q in ("this", "next"):
        q = (t.month - 1) // 3 + 1 + (q == "next")
        return _Reading(due=_quarter_end(t.year + (q == 5), 1 if q == 5 else q))
    if y is None:
        y = t.year if _quarter_end(t.year, q) >= t else t.year + 1
    return _Reading(due=_quarter_end(y, q))


def _en_end(s: dict, c: _Ctx) -> _Reading:
    rel, what = s["en_end"]
    t, nxt = c.today, rel == "next"
    if what == "week":
        return _Reading(due=_monday(t, nxt) + timedelta(days=4))
    if what == "month":
        b = _add_months(t.replace(day=1), nxt)
        return _Reading(due=_last_day(b.year, b.month))
    if what == "quarter":
        return _quarter({"quarter": ("next" if nxt else "this", "末")}, None, c)
    if what == "year":
        return _Reading(due=date(t.year + nxt, 12, 31))
    if what.startswith("q"):
        return _quarter({"quarter": (int(what[1]), "末")}, None, c)
    if what.isdigit():
        return _Reading(due=date(_year({"y": int(what)}, c), 12, 31))
    m = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(what[:3]) + 1
    y = t.year if m >= t.month else t.year + 1
    return _Reading(due=_last_day(y, m))


_SPAN_PARTS = {"上旬", "中旬", "下旬", "初", "中"}       # a span inside a month: no single day


def _month_part(s: dict, y: int | None, c: _Ctx) -> _Reading | None:
    part = s["mpart"]
    if part in _SPAN_PARTS:
        return _VAGUE
    start = _month_start(s, c, y)
    if start is None:                     # 底 / 内 after a year: the year's end (明年底)
        return _Reading(due=date(y, 12, 31)) if y is not None else None
    return _Reading(due=_last_day(start.year, start.month))


def _year_part(s: dict, y: int | None, c: _Ctx) -> _Reading:
    part = s["ypart"]
    y = y if y is not None else c.today.year
    if part in ("中", "初"):
        return _VAGUE                     # 年中 / 年初: a span, not a day
    if part == "上半年":
        return _Reading(due=date(y, 6, 30))
    return _Reading(due=date(y, 12, 31))


def _day_only(s: dict, c: _Ctx) -> date | None:
    """25号 / 25日前: this month's, or next month's when it has passed."""
    d, t = s["d"], c.today
    if not 1 <= d <= 31:
        return None
    for k in range(0, 3):
        first = _add_months(t.replace(day=1), k)
        try:
            cand = first.replace(day=d)
        except ValueError:
            continue
        if cand >= t:
            return cand
    return None


def _clock(s: dict, c: _Ctx) -> time | None:
    if s.get("workend"):
        return c.cal.work_end
    if s.get("workstart"):
        return c.cal.work_start
    part = s.get("daypart")
    if "clock" not in s:
        return {"下午": c.cal.work_end, "上午": MORNING_END, "中午": MORNING_END, "早": c.cal.work_start}.get(part)
    h, mi, ap = s["clock"]
    if ap == "p" and h < 12:
        h += 12
    elif ap == "a" and h == 12:
        h = 0
    elif ap is None:
        if part in ("下午", "晚") and h < 12:
            h += 12
        elif part == "晚" and h == 12:
            h, mi = 23, 59                # 晚上12点: the end of that day
        elif part == "中午" and h < 6:
            h += 12
        elif part is None and 1 <= h <= 7:
            h += 12                       # 3点前 in an office means 15:00
    if h == 24 and mi == 0:
        h, mi = 23, 59
    if h > 23 or mi > 59:
        raise _Impossible(f"{h}:{mi:02d} is not a time of day")
    return time(h, mi)


def _date_of(s: dict, c: _Ctx) -> date | None:
    """The calendar day a phrase names, or None when it names none."""
    y = _year(s, c)
    if "d" in s and ("m" in s or "m_rel" in s):
        if "m_rel" in s:
            first = _month_start(s, c, y)
            return _valid(first.year, first.month, s["d"])
        if s.get("md_loose"):
            try:
                return _calendar_date(y, s["m"], s["d"], c)
            except _Impossible:
                return None               # 2.30 is a number, not February 30th
        return _calendar_date(y, s["m"], s["d"], c)
    if "d" in s and (s.get("d_hao") or s.get("before") or "clock" in s or "workend" in s):
        return _day_only(s, c)
    if "wd" in s:
        pre, wd = s["wd"]
        return _weekday_date(pre, wd, c.today)
    if "rel" in s:
        return c.today + timedelta(days=s["rel"])
    return None


def _week_end(s: dict, c: _Ctx) -> _Reading | None:
    t = c.today
    if "weekend" in s:
        monday = _monday(t, _week_offset(s["weekend"]))
        if s.get("before"):               # 周末前: this week's Friday
            friday = monday + timedelta(days=4)
            return _VAGUE if friday < t else _Reading(due=friday)   # on a weekend: which Friday? ask
        return _Reading(due=monday + timedelta(days=6))
    off = _week_offset(s["week"]) - bool(s.get("before"))      # 下周前: by the end of this week
    if off < 0:
        return None
    return _Reading(due=_monday(t, off) + timedelta(days=4))


def _read(s: dict, c: _Ctx) -> _Reading | None:
    """One phrase's slots → a reading; None when the phrase is no deadline."""
    if "error" in s:
        raise _Impossible(s["error"])
    if "vague" in s:
        return _VAGUE
    if "after" in s and "workend" not in s and ("holiday" not in s and "count" not in s):
        return _VAGUE                     # 12月1日以后, after Friday: a start, not a deadline; ask
    if "holiday" in s:
        return _holiday(s, c)
    if "count" in s:
        return _count(s, c)
    if "delay" in s:
        return _delay(s, c)
    if "nextwd" in s:
        gaps: set[int] = set()
        d = c.cal.next_workday(c.today, gaps=gaps)
        return _GAP if gaps else _Reading(due=d)
    y = _year(s, c)
    if "en_end" in s:
        r = _en_end(s, c)
    elif "quarter" in s:
        r = _quarter(s, y, c)
    elif "ypart" in s:
        r = _year_part(s, y, c)
    elif "mpart" in s and ("m" in s or "m_rel" in s or "y" in s or "y_rel" in s) and "d" not in s:
        r = _month_part(s, y, c)
    elif s.get("mpart") in ("上旬", "中旬", "下旬"):
        return _VAGUE
    elif "wd" in s and "week" in s:       # "Wednesday next week": that weekday of that week
        r = _Reading(due=_weekday_date(s["week"], s["wd"][1], c.today))
    elif "weekend" in s or "week" in s:
        r = _week_end(s, c)
    elif "m" in s and "d" not in s:
        if s.get("m_fen"):                # 12月份: within December
            start = _month_start(s, c, y)
            r = _Reading(due=_last_day(start.year, start.month))
        elif s.get("before"):
            return _VAGUE                 # 12月前: before December starts, or by its end? ask.
        else:
            return None
    elif "wd" in s and s["wd"][0] in ("本", "这", "这个") and _weekday_date(*s["wd"], c.today) < c.today:
        return _VAGUE                     # 本周四 said on Saturday: passed; which one is meant? ask
    else:
        d = _date_of(s, c)
        if d is None:
            if not _time_only(s) and "shift" not in s:
                return None
            d = c.today
        r = _Reading(due=d)
    if r is None or r.due is None:
        return r
    if "shift" in s:                      # "a week from Friday", "3 days from now"
        r = replace(r, due=r.due + timedelta(days=s["shift"]))
    r = replace(r, time=r.time or _clock(s, c))
    if "note" in s and s["note"] != r.due.weekday():
        raise _Impossible(f"{r.due.isoformat()} is a {r.due.strftime('%A')}, not the weekday written beside it")
    return r


def _time_only(s: dict) -> bool:
    """A phrase with only a time is today's deadline when it is clearly one (下班前, EOD, 下午3点, 5pm)."""
    if "workend" in s or "workstart" in s:
        return True
    if "clock" in s:
        return bool(s.get("daypart") or s.get("before") or s["clock"][2])
    return s.get("daypart") in ("上午", "中午") and bool(s.get("before"))     # 中午前, 上午之前


# --- joining phrases: ranges and changes -------------------------------------------------------

_JOIN = re.compile(
    r"\s*[，,、;；]?\s*(?:(?:现在?|已经?|目前|now)\s*)?"
    r"(?:(?:推迟|延期|延迟|延后|延长|顺延|延|推|改期|改|调整|提前|挪|移|变更|更改|更新|"
    r"postponed|moved|pushed(?:\s+back)?|changed|rescheduled|brought\s+forward|extended|delayed)\s*)?"
    r"(?:到|至|为|成|to|until|till|through|thru|-|~|—|–)\s*", re.I)
_WAS_MARK = re.compile(r"(?:原定|原计划|原先|本来|原来|原本|originally|was(?:\s+due)?)\s*(?:于|是|为|在)?\s*$", re.I)
_TIME_SLOTS = {"clock", "daypart", "workend", "workstart", "before"}
_NOT_JOINED = {"count", "delay", "holiday", "holiday_en", "vague", "nextwd"}


_CHANGED = re.compile(r"现|改|推迟|延|提前|调整|挪|变更|(?i:now|moved|changed|postponed|pushed|rescheduled)")
_BETWEEN = re.compile(r"(?:between|介于|在)\s*$", re.I)
_AND = re.compile(r"\s*(?:and|与|和)\s*", re.I)


def _joined(norm: str, a: _Phrase, b: _Phrase) -> bool:
    """Whether phrase b replaces phrase a: a range's end, or the new date of a change."""
    if a.kinds & _NOT_JOINED or b.kinds & _NOT_JOINED:
        return False
    if _JOIN.fullmatch(norm, a.end, b.start):
        return True
    if _AND.fullmatch(norm, a.end, b.start) and _BETWEEN.search(norm, max(0, a.start - 10), a.start):
        return True                       # between Sep 15 and Sep 20
    if _WAS_MARK.search(norm, max(0, a.start - 8), a.start):
        gap = norm[a.end:b.start]         # 原定本周五完成，现延期至下周三: a clause of the old plan, then the change
        return len(gap) <= 16 and "。" not in gap and bool(_CHANGED.search(gap))
    return False


# --- hedges ----------------------------------------------------------------------------------

_HEDGE_BEFORE = re.compile(r"(?:大概|大约|差不多|可能|估计|(?<![预])约|(?i:roughly|around|approximately|maybe|probably|possibly))"
                           r"\s*(?:在|于|是)?\s*$")
_HEDGE_AFTER = re.compile(r"\s*(?:左右|前后|上下|(?i:or\s+so\b|-?ish\b))")


# --- the API ---------------------------------------------------------------------------------

def _inherit(prev: dict, slots: dict) -> dict:
    """The end of a range or change takes from its start what it leaves out."""
    if "d" in slots and not {"m", "m_rel", "wd", "rel"} & set(slots):
        # "11月20日至25日": the start's month and year; "20日至25日": the range says both are days
        return {**{k: prev[k] for k in ("y", "y_rel", "m", "m_rel") if k in prev}, **slots,
                "d_hao": slots.get("d_hao") or "d" in prev}
    if set(slots) <= _TIME_SLOTS:
        # "Dec 1 3pm-5pm", "下午3点到5点": the start's day, in its part of the day
        return {**{k: v for k, v in prev.items() if k not in ("clock", "workend", "workstart")}, **slots}
    if "wd" in slots and slots["wd"][0] is None and "wd" in prev and prev["wd"][0]:
        return {**slots, "wd": (prev["wd"][0], slots["wd"][1])}      # "下周一到周三": the start's week
    return slots


def _local(now: datetime | date, tz: tzinfo) -> datetime:
    if not isinstance(now, datetime):
        return datetime(now.year, now.month, now.day)
    if now.tzinfo is not None:
        return now.astimezone(tz).replace(tzinfo=None)
    return now


def _scan(text: str, now: datetime, cal: WorkCalendar | None, tz: tzinfo | None) -> list[tuple[int, int, Deadline]]:
    if not text:
        return []
    norm = fold(text)
    found = parts(norm)
    if not found:
        return []
    cal = cal or DEFAULT_CALENDAR
    c = _Ctx(_local(now, tz or cal.tz), cal)
    phrases = _phrases(norm, found)
    out: list[tuple[int, int, Deadline]] = []
    i = 0
    while i < len(phrases):
        a = phrases[i]
        s, e, slots = a.start, a.end, a.slots
        while i + 1 < len(phrases) and _joined(norm, phrases[i], phrases[i + 1]):
            prev = phrases[i].slots
            i += 1
            e, slots = phrases[i].end, _inherit(prev, phrases[i].slots)
        i += 1
        try:
            r = _read(slots, c)
        except _Impossible as exc:
            r = _Reading(vague=True, error=str(exc))
        if r is None:
            continue
        if not r.vague and r.due is not None:
            hb = _HEDGE_BEFORE.search(norm, max(0, s - 16), s)
            ha = _HEDGE_AFTER.match(norm, e)
            if hb or ha:
                s, e = (hb.start() if hb else s), (ha.end() if ha else e)
                r = _Reading(vague=True)
        gap = r.gap or (r.due is not None and not cal.has_data(r.due.year))
        out.append((s, e, Deadline(text=text[s:e], due=r.due, time=r.time, vague=r.vague, calendar_gap=gap,
                                   delay=r.delay, error=r.error)))
    return out


def find_all(text: str, now: datetime, cal: WorkCalendar | None = None, *,
             tz: tzinfo | None = None) -> list[tuple[int, int, Deadline]]:
    """Every deadline-like expression in ``text``, left to right, as (start, end, Deadline)."""
    return _scan(text, now, cal, tz)


def _pick(hits: Iterable[tuple[int, int, Deadline]]) -> Deadline | None:
    hits = list(hits)
    for test in (lambda dl: dl.due is not None and dl.delay is None,      # an explicit date first
                 lambda dl: dl.delay is not None,                         # then a relative delay
                 lambda dl: dl.error is not None,                         # then an impossible date
                 lambda dl: dl.calendar_gap,                              # then a date we cannot know yet
                 lambda dl: True):                                        # else a vague marker
        for _, _, dl in hits:
            if test(dl):
                return dl
    return None


def find_deadline(text: str, now: datetime, cal: WorkCalendar | None = None, *,
                  tz: tzinfo | None = None) -> Deadline | None:
    """The deadline in a longer sentence: the first explicit one, else the first delay, else a vague marker."""
    return _pick(_scan(text, now, cal, tz))


def resolve(text: str, now: datetime, cal: WorkCalendar | None = None, *,
            tz: tzinfo | None = None) -> Deadline | None:
    """One expression (e.g. "8月15日前"); None if it is not a deadline at all."""
    expr = (text or "").strip()
    dl = _pick(_scan(expr, now, cal, tz))
    return None if dl is None else replace(dl, text=expr)
