"""What sending a mail is, whatever carries it: the :class:`Mailer` interface and the two ways a send
fails (:class:`TransientSendError`, :class:`PermanentSendError`), so the outbox needs no knowledge of
SMTP or of files. The backends (maildir.py, smtp.py) implement it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class SendError(Exception):
    """A mail could not be handed over. ``code`` is the SMTP reply code when the server gave one."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class TransientSendError(SendError):
    """4xx, network error, timeout: the same mail may be sent again later."""


class PermanentSendError(SendError):
    """5xx or a mail the server can never take: the mail is dead."""


class AuthenticationSendError(PermanentSendError):
    """The server refused the login (e.g. 535). Permanent for this configuration, not for the mail."""


@runtime_checkable
class Mailer(Protocol):
    description: str  # for logs and status; never contains a password

    async def send(
        self, sender: str, recipients: list[str], data: bytes, message_id: str
    ) -> dict[str, str]:
        """Hand over one rendered mail. Returns refused recipients (empty when all accepted).

        ``data`` and ``message_id`` were fixed when the outbox queued the mail, so a retry hands
        over the very same message: a reader who gets it twice sees one mail, threaded as one."""
        ...

    async def close(self) -> None: ...


def require_recipients(recipients: list[str], message_id: str) -> None:
    """A mail with no recipient can never be delivered: PermanentSendError."""
    if not recipients:
        raise PermanentSendError(f"{message_id}: no recipients")
