"""The Accounts page in a real Chromium against a real server, on a messy export: ops words for
headers, ￥ amounts with thousands separators, a missing quarter, an owner that looks like a
formula, Markdown and Chinese in names."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from b2b_core.access import LOCAL
from b2b_core.ingest import read_upload
from b2b_core.store import Workspace
from tests.browser import ERROR_ELEMENTS, chromium_page, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser

# account → (name, owner, [(quarter, commission, GMV)], contract end, contract value)
ACCOUNTS = {
    "CD00001": (
        "Golden **Harbor** Bakery",
        "Emma Li",
        [("2025Q1", 1200, 12000), ("2025Q2", 1100, 11000), ("2025Q3", 900, 10000), ("2025Q4", 700, 9000)],
        "2026-03-31",
        5000,
    ),
    "CD00002": (
        "Blue River Travel",
        "Dev Patel",
        [("2025Q1", 800, 9000), ("2025Q2", 850, 9500), ("2025Q3", 870, 9700)],
        "2025-12-31",
        3000,
    ),
    "CD00003": (
        "商户 三号 茶馆",
        '=HYPERLINK("x")',
        [("2025Q1", 300, 5000), ("2025Q2", 320, 5200), ("2025Q4", 350, 5300)],
        "",
        "",
    ),
    "CD00004": ("Quiet Lake Salon", "Emma Li", [("2025Q4", 450, 4000)], "2026-06-30", 2000),
    "CD00005": (
        "Red Hill Movers",
        "Dev Patel",
        [("2025Q1", 50, 800), ("2025Q2", 60, 900), ("2025Q3", 55, 850), ("2025Q4", 65, 950)],
        "2026-05-15",
        400,
    ),
    "CD00006": ("Green Leaf Optical", "Ann Wu", [("2025Q2", 2000, 20000), ("2025Q3", 2100, 21000)], "2026-12-31", 9000),
}


def messy_export() -> bytes:
    lines = ["Merchant ID,Quarter,Commission,GMV,Merchant name,Owner,Contract end,Contract value"]
    for account, (name, owner, quarters, end, value) in ACCOUNTS.items():
        quoted = owner.replace('"', '""')
        for quarter, commission, gmv in quarters:
            lines.append(f'{account},{quarter},"￥{commission:,.2f}","{gmv:,}","{name}","{quoted}",{end},{value}')
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("accounts") / "workspace.duckdb"
    result = read_upload(messy_export(), "merchants.csv")
    assert result.ok, result.errors
    with Workspace(path) as ws:
        ws.commit(result.table, "merchants.csv", actor=LOCAL)
    with streamlit_server(path) as url:
        yield url


def grid(page):
    """The shown list (the grid's accessible table, which follows the grid with a short delay)."""
    return page.locator('[data-testid="stDataFrame"]').locator("table").first


def pick_quarter(page, quarter: str) -> None:
    page.get_by_role("combobox", name="Quarter").click()
    page.get_by_role("option", name=quarter, exact=True).click()
    wait_until_idle(page)


def test_churned_owners_downloads_search_and_the_account_page(app_url, tmp_path):
    with chromium_page() as page:
        page.goto(app_url + "/accounts")
        wait_until_idle(page)
        page.get_by_role("heading", name="Accounts").wait_for()
        pick_quarter(page, "2025Q3")
        expect(grid(page)).to_contain_text("CD00003")  # active in 2025Q2, not in 2025Q3
        expect(grid(page)).to_contain_text('=HYPERLINK("x")')  # its owner, shown as typed
        with page.expect_download() as csv_file:
            page.get_by_role("button", name="Download all 1 churned accounts (CSV)").click()
        text = csv_file.value.path().read_bytes().decode("utf-8-sig")
        assert text.splitlines()[0].startswith("account_id,account_name,owner")
        assert 'CD00003,商户 三号 茶馆,"\'=HYPERLINK(""x"")"' in text
        with page.expect_download() as xlsx_file:
            page.get_by_role("button", name="Download all 1 churned accounts (XLSX)").click()
        sheet = load_workbook(io.BytesIO(xlsx_file.value.path().read_bytes()))["churned"]
        assert [c.value for c in sheet[2]][:3] == ["CD00003", "商户 三号 茶馆", '\'=HYPERLINK("x")']

        pick_quarter(page, "2025Q4")
        expect(grid(page)).to_contain_text("CD00006")  # the largest revenue lost first
        expect(grid(page)).to_contain_text("Ann Wu")
        expect(grid(page)).to_contain_text("Dev Patel")
        box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box, under the header
        wait_until_idle(page)
        expect(page).to_have_url(re.compile(r"/accounts\?account=CD00006$"))
        page.get_by_role("heading", name="CD00006 · Green Leaf Optical").wait_for()
        page.get_by_role("button", name="All accounts").click()
        expect(page).to_have_url(re.compile(r"/accounts$"))
        page.get_by_role("radio", name="At risk", exact=True).click()
        wait_until_idle(page)
        expect(grid(page)).to_contain_text("platform revenue fell two quarters in a row")
        expect(grid(page)).to_contain_text("contract ends 2026-03-31")

        page.get_by_role("textbox", name="Find an account").fill("lake")
        page.get_by_role("textbox", name="Find an account").press("Enter")
        wait_until_idle(page)
        page.get_by_role("link", name="CD00004 · Quiet Lake Salon").click()
        wait_until_idle(page)
        expect(page).to_have_url(re.compile(r"/accounts\?account=CD00004$"))
        page.get_by_role("heading", name="CD00004 · Quiet Lake Salon").wait_for()
        page.locator(".st-key-account_chart .js-plotly-plot .main-svg").first.wait_for(state="visible")

        page.goto(app_url + "/accounts?account=CD00001")  # the link alone opens the account
        wait_until_idle(page)
        page.get_by_role("heading", name="CD00001 · Golden **Harbor** Bakery").wait_for()
        expect(grid(page)).to_contain_text("2025Q4")
        assert page.locator(ERROR_ELEMENTS).count() == 0
        page.screenshot(path="test-artifacts/browser_account_page.png", full_page=True)
