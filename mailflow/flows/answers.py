"""Asking and answering: what the flows tell the reader (the one-click answers mailflow offers
back are written by write/choices.py).

- `context_for` builds the replies.ReplyContext of an inbound mail: the task's current due date,
  what the mail it answers asked (from that mail's kind in the outbox), and the kind of object.
  An answer to our own question is read as that answer: after "请给出新的日期", "1月4日吧" is the
  new date.
- `language_of_text` tells zh-CN, zh-TW and en apart from the sender's own words, so a clarifying
  answer comes back in the language the person wrote in.
"""

from __future__ import annotations

import re
from typing import Any

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
__all__ = ["ASKED_BY_KIND", "context_for", "language_of_text"]
