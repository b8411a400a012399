"""Minutes: the versions of each meeting's minutes (with the parsed decisions and action items),
the attendees' confirmations of the final version, and which meetings a new-thread draft may
belong to.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from ...model import ActionItem, Meeting, MinutesConfirmation, MinutesVersion, ParsedMinutes, Problem
from .base import Repository, date_text, date_value, dt_text, dt_value, json_text, marks


def parsed_to_data(p: ParsedMinutes) -> dict:
    return {"decisions": p.decisions,
            "action_items": [{**asdict(a), "due": date_text(a.due)} for a in p.action_items],
            "problems": [asdict(x) for x in p.problems]}


def parsed_from_data(d: dict) -> ParsedMinutes:
    return ParsedMinutes(
        decisions=list(d.get("decisions", [])),
        action_items=[ActionItem(**{**a, "due": date_value(a.get("due"))}) for a in d.get("action_items", [])],
        problems=[Problem(**x) for x in d.get("problems", [])])


class MinutesRepository(Repository):

    def save_minutes(self, mv: MinutesVersion) -> MinutesVersion:
        """A new version is inserted; saving a stored one again changes only its status and parsed data."""
        with self.transaction():
            if mv.id is None:
                mv.id = self.next_id("minutes")
            parsed = json_text(parsed_to_data(mv.parsed)) if mv.parsed else None
            minutes = self.table("minutes")
            if minutes.count_where("id = ?", [mv.id]):
                minutes.update(mv.id, {"status": mv.status, "parsed": parsed})
            else:
                minutes.insert({"id": mv.id, "meeting_id": mv.meeting_id, "version": mv.version,
                                "status": mv.status, "text": mv.text, "author": mv.author,
                                "received_at": dt_text(mv.received_at), "message_id": mv.message_id,
                                "parsed": parsed})
        return mv

    def minutes_versions(self, meeting_id: int) -> list[MinutesVersion]:
        # Ingest hot path (a minutes mail's meeting): plain SQL (bench/store_ops.py: rows_where() ~8x this)
        rows = self._all("SELECT * FROM minutes WHERE meeting_id = ? ORDER BY version", (meeting_id,))
        return [MinutesVersion(id=r["id"], meeting_id=r["meeting_id"], version=r["version"],
                               status=r["status"], text=r["text"], author=r["author"] or "",
                               received_at=dt_value(r["received_at"]), message_id=r["message_id"],
                               parsed=parsed_from_data(json.loads(r["parsed"])) if r["parsed"] else None)
                for r in rows]

    def minutes_candidates(self, people: list[str], since: datetime, now: datetime) -> list[Meeting]:
        """Meetings of which one of `people` is recorder or host, ended in [since, now], minutes not
        final: where a new-thread draft may belong (most recent end first)."""
        # Ingest hot path (every mail that looks like a draft): plain SQL (bench/store_ops.py: rows_where())
        rows = self._all(
            "SELECT * FROM meetings WHERE status = 'scheduled' AND minutes_state != 'final' "
            f'AND (recorder IN ({marks(people)}) OR host IN ({marks(people)})) '
            'AND julianday("end") >= julianday(?) AND julianday("end") <= julianday(?) '
            'ORDER BY julianday("end") DESC, id DESC',
            (*people, *people, dt_text(since), dt_text(now)))
        return [self._meeting(r) for r in rows]

    # --- the attendees' confirmations of the final minutes -------------------------------------------
    def save_minutes_confirmation(self, c: MinutesConfirmation) -> None:
        self.table("minutes_confirmations").upsert(
            {"meeting_id": c.meeting_id, "email": c.email, "version": c.version, "status": c.status,
             "deadline": dt_text(c.deadline), "answered_at": dt_text(c.answered_at), "text": c.text,
             "message_id": c.message_id},
            pk=("meeting_id", "email"))

    def minutes_confirmations(self, meeting_id: int) -> list[MinutesConfirmation]:
        # Ingest hot path (a minutes mail's meeting): plain SQL (bench/store_ops.py: rows_where() ~8x this)
        rows = self._all("SELECT * FROM minutes_confirmations WHERE meeting_id = ? ORDER BY rowid",
                         (meeting_id,))
        return [MinutesConfirmation(meeting_id=r["meeting_id"], version=r["version"], email=r["email"],
                                    status=r["status"], deadline=dt_value(r["deadline"]),
                                    answered_at=dt_value(r["answered_at"]), text=r["text"] or "",
                                    message_id=r["message_id"])
                for r in rows]
