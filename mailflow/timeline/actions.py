"""Task timelines (GUIDE.md "Timelines"): due reminders, the weekly progress request, overdue
notices, escalation, the 会议决议跟进表 and the host's daily digest. Pure: rule actions get
(ctx, step) and return an Outcome; the rules themselves (when, to whom) are data in rules/tasks.yaml.
What they read (ctx.lookup) is a Snapshot the tick loaded for the step before they run (edges/snapshot.for_step).

Every mail's key is built from step.key (rule:object:moment), so a step never mails twice and a
due date moved by a delay gets fresh reminders (new moments, new keys).

The weekly progress request (kind "progress_request") is ONE mail per person listing all their
open tasks, numbered 1..n. The numbered task ids are in `Mail.context["items"]` (a list of task
ids, in the order shown); Outbox.queue stores them in the outbox_items table under the mail's
Message-ID, so an answer such as "1 已完成；3 延期到周五" finds its tasks
(flows/task_status.on_numbered_reply, store.outbox_items). A request listing one task also carries its
task_id, so the [MF-T…] subject tag routes the answer even without In-Reply-To.

An overdue notice or an escalation never goes out over an owner's reply that mailflow could not
read for sure (or a handover request the host has not settled) and that arrived after the last due
reminder: the rules' conditions owner_reply_read / owner_reply_unread (rules/tasks.yaml) send the
host a "please look first" mail instead (task_host_look), with the owner's own words.

The follow-up table goes to the meeting's host, recorder and attendees, one mail per language,
as an HTML table with the same table as an .xlsx attachment (xlsx.py: every cell text, never a formula).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..read import inbound
from . import rules
from .due import HostReplies
from ..write import xlsx
from ..model import STATUS_LABELS, Attachment, Mail, Meeting, Outcome, Task, TaskEvent
from ..flows import gate
from ..flows.task_status import UNREAD_KINDS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_WIDTHS = [6, 36, 12, 12, 14, 8, 20, 40]      # No., title, owner, due, status, %, risk, update

HEADERS = {
    "followup": {
        "zh-CN": ["序号", "任务", "负责人", "截止日期", "状态", "进度", "风险", "最近更新"],
        "zh-TW": ["序號", "任務", "負責人", "截止日期", "狀態", "進度", "風險", "最近更新"],
        "en": ["No.", "Task", "Owner", "Due", "Status", "Progress", "Risk", "Last update"],
    },
    "progress": {
        "zh-CN": ["序号", "任务", "所属会议", "截止日期", "状态", "进度"],
        "zh-TW": ["序號", "任務", "所屬會議", "截止日期", "狀態", "進度"],
        "en": ["No.", "Task", "Meeting", "Due", "Status", "Progress"],
    },
    "digest": {
        "zh-CN": ["收到时间", "发件人", "关于", "主题", "内容/说明"],
        "zh-TW": ["收到時間", "寄件者", "關於", "主旨", "內容/說明"],
        "en": ["Received", "From", "About", "Subject", "Text / note"],
    },
}
SHEET = {"zh-CN": "会议决议跟进表", "zh-TW": "會議決議跟進表", "en": "Follow-up table"}
OVERDUE = {"zh-CN": "已逾期", "zh-TW": "已逾期", "en": "overdue"}
RISK = {"zh-CN": "有风险", "zh-TW": "有風險", "en": "at risk"}


def _lang(lang: str) -> str:
    return lang if lang in HEADERS["followup"] else "zh-CN"


def _label(status: Any, lang: str) -> str:
    return STATUS_LABELS[_lang(lang)].get(getattr(status, "value", status), str(status))


def _percent(t: Task) -> str:
    return f"{t.percent}%" if t.percent is not None else "—"


def _today(ctx, step) -> date:
    return step.moment.astimezone(ctx.clockwork.tz if ctx.clockwork else ctx.tz).date()


def _meeting(ctx, meeting_id: int | None) -> Meeting | None:
    """The task's meeting, from the step's snapshot (snapshot.for_step loaded it)."""
    return ctx.lookup.get_meeting(meeting_id) if meeting_id is not None else None


def _task_view(ctx, t: Task, lang: str, m: Meeting | None) -> dict:
    """The task as the templates show it; `m` is its meeting (read once per step by the caller)."""
    return {"id": t.id, "title": t.title, "due": t.due, "status": _label(t.status, lang),
            "percent": _percent(t), "deliverable": t.deliverable, "risk": t.risk, "risk_note": t.risk_note,
            "meeting": m.title if m else "", "owner": t.owner, "owner_name": ctx.name(t.owner),
            "delay_reason": t.delay_reason}


def _gap_note(ctx, *days: date | None) -> list[str]:
    """A log line when a date this step counted with lies in a year without calendar data."""
    cal = ctx.calendar
    years = sorted({d.year for d in days if d is not None and not cal.has_data(d.year)})
    if not years:
        return []
    return [f"calendar_gap: {', '.join(map(str, years))} has no official working-day calendar; "
            "counted Monday–Friday (add it to rules/holidays.yaml)"]


# --- due reminders, overdue, escalation ------------------------------------------------------
def due_words(ctx, today: date, due: date | None) -> dict:
    """How a reminder may speak of the due date: "today" only on the due date itself. A due date on
    a day off (a Saturday, 国庆) is reached from the working day before it: that day is not "today"."""
    if due is None:
        return {"due_when": "ahead", "due_off": False}
    off = not ctx.calendar.is_workday(due)
    if due == today:
        return {"due_when": "today", "due_off": off}
    if due < today:
        return {"due_when": "past", "due_off": off}
    try:
        between = ctx.calendar.workdays_between(today, due)
    except ValueError:          # years away: certainly working days in between
        between = 1
    return {"due_when": "ahead" if between > 0 else "day_off", "due_off": off}


@rules.action("task_due_reminder")
def task_due_reminder(ctx, step) -> Outcome:
    t: Task = step.obj
    lang = ctx.lang(t.owner)
    today = _today(ctx, step)
    left = ctx.calendar.workdays_between(today, t.due) if t.due else 0
    m = _meeting(ctx, t.meeting_id)
    mail = Mail(key=f"{step.key}", template="task_due_reminder", to=[t.owner], lang=lang,
                task_id=t.id, meeting_id=t.meeting_id, kind="due_reminder",
                context={"name": ctx.name(t.owner), "task": _task_view(ctx, t, lang, m), "days_left": left,
                         **due_words(ctx, today, t.due),
                         "at_risk": bool(t.risk or t.status.value == "not_started"),
                         "not_started": t.status.value == "not_started",
                         "host_name": ctx.name(m.host) if m else ""})
    return Outcome(mails=[mail], log=[f"due reminder to {t.owner}: {t.title!r} due {t.due} "
                                      f"({left} working day(s) left)"] + _gap_note(ctx, today, t.due))


@rules.action("task_overdue")
def task_overdue(ctx, step) -> Outcome:
    t: Task = step.obj
    m = _meeting(ctx, t.meeting_id)
    host = m.host if m and m.host and m.host != t.owner else None
    lang = ctx.lang(t.owner)
    today = _today(ctx, step)
    late = ctx.calendar.workdays_between(t.due, today) if t.due else 0
    mail = Mail(key=step.key, template="task_overdue", to=[t.owner], cc=[host] if host else [], lang=lang,
                task_id=t.id, meeting_id=t.meeting_id, kind="overdue",
                context={"name": ctx.name(t.owner), "task": _task_view(ctx, t, lang, m), "days_late": late,
                         "host_name": ctx.name(host) if host else ""})
    return Outcome(mails=[mail], log=[f"overdue notice to {t.owner}" + (f" cc {host}" if host else "")
                                      + f": {t.title!r} was due {t.due}"] + _gap_note(ctx, t.due, today))


@rules.action("task_escalation")
def task_escalation(ctx, step) -> Outcome:
    """To the owner's manager (people.yaml `manager`), copy owner and host; suggests a 专项复盘.
    Without a manager it goes to the admin ([org] admin), else to the host, and says so."""
    t: Task = step.obj
    m = _meeting(ctx, t.meeting_id)
    host = m.host if m and m.host else None
    manager = ctx.directory.manager_of(t.owner)
    log = []
    to = manager
    if not to or to == t.owner:
        to = ctx.org.admin or host
        log.append(f"{t.owner} has no manager in people.yaml; escalation to {to}")
    if not to:
        return Outcome(log=log + ["no one to escalate to (no manager, admin or host)"])
    lang = ctx.lang(to)
    today = _today(ctx, step)
    late = ctx.calendar.workdays_between(t.due, today) if t.due else 0
    cc = [e for e in dict.fromkeys([t.owner, host]) if e and e != to]
    mail = Mail(key=step.key, template="task_escalation", to=[to], cc=cc, lang=lang, task_id=t.id,
                meeting_id=t.meeting_id, kind="escalation",
                context={"name": ctx.name(to), "task": _task_view(ctx, t, lang, m), "days_late": late,
                         "owner_name": ctx.name(t.owner), "host_name": ctx.name(host) if host else "",
                         "meeting_title": m.title if m else ""})
    return Outcome(mails=[mail], log=log + [f"escalated {t.title!r} ({late} working day(s) overdue) to {to}"]
                   + _gap_note(ctx, t.due, today))


# --- holding the chase over a reply nobody has read ------------------------------------------------
def _last_reminder(ctx, t: Task) -> datetime | None:
    """When the last due reminder went out: the start of work on the working day before the due
    date (rules/tasks.yaml task_due_reminder_1, which every open task gets)."""
    cw = ctx.clockwork
    if t.due is None or cw is None:
        return None
    return cw.at(cw.add_workdays(t.due, -1), "work_start", cw.work_start)


def unread_reply(ctx, t: Task) -> TaskEvent | None:
    """The owner's side's latest word on the task when mailflow could not read it for sure, or when
    it asks for a handover nobody has settled yet — and it came after the last due reminder."""
    events = ctx.lookup.task_events(t.id)
    last = events[-1] if events else None
    if last is None or last.kind not in UNREAD_KINDS:
        return None
    if not gate.owner_side(ctx.directory, t, last.actor):
        return None
    since = _last_reminder(ctx, t)
    return last if since is None or last.at >= since else None


@rules.condition("owner_reply_read")
def owner_reply_read(ctx, t: Task) -> bool:
    """No reply from the owner's side since the last reminder waits for a human."""
    return unread_reply(ctx, t) is None


@rules.condition("owner_reply_unread")
def owner_reply_unread(ctx, t: Task) -> bool:
    """The owner answered since the last reminder and mailflow could not read it for sure."""
    return unread_reply(ctx, t) is not None


@rules.action("task_host_look")
def task_host_look(ctx, step) -> Outcome:
    """Instead of the overdue notice or the escalation (params.held): ask the host to look at the
    owner's reply first, quoting it."""
    t: Task = step.obj
    m = _meeting(ctx, t.meeting_id)
    to = (m.host if m and m.host else None) or ctx.org.admin
    reply = unread_reply(ctx, t)
    held = (step.rule.params or {}).get("held", "overdue")
    if not to or reply is None:
        return Outcome(log=[f"{held} of {t.title!r} held, but no host or admin to ask"])
    lang = ctx.lang(to)
    mail = Mail(key=step.key, template="task_host_look", to=[to], lang=lang, task_id=t.id,
                meeting_id=t.meeting_id, kind="task_host_look",
                context={"name": ctx.name(to), "task": _task_view(ctx, t, lang, m), "held": held,
                         "owner_name": ctx.name(t.owner), "text": _clip(reply.text, 500),
                         "handover": reply.kind == "reassign_requested",
                         "received": reply.at.astimezone(ctx.tz).replace(tzinfo=None),
                         "manager_name": ctx.name(ctx.directory.manager_of(t.owner) or "") or ""})
    return Outcome(mails=[mail], log=[f"{held} of {t.title!r} held: {t.owner}'s reply of "
                                      f"{reply.at:%Y-%m-%d %H:%M} is not understood; {to} asked to look"])


# --- the weekly progress request ----------------------------------------------------------------
@rules.action("progress_request")
def progress_request(ctx, step) -> Outcome:
    """One mail per person: all their open tasks, numbered; context["items"] holds the task ids."""
    owner = step.obj.owner
    tasks = sorted((t for t in step.obj.tasks if not t.status.closed),
                   key=lambda t: (t.due or date.max, t.id))
    if not tasks:
        return Outcome(log=[f"{owner} has no open tasks"])
    lang = ctx.lang(owner)
    meetings = {mid: _meeting(ctx, mid) for mid in {t.meeting_id for t in tasks}}
    views = [_task_view(ctx, t, lang, meetings[t.meeting_id]) for t in tasks]
    rows = [[str(i), v["title"], v["meeting"] or "—", _ymd(v["due"]), v["status"], v["percent"]]
            for i, v in enumerate(views, start=1)]
    one = tasks[0] if len(tasks) == 1 else None
    mail = Mail(key=step.key, template="progress_request", to=[owner], lang=lang, kind="progress_request",
                task_id=one.id if one else None, meeting_id=one.meeting_id if one else None,
                context={"name": ctx.name(owner), "tasks": views, "items": [t.id for t in tasks],
                         "headers": HEADERS["progress"][_lang(lang)], "rows": rows,
                         "example_no": min(2, len(tasks))})
    return Outcome(mails=[mail], log=[f"progress request to {owner}: {len(tasks)} open task(s)"])


# --- the follow-up table (会议决议跟进表) -------------------------------------------------------------
def followup_rows(ctx, tasks: list[Task], latest: dict[int, Any], lang: str, today: date) -> list[list[str]]:
    """The table's rows in `lang`; `latest` is each task's latest event with a text (read once
    per step by the caller, store.latest_task_events, whatever the number of languages)."""
    lang = _lang(lang)
    rows = []
    for i, t in enumerate(sorted(tasks, key=lambda t: (t.item_no or 10**6, t.id)), start=1):
        status = _label(t.status, lang)
        if not t.status.closed and t.due and t.due < today:
            status += f"（{OVERDUE[lang]}）" if lang != "en" else f" ({OVERDUE[lang]})"
        risk = t.risk_note or (RISK[lang] if t.risk else "—")
        last = latest.get(t.id)
        if last:
            update = f"{last.at.astimezone(ctx.tz).date().isoformat()}：{_clip(last.text, 60)}"
        elif t.updated_at:
            update = t.updated_at.astimezone(ctx.tz).date().isoformat()
        else:
            update = "—"
        rows.append([str(t.item_no or i), t.title, ctx.name(t.owner), _ymd(t.due), status, _percent(t), risk, update])
    return rows


def _counts(tasks: list[Task], today: date) -> dict[str, int]:
    c = {"total": len(tasks), "done": 0, "verified": 0, "in_progress": 0, "not_started": 0, "delayed": 0,
         "overdue": 0, "risk": 0}
    for t in tasks:
        c[t.status.value] += 1
        if not t.status.closed and t.due and t.due < today:
            c["overdue"] += 1
        if not t.status.closed and t.risk:
            c["risk"] += 1
    c["open"] = c["in_progress"] + c["not_started"] + c["delayed"]
    return c


@rules.action("followup_table")
def followup_table(ctx, step) -> Outcome:
    m: Meeting = step.obj
    tasks = ctx.lookup.tasks(meeting_id=m.id)
    if not tasks:
        return Outcome(log=[f"meeting {m.id} has no tasks"])
    today = _today(ctx, step)
    recipients = list(dict.fromkeys(e for e in [m.host, m.recorder, *m.emails] if e))
    groups: dict[str, list[str]] = {}
    for e in recipients:
        groups.setdefault(_lang(ctx.lang(e)), []).append(e)
    counts = _counts(tasks, today)
    latest = ctx.lookup.latest_task_events([t.id for t in tasks])
    mails = []
    for lang, to in groups.items():
        headers = HEADERS["followup"][lang]
        rows = followup_rows(ctx, tasks, latest, lang, today)
        name = f"{SHEET[lang]}_M{m.id}_{today.isoformat()}.xlsx"
        mails.append(Mail(
            key=f"{step.key}:{lang}", template="followup_table", to=to, lang=lang, meeting_id=m.id,
            kind="followup_table",
            context={"meeting": {"id": m.id, "title": m.title, "start": m.start,
                                 "host_name": ctx.name(m.host)},
                     "headers": headers, "rows": rows, "counts": counts, "today": today,
                     "attachment": name, "host_name": ctx.name(m.host)},
            attachments=[Attachment(name, XLSX, xlsx.xlsx_bytes(headers, rows, SHEET[lang], ctx.now,
                                                              widths=XLSX_WIDTHS))]))
    return Outcome(mails=mails, log=[f"follow-up table of meeting {m.id}: {counts['open']} open of "
                                     f"{counts['total']} task(s), to {len(recipients)} people"])


# --- the host's daily digest ----------------------------------------------------------------------
@rules.action("host_digest")
def host_digest(ctx, step) -> Outcome:
    """Replies about the host's meetings and tasks that mailflow could not apply (status unknown)."""
    obj: HostReplies = step.obj
    if not obj.replies:
        return Outcome(log=[f"nothing for {obj.host}"])
    lang = _lang(ctx.lang(obj.host))
    rows = []
    for r in obj.replies:
        about = f"[MF-T{r['task_id']}] {r['task_title']}" if r.get("task_id") else f"[MF-M{r['meeting_id']}] {r['meeting_title']}"
        when = r["received_at"].astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M") if r["received_at"] else "—"
        who = ctx.name(r["sender"]) if ctx.directory.get(r["sender"]) else (r["sender"] or "—")
        rows.append([when, who, about, r["subject"] or "—", _clip(_their_words(ctx, r), 120) or "—"])
    mail = Mail(key=step.key, template="host_digest", to=[obj.host], lang=lang, kind="digest",
                context={"name": ctx.name(obj.host), "headers": HEADERS["digest"][lang], "rows": rows,
                         "count": len(rows), "since": obj.since})
    return Outcome(mails=[mail], log=[f"digest to {obj.host}: {len(rows)} repl(ies) need a human"])


def _their_words(ctx, row: dict) -> str:
    """What the sender wrote (their new text, quotes and signature cut), not our log line; the log
    line only when the mail kept no text."""
    got = ctx.lookup.inbound_row(row["id"])
    words = ""
    if got and got.get("raw"):
        words = inbound.parse(got["raw"], own_addresses=[ctx.org.address]).visible
    return words.strip() or row["detail"] or ""


def _ymd(d: date | None) -> str:
    return d.isoformat() if d else "—"


def _clip(text: str, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"
