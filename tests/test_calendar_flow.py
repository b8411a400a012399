"""Calendars that stay true, through the flow (mail in → mails out → ledger):

- the calendar buttons reach mailflow: the invite's ORGANIZER is the shared mailbox, so the iMIP
  REPLY each client sends to the organizer (Outlook, Gmail, Apple Calendar, Thunderbird) updates the
  answers, DELEGATED included;
- [meetings] organizer = "host" keeps the host as ORGANIZER (answers go to him);
- invitations from other calendars: one moved occurrence, a weekly series, a CANCEL without DTSTART.
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from icalendar import Calendar

from apphelp import SHARED, body_text, commit_change, make_app, outbox_mails
from icaljs import require_ical_js, run_ical_js
from meetinghelp import FIX, NOW, at, create
from mailflow.edges import snapshot
from mailflow.flows import meetings
from mailflow.config import ConfigError, settings_from_dict
from mailflow.model import Role, Rsvp
from mailflow.testing import make_mail

ROOT = Path(__file__).resolve().parent.parent
ICAL_FIX = ROOT / "tests" / "fixtures" / "ical"


@pytest.fixture
def env(tmp_path):
    app, svc, clock = make_app(tmp_path, NOW)
    yield app, svc, clock
    app.close()


def invite_of(msg) -> Calendar:
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_payload(decode=True))


def event_of(msg):
    return next(iter(invite_of(msg).walk("VEVENT")))


def addressed_to(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return msg["To"].addresses[0].addr_spec.lower()


# --------------------------------------------------------------------------- the buttons reach mailflow
CLIENT_REPLIES = [
    # Outlook: empty body, only the calendar part, Windows zone, MAILTO in capitals
    ("organizer_reply_outlook_accepted.eml", "zhangwei@corp.example", Rsvp.ACCEPTED, None),
    # Gmail: a note in X-RESPONSE-COMMENT, UTC times, calendar inline and as invite.ics
    ("organizer_reply_gmail_declined.eml", "lina@corp.example", Rsvp.DECLINED, None),
    # Apple Calendar: quoted-printable attachment, EMAIL parameters
    ("organizer_reply_apple_tentative.eml", "chenjing@corp.example", Rsvp.TENTATIVE, None),
    # Thunderbird: 孙丽 delegates to 周强 (DELEGATED-TO), the stand-in's line carries DELEGATED-FROM
    ("organizer_reply_thunderbird_delegated.eml", "sunli@corp.example", Rsvp.DECLINED, "zhouqiang@corp.example"),
]


def test_the_invite_asks_answers_to_come_to_the_shared_mailbox(env):
    app, svc, _ = env
    create(app, svc)
    for notice in outbox_mails(app, "notice"):
        ev = event_of(notice)
        org = ev["ORGANIZER"]
        assert str(org) == f"mailto:{SHARED}"
        assert org.params["CN"] in ("王磊（主持人） via 会议跟进助手", "王磊 (host) via 会议跟进助手")
        host = next(a for a in ev["ATTENDEE"] if str(a) == "mailto:wanglei@corp.example")
        assert (host.params["ROLE"], host.params["PARTSTAT"]) == ("CHAIR", "ACCEPTED")
        assert "RSVP" not in host.params
    # the fixtures below are written as the clients answer that ORGANIZER
    for name, *_ in CLIENT_REPLIES:
        assert addressed_to((FIX / name).read_bytes()) == SHARED


@pytest.mark.parametrize("name, who, rsvp, stand_in", CLIENT_REPLIES)
def test_a_calendar_button_answer_updates_the_rsvp_list(env, name, who, rsvp, stand_in):
    app, svc, _ = env
    m = create(app, svc)
    when = at(2026, 11, 18, 20, 0)
    assert svc.ingest.process_raw((FIX / name).read_bytes(), "t", when) == "applied"
    a = app.store.get_meeting(m.id).attendee(who)
    assert (a.rsvp, a.proxy, a.answered_via, a.answered_at) == (rsvp, stand_in, "imip", when)
    declined = outbox_mails(app, "meeting_declined")
    if rsvp is Rsvp.DECLINED and stand_in is None:   # a required 'no' without a stand-in: the host hears it
        assert [d["To"] for d in declined] == ["wanglei@corp.example"]
        assert "李娜" in body_text(declined[0])
    else:
        assert declined == []
    if stand_in:   # DELEGATED: recorded as declined, the delegate invited in her place
        joined = app.store.get_meeting(m.id).attendee(stand_in)
        assert joined is not None and joined.role is Role.REQUIRED
        notice = next(n for n in outbox_mails(app, "notice") if n["To"] == stand_in)
        assert "您将代 孙丽 参会" in body_text(notice)


def test_the_host_clicking_accept_on_his_own_meeting_changes_nothing(env):
    app, svc, _ = env
    m = create(app, svc)
    raw = (FIX / "organizer_reply_outlook_accepted.eml").read_bytes()
    raw = raw.replace(b'"Zhang, Wei" <ZhangWei@Corp.Example>', b"Wang Lei <wanglei@corp.example>")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    part.set_content(part.get_payload(decode=True).replace(b"CN=Zhang, Wei:MAILTO:ZhangWei@Corp.Example",
                                                           b"CN=Wang Lei:MAILTO:wanglei@corp.example"),
                     maintype="text", subtype="calendar", params={"method": "REPLY"}, cte="base64")
    svc.ingest.process_raw(msg.as_bytes(), "t", at(2026, 11, 18, 20, 0))
    host = app.store.get_meeting(m.id).attendee("wanglei@corp.example")
    assert host.rsvp is Rsvp.ACCEPTED and outbox_mails(app, "meeting_declined") == []


def test_organizer_host_keeps_the_old_way(env):
    app, svc, _ = env
    app.settings.meetings.organizer = "host"
    create(app, svc)
    for notice in outbox_mails(app, "notice"):
        org = event_of(notice)["ORGANIZER"]
        assert str(org).lower() == "mailto:wanglei@corp.example"
        assert org.params["SENT-BY"] == f"mailto:{SHARED}"


@pytest.mark.parametrize("value", ["boss", "", "Shared", 1])
def test_organizer_setting_is_checked_at_load(value):
    with pytest.raises(ConfigError, match=r"\[meetings\] organizer"):
        settings_from_dict({"meetings": {"organizer": value}})
    assert settings_from_dict({"meetings": {"organizer": "host"}}).meetings.organizer == "host"
    assert settings_from_dict({}).meetings.organizer == "shared"


def test_invites_with_the_shared_organizer_pass_ical_js(env, tmp_path):
    require_ical_js()
    app, svc, _ = env
    m = create(app, svc)
    commit_change(app, svc, lambda ctx: meetings.cancel(ctx, ctx.lookup.get_meeting(m.id), "改期"),
                  at(2026, 11, 19, 9, 0), lambda store: snapshot.for_meeting(store, m.id))
    files = []
    for i, n in enumerate(outbox_mails(app)):
        for part in n.walk():
            if part.get_content_type() == "text/calendar":
                path = tmp_path / f"{i}.ics"
                path.write_bytes(part.get_payload(decode=True))
                files.append(str(path))
                break
    assert len(files) == 14
    done = run_ical_js(files)
    assert done.returncode == 0, done.stderr or done.stdout


# --------------------------------------------------------------------------- invitations from other calendars
def from_host(ics_name: str, method: str, mid: str) -> bytes:
    """A host's calendar sending ICAL_FIX/ics_name to the shared mailbox, as its clients wrap it."""
    return make_mail("王磊 <wanglei@corp.example>", "请见日历邀请。", to=f"会议助手 <{SHARED}>", subject="邀请",
                     message_id=f"<{mid}@corp.example>", date="Thu, 19 Nov 2026 09:00:00 +0800",
                     calendar=(ICAL_FIX / ics_name).read_bytes(), method=method, utf8=False)


def test_one_moved_occurrence_does_not_move_the_meeting(env):
    app, svc, _ = env
    assert svc.ingest.process_raw((FIX / "invite_outlook_request.eml").read_bytes(), "t", at(2026, 11, 17, 14, 31)) == "applied"
    [m] = app.store.meetings()
    sent = len(outbox_mails(app))
    assert svc.ingest.process_raw(from_host("invite_outlook_instance_moved.ics", "REQUEST", "inst1"), "t",
                                  at(2026, 11, 19, 9, 1)) == "ignored"
    kept = app.store.get_meeting(m.id)
    assert (kept.start, kept.end, kept.sequence, kept.location) == (m.start, m.end, m.sequence, m.location)
    assert len(outbox_mails(app)) == sent


@pytest.mark.parametrize("lang_of_host, words", [
    ("zh-CN", ["周期性会议暂不跟进：技术部周会", "每周", "不会被跟进", "单独发一个"]),
    ("zh-TW", ["週期性會議暫不跟進：技术部周会", "每週", "不會被跟進"]),
    ("en", ["Recurring meetings are not followed: 技术部周会", "weekly", "not followed", "separate"]),
])
def test_a_recurring_invitation_is_answered_not_followed(tmp_path, lang_of_host, words):
    from apphelp import PEOPLE
    people = PEOPLE.replace("aliases: [王总, Wang Lei]", f"aliases: [王总, Wang Lei], language: {lang_of_host}")
    app, svc, _ = make_app(tmp_path, NOW, people=people)
    try:
        assert svc.ingest.process_raw(from_host("invite_gmail_weekly.ics", "REQUEST", "weekly1"), "t",
                                      at(2026, 11, 20, 10, 1)) == "ignored"
        assert app.store.meetings() == []
        [answer] = outbox_mails(app, "meeting_recurring")
        assert answer["To"] == "wanglei@corp.example" and answer["In-Reply-To"] == "<weekly1@corp.example>"
        text = answer["Subject"] + "\n" + body_text(answer)
        for w in words:
            assert w in text, w
        assert "2026-12-02 10:00" in text
        # the same invitation again is not answered twice
        svc.ingest.process_raw(from_host("invite_gmail_weekly.ics", "REQUEST", "weekly2"), "t", at(2026, 11, 20, 10, 5))
        assert len(outbox_mails(app, "meeting_recurring")) == 1
    finally:
        app.close()


def test_a_cancel_without_dtstart_still_cancels(env):
    app, svc, _ = env
    assert svc.ingest.process_raw((FIX / "invite_outlook_request.eml").read_bytes(), "t", at(2026, 11, 17, 14, 31)) == "applied"
    [m] = app.store.meetings()
    bare = (ICAL_FIX / "cancel_apple_no_dtstart.ics").read_bytes().replace(
        b"3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8", m.uid.encode())
    msg = email.message_from_bytes(from_host("cancel_apple_no_dtstart.ics", "CANCEL", "bare1"), policy=email.policy.default)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    part.set_content(bare, maintype="text", subtype="calendar", params={"method": "CANCEL"}, cte="base64")
    assert svc.ingest.process_raw(msg.as_bytes(), "t", at(2026, 11, 20, 9, 1)) == "applied"
    assert app.store.get_meeting(m.id).status == "cancelled"


def test_a_proposed_new_time_goes_to_the_host_and_moves_nothing(env):
    # "Propose new time" (iTIP COUNTER) answers the ORGANIZER too: the host must hear of it
    app, svc, _ = env
    m = create(app, svc)
    svc.ingest.process_raw((FIX / "organizer_counter_outlook.eml").read_bytes(), "t", at(2026, 11, 18, 20, 30))
    kept = app.store.get_meeting(m.id)
    assert (kept.start, kept.sequence) == (m.start, m.sequence)
    assert kept.attendee("lina@corp.example").rsvp is Rsvp.NEEDS_ACTION
    [note] = outbox_mails(app, "meeting_counter")
    assert note["To"] == "wanglei@corp.example"
    text = body_text(note)
    assert "李娜" in text and "2026-11-26" in text and "10:00" in text and "–12:00" in text
    assert "周四上午可以吗" in text and "mailflow meeting reschedule 1" in text
