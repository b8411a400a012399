"""The `mailflow` command (click): builds the App and calls the API.

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
from .resources import shipped

log = logging.getLogger("mailflow")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds"),
                "level": record.levelname.lower(), "msg": record.getMessage()}
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def setup_logging(json_lines: bool, verbose: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else
                         logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger("mailflow")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose or json_lines else logging.INFO)
    root.propagate = False


def parse_now(value: str | None, tz: str = "Asia/Shanghai") -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date-time such as 2026-11-20T09:00") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=ZoneInfo(tz))


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


def fail(message: str, code: int = 1) -> NoReturn:
    """The command failed: say why on stderr, prefixed like every mailflow message, and exit."""
    click.echo(f"mailflow: {message}", err=True)
    sys.exit(code)


def fail_config(e: Exception) -> None:
    click.echo(f"mailflow: configuration error: {e}", err=True)
    sys.exit(2)


def emit_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str))


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


# --- init ---------------------------------------------------------------------------
SAMPLES = {"mailflow.toml": "mailflow.toml", "people.yaml": "people.yaml", "meeting.yaml": "meeting.yaml"}
SAMPLE_TZ = "Asia/Shanghai"             # [org] timezone of the sample mailflow.toml
SAMPLE_LEAD_WORKDAYS = 2                # the notice rule warns below 2 working days (rules/meetings.yaml)
SAMPLE_HOURS = (10, 12)                 # the sample meeting: 10:00-12:00 local


def sample_meeting_day(now: datetime):
    """The sample meeting's day: the working day SAMPLE_LEAD_WORKDAYS working days after today
    (China's calendar with 调休), so the quick start's meeting is neither past nor short notice."""
    from .read import dates
    holidays = shipped("rules") / "holidays.yaml"
    cal = dates.WorkCalendar(dates.load_holidays(holidays) if holidays.exists() else None)
    return cal.add_workdays(now.astimezone(ZoneInfo(SAMPLE_TZ)).date(), SAMPLE_LEAD_WORKDAYS)


def dated_sample_meeting(text: str, now: datetime) -> str:
    """The sample meeting.yaml with its start and end moved to sample_meeting_day(now)."""
    import re
    day = sample_meeting_day(now).isoformat()
    start, end = SAMPLE_HOURS
    text = re.sub(r"^start:[ \t]*\S+[ \t]+\S+", f"start: {day} {start:02d}:00", text, count=1, flags=re.M)
    return re.sub(r"^end:[ \t]*\S+[ \t]+\S+", f"end: {day} {end:02d}:00", text, count=1, flags=re.M)


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--now", "now_text", metavar="ISO", help="Date the sample meeting from this moment (tests).")
def init(directory: str, now_text: str | None) -> None:
    """Write a commented mailflow.toml, a sample people.yaml and meeting.yaml into DIRECTORY.

    Existing files are never overwritten. The config uses the embedded defaults: a Maildir inbox
    in ./mail/inbox and every sent mail as an .eml in ./mail/sent, so no mail server is needed.
    The sample meeting is two working days from today, 10:00-12:00.
    """
    now = parse_now(now_text, SAMPLE_TZ) or datetime.now(ZoneInfo(SAMPLE_TZ))
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    for name, sample in SAMPLES.items():
        dest = target / name
        if dest.exists():
            click.echo(f"kept     {dest} (exists; not overwritten)")
            continue
        text = (shipped("samples") / sample).read_text(encoding="utf-8")
        if name == "meeting.yaml":
            text = dated_sample_meeting(text, now)
        dest.write_text(text, encoding="utf-8")
        click.echo(f"wrote    {dest}")
    for sub in ("mail/inbox", "mail/sent"):
        (target / sub).mkdir(parents=True, exist_ok=True)
    click.echo(f"\nNext: cd {directory} && mailflow meeting add meeting.yaml && mailflow run --once")


# --- run -------------------------------------------------------------------------------
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
    from .daemon import Daemon
    from .outbox import StoreUnavailable
    from .edges.store import StoreError

    # Until the loop takes over (and after it closes, when asyncio restores the default handler),
    # SIGTERM/SIGINT end the process with status 0 through SystemExit: an open transaction rolls
    # back and nothing is marked processed, so stopping at any moment loses nothing.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _exit_quietly)
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
        log.info("mailflow %s: inbox %s, outbox %s, store %s", __version__, _describe(settings.mailbox.url),
                 _describe(settings.smtp.url), settings.path(settings.store.path))
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
            asyncio.run(_close_mailer(app))
            app.close()
        if daemon.fatal is not None:
            fail(str(daemon.fatal))
    finally:
        lock.release()
        faulthandler.cancel_dump_traceback_later()       # armed by a stop signal (Daemon.run_forever)


def _exit_quietly(signum, frame) -> None:
    import faulthandler
    log.info("stopping on signal %d", signum)
    # a process stuck inside one C call never reaches the SystemExit: end it within 5 s anyway
    faulthandler.dump_traceback_later(4.5, exit=True)
    raise SystemExit(0)


async def _close_mailer(app) -> None:
    if app._mailer is not None:
        import asyncio
        try:
            await asyncio.wait_for(app._mailer.close(), timeout=1.0)   # a polite QUIT, not a wait
        except (asyncio.TimeoutError, OSError):
            pass


def _describe(url: str) -> str:
    """A mailbox/SMTP URL without any credentials, for the log."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.rsplit('@', 1)[1]}"
    return url


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
    s = app.store
    daemon = RunLock(app.settings.path(app.settings.store.path)).holder()
    data = {"daemon_pid": daemon, "last_poll": s.get_meta("last_poll"), "last_tick": s.get_meta("last_tick"),
            "last_error": s.get_meta("last_error"), "inbound": s.inbound_counts(), "outbox": s.outbox_counts(),
            "inbox": _describe(app.settings.mailbox.url), "smtp": _describe(app.settings.smtp.url),
            "store": str(app.settings.path(app.settings.store.path))}
    if as_json:
        emit_json(data)
        return
    err = data["last_error"]
    click.echo(f"daemon:     {('running, pid ' + daemon) if daemon else 'not running'}\n"
               f"inbox:      {data['inbox']}\noutbox:     {data['smtp']}\nstore:      {data['store']}\n"
               f"last poll:  {data['last_poll'] or 'never'}\nlast tick:  {data['last_tick'] or 'never'}\n"
               f"last error: {(err['at'] + ' ' + err['error']) if err else 'none'}\n"
               f"inbound:    {_counts(data['inbound'])}\noutbox:     {_counts(data['outbox'])}")


def _counts(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items())) or "empty"


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per mail.")
@click.option("--status", "state", type=click.Choice(["queued", "retry", "sent", "dead", "held"]),
              help="Only mails in this state.")
@click.pass_context
def outbox(ctx: click.Context, as_json: bool, state: str | None) -> None:
    """List the outbox (newest first): queued, retry, sent, dead (5xx) and held (hourly cap)."""
    if ctx.invoked_subcommand:
        return
    app = ctx.obj.app()
    rows = app.store.outbox_rows(state)
    for r in rows:
        if as_json:
            emit_json(r)
        else:
            err = f"  ({r['last_error']})" if r["last_error"] else ""
            click.echo(f"{r['id']:>6} {r['status']:<6} {r['kind'] or '':<16} {', '.join(r['recipients'])}  "
                       f"{r['subject']}{err}")


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


# --- meeting (mailflow/flows/meeting*.py) --------------------------------------------------------
@main.group()
def meeting() -> None:
    """Meetings: add one from a YAML file, list, show, reschedule, cancel.

    Notices, updates and cancellations are queued in the same transaction and sent by `mailflow run`.
    """


def _meeting_change(obj: Ctx, now_text: str | None, change) -> None:
    """Run `change(ctx) -> Outcome` and commit it in one store transaction; exit 1 on MeetingError."""
    from .flows.meetings import MeetingError
    from .outbox import Outbox
    settings = obj.settings()
    now = parse_now(now_text, settings.org.timezone)
    app = obj.app(now)
    now = app.now()
    try:
        with app.store.transaction():
            out = change(app.context(now))
            Outbox(app).commit(out, now)
    except MeetingError as e:
        fail(str(e))
    for line in out.log:
        click.echo(line)
    click.echo(f"{len(out.mails)} mail(s) queued; `mailflow run` sends them")


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
        click.echo(f"mailflow: {file}: not valid YAML: {e}", err=True)
        sys.exit(2)
    app = obj.app(parse_now(now_text, settings.org.timezone))
    try:
        m = meetings.from_data(data, app.directory, settings.org.timezone, source=file)
    except meetings.MeetingError as e:
        click.echo(f"mailflow: {e}", err=True)
        sys.exit(2)
    _check_meeting_time(app, m, file)
    _meeting_change(obj, now_text, lambda ctx: meetings.add(ctx, m))


def _check_meeting_time(app, m, file: str) -> None:
    """A meeting that has ended is refused (exit 2): its notices would invite people to the past.
    One that started, or starts within the short-notice window, is added with a warning."""
    from .flows.meeting_reminders import meeting_short_notice
    now = app.now()
    shown = f"{m.start.astimezone(app.settings.tz):%Y-%m-%d %H:%M}–{m.end.astimezone(app.settings.tz):%H:%M}"
    if m.end <= now:
        click.echo(f"mailflow: {file}: key 'start': the meeting ({shown}) has already ended; "
                   f"it is {now:%Y-%m-%d %H:%M} now. Give a future start and end.", err=True)
        sys.exit(2)
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
    from .flows.meetings import summary_json
    app = obj.app()
    rows = [summary_json(m) for m in app.store.meetings(state)]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        answers = ", ".join(f"{k} {v}" for k, v in sorted(r["rsvp"].items()))
        click.echo(f"{r['id']:>4} {r['status']:<9} {r['start'][:16].replace('T', ' ')}  {r['title']}  "
                   f"({r['attendees']} invited: {answers})")


@meeting.command("show")
@click.argument("ident", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def meeting_show(obj: Ctx, ident: int, as_json: bool) -> None:
    """A meeting with its agenda and every attendee's role, answer (rsvp), stand-in and when/how."""
    from .flows.meetings import to_json
    app = obj.app()
    m = app.store.get_meeting(ident)
    if m is None:
        fail(f"no meeting {ident}")
    data = to_json(m)
    if as_json:
        emit_json(data)
        return
    click.echo(f"#{data['id']} {data['title']} [{data['status']}, SEQUENCE {data['sequence']}, from {data['source']}]")
    click.echo(f"  {data['start']} – {data['end']} ({data['timezone']})")
    for key in ("goal", "location", "online", "cancel_reason"):
        if data[key]:
            click.echo(f"  {key}: {data[key]}")
    click.echo("  attendees:")
    for a in data["attendees"]:
        how = f"  ({a['answered_via']} {a['answered_at'][:16]})" if a["answered_at"] else ""
        proxy = f", stand-in {a['proxy']}" if a.get("proxy") else ""
        click.echo(f"    {a['email']:<28} {a['role']:<9} {a['rsvp']}{proxy}{how}")
    if data["agenda"]:
        click.echo("  agenda:")
        for i in data["agenda"]:
            click.echo(f"    {i['seq']}. {i['title']} ({i['owner'] or '-'}, {i['minutes'] or '-'} min)")


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


# --- minutes (minutes_flow.py) -------------------------------------------------------------------
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
    from .read import attachments as office
    from .read import inbound
    from .read import minutes as mins
    from .flows.minutes import read_draft
    app = obj.app()
    now = parse_now(now_text, app.settings.org.timezone)
    raw = Path(file).read_bytes()
    name = Path(file).name
    suffix = Path(file).suffix.lower()
    documents: list[office.Reading] = []
    if suffix == ".eml":
        msg = inbound.parse(raw, own_addresses=[app.settings.org.address])
        now = now or msg.date or app.now()
        draft = read_draft(msg, app.directory, now, app.calendar)
        text, html, parsed, documents = draft.text, draft.html, draft.parsed, draft.documents
    else:
        if suffix not in (".txt", ".md", ".markdown", ".html", ".htm") and office.kind_of(name) != "other":
            documents = [office.read(name, raw)]
            text, html = documents[0].text, None
        else:
            text, html = raw.decode("utf-8-sig", errors="replace"), None
            if suffix in (".html", ".htm"):
                text, html = "", text
        parsed = mins.parse(text, app.directory, now or app.now(), app.calendar, html=html)
    refused = [d for d in documents if d.refused]
    if show_text:
        click.echo(text if text.strip() or not html else html, nl=False)
    elif as_json:
        data = views.minutes_json(parsed)
        if documents:
            data["attachments"] = [{"name": d.name, "read": not d.refused, "refused": d.refused}
                                   for d in documents]
        emit_json(data)
    else:
        for d in documents:
            click.echo(f"attachment {d.name}: " + (f"not read, {office.REASONS[d.refused]}" if d.refused
                                                   else "read"))
        click.echo(views.minutes_table(parsed), nl=False)
    if suffix != ".eml" and refused:
        fail(f"{name}: {office.REASONS[refused[0].refused]}")


@minutes.command("show")
@click.argument("ident", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def minutes_show(obj: Ctx, ident: int, as_json: bool) -> None:
    """A meeting's minutes: state, every version (draft, problems, review, final, superseded) and
    each attendee's answer to the final minutes (pending, confirmed, objection, accepted)."""
    app = obj.app()
    m = app.store.get_meeting(ident)
    if m is None:
        fail(f"no meeting {ident}")
    data = {"meeting": m.id, "title": m.title, "minutes_state": m.minutes_state,
            "versions": [{"version": v.version, "status": v.status, "author": v.author,
                          "received_at": v.received_at.isoformat() if v.received_at else None,
                          "action_items": len(v.parsed.action_items) if v.parsed else 0,
                          "problems": len(v.parsed.problems) if v.parsed else 0}
                         for v in app.store.minutes_versions(m.id)],
            "confirmations": [{"email": c.email, "status": c.status,
                               "deadline": c.deadline.isoformat() if c.deadline else None,
                               "answered_at": c.answered_at.isoformat() if c.answered_at else None,
                               "text": c.text}
                              for c in app.store.minutes_confirmations(m.id)]}
    if as_json:
        emit_json(data)
        return
    click.echo(f"meeting {data['meeting']}: {data['title']}  (minutes: {data['minutes_state']})")
    for v in data["versions"]:
        click.echo(f"  v{v['version']} {v['status']:<10} {v['author']}  {v['received_at']}  "
                   f"{v['action_items']} item(s), {v['problems']} problem(s)")
    for c in data["confirmations"]:
        click.echo(f"  {c['email']:<28} {c['status']:<9} deadline {c['deadline']}"
                   + (f"  {c['text']}" if c["text"] and c["status"] == "objection" else ""))


# --- replies and the task ledger (tasks.py) --------------------------------------------------
def _work_calendar(settings):
    """The working-day calendar as the daemon builds it, without opening the store."""
    from .read import dates
    s = settings
    if s.paths.holidays:
        path = s.path(s.paths.holidays)
    else:
        rules_dir = s.path(s.paths.rules) if s.paths.rules else s.base_dir / "rules"
        path = rules_dir / "holidays.yaml"
        if not path.exists():
            path = shipped("rules") / "holidays.yaml"
    try:
        extra = dates.load_holidays(path) if path.exists() else None
        # the organisation's zone and hours: 今天 and 下班前 are read as the daemon reads them
        return dates.WorkCalendar(extra, tz=s.tz, work_start=s.schedule.work_start, work_end=s.schedule.work_end)
    except Exception as e:   # a broken holidays.yaml is a configuration error
        fail_config(e)


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
    from .read import inbound, replies
    settings = obj.settings()
    cal = _work_calendar(settings)
    anchor = parse_now(now_text, settings.org.timezone) or datetime.now(settings.tz)
    for f in files:
        msg = inbound.parse(Path(f).read_bytes(), own_addresses=[settings.org.address])
        reading = None
        if not msg.auto:
            context, source = _explain_context(obj, settings, msg)
            if not (msg.visible or "").strip() and msg.calendar_reply:
                reading = replies.calendar_reading(msg.calendar_reply)
            if reading is None:
                reading = replies.classify(msg.visible, msg.date or anchor, cal, context)
            reading.why[:0] = [source] + [f"ignored {c}" for c in msg.cut]
        data = {"file": f, "auto": bool(msg.auto), **views.reading_json(reading), "text": msg.visible}
        if as_json:
            emit_json(data)
            continue
        if msg.auto:
            click.echo(f"{f}: not an answer ({msg.auto_reason}); ignored")
            continue
        parts = [data["intent"] + ("" if data["sure"] else " (not sure: ask back)")]
        if data["percent"] is not None:
            parts.append(f"{data['percent']}%")
        if data["due"]:
            parts.append(f"due {data['due']}")
        if reading.reason:
            parts.append(f"reason {reading.reason!r}")
        if data["proxy"]:
            parts.append(f"stand-in {data['proxy']}")
        if reading.assignee:
            parts.append(f"new owner {reading.assignee}")
        for it in data["items"]:
            extra = (f" {it['percent']}%" if it["percent"] is not None else "") + (f" {it['due']}" if it["due"] else "")
            parts.append(f"[{it['item']}: {it['intent']}{extra}]")
        text = " ".join(msg.visible.split())
        click.echo(f"{f}: {' '.join(parts)}  | {text[:120]}")
        for line in data["why"]:
            click.echo(f"    why: {line}")


def _explain_context(obj: Ctx, settings, msg) -> tuple:
    """(ReplyContext, where it came from) for `explain`: the store's task when the mail answers a
    mail mailflow sent and a store exists here (never created by explain), else the quoted mail."""
    from .read import replies
    quoted = replies.context_from_quote(msg.text)
    fallback = (quoted, f"context from the quoted mail: due {quoted.due}, asked {quoted.asked}, kind {quoted.kind}")
    if not msg.in_reply_to or not Path(settings.path(settings.store.path)).exists():
        return fallback
    try:
        store = obj.app().store
        sent = store.sent_message(msg.in_reply_to)
        task = store.get_task(sent["task_id"]) if sent and sent.get("task_id") else None
    except Exception:                       # explain is a diagnosis: an unreadable store falls back
        return fallback
    if not sent:
        return fallback
    try:
        from .flows.answers import ASKED_BY_KIND
    except ImportError:                     # pragma: no cover
        ASKED_BY_KIND = {}
    kind = "task" if task else "minutes" if "minutes" in (sent.get("kind") or "") else \
        "meeting" if sent.get("meeting_id") else quoted.kind
    ctx = replies.ReplyContext(due=task.due if task else quoted.due,
                               asked=ASKED_BY_KIND.get(sent.get("kind") or "", quoted.asked), kind=kind,
                               item_dues=quoted.item_dues)
    return ctx, f"context from the store: {sent.get('kind')} mail, due {ctx.due}, asked {ctx.asked}"


def _task_json(app, t) -> dict:
    events = app.store.task_events(t.id)
    last = events[-1] if events else None
    return {"id": t.id, "meeting": t.meeting_id, "item": t.item_no, "title": t.title, "owner": t.owner,
            "owner_name": app.directory.name_of(t.owner), "due": t.due.isoformat() if t.due else None,
            "status": t.status.value, "percent": t.percent, "risk": t.risk, "risk_note": t.risk_note,
            "delay_reason": t.delay_reason,
            "confirmed_at": t.confirmed_at.isoformat() if t.confirmed_at else None,
            "done_at": t.done_at.isoformat() if t.done_at else None,
            "verified_at": t.verified_at.isoformat() if t.verified_at else None,
            "last_update": ({"at": last.at.isoformat(), "by": last.actor, "kind": last.kind, "text": last.text}
                            if last else None)}


def _task_line(app, t) -> str:
    from .model import STATUS_LABELS
    lang = app.settings.org.language
    status = STATUS_LABELS.get(lang, STATUS_LABELS["zh-CN"])[t.status.value]
    pct = f" {t.percent}%" if t.percent is not None and t.status.value not in ("done", "verified") else ""
    flags = (" 风险" if t.risk else "") + ("" if t.confirmed_at else " 未确认")
    meeting = f"M{t.meeting_id}" if t.meeting_id is not None else "-"
    return (f"T{t.id:<5} {meeting:<6} {t.due.isoformat() if t.due else '—':<10}  {status}{pct}{flags}  "
            f"{t.title}  ({app.directory.name_of(t.owner)} <{t.owner}>)")


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
    rows = app.store.tasks(meeting_id=meeting_id, owner=owner, open_only=open_only)
    for t in rows:
        if as_json:
            emit_json(_task_json(app, t))
        else:
            click.echo(_task_line(app, t))


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
        data = _task_json(app, t)
        data["events"] = [{"at": e.at.isoformat(), "by": e.actor, "kind": e.kind, "text": e.text,
                           "old_status": e.old_status, "new_status": e.new_status, "percent": e.percent,
                           "due": e.due.isoformat() if e.due else None, "flags": e.flags} for e in events]
        emit_json(data)
    else:
        click.echo(_task_line(app, t))
        if t.delay_reason:
            click.echo(f"  延期原因: {t.delay_reason}")
        if t.risk_note:
            click.echo(f"  风险: {t.risk_note}")
        click.echo("  进度更新:" if events else "  进度更新: (none)")
        tz = app.settings.tz
        for e in events:
            change = f"{e.old_status or ''}→{e.new_status}" if e.new_status and e.new_status != e.old_status else ""
            detail = " ".join(x for x in (e.kind, change, f"{e.percent}%" if e.percent is not None else "",
                                          f"due {e.due}" if e.due else "", ",".join(e.flags)) if x)
            who = app.directory.name_of(e.actor) if e.actor and "@" in e.actor else (e.actor or "")
            click.echo(f"  {e.at.astimezone(tz):%Y-%m-%d %H:%M}  {who}  {detail}  {' '.join(e.text.split())[:100]}")


def _task_change(obj: Ctx, ident: int, now_text: str | None, change) -> None:
    """Run `change(ctx, task, meeting) -> Outcome` for task `ident` and commit it (the mails are
    queued for `mailflow run`); bad input (unknown task or person, a closed task) exits 2."""
    from .outbox import Outbox
    from .flows.task_changes import TaskError
    settings = obj.settings()
    app = obj.app(parse_now(now_text, settings.org.timezone))
    now = app.now()
    try:
        with app.store.transaction():
            ctx = app.context(now)
            t = ctx.lookup.get_task(ident)
            if t is None:
                raise TaskError(f"no task {ident}")
            m = ctx.lookup.get_meeting(t.meeting_id) if t.meeting_id is not None else None
            out = change(ctx, t, m)
            Outbox(app).commit(out, now)
    except TaskError as e:
        fail(str(e), code=2)
    for line in out.log:
        click.echo(line)
    click.echo(f"{len(out.mails)} mail(s) queued; `mailflow run` sends them")


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
    from .flows.task_handovers import resolve_person

    def change(ctx, t, m):
        who = resolve_person(ctx, person)
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


# --- timelines: `when` and `rules check` (timeline.py, rules.py) --------------------------------
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
    cal = _work_calendar(settings)
    now = parse_now(now_text, settings.org.timezone) or datetime.now(settings.tz)
    items: list[str] = []
    for e in exprs:
        if e == "-":
            items += [line.strip() for line in sys.stdin.read().splitlines() if line.strip()]
        else:
            items.append(e)
    found = [(expr, dates.resolve(expr, now, cal)) for expr in items]
    if len(exprs) == 1 and exprs[0] != "-" and found[0][1] is not None and found[0][1].error:
        click.echo(f"mailflow: {found[0][0]!r} is not a possible date: {found[0][1].error}", err=True)
        sys.exit(2)
    for expr, dl in found:
        click.echo(views.deadline_line(expr, dl, as_json))
        if dl is not None and dl.calendar_gap:
            log.warning("calendar gap: %r lies in, or counts working days through, a year without official "
                        "calendar data; add that year to rules/holidays.yaml", expr)


def _rules_folder(settings) -> Path:
    if settings.paths.rules:
        return settings.path(settings.paths.rules)
    local = settings.base_dir / "rules"
    return local if local.is_dir() else shipped("rules")


@main.group("rules")
def rules_group() -> None:
    """The timeline rules (rules/*.yaml): reminders, escalation, follow-up tables."""


@rules_group.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.pass_obj
def rules_check(obj: Ctx, folder: str | None) -> None:
    """Validate rules/*.yaml (and holidays.yaml): every error names the file, the rule and the key.
    Exit 2 on errors; otherwise print a summary of the rules, 0."""
    from .read import dates
    from .flows import register
    register.flow_modules()   # the flows and the timeline define the actions and conditions rules name
    from .timeline import rules as rules_mod
    settings = obj.settings()
    path = Path(folder) if folder else _rules_folder(settings)
    if not path.is_dir():
        click.echo(f"mailflow: rules folder not found: {path}", err=True)
        sys.exit(2)
    found, errors = rules_mod.validate(path, rules_mod.collect(register.flow_modules()))
    holidays = settings.path(settings.paths.holidays) if settings.paths.holidays else path / "holidays.yaml"
    years: list[int] = []
    if holidays.exists():
        try:
            data = dates.load_holidays(holidays)
            years = sorted(int(y) for y in (data.get("years") or {}))
        except Exception as e:
            errors.append(f"{holidays}: {e}")
    if not found and not errors:
        errors.append(f"{path}: no rules (*.yaml with a 'rules:' list): mailflow would send no reminder, "
                      "escalation or follow-up table")
    for e in errors:
        click.echo(f"error: {e}", err=True)
    if errors:
        click.echo(f"{len(errors)} error(s) in {path}", err=True)
        sys.exit(2)
    files = sorted({r.source for r in found})
    for r in found:
        click.echo(f"{Path(r.source).name:<16} {r.name:<36} {_describe_trigger(r):<44} {r.action}"
                   + (f" when {', '.join(r.when)}" if r.when else ""))
    cal = dates.WorkCalendar(dates.load_holidays(holidays) if holidays.exists() else None)
    known = sorted(cal.years)
    click.echo(f"ok: {len(found)} rule(s) in {len(files)} file(s); working-day calendar "
               f"{known[0] if known else '-'}–{known[-1] if known else '-'}"
               + (f" (holidays.yaml adds {', '.join(map(str, years))})" if years else ""))


def _describe_trigger(r) -> str:
    from datetime import timedelta
    t = r.trigger
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    if t.weekly is not None:
        text = f"weekly {days[t.weekly]} {t.at}"
    elif t.daily:
        text = f"working days {t.at}"
    else:
        text = f"{t.field} {t.offset:+d} {t.unit}" + (f" at {t.at}" if t.at else "")
        if t.repeat:
            text += f", every {t.repeat.days} day(s)" if not t.repeat % timedelta(days=1) else f", every {t.repeat}"
    return text + ("" if r.quiet_hours else " (any hour)")
