"""Answers people can give in one click, and what mailflow says back when it is not sure.

Every mail that asks for an answer carries mailto: links (RFC 6068) to the shared address with the
subject tag and a prefilled reply. These tests take the links out of the rendered mails, send what a
mail client would send for them (as clicked, and as a person edits them) and look at the ledger."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from apphelp import SH, SHARED, add_meeting, body_text, make_app, outbox_mails, reply_to
from mailflow.flows import answers, meetings
from mailflow.write import choices
from mailflow.flows.task_reading import _BLANK
from mailflow.flows.task_verification import _verdict
from mailflow.read import replies
from mailflow.model import Attendee, Intent, Meeting, Role, Rsvp, Task, TaskStatus
from mailflow.testing import make_mail

START = datetime(2026, 11, 20, 10, 0, tzinfo=SH)           # a Friday
HOST, OWNER = "wanglei@corp.example", "zhangwei@corp.example"
CHEN, TOM = "chenjing@corp.example", "tom@corp.example"    # zh-TW and en readers
MEETINGS = Path(__file__).parent / "fixtures" / "meetings"


def build(tmp_path, owner=OWNER, titles=("接口开发",), due=date(2026, 11, 27)):
    app, svc, clock = make_app(tmp_path, START)
    m = app.store.save_meeting(Meeting(
        id=None, uid="m-answers@corp.example", title="产品发布协调会", start=START - timedelta(days=2),
        end=START - timedelta(days=2, hours=-1), host=HOST,
        attendees=[Attendee(HOST, Role.HOST), Attendee(owner, Role.REQUIRED)]), START)
    ts = [app.store.save_task(Task(id=None, title=t, owner=owner, due=due, meeting_id=m.id), START) for t in titles]
    return app, svc, clock, ts


def links(msg) -> dict[str, dict]:
    """The one-click answers of a rendered mail, by prefilled body: {"to", "subject", "in-reply-to", "body"}.
    Taken from the HTML buttons; the plain text must offer exactly the same links."""
    html = msg.get_body(preferencelist=("html",)).get_content()
    hrefs = [a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a", href=re.compile("^mailto:"))]
    assert sorted(hrefs) == sorted(re.findall(r"<(mailto:[^>\s]+)>", body_text(msg)))
    out = {}
    for href in hrefs:
        parts = urlsplit(href)
        fields = {k.lower(): unquote(v) for k, _, v in (p.partition("=") for p in parts.query.split("&"))}
        fields["to"] = unquote(parts.path)
        out[fields["body"]] = fields
    return out


def click(link: dict, sender: str, *, body: str | None = None, thread: bool = True) -> bytes:
    """The mail a client sends for a mailto: link (the person may edit the body first; some clients
    drop In-Reply-To)."""
    return make_mail(sender, link["body"] if body is None else body, to=link["to"], subject=link["subject"],
                     in_reply_to=link["in-reply-to"] if thread else None, date="Fri, 20 Nov 2026 11:00:00 +0800")


def due_reminder(app, svc, at=datetime(2026, 11, 24, 9, 0, tzinfo=SH)):
    svc.ticker.tick_once(at)
    return outbox_mails(app, "due_reminder")[-1]


# --- the prefilled bodies mean what their labels say ------------------------------------------------
EXPECTED = {"attend": Intent.CONFIRM, "decline": Intent.DECLINE, "tentative": Intent.TENTATIVE,
            "confirm": Intent.CONFIRM, "done": Intent.DONE, "progress": Intent.PROGRESS, "delay": Intent.DELAY}


@pytest.mark.parametrize("lang", choices.WORDS)
def test_every_prefilled_answer_is_read_as_its_label_and_sure(lang):
    for key, intent in EXPECTED.items():
        body = _BLANK.sub("", choices.WORDS[lang][key])        # as sent when left unfilled
        context = replies.ReplyContext(due=date(2026, 11, 27), asked="rsvp" if key in ("attend", "decline",
                                       "tentative") else None, kind="meeting" if key == "attend" else "task")
        r = replies.classify(body, START, context=context)
        assert r.intent is intent, (lang, key, body, r.why)
        if key == "progress":
            assert r.percent == 50 and r.sure
        elif key == "delay":
            assert r.due is None                      # no date yet: the answer asks for it
        else:
            assert r.sure, (lang, key, r.why)
    assert _verdict(choices.WORDS[lang]["pass"]) == "pass"
    assert _verdict(choices.WORDS[lang]["return"]) == "return"


@pytest.mark.parametrize("edited, intent, percent, due, reason", [
    ("进行中 80%", Intent.PROGRESS, 80, None, ""),
    ("進行中 30%", Intent.PROGRESS, 30, None, ""),
    ("In progress 75%", Intent.PROGRESS, 75, None, ""),
    ("申请延期到12月9日，原因：供应商晚到", Intent.DELAY, None, date(2026, 12, 9), "供应商晚到"),
    ("申請延期到12月10日，原因：測試環境故障", Intent.DELAY, None, date(2026, 12, 10), "測試環境故障"),
    ("Please extend to Dec 11, reason: the vendor is late", Intent.DELAY, None, date(2026, 12, 11),
     "the vendor is late"),
    ("2 进行中 60%", Intent.PROGRESS, 60, None, ""),
])
def test_a_persons_edits_to_a_prefilled_answer_are_read_too(edited, intent, percent, due, reason):
    r = replies.classify(edited, START, context=replies.ReplyContext(due=date(2026, 11, 27), kind="task"))
    assert (r.intent, r.percent, r.due, r.reason, r.sure) == (intent, percent, due, reason, True)


def test_links_are_percent_encoded_mailto_uris_with_the_tag_and_the_thread():
    href = choices.mailto("mailflow@corp.example", "回复：[MF-T12] A&B #1?", "退回：____\n见附件 100%",
                          "<mf.abc@corp.example>")
    assert re.fullmatch(r"mailto:[A-Za-z0-9@.\-]+\?[A-Za-z0-9%\-._~=&]+", href)    # nothing unescaped
    fields = dict(p.split("=", 1) for p in urlsplit(href).query.split("&"))
    assert unquote(fields["subject"]) == "回复：[MF-T12] A&B #1?"
    assert unquote(fields["In-Reply-To"]) == "<mf.abc@corp.example>"
    assert unquote(fields["body"]) == "退回：____\r\n见附件 100%"      # line breaks as CRLF (RFC 6068)


# --- through the flow: mail in -> mails out -> ledger ---------------------------------------------
def test_the_due_reminders_links_update_the_task_as_clicked_and_as_edited(tmp_path):
    app, svc, clock, [t] = build(tmp_path)
    reminder = due_reminder(app, svc)
    offered = links(reminder)
    assert set(offered) == {"已完成", "进行中 50%", "申请延期到____，原因：____"}
    assert all(x["to"] == SHARED and "[MF-T1]" in x["subject"] and x["in-reply-to"] == reminder["Message-ID"]
               for x in offered.values())
    assert svc.ingest.process_raw(click(offered["进行中 50%"], OWNER, body="进行中 80%"), "t", clock.now()) == "applied"
    assert (app.store.get_task(t.id).status, app.store.get_task(t.id).percent) == (TaskStatus.IN_PROGRESS, 80)
    filled = "申请延期到12月9日，原因：等设计稿"
    assert svc.ingest.process_raw(click(offered["申请延期到____，原因：____"], OWNER, body=filled), "t", clock.now()) == "applied"
    got = app.store.get_task(t.id)
    assert (got.status, got.due, got.delay_reason) == (TaskStatus.DELAYED, date(2026, 12, 9), "等设计稿")


def test_an_unfilled_delay_link_asks_for_the_date_and_the_answer_is_read_as_that_date(tmp_path):
    app, svc, clock, [t] = build(tmp_path)
    offered = links(due_reminder(app, svc))
    svc.ingest.process_raw(click(offered["申请延期到____，原因：____"], OWNER, body="申请延期到____，原因：人手不足"),
                           "t", clock.now())
    got = app.store.get_task(t.id)
    assert (got.status, got.due, got.risk) == (TaskStatus.NOT_STARTED, date(2026, 11, 27), True)
    [ask] = outbox_mails(app, "task_ask_date")                 # 请补充新的完成日期
    assert "新的完成日期" in ask["Subject"]
    # an answer to our own question is read as that answer
    assert svc.ingest.process_raw(reply_to(ask, OWNER, "1月4日吧"), "t", clock.now()) == "applied"
    got = app.store.get_task(t.id)
    assert (got.status, got.due, got.delay_reason) == (TaskStatus.DELAYED, date(2027, 1, 4), "人手不足")


def test_done_then_the_hosts_verify_links_return_and_accept(tmp_path):
    app, svc, clock, [t] = build(tmp_path)
    offered = links(due_reminder(app, svc))
    svc.ingest.process_raw(click(offered["已完成"], OWNER), "t", clock.now())
    assert app.store.get_task(t.id).status is TaskStatus.DONE
    verify = links(outbox_mails(app, "task_verify")[-1])
    assert set(verify) == {"验收通过", "退回：____"}
    svc.ingest.process_raw(click(verify["退回：____"], HOST, body="退回：缺少接口测试报告"), "t", clock.now())
    assert app.store.get_task(t.id).status is TaskStatus.IN_PROGRESS
    [told] = outbox_mails(app, "task_verify_result")
    assert "缺少接口测试报告" in body_text(told)
    svc.ingest.process_raw(click(offered["已完成"], OWNER), "t", clock.now())
    svc.ingest.process_raw(click(links(outbox_mails(app, "task_verify")[-1])["验收通过"], HOST), "t", clock.now())
    assert app.store.get_task(t.id).status is TaskStatus.VERIFIED


def test_the_weekly_request_offers_links_per_task_numbered(tmp_path):
    app, svc, clock, ts = build(tmp_path, titles=("接口开发", "测试报告"))
    svc.ticker.tick_once(datetime(2026, 11, 20, 16, 0, tzinfo=SH))
    [req] = outbox_mails(app, "progress_request")
    offered = links(req)
    assert {"1 已完成", "2 进行中 50%", "2 申请延期到____，原因：____"} <= set(offered)
    assert "[MF-T2]" in offered["2 进行中 50%"]["subject"]
    svc.ingest.process_raw(click(offered["2 进行中 50%"], OWNER, body="2 进行中 70%"), "t", clock.now())
    assert [app.store.get_task(t.id).percent for t in ts] == [None, 70]
    # a client that drops In-Reply-To: the subject tag still finds the task
    svc.ingest.process_raw(click(offered["1 已完成"], OWNER, thread=False), "t", clock.now())
    assert app.store.get_task(ts[0].id).status is TaskStatus.DONE


def test_the_assignment_mail_offers_to_confirm_and_a_zh_tw_reader_gets_zh_tw_links(tmp_path):
    app, svc, clock, [t] = build(tmp_path, owner=CHEN)
    offered = links(due_reminder(app, svc))
    assert set(offered) == {"已完成", "進行中 50%", "申請延期到____，原因：____"}
    svc.ingest.process_raw(click(offered["進行中 50%"], CHEN), "t", clock.now())
    assert app.store.get_task(t.id).percent == 50


# --- not sure: ask back, change nothing -----------------------------------------------------------
@pytest.mark.parametrize("sender, words, lang_word", [
    (OWNER, "周一我们当面碰一下？", "未能识别"),              # zh-CN person, zh-CN words
    (OWNER, "這個我再看看，週一回覆", "未能識別"),            # zh-CN person writing Traditional: zh-TW answer
    (TOM, "let me think about it over the weekend", "could not read"),
    (TOM, "这个我要再想想", "未能识别"),                      # an English reader writing Chinese: Chinese answer
])
def test_an_unsure_reply_changes_nothing_and_is_asked_back_in_the_senders_language(tmp_path, sender, words,
                                                                                lang_word):
    app, svc, clock, [t] = build(tmp_path, owner=sender)
    reminder = due_reminder(app, svc)
    assert svc.ingest.process_raw(reply_to(reminder, sender, words), "t", clock.now()) == "unknown"
    got = app.store.get_task(t.id)
    assert (got.status, got.percent, got.due, got.confirmed_at, got.risk) == (
        TaskStatus.NOT_STARTED, None, date(2026, 11, 27), None, False)
    [q] = outbox_mails(app, "task_clarify")
    text = body_text(q)
    assert lang_word in q["Subject"] and words in text                     # their own words, quoted
    assert links(q) and len(text.splitlines()) < 20                        # short, with one-click answers


def test_a_handover_is_never_a_confirm_it_goes_to_the_host_with_the_words(tmp_path):
    app, svc, clock, [t] = build(tmp_path)
    reminder = due_reminder(app, svc)
    assert svc.ingest.process_raw(reply_to(reminder, OWNER, "这个改由王芳负责，她更熟悉"), "t", clock.now()) == "applied"
    got = app.store.get_task(t.id)
    assert (got.owner, got.confirmed_at, got.status) == (OWNER, None, TaskStatus.NOT_STARTED)
    assert [e.kind for e in app.store.task_events(t.id)] == ["reassign_requested"]
    [ask] = outbox_mails(app, "task_handover_request")
    assert ask["To"] == HOST and "王芳" in body_text(ask) and "这个改由王芳负责，她更熟悉" in body_text(ask)
    assert "转交申请" in outbox_mails(app, "task_receipt")[0]["Subject"]


# --- meetings -----------------------------------------------------------------------------------------
def notice_world(tmp_path):
    app, svc, clock = make_app(tmp_path, datetime(2026, 11, 18, 9, 0, tzinfo=SH))
    m = meetings.from_data(yaml.safe_load((MEETINGS / "meeting.yaml").read_text(encoding="utf-8")), app.directory)
    m.uid = "mf-answers@corp.example"
    out = add_meeting(app, svc, m, clock.now())
    return app, svc, clock, out.meetings[0]


@pytest.mark.parametrize("who, body, rsvp", [
    ("zhangwei@corp.example", "参加", Rsvp.ACCEPTED),
    ("zhangwei@corp.example", "不参加", Rsvp.DECLINED),
    ("chenjing@corp.example", "待定", Rsvp.TENTATIVE),
    ("tom@corp.example", "Not attending", Rsvp.DECLINED),
])
def test_the_notices_links_record_the_answer_even_without_the_thread(tmp_path, who, body, rsvp):
    app, svc, clock, m = notice_world(tmp_path)
    notice = next(n for n in outbox_mails(app, "notice") if n["To"] == who)
    offered = links(notice)
    assert body in offered and f"[MF-M{m.id}]" in offered[body]["subject"]
    assert svc.ingest.process_raw(click(offered[body], who, thread=False), "t", clock.now()) == "applied"
    assert app.store.get_meeting(m.id).attendee(who).rsvp is rsvp


def test_an_unsure_rsvp_changes_nothing_and_quotes_the_words(tmp_path):
    app, svc, clock, m = notice_world(tmp_path)
    notice = next(n for n in outbox_mails(app, "notice") if n["To"] == "lina@corp.example")
    assert svc.ingest.process_raw(reply_to(notice, "lina@corp.example", "那天下午要看客户那边的安排吧？"), "t",
                                  clock.now()) == "unknown"
    assert app.store.get_meeting(m.id).attendee("lina@corp.example").rsvp is Rsvp.NEEDS_ACTION
    [receipt] = outbox_mails(app, "meeting_rsvp_receipt")
    assert "那天下午要看客户那边的安排吧？" in body_text(receipt) and {"参加", "不参加"} <= set(links(receipt))


@pytest.mark.parametrize("subject, rsvp", [
    ("已接受: {s}", Rsvp.ACCEPTED),
    ("Declined: {s}", Rsvp.DECLINED),
    ("暫定: {s}", Rsvp.TENTATIVE),
])
def test_an_empty_body_calendar_reply_is_read_from_the_clients_subject(tmp_path, subject, rsvp):
    app, svc, clock, m = notice_world(tmp_path)
    notice = next(n for n in outbox_mails(app, "notice") if n["To"] == "zhangwei@corp.example")
    raw = reply_to(notice, "zhangwei@corp.example", "")
    raw = raw.replace(f"回复：{notice['Subject']}".encode(), subject.format(s=notice["Subject"]).encode())
    assert svc.ingest.process_raw(raw, "t", clock.now()) == "applied"
    assert app.store.get_meeting(m.id).attendee("zhangwei@corp.example").rsvp is rsvp


def test_what_an_unsure_reading_leaned_to_is_offered_first():
    offered = choices.choices("status", "zh-CN", address=SHARED, tag="[MF-T1]", first="progress")
    assert [c.body for c in offered] == ["进行中 50%", "已完成", "申请延期到____，原因：____"]
    assert [c.key for c in choices.choices("status", "en", address=SHARED, tag="[MF-T1]")] == [
        "done", "progress", "delay"]


@pytest.mark.parametrize("words, person, expected", [
    ("先这样，下周给你结果", "en", "zh-CN"),               # Simplified-only characters (这, 结)
    ("先這樣，下週給你結果", "zh-CN", "zh-TW"),            # Traditional-only characters (這, 週, 結)
    ("Will send it over on Monday", "zh-CN", "en"),
    ("好的", "zh-TW", "zh-TW"),                             # shared characters tell nothing: the person's
    ("好的", "en", "zh-CN"),                                # ...unless the person reads English
    ("OK", "zh-TW", "zh-TW"),                               # one English word tells nothing either
    ("", "en", "en"),
])
def test_a_clarifying_answer_speaks_the_language_the_words_are_written_in(words, person, expected):
    assert answers.language_of_text(words, person) == expected


def test_a_hosts_own_handover_words_decide_without_asking_anyone(tmp_path):
    # issue 11: the host decides a handover; nobody is asked (test_task_decisions.py has the rest)
    app, svc, clock, [t] = build(tmp_path)
    reminder = due_reminder(app, svc)
    svc.ingest.process_raw(reply_to(reminder, HOST, "这个任务改由王芳负责"), "t", clock.now())
    assert app.store.get_task(t.id).owner == "wangfang@corp.example"
    assert outbox_mails(app, "task_handover_request") == []
    assert "负责人改为 王芳" in outbox_mails(app, "task_receipt")[0]["Subject"]


def test_a_numbered_answer_is_read_against_each_tasks_own_due_date(tmp_path):
    app, svc, clock, ts = build(tmp_path, titles=("接口开发", "测试报告"))
    second = app.store.get_task(ts[1].id)
    second.due = date(2026, 12, 4)
    app.store.save_task(second, START)
    svc.ticker.tick_once(datetime(2026, 11, 20, 16, 0, tzinfo=SH))
    [req] = outbox_mails(app, "progress_request")
    # the same promised date: a commitment for task 2 (due 12-04), a delay for task 1 (due 11-27)
    svc.ingest.process_raw(reply_to(req, OWNER, "1. 12月2日前给到，原因：等接口联调\n2. 12月2日前给到"), "t", clock.now())
    first, second = (app.store.get_task(t.id) for t in ts)
    assert (first.status, first.due) == (TaskStatus.DELAYED, date(2026, 12, 2))
    assert (second.status, second.due) == (TaskStatus.NOT_STARTED, date(2026, 12, 4))
    assert second.confirmed_at is not None
