"""What the `mailflow` commands print: the table and JSON views of the CLI.

The readers (read/), the flows and the store return model values; how a terminal or a script sees
them lives here, beside cli.py, so that changing a column never touches a reader. The JSON objects
are contracts (scripts parse them): their keys and order stay as documented in README.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from .edges.urls import safe_url

if TYPE_CHECKING:                       # the views only read these values
    from .model import ParsedMinutes
    from .read.deadlines import Deadline
    from .read.replies import Reading
    from .read.workdays import WorkCalendar


def _iso(d: date | datetime | None) -> str | None:
    return d.isoformat() if d else None


# --- terminal width --------------------------------------------------------------------------------

def text_width(s: str) -> int:
    """Columns `s` takes in a terminal: CJK (wide and full-width) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _fit(s: str, width: int) -> str:
    if text_width(s) <= width:
        return s + " " * (width - text_width(s))
    out, w = "", 0
    for ch in s:
        if w + text_width(ch) > width - 1:
            break
        out, w = out + ch, w + text_width(ch)
    return out + "…" + " " * (width - 1 - w)


# --- `mailflow minutes parse` ----------------------------------------------------------------------

def minutes_json(parsed: ParsedMinutes) -> dict:
    """The JSON contract of `mailflow minutes parse --json`."""
    return {
        "decisions": list(parsed.decisions),
        "action_items": [{"title": a.title, "owner": a.owner, "collaborators": list(a.collaborators),
                          "due": a.due.isoformat() if a.due else None, "deliverable": a.deliverable}
                         for a in parsed.action_items],
        "problems": [{"item": p.item, "kind": p.kind, "line": p.line} for p in parsed.problems],
    }


def minutes_table(parsed: ParsedMinutes, max_width: int = 36) -> str:
    """A plain-text view of a parsed draft for the terminal (CJK characters count double)."""
    head = ["#", "任务 task", "负责人 owner", "协同人 with", "截止 due", "交付物 deliverable"]
    rows = [[str(n), a.title, a.owner or "-", ", ".join(a.collaborators) or "-",
             a.due.isoformat() if a.due else "-", a.deliverable or "-"]
            for n, a in enumerate(parsed.action_items, start=1)]
    widths = [min(max_width, max(text_width(r[i]) for r in [head, *rows])) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(_fit(c, w) for c, w in zip(cells, widths)).rstrip()

    out = ["决议 decisions:"]
    out += [f"  {n}. {d}" for n, d in enumerate(parsed.decisions, start=1)] or ["  -"]
    out += ["", "行动项 action items:"]
    if rows:
        out += ["  " + line(head), "  " + "  ".join("-" * w for w in widths)]
        out += ["  " + line(r) for r in rows]
    else:
        out.append("  -")
    out += ["", "问题 problems:"]
    out += [f"  #{p.item if p.item is not None else '-'} {p.kind}: {p.line}" + (f"  ({p.detail})" if p.detail else "")
            for p in parsed.problems] or ["  -"]
    return "\n".join(out) + "\n"


# --- `mailflow when` -------------------------------------------------------------------------------

_WEEKDAY_LABEL = "一二三四五六日"


def deadline_json(expr: str, dl: Deadline | None) -> dict:
    """The `mailflow when --json` object: text, due, time, vague, calendar_gap, error."""
    return {"text": expr,
            "due": dl.due.isoformat() if dl and dl.due else None,
            "time": dl.time.strftime("%H:%M") if dl and dl.time else None,
            "vague": bool(dl and dl.vague and not dl.error),
            "calendar_gap": bool(dl and dl.calendar_gap),
            "error": dl.error if dl else None}


def deadline_text(expr: str, dl: Deadline | None) -> str:
    """The `mailflow when` line: the expression, TAB, the day (周N) and time, TAB, notes."""
    if dl is None:
        return f"{expr}\t-\tnot a deadline"
    if dl.error:
        return f"{expr}\t-\terror: {dl.error}"
    if dl.due is None and dl.calendar_gap:
        return f"{expr}\t-\tcalendar gap: needs official calendar data for a year not yet published; ask for a date"
    if dl.vague:
        return f"{expr}\t-\tvague: ask for a concrete date"
    when = f"{dl.due.isoformat()} 周{_WEEKDAY_LABEL[dl.due.weekday()]}"
    if dl.time:
        when += " " + dl.time.strftime("%H:%M")
    note = f"\tdelay +{dl.delay.n} {dl.delay.unit} (counted from today)" if dl.delay else ""
    if dl.calendar_gap:
        note += "\tcalendar gap: the date is in a year without official calendar data"
    return f"{expr}\t{when}{note}"


def deadline_line(expr: str, dl: Deadline | None, as_json: bool) -> str:
    return json.dumps(deadline_json(expr, dl), ensure_ascii=False) if as_json else deadline_text(expr, dl)


def when_lines(exprs: list[str], now: datetime, cal: WorkCalendar | None, as_json: bool,
               *, tz: tzinfo | None = None) -> list[str]:
    """One line per expression, as `mailflow when` prints them."""
    from .read.deadlines import resolve
    return [deadline_line(expr, resolve(expr, now, cal, tz=tz), as_json) for expr in exprs]


# --- `mailflow explain` ----------------------------------------------------------------------------

def reading_json(reading: Reading | None) -> dict:
    """The fields of `mailflow explain --json` that the reader owns (None: a mail that is no answer,
    e.g. an auto-reply, gives nulls)."""
    if reading is None:
        return {"intent": None, "percent": None, "due": None, "proxy": None, "items": [], "why": [], "sure": False}
    return {
        "intent": reading.intent.value if reading.intent else None,
        "percent": reading.percent,
        "due": _iso(reading.due),
        "proxy": reading.proxy,
        "items": [{"item": it.item, "intent": it.intent.value, "percent": it.percent, "due": _iso(it.due)}
                  for it in reading.items],
        "why": list(reading.why),
        "sure": reading.sure,
    }


# --- `mailflow status` / `outbox` ------------------------------------------------------------------

def status_json(app, daemon_pid: str | None) -> dict:
    """The `mailflow status --json` object."""
    s, settings = app.store, app.settings
    return {"daemon_pid": daemon_pid, "last_poll": s.get_meta("last_poll"), "last_tick": s.get_meta("last_tick"),
            "last_error": s.get_meta("last_error"), "inbound": s.inbound_counts(), "outbox": s.outbox_counts(),
            "inbox": safe_url(settings.mailbox.url), "smtp": safe_url(settings.smtp.url),
            "store": str(settings.path(settings.store.path))}


def _counts(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items())) or "empty"


def status_text(data: dict) -> str:
    err, daemon = data["last_error"], data["daemon_pid"]
    return (f"daemon:     {('running, pid ' + daemon) if daemon else 'not running'}\n"
            f"inbox:      {data['inbox']}\noutbox:     {data['smtp']}\nstore:      {data['store']}\n"
            f"last poll:  {data['last_poll'] or 'never'}\nlast tick:  {data['last_tick'] or 'never'}\n"
            f"last error: {(err['at'] + ' ' + err['error']) if err else 'none'}\n"
            f"inbound:    {_counts(data['inbound'])}\noutbox:     {_counts(data['outbox'])}")


def outbox_line(r: dict) -> str:
    err = f"  ({r['last_error']})" if r["last_error"] else ""
    return f"{r['id']:>6} {r['status']:<6} {r['kind'] or '':<16} {', '.join(r['recipients'])}  {r['subject']}{err}"


def outcome_lines(out) -> list[str]:
    """What a command that changed a meeting or a task says: the flow's log, then the mails queued."""
    return [*out.log, f"{len(out.mails)} mail(s) queued; `mailflow run` sends them"]


# --- `mailflow meeting list / show` ----------------------------------------------------------------

def meeting_json(m) -> dict:
    """`mailflow meeting show --json`: the meeting with each attendee's answer."""
    return {
        "id": m.id, "uid": m.uid, "title": m.title, "goal": m.goal, "start": m.start.isoformat(),
        "end": m.end.isoformat(), "timezone": m.tz, "location": m.location, "online": m.online,
        "host": m.host, "recorder": m.recorder, "preparer": m.preparer, "status": m.status,
        "cancel_reason": m.cancel_reason, "sequence": m.sequence, "source": m.source,
        "created_at": _iso(m.created_at),
        "attendees": [{"email": a.email, "name": a.name, "role": a.role.value, "rsvp": a.rsvp.value,
                       **({"proxy": a.proxy} if a.proxy else {}),
                       "answered_at": _iso(a.answered_at), "answered_via": a.answered_via} for a in m.attendees],
        "agenda": [{"seq": i.seq, "title": i.title, "owner": i.owner, "minutes": i.minutes,
                    "outcome": i.outcome, "materials": i.materials} for i in m.agenda],
    }


def meeting_summary_json(m) -> dict:
    """One element of `mailflow meeting list --json`."""
    counts: dict[str, int] = {}
    for a in m.attendees:
        counts[a.rsvp.value] = counts.get(a.rsvp.value, 0) + 1
    return {"id": m.id, "title": m.title, "start": m.start.isoformat(), "end": m.end.isoformat(),
            "status": m.status, "host": m.host, "attendees": len(m.attendees), "rsvp": counts}


def meeting_summary_line(r: dict) -> str:
    answers = ", ".join(f"{k} {v}" for k, v in sorted(r["rsvp"].items()))
    return (f"{r['id']:>4} {r['status']:<9} {r['start'][:16].replace('T', ' ')}  {r['title']}  "
            f"({r['attendees']} invited: {answers})")


def meeting_lines(data: dict) -> list[str]:
    """`mailflow meeting show`: the facts, every attendee's role and answer, the agenda."""
    out = [f"#{data['id']} {data['title']} [{data['status']}, SEQUENCE {data['sequence']}, from {data['source']}]",
           f"  {data['start']} – {data['end']} ({data['timezone']})"]
    out += [f"  {key}: {data[key]}" for key in ("goal", "location", "online", "cancel_reason") if data[key]]
    out.append("  attendees:")
    for a in data["attendees"]:
        how = f"  ({a['answered_via']} {a['answered_at'][:16]})" if a["answered_at"] else ""
        proxy = f", stand-in {a['proxy']}" if a.get("proxy") else ""
        out.append(f"    {a['email']:<28} {a['role']:<9} {a['rsvp']}{proxy}{how}")
    if data["agenda"]:
        out.append("  agenda:")
        out += [f"    {i['seq']}. {i['title']} ({i['owner'] or '-'}, {i['minutes'] or '-'} min)" for i in data["agenda"]]
    return out


# --- `mailflow minutes parse / show` ---------------------------------------------------------------

def attachments_json(documents) -> list[dict]:
    return [{"name": d.name, "read": not d.refused, "refused": d.refused} for d in documents]


def attachment_line(d) -> str:
    from .read.attachments import REASONS
    return f"attachment {d.name}: " + (f"not read, {REASONS[d.refused]}" if d.refused else "read")


def minutes_state_json(m, versions, confirmations) -> dict:
    """`mailflow minutes show --json`: the state, every version and every attendee's answer."""
    return {"meeting": m.id, "title": m.title, "minutes_state": m.minutes_state,
            "versions": [{"version": v.version, "status": v.status, "author": v.author,
                          "received_at": _iso(v.received_at),
                          "action_items": len(v.parsed.action_items) if v.parsed else 0,
                          "problems": len(v.parsed.problems) if v.parsed else 0} for v in versions],
            "confirmations": [{"email": c.email, "status": c.status, "deadline": _iso(c.deadline),
                               "answered_at": _iso(c.answered_at), "text": c.text} for c in confirmations]}


def minutes_state_lines(data: dict) -> list[str]:
    out = [f"meeting {data['meeting']}: {data['title']}  (minutes: {data['minutes_state']})"]
    out += [f"  v{v['version']} {v['status']:<10} {v['author']}  {v['received_at']}  "
            f"{v['action_items']} item(s), {v['problems']} problem(s)" for v in data["versions"]]
    out += [f"  {c['email']:<28} {c['status']:<9} deadline {c['deadline']}"
            + (f"  {c['text']}" if c["text"] and c["status"] == "objection" else "") for c in data["confirmations"]]
    return out


# --- `mailflow explain` (text) ---------------------------------------------------------------------

def explain_lines(data: dict, reading, msg) -> list[str]:
    """The text view of one mail in `mailflow explain`: the reading in one line, then why."""
    f = data["file"]
    if msg.auto:
        return [f"{f}: not an answer ({msg.auto_reason}); ignored"]
    parts = [data["intent"] + ("" if data["sure"] else " (not sure: ask back)")]
    if data["percent"] is not None:
        parts.append(f"{data['percent']}%")
    if data["due"]:
        parts.append(f"due {data['due']}")
    if reading.reason:
        parts.append(f"reason {reading.reason!r}")
    if data["proxy"]:
        parts.append(f"stand-in {data['proxy']}")
    if reading.assignee:
        parts.append(f"new owner {reading.assignee}")
    for it in data["items"]:
        extra = (f" {it['percent']}%" if it["percent"] is not None else "") + (f" {it['due']}" if it["due"] else "")
        parts.append(f"[{it['item']}: {it['intent']}{extra}]")
    text = " ".join(msg.visible.split())
    return [f"{f}: {' '.join(parts)}  | {text[:120]}"] + [f"    why: {line}" for line in data["why"]]


# --- `mailflow tasks` ------------------------------------------------------------------------------

def task_json(app, t) -> dict:
    """One object of `mailflow tasks --json` (its last 进度更新 from the store)."""
    events = app.store.task_events(t.id)
    last = events[-1] if events else None
    return {"id": t.id, "meeting": t.meeting_id, "item": t.item_no, "title": t.title, "owner": t.owner,
            "owner_name": app.directory.name_of(t.owner), "due": _iso(t.due),
            "status": t.status.value, "percent": t.percent, "risk": t.risk, "risk_note": t.risk_note,
            "delay_reason": t.delay_reason, "confirmed_at": _iso(t.confirmed_at), "done_at": _iso(t.done_at),
            "verified_at": _iso(t.verified_at),
            "last_update": ({"at": last.at.isoformat(), "by": last.actor, "kind": last.kind, "text": last.text}
                            if last else None)}


def task_events_json(events) -> list[dict]:
    return [{"at": e.at.isoformat(), "by": e.actor, "kind": e.kind, "text": e.text, "old_status": e.old_status,
             "new_status": e.new_status, "percent": e.percent, "due": _iso(e.due), "flags": e.flags}
            for e in events]


def task_line(app, t) -> str:
    """One row of the ledger: id, meeting, due, status (in [org] language), percent, flags, title, owner."""
    from .model import STATUS_LABELS
    lang = app.settings.org.language
    status = STATUS_LABELS.get(lang, STATUS_LABELS["zh-CN"])[t.status.value]
    pct = f" {t.percent}%" if t.percent is not None and t.status.value not in ("done", "verified") else ""
    flags = (" 风险" if t.risk else "") + ("" if t.confirmed_at else " 未确认")
    meeting = f"M{t.meeting_id}" if t.meeting_id is not None else "-"
    return (f"T{t.id:<5} {meeting:<6} {t.due.isoformat() if t.due else '—':<10}  {status}{pct}{flags}  "
            f"{t.title}  ({app.directory.name_of(t.owner)} <{t.owner}>)")


def task_lines(app, t, events) -> list[str]:
    """`mailflow tasks show`: the ledger row, the reasons, then the 进度更新 log in [org] timezone."""
    out = [task_line(app, t)]
    if t.delay_reason:
        out.append(f"  延期原因: {t.delay_reason}")
    if t.risk_note:
        out.append(f"  风险: {t.risk_note}")
    out.append("  进度更新:" if events else "  进度更新: (none)")
    tz = app.settings.tz
    for e in events:
        change = f"{e.old_status or ''}→{e.new_status}" if e.new_status and e.new_status != e.old_status else ""
        detail = " ".join(x for x in (e.kind, change, f"{e.percent}%" if e.percent is not None else "",
                                      f"due {e.due}" if e.due else "", ",".join(e.flags)) if x)
        who = app.directory.name_of(e.actor) if e.actor and "@" in e.actor else (e.actor or "")
        out.append(f"  {e.at.astimezone(tz):%Y-%m-%d %H:%M}  {who}  {detail}  {' '.join(e.text.split())[:100]}")
    return out


# --- `mailflow rules check` ------------------------------------------------------------------------

def trigger_text(r) -> str:
    """A rule's trigger in a few words: "weekly fri 17:00", "task.due -1 workdays at 09:00" …"""
    from datetime import timedelta
    t = r.trigger
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    if t.weekly is not None:
        text = f"weekly {days[t.weekly]} {t.at}"
    elif t.daily:
        text = f"working days {t.at}"
    else:
        text = f"{t.field} {t.offset:+d} {t.unit}" + (f" at {t.at}" if t.at else "")
        if t.repeat:
            text += f", every {t.repeat.days} day(s)" if not t.repeat % timedelta(days=1) else f", every {t.repeat}"
    return text + ("" if r.quiet_hours else " (any hour)")


def rule_line(r) -> str:
    from pathlib import Path
    return (f"{Path(r.source).name:<16} {r.name:<36} {trigger_text(r):<44} {r.action}"
            + (f" when {', '.join(r.when)}" if r.when else ""))


def rules_summary(found, known_years: list[int], added_years: list[int]) -> str:
    files = {r.source for r in found}
    return (f"ok: {len(found)} rule(s) in {len(files)} file(s); working-day calendar "
            f"{known_years[0] if known_years else '-'}–{known_years[-1] if known_years else '-'}"
            + (f" (holidays.yaml adds {', '.join(map(str, added_years))})" if added_years else ""))
