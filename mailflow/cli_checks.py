"""The checks that change nothing: `explain` (how a reply is read), `when` (how a deadline is read)
and `rules check` (whether rules/*.yaml are valid) — read/replies.py, read/deadlines.py, timeline/rules.py.

They share one use: an operator asking what mailflow would make of a text before trusting it, so
they live together, apart from the commands that change the store; what they compute lives in
diagnose.py and read/, what they print in cli_views.py.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click

from . import cli_views as views
from .cli_context import Ctx, echo_lines, emit_json, fail, parse_now

log = logging.getLogger("mailflow")


@click.command()
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


@click.command()
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


@click.group("rules")
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
