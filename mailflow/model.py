"""The objects mailflow reasons about: plain dataclasses, no I/O.

Names follow GUIDE.md: a Meeting (会议) has Attendees and AgendaItems; Minutes (会议纪要) hold
decisions and ActionItems; an accepted action item becomes a Task (行动项/待办任务) whose dated
progress log is a list of TaskEvents. The pure core turns (state, Event, now) into an Outcome:
the objects to store and the Mails to queue; the state is a Snapshot, the answers to the store's
reads that the edge made before the flow ran (edges/snapshot.py loads it).
"""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any


class Lang(str, enum.Enum):
    ZH_CN = "zh-CN"
    ZH_TW = "zh-TW"
    EN = "en"


LANGS = tuple(lang.value for lang in Lang)


class Role(str, enum.Enum):
    """How a person takes part in a meeting; maps onto iCalendar ROLE."""

    HOST = "host"            # 主持人  -> CHAIR
    RECORDER = "recorder"    # 记录人  -> REQ-PARTICIPANT
    PREPARER = "preparer"    # 材料准备人 -> REQ-PARTICIPANT
    REQUIRED = "required"    # 核心参会人 -> REQ-PARTICIPANT
    OPTIONAL = "optional"    # 列席人员 -> OPT-PARTICIPANT


class Rsvp(str, enum.Enum):
    NEEDS_ACTION = "needs-action"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class TaskStatus(str, enum.Enum):
    """Task states; the values are the JSON contract of `mailflow tasks --json`."""

    NOT_STARTED = "not_started"   # 未开始
    IN_PROGRESS = "in_progress"   # 进行中
    DONE = "done"                 # 已完成 (waiting for 验收)
    VERIFIED = "verified"         # 已验收
    DELAYED = "delayed"           # 延期 (always with a reason and a new due date)

    @property
    def closed(self) -> bool:
        return self in (TaskStatus.DONE, TaskStatus.VERIFIED)


STATUS_LABELS = {
    "zh-CN": {"not_started": "未开始", "in_progress": "进行中", "done": "已完成",
              "verified": "已验收", "delayed": "延期"},
    "zh-TW": {"not_started": "未開始", "in_progress": "進行中", "done": "已完成",
              "verified": "已驗收", "delayed": "延期"},
    "en": {"not_started": "not started", "in_progress": "in progress", "done": "done",
           "verified": "verified", "delayed": "delayed"},
}


class Intent(str, enum.Enum):
    """What a reply asks for (replies.classify)."""

    CONFIRM = "confirm"
    DONE = "done"
    PROGRESS = "progress"
    DELAY = "delay"
    OBJECTION = "objection"
    DECLINE = "decline"
    TENTATIVE = "tentative"
    RISK = "risk"
    REASSIGN = "reassign"           # a handover: 这个改由小李负责 / please reassign to Tom (never a confirm)
    UNKNOWN = "unknown"


@dataclass
class Person:
    name: str
    email: str                      # always lower case
    department: str = ""
    title: str = ""
    manager: str | None = None      # email of who gets escalations
    aliases: list[str] = field(default_factory=list)
    delegates: list[str] = field(default_factory=list)  # emails that may answer for this person
    language: str = "zh-CN"


@dataclass
class AgendaItem:
    seq: int
    title: str
    owner: str | None = None        # email
    minutes: int | None = None      # 讨论时长
    outcome: str = ""               # 预期成果
    materials: str = ""             # 材料


@dataclass
class Attendee:
    email: str
    role: Role
    name: str = ""
    rsvp: Rsvp = Rsvp.NEEDS_ACTION
    proxy: str | None = None        # 代理人: email (or a name when unknown)
    answered_at: datetime | None = None
    answered_via: str | None = None  # "imip", "mail", "cli"
    rsvp_sequence: int = -1         # SEQUENCE of the iMIP reply that set rsvp
    rsvp_stamp: datetime | None = None  # DTSTAMP of that reply

    @property
    def required(self) -> bool:
        return self.role is not Role.OPTIONAL


# The one place the default zone is written: every other default (the flows' Org, a Meeting, a
# calendar, an invite read without a zone, [org] timezone itself) takes it from here or, better,
# from the loaded settings. It lives with the objects, so a reader need not import the config.
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass
class Meeting:
    id: int | None
    uid: str                        # iCalendar UID, stable for the meeting's life
    title: str
    start: datetime                 # aware
    end: datetime                   # aware
    tz: str = DEFAULT_TIMEZONE      # [org] timezone when not given
    goal: str = ""
    location: str = ""
    online: str = ""
    host: str = ""                  # email
    recorder: str | None = None
    preparer: str | None = None
    attendees: list[Attendee] = field(default_factory=list)
    agenda: list[AgendaItem] = field(default_factory=list)
    sequence: int = 0               # iCalendar SEQUENCE, raised on every change
    status: str = "scheduled"       # scheduled | cancelled
    cancel_reason: str = ""
    source: str = "file"            # file | imip | mail
    minutes_state: str = "none"     # none | requested | draft | review | final
    created_at: datetime | None = None

    def attendee(self, email: str) -> Attendee | None:
        email = email.lower()
        return next((a for a in self.attendees if a.email == email), None)

    @property
    def emails(self) -> list[str]:
        return [a.email for a in self.attendees]


@dataclass
class ActionItem:
    """One 行动项 as read from a minutes draft (minutes.parse)."""

    title: str
    owner: str | None = None                 # email
    collaborators: list[str] = field(default_factory=list)
    due: date | None = None
    deliverable: str = ""
    line: str = ""                           # the source line, for problem reports
    line_no: int | None = None


@dataclass
class Problem:
    item: int | None                         # 1-based index into action_items, None for the draft
    kind: str                                # vague_due, no_owner, multiple_owners, unknown_person, ambiguous_person, no_due
    line: str
    detail: str = ""


@dataclass
class ParsedMinutes:
    decisions: list[str] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class MinutesVersion:
    id: int | None
    meeting_id: int
    version: int
    text: str
    author: str
    received_at: datetime
    status: str = "draft"                    # draft | problems | review | final | superseded
    message_id: str | None = None
    parsed: ParsedMinutes | None = None


@dataclass
class Task:
    id: int | None
    title: str
    owner: str                               # email: exactly one 唯一责任人
    due: date | None
    meeting_id: int | None = None
    item_no: int | None = None               # position in the meeting's action items
    collaborators: list[str] = field(default_factory=list)
    deliverable: str = ""
    description: str = ""
    status: TaskStatus = TaskStatus.NOT_STARTED
    percent: int | None = None
    risk: bool = False
    risk_note: str = ""
    delay_reason: str = ""
    confirmed_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    done_at: datetime | None = None
    verified_at: datetime | None = None


@dataclass
class TaskEvent:
    """One line of a task's 进度更新 log."""

    task_id: int
    at: datetime
    actor: str                               # email, or "mailflow"
    kind: str                                # created, confirm, progress, done, verified, rejected, delay, risk, ...
    text: str = ""                           # the sentence that caused it
    old_status: str | None = None
    new_status: str | None = None
    percent: int | None = None
    due: date | None = None
    message_id: str | None = None
    flags: list[str] = field(default_factory=list)  # e.g. late_notice, calendar_gap


@dataclass
class OwnerTasks:
    """A person and their open tasks: the object of weekly, per-person rules."""

    owner: str
    tasks: list[Task] = field(default_factory=list)


@dataclass
class Attachment:
    filename: str
    content_type: str                        # e.g. "text/calendar"
    data: bytes


# Mail kinds that list several tasks, numbered: answers may refer to them by number.
NUMBERED_KINDS = ("progress_request", "task_receipt", "task_clarify")


@dataclass
class Mail:
    """An effect: a mail to queue. Rendered by render.py from templates/<lang>/<template>.*"""

    key: str                                 # unique dedupe key: the same key is never queued twice
    template: str
    to: list[str]
    context: dict[str, Any] = field(default_factory=dict)
    cc: list[str] = field(default_factory=list)
    lang: str = "zh-CN"
    meeting_id: int | None = None
    task_id: int | None = None
    kind: str = ""                           # what the mail is for: notice, reminder, receipt, ...
    in_reply_to: str | None = None           # Message-ID we answer (threads receipts)
    references: list[str] = field(default_factory=list)
    calendar: bytes | None = None            # a text/calendar part (METHOD inside decides method=)
    attachments: list[Attachment] = field(default_factory=list)

    def numbered_tasks(self) -> list[int] | None:
        """The task ids a mail numbers 1..n (context["items"]: ids, or dicts with "task_id"/"id"),
        for the kinds whose answers may say "1 已完成；3 延期到周五"; the outbox keeps them."""
        if self.kind not in NUMBERED_KINDS:
            return None
        raw = self.context.get("items")
        if not isinstance(raw, (list, tuple)) or not raw:
            return None
        ids: list[int] = []
        for it in raw:
            if isinstance(it, dict):
                it = it.get("task_id", it.get("id"))
            if isinstance(it, bool) or not isinstance(it, int):
                return None
            ids.append(it)
        return ids


@dataclass
class MinutesConfirmation:
    """One attendee's answer to the final minutes (纪要确认): pending until the deadline, then
    confirmed, objection, or accepted (silence: 无异议视为认可). Stored in minutes_confirmations."""

    meeting_id: int
    version: int
    email: str
    status: str = "pending"                  # pending | confirmed | objection | accepted
    deadline: datetime | None = None
    answered_at: datetime | None = None
    text: str = ""
    message_id: str | None = None


@dataclass
class Outcome:
    """What the pure core decided: objects to store and mails to queue, in one transaction.

    New meetings and tasks come with their ids set, drawn from the Snapshot's next_ids (read in the
    transaction that commits this): their ids are inside the calendar UIDs, .ics files and mail keys
    the flow builds, so a placeholder filled in at commit would mean re-building those (the full
    reason: flows/dispatch.Ids). A new minutes version has id None; the store numbers it at commit.
    """

    meetings: list[Meeting] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    task_events: list[TaskEvent] = field(default_factory=list)
    minutes: list[MinutesVersion] = field(default_factory=list)
    mails: list[Mail] = field(default_factory=list)
    confirmations: list[MinutesConfirmation] = field(default_factory=list)
    status: str = "applied"                  # for an inbound mail: applied | ignored | unknown | refused
    intent: str | None = None                # what the mail was read as (stored on its inbound row)
    task_id: int | None = None               # the task the flow placed the mail on, when not the routed
                                             # one (a numbered answer): stored on its inbound row
    log: list[str] = field(default_factory=list)

    def extend(self, other: "Outcome") -> "Outcome":
        self.meetings += other.meetings
        self.tasks += other.tasks
        self.task_events += other.task_events
        self.minutes += other.minutes
        self.mails += other.mails
        self.confirmations += other.confirmations
        self.log += other.log
        return self


# Values that cannot change in place, so a fresh copy may share them. copy.deepcopy round-trips
# every datetime and enum through __reduce_ex__ and a memo: on the Snapshot's reads that was ~13 %
# of ingest (bench/ingest.py, cProfile), for copies nobody can tell from these.
_IMMUTABLE = (str, int, float, bytes, type(None), date, datetime, time, timedelta, tzinfo, enum.Enum)


def fresh(value: Any) -> Any:
    """A copy of a model value no change to it can reach back from: lists, tuples, dicts and
    dataclass objects are rebuilt, immutable leaves shared; anything else is deep-copied."""
    kind = type(value)
    how = _HOW.get(kind)
    if how is None:
        how = _HOW[kind] = _how(kind)
    return how(value)


def _share(value: Any) -> Any:
    return value


def _dataclass(value: Any) -> Any:
    new = object.__new__(type(value))
    new.__dict__.update({k: v if type(v) in _SHARED else fresh(v) for k, v in value.__dict__.items()})
    return new


def _how(kind: type):
    """How `fresh` copies a value of this type (decided once per type)."""
    if kind is list:
        return lambda v: [fresh(x) for x in v]
    if kind is dict:
        return lambda v: {k: fresh(x) for k, x in v.items()}
    if kind is tuple:
        return lambda v: tuple(fresh(x) for x in v)
    if issubclass(kind, _IMMUTABLE):
        _SHARED.add(kind)
        return _share
    if hasattr(kind, "__dataclass_fields__") and not hasattr(kind, "__slots__"):
        return _dataclass
    return copy.deepcopy


_HOW: dict[type, Any] = {}
_SHARED: set[type] = set()         # the immutable types met so far (a dataclass field's fast path)


class NotLoaded(LookupError):
    """A flow asked its Snapshot for something the edge did not load: the loader
    (edges/snapshot.py) misses a query. Raised, never answered with None, so a gap is found."""


class Snapshot:
    """What one decision may read, loaded by the edge before the flow runs (edges/snapshot.py).

    It holds the answers to the store's read queries the loader ran — (method, arguments) ->
    result — and answers a flow's query from them with a fresh copy (as the store returns a new
    object on every read, so a flow can never change what the next read sees). A query nobody
    loaded raises NotLoaded. `next_ids` are the ids the next new meeting/task/minutes rows get,
    read in the same transaction (see Ids in flows/dispatch.py for why ids are not provisional).
    """

    def __init__(self, next_ids: dict[str, int] | None = None):
        self.answers: dict[tuple, Any] = {}
        self.next_ids: dict[str, int] = dict(next_ids or {})

    def record(self, query: tuple, value: Any) -> Any:
        """Keep the answer to `query` (the loader's side); returns the value for chaining."""
        self.answers[query] = value
        return value

    def knows(self, query: tuple) -> bool:
        return query in self.answers

    def _answer(self, *query: Any) -> Any:
        try:
            value = self.answers[query]
        except KeyError:
            raise NotLoaded(f"the snapshot was not loaded with {query[0]}{query[1:]!r}") from None
        return fresh(value)

    # The read methods the flows use (the Lookup protocol of flows/dispatch.py).
    def get_meeting(self, meeting_id: int) -> Meeting | None:
        return self._answer("get_meeting", meeting_id)

    def meeting_by_uid(self, uid: str) -> Meeting | None:
        return self._answer("meeting_by_uid", uid)

    def get_task(self, task_id: int) -> Task | None:
        return self._answer("get_task", task_id)

    def tasks(self, meeting_id: int | None = None, owner: str | None = None,
              open_only: bool = False) -> list[Task]:
        return self._answer("tasks", meeting_id, owner.lower() if owner else None, bool(open_only))

    def task_events(self, task_id: int) -> list[TaskEvent]:
        if task_id >= self.next_ids.get("tasks", task_id + 1):
            return []                # a task made in this decision has no log yet
        return self._answer("task_events", task_id)

    def latest_task_events(self, task_ids: list[int]) -> dict[int, TaskEvent]:
        return self._answer("latest_task_events", tuple(task_ids))

    def minutes_versions(self, meeting_id: int) -> list[MinutesVersion]:
        return self._answer("minutes_versions", meeting_id)

    def minutes_confirmations(self, meeting_id: int) -> list[MinutesConfirmation]:
        return self._answer("minutes_confirmations", meeting_id)

    def minutes_candidates(self, people: list[str], since: datetime, now: datetime) -> list[Meeting]:
        return self._answer("minutes_candidates", tuple(people), since, now)

    def sent_message(self, message_id: str) -> dict | None:
        return self._answer("sent_message", message_id)

    def outbox_items(self, outbox_id: int) -> list[int] | None:
        return self._answer("outbox_items", outbox_id)

    def inbound_row(self, ident: int | str) -> dict | None:
        return self._answer("inbound_row", ident)

    def __repr__(self) -> str:
        return f"Snapshot({len(self.answers)} answers, next ids {self.next_ids})"
