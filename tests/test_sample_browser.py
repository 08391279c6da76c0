"""The bundled sample beside an ops lead's own data, in a real server and Chromium: labelled,
confirmed before a far-away commit, removed and restored in one step each."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import messy_files
from tests.browser import ERROR_ELEMENTS, chromium_page, streamlit_server, wait_until_idle
from tests.test_browser import check_on_the_data_page

pytestmark = pytest.mark.browser

REMOVED = "removed the sample data (12 upload(s) for 2023Q4–2026Q3), restorable"


def x_ticks(page) -> list[str]:
    """The x axis tick labels of the Overview's trend by quarter."""
    chart = page.locator(".st-key-kpi_trend")
    chart.locator(".xtick text").first.wait_for()
    return chart.locator(".xtick text").all_text_contents()


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def test_the_sample_is_labelled_asked_about_removed_in_one_click_and_restored(tmp_path):
    log = tmp_path / "cdnow_1997_1998.csv"
    log.write_bytes(messy_files.purchase_log_1997())
    with streamlit_server(tmp_path / "workspace.duckdb") as url, chromium_page() as page:
        page.goto(url + "/")
        wait_until_idle(page)
        expect(sidebar(page)).to_contain_text("Sample data")
        page.get_by_text("2023Q4–2026Q3 is the bundled sample of a fictional platform").first.wait_for()

        page.goto(url + "/data")
        wait_until_idle(page)
        check_on_the_data_page(page, log)
        page.get_by_text(
            "Your file covers 1997Q1–1998Q2; the workspace holds 2023Q4–2026Q3 (sample data): 101 quarters apart."
        ).wait_for()
        commit = page.get_by_role("button", name="Commit 246 rows (1997Q1, 1997Q2, 1997Q3, 1997Q4, 1998Q1, 1998Q2)")
        expect(commit).to_be_disabled()
        page.get_by_text("Commit anyway, 101 quarters apart").click()
        wait_until_idle(page)
        commit.click()
        page.get_by_text(re.compile(r"^Committed upload #13")).wait_for()
        wait_until_idle(page)
        expect(sidebar(page)).to_contain_text("Mixed with sample data")
        page.get_by_text("Your data now sit beside the bundled sample's (2023Q4–2026Q3)").wait_for()
        page.screenshot(path="test-artifacts/browser_sample_offer.png", full_page=True)

        page.get_by_role("button", name="Remove the sample data").first.click()  # the offer, right after the commit
        page.get_by_text("Removed the sample data (2023Q4–2026Q3) in one step").wait_for()
        wait_until_idle(page)
        expect(sidebar(page)).not_to_contain_text("ample data")
        sidebar(page).get_by_text("1997Q1 – 1998Q2").wait_for()
        audit = page.locator('[data-testid="stDataFrame"]').nth(1)
        expect(audit.get_by_text(REMOVED, exact=True)).to_have_count(1)  # one audited action

        page.goto(url + "/")
        wait_until_idle(page)
        assert {tick[:4] for tick in x_ticks(page)} == {"1997", "1998"}
        expect(page.get_by_text("bundled sample")).to_have_count(0)
        page.screenshot(path="test-artifacts/browser_sample_removed.png", full_page=True)

        page.goto(url + "/data")
        wait_until_idle(page)
        page.get_by_role("button", name="Restore the sample").click()
        page.get_by_text("The sample data are live again for 2023Q4–2026Q3.").wait_for()
        wait_until_idle(page)
        expect(sidebar(page)).to_contain_text("Mixed with sample data")

        page.goto(url + "/")
        wait_until_idle(page)
        ticks = x_ticks(page)
        assert ticks[:6] == ["1997Q1", "1997Q2", "1997Q3", "1997Q4", "1998Q1", "1998Q2"] and ticks[6] == "⋯"
        page.locator(".st-key-kpi_trend").get_by_text("no data 1998Q3–2023Q3").wait_for()
        assert page.locator(ERROR_ELEMENTS).count() == 0
        page.screenshot(path="test-artifacts/browser_sample_gap.png", full_page=True)
