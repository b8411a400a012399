"""Inbound mail: one row per Message-ID with its raw bytes (zlib), what became of it (applied,
unknown, refused, failed …) and why; the dead letters `mailflow replay` runs again; the daily
digest of replies that need a human.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from .base import Repository, dt_text, dt_value


class InboundRepository(Repository):

    def inbound_status(self, message_id: str) -> str | None:
        # Ingest hot path (the replay check of every mail): plain SQL, see bench/store_ops.py
        row = self._one("SELECT status FROM inbound WHERE message_id = ?", (message_id,))
        return row["status"] if row else None

    def record_inbound(self, *, message_id: str, raw: bytes, mailbox_key: str, received_at: datetime,
                       sender: str, subject: str, status: str, detail: str = "", error: str = "",
                       meeting_id: int | None = None, task_id: int | None = None,
                       intent: str | None = None) -> None:
        """Insert or update the row of one inbound message (raw bytes kept, zlib-compressed; a
        `too_large` row's head is replaced by the whole mail once it is read). Its id is not read
        back: no caller needs it, and that was a second query per mail (inbound_row has it)."""
        # Ingest hot path, once per mail: plain SQL (bench/store_ops.py: upsert() costs many times this).
        # A second recording keeps where and when the mail first came from.
        self.conn.execute(
            "INSERT INTO inbound (message_id, mailbox_key, received_at, sender, subject, status, detail, "
            "error, meeting_id, task_id, intent, raw, processed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(message_id) DO UPDATE SET status=excluded.status, detail=excluded.detail, "
            "error=excluded.error, meeting_id=excluded.meeting_id, task_id=excluded.task_id, "
            "intent=excluded.intent, processed_at=excluded.processed_at, raw=excluded.raw",
            (message_id, mailbox_key, dt_text(received_at), sender, subject, status, detail, error,
             meeting_id, task_id, intent, zlib.compress(raw, 6), dt_text(received_at)))

    def inbound_row(self, ident: int | str) -> dict | None:
        """The row of one inbound mail by its id or Message-ID, raw bytes decompressed."""
        key = "id" if isinstance(ident, int) or str(ident).isdigit() else "message_id"
        row = next(self.table("inbound").rows_where(f"{key} = ?", [ident]), None)
        if row and row["raw"] is not None:
            row["raw"] = zlib.decompress(row["raw"])
        return row

    def inbound_history(self, sender: str | None = None) -> list[dict]:
        """Every inbound mail in the order it first came, with what became of it (status, intent,
        detail, task_id …) but not its raw bytes (inbound_row has them); only this sender's if given."""
        select = ("id, message_id, mailbox_key, received_at, sender, subject, status, detail, error, "
                  "meeting_id, task_id, intent, processed_at")
        where, params = ("sender = ?", [sender]) if sender else (None, None)
        return list(self.table("inbound").rows_where(where, params, select=select, order_by="id"))

    def inbound_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self.db.query("SELECT status, COUNT(*) n FROM inbound GROUP BY status")}

    def unknown_replies_by_host(self, since: datetime, until: datetime) -> dict[str, list[dict]]:
        """Inbound mail with status 'unknown' (needs a human), and refused mail from strangers
        (flows/task_refusals._refuse), about a task or meeting, received in (since, until], grouped by the
        meeting's host: the daily digest."""
        rows = self.db.query(
            "SELECT i.id, i.message_id, i.received_at, i.sender, i.subject, i.detail, i.task_id, "
            "COALESCE(i.meeting_id, t.meeting_id) AS meeting_id, m.host, m.title AS meeting_title, "
            "t.title AS task_title FROM inbound i LEFT JOIN tasks t ON t.id = i.task_id "
            "JOIN meetings m ON m.id = COALESCE(i.meeting_id, t.meeting_id) "
            "WHERE i.status IN ('unknown', 'refused') AND (i.status = 'unknown' OR i.intent = 'stranger') "
            "AND (i.task_id IS NOT NULL OR i.meeting_id IS NOT NULL) "
            "AND julianday(i.received_at) > julianday(?) AND julianday(i.received_at) <= julianday(?) "
            "ORDER BY m.host, i.received_at, i.id", (dt_text(since), dt_text(until)))
        out: dict[str, list[dict]] = {}
        for r in rows:
            r["received_at"] = dt_value(r["received_at"])
            if r["host"]:
                out.setdefault(r["host"], []).append(r)
        return out
