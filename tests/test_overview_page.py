"""AppTest tests of the Overview on an export of a business whose revenue peaks every Q4, with a
quarter missing and accounts that report no B-side revenue."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from b2b_core import overview
from b2b_core.access import LOCAL
from b2b_core.ingest import read_upload
from b2b_core.store import Workspace
from tests import panels
from tests.apptest import open_app

AMOUNT = re.compile(r"^(–|\d{1,3}(,\d{3})*\.\d{2})$")


@pytest.fixture
def peak_panel(workspace_path) -> pd.DataFrame:
    """The Q4-peak export committed before the app opens (no sample), and the panel it holds."""
    result = read_upload(panels.q4_peak_export(), "merchants_q4_peak.csv")
    assert result.error_count == 0
    with Workspace(workspace_path) as ws:
        ws.commit(result.table, "merchants_q4_peak.csv", actor=LOCAL)
        return ws.panel()


def quarter_caption(app) -> str:
    """The line that names the quarter shown and what it is compared with."""
    return next(c.value for c in app.caption if c.value.startswith("Quarter **"))


def metric(app, label: str):
    return next(m for m in app.metric if m.label == label)


def test_a_q4_peak_reads_quarter_on_quarter_with_the_year_on_year_change_at_hand_and_a_click_away(peak_panel):
    kpis = overview.quarter_kpis(peak_panel)
    _, _, qoq = overview.headlines(kpis, "2025Q4", "quarter")
    _, _, yoy = overview.headlines(kpis, "2025Q4", "year")
    qoq_revenue, yoy_revenue = (next(h for h in found if h.name == "platform_revenue") for found in (qoq, yoy))
    app = open_app()
    assert quarter_caption(app) == "Quarter **2025Q4**, compared with 2025Q3 (quarter on quarter)"
    revenue = metric(app, "Platform revenue")
    assert revenue.delta == f"{100 * qoq_revenue.relative_change:+.1f}%"
    yoy_said = f"{100 * yoy_revenue.relative_change:+.1f}%"
    assert f"Year on year (vs 2024Q4): {yoy_said}." in revenue.help
    assert any(c.value == f"Year on year, platform revenue {yoy_said} (2024Q4 → 2025Q4)." for c in app.caption)
    app.segmented_control(key="overview:comparison").set_value("year").run()
    assert quarter_caption(app) == "Quarter **2025Q4**, compared with 2024Q4 (year on year)"
    assert metric(app, "Platform revenue").delta == yoy_said
    assert not app.exception


def test_a_quarter_after_the_missing_one_has_no_comparison_and_no_bridge_and_says_why(peak_panel):
    app = open_app()
    app.selectbox(key="overview:quarter").select("2024Q3").run()
    assert quarter_caption(app) == "Quarter **2024Q3**, no comparison: 2024Q2 is not in the data"
    churned = metric(app, "Churned accounts")
    assert churned.value == "–"
    assert churned.help.startswith("2024Q2, the quarter before 2024Q3, is not in the data: who left or came back")
    assert metric(app, "Platform revenue").help.startswith(
        "2024Q2 is not in the data: there is nothing to compare 2024Q3 with."
    )
    assert any(
        i.value == "No bridge for 2024Q3: 2024Q2, the quarter before 2024Q3, is not in the data: a quarter missing is "
        "not read as every account leaving and coming back."
        for i in app.info
    )
    assert not app.exception


def test_the_filters_choose_accounts_by_their_latest_attributes_in_every_number(peak_panel):
    latest = peak_panel.sort_values("quarter").groupby("account_id").tail(1)
    region = sorted(latest["region"].unique())[0]
    chosen = peak_panel[peak_panel["account_id"].isin(latest.loc[latest["region"] == region, "account_id"])]
    kpis = overview.quarter_kpis(chosen)
    bridge = overview.revenue_bridge(chosen, observed=sorted(peak_panel["quarter"].unique()))
    app = open_app()
    app.multiselect(key="filter:region").set_value([region]).run()
    assert metric(app, "Active accounts").value == f"{kpis.loc['2025Q4', 'active_accounts']:,.0f}"
    assert metric(app, "Quick ratio").value == overview.formatted_bridge(bridge).loc["2025Q4", "Quick ratio"]
    shown = app.dataframe[0].value  # the bridge by quarter
    assert shown.loc["2025Q4", "End"] == f"{float(bridge.loc['2025Q4', 'end']):,.2f}"
    assert not app.exception


def test_the_tables_show_amounts_with_two_decimals_shares_as_percentages_and_explain_their_dashes(peak_panel):
    app = open_app()
    bridge, kpis = (d.value for d in app.dataframe)
    for table, columns in (
        (bridge, ["Start", "New", "Churned", "End"]),
        (kpis, ["Platform revenue", "B-side revenue"]),
    ):
        for column in columns:
            assert table[column].map(AMOUNT.match).all(), (column, table[column].tolist())
    assert kpis["Take rate"].str.fullmatch(r"\d+\.\d{2}%").all()
    assert kpis.loc["2023Q3", "Churned accounts"] == "–"
    dashes = [c.value for c in app.caption if c.value.startswith("– ")]
    assert any(line.startswith("– 2024Q3, churned accounts and returning accounts: 2024Q2") for line in dashes)
    assert app.get("plotly_chart")  # the waterfall and the trend


def test_the_b_side_bridge_of_quarters_without_b_side_revenue_says_there_is_nothing_to_bridge(workspace_path):
    with Workspace(workspace_path) as ws:
        for quarter in ("2025Q3", "2025Q4"):
            ws.commit(
                pd.DataFrame({"account_id": ["A", "B"], "quarter": quarter, "platform_revenue": [1.0, 2.0]}),
                f"{quarter}.csv",
                actor=LOCAL,
            )
    app = open_app()
    assert metric(app, "Take rate").value == "–"
    assert metric(app, "Take rate").help.startswith("No row of 2025Q4 reports B-side revenue.")
    assert metric(app, "Quick ratio").value == "–"
    assert "Nothing was lost in 2025Q4" in metric(app, "Quick ratio").help
    app.segmented_control(key="overview:revenue").set_value("b_side_revenue").run()
    assert any(i.value.startswith("No B-side revenue is reported in 2025Q3 or 2025Q4") for i in app.info)
    assert not app.exception


def test_the_bridge_splits_by_segment_into_parts_that_add_up_to_the_quarters(peak_panel):
    bridge = overview.revenue_bridge(peak_panel, by="segment").loc["2025Q4"]
    app = open_app()
    app.segmented_control(key="overview:split").set_value("segment").run()
    split = app.dataframe[0].value
    assert list(split.index) == list(bridge.index)
    assert split["End"].tolist() == [f"{float(v):,.2f}" for v in bridge["end"]]
    total = overview.revenue_bridge(peak_panel).loc["2025Q4"]
    assert sum(bridge["end"]) == total["end"] and sum(bridge["churned"]) == total["churned"]
    assert not app.exception
