"""`mailflow minutes …`: how a minutes draft is read, and where a meeting's minutes stand (flows/minutes.py).

One module per command group keeps cli.py a table of contents; what `minutes parse` computes lives
in diagnose.py, what it prints in cli_views.py.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import cli_views as views
from .cli_context import Ctx, echo_lines, emit_json, fail, parse_now


@click.group()
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
