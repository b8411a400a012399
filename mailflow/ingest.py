"""Ingest: one inbound mail becomes one transaction — parse, route, run the core, commit.

An edge module (store and mailbox), beside outbox.py and daemon.py. What it promises:

- Everything a mail caused (the inbound row under its unique Message-ID, task and meeting rows,
  events, queued mails) commits in ONE transaction, and the mail is marked processed on the server
  only AFTER that commit. A crash in between leaves it unmarked: fetched again, it is recognised by
  its Message-ID and only marked, never applied twice.
- A mail whose processing raised is stored with status `error`, its traceback and its raw bytes
  (a dead letter `mailflow replay` runs again after a fix); the loop goes on.
- When the store itself cannot be written (disk full, read-only) nothing is marked and ingest
  pauses (StoreUnavailable); a store that is gone or damaged (StoreError) stops the daemon.
- `now` comes from the App's clock (FakeClock in tests, `--now` in simulations), never from the
  system clock directly.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import traceback
from datetime import datetime
from typing import Any, Callable

from .app import App
from .edges import snapshot
from .edges.mailbox import HEAD_BYTES
from .edges.store import StoreError
from .flows import dispatch
from .model import Snapshot
from .outbox import Outbox, unwritable
from .read import inbound

log = logging.getLogger("mailflow")

INGEST_BATCH = 200  # inbound mails per fetch


class Ingest:
    def __init__(self, app: App, outbox: Outbox, stop_event: threading.Event | None = None):
        self.app = app
        self.store = app.store
        self.outbox = outbox
        self.stop_event = stop_event or outbox.stop_event

    # --- one mail -----------------------------------------------------------------------------
    def process_raw(self, raw: bytes, mailbox_key: str, now: datetime, *, replay: bool = False,
                    size: int | None = None) -> str:
        """Parse, route and apply one mail; returns the status stored for it. `size` is the whole
        mail's size when `raw` is only its head (the inbox did not fetch a mail over the limit)."""
        org = self.app.settings.org
        limit = self.app.settings.mailbox.max_message_bytes
        if max(len(raw), size or 0) > limit:
            return self._too_large(raw, mailbox_key, now, max(len(raw), size or 0), limit, replay)
        msg = inbound.parse(raw, own_addresses=[org.address])
        previous = self.store.inbound_status(msg.message_id)
        if previous is not None and previous != "too_large" and not replay:
            log.info("duplicate %s (already %s); not applied again", msg.message_id, previous)
            return "duplicate"
        try:
            with self.store.transaction():
                # The flow decides over a snapshot loaded here, in the transaction that commits its
                # Outcome: it never reads the store halfway (edges/snapshot.py).
                rt, snap = snapshot.load(self.store, msg, self.app.org(), self.app.directory, now)
                out = dispatch.handle_inbound(self.app.context(now, snap), msg, rt, self.app.handlers)
                self.outbox.commit(out, now)
                self.store.record_inbound(
                    message_id=msg.message_id, raw=raw, mailbox_key=mailbox_key, received_at=now,
                    sender=msg.sender, subject=msg.subject, status=out.status, detail="; ".join(out.log),
                    meeting_id=rt.meeting_id, task_id=rt.task_id if out.task_id is None else out.task_id,
                    intent=out.intent)
        except sqlite3.OperationalError as e:
            raise unwritable(e) from e
        except StoreError:
            raise
        except Exception as e:  # a bug or a mail we cannot handle: keep it, say why, go on
            self._dead_letter(msg, raw, mailbox_key, now, e)
            return "error"
        for line in out.log:
            log.info("%s from %s: %s", msg.message_id, msg.sender, line)
        log.info("inbound %s from %s routed %s/%s -> %s", msg.message_id, msg.sender, rt.kind, rt.via, out.status)
        return out.status

    def _dead_letter(self, msg: Any, raw: bytes, mailbox_key: str, now: datetime, e: Exception) -> None:
        """Keep a mail whose processing raised, with its traceback; the admin gets a copy."""
        tb = traceback.format_exc()
        log.error("error processing %s from %s: %s: %s", msg.message_id, msg.sender, type(e).__name__, e)
        try:
            with self.store.transaction():
                self.store.record_inbound(
                    message_id=msg.message_id, raw=raw, mailbox_key=mailbox_key, received_at=now,
                    sender=msg.sender, subject=msg.subject, status="error",
                    detail=f"{type(e).__name__}: {e}", error=tb)
                if self.app.settings.org.admin:
                    self.outbox.queue(dispatch.forward_to_admin(self.app.context(now, Snapshot()), msg, "error",
                                                            f"{type(e).__name__}: {e}"), now)
        except sqlite3.OperationalError as e2:
            raise unwritable(e2) from e2

    def _too_large(self, raw: bytes, mailbox_key: str, now: datetime, size: int, limit: int,
                   replay: bool) -> str:
        """A mail over [mailbox] max_message_bytes is not read: its header block (within the first
        HEAD_BYTES) says who sent what; that head is stored as a truncated record with status
        `too_large`, the admin is told, and the whole mail stays in the mailbox, marked processed."""
        head = raw[:HEAD_BYTES]
        ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
        msg = inbound.parse(head[:min(ends)] + b"\r\n\r\n" if ends else head, own_addresses=[self.app.settings.org.address])
        if self.store.inbound_status(msg.message_id) is not None and not replay:
            log.info("duplicate %s (too large, already stored); not stored again", msg.message_id)
            return "duplicate"
        detail = (f"{size:,} bytes, over [mailbox] max_message_bytes ({limit:,}): not read. Stored: its first "
                  f"{len(head):,} bytes; the whole mail stays in the mailbox, marked processed")
        admin = self.app.settings.org.admin
        try:
            with self.store.transaction():
                self.store.record_inbound(
                    message_id=msg.message_id, raw=head, mailbox_key=mailbox_key, received_at=now,
                    sender=msg.sender, subject=msg.subject, status="too_large", detail=detail)
                if admin:
                    self.outbox.queue(dispatch.forward_to_admin(self.app.context(now, Snapshot()), msg,
                                                                "too_large", detail), now)
        except sqlite3.OperationalError as e:
            raise unwritable(e) from e
        log.warning("inbound %s from %s: too large (%s)%s", msg.message_id, msg.sender, detail,
                    "; the admin is told" if admin else "")
        return "too_large"

    def replay(self, ident: int | str) -> str:
        row = self.store.inbound_row(ident)
        if row is None:
            raise KeyError(f"no stored inbound message {ident}")
        if row["status"] == "too_large":
            raise KeyError(f"inbound {ident} was too large: only its head is stored. Raise [mailbox] "
                           "max_message_bytes and put the mail back into the inbox (unflag it, or move it "
                           "back from the processed folder)")
        return self.process_raw(row["raw"], row["mailbox_key"] or "", self.app.now(), replay=True)

    # --- the inbox, batch by batch --------------------------------------------------------------
    def ingest_once(self, limit: int = INGEST_BATCH) -> int:
        """One pass over the inbox; returns how many mails were taken."""
        return len(self._ingest(limit))

    def _ingest(self, limit: int) -> list:
        items = take_batch(self.app.inbox, limit, self.stop_event, self.process_item)
        self.store.set_meta("last_poll", self.app.now().isoformat())
        return items

    def process_item(self, item: Any) -> str:
        return self.process_raw(item.raw, item.key, self.app.now(), size=item.size)

    def drain_inbox(self, batch: int = INGEST_BATCH) -> int:
        """Take mail until the inbox is empty (batch by batch); stops when a batch brings nothing
        new (mail that cannot be marked is fetched again: it must not loop for ever)."""
        total, seen = 0, set()
        while not self.stop_event.is_set():
            items = self._ingest(batch)
            keys = {item.key for item in items}
            if not keys - seen:
                break
            total += len(keys - seen)
            seen |= keys          # (a batch may be short of `batch`: the inbox bounds its bytes)
        return total


def take_batch(inbox: Any, limit: int, stop_event: threading.Event, apply: Callable[[Any], Any]) -> list:
    """Fetch up to `limit` mails and `apply` each (its own transaction), then mark the committed
    ones processed. One place for both callers: `Ingest` applies inline, the daemon's inbox
    thread hands each mail to the loop thread that owns SQLite. An `apply` that raises
    (StoreUnavailable) leaves that mail and the rest unmarked, to be fetched again."""
    items = inbox.fetch(limit)
    committed: list = []
    try:
        for item in items:
            if stop_event.is_set():
                break
            apply(item)
            committed.append(item)
    finally:
        mark_done(inbox, committed)
    return items


def mark_done(inbox: Any, items: list) -> None:
    """Mark committed mail processed, a batch at a time: one WAL sync and one IMAP STORE per
    batch instead of per message (bench/ingest.py). A crash before this leaves them unmarked;
    fetched again, they are recognised by Message-ID and only marked, never applied twice."""
    if not items:
        return
    many = getattr(inbox, "mark_done_many", None)
    if many is not None:
        many(items)
    else:
        for item in items:
            inbox.mark_done(item)
