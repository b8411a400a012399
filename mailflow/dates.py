"""Deadlines as people write them, and China's working-day calendar.

Pure: no disk, network or clock. ``now`` is always a parameter (Asia/Shanghai aware, or naive meaning
Shanghai local time); the only I/O is :func:`load_holidays`, which reads ``rules/holidays.yaml``.

Working days follow the State Council's arrangement with 调休 (``chinese_calendar``), plus the
operator's ``rules/holidays.yaml``. For a year that neither knows (2027 until it is published and
added), Monday–Friday are counted and the year is reported as a *gap*: every ``WorkCalendar`` method
that looks at a date accepts ``gaps``, a set owned by the caller, into which it adds the year. The
calendar itself is immutable, so one instance can be shared between threads.

Resolution rules (see ``tests/test_dates.py`` for the full table, in the users' words):

* "X前 / X之前 / by X / before X" means *by the end of day X* (前 is never "ago").
* A month-day without a year that is already past rolls to next year (8月15日前 written in
  November is next August). ``本周五`` stays in this week even when it has passed; a bare ``周五``
  is the next Friday, today included; ``下周一`` is Monday of next week (weeks start on Monday);
  English ``next Monday`` is read like 下周一, ``this Friday`` like 本周五.
* 下班前 / EOD / COB / 下午 give ``time`` 18:00 (:data:`WORKDAY_END`); 上午 / 中午 give 12:00;
  an explicit hour without 上午/下午 between 1 and 7 is read as afternoon (3点前 → 15:00).
* N个工作日内 / within N business days: the N-th working day after today (today not counted).
  N天内 / N周内 / N个月内: calendar days/weeks/months from today.
* 月底 → last day of the month, 月初 → the 5th, 月中 → the 15th, 上旬 → the 10th, 中旬 → the 20th,
  下旬 → the last day; 年中 / 上半年 → 30 June; 年底 → 31 December; Q4末 / 季度末 → end of quarter.
  本周内 / 下周 (no weekday) → Friday of that week.
* 推迟3天 / push it back 3 days: ``due`` is counted from *now* (the resolver does not know the
  task), and ``delay`` carries the shift so that the caller can apply it to the current due date
  with :func:`apply_delay`.
* Vague expressions (尽快, 待定, 近期, ASAP, TBD, soon…), a date hedged with 大概/左右/around, and
  ambiguous ones (12月前, Q4前: "before December starts" or "by its end"?) come back with
  ``vague=True, due=None``: never guessed.
* "12月" is never a duration; durations in months need 个 (3个月内).
"""

from __future__ import annotations

import calendar as _calendar
import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKDAY_END = time(18, 0)      # 下班前 / EOD / COB / 下午
MORNING_END = time(12, 0)      # 上午 / 中午
MAX_WORKDAY_STEP = 10_000      # a guard against absurd counts

# ---------------------------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------------------------

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


class WorkCalendar:
    """China's working days (法定节假日 + 调休) from ``chinese_calendar`` plus operator extras.

    ``extra`` is the parsed holidays.yaml: ``{"years": {2027: {"holidays": [...], "workdays": [...]}}}``.
    A year listed there counts as known; its entries are added to (and override) the package's.
    Methods taking ``gaps`` add to it every year they had to guess (Monday–Friday) for.
    """

    __slots__ = ("_off", "_on", "_years")

    def __init__(self, extra: dict | None = None):
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

    @property
    def years(self) -> frozenset[int]:
        return self._years

    def has_data(self, year: int) -> bool:
        return year in self._years

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

# ---------------------------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------------------------


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
    due: date | None        # None when vague
    time: time | None       # 18:00 for 下班前 / EOD; None when only a day is given (end of that day)
    vague: bool             # 尽快, 待定, 近期, ASAP, TBD, 大概…, 12月前 (ambiguous)
    calendar_gap: bool      # a working-day count crossed a year without calendar data
    delay: Delay | None = None  # 推迟3天: the shift itself; ``due`` is then counted from now


def apply_delay(deadline: Deadline, current_due: date, cal: WorkCalendar | None = None) -> Deadline:
    """Re-anchor a relative delay (推迟3天) on the task's current due date instead of today."""
    if deadline.delay is None:
        return deadline
    gaps: set[int] = set()
    due = deadline.delay.apply(current_due, cal, gaps)
    return replace(deadline, due=due, calendar_gap=bool(gaps))


def _local(now: datetime | date) -> datetime:
    if not isinstance(now, datetime):
        return datetime(now.year, now.month, now.day)
    if now.tzinfo is not None:
        return now.astimezone(SHANGHAI).replace(tzinfo=None)
    return now


def _last_day(y: int, m: int) -> int:
    return _calendar.monthrange(y, m)[1]


def _add_months(d: date, n: int) -> date:
    idx = d.year * 12 + d.month - 1 + n
    y, m = divmod(idx, 12)
    m += 1
    return date(y, m, min(d.day, _last_day(y, m)))


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


# --- numbers ---------------------------------------------------------------------------------

_CN_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_EN_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15,
           "twenty": 20, "thirty": 30}


@lru_cache(maxsize=1024)
def _num(s: str) -> int | None:
    s = s.strip()
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    low = s.lower()
    if low in _EN_NUM:
        return _EN_NUM[low]
    # imported on first use: cn2an builds all its converters at import (~0.1 s), and most
    # processes (the CLI, replies without Chinese numerals) never need it
    from cn2an import cn2an
    try:
        return int(cn2an(s.replace("兩", "两"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _year_num(s: str) -> int | None:
    s = s.replace(" ", "").rstrip("年")
    if s.isdigit() and s.isascii():
        return int(s)
    if all(c in _CN_DIGIT for c in s):
        return int("".join(str(_CN_DIGIT[c]) for c in s))
    return None


# --- time of day -----------------------------------------------------------------------------

_HN = r"(?:\d{1,2}|[一二两兩三四五六七八九十]{1,3})"
_TOD = (
    r"(?:(?:上午|早上|早晨|中午|下午|傍晚|晚上)\s*)?" + _HN
    + r"\s*(?:[:：]\s*\d{2}|[点點](?:\s*半|\s*(?:\d{1,2}|[一二三四五]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*分)?)"
    r"|下班|收工|上午|早上|早晨|中午|下午|傍晚|晚上"
    r"|(?i:eod\b|cob\b|end\s+of\s+(?:the\s+)?day|close\s+of\s+business|noon|\d{1,2}(?::\d{2})?\s*[ap]\.?m\b\.?)"
)
_BY = r"(?:之前|以前|为止|為止|截止|前|止)(?![后後])"
_TAIL = r"(?P<tail>(?:\s*(?:的\s*)?(?:" + _TOD + r"))?(?:\s*" + _BY + r")?)"

_TOD_CLOCK = re.compile(
    r"(?P<ap>上午|早上|早晨|中午|下午|傍晚|晚上)?\s*(?P<h>" + _HN + r")\s*(?:[:：]\s*(?P<mm>\d{2})|[点點]\s*(?:(?P<half>半)|(?P<mi>[\d一二三四五六七八九十]+)\s*分)?)"
)
_TOD_EN = re.compile(r"(?P<h>\d{1,2})(?::(?P<mm>\d{2}))?\s*(?P<ap>[ap])\.?m", re.I)


def _time_of(tail: str | None) -> time | None:
    if not tail:
        return None
    t = tail.strip()
    if not t:
        return None
    low = t.lower()
    m = _TOD_EN.search(low)
    if m:
        h = int(m.group("h")) % 12 + (12 if m.group("ap") == "p" else 0)
        mm = int(m.group("mm") or 0)
        return time(h, mm) if h < 24 and mm < 60 else None
    m = _TOD_CLOCK.search(t)
    if m:
        h = _num(m.group("h"))
        if h is None:
            return None
        mm = 30 if m.group("half") else int(m.group("mm") or 0) if m.group("mm") else (_num(m.group("mi")) or 0) if m.group("mi") else 0
        ap = m.group("ap")
        if ap in ("下午", "傍晚", "晚上") and h < 12:
            h += 12
        elif ap == "中午" and h < 6:
            h += 12
        elif ap is None and 1 <= h <= 7:
            h += 12          # 3点前 in an office means 15:00
        if h == 24 and mm == 0:
            return time(23, 59)
        return time(h, mm) if h < 24 and mm < 60 else None
    if any(k in low for k in ("下班", "收工", "eod", "cob", "end of", "close of", "下午", "傍晚")):
        return WORKDAY_END
    if any(k in low for k in ("上午", "早上", "早晨", "中午", "noon")):
        return MORNING_END
    return None


# --- patterns --------------------------------------------------------------------------------

_CNN = "零〇一二两兩三四五六七八九十"
_N = r"(?:\d{1,3}|[" + _CNN + r"]{1,3})"
# a number starts here and does not continue one (digits after digits, numerals after numerals)
_NB = r"(?:(?<!\d)(?=\d)|(?<![" + _CNN + r"])(?=[" + _CNN + r"]))"
_YR = r"(?P<yr>今年|本年|明年|后年|後年|(?:19|20)\d{2}\s*年|二[〇零○][〇零○一二三四五六七八九]{2}\s*年)"
_WEEK = r"(?:周|週|星期|礼拜|禮拜)"
_WD = r"(?P<wd>[一二三四五六日天1-7])"
_PRE_W = r"(?P<pre>下下个|下下個|下下|下个|下個|下|本|这个|這個|这|這|上个|上個|上)"
_PRE_M = r"(?P<rel>下下个|下下個|下下|下个|下個|下|本|这个|這個|这|這|当|當)"
_WITHIN = r"(?:之内|之內|以内|以內|内|內)"
_AFTER = r"(?:之后|之後|以后|以後|后|後)"


def _en_month(name: str) -> str:
    return (rf"(?P<{name}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
            r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")


_EN_WDAY = r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thurs?|thu|fri)"
_EN_N = r"(?P<n>\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|a|an)"

_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
           "oct": 10, "nov": 11, "dec": 12}
_WEEKDAYS_EN = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEKDAYS_CN = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}


class _Ctx:
    __slots__ = ("now", "today", "cal", "gaps")

    def __init__(self, now: datetime, cal: WorkCalendar):
        self.now = now
        self.today = now.date()
        self.cal = cal
        self.gaps: set[int] = set()


# A handler returns (due, time, vague, delay) or None when the match is not a real deadline.
_Res = tuple[date | None, time | None, bool, Delay | None]
_VAGUE: _Res = (None, None, True, None)


def _day(d: date | None, m: re.Match) -> _Res | None:
    if d is None:
        return None
    return (d, _time_of(m.groupdict().get("tail")), False, None)


def _yr_value(yr: str | None, today: date) -> int | None:
    if not yr:
        return None
    yr = yr.replace(" ", "")
    if yr in ("今年", "本年"):
        return today.year
    if yr == "明年":
        return today.year + 1
    if yr in ("后年", "後年"):
        return today.year + 2
    return _year_num(yr)


def _month_day(y: int | None, mo: int | None, d: int | None, today: date) -> date | None:
    if mo is None or d is None or not 1 <= mo <= 12:
        return None
    if y is not None:
        return _safe_date(y, mo, d)
    cand = _safe_date(today.year, mo, d)
    if cand is None:                      # 2月29日 in a common year: the next year that has it
        for k in range(1, 5):
            cand = _safe_date(today.year + k, mo, d)
            if cand is not None:
                return cand
        return None
    if cand < today:                      # already past: next year
        cand = _safe_date(today.year + 1, mo, d) or _safe_date(today.year + 1, mo, d - 1)
    return cand


def _h_iso(m, c):
    return _day(_safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d"))), m)


def _h_us(m, c):
    mo, d, y = int(m.group("m")), int(m.group("d")), int(m.group("y"))
    if mo > 12 and d <= 12:
        mo, d = d, mo
    return _day(_safe_date(y, mo, d), m)


_FRACTION_BEFORE = re.compile(r"(?:完成|进度|進度|进展|進展|(?i:progress|done))\s*[:：]?\s*$")


def _h_slash(m, c):
    if _FRACTION_BEFORE.search(m.string, max(0, m.start() - 12), m.start()):
        return None                       # 完成 1/2 is a fraction, not 1月2日
    return _day(_month_day(None, int(m.group("m")), int(m.group("d")), c.today), m)


def _h_md_cn(m, c):
    return _day(_month_day(_yr_value(m.group("yr"), c.today), _num(m.group("m")), _num(m.group("d")), c.today), m)


def _month_offset(rel: str) -> int:
    if rel.startswith("下下"):
        return 2
    if rel.startswith("下"):
        return 1
    return 0


def _h_rel_month_day(m, c):
    base = _add_months(c.today.replace(day=1), _month_offset(m.group("rel")))
    d = _num(m.group("d"))
    return _day(_safe_date(base.year, base.month, d) if d else None, m)


_NO_DAY_AFTER = re.compile(r"\s*(?:楼|樓|会议室|會議室|线|線|文件|附件|方案|项|項|任务|任務|门|門|窗口|机|機|位|人|床|车|車|店)")


def _h_day_only(m, c):
    if _NO_DAY_AFTER.match(m.string, m.end()):
        return None                       # 3号楼, 5号会议室: a number, not a day
    d = _num(m.group("d"))
    if not d or d > 31:
        return None
    t = c.today
    cand = _safe_date(t.year, t.month, d)
    if cand is None or cand < t:
        nxt = _add_months(t.replace(day=1), 1)
        cand = _safe_date(nxt.year, nxt.month, d)
    return _day(cand, m)


_PART_DAY = {"初": 5, "上旬": 10, "中": 15, "中旬": 20}


def _part_date(y: int, mo: int, part: str) -> date:
    if part in _PART_DAY:
        return date(y, mo, _PART_DAY[part])
    return date(y, mo, _last_day(y, mo))   # 底 末 内 份 下旬


def _h_month_part(m, c):
    part = m.group("part")
    if part in ("前", "之前", "以前"):
        return _VAGUE                     # 12月前: before December, or by its end? ask.
    part = {"內": "内", "之内": "内", "之內": "内"}.get(part, part)
    t = c.today
    y = _yr_value(m.group("yr"), t)
    if m.group("rel"):
        base = _add_months(t.replace(day=1), _month_offset(m.group("rel")))
        if y is not None and y != base.year:
            return None
        return _day(_part_date(base.year, base.month, part), m)
    mo = _num(m.group("m"))
    if not mo or not 1 <= mo <= 12:
        return None
    if y is None:
        y = t.year if mo >= t.month else t.year + 1
    return _day(_part_date(y, mo, part), m)


def _h_bare_month(m, c):
    part = {"內": "内"}.get(m.group("part"), m.group("part"))
    t = c.today
    d = _part_date(t.year, t.month, part)
    if d < t:                             # 月初 written on the 20th: next month's
        nxt = _add_months(t.replace(day=1), 1)
        d = _part_date(nxt.year, nxt.month, part)
    return _day(d, m)


def _quarter_end(y: int, q: int) -> date:
    mo = q * 3
    return date(y, mo, _last_day(y, mo))


def _h_quarter(m, c):
    part = m.group("part") or ""
    if part in ("前", "之前", "以前"):
        return _VAGUE                     # Q4前: before Q4 starts, or by its end? ask.
    q = int(m.group("q")) if m.group("q") else _num(m.group("qc"))
    if not q or not 1 <= q <= 4:
        return None
    t = c.today
    y = _yr_value(m.group("yr"), t)
    if y is None:
        y = t.year if _quarter_end(t.year, q) >= t else t.year + 1
    return (_quarter_end(y, q), None, False, None)


def _h_cur_quarter(m, c):
    t = c.today
    q = (t.month - 1) // 3 + 1
    y = t.year
    if (m.group("rel") or "").startswith("下"):
        q += 1
        if q == 5:
            q, y = 1, y + 1
    return (_quarter_end(y, q), None, False, None)


def _h_year_part(m, c):
    t = c.today
    y = _yr_value(m.group("yr"), t) or t.year
    s = m.group(0)
    if "上半" in s or s.endswith("中") or "年中" in s:
        return (date(y, 6, 30), None, False, None)
    return (date(y, 12, 31), None, False, None)


def _week_monday(t: date, offset_weeks: int) -> date:
    return t - timedelta(days=t.weekday()) + timedelta(weeks=offset_weeks)


def _week_offset(pre: str | None) -> int | None:
    if not pre:
        return None
    if pre.startswith("下下"):
        return 2
    if pre.startswith("下"):
        return 1
    if pre.startswith("上"):
        return -1
    return 0


def _h_weekday(m, c):
    wd = _WEEKDAYS_CN[m.group("wd")]
    off = _week_offset(m.group("pre"))
    t = c.today
    if off is None:                       # bare 周五: the next Friday, today included
        d = t + timedelta(days=(wd - t.weekday()) % 7)
    else:
        d = _week_monday(t, off) + timedelta(days=wd)
    return _day(d, m)


def _h_week(m, c):
    pre, part = m.group("pre"), m.group("part") or ""
    off = _week_offset(pre) or 0
    if part in ("前", "之前", "以前"):
        off -= 1                          # 下周前: by the end of this week
    if off < 0:
        return None
    return (_week_monday(c.today, off) + timedelta(days=4), None, False, None)


_RELDAY = {"今天": 0, "今日": 0, "今晚": 0, "当天": 0, "當天": 0, "当日": 0, "當日": 0, "明天": 1,
           "明日": 1, "明早": 1, "明晚": 1, "次日": 1, "第二天": 1, "后天": 2, "後天": 2, "大后天": 3, "大後天": 3}


def _h_relday(m, c):
    rd = m.group("rd")
    d = c.today + timedelta(days=_RELDAY[rd])
    tm = _time_of(m.group("tail"))
    if tm is None and rd == "明早":
        tm = MORNING_END
    return (d, tm, False, None)


def _h_eod_cn(m, c):
    return (c.today, WORKDAY_END, False, None)


def _h_next_wd(m, c):
    return _day(c.cal.next_workday(c.today, gaps=c.gaps), m)


def _h_workdays(m, c):
    n = _num(m.group("n"))
    if not n or n > 366:
        return None
    return (c.cal.add_workdays(c.today, n, c.gaps), None, False, None)


def _unit(u: str) -> str:
    u = u.replace("个", "").replace("個", "").replace(" ", "")
    if "工作日" in u:
        return "workdays"
    if u in ("周", "週", "星期", "礼拜", "禮拜"):
        return "weeks"
    if u == "月":
        return "months"
    if u in ("小时", "小時"):
        return "hours"
    return "days"


def _shift(c: _Ctx, n: int, unit: str) -> tuple[date, time | None]:
    if unit == "workdays":
        return c.cal.add_workdays(c.today, n, c.gaps), None
    if unit == "weeks":
        return c.today + timedelta(weeks=n), None
    if unit == "months":
        return _add_months(c.today, n), None
    if unit == "hours":
        at = c.now + timedelta(hours=n)
        return at.date(), time(at.hour, at.minute)
    return c.today + timedelta(days=n), None


def _count(m) -> tuple[int, str] | None:
    """(n, unit) of "3天" / "两个工作日" / "半个月" (15 days); None for a count that is no deadline."""
    raw = m.group("n")
    unit = _unit(m.group("u"))
    if raw == "半":
        return (15, "days") if unit == "months" else None
    n = _num(raw)
    if not n or n > 999:
        return None
    return n, unit


def _delayed(c: _Ctx, n: int, unit: str) -> _Res | None:
    """推迟3天 / push back 3 days: counted from today, the shift kept (weeks as days; never hours)."""
    if unit == "weeks":
        n, unit = n * 7, "days"
    if unit == "hours":
        return None
    d, _ = _shift(c, n, unit)
    return (d, None, False, Delay(n, unit))


def _h_duration(m, c):
    count = _count(m)
    if count is None:
        return None
    d, tm = _shift(c, *count)
    return (d, tm, False, None)


def _h_delay(m, c):
    count = _count(m)
    return _delayed(c, *count) if count else None


def _h_vague(m, c):
    return _VAGUE


# English ------------------------------------------------------------------------------------


def _en_mon(s: str) -> int:
    return _MONTHS[s[:3].lower()]


def _h_en_md(m, c):
    y = int(m.group("y")) if m.group("y") else None
    return _day(_month_day(y, _en_mon(m.group("mon")), int(m.group("d")), c.today), m)


def _en_weekday(m, t: date) -> date:
    """The day of "Friday" / "this Friday" / "next Friday" / "coming Friday" (groups wd, pre)."""
    wd = _WEEKDAYS_EN[m.group("wd")[:3].lower()]
    pre = (m.group("pre") or "").lower()
    if pre == "this":
        return _week_monday(t, 0) + timedelta(days=wd)
    if pre == "next":
        return _week_monday(t, 1) + timedelta(days=wd)
    d = t + timedelta(days=(wd - t.weekday()) % 7)   # Friday / coming Friday / the following Friday
    if pre and d == t:
        d += timedelta(days=7)
    return d


def _h_en_wd(m, c):
    return _day(_en_weekday(m, c.today), m)


def _h_en_rel(m, c):
    rd = re.sub(r"\s+", " ", m.group("rd").lower())
    off = {"today": 0, "tonight": 0, "tomorrow": 1, "tmr": 1, "tmrw": 1, "the day after tomorrow": 2}[rd]
    return _day(c.today + timedelta(days=off), m)


def _h_en_eod(m, c):
    t = c.today
    if m.group("rd"):
        d = t + timedelta(days=0 if m.group("rd").lower() == "today" else 1)
    elif m.group("wd"):
        d = _en_weekday(m, t)
    else:
        d = t
    return (d, WORKDAY_END, False, None)


def _h_en_end(m, c):
    t = c.today
    rel = (m.group("rel") or "").lower()
    what = m.group("what").lower()
    nxt = rel == "next"
    if what == "week":
        return (_week_monday(t, 1 if nxt else 0) + timedelta(days=4), None, False, None)
    if what == "month":
        b = _add_months(t.replace(day=1), 1 if nxt else 0)
        return (date(b.year, b.month, _last_day(b.year, b.month)), None, False, None)
    if what == "quarter":
        q = (t.month - 1) // 3 + 1 + (1 if nxt else 0)
        y = t.year + (1 if q == 5 else 0)
        return (_quarter_end(y, 1 if q == 5 else q), None, False, None)
    if what == "year":
        return (date(t.year + (1 if nxt else 0), 12, 31), None, False, None)
    if what.startswith("q"):
        q = int(what[1])
        y = t.year if _quarter_end(t.year, q) >= t else t.year + 1
        return (_quarter_end(y, q), None, False, None)
    if what.isdigit():
        return (date(int(what), 12, 31), None, False, None)
    mo = _en_mon(what)
    y = t.year if mo >= t.month else t.year + 1
    return (date(y, mo, _last_day(y, mo)), None, False, None)


def _h_en_abbr(m, c):
    t = c.today
    a = m.group(0).lower().replace("-", "").replace(" ", "")
    if a == "eow":
        return (_week_monday(t, 0) + timedelta(days=4), None, False, None)
    if a == "eom":
        return (date(t.year, t.month, _last_day(t.year, t.month)), None, False, None)
    if a == "eoq":
        return (_quarter_end(t.year, (t.month - 1) // 3 + 1), None, False, None)
    return (date(t.year, 12, 31), None, False, None)   # eoy, year end


def _h_en_qend(m, c):
    q = int(m.group("q"))
    t = c.today
    y = t.year if _quarter_end(t.year, q) >= t else t.year + 1
    return (_quarter_end(y, q), None, False, None)


def _h_en_part(m, c):
    t = c.today
    when = m.group("when").lower()
    part = {"early": "初", "mid": "中", "late": "底"}[when]
    if m.group("mon"):
        mo = _en_mon(m.group("mon"))
        y = t.year if mo >= t.month else t.year + 1
        return (_part_date(y, mo, part), None, False, None)
    b = _add_months(t.replace(day=1), 1 if m.group("rel") else 0)
    return (_part_date(b.year, b.month, part), None, False, None)


def _h_en_week(m, c):
    nxt = m.group(0).lower().startswith("next")
    return (_week_monday(c.today, 1 if nxt else 0) + timedelta(days=4), None, False, None)


def _h_en_next_wd(m, c):
    return (c.cal.next_workday(c.today, gaps=c.gaps), None, False, None)


def _en_unit(m) -> str:
    u = m.group("u").lower().rstrip("s")
    if u == "day" and m.group("bus"):
        return "workdays"
    return {"day": "days", "week": "weeks", "month": "months", "hour": "hours"}[u]


def _h_en_dur(m, c):
    n = _num(m.group("n"))
    if not n or n > 999:
        return None
    d, tm = _shift(c, n, _en_unit(m))
    return (d, tm, False, None)


def _h_en_delay(m, c):
    n = _num(m.group("n"))
    if not n or n > 999:
        return None
    return _delayed(c, n, _en_unit(m))


_RULES_SRC: list[tuple[str, str, Callable, int]] = [
    # name, pattern, handler, flags
    ("iso", r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?![\d.])"
            + _TAIL, _h_iso, 0),
    ("us", r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d{2})(?![\d/])" + _TAIL, _h_us, 0),
    ("md_cn", r"(?:" + _YR + r"\s*)?" + _NB + r"(?P<m>" + _N + r")\s*月\s*" + _NB + r"(?P<d>" + _N
              + r")\s*(?:[日号號]|(?=\s*" + _BY + r"))" + _TAIL, _h_md_cn, 0),
    ("rel_month_day", _PRE_M + r"\s*(?:个|個)?\s*月\s*(?P<d>" + _N + r")\s*[日号號]" + _TAIL, _h_rel_month_day, 0),
    ("month_part", r"(?:" + _YR + r"\s*)?(?:" + _PRE_M + r"\s*月|" + _NB + r"(?P<m>" + _N + r")\s*月份?)"
                   r"(?P<part>底|末|初|上旬|中旬|下旬|中(?=\s*" + _BY + r")|之内|之內|内|內|份|之前|以前|前(?![后後]))"
                   + _TAIL, _h_month_part, 0),
    ("bare_month", r"(?<![\d" + _CNN + r"个個上下本这這当當份])月(?P<part>底|末|初|上旬|中旬|下旬|中(?=\s*" + _BY
                   + r")|内|內)" + _TAIL, _h_bare_month, 0),
    ("slash", r"(?<![\d/.])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/%])" + _TAIL, _h_slash, 0),
    ("day_only", _NB + r"(?<![月第])(?P<d>" + _N + r")\s*(?:[号號]|日(?=\s*(?:" + _BY + r"|下班)))" + _TAIL,
     _h_day_only, 0),
    ("quarter", r"(?:" + _YR + r"\s*)?(?:(?<![A-Za-z])[Qq](?P<q>[1-4])(?!\d)|第?(?P<qc>[一二三四1-4])\s*季度)"
                r"\s*(?P<part>末|底|结束|結束|之内|之內|内|內|之前|以前|前(?![后後]))?", _h_quarter, 0),
    ("cur_quarter", r"(?:(?P<rel>本|这个|這個|这|這|当前|當前|下个|下個|下)\s*)?(?:季度|季)(?P<part>末|底|之内|之內|内|內)",
     _h_cur_quarter, 0),
    ("year_part", r"(?:" + _YR + r"\s*(?:年?(?:底|末|终|終|中)|年?(?:度)?" + _WITHIN
                  + r"|上半年|下半年))|(?<![今本明后後去前\d])(?:年底|年末|年终|年終|年中|年内|年內|上半年|下半年)",
     _h_year_part, 0),
    ("weekday", r"(?:" + _PRE_W + r"\s*)?" + _WEEK + _WD + _TAIL, _h_weekday, 0),
    ("week", _PRE_W + r"\s*" + _WEEK + r"(?![一二三四五六日天1-7])\s*(?P<part>之内|之內|内|內|之前|以前|前(?![后後])|末|底)?",
     _h_week, 0),
    ("next_wd", r"下一?(?:个|個)?\s*工作日", _h_next_wd, 0),
    ("workdays", _NB + r"(?P<n>" + _N + r")\s*(?:个|個)?\s*工作日\s*(?:" + _WITHIN + "|" + _AFTER + r")?",
     _h_workdays, 0),
    ("duration", r"(?:" + _NB + r"|(?=半))(?P<n>" + _N + r"|半)\s*(?P<u>(?:个|個)?\s*(?:星期|礼拜|禮拜|小时|小時)|周|週|天|日|(?:个|個)\s*月)\s*(?:"
                 + _WITHIN + "|" + _AFTER + ")", _h_duration, 0),
    ("delay", r"(?:推迟|推遲|延期|延后|延後|顺延|順延|延长|延長|延迟|延遲|往后推|往後推|后延|後延|宽限|寬限|多给我|多給我|多给|多給"
              r"|再给我|再給我|再给|再給|还需要|還需要|还需|還需|需要再|再要|晚)\s*(?:了|大概|大约|大約)?\s*"
              r"(?P<n>" + _N + r"|半)\s*(?P<u>(?:个|個)?\s*工作日|(?:个|個)?\s*(?:星期|礼拜|禮拜)|周|週|天|日|(?:个|個)\s*月)",
     _h_delay, 0),
    ("relday", r"(?P<rd>大后天|大後天|今天|今日|今晚|当天|當天|当日|當日|明天|明日|明早|明晚|次日|第二天|后天|後天)" + _TAIL,
     _h_relday, 0),
    ("eod_cn", r"下班(?:之前|以前|前)", _h_eod_cn, 0),
    ("vague", r"尽快|儘快|盡快|尽早|儘早|盡早|越快越好|待定|待确定|待確定|待商定|另行通知|另定|再定|再议|再議|近期|近日|择期|擇期"
              r"|改天|回头|回頭|过段时间|過段時間|过几天|過幾天|有空|抽空|大概|大约|大約|差不多|不确定|不確定|说不准|說不準"
              r"|看情况|看情況", _h_vague, 0),
    # English
    ("en_md", r"\b" + _en_month("mon") + r"\b\.?\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(?P<y>(?:19|20)\d{2})\b)?"
              + _TAIL, _h_en_md, re.I),
    ("en_dm", r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _en_month("mon") + r"\b\.?(?:,?\s*(?P<y>(?:19|20)\d{2})\b)?"
              + _TAIL, _h_en_md, re.I),
    ("en_eod", r"\b(?:eod|cob|end\s+of\s+(?:the\s+)?(?:business\s+)?day|close\s+of\s+(?:business|play))\b"
               r"(?:\s+(?:on\s+)?(?:(?:(?P<pre>this|next)\s+)?" + _EN_WDAY + r"|(?P<rd>today|tomorrow))\b)?",
     _h_en_eod, re.I),
    ("en_wd", r"\b(?:(?P<pre>this|next|coming|the\s+following|following)\s+)?" + _EN_WDAY + r"\b\.?" + _TAIL,
     _h_en_wd, re.I),
    ("en_rel", r"\b(?P<rd>the\s+day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw|tmr)\b" + _TAIL, _h_en_rel, re.I),
    ("en_end", r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?(?:(?P<rel>this|next|current)\s+)?(?P<what>month|week|quarter|year"
               r"|q[1-4]|(?:19|20)\d{2}|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
               r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b", _h_en_end, re.I),
    ("en_abbr", r"\b(?:eow|eom|eoq|eoy|year[- ]end)\b", _h_en_abbr, re.I),
    ("en_qend", r"\b[Qq](?P<q>[1-4])[\s-]*end\b", _h_en_qend, re.I),
    ("en_part", r"\b(?P<when>early|mid|late)[- ]?(?:(?P<rel>next)\s+month|this\s+month|month|" + _en_month("mon") + r")\b",
     _h_en_part, re.I),
    ("en_week", r"\b(?:(?:by\s+)?(?:the\s+)?end\s+of\s+)?(?:this|next)\s+week\b|\bwithin\s+the\s+week\b", _h_en_week, re.I),
    ("en_next_wd", r"\bnext\s+(?:business|working|work)\s+day\b", _h_en_next_wd, re.I),
    ("en_dur", r"\b(?:within|in|inside(?:\s+of)?|over)\s+(?:the\s+next\s+)?" + _EN_N
               + r"\s+(?P<bus>business\s+|working\s+|work\s+)?(?P<u>days?|weeks?|months?|hours?)\b", _h_en_dur, re.I),
    ("en_bdays", r"\b" + _EN_N + r"\s+(?P<bus>business|working)\s+(?P<u>days?)\b", _h_en_dur, re.I),
    ("en_delay", r"\b(?:push(?:ed|ing)?(?:\s+(?:it|this|that))?\s+back|postpone[ds]?(?:\s+(?:it|this|that))?"
                 r"|delay(?:ed)?(?:\s+(?:it|this|that))?|extend(?:ed)?(?:\s+(?:it|this|that|the\s+deadline))?"
                 r"|need|another)\s+(?:by\s+)?(?:another\s+)?" + _EN_N
                 + r"\s+(?:more\s+|extra\s+)?(?P<bus>business\s+|working\s+)?(?P<u>days?|weeks?)\b", _h_en_delay, re.I),
    ("en_more", r"\b" + _EN_N + r"\s+(?:more|extra)\s+(?P<bus>business\s+|working\s+)?(?P<u>days?|weeks?)\b",
     _h_en_delay, re.I),
    ("en_vague", r"\b(?:asap|a\.s\.a\.p\.?|tbd|tbc|tba|to\s+be\s+(?:determined|confirmed|decided|announced)"
                 r"|as\s+soon\s+as\s+(?:possible|i\s+can|we\s+can)|soon|shortly|when(?:ever)?\s+possible"
                 r"|at\s+(?:your|my|our)\s+earliest\s+convenience|in\s+the\s+near\s+future)(?![\w])", _h_vague, re.I),
]

_RULES = [(name, re.compile(src, flags), handler) for name, src, handler, flags in _RULES_SRC]

# A date hedged with 大概 / 左右 / around is vague; it must be a concrete date to be a deadline.
_HEDGE_BEFORE = re.compile(r"(?:大概|大约|大約|差不多|可能|估计|估計|(?<![预預])[约約]|(?i:roughly|around|approximately|maybe|probably|possibly))"
                           r"\s*(?:在|于|於|是)?\s*$")
_HEDGE_AFTER = re.compile(r"\s*(?:左右|前后|前後|上下|(?i:or\s+so\b|-?ish\b))")
_HEDGEABLE = {"iso", "us", "md_cn", "rel_month_day", "month_part", "bare_month", "slash", "weekday", "relday",
              "en_md", "en_dm", "en_wd", "en_rel", "day_only"}

# Characters mapped one-to-one (spans stay valid): full-width digits, letters and punctuation.
_NORMALIZE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                            **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
                            **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
                            "／": "/", "－": "-", "．": ".", "\u3000": " ", "～": "~", "，": ","})
_TRIGGER = re.compile(r"[\d" + _CNN + r"月周週星期礼禮拜天日早晚班季年尽儘盡待另再近择擇改回过過有抽大差不说說看QqA-Za-z]")


def _scan(text: str, now: datetime, cal: WorkCalendar | None) -> list[tuple[int, int, Deadline]]:
    if not text:
        return []
    norm = text.translate(_NORMALIZE)
    if not _TRIGGER.search(norm):
        return []
    local = _local(now)
    cal = cal or DEFAULT_CALENDAR
    cands: list[tuple[int, int, int, Deadline]] = []
    for order, (name, rx, handler) in enumerate(_RULES):
        for m in rx.finditer(norm):
            s, e = m.span()
            while e > s and norm[e - 1].isspace():
                e -= 1
            if e <= s:
                continue
            ctx = _Ctx(local, cal)
            res = handler(m, ctx)
            if res is None:
                continue
            due, tm, vague, delay = res
            if name in _HEDGEABLE and not vague:
                hb = _HEDGE_BEFORE.search(norm, max(0, s - 16), s)
                ha = _HEDGE_AFTER.match(norm, e)
                if hb or ha:
                    if hb:
                        s = hb.start()
                    if ha:
                        e = ha.end()
                    due, tm, vague = None, None, True
            dl = Deadline(text=text[s:e], due=due, time=tm, vague=vague,
                          calendar_gap=bool(ctx.gaps) and not vague, delay=delay)
            cands.append((s, e, order, dl))
    cands.sort(key=lambda x: (x[0], x[0] - x[1], x[2]))
    out: list[tuple[int, int, Deadline]] = []
    last = 0
    for s, e, _, dl in cands:
        if s >= last:
            out.append((s, e, dl))
            last = e
    return _merge_ranges(norm, text, out)


_RANGE_SEPS = frozenset({"至", "到", "~", "-", "—", "–", "to", "until", "till"})


def _merge_ranges(norm: str, text: str, hits: list[tuple[int, int, Deadline]]) -> list[tuple[int, int, Deadline]]:
    """"11月20日至11月30日": a plan's range; the deadline is its end."""
    if len(hits) < 2:
        return hits
    out = [hits[0]]
    for s, e, dl in hits[1:]:
        ps, pe, pdl = out[-1]
        if (pdl.due and dl.due and not pdl.delay and not dl.delay and dl.due >= pdl.due
                and norm[pe:s].strip().lower() in _RANGE_SEPS):
            out[-1] = (ps, e, replace(dl, text=text[ps:e]))
        else:
            out.append((s, e, dl))
    return out


def find_all(text: str, now: datetime, cal: WorkCalendar | None = None) -> list[tuple[int, int, Deadline]]:
    """Every deadline-like expression in ``text``, left to right, as (start, end, Deadline)."""
    return _scan(text, now, cal)


def _pick(hits: Iterable[tuple[int, int, Deadline]]) -> Deadline | None:
    hits = list(hits)
    for _, _, dl in hits:                 # an explicit date first
        if dl.due is not None and dl.delay is None:
            return dl
    for _, _, dl in hits:                 # then a relative delay (推迟3天)
        if dl.due is not None:
            return dl
    for _, _, dl in hits:                 # else a vague marker
        return dl
    return None


def find_deadline(text: str, now: datetime, cal: WorkCalendar | None = None) -> Deadline | None:
    """The deadline in a longer sentence: the first explicit one, else the first delay, else a vague marker."""
    return _pick(_scan(text, now, cal))


def resolve(text: str, now: datetime, cal: WorkCalendar | None = None) -> Deadline | None:
    """One expression (e.g. "8月15日前"); None if it is not a deadline at all."""
    expr = (text or "").strip()
    dl = _pick(_scan(expr, now, cal))
    if dl is None:
        return None
    return replace(dl, text=expr)


# --- the CLI's `mailflow when` ---------------------------------------------------------------

_WEEKDAY_LABEL = "一二三四五六日"


def explain_lines(exprs: list[str], now: datetime, cal: WorkCalendar | None, as_json: bool) -> list[str]:
    """One line per expression, for ``mailflow when``."""
    cal = cal or DEFAULT_CALENDAR
    lines = []
    for expr in exprs:
        dl = resolve(expr, now, cal)
        if as_json:
            obj = {"text": expr,
                   "due": dl.due.isoformat() if dl and dl.due else None,
                   "time": dl.time.strftime("%H:%M") if dl and dl.time else None,
                   "vague": bool(dl and dl.vague),
                   "calendar_gap": bool(dl and dl.calendar_gap)}
            lines.append(json.dumps(obj, ensure_ascii=False))
            continue
        if dl is None:
            lines.append(f"{expr}\t-\tnot a deadline")
        elif dl.vague:
            lines.append(f"{expr}\t-\tvague: ask for a concrete date")
        else:
            when = f"{dl.due.isoformat()} 周{_WEEKDAY_LABEL[dl.due.weekday()]}"
            if dl.time:
                when += " " + dl.time.strftime("%H:%M")
            note = ""
            if dl.delay:
                note += f"\tdelay +{dl.delay.n} {dl.delay.unit} (counted from today)"
            if dl.calendar_gap:
                note += "\tcalendar gap: no official calendar for a year crossed; counted Monday–Friday"
            lines.append(f"{expr}\t{when}{note}")
    return lines
