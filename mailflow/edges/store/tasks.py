"""Tasks and their event log (task_events): saving a Task, reading tasks for the flows, the views
and the rule tick, and the history of each task.

save_task, get_task, add_task_event, task_events and tasks (a sender's open tasks) run for nearly
every ingested reply: they stay plain SQL (measured by bench/store_ops.py); the rest reads through sqlite-utils.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from ...model import OwnerTasks, Task, TaskEvent, TaskStatus
from .base import Repository, chunks, date_text, date_value, dt_text, dt_value, json_text, marks

OPEN_SQL = "status IN ('not_started', 'in_progress', 'delayed')"


def task_from_row(r: dict | None) -> Task | None:
    if r is None:
        return None
    return Task(id=r["id"], title=r["title"], owner=r["owner"], due=date_value(r["due"]),
                meeting_id=r["meeting_id"], item_no=r["item_no"],
                collaborators=json.loads(r["collaborators"] or "[]"), deliverable=r["deliverable"] or "",
                description=r["description"] or "", status=TaskStatus(r["status"]), percent=r["percent"],
                risk=bool(r["risk"]), risk_note=r["risk_note"] or "", delay_reason=r["delay_reason"] or "",
                confirmed_at=dt_value(r["confirmed_at"]), created_at=dt_value(r["created_at"]),
                updated_at=dt_value(r["updated_at"]), done_at=dt_value(r["done_at"]),
                verified_at=dt_value(r["verified_at"]))


def event_from_row(r: dict) -> TaskEvent:
    return TaskEvent(task_id=r["task_id"], at=dt_value(r["at"]), actor=r["actor"], kind=r["kind"],
                     text=r["text"] or "", old_status=r["old_status"], new_status=r["new_status"],
                     percent=r["percent"], due=date_value(r["due"]), message_id=r["message_id"],
                     flags=json.loads(r["flags"] or "[]"))


class TasksRepository(Repository):

    def save_task(self, t: Task, now: datetime) -> Task:
        with self.transaction():
            if t.id is None:
                t.id = self.next_id("tasks")
            if t.created_at is None:
                t.created_at = now
            t.updated_at = now
            # Ingest hot path: plain SQL (bench/store_ops.py: upsert() costs many times this).
            # created_at is written once, when the task is first stored.
            self.conn.execute(
                "INSERT INTO tasks (id, meeting_id, item_no, title, description, owner, collaborators, due, "
                "deliverable, status, percent, risk, risk_note, delay_reason, confirmed_at, created_at, "
                "updated_at, done_at, verified_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET "
                "meeting_id=excluded.meeting_id, item_no=excluded.item_no, title=excluded.title, "
                "description=excluded.description, owner=excluded.owner, collaborators=excluded.collaborators, "
                "due=excluded.due, deliverable=excluded.deliverable, status=excluded.status, "
                "percent=excluded.percent, risk=excluded.risk, risk_note=excluded.risk_note, "
                "delay_reason=excluded.delay_reason, confirmed_at=excluded.confirmed_at, "
                "updated_at=excluded.updated_at, done_at=excluded.done_at, verified_at=excluded.verified_at",
                (t.id, t.meeting_id, t.item_no, t.title, t.description, t.owner, json_text(t.collaborators),
                 date_text(t.due), t.deliverable, t.status.value, t.percent, int(t.risk), t.risk_note,
                 t.delay_reason, dt_text(t.confirmed_at), dt_text(t.created_at), dt_text(t.updated_at),
                 dt_text(t.done_at), dt_text(t.verified_at)))
        return t

    def get_task(self, task_id: int) -> Task | None:
        # Ingest hot path: plain SQL (bench/store_ops.py: get() costs several times this)
        return task_from_row(self._one("SELECT * FROM tasks WHERE id = ?", (task_id,)))

    def tasks(self, meeting_id: int | None = None, owner: str | None = None,
              open_only: bool = False) -> list[Task]:
        where, params = ["1=1"], []
        if meeting_id is not None:
            where.append("meeting_id = ?")
            params.append(meeting_id)
        if owner:
            where.append("owner = ?")
            params.append(owner.lower())
        if open_only:
            where.append("status NOT IN ('done', 'verified')")
        # Ingest hot path (the sender's open tasks, edges/snapshot.open_tasks_of): plain SQL, as
        # rows_where asks sqlite_master whether the table exists at every call
        rows = self._all(f"SELECT * FROM tasks WHERE {' AND '.join(where)} ORDER BY id", params)
        return [task_from_row(r) for r in rows]

    def open_tasks_due_between(self, lo: date, hi: date) -> list[Task]:
        """Open tasks with lo <= due <= hi: uses the (status, due) index, so a tick costs what is due."""
        rows = self.table("tasks").rows_where(f"{OPEN_SQL} AND due >= ? AND due <= ?",
                                              [date_text(lo), date_text(hi)], order_by="due, id")
        return [task_from_row(r) for r in rows]

    def open_task_owners(self) -> list[OwnerTasks]:
        """Everyone with open tasks, with those tasks (weekly per-person mails)."""
        groups: dict[str, OwnerTasks] = {}
        for r in self.table("tasks").rows_where(OPEN_SQL, order_by="owner, due, id"):
            t = task_from_row(r)
            groups.setdefault(t.owner, OwnerTasks(t.owner)).tasks.append(t)
        return list(groups.values())

    def tasks_between_times(self, field: str, lo: datetime, hi: datetime) -> list[Task]:
        assert field == "created_at"
        rows = self.table("tasks").rows_where(
            "julianday(created_at) >= julianday(?) AND julianday(created_at) < julianday(?)",
            [dt_text(lo), dt_text(hi)], order_by="id")
        return [task_from_row(r) for r in rows]

    def meetings_having_open_tasks(self, ids: list[int]) -> set[int]:
        """Which of these meetings have an open task (index tasks(meeting_id, status))."""
        found: set[int] = set()
        for chunk in chunks(ids):
            found |= {r["meeting_id"] for r in self.table("tasks").rows_where(
                f"meeting_id IN ({marks(chunk)}) AND {OPEN_SQL}", chunk, select="DISTINCT meeting_id")}
        return found

    # --- the event log ------------------------------------------------------------------------------
    def add_task_event(self, e: TaskEvent) -> None:
        # Ingest hot path: plain SQL (bench/store_ops.py: insert() costs several times this)
        self.conn.execute(
            "INSERT INTO task_events (task_id, at, actor, kind, text, old_status, new_status, percent, due, "
            "message_id, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (e.task_id, dt_text(e.at), e.actor, e.kind, e.text, e.old_status, e.new_status, e.percent,
             date_text(e.due), e.message_id, json_text(e.flags)))

    def task_events(self, task_id: int) -> list[TaskEvent]:
        # Ingest hot path (a reply's receipt shows the history): plain SQL
        return [event_from_row(r)
                for r in self._all("SELECT * FROM task_events WHERE task_id = ? ORDER BY id", (task_id,))]

    def task_events_by_actor(self, since: datetime, until: datetime) -> dict[str, list[TaskEvent]]:
        """The task updates recorded from people's mail in (since, until], by the person (the
        daily receipt digest, [schedule] receipts = "daily")."""
        out: dict[str, list[TaskEvent]] = {}
        for r in self.table("task_events").rows_where(
                "actor LIKE '%@%' AND julianday(at) > julianday(?) AND julianday(at) <= julianday(?)",
                [dt_text(since), dt_text(until)], order_by="id"):
            out.setdefault(r["actor"], []).append(event_from_row(r))
        return out

    def latest_task_events(self, task_ids: list[int]) -> dict[int, TaskEvent]:
        """Each task's latest event that has a text (the follow-up table's 最近更新), in one query."""
        out: dict[int, TaskEvent] = {}
        for chunk in chunks(task_ids):
            for r in self.table("task_events").rows_where(
                    f"id IN (SELECT MAX(id) FROM task_events WHERE task_id IN ({marks(chunk)}) "
                    "AND text IS NOT NULL AND text != '' GROUP BY task_id)", chunk):
                out[r["task_id"]] = event_from_row(r)
        return out
