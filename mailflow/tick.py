"""The clock as an event: each tick runs the timeline rules' steps that came due since the last.

An edge module (it reads the store), beside ingest.py, outbox.py and daemon.py. Per rule and tick:
plan (timeline/plan.py, pure: which rows may hold a due step) -> one read here (`answer`) ->
due_steps (pure: which steps are due) -> per step, a Snapshot loaded with what the rule's
conditions and action read (`edges/snapshot.for_step`) -> the conditions and the action decide over it (pure)
-> one transaction records the step and commits its Outcome. No rule code queries the store.

What it promises:
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
from datetime import datetime
from typing import Any

from .app import App
from .edges import snapshot
from .edges.store import StoreError
from .model import Snapshot
from .outbox import Outbox, unwritable
from .timeline import due, plan
from .timeline.due import HostReplies, PersonDay, Step
from .timeline.rules import Rule

log = logging.getLogger("mailflow")


class Ticker:
    def __init__(self, app: App, outbox: Outbox):
        self.app = app
        self.store = app.store
        self.outbox = outbox

    # --- reading: the plan's query, then what each step decides over ------------------------------
    def answer(self, q: plan.Query, rule: Rule, since: datetime, now: datetime) -> list[Any]:
        """The objects `q` asks for: one read of the store (two for the repeating meeting rule)."""
        s = self.store
        if q.empty or (q.unless_fired and s.has_fired(q.unless_fired)):
            return []
        if q.read == "open_task_owners":
            return s.open_task_owners()
        if q.read == "task_events_by_actor":
            return [PersonDay(person, events, q.lo) for person, events in s.task_events_by_actor(q.lo, q.hi).items()]
        if q.read == "unknown_replies_by_host":
            return [HostReplies(host, rows, q.lo) for host, rows in s.unknown_replies_by_host(q.lo, q.hi).items()]
        if q.read == "repeating_meetings":
            weekdays = set(q.weekdays) if q.weekdays is not None else None
            ids = plan.due_ids(rule, s.meeting_times(q.column, q.hi, weekdays), since, now, self.app.clockwork)
            open_ids = s.meetings_having_open_tasks(ids)
            return s.meetings_by_ids([m for m in ids if m in open_ids])
        if q.read == "open_tasks":
            return s.tasks(open_only=True)
        if q.read == "open_tasks_due_between":
            return s.open_tasks_due_between(q.lo, q.hi)
        if q.read == "tasks_created_between":
            return s.tasks_between_times(q.column, q.lo, q.hi)
        if q.read == "meetings_in_window":
            return s.meetings_in_window(q.column, q.lo, q.hi)
        raise ValueError(f"unknown read {q.read!r} (plan.READS)")

    def load_step(self, step: Step) -> Snapshot:
        """What the step's conditions and action read, loaded before they run (snapshot.for_step)."""
        return snapshot.for_step(self.store, step)

    def tick_once(self, now: datetime | None = None) -> int:
        """Run every rule step that is due; returns how many steps acted.

        Each rule looks at (since, now]: since is its previous tick (due.window_start), so after
        downtime every missed step is found once and the stale ones are recorded as skipped."""
        now = now or self.app.now()
        cw = self.app.clockwork
        quiet = self.app.settings.schedule.quiet_hours
        marks = self.store.get_meta("rule_ticks", {}) or {}
        acted = 0
        for rule in self.app.rules:
            if not quiet and rule.quiet_hours:
                rule = replace(rule, quiet_hours=False)
            if rule.quiet_hours and not cw.in_window(now):
                continue      # nothing goes out now; the first tick in the next window catches up
            prev = marks.get(rule.name)
            since = due.window_start(rule, datetime.fromisoformat(prev) if prev else None, now)
            if prev and datetime.fromisoformat(prev) < since:
                log.warning("rule %s: last ran %s; steps before %s are not looked at", rule.name, prev,
                            since.isoformat(timespec="minutes"))
            query = plan.plan(rule, since, now, cw)
            steps = due.due_steps(rule, self.answer(query, rule, since, now), now, cw, since=since)
            done = self.store.fired_among([s.key for s in steps]) if steps else set()
            for step in steps:
                if step.key in done:
                    continue
                acted += self._run_step(step, now)
            if query.moment is not None:
                with self.store.transaction():
                    self.store.mark_fired(plan.occurrence_key(rule, query.moment), rule.name, "*", query.moment,
                                          now, "done")
            marks[rule.name] = now.isoformat()
        with self.store.transaction():
            self.store.set_meta("rule_ticks", marks)
            self.store.set_meta("last_tick", now.isoformat())
        return acted

    def _run_step(self, step: Step, now: datetime) -> int:
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
                ctx = self.app.context(now, self.load_step(step))     # read first, then decide
                names = self.app.timeline
                unmet = [c for c in rule.when if not names.conditions[c](ctx, step.obj)]
                if unmet:
                    # decided at the step's moment: recorded so later ticks need not ask again
                    self.store.mark_fired(step.key, rule.name, step.obj_key, step.moment, now, "unmet")
                    log.debug("rule %s for %s: not sent (%s)", rule.name, step.obj_key, ", ".join(unmet))
                    return 0
                out = names.actions[rule.action](ctx, step)
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
