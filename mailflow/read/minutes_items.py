"""One action item as a recorder writes it, in any shape, -> its fields (still text).

Pure. `ItemReader.read(text)` takes the words of one line (numbering already removed) and returns the
task(s) it states:

    由技术部-王磊负责积分接口开发，12月11日前完成联调。
    品牌视觉规范升级：由杨帆负责，朱琳协同，12月18日前交付《品牌视觉规范2.0》。
    负责人：张伟，协同：李娜，12月4日前完成，交付：方案V1
    会员等级权益梳理：负责人 张伟；协同 孙丽；完成时间 12月17日；交付物 权益矩阵表
    Owner: Nina Li | Support: 朱琳 (Design) | Due: Dec 11 | Deliverable: localized landing pages
    客服系统工单标签重构 @周杰 12月16日前 交付：新版标签体系
    - [ ] 接口文档更新 @王磊 (协同 @李明) due 12/10 → Swagger 文档
    抖音直播间搭建（马超牵头，11.24前）
    张伟：设计需求文档定稿（12/4）
    财务部-周（11月24日前出台预算编制口径）运营部-孙、技术部-李（12月18日前完成活动页改版上线）

A line is cut into clauses (，；| —— and field labels); each clause is a labelled field, an owner
phrase (由X负责Y, X牵头, @X, a bare name), a helper phrase (X协同, 协同@X), a date phrase
(12月11日前完成联调) or part of the title. Who the names are is decided later, by people_refs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from . import dates
from .minutes_text import FIELD_LABELS, field_of
from .people import fold
from .people_refs import EMPTY_REFS, PeopleRefs, protect_brackets, unprotect, clean

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"

# verbs that make the person before them the one responsible ("共同负责" first: it names co-owners)
OWN_VERBS = ("共同负责|共同負責|共同推进|共同推進|联合负责|牵头负责|牽頭負責|负责(?!人|的)|負責(?!人|的)|牵头(?!的)|牽頭(?!的)|主导|主導|主责|"
             "跟进|跟進|落实|落實|承办|承辦|执行|執行|owns|to lead|leads")
HELP_VERBS = "协同|協同|协助|協助|配合|协办|協辦|支持|支援|参与|參與"
# a delivery verb after a date: what follows is the deliverable ("12月4日前提交测算表")
_DELIVER = re.compile(r"^(?:交付|提交|形成|输出|輸出|产出|產出|提供|出具|报送|報送)(?P<what>.+)$")
# what is left of a date clause that says nothing more than "it gets done"
_FILLER = re.compile(r"^(?:时间|時間|日期|时程|時程|期限|完成时间|完成時間|前|之前|以前|以内|内|內|为止|為止|截止|于|於|在|请|請|需|须|須|应|應|务必|務必|完成|完成任务|提交|交付|上报|上報|报送|報送|"
                     r"办结|辦結|发出|發出|发布|發布|启动|啟動|开展|開展|召开|召開|提出|出|给出|给到|搞定|上线|上線|"
                     r"done|complete|completed|finish|finished|by|before|until|on|no later than|\s)+$", re.I)
_LEAD = re.compile(r"^(?:之前|以前|前|以内|内|內|为止|為止|截止|于|於|在|请|請|需|须|須|应|應|并|並|且|再|要)\s*")

_LABEL_WORDS = sorted({w for ws in FIELD_LABELS.values() for w in ws}, key=len, reverse=True)
_LABEL_ALT = "|".join(re.escape(w) for w in _LABEL_WORDS)
# "负责人：X" anywhere after a separator; "负责人 X" (a space) only for unmistakable labels
_LABEL_COLON = re.compile(
    rf"(?:(?<=^)|(?<=[\s，,；;|｜。、(（]))(?:(?P<label>{_LABEL_ALT})\s*(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}})?\s*[：:]"
    r"|(?P<label2>负责人|負責人|责任人|責任人|牵头人|牽頭人)(?:为|為|是))", re.I)
_SPACE_LABELS = ("负责人", "負責人", "责任人", "責任人", "协同人", "協同人", "协同", "協同", "协助", "協助", "配合人",
                 "完成时间", "完成時間", "截止时间", "截止時間", "截止日期", "截止", "交付物", "交付", "产出", "產出",
                 "输出", "Owner", "Support", "Due", "Deliverable", "Output")
_LABEL_SPACE = re.compile(rf"^(?P<label>{'|'.join(map(re.escape, _SPACE_LABELS))})\s+(?=\S)", re.I)
# the owner and helper clauses, compiled once (they run for every clause of every draft)
_ENDS_IN_LABEL = re.compile(rf"(?:{_LABEL_ALT})$", re.I)
_HEAD_ASSIGNS = re.compile(rf"^(?:由|请|請)|(?:{OWN_VERBS})")
_NOT_AN_OWNERS_TASK = re.compile(
    rf"[、，,/／&+＋]|和|及|与|與|(?:{HELP_VERBS})|(?:负责|負責|牵头|牽頭)的|已|曾|说|說|表示|认为|認為|提出|介绍|介紹")
_OWN_VERB_LEAD = re.compile(rf"^(?:{OWN_VERBS})")
_OWN_VERBS_LEAD = re.compile(rf"^(?:{OWN_VERBS})+")
_BY_WHO_OWNS = re.compile(rf"^(?P<pre>.*?)(?:并由|並由|由|请|請)(?P<who>.+?)(?P<verb>{OWN_VERBS})(?P<rest>.*)$")
_WHO_OWNS = re.compile(rf"^(?P<who>[^，,；;：:]{{1,40}}?)\s*(?P<verb>{OWN_VERBS})(?P<rest>.*)$", re.I)
# 由X、Y… / 由X配合Y…: the name goes on, or X only helps
_MORE_OR_HELPS = re.compile(rf"[、，,/／&+＋和及与與]|{HELP_VERBS}")
# "Alice to send the deck": an owner in English ("Sun Li to help" is a helper, below)
_EN_OWNS = re.compile(r"^(?P<who>[^,;:()]{1,40}?)\s+(?:to|will|shall|owns|is to)\s+(?!(?:help|assist|support)\b)(?P<rest>.+)$",
                      re.I)
_WHO_HELPS = re.compile(rf"^(?:由|请|請)?(?P<who>.+?)(?:{HELP_VERBS})(?P<rest>.*)$")
# "Sun Li to help", "Priya will assist with testing", "Tom supporting": a helper in English
_EN_HELPS = re.compile(r"^(?P<who>[^,;:()]{1,40}?)\s+(?:(?:to|will|can|shall|is to)\s+)?(?:help|assist|support)(?:s|ing)?"
                       r"(?:\s+(?:with|on)\s+[^,;]{1,40})?[.!]?$", re.I)
_HELPED_BY = re.compile(rf"^(?:(?:{HELP_VERBS})(?:人|人员|部门)?\s*[:：]?|(?:support(?:ed)?\s+(?:from|by)|helped\s+by|"
                        rf"together\s+with|with\s+help\s+from|with)\s)\s*(?P<who>.+)$", re.I)
_CLAUSE_SPLIT = re.compile(r"\s*(?:[，,；;。|｜]|——|—|\s-\s|\s–\s|\s[/／]\s|\s{2,})\s*")
_MENTION = re.compile(r"(?P<help>协同|協同|协助|協助|配合|cc|with|support)?\s*[:：]?\s*(?<![A-Za-z0-9._%+\-])[@＠](?P<who>[^\s@＠，,；;。|｜（()）]+(?:[（(][^）)]*[）)])?)", re.I)
_STATUS = re.compile(r"已(?:经|於|于)?(?:完成|上线|上線|交付|提交|启动|啟動|开始|開始|验收|驗收|签约|簽約|进场|進場|落实|落實|解决|解決|修复|修復)"
                     r"|完成了|预计|預計|进度|進度|(?:完成|达到|達到)\s*\d+\s*%|正在|进行中|進行中|already|\bdone\b|in progress|\bexpected\b")
_ARROW = re.compile(r"\s*(?:→|->|=>)\s*(?P<what>.+)$")
_DUE_WORD = re.compile(r"(?:^|\s)(?:due|by|截止|deadline)\s+(?=\S)", re.I)


@dataclass
class Draft:
    """What one line (or a block of lines) says about one task."""

    title: str = ""
    owner: str | None = None          # the owner text as written (may name several, or a department)
    owner_how: str = ""               # field | verb | mention | head | bare | seed | lead
    collaborators: list[str] = field(default_factory=list)
    due_text: str | None = None       # a labelled due field, resolved later
    deadline: dates.Deadline | None = None
    deliverable: str = ""
    fields: set[str] = field(default_factory=set)
    title_only: bool = False          # a heading-like line whose fields follow on the next lines
    dated: bool = False
    pending: str | None = None        # a field written with its value on the lines below ("完成标准:")
    lines: dict[str, str] = field(default_factory=dict)   # field -> the line it was written on
    status: bool = False              # the words report progress (已完成80%, 预计…), not hand out work
    numbered: bool = False            # the line was numbered or bulleted

    def merge(self, other: "Draft") -> bool:
        """Fill this item from a following fields-only line; False when it repeats a field (a new item)."""
        if (other.owner and self.owner) or (other.due_text and self.due_text):
            return False
        if other.owner:
            self.owner, self.owner_how = other.owner, other.owner_how
        self.collaborators += other.collaborators
        if other.due_text is not None:
            self.due_text = other.due_text
        if other.deadline is not None and self.deadline is None:
            self.deadline = other.deadline
        self.deliverable = self.deliverable or other.deliverable
        self.fields |= other.fields
        self.dated = self.dated or other.dated
        self.pending = other.pending
        for k, v in other.lines.items():
            self.lines.setdefault(k, v)
        if not self.title:
            self.title = other.title
        self.title_only = False
        return True

    @property
    def has_due(self) -> bool:
        return self.due_text is not None or self.deadline is not None


def roc_to_western(text: str) -> str:
    """Taiwan's ROC years (民國115年12月7日, 115/12/21) as Western years, so the date reader sees 2026."""
    text = re.sub(r"民國|民国", "", text)
    return re.sub(r"(?<![\d/.\-])(1[0-4]\d)(?=\s*(?:年|/|\.|-)\s*\d{1,2}\s*(?:月|/|\.|-)\s*\d{1,2})",
                  lambda m: str(int(m.group(1)) + 1911), text)


class ItemReader:
    def __init__(self, refs: PeopleRefs, now: datetime, cal) -> None:
        self.refs = refs
        self.now = now
        self.cal = cal

    # --- dates ---------------------------------------------------------------------------------
    def hits(self, text: str):
        return dates.find_all(roc_to_western(text), self.now, self.cal)

    def resolve(self, text: str) -> dates.Deadline | None:
        text = roc_to_western(text)
        return dates.resolve(text, self.now, self.cal) or dates.find_deadline(text, self.now, self.cal)

    def _date_in(self, clause: str):
        """(deadline, clause without it) for a clause holding a deadline, else (None, clause)."""
        text = roc_to_western(clause)
        found = [h for h in dates.find_all(text, self.now, self.cal) if not _inside_title_marks(text, h[0])
                 and not _english_words_around(text, h[0], h[1])]
        if not found:
            return None, clause
        s, e, dl = found[0]                    # the first one: later ones belong to the task's words
        rest = (text[:s] + " " + text[e:]).strip()
        return dl, rest

    # --- one line -------------------------------------------------------------------------------
    def read(self, text: str) -> list[Draft]:
        text = roc_to_western(text.strip().rstrip("。．.;；"))
        if not text or fold(text) in EMPTY_REFS:
            return []
        seeded = self._seed(text)
        if seeded:
            return seeded
        d = Draft(status=bool(_STATUS.search(text)))
        body = self._head(text, d)
        body = self._mentions(body, d)
        m = _ARROW.search(body)
        if m:
            d.deliverable = d.deliverable or m.group("what").strip()
            body = body[:m.start()]
        body = self._paren_fields(body, d)
        self._clauses(body, d)
        if not (d.owner or d.has_due or d.collaborators or d.deliverable or d.fields - {"title"}):
            d.title_only = True
        return [d]

    def _seed(self, text: str) -> list[Draft]:
        """财务部-周（11月24日前出台口径）运营部-孙、技术部-李（12月18日前完成改版）: people, then what and when."""
        groups = list(re.finditer(r"[（(]([^（）()]*)[）)]", text))
        if not groups:
            return []
        out: list[Draft] = []
        prev = 0
        for g in groups:
            who = text[prev:g.start()].strip(" ，,；;、")
            who = re.sub(r"^(?:由|请|請)", "", who)
            if not who or not self.refs.looks_like_ref(who):
                return []
            inner = g.group(1)
            dl, rest = self._date_in(inner)
            vague = dl is not None and dl.due is None
            if dl is None:
                return []
            d = Draft(owner=who, owner_how="seed", deadline=dl, dated=True)
            parts = [p for p in _CLAUSE_SPLIT.split(rest) if p.strip()]
            title: list[str] = []
            for p in parts:
                if self._labelled(p, d):
                    continue
                p = _LEAD.sub("", p.strip())
                if p and not _FILLER.fullmatch(p):
                    title.append(p)
            deliver = [m.group("what") for p in title if (m := _DELIVER.match(p))]
            d.deliverable = d.deliverable or (deliver[0].strip("《》 ") if deliver else "")
            d.title = "，".join(title) if title else ""
            if vague and not d.title:
                return []
            out.append(d)
            prev = g.end()
        tail = text[prev:].strip(" ，,；;。")
        return out if not tail else []

    def _head(self, text: str, d: Draft) -> str:
        """"品牌视觉规范升级：…" / "需求池梳理——…" set the title; "张伟：…" / "@周杰：…" set the owner."""
        m = re.match(r"^(?P<head>[^：:，,；;|｜]{1,60}?)\s*(?:[：:]|——|—|--|\s-\s|\s–\s)\s*(?P<rest>.+)$", text)
        if not m:
            return text
        head = m.group("head").strip()
        if field_of(head) or _LABEL_SPACE.match(head + " x") or "@" in head or "＠" in head \
                or _ENDS_IN_LABEL.search(head):
            return text
        if self.refs.looks_like_ref(head):
            d.owner, d.owner_how = head, "head"
            return m.group("rest")
        if _HEAD_ASSIGNS.match(head):
            return text
        d.title = _clean_title(head)
        d.fields.add("title")
        return m.group("rest")

    def _mentions(self, text: str, d: Draft) -> str:
        """@周杰 is the owner, 协同@张伟 a helper; the text before the first @ is the title."""
        ms = list(_MENTION.finditer(text))
        if not ms:
            return text
        first = ms[0]
        if not d.title and first.start() > 0 and not first.group("help"):
            d.title = _clean_title(text[:first.start()])
            d.fields.add("title")
            rest_start = first.start()
        else:
            rest_start = 0
        out = text[rest_start:]
        for m in _MENTION.finditer(out):
            who = m.group("who")
            if m.group("help"):
                d.collaborators.append(who)
            elif not d.owner:
                d.owner, d.owner_how = who, "mention"
            else:
                d.owner += "、" + who
        return _MENTION.sub("，", out)

    def _paren_fields(self, text: str, d: Draft) -> str:
        """（马超牵头，11.24前） / （协同 @李明） / （12/4）: brackets holding an owner, a helper or a date are
        read as fields; other brackets ((English + Japanese), （中英文）) stay in the title."""
        def repl(m: re.Match) -> str:
            inner = m.group(1)
            probe = Draft()
            self._clauses(inner, probe, probe_only=True)
            if (probe.owner and probe.owner_how != "bare") or probe.collaborators or probe.has_due \
                    or probe.fields - {"title"}:
                return "，" + inner + "，"
            return m.group(0)
        return re.sub(r"[（(\[【]([^（）()\[\]【】]{1,80})[）)\]】]", repl, text)

    def _labelled(self, clause: str, d: Draft) -> bool:
        m = _LABEL_COLON.match(clause) or _LABEL_SPACE.match(clause)
        if not m:
            m2 = _DUE_WORD.match(clause)
            if m2:
                self._set(d, "due", clause[m2.end():])
                return True
            return False
        kind = field_of(m.group("label") or m.groupdict().get("label2") or "")
        value = clause[m.end():].strip(" ：:")
        if not kind:
            return False
        self._set(d, kind, value)
        return True

    def _set(self, d: Draft, kind: str, value: str) -> None:
        d.fields.add(kind)
        d.pending = kind if not value.strip() and kind in ("deliverable", "collaborators") else None
        if kind == "title":
            d.title = _clean_title(value)
        elif kind == "owner":
            d.owner, d.owner_how = value, "field"
        elif kind == "collaborators":
            value = re.sub(r"^(?:from|by|with)\s+", "", value, flags=re.I)     # "support from Chloe Chen"
            d.collaborators += [value] if value else []
        elif kind == "due":
            d.due_text = value
            d.dated = True
        elif kind == "deliverable":
            d.deliverable = value

    def _clauses(self, text: str, d: Draft, probe_only: bool = False) -> None:
        protected = protect_brackets(text)
        # a field label starts a clause of its own: "… 12月16日前 交付：新版标签体系"
        protected = _LABEL_COLON.sub(lambda m: "；" + m.group(0), protected)
        clauses = [unprotect(c).strip() for c in _CLAUSE_SPLIT.split(protected)]
        # a written due field wins: a date-like word elsewhere (年终奖, Q1 plan) is part of the title
        due_written = d.due_text is not None or any(
            (m := _LABEL_COLON.match(c) or _LABEL_SPACE.match(c)) and field_of(m.group("label") or m.groupdict().get("label2") or "") == "due"
            for c in clauses)
        title_parts: list[str] = []
        last_owner_field = False
        for k, c in enumerate(clauses):
            if not c:
                continue
            if self._labelled(c, d):
                last_owner_field = bool(re.match(r"^(?:负责人|負責人|责任人|責任人|owner|owners|负责|負責|主责)\s*[：:\s]", c, re.I))
                continue
            was_owner_field, last_owner_field = last_owner_field, False
            if d.owner and d.owner_how == "field" and was_owner_field and self.refs.looks_like_ref(c, names=True):
                d.owner += "、" + c                    # "Owner: Tina Huang / Grace Chen": still the owners
                continue
            if self._owner_clause(c, d, title_parts):
                continue
            left = self._help_clause(c, d)
            if left is not None:
                if not left:
                    continue
                c = left                                # 张伟协助陈怡君核对数字: 核对数字 is the task
            if not d.owner and self.refs.looks_like_ref(c):
                d.owner, d.owner_how = c, "bare"
                continue
            if k == 0 and not d.owner and not probe_only:
                lead = self.refs.leading(c)             # 王磊 12月9日前完成接口联调
                if lead and lead[1] and not _NOT_AN_OWNERS_TASK.match(lead[1]):
                    d.owner, d.owner_how = lead[0], "lead"
                    c = _OWN_VERB_LEAD.sub("", lead[1]).strip()
                    if not c:
                        continue
            if d.deadline is None and d.due_text is None and not due_written:
                dl, rest = self._date_in(c)
                if dl is not None:
                    d.deadline, d.dated = dl, True
                    self._after_date(rest, d, title_parts)
                    continue
            if not probe_only:
                m = _DELIVER.match(c)
                if m and not d.deliverable and (d.title or title_parts):
                    d.deliverable = m.group("what").strip("《》 ")     # "交付迁移清单", "形成预算表"
                    continue
                title_parts.append(c)
        if probe_only:
            return
        if not d.title and title_parts:
            d.title = _clean_title("，".join(title_parts))
        if not d.deliverable:                       # a document named in 《》 is what is delivered
            m = re.search(r"《([^《》]{2,40})》", text)
            if m:
                d.deliverable = m.group(1)

    def _after_date(self, rest: str, d: Draft, title_parts: list[str]) -> None:
        rest = _LEAD.sub("", rest.strip()).strip()
        if not rest or _FILLER.fullmatch(rest):
            return
        m = _DELIVER.match(rest)
        if m and not d.deliverable:
            d.deliverable = m.group("what").strip("《》 ")
            if not d.title:
                title_parts.append(rest)
            return
        title_parts.append(rest)

    def _whose(self, who: str) -> bool:
        """Words standing where an owner stands: people, a group, an outsider, or 待定 (nobody yet)."""
        return self.refs.looks_like_ref(who, names=True) or fold(clean(who)) in EMPTY_REFS

    def _owner_clause(self, c: str, d: Draft, title_parts: list[str]) -> bool:
        """由X负责Y / Y由X负责 / X负责Y / X牵头 / 由X于12月7日前报送Y / Alice to send Y."""
        m = _BY_WHO_OWNS.match(c)
        if m and self._whose(m.group("who")):
            self._own(d, m.group("who"), m.group("pre"), m.group("rest"), title_parts)
            return True
        m = re.match(r"^(?P<pre>.*?)(?:并由|並由|由|请|請)(?P<who>[^，,；;]+?)(?=于|於|在|\d|[一二三四五六七八九十]+月|本周|下周|本週|下週|月底|本月)(?P<rest>.*)$", c)
        if m and self.refs.looks_like_ref(m.group("who")):
            self._own(d, m.group("who"), m.group("pre"), m.group("rest"), title_parts)
            return True
        m = re.match(r"^(?P<pre>.*?)(?:并由|並由|由|请|請)(?P<after>.+)$", c)
        if m:                                   # 由王磊完成接口联调: the longest name the directory knows
            after = m.group("after")
            for end in range(min(len(after) - 1, 16), 0, -1):
                parts = self.refs.split(after[:end])
                if parts and all(self.refs.resolve(p).kind in ("person", "ambiguous") for p in parts) \
                        and not _MORE_OR_HELPS.match(after[end:]):   # 由X配合Y…: X helps
                    self._own(d, after[:end], m.group("pre"), after[end:], title_parts)
                    return True
        m = _WHO_OWNS.match(c)
        if m and self.refs.looks_like_ref(m.group("who"), names=True):
            self._own(d, m.group("who"), "", m.group("rest"), title_parts)
            return True
        m = _EN_OWNS.match(c)
        if m and self.refs.looks_like_ref(m.group("who")):
            self._own(d, m.group("who"), "", m.group("rest"), title_parts)
            return True
        return False

    def _own(self, d: Draft, who: str, pre: str, rest: str, title_parts: list[str]) -> None:
        if d.owner and d.owner_how in ("field", "head", "mention"):
            d.owner += "、" + who
        else:
            d.owner, d.owner_how = who, "verb"
        pre = pre.strip(" ，,")
        if pre and d.deadline is None and d.due_text is None:
            dl, pre_left = self._date_in(pre)           # 12月9日前由王磊完成…
            if dl is not None:
                d.deadline, d.dated = dl, True
                pre = _LEAD.sub("", pre_left.strip()).strip()
                pre = "" if _FILLER.fullmatch(pre or " ") else pre
        if pre:
            title_parts.append(pre)
        rest = _OWN_VERBS_LEAD.sub("", rest).strip()
        if rest:
            dl, left = self._date_in(rest) if d.deadline is None and d.due_text is None else (None, rest)
            if dl is not None:
                d.deadline, d.dated = dl, True
                self._after_date(left, d, title_parts)
            else:
                title_parts.append(rest)

    def _help_clause(self, c: str, d: Draft) -> str | None:
        """A helper: "孙悦配合", "协同：周敏", "Sun Li to help" name a collaborator; in "张伟协助陈怡君核对数字"
        who is helped owns what follows. Returns what is left of the clause to read (the task's words,
        "" when nothing is left), or None when the clause names no helper."""
        m = _WHO_HELPS.match(c)
        if m and self.refs.looks_like_ref(m.group("who")):
            lead = None if d.owner else self.refs.leading(m.group("rest").strip())
            if lead and lead[1]:
                d.collaborators.append(m.group("who"))
                d.owner, d.owner_how = lead[0], "verb"
                return _OWN_VERBS_LEAD.sub("", lead[1]).strip()
            if len(m.group("rest")) <= 8:
                d.collaborators.append(m.group("who"))
                return ""
        for rx in (_HELPED_BY, _EN_HELPS):
            m = rx.match(c)
            if m and self.refs.looks_like_ref(m.group("who")):
                d.collaborators.append(m.group("who"))
                return ""
        return None


def _english_words_around(text: str, start: int, end: int) -> bool:
    """Whether a date-like word is part of an English title ("Year-end party", "Q1 sales plan")."""
    span = text[start:end]
    if re.search(r"\d", span) and not re.fullmatch(r"Q[1-4]", span.strip()):
        return False
    if not re.fullmatch(r"[A-Za-z][A-Za-z\- ]*", span.strip()):
        return False
    return bool(re.match(r"\s+[a-z]", text[end:])) and not re.match(r"\s+(?:at|by|before|end|eod|cob)\b", text[end:], re.I)


def _inside_title_marks(text: str, pos: int) -> bool:
    """Whether pos lies inside 《…》 or “…” (a document's name, not a date)."""
    before = text[:pos]
    return before.count("《") > before.count("》") or before.count("“") > before.count("”")


def _clean_title(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("\x00", " ")).strip()
    text = re.sub(r"^\*\*(.*)\*\*$", r"\1", text)
    text = _LEAD.sub("", text) if re.match(r"^(?:于|於|在)\s*", text) else text
    text = re.sub(r"\s+(?:by|before|until|on|no later than|due)$", "", text, flags=re.I)
    return text.strip(" \t，,；;。、:：-—")
