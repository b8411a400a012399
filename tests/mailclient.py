"""What a person's mail client does with a mail mailflow sent: list its one-click mailto: answers,
press one, open its calendar invitation or its .ics attachment.

Shared by test_meeting_by_mail, test_task_decisions and test_month_scenario, so that no test file
imports another.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from icalendar import Calendar

from apphelp import SHARED, body_text
from mailflow.testing import make_mail


def links(mail) -> dict[str, tuple[str, str]]:
    """The mail's one-click answers: label -> (subject, body) of the mailto: link on that line."""
    out = {}
    for line in body_text(mail).replace("\r\n", "\n").splitlines():
        if "<mailto:" in line:
            href = line[line.index("<mailto:") + 1:line.rindex(">")]
            q = parse_qs(urlsplit(href).query)
            out[line.split("<mailto:")[0].strip()] = (unquote(q["subject"][0]), q["body"][0].replace("\r\n", "\n"))
    return out


def click(svc, sender, subject_body, now: datetime, *, date: str | None = None) -> str:
    """What a mail client sends for a mailto: link, read at `now`: a new mail to the shared address,
    no In-Reply-To, dated `date` (by default `now`)."""
    subject, body = subject_body
    raw = make_mail(sender, body, to=SHARED, subject=subject, date=date or format_datetime(now))
    return svc.ingest.process_raw(raw, "t", now)


def one_click(msg) -> list[str]:
    """The prefilled bodies of the mail's one-click answers."""
    return [unquote(b) for b in re.findall(r"body=([^>\s\"]+)", body_text(msg))]


def vevent(mail):
    """(VEVENT, method) of the mail's text/calendar part: what the calendar shows as the invitation."""
    part = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    return next(c for c in Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")), part.get_param("method")


def ics_of(msg, name="due-T1.ics") -> str:
    """The text of the .ics file attached under `name`, or "" when there is none."""
    for part in msg.iter_attachments():
        if part.get_filename() == name:
            data = part.get_content()
            return data.decode() if isinstance(data, bytes) else data
    return ""
