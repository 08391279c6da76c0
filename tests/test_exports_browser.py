"""Exports as they really come, through a real server and Chromium: one server takes, in turn, a
transaction-level file (summed on request, superseding two live quarters with the difference shown),
a DD/MM/YYYY export, a file with totals rows, a workbook opening on a summary sheet, a quarter in a
Chinese file name, ids differing by case, dates that read two ways, and a file with bad rows
committed as valid rows only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from b2b_core.store import Workspace
from tests import messy_exports
from tests.browser import ERROR_ELEMENTS, chromium_page, drawn_once, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser


def check(page, folder, export) -> None:
    """Upload the messy ``export`` (file name, bytes) on the Data page and wait for its report."""
    name, content = export
    path = folder / name
    path.write_bytes(content)
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Account export files")
    uploader.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text("Validation report").wait_for()
    settled(page)


def settled(page) -> None:
    """Wait until the script run is over and no element of the previous run is left on the page
    (Streamlit marks those ``data-stale`` until the new run has drawn over them)."""
    wait_until_idle(page)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")


def click(page, text: str) -> None:
    page.get_by_text(text, exact=True).click()
    settled(page)


def commit(page, label: str) -> None:
    """Confirm the replacement of live quarters when asked, then commit with the button ``label``."""
    replace = page.get_by_text("Replace these quarters (the current uploads stay restorable below)")
    if replace.count():
        drawn_once(page, replace)  # a choice's rerun may still show the previous run's copy
        replace.click()
        wait_until_idle(page)
    button = page.get_by_role("button", name=label, exact=True)
    expect(button).to_be_enabled()
    button.click()
    page.get_by_text(re.compile(r"^Committed upload #\d+")).wait_for()
    wait_until_idle(page)


def test_exports_as_they_come_are_read_summed_and_committed_in_the_browser(tmp_path):
    path = tmp_path / "workspace.duckdb"
    files = tmp_path / "files"
    files.mkdir()
    with streamlit_server(path) as url, chromium_page() as page:
        page.goto(url + "/data")
        wait_until_idle(page)

        check(page, files, messy_exports.transactions())  # several orders per merchant and quarter
        expect(page.get_by_text("5 rows repeat an account in its quarter with different values")).to_be_visible()
        click(page, "Sum the rows of each account and quarter into one")
        expect(page.get_by_text("5 rows summed into 2 rows.")).to_be_visible()
        expect(page.get_by_text("This commit supersedes data already in the workspace")).to_be_visible()
        expect(page.get_by_text("Accounts added or removed with the most platform revenue")).to_be_visible()
        page.screenshot(path="test-artifacts/browser_exports_summed.png", full_page=True)
        commit(page, "Commit 4 rows (2025Q1, 2025Q2)")

        check(page, files, messy_exports.day_first())  # DD/MM/YYYY
        expect(page.get_by_text("dates read day-first: 2 of the 4 dates have a day above 12").first).to_be_visible()
        assert page.get_by_text("Dates such as 03/04/2025 are written").count() == 0
        commit(page, "Commit 4 rows (2025Q1, 2025Q2)")

        check(page, files, messy_exports.with_totals())  # 小计, TOTAL and a row of sums
        expect(page.get_by_text("3 totals rows left out (each named in the Warnings).")).to_be_visible()
        assert page.get_by_text("write the quarter").count() == 0
        commit(page, "Commit 4 rows (2025Q3)")

        check(page, files, messy_exports.summary_first())  # a workbook opening on its Summary sheet
        expect(page.get_by_text("proposed as the sheet most like an account export")).to_be_visible()
        commit(page, "Commit 6 rows (2025Q3)")

        check(page, files, messy_exports.chinese_name())  # 2025年第2季度_商户收入.csv, no quarter column
        commit(page, "Commit 2 rows (2025Q2)")

        check(page, files, messy_exports.ids_by_case())  # cd00004 and CD00004
        expect(page.get_by_text("1 id of the file differs from another only by case")).to_be_visible()
        click(page, "Read ids whatever their case (cd00004 and CD00004 are one account)")
        commit(page, "Commit 4 rows (2025Q1, 2025Q2, 2025Q3)")

        check(page, files, messy_exports.month_unclear())  # 03/04/2025: the order is asked
        expect(page.get_by_text("the order of day and month is yours to say")).to_be_visible()
        click(page, "Day first: 03/04/2025 is 3 April 2025")
        commit(page, "Commit 3 rows (2025Q1, 2025Q2)")

        check(page, files, messy_exports.with_bad_rows())  # an Excel error and text as GMV
        click(
            page,
            "Commit valid rows only (leaves out 2 rows of 2 accounts (1 of them entirely), platform revenue 40.00)",
        )
        expect(page.get_by_text("What a valid-rows-only commit leaves out: 2 accounts")).to_be_visible()
        page.screenshot(path="test-artifacts/browser_exports_valid_rows_only.png", full_page=True)
        commit(page, "Commit 3 rows (2025Q3, 2025Q4)")
        expect(
            page.get_by_text("Left out: 2 rows of 2 accounts (1 of them entirely), platform revenue 40.00.")
        ).to_be_visible()
        assert page.locator(ERROR_ELEMENTS).count() == 0

    with Workspace(path) as ws:
        stored = ws.stored_rows().set_index(["upload_id", "quarter", "account_id"])["platform_revenue"]
        sources = ws.uploads().set_index("source")["upload_id"]
        assert stored.loc[(sources["orders_2025H1.csv"], "2025Q1", "M001")] == 1300.0
        assert stored.loc[(sources["accounts_dmy.csv"], "2025Q2", "A3")] == 300.0  # 04/05/2025 is 4 May
        assert set(stored.loc[sources["merchants_totals.csv"]].index.get_level_values("account_id")) == {
            "S1",
            "S2",
            "S3",
            "S4",
        }
        assert len(stored.loc[sources["regions.xlsx"]]) == 6
        assert stored.loc[(sources["2025年第2季度_商户收入.csv"], "2025Q2", "C1")] == 1200.0
        assert set(stored.loc[sources["accounts_case.csv"]].index.get_level_values("account_id")) == {
            "CD00004",
            "cd00007",
        }
        assert stored.loc[(sources["accounts_unclear.csv"], "2025Q2", "B1")] == 10.0  # 3 April
        assert sorted(stored.loc[sources["accounts_bad_2025Q4.csv"]].index.get_level_values("account_id")) == [
            "B1",
            "B2",
            "B3",
        ]
