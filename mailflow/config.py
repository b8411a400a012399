"""mailflow.toml + MAILFLOW_* environment -> validated Settings.

The file is found by --config, then $MAILFLOW_CONFIG, then ./mailflow.toml; with none of them the
embedded defaults apply (a Maildir inbox and outbox under ./mail, a SQLite file in ./). Secrets
come only from the environment and never appear in repr() or logs. Every error is a ConfigError
whose message names the file, the section and the key; the CLI turns it into exit status 2.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from urllib.parse import urlsplit

from .edges.urls import maildir_path
from .model import DEFAULT_TIMEZONE, LANGS
from .tokens import MIN_SECRET_LEN

ENV_CONFIG = "MAILFLOW_CONFIG"
ENV_IMAP_PASSWORD = "MAILFLOW_IMAP_PASSWORD"
ENV_SMTP_PASSWORD = "MAILFLOW_SMTP_PASSWORD"
ENV_SECRET = "MAILFLOW_SECRET"

MAILBOX_SCHEMES = ("maildir:", "imap://", "imaps://", "imap+starttls://")
SMTP_SCHEMES = ("maildir:", "smtp://", "smtps://", "smtp+starttls://")
# Below these a loop spins: poll_interval = 0 took 90 % of a CPU core polling an empty inbox.
MIN_POLL_SECONDS = 5.0
MIN_TICK_SECONDS = 1.0
# One bare address: no display name, no list, no quoting (a dot in the domain is not required: the
# embedded default is mailflow@localhost).
EMAIL_RE = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\.][^@\s<>,;:\"()\[\]\\]*$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class ConfigError(Exception):
    """A configuration problem; str() names the file, section and key."""


class Secret(str):
    """A string that never shows itself in repr() (and so in logged settings)."""

    def __repr__(self) -> str:
        return "Secret('***')"


@dataclass
class MailboxSettings:
    url: str = "maildir:./mail/inbox"
    poll_interval: float = 60.0          # seconds between polls when IDLE is not offered
    processed: str = "flag"              # flag | move
    processed_folder: str = "mailflow-done"
    verify_tls: bool = True              # false only for a self-signed lab server
    max_message_bytes: int = 25 * 1024 * 1024   # larger mail is stored as too_large, not read
    password: Secret | None = field(default=None, repr=False)


@dataclass
class SmtpSettings:
    url: str = "maildir:./mail/sent"
    verify_tls: bool = True
    timeout: float = 30.0
    max_attempts: int = 8                # 4xx/network retries before a mail is marked dead
    hourly_cap: int = 30                 # mails per recipient per hour; breaks mail loops
    password: Secret | None = field(default=None, repr=False)


@dataclass
class StoreSettings:
    path: str = "./mailflow.db"


@dataclass
class OrgSettings:
    name: str = "mailflow"
    address: str = "mailflow@localhost"  # the shared mailbox's address
    timezone: str = DEFAULT_TIMEZONE
    language: str = "zh-CN"
    people: str = "./people.yaml"
    plus_addressing: bool = False        # Reply-To: mailflow+<signed token>@domain
    trusted_authserv_id: str = ""        # when set: only mail whose topmost Authentication-Results from
                                         # this server vouches for the From domain may change anything (read/authresults.py)
    cc_department_heads: bool = True     # final minutes cc the attendees' managers
    admin: str = ""                      # a human who gets mail mailflow could not place or process


@dataclass
class ScheduleSettings:
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    quiet_hours: bool = True             # nothing goes out outside working hours on working days
    tick_seconds: float = 60.0
    receipts: str = "each"               # "each": a receipt per answer; "daily": one digest per person


@dataclass
class MeetingsSettings:
    # who is the ORGANIZER of the invites mailflow sends: "shared" (the shared mailbox, so that
    # calendar Accept/Decline buttons reach mailflow) or "host" (answers go to the host's mailbox)
    organizer: str = "shared"


@dataclass
class TasksSettings:
    # a delay asked for by the owner takes effect only on the host's 同意 (flows/task_decisions.on_decision)
    delay_needs_approval: bool = False


@dataclass
class PathSettings:
    templates: str = ""                  # empty: the shipped templates
    rules: str = ""                      # empty: the shipped rules
    holidays: str = ""                   # empty: rules/holidays.yaml in the rules folder


@dataclass
class Settings:
    mailbox: MailboxSettings = field(default_factory=MailboxSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    org: OrgSettings = field(default_factory=OrgSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    meetings: MeetingsSettings = field(default_factory=MeetingsSettings)
    tasks: TasksSettings = field(default_factory=TasksSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    secret: Secret | None = field(default=None, repr=False)
    source: str = "(embedded defaults)"
    base_dir: Path = field(default_factory=Path.cwd)

    def path(self, value: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.org.timezone)


SECTIONS = {"mailbox": MailboxSettings, "smtp": SmtpSettings, "store": StoreSettings,
            "org": OrgSettings, "schedule": ScheduleSettings, "meetings": MeetingsSettings,
            "tasks": TasksSettings, "paths": PathSettings}


def find_config(explicit: str | None, env: dict[str, str] | None = None) -> Path | None:
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit)
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG])
    local = Path("mailflow.toml")
    return local if local.exists() else None


def load_settings(explicit: str | None = None, env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    path = find_config(explicit, env)
    if path is None:
        settings = Settings()
    else:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: not valid TOML: {e}") from None
        settings = settings_from_dict(data, str(path))
        settings.base_dir = path.resolve().parent
        check_paths(settings)
    _apply_env(settings, env)
    return settings


def settings_from_dict(data: dict, source: str = "mailflow.toml") -> Settings:
    settings = Settings(source=source)
    for section, value in data.items():
        if section not in SECTIONS:
            raise ConfigError(f"{source}: unknown section [{section}] (known: {', '.join(SECTIONS)})")
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        target = getattr(settings, section)
        known = {f.name: f for f in fields(target) if f.name != "password"}
        for key, raw in value.items():
            if key not in known:
                hint = " (passwords come only from the environment)" if key in ("password", "secret") else ""
                raise ConfigError(f"{source}: [{section}] {key}: unknown key{hint}")
            setattr(target, key, _coerce(raw, getattr(target, key), f"{source}: [{section}] {key}"))
    _validate(settings)
    return settings


def _coerce(raw: object, default: object, where: str) -> object:
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise ConfigError(f"{where}: expected true or false, got {raw!r}")
        return raw
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw) or raw < 0:
            raise ConfigError(f"{where}: expected a non-negative number, got {raw!r}")
        return type(default)(raw)
    if isinstance(default, time):
        if isinstance(raw, time):
            return raw
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(raw))
        if not m or int(m[1]) > 23 or int(m[2]) > 59:
            raise ConfigError(f"{where}: expected a time like \"09:00\", got {raw!r}")
        return time(int(m[1]), int(m[2]))
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: expected a string, got {raw!r}")
    return raw


def _validate(s: Settings) -> None:
    src = s.source
    if not s.mailbox.url.startswith(MAILBOX_SCHEMES):
        raise ConfigError(f"{src}: [mailbox] url: {_shown(s.mailbox.url)!r} is not one of "
                          f"{', '.join(MAILBOX_SCHEMES)}")
    _check_url(f"{src}: [mailbox] url", s.mailbox.url, ENV_IMAP_PASSWORD, need_user=True)
    _check_url(f"{src}: [smtp] url", s.smtp.url, ENV_SMTP_PASSWORD, need_user=False)
    if s.mailbox.poll_interval < MIN_POLL_SECONDS:
        raise ConfigError(f"{src}: [mailbox] poll_interval: {s.mailbox.poll_interval:g} s is below the minimum "
                          f"of {MIN_POLL_SECONDS:g} s (a shorter interval only burns CPU; IDLE is used when offered)")
    if s.schedule.tick_seconds < MIN_TICK_SECONDS:
        raise ConfigError(f"{src}: [schedule] tick_seconds: must be at least {MIN_TICK_SECONDS:g}")
    if s.smtp.hourly_cap < 1:
        raise ConfigError(f"{src}: [smtp] hourly_cap: must be at least 1 (it is the mail-loop breaker; "
                          "0 would turn it off)")
    if s.smtp.timeout <= 0:
        raise ConfigError(f"{src}: [smtp] timeout: must be more than 0 seconds")
    _check_name(f"{src}: [org] name", s.org.name)
    if s.org.admin and not EMAIL_RE.match(s.org.admin.strip()):
        raise ConfigError(f"{src}: [org] admin: {s.org.admin!r} is not an email address")
    if s.mailbox.processed not in ("flag", "move"):
        raise ConfigError(f"{src}: [mailbox] processed: expected \"flag\" or \"move\", got {s.mailbox.processed!r}")
    if not s.smtp.url.startswith(SMTP_SCHEMES):
        raise ConfigError(f"{src}: [smtp] url: {_shown(s.smtp.url)!r} is not one of {', '.join(SMTP_SCHEMES)}")
    if s.mailbox.max_message_bytes < 64 * 1024:
        raise ConfigError(f"{src}: [mailbox] max_message_bytes: must be at least 65536 (64 KB), "
                          f"got {s.mailbox.max_message_bytes}")
    if s.smtp.max_attempts < 1:
        raise ConfigError(f"{src}: [smtp] max_attempts: must be at least 1")
    try:
        ZoneInfo(s.org.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{src}: [org] timezone: unknown time zone {s.org.timezone!r}") from None
    if s.org.language not in LANGS:
        raise ConfigError(f"{src}: [org] language: {s.org.language!r} is not one of {', '.join(LANGS)}")
    if not EMAIL_RE.match(s.org.address):
        raise ConfigError(f"{src}: [org] address: {s.org.address!r} is not an email address")
    if s.schedule.work_start >= s.schedule.work_end:
        raise ConfigError(f"{src}: [schedule] work_start: must be before work_end")
    if s.schedule.receipts not in ("each", "daily"):
        raise ConfigError(f"{src}: [schedule] receipts: expected \"each\" or \"daily\", "
                          f"got {s.schedule.receipts!r}")
    if s.meetings.organizer not in ("shared", "host"):
        raise ConfigError(f"{src}: [meetings] organizer: expected \"shared\" or \"host\", "
                          f"got {s.meetings.organizer!r}")


def _shown(url: str) -> str:
    """A URL as it may appear in a message: never with what stands before the host (user:password)."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}…@{rest.rpartition('@')[2]}" if sep and "@" in rest else url


def _check_url(where: str, url: str, env_name: str, *, need_user: bool) -> None:
    """A server URL: a host, a user where login needs one, and never a password (that is $env_name)."""
    if url.startswith("maildir:"):
        try:
            maildir_path(url)           # the reader open_inbox/open_mailer use, so load refuses what they would
        except ValueError as e:
            raise ConfigError(f"{where}: {e}") from None
        return
    parts = urlsplit(url)
    if parts.password is not None or ":" in (parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""):
        raise ConfigError(f"{where}: {_shown(url)!r} holds a password; remove it from the URL and set "
                          f"${env_name} instead")
    if not parts.hostname:
        raise ConfigError(f"{where}: {_shown(url)!r} has no host, e.g. imaps://USER@HOST:993/INBOX")
    if need_user and not parts.username:
        raise ConfigError(f"{where}: {url!r} has no user name: write scheme://USER@HOST/… "
                          "(an '@' inside the user name is written %40)")
    try:
        parts.port
    except ValueError:
        raise ConfigError(f"{where}: {_shown(url)!r} has an invalid port") from None


def _check_name(where: str, name: str) -> None:
    """A display name from the config: one line (CR/LF would let it write headers of its own)."""
    if not name.strip():
        raise ConfigError(f"{where}: must not be empty")
    if _CONTROL_RE.search(name):
        raise ConfigError(f"{where}: {name!r} contains a line break or another control character")


def check_paths(s: Settings) -> None:
    """Folders and files the config names exist (relative to the config file's folder). A missing
    rules folder would otherwise mean: no reminders at all, without a word."""
    for key, kind in (("rules", "folder"), ("templates", "folder"), ("holidays", "file")):
        value = getattr(s.paths, key)
        if not value:
            continue
        p = s.path(value)
        if not (p.is_dir() if kind == "folder" else p.is_file()):
            raise ConfigError(f"{s.source}: [paths] {key}: {kind} not found: {p}")


def _apply_env(s: Settings, env: dict[str, str]) -> None:
    if env.get(ENV_IMAP_PASSWORD):
        s.mailbox.password = Secret(env[ENV_IMAP_PASSWORD])
    if env.get(ENV_SMTP_PASSWORD):
        s.smtp.password = Secret(env[ENV_SMTP_PASSWORD])
    if env.get(ENV_SECRET):
        s.secret = Secret(env[ENV_SECRET])
    if s.org.plus_addressing and not s.secret:
        raise ConfigError(f"{s.source}: [org] plus_addressing: needs the signing key in ${ENV_SECRET}")
    if s.secret is not None and len(s.secret) < MIN_SECRET_LEN:
        raise ConfigError(f"{s.source}: ${ENV_SECRET}: at least {MIN_SECRET_LEN} characters, so reply "
                          "tokens cannot be forged by guessing it (e.g. `openssl rand -hex 16`)")
