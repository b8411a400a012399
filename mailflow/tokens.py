"""Signed reply tokens (HMAC-SHA256 with MAILFLOW_SECRET) for plus-addressed Reply-To.

A token names one object ("t42" = task 42, "m7" = meeting 7) and carries a truncated HMAC of that
name, so a token for one task cannot be used on another and cannot be made without the secret.
Tokens are lower case because some servers fold the local part.

A token is only as strong as the secret: without one nothing is signed or accepted (an empty HMAC
key would let anyone make tokens), and config.py refuses a MAILFLOW_SECRET shorter than
MIN_SECRET_LEN characters, which could be guessed offline from one token a person forwards.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

MIN_SECRET_LEN = 16
TOKEN_RE = re.compile(r"^(?P<kind>[tm])(?P<id>\d{1,12})-(?P<sig>[a-z2-7]{16})$")


def _sig(secret: str, name: str) -> str:
    if not secret:
        raise ValueError("reply tokens need a signing secret")
    mac = hmac.new(secret.encode(), b"mailflow-reply:" + name.encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:10]).decode().lower()   # 80 bits


def make_token(secret: str, kind: str, obj_id: int) -> str:
    if kind not in ("t", "m"):
        raise ValueError(f"unknown token kind {kind!r}")
    name = f"{kind}{int(obj_id)}"
    return f"{name}-{_sig(secret, name)}"


def check_token(secret: str, token: str) -> tuple[str, int] | None:
    """(kind, id) when `token` is genuine, else None (constant-time comparison)."""
    m = TOKEN_RE.match(token.strip().lower())
    if not m or not secret:
        return None
    name = f"{m['kind']}{m['id']}"
    if not hmac.compare_digest(_sig(secret, name), m["sig"]):
        return None
    return m["kind"], int(m["id"])


def reply_address(shared: str, secret: str, kind: str, obj_id: int) -> str:
    local, _, domain = shared.partition("@")
    return f"{local}+{make_token(secret, kind, obj_id)}@{domain}"


def token_in(address: str, shared: str) -> str | None:
    """The token of a plus address of the shared mailbox (mailflow+TOKEN@domain), if any."""
    local, _, domain = address.strip().lower().partition("@")
    s_local, _, s_domain = shared.lower().partition("@")
    if domain != s_domain or not local.startswith(s_local + "+"):
        return None
    return local[len(s_local) + 1:]
