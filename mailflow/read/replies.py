"""Reading a reply: what the sender reports or asks about the task (replies.classify).

The reader is a small clause grammar, pure and linear in the text's length:

1. Normalise a matching copy (reply_lexicon.normalize: OpenCC Traditional -> Simplified, NFKC,
   lower case, one character for one) and cut a trailing signature block (reply_context).
2. Split numbered answers ("1 已完成；3 延期到周五", "① … ②", "Item 2:") into parts; in a minutes
   thread "第2项…" names the clause being corrected and is not an answer number.
3. Cut each part into clauses and mark each clause (reply_clauses): predicates by aspect with the
   polarity in front of them, question / condition / possibility / request, a reported third
   party, dates and their role (promise, waited for, missed, correction), percents.
4. Combine a part's clauses by explicit rules (reply_rules.read_part):
   - a question or a condition asserts nothing; only a request survives a question
     ("能否放到12月14日？" asks for a delay);
   - a date the sender promises is compared with the task's current due date: later is a delay
     even without 延期, on or before it is a commitment; negated completion + a date is a delay;
   - a third party's delay (供应商说…延迟) or a feared one (可能要推迟) is a risk;
   - leave or travel is background in a task report (已完成 + 上周休假 is done);
   - an answer to mailflow's own question is read as that answer (after 请给出新的日期,
     "1月4日吧" is the new date);
   - a date attached to delivering, whatever its shape (12月3日前 / 才能给 / 最早 / earliest /
     需要4个工作日 / until the 10th / a bare date after 但/but), is compared with the due;
   - belief and hearsay (以为 / thought: not so; 听说 / X说 / I heard: not the sender's word) take a
     completion out of the sender's assertion; a third party late or pending is a risk (rule 6);
   - a completion is a done only when asserted as already true: perfective (了/咗/已/past tense)
     with no future frame (听日/下星期/会/就/之后/once); otherwise it is a commitment (a delay when
     its date is after the due); a stage before production (deployed to staging) is progress;
   - giving the work to a named person (交咗畀X跟/让X去做/换人负责：X/assigned to X) is a reassign
     in a task thread (a stand-in is only for meetings); given to the reader, a client, a boss or a
     department without a person it is delivered (done);
   - waiting on a third party or a pending approval (等紧供应商 / PO still not approved) is a risk;
   - otherwise the strongest statement wins (PRECEDENCE).
   The reading is `sure` only when nothing had to be guessed; `why` says what decided it. A done or
   confirm is sure only if no other clause could change it (_doubt): someone else's word, a date
   after the due or one we could not resolve, a contrast or an unread sentence beside a bare receipt,
   English words beside a 👍 in its own clause ("👍 Rebased"), an unread contrast beside a done.
5. Several parts: one ItemReading each; the top level is the most consequential item
   (delay > risk > progress > done > confirm), with its percent and due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from mailflow.read import dates
from mailflow.model import Intent
from mailflow.read.reply_context import ReplyContext, context_from_quote, strip_signature
from mailflow.read.reply_lexicon import normalize
from mailflow.read import reply_parts as parts
from mailflow.read.reply_rules import read_part, short

__all__ = ["ItemReading", "Reading", "ReplyContext", "calendar_reading", "classify", "context_from_quote"]


@dataclass
class ItemReading:
    item: int
    intent: Intent
    percent: int | None = None
    due: date | None = None
    reason: str = ""
    due_vague: bool = False
    deadline: dates.Deadline | None = None     # as found; dates.apply_delay re-anchors 推迟3天
    sure: bool = False


@dataclass
class Reading:
    intent: Intent
    percent: int | None = None
    due: date | None = None
    due_vague: bool = False
    reason: str = ""
    proxy: str | None = None
    items: list[ItemReading] = field(default_factory=list)
    calendar_gap: bool = False
    text: str = ""
    # The delay's deadline as dates.find_deadline found it. For a relative shift (推迟3天) `due`
    # counts from `now`; the caller re-anchors it on the task's due with dates.apply_delay.
    deadline: dates.Deadline | None = None
    sure: bool = False                  # only an unambiguous reading may change a task or an RSVP
    why: list[str] = field(default_factory=list)   # short English evidence lines
    question: bool = False              # the text asks something
    assignee: str | None = None         # REASSIGN: the new owner's name as written


# Between numbered answers: the most consequential item decides the top level.
_CONSEQUENCE = (Intent.DELAY, Intent.RISK, Intent.OBJECTION, Intent.DECLINE, Intent.REASSIGN, Intent.PROGRESS,
                Intent.DONE, Intent.TENTATIVE, Intent.CONFIRM, Intent.UNKNOWN)


# --------------------------------------------------------------------------------------------
# Public API

# the first line of an original mail left under the answer (the quote cutter's job; a safety net
# here, because mailflow's own mails quote 已完成/确认 as examples)
_QUOTE_START = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:原始邮件|邮件原件|原始郵件|郵件原件|回复的原邮件|original message)|[-_]{8,}[ \t]*$|"
    r"(?:发件人|寄件者|from)[ \t]*[:：].*@|在.{0,60}写道[:：]|on .{0,120}wrote:|.{0,60}于.{0,40}写道[:：])",
    re.I | re.M)


def _drop_trailing_quote(text: str) -> tuple[str, str]:
    """(the text without a quoted tail, what was cut). "> …" lines at the end and an original mail
    under the answer do not count; the quote cutter removes them first, this is a safety net."""
    text = text.strip()
    cut = ""
    m = _QUOTE_START.search(text)
    if m and m.start() > 0:
        cut, text = text[m.start():], text[:m.start()].strip()
    lines = text.split("\n")
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        cut = lines.pop() + "\n" + cut
    return "\n".join(lines).strip(), cut.strip()


def calendar_reading(answer: str | None) -> Reading | None:
    """Rule 13: a calendar reply with no text of its own is read from its calendar part (or the
    "已接受:/Accepted:" subject): inbound.Inbound.calendar_reply."""
    intent = {"accepted": Intent.CONFIRM, "declined": Intent.DECLINE, "tentative": Intent.TENTATIVE,
              "delegated": Intent.DECLINE}.get(answer or "")
    if intent is None:
        return None
    return Reading(intent=intent, sure=True, why=[f"calendar reply: {answer}"])


def classify(text: str, now: datetime, cal: Any = None, context: ReplyContext | None = None) -> Reading:
    """Read the sender's new text. `now` anchors relative dates (the mail's Date); `cal` is a
    dates.WorkCalendar (None: the default calendar); `context` what is known of the mail answered
    (the task's due, what mailflow asked); without it dates cannot be compared with a due date and
    such readings are not sure."""
    ctx = context or ReplyContext()
    frame = {"rsvp": "meeting", "minutes": "minutes"}.get(ctx.asked or "")
    if frame and ctx.kind != frame:             # what mailflow asked decides the frame of the answer
        ctx = replace(ctx, kind=frame)
    text, quoted = _drop_trailing_quote(text or "")
    trimmed = strip_signature(text)
    why_pre = [f"ignored quoted text '{short(quoted, 30)}'"] if quoted else []
    if len(trimmed) < len(text):
        why_pre.append(f"ignored signature lines '{short(text[len(trimmed):], 30)}'")
    text = trimmed
    norm = normalize(text)
    assert len(norm) == len(text)
    # a stand-in is for a meeting; in a task thread "我让周杰去做" hands the task over (reassign)
    found = parts.proxy(text, norm) if ctx.kind != "task" else None
    proxy, proxy_span = found if found else (None, None)
    who_unsaid = proxy == ""                # "will attend for me": someone else, but who?
    proxy = proxy or None
    new_owner = parts.assignee(text, norm)

    markers = [] if ctx.kind == "minutes" else parts.item_markers(norm)
    if not markers:
        part, clauses = read_part(text, norm, 0, len(norm), now, cal, ctx, ctx.due, proxy_span)
        r = Reading(intent=part.intent, percent=part.percent, due=part.due, due_vague=part.due_vague,
                    reason=part.reason, proxy=proxy, items=[], calendar_gap=part.calendar_gap, text=text,
                    deadline=part.deadline, sure=part.sure, why=why_pre + part.why, question=part.question)
        asked = proxy_span is not None and any(c.question and c.start < proxy_span[1] and proxy_span[0] < c.end
                                               for c in clauses)
        if proxy_span and r.intent is Intent.DECLINE and (who_unsaid or asked):
            # "will attend for me" / "谁能代我参加？": a stand-in not said, or asked for, not stated
            r.sure = False
            r.why.append("a stand-in asked for, not stated: ask back" if asked else
                         "attending for the sender, without saying who: ask back")
        return _finish(r, new_owner)

    items: list[ItemReading] = []
    why = list(why_pre)
    gap = question = False
    pending: list[int] = []                 # "第1项、第2项已完成": an empty item shares the next one's answer
    for k, mk in enumerate(markers):
        end = markers[k + 1].start if k + 1 < len(markers) else len(norm)
        if k + 1 < len(markers) and not norm[mk.end:end].strip(parts.STRIP + "和及与&"):
            pending += mk.numbers
            continue
        numbers = pending + mk.numbers
        due_now = ctx.due_of(numbers[0]) if ctx.item_dues else ctx.due
        part, _ = read_part(text, norm, mk.end, end, now, cal, ctx, due_now, None)
        gap = gap or part.calendar_gap
        question = question or part.question
        why += [f"item {numbers[0]}: {w}" for w in part.why]
        for n in numbers:
            items.append(ItemReading(item=n, intent=part.intent, percent=part.percent, due=part.due,
                                     reason=part.reason, due_vague=part.due_vague, deadline=part.deadline,
                                     sure=part.sure))
        pending = []
    top = min(items, key=lambda it: _CONSEQUENCE.index(it.intent))
    if top.intent in (Intent.DONE, Intent.CONFIRM) and any(it.intent is Intent.UNKNOWN for it in items):
        # "1、3已完成，2 …": an item not understood may be the one that matters
        why.append("an item was not understood: the whole reply is not read as done")
        top = ItemReading(item=top.item, intent=Intent.UNKNOWN)
    r = Reading(intent=top.intent, percent=top.percent, due=top.due, due_vague=top.due_vague, reason=top.reason,
                proxy=proxy, items=items, calendar_gap=gap, text=text, deadline=top.deadline,
                sure=all(it.sure for it in items), why=why, question=question)
    return _finish(r, new_owner)


def _finish(r: Reading, new_owner: str | None) -> Reading:
    if r.intent is Intent.REASSIGN:
        r.assignee = new_owner
        if not new_owner:
            r.sure = False
            r.why.append("handover without a name")
    return r
