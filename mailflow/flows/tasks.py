"""Replies become task updates: the 任务台账 and its 进度更新 log (pure; returns Outcomes).

A mail reaches this module when core.route placed it on a task (In-Reply-To/References to a
mail we sent about the task, the [MF-T42] subject tag, or a signed plus-address token), or when
it answers a mail that numbered several tasks (the weekly progress request, a receipt): the
numbered task ids of such a mail are kept in the outbox_items table (see `Mail.numbered_tasks`).

Order of checks, for every mail:
1. Authentication: with [org] trusted_authserv_id set, mail without a pass from our own server
   changes nothing (status "refused", no answer: the sender may be forged; the admin is told).
   A plus-address token that is forged, or names another task, is refused the same way.
2. Authority (core.may_change_task): owner, the owner's delegates, the meeting's host and
   recorder (and the host's delegates). Anyone else gets a polite refusal; the host is told.
3. replies.classify on the new text, anchored on the mail's Date, told the task's due date and what
   the answered mail asked (answers.context_for). Only a sure reading changes a task.

What an answer does (decisions; the tests pin them):
- confirm: Task.confirmed_at, when the owner or a delegate says it (行动项需经负责人确认). Any
  other report by the owner's side (progress, done, delay) also counts as accepting the task.
- progress: 未开始 -> 进行中 (a task that was 已完成 is reopened); a 延期 task stays 延期 (its new
  date and reason still stand) and only the percent changes; "未开始" keeps 未开始 at 0%.
- done: 已完成 at 100%, the risk flag cleared, and the host asked to verify (验收通过 / 退回 + reason).
  The host's answer (in that thread, or any task thread while the task is 已完成) -> 已验收, or
  back to 进行中 with the reason logged and the owner told.
- delay: needs a new date *and* a reason. With both: 延期, new due, reason. Without one of them the
  ledger's status and due stay as they are, but the request is logged (event "delay_requested")
  and the risk flag set, so the host sees it at once; the sender is asked for what is missing.
  Either kind is flagged late_notice (event flag + a mail to the host) when asked less than 24 h
  before the end of working hours on the due date, or after it.
- risk: the risk flag and note; the receipt goes in copy to the host.
- objection / decline / tentative on a task: logged, status "unknown" (the host's daily digest
  reads inbound rows with status unknown and a task_id), the sender told the host will decide.
- reassign (这个改由小李负责) by the owner's side: never a confirm and no change; logged (event
  "reassign_requested", flag to:<address> when the name resolves) and sent to the host as a
  handover request with one-click 同意 / 不同意 (on_decision). The host's 同意 — or the host, or the
  manager answering an escalation, naming the new owner directly ("这个任务改由李明负责，截止改为
  12月9日") — hands it over (`reassign`): the new owner gets the assignment mail with the due entry,
  the old owner is released, the log says "张伟 → 李明：reason".
- Every delay request reaches the host at once (task_delay_notice); with [tasks]
  delay_needs_approval a complete one waits (delay_requested, flag approval) for the host's 同意
  (`set_due`) or 不同意 (delay_denied); the owner hears the decision (task_decision).
- The escalation's manager (core.may_decide_escalation) may change the task in that thread.
- A status outside any task thread (a meeting notice's thread, a forward, a new mail) is matched
  to the sender's open task (_stray); several fitting are asked about, numbered.
- [schedule] receipts = "daily": plain receipts wait for the person's digest (receipt_digest).
- not sure, or unknown: nothing changes; the words are logged (event "unclear", which also holds
  the overdue notice and the escalation, timeline.py) and one short clarifying answer goes back in
  the language the sender wrote in, quoting them, with one-click answers; an answer to that
  clarification that is still not understood gets no second one (it waits in the digest).
  A delay without a usable date is sure as a request: the answer (kind task_ask_date) asks for the
  date, and the next answer is read as that date, with the reason given the first time.
- A 已验收 task is closed: answers are acknowledged and change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from . import answers, dispatch as core, due_entries
from ..read import attachments, dates, replies
from ..timeline import rules
from .. import tokens
from ..read.reply_lexicon import normalize
from ..read.reply_parts import assignee as _assignee_in
from ..model import NUMBERED_KINDS, Attachment, Intent, Mail, Meeting, Outcome, Task, TaskEvent, TaskStatus

OWN_KINDS = ("task_receipt", "task_clarify", "task_ask_date")
_TEXT_LIMIT = 500

# The host's verdict on a finished task. A return is looked for first (不通过 contains 通过).
# "先别关" / "keep it open": the host keeps a finished task open, which is a return (not closed).
_KEEP_OPEN = (r"(?:先|暂|暫|还|還)?(?:别|別|不要|不能|勿|不用|暂不|暫不|先不)(?:关闭|關閉|关|關|结案|結案|close)|"
              r"(?:don'?t|do\s+not|not\s+yet)\s+close(?:\s+(?:it|this))?(?:\s+yet)?|keep\s+(?:it\s+|this\s+)?open")
_RETURN = re.compile(r"退回|驳回|駁回|打回|返工|退件|重做|(?:不|没|沒|未|无法|無法|不能|不予|不可)有?(?:通过|通過|验收|驗收|合格|接受)|"
                     r"reject|not\s+(?:accept|approv|pass|ok)|send\s+(?:it\s+)?back|\breturn(?:ed)?\b|redo|"
                     + _KEEP_OPEN, re.I)
_PASS = re.compile(r"验收通过|驗收通過|通过|通過|验收|驗收|合格|同意|确认|確認|可以|没问题|沒問題|好的|"
                   r"\bok\b|\bokay\b|approved?|accepted?|\bpass(ed)?\b|lgtm", re.I)
_RETURN_LEAD = re.compile(r"^\s*(?:验收)?(?:退回|不通过|未通过|驳回|打回|返工|不合格|rejected|reject|returned|return|"
                          r"send\s+(?:it\s+)?back|" + _KEEP_OPEN + r")\s*[，,：:。.;；、\s]*", re.I)
# "____" in a one-click answer is a blank the person did not fill in: it says nothing.
_BLANK = re.compile(r"_{2,}")
# What a task event records for a reply that changed nothing until a human looks at it.
UNREAD_KINDS = ("unclear", "reassign_requested")


# --------------------------------------------------------------------------------------------
# Entry points

def _task_and_meeting(ctx: core.Context, rt: core.Route) -> tuple[Task | None, Meeting | None]:
    task = ctx.lookup.get_task(rt.task_id) if rt.task_id is not None else None
    if task is None:
        return None, None
    return task, (ctx.lookup.get_meeting(task.meeting_id) if task.meeting_id is not None else None)


def _words(msg: Any) -> str:
    """The sender's new text; the blanks of a one-click answer left unfilled ("____") say nothing."""
    return _BLANK.sub("", msg.visible or "").strip()


def _read(ctx: core.Context, msg: Any, rt: core.Route, task: Task | None) -> Any:
    """replies.classify with what the reader should know: the task's current due date (a later
    promised date is a delay) and what the mail being answered asked (after "请给出新的日期",
    "1月4日吧" is the new date)."""
    context = answers.context_for(rt, due=task.due if task else None, kind="task")
    return replies.classify(_words(msg), msg.date or ctx.now, ctx.calendar, context=context)


def _sure_part(ctx: core.Context, r: Any, task: Task | None) -> "_Part":
    """What a reading may do to a task: only a sure one changes it. A handover is passed on
    however sure it is (it changes nothing by itself); anything else unsure is asked back."""
    if r.intent is Intent.REASSIGN:
        return _Part.of(r)
    asking_without_date = r.intent is Intent.DELAY and r.due is None
    if not r.sure and not asking_without_date:
        return _Part(intent=Intent.UNKNOWN, guess=r.intent)
    # A delay asked for without a usable date is certain as a request; it changes neither status
    # nor due date (delay_requested) and its answer asks for the date.
    part = _Part.of(r)
    if part.intent is Intent.DELAY and not part.reason and task is not None:
        part.reason = _pending_reason(ctx, task)
    return part


def _item_for_due(ctx: core.Context, msg: Any, rt: core.Route, it: Any, task: Task, by_due: dict) -> Any:
    """A numbered item read against its own task's due date ("2 12月9日前给到" is a delay when task
    2 is due before then): the text is read once per distinct due date among the listed tasks."""
    if task.due not in by_due:
        by_due[task.due] = _read(ctx, msg, rt, task)
    return next((x for x in by_due[task.due].items if x.item == it.item), it)


def _pending_reason(ctx: core.Context, task: Task) -> str:
    """The reason of a delay request still waiting for its date ("需要延期，原因：…" then, asked for
    the date, "1月4日吧"): the two answers make one request."""
    events = ctx.lookup.task_events(task.id)
    last = events[-1] if events else None
    if last is None or last.kind != "delay_requested":
        return ""
    return replies.classify(last.text, last.at, ctx.calendar).reason


@core.on_object("task")
def on_task_mail(ctx: core.Context, msg: Any, rt: core.Route) -> Outcome | None:
    task, meeting = _task_and_meeting(ctx, rt)
    if task is None:
        return None
    sender = (msg.sender or "").lower()
    refused = _gate(ctx, msg, task, meeting, rt)
    if refused is not None:
        return refused
    if _is_verifier(ctx, sender, meeting) and task.status is TaskStatus.DONE and _verdict(_words(msg)):
        return _verify(ctx, msg, task, meeting)
    reading = _read(ctx, msg, rt, task)
    if _decides(ctx, sender, task, meeting, rt) and _hands_over(reading, _words(msg)):
        # The host (or the manager answering an escalation) hands the task over directly:
        # "这个任务改由李明负责，截止改为12月9日" needs nobody's approval.
        return _direct_handover(ctx, msg, task, meeting, reading)
    out = _apply_reading(ctx, msg, rt, [(task, meeting, _sure_part(ctx, reading, task))], reading)
    out.intent = reading.intent.value
    return out


@core.on_reply("task_verify")
def on_verify_reply(ctx: core.Context, msg: Any, rt: core.Route) -> Outcome | None:
    """The host answers a verify request: 验收通过 / 退回 + reason. Others fall through to on_task_mail."""
    task, meeting = _task_and_meeting(ctx, rt)
    if task is None:
        return None
    if not _is_verifier(ctx, (msg.sender or "").lower(), meeting):
        return None
    refused = _gate(ctx, msg, task, meeting, rt)
    if refused is not None:
        return refused
    if _verdict(_words(msg)) is None:
        reading = _read(ctx, msg, rt, task)
        if reading.sure and reading.intent is not Intent.UNKNOWN:
            return None          # the host reports on the task like anyone else
        return _clarify(ctx, msg, rt, task, mode="verify", reading=reading)
    return _verify(ctx, msg, task, meeting)


@core.on_reply(*NUMBERED_KINDS)
def on_numbered_reply(ctx: core.Context, msg: Any, rt: core.Route) -> Outcome | None:
    """An answer to a mail that listed several tasks, numbered ("1 已完成；3 延期到周五")."""
    ids = ctx.lookup.outbox_items(rt.answered["id"]) if rt.answered else None
    if not ids:
        return None              # a receipt about one task: on_task_mail (routed by its task_id)
    tasks = [ctx.lookup.get_task(i) for i in ids]
    reading = _read(ctx, msg, rt, tasks[0] if len(tasks) == 1 else None)
    picked: list[tuple[Task, _Part]] = []
    unclear: list[int] = []
    if reading.items:
        by_due = {None: reading}
        for it in reading.items:
            task = tasks[it.item - 1] if 1 <= it.item <= len(tasks) else None
            if task is None:
                unclear.append(it.item)
                continue
            picked.append((task, _sure_part(ctx, _item_for_due(ctx, msg, rt, it, task, by_due), task)))
    elif len(tasks) == 1 and tasks[0] is not None:
        picked.append((tasks[0], _sure_part(ctx, reading, tasks[0])))
    if not picked:
        # No numbers and several tasks: which one? Ask once, listing them.
        rt.task_id = next((t.id for t in tasks if t is not None), None)
        out = _clarify(ctx, msg, rt, None, mode="items", numbered=[t for t in tasks if t is not None],
                       reading=reading)
        out.intent = reading.intent.value
        return out
    # One read per meeting: the listed tasks mostly come from the same few meetings.
    meetings = {mid: ctx.lookup.get_meeting(mid) for mid in {t.meeting_id for t, _p in picked} if mid is not None}
    pairs = [(task, meetings.get(task.meeting_id), part) for task, part in picked]
    gate = _gate(ctx, msg, pairs[0][0], pairs[0][1], rt, check_sender=False)
    if gate is not None:
        return gate
    allowed = [p for p in pairs if core.may_change_task(ctx, p[0], msg.sender, p[1])]
    if not allowed:
        return _refuse(ctx, msg, pairs[0][0], pairs[0][1])
    rt.task_id = allowed[0][0].id
    out = _apply_reading(ctx, msg, rt, allowed, reading, unclear=unclear, numbered=ids,
                         refused=[p[0] for p in pairs if p not in allowed])
    out.intent = reading.intent.value
    return out


# --------------------------------------------------------------------------------------------
# Wrong thread or no thread: a status about a task written where no task is

_STRAY_INTENTS = (Intent.DONE, Intent.PROGRESS, Intent.DELAY, Intent.RISK, Intent.REASSIGN)
_TAG_IN_TEXT = re.compile(r"\[MF-T(\d{1,12})\]", re.I)


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"\s+", "", normalize(text or "").lower())
    return {t[i:i + 2] for i in range(len(t) - 1)}


def _names_title(title: str, text: str) -> bool:
    """Whether `text` names the task: its whole title, or most of the title's two-character pieces
    ("接口文档已完成" names 接口文档编写) or of its English words."""
    if not title:
        return False
    folded, t = normalize(text).lower(), normalize(title).lower()
    if t in folded:
        return True
    words = [w for w in re.findall(r"[a-z]{3,}", t)]
    if words:
        return sum(w in folded for w in words) / len(words) >= 0.75
    grams = _bigrams(title)
    return len(grams) >= 2 and len(grams & _bigrams(text)) / len(grams) >= 0.6


def _matching_tasks(ctx: core.Context, msg: Any, mine: list[Task], *, only_named: bool) -> list[Task]:
    """The sender's open tasks this mail is about: by a task tag in its text (a forward keeps
    the subject it forwards), else by title words, else (when allowed) their only open task."""
    blob = f"{msg.subject or ''}\n{msg.text or ''}"
    by_id = {t.id: t for t in mine}
    tagged = [by_id[int(n)] for n in dict.fromkeys(_TAG_IN_TEXT.findall(blob)) if int(n) in by_id]
    if tagged:
        return tagged
    named = [t for t in mine if _names_title(t.title, f"{msg.subject or ''}\n{_words(msg)}")]
    if named:
        return named
    return mine if len(mine) == 1 and not only_named else []


def _stray(ctx: core.Context, msg: Any, rt: core.Route, *, in_meeting_thread: bool) -> Outcome | None:
    sender = (msg.sender or "").lower()
    if not sender or ctx.directory.get(sender) is None:
        return None
    mine = ctx.lookup.tasks(owner=sender, open_only=True)
    if not mine:
        return None
    reading = replies.classify(_words(msg), msg.date or ctx.now, ctx.calendar,
                               context=replies.ReplyContext(kind="task"))
    if not reading.sure or reading.intent not in _STRAY_INTENTS or reading.items:
        return None
    # In a meeting's thread only a plain status (done, a percent) can be a task's without naming
    # it; a delay there may be about the meeting itself, so it must name the task.
    loose = reading.intent in (Intent.DONE, Intent.PROGRESS)
    found = _matching_tasks(ctx, msg, mine, only_named=in_meeting_thread and not loose)
    if not found:
        if in_meeting_thread or len(mine) < 2:
            return None
        found = mine                            # a status naming no task: which one? list them
    if len(found) > 1:
        task_rt = core.Route(kind="task", task_id=found[0].id, via="matched")
        out = _clarify(ctx, msg, task_rt, None, mode="items", numbered=found, reading=reading)
        out.log.insert(0, f"a status outside any task thread fits {len(found)} open tasks of {sender}: asked which")
        out.intent = reading.intent.value
        return out
    task_rt = core.Route(kind="task", task_id=found[0].id, meeting_id=found[0].meeting_id, via="matched")
    out = on_task_mail(ctx, msg, task_rt)
    if out is not None:
        out.log.insert(0, f"matched to task {found[0].id} ({found[0].title}) outside its thread")
    return out


@core.on_stray
def on_stray_in_meeting_thread(ctx: core.Context, msg: Any, rt: core.Route) -> Outcome | None:
    """"接口开发已完成" in answer to a meeting notice: the sender's task, not an RSVP. Only in the
    thread of a mail that asked for an RSVP (a minutes thread speaks of items itself)."""
    kind = (rt.answered or {}).get("kind")
    if kind and answers.ASKED_BY_KIND.get(kind) != "rsvp":
        return None
    return _stray(ctx, msg, rt, in_meeting_thread=True)


@core.on_new(90)
def on_stray_new_mail(ctx: core.Context, msg: Any) -> Outcome | None:
    """A new mail or a forward naming a task (after every flow that starts something new)."""
    return _stray(ctx, msg, core.Route(kind="new"), in_meeting_thread=False)


# --------------------------------------------------------------------------------------------
# Gates: authentication, tokens, authority

def _is_host_delegate(ctx: core.Context, sender: str, meeting: Any) -> bool:
    if not meeting or not meeting.host:
        return False
    host = ctx.directory.get(meeting.host)
    return bool(host and (sender or "").lower() in host.delegates)


def _is_verifier(ctx: core.Context, sender: str, meeting: Any) -> bool:
    """The host verifies (验收); so may the host's delegates."""
    if not meeting or not meeting.host:
        return False
    return sender == meeting.host.lower() or _is_host_delegate(ctx, sender, meeting)


def _owner_side(ctx: core.Context, task: Task, sender: str) -> bool:
    if sender == task.owner.lower():
        return True
    owner = ctx.directory.get(task.owner)
    return bool(owner and sender in owner.delegates)


def _token_problem(ctx: core.Context, msg: Any, task: Task) -> str | None:
    """A plus-address token on a mail routed to `task` must be genuine and name it (or its meeting)."""
    org = ctx.org
    if not (org.plus_addressing and org.secret):
        return None
    for addr in [*(msg.to or []), *(msg.cc or [])]:
        tok = tokens.token_in(addr, org.address)
        if not tok:
            continue
        checked = tokens.check_token(org.secret, tok)
        if checked is None:
            return f"forged reply token in {addr}"
        kind, num = checked
        if not ((kind == "t" and num == task.id) or (kind == "m" and num == task.meeting_id)):
            return f"reply token {kind}{num} used on task {task.id}"
    return None


def _gate(ctx: core.Context, msg: Any, task: Task, meeting: Any, rt: core.Route,
          check_sender: bool = True) -> Outcome | None:
    if not core.authenticated(msg, ctx.org):
        return _silent_refusal(ctx, msg, f"not authenticated by {ctx.org.trusted_authserv_id}; task "
                                         f"{task.id} unchanged")
    problem = _token_problem(ctx, msg, task)
    if problem:
        return _silent_refusal(ctx, msg, f"{problem}; task {task.id} unchanged")
    sender = (msg.sender or "").lower()
    if check_sender and not core.may_change_task(ctx, task, sender, meeting) \
            and not core.may_decide_escalation(ctx, task, sender, rt.answered):
        return _refuse(ctx, msg, task, meeting)
    return None


def _silent_refusal(ctx: core.Context, msg: Any, why: str) -> Outcome:
    out = Outcome(status="refused", log=[why])
    if ctx.org.admin:
        out.mails.append(core.forward_to_admin(ctx, msg, "refused", why))
    return out


def _refuse(ctx: core.Context, msg: Any, task: Task, meeting: Any) -> Outcome:
    """A polite refusal to someone who may not change the task; the host is told."""
    sender = (msg.sender or "").lower()
    out = Outcome(status="refused", log=[f"{sender} may not change task {task.id} ({task.title}); refused"])
    base = _base(ctx, task)
    # Only colleagues (people.yaml) get the refusal: an address outside it may be forged, and an
    # answer would be backscatter to whoever owns it, carrying the task's title and owner outside.
    if ctx.directory.get(sender) is None:
        # Nor a note to the host at once: a stranger (or a bounce no rule recognised) could make
        # one per mail for ever. It is listed in the host's daily digest instead (store:
        # unknown_replies_by_host, intent "stranger").
        out.intent = "stranger"
        out.log.append(f"{sender} is not in the directory: no answer; listed in the host's daily digest")
        return out
    else:
        out.mails.append(Mail(
            key=f"task_refused:{msg.message_id}", template="task_refused", to=[sender], lang=ctx.lang(sender),
            kind="task_refused", task_id=task.id, meeting_id=task.meeting_id, in_reply_to=msg.message_id,
            references=list(msg.references or []),
            context={**base, "name": msg.sender_name or ctx.name(sender) or sender,
                     "host_name": ctx.name(meeting.host) if meeting and meeting.host else ""}))
    if meeting and meeting.host:
        out.mails.append(Mail(
            key=f"task_refused_host:{msg.message_id}", template="task_refused_host", to=[meeting.host],
            lang=ctx.lang(meeting.host), kind="task_refused_host", task_id=task.id,
            meeting_id=task.meeting_id,
            context={**base, "name": ctx.name(meeting.host), "sender": sender,
                     "sender_name": msg.sender_name or ctx.name(sender) or sender,
                     "text": _clip(msg.visible), "subject": msg.subject or ""}))
    return out


# --------------------------------------------------------------------------------------------
# Applying readings

@dataclass
class _Part:
    intent: Intent
    percent: int | None = None
    due: date | None = None
    due_vague: bool = False
    reason: str = ""
    deadline: Any = None
    calendar_gap: bool = False
    assignee: str | None = None          # REASSIGN: the new owner as written
    guess: Intent | None = None          # UNKNOWN: what an unsure reading leaned to (asked back)

    @classmethod
    def of(cls, r: Any) -> "_Part":
        # an ItemReading has no calendar_gap or assignee of its own
        return cls(intent=r.intent, percent=r.percent, due=r.due, due_vague=r.due_vague, reason=r.reason,
                   deadline=r.deadline, assignee=getattr(r, "assignee", None),
                   calendar_gap=bool(getattr(r, "calendar_gap", False)
                                     or (r.deadline and r.deadline.calendar_gap)))


@dataclass
class _Result:
    task: Task
    what: str                  # confirm progress done delay delay_incomplete risk noted handover closed unchanged
    missing: list[str] = field(default_factory=list)
    late: bool = False
    gap: bool = False
    old_due: date | None = None
    changed: bool = False
    event: TaskEvent | None = None
    part: Any = None


def _base(ctx: core.Context, task: Task) -> dict:
    return {"title": task.title, "task_id": task.id, "owner": task.owner, "owner_name": ctx.name(task.owner),
            "due": task.due, "status": task.status.value}


def _line(ctx: core.Context, task: Task, what: str, **kw: Any) -> dict:
    """One task's line in a receipt (templates task_receipt.*); `kw` overrides the quiet defaults."""
    return {**_base(ctx, task), "what": what, "percent": task.percent, "reason": task.delay_reason, "note": "",
            "missing": [], "late": False, "gap": False, "old_due": None, "verify": False, "host_name": "", **kw}


def _clip(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= _TEXT_LIMIT else text[:_TEXT_LIMIT] + "…"


def _due_end(ctx: core.Context, due: date) -> datetime:
    end = getattr(ctx.clockwork, "work_end", None) or dates.WORKDAY_END
    return datetime.combine(due, end, tzinfo=ctx.tz)


def _asked_at(ctx: core.Context, msg: Any) -> datetime:
    """When the sender asked: the Date header, unless it is in the future or days old (skewed clocks)."""
    d = msg.date
    if d is None or d.tzinfo is None or d > ctx.now or d < ctx.now - timedelta(days=2):
        return ctx.now
    return d


def _apply_one(ctx: core.Context, msg: Any, task: Task, part: _Part, text: str) -> _Result:
    sender = (msg.sender or "").lower()
    t = replace(task, collaborators=list(task.collaborators))
    old = task.status
    ev = dict(task_id=task.id, at=ctx.now, actor=sender, text=text, old_status=old.value,
              message_id=msg.message_id)
    res = _Result(task=t, what="unchanged", part=part)
    if old is TaskStatus.VERIFIED:
        res.what = "closed"
        return res
    intent = part.intent
    owner_side = _owner_side(ctx, task, sender)

    if intent in (Intent.CONFIRM, Intent.PROGRESS, Intent.DONE, Intent.DELAY, Intent.RISK) and owner_side \
            and t.confirmed_at is None:
        t.confirmed_at = ctx.now
        res.changed = True
    if intent is Intent.CONFIRM:
        if res.changed:
            res.what = "confirm"
            res.event = TaskEvent(**ev, kind="confirm", new_status=old.value)
        return res
    if intent is Intent.DONE or (intent is Intent.PROGRESS and part.percent == 100):
        if old is TaskStatus.DONE:
            return res
        t.status, t.percent, t.done_at, t.risk = TaskStatus.DONE, 100, ctx.now, False
        res.what, res.changed = "done", True
        res.event = TaskEvent(**ev, kind="done", new_status="done", percent=100)
        return res
    if intent is Intent.PROGRESS:
        if old is TaskStatus.NOT_STARTED and part.percent == 0:
            t.percent = 0
        elif old is not TaskStatus.DELAYED:
            t.status = TaskStatus.IN_PROGRESS
        if part.percent is not None:
            t.percent = part.percent
        if old is TaskStatus.DONE:
            t.done_at = None
        if (t.status, t.percent) == (old, task.percent) and not res.changed:
            return res
        res.what, res.changed = "progress", True
        res.event = TaskEvent(**ev, kind="progress", new_status=t.status.value, percent=t.percent)
        return res
    if intent is Intent.DELAY:
        deadline = part.deadline
        due = part.due
        if deadline is not None and deadline.delay is not None and task.due is not None:
            deadline = dates.apply_delay(deadline, task.due, ctx.calendar)
            due = deadline.due
        gap = part.calendar_gap or bool(deadline and deadline.calendar_gap)
        res.gap = gap
        res.late = task.due is not None and _asked_at(ctx, msg) > _due_end(ctx, task.due) - timedelta(hours=24)
        flags = (["late_notice"] if res.late else []) + (["calendar_gap"] if gap else [])
        if due is not None and due < ctx.now.astimezone(ctx.tz).date():
            due = None
        res.missing = (["date"] if due is None else []) + (["reason"] if not part.reason else [])
        if res.missing:
            t.risk = True
            t.risk_note = t.risk_note or text[:200]
            res.what, res.changed = "delay_incomplete", True
            res.event = TaskEvent(**ev, kind="delay_requested", new_status=old.value, due=due, flags=flags)
            return res
        if ctx.org.delay_needs_approval and owner_side and not _decides(ctx, sender, task, None, None):
            # [tasks] delay_needs_approval: the request waits for the host's 同意 (on_decision)
            res.what, res.changed = "delay_pending", True
            res.event = TaskEvent(**ev, kind="delay_requested", new_status=old.value, due=due,
                                  flags=flags + ["approval"])
            return res
        res.old_due = task.due
        t.status, t.due, t.delay_reason, t.done_at = TaskStatus.DELAYED, due, part.reason, None
        res.what, res.changed = "delay", True
        res.event = TaskEvent(**ev, kind="delay", new_status="delayed", due=due, percent=t.percent, flags=flags)
        return res
    if intent is Intent.RISK:
        t.risk, t.risk_note = True, text[:200]
        if part.percent is not None:
            t.percent = part.percent
            if old is TaskStatus.NOT_STARTED and part.percent > 0:
                t.status = TaskStatus.IN_PROGRESS
        res.what, res.changed = "risk", True
        res.event = TaskEvent(**ev, kind="risk", new_status=t.status.value, percent=t.percent)
        return res
    if intent in (Intent.OBJECTION, Intent.DECLINE, Intent.TENTATIVE):
        res.what = "noted"
        res.event = TaskEvent(**ev, kind=intent.value, new_status=old.value)
        return res
    if intent is Intent.REASSIGN:
        # Never a confirm and never a change here: the host decides on a handover (issue 11 adds
        # the approval flow); the request and the sender's words stay in the task's log.
        res.what = "handover"
        person = resolve_person(ctx, part.assignee)
        res.event = TaskEvent(**ev, kind="reassign_requested", new_status=old.value,
                              flags=[f"to:{person.email}"] if person else [])
        return res
    res.what = "unknown"
    res.event = TaskEvent(**ev, kind="unclear", new_status=old.value)
    return res


def _apply_reading(ctx: core.Context, msg: Any, rt: core.Route, pairs: list, reading: Any, *,
                   unclear: list[int] | None = None, numbered: list[int] | None = None,
                   refused: list[Task] | None = None) -> Outcome:
    sender = (msg.sender or "").lower()
    text = _clip(reading.text or msg.visible)
    results = [(meeting, _apply_one(ctx, msg, task, part, text)) for task, meeting, part in pairs]
    unknown = [r for _m, r in results if r.what == "unknown"]
    known = [(m, r) for m, r in results if r.what != "unknown"]
    if not known and not unclear:
        out = _clarify(ctx, msg, rt, pairs[0][0], mode="unknown", reading=reading, guess=unknown[0].part.guess)
        out.task_events += [r.event for r in unknown if r.event is not None]
        return out
    if (not unknown and not unclear and not refused and rt.answered and rt.answered.get("kind") in OWN_KINDS
            and all(r.what in ("unchanged", "closed") for _m, r in known)):
        # "好的" / "收到" to our own receipt: nothing to record, and no receipt of the receipt.
        return Outcome(status="ignored", log=["an acknowledgement of our answer; nothing changed"])
    out = Outcome(status="applied")
    lang = ctx.lang(sender)
    cc: list[str] = []
    lines = []
    for meeting, r in known:
        t = r.task
        if r.changed:
            out.tasks.append(t)
        if r.event is not None:
            out.task_events.append(r.event)
        out.log.append(f"task {t.id} ({t.title}): {r.what} by {sender}"
                       + (f", due {t.due}" if r.what == "delay" else "")
                       + (" [late notice]" if r.late else "") + (" [calendar gap]" if r.gap else ""))
        host = meeting.host if meeting else ""
        if r.what == "noted":
            out.status = "unknown"
        if r.what == "risk" and host and host != sender:
            cc.append(host)
        if r.what == "done" and host:
            out.mails.append(_verify_request(ctx, msg, t, meeting))
        if r.late and host:
            out.mails.append(_late_notice(ctx, msg, t, meeting, r))
        elif r.what in ("delay", "delay_incomplete", "delay_pending") and host and host != sender:
            out.mails.append(_delay_notice(ctx, msg, t, meeting, r))
        what = r.what
        if what == "handover" and host and host != sender:
            out.mails.append(_handover_request(ctx, msg, t, meeting, r.part.assignee if r.part else None))
        elif what == "handover":
            what = "handover_noted"      # the host wrote it (or there is none): nobody else to ask
        lines.append(_line(ctx, t, what, note=t.risk_note, missing=r.missing, late=r.late, gap=r.gap,
                           old_due=r.old_due or (r.part.due if r.what == "delay_pending" and r.part else None),
                           verify=r.what == "done" and bool(host),
                           host_name=ctx.name(host) if host else ""))
    out.task_events += [r.event for r in unknown if r.event is not None]
    if unknown:
        unclear = list(unclear or []) + [
            (numbered.index(r.task.id) + 1) if numbered and r.task.id in numbered else r.task.id for r in unknown]
    first = known[0][1].task if known else pairs[0][0]
    single = numbered is None
    key = f"task_receipt:{msg.message_id}"
    clarify_kind = any(r.what == "delay_incomplete" for _m, r in known) or bool(unclear)
    # A delay without its date asks for the date: the answer is read as that date (answers.py).
    ask_date = single and any(r.what == "delay_incomplete" and "date" in r.missing for _m, r in known)
    out.mails.insert(0, Mail(
        key=key, template="task_receipt", to=[sender], cc=sorted(set(cc)), lang=lang,
        kind="task_ask_date" if ask_date else "task_clarify" if clarify_kind and single else "task_receipt",
        task_id=first.id if single else None, meeting_id=first.meeting_id,
        in_reply_to=msg.message_id, references=list(msg.references or []),
        context={"name": msg.sender_name or ctx.name(sender) or sender, "lines": lines,
                 "unclear": unclear or [], "refused": [t.title for t in (refused or [])],
                 "items": list(numbered) if numbered else [], "offer": "date" if ask_date else None}))
    if unclear:
        out.log.append(f"not understood for item(s) {', '.join(map(str, unclear))}")
    if refused:
        out.log.append(f"{sender} may not change: {', '.join(str(t.id) for t in refused)}")
    for (before, _m, _p), (meeting, r) in zip(pairs, results):
        due_entries.follow(ctx, before, r.task, out, meeting)   # the owner's calendar entry follows
    _hold_receipt(ctx, out, key)
    return out


def _hold_receipt(ctx: core.Context, out: Outcome, key: str) -> None:
    """[schedule] receipts = "daily": a plain receipt waits for the day's digest (receipt_digest);
    one that asks something, carries a due entry or copies the host still goes at once."""
    if ctx.org.receipts != "daily":
        return
    m = next((m for m in out.mails if m.key == key), None)
    if m is None:
        return
    if m.kind != "task_receipt" or m.cc or m.attachments or m.context.get("unclear") or m.context.get("refused"):
        for e in out.task_events:      # answered at once: the digest need not list it again
            e.flags = [*e.flags, "receipt_sent"]
        return
    out.mails.remove(m)
    out.log.append("receipt held for the daily digest ([schedule] receipts = daily)")


def _clarify(ctx: core.Context, msg: Any, rt: core.Route, task: Task | None, *, mode: str,
             numbered: list[Task] | None = None, reading: Any = None, guess: Intent | None = None) -> Outcome:
    """One short clarifying answer in the thread, in the language the sender wrote in, quoting their
    words and offering one-click answers (the reading's guess, when it had one, named first); none
    when the mail already answers one of ours. Nothing changes: the host's digest shows the words."""
    sender = (msg.sender or "").lower()
    words = _clip(_words(msg))
    out = Outcome(status="unknown", log=[f"not understood ({mode}): {words[:80]!r}"]
                  + [f"why: {w}" for w in (getattr(reading, "why", None) or [])[:3]])
    if rt.answered and rt.answered.get("kind") in OWN_KINDS:
        out.log.append("an answer to our clarification, still unclear: left for the host's digest")
        return out
    ids = [t.id for t in numbered] if numbered else []
    ctx_base = _base(ctx, task) if task else {"title": "", "task_id": None, "owner": "", "owner_name": "",
                                              "due": None, "status": ""}
    lang = answers.language_of_text(words, ctx.lang(sender))
    offer = {"verify": "verify", "items": None}.get(
        mode, "assigned" if task is not None and task.confirmed_at is None else "status")
    guess = guess if guess not in (None, Intent.UNKNOWN) else None
    out.mails.append(Mail(
        key=f"task_clarify:{msg.message_id}", template="task_clarify", to=[sender], lang=lang,
        kind="task_clarify", task_id=task.id if task else None,
        meeting_id=task.meeting_id if task else None, in_reply_to=msg.message_id,
        references=list(msg.references or []),
        context={**ctx_base, "name": msg.sender_name or ctx.name(sender) or sender, "mode": mode,
                 "text": words, "items": ids, "offer": offer,
                 "guess": answers.intent_label(guess.value, lang) if guess else "",
                 "guess_key": guess.value if guess else None,
                 "numbered": [{"n": i + 1, "title": t.title, "due": t.due, "status": t.status.value}
                              for i, t in enumerate(numbered or [])]}))
    return out


def _handover_request(ctx: core.Context, msg: Any, task: Task, meeting: Any, assignee: str | None) -> Mail:
    """A handover ("这个改由小李负责") goes to the host as a request, in the sender's words."""
    found = resolve_person(ctx, assignee)
    return Mail(
        key=f"task_handover:t{task.id}:{msg.message_id}", template="task_handover_request", to=[meeting.host],
        lang=ctx.lang(meeting.host), kind="task_handover_request", task_id=task.id, meeting_id=task.meeting_id,
        context={**_base(ctx, task), "name": ctx.name(meeting.host), "text": _clip(_words(msg)),
                 "sender_name": ctx.name(msg.sender) or msg.sender, "meeting_title": meeting.title,
                 "assignee": found.name if found else (assignee or ""), "known": found is not None})


# --------------------------------------------------------------------------------------------
# The people above decide: handovers, delays that wait for approval, new due dates

class TaskError(ValueError):
    """A change the ledger cannot make (the CLI prints it and exits 2)."""


# The host's answer to a request. A refusal is looked for first (不同意 contains 同意).
_DENY = re.compile(r"不同意|不批准|不准|不可以|不接受|不行|拒绝|拒絕|驳回|駁回|否决|否決|"
                   r"\bno\b|\bnot\s+(?:approved?|agreed?|ok)\b|\bden(?:y|ied)\b|\breject(?:ed)?\b|\bdecline[sd]?\b", re.I)
_APPROVE = re.compile(r"同意|批准|准了|可以|没问题|沒問題|好的|\bok(?:ay)?\b|\bapproved?\b|\byes\b|\bagreed?\b|"
                      r"go ahead", re.I)
_NICKNAME = re.compile(r"[小老阿]([\u4e00-\u9fff])")


def _decision(text: str) -> str | None:
    """'approve', 'deny' or None for the host's answer to a handover or delay request."""
    if _DENY.search(text or ""):
        return "deny"
    if _APPROVE.search(text or ""):
        return "approve"
    return None


def _decides(ctx: core.Context, sender: str, task: Task, meeting: Any, rt: core.Route | None) -> bool:
    """Who decides for a task rather than asks: the host (and delegates), the owner's manager
    answering an escalation."""
    if meeting is None and task.meeting_id is not None:
        meeting = ctx.lookup.get_meeting(task.meeting_id)
    return _is_verifier(ctx, sender, meeting) or bool(
        rt is not None and core.may_decide_escalation(ctx, task, sender, rt.answered))


# "不要改由李娜负责" / "先别转给李娜" / "don't hand it over": a handover word under a negation decides nothing.
_NO_HANDOVER = re.compile(r"(?:别|別|不要|不用|不必|先不|暂不|暫不|勿|无需|無需|不能)\s*(?:再)?(?:改由|转给|轉給|转交|轉交|交给|交給|移交|改派)|"
                          r"\b(?:don'?t|do\s+not|not|never)\s+(?:reassign|hand|transfer)", re.I)


def _hands_over(reading: Any, text: str) -> bool:
    """Whether the words of someone who decides hand the task over now: a sure statement (a
    handover, or a new date with it) naming the new owner, not a question or a negated one."""
    if not reading.sure or getattr(reading, "question", False) or _NO_HANDOVER.search(text or ""):
        return False
    return reading.intent in (Intent.REASSIGN, Intent.DELAY) and bool(_named_owner(text))


def _named_owner(text: str) -> str | None:
    """The new owner a handover sentence names ("改由李明负责", "hand it over to Tom"), as written."""
    text = text or ""
    name = _assignee_in(text, normalize(text))
    # the blank of a one-click "改由____负责" left empty: the verb is not a name
    if name and normalize(name) in ("负责", "处理", "跟进", "来做", "接手", "接管"):
        return None
    return name


def resolve_person(ctx: core.Context, text: str | None) -> Any:
    """The one colleague `text` names: an address, a name or alias (either script), "小李" when one
    colleague is surnamed 李, an English first name when only one person has it; else None."""
    text = (text or "").strip()
    if not text:
        return None
    found = ctx.directory.resolve(text) or ctx.directory.resolve(re.sub(r"[来會会去]$", "", text))
    if found is not None:
        return found
    people = ctx.directory.people
    key = normalize(text).casefold()
    same = [p for p in people if normalize(p.name).casefold() == key]
    nick = _NICKNAME.fullmatch(normalize(text))
    if not same and nick:
        same = [p for p in people if normalize(p.name).startswith(nick.group(1))]
    if not same and re.fullmatch(r"[A-Za-z]+", text):
        same = [p for p in people if p.name.split()[0].casefold() == key]
    return same[0] if len(same) == 1 else None


def _pending(ctx: core.Context, task: Task, kind: str, flag: str | None = None) -> TaskEvent | None:
    """The request still waiting for the host: the latest `kind` event with nothing decided since."""
    for e in reversed(ctx.lookup.task_events(task.id)):
        if e.kind == kind and (flag is None or flag in e.flags):
            return e
        if e.kind in ("reassigned", "reassign_denied", "delay", "delay_denied", "due_set"):
            return None
    return None


def _flag_value(e: TaskEvent | None, prefix: str) -> str | None:
    return next((f[len(prefix):] for f in (e.flags if e else []) if f.startswith(prefix)), None)


def reassign(ctx: core.Context, task: Task, meeting: Any, new_owner: str, *, actor: str, due: date | None = None,
             reason: str = "", message_id: str | None = None) -> Outcome:
    """Hand `task` to `new_owner` (an address in people.yaml): the new owner gets the assignment
    mail with the due entry, the old owner is released and their entry ends, the host is told when
    someone else decided, and the log says who to whom and why."""
    new_owner = new_owner.lower()
    if task.status is TaskStatus.VERIFIED:
        raise TaskError(f"task {task.id} is verified and closed")
    if new_owner == task.owner.lower():
        raise TaskError(f"{ctx.name(new_owner) or new_owner} already owns task {task.id}")
    old_owner = task.owner
    t = replace(task, collaborators=[c for c in task.collaborators if c.lower() != new_owner])
    t.owner, t.confirmed_at = new_owner, None
    new_due = due if due is not None and due != task.due else None
    if new_due is not None:
        t.due = new_due
    change = f"{ctx.name(old_owner) or old_owner} → {ctx.name(new_owner) or new_owner}" + (
        f"，{new_due.isoformat()}" if new_due else "") + (f"：{_clip(reason)}" if reason else "")
    event = TaskEvent(task_id=task.id, at=ctx.now, actor=actor, kind="reassigned", text=change,
                      old_status=task.status.value, new_status=t.status.value, due=new_due,
                      percent=t.percent, message_id=message_id,
                      flags=[f"from:{old_owner}", f"to:{new_owner}"])
    out = Outcome(status="applied", tasks=[t], task_events=[event],
                  log=[f"task {task.id} ({task.title}): handed over {change} by {actor}"])
    stamp = message_id or ctx.now.isoformat()
    info = {"from_name": ctx.name(old_owner) or old_owner, "to_name": ctx.name(new_owner) or new_owner,
            "reason": _clip(reason), "by_name": _who(ctx, actor), "old_due": task.due}
    if meeting is not None:
        from . import minutes as minutes_flow          # the same assignment mail the minutes send
        mail = minutes_flow.assignment_mail(ctx, meeting, t, ctx.now)
        mail.key = f"task_assigned:t{task.id}:{new_owner}:{stamp}"
        mail.context["handover"] = info
        out.mails.append(mail)
    out.mails.append(Mail(
        key=f"task_released:t{task.id}:{old_owner}:{stamp}", template="task_owner_changed", to=[old_owner],
        lang=ctx.lang(old_owner), kind="task_owner_changed", task_id=task.id, meeting_id=task.meeting_id,
        context={**_base(ctx, t), **info, "name": ctx.name(old_owner), "role": "released"}))
    host = getattr(meeting, "host", None)
    if host and host.lower() != actor.lower() and host.lower() not in (old_owner.lower(), new_owner):
        out.mails.append(Mail(
            key=f"task_owner_changed:t{task.id}:{host}:{stamp}", template="task_owner_changed", to=[host],
            lang=ctx.lang(host), kind="task_owner_changed", task_id=task.id, meeting_id=task.meeting_id,
            context={**_base(ctx, t), **info, "name": ctx.name(host), "role": "informed"}))
    due_entries.follow(ctx, task, t, out, meeting)
    return out


def set_due(ctx: core.Context, task: Task, meeting: Any, due: date, *, actor: str, reason: str,
            message_id: str | None = None) -> Outcome:
    """A new due date decided from above (CLI `tasks set-due`, the host's 同意 to a delay): the
    task is 延期 with the reason, the owner is told and their due entry moves."""
    if task.status is TaskStatus.VERIFIED:
        raise TaskError(f"task {task.id} is verified and closed")
    if not (reason or "").strip():
        raise TaskError("a new due date needs a reason (--reason)")
    t = replace(task, collaborators=list(task.collaborators))
    t.due, t.delay_reason = due, reason.strip()
    if task.status is not TaskStatus.DONE:
        t.status = TaskStatus.DELAYED
    event = TaskEvent(task_id=task.id, at=ctx.now, actor=actor, kind="delay", text=_clip(reason),
                      old_status=task.status.value, new_status=t.status.value, due=due, percent=t.percent,
                      message_id=message_id, flags=["decided"])
    out = Outcome(status="applied", tasks=[t], task_events=[event],
                  log=[f"task {task.id} ({task.title}): due {task.due} → {due} by {actor}: {reason}"])
    if task.owner.lower() != actor.lower():
        out.mails.append(_decision_mail(ctx, t, "delay", "approve", actor, old_due=task.due,
                                        key=f"task_decision:t{task.id}:due:{message_id or ctx.now.isoformat()}"))
    due_entries.follow(ctx, task, t, out, meeting)
    return out


def _who(ctx: core.Context, actor: str) -> str:
    """Who decided, for a mail: a colleague's name; a change made at the command line is the org's."""
    return (ctx.name(actor) or actor) if "@" in (actor or "") else ctx.org.name


def _decision_mail(ctx: core.Context, t: Task, about: str, verdict: str, actor: str, *, key: str,
                   old_due: date | None = None, to: str | None = None, new_owner: str = "") -> Mail:
    """The requester hears the decision on their handover or delay request."""
    to = to or t.owner
    return Mail(key=key, template="task_decision", to=[to], lang=ctx.lang(to), kind="task_decision",
                task_id=t.id, meeting_id=t.meeting_id,
                context={**_base(ctx, t), "name": ctx.name(to), "about": about, "verdict": verdict,
                         "by_name": _who(ctx, actor), "old_due": old_due, "reason": t.delay_reason,
                         "new_owner": new_owner})


def _host_receipt(ctx: core.Context, msg: Any, task: Task, what: str, **kw: Any) -> Mail:
    sender = (msg.sender or "").lower()
    return Mail(key=f"task_receipt:{msg.message_id}", template="task_receipt", to=[sender], lang=ctx.lang(sender),
                kind="task_receipt", task_id=task.id, meeting_id=task.meeting_id, in_reply_to=msg.message_id,
                references=list(msg.references or []),
                context={"name": msg.sender_name or ctx.name(sender) or sender,
                         "lines": [_line(ctx, task, what, **kw)], "unclear": [], "refused": [], "items": []})


def _direct_handover(ctx: core.Context, msg: Any, task: Task, meeting: Any, reading: Any,
                     fallback: str | None = None) -> Outcome:
    """The host or the manager names the new owner: done at once (with a new due date when the
    same words give one); a name nobody in people.yaml answers to is asked back."""
    sender = (msg.sender or "").lower()
    named = _named_owner(_words(msg))
    person = resolve_person(ctx, named) if named else None
    if person is None and fallback:
        person = ctx.directory.get(fallback)
    if person is None:
        return Outcome(status="unknown", log=[f"handover to {named!r}: nobody in people.yaml by that name"],
                       mails=[_host_receipt(ctx, msg, task, "handover_who", note=named or "")])
    due = reading.due if reading is not None else None
    if due is None:
        due = _date_beside_handover(ctx, msg, task, named or "")
    due = due if due != task.due else None
    reason = (reading.reason if reading is not None else "") or _clip(_words(msg))
    try:
        out = reassign(ctx, task, meeting, person.email, actor=sender, due=due, reason=reason,
                       message_id=msg.message_id)
    except TaskError as e:
        return Outcome(status="applied", log=[str(e)], mails=[_host_receipt(ctx, msg, task, "unchanged")])
    t = out.tasks[0]
    out.mails.insert(0, _host_receipt(ctx, msg, t, "reassigned", note=person.name, old_due=task.due if due else None))
    out.intent = Intent.REASSIGN.value
    return out


def _date_beside_handover(ctx: core.Context, msg: Any, task: Task, named: str) -> date | None:
    """"改由李娜负责，截止12月8日": a handover reading carries no date, so the clauses that do not
    name the new owner are read for one (the first sure date wins)."""
    for clause in re.split(r"[，,。；;\n]", _words(msg)):
        if not clause.strip() or (named and named in clause):
            continue
        # "截止12月8日" / "due Dec 8": the label only says the date is the due date
        clause = re.sub(r"^\s*(?:截止(?:日期|时间|時間)?(?:改为|改為|为|為|是)?|(?:new\s+)?(?:due(?:\s+date)?|deadline)"
                        r"(?:\s+(?:is|on|by))?)\s*[:：]?\s*", "", clause, flags=re.I)
        r = replies.classify(clause, msg.date or ctx.now, ctx.calendar,
                             context=replies.ReplyContext(due=task.due, asked="new_date", kind="task"))
        if r.due is not None and r.due >= ctx.now.astimezone(ctx.tz).date():
            return r.due
    return None


@core.on_reply("task_handover_request", "task_delay_request")
def on_decision(ctx: core.Context, msg: Any, rt: core.Route) -> Outcome | None:
    """The host answers a handover or delay request: 同意 / 不同意 (one click), or names another
    person. Anything else in that thread is read like any mail about the task."""
    task, meeting = _task_and_meeting(ctx, rt)
    if task is None or not _decides(ctx, (msg.sender or "").lower(), task, meeting, rt):
        return None
    refused = _gate(ctx, msg, task, meeting, rt)
    if refused is not None:
        return refused
    words = _words(msg)
    verdict = _decision(words)
    sender = (msg.sender or "").lower()
    stamp = msg.message_id
    if rt.answered["kind"] == "task_handover_request":
        asked = _pending(ctx, task, "reassign_requested")
        if verdict == "deny":
            ev = TaskEvent(task_id=task.id, at=ctx.now, actor=sender, kind="reassign_denied", text=_clip(words),
                           old_status=task.status.value, new_status=task.status.value, message_id=stamp)
            mails = [_host_receipt(ctx, msg, task, "handover_denied")]
            if asked is not None and asked.actor.lower() != sender:
                mails.append(_decision_mail(ctx, task, "handover", "deny", sender, to=asked.actor,
                                            key=f"task_decision:t{task.id}:{stamp}"))
            return Outcome(status="applied", task_events=[ev], mails=mails, intent="objection",
                           log=[f"task {task.id}: handover refused by {sender}"])
        named = _named_owner(words) and not _NO_HANDOVER.search(words)
        if verdict == "approve" and asked is None and not named:
            return Outcome(status="applied", log=[f"task {task.id}: no handover request is waiting"],
                           mails=[_host_receipt(ctx, msg, task, "unchanged")])
        if verdict == "approve" or named:
            reading = _read(ctx, msg, rt, task)
            if asked is not None and not reading.reason:
                reading = replace(reading, reason=_clip(asked.text))
            return _direct_handover(ctx, msg, task, meeting, reading, fallback=_flag_value(asked, "to:"))
        return None
    asked = _pending(ctx, task, "delay_requested", "approval")
    if asked is None or verdict is None:
        return None
    if verdict == "deny":
        ev = TaskEvent(task_id=task.id, at=ctx.now, actor=sender, kind="delay_denied", text=_clip(words),
                       old_status=task.status.value, new_status=task.status.value, message_id=stamp)
        return Outcome(status="applied", task_events=[ev], intent="objection",
                       mails=[_host_receipt(ctx, msg, task, "delay_denied"),
                              _decision_mail(ctx, task, "delay", "deny", sender, old_due=task.due,
                                             key=f"task_decision:t{task.id}:{stamp}")],
                       log=[f"task {task.id}: delay to {asked.due} refused by {sender}"])
    reason = replies.classify(asked.text, asked.at, ctx.calendar).reason or _clip(asked.text)
    try:
        out = set_due(ctx, task, meeting, asked.due, actor=sender, reason=reason, message_id=stamp)
    except TaskError as e:
        return Outcome(status="applied", log=[str(e)], mails=[_host_receipt(ctx, msg, task, "unchanged")])
    out.task_events[0].flags = ["approved"]
    out.mails.insert(0, _host_receipt(ctx, msg, out.tasks[0], "delay", old_due=task.due))
    out.intent = "confirm"
    return out


def _delay_notice(ctx: core.Context, msg: Any, task: Task, meeting: Any, r: _Result) -> Mail:
    """Every delay request reaches the host at once (GUIDE 001: the host coordinates); with
    [tasks] delay_needs_approval it asks for 同意 / 不同意 (kind task_delay_request)."""
    pending = r.what == "delay_pending"
    kind = "task_delay_request" if pending else "task_delay_notice"
    return Mail(
        key=f"{kind}:t{task.id}:{msg.message_id}", template="task_delay_notice", to=[meeting.host],
        lang=ctx.lang(meeting.host), kind=kind, task_id=task.id, meeting_id=task.meeting_id,
        context={**_base(ctx, task), "name": ctx.name(meeting.host), "text": _clip(_words(msg)),
                 "sender_name": ctx.name(msg.sender) or msg.sender, "meeting_title": meeting.title,
                 "what": r.what, "old_due": r.old_due or task.due,
                 "new_due": r.event.due if r.event is not None else None, "missing": r.missing,
                 "approval": pending})


# --------------------------------------------------------------------------------------------
# Verification (验收)

def _verdict(text: str | None) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    if _RETURN.search(text):
        return "return"
    if _PASS.search(text):
        return "pass"
    return None


# The deliverables attached to 已完成 that are forwarded to the verifier, in all; past it (or when
# inbound did not keep a file's bytes) a file is listed with its name and size only.
VERIFY_ATTACH_LIMIT = attachments.FORWARD_BYTES


def _deliverables(msg: Any) -> tuple[list[Attachment], list[dict]]:
    """(attachments to forward, every file listed as {name, size, attached}) of a done report."""
    kept = {name: (ctype, data) for name, ctype, data in (getattr(msg, "files", None) or [])}
    forward: list[Attachment] = []
    listed: list[dict] = []
    total = 0
    for name, ctype, size in getattr(msg, "attachments", None) or []:
        if ctype == "text/calendar" or (name or "").lower().endswith(".ics"):
            continue
        safe = re.sub(r"[\x00-\x1f\x7f/\\]", "_", name or "file")[:120]
        data = kept.get(name)
        ok = data is not None and total + size <= VERIFY_ATTACH_LIMIT
        if ok:
            forward.append(Attachment(filename=safe, content_type=data[0] or "application/octet-stream",
                                      data=data[1]))
            total += size
        listed.append({"name": safe, "size": size, "attached": ok})
    return forward, listed


def _verify_request(ctx: core.Context, msg: Any, task: Task, meeting: Any) -> Mail:
    forward, listed = _deliverables(msg)
    return Mail(
        key=f"task_verify:t{task.id}:{msg.message_id}", template="task_verify", to=[meeting.host],
        lang=ctx.lang(meeting.host), kind="task_verify", task_id=task.id, meeting_id=task.meeting_id,
        attachments=forward,
        context={**_base(ctx, task), "name": ctx.name(meeting.host), "text": _clip(msg.visible),
                 "sender_name": ctx.name(msg.sender) or msg.sender, "meeting_title": meeting.title,
                 "files": listed, "limit_mb": VERIFY_ATTACH_LIMIT // (1024 * 1024)})


def _percent_before_done(ctx: core.Context, task: Task) -> int | None:
    for e in reversed(ctx.lookup.task_events(task.id)):
        if e.kind != "done" and e.percent is not None and e.percent < 100:
            return e.percent
    return None


def _late_notice(ctx: core.Context, msg: Any, task: Task, meeting: Any, r: _Result) -> Mail:
    return Mail(
        key=f"task_late_notice:t{task.id}:{msg.message_id}", template="task_late_notice", to=[meeting.host],
        lang=ctx.lang(meeting.host), kind="task_late_notice", task_id=task.id, meeting_id=task.meeting_id,
        context={**_base(ctx, task), "name": ctx.name(meeting.host), "text": _clip(msg.visible),
                 "sender_name": ctx.name(msg.sender) or msg.sender, "old_due": r.old_due or task.due,
                 "new_due": task.due if r.what == "delay" else None, "asked": _asked_at(ctx, msg)})


def _verify(ctx: core.Context, msg: Any, task: Task, meeting: Any) -> Outcome:
    sender = (msg.sender or "").lower()
    verdict = _verdict(_words(msg))
    text = _clip(_words(msg))
    name = msg.sender_name or ctx.name(sender) or sender

    def receipt(line: dict) -> Mail:
        return Mail(key=f"task_receipt:{msg.message_id}", template="task_receipt", to=[sender],
                    lang=ctx.lang(sender), kind="task_receipt", task_id=task.id, meeting_id=task.meeting_id,
                    in_reply_to=msg.message_id, references=list(msg.references or []),
                    context={"name": name, "lines": [line], "unclear": [], "refused": [], "items": []})

    if task.status is not TaskStatus.DONE:
        line = _line(ctx, task, "closed" if task.status is TaskStatus.VERIFIED else "unchanged")
        return Outcome(status="applied", log=[f"task {task.id} is {task.status.value}: nothing to verify"],
                       mails=[receipt(line)])
    t = replace(task, collaborators=list(task.collaborators))
    ev = dict(task_id=task.id, at=ctx.now, actor=sender, text=text, old_status="done", message_id=msg.message_id)
    if verdict == "pass":
        t.status, t.verified_at = TaskStatus.VERIFIED, ctx.now
        event = TaskEvent(**ev, kind="verified", new_status="verified", percent=t.percent)
        what, reason = "verified", ""
    else:
        reason = _RETURN_LEAD.sub("", text, count=1).strip() or text
        t.status, t.done_at = TaskStatus.IN_PROGRESS, None
        # returned work is not 100%: back to the last percent reported before 已完成 (or unknown)
        t.percent = _percent_before_done(ctx, task)
        event = TaskEvent(**ev, kind="rejected", new_status="in_progress", percent=t.percent)
        what = "returned"
    mails = [receipt(_line(ctx, t, what, reason=reason))]
    if task.owner != sender:
        mails.append(Mail(
            key=f"task_verify_result:{msg.message_id}", template="task_verify_result", to=[task.owner],
            lang=ctx.lang(task.owner), kind="task_verify_result", task_id=task.id, meeting_id=task.meeting_id,
            context={**_base(ctx, t), "name": ctx.name(task.owner), "result": what, "reason": reason,
                     "host_name": ctx.name(sender) or sender}))
    out = Outcome(tasks=[t], task_events=[event], mails=mails, status="applied",
                  log=[f"task {task.id} ({task.title}): {what} by {sender}" + (f": {reason}" if reason else "")])
    out.intent = "confirm" if what == "verified" else "objection"
    due_entries.follow(ctx, task, t, out, meeting)   # a return to work starts the entry again
    _hold_receipt(ctx, out, f"task_receipt:{msg.message_id}")
    return out


# --------------------------------------------------------------------------------------------
# Fewer mails: one receipt digest per person at the end of the working day

# What the digest lists: changes and requests recorded from the person's mail (not the
# clarifications, which were answered at once).
_DIGEST_KINDS = ("confirm", "progress", "done", "delay", "delay_requested", "risk", "verified", "rejected",
                 "reassigned", "reassign_requested", "reassign_denied", "delay_denied", "objection", "decline",
                 "tentative")


@rules.action("receipt_digest")
def receipt_digest(ctx: core.Context, step: Any) -> Outcome:
    """With [schedule] receipts = "daily": one mail to each person listing, line by line, what was
    recorded from their mail since the last digest (task, what changed, their words)."""
    day: rules.PersonDay = step.obj
    if ctx.org.receipts != "daily":
        return Outcome(log=[f"{day.person}: receipts go one by one ([schedule] receipts = each)"])
    person = ctx.directory.get(day.person)
    events = [e for e in day.events if e.kind in _DIGEST_KINDS and "receipt_sent" not in e.flags]
    if person is None or not events:
        return Outcome(log=[f"{day.person}: nothing recorded to list"])
    rows = []
    for e in events:
        t = ctx.lookup.get_task(e.task_id)
        if t is None:
            continue
        rows.append({"time": e.at.astimezone(ctx.tz).strftime("%m-%d %H:%M"), "task_id": t.id, "title": t.title,
                     "kind": e.kind, "status": e.new_status or t.status.value, "percent": e.percent,
                     "due": e.due, "text": _clip(" ".join((e.text or "").split()))[:120]})
    mail = Mail(key=step.key, template="task_receipt_digest", to=[person.email], lang=person.language,
                kind="receipt_digest", context={"name": person.name, "rows": rows})
    return Outcome(mails=[mail], log=[f"receipt digest to {person.email}: {len(rows)} update(s)"])


@core.on_reply("receipt_digest")
def on_digest_reply(ctx: core.Context, msg: Any, rt: core.Route) -> Outcome | None:
    """"收到" / "谢谢" to the digest says nothing; anything else goes on to the other flows."""
    reading = replies.classify(_words(msg), msg.date or ctx.now, ctx.calendar)
    if reading.intent in (Intent.CONFIRM, Intent.UNKNOWN) and len(_words(msg)) <= 20 and not reading.items:
        return Outcome(status="ignored", log=["an acknowledgement of the receipt digest; nothing changed"])
    return None


__all__ = ["TaskError", "on_decision", "on_numbered_reply", "on_task_mail", "on_verify_reply", "reassign",
           "resolve_person", "set_due"]
