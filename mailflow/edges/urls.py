"""What the mailbox URL and the mailer URL read alike: the host and port of ``scheme://user@host:port``,
with errors that name the setting and never echo a password, and the URL as logs and `status` show it.
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


def safe_url(url: str) -> str:
    """A mailbox/SMTP URL without any credentials, for the log and `status`."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.rsplit('@', 1)[1]}"
    return url
