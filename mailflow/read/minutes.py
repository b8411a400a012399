"""Minutes drafts (会议纪要) -> decisions and action items, each item with what is wrong with it.

Pure: no clock, no disk, no network. `now` is the draft's Date; deadlines resolve relative to it.

How a draft is read (minutes_text cuts it into lines and tables, minutes_sections into sections,
minutes_items reads one item, people_refs says who a name is):
- Headings cut the draft into sections. A decisions heading (会议决议, 决定, 結論, Decisions, 会上定了)
  gives decisions; a discussion or meeting-facts heading (讨论情况, 数据回顾, 会议概况) gives nothing,
  however many names and dates its lines hold. Any other section — 行动项, 工作分工, 【后续工作安排】,
  TODO, or a heading never seen before — is judged by its lines: numbered or bulleted lines that name
  an owner, a date or a field (负责人/截止/交付) are action items.
- A table is known by its shape (pipes, TABs, HTML cells) and read by its header: a column of owners
  and one of tasks make a task table wherever it stands; a column of 决议 makes decisions.
- An item has exactly one owner (唯一责任人): several people, a department, nobody, an outsider or a
  name several people share leave the owner empty with a problem. Dates must be concrete (SMART).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .minutes_items import Draft, ItemReader
from .htmltext import html_to_text
from .minutes_sections import INFO_LABEL, KV, LIST_LABEL, Section, cut_sections, leading_field
from .minutes_text import Line, Table, column_of, field_of, fold_label, heading_kind, split_numbering
from ..model import ActionItem, ParsedMinutes, Problem
from .people import Directory
from .people_refs import PeopleRefs

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

__all__ = ["parse", "problem_hint", "forwarded_part",
           "PROBLEM_KINDS"]

PROBLEM_KINDS = ("no_owner", "multiple_owners", "unknown_person", "ambiguous_person", "vague_due", "no_due")

# Side notes under a list: never a task ("注：…", "备注：…", "另：…", "PS: …")
_NOTE_LABEL = re.compile(r"^(?:注|注意|备注|備註|说明|說明|另|附|附注|附註|补充|補充|更正|ps|p\.s\.|note|notes|remark|remarks)$", re.I)
# what a cover note asks of its readers about the minutes themselves
_ABOUT_MINUTES = re.compile(r"审阅|審閱|查收|查阅|查閱|阅知|閱知|核对|核對|补充|補充|指正|review|comments?|feedback", re.I)
# several numbered items written on one line: "1. …；2. …"
_INLINE_ITEMS = re.compile(r"[；;。]\s*(?=(?:\d{1,2}|[一二三四五六七八九十]{1,2})[.、．)）]|[一二三四五六七八九十]是|[①②③④⑤⑥⑦⑧⑨⑩])")


@dataclass
class _Found:
    draft: Draft
    line: str
    line_no: int | None


class _Reader:
    def __init__(self, directory: Directory, now: datetime, cal) -> None:
        self.refs = PeopleRefs(directory)
        self.items = ItemReader(self.refs, now, cal)
        self.found: list[_Found] = []
        self.decisions: list[str] = []

    # --- decisions -----------------------------------------------------------------------------
    def decision(self, text: str) -> None:
        text = text.strip()
        # "1. 每周三固定召开质量周会；2. P0缺陷24小时内必须响应" holds two
        parts = re.split(r"[；;]\s*(?=(?:\d{1,2}|[一二三四五六七八九十]{1,2})[.、．)）])", text)
        for p in parts:
            p = re.sub(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})[.、．)）]\s*", "", p)
            p = p.strip(" \t，,；;。")
            if p and fold_label(p) not in ("无", "無", "none", "n/a"):
                self.decisions.append(p)

    def decision_section(self, sec: Section) -> None:
        for e in sec.entries:
            if isinstance(e, Table):
                self.table(e, "decisions")
            elif e.raw:
                kv = KV.match(e.body)
                if kv and (INFO_LABEL.match(fold_label(kv.group("label"))) or _NOTE_LABEL.match(fold_label(kv.group("label")))):
                    continue
                if self._reported(e.body):
                    continue                         # "王磊表示…" is discussion, whatever its heading
                # a decision that hands out work to someone by a date is an action item too
                drafts = self.items.read(e.body)
                if drafts and all(d.has_due and self._keep(d, "unknown") and self._names_a_person(d) for d in drafts):
                    self.found.extend(_Found(d, e.raw, e.no) for d in drafts)
                else:
                    self.decision(e.body)

    # --- action sections ---------------------------------------------------------------------------
    def action_section(self, sec: Section) -> None:
        open_: _Found | None = None
        title_line: _Found | None = None          # an unnumbered line that may title the fields below

        def close() -> None:
            nonlocal open_
            if open_ is not None and self._keep(open_.draft, sec.kind):
                self.found.append(open_)
            open_ = None

        for e in sec.entries:
            if isinstance(e, Table):
                close()
                self.table(e, sec.kind)
                continue
            if not e.raw:
                if open_ is not None and not open_.draft.title_only and not _only_title_field(open_.draft):
                    close()
                title_line = None
                continue
            kv = KV.match(e.body)
            label = fold_label(kv.group("label")) if kv else ""
            if kv and _NOTE_LABEL.match(label):
                close()
                continue
            if kv and INFO_LABEL.match(re.sub(r"^[^\w]+", "", label)) and (open_ is None or not field_of(label)):
                continue
            if kv and heading_kind(label) == "decisions" and not field_of(label):
                close()
                self.decision(kv.group("value"))
                continue
            if kv and kv.group("value").strip() and LIST_LABEL.fullmatch(label):
                close()                               # 行动项：1. 王磊周五前提交报价；2. 李明… / 工作安排：一是…；二是…
                for part in _INLINE_ITEMS.split(kv.group("value")):
                    part = split_numbering(part.strip())[1]
                    for d in self.items.read(part):
                        if d.title or d.owner:
                            self.found.append(_Found(d, e.raw, e.no))
                continue
            if open_ is not None and open_.draft.pending and not leading_field(e.body):
                d = open_.draft                              # 完成标准: followed by "- 预算表" lines
                if d.pending == "deliverable":
                    d.deliverable = (d.deliverable + "；" if d.deliverable else "") + e.body
                else:
                    d.collaborators.append(e.body)
                continue
            drafts = self.items.read(e.body)
            if not drafts:
                continue
            if sec.kind == "actions" and e.mark is not None and len(drafts) == 1 and not drafts[0].title \
                    and not drafts[0].owner and (drafts[0].collaborators or drafts[0].has_due):
                # a numbered to-do read as no task ("周敏协助，8月10日前"): kept as written, so the
                # recorder is asked who owns it instead of the line being lost
                drafts[0].title = e.body.strip()
            for d in drafts:
                d.numbered = e.mark is not None
                for f, has in (("owner", d.owner is not None), ("due", d.has_due), ("collaborators", d.collaborators)):
                    if has:
                        d.lines.setdefault(f, e.raw)
            lead = leading_field(e.body)
            if lead and lead != "title" and open_ is not None and len(drafts) == 1:
                if open_.draft.merge(drafts[0]):
                    continue
            if lead == "title" and open_ is not None and not open_.draft.title and len(drafts) == 1:
                open_.draft.merge(drafts[0])           # 负责人：… written above 任务：…
                open_.draft.title = drafts[0].title
                continue
            if lead and lead != "title" and open_ is None and title_line is not None and len(drafts) == 1:
                open_ = title_line                      # "物料准备" on its own line, its fields below
                title_line = None
                if open_.draft.merge(drafts[0]):
                    continue
            close()
            if len(drafts) > 1:
                for d in drafts:
                    self.found.append(_Found(d, e.raw, e.no))
                continue
            d = drafts[0]
            if sec.kind == "mixed" and not lead:      # 决议及行动项: a line is one or the other
                if self._keep(d, "unknown") and not self._reported(e.body):
                    open_ = _Found(d, e.raw, e.no)
                elif e.mark is not None and not self._reported(e.body):
                    self.decision(e.body)
                continue
            if lead == "title" or (e.mark is not None and sec.kind != "unheaded") or lead:
                open_ = _Found(d, e.raw, e.no)
                continue
            title_line = _Found(d, e.raw, e.no) if d.title_only else None
            if self._keep(d, sec.kind, strict=True):
                open_ = _Found(d, e.raw, e.no)
            elif sec.kind == "mixed" or (sec.kind == "unheaded" and e.mark is not None):
                self.decision(e.body)
        close()

    def _keep(self, d: Draft, kind: str, strict: bool = False) -> bool:
        """Whether what was read is an action item here (see the module doc)."""
        if not d.title and not d.owner:
            return False
        if kind in ("actions", "mixed") and not strict:
            return bool(d.title) or bool(d.owner and d.has_due)
        if not d.title:
            return False
        if kind in ("actions", "mixed"):     # an unnumbered line must fill a field, or say who plainly, or when
            if d.fields - {"title"} or d.collaborators:
                return True
            if d.has_due and (d.owner or "title" in d.fields):
                return True
            return bool(d.owner) and d.owner_how in ("verb", "mention", "seed", "head")
        # a section whose heading says nothing: only a line that clearly hands out work to someone,
        # not one that reports how far it got (已完成80%, 预计…)
        if d.title_only or not d.owner or d.status:
            return False
        if kind == "preamble" and (d.owner_how not in ("verb", "field", "seed") or _ABOUT_MINUTES.search(d.title)):
            return False
        if d.owner_how in ("bare", "head") and not all(
                self.refs.resolve(p).kind in ("person", "ambiguous") for p in self.refs.split(d.owner)):
            return False
        # an undated hand-out counts only as an item of a list ("由李娜负责跟进" in running text is a remark)
        return d.has_due or d.owner_how in ("field", "mention", "seed") or (d.numbered and d.owner_how == "verb")

    def _reported(self, text: str) -> bool:
        """Whether a line reports what someone said (王磊表示…, 张伟：5.0 需求完成度85%)."""
        lead = self.refs.leading(text)
        return bool(lead) and bool(re.match(
            r"(?:[：:]?\s*)(?:表示|认为|認為|提出|介绍|介紹|汇报|匯報|报告|報告|反馈|反饋|建议|建議|说明|說明|指出|强调|強調|"
            r"提醒|补充|補充|回顾|回顧|说|說|称|稱|谈到|談到|担心|擔心|said|noted|reported|suggested|mentioned|asked)",
            lead[1]))

    def _names_a_person(self, d: Draft) -> bool:
        """Whether the owner words name people (a department "负责" under 决议 is how the company is run)."""
        return any(self.refs.resolve(p).kind in ("person", "ambiguous") or self.refs.outsider(p)
                   or self.refs.person_name(p) for p in self.refs.split(d.owner or ""))

    # --- tables --------------------------------------------------------------------------------
    def table(self, t: Table, kind: str) -> None:
        header_at, cols = None, {}
        for i, row in enumerate(t.rows[:5]):
            found = {j: column_of(c) for j, c in enumerate(row) if c.strip() and len(c) <= 20}
            found = {j: f for j, f in found.items() if f}
            if "owner" in found.values() and ({"title", "due"} & set(found.values())):
                header_at, cols = i, found
                break
            dec = [j for j, c in enumerate(row) if len(c) <= 12 and heading_kind(c) == "decisions"]
            if dec:
                for r in t.rows[i + 1:]:
                    if dec[0] < len(r) and r[dec[0]].strip():
                        self.decision(r[dec[0]])
                return
        if header_at is None and kind != "decisions":
            header_at, cols = self._columns_by_content(t)
        if header_at is None:
            if all(len([c for c in r if c]) <= 2 for r in t.rows):       # a two-column sheet: label | value
                sec = Section(kind, [Line(no, raw, None, "：".join(c for c in r if c))
                                      for r, raw, no in zip(t.rows, t.raws, t.nos)])
                if kind == "decisions":
                    self.decision_section(sec)
                else:
                    self.action_section(sec)
            return
        owners = [j for j, k in cols.items() if k == "owner"]
        if len(owners) > 1:                         # 牵头部门 | 责任人: the column of people owns
            header = t.rows[header_at]
            best = next((j for j in owners if re.search(r"人|者|owner", header[j], re.I)), owners[0])
            for j in owners:
                if j != best:
                    del cols[j]
        if "title" not in cols.values():
            free = [j for j in range(len(t.rows[header_at])) if j not in cols]
            if free:
                cols[free[0]] = "title"
        for row, raw, no in zip(t.rows[header_at + 1:], t.raws[header_at + 1:], t.nos[header_at + 1:]):
            if not any(c.strip() for c in row):
                continue
            d = Draft()
            for j, kind_ in cols.items():
                value = row[j].strip() if j < len(row) else ""
                if kind_ == "title":
                    d.title = value.strip("*")
                elif kind_ == "owner":
                    d.owner, d.owner_how = value, "field"
                elif kind_ == "collaborators" and value:
                    d.collaborators.append(value)
                elif kind_ == "due":
                    d.due_text = value
                elif kind_ == "deliverable":
                    d.deliverable = value
                elif kind_ == "status" and value:
                    m = re.match(r"^(?:协同|協同|配合|协助|協助|协办|協辦|support|with)\s*[:：]?\s*(?P<who>.+)$", value, re.I) \
                        or re.match(r"^(?P<who>.+?)(?:协同|協同|配合|协助|協助)$", value)
                    if m and self.refs.looks_like_ref(m.group("who")):
                        d.collaborators.append(m.group("who"))      # 备注: "协同张伟"
            if d.title or d.owner:
                self.found.append(_Found(d, raw, no))

    def _columns_by_content(self, t: Table) -> tuple[int | None, dict[int, str]]:
        """A table without a header we know: a column of people and a column of dates make it a task
        table (the longest-text column is the task). (-1, columns) so that every row is read."""
        width = max(len(r) for r in t.rows)
        if width < 3 or len(t.rows) < 1:
            return None, {}

        def share(j: int, test) -> float:
            cells = [r[j] for r in t.rows if j < len(r) and r[j].strip()]
            return sum(1 for c in cells if test(c)) / len(cells) if cells else 0.0

        people = [j for j in range(width) if share(j, lambda c: self.refs.looks_like_ref(c)) >= 0.6]
        dated = [j for j in range(width) if share(j, lambda c: self.items.resolve(c) is not None) >= 0.6]
        people = [j for j in people if j not in dated]
        if not people or not dated:
            return None, {}
        rest = [j for j in range(width) if j not in people and j not in dated]
        text = {j: sum(len(r[j]) for r in t.rows if j < len(r) and not re.fullmatch(r"\d{1,3}", r[j].strip()))
                for j in rest}
        if not text or max(text.values()) == 0:
            return None, {}
        cols = {max(text, key=text.get): "title", people[0]: "owner", dated[0]: "due"}
        if len(people) > 1:
            cols[people[1]] = "collaborators"
        return -1, cols

    # --- the checks ----------------------------------------------------------------------------
    def finish(self) -> ParsedMinutes:
        out = ParsedMinutes(decisions=[d for d in self.decisions if d])
        for n, f in enumerate(self.found, start=1):
            d, line = f.draft, f.line.strip()
            problems: list[Problem] = []
            owner = self._owner(d, n, d.lines.get("owner", line).strip(), problems)
            collaborators: list[str] = []
            for text in d.collaborators:
                for part in self.refs.split(text):
                    r = self.refs.resolve(part)
                    where = d.lines.get("collaborators", line).strip()
                    if r.kind == "person":
                        collaborators.append(r.email)
                    elif r.kind == "ambiguous":
                        problems.append(Problem(n, "ambiguous_person", where, _who(r)))
                    elif r.kind == "unknown" and self.refs.names_someone(part):
                        problems.append(Problem(n, "unknown_person", where, part))
            collaborators = [c for i, c in enumerate(collaborators) if c != owner and c not in collaborators[:i]]
            due = self._due(d, n, d.lines.get("due", line).strip(), problems)
            out.action_items.append(ActionItem(
                title=d.title.strip(), owner=owner, collaborators=collaborators, due=due,
                deliverable=d.deliverable.strip(), line=line, line_no=f.line_no))
            out.problems.extend(problems)
        return out

    def _owner(self, d: Draft, n: int, line: str, problems: list[Problem]) -> str | None:
        parts = self.refs.split(d.owner or "")
        if not parts:
            problems.append(Problem(n, "no_owner", line, "负责人待定" if d.owner else "负责人未填写"))
            return None
        resolved = [self.refs.resolve(p) for p in parts]
        if len(resolved) > 1:
            if any(r.kind in ("person", "ambiguous", "unknown") for r in resolved):
                problems.append(Problem(n, "multiple_owners", line, "、".join(r.text for r in resolved)))
            else:
                problems.append(Problem(n, "no_owner", line, "、".join(r.text for r in resolved)))
            return None
        r = resolved[0]
        if r.kind == "person":
            return r.email
        if r.kind == "ambiguous":
            problems.append(Problem(n, "ambiguous_person", line, _who(r)))
        elif r.kind == "unknown":
            problems.append(Problem(n, "unknown_person", line, r.text))
        else:
            problems.append(Problem(n, "no_owner", line, r.text))
        return None

    def _due(self, d: Draft, n: int, line: str, problems: list[Problem]):
        deadline = d.deadline if d.due_text is None else None
        if d.due_text is not None:
            text = d.due_text.strip()
            if fold_label(text) in ("", "-", "—", "--", "/", "无", "無", "n/a", "none"):
                problems.append(Problem(n, "no_due", line, "没有截止日期"))
                return None
            deadline = self.items.resolve(text)
            if deadline is None:
                problems.append(Problem(n, "vague_due", line, f"无法识别的日期：{text}"))
                return None
        if deadline is None:
            problems.append(Problem(n, "no_due", line, "没有截止日期"))
            return None
        if deadline.vague or deadline.due is None:
            problems.append(Problem(n, "vague_due", line, deadline.text))
            return None
        return deadline.due


def _who(r) -> str:
    return f"{r.text}：" + "、".join(f"{p.name} <{p.email}>" for p in r.people)


def _only_title_field(d: Draft) -> bool:
    return d.fields == {"title"} and not d.owner and not d.has_due


def parse(text: str, directory: Directory, now: datetime, cal=None, html: str | BeautifulSoup | None = None
          ) -> ParsedMinutes:
    """Read a minutes draft: decisions, action items and the problems of each item.

    `text` is the decoded plain text (Word and Excel attachments arrive as text too: paragraphs as
    lines, table rows as TAB-separated cells); `html`, when the draft came as HTML, is read instead:
    the markup, or its tree when the caller parsed it already (the quote cut did)."""
    if html:
        from_html = html_to_text(html, tables=True)
        if from_html.strip():
            text = from_html
    r = _Reader(directory, now, cal)
    sections = cut_sections(text or "")
    if all(sec.kind == "unknown" for sec in sections):
        for sec in sections:                  # no heading at all: numbered lines that are no task are decisions
            sec.kind = "unheaded"
    elif sections[0].kind == "unknown":
        sections[0].kind = "preamble"         # the greeting above the first heading ("王总：请审阅")
    for sec in sections:
        if sec.kind in ("discussion", "info"):
            continue
        if sec.kind == "decisions":
            r.decision_section(sec)
        else:
            r.action_section(sec)
    return r.finish()


_HINTS = {
    "zh-CN": {
        "no_owner": "请写明一位负责人（唯一责任人）。",
        "multiple_owners": "负责人只能有一位（唯一责任人）：请只留一位负责人，其他人写在“协同”。",
        "unknown_person": "通讯录里找不到这个人：请写姓名、邮箱或“部门-姓名”。",
        "ambiguous_person": "有不止一个人符合：请写全名或邮箱。",
        "vague_due": "请写具体的截止日期（如 8月15日前），不要写“尽快”“待定”“近期”。",
        "no_due": "请补充截止日期。",
    },
    "zh-TW": {
        "no_owner": "請寫明一位負責人（唯一責任人）。",
        "multiple_owners": "負責人只能有一位（唯一責任人）：請只留一位負責人，其他人寫在「協同」。",
        "unknown_person": "通訊錄裡找不到這個人：請寫姓名、郵箱或「部門-姓名」。",
        "ambiguous_person": "有不止一個人符合：請寫全名或郵箱。",
        "vague_due": "請寫具體的截止日期（如 8月15日前），不要寫「盡快」「待定」「近期」。",
        "no_due": "請補充截止日期。",
    },
    "en": {
        "no_owner": "Name one owner.",
        "multiple_owners": "One owner per item: keep one owner and list the others under Support.",
        "unknown_person": "Nobody in the directory matches: write a full name, an email or department-name.",
        "ambiguous_person": "Several people match: write the full name or the email.",
        "vague_due": "Give a concrete due date (e.g. 2026-08-15), not ASAP or TBD.",
        "no_due": "Add a due date.",
    },
}


def problem_hint(kind: str, lang: str = "zh-CN") -> str:
    """How the recorder fixes a problem of this kind, in their language."""
    return (_HINTS.get(lang) or _HINTS["zh-CN"]).get(kind, "")


_FORWARD_SEP = re.compile(
    r"^\s*(?:-{2,}\s*(?:转发的邮件|轉寄的郵件|转发邮件信息|转发邮件|轉寄郵件|forwarded message)\s*-{2,}"
    r"|begin forwarded message\s*:?|以下为转发的邮件\s*[:：]?|下面是转发的邮件\s*[:：]?)\s*$", re.I | re.M)


def forwarded_part(text: str) -> str | None:
    """The mail forwarded below a forward separator (-------- 转发的邮件 -------- / Forwarded message),
    without its header block; None when the text forwards nothing. A recorder who forwards minutes
    already sent elsewhere means those minutes, unlike a reply that merely quotes an older mail."""
    m = _FORWARD_SEP.search(text or "")
    if not m:
        return None
    lines = text[m.end():].lstrip("\n").splitlines()
    i = 0
    while i < len(lines) and re.match(r"^\s*[\w\u4e00-\u9fff ]{1,12}\s*[:：]\s*\S", lines[i]) and i < 8:
        i += 1                                     # 主题：/ 日期：/ 发件人：/ From: …
    return "\n".join(lines[i:])
