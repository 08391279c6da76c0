"""Plan vs actual: a kept projection against the quarters that followed, on numbers small enough
to check by hand, and the kept projection's own checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from b2b_core import overview, quarters, sample, scenarios
from b2b_core.scenarios import KeptProjection, plan_vs_actual, waiting_text


def projection(accounts: list[tuple[float, float, float]], revenue: list[tuple[float, float, float]], first="2026Q4"):
    """A ``project`` frame of active accounts and platform revenue (point, lower, upper per
    quarter) from ``first`` on, B-side revenue and take rate unknown (no B-side revenue)."""
    index = pd.Index([quarters.shift(first, h) for h in range(len(accounts))], name="quarter")
    frame = pd.DataFrame(index=index)
    for name, values in (("active_accounts", accounts), ("platform_revenue", revenue)):
        frame[name], frame[f"{name}_lower"], frame[f"{name}_upper"] = zip(*values, strict=True)
    for name in ("b_side_revenue", "take_rate"):
        frame[name] = frame[f"{name}_lower"] = frame[f"{name}_upper"] = np.nan
    return frame


# Planned on data up to 2026Q3: 1,000 / 1,100 / 1,200 accounts, 50k / 55k / 60k of platform revenue
KEPT = KeptProjection.of(
    projection(
        [(1000, 950, 1050), (1100, 1000, 1200), (1200, 1050, 1350)],
        [(50_000, 45_000, 55_000), (55_000, 48_000, 62_000), (60_000, 50_000, 70_000)],
    ),
    "2026Q3",
)
# The data now run to 2027Q1: 2026Q4 and 2027Q1 were planned, 2027Q2 not yet observed
ACTUAL = pd.DataFrame(
    {"active_accounts": [900, 960, 1_200], "platform_revenue": [40_000.0, 49_000.0, 44_000.0]},
    index=pd.Index(["2026Q3", "2026Q4", "2027Q1"], name="quarter"),
)


def test_each_quarter_planned_and_observed_gets_its_error_and_whether_it_fell_in_the_band():
    check = plan_vs_actual(KEPT, ACTUAL)
    table = check.table
    assert list(table.index) == ["2026Q4", "2027Q1"]  # 2026Q3 was data at saving, 2027Q2 is not in yet
    # accounts: 960 against 1,000 → −4%, inside 950–1,050; 1,200 against 1,100 → +9.09%, inside 1,000–1,200
    assert table["active_accounts_planned"].tolist() == [1000, 1100]
    assert table["active_accounts_actual"].tolist() == [960, 1200]
    assert table["active_accounts_error"].tolist() == pytest.approx([-0.04, 100 / 1100])
    assert table["active_accounts_inside"].tolist() == [True, True]  # the upper bound itself is inside
    # revenue: 49k against 50k → −2%, inside 45k–55k; 44k against 55k → −20%, below 48k
    assert table["platform_revenue_error"].tolist() == pytest.approx([-0.02, -0.2])
    assert table["platform_revenue_inside"].tolist() == [True, False]
    assert table[["platform_revenue_lower", "platform_revenue_upper"]].loc["2027Q1"].tolist() == [48_000, 62_000]
    assert list(table.columns) == [
        f"{o}_{c}"
        for o in ("active_accounts", "platform_revenue")
        for c in ("planned", "lower", "upper", "actual", "error", "inside")
    ]


def test_the_summary_counts_quarters_compared_mean_absolute_error_and_quarters_in_the_band():
    summary = plan_vs_actual(KEPT, ACTUAL).summary
    assert list(summary.index) == ["active_accounts", "platform_revenue"]
    assert summary["quarters"].tolist() == [2, 2]
    # accounts: (4% + 9.09%) / 2 = 6.55%; revenue: (2% + 20%) / 2 = 11%
    assert summary["mean_absolute_error"].tolist() == pytest.approx([(0.04 + 100 / 1100) / 2, 0.11])
    assert summary["inside_band"].tolist() == [2, 1]


def test_nothing_to_compare_before_the_first_planned_quarter_is_committed():
    check = plan_vs_actual(KEPT, ACTUAL.loc[["2026Q3"]])
    assert not check.compared and check.table.empty
    assert check.summary["quarters"].tolist() == [0, 0] and check.summary["inside_band"].tolist() == [0, 0]
    assert waiting_text(KEPT) == "Saved on 2026Q3 data: its first planned quarter 2026Q4 is not in the data yet"


def test_a_plan_of_zero_has_no_relative_error():
    kept = KeptProjection.of(projection([(0, 0, 2)], [(0, 0, 10)]), "2026Q3")
    table = plan_vs_actual(kept, ACTUAL).table
    assert math.isnan(table.loc["2026Q4", "active_accounts_error"])
    assert table.loc["2026Q4", "platform_revenue_inside"] == np.False_  # 49k above a band of 0–10


def test_b_side_revenue_and_take_rate_are_compared_when_they_were_projected():
    frame = projection([(10, 9, 11)], [(100, 90, 110)])
    frame[["b_side_revenue", "b_side_revenue_lower", "b_side_revenue_upper"]] = [1000.0, 900.0, 1100.0]
    frame[["take_rate", "take_rate_lower", "take_rate_upper"]] = [0.10, 0.09, 0.11]
    kept = KeptProjection.of(frame, "2026Q3")
    assert kept.outputs == list(scenarios.OUTPUTS) and kept.horizon == 1
    actual = pd.DataFrame(
        {"active_accounts": [10], "platform_revenue": [120.0], "b_side_revenue": [1000.0], "take_rate": [0.12]},
        index=["2026Q4"],
    )
    check = plan_vs_actual(kept, actual)
    assert check.table.loc["2026Q4", "take_rate_error"] == pytest.approx(0.2)  # 12% against 10%: a fifth more
    assert not check.table.loc["2026Q4", "take_rate_inside"]
    assert check.table.loc["2026Q4", "b_side_revenue_error"] == 0


def test_outputs_without_values_are_not_kept_and_the_json_round_trip_is_exact():
    assert KEPT.outputs == ["active_accounts", "platform_revenue"] and KEPT.horizon == 3
    again = KeptProjection.from_json(KEPT.to_json(), "2026Q3")
    pd.testing.assert_frame_equal(again.projection, KEPT.projection)


@pytest.mark.parametrize(
    ("text", "last", "message"),
    [
        ("not json", "2026Q3", "JSON object of quarters"),
        ("{}", "2026Q3", "JSON object of quarters"),
        ('{"2026Q4": {"active_accounts": "many"}}', "2026Q3", "only numbers"),
        ('{"2026Q4": {"active_accounts": 1, "active_accounts_lower": 1}}', "2026Q3", "with its band"),
        ('{"2026Q4": {"gmv": 1}}', "2026Q3", "with its band"),
        (
            '{"2027Q1": {"active_accounts": 1, "active_accounts_lower": 1, "active_accounts_upper": 1}}',
            "2026Q3",
            "right after 2026Q3",
        ),
        (
            '{"2026Q4": {"active_accounts": 1, "active_accounts_lower": 1, "active_accounts_upper": 1}}',
            "2026Q3",
            "needs platform_revenue",
        ),
        (KEPT.to_json(), "Q3", "not a quarter"),
    ],
)
def test_a_kept_projection_that_is_not_one_is_refused_saying_why(text, last, message):
    with pytest.raises(ValueError, match=message):
        KeptProjection.from_json(text, last)


def test_a_projection_saved_two_quarters_back_is_compared_with_the_two_quarters_that_followed():
    """The generated sample: projected from its data up to 2026Q1, compared with the actual
    2026Q2 and 2026Q3 of ``overview.quarter_kpis``; the plan and band are ``project``'s."""
    panel = sample.generate_panel(n_accounts=400, n_quarters=8, last_quarter="2026Q3", seed=3)
    projected = scenarios.project(panel[panel["quarter"] <= "2026Q1"], horizon=4)
    kept = KeptProjection.of(projected, "2026Q1")
    assert kept.outputs == list(scenarios.OUTPUTS)  # the sample has B-side revenue
    actual = overview.quarter_kpis(panel)
    check = plan_vs_actual(kept, actual)
    assert list(check.table.index) == ["2026Q2", "2026Q3"]
    for output in scenarios.OUTPUTS:
        pd.testing.assert_series_equal(
            check.table[f"{output}_planned"], projected.loc[["2026Q2", "2026Q3"], output], check_names=False
        )
        pd.testing.assert_series_equal(
            check.table[f"{output}_actual"], actual.loc[["2026Q2", "2026Q3"], output].astype(float), check_names=False
        )
    assert check.summary["quarters"].tolist() == [2, 2, 2, 2]
