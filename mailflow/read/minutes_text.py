"""The shape of a minutes draft: lines, numbering, headings, field labels and tables.

Pure. `blocks(text)` cuts a draft into Line and Table blocks; a table is recognised by its shape
(Markdown pipes, TAB-separated cells as Excel, Word and our HTML reader give them), never by its
words (an HTML draft becomes that same text through htmltext, tables as TAB-separated rows). The
words live here too: what a heading is about (decisions, discussion, meeting facts) and which task
field a label names (负责人 -> owner).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .zh import SMALL_NUMERALS

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"

# --- numbering -------------------------------------------------------------------------------------

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
NUMBERING = re.compile(
    r"^\s*(?:"
    r"(?P<check>[-*+]\s*\[[ xX✓✔]?\]\s*)"
    r"|(?P<bullet>(?:[-*+•·●▪◦○■□◆◇▶►➤→>]|[\u2190-\u2bff\U0001F300-\U0001FAFF])+\s*)"
    rf"|(?P<circled>[{_CIRCLED}]\s*)"
    r"|(?P<paren>[(（\[［]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）\]］]\s*|#\d{1,2}[.:：]?\s+)"
    r"|(?P<arabic>\d{1,2}(?:[.．、)）](?!\d)|\s+(?=[^\d\s]))\s*)"
    rf"|(?P<cjk>[{SMALL_NUMERALS}]{{1,3}}(?:[、.．]|是(?=[由{_CJK}]))\s*)"
    r"|(?P<nth>第[一二三四五六七八九十\d]{1,3}[条條项項点點][:：、.．]?\s*)"
    r"|(?P<code>(?:AI|A|T|TODO|Task|Item|D|No\.?)\s*-?\s*\d{1,2}[.:：)]?\s+)"
    r"|(?P<letter>[a-zA-Z][.)]\s+)"
    r")")


def split_numbering(s: str) -> tuple[str | None, str]:
    """("arabic", "由技术部-王磊负责…") for "1. 由技术部-王磊负责…"; (None, s) when the line is not numbered."""
    m = NUMBERING.match(s)
    if not m or m.end() == 0:
        return None, s.strip()
    kind = next(k for k, v in m.groupdict().items() if v)
    body = s[m.end():].strip()
    if kind == "bullet" and m.group(0).strip() == ">":
        return None, s.strip()
    return kind, body


# --- lines and tables --------------------------------------------------------------------------------

@dataclass
class Line:
    no: int                  # 1-based line number in the text read
    raw: str                 # the line as written (stripped)
    mark: str | None         # the kind of numbering or bullet, None for a plain line
    body: str                # the line without its numbering
    indent: int = 0


@dataclass
class Table:
    rows: list[list[str]]
    raws: list[str]
    nos: list[int]
    cells_joined: list[str] = field(default_factory=list)


_BOLD = re.compile(r"\*\*([^*\n]+?)\*\*|__([^_\n]+?)__")


def normalize_line(line: str) -> str:
    line = line.replace("\u3000", " ").replace("\xa0", " ").replace("\u200b", "").replace("\ufeff", "")
    return line.rstrip(" \r\n")


def _pipe_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", s)]


def _is_pipe_row(s: str) -> bool:
    s = s.strip()
    return (s.startswith("|") and s.count("|") >= 2) or s.count("|") >= 3


def _is_separator(cells: list[str]) -> bool:
    cells = [c for c in cells if c.strip()]
    return bool(cells) and all(re.fullmatch(r":?-{2,}:?|[-—=]{2,}", c.strip()) for c in cells)


def _tab_cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def blocks(text: str) -> list[Line | Table]:
    """The draft as Line and Table blocks, blank lines kept as Line(mark=None, body="")."""
    lines = [normalize_line(x) for x in (text or "").splitlines()]
    out: list[Line | Table] = []
    i = 0
    while i < len(lines):
        s = lines[i]
        if _is_pipe_row(s) or "\t" in s.strip(" "):
            j, rows, raws, nos = i, [], [], []
            pipe = _is_pipe_row(s)
            while j < len(lines) and (_is_pipe_row(lines[j]) if pipe else "\t" in lines[j].strip(" ")):
                cells = _pipe_cells(lines[j]) if pipe else _tab_cells(lines[j])
                if not _is_separator(cells):
                    rows.append(cells)
                    raws.append(lines[j].strip())
                    nos.append(j + 1)
                j += 1
            wide = [r for r in rows if sum(1 for c in r if c) >= 2]
            if len(wide) >= 2:
                out.append(Table(rows, raws, nos))
                i = j
                continue
            s = " ".join(c for c in (_pipe_cells(s) if pipe else _tab_cells(s)) if c) if not pipe else s
        stripped = s.strip()
        plain = _BOLD.sub(lambda m: m.group(1) or m.group(2), stripped)          # Markdown **bold** / __bold__ is emphasis, not content
        mark, body = split_numbering(plain) if plain else (None, "")
        out.append(Line(i + 1, stripped, mark, body, len(s) - len(s.lstrip(" \t"))))
        i += 1
    return out


# --- words -------------------------------------------------------------------------------------------

def fold_label(label: str) -> str:
    label = unicodedata.normalize("NFKC", label or "").strip().casefold()
    label = re.sub(r"[*_#`【】\[\]《》「」]", "", label)
    return re.sub(r"\s+", " ", label).strip(" :：")


# Exact labels of task fields, as written before a colon (or a space) in a line.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("任务名称", "任务", "任务内容", "任务事项", "任务描述", "事项", "工作内容", "工作事项", "工作任务", "行动项",
              "待办事项", "待办", "任務名稱", "任務", "任務內容", "任務事項", "任務描述", "工作內容", "待辦事項", "行動項",
              "task", "task name", "action", "action item", "title", "item", "todo", "to-do"),
    "owner": ("负责人", "责任人", "唯一责任人", "主要负责人", "主责人", "执行人", "牵头人", "负责", "主责", "牵头", "主办",
              "承办人", "经办人", "跟进人", "对接人",
              "負責人", "責任人", "唯一責任人", "主要負責人", "執行人", "牽頭人", "負責",
              "owner", "owners", "responsible", "assignee", "assigned to", "dri", "lead", "pic", "who"),
    "collaborators": ("协同人", "协同", "协同人员", "协作人", "协助人", "协助", "配合人", "配合", "协办", "协办人",
                      "协同部门", "配合部门", "支持", "支持人",
                      "協同人", "協同", "協同人員", "協作人", "協助人", "協助", "協辦", "協辦人", "協同部門", "配合部門",
                      "collaborators", "collaborator", "support", "supporting", "with", "helpers", "cc"),
    "due": ("截止时间", "截止日期", "计划完成时间", "计划完成日期", "完成时间", "完成日期", "完成时限", "时间节点",
            "完成期限", "截至", "截止于", "要求完成时间", "预计完成时间", "计划时间", "完成节点", "到期日", "交付时间",
            "交付日期", "完成期限", "時間節點", "完成期限",
            "期限", "时限", "截止", "时间", "日期", "节点",
            "截止時間", "截止日期", "計劃完成時間", "計畫完成時間", "計劃完成日期", "完成時間", "完成日期", "完成時限",
            "時間節點", "時限", "時間", "期限",
            "due", "due date", "deadline", "by", "eta", "target date", "when"),
    "deliverable": ("交付物", "交付", "交付成果", "完成标准", "验收标准", "输出", "输出物", "产出", "产出物", "成果",
                    "成果物", "交付内容", "输出成果",
                    "交付標準", "完成標準", "驗收標準", "輸出", "輸出物", "產出", "產出物",
                    "deliverable", "deliverables", "definition of done", "output", "outputs", "acceptance"),
}
_FIELD_OF = {fold_label(w): k for k, ws in FIELD_LABELS.items() for w in ws}
_FIELD_OF.update({re.sub(r"\s+", "", fold_label(w)): k for k, ws in FIELD_LABELS.items() for w in ws})

# Column headers are judged by what they contain (any header a tracker sheet may have)
_HEADER_WORDS: list[tuple[str, re.Pattern]] = [
    ("seq", re.compile(r"^(?:#|no\.?|序号|序號|项次|項次|编号|編號|id|序)$")),
    ("collaborators", re.compile(r"协|協|配合|支持|support|collab|helper|^with$")),
    ("owner", re.compile(r"负责|負責|责任|責任|执行人|執行人|牵头|牽頭|承办|承辦|主办|主辦|跟进人|跟進人|owner|responsible|"
                         r"assignee|\bdri\b|^lead$|^pic$|^who$")),
    ("due", re.compile(r"时间|時間|日期|期限|截止|时限|時限|节点|節點|^(?:计划|計劃|計畫|预计|預計|要求)?完成$|due|deadline|date|eta|"
                       r"when|by$")),
    ("deliverable", re.compile(r"交付|产出|產出|输出|輸出|成果|标准|標準|deliverable|output|definition")),
    ("status", re.compile(r"状态|狀態|进度|進度|status|progress|备注|備註|remark|note")),
    ("title", re.compile(r"事项|事項|任务|任務|行动|行動|工作|内容|內容|待办|待辦|名称|名稱|action|task|item|title|todo|to-do")),
]


def field_of(label: str) -> str | None:
    """The task field a written label names ("負責人" -> "owner", "Task 2" -> "title"), or None."""
    f = fold_label(label)
    kind = _FIELD_OF.get(f) or _FIELD_OF.get(f.replace(" ", ""))
    if kind:
        return kind
    m = re.match(r"^(.+?)\s*[#（(]?\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）]?$", f)
    if m and _FIELD_OF.get(m.group(1).replace(" ", "")) == "title":
        return "title"
    return None


def column_of(header: str) -> str | None:
    """What a table column holds, judged from its header cell."""
    f = fold_label(header).replace(" ", "")
    if not f:
        return None
    if _FIELD_OF.get(f):
        return _FIELD_OF[f]
    for kind, rx in _HEADER_WORDS:
        if rx.search(f):
            return kind
    return None


# What a heading is about. Decisions and discussion are told apart by their words; an action-item
# section is recognised by what its lines hold, whatever its heading says.
_DECISION_WORDS = re.compile(r"决议|決議|决定|決定|结论|結論|共识|共識|定了|议定|議定|决策|決策|decision|decided|resolution|agreed|"
                             r"conclusion|outcome")
_ACTION_WORDS = re.compile(r"行动|行動|待办|待辦|任务|任務|分工|安排|跟进|跟進|追踪|追蹤|下一步|后续|後續|落实|落實|todo|to-do|"
                           r"action|next step|follow|tasks|assignment")
_DISCUSSION_WORDS = re.compile(r"讨论|討論|回顾|回顧|情况|情況|内容|內容|议题|議題|议程|議程|汇报|匯報|进展|進展|背景|概况|概況|通报|通報|"
                               r"要点|要點|发言|發言|分析|数据|數據|现状|現狀|问题|問題|意见|意見|说明|說明|复盘|復盤|摘要|研讨|研討|座谈|座談|交流|述职|述職|听取|聽取|"
                               r"discussion|agenda|background|update|review|notes|recap|status|highlights|topic|summary|points|"
                               r"findings|observations")
_INFO_WORDS = re.compile(r"基本信息|基本資訊|会议信息|會議資訊|会议概况|參會|参会|出席|meeting info|attendees|participants|附件|attachment")


def heading_kind(text: str) -> str:
    """decisions | discussion | info | mixed | actions | unknown for a heading's words."""
    f = fold_label(text)
    decision = bool(_DECISION_WORDS.search(f))
    action = bool(_ACTION_WORDS.search(f))
    if decision and action:
        return "mixed"
    if decision:
        return "decisions"
    if action:
        return "actions"
    if _INFO_WORDS.search(f):
        return "info"
    if _DISCUSSION_WORDS.search(f):
        return "discussion"
    return "unknown"


def heading_text(line: Line) -> str | None:
    """The words of a heading line ("三、会议决定", "【行动项】", "## TODO", "Action items / 行动项",
    "📌【行动项】"), or None when the line is not a heading: a heading is short, holds no sentence and
    no date, and is not numbered the way items are (1. ① （1） -)."""
    raw = _BOLD.sub(lambda m: m.group(1) or m.group(2), line.raw)
    if not raw or len(raw) > 40:
        return None
    md = raw.startswith("#")
    bracket = re.search(r"【([^】]{1,20})】", raw)
    if line.mark in ("arabic", "circled", "paren", "check", "letter", "nth", "code") and not md:
        return None
    if line.mark == "bullet" and not bracket and not md and not re.match(r"^[^\w\s\-*+•·●]", raw):
        return None
    text = bracket.group(1) if bracket else re.sub(r"^#{1,6}\s*", "", line.body if line.mark == "cjk" else raw)
    text = re.sub(r"^[^\w(（]+", "", text).strip()
    text = re.sub(r"[:：]\s*$", "", text).strip()
    if not text or len(text) > 30:
        return None
    if re.search(r"[，,。；;！!？?]|\d{1,2}\s*[月/.]\s*\d{1,2}|\d{4}", text):
        return None
    if re.search(r"[:：@＠]", text) or re.search(r"前$|日前|之前|明天|今天|今晚|下班|本周|下周|本週|下週|月底|尽快|盡快", text):
        return None                                       # a short task ("@王磊 明天下班前发出"), not a heading
    return text
