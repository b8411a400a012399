"""What every `mailflow` command shares: the click context object, --now, failing with an exit status.

The group modules (cli.py and cli_meetings.py, cli_minutes.py, cli_tasks.py, cli_checks.py) all
import from here and cli.py imports them, so this module sits below both and there is no import
cycle. Exit status: 0 success, 1 the command failed (e.g. an unknown id), 2 a configuration or
usage error.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import NoReturn
from zoneinfo import ZoneInfo

import click

from . import cli_views as views
from .config import ConfigError, load_settings


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


def fail_config(e: Exception) -> NoReturn:
    fail(f"configuration error: {e}", 2)


def emit_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str))


def echo_lines(lines) -> None:
    for line in lines:
        click.echo(line)


def commit_change(obj: Ctx, now_text: str | None, change, errors, code: int, *, load) -> None:
    """Run `change(ctx) -> Outcome` and commit it in one store transaction (the mails are queued for
    `mailflow run`); one of `errors` (bad input) exits with `code`. The flow decides over the
    Snapshot `load(store)` reads first, in that transaction (edges/snapshot.py), as an inbound
    mail's does: it never queries the store halfway, and the next ids it numbers are still free."""
    from .outbox import Outbox
    app = obj.app_at(now_text)
    now = app.now()
    try:
        with app.store.transaction():
            out = change(app.context(now, load(app.store)))
            Outbox(app).commit(out, now)
    except errors as e:
        fail(str(e), code)
    echo_lines(views.outcome_lines(out))
