"""Meetings, with their attendees and agenda items: saving a Meeting and reading it back, and the
rule tick's narrow reads of meeting times.
"""

from __future__ import annotations

from datetime import datetime

from ...model import AgendaItem, Attendee, Meeting, Role, Rsvp
from .base import Repository, dt_text, dt_value


class MeetingsRepository(Repository):

    def save_meeting(self, m: Meeting, now: datetime) -> Meeting:
        with self.transaction():
            new = m.id is None
            if new:
                m.id = self.next_id("meetings")
            if m.created_at is None:
                m.created_at = now
            row = {"id": m.id, "uid": m.uid, "title": m.title, "goal": m.goal, "start": dt_text(m.start),
                   "end": dt_text(m.end), "tz": m.tz, "location": m.location, "online": m.online,
                   "host": m.host, "recorder": m.recorder, "preparer": m.preparer, "sequence": m.sequence,
                   "status": m.status, "cancel_reason": m.cancel_reason, "source": m.source,
                   "minutes_state": m.minutes_state, "created_at": dt_text(m.created_at),
                   "updated_at": dt_text(now)}
            meetings = self.table("meetings")
            # created_at is written once, when the meeting is first stored
            if not new and meetings.count_where("id = ?", [m.id]):
                meetings.update(m.id, {k: v for k, v in row.items() if k not in ("id", "created_at")})
            else:
                meetings.insert(row)
            self.table("attendees").delete_where("meeting_id = ?", [m.id])
            self.table("attendees").insert_all(
                {"meeting_id": m.id, "email": a.email, "role": a.role.value, "name": a.name,
                 "rsvp": a.rsvp.value, "proxy": a.proxy, "answered_at": dt_text(a.answered_at),
                 "answered_via": a.answered_via, "rsvp_sequence": a.rsvp_sequence,
                 "rsvp_stamp": dt_text(a.rsvp_stamp), "position": pos}
                for pos, a in enumerate(m.attendees))
            self.table("agenda_items").delete_where("meeting_id = ?", [m.id])
            self.table("agenda_items").insert_all(
                {"meeting_id": m.id, "seq": it.seq, "title": it.title, "owner": it.owner,
                 "minutes": it.minutes, "outcome": it.outcome, "materials": it.materials}
                for it in m.agenda)
        return m

    def _meeting(self, row: dict | None) -> Meeting | None:
        if row is None:
            return None
        mid = row["id"]
        # Ingest hot path (every reply reads its meeting): plain SQL, as in get_meeting
        attendees = [
            Attendee(email=a["email"], role=Role(a["role"]), name=a["name"] or "", rsvp=Rsvp(a["rsvp"]),
                     proxy=a["proxy"], answered_at=dt_value(a["answered_at"]), answered_via=a["answered_via"],
                     rsvp_sequence=a["rsvp_sequence"], rsvp_stamp=dt_value(a["rsvp_stamp"]))
            for a in self._all("SELECT * FROM attendees WHERE meeting_id = ? ORDER BY position", (mid,))]
        agenda = [AgendaItem(seq=r["seq"], title=r["title"], owner=r["owner"], minutes=r["minutes"],
                             outcome=r["outcome"] or "", materials=r["materials"] or "")
                  for r in self._all("SELECT * FROM agenda_items WHERE meeting_id = ? ORDER BY seq", (mid,))]
        return Meeting(id=mid, uid=row["uid"], title=row["title"], goal=row["goal"] or "",
                       start=dt_value(row["start"]), end=dt_value(row["end"]), tz=row["tz"],
                       location=row["location"] or "", online=row["online"] or "", host=row["host"] or "",
                       recorder=row["recorder"], preparer=row["preparer"], attendees=attendees,
                       agenda=agenda, sequence=row["sequence"], status=row["status"],
                       cancel_reason=row["cancel_reason"] or "", source=row["source"] or "",
                       minutes_state=row["minutes_state"], created_at=dt_value(row["created_at"]))

    def get_meeting(self, meeting_id: int) -> Meeting | None:
        # Ingest hot path: plain SQL (bench/store_ops.py: get() costs several times this)
        return self._meeting(self._one("SELECT * FROM meetings WHERE id = ?", (meeting_id,)))

    def meeting_by_uid(self, uid: str) -> Meeting | None:
        # Ingest hot path (each calendar part's UID): plain SQL (bench/store_ops.py: rows_where() ~8x this)
        return self._meeting(self._one("SELECT * FROM meetings WHERE uid = ?", (uid,)))

    def meetings(self, status: str | None = None) -> list[Meeting]:
        if status:
            rows = self.table("meetings").rows_where("status = ?", [status], order_by="start")
        else:
            rows = self.table("meetings").rows_where(order_by="start")
        return [self._meeting(r) for r in list(rows)]

    def meetings_by_ids(self, ids: list[int]) -> list[Meeting]:
        return [m for m in (self.get_meeting(i) for i in ids) if m is not None]

    # --- the rule tick (timeline/, daemon): narrow reads through the julianday indexes ---------------
    def meeting_times(self, field: str, until: datetime,
                      weekdays: set[int] | None = None) -> list[tuple[int, datetime]]:
        """(id, start|end|created_at) of every meeting not cancelled whose time is <= until — two
        columns only, for repeating rules (the weekly follow-up table). `weekdays` (Mon=0, in
        until's zone) keeps only meetings on those weekdays, computed in SQL."""
        assert field in ("start", "end", "created_at")
        where = f'status != \'cancelled\' AND julianday("{field}") <= julianday(?)'
        params: list = [dt_text(until)]
        if weekdays is not None:
            if not weekdays:
                return []
            # julianday() is UTC; shift by the zone's offset, and JDN % 7 == 0 is a Monday
            offset = until.utcoffset().total_seconds() / 86400 if until.utcoffset() else 0.0
            where += (f' AND CAST(julianday("{field}") + ? + 0.5 AS INTEGER) % 7 IN '
                      f'({",".join("?" * len(weekdays))})')
            params += [offset, *sorted(weekdays)]
        rows = self.table("meetings").rows_where(where, params, select=f'id, "{field}" AS t')
        return [(r["id"], dt_value(r["t"])) for r in rows if r["t"]]

    def meetings_in_window(self, field: str, lo: datetime, hi: datetime) -> list[Meeting]:
        """Scheduled meetings whose start|end|created_at lies in [lo, hi), through the julianday index."""
        assert field in ("start", "end", "created_at")
        rows = self.table("meetings").rows_where(
            f'+status = \'scheduled\' AND julianday("{field}") >= julianday(?) AND '
            f'julianday("{field}") < julianday(?)', [dt_text(lo), dt_text(hi)], order_by="id")
        return [self._meeting(r) for r in list(rows)]
