"""What the mailbox URL and the mailer URL read alike: the folder of ``maildir:PATH``, the host and
port of ``scheme://user@host:port``, with errors that name the setting and never echo a password,
and the URL as logs and `status` show it. config.py checks a maildir URL with the same reader.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import SplitResult


def maildir_path(url: str, base_dir: str | os.PathLike | None = None) -> Path:
    """The folder of a ``maildir:PATH`` URL, for the mailbox, the mailer and the config check alike.

    PATH is a path as the operator writes it in the config, not a URL: spaces, 中文 and ``%`` stand
    for themselves (``%20`` is three characters, so a folder named ``50%`` or ``a%20b`` is reachable
    and ``a b`` is written plainly). ``~`` is the home directory; ``maildir:///srv/mail`` (the URL
    form) is ``/srv/mail``; a relative path is relative to ``base_dir`` (the config file's folder)
    when given, else to the working directory. ValueError when no path follows the scheme."""
    scheme, _, rest = url.strip().partition(":")
    if scheme.lower() != "maildir":
        raise ValueError(f"{url!r} is not a maildir:PATH URL")
    path = rest[2:] if rest.startswith("//") else rest
    if not path:
        raise ValueError(f"{url!r} has no path: write maildir:PATH, e.g. maildir:./mail/inbox")
    p = Path(path).expanduser()
    return Path(base_dir) / p if base_dir is not None and not p.is_absolute() else p


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
