"""A mail's bytes and headers to text: charsets, RFC 2047 words, addresses, Message-IDs. Pure.

Charsets are decided per MIME part, after MIME parsing (never on the raw bytes):
gb2312/gbk/gb_2312-80/cp936 labels are decoded as GB18030 (its superset), big5 falls back to
Big5-HKSCS and cp950, a label that fails or is missing is replaced by detection (UTF-8 first,
then charset-normalizer), and the failure is recorded in `defects`. Header values are decoded here,
once, only the ones mailflow uses; raw 8-bit header bytes are tried as UTF-8, else as the body's
charset. Split out of inbound, which assembles a mail from these pieces.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from email import utils as email_utils
from email.message import Message

__all__ = ["decode_bytes", "decode_header", "norm_charset", "raw_bytes", "clean_line", "msgid", "MSGID_RE",
           "addresses", "Headers"]


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


def norm_charset(label: str | None) -> str:
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
    enc = norm_charset(best.encoding)
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
    cs = norm_charset(label)
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


def raw_bytes(value: str) -> bytes:
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
    raw = raw_bytes(value)
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
        if pend_cs is not None and norm_charset(cs) != norm_charset(pend_cs):
            flush()
        if pend_cs is None:
            pend_cs = cs
        pend += data
        pos = m.end()
    flush()
    plain(text[pos:].encode("latin-1"))
    return "".join(out)


def clean_line(s: str) -> str:
    return _COLLAPSE_RE.sub(" ", s.replace("\x00", "")).strip()


# No controls and no lone surrogates (undecodable 8-bit header bytes): such an id can match
# nothing we sent, and SQLite cannot even take it as a query parameter.
MSGID_RE = re.compile(r"<([^<>\s\x00-\x1f\x7f\ud800-\udfff]{1,998})>")
_MSGID_BAD = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def msgid(value: str | None) -> str | None:
    if not value:
        return None
    m = MSGID_RE.search(value)
    if m:
        return "<" + m.group(1) + ">"
    tok = value.strip().split()
    if tok and 0 < len(tok[0]) <= 998 and not _MSGID_BAD.search(tok[0]):
        return "<" + tok[0].strip("<>") + ">"
    return None


def addresses(values: list[str], hint: str | None, defects: list[str]) -> list[tuple[str, str]]:
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
        name = clean_line(decode_header(name, hint, defects)).strip("\"' ")
        addr = decode_header(addr, hint, defects).strip().strip("<>").lower()
        if not addr and not name:
            continue
        out.append((name, addr))
    return out


class Headers:
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
