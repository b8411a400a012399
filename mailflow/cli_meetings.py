"""`mailflow meeting …`: add a meeting from YAML, list, show, reschedule, cancel (flows/meeting*.py).

One module per command group keeps cli.py a table of contents; the decorators and help texts here
are the documented contract (tests/test_cli.py, tests/test_docs.py). Changes are committed through
cli_context.commit_change: one transaction, the mails queued for `mailflow run`; each flow decides
over the Snapshot its loader in edges/snapshot.py reads first (for_new_meeting, for_meeting).
"""

from __future__ import annotations

from pathlib import Path

import click

from . import cli_views as views
from .cli_context import Ctx, commit_change, echo_lines, emit_json, fail


@click.group()
def meeting() -> None:
    """Meetings: add one from a YAML file, list, show, reschedule, cancel.

    Notices, updates and cancellations are queued in the same transaction and sent by `mailflow run`.
    """


def _meeting_change(obj: Ctx, now_text: str | None, change, load) -> None:
    """`change(ctx) -> Outcome` over the Snapshot `load(store)` reads, committed; exit 1 on MeetingError."""
    from .flows.meetings import MeetingError
    commit_change(obj, now_text, change, MeetingError, 1, load=load)


def _get_meeting(ctx, ident: int):
    from .flows.meetings import MeetingError
    m = ctx.lookup.get_meeting(ident)
    if m is None:
        raise MeetingError(f"no meeting {ident}")
    return m


@meeting.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time (simulation and tests).")
@click.pass_obj
def meeting_add(obj: Ctx, file: str, now_text: str | None) -> None:
    """Create a meeting from FILE.yaml and queue a notice with a calendar invite to each attendee.

    Errors name the key (exit 2), and so does a meeting that has already ended; a meeting less than
    2 working days away is added with a warning (the host is told too). See README, "Meetings".
    """
    import yaml

    from .edges import snapshot
    from .flows import meetings
    settings = obj.settings()
    try:
        data = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        fail(f"{file}: not valid YAML: {e}", 2)
    app = obj.app_at(now_text)
    try:
        m = meetings.from_data(data, app.directory, settings.org.timezone, source=file)
    except meetings.MeetingError as e:
        fail(str(e), 2)
    _check_meeting_time(app, m, file)
    _meeting_change(obj, now_text, lambda ctx: meetings.add(ctx, m), snapshot.for_new_meeting)


def _check_meeting_time(app, m, file: str) -> None:
    """A meeting that has ended is refused (exit 2): its notices would invite people to the past.
    One that started, or starts within the short-notice window, is added with a warning."""
    from .flows.meeting_reminders import meeting_short_notice
    from .model import Snapshot
    now = app.now()
    shown = f"{m.start.astimezone(app.settings.tz):%Y-%m-%d %H:%M}–{m.end.astimezone(app.settings.tz):%H:%M}"
    if m.end <= now:
        fail(f"{file}: key 'start': the meeting ({shown}) has already ended; "
             f"it is {now:%Y-%m-%d %H:%M} now. Give a future start and end.", 2)
    if m.start <= now:
        click.echo(f"mailflow: warning: {file}: key 'start': the meeting ({shown}) has already started", err=True)
    elif meeting_short_notice(app.context(now, Snapshot()), m):     # reads only the calendar
        click.echo(f"mailflow: warning: {file}: key 'start': the meeting ({shown}) is less than 2 working days "
                   "away; attendees may not be able to prepare (the host is told as well)", err=True)


@meeting.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of meetings.")
@click.option("--status", "state", type=click.Choice(["scheduled", "cancelled"]), help="Only these.")
@click.pass_obj
def meeting_list(obj: Ctx, as_json: bool, state: str | None) -> None:
    """Meetings by start time, with how many attendees answered what."""
    rows = [views.meeting_summary_json(m) for m in obj.app().store.meetings(state)]
    emit_json(rows) if as_json else echo_lines(views.meeting_summary_line(r) for r in rows)


@meeting.command("show")
@click.argument("ident", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def meeting_show(obj: Ctx, ident: int, as_json: bool) -> None:
    """A meeting with its agenda and every attendee's role, answer (rsvp), stand-in and when/how."""
    m = obj.app().store.get_meeting(ident)
    if m is None:
        fail(f"no meeting {ident}")
    data = views.meeting_json(m)
    emit_json(data) if as_json else echo_lines(views.meeting_lines(data))


@meeting.command("reschedule")
@click.argument("ident", type=int)
@click.option("--start", required=True, metavar="TIME", help="New start, e.g. 2026-11-26 14:00.")
@click.option("--end", required=True, metavar="TIME", help="New end, e.g. 2026-11-26 16:00.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time (simulation and tests).")
@click.pass_obj
def meeting_reschedule(obj: Ctx, ident: int, start: str, end: str, now_text: str | None) -> None:
    """Move a meeting: a new REQUEST (same UID, SEQUENCE+1) to everyone; answers are asked again."""
    from .edges import snapshot
    from .flows import meetings

    def change(ctx):
        m = _get_meeting(ctx, ident)
        return meetings.reschedule(ctx, m, meetings.parse_moment(start, m.tz, "--start"),
                                   meetings.parse_moment(end, m.tz, "--end"))
    _meeting_change(obj, now_text, change, lambda store: snapshot.for_meeting(store, ident))


@meeting.command("cancel")
@click.argument("ident", type=int)
@click.option("--reason", required=True, help="Why; it goes into every cancellation.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time (simulation and tests).")
@click.pass_obj
def meeting_cancel(obj: Ctx, ident: int, reason: str, now_text: str | None) -> None:
    """Cancel a meeting: METHOD:CANCEL (same UID, SEQUENCE+1) to everyone invited."""
    from .edges import snapshot
    from .flows import meetings
    _meeting_change(obj, now_text, lambda ctx: meetings.cancel(ctx, _get_meeting(ctx, ident), reason),
                    lambda store: snapshot.for_meeting(store, ident))
