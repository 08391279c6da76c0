"""The Overview in a real browser on an export of a business whose revenue peaks every Q4, with a
quarter missing and accounts that report no B-side revenue: the quarter picker, year on year, a
filter, the revenue bridge's waterfall and the formatted KPI table, every dash with its reason; and
the same page in Chinese (`?lang=zh`), the language kept as the navigation changes page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from b2b_core import overview
from b2b_core.access import LOCAL
from b2b_core.ingest import read_upload
from b2b_core.store import Workspace
from tests import panels
from tests.browser import ERROR_ELEMENTS, chromium_page, drawn_once, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser
RAW_FLOAT = re.compile(r"\d\.\d{3,}")  # 7549758.600000001, never shown


@pytest.fixture(scope="module")
def peak(tmp_path_factory):
    """(server URL, the committed panel) of a workspace holding the Q4-peak export only."""
    path = tmp_path_factory.mktemp("overview") / "workspace.duckdb"
    result = read_upload(panels.q4_peak_export(), "merchants_q4_peak.csv")
    with Workspace(path) as ws:
        ws.commit(result.table, "merchants_q4_peak.csv", actor=LOCAL)
        panel = ws.panel()
    with streamlit_server(path) as url:
        yield url, panel


def caption(page, start: str):
    return page.locator('[data-testid="stCaptionContainer"]').filter(has_text=start).first


def tooltip_of(page, label: str) -> str:
    """The help text of the metric ``label``, as its tooltip shows it on hover."""
    page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stTooltipIcon"]').hover()
    tip = page.locator('[data-testid="stTooltipContent"]').last
    tip.wait_for(state="visible")
    text = tip.inner_text()
    page.mouse.move(0, 0)
    return text


def test_the_overview_of_a_q4_peak_can_be_steered_and_explains_itself(peak, tmp_path):
    url, panel = peak
    kpis = overview.quarter_kpis(panel)
    _, _, yoy = overview.headlines(kpis, "2025Q4", "year")
    yoy_revenue = f"{100 * next(h for h in yoy if h.name == 'platform_revenue').relative_change:+.1f}%"
    with chromium_page() as page:
        page.goto(url)
        wait_until_idle(page)
        page.get_by_role("heading", name="Overview").wait_for()
        expect(caption(page, "Quarter 2025Q4")).to_have_text(
            "Quarter 2025Q4, compared with 2025Q3 (quarter on quarter)"
        )
        expect(caption(page, "Year on year")).to_have_text(
            f"Year on year, platform revenue {yoy_revenue} (2024Q4 → 2025Q4)."
        )
        assert f"Year on year (vs 2024Q4): {yoy_revenue}." in tooltip_of(page, "Platform revenue")

        # the waterfall of the latest quarter: the quarter before, five flows, the quarter
        chart = ".st-key-bridge_chart .js-plotly-plot"
        page.wait_for_function("(s) => document.querySelector(s)?._fullData?.[0]?.x?.length === 7", arg=chart)
        assert page.evaluate("(s) => document.querySelector(s)._fullData[0].x", chart) == [
            "2025Q3", "New", "Reactivated", "Expansion", "Contraction", "Churned", "2025Q4"
        ]  # fmt: skip
        page.screenshot(path="test-artifacts/browser_overview_q4_peak.png", full_page=True)

        # year on year
        page.get_by_text("Year before", exact=True).click()
        wait_until_idle(page)
        expect(caption(page, "Quarter 2025Q4")).to_have_text("Quarter 2025Q4, compared with 2024Q4 (year on year)")
        revenue = page.locator('[data-testid="stMetric"]').filter(has_text="Platform revenue").first
        expect(revenue.locator('[data-testid="stMetricDelta"]')).to_have_text(yoy_revenue)

        # the quarter after the missing one: dashes and no bridge, each saying why
        page.get_by_text("Quarter before", exact=True).click()
        wait_until_idle(page)
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Quarter").click()
        page.get_by_role("option", name="2024Q3", exact=True).click()
        wait_until_idle(page)
        expect(caption(page, "Quarter 2024Q3")).to_have_text("Quarter 2024Q3, no comparison: 2024Q2 is not in the data")
        churned = page.locator('[data-testid="stMetric"]').filter(has_text="Churned accounts")
        expect(churned.locator('[data-testid="stMetricValue"]')).to_have_text("–")
        assert tooltip_of(page, "Churned accounts").startswith("2024Q2, the quarter before 2024Q3, is not in the data")
        expect(
            page.get_by_text("No bridge for 2024Q3: 2024Q2, the quarter before 2024Q3, is not in the data")
        ).to_be_visible()

        # a filter: the accounts whose latest region is the first
        latest = panel.sort_values("quarter").groupby("account_id").tail(1)
        region = sorted(latest["region"].unique())[0]
        chosen = panel[panel["account_id"].isin(latest.loc[latest["region"] == region, "account_id"])]
        active = f"{overview.quarter_kpis(chosen).loc['2024Q3', 'active_accounts']:,.0f}"
        page.locator('[data-testid="stMultiSelect"]').filter(has_text="Region").click()
        page.get_by_role("option", name=region, exact=True).click()
        page.keyboard.press("Escape")
        wait_until_idle(page)
        accounts = page.locator('[data-testid="stMetric"]').filter(has_text="Active accounts").first
        expect(accounts.locator('[data-testid="stMetricValue"]')).to_have_text(active)

        # the KPI table and its CSV: two decimals, percentages, dashes explained, no raw float
        kpi_tables = page.locator('[data-testid="stExpander"]').filter(has_text="KPIs by quarter")
        drawn_once(page, kpi_tables)  # the filter's rerun may still draw it again, closed
        page.get_by_text("KPIs by quarter").click()
        table = page.locator('[data-testid="stDataFrame"]').filter(has_text="Take rate")
        expect(table.locator("table")).to_contain_text("%")
        cells = table.locator("table td").all_inner_texts()
        assert cells and all(re.fullmatch(r"–|\d{1,3}(,\d{3})*(\.\d{2}%?)?|\d{4}Q\d", c) for c in cells), cells
        expect(page.get_by_text("– 2024Q3, churned accounts and returning accounts: 2024Q2")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the KPIs (CSV)").click()
        csv = download.value.path().read_text(encoding="utf-8-sig")
        assert re.search(r'"\d{1,3}(,\d{3})+\.\d{2}"', csv) and re.search(r"\d+\.\d{2}%", csv)
        assert not RAW_FLOAT.search(csv)
        assert page.locator(ERROR_ELEMENTS).count() == 0
        page.screenshot(path="test-artifacts/browser_overview_filtered.png", full_page=True)


def test_the_overview_reads_in_chinese_with_lang_zh_and_keeps_it_across_pages(peak):
    url, _ = peak
    with chromium_page() as page:
        page.goto(f"{url}/?lang=zh")
        wait_until_idle(page)
        page.get_by_role("heading", name="总览").wait_for()
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav).to_contain_text("生命周期优先事项")
        expect(nav).not_to_contain_text("Overview")
        label = page.locator('[data-testid="stMetricLabel"]').filter(has_text="活跃客户").first
        expect(label).to_be_visible()
        assert "Noto Sans CJK SC" in label.evaluate("e => getComputedStyle(e).fontFamily")
        page.screenshot(path="test-artifacts/browser_overview_zh.png", full_page=True)
        nav.get_by_role("link", name="数据").click()
        expect(page).to_have_url(re.compile(r"/data\?lang=zh$"))
        wait_until_idle(page)
        expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("工作区")
        assert page.locator(ERROR_ELEMENTS).count() == 0
