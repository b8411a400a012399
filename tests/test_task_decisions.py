"""The people above decide (issue 11): handovers asked by the owner and approved by the host, or
decided by the host at once; delays reported to the host and, when configured, approved; the
manager deciding on an escalation. Each through the flow: mail in -> mails out -> ledger."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from mailflow.model import Snapshot, TaskStatus
from mailflow.testing import make_mail
from mailflow.timeline import actions as timeline

from apphelp import SH, SHARED, add_meeting, body_text, make_app, outbox_mails, reply_to
from mailclient import ics_of, one_click
from taskhelp import HOST, OWNER, START, build, cli, events, mail, send, task

LINA, MANAGER, TOM = "lina@corp.example", "zhaomin@corp.example", "tom@corp.example"


# --- handover --------------------------------------------------------------------------------------

def test_the_owner_asks_to_hand_over_and_the_host_approves_with_one_click(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, mail(OWNER, "这个改由小李负责吧，我这周要出差")) == "applied"
    assert task(app).owner == OWNER                             # nothing changes before the host says so
    [ask] = outbox_mails(app, "task_handover_request")
    assert ask["To"] == HOST and "李娜" in body_text(ask)     # 小李: the only 李 in people.yaml
    assert one_click(ask)[:2] == ["同意", "不同意，原因：____"]
    clock.advance(hours=1)
    assert send(svc, clock, reply_to(ask, HOST, "同意")) == "applied"
    t = task(app)
    assert t.owner == LINA and t.confirmed_at is None and t.due == date(2026, 11, 27)
    last = events(app)[-1]
    assert last.kind == "reassigned" and "张伟 → 李娜" in last.text and "出差" in last.text
    [assigned] = [m for m in outbox_mails(app, "task_assigned") if m["To"] == LINA]
    assert "张伟" in body_text(assigned) and "DTSTART;VALUE=DATE:20261127" in ics_of(assigned)
    assert "SEQUENCE:1" in ics_of(assigned)
    [released] = outbox_mails(app, "task_owner_changed")
    assert released["To"] == OWNER and "不再负责" in released["Subject"]
    assert ics_of(released)                                    # the old owner's entry ends
    # the weekly table shows the new owner and why
    rows = timeline.followup_rows(app.context(clock.now(), Snapshot()), [t], app.store.latest_task_events([1]), "zh-CN",
                                  date(2026, 11, 20))
    assert rows[0][2] == "李娜" and "张伟 → 李娜" in rows[0][-1]


def test_the_host_refuses_a_handover_and_the_owner_hears_it(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "已经转给李娜了"))
    [ask] = outbox_mails(app, "task_handover_request")
    assert send(svc, clock, reply_to(ask, HOST, "不同意，原因：李娜手上任务太多")) == "applied"
    assert task(app).owner == OWNER
    assert events(app)[-1].kind == "reassign_denied"
    [told] = outbox_mails(app, "task_decision")
    assert told["To"] == OWNER and "未同意" in told["Subject"]


def test_the_host_names_the_new_owner_and_the_date_in_one_sentence(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, mail(HOST, "这个任务改由李娜负责，截止改为12月9日")) == "applied"
    t = task(app)
    assert (t.owner, t.due) == (LINA, date(2026, 12, 9))
    assert events(app)[-1].due == date(2026, 12, 9)
    [assigned] = [m for m in outbox_mails(app, "task_assigned") if m["To"] == LINA]
    assert "DTSTART;VALUE=DATE:20261209" in ics_of(assigned)
    [receipt] = outbox_mails(app, "task_receipt")
    assert receipt["To"] == HOST and "负责人改为 李娜" in body_text(receipt)
    assert not outbox_mails(app, "task_handover_request")      # the host decided: nobody to ask


def test_handover_in_traditional_chinese_and_english(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(HOST, "Please hand this over to Tom, he knows the API"))
    assert task(app).owner == TOM
    [assigned] = [m for m in outbox_mails(app, "task_assigned") if m["To"] == TOM]
    assert "handed over to you from 张伟" in body_text(assigned)
    send(svc, clock, mail(HOST, "這個任務改由陳靜負責"))
    assert task(app).owner == "chenjing@corp.example"
    [released] = [m for m in outbox_mails(app, "task_owner_changed") if m["To"] == TOM]
    assert "Handed over" in released["Subject"]


def test_a_name_nobody_answers_to_is_asked_back_and_changes_nothing(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(HOST, "这个改由欧阳锋负责"))
    assert task(app).owner == OWNER
    [receipt] = outbox_mails(app, "task_receipt")
    assert "找不到“欧阳锋”" in body_text(receipt)


# --- delays reach the host --------------------------------------------------------------------------

def test_every_delay_request_reaches_the_host_at_once(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "需要延期到12月4日，原因：测试环境还没准备好"))
    assert task(app).due == date(2026, 12, 4)                  # without approval it takes effect
    [notice] = outbox_mails(app, "task_delay_notice")
    assert notice["To"] == HOST and "2026-12-04" in body_text(notice) and "测试环境" in body_text(notice)


def test_with_approval_a_delay_waits_for_the_hosts_yes(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    app.settings.tasks.delay_needs_approval = True
    send(svc, clock, mail(OWNER, "申请延期到12月4日，原因：供应商晚到货"))
    t = task(app)
    assert t.due == date(2026, 11, 27) and t.status is TaskStatus.NOT_STARTED
    assert "已请主持人王磊审批" in body_text(outbox_mails(app, "task_receipt")[0])
    [ask] = outbox_mails(app, "task_delay_request")
    assert one_click(ask)[:1] == ["同意"]
    clock.advance(hours=2)
    assert send(svc, clock, reply_to(ask, HOST, "同意")) == "applied"
    t = task(app)
    assert (t.status, t.due, t.delay_reason) == (TaskStatus.DELAYED, date(2026, 12, 4), "供应商晚到货")
    [told] = outbox_mails(app, "task_decision")
    assert told["To"] == OWNER and "已同意" in told["Subject"]
    assert "DTSTART;VALUE=DATE:20261204" in ics_of(told)        # the owner's entry moves


def test_with_approval_the_host_may_refuse_and_the_owner_hears_it(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    app.settings.tasks.delay_needs_approval = True
    send(svc, clock, mail(OWNER, "Need to push this to Dec 4, because the vendor is late"))
    [ask] = outbox_mails(app, "task_delay_request")
    send(svc, clock, reply_to(ask, HOST, "不同意，这周必须完成"))
    assert task(app).due == date(2026, 11, 27)
    [told] = outbox_mails(app, "task_decision")
    assert told["To"] == OWNER and "未同意" in told["Subject"]


# --- the manager decides on an escalation -------------------------------------------------------------

def _escalated(tmp_path):
    app, svc, clock, _ = build(tmp_path, due=date(2026, 11, 23))
    t = datetime(2026, 11, 23, 8, 0, tzinfo=SH)
    while t <= datetime(2026, 11, 26, 12, 0, tzinfo=SH):
        svc.ticker.tick_once(t)
        t += timedelta(minutes=30)
    clock.set(t)
    [esc] = outbox_mails(app, "escalation")
    return app, svc, clock, esc


def test_the_managers_answer_to_the_escalation_is_accepted(tmp_path):
    app, svc, clock, esc = _escalated(tmp_path)
    assert esc["To"] == MANAGER
    assert "已完成，我确认" in one_click(esc)
    assert send(svc, clock, reply_to(esc, MANAGER, "延期到12月4日，原因：等待客户确认需求")) == "applied"
    t = task(app)
    assert (t.status, t.due) == (TaskStatus.DELAYED, date(2026, 12, 4))
    assert not outbox_mails(app, "task_refused")


def test_the_manager_hands_the_escalated_task_over(tmp_path):
    app, svc, clock, esc = _escalated(tmp_path)
    assert send(svc, clock, reply_to(esc, MANAGER, "改由李娜负责，截止12月8日")) == "applied"
    assert (task(app).owner, task(app).due) == (LINA, date(2026, 12, 8))


def test_someone_else_answering_the_escalation_is_still_refused(tmp_path):
    app, svc, clock, esc = _escalated(tmp_path)
    assert send(svc, clock, reply_to(esc, "liuyang@corp.example", "已完成，我确认")) == "refused"


# --- the CLI ------------------------------------------------------------------------------------------

def test_cli_reassign_by_name_with_a_new_date_and_reason(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    app.close()
    res = cli(tmp_path, "tasks", "reassign", "1", "--to", "李娜", "--due", "2026-12-09", "--reason", "张伟调去支援展会",
              "--now", "2026-11-20T11:00")
    assert res.exit_code == 0, res.output
    assert "张伟 → 李娜" in res.output and "mail(s) queued" in res.output
    app2, *_ = make_app(tmp_path, START)
    t = app2.store.get_task(1)
    assert (t.owner, t.due) == (LINA, date(2026, 12, 9))
    assert app2.store.task_events(1)[-1].text.endswith("张伟调去支援展会")
    to = {m["To"]: m.get("X-Mailflow-Kind") for m in outbox_mails(app2)}
    assert {LINA, OWNER, HOST} <= set(to)                      # new owner, released owner, host told
    show = cli(tmp_path, "tasks", "show", "1")
    assert "reassigned" in show.output and "张伟调去支援展会" in show.output


def test_cli_set_due_needs_a_reason_and_tells_the_owner(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    app.close()
    res = cli(tmp_path, "tasks", "set-due", "1", "2026-12-11", "--reason", "客户推迟验收", "--now", "2026-11-20T11:00")
    assert res.exit_code == 0, res.output
    app2, *_ = make_app(tmp_path, START)
    t = app2.store.get_task(1)
    assert (t.status, t.due, t.delay_reason) == (TaskStatus.DELAYED, date(2026, 12, 11), "客户推迟验收")
    [told] = outbox_mails(app2, "task_decision")
    assert told["To"] == OWNER and "DTSTART;VALUE=DATE:20261211" in ics_of(told)


def test_cli_bad_input_exits_2_with_a_clear_message(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    app.close()
    for args, words in [(("reassign", "1", "--to", "欧阳锋"), "nobody in people.yaml"),
                        (("reassign", "9", "--to", "李娜"), "no task 9"),
                        (("reassign", "1", "--to", "李娜", "--due", "12/9"), "expected a date"),
                        (("reassign", "1", "--to", OWNER), "already owns"),
                        (("set-due", "1", "next week", "--reason", "x"), "expected a date"),
                        (("set-due", "1", "2026-12-11", "--reason", "  "), "needs a reason")]:
        res = cli(tmp_path, "tasks", *args)
        assert res.exit_code == 2 and words in res.output, (args, res.output)
    assert cli(tmp_path, "tasks", "set-due", "1", "2026-12-11").exit_code == 2    # --reason is required


# --- verification -------------------------------------------------------------------------------------

def _done_with_files(files) -> bytes:
    return make_mail(f"张伟 <{OWNER}>", "已完成，文档和测试报告见附件", to=SHARED, subject="回复：[MF-T1] 任务：接口开发",
                     message_id="<done-files@client.example>",
                     attachments=[(name, data, mime) for name, mime, data in files], utf8=False)


def test_the_deliverable_reaches_the_verifier_or_is_listed_with_its_size(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    send(svc, clock, _done_with_files([("接口文档.docx", docx, b"PK\x03\x04" + b"x" * 2048),
                                       ("压测报告.pdf", "application/pdf", b"%PDF-1.4" + b"y" * 4096)]))
    [verify] = outbox_mails(app, "task_verify")
    names = [p.get_filename() for p in verify.iter_attachments()]
    assert "接口文档.docx" in names
    text = body_text(verify)
    assert "接口文档.docx  2.0 KB （已附上）" in text
    assert "压测报告.pdf" in names and "压测报告.pdf  4.0 KB （已附上）" in text


def test_deliverables_past_the_forwarding_budget_are_listed_with_their_size(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    big = b"%PDF-1.4" + b"z" * (3 * 1024 * 1024)
    send(svc, clock, _done_with_files([("第一部分.pdf", "application/pdf", big),
                                       ("第二部分.pdf", "application/pdf", big)]))
    [verify] = outbox_mails(app, "task_verify")
    assert [p.get_filename() for p in verify.iter_attachments()] == ["第一部分.pdf"]
    assert "第二部分.pdf  3.0 MB （超过 5 MB 或无法转发" in body_text(verify)


def test_a_return_resets_the_percent_and_says_what_is_missing(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "进行中 70%"))
    send(svc, clock, mail(OWNER, "已完成"))
    [verify] = outbox_mails(app, "task_verify")
    send(svc, clock, reply_to(verify, HOST, "退回，缺少异常场景的测试用例"))
    t = task(app)
    assert (t.status, t.percent) == (TaskStatus.IN_PROGRESS, 70)
    [told] = outbox_mails(app, "task_verify_result")
    assert "缺少异常场景的测试用例" in body_text(told)


@pytest.mark.parametrize("words", ["先别关，还差压测数据", "暫不結案，等客戶簽字", "Don't close it yet, the vendor has not signed"])
def test_the_host_keeps_a_finished_task_open(tmp_path, words):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(OWNER, "已完成"))
    [verify] = outbox_mails(app, "task_verify")
    assert send(svc, clock, reply_to(verify, HOST, words)) == "applied"
    t = task(app)
    assert t.status is TaskStatus.IN_PROGRESS and t.verified_at is None
    assert events(app)[-1].kind == "rejected"


# --- wrong thread or no thread ------------------------------------------------------------------------

def _new_mail(sender, subject, text, mid="<new-1@client.example>"):
    return mail(sender, text, subject=subject, message_id=mid)


def test_a_status_in_a_meeting_notices_thread_reaches_the_senders_task(tmp_path):
    import yaml
    from pathlib import Path
    from mailflow.flows import meetings
    app, svc, clock, _ = build(tmp_path, titles=("需求文档定稿",))
    data = yaml.safe_load((Path(__file__).parent / "fixtures" / "meetings" / "meeting.yaml").read_text("utf-8"))
    m = meetings.from_data(data, app.directory)
    m.uid = "mf-next@corp.example"
    add_meeting(app, svc, m, clock.now())
    notice = next(x for x in outbox_mails(app, "notice") if x["To"] == OWNER or OWNER in str(x["To"]))
    assert send(svc, clock, reply_to(notice, OWNER, "需求文档已经定稿了，已完成")) == "applied"
    assert task(app).status is TaskStatus.DONE
    assert not outbox_mails(app, "meeting_unclear")


def test_a_new_mail_naming_a_task_by_its_title_words(tmp_path):
    app, svc, clock, _ = build(tmp_path, titles=("接口开发", "联调测试", "上线方案"))
    assert send(svc, clock, _new_mail(OWNER, "进度", "联调测试进行中，完成了80%")) == "applied"
    assert (task(app, 2).status, task(app, 2).percent) == (TaskStatus.IN_PROGRESS, 80)
    assert task(app, 1).status is TaskStatus.NOT_STARTED


def test_a_forwarded_mail_is_matched_by_the_tag_it_carries(tmp_path):
    app, svc, clock, _ = build(tmp_path, titles=("接口开发", "联调测试"))
    text = ("已完成，麻烦王总验收\n\n---------- Forwarded message ----------\n"
            "Subject: [MF-T2] 任务分配：联调测试\n请回复本邮件确认任务")
    assert send(svc, clock, _new_mail(OWNER, "Fw: 任务分配", text)) == "applied"
    assert task(app, 2).status is TaskStatus.DONE and task(app, 1).status is TaskStatus.NOT_STARTED


def test_the_only_open_task_needs_no_name(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, _new_mail(OWNER, "更新一下", "done, the report is on the wiki")) == "applied"
    assert task(app).status is TaskStatus.DONE


def test_several_fit_the_answer_lists_them_numbered_and_2_done_settles_it(tmp_path):
    app, svc, clock, _ = build(tmp_path, titles=("接口开发", "联调测试"))
    assert send(svc, clock, _new_mail(OWNER, "进展", "已完成")) == "unknown"
    [ask] = outbox_mails(app, "task_clarify")
    assert "1" in body_text(ask) and "接口开发" in body_text(ask) and "联调测试" in body_text(ask)
    assert send(svc, clock, reply_to(ask, OWNER, "2 已完成")) == "applied"
    assert task(app, 2).status is TaskStatus.DONE and task(app, 1).status is TaskStatus.NOT_STARTED


def test_a_new_mail_from_someone_without_open_tasks_is_not_taken(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    assert send(svc, clock, _new_mail(LINA, "你好", "已完成")) == "unknown"
    assert task(app).status is TaskStatus.NOT_STARTED


def test_the_manager_confirms_the_escalated_task_is_done(tmp_path):
    app, svc, clock, esc = _escalated(tmp_path)
    assert send(svc, clock, reply_to(esc, MANAGER, "已完成，我确认")) == "applied"
    assert task(app).status is TaskStatus.DONE
    assert events(app)[-1].actor == MANAGER


@pytest.mark.parametrize("words", ["不要改由李娜负责", "这个是不是该改由李娜负责？", "先别转给李娜，等我问问"])
def test_a_negated_or_asked_handover_from_the_host_hands_nothing_over(tmp_path, words):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(HOST, words))
    assert task(app).owner == OWNER
    assert not outbox_mails(app, "task_assigned")


def test_li_na_takes_over_names_her(tmp_path):
    app, svc, clock, _ = build(tmp_path)
    send(svc, clock, mail(HOST, "李娜来接手吧"))
    assert task(app).owner == LINA


# --- a month of the trial's situations, stepping the daemon's clock -------------------------------------

def test_a_month_of_owners_and_dates_changing(tmp_path):
    from email.utils import format_datetime

    from mailflow.model import Task
    app, svc, clock, _ = build(tmp_path, titles=("接口开发", "联调测试"))
    app.settings.tasks.delay_needs_approval = True
    zhou = "zhouqiang@corp.example"
    app.store.save_task(Task(id=None, title="费用报销流程梳理", owner=zhou, due=date(2026, 11, 23), meeting_id=1), START)

    def at(day, hour=10):
        moment = datetime(2026, day // 100, day % 100, hour, 0, tzinfo=SH)
        while clock.now() < moment:                     # the daemon ticks every half hour meanwhile
            clock.advance(minutes=30)
            svc.ticker.tick_once(clock.now())
        return format_datetime(moment)

    def reply(original, who, words, when):
        return send(svc, clock, reply_to(original, who, words, date=when))

    # 11-20: 张伟 asks to hand 接口开发 over; the host answers with one click
    send(svc, clock, mail(OWNER, "这个改由小李负责，我下周去深圳出差"))
    [ask] = outbox_mails(app, "task_handover_request")
    assert reply(ask, HOST, one_click(ask)[0], at(1120, 11)) == "applied"
    assert task(app, 1).owner == LINA
    # 11-24: 李娜 reports in a new mail, no thread
    send(svc, clock, mail(LINA, "接口开发进行中，完成40%", subject="进度", date=at(1124)))
    assert task(app, 1).percent == 40
    # 11-24: 张伟 asks to delay 联调测试; it waits for the host, who agrees
    send(svc, clock, mail(OWNER, "联调测试需要延期到12月2日，原因：测试环境还没准备好", task_id=2, date=at(1124, 11)))
    assert task(app, 2).due == date(2026, 11, 27)
    [ask] = outbox_mails(app, "task_delay_request")
    reply(ask, HOST, "同意", at(1124, 14))
    assert task(app, 2).due == date(2026, 12, 2)
    # 11-26: 周强 never answered; the escalation reaches 赵敏, who hands the task to 刘洋
    at(1126, 12)
    [esc] = [m for m in outbox_mails(app, "escalation") if "费用报销" in m["Subject"]]
    assert esc["To"] == MANAGER
    assert reply(esc, MANAGER, "改由刘洋负责，截止12月8日", at(1126, 14)) == "applied"
    assert (task(app, 3).owner, task(app, 3).due) == ("liuyang@corp.example", date(2026, 12, 8))
    # 12-01: 李娜 finishes with the deliverable attached; the host gets it and verifies
    raw = _done_with_files([("接口文档.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                             b"PK\x03\x04" + b"z" * 1024)])
    at(1201)
    assert svc.ingest.process_raw(raw.replace(b"zhangwei@corp.example", LINA.encode()), "test", clock.now()) == "applied"
    [verify] = outbox_mails(app, "task_verify")
    assert verify["To"] == HOST and "接口文档.docx" in [p.get_filename() for p in verify.iter_attachments()]
    reply(verify, HOST, "验收通过", at(1201, 15))
    assert task(app, 1).status is TaskStatus.VERIFIED
    # to the end of the month: the handed-over task escalates on its own new date, nobody else's
    at(1215)
    escalated = [m["Subject"] for m in outbox_mails(app, "escalation")]
    assert len([s for s in escalated if "费用报销" in s]) == 2 and "刘洋" in escalated[-1]
    assert not [s for s in escalated if "接口开发" in s]


# --- fewer mails: receipts = "daily" ---------------------------------------------------------------------

def test_daily_receipts_one_digest_per_person_at_the_end_of_the_working_day(tmp_path):
    app, svc, clock, _ = build(tmp_path, titles=("接口开发", "联调测试"))
    app.settings.schedule.receipts = "daily"
    send(svc, clock, mail(OWNER, "进行中 60%"))
    send(svc, clock, mail(OWNER, "进行中，大概三成，文档在wiki上", task_id=2))
    send(svc, clock, mail(OWNER, "这个嘛"))                        # not understood: asked back at once
    assert outbox_mails(app, "task_receipt") == []
    assert len(outbox_mails(app, "task_clarify")) == 1
    t = START
    while t <= datetime(2026, 11, 20, 19, 0, tzinfo=SH):
        svc.ticker.tick_once(t)
        t += timedelta(minutes=30)
    [digest] = outbox_mails(app, "receipt_digest")
    assert digest["To"] == OWNER and "今日已记录：2 项任务更新" in digest["Subject"]
    text = body_text(digest)
    assert "[MF-T1] 接口开发 → 进行中 60%" in text and "[MF-T2] 联调测试 → 进行中 30%" in text
    assert "文档在wiki上" in text
    # the host wrote nothing: no digest
    assert [r["kind"] for r in app.store.outbox_history(to=HOST)].count("receipt_digest") == 0
    # "收到" to the digest is not answered
    assert send(svc, clock, reply_to(digest, OWNER, "收到，谢谢")) == "ignored"


def test_receipts_must_be_each_or_daily(tmp_path):
    from mailflow.config import ConfigError, settings_from_dict
    with pytest.raises(ConfigError, match="receipts"):
        settings_from_dict({"schedule": {"receipts": "weekly"}}, "x.toml")


# --- every new mail renders in every language ----------------------------------------------------------

_BASE = {"title": "接口开发", "task_id": 1, "owner": OWNER, "owner_name": "张伟", "due": date(2026, 12, 9),
         "status": "delayed", "name": "王磊"}
_CONTEXTS = {
    "task_handover_request": {"text": "这个改由小李负责", "sender_name": "张伟", "meeting_title": "周会",
                              "assignee": "小李", "known": False},
    "task_delay_notice": {"text": "延期到12月9日，原因：等设备", "sender_name": "张伟", "meeting_title": "周会",
                          "what": "delay_pending", "old_due": date(2026, 11, 27), "new_due": date(2026, 12, 9),
                          "missing": [], "approval": True},
    "task_owner_changed": {"from_name": "张伟", "to_name": "李娜", "reason": "出差", "by_name": "王磊",
                           "old_due": date(2026, 11, 27), "role": "released"},
    "task_decision": {"about": "delay", "verdict": "approve", "by_name": "王磊", "old_due": date(2026, 11, 27),
                      "reason": "等设备", "new_owner": ""},
    "task_receipt_digest": {"rows": [{"time": "11-20 10:00", "task_id": 1, "title": "接口开发", "kind": "progress",
                                      "status": "in_progress", "percent": 60, "due": None, "text": "进行中 60%"}]},
    "task_verify": {"text": "已完成", "sender_name": "张伟", "meeting_title": "周会", "limit_mb": 5,
                    "files": [{"name": "a.pdf", "size": 2048, "attached": False}]},
}


@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW", "en"])
@pytest.mark.parametrize("template", sorted(_CONTEXTS))
def test_the_new_mails_render_in_every_language(tmp_path, template, lang):
    from mailflow.model import Mail
    app, *_ = make_app(tmp_path, START)
    m = Mail(key=f"k:{template}:{lang}", template=template, to=[HOST], lang=lang, kind=template, task_id=1,
             context={**_BASE, **_CONTEXTS[template]})
    subject, text, html = app.renderer.texts(m)
    assert subject and "{{" not in text and "接口开发" in subject + text
    assert "<script" not in html


def test_the_escalations_handover_answer_with_the_blank_left_empty_hands_nothing_over(tmp_path):
    app, svc, clock, esc = _escalated(tmp_path)
    body = next(b for b in one_click(esc) if b.startswith("改由"))
    send(svc, clock, reply_to(esc, MANAGER, body))
    assert task(app).owner == OWNER and not outbox_mails(app, "task_assigned")
