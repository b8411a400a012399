"""Reading a meeting out of free text: the key-value lines of a 会议通知 mail or of an invitation's
description, lists of people, agenda lines, the times people write, and the host's own commands in
a meeting's thread (move it, cancel it, confirm or drop the change: `read_host_command`).

Pure: no I/O, no clock (`now` is a parameter). meetings.py builds the Meeting from what these read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from . import dates
from .people import Directory
from ..model import AgendaItem

KEYS = {
    "title": ("会议主题", "会议名称", "主题", "名称", "會議主題", "會議名稱", "主題", "subject", "title", "topic"),
    "goal": ("会议目标", "目标", "会议目的", "目的", "會議目標", "目標", "goal", "objective", "purpose"),
    "date": ("日期", "会议日期", "會議日期", "date"),
    "time": ("时间", "会议时间", "日期时间", "時間", "會議時間", "time", "when"),
    "location": ("地点", "会议地点", "会议室", "地點", "會議地點", "會議室", "location", "place", "room", "where"),
    "online": ("线上会议", "线上", "会议号", "腾讯会议", "飞书会议", "線上會議", "會議號", "online", "meeting id"),
    "host": ("主持人", "主持", "host", "chair"),
    "recorder": ("记录人", "记录", "記錄人", "記錄", "recorder", "minutes taker", "note taker"),
    "preparer": ("材料准备人", "材料準備人", "准备人", "preparer"),
    "attendees": ("参会人员", "参会人", "与会人员", "参加人员", "出席人员", "參會人員", "參會人", "與會人員",
                  "attendees", "participants", "required"),
    "optional": ("列席人员", "列席", "列席人員", "optional"),
    "agenda": ("议程", "会议议程", "议题", "議程", "會議議程", "議題", "agenda"),
}
_KEY_OF = {alias.lower(): key for key, aliases in KEYS.items() for alias in aliases}
_KV = re.compile(r"^\s*[【\[]?\s*(?P<k>[^:：【】\[\]\n]{1,14}?)\s*[】\]]?\s*[:：]\s*(?P<v>.*?)\s*$")


def kv_fields(text: str) -> dict[str, str]:
    """The key-value lines of a mail or a description (full-width or ASCII colons)."""
    out: dict[str, str] = {}
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        mt = _KV.match(line)
        if mt:
            key = _KEY_OF.get(re.sub(r"\s+", " ", mt["k"]).strip().lower())
            if key and key not in out:
                out[key] = mt["v"]
    return out


def one_person(directory: Directory, text: str | None) -> str | None:
    if not text:
        return None
    p = directory.resolve(re.sub(r"[（(][^）)]*[）)]", "", text).strip())
    return p.email if p else None


def people_in(directory: Directory, text: str) -> tuple[list[str], list[str]]:
    """(emails, names nobody or several people match) in a list such as 张伟、李娜，技术部-王*."""
    found, unknown = [], []
    for token in re.split(r"[,，、;；/]+", text or ""):
        token = re.sub(r"[（(][^）)]*[）)]", "", token).strip()
        if not token:
            continue
        email = re.search(r"[^\s<>]+@[^\s<>]+", token)
        candidates = [email.group(0)] if email else [token]
        if not email and directory.resolve(token) is None and " " in token:
            candidates = token.split()
        for c in candidates:
            p = directory.resolve(c)
            if p:
                found.append(p.email)
            else:
                unknown.append(c)
    return list(dict.fromkeys(found)), unknown


_MINUTES = re.compile(r"(\d{1,3})\s*(?:分钟|分鐘|min(?:ute)?s?)", re.I)


def agenda_item(directory: Directory, seq: int, line: str) -> AgendaItem:
    """'市场部需求文档（负责人：张伟，15分钟）' -> title, owner, minutes."""
    title, owner, minutes = line.strip(), None, None
    m = re.search(r"[（(]([^）)]*)[）)]\s*$|\s+[-—–]+\s+(.*)$", title)
    if m:
        detail = m.group(1) or m.group(2) or ""
        title = title[:m.start()].strip()
        for part in re.split(r"[，,、;；]", detail):
            part = re.sub(r"^(负责人|負責人|owner)\s*[:：]", "", part.strip(), flags=re.I).strip()
            mm = _MINUTES.search(part)
            if mm:
                minutes = int(mm.group(1))
            elif part and owner is None:
                owner = one_person(directory, part)
    return AgendaItem(seq=seq, title=title or line.strip(), owner=owner, minutes=minutes)


_VAGUE = re.compile(r"左右|大概|大约|大約|约|約|待定|再定|tbd|ish\b|around", re.I)
_DATE_FORMS = [
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号號]?"),
    re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]?"),
    re.compile(r"(?<![\d:：])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/])"),
]
_AP = r"上午|下午|中午|晚上|早上|今晚|明晚|今早|明早|傍晚|凌晨"
_TIME = re.compile(rf"(?P<ap>{_AP})?\s*(?P<h>\d{{1,2}})\s*(?:(?:[:：]\s*(?P<mi>\d{{2}})"
                   r"|[点點时時]\s*(?:(?P<mi2>\d{1,2})\s*分?|(?P<half>半))?)\s*(?P<en>am|pm)?|(?P<en2>am|pm)\b)", re.I)
# "3-4点", "3–4pm", "from 3 to 4 pm": the unit written once after the end belongs to the start too.
_BARE_RANGE = re.compile(r"(?<![\d:：])(\d{1,2})(\s*(?:[-–—~～至到]|to)\s*)(\d{1,2}(?:[:：]\d{2})?)\s*(点|點|时|時|am\b|pm\b)",
                         re.I)
_EVENING = ("下午", "晚上", "今晚", "明晚", "傍晚")


def parse_when(text: str, now: datetime, tz: str, cal=None) -> tuple[datetime | None, datetime | None, str]:
    """(start, end, problem) from '2026年11月25日（周三）14:00-16:00' and the like."""
    if not text.strip():
        return None, None, "time"
    if _VAGUE.search(text):
        return None, None, "exact_time"
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    day, rest = None, text
    for form in _DATE_FORMS:
        mt = form.search(text)
        if mt:
            y = int(mt.groupdict().get("y") or local.year)
            try:
                day = date(y, int(mt["m"]), int(mt["d"]))
            except ValueError:
                return None, None, "date"
            if not mt.groupdict().get("y") and day < local.date():
                day = day.replace(year=day.year + 1)
            rest = text[:mt.start()] + " " + text[mt.end():]
            break
    found = None
    if day is None:
        found = dates.find_deadline(text, local, cal)
        if found is None or found.due is None or found.vague:
            return None, None, "date"
        day = found.due
        # The deadline reader takes "下周三 下午3点-4点" whole and keeps only the end time: the
        # times are read here from the text itself (day words such as 下周三 hold no time).
    rest = _BARE_RANGE.sub(lambda mt: f"{mt[1]}{mt[4]}{mt[2]}{mt[3]}{mt[4]}", rest)
    rest = re.sub(r"[（(][^）)]*[）)]", " ", rest)
    times = _times(rest, day, zone)
    if times is None:
        return None, None, "time"
    if not times and found is not None and found.time is not None:
        times = [datetime.combine(day, found.time, zone)]   # 两小时后 and other times only it reads
    if not times:
        return None, None, "time"
    start = times[0]
    end = times[1] if len(times) > 1 and times[1] > start else None
    return start, end, ""


def _times(text: str, day: date, zone: ZoneInfo) -> list[datetime] | None:
    """The times of day in `text` on `day`, in order; None when one is no time (25点)."""
    times, last_ap, last_en = [], None, ""
    for mt in _TIME.finditer(text):
        h = int(mt["h"])
        mi = 30 if mt["half"] else int(mt["mi"] or mt["mi2"] or 0)
        ap = mt["ap"] or last_ap
        last_ap = ap
        en = (mt["en"] or mt["en2"] or "").lower()
        if (ap in _EVENING or en == "pm") and h < 12:
            h += 12
        elif (ap == "中午" and h < 6) or (ap is None and not en and 1 <= h <= 7):
            h += 12     # 中午1点; an office meeting at "3点" is at 15:00, as the deadline reader reads it
        if en == "am" and h == 12:
            h = 0
        if h > 23 or mi > 59:
            return None
        times.append(datetime.combine(day, datetime.min.time(), zone).replace(hour=h, minute=mi))
        last_en = en
    # "11:30-12pm": a start that took "pm" from its end only by the shared unit and so lies after
    # the end was a morning time
    if len(times) > 1 and times[0] >= times[1] and times[0].hour >= 12 and last_en == "pm":
        times[0] = times[0].replace(hour=times[0].hour - 12)
    return times


# --------------------------------------------------------------------------- the host's commands
# What a meeting's host writes in its thread to move or cancel it, and the one-click answers to
# mailflow's confirmation. A question ("会议能改到周三吗？") or a negation ("会议不取消") is no command:
# such a mail is read as usual.

@dataclass
class HostCommand:
    action: str                    # move | cancel | confirm_move | confirm_cancel | keep
    start: datetime | None = None  # move / confirm_move: the new time (None when problem is set)
    end: datetime | None = None    # None when only a start was written (the meeting keeps its length)
    reason: str = ""               # cancel / confirm_cancel
    problem: str = ""              # move: date | time | exact_time | past — ask back, never guess
    when_text: str = ""            # the words that named the new time


# a bare 会 is the meeting only when no one "will" (我会改到明天交 is about the writer's own work)
_MEETING = r"(?:会议|會議|例会|例會|周会|週會|开会|開會|(?<![我你他她它们們也都就还還将將应應能可])(?:会|會))"
_PAST_DAY = re.compile(r"昨天|前天|上周|上週|上个?星期|上個?星期|yesterday|\blast\s+\w+day\b", re.I)
_MOVE_ZH = r"(?:改到|改为|改為|改成|改在|改至|改期到|改期至|改期为|改期為|挪到|推迟到|推遲到|推到|提前到|延到|延后到|延後到|顺延到|順延到|调整到|調整到|调到|調到|换到|換到|移到)"
_CANCEL_ZH = r"(?:取消|不开了|不開了)"
_EN_MEETING = r"(?:the\s+|this\s+|our\s+|today'?s\s+|tomorrow'?s\s+)?(?:meeting|call|sync|session|it)"
_NEGATION = re.compile(r"不|别|別|没|沒|无需|無需|勿|\bnot\b|n't\b|\bno longer\b|\bnever\b", re.I)
_QUESTION = re.compile(r"[?？]|吗|嗎|是否|能否|可否|可不可以|能不能|要不要|行不行|\b(?:can|could|shall|should)\s+we\b",
                       re.I)

_CONFIRM_MOVE = re.compile(r"^\s*(?:确认改期|確認改期|confirm\s+(?:the\s+)?(?:move|new\s+time|reschedul\w*))\s*[:：，,]?"
                           r"\s*(?P<when>[^\n]*)", re.I)
_CONFIRM_CANCEL = re.compile(r"^\s*(?:确认取消|確認取消|confirm\s+(?:the\s+)?cancel\w*)\s*[:：，,]?\s*(?P<rest>[^\n]*)",
                             re.I)
_KEEP = re.compile(r"^\s*(?:不要|不用了|不改了|不取消了|keep\s+(?:it|the\s+meeting)(?:\s+as\s+it\s+is)?|do\s+not\s+change"
                   r"(?:\s+it)?|don'?t\s+change(?:\s+it)?)\s*[。.!！]?\s*$", re.I)
_MOVE = [
    re.compile(rf"{_MEETING}(?P<between>[^。！!\n；;]{{0,10}}?){_MOVE_ZH}(?P<when>[^。！!\n；;]*)"),
    re.compile(r"(?P<between>)改期(?:到|至|为|為)?(?P<when>[^。！!\n；;]*)"),
    re.compile(rf"\b(?P<between>(?:move|moving|moved|push|pushed|pushing|shift|shifted|reschedul\w*|postpon\w*)\s+"
               rf"(?:{_EN_MEETING}\s+)?(?:(?:back|forward|out)\s+)?)(?:to|for|until|till)\b(?P<when>[^.!\n;]*)", re.I),
]
_CANCEL = [
    re.compile(rf"{_MEETING}(?P<between>[^。！!\n；;，,]{{0,8}}?){_CANCEL_ZH}"),
    re.compile(r"(?P<between>)取消(?:本次|这次|這次|今天的|明天的|的)?(?:会议|會議|例会|例會|会|會)"),
    re.compile(r"\b(?:meeting|call|sync|session|it)\b(?P<between>[^.!\n;]{0,24}?)\b(?:cancel+ed|called\s+off|is\s+off)\b",
               re.I),
    re.compile(rf"\b(?P<between>)cancel+(?:ing)?\s+{_EN_MEETING}\b", re.I),
]
_REASON = re.compile(r"(?:原因|理由)\s*(?:是|为|為)?\s*[:：]?\s*|因为|因為|由于|由於|\bbecause(?:\s+of)?\b|\bdue\s+to\b|"
                     r"\breason\s*[:：]\s*|\bsince\b|\bas\b", re.I)


def _sentence_of(text: str, mt: re.Match) -> str:
    """The sentence a match stands in (a question mark after it belongs to it)."""
    start = max(text.rfind(c, 0, mt.start()) for c in "。！!\n；;") + 1
    tail = re.search(r"[。！!\n；;]", text[mt.end():])
    end = mt.end() + (tail.end() if tail else len(text) - mt.end())
    return text[start:end]


def _reason(text: str) -> str:
    mt = _REASON.search(text)
    reason = text[mt.end():] if mt else ""
    return re.sub(r"\s+", " ", reason).strip(" ，,。.：:、") [:200]


def read_host_command(text: str, now: datetime, tz: str, cal=None) -> HostCommand | None:
    """The host's move / cancel / confirmation in `text` (new words only), or None."""
    text = (text or "").strip()
    if not text:
        return None
    first = text.split("\n", 1)[0]
    mt = _CONFIRM_MOVE.match(first)
    if mt:
        return _moved("confirm_move", mt["when"], now, tz, cal)
    mt = _CONFIRM_CANCEL.match(first)
    if mt:
        return HostCommand("confirm_cancel", reason=_reason(mt["rest"]) or mt["rest"].strip(" ，,。.：:"))
    if _KEEP.match(first):
        return HostCommand("keep")
    for pattern in _CANCEL:
        mt = pattern.search(text)
        if mt and _plain_statement(text, mt):
            return HostCommand("cancel", reason=_reason(text[mt.end():]))
    for pattern in _MOVE:
        mt = pattern.search(text)
        if mt and _plain_statement(text, mt):
            return _moved("move", mt["when"], now, tz, cal)
    return None


# "上次会议取消了" / "the last meeting was cancelled" speaks of another meeting, not this one
_OTHER_MEETING = re.compile(r"(?:上次|上回|之前|上周|上週|上个月|上個月|去年|\blast|\bprevious|\bearlier)\W{0,2}\w{0,3}\W*$", re.I)


def _plain_statement(text: str, mt: re.Match) -> bool:
    return (not _NEGATION.search(mt["between"] or "") and not _QUESTION.search(_sentence_of(text, mt))
            and not _OTHER_MEETING.search(text[max(0, mt.start() - 12):mt.start()]))


def _moved(action: str, when: str, now: datetime, tz: str, cal) -> HostCommand:
    when = re.sub(r"^\s*(?:周|週)?\s*(?:the\s+)?", "", when or "", flags=re.I).strip(" ，,。.：:")
    when = re.split(r"[，,]\s*(?:原因|因为|因為|由于|由於|because|due to)", when, maxsplit=1)[0]
    start, end, problem = parse_when(when, now, tz, cal) if when else (None, None, "date")
    # 12月1日 written on 2 December rolled to next year: for a meeting that is a past day, not a plan
    rolled = not problem and not re.search(r"\d{4}", when) and (start - now).days > 300
    if not problem and (start <= now or _PAST_DAY.search(when) or rolled):
        problem = "past"
    if problem:
        start = end = None
    return HostCommand(action, start=start, end=end, problem=problem, when_text=when[:120])
