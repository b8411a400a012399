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
