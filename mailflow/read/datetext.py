"""The tokenizer of the deadline reader: text → date parts.

(Over 500 lines because it is one grammar: every part's pattern sits in one table beside the small
function that reads it; split, a new way of writing a date would have to touch two files.)

A deadline is read in two steps. This module does the first: it folds the text (full-width →
half-width, the Traditional characters that date words use → Simplified, one character for one,
so every span stays valid on the original) and cuts it into typed *parts*: a month (12月, Dec),
a day (1日, 1号), a weekday with its week (下周五, next Friday), a relative day (明天), a time of
day (下午3点, 17:00, 5pm, 下班, EOD), a holiday anchor (国庆前, 节后第一个工作日), a count (3个工作日内),
a period (月底, 上旬, Q4末), a vague word (尽快, TBD) and the markers 前 / （周二）.

Each part is a :class:`Part` whose ``slots`` say what it contributes (``{"m": 12, "d": 1}``).
:mod:`mailflow.read.deadlines` groups adjacent parts into phrases and
:mod:`mailflow.read.date_anchors` applies the rules (anchors). A part never decides a date by itself, so a new way of writing a month or a weekday is one
alternative here and every rule that uses months or weekdays gets it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from .zh import SimplifiedTable, cn_number

# --- folding (one character for one: spans stay valid) ----------------------------------------

# full-width to half-width here; Traditional to Simplified by OpenCC as characters are first met
_FOLD = SimplifiedTable(str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                                       **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
                                       **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
                                       "／": "/", "－": "-", "．": ".", "\u3000": " ", "～": "~", "：": ":",
                                       "（": "(", "）": ")", "〇": "零", "○": "零"}))


_WORKDAY_WORDS = re.compile("工作天|营业日|上班日")     # Taiwan and shop words for 工作日 (same length)


def fold(text: str) -> str:
    """Full-width → half-width and Traditional → Simplified for date words; same length."""
    return _WORKDAY_WORDS.sub("工作日", text.translate(_FOLD))


# --- numbers ---------------------------------------------------------------------------------

_EN_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15,
           "twenty": 20, "thirty": 30}


_TENS = {"廿": "二十", "卅": "三十"}


@lru_cache(maxsize=2048)
def number(s: str) -> int | None:
    """12, 十二, 二零二六 (digit by digit), two → int; None if it is not a number."""
    s = s.strip().lower()
    if s[:1] in _TENS:                    # 廿五 = 二十五, 卅 = 三十 (day numbers in dates)
        s = _TENS[s[0]] + s[1:]
    return _EN_NUM[s] if s in _EN_NUM else cn_number(s)


# --- parts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    kind: str
    start: int
    end: int
    slots: dict


N = r"(?:\d{1,4}|[廿卅][一二三四五六七八九]?|[零一二两三四五六七八九十]{1,4})"
_NUMB = r"(?<![\d.零一二两三四五六七八九十廿卅])"        # a number starts here (not inside 3.5 or 二十)
_WEEK = r"(?:周|星期|礼拜)"
_PRE = r"(下下个|下下|下个|下|本|这个|这|上个|上)"
_WDCN = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
         "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_WDEN = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_MON = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
        "oct": 10, "nov": 11, "dec": 12}
_MONTH_EN = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
             r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_WDAY_EN = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thurs?|thu|fri)"
_EN_N = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|a|an)"

# holidays: the words people use → chinese_calendar's period name (None: "the holiday", whichever)
HOLIDAY_NAMES = {
    "国庆": "National Day", "国庆节": "National Day", "十一": "National Day", "national day": "National Day",
    "golden week": "National Day",
    "五一": "Labour Day", "劳动节": "Labour Day", "labour day": "Labour Day", "labor day": "Labour Day",
    "may day": "Labour Day",
    "元旦": "New Year's Day", "new year": "New Year's Day", "new year's day": "New Year's Day",
    "new years": "New Year's Day", "new year's": "New Year's Day",
    "春节": "Spring Festival", "年": "Spring Festival", "过年": "Spring Festival", "农历新年": "Spring Festival",
    "chinese new year": "Spring Festival", "lunar new year": "Spring Festival", "spring festival": "Spring Festival",
    "cny": "Spring Festival",
    "端午": "Dragon Boat Festival", "端午节": "Dragon Boat Festival", "dragon boat": "Dragon Boat Festival",
    "dragon boat festival": "Dragon Boat Festival",
    "中秋": "Mid-autumn Festival", "中秋节": "Mid-autumn Festival", "mid-autumn": "Mid-autumn Festival",
    "mid autumn": "Mid-autumn Festival", "mid-autumn festival": "Mid-autumn Festival",
    "清明": "Tomb-sweeping Day", "清明节": "Tomb-sweeping Day", "qingming": "Tomb-sweeping Day",
    "qingming festival": "Tomb-sweeping Day", "tomb-sweeping day": "Tomb-sweeping Day",
    "tomb sweeping day": "Tomb-sweeping Day",
}
_HOL_CN = (r"(国庆节|国庆|(?<![\d零一二两三四五六七八九十月])十一|(?<![\d零一二两三四五六七八九十月])五一|劳动节|元旦|春节|过年"
           r"|农历新年|端午节|端午|中秋节|中秋|清明节|清明"
           r"|(?<![\d零一二两三四五六七八九十今明后前去本每半几多上下同当周过新])年"
           r"|(?<![细章环季调关音情礼时小使春中端秋庆圣劳动])(?:节假日|节日|节|小长假|长假|假期|假日|放假|收假))")
_HOL_EN = (r"(?:the\s+)?(national\s+day|golden\s+week|chinese\s+new\s+year|lunar\s+new\s+year|spring\s+festival|cny"
           r"|new\s+year(?:'s)?(?:\s+day)?|new\s+years|may\s+day|labou?r\s+day|dragon\s+boat(?:\s+festival)?"
           r"|mid[-\s]autumn(?:\s+festival)?|qingming(?:\s+festival)?|tomb[-\s]sweeping\s+day|holidays?|break)"
           r"(?:\s+(?:holidays?|break|festival|vacation))?")


def _hol_name(raw: str) -> str | None:
    key = re.sub(r"\s+", " ", raw.lower()).removeprefix("the ").strip()
    for suffix in (" holidays", " holiday", " break", " festival", " vacation"):
        if key.endswith(suffix) and key.removesuffix(suffix) in HOLIDAY_NAMES:
            key = key.removesuffix(suffix)
    return HOLIDAY_NAMES.get(key)


def _b_hol_cn(m):
    name, side = m.group(1), m.group(2)
    if side == "前后":
        return {"vague": m.group(0)}      # 国庆前后: around the holiday, no day
    return {"holiday": (_hol_name(name), "before" if "前" in side else "after")}


def _b_hol_en_before(m):
    return {"holiday": (_hol_name(m.group(1)), "before")}


def _b_hol_en_after(m):
    return {"holiday": (_hol_name(m.group(1)), "after")}


def _b_year(m):
    raw = m.group(1).rstrip("年").strip() if m.group(1) not in ("今年", "本年", "明年", "后年", "去年") else m.group(1)
    rel = {"今年": 0, "本年": 0, "明年": 1, "后年": 2, "去年": -1}.get(raw)
    if rel is not None:
        return {"y_rel": rel}
    y = number(raw)
    return {"y": y} if y is not None else None


def _b_month(m):
    mo = number(m.group(1))
    if mo is None:
        return None
    return {"m": mo, "m_fen": bool(m.group(2))}


def _b_mrange(m):
    mo, d = number(m.group(1)), number(m.group(2))
    return {"m": mo, "d": d} if mo is not None and d is not None else None


def _b_relmonth(m):
    pre = m.group(1)
    off = 2 if pre.startswith("下下") else 1 if pre.startswith("下") else -1 if pre.startswith("上") else 0
    return {"m_rel": off}


def _b_day(m):
    d = number(m.group(1))
    if d is None:
        return None
    return {"d": d, "d_hao": m.group(2) == "号"}


def _b_en_day(m):
    return {"d": int(m.group(1)), "d_hao": True}


def _b_mpart(m):
    return {"mpart": m.group(1)}


def _b_bare_mpart(m):
    return {"mpart": m.group(1), "m_rel": 0, "m_implicit": True}


def _b_ymd(m):
    if m.group(2) != m.group(4):
        return None
    return {"y": int(m.group(1)), "m": int(m.group(3)), "d": int(m.group(5))}


def _b_us(m):
    mo, d = int(m.group(1)), int(m.group(2))
    if mo > 12 >= d:                      # 25/12/2026: day first
        mo, d = d, mo
    return {"y": int(m.group(3)), "m": mo, "d": d}


_NOT_MD_BEFORE = re.compile(r"(?:版本|版|第|进度|完成|度|率|评分|得分|分数|比例|占|约|version|progress|done|rate|score|v)\s*[:：]?\s*$",
                            re.I)


def _b_md(m):
    mo, d = int(m.group(1)), int(m.group(3))
    if mo > 12 >= d and m.group(2) == "/" and "-" not in m.group(0) and "~" not in m.group(0):
        mo, d = d, mo                     # 30/11: only day-first is a date
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None                       # 3.5, 1/32: a number, not a date
    if _NOT_MD_BEFORE.search(m.string, max(0, m.start() - 10), m.start()):
        return None                       # 完成 1/2, 版本2.1
    return {"m": mo, "d": d, "md_loose": True}


def _b_en_md(m):
    y = int(m.group(3)) if m.group(3) else None
    return {"y": y, "m": _MON[m.group(1)[:3].lower()], "d": int(m.group(2))} if y else \
        {"m": _MON[m.group(1)[:3].lower()], "d": int(m.group(2))}


def _b_en_dm(m):
    out = {"m": _MON[m.group(2)[:3].lower()], "d": int(m.group(1))}
    if m.group(3):
        out["y"] = int(m.group(3))
    return out


def _b_weekday(m):
    return {"wd": (m.group(1), _WDCN[m.group(2)])}


def _b_ordinal(m):
    return {"ordinal": number(m.group(1)) if m.group(1) else -1}


def _b_weekend(m):
    return {"weekend": m.group(1)}


def _b_week(m):
    return {"week": m.group(1)}


def _b_en_weekend(m):
    return {"weekend": {"this": "本", "next": "下"}.get((m.group(1) or "").lower()), "before": True}


def _b_en_weekday(m):
    pre = re.sub(r"\s+", " ", (m.group(1) or "").lower()) or None
    return {"wd": ({"this": "本", "next": "下"}.get(pre, "coming" if pre else None), _WDEN[m.group(2)[:3].lower()])}


_RELDAY = {"今天": (0, None), "今日": (0, None), "当天": (0, None), "当日": (0, None), "今早": (0, "早"),
           "今晚": (0, "晚"), "明天": (1, None), "明日": (1, None), "次日": (1, None), "第二天": (1, None),
           "明早": (1, "早"), "明晚": (1, "晚"), "后天": (2, None), "大后天": (3, None),
           "听日": (1, None), "听朝": (1, "早"), "后日": (2, None),
           "today": (0, None), "tonight": (0, "晚"), "tomorrow": (1, None), "tmrw": (1, None), "tmr": (1, None)}


def _b_this_part(m):
    return {"rel": 0, "daypart": _DAYPART[m.group(1).lower()]}


def _b_shift(m):
    n = number(m.group(1))
    return {"shift": n * (7 if m.group(2).lower().startswith("week") else 1)} if n else None


def _b_en_weekday_after_next(m):
    return {"wd": ("下下", _WDEN[m.group(1)[:3].lower()])}


def _b_relday(m):
    raw = re.sub(r"\s+", " ", m.group(0).lower())
    if "day after" in raw:
        return {"rel": 2}
    n, part = _RELDAY[raw]
    return {"rel": n, "daypart": part} if part else {"rel": n}


_DAYPART = {"一大早": "早", "一早": "早", "上午": "上午", "早上": "早", "早晨": "早", "清晨": "早", "中午": "中午", "下午": "下午", "傍晚": "下午",
            "晚上": "晚", "晚": "晚", "早": "早", "夜里": "晚", "凌晨": "凌晨", "morning": "早", "afternoon": "下午", "evening": "晚",
            "noon": "中午"}


def _b_daypart(m):
    return {"daypart": _DAYPART[m.group(0).lower()]}


def _b_clock_cn(m):
    h = number(m.group(1))
    if h is None:
        return None
    tail = m.group(2) or ""
    mi = 30 if "半" in tail else 15 if "一刻" in tail else 45 if "三刻" in tail else \
        (number(re.sub(r"[分:\s]", "", tail)) or 0) if tail else 0
    return {"clock": (h, mi, None)}


def _b_clock_24(m):
    return {"clock": (int(m.group(1)), int(m.group(2)), None)}


def _b_clock_en(m):
    return {"clock": (int(m.group(1)), int(m.group(2) or 0), m.group(3)[0].lower())}


def _b_workstart(m):
    return {"workstart": True}


def _b_workend(m):
    return {"workend": True}


def _b_count(m):
    raw, unit, suffix = m.group(1), m.group(2), m.group(3) or ""
    unit = unit.replace("个", "").strip()
    unit = {"工作日": "workdays", "天": "days", "日": "days", "自然日": "days", "日历日": "days", "周": "weeks",
            "星期": "weeks", "礼拜": "weeks", "月": "months", "小时": "hours", "h": "hours"}[unit]
    if unit != "workdays" and not suffix:
        return None                       # 3天 alone is an amount, not a deadline
    if raw == "半":
        return {"count": (15, "days")} if unit == "months" else None
    n = number(raw)
    return {"count": (n, unit)} if n is not None else None


def _b_count_from(m):
    unit = {"天": "days", "日": "days", "周": "weeks", "星期": "weeks", "礼拜": "weeks", "月": "months"}[
        re.sub(r"个|\s", "", m.group(2))]
    n = 15 if m.group(1) == "半" and unit == "months" else number(m.group(1))
    if m.group(1) == "半":
        unit = "days" if unit == "months" else None
    return {"count": (n, unit), "needs_anchor": True} if n and unit else None


def _en_unit(u: str, bus: str | None) -> str:
    u = u.lower().rstrip("s")
    if u == "day" and bus:
        return "workdays"
    return {"day": "days", "week": "weeks", "month": "months", "hour": "hours", "h": "hours", "hr": "hours"}[u]


def _b_en_count(m):
    n = number(m.group(1))
    unit = m.group(3) or m.group(5)       # "within 24h": a short unit right after the digits
    return {"count": (n, _en_unit(unit, m.group(2)))} if n is not None else None


def _b_delay(m):
    raw = m.group(1)
    unit = m.group(2).replace("个", "").strip()
    unit = {"工作日": "workdays", "天": "days", "日": "days", "周": "weeks", "星期": "weeks", "礼拜": "weeks",
            "月": "months"}[unit]
    n = 15 if raw == "半" and unit == "months" else number(raw)
    if raw == "半" and unit == "months":
        unit = "days"
    return {"delay": (n, unit)} if n is not None else None


def _b_en_delay(m):
    n = number(m.group(1))
    return {"delay": (n, _en_unit(m.group(3), m.group(2)))} if n is not None else None


def _b_nextwd(m):
    return {"nextwd": True}


def _b_lastwd(m):
    return {"lastwd": True}


def _b_firstwd(m):
    return {"lastwd": True, "firstwd": True}       # the same reading from the period's other end


def _b_quarter(m):
    q = number(m.group(1) or m.group(2))
    return {"quarter": (q, m.group(3) or "")} if q else None


def _b_cur_quarter(m):
    rel = m.group(1) or ""
    return {"quarter": ("next" if rel.startswith("下") else "this", m.group(2))}


def _b_ypart(m):
    return {"ypart": m.group(1)}


def _b_half_year(m):
    return {"ypart": m.group(0)}


def _b_en_end(m):
    rel = (m.group(1) or "").lower()
    return {"en_end": ("next" if rel == "next" else "this", m.group(2).lower())}


def _b_en_abbr(m):
    rel = (m.group(1) or "").lower()
    a = m.group(0).lower()[len(rel):].replace("-", "").replace(" ", "")
    what = {"eow": "week", "eom": "month", "eoq": "quarter", "eoy": "year", "yearend": "year", "monthend": "month",
            "quarterend": "quarter"}[a]
    return {"en_end": ("next" if rel == "next" else "this", what)}     # "next month end" is January's


def _b_en_qend(m):
    return {"en_end": ("this", "q" + m.group(1))}


def _b_en_week(m):
    raw = m.group(0).lower()
    return {"week": "下下" if "after" in raw else "下" if raw.lstrip().startswith("next") else "本"}


def _b_vague(m):
    return {"vague": m.group(0)}


def _b_before(m):
    return {"before": True}


def _b_after(m):
    return {"after": True}


def _b_from(m):
    return {"after": True, "from": True}


def _b_note(m):
    wd = m.group(1) or m.group(2)
    return {"note": _WDCN[wd] if wd in _WDCN else _WDEN[wd[:3].lower()]}


def _b_error(m):
    return {"error": "公元前 (BC) is not a deadline"}


_VAGUE_CN = (r"大概|大约|差不多|尽快|尽早|越快越好|待定|待确定|待确认|待商定|另行通知|另定|再定|再议|近期|近日|择期|择日|改天|回头|过段时间"
             r"|过一段时间|过些天|过几天|过两天|几天内|几天后|近几天|改日|找时间|晚点|过阵子|过一阵子|这两天|这几天|最近几天|有空|抽空|待通知|待安排|待排期|未定|还没定|没定|不确定|说不准|看情况|以后再说|晚些时候|稍后")
_VAGUE_EN = (r"\b(?:asap|a\.s\.a\.p\.?|tbd|tbc|tba|to\s+be\s+(?:determined|confirmed|decided|announced)"
             r"|as\s+soon\s+as\s+(?:possible|[a-z]+\s+can)|soon|shortly|when(?:ever)?\s+possible|sometime"
             r"|at\s+(?:your|my|our)\s+earliest\s+convenience|(?:(?:in|within|over)\s+)?(?:a|the\s+next|the\s+coming|the|next)\s+(?:couple|few)\s+(?:of\s+)?days|in\s+a\s+while|in\s+the\s+near\s+future|in\s+due\s+course|at\s+some\s+point|eventually|later\s+this\s+(?:week|month))(?!\w)")

# a number followed by a unit is an amount (3.5天, 1.5倍), not a month.day
_UNIT_AFTER = r"|\s*(?:[-~–—]\s*[\d.]+\s*)?(?:天|倍|个|小时|万|千|元|米|%|x\b|km|kg|mb|gb)"

# (kind, pattern, builder). Order matters where two parts start at the same place: the first
# alternative that matches wins, so longer and more specific parts come first.
_SPECS: list[tuple[str, str, Callable]] = [
    ("error", r"公元前", _b_error),
    ("ymd", r"(?<![\d.])(\d{4})\s*([-/.])\s*(\d{1,2})\s*([-/.])\s*(\d{1,2})(?![\d.]*\d)", _b_ymd),
    ("us", r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)", _b_us),
    ("md", r"(?<![\d./A-Za-z_])(\d{1,2})([/.])\d{1,2}\s*(?:-|~|–|—)\s*(\d{1,2})(?![\d/%.:]" + _UNIT_AFTER + ")", _b_md),
    ("md", r"(?<![\d./A-Za-z_])(\d{1,2})([/.])(\d{1,2})(?![\d/%.]" + _UNIT_AFTER + ")", _b_md),
    ("holiday_en", r"\b(?:the\s+)?(?:first|1st)\s+(?:working|business|work)\s+day\s+(?:after|following)\s+" + _HOL_EN,
     _b_hol_en_after),
    ("holiday_en", r"\b(?:before|ahead\s+of|prior\s+to|by)\s+" + _HOL_EN + r"(?!\w)", _b_hol_en_before),
    ("holiday_en", r"\b(?:after|following)\s+" + _HOL_EN + r"(?!\w)", _b_hol_en_after),
    ("holiday", _HOL_CN + r"(?:假期|长假|假|期间)?(前后|之前|以前|前(?![天面往])|之后|以后|后|过后|结束后|回来后?|收假后|上班后?)"
     r"(?:的?(?:第一个工作日|首个工作日|第一天上班|上班第一天|第一天|开工第一天|开工))?", _b_hol_cn),
    ("delay", r"(?:推迟|延期|延后|顺延|延长|延迟|往后推|后延|宽限|多给我|多给|再给我|再给|还需要|还需|需要再|再要|晚)\s*"
     r"(?:了|大概|大约)?\s*(" + N + r"|半)\s*((?:个\s*)?工作日|(?:个\s*)?(?:星期|礼拜)|周|天|日|个\s*月)", _b_delay),
    ("count", _NUMB + r"(?<![第月])(" + N + r")\s*((?:个\s*)?工作日)\s*(之内|以内|内|之后|以后|后)?", _b_count),
    ("count", _NUMB + r"(?<![第月])(" + N + r"|半)\s*((?:个\s*)?(?:星期|礼拜|小时|自然日|日历日)|周|天|日|个\s*月|h)\s*(之内|以内|内|之后|以后|后)",
     _b_count),
    # "下周五前一天", "月底前一周": a bare amount right after 前 / 后 counts from the date before it
    ("count", r"(?<=[前后])(" + N + r"|半)\s*((?:个\s*)?(?:星期|礼拜)|周|天|日|个\s*月)(?![内])", _b_count_from),
    ("nextwd", r"下一?个?\s*工作日", _b_nextwd),
    ("lastwd", r"最后一?个?\s*工作日|\b(?:the\s+)?last\s+(?:working|business|work)\s+day\b", _b_lastwd),
    ("lastwd", r"(?:第一个?|首个)\s*工作日|\b(?:the\s+)?first\s+(?:working|business|work)\s+day\b", _b_firstwd),
    ("year", r"(今年|本年|明年|后年|去年|(?:" + _NUMB + r"\d{4,6}|" + _NUMB + r"[零一二三四五六七八九]{4})\s*年)(?:度)?",
     _b_year),
    ("relmonth", _PRE + r"\s*月(份)?(?:月(?=底|末|初|中|内))?", _b_relmonth),
    ("mrange", _NUMB + r"(" + N + r")\s*月\s*(?:" + N + r")\s*[日号]?\s*(?:-|~|—|–|至|到)\s*(" + N + r")\s*[日号]",
     _b_mrange),
    ("month", _NUMB + r"(" + N + r")\s*月(份)?(?![个])", _b_month),
    ("quarter", r"(?:(?<![A-Za-z])[Qq]([1-4])(?!\d)|第?([一二三四1-4])\s*季度)\s*(末|底|结束|之内|以内|内|之前|以前|前(?![天]))?",
     _b_quarter),
    ("quarter", r"(?:(本|这个|这|当前|下个|下)\s*)?季度?(末|底|之内|以内|内)", _b_cur_quarter),
    ("ypart", r"(?<![\d零一二两三四五六七八九十今明后本去前每])年(底|末|终(?!奖|总结|考核|报告|会)|内|中|初)", _b_ypart),
    ("ypart", r"上半年|下半年", _b_half_year),
    # half a week or a month (前半周, 下半月) is a span like 上旬: no day to hold anyone to
    ("vague", r"(?:前|后|上|下)半(?:个)?\s*(?:周|星期|礼拜|月)", _b_vague),
    ("mpart_bare", r"(?<![\d零一二两三四五六七八九十个上下本这当份半])月(底|末|初|中|内)", _b_bare_mpart),
    ("mpart", r"(上旬|中旬|下旬|初|底|末|中(?=前|之前|以前|旬|[^\u4e00-\u9fff]|$)|内|之内)", _b_mpart),
    # 12月最后一个周五, 下个月第一个周一: the n-th such weekday of the month written before it
    ("ordinal", r"(?:第([一二三四五1-5])个?|最后一个?|倒数第一个?)(?=\s*" + _WEEK + r"[一二三四五六日天1-7])", _b_ordinal),
    ("weekday", r"(?:" + _PRE + r"\s*)?" + _WEEK + r"([一二三四五六日天1-7])", _b_weekday),
    ("weekend", r"(?:" + _PRE + r"\s*)?" + _WEEK + r"末", _b_weekend),
    ("week", _PRE + r"\s*" + _WEEK + r"(?![一二三四五六日天1-7末])", _b_week),
    ("relday", r"大后天|今天|今日|今早|今晚|当天|当日|明天|明日|明早|明晚|次日|第二天|后天|听日|听朝|(?<![前之以])后日",
     _b_relday),
    ("relday", r"\bthis\s+(morning|afternoon|evening)\b", _b_this_part),
    ("shift", r"\b" + _EN_N + r"\s+(days?|weeks?)\s+(?:from|after)\b(?:\s+(?:now|today)\b)?", _b_shift),
    ("weekday", r"\b(?:the\s+)?" + _WDAY_EN + r"\s+after\s+next\b", _b_en_weekday_after_next),
    ("relday", r"\b(?:(?:the\s+)?day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw|tmr)\b", _b_relday),
    ("daypart", r"一大早|一早|上午|早上|早晨|清晨|中午|下午|傍晚|晚上|夜里|凌晨|(?:晚|早)(?=\s*(?:\d|[一二两三四五六七八九十]))|\b(?:morning|afternoon|evening|noon)\b", _b_daypart),
    ("clock", r"(?<![\d:])(\d{1,2})\s*(?::\s*(\d{2}))?\s*([ap]\.?m\b\.?)", _b_clock_en),
    ("clock", r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])", _b_clock_24),
    ("clock", r"(?<![第\d])(\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*(?:点|时(?![间候期段区效限]))\s*(半|一刻|三刻|\d{1,2}\s*分?|[零一二三四五六七八九十]{1,3}\s*分)?",
     _b_clock_cn),
    ("workstart", r"(?:上班|开工)(?=前|之前|以前|时)", _b_workstart),
    ("workend", r"下班|收工|\b(?:eod|cob|eob|end\s+of\s+(?:the\s+)?(?:business\s+)?day|(?:end|close)\s+of\s+(?:business|play))\b",
     _b_workend),
    ("en_md", r"\b" + _MONTH_EN + r"\b\.?\s*\d{1,2}(?:st|nd|rd|th)?\s*(?:-|–|~|to|through)\s*(\d{1,2})(?:st|nd|rd|th)?\b"
     r"(?!\s*[/.:]|\s*(?:am|pm)\b)(?:,?\s*(\d{4})\b)?", _b_en_md),
    ("en_md", r"\b" + _MONTH_EN + r"\b\.?\s*(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4})\b)?", _b_en_md),
    ("en_md", r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_EN + r"\b\.?(?:,?\s*(\d{4})\b)?", _b_en_dm),
    ("en_end", r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?(?:(this|next|current)\s+)?(month|week|quarter|year|q[1-4]"
     r"|(?:19|20)\d{2}|" + _MONTH_EN[1:-1] + r")\b", _b_en_end),
    ("en_end", r"\b(?:(this|next|current)\s+)?(?:eow|eom|eoq|eoy|(?:year|month|quarter)[- ]end)\b", _b_en_abbr),
    ("en_end", r"\bq([1-4])[\s-]*end\b", _b_en_qend),
    ("vague", r"\b(?:early|mid|late)[- ]?(?:(?:next|this)\s+)?(?:month|year|" + _MONTH_EN[1:-1] + r")\b", _b_vague),
    ("en_week", r"\b(?:the\s+)?week\s+after\s+next\b|\b(?:this|next)\s+week\b|\bwithin\s+the\s+week\b", _b_en_week),
    ("weekend", r"\b(?:by|before)\s+(?:the\s+)?(?:(this|next)\s+)?weekend\b", _b_en_weekend),
    ("nextwd", r"\bnext\s+(?:business|working|work)\s+day\b", _b_nextwd),
    ("count", r"\b(?:within|in|inside(?:\s+of)?|over)\s+(?:the\s+next\s+)?" + _EN_N
     + r"(?:\s+(business\s+|working\s+|work\s+)?(days?|weeks?|months?|hours?|hrs?)|(?<=\d)\s*()(hrs?|h))\b", _b_en_count),
    ("count", r"\b" + _EN_N + r"\s+(business|working)\s+(days?)\b", _b_en_count),
    ("delay", r"\b(?:push(?:ed|ing)?(?:\s+(?:it|this|that))?\s+back|postpone[ds]?(?:\s+(?:it|this|that))?"
     r"|delay(?:ed)?(?:\s+(?:it|this|that))?|extend(?:ed)?(?:\s+(?:it|this|that|the\s+deadline))?"
     r"|need|another)\s+(?:by\s+)?(?:another\s+)?" + _EN_N
     + r"\s+(?:more\s+|extra\s+)?(business\s+|working\s+)?(days?|weeks?)\b", _b_en_delay),
    ("delay", r"\b" + _EN_N + r"\s+(?:more|extra)\s+(business\s+|working\s+)?(days?|weeks?)\b", _b_en_delay),
    ("weekday", r"\b(?:(this|next|coming|the\s+following|following)\s+)?" + _WDAY_EN + r"\b\.?", _b_en_weekday),
    ("vague", _VAGUE_CN, _b_vague),
    ("vague", _VAGUE_EN, _b_vague),
    ("note", r"\(\s*(?:" + _WEEK + r"([一二三四五六日天])|" + _WDAY_EN + r"\.?)\s*\)", _b_note),
    ("day", _NUMB + r"(" + N + r")\s*(日|号)(?!子|记|志|常|程|报|元|币|文|语|本|楼|会议室|线|文件|附件|方案|项|任务|门|窗口|机|位|人|床|车|店)",
     _b_day),
    ("day", r"\bthe\s+(\d{1,2})(st|nd|rd|th)\b(?=\s*(?:$|[,.;:!?)]|of\b|eod\b|cob\b|at\b|by\b))", _b_en_day),
    ("before", r"之前|以前|前(?![天年面往后])|为止", _b_before),
    ("after_cn", r"之后|以后|(?<![前之以然最随此今])后(?![天日来面续期台端])", _b_after),     # trails a date
    ("after", r"\b(?:after|not\s+before|no\s+earlier\s+than)\b", _b_after),             # leads one
    # 下周三起 / 下周三开始: a start (counted inclusively when a count follows), not a due date
    ("from_cn", r"起(?=算|\d|[一二两三四五六七八九十半]|[,.;，。；\s]|$)|(?:开始)(?!前|之前|以前)", _b_from),
]



@lru_cache(maxsize=None)
def _compiled(i: int) -> re.Pattern:
    return re.compile(_SPECS[i][1], re.I | re.A)


@lru_cache(maxsize=1)
def _master() -> re.Pattern:
    return re.compile("|".join(f"(?P<p{i}>{src})" for i, (_, src, _) in enumerate(_SPECS)), re.I | re.A)


def _first_chars(items) -> tuple[set[str], bool, bool] | None:
    """The characters a parsed pattern can start with: (chars, any digit, can be empty); None if unknown."""
    from re import _constants as C
    chars, digit = set(), False
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue                       # zero width: look at what follows
        if op is C.LITERAL:
            return chars | {chr(av)}, digit, False
        if op is C.IN:
            for o, a in av:
                if o is C.LITERAL:
                    chars.add(chr(a))
                elif o is C.RANGE:
                    chars.update(chr(x) for x in range(a[0], a[1] + 1))
                elif o is C.CATEGORY and a is C.CATEGORY_DIGIT:
                    digit = True
                else:
                    return None
            return chars, digit, False
        if op is C.SUBPATTERN:
            subs, need = [av[3]], True
        elif op is C.BRANCH:
            subs, need = av[1], True
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            subs, need = [av[2]], av[0] > 0
        else:
            return None
        empty = False
        for sub in subs:
            r = _first_chars(sub)
            if r is None:
                return None
            chars |= r[0]
            digit |= r[1]
            empty |= r[2]
        if need and not empty:
            return chars, digit, False
    return chars, digit, True


@lru_cache(maxsize=1)
def _starts() -> list[tuple[set[str], bool]] | None:
    """For each part pattern, the characters it can start with (and whether any digit); None if one
    is too complex to tell (the scan then tries every position)."""
    from re import _parser
    out = []
    for _, src, _ in _SPECS:
        r = _first_chars(_parser.parse(src, re.I | re.A))
        if r is None or r[2]:
            return None
        out.append(({c.lower() for c in r[0]}, r[1]))
    return out


@lru_cache(maxsize=1)
def _start() -> re.Pattern | None:
    """One character class of every character a part can start with: the scan skips the rest in C.
    Built on first use (the analysis and the compiling cost ~0.1 s a process should not pay at import)."""
    starts = _starts()
    if starts is None:
        return None
    return re.compile("[" + "".join(sorted(re.escape(c) for c in set().union(*(cs for cs, _ in starts)))) + r"\d]",
                      re.I | re.A)


@lru_cache(maxsize=512)
def _master_for(ch: str) -> re.Pattern:
    """The alternation of only the parts that can start with ``ch``, in their order (names kept)."""
    alts = [f"(?P<p{i}>{src})" for i, ((_, src, _), (cs, digit)) in enumerate(zip(_SPECS, _starts()))
            if ch in cs or (digit and ch.isdigit())]
    return re.compile("|".join(alts) or "(?!)", re.I | re.A)


def parts(norm: str) -> list[Part]:
    """The date parts of folded text, left to right, not overlapping."""
    out: list[Part] = []
    for m in _matches(norm):
        i = int(m.lastgroup[1:])
        kind, _, build = _SPECS[i]
        rx = _compiled(i)
        sub = rx.match(norm, m.start())
        if sub is None or sub.end() != m.end():
            continue
        slots = build(sub)
        if slots is None:
            continue
        end = m.end()
        while end > m.start() and norm[end - 1].isspace():
            end -= 1
        out.append(Part(kind, m.start(), end, slots))
    return out


def _matches(norm: str):
    start = _start()
    if start is None:
        yield from _master().finditer(norm)
        return
    pos = 0
    while (hit := start.search(norm, pos)) is not None:
        m = _master_for(hit.group().lower()).match(norm, hit.start())
        if m is None or m.end() == m.start():
            pos = hit.start() + 1
            continue
        yield m
        pos = m.end()
