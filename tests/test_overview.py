"""Quarter KPIs on a panel small enough to check by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from b2b_core import overview


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
