"""Minutes sent as a Word or Excel attachment -> draft text that minutes.parse reads like a pasted draft.

Pure: bytes in, text out; no disk, no network, nothing executed.

- .docx (python-docx): paragraphs and tables in document order. A paragraph is one line (Word's
  automatic numbering is written out as "1. ", bullets as "- "); a table row is one line of
  TAB-separated cells, the way a table pasted from Excel reads; a two-column table that is not a
  task table (会议时间 | 12月11日) becomes "label：value" lines.
- .xlsx (openpyxl, read-only, cached values): the FIRST sheet whose header row (within its first
  rows, below any title row) names an owner column (负责人/責任人/Owner …) and a task or a due column
  becomes a TAB-separated table; sheets of decisions (a 决议/Decisions column) become numbered
  lines under their heading; two-column sheets (项目 | 内容) become "label：value" lines. Date cells
  are written YYYY-MM-DD. A formula is never calculated: the value Excel saved with it is read, and
  a formula that was never calculated reads as its own text.

Refused, with a reason the recorder is told (see templates minutes_attachment.*):
  format     .doc/.xls/.pdf/.wps/.rtf/.odt … (and .docx/.xlsx that are really old binary files)
  macro      .docm/.xlsm and any file carrying a vbaProject part: never opened
  too_large  more than MAX_BYTES
  unpacked   the zip would unpack to more than MAX_UNPACKED, has more than MAX_PARTS parts, an XML
             part larger than MAX_XML, or a part packed more tightly than MAX_RATIO (a zip bomb)
  damaged    not a readable zip / Office file, or encrypted
  no_sheet   an .xlsx without any sheet that looks like a task list
Images and other non-document attachments (signature logos, calendar files) are not drafts and are
left alone.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Iterable, Iterator

__all__ = ["Reading", "REASONS", "kind_of", "keeps", "read", "read_all", "MAX_BYTES"]

MAX_BYTES = 10 * 1024 * 1024          # per attached file, as sent
MAX_UNPACKED = 64 * 1024 * 1024       # all parts of the zip together, unpacked
MAX_PARTS = 1000                      # a real .docx has ~15 parts, an .xlsx a few per sheet
MAX_RATIO = 200                       # XML packs 5-30x; bombs pack 1000x and more
MAX_XML = 16 * 1024 * 1024            # one XML part: python-docx holds a whole part in memory
MAX_ROWS = 2000                       # rows read from one sheet
MAX_COLS = 40
MAX_TEXT = 200_000                    # characters of draft text from one file

READABLE = {".docx": "docx", ".xlsx": "xlsx"}
MACRO = (".docm", ".dotm", ".xlsm", ".xltm", ".xlsb", ".pptm")
DOCUMENTS = (".doc", ".dot", ".dotx", ".xls", ".xlt", ".xltx", ".et", ".ett", ".wps", ".wpt", ".dps",
             ".pdf", ".ofd", ".rtf", ".odt", ".ods", ".pages", ".numbers", ".ppt", ".pptx", ".key",
             ".txt", ".md", ".csv", ".htm", ".html", ".mht", ".zip", ".rar", ".7z")
_CTYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
           "application/msword": "document", "application/vnd.ms-excel": "document",
           "application/pdf": "document", "application/rtf": "document", "text/rtf": "document",
           "application/vnd.oasis.opendocument.text": "document",
           "application/vnd.oasis.opendocument.spreadsheet": "document"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # .doc/.xls, and password-protected .docx/.xlsx


# What each refusal means, for the command line (the recorder's mail says it in their language).
REASONS = {
    "format": "a format mailflow does not read: send .docx/.xlsx, or paste the minutes as text",
    "macro": "a file with macros: never opened",
    "too_large": f"larger than {MAX_BYTES // (1024 * 1024)} MB",
    "unpacked": f"unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB or {MAX_PARTS} parts, "
                "or packs like a zip bomb: not opened",
    "damaged": "not a readable .docx/.xlsx (damaged, or protected by a password)",
    "no_sheet": "no sheet has a header row with an owner column and a task or due column",
}


@dataclass
class Reading:
    """One attached file as the minutes flow sees it: its draft text, or why it was refused."""

    name: str
    text: str = ""
    refused: str | None = None        # a reason code from the module docstring


def kind_of(name: str, ctype: str = "") -> str:
    """docx, xlsx, macro, document (a format we do not read) or other (not a draft: images …)."""
    low = (name or "").strip().lower()
    ext = low[low.rfind("."):] if "." in low else ""
    if ext in READABLE:
        return READABLE[ext]
    if ext in MACRO or "macroenabled" in (ctype or "").lower():
        return "macro"
    if ext in DOCUMENTS:
        return "document"
    if not ext:
        return _CTYPES.get((ctype or "").lower(), "other")
    return "other"


def keeps(name: str, ctype: str, size: int) -> bool:
    """Whether inbound keeps this attachment's bytes for the minutes flow."""
    return kind_of(name, ctype) in ("docx", "xlsx") and size <= MAX_BYTES


def read_all(attachments: Iterable[tuple[str, str, int]],
             files: Iterable[tuple[str, str, bytes]]) -> list[Reading]:
    """Every document among a mail's attachments, read or refused; other attachments are skipped.
    `attachments` lists (name, type, size) of all of them, `files` the kept bytes (see `keeps`)."""
    kept = list(files)
    out = []
    for name, ctype, size in attachments:
        kind = kind_of(name, ctype)
        if kind == "other":
            continue
        if kind in ("docx", "xlsx") and size <= MAX_BYTES:
            data = next((f for f in kept if f[0] == name and f[1] == ctype), None)
            if data is not None:
                kept.remove(data)
                out.append(read(name, data[2], ctype))
                continue
        if kind in ("docx", "xlsx"):      # too large to keep, or its bytes were not kept
            out.append(Reading(name, refused="too_large" if size > MAX_BYTES else "damaged"))
        else:
            out.append(read(name, b"", ctype))
    return out


def read(name: str, data: bytes, ctype: str = "") -> Reading:
    """One file to draft text, or a refusal. Never raises."""
    kind = kind_of(name, ctype)
    if kind == "macro":
        return Reading(name, refused="macro")
    if kind not in ("docx", "xlsx"):
        return Reading(name, refused="format")
    if len(data) > MAX_BYTES:
        return Reading(name, refused="too_large")
    if data.startswith(_OLE_MAGIC):
        return Reading(name, refused="format")
    why = _check_zip(data)
    if why:
        return Reading(name, refused=why)
    try:
        text = _docx_text(data) if kind == "docx" else _xlsx_text(data)
    except _NoSheet:
        return Reading(name, refused="no_sheet")
    except Exception:                 # python-docx / openpyxl on a broken file: any error means unreadable
        return Reading(name, refused="damaged")
    return Reading(name, text=text[:MAX_TEXT])


def _check_zip(data: bytes) -> str | None:
    """Refuse before any XML is parsed. zipfile never yields more than a part's declared size
    (and checks its CRC), so the declared sizes bound the work that follows."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "damaged"
    if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_UNPACKED:
        return "unpacked"
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            return "unpacked"
        if i.file_size > MAX_XML and i.filename.lower().endswith((".xml", ".rels")):
            return "unpacked"
        if i.flag_bits & 0x1:
            return "damaged"          # an encrypted zip part
        if i.filename.lower().endswith("vbaproject.bin"):
            return "macro"
    return None


class _NoSheet(Exception):
    pass


# --- header cues, shared by Word tables and Excel sheets -------------------------------------------
# Substrings of a column header; a header is task-like with an owner column and a task or due column.
_OWNER = re.compile(r"负责|負責|责任人|責任人|执行人|執行人|承办|承辦|主责|主責|跟进人|跟進人|落实人|落實人|经办人|經辦人|"
                    r"owner|assignee|responsible|\bwho\b|\bpic\b", re.I)
_TASK = re.compile(r"事项|事項|任务|任務|行动|行動|工作|内容|內容|待办|待辦|措施|task|action|item|to-?do", re.I)
_DUE = re.compile(r"时间|時間|日期|期限|截止|时限|時限|节点|節點|完成|due|deadline|date|\bby\b|\bwhen\b", re.I)
_DECISION = re.compile(r"决议|決議|决定|決定|结论|結論|decision|resolution|conclusion", re.I)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _task_header(cells: list[str]) -> bool:
    owner = [i for i, c in enumerate(cells) if c and len(c) <= 20 and _OWNER.search(c)]
    others = [c for i, c in enumerate(cells) if c and len(c) <= 20 and i not in owner]
    return bool(owner) and any(_TASK.search(c) or _DUE.search(c) for c in others)


def _cell(value: object) -> str:
    """One cell as draft text: dates YYYY-MM-DD, whole numbers without .0, one line."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _rows_text(rows: list[list[str]]) -> list[str]:
    """Table rows as lines: TAB-separated, every row as wide as the widest (so that a row with
    empty cells at its end still reads as a row of the table); rows above a task-like header row
    (a title) as plain lines; a two-column table of facts (会议时间 | 12月11日) as "label：value"."""
    # a row with nothing but numbers is a blank template row (序号 5, 6, 7 … filled in ahead)
    rows = [r for r in rows if any(c and not _NUMBER.fullmatch(c) for c in r)]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    if width == 2 and not _task_header(rows[0]):
        return [f"{k}：{v}" if k and v else (k or v) for k, v in (r + [""] * (2 - len(r)) for r in rows)]
    at = _header_at(rows) or 0
    above = [" ".join(c for c in r if c) for r in rows[:at]]
    return above + ["\t".join(r + [""] * (width - len(r))) for r in rows[at:]]


# --- Word -----------------------------------------------------------------------------------------
def _docx_text(data: bytes) -> str:
    from docx import Document
    doc = Document(io.BytesIO(data))
    lines: list[str] = []
    numbers = _Numbering(doc)
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            rows = [_docx_row(row) for row in block.rows]
            lines += ["", *_rows_text(rows), ""]
        else:
            text = _para_text(block)
            lines.append(numbers.prefix(block) + text if text else "")
    return _tidy(lines)


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


def _docx_row(row) -> list[str]:
    cells, seen = [], None
    for cell in row.cells:
        # a cell merged across columns is listed once per column: its text in the first, so the
        # columns stay aligned with the header
        cells.append("" if cell._tc is seen else " ".join(_cell_lines(cell)))
        seen = cell._tc
    return cells


def _cell_lines(cell) -> Iterator[str]:
    for block in cell.iter_inner_content():
        if hasattr(block, "rows"):           # a table inside a cell: its text, row by row
            for row in block.rows:
                yield " ".join(c for c in _docx_row(row) if c)
        else:
            text = " ".join(_para_text(block).split())
            if text:
                yield text


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


_CN_DIGITS = "〇一二三四五六七八九"


def _format_number(n: int, fmt: str) -> str:
    """n in a Word number format: 3 -> 3, 三, 丙, ③, c, iii …"""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "japaneseCounting",
               "chineseLegalSimplified", "taiwaneseCountingThousand") and 0 < n < 100:
        tens, ones = divmod(n, 10)
        return ((_CN_DIGITS[tens] if tens > 1 else "") + "十" if tens else "") + (_CN_DIGITS[ones] if ones else "")
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


# --- Excel ----------------------------------------------------------------------------------------
def _xlsx_text(data: bytes) -> str:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        # a hidden sheet (a template, a lookup list) is not what the recorder shows
        sheets = [(ws.title, _sheet_rows(ws, _merges(data, ws))) for ws in wb.worksheets
                  if ws.sheet_state == "visible"]
    finally:
        wb.close()
    task = next((i for i, (_, rows) in enumerate(sheets) if _header_at(rows) is not None), None)
    if task is None:
        raise _NoSheet
    formulas = _Formulas(data)
    lines: list[str] = []
    for i, (title, rows) in enumerate(sheets):
        if i == task:
            lines += ["", *_task_sheet(title, rows, formulas), ""]
        elif _decision_column(rows) is not None:
            lines += ["", *_decision_sheet(rows), ""]
        elif rows and max(len(r) for r in rows) == 2:
            lines += ["", *_rows_text(rows), ""]
    return _tidy(lines)


def _merges(data: bytes, ws) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (first row, first column, last row, last column; 0-based), read
    from its XML: read-only mode does not keep them."""
    path = str(getattr(ws, "_worksheet_path", "") or "").lstrip("/")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = zf.read(path)
    except (KeyError, zipfile.BadZipFile, OSError):
        return []
    from openpyxl.utils.cell import range_boundaries
    out = []
    for ref in re.findall(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3}\d+:[A-Z]{1,3}\d+)"', xml)[:10_000]:
        c1, r1, c2, r2 = range_boundaries(ref.decode())
        out.append((r1 - 1, c1 - 1, r2 - 1, c2 - 1))
    return out


def _sheet_rows(ws, merges: list[tuple[int, int, int, int]] = ()) -> list[list[str]]:
    """The sheet's cells as text, trailing empty cells dropped, at most MAX_ROWS x MAX_COLS. A cell
    merged down several rows (one owner for three tasks) gives its text to each row it covers."""
    down: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in merges:
        if c1 != c2 or len(down) > 4 * MAX_ROWS:        # a title merged across columns stays one cell
            continue
        for r in range(r1 + 1, min(r2, MAX_ROWS) + 1):
            down[(r, c1)] = (r1, c1)
    rows: list[list[str]] = []
    blank_run = 0
    for n, values in enumerate(ws.iter_rows(max_col=MAX_COLS, values_only=True)):
        row = [_cell(v) for v in values]
        for col, cell in enumerate(row):
            anchor = down.get((n, col))
            if not cell and anchor and anchor[0] < len(rows) and anchor[1] < len(rows[anchor[0]]):
                row[col] = rows[anchor[0]][anchor[1]]
        while row and not row[-1]:
            row.pop()
        blank_run = blank_run + 1 if not row else 0
        if blank_run > 50 or len(rows) >= MAX_ROWS:   # a sheet formatted down to row 1048576
            break
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _header_at(rows: list[list[str]]) -> int | None:
    """Index of the task-like header row among the first rows (a title row may sit above it)."""
    return next((i for i, r in enumerate(rows[:10]) if _task_header(r)), None)


def _task_sheet(title: str, rows: list[list[str]], formulas: "_Formulas") -> list[str]:
    return [title, *_rows_text([formulas.fill(title, n, r) for n, r in enumerate(rows)])]


def _decision_column(rows: list[list[str]]) -> int | None:
    head = rows[0] if rows else []
    return next((i for i, c in enumerate(head) if c and len(c) <= 20 and _DECISION.search(c)), None)


def _decision_sheet(rows: list[list[str]]) -> list[str]:
    col = _decision_column(rows)
    out = [rows[0][col]]
    n = 0
    for r in rows[1:]:
        text = r[col] if col < len(r) else ""
        if text:
            n += 1
            out.append(text if re.match(r"\s*[\d一二三四五六七八九十]+[.、．)）]", text) else f"{n}. {text}")
    return out


class _Formulas:
    """A formula cell whose value Excel never saved (a file written by a script) would read empty;
    its formula text is shown instead. Read from a second, formula-keeping load only when needed."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._sheets: dict[str, list[tuple]] = {}
        with zipfile.ZipFile(io.BytesIO(data)) as zf:     # sizes already checked by _check_zip
            self._any = any(re.search(rb"<(?:\w+:)?f[ >]", zf.read(i))
                            for i in zf.infolist() if i.filename.startswith("xl/worksheets/"))

    def fill(self, title: str, index: int, row: list[str]) -> list[str]:
        if not self._any:
            return row
        raw = self._rows(title)
        src = raw[index] if index < len(raw) else ()
        width = max(len(row), len(src))
        out = row + [""] * (width - len(row))
        for i, v in enumerate(src):
            if not out[i] and isinstance(v, str) and v.startswith("="):
                out[i] = v
        while out and not out[-1]:
            out.pop()
        return out

    def _rows(self, title: str) -> list[tuple]:
        if title not in self._sheets:
            import openpyxl
            wb = openpyxl.load_workbook(io.BytesIO(self._data), read_only=True, data_only=False, keep_links=False)
            try:
                self._sheets[title] = [tuple(r) for r, _ in
                                       zip(wb[title].iter_rows(max_col=MAX_COLS, values_only=True), range(MAX_ROWS))]
            finally:
                wb.close()
        return self._sheets[title]


def _tidy(lines: list[str]) -> str:
    """At most one blank line in a row, none at the ends."""
    out: list[str] = []
    for line in "\n".join(lines).split("\n"):
        line = line.rstrip(" \r")          # never the TABs that end a table row with empty cells
        if line.strip() or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + ("\n" if out else "")
