"""What the reader knows around a reply: the mail it answers, and where the sender's words end.

- ReplyContext: the task's current due date, what mailflow's own mail asked, the kind of thread.
- context_from_quote: the same, read from mailflow's mail quoted under a reply (for `explain`
  when no store is at hand): its due line in any of the three template languages, its subject tag
  and what it asked for.
- body_lines: the reply's own lines without a trailing signature block (names, titles, phones,
  addresses and e-mail lines carry no status), so a phone number is never read as an item number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mailflow.read.reply_lexicon import CUE_RE, normalize

__all__ = ["ReplyContext", "context_from_quote", "strip_signature"]


@dataclass(frozen=True)
class ReplyContext:
    """due: the task's current due date; asked: what mailflow's own mail asked the sender
    ("new_date", "percent", "confirm", "rsvp", "verify", "minutes"; None = unknown);
    kind: "task" | "meeting" | "minutes"; item_dues: (item number, due) of a mail that listed
    several tasks (the weekly progress request)."""
    due: date | None = None
    asked: str | None = None
    kind: str | None = None
    item_dues: tuple[tuple[int, date], ...] = ()

    def due_of(self, item: int | None) -> date | None:
        if item is not None:
            for n, d in self.item_dues:
                if n == item:
                    return d
            return None
        return self.due


# --------------------------------------------------------------------------------------------
# The quoted mailflow mail

_ISO = r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                            "oct", "nov", "dec"))}
_EN_DATE = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<ed>\d{1,2}),?\s+(?P<ey>\d{4})"
# "截止日期：2026-12-09（周三）", "截止日期:2026年12月9日", "Due: Wed 2026-12-09", "Due: Dec 9, 2026"
_DUE_LINE = re.compile(rf"^\s*(?:截止日期|截止时间|截止|到期日|due(?: date)?)\s*[:：]?\s*(?:[a-z]{{3}},?\s+)?(?:{_ISO}|{_EN_DATE})",
                       re.M)
# a numbered row of the weekly request: "  2. 官网双十二活动页上线" then "     截止 2026-12-10（周四），未开始"
_ITEM_ROW = re.compile(r"^\s*(?P<n>\d{1,2})[.、)]\s*\S")
_TAG = re.compile(r"\[mf-(?P<kind>[tmp])\d+\]")
# what the quoted mail asked for, strongest first
_ASKS = (
    ("new_date", re.compile(r"请给出新的|请告知新的|新的(?:完成)?日期|新的截止|请补充(?:新的)?日期|"
                            r"(?:give|tell us|send|reply with|needs both) (?:us )?(?:the |a )?new (?:due )?date|which date")),
    ("verify", re.compile(r"请验收|验收通过|please verify|verify the")),
    ("minutes", re.compile(r"会议纪要|纪要|minutes")),
    ("rsvp", re.compile(r"参加\s*[/／]\s*不参加|会议通知|邀请您参加|是否参会|attend|invit")),
    ("percent", re.compile(r"进度更新|各项进度|progress update|weekly update")),
    ("confirm", re.compile(r"请回复确认|请确认|回复“?确认|please confirm|reply .?confirm")),
)


def _date_of(m: re.Match) -> date | None:
    try:
        if m.group("y"):
            return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        return date(int(m.group("ey")), _MONTHS[m.group("mon")], int(m.group("ed")))
    except (ValueError, KeyError, TypeError):
        return None


def _quoted_part(norm: str) -> str:
    """From the first line that names mailflow's tag or an original-mail header on."""
    m = re.search(r"\[mf-[tmp]\d+\]|原始邮件|邮件原件|回复的原邮件|^\s*(?:发件人|from)\s*[:：]|写道\s*[:：]|wrote:\s*$|^>",
                  norm, re.M)
    return norm[m.start():] if m else norm


def context_from_quote(full_text: str) -> ReplyContext:
    """Read the quoted mailflow mail in a reply's full text: its due line, the due of each
    numbered task it listed, its kind (task / meeting / minutes) and what it asked for."""
    # quote markers ("> > ") go: the template's own lines are what is read
    norm = re.sub(r"(?m)^[ \t]*(?:>[ \t]?)+", "", normalize(full_text or ""))
    norm = _quoted_part(norm)
    kind = None
    tag = _TAG.search(norm)
    if tag:
        kind = {"t": "task", "p": "task", "m": "meeting"}[tag.group("kind")]
    asked = next((name for name, rx in _ASKS if rx.search(norm)), None)
    if asked == "minutes":
        kind = "minutes"
    elif asked == "rsvp" and kind is None:
        kind = "meeting"
    item_dues: list[tuple[int, date]] = []
    current: int | None = None
    due = None
    for line in norm.split("\n"):
        row = _ITEM_ROW.match(line)
        if row:
            current = int(row.group("n"))
        dm = _DUE_LINE.search(line) or (re.search(rf"(?:截止|due)\s*[:：]?\s*(?:[a-z]{{3}},?\s+)?(?:{_ISO}|{_EN_DATE})", line)
                                         if current is not None else None)
        if not dm:
            continue
        d = _date_of(dm)
        if d is None:
            continue
        if current is not None and asked != "minutes":
            if all(n != current for n, _ in item_dues):
                item_dues.append((current, d))
        elif due is None and not row:
            due = d
    if item_dues and asked is None:
        asked = "percent"
    if kind is None and (due or item_dues):
        kind = "task"
    if kind == "minutes":
        item_dues = []
    return ReplyContext(due=due, asked=asked, kind=kind, item_dues=tuple(item_dues))


# --------------------------------------------------------------------------------------------
# Trailing signatures

_CONTACT = re.compile(
    r"(?:手机|电话|座机|传真|邮箱|地址|微信|mobile|phone|tel|fax|email|e-mail|address|wechat|office|direct)\s*[:：/]|"
    r"^\s*[mtef]\s*[:：]|@[a-z0-9-]+\.|https?://|www\.|\+?\d[\d\s()-]{6,}\d|\||｜|"
    r"(?:路|街|大道|大厦|广场|中心|号楼|楼|室|区|市|省)\s*$|\d+\s*(?:号|楼|层|室)|"
    r"\b(?:road|street|avenue|floor|suite|building|district)\b|"
    r"^\s*(?:best regards|regards|best|cheers|thanks|thank you|祝好|此致|敬礼|顺祝|商祺|谢谢|多谢|br)\s*[,，!.。]?\s*$|"
    r"^\s*[-—_=*]{2,}\s*$|发自|sent from|來自|来自|签名由|confidential|机密|保密|免责|disclaimer")
# a bare name or title line: a short Chinese name, "Emily Wong", "高级视觉设计师", "Product Manager"
_NAME_LINE = re.compile(r"^\s*(?:[\u4e00-\u9fff·]{2,4}|[a-z][a-z.'-]*(?:\s+[a-z][a-z.'-]*){0,3})\s*$")
_TITLE_WORD = re.compile(r"经理|总监|主管|专员|工程师|设计师|助理|主任|总裁|负责人|部$|部门|中心$|组$|"
                         r"\b(?:manager|director|engineer|designer|lead|head|officer|specialist|assistant|vp|ceo|cto)\b")


def _signature_line(norm_line: str) -> bool:
    s = norm_line.strip()
    if not s:
        return True
    if CUE_RE.search(s) and not _CONTACT.search(s):
        return False
    return bool(_CONTACT.search(s) or _TITLE_WORD.search(s) or _NAME_LINE.match(s))


def strip_signature(text: str) -> str:
    """The text without a trailing block of signature lines. Only a block after a blank line (or
    after a '-- ' line) goes, and only when every line of it looks like contact details or a
    name/title, so a one-line answer such as "好" is never taken for a name."""
    lines = text.split("\n")
    norm = normalize(text).split("\n")
    cut = len(lines)
    i = len(lines)
    while i > 0:
        # the block [j, i) between blank lines
        while i > 0 and not norm[i - 1].strip():
            i -= 1
        j = i
        while j > 0 and norm[j - 1].strip():
            j -= 1
        if j == 0 or j == i:
            break
        block = norm[j:i]
        if not all(_signature_line(x) for x in block):
            break
        if len(block) == 1 and _NAME_LINE.match(block[0]) and not _CONTACT.search(block[0]) \
                and not _TITLE_WORD.search(block[0]) and len(block[0].strip()) > 12:
            break
        cut = j
        i = j
    return "\n".join(lines[:cut]).rstrip()
