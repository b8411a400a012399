"""Minutes sent as a Word or Excel attachment -> draft text that minutes.parse reads like a pasted draft.

Pure: bytes in, text out; no disk, no network, nothing executed.

- .docx (python-docx): paragraphs and tables in document order. A paragraph is one line, with
  tracked changes accepted and Word's automatic numbers written out as Word draws them ("1.",
  "一、", "（一）", "①"; bullets "- ").
- .xlsx (openpyxl, read-only, cached values): the FIRST visible sheet whose header row (a title row
  may sit above it) names an owner column (负责人/責任人/跟进人/Owner …) and a task or due column;
  sheets of decisions and sheets of meeting facts too. Date cells are written YYYY-MM-DD; a cell
  merged down several rows gives its text to each. A formula is never calculated: the value Excel
  saved with it is read, and a formula that was never calculated reads as its own text.

Tables of both (see _table_lines): a task table is one line of TAB-separated cells per row, the way
a table pasted from Excel reads; a table of decisions is numbered lines; a form of meeting facts
(会议时间 | 12月11日 | 地点 | 3楼) is "label：value" lines.

Refused, with a reason the recorder is told (see templates minutes_attachment.*):
  format     .doc/.xls/.pdf/.wps/.rtf/.odt … (and .docx/.xlsx that are really old binary files)
  macro      .docm/.xlsm and any file carrying a vbaProject part: never opened
  too_large  more than MAX_BYTES
  unpacked   the zip would unpack to more than MAX_UNPACKED, has more than MAX_PARTS parts, an XML
             part larger than MAX_XML, or a part packed more tightly than MAX_RATIO (a zip bomb)
  damaged    not a readable zip / Office file, or encrypted
  no_sheet   an .xlsx without any sheet that looks like a task list
  tnef       winmail.dat: Outlook sent the mail in its Rich Text format, attachments packed inside
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

from .zh import cn_numeral

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
    "tnef": "winmail.dat: Outlook's Rich Text format hides the attachments; send the mail as HTML",
}


@dataclass
class Reading:
    """One attached file as the minutes flow sees it: its draft text, or why it was refused."""

    name: str
    text: str = ""
    refused: str | None = None        # a reason code from the module docstring


def kind_of(name: str, ctype: str = "") -> str:
    """docx, xlsx, macro, tnef, document (a format we do not read) or other (not a draft: images …)."""
    low = (name or "").strip().lower()
    if low == "winmail.dat" or (ctype or "").lower() in ("application/ms-tnef", "application/vnd.ms-tnef"):
        return "tnef"
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


# Deliverables attached to 已完成 are forwarded to the verifier up to this much in all (any format:
# a PDF or an image is a deliverable too); past it a file is listed with its name and size only.
FORWARD_BYTES = 5 * 1024 * 1024


def keeps(name: str, ctype: str, size: int, kept_other: int = 0) -> bool:
    """Whether inbound keeps this attachment's bytes: a .docx/.xlsx for the minutes flow, any other
    file while the mail's other kept files (`kept_other` bytes so far) stay within FORWARD_BYTES."""
    if kind_of(name, ctype) in ("docx", "xlsx"):
        return size <= MAX_BYTES
    return ctype != "text/calendar" and kept_other + size <= FORWARD_BYTES


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
    if kind in ("macro", "tnef"):
        return Reading(name, refused=kind)
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
    except Exception:                 # BadZipFile, EOFError, NotImplementedError (a zip version from nowhere) …
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


def _table_lines(rows: list[list[list[str]]], word: bool = False) -> list[str]:
    """A table (rows of cells, a cell a list of lines) as draft text:

    - from a task-like header row on (序号 | 事项 | 负责人 | 完成时间), one line of TAB-separated cells
      per row, every row as wide as the header, the way a table pasted from Excel reads; in Word a
      row that is one cell across the table (备注：…) ends it;
    - a table of decisions (a 决议 / Decisions column, no owner column): its heading, then one
      numbered line per decision;
    - a form of facts (会议时间 | 12月11日 | 地点 | 3楼; 决议事项 | several paragraphs):
      "label：value" lines, a value of several paragraphs under its "label：" line;
    - rows above a task header (a title) and one-cell rows: their lines;
    - anything else: TAB-separated rows.
    Rows holding nothing but numbers (序号 5, 6, 7 of a template filled in ahead) are dropped."""
    rows = [r for r in rows if any(line and not _NUMBER.fullmatch(line) for c in r for line in c)]
    if not rows:
        return []
    flat = [[" ".join(c) for c in r] for r in rows]
    at = next((i for i, r in enumerate(flat) if _task_header(r)), None)
    if at is None:
        if _decision_column(flat[0]) is not None and not any(_OWNER.search(c) for c in flat[0]):
            return _decision_lines(flat)
        if _is_form(flat):
            return _form_lines(rows)
        return _tab_lines(flat)
    end = at + 1
    while end < len(rows) and not (word and len(rows[end]) == 1):
        end += 1
    return _form_lines(rows[:at]) + _tab_lines(flat[at:end]) + _table_lines(rows[end:], word)


def _tab_lines(flat: list[list[str]]) -> list[str]:
    width = max(len(r) for r in flat)
    return ["\t".join(r + [""] * (width - len(r))) for r in flat]


_LABEL = re.compile(r"时间|時間|日期|地点|地點|主持|记录|記錄|紀錄|参会|參會|出席|缺席|列席|主题|主題|名称|名稱|议题|議題|"
                    r"内容|內容|决议|決議|决定|決定|结论|結論|事项|事項|备注|備註|会议|會議|人员|人員|部门|部門|目标|目標|"
                    r"time|date|venue|location|place|host|chair|recorder|minutes|attendees|absent|subject|topic|"
                    r"agenda|decision|notes|title|meeting", re.I)


def _is_form(flat: list[list[str]]) -> bool:
    """Label / value pairs: an even number of columns whose label cells mostly name meeting facts."""
    width = max(len(r) for r in flat)
    if width % 2 or width > 6:
        return False
    labels = [r[i] for r in flat for i in range(0, len(r), 2) if r[i]]
    return bool(labels) and sum(bool(_LABEL.search(x)) and len(x) <= 12 for x in labels) * 2 >= len(labels)


def _form_lines(rows: list[list[list[str]]]) -> list[str]:
    out: list[str] = []
    for row in rows:
        cells = [c for c in row if any(c)]
        if len(cells) == 1 or len(row) % 2:
            out += [line for c in cells for line in c]
            continue
        for label, value in zip(row[0::2], row[1::2]):
            key = " ".join(label).rstrip(":： ")
            if key and len(value) == 1 and len(value[0]) <= 30 and not re.search(r"[。；;]", value[0]):
                out.append(f"{key}：{value[0]}")          # a fact: 主持人：王磊
            elif key:                                   # a section: 会议内容 / 决议事项 and its text
                out += [f"{key}：", *value]
            else:
                out += value
    return out


def _decision_column(head: list[str]) -> int | None:
    return next((i for i, c in enumerate(head) if c and len(c) <= 20 and _DECISION.search(c)), None)


def _decision_lines(flat: list[list[str]]) -> list[str]:
    """A 决议 table or sheet: its heading, then each decision numbered (its own number kept)."""
    col = _decision_column(flat[0])
    out, n = [flat[0][col]], 0
    for r in flat[1:]:
        text = r[col] if col < len(r) else ""
        if text:
            n += 1
            out.append(text if re.match(r"\s*[\d一二三四五六七八九十]+[.、．)）]", text) else f"{n}. {text}")
    return out


# --- Word -----------------------------------------------------------------------------------------
def _docx_text(data: bytes) -> str:
    from docx import Document
    doc = Document(io.BytesIO(data))
    lines: list[str] = []
    numbers = _Numbering(doc)
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            lines += ["", *_table_lines([_docx_row(row, numbers) for row in block.rows], word=True), ""]
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
        if not rows:
            continue
        if i == task:                        # the sheet's name, then its table
            table = [[[c] if c else [] for c in formulas.fill(title, n, r)] for n, r in enumerate(rows)]
            lines += ["", title, *_table_lines(table), ""]
        elif _decision_column(rows[0]) is not None or _is_form(rows):   # decisions, meeting facts
            lines += ["", *_table_lines([[[c] if c else [] for c in r] for r in rows]), ""]
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
    """Index of the task-like header row among a sheet's first rows (a title row may sit above)."""
    return next((i for i, r in enumerate(rows[:10]) if _task_header(r)), None)


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
