"""The outbox: rendered mails queued with their Message-ID and a unique dedupe key, their sending
state (queued, retry, sent, dead, held), the per-recipient counts of the hourly cap, what we sent
under a Message-ID (reply routing), and the numbered task lists of sent mails.
"""

from __future__ import annotations

import json
from datetime import datetime

from .base import Repository, dt_text, json_text


class OutboxRepository(Repository):

    def queue_mail(self, *, dedupe_key: str, message_id: str, raw: bytes, sender: str,
                   recipients: list[str], subject: str, now: datetime, kind: str = "",
                   template: str = "", meeting_id: int | None = None, task_id: int | None = None,
                   not_before: datetime | None = None, status: str = "queued") -> bool:
        """Queue a rendered mail; False (and nothing queued) when its dedupe key was queued before."""
        # Ingest hot path, several times per mail: plain SQL (bench/store_ops.py: insert() costs more)
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO outbox (dedupe_key, message_id, kind, template, meeting_id, task_id, "
            "sender, recipients, subject, raw, status, not_before, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (dedupe_key, message_id, kind, template, meeting_id, task_id, sender, json_text(recipients),
             subject, raw, status, dt_text(not_before), dt_text(now)))
        return cur.rowcount == 1

    def is_queued(self, dedupe_key: str) -> bool:
        return self.table("outbox").count_where("dedupe_key = ?", [dedupe_key]) > 0

    def sent_message(self, message_id: str) -> dict | None:
        """What we sent under this Message-ID: kind, meeting_id, task_id (for reply routing)."""
        # Ingest hot path (routing of every reply): plain SQL
        return self._one("SELECT id, kind, template, meeting_id, task_id, recipients FROM outbox "
                         "WHERE message_id = ?", (message_id,))

    def outbox_due(self, now: datetime, limit: int = 100) -> list[dict]:
        rows = list(self.table("outbox").rows_where(
            "status IN ('queued', 'retry') AND (not_before IS NULL OR julianday(not_before) <= julianday(?))",
            [dt_text(now)], select="id, message_id, sender, recipients, raw, attempts, kind", order_by="id",
            limit=int(limit)))
        for r in rows:
            r["recipients"] = json.loads(r["recipients"])
        return rows

    def outbox_rows(self, status: str | None = None, limit: int = 200) -> list[dict]:
        select = ("id, dedupe_key, message_id, kind, meeting_id, task_id, recipients, subject, status, "
                  "attempts, not_before, last_error, created_at, sent_at")
        where, params = (("status = ?", [status]) if status else (None, None))
        rows = list(self.table("outbox").rows_where(where, params, select=select, order_by="id DESC",
                                                    limit=int(limit)))
        for r in rows:
            r["recipients"] = json.loads(r["recipients"])
        return rows

    def outbox_history(self, kind: str | None = None, to: str | None = None) -> list[dict]:
        """Every mail ever queued, oldest first, whatever became of it: all its columns (raw bytes
        too) with recipients as a list; only mails of this kind, or with this address among their
        recipients, if given. For tests, benchmarks and audits (the daemon reads outbox_due)."""
        where, params = [], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if to:
            where.append("EXISTS (SELECT 1 FROM json_each(recipients) WHERE value = ?)")
            params.append(to)
        rows = list(self.table("outbox").rows_where(" AND ".join(where) or None, params or None, order_by="id"))
        for r in rows:
            r["recipients"] = json.loads(r["recipients"])
        return rows

    def outbox_counts(self, kind: str | None = None) -> dict[str, int]:
        """How many mails are in each state; only mails of this kind (task_assigned …) if given."""
        where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
        return {r["status"]: r["n"]
                for r in self.db.query(f"SELECT status, COUNT(*) n FROM outbox {where} GROUP BY status", params)}

    # --- sending state ------------------------------------------------------------------------------
    def mark_sent(self, outbox_id: int, now: datetime) -> None:
        self.table("outbox").update(outbox_id, {"status": "sent", "sent_at": dt_text(now), "attempts": 1,
                                                "last_error": None}, conversions={"attempts": "attempts + ?"})

    def mark_retry(self, outbox_id: int, error: str, not_before: datetime) -> None:
        self.table("outbox").update(outbox_id, {"status": "retry", "attempts": 1, "last_error": error,
                                                "not_before": dt_text(not_before)},
                                    conversions={"attempts": "attempts + ?"})

    def mark_dead(self, outbox_id: int, error: str) -> None:
        self.table("outbox").update(outbox_id, {"status": "dead", "attempts": 1, "last_error": error},
                                    conversions={"attempts": "attempts + ?"})

    def requeue(self, outbox_id: int) -> bool:
        """Send a dead, retrying or held mail again now; False if it is in none of those states."""
        # An update on a condition that reports whether it matched: sqlite-utils' update() has no form for it
        cur = self.conn.execute("UPDATE outbox SET status='queued', not_before=NULL WHERE id=? "
                                "AND status IN ('dead', 'retry', 'held')", (outbox_id,))
        return cur.rowcount == 1

    # --- the hourly cap per recipient (outbox_rcpt, kept by triggers; schema.py v5) -----------------
    def sent_to_since(self, recipient: str, since: datetime) -> int:
        """Mails queued for `recipient` since `since` (for the hourly loop-breaking cap)."""
        return self.table("outbox_rcpt").count_where("recipient = ? AND jd >= julianday(?) AND held = 0",
                                                     [recipient, dt_text(since)])

    def held_to_since(self, recipient: str, since: datetime) -> int:
        """Mails held for `recipient` (hourly cap) queued since `since`: one log line per hour."""
        return self.table("outbox_rcpt").count_where("recipient = ? AND jd >= julianday(?) AND held = 1",
                                                     [recipient, dt_text(since)])

    # --- numbered task lists of sent mails (flows/task_status: multi-item answers) -------------------------
    def save_outbox_items(self, message_id: str, task_ids: list[int]) -> None:
        self.table("outbox_items").insert({"message_id": message_id, "items": json_text([int(i) for i in task_ids])},
                                          ignore=True)

    def outbox_items(self, outbox_id: int) -> list[int] | None:
        """The task ids a sent mail (by outbox row id) numbered 1..n, or None."""
        for row in self.db.query("SELECT i.items FROM outbox_items i JOIN outbox o ON o.message_id = i.message_id "
                                 "WHERE o.id = ?", (outbox_id,)):
            return json.loads(row["items"])
        return None
