"""Reading a meeting out of free text: the key-value lines of a 会议通知 mail or of an invitation's
description, lists of people, agenda lines and the times people write.

Pure: no I/O, no clock (`now` is a parameter). meetings.py builds the Meeting from what these read.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from . import core, dates
from .model import AgendaItem

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


def one_person(ctx: core.Context, text: str | None) -> str | None:
    if not text:
        return None
    p = ctx.directory.resolve(re.sub(r"[（(][^）)]*[）)]", "", text).strip())
    return p.email if p else None


def people_in(ctx: core.Context, text: str) -> tuple[list[str], list[str]]:
    """(emails, names nobody or several people match) in a list such as 张伟、李娜，技术部-王*."""
    found, unknown = [], []
    for token in re.split(r"[,，、;；/]+", text or ""):
        token = re.sub(r"[（(][^）)]*[）)]", "", token).strip()
        if not token:
            continue
        email = re.search(r"[^\s<>]+@[^\s<>]+", token)
        candidates = [email.group(0)] if email else [token]
        if not email and ctx.directory.resolve(token) is None and " " in token:
            candidates = token.split()
        for c in candidates:
            p = ctx.directory.resolve(c)
            if p:
                found.append(p.email)
            else:
                unknown.append(c)
    return list(dict.fromkeys(found)), unknown


_MINUTES = re.compile(r"(\d{1,3})\s*(?:分钟|分鐘|min(?:ute)?s?)", re.I)


def agenda_item(ctx: core.Context, seq: int, line: str) -> AgendaItem:
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
                owner = one_person(ctx, part)
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
