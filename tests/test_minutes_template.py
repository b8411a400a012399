"""The minutes fill-in template sent to the recorder (templates/<lang>/minutes__fill_in.txt).

The golden files under tests/golden/minutes_template/ were written by the template as it was when
its texts still lived in a Python dict: moving the words into jinja2 files changed no byte of what
a recorder receives, in any of the three languages, for a full meeting or a bare one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailflow.model import AgendaItem, Attendee, Meeting, Role
from mailflow.read.people import Directory
from mailflow.write.minutes_template import template_text
from apphelp import body_text, make_app
from minuteshelp import END, full, meeting, requested

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


# --- an operator's own template ([paths] templates) ------------------------------------------------
def operator_site(tmp_path, files: dict[str, str]):
    """The minutes world with `[paths] templates = "./my-templates"` holding the operator's `files`."""
    for name, text in files.items():
        path = tmp_path / "my-templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    app, svc, clock = make_app(tmp_path, END - timedelta(hours=1), paths={"templates": "./my-templates"})
    return app, svc, clock, app.store.save_meeting(meeting(), END - timedelta(days=3))


def plain(mail) -> str:
    return body_text(mail).replace("\r\n", "\n")


OUR_FORM = """\
【市场中心纪要格式】
会议：{{ title }}（{{ start.month }}月{{ start.day }}日）
主持人：{{ host.name }}　记录人：{{ recorder.name }}
一、结论
二、待办（事项｜负责人｜截止日期）
"""


def test_an_operators_own_minutes_form_is_the_one_the_recorder_receives(tmp_path):
    world = operator_site(tmp_path, {"zh-CN/minutes__fill_in.txt": OUR_FORM})
    app = world[0]
    req = requested(world)
    for part in (plain(req), req.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")):
        assert "【市场中心纪要格式】\n会议：Q4营销活动筹备会（11月19日）\n主持人：王磊　记录人：孙丽\n一、结论" in part
        assert "四、行动项" not in part and "协同人：" not in part       # nothing of the shipped form
    assert "请提交会议纪要" in req["Subject"]                            # the other mails stay shipped
    app.close()


def test_without_their_own_minutes_form_the_recorder_gets_the_shipped_one(tmp_path):
    # the operator rewrote the request's wording only; the form inside it is the shipped one, unchanged
    world = operator_site(tmp_path, {"zh-CN/minutes_request.txt":
                                     "Subject: 纪要请交：{{ meeting.title }}\n{{ name }}：请按下面的模板写纪要。\n\n{{ template }}\n"})
    app, svc, clock, m = world
    req = requested(world)
    shipped_form = template_text(app.store.get_meeting(m.id), app.directory, "zh-CN")
    assert req["Subject"].endswith("纪要请交：Q4营销活动筹备会")
    assert plain(req).startswith("孙丽：请按下面的模板写纪要。\n\n" + shipped_form)
    app.close()
