"""The revenue bridge on panels small enough to check by hand, and against a DuckDB SQL query
written independently (every account on every quarter of the span, its revenue 0 where it has no row)."""

from __future__ import annotations

import math
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd
import pytest

from b2b_core import overview, sample, store
from b2b_core.access import LOCAL
from b2b_core.amounts import Currency

COLUMNS = ["account_id", "quarter", "platform_revenue", "b_side_revenue", "segment"]


def panel(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS).astype({"platform_revenue": float, "b_side_revenue": float})
    return frame.assign(active=frame["platform_revenue"] > 0)


# a grows, churns with a row of revenue 0, and comes back; b shrinks, moves segment and leaves
# without a row; c has a row of revenue 0 before its first revenue (new in Q3, then flat).
HAND = panel(
    [
        ("a", "2025Q1", 10, 100, "s1"),
        ("b", "2025Q1", 20, 200, "s1"),
        ("a", "2025Q2", 12, 120, "s1"),
        ("b", "2025Q2", 15, 150, "s2"),
        ("c", "2025Q2", 0, 0, "s1"),
        ("a", "2025Q3", 0, 0, "s1"),
        ("c", "2025Q3", 7, 70, "s1"),
        ("a", "2025Q4", 5, 50, "s2"),
        ("c", "2025Q4", 7, 70, "s1"),
    ]
)


def _as_numbers(bridge: pd.DataFrame) -> list[list[float]]:
    return bridge.astype(float).to_numpy().tolist()


def _identity_holds(bridge: pd.DataFrame) -> bool:
    b = bridge
    return bool((b.start + b.new + b.reactivated + b.expansion - b.contraction - b.churned == b.end).all())


def test_the_bridge_of_expansion_contraction_churn_new_and_reactivation_by_hand():
    bridge = overview.revenue_bridge(HAND)
    assert list(bridge.index) == ["2025Q2", "2025Q3", "2025Q4"]
    assert list(bridge.columns) == overview.BRIDGE_COLUMNS
    #                           start new react exp contr churn end
    assert _as_numbers(bridge) == [
        [30, 0, 0, 2, 5, 0, 27],  # a 10 → 12, b 20 → 15, c 0 → 0
        [27, 7, 0, 0, 0, 27, 7],  # a 12 → 0 (a row of 0), b 15 → no row, c first revenue
        [7, 0, 5, 0, 0, 0, 12],  # a back after a quarter at 0, c flat
    ]
    assert _identity_holds(bridge)
    assert overview.quick_ratio(bridge).tolist()[:2] == [2 / 5, 7 / 27]
    assert math.isnan(overview.quick_ratio(bridge).iloc[2])  # nothing lost in Q4


def test_the_bridge_of_b_side_revenue_by_hand():
    bridge = overview.revenue_bridge(HAND, "b_side_revenue")
    assert _as_numbers(bridge)[0] == [300, 0, 0, 20, 50, 0, 270]
    assert _as_numbers(bridge)[2] == [70, 0, 50, 0, 0, 0, 120]


def test_by_segment_an_account_counts_under_the_quarters_attribute_and_a_churned_one_under_the_quarter_before():
    bridge = overview.revenue_bridge(HAND, by="segment")
    assert list(bridge.index) == [
        ("2025Q2", "s1"),
        ("2025Q2", "s2"),
        ("2025Q3", "s1"),
        ("2025Q3", "s2"),
        ("2025Q4", "s1"),
        ("2025Q4", "s2"),
    ]
    assert _as_numbers(bridge) == [
        [10, 0, 0, 2, 0, 0, 12],  # a (s1 in Q2), c at 0
        [20, 0, 0, 0, 5, 0, 15],  # b counted under its Q2 segment
        [12, 7, 0, 0, 0, 12, 7],  # a churns, c new
        [15, 0, 0, 0, 0, 15, 0],  # b churns under s2, its segment in Q2
        [7, 0, 0, 0, 0, 0, 7],
        [0, 0, 5, 0, 0, 0, 5],  # a comes back in s2
    ]
    assert _identity_holds(bridge)


def test_the_identity_holds_exactly_where_floats_would_not():
    assert 0.1 + 0.2 != 0.3
    tenths = panel(
        [
            ("x", "2025Q1", 0.1, None, "s"),
            ("y", "2025Q1", 0.2, None, "s"),
            ("x", "2025Q2", 0.3, None, "s"),
            ("y", "2025Q2", 0, None, "s"),
            ("z", "2025Q2", 7549758.6, None, "s"),
        ]
    )
    row = overview.revenue_bridge(tenths).loc["2025Q2"]
    assert row["start"] == Decimal("0.3") and row["expansion"] == Decimal("0.2") and row["churned"] == Decimal("0.2")
    assert row["end"] == Decimal("7549758.9")
    assert row["start"] + row["new"] + row["expansion"] - row["churned"] == row["end"]


def test_the_bridge_table_shows_two_decimals_and_a_dash_where_nothing_was_lost():
    shown = overview.formatted_bridge(
        overview.revenue_bridge(HAND.assign(platform_revenue=HAND["platform_revenue"] * 1e5))
    )
    assert list(shown.columns) == list(overview.BRIDGE_LABELS.values())
    assert shown.loc["2025Q2"].tolist() == [
        "3,000,000.00",
        "0.00",
        "0.00",
        "200,000.00",
        "500,000.00",
        "0.00",
        "2,700,000.00",
        "0.40",
    ]
    assert shown.loc["2025Q4", "Quick ratio"] == "–"
    yuan = overview.formatted_bridge(overview.revenue_bridge(HAND), Currency.of("¥", "CNY"))
    assert list(yuan.columns) == [f"{label} (CNY)" for label in list(overview.BRIDGE_LABELS.values())[:-1]] + [
        "Quick ratio"
    ]


def test_one_quarter_has_no_bridge_and_no_b_side_revenue_bridges_to_zero():
    one = overview.revenue_bridge(HAND[HAND["quarter"] == "2025Q1"])
    assert one.empty and list(one.columns) == overview.BRIDGE_COLUMNS
    unreported = overview.revenue_bridge(HAND.assign(b_side_revenue=np.nan), "b_side_revenue")
    assert _as_numbers(unreported) == [[0] * 7] * 3
    assert overview.quick_ratio(unreported).isna().all()


def test_a_quarter_missing_from_the_data_fakes_no_churn_and_no_new_revenue():
    gap = HAND[HAND["quarter"] != "2025Q3"]
    assert overview.bridged_quarters(["2025Q1", "2025Q2", "2025Q4"]) == ["2025Q2"]
    bridge = overview.revenue_bridge(gap)
    assert list(bridge.index) == ["2025Q2"]  # 2025Q4 follows a quarter with no data: no bridge
    observed = ["2025Q1", "2025Q2", "2025Q4"]
    assert overview.why_no_bridge("2025Q4", observed).startswith("2025Q3, the quarter before 2025Q4, is not in the")
    assert overview.why_no_bridge("2025Q1", observed) == (
        "2025Q1 is the first quarter in the data: the bridge needs the quarter before it, 2024Q4"
    )


def test_a_selection_bridges_every_quarter_of_the_workspace_even_those_it_has_no_row_in():
    only_c = HAND[HAND["account_id"] == "c"]
    bridge = overview.revenue_bridge(only_c, observed=sorted(HAND["quarter"].unique()))
    assert list(bridge.index) == ["2025Q2", "2025Q3", "2025Q4"]
    assert _as_numbers(bridge) == [[0] * 7, [0, 7, 0, 0, 0, 0, 7], [7, 0, 0, 0, 0, 0, 7]]


def test_an_unknown_revenue_or_grouping_is_refused():
    with pytest.raises(ValueError, match="platform_revenue or b_side_revenue"):
        overview.revenue_bridge(HAND, "orders")
    with pytest.raises(ValueError, match="segment, region, tier, owner"):
        overview.revenue_bridge(HAND, by="account_name")


# --- against an independent SQL computation -------------------------------------------------------

REFERENCE_SQL = """
WITH rows AS (
    SELECT account_id, CAST(substr(quarter, 1, 4) AS INT) * 4 + CAST(substr(quarter, 6, 1) AS INT) - 1 AS o,
           COALESCE({revenue}, 0) AS r, COALESCE(CAST({by} AS VARCHAR), '(not set)') AS g
    FROM panel
),
span AS (SELECT unnest(range(min(o), max(o) + 1)) AS o FROM rows),
grid AS (  -- every account on every quarter of the span
    SELECT a.account_id, span.o, COALESCE(rows.r, 0) AS r, rows.g
    FROM (SELECT DISTINCT account_id FROM rows) a CROSS JOIN span
    LEFT JOIN rows ON rows.account_id = a.account_id AND rows.o = span.o
),
paired AS (
    SELECT o, r AS after, g,
           LAG(r) OVER (PARTITION BY account_id ORDER BY o) AS before,
           LAG(g) OVER (PARTITION BY account_id ORDER BY o) AS g_before,
           MIN(CASE WHEN r > 0 THEN o END) OVER (PARTITION BY account_id) AS first
    FROM grid
),
observed AS (SELECT DISTINCT o FROM rows)
SELECT o, CASE WHEN after = 0 AND before > 0 THEN g_before ELSE g END AS grp,
       SUM(before) AS start,
       SUM(CASE WHEN before = 0 AND after > 0 AND first = o THEN after ELSE 0 END) AS new,
       SUM(CASE WHEN before = 0 AND after > 0 AND first < o THEN after ELSE 0 END) AS reactivated,
       SUM(CASE WHEN after > before AND before > 0 THEN after - before ELSE 0 END) AS expansion,
       SUM(CASE WHEN after < before AND after > 0 THEN before - after ELSE 0 END) AS contraction,
       SUM(CASE WHEN after = 0 AND before > 0 THEN before ELSE 0 END) AS churned,
       SUM(after) AS "end"
FROM paired
WHERE o IN (SELECT o FROM observed) AND o - 1 IN (SELECT o FROM observed)
  AND (before > 0 OR after > 0)
GROUP BY ALL ORDER BY ALL
"""


def reference_bridge(frame: pd.DataFrame, revenue: str, by: str | None) -> pd.DataFrame:
    con = duckdb.connect()
    con.register("panel", frame)
    found = con.execute(REFERENCE_SQL.format(revenue=revenue, by=by or "NULL")).df()
    found["quarter"] = [f"{o // 4}Q{o % 4 + 1}" for o in found.pop("o")]
    return found.set_index(["quarter", "grp"] if by else "quarter").drop(columns=[] if by else "grp")


def _messy() -> pd.DataFrame:
    """The sample with a quarter missing, rows of revenue 0, unreported B-side revenue and accounts
    coming back after a gap."""
    frame = sample.generate_panel(600, 10, seed=5)
    frame = frame[frame["quarter"] != "2025Q2"].reset_index(drop=True)
    codes = pd.factorize(frame["account_id"])[0]
    frame.loc[codes % 7 == 0, "platform_revenue"] = 0.0
    frame.loc[codes % 5 == 0, "b_side_revenue"] = np.nan
    away = (codes % 3 == 0) & (frame["quarter"].str[-1].isin(["2", "4"]))
    return frame[~away].reset_index(drop=True)


REFERENCE_PANELS = {"sample": lambda: sample.generate_panel(), "messy": _messy}


@pytest.mark.parametrize("name", REFERENCE_PANELS)
@pytest.mark.parametrize("revenue", ["platform_revenue", "b_side_revenue"])
@pytest.mark.parametrize("by", [None, "tier", "owner"])
def test_the_bridge_equals_an_independent_sql_computation(name, revenue, by):
    frame = REFERENCE_PANELS[name]()
    bridge = overview.revenue_bridge(frame, revenue, by)
    expected = reference_bridge(frame, revenue, by)
    assert _identity_holds(bridge)
    got = bridge.astype(float)
    assert set(expected.index) <= set(got.index)
    expected = expected.reindex(got.index, fill_value=0.0)  # the reference skips groups where nothing moved
    assert (expected[["start", "new", "reactivated", "expansion", "contraction", "churned"]].sum() > 0).all()
    np.testing.assert_allclose(got.to_numpy(), expected[overview.BRIDGE_COLUMNS].to_numpy(), rtol=1e-9, atol=1e-5)


def test_the_bridge_of_the_live_panel_equals_that_of_its_pandas_copy(tmp_path):
    frame = _messy()
    with store.Workspace(tmp_path / "w.duckdb") as ws:
        ws.commit(frame, "messy", actor=LOCAL)
        live = ws.reduce(lambda table: overview.revenue_bridge(table, by="segment"))
    pd.testing.assert_frame_equal(live, overview.revenue_bridge(frame, by="segment"))
