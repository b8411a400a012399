"""Reading a mail: what mailflow sees in the replies people send from their own clients."""

from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mailflow.read.inbound import Inbound, parse
from mailflow.read.mail_headers import decode_bytes, decode_header

MAIL = Path(__file__).parent / "fixtures" / "mail"
OWN = ["mailflow@corp.example"]


def read(name: str) -> Inbound:
    return parse((MAIL / name).read_bytes(), own_addresses=OWN)


# --- one-word answers above the client's quoted original ------------------------------------

@pytest.mark.parametrize("name, visible", [
    ("qq_reply_gb18030.eml", "确认"),                                   # QQ邮箱
    ("netease163_reply.eml", "进行中 60%"),                             # 网易 163 webmail
    ("netease_master_reply.eml", "好的，收到"),                         # 网易邮箱大师
    ("outlook_zhcn_reply.eml", "确认，但需要延期到12月5日，原因：测试环境还没准备好。"),
    ("outlook_zhtw_big5.eml", "已完成，報告已上傳到共用資料夾。"),      # Outlook zh-TW, Big5
    ("outlook_web_en_html_only.eml", "Done – the API is deployed to staging."),
    ("gmail_zh_reply.eml", "已完成"),
    ("gmail_en_wrapped.eml", "Confirmed, I will join."),
    ("apple_mail_iphone_zh.eml", "好的"),                               # "发自我的iPhone" gone
    ("thunderbird_zh_flowed.eml", "收到，周五前提交。"),                 # format=flowed joined
    ("lark_html_only.eml", "已完成"),                                   # 飞书, HTML only
    ("dingtalk_reply.eml", "进行中，完成一半，下周三前可以提测。"),       # 钉钉/阿里邮箱
    ("no_label_gbk.eml", "已完成初稿，待设计部对接，预计下周三前全部完成。"),
    ("wrong_label_utf8_as_gb2312.eml", "已完成，接口文档已更新。"),
])
def test_the_new_text_is_what_the_person_wrote_above_the_quote(name, visible):
    mail = read(name)
    assert mail.visible == visible
    assert not mail.auto


def test_foxmail_reply_keeps_the_answer_and_drops_the_quoted_request():
    mail = read("foxmail_gbk_raw_headers.eml")
    assert mail.visible.splitlines()[0] == "已完成"
    assert "请各位负责人" not in mail.visible


def test_old_foxmail_raw_gbk_bytes_in_headers_are_read_as_chinese():
    mail = read("foxmail_gbk_raw_headers.eml")
    assert mail.sender_name == "李四"
    assert mail.sender == "lisi@corp.example"          # lower-cased
    assert mail.subject == "回复: [MF-T42] 任务确认：接口开发"


def test_qq_reply_headers():
    mail = read("qq_reply_gb18030.eml")
    assert mail.message_id == "<tencent_3B2F1A@qq.com>"
    assert mail.in_reply_to == "<mf-t42-notice@corp.example>"
    assert mail.references == ["<mf-m7-notice@corp.example>", "<mf-t42-notice@corp.example>"]
    assert mail.sender_name == "王五"
    assert mail.to == ["mailflow@corp.example"]
    assert mail.date == datetime(2026, 11, 18, 15, 20, 31, tzinfo=timezone(timedelta(hours=8)))
    assert mail.html is not None and "includetail" in mail.html
    assert "原始邮件" in mail.text  # the full text keeps the quote


def test_qq_html_alone_gives_the_same_answer():
    from mailflow.read.quotes import visible_html
    assert visible_html(read("qq_reply_gb18030.eml").html) == "确认"


def test_outlook_zh_cn_gb2312_header_and_body():
    mail = read("outlook_zhcn_reply.eml")
    assert mail.sender_name == "孙七"
    assert mail.cc == ["zhouba@corp.example"]
    assert mail.subject == "回复: [MF-T42] 任务确认：接口开发"
    assert mail.authentication_results[0].startswith("mx.corp.example; dkim=pass")
    assert mail.defects == []


def test_big5_with_a_hong_kong_character_falls_back_to_hkscs():
    mail = read("outlook_zhtw_big5.eml")
    assert "陳嘉𥚃" in mail.text
    assert mail.subject == "回覆: [MF-T43] 任務確認：報告撰寫"


def test_html_only_mail_has_text_derived_from_the_html():
    mail = read("outlook_web_en_html_only.eml")
    assert mail.html and "<div" in mail.html
    assert "Please reply with your progress" in mail.text      # the whole text
    assert "Please reply" not in mail.visible                    # not the new text


def test_meeting_accept_carries_its_calendar_and_attachments():
    mail = read("outlook_meeting_accept.eml")
    assert len(mail.calendars) == 2
    assert all(c.startswith(b"BEGIN:VCALENDAR") and b"PARTSTAT=ACCEPTED" in c for c in mail.calendars)
    assert mail.attachments == [("会议材料.pdf", "application/pdf", 52)]
    assert mail.visible == "我会准时参加。"


# --- not answers ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, reason", [
    ("auto_reply_qq.eml", "subject"),                      # 自动回复: …
    ("auto_reply_outlook_en.eml", "auto-submitted"),       # Exchange OOF
    ("auto_reply_suppress_only.eml", "x-auto-response-suppress"),
    ("bounce_postfix.eml", "bounce"),
    ("bounce_zh_subject.eml", "bounce"),                   # 系统退信
    ("own_mail.eml", "own"),
])
def test_auto_replies_bounces_and_our_own_mail_are_not_answers(name, reason):
    mail = read(name)
    assert mail.auto
    assert mail.auto_reason == reason


def test_x_auto_response_suppress_alone_does_not_make_a_real_reply_automatic():
    # Outlook stamps it on ordinary replies too (outlook_zhcn_reply.eml carries it)
    mail = read("outlook_zhcn_reply.eml")
    assert not mail.auto


def _mail(headers: str, body: str = "确认\n", charset: str = "utf-8") -> bytes:
    return (headers.strip() + f"\nContent-Type: text/plain; charset={charset}\n\n").encode() + body.encode(charset)


@pytest.mark.parametrize("header, reason", [
    ("Auto-Submitted: auto-replied", "auto-submitted"),
    ("Auto-Submitted: auto-generated; owner-email=a@b", "auto-submitted"),
    ("X-Autoreply: yes", "x-autoreply"),
    ("X-Autorespond: Vacation", "x-autoreply"),
    ("Precedence: bulk", "precedence"),
    ("Precedence: junk", "precedence"),
    ("Precedence: auto_reply", "precedence"),
    ("Subject: 自動回覆: [MF-T42]", "subject"),
    ("Subject: Automatic reply: [MF-T42]", "subject"),
    ("Subject: Out of Office: [MF-T42]", "subject"),
    ("Subject: 【休假中】[MF-T42]", "subject"),
    ("Subject: =?utf-8?B?6Ieq5Yqo5Zue5aSN?=", "subject"),      # 自动回复, encoded
    ("Subject: 退信：邮件投递失败", "bounce"),
    ("Subject: Undeliverable: [MF-T42]", "bounce"),
    ("From: postmaster@exmail.qq.com", "bounce"),
    ("Return-Path: <>", "null-sender"),
    ("X-Mailflow: 1", "own"),
])
def test_each_not_an_answer_signal(header, reason):
    headers = "Message-ID: <x@y>\n" + header + ("\nFrom: a@corp.example" if not header.startswith("From") else "")
    mail = parse(_mail(headers))
    assert (mail.auto, mail.auto_reason) == (True, reason)


@pytest.mark.parametrize("header", ["Auto-Submitted: no", "Precedence: normal", "Subject: Re: 关于自动回复的设置",
                                    "X-Auto-Response-Suppress: All"])
def test_ordinary_replies_stay_answers(header):
    mail = parse(_mail("From: a@corp.example\n" + header))
    assert not mail.auto, mail.auto_reason


def test_own_address_is_recognised_case_insensitively():
    mail = parse(_mail("From: MailFlow <MAILFLOW@Corp.Example>"), own_addresses=["mailflow@corp.example"])
    assert mail.auto_reason == "own"


# --- charsets and headers ---------------------------------------------------------------------

@pytest.mark.parametrize("label", ["gb2312", "GBK", "gb_2312-80", "x-gbk", "cp936"])
def test_gb_labels_are_decoded_as_gb18030(label):
    text = "进行中 60%，镕𠮷 还需要两天"  # 镕 and 𠮷 are outside GB2312
    assert decode_bytes(text.encode("gb18030"), label) == text


def test_unknown_label_is_detected():
    d: list[str] = []
    assert decode_bytes("已完成，请验收。".encode("gb18030"), "x-no-such-charset", d) == "已完成，请验收。"
    assert d


def test_rfc2047_word_split_in_the_middle_of_a_character():
    raw = "进度更新".encode("gb18030")
    a, b = base64.b64encode(raw[:3]).decode(), base64.b64encode(raw[3:]).decode()
    assert decode_header(f"=?gbk?B?{a}?= =?gbk?B?{b}?=") == "进度更新"


def test_broken_encoded_words_do_not_raise():
    for value in ["=?utf-8?B?5Y2a?", "=?nope?Q?=E4=B8?=", "=?utf-8?B?@@@@?=", "=?gb2312?Q?=C8=B7=C8?= tail",
                  "=?utf-8?B?" + "A" * 5000 + "?="]:
        assert isinstance(decode_header(value), str)


def test_subject_is_one_line():
    mail = parse(_mail("From: a@b\nSubject: =?utf-8?Q?=E7=A1=AE=E8=AE=A4=0D=0ABcc:_x@y?=\n  second\tline"))
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.subject.startswith("确认")


def test_missing_message_id_gets_a_stable_synthetic_one():
    raw = _mail("From: a@corp.example\nSubject: x")
    one, two = parse(raw), parse(raw)
    assert one.message_id == two.message_id
    assert one.message_id.startswith("<") and one.message_id.endswith("@mailflow.invalid>")


def test_date_without_zone_is_aware():
    mail = parse(_mail("From: a@b\nDate: Wed, 18 Nov 2026 15:02:11 -0000"))
    assert mail.date is not None and mail.date.tzinfo is not None


# --- bad input: never raises ------------------------------------------------------------------

BAD = [
    b"", b"\x00", b"\xff" * 100, b"From: \r\n\r\n", b"Subject: " + b"x" * 5000 + b"\n\nbody",
    b"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain; charset=\"\n\nx\n--b",
    b"Content-Type: multipart/mixed\n\nno boundary", b"Content-Type: text/plain; charset=utf-7\n\n+ZeVnLA-",
    b"Content-Transfer-Encoding: base64\n\n!!!not base64!!!",
    b"Content-Type: text/html\n\n<div><blockquote>" * 3 + b"<" * 1000,
    b"From: =?utf-8?B?" + b"\xe4" * 100 + b"?=\nTo: ,,,<<>>@@\nDate: yesterday\nMessage-ID: <<>>\n\nx",
    b"Content-Type: message/rfc822\n\nnot a message",
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\n--x--",
]


def parse_cleanly(raw: bytes) -> Inbound:
    """parse() itself never raises: a crash inside is caught at its boundary and recorded as a
    "parser error" defect. So "never raises" is only shown when no such defect was recorded."""
    mail = parse(raw)
    assert isinstance(mail, Inbound)
    assert not [d for d in mail.defects if d.startswith("parser error")], mail.defects
    return mail


@pytest.mark.parametrize("raw", BAD)
def test_bad_input_never_raises(raw):
    mail = parse_cleanly(raw)
    assert mail.message_id


def test_deeply_nested_multiparts_do_not_raise():
    raw = b""
    for i in range(300):
        raw += b"Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n" % (i, i)
    raw += b"Content-Type: text/plain\n\nhi\n"
    mail = parse_cleanly(raw)
    assert "MIME nesting too deep; inner parts ignored" in mail.defects


def test_deeply_nested_html_does_not_raise():
    html = "<div>" * 5000 + "确认" + "</div>" * 5000
    raw = b"Content-Type: text/html; charset=utf-8\n\n" + html.encode()
    assert parse(raw).visible == "确认"


def test_random_bytes_and_mutated_fixtures_never_raise():
    rng = random.Random(20261118)
    seeds = [p.read_bytes() for p in sorted(MAIL.glob("*.eml"))]
    for _ in range(300):
        base = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 20)):
            op = rng.random()
            pos = rng.randrange(len(base) or 1)
            if op < 0.4:
                base[pos:pos + 1] = bytes([rng.randrange(256)])
            elif op < 0.7:
                del base[pos:pos + rng.randint(1, 200)]
            else:
                base[pos:pos] = rng.choice([b"\r\n", b"=?", b"?=", b"--", b"\x00", b"<blockquote>", b"\n\n",
                                            b"charset=big5", b"Content-Type: multipart/mixed; boundary=z\n"])
        parse_cleanly(bytes(base))
