"""How big a workbook is, found before any of its XML is parsed.

An .xlsx file is a zip archive of XML parts, which unpack to 5-20 times the file (a 400 KB file can
hold a 400 MB text), and openpyxl holds every shared string in memory and reads about 100,000 cells
a second. So a workbook is read only within these limits: its parts' sizes come from the zip
directory (reading a part never yields more than its declared size), the rest from a scan of every
part as it unpacks, a megabyte at a time, whatever its name (openpyxl follows the archive's own
references, so a sheet or its strings can be stored under any name).

The scan counts the cells openpyxl will yield: a row is padded with empty cells up to its last one,
so a sheet of rows reaching column XFD yields 16,384 cells a row however few it stores. And it
measures the runs of text between tags, which is where a cell's text is (shared, inline, or in an
attribute): none may be longer than ``XLSX_LONGEST_TEXT_MB``, and together they hold at most
``XLSX_TEXT_MB``. It is exact for XML in UTF-8, as Excel writes it; a part in UTF-16, or with a DTD
(entities that expand) or CDATA section, none of which Excel writes, is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from lzma import LZMAError

from openpyxl.utils import column_index_from_string

from b2b_core.i18n import N_, _

XLSX_UNPACKED_MB = 256  # all its parts unpacked, in MB (2**20 bytes)
XLSX_CELLS = 2_000_000  # cells openpyxl yields from all its sheets
XLSX_TEXT_MB = 32  # the text between the tags of all its parts (its cells' values and strings), in MB
XLSX_LONGEST_TEXT_MB = 1  # one run of text between two tags, in MB: more than a cell can hold (32,767
# characters, under 200 KB however they are written)
_CHUNK = 1 << 20  # bytes of a part unpacked at a time
_WIDEST = 16_384  # the columns of an Excel sheet: a column reference that cannot be read counts as the last
_DAMAGED_DATA = (zlib.error, LZMAError)  # what decompressing a damaged part raises, besides OSError
_PREFIX = rb"(?:[^\s<>/:!?]+:)?"  # a namespace prefix, as in <x:c>
_CELL_TAG = re.compile(rb"<" + _PREFIX + rb"c[\s/>]")  # <c r="A1">, <c/>, <x:c …>: one cell
_ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row[\s/>]")
_COLUMN = re.compile(rb"""\sr\s*=\s*["']\$?([^"'0-9$]{0,4})""")  # r="XFD12" → XFD, in any tag: never fewer
_TAG = re.compile(rb"<[^>]*>")
_NOT_EXCEL = re.compile(rb"<!(?!--)")  # <!DOCTYPE, <!ENTITY, <![CDATA[
_UTF16 = (b"\xff\xfe", b"\xfe\xff", b"<\0", b"\0<")
_SAVE_AS_CSV = N_(
    "save the sheet as CSV UTF-8 (File → Save As) and upload the CSV, which has no such limit, or split the "
    "export by region or quarter"
)
_SAVE_AGAIN = N_("Open it in Excel, save it again as .xlsx, and upload the new file, or save the sheet as CSV UTF-8")


@dataclass
class PartScan:
    """What the scan of one part found (up to where it stopped)."""

    cells: int = 0  # cell tags
    rows: int = 0  # row tags
    widest: int = 0  # the widest column referenced, 1 = A
    text: int = 0  # bytes between tags
    longest_text: int = 0  # bytes between two tags
    not_excel: str = ""  # what the part holds that Excel never writes (marked for the catalog: shown as _(…))

    @property
    def yielded(self) -> int:
        """The cells openpyxl yields at most: every row padded to the widest column."""
        return max(self.cells, self.rows * self.widest)


def problem(data: bytes) -> str | None:
    """Why the workbook ``data`` is beyond the ``XLSX_*`` limits, or None. A damaged archive is
    left to openpyxl, which says so."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with archive:
        parts = archive.infolist()
        unpacked = sum(p.file_size for p in parts)
        if unpacked > XLSX_UNPACKED_MB << 20:
            return _(
                "The workbook unpacks to {size:,.0f} MB, more than the {limit} MB a workbook may: {what_to_do}."
            ).format(size=unpacked / 2**20, limit=XLSX_UNPACKED_MB, what_to_do=_(_SAVE_AS_CSV))
        cells = text = 0
        for part in parts:
            found = scan(archive, part, XLSX_CELLS - cells, (XLSX_TEXT_MB << 20) - text)
            if found.not_excel:
                return _(
                    "The workbook's part {part!r} {found}, which Excel never writes: it was made by another program, "
                    "or is damaged. {what_to_do}."
                ).format(part=part.filename, found=_(found.not_excel), what_to_do=_(_SAVE_AGAIN))
            if found.longest_text > XLSX_LONGEST_TEXT_MB << 20:
                return _(
                    "The workbook holds a text of more than {limit} MB, the most a workbook is read with (a cell holds "
                    "at most 32,767 characters): some cell holds an enormous text, or the file is damaged. Check the "
                    "file, then {what_to_do}."
                ).format(limit=XLSX_LONGEST_TEXT_MB, what_to_do=_(_SAVE_AS_CSV))
            text += found.text
            if text > XLSX_TEXT_MB << 20:
                return _(
                    "The workbook's text (the values of its cells, wherever they are stored) unpacks to more than "
                    "{limit} MB, the most a workbook is read with: some cells hold enormous texts, or the file is "
                    "damaged. Check the file, then {what_to_do}."
                ).format(limit=XLSX_TEXT_MB, what_to_do=_(_SAVE_AS_CSV))
            cells += found.yielded
            if cells > XLSX_CELLS:
                return _(
                    "The workbook's sheets hold more than {limit:,} cells, the most a workbook is read with (about "
                    "200,000 rows of 10 columns; a row counts up to its last cell, so a value far to the right counts "
                    "on every row): {what_to_do}."
                ).format(limit=XLSX_CELLS, what_to_do=_(_SAVE_AS_CSV))
    return None


def scan(archive: zipfile.ZipFile, part: zipfile.ZipInfo, cells: int, text: int) -> PartScan:
    """The cells, rows, widest column and text of a part, found as it unpacks (never parsed),
    until it holds more than ``cells`` cells, ``text`` bytes of text or a run of text longer than
    ``XLSX_LONGEST_TEXT_MB``, or up to where it is damaged (openpyxl then reports it); nothing for
    a part that is not XML (an image)."""
    found, longest = PartScan(), XLSX_LONGEST_TEXT_MB << 20
    size = min(_CHUNK, longest)  # so a run of text longer than the limit spans two chunks
    try:
        with archive.open(part) as xml:
            chunk = xml.read(size)
            if chunk.startswith(_UTF16):
                return PartScan(not_excel=N_("is in UTF-16"))
            start = chunk.removeprefix(b"\xef\xbb\xbf").lstrip()
            if start and not start.startswith(b"<"):
                return found  # openpyxl parses no such part
            tail, text_run = b"", 0  # the tag cut at the end of the last chunk; the bytes since its last <
            while chunk and found.yielded <= cells and found.text <= text and found.longest_text <= longest:
                first = chunk.find(b"<")
                if first >= 0:  # a run ends at it; the last one goes on into the next chunk
                    found.longest_text = max(found.longest_text, text_run + first)
                    text_run = len(chunk) - 1 - chunk.rfind(b"<")
                else:
                    text_run += len(chunk)
                found.longest_text = max(found.longest_text, text_run)
                xml_text = tail + chunk
                cut = xml_text.rfind(b"<")  # a tag cut at the end: counted with the next chunk
                cut = len(xml_text) if cut < 0 else cut
                found.text += len(_TAG.sub(b"", xml_text[:cut]))
                found.cells += len(_CELL_TAG.findall(xml_text, 0, cut))
                found.rows += len(_ROW_TAG.findall(xml_text, 0, cut))
                columns = set(_COLUMN.findall(xml_text, 0, cut))
                found.widest = max(found.widest, *map(_column_number, columns), 0)
                if _NOT_EXCEL.search(xml_text, 0, cut):
                    found.not_excel = N_("holds a DTD or CDATA section")
                    break
                tail = xml_text[cut:]
                chunk = xml.read(size)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) + _DAMAGED_DATA:
        return found  # damaged from here on: openpyxl says so
    return found


def _column_number(letters: bytes) -> int:
    """1 for A … 16,384 for XFD; 0 when there is none (openpyxl counts on from the previous cell)."""
    if not letters:
        return 0
    try:
        return column_index_from_string(letters.decode("ascii").upper())
    except (ValueError, UnicodeDecodeError):
        return _WIDEST
