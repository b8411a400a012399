"""One HTML -> text converter for the whole reader. Pure, no I/O.

Every HTML body the reader sees (a reply, a forwarded agenda, a minutes draft) becomes text here, by
one iterative walk over the parsed tree (no recursion, whatever the nesting depth). Two layouts of
the same walk, chosen by `tables`:

- a mail (`tables=False`): blocks as lines, paragraphs apart, blockquotes as "> " lines, table
  cells side by side, an image's alt text kept; with `stop_at_quote=True` the walk stops at the
  first element a client uses to open the quoted history (and skips a marked signature);
- a draft (`tables=True`): every block its own paragraph, lines a Word/Outlook source wrapped inside
  Chinese text joined again, <ol> items numbered, and each innermost table as TAB-separated rows
  (colspan repeated, rowspan carried down), as the minutes reader reads Excel and Word tables.

It lives in read/ because it turns bytes-turned-markup into text and nothing else; quotes (what is
new in a reply) and minutes (what a draft says) build on it. A caller that works on the tree itself
(the quote cut of a minutes draft) parses once with `parse_html` and hands the tree to `html_to_text`:
parsing is most of what reading an HTML body costs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

__all__ = ["html_to_text", "opens_quote", "parse_html", "try_parse"]

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"

# elements that open the quoted history in the HTML of the clients used here
_QUOTE_IDS = frozenset({"divrplyfwdmsg", "isreplycontent", "origbody", "reply-content",
                        "ntes-original", "original-content", "mail-history"})
_QUOTE_CLASSES = frozenset({"gmail_quote", "gmail_quote_container", "gmail_extra_quote",
                            "history-quote-wrapper", "history-quote", "lark-mail-quote",
                            "moz-cite-prefix", "yahoo_quoted", "zmail_extra", "protonmail_quote",
                            "ms-outlook-mobile-reply", "reply-quote", "dingtalk-quote",
                            "mail-quote", "qmail_quote", "origin-mail"})
_QUOTE_TAGS = frozenset({"includetail"})   # QQ邮箱 / Foxmail wrap the original in <includetail>
_SIG_CLASSES = frozenset({"gmail_signature", "protonmail_signature_block", "ms-outlook-mobile-signature"})

# never text: what they hold is code, metadata or drawing
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "meta", "link", "noscript", "template",
                        "svg", "xml", "o:p"})

_WS_RE = re.compile(r"[ \t\r\n\f\v]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


def html_to_text(html: str | BeautifulSoup | None, *, tables: bool = False, stop_at_quote: bool = False,
                 notes: list[str] | None = None) -> str:
    """The text of an HTML body, given as markup or as the tree `parse_html` made of it (the walks
    only read the tree). `tables=True` is the draft layout (innermost tables as TAB rows);
    `stop_at_quote` cuts a mail at its quoted history, and `notes`, when given, receives a short
    description of what was cut (for `mailflow explain`)."""
    if html is None or isinstance(html, str):
        if not html and not tables:
            return ""
        root = try_parse(html or "")
        if root is None:                   # the parser gave up: the text with its tags blanked
            text = re.sub(r"<[^>]{0,2000}>", " ", html or "")
            return text.strip() + "\n" if tables else text
    else:
        root = html
    sink = _DraftText() if tables else _MailLines(stop_at_quote, notes)
    _walk(root, sink)
    return sink.result()


def opens_quote(tag) -> bool:
    """Whether an element is one a client uses to wrap the quoted original (by tag, id or class)."""
    name = tag.name
    if name in _QUOTE_TAGS:
        return True
    attrs = tag.attrs
    if not attrs:
        return False
    tid = attrs.get("id")
    if isinstance(tid, str) and tid.lower() in _QUOTE_IDS:
        return True
    if any(c.lower() in _QUOTE_CLASSES for c in _classes(tag)):
        return True
    return name == "div" and attrs.get("name") == "quote"  # GMX


def _classes(tag) -> list[str]:
    cls = tag.attrs.get("class") if tag.attrs else None
    if not cls:
        return []
    return cls.split() if isinstance(cls, str) else cls


def _is_signature(tag) -> bool:
    return any(c.lower() in _SIG_CLASSES for c in _classes(tag))


def _marker(tag) -> str:
    """The id or class that marked an element as quote or signature, for the notes."""
    attrs = tag.attrs or {}
    tid = attrs.get("id")
    if isinstance(tid, str) and tid:
        return f"id={tid[:40]}"
    cls = attrs.get("class")
    if cls:
        return "class=" + (cls if isinstance(cls, str) else " ".join(cls))[:40]
    return ""


def parse_html(html: str) -> BeautifulSoup:
    """The parsed tree of an HTML body, as every walk here reads it (bs4 with html.parser)."""
    from bs4 import BeautifulSoup
    return BeautifulSoup(html, "html.parser")


def try_parse(html: str) -> BeautifulSoup | None:
    """The parsed tree, or None when the markup defeats the parser (bs4 raises ParserRejectedMarkup
    on what html.parser cannot take); a caller reading one body twice parses it once with this."""
    try:
        return parse_html(html)
    except Exception:  # pragma: no cover - html.parser is forgiving
        return None


_STOP = object()


def _walk(root, sink) -> None:
    """Visit `root` depth-first without recursion: sink.text(s) for each string, sink.enter(tag)
    (returns True to descend, False to skip the element, _STOP to end) and sink.leave(tag)."""
    from bs4 import NavigableString
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
    not_text = (Comment, Doctype, ProcessingInstruction, Declaration)
    stack: list[tuple[object, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, not_text):
                sink.text(node)
            continue
        name = getattr(node, "name", None)
        if name is None:
            continue
        if not entering:
            sink.leave(node, name)
            continue
        if name in _SKIP_TAGS:
            continue
        go = sink.enter(node, name)
        if go is _STOP:
            break
        if go:
            stack.append((node, False))
            for child in reversed(getattr(node, "contents", None) or []):
                stack.append((child, True))


# --- a mail: lines, paragraphs, "> " for blockquotes ---------------------------------------------

_MAIL_BLOCKS = frozenset({"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4",
                          "h5", "h6", "pre", "blockquote", "hr", "section", "article", "header",
                          "footer", "dl", "dt", "dd", "address", "center", "form", "fieldset",
                          "caption", "tbody", "thead", "tfoot", "figure", "main", "nav", "aside"})
_MAIL_PARAGRAPHS = frozenset({"p", "table", "blockquote", "pre", "ul", "ol"})
_CELLS = frozenset({"td", "th"})


class _MailLines:
    def __init__(self, stop_at_quote: bool, notes: list[str] | None) -> None:
        self.stop_at_quote = stop_at_quote
        self.notes = notes
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.cur_depth = 0
        self.depth = 0      # blockquote nesting
        self.pre = 0        # inside <pre>: whitespace kept

    def newline(self) -> None:
        text = "".join(self.cur)
        if self.pre == 0:
            text = text.strip(" ")
        self.lines.append(("> " * self.cur_depth) + text if self.cur_depth and text else text)
        self.cur = []
        self.cur_depth = self.depth

    def text(self, s: str) -> None:
        s = str(s)
        if self.pre:
            for k, part in enumerate(s.split("\n")):
                if k:
                    self.newline()
                if not self.cur:
                    self.cur_depth = self.depth
                self.cur.append(part)
            return
        s = _WS_RE.sub(" ", s)
        if s.strip() or (self.cur and not self.cur[-1].endswith(" ")):
            if not self.cur:
                self.cur_depth = self.depth
                s = s.lstrip(" ")
            if s:
                self.cur.append(s)

    def enter(self, node, name: str):
        if name != "[document]" and self.stop_at_quote:
            if opens_quote(node):
                if self.notes is not None:
                    self.notes.append(f"quote from HTML <{name}> {_marker(node)}".rstrip())
                return _STOP
            if _is_signature(node):
                if self.notes is not None:
                    self.notes.append(f"signature (HTML {_marker(node)})")
                return False
        if name == "br":
            self.newline()
            return False
        if name in _MAIL_BLOCKS and self.cur:
            self.newline()
        if name in _CELLS and self.cur:
            self.cur.append(" ")
        if name == "hr":
            self.lines.append("")
            return False
        if name == "img":
            alt = node.attrs.get("alt") if node.attrs else None
            if isinstance(alt, str) and alt.strip() and not alt.lower().startswith(("image", "cid:")):
                self.cur.append(alt.strip())
            return False
        if name == "blockquote":
            self.depth += 1
        if name == "pre":
            self.pre += 1
        return True

    def leave(self, node, name: str) -> None:
        if name in _MAIL_BLOCKS and self.cur:
            self.newline()
        if name == "blockquote":
            if self.cur:
                self.newline()
            self.depth -= 1
            self.cur_depth = self.depth
        if name == "pre":
            self.pre -= 1
        heading = name.startswith("h") and len(name) == 2
        if (name in _MAIL_PARAGRAPHS or heading) and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def result(self) -> str:
        if self.cur:
            self.newline()
        out = "\n".join(ln.rstrip() for ln in self.lines)
        return _BLANK_LINES_RE.sub("\n\n", out).strip("\n")


# --- a draft: every block a paragraph, innermost tables as TAB rows ------------------------------

_DRAFT_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "tr", "table", "tbody", "thead", "tfoot", "h1", "h2",
                           "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "section", "article", "header",
                           "footer", "dl", "dt", "dd", "td", "th", "caption", "body", "html", "center",
                           "address", "form", "fieldset"})
_WRAPPED_CJK_RE = re.compile(rf"(?<=[{_CJK}，。；：、（）])[ \t\r\n]*[\r\n][ \t\r\n]*(?=[{_CJK}，。；：、（）])")
_DRAFT_WS_RE = re.compile(r"[ \t\r\n\f]+")


class _DraftText:
    def __init__(self) -> None:
        self.out: list[str] = []

    def text(self, s) -> None:
        from bs4.element import CData
        if not isinstance(s, CData):
            # a line break inside Chinese text is the source's wrapping, not a space
            self.out.append(_DRAFT_WS_RE.sub(" ", _WRAPPED_CJK_RE.sub("", str(s))))

    def enter(self, node, name: str) -> bool:
        name = name.lower()
        if name == "br":
            self.out.append("\n")
            return False
        if name == "table" and node.find("table") is None:
            rows = _rows(node)
            if any(sum(1 for c in r if c) > 1 for r in rows):      # a layout table of one column is just text
                self.out.append("\n" + "\n".join("\t".join(r) for r in rows) + "\n")
                return False
        if _numbered_item(node, name):
            self.out.append("\n" + str(len(node.find_previous_siblings("li")) + 1) + ". ")
        elif name in _DRAFT_BLOCKS:
            self.out.append("\n")
        return True

    def leave(self, node, name: str) -> None:
        if _numbered_item(node, name.lower()) or name.lower() in _DRAFT_BLOCKS:
            self.out.append("\n")

    def result(self) -> str:
        lines = [ln.strip(" ") for ln in "".join(self.out).replace("\xa0", " ").split("\n")]
        return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip() + "\n"


def _numbered_item(node, name: str) -> bool:
    return name == "li" and node.parent is not None and (node.parent.name or "").lower() == "ol"


def _cell_text(cell) -> str:
    sink = _DraftText()
    _walk(cell, sink)
    parts = [p.strip() for p in "".join(sink.out).replace("\xa0", " ").replace("\t", " ").split("\n")]
    return " ".join(p for p in parts if p)


def _span(value, default: int = 1) -> int:
    try:
        return max(1, min(50, int(str(value).strip())))
    except (TypeError, ValueError):
        return default


def _rows(table) -> list[list[str]]:
    """An HTML table as rows of cells (colspan repeated, rowspan carried down)."""
    rows: list[list[str]] = []
    carry: dict[int, tuple[str, int]] = {}
    for tr in table.find_all("tr"):
        cells: list[str] = []
        col = 0
        queue = list(tr.find_all(["td", "th"], recursive=False))
        while queue or col in carry:
            if col in carry:
                text, left = carry[col]
                cells.append(text)
                if left <= 1:
                    del carry[col]
                else:
                    carry[col] = (text, left - 1)
                col += 1
                continue
            td = queue.pop(0)
            text = _cell_text(td)
            down = _span(td.get("rowspan"))
            for _ in range(_span(td.get("colspan"))):
                cells.append(text)
                if down > 1:
                    carry[col] = (text, down - 1)
                col += 1
        if any(c.strip() for c in cells):
            rows.append(cells if len(cells) > 1 else cells + [""])
    return rows
