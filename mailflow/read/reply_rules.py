"""Step 4 of reading a reply (see replies): the clauses of one part combined, by explicit rules,
into one statement with its evidence. Pure.

`read_part` marks a part's clauses (reply_clauses), keeps the statements that count after modality
and subject (_statements: a question or a condition asserts nothing, someone else's word is not the
sender's, a completion is a done only when asserted as already true), compares a promised date with
the task's due (_promise), picks the strongest by PRECEDENCE (_combine), says whether anything had to
be guessed (_doubt) and finds the reason given. replies cuts a reply into parts and puts the parts'
readings together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from mailflow.model import Intent
from mailflow.read import dates
from mailflow.read import reply_parts as parts
from mailflow.read.reply_clauses import Clause, Cue, clauses as _clauses
from mailflow.read.reply_context import ReplyContext
from mailflow.read.reply_lexicon import OTHERS_STEP, PARTIAL_OBJECT, REMAINS, THIRD_LATE_RE, THIRD_RE

__all__ = ["PRECEDENCE", "PartReading", "read_part", "short"]


# Strongest first, for the statements of one part: what the sender asks for beats a report, a
# report beats an acknowledgement.
PRECEDENCE = (
    Intent.DELAY, Intent.DECLINE, Intent.OBJECTION, Intent.REASSIGN, Intent.RISK,
    Intent.PROGRESS, Intent.DONE, Intent.TENTATIVE, Intent.CONFIRM,
)
_RANK = {intent: i for i, intent in enumerate(PRECEDENCE)}
# Statements that cannot both be true of one task in one part.
_CLASHES = ({Intent.DONE, Intent.PROGRESS}, {Intent.DONE, Intent.DELAY}, {Intent.DONE, Intent.RISK},
            {Intent.DONE, Intent.DECLINE})


@dataclass
class PartReading:
    intent: Intent
    percent: int | None = None
    due: date | None = None
    due_vague: bool = False
    reason: str = ""
    calendar_gap: bool = False
    deadline: dates.Deadline | None = None
    sure: bool = False
    question: bool = False
    why: list[str] = field(default_factory=list)


def short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


_DENIAL = re.compile(r"不是|并非|而非|(?<![a-z])(?:isn't|is not|wasn't|was not|aren't|weren't)(?![a-z])")


def _statements(cs: list[Clause], orig: str, norm: str, ctx: ReplyContext,
                why: list[str]) -> list[tuple[Intent, Clause, str]]:
    """(intent, clause, cue kind) of every statement that counts, after modality and subject."""
    out = []
    for c in cs:
        said = c.text(orig)
        if c.condition and not c.question and ctx.kind == "meeting" and \
                any(x.kind == "attend" and x.intent is Intent.CONFIRM for x in c.cues):
            why.append(f"an acceptance on a condition '{short(said)}': tentative")
            out.append((Intent.TENTATIVE, c, "attend"))
            continue
        if c.condition:
            if c.cues or c.dates:
                why.append(f"ignored condition clause '{short(said)}'")
            continue
        if ctx.kind == "minutes" and _DENIAL.search(norm, c.start, c.end) and not c.question:
            out.append((Intent.OBJECTION, c, "deny"))     # "负责人不是我": the minutes are disputed
        dropped = False
        mine: list[tuple[Intent, Clause, str]] = []        # this clause's statements
        facts: dict[str, bool] = {}                         # searched once per clause, not per cue
        for cue in c.cues:
            if cue.intent is None:
                continue
            if c.question and not (c.request and (cue.intent is Intent.DELAY or cue.kind in ("move", "handover"))):
                dropped = True                  # only a request survives a question
                continue
            intent = _statement(cue, c, norm, ctx, said, why, facts)
            if intent is not None:
                mine.append((intent, c, cue.kind))
        if dropped:
            why.append(f"ignored question clause '{short(said)}'")
        late = THIRD_LATE_RE.search(norm, c.start, c.end)
        if late and not c.self_subject and not c.question and (c.reported or 0 <= c.third_at < late.start()) and \
                not any(i in (Intent.RISK, Intent.DELAY) for i, _, _ in mine) and \
                not any(x.intent is Intent.DONE and not x.negation for x in c.cues):
            # rule 6: "物流那边说货要下周才到" - someone else is late or makes us wait
            why.append(f"a third party is late '{short(said)}': risk")
            mine = [f for f in mine if f[0] not in (Intent.CONFIRM, Intent.PROGRESS)] + [(Intent.RISK, c, "third")]
        out += mine
    return out


# who receives a deliverable without owning the task: the reader, a client, a boss, a department
# named without a person (财务处理 / 法务部审核; 采购部的刘洋 names one)
_NOT_AN_OWNER = re.compile(
    r"\s*(?:(?:the |our |my |your )?(?:client|customer|boss|manager|vendor|legal|finance|procurement|you)(?![a-z])|"
    r"你|您|客户|甲方|老板|领导|[\u4e00-\u9fff]总(?!监)|"
    r"(?:[\u4e00-\u9fff]{1,4}?(?:部|组|处(?!理)|科|室|中心|团队)|财务|法务|采购|人事|行政|运维|市场|销售)(?![\u4e00-\u9fff]?的))")
_PAST = re.compile(r"已|了|咗|过|(?<=[a-z])ed(?![a-z])|(?<![a-z])(?:sent|gave|given)(?![a-z])")
# a handover the sender makes (我已经交给X跟进 / 我让X去做), not one they take (我来接手)
_GIVES_AWAY = re.compile(r"已|交|转|让|安排|叫|派|换人|不归|改由|移交")
_SELF_ONLY = re.compile(r"[\s,]*(?:我们?|我来|我会|(?<![a-z])(?:i|we|i'll|we'll|i will|we will)(?![a-z]))\s*")


# a status said of something else, or of the sender's part only
_SCOPED_AWAY = re.compile(r"^\s*(?:but\s+)?not (?:this|that|the current|our|my) (?:one|task|report|item|part)s?(?![a-z])|"
                          r"不是这个|这个不算|只负责|只管|(?<![a-z])(?:only (?:responsible|in charge) for|only did|my part only)(?![a-z])")
_OTHERS_WAIT = re.compile(r"等|待|(?<![a-z])(?:wait\w*|pending|awaiting)(?![a-z])")


# disagreement said outright, as opposed to a correction of wording or content
_DISAGREES = re.compile(r"异议|反对|(?<![a-z])(?:object(?:s|ion|ions)?|disagree\w*)(?![a-z])")


def _statement(cue: Cue, c: Clause, norm: str, ctx: ReplyContext, said: str, why: list[str],
               facts: dict[str, bool]) -> Intent | None:
    """What one predicate of a counted clause states, given the clause's subject and modality.
    `facts` caches the clause-wide searches, so a clause with many predicates stays linear."""
    def has(name: str, rx: re.Pattern) -> bool:
        if name not in facts:
            facts[name] = bool(rx.search(norm, c.start, c.end))
        return facts[name]

    intent = cue.intent
    if intent is Intent.OBJECTION and ctx.kind == "task" and cue.kind in ("obj", "objx") \
            and not _DISAGREES.search(norm, cue.start, cue.end):
        # a task thread has no minutes to correct: 补上附件 / should be on time / 应该是做完了
        # are the sender's own words about the work; disagreeing with the task itself
        # (不同意, 有异议, I object) still is an objection, logged for the host
        why.append(f"a correction word in a task thread '{short(said)}': no minutes to object to")
        return None
    if cue.kind in ("move", "handover") and ctx.kind == "minutes":
        return Intent.OBJECTION                 # "负责人请改成李娜": a change to the minutes
    if cue.kind == "move" and not c.dates:
        return None                             # 改到第二版: a move needs a date to be a reschedule
    if intent is Intent.DELAY and cue.negation is None and cue.kind in ("delay", "move"):
        if ctx.kind == "minutes":
            return Intent.OBJECTION             # a date changed in minutes is a correction
        if not c.self_subject and (c.reported or 0 <= c.third_at < cue.start):
            why.append(f"a third party's delay '{short(said)}': risk")
            return Intent.RISK
        if c.possible and not c.request:
            why.append(f"a feared delay '{short(said)}': risk")
            return Intent.RISK
    if cue.kind == "handover" and norm[cue.start:cue.end].rstrip().endswith(("给", "畀", "俾", "转交", "移交", "交由", "to")) and \
            _NOT_AN_OWNER.match(norm, cue.end):
        # 已交给财务处理 / handed it to the client: delivered to a receiver, not a new owner of the task
        if _PAST.search(norm, c.start, c.end):
            why.append(f"given to a receiver, not a new owner '{short(said)}': done")
            return Intent.DONE
        return None
    if cue.kind == "handover" and _SELF_ONLY.fullmatch(norm, c.start, cue.start) and \
            not _GIVES_AWAY.match(norm, cue.start):
        return Intent.CONFIRM                   # "我来接手 / I'll take this over": the sender takes it
    if cue.kind == "absent" and ctx.kind != "meeting":
        why.append(f"leave/travel '{short(said)}' is background in a task report")
        return Intent.DECLINE if ctx.kind is None else None
    if cue.kind == "partial" and re.search(r"等|待|waiting", norm[cue.start:cue.end]) and \
            has("others", OTHERS_STEP):
        return None                             # "待审核 / waiting for your review": others' step
    if cue.kind == "partial" and re.search(r"等|waiting", norm[cue.start:cue.end]) and \
            (c.third_at >= 0 or has("third", THIRD_RE)):
        why.append(f"waiting on a third party '{short(said)}': risk")
        return Intent.RISK                      # "等紧供应商 / waiting on procurement": blocked by others
    if intent is Intent.DONE and (any(v < 100 for v, _ in c.percents) or has("partial", PARTIAL_OBJECT)):
        why.append(f"only part is finished '{short(said)}': progress")
        return Intent.PROGRESS                  # 完成了百分之六十 / 初稿已发: finished in part
    if intent in (Intent.CONFIRM, Intent.DECLINE) and (c.possible or "tent" in c.kinds()):
        return Intent.TENTATIVE
    return intent


def _promise(cs: list[Clause], orig: str, ctx: ReplyContext,
             loose: bool = False) -> tuple[dates.Deadline, Clause] | None:
    """The date the sender promises or asks for: the one in a delay clause first, else the last
    promise of the part (the final word), skipping waited-for, missed and corrected dates. `loose`
    (after a negated completion, or when mailflow asked for a date) also takes a date merely
    mentioned: "还没搞定，下周一应该可以" / "那就下周二吧"."""
    best = moved = None
    roles = ("promise", "counter", "mention") if loose else ("promise", "counter")
    for c in cs:
        if c.condition or not c.dates:
            continue
        if c.question and not (c.request or ctx.asked == "new_date"):
            continue
        if c.date_role not in roles or "handover" in c.kinds():
            continue                    # a handover's date is when the new owner starts, not a due
        if "absent" in c.kinds() and ctx.kind != "meeting":
            continue                    # "我下周要去深圳出差": when the sender is away, not a promised date
        usable = [d for d in c.dates if d.due is not None and not d.vague]
        if c.kinds() & {"delay", "move"} and moved is None:
            moved = ((usable or c.dates)[0], c)
        elif usable:
            best = (usable[-1], c)
    # an explicit date beats a shift (延期一周，到12月23日) and a vague word (延期，尽快)
    if moved is not None and (moved[0].delay is None and not moved[0].vague or best is None):
        return moved
    return best or moved


_NOT_YET = re.compile(r"没|未")
# a vague date that names a day: "not before Tuesday the 8th" could be later than the due
_SPECIFIC = re.compile(r"\d|周[一二三四五六日天]|星期|礼拜|(?:mon|tues|wednes|thurs|fri|satur|sun)day")


def _hedges_acceptance(cs: list[Clause], accepting: list[Clause]) -> bool:
    """Does a possibility reach an acceptance? It covers its own clause and what follows it in the
    part until a contrast (但/but) opens a clause: "我可能晚到半小时，但会参加" accepts, "可能晚到，会参加"
    accepts tentatively, "我会参加，但可能晚到" accepts."""
    hedged, scope = set(), False
    for c in cs:
        if c.contrast:
            scope = False
        if c.possible and not c.condition:
            scope = True
        if scope:
            hedged.add(id(c))
    return any(id(c) in hedged for c in accepting)


_CASUAL_WORDS = {"thanks", "thx", "with", "all", "the", "you", "guys", "team", "boss", "much", "very", "again",
                 "and", "for", "this", "that", "from", "here", "now"}


def _unread_beside_cues(norm: str, c: Clause) -> bool:
    """English words in an acknowledgement's own clause that no cue read: "👍 Rebased" /
    "可以close了" — a report (often in the team's code-switched jargon) beside the 👍 that we did
    not understand. Chinese objects of the receipt (确认接收任务, 同意纪要内容) are not reports."""
    rest, last = [], c.start
    for x in c.cues:
        rest.append(norm[last:x.start])
        last = max(last, x.end)
    rest.append(norm[last:c.end])
    text = " ".join(rest)
    if parts.pleasantry(text):
        return False
    return any(w not in _CASUAL_WORDS for w in re.findall(r"[a-z]{3,}", text))


# a contrast about how the finished work went ("though it took longer", "不过花了不少时间"): background
_BYGONE = re.compile(r"(?<![a-z])(?:took|was|were|had been|went)(?![a-z])|花了|用了|费了|折腾了")


def _doubt(norm: str, cs: list[Clause], found: list[tuple[Intent, Clause, str]], intent: Intent,
           due_now: date | None, delay_dl: dates.Deadline | None) -> str:
    """Why a done/confirm reading may be wrong (empty: nothing). It is sure only if no other clause
    carries content that could change it: someone else's word, a date later than the due, a
    contrast after the acknowledgement that says nothing we read, a move without a date."""
    said = {id(c) for _, c, _ in found}
    # a bare receipt (OK / 收到 / 同意) can be qualified by the next sentence; 参加 / 周五前完成 say more
    receipt = intent is Intent.CONFIRM and all(k in ("ack", "agree", "confirm", "noobj") for i, _, k in found if i is intent)
    for i, c, _ in found:
        if i is intent and c.hearsay:
            return f"{intent.value} is someone else's word or a belief: not sure"
    for c in cs:
        if c.condition or c.question:
            continue
        if _SCOPED_AWAY.search(norm[c.start:c.end]):
            # "The other report is done, not this one" / "我只负责第一部分": the finished thing may
            # not be this task, or not all of it
            return f"the {intent.value} may be about another thing or only a part ('{norm[c.start:c.end].strip()[:30]}'): not sure"
        if c.possible and id(c) not in said and all(x.kind == "hedge" for x in c.cues):
            # "Should be done, fingers crossed" / "完成了，但愿吧": a doubt beside it, said alone
            return f"a possibility beside the {intent.value} ('{norm[c.start:c.end].strip()[:30]}'): not sure"
        if receipt and id(c) in said and _unread_beside_cues(norm, c):
            return f"an acknowledgement beside words we did not read ('{norm[c.start:c.end].strip()[:30]}'): not sure"
        if due_now is not None and c.date_role not in ("report", "correction") and \
                "handover" not in c.kinds() and any(d.due is not None and d.due > due_now for d in c.dates):
            return f"a date after the due {due_now} beside the {intent.value}: not sure"
        if any(d.vague and (_SPECIFIC.search(d.text.lower()) or c.date_role in ("promise", "counter"))
               for d in c.dates) and c.date_role != "report":
            return f"a date we could not resolve beside the {intent.value}: not sure"
        if c.contrast and id(c) not in said and (c.cues or c.dates or (receipt or intent is Intent.DONE) and
                                                  parts.informative(norm[c.start:c.end])
                                                  and not (intent is Intent.DONE and _BYGONE.search(norm, c.start, c.end))):
            return f"a contrast after the {intent.value} says something not understood: not sure"
        if receipt and id(c) not in said and not (c.cues or c.percents or c.date_role in ("promise", "counter")) and parts.informative(norm[c.start:c.end]) \
                and not parts.pleasantry(norm[c.start:c.end]):
            return f"an acknowledgement beside a statement we did not read ('{norm[c.start:c.end].strip()[:30]}'): not sure"
        if "move" in c.kinds() and not c.dates:
            return "a change of date without a date we could read: not sure"
    return ""


def _combine(orig: str, norm: str, cs: list[Clause], ctx: ReplyContext, due_now: date | None,
             proxy_span: tuple[int, int] | None) -> PartReading:
    why: list[str] = []
    found = _statements(cs, orig, norm, ctx, why)
    if proxy_span:
        found.append((Intent.DECLINE, cs[0] if cs else Clause(0, 0, 0), "proxy"))
    intents = {i for i, _, _ in found}
    question = any(c.question for c in cs)
    guessed = False

    if not intents and ctx.kind not in ("task", "minutes") and any(c.possible and not c.condition for c in cs):
        found.append((Intent.TENTATIVE, next(c for c in cs if c.possible), "hedge"))
        intents = {Intent.TENTATIVE}
    # "已完成，等客户确认": after the sender's own work is finished, the wait is others' step
    # (only a wait: "this one hasn't started" is the sender's own work not begun)
    waits = [f for f in found if f[0] is Intent.RISK and f[2] == "partial" and
             _OTHERS_WAIT.search(norm, f[1].start, f[1].end)]
    if Intent.DONE in intents and waits:
        why.append("finished, then waiting on others: their step, not a risk")
        found = [f for f in found if f not in waits]
        intents = {i for i, _, _ in found}
    if Intent.DONE in intents and Intent.PROGRESS not in intents:
        left = next((c for c in cs if not c.condition and not c.question and REMAINS.search(norm[c.start:c.end])
                     and not OTHERS_STEP.search(norm[c.start:c.end])
                     and not any(x.intent is Intent.DONE for x in c.cues)), None)
        if left is not None:
            # "搞定了，不过文档还没写": finished, with the sender's own work still left
            why.append(f"work still left '{short(left.text(orig))}': in progress")
            found = [(Intent.PROGRESS if i is Intent.DONE else i, c, k) for i, c, k in found]
            intents = {i for i, _, _ in found}
    if ctx.kind in ("task", "minutes") and Intent.TENTATIVE in intents:
        # a task has no "tentative": unsure about finishing on time is a risk, else nothing said
        # unsure words (不确定, 没把握) about finishing are a risk; a hedged promise (应该能按时完成) is not
        # (a date in the unsure clause is a delivery in doubt too: 不一定能周五前交)
        on_time = any(any(d.due is not None and not d.vague for d in c.dates) or re.search(r"完成|按时|按期|交付|提交|finish|complete|on time|deliver", norm[c.start:c.end])
                      for i, c, k in found if i is Intent.TENTATIVE and (k == "tent" or not c.possible))
        why.append("unsure about finishing: risk" if on_time else "unsure, in a task thread: nothing said")
        found = [(Intent.RISK if on_time else None, c, k) if i is Intent.TENTATIVE else (i, c, k)
                 for i, c, k in found]
        found = [f for f in found if f[0] is not None]
        if not on_time:                    # "收到，我再看看": a receipt and a deferral approve nothing
            found = [f for f in found if not (f[0] is Intent.CONFIRM and f[2] == "ack")]
        intents = {i for i, _, _ in found}
    if {Intent.DONE, Intent.PROGRESS} <= intents and not intents & {Intent.DELAY, Intent.RISK, Intent.DECLINE,
                                                                      Intent.OBJECTION}:
        # a narrative ("周四周五都在改 … 昨天全部弄完了"): its last report is the state now
        # a stage before production (deployed to UAT) does not take back a plain completion
        firm = [(c.start, i) for i, c, k in found if i in (Intent.DONE, Intent.PROGRESS) and k != "stage"]
        last = max(firm or [(c.start, i) for i, c, _ in found if i in (Intent.DONE, Intent.PROGRESS)])[1]
        why.append(f"done and in progress both said; the later report ({last.value}) is the state now")
        found = [(i, c, k) for i, c, k in found if i not in (Intent.DONE, Intent.PROGRESS) or i is last]
        intents = {i for i, _, _ in found}
        guessed = True
    if Intent.CONFIRM in intents and ctx.kind not in ("task", "minutes") and \
            _hedges_acceptance(cs, [c for i, c, _ in found if i is Intent.CONFIRM]):
        # "可能晚到，会参加": an acceptance with a possibility beside it is tentative
        why.append("a possibility beside the acceptance: tentative")
        found = [(Intent.TENTATIVE if i is Intent.CONFIRM else i, c, k) for i, c, k in found]
        intents = {i for i, _, _ in found}
    negated_done = any(x.kind in ("done", "finish") and x.negation in ("plain", "modal") or x.kind == "notstarted"
                       or x.kind == "partial" and _NOT_YET.search(norm, x.start, x.end)
                       for c in cs if not c.condition and not c.question for x in c.cues)
    # after a date that will be missed (周五出不来 / 以为周五能交) a date merely said is the new one
    missed = any(c.date_role == "missed" and not c.condition for c in cs)
    promise = _promise(cs, orig, ctx, loose=negated_done or missed or ctx.asked == "new_date")
    intent = min(intents, key=_RANK.__getitem__) if intents else Intent.UNKNOWN
    decided = next((c for i, c, _ in found if i is intent), None)
    delay_dl: dates.Deadline | None = None

    if promise is not None and ctx.kind != "minutes" and intent not in (Intent.OBJECTION, Intent.DECLINE):
        dl, pc = promise
        later = None
        if dl.due is not None and due_now is not None:
            later = dl.due > due_now
        if intent is Intent.DELAY:
            delay_dl = dl
        elif later is True:
            why.append(f"promised {dl.due} is later than the due {due_now}: delay ('{short(pc.text(orig))}')")
            intent, delay_dl = Intent.DELAY, dl
            if pc.date_role == "counter":
                why.append("no verb says the date is the delivery: not sure")
                guessed = True
        elif later is False:
            why.append(f"promised {dl.due} is on or before the due {due_now}: a commitment")
            guessed = guessed or pc.question         # "周三行吗？": a date offered, not yet agreed
            if negated_done and intent in (Intent.PROGRESS, Intent.UNKNOWN):
                intent = Intent.PROGRESS
            elif intent is Intent.UNKNOWN:
                intent = Intent.CONFIRM
                if pc.possible:             # "未必周四能给你 / maybe Thursday": a date in doubt
                    why.append("the date is only a possibility: not sure")
                    guessed = True
        elif ctx.asked == "new_date" and intent in (Intent.UNKNOWN, Intent.CONFIRM, Intent.PROGRESS):
            why.append(f"answers mailflow's request for a new date: {dl.due}")
            intent, delay_dl = Intent.DELAY, dl
        elif negated_done or intent is Intent.RISK or any(c.date_role in ("wait", "missed") for c in cs):
            why.append(f"not finished and a new date {dl.due} (current due unknown): delay")
            intent, delay_dl, guessed = Intent.DELAY, dl, True
        elif intent is Intent.CONFIRM:
            why.append(f"a date {dl.due} but the current due is unknown: a commitment or a delay")
            guessed = True
        elif intent is Intent.UNKNOWN:
            why.append(f"a date {dl.due} alone and the current due is unknown: ask back")
    elif intent is Intent.DELAY:
        delay_dl = next((d for c in cs if c.kinds() & {"delay", "move"} for d in c.dates), None)

    if intent is Intent.UNKNOWN and ctx.asked == "new_date":
        vague = next((d for c in cs if not c.condition for d in c.dates if d.vague), None)
        if vague is not None:
            # mailflow asked for a new date and got 尽快 / ASAP: a delay whose date must be asked again
            why.append(f"answers mailflow's request for a new date with a vague '{vague.text}': delay, ask again")
            intent, delay_dl, guessed = Intent.DELAY, vague, True

    # percent: an explicit number beats a word (一半), the last one beats earlier ones
    percent, impossible = None, False
    pcs = [(v, e) for c in cs if not c.condition and c.date_role != "correction"
           and not (c.kinds() & {"obj", "objx"}) for v, e in c.percents]
    if pcs and intent not in (Intent.OBJECTION,):
        explicit = [v for v, e in pcs if e] or [v for v, _ in pcs]
        value = explicit[-1]
        if value < 0 or value > 100:
            impossible = True
            why.append(f"impossible percent {value:g}: not stored")
        else:
            percent = int(round(value))
    if percent is None and not impossible and intent is Intent.PROGRESS and \
            any(k == "notstarted" for _, _, k in found):
        percent = 0
    if percent is not None:
        if percent == 100 and intent in (Intent.PROGRESS, Intent.DONE, Intent.CONFIRM, Intent.UNKNOWN):
            intent = Intent.DONE
        elif percent < 100 and intent in (Intent.DONE, Intent.CONFIRM, Intent.UNKNOWN):
            intent = Intent.PROGRESS
    elif impossible and intent in (Intent.DONE, Intent.CONFIRM, Intent.UNKNOWN):
        intent = Intent.PROGRESS

    part = PartReading(intent, percent=percent if intent not in (Intent.DELAY,) or percent else percent,
                 question=question, why=why)
    if intent is Intent.DELAY:
        if delay_dl is not None and delay_dl.due is not None and not delay_dl.vague:
            part.due, part.deadline, part.calendar_gap = delay_dl.due, delay_dl, bool(delay_dl.calendar_gap)
        else:
            part.due_vague = True
            part.deadline = delay_dl
            why.append("delay without a usable date")
    if decided is not None and intent is not Intent.UNKNOWN and not any(intent.value in w for w in why):
        why.append(f"{intent.value}: '{short(decided.text(orig))}'")
    if intent is Intent.UNKNOWN:
        why.append("no status statement" + (" (only a question)" if question else ""))

    relative = part.deadline is not None and part.deadline.delay is not None   # 推迟3天: from the due
    if intent is Intent.DELAY and part.due and due_now and part.due <= due_now and not relative:
        why.append(f"a delay to {part.due}, not after the due {due_now}: ask back")
        guessed = True
    clash = any(pair <= intents for pair in _CLASHES)
    if clash:
        why.append("clauses disagree: " + ", ".join(sorted(i.value for i in intents)))
    if intent in (Intent.DONE, Intent.CONFIRM):
        doubt = _doubt(norm, cs, found, intent, due_now, delay_dl)
        if doubt:
            why.append(doubt)
            guessed = True
    # a relative shift (推迟3天) is usable: the caller re-anchors it on the task's due
    part.sure = (intent is not Intent.UNKNOWN and not guessed and not impossible and not clash
                 and not part.due_vague)
    return part


def _reason(orig: str, norm: str, start: int, end: int, cs: list[Clause], intent: Intent,
            proxy_span: tuple[int, int] | None = None) -> str:
    span = parts.find_reason(norm, start, end)
    if span:
        m = parts._REASON_RE.match(norm, span[0], span[1])
        if m:
            g = "ltext" if m.group("ltext") is not None else "ctext"
            return parts.clean(orig[m.start(g):span[1]])
        return parts.clean(orig[span[0]:span[1]])
    if intent in (Intent.DELAY, Intent.RISK, Intent.OBJECTION, Intent.DECLINE):
        quiet = [(c.start, c.end) for c in cs if not c.cues and c.date_role not in ("promise", "counter") and not c.percents
                 and not (proxy_span and c.start < proxy_span[1] and proxy_span[0] < c.end)]
        return parts.loose_reason(orig, norm, quiet)
    return ""


def read_part(orig: str, norm: str, start: int, end: int, now: datetime, cal: Any, ctx: ReplyContext,
               due_now: date | None, proxy_span: tuple[int, int] | None) -> tuple[PartReading, list[Clause]]:
    cs = _clauses(orig, norm, start, end, now, cal, ctx.kind)
    span = parts.find_reason(norm, start, end)
    if span:                               # "原因：良品率只有60%": a reason's numbers are not progress
        for c in cs:
            if span[0] <= c.start < span[1]:
                c.percents = []
    part = _combine(orig, norm, cs, ctx, due_now, proxy_span)
    part.reason = _reason(orig, norm, start, end, cs, part.intent, proxy_span)
    return part, cs
