"""A corpus of malformed uploads (DESIGN §7): each gives a clear message, never a traceback, and
nothing reaches the workspace.

Every case is built here as bytes. For each one: ``read_upload`` does not raise, the result is not
``ok``, an error names the expected problem and says what to do, and the commit path the upload page
allows (everything when ``ok``; the valid rows alone when ``can_commit_valid_rows``) writes nothing
for a problem of the whole file.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from typing import NamedTuple

import numpy as np
import openpyxl
import pandas as pd
import pytest

from b2b_core.access import LOCAL
from b2b_core.ingest import CommitRefused, commit, read_upload
from b2b_core.store import Workspace

HEADER = "Merchant ID,Quarter,Commission,GMV\n"
# Every reason says what to do: one of these verbs appears in it.
HINT = re.compile(
    r"\b(write|keep|choose|map|export|upload|save|rename|fix|enter|put|check|unmerge|remove|delete|correct|"
    r"paste|open|fill|set)\b",
    re.IGNORECASE,
)


class Case(NamedTuple):
    id: str
    filename: str
    data: bytes
    phrase: str  # expected in the reason of some error
    file_level: bool  # the error is about the whole file (no row): nothing at all may be committed
    options: dict = {}  # other arguments of read_upload


def text(body: str, encoding: str = "utf-8") -> bytes:
    return body.encode(encoding)


def workbook(rows: list[list[object]], *, merge: str | None = None, title: str = "Accounts") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_of(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def garbage(size: int, seed: int, *, avoid_zip: bool = False) -> bytes:
    data = random.Random(seed).randbytes(size)
    return b"\x00" + data[1:] if avoid_zip else data


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the header of an old .xls (and .doc) file

CASES = [
    Case("wrong_delimiter", "accounts.csv", text("Merchant ID:Quarter:Commission\nA:2025Q3:1\nB:2025Q3:2\n"),
         "Only one column was found", True),
    Case("html_named_csv", "accounts.csv", text("<html><body><table><tr><td>A</td></tr></table></body></html>\n"),
         "Only one column was found", True),
    Case("gbk_bad_quarter", "商户.csv", text("商户ID,平台收入,商户收入,季度\nM1,10,100,2025年第5季度\n", "gbk"),
         "is not a quarter; write it as 2025Q3", False),
    Case("title_rows_then_missing_required", "accounts.csv",
         text("Merchant report\nExported 2025-10-02\n\nMerchant ID,Quarter,GMV\nA,2025Q3,100\n"),
         "no column holds platform_revenue", True),
    Case("missing_id_column", "accounts.csv", text("Name,Quarter,Commission\nAcme,2025Q3,1\n"),
         "no column holds account_id", True),
    Case("merged_xlsx_header", "accounts.xlsx",
         workbook([["Merchant ID", "Quarter", "Revenue", None], ["A", "2025Q3", 10, 100]], merge="C1:D1"),
         "merged header cells", True),
    Case("values_without_header", "accounts.csv", text("Merchant ID,Quarter,Commission,\nA,2025Q3,1,99\n"),
         "has values but no header", True),
    Case("text_in_revenue", "accounts.csv", text(HEADER + "A,2025Q3,about 5k,100\nB,2025Q3,1,2\n"),
         "is not a number", False),
    Case("negative_revenue", "accounts.csv", text(HEADER + "A,2025Q3,-120,100\n"), "is negative", False),
    Case("accounting_negative", "accounts.csv", text(HEADER + "A,2025Q3,(120),100\n"), "is negative", False),
    Case("missing_ids", "accounts.csv", text(HEADER + ",2025Q3,1,2\n  ,2025Q3,3,4\nC,2025Q3,5,6\n"),
         "every row needs the account id", False),
    Case("conflicting_duplicates", "accounts.csv", text(HEADER + "A,2025Q3,1,2\nB,2025Q3,1,2\nA,2025Q3,9,2\n"),
         "with different values (rows 2, 4)", False),
    Case("empty_file", "accounts.csv", b"", "The file is empty", True),
    Case("whitespace_only", "accounts.csv", b" \r\n\t\n   \n", "The file is empty", True),
    Case("header_only", "accounts.csv", text(HEADER), "header but no data rows", True),
    Case("header_and_blank_rows", "accounts.csv", text(HEADER + ",,,\r\n\r\n,,,\n"), "header but no data rows", True),
    Case("header_only_xlsx", "accounts.xlsx", workbook([["Merchant ID", "Quarter", "Commission"]]),
         "header but no data rows", True),
    Case("empty_sheet", "accounts.xlsx", workbook([]), "Sheet 'Accounts' is empty", True),
    Case("unknown_sheet", "accounts.xlsx", workbook([["Merchant ID", "Quarter", "Commission"], ["A", "2025Q3", 1]]),
         "no sheet named 'Sales'; its sheets are: Accounts", True, {"sheet": "Sales"}),
    Case("binary_garbage_csv", "accounts.csv", garbage(4096, seed=1), "binary data", True),
    Case("nul_bytes_in_text", "accounts.csv", text(HEADER + "A,2025Q3,1\x00,2\n"), "binary data", True),
    Case("random_bytes_xlsx", "accounts.xlsx", garbage(4096, seed=2, avoid_zip=True),
         "not a valid .xlsx workbook", True),
    Case("zip_not_workbook", "accounts.xlsx", zip_of({"readme.txt": "hello"}), "cannot be opened", True),
    Case("zip_named_csv", "accounts.csv", zip_of({"accounts.csv": HEADER}), "cannot be opened", True),
    Case("old_xls", "accounts.xls", OLE_SIGNATURE + garbage(1024, seed=3), "Old Excel .xls files", True),
    Case("old_xls_named_csv", "accounts.csv", OLE_SIGNATURE + garbage(1024, seed=4), "Old Excel .xls files", True),
    Case("formula_in_revenue", "accounts.csv", text(HEADER + 'A,2025Q3,"=SUM(C3:C9)",100\nB,2025Q3,1,2\n'),
         "looks like a spreadsheet formula", False),
    Case("formula_cell_in_xlsx", "accounts.xlsx",
         workbook([["Merchant ID", "Quarter", "Commission", "GMV"], ["A", "2025Q3", "=D2*0.1", 100]]),
         "looks like a spreadsheet formula", False),
    Case("excel_error_values", "accounts.csv", text(HEADER + "A,2025Q3,#N/A,100\nB,2025Q3,1,#DIV/0!\n"),
         "is an Excel error value", False),
    Case("excel_error_cells_xlsx", "accounts.xlsx",
         workbook([["Merchant ID", "Quarter", "Commission", "GMV"], ["A", "2025Q3", "#REF!", 100]]),
         "is an Excel error value", False),
    Case("ragged_rows", "accounts.csv", text(HEADER + "A,2025Q3,1,234.50,100\nB,2025Q3,1,2\n"),
         "has 5 values but the header has 4 columns", False),
    Case("unclosed_quote", "accounts.csv", text(HEADER + 'A,2025Q3,"1,2\nB,2025Q3,1,2\nC,2025Q3,3,4\n'),
         "A quote in row 2 is never closed", True),
    Case("percent_in_revenue", "accounts.csv", text(HEADER + "A,2025Q3,12%,100\n"), "is a percentage", False),
    Case("date_reads_two_ways", "accounts.csv", text(HEADER + "A,03/04/2025,1,100\n"),
         "reads as 2025Q1 or 2025Q2 depending on day/month order", False),
    Case("impossible_date_as_quarter", "accounts.csv", text(HEADER + "A,2025-02-30,1,100\n"),
         "is not a real date", False),
    Case("infinite_number", "accounts.csv", text(HEADER + "A,2025Q3,1e999,100\n"), "is not a finite number", False),
    Case("only_placeholders_in_revenue", "accounts.csv", text(HEADER + "A,2025Q3,n/a,100\nB,2025Q3,-,5\nC,2025Q3,,1\n"),
         "only blanks or placeholders", True),
    Case("blank_b_side_revenue_column", "accounts.csv", text(HEADER + "A,2025Q3,1,\nB,2025Q3,2,\n"),
         "only blanks or placeholders", True),
    Case("no_quarter_anywhere", "accounts.csv", text("Merchant ID,Commission\nA,1\n"),
         "the file has no quarter column", True),
    Case("quarter_argument_no_quarter", "accounts.csv", text("Merchant ID,Commission\nA,1\n"),
         "'2025Q9' is not a quarter", True, {"quarter": "2025Q9"}),
    Case("bad_active_flag", "accounts.csv", text("Merchant ID,Quarter,Commission,Active\nA,2025Q3,1,maybe\n"),
         "is not yes/no", False),
    Case("bad_contract_end", "accounts.csv",
         text("Merchant ID,Quarter,Commission,Contract end\nA,2025Q3,1,next year\n"), "is not a date", False),
    Case("amount_above_1e15", "accounts.csv", text(HEADER + "A,2025Q3,1.7e308,100\nB,2025Q3,1,2\n"),
         "the largest amount accepted", False),
    Case("contract_value_above_1e15", "accounts.csv",
         text("Merchant ID,Quarter,Commission,Contract value\nA,2025Q3,1,\"2,000,000,000,000,000\"\n"),
         "the largest amount accepted", False),
    Case("id_of_1001_characters", "accounts.csv", text(HEADER + "A" * 1001 + ",2025Q3,1,2\nB,2025Q3,1,2\n"),
         "is longer than 1,000 characters", False),
    Case("wider_than_excel", "accounts.csv",
         text("Merchant ID,Quarter,Commission," + ",".join(f"m{i}" for i in range(16_382)) + "\nA,2025Q3,1\n"),
         "more than the 16,384 of the widest Excel sheet", True),
]  # fmt: skip


def test_the_corpus_is_large_and_distinct():
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({(c.filename, c.data, tuple(c.options.items())) for c in CASES}) == len(CASES)


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as workspace:
        yield workspace


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_error_and_writes_nothing(case, ws):
    version = ws.version

    result = read_upload(case.data, case.filename, **case.options)  # never raises

    assert not result.ok
    errors = result.errors
    assert list(errors.columns) == ["file", "row", "column", "value", "reason"]
    assert (errors["file"] == case.filename).all()
    assert errors["reason"].map(lambda r: isinstance(r, str) and r.strip() != "").all(), "every error has a reason"
    matching = [r for r in errors["reason"] if case.phrase in r]
    assert matching, f"no error says {case.phrase!r}: {errors['reason'].tolist()}"
    assert all(HINT.search(r) for r in matching), f"no hint of what to do in {matching}"
    assert all(HINT.search(r) for r in errors["reason"]), errors["reason"].tolist()

    where = errors.loc[errors["reason"].str.contains(case.phrase, regex=False), "row"]
    assert where.isna().all() if case.file_level else where.notna().all()
    assert result.file_errors.empty != case.file_level
    assert result.rows_left_out >= 0

    # the commit the Data page uses refuses a file that is not ok ...
    with pytest.raises(CommitRefused):
        commit(result, ws, actor=LOCAL)
    if case.file_level:
        # ... and its "valid rows" too when the file as a whole is wrong
        assert not result.can_commit_valid_rows
        with pytest.raises(CommitRefused, match="whole file"):
            commit(result, ws, valid_rows_only=True, actor=LOCAL)
    assert ws.version == version
    assert ws.is_empty() and ws.uploads().empty and ws.panel().empty


@pytest.mark.parametrize("case", [c for c in CASES if not c.file_level], ids=lambda c: c.id)
def test_committing_the_valid_rows_of_a_row_level_case_writes_only_them(case, ws):
    result = read_upload(case.data, case.filename, **case.options)
    if not result.can_commit_valid_rows:  # every row had an error
        assert result.rows.num_rows == 0 and result.rows_left_out == result.rows_read
        return
    bad_rows = set(result.errors["row"].dropna().astype(int))
    assert bad_rows.isdisjoint(result.panel.index)

    commit(result, ws, valid_rows_only=True, actor=LOCAL)

    assert ws.version == 1
    stored = ws.panel()
    assert len(stored) == result.rows.num_rows == result.rows_read - result.rows_left_out
    assert sorted(stored["account_id"]) == sorted(result.panel["account_id"])


def test_a_panel_that_breaks_the_contract_is_refused_whole(ws):
    good = read_upload(text(HEADER + "A,2025Q3,1,2\n"), "accounts.csv")
    ws.commit(good.table, good.source, actor=LOCAL)
    version, before = ws.version, ws.panel()

    broken = pd.DataFrame({"account_id": ["B", "C"], "quarter": ["2025Q4", "2025Q4"], "platform_revenue": [5.0, -1.0]})
    with pytest.raises(ValueError, match="negative"):
        ws.commit(broken, "hand-made", actor=LOCAL)

    assert ws.version == version
    pd.testing.assert_frame_equal(ws.panel(), before)
    assert ws.quarters() == ["2025Q3"] and len(ws.uploads()) == 1


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ({"account_id": ["A"], "quarter": ["2025Q4"]}, "lacks required"),
        ({"account_id": ["A"], "quarter": ["Q4"], "platform_revenue": [1.0]}, "not a quarter"),
        ({"account_id": [""], "quarter": ["2025Q4"], "platform_revenue": [1.0]}, "must not be empty"),
        ({"account_id": ["A"], "quarter": ["2025Q4"], "platform_revenue": [np.nan]}, "required"),
        ({"account_id": ["A", "A"], "quarter": ["2025Q4"] * 2, "platform_revenue": [1.0, 2.0]}, "occurs twice"),
        ({"account_id": ["A"], "quarter": ["2025Q4"], "platform_revenue": [1.0], "orders": [np.inf]}, "finite"),
    ],
    ids=["missing_column", "bad_quarter", "empty_id", "nan_revenue", "duplicate_key", "infinite_metric"],
)
def test_other_contract_breaches_are_refused_and_leave_the_version(ws, columns, match):
    with pytest.raises(ValueError, match=match):
        ws.commit(pd.DataFrame(columns), "hand-made", actor=LOCAL)
    assert ws.version == 0 and ws.is_empty()
