"""Timeline rules as data: rules/*.yaml -> Rule objects; when each rule's step is due.

A rule file holds a list under `rules:`; each rule is

    - name: task_due_reminder_3          # unique across files
      scope: task                        # task | meeting | owner (weekly, per person with open tasks)
      trigger:
        field: task.due                  # task.due | task.created | meeting.start | meeting.end | meeting.created
        offset: -3                       # a signed count of `unit`
        unit: working_days               # days | working_days | hours | minutes
        at: work_start                   # time of day for day units: "HH:MM" | work_start | work_end
        repeat: 7 days                   # optional: fire again every N days/weeks until `until` holds
        # or, for scope owner/meeting:  weekly: fri  at: "16:00"
      when: [task_open]                  # named conditions, all must hold
      action: task_due_reminder          # a named action (code) that returns an Outcome
      max_late: 2 days                   # older than this after downtime: recorded as skipped, not sent
      quiet_hours: true                  # move a moment outside working hours to the next window

Names of fields, conditions and actions are checked against the registries (`check`), with errors
naming the file, the rule and the key. `due_moments` is pure: given objects, now and what already
fired, it says which (rule, object, moment) steps to run and which to record as skipped. Every step
has a key (rule, object, occurrence) so nothing fires twice; after downtime only the latest missed
occurrence of a repeating rule is considered, so a step fires once, not once per missed tick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

SCOPES = ("task", "meeting", "owner")
FIELDS = {"task": ("task.due", "task.created"),
          "meeting": ("meeting.start", "meeting.end", "meeting.created"),
          "owner": ()}
UNITS = ("days", "working_days", "hours", "minutes")
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DURATION = re.compile(r"^\s*(\d+)\s*(minutes?|hours?|days?|weeks?|m|h|d|w)\s*$")

# Registries: filled by the flow modules (meetings, minutes, tasks) at import time.
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


@dataclass(frozen=True)
class Step:
    """One rule step for one object at one moment."""

    rule: Rule
    obj: Any
    obj_key: str                      # "t42", "m7", "o:wanglei@corp.example"
    moment: datetime
    key: str                          # unique: rule:object:occurrence
    skipped: bool = False             # too late (older than max_late): record, don't act


def parse_duration(text: Any, where: str) -> timedelta:
    if isinstance(text, (int, float)):
        return timedelta(days=text)
    m = _DURATION.match(str(text))
    if not m:
        raise RuleError(f"{where}: expected a duration like \"2 days\" or \"36 hours\", got {text!r}")
    n, unit = int(m[1]), m[2][0]
    return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n),
            "w": timedelta(weeks=n)}[unit]


def parse_rules(data: Any, source: str) -> list[Rule]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleError(f"{source}: expected a mapping with a list under 'rules'")
    rules = []
    for i, raw in enumerate(data["rules"], start=1):
        if not isinstance(raw, dict):
            raise RuleError(f"{source}: rule #{i}: expected a mapping")
        name = raw.get("name")
        where = f"{source}: rule {name or '#' + str(i)}"
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise RuleError(f"{where}: key 'name': expected a lower-case identifier")
        unknown = set(raw) - {"name", "scope", "trigger", "when", "action", "max_late", "quiet_hours",
                              "params", "description"}
        if unknown:
            raise RuleError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        scope = raw.get("scope")
        if scope not in SCOPES:
            raise RuleError(f"{where}: key 'scope': expected one of {', '.join(SCOPES)}, got {scope!r}")
        when = raw.get("when") or []
        if isinstance(when, str):
            when = [when]
        rules.append(Rule(
            name=name, scope=scope, trigger=_trigger(raw.get("trigger"), scope, f"{where}: key 'trigger'"),
            action=str(raw.get("action") or ""), when=tuple(when),
            max_late=parse_duration(raw.get("max_late", "2 days"), f"{where}: key 'max_late'"),
            quiet_hours=bool(raw.get("quiet_hours", True)), source=source,
            params=dict(raw.get("params") or {})))
    return rules


def _trigger(raw: Any, scope: str, where: str) -> Trigger:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a mapping")
    unknown = set(raw) - {"field", "offset", "unit", "at", "weekly", "repeat"}
    if unknown:
        raise RuleError(f"{where}.{sorted(unknown)[0]}: unknown key")
    at = raw.get("at")
    if at is not None and at not in ("work_start", "work_end") and not re.fullmatch(r"\d{1,2}:\d{2}", str(at)):
        raise RuleError(f"{where}.at: expected \"HH:MM\", work_start or work_end, got {at!r}")
    repeat = parse_duration(raw["repeat"], f"{where}.repeat") if raw.get("repeat") else None
    if "weekly" in raw:
        day = str(raw["weekly"]).lower()[:3]
        if day not in WEEKDAYS:
            raise RuleError(f"{where}.weekly: expected a weekday (mon … sun), got {raw['weekly']!r}")
        if "field" in raw:
            raise RuleError(f"{where}: give either 'field' or 'weekly', not both")
        return Trigger(weekly=WEEKDAYS[day], at=str(at or "work_start"), repeat=repeat)
    fld = raw.get("field")
    if fld not in FIELDS[scope]:
        allowed = ", ".join(FIELDS[scope]) or "none (use weekly)"
        raise RuleError(f"{where}.field: {fld!r} is not a field of scope {scope} ({allowed})")
    unit = raw.get("unit", "days")
    if unit not in UNITS:
        raise RuleError(f"{where}.unit: expected one of {', '.join(UNITS)}, got {unit!r}")
    offset = raw.get("offset", 0)
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise RuleError(f"{where}.offset: expected a whole number, got {offset!r}")
    return Trigger(field=fld, offset=offset, unit=unit, at=str(at) if at else None, repeat=repeat)


def load_rules(folder: str | Path) -> list[Rule]:
    rules: list[Rule] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        if path.name == "holidays.yaml":
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise RuleError(f"{path}: not valid YAML: {e}") from None
        rules += parse_rules(data, str(path))
    seen: dict[str, str] = {}
    for r in rules:
        if r.name in seen:
            raise RuleError(f"{r.source}: rule {r.name}: key 'name': already defined in {seen[r.name]}")
        seen[r.name] = r.source
    return rules


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

    def at(self, d: date, spec: str | None, default: time) -> datetime:
        if spec == "work_start":
            t = self.work_start
        elif spec == "work_end":
            t = self.work_end
        elif spec:
            h, m = spec.split(":")
            t = time(int(h), int(m))
        else:
            t = default
        return datetime.combine(d, t, tzinfo=self.tz)

    def in_window(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return (self.calendar.is_workday(local.date())
                and self.work_start <= local.time() < self.work_end)

    def next_window(self, moment: datetime) -> datetime:
        """`moment` itself when inside working hours of a working day, else the next window's start."""
        local = moment.astimezone(self.tz)
        if self.in_window(local):
            return local
        d = local.date()
        if self.calendar.is_workday(d) and local.time() < self.work_start:
            return datetime.combine(d, self.work_start, tzinfo=self.tz)
        for _ in range(400):
            d += timedelta(days=1)
            if self.calendar.is_workday(d):
                return datetime.combine(d, self.work_start, tzinfo=self.tz)
        return local


def base_value(obj: Any, fld: str) -> datetime | date | None:
    attr = fld.split(".", 1)[1]
    attr = {"created": "created_at"}.get(attr, attr)
    return getattr(obj, attr, None)


def moment_of(rule: Rule, obj: Any, cw: Clockwork) -> datetime | None:
    """When `rule` fires for `obj` (before quiet-hours adjustment), or None (no base value)."""
    t = rule.trigger
    base = base_value(obj, t.field)
    if base is None:
        return None
    if t.unit in ("hours", "minutes"):
        if not isinstance(base, datetime):
            base = cw.at(base, t.at, cw.work_start)
        return base + timedelta(**{t.unit: t.offset})
    d = base.astimezone(cw.tz).date() if isinstance(base, datetime) else base
    if t.unit == "working_days":
        d = cw.calendar.add_workdays(d, t.offset) if t.offset else d
    else:
        d = d + timedelta(days=t.offset)
    default = base.astimezone(cw.tz).timetz().replace(tzinfo=None) if isinstance(base, datetime) else cw.work_start
    return cw.at(d, t.at, default)


def latest_weekly(rule: Rule, now: datetime, cw: Clockwork) -> datetime:
    """The latest weekly occurrence at or before now."""
    local = now.astimezone(cw.tz)
    d = local.date() - timedelta(days=(local.weekday() - rule.trigger.weekly) % 7)
    m = cw.at(d, rule.trigger.at, cw.work_start)
    return m if m <= local else m - timedelta(days=7)


def obj_key(scope: str, obj: Any) -> str:
    if scope == "task":
        return f"t{obj.id}"
    if scope == "meeting":
        return f"m{obj.id}"
    return f"o:{obj.owner if hasattr(obj, 'owner') else obj}"


def due_steps(rule: Rule, objects: Iterable[Any], now: datetime, cw: Clockwork,
              fired: set[str] | Callable[[str], bool]) -> list[Step]:
    """Steps of `rule` due at `now` for `objects` that have not fired: to run, or (too late) to skip."""
    has_fired = fired.__contains__ if isinstance(fired, set) else fired
    steps = []
    for obj in objects:
        key_obj = obj_key(rule.scope, obj)
        if rule.trigger.weekly is not None:
            moment = latest_weekly(rule, now, cw)
        else:
            moment = moment_of(rule, obj, cw)
            if moment is None:
                continue
            if rule.trigger.repeat and moment <= now:
                periods = (now - moment) // rule.trigger.repeat
                moment = moment + periods * rule.trigger.repeat
        if rule.quiet_hours:
            moment = cw.next_window(moment)
        if moment > now:
            continue
        key = f"{rule.name}:{key_obj}:{moment.astimezone(cw.tz).isoformat(timespec='minutes')}"
        if has_fired(key):
            continue
        steps.append(Step(rule=rule, obj=obj, obj_key=key_obj, moment=moment, key=key,
                          skipped=now - moment > rule.max_late))
    return steps


def lookback(rule: Rule) -> timedelta:
    """How far around `now` the base field of a candidate may lie, for the store's window query."""
    t = rule.trigger
    if t.unit in ("hours", "minutes"):
        span = timedelta(**{t.unit: abs(t.offset)})
    elif t.unit == "working_days":
        span = timedelta(days=abs(t.offset) * 2 + 12)    # weekends and the longest holidays
    else:
        span = timedelta(days=abs(t.offset))
    return span + rule.max_late + timedelta(days=4)      # quiet-hours shifts over a long weekend
