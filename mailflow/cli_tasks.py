"""`mailflow tasks …`: the task ledger (任务台账), one task's log, reassign and set-due (flows/task_changes.py).

One module per command group keeps cli.py a table of contents. A change is committed through
cli_context.commit_change (one transaction, the mails queued for `mailflow run`) after the flow
decided over the task's Snapshot (edges/snapshot.for_task: the task, its meeting, its log); bad
input exits 2.
"""

from __future__ import annotations

import click

from . import cli_views as views
from .cli_context import Ctx, commit_change, echo_lines, emit_json, fail


@click.group(invoke_without_command=True)
@click.option("--meeting", "meeting_id", type=int, help="Only the tasks of this meeting.")
@click.option("--owner", metavar="EMAIL", help="Only the tasks of this owner.")
@click.option("--open", "open_only", is_flag=True, help="Only open tasks (not done or verified).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per task.")
@click.pass_context
def tasks(ctx: click.Context, meeting_id: int | None, owner: str | None, open_only: bool, as_json: bool) -> None:
    """The task ledger (任务台账): id, meeting, due, status, percent, risk, title and owner.

    --json gives one object per task with id, meeting, title, owner, due, status (not_started,
    in_progress, done, verified, delayed), percent, risk and the last 进度更新."""
    if ctx.invoked_subcommand:
        return
    app = ctx.obj.app()
    for t in app.store.tasks(meeting_id=meeting_id, owner=owner, open_only=open_only):
        emit_json(views.task_json(app, t)) if as_json else click.echo(views.task_line(app, t))


@tasks.command("show")
@click.argument("ident", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the task and its events.")
@click.pass_obj
def tasks_show(obj: Ctx, ident: int, as_json: bool) -> None:
    """One task with its 进度更新 log: when, who, what changed and the sentence that caused it."""
    app = obj.app()
    t = app.store.get_task(ident)
    if t is None:
        fail(f"no task {ident}")
    events = app.store.task_events(ident)
    if as_json:
        emit_json({**views.task_json(app, t), "events": views.task_events_json(events)})
    else:
        echo_lines(views.task_lines(app, t, events))


def _task_change(obj: Ctx, ident: int, now_text: str | None, change) -> None:
    """Run `change(ctx, task, meeting) -> Outcome` for task `ident` and commit it (the mails are
    queued for `mailflow run`); bad input (unknown task or person, a closed task) exits 2."""
    from .edges import snapshot
    from .flows.task_changes import TaskError

    def on_task(ctx):
        t = ctx.lookup.get_task(ident)
        if t is None:
            raise TaskError(f"no task {ident}")
        return change(ctx, t, ctx.lookup.get_meeting(t.meeting_id) if t.meeting_id is not None else None)
    commit_change(obj, now_text, on_task, TaskError, 2, load=lambda store: snapshot.for_task(store, ident))


def _due_option(value: str | None, flag: str):
    from datetime import date as _date
    from .flows.task_changes import TaskError
    if value is None:
        return None
    try:
        return _date.fromisoformat(value.strip())
    except ValueError:
        raise TaskError(f"{flag}: expected a date like 2026-12-09, got {value!r}") from None


@tasks.command("reassign")
@click.argument("ident", type=int)
@click.option("--to", "person", required=True, metavar="PERSON",
              help="The new owner: an address or a name in people.yaml (王芳, Tom, 技术部-王).")
@click.option("--due", metavar="DATE", help="A new due date too, e.g. 2026-12-09.")
@click.option("--reason", default="", help="Why; it goes into the log and the mails.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time (simulation and tests).")
@click.pass_obj
def tasks_reassign(obj: Ctx, ident: int, person: str, due: str | None, reason: str, now_text: str | None) -> None:
    """Hand a task to someone else: the new owner gets the assignment mail with the due entry,
    the old owner is released, the host is told; the log records who to whom and why."""
    from .flows import task_changes as flow

    def change(ctx, t, m):
        who = ctx.directory.resolve_spoken(person)
        if who is None:
            found = ctx.directory.find(person)
            raise flow.TaskError(f"--to {person!r}: " + (
                "names several people: " + ", ".join(f"{p.name} <{p.email}>" for p in found) if found
                else "nobody in people.yaml by that name or address"))
        return flow.reassign(ctx, t, m, who.email, actor="cli", due=_due_option(due, "--due"), reason=reason)
    _task_change(obj, ident, now_text, change)


@tasks.command("set-due")
@click.argument("ident", type=int)
@click.argument("due", metavar="DATE")
@click.option("--reason", required=True, help="Why the date changes; it goes into the log and the owner's mail.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time (simulation and tests).")
@click.pass_obj
def tasks_set_due(obj: Ctx, ident: int, due: str, reason: str, now_text: str | None) -> None:
    """Give a task a new due date: 延期 with the reason; the owner is told and their due entry moves."""
    from .flows import task_changes as flow
    _task_change(obj, ident, now_text,
                 lambda ctx, t, m: flow.set_due(ctx, t, m, _due_option(due, "DATE"), actor="cli", reason=reason))
