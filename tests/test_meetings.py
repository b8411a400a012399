"""Meetings: a meeting from a file, a host's invitation or a 会议通知 mail; its notices and invites;
answers by calendar and by mail; reschedule and cancel; the 会前准备 timeline on working days.

Golden files: set MAILFLOW_UPDATE_GOLDEN=1 to rewrite tests/fixtures/meetings/golden_*.eml.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from icalendar import Calendar

from apphelp import SHARED, body_text, commit_change, make_app, outbox_mails, reply_to
from icaljs import require_ical_js, run_ical_js
from meetinghelp import FIX, NOW, UID, at, create, sample
from mailflow.edges import snapshot
from mailflow.flows import meetings
from mailflow.read.meeting_text import parse_when
from mailflow.cli import main
from mailflow.model import Role, Rsvp


def change(app, svc, meeting_id, fn, now):
    """`mailflow meeting reschedule/cancel`: fn(ctx, meeting) over the meeting snapshot.for_meeting loads."""
    return commit_change(app, svc, lambda ctx: fn(ctx, ctx.lookup.get_meeting(meeting_id)), now,
                         lambda store: snapshot.for_meeting(store, meeting_id))


@pytest.fixture
def env(tmp_path):
    app, svc, clock = make_app(tmp_path, NOW)
    yield app, svc, clock
    app.close()


def calendar_of(msg) -> tuple[bytes, str]:
    """(calendar bytes, method= parameter) of a notice's text/calendar alternative."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True), part.get_param("method")
    raise AssertionError("no text/calendar part")


def vevent(data: bytes):
    cal = Calendar.from_ical(data)
    return cal, next(c for c in cal.walk("VEVENT"))


def roles(ev) -> dict[str, str]:
    atts = ev.get("ATTENDEE")
    atts = atts if isinstance(atts, list) else [atts]
    return {str(a).lower().removeprefix("mailto:"): a.params["ROLE"] for a in atts}


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


def attendee(app, meeting_id, email_):
    return app.store.get_meeting(meeting_id).attendee(email_)


# --------------------------------------------------------------------------- the file format
def test_file_gives_roles_agenda_and_names_resolved(env):
    app, _svc, _ = env
    m = meetings.from_data(sample(), app.directory)
    assert (m.host, m.recorder, m.preparer) == ("wanglei@corp.example", "sunli@corp.example", "liuyang@corp.example")
    assert [(a.email, a.role) for a in m.attendees] == [
        ("wanglei@corp.example", Role.HOST), ("sunli@corp.example", Role.RECORDER),
        ("liuyang@corp.example", Role.PREPARER), ("zhangwei@corp.example", Role.REQUIRED),
        ("lina@corp.example", Role.REQUIRED), ("chenjing@corp.example", Role.OPTIONAL),
        ("tom@corp.example", Role.OPTIONAL)]
    assert m.start == at(2026, 11, 25, 14, 0) and m.end == at(2026, 11, 25, 16, 0)
    assert m.agenda[1].owner == "lina@corp.example" and m.agenda[0].minutes == 15


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("start"), "key 'start': required"),
    (lambda d: d.update(start="2026-11-25"), "key 'start'"),
    (lambda d: d.update(start="下午3点左右"), "key 'start'"),
    (lambda d: d.update(end="2026-11-25 13:00"), "key 'end'"),
    (lambda d: d.update(host="王五"), "key 'host': unknown person '王五'"),
    (lambda d: d.update(host="王"), "key 'host'"),
    (lambda d: d.update(recorder="nobody@corp.example"), "key 'recorder': unknown person"),
    (lambda d: d["attendees"]["required"].append("王五"), "key 'attendees.required[3]': unknown person"),
    (lambda d: d.update(room="A"), "key 'room': unknown key"),
    (lambda d: d["agenda"][0].update(minutes="一刻钟"), "key 'agenda[1].minutes'"),
    (lambda d: d["agenda"][1].pop("title"), "key 'agenda[2].title': required"),
    (lambda d: d.update(timezone="Mars/Base"), "key 'timezone'"),
])
def test_file_errors_name_the_key(env, edit, message):
    app, _svc, _ = env
    data = sample()
    edit(data)
    with pytest.raises(meetings.MeetingError, match=re.escape(message)):
        meetings.from_data(data, app.directory, source="meeting.yaml")


def test_file_time_zone_and_iso_offsets(env):
    app, _svc, _ = env
    data = sample() | {"start": "2026-11-25T07:00:00+01:00", "end": "2026-11-25 16:00"}
    m = meetings.from_data(data, app.directory)
    assert m.start == at(2026, 11, 25, 14, 0) and m.start.tzinfo.key == "Asia/Shanghai"


# --------------------------------------------------------------------------- notices and invites
def test_one_notice_per_attendee_in_their_language_with_an_invite(env):
    app, svc, _ = env
    m = create(app, svc)
    notices = outbox_mails(app, "notice")
    assert sorted(n["To"] for n in notices) == sorted(m.emails)
    by_to = {n["To"]: n for n in notices}
    assert by_to["zhangwei@corp.example"]["Subject"].startswith("[MF-M1] 会议通知：Q4营销活动筹备会")
    assert by_to["chenjing@corp.example"]["Subject"].startswith("[MF-M1] 會議通知")
    assert by_to["tom@corp.example"]["Subject"].startswith("[MF-M1] Meeting: Q4营销活动筹备会")
    for n in notices:
        assert n["From"].addresses[0].addr_spec == SHARED
        assert n["From"].addresses[0].display_name == "王磊 via 会议跟进助手"
        assert n.get_content_type() == "multipart/mixed"
        alt = n.get_payload()[0]
        assert [p.get_content_type() for p in alt.get_payload()] == ["text/plain", "text/html", "text/calendar"]
        assert alt.get_payload()[2]["Content-Transfer-Encoding"] == "base64"
        attached = n.get_payload()[1]
        assert attached.get_filename() == "invite.ics"
        data, method = calendar_of(n)
        assert attached.get_payload(decode=True) == data
        assert method == "REQUEST" and b"\r\nMETHOD:REQUEST\r\n" in data


def test_notice_text_has_time_place_roles_agenda_and_how_to_answer(env):
    app, svc, _ = env
    create(app, svc)
    n = next(x for x in outbox_mails(app, "notice") if x["To"] == "zhangwei@corp.example")
    text = body_text(n)
    for expected in ("会议目标：明确市场", "2026-11-25（周三） 14:00–16:00", "地点：公司3楼会议室A",
                     "线上会议：腾讯会议 123-456-789", "主持人：王磊", "记录人：孙丽", "材料准备人：刘洋",
                     "您的角色：核心参会人", "负责人：张伟", "预期成果：明确需求文档", "材料：初步需求清单",
                     "请您会前准备", "参加 ／ 不参加 ／ 由某某代参会 ／ 待定"):
        assert expected in text, expected
    html = n.get_body(preferencelist=("html",)).get_content()
    for header in ("议题", "负责人", "时长（分钟）", "预期成果", "材料"):
        assert f">{header}</th>" in html
    assert "<td style=\"border:1px solid #ccc;vertical-align:top;\">初步需求清单</td>" in html
    tom = body_text(next(x for x in outbox_mails(app, "notice") if x["To"] == "tom@corp.example"))
    assert "Your role: optional (for information)" in tom and "expected outcome:" in tom


def test_every_invite_parses_back_with_roles_zone_and_agenda(env):
    app, svc, _ = env
    create(app, svc)
    for n in outbox_mails(app, "notice"):
        data, method = calendar_of(n)
        cal, ev = vevent(data)
        assert str(cal["METHOD"]) == method == "REQUEST"
        assert str(ev["UID"]) == UID and int(ev["SEQUENCE"]) == 0
        assert ev["DTSTAMP"].dt.utcoffset().total_seconds() == 0
        assert ev["DTSTART"].dt == at(2026, 11, 25, 14, 0) and ev["DTSTART"].params["TZID"] == "Asia/Shanghai"
        org = ev["ORGANIZER"]   # the shared mailbox, so that calendar buttons answer mailflow
        assert str(org).lower() == f"mailto:{SHARED}" and "SENT-BY" not in org.params
        assert org.params["CN"] in ("王磊（主持人） via 会议跟进助手", "王磊 (host) via 会议跟进助手")
        assert roles(ev) == {"wanglei@corp.example": "CHAIR", "sunli@corp.example": "REQ-PARTICIPANT",
                             "liuyang@corp.example": "REQ-PARTICIPANT", "zhangwei@corp.example": "REQ-PARTICIPANT",
                             "lina@corp.example": "REQ-PARTICIPANT", "chenjing@corp.example": "OPT-PARTICIPANT",
                             "tom@corp.example": "OPT-PARTICIPANT"}
        tzs = list(cal.walk("VTIMEZONE"))
        assert [str(t["TZID"]) for t in tzs] == ["Asia/Shanghai"]
        assert [c.name for c in tzs[0].subcomponents] == ["STANDARD"]
        assert "公司3楼会议室A" in str(ev["LOCATION"]) and "123-456-789" in str(ev["LOCATION"])
        assert "市场部需求文档提交时间及优先级" in str(ev["DESCRIPTION"])
        assert list(ev.walk("VALARM"))
        for line in data.split(b"\r\n"):
            assert len(line) <= 75
            line.decode("utf-8")
    tom_ics = calendar_of(next(x for x in outbox_mails(app, "notice") if x["To"] == "tom@corp.example"))[0]
    assert "Agenda:" in vevent(tom_ics)[1]["DESCRIPTION"]


def normalise(raw: bytes) -> bytes:
    """Volatile parts out: Date, MIME boundaries, and the calendar's DTSTAMP inside base64 is fixed by NOW."""
    text = raw.decode("ascii")
    text = re.sub(r"^Date: .*$", "Date: (normalised)", text, flags=re.M)
    for i, b in enumerate(dict.fromkeys(re.findall(r'boundary="([^"]+)"', text))):
        text = text.replace(b, f"BOUNDARY-{i}")
    return text.replace("\r\n", "\n").encode()


@pytest.mark.parametrize("who", ["zhangwei@corp.example", "chenjing@corp.example", "tom@corp.example"])
def test_golden_notice(env, who):
    app, svc, _ = env
    create(app, svc)
    row = app.store.outbox_history("notice", to=who)[0]
    got = normalise(row["raw"])
    golden = FIX / f"golden_notice_{who.split('@')[0]}.eml"
    if os.environ.get("MAILFLOW_UPDATE_GOLDEN"):
        golden.write_bytes(got)
    assert got == golden.read_bytes()


def test_generated_invites_pass_ical_js(env, tmp_path):
    require_ical_js()
    app, svc, clock = env
    m = create(app, svc)
    change(app, svc, m.id, lambda ctx, m: meetings.reschedule(ctx, m, at(2026, 11, 26, 10, 0), at(2026, 11, 26, 11, 30)),
           at(2026, 11, 19, 9, 0))
    change(app, svc, m.id, lambda ctx, m: meetings.cancel(ctx, m, "客户临时变更"), at(2026, 11, 20, 9, 0))
    files = []
    for i, n in enumerate(outbox_mails(app)):
        if n.get_content_type() == "multipart/mixed":
            path = tmp_path / f"{i}.ics"
            path.write_bytes(calendar_of(n)[0])
            files.append(str(path))
    assert len(files) == 21
    done = run_ical_js(files)
    assert done.returncode == 0, done.stderr or done.stdout


# --------------------------------------------------------------------------- reschedule and cancel
def test_reschedule_is_a_new_request_same_uid_higher_sequence_and_asks_again(env):
    app, svc, clock = env
    m = create(app, svc)
    svc.ingest.process_raw(fixture("rsvp_thunderbird_stale.eml"), "t", NOW)           # 张伟 accepted (SEQUENCE 0)
    assert attendee(app, m.id, "zhangwei@corp.example").rsvp is Rsvp.ACCEPTED
    later = at(2026, 11, 19, 9, 0)
    change(app, svc, m.id, lambda ctx, m: meetings.reschedule(ctx, m, at(2026, 11, 26, 10, 0), at(2026, 11, 26, 11, 30)),
           later)
    updates = outbox_mails(app, "meeting_update")
    assert len(updates) == 7
    data, method = calendar_of(updates[0])
    _cal, ev = vevent(data)
    assert method == "REQUEST" and str(ev["UID"]) == UID and int(ev["SEQUENCE"]) == 1
    assert ev["DTSTART"].dt == at(2026, 11, 26, 10, 0)
    text = body_text(next(u for u in updates if u["To"] == "zhangwei@corp.example"))
    assert "原时间：2026-11-25（周三） 14:00–16:00" in text and "新时间：2026-11-26（周四） 10:00–11:30" in text
    m = app.store.get_meeting(m.id)
    assert m.sequence == 1 and m.attendee("zhangwei@corp.example").rsvp is Rsvp.NEEDS_ACTION
    assert m.attendee("wanglei@corp.example").rsvp is Rsvp.ACCEPTED
    # an answer to the old time that arrives late does not count for the new one
    svc.ingest.process_raw(fixture("rsvp_thunderbird_stale.eml").replace(b"c4d2b8f1", b"c4d2b8f2"), "t", later)
    assert attendee(app, m.id, "zhangwei@corp.example").rsvp is Rsvp.NEEDS_ACTION


def test_cancel_sends_method_cancel_to_everyone_invited(env):
    app, svc, _ = env
    m = create(app, svc)
    svc.ingest.process_raw(fixture("rsvp_thunderbird_delegated.eml"), "t", NOW)     # 周强 joins for 孙丽
    change(app, svc, m.id, lambda ctx, m: meetings.cancel(ctx, m, "客户临时变更"), at(2026, 11, 20, 9, 0))
    cancels = outbox_mails(app, "meeting_cancel")
    assert sorted(c["To"] for c in cancels) == sorted(m.emails + ["zhouqiang@corp.example"])
    for c in cancels:
        data, method = calendar_of(c)
        _cal, ev = vevent(data)
        assert method == "CANCEL" and b"\r\nMETHOD:CANCEL\r\n" in data
        assert str(ev["STATUS"]) == "CANCELLED" and str(ev["UID"]) == UID and int(ev["SEQUENCE"]) == 1
    assert "原因：客户临时变更" in body_text(next(c for c in cancels if c["To"] == "zhangwei@corp.example"))
    assert app.store.get_meeting(m.id).status == "cancelled"
    with pytest.raises(meetings.MeetingError):
        change(app, svc, m.id, lambda ctx, m: meetings.cancel(ctx, m, "again"), NOW)


# --------------------------------------------------------------------------- iMIP answers
@pytest.mark.parametrize("name, who, rsvp, proxy", [
    ("rsvp_outlook_accepted.eml", "zhangwei@corp.example", Rsvp.ACCEPTED, None),
    ("rsvp_gmail_tentative.eml", "lina@corp.example", Rsvp.TENTATIVE, None),
    ("rsvp_apple_declined.eml", "chenjing@corp.example", Rsvp.DECLINED, None),
    ("rsvp_thunderbird_delegated.eml", "sunli@corp.example", Rsvp.DECLINED, "zhouqiang@corp.example"),
])
def test_calendar_replies_from_each_client(env, name, who, rsvp, proxy):
    app, svc, clock = env
    m = create(app, svc)
    when = at(2026, 11, 18, 19, 0)
    assert svc.ingest.process_raw(fixture(name), "t", when) == "applied"
    a = attendee(app, m.id, who)
    assert (a.rsvp, a.proxy, a.answered_via, a.answered_at) == (rsvp, proxy, "imip", when)
    if proxy:   # the stand-in is invited and gets the notice
        assert attendee(app, m.id, proxy).role is Role.REQUIRED
        assert "您将代 孙丽 参会" in body_text(next(n for n in outbox_mails(app, "notice") if n["To"] == proxy))
    assert outbox_mails(app, "meeting_declined") == []   # 陈静 is optional; 孙丽 named a stand-in


def test_an_older_sequence_never_overrides_a_newer_answer(env):
    app, svc, _ = env
    m = create(app, svc)
    svc.ingest.process_raw(fixture("rsvp_outlook_declined_seq2.eml"), "t", at(2026, 11, 19, 10, 0))
    assert attendee(app, m.id, "zhangwei@corp.example").rsvp is Rsvp.DECLINED
    assert [x["To"] for x in outbox_mails(app, "meeting_declined")] == ["wanglei@corp.example"]
    assert svc.ingest.process_raw(fixture("rsvp_outlook_accepted.eml"), "t", at(2026, 11, 19, 11, 0)) == "ignored"
    assert svc.ingest.process_raw(fixture("rsvp_thunderbird_stale.eml"), "t", at(2026, 11, 19, 12, 0)) == "ignored"
    a = attendee(app, m.id, "zhangwei@corp.example")
    assert (a.rsvp, a.rsvp_sequence) == (Rsvp.DECLINED, 2)


def test_same_sequence_later_dtstamp_wins(env):
    app, svc, _ = env
    m = create(app, svc)
    svc.ingest.process_raw(fixture("rsvp_thunderbird_stale.eml"), "t", NOW)           # SEQUENCE 0, 02:00Z accepted
    later = fixture("rsvp_thunderbird_stale.eml").replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=TENTATIVE") \
        .replace(b"DTSTAMP:20261118T020000Z", b"DTSTAMP:20261118T030000Z").replace(b"c4d2b8f1", b"c4d2b8f3")
    svc.ingest.process_raw(later, "t", NOW)
    assert attendee(app, m.id, "zhangwei@corp.example").rsvp is Rsvp.TENTATIVE


def test_a_reply_for_an_unknown_uid_is_not_a_meeting_answer(env):
    app, svc, _ = env
    create(app, svc, uid="mf-other@corp.example")
    status = svc.ingest.process_raw(fixture("rsvp_outlook_accepted.eml"), "t", NOW)
    assert status == "unknown"        # core.not_understood: a help answer, nothing recorded


# --------------------------------------------------------------------------- text answers
@pytest.mark.parametrize("text, rsvp, proxy", [
    ("参加", Rsvp.ACCEPTED, None),
    ("确认参加，谢谢", Rsvp.ACCEPTED, None),
    ("收到", Rsvp.ACCEPTED, None),
    ("參加", Rsvp.ACCEPTED, None),
    ("Yes, I will attend.", Rsvp.ACCEPTED, None),
    ("不参加", Rsvp.DECLINED, None),
    ("那天请假", Rsvp.DECLINED, None),
    ("抱歉，无法参加", Rsvp.DECLINED, None),
    ("由王五代参会", Rsvp.DECLINED, "王五"),
    ("我出差，由周强代参会", Rsvp.DECLINED, "zhouqiang@corp.example"),
    ("待定", Rsvp.TENTATIVE, None),
    ("可能晚一点到", Rsvp.TENTATIVE, None),
])
def test_text_replies_in_the_notice_thread(env, text, rsvp, proxy):
    app, svc, clock = env
    m = create(app, svc)
    notice = next(n for n in outbox_mails(app, "notice") if n["To"] == "zhangwei@corp.example")
    quoted = f"{text}\n\n------------------ 原始邮件 ------------------\n发件人：会议跟进助手\n请回复：参加 / 不参加 / 待定\n"
    when = at(2026, 11, 18, 10, 0)
    assert svc.ingest.process_raw(reply_to(notice, "zhangwei@corp.example", quoted, sender_name="张伟"), "t", when) == "applied"
    a = attendee(app, m.id, "zhangwei@corp.example")
    assert (a.rsvp, a.proxy, a.answered_via, a.answered_at) == (rsvp, proxy, "mail", when)
    receipt = outbox_mails(app, "meeting_rsvp_receipt")
    assert len(receipt) == 1 and receipt[0]["In-Reply-To"]
    declined_mails = outbox_mails(app, "meeting_declined")
    if rsvp is Rsvp.DECLINED and proxy is None:
        assert [x["To"] for x in declined_mails] == ["wanglei@corp.example"]
        assert "张伟（zhangwei@corp.example，核心参会人）答复不参加" in body_text(declined_mails[0])
    else:
        assert declined_mails == []


def test_a_delegate_answers_for_their_principal_and_strangers_change_nothing(env):
    app, svc, _ = env
    data = sample()
    data["host"] = "zhaomin@corp.example"
    data["attendees"]["required"].append("wanglei@corp.example")
    m = create(app, svc, data=data)
    notice = next(n for n in outbox_mails(app, "notice") if n["To"] == "wanglei@corp.example")
    svc.ingest.process_raw(reply_to(notice, "mishu@corp.example", "王总参加"), "t", NOW)
    a = attendee(app, m.id, "wanglei@corp.example")
    assert (a.rsvp, a.answered_via) == (Rsvp.ACCEPTED, "mail (by mishu@corp.example)")
    assert svc.ingest.process_raw(reply_to(notice, "zhouqiang@corp.example", "不参加"), "t", NOW) == "refused"


def test_an_unclear_text_reply_is_answered_with_how_to_reply(env):
    app, svc, _ = env
    m = create(app, svc)
    notice = next(n for n in outbox_mails(app, "notice") if n["To"] == "lina@corp.example")
    assert svc.ingest.process_raw(reply_to(notice, "lina@corp.example", "会议室能换大一点的吗？"), "t", NOW) == "unknown"
    assert attendee(app, m.id, "lina@corp.example").rsvp is Rsvp.NEEDS_ACTION
    receipt = outbox_mails(app, "meeting_rsvp_receipt")[0]
    assert "未能识别您的答复" in receipt["Subject"] and "参加 ／ 不参加" in body_text(receipt)


def test_text_answer_then_newer_calendar_answer(env):
    app, svc, _ = env
    m = create(app, svc)
    notice = next(n for n in outbox_mails(app, "notice") if n["To"] == "zhangwei@corp.example")
    svc.ingest.process_raw(reply_to(notice, "zhangwei@corp.example", "待定", date="Wed, 18 Nov 2026 09:30:00 +0800"),
                           "t", at(2026, 11, 18, 9, 30))
    svc.ingest.process_raw(fixture("rsvp_outlook_accepted.eml"), "t", at(2026, 11, 18, 15, 5))   # SEQUENCE 1
    a = attendee(app, m.id, "zhangwei@corp.example")
    assert (a.rsvp, a.answered_via) == (Rsvp.ACCEPTED, "imip")


# --------------------------------------------------------------------------- a host's own invitation
def test_outlook_invitation_creates_then_updates_then_cancels(env):
    app, svc, _ = env
    assert svc.ingest.process_raw(fixture("invite_outlook_request.eml"), "t", at(2026, 11, 17, 14, 31)) == "applied"
    [m] = app.store.meetings()
    assert (m.source, m.host, m.recorder, m.tz) == ("imip", "wanglei@corp.example", "sunli@corp.example", "Asia/Shanghai")
    assert m.start == at(2026, 11, 25, 14, 0)
    assert {a.email: a.role for a in m.attendees} == {
        "wanglei@corp.example": Role.HOST, "sunli@corp.example": Role.RECORDER,
        "zhangwei@corp.example": Role.REQUIRED, "chenjing@corp.example": Role.OPTIONAL}
    assert [(i.title, i.owner, i.minutes) for i in m.agenda] == [
        ("市场部需求文档提交时间及优先级", "zhangwei@corp.example", 15),
        ("设计部物料排期", "lina@corp.example", 10), ("销售渠道与预算", None, None)]
    notices = outbox_mails(app, "notice")
    assert len(notices) == 4
    assert all(n.get_content_type() == "multipart/alternative" for n in notices)   # the host's invite is the entry
    svc.ingest.process_raw(reply_to(notices[1], notices[1]["To"], "参加"), "t", at(2026, 11, 18, 9, 0))
    assert svc.ingest.process_raw(fixture("invite_outlook_update.eml"), "t", at(2026, 11, 19, 9, 1)) == "applied"
    m = app.store.get_meeting(m.id)
    assert (m.sequence, m.start, m.end) == (1, at(2026, 11, 26, 10, 0), at(2026, 11, 26, 11, 30))
    assert all(a.rsvp is Rsvp.NEEDS_ACTION for a in m.attendees if a.email != m.host)
    assert svc.ingest.process_raw(fixture("invite_outlook_request.eml").replace(b"AM0PR01MB5555", b"AM0PR01MB5556"),
                                  "t", at(2026, 11, 19, 9, 2)) == "ignored"     # SEQUENCE 0 is older
    assert svc.ingest.process_raw(fixture("invite_outlook_cancel.eml"), "t", at(2026, 11, 20, 9, 1)) == "applied"
    assert app.store.get_meeting(m.id).status == "cancelled"


def test_invitation_from_a_stranger_is_not_a_meeting(env):
    app, svc, _ = env
    msg = email.message_from_bytes(fixture("invite_outlook_request.eml"), policy=email.policy.default)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    part.set_content(part.get_payload(decode=True).replace(b"WangLei@corp.example", b"someone@elsewhere.example"),
                     maintype="text", subtype="calendar", params={"method": "REQUEST"}, cte="base64")
    msg.replace_header("From", "someone@elsewhere.example")
    raw = msg.as_bytes()
    assert svc.ingest.process_raw(raw, "t", NOW) == "unknown"
    assert app.store.meetings() == []


# --------------------------------------------------------------------------- a plain 会议通知 mail
def test_plain_meeting_mail_creates_the_meeting(env):
    app, svc, _ = env
    assert svc.ingest.process_raw(fixture("plain_notice.eml"), "t", at(2026, 11, 18, 9, 31)) == "applied"
    [m] = app.store.meetings()
    assert (m.title, m.source, m.start, m.end) == ("Q4营销活动筹备会", "mail", at(2026, 11, 25, 14, 0),
                                                   at(2026, 11, 25, 16, 0))
    assert (m.online, m.recorder) == ("腾讯会议 123-456-789", "sunli@corp.example")
    assert {a.email: a.role for a in m.attendees} == {
        "wanglei@corp.example": Role.HOST, "sunli@corp.example": Role.RECORDER,
        "zhangwei@corp.example": Role.REQUIRED, "lina@corp.example": Role.REQUIRED,
        "chenjing@corp.example": Role.REQUIRED, "tom@corp.example": Role.OPTIONAL}
    assert [(i.title, i.owner, i.minutes) for i in m.agenda] == [
        ("市场部需求文档提交时间及优先级", "zhangwei@corp.example", 15), ("活动预算与排期", "lina@corp.example", 15)]
    assert len(outbox_mails(app, "notice")) == 6


def test_plain_meeting_mail_with_gaps_is_answered_with_what_is_missing(env):
    app, svc, _ = env
    assert svc.ingest.process_raw(fixture("plain_notice_incomplete.eml"), "t", at(2026, 11, 18, 9, 41)) == "unknown"
    assert app.store.meetings() == []
    [answer] = outbox_mails(app, "meeting_unclear")
    text = body_text(answer)
    assert answer["To"] == "wanglei@corp.example" and answer["In-Reply-To"] == "<plain-notice-2@corp.example>"
    for expected in ("会议主题", "确切时间", "地点或线上会议号", "通讯录中找不到（或有多人同名）：王五"):
        assert expected in text, expected


@pytest.mark.parametrize("text, start, end", [
    ("2026-11-25 14:00-16:00", (2026, 11, 25, 14, 0), (2026, 11, 25, 16, 0)),
    ("11月25日 下午2:30—4点", (2026, 11, 25, 14, 30), (2026, 11, 25, 16, 0)),
    ("2026年11月25日（周三）14：00至15：30", (2026, 11, 25, 14, 0), (2026, 11, 25, 15, 30)),
    ("11/25 9:30", (2026, 11, 25, 9, 30), None),
    ("2026/11/25 2pm-3:30pm", (2026, 11, 25, 14, 0), (2026, 11, 25, 15, 30)),
])
def test_meeting_times_people_write(text, start, end):
    s, e, problem = parse_when(text, NOW, "Asia/Shanghai")
    assert problem == "" and s == at(*start) and (e == at(*end) if end else e is None)


# NOW is Wednesday 18 Nov 2026: 下周三 is 25 Nov, 周五 20 Nov, 明天 19 Nov.
@pytest.mark.parametrize("text, start, end", [
    # relative days keep the time written after them (the deadline reader used to swallow it)
    ("下周三 下午3点-4点", (2026, 11, 25, 15, 0), (2026, 11, 25, 16, 0)),
    ("明天上午10点", (2026, 11, 19, 10, 0), None),
    ("后天 3-4点", (2026, 11, 20, 15, 0), (2026, 11, 20, 16, 0)),
    ("下週三下午2點半", (2026, 11, 25, 14, 30), None),
    # weekdays
    ("周五 14:00-15:30", (2026, 11, 20, 14, 0), (2026, 11, 20, 15, 30)),
    ("下周一下午3-4点", (2026, 11, 23, 15, 0), (2026, 11, 23, 16, 0)),
    ("本周四 9点", (2026, 11, 19, 9, 0), None),
    # explicit dates
    ("12月2日 下午3-5点", (2026, 12, 2, 15, 0), (2026, 12, 2, 17, 0)),
    ("2026-12-09 10:00", (2026, 12, 9, 10, 0), None),
    # English
    ("next Wednesday 3pm", (2026, 11, 25, 15, 0), None),
    ("Friday 3-4pm", (2026, 11, 20, 15, 0), (2026, 11, 20, 16, 0)),
    ("tomorrow from 10 to 11:30 am", (2026, 11, 19, 10, 0), (2026, 11, 19, 11, 30)),
    ("Thursday 11-12pm", (2026, 11, 19, 11, 0), (2026, 11, 19, 12, 0)),
])
def test_meeting_times_after_relative_days_weekdays_dates_and_in_english(text, start, end):
    s, e, problem = parse_when(text, NOW, "Asia/Shanghai")
    assert (problem, s, e) == ("", at(*start), at(*end) if end else None)


@pytest.mark.parametrize("text, problem", [("下午3点左右", "exact_time"), ("11月25日", "time"), ("", "time"),
                                           ("找个时间再说", "date"),
                                           ("下周三", "time"), ("next Friday", "time"), ("明天下午3点左右", "exact_time")])
def test_meeting_times_that_are_not_times(text, problem):
    assert parse_when(text, NOW, "Asia/Shanghai")[2] == problem


# --------------------------------------------------------------------------- the timeline
def fired(app) -> list[tuple[str, str]]:
    return [(r["kind"], ",".join(r["recipients"])) for r in app.store.outbox_history() if r["kind"] != "notice"]


def test_timeline_fires_on_the_right_working_days(env):
    """Meeting Monday 2026-10-12 14:00, created Monday 09-28. 10-01..07 is the National Day holiday
    and Saturday 10-10 a 调休 working day: 3 working days before is Thursday 10-08, 1 working day
    before is Saturday 10-10; the day before is a Sunday, so that reminder waits for Monday 09:00."""
    app, svc, clock = env
    data = sample() | {"start": "2026-10-12 14:00", "end": "2026-10-12 16:00"}
    create(app, svc, now=at(2026, 9, 28, 10, 0), data=data)
    notice = next(n for n in outbox_mails(app, "notice") if n["To"] == "zhangwei@corp.example")
    svc.ingest.process_raw(reply_to(notice, "zhangwei@corp.example", "参加"), "t", at(2026, 9, 28, 11, 0))
    for day in (at(2026, 9, 28, 18, 0), at(2026, 9, 30, 9, 0), at(2026, 10, 7, 17, 0)):
        svc.ticker.tick_once(day)
    assert [k for k, _ in fired(app)] == ["meeting_rsvp_receipt"]          # no short-notice warning
    svc.ticker.tick_once(at(2026, 10, 8, 9, 0))
    assert fired(app)[-1] == ("meeting_preparer_reminder", "liuyang@corp.example")
    svc.ticker.tick_once(at(2026, 10, 9, 9, 0))
    assert fired(app)[-1][0] == "meeting_preparer_reminder"                   # nothing new on Friday
    svc.ticker.tick_once(at(2026, 10, 10, 9, 0))
    nudged = {to for k, to in fired(app) if k == "meeting_nudge"}
    assert nudged == {"sunli@corp.example", "liuyang@corp.example", "lina@corp.example",
                      "chenjing@corp.example", "tom@corp.example"}               # not the host, not 张伟
    svc.ticker.tick_once(at(2026, 10, 11, 14, 0))                                      # Sunday: quiet
    assert not [k for k, _ in fired(app) if k == "meeting_reminder"]
    svc.ticker.tick_once(at(2026, 10, 12, 9, 0))
    reminded = [to for k, to in fired(app) if k == "meeting_reminder"]
    assert len(reminded) == 7
    before = len(fired(app))
    svc.ticker.tick_once(at(2026, 10, 12, 9, 5))
    svc.ticker.tick_once(at(2026, 10, 12, 15, 0))
    assert len(fired(app)) == before                                            # nothing fires twice


def test_short_notice_warns_the_host_and_late_steps_are_covered_by_the_notice(env):
    """Created Wednesday 09-30 for Thursday 10-08 10:00: only one working day (10-08) lies between."""
    app, svc, _ = env
    data = sample() | {"start": "2026-10-08 10:00", "end": "2026-10-08 11:00"}
    create(app, svc, now=at(2026, 9, 30, 10, 0), data=data)
    svc.ticker.tick_once(at(2026, 9, 30, 10, 1))
    assert fired(app) == [("meeting_host_warning", "wanglei@corp.example")]
    text = body_text(outbox_mails(app, "meeting_host_warning")[0])
    assert "只有 1 个工作日" in text
    svc.ticker.tick_once(at(2026, 10, 8, 9, 0))
    kinds = [k for k, _ in fired(app)]
    assert "meeting_preparer_reminder" not in kinds and "meeting_nudge" not in kinds   # notice came after them


def test_cancelled_meetings_get_no_reminders(env):
    app, svc, _ = env
    m = create(app, svc)
    change(app, svc, m.id, lambda ctx, m: meetings.cancel(ctx, m, "取消"), at(2026, 11, 19, 9, 0))
    for day in (at(2026, 11, 20, 9, 0), at(2026, 11, 24, 9, 0), at(2026, 11, 24, 14, 0)):
        svc.ticker.tick_once(day)
    assert [k for k, _ in fired(app) if k != "meeting_cancel"] == []


# --------------------------------------------------------------------------- the CLI
def sent_kinds(folder: Path) -> list[str]:
    kinds = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            kinds.append(msg["X-Mailflow"].split(";")[0])
    return kinds


def test_cli_add_show_run_reschedule_cancel(tmp_path, monkeypatch):
    runner = CliRunner()
    # init dates the sample meeting two working days on: Wednesday 2026-11-25, 10:00-12:00
    assert runner.invoke(main, ["init", str(tmp_path), "--now", "2026-11-23T09:00"]).exit_code == 0
    monkeypatch.chdir(tmp_path)
    people = yaml.safe_load(Path("people.yaml").read_text(encoding="utf-8"))
    emails = {p["email"] for p in people["people"]}
    data = yaml.safe_load(Path("meeting.yaml").read_text(encoding="utf-8"))
    assert data["host"] in emails

    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nstart: 2026-11-25 14:00\nend: 2026-11-25 15:00\nhost: nobody@nowhere.example\n",
                   encoding="utf-8")
    r = runner.invoke(main, ["meeting", "add", str(bad)])
    assert r.exit_code == 2 and "key 'host'" in r.output

    r = runner.invoke(main, ["meeting", "add", "meeting.yaml", "--now", "2026-11-18T09:00"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["meeting", "list", "--json"])
    [row] = json.loads(r.output)
    assert row["id"] == 1 and row["status"] == "scheduled"
    r = runner.invoke(main, ["meeting", "show", "1", "--json"])
    shown = json.loads(r.output)
    assert {a["rsvp"] for a in shown["attendees"] if a["role"] != "host"} == {"needs-action"}
    assert all({"email", "role", "rsvp", "answered_at", "answered_via"} <= set(a) for a in shown["attendees"])

    r = runner.invoke(main, ["run", "--once", "--now", "2026-11-18T09:05"])
    assert r.exit_code == 0, r.output
    n_notices = len(shown["attendees"])
    assert sent_kinds(tmp_path / "mail" / "sent").count("notice") == n_notices

    # a text answer in the thread, delivered to the inbox and taken in by the next run
    sent = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((tmp_path / "mail" / "sent").rglob("*")) if p.is_file()]
    someone = next(a for a in shown["attendees"] if a["role"] == "required")["email"]
    notice = next(s for s in sent if s["To"] == someone)
    (tmp_path / "reply.eml").write_bytes(reply_to(notice, someone, "由王五代参会"))
    assert runner.invoke(main, ["inject", "reply.eml"]).exit_code == 0
    assert runner.invoke(main, ["run", "--once", "--now", "2026-11-18T10:00"]).exit_code == 0
    a = next(a for a in json.loads(runner.invoke(main, ["meeting", "show", "1", "--json"]).output)["attendees"]
             if a["email"] == someone)
    assert (a["rsvp"], a["proxy"], a["answered_via"]) == ("declined", "王五", "mail")

    # 3 working days before Wednesday 11-25 is Friday 11-20
    assert runner.invoke(main, ["run", "--once", "--now", "2026-11-19T17:00"]).exit_code == 0
    assert "meeting_preparer_reminder" not in sent_kinds(tmp_path / "mail" / "sent")
    assert runner.invoke(main, ["run", "--once", "--now", "2026-11-20T09:01"]).exit_code == 0
    assert "meeting_preparer_reminder" in sent_kinds(tmp_path / "mail" / "sent")

    r = runner.invoke(main, ["meeting", "reschedule", "1", "--start", "2026-11-26 14:00", "--end", "2026-11-26 15:00",
                             "--now", "2026-11-20T10:00"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["meeting", "cancel", "1", "--reason", "客户临时变更", "--now", "2026-11-20T11:00"])
    assert r.exit_code == 0, r.output
    assert runner.invoke(main, ["run", "--once", "--now", "2026-11-20T11:01"]).exit_code == 0
    kinds = sent_kinds(tmp_path / "mail" / "sent")
    assert kinds.count("meeting_update") == n_notices and kinds.count("meeting_cancel") == n_notices
    assert runner.invoke(main, ["meeting", "show", "9"]).exit_code == 1
    r = runner.invoke(main, ["meeting", "cancel", "1", "--reason", "again"])
    assert r.exit_code == 1 and "already cancelled" in r.output
