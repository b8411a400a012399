"""The direct writer of mails with a calendar part or attachments (render._write_mixed) gives the
bytes EmailMessage gives (render._build_mixed), boundaries aside: an invite, a due entry riding on
a receipt, several attachments, an empty one, long subjects and references in Chinese."""

import re

import pytest

from mailflow.write import render
from mailflow.model import Attachment, Mail

INVITE = (b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:\xe9\xa1\xb9\xe7\x9b\xae\xe4\xbe\x8b\xe4\xbc\x9a\r\n"
          b"END:VEVENT\r\nEND:VCALENDAR\r\n") * 20
DUE = b"BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"
HEADS = [("From", '"会议跟进助手" <mailflow@corp.example>'), ("To", "zhangwei@corp.example, lina@corp.example"),
         ("Subject", "[MF-T7] 已记录：客户回访报告（1-7） → 已完成，已请主持人王磊验收，谢谢各位的配合"),
         ("Date", "Fri, 20 Nov 2026 09:03:00 +0800"), ("Message-ID", "<mf.168958e15d25@corp.example>"),
         ("In-Reply-To", "<bench-6-649522587953@mail.qq.example>"),
         ("References", "<mf.assigned.t7@corp.example> <bench-6-649522587953@mail.qq.example>"),
         ("Auto-Submitted", "auto-generated"), ("X-Mailflow", "task_receipt; task_receipt:<bench-6@x>")]


def boundaries_out(raw: bytes) -> str:
    text = raw.decode("ascii")
    for i, b in enumerate(dict.fromkeys(re.findall(r'boundary="([^"]+)"', text))):
        text = text.replace(b, f"B{i}")
    return text


@pytest.mark.parametrize("calendar, attachments", [
    (INVITE, []),
    (None, [Attachment("due-T7.ics", "text/calendar", DUE)]),
    (INVITE, [Attachment("due-T7.ics", "text/calendar", DUE), Attachment("notes.txt", "text/plain", b"hi\n"),
              Attachment("empty.bin", "application/octet-stream", b""), Attachment("x", "application", b"\0" * 200)]),
])
def test_the_direct_writer_gives_what_email_message_gives(calendar, attachments):
    mail = Mail(key="k", template="task_receipt", to=["zhangwei@corp.example"], calendar=calendar,
                attachments=attachments)
    text, html = "张伟，您好：\n\n已记录：客户回访报告 → 已完成\n" * 5, "<p>张伟，您好：</p>\n" * 30
    assert boundaries_out(render._write_mixed(HEADS, text, html, mail)) == \
        boundaries_out(render._build_mixed(HEADS, text, html, mail))


def test_a_filename_in_chinese_still_goes_through_email_message():
    assert not render._SIMPLE_FILENAME.fullmatch("会议纪要.docx")
    assert not render._SIMPLE_FILENAME.fullmatch('a"b.ics')
    assert render._SIMPLE_FILENAME.fullmatch("due-T7.ics")
