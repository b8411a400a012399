"""What kind of mail this is besides a person's answer: auto-replies, bounces, read receipts, our
own mail, and the answer of a calendar reply. Pure. Split out of inbound, which calls `reason` and
`calendar_reply` once the body and headers are read.

Not an answer (`auto=True`, `auto_reason`), first match wins:
  "own"            From is one of own_addresses, or the mail carries X-Mailflow (our stamp)
  "bounce"         multipart/report with report-type=delivery-status, a message/delivery-status
                   part, a MAILER-DAEMON/postmaster sender, Exchange's MicrosoftExchange<hex>
                   mailbox or QQ邮箱's 10000@qq.com, a bounce subject (退信, 系统退信, 无法送达,
                   邮件投递失败, Undeliverable, Delivery Status Notification …), or a plain-text
                   delivery failure notice (autotext.bounce: "could not be delivered" + a reason)
  "receipt"        multipart/report with report-type=disposition-notification (read receipts)
  "auto-submitted" RFC 3834 Auto-Submitted with any value but "no"
  "x-autoreply"    X-Autoreply / X-Autorespond / X-Autoresponder (any value but "no")
  "precedence"     Precedence: bulk, junk, list or auto_reply
  "subject"        subject starts with 自动回复 / 自動回覆 / Automatic reply / Auto reply /
                   Out of Office / 休假中 / 外出 … (after an optional [ or 【)
  "null-sender"    Return-Path: <> (RFC 3834 asks auto-responders to send with an empty sender)
  "x-auto-response-suppress"  X-Auto-Response-Suppress is a weak hint: Outlook and Exchange
                   also put it on ordinary mail (meeting responses, mail from some add-ins), so
                   it counts only together with an out-of-office phrase at the start of the new
                   text ("我目前不在办公室", "I am out of the office", "休假中" …).
  "out-of-office text"  no header at all, but the new text is nothing but an out-of-office
                   notice (autotext.out_of_office: "我已休假至12月5日，回来后处理" is, "抱歉，上周
                   休假。方案已完成" is not)

A calendar answer is exposed as `calendar_reply` (accepted/declined/tentative/delegated): from the
iMIP REPLY's PARTSTAT, else from the subject prefix Outlook & co. write ("已接受:", "Declined:").
"""

from __future__ import annotations

import re
from typing import Iterable

from . import autotext
from .mail_headers import Headers, clean_line

__all__ = ["reason", "calendar_reply", "is_calendar_notice"]

_AUTO_SUBJECT_RE = re.compile(
    r"^[\[【(（\s]*(?:自动回复|自動回覆|自动答复|自動答覆|自動回复|自动回覆|自动应答|自動應答|休假中|外出中|外出|不在办公室|不在辦公室|"
    r"automatic reply|auto[- ]?reply|auto[- ]?response|autoreply|auto[- ]?antwort|out of (?:the )?office|ooo\b|"
    r"abwesenheitsnotiz|réponse automatique|respuesta automática|risposta automatica)",
    re.IGNORECASE)
_BOUNCE_SUBJECT_RE = re.compile(
    r"^[\[【(（\s]*(?:系统退信|系統退信|退信|退回的邮件|邮件投递失败|郵件投遞失敗|投递失败|投遞失敗|邮件发送失败|郵件發送失敗|"
    r"发送失败|无法投递|無法投遞|未送达|未送達|无法传递|無法傳遞|邮件退回|无法送达|無法送達|未能送达|未能送達|"
    r"送达失败|送達失敗|延迟投递|延遲投遞|"
    r"undeliverable|undelivered mail|delivery status notification|delivery failure|nondeliverable|"
    r"mail delivery failed|mail delivery subsystem|returned mail|failure notice|delivery has failed|"
    r"message not delivered|non[- ]?delivery|delivery delayed|delayed mail|mail system error)",
    re.IGNORECASE)
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "maildelivery", "mailerdaemon", "mailer_daemon",
                   "mail-delivery-system", "mail.delivery.system")
# senders that only ever send delivery reports: Exchange's NDR mailbox, QQ邮箱's system account
_BOUNCE_ADDRESS_RE = re.compile(r"^(?:microsoftexchange[0-9a-f]{32}@.*|10000@qq\.com)$")
# the subject a client puts on a calendar answer sent without (or before) an iMIP part
_CALENDAR_SUBJECT_RE = re.compile(
    r"^\s*(?:(?P<accepted>已接受(?:邀请|邀請)?|接受(?:邀请|邀請)?|accepted|accept)|"
    r"(?P<tentative>暂定(?:接受)?|暫定(?:接受)?|暫訂|暂订|已暂定|暂时接受|暫時接受|tentative(?:ly accepted)?|maybe)|"
    r"(?P<declined>已拒绝(?:邀请)?|已拒絕(?:邀請)?|拒绝(?:邀请)?|拒絕(?:邀請)?|已谢绝|已謝絕|谢绝|謝絕|declined|decline)|"
    r"(?P<delegated>已委派|已委托|已委託|委派|delegated))\s*[:：]", re.IGNORECASE)
_OOF_TEXT_RE = re.compile(
    r"^\s*(?:您好[,，!！]?\s*)?(?:我(?:目前|现在|正在|將|将)?(?:不在办公室|不在辦公室|休假|出差|外出)|休假中|"
    r"(?:i am|i'm|i will be) (?:currently )?(?:out of (?:the )?office|on (?:annual )?leave|away|on vacation)|"
    r"this is an automatic|这是一封自动回复|這是一封自動回覆|本邮件为自动回复|此为自动回复)",
    re.IGNORECASE)


def reason(hdrs: Headers, sender: str, subject: str, own_addresses: Iterable[str], bounce: bool, receipt: bool,
           text: str, visible: str) -> str | None:
    """Why a mail is not a person's answer (see the module's list, first match wins); None when it is."""
    own = {a.strip().lower() for a in own_addresses if a}
    local = sender.split("@", 1)[0] if sender else ""
    auto_submitted = hdrs.get("auto-submitted")
    auto_submitted = clean_line(auto_submitted) if auto_submitted is not None else None
    precedence = hdrs.get("precedence")
    precedence = clean_line(precedence).lower() if precedence else None
    xs = hdrs.get("x-auto-response-suppress")
    if (sender and sender in own) or hdrs.get("x-mailflow") is not None:
        return "own"
    if bounce or local in _BOUNCE_SENDERS or _BOUNCE_ADDRESS_RE.match(sender) \
            or _BOUNCE_SUBJECT_RE.match(subject) or autotext.bounce(text):
        return "bounce"
    if receipt:
        return "receipt"
    if auto_submitted and auto_submitted.split(";", 1)[0].strip().lower() not in ("no", ""):
        return "auto-submitted"
    if any(_flag(hdrs.get(h)) for h in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-autogenerated")):
        return "x-autoreply"
    if precedence in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
        return "precedence"
    if _AUTO_SUBJECT_RE.match(subject):
        return "subject"
    if (hdrs.get("return-path") or "x").strip() in ("<>", ""):
        return "null-sender"
    if xs is not None and _OOF_TEXT_RE.match(visible or text):
        return "x-auto-response-suppress"
    if autotext.out_of_office(visible):
        return "out-of-office text"
    return None


def is_calendar_notice(visible: str) -> bool:
    """Whether the new text is only the line a calendar client writes into an answer
    ("Li Lei has accepted this invitation."): the client's words, not the person's."""
    return bool(_CALENDAR_NOTICE_RE.match(visible))


_PARTSTAT_WORD = {"accepted": "accepted", "declined": "declined", "tentative": "tentative"}
# the first line Google Calendar, Thunderbird & co. write into an iMIP reply: the answer in the third
# person ("张伟 已接受此邀请。", "Li Lei has accepted your event invitation."); a note the person
# added ("… with a note", "并留言") keeps the text
_CALENDAR_NOTICE_RE = re.compile(
    r"^[^\n]{0,80}?(?:\b(?:has|have)\s+(?:accepted|declined|tentatively accepted|delegated)\b"
    r"(?![^\n]*\b(?:note|comment)\b)|"
    r"(?:已|已经|已經)(?:接受|拒绝|拒絕|谢绝|謝絕|暂定接受|暫定接受|委派)(?:了)?(?:此|该|該|您的|你的)?"
    r"(?:邀请|邀請|会议|會議|活动|活動|日程)(?![^\n]*(?:留言|备注|備註)))", re.IGNORECASE)


def calendar_reply(calendars: list[bytes], sender: str, subject: str) -> str | None:
    """The answer of a calendar reply: the sender's PARTSTAT in an iMIP REPLY part, else the
    answer a client writes in the subject ("已接受: …", "Declined: …") when there is no calendar part."""
    if calendars:
        from . import ical_in  # icalendar is slow to import: only for mail that carries a calendar
        answers = []
        for data in calendars:
            try:
                answers += ical_in.parse_replies(data)
            except Exception:
                continue
        if not answers:
            return None
        mine = [a for a in answers if a.attendee == sender] or answers
        if mine[0].delegated_to:
            return "delegated"
        return _PARTSTAT_WORD.get(mine[0].partstat.value)
    m = _CALENDAR_SUBJECT_RE.match(subject)
    if m:
        return next(k for k, v in m.groupdict().items() if v)
    return None


def _flag(value: str | None) -> bool:
    if value is None:
        return False
    v = value.strip().lower()
    return v not in ("no", "false", "0")
