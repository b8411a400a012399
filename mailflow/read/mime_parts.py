"""The MIME tree of one mail walked once: its text and HTML bodies, calendar parts and attachments,
within the limits that keep a hostile mail cheap. Pure.

Speed: the stdlib parser runs with the compat32 policy (about five times faster than
policy=default, see ../shared/notes/real-mail-servers.md), fed in chunks; HTML is decoded only as
the body when a mail has no text/plain part. Split out of inbound, which reads the headers and
decides what the mail is.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import dataclass, field
from email import utils as email_utils
from email.message import Message
from email.parser import BytesFeedParser, BytesParser
from email.policy import compat32

from .attachments import keeps, kind_of
from .mail_headers import clean_line, decode_bytes, decode_header, norm_charset, raw_bytes

__all__ = ["Body", "parse_mime", "walk", "MAX_TEXT_BYTES"]

_MAX_DEPTH = 40
_MAX_PARTS = 2000
# A body is read up to this many bytes (text and HTML each): an answer, or even a long minutes
# draft, is far shorter, and reading, quote-cutting and classifying cost grows with the text.
MAX_TEXT_BYTES = 1 << 20
_CHUNK = 1 << 16                # bytes handed to the MIME parser at a time
# Lines longer than this are folded for the parser. Beyond MAX_TEXT_BYTES, so the text read from a
# part never contains a fold: a line break put between the two bytes of a GB18030 character would
# garble the rest of the line.
_FOLD_AFTER = MAX_TEXT_BYTES + 4096


def parse_mime(raw: bytes, defects: list[str]) -> Message:
    """The stdlib parser fed 64 KB at a time, lines longer than _FOLD_AFTER folded: fed whole, or
    with a megabytes-long line, it holds several copies of the mail at once (one 25 MB line of text
    cost 320 MB; now 110 MB)."""
    if len(raw) <= _CHUNK:                   # most mail: one call, as fast as it gets
        return BytesParser(policy=compat32).parsebytes(raw)
    parser = BytesFeedParser(policy=compat32)
    run = 0                                  # bytes since the last line break
    folded = False
    for start in range(0, len(raw), _CHUNK):
        chunk = raw[start:start + _CHUNK]
        nl = chunk.rfind(b"\n")
        if nl >= 0:
            run = len(chunk) - nl - 1
        elif run > _FOLD_AFTER:
            cut = _fold_at(chunk)
            parser.feed(chunk[:cut] + b"\n")
            chunk, run, folded = chunk[cut:], len(chunk) - cut, True
        else:
            run += len(chunk)
        parser.feed(chunk)
    if folded:
        defects.append(f"lines longer than {_FOLD_AFTER // 1024} KB folded")
    return parser.close()


def _fold_at(chunk: bytes) -> int:
    """Where a line break may go in a long line: after a space, else after an ASCII byte that is
    not a digit (it ends a character in UTF-8, GB18030 and Big5 alike), else at the chunk's end."""
    cut = chunk.rfind(b" ") + 1
    if cut > 0:
        return cut
    for i in range(len(chunk) - 1, max(len(chunk) - 4096, 0), -1):
        if chunk[i] < 0x80 and not 0x30 <= chunk[i] <= 0x39:
            return i + 1
    return len(chunk)


def _cap_text(data: bytes, label: str | None, defects: list[str], what: str) -> bytes:
    """The first MAX_TEXT_BYTES of a text part, ending on a whole character: at a line break if
    there is one in the last half, else where the part's own charset decodes cleanly."""
    if len(data) <= MAX_TEXT_BYTES:
        return data
    defects.append(f"{what}: longer than {MAX_TEXT_BYTES // (1 << 20)} MB; only the first "
                   f"{MAX_TEXT_BYTES // (1 << 20)} MB read")
    cut = data.rfind(b"\n", MAX_TEXT_BYTES // 2, MAX_TEXT_BYTES)
    if cut > 0:
        return data[:cut]
    cs = norm_charset(label) or "utf-8"
    for end in range(MAX_TEXT_BYTES, MAX_TEXT_BYTES - 4, -1):   # a character is at most 4 bytes
        try:
            data[:end].decode(cs)
            return data[:end]
        except Exception:     # UnicodeDecodeError, an unknown or odd codec: decode_bytes decides
            continue
    return data[:MAX_TEXT_BYTES]


def _payload_bytes(part: Message, defects: list[str]) -> bytes:
    # the raw payload: Message.get_payload() would re-decode 8-bit bytes with the declared
    # charset (and "replace" what does not fit) before we can choose the charset ourselves
    payload = getattr(part, "_payload", None)
    if not isinstance(payload, str):
        return b""
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    raw = raw_bytes(payload)
    try:
        if cte == "base64":
            data = raw.translate(None, b" \t\r\n")
            try:
                return base64.b64decode(data + b"=" * (-len(data) % 4), validate=False)
            except (binascii.Error, ValueError):
                defects.append("broken base64")
                clean = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
                clean = clean[: len(clean) - len(clean) % 4]
                return base64.b64decode(clean, validate=False)
        if cte == "quoted-printable":
            return quopri.decodestring(raw)
        if cte in ("x-uuencode", "uuencode", "x-uue", "uue"):
            dec = part.get_payload(decode=True)
            return dec if isinstance(dec, bytes) else b""
    except Exception:
        defects.append(f"undecodable {cte} part")
        return raw
    return raw


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: join soft line breaks (Apple Mail, Thunderbird)."""
    out: list[str] = []
    buf = ""
    buf_depth = -1
    for line in text.split("\n"):
        line = line.rstrip("\r")
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]
        if buf_depth >= 0 and depth != buf_depth:
            out.append(">" * buf_depth + (" " if buf_depth else "") + buf)
            buf, buf_depth = "", -1
        if body.endswith(" ") and body != "-- ":
            piece = body[:-1] if delsp else body
            buf += piece
            buf_depth = depth
            continue
        buf += body
        out.append(">" * depth + (" " if depth else "") + buf)
        buf, buf_depth = "", -1
    if buf_depth >= 0:
        out.append(">" * buf_depth + (" " if buf_depth else "") + buf)
    return "\n".join(out)


def _filename(part: Message, hint: str | None, defects: list[str]) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        try:
            name = part.get_param("name")
        except Exception:
            name = None
        if isinstance(name, tuple):
            try:
                name = email_utils.collapse_rfc2231_value(name)
            except Exception:
                name = None
    if not name:
        return ""
    return clean_line(decode_header(str(name), hint, defects))


@dataclass
class Body:
    """What the MIME walk found: the text/plain parts, the first text/html part, the calendar parts,
    every attachment (name, type, size) and the files kept, whether the mail is a delivery or a read
    report, and the body's legacy charset (the best hint for raw 8-bit header bytes)."""
    text_parts: list[str] = field(default_factory=list)
    html: str | None = None
    calendars: list[bytes] = field(default_factory=list)
    attachments: list[tuple[str, str, int]] = field(default_factory=list)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    bounce: bool = False
    receipt: bool = False
    hint: str | None = None


def walk(msg: Message, defects: list[str]) -> Body:
    """Every part of `msg`, depth-first without recursion, within _MAX_PARTS and _MAX_DEPTH."""
    b = Body()
    kept_other = 0                      # bytes of kept files other than .docx/.xlsx
    hint: str | None = None

    stack: list[tuple[Message, int]] = [(msg, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > _MAX_PARTS:
            defects.append("too many MIME parts; the rest ignored")
            break
        try:
            ctype = part.get_content_type()
        except Exception:
            ctype = "text/plain"
        maintype = ctype.split("/", 1)[0]
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            b.bounce = True
            continue
        if maintype == "message":
            # an attached mail (forward, bounce copy): an attachment, never part of the body
            try:
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else inner
                size = len(inner.as_bytes()) if isinstance(inner, Message) else len(raw_bytes(str(inner or "")))
            except Exception:
                size = 0
            b.attachments.append((_filename(part, hint, defects) or "message.eml", ctype, size))
            continue
        if part.is_multipart():
            if ctype == "multipart/report":
                rtype = (part.get_param("report-type") or "")
                rtype = str(rtype).lower() if not isinstance(rtype, tuple) else ""
                if rtype == "delivery-status":
                    b.bounce = True
                elif rtype == "disposition-notification":
                    b.receipt = True
            if depth >= _MAX_DEPTH:
                defects.append("MIME nesting too deep; inner parts ignored")
                continue
            payload = part.get_payload()
            if isinstance(payload, list):
                for child in reversed(payload):
                    if isinstance(child, Message):
                        stack.append((child, depth + 1))
            continue
        try:
            disp = (part.get("content-disposition") or "")
            disp = str(disp).split(";", 1)[0].strip().lower()
        except Exception:
            disp = ""
        fname = _filename(part, hint, defects)
        data = _payload_bytes(part, defects)
        if ctype in ("text/calendar", "application/ics") or fname.lower().endswith((".ics", ".vcs")):
            b.calendars.append(data)
            continue
        if maintype == "text" and disp != "attachment" and not (fname and disp == "inline" and ctype not in ("text/plain", "text/html")):
            try:
                label = part.get_param("charset")
            except Exception:
                label = None
            if isinstance(label, tuple):
                label = email_utils.collapse_rfc2231_value(label)
            if label and hint is None:
                hint = str(label)
            if ctype == "text/plain" and not fname:
                body = decode_bytes(_cap_text(data, label, defects, "text/plain"), label, defects, "text/plain")
                fmt = str(part.get_param("format") or "").lower()
                body = body.replace("\r\n", "\n").replace("\r", "\n")
                if fmt == "flowed":
                    delsp = str(part.get_param("delsp") or "").lower() == "yes"
                    body = _unflow(body, delsp)
                b.text_parts.append(body)
                continue
            if ctype == "text/html" and b.html is None and not fname:
                b.html = decode_bytes(_cap_text(data, label, defects, "text/html"), label, defects, "text/html")
                continue
        b.attachments.append((fname, ctype, len(data)))
        if keeps(fname, ctype, len(data), kept_other):
            b.files.append((fname, ctype, data))
            if kind_of(fname, ctype) not in ("docx", "xlsx"):
                kept_other += len(data)

    # only a legacy charset helps with raw 8-bit header bytes (UTF-8 is tried for them anyway)
    if hint:
        hint_cs = norm_charset(hint)
        if hint_cs.startswith("?") or hint_cs in ("ascii", "utf-8"):
            hint = None
    b.hint = hint
    return b
