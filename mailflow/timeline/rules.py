"""Timeline rules as data: rules/*.yaml -> strictly validated Rule objects, and the names they use.

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

Names of fields, conditions and actions are checked against the registries the App builds
(`collect` -> Names; `check`, `validate`), with errors naming the file, the rule and the key.
The actions and conditions are marked with @action/@condition where they are written (timeline/,
flows/); marking registers nothing — the App collects them by an explicit call.

When a step falls: moments.py; which steps are due: due.py; which rows to read: plan.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable

import yaml

from ..registry import Registry

SCOPES = ("task", "meeting", "owner", "host", "person")
FIELDS = {"task": ("task.due", "task.created"),
          "meeting": ("meeting.start", "meeting.end", "meeting.created"),
          "owner": (), "host": (), "person": ()}
UNITS = ("days", "working_days", "hours", "minutes")
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DURATION = re.compile(r"^\s*(\d+)\s*(minutes?|hours?|days?|weeks?|m|h|d|w)\s*$")


def _mark(kind: str, name: str):
    """A mark on the function itself (`fn.timeline`), never a module-level dict filled at import:
    `collect` builds the registries from the marked functions of the modules it is given."""
    def mark(fn):
        fn.timeline = (*getattr(fn, "timeline", ()), (kind, name))
        return fn
    return mark


def condition(name: str):
    """Marks `fn(ctx, obj) -> bool` as the rule condition `name` (a rule's `when:`)."""
    return _mark("condition", name)


def action(name: str):
    """Marks `fn(ctx, step) -> Outcome` as the rule action `name` (a rule's `action:`)."""
    return _mark("action", name)


class Names:
    """The actions and conditions rules may name: two registries that refuse a duplicate name.
    The App builds one (`collect`) and passes it to the tick and to `check`."""

    def __init__(self) -> None:
        self.actions: Registry = Registry("rule action")
        self.conditions: Registry = Registry("rule condition")

    def add(self, fn: Callable) -> None:
        for kind, name in getattr(fn, "timeline", ()):
            (self.actions if kind == "action" else self.conditions).add(name, fn)


def collect(modules: Iterable[ModuleType]) -> Names:
    """The actions and conditions marked in `modules`, each counted in the module that defines it
    (a function imported into another module is not added twice)."""
    names = Names()
    for module in modules:
        for fn in list(vars(module).values()):
            if callable(fn) and getattr(fn, "timeline", None) and getattr(fn, "__module__", None) == module.__name__:
                names.add(fn)
    return names


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
    rules, errors = validate(folder)
    if errors:
        raise RuleError(errors[0])
    return rules


def validate(folder: str | Path, names: Names | None = None) -> tuple[list[Rule], list[str]]:
    """All rules of `folder`/*.yaml and every error found (file, rule, key), without stopping at
    the first; with `names`, unknown actions and conditions too (`mailflow rules check`)."""
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
    if names is not None:
        errors += check(rules, names)
    return rules, errors


def check(rules: Iterable[Rule], names: Names) -> list[str]:
    """Names a rule uses that the code does not know, as error lines (file: rule: key: …)."""
    errors = []
    for r in rules:
        if r.action not in names.actions:
            errors.append(f"{r.source}: rule {r.name}: key 'action': unknown action {r.action!r} "
                          f"(known: {', '.join(sorted(names.actions))})")
        for c in r.when:
            if c not in names.conditions:
                errors.append(f"{r.source}: rule {r.name}: key 'when': unknown condition {c!r} "
                              f"(known: {', '.join(sorted(names.conditions))})")
    return errors


