"""Revenue quadrants on panels small enough to check by hand (DESIGN §5): assignment with ties at
the cut, zeros and unplaced rows; migration between two quarters with new, returning and churned
accounts; the quarter mix; k-means segments on clearly separated groups; the account selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b2b_core import engine, sample
from b2b_core.quadrants import (
    AFTER_STATES,
    AT_CUT,
    BEFORE_STATES,
    INACTIVE,
    NO_B_SIDE,
    PLACED,
    QUADRANTS,
    SUMMARY_COLUMNS,
    account_clusters,
    accounts_matching,
    assign_quadrants,
    cut_ties,
    describe,
    migration_accounts,
    quadrant_migration,
    quadrant_summary,
    segment_accounts,
)
from b2b_core.quadrants.segments import MIN_ACCOUNTS, Feature

nan = float("nan")


def panel(rows, extra=("segment", "orders")):
    """Rows of (account_id, quarter, b_side_revenue, platform_revenue, active, *extra): x before y,
    as on the chart."""
    columns = ["account_id", "quarter", "b_side_revenue", "platform_revenue", "active", *extra]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"b_side_revenue": float, "platform_revenue": float, "active": bool})


# 2025Q1: seven placed accounts (a … g), one active without B-side revenue (h), one inactive row (i).
# Placed B-side revenue sorted: 0, 100, 200, 400, 600, 800, 1400 → median 400 (e), mean 3500 / 7 = 500.
# Placed platform revenue sorted: 0, 10, 20, 40, 60, 80, 140 → median 40 (f), mean 350 / 7 = 50.
# "orders" is a custom metric.
MAP = panel(
    [
        ("a", "2025Q1", 1400, 140, True, "Retail", 14),  # both high: Q1
        ("b", "2025Q1", 800, 10, True, "Retail", 8),  # B-side high only: Q4
        ("c", "2025Q1", 100, 0, True, "Retail", 1),  # zero platform revenue: Q3
        ("d", "2025Q1", 200, 20, True, "Retail", 2),  # both low: Q3
        ("e", "2025Q1", 400, 60, True, "Travel", 4),  # B-side exactly at the median → low: Q2
        ("f", "2025Q1", 600, 40, True, "Travel", 6),  # platform exactly at the median → low: Q4
        ("g", "2025Q1", 0, 80, True, "Travel", 0),  # zero B-side revenue: Q2, take rate NaN
        ("h", "2025Q1", nan, 50, True, "Travel", 5),  # active, B-side unknown: not placed
        ("i", "2025Q1", 0, 0, False, "Retail", 0),  # inactive row: not placed
        # 2025Q2: B-side median 700 (b), platform median 30 (j): a Q1, b Q3, j Q3
        ("a", "2025Q2", 1500, 150, True, "Retail", 15),
        ("b", "2025Q2", 700, 20, True, "Retail", 7),
        ("j", "2025Q2", 300, 30, True, "Travel", 3),
    ]
)
MAP_IDS = list("abcdefghi")


def by_account(assigned: pd.DataFrame, column: str) -> dict:
    return dict(zip(assigned["account_id"], assigned[column].astype(object)))


def states(assigned: pd.DataFrame) -> str:
    """The quadrants of a … g as one string, e.g. "Q1 Q4 Q3 …"."""
    quadrant = by_account(assigned, "quadrant")
    return " ".join(quadrant[account] for account in "abcdefg")


# --- assign_quadrants ----------------------------------------------------------------------------


def test_every_row_of_the_quarter_gets_a_state_in_panel_order_none_dropped():
    result = assign_quadrants(MAP, "2025Q1")
    assert list(result["account_id"]) == MAP_IDS
    assert len(result) == (MAP["quarter"] == "2025Q1").sum() == 9
    assert by_account(result, "quadrant") == {
        "a": "Q1",
        "b": "Q4",
        "c": "Q3",
        "d": "Q3",
        "e": "Q2",
        "f": "Q4",
        "g": "Q2",
        "h": NO_B_SIDE,
        "i": INACTIVE,
    }


def test_every_quadrant_is_occupied_and_the_state_column_is_categorical():
    result = assign_quadrants(MAP, "2025Q1")
    assert list(result["quadrant"].cat.categories) == [*QUADRANTS, AT_CUT, NO_B_SIDE, INACTIVE]
    assert result["quadrant"].value_counts().to_dict() == {
        "Q1": 1,
        "Q2": 2,
        "Q3": 2,
        "Q4": 2,
        AT_CUT: 0,
        NO_B_SIDE: 1,
        INACTIVE: 1,
    }


def test_an_account_exactly_at_the_median_counts_as_low_on_that_axis():
    result = assign_quadrants(MAP, "2025Q1").set_index("account_id")
    # e: B-side 400 = median 400, platform 60 > 40 → top left; f: B-side 600 > 400, platform 40 = median → bottom right
    assert result.loc["e", ["b_side_revenue", "x_cut", "quadrant"]].tolist() == [400, 400, "Q2"]
    assert result.loc["f", ["platform_revenue", "y_cut", "quadrant"]].tolist() == [40, 40, "Q4"]


# --- ties at the cut ------------------------------------------------------------------------------

# 2025Q1: every account pays 10% of its B-side revenue. Six small (l1 … l6: B-side 1,000 … 6,000),
# eight on the standard package (k1 … k5: B-side 10,000, platform 1,000; u1 … u3: B-side 10,000.10,
# platform 1,000.00, a cent of rounding under 10%), six large (h1 … h6: B-side 20,000 … 70,000).
# Sorted B-side: the 10th and 11th of 20 are 10,000 → median 10,000; platform median 1,000. Both
# cuts hold 8 of the 20 accounts within max(0.1% × cut, 0.01) = 10 and 1: 40% ≥ 5%, material.
# By the strict rule k1 … k5 would be Q3 and u1 … u3 Q4 (B-side 10,000.10 > 10,000, platform not
# above 1,000): "under-monetised" for a tenth of a cent.
ONE_RATE = panel(
    [(f"l{i}", "2025Q1", 1_000 * i, 100 * i, True, "Small", 0) for i in range(1, 7)]
    + [(f"k{i}", "2025Q1", 10_000, 1_000, True, "Standard", 0) for i in range(1, 6)]
    + [(f"u{i}", "2025Q1", 10_000.10, 1_000, True, "Standard", 0) for i in range(1, 4)]
    + [(f"h{i}", "2025Q1", 10_000 * (i + 1), 1_000 * (i + 1), True, "Large", 0) for i in range(1, 7)]
)
PACKAGE = {*(f"k{i}" for i in range(1, 6)), *(f"u{i}" for i in range(1, 4))}


def test_accounts_sharing_a_cut_point_with_many_others_are_at_the_cut_not_low():
    result = assign_quadrants(ONE_RATE, "2025Q1").set_index("account_id")
    assert result["x_cut"].unique().tolist() == [10_000] and result["y_cut"].unique().tolist() == [1_000]
    expected = {a: AT_CUT if a in PACKAGE else ("Q3" if a[0] == "l" else "Q1") for a in result.index}
    assert result["quadrant"].astype(str).to_dict() == expected
    assert (result["quadrant"] != "Q4").all()


def test_the_ties_are_counted_per_axis_with_their_cut_point_and_share():
    ties = cut_ties(ONE_RATE, "2025Q1")
    assert ties.to_dict("records") == [
        {"axis": "b_side_revenue", "group": None, "cut": 10_000.0, "tied": 8, "accounts": 20, "share": 0.4},
        {"axis": "platform_revenue", "group": None, "cut": 1_000.0, "tied": 8, "accounts": 20, "share": 0.4},
    ]


def test_the_mix_and_the_migration_count_the_accounts_at_the_cut_as_a_state_of_their_own():
    mix = quadrant_summary(ONE_RATE).loc["2025Q1"]
    assert mix["accounts"].to_dict() == {"Q1": 6, "Q2": 0, "Q3": 6, "Q4": 0, AT_CUT: 8}
    assert mix.loc[AT_CUT, "account_share"] == pytest.approx(8 / 20)
    # platform revenue: 2,100 small, 8,000 at the cut, 27,000 large
    assert mix.loc[AT_CUT, "platform_revenue_share"] == pytest.approx(8_000 / 37_100)
    # 2025Q2: the package accounts grow apart to B-side 11,000 … 18,000 at 10%, the others stay:
    # medians (14,000 + 15,000) / 2 and 1,450, so four of them are Q3 and four Q1
    moved = ONE_RATE.assign(quarter="2025Q2")
    package = moved["account_id"].isin(PACKAGE)
    moved.loc[package, "b_side_revenue"] = 1_000.0 * np.arange(11, 19)
    moved.loc[package, "platform_revenue"] = 100.0 * np.arange(11, 19)
    flow = quadrant_migration(pd.concat([ONE_RATE, moved]), "2025Q1", "2025Q2")
    assert flow.matrix.loc[AT_CUT].to_dict() == {s: 4 if s in ("Q1", "Q3") else 0 for s in AFTER_STATES}
    assert flow.moved == 8 and flow.quadrant_movers.empty  # they changed state, not quadrant


def test_the_clusters_take_the_accounts_at_the_cut_as_placed():
    result = segment_accounts(ONE_RATE, "2025Q1")
    assert result.placed == 20 and result.mix.sum().to_dict() == {"Q1": 6, "Q3": 6, AT_CUT: 8}


@pytest.mark.parametrize(
    ("tied", "others"),
    [
        (3, 100),  # 3 accounts of 103 share the median: 2.9% < 5%
        (2, 18),  # 2 of 20: 10%, but fewer than 3 accounts
    ],
)
def test_a_few_ties_keep_the_accounts_low_on_that_axis(tied, others):
    # others: B-side 10, 20, …; the tied accounts sit between the two middle ones, on the median
    half = others // 2
    b_side = [10.0 * (i + 1) for i in range(half)] + [10.0 * (i + 2) for i in range(half, others)]
    median = 10.0 * (half + 1)
    rows = [(f"o{i:03d}", "2025Q1", x, x / 10, True, "Retail", 0) for i, x in enumerate(b_side)]
    rows += [(f"t{i}", "2025Q1", median, 1_000.0, True, "Retail", 0) for i in range(tied)]  # platform high
    result = assign_quadrants(panel(rows), "2025Q1").set_index("account_id")
    assert (result["x_cut"] == median).all()
    assert result.loc[[f"t{i}" for i in range(tied)], "quadrant"].tolist() == ["Q2"] * tied  # low B-side, as today
    assert AT_CUT not in set(result["quadrant"])
    assert cut_ties(panel(rows), "2025Q1").empty


def test_ties_are_judged_within_each_group_with_cut_points_of_its_own():
    # Flat (12): platform 100, 200, 300, then 500 six times (B-side 4,000 … 9,000), then 900, 1,000,
    # 1,100 → median 500, tied 6 of 12. B-side 1,000 … 12,000 → median 6,500: 7,000 … 9,000 at 500
    # would be Q4 by the strict rule. Varied (12): B-side 100 … 1,200, platform 10 … 120, no ties.
    # Over the whole quarter the platform median is (110 + 120) / 2 = 115: no tie at all.
    flat = [100, 200, 300, *[500] * 6, 900, 1_000, 1_100]
    rows = [(f"f{i:02d}", "2025Q1", 1_000 * (i + 1), y, True, "Flat", 0) for i, y in enumerate(flat)]
    rows += [(f"v{i:02d}", "2025Q1", 100 * (i + 1), 10 * (i + 1), True, "Varied", 0) for i in range(12)]
    data = panel(rows)
    by_segment = assign_quadrants(data, "2025Q1", by="segment").set_index("account_id")["quadrant"].astype(str)
    assert by_segment[[f"f{i:02d}" for i in range(3, 9)]].tolist() == [AT_CUT] * 6
    assert by_segment[[f"f{i:02d}" for i in (0, 1, 2, 9, 10, 11)]].tolist() == ["Q3"] * 3 + ["Q1"] * 3
    assert by_segment[[f"v{i:02d}" for i in range(12)]].tolist() == ["Q3"] * 6 + ["Q1"] * 6
    ties = cut_ties(data, "2025Q1", by="segment")
    assert ties.to_dict("records") == [
        {"axis": "platform_revenue", "group": "Flat", "cut": 500.0, "tied": 6, "accounts": 12, "share": 0.5}
    ]
    assert AT_CUT not in set(assign_quadrants(data, "2025Q1")["quadrant"]) and cut_ties(data, "2025Q1").empty


def test_a_fixed_cut_value_that_many_accounts_sit_on_puts_them_at_the_cut():
    # B-side cut 10,000: the eight package accounts; platform cut 1,500: nobody within 1.50 of it
    result = assign_quadrants(ONE_RATE, "2025Q1", ("value", 10_000, 1_500)).set_index("account_id")
    expected = {a: AT_CUT if a in PACKAGE else ("Q3" if a[0] == "l" else "Q1") for a in result.index}
    assert result["quadrant"].astype(str).to_dict() == expected
    ties = cut_ties(ONE_RATE, "2025Q1", ("value", 10_000, 1_500), by="segment")  # fixed points ignore groups
    assert ties[["axis", "group", "cut", "tied", "accounts"]].to_dict("records") == [
        {"axis": "b_side_revenue", "group": None, "cut": 10_000.0, "tied": 8, "accounts": 20}
    ]


def test_zero_revenue_on_an_axis_is_placed_low_and_flagged():
    result = assign_quadrants(MAP, "2025Q1")
    placed = result[result["account_id"] != "i"]  # the flags of the inactive row are not the point here
    assert by_account(placed, "zero_b_side") == {k: k == "g" for k in "abcdefgh"}
    assert by_account(placed, "zero_platform") == {k: k == "c" for k in "abcdefgh"}
    assert by_account(placed, "quadrant")["g"] == "Q2"  # 0 B-side, platform 80 high
    assert by_account(placed, "quadrant")["c"] == "Q3"  # B-side 100, 0 platform


def test_when_the_median_is_zero_zeros_are_low_and_any_positive_value_is_high():
    zeros = panel(
        [
            # B-side sorted 0, 0, 0, 5, 10 → median 0; platform sorted 0, 0, 0, 3, 7 → median 0
            ("p", "2025Q1", 0, 0, True, "Retail", 0),
            ("q", "2025Q1", 0, 3, True, "Retail", 0),
            ("r", "2025Q1", 0, 0, True, "Retail", 0),
            ("s", "2025Q1", 5, 0, True, "Retail", 0),
            ("t", "2025Q1", 10, 7, True, "Retail", 0),
        ]
    )
    result = assign_quadrants(zeros, "2025Q1")
    assert result["x_cut"].tolist() == [0.0] * 5
    assert result["y_cut"].tolist() == [0.0] * 5
    assert by_account(result, "quadrant") == {"p": "Q3", "q": "Q2", "r": "Q3", "s": "Q4", "t": "Q1"}
    assert by_account(result, "zero_b_side") == {"p": True, "q": True, "r": True, "s": False, "t": False}
    assert by_account(result, "zero_platform") == {"p": True, "q": False, "r": True, "s": True, "t": False}


def test_accounts_not_placed_have_no_cut_points():
    result = assign_quadrants(MAP, "2025Q1").set_index("account_id")
    assert result.loc[["h", "i"], ["x_cut", "y_cut"]].isna().all(axis=None)
    assert result.loc["h", "platform_revenue"] == 50  # kept, with its revenue
    assert np.isnan(result.loc["h", "b_side_revenue"])


@pytest.mark.parametrize(
    ("cut", "x_cut", "y_cut", "quadrants"),
    [
        ("median", 400, 40, "Q1 Q4 Q3 Q3 Q2 Q4 Q2"),
        ("mean", 500, 50, "Q1 Q4 Q3 Q3 Q2 Q4 Q2"),
        # np.percentile (linear): position 0.25 × 6 = 1.5 → 100 + 0.5 × 100 = 150 and 10 + 0.5 × 10 = 15
        (("percentile", 25), 150, 15, "Q1 Q4 Q3 Q1 Q1 Q1 Q2"),
        (("percentile", 50), 400, 40, "Q1 Q4 Q3 Q3 Q2 Q4 Q2"),
        (("value", 700, 70), 700, 70, "Q1 Q4 Q3 Q3 Q3 Q3 Q2"),
    ],
    ids=["median", "mean", "p25", "p50", "value"],
)
def test_cut_rules_give_the_cut_points_computed_by_hand(cut, x_cut, y_cut, quadrants):
    result = assign_quadrants(MAP, "2025Q1", cut)
    placed = result[result["quadrant"].isin(QUADRANTS)]
    assert placed["x_cut"].tolist() == pytest.approx([x_cut] * 7)
    assert placed["y_cut"].tolist() == pytest.approx([y_cut] * 7)
    assert states(result) == quadrants


def test_cut_points_ignore_the_unplaced_and_other_quarters():
    # h (platform 50) and i (0, 0) would move the medians; 2025Q2 has its own cuts
    assert assign_quadrants(MAP, "2025Q2")["x_cut"].tolist() == [700, 700, 700]
    assert assign_quadrants(MAP, "2025Q2")["y_cut"].tolist() == [30, 30, 30]
    assert by_account(assign_quadrants(MAP, "2025Q2"), "quadrant") == {"a": "Q1", "b": "Q3", "j": "Q3"}


def test_cuts_by_segment_use_the_medians_of_each_segment(monkeypatch):
    monkeypatch.setattr("b2b_core.quadrants.assign.MIN_GROUP", 3)  # MAP's segments hold 3 and 4 accounts
    # Retail placed: a, b, c, d → B-side 100, 200, 800, 1400 → median 500; platform 0, 10, 20, 140 → 15.
    # Travel placed: e, f, g → B-side 0, 400, 600 → median 400; platform 40, 60, 80 → 60.
    result = assign_quadrants(MAP, "2025Q1", by="segment").set_index("account_id")
    cuts = result.loc[list("abcdefg"), ["x_cut", "y_cut"]]
    assert cuts.to_dict("index") == {
        "a": {"x_cut": 500, "y_cut": 15},
        "b": {"x_cut": 500, "y_cut": 15},
        "c": {"x_cut": 500, "y_cut": 15},
        "d": {"x_cut": 500, "y_cut": 15},
        "e": {"x_cut": 400, "y_cut": 60},
        "f": {"x_cut": 400, "y_cut": 60},
        "g": {"x_cut": 400, "y_cut": 60},
    }
    # d (200, 20): low/low against the global 400/40 (Q3), platform-high against Retail's 15 (Q2);
    # e (400, 60): Q2 globally, at both Travel medians → Q3.
    assert states(result.reset_index()) == "Q1 Q4 Q3 Q2 Q3 Q4 Q2"
    assert result.loc[["h", "i"], "quadrant"].tolist() == [NO_B_SIDE, INACTIVE]


def test_a_segment_too_small_for_cut_points_of_its_own_takes_the_whole_quarters():
    # with the default MIN_GROUP (10), MAP's segments of 3 and 4 accounts are cut at 400 / 40
    result = assign_quadrants(MAP, "2025Q1", by="segment")
    placed = result[result["quadrant"].isin(QUADRANTS)]
    assert placed["x_cut"].tolist() == [400] * 7 and placed["y_cut"].tolist() == [40] * 7


def test_a_selection_of_accounts_is_placed_by_the_cut_points_of_the_whole_quarter():
    chosen = assign_quadrants(MAP, "2025Q1", accounts=pd.Index(["a", "e", "h"]))
    assert chosen["account_id"].tolist() == ["a", "e", "h"]
    everyone = assign_quadrants(MAP, "2025Q1").set_index("account_id")
    assert chosen["quadrant"].tolist() == everyone.loc[["a", "e", "h"], "quadrant"].tolist()
    assert chosen["x_cut"].iloc[0] == 400  # the median of all seven placed accounts, not of a and e


def test_take_rate_is_platform_over_b_side_revenue_and_nan_without_b_side_revenue():
    rates = by_account(assign_quadrants(MAP, "2025Q1"), "take_rate")
    expected = {"a": 0.1, "b": 0.0125, "c": 0.0, "d": 0.1, "e": 0.15, "f": 40 / 600}
    assert {k: rates[k] for k in expected} == pytest.approx(expected)
    assert np.isnan(rates["g"])  # B-side revenue 0
    assert np.isnan(rates["h"])  # B-side revenue missing


def test_attributes_and_custom_metrics_are_carried_through():
    result = assign_quadrants(MAP, "2025Q1")
    assert {"segment", "orders"} <= set(result.columns)
    assert by_account(result, "orders") == {"a": 14, "b": 8, "c": 1, "d": 2, "e": 4, "f": 6, "g": 0, "h": 5, "i": 0}
    assert by_account(result, "segment")["e"] == "Travel"


@pytest.mark.parametrize(
    ("cut", "problem"),
    [
        (("percentile", 120), "0 ≤ p ≤ 100"),
        (("percentile", -1), "0 ≤ p ≤ 100"),
        (("percentile", "25"), "0 ≤ p ≤ 100"),
        (("value", 1), r'"median", "mean", \("percentile", p\) or \("value", x, y\)'),
        ("max", "not 'max'"),
        (("value", nan, 1), "two finite numbers"),
        (("value", 1, float("inf")), "two finite numbers"),
        (("percentile", True), "0 ≤ p ≤ 100"),
    ],
    ids=["p120", "p-1", "p-text", "value-one-number", "max", "value-nan", "value-inf", "p-bool"],
)
def test_an_invalid_cut_rule_is_rejected_with_what_to_pass(cut, problem):
    with pytest.raises(ValueError, match=problem):
        assign_quadrants(MAP, "2025Q1", cut)


def test_a_numpy_integer_percentile_is_accepted():
    result = assign_quadrants(MAP, "2025Q1", ("percentile", np.int64(25)))
    assert states(result) == "Q1 Q4 Q3 Q1 Q1 Q1 Q2"


def test_cutting_by_an_unknown_column_is_rejected_naming_it():
    with pytest.raises(ValueError, match="cannot cut by 'country': the panel has no such column"):
        assign_quadrants(MAP, "2025Q1", by="country")


# --- quadrant_migration and movers ---------------------------------------------------------------

# From 2025Q1 to 2025Q2, with 2024Q4 as history.
# 2025Q1 placed: s1, m1, m2, c1, c2 → B-side 100, 200, 700, 900, 1000 → median 700;
#                platform 5, 10, 50, 90, 100 → median 50. nb has no B-side revenue.
# 2025Q2 placed: s1, m1, m2, nb, n1, n2, r1 → B-side 50, 100, 300, 800, 900, 1000, 1100 → median 800;
#                platform 5, 15, 20, 30, 80, 110, 120 → median 30. r2 has no B-side revenue.
MOVES = panel(
    [
        ("r1", "2024Q4", 500, 40, True),
        ("r2", "2024Q4", 300, 20, True),
        ("old", "2024Q4", 100, 10, True),  # active before, in neither quarter: not part of the movement
        ("s1", "2025Q1", 1000, 100, True),  # Q1 → Q1 (stays)
        ("m1", "2025Q1", 900, 10, True),  # Q4 → Q1
        ("m2", "2025Q1", 700, 90, True),  # Q2 (B-side at the median) → Q3
        ("c1", "2025Q1", 100, 5, True),  # Q3 → churned (no row in 2025Q2)
        ("c2", "2025Q1", 200, 50, True),  # Q3 (platform at the median) → churned (inactive row)
        ("nb", "2025Q1", nan, 30, True),  # no B-side revenue → Q4
        ("n2", "2025Q1", 0, 0, False),  # inactive row before it signed: still new
        ("r2", "2025Q1", 0, 0, False),  # inactive row in the gap: returning
        ("z", "2025Q1", 0, 0, False),  # inactive in both quarters: not part of the movement
        ("s1", "2025Q2", 1100, 120, True),
        ("m1", "2025Q2", 1000, 110, True),
        ("m2", "2025Q2", 300, 20, True),
        ("c2", "2025Q2", 0, 0, False),
        ("nb", "2025Q2", 900, 15, True),
        ("n1", "2025Q2", 100, 80, True),  # new → Q2
        ("n2", "2025Q2", 50, 5, True),  # new → Q3
        ("r1", "2025Q2", 800, 30, True),  # returning → Q3 (at both medians)
        ("r2", "2025Q2", nan, 25, True),  # returning → no B-side revenue
        ("z", "2025Q2", 0, 0, False),
    ],
    extra=(),
)


def cells(table: pd.DataFrame) -> dict:
    """The non-zero cells of a before × after table."""
    return {(b, a): v for (b, a), v in table.stack().items() if v != 0}


def test_migration_states_of_each_account_by_hand():
    accounts = migration_accounts(MOVES, "2025Q1", "2025Q2").set_index("account_id")
    assert accounts[["before", "after"]].astype(str).to_dict("index") == {
        "s1": {"before": "Q1", "after": "Q1"},
        "m1": {"before": "Q4", "after": "Q1"},
        "m2": {"before": "Q2", "after": "Q3"},
        "c1": {"before": "Q3", "after": "churned"},
        "c2": {"before": "Q3", "after": "churned"},
        "nb": {"before": NO_B_SIDE, "after": "Q4"},
        "n1": {"before": "new", "after": "Q2"},
        "n2": {"before": "new", "after": "Q3"},
        "r1": {"before": "returning", "after": "Q3"},
        "r2": {"before": "returning", "after": NO_B_SIDE},
    }  # neither z (inactive in both) nor old (active only in 2024Q4)


def test_migration_matrix_cell_by_cell():
    matrix = quadrant_migration(MOVES, "2025Q1", "2025Q2").matrix
    assert list(matrix.index) == list(BEFORE_STATES)
    assert list(matrix.columns) == list(AFTER_STATES)
    assert cells(matrix) == {
        ("Q1", "Q1"): 1,
        ("Q2", "Q3"): 1,
        ("Q3", "churned"): 2,
        ("Q4", "Q1"): 1,
        (NO_B_SIDE, "Q4"): 1,
        ("new", "Q2"): 1,
        ("new", "Q3"): 1,
        ("returning", "Q3"): 1,
        ("returning", NO_B_SIDE): 1,
    }


def test_migration_matrix_conserves_accounts():
    matrix = quadrant_migration(MOVES, "2025Q1", "2025Q2").matrix
    # rows: 6 active in 2025Q1 (s1, m1, m2, c1, c2, nb) + 2 new + 2 returning
    rows = {"Q1": 1, "Q2": 1, "Q3": 2, "Q4": 1, AT_CUT: 0, NO_B_SIDE: 1, "new": 2, "returning": 2}
    assert matrix.sum(axis=1).to_dict() == rows
    # columns: 8 active in 2025Q2 (s1, m1, m2, nb, n1, n2, r1, r2) + 2 churned
    assert matrix.sum(axis=0).to_dict() == {"Q1": 2, "Q2": 1, "Q3": 3, "Q4": 1, AT_CUT: 0, NO_B_SIDE: 1, "churned": 2}
    assert matrix.to_numpy().sum() == 10  # active in either quarter


def test_migration_revenue_before_and_after_by_hand():
    migration = quadrant_migration(MOVES, "2025Q1", "2025Q2")
    before, after = migration.revenue("before"), migration.revenue("after")
    assert cells(before) == {
        ("Q1", "Q1"): 100,
        ("Q2", "Q3"): 90,
        ("Q3", "churned"): 55,
        ("Q4", "Q1"): 10,
        (NO_B_SIDE, "Q4"): 30,
    }
    assert cells(after) == {
        ("Q1", "Q1"): 120,
        ("Q2", "Q3"): 20,
        ("Q4", "Q1"): 110,
        (NO_B_SIDE, "Q4"): 15,
        ("new", "Q2"): 80,
        ("new", "Q3"): 5,
        ("returning", "Q3"): 30,
        ("returning", NO_B_SIDE): 25,
    }
    # platform revenue of the active accounts of each quarter
    assert before.to_numpy().sum() == 100 + 10 + 90 + 5 + 50 + 30 == 285
    assert after.to_numpy().sum() == 120 + 110 + 20 + 15 + 80 + 5 + 30 + 25 == 405
    assert after.equals(migration.revenue())  # "after" is the default


def test_movers_are_the_accounts_that_changed_state_sorted_by_platform_revenue_change():
    moved = quadrant_migration(MOVES, "2025Q1", "2025Q2").movers
    table = moved.set_index("account_id")[["before", "after", "platform_revenue_change"]].astype(
        {"before": str, "after": str}
    )
    # |change| 100, 80, 70, 50, 30, 25, 15, then c1 and n2 tie at 5 and go by account id
    assert list(table.itertuples(name=None)) == [
        ("m1", "Q4", "Q1", 100.0),
        ("n1", "new", "Q2", 80.0),
        ("m2", "Q2", "Q3", -70.0),
        ("c2", "Q3", "churned", -50.0),
        ("r1", "returning", "Q3", 30.0),
        ("r2", "returning", NO_B_SIDE, 25.0),
        ("nb", NO_B_SIDE, "Q4", -15.0),
        ("c1", "Q3", "churned", -5.0),
        ("n2", "new", "Q3", 5.0),
    ]  # s1 stayed in Q1


def test_movers_changes_are_after_minus_before():
    moved = quadrant_migration(MOVES, "2025Q1", "2025Q2").movers.set_index("account_id")
    for revenue in ("platform_revenue", "b_side_revenue"):
        change = moved[f"{revenue}_after"] - moved[f"{revenue}_before"]
        pd.testing.assert_series_equal(moved[f"{revenue}_change"], change, check_names=False)
    known = ["m1", "m2", "c1", "c2", "n1", "n2", "r1"]  # accounts whose B-side revenue is known when active
    assert moved.loc[known, "b_side_revenue_change"].to_dict() == {
        "m1": 100.0,
        "m2": -400.0,
        "c1": -100.0,
        "c2": -200.0,
        "n1": 100.0,
        "n2": 50.0,
        "r1": 800.0,
    }
    assert np.isnan(moved.loc["nb", "b_side_revenue_change"])  # not reported before: no change to state


def test_zero_flags_mark_placed_accounts_only():
    assigned = assign_quadrants(MAP, "2025Q1")
    not_placed = ~assigned["quadrant"].isin(QUADRANTS)
    assert not assigned.loc[not_placed, ["zero_b_side", "zero_platform"]].to_numpy().any()


@pytest.fixture(scope="module")
def generated():
    return sample.generate_panel(n_accounts=2000)


@pytest.mark.parametrize(
    ("from_quarter", "to_quarter"),
    [("2024Q1", "2024Q2"), ("2025Q2", "2025Q3"), ("2026Q2", "2026Q3"), ("2024Q3", "2025Q3"), ("2025Q3", "2026Q3")],
)
def test_migration_of_a_generated_panel_conserves_accounts_and_revenue(generated, from_quarter, to_quarter):
    migration = quadrant_migration(generated, from_quarter, to_quarter)
    matrix = migration.matrix
    active = generated[generated["active"]]
    now, then = active[active["quarter"] == from_quarter], active[active["quarter"] == to_quarter]
    was = set(active.loc[active["quarter"] < from_quarter, "account_id"])
    before_ids, after_ids = set(now["account_id"]), set(then["account_id"])
    new = after_ids - before_ids - was
    returning = (after_ids - before_ids) & was
    churned = before_ids - after_ids

    rows, columns = matrix.sum(axis=1), matrix.sum(axis=0)
    assert rows[list(QUADRANTS) + [NO_B_SIDE]].sum() == len(before_ids)
    assert (rows["new"], rows["returning"]) == (len(new), len(returning))
    assert columns[list(QUADRANTS) + [NO_B_SIDE]].sum() == len(after_ids)
    assert columns["churned"] == len(churned)
    assert matrix.to_numpy().sum() == len(before_ids | after_ids)
    assert migration.revenue("before").to_numpy().sum() == pytest.approx(now["platform_revenue"].sum())
    assert migration.revenue("after").to_numpy().sum() == pytest.approx(then["platform_revenue"].sum())


# --- quadrant_summary ----------------------------------------------------------------------------


def test_summary_shares_of_each_quarter_sum_to_one(generated):
    for data in (MAP, generated):
        shares = quadrant_summary(data)[["account_share", "platform_revenue_share", "b_side_revenue_share"]]
        per_quarter = shares.groupby(level="quarter").sum()
        assert per_quarter.to_numpy() == pytest.approx(np.ones(per_quarter.shape))


def test_summary_of_a_quarter_by_hand():
    # 2025Q1 placed: platform total 350, B-side total 3500 (h and i are not placed)
    result = quadrant_summary(MAP).loc["2025Q1"]
    expected = pd.DataFrame(
        {
            "accounts": [1, 2, 2, 2, 0],  # a | e, g | c, d | b, f | none at the cut (e and f tie alone)
            "account_share": [1 / 7, 2 / 7, 2 / 7, 2 / 7, 0],
            "platform_revenue_share": [140 / 350, (60 + 80) / 350, (0 + 20) / 350, (10 + 40) / 350, 0],
            "b_side_revenue_share": [1400 / 3500, (400 + 0) / 3500, (100 + 200) / 3500, (800 + 600) / 3500, 0],
            # take rates: a 0.1 | e 0.15 (g has none) | c 0, d 0.1 | b 0.0125, f 1/15
            "median_take_rate": [0.1, 0.15, 0.05, (0.0125 + 1 / 15) / 2, nan],
        },
        index=pd.CategoricalIndex(PLACED, categories=PLACED, name="quadrant"),
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False, check_index_type=False)


def test_summary_lists_empty_quadrants_with_no_accounts():
    # 2025Q2: a Q1, b and j Q3
    result = quadrant_summary(MAP, quarters=["2025Q2"]).loc["2025Q2"]
    assert result["accounts"].tolist() == [1, 0, 2, 0, 0]
    assert result["platform_revenue_share"].tolist() == pytest.approx([150 / 200, 0, 50 / 200, 0, 0])


def test_summary_of_an_empty_panel_is_an_empty_frame_with_the_summary_columns():
    result = quadrant_summary(MAP.iloc[:0])
    assert result.empty
    assert list(result.columns) == SUMMARY_COLUMNS
    assert list(result.index.names) == ["quarter", "quadrant"]


# --- segment_accounts and describe ---------------------------------------------------------------


def separated_groups() -> tuple[pd.DataFrame, dict[str, str]]:
    """2025Q1 accounts in three groups of 50, 40 and 30 whose revenues and take rates lie far apart;
    returns the panel and each account's group."""
    rng = np.random.default_rng(42)
    groups = {  # name: (accounts, B-side revenue, take rate)
        "large, low take rate": (50, 100_000.0, 0.02),
        "small, high take rate": (40, 1_000.0, 0.30),
        "mid": (30, 10_000.0, 0.10),
    }
    rows, group_of = [], {}
    for name, (count, b_side, rate) in groups.items():
        x = b_side * rng.lognormal(0.0, 0.1, count)
        y = x * rate * rng.uniform(0.95, 1.05, count)
        for i in range(count):
            account = f"{name[:3]}{i:02d}"
            group_of[account] = name
            rows.append((account, "2025Q1", x[i], y[i], True))
    return panel(rows, extra=()), group_of


@pytest.fixture(scope="module")
def segmentation():
    data, group_of = separated_groups()
    return segment_accounts(data, "2025Q1"), group_of, data


def test_three_separated_groups_give_three_clusters_numbered_largest_first(segmentation):
    result, group_of, data = segmentation
    assert result.k == 3
    assert result.silhouette.idxmax() == 3
    accounts = engine.run(account_clusters(data, result))
    assert result.placed == len(accounts) == 120 and accounts["cluster"].notna().all()
    # each group is exactly one cluster, numbered by size: 50 → 1, 40 → 2, 30 → 3
    clusters = accounts.assign(group=accounts["account_id"].map(group_of))
    assert clusters.groupby("group")["cluster"].agg(set).to_dict() == {
        "large, low take rate": {1},
        "small, high take rate": {2},
        "mid": {3},
    }
    assert result.profiles["accounts"].tolist() == [50, 40, 30]
    assert result.mix.sum(axis=1).tolist() == [50, 40, 30] and result.mix.index.name == "cluster"


def test_clusters_are_described_by_the_features_that_set_them_apart(segmentation):
    result, _, _ = segmentation
    words = result.profiles["description"]
    assert "high B-side revenue" in words[1] and "low take rate" in words[1]
    assert "high take rate" in words[2] and "low B-side revenue" in words[2]
    assert "high take rate" not in words[1] and "low take rate" not in words[2]


@pytest.mark.parametrize(
    ("centre", "words"),
    [
        ({"take_rate": -1.2, "growth": 0.7}, "low take rate, growing faster than most"),
        (
            {"growth": -0.6, "log_b_side_revenue": 2.0, "take_rate": 0.1},
            "high B-side revenue, growing slower than most",
        ),
        ({"log_platform_revenue": 0.5}, "high platform revenue"),  # exactly NOTABLE counts
        ({"log_platform_revenue": 0.49, "take_rate": -0.3}, "close to average"),
        ({}, "close to average"),
    ],
)
def test_describe_names_the_notable_features_strongest_first(centre, words):
    assert describe(centre) == words


def test_describe_shows_custom_metric_names_with_spaces():
    assert describe({"repeat_orders": 1.0, "support_tickets": -0.8}) == "high repeat orders, low support tickets"


def test_describe_words_a_custom_metric_by_its_name():
    assert describe({"orders": -0.9, "take_rate": 0.6}) == "low orders, high take rate"


def test_clusters_are_not_described_by_differences_that_are_not_material():
    # half the accounts pay 10.00%, half 10.02%: k-means tells them apart (standardised, the rates lie
    # far apart), but 0.2% of the rate is no "high take rate"
    rng = np.random.default_rng(3)
    b_side = 10_000 * rng.lognormal(0, 0.05, 120)
    rate = np.where(np.arange(120) < 60, 0.1, 0.1002)
    rows = [(f"a{i:03d}", "2025Q1", b_side[i], b_side[i] * rate[i], True) for i in range(120)]
    result = segment_accounts(panel(rows, extra=()), "2025Q1")
    assert set(result.profiles["median_take_rate"].round(4)) == {0.1, 0.1002}
    assert not any("take rate" in words for words in result.profiles["description"])


@pytest.mark.parametrize(
    ("name", "logged", "everyone", "cluster", "material"),
    [
        ("log_b_side_revenue", False, 10.0, 10.0 + np.log(1.1), True),  # 10% more revenue
        ("log_b_side_revenue", False, 10.0, 10.0 + np.log(1.09), False),
        ("orders", True, 3.0, 3.0 - np.log(1.1), True),
        ("growth", False, 0.10, 0.15, True),
        ("growth", False, 0.10, 0.149, False),
        ("take_rate", False, 0.10, 0.1002, False),
        ("take_rate", False, 0.10, 0.09, True),  # 0.01 is 10% of the larger median, 0.10
        ("balance", False, -50.0, -40.0, True),
        ("balance", False, -50.0, -46.0, False),
        ("take_rate", False, 0.10, float("nan"), False),
    ],
)
def test_a_difference_is_material_from_ten_percent_or_five_points_of_growth(name, logged, everyone, cluster, material):
    assert Feature(name, logged=logged, median=everyone).material(cluster) is material


def test_segmentation_needs_enough_placed_accounts():
    data, _ = separated_groups()
    few = data[data["account_id"].isin(data["account_id"].unique()[: MIN_ACCOUNTS - 1])]
    with pytest.raises(ValueError, match=f"2025Q1 has {MIN_ACCOUNTS - 1} accounts with both revenues"):
        segment_accounts(few, "2025Q1")


def test_segmentation_counts_only_placed_accounts():
    # MAP's 2025Q1 has 9 rows but 7 placed accounts
    with pytest.raises(ValueError, match=f"needs at least {MIN_ACCOUNTS}"):
        segment_accounts(MAP, "2025Q1")


# --- accounts_matching ---------------------------------------------------------------------------

# x moved from Retail to Travel; y stays Retail; w stays Travel. Rows not in quarter order on purpose.
CHANGERS = panel(
    [
        ("x", "2025Q2", 10, 1, True, "Travel"),
        ("x", "2025Q1", 10, 1, True, "Retail"),
        ("y", "2025Q1", 20, 2, True, "Retail"),
        ("y", "2025Q2", 20, 2, True, "Retail"),
        ("w", "2025Q1", 30, 3, True, "Travel"),
    ],
    extra=("segment",),
)


@pytest.mark.parametrize(
    ("segments", "accounts"),
    [(["Travel"], {"x", "w"}), (["Retail"], {"y"}), (["Retail", "Travel"], {"x", "y", "w"}), (["Food"], set())],
)
def test_accounts_are_selected_by_their_latest_row(segments, accounts):
    assert set(accounts_matching(CHANGERS, {"segment": segments})) == accounts


@pytest.mark.parametrize("selection", [None, {}, {"segment": []}, {"country": ["FR"]}])
def test_an_empty_selection_selects_everyone(selection):
    assert accounts_matching(CHANGERS, selection) is None


def test_migration_runs_forward_in_time():
    with pytest.raises(ValueError, match="must come before"):
        quadrant_migration(MOVES, "2025Q2", "2025Q1")


def test_migration_and_summary_of_a_selection_keep_the_whole_quarters_cut_points():
    panel = sample.generate_panel(n_accounts=600, n_quarters=2, last_quarter="2026Q3", seed=9)
    chosen = pd.Index(panel.loc[panel["tier"] == "KA", "account_id"].unique())
    mine = migration_accounts(panel, "2026Q2", "2026Q3", accounts=chosen).set_index("account_id")
    assert set(mine.index) <= set(chosen)
    everyone = migration_accounts(panel, "2026Q2", "2026Q3").set_index("account_id")
    assert (mine["after"] == everyone.loc[mine.index, "after"]).all()
    mix = quadrant_summary(panel, quarters=["2026Q3"], accounts=chosen).loc["2026Q3"]
    assert mix["accounts"].sum() == (mine["after"].isin(QUADRANTS)).sum()
