"""Reading one mail: raw bytes -> Inbound. Pure, and never raises, whatever the bytes.

Speed: the stdlib parser runs with the compat32 policy (about five times faster than
policy=default, see ../shared/notes/real-mail-servers.md) and headers are decoded here, once,
only the ones mailflow uses. HTML is parsed only when a mail has no text/plain body.

Charsets are decided per MIME part, after MIME parsing (never on the raw bytes):
gb2312/gbk/gb_2312-80/cp936 labels are decoded as GB18030 (its superset), big5 falls back to
Big5-HKSCS and cp950, a label that fails or is missing is replaced by detection (UTF-8 first,
then charset-normalizer), and the failure is recorded in `defects`.

Not an answer (`auto=True`, `auto_reason`), first match wins:
  "own"            From is one of own_addresses, or the mail carries X-Mailflow (our stamp)
  "bounce"         multipart/report with report-type=delivery-status, a message/delivery-status
                   part, a MAILER-DAEMON/postmaster sender, Exchange's MicrosoftExchange<hex>
                   mailbox or QQ邮箱's 10000@qq.com, a bounce subject (退信, 系统退信, 无法送达,
                   邮件投递失败, Undeliverable, Delivery Status Notification …), or a plain-text
                   delivery failure notice (autotext.bounce: "could not be delivered" + a reason)
  "receipt"        multipart/report with report-type=disposition-notification (read receipts)
  "auto-submitted" RFC 3834 Auto-Submitted with any value but "no"
  "x-autoreply"    X-Autoreply / X-Autorespond / X-Autoresponder (any value but "no")
  "precedence"     Precedence: bulk, junk, list or auto_reply
  "subject"        subject starts with 自动回复 / 自動回覆 / Automatic reply / Auto reply /
                   Out of Office / 休假中 / 外出 … (after an optional [ or 【)
  "null-sender"    Return-Path: <> (RFC 3834 asks auto-responders to send with an empty sender)
  "x-auto-response-suppress"  X-Auto-Response-Suppress is a weak hint: Outlook and Exchange
                   also put it on ordinary mail (meeting responses, mail from some add-ins), so
                   it counts only together with an out-of-office phrase at the start of the new
                   text ("我目前不在办公室", "I am out of the office", "休假中" …).
  "out-of-office text"  no header at all, but the new text is nothing but an out-of-office
                   notice (autotext.out_of_office: "我已休假至12月5日，回来后处理" is, "抱歉，上周
                   休假。方案已完成" is not)

A calendar answer is exposed as `calendar_reply` (accepted/declined/tentative/delegated): from the
iMIP REPLY's PARTSTAT, else from the subject prefix Outlook & co. write ("已接受:", "Declined:").
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import quopri
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import utils as email_utils
from email.message import Message
from email.parser import BytesFeedParser, BytesParser
from email.policy import compat32
from typing import Iterable

from . import attachments as office, quotes
from . import autotext, htmltext

__all__ = ["Inbound", "parse", "decode_header", "decode_bytes"]


@dataclass
class Inbound:
    message_id: str
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: str = ""
    sender_name: str = ""
    reply_to: list[str] = field(default_factory=list)
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    html: str | None = None
    visible: str = ""
    auto: bool = False
    auto_reason: str | None = None
    calendars: list[bytes] = field(default_factory=list)
    attachments: list[tuple[str, str, int]] = field(default_factory=list)
    # (name, type, bytes) of the attachments kept: a .docx/.xlsx a minutes draft may be read from
    # (within attachments.MAX_BYTES), and other files up to attachments.FORWARD_BYTES in all, the
    # deliverables forwarded to a verifier; every other attachment is only listed above
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    authentication_results: list[str] = field(default_factory=list)
    headers_auto_submitted: str | None = None
    precedence: str | None = None
    mailer: str | None = None          # X-Mailer / User-Agent, for the log
    list_id: str | None = None
    defects: list[str] = field(default_factory=list)
    # what quotes.visible_text removed from `text` to get `visible` ("quote from '-----原始邮件-----'",
    # "signature (4 lines)", "tagline '发自我的iPhone'"), for `mailflow explain`
    cut: list[str] = field(default_factory=list)
    # the answer of a calendar reply: "accepted" | "declined" | "tentative" | "delegated", from the
    # iMIP REPLY's PARTSTAT, else from the subject prefix a client puts on it ("已接受:", "Declined:")
    calendar_reply: str | None = None


# --------------------------------------------------------------------------------------------
# charsets

_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "gb2312-80": "gb18030",
    "x-gbk": "gb18030", "cp936": "gb18030", "ms936": "gb18030", "euc-cn": "gb18030",
    "csgb2312": "gb18030", "x-euc-cn": "gb18030", "chinese": "gb18030", "gb_2312": "gb18030",
    "windows-936": "gb18030", "gb18030-2000": "gb18030", "gb18030": "gb18030",
    "big5": "big5", "big-5": "big5", "x-big5": "big5", "cn-big5": "big5", "csbig5": "big5",
    "big5-hkscs": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "cp950", "ms950": "cp950",
    "x-x-big5": "big5",
    "utf8": "utf-8", "utf-8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unknown": "",
    "unknown-8bit": "", "x-user-defined": "", "default": "", "us-ascii": "ascii", "ascii": "ascii",
    "ansi_x3.4-1968": "ascii", "iso-8859-1": "latin-1", "latin1": "latin-1",
}
_BIG5_CHAIN = ("big5", "big5hkscs", "cp950")


def _norm_charset(label: str | None) -> str:
    if not label:
        return ""
    label = str(label).strip().strip("\"'").lower()
    if "*" in label:  # RFC 2231 language suffix: utf-8*zh-cn
        label = label.split("*", 1)[0]
    alias = _ALIASES.get(label)
    if alias is not None:
        return alias
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return "?" + label[:40]


_DETECT_CANDIDATES = ["utf_8", "gb18030", "big5", "big5hkscs", "utf_16", "shift_jis", "euc_kr",
                      "cp1252", "latin_1"]


def _detect(data: bytes) -> str | None:
    """The charset of unlabelled or mislabelled bytes. Short Chinese snippets are ambiguous between
    GB18030 and Big5; mail without a label comes from old mainland clients, so GB18030 wins there."""
    if len(data) < 64:
        for enc in ("gb18030", "big5"):
            if _clean_cjk(data, enc):
                return enc
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:65536], cp_isolation=_DETECT_CANDIDATES).best()
    except Exception:
        return None
    if best is None:
        return None
    enc = _norm_charset(best.encoding)
    if enc in ("gb2312", "gbk", "hz"):
        enc = "gb18030"
    return enc if enc and not enc.startswith("?") else None


_PUA_RE = re.compile("[\ue000-\uf8ff\ufffd]")


def _clean_cjk(data: bytes, enc: str) -> bool:
    """data decodes strictly in enc without private-use characters (the mark of a wrong guess)."""
    try:
        return _PUA_RE.search(data.decode(enc)) is None
    except UnicodeDecodeError:
        return False


_UTF8_MB_RE = re.compile(rb"[\xe0-\xef][\x80-\xbf]{2}")


def _looks_utf8(data: bytes) -> bool:
    """Valid UTF-8 with at least two 3-byte (CJK) sequences: legacy CJK text almost never is."""
    if len(_UTF8_MB_RE.findall(data[:4096], 0)) < 2:
        return False
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def decode_bytes(data: bytes, label: str | None = None, defects: list[str] | None = None,
                 what: str = "body") -> str:
    """Bytes of one MIME part (or header) to text, by its charset label, with the fallbacks above."""
    if not data:
        return ""
    cs = _norm_charset(label)
    if cs == "ascii" or not cs:
        if data.isascii():
            return data.decode("ascii")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if cs == "ascii" and defects is not None:
            defects.append(f"{what}: 8-bit data labelled us-ascii")
    elif cs in _BIG5_CHAIN:
        for enc in (cs,) + tuple(e for e in _BIG5_CHAIN if e != cs):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                continue
    elif not cs.startswith("?"):
        if cs != "utf-8" and not data.isascii() and _looks_utf8(data):
            # UTF-8 sent under a legacy label (gb2312, iso-8859-1 …): GB18030 would "decode" it
            # into nonsense without an error, so valid multi-byte UTF-8 wins
            if defects is not None:
                defects.append(f"{what}: labelled {label!r} but is UTF-8")
            return data.decode("utf-8")
        if cs in ("latin-1", "iso8859-1", "cp1252") and not data.isascii():
            # a western label on Chinese text (old gateways): mostly high bytes that make clean
            # GB18030 or Big5 text are Chinese
            high = sum(1 for b in data[:4096] if b > 0x7F)
            if high * 3 > min(len(data), 4096):
                for enc in ("gb18030", "big5"):
                    if _clean_cjk(data, enc) and (_detect(data) in (enc, None) or len(data) < 64):
                        if defects is not None:
                            defects.append(f"{what}: labelled {label!r} but is {enc}")
                        return data.decode(enc)
        try:
            return data.decode(cs)
        except Exception:  # UnicodeDecodeError, LookupError, and codecs that fail otherwise
            pass
    if defects is not None and cs:
        defects.append(f"{what}: charset {label!r} does not decode the data")
    if cs and cs != "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    guess = _detect(data)
    if guess:
        try:
            return data.decode(guess)
        except Exception:
            pass
    return data.decode("gb18030", errors="replace")


# --------------------------------------------------------------------------------------------
# headers

_EW_RE = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]{0,8000}?)\?=")
_WS_ONLY_RE = re.compile(r"[ \t\r\n]*")
_COLLAPSE_RE = re.compile(r"\s+")


def _ew_bytes(enc: str, payload: str) -> bytes:
    if enc in "bB":
        s = payload.strip()
        s = s + "=" * (-len(s) % 4)
        try:
            return base64.b64decode(s, validate=False)
        except (binascii.Error, ValueError):
            return base64.b64decode(re.sub(r"[^A-Za-z0-9+/]", "", payload) + "===", validate=False)
    return quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"), header=False)


def _raw_bytes(value: str) -> bytes:
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def decode_header(value, hint: str | None = None, defects: list[str] | None = None) -> str:
    """A header value to text: RFC 2047 words (also split mid-character, also with wrong padding),
    raw 8-bit bytes (UTF-8, else the mail's own body charset, else GB18030)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            value = str(value)
        except Exception:
            return ""
    if value.isascii() and "=?" not in value:
        return value
    raw = _raw_bytes(value)
    out: list[str] = []
    pend_cs: str | None = None
    pend: bytearray = bytearray()

    def flush() -> None:
        nonlocal pend_cs, pend
        if pend_cs is not None:
            out.append(decode_bytes(bytes(pend), pend_cs, defects, "header"))
        pend_cs, pend = None, bytearray()

    def plain(chunk: bytes) -> None:
        if not chunk:
            return
        if chunk.isascii():
            out.append(chunk.decode("ascii"))
            return
        try:
            out.append(chunk.decode("utf-8"))
            return
        except UnicodeDecodeError:
            pass
        if defects is not None:
            defects.append("header: raw 8-bit bytes")
        out.append(decode_bytes(chunk, hint or "gb18030", None, "header"))

    text = raw.decode("latin-1")  # 1:1 byte view, so positions map back to bytes
    pos = 0
    for m in _EW_RE.finditer(text):
        between = text[pos:m.start()]
        if pend_cs is not None and _WS_ONLY_RE.fullmatch(between):
            pass  # whitespace between two encoded words is dropped
        else:
            flush()
            plain(between.encode("latin-1"))
        cs = m.group(1).split("*", 1)[0]
        try:
            data = _ew_bytes(m.group(2), m.group(3))
        except Exception:
            data = m.group(0).encode("latin-1")
            cs = "ascii"
        if pend_cs is not None and _norm_charset(cs) != _norm_charset(pend_cs):
            flush()
        if pend_cs is None:
            pend_cs = cs
        pend += data
        pos = m.end()
    flush()
    plain(text[pos:].encode("latin-1"))
    return "".join(out)


def _clean_line(s: str) -> str:
    return _COLLAPSE_RE.sub(" ", s.replace("\x00", "")).strip()


# No controls and no lone surrogates (undecodable 8-bit header bytes): such an id can match
# nothing we sent, and SQLite cannot even take it as a query parameter.
_MSGID_RE = re.compile(r"<([^<>\s\x00-\x1f\x7f\ud800-\udfff]{1,998})>")
_MSGID_BAD = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _msgid(value: str | None) -> str | None:
    if not value:
        return None
    m = _MSGID_RE.search(value)
    if m:
        return "<" + m.group(1) + ">"
    tok = value.strip().split()
    if tok and 0 < len(tok[0]) <= 998 and not _MSGID_BAD.search(tok[0]):
        return "<" + tok[0].strip("<>") + ">"
    return None


def _addresses(values: list[str], hint: str | None, defects: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not values:
        return out
    vals = []
    for v in values:
        v = str(v).replace("\r", " ").replace("\n", " ")
        if len(v) > 20000:
            defects.append("address header too long, truncated")
            v = v[:20000]
        vals.append(v)
    try:
        pairs = email_utils.getaddresses(vals)
    except Exception:
        defects.append("unparsable address header")
        pairs = []
    for name, addr in pairs:
        name = _clean_line(decode_header(name, hint, defects)).strip("\"' ")
        addr = decode_header(addr, hint, defects).strip().strip("<>").lower()
        if not addr and not name:
            continue
        out.append((name, addr))
    return out


# --------------------------------------------------------------------------------------------
# auto replies and bounces

_AUTO_SUBJECT_RE = re.compile(
    r"^[\[【(（\s]*(?:自动回复|自動回覆|自动答复|自動答覆|自動回复|自动回覆|自动应答|自動應答|休假中|外出中|外出|不在办公室|不在辦公室|"
    r"automatic reply|auto[- ]?reply|auto[- ]?response|autoreply|auto[- ]?antwort|out of (?:the )?office|ooo\b|"
    r"abwesenheitsnotiz|réponse automatique|respuesta automática|risposta automatica)",
    re.IGNORECASE)
_BOUNCE_SUBJECT_RE = re.compile(
    r"^[\[【(（\s]*(?:系统退信|系統退信|退信|退回的邮件|邮件投递失败|郵件投遞失敗|投递失败|投遞失敗|邮件发送失败|郵件發送失敗|"
    r"发送失败|无法投递|無法投遞|未送达|未送達|无法传递|無法傳遞|邮件退回|无法送达|無法送達|未能送达|未能送達|"
    r"送达失败|送達失敗|延迟投递|延遲投遞|"
    r"undeliverable|undelivered mail|delivery status notification|delivery failure|nondeliverable|"
    r"mail delivery failed|mail delivery subsystem|returned mail|failure notice|delivery has failed|"
    r"message not delivered|non[- ]?delivery|delivery delayed|delayed mail|mail system error)",
    re.IGNORECASE)
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "maildelivery", "mailerdaemon", "mailer_daemon",
                   "mail-delivery-system", "mail.delivery.system")
# senders that only ever send delivery reports: Exchange's NDR mailbox, QQ邮箱's system account
_BOUNCE_ADDRESS_RE = re.compile(r"^(?:microsoftexchange[0-9a-f]{32}@.*|10000@qq\.com)$")
# the subject a client puts on a calendar answer sent without (or before) an iMIP part
_CALENDAR_SUBJECT_RE = re.compile(
    r"^\s*(?:(?P<accepted>已接受(?:邀请|邀請)?|接受(?:邀请|邀請)?|accepted|accept)|"
    r"(?P<tentative>暂定(?:接受)?|暫定(?:接受)?|暫訂|暂订|已暂定|暂时接受|暫時接受|tentative(?:ly accepted)?|maybe)|"
    r"(?P<declined>已拒绝(?:邀请)?|已拒絕(?:邀請)?|拒绝(?:邀请)?|拒絕(?:邀請)?|已谢绝|已謝絕|谢绝|謝絕|declined|decline)|"
    r"(?P<delegated>已委派|已委托|已委託|委派|delegated))\s*[:：]", re.IGNORECASE)
_OOF_TEXT_RE = re.compile(
    r"^\s*(?:您好[,，!！]?\s*)?(?:我(?:目前|现在|正在|將|将)?(?:不在办公室|不在辦公室|休假|出差|外出)|休假中|"
    r"(?:i am|i'm|i will be) (?:currently )?(?:out of (?:the )?office|on (?:annual )?leave|away|on vacation)|"
    r"this is an automatic|这是一封自动回复|這是一封自動回覆|本邮件为自动回复|此为自动回复)",
    re.IGNORECASE)


class _Headers:
    """The raw header values (8-bit bytes kept as surrogate escapes), by lower-case name.
    compat32's Message.get() would turn 8-bit header bytes into U+FFFD before we could decode them."""

    __slots__ = ("_map",)

    def __init__(self, msg: Message) -> None:
        m: dict[str, list[str]] = {}
        try:
            items = msg.raw_items()
        except Exception:
            items = []
        for name, value in items:
            try:
                m.setdefault(str(name).strip().lower(), []).append(value if isinstance(value, str) else str(value))
            except Exception:
                continue
        self._map = m

    def get(self, name: str) -> str | None:
        v = self._map.get(name)
        return v[0] if v else None

    def get_all(self, name: str) -> list[str]:
        return self._map.get(name, [])


# --------------------------------------------------------------------------------------------
# body

_MAX_DEPTH = 40
_MAX_PARTS = 2000
# A body is read up to this many bytes (text and HTML each): an answer, or even a long minutes
# draft, is far shorter, and reading, quote-cutting and classifying cost grows with the text.
MAX_TEXT_BYTES = 1 << 20
MAX_VISIBLE_CHARS = 20_000     # the new text (above the quote) a reply is read from
_CHUNK = 1 << 16                # bytes handed to the MIME parser at a time
# Lines longer than this are folded for the parser. Beyond MAX_TEXT_BYTES, so the text read from a
# part never contains a fold: a line break put between the two bytes of a GB18030 character would
# garble the rest of the line.
_FOLD_AFTER = MAX_TEXT_BYTES + 4096


def _mime(raw: bytes, defects: list[str]) -> Message:
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
    cs = _norm_charset(label) or "utf-8"
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
    raw = _raw_bytes(payload)
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
    return _clean_line(decode_header(str(name), hint, defects))


# --------------------------------------------------------------------------------------------
# parse

def parse(raw: bytes, own_addresses: Iterable[str] = ()) -> Inbound:
    """Read one mail. Never raises: what was wrong goes to `defects`."""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        try:
            raw = str(raw).encode("utf-8", "surrogateescape")
        except Exception:
            raw = b""
    raw = bytes(raw)
    synthetic = "<" + hashlib.sha256(raw).hexdigest() + "@mailflow.invalid>"
    try:
        return _parse(raw, own_addresses, synthetic)
    except Exception as exc:  # the boundary: a bug here must not stop the daemon
        return Inbound(message_id=synthetic, defects=[f"parser error: {type(exc).__name__}: {exc}"[:300]])


def _parse(raw: bytes, own_addresses: Iterable[str], synthetic: str) -> Inbound:
    defects: list[str] = []
    msg = _mime(raw, defects)
    for d in getattr(msg, "defects", ()) or ():
        defects.append(type(d).__name__)

    # the body first: its charset is the best hint for raw 8-bit headers
    text_parts: list[str] = []
    html: str | None = None
    calendars: list[bytes] = []
    attachments: list[tuple[str, str, int]] = []
    files: list[tuple[str, str, bytes]] = []
    kept_other = 0                      # bytes of kept files other than .docx/.xlsx
    bounce = receipt = False
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
            bounce = True
            continue
        if maintype == "message":
            # an attached mail (forward, bounce copy): an attachment, never part of the body
            try:
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else inner
                size = len(inner.as_bytes()) if isinstance(inner, Message) else len(_raw_bytes(str(inner or "")))
            except Exception:
                size = 0
            attachments.append((_filename(part, hint, defects) or "message.eml", ctype, size))
            continue
        if part.is_multipart():
            if ctype == "multipart/report":
                rtype = (part.get_param("report-type") or "")
                rtype = str(rtype).lower() if not isinstance(rtype, tuple) else ""
                if rtype == "delivery-status":
                    bounce = True
                elif rtype == "disposition-notification":
                    receipt = True
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
            calendars.append(data)
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
                text_parts.append(body)
                continue
            if ctype == "text/html" and html is None and not fname:
                html = decode_bytes(_cap_text(data, label, defects, "text/html"), label, defects, "text/html")
                continue
        attachments.append((fname, ctype, len(data)))
        if office.keeps(fname, ctype, len(data), kept_other):
            files.append((fname, ctype, data))
            if office.kind_of(fname, ctype) not in ("docx", "xlsx"):
                kept_other += len(data)

    # only a legacy charset helps with raw 8-bit header bytes (UTF-8 is tried for them anyway)
    if hint:
        hint_cs = _norm_charset(hint)
        if hint_cs.startswith("?") or hint_cs in ("ascii", "utf-8"):
            hint = None

    # headers
    hdrs = _Headers(msg)
    mid = _msgid(decode_header(hdrs.get("message-id"), hint, defects))
    if mid is None:
        defects.append("no Message-ID")
        mid = synthetic
    irt = _msgid(hdrs.get("in-reply-to"))
    refs_raw = " ".join(hdrs.get_all("references"))
    references = ["<" + r + ">" for r in _MSGID_RE.findall(refs_raw)]
    subject = _clean_line(decode_header(hdrs.get("subject"), hint, defects))
    froms = _addresses(hdrs.get_all("from"), hint, defects)
    sender_name, sender = (froms[0] if froms else ("", ""))
    if not sender:
        sender_hdr = _addresses(hdrs.get_all("sender"), hint, defects)
        if sender_hdr:
            sender_name, sender = sender_name or sender_hdr[0][0], sender_hdr[0][1]
    reply_to = [a for _, a in _addresses(hdrs.get_all("reply-to"), hint, defects) if a]
    to = [a for _, a in _addresses(hdrs.get_all("to"), hint, defects) if a]
    cc = [a for _, a in _addresses(hdrs.get_all("cc"), hint, defects) if a]
    date = None
    dval = hdrs.get("date")
    if dval:
        try:
            date = email_utils.parsedate_to_datetime(_clean_line(dval))
            if date is not None and date.tzinfo is None:
                date = date.replace(tzinfo=timezone.utc)
                defects.append("Date without a zone, read as UTC")
        except Exception:
            defects.append("unparsable Date")
            date = None
    auth = [_clean_line(decode_header(v, hint)) for v in hdrs.get_all("authentication-results")]
    auto_submitted = hdrs.get("auto-submitted")
    auto_submitted = _clean_line(auto_submitted) if auto_submitted is not None else None
    precedence = hdrs.get("precedence")
    precedence = _clean_line(precedence).lower() if precedence else None

    text = "\n".join(text_parts)
    cut: list[str] = []
    if text_parts:
        visible = quotes.visible_text(text, sender_name, cut)
        if not visible and html is not None and not text.strip():
            visible = quotes.visible_html(html, sender_name, cut)
    elif html is not None:
        text = htmltext.html_to_text(html)
        visible = quotes.visible_html(html, sender_name, cut)
    else:
        visible = ""
    if len(visible) > MAX_VISIBLE_CHARS:
        # what a reply says is read from here: the reader's cost grows with it, answers are short
        defects.append(f"new text longer than {MAX_VISIBLE_CHARS} characters; only the first read")
        visible = visible[:MAX_VISIBLE_CHARS]

    calendar_reply = _calendar_reply(calendars, sender, subject)
    if calendar_reply and calendars and _CALENDAR_NOTICE_RE.match(visible):
        # "Li Lei has accepted this invitation." + the event: written by the client, not the person
        cut.append("calendar client's notification text")
        visible = ""

    # not an answer?
    own = {a.strip().lower() for a in own_addresses if a}
    reason = None
    local = sender.split("@", 1)[0] if sender else ""
    xs = hdrs.get("x-auto-response-suppress")
    if (sender and sender in own) or hdrs.get("x-mailflow") is not None:
        reason = "own"
    elif bounce or local in _BOUNCE_SENDERS or _BOUNCE_ADDRESS_RE.match(sender) \
            or _BOUNCE_SUBJECT_RE.match(subject) or autotext.bounce(text):
        reason = "bounce"
    elif receipt:
        reason = "receipt"
    elif auto_submitted and auto_submitted.split(";", 1)[0].strip().lower() not in ("no", ""):
        reason = "auto-submitted"
    elif any(_flag(hdrs.get(h)) for h in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-autogenerated")):
        reason = "x-autoreply"
    elif precedence in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
        reason = "precedence"
    elif _AUTO_SUBJECT_RE.match(subject):
        reason = "subject"
    elif (hdrs.get("return-path") or "x").strip() in ("<>", ""):
        reason = "null-sender"
    elif xs is not None and _OOF_TEXT_RE.match(visible or text):
        reason = "x-auto-response-suppress"
    elif autotext.out_of_office(visible):
        reason = "out-of-office text"

    mailer = hdrs.get("x-mailer") or hdrs.get("user-agent")
    list_id = hdrs.get("list-id")
    return Inbound(
        message_id=mid, in_reply_to=irt, references=references, subject=subject,
        sender=sender, sender_name=sender_name, reply_to=reply_to, to=to, cc=cc, date=date,
        text=text, html=html, visible=visible, auto=reason is not None, auto_reason=reason,
        calendars=calendars, attachments=attachments, files=files, authentication_results=auth,
        headers_auto_submitted=auto_submitted, precedence=precedence,
        mailer=_clean_line(decode_header(mailer, hint)) if mailer else None,
        list_id=_clean_line(decode_header(list_id, hint)) if list_id else None,
        defects=defects, cut=cut, calendar_reply=calendar_reply,
    )


_PARTSTAT_WORD = {"accepted": "accepted", "declined": "declined", "tentative": "tentative"}
# the first line Google Calendar, Thunderbird & co. write into an iMIP reply: the answer in the third
# person ("张伟 已接受此邀请。", "Li Lei has accepted your event invitation."); a note the person
# added ("… with a note", "并留言") keeps the text
_CALENDAR_NOTICE_RE = re.compile(
    r"^[^\n]{0,80}?(?:\b(?:has|have)\s+(?:accepted|declined|tentatively accepted|delegated)\b"
    r"(?![^\n]*\b(?:note|comment)\b)|"
    r"(?:已|已经|已經)(?:接受|拒绝|拒絕|谢绝|謝絕|暂定接受|暫定接受|委派)(?:了)?(?:此|该|該|您的|你的)?"
    r"(?:邀请|邀請|会议|會議|活动|活動|日程)(?![^\n]*(?:留言|备注|備註)))", re.IGNORECASE)


def _calendar_reply(calendars: list[bytes], sender: str, subject: str) -> str | None:
    """The answer of a calendar reply: the sender's PARTSTAT in an iMIP REPLY part, else the
    answer a client writes in the subject ("已接受: …", "Declined: …") when there is no calendar part."""
    if calendars:
        from . import ical_in  # icalendar is slow to import: only for mail that carries a calendar
        answers = []
        for data in calendars:
            try:
                answers += ical_in.parse_replies(data)
            except Exception:
                continue
        if not answers:
            return None
        mine = [a for a in answers if a.attendee == sender] or answers
        if mine[0].delegated_to:
            return "delegated"
        return _PARTSTAT_WORD.get(mine[0].partstat.value)
    m = _CALENDAR_SUBJECT_RE.match(subject)
    if m:
        return next(k for k, v in m.groupdict().items() if v)
    return None


def _flag(value: str | None) -> bool:
    if value is None:
        return False
    v = value.strip().lower()
    return v not in ("no", "false", "0")
