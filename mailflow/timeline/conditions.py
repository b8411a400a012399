"""Rule conditions every flow can use (marked here, collected into the App's registry by rules.collect)."""

from __future__ import annotations

from .rules import condition


@condition("task_open")
def task_open(ctx, task) -> bool:
    """The task is not done or verified."""
    return not task.status.closed


@condition("task_at_risk")
def task_at_risk(ctx, task) -> bool:
    """The owner flagged a risk, or the task has not started though it is due soon."""
    return not task.status.closed and (task.risk or task.status.value == "not_started")


@condition("meeting_scheduled")
def meeting_scheduled(ctx, meeting) -> bool:
    return meeting.status == "scheduled"


@condition("has_open_tasks")
def has_open_tasks(ctx, obj) -> bool:
    tasks = getattr(obj, "tasks", None)
    if tasks is None:   # a meeting: its open tasks, loaded with the step
        tasks = ctx.lookup.tasks(meeting_id=obj.id, open_only=True)
    return any(not t.status.closed for t in tasks)
