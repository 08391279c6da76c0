"""Upload ingest (DESIGN §3, §7): one small file per rule, with expectations checkable by hand.

Rows are numbered as a spreadsheet shows them: the header is row 1 (or lower, under title rows),
so the first data row under a one-line header is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from b2b_core import contract
from b2b_core.ingest import CUSTOM, IGNORE, ISSUE_COLUMNS, Choices, IngestResult, combine, read_upload
from b2b_core.ingest.left_out import accounts_left_out
from tests import messy_exports

DATA = Path(__file__).resolve().parents[1] / "data"
HEADERS = {"account_id": "Merchant ID", "quarter": "Quarter", "platform_revenue": "Commission", "b_side_revenue": "GMV"}


# -- helpers -----------------------------------------------------------------------------------


def csv_bytes(rows: list[list[object]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """Rows → CSV bytes (quoted where needed, ``\\n`` line ends)."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(*sheets: tuple[str, list[list[object]]], merge: dict[str, str] | None = None) -> bytes:
    """Sheets ``(title, rows)`` → the bytes of an .xlsx workbook; ``merge`` maps a sheet to a cell range."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge and title in merge:
            sheet.merge_cells(merge[title])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def issues(frame: pd.DataFrame) -> list[tuple[int | None, str, str]]:
    """``(row, column, value)`` of every issue; row None for a problem of the whole file."""
    return [(None if pd.isna(r) else int(r), c, v) for r, c, v in zip(frame["row"], frame["column"], frame["value"])]


def reason(frame: pd.DataFrame, row: int | None, column: str) -> str:
    """The one reason given for ``row`` (None: the whole file) and ``column``."""
    where = frame["row"].isna() if row is None else frame["row"] == row
    found = frame.loc[where & (frame["column"] == column), "reason"].tolist()
    assert len(found) == 1, (row, column, frame)
    return found[0]


def one_value(cell: str, header: str = "Commission") -> IngestResult:
    """A two-row file: account A has ``cell`` in ``header``; account B is clean."""
    headers = ["Merchant ID", "Quarter", "Commission", "GMV"]
    rows = [["A", "2025Q3", "10", "100"], ["B", "2025Q3", "5", "50"]]
    rows[0][headers.index(header)] = cell
    return read_upload(csv_bytes([headers, *rows]), "accounts.csv")


BASIC = csv_bytes([["Merchant ID", "Quarter", "Commission", "GMV"], ["A", "2025Q3", 10, 100], ["B", "2025Q3", 0, 5]])


# -- reading files: delimiters, encodings --------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")], ids=str
)
def test_delimiters(delimiter, name):
    data = csv_bytes(
        [["Merchant ID", "Quarter", "Commission", "GMV"], ["A", "2025Q3", "10", "100"], ["B", "2025Q3", "0", "5"]],
        delimiter=delimiter,
    )
    result = read_upload(data, "accounts.csv")
    assert result.ok and result.warnings.empty
    assert f"{name}-separated" in result.description
    assert result.panel["account_id"].tolist() == ["A", "B"]
    assert result.panel["platform_revenue"].tolist() == [10.0, 0.0]
    assert result.panel["b_side_revenue"].tolist() == [100.0, 5.0]


def test_utf8_keeps_accents_and_chinese():
    data = csv_bytes([["Merchant ID", "Merchant name", "Quarter", "Commission"], ["A", "Café 北京", "2025Q3", "1"]])
    result = read_upload(data, "accounts.csv")
    assert "UTF-8" in result.description
    assert result.panel.loc[2, "account_name"] == "Café 北京"


def test_utf8_bom_is_not_part_of_the_first_header():
    data = b"\xef\xbb\xbf" + BASIC
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert "UTF-8 with BOM" in result.description
    assert result.mapping["source"].tolist()[0] == "Merchant ID"
    assert result.mapping["target"].tolist()[0] == "account_id"


def test_gbk_chinese_headers():
    data = "商户ID,平台收入,商户收入,季度\nM1,10,100,2025年第3季度\nM2,0,5.5,2025年Q3\n".encode("gbk")
    result = read_upload(data, "商户.csv")
    assert result.ok and result.warnings.empty
    assert "GBK" in result.description
    assert dict(zip(result.mapping["source"], result.mapping["target"])) == {
        "商户ID": "account_id",
        "平台收入": "platform_revenue",
        "商户收入": "b_side_revenue",
        "季度": "quarter",
    }
    assert result.panel["quarter"].tolist() == ["2025Q3", "2025Q3"]
    assert result.panel["b_side_revenue"].tolist() == [100.0, 5.5]


def test_latin1():
    data = "Merchant ID;Merchant name;Quarter;Commission\nA;Café Müller;2025Q3;12,50\n".encode("latin-1")
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert "Latin-1" in result.description
    assert result.panel.loc[2, "account_name"] == "Café Müller"
    assert result.panel.loc[2, "platform_revenue"] == 12.5  # decimal comma, as such files write it


def test_utf16_with_bom():
    result = read_upload(BASIC.decode().encode("utf-16"), "accounts.csv")
    assert result.ok and "UTF-16" in result.description
    assert result.panel["platform_revenue"].tolist() == [10.0, 0.0]


def test_crlf_line_ends_and_no_final_newline():
    result = read_upload(BASIC.replace(b"\n", b"\r\n").rstrip(), "accounts.csv")
    assert result.ok
    assert result.panel["b_side_revenue"].tolist() == [100.0, 5.0]


def test_blank_rows_are_skipped_and_row_numbers_kept():
    data = b"Merchant ID,Quarter,Commission\nA,2025Q3,1\n\nB,2025Q3,2\n,,\nC,2025Q3,-3\n"
    result = read_upload(data, "accounts.csv")
    assert result.rows_read == 3
    assert result.panel.index.tolist() == [2, 4]
    assert issues(result.errors) == [(6, "Commission", "-3")]


def test_title_rows_above_a_csv_header():
    data = b"Merchant report\nExported 2025-10-02\n\nMerchant ID,Quarter,Commission\nA,2025Q3,1\nB,2025Q3,x\n"
    result = read_upload(data, "accounts.csv")
    assert "header on row 4, 3 title rows skipped" in result.description
    assert result.panel.index.tolist() == [5]
    assert issues(result.errors) == [(6, "Commission", "x")]


# -- workbooks -------------------------------------------------------------------------------------

TWO_SHEETS = xlsx_bytes(
    ("North", [["Merchant ID", "Quarter", "Commission", "GMV"], ["A", "2025Q3", 10, 100]]),
    ("South", [["Store ID", "Period", "Fees", "Sales"], ["S1", "2025Q4", 2.5, 40], ["S2", "2025Q4", 0, 0]]),
)


def test_xlsx_of_sheets_alike_opens_the_one_with_more_rows():
    result = read_upload(TWO_SHEETS, "regions.xlsx")
    assert result.ok
    assert result.sheets == ["North", "South"] and result.sheet == "South"
    assert result.description.startswith("Excel sheet 'South' (2 sheets)")
    assert result.sheet_note == (
        "proposed as the sheet most like an account export: 4 headers of the data contract, an account id, 3 rows"
    )
    first = read_upload(TWO_SHEETS, "regions.xlsx", sheet="North")
    assert first.panel[["account_id", "quarter", "platform_revenue", "b_side_revenue"]].to_dict("records") == [
        {"account_id": "A", "quarter": "2025Q3", "platform_revenue": 10.0, "b_side_revenue": 100.0}
    ]
    assert first.sheet == "North" and first.sheet_note == ""


def test_a_workbook_opening_on_a_summary_sheet_proposes_the_accounts_sheet():
    summary = [["Region", "Accounts", "Revenue"], ["North", 120, 5000], ["South", 80, 3000]]
    accounts = [["Merchant ID", "Merchant", "Quarter", "Commission", "GMV"]]
    accounts += [[f"M{i}", f"Shop {i}", "2025Q3", i, 10 * i] for i in range(1, 6)]
    result = read_upload(xlsx_bytes(("Summary", summary), ("Accounts", accounts)), "export.xlsx")
    assert result.sheet == "Accounts" and result.ok and len(result.panel) == 5
    assert "5 headers of the data contract, an account id" in result.sheet_note
    summary_only = read_upload(xlsx_bytes(("Summary", summary), ("Accounts", accounts)), "export.xlsx", sheet="Summary")
    assert summary_only.sheet == "Summary"  # the user can still switch


def test_xlsx_sheet_choice():
    result = read_upload(TWO_SHEETS, "regions.xlsx", sheet="South")
    assert result.ok
    assert result.panel["account_id"].tolist() == ["S1", "S2"]
    assert result.panel["platform_revenue"].tolist() == [2.5, 0.0]
    assert result.panel["quarter"].tolist() == ["2025Q4", "2025Q4"]


def test_xlsx_unknown_sheet_is_an_error_listing_the_sheets():
    result = read_upload(TWO_SHEETS, "regions.xlsx", sheet="East")
    assert not result.ok and not result.can_commit_valid_rows
    assert issues(result.errors) == [(None, "", "")]
    assert (
        result.errors["reason"][0]
        == "The workbook has no sheet named 'East'; its sheets are: North, South. Choose one of them."
    )
    assert result.panel.empty


def test_xlsx_title_rows_skipped_and_rows_numbered_as_in_the_sheet():
    data = xlsx_bytes(
        (
            "Report",
            [
                ["Merchant report"],
                ["Exported 2025-10-02"],
                [],
                ["Merchant ID", "Quarter", "Commission"],
                ["A", "2025Q3", 10],
                [None, None, None],
                ["B", "2025Q3", -1],
            ],
        )
    )
    result = read_upload(data, "report.xlsx")
    assert result.description == "Excel sheet 'Report' (1 sheet), header on row 4, 3 title rows skipped"
    assert result.panel.index.tolist() == [5]
    assert issues(result.errors) == [(7, "Commission", "-1")]
    assert result.rows_read == 2


def test_xlsx_cell_types_become_contract_values():
    data = xlsx_bytes(
        (
            "S",
            [
                ["Merchant ID", "Quarter", "Commission", "GMV", "Active", "Contract end"],
                [1001, dt.datetime(2025, 8, 15), 10.25, 1e6, True, dt.datetime(2026, 3, 31)],
                ["B", dt.date(2025, 9, 30), 0, 0, False, None],
            ],
        )
    )
    result = read_upload(data, "s.xlsx")
    assert result.ok
    panel = result.panel
    assert panel["account_id"].tolist() == ["1001", "B"]  # a numeric id is text, without ".0"
    assert panel["quarter"].tolist() == ["2025Q3", "2025Q3"]
    assert panel["platform_revenue"].tolist() == [10.25, 0.0]
    assert panel["b_side_revenue"].tolist() == [1e6, 0.0]
    assert panel["active"].tolist() == [True, False]
    assert panel.loc[2, "contract_end"] == pd.Timestamp("2026-03-31") and pd.isna(panel.loc[3, "contract_end"])


def test_xlsx_formulas_are_never_evaluated():
    data = xlsx_bytes(("S", [["Merchant ID", "Quarter", "Commission", "GMV"], ["A", "2025Q3", "=1+2", 5]]))
    result = read_upload(data, "s.xlsx")
    assert issues(result.errors) == [(2, "Commission", "=1+2")]
    assert "formula" in result.errors["reason"][0]


# -- headers ---------------------------------------------------------------------------------------


def file_with_header(target: str, header: str) -> bytes:
    headers = dict(HEADERS) | {target: header}
    return csv_bytes([list(headers.values()), ["A", "2025Q3", "10", "100"]])


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("GMV", "b_side_revenue"),
        ("Sales", "b_side_revenue"),
        ("Merchant revenue", "b_side_revenue"),
        ("商户收入", "b_side_revenue"),
        ("Commission", "platform_revenue"),
        ("Fees", "platform_revenue"),
        ("Take", "platform_revenue"),
        ("平台收入", "platform_revenue"),
        ("Merchant ID", "account_id"),
        ("Store ID", "account_id"),
        ("Customer ID", "account_id"),
        ("Partner ID", "account_id"),
        ("商户ID", "account_id"),
        ("Period", "quarter"),
        ("季度", "quarter"),
    ],
)
def test_header_synonyms(header, target):
    result = read_upload(file_with_header(target, header), "accounts.csv")
    assert result.ok
    row = result.mapping.set_index("source").loc[header]
    assert (row["target"], row["kind"], row["confidence"]) == (target, "contract", 1.0)
    expected = {"account_id": "A", "quarter": "2025Q3", "platform_revenue": 10.0, "b_side_revenue": 100.0}[target]
    assert result.panel.loc[2, target] == expected


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("MERCHANT ID", "account_id"),
        ("merchant_id", "account_id"),
        ("Merchant-Id", "account_id"),
        ("  merchant   id ", "account_id"),
        ("Merchant.ID", "account_id"),
        ("g.m.v.", "b_side_revenue"),
        ("GMV (USD)", "b_side_revenue"),
        ("COMMISSION", "platform_revenue"),
        ("commission [¥]", "platform_revenue"),
        ("ＧＭＶ", "b_side_revenue"),  # full-width letters
    ],
)
def test_headers_compare_ignoring_case_space_and_punctuation(header, target):
    result = read_upload(file_with_header(target, header), "accounts.csv")
    assert result.ok
    mapped = dict(zip(result.mapping["source"], result.mapping["target"]))
    assert mapped[header.strip()] == target  # the file's header, as shown to the user


def test_suggestion_confidence_is_lower_for_partial_and_generic_names():
    data = csv_bytes([["ID", "Quarter", "Total commission", "Revenue"], ["A", "2025Q3", "1", "2"]])
    result = read_upload(data, "accounts.csv")
    mapping = result.mapping.set_index("source")
    assert (mapping.loc["ID", "target"], mapping.loc["ID", "confidence"]) == ("account_id", 0.6)
    assert (mapping.loc["Total commission", "target"], mapping.loc["Total commission", "confidence"]) == (
        "platform_revenue",
        0.8,
    )
    # "Revenue" also suggests platform revenue, which a more confident column already feeds
    assert mapping.loc["Revenue", "kind"] == "custom metric"
    assert "also looks like platform_revenue" in reason(result.warnings, None, "Revenue")


def test_user_mapping_overrides_suggestions():
    data = csv_bytes([["Code", "Merchant ID", "Quarter", "Commission", "GMV"], ["X1", "Acme", "2025Q3", "1", "9"]])
    result = read_upload(data, "accounts.csv", mapping={"Code": "account_id", "Merchant ID": "account_name"})
    assert result.ok
    mapping = result.mapping.set_index("source")
    assert mapping.loc["Code"].tolist() == ["account_id", "contract", 1.0, "your choice"]
    assert mapping.loc["Merchant ID"].tolist() == ["account_name", "contract", 1.0, "your choice"]
    assert (result.panel.loc[2, "account_id"], result.panel.loc[2, "account_name"]) == ("X1", "Acme")


def test_user_mapping_ignore_and_none_leave_columns_out():
    data = csv_bytes([["Merchant ID", "Quarter", "Commission", "GMV", "Orders"], ["A", "2025Q3", "1", "9", "3"]])
    result = read_upload(data, "accounts.csv", mapping={"GMV": IGNORE, "Orders": None})
    assert result.ok
    mapping = result.mapping.set_index("source")
    assert mapping.loc["GMV", "kind"] == "ignored" and mapping.loc["Orders", "kind"] == "ignored"
    assert np.isnan(result.panel.loc[2, "b_side_revenue"])
    assert "orders" not in result.panel.columns
    assert "no B-side revenue column" in reason(result.warnings, None, "b_side_revenue")


def test_user_mapping_custom_keeps_a_column_as_a_metric():
    data = csv_bytes(
        [["Merchant ID", "Quarter", "Commission", "Tickets #"], ["A", "2025Q3", "1", "4"], ["B", "2025Q3", "2", "lots"]]
    )
    result = read_upload(data, "accounts.csv", mapping={"Tickets #": CUSTOM})
    assert result.ok  # a bad custom metric value is a warning: the metric is left empty for that row
    assert result.mapping.set_index("source").loc["Tickets #", "target"] == "tickets"
    assert result.panel["tickets"].tolist()[0] == 4.0 and np.isnan(result.panel["tickets"].tolist()[1])
    assert issues(result.warnings)[-1] == (3, "Tickets #", "lots")
    assert reason(result.warnings, 3, "Tickets #").endswith("left empty")


def test_user_mapping_to_an_unknown_target_is_a_programming_error():
    with pytest.raises(ValueError, match="not a contract column"):
        read_upload(BASIC, "accounts.csv", mapping={"GMV": "gross_value"})


def test_unmapped_numeric_column_is_kept_as_a_custom_metric():
    data = csv_bytes(
        [
            ["Merchant ID", "Quarter", "Commission", "Active users (#)"],
            ["A", "2025Q3", "1", "1,200"],
            ["B", "2025Q3", "2", "30"],
        ]
    )
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert result.mapping.set_index("source").loc["Active users (#)"].tolist() == [
        "active_users",
        "custom metric",
        1.0,
        "numeric column",
    ]
    assert result.panel["active_users"].tolist() == [1200.0, 30.0]
    assert result.panel["active_users"].dtype == "float64"


def test_unmapped_text_column_is_left_out_with_a_warning():
    data = csv_bytes([["Merchant ID", "Quarter", "Commission", "GMV", "Note"], ["A", "2025Q3", "1", "2", "call back"]])
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert issues(result.warnings) == [(None, "Note", "")]
    assert "not numeric: left out" in result.warnings["reason"][0]
    assert "note" not in result.panel.columns
    assert result.mapping.set_index("source").loc["Note", "kind"] == "ignored"


# -- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1234.5", 1234.5),
        ("1,234.50", 1234.5),
        ("¥1,234.50", 1234.5),
        ("￥1234.5", 1234.5),
        ("$1,234.50", 1234.5),
        ("€ 1234.50", 1234.5),
        ("£1234.5", 1234.5),
        ("USD 1,234.50", 1234.5),
        ("1234.5 RMB", 1234.5),
        ("1 234.50", 1234.5),
        ("1\u00a0234.50", 1234.5),  # non-breaking space as thousands separator
        (" 1234.5 ", 1234.5),
        ("0", 0.0),
    ],
)
def test_numbers_are_cleaned(cell, value):
    result = one_value(cell)
    assert result.ok and result.warnings.empty
    assert result.panel.loc[2, "platform_revenue"] == value


@pytest.mark.parametrize(
    ("cell", "phrase"),
    [
        ("(123)", "is negative"),
        ("-5", "is negative"),
        ("12%", "is a percentage"),
        ("#N/A", "Excel error value"),
        ("#DIV/0!", "Excel error value"),
        ("#VALUE!", "Excel error value"),
        ("abc", "is not a number"),
        ("12 apples", "is not a number"),
        ("1e999", "not a finite number"),
        ("=A1*2", "spreadsheet formula"),
    ],
)
def test_numbers_that_cannot_be_cleaned_are_row_errors(cell, phrase):
    result = one_value(cell)
    assert issues(result.errors) == [(2, "Commission", cell)]
    assert phrase in result.errors["reason"][0]
    assert result.panel.index.tolist() == [3]  # the row with the error is left out, B stays
    assert result.can_commit_valid_rows and result.rows_left_out == 1


@pytest.mark.parametrize(
    ("cell", "phrase"),
    [("n/a", "placeholder"), ("N/A", "placeholder"), ("-", "placeholder"), ("nan", "placeholder"), ("", "empty")],
)
def test_blank_and_placeholder_revenue_is_zero_with_a_warning(cell, phrase):
    result = one_value(cell)
    assert result.ok
    assert result.panel.loc[2, "platform_revenue"] == 0.0
    assert issues(result.warnings) == [(2, "Commission", cell)]
    assert phrase in result.warnings["reason"][0] and "read as 0" in result.warnings["reason"][0]


def test_percent_in_a_custom_metric_is_a_fraction():
    data = csv_bytes(
        [
            ["Merchant ID", "Quarter", "Commission", "Conversion"],
            ["A", "2025Q3", "1", "12%"],
            ["B", "2025Q3", "2", "50.5%"],
        ]
    )
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert result.panel["conversion"].tolist() == pytest.approx([0.12, 0.505])


def test_decimal_comma_column():
    data = b'Merchant ID,Quarter,Commission,GMV\nA,2025Q3,"1.234,50","1,234.50"\nB,2025Q3,"12,5",7\nC,2025Q3,7,8\n'
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert result.panel["platform_revenue"].tolist() == [1234.5, 12.5, 7.0]  # written with decimal commas
    assert result.panel["b_side_revenue"].tolist() == [1234.5, 7.0, 8.0]  # the other column is not


def test_text_in_revenue_is_an_error_with_the_value():
    result = one_value("about 5k", header="GMV")
    assert issues(result.errors) == [(2, "GMV", "about 5k")]
    assert result.errors["reason"][0] == "is not a number: write the amount in digits, e.g. 1234.50"


def test_problems_in_a_custom_metric_are_warnings_and_leave_it_empty():
    data = csv_bytes(
        [["Merchant ID", "Quarter", "Commission", "Orders"]]
        + [["A", "2025Q3", "1", "#N/A"], ["B", "2025Q3", "1", "1e999"], ["C", "2025Q3", "1", "nan"]]
        + [[f"D{i}", "2025Q3", "1", str(i)] for i in range(6)]
    )
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert issues(result.warnings)[1:] == [(2, "Orders", "#N/A"), (3, "Orders", "1e999")]
    assert result.panel["orders"].iloc[:3].isna().all()  # never NaN-as-a-value or infinity
    assert result.panel["orders"].iloc[3:].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


# -- quarters --------------------------------------------------------------------------------------


def test_quarter_column_accepts_every_form():
    forms = [
        "2025Q3",
        "2025-Q3",
        "Q3 2025",
        "2025 Q3",
        "2025年第3季度",
        "2025年Q3",
        "2025-08-15",
        "15/08/2025",
        "2025/8",
    ]
    data = csv_bytes([["Merchant ID", "Quarter", "Commission"], *[[f"A{i}", q, "1"] for i, q in enumerate(forms)]])
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert result.panel["quarter"].tolist() == ["2025Q3"] * len(forms)
    assert result.quarters == ["2025Q3"]


def test_bad_quarters_are_row_errors():
    data = csv_bytes(
        [
            ["Merchant ID", "Quarter", "Commission"],
            ["A", "03/04/2025", "1"],
            ["B", "2025Q5", "1"],
            ["C", "", "1"],
            ["D", "2025Q1", "1"],
        ]
    )
    result = read_upload(data, "accounts.csv")
    assert issues(result.errors) == [(2, "Quarter", "03/04/2025"), (3, "Quarter", "2025Q5"), (4, "Quarter", "")]
    assert "reads as 2025Q1 or 2025Q2" in reason(result.errors, 2, "Quarter")
    assert result.panel.index.tolist() == [5]


def test_quarter_argument_for_a_file_without_a_quarter_column():
    data = b"Merchant ID,Commission\nA,1\n"
    result = read_upload(data, "accounts.csv", quarter="Q3 2025")
    assert result.ok
    assert result.panel["quarter"].tolist() == ["2025Q3"]
    assert "quarter" not in result.warnings["column"].tolist()


def test_quarter_taken_from_the_file_name_with_a_warning():
    result = read_upload(b"Merchant ID,Commission\nA,1\n", "merchants_2025-Q4.csv")
    assert result.ok
    assert result.panel["quarter"].tolist() == ["2025Q4"]
    assert (None, "quarter", "2025Q4") in issues(result.warnings)
    assert "taken from the file name" in reason(result.warnings, None, "quarter")


def test_no_quarter_anywhere_is_a_file_error():
    result = read_upload(b"Merchant ID,Commission\nA,1\n", "merchants.csv")
    assert not result.ok and not result.can_commit_valid_rows
    assert issues(result.file_errors) == [(None, "quarter", "")]
    assert "choose the quarter this file covers" in result.errors["reason"][0]


def test_quarter_argument_that_is_no_quarter_is_a_file_error():
    result = read_upload(b"Merchant ID,Commission\nA,1\n", "merchants.csv", quarter="2025Q9")
    assert issues(result.file_errors) == [(None, "quarter", "2025Q9")]


def test_quarter_column_wins_over_the_argument_with_a_warning():
    result = read_upload(b"Merchant ID,Quarter,Commission\nA,2025Q1,1\n", "accounts.csv", quarter="2025Q3")
    assert result.ok
    assert result.panel["quarter"].tolist() == ["2025Q1"]
    assert (None, "Quarter", "2025Q3") in issues(result.warnings)
    assert "chosen quarter was not used" in reason(result.warnings, None, "Quarter")


# -- validation ------------------------------------------------------------------------------------


def test_missing_required_column_is_a_file_error_naming_the_columns_found():
    result = read_upload(b"Merchant ID,Quarter,GMV\nA,2025Q3,100\n", "accounts.csv")
    assert not result.ok and not result.can_commit_valid_rows
    assert issues(result.file_errors) == [(None, "platform_revenue", "")]
    message = result.errors["reason"][0]
    assert "no column holds platform_revenue" in message
    assert "the columns are: Merchant ID, Quarter, GMV" in message
    assert "Map one of them to platform_revenue" in message


def test_without_b_side_revenue_the_file_is_accepted_with_a_warning():
    result = read_upload(b"Merchant ID,Quarter,Commission\nA,2025Q3,1\n", "accounts.csv")
    assert result.ok
    assert issues(result.warnings) == [(None, "b_side_revenue", "")]
    assert "quadrant" in result.warnings["reason"][0]
    assert np.isnan(result.panel.loc[2, "b_side_revenue"])


def test_negative_numbers_are_errors():
    data = b"Merchant ID,Quarter,Commission,GMV,Contract value\nA,2025Q3,1,-2,3\nB,2025Q3,1,2,-3\nC,2025Q3,1,2,3\n"
    result = read_upload(data, "accounts.csv")
    assert issues(result.errors) == [(2, "GMV", "-2"), (3, "Contract value", "-3")]
    assert all("is negative" in r for r in result.errors["reason"])
    assert result.panel.index.tolist() == [4]


def test_empty_ids_are_errors():
    data = b"Merchant ID,Quarter,Commission\n,2025Q3,1\n   ,2025Q3,2\nB,2025Q3,3\n"
    result = read_upload(data, "accounts.csv")
    assert issues(result.errors) == [(2, "Merchant ID", ""), (3, "Merchant ID", "   ")]
    assert "every row needs the account id" in result.errors["reason"][0]
    assert result.panel["account_id"].tolist() == ["B"]


def test_ids_are_trimmed_text():
    data = b"Merchant ID,Quarter,Commission\n 007 ,2025Q3,1\n"
    assert read_upload(data, "accounts.csv").panel["account_id"].tolist() == ["007"]  # leading zeros kept


def test_identical_duplicate_is_a_warning_and_kept_once():
    data = b"Merchant ID,Quarter,Commission,GMV\nA,2025Q3,1,2\nB,2025Q3,3,4\nA,2025Q3,1,2\n"
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert issues(result.warnings) == [(4, "Merchant ID", "A")]
    assert result.warnings["reason"][0] == "identical to row 2 (A, 2025Q3): kept once"
    assert result.panel.index.tolist() == [2, 3]
    assert (result.rows_left_out, result.merged_copies) == (0, 1)  # the copy is kept once, not left out


def test_differing_duplicate_is_an_error_naming_both_rows():
    data = b"Merchant ID,Quarter,Commission,GMV\nA,2025Q3,1,2\nB,2025Q3,3,4\nA,2025Q3,1,2.5\n"
    result = read_upload(data, "accounts.csv")
    assert issues(result.errors) == [(2, "Merchant ID", "A"), (4, "Merchant ID", "A")]
    assert set(result.errors["reason"]) == {
        "A appears 2 times in 2025Q3 with different values (rows 2, 4): keep one row per account and quarter, "
        "or choose to sum the rows per account and quarter"
    }
    assert result.panel.index.tolist() == [3]
    assert result.can_commit_valid_rows and result.rows_left_out == 2


def test_same_account_in_two_quarters_is_no_duplicate():
    data = b"Merchant ID,Quarter,Commission\nA,2025Q3,1\nA,2025Q4,2\n"
    result = read_upload(data, "accounts.csv")
    assert result.ok and result.quarters == ["2025Q3", "2025Q4"]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil","click")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3"])
def test_formula_like_text_is_a_warning_and_kept_as_text(text):
    data = csv_bytes([["Merchant ID", "Merchant name", "Quarter", "Commission"], ["A", text, "2025Q3", "1"]])
    result = read_upload(data, "accounts.csv")
    assert result.ok
    assert (2, "Merchant name", text) in issues(result.warnings)
    assert "never evaluated" in reason(result.warnings, 2, "Merchant name")
    assert result.panel.loc[2, "account_name"] == text  # the exact text, not a result


def test_text_that_merely_starts_with_a_sign_is_fine():
    data = csv_bytes([["Merchant ID", "Merchant name", "Quarter", "Commission"], ["A", "-5", "2025Q3", "1"]])
    result = read_upload(data, "accounts.csv")
    assert result.panel.loc[2, "account_name"] == "-5"
    assert "Merchant name" not in result.warnings["column"].tolist()


def test_active_column_yes_no_forms_and_default_rule():
    rows = [
        ["A", "1", "0", "yes"],
        ["B", "1", "0", "no"],
        ["C", "0", "0", "是"],
        ["D", "0", "0", "否"],
        ["E", "0", "0", "TRUE"],
        ["F", "0", "0", "0"],
        ["G", "0", "0", ""],  # blank: the default rule, any revenue > 0
        ["H", "0", "5", ""],
        ["I", "2", "0", ""],
        ["J", "0", "0", "maybe"],
    ]
    data = csv_bytes([["Merchant ID", "Commission", "GMV", "Active"], *rows])
    result = read_upload(data, "accounts_2025Q3.csv")
    assert dict(zip(result.panel["account_id"], result.panel["active"])) == {
        "A": True,
        "B": False,
        "C": True,
        "D": False,
        "E": True,
        "F": False,
        "G": False,
        "H": True,
        "I": True,
    }
    assert issues(result.errors) == [(11, "Active", "maybe")]
    assert "write TRUE or FALSE" in result.errors["reason"][0]


def test_active_defaults_to_any_revenue_without_the_column():
    data = b"Merchant ID,Quarter,Commission,GMV\nA,2025Q3,1,0\nB,2025Q3,0,1\nC,2025Q3,0,0\nD,2025Q3,0,\n"
    result = read_upload(data, "accounts.csv")
    assert result.panel["active"].tolist() == [True, True, False, False]


def test_contract_end_dates_read_in_the_order_their_values_decide():
    rows = [
        ["A", "2026-03-31"],
        ["B", "31/03/2026"],
        ["C", "2026/3/31"],
        ["D", "2026年3月31日"],
        ["E", ""],
        ["F", "03/04/2026"],
        ["G", "2026-02-30"],
        ["H", "soon"],
    ]
    data = csv_bytes([["Merchant ID", "Contract end", "Commission"], *[[a, d, "1"] for a, d in rows]])
    result = read_upload(data, "accounts_2025Q3.csv")
    ends = dict(zip(result.panel["account_id"], result.panel["contract_end"]))
    assert {k: v for k, v in ends.items() if k not in "EF"} == dict.fromkeys("ABCD", pd.Timestamp("2026-03-31"))
    assert pd.isna(ends["E"]) and ends["F"] == pd.Timestamp("2026-04-03")  # 31/03/2026 says the day comes first
    assert issues(result.errors) == [
        (8, "Contract end", "2026-02-30"),
        (9, "Contract end", "soon"),
    ]
    assert all("YYYY-MM-DD" in r for r in result.errors["reason"])
    assert "dates read day-first: 1 of the 2 dates have a day above 12" in reason(result.warnings, None, "Contract end")


def test_ragged_row_is_a_row_error_and_the_others_are_kept():
    data = b"Merchant ID,Quarter,Commission\nA,2025Q3,1,234.5\nB,2025Q3,2\nC,2025Q3\n"
    result = read_upload(data, "accounts.csv")
    assert issues(result.errors) == [(2, "", "A,2025Q3,1,234.5")]
    assert "has 4 values but the header has 3 columns" in result.errors["reason"][0]
    assert result.panel.index.tolist() == [3, 4]  # a short row is padded: C has a blank commission
    assert result.rows_read == 3 and result.rows_left_out == 1


# -- the result object ---------------------------------------------------------------------------------


def test_result_properties_of_a_clean_file():
    result = read_upload(BASIC, "accounts.csv")
    assert result.ok and result.can_commit_valid_rows
    assert result.rows_read == 2 and result.rows_left_out == 0
    assert result.quarters == ["2025Q3"]
    assert result.source == "accounts.csv"
    assert len(result.sha256) == 64
    assert list(result.errors.columns) == ISSUE_COLUMNS == ["file", "row", "column", "value", "reason"]
    assert list(result.warnings.columns) == ISSUE_COLUMNS


def test_result_with_row_errors_can_commit_its_valid_rows():
    result = one_value("abc")
    assert not result.ok and result.file_errors.empty
    assert result.can_commit_valid_rows
    assert result.rows_read == 2 and result.rows_left_out == 1
    assert result.errors["file"].tolist() == ["accounts.csv"]


def test_result_with_a_file_error_cannot_commit_anything():
    result = read_upload(b"Merchant ID,Commission\nA,1\n", "accounts.csv")
    assert not result.ok and not result.can_commit_valid_rows
    assert result.quarters == []
    assert result.panel.empty and list(result.panel.columns) == list(contract.NAMES)


def test_table_is_arrow_without_the_row_column():
    data = b"Merchant ID,Quarter,Commission,Orders\nA,2025Q3,1,5\n"
    result = read_upload(data, "accounts.csv")
    assert isinstance(result.table, pa.Table)
    assert result.table.column_names == [*contract.NAMES, "orders"]
    assert "row" not in result.table.column_names
    assert result.rows.column_names[0] == "row"


def test_panel_dtypes_follow_the_contract():
    data = csv_bytes(
        [
            ["Merchant ID", "Quarter", "Commission", "GMV", "Active", "Contract value", "Contract end", "Orders"],
            ["42", "2025Q3", "1", "2", "yes", "3", "2026-03-31", "7"],
            ["B", "2025Q3", "0", "0", "", "", "", ""],
        ]
    )
    panel = read_upload(data, "accounts.csv").panel
    assert panel.index.name == "row" and panel.index.tolist() == [2, 3]
    assert list(panel.columns) == [*contract.NAMES, "orders"]
    dtypes = panel.dtypes.astype(str).to_dict()
    assert dtypes["account_id"] == "object" and panel["account_id"].tolist() == ["42", "B"]
    assert dtypes["quarter"] == "object" and all(isinstance(q, str) for q in panel["quarter"])
    for name in ("platform_revenue", "b_side_revenue", "contract_value", "orders"):
        assert dtypes[name] == "float64", name
    assert dtypes["active"] == "bool"
    assert dtypes["contract_end"] == "datetime64[ns]"


def test_panel_of_a_failed_file_is_an_empty_contract_panel():
    panel = read_upload(b"", "accounts.csv").panel
    assert panel.empty
    pd.testing.assert_frame_equal(panel.reset_index(drop=True), contract.empty_panel())


# -- several files -------------------------------------------------------------------------------------


def test_combine_two_files():
    north = read_upload(b"Merchant ID,Quarter,Commission,GMV\nA,2025Q3,1,2\nB,2025Q3,3,4\nC,2025Q3,5,6\n", "north.csv")
    south = read_upload(
        b"Merchant ID,Quarter,Commission,GMV,Orders\nA,2025Q3,9,2,\nB,2025Q3,3,4,\nD,2025Q3,7,8,1\n", "south.csv"
    )
    both = combine([north, south])
    assert both.source == "north.csv, south.csv"
    assert both.rows_read == 6
    assert issues(both.errors) == [(2, "Merchant ID", "A"), (2, "Merchant ID", "A")]
    assert both.errors["file"].tolist() == ["north.csv", "south.csv"]
    assert set(both.errors["reason"]) == {
        "A is in 2025Q3 in more than one file with different values (north.csv row 2, south.csv row 2): "
        "keep it in one file"
    }
    assert issues(both.warnings) == [(3, "Merchant ID", "B")]
    assert both.warnings["file"].tolist() == ["south.csv"]
    assert both.warnings["reason"][0] == "identical to north.csv row 3: kept once"
    assert sorted(both.panel["account_id"]) == ["B", "C", "D"]
    assert both.panel.set_index("account_id")["orders"].to_dict() == pytest.approx(
        {"B": np.nan, "C": np.nan, "D": 1.0}, nan_ok=True
    )
    assert (both.rows_left_out, both.merged_copies) == (2, 1)  # A twice left out; the second B kept once
    assert both.can_commit_valid_rows and not both.ok
    assert set(both.mapping["file"]) == {"north.csv", "south.csv"}


def test_combine_keeps_the_issues_of_each_file():
    good = read_upload(b"Merchant ID,Quarter,Commission\nA,2025Q3,1\n", "a.csv")
    bad = read_upload(b"", "b.csv")
    both = combine([good, bad])
    assert both.errors["file"].tolist() == ["b.csv"]
    assert not both.can_commit_valid_rows  # b.csv failed as a whole
    assert combine([good]) is good
    assert combine([bad, bad]).panel.empty


# -- the committed sample files --------------------------------------------------------------------------

SAMPLE_FILES = sorted((DATA / "sample").glob("*.csv"))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_files_ingest_cleanly_with_a_full_confidence_mapping(path):
    result = read_upload(path.read_bytes(), path.name)
    assert result.ok and result.errors.empty and result.warnings.empty
    assert result.rows_left_out == 0
    assert result.quarters == [path.stem.split("_")[1]]
    contract_rows = result.mapping[result.mapping["kind"] == "contract"]
    assert (contract_rows["confidence"] == 1.0).all()
    assert set(contract_rows["target"]) == set(contract.NAMES) - {"active"}
    # the one column outside the contract is kept as a custom metric because it is numeric
    assert result.mapping[result.mapping["kind"] != "contract"][["source", "target", "kind"]].values.tolist() == [
        ["Orders", "orders", "custom metric"]
    ]


def test_sample_files_count():
    assert len(SAMPLE_FILES) == 12


def sample(name: str) -> IngestResult:
    return read_upload((DATA / "samples" / name).read_bytes(), name)


def test_dirty_numbers_sample():
    result = sample("dirty_numbers_2026Q3.csv")
    assert "semicolon-separated" in result.description
    assert issues(result.errors) == [(7, "Commission", "(350)"), (9, "Commission", "12%"), (15, "Merchant ID", "")]
    assert issues(result.warnings) == [
        (11, "Orders", "#N/A"),
        (13, "GMV", "n/a"),
        (17, "Merchant name", '=HYPERLINK("http://x","y")'),
    ]
    assert result.rows_read == 40 and result.rows_left_out == 3 and result.can_commit_valid_rows
    gmv = result.panel["b_side_revenue"]
    assert gmv[2] == 362471.70  # 362,471.70
    assert gmv[3] == 54431.45  # ¥54,431.45
    assert gmv[5] == 70628.0  # $ 70 628
    assert gmv[13] == 0.0  # n/a
    assert np.isnan(result.panel.loc[11, "orders"])


def test_chinese_headers_gbk_sample():
    result = sample("chinese_headers_gbk_2026Q3.csv")
    assert result.ok and result.warnings.empty
    assert "GBK" in result.description
    assert (result.mapping["confidence"] == 1.0).all() and (result.mapping["kind"] == "contract").all()
    assert result.quarters == ["2026Q3"] and result.rows.num_rows == 40
    assert result.panel.loc[2, "region"] == "华中"


def test_title_rows_sample():
    result = sample("title_rows_2026Q3.xlsx")
    assert result.ok and result.warnings.empty
    assert result.description == "Excel sheet 'Merchants' (1 sheet), header on row 4, 3 title rows skipped"
    assert result.panel.index[0] == 5 and result.panel.index[-1] == 44
    assert result.quarters == ["2026Q3"]  # the period is a date, 2026-09-30
    assert dict(zip(result.mapping["source"], result.mapping["target"])) == {
        "Store ID": "account_id",
        "Store": "account_name",
        "Period": "quarter",
        "GMV": "b_side_revenue",
        "Fees": "platform_revenue",
    }


def test_conflicting_duplicates_sample():
    result = sample("conflicting_duplicates_2026Q3.csv")
    assert issues(result.errors) == [(6, "Merchant ID", "M000012"), (43, "Merchant ID", "M000012")]
    assert "rows 6, 43" in result.errors["reason"][0]
    assert issues(result.warnings) == [(42, "Merchant ID", "M000004")]
    assert result.warnings["reason"][0] == "identical to row 4 (M000004, 2026Q3): kept once"
    assert result.rows_read == 42 and result.rows.num_rows == 39


def test_custom_metrics_may_be_negative():
    result = read_upload(
        b"Merchant ID,Quarter,Commission,GMV,Net promoter score\nM1,2025Q3,5,50,-12\nM2,2025Q3,6,60,(3)\n", "x.csv"
    )
    assert result.ok and result.warnings.empty
    assert list(result.panel["net_promoter_score"]) == [-12.0, -3.0]


# -- review regressions -------------------------------------------------------------------------


def test_a_column_mixing_decimal_commas_and_points_is_an_error_not_a_silent_rescale():
    data = b'Merchant ID,Quarter,Commission,GMV\nA,2025Q3,1234.56,10\nB,2025Q3,"12,5",10\nC,2025Q3,99.9,10\n'
    result = read_upload(data, "x.csv")
    assert issues(result.errors) == [(3, "Commission", "12,5")]
    assert "decimal comma" in result.errors["reason"][0]
    assert result.panel["platform_revenue"].tolist() == [1234.56, 99.9]


def test_a_decimal_comma_column_is_read_as_such_and_says_so():
    data = b"Merchant ID;Quarter;Commission;GMV\nA;2025Q3;1.234,56;10\nB;2025Q3;12,5;10\nC;2025Q3;1.000;10\n"
    result = read_upload(data, "x.csv")
    assert result.ok
    assert result.panel["platform_revenue"].tolist() == [1234.56, 12.5, 1000.0]
    assert "decimal commas" in " ".join(result.warnings["reason"])


def test_old_mac_line_endings_are_read():
    result = read_upload(b"Merchant ID,Quarter,Commission,GMV\rA,2025Q3,1,10\rB,2025Q3,2,20\r", "mac.csv")
    assert result.ok and result.panel["account_id"].tolist() == ["A", "B"]


def test_damaged_utf16_is_a_file_error_not_an_exception():
    result = read_upload(b"\xff\xfeM\x00,\x00Q", "u16.csv")
    assert not result.ok and "damaged" in result.errors["reason"][0]


@pytest.mark.parametrize("header", ["Row", "File", "Upload ID"])
def test_custom_metrics_never_take_a_name_the_result_or_the_store_uses(header):
    data = f"Merchant ID,Quarter,Commission,GMV,{header}\nA,2025Q3,1,10,5\n".encode()
    result = read_upload(data, "x.csv")
    assert result.ok
    assert result.mapping.set_index("source").loc[header, "target"].endswith("_2")
    assert len(result.panel) == 1 and len(set(result.table.column_names)) == result.table.num_columns


@pytest.mark.parametrize("header", ["Commission rate", "Commission (%)", "GMV growth", "Market share", "佣金率"])
def test_a_ratio_header_is_never_taken_for_an_amount(header):
    data = f"Merchant ID,Quarter,{header},Commission amount\nA,2025Q3,0.12,100\n".encode()
    result = read_upload(data, "x.csv")
    assert result.ok
    assert result.panel["platform_revenue"].tolist() == [100.0]


def test_account_ids_that_are_excel_errors_or_formulas_are_flagged():
    data = b"Merchant ID,Quarter,Commission,GMV\n#N/A,2025Q3,1,10\n=cmd,2025Q3,2,20\n-5,2025Q3,3,30\n"
    result = read_upload(data, "x.csv")
    assert issues(result.errors) == [(2, "Merchant ID", "#N/A")]
    assert issues(result.warnings) == [(3, "Merchant ID", "=cmd")]
    assert result.panel["account_id"].tolist() == ["=cmd", "-5"]


def test_integers_too_long_for_exact_floats_are_no_crash_and_too_large_for_a_custom_metric():
    data = b"Merchant ID,Quarter,Commission,GMV,Bank card\nA,2024Q1,10,1,6222021234567890123\n"
    result = read_upload(data, "x.csv")
    assert result.ok and pd.isna(result.panel["bank_card"].iloc[0])  # above contract.MAX_AMOUNT: left empty
    left_empty = reason(result.warnings, 2, "Bank card")
    assert "the largest amount accepted" in left_empty and left_empty.endswith("; left empty")


@pytest.mark.parametrize("cell", ["true", "2024-01-01", "12:00:00"])
def test_a_flag_or_date_column_chosen_as_custom_metric_is_left_empty_with_a_warning(cell):
    data = f"Merchant ID,Quarter,Commission,GMV,Extra\nA,2024Q1,10,1,{cell}\n".encode()
    result = read_upload(data, "x.csv", mapping={"Extra": CUSTOM})
    assert result.ok
    assert result.panel["extra"].isna().all()
    assert "is not a number" in " ".join(result.warnings["reason"])


def test_one_bad_byte_late_in_a_utf8_file_keeps_the_utf8_text_and_warns():
    good = "Merchant ID,Quarter,Commission,Segment\n" + "".join(f"A{i},2024Q1,{i},零售\n" for i in range(5))
    result = read_upload(good.encode() + b"Z9,2024Q1,5,caf\xe9\n", "x.csv")
    assert set(result.panel["segment"]) == {"零售", "caf\ufffd"}
    assert "undecodable" in " ".join(result.warnings["reason"])


@pytest.mark.parametrize(("header", "cell"), [("Contract end", "0026-09-30"), ("Quarter", "0024Q1")])
def test_implausible_years_are_errors(header, cell):
    columns = "Merchant ID,Commission,Quarter" if header == "Contract end" else "Merchant ID,Commission"
    values = "A,1,2024Q1" if header == "Contract end" else "A,1"
    result = read_upload(f"{columns},{header}\n{values},{cell}\n".encode(), "x.csv")
    assert not result.ok and "write a year from 1900 to 2199" in result.errors["reason"].iloc[-1]
    assert result.panel.empty


# --- exports as they come: transaction rows, date order, totals rows, ids by case, left out -----


def test_transaction_rows_are_summed_per_account_and_quarter_on_request():
    name, data = messy_exports.transactions()
    refused = read_upload(data, name)
    assert refused.repeated_rows == 5 and refused.rows_left_out == 5
    result = read_upload(data, name, choices=Choices(sum_repeats=True))
    assert result.ok and (result.summed_rows, result.summed_into, result.rows_read) == (5, 2, 7)
    assert result.rows_left_out == 0
    panel = result.panel.set_index(["account_id", "quarter"])
    assert panel["platform_revenue"].to_dict() == {
        ("M001", "2025Q1"): 1300.0,
        ("M002", "2025Q1"): 100.0,
        ("M003", "2025Q1"): 5.0,
        ("M001", "2025Q2"): 10.0,
    }
    assert panel.loc[("M001", "2025Q1"), "b_side_revenue"] == 26_000.0
    assert panel.loc[("M001", "2025Q1"), "account_name"] == "Shop A (renamed)"  # the latest row's
    assert panel.loc[("M002", "2025Q1"), "account_name"] == "Shop B"  # its latest row has no name
    assert result.panel.index.tolist() == [2, 3, 5, 8]  # each group's first row
    assert reason(result.warnings, None, "").startswith("5 rows summed into 2, one per account and quarter")


def test_summing_takes_any_active_the_latest_contract_end_and_sums_custom_metrics():
    data = csv_bytes(
        [
            ["Merchant ID", "Quarter", "Commission", "Orders", "Active", "Contract end", "Contract value"],
            ["A", "2025Q3", "1", "2", "no", "2026-01-31", "100"],
            ["A", "2025Q3", "1", "3", "yes", "2025-12-31", "120"],
            ["A", "2025Q3", "1", "4", "no", "", ""],
        ]
    )
    row = read_upload(data, "x.csv", choices=Choices(sum_repeats=True)).panel.iloc[0]
    assert (row["platform_revenue"], row["orders"], row["active"]) == (3.0, 9.0, True)
    assert row["contract_end"] == pd.Timestamp("2026-01-31") and row["contract_value"] == 120.0


def test_summing_leaves_rows_in_error_out_and_counts_them():
    data = b"Merchant ID,Quarter,Commission\nA,2025Q3,1\nA,2025Q3,#N/A\nA,2025Q3,2\n"
    result = read_upload(data, "x.csv", choices=Choices(sum_repeats=True))
    assert result.panel["platform_revenue"].tolist() == [3.0] and result.error_count == 1
    assert (result.summed_rows, result.summed_into, result.rows_left_out) == (2, 1, 1)


def test_a_day_first_column_is_read_day_first_when_some_day_is_above_12():
    name, data = messy_exports.day_first()
    result = read_upload(data, name)
    assert result.ok and result.error_count == 0
    assert result.panel["quarter"].tolist() == ["2025Q1", "2025Q1", "2025Q2", "2025Q2"]
    assert (
        result.panel["contract_end"].tolist()
        == pd.to_datetime(["2025-12-01", "2025-12-31", "2026-06-15", "2025-12-01"]).tolist()
    )
    orders = {found.header: found.order for found in result.date_orders}
    assert orders == {"Date": "day-first", "Contract end": "day-first"}
    assert (
        reason(result.warnings, None, "Date")
        == "dates read day-first: 2 of the 4 dates have a day above 12 (DD/MM/YYYY)"
    )


def test_dates_that_read_two_ways_ask_for_the_order_and_follow_the_choice():
    name, data = messy_exports.month_unclear()
    asked = read_upload(data, name)
    assert [found.header for found in asked.undecided_dates] == ["Date"] and asked.error_count == 2
    assert "choose day-first or month-first" in reason(asked.errors, 2, "Date")
    day = read_upload(data, name, choices=Choices(date_order="day-first"))
    month = read_upload(data, name, choices=Choices(date_order="month-first"))
    assert day.ok and day.panel["quarter"].tolist() == ["2025Q2", "2025Q1", "2025Q1"]
    assert month.ok and month.panel["quarter"].tolist() == ["2025Q1", "2025Q2", "2025Q1"]
    assert reason(day.warnings, None, "Date") == "dates written with the year last read day-first, as chosen"


def test_a_column_mixing_day_first_and_month_first_dates_is_reported():
    data = b"Merchant ID,Date,Commission\nA,13/01/2025,1\nB,14/02/2025,1\nC,01/25/2025,1\n"
    result = read_upload(data, "x.csv")
    assert reason(result.warnings, None, "Date").startswith(
        "the column mixes day-first dates (2 with a first part above 12) and month-first dates (1 with a second "
        "part above 12): read day-first (the majority); the 1 others are errors"
    )
    assert issues(result.errors) == [(4, "Date", "01/25/2025")]
    assert "read day-first like the rest of its column" in reason(result.errors, 4, "Date")


def test_41568_day_first_dates_of_69659_give_no_ambiguity_error():
    days = [(d % 28) + 1 for d in range(69_659)]
    dates = [f"{day:02d}/{(i % 12) + 1:02d}/2024" for i, day in enumerate(days)]
    above = sum(day > 12 for day in days)
    rows = [["Merchant ID", "Date", "Commission"], *[[f"M{i}", d, "1"] for i, d in enumerate(dates)]]
    result = read_upload(csv_bytes(rows), "orders.csv")
    assert result.error_count == 0 and len(result.panel) == 69_659
    assert reason(result.warnings, None, "Date") == (
        f"dates read day-first: {above:,} of the 69,659 dates have a day above 12 (DD/MM/YYYY)"
    )


def test_totals_rows_are_left_out_with_a_warning_naming_each():
    name, data = messy_exports.with_totals()
    result = read_upload(data, name)
    assert result.ok and result.panel["account_id"].tolist() == ["S1", "S2", "S3", "S4"]
    assert result.totals_rows == 3 and result.rows_left_out == 0
    assert issues(result.warnings) == [(6, "商户名称", "小计："), (7, "商户ID", "TOTAL"), (8, "佣金", "100")]
    assert reason(result.warnings, 7, "商户ID") == "a totals row: left out (it is no account)"
    assert reason(result.warnings, 8, "佣金") == (
        "its amounts (佣金, GMV) equal the sums of the other rows: a totals row: left out (it is no account)"
    )
    assert not any("write the quarter" in r for r in result.errors["reason"])


@pytest.mark.parametrize("label", ["Total", "TOTAL", "total:", "Grand total", "Subtotal ", "合计", "总计：", "小计"])
def test_every_totals_label_is_left_out(label):
    data = csv_bytes([["Merchant ID", "Quarter", "Commission"], ["A", "2025Q3", "5"], [label, "2025Q3", "5"]])
    result = read_upload(data, "x.csv")
    assert result.ok and result.panel["account_id"].tolist() == ["A"] and result.totals_rows == 1


def test_a_row_equal_to_the_sums_is_no_total_in_the_middle_or_with_one_amount():
    middle = b"Merchant ID,Quarter,Commission,GMV\nA,2025Q3,1,10\nS,2025Q3,6,60\nB,2025Q3,2,20\nC,2025Q3,3,30\n"
    one_amount = b"Merchant ID,Quarter,Commission\nA,2025Q3,1\nB,2025Q3,2\nC,2025Q3,3\nS,2025Q3,6\n"
    for data in (middle, one_amount):
        result = read_upload(data, "x.csv")
        assert result.totals_rows == 0 and len(result.panel) == 4


def test_ids_differing_only_by_case_are_warned_of_and_merged_on_request():
    name, data = messy_exports.ids_by_case()
    apart = read_upload(data, name)
    assert apart.panel["account_id"].tolist() == ["CD00004", "cd00004", "CD00004", "cd00007"]
    assert apart.case_variants.groups == 1
    assert apart.case_variants.listed["spellings"].tolist() == ["CD00004 / cd00004"]
    assert "1 id is spelt in ways that differ only by case (CD00004 / cd00004)" in reason(
        apart.warnings, None, "Merchant ID"
    )
    merged = read_upload(data, name, choices=Choices(ids_ignore_case=True))
    assert merged.panel["account_id"].tolist() == ["CD00004", "CD00004", "CD00004", "cd00007"]  # the most frequent
    kept = read_upload(data, name, choices=Choices(ids_ignore_case=True, id_spellings=(("cd00004", "Cd00004"),)))
    assert kept.panel["account_id"].tolist() == ["Cd00004", "Cd00004", "Cd00004", "cd00007"]  # the workspace's
    alone = read_upload(data, name, choices=Choices(ids_ignore_case=True, id_spellings=(("cd00007", "CD00007"),)))
    assert alone.panel["account_id"].tolist() == ["CD00004", "CD00004", "CD00004", "CD00007"]


def test_ids_merged_by_case_in_one_quarter_are_repeats_to_sum():
    data = b"Merchant ID,Quarter,Commission\nab1,2025Q3,1\nAB1,2025Q3,2\n"
    result = read_upload(data, "x.csv", choices=Choices(ids_ignore_case=True, sum_repeats=True))
    assert result.panel[["account_id", "platform_revenue"]].values.tolist() == [["ab1", 3.0]]  # tie: the first


def test_valid_rows_only_lists_the_accounts_rows_and_revenue_left_out():
    name, data = messy_exports.with_bad_rows()
    result = read_upload(data, name)
    gone = result.left_out_summary
    assert (gone.rows, gone.accounts, gone.accounts_gone, gone.revenue) == (2, 2, 1, 40.0)
    assert gone.largest.values.tolist() == [["B4", 1, "2025Q4", 40.0, 0], ["B2", 1, "2025Q4", 0.0, 1]]
    assert accounts_left_out(result).equals(gone.largest)
    assert gone.sentence() == "2 rows of 2 accounts (1 of them entirely), platform revenue 40.00"


def test_valid_rows_only_counts_rows_left_out_across_files():
    first = read_upload(b"Merchant ID,Quarter,Commission\nA,2025Q3,1\nB,2025Q3,x\n", "a.csv")
    second = read_upload(b"Merchant ID,Quarter,Commission\nA,2025Q3,2\nC,2025Q3,3\n", "b.csv")
    gone = combine([first, second]).left_out_summary
    assert gone.largest[["account_id", "rows_left_out", "rows_kept"]].values.tolist() == [
        ["A", 2, 0],
        ["B", 1, 0],
    ]
    assert gone.rows == 3 and gone.revenue == 3.0


def test_a_quarter_in_a_chinese_file_name_is_read():
    name, data = messy_exports.chinese_name()
    result = read_upload(data, name)
    assert result.ok and result.quarters == ["2025Q2"]
    assert result.panel["platform_revenue"].tolist() == [1200.0, 800.0]


def test_the_screen_gets_the_accounts_with_most_revenue_left_out_and_the_download_all_of_them():
    rows = [["Merchant ID", "Quarter", "Commission", "GMV"], ["OK", "2025Q3", "1", "1"]]
    rows += [[f"A{i:02d}", "2025Q3", str(i), "lots"] for i in range(1, 26)]
    result = read_upload(csv_bytes(rows), "x.csv")
    gone = result.left_out_summary
    assert (gone.rows, gone.accounts, gone.accounts_gone, gone.revenue) == (25, 25, 25, 325.0)
    assert gone.largest["account_id"].tolist() == [f"A{i:02d}" for i in range(25, 5, -1)]
    assert len(accounts_left_out(result)) == 25
