"""Real-browser test of the definitions on screen, with a business whose data start at its launch:
one quarter at first (a dash on the quadrant page says why), then a currency set on the Data page
and two more quarters uploaded; the cohort page then keeps the first cohort and says why, names
Kaplan–Meier survival and the observed share apart, and amounts carry the currency."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from b2b_core.access import LOCAL
from b2b_core.store import Workspace
from tests.browser import ERROR_ELEMENTS, chromium_page, drawn_once, streamlit_server, wait_until_idle
from tests.test_browser import check_on_the_data_page

pytestmark = pytest.mark.browser


def launch(quarters: dict[str, int], start: int = 0) -> pd.DataFrame:
    """Accounts of a business from its launch: ``quarters`` maps a quarter to how many accounts
    start in it; each stays to the end, pays, and the odd ones report no B-side revenue."""
    rows, number, order = [], start, list(quarters)
    for i, starting in enumerate(quarters.values()):
        for _ in range(starting):
            number += 1
            for later in order[i:]:
                rows.append((f"M{number:03d}", later, 1000.0 * number, None if number % 2 else 9000.0 * number))
    return pd.DataFrame(rows, columns=["account_id", "quarter", "platform_revenue", "b_side_revenue"])


def tooltip_of(page, container) -> str:
    """The text of the help tooltip of ``container`` (a metric or a widget), hovered."""
    container.locator('[data-testid="stTooltipIcon"]').first.hover()
    tip = page.locator('[data-testid="stTooltipContent"]').last
    tip.wait_for(state="visible")
    text = tip.inner_text()
    page.mouse.move(0, 0)
    return text


def test_definitions_on_screen_for_data_starting_at_launch(tmp_path):
    workspace = tmp_path / "workspace.duckdb"
    with Workspace(workspace) as ws:  # committed before the app opens: no sample
        ws.commit(launch({"2024Q1": 2}), "launch_2024Q1.csv", actor=LOCAL)
    later = tmp_path / "merchants_2024Q2_2024Q3.csv"
    launch({"2024Q1": 2, "2024Q2": 3, "2024Q3": 4}).query("quarter != '2024Q1'").to_csv(later, index=False)

    with streamlit_server(workspace) as url, chromium_page() as page:
        # One quarter only: nothing to compare with, and the dash says why
        page.goto(url + "/quadrants")
        wait_until_idle(page)
        compare = page.locator('[data-testid="stSelectbox"]').filter(has_text="Compare with")
        expect(page.get_by_role("combobox", name="Compare with")).to_have_value("–")
        assert "2024Q1 is the first quarter of the data" in tooltip_of(page, compare)

        # The currency, set on the Data page, then two more quarters
        page.goto(url + "/data")
        wait_until_idle(page)
        currency = page.get_by_role("combobox", name="Currency of the amounts")
        drawn_once(page, currency)
        currency.click()
        page.keyboard.type("CNY")  # the list shows the options that match what is typed
        page.get_by_role("option", name="¥ CNY", exact=True).click()
        page.get_by_role("button", name="Save the currency").click()
        page.get_by_text("Amounts are now shown in ¥ CNY.").wait_for()
        check_on_the_data_page(page, later)
        page.get_by_role("button", name=re.compile(r"^Commit \d+ rows")).click()
        page.get_by_text(re.compile("Committed upload")).wait_for()
        wait_until_idle(page)

        # The cohort page: the first cohort kept, and why; the two measures named apart
        page.goto(url + "/cohorts")
        wait_until_idle(page)
        page.get_by_role("heading", name="Cohort renewals").wait_for()
        expect(page.get_by_role("checkbox", name="Leave out the 2024Q1 cohort")).not_to_be_checked()
        expect(page.get_by_text(re.compile(r"The 2024Q1 cohort \(2 accounts\) is kept: it is 0\.6×"))).to_be_visible()
        accounts = page.locator('[data-testid="stMetric"]').filter(has_text="Accounts in these cohorts")
        expect(accounts.locator('[data-testid="stMetricValue"]')).to_have_text("9")
        survival = page.locator('[data-testid="stMetric"]').filter(has_text="Survival after 4 quarters (Kaplan–Meier)")
        expect(survival.locator('[data-testid="stMetricValue"]')).to_have_text("–")
        said = tooltip_of(page, survival)
        assert "No account of these cohorts has been followed for 4 quarters yet" in said
        assert "the observed share counts only the accounts" in said
        triangle = page.locator(".st-key-triangle_chart .js-plotly-plot")
        expect(triangle.locator(".cbtitle")).to_contain_text("Observed share still active")
        expect(page.get_by_text(re.compile("Observed share still active: of a cohort's accounts"))).to_be_visible()
        page.screenshot(path="test-artifacts/browser_definitions_cohorts.png", full_page=True)

        # Amounts carry the currency: the revenue triangle's scale and the Overview's KPI
        page.get_by_text("Counts", exact=True).click()
        page.get_by_text("Revenue (NRR)", exact=True).first.click()
        wait_until_idle(page)
        drawn_once(page, triangle.locator(".cbtitle"))
        expect(triangle.locator(".cbtitle")).to_contain_text("Platform revenue (CNY)")
        page.goto(url + "/")
        wait_until_idle(page)
        expect(page.locator('[data-testid="stMetricValue"]').filter(has_text="¥").first).to_be_visible()
        drawn_once(page, page.locator('[data-testid="stExpander"]').filter(has_text="KPIs by quarter"))
        page.get_by_text("KPIs by quarter").click()
        table = page.locator('[data-testid="stDataFrame"]').filter(has_text="Take rate").locator("table")
        expect(table).to_contain_text("Platform revenue (CNY)")
        expect(table).to_contain_text("B-side revenue (CNY)")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the KPIs (CSV)").click()
        assert "Platform revenue (CNY)" in download.value.path().read_text(encoding="utf-8-sig").splitlines()[0]
        assert page.locator(ERROR_ELEMENTS).count() == 0
        page.screenshot(path="test-artifacts/browser_definitions_overview.png", full_page=True)

        # and the quadrant map names it on both amount axes
        page.goto(url + "/quadrants")
        wait_until_idle(page)
        quadrant_map = page.locator(".st-key-quadrant_chart .js-plotly-plot")
        expect(quadrant_map.locator(".g-xtitle")).to_contain_text("(CNY)")
        expect(quadrant_map.locator(".g-ytitle")).to_contain_text("(CNY)")
