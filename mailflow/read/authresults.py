"""Is this mail's From vouched for by our own mail server? (RFC 8601 Authentication-Results)

It reads headers, so it lives in read/; flows/gate.py asks it once per inbound mail. With
`[org] trusted_authserv_id` set, a mail may change a task or a meeting only when the
Authentication-Results header stamped by that server says the From domain is genuine:

- only the TOPMOST header carrying our authserv-id counts. Our server prepends its own verdict above
  whatever the sender wrote, so a forged "mx.corp.example; dmarc=pass" further down never outvotes it,
  and headers of other servers are never read;
- the header is parsed with `authres` (RFC 8601's grammar), so a "dmarc=pass" inside a comment or
  inside another property's quoted value is not a result;
- `dmarc=pass` counts only with `header.from` equal to the From domain; otherwise an aligned
  `dkim=pass` (its `header.d` is the From domain, a parent or a subdomain of it) counts. A DMARC
  verdict other than pass/none, or a DMARC verdict about another From domain, refuses the mail
  whatever DKIM says. SPF alone never counts: it vouches for the envelope, not for the From people see.
"""

from __future__ import annotations

import re

import authres

_COMMENT_RE = re.compile(r"\([^()]*\)")


def _authserv_id(header: str) -> str:
    """The authserv-id of a header authres cannot parse: its first word, comments removed."""
    text = header
    for _ in range(5):                       # nested comments, a few levels deep at most
        text = _COMMENT_RE.sub(" ", text)
    words = text.partition(";")[0].split()
    return words[0].lower() if words else ""


def _parse(header: str):
    try:
        return authres.AuthenticationResultsHeader.parse_value(header)
    except Exception:  # authres raises several kinds of syntax errors; any means "not readable"
        return None


def _prop(result, ptype: str, name: str) -> str:
    for p in result.properties:
        if p.type.lower() == ptype and p.name.lower() == name and p.value:
            return str(p.value).strip().lower()
    return ""


def aligned(signer: str, from_domain: str) -> bool:
    """Relaxed DMARC alignment without a public-suffix list: the same domain, or one is a subdomain
    of the other (a key can only be published under a domain its owner controls)."""
    signer, from_domain = signer.strip(".").lower(), from_domain.strip(".").lower()
    if not signer or not from_domain:
        return False
    if signer == from_domain:
        return True
    if from_domain.endswith("." + signer):
        return "." in signer                 # never a bare top-level domain
    return signer.endswith("." + from_domain)


def topmost(headers: list[str], authserv_id: str):
    """The parsed topmost header of `authserv_id`, or None (absent, or present but unreadable)."""
    wanted = authserv_id.strip().lower()
    for header in headers:
        parsed = _parse(header)
        serv = (parsed.authserv_id or "").lower() if parsed is not None else _authserv_id(header)
        if serv == wanted:
            return parsed
    return None


def from_domain_passes(headers: list[str], from_address: str, authserv_id: str) -> bool:
    """True when our server's topmost verdict vouches for the domain of `from_address`."""
    domain = from_address.rpartition("@")[2].strip().lower() if "@" in (from_address or "") else ""
    if not domain or not authserv_id.strip():
        return False
    parsed = topmost(headers, authserv_id)
    if parsed is None:
        return False
    dmarc = [r for r in parsed.results if str(r.method).lower() == "dmarc"]
    for r in dmarc:
        result, about = str(r.result).lower(), _prop(r, "header", "from")
        if about and about != domain:
            return False                     # the server judged another From than the one we read
        if result == "pass" and about == domain:
            return True
        if result not in ("pass", "none"):
            return False                     # fail, quarantine, temperror …: the From is not vouched for
    for r in parsed.results:
        if str(r.method).lower() != "dkim" or str(r.result).lower() != "pass":
            continue
        signer = _prop(r, "header", "d") or _prop(r, "header", "i").rpartition("@")[2]
        if aligned(signer, domain):
            return True
    return False
