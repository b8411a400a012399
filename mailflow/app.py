"""The App object: settings, store, clock, people, calendar, rules, renderer, inbox and mailer.

Built once by the CLI (or a test) and passed around. The inbox and the mailer are opened lazily so
that commands which only read the ledger never need a password or a network.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .flows import dispatch
from .read import dates
from .timeline import moments, rules
from .config import ENV_IMAP_PASSWORD, ConfigError, Secret, Settings
from .model import Mail, Meeting, Snapshot, Task
from .read.people import Directory, DirectoryError, load_people, removed_owners
from .write.render import Renderer
from .resources import shipped
from .edges.store import Store

log = logging.getLogger("mailflow")

# Reconnect delays (first, max) after the IMAP server went away: the daemon is back within ~8 s of
# the server, however long it was down (the library default of 60 s could miss mail for a minute;
# a refused TCP connect every few seconds costs nothing). IMAP only; a Maildir ignores it.
IMAP_BACKOFF = (1.0, 8.0)
INSTALL_SECRET = "install_secret"        # the meta row holding install_secret()


def owner_removed_mails(gone: dict[str, list[Task]], old: Directory, new: Directory,
                        meetings: dict[int, Meeting | None], org: dispatch.Org) -> list[Mail]:
    """One mail per (removed owner, host) listing the owner's open tasks of that host's meetings, so
    someone gives them a new owner; tasks without a meeting host go to [org] admin. Pure."""
    mails = []
    for email, tasks in sorted(gone.items()):
        by_host: dict[str, list[Task]] = {}
        for t in tasks:
            m = meetings.get(t.meeting_id) if t.meeting_id is not None else None
            host = (m.host if m and m.host else None) or org.admin
            if host and host != email:
                by_host.setdefault(host.lower(), []).append(t)
        for host, own in sorted(by_host.items()):
            ids = ",".join(str(t.id) for t in own)
            lang = new.language_of(host, org.language)
            rows = [{"id": t.id, "title": t.title, "due": t.due,
                     "meeting": (meetings.get(t.meeting_id).title if meetings.get(t.meeting_id) else "—")}
                    for t in own]
            mails.append(Mail(key=f"owner_removed:{email}:{host}:{ids}", template="owner_removed", to=[host],
                              lang=lang, kind="owner_removed",
                              context={"name": new.name_of(host), "person": email,
                                       "person_name": old.name_of(email), "tasks": rows}))
    return mails


def install_secret(store: Store) -> Secret:
    """This installation's own random secret, made at first start and kept in the store: it goes into
    every Message-ID, so two installations never give different mails the same ID. Never logged."""
    value = store.get_meta(INSTALL_SECRET)       # a plain read: commands that only read never lock
    if not value:
        with store.transaction():                # two first starts at once agree on one secret
            value = store.get_meta(INSTALL_SECRET)
            if not value:
                value = secrets.token_hex(16)
                store.set_meta(INSTALL_SECRET, value)
    return Secret(value)


def rules_folder(settings: Settings) -> Path:
    """The rules in use: [paths] rules, else ./rules beside the config, else the shipped ones."""
    if settings.paths.rules:
        return settings.path(settings.paths.rules)
    local = settings.base_dir / "rules"
    return local if local.is_dir() else shipped("rules")


def work_calendar(settings: Settings) -> dates.WorkCalendar:
    """The working-day calendar: China's 调休 plus holidays.yaml ([paths] holidays, else the rules
    folder's, else the shipped one), in [org] timezone and [schedule] work hours. The App and the
    commands that read dates without a store (`when`, `explain`) build it here, so they agree."""
    s = settings
    holidays = s.path(s.paths.holidays) if s.paths.holidays else rules_folder(s) / "holidays.yaml"
    if not holidays.exists():
        holidays = shipped("rules") / "holidays.yaml"
    extra = dates.load_holidays(holidays) if holidays.exists() else None
    return dates.WorkCalendar(extra, tz=s.tz, work_start=s.schedule.work_start, work_end=s.schedule.work_end)


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
        self.install_secret = install_secret(self.store)
        self._inbox, self._mailer = inbox, mailer
        self._closed = False
        self.load()

    # --- what SIGHUP reloads --------------------------------------------------------
    def load(self) -> list[Mail]:
        """(Re)read people, holidays, rules and templates. Everything is read before anything is
        replaced, so a broken file leaves the previous configuration in place. Returns the notes
        for hosts about owners who left people.yaml with open tasks (empty at first start)."""
        s = self.settings
        old = getattr(self, "directory", None)
        directory = self._load_people()
        calendar = work_calendar(s)
        from .flows import register
        handlers = register.build_handlers()               # the inbound chain, each name once
        timeline = rules.collect(register.flow_modules())   # the rules' actions and conditions, each name once
        folder = rules_folder(s)
        loaded = rules.load_rules(folder)
        errors = rules.check(loaded, timeline) or ([] if loaded else [
            f"{folder}: no rules: mailflow would send no reminder, escalation or follow-up table "
            "(a ./rules folder next to the config replaces the shipped rules; copy them in, or put only "
            "holidays in [paths] holidays)"])
        if errors:
            raise rules.RuleError("\n".join(errors))
        templates = [s.path(s.paths.templates)] if s.paths.templates else []
        local = s.base_dir / "templates"
        if not templates and local.is_dir():
            templates = [local]
        renderer = Renderer(templates, org_name=s.org.name, address=s.org.address,
                            default_lang=s.org.language, id_salt=self.install_secret)
        self.directory, self.calendar, self.rules, self.renderer = directory, calendar, loaded, renderer
        self.timeline = timeline
        self.handlers = handlers
        self.store.sync_people(directory.people)
        self.clockwork = moments.Clockwork(tz=s.tz, work_start=s.schedule.work_start,
                                           work_end=s.schedule.work_end, calendar=self.calendar)
        if old is None:
            return []
        gone = removed_owners(old, directory, self.store.tasks(open_only=True))
        meetings = {t.meeting_id: self.store.get_meeting(t.meeting_id)
                    for tasks in gone.values() for t in tasks if t.meeting_id is not None}
        return owner_removed_mails(gone, old, directory, meetings, self.org())

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
            from .edges.mailbox import open_inbox
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
            from .edges.mailer import open_mailer
            sm = self.settings.smtp
            self._mailer = open_mailer(sm.url, sm.password, base_dir=self.settings.base_dir,
                                       verify_tls=sm.verify_tls, timeout=sm.timeout)
        return self._mailer

    def org(self) -> dispatch.Org:
        o = self.settings.org
        return dispatch.Org(address=o.address, name=o.name, language=o.language, timezone=o.timezone,
                        admin=o.admin or None, cc_department_heads=o.cc_department_heads,
                        trusted_authserv_id=o.trusted_authserv_id, secret=self.settings.secret,
                        plus_addressing=o.plus_addressing, id_salt=self.install_secret,
                        meeting_organizer=self.settings.meetings.organizer,
                        delay_needs_approval=self.settings.tasks.delay_needs_approval,
                        receipts=self.settings.schedule.receipts, templates=self.renderer.template_dirs)

    def context(self, now: datetime, snapshot: Snapshot) -> dispatch.Context:
        """The flows' Context over `snapshot`, every store read the decision may make, loaded before
        the call (edges/snapshot.py for an inbound mail and a CLI change, snapshot.for_step for a rule
        step); new rows are numbered from its next_ids. A decision that reads nothing stored (the
        admin's copy of a mail that failed) passes an empty Snapshot(): a stray read raises NotLoaded."""
        return dispatch.Context(directory=self.directory, calendar=self.calendar, org=self.org(), now=now,
                            lookup=snapshot, ids=dispatch.Ids(snapshot.next_ids.__getitem__),
                            clockwork=self.clockwork)

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
