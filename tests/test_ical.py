"""mailflow.write.ical_out and mailflow.read.ical_in: invites built and parsed back, iMIP replies and outside invites, ical.js.

Golden files: set MAILFLOW_UPDATE_GOLDEN=1 to rewrite tests/fixtures/ical/golden_*.ics.
"""

from __future__ import annotations

import os
import random
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mailflow.read.agenda_text import agenda_lines
from mailflow.read.ical_in import calendar_method, parse_invites, parse_replies
from mailflow.read.ical_zones import iana_zone
from mailflow.write.ical_out import build_due_entry, build_invite
from mailflow.model import AgendaItem, Attendee, Meeting, Role, Rsvp, Task
from icaljs import require_ical_js, run_ical_js

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "ical"
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=SH)
NAMES = {
    "wanglei@corp.example": "王磊",
    "sunli@corp.example": "孙丽",
    "liuyang@corp.example": "刘洋",
    "zhangwei@corp.example": "张伟",
    "lina@corp.example": "李娜",
    "chenjing@corp.example": "陈静",
}
SHARED = "meetings@corp.example"
ORGANIZER_CN = "王磊（主持人） via 会议助手"


def names(email: str) -> str:
    return NAMES.get(email, email)


def meeting(**kw) -> Meeting:
    m = Meeting(
        id=1, uid="mf-1@corp.example", title="Q4营销活动筹备会",
        start=datetime(2026, 11, 25, 14, 0, tzinfo=SH), end=datetime(2026, 11, 25, 16, 0, tzinfo=SH),
        goal="明确市场、销售、产品、设计四部门活动分工及时间节点",
        location="公司3楼会议室A", online="腾讯会议 123-456-789",
        host="wanglei@corp.example", recorder="sunli@corp.example", preparer="liuyang@corp.example",
        attendees=[
            Attendee("wanglei@corp.example", Role.HOST),
            Attendee("sunli@corp.example", Role.RECORDER),
            Attendee("liuyang@corp.example", Role.PREPARER),
            Attendee("zhangwei@corp.example", Role.REQUIRED),
            Attendee("lina@corp.example", Role.REQUIRED),
            Attendee("chenjing@corp.example", Role.OPTIONAL),
        ],
        agenda=[
            AgendaItem(1, "市场部需求文档提交时间及优先级", "zhangwei@corp.example", 15,
                       "明确需求文档最终版本提交时间及功能优先级排序", "初步需求清单"),
            AgendaItem(2, "设计部物料排期", "lina@corp.example", 10, "确定海报与落地页交付日期"),
            AgendaItem(3, "销售渠道与预算", "wanglei@corp.example", 15, "预算分配方案"),
        ],
        sequence=0,
    )
    for key, value in kw.items():
        setattr(m, key, value)
    return m


def request(**kw) -> bytes:
    return build_invite(meeting(**kw), NOW, names=names, organizer_email=SHARED, organizer_name=ORGANIZER_CN)


def cancel(seq: int = 1) -> bytes:
    return build_invite(meeting(sequence=seq, status="cancelled", cancel_reason="客户临时调整"),
                        NOW + timedelta(days=1), method="CANCEL", names=names, organizer_email=SHARED,
                        organizer_name=ORGANIZER_CN)


def due_entry(**kw) -> bytes:
    task = Task(id=7, title="提交需求文档最终版", owner="zhangwei@corp.example", due=date(2026, 12, 1),
                meeting_id=1, deliverable="需求文档（含功能优先级）", **kw)
    return build_due_entry(task, "Q4营销活动筹备会", NOW, "corp.example", owner_name="张伟",
                           organizer_email=SHARED)


def vevent(data: bytes):
    cal = Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def attendees(ev) -> dict[str, dict]:
    out = {}
    atts = ev.get("ATTENDEE")
    for a in atts if isinstance(atts, list) else [atts]:
        email = str(a).split(":", 1)[1].lower()
        assert email not in out, f"{email} listed twice"
        out[email] = dict(a.params)
    return out


def normalise(data: bytes) -> bytes:
    return re.sub(rb"DTSTAMP:\d{8}T\d{6}Z", b"DTSTAMP:20000101T000000Z", data)


# --------------------------------------------------------------------------- golden files
@pytest.mark.parametrize("name, make", [
    ("golden_request.ics", request),
    ("golden_cancel.ics", cancel),
    ("golden_due.ics", due_entry),
])
def test_golden(name, make):
    got = normalise(make())
    path = FIX / name
    if os.environ.get("MAILFLOW_UPDATE_GOLDEN"):
        path.write_bytes(got)
    assert path.exists(), f"{path} is missing; create it with MAILFLOW_UPDATE_GOLDEN=1"
    assert got == path.read_bytes(), f"{name} changed; rerun with MAILFLOW_UPDATE_GOLDEN=1 if intended"


# --------------------------------------------------------------------------- invite rules
LONG_TITLE = "跨部门协作沟通会：" + "市场部、销售部、产品部与设计部关于第四季度营销活动的分工，" * 4 + "🎉结束"


def all_generated() -> dict[str, bytes]:
    long = meeting(title=LONG_TITLE, goal="目标：" + "确认每一个部门的交付物与时间节点；" * 10,
                   location="上海市浦东新区张江高科技园区某某路1000号3号楼3层会议室A（靠电梯）")
    commas = meeting(attendees=[
        Attendee("wanglei@corp.example", Role.HOST, "Wang, Lei"),
        Attendee("zhangwei@corp.example", Role.REQUIRED, "Zhang; Wei: 市场部"),
        Attendee("lina@corp.example", Role.REQUIRED, 'Li "Nana" Na'),
        Attendee("chenjing@corp.example", Role.OPTIONAL, "陈静,设计部"),
    ])
    return {
        "request.ics": request(),
        "cancel.ics": cancel(),
        "due.ics": due_entry(),
        "long_chinese.ics": build_invite(long, NOW, names=names, organizer_email=SHARED),
        "cn_commas.ics": build_invite(commas, NOW, names=names, organizer_email=SHARED),
        "berlin.ics": request(tz="Europe/Berlin"),
        "no_host.ics": build_invite(meeting(host="", attendees=[Attendee("lina@corp.example", Role.REQUIRED)],
                                            recorder=None, preparer=None), NOW, organizer_email=SHARED),
    }


@pytest.mark.parametrize("name", list(all_generated()))
def test_lines_crlf_folded_at_75_octets_utf8_intact(name):
    data = all_generated()[name]
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b""), "bare LF"
    assert b"\r" not in data.replace(b"\r\n", b""), "bare CR"
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a UTF-8 sequence
    Calendar.from_ical(data)  # and icalendar reads it back


def test_long_chinese_text_survives_folding():
    data = all_generated()["long_chinese.ics"]
    assert max(len(x) for x in data.split(b"\r\n")) > 60  # the test really folds
    _, ev = vevent(data)
    assert str(ev["SUMMARY"]) == LONG_TITLE
    assert "上海市浦东新区张江高科技园区" in str(ev["LOCATION"])


def test_request_calendar_fields():
    data = request()
    cal, ev = vevent(data)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"\r\nMETHOD:REQUEST\r\n" in data
    assert cal["VERSION"] == "2.0" and "mailflow" in str(cal["PRODID"])
    assert str(ev["UID"]) == "mf-1@corp.example"
    assert int(ev["SEQUENCE"]) == 0
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert ev["DTSTAMP"].dt == datetime(2026, 11, 18, 1, 0, tzinfo=timezone.utc)
    assert b"DTSTAMP:20261118T010000Z" in data  # UTC form
    assert ev["DTSTART"].dt == datetime(2026, 11, 25, 14, 0, tzinfo=SH)
    assert ev["DTEND"].dt == datetime(2026, 11, 25, 16, 0, tzinfo=SH)
    assert b"DTSTART;TZID=Asia/Shanghai:20261125T140000" in data


def test_method_is_upper_case_whatever_the_caller_wrote():
    data = build_invite(meeting(), NOW, method="request")
    assert b"\r\nMETHOD:REQUEST\r\n" in data
    assert calendar_method(data) == "REQUEST"
    with pytest.raises(ValueError):
        build_invite(meeting(), NOW, method="PUBLISH")


def test_organizer_is_the_shared_mailbox_named_for_the_host():
    # calendar buttons answer the ORGANIZER: it must be the mailbox mailflow reads
    _, ev = vevent(request())
    org = ev["ORGANIZER"]
    assert str(org) == f"mailto:{SHARED}"
    assert org.params["CN"] == ORGANIZER_CN and "SENT-BY" not in org.params
    # without a name given, the host's own name
    _, ev = vevent(build_invite(meeting(), NOW, names=names, organizer_email=SHARED))
    assert (str(ev["ORGANIZER"]), ev["ORGANIZER"].params["CN"]) == (f"mailto:{SHARED}", "王磊")
    # a meeting without a host: the shared mailbox organizes it
    _, ev = vevent(all_generated()["no_host.ics"])
    assert str(ev["ORGANIZER"]) == f"mailto:{SHARED}"
    with pytest.raises(ValueError):
        build_invite(meeting(), NOW, organizer_email=SHARED, organizer="mailbox")


def test_organizer_host_mode_keeps_the_host_sent_by_the_shared_mailbox():
    _, ev = vevent(build_invite(meeting(), NOW, names=names, organizer_email=SHARED, organizer="host"))
    org = ev["ORGANIZER"]
    assert str(org).lower() == "mailto:wanglei@corp.example"
    assert org.params["CN"] == "王磊" and org.params["SENT-BY"] == f"mailto:{SHARED}"
    # no SENT-BY when the host sends it himself, or no shared address is given
    _, ev = vevent(build_invite(meeting(), NOW, organizer_email="WangLei@corp.example", organizer="host"))
    assert "SENT-BY" not in ev["ORGANIZER"].params
    _, ev = vevent(build_invite(meeting(), NOW))
    assert str(ev["ORGANIZER"]).lower() == "mailto:wanglei@corp.example"


@pytest.mark.parametrize("bad", ["王磊\r\nATTENDEE:mailto:evil@x.example", '王"磊"; ROLE=CHAIR: x', "王磊\x00\x1b"])
def test_organizer_name_cannot_break_the_property(bad):
    data = build_invite(meeting(), NOW, names=names, organizer_email=SHARED, organizer_name=bad + " via 会议助手")
    unfolded = data.replace(b"\r\n ", b"")
    assert unfolded.count(b"\r\nORGANIZER") == 1 and b"evil@x.example\r\n" not in unfolded
    _, ev = vevent(data)
    assert str(ev["ORGANIZER"]) == f"mailto:{SHARED}"
    cn = ev["ORGANIZER"].params["CN"]
    assert "\r" not in cn and "\n" not in cn and '"' not in cn and cn.endswith("via 会议助手")
    assert len(attendees(ev)) == 6


def test_one_attendee_per_person_with_role_partstat_rsvp_cutype():
    _, ev = vevent(request())
    att = attendees(ev)
    assert {e: p["ROLE"] for e, p in att.items()} == {
        "wanglei@corp.example": "CHAIR",
        "sunli@corp.example": "REQ-PARTICIPANT",
        "liuyang@corp.example": "REQ-PARTICIPANT",
        "zhangwei@corp.example": "REQ-PARTICIPANT",
        "lina@corp.example": "REQ-PARTICIPANT",
        "chenjing@corp.example": "OPT-PARTICIPANT",
    }
    for email, p in att.items():
        if email == "wanglei@corp.example":   # the host is not asked to answer his own meeting
            assert p["PARTSTAT"] == "ACCEPTED" and "RSVP" not in p
        else:
            assert p["PARTSTAT"] == "NEEDS-ACTION" and p["RSVP"] == "TRUE"
        assert p["CUTYPE"] == "INDIVIDUAL"
        assert p["CN"] == NAMES[email]
    assert SHARED not in att


def test_a_cancel_asks_nobody_to_answer():
    _, ev = vevent(cancel())
    for p in attendees(ev).values():
        assert "RSVP" not in p and "PARTSTAT" not in p
    assert b"RSVP" not in cancel()


def test_roles_from_meeting_fields_and_duplicates():
    # the recorder/preparer fields count even when the attendee list omits them; the strongest role wins
    m = meeting(attendees=[Attendee("chenjing@corp.example", Role.OPTIONAL),
                           Attendee("sunli@corp.example", Role.OPTIONAL),
                           Attendee("chenjing@corp.example", Role.REQUIRED)])
    _, ev = vevent(build_invite(m, NOW))
    roles = {e: p["ROLE"] for e, p in attendees(ev).items()}
    assert roles == {"wanglei@corp.example": "CHAIR", "sunli@corp.example": "REQ-PARTICIPANT",
                     "liuyang@corp.example": "REQ-PARTICIPANT", "chenjing@corp.example": "REQ-PARTICIPANT"}


def test_cn_is_quoted_when_it_holds_colon_semicolon_comma():
    data = all_generated()["cn_commas.ics"]
    unfolded = data.replace(b"\r\n ", b"").decode()
    assert 'CN="Wang, Lei"' in unfolded
    assert 'CN="Zhang; Wei: 市场部"' in unfolded
    assert 'CN="陈静,设计部"' in unfolded
    assert 'CN="Li \'Nana\' Na"' in unfolded  # a DQUOTE cannot be inside a parameter value
    _, ev = vevent(data)
    cns = {e: p["CN"] for e, p in attendees(ev).items()}
    assert cns["wanglei@corp.example"] == "Wang, Lei"
    assert cns["zhangwei@corp.example"] == "Zhang; Wei: 市场部"
    assert cns["chenjing@corp.example"] == "陈静,设计部"
    assert ev["ORGANIZER"].params["CN"] == "Wang, Lei"


def test_vtimezone_for_shanghai_is_one_standard_block():
    cal, ev = vevent(request())
    tzs = cal.walk("VTIMEZONE")
    assert [str(t["TZID"]) for t in tzs] == ["Asia/Shanghai"]
    subs = tzs[0].subcomponents
    assert [s.name for s in subs] == ["STANDARD"]
    assert subs[0]["TZOFFSETTO"].td == timedelta(hours=8)
    assert subs[0]["TZOFFSETFROM"].td == timedelta(hours=8)
    assert subs[0]["DTSTART"].dt.year >= 2000
    assert b"DAYLIGHT" not in request() and b"1986" not in request()


@pytest.mark.parametrize("name", list(all_generated()))
def test_every_tzid_has_a_vtimezone(name):
    data = all_generated()[name]
    used = set(re.findall(rb"TZID=([^:;]+)[:;]", data.replace(b"\r\n ", b"")))
    defined = set(re.findall(rb"\r\nTZID:([^\r]+)\r\n", data))
    assert used <= defined


def test_other_zones_keep_their_dst_rules():
    cal, ev = vevent(request(tz="Europe/Berlin"))
    assert ev["DTSTART"].dt == datetime(2026, 11, 25, 7, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert {s.name for s in cal.walk("VTIMEZONE")[0].subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_utc_meeting_has_no_vtimezone():
    data = request(tz="UTC")
    assert b"VTIMEZONE" not in data and b"DTSTART:20261125T060000Z" in data


def test_location_description_alarm():
    _, ev = vevent(request())
    assert str(ev["LOCATION"]) == "公司3楼会议室A / 腾讯会议 123-456-789"
    desc = str(ev["DESCRIPTION"])
    for text in ("会议目标：明确市场", "主持人：王磊", "记录人：孙丽", "材料准备人：刘洋", "议程：",
                 "1. 市场部需求文档提交时间及优先级（负责人：张伟，15分钟）",
                 "预期成果：明确需求文档最终版本提交时间及功能优先级排序", "材料：初步需求清单",
                 "2. 设计部物料排期（负责人：李娜，10分钟）", "3. 销售渠道与预算"):
        assert text in desc
    alarms = ev.walk("VALARM")
    assert len(alarms) == 1
    assert str(alarms[0]["ACTION"]) == "DISPLAY"
    assert alarms[0]["TRIGGER"].dt == timedelta(minutes=-15)
    assert str(alarms[0]["DESCRIPTION"])


def test_description_given_by_the_caller_wins_and_online_url_becomes_url():
    data = build_invite(meeting(online="https://meeting.tencent.com/dm/abcdef 会议号 123"), NOW,
                        description="Agenda:\n1. Budget\n2. Dates")
    _, ev = vevent(data)
    assert str(ev["DESCRIPTION"]) == "Agenda:\n1. Budget\n2. Dates"
    assert str(ev["URL"]) == "https://meeting.tencent.com/dm/abcdef"


def test_cancel_same_uid_higher_sequence_status_cancelled():
    req = request()
    can = cancel(seq=1)
    _, r = vevent(req)
    cal, c = vevent(can)
    assert calendar_method(can) == "CANCEL" and b"\r\nMETHOD:CANCEL\r\n" in can
    assert str(c["STATUS"]) == "CANCELLED"
    assert str(c["UID"]) == str(r["UID"])
    assert int(c["SEQUENCE"]) > int(r["SEQUENCE"])
    assert set(attendees(c)) == set(attendees(r))  # everyone invited hears of it
    assert not c.walk("VALARM")
    assert "客户临时调整" in str(c["DESCRIPTION"])
    assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_reschedule_is_a_request_with_the_same_uid_and_higher_sequence():
    first = vevent(request())[1]
    moved = vevent(request(sequence=1, start=datetime(2026, 11, 26, 10, tzinfo=SH),
                           end=datetime(2026, 11, 26, 11, tzinfo=SH)))[1]
    assert str(moved["UID"]) == str(first["UID"])
    assert int(moved["SEQUENCE"]) == 1 > int(first["SEQUENCE"])
    assert moved["DTSTART"].dt == datetime(2026, 11, 26, 10, tzinfo=SH)


def test_naive_now_is_refused_and_uid_required():
    with pytest.raises(ValueError):
        build_invite(meeting(), datetime(2026, 11, 18, 9))
    with pytest.raises(ValueError):
        build_invite(meeting(uid=""), NOW)


def test_due_entry():
    data = due_entry()
    cal, ev = vevent(data)
    assert calendar_method(data) == "PUBLISH"
    assert b"DTSTART;VALUE=DATE:20261201\r\n" in data
    assert b"DTEND;VALUE=DATE:20261202\r\n" in data
    assert ev["DTSTART"].dt == date(2026, 12, 1)
    assert str(ev["UID"]) == "task-7@corp.example"
    # the UID stays with the task, so a moved due date updates the same calendar entry
    moved = Task(id=7, title="提交需求文档最终版", owner="zhangwei@corp.example", due=date(2026, 12, 8), meeting_id=1)
    _, moved_ev = vevent(build_due_entry(moved, "Q4营销活动筹备会", NOW, "corp.example", sequence=1))
    assert str(moved_ev["UID"]) == str(ev["UID"]) and moved_ev["DTSTART"].dt == date(2026, 12, 8)
    assert "提交需求文档最终版" in str(ev["SUMMARY"])
    desc = str(ev["DESCRIPTION"])
    assert "Q4营销活动筹备会" in desc and "张伟" in desc and "需求文档（含功能优先级）" in desc
    assert str(ev["ORGANIZER"]) == f"mailto:{SHARED}"
    assert str(ev["TRANSP"]) == "TRANSPARENT"
    assert ev["DTSTAMP"].dt.tzinfo is not None and b"DTSTAMP:20261118T010000Z" in data
    assert not cal.walk("VTIMEZONE")
    with pytest.raises(ValueError):
        build_due_entry(Task(id=8, title="x", owner="a@b.c", due=None), "m", NOW, "corp.example")


def test_round_trip_through_parse_invites():
    [info] = parse_invites(request())
    assert info.uid == "mf-1@corp.example" and info.method == "REQUEST" and info.sequence == 0
    assert info.start == datetime(2026, 11, 25, 14, tzinfo=SH) and info.tz == "Asia/Shanghai"
    assert (info.organizer, info.organizer_name) == (SHARED, ORGANIZER_CN)
    assert not info.recurring and info.recurrence_id is None
    roles = {e: r for e, _, r in info.attendees}
    assert roles["wanglei@corp.example"] is Role.HOST
    assert roles["chenjing@corp.example"] is Role.OPTIONAL
    assert roles["sunli@corp.example"] is Role.REQUIRED
    assert [a.split("（")[0] for a in info.agenda] == [
        "市场部需求文档提交时间及优先级", "设计部物料排期", "销售渠道与预算"]
    [gone] = parse_invites(cancel())
    assert gone.method == "CANCEL" and gone.status == "CANCELLED" and gone.sequence == 1


# --------------------------------------------------------------------------- replies
def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


@pytest.mark.parametrize("name, attendee, partstat, sequence, comment, delegated_to", [
    # Outlook: Windows TZID, unescaped commas in CN and COMMENT, MAILTO: upper case, no ORGANIZER
    ("reply_outlook_accepted.ics", "zhangwei@corp.example", Rsvp.ACCEPTED, 1,
     "好的, 我会准时参加, 并带上需求清单", None),
    ("reply_outlook_declined_berlin.ics", "anna.mueller@corp.example", Rsvp.DECLINED, 2,
     "Sorry, I am travelling that week; Li Na can brief me.", None),
    # Gmail: UTC times, X-RESPONSE-COMMENT as an ATTENDEE parameter
    ("reply_gmail_tentative.ics", "lina@corp.example", Rsvp.TENTATIVE, 1, "可能晚到十分钟，先开始", None),
    # Apple: VTIMEZONE Asia/Shanghai with the 1986-91 history, EMAIL parameter
    ("reply_apple_declined.ics", "chenjing@corp.example", Rsvp.DECLINED, 1, None, None),
    # Thunderbird: /mozilla.org/ TZID, delegation to a stand-in (代参会)
    ("reply_thunderbird_delegated.ics", "sunli@corp.example", Rsvp.DECLINED, 1,
     "那天我出差，由王五代参会", "wangwu@corp.example"),
    # Thunderbird, an answer to an older SEQUENCE, METHOD in lower case
    ("reply_thunderbird_accepted_stale.ics", "zhangwei@corp.example", Rsvp.ACCEPTED, 0, None, None),
])
def test_parse_replies(name, attendee, partstat, sequence, comment, delegated_to):
    data = fixture(name)
    assert calendar_method(data) == "REPLY"
    [r] = parse_replies(data)
    assert r.uid == "mf-1@corp.example"
    assert r.attendee == attendee
    assert r.partstat is partstat
    assert r.sequence == sequence
    assert r.comment == comment
    assert r.delegated_to == delegated_to
    assert r.method == "REPLY"
    assert r.dtstamp is not None and r.dtstamp.utcoffset() == timedelta(0)
    assert parse_invites(data) == []


def test_reply_dtstamps_order_answers():
    outlook = parse_replies(fixture("reply_outlook_accepted.ics"))[0]
    assert outlook.dtstamp == datetime(2026, 11, 18, 7, 2, tzinfo=timezone.utc)
    stale = parse_replies(fixture("reply_thunderbird_accepted_stale.ics"))[0]
    assert (stale.sequence, stale.dtstamp) < (outlook.sequence, outlook.dtstamp)


def test_invites_are_not_replies():
    assert parse_replies(request()) == []
    assert parse_replies(fixture("invite_outlook_request.ics")) == []


def test_several_calendars_and_inline_text():
    # two replies concatenated (an inline part and an attachment saved together), str input too
    both = fixture("reply_gmail_tentative.ics") + fixture("reply_apple_declined.ics")
    assert [r.attendee for r in parse_replies(both)] == ["lina@corp.example", "chenjing@corp.example"]
    assert len(parse_replies(fixture("reply_gmail_tentative.ics").decode())) == 1


def test_lf_only_and_gbk_bytes_are_read():
    lf = fixture("reply_outlook_accepted.ics").replace(b"\r\n", b"\n")
    assert parse_replies(lf)[0].partstat is Rsvp.ACCEPTED
    gbk = fixture("reply_thunderbird_delegated.ics").decode().encode("gb18030")
    assert parse_replies(gbk)[0].comment == "那天我出差，由王五代参会"


# --------------------------------------------------------------------------- outside invites
def test_parse_outlook_invite():
    [info] = parse_invites(fixture("invite_outlook_request.ics"))
    assert info.method == "REQUEST" and info.sequence == 0 and info.status == "CONFIRMED"
    assert info.uid.startswith("040000008200E000")
    assert info.summary == "Q4营销活动筹备会"
    assert info.tz == "Asia/Shanghai"
    assert info.start == datetime(2026, 11, 25, 14, tzinfo=SH)
    assert info.start.tzinfo == SH and info.end == datetime(2026, 11, 25, 16, tzinfo=SH)
    assert info.organizer == "wanglei@corp.example"
    assert info.location == "公司3楼会议室A, 腾讯会议 123-456-789"
    assert info.attendees == [
        ("meetings@corp.example", "会议助手", Role.REQUIRED),
        ("zhangwei@corp.example", "Zhang, Wei", Role.REQUIRED),
        ("sunli@corp.example", "孙丽", Role.REQUIRED),
        ("chenjing@corp.example", "陈静", Role.OPTIONAL),
    ]  # the room (CUTYPE=RESOURCE) is not a person
    assert info.agenda == ["市场部需求文档提交时间及优先级（张伟，15分钟）", "设计部物料排期（李娜，10分钟）",
                           "销售渠道与预算"]


def test_parse_outlook_cancel():
    [info] = parse_invites(fixture("invite_outlook_cancel.ics"))
    [req] = parse_invites(fixture("invite_outlook_request.ics"))
    assert info.method == "CANCEL" and info.status == "CANCELLED"
    assert info.uid == req.uid and info.sequence == 2 > req.sequence


def test_parse_gmail_invite_utc_times():
    [info] = parse_invites(fixture("invite_gmail_request.ics"))
    assert info.start == datetime(2026, 11, 26, 10, 0, tzinfo=SH) and info.tz == "Asia/Shanghai"
    assert info.end - info.start == timedelta(minutes=90)
    assert info.organizer == "lina@corp.example"
    assert ("meetings@corp.example", "", Role.REQUIRED) in info.attendees
    assert ("chenjing@corp.example", "陈静", Role.OPTIONAL) in info.attendees
    assert info.agenda == ["海报初稿评审", "物料排期", "其他事项"]
    # the same times read in another default zone
    [berlin] = parse_invites(fixture("invite_gmail_request.ics"), default_tz="Europe/Berlin")
    assert berlin.tz == "Europe/Berlin" and berlin.start == info.start


def test_parse_outlook_display_name_tzid_and_inline_agenda():
    [info] = parse_invites(fixture("invite_outlook2007_display_tzid.ics"))
    assert info.tz == "Asia/Shanghai" and info.start == datetime(2026, 12, 3, 9, 30, tzinfo=SH)
    assert info.organizer == "liuyang@corp.example"  # "MAILTO:" in upper case
    assert info.agenda == ["品牌规范", "海报初稿", "排期"]


def test_parse_custom_vtimezone_by_offset():
    [info] = parse_invites(fixture("invite_custom_tz.ics"))
    assert info.start == datetime(2026, 12, 3, 6, 0, tzinfo=timezone.utc)
    assert info.start.utcoffset() == timedelta(hours=9) and info.tz == "Etc/GMT-9"
    assert info.attendees[0] == ("sato@partner.example", "Sato", Role.HOST)


def test_invite_without_organizer_takes_the_chair():
    data = fixture("invite_custom_tz.ics").replace(b"ORGANIZER;CN=Sato:mailto:sato@partner.example\r\n", b"")
    [info] = parse_invites(data)
    assert info.organizer == "sato@partner.example"


@pytest.mark.parametrize("tzid, iana", [
    ("China Standard Time", "Asia/Shanghai"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Asia/Shanghai", "Asia/Shanghai"),
    ('"Asia/Shanghai"', "Asia/Shanghai"),
    ("/mozilla.org/20050126_1/Asia/Shanghai", "Asia/Shanghai"),
    ("(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi", "Asia/Shanghai"),
    ("(GMT+08.00) Beijing / Chongqing / Hong Kong / Urumqi", "Asia/Shanghai"),
    ("Customized Time Zone", None),
    ("", None),
])
def test_iana_zone(tzid, iana):
    assert iana_zone(tzid) == iana


def test_windows_tzid_in_an_invite_keeps_the_wall_time_and_dst():
    data = fixture("invite_outlook_request.ics").replace(b"China Standard Time", b"W. Europe Standard Time")
    [info] = parse_invites(data)
    assert info.tz == "Europe/Berlin"
    assert info.start == datetime(2026, 11, 25, 14, tzinfo=ZoneInfo("Europe/Berlin"))
    assert info.start.utcoffset() == timedelta(hours=1)


def test_all_day_and_floating_invites():
    data = (b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:a1\r\nDTSTART;VALUE=DATE:20261201\r\n"
            b"ORGANIZER:mailto:x@y.z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:a2\r\nDTSTART:20261201T100000\r\n"
            b"DURATION:PT45M\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    day, floating = parse_invites(data)
    assert day.all_day and day.start == datetime(2026, 12, 1, tzinfo=SH) and day.end == day.start + timedelta(days=1)
    assert floating.start == datetime(2026, 12, 1, 10, tzinfo=SH)
    assert floating.end == floating.start + timedelta(minutes=45)
    assert floating.organizer == ""


@pytest.mark.parametrize("text, items", [
    ("议程：\n1. 预算\n2. 排期\n\n备注：无", ["预算", "排期"]),
    ("會議議程：\n一、預算\n二、排期", ["預算", "排期"]),
    ("Agenda:\n- Budget\n- Dates\nRoom: 3A", ["Budget", "Dates"]),
    ("请准时参加。\n1、确认需求\n2）确认排期\n（3）确认预算", ["确认需求", "确认排期", "确认预算"]),
    ("议程：预算；排期;验收", ["预算", "排期", "验收"]),
    ("时间：2026.11.25 14:00\n会议号 123-456-789", []),
    ("", []),
])
def test_agenda_lines(text, items):
    assert agenda_lines(text) == items


# --------------------------------------------------------------------------- broken input
GARBAGE = [
    b"", b"\x00\xff\xfe garbage", b"BEGIN:VCALENDAR", b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n",
    b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.c\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n",  # no UID
    b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:tomorrow\r\nSEQUENCE:two\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n",
    b"END:VCALENDAR\r\nBEGIN:VCALENDAR\r\n", "not bytes at all", None, 42,
    b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\nSEQUENCE:x\r\nDTSTAMP:bad\r\n"
    b"ATTENDEE;PARTSTAT=ACCEPTED:mailto:A@B.C\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
]


@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_never_raises(data):
    assert isinstance(parse_replies(data), list)
    assert isinstance(parse_invites(data), list)
    calendar_method(data)


def test_garbage_results():
    assert parse_replies(GARBAGE[1]) == [] and parse_invites(GARBAGE[1]) == []
    assert parse_invites(GARBAGE[5]) == []
    [r] = parse_replies(GARBAGE[-1])  # broken SEQUENCE/DTSTAMP: still an answer
    assert (r.attendee, r.sequence, r.dtstamp) == ("a@b.c", 0, None)
    assert calendar_method(b"no calendar") is None


def test_truncated_and_mangled_fixtures_never_raise():
    rnd = random.Random(3)
    for path in sorted(FIX.glob("*.ics")):
        data = path.read_bytes()
        for cut in range(0, len(data), max(1, len(data) // 25)):
            parse_replies(data[:cut])
            parse_invites(data[:cut])
        for _ in range(20):
            buf = bytearray(data)
            for _ in range(10):
                buf[rnd.randrange(len(buf))] = rnd.randrange(256)
            parse_replies(bytes(buf))
            parse_invites(bytes(buf))
            calendar_method(bytes(buf))


# --------------------------------------------------------------------------- ical.js
def test_ical_js_parses_every_generated_invite(tmp_path):
    require_ical_js()
    files = []
    for name, data in all_generated().items():
        path = tmp_path / name
        path.write_bytes(data)
        files.append(str(path))
    done = run_ical_js(files)
    assert done.returncode == 0, done.stderr or done.stdout
    # and the checker does fail on a broken file
    bad = tmp_path / "bad.ics"
    bad.write_bytes(all_generated()["request.ics"].replace(b"ORGANIZER", b"X-ORGANIZER"))
    done = run_ical_js([bad])
    assert done.returncode == 1 and "lacks ORGANIZER" in done.stderr


# --------------------------------------------------------------------------- series, instances, bare cancels
def test_one_moved_occurrence_is_an_instance_not_the_meeting():
    [info] = parse_invites(fixture("invite_outlook_instance_moved.ics"))
    assert info.recurrence_id == datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc)
    assert info.start == datetime(2026, 11, 26, 10, 0, tzinfo=SH) and not info.recurring


def test_a_weekly_invitation_is_recurring():
    [info] = parse_invites(fixture("invite_gmail_weekly.ics"))
    assert info.recurring and info.recurrence_id is None and info.summary == "技术部周会"


def test_a_series_with_one_changed_occurrence_gives_the_master_only():
    text = fixture("invite_gmail_weekly.ics").decode()
    instance = text[text.index("BEGIN:VEVENT"):text.index("END:VEVENT") + len("END:VEVENT\r\n")]
    instance = instance.replace("RRULE:FREQ=WEEKLY;BYDAY=WE\r\n", "RECURRENCE-ID;TZID=Asia/Shanghai:20261209T100000\r\n")
    both = text.replace("END:VCALENDAR", instance + "END:VCALENDAR")
    [info] = parse_invites(both.encode())
    assert info.recurring and info.recurrence_id is None


def test_a_cancel_without_dtstart_still_cancels():
    [info] = parse_invites(fixture("cancel_apple_no_dtstart.ics"))
    assert (info.method, info.status, info.uid, info.sequence) == (
        "CANCEL", "CANCELLED", "3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8", 2)
    assert info.start is None and info.organizer == "wanglei@corp.example"
    # a REQUEST needs its time
    request_without = fixture("cancel_apple_no_dtstart.ics").replace(b"METHOD:CANCEL", b"METHOD:REQUEST")
    assert parse_invites(request_without) == []


def test_no_false_validity_comment_in_a_fixed_offset_vtimezone():
    cal, _ = vevent(request())
    [tz] = cal.walk("VTIMEZONE")
    assert "COMMENT" not in tz and b"only works" not in request()
    # a zone whose DST dates are listed up to 2038 keeps the (true) note
    berlin, _ = vevent(request(tz="Europe/Berlin"))
    assert "2038" in str(berlin.walk("VTIMEZONE")[0].get("COMMENT", ""))


# --------------------------------------------------------------------------- due entries that follow the task
def test_due_entry_names_people_never_addresses():
    task = Task(id=7, title="提交需求文档最终版", owner="zhangwei@corp.example", due=date(2026, 12, 1),
                collaborators=["lina@corp.example", "wangwu@partner.example"],
                description="与 chenjing@corp.example 核对后提交")
    data = build_due_entry(task, "Q4营销活动筹备会", NOW, "corp.example", names=names, organizer_email=SHARED)
    desc = str(vevent(data)[1]["DESCRIPTION"])
    assert "负责人：张伟" in desc and "协同人：李娜、wangwu" in desc and "与 陈静 核对后提交" in desc
    assert "@" not in desc


def test_due_entry_moved_and_finished_keep_the_uid_and_raise_the_sequence():
    task = Task(id=7, title="提交需求文档最终版", owner="zhangwei@corp.example", due=date(2026, 12, 8))
    _, moved = vevent(build_due_entry(task, "会", NOW, "corp.example", sequence=1, names=names))
    _, done = vevent(build_due_entry(task, "会", NOW, "corp.example", sequence=2, names=names, done=True))
    assert str(moved["UID"]) == str(done["UID"]) == "task-7@corp.example"
    assert (int(moved["SEQUENCE"]), int(done["SEQUENCE"])) == (1, 2)
    assert str(done["SUMMARY"]).startswith("【已完成】") and not done.walk("VALARM") and moved.walk("VALARM")
    _, en = vevent(build_due_entry(task, "Kickoff", NOW, "corp.example", names=names, lang="en"))
    assert str(en["SUMMARY"]) == "[Due] 提交需求文档最终版" and "Owner: 张伟" in str(en["DESCRIPTION"])
