"""What the diagnostic commands compute: `explain` (how a reply is read, and against what) and
`minutes parse` (how a draft file is read).

They run the same readers as the daemon on a file, without changing anything: a store is only read,
and only when one exists. The CLI prints what these return (cli_views.py).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from .read import attachments as office
from .read import inbound, replies
from .read import minutes as mins
from .read.replies import ReplyContext

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


def reply_context(msg, open_store: Callable[[], object] | None) -> tuple[ReplyContext, str]:
    """(ReplyContext, where it came from) for `explain`: the store's task when the mail answers a
    mail mailflow sent and `open_store` gives a store, else the quoted mail."""
    quoted = replies.context_from_quote(msg.text)
    fallback = (quoted, f"context from the quoted mail: due {quoted.due}, asked {quoted.asked}, kind {quoted.kind}")
    if not msg.in_reply_to or open_store is None:
        return fallback
    try:
        store = open_store()
        sent = store.sent_message(msg.in_reply_to)
        task = store.get_task(sent["task_id"]) if sent and sent.get("task_id") else None
    except Exception:                       # explain is a diagnosis: an unreadable store falls back
        return fallback
    if not sent:
        return fallback
    from .flows.answers import ASKED_BY_KIND
    kind = "task" if task else "minutes" if "minutes" in (sent.get("kind") or "") else \
        "meeting" if sent.get("meeting_id") else quoted.kind
    ctx = ReplyContext(due=task.due if task else quoted.due,
                       asked=ASKED_BY_KIND.get(sent.get("kind") or "", quoted.asked), kind=kind,
                       item_dues=quoted.item_dues)
    return ctx, f"context from the store: {sent.get('kind')} mail, due {ctx.due}, asked {ctx.asked}"


def explain_mail(path: str, own_address: str, cal, anchor: datetime,
                 open_store: Callable[[], object] | None):
    """(message, reading) of one .eml: None for an automatic mail; relative dates from its Date."""
    msg = inbound.parse(Path(path).read_bytes(), own_addresses=[own_address])
    if msg.auto:
        return msg, None
    context, source = reply_context(msg, open_store)
    reading = None
    if not (msg.visible or "").strip() and msg.calendar_reply:
        reading = replies.calendar_reading(msg.calendar_reply)
    if reading is None:
        reading = replies.classify(msg.visible, msg.date or anchor, cal, context)
    reading.why[:0] = [source] + [f"ignored {c}" for c in msg.cut]
    return msg, reading


def read_minutes_file(path: str, app, now: datetime | None):
    """(text, html, parsed, documents) of a draft FILE read as the minutes flow reads it: an .eml with
    its attachments, a Word/Excel document, or text / Markdown / HTML. `now` None: the .eml's Date,
    else the App's clock."""
    from .flows.minutes import read_draft
    raw = Path(path).read_bytes()
    name, suffix = Path(path).name, Path(path).suffix.lower()
    documents: list[office.Reading] = []
    if suffix == ".eml":
        msg = inbound.parse(raw, own_addresses=[app.settings.org.address])
        draft = read_draft(msg, app.directory, now or msg.date or app.now(), app.calendar)
        return draft.text, draft.html, draft.parsed, draft.documents
    if suffix not in TEXT_SUFFIXES and office.kind_of(name) != "other":
        documents = [office.read(name, raw)]
        text, html = documents[0].text, None
    else:
        text, html = raw.decode("utf-8-sig", errors="replace"), None
        if suffix in (".html", ".htm"):
            text, html = "", text
    return text, html, mins.parse(text, app.directory, now or app.now(), app.calendar, html=html), documents


def calendar_years(holidays: Path) -> tuple[list[int], list[int], list[str]]:
    """For `rules check`: (years the working-day calendar knows, years holidays.yaml adds, errors)."""
    from .read import dates
    if not holidays.exists():
        return sorted(dates.WorkCalendar(None).years), [], []
    try:
        data = dates.load_holidays(holidays)
        added = sorted(int(y) for y in (data.get("years") or {}))
    except Exception as e:
        return [], [], [f"{holidays}: {e}"]
    return sorted(dates.WorkCalendar(data).years), added, []
