"""Quote and signature stripping: the sender's new text only. Pure, no I/O.

`visible_text(text)` works on a plain-text body, `visible_html(html)` on an HTML body (the quoted
history is cut in the HTML itself, at the markers the clients put there, before it becomes text).

How a reply is read, line by line (every step is linear in the size of the mail; each regular
expression is applied to one line at a time, anchored, with bounded repetition):

1. The first *quote header* ends the new text. Quote headers are the separators and attribution
   lines of the clients used here:
   - separator lines: "------------------ 原始邮件 ------------------" (QQ邮箱, 腾讯企业邮箱, also
     "Original"), "-----原始邮件-----", "-----Original Message-----", "---- 回复的原邮件 ----"
     (网易邮箱大师), "---- Replied Message ----", forwarded-message separators;
   - attribution lines ending in 写道 / 寫道 / wrote (Gmail, Apple Mail, 网易 163/126, Thunderbird,
     "在 2026年11月18日 15:02，张三 <a@b> 写道：", "On Wed, Nov 18, 2026 at 3:02 PM … wrote:",
     also wrapped over two lines) — only when the line carries a digit or an "@", so that
     "as I wrote:" in a sentence is not a header;
   - header blocks (Outlook zh-CN/zh-TW/en, Foxmail, Lark/Feishu, DingTalk/阿里邮箱, Sina):
     a "发件人:/寄件者:/From:" line (ASCII or full-width colon, ideographic spaces, "*bold*") followed
     within a few lines by a second header key (发送时间/日期/收件人/主题/寄件日期/收件者/主旨/Sent/
     Date/To/Subject/…). One "From: x" line alone is not a header.
   - "回复 张三：" alone on a line (Lark/Feishu quick reply quoting).
   An attribution line directly followed by ">"-quoted lines is only removed (with the quoted lines),
   so bottom-posted and inline answers keep their new text.
2. ">"-quoted lines are dropped wherever they are.
3. Signatures: everything from a "-- " / "--" line, and a trailing mobile signature ("发自我的iPhone",
   "Sent from my iPhone", "从我的 iPad 发送", "来自网易邮箱大师", "Get Outlook for iOS", …).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from . import signature, taglines
from .htmltext import html_to_text, opens_quote, parse_html

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

__all__ = ["visible_text", "visible_html", "cut_quoted_html", "CutHtml", "is_quote_header"]

# --------------------------------------------------------------------------------------------
# line normalisation

_SPACES = str.maketrans({"\u3000": " ", "\xa0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
                         "\u200b": "", "\ufeff": "", "\t": " ", "：": ":", "，": ",", "＞": ">"})
_MAX_HEADER_LINE = 400  # a quote header longer than this is prose, not a header


def _norm(line: str) -> str:
    """A line as the matchers see it: unified spaces and colons, no markup stars, stripped."""
    if "&" in line:
        line = line.replace("&nbsp;", " ")  # QQ邮箱 text parts can carry the entity literally
    return line.translate(_SPACES).replace("*", "").strip()


# --------------------------------------------------------------------------------------------
# quote headers

_SEPARATOR_WORDS = (
    "原始邮件", "原始郵件", "原邮件", "原郵件", "邮件原件", "郵件原件", "原始信件", "原始訊息", "原始消息", "回复的原邮件",
    "回覆的原郵件", "转发邮件信息", "转发的邮件", "轉寄郵件", "转发邮件", "邮件原文", "郵件原文",
    "original message", "original", "replied message", "forwarded message", "forwarded",
    "reply message", "原始邮件信息", "mensaje original", "message d'origine", "ursprüngliche nachricht",
    "ursprungligt meddelande", "oorspronkelijk bericht", "messaggio originale", "oprindelig meddelelse",
    "opprinnelig melding", "oprindelig besked", "oryginalna wiadomość", "původní zpráva", "alkuperäinen viesti", "исходное сообщение", "mensagem original",
    "wiadomość oryginalna", "originalnachricht", "元のメッセージ",
)
_SEPARATOR_RE = re.compile(
    r"^[-_=—–~\s]{2,}\s*(?:" + "|".join(re.escape(w) for w in _SEPARATOR_WORDS)
    + r")\s*[-_=—–~\s:]*$", re.IGNORECASE)
_FORWARD_RE = re.compile(r"^(?:begin forwarded message|以下为转发的邮件|下面是转发的邮件|转发的邮件|轉寄的郵件)\s*:?$",
                         re.IGNORECASE)

# an attribution line: "... 写道：", "... wrote:", "... schrieb:", "... a écrit :"
_ATTRIB_END_RE = re.compile(
    r"(?:写道|寫道|写了|寫了|wrote|writes|schrieb|a écrit|escribió|ha scritto|schreef|skrev|napisał"
    r"|kirjoitti|написал\(а\)|написал|написала|escreveu|が書きました|wrote on|írta|撰写|撰寫|来信|來信|пише|geschreven)\s*:?\s*$",
    re.IGNORECASE)
# the first line of an attribution wrapped over two lines
_ATTRIB_START_RE = re.compile(
    r"^(?:on|在|於|于|am|le|el|il|op|den|dnia|em|\d{4}[-/年.])", re.IGNORECASE)
_HAS_DATE_OR_ADDR_RE = re.compile(r"[0-9@]|[一二三四五六七八九十]月")

# header blocks: keys that open one and keys that may follow
_FROM_KEYS = frozenset(k.lower() for k in (
    "发件人", "寄件者", "寄件人", "發件人", "发信人", "發信人", "from", "de", "von", "van", "od", "från",
    "fra", "da", "от", "від", "lähettäjä", "afzender", "差出人", "보낸 사람", "보낸사람",
))
_OTHER_KEYS = frozenset(k.lower() for k in (
    "发送时间", "發送時間", "日期", "时间", "時間", "发送日期", "發送日期", "收件人", "收件者", "主题", "主題", "主旨",
    "抄送", "抄送人", "副本", "密送", "寄件日期", "寄送時間", "sent", "date", "to", "subject", "cc", "bcc",
    "reply-to", "envoyé", "objet", "à", "a", "gesendet", "betreff", "an", "datum", "onderwerp",
    "verzonden", "aan", "wysłano", "temat", "do", "data", "skickat", "ämne", "till", "sendt", "emne",
    "til", "inviato", "oggetto", "enviado", "asunto", "para", "отправлено", "тема", "кому", "дата",
    "надіслано", "lähetetty", "aihe", "vastaanottaja", "送信日時", "件名", "宛先", "日時", "message du", "copie à", "sujet", "envoyé le", "pour",
    "받는 사람", "제목", "날짜", "sent time", "time",
))
_KEY_RE = re.compile(r"^[>\s]*\|?\s*([^\s:|][^:|]{0,18}?)\s*(?::|\|)")


def _key(line_n: str) -> str | None:
    """The header key a normalised line starts with ("发件人" for "发件人: 张三"), lower case."""
    if len(line_n) > _MAX_HEADER_LINE:
        return None
    m = _KEY_RE.match(line_n)
    if not m:
        return None
    key = m.group(1).lower()
    if " " in key and key not in _OTHER_KEYS and key not in _FROM_KEYS:
        key = key.replace(" ", "")  # "主　题", "发 件 人"
    return key


def _is_header_block(lines_n: Sequence[str], i: int) -> bool:
    """Line i opens a block of at least two mail-header lines (From + Sent/Date/To/Subject…)."""
    k = _key(lines_n[i])
    if k is None:
        return False
    if k not in _FROM_KEYS:
        # some clients lead with the date or the subject; require three keys then
        if k not in _OTHER_KEYS or k in ("a", "à", "do", "da", "an", "to", "time", "时间", "時間"):
            return False
        need, seen_from = 3, False
    else:
        need, seen_from = 2, True
    found, j, blank = 1, i + 1, 0
    while j < len(lines_n) and j <= i + 10:
        ln = lines_n[j]
        if not ln:
            blank += 1
            if blank > 1:
                break
            j += 1
            continue
        kj = _key(ln)
        if kj in _OTHER_KEYS or kj in _FROM_KEYS:
            found += 1
            seen_from = seen_from or kj in _FROM_KEYS
            if found >= need and seen_from:
                return True
        j += 1
    return False


def _attribution_len(lines_n: Sequence[str], i: int, before_quote: bool = False) -> int:
    """How many lines (1-3) starting at line i form an attribution ("… wrote:" / "… 写道："), else 0.

    One line ending in an attribution verb counts when it carries a digit or an "@". A window of up
    to three lines counts when it ends in such a verb, or ends in ":" and carries an "<address>"
    and a time of day (Gmail, Thunderbird and Android clients wrap their attribution lines).
    before_quote: the line sits directly above ">"-quoted lines, where a date and an address suffice.
    """
    ln = lines_n[i]
    if not ln or len(ln) > _MAX_HEADER_LINE or _is_quoted(ln) or not _HAS_DATE_OR_ADDR_RE.search(ln):
        return 0  # every attribution starts with a line that carries its date or address
    joined = ""
    wrapped_ok = len(ln) >= 8 and ("@" in ln or _YEAR_RE.search(ln) is not None)
    # a sentence above a complete one-line attribution is not part of it
    sentence = ln[-1] in ".!?。！？;；" and "@" not in ln
    for k in range(3 if wrapped_ok else 1):
        if i + k >= len(lines_n):
            break
        part = lines_n[i + k]
        if not part or _is_quoted(part) or (k and len(part) > 200):
            break
        joined = (joined + " " + part) if joined else part
        if len(joined) > _MAX_HEADER_LINE:
            break
        core = joined.rstrip(" -—–")[-48:]  # attribution verbs sit at the end
        if k and sentence and (_ATTRIB_END_RE.search(core) or core.endswith(":")):
            return 0
        if _ATTRIB_END_RE.search(core):
            # joined starts with ln, which carries a date or an address (checked above)
            if k == 0 or _ATTRIB_START_RE.match(joined) or "@" in joined or _TIME_RE.search(joined):
                return k + 1
        elif core.endswith(":") and "@" in joined and _TIME_RE.search(joined) and _YEAR_RE.search(joined):
            return k + 1
        elif core.endswith(":") and _ATTRIB_VERB_RE.search(joined) and _YEAR_RE.search(joined) \
                and ("@" in joined or _TIME_RE.search(joined)):
            return k + 1  # "Am 25.06.2015 um 10:55 schrieb Test user:"
        elif before_quote and k == 0 and "@" in joined and _YEAR_RE.search(joined):
            return 1
    return 0


_TIME_RE = re.compile(r"\d{1,2}[:.]\d{2}|[上下]午|\d{1,2}点")
_YEAR_RE = re.compile(r"(?:19|20)\d{2}|\d{1,2}[/.]\d{1,2}")


_ATTRIB_VERB_RE = re.compile(r"\b(?:wrote|schrieb|a écrit|escribió|skrev|napisał|schreef)\b|写道|寫道", re.IGNORECASE)
_LARK_REPLY_RE = re.compile(r"^(?:回复|回覆|reply to)\s*\S.{0,30}:$", re.IGNORECASE)


def is_quote_header(line: str) -> bool:
    """True when one line on its own is a quote separator or attribution (for callers and tests)."""
    n = _norm(line)
    return bool(_SEPARATOR_RE.match(n) or _FORWARD_RE.match(n) or _attribution_len([n], 0))


# --------------------------------------------------------------------------------------------
# signatures

def _strip_signature(lines: list[str], sender_name: str, cut: list[str] | None) -> list[str]:
    """The lines above the signature: a "-- " delimiter, a mailing-list footer, a "sent from"
    tagline, and a signature block or disclaimer recognised by its shape (see signature.py)."""
    def note(what: str) -> None:
        if cut is not None:
            cut.append(what)

    # "-- " delimiter: the conventional start of a signature
    for idx, line in enumerate(lines):
        if idx > 0 and line.rstrip() == "--":          # "--" and "-- "
            rest = sum(1 for ln in lines[idx + 1:] if ln.strip())
            note(f"signature after '--' ({rest} lines)")
            lines = lines[:idx]
            break
    # a mailing-list footer: an underscore rule, then a few lines naming the list
    for idx in range(max(1, len(lines) - 8), len(lines)):
        n = _norm(lines[idx])
        if len(n) >= 2 and not n.strip("_"):
            tail = " ".join(lines[idx + 1:]).lower()
            if any(w in tail for w in ("mailing list", "listinfo", "unsubscribe", "退订", "退訂")):
                note("mailing-list footer")
                lines = lines[:idx]
                break
    lines_n = [_norm(ln) if len(ln) <= 400 else ln[:400] for ln in lines]
    # a "sent from" tagline: the new text ends above it (what follows is its signature)
    idx = taglines.find_tagline(lines_n)
    if idx is not None:
        note(f"tagline '{lines_n[idx][:40]}'")
        lines, lines_n = lines[:idx], lines_n[:idx]
    while lines_n and not lines_n[-1]:
        lines, lines_n = lines[:-1], lines_n[:-1]
    block = signature.find_block(lines_n, sender_name)
    if block is not None:
        note(block.what)
        lines = lines[:block.start]
    return lines


# --------------------------------------------------------------------------------------------
# plain text

_NEWLINES_RE = re.compile(r"\r\n?|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _is_quoted(line_n: str) -> bool:
    # "|" quoting (old Outlook/Gmail); a Markdown table row ("| 任务 | 状态 |") is not a quote
    return line_n.startswith(">") or (line_n.startswith("|") and (line_n == "|" or not line_n.endswith("|")))


class _Normed:
    """The lines as _norm sees them, normalised on first use: the quoted original below the cut,
    usually most of the mail, is never looked at."""

    __slots__ = ("_lines", "_done")

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._done: list[str | None] = [None] * len(lines)

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self._lines)))]
        v = self._done[i]
        if v is None:
            v = self._done[i] = _norm(self._lines[i])
        return v


_DECORATED_RE = re.compile(r"^[-_=—–~]{3,}\s*[^-_=—–~\s][^-_=—–~]{0,24}?\s*[-_=—–~]{3,}$")


def _decorated_separator(lines_n: Sequence[str], i: int) -> bool:
    """A "-----<any words>-----" line right above a mail-header block: a client's own separator
    ("-----邮件原件-----") whose words we do not know."""
    if not _DECORATED_RE.match(lines_n[i]):
        return False
    j = i + 1
    while j < len(lines_n) and j <= i + 2 and not lines_n[j]:
        j += 1
    return j < len(lines_n) and _is_header_block(lines_n, j)


def _cut_lines(lines: list[str], cut: list[str] | None = None) -> list[str]:
    """The lines of the new text: up to the first quote header, without ">"-quoted lines.
    What was dropped is described in `cut` ("quote from '-----原始邮件-----'", "quoted lines (3)")."""
    lines_n = _Normed(lines)
    out: list[str] = []
    quoted = 0
    i, n = 0, len(lines)
    header = None
    while i < n:
        ln = lines_n[i]
        if not ln:
            out.append("")
            i += 1
            continue
        if _is_quoted(ln):
            i += 1
            quoted += 1
            # a long quoted line wrapped by a client that did not re-quote the rest ("lazy
            # continuation"): the unquoted tail right below it belongs to the quote
            while i < n and len(ln) >= 60 and lines_n[i] and not _is_quoted(lines_n[i]) \
                    and i + 1 < n and _is_quoted(lines_n[i + 1]):
                i += 1
            continue
        if _SEPARATOR_RE.match(ln) or _FORWARD_RE.match(ln) or _decorated_separator(lines_n, i):
            header = ln
            break
        a = _attribution_len(lines_n, i)
        if not a:
            j = i + 1
            while j < n and not lines_n[j] and j < i + 3:
                j += 1
            if j < n and _is_quoted(lines_n[j]):
                a = _attribution_len(lines_n, i, before_quote=True)
        if a:
            j = i + a
            while j < n and not lines_n[j]:
                j += 1
            if j < n and _is_quoted(lines_n[j]):
                # attribution above ">" lines: drop both and keep reading, so that bottom-posted
                # and inline answers keep their text
                i = j
                continue
            header = " ".join(lines_n[i:i + a])
            break
        if _is_header_block(lines_n, i) or (_LARK_REPLY_RE.match(ln) and i + 1 < n and any(lines_n[i + 1:i + 3])):
            header = ln
            break
        out.append(lines[i])
        i += 1
    if cut is not None:
        if header is not None:
            short = header if len(header) <= 48 else header[:45] + "..."
            cut.append(f"quote from '{short}'")
        if quoted:
            cut.append(f"quoted lines ({quoted})")
    return out


_RULE_LINE_RE = re.compile(r"[-_=—–~*]{2,}")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


def _tidy(lines: Iterable[str]) -> str:
    out = [ln.rstrip() for ln in lines]
    # trailing separator lines ("________________", "-----") and blanks left by the cut
    while out and (not (last := _norm(out[-1])) or _RULE_LINE_RE.fullmatch(last)):
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(out)).strip()


def visible_text(text: str, sender_name: str = "", cut: list[str] | None = None) -> str:
    """The sender's new text of a plain-text reply: quoted history and signature removed.

    sender_name (the From display name) helps recognise the sender's name at the end; `cut`, when
    given, receives a short description of each thing removed (for `mailflow explain`)."""
    if not text:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = _NEWLINES_RE.sub("\n", text)
    lines = text.split("\n")
    lines = _cut_lines(lines, cut)
    lines = _strip_signature(_trim_end(lines), sender_name, cut)
    return _tidy(lines)


def _trim_end(lines: list[str]) -> list[str]:
    """Without the blank and rule lines the quote cut leaves at the end ("______" above Outlook's header)."""
    end = len(lines)
    while end and (not (last := _norm(lines[end - 1])) or _RULE_LINE_RE.fullmatch(last)):
        end -= 1
    return lines[:end]


# --------------------------------------------------------------------------------------------
# HTML: the text comes from htmltext (one converter), cut at the clients' quote markers

class CutHtml(NamedTuple):
    """An HTML reply without its quoted original: `html` is the markup kept (a minutes draft's
    version), `tree` the same markup parsed, for html_to_text to walk without parsing again."""

    html: str
    tree: BeautifulSoup


def cut_quoted_html(html: str) -> CutHtml:
    """The HTML of a reply without its quoted original (client quote markers, blockquotes, Outlook's
    border-top header block), still as HTML and as its tree: for minutes drafts, whose tables are read
    from the HTML. The cut removes the quote and everything after it."""
    soup = parse_html(html)

    def is_quote(tag) -> bool:
        if opens_quote(tag) or tag.name == "blockquote":
            return True
        style = re.sub(r"\s+", "", str(tag.get("style") or "")).lower()
        return tag.name == "div" and "border-top:solid#" in style and "border:none" in style

    first = soup.find(is_quote)
    if first is None:
        return CutHtml(html, soup)
    node = first
    while node is not None and node is not soup:
        for sib in list(node.find_next_siblings()):
            sib.decompose()
        node = node.parent
    first.decompose()
    cut = str(soup)
    # parsed again rather than the cut tree kept: the tree is then exactly what the stored markup says
    # (a stray end tag leaves a text split in two on the cut tree), at the cost of the small new part
    return CutHtml(cut, parse_html(cut))


def visible_html(html: str | BeautifulSoup, sender_name: str = "", cut: list[str] | None = None) -> str:
    """The sender's new text of an HTML reply (markup, or the tree parse_html made of it), as plain
    text (see visible_text)."""
    if not html:
        return ""
    return visible_text(html_to_text(html, stop_at_quote=True, notes=cut), sender_name, cut)
