"""Minutes drafts (会议纪要) -> decisions and action items, and the fill-in template.

Pure: no clock, no disk, no network. `now` is the draft's Date; deadlines resolve relative to it.

A draft is read line by line. Headings (会议基本信息, 议程与讨论记录, 决议结果, 行动项, their Traditional
and English forms) set the section a line belongs to, and the section decides what a line may be:

- 行动项 / 待办 / Action items: every line is an action item; ``负责人：`` style lines fill in the item
  above them, or start a new one when the field is already set.
- 决议 / Decisions (and numbered lines before any heading): a line with a clear owner + verb + deadline
  pattern ("由技术部-王*负责接口开发，8月15日前完成", "财务部-周（8月20日前出台清单）") becomes one
  action item per owner group; any other line is a decision ("上线时间暂定为12月1日").
- 议程与讨论记录 / 会议基本信息: never action items, however many names and dates they mention.

Anywhere in the draft, key-value task blocks (任务名称：… / 负责人：… / 计划完成时间：… / 完成标准：…) and
task tables (Markdown pipe tables, or HTML tables as Outlook and Word paste them) are action items.

Each item is then checked (SMART, 唯一责任人) and the problems are listed per item: vague_due, no_due,
no_owner, multiple_owners, unknown_person, ambiguous_person.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

from . import dates
from .model import ActionItem, Meeting, ParsedMinutes, Person, Problem
from .people import Directory

__all__ = ["parse", "template_text", "to_json", "to_table", "problem_hint", "PROBLEM_KINDS"]

PROBLEM_KINDS = ("no_owner", "multiple_owners", "unknown_person", "ambiguous_person", "vague_due", "no_due")

# --- vocabulary ------------------------------------------------------------------------------------

# Field labels of a task, as written in key-value blocks and table headers (compared case-folded,
# with spaces removed for the Chinese ones).
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("任务名称", "任务", "任务内容", "任务事项", "任务描述", "事项", "工作内容", "工作事项",
              "任務名稱", "任務", "任務內容", "任務事項", "任務描述", "工作內容",
              "task", "task name", "action", "title"),
    "owner": ("负责人", "责任人", "唯一责任人", "主要负责人", "主责人", "执行人",
              "負責人", "責任人", "唯一責任人", "主要負責人", "執行人",
              "owner", "responsible", "assignee", "owner (one person)"),
    "collaborators": ("协同人", "协同人员", "协作人", "协助人", "配合人", "协同部门", "配合部门", "协同部门/人",
                      "協同人", "協同人員", "協作人", "協助人", "協同部門", "配合部門",
                      "collaborators", "collaborator", "support", "co-owners", "with"),
    "due": ("截止时间", "截止日期", "计划完成时间", "计划完成日期", "完成时间", "完成日期", "完成时限",
            "期限", "时限", "截止",
            "截止時間", "計劃完成時間", "計畫完成時間", "計劃完成日期", "完成時間", "完成時限", "時限",
            "due", "due date", "deadline", "by"),
    "deliverable": ("交付物", "完成标准", "交付成果", "验收标准", "交付物/完成标准", "输出", "成果",
                    "完成標準", "驗收標準", "輸出",
                    "deliverable", "deliverables", "definition of done", "output", "acceptance"),
}
# A line under one of these labels is read like a line of the 行动项 section ("待办：王磊 周五前提交报价").
ACTION_LINE_LABELS = ("行动项", "待办", "待办事项", "行動項", "待辦", "待辦事項", "action item", "todo", "to-do")

SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "info": ("会议基本信息", "基本信息", "会议信息", "会议概况",
             "會議基本資訊", "會議基本信息", "基本資訊", "會議資訊", "會議概況",
             "meeting information", "meeting info", "basic information", "meeting details"),
    "discussion": ("议程与讨论记录", "议程及讨论记录", "议程与讨论", "讨论记录", "讨论要点", "讨论内容",
                   "讨论情况", "会议内容", "会议记录", "议程", "分歧点",
                   "議程與討論記錄", "議程及討論記錄", "議程與討論", "討論記錄", "討論要點", "討論內容",
                   "討論情況", "會議內容", "會議記錄", "議程",
                   "agenda and discussion", "discussion", "discussion notes", "notes", "agenda",
                   "discussion points"),
    "decisions": ("决议结果", "决议", "会议决议", "决议事项", "决定事项", "会议结论", "结论",
                  "決議結果", "決議", "會議決議", "決議事項", "決定事項", "會議結論", "結論",
                  "decisions", "decision", "resolutions", "conclusions", "decisions made"),
    "actions": ("行动项", "行动计划", "待办事项", "待办", "任务", "任务分配", "任务分配表", "后续行动",
                "跟进事项", "后续跟进",
                "行動項", "行動計劃", "待辦事項", "待辦", "任務", "任務分配", "任務分配表", "後續行動",
                "跟進事項", "後續跟進",
                "action items", "actions", "tasks", "to-do", "todo", "next steps", "follow-ups",
                "action items and owners"),
    "other": ("附件", "附件清单", "备注", "附件清單", "備註", "attachments"),
}

# Values that mean "nobody / no date" rather than naming someone or something.
EMPTY_VALUES = {"", "无", "無", "暂无", "暫無", "-", "—", "--", "/", "／", "n/a", "na", "none", "tbd", "待定",
                "未定", "待確定", "待确定", "（空）", "(空)", "空"}

VERBS_OWN = "负责|負責|牵头|牽頭|主导|主導|跟进|跟進|落实|落實|承办|承辦"
VERBS_HELP = "配合|协助|協助|协同|協同|支持"

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# a department and a (masked) name with an explicit separator: 技术部-王*, 财务部－周, 运营中心·孙
DEPT_DASH = re.compile(rf"[{_CJK}A-Za-z]{{1,12}}?(?:部|处|處|科|室|组|組|中心)\s*[-－—–·・]\s*[{_CJK}]{{1,4}}[*＊×]*")
NUMBERING = re.compile(
    r"^\s*(?:[-*+]\s*\[[ xX✓]?\]\s*"
    r"|[-*+•·●▪◦○■□◆◇>]+\s*"
    r"|[(（]?\d{1,2}[)）]\s*"
    r"|\d{1,2}(?:[.．、](?!\d)|\s+(?=\S))\s*"
    r"|[(（]?[一二三四五六七八九十]{1,3}[)）、.．]\s*"
    r"|第[一二三四五六七八九十\d]{1,3}[条條项項点點][:：、.．]?\s*"
    r"|[a-zA-Z][.)]\s+)"
)
AGENDA_HEADING = re.compile(
    r"^(?:议题|議題|topic|agenda item|item)\s*[#（(]?\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）]?(?:\s*[:：.．、]|\s|$)",
    re.I)
KV_LINE = re.compile(r"^(?P<label>[^：:|]{1,24}?)\s*[：:]\s*(?P<value>.*)$")
TABLE_SEP_CELL = re.compile(r"^:?-{2,}:?$")
COMMENT_MARK = "※"
# Labels of the meeting's facts: such a line is never a task, whatever date or name it holds.
INFO_LABELS = ("会议名称", "会议主题", "会议时间", "时间", "日期", "会议日期", "地点", "会议地点", "线上会议",
               "主持人", "记录人", "记录", "审核人", "参会人员", "参会人", "参会", "出席", "出席人员",
               "列席人员", "列席", "缺席人员", "缺席", "缺席人员及原因", "抄送", "应到", "实到", "会议目标",
               "會議名稱", "會議主題", "會議時間", "時間", "會議日期", "會議地點", "線上會議", "記錄人", "記錄",
               "審核人", "參會人員", "參會人", "參會", "出席人員", "列席人員", "缺席人員", "缺席人員及原因",
               "會議目標", "title", "time", "date", "location", "online", "host", "recorder", "attendees",
               "optional attendees", "absent", "absent (reason)", "cc", "meeting", "subject", "goal")


# Traditional -> Simplified for the characters of department names and common names, so that
# "財務部-周" in a Taipei draft finds 财务部's 周敏 (and 技术部 finds 技術部). Only used to look
# people up when the text as written names nobody.
_T2S = str.maketrans(
    "務術營場產總經質財資購銷發運劃計設員辦處組層險監關係際軟體數據網絡訊護測試審張陳劉楊黃趙吳孫鄭馮蔣"
    "許鄧蕭葉蘇盧呂韓錢羅謝鍾龍萬偉麗華強軍傑濤紅鳳勝東蘭靜顧蔡彭鄒魯歐陽齊範賈鄒閻譚廣門業製質術學"
    "權責協區隊處團級長專項機電貨鏈庫戶視頻聯媒銀稅薪務審務運維開測營銷語譯書檔證規劃創韋歸賴莊鐘陸"
    "蓋戴塗鄺錦濱澤瑩瓊娟燕鵬飛鴻輝暉熾穎賢寧慶興榮"
    ,
    "务术营场产总经质财资购销发运划计设员办处组层险监关系际软体数据网络讯护测试审张陈刘杨黄赵吴孙郑冯蒋"
    "许邓萧叶苏卢吕韩钱罗谢钟龙万伟丽华强军杰涛红凤胜东兰静顾蔡彭邹鲁欧阳齐范贾邹阎谭广门业制质术学"
    "权责协区队处团级长专项机电货链库户视频联媒银税薪务审务运维开测营销语译书档证规划创韦归赖庄钟陆"
    "盖戴涂邝锦滨泽莹琼娟燕鹏飞鸿辉晖炽颖贤宁庆兴荣"
)


def _simplified(text: str) -> str:
    return text.translate(_T2S)


def _fold(label: str) -> str:
    label = unicodedata.normalize("NFKC", label).strip().casefold()
    label = re.sub(r"[*_#`【】\[\]]", "", label).strip()
    return re.sub(r"\s+", " ", label)


def _squash(label: str) -> str:
    return re.sub(r"\s+", "", label)


def _index(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, ws in words.items():
        for w in ws:
            out.setdefault(_fold(w), kind)
            out.setdefault(_squash(_fold(w)), kind)
    return out


_FIELD_OF = _index(FIELD_LABELS)
_SECTION_OF = _index(SECTION_WORDS)
_ACTION_LINE = {_squash(_fold(w)) for w in ACTION_LINE_LABELS}
_INFO_LABELS = {_squash(_fold(w)) for w in INFO_LABELS}
_INLINE_LABEL = re.compile(
    r"(?:(?<=^)|(?<=[\s，,；;|｜。、(（]))("
    + "|".join(re.escape(w) for w in sorted({w for ws in FIELD_LABELS.values() for w in ws
                                             if w not in ("by", "with")}, key=len, reverse=True))
    + r")\s*[：:]", re.I)
_TITLE_NUMBERED = re.compile(r"^(?P<base>.+?)\s*[#（(]?\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）]?$")


def field_of(label: str) -> str | None:
    """The task field a label names ("負責人" -> "owner", "Task 2" -> "title"), or None."""
    f = _fold(label)
    kind = _FIELD_OF.get(f) or _FIELD_OF.get(_squash(f))
    if kind:
        return kind
    m = _TITLE_NUMBERED.match(f)
    if m:
        base = _squash(m.group("base"))
        if _FIELD_OF.get(base) == "title" or base in _ACTION_LINE:
            return "title"
    return None


def _section_of(text: str) -> str | None:
    f = _fold(NUMBERING.sub("", text, count=1))
    f = re.sub(r"[:：]\s*$", "", f).strip()
    f = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", f).strip()   # 行动项（任务分配）
    return _SECTION_OF.get(f) or _SECTION_OF.get(_squash(f))


# --- the parse -------------------------------------------------------------------------------------

@dataclass
class _Item:
    """An action item being read; people and the date are still text."""

    title: str = ""
    line: str = ""
    line_no: int | None = None
    owners: list[str] = field(default_factory=list)
    owner_line: str = ""
    owner_given: bool = False          # an owner field was written (maybe as 待定)
    collaborators: list[str] = field(default_factory=list)
    collab_line: str = ""
    due_text: str | None = None
    deadline: dates.Deadline | None = None   # found inside a sentence
    due_line: str = ""
    deliverable: str = ""
    multiline: str | None = None       # the field that continues on the next lines
    fields: set[str] = field(default_factory=set)

    def empty(self) -> bool:
        return not (self.title or self.owners or self.collaborators or self.due_text
                    or self.deadline or self.deliverable or self.owner_given)


class _Reader:
    def __init__(self, directory: Directory, now: datetime, cal) -> None:
        self.dir = directory
        self.now = now
        self.cal = cal
        self.items: list[_Item] = []
        self.decisions: list[str] = []
        self.block: _Item | None = None

    _folded_dir: Directory | None = None
    _names: list[str] | None = None

    def _folded(self) -> Directory:
        if self._folded_dir is None:
            self._folded_dir = Directory([
                Person(name=_simplified(p.name), email=p.email, department=_simplified(p.department),
                       aliases=[_simplified(a) for a in p.aliases]) for p in self.dir.people])
        return self._folded_dir

    # --- dates and people -----------------------------------------------------------------
    def find_all(self, text: str):
        return dates.find_all(text, self.now, self.cal)

    def find_deadline(self, text: str):
        return dates.find_deadline(text, self.now, self.cal)

    def resolve_due(self, text: str):
        return dates.resolve(text, self.now, self.cal) or dates.find_deadline(text, self.now, self.cal)

    def find_people(self, ref: str) -> list[Person]:
        ref = _clean_ref(ref)
        if not ref:
            return []
        m = EMAIL_IN_TEXT.search(ref)
        if m:
            return self.dir.find(m.group(0))
        found = self.dir.find(ref)
        if not found:                                   # 財務部-周 written for 财务部's 周敏, or the reverse
            found = [self.dir.get(p.email) for p in self._folded().find(_simplified(ref))]
        if found:
            return found
        # "王磊（技术部）", "王磊 技术部"
        m = re.match(r"^(?P<name>[^（(]+?)\s*[（(](?P<note>[^）)]*)[）)]$", ref)
        if m:
            found = self.dir.find(m.group("name"))
            note = m.group("note").strip()
            narrowed = [p for p in found if p.department and p.department == note]
            return narrowed or found
        return []

    def person_like(self, ref: str) -> bool:
        ref = _clean_ref(ref)
        return bool(ref) and (bool(self.find_people(ref)) or bool(DEPT_DASH.fullmatch(ref))
                              or bool(EMAIL_IN_TEXT.fullmatch(ref)))

    def split_refs(self, text: str) -> list[str]:
        """"运营部-孙、技术部-王" -> two references; "王磊 李娜" too when each names someone."""
        text = _clean_ref(text)
        if _fold(text) in EMPTY_VALUES:
            return []
        parts = re.split(rf"\s*(?:[、，,;；&＆]|(?<![部处處科室组組心])[/／]|\band\b|(?<=[{_CJK}\*＊])(?:和|及|与|與|以及)(?=[{_CJK}]))\s*",
                         text)
        out: list[str] = []
        for part in parts:
            part = _clean_ref(part)
            if not part or _fold(part) in EMPTY_VALUES:
                continue
            if not self.find_people(part) and re.search(r"\s", part):
                words = part.split()
                if all(self.find_people(w) for w in words):
                    out.extend(words)
                    continue
            out.append(part)
        return out

    def all_people_like(self, text: str) -> list[str] | None:
        refs = self.split_refs(text)
        if refs and all(self.person_like(r) for r in refs):
            return refs
        return None

    # --- lines ---------------------------------------------------------------------------
    def close(self) -> None:
        if self.block is not None and not self.block.empty():
            self.items.append(self.block)
        self.block = None

    def start(self, raw: str, line_no: int) -> _Item:
        self.close()
        self.block = _Item(line=raw, line_no=line_no)
        return self.block

    def kv(self, fld: str, value: str, raw: str, line_no: int, may_start: bool = True) -> None:
        """A 负责人：… line: fill the open block, or start one (a repeated field starts the next)."""
        b = self.block
        if b is None or fld in b.fields or (fld == "title" and b.title):
            if not may_start and fld != "title":
                return
            b = self.start(raw, line_no)
        b.fields.add(fld)
        b.multiline = None
        value = value.strip()
        if fld == "title":
            b.title = _strip_marks(value)
            b.line, b.line_no = raw, line_no
        elif fld == "owner":
            b.owner_given = bool(value)
            b.owners = self.split_refs(value)
            b.owner_line = raw
        elif fld == "collaborators":
            b.collaborators = self.split_refs(value)
            b.collab_line = raw
        elif fld == "due":
            b.due_text = value
            b.deadline = None
            b.due_line = raw
        elif fld == "deliverable":
            b.deliverable = value
            if not value:
                b.multiline = "deliverable"

    def inline_fields(self, text: str) -> tuple[str, dict[str, str]] | None:
        """"接口开发，负责人：王磊，截止：8月15日" -> ("接口开发", {owner, due})."""
        hits = list(_INLINE_LABEL.finditer(text))
        if not hits or not any(field_of(h.group(1)) in ("owner", "due") for h in hits):
            return None
        head = text[:hits[0].start()]
        fields: dict[str, str] = {}
        for i, h in enumerate(hits):
            end = hits[i + 1].start() if i + 1 < len(hits) else len(text)
            fields[field_of(h.group(1)) or ""] = text[h.end():end].strip(" \t，,；;|｜。、(（)）")
        return _strip_marks(head.strip(" \t，,；;|｜。、:：")), fields

    def sentence_items(self, text: str, raw: str, line_no: int) -> list[_Item] | None:
        """Owner + verb (+ deadline) sentences; None when the sentence is not a task."""
        inline = self.inline_fields(text)
        if inline:
            head, fields = inline
            it = _Item(line=raw, line_no=line_no)
            it.title = fields.get("title") or head
            if "owner" in fields:
                it.owner_given, it.owners, it.owner_line = bool(fields["owner"]), self.split_refs(fields["owner"]), raw
            if "collaborators" in fields:
                it.collaborators, it.collab_line = self.split_refs(fields["collaborators"]), raw
            if "due" in fields:
                it.due_text, it.due_line = fields["due"], raw
            it.deliverable = fields.get("deliverable", "")
            return [it]

        # X（8月20日前出台清单）Y、Z（9月10日前完成系统原型）
        groups = list(re.finditer(r"[（(]([^（）()]*)[）)]", text))
        found: list[_Item] = []
        prev = 0
        for g in groups:
            who = re.split(r"[，,；;。：:]", text[prev:g.start()])[-1]
            who = re.sub(r"^\s*(?:由|请|請|并由|並由)", "", who).strip()
            body = g.group(1)
            refs = self.all_people_like(who) if who else None
            deadline = self.find_deadline(body) if refs else None
            if refs and deadline is not None:
                it = _Item(line=raw, line_no=line_no, owners=refs, owner_line=raw, owner_given=True,
                           deadline=deadline, due_line=raw)
                it.title = self.clean_title(body, it)
                found.append(it)
            prev = g.end()
        if found:
            return found

        # 由X负责Y，8月15日前完成 / 接口开发由X负责 / X负责Y
        m = re.search(rf"(?:^|[，,；;：:\s]|(?<=[{_CJK}]))(?:并由|並由|由)(?P<who>[^，,。；;：:]{{1,30}}?)(?:{VERBS_OWN})(?P<what>.*)$", text)
        if m and (self.all_people_like(m.group("who"))
                  or re.fullmatch(rf"[{_CJK}A-Za-z·\-－*＊ ]{{2,12}}", m.group("who").strip())):
            before = text[:m.start()]
            before = re.sub(r"(?:会议|會議)?(?:决定|決定|同意|确定|確定|要求|明确|明確)\s*$", "", before)
            return [self._owned(m.group("who"), m.group("what"), before, text, raw, line_no)]
        m = re.match(rf"^(?P<who>[^，,。；;：:]{{1,30}}?)(?:{VERBS_OWN})(?P<what>.+)$", text)
        if m and self.all_people_like(m.group("who")):
            return [self._owned(m.group("who"), m.group("what"), "", text, raw, line_no)]
        # English: "Alice to send the API spec by Aug 15", "Wang Lei will ..."
        m = re.match(r"^(?P<who>[^,;:()]{1,40}?)\s+(?:to|will|owns|is to)\s+(?P<what>.+)$", text, re.I)
        if m and self.all_people_like(m.group("who")):
            return [self._owned(m.group("who"), m.group("what"), "", text, raw, line_no)]
        return None

    def _owned(self, who: str, what: str, before: str, text: str, raw: str, line_no: int) -> _Item:
        it = _Item(line=raw, line_no=line_no, owners=self.all_people_like(who) or self.split_refs(who),
                   owner_line=raw,
                   owner_given=True, due_line=raw)
        it.deadline = self.find_deadline(text)
        what = re.sub(rf"^(?:{VERBS_OWN})+", "", what)
        it.title = self.clean_title(what, it) or self.clean_title(before, it)
        return it

    def clean_title(self, text: str, it: _Item | None = None) -> str:
        """Drop the deadline and filler from a task sentence; collect "X配合" as collaborators."""
        spans = self.find_all(text)
        for start, end, _ in sorted(spans, reverse=True):
            text = text[:start] + "\x00" + text[end:]
        clauses = re.split(r"[，,；;。\x00]", text)
        kept: list[str] = []
        for c in clauses:
            c = c.strip()
            c = re.sub(r"^(?:之前|以前|前|以内|内|內|为止|為止|截止|于|於|在|请|請|需|须|須|应|應)\s*", "", c)
            c = re.sub(r"\s*(?:by|before|until|on|no later than)$", "", c, flags=re.I).strip()
            if not c:
                continue
            m = re.match(rf"^(?:由|请|請)?(?P<who>.+?)(?:{VERBS_HELP})(?:完成|配合)?$", c)
            if it is not None and m and self.all_people_like(m.group("who")):
                it.collaborators += self.all_people_like(m.group("who")) or []
                it.collab_line = it.collab_line or it.line
                continue
            if re.fullmatch(r"(?:完成|办结|辦結|完成任务|完成任務|提交|交付|done|complete|completed|finish)", c, re.I):
                continue
            kept.append(c)
        return _strip_marks("，".join(kept))

    def action_line(self, text: str, raw: str, line_no: int, listed: bool = True) -> None:
        """One line of the 行动项 section: an action item when it is numbered or bulleted, or names
        an owner or a deadline (so "谢谢！" under the table is not one)."""
        self.close()
        if _fold(text) in EMPTY_VALUES:                # 行动项：无
            return
        self._action_line(text, raw, line_no)
        b = self.block
        if b is not None and not listed and not b.owners and b.deadline is None and not b.collaborators:
            self.block = None
        elif b is not None and not listed and not b.title and b.deadline is None:
            self.block = None                          # a sign-off ("孙丽") under the list, not a task

    def _action_line(self, text: str, raw: str, line_no: int) -> None:
        items = self.sentence_items(text, raw, line_no)
        if items:
            self.items.extend(items[:-1])
            self.block = items[-1]
            return
        it = _Item(line=raw, line_no=line_no)
        m = KV_LINE.match(text)
        if m and self.all_people_like(m.group("label")):            # 王磊：周五前提交报价
            it.owners, it.owner_line, it.owner_given = self.all_people_like(m.group("label")) or [], raw, True
            it.deadline, it.due_line = self.find_deadline(m.group("value")), raw
            it.title = self.clean_title(m.group("value"), it)
            self.block = it
            return
        # 接口开发 — 技术部-王* — 8月15日前 / 接口开发，王磊，8月15日
        parts = [p for p in re.split(r"\s*(?:——|—|\s[-－–]\s|｜|\t|，|,|；|;|\s{2,})\s*", text) if p.strip()]
        if len(parts) > 1:
            title_parts: list[str] = []
            for p in parts:
                refs = self.all_people_like(p)
                if refs and not it.owners:
                    it.owners, it.owner_line, it.owner_given = refs, raw, True
                elif refs:
                    it.collaborators += refs
                    it.collab_line = raw
                elif it.deadline is None and (found := dates.resolve(p, self.now, self.cal)) is not None:
                    it.deadline, it.due_line = found, raw
                else:
                    title_parts.append(p)
            if it.owners:
                it.title = self.clean_title("，".join(title_parts), it)
                if it.deadline is None:
                    it.deadline, it.due_line = self.find_deadline("，".join(title_parts)), raw
                self.block = it
                return
            it = _Item(line=raw, line_no=line_no)
        # 王磊8月15日前完成接口联调: the people the line starts with
        refs, rest = self._leading_people(text)
        if refs:
            it.owners, it.owner_line, it.owner_given = refs, raw, True
            text = rest
        it.deadline, it.due_line = self.find_deadline(text), raw
        it.title = self.clean_title(text, it)
        self.block = it

    def _all_names(self) -> list[str]:
        """Every name, alias and email in the directory, longest first (built once per draft)."""
        if self._names is None:
            self._names = sorted({n for p in self.dir.people for n in [p.name, *p.aliases, p.email] if n},
                                 key=len, reverse=True)
        return self._names

    def _leading_people(self, text: str) -> tuple[list[str], str]:
        names = self._all_names()
        refs: list[str] = []
        rest = text.lstrip("@ ")
        while rest:
            m = DEPT_DASH.match(rest)
            hit = None
            if m:
                # the longest prefix of the name that names someone; else the bare surname
                for end in range(m.end(), m.start(), -1):
                    if self.find_people(rest[:end]):
                        hit = rest[:end]
                        break
                hit = hit or re.match(rf"[^-－—–·・]+[-－—–·・]\s*[{_CJK}][*＊×]*", rest).group(0)
            else:
                hit = next((n for n in names if rest.casefold().startswith(n.casefold())), None)
            if not hit:
                break
            refs.append(hit)
            rest = rest[len(hit):]
            sep = re.match(r"^\s*(?:[、,，&＆/／]|和|及|与|與|and\s)\s*@?", rest)
            if not sep:
                break
            rest = rest[sep.end():]
        return refs, rest.strip()

    def decision_line(self, text: str, raw: str, line_no: int) -> None:
        self.close()
        if _fold(text) in EMPTY_VALUES:                # 决议结果：无
            return
        items = self.sentence_items(text, raw, line_no)
        if items:
            self.items.extend(items)
        else:
            self.decisions.append(_strip_marks(text))

    def table(self, rows: list[tuple[list[str], str, int]]) -> None:
        """A pipe table: a task table when its header names a task and an owner or a due date."""
        self.close()
        header_at, columns = None, {}
        for i, (cells, _, _) in enumerate(rows[:3]):
            cols = {j: field_of(c) for j, c in enumerate(cells) if c.strip()}
            cols = {j: f for j, f in cols.items() if f}
            if "title" in cols.values() and ({"owner", "due"} & set(cols.values())):
                header_at, columns = i, cols
                break
            decision_cols = [j for j, c in enumerate(cells) if _section_of(c) == "decisions"]
            if decision_cols:
                for cells2, raw2, no2 in rows[i + 1:]:
                    if _is_separator_row(cells2):
                        continue
                    j = decision_cols[0]
                    if j < len(cells2) and cells2[j].strip():
                        self.decision_line(_strip_marks(cells2[j]), raw2, no2)
                return
        if header_at is None:
            return
        for cells, raw, line_no in rows[header_at + 1:]:
            if _is_separator_row(cells) or not any(c.strip() for c in cells):
                continue
            it = _Item(line=raw, line_no=line_no)
            for j, fld in columns.items():
                value = cells[j].strip() if j < len(cells) else ""
                if fld == "title":
                    it.title = _strip_marks(value)
                elif fld == "owner":
                    it.owner_given, it.owners, it.owner_line = bool(value), self.split_refs(value), raw
                elif fld == "collaborators":
                    it.collaborators, it.collab_line = self.split_refs(value), raw
                elif fld == "due":
                    it.due_text, it.due_line = value, raw
                elif fld == "deliverable":
                    it.deliverable = value
            if "due" not in columns.values():
                it.due_text = None
            if not it.empty():
                self.items.append(it)

    # --- the checks ----------------------------------------------------------------------
    def finish(self) -> ParsedMinutes:
        self.close()
        out = ParsedMinutes(decisions=[d for d in self.decisions if d])
        for n, it in enumerate(self.items, start=1):
            problems: list[Problem] = []
            owner_line = it.owner_line or it.line
            owners: list[str | None] = []
            for ref in it.owners:
                owners.append(self._one(ref, n, owner_line, problems))
            if not it.owners:
                detail = "负责人未填写" if not it.owner_given else "负责人待定"
                problems.append(Problem(n, "no_owner", it.line.strip(), detail))
            elif len(it.owners) > 1:
                problems.append(Problem(n, "multiple_owners", owner_line.strip(), "、".join(it.owners)))
            collaborators: list[str] = []
            for email in owners[1:]:
                if email:
                    collaborators.append(email)
            for ref in it.collaborators:
                email = self._one(ref, n, it.collab_line or it.line, problems)
                if email:
                    collaborators.append(email)
            owner = owners[0] if owners else None
            collaborators = [c for i, c in enumerate(collaborators) if c != owner and c not in collaborators[:i]]

            due = None
            deadline = it.deadline
            due_line = (it.due_line or it.line).strip()
            if deadline is None and it.due_text is not None and _fold(it.due_text) not in EMPTY_VALUES:
                deadline = self.resolve_due(it.due_text)
                if deadline is None:
                    problems.append(Problem(n, "vague_due", due_line, f"无法识别的日期：{it.due_text}"))
            if deadline is not None:
                if deadline.vague or deadline.due is None:
                    problems.append(Problem(n, "vague_due", due_line, deadline.text))
                else:
                    due = deadline.due
            elif it.due_text is None or _fold(it.due_text) in EMPTY_VALUES:
                if it.due_text is not None and _fold(it.due_text) in ("待定", "未定", "tbd", "待确定", "待確定"):
                    problems.append(Problem(n, "vague_due", due_line, it.due_text))
                else:
                    problems.append(Problem(n, "no_due", due_line, "没有截止日期"))

            out.action_items.append(ActionItem(
                title=it.title, owner=owner, collaborators=collaborators, due=due,
                deliverable=it.deliverable.strip(), line=it.line.strip(), line_no=it.line_no))
            out.problems.extend(problems)
        return out

    def _one(self, ref: str, n: int, line: str, problems: list[Problem]) -> str | None:
        found = self.find_people(ref)
        if len(found) == 1:
            return found[0].email
        if not found:
            problems.append(Problem(n, "unknown_person", line.strip(), ref))
        else:
            problems.append(Problem(n, "ambiguous_person", line.strip(),
                                    f"{ref}：" + "、".join(f"{p.name} <{p.email}>" for p in found)))
        return None


def _clean_ref(ref: str) -> str:
    ref = ref.strip().strip("@ \t，,；;。.:：")
    ref = re.sub(r"^(?:由|请|請)", "", ref) if len(ref) > 2 else ref
    ref = re.sub(r"(?:等人|等|同学|同學|老师|老師)$", "", ref).strip()
    return ref


def _strip_marks(text: str) -> str:
    text = text.strip()
    text = re.sub(r"^\*\*(.*)\*\*$", r"\1", text)
    return text.strip(" \t，,；;。")


def _is_separator_row(cells: list[str]) -> bool:
    cells = [c.strip() for c in cells if c.strip()]
    return bool(cells) and all(TABLE_SEP_CELL.match(c) for c in cells)


def _split_pipe_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells = re.split(r"(?<!\\)\|", line)
    return [c.replace("\\|", "|").strip() for c in cells]


def _is_table_line(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") and s.count("|") >= 2 or s.count("|") >= 3


def _normalize_line(line: str) -> str:
    line = line.replace("\u3000", " ").replace("\xa0", " ").replace("\u200b", "").replace("\ufeff", "")
    return line.rstrip()


def parse(text: str, directory: Directory, now: datetime, cal=None, html: str | None = None) -> ParsedMinutes:
    """Read a minutes draft: decisions, action items and the problems of each item.

    `text` is the decoded plain text; `html`, when the draft came as HTML, is read instead (its
    tables with a real HTML parser, and the text around them)."""
    if html:
        from_html = html_to_text(html)
        if from_html.strip():
            text = from_html
    r = _Reader(directory, now, cal)
    lines = [_normalize_line(x) for x in (text or "").splitlines()]
    section: str | None = None
    i = 0
    while i < len(lines):
        raw = lines[i]
        line_no = i + 1
        s = raw.strip()
        i += 1
        if not s:
            if r.block is not None:
                r.block.multiline = None
            continue
        if s.startswith(COMMENT_MARK) or re.fullmatch(r"[-=_*~]{3,}", s):
            continue
        if _is_table_line(s):
            rows = []
            j = i - 1
            while j < len(lines) and _is_table_line(lines[j]):
                rows.append((_split_pipe_row(lines[j]), lines[j].strip(), j + 1))
                j += 1
            i = j
            r.table(rows)
            continue
        body = NUMBERING.sub("", s, count=1).strip()
        if not body:                                   # "2. " left empty in the template
            continue
        if AGENDA_HEADING.match(s) or AGENDA_HEADING.match(body):
            r.close()
            section = "discussion"
            continue
        heading = _section_of(s)
        if heading:
            r.close()
            section = heading
            continue
        m = KV_LINE.match(body)
        if m:
            label, value = m.group("label"), m.group("value").strip()
            fld = field_of(label)
            squashed = _squash(_fold(label))
            if squashed in _INFO_LABELS:
                r.close()
                continue
            if squashed in _ACTION_LINE and value:
                r.action_line(value, s, line_no)
                continue
            if fld and len(_INLINE_LABEL.findall(body)) > 1 and r.inline_fields(body):
                r.close()                               # 负责人：王磊；任务：…；截止：… on one line
                r.items.extend(r.sentence_items(body, s, line_no) or [])
                continue
            if fld:
                r.kv(fld, value, s, line_no, may_start=section in (None, "actions", "decisions"))
                continue
            kind = _section_of(label)
            if kind:
                if not value:
                    r.close()
                    section = kind
                elif kind == "decisions":
                    r.decision_line(value, s, line_no)
                elif kind == "actions":
                    r.action_line(value, s, line_no)
                else:
                    r.close()
                    section = kind
                continue
        if r.block is not None and r.block.multiline == "deliverable":
            r.block.deliverable = (r.block.deliverable + "；" if r.block.deliverable else "") + body
            continue
        numbered = body != s or bool(NUMBERING.match(s))
        if section == "actions":
            r.action_line(body, s, line_no, listed=numbered)
        elif section == "decisions":
            r.decision_line(body, s, line_no)
        elif section is None:
            items = r.sentence_items(body, s, line_no)
            r.close()
            if items:
                r.items.extend(items)
            elif numbered:
                r.decisions.append(_strip_marks(body))
        else:
            r.close()
    return r.finish()


# --- HTML ------------------------------------------------------------------------------------------

_BLOCKS = {"p", "div", "li", "ul", "ol", "tr", "table", "tbody", "thead", "tfoot", "h1", "h2", "h3", "h4",
           "h5", "h6", "blockquote", "pre", "hr", "section", "article", "header", "footer", "dl", "dt", "dd",
           "td", "th", "caption", "body", "html", "center", "address", "form", "fieldset"}
_SKIP = {"script", "style", "head", "title", "meta", "link", "xml", "template", "noscript"}


def _collapse(s: str) -> str:
    s = re.sub(rf"(?<=[{_CJK}，。；：、（）])[ \t\r\n]*[\r\n][ \t\r\n]*(?=[{_CJK}，。；：、（）])", "", s)
    return re.sub(r"[ \t\r\n\f]+", " ", s)


def _walk(node: Tag, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction, CData)):
            continue
        if isinstance(child, NavigableString):
            out.append(_collapse(str(child)))
            continue
        if not isinstance(child, Tag):
            continue
        name = (child.name or "").lower()
        if name in _SKIP:
            continue
        if name == "br":
            out.append("\n")
            continue
        if name == "table" and child.find("table") is None:
            out.append("\n" + "\n".join(_pipe_rows(child)) + "\n")
            continue
        block = name in _BLOCKS
        if block:
            out.append("\n")
        _walk(child, out)
        if block:
            out.append("\n")


def _cell_text(cell: Tag) -> str:
    out: list[str] = []
    _walk(cell, out)
    parts = [p.strip() for p in "".join(out).replace("\xa0", " ").split("\n")]
    return " ".join(p for p in parts if p).replace("|", "｜")


def _pipe_rows(table: Tag) -> list[str]:
    """An HTML table as pipe-table lines (colspan repeated, rowspan carried down)."""
    rows: list[list[str]] = []
    carry: dict[int, tuple[str, int]] = {}
    for tr in table.find_all("tr"):
        cells: list[str] = []
        col = 0
        tds = tr.find_all(["td", "th"], recursive=False)
        queue = list(tds)
        while queue or col in carry:
            if col in carry:
                text, left = carry[col]
                cells.append(text)
                if left <= 1:
                    del carry[col]
                else:
                    carry[col] = (text, left - 1)
                col += 1
                continue
            td = queue.pop(0)
            text = _cell_text(td)
            span = _int(td.get("colspan"), 1)
            down = _int(td.get("rowspan"), 1)
            for _ in range(span):
                cells.append(text)
                if down > 1:
                    carry[col] = (text, down - 1)
                col += 1
        if any(c.strip() for c in cells):
            rows.append(cells)
    return ["| " + " | ".join(r) + " |" for r in rows]


def _int(value, default: int) -> int:
    try:
        return max(1, int(str(value).strip()))
    except (TypeError, ValueError):
        return default


def html_to_text(html: str) -> str:
    """Plain text of an HTML draft; each innermost table becomes a pipe table."""
    soup = BeautifulSoup(html, "html.parser")
    out: list[str] = []
    _walk(soup, out)
    lines = [ln.strip() for ln in "".join(out).replace("\xa0", " ").split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# --- the template sent to the recorder --------------------------------------------------------------

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


# --- output --------------------------------------------------------------------------------------

def to_json(parsed: ParsedMinutes) -> dict:
    """The JSON contract of `mailflow minutes parse --json`."""
    return {
        "decisions": list(parsed.decisions),
        "action_items": [{"title": a.title, "owner": a.owner, "collaborators": list(a.collaborators),
                          "due": a.due.isoformat() if a.due else None, "deliverable": a.deliverable}
                         for a in parsed.action_items],
        "problems": [{"item": p.item, "kind": p.kind, "line": p.line} for p in parsed.problems],
    }


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _fit(s: str, width: int) -> str:
    if _width(s) <= width:
        return s + " " * (width - _width(s))
    out, w = "", 0
    for ch in s:
        if w + _width(ch) > width - 1:
            break
        out, w = out + ch, w + _width(ch)
    return out + "…" + " " * (width - 1 - w)


def to_table(parsed: ParsedMinutes, max_width: int = 36) -> str:
    """A plain-text view of a parsed draft for the terminal (CJK characters count double)."""
    head = ["#", "任务 task", "负责人 owner", "协同人 with", "截止 due", "交付物 deliverable"]
    rows = [[str(n), a.title, a.owner or "-", ", ".join(a.collaborators) or "-",
             a.due.isoformat() if a.due else "-", a.deliverable or "-"]
            for n, a in enumerate(parsed.action_items, start=1)]
    widths = [min(max_width, max(_width(r[i]) for r in [head, *rows])) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(_fit(c, w) for c, w in zip(cells, widths)).rstrip()

    out = ["决议 decisions:"]
    out += [f"  {n}. {d}" for n, d in enumerate(parsed.decisions, start=1)] or ["  -"]
    out += ["", "行动项 action items:"]
    if rows:
        out += ["  " + line(head), "  " + "  ".join("-" * w for w in widths)]
        out += ["  " + line(r) for r in rows]
    else:
        out.append("  -")
    out += ["", "问题 problems:"]
    out += [f"  #{p.item if p.item is not None else '-'} {p.kind}: {p.line}" + (f"  ({p.detail})" if p.detail else "")
            for p in parsed.problems] or ["  -"]
    return "\n".join(out) + "\n"


_HINTS = {
    "zh-CN": {
        "no_owner": "请写明一位负责人（唯一责任人）。",
        "multiple_owners": "负责人只能有一位：已把第一位作为负责人，其他人作为协同人，请确认或改写。",
        "unknown_person": "通讯录里找不到这个人：请写姓名、邮箱或“部门-姓名”。",
        "ambiguous_person": "有不止一个人符合：请写全名或邮箱。",
        "vague_due": "请写具体的截止日期（如 8月15日前），不要写“尽快”“待定”“近期”。",
        "no_due": "请补充截止日期。",
    },
    "zh-TW": {
        "no_owner": "請寫明一位負責人（唯一責任人）。",
        "multiple_owners": "負責人只能有一位：已把第一位作為負責人，其他人作為協同人，請確認或改寫。",
        "unknown_person": "通訊錄裡找不到這個人：請寫姓名、郵箱或「部門-姓名」。",
        "ambiguous_person": "有不止一個人符合：請寫全名或郵箱。",
        "vague_due": "請寫具體的截止日期（如 8月15日前），不要寫「盡快」「待定」「近期」。",
        "no_due": "請補充截止日期。",
    },
    "en": {
        "no_owner": "Name one owner.",
        "multiple_owners": "One owner per item: the first is now the owner and the others collaborators; confirm or rewrite.",
        "unknown_person": "Nobody in the directory matches: write a full name, an email or department-name.",
        "ambiguous_person": "Several people match: write the full name or the email.",
        "vague_due": "Give a concrete due date (e.g. 2026-08-15), not ASAP or TBD.",
        "no_due": "Add a due date.",
    },
}


def problem_hint(kind: str, lang: str = "zh-CN") -> str:
    """How the recorder fixes a problem of this kind, in their language."""
    return (_HINTS.get(lang) or _HINTS["zh-CN"]).get(kind, "")
