"""A minutes draft attached as .xlsx -> draft text (openpyxl, read-only, cached values). Pure.

The FIRST visible sheet whose header row (a title row may sit above it) names an owner column
(负责人/責任人/跟进人/Owner …) and a task or due column; sheets of decisions and sheets of meeting
facts too. Date cells are written YYYY-MM-DD; a cell merged down several rows gives its text to each.
A formula is never calculated: the value Excel saved with it is read, and a formula that was never
calculated reads as its own text. attachments decides first whether the file may be opened.
"""

from __future__ import annotations

import io
import re
import zipfile

from .office_tables import cell_text, decision_column, is_form, table_lines, task_header, tidy

__all__ = ["xlsx_text", "NoSheet", "MAX_ROWS", "MAX_COLS"]

MAX_ROWS = 2000                       # rows read from one sheet
MAX_COLS = 40


class NoSheet(Exception):
    """No sheet of the workbook looks like a task list."""


def xlsx_text(data: bytes) -> str:
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
        raise NoSheet
    formulas = _Formulas(data)
    lines: list[str] = []
    for i, (title, rows) in enumerate(sheets):
        if not rows:
            continue
        if i == task:                        # the sheet's name, then its table
            table = [[[c] if c else [] for c in formulas.fill(title, n, r)] for n, r in enumerate(rows)]
            lines += ["", title, *table_lines(table), ""]
        elif decision_column(rows[0]) is not None or is_form(rows):   # decisions, meeting facts
            lines += ["", *table_lines([[[c] if c else [] for c in r] for r in rows]), ""]
    return tidy(lines)


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
        row = [cell_text(v) for v in values]
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
    return next((i for i, r in enumerate(rows[:10]) if task_header(r)), None)


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
