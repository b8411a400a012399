"""What the sender of a task mail hears back: the receipt with one line per task, the one short
clarifying answer when a mail was not understood, and — with [schedule] receipts = "daily" — one
receipt digest per person at the end of the working day instead of a mail per answer.
Pure: mails are built and returned in the Outcome, never sent here.
"""

from __future__ import annotations

from typing import Any

from ..write import choices
from . import answers, dispatch
from .task_reading import _words
from ..read import replies
from ..timeline import rules
from ..timeline.due import PersonDay
from ..model import Intent, Mail, Outcome, Task

OWN_KINDS = ("task_receipt", "task_clarify", "task_ask_date")
_TEXT_LIMIT = 500


def _base(ctx: dispatch.Context, task: Task) -> dict:
    return {"title": task.title, "task_id": task.id, "owner": task.owner, "owner_name": ctx.name(task.owner),
            "due": task.due, "status": task.status.value}


def _line(ctx: dispatch.Context, task: Task, what: str, **kw: Any) -> dict:
    """One task's line in a receipt (templates task_receipt.*); `kw` overrides the quiet defaults."""
    return {**_base(ctx, task), "what": what, "percent": task.percent, "reason": task.delay_reason, "note": "",
            "missing": [], "late": False, "gap": False, "old_due": None, "verify": False, "host_name": "", **kw}


def _clip(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= _TEXT_LIMIT else text[:_TEXT_LIMIT] + "…"


def _host_receipt(ctx: dispatch.Context, msg: Any, task: Task, what: str, **kw: Any) -> Mail:
    sender = (msg.sender or "").lower()
    return Mail(key=f"task_receipt:{msg.message_id}", template="task_receipt", to=[sender], lang=ctx.lang(sender),
                kind="task_receipt", task_id=task.id, meeting_id=task.meeting_id, in_reply_to=msg.message_id,
                references=list(msg.references or []),
                context={"name": msg.sender_name or ctx.name(sender) or sender,
                         "lines": [_line(ctx, task, what, **kw)], "unclear": [], "refused": [], "items": []})


def _hold_receipt(ctx: dispatch.Context, out: Outcome, key: str) -> None:
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


def _clarify(ctx: dispatch.Context, msg: Any, rt: dispatch.Route, task: Task | None, *, mode: str,
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
                 "guess": choices.intent_label(guess.value, lang) if guess else "",
                 "guess_key": guess.value if guess else None,
                 "numbered": [{"n": i + 1, "title": t.title, "due": t.due, "status": t.status.value}
                              for i, t in enumerate(numbered or [])]}))
    return out


# --------------------------------------------------------------------------------------------
# Fewer mails: one receipt digest per person at the end of the working day

# What the digest lists: changes and requests recorded from the person's mail (not the
# clarifications, which were answered at once).
_DIGEST_KINDS = ("confirm", "progress", "done", "delay", "delay_requested", "risk", "verified", "rejected",
                 "reassigned", "reassign_requested", "reassign_denied", "delay_denied", "objection", "decline",
                 "tentative")


@rules.action("receipt_digest")
def receipt_digest(ctx: dispatch.Context, step: Any) -> Outcome:
    """With [schedule] receipts = "daily": one mail to each person listing, line by line, what was
    recorded from their mail since the last digest (task, what changed, their words)."""
    day: PersonDay = step.obj
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


@dispatch.on_reply("receipt_digest")
def on_digest_reply(ctx: dispatch.Context, msg: Any, rt: dispatch.Route) -> Outcome | None:
    """"收到" / "谢谢" to the digest says nothing; anything else goes on to the other flows."""
    reading = replies.classify(_words(msg), msg.date or ctx.now, ctx.calendar)
    if reading.intent in (Intent.CONFIRM, Intent.UNKNOWN) and len(_words(msg)) <= 20 and not reading.items:
        return Outcome(status="ignored", log=["an acknowledgement of the receipt digest; nothing changed"])
    return None
