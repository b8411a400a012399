"""`mailflow init`: the sample mailflow.toml, people.yaml and meeting.yaml of the quick start.

The samples ship in mailflow/samples/; this module copies them into a folder (never over an existing
file) and dates the sample meeting so that the quick start's notices are neither past nor short
notice. It lives beside the App, not in cli.py, because it is what `init` does, not how it is printed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

from .config import ConfigError, load_settings
from .model import DEFAULT_TIMEZONE
from .resources import shipped

SAMPLES = {"mailflow.toml": "mailflow.toml", "people.yaml": "people.yaml", "meeting.yaml": "meeting.yaml"}
SAMPLE_LEAD_WORKDAYS = 2                # the notice rule warns below 2 working days (rules/meetings.yaml)
SAMPLE_HOURS = (10, 12)                 # the sample meeting: 10:00-12:00 local


def sample_meeting_day(now: datetime, tz: str) -> date:
    """The sample meeting's day: the working day SAMPLE_LEAD_WORKDAYS working days after today in
    zone `tz` (China's calendar with 调休)."""
    from .read import dates
    holidays = shipped("rules") / "holidays.yaml"
    cal = dates.WorkCalendar(dates.load_holidays(holidays) if holidays.exists() else None)
    return cal.add_workdays(now.astimezone(ZoneInfo(tz)).date(), SAMPLE_LEAD_WORKDAYS)


def dated_sample_meeting(text: str, day: date) -> str:
    """The sample meeting.yaml with its start and end moved to `day`."""
    start, end = SAMPLE_HOURS
    text = re.sub(r"^start:[ \t]*\S+[ \t]+\S+", f"start: {day.isoformat()} {start:02d}:00", text, count=1, flags=re.M)
    return re.sub(r"^end:[ \t]*\S+[ \t]+\S+", f"end: {day.isoformat()} {end:02d}:00", text, count=1, flags=re.M)


def folder_timezone(target: Path) -> str:
    """[org] timezone of the folder's mailflow.toml; the default when it cannot be read (init never
    judges a config it keeps: `mailflow status` there says what is wrong with it)."""
    try:
        return load_settings(str(target / "mailflow.toml")).org.timezone
    except ConfigError:
        return DEFAULT_TIMEZONE


def write_samples(target: Path, now: datetime | None) -> Iterator[tuple[bool, Path]]:
    """Write the samples into `target` and make mail/inbox and mail/sent; yields (written, path) per
    sample, False for a file that exists and is kept. The meeting is dated in the [org] timezone of
    the folder's mailflow.toml (the sample's, or the one kept), and so is a naive `now`; None is
    the current time."""
    target.mkdir(parents=True, exist_ok=True)
    for name, sample in SAMPLES.items():
        dest = target / name
        if dest.exists():
            yield False, dest
            continue
        text = (shipped("samples") / sample).read_text(encoding="utf-8")
        if name == "meeting.yaml":
            tz = folder_timezone(target)
            if now is not None and now.tzinfo is None:
                now = now.replace(tzinfo=ZoneInfo(tz))
            text = dated_sample_meeting(text, sample_meeting_day(now or datetime.now(ZoneInfo(tz)), tz))
        dest.write_text(text, encoding="utf-8")
        yield True, dest
    for sub in ("mail/inbox", "mail/sent"):
        (target / sub).mkdir(parents=True, exist_ok=True)
