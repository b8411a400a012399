"""The sample meeting of tests/fixtures/meetings/ (meeting.yaml, 2026-11-25 14:00-16:00, hosted by
王磊), added as `mailflow meeting add` adds it, with the UID its client reply fixtures answer.

Shared by test_meetings, test_calendar_flow and test_meeting_by_mail, which wrote these the same way.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from apphelp import SH, add_meeting
from mailflow.flows import meetings

FIX = Path(__file__).resolve().parent / "fixtures" / "meetings"
UID = "mf-1@corp.example"                        # the UID the client reply fixtures answer
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=SH)    # Wednesday; the meeting is next Wednesday 14:00


def at(*args) -> datetime:
    """A time in Shanghai: at(2026, 11, 18, 20, 30)."""
    return datetime(*args, tzinfo=SH)


def sample() -> dict:
    """meeting.yaml as data, to change a field before adding it."""
    return yaml.safe_load((FIX / "meeting.yaml").read_text(encoding="utf-8"))


def create(app, svc, now=NOW, data=None, uid=UID):
    """Add the sample meeting (or `data`) as `mailflow meeting add` does: one transaction."""
    m = meetings.from_data(data or sample(), app.directory)
    m.uid = uid
    out = add_meeting(app, svc, m, now)
    return app.store.get_meeting(out.meetings[0].id)
