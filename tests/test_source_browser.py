"""The app on a source outside the workspace, in a real browser: a Spark session (``local[2]``)
reading a lake's Parquet file (Chinese column names, the quarter a load timestamp named by the
mapping, a quarter missing, accounts leaving and returning, B-side revenue missing for some) shows
the Overview's numbers DuckDB gives on the same panel and draws every page; bad sources (a file
not there yet, rows failing the contract's checks, a connection holding a password) give messages,
never a number or a credential, while the Data page keeps working.

Spark is slow to start and to answer: the first page may take a minute. Each page's time is
printed (``pytest -s``)."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from b2b_core import overview
from tests import source_files
from tests.browser import ERROR_ELEMENTS, chromium_page, drawn_once, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser
FIRST_PAGE_MS = 120_000  # a Spark session started, the source checked and the first views computed
PAGE_MS = 90_000
PAGES = {  # path → its title (the deck in presentation mode has none)
    "lifecycle": "Lifecycle priorities",
    "quadrants": "Revenue quadrants",
    "cohorts": "Cohort renewals",
    "accounts": "Accounts",
    "scenarios": "Scenario lab",
    "workshop": "Workshop",
    "workshop?present=1&slide=2": None,
}
PASSWORD = "S3cret-pw"


@pytest.fixture(scope="module")
def spark_app(tmp_path_factory):
    """(server URL, its workspace file, the panel the source holds) of the app on a Spark source."""
    folder = tmp_path_factory.mktemp("spark_source")
    panel = source_files.lake_panel()
    lake = source_files.write_parquet(source_files.as_lake(panel), folder / "lake.parquet")
    # each page computes its own views, with no background preparation taking local[2]'s two cores
    environ = {"B2B_SOURCE": "local[2]", "B2B_SOURCE_PARQUET": str(lake), "B2B_PREPARE_VIEWS": "0"}
    environ["B2B_SOURCE_MAPPING"] = json.dumps(source_files.MAPPING)
    workspace = folder / "workspace.duckdb"
    with streamlit_server(workspace, environ=environ) as url:
        yield url, workspace, panel


def timed_visit(page, url: str, title: str | None, timeout_ms: float = PAGE_MS) -> float:
    """Open ``url``, wait until its run has ended with its ``title`` drawn; the seconds it took."""
    start = time.monotonic()
    page.goto(url)
    if title:
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)
    return time.monotonic() - start


def drawn_without_error(page) -> None:
    expect(page.locator(ERROR_ELEMENTS)).to_have_count(0)
    assert "Traceback" not in page.inner_text("body")


def kpi_cards(page) -> dict[str, tuple[str, str | None]]:
    """The Overview's KPI cards: label → (value, change)."""
    cards = {}
    for card in page.locator('[data-testid="stMetric"]').all():
        label = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        delta = card.locator('[data-testid="stMetricDelta"]')
        shown = delta.inner_text().strip() if delta.count() else None
        cards[label] = (card.locator('[data-testid="stMetricValue"]').inner_text().strip(), shown)
    return cards


def choose(page, box: str, option: str) -> None:
    """Choose ``option`` in the multiselect ``box`` and close its list; the list is opened again
    when a click on a page still settling was lost."""
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        page.locator('[data-testid="stMultiSelect"]').filter(has_text=box).click()
        try:
            wanted.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    wanted.click()
    page.keyboard.press("Escape")


def kpi_table(panel) -> list[str]:
    """The cells of the Overview's "KPIs by quarter" table for ``panel``, row by row."""
    shown = overview.formatted_kpis(overview.quarter_kpis(panel))
    return [cell for quarter, row in shown.iterrows() for cell in (quarter, *row)]


@pytest.mark.spark  # the server's Spark session needs Java and pyspark (requirements-spark.txt)
def test_every_page_draws_on_a_spark_source_and_the_overview_equals_duckdb(spark_app):
    url, workspace, panel = spark_app
    expected = source_files.overview_metrics(panel)  # DuckDB on the pandas panel
    times = {}
    with chromium_page(1280, 900) as page:
        times["overview"] = timed_visit(page, url, "Overview", FIRST_PAGE_MS)
        expect(page.locator('[data-testid="stMetric"]').filter(has_text="Churned accounts")).to_be_visible()
        drawn_without_error(page)
        cards = kpi_cards(page)
        assert {label: cards[label] for label in expected} == expected
        expect(page.get_by_text("Quarter 2026Q2, compared with 2026Q1 (quarter on quarter)")).to_be_visible()
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_contain_text("9 quarters · 2024Q1 – 2026Q2")
        expect(sidebar).to_contain_text(f"Spark (local[2]) · Parquet {workspace.parent / 'lake.parquet'}")

        # a filter (the accounts whose latest region is the first, their whole history): the sums by
        # group Spark computes give the KPIs DuckDB gives for those accounts, every quarter's
        latest = panel.sort_values("quarter").groupby("account_id").tail(1)
        region = sorted(latest["region"].unique())[0]
        chosen = panel[panel["account_id"].isin(latest.loc[latest["region"] == region, "account_id"])]
        start = time.monotonic()
        choose(page, "Region", region)
        accounts = page.locator('[data-testid="stMetric"]').filter(has_text="Active accounts").first
        expect(accounts.locator('[data-testid="stMetricValue"]')).to_have_text(
            source_files.overview_metrics(chosen)["Active accounts"][0], timeout=PAGE_MS
        )
        wait_until_idle(page, PAGE_MS)
        times["region filter"] = time.monotonic() - start
        drawn_without_error(page)
        drawn_once(page, page.locator('[data-testid="stExpander"]').filter(has_text="KPIs by quarter"))
        page.get_by_text("KPIs by quarter").click()
        table = page.locator('[data-testid="stDataFrame"]').filter(has_text="Take rate").locator("table")
        expect(table).to_contain_text("2024Q1")
        assert table.locator("td").all_inner_texts() == kpi_table(chosen)
        page.screenshot(path="test-artifacts/browser_spark_overview.png", full_page=True)

        for path, title in PAGES.items():
            times[path] = timed_visit(page, f"{url}/{path}", title)
            drawn_without_error(page)
        expect(page.get_by_text("2 / 9 · Agenda")).to_be_visible()

        times["data"] = timed_visit(page, f"{url}/data", "Data")
        drawn_without_error(page)
        expect(page.get_by_text("Uploads are off: the views read the source")).to_be_visible()
        expect(page.get_by_text("1,295 rows in 9 quarters; every check of the data contract passed")).to_be_visible()
        page.get_by_text("How the source's columns were mapped").click()
        mapping = page.locator('[data-testid="stDataFrame"]').filter(has_text="统计日")
        expect(mapping.locator("table")).to_contain_text("quarter")
        expect(page.locator('[data-testid="stFileUploader"]').filter(has_text="account export")).to_have_count(0)
    print("seconds per page on Spark:", {path: round(seconds, 1) for path, seconds in times.items()})
    log = workspace.with_suffix(".log").read_text()
    assert "Traceback" not in log and '"level": "ERROR"' not in log, log[-3000:]  # no view failed on Spark


@pytest.fixture(scope="module")
def lake_app(tmp_path_factory):
    """(server URL, its workspace file, the Parquet path its source reads, not there yet): DuckDB
    reads the file, fast where the point is the message."""
    folder = tmp_path_factory.mktemp("bad_source")
    lake = folder / "lake.parquet"
    environ = {"B2B_SOURCE": "duckdb://", "B2B_SOURCE_PARQUET": str(lake), "B2B_PREPARE_VIEWS": "0"}  # views on demand
    environ["B2B_SOURCE_MAPPING"] = json.dumps(source_files.MAPPING)
    workspace = folder / "workspace.duckdb"
    with streamlit_server(workspace, environ=environ) as url:
        yield url, workspace, lake


def test_a_missing_file_then_rows_failing_the_checks_show_messages_and_no_number(lake_app):
    url, workspace, lake = lake_app
    with chromium_page(1280, 900) as page:
        timed_visit(page, url, "Overview")
        expect(page.get_by_text("has no such table or path")).to_be_visible()
        expect(page.get_by_text("Check [source] table or parquet")).to_be_visible()
        expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)
        expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Not available · see the page")

        source_files.write_parquet(source_files.failing(source_files.as_lake(source_files.lake_panel())), lake)
        page.get_by_role("button", name="Try again").click()
        expect(page.get_by_text("fails the data contract's checks")).to_be_visible()
        wait_until_idle(page)
        report = page.locator('[data-testid="stMarkdownContainer"] ul').first
        for check in (
            "quarter not readable (column 统计日): 1 row",
            "platform_revenue negative (column 佣金收入): 1 row, e.g. -120.0",
            "one row per account and quarter (column 商户号): 2 rows",
        ):
            expect(report).to_contain_text(check)
        expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)
        expect(page.get_by_role("button", name="Try again")).to_be_visible()
        assert "Traceback" not in page.inner_text("body")
        page.screenshot(path="test-artifacts/browser_source_failing_checks.png", full_page=True)

        timed_visit(page, f"{url}/data", "Data")  # the workspace's parts still work
        expect(page.get_by_text("fails the data contract's checks")).to_be_visible()
        expect(page.get_by_role("heading", name="Currency")).to_be_visible()
        expect(page.get_by_text("Currency of the amounts")).to_be_visible()
        expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)

        source_files.write_parquet(source_files.as_lake(source_files.lake_panel()), lake)  # corrected
        page.get_by_role("button", name="Try again").click()
        wait_until_idle(page)
        expect(page.get_by_text("every check of the data contract passed")).to_be_visible()
        timed_visit(page, url, "Overview")
        expect(page.locator('[data-testid="stMetric"]').filter(has_text="Active accounts")).to_be_visible()
        lake.unlink()  # gone while the app runs: the next view asked of the engine fails
        page.locator('[data-testid="stButtonGroup"]').get_by_text(
            "B-side revenue", exact=True
        ).click()  # reruns the revenue bridge's part only
        expect(page.get_by_text("has no such table or path")).to_be_visible()
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        page.screenshot(path="test-artifacts/browser_source_gone_under_a_view.png", full_page=True)


def test_a_password_in_the_connection_is_never_shown_nor_logged(tmp_path):
    workspace = tmp_path / "workspace.duckdb"
    environ = {"B2B_SOURCE": f"postgres://ops:{PASSWORD}@127.0.0.1:1/db", "B2B_SOURCE_TABLE": "ops.account_quarters"}
    with streamlit_server(workspace, environ=environ) as url, chromium_page(1280, 900) as page:
        for path, title in (("", "Overview"), ("data", "Data"), ("accounts", "Accounts")):
            timed_visit(page, f"{url}/{path}", title)
            expect(page.locator('[data-testid="stAlertContentError"]').first).to_contain_text("postgres 127.0.0.1:1/db")
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            assert PASSWORD not in page.content()
            page.get_by_role("button", name="Try again").click()  # asks the engine again, logs nothing secret
            wait_until_idle(page)
    assert PASSWORD not in workspace.with_suffix(".log").read_text()
