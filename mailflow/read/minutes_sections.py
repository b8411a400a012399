"""A minutes draft cut into sections by its headings, before any item is read. Pure.

A heading is recognised by its shape and words (minutes_text.heading_kind): a decisions heading
(会议决议, 决定, 結論, Decisions, 会上定了), a discussion or meeting-facts heading (讨论情况, 数据回顾,
会议概况), the fill-in template's own headings, or any other heading (行动项, 工作分工, TODO, one
never seen before), whose lines minutes judges one by one. Also the labels both steps share: a
meeting fact (时间：…), a key-value line, a label that puts a list of tasks on one line. Split out of
minutes, which reads the items of each section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .minutes_text import Line, Table, blocks, field_of, fold_label, heading_kind, heading_text

__all__ = ["Section", "cut_sections", "leading_field", "INFO_LABEL", "KV", "LIST_LABEL", "COMMENT_MARK"]

# Labels of the meeting's facts: such a line is never a task, whatever date or name it holds.
INFO_LABEL = re.compile(
    r"^(?:会议|會議)?(?:名称|名稱|主题|主題|时间|時間|日期|地点|地點|议程|議程|目标|目標)$|^(?:线上会议|線上會議|主持人?|主席|记录人?|記錄人?|纪录|紀錄|"
    r"审核人|審核人|参会人员|参会人|参会|參會人員|參會|参与|參與|出席人员|出席人員|出席|列席人员|列席人員|列席|缺席人员|缺席人員|缺席|"
    r"缺席人员及原因|缺席人員及原因|抄送|应到|實到|实到|應到|发件人|寄件者|收件人|主题|地址|电话|電話|手机|手機|邮箱|郵箱|"
    r"title|time|date|location|venue|online|host|chair|recorder|minutes|minutes by|notes|note taker|attendees|"
    r"participants|optional attendees|absent|absent \(reason\)|cc|meeting|subject|goal|from|to|sent)$", re.I)
_AGENDA = re.compile(r"^(?:议题|議題|topic|agenda item)\s*[#（(]?\s*(?:\d+|[一二三四五六七八九十]+)", re.I)
COMMENT_MARK = "※"
# labels that put a whole list of tasks on their own line: "工作安排：一是…；二是…", "行动项：1. …；2. …"
LIST_LABEL = re.compile(r"(?:会后|會後|后续|後續|下一步|下步)?(?:工作|任务|任務)?(?:安排|分工|落实|落實|跟进事项|跟進事項|计划|計劃)"
                         r"|(?:后续|後續|下一步)工作|行动项|行動項|待办|待辦|待办事项|待辦事項|action items?|todo|to-do|next steps|follow-ups",
                         re.I)
KV = re.compile(r"^(?P<label>[^：:|]{1,24}?)\s*[：:]\s*(?P<value>.*)$")



@dataclass
class Section:
    kind: str     # unknown | preamble | actions | mixed | decisions | discussion | info | unheaded (no heading at all)
    entries: list = field(default_factory=list)


def _is_decoration(mark_text: str) -> bool:
    ch = mark_text.strip()[:1]
    return bool(ch) and (ord(ch) >= 0x1F000 or 0x2700 <= ord(ch) <= 0x27BF or 0x2600 <= ord(ch) <= 0x26FF)


# the section headings of the fill-in template (templates/<lang>/minutes__fill_in.txt) and common others
_SECTION_NAMES = {fold_label(h) for h in (
    "会议基本信息", "议程与讨论记录", "决议结果", "行动项", "會議基本資訊", "議程與討論記錄", "決議結果", "行動項",
    "Meeting information", "Agenda and discussion", "Decisions", "Action items")} | {
    "meeting information", "agenda", "discussion", "decisions", "action items", "actions", "next steps", "to-do",
    "todo", "follow-ups"}


def _heading(line: Line) -> str | None:
    """The words of a heading, or None."""
    if line.mark in ("arabic", "letter", "code") and fold_label(line.body) in _SECTION_NAMES:
        return line.body
    if line.mark == "bullet" and not _is_decoration(line.raw[: max(0, len(line.raw) - len(line.body))]) \
            and "【" not in line.raw and not line.raw.startswith(("**", "__")):
        return None
    h = heading_text(line)
    if not h or INFO_LABEL.match(fold_label(h)):
        return None
    fld = field_of(h)
    if fld and (fld != "title" or re.search(r"[\d一二三四五六七八九十]\s*$", h) or fold_label(h) in ("任务", "任務", "事项", "事項", "task", "title", "item", "action")):
        return None                      # 负责人： / 任务1： start a field, not a section
    return h


def _next_line(bl: list, i: int) -> Line | None:
    for b in bl[i + 1:]:
        if isinstance(b, Table):
            return None
        if b.raw:
            return b
    return None


def cut_sections(text: str) -> list[Section]:
    out = [Section("unknown")]
    numbered_seen = blank = False
    bl = blocks(text)
    for i, b in enumerate(bl):
        cur = out[-1]
        if isinstance(b, Table):
            cur.entries.append(b)
            blank = False
            continue
        if not b.raw:
            cur.entries.append(b)
            blank = True
            continue
        if b.raw.startswith(COMMENT_MARK) or re.fullmatch(r"[-=_*~—]{3,}", b.raw):
            continue
        if _AGENDA.match(b.body) or _AGENDA.match(b.raw):
            out.append(Section("discussion"))
            numbered_seen = blank = False
            continue
        h = _heading(b)
        nxt = _next_line(bl, i) if h else None
        if h and nxt is not None and leading_field(nxt.body) not in (None, "title") \
                and heading_kind(h) == "unknown":
            h = None                          # "年度预算编制" above "负责人：…" titles a task
        if h and heading_kind(h) == "unknown" and cur.kind in ("actions", "mixed") and cur.entries \
                and not blank:
            h = None                          # "技术部" over its part of the list: a sub-heading
        if h:
            out.append(Section(heading_kind(h)))
            numbered_seen = blank = False
            continue
        kv = KV.match(b.body)
        if kv and not kv.group("value").strip():
            label = kv.group("label")
            kind = heading_kind(label)
            nxt = _next_line(bl, i)
            titles_next = field_of(label) == "title" and (nxt is None or leading_field(nxt.body) in (None, "title"))
            if (not field_of(label) or titles_next) and kind in ("decisions", "discussion", "mixed", "actions", "info"):
                out.append(Section(kind))
                numbered_seen = blank = False
                continue
        if kv and kv.group("value").strip() and LIST_LABEL.fullmatch(fold_label(kv.group("label"))) \
                and cur.kind != "actions":
            out.append(Section("actions"))         # 工作安排：一是…；二是… starts the list on its own line
            cur = out[-1]
            numbered_seen = blank = False
        # a plain line after a numbered list and a blank line closes the list ("以上，如有补充请回复")
        if numbered_seen and blank and b.mark is None and cur.kind in ("decisions", "actions", "mixed") \
                and not (kv and field_of(kv.group("label"))):
            out.append(Section("unknown"))
            cur = out[-1]
            numbered_seen = False
        numbered_seen = numbered_seen or b.mark is not None
        blank = False
        cur.entries.append(b)
    return out


def leading_field(body: str) -> str | None:
    """The field a line starts with ("负责人：…" -> owner, "Owner: …" -> owner, "任务：…" -> title)."""
    from .minutes_items import _LABEL_COLON, _LABEL_SPACE
    m = _LABEL_COLON.match(body) or _LABEL_SPACE.match(body)
    return field_of(m.group("label") or m.groupdict().get("label2") or "") if m else None
