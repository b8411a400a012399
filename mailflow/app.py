"""The App object: settings, store, clock, people, calendar, rules, renderer, inbox and mailer.

Built once by the CLI (or a test) and passed around. The inbox and the mailer are opened lazily so
that commands which only read the ledger never need a password or a network.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from . import core, dates, rules
from .config import ENV_IMAP_PASSWORD, ConfigError, Settings
from .people import Directory, DirectoryError, load_people
from .render import Renderer
from .resources import shipped
from .store import Store

log = logging.getLogger("mailflow")

# Reconnect delays (first, max) after the IMAP server went away: the daemon is back within ~8 s of
# the server, however long it was down (the library default of 60 s could miss mail for a minute;
# a refused TCP connect every few seconds costs nothing). IMAP only; a Maildir ignores it.
IMAP_BACKOFF = (1.0, 8.0)


class SystemClock:
    def now(self, tz) -> datetime:
        return datetime.now(tz)


class OffsetClock:
    """A pretend clock for `--now`: starts at the given moment and runs at normal speed."""

    def __init__(self, start: datetime):
        import time as _time
        self._mono = _time.monotonic
        self.start, self.t0 = start, _time.monotonic()

    def now(self, tz) -> datetime:
        return (self.start + timedelta(seconds=self._mono() - self.t0)).astimezone(tz)


class App:
    def __init__(self, settings: Settings, *, clock: Any = None, inbox: Any = None, mailer: Any = None):
        self.settings = settings
        self.clock = clock or SystemClock()
        self.store = Store(settings.path(settings.store.path))
        self._inbox, self._mailer = inbox, mailer
        self._closed = False
        self.load()

    # --- what SIGHUP reloads --------------------------------------------------------
    def load(self) -> None:
        s = self.settings
        self.directory = self._load_people()
        self.store.sync_people(self.directory.people)
        holidays = s.path(s.paths.holidays) if s.paths.holidays else self.rules_dir / "holidays.yaml"
        if not holidays.exists():
            holidays = shipped("rules") / "holidays.yaml"
        extra = dates.load_holidays(holidays) if holidays.exists() else None
        self.calendar = dates.WorkCalendar(extra, tz=s.tz, work_start=s.schedule.work_start,
                                           work_end=s.schedule.work_end)
        from . import flows  # noqa: F401  (registers the flows' handlers, conditions and actions)
        self.rules = rules.load_rules(self.rules_dir)
        errors = rules.check(self.rules)
        if errors:
            raise rules.RuleError("\n".join(errors))
        templates = [s.path(s.paths.templates)] if s.paths.templates else []
        local = s.base_dir / "templates"
        if not templates and local.is_dir():
            templates = [local]
        self.renderer = Renderer(templates, org_name=s.org.name, address=s.org.address,
                                 default_lang=s.org.language)
        self.clockwork = rules.Clockwork(tz=s.tz, work_start=s.schedule.work_start,
                                         work_end=s.schedule.work_end, calendar=self.calendar)

    @property
    def rules_dir(self) -> Path:
        s = self.settings
        if s.paths.rules:
            return s.path(s.paths.rules)
        local = s.base_dir / "rules"
        return local if local.is_dir() else shipped("rules")

    def _load_people(self) -> Directory:
        path = self.settings.path(self.settings.org.people)
        if not path.exists():
            if self.settings.source != "(embedded defaults)" and self.settings.org.people != "./people.yaml":
                raise ConfigError(f"{self.settings.source}: [org] people: file not found: {path}")
            return Directory([])
        try:
            return load_people(path)
        except DirectoryError as e:
            raise ConfigError(str(e)) from None

    # --- edges -------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now(self.settings.tz)

    @property
    def inbox(self):
        if self._inbox is None:
            from .mailbox import open_inbox
            mb = self.settings.mailbox
            if not mb.url.startswith("maildir:") and not mb.password:
                raise ConfigError(f"{self.settings.source}: [mailbox] url: an IMAP mailbox needs "
                                  f"${ENV_IMAP_PASSWORD}")
            self._inbox = open_inbox(mb.url, mb.password, checkpoint=self.store.checkpoint(),
                                     base_dir=self.settings.base_dir, processed=mb.processed,
                                     processed_folder=mb.processed_folder, verify_tls=mb.verify_tls,
                                     backoff=IMAP_BACKOFF, max_message_bytes=mb.max_message_bytes)
        return self._inbox

    @property
    def mailer(self):
        if self._mailer is None:
            from .mailer import open_mailer
            sm = self.settings.smtp
            self._mailer = open_mailer(sm.url, sm.password, base_dir=self.settings.base_dir,
                                       verify_tls=sm.verify_tls, timeout=sm.timeout)
        return self._mailer

    def org(self) -> core.Org:
        o = self.settings.org
        return core.Org(address=o.address, name=o.name, language=o.language, timezone=o.timezone,
                        admin=o.admin or None, cc_department_heads=o.cc_department_heads,
                        trusted_authserv_id=o.trusted_authserv_id, secret=self.settings.secret,
                        plus_addressing=o.plus_addressing)

    def context(self, now: datetime) -> core.Context:
        return core.Context(directory=self.directory, calendar=self.calendar, org=self.org(), now=now,
                            lookup=self.store, ids=core.Ids(self.store.next_id), clockwork=self.clockwork)

    def close(self) -> None:
        """Close the inbox and the store; a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        for edge in (self._inbox,):
            if edge is not None:
                try:
                    edge.close()
                except Exception:  # closing a dead connection must not hide the real error
                    log.debug("closing %s failed", edge, exc_info=True)
        self.store.close()
