"""Timeline rules as data: rules/*.yaml -> Rule objects; when each rule's step is due.

A rule file holds a list under `rules:`; each rule is

    - name: task_due_reminder_3          # unique across files
      scope: task                        # task | meeting | owner | host (see SCOPES)
      trigger:
        field: task.due                  # task.due | task.created | meeting.start | meeting.end | meeting.created
        offset: -3                       # a signed count of `unit`
        unit: working_days               # days | working_days | hours | minutes
        at: work_start                   # time of day for day units: "HH:MM" | work_start | work_end
        repeat: 7 days                   # optional: fire again every N days/weeks (meeting rules:
                                         # only meetings with open tasks are considered)
        # or, for scope owner/host:  weekly: fri  at: "16:00"   |   daily: workdays  at: "17:00"
      when: [task_open]                  # named conditions, all must hold at the step's moment
      action: task_due_reminder          # a named action (code) that returns an Outcome
      max_late: 2 days                   # older than this after downtime: recorded as skipped, not sent
      quiet_hours: true                  # move a moment outside working hours to the next window
      params: {}                         # free-form values handed to the action (step.rule.params)

Scopes: `task` and `meeting` steps belong to one object (a field trigger); `owner` steps to each
person with open tasks (rules.OwnerTasks-like: .owner, .tasks) and `host` steps to each meeting host
with replies that need a human (HostReplies); both of those are clock triggers (weekly/daily).

Names of fields, conditions and actions are checked against the registries (`check`, `validate`),
with errors naming the file, the rule and the key.

When steps are due (`due_steps`, pure): the service asks for the steps whose moment lies in a window
(since, now] — since is the previous tick (rules counted from a creation time look OVERLAP further
back, so a row committed while a tick ran is not missed), or now - max_late on the first tick. A
step whose moment had passed before its object took its current shape (a task created or delayed
after its 3-day reminder moment) is therefore not sent late; the steps still ahead are. Every step has a key
rule:object:moment, so nothing fires twice, and a moved due date gives new keys (fresh reminders).
Quiet hours move a moment to the next working window (working day, work_start..work_end). After
downtime the window is long: each missed step is found once; one older than max_late is returned
with `skipped=True` (recorded and logged, not sent); of a repeating rule only the latest occurrence
counts. A weekly (daily) occurrence that quiet hours pushed into the same week (day) as the next
regular occurrence is dropped — e.g. a Friday request on a holiday Friday is not sent on the
Thursday after the holiday *and* again on that Friday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

SCOPES = ("task", "meeting", "owner", "host", "person")
FIELDS = {"task": ("task.due", "task.created"),
          "meeting": ("meeting.start", "meeting.end", "meeting.created"),
          "owner": (), "host": (), "person": ()}
UNITS = ("days", "working_days", "hours", "minutes")
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DURATION = re.compile(r"^\s*(\d+)\s*(minutes?|hours?|days?|weeks?|m|h|d|w)\s*$")
# A rule counted from a creation time (meeting.created, task.created) also looks this far behind
# its previous tick, so a row committed while a tick was running (a CLI in another process) is
# still seen; the fired keys keep it from repeating.
OVERLAP = timedelta(minutes=10)
# After long downtime, look no further back than max_late + this (older steps are not even logged).
MAX_CATCH_UP = timedelta(days=7)

# Registries: filled by the flow modules (meetings, minutes, tasks, timeline) at import time.
CONDITIONS: dict[str, Callable[..., bool]] = {}
ACTIONS: dict[str, Callable[..., Any]] = {}


def condition(name: str):
    def register(fn):
        CONDITIONS[name] = fn
        return fn
    return register


def action(name: str):
    def register(fn):
        ACTIONS[name] = fn
        return fn
    return register


class RuleError(ValueError):
    """A rule file is wrong; the message names the file, the rule and the key."""


@dataclass(frozen=True)
class Trigger:
    field: str | None = None
    offset: int = 0
    unit: str = "days"
    at: str | None = None
    weekly: int | None = None          # weekday number for weekly triggers
    repeat: timedelta | None = None
    daily: bool = False                # every working day at `at`

    @property
    def scheduled(self) -> bool:
        """A clock trigger (weekly/daily), not an offset from an object's field."""
        return self.weekly is not None or self.daily


@dataclass(frozen=True)
class Rule:
    name: str
    scope: str
    trigger: Trigger
    action: str
    when: tuple[str, ...] = ()
    max_late: timedelta = timedelta(days=2)
    quiet_hours: bool = True
    source: str = ""
    params: dict = field(default_factory=dict, hash=False, compare=False)
    description: str = ""


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


def parse_duration(text: Any, where: str) -> timedelta:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return timedelta(days=text)
    m = _DURATION.match(str(text))
    if not m:
        raise RuleError(f"{where}: expected a duration like \"2 days\" or \"36 hours\", got {text!r}")
    n, unit = int(m[1]), m[2][0]
    return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n),
            "w": timedelta(weeks=n)}[unit]


def parse_rule(raw: Any, i: int, source: str) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(f"{source}: rule #{i}: expected a mapping")
    name = raw.get("name")
    where = f"{source}: rule {name if isinstance(name, str) and name else '#' + str(i)}"
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise RuleError(f"{where}: key 'name': expected a lower-case identifier")
    unknown = set(raw) - {"name", "scope", "trigger", "when", "action", "max_late", "quiet_hours",
                          "params", "description"}
    if unknown:
        raise RuleError(f"{where}: key {sorted(unknown)[0]!r}: unknown key")
    scope = raw.get("scope")
    if scope not in SCOPES:
        raise RuleError(f"{where}: key 'scope': expected one of {', '.join(SCOPES)}, got {scope!r}")
    when = raw.get("when") or []
    if isinstance(when, str):
        when = [when]
    if not isinstance(when, list) or not all(isinstance(c, str) for c in when):
        raise RuleError(f"{where}: key 'when': expected a list of condition names")
    act = raw.get("action")
    if not isinstance(act, str) or not act:
        raise RuleError(f"{where}: key 'action': expected the name of an action")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise RuleError(f"{where}: key 'params': expected a mapping")
    quiet = raw.get("quiet_hours", True)
    if not isinstance(quiet, bool):
        raise RuleError(f"{where}: key 'quiet_hours': expected true or false, got {quiet!r}")
    max_late = parse_duration(raw.get("max_late", "2 days"), f"{where}: key 'max_late'")
    if max_late <= timedelta(0):
        raise RuleError(f"{where}: key 'max_late': must be longer than zero")
    return Rule(
        name=name, scope=scope, trigger=_trigger(raw.get("trigger"), scope, f"{where}: key 'trigger'"),
        action=act, when=tuple(when), max_late=max_late, quiet_hours=quiet, source=source,
        params=dict(params), description=str(raw.get("description") or ""))


def parse_rules(data: Any, source: str) -> list[Rule]:
    rules, errors = parse_rules_collect(data, source)
    if errors:
        raise RuleError(errors[0])
    return rules


def parse_rules_collect(data: Any, source: str) -> tuple[list[Rule], list[str]]:
    """Every rule that parses, and one error line per rule that does not."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        return [], [f"{source}: expected a mapping with a list under 'rules'"]
    rules, errors = [], []
    for i, raw in enumerate(data["rules"], start=1):
        try:
            rules.append(parse_rule(raw, i, source))
        except RuleError as e:
            errors.append(str(e))
    return rules, errors


def _at(at: Any, where: str) -> str | None:
    if at is None:
        return None
    if at in ("work_start", "work_end"):
        return at
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(at))
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        # YAML reads an unquoted 16:00 as the number 960 (sexagesimal): say so.
        hint = " (quote it: \"16:00\")" if isinstance(at, int) else ""
        raise RuleError(f"{where}.at: expected \"HH:MM\", work_start or work_end, got {at!r}{hint}")
    return f"{int(m[1]):02d}:{m[2]}"


def _trigger(raw: Any, scope: str, where: str) -> Trigger:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a mapping")
    unknown = set(raw) - {"field", "offset", "unit", "at", "weekly", "repeat", "daily"}
    if unknown:
        raise RuleError(f"{where}.{sorted(unknown)[0]}: unknown key")
    at = _at(raw.get("at"), where)
    repeat = parse_duration(raw["repeat"], f"{where}.repeat") if raw.get("repeat") else None
    if repeat is not None and repeat < timedelta(hours=1):
        raise RuleError(f"{where}.repeat: must be at least 1 hour")
    if "weekly" in raw or "daily" in raw:
        if "field" in raw:
            raise RuleError(f"{where}: give either 'field' or 'weekly'/'daily', not both")
        if "weekly" in raw and "daily" in raw:
            raise RuleError(f"{where}: give either 'weekly' or 'daily', not both")
        if repeat is not None:
            raise RuleError(f"{where}.repeat: weekly and daily triggers repeat by themselves")
        if scope in ("task", "meeting"):
            raise RuleError(f"{where}: scope {scope} needs a 'field' (weekly/daily are for owner and host)")
        if "daily" in raw:
            if raw["daily"] not in (True, "workdays", "working_days"):
                raise RuleError(f"{where}.daily: expected workdays, got {raw['daily']!r}")
            return Trigger(daily=True, at=at or "work_start")
        day = str(raw["weekly"]).lower()[:3]
        if day not in WEEKDAYS:
            raise RuleError(f"{where}.weekly: expected a weekday (mon … sun), got {raw['weekly']!r}")
        return Trigger(weekly=WEEKDAYS[day], at=at or "work_start")
    fld = raw.get("field")
    if fld not in FIELDS[scope]:
        allowed = ", ".join(FIELDS[scope]) or "none (use weekly or daily)"
        raise RuleError(f"{where}.field: {fld!r} is not a field of scope {scope} ({allowed})")
    unit = raw.get("unit", "days")
    if unit not in UNITS:
        raise RuleError(f"{where}.unit: expected one of {', '.join(UNITS)}, got {unit!r}")
    offset = raw.get("offset", 0)
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise RuleError(f"{where}.offset: expected a whole number, got {offset!r}")
    if unit == "working_days" and abs(offset) > 60:
        raise RuleError(f"{where}.offset: at most 60 working days")
    return Trigger(field=fld, offset=offset, unit=unit, at=at, repeat=repeat)


def load_rules(folder: str | Path) -> list[Rule]:
    rules, errors = validate(folder, registries=False)
    if errors:
        raise RuleError(errors[0])
    return rules


def validate(folder: str | Path, registries: bool = True) -> tuple[list[Rule], list[str]]:
    """All rules of `folder`/*.yaml and every error found (file, rule, key), without stopping at
    the first; with `registries`, unknown actions and conditions too (`mailflow rules check`)."""
    rules: list[Rule] = []
    errors: list[str] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        if path.name == "holidays.yaml":
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            errors.append(f"{path}: not valid YAML: {e}")
            continue
        got, errs = parse_rules_collect(data, str(path))
        rules += got
        errors += errs
    seen: dict[str, str] = {}
    for r in rules:
        if r.name in seen:
            errors.append(f"{r.source}: rule {r.name}: key 'name': already defined in {seen[r.name]}")
        seen.setdefault(r.name, r.source)
    if registries:
        errors += check(rules)
    return rules, errors


def check(rules: Iterable[Rule]) -> list[str]:
    """Names a rule uses that the code does not know, as error lines (file: rule: key: …)."""
    errors = []
    for r in rules:
        if r.action not in ACTIONS:
            errors.append(f"{r.source}: rule {r.name}: key 'action': unknown action {r.action!r} "
                          f"(known: {', '.join(sorted(ACTIONS))})")
        for c in r.when:
            if c not in CONDITIONS:
                errors.append(f"{r.source}: rule {r.name}: key 'when': unknown condition {c!r} "
                              f"(known: {', '.join(sorted(CONDITIONS))})")
    return errors


# --- time arithmetic -----------------------------------------------------------------
@dataclass(frozen=True)
class Clockwork:
    """What moments need: the zone, working hours and the working-day calendar."""

    tz: Any
    work_start: time
    work_end: time
    calendar: Any                     # dates.WorkCalendar: is_workday, add_workdays

    def time_of(self, spec: str | None, default: time) -> time:
        if spec == "work_start":
            return self.work_start
        if spec == "work_end":
            return self.work_end
        if spec:
            h, m = spec.split(":")
            return time(int(h), int(m))
        return default

    def at(self, d: date, spec: str | None, default: time) -> datetime:
        return datetime.combine(d, self.time_of(spec, default), tzinfo=self.tz)

    def is_workday(self, d: date, gaps: set[int] | None = None) -> bool:
        try:
            return self.calendar.is_workday(d, gaps)
        except TypeError:             # a calendar without gap reporting
            return self.calendar.is_workday(d)

    def in_window(self, moment: datetime, gaps: set[int] | None = None) -> bool:
        local = moment.astimezone(self.tz)
        return (self.work_start <= local.time().replace(tzinfo=None) < self.work_end
                and self.is_workday(local.date(), gaps))

    def next_window(self, moment: datetime, gaps: set[int] | None = None) -> datetime:
        """`moment` itself when inside working hours of a working day, else the next window's start."""
        local = moment.astimezone(self.tz)
        if self.in_window(local, gaps):
            return local
        d = local.date()
        if local.time().replace(tzinfo=None) < self.work_start and self.is_workday(d, gaps):
            return datetime.combine(d, self.work_start, tzinfo=self.tz)
        for _ in range(400):
            d += timedelta(days=1)
            if self.is_workday(d, gaps):
                return datetime.combine(d, self.work_start, tzinfo=self.tz)
        return local

    def gap_start(self, moment: datetime) -> datetime:
        """The start of the quiet stretch `moment` lies in (the previous window's end), or `moment`
        itself inside a window: every x >= gap_start(lo) has next_window(x) >= ... > lo or x > lo."""
        local = moment.astimezone(self.tz)
        if self.in_window(local):
            return local
        d = local.date()
        if local.time().replace(tzinfo=None) >= self.work_end and self.is_workday(d):
            return datetime.combine(d, self.work_end, tzinfo=self.tz)
        for _ in range(400):
            d -= timedelta(days=1)
            if self.is_workday(d):
                return datetime.combine(d, self.work_end, tzinfo=self.tz)
        return local

    def add_workdays(self, d: date, n: int, gaps: set[int] | None = None) -> date:
        try:
            return self.calendar.add_workdays(d, n, gaps)
        except TypeError:
            return self.calendar.add_workdays(d, n)


def field_attr(fld: str) -> str:
    """The attribute (and store column) behind a trigger field: task.due -> due, meeting.created -> created_at."""
    attr = fld.split(".", 1)[1]
    return "created_at" if attr == "created" else attr


def base_value(obj: Any, fld: str) -> datetime | date | None:
    return getattr(obj, field_attr(fld), None)


def moment_of(rule: Rule, obj: Any, cw: Clockwork, gaps: set[int] | None = None) -> datetime | None:
    """When `rule` first fires for `obj` (before quiet-hours adjustment), or None (no base value)."""
    base = base_value(obj, rule.trigger.field)
    if base is None:
        return None
    return nominal_from(rule, base, cw, gaps)


def nominal_from(rule: Rule, base: datetime | date, cw: Clockwork, gaps: set[int] | None = None) -> datetime:
    t = rule.trigger
    if t.unit in ("hours", "minutes"):
        if not isinstance(base, datetime):
            base = cw.at(base, t.at, cw.work_start)
        return base + timedelta(**{t.unit: t.offset})
    d = base.astimezone(cw.tz).date() if isinstance(base, datetime) else base
    if t.unit == "working_days":
        d = cw.add_workdays(d, t.offset, gaps) if t.offset else d
    else:
        d = d + timedelta(days=t.offset)
    default = base.astimezone(cw.tz).time().replace(tzinfo=None) if isinstance(base, datetime) else cw.work_start
    return cw.at(d, t.at, default)


def final(rule: Rule, nominal: datetime, cw: Clockwork, gaps: set[int] | None = None) -> datetime:
    """The moment a step really runs: quiet hours move it to the next working window."""
    return cw.next_window(nominal, gaps) if rule.quiet_hours else nominal.astimezone(cw.tz)


def field_moment(rule: Rule, obj: Any, since: datetime | None, now: datetime, cw: Clockwork,
                 gaps: set[int] | None = None) -> datetime | None:
    """The (latest) moment of `rule` for `obj` in (since, now], or None."""
    nominal = moment_of(rule, obj, cw, gaps)
    if nominal is None or nominal > now:
        return None
    rep = rule.trigger.repeat
    if rep:
        k = (now - nominal) // rep
        while k >= 0:
            moment = final(rule, nominal + k * rep, cw, gaps)
            if moment <= now:
                break
            k -= 1
        else:
            return None
    else:
        moment = final(rule, nominal, cw, gaps)
        if moment > now:
            return None
    if since is not None and moment <= since:
        return None
    return moment


def _occurs_on(rule: Rule, d: date, cw: Clockwork, gaps: set[int] | None) -> bool:
    t = rule.trigger
    if t.daily:
        return cw.is_workday(d, gaps)
    return d.weekday() == t.weekly


def _bucket(rule: Rule, moment: datetime) -> tuple:
    return moment.isocalendar()[:2] if rule.trigger.weekly is not None else (moment.date(),)


def scheduled_moment(rule: Rule, since: datetime | None, now: datetime, cw: Clockwork,
                     gaps: set[int] | None = None) -> datetime | None:
    """weekly/daily rules: the latest occurrence whose (quiet-hours-moved) moment lies in (since, now]."""
    t = rule.trigger
    local_now = now.astimezone(cw.tz)
    day = local_now.date()
    later: datetime | None = None      # the moved moment of the next occurrence after `day`
    nxt = day + timedelta(days=1)
    for _ in range(30):                # the next regular occurrence after now, for the bucket check
        if _occurs_on(rule, nxt, cw, gaps):
            later = final(rule, cw.at(nxt, t.at, cw.work_start), cw, gaps)
            break
        nxt += timedelta(days=1)
    for _ in range(120):
        if _occurs_on(rule, day, cw, gaps):
            nominal = cw.at(day, t.at, cw.work_start)
            moment = final(rule, nominal, cw, gaps)
            superseded = later is not None and moment != later and _bucket(rule, moment) == _bucket(rule, later)
            later = moment
            if nominal <= local_now and moment <= local_now:
                if since is not None and moment <= since:
                    return None
                if not superseded:
                    return moment
        day -= timedelta(days=1)
    return None


def previous_occurrence(rule: Rule, moment: datetime, cw: Clockwork) -> datetime:
    """The occurrence of a weekly/daily rule before the one at `moment` (what a digest covers)."""
    day = moment.astimezone(cw.tz).date() - timedelta(days=1)
    for _ in range(60):
        if _occurs_on(rule, day, cw, None):
            return final(rule, cw.at(day, rule.trigger.at, cw.work_start), cw)
        day -= timedelta(days=1)
    return moment - timedelta(days=7)


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


def base_range(rule: Rule, since: datetime, now: datetime, cw: Clockwork) -> tuple[datetime, datetime] | None:
    """For a field rule without `repeat`: the [first, last] stretch (local datetimes) in which the
    base value (task.due's day, meeting.start, …) of a step falling in (since, now] must lie — a
    narrow range the store reads through an index. None: no step can fall in the window (most ticks)."""
    t = rule.trigger
    lo = cw.gap_start(since) if rule.quiet_hours else since.astimezone(cw.tz)
    hi = now.astimezone(cw.tz)
    if t.unit in ("hours", "minutes"):
        off = timedelta(**{t.unit: t.offset})
        if t.field == "task.due":   # a day: widen to whole days
            return _day_start((lo - off).date() - timedelta(days=1), cw), _day_start((hi - off).date() + timedelta(days=2), cw)
        return lo - off, hi - off
    if not may_fall_in(rule, since, now, cw):
        return None
    first, last = lo.date(), hi.date()     # nominal moments lie on days first..last
    if t.unit == "days":
        a, b = first - timedelta(days=t.offset), last - timedelta(days=t.offset)
    else:                                  # working days: the base days whose shifted day lands in range
        n = t.offset
        span = timedelta(days=abs(n) * 2 + 20)
        lo_d, hi_d = (first - span, last) if n >= 0 else (first, last + span)
        found = [d for d in _days(lo_d, hi_d) if first <= cw.add_workdays(d, n) <= last]
        if not found:
            return None
        a, b = found[0], found[-1]
    return _day_start(a, cw), _day_start(b + timedelta(days=1), cw)


def _day_start(d: date, cw: Clockwork) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=cw.tz)


def _days(a: date, b: date):
    while a <= b:
        yield a
        a += timedelta(days=1)


def may_fall_in(rule: Rule, since: datetime, now: datetime, cw: Clockwork) -> bool:
    """Day-unit rules with a fixed time of day (`at`, or a date field) only ever run at that time or
    at work_start (moved): is one of those inside (since, now]? Lets most ticks skip a rule at once."""
    t = rule.trigger
    if now - since > timedelta(days=2) or t.unit in ("hours", "minutes"):
        return True
    if t.at is None and t.field not in ("task.due",):
        return True                    # the time of day comes from a datetime field
    if t.repeat is not None and t.repeat % timedelta(days=1):
        return True
    times = {cw.time_of(rule.trigger.at, cw.work_start)}
    if rule.quiet_hours:
        times.add(cw.work_start)
    lo, hi = since.astimezone(cw.tz), now.astimezone(cw.tz)
    for d in _days(lo.date(), hi.date()):
        for tm in times:
            if lo < datetime.combine(d, tm, tzinfo=cw.tz) <= hi:
                return True
    return False


def repeat_base_weekdays(rule: Rule, since: datetime, now: datetime, cw: Clockwork) -> set[int] | None:
    """For a day-unit rule that repeats whole weeks at a fixed time (the weekly 会议决议跟进表): the
    weekdays (Mon=0) of the base field's local date whose occurrences can fall in (since, now], so
    the store reads only those meetings. None: any weekday can (long windows, other triggers).
    A prefilter only: field_moment still decides for each meeting."""
    t = rule.trigger
    if (t.unit != "days" or t.repeat is None or t.at is None or t.repeat % timedelta(days=7)
            or now - since > timedelta(days=6)):
        return None
    found: set[int] = set()
    # nominal days up to 16 days back: quiet hours may move a moment past the longest holiday
    for d in _days(since.astimezone(cw.tz).date() - timedelta(days=16), now.astimezone(cw.tz).date()):
        if since < final(rule, cw.at(d, t.at, cw.work_start), cw) <= now:
            found.add((d - timedelta(days=t.offset)).weekday())
    jan, jul = (datetime(now.year, m, 1, tzinfo=cw.tz).utcoffset() for m in (1, 7))
    if jan != jul:   # a zone with summer time: a meeting near midnight may sit on the next weekday
        found |= {(w + k) % 7 for w in found for k in (-1, 1)}
    return found

