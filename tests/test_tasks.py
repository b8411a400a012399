"""Replies become task updates: every intent end to end through Ingest.process_raw into the ledger,
the 进度更新 log and the receipts, in the users' own words."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from mailflow.config import Secret
from mailflow.model import Mail, Meeting, Task, TaskStatus
from mailflow import tokens

from apphelp import SH, SHARED, body_text, make_app, outbox_mails, reply_to
from taskhelp import DELEGATE, HOST, OWNER, RECORDER, START, build, cli, events, mail, send, task

FIXTURES = Path(__file__).parent / "fixtures" / "replies"


def kinds(app):
    return [r["kind"] for r in app.store.outbox_history()]


def inbound(app, sender=None):
    return app.store.inbound_history(sender)


def receipts(app, kind="task_receipt"):
    return outbox_mails(app, kind)


# --- every intent, end to end ------------------------------------------------------------------

def test_confirm_records_the_owners_acceptance_and_answers_in_the_thread(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    raw = mail(OWNER, "收到，确认负责", name="张伟", message_id="<c1@client.example>")
    assert send(svc, clock, raw) == "applied"
    t = task(app)
    assert t.confirmed_at == START and t.status is TaskStatus.NOT_STARTED
    ev = events(app)
    assert [(e.kind, e.actor, e.text) for e in ev] == [("confirm", OWNER, "收到，确认负责")]
    [r] = receipts(app)
    assert r["In-Reply-To"] == "<c1@client.example>" and "<c1@client.example>" in r["References"]
    assert r["To"] == OWNER and "[MF-T1]" in r["Subject"]
    assert "已记录：接口开发 → 已确认" in r["Subject"] and "已记录：接口开发 → 已确认" in body_text(r)


@pytest.mark.parametrize("text, status, percent", [
    ("进行中", "in_progress", None),
    ("进行中 60%", "in_progress", 60),
    ("进度百分之六十", "in_progress", 60),
    ("已完成初稿，待设计部对接", "in_progress", None),
    ("还没完成", "in_progress", None),
    ("未完成，还在联调", "in_progress", None),
    ("未开始", "not_started", 0),
    ("已完成", "done", 100),
    ("搞定了，文档见附件", "done", 100),
    ("done", "done", 100),
    ("進行中，大約七成", "in_progress", 70),
])
def test_progress_and_done_in_the_users_words(tmp_path, text, status, percent):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, mail(OWNER, text)) == "applied"
    t = task(app)
    assert (t.status.value, t.percent) == (status, percent)
    assert t.confirmed_at is not None                    # reporting on a task accepts it
    [e] = events(app)
    assert e.text == text and e.actor == OWNER and e.new_status == status


def test_done_asks_the_host_to_verify_and_the_host_accepts(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "已完成，接口文档：https://wiki.corp.example/api"))
    t = task(app)
    assert t.status is TaskStatus.DONE and t.done_at == START
    assert "已请主持人王磊验收" in body_text(receipts(app)[0])
    [verify] = outbox_mails(app, "task_verify")
    assert verify["To"] == HOST and "请验收：接口开发" in verify["Subject"]
    assert "https://wiki.corp.example/api" in body_text(verify)
    clock.advance(hours=2)
    assert send(svc, clock, reply_to(verify, HOST, "验收通过")) == "applied"
    t = task(app)
    assert t.status is TaskStatus.VERIFIED and t.verified_at is not None
    assert [e.kind for e in events(app)] == ["done", "verified"]
    [told] = outbox_mails(app, "task_verify_result")
    assert told["To"] == OWNER and "已验收" in told["Subject"]


def test_the_host_returns_the_work_with_a_reason_and_the_owner_is_told(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "已完成"))
    [verify] = outbox_mails(app, "task_verify")
    assert send(svc, clock, reply_to(verify, HOST, "退回，缺少接口测试报告")) == "applied"
    t = task(app)
    assert t.status is TaskStatus.IN_PROGRESS and t.done_at is None
    last = events(app)[-1]
    assert (last.kind, last.actor, last.old_status, last.new_status) == ("rejected", HOST, "done", "in_progress")
    [told] = outbox_mails(app, "task_verify_result")
    assert told["To"] == OWNER and "缺少接口测试报告" in body_text(told)
    # 不通过 is a return, not a pass; the owner then finishes again and the host accepts
    send(svc, clock, mail(OWNER, "已修改完成"))
    verify2 = outbox_mails(app, "task_verify")[-1]
    send(svc, clock, reply_to(verify2, HOST, "不通过，还是缺测试报告"))
    assert task(app).status is TaskStatus.IN_PROGRESS


def test_the_hosts_unclear_verdict_gets_a_question_not_a_change(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "已完成"))
    [verify] = outbox_mails(app, "task_verify")
    assert send(svc, clock, reply_to(verify, HOST, "我再看看")) == "unknown"
    assert task(app).status is TaskStatus.DONE
    [q] = outbox_mails(app, "task_clarify")
    assert q["To"] == HOST and "验收通过" in body_text(q)


def test_a_delay_with_date_and_reason_moves_the_due_date(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, mail(OWNER, "延期到12月4日，原因：测试环境故障")) == "applied"
    t = task(app)
    assert (t.status, t.due, t.delay_reason) == (TaskStatus.DELAYED, date(2026, 12, 4), "测试环境故障")
    [e] = events(app)
    assert (e.kind, e.due, e.flags) == ("delay", date(2026, 12, 4), [])
    body = body_text(receipts(app)[0])
    assert "延期至 2026-12-04（原因：测试环境故障）" in body and "2026-11-27 → 2026-12-04" in body
    assert not outbox_mails(app, "task_late_notice")


def test_a_relative_delay_counts_from_the_current_due_date(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "需要推迟3天，原因：服务器故障"))
    assert task(app).due == date(2026, 11, 30)


def test_confirm_but_delay_is_a_delay(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "确认，但需要延期到12月5日，因为供应商晚到"))
    t = task(app)
    assert (t.status, t.due, t.delay_reason) == (TaskStatus.DELAYED, date(2026, 12, 5), "供应商晚到")
    assert t.confirmed_at is not None


@pytest.mark.parametrize("text, missing", [
    ("延期到12月4日", "原因"),
    ("申请延期，原因：人手不足", "新的完成日期"),
    ("无法按时完成", "新的完成日期"),
])
def test_a_delay_without_date_or_reason_is_logged_and_asked_about(tmp_path, text, missing):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, mail(OWNER, text)) == "applied"
    t = task(app)
    assert t.status is TaskStatus.NOT_STARTED and t.due == date(2026, 11, 27)   # the ledger stays right
    assert t.risk                                                             # but the host sees a risk
    [e] = events(app)
    assert e.kind == "delay_requested" and e.text == text
    [ask] = outbox_mails(app, "task_ask_date" if missing == "新的完成日期" else "task_clarify")
    assert missing in ask["Subject"] and "延期到12月5日，原因" in body_text(ask)
    # the answer to the question completes the delay
    send(svc, clock, reply_to(ask, OWNER, "延期到12月4日，原因：人手不足"))
    t = task(app)
    assert (t.status, t.due) == (TaskStatus.DELAYED, date(2026, 12, 4))


def test_a_delay_asked_less_than_24_hours_before_the_due_date_is_flagged_to_the_host(tmp_path):
    app, svc, clock, _ = build(tmp_path, due=date(2026, 11, 20))       # due today 18:00
    send(svc, clock, mail(OWNER, "延期到11月25日，原因：设计稿未到"))
    t = task(app)
    assert t.status is TaskStatus.DELAYED
    [e] = events(app)
    assert e.flags == ["late_notice"]
    [late] = outbox_mails(app, "task_late_notice")
    assert late["To"] == HOST and "不足24小时" in late["Subject"]
    assert "2026-11-20" in body_text(late) and "2026-11-25" in body_text(late)
    assert "不足24小时" in body_text(receipts(app)[0])


def test_a_delay_two_days_ahead_is_not_late(tmp_path):
    app, svc, clock, _ = build(tmp_path, due=date(2026, 11, 23))       # Monday; asked Friday 10:00
    send(svc, clock, mail(OWNER, "延期到11月25日，原因：设计稿未到"))
    assert events(app)[0].flags == []
    assert not outbox_mails(app, "task_late_notice")


def test_a_delay_into_a_year_without_calendar_data_says_so(tmp_path):
    app, svc, clock, _ = build(tmp_path, due=date(2026, 12, 28))
    send(svc, clock, mail(OWNER, "顺延5个工作日，原因：年底封网", date="Fri, 25 Dec 2026 10:00:00 +0800"))
    t = task(app)
    assert t.status is TaskStatus.DELAYED and t.due.year == 2027
    assert "calendar_gap" in events(app)[0].flags
    assert "尚无官方节假日安排" in body_text(receipts(app)[0])


def test_risk_sets_the_flag_and_copies_the_host(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "卡住了，需要产品部支持"))
    t = task(app)
    assert t.risk and "产品部支持" in t.risk_note
    [r] = receipts(app)
    assert r["Cc"] == HOST
    # finishing the task clears the risk
    send(svc, clock, mail(OWNER, "已完成"))
    assert not task(app).risk


def test_an_objection_is_logged_for_the_host_without_a_change(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, mail(OWNER, "不同意，这不是我们部门的工作")) == "unknown"
    assert task(app).status is TaskStatus.NOT_STARTED and task(app).confirmed_at is None
    assert events(app)[0].kind == "objection"
    [row] = inbound(app)
    assert (row["status"], row["task_id"]) == ("unknown", 1)        # the host's daily digest reads this


def test_an_unknown_reply_gets_one_clarifying_answer_and_waits_for_the_digest(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, mail(OWNER, "这个我周一再看看吧？", message_id="<u1@client.example>")) == "unknown"
    t = task(app)
    assert (t.status, t.confirmed_at, t.risk) == (TaskStatus.NOT_STARTED, None, False)   # nothing changed
    [e] = events(app)                                     # but the words are in the task's log
    assert (e.kind, e.text, e.actor) == ("unclear", "这个我周一再看看吧？", OWNER)
    [q] = outbox_mails(app, "task_clarify")
    assert q["In-Reply-To"] == "<u1@client.example>"
    assert "“这个我周一再看看吧？”" in body_text(q) and "mailto:" in body_text(q)
    [row] = inbound(app)
    assert (row["status"], row["task_id"], row["intent"]) == ("unknown", 1, "unknown")
    # still unclear in answer to the question: no second question
    assert send(svc, clock, reply_to(q, OWNER, "还要再想想")) == "unknown"
    assert len(outbox_mails(app, "task_clarify")) == 1
    assert [r["status"] for r in inbound(app)] == ["unknown", "unknown"]


def test_a_verified_task_is_closed(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "已完成"))
    send(svc, clock, reply_to(outbox_mails(app, "task_verify")[0], HOST, "通过"))
    n = len(events(app))
    send(svc, clock, mail(OWNER, "进行中 50%"))
    assert task(app).status is TaskStatus.VERIFIED and len(events(app)) == n
    assert "未作更改" in body_text(receipts(app)[-1])


def test_thanks_to_a_receipt_is_not_answered_again(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "确认"))
    [r] = receipts(app)
    assert send(svc, clock, reply_to(r, OWNER, "好的")) == "ignored"
    assert len(receipts(app)) == 1


# --- receipts in the sender's language -------------------------------------------------------------

def test_receipts_in_traditional_chinese_and_english(tmp_path):
    app, svc, clock, _ = build(tmp_path, owner="chenjing@corp.example")
    send(svc, clock, mail("chenjing@corp.example", "進行中 60%"))
    r = receipts(app)[0]
    assert "已記錄：接口开发 → 進行中 60%" in r["Subject"]
    app2, svc2, clock2, _ = build(tmp_path / "en", owner="tom@corp.example") if (tmp_path / "en").mkdir() is None else None
    send(svc2, clock2, mail("tom@corp.example", "Delayed to Dec 4 because the test server is down"))
    r = receipts(app2)[0]
    assert r["Subject"].endswith("Recorded: 接口开发 → delayed to 2026-12-04 (reason: the test server is down)")
    assert "Due date: 2026-11-27 → 2026-12-04" in body_text(r)


# --- mail clients and charsets ------------------------------------------------------------------------

@pytest.mark.parametrize("fixture, owner, status, percent, due", [
    ("qq_done_gb18030.eml", OWNER, "done", 100, date(2026, 11, 27)),
    ("foxmail_progress_gbk.eml", OWNER, "in_progress", 60, date(2026, 11, 27)),
    ("netease163_delay.eml", OWNER, "delayed", None, date(2026, 12, 5)),
    ("outlook_zhcn_risk.eml", OWNER, "not_started", None, date(2026, 11, 27)),
    ("outlook_zhtw_done_big5.eml", "chenjing@corp.example", "done", 100, date(2026, 11, 27)),
    ("outlook_en_progress.eml", "tom@corp.example", "in_progress", 40, date(2026, 11, 27)),
    ("gmail_confirm.eml", OWNER, "not_started", None, date(2026, 11, 27)),
    ("apple_not_done.eml", OWNER, "in_progress", None, date(2026, 11, 27)),
    ("lark_delay_html.eml", OWNER, "delayed", None, date(2026, 12, 4)),
])
def test_one_word_above_a_quoted_original_from_each_client(tmp_path, fixture, owner, status, percent, due):
    """The quoted original says 确认 / 已完成 / 延期到11月30日 — only the new text counts."""
    app, svc, clock, _ = build(tmp_path, owner=owner)
    assert send(svc, clock, (FIXTURES / fixture).read_bytes()) == "applied"
    t = task(app)
    assert (t.status.value, t.percent, t.due) == (status, percent, due)
    assert t.confirmed_at is not None
    [r] = receipts(app)
    assert r["To"] == owner


# --- not answers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers, subject", [
    ({"Auto-Submitted": "auto-replied"}, "自动回复：[MF-T1] 任务：接口开发"),
    ({"X-Autoreply": "yes"}, "[MF-T1] 任务：接口开发"),
    ({}, "Automatic reply: [MF-T1] 任务：接口开发"),
    ({"Precedence": "bulk"}, "回复：[MF-T1] 任务：接口开发"),
])
def test_auto_replies_never_change_a_task_and_are_not_answered(tmp_path, headers, subject):
    app, svc, clock, _ = build(tmp_path)
    raw = mail(OWNER, "我正在休假，已完成的事项请联系王芳。", subject=subject, headers=headers)
    assert send(svc, clock, raw) == "ignored"
    assert task(app).status is TaskStatus.NOT_STARTED and events(app) == [] and kinds(app) == []


def test_bounces_and_our_own_mail_are_ignored(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    bounce = ("From: MAILER-DAEMON@corp.example\r\nTo: mailflow@corp.example\r\n"
              "Subject: 退信：[MF-T1] 任务：接口开发\r\nMessage-ID: <b1@corp.example>\r\n"
              "Date: Fri, 20 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
              "Content-Type: multipart/report; report-type=delivery-status; boundary=XX\r\n\r\n"
              "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n已完成\r\n"
              "--XX\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; corp.example\r\n\r\n"
              "Final-Recipient: rfc822; nobody@corp.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--XX--\r\n")
    assert send(svc, clock, bounce.encode()) == "ignored"
    assert send(svc, clock, mail(SHARED, "已完成")) == "ignored"
    send(svc, clock, mail(OWNER, "确认"))                  # our own receipt coming back to the shared box
    own = app.store.outbox_history("task_receipt")[0]["raw"]
    assert send(svc, clock, own) == "ignored"
    assert [e.kind for e in events(app)] == ["confirm"] and len(receipts(app)) == 1


def test_the_same_reply_processed_twice_is_applied_once(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    raw = mail(OWNER, "进行中 60%", message_id="<twice@client.example>")
    assert send(svc, clock, raw) == "applied"
    assert send(svc, clock, raw) == "duplicate"
    assert len(events(app)) == 1 and len(receipts(app)) == 1


# --- numbered answers to a mail that lists several tasks ---------------------------------------------

def progress_request(app, svc, clock, ids, to=OWNER):
    """The weekly progress request as the timeline sends it: one mail per person, tasks numbered."""
    d = app.settings.base_dir / "templates" / "zh-CN"
    d.mkdir(parents=True, exist_ok=True)
    (d / "test_progress.txt").write_text("Subject: 本周任务进度\n{% for i in items %}{{ loop.index }}. T{{ i }}\n"
                                         "{% endfor %}", encoding="utf-8")
    (d / "test_progress.html").write_text("<p>{{ items }}</p>", encoding="utf-8")
    app.load()
    with app.store.transaction():
        svc.outbox.queue(Mail(key=f"progress:{to}:{ids}", template="test_progress", to=[to], kind="progress_request",
                              context={"items": ids}), clock.now())
    return outbox_mails(app, "progress_request")[-1]


def test_a_numbered_answer_updates_each_task(tmp_path):
    app, svc, clock, ts = build(tmp_path, titles=("接口开发", "联调测试", "上线方案"))
    req = progress_request(app, svc, clock, [t.id for t in ts])
    assert send(svc, clock, reply_to(req, OWNER, "1 已完成；2 进行中，50%；3 延期到12月4日，原因：等联调结果")) == "applied"
    t1, t2, t3 = (task(app, t.id) for t in ts)
    assert (t1.status, t1.percent) == (TaskStatus.DONE, 100)
    assert (t2.status, t2.percent) == (TaskStatus.IN_PROGRESS, 50)
    assert (t3.status, t3.due, t3.delay_reason) == (TaskStatus.DELAYED, date(2026, 12, 4), "等联调结果")
    [r] = receipts(app)
    body = body_text(r)
    assert "已记录：3 项任务更新" in r["Subject"]
    for line in ("接口开发 → 已完成", "联调测试 → 进行中 50%", "上线方案 → 延期至 2026-12-04"):
        assert line in body
    assert len(outbox_mails(app, "task_verify")) == 1


def test_numbered_answers_in_other_shapes(tmp_path):
    app, svc, clock, ts = build(tmp_path, titles=("接口开发", "联调测试"))
    req = progress_request(app, svc, clock, [t.id for t in ts])
    send(svc, clock, reply_to(req, OWNER, "第2项进行中，50%"))
    assert task(app, 2).percent == 50 and task(app, 1).status is TaskStatus.NOT_STARTED


def test_a_number_that_was_not_listed_is_asked_about(tmp_path):
    app, svc, clock, ts = build(tmp_path, titles=("接口开发", "联调测试"))
    req = progress_request(app, svc, clock, [t.id for t in ts])
    send(svc, clock, reply_to(req, OWNER, "1 已完成；5 进行中"))
    assert task(app, 1).status is TaskStatus.DONE
    body = body_text(receipts(app)[0])
    assert "未能识别第 5 项" in body


def test_an_answer_without_numbers_to_several_tasks_is_asked_which(tmp_path):
    app, svc, clock, ts = build(tmp_path, titles=("接口开发", "联调测试"))
    req = progress_request(app, svc, clock, [t.id for t in ts])
    assert send(svc, clock, reply_to(req, OWNER, "已完成")) == "unknown"
    assert all(task(app, t.id).status is TaskStatus.NOT_STARTED for t in ts)
    [q] = outbox_mails(app, "task_clarify")
    assert "1. 接口开发" in body_text(q) and "2. 联调测试" in body_text(q)
    [row] = inbound(app)
    assert row["status"] == "unknown" and row["task_id"] == 1      # visible in the host's digest
    # the numbered answer to the question is applied
    send(svc, clock, reply_to(q, OWNER, "1 已完成；2 进行中 30%"))
    assert task(app, 1).status is TaskStatus.DONE and task(app, 2).percent == 30


def test_one_listed_task_needs_no_number(tmp_path):
    app, svc, clock, ts = build(tmp_path)
    req = progress_request(app, svc, clock, [ts[0].id])
    send(svc, clock, reply_to(req, OWNER, "进行中 80%"))
    assert task(app).percent == 80


# --- authority ----------------------------------------------------------------------------------------------

def test_a_stranger_is_refused_politely_and_the_host_is_told(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    raw = mail("lina@corp.example", "已完成", name="李娜", message_id="<s1@client.example>")
    assert send(svc, clock, raw) == "refused"
    assert task(app).status is TaskStatus.NOT_STARTED and events(app) == []
    [no] = outbox_mails(app, "task_refused")
    assert no["To"] == "lina@corp.example" and no["In-Reply-To"] == "<s1@client.example>"
    assert "负责人张伟" in body_text(no)
    [told] = outbox_mails(app, "task_refused_host")
    assert told["To"] == HOST and "lina@corp.example" in body_text(told) and "已完成" in body_text(told)


def test_an_outsider_is_refused_without_an_answer_and_the_host_reads_it_in_the_digest(tmp_path):
    """No backscatter: an address outside people.yaml may be forged, so it gets no mail naming the task;
    nor does each such mail make a note to the host (a bounce no rule knows would loop): the daily
    digest lists them."""
    app, svc, clock, _ = build(tmp_path)
    for i in range(5):
        assert send(svc, clock, mail("someone@elsewhere.example", f"done {i}")) == "refused"
    assert task(app).status is TaskStatus.NOT_STARTED and events(app) == []
    assert outbox_mails(app, "task_refused") == [] and outbox_mails(app, "task_refused_host") == []
    digest = app.store.unknown_replies_by_host(START - timedelta(days=1), clock.now() + timedelta(hours=1))
    assert [r["sender"] for r in digest[HOST]] == ["someone@elsewhere.example"] * 5


@pytest.mark.parametrize("who", [HOST, RECORDER, DELEGATE])
def test_the_host_the_recorder_and_the_hosts_delegate_may_update(tmp_path, who):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, mail(who, "进行中 40%")) == "applied"
    assert task(app).percent == 40
    assert task(app).confirmed_at is None           # only the owner's side confirms a task
    assert events(app)[0].actor == who


def test_the_owners_delegate_may_update_and_confirm(tmp_path):
    app, svc, clock, _ = build(tmp_path, owner=HOST, host="zhaomin@corp.example")
    assert send(svc, clock, mail(DELEGATE, "确认")) == "applied"
    assert task(app).confirmed_at is not None


def test_forged_and_reused_reply_tokens_are_refused(tmp_path):
    secret = "s3cret-for-tests"
    app, svc, clock, ts = build(tmp_path, org={"plus_addressing": True}, titles=("接口开发", "联调测试"))
    app.settings.secret = Secret(secret)
    good = tokens.reply_address(SHARED, secret, "t", 1)
    # a genuine token routes a mail that has no thread headers and no subject tag
    assert send(svc, clock, mail(OWNER, "进行中 20%", subject="Re: 任务", to=good)) == "applied"
    assert task(app, 1).percent == 20
    # a forged token routes nowhere
    forged = "mailflow+t2-aaaaaaaaaaaaaaaa@corp.example"
    assert send(svc, clock, mail(OWNER, "已完成", subject="Re: 任务", to=forged)) != "applied"
    assert task(app, 2).status is TaskStatus.NOT_STARTED
    # ... and refuses a mail whose subject tag names a task
    assert send(svc, clock, mail(OWNER, "已完成", task_id=2, to=forged)) == "refused"
    # a genuine token of task 1 cannot be used on task 2
    assert send(svc, clock, mail(OWNER, "已完成", task_id=2, to=good)) == "refused"
    assert task(app, 2).status is TaskStatus.NOT_STARTED
    # a token someone else received does not give them authority
    assert send(svc, clock, mail("lina@corp.example", "已完成", subject="Re: 任务", to=good)) == "refused"
    assert task(app, 1).status is TaskStatus.IN_PROGRESS


AUTH_OK = {"Authentication-Results": "mx.corp.example; dkim=pass header.d=corp.example; spf=pass"}


@pytest.mark.parametrize("headers, expected", [
    (AUTH_OK, "applied"),
    ({"Authentication-Results": "mx.corp.example; dmarc=pass header.from=corp.example"}, "applied"),
    ({"Authentication-Results": "mx.corp.example; dkim=fail; spf=softfail; dmarc=fail"}, "refused"),
    ({"Authentication-Results": "evil.example; dkim=pass; spf=pass; dmarc=pass"}, "refused"),
    ({}, "refused"),
])
def test_with_a_trusted_authserv_id_only_authenticated_mail_changes_anything(tmp_path, headers, expected):
    app, svc, clock, _ = build(tmp_path, org={"trusted_authserv_id": "mx.corp.example"})
    assert send(svc, clock, mail(OWNER, "已完成", headers=headers)) == expected
    assert task(app).status is (TaskStatus.DONE if expected == "applied" else TaskStatus.NOT_STARTED)
    if expected == "refused":
        assert kinds(app) == []                    # a possibly forged sender gets no mail


# --- the CLI ---------------------------------------------------------------------------------------------------

def test_explain_prints_one_json_object_per_file(tmp_path):
    (tmp_path / "people.yaml").write_text("people: []\n", encoding="utf-8")
    files = [str(FIXTURES / "netease163_delay.eml"), str(FIXTURES / "qq_done_gb18030.eml"),
             str(Path(__file__).parent / "fixtures" / "mail" / "auto_reply_qq.eml")]
    res = cli(tmp_path, "explain", "--json", *files)
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert [r["file"] for r in rows] == files
    keys = {"file", "auto", "intent", "percent", "due", "proxy", "items", "text"}
    assert keys <= set(rows[0])                       # the reader may add its evidence ("why")
    assert {k: rows[0][k] for k in keys} == {
        "file": files[0], "auto": False, "intent": "delay", "percent": None, "due": "2026-12-05",
        "proxy": None, "items": [], "text": "确认，但需要延期到12月5日，因为供应商晚到"}
    assert (rows[1]["intent"], rows[1]["text"]) == ("done", "已完成")
    assert rows[2]["auto"] is True and rows[2]["intent"] is None


def test_explain_resolves_relative_dates_against_the_mails_date_and_reads_items(tmp_path):
    (tmp_path / "people.yaml").write_text("people: []\n", encoding="utf-8")
    eml = tmp_path / "items.eml"
    eml.write_bytes(mail(OWNER, "1 已完成；3 延期到周五，原因：等设计稿\n第2项进行中，50%",
                         date="Mon, 23 Nov 2026 09:00:00 +0800"))
    res = cli(tmp_path, "explain", "--json", "--now", "2027-03-01T09:00", str(eml))
    row = json.loads(res.output)
    assert row["items"] == [{"item": 1, "intent": "done", "percent": None, "due": None},
                            {"item": 3, "intent": "delay", "percent": None, "due": "2026-11-27"},
                            {"item": 2, "intent": "progress", "percent": 50, "due": None}]
    plain = cli(tmp_path, "explain", str(eml))
    assert plain.exit_code == 0 and "[3: delay 2026-11-27]" in plain.output


def test_tasks_json_is_the_ledger(tmp_path):
    app, svc, clock, _ = build(tmp_path, titles=("接口开发", "联调测试"))
    send(svc, clock, mail(OWNER, "进行中 60%"))
    send(svc, clock, mail(OWNER, "延期到12月4日，原因：等设计稿", task_id=2))
    app.close()
    res = cli(tmp_path, "tasks", "--json")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines()]
    first = {k: rows[0][k] for k in ("id", "meeting", "title", "owner", "due", "status", "percent", "risk")}
    assert first == {"id": 1, "meeting": 1, "title": "接口开发", "owner": OWNER, "due": "2026-11-27",
                     "status": "in_progress", "percent": 60, "risk": False}
    assert (rows[1]["status"], rows[1]["due"], rows[1]["delay_reason"]) == ("delayed", "2026-12-04", "等设计稿")
    assert [json.loads(x)["id"] for x in cli(tmp_path, "tasks", "--json", "--owner", OWNER).output.splitlines()] == [1, 2]
    assert cli(tmp_path, "tasks", "--json", "--meeting", "9").output == ""
    plain = cli(tmp_path, "tasks")
    assert "接口开发" in plain.output and "进行中 60%" in plain.output
    show = cli(tmp_path, "tasks", "show", "2")
    assert "延期原因: 等设计稿" in show.output and "延期到12月4日，原因：等设计稿" in show.output
    data = json.loads(cli(tmp_path, "tasks", "show", "2", "--json").output)
    assert data["events"][0]["kind"] == "delay" and data["events"][0]["due"] == "2026-12-04"
    assert cli(tmp_path, "tasks", "show", "99").exit_code == 1


# --- gate.authenticated ------------------------------------------------------------------------------

def _auth(*headers, sender="zhangwei@corp.example"):
    from mailflow.flows import dispatch as core, gate
    from mailflow.read.inbound import Inbound
    msg = Inbound(message_id="<a@x>", sender=sender, authentication_results=list(headers))
    return gate.authenticated(msg, core.Org(trusted_authserv_id="mx.corp.example"))


def test_only_our_servers_topmost_verdict_counts():
    assert _auth("MX.corp.example; dkim=fail header.d=a.example; dkim=pass header.d=corp.example")
    # SPF vouches for the envelope, not the From people read (the rest is in test_security.py)
    assert not _auth("mx.corp.example 1; spf=pass smtp.mailfrom=corp.example; dmarc=none")
    # a forged pass below our own failing stamp does not count
    assert not _auth("mx.corp.example; dkim=none; spf=fail", "mx.corp.example; dmarc=pass")
    # DMARC fail means the From is spoofed, whatever SPF says about the envelope
    assert not _auth("mx.corp.example; spf=pass smtp.mailfrom=evil.example; dmarc=fail header.from=corp.example")
    assert not _auth("other.example; dmarc=pass")


def test_authority_ignores_the_case_of_addresses(tmp_path):
    app, svc, clock, _ = build(tmp_path, host="WangLei@Corp.Example")
    assert send(svc, clock, mail("WANGLEI@corp.example", "进行中 10%")) == "applied"
    assert send(svc, clock, mail("ZhangWei@Corp.Example", "进行中 20%")) == "applied"
    assert task(app).percent == 20


UNCLEAR = {"zh-CN": "这个我再看看", "zh-TW": "這個我再看看", "en": "let me think about it"}


@pytest.mark.parametrize("lang, words", [
    ("zh-CN", {"task_receipt": "已记录", "task_verify": "请验收", "task_verify_result": "已退回",
               "task_late_notice": "不足24小时", "task_refused": "未记录", "task_refused_host": "有人尝试",
               "task_clarify": "未能识别"}),
    ("zh-TW", {"task_receipt": "已記錄", "task_verify": "請驗收", "task_verify_result": "已退回",
               "task_late_notice": "不足24小時", "task_refused": "未記錄", "task_refused_host": "有人嘗試",
               "task_clarify": "未能識別"}),
    ("en", {"task_receipt": "Recorded", "task_verify": "Please verify", "task_verify_result": "Returned",
            "task_late_notice": "Late delay request", "task_refused": "Not recorded",
            "task_refused_host": "Someone tried", "task_clarify": "could not read"}),
])
def test_every_task_mail_in_every_language(tmp_path, lang, words):
    from apphelp import PEOPLE
    people = PEOPLE.replace(", language: zh-TW", "").replace(", language: en", "").replace("}", f", language: {lang}}}")
    app, svc, clock = make_app(tmp_path, START, people=people)
    meeting = app.store.save_meeting(Meeting(
        id=None, uid="m@x", title="周会", start=START, end=START + timedelta(hours=1), host=HOST,
        recorder=RECORDER), START)
    app.store.save_task(Task(id=None, title="接口开发", owner=OWNER, due=date(2026, 11, 20), meeting_id=meeting.id),
                        START)
    send(svc, clock, mail("lina@corp.example", "已完成"))                     # refused + host told
    send(svc, clock, mail(OWNER, UNCLEAR[lang]))                             # clarify, in the words' language
    send(svc, clock, mail(OWNER, "延期到11月24日，原因：等设计稿"))            # late notice
    send(svc, clock, mail(OWNER, "已完成"))                                   # receipt + verify
    send(svc, clock, reply_to(outbox_mails(app, "task_verify")[0], HOST, "退回：缺测试报告"))   # result
    for kind, word in words.items():
        got = outbox_mails(app, kind)
        assert got, kind
        assert any(word in m["Subject"] or word in body_text(m) for m in got), (kind, [m["Subject"] for m in got])
        for m in got:
            assert m.get_body(preferencelist=("html",)) is not None


def test_the_weekly_progress_request_is_answered_item_by_item_and_the_digest_sees_the_unclear(tmp_path):
    """The real Friday 16:00 request (timeline.py) numbers the owner's open tasks by due date."""
    app, svc, clock, ts = build(tmp_path, titles=("接口开发", "联调测试", "上线方案"))
    app.store.save_task(Task(id=None, title="别人的任务", owner="lina@corp.example", due=date(2026, 11, 30),
                             meeting_id=1), START)
    svc.ticker.tick_once(datetime(2026, 11, 20, 16, 0, tzinfo=SH))
    [req] = [m for m in outbox_mails(app, "progress_request") if m["To"] == OWNER]
    assert "接口开发" in body_text(req)
    clock.set(datetime(2026, 11, 20, 16, 30, tzinfo=SH))
    send(svc, clock, reply_to(req, OWNER, "1 已完成；2 进行中 50%；3 延期到12月4日，原因：等联调结果",
                              date="Fri, 20 Nov 2026 16:30:00 +0800"))
    assert [task(app, t.id).status.value for t in ts] == ["done", "in_progress", "delayed"]
    assert send(svc, clock, reply_to(req, OWNER, "都差不多了吧")) == "unknown"
    digest = app.store.unknown_replies_by_host(START, START + timedelta(days=1))
    assert [r["task_title"] for r in digest[HOST]] == ["接口开发"]


@pytest.mark.parametrize("text", ["尚未确认", "不能确认，需要先和产品部确认范围"])
def test_not_confirming_is_not_a_confirmation(tmp_path, text):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, mail(OWNER, text)) == "unknown"      # left to the host
    assert task(app).confirmed_at is None


@pytest.mark.parametrize("text, status, risk", [
    ("无法完成", "not_started", True),
    ("没有风险，进行中", "in_progress", False),
    ("不是已完成，是进行中", "in_progress", False),
])
def test_negations_end_to_end(tmp_path, text, status, risk):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, text))
    assert (task(app).status.value, task(app).risk) == (status, risk)


def test_answers_to_the_minutes_flows_assignment_mail_reach_the_task(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    with app.store.transaction():
        svc.outbox.queue(Mail(key="task_assigned:t1", template="task_verify_result", to=[OWNER], kind="task_assigned",
                              task_id=1, meeting_id=1, context={"title": "接口开发", "task_id": 1, "owner": OWNER,
                                                                "owner_name": "张伟", "due": None, "status": "not_started",
                                                                "name": "张伟", "result": "verified", "reason": "",
                                                                "host_name": "王磊"}), clock.now())
    [assigned] = outbox_mails(app, "task_assigned")
    assert send(svc, clock, reply_to(assigned, OWNER, "确认")) == "applied"
    assert task(app).confirmed_at is not None


@pytest.mark.parametrize("text, verdict", [
    ("验收通过", "pass"), ("通过，谢谢", "pass"), ("驗收通過", "pass"), ("OK", "pass"), ("Accepted.", "pass"),
    ("退回，缺少接口测试报告", "return"), ("不通过", "return"), ("还不能验收，文档没更新", "return"),
    ("没通过，性能不达标", "return"), ("駁回", "return"), ("Rejected - missing tests", "return"),
    ("not approved yet", "return"), ("我再看看", None),
])
def test_the_hosts_verdict_in_their_words(text, verdict):
    from mailflow.flows.task_verification import _verdict
    assert _verdict(text) == verdict
