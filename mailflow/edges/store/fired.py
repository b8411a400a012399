"""Rule firings: the once-only record of each timeline step (rule, object, occurrence) that was
sent, skipped as too late, or found unmet, so a step never fires twice (DESIGN.md "Never lose,
never repeat").
"""

from __future__ import annotations

from datetime import datetime

from .base import Repository, chunks, dt_text, marks


class FiredRepository(Repository):

    def has_fired(self, key: str) -> bool:
        return self.table("fired").count_where("key = ?", [key]) > 0

    def fired_among(self, keys: list[str]) -> set[str]:
        """Which of `keys` have fired (or were recorded skipped/unmet): one query per 500 keys."""
        found: set[str] = set()
        for chunk in chunks(keys):
            found |= {r["key"] for r in self.table("fired").rows_where(f"key IN ({marks(chunk)})", chunk,
                                                                       select="key")}
        return found

    def mark_fired(self, key: str, rule: str, obj: str, moment: datetime | None, now: datetime,
                   status: str = "sent") -> None:
        self.table("fired").insert({"key": key, "rule": rule, "object": obj, "moment": dt_text(moment),
                                    "at": dt_text(now), "status": status}, ignore=True)

    def firings(self, rule: str, obj: str | None = None) -> list[dict]:
        """What became of each step of this rule (for this object, "t42", "m7" …) in the order they
        were recorded: key, rule, object, moment, at and status ('sent', 'skipped', 'unmet', 'error')."""
        where, params = "rule = ?", [rule]
        if obj is not None:
            where, params = where + " AND object = ?", params + [obj]
        return list(self.table("fired").rows_where(where, params, order_by="rowid"))
