"""How one phrase of date parts becomes a date: the anchors, tried in order (see deadlines' docstring,
step 3). Pure: ``now`` and the working calendar come in a Ctx.

`read_phrase(slots, ctx)` reads the slots of one phrase (what datetext's parts filled: y, m, d, wd,
rel, holiday, count, clock …) into a Reading: a due date and time, vague, a calendar gap, a relative
Delay, or raises Impossible with the reason in the users' words. deadlines cuts the text into phrases,
joins ranges and changes, and calls this once per phrase: the tokenizer (datetext), the phrases
(deadlines) and the rules (here) are three modules.

Over 500 lines on purpose: `read_phrase` tries the anchors in one order (a holiday before a count,
a date before its weekday …), and each anchor is a short function beside the others it is weighed
against; split in two, that order would be read across files.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from .workdays import DEFAULT_CALENDAR, MORNING_END, WorkCalendar

__all__ = ["Delay", "Ctx", "Reading", "Impossible", "read_phrase"]

_YEAR_SPAN = 10          # an explicit year further than this from today is not a deadline


@dataclass(frozen=True)
class Delay:
    """A relative shift asked for (推迟3天 → Delay(3, "days")); unit: days, workdays or months."""

    n: int
    unit: str

    def apply(self, d: date, cal: WorkCalendar | None = None, gaps: set[int] | None = None) -> date:
        return _move(d, self.n, self.unit, cal or DEFAULT_CALENDAR, gaps)


# --- small date helpers ----------------------------------------------------------------------

def _last_day(y: int, m: int) -> date:
    return date(y, m, _calendar.monthrange(y, m)[1])


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, min(d.day, _calendar.monthrange(y, m + 1)[1]))


def _move(d: date, n: int, unit: str, cal: WorkCalendar, gaps: set[int] | None = None) -> date:
    """d moved n workdays, days, weeks or months on (back when n < 0): counts, delays and counts
    from a written date share this one arithmetic."""
    if unit == "workdays":
        return cal.add_workdays(d, n, gaps)
    if unit == "months":
        return _add_months(d, n)
    return d + timedelta(days=n * (7 if unit == "weeks" else 1))


def _monday(d: date, weeks: int = 0) -> date:
    return d - timedelta(days=d.weekday()) + timedelta(weeks=weeks)


def _week_offset(pre: str | None) -> int:
    pre = pre or ""
    return 2 if pre.startswith("下下") else 1 if pre.startswith("下") else -1 if pre.startswith("上") else 0


def _quarter_end(y: int, q: int) -> date:
    return _last_day(y, q * 3)


class Impossible(Exception):
    """The text names no possible date; the message says why (in the users' words)."""


@dataclass
class Ctx:
    now: datetime            # local wall time of the organisation, naive
    cal: WorkCalendar

    @property
    def today(self) -> date:
        return self.now.date()


# --- reading one phrase ----------------------------------------------------------------------

@dataclass(frozen=True)
class Reading:
    due: date | None = None
    time: time | None = None
    vague: bool = False
    gap: bool = False
    delay: Delay | None = None
    error: str | None = None


_VAGUE = Reading(vague=True)
_GAP = Reading(gap=True)


def _year(s: dict, c: Ctx) -> int | None:
    if "y_rel" in s:
        return c.today.year + s["y_rel"]
    y = s.get("y")
    if y is not None and abs(y - c.today.year) > _YEAR_SPAN:
        raise Impossible(f"{y}年 is not a plausible year for a deadline")
    return y


def _valid(y: int, m: int, d: int) -> date:
    if not 1 <= m <= 12:
        raise Impossible(f"there is no month {m}")
    try:
        return date(y, m, d)
    except ValueError:
        raise Impossible(f"{m}月{d}日 does not exist in {y}") from None


def _calendar_date(y: int | None, m: int, d: int, c: Ctx) -> date:
    """A month-day; without a year, one already past is next year's."""
    if y is not None:
        return _valid(y, m, d)
    if not 1 <= m <= 12 or not 1 <= d <= 31:
        raise Impossible(f"{m}月{d}日 is not a date")
    for k in range(0, 5):                 # 2月29日: the next year that has it
        try:
            cand = date(c.today.year + k, m, d)
        except ValueError:
            if d > 29 or m != 2:
                raise Impossible(f"{m}月{d}日 does not exist") from None
            continue
        if cand >= c.today:
            return cand
    raise Impossible(f"{m}月{d}日 does not exist")


def _month_start(s: dict, c: Ctx, y: int | None) -> date | None:
    """The first day of the month a phrase names (12月, 下个月, 月底's month)."""
    t = c.today
    if "m_rel" in s:
        return _add_months(t.replace(day=1), s["m_rel"])
    m = s.get("m")
    if m is None:
        return None
    if not 1 <= m <= 12:
        raise Impossible(f"there is no month {m}")
    if y is None:
        y = t.year if m >= t.month else t.year + 1
    return date(y, m, 1)


def _weekday_date(pre: str | None, wd: int, t: date) -> date:
    if pre is None:                       # bare 周五 / Friday: the next one, today included
        return t + timedelta(days=(wd - t.weekday()) % 7)
    if pre == "coming":                   # "the coming Friday", "following Friday": never today
        return t + timedelta(days=(wd - t.weekday() - 1) % 7 + 1)
    return _monday(t, _week_offset(pre)) + timedelta(days=wd)


def _holiday(s: dict, c: Ctx) -> Reading:
    name, side = s["holiday"]
    period = c.cal.period_from(c.today, name)
    if period is None:                    # the next such holiday is in a year without data
        return _GAP
    # "节后两个工作日内": counted from the holiday instead of today (1: the first working day)
    n, unit = s.get("count") or (1, "workdays")
    if unit not in ("workdays", "days") or not 0 < n <= 99:
        return _VAGUE
    gaps: set[int] = set()
    if side == "before" and period.start <= c.today:
        return _VAGUE                     # already in the holiday: "before" it has passed
    if unit == "days":                    # 国庆前一天: calendar days from the holiday's first or last day
        d = period.start - timedelta(days=n) if side == "before" else period.end + timedelta(days=n)
    elif side == "before":
        d = c.cal.add_workdays(period.start, -n, gaps)
    else:
        d = c.cal.add_workdays(period.end, n, gaps)
    return _counted_day(d, gaps, c)


def _counted_day(d: date, gaps: set[int], c: Ctx) -> Reading:
    """A day counted from a holiday, a period or a written date: passed, ask which one is meant;
    counted through a year without calendar data, a gap."""
    if d < c.today:
        return _VAGUE
    return _GAP if gaps else Reading(due=d)


def _count(s: dict, c: Ctx) -> Reading | None:
    n, unit = s["count"]
    if not 0 < n <= 999:
        return None
    if unit == "hours":
        at = c.now + timedelta(hours=n)
        return Reading(due=at.date(), time=time(at.hour, at.minute))
    gaps: set[int] = set()
    d = _move(c.today, n, unit, c.cal, gaps)
    return _GAP if gaps else Reading(due=d)


def _delay(s: dict, c: Ctx) -> Reading | None:
    n, unit = s["delay"]
    if not 0 < n <= 999:
        return None
    if unit == "weeks":
        n, unit = n * 7, "days"
    gaps: set[int] = set()
    d = Delay(n, unit).apply(c.today, c.cal, gaps)
    return Reading(due=None if gaps else d, gap=bool(gaps), delay=Delay(n, unit))


def _quarter(s: dict, y: int | None, c: Ctx) -> Reading:
    q, part = s["quarter"]
    if part in ("前", "之前", "以前"):
        return _VAGUE                     # Q4前: before Q4 starts, or by its end? ask.
    t = c.today
    if q in ("this", "next"):
        q = (t.month - 1) // 3 + 1 + (q == "next")
        return Reading(due=_quarter_end(t.year + (q == 5), 1 if q == 5 else q))
    return _period_end(y, q * 3, c)


def _period_end(y: int | None, month: int, c: Ctx) -> Reading:
    """The end of a quarter or half year, given by its last month: without a year, one already over is
    next year's (一季度末 in December), as a past 3月1日 is; this year's already over (今年一季度末): ask."""
    if y is None:
        y = c.today.year + (_last_day(c.today.year, month) < c.today)
    due = _last_day(y, month)
    return _VAGUE if due < c.today else Reading(due=due)


def _en_end(s: dict, c: Ctx) -> Reading:
    rel, what = s["en_end"]
    t, nxt = c.today, rel == "next"
    if what == "week":
        return Reading(due=_monday(t, nxt) + timedelta(days=4))
    if what == "month":
        b = _add_months(t.replace(day=1), nxt)
        return Reading(due=_last_day(b.year, b.month))
    if what == "quarter":
        return _quarter({"quarter": ("next" if nxt else "this", "末")}, None, c)
    if what == "year":
        return Reading(due=date(t.year + nxt, 12, 31))
    if what.startswith("q"):
        return _quarter({"quarter": (int(what[1]), "末")}, None, c)
    if what.isdigit():
        return Reading(due=date(_year({"y": int(what)}, c), 12, 31))
    m = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(what[:3]) + 1
    y = t.year if m >= t.month else t.year + 1
    return Reading(due=_last_day(y, m))


_SPAN_PARTS = {"上旬", "中旬", "下旬", "初", "中"}       # a span inside a month: no single day


def _month_part(s: dict, y: int | None, c: Ctx) -> Reading | None:
    part = s["mpart"]
    if part in _SPAN_PARTS:
        return _VAGUE
    start = _month_start(s, c, y)
    if start is None:                     # 底 / 内 after a year: the year's end (明年底)
        return Reading(due=date(y, 12, 31)) if y is not None else None
    return Reading(due=_last_day(start.year, start.month))


def _year_part(s: dict, y: int | None, c: Ctx) -> Reading:
    part = s["ypart"]
    if part in ("中", "初"):
        return _VAGUE                     # 年中 / 年初: a span, not a day
    return _period_end(y, 6 if part == "上半年" else 12, c)


def _day_only(s: dict, c: Ctx) -> date | None:
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


def _clock(s: dict, c: Ctx) -> time | None:
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
        raise Impossible(f"{h}:{mi:02d} is not a time of day")
    return time(h, mi)


def _date_of(s: dict, c: Ctx) -> date | None:
    """The calendar day a phrase names, or None when it names none."""
    y = _year(s, c)
    if "d" in s and ("m" in s or "m_rel" in s):
        if "m_rel" in s:
            first = _month_start(s, c, y)
            return _valid(first.year, first.month, s["d"])
        if s.get("md_loose"):
            try:
                return _calendar_date(y, s["m"], s["d"], c)
            except Impossible:
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


def _same_day_in(s: dict, c: Ctx) -> Reading | None:
    """下周的今天, 下个月的今天, 明年的今天: today's date moved by that period; 下周的明天: ask."""
    if s["rel"] != 0:
        return _VAGUE
    if "week" in s:
        return Reading(due=c.today + timedelta(weeks=_week_offset(s["week"])))
    if "m_rel" in s:
        return Reading(due=_add_months(c.today, s["m_rel"]))
    return Reading(due=_add_months(c.today, 12 * s["y_rel"]))


def _nth_weekday(s: dict, c: Ctx) -> Reading:
    """12月最后一个周五 / 下个月第一个周一: counted inside the month; without a month, ask."""
    if "wd" not in s or s["wd"][0] is not None or not {"m", "m_rel"} & set(s):
        return _VAGUE
    first = _month_start(s, c, _year(s, c))
    wd, n = s["wd"][1], s["ordinal"]
    if n > 0:
        d = first + timedelta(days=(wd - first.weekday()) % 7 + 7 * (n - 1))
    else:
        last = _last_day(first.year, first.month)
        d = last - timedelta(days=(last.weekday() - wd) % 7)
    if d.month != first.month or d < c.today:
        return _VAGUE                     # 12月第五个周一 does not exist; a passed one: ask
    return Reading(due=d)


def _week_end(s: dict, c: Ctx) -> Reading | None:
    t = c.today
    if "weekend" in s:
        monday = _monday(t, _week_offset(s["weekend"]))
        if s.get("before"):               # 周末前: this week's Friday
            friday = monday + timedelta(days=4)
            return _VAGUE if friday < t else Reading(due=friday)   # on a weekend: which Friday? ask
        return Reading(due=monday + timedelta(days=6))
    off = _week_offset(s["week"]) - bool(s.get("before"))      # 下周前: by the end of this week
    if off < 0:
        return None
    return Reading(due=_monday(t, off) + timedelta(days=4))


def read_phrase(s: dict, c: Ctx) -> Reading | None:
    """One phrase's slots → a reading; None when the phrase is no deadline."""
    if "error" in s:
        raise Impossible(s["error"])
    if "vague" in s:
        return _VAGUE
    if "after" in s and "workend" not in s and ("holiday" not in s and "count" not in s):
        return _VAGUE                     # 12月1日以后, after Friday: a start, not a deadline; ask
    if "holiday" in s:
        if s.get("lastwd"):               # 年前最后一个工作日 = 年前; after a holiday it means nothing
            return _holiday(s, c) if s["holiday"][1] == "before" else _VAGUE
        return _holiday(s, c)
    if s.get("anchored"):
        return _from_anchor(s, c)
    if s.get("needs_anchor"):
        return None                       # 提前3天, 前两天: an amount, no date to count from
    if "lastwd" in s:
        return _VAGUE                     # 最后一个工作日 of what? ask
    if "ordinal" in s:
        return _nth_weekday(s, c)
    if "count" in s:
        r = _count(s, c)
        if r is None or r.due is None:
            return r
        if "wd" in s:                     # 两周后的周五: that weekday in the week the count lands in
            pre, wd = s["wd"]
            return _VAGUE if pre is not None else Reading(due=_monday(r.due) + timedelta(days=wd))
        return r if r.time else replace(r, time=_clock(s, c))     # 3天后的下午: the count's day at that time
    if "delay" in s:
        return _delay(s, c)
    if "nextwd" in s:
        gaps: set[int] = set()
        d = c.cal.next_workday(c.today, gaps=gaps)
        return _GAP if gaps else Reading(due=d, time=_clock(s, c))     # 下个工作日下班前
    y = _year(s, c)
    if "rel" in s and {"week", "m_rel", "y_rel"} & set(s) and "d" not in s:
        r = _same_day_in(s, c)
        return r if r.due is None or r.due >= c.today else _VAGUE
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
    elif s.get("mpart") in _SPAN_PARTS and ("week" in s or "weekend" in s):
        return _VAGUE                     # 下周初, 本周中: a part of a week is a span, like 月初
    elif "wd" in s and "week" in s:       # "Wednesday next week": that weekday of that week
        r = Reading(due=_weekday_date(s["week"], s["wd"][1], c.today))
    elif "weekend" in s or "week" in s:
        r = _week_end(s, c)
    elif "m" in s and "d" not in s:
        if s.get("m_fen"):                # 12月份: within December
            start = _month_start(s, c, y)
            r = Reading(due=_last_day(start.year, start.month))
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
        r = Reading(due=d)
    if r is None or r.due is None:
        return r
    if r.due < c.today and _looks_back(s):
        return _VAGUE                     # 上周五, 上个月底, 去年底: already past, no deadline to hold; ask
    if "shift" in s:                      # "a week from Friday", "3 days from now"
        r = replace(r, due=r.due + timedelta(days=s["shift"]))
    r = replace(r, time=r.time or _clock(s, c))
    if "wd" in s and "d" in s and not _same_weekday(s["wd"], r.due, c.today):
        raise Impossible(f"{r.due.isoformat()} is a {r.due.strftime('%A')}, not the weekday written beside it")
    if "rel" in s and "d" in s and c.today + timedelta(days=s["rel"]) != r.due:
        raise Impossible(f"{r.due.isoformat()} is not the day named beside it")     # 明天（12月4日） on 12-02
    if "note" in s and s["note"] != r.due.weekday():
        raise Impossible(f"{r.due.isoformat()} is a {r.due.strftime('%A')}, not the weekday written beside it")
    return r


def _same_weekday(wd: tuple, due: date, today: date) -> bool:
    """Whether a weekday written beside a date ("12月20日 周日", "下周三（12月9日）") names that date."""
    pre, day = wd
    if pre in (None, "coming"):
        return due.weekday() == day
    return _weekday_date(pre, day, today) == due


def _first_workday(s: dict, c: Ctx) -> Reading:
    """下个月第一个工作日, 下周第一个工作日: the first working day on or after the period's first day."""
    if set(s) <= {"m", "m_rel", "y", "y_rel", "m_fen"} and {"m", "m_rel"} & set(s):
        start = _month_start(s, c, _year(s, c))
    elif set(s) == {"week"}:
        start = _monday(c.today, _week_offset(s["week"]))
    else:
        return _VAGUE                     # 第一个工作日 of what? ask
    gaps: set[int] = set()
    return _counted_day(c.cal.next_workday(start, include_self=True, gaps=gaps), gaps, c)


def _looks_back(s: dict) -> bool:
    """The phrase names its day relative to the past (上周, 上个月, 去年), not by the calendar."""
    return (_week_offset((s.get("wd") or (None, 0))[0]) < 0 or _week_offset(s.get("week")) < 0
            or _week_offset(s.get("weekend")) < 0 or s.get("m_rel", 0) < 0 or s.get("y_rel", 0) < 0)


_ANCHOR_ONLY = ("count", "lastwd", "firstwd", "anchored", "needs_anchor", "before", "after", "from")


def _from_anchor(s: dict, c: Ctx) -> Reading | None:
    """A count or 最后一个工作日 written right after a date counts from that date, not from today:
    "月底前两个工作日" = two working days before the month's end, "下周一后3个工作日" = three after
    next Monday, "本月最后一个工作日" = the month's last working day. Without 前 or 后 the direction is
    unknown: ask."""
    base_slots = {k: v for k, v in s.items() if k not in _ANCHOR_ONLY}
    if s.get("firstwd"):
        return _first_workday(base_slots, c)
    if s.get("lastwd") and {"m", "m_rel"} & set(s) and not {"d", "mpart"} & set(s):
        base_slots["mpart"] = "底"         # 本月最后一个工作日: the month is counted from its end
    elif s.get("lastwd") and set(base_slots) <= {"y", "y_rel"}:
        base_slots["ypart"] = "底"         # 今年最后一个工作日: the year's
    base = read_phrase(base_slots, c)
    if base is None or base.due is None:
        return base
    gaps: set[int] = set()
    if s.get("lastwd"):
        end = base.due
        if "week" in s or "weekend" in s:
            end = _monday(end) + timedelta(days=6)     # a 调休 Saturday can be the week's last working day
        d = end if c.cal.is_workday(end, gaps) else c.cal.add_workdays(end, -1, gaps)
    else:
        n, unit = s["count"]
        sign = -1 if s.get("before") else 1 if s.get("after") else 0
        if not sign or unit == "hours" or not 0 < n <= 999:
            return _VAGUE
        # 自X起N个工作日内: X itself is not counted (开始的当日不计入, 民法典第201条), as today is not in
        # "3个工作日内", so 从今天起3个工作日内 and 3个工作日内 are the same day
        d = _move(base.due, sign * n, unit, c.cal, gaps)
    return _counted_day(d, gaps, c)


def _time_only(s: dict) -> bool:
    """A phrase with only a time is today's deadline when it is clearly one (下班前, EOD, 下午3点, 5pm)."""
    if "workend" in s or "workstart" in s:
        return True
    if "clock" in s:
        return bool(s.get("daypart") or s.get("before") or s["clock"][2])
    return s.get("daypart") in ("上午", "中午") and bool(s.get("before"))     # 中午前, 上午之前
