"""Mail that is no answer although no header says so (body-only out-of-office notices, plain-text
bounces), and calendar answers whose body is empty (the answer is in the calendar part or the subject)."""

from __future__ import annotations

import base64
import itertools

import pytest

from mailflow.read.autotext import bounce, out_of_office
from mailflow.read.inbound import parse
from mailflow.testing import make_mail

_ids = itertools.count()


def mail(body: str, subject: str = "Re: [MF-T9] 任务提醒", sender: str = "Li Lei <lilei@example.cn>") -> bytes:
    return make_mail(sender, body, subject=subject, message_id=f"<n{next(_ids)}@example.cn>",
                     date="Tue, 01 Dec 2026 10:00:00 +0800", cte="base64")


# --- out-of-office written into an ordinary reply ---------------------------------------------

@pytest.mark.parametrize("text", [
    "我在外地培训，12月8日返回，期间邮件可能无法及时回复。",
    "您好！本人正在休产假（至2027年1月15日），急事请联系部门助理 赵晴 021-6000 1234。",
    "目前出差中，回來後再處理您的郵件，謝謝。",
    "元旦假期（1月1日-1月3日）不在公司，邮件已收到，节后统一回复。",
    "I'm away on a business trip until 12/10 and will reply when I'm back. For anything urgent call +86 138 0000 0000.",
    "Hello, I am on annual leave with no access to email until Monday 7 December.",
    "我目前在国外参加展会，时差原因回复会慢一些，敬请谅解。",      # attending something else
    "休假中，12/7 回。",
    "Thanks for your note. I'm on PTO until Dec 8 and checking email only now and then.",
    "本人12月3日至5日在深圳参加展会，邮件回复会有延迟。",             # away at an event
    "I'm attending a trade show until Thursday and will reply when I'm back.",
])
def test_a_body_that_only_reports_absence_is_automatic(text):
    assert out_of_office(text)
    m = parse(mail(text))
    assert (m.auto, m.auto_reason) == (True, "out-of-office text")


@pytest.mark.parametrize("text", [
    "抱歉晚回复，前几天请假了。报告已经提交，请查收。",     # done, mentions leave
    "休假回来了，目前进度 40%",                             # progress after leave
    "我下周休假，能否把截止改到12/15？",                     # a delay request
    "那天我在外地出差，去不了",                              # a decline for that day
    "我休假中，由王强代为参会",                              # a proxy
    "Back from leave today — the draft is done, see attached.",
    "I was on leave last week, sorry.",                     # an apology, no notice
    "收到，我在休假，回来后处理",                            # "收到" is the person's own word
    "您的来信已收到，我会尽快处理。",                        # no absence: a person's acknowledgement
    "我出差，参加不了",                                     # absent, and an answer to the notice
    "端午假期前要定稿",                                     # a holiday that names a deadline
    "放假前给你",
    "关于渠道培训，下周三再说",                              # a task about training is no absence
    "休假3天",                                             # a reason, with nothing about mail
    "我在客户现场，方案明天给你",                            # away, and a promise
    "I'm travelling and can't attend.",
])
def test_a_reply_that_mentions_leave_but_says_something_else_is_an_answer(text):
    assert not out_of_office(text)
    assert not parse(mail(text)).auto


def test_an_out_of_office_notice_under_a_signature_is_still_automatic():
    body = "我已休假至12月9日，期间不便查看邮件。\n\n李雷\n研发中心 | 测试工程师\n手机：138 0000 2222\n"
    m = parse(mail(body))
    assert m.auto and m.visible == "我已休假至12月9日，期间不便查看邮件。"


# --- plain-text bounces (no multipart/report) -------------------------------------------------

POSTFIX = ("This is the mail system at host mx.example.cn.\n\nI'm sorry to have to inform you that your message "
           "could not\nbe delivered to one or more recipients.\n\n<wang@example.cn>: host mail.example.cn said: "
           "550 5.1.1 User unknown\n")
EXIM = ("This message was created automatically by mail delivery software.\n\nA message that you sent could not "
        "be delivered to one or more of its\nrecipients. This is a permanent error.\n\n  zhao@example.cn\n"
        "    SMTP error from remote mail server after RCPT TO:<zhao@example.cn>:\n    550 No such user\n")
SENDMAIL = ("The original message was received at Tue, 1 Dec 2026 10:00:00 +0800\n\n"
            "   ----- The following addresses had permanent fatal errors -----\n<qian@example.cn>\n"
            "    (reason: 550 5.1.1 <qian@example.cn>... User unknown)\n")
EXCHANGE_ZH = ("无法将邮件传递到以下收件人或组：\n\nsun@corp.example\n找不到该电子邮件地址。\n\n"
               "适用于电子邮件管理员的诊断信息：\n生成服务器: HK2PR01MB0001.apcprd01.prod.outlook.com\n"
               "远程服务器返回“550 5.1.10 RESOLVER.ADR.RecipientNotFound”\n")
COREMAIL_ZH = ("您发送的邮件无法送达以下收件人：\nzhou@example.cn\n\n退信原因：收件人邮箱不存在（550 User not found）\n"
               "此为系统邮件，请勿直接回复。\n")


@pytest.mark.parametrize("text", [POSTFIX, EXIM, SENDMAIL, EXCHANGE_ZH, COREMAIL_ZH])
def test_plain_text_delivery_failures_are_recognised_by_their_text(text):
    assert bounce(text)
    # even from an address and with a subject that say nothing
    m = parse(mail(text, subject="通知", sender="系统管理员 <admin@example.cn>"))
    assert (m.auto, m.auto_reason) == (True, "bounce")


@pytest.mark.parametrize("sender, subject", [
    ("Mail Delivery System <MAILER-DAEMON@mx.example.cn>", "Undelivered Mail Returned to Sender"),
    ("Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.example>", "[MF-T9] 任务提醒"),
    ("QQ邮箱 <10000@qq.com>", "[MF-T9] 任务提醒"),
    ("postmaster@example.cn", "通知"),
    ("admin <admin@example.cn>", "无法送达: [MF-T9] 任务提醒"),
    ("admin <admin@example.cn>", "Mail delivery failed: returning message to sender"),
    ("admin <admin@example.cn>", "Undeliverable: [MF-T9] 任务提醒"),
])
def test_bounce_senders_and_subjects(sender, subject):
    m = parse(mail("见下文。", subject=subject, sender=sender))
    assert (m.auto, m.auto_reason) == (True, "bounce")


@pytest.mark.parametrize("text", [
    "上次的邮件被退回了，我重新发一次：已完成，见附件",
    "你发的邮件退信了，提示 550 错误，能再发一次吗？",      # a person quoting a code: no failed address
    "Undeliverable? No — it arrived, and the report is done.",
])
def test_a_person_talking_about_a_bounce_is_not_a_bounce(text):
    assert not bounce(text)
    assert not parse(mail(text)).auto


# --- calendar answers with an empty body --------------------------------------------------------

def ics(partstat: str, attendee: str = "lilei@example.cn", extra: str = "") -> str:
    return ("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:test\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
            f"ATTENDEE;PARTSTAT={partstat}{extra}:mailto:{attendee}\r\nUID:mf-m12@corp.example\r\n"
            "SEQUENCE:0\r\nDTSTAMP:20261201T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def multipart(parts: list[tuple[str, str, str]], subject: str, kind: str = "alternative") -> bytes:
    """parts: (content-type line, extra headers, body)."""
    out = [f"From: Li Lei <lilei@example.cn>\nTo: mailflow@corp.example\nSubject: {subject}\n"
           f"Message-ID: <cal{next(_ids)}@example.cn>\nMIME-Version: 1.0\n"
           f"Content-Type: multipart/{kind}; boundary=\"b\"\n\n"]
    for ctype, headers, body in parts:
        out.append(f"--b\nContent-Type: {ctype}\n{headers}Content-Transfer-Encoding: base64\n\n"
                   + base64.encodebytes(body.encode()).decode())
    out.append("--b--\n")
    return "".join(out).encode()


def test_outlook_accept_with_nothing_written():
    raw = multipart([("text/plain; charset=utf-8", "", ""),
                     ("text/calendar; charset=utf-8; method=REPLY", "", ics("ACCEPTED"))],
                    "=?utf-8?B?5bey5o6l5Y+XOiBbTUYtTTEyXSDkvJrorq7pgJrnn6U=?=")     # 已接受: [MF-M12] 会议通知
    m = parse(raw)
    assert (m.visible, m.calendar_reply, m.auto) == ("", "accepted", False)


def test_gmail_decline_carries_the_ics_as_an_attachment_too():
    raw = multipart([("text/plain; charset=utf-8", "", ""),
                     ("text/calendar; charset=utf-8; method=REPLY", "", ics("DECLINED")),
                     ("application/ics; name=invite.ics", "Content-Disposition: attachment; filename=invite.ics\n",
                      ics("DECLINED"))], "Declined: [MF-M12] Meeting notice", kind="mixed")
    assert parse(raw).calendar_reply == "declined"


def test_apple_calendar_reply_is_only_a_calendar():
    raw = make_mail("Li Lei <lilei@example.cn>", None, subject="[MF-M12] Meeting", message_id="<apple1@example.cn>",
                    date=None, calendar=ics("TENTATIVE"), method="REPLY")
    m = parse(raw)
    assert (m.visible, m.calendar_reply) == ("", "tentative")


def test_thunderbird_delegation_names_the_answer_delegated():
    raw = multipart([("text/plain; charset=utf-8", "", ""),
                     ("text/calendar; charset=utf-8; method=REPLY", "",
                      ics("DELEGATED", extra=";DELEGATED-TO=\"mailto:hanmei@example.cn\""))],
                    "Delegated: [MF-M12] Meeting", kind="mixed")
    assert parse(raw).calendar_reply == "delegated"


def test_the_senders_own_line_decides_among_several_attendees():
    cal = ics("DECLINED", attendee="other@example.cn").replace(
        "END:VEVENT", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:lilei@example.cn\r\nEND:VEVENT")
    raw = multipart([("text/calendar; charset=utf-8; method=REPLY", "", cal)], "Accepted: x")
    assert parse(raw).calendar_reply == "accepted"


@pytest.mark.parametrize("subject, answer", [
    ("已接受: [MF-M12] 会议通知", "accepted"),
    ("Accepted: [MF-M12] Meeting notice", "accepted"),
    ("暂定: [MF-M12] 会议通知", "tentative"),
    ("暫訂: [MF-M12] 會議通知", "tentative"),
    ("Tentatively Accepted: [MF-M12] Meeting", "tentative"),
    ("已拒绝: [MF-M12] 会议通知", "declined"),
    ("Declined: [MF-M12] Meeting notice", "declined"),
    ("已接受邀请：[MF-M12] 会议通知", "accepted"),                  # Gmail in Chinese
    ("Re: [MF-M12] 会议通知", None),
    ("回复: 已接受: [MF-M12] 会议通知", None),                       # a reply to somebody's acceptance
])
def test_without_a_calendar_part_the_subject_prefix_gives_the_answer(subject, answer):
    m = parse(mail("", subject=subject.replace(":", ":")))
    assert m.calendar_reply == answer


def test_the_calendar_clients_own_notification_is_not_the_persons_text():
    note = "Li Lei has accepted this invitation.\n\n[MF-M12] Meeting\nWhen: Wed Dec 9, 2026 10:00 – 11:00\n"
    raw = multipart([("text/plain; charset=utf-8", "", note),
                     ("text/calendar; charset=utf-8; method=REPLY", "", ics("ACCEPTED"))], "Accepted: [MF-M12] Meeting")
    m = parse(raw)
    assert (m.visible, m.calendar_reply) == ("", "accepted")
    assert "calendar client's notification text" in m.cut


def test_words_the_person_wrote_with_a_calendar_answer_stay():
    raw = multipart([("text/plain; charset=utf-8", "", "可能会晚到十分钟。"),
                     ("text/calendar; charset=utf-8; method=REPLY", "", ics("TENTATIVE"))], "暂定: [MF-M12] 会议通知")
    m = parse(raw)
    assert (m.visible, m.calendar_reply) == ("可能会晚到十分钟。", "tentative")
