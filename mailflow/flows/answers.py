"""Asking and answering: what the flows tell the reader, and the answers mailflow offers back.

- `context_for` builds the replies.ReplyContext of an inbound mail: the task's current due date,
  what the mail it answers asked (from that mail's kind in the outbox), and the kind of object.
  An answer to our own question is read as that answer: after "请给出新的日期", "1月4日吧" is the
  new date.
- `language_of_text` tells zh-CN, zh-TW and en apart from the sender's own words, so a clarifying
  answer comes back in the language the person wrote in.
- One-click answers: `CHOICES` are the prefilled replies a mail that asks for an answer offers
  (参加 / 不参加 / 已完成 / 进行中 50% / 申请延期到____，原因：____ / 验收通过 / 退回：____ / 同意 /
  不同意 / 已完成，我确认 and their zh-TW and English forms); `mailto` turns one into an RFC 6068 link to the shared address
  with the subject tag and, for the clients that honour it, an In-Reply-To header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..read import replies

# What a mail of each kind asked for (replies.ReplyContext.asked), by the outbox row's kind.
ASKED_BY_KIND = {
    "task_ask_date": "new_date",
    "task_assigned": "confirm",
    "progress_request": "percent",
    "due_reminder": "percent",
    "overdue": "percent",
    "task_verify": "verify",
    "notice": "rsvp", "meeting_update": "rsvp", "meeting_nudge": "rsvp", "meeting_reminder": "rsvp",
    "meeting_rsvp_receipt": "rsvp",
}


def context_for(rt: Any, *, due: Any = None, kind: str = "task", asked: str | None = None) -> replies.ReplyContext:
    """The reader's context for a mail on route `rt` about a task (its `due`) or a meeting;
    `asked` is what to assume when the answered mail is unknown (a mail naming only the tag)."""
    answered = (rt.answered or {}).get("kind") if rt is not None else None
    return replies.ReplyContext(due=due, asked=ASKED_BY_KIND.get(answered or "", asked), kind=kind)


# --------------------------------------------------------------------------------------------
# The sender's language

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _encodable(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
        return True
    except UnicodeEncodeError:
        return False


def language_of_text(text: str, fallback: str) -> str:
    """zh-TW when the Han characters lean Traditional, zh-CN when they lean Simplified, en for
    Latin text without Han characters; `fallback` (the person's language) when nothing tells.

    Simplified-only characters are in GB2312 and not in Big5; Traditional-only ones the other way
    round; the characters both scripts share say nothing and are not counted (stdlib codecs, no
    conversion table needed)."""
    simplified = traditional = han = 0
    for ch in text or "":
        if "\u4e00" <= ch <= "\u9fff":
            han += 1
            in_gb, in_big5 = _encodable(ch, "gb2312"), _encodable(ch, "big5")
            if in_gb and not in_big5:
                simplified += 1
            elif in_big5 and not in_gb:
                traditional += 1
    if han:
        if traditional > simplified:
            return "zh-TW"
        if simplified > traditional:
            return "zh-CN"
        return fallback if fallback in ("zh-CN", "zh-TW") else "zh-CN"
    # Two English words or more ("Done, thanks"); one ("OK") says nothing about the person.
    return "en" if len(_LATIN_WORD.findall(text or "")) >= 2 else fallback


# --------------------------------------------------------------------------------------------
# One-click answers

# The prefilled bodies, by language. "____" marks what the person fills in; the tests read each
# body (and edited ones) with replies.classify to prove it means what its label says.
WORDS = {
    "zh-CN": {"attend": "参加", "decline": "不参加", "tentative": "待定", "confirm": "确认",
              "done": "已完成", "progress": "进行中 50%", "delay": "申请延期到____，原因：____",
              "pass": "验收通过", "return": "退回：____", "approve": "同意", "deny": "不同意，原因：____",
              "decide_done": "已完成，我确认", "decide_delay": "延期到____，原因：____",
              "decide_handover": "改由____负责，原因：____"},
    "zh-TW": {"attend": "參加", "decline": "不參加", "tentative": "待定", "confirm": "確認",
              "done": "已完成", "progress": "進行中 50%", "delay": "申請延期到____，原因：____",
              "pass": "驗收通過", "return": "退回：____", "approve": "同意", "deny": "不同意，原因：____",
              "decide_done": "已完成，我確認", "decide_delay": "延期到____，原因：____",
              "decide_handover": "改由____負責，原因：____"},
    "en": {"attend": "Attending", "decline": "Not attending", "tentative": "Tentative", "confirm": "Confirmed",
           "done": "Done", "progress": "In progress 50%", "delay": "Please extend to ____, reason: ____",
           "pass": "Accepted", "return": "Send back: ____", "approve": "Approved", "deny": "Not approved, because ____",
           "decide_done": "It is done, I confirm", "decide_delay": "Extend to ____, reason: ____",
           "decide_handover": "Hand it over to ____, reason: ____"},
}

# Which answers a mail offers, by what it asks.
CHOICES = {
    "rsvp": ("attend", "decline", "tentative"),
    "assigned": ("confirm", "progress", "done", "delay"),
    "status": ("done", "progress", "delay"),
    "verify": ("pass", "return"),
    "date": ("delay",),
    "approve": ("approve", "deny"),                          # a handover or delay request to the host
    "decide": ("decide_done", "decide_delay", "decide_handover"),   # the escalation, to the manager
}

# What an unsure reading leaned to, named in a clarifying answer ("看起来像是“已完成”").
INTENT_LABELS = {
    "zh-CN": {"confirm": "确认", "done": "已完成", "progress": "进行中", "delay": "申请延期", "risk": "有风险",
              "objection": "有异议", "decline": "不参加", "tentative": "待定", "reassign": "转交他人"},
    "zh-TW": {"confirm": "確認", "done": "已完成", "progress": "進行中", "delay": "申請延期", "risk": "有風險",
              "objection": "有異議", "decline": "不參加", "tentative": "待定", "reassign": "轉交他人"},
    "en": {"confirm": "confirmed", "done": "done", "progress": "in progress", "delay": "a delay", "risk": "at risk",
           "objection": "an objection", "decline": "not attending", "tentative": "tentative",
           "reassign": "a handover"},
}


def intent_label(intent: str, lang: str) -> str:
    return INTENT_LABELS[_lang(lang)].get(intent, intent)


RE_PREFIX = {"zh-CN": "回复：", "zh-TW": "回覆：", "en": "Re: "}


@dataclass
class Choice:
    key: str          # attend, decline, done, …
    body: str         # the prefilled reply
    href: str         # mailto: link


def _lang(lang: str) -> str:
    return lang if lang in WORDS else "zh-CN"


def mailto(address: str, subject: str, body: str, in_reply_to: str | None = None) -> str:
    """An RFC 6068 mailto: URI; every header value is UTF-8 percent-encoded (nothing from it can
    break out of the link or add a header), line breaks as %0D%0A."""
    fields = [("subject", subject)]
    if in_reply_to:
        fields.append(("In-Reply-To", in_reply_to))
    fields.append(("body", body.replace("\r\n", "\n").replace("\n", "\r\n")))
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in fields)
    return f"mailto:{quote(address, safe='@')}?{query}"


def choices(purpose: str, lang: str, *, address: str, tag: str, title: str = "",
            in_reply_to: str | None = None, item: int | None = None, first: str | None = None) -> list[Choice]:
    """The one-click answers of a mail asking `purpose` (CHOICES), in `lang`. `tag` is the subject
    tag ([MF-T12]) that routes the answer when a client drops In-Reply-To; `item` prefixes each
    body with the task's number in a numbered list ("2 已完成"); `first` (an intent an unsure
    reading leaned to) is offered first when it is one of them."""
    lang = _lang(lang)
    subject = f"{RE_PREFIX[lang]}{tag} {title}".strip()
    keys = sorted(CHOICES[purpose], key=lambda k: k != first)
    out = []
    for key in keys:
        body = WORDS[lang][key]
        if item is not None:
            body = f"{item} {body}"
        out.append(Choice(key=key, body=body, href=mailto(address, subject, body, in_reply_to)))
    return out


__all__ = ["ASKED_BY_KIND", "CHOICES", "WORDS", "Choice", "choices", "context_for", "intent_label",
           "language_of_text", "mailto"]
