"""Which steps of a rule are due in a tick's window, given the objects the store answered (pure).

The tick asks for the steps whose moment lies in a window (since, now] — since is the previous
tick (rules counted from a creation time look OVERLAP further back, so a row committed while a
tick ran is not missed), or now - max_late on the first tick. A step whose moment had passed
before its object took its current shape (a task created or delayed after its 3-day reminder
moment) is therefore not sent late; the steps still ahead are. Every step has a key
rule:object:moment, so nothing fires twice, and a moved due date gives new keys (fresh reminders).
After downtime the window is long: each missed step is found once (a periodic step fires once,
not once per missed tick); one older than max_late is returned with `skipped=True` (recorded and
logged, not sent); of a repeating rule only the latest occurrence counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from .moments import Clockwork, field_moment, scheduled_moment
from .rules import Rule

# A rule counted from a creation time (meeting.created, task.created) also looks this far behind
# its previous tick, so a row committed while a tick was running (a CLI in another process) is
# still seen; the fired keys keep it from repeating.
OVERLAP = timedelta(minutes=10)
# After long downtime, look no further back than max_late + this (older steps are not even logged).
MAX_CATCH_UP = timedelta(days=7)


@dataclass(frozen=True)
class Step:
    """One rule step for one object at one moment."""

    rule: Rule
    obj: Any
    obj_key: str                      # "t42", "m7", "o:wanglei@corp.example", "h:wanglei@corp.example"
    moment: datetime
    key: str                          # unique: rule:object:occurrence
    skipped: bool = False             # too late (older than max_late): record, don't act
    gaps: tuple[int, ...] = ()        # years counted Monday–Friday (no official calendar data)


@dataclass
class PersonDay:
    """Someone and the task updates recorded from their mail since the last step (receipt digest)."""

    person: str
    events: list = field(default_factory=list)
    since: datetime | None = None


@dataclass
class HostReplies:
    """A meeting host and the replies about their meetings/tasks that need a human (daily digest)."""

    host: str
    replies: list[dict] = field(default_factory=list)
    since: datetime | None = None


def obj_key(scope: str, obj: Any) -> str:
    if scope == "task":
        return f"t{obj.id}"
    if scope == "meeting":
        return f"m{obj.id}"
    if scope == "host":
        return f"h:{getattr(obj, 'host', obj)}"
    if scope == "person":
        return f"p:{getattr(obj, 'person', obj)}"
    return f"o:{obj.owner if hasattr(obj, 'owner') else obj}"


def step_key(rule: Rule, key_obj: str, moment: datetime, cw: Clockwork) -> str:
    return f"{rule.name}:{key_obj}:{moment.astimezone(cw.tz).isoformat(timespec='minutes')}"


def due_steps(rule: Rule, objects: Iterable[Any], now: datetime, cw: Clockwork,
              fired: set[str] | Callable[[str], bool] = frozenset(), since: datetime | None = None) -> list[Step]:
    """Steps of `rule` due in (since, now] for `objects` that have not fired: to run, or (older than
    max_late) to record as skipped. `since` None: any moment up to now."""
    has_fired = fired.__contains__ if isinstance(fired, (set, frozenset)) else fired
    steps = []
    shared: datetime | None = None
    shared_gaps: set[int] = set()
    if rule.trigger.scheduled:
        shared = scheduled_moment(rule, since, now, cw, shared_gaps)
        if shared is None:
            return []
    for obj in objects:
        gaps = set(shared_gaps)
        moment = shared if shared is not None else field_moment(rule, obj, since, now, cw, gaps)
        if moment is None:
            continue
        key_obj = obj_key(rule.scope, obj)
        key = step_key(rule, key_obj, moment, cw)
        if has_fired(key):
            continue
        steps.append(Step(rule=rule, obj=obj, obj_key=key_obj, moment=moment, key=key,
                          skipped=now - moment > rule.max_late, gaps=tuple(sorted(gaps))))
    return steps


def window_start(rule: Rule, previous: datetime | None, now: datetime) -> datetime:
    """Where a tick's window (since, now] starts: the previous tick minus OVERLAP; on the first tick
    (or when the clock went back) now - max_late; after long downtime no more than
    max_late + MAX_CATCH_UP back."""
    if previous is None or previous > now:
        return now - rule.max_late
    # A step counted from a creation time may belong to a row another process committed while
    # the previous tick ran: look a little further back for those (the fired keys dedupe).
    overlap = OVERLAP if rule.trigger.field in ("task.created", "meeting.created") else timedelta(0)
    return max(min(previous, now - overlap), now - rule.max_late - MAX_CATCH_UP)
