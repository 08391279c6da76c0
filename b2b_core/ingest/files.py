"""Reading an uploaded file into a grid of text cells, whatever its format.

CSV: the encoding is detected (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else GBK/GB18030 or
Latin-1/Windows-1252 by ``charset_normalizer``), the delimiter is the one of ``,`` ``;`` tab ``|``
that splits the rows most consistently, and title rows above the header are skipped. Well-formed
files are parsed by pyarrow (multithreaded); files with ragged or blank rows fall back to
Python's ``csv`` module so every row keeps its exact number.

XLSX: the chosen sheet (by default the one most like an account export, see ``SheetScore``) is read
with openpyxl, formulas as their text
(never evaluated). Every cell becomes text: numbers without a spurious ``.0``, dates as ISO dates.

Rows are numbered as a spreadsheet shows them: the first line or row of the file is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree import ElementTree

import charset_normalizer
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from b2b_core import contract
from b2b_core.i18n import N_, _, ngettext
from b2b_core.ingest import workbook_size
from b2b_core.ingest.headers import LOOSE, header_score, suggest
from b2b_core.ingest.issues import IssueLog

ROW = "__row"  # column of spreadsheet row numbers in every RawTable
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {  # how a file's description names its delimiter
    ",": N_("CSV, {encoding}, comma-separated, {header}"),
    ";": N_("CSV, {encoding}, semicolon-separated, {header}"),
    "\t": N_("CSV, {encoding}, tab-separated, {header}"),
    "|": N_("CSV, {encoding}, pipe-separated, {header}"),
}
_HEADER_SEARCH_ROWS = 30
_SNIFF_ROWS = 200
_EXCEL_ROWS = 1_048_576  # the rows of an Excel sheet
MAX_COLUMNS = 16_384  # the columns of the widest Excel sheet: a file with more is refused before its rows are read
_HEAD_BYTES = 1_000_000  # the delimiter and the header are looked for in this many first bytes
_BATCH_ROWS = 65_536  # rows of a file parsed row by row that are held as Python strings at a time
_FAILED_COLUMN = re.compile(r"In CSV column #(\d+)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The line ends of the csv module and pyarrow. (str.splitlines also breaks at \x1c-\x1e, \x85, U+2028 …,
# which are cell text for them: the rows sniffed and the rows read would differ.)
_LINE_END = re.compile(r"\r\n|\r|\n")
_BINARY = N_("This does not look like a CSV file: it contains binary data. Upload a CSV (text) or .xlsx file.")
csv.field_size_limit(2**31 - 1)


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class RawTable:
    """The cells of an uploaded file as text.

    ``table`` has one string column per header (named ``c0``, ``c1`` …, in file order) and the
    ``__row`` column of spreadsheet row numbers. ``headers[i]`` is the file's header of ``c{i}``.
    ``problems`` holds the errors met while reading (rows that could not be split into the
    header's columns: ``skipped_rows`` of them), ``notes`` the warnings.
    """

    headers: list[str]
    table: pa.Table
    header_row: int
    description: str
    problems: IssueLog
    notes: IssueLog
    sheets: list[str] = field(default_factory=list)
    skipped_rows: int = 0
    sheet: str | None = None
    sheet_note: str = ""


TypeHint = Callable[[list[str]], dict[int, pa.DataType]]


def read_file(data: bytes, filename: str, sheet: str | None = None, types: TypeHint | None = None) -> RawTable:
    """Read ``data`` (the bytes of ``filename``) as a grid of cells. Raises ``FileProblem``.

    Cells are text, except in a well-formed CSV where ``types(headers)`` asks for a type by column
    position: such a column is parsed natively when every cell fits the type, and stays text
    otherwise (so dirty values reach the cleaning rules unchanged).
    """
    problems, notes = IssueLog(filename), IssueLog(filename)
    if not data or data.isspace():
        raise FileProblem(_("The file is empty. Export the data again and upload the new file."))
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    is_zip = data[:4] == b"PK\x03\x04"
    if suffix in ("xlsx", "xlsm") or is_zip:
        if not is_zip:
            raise FileProblem(
                _(
                    "{filename} is not a valid .xlsx workbook (an .xlsx file is a zip archive and this one is not). "
                    "If it is a CSV file, rename it to .csv; if it comes from an old Excel, save it as .xlsx."
                ).format(filename=filename)
            )
        return _read_xlsx(data, sheet, problems, notes)
    if suffix == "xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileProblem(_("Old Excel .xls files are not supported: open the file in Excel and save it as .xlsx."))
    return _read_csv(data, types, problems, notes)


# --- CSV -----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[bytes, str, int]:
    """(the file as UTF-8 bytes, the encoding it was written in, how many undecodable bytes were
    replaced by U+FFFD). Pure ASCII, the usual export, is taken as it is without building a Python
    string of the whole file."""
    if data.startswith(b"\xef\xbb\xbf"):
        body = data[3:]
        if not body.isascii():
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:  # a damaged UTF-8 file: the bad bytes become U+FFFD, and a warning says so
                text = body.decode("utf-8", errors="replace")
                return text.encode("utf-8"), "UTF-8 with BOM", text.count("\ufffd")
        return body, "UTF-8 with BOM", 0
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8"), "UTF-16", 0
        except UnicodeDecodeError:
            raise FileProblem(
                _(
                    "The file says it is UTF-16 text but is damaged (it ends in the middle of a character). "
                    "Export it again, preferably as UTF-8 CSV."
                )
            ) from None
    if b"\x00" in data[:8192]:
        raise FileProblem(_(_BINARY))
    if data.isascii():
        return data, "UTF-8", 0
    try:
        data.decode("utf-8")
        return data, "UTF-8", 0
    except UnicodeDecodeError as exc:
        if not data[: exc.start].isascii():  # valid UTF-8 text before the first bad byte: a damaged UTF-8 file
            text = data.decode("utf-8", errors="replace")
            return text.encode("utf-8"), "UTF-8", text.count("\ufffd")
    guess = charset_normalizer.from_bytes(data[:200_000], cp_isolation=["gb18030", "cp1252", "latin_1"]).best()
    for encoding in ([guess.encoding] if guess else []) + ["gb18030", "cp1252", "latin_1"]:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        names = {"gb18030": "GBK/GB18030", "cp1252": "Windows-1252 (Latin-1)", "latin_1": "Latin-1"}  # as they are
        return text.encode("utf-8"), names.get(encoding, encoding), 0
    raise AssertionError("latin_1 decodes any bytes")  # pragma: no cover


def _control_share(text: str) -> float:
    """Share of control characters (other than tab and line breaks) in the first 20,000 characters."""
    sample = text[:20_000]
    return len(_CONTROL.findall(sample)) / max(len(sample), 1)


def find_header_row(rows: list[list[str]]) -> int:
    """Index of the header among the first rows: the first row naming at least two contract
    columns, else the first row as wide as the table whose cells are all text (title rows are
    narrower, data rows hold numbers)."""
    head = rows[:_HEADER_SEARCH_ROWS]
    for i, row in enumerate(head):
        if header_score(row) >= 2:
            return i
    widths = [sum(1 for c in r if str(c).strip()) for r in head]
    widest = max(widths, default=0)
    for i, row in enumerate(head):
        cells = [str(c).strip() for c in row if str(c).strip()]
        if widths[i] >= max(2, widest * 0.6) and not any(_looks_numeric(c) for c in cells):
            return i
    return 0


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _sniff(text: str) -> tuple[str, int, list[list[str]]]:
    """(delimiter, header index, the sample rows split with it)."""
    lines = _LINE_END.split(text, maxsplit=_SNIFF_ROWS)[:_SNIFF_ROWS]
    best = None
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        header = find_header_row(rows)
        widths = [len(r) for r in rows[header:] if r]
        width = len(rows[header]) if rows[header:] else 0
        consistency = sum(w == width for w in widths) / max(len(widths), 1)
        key = (width > 1, round(consistency, 2), header_score(rows[header]) if rows else 0, width)
        if best is None or key > best[0]:
            best = (key, delimiter, header, rows)
    _key, delimiter, header, rows = best
    return delimiter, header, rows


def _read_csv(data: bytes, types: TypeHint | None, problems: IssueLog, notes: IssueLog) -> RawTable:
    utf8, encoding, replaced = _decode(data)
    if replaced:
        notes.add(
            None,
            "",
            "",
            _(
                "{replaced} undecodable bytes (not valid {encoding}) are shown as \ufffd: check the text columns, "
                "or save the file as UTF-8 again and upload it"
            ).format(replaced=replaced, encoding=encoding),
        )
    if b"\r" in utf8[:_HEAD_BYTES] and b"\n" not in utf8:  # old Mac line endings ("CSV (Macintosh)")
        utf8 = utf8.replace(b"\r", b"\n")
    try:
        return _read_utf8_csv(utf8, encoding, types, problems, notes)
    except csv.Error as exc:
        raise FileProblem(
            _(
                "The CSV cannot be read ({problem}). Export the file again as CSV (comma or semicolon separated)."
            ).format(problem=exc)
        ) from None


def _read_utf8_csv(utf8: bytes, encoding: str, types: TypeHint | None, problems: IssueLog, notes: IssueLog) -> RawTable:
    head = utf8[:_HEAD_BYTES].decode("utf-8", errors="ignore")  # may cut the last character: harmless
    if _control_share(head) > 0.01:
        raise FileProblem(_(_BINARY))
    delimiter, header_index, sample = _sniff(head)
    headers = [h.strip() for h in sample[header_index]] if header_index < len(sample) else []
    if len(headers) < 2:
        raise FileProblem(
            _(
                "Only one column was found: the file does not seem to be separated by commas, semicolons, "
                "tabs or pipes. Export it again as CSV (or .xlsx) with one column per field."
            )
        )
    _check_width(len(headers))
    reader = csv.reader(io.StringIO(head), delimiter=delimiter)
    for _row in range(header_index + 1):
        next(reader)
    data_start = _offset_of_line(utf8, reader.line_num)
    header_row = header_index + 1
    wanted = types(headers) if types else {}
    table = _parse_fast(pa.py_buffer(utf8).slice(data_start), delimiter, len(headers), header_row, wanted)
    skipped = 0
    if table is None:
        table, skipped = _parse_exact(utf8, delimiter, headers, header_index, problems)
    description = _(_DELIMITER_NAMES[delimiter]).format(encoding=encoding, header=_header_note(header_index))
    return RawTable(headers, table, header_row, description, problems, notes, skipped_rows=skipped)


def too_many_values(found: int, width: int) -> str:
    """Why a row with ``found`` values under a header of ``width`` columns is not read."""
    return _(
        "has {found} values but the header has {width} columns: a separator inside a value? "
        "Put that value in quotes or remove the extra separator."
    ).format(found=found, width=width)


def sniff_csv(head: bytes) -> tuple[str, int, list[str]]:
    """(delimiter, index of the header line, the headers) of a UTF-8 CSV from its first bytes, as
    ``read_file`` finds them; ``FileProblem`` for another encoding, a binary file or one column."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    text = head.decode("utf-8", errors="ignore")  # may cut the last character: harmless
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or "\ufffd" in head.decode("utf-8", errors="replace")[:-4]:
        raise FileProblem("The command-line import reads UTF-8 text: save the file as UTF-8 CSV and import it again.")
    if _control_share(text) > 0.01:
        raise FileProblem(_(_BINARY))
    delimiter, header_index, sample = _sniff(text)
    headers = [h.strip() for h in sample[header_index]] if header_index < len(sample) else []
    if len(headers) < 2:
        raise FileProblem("Only one column was found: export the file again as CSV with one column per field.")
    _check_width(len(headers))
    return delimiter, header_index, headers


def _check_width(columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise FileProblem(
            _(
                "The file has {columns:,} columns, more than the {most:,} of the widest Excel sheet: it is no "
                "account export, or its rows are not split where they should be. Export the accounts again with one "
                "column per field."
            ).format(columns=columns, most=MAX_COLUMNS)
        )


def _header_note(header_index: int) -> str:
    """``header on row 3, 2 title rows skipped`` for the file description."""
    if not header_index:
        return _("header on row {row}").format(row=header_index + 1)
    return ngettext(
        "header on row {row}, {skipped} title row skipped",
        "header on row {row}, {skipped} title rows skipped",
        header_index,
    ).format(row=header_index + 1, skipped=header_index)


def _offset_of_line(data: bytes, line: int) -> int:
    """Byte offset where physical line ``line + 1`` (1-based) starts."""
    offset = 0
    for _line in range(line):
        newline = data.find(b"\n", offset)
        offset = len(data) if newline < 0 else newline + 1
    return offset


def _column_names(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def _parse_fast(body: pa.Buffer, delimiter: str, width: int, header_row: int, wanted: dict[int, pa.DataType]):
    """pyarrow parse of a rectangular CSV body; None when some row is ragged (found at the first
    such row) or blank.

    Columns in ``wanted`` get that type; one whose cells do not all convert, or that holds a negative,
    infinite, NaN or too large number, is parsed again as text.
    """
    names = _column_names(width)
    types = {names[i]: kind for i, kind in wanted.items()}
    while True:
        try:
            table = pacsv.read_csv(
                pa.BufferReader(body),  # zero-copy: no slice of a 50 MB upload
                read_options=pacsv.ReadOptions(column_names=names, block_size=8 << 20),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=types, null_values=[""], strings_can_be_null=False, quoted_strings_can_be_null=False
                ),
            )
        except pa.ArrowInvalid as exc:
            failed = _FAILED_COLUMN.search(str(exc))
            if failed and types.get(names[int(failed[1])]) != pa.string():
                types[names[int(failed[1])]] = pa.string()
                continue
            return None
        except (pa.ArrowTypeError, UnicodeError):
            return None
        # numbers with an issue are read again as text, so that issues show the file's own text
        dirty = [n for n, kind in types.items() if kind != pa.string() and _has_dirty_number(table.column(n))]
        if not dirty:
            break
        types.update(dict.fromkeys(dirty, pa.string()))
    if _has_blank_row(table) or _ends_in_multiline_cell(table):
        return None
    rows = pa.array(np.arange(header_row + 1, header_row + 1 + table.num_rows, dtype=np.int64))
    return table.append_column(ROW, rows)


def _has_dirty_number(column: pa.ChunkedArray) -> bool:
    """Whether a natively parsed number column holds a negative, infinite, NaN or too large value."""
    if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        return False
    dirty = pc.or_(pc.less(column, 0), pc.greater(column, contract.MAX_AMOUNT))
    return bool(pc.any(pc.or_(dirty, pc.invert(pc.is_finite(column)))).as_py())


def _blank(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Per cell: empty (null, or only whitespace), judged without a copy of the column's text."""
    if not pa.types.is_string(column.type):
        return pc.is_null(column)
    return pc.fill_null(pc.or_(pc.equal(column, ""), pc.utf8_is_space(column)), True)


def _has_blank_row(table: pa.Table) -> bool:
    """Whether some row has no value at all (pyarrow reads blank lines and ``,,,`` as rows)."""
    blank = None
    for column in table.columns:
        blank = _blank(column) if blank is None else pc.and_(blank, _blank(column))
        if not pc.any(blank).as_py():  # usually decided by the first column
            return False
    return blank is not None and pc.any(blank).as_py()


def _ends_in_multiline_cell(table: pa.Table) -> bool:
    """Whether the last row holds a line break: perhaps a quote that is never closed (see ``_parse_exact``)."""
    last = table.slice(max(table.num_rows - 1, 0))
    return any(
        pa.types.is_string(column.type) and pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py()
        for column in last.columns
    )


def _lines(utf8: bytes) -> io.TextIOWrapper:
    """The file's lines as the csv module reads them (split at \\n only), decoded as they are read:
    no text of the whole file is ever built."""
    return io.TextIOWrapper(io.BytesIO(utf8), encoding="utf-8", errors="replace", newline="\n")


def _quote_left_open(utf8: bytes, delimiter: str, start_line: int) -> bool:
    """Whether the record starting on physical line ``start_line`` (1-based) ends inside a quoted value."""
    tail = "".join(itertools.islice(_lines(utf8), start_line - 1, None))
    try:
        for _record in csv.reader(io.StringIO(tail), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "end of data" in str(exc)
    return False


def _parse_exact(
    utf8: bytes, delimiter: str, headers: list[str], header_index: int, problems: IssueLog
) -> tuple[pa.Table, int]:
    """Row-by-row parse that keeps exact row numbers and pads short rows; a long row is an error in
    ``problems``. Returns the table and the number of rows so skipped. The rows are turned into
    Arrow arrays ``_BATCH_ROWS`` at a time, so at most that many are ever Python strings."""
    width = len(headers)
    names = _column_names(width)
    columns: list[list[str]] = [[] for _column in range(width)]
    numbers: list[int] = []
    parts: dict[str, list[pa.Array]] = {name: [] for name in [*names, ROW]}

    def to_arrow() -> None:
        for name, column in zip(names, columns):
            parts[name].append(pa.array(column, type=pa.string()))
            column.clear()
        parts[ROW].append(pa.array(numbers, type=pa.int64()))
        numbers.clear()

    reader = csv.reader(_lines(utf8), delimiter=delimiter)
    start_line = end_line = row = skipped = 0  # the physical lines of the last row
    try:
        for index, cells in enumerate(reader):
            row = index + 1
            start_line, end_line = end_line + 1, reader.line_num
            if index <= header_index or not any(c.strip() for c in cells):
                continue
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                skipped += 1
                problems.add(
                    row,
                    "",
                    delimiter.join(cells),
                    too_many_values(len(cells), width),
                )
                continue
            cells = cells[:width] + [""] * (width - len(cells))
            for column, cell in zip(columns, cells):
                column.append(cell)
            numbers.append(row)
            if len(numbers) == _BATCH_ROWS:
                to_arrow()
    except csv.Error as exc:
        raise FileProblem(
            _(
                "The CSV cannot be read past row {row} ({problem}): a quote is probably not closed. "
                "Check the quotes around that row, or export the file again."
            ).format(row=reader.line_num, problem=exc)
        ) from None
    if row and _quote_left_open(utf8, delimiter, start_line):  # the last row runs to the end of the file?
        raise FileProblem(
            _(
                "A quote in row {row} is never closed, so everything after it would be read as one value. "
                'Check the quotes in that row (a quote inside a value is written twice: "") or export the file again.'
            ).format(row=row)
        )
    to_arrow()
    kinds = dict.fromkeys(names, pa.string()) | {ROW: pa.int64()}
    return pa.table({name: pa.chunked_array(arrays, kinds[name]) for name, arrays in parts.items()}), skipped


# --- XLSX ----------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _sheet_rows(worksheet, name: str) -> list[tuple[int, list[str]]]:
    """(row number, cells as text up to the row's last value) of every row of the sheet that holds
    a value. Only the cells the sheet holds are read, not the range its header claims: a stray
    ``A1:XFD1048576`` would pad every row to 16,384 cells."""
    worksheet.reset_dimensions()
    rows = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > _EXCEL_ROWS:  # openpyxl yields every row up to the last one written, even row 20,000,000
            raise FileProblem(
                _(
                    "Sheet {name!r} goes on past row {last:,}, the last row Excel has: the workbook is damaged. "
                    "Open it in Excel, save it again as .xlsx, and upload the new file."
                ).format(name=name, last=_EXCEL_ROWS)
            )
        cells = [_cell_text(v) for v in values]
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            rows.append((number, cells))
    return rows


# The errors openpyxl raises most on a damaged workbook, named in the current language (English: as
# Python names them); any other is named as Python names it.
_ERROR_NAMES = {
    "BadZipFile": N_("BadZipFile"),
    "KeyError": N_("KeyError"),
    "ValueError": N_("ValueError"),
    "TypeError": N_("TypeError"),
    "IndexError": N_("IndexError"),
    "AttributeError": N_("AttributeError"),
}


def _error_name(exc: Exception) -> str:
    name = type(exc).__name__
    return _(_ERROR_NAMES[name]) if name in _ERROR_NAMES else name


def _damage(exc: Exception) -> str:
    """What was wrong with a workbook openpyxl could not open: "a part is not valid XML" for an XML
    error, whichever parser openpyxl used (the standard library's ``ParseError`` or lxml's
    ``XMLSyntaxError``, when lxml is installed), else the error's type."""
    xml_error = isinstance(exc, ElementTree.ParseError) or type(exc).__name__ == "XMLSyntaxError"
    return _("a part is not valid XML") if xml_error else _error_name(exc)


def _read_xlsx(data: bytes, sheet: str | None, problems: IssueLog, notes: IssueLog) -> RawTable:
    import openpyxl  # imported here: it is only needed for workbooks

    too_large = workbook_size.problem(data)
    if too_large:
        raise FileProblem(too_large)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types on a damaged workbook: BadZipFile, KeyError, XML ParseError …
        raise FileProblem(
            _(
                "The workbook cannot be opened ({damage}): it is damaged or not an Excel .xlsx file. "
                "Open it in Excel, save it again as .xlsx, and upload the new file."
            ).format(damage=_damage(exc))
        ) from None
    try:
        sheets = list(book.sheetnames)
        if not sheets:
            raise FileProblem(
                _(
                    "The workbook has no sheets (it is damaged or was not saved by Excel). "
                    "Open it in Excel, save it again as .xlsx, and upload the new file."
                )
            )
        if sheet is not None and sheet not in sheets:
            raise FileProblem(
                _("The workbook has no sheet named {sheet!r}; its sheets are: {sheets}. Choose one of them.").format(
                    sheet=sheet, sheets=_(", ").join(sheets)
                )
            )
        name, note = (sheet, "") if sheet else _propose(book, sheets)
        try:
            numbered = _sheet_rows(book[name], name)
        except FileProblem:
            raise
        except Exception as exc:  # openpyxl raises many types on damaged sheet XML
            raise FileProblem(
                _(
                    "Sheet {name!r} cannot be read ({problem}): the workbook is damaged. "
                    "Save it again from Excel as .xlsx."
                ).format(name=name, problem=_error_name(exc))
            ) from None
    finally:
        book.close()
    if not numbered:
        raise FileProblem(_("Sheet {name!r} is empty. Choose the sheet that holds the account data.").format(name=name))
    header_index = find_header_row([cells for _number, cells in numbered[:_HEADER_SEARCH_ROWS]])
    header_row, header = numbered[header_index]
    width = max(
        len(cells) for _number, cells in numbered
    )  # to the last value of any row: values past the header are reported
    _check_width(width)
    headers = [c.strip() for c in header] + [""] * (width - len(header))
    body = numbered[header_index + 1 :]
    arrays = {  # a column at a time, short rows padded with ""
        n: pa.array([cells[j] if j < len(cells) else "" for _number, cells in body], type=pa.string())
        for j, n in enumerate(_column_names(width))
    }
    arrays[ROW] = pa.array([row for row, _ in body], type=pa.int64())
    description = ngettext(
        "Excel sheet {name!r} ({sheets} sheet), {header}",
        "Excel sheet {name!r} ({sheets} sheets), {header}",
        len(sheets),
    ).format(name=name, sheets=len(sheets), header=_header_note(header_row - 1))
    return RawTable(
        headers, pa.table(arrays), header_row, description, problems, notes, sheets=sheets, sheet=name, sheet_note=note
    )


@dataclass(frozen=True)
class SheetScore:
    """How much a sheet looks like an account export, from its first rows and its declared size:
    ``columns`` of its headers name a contract column, ``has_id`` one of them the account id,
    ``rows`` it declares (0 when unknown). ``score`` = columns + 2 for an id + log10(rows + 1)."""

    name: str
    columns: int
    has_id: bool
    rows: int

    @property
    def score(self) -> float:
        return self.columns + 2 * self.has_id + math.log10(self.rows + 1)

    def why(self) -> str:
        said = _("{columns} headers of the data contract").format(columns=self.columns)
        if self.has_id:
            said = _("{said}, an account id").format(said=said)
        return _("{said}, {rows:,} rows").format(said=said, rows=self.rows) if self.rows else said


def score_sheet(worksheet, name: str) -> SheetScore:
    """The ``SheetScore`` of a sheet of a read-only workbook, from its first 30 rows."""
    declared = worksheet.max_row or 0  # from the sheet's dimension: read before it is reset
    worksheet.reset_dimensions()
    first_rows = worksheet.iter_rows(max_row=_HEADER_SEARCH_ROWS, values_only=True)
    head = [[_cell_text(v) for v in values] for values in first_rows]
    header = head[find_header_row(head)] if head else []
    found = {s.target for s in (suggest(c, fuzzy=False) for c in header[:256]) if s and s.confidence >= LOOSE}
    return SheetScore(name, len(found), "account_id" in found, min(int(declared), _EXCEL_ROWS))


def _propose(book, sheets: list[str]) -> tuple[str, str]:
    """(the sheet to read first, why): the only one, else the best ``SheetScore`` (the first of equals)."""
    if len(sheets) == 1:
        return sheets[0], ""
    try:
        scores = [score_sheet(book[name], name) for name in sheets]
    except Exception:  # a damaged sheet: read the first, which says what is wrong with it
        return sheets[0], ""
    best = max(scores, key=lambda s: s.score)  # max keeps the first of equal scores
    return best.name, _("proposed as the sheet most like an account export: {why}").format(why=best.why())
