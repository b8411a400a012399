"""The minutes fill-in template sent to the recorder (templates/<lang>/minutes__fill_in.txt).

The golden files under tests/golden/minutes_template/ were written by the template as it was when
its texts still lived in a Python dict: moving the words into jinja2 files changed no byte of what
a recorder receives, in any of the three languages, for a full meeting or a bare one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailflow.model import AgendaItem, Attendee, Meeting, Role
from mailflow.read.people import Directory
from mailflow.write.minutes_template import template_text
from minuteshelp import full

GOLDEN = Path(__file__).parent / "golden" / "minutes_template"
SH = ZoneInfo("Asia/Shanghai")

PEOPLE = Directory.from_data({"people": [
    {"name": "张伟", "email": "zhangwei@example.com", "department": "市场部"},
    {"name": "王芳", "email": "wangfang@example.com", "department": "技术部"},
    {"name": "王磊", "email": "wanglei@example.com", "department": "技术部"},
    {"name": "周敏", "email": "zhoumin@example.com", "department": "财务部"},
    {"name": "Kim Lee", "email": "kim@example.com"},                      # no department
]})


def bare() -> Meeting:
    """No place, no agenda, no recorder; people mailflow does not know; it ends the next day in Berlin."""
    berlin = ZoneInfo("Europe/Berlin")
    return Meeting(
        id=8, uid="m8@mailflow", title="Release retro  ", tz="Europe/Berlin",
        start=datetime(2026, 12, 4, 22, 0, tzinfo=berlin), end=datetime(2026, 12, 5, 1, 0, tzinfo=berlin),
        host="outsider@elsewhere.example",
        attendees=[Attendee("outsider@elsewhere.example", Role.HOST),
                   Attendee("kim@example.com", Role.REQUIRED),
                   Attendee("named@partner.example", Role.REQUIRED, name="Partner Pat"),
                   Attendee("nameless@partner.example", Role.REQUIRED)],
    )


def online_only() -> Meeting:
    """An online link without a room; agenda items without owner, without minutes, one unnumbered."""
    return Meeting(
        id=9, uid="m9@mailflow", title="周会",
        start=datetime(2026, 11, 20, 9, 0, tzinfo=SH), end=datetime(2026, 11, 20, 9, 30, tzinfo=SH),
        online="https://meet.example/abc", host="kim@example.com", recorder="named@partner.example",
        attendees=[Attendee("kim@example.com", Role.HOST),
                   Attendee("named@partner.example", Role.RECORDER, name="Partner Pat")],
        agenda=[AgendaItem(0, "进度同步", None, None), AgendaItem(2, "风险", "named@partner.example", 5)],
    )


CASES = {"full": (full, 3), "bare": (bare, 3), "online_only": (online_only, 1)}
LANGS = ["zh-CN", "zh-TW", "en"]                # config and people.yaml accept only these


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_template_is_byte_for_byte_what_it_was(case, lang):
    make, blank = CASES[case]
    expected = (GOLDEN / f"{case}.{lang}.txt").read_bytes().decode("utf-8")
    assert template_text(make(), PEOPLE, lang, blank_items=blank) == expected


def test_a_language_without_a_template_gets_the_chinese_one_whole():
    # (before templates/, an unknown language got Chinese words around an English weekday "(Fri)";
    # config and people.yaml never let one through, so the whole zh-CN form is the fallback now)
    assert template_text(full(), PEOPLE, "fr") == template_text(full(), PEOPLE, "zh-CN")
    assert template_text(full(), PEOPLE, "../en") == template_text(full(), PEOPLE, "zh-CN")


def test_without_blank_items_the_template_ends_with_the_action_items_note():
    text = template_text(full(), PEOPLE, "en", blank_items=0)
    assert text.endswith("4. Action items\n※ Need more action items? Copy a Task/Owner/Collaborators/Due/"
                         "Deliverable group and renumber it.\n")


def test_a_value_from_a_meeting_is_text_not_template_code():
    m = full()
    m.title = "{{ 7*7 }} {% if true %}x{% endif %}"
    assert "会议名称：{{ 7*7 }} {% if true %}x{% endif %}\n" in template_text(m, PEOPLE)
