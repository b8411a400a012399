"""Reading one mail: raw bytes -> Inbound. Pure, and never raises, whatever the bytes.

The pieces live in modules named for their job: mime_parts walks the MIME tree (bodies, calendar
parts, attachments, limits), mail_headers decodes charsets, headers and addresses, quotes and
htmltext give the sender's new text, and auto_reply says whether the mail is an auto-reply, a
bounce, a receipt or our own (`auto`, `auto_reason`) and reads a calendar answer (`calendar_reply`:
accepted/declined/tentative/delegated, from the iMIP REPLY's PARTSTAT, else from the subject prefix
Outlook & co. write, "已接受:", "Declined:"). This module puts them together into one Inbound.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import utils as email_utils
from typing import Iterable

from . import auto_reply, htmltext, mime_parts, quotes
from .mail_headers import MSGID_RE, Headers, addresses, clean_line, decode_header, msgid

__all__ = ["Inbound", "parse", "MAX_VISIBLE_CHARS"]

MAX_VISIBLE_CHARS = 20_000     # the new text (above the quote) a reply is read from


@dataclass
class Inbound:
    message_id: str
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: str = ""
    sender_name: str = ""
    reply_to: list[str] = field(default_factory=list)
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    html: str | None = None
    visible: str = ""
    auto: bool = False
    auto_reason: str | None = None
    calendars: list[bytes] = field(default_factory=list)
    attachments: list[tuple[str, str, int]] = field(default_factory=list)
    # (name, type, bytes) of the attachments kept: a .docx/.xlsx a minutes draft may be read from
    # (within attachments.MAX_BYTES), and other files up to attachments.FORWARD_BYTES in all, the
    # deliverables forwarded to a verifier; every other attachment is only listed above
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    authentication_results: list[str] = field(default_factory=list)
    headers_auto_submitted: str | None = None
    precedence: str | None = None
    mailer: str | None = None          # X-Mailer / User-Agent, for the log
    list_id: str | None = None
    defects: list[str] = field(default_factory=list)
    # what quotes.visible_text removed from `text` to get `visible` ("quote from '-----原始邮件-----'",
    # "signature (4 lines)", "tagline '发自我的iPhone'"), for `mailflow explain`
    cut: list[str] = field(default_factory=list)
    # the answer of a calendar reply: "accepted" | "declined" | "tentative" | "delegated", from the
    # iMIP REPLY's PARTSTAT, else from the subject prefix a client puts on it ("已接受:", "Declined:")
    calendar_reply: str | None = None


def parse(raw: bytes, own_addresses: Iterable[str] = ()) -> Inbound:
    """Read one mail. Never raises: what was wrong goes to `defects`."""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        try:
            raw = str(raw).encode("utf-8", "surrogateescape")
        except Exception:
            raw = b""
    raw = bytes(raw)
    synthetic = "<" + hashlib.sha256(raw).hexdigest() + "@mailflow.invalid>"
    try:
        return _parse(raw, own_addresses, synthetic)
    except Exception as exc:  # the boundary: a bug here must not stop the daemon
        return Inbound(message_id=synthetic, defects=[f"parser error: {type(exc).__name__}: {exc}"[:300]])


def _parse(raw: bytes, own_addresses: Iterable[str], synthetic: str) -> Inbound:
    defects: list[str] = []
    msg = mime_parts.parse_mime(raw, defects)
    for d in getattr(msg, "defects", ()) or ():
        defects.append(type(d).__name__)

    body = mime_parts.walk(msg, defects)
    hint = body.hint

    # headers
    hdrs = Headers(msg)
    mid = msgid(decode_header(hdrs.get("message-id"), hint, defects))
    if mid is None:
        defects.append("no Message-ID")
        mid = synthetic
    irt = msgid(hdrs.get("in-reply-to"))
    refs_raw = " ".join(hdrs.get_all("references"))
    references = ["<" + r + ">" for r in MSGID_RE.findall(refs_raw)]
    subject = clean_line(decode_header(hdrs.get("subject"), hint, defects))
    froms = addresses(hdrs.get_all("from"), hint, defects)
    sender_name, sender = (froms[0] if froms else ("", ""))
    if not sender:
        sender_hdr = addresses(hdrs.get_all("sender"), hint, defects)
        if sender_hdr:
            sender_name, sender = sender_name or sender_hdr[0][0], sender_hdr[0][1]
    reply_to = [a for _, a in addresses(hdrs.get_all("reply-to"), hint, defects) if a]
    to = [a for _, a in addresses(hdrs.get_all("to"), hint, defects) if a]
    cc = [a for _, a in addresses(hdrs.get_all("cc"), hint, defects) if a]
    date = None
    dval = hdrs.get("date")
    if dval:
        try:
            date = email_utils.parsedate_to_datetime(clean_line(dval))
            if date is not None and date.tzinfo is None:
                date = date.replace(tzinfo=timezone.utc)
                defects.append("Date without a zone, read as UTC")
        except Exception:
            defects.append("unparsable Date")
            date = None
    auth = [clean_line(decode_header(v, hint)) for v in hdrs.get_all("authentication-results")]
    auto_submitted = hdrs.get("auto-submitted")
    auto_submitted = clean_line(auto_submitted) if auto_submitted is not None else None
    precedence = hdrs.get("precedence")
    precedence = clean_line(precedence).lower() if precedence else None

    text_parts, html, calendars = body.text_parts, body.html, body.calendars
    text = "\n".join(text_parts)
    cut: list[str] = []
    if text_parts:
        visible = quotes.visible_text(text, sender_name, cut)
        if not visible and html is not None and not text.strip():
            visible = quotes.visible_html(html, sender_name, cut)
    elif html is not None:
        body_html = htmltext.try_parse(html) if html else None   # one parse for both reads
        if body_html is None:
            body_html = html
        text = htmltext.html_to_text(body_html)
        visible = quotes.visible_html(body_html, sender_name, cut)
    else:
        visible = ""
    if len(visible) > MAX_VISIBLE_CHARS:
        # what a reply says is read from here: the reader's cost grows with it, answers are short
        defects.append(f"new text longer than {MAX_VISIBLE_CHARS} characters; only the first read")
        visible = visible[:MAX_VISIBLE_CHARS]

    calendar_reply = auto_reply.calendar_reply(calendars, sender, subject)
    if calendar_reply and calendars and auto_reply.is_calendar_notice(visible):
        # "Li Lei has accepted this invitation." + the event: written by the client, not the person
        cut.append("calendar client's notification text")
        visible = ""

    reason = auto_reply.reason(hdrs, sender, subject, own_addresses, body.bounce, body.receipt, text, visible)

    mailer = hdrs.get("x-mailer") or hdrs.get("user-agent")
    list_id = hdrs.get("list-id")
    return Inbound(
        message_id=mid, in_reply_to=irt, references=references, subject=subject,
        sender=sender, sender_name=sender_name, reply_to=reply_to, to=to, cc=cc, date=date,
        text=text, html=html, visible=visible, auto=reason is not None, auto_reason=reason,
        calendars=calendars, attachments=body.attachments, files=body.files, authentication_results=auth,
        headers_auto_submitted=auto_submitted, precedence=precedence,
        mailer=clean_line(decode_header(mailer, hint)) if mailer else None,
        list_id=clean_line(decode_header(list_id, hint)) if list_id else None,
        defects=defects, cut=cut, calendar_reply=calendar_reply,
    )
