"""The host moves or cancels a meeting by mail: "会议改到下周四下午3点-4点" / "会议取消，原因…" in the
meeting's thread is confirmed with the host first (one click: 确认改期 / 确认取消 / 不要), and only then
goes to everyone exactly as `meeting reschedule` / `meeting cancel` send it (same UID, SEQUENCE+1).
Anyone else writing the same words is read as usual; an unclear new time is asked back, never guessed.
"""

from __future__ import annotations

import pytest

from apphelp import SHARED, add_meeting, body_text, make_app, outbox_mails, reply_to
from mailclient import click as press, links, vevent
from meetinghelp import NOW, at, sample
from mailflow.flows import meetings
from mailflow.testing import make_mail

SENT = "Wed, 18 Nov 2026 09:30:00 +0800"        # the Date of the mails the tests write
HOST, RECORDER, OWNER = "wanglei@corp.example", "sunli@corp.example", "zhangwei@corp.example"


@pytest.fixture
def env(tmp_path):
    app, svc, _clock = make_app(tmp_path, NOW)
    m = meetings.from_data(sample(), app.directory)      # not create(): the UID from_data gives is kept
    out = add_meeting(app, svc, m, NOW)
    yield app, svc, app.store.get_meeting(out.meetings[0].id)
    app.close()


def notice_to(app, email):
    return next(n for n in outbox_mails(app, "notice") if n["To"] == email)


def write(app, svc, sender, text, *, now=NOW, to=OWNER) -> str:
    """`sender` answers the notice `to` received (the thread any mailflow mail of the meeting starts)."""
    return svc.ingest.process_raw(reply_to(notice_to(app, to), sender, text), "t", now)


def click(svc, sender, subject_body, now=NOW) -> str:
    """Press a one-click answer as these tests write it: read at `now`, dated SENT."""
    return press(svc, sender, subject_body, now, date=SENT)


def inbound(app):
    return app.store.inbound_history()


# --------------------------------------------------------------------------- moving
def test_host_moves_the_meeting_after_one_click_and_everyone_gets_the_update(env):
    app, svc, m = env
    assert write(app, svc, HOST, "各位好，会议改到下周四下午3点-4点，谢谢") == "applied"
    # first only the host hears back; nothing has moved yet
    [confirm] = outbox_mails(app, "meeting_change_confirm")
    assert confirm["To"] == HOST and "[MF-M" in confirm["Subject"]
    assert "新时间：2026-11-26（周四） 15:00–16:00" in body_text(confirm)
    assert outbox_mails(app, "meeting_update") == []
    assert app.store.get_meeting(m.id).start == at(2026, 11, 25, 14, 0)
    choices = links(confirm)
    assert choices["确认改期：2026-11-26 15:00-16:00"] and "不要" in choices

    assert click(svc, HOST, choices["确认改期：2026-11-26 15:00-16:00"]) == "applied"
    moved = app.store.get_meeting(m.id)
    assert (moved.start, moved.end, moved.sequence) == (at(2026, 11, 26, 15, 0), at(2026, 11, 26, 16, 0),
                                                        m.sequence + 1)
    updates = outbox_mails(app, "meeting_update")
    assert sorted(u["To"] for u in updates) == sorted(m.emails)
    for u in updates:
        ev, method = vevent(u)
        assert method == "REQUEST" and str(ev["UID"]) == m.uid and int(ev["SEQUENCE"]) == m.sequence + 1
        assert ev.decoded("DTSTART") == at(2026, 11, 26, 15, 0)
    # the ledger: what each mail was read as
    rows = inbound(app)
    assert [(r["status"], r["intent"]) for r in rows] == [("applied", "meeting_move"), ("applied", "meeting_move")]
    assert "confirmed by wanglei@corp.example" in rows[-1]["detail"]


def test_only_a_start_keeps_the_meeting_length_and_english_and_traditional_hosts_are_answered_in_kind(env):
    app, svc, m = env
    write(app, svc, HOST, "Let's move the meeting to next Thursday 3pm.")
    [confirm] = outbox_mails(app, "meeting_change_confirm")
    assert "Please confirm the new time" in confirm["Subject"]
    (label, answer), = [(k, v) for k, v in links(confirm).items() if k.startswith("Confirm the move")]
    assert label == "Confirm the move: 2026-11-26 15:00-17:00"      # two hours, as before
    assert "Keep it as it is" in links(confirm)

    write(app, svc, HOST, "會議改到下週四上午10點到11點半")
    tw = outbox_mails(app, "meeting_change_confirm")[-1]
    assert "確認改期：2026-11-26 10:00-11:30" in links(tw)


def test_a_plain_yes_in_reply_to_the_confirmation_confirms_what_it_proposed(env):
    app, svc, m = env
    write(app, svc, HOST, "会议改到11月27日 9:30-10:30")
    confirm = outbox_mails(app, "meeting_change_confirm")[0]
    quoted = "确认\n\n> " + "\n> ".join(body_text(confirm).splitlines())
    assert svc.ingest.process_raw(reply_to(confirm, HOST, quoted), "t", NOW) == "applied"
    assert app.store.get_meeting(m.id).start == at(2026, 11, 27, 9, 30)


def test_no_keeps_the_meeting_as_it_is(env):
    app, svc, m = env
    write(app, svc, HOST, "会议改到下周四下午3点")
    confirm = outbox_mails(app, "meeting_change_confirm")[0]
    assert click(svc, HOST, links(confirm)["不要"]) == "ignored"
    assert app.store.get_meeting(m.id).start == at(2026, 11, 25, 14, 0)
    assert outbox_mails(app, "meeting_update") == []


@pytest.mark.parametrize("text, problem_words", [
    ("会议改到下周四", "没有写明几点"),                  # a day without a time of day
    ("会议改到下周四下午3点左右", "不是确切时间"),       # about three
    ("会议改到昨天下午3点", "已经过去"),                  # a past day
    ("会议改到今天早上8点", "已经过去"),                  # earlier today (it is 9:00)
    ("会议改期，时间另行通知", "没有看出新的日期"),
])
def test_an_unclear_new_time_is_asked_back_never_guessed(env, text, problem_words):
    app, svc, m = env
    assert write(app, svc, HOST, text) == "unknown"
    [ask] = outbox_mails(app, "meeting_change_confirm")
    assert problem_words in body_text(ask) and "<mailto:" not in body_text(ask)
    assert app.store.get_meeting(m.id).sequence == m.sequence


# --------------------------------------------------------------------------- cancelling
@pytest.mark.parametrize("text, reason, confirm_label", [
    ("会议取消，原因：客户临时来访", "客户临时来访", "确认取消，原因：客户临时来访"),
    ("Meeting cancelled because the client postponed the launch.", "the client postponed the launch",
     "Confirm the cancellation, reason: the client postponed the launch"),
    ("取消本次會議，因為老闆出差", "老闆出差", "確認取消，原因：老闆出差"),
])
def test_host_cancels_after_one_click_and_everyone_gets_method_cancel(env, text, reason, confirm_label):
    app, svc, m = env
    assert write(app, svc, HOST, text) == "applied"
    [confirm] = outbox_mails(app, "meeting_change_confirm")
    assert app.store.get_meeting(m.id).status == "scheduled" and outbox_mails(app, "meeting_cancel") == []
    assert click(svc, HOST, links(confirm)[confirm_label]) == "applied"
    gone = app.store.get_meeting(m.id)
    assert (gone.status, gone.cancel_reason, gone.sequence) == ("cancelled", reason, m.sequence + 1)
    cancels = outbox_mails(app, "meeting_cancel")
    assert sorted(c["To"] for c in cancels) == sorted(m.emails)
    ev, method = vevent(cancels[0])
    assert method == "CANCEL" and int(ev["SEQUENCE"]) == m.sequence + 1 and str(ev["UID"]) == m.uid
    assert inbound(app)[-1]["intent"] == "meeting_cancel"


def test_the_tag_in_a_new_mail_is_the_thread_too(env):
    app, svc, m = env
    raw = make_mail(HOST, "这个会改到下周四下午2点到3点", to=SHARED, subject=f"[MF-M{m.id}] 改期",
                    message_id="<x1@client>", date=SENT)
    assert svc.ingest.process_raw(raw, "t", NOW) == "applied"
    assert "确认改期：2026-11-26 14:00-15:00" in links(outbox_mails(app, "meeting_change_confirm")[0])


# --------------------------------------------------------------------------- who may
@pytest.mark.parametrize("sender", [OWNER, RECORDER])
def test_anyone_but_the_host_writing_it_is_read_as_usual(env, sender):
    app, svc, m = env
    write(app, svc, sender, "会议改到下周四下午3点")
    write(app, svc, sender, "会议取消，原因：没空")
    assert outbox_mails(app, "meeting_change_confirm") == []
    # …and a forged confirmation changes nothing either
    click(svc, sender, (f"回复：[MF-M{m.id}] x", "确认取消，原因：没空"))
    assert app.store.get_meeting(m.id).status == "scheduled"


def test_the_hosts_delegate_acts_for_the_host(env):
    app, svc, m = env
    write(app, svc, "mishu@corp.example", "王总说会议取消，原因：出差")
    [confirm] = outbox_mails(app, "meeting_change_confirm")
    assert confirm["To"] == "mishu@corp.example"


@pytest.mark.parametrize("text", ["会议能改到下周四下午3点吗？", "会议不取消，照常开", "Can we move the meeting to Friday 3pm?",
                                  "参加", "我会改到明天下午3点前交材料", "上次会议取消了，这次照常",
                                  "The last meeting was cancelled; this one goes ahead."])
def test_a_question_a_negation_or_an_answer_from_the_host_is_no_command(env, text):
    app, svc, m = env
    write(app, svc, HOST, text)
    assert outbox_mails(app, "meeting_change_confirm") == []
    assert app.store.get_meeting(m.id).sequence == m.sequence


def test_a_cancelled_meeting_is_not_moved(env):
    app, svc, m = env
    write(app, svc, HOST, "会议取消，原因：改线上")
    click(svc, HOST, links(outbox_mails(app, "meeting_change_confirm")[0])["确认取消，原因：改线上"])
    assert click(svc, HOST, (f"回复：[MF-M{m.id}] x", "确认改期：2026-11-26 15:00-16:00")) == "ignored"
    assert app.store.get_meeting(m.id).status == "cancelled"


# --------------------------------------------------------------------------- the reader alone
from mailflow.read.meeting_text import read_host_command  # noqa: E402


@pytest.mark.parametrize("text, start, end", [
    ("周会挪到下周五上午10点", (2026, 11, 27, 10, 0), None),
    ("例會順延到11月30日 14:00-15:00", (2026, 11, 30, 14, 0), (2026, 11, 30, 15, 0)),
    ("这个会提前到明天下午2点半", (2026, 11, 19, 14, 30), None),
    ("We'll push the call to Monday 9-10am", (2026, 11, 23, 9, 0), (2026, 11, 23, 10, 0)),
    ("Moving the sync to Dec 1 at 4pm, thanks all", (2026, 12, 1, 16, 0), None),
])
def test_moves_people_write(text, start, end):
    cmd = read_host_command(text, NOW, "Asia/Shanghai")
    assert (cmd.action, cmd.problem, cmd.start, cmd.end) == ("move", "", at(*start), at(*end) if end else None)


@pytest.mark.parametrize("text, reason", [
    ("明天的会不开了，原因是场地被占", "场地被占"),
    ("周会取消了", ""),
    ("We need to cancel the sync due to the office move", "the office move"),
    ("The call has been called off because two speakers are ill", "two speakers are ill"),
])
def test_cancellations_people_write(text, reason):
    cmd = read_host_command(text, NOW, "Asia/Shanghai")
    assert (cmd.action, cmd.reason) == ("cancel", reason)


@pytest.mark.parametrize("text", ["会议照常进行", "会议要不要改到周五？", "这个会先别取消", "Is the meeting still on?",
                                  "I'll move my report to Friday", "上周的会取消了，所以这次内容多"])
def test_what_is_no_command(text):
    assert read_host_command(text, NOW, "Asia/Shanghai") is None
