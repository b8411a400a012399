"""The outbox: an Outcome's effects queued in the event's transaction, then sent by a drain.

An edge module (it talks to the store and the mailer), beside ingest.py and daemon.py:

- `commit` writes what a flow or a rule step decided (meetings, tasks, events, mails) inside the
  caller's transaction, so a mail and everything it caused are stored together or not at all.
- `queue` renders a mail when it is queued: its Message-ID and its dedupe key (rule:object:moment,
  or the inbound mail's) are fixed then, so a retry resends the same bytes and a re-run queues
  nothing new. Over [smtp] hourly_cap a mail is held for a human, never sent later on its own.
- `flush_once` sends what is due: a 4xx or a network error is retried with backoff, a 5xx (or too
  many attempts) makes the row dead — kept, with its error, never dropped.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
from datetime import datetime, timedelta

from .app import App
from .model import Mail, Outcome

log = logging.getLogger("mailflow")

FLUSH_BATCH = 100   # outbox rows per flush; a full batch is followed by the next at once


class StoreUnavailable(RuntimeError):
    """The database cannot be written (disk full, read-only): stop taking mail off the server."""


def unwritable(e: sqlite3.OperationalError, more: str = "") -> StoreUnavailable:
    return StoreUnavailable(f"cannot write the store: {e}{more}")


class Outbox:
    def __init__(self, app: App, stop_event: threading.Event | None = None):
        self.app = app
        self.store = app.store
        self.stop_event = stop_event or threading.Event()
        # Mails the SMTP server accepted while the store could not record it (disk full): recorded
        # before anything else is sent, so an unwritable store never resends them pass after pass.
        self._sent_unrecorded: dict[int, datetime] = {}
        self._unsaved_error: dict | None = None      # last_error that could not be written yet
        self.more_due = False                         # the last flush had a full batch

    # --- committing an outcome ---------------------------------------------------------
    def commit(self, out: Outcome, now: datetime) -> None:
        """Store an outcome's objects and queue its mails; the caller holds the transaction."""
        for m in out.meetings:
            self.store.save_meeting(m, now)
        for mv in out.minutes:
            self.store.save_minutes(mv)
        for t in out.tasks:
            self.store.save_task(t, now)
        for e in out.task_events:
            self.store.add_task_event(e)
        for c in out.confirmations:
            self.store.save_minutes_confirmation(c)
        for mail in out.mails:
            self.queue(mail, now)

    def queue(self, mail: Mail, now: datetime, not_before: datetime | None = None) -> bool:
        if self.store.is_queued(mail.key):
            return False
        org = self.app.settings.org
        reply_to = None
        if org.plus_addressing and self.app.settings.secret:
            from . import tokens
            if mail.task_id is not None:
                reply_to = tokens.reply_address(org.address, self.app.settings.secret, "t", mail.task_id)
            elif mail.meeting_id is not None:
                reply_to = tokens.reply_address(org.address, self.app.settings.secret, "m", mail.meeting_id)
        r = self.app.renderer.render(mail, now, reply_to=reply_to, on_behalf=mail.context.get("on_behalf"))
        status = "queued"
        cap = self.app.settings.smtp.hourly_cap
        if cap and any(self.store.sent_to_since(rcpt, now - timedelta(hours=1)) >= cap for rcpt in r.recipients):
            # Over the cap, every automatic mail is held for a human, never sent later on its own:
            # a reminder deferred by an hour can feed a loop as well as an answer can.
            status = "held"
            self._log_held(mail, r.recipients, cap, now)
        queued = self.store.queue_mail(
            dedupe_key=mail.key, message_id=r.message_id, raw=r.raw, sender=r.sender,
            recipients=r.recipients, subject=r.subject, now=now, kind=mail.kind or mail.template,
            template=mail.template, meeting_id=mail.meeting_id, task_id=mail.task_id,
            not_before=not_before, status=status)
        if queued:
            log.info("queued %s %s to %s", mail.kind or mail.template, r.message_id, ", ".join(r.recipients))
            items = mail.numbered_tasks()      # tasks a mail numbers 1..n, for "1 已完成；3 延期到周五"
            if items:
                self.store.save_outbox_items(r.message_id, items)
        return queued

    def _log_held(self, mail: Mail, recipients: list[str], cap: int, now: datetime) -> None:
        """One warning per recipient and clock hour, however many mails a loop produces (the rest
        show in `mailflow outbox --status held` and in `mailflow status`)."""
        hour = now.replace(minute=0, second=0, microsecond=0)
        for rcpt in recipients:
            if self.store.held_to_since(rcpt, hour) == 0:
                log.warning("holding mail to %s: %d mails to them within an hour (hourly cap; a mail loop?). "
                            "Further mails to them this hour are held without a line each: "
                            "`mailflow outbox --status held`, release one with `mailflow outbox retry ID`",
                            rcpt, cap)
        log.debug("held %s to %s", mail.key, ", ".join(recipients))

    # --- sending --------------------------------------------------------------------------------
    async def flush_once(self, now: datetime | None = None, limit: int = FLUSH_BATCH) -> int:
        """Send what is due in the outbox; returns how many were sent."""
        from .edges.mailer import AuthenticationSendError, PermanentSendError, TransientSendError
        mailer = self.app.mailer
        now = now or self.app.now()
        sent = 0
        self.store.check_identity()                   # StoreGone: nothing is sent into a lost store
        self._record_unrecorded()                     # StoreUnavailable: send nothing until it can
        rows = self.store.outbox_due(now, limit)
        self.more_due = len(rows) == limit
        for row in rows:
            if self.stop_event.is_set():
                self.more_due = False
                break
            if row["id"] in self._sent_unrecorded:
                continue
            try:
                await mailer.send(row["sender"], row["recipients"], row["raw"], row["message_id"])
            except TransientSendError as e:
                self._retry_or_dead(row, e, now)
                continue
            except AuthenticationSendError as e:
                # A wrong SMTP password is a configuration problem, not a bad mail: keep everything
                # queued, say so, and try again next pass (after the operator fixes it).
                self.note_error(f"SMTP login failed; mail stays queued: {e}")
                self.more_due = False
                break
            except PermanentSendError as e:
                self.store.mark_dead(row["id"], str(e))
                log.error("outbox %d %s dead: %s", row["id"], row["message_id"], e)
                continue
            log.info("sent %s to %s", row["message_id"], ", ".join(row["recipients"]))
            self._sent_unrecorded[row["id"]] = self.app.now()
            self._record_unrecorded()
            sent += 1
        return sent

    def _retry_or_dead(self, row: dict, e: Exception, now: datetime) -> None:
        """A temporary failure: try again after a jittered, doubling delay (30 s … 1 h), until
        [smtp] max_attempts makes the row dead."""
        attempts = row["attempts"] + 1
        if attempts >= self.app.settings.smtp.max_attempts:
            self.store.mark_dead(row["id"], f"gave up after {attempts} attempts: {e}")
            log.error("outbox %d %s dead after %d attempts: %s", row["id"], row["message_id"], attempts, e)
            return
        delay = min(3600, 30 * 2 ** (attempts - 1)) * random.uniform(0.8, 1.2)
        self.store.mark_retry(row["id"], str(e), now + timedelta(seconds=delay))
        log.warning("outbox %d %s: %s; retry in %ds", row["id"], row["message_id"], e, delay)

    def _record_unrecorded(self) -> None:
        try:
            for outbox_id, at in list(self._sent_unrecorded.items()):
                self.store.mark_sent(outbox_id, at)
                del self._sent_unrecorded[outbox_id]
            if self._unsaved_error is not None:
                self.store.set_meta("last_error", self._unsaved_error)
                self._unsaved_error = None
        except sqlite3.OperationalError as e:
            raise unwritable(e, f"; {len(self._sent_unrecorded)} sent mail(s) not yet recorded as sent, "
                                "nothing more is sent until they are") from e

    async def drain(self, batch: int = FLUSH_BATCH) -> int:
        """Send everything due, a batch at a time (a mail that fails waits for its retry time, so
        this ends)."""
        sent = 0
        while not self.stop_event.is_set():
            sent += await self.flush_once(limit=batch)
            if not self.more_due:
                break
        return sent

    # --- what went wrong, for `mailflow status` ---------------------------------------------------
    def note_error(self, text: str) -> None:
        """Log an error and keep it as last_error; when the store cannot be written now, it is
        written before the next mail is sent."""
        log.error("%s", text)
        error = {"at": self.app.now().isoformat(), "error": text}
        try:
            self.store.set_meta("last_error", error)
            self._unsaved_error = None
        except sqlite3.Error:
            self._unsaved_error = error       # written once the store can be written again
