"""A table as an .xlsx workbook, built in memory, that can never run a formula.

Every cell holds people's text (task titles, names, progress notes from mail), so every cell is
written as a string: openpyxl would otherwise store a value starting with "=" as a live formula
(`=HYPERLINK("http://evil","点此查看")` in a task title became a link in the weekly table). Text
that a spreadsheet would read as a formula once someone edits the cell (a leading = + - @, also after
spaces or a tab) additionally gets Excel's quote prefix, which keeps it text on edit and shows
nothing extra.
"""

from __future__ import annotations

import io
from datetime import datetime

FORMULA_LEADS = ("=", "+", "-", "@")


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet take this text for a formula? (leading = + - @, after blanks too)"""
    return text.lstrip(" \t\r\n").startswith(FORMULA_LEADS)


def xlsx_bytes(headers: list[str], rows: list[list[str]], title: str, now: datetime,
               widths: list[int] | None = None) -> bytes:
    """The table as an .xlsx workbook (first row the headers), write-only (fast); every cell text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    widths = widths or []
    for idx in range(len(headers)):
        ws.column_dimensions[get_column_letter(idx + 1)].width = widths[idx] if idx < len(widths) else 18
    ws.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F5F7FA")
    wrap = Alignment(wrap_text=True, vertical="top")

    def text_cell(value: object) -> WriteOnlyCell:
        text = "" if value is None else str(value)
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"                 # never "f": the text is shown, not evaluated
        if looks_like_formula(text):
            cell.quotePrefix = True
        return cell

    head = []
    for h in headers:
        cell = text_cell(h)
        cell.font, cell.fill = bold, fill
        head.append(cell)
    ws.append(head)
    for row in rows:
        cells = []
        for v in row:
            cell = text_cell(v)
            cell.alignment = wrap
            cells.append(cell)
        ws.append(cells)
    stamp = now.replace(tzinfo=None, microsecond=0)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "mailflow"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
