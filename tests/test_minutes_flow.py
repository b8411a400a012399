"""会后纪要 over mail: the recorder is asked for the minutes, sends drafts in any style, fixes what
is wrong, the host approves or corrects, everyone gets the final minutes (最终版) and may object,
and each owner gets their task with the due date for their calendar.

Golden files: set MAILFLOW_UPDATE_GOLDEN=1 to rewrite tests/golden/minutes_flow/*.txt.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from apphelp import PEOPLE, SH, SHARED, body_text, make_app, reply_to
from icaljs import require_ical_js, run_ical_js
from mailflow.cli import main
from mailflow.model import Snapshot
from mailflow.testing import make_mail, write_config
from minuteshelp import CLEAN_DRAFT, DRAFT_AT, DRAFT_DATE, END, START, mails, meeting, requested, send
from officedocs import docx, mail_with, xlsx

FIX = Path(__file__).parent / "fixtures" / "minutes_flow"
GOLDEN = Path(__file__).parent / "golden" / "minutes_flow"

PROBLEM_DRAFT = """\
三、决议结果
1. 上线时间暂定为12月1日

四、行动项
1. 接口联调方案，负责人：技术部-王，截止：11月30日
2. 活动预算清单，负责人：周强，截止：尽快
3. 设计稿，负责人：刘洋、李娜，截止：11月26日
4. 渠道报价，负责人：市场部-钱，截止：11月27日
5. 场地确认，截止：11月25日
6. 物料清单，负责人：李娜，交付物：物料表
"""


def new_mail(sender: str, subject: str, text: str, *, date: str = DRAFT_DATE, charset: str = "utf-8") -> bytes:
    """A new mail (no thread); a gb* label is written in gb18030, as Chinese clients do."""
    return make_mail(sender, text, to=SHARED, subject=subject, date=date, charset=charset,
                     encoding="gb18030" if charset.startswith("gb") else charset)


def approved(world):
    app, svc, clock, m = world
    req = requested(world)
    send(svc, reply_to(req, "sunli@corp.example", CLEAN_DRAFT, date=DRAFT_DATE))
    (review,) = mails(app, "minutes_review")
    send(svc, reply_to(review, "wanglei@corp.example", "确认"), DRAFT_AT + timedelta(hours=2))
    return review


# --- golden files -------------------------------------------------------------------------------
def normalised(msg) -> str:
    """A rendered mail for a golden file: stable headers, the MIME layout, plain text and HTML."""
    out = [f"{h}: {msg[h]}" for h in ("From", "To", "Cc", "Subject", "Auto-Submitted") if msg[h]]
    out.append("X-Mailflow: " + msg["X-Mailflow"].split(";")[0])
    out.append("In-Reply-To: " + ("<ours>" if (msg["In-Reply-To"] or "").startswith("<mf.") else
                                  "<theirs>" if msg["In-Reply-To"] else "-"))
    out.append("Layout: " + " ".join(f"{p.get_content_type()}" + (f"[{p.get_filename()}]" if p.get_filename() else "")
                                     for p in msg.walk()))
    out += ["", "----- text/plain -----", body_text(msg).rstrip(), "",
            "----- text/html -----", msg.get_body(preferencelist=("html",)).get_content().rstrip(), ""]
    return "\n".join(out).replace("\r\n", "\n")


def golden(name: str, msg) -> None:
    path = GOLDEN / f"{name}.txt"
    got = normalised(msg)
    if os.environ.get("MAILFLOW_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path} is missing; create it with MAILFLOW_UPDATE_GOLDEN=1"
    assert got == path.read_text(encoding="utf-8"), f"{path} differs; rerun with MAILFLOW_UPDATE_GOLDEN=1 if intended"


# --- 1. the request ---------------------------------------------------------------------------------
def test_when_the_meeting_ends_the_recorder_gets_the_filled_template(world):
    app, svc, clock, m = world
    svc.ticker.tick_once(END - timedelta(minutes=1))
    assert not mails(app, "minutes_request")                         # not before the meeting ends
    req = requested(world)
    assert req["To"] == "sunli@corp.example"
    assert req["Subject"].startswith(f"[MF-M{m.id}] 请提交会议纪要：Q4营销活动筹备会")
    text = body_text(req)
    assert "2026-11-20（周五） 16:00 前" in text                     # within 24 h
    for fact in ("会议名称：Q4营销活动筹备会", "主持人：王磊", "议题1：市场部需求文档提交时间及优先级", "三、决议结果",
                 "四、行动项", "负责人：", "协同人：", "截止时间：", "交付物："):
        assert fact in text
    assert app.store.get_meeting(m.id).minutes_state == "requested"
    svc.ticker.tick_once(END + timedelta(minutes=5))
    assert len(mails(app, "minutes_request")) == 1                   # never twice


# --- 2/3. drafts and problems -------------------------------------------------------------------------
def test_every_problem_in_a_draft_comes_back_to_the_recorder_in_one_reply(world):
    app, svc, clock, m = world
    req = requested(world)
    assert send(svc, reply_to(req, "sunli@corp.example", PROBLEM_DRAFT, date=DRAFT_DATE)) == "applied"
    (answer,) = mails(app, "minutes_problems")
    assert answer["To"] == "sunli@corp.example" and answer["In-Reply-To"]
    text = body_text(answer)
    for label, line in [("人员不唯一", "接口联调方案，负责人：技术部-王"), ("截止时间不具体", "截止：尽快"),
                        ("负责人不止一位", "负责人：刘洋、李娜"), ("找不到此人", "市场部-钱"),
                        ("没有负责人", "5. 场地确认，截止：11月25日"), ("没有截止时间", "6. 物料清单")]:
        assert label in text and line in text
    assert "请写全名或邮箱" in text and "请补充截止日期" in text
    assert not mails(app, "minutes_review")
    assert app.store.get_meeting(m.id).minutes_state == "draft"
    assert [v.status for v in app.store.minutes_versions(m.id)] == ["problems"]
    golden("problems_reply", answer)


def test_a_new_draft_in_the_thread_replaces_the_old_one_and_goes_to_the_host(world):
    app, svc, clock, m = world
    req = requested(world)
    send(svc, reply_to(req, "sunli@corp.example", PROBLEM_DRAFT, date=DRAFT_DATE))
    (problems,) = mails(app, "minutes_problems")
    send(svc, reply_to(problems, "sunli@corp.example", CLEAN_DRAFT, date=DRAFT_DATE))
    assert [v.status for v in app.store.minutes_versions(m.id)] == ["superseded", "review"]
    assert app.store.get_meeting(m.id).minutes_state == "review"
    (review,) = mails(app, "minutes_review")
    assert review["To"] == "wanglei@corp.example"
    assert review.get_body(preferencelist=("html",)) is not None
    text = body_text(review)
    assert "上线时间暂定为12月1日" in text and "确认 ／ 同意 ／ OK" in text
    golden("review_mail", review)


# --- 4/5/6. approval, distribution, assignment -----------------------------------------------------------
def test_the_host_says_ok_and_everyone_gets_the_final_minutes_and_owners_their_tasks(world):
    app, svc, clock, m = world
    approved(world)
    meeting_now = app.store.get_meeting(m.id)
    assert meeting_now.minutes_state == "final"
    assert [v.status for v in app.store.minutes_versions(m.id)] == ["final"]
    finals = mails(app, "minutes_final")
    by_lang = {f["Subject"]: f for f in finals}
    assert len(finals) == 3                                            # zh-CN, zh-TW (陈静), en (Tom)
    zh = next(f for f in finals if "sunli@corp.example" in f["To"])
    assert "zhaomin@corp.example" in zh["Cc"]                          # the department head, once
    assert all("zhaomin" not in (f["Cc"] or "") for f in finals if f is not zh)
    assert any("最終版" in s for s in by_lang) and any("Final" in s for s in by_lang)
    assert "最终版" in zh["Subject"] and "2026-11-24（周二） 18:00" in body_text(zh)   # 2 working days
    golden("final_minutes", zh)

    tasks = app.store.tasks(meeting_id=m.id)
    assert [(t.title, t.owner, str(t.due), t.status.value) for t in tasks] == [
        ("提交需求文档", "zhangwei@corp.example", "2026-11-27", "not_started"),
        ("活动预算清单", "zhouqiang@corp.example", "2026-11-30", "not_started"),
        ("设计稿", "liuyang@corp.example", "2026-11-26", "not_started")]
    assert tasks[0].collaborators == ["lina@corp.example"]
    assert tasks[1].deliverable == "预算表经财务部审核"
    assigned = mails(app, "task_assigned")
    assert [a["To"] for a in assigned] == [t.owner for t in tasks]
    first = assigned[0]
    assert first["Subject"].startswith(f"[MF-T{tasks[0].id}] 任务分配：提交需求文档")
    text = body_text(first)
    for words in ("截止日期：2026-11-27（周五）", "协同人：李娜", "Q4营销活动筹备会", "确认", "进行中 60%", "已完成",
                  "延期到"):
        assert words in text
    (ics,) = [p for p in first.walk() if p.get_filename() == f"due-T{tasks[0].id}.ics"]
    data = ics.get_payload(decode=True)
    assert b"METHOD:PUBLISH" in data and b"DTSTART;VALUE=DATE:20261127" in data
    assert not [p for p in first.walk() if p.get_content_type() == "text/calendar" and not p.get_filename()]
    row = app.store.sent_message(first["Message-ID"])
    assert row["kind"] == "task_assigned" and row["task_id"] == tasks[0].id   # its replies go to the task flow
    golden("task_assigned", first)
    assert [e.kind for e in app.store.task_events(tasks[0].id)] == ["created"]


def test_final_minutes_without_department_heads_when_configured_off(tmp_path):
    app, svc, clock = make_app(tmp_path, END, org={"cc_department_heads": False})
    app.store.save_meeting(meeting(), END - timedelta(days=3))
    approved((app, svc, clock, None))
    assert all(not f["Cc"] for f in mails(app, "minutes_final"))
    app.close()


def test_the_host_asks_for_a_change_and_the_recorder_gets_it_then_the_new_draft_is_reviewed(world):
    app, svc, clock, m = world
    req = requested(world)
    send(svc, reply_to(req, "sunli@corp.example", CLEAN_DRAFT, date=DRAFT_DATE))
    (review,) = mails(app, "minutes_review")
    send(svc, reply_to(review, "wanglei@corp.example", "确认，但设计稿的截止改为11月27日"), DRAFT_AT + timedelta(hours=1))
    (corr,) = mails(app, "minutes_correction")
    assert corr["To"] == "sunli@corp.example"
    assert "设计稿的截止改为11月27日" in body_text(corr) and "王磊" in body_text(corr)
    assert not mails(app, "minutes_final") and app.store.get_meeting(m.id).minutes_state == "draft"
    golden("correction", corr)
    send(svc, reply_to(corr, "sunli@corp.example", CLEAN_DRAFT.replace("11月26日", "11月27日"), date=DRAFT_DATE),
         DRAFT_AT + timedelta(hours=2))
    reviews = mails(app, "minutes_review")
    assert len(reviews) == 2 and "第2版" in reviews[1]["Subject"]
    send(svc, reply_to(reviews[1], "wanglei@corp.example", "OK"), DRAFT_AT + timedelta(hours=3))
    assert app.store.get_meeting(m.id).minutes_state == "final"
    assert [v.status for v in app.store.minutes_versions(m.id)] == ["superseded", "final"]
    assert str(app.store.tasks(meeting_id=m.id)[2].due) == "2026-11-27"


def test_only_the_host_approves(world):
    app, svc, clock, m = world
    req = requested(world)
    send(svc, reply_to(req, "sunli@corp.example", CLEAN_DRAFT, date=DRAFT_DATE))
    (review,) = mails(app, "minutes_review")
    assert send(svc, reply_to(review, "zhangwei@corp.example", "同意")) == "refused"
    assert app.store.get_meeting(m.id).minutes_state == "review"
    assert send(svc, reply_to(review, "mishu@corp.example", "同意")) == "applied"   # 王磊's delegate
    assert app.store.get_meeting(m.id).minutes_state == "final"


def test_an_objection_goes_to_host_and_recorder_and_is_logged(world):
    app, svc, clock, m = world
    approved(world)
    zh = next(f for f in mails(app, "minutes_final") if "lina@corp.example" in f["To"])
    status = send(svc, reply_to(zh, "lina@corp.example", "有异议：决议第1条上线时间应为12月8日"),
                  DRAFT_AT + timedelta(hours=4))
    assert status == "applied"
    (obj,) = mails(app, "minutes_objection")
    assert obj["To"] == "wanglei@corp.example, sunli@corp.example"
    assert "李娜" in body_text(obj) and "上线时间应为12月8日" in body_text(obj)
    golden("objection", obj)
    rows = {c.email: c for c in app.store.minutes_confirmations(m.id)}
    assert rows["lina@corp.example"].status == "objection"
    assert "有异议" in rows["lina@corp.example"].text
    detail = app.store.inbound_history()[-1]["detail"]
    assert "objection" in detail and "lina@corp.example" in detail


def test_silence_until_the_deadline_counts_as_accepted(world):
    app, svc, clock, m = world
    approved(world)
    tw = next(f for f in mails(app, "minutes_final") if "chenjing@corp.example" in f["To"])
    send(svc, reply_to(tw, "chenjing@corp.example", "確認，無異議"), DRAFT_AT + timedelta(hours=5))
    svc.ticker.tick_once(datetime(2026, 11, 23, 18, 0, tzinfo=SH))            # Monday: still open
    rows = {c.email: c.status for c in app.store.minutes_confirmations(m.id)}
    assert rows["zhangwei@corp.example"] == "pending" and rows["chenjing@corp.example"] == "confirmed"
    svc.ticker.tick_once(datetime(2026, 11, 24, 18, 0, tzinfo=SH))            # Tuesday 18:00: 2 working days
    rows = {c.email: c for c in app.store.minutes_confirmations(m.id)}
    assert {e: c.status for e, c in rows.items()} == {
        "wanglei@corp.example": "confirmed", "sunli@corp.example": "confirmed",
        "liuyang@corp.example": "accepted", "zhangwei@corp.example": "accepted", "lina@corp.example": "accepted",
        "zhouqiang@corp.example": "accepted", "chenjing@corp.example": "confirmed", "tom@corp.example": "accepted"}
    assert rows["tom@corp.example"].text == "无异议视为认可"


# --- draft styles and where a draft belongs ------------------------------------------------------------
def test_an_outlook_reply_with_a_word_table_is_read_from_its_html_without_the_quoted_original(world):
    app, svc, clock, m = world
    req = requested(world)
    raw = (FIX / "outlook_table_reply.eml").read_bytes().replace(b"{REQUEST_ID}", req["Message-ID"].encode())
    assert send(svc, raw) == "applied"
    (v,) = app.store.minutes_versions(m.id)
    assert v.status == "review" and v.parsed.decisions == ["上线时间暂定为12月1日"]
    assert [(a.title, a.owner, a.collaborators, str(a.due), a.deliverable) for a in v.parsed.action_items] == [
        ("提交活动需求文档", "zhangwei@corp.example", ["lina@corp.example"], "2026-11-27", "需求文档最终版"),
        ("活动预算清单", "zhouqiang@corp.example", [], "2026-11-30", "预算表")]   # not the quoted 旧的引用任务
    assert mails(app, "minutes_review")


def test_a_gbk_draft_mailed_as_a_new_thread_finds_the_recorders_meeting(world):
    app, svc, clock, m = world
    requested(world)
    assert send(svc, (FIX / "foxmail_gbk_new.eml").read_bytes()) == "applied"
    (v,) = app.store.minutes_versions(m.id)
    assert [(a.title, a.owner, str(a.due)) for a in v.parsed.action_items] == [
        ("提交需求文档", "zhangwei@corp.example", "2026-11-27"),
        ("完成活动预算清单", "zhouqiang@corp.example", "2026-11-30"),
        ("设计稿", "liuyang@corp.example", "2026-11-26")]
    assert v.status == "review" and app.store.get_meeting(m.id).minutes_state == "review"


def test_a_new_thread_draft_goes_to_the_meeting_its_title_names_else_the_latest(world):
    app, svc, clock, m = world
    later = app.store.save_meeting(meeting("产品周会", START + timedelta(hours=2), END + timedelta(hours=2)), END)
    at = END + timedelta(hours=3)
    send(svc, new_mail("sunli@corp.example", "会议纪要", CLEAN_DRAFT.replace("Q4营销活动筹备会", "")), at)
    assert len(app.store.minutes_versions(later.id)) == 1 and not app.store.minutes_versions(m.id)
    send(svc, new_mail("sunli@corp.example", "Q4营销活动筹备会 纪要", CLEAN_DRAFT), at)
    assert len(app.store.minutes_versions(m.id)) == 1
    send(svc, new_mail("sunli@corp.example", f"[MF-M{m.id}] 纪要（修改版）", CLEAN_DRAFT), at)
    assert len(app.store.minutes_versions(m.id)) == 2


def test_drafts_from_people_who_are_not_recorder_or_host_are_not_taken(world):
    app, svc, clock, m = world
    req = requested(world)
    assert send(svc, reply_to(req, "zhangwei@corp.example", CLEAN_DRAFT)) == "refused"
    assert send(svc, new_mail("lina@corp.example", "会议纪要", CLEAN_DRAFT)) == "unknown"   # gets the help answer
    assert send(svc, new_mail("lina@corp.example", f"[MF-M{m.id}] 会议纪要", CLEAN_DRAFT)) == "unknown"
    assert not app.store.minutes_versions(m.id)
    assert send(svc, new_mail("wanglei@corp.example", "会议纪要", CLEAN_DRAFT)) == "applied"   # the host may


def test_a_mail_with_only_an_attachment_is_answered_with_how_to_send_minutes(world):
    app, svc, clock, m = world
    req = requested(world)
    send(svc, reply_to(req, "sunli@corp.example", "纪要见附件，请查收。"))
    (answer,) = mails(app, "minutes_problems")
    assert "附件" in body_text(answer) and "正文" in body_text(answer)
    assert not app.store.minutes_versions(m.id)


# --- drafts sent as Word / Excel attachments ------------------------------------------------------------
KV_DOCX = [("title", "Q4营销活动筹备会 会议纪要"), ("h", "三、决议结果"), ("num", "上线时间暂定为12月1日"),
           ("h", "四、行动项"), ("p", "任务名称：活动预算清单"), ("p", "负责人：周强"), ("p", "计划完成时间：11月30日"),
           ("p", "任务名称：设计稿"), ("p", "负责人：刘洋"), ("p", "截止时间：11月26日"), ("p", "交付物：主视觉")]


def test_a_word_draft_attached_to_a_short_note_is_read_and_goes_to_the_host(world):
    app, svc, clock, m = world
    req = requested(world)
    raw = mail_with("sunli@corp.example", "", "王总：\n\n纪要草稿见附件，请审阅。\n\n孙丽", ("Q4纪要（草稿）.docx", docx(KV_DOCX)),
                    ("image001.png", b"\x89PNG\r\n"), reply_to=req)
    assert send(svc, raw) == "applied"
    (v,) = app.store.minutes_versions(m.id)
    assert v.status == "review" and v.parsed.decisions == ["上线时间暂定为12月1日"]
    assert [(a.title, a.owner, str(a.due)) for a in v.parsed.action_items] == [
        ("活动预算清单", "zhouqiang@corp.example", "2026-11-30"), ("设计稿", "liuyang@corp.example", "2026-11-26")]
    assert "任务名称：活动预算清单" in v.text and "纪要草稿见附件" not in v.text   # the cover note is not minutes
    (review,) = mails(app, "minutes_review")
    assert "活动预算清单" in body_text(review)


def test_decisions_in_the_body_and_the_action_table_in_an_excel_file_are_read_together(world):
    app, svc, clock, m = world
    req = requested(world)
    sheet = xlsx([("行动项", [["序号", "事项", "负责人", "协同人", "完成时间", "交付物"],
                             [1, "活动预算清单", "周强", "王磊", datetime(2026, 11, 30), "预算表"],
                             [2, "设计稿", "刘洋", None, "11月26日", "主视觉"]])])
    body = "三、决议结果\n1. 上线时间暂定为12月1日\n\n行动项见附件跟进表。"
    assert send(svc, mail_with("sunli@corp.example", "", body, ("跟进表.xlsx", sheet), reply_to=req)) == "applied"
    (v,) = app.store.minutes_versions(m.id)
    assert v.parsed.decisions[0] == "上线时间暂定为12月1日"
    assert [(a.title, a.owner, a.collaborators, str(a.due), a.deliverable) for a in v.parsed.action_items] == [
        ("活动预算清单", "zhouqiang@corp.example", ["wanglei@corp.example"], "2026-11-30", "预算表"),
        ("设计稿", "liuyang@corp.example", [], "2026-11-26", "主视觉")]


def test_a_new_mail_whose_word_file_is_named_minutes_is_a_draft_and_problems_point_at_table_rows(world):
    app, svc, clock, m = world
    requested(world)
    table = docx([("h", "四、行动项"), ("table", [["序号", "事项", "负责人", "完成时间"],
                                                ["1", "活动预算清单", "周强", "11月30日"],
                                                ["2", "设计稿", "刘洋", "尽快"]])])
    raw = mail_with("sunli@corp.example", "Q4营销活动筹备会", "王总好，见附件。", ("Q4营销活动筹备会纪要.docx", table))
    assert send(svc, raw) == "applied"
    (v,) = app.store.minutes_versions(m.id)
    assert v.status == "problems" and [a.title for a in v.parsed.action_items] == ["活动预算清单", "设计稿"]
    (answer,) = mails(app, "minutes_problems")
    text = body_text(answer)
    assert "读自附件 Q4营销活动筹备会纪要.docx" in text
    assert "原文：2 | 设计稿 | 刘洋 | 尽快" in text                 # the row, its cells between bars


def test_outlook_rich_text_attachments_get_the_outlook_answer(world):
    app, svc, clock, m = world
    req = requested(world)
    send(svc, mail_with("sunli@corp.example", "", "纪要见附件", ("winmail.dat", b"\x78\x9f\x3e\x22"), reply_to=req))
    (answer,) = mails(app, "minutes_problems")
    assert "winmail.dat" in body_text(answer) and "HTML" in body_text(answer)


def test_a_pdf_draft_gets_a_clear_answer_and_the_docx_sent_back_is_taken(world):
    app, svc, clock, m = world
    req = requested(world)
    assert send(svc, mail_with("sunli@corp.example", "", "纪要见附件。", ("Q4纪要.pdf", b"%PDF-1.7\n"),
                               reply_to=req)) == "applied"
    assert not app.store.minutes_versions(m.id)
    (answer,) = mails(app, "minutes_problems")
    text = body_text(answer)
    assert answer["To"] == "sunli@corp.example" and "纪要附件无法读取" in answer["Subject"]
    assert "Q4纪要.pdf" in text and ".docx" in text and "粘贴在邮件正文" in text
    send(svc, mail_with("sunli@corp.example", "", "已另存为 Word，请查收。", ("Q4纪要.docx", docx(KV_DOCX)),
                        reply_to=answer), DRAFT_AT + timedelta(minutes=20))
    assert [v.status for v in app.store.minutes_versions(m.id)] == ["review"]


@pytest.mark.parametrize("name, data, says", [
    ("纪要.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "另存为 Word（.docx）"),
    ("纪要.docm", b"PK", "含宏的文件"),
    ("纪要.docx", b"x" * 30_000, "超过"),
])
def test_old_macro_and_oversized_word_files_are_answered_with_what_to_send(world, monkeypatch, name, data, says):
    from mailflow.read import attachments
    monkeypatch.setattr(attachments, "MAX_BYTES", 20_000)          # keeps the oversized case small
    app, svc, clock, m = world
    req = requested(world)
    send(svc, mail_with("sunli@corp.example", "", "纪要见附件", (name, data), reply_to=req))
    (answer,) = mails(app, "minutes_problems")
    assert name in body_text(answer) and says in body_text(answer)
    assert not app.store.minutes_versions(m.id)


def test_the_attachment_answer_is_in_the_recorders_language(world):
    app, svc, clock, m = world
    ctx = app.context(DRAFT_AT, Snapshot())
    from mailflow.flows import minutes as minutes_flow
    from mailflow.model import Mail
    mail = Mail(key="k", template="minutes_attachment", to=["x@corp.example"],
                context={"name": "Tom", "meeting": minutes_flow._facts(ctx, m),
                         "files": [{"name": "minutes.pdf", "reason": "format"}], "limit_mb": 10})
    mail.lang = "en"
    subject, text, html = app.renderer.texts(mail)
    assert subject.startswith("Minutes attachment could not be read") and "Word (.docx)" in text
    mail.lang = "zh-TW"
    subject, text, html = app.renderer.texts(mail)
    assert "紀要附件無法讀取" in subject and "另存為 Word（.docx）" in text and "minutes.pdf" in html


# --- who was absent, who stood in ---------------------------------------------------------------------------
def test_the_final_minutes_list_who_was_absent_and_who_stood_in_for_whom(tmp_path):
    from mailflow.model import Rsvp
    app, svc, clock = make_app(tmp_path, END)
    mt = meeting()
    for a in mt.attendees:
        if a.email == "zhangwei@corp.example":
            a.rsvp, a.proxy = Rsvp.DECLINED, "wangfang@corp.example"     # "不参加，由王芳代参会"
        elif a.email == "tom@corp.example":
            a.rsvp = Rsvp.DECLINED                                     # "Sorry, I can't make it"
        elif a.email == "lina@corp.example":
            a.rsvp, a.proxy = Rsvp.DECLINED, "外部顾问老陈"               # a stand-in the directory does not know
        elif a.email == "chenjing@corp.example":
            a.rsvp = Rsvp.TENTATIVE                                    # tentative is not absent
    m = app.store.save_meeting(mt, END - timedelta(days=3))
    approved((app, svc, clock, m))
    finals = {f["To"].split(",")[0]: body_text(f) for f in mails(app, "minutes_final")}
    zh = next(t for to, t in finals.items() if "sunli" in to or "wanglei" in to)
    assert "缺席：张伟、李娜、Tom Baker" in zh
    assert "代参会：王芳（代张伟参会）、外部顾问老陈（代李娜参会）" in zh
    attendees_line = next(line for line in zh.splitlines() if line.startswith("参会人员："))
    assert "张伟" not in attendees_line and "陈静" in attendees_line
    tw = next(t for to, t in finals.items() if "chenjing" in to)
    assert "缺席：张伟、李娜、Tom Baker" in tw and "代理出席：王芳（代张伟出席）" in tw
    en = next(t for to, t in finals.items() if "tom" in to)
    assert "Absent: 张伟, 李娜, Tom Baker" in en and "Stand-ins: 王芳 for 张伟; 外部顾问老陈 for 李娜" in en
    assert len(mails(app, "minutes_final")) == 3                       # the absent still get the minutes
    app.close()


def test_final_minutes_without_absentees_say_nothing_about_absence(world):
    app, svc, clock, m = world
    approved(world)
    assert all("缺席" not in body_text(f) and "Absent" not in body_text(f) for f in mails(app, "minutes_final"))


# --- the timeline ----------------------------------------------------------------------------------------
def test_no_draft_nudges_the_recorder_at_20h_and_tells_the_host_at_24h(world):
    app, svc, clock, m = world
    requested(world)
    svc.ticker.tick_once(END + timedelta(hours=19, minutes=59))
    assert not mails(app, "minutes_nudge")
    svc.ticker.tick_once(END + timedelta(hours=20))
    (nudge,) = mails(app, "minutes_nudge")
    assert nudge["To"] == "sunli@corp.example" and nudge["In-Reply-To"].startswith("<mf.")
    assert "2026-11-20（周五） 16:00" in body_text(nudge)
    svc.ticker.tick_once(END + timedelta(hours=24))
    (late,) = mails(app, "minutes_late")
    assert late["To"] == "wanglei@corp.example" and "孙丽" in body_text(late)
    # a nudge answered with the draft is a draft
    send(svc, reply_to(nudge, "sunli@corp.example", CLEAN_DRAFT, date=DRAFT_DATE), END + timedelta(hours=25))
    assert app.store.get_meeting(m.id).minutes_state == "review"


def test_a_draft_in_time_means_no_nudge_and_a_pending_review_reminds_the_host_at_36h(world):
    app, svc, clock, m = world
    req = requested(world)
    send(svc, reply_to(req, "sunli@corp.example", CLEAN_DRAFT, date=DRAFT_DATE))
    svc.ticker.tick_once(END + timedelta(hours=24))
    assert not mails(app, "minutes_nudge") and not mails(app, "minutes_late")
    svc.ticker.tick_once(END + timedelta(hours=36))       # Saturday 04:00: the next working window
    assert not mails(app, "minutes_review_reminder")
    svc.ticker.tick_once(datetime(2026, 11, 23, 9, 0, tzinfo=SH))
    (reminder,) = mails(app, "minutes_review_reminder")
    assert reminder["To"] == "wanglei@corp.example" and "提醒" in reminder["Subject"]
    assert send(svc, reply_to(reminder, "wanglei@corp.example", "同意"), datetime(2026, 11, 23, 9, 30, tzinfo=SH)) \
        == "applied"
    assert app.store.get_meeting(m.id).minutes_state == "final"


def test_every_minutes_mail_renders_in_every_language(world):
    """The templates exist in zh-CN, zh-TW and en, as plain text and HTML, without gaps."""
    app, svc, clock, m = world
    approved(world)
    for kind in ("minutes_final",):
        for msg in mails(app, kind):
            html = msg.get_body(preferencelist=("html",)).get_content()
            assert "{{" not in html and "{%" not in html and body_text(msg).strip()
    tom = next(f for f in mails(app, "minutes_final") if "tom@corp.example" in f["To"])
    assert tom["Subject"].endswith("[Final] Minutes: Q4营销活动筹备会") and "Dear all" in body_text(tom)
    tw = next(f for f in mails(app, "minutes_final") if "chenjing@corp.example" in f["To"])
    assert "最終版" in tw["Subject"] and "無異議視為認可" in body_text(tw)
    from mailflow.flows import minutes as minutes_flow
    from mailflow.model import Mail
    ctx = app.context(DRAFT_AT, Snapshot())  # writing these mails reads nothing stored
    fresh = app.store.get_meeting(m.id)
    version = app.store.minutes_versions(m.id)[-1]
    samples = [minutes_flow.request_mail(ctx, fresh), minutes_flow.review_mail(ctx, fresh, version),
               minutes_flow.review_mail(ctx, fresh, version, reminder_key="k"),
               minutes_flow.assignment_mail(ctx, fresh, app.store.tasks(meeting_id=m.id)[0], DRAFT_AT)]
    for template, extra in [("minutes_nudge", {"due": END}), ("minutes_late", {"recorder_email": "x", "final_by": END}),
                            ("minutes_objection", {"who": "李娜", "email": "lina@corp.example", "text": "有异议"}),
                            ("minutes_correction", {"host": "王磊", "version": 1, "correction": "改", "text": "原文"}),
                            ("minutes_problems", {"empty": True, "read_from": ["纪要.docx"], "problems": [],
                                                  "items": [], "version": 0}),
                            ("minutes_attachment", {"files": [{"name": "纪要.doc", "reason": r} for r in
                                                              ("format", "macro", "too_large", "unpacked",
                                                               "damaged", "no_sheet", "tnef")],
                                                    "limit_mb": 10})]:
        samples.append(Mail(key=template, template=template, to=["x@corp.example"],
                            context={"name": "X", "meeting": minutes_flow._facts(ctx, fresh), **extra}))
    for mail in samples:
        for lang in ("zh-CN", "zh-TW", "en"):
            mail.lang = lang
            subject, text, html = app.renderer.texts(mail)
            assert subject and text.strip() and "</html>" in html, (mail.template, lang)
            if lang == "en":
                assert not re.search(r"[请審审核负责]", subject), (mail.template, subject)


# --- the due date in the owner's calendar ----------------------------------------------------------------
def test_the_due_entry_is_an_all_day_event_ical_js_can_read(world, tmp_path):
    app, svc, clock, m = world
    approved(world)
    require_ical_js()
    files = []
    for msg in mails(app, "task_assigned"):
        for part in msg.walk():
            if part.get_filename():
                path = tmp_path / part.get_filename()
                path.write_bytes(part.get_payload(decode=True))
                files.append(str(path))
    assert len(files) == 3
    done = run_ical_js(files)
    assert done.returncode == 0, done.stderr or done.stdout


# --- the CLI ------------------------------------------------------------------------------------------
def test_minutes_parse_shows_how_a_draft_will_be_read(tmp_path):
    people = tmp_path / "people.yaml"
    people.write_text(PEOPLE, encoding="utf-8")
    cfg = str(write_config(tmp_path, org={"people": "./people.yaml"}))
    run = CliRunner().invoke(main, ["--config", cfg, "minutes", "parse", str(FIX / "foxmail_gbk_new.eml"), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert data["decisions"] == ["上线时间暂定为12月1日"]
    assert data["action_items"][0] == {"title": "提交需求文档", "owner": "zhangwei@corp.example",
                                       "collaborators": [], "due": "2026-11-27", "deliverable": ""}
    draft = tmp_path / "draft.md"
    draft.write_text(PROBLEM_DRAFT, encoding="utf-8")
    run = CliRunner().invoke(main, ["--config", cfg, "minutes", "parse", str(draft), "--now", "2026-11-20T10:00"])
    assert run.exit_code == 0, run.output
    assert "ambiguous_person" in run.output and "vague_due" in run.output and "行动项 action items" in run.output
    kinds = {p["kind"] for p in json.loads(CliRunner().invoke(
        main, ["--config", cfg, "minutes", "parse", str(draft), "--now", "2026-11-20T10:00", "--json"]).output)["problems"]}
    assert kinds == {"ambiguous_person", "vague_due", "multiple_owners", "unknown_person", "no_owner", "no_due"}


def test_the_whole_flow_under_run_once_in_a_folder_made_by_init(tmp_path):
    from mailflow.app import App
    from mailflow.config import load_settings
    runner = CliRunner()
    site = tmp_path / "site"
    assert runner.invoke(main, ["init", str(site)]).exit_code == 0
    (site / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    cfg = str(site / "mailflow.toml")
    app = App(load_settings(cfg))
    m = app.store.save_meeting(meeting(), END - timedelta(days=3))
    app.close()

    def run_at(moment: str) -> None:
        result = runner.invoke(main, ["--config", cfg, "run", "--once", "--now", moment])
        assert result.exit_code == 0, result.output

    def sent(kind: str):
        out = []
        for f in sorted((site / "mail" / "sent").rglob("*")):
            if f.is_file():
                msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
                if msg["X-Mailflow"].split(";")[0] == kind:
                    out.append(msg)
        return out

    def deliver(raw: bytes) -> None:
        path = tmp_path / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(raw)
        result = runner.invoke(main, ["--config", cfg, "inject", str(path)])
        assert result.exit_code == 0, result.output

    run_at("2026-11-19T16:00")
    (req,) = sent("minutes_request")
    deliver(reply_to(req, "sunli@corp.example", CLEAN_DRAFT, date=DRAFT_DATE))
    run_at("2026-11-20T10:00")
    (review,) = sent("minutes_review")
    deliver(reply_to(review, "wanglei@corp.example", "确认"))
    run_at("2026-11-20T11:00")
    assert len(sent("minutes_final")) == 3 and len(sent("task_assigned")) == 3
    run_at("2026-11-24T18:00")
    show = runner.invoke(main, ["--config", cfg, "minutes", "show", str(m.id), "--json"])
    assert show.exit_code == 0, show.output
    data = json.loads(show.output)
    assert data["minutes_state"] == "final" and [v["status"] for v in data["versions"]] == ["final"]
    assert {c["status"] for c in data["confirmations"]} == {"confirmed", "accepted"}
    text = runner.invoke(main, ["--config", cfg, "minutes", "show", str(m.id)])
    assert "minutes: final" in text.output
