"""Clauses of a reply and what each one says (the middle layer of the reader).

A part of a reply (the whole text, or one numbered answer) is cut into sentences (。！？；, line
breaks) and clauses (commas, brackets, and the connectives 但/不过/只是/另外/but/however). Each
clause is then marked with:

- its predicates (reply_lexicon classes) and, per predicate, the polarity in front of it within
  the clause (不/没/未/尚未/无法/唔/not …; an A-not-A question 能不能 does not negate; 不是X is a
  contrast that takes X back);
- its modality: a question (吗, 请问, a wh-word or A-not-A before "？", English inversion), a
  condition (如果/若/…的话/if), a possibility (可能/也许/有机会/maybe), a request (申请/能否/可以吗/
  could we/please);
- its subject: the sender, or a third party whose words are reported (供应商说, vendor said);
- its dates (dates.find_all) and their role: a promise (the sender will deliver then), a date the
  sender waits for (要等12月10日 / 12月4日才到), a date that will be missed (12月9日来不及), or a
  correction (inside an objection);
- its percents.

replies.py combines the clauses of a part into one reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mailflow.read import dates
from mailflow.model import Intent
from mailflow.read.reply_lexicon import (
    A_NOT_A, ASKED_OF_READER, BELIEF_RE, CONTRAST_RE, HEARSAY_RE, THIRD_RE, CONDITION_RE, QUOTED_WORDS, CONFIRM_LATER_AFTER, CONFIRM_LATER_BEFORE, EMBEDDED_Q, PLAN_RE, CUE_RE, FUTURE_AFTER_ZH, FUTURE_EN, FUTURE_EN_AFTER, FUTURE_MODAL_ZH, FUTURE_ZH, LISTENER_RE, MEANING, MID_CONDITION_EN, MODIFIER_AFTER, THANKS_FOR, NEG_EN_SUBJECT, PAST_TIME_ZH, NEG_EN, NEG_ZH, ONTIME,
    ONTIME_AFTER, PROMISE_RE, REPORTED_RE, REQUEST_RE, SAYING_ZH, SELF_RE, TRAILING_CONDITION_RE, WAIT_RE, WHOLE_ACK, WHOLE_DONE, WHOLE_NO, percents,
)

__all__ = ["Cue", "Clause", "clauses"]

_SENTENCE_END = set("。!?;\n")
_CLAUSE_SEP = re.compile(r"[,、()\[\]【】]|:(?!\d)|(?<!\d)\.(?=\s|$)|\s+-\s+|"
                         r"(?=但是|(?<!不)但(?!愿)|不过|只是|可是|然而|另外|此外)|(?<![a-z])(?=but |however|though |although )")
_QUESTION_STRONG = re.compile(
    r"吗|么\s*$|呢\s*$|请问|问一下|想问|想确认|想了解|请教|"
    r"^\s*(?:could|can|would|will|shall|should|is|are|was|were|do|does|did|may|have|has)\s+(?:we|i|you|it|this|that|they|he|she|there|the|our|my)\b|"
    r"^\s*(?:who|what|when|where|which|how|why)\s|"
    r"(?<![a-z])(?:just checking|wanted to (?:check|ask|confirm)|i'd like to (?:check|ask|confirm)|whether)(?![a-z])")
_QUESTION_WEAK = re.compile(r"是否|能否|可否|有没有|是不是|对不对|(?<!没)什么|哪(?!怕)|谁|怎么|如何|为什么|几时|多久|"
                            r"([能可会要行有用需对])[不没]\1")
_DURATION_ONLY = re.compile(r"^\s*(?:至少|最少|需要?|要)?\s*[\d一二两三四五六七八九十几]+\s*个?\s*(?:工作日|工作天|天|日|周|星期|小时)\s*$|"
                            r"^\s*\d+\s*(?:working |business )?(?:days?|weeks?|hours?)\s*$")
_MISS_RE = re.compile(r"来不及|赶不上|赶不及|唔切|交不了|做不完|给不了|完不成|(?:出|交|做|弄|搞|写|发)(?:不|唔)(?:出来|来|完|到)|(?<!行)不行|(?<!够)不够|"
                      r"(?<![a-z])(?:can't make|cannot make|won't make|can not make|miss|not (?:by|on))(?![a-z])")


@dataclass
class Cue:
    kind: str
    start: int
    end: int
    intent: Intent | None
    negation: str | None = None          # "plain" | "modal" | "deny" | None
    future: bool = False                 # 完成 said of the future: a commitment
    deferred: bool = False               # a confirmation still to be made, or asked of the reader


@dataclass
class Clause:
    start: int
    end: int
    sentence: int
    cues: list[Cue] = field(default_factory=list)
    question: bool = False
    condition: bool = False
    possible: bool = False
    request: bool = False
    reported: bool = False
    third_at: int = -1                   # where a third party is named (供应商 / the vendor); -1: none
    hearsay: bool = False                # 听说 / I think: a status believed or heard, not asserted
    contrast: bool = False               # opened by 但/不过/but: it may take back what came before
    self_subject: bool = False
    dates: list[dates.Deadline] = field(default_factory=list)
    date_role: str | None = None         # promise | wait | missed | correction | third
    percents: list[tuple[float, bool]] = field(default_factory=list)

    def kinds(self) -> set[str]:
        # cached: asked once per predicate, it must not cost the clause's length each time
        n = len(self.cues)
        if getattr(self, "_kinds_n", -1) != n:
            self._kinds, self._kinds_n = {c.kind for c in self.cues}, n
        return self._kinds

    def text(self, orig: str) -> str:
        return orig[self.start:self.end].strip()


def _segments(norm: str, start: int, end: int) -> list[tuple[int, int, int, str]]:
    """(start, end, sentence number, the sentence's end mark) of every non-empty clause."""
    out: list[tuple[int, int, int, str]] = []
    sent_no, a = 0, start
    i = start
    while i <= end:
        if i == end or norm[i] in _SENTENCE_END or (norm[i] == "." and (i + 1 == end or norm[i + 1] in " \n")
                                                    and not (i > start and norm[i - 1].isdigit())):
            mark = norm[i] if i < end else ""
            for ca, cb in _split_clauses(norm, a, i):
                out.append((ca, cb, sent_no, mark))
            sent_no += 1
            a = i + 1
        i += 1
    return out


def _split_clauses(norm: str, a: int, b: int) -> list[tuple[int, int]]:
    pieces = []
    last = a
    for m in _CLAUSE_SEP.finditer(norm, a, b):
        if m.start() > last:
            pieces.append((last, m.start()))
        last = max(last, m.end())
    if last < b:
        pieces.append((last, b))
    return [(x, y) for x, y in pieces if norm[x:y].strip(" \t\r-~")]


def _negation(norm: str, lo: int, pos: int) -> tuple[str | None, str]:
    prefix = A_NOT_A.sub("?", norm[max(lo, pos - 24):pos])
    neg = NEG_ZH.search(prefix) or NEG_EN.search(prefix)
    if not neg:
        return ("plain", "") if NEG_EN_SUBJECT.search(norm, max(lo, pos - 60), pos) else (None, "")
    found = neg.groupdict()
    for g in ("deny", "modal", "plain"):
        if found.get(g):
            return g, neg.group("gap") or ""
    return None, ""


def _read_cues(norm: str, a: int, b: int) -> list[Cue]:
    out: list[Cue] = []
    prev_end = a
    asked = False
    mentioned = [q.span() for q in QUOTED_WORDS.finditer(norm, a, b)]
    asked_pairs = [q.span() for q in A_NOT_A.finditer(norm, a, b)]
    for m in CUE_RE.finditer(norm, a, b):
        if any(x < m.start() < y for x, y in mentioned):
            continue                         # “下周完成” quoted: a mention, not a statement
        if any(x < m.start() < y for x, y in asked_pairs):
            continue                         # 不能来 inside 能不能来: half of a question, not a refusal
        kind = m.lastgroup
        assert kind is not None
        plain, negated = MEANING[kind]
        neg, gap = _negation(norm, prev_end, m.start()) if kind not in ("objx", "hedge", "noise") else (None, "")
        if neg is None and kind in ("attend", "done", "finish", "confirm", "agree") and \
                (_DENIED_AFTER.match(norm, m.end()) or _DENIED_AT_END.search(norm, m.end(), b)):
            neg = "modal"                    # "参加个鬼 / 能按时完成才怪": said only to deny it
        intent, future, deferred = plain, False, False
        if kind in ("confirm", "agree", "attend", "done", "finish", "ack") and (asked or
                ASKED_OF_READER.search(norm[max(prev_end, m.start() - 12):m.start()])):
            intent, asked, deferred = None, True, True   # "请确认交付格式": asked of the reader
        elif kind == "confirm" and not neg and (CONFIRM_LATER_AFTER.match(norm, m.end()) or
                                                CONFIRM_LATER_BEFORE.search(norm[max(a, m.start() - 20):m.start()])):
            intent, deferred = None, True    # "我确认一下日程": a confirmation still to be made
        elif kind in ("confirm", "agree", "attend", "done", "finish", "ack") and \
                EMBEDDED_Q.search(norm, max(a, m.start() - 40), m.start()):
            intent = None                    # "确认是否收到": inside an embedded question
        elif kind in ("attend", "done", "finish") and THANKS_FOR.search(norm[max(a, m.start() - 32):m.start()]):
            intent = None                    # "Thanks everyone for joining": their act, not an answer
        elif kind in ("done", "finish") and _THE_MAIL_AFTER.match(norm, m.end()):
            intent = None                    # "finished reading your email": the mail, not the work
        elif kind in ("done", "finish") and MODIFIER_AFTER.match(norm, m.end()) and not m.group().endswith(("了", "咗")):
            intent = None                    # "已完成的任务请关闭": names finished things, no report
        elif neg == "deny":
            intent = None
        elif BELIEF_RE.search(norm, max(a, m.start() - 40), m.start()) and kind not in ("noise", "hedge"):
            # "我以为搞定了": what was believed is not so; for a completion that means not done
            intent = Intent.PROGRESS if kind in ("done", "finish") else None
        elif neg:
            intent = negated
            if kind in ("done", "finish"):
                if ONTIME.search(gap) or ONTIME_AFTER.match(norm, m.end()):
                    intent = Intent.DELAY
                elif neg == "modal":
                    intent = Intent.RISK
            if kind == "absent":
                intent = None
            if kind == "agree" and _PENDING.search(norm, max(prev_end, m.start() - 16), m.start()):
                intent = Intent.RISK         # "PO still not approved": waiting on someone's approval
        elif kind == "finish" or (kind == "done" and "a" <= m.group()[0] <= "z"):
            before = PAST_TIME_ZH.sub(" ", norm[max(a, m.start() - 40):m.start()])
            after = norm[m.end():m.end() + 16]
            if FUTURE_EN.search(before) or FUTURE_EN_AFTER.match(after) or \
                    (kind == "finish" and (FUTURE_ZH.search(before) or FUTURE_AFTER_ZH.match(after))):
                intent, future = Intent.CONFIRM, True
        elif kind == "done" and _future_completion(norm, a, b, m.start(), m.end()):
            intent, future = Intent.CONFIRM, True     # 听日搞掂俾你 / 搞掂之后发你: a commitment
        prev_end = m.end()
        out.append(Cue(kind, m.start(), m.end(), intent, neg, future, deferred))
    t = norm[a:b].strip(" \t\r!.。~")
    if len(t) <= 6 and WHOLE_DONE.fullmatch(t):
        return [Cue("done", a, b, Intent.DONE)]          # "好了" / "ok了": it is ready
    if not out and len(t) <= 6 and WHOLE_ACK.fullmatch(t):
        out.append(Cue("ack", a, b, Intent.CONFIRM))
    return out


# finishing to read the message itself: "finished reading your email", "看完你的邮件"
_THE_MAIL_AFTER = re.compile(r"\s*(?:reading|going through|looking at|looking through|checking)\s+(?:your|the|this|that)\s+"
                             r"(?:e-?mail|mail|message|note|reminder|thread)")
# a sarcastic denial after the predicate: V个鬼 / V个屁 right after it, 才怪 closing the clause
_DENIED_AFTER = re.compile(r"\s*(?:个鬼|个屁|个头)")
_DENIED_AT_END = re.compile(r"才怪\s*[!~。.]*\s*$")
_SET_AGAINST = re.compile(r"(?<![a-z])(?:realistically|more like|more likely|probably closer to)(?![a-z])|实际上|现实点|看样子")
_PENDING = re.compile(r"还|仍|尚|(?<![a-z])(?:still|yet)(?![a-z])")
_PERFECTIVE = re.compile(r"已|咗|了|过")


def _future_completion(norm: str, a: int, b: int, start: int, end: int) -> bool:
    """Is a Chinese completion said of the future? Only a perfective one (已/咗/了) is asserted as
    already true; without it a time or modal word before it (明天/下周/会/能) or 之后/就 after it makes
    it a commitment. A perfective one is future only right after 会/将/就 (明天就做完了), or before a
    next step still to come (搞掂咗就发你, with no 了 after it)."""
    perfective = _PERFECTIVE.search(norm, start, end) or norm.startswith(("了", "咗", "喇"), end)
    before = PAST_TIME_ZH.sub(" ", norm[max(a, start - 40):start])
    if perfective:
        if "已" in norm[start:end]:
            return False
        tail = end + 1 if norm.startswith(("了", "咗", "喇"), end) else end
        if FUTURE_AFTER_ZH.match(norm, tail) and not _PERFECTIVE.search(norm, tail, b):
            return True
        return bool(FUTURE_MODAL_ZH.search(before)) and "咗" not in norm[start:end]
    return bool(FUTURE_ZH.search(before) or FUTURE_AFTER_ZH.match(norm, end))


_NOT_PROSE = re.compile(r"(?<![^\s(:\"'<])(?:(?:https?://|www\.)\S+|[\w.+-]+@[\w.-]+|[\w.-]+\.(?:pptx?|xlsx?|docx?|pdf|psd|zip|png|jpe?g)\b)")
_DATE_ONLY_REST = re.compile(r"^[\s吧啊呢呀哈嘛了的吗,.!?~]*(?:到|至|to|by|until|till|say|like|maybe|比如|大概)?[\s吧啊呢呀哈嘛了的吗,.!?~]*(?:可以吗|行吗|好吗|ok|okay|吧|please|pls|then|吧谢谢|谢谢)?[\s吧啊呢呀哈嘛了的吗,.!?~]*$")


# only the sender (or nobody) before a duration: "但需要4个工作日" is the time this task needs
_OWN_DURATION = re.compile(r"(?:\s|但是?|不过|可是|只是|我们?|还|大概|估计|预计|需要?|得|要|再|至少|最少|最快|最早|"
                           r"(?<![a-z])(?:but|i|we|'ll|will|need|needs|it|this|takes?)(?![a-z]))*+")


_HEDGED_DATE = re.compile(r"\s*(?:大概|大约|约|估计|预计|应该|差不多|左右)\s*")
_EN_ORDINAL = re.compile(r"(?<![a-z])the\s+(\d{1,2})(?:st|nd|rd|th)(?![a-z])")


def _clause_dates(orig: str, norm: str, a: int, b: int, now: datetime, cal: Any) -> list[tuple[int, int, dates.Deadline]]:
    text = orig[a:b]
    hits = dates.find_all(text, now, cal)
    if not hits and norm[a:b] != text:
        hits = dates.find_all(norm[a:b], now, cal)
    if not hits and _EN_ORDINAL.search(norm, a, b):
        # "until the 10th": an English ordinal day is a day of the month, like 10号
        spelled = _EN_ORDINAL.sub(lambda m: f" {m.group(1)}号 ", norm[a:b])
        hits = [(0, b - a, dl) for _, _, dl in dates.find_all(spelled, now, cal)]
    masked = [m.span() for m in _NOT_PROSE.finditer(norm, a, b)]
    out = []
    for s, e, dl in hits:
        hedge = _HEDGED_DATE.match(norm, a + s, a + e)
        if dl.vague and dl.due is None and hedge:
            # "大概12月16日": the hedge makes the day approximate, not unknown; read the day itself
            again = dates.find_all(orig[hedge.end():a + e], now, cal)
            if again and not again[0][2].vague:
                s, dl = hedge.end() - a + again[0][0], again[0][2]
        if any(x < a + e and a + s < y for x, y in masked):
            continue                       # a link or a file name, not a date
        if dl.delay is None and _DURATION_ONLY.match(dl.text.lower()) and \
                not _OWN_DURATION.fullmatch(norm[a:a + s]):
            continue                       # "测试至少5个工作日": a length, not a deadline
        out.append((a + s, a + e, dl))
    return out


def clauses(orig: str, norm: str, start: int, end: int, now: datetime, cal: Any,
            kind: str | None) -> list[Clause]:
    segs = _segments(norm, start, end)
    last_start = {sent: a for a, _, sent, _ in segs}      # the last clause of each sentence
    out: list[Clause] = []
    cond_sentence = report_sentence = -1
    asked_sentence = -2                  # the last sentence that ended on a question mark (-2: none)
    for a, b, sent, mark in segs:
        c = Clause(a, b, sent)
        text = norm[a:b]
        c.cues = _read_cues(norm, a, b)
        last_of_sentence = last_start.get(sent) == a
        c.question = bool(_QUESTION_STRONG.search(text)) or (mark == "?" and (
            last_of_sentence or bool(_QUESTION_WEAK.search(text))))
        # "有问题：接口文档还没给" announces a problem; it is not "有问题请联系"
        opens = bool(CONDITION_RE.search(text) or MID_CONDITION_EN.search(text)) and not norm.startswith(":", b)
        # a condition covers its own clause and the consequent that follows in the sentence
        c.condition = opens or cond_sentence == sent or bool(PLAN_RE.search(text))
        if not opens and asked_sentence == sent - 1 and _ANSWER_TO_ASKED.match(text):
            # "会议取消了吗？那我就不去了": what follows "then" rests on the answer to that question
            opens = c.condition = True
        cond_sentence = sent if opens else -1
        if opens and TRAILING_CONDITION_RE.search(text):
            for before in _earlier_in_sentence(out, sent):
                before.condition = True   # "Yes I'll attend, unless the call runs over"
        c.possible = any(x.kind == "hedge" for x in c.cues)
        c.request = bool(REQUEST_RE.search(text))
        c.reported = bool(REPORTED_RE.search(text))
        # "our supplier" / 我们的供应商 is a third party, not the sender
        c.self_subject = bool(SELF_RE.search(_OUR_SPEAKER.sub(" ", _OWN_PARTY.sub(" ", LISTENER_RE.sub(" ", text)))))
        third = THIRD_RE.search(norm, a, b)
        c.third_at = third.start() if third and not c.self_subject else -1
        c.hearsay = bool(HEARSAY_RE.search(text)) or (c.reported and not c.self_subject)
        if report_sentence == sent:
            # "老李说，方案已经完成了" / "According to the vendor, it's live": the words that follow
            # a reporting frame in its sentence are that person's, not the sender's report
            c.hearsay = True
            c.reported = c.reported or not c.self_subject
        elif c.hearsay and _REPORT_FRAME.search(text) and not any(x.intent is not None for x in c.cues):
            report_sentence = sent          # a frame only (小张说 / according to legal): it opens
            for before in _earlier_in_sentence(out, sent):
                before.hearsay = True       # …and a source named after it ("Done (according to Tom)")
        c.contrast = bool(CONTRAST_RE.match(text))
        c.percents = [(v, e) for _, _, v, e in percents(norm, a, b)]
        found = _clause_dates(orig, norm, a, b, now, cal)
        c.dates = [dl for _, _, dl in found]
        if c.dates:
            rest = "".join(norm[x:y] for x, y in zip([a] + [e for _, e, _ in found], [s for s, _, _ in found] + [b]))
            date_only = bool(_DATE_ONLY_REST.match(rest))
            c.date_role = _date_role(c, text, kind, date_only)
            if c.question and date_only and c.date_role == "promise":
                c.request = True              # "12月3日？" / "say Dec 3?": a date proposed is asked for
        if mark == "?" and c.question and not c.request:
            asked_sentence = sent            # (a request 能延期吗？那就下周二吧 proposes, it asks no fact)
        out.append(c)
    if kind == "meeting":
        # "Unfortunately no" / "不了，谢谢" to an invitation: a bare no is the answer when nothing
        # else in the reply says anything ("No, I'll be there" is left to the other words)
        bare = [c for c in out if not c.cues and WHOLE_NO.fullmatch(norm[c.start:c.end].strip(" \t\r!.。~"))]
        if bare and not any(x.intent is not None for c in out for x in c.cues):
            bare[0].cues = [Cue("decl", bare[0].start, bare[0].end, Intent.DECLINE)]
    return out


# 才 before the sender's own delivery: the date is when they will deliver, not one they wait for
_LATE_DELIVERY = re.compile(r"才能?\s*[^\s,;。!?]{0,2}?(?:给|交|完成|提交|发|出|好|搞定|交付|上线|完)|"
                            r"先(?:得|可以|有|交得|搞得掂|做得完)")    # Cantonese 先 after a date: 下礼拜三先得


def _earlier_in_sentence(out: list[Clause], sent: int) -> Iterator[Clause]:
    """The clauses already read of sentence `sent`, nearest first (a trailing condition or source
    reaches back over them)."""
    for before in reversed(out):
        if before.sentence != sent:
            return
        yield before


# a clause that only frames what follows as someone's words: it ends on the reporting verb
# (老李说， / the vendor says,) or opens with the source (according to legal, / 据悉，)
_REPORT_FRAME = re.compile(rf"(?:{SAYING_ZH}|称|通知|话|据悉|据了解|听说)(?:的)?\s*$|"
                           r"(?<![a-z])(?:said|says|told (?:me|us)|reported|heard)\s*$|"
                           r"^\s*(?:according to|apparently|reportedly|据|听说)")


# a consequent opened right after a question: it holds only if the answer is yes
_ANSWER_TO_ASKED = re.compile(r"\s*(?:那(?:样的话|么|样)?(?:的话)?(?:我|我们)?就|那我|那就|(?<![a-z])(?:if so|in that case|then i|then we)(?![a-z]))")


# someone of the sender's side who speaks (我们组长说 / my manager says) is still someone else
_OUR_SPEAKER = re.compile(rf"(?:我们|我的|咱们)的?[\u4e00-\u9fff]{{1,4}}?(?={SAYING_ZH})|"
                          r"(?<![a-z])(?:our|my)\s+[a-z]+(?=\s+(?:said|says|told|mentioned|claims))")
_OWN_PARTY = re.compile(r"(?:(?<![a-z])(?:our|my)\s+|我们的?|我的|咱们的?)(?=\s*" + THIRD_RE.pattern + ")")


def _date_role(c: Clause, text: str, kind: str | None, date_only: bool) -> str:
    """promise | wait | missed | third | correction | report (a finished thing's date) | counter (a
    bare date after 但/but: likely the sender's own date, but no verb says so) | mention."""
    kinds = c.kinds()
    if kind == "minutes" or kinds & {"obj", "objx"}:
        return "correction"
    moving = bool(kinds & {"delay", "move"})
    if not moving and any(x.intent is Intent.DONE and not x.negation for x in c.cues):
        return "report"
    if not moving and any(x.deferred for x in c.cues):
        return "mention"                  # "I'll confirm with legal tomorrow": not a delivery date
    if not moving and _MISS_RE.search(text):
        return "missed"
    if not moving and BELIEF_RE.search(text):
        return "missed"                   # "以为周五能交": a date believed once, no longer promised
    if not moving and any(x.negation and x.intent is not None and x.kind in ("done", "finish", "attend")
                          for x in c.cues):
        return "missed"
    if (c.reported or c.third_at >= 0) and not c.self_subject:
        return "third"
    if not moving and any(x.future and x.kind in ("done", "finish") for x in c.cues):
        return "promise"                  # "12月10号先做掂": the completion is promised for that day
    if not moving and _LATE_DELIVERY.search(text) and not re.search(r"要?等|等到|直到", text):
        return "promise"                  # "下周二才能给你": the sender's own (later) delivery date
    estimate = re.search(r"(?<![a-z])(?:take|takes|need|needs|be)\s+(?:\w+\s+)?(?:until|till)(?![a-z])", text)
    if not moving and not estimate and WAIT_RE.search(text) and not PROMISE_RE.search(re.sub(r"才能?|要到", "", text)):
        return "wait"
    if not moving and not estimate and re.search(r"才|要等|等到|直到|waiting|until|till", text):
        return "wait"
    if moving or date_only or c.request or PROMISE_RE.search(text):
        return "promise"
    if any(_DURATION_ONLY.match(d.text.lower()) for d in c.dates):
        return "promise"                  # "需要4个工作日": the time the sender needs to deliver
    if c.contrast or _SET_AGAINST.search(text):
        return "counter"                  # "realistically Dec 16": set against the due, no verb                  # "OK but next Wednesday": a date set against the acknowledgement
    return "mention"                      # "下周继续": a time, not a promise
