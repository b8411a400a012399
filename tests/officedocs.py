"""Word and Excel minutes built in the test itself (python-docx, openpyxl), and mails carrying them.

    data = docx([("h", "四、行动项"), ("table", [["事项", "负责人"], ["报价单", "张伟"]])])
    data = xlsx([("行动项跟进表", [["事项", "负责人", "完成时间"], ["报价单", "张伟", date(2026, 12, 4)]])])
    raw = mail_with("sunli@corp.example", "会议纪要", "纪要见附件", ("纪要.docx", data))
"""

from __future__ import annotations

import io
import zipfile

from mailflow.testing import make_mail

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = {".docx": DOCX_TYPE, ".xlsx": XLSX_TYPE, ".pdf": "application/pdf", ".doc": "application/msword",
         ".docm": "application/vnd.ms-word.document.macroEnabled.12",
         ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12", ".png": "image/png",
         ".dat": "application/ms-tnef"}


def docx(blocks) -> bytes:
    """blocks: ("title"|"h"|"p"|"num"|"bullet", text) or ("table", rows); a cell text with "\\n"
    becomes several paragraphs in that cell; ("merged", rows) merges each row's first cell across."""
    from docx import Document
    doc = Document()
    for kind, value in blocks:
        if kind == "title":
            doc.add_heading(value, level=0)
        elif kind == "h":
            doc.add_heading(value, level=1)
        elif kind == "p":
            doc.add_paragraph(value)
        elif kind == "num":
            doc.add_paragraph(value, style="List Number")
        elif kind == "bullet":
            doc.add_paragraph(value, style="List Bullet")
        elif kind in ("table", "merged"):
            rows = value
            width = max(len(r) for r in rows)
            table = doc.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                if kind == "merged" and len(row) == 1:
                    cell = table.cell(r, 0).merge(table.cell(r, width - 1))
                    cell.text = row[0]
                    continue
                for c, text in enumerate(row):
                    first, *more = text.split("\n")
                    cell = table.cell(r, c)
                    cell.text = first
                    for line in more:
                        cell.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx(sheets) -> bytes:
    """sheets: [(title, rows)]; a cell may be text, a number, a date/datetime, a formula "=…", or
    (value, number format) such as ("=DATE(2026,12,4)", "yyyy/m/d")."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                value, fmt = value if isinstance(value, tuple) else (value, None)
                cell = ws.cell(row=r, column=c, value=value)
                if fmt:
                    cell.number_format = fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_cached_value(data: bytes, formula: str, cached: str) -> bytes:
    """The workbook as Excel would save it: the formula `formula` carries its last result `cached`
    (openpyxl writes formulas without one)."""
    return rezip(data, lambda name, body: body.replace(f"<f>{formula}</f><v></v>".encode(),
                                                       f"<f>{formula}</f><v>{cached}</v>".encode())
                 .replace(f"<f>{formula}</f><v />".encode(), f"<f>{formula}</f><v>{cached}</v>".encode())
                 if name.startswith("xl/worksheets/") else body)


def rezip(data: bytes, change=lambda name, body: body, extra: dict[str, bytes] | None = None) -> bytes:
    """The same zip with its parts passed through `change` and `extra` parts added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def mail_with(sender: str, subject: str, body: str, *files: tuple[str, bytes], reply_to=None,
              date: str = "Fri, 20 Nov 2026 10:00:00 +0800") -> bytes:
    """A mail with a short body and attachments, as Outlook or Foxmail sends it; `reply_to` (a
    parsed mail) puts it in that mail's thread."""
    thread = reply_to is not None
    return make_mail(sender, body, subject=f"回复：{reply_to['Subject']}" if thread else subject,
                     in_reply_to=reply_to["Message-ID"] if thread else None, date=date,
                     attachments=[(name, data, TYPES.get(name[name.rfind("."):].lower(), "application/octet-stream"))
                                  for name, data in files], utf8=False)
