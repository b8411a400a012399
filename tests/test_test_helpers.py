"""The tests' own helpers (mailflow/testing.py): the one mail builder and the one config writer make
what they say, so a test that uses them means what it reads."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from zoneinfo import ZoneInfo

from mailflow.config import load_settings
from mailflow.read.inbound import parse
from mailflow.testing import make_mail, write_config


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_a_reply_in_a_thread_carries_its_headers_and_words():
    raw = make_mail("张伟 <zhangwei@corp.example>", "已完成，报告见附件\n谢谢", subject="回复：[MF-T1] 任务：接口开发",
                    message_id="<r1@client.example>", in_reply_to="<mf.1@corp.example>",
                    cc=["王芳 <wangfang@corp.example>", "lina@corp.example"])
    got = parse(raw)
    assert (got.sender, got.sender_name, got.subject) == ("zhangwei@corp.example", "张伟", "回复：[MF-T1] 任务：接口开发")
    assert got.to == ["mailflow@corp.example"] and got.cc == ["wangfang@corp.example", "lina@corp.example"]
    assert (got.message_id, got.in_reply_to, got.references) == (
        "<r1@client.example>", "<mf.1@corp.example>", ["<mf.1@corp.example>"])
    assert got.date == datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert got.text.startswith("已完成，报告见附件")
    # the words arrive as written, with the CRLF line ends of a mail on the wire
    assert raw.endswith("\r\n\r\n已完成，报告见附件\r\n谢谢".encode())


def test_every_mail_has_its_own_message_id_unless_given_one():
    assert parsed(make_mail("a@corp.example"))["Message-ID"] != parsed(make_mail("a@corp.example"))["Message-ID"]


def test_a_mail_dated_by_a_datetime():
    when = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert parsed(make_mail("a@corp.example", date=when))["Date"].datetime == when


def test_text_and_html_are_alternatives_and_attachments_follow():
    raw = make_mail("a@corp.example", "见附件", html="<p>见<b>附件</b></p>",
                    attachments=[("纪要.docx", b"PK\x03\x04"), ("data.bin", b"\x00\x01", "application/x-thing")])
    msg = parsed(raw)
    assert msg.get_content_type() == "multipart/mixed"
    assert msg.get_body(("plain",)).get_content() == "见附件"
    assert msg.get_body(("html",)).get_content() == "<p>见<b>附件</b></p>"
    files = {a.get_filename(): (a.get_content_type(), a.get_content()) for a in msg.iter_attachments()}
    assert files == {"纪要.docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                   b"PK\x03\x04"),
                     "data.bin": ("application/x-thing", b"\x00\x01")}


def test_encoded_headers_as_outlook_writes_them():
    raw = make_mail("张伟 <zhangwei@corp.example>", "见附件", subject="会议纪要", utf8=False,
                    attachments=[("纪要.docx", b"PK\x03\x04")])
    assert raw.isascii() is False and raw.split(b"\r\n\r\n", 1)[0].isascii()   # only the body is 8-bit
    got = parse(raw)
    assert (got.sender_name, got.subject) == ("张伟", "会议纪要")
    assert [name for name, _type, _size in got.attachments] == ["纪要.docx"]


def test_a_calendar_answer_alone_or_beside_the_text():
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"
    alone = parsed(make_mail("a@corp.example", None, calendar=ics, method="REPLY"))
    assert alone.get_content_type() == "text/calendar" and alone.get_param("method") == "REPLY"
    beside = parsed(make_mail("a@corp.example", "请见日历邀请。", calendar=ics.encode()))
    assert [p.get_content_type() for p in beside.iter_parts()] == ["text/plain", "text/calendar"]
    assert beside.get_payload(1).get_param("method") == "REQUEST"
    assert beside.get_payload(1).get_content().replace("\r\n", "\n") == ics.replace("\r\n", "\n")


def test_an_html_only_mail():
    msg = parsed(make_mail("a@corp.example", None, html="<div>确认</div>"))
    assert msg.get_content_type() == "text/html" and msg.get_content() == "<div>确认</div>"


def test_a_charset_label_and_the_codec_written_with_it():
    raw = make_mail("a@corp.example", "进度 60%，镕", charset="gb2312", encoding="gb18030", cte="8bit")
    assert 'charset="gb2312"' in raw.decode("ascii", "replace")
    assert raw.endswith("进度 60%，镕".encode("gb18030"))


def test_base64_carried_text_and_extra_headers_in_order():
    raw = make_mail("a@corp.example", "我在外地培训", cte="base64",
                    headers={"Auto-Submitted": "auto-replied", "X-Mailer": "Foxmail 7.2"})
    msg = parsed(raw)
    assert msg["Content-Transfer-Encoding"] == "base64" and msg.get_content() == "我在外地培训"
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.index(b"Date:") < head.index(b"Auto-Submitted:") < head.index(b"X-Mailer:")


def test_the_config_writer_writes_what_settings_load(tmp_path):
    path = write_config(tmp_path, mailbox={"url": "maildir:./mail/inbox", "poll_interval": 5},
                        org={"address": "mailflow@corp.example", "name": "会议跟进助手", "plus_addressing": False},
                        schedule={"tick_seconds": 3600})
    assert path == tmp_path / "mailflow.toml"
    s = load_settings(str(path), env={})
    assert (s.mailbox.poll_interval, s.org.name, s.org.plus_addressing, s.schedule.tick_seconds) == (
        5, "会议跟进助手", False, 3600)
