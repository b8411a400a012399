"""The pure core: (snapshot, inbound mail, now) -> Outcome, and the chain that picks the flow.

State is read through `ctx.lookup`: for an inbound mail a Snapshot (model.py) that the edge loaded
before the call (edges/snapshot.py), so no flow queries the store halfway; the tick hands its rule
code a Snapshot too (snapshot.for_step), and so do the CLI's changes (cli_context.commit_change with
edges/snapshot.for_meeting, for_task, for_new_meeting). Nothing is written here: handlers return
an Outcome (objects to store, mails to queue) that ingest commits in one transaction. The flow
modules mark their handlers with the decorators below and flows/register.py builds them into a
Handlers object (the chain as data), which the App passes to `handle_inbound`:

- `@on_reply(kind)`: a reply to a mail of that kind we sent ("notice", "task_assigned", …);
- `@on_object(kind)`: a mail routed to a task ("task") or meeting ("meeting") without a known parent;
- `@on_stray`: a task's status written in a meeting's thread;
- `@on_new(priority)`: a mail that starts a new thread (an invitation, a 会议通知, a minutes draft);
  handlers are tried in priority order and return None when the mail is not theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable, Protocol
from zoneinfo import ZoneInfo

from . import gate
from ..registry import Registry
from ..model import DEFAULT_TIMEZONE, Mail, Meeting, MinutesVersion, Outcome, Task, TaskEvent
from ..read.people import Directory

SUBJECT_TAG = re.compile(r"\[MF-([TM])(\d{1,12})\]", re.I)


class Lookup(Protocol):
    def get_meeting(self, meeting_id: int) -> Meeting | None: ...
    def meeting_by_uid(self, uid: str) -> Meeting | None: ...
    def get_task(self, task_id: int) -> Task | None: ...
    def tasks(self, meeting_id: int | None = None, owner: str | None = None,
              open_only: bool = False) -> list[Task]: ...
    def minutes_versions(self, meeting_id: int) -> list[MinutesVersion]: ...
    def task_events(self, task_id: int) -> list[TaskEvent]: ...
    def sent_message(self, message_id: str) -> dict | None: ...
    def outbox_items(self, outbox_id: int) -> list[int] | None: ...
    def latest_task_events(self, task_ids: list[int]) -> dict[int, TaskEvent]: ...
    def minutes_candidates(self, people: list[str], since: datetime, now: datetime) -> list[Meeting]: ...
    def minutes_confirmations(self, meeting_id: int) -> list[Any]: ...
    def inbound_row(self, ident: int | str) -> dict | None: ...     # the host's digest quotes the raw mail


@dataclass
class Org:
    """What the flows need to know about the organisation (from [org] and [schedule])."""

    address: str = "mailflow@localhost"
    name: str = "mailflow"
    language: str = "zh-CN"
    timezone: str = DEFAULT_TIMEZONE
    admin: str | None = None
    cc_department_heads: bool = True
    trusted_authserv_id: str = ""
    secret: str | None = None
    plus_addressing: bool = False
    id_salt: str = ""                 # the install's secret in Message-IDs (render.message_id_for)
    meeting_organizer: str = "shared"  # [meetings] organizer: "shared" or "host" (ical_out.build_invite)
    delay_needs_approval: bool = False  # [tasks] delay_needs_approval: a delay waits for the host's 同意
    receipts: str = "each"             # [schedule] receipts: "each" or "daily" (task_receipts.receipt_digest)
    templates: tuple[str, ...] = ()    # [paths] templates: the operator's folders, before the shipped ones

    @property
    def domain(self) -> str:
        """The shared address's domain: for Message-IDs and calendar UIDs."""
        return self.address.rpartition("@")[2] or "localhost"


class Ids:
    """Hands out the ids of new rows (meetings, tasks) within one decision, counting up from each
    table's next free id (`start`: for an inbound mail, the Snapshot's `next_ids`, read by the
    loader in the transaction that commits the Outcome — one writer, so they are still free then).

    Why the ids are not provisional references that the commit fills in: a new meeting's id is part
    of its calendar UID (meetings.uid_for, kept for the meeting's life), and a new task's id is inside
    what the flow builds for it — the [MF-T42] tag and dedupe keys of its mails and its due-T42.ics
    attachment (UID and file name, built by write/ical_out inside the flow). Filling a placeholder
    in at commit would mean re-building those calendar bytes and rewriting every key and context
    after the flow, i.e. moving calendar building out of the flows first. A new minutes version
    names no id anywhere, so it is made with id None and the store gives it one at commit.
    """

    def __init__(self, start: Callable[[str], int]):
        self._start = start
        self._next: dict[str, int] = {}

    def __call__(self, table: str) -> int:
        n = self._next.get(table) or self._start(table)
        self._next[table] = n + 1
        return n


@dataclass
class Context:
    directory: Directory
    calendar: Any                         # dates.WorkCalendar
    org: Org
    now: datetime
    lookup: Lookup
    ids: Callable[[str], int]
    clockwork: Any = None                 # timeline.moments.Clockwork (working hours), when a flow needs it
    standing: gate.Standing | None = None  # an inbound mail's sender, decided once (handle_inbound)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.org.timezone)

    def lang(self, email: str | None) -> str:
        return self.directory.language_of(email, self.org.language)

    def name(self, email: str | None) -> str:
        return self.directory.name_of(email)


@dataclass
class Route:
    kind: str                              # task | meeting | new
    task_id: int | None = None
    meeting_id: int | None = None
    via: str = "none"                      # in-reply-to | references | subject | token | none
    answered: dict | None = None           # the outbox row of the mail this answers


# --- the chain of inbound handlers ----------------------------------------------------
# The flow modules mark their handlers with these decorators; a mark is an attribute on the
# function itself (`inbound`), never a module-level list filled at import. flows/register.py
# collects the marked functions into a Handlers object that the App builds and passes in.

def _mark(fn: Callable, where: str, key: Any) -> Callable:
    fn.inbound = (*getattr(fn, "inbound", ()), (where, key))
    return fn


def on_reply(*kinds: str):
    """A reply to a mail of one of these kinds that we sent ("notice", "task_assigned", …)."""
    def mark(fn):
        for k in kinds:
            _mark(fn, "reply", k)
        return fn
    return mark


def on_object(kind: str):
    """A mail routed to a task ("task") or meeting ("meeting") without a known parent mail."""
    return lambda fn: _mark(fn, "object", kind)


def on_stray(fn):
    """Tried before the reply handlers for a mail in a meeting's thread: a task status written
    there ("接口开发已完成" in answer to the meeting notice) belongs to the sender's task."""
    return _mark(fn, "stray", fn.__name__)


def on_new(priority: int):
    """A mail that starts a new thread; tried in (priority, name) order, None when not theirs."""
    return lambda fn: _mark(fn, "new", priority)


class Handlers:
    """The inbound chain as data: which handler answers a reply to each kind of mail we send, a
    mail routed to a task or meeting, a stray status, a new thread. Each name is registered once
    (mailflow.registry refuses a duplicate with ValueError)."""

    def __init__(self) -> None:
        self.reply: Registry = Registry("reply handler")
        self.object: Registry = Registry("object handler")
        self.stray: Registry = Registry("stray handler")
        self._new: Registry = Registry("new-thread handler")
        self._priority: dict[str, int] = {}

    def add(self, fn: Callable) -> None:
        """Register `fn` under every mark it carries (on_reply, on_object, on_stray, on_new)."""
        for where, key in getattr(fn, "inbound", ()):
            if where == "new":
                self._new.add(fn.__name__, fn)
                self._priority[fn.__name__] = key
            else:
                getattr(self, where).add(key, fn)

    @property
    def new(self) -> list[Callable]:
        return [self._new[name] for name in sorted(self._new, key=lambda n: (self._priority[n], n))]


# --- routing -----------------------------------------------------------------------
def route(msg: Any, lookup: Lookup, org: Org) -> Route:
    """Which task or meeting a mail is about: In-Reply-To/References, subject tag, reply token."""
    for via, ids in (("in-reply-to", [msg.in_reply_to] if msg.in_reply_to else []),
                     ("references", list(reversed(msg.references or [])))):
        for mid in ids:
            sent = lookup.sent_message(mid)
            if sent:
                return _route_to(sent.get("task_id"), sent.get("meeting_id"), via, sent)
    m = SUBJECT_TAG.search(msg.subject or "")
    if m:
        kind, num = m.group(1).upper(), int(m.group(2))
        return _route_to(num if kind == "T" else None, num if kind == "M" else None, "subject", None)
    for _addr, checked in gate.reply_tokens(msg, org):
        if checked:
            kind, num = checked
            return _route_to(num if kind == "t" else None, num if kind == "m" else None, "token", None)
    return Route(kind="new")


def _route_to(task_id, meeting_id, via, sent) -> Route:
    if task_id is not None:
        return Route(kind="task", task_id=task_id, meeting_id=meeting_id, via=via, answered=sent)
    if meeting_id is not None:
        return Route(kind="meeting", meeting_id=meeting_id, via=via, answered=sent)
    return Route(kind="new", via=via, answered=sent)


def handle_inbound(ctx: Context, msg: Any, rt: Route, handlers: Handlers) -> Outcome:
    """Dispatch one parsed inbound mail to the flow that owns it."""
    if msg.auto:
        return Outcome(status="ignored", log=[f"not an answer ({msg.auto_reason}); ignored"])
    # The gate, once, before any handler: who the sender is for what the mail is about (flows/gate.py).
    ctx = replace(ctx, standing=gate.decide(ctx, msg, rt))
    new = handlers.new
    if msg.calendars:
        # iMIP (an invitation or an RSVP) is decided by its content, whatever thread it is in.
        for handler in new:
            if getattr(handler, "calendar", False):
                out = handler(ctx, msg)
                if out is not None:
                    return out
    if rt.kind == "meeting":
        for name in handlers.stray:
            out = handlers.stray[name](ctx, msg, rt)
            if out is not None:
                return out
    kind = (rt.answered or {}).get("kind")
    if kind in handlers.reply:
        out = handlers.reply[kind](ctx, msg, rt)
        if out is not None:
            return out
    if rt.kind in handlers.object:
        out = handlers.object[rt.kind](ctx, msg, rt)
        if out is not None:
            return out
    for handler in new:
        if getattr(handler, "calendar", False):
            continue
        out = handler(ctx, msg)
        if out is not None:
            return out
    return not_understood(ctx, msg, rt)


def not_understood(ctx: Context, msg: Any, rt: Route) -> Outcome:
    """A mail nobody could place: a known person gets a short help answer; strangers get nothing
    (no backscatter) but the mail is kept, logged and, when [org] admin is set, forwarded."""
    out = Outcome(status="unknown", log=[f"could not place the mail from {msg.sender} (route {rt.via})"])
    person = ctx.directory.get(msg.sender)
    if person:
        out.mails.append(Mail(
            key=f"help:{msg.message_id}", template="help", to=[person.email], lang=person.language,
            kind="help", in_reply_to=msg.message_id, references=list(msg.references or []),
            context={"name": person.name, "subject": msg.subject}))
    if ctx.org.admin:
        out.mails.append(forward_to_admin(ctx, msg, "unplaced"))
    return out


def forward_to_admin(ctx: Context, msg: Any, reason: str, detail: str = "") -> Mail:
    return Mail(key=f"admin:{reason}:{msg.message_id}", template="admin_forward", to=[ctx.org.admin],
                lang=ctx.org.language, kind="admin_forward",
                context={"reason": reason, "detail": detail, "sender": msg.sender,
                         "subject": msg.subject, "text": (msg.visible or msg.text or "")[:4000]})
