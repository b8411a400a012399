"""Minutes and action items (会后纪要 → 任务分配): request, draft, check, review, distribute, assign.

Pure: reads state through `ctx.lookup`, never writes, never reads the clock (`ctx.now`).

The flow, with the mail kinds it sends (replies are routed by kind, see dispatch.on_reply):

1. `minutes_request` — at the meeting's end the recorder (the host when there is none) gets the
   plain-text template (write.minutes_template) filled with the meeting's facts; due in 24 h.
2. A draft is a reply in that thread (to `minutes_request`, `minutes_nudge`, `minutes_problems` or
   `minutes_correction`), or a new mail to the shared mailbox with 纪要 / 会议记录 / minutes in the
   subject (or in an attached document's name) from the recorder or the host (or their
   delegates). Such a new mail finds its meeting:
   a [MF-M7] tag in the subject first; else among the sender's ended meetings (as recorder or host,
   last 30 days, minutes not final) the one whose title the subject or body mentions; else the most
   recent one where the sender is the recorder; else the most recent one where the sender is the
   host. Every draft becomes a new MinutesVersion; the versions before it are `superseded`.
   HTML drafts (Outlook / Word tables) are read from the HTML with the quoted history cut away.
   A draft whose body holds no action item is read from its .docx / .xlsx attachments (see
   attachments.py), after the body's decisions when it has some; a draft that only carries a
   document mailflow cannot read (.doc, .pdf, a macro file, too large, damaged) is answered with
   `minutes_attachment`: which file, why, and to send .docx/.xlsx or paste the text instead.
3. `minutes_problems` — a draft with problems gets ONE reply listing each problem, its line and
   how to fix it (Meeting.minutes_state = draft).
4. `minutes_review` — a clean draft goes to the host (state = review). 确认 / 同意 / OK (and no
   "但…/改…") approves; any other text is forwarded to the recorder as `minutes_correction`.
5. `minutes_final` — the approved version (最终版) goes to all attendees (one mail per language),
   cc the attendees' department heads (`manager`, when [org] cc_department_heads); each attendee
   has 2 working days (to work_end) to object. A reply 有异议 … is logged and forwarded to host and
   recorder (`minutes_objection`); 确认 is recorded; silence is recorded as accepted when the window
   closes (rule `minutes_confirmation_close`). Answers live in the `minutes_confirmations` table.
6. `task_assigned` — each action item becomes a Task (未开始) and its owner gets one mail with the
   task, due date, deliverable, collaborators, the meeting, how to answer, and the due date as an
   all-day PUBLISH entry attached as `due-T<id>.ics`. An attachment rather than Mail.calendar: a
   text/calendar part inside multipart/alternative makes Outlook and Apple Mail treat the mail as
   a calendar message (body hidden or an invite UI for a non-invitation); as an attachment it is a
   file the owner opens to add the all-day entry, and the mail body stays the task mail.
   Replies to it carry [MF-T…] and go to the task flow.

The timeline's steps (rules/minutes.yaml) are minutes_reminders.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any

from ..read import attachments as office
from . import dispatch, due_entries
from ..write import ical_out
from ..read import minutes, quotes, replies
from ..model import (Attachment, Intent, Mail, Meeting, MinutesConfirmation, MinutesVersion, Outcome,
                    ParsedMinutes, Rsvp, Task, TaskEvent, TaskStatus)
from ..write.render import message_id_for
from ..write.minutes_template import template_text

SUBJECT_WORDS = re.compile(r"纪要|紀要|会议记录|會議記錄|minutes", re.I)
DRAFT_REPLY_KINDS = ("minutes_request", "minutes_nudge", "minutes_problems", "minutes_correction")
REVIEW_KINDS = ("minutes_review", "minutes_review_reminder")
# 确认 with one of these is not a plain approval: "确认，但第2条负责人改为李娜" is a correction.
NOT_PLAIN = re.compile(r"但|不过|不過|除了|改为|改為|改成|修改|调整|調整|补充|補充|删除|刪除|增加|更正|"
                       r"\bbut\b|\bexcept\b|\bchange\b|\bplease (?:add|fix|update)", re.I)
LOOKBACK = timedelta(days=30)
CONFIRM_WORKDAYS = 2

PROBLEM_LABELS = {
    "zh-CN": {"vague_due": "截止时间不具体", "no_due": "没有截止时间", "no_owner": "没有负责人",
              "multiple_owners": "负责人不止一位", "unknown_person": "找不到此人",
              "ambiguous_person": "人员不唯一"},
    "zh-TW": {"vague_due": "截止時間不具體", "no_due": "沒有截止時間", "no_owner": "沒有負責人",
              "multiple_owners": "負責人不止一位", "unknown_person": "找不到此人",
              "ambiguous_person": "人員不唯一"},
    "en": {"vague_due": "due date not concrete", "no_due": "no due date", "no_owner": "no owner",
           "multiple_owners": "more than one owner", "unknown_person": "person not found",
           "ambiguous_person": "several people match"},
}
_SEP = {"zh-CN": "、", "zh-TW": "、", "en": ", "}


# --- small helpers ---------------------------------------------------------------------------
def _mid(ctx, key: str) -> str:
    """The Message-ID the renderer gives the mail with this key (for threading our own mails)."""
    return message_id_for(key, ctx.org.domain, ctx.org.id_salt)


def _names(ctx, emails, lang: str) -> str:
    return _SEP.get(lang, "、").join(ctx.name(e) for e in emails if e)


def _facts(ctx, m: Meeting) -> dict:
    tz = ctx.tz
    return {"id": m.id, "title": m.title, "start": m.start.astimezone(tz), "end": m.end.astimezone(tz),
            "location": m.location, "online": m.online, "host": ctx.name(m.host),
            "recorder": ctx.name(m.recorder or m.host)}


def _rows(ctx, parsed, lang: str) -> list[dict]:
    return [{"n": n, "title": a.title, "owner": ctx.name(a.owner) if a.owner else "—",
             "collaborators": _names(ctx, a.collaborators, lang) or "—", "due": a.due,
             "deliverable": a.deliverable or "—"}
            for n, a in enumerate(parsed.action_items, start=1)]


def _shown(line: str) -> str:
    """A draft line for a mail: the cells of a table row (TAB-separated, from Excel, Word or a
    pasted table) shown between bars."""
    return " | ".join(c.strip() for c in line.split("\t")) if "\t" in line else line


def _writer(m: Meeting) -> str:
    return m.recorder or m.host


def _acts_for(ctx, sender: str, people: list[str]) -> str | None:
    """Whom of `people` the sender is (themselves, or as a listed delegate)."""
    sender = sender.lower()
    if sender in people:
        return sender
    principals = ctx.directory.delegators_of(sender)
    return next((p for p in people if p and p in principals), None)


def _thread(msg) -> dict:
    return {"in_reply_to": msg.message_id, "references": [*(msg.references or []), msg.message_id]}


def _latest(versions: list[MinutesVersion], *statuses: str) -> MinutesVersion | None:
    found = [v for v in versions if v.status in statuses]
    return found[-1] if found else None


def _fresh(ctx, m: Meeting) -> Meeting:
    return ctx.lookup.get_meeting(m.id) or m


# --- 1. the request ----------------------------------------------------------------------------
def request_mail(ctx, m: Meeting) -> Mail:
    to = _writer(m)
    lang = ctx.lang(to)
    due = (m.end + timedelta(hours=24)).astimezone(ctx.tz)
    off = not ctx.calendar.is_workday(due.date())   # said, not moved: 24 h is the rule (GUIDE)
    return Mail(key=f"minutes_request:m{m.id}", template="minutes_request", to=[to], lang=lang,
                kind="minutes_request", meeting_id=m.id,
                context={"name": ctx.name(to), "meeting": _facts(ctx, m), "due": due,
                         "due_off": due_entries.day_off_reason(ctx, due.date(), lang) if off else "",
                         "template": template_text(m, ctx.directory, lang, template_dirs=ctx.org.templates)})


# --- 2. drafts ---------------------------------------------------------------------------------
@dispatch.on_reply(*DRAFT_REPLY_KINDS)
def on_draft_reply(ctx, msg, rt) -> Outcome | None:
    m = ctx.lookup.get_meeting(rt.meeting_id) if rt.meeting_id else None
    return take_draft(ctx, msg, m) if m else None


@dispatch.on_new(10)
def on_draft_mail(ctx, msg) -> Outcome | None:
    """A new mail from a recorder or host with 纪要/minutes in the subject, or in the name of an
    attached document ("Q4筹备会纪要.docx"): a draft."""
    if not looks_like_draft(msg):
        return None
    m = find_meeting(ctx, msg)
    if m is None or not ctx.standing.writes_minutes(m):
        return None                 # someone else's mail about minutes (a comment, a question): not a draft
    return take_draft(ctx, msg, m)


def looks_like_draft(msg) -> bool:
    """纪要/minutes in the subject or in an attached document's name, and no calendar part: a mail
    that may be a new-thread draft (the snapshot loader asks too, to load the candidate meetings)."""
    named = any(SUBJECT_WORDS.search(name or "") for name, ctype, _ in getattr(msg, "attachments", [])
                if office.kind_of(name, ctype) != "other")
    return bool(SUBJECT_WORDS.search(msg.subject or "") or named) and not msg.calendars


def find_meeting(ctx, msg) -> Meeting | None:
    tag = dispatch.SUBJECT_TAG.search(msg.subject or "")
    if tag and tag.group(1).upper() == "M":
        return ctx.lookup.get_meeting(int(tag.group(2)))
    sender = msg.sender.lower()
    people = [sender, *ctx.directory.delegators_of(sender)]
    cands = ctx.lookup.minutes_candidates(people, ctx.now - LOOKBACK, ctx.now)
    if not cands:
        return None
    where = (msg.subject or "") + "\n" + (msg.visible or msg.text or "")[:3000]
    titled = [c for c in cands if c.title and c.title in where]
    if titled:
        return titled[0]
    as_recorder = [c for c in cands if c.recorder in people]
    return (as_recorder or cands)[0]


def draft_body(msg) -> tuple[str, quotes.CutHtml | None]:
    """(text, html) of a draft without the quoted history; html (the markup and its one parsed
    tree) only when it holds a table."""
    html = msg.html
    if html and re.search(r"<table", html, re.I):
        return msg.visible or msg.text or "", quotes.cut_quoted_html(html)
    return (msg.visible or msg.text or ""), None


@dataclass
class Draft:
    """A draft as read: the text kept as the version, what it says, and the attached documents."""

    text: str
    html: str | None
    parsed: ParsedMinutes
    documents: list[office.Reading] = field(default_factory=list)   # looked at only without body items

    @property
    def read_from(self) -> list[str]:
        return [d.name for d in self.documents if d.text.strip()]

    @property
    def refused(self) -> list[office.Reading]:
        return [d for d in self.documents if d.refused]


def read_draft(msg, directory, now: datetime, cal) -> Draft:
    """The body first; a body without action items is read with its .docx/.xlsx attachments: the
    body's text stays in front when it holds decisions, a cover note ("纪要见附件") is left out."""
    text, cut = draft_body(msg)
    html = cut.html if cut else None
    parsed = minutes.parse(text, directory, now, cal, html=cut.tree if cut else None)
    if parsed.action_items:
        return Draft(text, html, parsed)
    forwarded = minutes.forwarded_part(msg.text or "") if not parsed.decisions else None
    if forwarded:                          # "直接转发过来": the minutes are the forwarded mail
        again = minutes.parse(forwarded, directory, now, cal)
        if again.action_items or again.decisions:
            return Draft(forwarded, None, again)
    documents = office.read_all(getattr(msg, "attachments", []), getattr(msg, "files", []))
    texts = [d.text for d in documents if d.text.strip()]
    if not texts:
        return Draft(text, html, parsed, documents)
    combined = "\n\n".join(([text.strip()] if parsed.decisions else []) + texts)
    return Draft(combined, None, minutes.parse(combined, directory, now, cal), documents)


def take_draft(ctx, msg, m: Meeting) -> Outcome:
    sender = msg.sender.lower()
    if not ctx.standing.authenticated:
        return Outcome(status="refused", log=[f"draft for meeting {m.id} failed authentication; not taken"])
    if not ctx.standing.writes_minutes(m):
        return Outcome(status="refused",
                       log=[f"{sender} is neither recorder nor host of meeting {m.id}; draft not taken"])
    if m.minutes_state == "final":
        return Outcome(status="ignored", log=[f"minutes of meeting {m.id} are final; later draft kept unread"])
    draft = read_draft(msg, ctx.directory, msg.date or ctx.now, ctx.calendar)
    text, html, parsed = draft.text, draft.html, draft.parsed
    lang = ctx.lang(sender)
    if not parsed.action_items and not parsed.decisions:
        if draft.refused and not draft.read_from:
            return unreadable_reply(ctx, msg, m, draft.refused)
        return Outcome(status="applied", log=[f"mail from {sender} for meeting {m.id} holds no minutes"],
                       mails=[Mail(key=f"minutes_empty:m{m.id}:{msg.message_id}", template="minutes_problems",
                                   to=[sender], lang=lang, kind="minutes_problems", meeting_id=m.id,
                                   context={"name": ctx.name(sender), "meeting": _facts(ctx, m), "empty": True,
                                            "read_from": draft.read_from, "problems": [], "items": [],
                                            "version": 0}, **_thread(msg))])
    versions = ctx.lookup.minutes_versions(m.id)
    out = Outcome(minutes=[replace(v, status="superseded") for v in versions
                           if v.status not in ("final", "superseded")])
    # a new version names no id anywhere: the store gives it one at commit
    mv = MinutesVersion(id=None, meeting_id=m.id,
                        version=max((v.version for v in versions), default=0) + 1, text=html or text,
                        author=sender, received_at=ctx.now, message_id=msg.message_id, parsed=parsed,
                        status="problems" if parsed.problems else "review")
    m = replace(m, minutes_state="draft" if parsed.problems else "review")
    out.minutes.append(mv)
    if draft.read_from:
        out.log.append(f"minutes v{mv.version} of meeting {m.id} read from {', '.join(draft.read_from)}")
    if parsed.problems:
        problems = [{"item": p.item, "title": parsed.action_items[p.item - 1].title if p.item else "",
                     "kind": p.kind, "label": PROBLEM_LABELS.get(lang, PROBLEM_LABELS["zh-CN"])[p.kind],
                     "line": _shown(p.line), "detail": p.detail, "hint": minutes.problem_hint(p.kind, lang)}
                    for p in parsed.problems]
        out.mails.append(Mail(
            key=f"minutes_problems:m{m.id}:v{mv.version}", template="minutes_problems", to=[sender], lang=lang,
            kind="minutes_problems", meeting_id=m.id, **_thread(msg),
            context={"name": ctx.name(sender), "meeting": _facts(ctx, m), "empty": False,
                     "read_from": draft.read_from, "problems": problems, "items": _rows(ctx, parsed, lang),
                     "version": mv.version}))
        out.log.append(f"minutes v{mv.version} of meeting {m.id}: {len(problems)} problem(s) "
                       f"({', '.join(sorted({p.kind for p in parsed.problems}))}) sent back to {sender}")
    else:
        out.mails.append(review_mail(ctx, m, mv))
        out.log.append(f"minutes v{mv.version} of meeting {m.id}: {len(parsed.action_items)} action item(s), "
                       f"{len(parsed.decisions)} decision(s); sent to the host {m.host} for review")
    out.meetings.append(m)
    return out


def unreadable_reply(ctx, msg, m: Meeting, refused: list[office.Reading]) -> Outcome:
    """The draft is only in documents mailflow does not open: say which, why, and what to send."""
    sender = msg.sender.lower()
    return Outcome(status="applied",
                   log=[f"draft for meeting {m.id} from {sender} is in attachment(s) not read: "
                        + ", ".join(f"{d.name} ({d.refused})" for d in refused)],
                   mails=[Mail(key=f"minutes_attachment:m{m.id}:{msg.message_id}", template="minutes_attachment",
                               to=[sender], lang=ctx.lang(sender), kind="minutes_problems", meeting_id=m.id,
                               context={"name": ctx.name(sender), "meeting": _facts(ctx, m),
                                        "files": [{"name": d.name or "?", "reason": d.refused} for d in refused],
                                        "limit_mb": office.MAX_BYTES // (1024 * 1024)}, **_thread(msg))])


# --- 4. review --------------------------------------------------------------------------------------
def review_mail(ctx, m: Meeting, mv: MinutesVersion, reminder_key: str | None = None) -> Mail:
    lang = ctx.lang(m.host)
    key = f"minutes_review:m{m.id}:v{mv.version}"
    context = {"name": ctx.name(m.host), "meeting": _facts(ctx, m), "version": mv.version,
               "decisions": list(mv.parsed.decisions), "items": _rows(ctx, mv.parsed, lang),
               "final_by": (m.end + timedelta(hours=48)).astimezone(ctx.tz)}
    if reminder_key:
        return Mail(key=f"minutes_review_reminder:{reminder_key}", template="minutes_review_reminder",
                    to=[m.host], lang=lang, kind="minutes_review_reminder", meeting_id=m.id,
                    in_reply_to=_mid(ctx, key), context=context)
    return Mail(key=key, template="minutes_review", to=[m.host], lang=lang, kind="minutes_review",
                meeting_id=m.id, context=context)


# What the reader should know about an answer to a minutes mail (the review or the final version).
MINUTES_CONTEXT = replies.ReplyContext(asked="minutes", kind="minutes")


def approves(text: str, now: datetime, cal: Any) -> bool:
    """确认 / 同意 / OK without any change asked for."""
    reading = replies.classify(text, now, cal, context=MINUTES_CONTEXT)
    return reading.sure and reading.intent is Intent.CONFIRM and not NOT_PLAIN.search(text)


@dispatch.on_reply(*REVIEW_KINDS)
def on_review_reply(ctx, msg, rt) -> Outcome | None:
    m = ctx.lookup.get_meeting(rt.meeting_id) if rt.meeting_id else None
    if m is None:
        return None
    sender = msg.sender.lower()
    if not ctx.standing.authenticated or not ctx.standing.host_side(m):
        return Outcome(status="refused", log=[f"{sender} may not review the minutes of meeting {m.id}"])
    mv = _latest(ctx.lookup.minutes_versions(m.id), "review")
    if m.minutes_state == "final" or mv is None:
        return Outcome(status="ignored", log=[f"no minutes of meeting {m.id} wait for review"])
    text = (msg.visible or msg.text or "").strip()
    if approves(text, ctx.now, ctx.calendar):
        return finalize(ctx, m, mv, sender)
    writer = _writer(m)
    lang = ctx.lang(writer)
    m = replace(m, minutes_state="draft")
    return Outcome(meetings=[m], log=[f"host {sender} asked for corrections to minutes v{mv.version} of "
                                      f"meeting {m.id}; forwarded to {writer}"],
                   mails=[Mail(key=f"minutes_correction:m{m.id}:{msg.message_id}", template="minutes_correction",
                               to=[writer], lang=lang, kind="minutes_correction", meeting_id=m.id,
                               in_reply_to=mv.message_id, references=[mv.message_id] if mv.message_id else [],
                               context={"name": ctx.name(writer), "host": ctx.name(sender),
                                        "meeting": _facts(ctx, m), "version": mv.version,
                                        "correction": text[:4000], "text": mv.text[:8000]})])


# --- 5. distribution and 6. assignment --------------------------------------------------------
def confirmation_deadline(ctx, now: datetime) -> datetime:
    end = ctx.clockwork.work_end if ctx.clockwork else time(18, 0)
    day = ctx.calendar.add_workdays(now.astimezone(ctx.tz).date(), CONFIRM_WORKDAYS)
    return datetime.combine(day, end, tzinfo=ctx.tz)


def attendance(ctx, m: Meeting, invited: list[str], lang: str) -> dict:
    """参会 / 缺席 / 代参会 from the RSVPs: the invited who did not decline, who declined, and who
    stood in for whom (a proxy is an email when the directory knew the name, else the name as written)."""
    declined = [a for a in m.attendees if a.rsvp is Rsvp.DECLINED and a.email != m.host]
    away = {a.email for a in declined}
    return {"attendees": _names(ctx, [e for e in invited if e not in away], lang),
            "absent": _SEP.get(lang, "、").join(a.name or ctx.name(a.email) for a in declined),
            "proxies": [{"proxy": ctx.name(a.proxy), "person": a.name or ctx.name(a.email)}
                        for a in declined if a.proxy]}


def finalize(ctx, m: Meeting, mv: MinutesVersion, approver: str) -> Outcome:
    now = ctx.now
    mv, m = replace(mv, status="final"), replace(m, minutes_state="final")
    out = Outcome(meetings=[m], minutes=[mv])
    deadline = confirmation_deadline(ctx, now)
    attendees = list(dict.fromkeys([*m.emails, m.host, *([m.recorder] if m.recorder else [])]))
    heads: list[str] = []
    if ctx.org.cc_department_heads:
        heads = [h for h in dict.fromkeys(ctx.directory.manager_of(a) for a in attendees)
                 if h and h not in attendees]
    groups: dict[str, list[str]] = {}
    for a in attendees:
        groups.setdefault(ctx.lang(a), []).append(a)
    cc: dict[str, list[str]] = {}
    for h in heads:
        lang = ctx.lang(h)
        lang = lang if lang in groups else (ctx.org.language if ctx.org.language in groups else next(iter(groups)))
        cc.setdefault(lang, []).append(h)
    for lang, to in groups.items():
        out.mails.append(Mail(
            key=f"minutes_final:m{m.id}:v{mv.version}:{lang}", template="minutes_final", to=to,
            cc=cc.get(lang, []), lang=lang, kind="minutes_final", meeting_id=m.id,
            context={"meeting": _facts(ctx, m), "version": mv.version, "decisions": list(mv.parsed.decisions),
                     "items": _rows(ctx, mv.parsed, lang), "deadline": deadline,
                     **attendance(ctx, m, attendees, lang)}))
    for a in attendees:
        status = "confirmed" if a in (m.host, m.recorder) else "pending"
        out.confirmations.append(MinutesConfirmation(
            meeting_id=m.id, version=mv.version, email=a, status=status, deadline=deadline,
            answered_at=now if status == "confirmed" else None,
            text="host" if a == m.host else ("recorder" if status == "confirmed" else "")))
    for n, item in enumerate(mv.parsed.action_items, start=1):
        task = Task(id=ctx.ids("tasks"), title=item.title, owner=item.owner, due=item.due, meeting_id=m.id,
                    item_no=n, collaborators=list(item.collaborators), deliverable=item.deliverable,
                    description=item.line, status=TaskStatus.NOT_STARTED, created_at=now, updated_at=now)
        out.tasks.append(task)
        out.task_events.append(TaskEvent(task_id=task.id, at=now, actor="mailflow", kind="created",
                                         text=item.line, new_status=TaskStatus.NOT_STARTED.value,
                                         due=item.due, message_id=mv.message_id))
        out.mails.append(assignment_mail(ctx, m, task, now))
    out.mails += due_entries.days_off_notice(ctx, m, out.tasks)   # kept, but the host hears of a day off
    out.log.append(f"minutes v{mv.version} of meeting {m.id} approved by {approver}: final to "
                   f"{len(attendees)} attendee(s), cc {len(heads)} head(s); {len(out.tasks)} task(s) assigned; "
                   f"objections until {deadline.isoformat(timespec='minutes')}")
    return out


def assignment_mail(ctx, m: Meeting, task: Task, now: datetime) -> Mail:
    lang = ctx.lang(task.owner)
    attachments = []
    if task.due is not None:
        ics = ical_out.build_due_entry(task, m.title, now, ctx.org.domain, owner_name=ctx.name(task.owner),
                                   organizer_email=ctx.org.address, names=ctx.name, lang=lang)
        attachments.append(Attachment(filename=f"due-T{task.id}.ics", content_type="text/calendar", data=ics))
    return Mail(key=f"task_assigned:t{task.id}", template="task_assigned", to=[task.owner], lang=lang,
                kind="task_assigned", task_id=task.id, meeting_id=m.id, attachments=attachments,
                context={"name": ctx.name(task.owner), "meeting": _facts(ctx, m),
                         "task": {"id": task.id, "title": task.title, "due": task.due, "no": task.item_no,
                                  "deliverable": task.deliverable,
                                  "collaborators": _names(ctx, task.collaborators, lang)}})


@dispatch.on_reply("minutes_final")
def on_final_reply(ctx, msg, rt) -> Outcome | None:
    m = ctx.lookup.get_meeting(rt.meeting_id) if rt.meeting_id else None
    if m is None:
        return None
    sender = msg.sender.lower()
    text = (msg.visible or msg.text or "").strip()
    reading = replies.classify(text, ctx.now, ctx.calendar, context=MINUTES_CONTEXT)
    if reading.intent not in (Intent.OBJECTION, Intent.CONFIRM):
        return None
    if not ctx.standing.authenticated:
        return Outcome(status="refused", log=[f"answer to the minutes of meeting {m.id} failed authentication"])
    rows = {c.email: c for c in ctx.lookup.minutes_confirmations(m.id)}
    who = _acts_for(ctx, sender, list(rows)) or sender
    row = replace(rows.get(who) or MinutesConfirmation(meeting_id=m.id, version=0, email=who),
                  answered_at=ctx.now, text=text[:2000], message_id=msg.message_id,
                  status="confirmed" if reading.intent is Intent.CONFIRM else "objection")
    if reading.intent is Intent.CONFIRM:
        return Outcome(confirmations=[row], log=[f"{who} confirmed the minutes of meeting {m.id}"])
    to = list(dict.fromkeys([m.host, *([m.recorder] if m.recorder else [])]))
    lang = ctx.lang(m.host)
    return Outcome(confirmations=[row], log=[f"objection to the minutes of meeting {m.id} from {who}: {text[:200]}"],
                   mails=[Mail(key=f"minutes_objection:m{m.id}:{msg.message_id}", template="minutes_objection",
                               to=to, lang=lang, kind="minutes_objection", meeting_id=m.id,
                               context={"meeting": _facts(ctx, m), "who": ctx.name(who), "email": who,
                                        "text": text[:4000]})])
