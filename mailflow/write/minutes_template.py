"""The plain-text minutes template mailflow sends the recorder, filled with the meeting's facts.

Pure apart from reading the template. The words live in templates/<lang>/minutes__fill_in.txt
(jinja2), looked up as every mail template is (render.template_loader): an operator's own copy in
their `[paths] templates` folder first, else the shipped one. This module only gathers the facts:
the local start and end, who is who (name and department from people.yaml), the attendees grouped by
department and the agenda. `read.minutes.parse` reads a filled-in copy back: the decisions under
决议结果 and one action item per filled 任务 group; the information and discussion sections are never
read as tasks. A language without a template gets the zh-CN one.
"""

from __future__ import annotations

import functools
import re
from typing import Sequence
from zoneinfo import ZoneInfo

import jinja2

from ..model import Meeting
from ..read.people import Directory
from .render import template_loader

TEMPLATE = "minutes__fill_in.txt"
_LANG_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")     # zh-CN, en: never a path


@functools.lru_cache(maxsize=8)
def _env(template_dirs: tuple[str, ...]) -> jinja2.Environment:
    # values are data, never compiled; the form is plain text, so nothing is HTML-escaped. One
    # environment per set of folders: jinja2 sees an edited or removed file (auto_reload)
    return jinja2.Environment(loader=template_loader(template_dirs), autoescape=False,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _template(lang: str, template_dirs: tuple[str, ...]) -> jinja2.Template:
    env = _env(template_dirs)
    if _LANG_TAG.fullmatch(lang or ""):
        try:
            return env.get_template(f"{lang}/{TEMPLATE}")
        except jinja2.TemplateNotFound:
            pass
    return env.get_template(f"zh-CN/{TEMPLATE}")


def _person(meeting: Meeting, directory: Directory, email: str | None) -> dict | None:
    """Name and department for the template: people.yaml first, else the invitation's name, else the address."""
    if not email:
        return None
    p = directory.get(email)
    if p is None:
        a = meeting.attendee(email)
        return {"name": a.name if a and a.name else email, "department": ""}
    return {"name": p.name, "department": p.department}


def _by_department(meeting: Meeting, directory: Directory, optional: bool) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for a in meeting.attendees:
        if a.required == optional:
            continue
        p = directory.get(a.email)
        dept = p.department if p else ""
        groups.setdefault(dept, []).append(p.name if p else (a.name or a.email))
    return list(groups.items())


def template_text(meeting: Meeting, directory: Directory, lang: str = "zh-CN", blank_items: int = 3,
                  template_dirs: Sequence[str] = ()) -> str:
    """The plain-text minutes template for the recorder, filled with the meeting's facts and agenda;
    `template_dirs` are the operator's template folders ([paths] templates), looked in first."""
    tz = ZoneInfo(meeting.tz) if meeting.tz else meeting.start.tzinfo
    start, end = meeting.start.astimezone(tz), meeting.end.astimezone(tz)
    text = _template(lang, tuple(template_dirs)).render(
        title=meeting.title, start=start, end=end, same_day=end.date() == start.date(),
        location=meeting.location, online=meeting.online,
        host=_person(meeting, directory, meeting.host), recorder=_person(meeting, directory, meeting.recorder),
        required=_by_department(meeting, directory, False), optional=_by_department(meeting, directory, True),
        agenda=[{"seq": i.seq, "title": i.title, "owner": _person(meeting, directory, i.owner),
                 "minutes": i.minutes, "outcome": i.outcome} for i in meeting.agenda or []],
        blank_items=blank_items)
    # a line the recorder fills in ends at its label ("负责人：", "1."): no trailing spaces anywhere
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip() + "\n"
