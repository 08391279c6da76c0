"""How big a workbook is, found before any of its XML is parsed.

An .xlsx file is a zip archive of XML parts, which unpack to 5-20 times the file (a 400 KB file can
hold a 400 MB text), and openpyxl holds every shared string in memory and reads about 100,000 cells
a second. So a workbook is read only within these limits: its parts' sizes come from the zip
directory (reading a part never yields more than its declared size), its cells from a scan of its
sheets' XML as it unpacks, a megabyte at a time.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from lzma import LZMAError

XLSX_UNPACKED_MB = 256  # all its parts unpacked, in MB (2**20 bytes)
XLSX_STRINGS_MB = 64  # its shared strings part (the text of its cells) unpacked, in MB
XLSX_CELLS = 2_000_000  # cells in all its sheets
_DAMAGED_DATA = (zlib.error, LZMAError)  # what decompressing a damaged part raises, besides OSError
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?c[\s/>]")  # <c r="A1">, <c/>, <x:c …>: one cell
_SAVE_AS_CSV = (
    "save the sheet as CSV UTF-8 (File → Save As) and upload the CSV, which has no such limit, or split the "
    "export by region or quarter"
)


def problem(data: bytes) -> str | None:
    """Why the workbook ``data`` is beyond the ``XLSX_*`` limits, or None. A damaged archive is
    left to openpyxl, which says so."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with archive:
        parts = archive.infolist()
        strings = sum(p.file_size for p in parts if p.filename.lower().endswith("sharedstrings.xml"))
        if strings > XLSX_STRINGS_MB << 20:
            return (
                f"The workbook's text (its shared strings) unpacks to {strings / 2**20:,.0f} MB, more than the "
                f"{XLSX_STRINGS_MB} MB a workbook may hold: some cell holds an enormous text, or the file is damaged. "
                f"Check the file, then {_SAVE_AS_CSV}."
            )
        unpacked = sum(p.file_size for p in parts)
        if unpacked > XLSX_UNPACKED_MB << 20:
            return (
                f"The workbook unpacks to {unpacked / 2**20:,.0f} MB, more than the {XLSX_UNPACKED_MB} MB a workbook "
                f"may: {_SAVE_AS_CSV}."
            )
        cells = 0
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                cells += cells_in(archive, part, XLSX_CELLS - cells)
                if cells > XLSX_CELLS:
                    return (
                        f"The workbook's sheets hold more than {XLSX_CELLS:,} cells, the most a workbook is read "
                        f"with (about 200,000 rows of 10 columns): {_SAVE_AS_CSV}."
                    )
    return None


def cells_in(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limit: int) -> int:
    """The cells of a sheet's XML part, counted as it unpacks (never parsed), up to just past
    ``limit``; 0 for a damaged part, which openpyxl then reports."""
    cells, tail = 0, b""
    try:
        with archive.open(part) as xml:
            while cells <= limit and (chunk := xml.read(1 << 20)):
                text = tail + chunk
                cut = text.rfind(b"<", max(len(text) - 64, 0))  # a tag cut at the end: counted with the next chunk
                cut = len(text) if cut < 0 else cut
                cells += len(_CELL_TAG.findall(text, 0, cut))
                tail = text[cut:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) + _DAMAGED_DATA:
        return 0
    return cells + len(_CELL_TAG.findall(tail))
