"""The `mailflow` command (click): the `main` group, its global options and the daemon's commands.

Here: `init`, `run`, `inject`, `replay`, `status` and `outbox` — setting up and operating the daemon.
Each other command group has its module, registered below with `main.add_command`: cli_meetings.py
(`meeting`), cli_minutes.py (`minutes`), cli_tasks.py (`tasks`), cli_checks.py (`explain`, `when`,
`rules`); what they share (the context object, --now, exit statuses) is cli_context.py, what they
print is cli_views.py. Every command is a few lines: parse the options, call the App, the store, a
flow or diagnose.py, print a view. Commands, options, help texts, exit codes and JSON keys are
contracts (tests/test_cli.py and tests/test_docs.py pin them).
Exit status: 0 success, 1 the command failed (e.g. an unknown id), 2 a configuration or usage error.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__
from . import cli_views as views
from .cli_checks import explain, rules_group, when
from .cli_context import Ctx, emit_json, fail, parse_now
from .cli_meetings import meeting
from .cli_minutes import minutes
from .cli_tasks import tasks
from .logs import setup_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", envvar="MAILFLOW_CONFIG", metavar="FILE",
              help="mailflow.toml to use (default: $MAILFLOW_CONFIG, then ./mailflow.toml, then embedded defaults).")
@click.option("--log-json", is_flag=True, help="Log one JSON object per line on stderr.")
@click.option("-v", "--verbose", count=True, help="-v: debug detail; -vv: also the IMAP conversation (passwords redacted).")
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
    from .daemon import Refused, start   # here, not at the top: asyncio is a third of `mailflow --help`'s import time
    try:
        start(obj.settings, lambda settings: obj.app(parse_now(now_text, settings.org.timezone)), once)
    except Refused as e:
        fail(str(e), e.status)


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


# --- the other command groups, each in its module ----------------------------------------------
main.add_command(meeting)
main.add_command(minutes)
main.add_command(tasks)
main.add_command(explain)
main.add_command(when)
main.add_command(rules_group)
