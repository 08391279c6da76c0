"""Fuzzed uploads (the "Trust" issue, point 4): thousands of generated, malformed CSV and XLSX files.

Hypothesis generates random bytes, CSV grids (any delimiter, quoting, line end and encoding, ragged
rows, title rows, huge cells, deep quoting, formula cells, extreme numbers such as ``1e308``, ``-0``,
``nan``/``inf`` text and 40-digit integers), byte-level damage to such files, workbooks built with
openpyxl (typed cells, formulas, several sheets, huge strings) and damaged workbooks (truncated,
bytes flipped, an XML part garbled or missing, zips that are no workbook). For every file,
``read_upload``:

* returns an ``IngestResult`` and never raises;
* stays within the time and memory bounds below (measured per call);
* returns a consistent result: every issue names its row (or none, for the whole file), a column or
  the row's text, and a reason that says what to do; ``ok`` is "no error"; the rows that passed
  respect the data contract (an account id, a ``YYYYQn`` quarter, finite revenues ≥ 0, one row per
  account and quarter) and none of them has an error.

Two files with 10,000 columns and the regression tests of the bugs this fuzzing found are fixed
inputs at the end. Every run is reproducible (``derandomize=True``, no example database). The
module prints ``fuzz: N cases, max time X s, max peak memory Y MB`` when it ends (``pytest -s``
shows it) and writes it to ``test-artifacts/fuzz_summary.txt``.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import functools
import gc
import hashlib
import io
import re
import time
import tracemalloc
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from b2b_core import contract
from b2b_core.ingest import CUSTOM, IGNORE, ISSUE_COLUMNS, IngestResult, read_upload
from b2b_core.ingest.clean import EXCEL_ERRORS
from b2b_core.ingest.mapping import MAPPING_COLUMNS

# -- bounds ------------------------------------------------------------------------------------
#
# Measured per call of ``read_upload`` on this 2-core machine, under tracemalloc (which slows
# Python code 1.5-3x) and with other test suites running alongside; the summary file holds the
# maxima of the last run and how close each bound came. "Content" is the size of the upload, or
# for a zip (a workbook) the larger of that and the sum of its members' unpacked sizes: openpyxl
# reads the XML, which a zip compresses 5-20x.

# Wall time of a generated file. Typical calls take 10-70 ms; the slowest measured 1.8 s (a damaged
# workbook whose header has a cell in column XFD, so 16,384 columns). 5x headroom for a busy CI.
SECONDS_PER_CALL = 10.0
# The files with 10,000 columns (every column is mapped, cleaned and checked): measured 12-21 s.
# Before this module's fixes they took over a minute (CSV) and hours (XLSX).
SECONDS_FOR_10_000_COLUMNS = 60.0
# A sheet whose rows go on past Excel's last row: the 1,048,576 rows before it are skipped (3-5 s).
SECONDS_FOR_A_MILLION_ROWS = 30.0
# Peak of Python allocations (tracemalloc) in one call: ``PYTHON_BYTES_PER_BYTE`` × content +
# ``PYTHON_HEAP_CONSTANT``. The costliest shape measured is a CSV whose every short row is an
# error (each carries its own reason, ~150 bytes): 74x on 2.4 MB of 8-byte ragged rows; a ragged
# CSV of valid rows, split into one Python string per cell, takes 17x. The constant covers an XML
# entity bomb in a 5 KB workbook, which expat stops at its amplification limit after 39 MB.
# Generated files peak at a few MB (22 MB at most), the 10,000-column workbook at 25 MB.
PYTHON_BYTES_PER_BYTE = 128
PYTHON_HEAP_CONSTANT = 64 << 20
# Growth of the process's peak resident memory in one call (Arrow and DuckDB allocate outside
# Python, where tracemalloc does not see): measured at most 135 MB (the 10,000-column files, a
# 5 MB cell); the same form of bound, looser, as the allocators keep freed memory.
RSS_BYTES_PER_BYTE = 128
RSS_CONSTANT = 256 << 20

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")  # damaged workbooks: expected

FUZZ = {
    "deadline": None,
    "derandomize": True,  # the same examples on every run and machine
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
}
SUMMARY = Path(__file__).resolve().parents[1] / "test-artifacts" / "fuzz_summary.txt"
# Every reason says what to do (as in test_bad_inputs): one of these verbs appears in it.
HINT = re.compile(
    r"\b(write|keep|choose|map|export|upload|save|rename|fix|enter|put|check|unmerge|remove|delete|correct|"
    r"paste|open|fill|set)\b",
    re.IGNORECASE,
)
QUARTER = re.compile(r"^\d{4}Q[1-4]$")


# -- measuring every call ----------------------------------------------------------------------


@dataclass
class Tally:
    """What the fuzzed calls of this module measured."""

    cases: collections.Counter = field(default_factory=collections.Counter)  # calls per generator
    seconds: collections.Counter = field(default_factory=collections.Counter)  # their time per generator
    slowest: dict = field(default_factory=dict)  # the longest call per generator, in seconds
    max_seconds: float = 0.0
    max_seconds_case: str = ""
    max_python_peak: int = 0
    max_rss_growth: int | None = None  # None where /proc cannot reset the peak
    closest: dict = field(default_factory=dict)  # per bound: (largest share of it used, by which call)

    def line(self) -> str:
        rss = "n/a" if self.max_rss_growth is None else f"{self.max_rss_growth / 2**20:.1f} MB"
        return (
            f"fuzz: {sum(self.cases.values())} cases, max time {self.max_seconds:.2f} s, "
            f"max peak memory {self.max_python_peak / 2**20:.1f} MB (Python heap; resident growth {rss})"
        )


TALLY = Tally()


def _peak_rss() -> int | None:
    """The process's peak resident memory (VmHWM) in bytes, or None off Linux."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match[1]) * 1024 if match else None


def _reset_peak_rss() -> bool:
    """Start a new peak-resident-memory measurement (Linux: writing 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def content_size(data: bytes) -> int:
    """The size a reader may hold: the upload, or the unpacked members of a zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return max(len(data), sum(info.file_size for info in archive.infolist()))
    except Exception:  # not a zip, or one whose directory is damaged
        return len(data)


@pytest.fixture(scope="module", autouse=True)
def summary():
    """Warm up (the DuckDB engine, openpyxl's import) so the first case pays no one-off costs,
    then print and store the tally when the module ends."""
    read_upload(b"Merchant ID,Quarter,Commission\nA,2025Q3,1\n", "warm.csv")
    read_upload(workbook_bytes([[["Merchant ID", "Quarter", "Commission"], ["A", "2025Q3", 1]]]), "warm.xlsx")
    started = time.perf_counter()
    yield TALLY
    line = f"{TALLY.line()}; {time.perf_counter() - started:.0f} s in all"
    detail = ", ".join(
        f"{kind} {n} ({TALLY.seconds[kind]:.0f} s, slowest {TALLY.slowest[kind]:.2f} s)"
        for kind, n in sorted(TALLY.cases.items())
    )
    slowest = f"slowest call: {TALLY.max_seconds_case}"
    closest = "; ".join(f"{bound} {share:.0%} ({case})" for bound, (share, case) in TALLY.closest.items())
    closest = f"closest to the bounds: {closest}"
    print(f"\n{line}\n  by generator: {detail}\n  {slowest}\n  {closest}")
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(f"{line}\nby generator: {detail}\n{slowest}\n{closest}\n", encoding="utf-8")


def ingest(data: bytes, filename: str, kind: str, *, seconds: float = SECONDS_PER_CALL, **options) -> IngestResult:
    """``read_upload`` of one generated file, measured against the bounds, its result checked."""
    measured_rss = _reset_peak_rss()
    rss_before = _peak_rss() if measured_rss else None
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = read_upload(data, filename, **options)  # never raises: an exception fails the test
    finally:
        elapsed = time.perf_counter() - started
        python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss_growth = _peak_rss() - rss_before if rss_before is not None else None

    TALLY.cases[kind] += 1
    TALLY.seconds[kind] += elapsed
    TALLY.slowest[kind] = max(TALLY.slowest.get(kind, 0.0), elapsed)
    if elapsed > TALLY.max_seconds:
        TALLY.max_seconds, TALLY.max_seconds_case = elapsed, f"{kind}, {filename}, {len(data):,} bytes, {elapsed:.2f} s"
    TALLY.max_python_peak = max(TALLY.max_python_peak, python_peak)
    if rss_growth is not None:
        TALLY.max_rss_growth = max(TALLY.max_rss_growth or 0, rss_growth)

    size = content_size(data)
    bounds = {
        "time": (elapsed, seconds),
        "Python heap": (python_peak, PYTHON_BYTES_PER_BYTE * size + PYTHON_HEAP_CONSTANT),
        "resident memory": (rss_growth or 0, RSS_BYTES_PER_BYTE * size + RSS_CONSTANT),
    }
    for bound, (used, limit) in bounds.items():
        if used / limit > TALLY.closest.get(bound, (0.0, ""))[0]:
            TALLY.closest[bound] = (used / limit, f"{kind}, {filename}, {len(data):,} bytes")
    assert elapsed <= seconds, f"{elapsed:.1f} s for {len(data):,} bytes ({filename})"
    assert python_peak <= bounds["Python heap"][1], (python_peak, size)
    assert rss_growth is None or rss_growth <= bounds["resident memory"][1], (rss_growth, size)
    check_result(result, data, filename)
    return result


# -- what every result must satisfy --------------------------------------------------------------


def check_issues(issues: pd.DataFrame, filename: str, *, errors: bool) -> None:
    """Issue rows name the file, a spreadsheet row (or none: the whole file), where in the row
    (a column, or the row's own text) and a reason; an error's reason says what to do."""
    assert list(issues.columns) == ISSUE_COLUMNS
    assert (issues["file"] == filename).all()
    for row, column, value, reason in issues[["row", "column", "value", "reason"]].itertuples(index=False):
        assert isinstance(column, str) and isinstance(value, str), (row, column, value)
        assert isinstance(reason, str) and reason.strip(), (row, column, value)
        if not pd.isna(row):
            assert int(row) >= 1
            assert column or value, f"row {row}: neither a column nor the row's text for {reason!r}"
        if errors:
            assert HINT.search(reason), f"no hint of what to do in {reason!r}"


def check_result(result: IngestResult, data: bytes, filename: str) -> None:
    assert isinstance(result, IngestResult)
    assert result.source == filename
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    check_issues(result.errors, filename, errors=True)
    check_issues(result.warnings, filename, errors=False)
    assert list(result.mapping.columns) == MAPPING_COLUMNS
    assert result.ok == result.errors.empty
    assert result.can_commit_valid_rows == (result.file_errors.empty and result.rows.num_rows > 0)
    assert result.rows_left_out >= 0 and result.merged_copies >= 0
    assert result.rows_read >= result.rows.num_rows + result.merged_copies

    rows = result.rows
    assert rows.column_names[0] == "row"
    if rows.num_rows == 0:
        assert result.quarters == [] and result.panel.empty
        return
    assert rows.column_names[1 : 1 + len(contract.NAMES)] == list(contract.NAMES)
    customs = rows.column_names[1 + len(contract.NAMES) :]
    panel = rows.to_pandas()
    numbers = panel["row"].tolist()
    assert len(set(numbers)) == len(numbers) and min(numbers) >= 1
    assert set(numbers).isdisjoint(result.errors["row"].dropna().astype(int)), "a row with an error passed"
    ids = panel["account_id"]  # trimmed text, never empty
    assert ids.map(lambda a: isinstance(a, str) and a != "" and a == a.strip(" \t\r\n")).all(), ids.tolist()
    assert panel["quarter"].map(lambda q: isinstance(q, str) and bool(QUARTER.match(q))).all()
    assert panel["quarter"].map(lambda q: 1900 <= int(q[:4]) <= 2199).all()
    mapped = set(result.mapping["target"].dropna())
    for money in ("platform_revenue", "b_side_revenue"):
        values = panel[money]
        if money not in mapped:  # an optional column the file lacks is empty
            assert values.isna().all(), (money, values.tolist())
            continue
        assert values.notna().all() and (values >= 0).all() and values.map(_finite).all(), (money, values.tolist())
    contract_value = panel["contract_value"].dropna()
    assert (contract_value >= 0).all() and contract_value.map(_finite).all()
    assert panel["active"].map(lambda a: isinstance(a, bool)).all()
    for metric in customs:
        assert panel[metric].dropna().map(_finite).all(), metric
    assert not panel.duplicated(["account_id", "quarter"]).any(), "two rows for one account and quarter"
    assert result.quarters == sorted(set(panel["quarter"]))
    assert len(result.panel) == rows.num_rows  # the pandas view builds


def _finite(x: float) -> bool:
    return x == x and abs(x) != float("inf")


# -- cells ---------------------------------------------------------------------------------------

EXTREME_NUMBERS = (
    "1e308", "-1e308", "1.7976931348623157e308", "1e309", "-1e309", "2e-308", "4.9e-324", "1e-400", "0", "-0",
    "-0.0", "+0", "0e0", "-0e-0", "0x10", "nan", "NaN", "-nan", "NAN", "inf", "-inf", "+inf", "Infinity",
    "-Infinity", "INF", "1" * 40, "-" + "9" * 40, "1234567890123456789012345678901234567890.5", "1" + "0" * 400,
    "1,234.50", "1.234,50", "1 234,5", "1'234.50", "(120)", "(-5)", "((5))", "()", "12%", "-12%", "%", "1e308%",
    "$", "¥1,000", "￥-5", "€(3)", "USD 5", "5 RMB", "--5", "5-", "1e", "e5", ".", "-.5", "+.5e-3", "1..2",
    "1,2,3", ",", "١٢٣", "１２３", "½", "Ⅻ", "1_000", " 7 ", "\u00a012\u202f", "0.1.2", "1e+", "9" * 309,
)  # fmt: skip
QUARTER_TEXTS = (
    "2025Q3", "2025q1", "Q4 2025", "2025-Q2", "2025 Q3", "2025年第3季度", "2025年Q3", "2025Q5", "2025Q0", "1899Q4",
    "1900Q1", "2199Q4", "2200Q1", "9999Q4", "0000Q1", "FY2025Q1", "Q3", "2025", "2025-08", "2025-13", "2025-02-30",
    "2025-02-28", "03/04/2025", "31/12/2025", "2025-08-15 10:00", "20250Q3", "-2025Q3", "=2025Q3", "2025.3",
    "2025Q3 ", "\t2025Q3",
)  # fmt: skip
FORMULAS = (
    "=1+1", "=SUM(A1:A9)", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "-cmd", "@SUM(1,2)",
    "=1/0", "=A1", "\t=1", "\r=1", "+", "-", "@", "=", "=-1", "+1", "-1", "=1e308*10",
)  # fmt: skip
SPECIAL = (
    *EXCEL_ERRORS, "#n/a", "n/a", "N/A", "-", "--", "—", "null", "None", "nan", "/", "TRUE", "FALSE", "yes", "no",
    "是", "否", "maybe", "", " ", "\u00a0", "\ufeff", '"', '""', "'", "\\", ",", ";", "\t", "|", "\n", "\r\n", "\r",
    "\x00", "\x1b[31m", "row", "__row", "c0",
)  # fmt: skip
KNOWN_HEADERS = (
    "Merchant ID", "Quarter", "Commission", "GMV", "Active", "Contract end", "ARR", "Segment", "Region", "Tier",
    "Owner", "Merchant name", "商户ID", "季度", "平台收入", "商户收入", "Orders", "Commission rate", "Revenue", "Date",
    "id", "row", "file", "upload_id", "__row", "c0", "account_id", "quarter", "platform_revenue", "Fees (%)",
    "Active users (#)", "", " ", "nan", "=A1", "Merchant ID",
)  # fmt: skip
IDS = ("A", "B", "C", " A ", "a", "M001", "001", "1e3", "1234567890123456789012345678901234567890")

plain_numbers = st.one_of(
    st.integers(0, 10**6).map(str),
    st.floats(0, 1e9, allow_nan=False).map(lambda x: f"{x:.2f}"),
)
anything = st.one_of(
    st.sampled_from(EXTREME_NUMBERS),
    st.sampled_from(QUARTER_TEXTS),
    st.tuples(st.sampled_from(FORMULAS), st.text(max_size=6)).map("".join),
    st.sampled_from(SPECIAL),
    st.integers(-(10**40), 10**40).map(str),
    st.floats().map(repr),  # nan, inf, -0.0, 5e-324 …
    st.text(max_size=12),
    st.text(st.sampled_from("\"',;\t|\r\n \\=+-@#%$().0123456789eE"), max_size=16),  # separator and quote soup
    st.integers(1, 300).map(lambda n: '"' * n),  # deep quoting
)
COLUMN_KINDS = {
    "numbers": plain_numbers,
    "extreme": st.one_of(st.sampled_from(EXTREME_NUMBERS), plain_numbers),
    "ids": st.one_of(st.sampled_from(IDS), st.from_regex(r"[A-Z][0-9]{1,3}", fullmatch=True)),
    "quarters": st.sampled_from(QUARTER_TEXTS),
    "anything": anything,
}
# A huge cell (10,000 to 300,000 characters of one kind).
huge_cells = st.tuples(st.sampled_from(["9", "A", "1,", '"', "=", "é", "\n", " "]), st.integers(10_000, 300_000)).map(
    lambda part: part[0] * (part[1] // len(part[0]))
)


@st.composite
def grids(draw) -> list[list[str]]:
    """A header row and data rows: often the contract's required headers (so the file is read
    through to validation), columns of one kind each, ragged rows, title rows, a huge cell."""
    if draw(st.booleans()):
        headers = draw(st.permutations(["Merchant ID", "Quarter", "Commission"]))
        headers += draw(st.lists(st.one_of(st.sampled_from(KNOWN_HEADERS), st.text(max_size=10)), max_size=4))
        headers = draw(st.permutations(headers))
    else:
        headers = draw(st.lists(st.one_of(st.sampled_from(KNOWN_HEADERS), st.text(max_size=10)), max_size=8))
    kinds = [
        {"Merchant ID": "ids", "Quarter": "quarters", "Commission": "extreme"}.get(h)
        or draw(st.sampled_from(list(COLUMN_KINDS)))
        for h in headers
    ]
    rows = [headers]
    for _ in range(draw(st.integers(0, 12))):
        row = [draw(COLUMN_KINDS[kind]) for kind in kinds]
        if draw(st.integers(0, 5)) == 0:  # ragged
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(anything, max_size=3))
        rows.append(row)
    if draw(st.integers(0, 5)) == 0:  # title rows above the header
        rows[:0] = draw(st.lists(st.lists(anything, max_size=2), min_size=1, max_size=3))
    if draw(st.integers(0, 15)) == 0 and len(rows) > 1 and rows[-1]:
        rows[-1][draw(st.integers(0, len(rows[-1]) - 1))] = draw(huge_cells)
    return rows


ENCODINGS = (
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "gbk", "gb18030", "big5", "shift_jis",
    "cp1252", "latin-1", "cp437", "koi8-r", "mac_roman",
)  # fmt: skip


@st.composite
def csv_text(draw, rows: list[list[str]]) -> bytes:
    """Rows as a CSV file: a delimiter, quoting (or none, so separators in cells break rows), line
    ends and an encoding (characters it cannot write become ``?``)."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " ", ":"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quoting = draw(st.sampled_from(["minimal", "all", "none"]))
    if quoting == "none":
        text = ending.join(delimiter.join(row) for row in rows)
    else:
        out = io.StringIO()
        style = csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL
        csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=style).writerows(rows)
        text = out.getvalue()
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final line end
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


@st.composite
def damage(draw, data: bytes) -> bytes:
    """One to three byte-level injuries: truncation, inserted or deleted bytes, flipped bytes,
    a repeated slice, a NUL."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        injury = draw(st.sampled_from(["truncate", "insert", "delete", "flip", "repeat", "nul"]))
        if injury == "truncate":
            data = data[:at]
        elif injury == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
        elif injury == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        elif injury == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif injury == "repeat":
            data = data[:at] + data[at : at + draw(st.integers(1, 4096))] * draw(st.integers(2, 20)) + data[at:]
        elif injury == "nul":
            data = data[:at] + b"\x00" + data[at:]
    return data


@st.composite
def options(draw, headers: list[str], sheets: list[str] = ()) -> dict:
    """``read_upload``'s optional arguments: a quarter (valid or not), the user's mapping
    corrections (valid targets: an unknown target is a programming error by design), a sheet."""
    chosen = {}
    if draw(st.integers(0, 3)) == 0:
        chosen["quarter"] = draw(st.sampled_from([None, "", "2025Q3", "Q9 2025", "2025-02-30", "FY2025", "2025-08"]))
    if headers and draw(st.integers(0, 3)) == 0:
        targets = st.sampled_from([*contract.NAMES, CUSTOM, IGNORE, None])
        chosen["mapping"] = draw(st.dictionaries(st.sampled_from(headers), targets, max_size=4))
    if sheets and draw(st.integers(0, 3)) == 0:
        chosen["sheet"] = draw(st.sampled_from([*sheets, "Missing", ""]))
    return chosen


CSV_NAMES = ("accounts.csv", "2025Q3.csv", "Q4 2025 export.CSV", "accounts.txt", "accounts", "商户.csv", ".csv")


# -- workbooks -----------------------------------------------------------------------------------


def workbook_bytes(sheets: list[list[list[object]]], titles: list[str] | None = None, merge: str | None = None):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for i, rows in enumerate(sheets):
        sheet = book.create_sheet(titles[i] if titles else f"Sheet{i + 1}")
        for row in rows:
            sheet.append(row)
        if merge and i == 0:
            sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _writable(value: object) -> object:
    """A cell value openpyxl accepts: characters XML cannot hold are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**40), 10**40),
    st.floats(),
    st.sampled_from([1e308, -1e308, -0.0, 5e-324, 2**53 + 1.0]),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.times(),
    anything.map(_writable),  # a string starting with "=" is stored as a formula
)
SHEET_TITLES = st.text(st.characters(blacklist_characters="[]:*?/\\'", blacklist_categories=("Cs", "Cc")), min_size=1)


@st.composite
def workbooks(draw) -> tuple[bytes, list[str], list[str]]:
    """(bytes, sheet titles, first sheet's headers) of a workbook of typed cells, often with the
    contract's headers; sometimes a merged header, a huge string or several sheets."""
    rows = draw(grids())
    headers = [str(h) for h in rows[0]] if rows else []
    typed = [[_writable(h) for h in rows[0]]] + [
        [draw(cell_values) if draw(st.integers(0, 2)) == 0 else _writable(cell) for cell in row] for row in rows[1:]
    ]
    if draw(st.integers(0, 9)) == 0 and len(typed) > 1:
        typed[1] = [*typed[1], "x" * draw(st.integers(32_767, 100_000))]  # beyond Excel's limit of a cell
    sheets = [typed] + draw(st.lists(st.lists(st.lists(cell_values, max_size=4), max_size=4), max_size=2))
    titles = draw(st.lists(SHEET_TITLES.map(lambda t: t[:31]), min_size=len(sheets), max_size=len(sheets), unique=True))
    merge = "A1:B1" if draw(st.integers(0, 9)) == 0 else None
    return workbook_bytes(sheets, titles, merge), titles, headers


def _rewrite(data: bytes, member: str, content: bytes | None) -> bytes:
    """The zip ``data`` with ``member`` replaced by ``content`` (None: left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            if info.filename != member:
                copy.writestr(info, source.read(info.filename))
            elif content is not None:
                copy.writestr(info.filename, content)
    return out.getvalue()


XML_DAMAGE = (
    None, b"", b"<<<not xml", b"<?xml version='1.0'?><foo/>", bytes(range(256)), b"<a>" * 10_000,
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
)  # fmt: skip


@functools.cache
def base_workbooks() -> tuple[bytes, ...]:
    """The workbooks ``damaged_workbooks`` damages (built once: openpyxl is slow to write): typed
    cells and a formula, several sheets, a merged header, a huge string, an empty sheet."""
    header = ["Merchant ID", "Quarter", "Commission", "GMV", "Active", "Contract end"]
    typed = [header, ["A", "2025Q3", 1.5, 10**40, True, dt.datetime(2026, 3, 31)], ["B", dt.date(2025, 8, 1), "=C2*2"]]
    return (
        workbook_bytes([typed]),
        workbook_bytes([typed, [["notes"], [1, 2, 3]]], ["Accounts", "Notes"]),
        workbook_bytes([[header, ["A", "2025Q3", 1, 2]]], merge="C1:D1"),
        workbook_bytes([[header, ["x" * 40_000, "2025Q3", -0.0, 1e308]]]),
        workbook_bytes([[]]),
    )


# Damage inside a sheet's XML: (pattern, replacements) for one occurrence of the pattern.
CELL_DAMAGE = (
    (rb'\bt="[a-zA-Z]+"', [b't="s"', b't="b"', b't="e"', b't="d"', b't="str"', b't="zz"', b""]),
    (rb"<v>[^<]*</v>", [b"<v>abc</v>", b"<v>999999</v>", b"<v>-1</v>", b"<v>1e999</v>", b"<v>nan</v>", b"<v></v>"]),
    (rb'\br="[A-Z]+[0-9]+"', [b'r="A0"', b'r=""', b'r="1A"', b'r="ZZZZ1"', b'r="XFD1"', b'r="A5000"', b'r="B-1"']),
    (rb'\br="[0-9]+"', [b'r="0"', b'r="-3"', b'r="x"', b'r="5000"', b'r="1"']),
    (rb'<dimension ref="[^"]*"', [b'<dimension ref="A1:XFD1048576"', b'<dimension ref="ZZ"', b'<dimension ref=""']),
)


@st.composite
def damaged_workbooks(draw) -> bytes:
    """A workbook with one XML part garbled, truncated or missing, cells of a sheet damaged (bad
    types, values, references, dimensions) or its bytes damaged; or a zip that is no workbook."""
    data = draw(st.sampled_from(base_workbooks()))
    how = draw(st.sampled_from(["part", "truncated part", "cells", "bytes", "not a workbook"]))
    if how == "not a workbook":
        names = st.one_of(
            st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "_rels/.rels"]),
            st.from_regex(r"[A-Za-z0-9_.\[\]-][A-Za-z0-9_./\[\]-]{0,19}", fullmatch=True),
        )
        contents = st.one_of(st.binary(max_size=200), st.sampled_from(XML_DAMAGE[1:]))
        members = draw(st.dictionaries(names, contents, max_size=4))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        return out.getvalue()
    if how == "bytes":
        return draw(damage(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.namelist()
        member = draw(st.sampled_from(members)) if how != "cells" else "xl/worksheets/sheet1.xml"
        content = archive.read(member)
    if how == "truncated part":
        return _rewrite(data, member, content[: draw(st.integers(0, len(content)))])
    if how == "part":
        return _rewrite(data, member, draw(st.sampled_from(XML_DAMAGE)))
    for _ in range(draw(st.integers(1, 4))):
        pattern, replacements = draw(st.sampled_from(CELL_DAMAGE))
        found = list(re.finditer(pattern, content))
        if found:
            match = draw(st.sampled_from(found))
            content = content[: match.start()] + draw(st.sampled_from(replacements)) + content[match.end() :]
    return _rewrite(data, member, content)


# -- the fuzzed properties -----------------------------------------------------------------------

PREFIXES = (b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
ANY_NAME = st.sampled_from([*CSV_NAMES, "accounts.xlsx", "accounts.XLSM", "accounts.xls", "noextension"])


@settings(max_examples=1000, **FUZZ)
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=4096), filename=ANY_NAME)
def test_random_bytes_give_a_result_never_an_exception(prefix, body, filename):
    ingest(prefix + body, filename, "random bytes")


@settings(max_examples=550, **FUZZ)
@given(data=st.data())
def test_generated_csv_files_give_a_consistent_result_within_bounds(data):
    rows = data.draw(grids())
    content = data.draw(csv_text(rows))
    chosen = data.draw(options([str(h).strip() for h in rows[0]] if rows else []))
    ingest(content, data.draw(st.sampled_from(CSV_NAMES)), "csv", **chosen)


@settings(max_examples=550, **FUZZ)
@given(data=st.data())
def test_damaged_csv_files_give_a_consistent_result_within_bounds(data):
    content = data.draw(damage(data.draw(csv_text(data.draw(grids())))))
    ingest(content, data.draw(st.sampled_from(CSV_NAMES)), "damaged csv")


@settings(max_examples=250, **FUZZ)
@given(data=st.data())
def test_extreme_numbers_in_every_number_column_never_pass_as_invalid_values(data):
    headers = ["Merchant ID", "Quarter", "Commission", "GMV", "ARR", "Orders"]
    numbers = st.one_of(st.sampled_from(EXTREME_NUMBERS), st.integers(-(10**40), 10**40).map(str), st.floats().map(str))
    rows = [headers] + [
        [f"M{i}", "2025Q3", *(data.draw(numbers) for _ in range(4))] for i in range(data.draw(st.integers(1, 20)))
    ]
    ingest(data.draw(csv_text(rows)), "accounts.csv", "extreme numbers")


@settings(max_examples=300, **FUZZ)
@given(data=st.data())
def test_generated_workbooks_give_a_consistent_result_within_bounds(data):
    content, titles, headers = data.draw(workbooks())
    chosen = data.draw(options(headers, titles))
    ingest(content, data.draw(st.sampled_from(["accounts.xlsx", "accounts.xlsm", "accounts.csv"])), "xlsx", **chosen)


@settings(max_examples=550, **FUZZ)
@given(content=damaged_workbooks(), filename=st.sampled_from(["accounts.xlsx", "accounts.csv"]))
def test_damaged_workbooks_give_a_consistent_result_never_an_exception(content, filename):
    ingest(content, filename, "damaged xlsx")


# -- fixed inputs: 10,000 columns, huge cells -------------------------------------------------------


def wide_rows(columns: int = 10_000) -> list[list[object]]:
    """A header of the required columns plus ``columns - 3`` metrics, and four accounts. Every
    metric column has numbers written as text (``$1,234``) and one word, so that each one is judged
    numeric (3 numbers in 4), cleaned by the SQL rules and has an issue (a warning "left empty"):
    all the work the ingest does per column."""
    metrics = [f"Metric {i}" for i in range(columns - 3)]
    rows: list[list[object]] = [["Merchant ID", "Quarter", "Commission", *metrics]]
    for account in range(4):
        cells = ["unknown" if account == 3 else f"${account * 1000 + i:,}" for i in range(len(metrics))]
        rows.append([f"M{account}", "2025Q3", str(account), *cells])
    return rows


def check_wide(result: IngestResult) -> None:
    """Every column is read and judged numeric; the first ``contract.MAX_CUSTOM_METRICS`` are kept
    as custom metrics (and cleaned), the others are left out with a warning each."""
    kept = contract.MAX_CUSTOM_METRICS
    assert result.ok, result.errors.head()
    assert result.rows.num_rows == 4
    assert len(result.rows.column_names) == 1 + len(contract.NAMES) + kept
    last = f"metric_{kept - 1}"
    assert result.panel[last].iloc[:3].tolist() == [kept - 1.0, 1_000.0 + kept - 1, 2_000.0 + kept - 1]
    assert pd.isna(result.panel.loc[5, last])
    by_reason = result.warning_summary.set_index("reason")["rows"]
    left_out = by_reason[by_reason.index.str.contains(f"already has the {kept} custom metrics")]
    assert left_out.sum() == 9_997 - kept  # one warning per column
    assert by_reason[by_reason.index.str.endswith("left empty")].sum() == kept  # "unknown", on row 5


def test_a_csv_with_10_000_columns_is_read_within_bounds():
    """Regression: each unmapped column was judged numeric by a DuckDB query of its own (6 ms each:
    a minute for 10,000), each number column written as text was cleaned by two queries over the
    whole table (costlier the wider it is: 155 s for 1,000 columns) and the issues of all columns
    were joined in one query (70 s for 300 columns): hours in all. Now a fixed number of queries
    (and at most ``contract.MAX_CUSTOM_METRICS`` columns are kept and cleaned)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(wide_rows())
    result = ingest(out.getvalue().encode(), "wide.csv", "10,000 columns", seconds=SECONDS_FOR_10_000_COLUMNS)
    check_wide(result)


def test_a_workbook_with_10_000_columns_is_read_within_bounds():
    """The same in a workbook (every cell is text there, so every column goes through the SQL rules)."""
    data = workbook_bytes([wide_rows()])
    result = ingest(data, "wide.xlsx", "10,000 columns", seconds=SECONDS_FOR_10_000_COLUMNS)
    check_wide(result)


@pytest.mark.parametrize(
    ("cell", "phrase"),
    [
        ("x" * 5_000_000, "is longer than 1,000 characters"),  # a 5 MB name
        ("9" * 1_000_000, "is not a finite number"),  # a number of a million digits
        ('"' * 1_000_001, "never closed"),  # deep quoting: a quote that opens and never closes
        ("=" + "A1+" * 300_000 + "1", "looks like a spreadsheet formula"),
    ],
    ids=["5 MB text", "million digits", "million quotes", "long formula"],
)
def test_a_huge_cell_is_refused_within_bounds(cell, phrase):
    column = "Merchant name" if cell[0] == "x" else "Commission"
    header = ["Merchant ID", "Quarter", "Commission", "Merchant name"]
    row = ["A", "2025Q3", "1", "Acme"]
    row[header.index(column)] = cell
    data = (",".join(header) + "\n" + ",".join(row) + "\nB,2025Q3,2,Beta\n").encode()
    result = ingest(data, "huge.csv", "huge cell")
    assert any(phrase in reason for reason in result.errors["reason"]), result.errors["reason"].tolist()
    assert result.errors["value"].str.len().max() < 200  # the value is shown cut, with its length


# -- regressions: the bugs this fuzzing found -----------------------------------------------------


def test_text_numbers_stay_on_their_rows_in_a_csv_read_in_several_blocks():
    """Regression: pyarrow reads a CSV over 8 MB in blocks, and DuckDB returned the cleaned values
    of a text number column (here ``$120``) in another order than the rows: every account got
    another account's revenue, silently. The commission of account ``M<n>`` is ``$<n>``."""
    rows = 400_000
    lines = "".join(f"M{i},2025Q3,${i},{i}\n" for i in range(rows))
    data = ("Merchant ID,Quarter,Commission,GMV\n" + lines).encode()
    assert len(data) > 8 << 20  # more than one block
    result = read_upload(data, "big.csv")
    assert result.ok and result.rows.num_rows == rows
    panel = result.panel
    assert (panel["account_id"].str[1:].astype(float) == panel["platform_revenue"]).all()
    assert (panel["platform_revenue"] == panel["b_side_revenue"]).all()


def test_a_unicode_line_separator_in_a_title_row_loses_no_data_row():
    """Regression: the delimiter and header were sniffed on ``str.splitlines`` lines, which also
    break at U+2028 (and \\x1c-\\x1e, \\x85 …) while the CSV reader does not: the header was placed
    one row too low and the first account was silently skipped."""
    data = "Report\u2028Q3\nMerchant ID,Quarter,Commission\nA,2025Q3,1\nB,2025Q3,2\n".encode()
    result = ingest(data, "accounts.csv", "regression")
    assert result.ok
    assert result.panel["account_id"].tolist() == ["A", "B"]
    assert "header on row 2, 1 title row skipped" in result.description


def test_a_record_separator_in_the_header_is_no_crash():
    """Regression: the same mismatch raised StopIteration when the header seemed to lie past the
    rows the reader found (a header cell holding \\x1e)."""
    data = b"\n\x1e\x1e:,Quarter\n" + b"9" * 10_000 + b",2025Q3\n"
    result = ingest(data, "accounts.csv", "regression")
    assert not result.ok


def test_an_xml_entity_bomb_in_a_workbook_is_refused_within_bounds():
    """A 5 KB workbook whose XML declares entities expanding to 10 GB ("billion laughs"). openpyxl
    has no defusedxml here; the ParseError that escaped ``read_upload`` became a file error, and a
    DTD (which Excel never writes) is now refused before any XML is parsed."""
    entities = '<!ENTITY a0 "aaaaaaaaaa">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE x [{entities}]><x>&a9;</x>'.encode()
    for member in ("xl/workbook.xml", "xl/worksheets/sheet1.xml"):
        result = ingest(_workbook_with(member, bomb), "bomb.xlsx", "regression")
        assert f"part '{member}' holds a DTD or CDATA section" in result.file_errors["reason"].iloc[0]


def _workbook_with(member: str, content: bytes | None) -> bytes:
    return _rewrite(workbook_bytes([[["Merchant ID", "Quarter", "Commission"], ["A", "2025Q3", 1]]]), member, content)


@pytest.mark.parametrize(
    ("member", "content", "phrase"),
    [
        ("xl/worksheets/sheet1.xml", b"", "cannot be opened (a part is not valid XML)"),
        ("xl/workbook.xml", b"<<<not xml", "cannot be opened (a part is not valid XML)"),
        ("xl/styles.xml", b"<a>" * 3, "cannot be opened (a part is not valid XML)"),
        ("docProps/core.xml", bytes(range(256)), "cannot be opened (a part is not valid XML)"),
        ("[Content_Types].xml", b"", "cannot be opened (a part is not valid XML)"),
        ("xl/workbook.xml", b"<?xml version='1.0'?><foo/>", "The workbook has no sheets"),
        ("xl/worksheets/sheet1.xml", None, "The workbook has no sheets"),
    ],
    ids=["empty sheet xml", "garbled workbook xml", "truncated styles", "binary properties", "empty content types",
         "workbook without sheets", "sheet part missing"],
)  # fmt: skip
def test_a_damaged_part_of_a_workbook_is_a_file_error(member, content, phrase):
    """Regression: openpyxl raised XML ParseError (and IndexError for a workbook listing no sheet),
    which escaped ``read_upload`` as a traceback."""
    result = ingest(_workbook_with(member, content), "accounts.xlsx", "regression")
    assert len(result.file_errors) == 1 and result.rows.num_rows == 0
    reason = result.file_errors["reason"].iloc[0]
    assert phrase in reason and "save it again as .xlsx" in reason


def test_a_utf8_file_with_bom_and_damaged_bytes_says_so():
    """Regression: a file starting with a UTF-8 BOM was not checked for bad bytes: they were dropped
    or replaced without the warning other UTF-8 files get (and pyarrow's row handler failed on them)."""
    data = b"\xef\xbb\xbfMerchant ID,Merchant name,Quarter,Commission\nA,Caf\xe9,2025Q3,1\n"
    result = ingest(data, "accounts.csv", "regression")
    assert result.ok
    assert result.panel.loc[2, "account_name"] == "Caf\ufffd"
    assert any("1 undecodable bytes" in reason for reason in result.warnings["reason"])


def _workbook_with_a_cell_at(ref: str, row: int) -> bytes:
    """A small workbook whose sheet also holds the value 1 at ``ref`` and row ``row``, and claims
    (as its ``dimension``) the range up to there."""
    data = workbook_bytes([[["Merchant ID", "Quarter", "Commission"], ["A", "2025Q3", 1]]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<dimension ref="A1:C2"', f'<dimension ref="A1:{ref}{row}"')
    sheet = sheet.replace("</sheetData>", f'<row r="{row}"><c r="{ref}{row}" t="n"><v>1</v></c></row></sheetData>')
    return _rewrite(data, "xl/worksheets/sheet1.xml", sheet.encode())


def test_a_stray_cell_far_from_the_data_costs_no_memory():
    """Regression: openpyxl pads every row to the range the sheet claims and yields every empty row
    up to the last one: this 5 KB workbook (a value in ZZ200000) took 1.2 GB and 15 s, and one
    with a value in XFD1048576 ran out of memory. Now only the rows holding values are kept, each
    up to its last value: the stray value is reported as a column without a header."""
    result = ingest(_workbook_with_a_cell_at("ZZ", 200_000), "stray.xlsx", "regression")
    assert any("has values but no header" in reason for reason in result.file_errors["reason"])
    assert "column ZZ" in result.file_errors["column"].tolist()


def test_a_sheet_going_on_past_excels_last_row_is_a_file_error():
    """Regression: a row numbered 20,000,000 made openpyxl yield 20 million empty rows (100 s,
    1.3 GB). Rows past Excel's last row mean a damaged workbook."""
    data = _workbook_with_a_cell_at("A", 20_000_000)
    result = ingest(data, "long.xlsx", "regression", seconds=SECONDS_FOR_A_MILLION_ROWS)
    assert result.rows.num_rows == 0
    assert "goes on past row 1,048,576" in result.file_errors["reason"].iloc[0]


def test_huge_cells_are_not_kept_in_memory_after_the_upload():
    """Regression: header detection cached its answer for every cell of the first rows, keyed by the
    cell itself, for the life of the process: 20 uploads each with a 1 MB name kept 22 MB alive
    (and the cache holds 4,096 cells: gigabytes). Long cells are no longer cached."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for letter in "abcdefghijklmnopqrst":
        name = letter * 1_000_000
        read_upload(f"Merchant ID,Merchant name,Quarter,Commission\nA,{name},2025Q3,1\n".encode(), "a.csv")
    del name
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert retained < 4 << 20, f"{retained / 2**20:.1f} MB still allocated after the uploads"
