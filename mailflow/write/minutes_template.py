"""The plain-text minutes template mailflow sends the recorder, filled with the meeting's facts.

Pure. `minutes.parse` reads a filled-in copy back: the decisions under 决议结果 and one action item
per filled 任务 group; the information and discussion sections are never read as tasks.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ..model import Meeting
from ..read.people import Directory

_T = {
    "zh-CN": {
        "heading": "{title} 会议纪要（草稿）",
        "notes": ["※ 请直接在本邮件正文中填写后回复；以 ※ 开头的说明行可以保留，不会被读取。",
                  "※ 每个行动项只写一位负责人（唯一责任人），其他人写在“协同人”；"
                  "人员可写姓名、邮箱，或“部门-姓名”（如 技术部-王磊）。",
                  "※ 截止时间请写具体日期（如 2026-08-15、8月15日前），不要写“尽快”“待定”。",
                  "※ 只是讨论、不需要人去做的内容，请写在“讨论要点”或“决议结果”里。"],
        "info": "一、会议基本信息", "name": "会议名称", "time": "会议时间", "place": "会议地点",
        "online": "线上会议", "host": "主持人", "recorder": "记录人", "attendees": "参会人员",
        "optional": "列席人员", "absent": "缺席人员及原因",
        "agenda": "二、议程与讨论记录", "topic": "议题{n}：{title}", "topic_owner": "负责人 {who}",
        "topic_minutes": "{m}分钟", "outcome": "预期成果", "points": "讨论要点",
        "decisions": "三、决议结果", "actions": "四、行动项",
        "task": "任务{n}", "owner": "负责人", "collaborators": "协同人", "due": "截止时间",
        "deliverable": "交付物", "sep": "、", "group": "；", "colon": "：", "paren": "（{}）",
        "add": "※ 行动项不够时，复制一组“任务/负责人/协同人/截止时间/交付物”并改编号。",
    },
    "zh-TW": {
        "heading": "{title} 會議紀要（草稿）",
        "notes": ["※ 請直接在本郵件正文中填寫後回覆；以 ※ 開頭的說明行可以保留，不會被讀取。",
                  "※ 每個行動項只寫一位負責人（唯一責任人），其他人寫在「協同人」；"
                  "人員可寫姓名、郵箱，或「部門-姓名」（如 技術部-王磊）。",
                  "※ 截止時間請寫具體日期（如 2026-08-15、8月15日前），不要寫「盡快」「待定」。",
                  "※ 只是討論、不需要人去做的內容，請寫在「討論要點」或「決議結果」裡。"],
        "info": "一、會議基本資訊", "name": "會議名稱", "time": "會議時間", "place": "會議地點",
        "online": "線上會議", "host": "主持人", "recorder": "記錄人", "attendees": "參會人員",
        "optional": "列席人員", "absent": "缺席人員及原因",
        "agenda": "二、議程與討論記錄", "topic": "議題{n}：{title}", "topic_owner": "負責人 {who}",
        "topic_minutes": "{m}分鐘", "outcome": "預期成果", "points": "討論要點",
        "decisions": "三、決議結果", "actions": "四、行動項",
        "task": "任務{n}", "owner": "負責人", "collaborators": "協同人", "due": "截止時間",
        "deliverable": "交付物", "sep": "、", "group": "；", "colon": "：", "paren": "（{}）",
        "add": "※ 行動項不夠時，複製一組「任務/負責人/協同人/截止時間/交付物」並改編號。",
    },
    "en": {
        "heading": "Minutes of {title} (draft)",
        "notes": ["※ Fill this in and reply; lines starting with ※ are instructions and are not read.",
                  "※ One owner per action item; everyone else goes under Collaborators. "
                  "Write a name, an email, or department-name (e.g. 技术部-王磊).",
                  "※ Give each due date as a date (2026-08-15), not ASAP or TBD.",
                  "※ Anything that is discussion, not work for someone, belongs under Discussion or Decisions."],
        "info": "1. Meeting information", "name": "Title", "time": "Time", "place": "Location",
        "online": "Online", "host": "Host", "recorder": "Recorder", "attendees": "Attendees",
        "optional": "Optional attendees", "absent": "Absent (reason)",
        "agenda": "2. Agenda and discussion", "topic": "Topic {n}: {title}", "topic_owner": "owner {who}",
        "topic_minutes": "{m} min", "outcome": "Expected outcome", "points": "Discussion",
        "decisions": "3. Decisions", "actions": "4. Action items",
        "task": "Task {n}", "owner": "Owner", "collaborators": "Collaborators", "due": "Due",
        "deliverable": "Deliverable", "sep": ", ", "group": "; ", "colon": ": ", "paren": " ({})",
        "add": "※ Need more action items? Copy a Task/Owner/Collaborators/Due/Deliverable group and renumber it.",
    },
}
_WEEKDAYS = {"zh-CN": "一二三四五六日", "zh-TW": "一二三四五六日"}


def template_text(meeting: Meeting, directory: Directory, lang: str = "zh-CN", blank_items: int = 3) -> str:
    """The plain-text minutes template for the recorder, filled with the meeting's facts and agenda.

    `parse` reads a filled-in copy back: the decisions under 决议结果 and one action item per
    filled 任务 group; the information and discussion sections are never read as tasks."""
    t = _T.get(lang) or _T["zh-CN"]
    c = t["colon"]

    def who(email: str | None) -> str:
        if not email:
            return ""
        p = directory.get(email)
        if p is None:
            a = meeting.attendee(email)
            return (a.name if a and a.name else email)
        return p.name + (t["paren"].format(p.department) if p.department else "")

    tz = ZoneInfo(meeting.tz or "Asia/Shanghai")
    start, end = meeting.start.astimezone(tz), meeting.end.astimezone(tz)
    when = start.strftime("%Y-%m-%d")
    if lang in _WEEKDAYS:
        when += t["paren"].format(("周" if lang == "zh-CN" else "週") + _WEEKDAYS[lang][start.weekday()])
    else:
        when += " (" + start.strftime("%a") + ")"
    when += " " + start.strftime("%H:%M") + "-"
    when += end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M")
    place = meeting.location
    if meeting.online:
        place = (place + t["group"] if place else "") + t["online"] + c + meeting.online

    def grouped(role_optional: bool) -> str:
        groups: dict[str, list[str]] = {}
        for a in meeting.attendees:
            if a.required == role_optional:
                continue
            p = directory.get(a.email)
            dept = p.department if p else ""
            groups.setdefault(dept, []).append(p.name if p else (a.name or a.email))
        return t["group"].join((d + c if d else "") + t["sep"].join(ns) for d, ns in groups.items())

    out = [t["heading"].format(title=meeting.title), *t["notes"], "",
           t["info"],
           t["name"] + c + meeting.title,
           t["time"] + c + when,
           t["place"] + c + place,
           t["host"] + c + who(meeting.host),
           t["recorder"] + c + who(meeting.recorder),
           t["attendees"] + c + grouped(False)]
    optional = grouped(True)
    if optional:
        out.append(t["optional"] + c + optional)
    out += [t["absent"] + c, "", t["agenda"]]
    agenda = meeting.agenda or []
    for n, item in enumerate(agenda or [None], start=1):
        if item is None:
            out.append(t["topic"].format(n=n, title="").rstrip(" ：:"))
        else:
            extra = []
            if item.owner:
                extra.append(t["topic_owner"].format(who=who(item.owner)))
            if item.minutes:
                extra.append(t["topic_minutes"].format(m=item.minutes))
            line = t["topic"].format(n=item.seq or n, title=item.title)
            if extra:
                line += t["paren"].format(t["group"].join(extra))
            out.append(line)
            if item.outcome:
                out.append(t["outcome"] + c + item.outcome)
        out += [t["points"] + c, ""]
    out += [t["decisions"], "1. ", "2. ", "", t["actions"], t["add"]]
    for n in range(1, blank_items + 1):
        out += [t["task"].format(n=n) + c, t["owner"] + c, t["collaborators"] + c, t["due"] + c,
                t["deliverable"] + c, ""]
    return "\n".join(line.rstrip() for line in out).rstrip() + "\n"


