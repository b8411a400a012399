"""Minutes sent as a Word or Excel attachment -> draft text that minutes.parse reads like a pasted draft.

Pure: bytes in, text out; no disk, no network, nothing executed.

Which files may be opened is decided here, before any XML is parsed; the reading is the job of
docx_text (.docx: paragraphs and tables in document order, Word's list numbers written out) and
xlsx_text (.xlsx: the sheet that looks like a task list, plus decisions and meeting facts), whose
tables office_tables writes one way (a task table as TAB-separated rows, decisions as numbered
lines, a form of facts as "label：value" lines).

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
import zipfile
from dataclasses import dataclass
from typing import Iterable

from .docx_text import docx_text
from .xlsx_text import NoSheet, xlsx_text

__all__ = ["Reading", "REASONS", "kind_of", "keeps", "read", "read_all", "MAX_BYTES"]

MAX_BYTES = 10 * 1024 * 1024          # per attached file, as sent
MAX_UNPACKED = 64 * 1024 * 1024       # all parts of the zip together, unpacked
MAX_PARTS = 1000                      # a real .docx has ~15 parts, an .xlsx a few per sheet
MAX_RATIO = 200                       # XML packs 5-30x; bombs pack 1000x and more
MAX_XML = 16 * 1024 * 1024            # one XML part: python-docx holds a whole part in memory
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
        text = docx_text(data) if kind == "docx" else xlsx_text(data)
    except NoSheet:
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
