"""The clock as an event: each tick runs the timeline rules' steps that came due since the last.

An edge module (it reads the store), beside ingest.py, outbox.py and daemon.py. What it promises:

- Every step has a unique key (rule:object:moment), recorded with what became of it (sent,
  unmet, skipped, error) in the step's own transaction together with the mails it queued, so
  nothing fires twice, whatever the number of ticks or restarts.
- After downtime a step fires once, not once per missed tick; a step older than its rule's
  max_late is recorded as skipped, not sent as a flood (huey/arq's periodic-task rule).
- `now` comes from the App's clock (FakeClock in tests, `--now` in simulations).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from .app import App
from .edges.store import StoreError
from .outbox import Outbox, unwritable
from .timeline import rules

log = logging.getLogger("mailflow")


class _Base:
    """An object with just an id and one time field (for a rule's moment without loading it)."""

    def __init__(self, ident: int, fld: str, value: Any):
        self.id = ident
        setattr(self, rules.field_attr(fld), value)


class Ticker:
    def __init__(self, app: App, outbox: Outbox):
        self.app = app
        self.store = app.store
        self.outbox = outbox

    # --- rules -----------------------------------------------------------------------------
    def candidates(self, rule: rules.Rule, since: datetime, now: datetime) -> list[Any]:
        """The objects a step of `rule` can be due for in (since, now], read through indexes so a
        tick costs what is due, not what exists (rules.base_range; most ticks read nothing)."""
        t = rule.trigger
        cw = self.app.clockwork
        if t.scheduled:
            moment = rules.scheduled_moment(rule, since, now, cw)
            if moment is None or self.store.has_fired(self._occurrence_key(rule, moment)):
                return []
            if rule.scope == "owner":
                return self.store.open_task_owners()
            if rule.scope == "person":
                start = rules.previous_occurrence(rule, moment, cw)
                return [rules.PersonDay(person, events, start)
                        for person, events in self.store.task_events_by_actor(start, moment).items()]
            if rule.scope == "host":
                start = rules.previous_occurrence(rule, moment, cw)
                return [rules.HostReplies(host, rows, start)
                        for host, rows in self.store.unknown_replies_by_host(start, moment).items()]
            return []
        if t.repeat:
            if not rules.may_fall_in(rule, since, now, cw):
                return []
            if rule.scope == "meeting":
                # only meetings with open tasks repeat (the weekly follow-up table until all are closed)
                fld = rules.field_attr(t.field)
                weekdays = rules.repeat_base_weekdays(rule, since, now, cw)
                due = [mid for mid, value in self.store.meeting_times(fld, now.astimezone(cw.tz), weekdays)
                       if rules.field_moment(rule, _Base(mid, t.field, value), since, now, cw) is not None]
                open_ids = self.store.meetings_having_open_tasks(due)
                return self.store.meetings_by_ids([m for m in due if m in open_ids])
            return [x for x in self.store.tasks(open_only=True)
                    if rules.field_moment(rule, x, since, now, cw) is not None]
        rng = rules.base_range(rule, since, now, cw)
        if rng is None:
            return []
        lo, hi = rng
        if t.field == "task.due":
            return self.store.open_tasks_due_between(lo.date(), (hi - timedelta(microseconds=1)).date())
        if t.field == "task.created":
            return self.store.tasks_between_times("created_at", lo, hi + timedelta(seconds=1))
        return self.store.meetings_in_window(rules.field_attr(t.field), lo, hi + timedelta(seconds=1))

    @staticmethod
    def _occurrence_key(rule: rules.Rule, moment: datetime) -> str:
        """Recorded once every object of a weekly/daily occurrence was handled."""
        return f"{rule.name}:*:{moment.isoformat(timespec='minutes')}"

    def tick_once(self, now: datetime | None = None) -> int:
        """Run every rule step that is due; returns how many steps acted.

        Each rule looks at (since, now]: since is its previous tick (rules.window_start), so after
        downtime every missed step is found once and the stale ones are recorded as skipped."""
        now = now or self.app.now()
        cw = self.app.clockwork
        quiet = self.app.settings.schedule.quiet_hours
        marks = self.store.get_meta("rule_ticks", {}) or {}
        acted = 0
        ctx = None
        for rule in self.app.rules:
            if not quiet and rule.quiet_hours:
                rule = replace(rule, quiet_hours=False)
            if rule.quiet_hours and not cw.in_window(now):
                continue      # nothing goes out now; the first tick in the next window catches up
            prev = marks.get(rule.name)
            since = rules.window_start(rule, datetime.fromisoformat(prev) if prev else None, now)
            if prev and datetime.fromisoformat(prev) < since:
                log.warning("rule %s: last ran %s; steps before %s are not looked at", rule.name, prev,
                            since.isoformat(timespec="minutes"))
            steps = rules.due_steps(rule, self.candidates(rule, since, now), now, cw, since=since)
            done = self.store.fired_among([s.key for s in steps]) if steps else set()
            for step in steps:
                if step.key in done:
                    continue
                if ctx is None:
                    ctx = self.app.context(now)
                acted += self._run_step(step, now, ctx)
            if rule.trigger.scheduled:
                moment = rules.scheduled_moment(rule, since, now, cw)
                if moment is not None:
                    with self.store.transaction():
                        self.store.mark_fired(self._occurrence_key(rule, moment), rule.name, "*", moment, now,
                                              "done")
            marks[rule.name] = now.isoformat()
        with self.store.transaction():
            self.store.set_meta("rule_ticks", marks)
            self.store.set_meta("last_tick", now.isoformat())
        return acted

    def _run_step(self, step: rules.Step, now: datetime, ctx: Any = None) -> int:
        rule = step.rule
        if step.gaps:
            log.warning("rule %s for %s: moment %s counted Monday–Friday for %s (calendar gap: no official "
                        "working-day calendar; add the year to rules/holidays.yaml)", rule.name, step.obj_key,
                        step.moment.isoformat(timespec="minutes"), ", ".join(map(str, step.gaps)))
        try:
            with self.store.transaction():
                if step.skipped:
                    self.store.mark_fired(step.key, rule.name, step.obj_key, step.moment, now, "skipped")
                    log.warning("skipped %s for %s: due %s, more than max_late (%s) ago",
                                rule.name, step.obj_key, step.moment.isoformat(timespec="minutes"), rule.max_late)
                    return 0
                ctx = ctx or self.app.context(now)
                unmet = [c for c in rule.when if not rules.CONDITIONS[c](ctx, step.obj)]
                if unmet:
                    # decided at the step's moment: recorded so later ticks need not ask again
                    self.store.mark_fired(step.key, rule.name, step.obj_key, step.moment, now, "unmet")
                    log.debug("rule %s for %s: not sent (%s)", rule.name, step.obj_key, ", ".join(unmet))
                    return 0
                out = rules.ACTIONS[rule.action](ctx, step)
                self.store.mark_fired(step.key, rule.name, step.obj_key, step.moment, now, "sent")
                self.outbox.commit(out, now)
        except sqlite3.OperationalError as e:
            raise unwritable(e) from e
        except StoreError:
            raise
        except Exception as e:
            log.error("rule %s for %s failed: %s: %s", rule.name, step.obj_key, type(e).__name__, e,
                      exc_info=True)
            self.outbox.note_error(f"rule {rule.name} for {step.obj_key} failed: {type(e).__name__}: {e}")
            with self.store.transaction():
                self.store.mark_fired(step.key, rule.name, step.obj_key, step.moment, now, "error")
            return 0
        for line in out.log:
            log.info("rule %s for %s: %s", rule.name, step.obj_key, line)
        log.info("rule %s fired for %s (moment %s, %d mail(s))", rule.name, step.obj_key,
                 step.moment.isoformat(timespec="minutes"), len(out.mails))
        return 1
