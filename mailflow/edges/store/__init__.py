"""The SQLite store: the one interface the rest of mailflow talks to for state (edges/ because it
is I/O; read/, flows/, timeline/ and write/ never import it).

`Store` is a facade over one repository per table group, each in its own module:

    connection.py   opening the file, the unit of work (one transaction per event), meta
    schema.py       tables, indexes, triggers: numbered migrations written with sqlite-utils
    meetings.py     meetings, attendees, agenda items
    tasks.py        tasks and task_events
    minutes.py      minutes versions and confirmations
    inbound.py      inbound mail (dead letters, the digest)
    outbox.py       queued and sent mail, the hourly cap, numbered task lists
    fired.py        rule firings
    people.py       the directory mirror
    checkpoints.py  IMAP checkpoints (two implementations)

WAL mode; any SQLite tool can open the file. SQL and SQLite's dialect (julianday, json_each,
ON CONFLICT) stay inside this package, so a PostgreSQL implementation can replace it whole.

sqlite-utils does the schema, migrations, inserts/upserts and the simple reads. The few methods
that run for nearly every ingested reply (get_task, get_meeting, tasks, save_task, add_task_event,
task_events, record_inbound, inbound_status, queue_mail, sent_message), and the reads a calendar or
minutes mail loads (meeting_by_uid, minutes_candidates, minutes_versions, minutes_confirmations),
stay one plain SQL statement each, read through Repository._one/_all: sqlite-utils asks SQLite for
the table (and for an upsert its columns) and opens a savepoint around every call, which
`python bench/store_ops.py` measures at 2x (insert or ignore) to 30x (upsert) the plain statement,
~8x for a rows_where() read: over the ~12 such calls of one reply, about 0.5 ms more per reply on
an idle machine, ~10 % of a reply at the 227 replies/s of `python bench/ingest.py`.
"""

from __future__ import annotations

from .base import (BUSY_TIMEOUT_MS, OUTBOX_STATES, StoreDamaged, StoreError, StoreGone, damaged,
                   is_damage)
from .checkpoints import Checkpoint, CheckpointRepository
from .connection import StoreConnection
from .fired import FiredRepository
from .inbound import InboundRepository
from .meetings import MeetingsRepository
from .minutes import MinutesRepository
from .outbox import OutboxRepository
from .people import PeopleRepository
from .schema import MIGRATIONS
from .tasks import TasksRepository

__all__ = ["Store", "StoreError", "StoreGone", "StoreDamaged", "damaged", "is_damage", "BUSY_TIMEOUT_MS",
           "OUTBOX_STATES", "MIGRATIONS", "Checkpoint"]


class Store(StoreConnection, MeetingsRepository, TasksRepository, MinutesRepository, InboundRepository,
            OutboxRepository, FiredRepository, PeopleRepository, CheckpointRepository):
    """One SQLite file and every repository over it. Not thread-safe: the daemon uses it from one
    thread; the IMAP worker thread gets its own connection through checkpoint()."""

    def checkpoint(self) -> "Checkpoint | Store":
        """A checkpoint for the IMAP worker thread: same table, its own connection."""
        return Checkpoint(self.path, self.identity) if self.path != ":memory:" else self
