"""Hostile and unlucky uploads (issue 14): the report, the work and the memory stay bounded.

A file can hold a problem on each of its rows, one account on every row, a cell of megabytes, an
amount of 1.7e308, thousands of columns, or a workbook that unpacks to gigabytes. For each: a clear
message naming the row, column and value, a report that lists at most ``MAX_KEPT`` errors and as many
warnings while it counts every one of them, and a cost in Python memory that does not grow with the
square of the rows (measured with tracemalloc). ``bench/hostile_files.py`` measures the same cases at
the upload limit.
"""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from b2b_core import contract
from b2b_core.access import LOCAL
from b2b_core.ingest import (
    CUSTOM,
    MAX_KEPT,
    UPLOAD_LIMIT_MB,
    CommitRefused,
    combine,
    commit,
    read_upload,
    upload_too_large,
    workbook_size,
)
from b2b_core.ingest.issues import IssueLog, some
from tests import workbooks

HEADER = ["Merchant ID", "Quarter", "Commission", "GMV"]


def csv_bytes(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def measured(data: bytes, filename: str, **options) -> tuple:
    """The result of ``read_upload`` and the peak of Python memory it allocated (bytes)."""
    tracemalloc.start()
    try:
        result = read_upload(data, filename, **options)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def by_reason(summary: pd.DataFrame) -> dict[str, int]:
    return summary.groupby("reason")["rows"].sum().to_dict()


# -- many issues: listed within bounds, every one counted ----------------------------------------------


def test_one_account_on_20_000_rows_names_a_few_rows_in_bounded_memory():
    """Regression: every one of the 20,000 errors listed all 20,000 rows in its reason (2.7 GB)."""
    data = csv_bytes([HEADER, *[["A1", "2025Q3", i % 10, i] for i in range(20_000)]])
    result, peak = measured(data, "same_id.csv")
    assert result.error_count == 20_000 and len(result.errors) == MAX_KEPT
    assert result.errors["row"].tolist() == list(range(2, 2 + MAX_KEPT))
    assert set(result.errors["reason"]) == {
        "A1 appears 20,000 times in 2025Q3 with different values (rows 2, 3, 4 and 19,997 more): keep one row per "
        "account and quarter, or choose to sum the rows per account and quarter"
    }
    assert result.error_summary[["column", "rows", "first_row", "example"]].values.tolist() == [
        ["Merchant ID", 20_000, 2, "A1"]
    ]
    assert result.rows.num_rows == 0 and result.rows_left_out == 20_000
    assert peak < 30 << 20, f"{peak / 2**20:.0f} MB"


def test_the_account_id_mapped_to_a_column_of_few_values_is_reported_in_bounded_memory():
    """Mapping ``account_id`` to the wrong column by mistake (here Segment, five values) puts every
    row in a group of thousands: the same bound holds, and the summary says what happened."""
    segments = ["Retail", "Food", "Travel", "Services", "Health"]
    rows = [[f"M{i}", "2025Q3", i % 97, i, segments[i % 5]] for i in range(30_000)]
    data = csv_bytes([[*HEADER, "Segment"], *rows])
    result, peak = measured(data, "accounts.csv", mapping={"Segment": "account_id", "Merchant ID": None})
    assert result.error_count == 30_000 and len(result.errors) == MAX_KEPT
    assert result.errors["reason"].iloc[0] == (
        "Retail appears 6,000 times in 2025Q3 with different values (rows 2, 7, 12 and 5,997 more): keep one row per "
        "account and quarter, or choose to sum the rows per account and quarter"
    )
    assert by_reason(result.error_summary) == {
        "appears more than once in its quarter with different values: keep one row per account and quarter, or "
        "choose to sum the rows per account and quarter": 30_000
    }
    assert peak < 40 << 20, f"{peak / 2**20:.0f} MB"


def test_a_report_lists_the_first_issues_by_row_and_counts_every_one():
    rows = [[f"M{i}", "2025Q3" if i % 2 else "2025Q9", -5, "" if i else 1] for i in range(15_000)]
    result = read_upload(csv_bytes([HEADER, *rows]), "accounts.csv")
    negative = "is negative, and this column must be 0 or more: net refunds? enter 0, or correct the figure"
    not_a_quarter = "is not a quarter; write it as 2025Q3, Q3 2025 or a date"
    assert result.error_count == 15_000 + 7_500 and len(result.errors) == MAX_KEPT
    listed = result.errors
    assert listed["row"].is_monotonic_increasing and listed["row"].iloc[0] == 2
    assert listed.iloc[:3][["row", "column", "value", "reason"]].values.tolist() == [
        [2, "Quarter", "2025Q9", not_a_quarter],  # in column order on a row
        [2, "Commission", "-5", negative],
        [3, "Commission", "-5", negative],
    ]
    summary = result.error_summary.set_index("reason")
    assert summary.loc[negative, ["rows", "first_row", "example"]].tolist() == [15_000, 2, "-5"]
    assert summary.loc[not_a_quarter, ["rows", "first_row", "example"]].tolist() == [7_500, 2, "2025Q9"]
    assert result.warning_count == 14_999 and len(result.warnings) == MAX_KEPT  # a blank GMV is read as 0
    with pytest.raises(CommitRefused, match="22,500 errors remain"):
        commit(result, workspace=None, actor=LOCAL)


def test_a_problem_of_a_whole_file_is_listed_first_whatever_the_other_files_hold():
    many = read_upload(csv_bytes([HEADER, *[[f"M{i}", "2025Q3", -1, 1] for i in range(12_000)]]), "a.csv")
    broken = read_upload(b"Merchant ID,Commission\nA,1\n", "b.csv")  # no quarter anywhere
    both = combine([many, broken])
    assert both.error_count == 12_001 and len(both.errors) == MAX_KEPT
    assert both.errors.iloc[0][["file", "column"]].tolist() == ["b.csv", "quarter"]
    assert not both.file_errors.empty and not both.can_commit_valid_rows


def test_an_account_in_many_files_names_a_few_of_them():
    files_ = [read_upload(csv_bytes([HEADER, ["A", "2025Q3", n, 1]]), f"{name}.csv") for n, name in enumerate("abcde")]
    both = combine(files_)
    assert both.error_count == 5 and set(both.errors["reason"]) == {
        "A is in 2025Q3 in more than one file with different values (a.csv row 2, b.csv row 2, c.csv row 2 and 2 "
        "more): keep it in one file"
    }
    assert by_reason(both.error_summary) == {
        "is in its quarter in more than one file with different values: keep it in one file": 5
    }


def test_combined_files_keep_the_report_within_bounds():
    clashing = [
        read_upload(csv_bytes([HEADER, *[[f"M{i}", "2025Q3", i + k, 1] for i in range(6_000)]]), f"{k}.csv")
        for k in range(2)
    ]
    both = combine(clashing)
    assert both.error_count == 12_000 and len(both.errors) == MAX_KEPT
    assert both.errors["file"].tolist() == ["0.csv"] * 6_000 + ["1.csv"] * 4_000
    assert both.errors["reason"].iloc[0] == (
        "M0 is in 2025Q3 in more than one file with different values (0.csv row 2, 1.csv row 2): keep it in one file"
    )
    assert both.rows.num_rows == 0


def test_rows_with_too_many_values_on_every_line_are_reported_in_bounded_memory():
    data = b"Merchant ID,Quarter,Commission\n" + b"1,,,,5\n" * 200_000
    result, peak = measured(data, "ragged.csv")
    assert result.error_count == 200_000 and len(result.errors) == MAX_KEPT
    assert result.errors.iloc[0][["row", "value"]].tolist() == [2, "1,,,,5"]
    assert result.rows_read == 200_000 and result.rows.num_rows == 0
    assert peak < 30 << 20, f"{peak / 2**20:.0f} MB"


def test_the_issue_log_keeps_the_first_issues_in_report_order():
    log = IssueLog("b.csv", limit=4)
    log.add_rows(np.array([5, 6, 7]), "GMV", ["x", "y", "z"], "is not a number")
    log.add(3, "Quarter", "2025Q9", "is not a quarter")
    log.add_rows(np.array([2, 5, 9]), "Commission", "-1", "is negative")
    log.add(None, "quarter", "", "no quarter column", file="a.csv")
    log.add(4, "Region", "r" * 500, "is too long")
    listed = log.frame()
    assert listed[["file", "column"]].values.tolist() == [
        ["a.csv", "quarter"],
        ["b.csv", "Commission"],
        ["b.csv", "Quarter"],
        ["b.csv", "Region"],
    ]
    assert pd.isna(listed["row"].iloc[0]) and listed["row"].iloc[1:].tolist() == [2, 3, 4]
    assert listed["value"].iloc[3] == "r" * 100 + "… (500 characters)"
    assert log.total == 9 and log.summary()["rows"].tolist() == [3, 3, 1, 1, 1]
    assert some(["2", "3", "4", "5"], 20_000) == "2, 3, 4 and 19,997 more"
    assert some(["2", "4"], 2) == "2, 4"


# -- amounts, cells, columns ----------------------------------------------------------------------------


def test_amounts_above_1e15_are_errors_in_money_columns_and_left_empty_in_custom_metrics():
    header = [*HEADER, "Contract value", "Orders"]
    rows = [
        ["A", "2025Q3", "1.7e308", 1, 1, 1],  # read as a number by the CSV reader
        ["B", "2025Q3", 1, "$2,000,000,000,000,000", 1, 1],  # cleaned from text
        ["C", "2025Q3", 1, 1, "1e16", 1],
        ["D", "2025Q3", 1e15, 1e15, 1e15, "-3e+15"],  # the limit itself is accepted; the metric is left empty
    ]
    result = read_upload(csv_bytes([header, *rows]), "accounts.csv")
    reason = "the largest amount accepted: check the figure and the column it is in"
    errors = result.errors[result.errors["reason"].str.contains(reason, regex=False)]
    assert errors[["row", "column", "value"]].values.tolist() == [
        [2, "Commission", "1.7e308"],
        [3, "GMV", "$2,000,000,000,000,000"],
        [4, "Contract value", "1e16"],
    ]
    assert result.panel.index.tolist() == [5]
    assert result.panel.loc[5, ["platform_revenue", "b_side_revenue", "contract_value"]].tolist() == [1e15] * 3
    assert pd.isna(result.panel.loc[5, "orders"])
    left_empty = result.warnings[result.warnings["column"] == "Orders"]
    assert left_empty[["row", "value"]].values.tolist() == [[5, "-3e+15"]]
    assert reason in left_empty["reason"].iloc[0] and left_empty["reason"].iloc[0].endswith("; left empty")


def test_amounts_above_1e15_in_a_workbook_are_errors():
    book = openpyxl.Workbook()
    for row in [HEADER, ["A", "2025Q3", 1.7e308, 1], ["B", "2025Q3", 1, 2]]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    result = read_upload(out.getvalue(), "accounts.xlsx")
    assert result.errors[["row", "column"]].values.tolist() == [[2, "Commission"]]
    assert "the largest amount accepted" in result.errors["reason"].iloc[0]
    assert result.panel["account_id"].tolist() == ["B"]


@pytest.mark.parametrize(("column", "cell"), [(0, "A" * 1_001), (1, "n" * 5_000_000)], ids=["id", "5 MB name"])
def test_a_text_cell_longer_than_1000_characters_is_an_error_showing_its_start(column, cell):
    header = ["Merchant ID", "Merchant name", "Quarter", "Commission"]
    first = ["A", "Acme", "2025Q3", 1]
    first[column] = cell
    result = read_upload(csv_bytes([header, first, ["B", "Beta", "2025Q3", 2]]), "accounts.csv")
    assert result.errors[["row", "column"]].values.tolist() == [[2, header[column]]]
    shown = result.errors["value"].iloc[0]
    assert shown == cell[:100] + f"… ({len(cell):,} characters)"
    assert result.errors["reason"].iloc[0].startswith("is longer than 1,000 characters, the most a text cell may hold")
    assert result.panel["account_id"].tolist() == ["B"]


def test_a_text_cell_of_1000_characters_is_accepted():
    name = "n" * contract.MAX_TEXT_CHARS
    header = ["Merchant ID", "Merchant name", "Quarter", "Commission"]
    result = read_upload(csv_bytes([header, ["A", name, "2025Q3", 1]]), "accounts.csv")
    assert result.ok and result.panel["account_name"].tolist() == [name]


def test_reasons_never_repeat_a_long_value():
    quarter = "Q" * 10_000
    result = read_upload(csv_bytes([HEADER, ["A", quarter, 1, 1]]), "accounts.csv")
    assert result.errors[["column", "reason"]].values.tolist() == [
        ["Quarter", "is not a quarter; write it as 2025Q3, Q3 2025 or a date"]
    ]
    assert len(result.errors["value"].iloc[0]) < 200


def test_an_upload_keeps_at_most_200_custom_metrics_the_users_choices_first():
    metrics = [f"m{i}" for i in range(300)]
    data = csv_bytes([["Merchant ID", "Quarter", "Commission", *metrics], ["A", "2025Q3", 1, *range(300)]])
    result = read_upload(data, "wide.csv")
    kept = result.rows.column_names[1 + len(contract.NAMES) :]
    assert result.ok and kept == metrics[: contract.MAX_CUSTOM_METRICS]
    left_out = result.warnings[result.warnings["reason"].str.contains("already has the 200 custom metrics")]
    assert left_out["column"].tolist() == metrics[200:]
    assert left_out["reason"].iloc[0].startswith("is numeric, but the file already has the 200 custom metrics")
    mapping = result.mapping.set_index("source")
    assert mapping.loc["m250", ["kind", "how"]].tolist() == [
        "ignored",
        "beyond the 200 custom metrics an upload may add",
    ]

    chosen = read_upload(data, "wide.csv", mapping={"m299": CUSTOM})
    kept = chosen.rows.column_names[1 + len(contract.NAMES) :]
    assert "m299" in kept and "m199" not in kept and len(kept) == 200


# -- workbooks: refused from their zip directory and a scan of their cells, before parsing ---------------


def test_a_workbook_with_a_400_mb_shared_string_is_refused_before_parsing(tmp_path):
    """Regression: a 400 KB workbook whose one shared string unpacks to 400 MB was accepted (a
    400 MB account id), after 2 GB and 5 s. Now its zip directory refuses it."""
    workbooks.with_a_long_id(tmp_path / "huge.xlsx", 400)
    data = (tmp_path / "huge.xlsx").read_bytes()
    assert len(data) < 1 << 20
    started = time.perf_counter()
    result, peak = measured(data, "huge.xlsx")
    assert time.perf_counter() - started < 5
    assert result.file_errors["reason"].tolist() == [
        "The workbook unpacks to 400 MB, more than the 256 MB a workbook may: save the sheet as CSV UTF-8 (File → "
        "Save As) and upload the CSV, which has no such limit, or split the export by region or quarter."
    ]
    assert peak < 20 << 20, f"{peak / 2**20:.0f} MB"


def test_a_workbook_with_more_cells_than_the_limit_is_refused_before_parsing(monkeypatch):
    book = openpyxl.Workbook()
    book.active.append(["Merchant ID", "Quarter", "Commission"])
    for i in range(59):
        book.active.append([f"M{i}", "2025Q3", i])  # 180 cells, with the header
    out = io.BytesIO()
    book.save(out)
    monkeypatch.setattr(workbook_size, "XLSX_CELLS", 200)
    assert read_upload(out.getvalue(), "accounts.xlsx").file_errors.empty
    monkeypatch.setattr(workbook_size, "XLSX_CELLS", 150)
    result = read_upload(out.getvalue(), "accounts.xlsx")
    assert (
        result.file_errors["reason"]
        .iloc[0]
        .startswith("The workbook's sheets hold more than 150 cells, the most a workbook is read with")
    )


def test_a_workbook_unpacking_beyond_the_limit_is_refused(tmp_path, monkeypatch):
    workbooks.with_a_long_id(tmp_path / "big.xlsx", 3)
    data = (tmp_path / "big.xlsx").read_bytes()
    monkeypatch.setattr(workbook_size, "XLSX_UNPACKED_MB", 2)
    result = read_upload(data, "big.xlsx")
    assert result.file_errors["reason"].iloc[0].startswith("The workbook unpacks to 3 MB, more than the 2 MB")


def test_a_workbook_whose_sheet_data_is_damaged_is_refused_as_damaged():
    """Regression (found by the fuzzed workbooks): deflated data that cannot be inflated raised
    zlib.error while the cells were counted, before openpyxl could say the file is damaged."""
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["account_id", "quarter", "platform_revenue"])
    book.active.append(["A1", "2025Q3", 10])
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    sheet = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = sheet.header_offset + 30 + len(sheet.filename.encode()) + len(sheet.extra)
    data[start] = 0xFF  # a deflate block of the reserved type 3: "invalid block type"
    result = read_upload(bytes(data), "accounts.xlsx")
    assert result.file_errors["reason"].str.contains("The workbook cannot be opened").all()
    assert len(result.file_errors) == 1


def test_cells_are_counted_whatever_the_prefix_and_across_chunks():
    sheet = b"<x:sheetData>" + b'<x:row r="1"><x:c r="B1"><x:v>1</x:v></x:c><c/></x:row>' * 40_000 + b"</x:sheetData>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<cols><col/></cols>" + sheet)
    with zipfile.ZipFile(out) as archive:
        found = workbook_size.scan(archive, archive.getinfo("xl/worksheets/sheet1.xml"), 10**9, 10**9)
    assert (found.cells, found.rows, found.widest, found.text) == (80_000, 40_000, 2, 40_000)


def test_a_sheet_stored_under_another_name_has_its_cells_counted(tmp_path, monkeypatch):
    """Regression: a sheet stored as ``xl/data/sheet1.xml`` (the workbook's own references name
    it, and openpyxl follows them) was not counted: 1,000,000 rows were read, in 38 s and 471 MB."""
    workbooks.with_rows(tmp_path / "elsewhere.xlsx", 99, sheet_at="xl/data/sheet1.xml")
    data = (tmp_path / "elsewhere.xlsx").read_bytes()
    monkeypatch.setattr(workbook_size, "XLSX_CELLS", 300)
    assert read_upload(data, "accounts.xlsx").panel["account_id"].size == 99
    monkeypatch.setattr(workbook_size, "XLSX_CELLS", 299)
    reason = read_upload(data, "accounts.xlsx").file_errors["reason"].iloc[0]
    assert reason.startswith("The workbook's sheets hold more than 299 cells, the most a workbook is read with")


@pytest.mark.parametrize(
    "write",
    [
        lambda path: workbooks.with_a_long_id(path, 2, strings_at="xl/strs.xml"),
        lambda path: workbooks.with_a_long_inline_id(path, 2),
    ],
    ids=["shared string stored elsewhere", "inline string"],
)
def test_a_text_of_more_than_1_mb_is_refused_wherever_it_is_stored(tmp_path, write):
    """Regression: a 250 MB account id, as a shared string in a part named ``xl/strs.xml`` (1.8 GB
    at peak) or written in the sheet itself (1.5 GB, and 1.3 GB kept), was read. Now a run of text
    longer than 1 MB (more than any cell can hold) is refused, across the scan's 1 MB chunks."""
    write(tmp_path / "long.xlsx")
    result, peak = measured((tmp_path / "long.xlsx").read_bytes(), "long.xlsx")
    assert result.file_errors["reason"].tolist() == [
        "The workbook holds a text of more than 1 MB, the most a workbook is read with (a cell holds at most 32,767 "
        "characters): some cell holds an enormous text, or the file is damaged. Check the file, then save the sheet "
        "as CSV UTF-8 (File → Save As) and upload the CSV, which has no such limit, or split the export by region or "
        "quarter."
    ]
    assert peak < 20 << 20, f"{peak / 2**20:.0f} MB"


def test_the_text_of_a_workbook_is_counted_in_every_part(tmp_path, monkeypatch):
    """Texts each under 1 MB add up: 60 of them in a part named ``xl/strs.xml`` took 400 MB."""
    texts = [f"{i}{'A' * 900_000}" for i in range(3)]

    def shared_strings(member):
        member.write(workbooks.strings(["Merchant ID", "Quarter", "Commission", "2025Q3", *texts]))

    sheet = workbooks.SHEET_START + workbooks.row(1, ["s0", "s1", "s2"]) + workbooks.SHEET_END
    workbooks.write_workbook(tmp_path / "texts.xlsx", sheet, shared_strings, strings_at="xl/strs.xml")
    data = (tmp_path / "texts.xlsx").read_bytes()
    monkeypatch.setattr(workbook_size, "XLSX_TEXT_MB", 3)
    assert workbook_size.problem(data) is None
    monkeypatch.setattr(workbook_size, "XLSX_TEXT_MB", 2)
    assert workbook_size.problem(data).startswith(
        "The workbook's text (the values of its cells, wherever they are stored) unpacks to more than 2 MB"
    )


def test_rows_reaching_column_xfd_count_16_384_cells_each(tmp_path):
    """Regression: rows holding cells in A, B, C and XFD were counted as 4 cells, while openpyxl
    yields every row padded to 16,384 (a 167 KB file took 29 s and 2 GB)."""
    workbooks.with_rows(tmp_path / "far.xlsx", 10_000, last_column=True)
    started = time.perf_counter()
    result, peak = measured((tmp_path / "far.xlsx").read_bytes(), "far.xlsx")
    assert time.perf_counter() - started < 15  # 29 s before the fix; well under 1 s on an idle machine
    reason = result.file_errors["reason"].iloc[0]
    assert reason.startswith(
        "The workbook's sheets hold more than 2,000,000 cells, the most a workbook is read with (about 200,000 "
        "rows of 10 columns; a row counts up to its last cell, so a value far to the right counts on every row)"
    )
    assert peak < 20 << 20, f"{peak / 2**20:.0f} MB"
    workbooks.with_rows(tmp_path / "few.xlsx", 100, last_column=True)  # 101 x 16,384 cells: read
    assert read_upload((tmp_path / "few.xlsx").read_bytes(), "few.xlsx").panel["account_id"].size == 100


@pytest.mark.parametrize(
    ("sheet", "holds"),
    [
        ('<?xml version="1.0" encoding="UTF-16"?><worksheet/>'.encode("utf-16"), "is in UTF-16"),
        (b'<!DOCTYPE worksheet [<!ENTITY a "AAAAAAAAAA">]><worksheet/>', "holds a DTD or CDATA section"),
        (b"<worksheet><![CDATA[A<A<A]]></worksheet>", "holds a DTD or CDATA section"),
    ],
    ids=["UTF-16", "DTD", "CDATA"],
)
def test_xml_that_excel_never_writes_is_refused(tmp_path, sheet, holds):
    """openpyxl reads a sheet in UTF-16 (where no tag is seen by the scan), entities (a text that
    expands) and CDATA (a text holding ``<``): a workbook holding them is refused."""
    workbooks.write_workbook(tmp_path / "odd.xlsx", sheet, workbooks.strings([]))
    assert workbook_size.problem((tmp_path / "odd.xlsx").read_bytes()) == (
        f"The workbook's part 'xl/worksheets/sheet1.xml' {holds}, which Excel never writes: it was made by another "
        "program, or is damaged. Open it in Excel, save it again as .xlsx, and upload the new file, or save the sheet "
        "as CSV UTF-8."
    )


# -- the upload limit ---------------------------------------------------------------------------------------


def test_a_file_over_the_upload_limit_is_named_with_its_size_and_what_to_do():
    assert upload_too_large("q3.csv", UPLOAD_LIMIT_MB << 20) is None
    assert upload_too_large("q3.csv", (UPLOAD_LIMIT_MB << 20) + 1) == (
        "q3.csv is 50.0 MB, more than the 50 MB a data file may hold, so it was not read. Split the export by region "
        "or quarter and upload the parts: files uploaded together are committed together."
    )
