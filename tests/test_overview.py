"""Quarter KPIs on a panel small enough to check by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from b2b_core import overview
from b2b_core.amounts import Currency


def panel(rows):
    frame = pd.DataFrame(rows, columns=["account_id", "quarter", "platform_revenue", "b_side_revenue", "active"])
    return frame.astype({"platform_revenue": float, "b_side_revenue": float, "active": bool})


# a: 2025Q1, Q2, Q4 (returns in Q4); b: Q1 only (churns in Q2); c: Q2, Q3, Q4 (new in Q2);
# d: Q3 (new) with no B-side revenue reported; e: Q3 row with no revenue and active False.
PANEL = panel(
    [
        ("a", "2025Q1", 10, 100, True),
        ("b", "2025Q1", 20, 400, True),
        ("a", "2025Q2", 12, 100, True),
        ("c", "2025Q2", 5, 50, True),
        ("c", "2025Q3", 6, 60, True),
        ("d", "2025Q3", 4, None, True),
        ("e", "2025Q3", 0, 0, False),
        ("a", "2025Q4", 15, 150, True),
        ("c", "2025Q4", 7, 70, True),
    ]
)


def test_quarter_kpis_count_new_churned_and_returning_accounts_by_hand():
    kpis = overview.quarter_kpis(PANEL)
    assert list(kpis.index) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert list(kpis["active_accounts"]) == [2, 2, 2, 2]
    assert list(kpis["new_accounts"]) == [2, 1, 1, 0]
    # Q2 loses b; Q3 loses a; Q4 loses d; Q1 has no quarter before it
    assert math.isnan(kpis.loc["2025Q1", "churned_accounts"])
    assert list(kpis["churned_accounts"].iloc[1:]) == [1, 1, 1]
    # a comes back in Q4 after missing Q3
    assert list(kpis["returning_accounts"].iloc[1:]) == [0, 0, 1]


def test_revenue_and_take_rate_use_only_rows_that_report_b_side_revenue():
    kpis = overview.quarter_kpis(PANEL)
    assert kpis.loc["2025Q1", "platform_revenue"] == 30
    assert kpis.loc["2025Q1", "take_rate"] == pytest.approx(30 / 500)
    # d reports no B-side revenue: platform revenue counts it, the take rate does not
    assert kpis.loc["2025Q3", "platform_revenue"] == 10
    assert kpis.loc["2025Q3", "b_side_revenue"] == 60
    assert kpis.loc["2025Q3", "take_rate"] == pytest.approx(6 / 60)


def test_a_missing_previous_quarter_makes_churn_and_returns_unknown():
    gap = PANEL[PANEL["quarter"] != "2025Q3"]
    kpis = overview.quarter_kpis(gap)
    assert math.isnan(kpis.loc["2025Q4", "churned_accounts"])
    assert math.isnan(kpis.loc["2025Q4", "returning_accounts"])


def test_latest_headlines_compare_with_the_quarter_before():
    latest, previous, headlines = overview.latest_headlines(PANEL)
    assert (latest, previous) == ("2025Q4", "2025Q3")
    revenue = next(h for h in headlines if h.name == "platform_revenue")
    assert (revenue.value, revenue.previous, revenue.change) == (22, 10, 12)
    assert revenue.relative_change == pytest.approx(1.2)


# x peaks every Q4: 100 in 2024Q4, 60 in 2025Q3, 110 in 2025Q4; y joins in 2025Q4 with no B-side revenue
PEAKS = panel(
    [
        ("x", "2024Q4", 100, 1000, True),
        ("x", "2025Q1", 50, 500, True),
        ("x", "2025Q2", 55, 550, True),
        ("x", "2025Q3", 60, 600, True),
        ("x", "2025Q4", 110, 1100, True),
        ("y", "2025Q4", 0.1, None, True),
    ]
)


def test_headlines_of_a_chosen_quarter_compare_quarter_on_quarter_or_year_on_year():
    kpis = overview.quarter_kpis(PEAKS)
    quarter, compared, found = overview.headlines(kpis, "2025Q4", "quarter")
    revenue = next(h for h in found if h.name == "platform_revenue")
    assert (quarter, compared, revenue.previous) == ("2025Q4", "2025Q3", 60)
    assert revenue.relative_change == pytest.approx(50.1 / 60)
    quarter, compared, found = overview.headlines(kpis, "2025Q4", "year")
    revenue = next(h for h in found if h.name == "platform_revenue")
    assert (compared, revenue.previous, revenue.why) == ("2024Q4", 100, None)
    assert revenue.relative_change == pytest.approx(10.1 / 100)
    quarter, compared, found = overview.headlines(kpis, "2025Q2", "year")
    assert compared is None and all(math.isnan(h.previous) for h in found)


def test_every_unknown_headline_says_why():
    kpis = overview.quarter_kpis(PEAKS)
    _, _, found = overview.headlines(kpis, "2024Q4", "quarter")
    why = {h.name: h.why for h in found}
    assert why["churned_accounts"] == (
        "2024Q3, the quarter before 2024Q4, is not in the data: who left or came back is unknown"
    )
    assert why["platform_revenue"] == "2024Q3 is not in the data: there is nothing to compare 2024Q4 with"
    _, _, found = overview.headlines(overview.quarter_kpis(PEAKS.assign(b_side_revenue=None)), "2025Q1")
    why = {h.name: h.why for h in found}
    assert why["b_side_revenue"] == why["take_rate"] == "no row of 2025Q1 reports B-side revenue"
    assert why["platform_revenue"] is None
    zero = PEAKS.assign(b_side_revenue=PEAKS["b_side_revenue"].where(PEAKS["quarter"] != "2025Q1", 0))
    _, _, found = overview.headlines(overview.quarter_kpis(zero), "2025Q2")
    why = {h.name: h.why for h in found}
    assert why["take_rate"] == (
        "no change shown: in 2025Q1, B-side revenue is 0 in 2025Q1: the take rate (platform / B-side revenue) "
        "is undefined"
    )
    assert why["b_side_revenue"] == "no relative change: it was 0 in 2025Q1"


def test_the_kpi_table_shows_amounts_with_two_decimals_and_shares_as_percentages():
    kpis = overview.quarter_kpis(PEAKS.assign(platform_revenue=PEAKS["platform_revenue"] * 75497.586))
    shown = overview.formatted_kpis(kpis)
    assert list(shown.columns) == list(overview.KPI_LABELS.values())
    row = shown.loc["2025Q4"]
    assert row["Platform revenue"] == "8,312,284.22"  # (110 + 0.1) × 75,497.586 = 8,312,284.2186
    assert overview.formatted_kpis(overview.quarter_kpis(PEAKS)).loc["2025Q4", "Take rate"] == "10.00%"
    assert row["Active accounts"] == "2" and row["B-side revenue"] == "1,100.00"
    assert shown.loc["2024Q4", "Churned accounts"] == "–"
    yuan = overview.formatted_kpis(kpis, Currency.of("¥", "CNY"))  # the amounts' headers name the currency
    assert list(yuan.columns) == [
        "Active accounts",
        "Platform revenue (CNY)",
        "B-side revenue (CNY)",
        "Take rate",
        "New accounts",
        "Churned accounts",
        "Returning accounts",
    ]
    assert yuan.loc["2025Q4", "Platform revenue (CNY)"] == "8,312,284.22"


def test_empty_panel_has_no_headlines():
    assert overview.latest_headlines(PANEL.iloc[:0]) == (None, None, [])
    assert overview.quarter_kpis(PANEL.iloc[:0]).empty


def test_kpis_match_a_duckdb_query_on_the_sample(tmp_path):
    import duckdb

    from b2b_core import sample

    data = sample.generate_panel(n_accounts=400, n_quarters=6, seed=5)
    kpis = overview.quarter_kpis(data)
    reference = (
        duckdb.sql(
            """
        SELECT quarter, count(DISTINCT account_id) FILTER (active) AS active_accounts,
               sum(platform_revenue) AS platform_revenue,
               sum(platform_revenue) FILTER (b_side_revenue IS NOT NULL)
                 / sum(b_side_revenue) AS take_rate
        FROM data GROUP BY quarter ORDER BY quarter
        """
        )
        .df()
        .set_index("quarter")
    )
    pd.testing.assert_series_equal(kpis["active_accounts"], reference["active_accounts"], check_dtype=False)
    pd.testing.assert_series_equal(kpis["platform_revenue"], reference["platform_revenue"], check_dtype=False)
    pd.testing.assert_series_equal(kpis["take_rate"], reference["take_rate"], check_dtype=False)
