"""What the mailbox URL and the mailer URL read alike: the host and port of ``scheme://user@host:port``,
with errors that name the setting and never echo a password.
"""

from __future__ import annotations

from urllib.parse import SplitResult


def host_and_port(parts: SplitResult, what: str, shown: str, hint: str = "") -> tuple[str, int | None]:
    """``(host, port or None)`` of a parsed URL; ValueError "<what> url '<shown>' has no host<hint>"
    or "... has an invalid port"."""
    if not parts.hostname:
        raise ValueError(f"{what} url {shown!r} has no host{hint}")
    try:
        return parts.hostname, parts.port
    except ValueError:
        raise ValueError(f"{what} url {shown!r} has an invalid port") from None
