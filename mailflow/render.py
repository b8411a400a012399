"""Mail effects -> complete RFC 5322 messages (bytes), with jinja2 templates.

Templates live in `templates/<lang>/<name>.txt` (first line "Subject: …", a blank line, the plain
text) and `templates/<lang>/<name>.html` (the HTML alternative, autoescaped). A language without
the template falls back to zh-CN. StrictUndefined: a template that names a missing value fails
loudly in tests instead of mailing a blank. Values from mail (names, subjects, replies) are only
ever *data* in the context — never compiled as templates — and header values lose CR/LF.

The Message-ID is derived from the mail's dedupe key, so rendering the same effect twice gives
the same Message-ID and a resent mail is recognisably the same message.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from pathlib import Path

import jinja2

from .model import STATUS_LABELS, Mail
from .resources import shipped

SUBJECT_TAGS = {"task": "T", "meeting": "M"}
_CTRL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass
class Rendered:
    message_id: str
    subject: str
    sender: str
    recipients: list[str]
    raw: bytes


def clean_header(value: str, limit: int = 300) -> str:
    """A header value from untrusted text: no CR/LF or other controls, bounded length."""
    return _CTRL.sub(" ", str(value)).strip()[:limit]


def message_id_for(key: str, domain: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<mf.{digest}@{domain}>"


def subject_tag(mail: Mail) -> str:
    if mail.task_id is not None:
        return f"[MF-T{mail.task_id}]"
    if mail.meeting_id is not None:
        return f"[MF-M{mail.meeting_id}]"
    return ""


class Renderer:
    def __init__(self, template_dirs: list[Path] | None = None, *, org_name: str = "mailflow",
                 address: str = "mailflow@localhost", default_lang: str = "zh-CN"):
        dirs = [Path(d) for d in (template_dirs or []) if d] + [shipped("templates")]
        loader = jinja2.FileSystemLoader([str(d) for d in dirs])
        self.text_env = jinja2.Environment(loader=loader, autoescape=False, undefined=jinja2.StrictUndefined,
                                           keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
        self.html_env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                                           trim_blocks=True, lstrip_blocks=True)
        for env in (self.text_env, self.html_env):
            env.filters.update(ymd=_ymd, hm=_hm, when=_when, status=_status)
        self.org_name = org_name
        self.address = address
        self.domain = address.rpartition("@")[2] or "localhost"
        self.default_lang = default_lang

    def _pick(self, env: jinja2.Environment, lang: str, name: str, ext: str) -> jinja2.Template:
        for candidate in (lang, self.default_lang, "zh-CN"):
            try:
                return env.get_template(f"{candidate}/{name}.{ext}")
            except jinja2.TemplateNotFound:
                continue
        raise jinja2.TemplateNotFound(f"{lang}/{name}.{ext}")

    def texts(self, mail: Mail) -> tuple[str, str, str]:
        """(subject, plain text, html) of a mail."""
        ctx = {"lang": mail.lang, "org": self.org_name, "shared": self.address, **mail.context}
        text = self._pick(self.text_env, mail.lang, mail.template, "txt").render(ctx)
        first, _, body = text.partition("\n")
        if not first.startswith("Subject:"):
            raise ValueError(f"template {mail.lang}/{mail.template}.txt must start with 'Subject: '")
        html = self._pick(self.html_env, mail.lang, mail.template, "html").render(ctx)
        subject = clean_header(f"{subject_tag(mail)} {first[len('Subject:'):].strip()}".strip())
        return subject, body.lstrip("\n"), html

    def render(self, mail: Mail, now: datetime, *, reply_to: str | None = None,
               sender_name: str | None = None) -> Rendered:
        subject, text, html = self.texts(mail)
        message_id = message_id_for(mail.key, self.domain)
        heads = self._headers(mail, now, subject, message_id, reply_to, sender_name)
        if mail.calendar is None and not mail.attachments and all(a.isascii() for a in [*mail.to, *mail.cc]):
            raw = _write_alternative(heads, text, html)
        else:
            raw = _build_mixed(heads, text, html, mail)
        recipients = list(dict.fromkeys([*mail.to, *mail.cc]))
        return Rendered(message_id=message_id, subject=subject, sender=self.address,
                        recipients=recipients, raw=raw)

    def _headers(self, mail: Mail, now: datetime, subject: str, message_id: str,
                 reply_to: str | None, sender_name: str | None) -> list[tuple[str, str]]:
        """Every header of an outgoing mail, in order; values already free of CR/LF."""
        name = clean_header(sender_name or self.org_name, 80)
        heads = [("From", formataddr((name, self.address), charset="utf-8")), ("To", ", ".join(mail.to))]
        if mail.cc:
            heads.append(("Cc", ", ".join(mail.cc)))
        if reply_to:
            heads.append(("Reply-To", reply_to))
        heads += [("Subject", subject), ("Date", format_datetime(now)), ("Message-ID", message_id)]
        if mail.in_reply_to:
            parent = clean_header(mail.in_reply_to, 998)
            refs = [clean_header(r, 998) for r in (mail.references or [])] + [parent]
            heads += [("In-Reply-To", parent), ("References", " ".join(dict.fromkeys(refs)))]
        # RFC 3834: automatic mail; asks auto-responders (Outlook OOF too) not to answer, breaking loops.
        heads += [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "OOF, AutoReply"),
                  ("X-Mailflow", clean_header(f"{mail.kind or mail.template}; {mail.key}", 200))]
        return heads


def _write_alternative(heads: list[tuple[str, str]], text: str, html: str) -> bytes:
    """The common mail (text + HTML, no calendar part, no attachments, ASCII addresses) written out
    directly: the same headers and MIME structure as EmailMessage would give, ~10x cheaper
    (bench/ingest.py and bench/tick.py: rendering receipts and reminders was most of the time)."""
    boundary = f"===============mf{secrets.token_hex(12)}=="
    out = [f"{k}: {_fold(k, v)}" for k, v in heads]
    out += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
    for subtype, body in (("plain", text), ("html", html)):
        out += [f"--{boundary}", f'Content-Type: text/{subtype}; charset="utf-8"',
                "Content-Transfer-Encoding: base64", "", _b64_lines(body)]
    out += [f"--{boundary}--", ""]
    return "\r\n".join(out).encode("ascii")


def _build_mixed(heads: list[tuple[str, str]], text: str, html: str, mail: Mail) -> bytes:
    """A mail with a calendar part or attachments, through EmailMessage: multipart/mixed holding
    multipart/alternative (text, html, text/calendar method=…) and the attachments (invite.ics)."""
    msg = EmailMessage(policy=SMTP)
    for k, v in heads:
        msg[k] = v
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    if mail.calendar is not None:
        msg.add_alternative(mail.calendar, maintype="text", subtype="calendar", cte="base64",
                            params={"method": _calendar_method(mail.calendar), "charset": "UTF-8"})
    msg.make_mixed()
    if mail.calendar is not None:
        msg.add_attachment(mail.calendar, maintype="application", subtype="ics", filename="invite.ics",
                           cte="base64")
    for att in mail.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        msg.add_attachment(att.data, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=att.filename, cte="base64")
    return msg.as_bytes()


def _fold(name: str, value: str) -> str:
    """A header value as RFC 5322/2047 wants it: ASCII folded at spaces, anything else as
    UTF-8 encoded words, lines within 78 characters where the words allow."""
    if name in ("From",) or (value.isascii() and len(name) + len(value) < 77):
        return value
    return Header(value, "utf-8" if not value.isascii() else "us-ascii", maxlinelen=78,
                  header_name=name).encode(linesep="\r\n")


def _b64_lines(text: str) -> str:
    """set_content(cte="base64") semantics: CRLF line ends, a final CRLF, 76-character lines."""
    data = ("\r\n".join(text.splitlines()) + "\r\n").encode("utf-8")
    return base64.encodebytes(data).decode("ascii").replace("\n", "\r\n").rstrip("\r\n")


def _calendar_method(data: bytes) -> str:
    m = re.search(rb"^METHOD:([A-Za-z-]+)\r?$", data, re.M)
    return m.group(1).decode().upper() if m else "PUBLISH"


def _ymd(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    return value.strftime("%Y-%m-%d")


def _hm(value: datetime | None) -> str:
    return value.strftime("%H:%M") if value else ""


_WEEKDAYS = "一二三四五六日"


def _when(value: datetime | date | None, lang: str = "zh-CN") -> str:
    """A date or time the way people read it: 2026-11-25（周三）14:00."""
    if value is None:
        return "—"
    d = value.date() if isinstance(value, datetime) else value
    if lang == "en":
        day = d.strftime("%a %Y-%m-%d")
    else:
        prefix = "週" if lang == "zh-TW" else "周"
        day = f"{d.isoformat()}（{prefix}{_WEEKDAYS[d.weekday()]}）"
    return f"{day} {value.strftime('%H:%M')}" if isinstance(value, datetime) else day


def _status(value: str, lang: str = "zh-CN") -> str:
    value = getattr(value, "value", value)
    return STATUS_LABELS.get(lang, STATUS_LABELS["zh-CN"]).get(value, value)
