"""Helpers for tests and simulations: a clock you set by hand, one mail builder, one config writer."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTPUTF8
from email.utils import format_datetime
from pathlib import Path


class FakeClock:
    """A clock that stands still until told to move (`advance`, `set`)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self.current = start

    def now(self, tz=None) -> datetime:
        return self.current.astimezone(tz) if tz else self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


# --- one mail builder and one config writer, for every test ---------------------------------------

def make_mail(sender: str, text: str | None = "", *, to: str | Sequence[str] = "mailflow@corp.example",
              cc: str | Sequence[str] | None = None, subject: str = "", message_id: str | None = None,
              in_reply_to: str | None = None, references: str | None = None,
              date: str | datetime = "Fri, 20 Nov 2026 10:00:00 +0800", html: str | None = None,
              charset: str = "utf-8", encoding: str | None = None, cte: str = "8bit",
              attachments: Iterable[tuple] = (), headers: Mapping[str, str] | None = None) -> bytes:
    """The raw bytes of a mail as a client sends it, built with the email package (CRLF line ends,
    headers in UTF-8 as most Chinese clients write them).

    `text` and/or `html` are the body (both: multipart/alternative); `charset` is the label and
    `encoding` the codec when they differ (a client labelling gb2312 while writing gb18030);
    `cte` is how the text is carried (8bit, base64, quoted-printable). `attachments` are
    (filename, bytes) or (filename, bytes, "type/subtype"). `in_reply_to` threads the mail and is
    also its References unless `references` says otherwise. `headers` come after Date, in order.

        make_mail("张伟 <zhangwei@corp.example>", "已完成", subject="回复：[MF-T1] 任务：接口开发")
    """
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to if isinstance(to, str) else ", ".join(to)
    if cc:
        msg["Cc"] = cc if isinstance(cc, str) else ", ".join(cc)
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@client.example>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references or in_reply_to:
        msg["References"] = references or in_reply_to
    msg["Date"] = format_datetime(date) if isinstance(date, datetime) else date
    for name, value in (headers or {}).items():
        msg[name] = value
    codec = encoding or charset
    bodies = [(subtype, body) for subtype, body in (("plain", text), ("html", html)) if body is not None]
    for n, (subtype, body) in enumerate(bodies):
        add = msg.set_content if n == 0 else msg.add_alternative
        add(body.encode(codec), "text", subtype, cte=cte, params={"charset": charset})
    for name, data, *kind in attachments:
        maintype, subtype = (kind[0] if kind else _attachment_type(name)).split("/")
        msg.add_attachment(data, maintype, subtype, filename=name)
    return msg.as_bytes(policy=SMTPUTF8)


# The files mail carries, named here rather than asked of mimetypes, whose answer depends on the
# machine's /etc/mime.types.
_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          ".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".pdf": "application/pdf",
          ".png": "image/png", ".jpg": "image/jpeg", ".txt": "text/plain", ".ics": "text/calendar",
          ".zip": "application/zip"}


def _attachment_type(filename: str) -> str:
    return _TYPES.get(Path(filename).suffix.lower(), "application/octet-stream")


def write_config(folder: Path, *, filename: str = "mailflow.toml", **sections: Mapping) -> Path:
    """mailflow.toml in `folder` from keyword sections, each a dict of its keys; returns its path.

        write_config(tmp_path, org={"address": "mailflow@corp.example"}, schedule={"tick_seconds": 5})
    """
    import tomli_w   # a test dependency ([test] extra): a config writer only tests and simulations need

    path = Path(folder) / filename
    path.write_text(tomli_w.dumps({name: dict(keys) for name, keys in sections.items()}), encoding="utf-8")
    return path
