"""Deadlines as people write them: date parts → phrases → a due date, by rules with anchors.

Pure: no disk, network or clock; ``now`` is a parameter. The reader works in three steps:

1. :mod:`mailflow.read.datetext` folds the text and cuts it into date parts (a month, a day, 下周五,
   下午3点, 国庆前, 3个工作日内, 月底, 尽快, 前 …).
2. Adjacent parts, joined only by spaces, 的, 于 or "at/on/by", form a *phrase*; a phrase ends
   where a slot it already has would be filled again ("12月1日-12月5日" is two phrases).
3. A phrase is read by its anchor (:mod:`mailflow.read.date_anchors`), in this order: an
   impossible part (9999年, 2月30日, 公元前) is an error; a vague word or a span (尽快, TBD, 上旬/中旬/下旬, 月初, 年中, 12月前) is vague; then a holiday
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

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, tzinfo
from typing import Iterable

from .date_anchors import Ctx, Delay, Impossible, Reading, read_phrase
from .datetext import Part, fold, parts
from .workdays import DEFAULT_CALENDAR, WorkCalendar

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


# --- phrases ---------------------------------------------------------------------------------

# "12/18 before 6pm", "Monday until noon": the time bounds that day, so it is one phrase
_GLUE = re.compile(r"(?:[\s,的于在]|\b(?:at|on|by|the|before|until|till|no\s+later\s+than)\b)*", re.I | re.A)
_FLAGS = {"m_fen", "d_hao", "md_loose", "m_implicit", "anchored", "needs_anchor"}
_TRAILING = {"before", "after_cn", "from_cn"}             # markers that only qualify the date before them
_COUNTED = {"count", "lastwd"}                 # parts that can count from a date written before them
_ANCHORS = {"y", "y_rel", "m", "m_rel", "d", "wd", "rel", "week", "weekend", "mpart", "en_end", "quarter", "ypart"}
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
        if joins and p.kind in _COUNTED and _ANCHORS & set(cur.slots):
            # "月底前两个工作日", "本月最后一个工作日": counted from the date before it, so only
            # right after it; "12月7日前, 3个工作日内" is two deadlines
            joins = norm[cur.end:p.start].strip() in ("", "的")
            if joins:
                cur.slots["anchored"] = True
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


_OPEN = re.compile(r"\s*\(\s*")
_CLOSE = re.compile(r"\s*\)")
_DAY_SLOTS = {"d", "wd", "rel"}


def _apposed(norm: str, a: _Phrase, b: _Phrase) -> int:
    """Where the bracket closes when b, in brackets right after a, names a's day again; else 0."""
    if a.kinds & _NOT_JOINED or b.kinds & _NOT_JOINED or not _OPEN.fullmatch(norm, a.end, b.start):
        return 0
    if not (_DAY_SLOTS & set(a.slots) and _DAY_SLOTS & set(b.slots)):
        return 0
    close = _CLOSE.match(norm, b.end)
    return close.end() if close else 0


# --- hedges ----------------------------------------------------------------------------------

_HEDGE_BEFORE = re.compile(r"(?:大概|大约|差不多|可能|估计|(?<![预])约|(?i:roughly|around|approximately|maybe|probably|possibly))"
                           r"\s*(?:在|于|是)?\s*$")
_HEDGE_AFTER = re.compile(r"\s*(?:左右|前后|上下|(?i:or\s+so\b|-?ish\b))")
_OR = re.compile(r"\s*(?:或者|或是|或|还是|抑或|/|、|(?i:\bor\b))\s*")
_OR_WEEKDAY = re.compile(r"\s*(?:或者|或|还是|/|、)\s*[一二三四五六日天](?![月号日点个天\d])")   # 本周四、五
_FROM_BEFORE = re.compile(r"(?:从|自从|自|(?i:starting|beginning|as\s+of))\s*(?:本|这)?\s*$")


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
    c = Ctx(_local(now, tz or cal.tz), cal)
    phrases = _phrases(norm, found)
    out: list[tuple[int, int, Deadline]] = []
    i = 0
    while i < len(phrases):
        a = phrases[i]
        s, e, slots = a.start, a.end, a.slots
        if i + 1 < len(phrases) and (close := _apposed(norm, a, phrases[i + 1])):
            # "下周三（12月9日）": the same day written twice, read together so they must agree
            i, e, slots = i + 1, close, {**phrases[i + 1].slots, **a.slots}
        joined = False
        while i + 1 < len(phrases) and _joined(norm, phrases[i], phrases[i + 1]):
            prev = phrases[i].slots
            i += 1
            joined = True
            e, slots = phrases[i].end, _inherit(prev, phrases[i].slots)
        either = False
        while i + 1 < len(phrases) and _OR.fullmatch(norm, phrases[i].end, phrases[i + 1].start) \
                and not (phrases[i].kinds | phrases[i + 1].kinds) & {"vague"}:
            i += 1                        # 周三或周四, Dec 20 or Dec 21: which one? ask
            either, e = True, phrases[i].end
        if "weekday" in phrases[i].kinds and (second := _OR_WEEKDAY.match(norm, e)):
            either, e = True, second.end()
        i += 1
        if not joined and _FROM_BEFORE.search(norm, max(0, s - 6), s) and not slots.get("count"):
            slots = {**slots, "after": True, "from": True}     # 从下周三起: a start, not a due date
        if either:
            out.append((s, e, Deadline(text=text[s:e], due=None, time=None, vague=True, calendar_gap=False)))
            continue
        try:
            r = read_phrase(slots, c)
        except Impossible as exc:
            r = Reading(vague=True, error=str(exc))
        if r is None:
            continue
        if not r.vague and r.due is not None:
            hb = _HEDGE_BEFORE.search(norm, max(0, s - 16), s)
            ha = _HEDGE_AFTER.match(norm, e)
            if hb or ha:
                s, e = (hb.start() if hb else s), (ha.end() if ha else e)
                r = Reading(vague=True)
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
