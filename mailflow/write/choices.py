"""The one-click answers a mail offers: prefilled replies by language and purpose, as RFC 6068 mailto:
links, and the words a clarifying answer uses for what an unsure reading leaned to.

`CHOICES` says which answers a mail asking for something offers (参加 / 不参加 / 已完成 / 进行中 50% /
申请延期到____，原因：____ / 验收通过 / 退回：____ / 同意 / 不同意 / 已完成，我确认 and their zh-TW and
English forms); `choices` builds them for one mail, `mailto` turns one into a link to the shared
address with the subject tag and, for the clients that honour it, an In-Reply-To header. Written
text, so it lives in write/; tests/test_answers.py reads every body back with the reply reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

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


__all__ = ["CHOICES", "INTENT_LABELS", "RE_PREFIX", "WORDS", "Choice", "choices", "intent_label", "mailto"]
