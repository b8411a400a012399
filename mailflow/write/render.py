"""Mail effects -> complete RFC 5322 messages (bytes), with jinja2 templates.

Templates live in `templates/<lang>/<name>.txt` (first line "Subject: …", a blank line, the plain
text) and `templates/<lang>/<name>.html` (the HTML alternative, autoescaped). A language without
the template falls back to zh-CN. StrictUndefined: a template that names a missing value fails
loudly in tests instead of mailing a blank. Values from mail (names, subjects, replies) are only
ever *data* in the context — never compiled as templates — and header values lose CR/LF.

The Message-ID is derived from the mail's dedupe key and the install's own secret, so rendering the
same effect twice gives the same Message-ID (a resent mail is recognisably the same message) while
another installation's mail with the same key gets another one.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import random
import re
import secrets
import sys
from dataclasses import dataclass
from datetime import date, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Sequence

import jinja2

from . import choices
from ..model import STATUS_LABELS, Mail
from ..resources import shipped

log = logging.getLogger("mailflow")

_CTRL = re.compile(r"[\x00-\x1f\x7f]+")
_NOT_IN_ADDRESS = re.compile(r'[\s,;<>()\[\]"\\\x00-\x1f\x7f]')


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


def message_id_for(key: str, domain: str, salt: str = "") -> str:
    """The Message-ID of the mail with dedupe key `key`. `salt` is the install's own secret (kept in
    the store): two installations, whose keys are alike ("notice:m1:s0:…"), never share an ID, and an
    outsider cannot compute the ID of a mail they did not receive."""
    digest = hmac.new(salt.encode("utf-8"), key.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
    return f"<mf.{digest}@{domain}>"


def one_address(addr: str) -> str:
    """`addr` when it is exactly ONE bare address (no display name, no list, no controls), else
    ValueError: a recipient header is built from addresses, never from text that could add one."""
    return _one_address(str(addr))


@functools.lru_cache(maxsize=1024)
def _one_address(addr: str) -> str:
    # cached: the same few people get every mail and Address() runs the full header parser
    # (a ValueError is not cached, so a bad address is checked, and refused, each time)
    a = addr.strip()
    if a.count("@") != 1 or _NOT_IN_ADDRESS.search(a):
        raise ValueError(f"not one email address: {a!r}")
    if a.isascii():
        try:
            a = Address(addr_spec=a).addr_spec
        except Exception:       # email raises several kinds of parse errors
            raise ValueError(f"not one email address: {a!r}") from None
    return a


def display_name(org_name: str, on_behalf: str | None = None) -> str:
    """The From display name of mail from the shared address: the org's name, or "王磊 via 会议跟进助手"
    for a mail sent for a person. Never a person's name alone: "刘洋 <mailflow@…>" would look spoofed."""
    org = clean_header(org_name, 80) or "mailflow"
    person = clean_header(on_behalf or "", 60)
    return f"{person} via {org}" if person else org


def subject_tag(mail: Mail) -> str:
    if mail.task_id is not None:
        return f"[MF-T{mail.task_id}]"
    if mail.meeting_id is not None:
        return f"[MF-M{mail.meeting_id}]"
    return ""


def template_loader(template_dirs: Sequence[Path | str] = ()) -> jinja2.FileSystemLoader:
    """The one template lookup, for every mail and the minutes fill-in template: the operator's
    folders ([paths] templates) first, then the shipped templates; a name missing from the operator's
    folders is the shipped one."""
    return jinja2.FileSystemLoader([str(Path(d)) for d in template_dirs if d] + [str(shipped("templates"))])


class Renderer:
    def __init__(self, template_dirs: list[Path] | None = None, *, org_name: str = "mailflow",
                 address: str = "mailflow@localhost", default_lang: str = "zh-CN", id_salt: str = ""):
        self.template_dirs = tuple(str(d) for d in (template_dirs or []) if d)   # the operator's, before the shipped
        loader = template_loader(self.template_dirs)
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
        self.id_salt = id_salt          # the install's secret for Message-IDs (app.py; never logged)

    def _pick(self, env: jinja2.Environment, lang: str, name: str, ext: str) -> jinja2.Template:
        for candidate in (lang, self.default_lang, "zh-CN"):
            try:
                return env.get_template(f"{candidate}/{name}.{ext}")
            except jinja2.TemplateNotFound:
                continue
        raise jinja2.TemplateNotFound(f"{lang}/{name}.{ext}")

    def _answers(self, mail: Mail, reply_to: str | None):
        """`answers(purpose, title=…, task_id=…, item=…)` for the templates: the one-click answers
        (choices.choices) to this mail, addressed like a reply to it and carrying its subject tag."""
        message_id = message_id_for(mail.key, self.domain, self.id_salt)
        address = reply_to or self.address

        def offer(purpose: str, title: str = "", task_id: int | None = None,
                  item: int | None = None, first: str | None = None) -> list[choices.Choice]:
            tag = f"[MF-T{task_id}]" if task_id is not None else subject_tag(mail)
            return choices.choices(purpose, mail.lang, address=address, tag=tag, title=title,
                                   in_reply_to=message_id, item=item, first=first)
        return offer

    def texts(self, mail: Mail, reply_to: str | None = None) -> tuple[str, str, str]:
        """(subject, plain text, html) of a mail."""
        ctx = {"lang": mail.lang, "org": self.org_name, "shared": self.address,
               "answers": self._answers(mail, reply_to), **mail.context}
        text = self._pick(self.text_env, mail.lang, mail.template, "txt").render(ctx)
        first, _, body = text.partition("\n")
        if not first.startswith("Subject:"):
            raise ValueError(f"template {mail.lang}/{mail.template}.txt must start with 'Subject: '")
        html = self._pick(self.html_env, mail.lang, mail.template, "html").render(ctx)
        subject = clean_header(f"{subject_tag(mail)} {first[len('Subject:'):].strip()}".strip())
        return subject, body.lstrip("\n"), html

    def render(self, mail: Mail, now: datetime, *, reply_to: str | None = None,
               on_behalf: str | None = None) -> Rendered:
        subject, text, html = self.texts(mail, reply_to)
        message_id = message_id_for(mail.key, self.domain, self.id_salt)
        to, cc = _addresses(mail.to, mail.key), _addresses(mail.cc, mail.key)
        if not to:
            raise ValueError(f"{mail.key}: no valid recipient in {mail.to!r}")
        heads = self._headers(mail, now, subject, message_id, to, cc, reply_to, on_behalf)
        if mail.calendar is None and not mail.attachments and all(a.isascii() for a in [*to, *cc]):
            raw = _write_alternative(heads, text, html)
        elif all(a.isascii() for a in [*to, *cc]) and all(_SIMPLE_FILENAME.fullmatch(a.filename)
                                                          for a in mail.attachments):
            raw = _write_mixed(heads, text, html, mail)
        else:
            raw = _build_mixed(heads, text, html, mail)
        recipients = list(dict.fromkeys([*to, *cc]))
        return Rendered(message_id=message_id, subject=subject, sender=self.address,
                        recipients=recipients, raw=raw)

    def _headers(self, mail: Mail, now: datetime, subject: str, message_id: str, to: list[str],
                 cc: list[str], reply_to: str | None, on_behalf: str | None) -> list[tuple[str, str]]:
        """Every header of an outgoing mail, in order; values already free of CR/LF. Address headers
        are built from validated parts (formataddr quotes "Wang, Lei"), never concatenated text."""
        name = display_name(self.org_name, on_behalf)
        heads = [("From", formataddr((name, one_address(self.address)), charset="utf-8")),
                 ("To", ", ".join(to))]
        if cc:
            heads.append(("Cc", ", ".join(cc)))
        if reply_to:
            heads.append(("Reply-To", one_address(reply_to)))
        heads += [("Subject", subject), ("Date", format_datetime(now)), ("Message-ID", message_id)]
        if mail.in_reply_to:
            parent = clean_header(mail.in_reply_to, 998)
            refs = [clean_header(r, 998) for r in (mail.references or [])] + [parent]
            heads += [("In-Reply-To", parent), ("References", " ".join(dict.fromkeys(refs)))]
        # RFC 3834: automatic mail; asks auto-responders (Outlook OOF too) not to answer, breaking loops.
        heads += [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "OOF, AutoReply"),
                  ("X-Mailflow", clean_header(f"{mail.kind or mail.template}; {mail.key}", 200))]
        return heads


def _addresses(addrs: list[str], key: str) -> list[str]:
    """The valid bare addresses of a recipient list, in order; an invalid one is dropped and logged."""
    out = []
    for a in addrs:
        try:
            out.append(one_address(a))
        except ValueError as e:
            log.warning("%s: recipient dropped: %s", key, e)
    return list(dict.fromkeys(out))


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
                            params=_calendar_params(mail.calendar))
    msg.make_mixed()
    if mail.calendar is not None:
        msg.add_attachment(mail.calendar, maintype="application", subtype="ics", filename="invite.ics",
                           cte="base64")
    for att in mail.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        msg.add_attachment(att.data, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=att.filename, cte="base64", params=_attachment_params(att))
    return msg.as_bytes()


# A filename that needs neither RFC 2231 encoding nor folding in Content-Disposition (due-T7.ics).
_SIMPLE_FILENAME = re.compile(r"[A-Za-z0-9._-]{1,40}")


def _mime_boundary() -> str:
    """A boundary of the shape email.generator makes (15 '=', 19 digits, '=='): the folding of the
    Content-Type lines below depends on its length."""
    return f"==============={random.randrange(sys.maxsize):019d}=="


@functools.lru_cache(maxsize=512)
def _policy_header(name: str, value: str) -> str:
    """A header exactly as EmailMessage(policy=SMTP).as_bytes() writes it (parsed, then folded);
    cached because From, Auto-Submitted… repeat on every mail and parsing a header is slow."""
    return SMTP.fold(name, SMTP.header_store_parse(name, value)[1])


def _b64_part(lines: list[str], ctype: str, params: dict | None, data: bytes, filename: str = "") -> None:
    """A base64 leaf part with the headers, in the order, EmailMessage gives it (set_param moves
    Content-Type after Content-Transfer-Encoding and Content-Disposition)."""
    head = []
    if params:
        head += ["Content-Transfer-Encoding: base64"]
        if filename:
            head += [f'Content-Disposition: attachment; filename="{filename}"']
        head += [f"Content-Type: {ctype}" + "".join(f'; {k}="{v}"' for k, v in params.items())]
    else:
        head += [f"Content-Type: {ctype}", "Content-Transfer-Encoding: base64"]
        if filename:
            head += [f'Content-Disposition: attachment; filename="{filename}"']
    lines += head + ["MIME-Version: 1.0", "", base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")]


def _write_mixed(heads: list[tuple[str, str]], text: str, html: str, mail: Mail) -> bytes:
    """The bytes _build_mixed gives (tests/test_render.py compares them), written directly: building
    an EmailMessage parsed and re-folded ~30 headers per mail, most of a due entry's receipt's cost
    (bench/ingest.py). Only for ASCII addresses and simple filenames; the rest goes through
    _build_mixed."""
    outer, inner = _mime_boundary(), _mime_boundary()
    out = [_policy_header(k, v) for k, v in heads]
    lines = ["MIME-Version: 1.0", f'Content-Type: multipart/mixed; boundary="{outer}"', "",
             f"--{outer}", f'Content-Type: multipart/alternative;\r\n boundary="{inner}"', "",
             f"--{inner}", 'Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: base64", "",
             _b64_lines(text) + "\r\n",
             f"--{inner}", 'Content-Type: text/html; charset="utf-8"', "Content-Transfer-Encoding: base64",
             "MIME-Version: 1.0", "", _b64_lines(html) + "\r\n"]
    if mail.calendar is not None:
        lines.append(f"--{inner}")
        _b64_part(lines, "text/calendar", _calendar_params(mail.calendar), mail.calendar)
    lines += [f"--{inner}--", ""]
    if mail.calendar is not None:
        lines.append(f"--{outer}")
        _b64_part(lines, "application/ics", None, mail.calendar, "invite.ics")
    for att in mail.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        lines.append(f"--{outer}")
        _b64_part(lines, f"{maintype}/{subtype or 'octet-stream'}", _attachment_params(att), att.data,
                  att.filename)
    lines += [f"--{outer}--", ""]
    return ("".join(out) + "\r\n".join(lines)).encode("ascii")


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


def _calendar_params(data: bytes) -> dict[str, str]:
    """RFC 6047: a calendar part names its METHOD and charset in its Content-Type."""
    m = re.search(rb"^METHOD:([A-Za-z-]+)\r?$", data, re.M)
    return {"method": m.group(1).decode().upper() if m else "PUBLISH", "charset": "UTF-8"}


def _attachment_params(att) -> dict[str, str] | None:
    return _calendar_params(att.data) if att.content_type == "text/calendar" else None


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
