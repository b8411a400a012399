"""A minutes draft attached as .docx -> draft text (python-docx). Pure: bytes in, text out.

Paragraphs and tables in document order. A paragraph is one line, with tracked changes accepted and
Word's automatic numbers written out as Word draws them ("1.", "一、", "（一）", "①"; bullets "- ");
tables as office_tables writes them. attachments decides first whether the file may be opened.
"""

from __future__ import annotations

import io
import re
from typing import Iterator

from .office_tables import table_lines, tidy
from .zh import cn_numeral

__all__ = ["docx_text"]


def docx_text(data: bytes) -> str:
    from docx import Document
    doc = Document(io.BytesIO(data))
    lines: list[str] = []
    numbers = _Numbering(doc)
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            lines += ["", *table_lines([_docx_row(row, numbers) for row in block.rows], word=True), ""]
        else:
            text = _para_text(block)
            lines.append(numbers.prefix(block) + text if text else "")
    return tidy(lines)


def _para_text(p) -> str:
    """The paragraph as Word shows it with tracked changes accepted: every run's text, also inside
    insertions, hyperlinks and fields (deleted text is w:delText and stays out). A soft line break
    stays a line break; a TAB only aligns text there, so it is a space."""
    parts: list[str] = []
    for el in p._p.iter(_w("t"), _w("tab"), _w("br"), _w("cr")):
        if el.getparent().tag != _w("r") or any(a.tag == _FALLBACK for a in el.iterancestors()):
            continue                          # tab stops in the paragraph's properties; a text box's copy
        parts.append((el.text or "") if el.tag == _w("t") else " " if el.tag == _w("tab") else "\n")
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n")).strip()


def _docx_row(row, numbers: "_Numbering") -> list[list[str]]:
    """The row's cells, each a list of lines. A cell merged across columns is listed once per
    column by python-docx: its lines go in the first, the others stay empty so the columns stay
    aligned with the header; a row that is one cell across the whole table is that one cell."""
    cells: list[list[str]] = []
    seen = None
    for cell in row.cells:
        cells.append([] if cell._tc is seen else list(_cell_lines(cell, numbers)))
        seen = cell._tc
    if len({id(c._tc) for c in row.cells}) == 1 and len(cells) > 1:
        return cells[:1]
    return cells


def _cell_lines(cell, numbers: "_Numbering") -> Iterator[str]:
    for block in cell.iter_inner_content():
        if hasattr(block, "rows"):           # a table inside a cell: its text, row by row
            for row in block.rows:
                yield " ".join(" ".join(c) for c in _docx_row(row, numbers) if c)
        else:
            text = " ".join(_para_text(block).split())
            if text:
                yield numbers.prefix(block) + text


class _Numbering:
    """Word's automatic list numbers, which are not in a paragraph's text: each level's pattern
    (lvlText "%1." / "（%1）" / "第%1条" / "%1.%2") written out with its format (1, 一, ①, a, i …),
    counted per list from its start value, deeper levels restarting under a new item; bullets "- "."""

    def __init__(self, doc) -> None:
        self._levels: dict[tuple[str, int], tuple[str, str, int]] = {}   # (numId, ilvl) -> fmt, text, start
        self._counts: dict[tuple[str, int], int] = {}
        try:
            numbering = doc.part.numbering_part.element
        except Exception:                     # no numbering part at all
            return
        abstract = {a.get(_w("abstractNumId")): a for a in numbering.iter(_w("abstractNum"))}
        for num in numbering.iter(_w("num")):
            ref = num.find(_w("abstractNumId"))
            lvls = abstract.get(ref.get(_w("val")) if ref is not None else None)
            if lvls is None:
                continue
            starts = {o.get(_w("ilvl")): o.find(_w("startOverride")) for o in num.iter(_w("lvlOverride"))}
            for lvl in lvls.iter(_w("lvl")):
                ilvl = lvl.get(_w("ilvl"), "0")
                start = starts.get(ilvl)
                start = start if start is not None else lvl.find(_w("start"))
                self._levels[(num.get(_w("numId")), int(ilvl))] = (
                    _val(lvl.find(_w("numFmt")), "decimal"), _val(lvl.find(_w("lvlText")), f"%{int(ilvl) + 1}."),
                    int(_val(start, "1")) if _val(start, "1").isdigit() else 1)

    def prefix(self, p) -> str:
        num_id, level = self._list_of(p)
        if num_id is None:
            return ""
        fmt, pattern, start = self._levels.get((num_id, level), ("", f"%{level + 1}.", 1))
        if not fmt:                           # a list the numbering part does not define: go by the style
            fmt = "bullet" if "bullet" in ((p.style.name if p.style is not None else "") or "").lower() else "decimal"
        if fmt == "bullet":
            return "  " * level + "- "
        if fmt == "none":
            return ""
        for key in [k for k in self._counts if k[0] == num_id and k[1] > level]:
            del self._counts[key]
        self._counts[(num_id, level)] = self._counts.get((num_id, level), start - 1) + 1

        def number(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            lv_fmt, _, lv_start = self._levels.get((num_id, lv), ("decimal", "", 1))
            return _format_number(self._counts.get((num_id, lv), lv_start), lv_fmt)
        text = re.sub(r"%([1-9])", number, pattern).strip()
        if not text:
            return ""
        return "  " * level + text + ("" if text[-1] in "、）)】]：:" else " ")

    @staticmethod
    def _list_of(p) -> tuple[str | None, int]:
        """(numId, level) from the paragraph, else from its style chain (List Number, List Bullet)."""
        sources = [p._p.pPr]
        style = p.style
        while style is not None and len(sources) < 8:
            sources.append(style.element.pPr)
            style = style.base_style
        for ppr in sources:
            numpr = ppr.numPr if ppr is not None else None
            if numpr is not None and numpr.numId is not None:
                num_id = str(numpr.numId.val)
                level = numpr.ilvl.val if numpr.ilvl is not None else 0
                return (None, 0) if num_id == "0" else (num_id, int(level))
        return None, 0


def _val(el, default: str) -> str:
    return el.get(_w("val"), default) if el is not None else default


def _format_number(n: int, fmt: str) -> str:
    """n in a Word number format: 3 -> 3, 三, 丙, ③, c, iii …"""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "japaneseCounting",
               "chineseLegalSimplified", "taiwaneseCountingThousand") and 0 < n < 100:
        return cn_numeral(n)
    if fmt == "ideographTraditional" and 0 < n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("lowerLetter", "upperLetter") and 0 < n <= 26:
        letter = chr(ord("a") + n - 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and 0 < n < 40:
        roman = "x" * (n // 10) + ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"][n % 10]
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
