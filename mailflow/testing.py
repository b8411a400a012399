"""Helpers for tests and simulations: a clock you set by hand, one mail builder, one config writer,
and the store's read side in memory (MemoryLookup) for table tests of the flows."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime
from pathlib import Path

from .model import Meeting, MinutesConfirmation, MinutesVersion, Task, TaskEvent


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
              date: str | datetime | None = "Fri, 20 Nov 2026 10:00:00 +0800", html: str | None = None,
              charset: str = "utf-8", encoding: str | None = None, cte: str = "8bit",
              calendar: bytes | str | None = None, method: str = "REQUEST", attachments: Iterable[tuple] = (),
              headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None, utf8: bool = True) -> bytes:
    """The raw bytes of a mail as a client sends it, built with the email package (CRLF line ends).

    Headers are raw UTF-8 (RFC 6532) as many Chinese webmail clients write them, or with
    `utf8=False` encoded words (RFC 2047, and RFC 2231 for attachment names) as Outlook and Foxmail
    do: mailflow reads a non-ASCII attachment name only when it is encoded, so attach with utf8=False.

    `text` and/or `html` are the body (both: multipart/alternative), and `calendar` an iCalendar
    alternative with its iTIP `method` (alone: the whole body, as Apple Calendar sends an answer);
    `charset` is the label and `encoding` the codec when they differ (a client labelling gb2312
    while writing gb18030); `cte` is how the text is carried (8bit, base64, quoted-printable).
    `attachments` are (filename, bytes) or (filename, bytes, "type/subtype"). `in_reply_to` threads
    the mail and is also its References unless `references` says otherwise; `date=None` leaves Date
    out. `headers` (a dict, or (name, value) pairs when a name repeats) come after Date, in order.

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
    if date is not None:
        msg["Date"] = format_datetime(date) if isinstance(date, datetime) else date
    for name, value in (headers.items() if isinstance(headers, Mapping) else headers or ()):
        msg[name] = value
    codec = encoding or charset
    parts = [(subtype, body.encode(codec), {"charset": charset}, cte)
             for subtype, body in (("plain", text), ("html", html)) if body is not None]
    if calendar is not None:
        ics = calendar.encode("utf-8") if isinstance(calendar, str) else calendar
        parts.append(("calendar", ics, {"method": method, "charset": "UTF-8"}, "base64"))
    for n, (subtype, data, params, how) in enumerate(parts):
        add = msg.set_content if n == 0 else msg.add_alternative
        add(data, "text", subtype, cte=how, params=params)
    for name, data, *kind in attachments:
        maintype, subtype = (kind[0] if kind else _attachment_type(name)).split("/")
        msg.add_attachment(data, maintype, subtype, filename=name)
    return msg.as_bytes(policy=SMTPUTF8 if utf8 else SMTP)


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


class MemoryLookup:
    """The store's read side in memory: a whole small world (meetings, tasks and their logs, minutes,
    confirmations, the mails "we sent") answering the same read methods as edges/store with the
    same meaning (order, open_only, the minutes-candidate window), for fast table tests of the
    flows — no SQLite, no disk. Load a flow's Snapshot from it with edges.snapshot.load, as the
    daemon does from the store, so a query the loader misses fails in the table tests too.

        world = MemoryLookup(meetings=[m], tasks=[t])
        mid = world.sent("task_assigned", task=t, to=[t.owner])    # the mail a reply answers
    """

    def __init__(self, meetings=(), tasks=(), events=(), minutes=(), confirmations=()):
        self.meetings: dict[int, Meeting] = {m.id: m for m in meetings}
        self.task_rows: dict[int, Task] = {t.id: t for t in tasks}
        self.events: list[TaskEvent] = list(events)
        self.minutes: list[MinutesVersion] = list(minutes)
        self.confirmations: list[MinutesConfirmation] = list(confirmations)
        self.outbox: list[dict] = []
        self.items: dict[str, list[int]] = {}

    def sent(self, kind: str, *, task=None, meeting=None, to=(), items=None, message_id: str | None = None) -> str:
        """Record a mail of `kind` as sent (about `task` and/or `meeting`; `items` the task ids it
        numbered 1..n) and return its Message-ID, for a reply's In-Reply-To."""
        n = len(self.outbox) + 1
        message_id = message_id or f"<sent-{n}@mailflow.test>"
        meeting_id = meeting.id if meeting is not None else (task.meeting_id if task is not None else None)
        self.outbox.append({"id": n, "message_id": message_id, "kind": kind, "template": kind,
                            "meeting_id": meeting_id, "task_id": task.id if task is not None else None,
                            "recipients": json.dumps(list(to))})
        if items:
            self.items[message_id] = [int(i) for i in items]
        return message_id

    # --- the read methods (edges/store semantics) --------------------------------------
    def next_id(self, table: str) -> int:
        ids = {"meetings": self.meetings, "tasks": self.task_rows,
               "minutes": {v.id: v for v in self.minutes if v.id is not None}}[table]
        return max(ids, default=0) + 1

    def get_meeting(self, meeting_id: int):
        return copy.deepcopy(self.meetings.get(meeting_id))

    def meeting_by_uid(self, uid: str):
        return copy.deepcopy(next((m for m in self.meetings.values() if m.uid == uid), None))

    def get_task(self, task_id: int):
        return copy.deepcopy(self.task_rows.get(task_id))

    def tasks(self, meeting_id: int | None = None, owner: str | None = None, open_only: bool = False) -> list:
        found = [t for _id, t in sorted(self.task_rows.items())
                 if (meeting_id is None or t.meeting_id == meeting_id)
                 and (not owner or t.owner == owner.lower())
                 and not (open_only and t.status.value in ("done", "verified"))]
        return copy.deepcopy(found)

    def task_events(self, task_id: int) -> list:
        return copy.deepcopy([e for e in self.events if e.task_id == task_id])

    def latest_task_events(self, task_ids: list[int]) -> dict:
        return {e.task_id: copy.deepcopy(e) for e in self.events if e.task_id in task_ids and e.text}

    def minutes_versions(self, meeting_id: int) -> list:
        return copy.deepcopy(sorted((v for v in self.minutes if v.meeting_id == meeting_id),
                                    key=lambda v: v.version))

    def minutes_confirmations(self, meeting_id: int) -> list:
        return copy.deepcopy([c for c in self.confirmations if c.meeting_id == meeting_id])

    def minutes_candidates(self, people: list[str], since: datetime, now: datetime) -> list:
        """Meetings one of `people` records or hosts, ended in [since, now], minutes not final."""
        found = [m for m in self.meetings.values()
                 if m.status == "scheduled" and m.minutes_state != "final"
                 and (m.recorder in people or m.host in people) and since <= m.end <= now]
        return copy.deepcopy(sorted(found, key=lambda m: (m.end, m.id), reverse=True))

    def sent_message(self, message_id: str) -> dict | None:
        row = next((r for r in self.outbox if r["message_id"] == message_id), None)
        return {k: v for k, v in row.items() if k != "message_id"} if row else None

    def outbox_items(self, outbox_id: int) -> list[int] | None:
        row = next((r for r in self.outbox if r["id"] == outbox_id), None)
        return list(self.items[row["message_id"]]) if row and row["message_id"] in self.items else None
