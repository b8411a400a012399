"""The `mailflow` command (click): builds the App, calls the API and prints a view of cli_views.py.

Every command is a few lines: parse the options, call the App, the store, a flow or diagnose.py,
then print what cli_views.py makes of the result. Commands, options, help texts, exit codes and
JSON keys are contracts (tests/test_cli.py and tests/test_docs.py pin them). The module is longer
than ~500 lines because those decorators and help texts, the documented contract, are most of it.
Exit status: 0 success, 1 the command failed (e.g. an unknown id), 2 a configuration or usage error.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import click

from . import __version__
from . import cli_views as views
from .config import ConfigError, load_settings
from .logs import setup_logging

log = logging.getLogger("mailflow")


def parse_now(value: str | None, tz: str | None) -> datetime | None:
    """--now as a datetime; a time without an offset is in zone `tz` ([org] timezone), or naive if None."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date-time such as 2026-11-20T09:00") from None
    return dt if dt.tzinfo or tz is None else dt.replace(tzinfo=ZoneInfo(tz))


class Ctx:
    def __init__(self, config: str | None):
        self.config = config
        self._app = None

    def settings(self):
        try:
            return load_settings(self.config)
        except ConfigError as e:
            fail_config(e)

    def app(self, now: datetime | None = None):
        if self._app is None:
            from .app import App, OffsetClock
            from .timeline.rules import RuleError
            from .edges.store import StoreError, damaged, is_damage
            settings = self.settings()
            try:
                self._app = App(settings, clock=OffsetClock(now) if now else None)
            except (ConfigError, RuleError) as e:
                fail_config(e)
            except StoreError as e:          # a damaged database: say so, no traceback
                fail(str(e))
            except Exception as e:
                if not is_damage(e):
                    raise
                fail(str(damaged(str(settings.path(settings.store.path)), e)))
            click.get_current_context().call_on_close(self._app.close)   # however the command ends
        return self._app

    def app_at(self, now_text: str | None):
        """The App with its clock at --now (read in [org] timezone), or at the real time."""
        return self.app(parse_now(now_text, self.settings().org.timezone))

    def calendar(self, settings):
        """The working-day calendar as the daemon builds it, without opening the store."""
        from .app import work_calendar
        try:
            return work_calendar(settings)
        except Exception as e:   # a broken holidays.yaml is a configuration error
            fail_config(e)


def fail(message: str, code: int = 1) -> NoReturn:
    """The command failed: say why on stderr, prefixed like every mailflow message, and exit."""
    click.echo(f"mailflow: {message}", err=True)
    sys.exit(code)


def fail_config(e: Exception) -> None:
    click.echo(f"mailflow: configuration error: {e}", err=True)
    sys.exit(2)


def emit_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str))


def echo_lines(lines) -> None:
    for line in lines:
        click.echo(line)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", envvar="MAILFLOW_CONFIG", metavar="FILE",
              help="mailflow.toml to use (default: $MAILFLOW_CONFIG, then ./mailflow.toml, then embedded defaults).")
@click.option("--log-json", is_flag=True, help="Log one JSON object per line on stderr.")
@click.option("-v", "--verbose", count=True, help="More log detail (-vv: debug).")
@click.version_option(__version__, prog_name="mailflow")
@click.pass_context
def main(ctx: click.Context, config: str | None, log_json: bool, verbose: int) -> None:
    """mailflow runs the follow-up of cross-department meetings over plain email.

    It watches one shared mailbox, sends meeting notices with calendar invites, asks for minutes,
    turns action items into tasks, reads replies such as 确认 / 已完成 / 进行中 60% / 延期到11月30日,
    reminds, escalates and mails the weekly follow-up table.

    Start with `mailflow init DIR`, then `mailflow run` in that folder.
    """
    setup_logging(log_json, verbose)
    ctx.obj = Ctx(config)


# --- init (quickstart.py) ------------------------------------------------------------------
@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--now", "now_text", metavar="ISO", help="Date the sample meeting from this moment (tests).")
def init(directory: str, now_text: str | None) -> None:
    """Write a commented mailflow.toml, a sample people.yaml and meeting.yaml into DIRECTORY.

    Existing files are never overwritten. The config uses the embedded defaults: a Maildir inbox
    in ./mail/inbox and every sent mail as an .eml in ./mail/sent, so no mail server is needed.
    The sample meeting is two working days from today, 10:00-12:00.
    """
    from .quickstart import write_samples
    for written, dest in write_samples(Path(directory), parse_now(now_text, None)):
        click.echo(f"wrote    {dest}" if written else f"kept     {dest} (exists; not overwritten)")
    click.echo(f"\nNext: cd {directory} && mailflow meeting add meeting.yaml && mailflow run --once")


# --- run (daemon.py) -------------------------------------------------------------------------
@main.command()
@click.option("--once", is_flag=True,
              help="Drain the inbox, run the rule tick, send everything due (in batches), then exit 0.")
@click.option("--now", "now_text", metavar="ISO",
              help="Run against a pretend clock starting at this time (simulation and tests), e.g. 2026-11-20T09:00.")
@click.pass_obj
def run(obj: Ctx, once: bool, now_text: str | None) -> None:
    """Run the daemon: inbound mail (IMAP IDLE or polling), the rule tick every minute, the outbox.

    One daemon per store: a second `run` (or `run --once`) on the same database exits 2, naming the
    pid and the lock file. SIGTERM/SIGINT finish the current transaction and exit 0 within 5 s;
    SIGHUP reloads rules, templates and people. One log line per event on stderr.
    """
    import asyncio  # here, not at the top: it is a third of the import time of `mailflow --help`
    import faulthandler

    from .edges.runlock import AlreadyRunning, RunLock
    from .daemon import Daemon, close_mailer, exit_on_signal
    from .outbox import StoreUnavailable
    from .edges.store import StoreError

    # Until the loop takes over (and after it closes, when asyncio restores the default handler),
    # SIGTERM/SIGINT end the process with status 0 through SystemExit: an open transaction rolls
    # back and nothing is marked processed, so stopping at any moment loses nothing.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, exit_on_signal)
    settings = obj.settings()
    try:
        lock = RunLock(settings.path(settings.store.path)).acquire()
    except AlreadyRunning as e:
        fail(str(e), 2)
    try:
        app = obj.app(parse_now(now_text, settings.org.timezone))
        try:
            app.store.quick_check()
        except StoreError as e:
            fail(str(e))
        daemon = Daemon(app)
        log.info("mailflow %s: inbox %s, outbox %s, store %s", __version__, views.safe_url(settings.mailbox.url),
                 views.safe_url(settings.smtp.url), settings.path(settings.store.path))
        try:
            if once:
                counts = asyncio.run(daemon.run_once())
                log.info("once: %d mail(s) taken in, %d rule step(s), %d mail(s) sent",
                         counts["ingested"], counts["fired"], counts["sent"])
            else:
                asyncio.run(daemon.run_forever())
        except StoreUnavailable as e:
            log.error("%s", e)
            sys.exit(1)
        except StoreError as e:
            daemon.fatal = daemon.fatal or e
        except ConfigError as e:
            fail_config(e)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_IGN)          # already stopping: finish closing quietly
            asyncio.run(close_mailer(app))
            app.close()
        if daemon.fatal is not None:
            fail(str(daemon.fatal))
    finally:
        lock.release()
        faulthandler.cancel_dump_traceback_later()       # armed by a stop signal (Daemon.run_forever)


# --- inject / replay ----------------------------------------------------------------------
@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def inject(obj: Ctx, files: tuple[str, ...]) -> None:
    """Deliver .eml FILES into the configured inbox (handy with the Maildir default)."""
    app = obj.app()
    for f in files:
        key = app.inbox.deliver(Path(f).read_bytes())
        click.echo(f"delivered {f} ({key})")


@main.command()
@click.argument("ident")
@click.pass_obj
def replay(obj: Ctx, ident: str) -> None:
    """Process a stored inbound message again (by id or Message-ID), e.g. after a fix."""
    from .ingest import Ingest
    from .outbox import Outbox
    app = obj.app()
    try:
        status = Ingest(app, Outbox(app)).replay(int(ident) if ident.isdigit() else ident)
    except KeyError as e:
        fail(e.args[0])
    click.echo(f"replayed {ident}: {status}")


# --- status / outbox --------------------------------------------------------------------------
@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def status(obj: Ctx, as_json: bool) -> None:
    """Whether a daemon runs on this store (its pid), then last poll, last tick, last error and the
    inbound and outbox counts.

    Also names the inbox, the outbox and the store file in use (passwords never shown)."""
    from .edges.runlock import RunLock
    app = obj.app()
    data = views.status_json(app, RunLock(app.settings.path(app.settings.store.path)).holder())
    emit_json(data) if as_json else click.echo(views.status_text(data))


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per mail.")
@click.option("--status", "state", type=click.Choice(["queued", "retry", "sent", "dead", "held"]),
              help="Only mails in this state.")
@click.pass_context
def outbox(ctx: click.Context, as_json: bool, state: str | None) -> None:
    """List the outbox (newest first): queued, retry, sent, dead (5xx) and held (hourly cap)."""
    if ctx.invoked_subcommand:
        return
    for r in ctx.obj.app().store.outbox_rows(state):
        emit_json(r) if as_json else click.echo(views.outbox_line(r))


@outbox.command("retry")
@click.argument("ident", type=int)
@click.pass_obj
def outbox_retry(obj: Ctx, ident: int) -> None:
    """Queue a dead, retrying or held mail again (same Message-ID)."""
    app = obj.app()
    with app.store.transaction():
        ok = app.store.requeue(ident)
    if not ok:
        fail(f"outbox {ident} is not dead, retrying or held")
    click.echo(f"outbox {ident} queued again")


def _commit_change(obj: Ctx, now_text: str | None, change, errors, code: int) -> None:
    """Run `change(ctx) -> Outcome` and commit it in one store transaction (the mails are queued for
    `mailflow run`); one of `errors` (bad input) exits with `code`."""
    from .outbox import Outbox
    app = obj.app_at(now_text)
    now = app.now()
    try:
        with app.store.transaction():
            out = change(app.context(now))
            Outbox(app).commit(out, now)
    except errors as e:
        fail(str(e), code)
    echo_lines(views.outcome_lines(out))


# --- meeting (mailflow/flows/meeting*.py) --------------------------------------------------------
@main.group()
def meeting() -> None:
    """Meetings: add one from a YAML file, list, show, reschedule, cancel.

    Notices, updates and cancellations are queued in the same transaction and sent by `mailflow run`.
    """


def _meeting_change(obj: Ctx, now_text: str | None, change) -> None:
    """`change(ctx) -> Outcome`, committed; exit 1 on MeetingError."""
    from .flows.meetings import MeetingError
    _commit_change(obj, now_text, change, MeetingError, 1)


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
    _meeting_change(obj, now_text, lambda ctx: meetings.add(ctx, m))


def _check_meeting_time(app, m, file: str) -> None:
    """A meeting that has ended is refused (exit 2): its notices would invite people to the past.
    One that started, or starts within the short-notice window, is added with a warning."""
    from .flows.meeting_reminders import meeting_short_notice
    now = app.now()
    shown = f"{m.start.astimezone(app.settings.tz):%Y-%m-%d %H:%M}–{m.end.astimezone(app.settings.tz):%H:%M}"
    if m.end <= now:
        fail(f"{file}: key 'start': the meeting ({shown}) has already ended; "
             f"it is {now:%Y-%m-%d %H:%M} now. Give a future start and end.", 2)
    if m.start <= now:
        click.echo(f"mailflow: warning: {file}: key 'start': the meeting ({shown}) has already started", err=True)
    elif meeting_short_notice(app.context(now), m):
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
    from .flows import meetings

    def change(ctx):
        m = _get_meeting(ctx, ident)
        return meetings.reschedule(ctx, m, meetings.parse_moment(start, m.tz, "--start"),
                                   meetings.parse_moment(end, m.tz, "--end"))
    _meeting_change(obj, now_text, change)


@meeting.command("cancel")
@click.argument("ident", type=int)
@click.option("--reason", required=True, help="Why; it goes into every cancellation.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time (simulation and tests).")
@click.pass_obj
def meeting_cancel(obj: Ctx, ident: int, reason: str, now_text: str | None) -> None:
    """Cancel a meeting: METHOD:CANCEL (same UID, SEQUENCE+1) to everyone invited."""
    from .flows import meetings
    _meeting_change(obj, now_text, lambda ctx: meetings.cancel(ctx, _get_meeting(ctx, ident), reason))


# --- minutes (flows/minutes.py) ------------------------------------------------------------------
@main.group()
def minutes() -> None:
    """Minutes drafts: how a draft is read, and where a meeting's minutes stand."""


@minutes.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--now", "now_text", metavar="ISO",
              help="Read relative dates (本周五, 3个工作日内) from this moment; default: the .eml's Date, else now.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: decisions, action_items, problems (and attachments, when documents were read).")
@click.option("--text", "show_text", is_flag=True, help="Print the draft text as read (e.g. from a .docx) instead.")
@click.pass_obj
def minutes_parse(obj: Ctx, file: str, now_text: str | None, as_json: bool, show_text: bool) -> None:
    """Show how a minutes draft FILE will be read, owners resolved through people.yaml: decisions,
    action items (title, owner, collaborators, due, deliverable) and the problems the recorder would
    be asked to fix. FILE is an .eml (read as the minutes flow reads it, attachments included), a
    Word .docx or Excel .xlsx file, or text / Markdown / HTML. A document mailflow refuses (.doc,
    .pdf, macros, too large) exits with status 1 and says why."""
    from .diagnose import read_minutes_file
    from .read.attachments import REASONS
    app = obj.app()
    text, html, parsed, documents = read_minutes_file(file, app, parse_now(now_text, app.settings.org.timezone))
    if show_text:
        click.echo(text if text.strip() or not html else html, nl=False)
    elif as_json:
        emit_json({**views.minutes_json(parsed),
                   **({"attachments": views.attachments_json(documents)} if documents else {})})
    else:
        echo_lines(views.attachment_line(d) for d in documents)
        click.echo(views.minutes_table(parsed), nl=False)
    refused = [d for d in documents if d.refused]
    if not file.lower().endswith(".eml") and refused:
        fail(f"{Path(file).name}: {REASONS[refused[0].refused]}")


@minutes.command("show")
@click.argument("ident", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def minutes_show(obj: Ctx, ident: int, as_json: bool) -> None:
    """A meeting's minutes: state, every version (draft, problems, review, final, superseded) and
    each attendee's answer to the final minutes (pending, confirmed, objection, accepted)."""
    store = obj.app().store
    m = store.get_meeting(ident)
    if m is None:
        fail(f"no meeting {ident}")
    data = views.minutes_state_json(m, store.minutes_versions(m.id), store.minutes_confirmations(m.id))
    emit_json(data) if as_json else echo_lines(views.minutes_state_lines(data))


# --- replies and the task ledger (flows/task_*.py) ----------------------------------------------
@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--now", "now_text", metavar="ISO",
              help="Anchor for relative dates when a mail has no Date header (default: now).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file and line.")
@click.pass_obj
def explain(obj: Ctx, files: tuple[str, ...], now_text: str | None, as_json: bool) -> None:
    """Show how mailflow reads reply mails (.eml FILES): auto-reply or not, the intent, percent,
    new due date, stand-in, numbered items, whether the reading is sure enough to act on, why
    (the clause that decided, what was ignored), and the new text it read (quotes and signatures
    cut). Relative dates (下周五, 3个工作日内) are resolved against each mail's Date header. A
    promised date is compared with the task's due: the store's, when the mail answers one that
    mailflow sent and the store (in this folder) has it, else the due line of the quoted mail."""
    from .diagnose import explain_mail
    settings = obj.settings()
    cal = obj.calendar(settings)
    anchor = parse_now(now_text, settings.org.timezone) or datetime.now(settings.tz)
    # the store is read only if it exists here: explain never creates one
    open_store = (lambda: obj.app().store) if Path(settings.path(settings.store.path)).exists() else None
    for f in files:
        msg, reading = explain_mail(f, settings.org.address, cal, anchor, open_store)
        data = {"file": f, "auto": bool(msg.auto), **views.reading_json(reading), "text": msg.visible}
        emit_json(data) if as_json else echo_lines(views.explain_lines(data, reading, msg))


@main.group(invoke_without_command=True)
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
    from .flows.task_changes import TaskError

    def on_task(ctx):
        t = ctx.lookup.get_task(ident)
        if t is None:
            raise TaskError(f"no task {ident}")
        return change(ctx, t, ctx.lookup.get_meeting(t.meeting_id) if t.meeting_id is not None else None)
    _commit_change(obj, now_text, on_task, TaskError, 2)


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


# --- timelines: `when` and `rules check` (read/deadlines.py, timeline/rules.py) -------------------
@main.command()
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR…")
@click.option("--now", "now_text", metavar="ISO", help="Resolve relative to this moment (default: now).")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON object per expression: {"text", "due", "time", "vague", "calendar_gap", "error"}.')
@click.pass_obj
def when(obj: Ctx, exprs: tuple[str, ...], now_text: str | None, as_json: bool) -> None:
    """Resolve deadline expressions as replies and minutes are read: 8月15日前, 本周五, 下周一,
    3个工作日内, 月底前, 国庆前, 节后第一个工作日, 今晚8点, 11月20日至25日, 12/1, by Friday, EOD…
    One line per expression; "-" reads one expression per line from stdin. Working days follow
    China's calendar with 调休 (plus rules/holidays.yaml); today, 下班 and EOD follow [org] timezone
    and [schedule] work hours. 上旬, 月初, 尽快, TBD are vague (no date); a date that needs calendar
    data not yet published has no due and calendar_gap true; an impossible date (2月30日, 9999年)
    has an "error" — and, given as the only expression, exits 2."""
    from .read import dates
    settings = obj.settings()
    cal = obj.calendar(settings)
    now = parse_now(now_text, settings.org.timezone) or datetime.now(settings.tz)
    items: list[str] = []
    for e in exprs:
        items += [ln.strip() for ln in sys.stdin.read().splitlines() if ln.strip()] if e == "-" else [e]
    found = [(expr, dates.resolve(expr, now, cal)) for expr in items]
    if len(exprs) == 1 and exprs[0] != "-" and found[0][1] is not None and found[0][1].error:
        fail(f"{found[0][0]!r} is not a possible date: {found[0][1].error}", 2)
    for expr, dl in found:
        click.echo(views.deadline_line(expr, dl, as_json))
        if dl is not None and dl.calendar_gap:
            log.warning("calendar gap: %r lies in, or counts working days through, a year without official "
                        "calendar data; add that year to rules/holidays.yaml", expr)


@main.group("rules")
def rules_group() -> None:
    """The timeline rules (rules/*.yaml): reminders, escalation, follow-up tables."""


@rules_group.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.pass_obj
def rules_check(obj: Ctx, folder: str | None) -> None:
    """Validate rules/*.yaml (and holidays.yaml): every error names the file, the rule and the key.
    Exit 2 on errors; otherwise print a summary of the rules, 0."""
    from .app import rules_folder
    from .diagnose import calendar_years
    from .flows import register
    register.flow_modules()   # the flows and the timeline define the actions and conditions rules name
    from .timeline import rules as rules_mod
    settings = obj.settings()
    path = Path(folder) if folder else rules_folder(settings)
    if not path.is_dir():
        fail(f"rules folder not found: {path}", 2)
    found, errors = rules_mod.validate(path, rules_mod.collect(register.flow_modules()))
    holidays = settings.path(settings.paths.holidays) if settings.paths.holidays else path / "holidays.yaml"
    known, added, bad = calendar_years(holidays)
    errors += bad
    if not found and not errors:
        errors.append(f"{path}: no rules (*.yaml with a 'rules:' list): mailflow would send no reminder, "
                      "escalation or follow-up table")
    for e in errors:
        click.echo(f"error: {e}", err=True)
    if errors:
        click.echo(f"{len(errors)} error(s) in {path}", err=True)
        sys.exit(2)
    echo_lines(views.rule_line(r) for r in found)
    click.echo(views.rules_summary(found, known, added))
