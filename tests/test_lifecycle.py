"""Lifecycle stage and lever priorities on inputs small enough to check by hand (DESIGN §6): the
company's signals of a six-quarter panel, the stage rules at and around every threshold, the
priority arithmetic of a two-rule playbook, and the largest-remainder split of a capacity."""

from __future__ import annotations

import copy
import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from b2b_core.lifecycle import (
    DEFAULTS,
    NOT_ENOUGH_HISTORY,
    SIGNALS,
    STAGE_NAMES,
    Check,
    Thresholds,
    allocate,
    check_text,
    company_metrics,
    detect_stage,
    prioritize,
    rule_adjustments,
    stage_timeline,
    thresholds_from,
    weight_spread,
)
from b2b_core.overview import KPI_COLUMNS
from b2b_core.playbook import BUSINESS_MODELS, PLAYBOOK_PATH, STAGES, load_playbook, parse_playbook
from b2b_core.quadrants import QUADRANTS, quadrant_summary

nan = float("nan")


def panel(rows):
    """Rows of (account_id, quarter, b_side_revenue, platform_revenue, active): x before y, as on
    the quadrant chart."""
    frame = pd.DataFrame(rows, columns=["account_id", "quarter", "b_side_revenue", "platform_revenue", "active"])
    return frame.astype({"b_side_revenue": float, "platform_revenue": float, "active": bool})


# Six quarters, eight accounts. Platform revenue per quarter: 100, 120, 150, 160, 180, 170;
# active accounts: 3, 4, 4, 4, 6, 6; new accounts: 3 (a b c), 1 (d), 1 (e), 0, 2 (f g), 1 (h).
PANEL = panel(
    [
        # 2024Q1: a b c sign up
        ("a", "2024Q1", 500, 50, True),
        ("b", "2024Q1", 400, 30, True),
        ("c", "2024Q1", 100, 20, True),
        # 2024Q2: d signs up
        ("a", "2024Q2", 600, 60, True),
        ("b", "2024Q2", 300, 30, True),
        ("c", "2024Q2", 200, 10, True),
        ("d", "2024Q2", 100, 20, True),
        # 2024Q3: c is gone for good, e signs up
        ("a", "2024Q3", 600, 60, True),
        ("b", "2024Q3", 300, 40, True),
        ("d", "2024Q3", 400, 20, True),
        ("e", "2024Q3", 100, 30, True),
        # 2024Q4: nobody new
        ("a", "2024Q4", 700, 70, True),
        ("b", "2024Q4", 400, 40, True),
        ("d", "2024Q4", 300, 30, True),
        ("e", "2024Q4", 200, 20, True),
        # 2025Q1: f signs up and is active only through its own (B-side) revenue; g signs up paying.
        # Medians: B-side 50 100 200 | 500 600 800 → 350; platform 0 10 20 | 30 40 80 → 25.
        ("a", "2025Q1", 800, 80, True),  # Q1
        ("b", "2025Q1", 200, 40, True),  # Q2
        ("d", "2025Q1", 600, 30, True),  # Q1
        ("e", "2025Q1", 100, 20, True),  # Q3
        ("f", "2025Q1", 500, 0, True),  # Q4
        ("g", "2025Q1", 50, 10, True),  # Q3
        # 2025Q2: b has a row but is no longer active; f now pays; h signs up
        ("a", "2025Q2", 900, 84, True),
        ("b", "2025Q2", 0, 0, False),
        ("d", "2025Q2", 600, 30, True),
        ("e", "2025Q2", 100, 20, True),
        ("f", "2025Q2", 400, 5, True),
        ("g", "2025Q2", 50, 10, True),
        ("h", "2025Q2", 300, 21, True),
    ]
)
QUARTERS = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"]


@pytest.fixture(scope="module")
def metrics() -> pd.DataFrame:
    return company_metrics(PANEL)


# --- company_metrics -----------------------------------------------------------------------------


def test_one_row_per_quarter_in_order_with_the_kpis_then_the_signals(metrics):
    assert metrics.index.tolist() == QUARTERS
    assert metrics.index.name == "quarter"
    assert metrics.columns.tolist() == [*KPI_COLUMNS, *SIGNALS]
    assert metrics["platform_revenue"].tolist() == [100, 120, 150, 160, 180, 170]
    assert metrics["active_accounts"].tolist() == [3, 4, 4, 4, 6, 6]
    assert metrics["new_accounts"].tolist() == [3, 1, 1, 0, 2, 1]


def test_an_empty_panel_gives_an_empty_frame_with_every_signal():
    result = company_metrics(panel([]))
    assert result.empty
    assert set(SIGNALS) <= set(result.columns)


EXPECTED = {
    "quarters_of_history": [1, 2, 3, 4, 5, 6],
    # 120/100, 150/120, 160/150, 180/160, 170/180
    "platform_revenue_growth_qoq": [nan, 0.2, 0.25, 1 / 15, 0.125, -1 / 18],
    # 180/100, 170/120
    "platform_revenue_growth_yoy": [nan, nan, nan, nan, 0.8, 5 / 12],
    "active_accounts_growth_qoq": [nan, 1 / 3, 0, 0, 0.5, 0],
    "active_accounts_growth_yoy": [nan, nan, nan, nan, 1.0, 0.5],
    # new accounts 2 against 3, 1 against 1
    # 2025Q1 against 2024Q1, the first quarter, whose "new" accounts include earlier sign-ups: unknown
    "new_accounts_growth_yoy": [nan, nan, nan, nan, nan, 0],
    # no quarter a year back: growth since 2024Q1 annualised, (now/100)^(4/k) − 1; then year on year
    "platform_revenue_growth_annual": [nan, 1.2**4 - 1, 1.5**2 - 1, 1.6 ** (4 / 3) - 1, 0.8, 5 / 12],
    "active_accounts_growth_annual": [nan, (4 / 3) ** 4 - 1, (4 / 3) ** 2 - 1, (4 / 3) ** (4 / 3) - 1, 1.0, 0.5],
    # 2025Q1: of a b c, a b are active; 2025Q2: of a b c d, a d are active
    "logo_retention_4q": [nan, nan, nan, nan, 2 / 3, 2 / 4],
    # 2025Q1: (80 + 40 + 0) / 100; 2025Q2: (84 + 0 + 0 + 30) / 120, b and c count 0
    "nrr_4q": [nan, nan, nan, nan, 120 / 100, 114 / 120],
    # 2025Q1: a + b (first active 2024Q1) = 120 of 180; 2025Q2: a + b + d (≤ 2024Q2) = 84 + 0 + 30 of 170
    # unknown until the quarter four back is in the data
    "mature_revenue_share": [nan, nan, nan, nan, 120 / 180, 114 / 170],
    # fewer than ten accounts: the ten largest are all of them
    "top10_share": [1, 1, 1, 1, 1, 1],
    # of last quarter's new accounts, the share active again: d in 2024Q3, e in 2024Q4, f g in 2025Q2;
    # 2024Q4 has no new account (2025Q1 unknown); the first quarter's accounts are not new sign-ups
    "activation": [nan, nan, 1, 1, nan, 1],
}


@pytest.mark.parametrize("column", list(EXPECTED))
def test_signals_of_the_hand_made_panel(metrics, column):
    assert metrics[column].tolist() == pytest.approx(EXPECTED[column], nan_ok=True)


def test_activation_is_the_share_of_last_quarters_new_accounts_active_again_and_can_be_below_one():
    signed = panel(
        [
            ("a", "2024Q1", 100, 10, True),  # the first quarter's: not a new sign-up
            ("a", "2024Q2", 100, 10, True),
            ("b", "2024Q2", 100, 10, True),  # b c d new in 2024Q2
            ("c", "2024Q2", 100, 10, True),
            ("d", "2024Q2", 100, 10, True),
            ("a", "2024Q3", 100, 10, True),
            ("b", "2024Q3", 100, 10, True),  # kept
            ("c", "2024Q3", 0, 0, False),  # a row, not active: not kept; d has no row: not kept
            ("e", "2024Q3", 100, 10, True),  # new in 2024Q3, gone in 2024Q4
            ("a", "2024Q4", 100, 10, True),
        ]
    )
    assert company_metrics(signed)["activation"].tolist() == pytest.approx([nan, nan, 1 / 3, 0], nan_ok=True)


def test_growth_needs_the_earlier_quarter_in_the_data():
    # no 2024Q2 and no 2025Q2: no quarter-on-quarter growth; 2024Q3 is annualised from 2024Q1 two back
    gap = panel(
        [
            ("a", "2024Q1", 1000, 100, True),
            ("a", "2024Q3", 1000, 144, True),
            ("a", "2025Q3", 1000, 180, True),
        ]
    )
    result = company_metrics(gap)
    assert result["quarters_of_history"].tolist() == [1, 2, 3]
    assert result["platform_revenue_growth_qoq"].isna().all()
    assert result["platform_revenue_growth_yoy"].tolist() == pytest.approx([nan, nan, 180 / 144 - 1], nan_ok=True)
    assert result["platform_revenue_growth_annual"].tolist() == pytest.approx(
        [nan, (144 / 100) ** 2 - 1, 180 / 144 - 1], nan_ok=True
    )


def test_growth_against_zero_revenue_is_unknown():
    free_first = panel([("a", "2024Q1", 1000, 0, True), ("a", "2024Q2", 1000, 50, True)])
    result = company_metrics(free_first).loc["2024Q2"]
    assert math.isnan(result["platform_revenue_growth_qoq"])
    assert math.isnan(result["platform_revenue_growth_annual"])
    assert result["active_accounts_growth_qoq"] == 0


def test_top10_share_counts_only_the_ten_largest_accounts():
    # twelve accounts paying 1 … 12: the ten largest bring 3 + … + 12 = 75 of 78
    twelve = panel([(f"x{n:02d}", "2025Q1", 10 * n, n, True) for n in range(1, 13)])
    assert company_metrics(twelve).loc["2025Q1", "top10_share"] == pytest.approx(75 / 78)


def test_quadrant_mix_by_hand_in_2025q1(metrics):
    row = metrics.loc["2025Q1"]
    # a d in Q1, b in Q2, e g in Q3, f in Q4 (see PANEL)
    assert [row[f"share_{q.lower()}"] for q in QUADRANTS] == pytest.approx([2 / 6, 1 / 6, 2 / 6, 1 / 6])
    assert row["q4_b_side_revenue_share"] == pytest.approx(500 / 2250)  # f's B-side revenue of all
    assert row["q2_platform_revenue_share"] == pytest.approx(40 / 180)  # b's platform revenue of all


def test_quadrant_shares_sum_to_one_and_match_quadrant_summary(metrics):
    summary = quadrant_summary(PANEL)
    shares = metrics[[f"share_{q.lower()}" for q in QUADRANTS]]
    assert shares.sum(axis=1).tolist() == pytest.approx([1] * 6)
    for quarter in QUARTERS:
        for q in QUADRANTS:
            assert shares.loc[quarter, f"share_{q.lower()}"] == summary.loc[(quarter, q), "account_share"]
        assert metrics.loc[quarter, "q4_b_side_revenue_share"] == summary.loc[(quarter, "Q4"), "b_side_revenue_share"]
        assert (
            metrics.loc[quarter, "q2_platform_revenue_share"] == summary.loc[(quarter, "Q2"), "platform_revenue_share"]
        )


# --- detect_stage --------------------------------------------------------------------------------


def stage_metrics(*rows) -> pd.DataFrame:
    """Rows of (quarter, quarters of history, active accounts, annual platform revenue growth,
    annual active-account growth): the columns detect_stage reads."""
    columns = [
        "quarters_of_history",
        "active_accounts",
        "platform_revenue_growth_annual",
        "active_accounts_growth_annual",
    ]
    frame = pd.DataFrame([row[1:] for row in rows], columns=columns, dtype=float)
    frame.index = pd.Index([row[0] for row in rows], name="quarter")
    return frame


def stage_of(history, accounts, revenue_growth=nan, account_growth=nan, thresholds=DEFAULTS):
    return detect_stage(stage_metrics(("2025Q2", history, accounts, revenue_growth, account_growth)), thresholds)[-1]


@pytest.mark.parametrize(
    ("history", "accounts", "revenue_growth", "account_growth", "stage"),
    [
        (3, 1000, 0.9, 0.9, NOT_ENOUGH_HISTORY),
        (1, 23_500, nan, nan, NOT_ENOUGH_HISTORY),
        (1, 20, nan, nan, "cold_start"),
        (3, 120, 0.9, 0.9, "traction"),
        (4, 1000, 0.9, 0.9, "accelerated_growth"),
        (4, 49, 0.9, 0.9, "cold_start"),
        (4, 50, 0.9, 0.9, "traction"),
        (4, 299, 0.9, 0.9, "traction"),
        (4, 300, 0.9, 0.9, "accelerated_growth"),
        (8, 300, 0.40, 0.0, "accelerated_growth"),
        (8, 300, 0.3999, 0.0, "steady_growth"),
        (8, 300, 0.0, 0.30, "accelerated_growth"),
        (8, 300, 0.0, 0.2999, "steady_growth"),
        (8, 300, 0.3999, 0.2999, "steady_growth"),
        (8, 300, nan, nan, "steady_growth"),
        (8, 300, nan, 0.30, "accelerated_growth"),
        (8, 300, 0.40, nan, "accelerated_growth"),
        (8, 300, -0.41, -0.38, "contraction"),
        (8, 300, -0.0501, -0.0501, "contraction"),
        (8, 300, -0.05, -0.38, "steady_growth"),
        (8, 300, -0.41, -0.05, "steady_growth"),
        (8, 300, -0.41, nan, "steady_growth"),
        (8, 300, 0.5, -0.2, "accelerated_growth"),
    ],
    ids=[
        "3-quarters",
        "1-quarter-thousands-of-accounts",
        "1-quarter-few-accounts",
        "3-quarters-traction",
        "4-quarters",
        "49-accounts",
        "50-accounts",
        "299-accounts",
        "300-accounts",
        "revenue-growth-0.40",
        "revenue-growth-0.3999",
        "account-growth-0.30",
        "account-growth-0.2999",
        "both-just-below",
        "growth-unknown",
        "revenue-unknown-accounts-fast",
        "revenue-fast-accounts-unknown",
        "shrinking",
        "both-just-past-the-fall",
        "revenue-at-the-fall",
        "accounts-at-the-fall",
        "accounts-unknown",
        "revenue-fast-accounts-falling",
    ],
)
def test_stage_rules_at_and_around_every_threshold(history, accounts, revenue_growth, account_growth, stage):
    assert stage_of(history, accounts, revenue_growth, account_growth).stage == stage


def test_custom_thresholds_move_every_boundary():
    custom = Thresholds(
        min_quarters=2,
        cold_start_accounts=10,
        traction_accounts=20,
        accelerated_revenue_growth=0.5,
        accelerated_account_growth=0.25,
        contraction_revenue_fall=0.2,
        contraction_account_fall=0.1,
    )
    assert stage_of(1, 100, thresholds=custom).stage == NOT_ENOUGH_HISTORY
    assert stage_of(1, 9, thresholds=custom).stage == "cold_start"
    assert stage_of(2, 9, thresholds=custom).stage == "cold_start"
    assert stage_of(2, 10, thresholds=custom).stage == "traction"
    assert stage_of(2, 19, thresholds=custom).stage == "traction"
    assert stage_of(2, 20, 0.5, 0.0, thresholds=custom).stage == "accelerated_growth"
    assert stage_of(2, 20, 0.45, 0.0, thresholds=custom).stage == "steady_growth"  # fast by the defaults
    assert stage_of(2, 20, 0.0, 0.25, thresholds=custom).stage == "accelerated_growth"  # slow by the defaults
    assert stage_of(2, 20, 0.0, 0.2499, thresholds=custom).stage == "steady_growth"
    assert stage_of(2, 20, -0.21, -0.11, thresholds=custom).stage == "contraction"
    assert stage_of(2, 20, -0.15, -0.11, thresholds=custom).stage == "steady_growth"  # falling by the defaults


def test_thresholds_from_a_mapping_keeps_the_defaults_of_the_fields_not_given():
    assert thresholds_from({}) == DEFAULTS
    assert thresholds_from({"traction_accounts": 200, "accelerated_revenue_growth": 0.5}) == Thresholds(
        traction_accounts=200, accelerated_revenue_growth=0.5
    )
    assert thresholds_from({"cold_start_accounts": 0}).cold_start_accounts == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"warp_speed": 3}, r"unknown threshold\(s\) \['warp_speed'\]; known: \["),
        ({"min_quarters": 4, "Traction_accounts": 300}, r"unknown threshold\(s\) \['Traction_accounts'\]"),
        ({"cold_start_accounts": -1}, r"threshold cold_start_accounts must be a number ≥ 0, not -1"),
        ({"accelerated_account_growth": -0.01}, r"threshold accelerated_account_growth must be a number ≥ 0"),
        ({"min_quarters": nan}, r"threshold min_quarters must be a number ≥ 0, not nan"),
        ({"min_quarters": "4"}, r"threshold min_quarters must be a number ≥ 0, not '4'"),
    ],
    ids=["unknown", "misspelt", "negative-count", "negative-growth", "nan", "text"],
)
def test_thresholds_from_refuses_unknown_names_and_negative_values(values, message):
    with pytest.raises(ValueError, match=message):
        thresholds_from(values)


def test_cold_start_is_decided_by_the_accounts_alone():
    result = stage_of(3, 20)
    assert (result.stage, result.name, result.next_stage, result.assumes) == (
        "cold_start",
        "Cold start",
        "traction",
        "cold_start",
    )
    assert result.checks == (Check("active_accounts", 20, "<", 50, True, "cold_start"),)
    assert result.distance == ("30 more active accounts",)
    assert stage_of(6, 49).distance == ("1 more active account",)


def test_too_short_a_history_is_no_stage_and_assumes_what_its_growth_suggests():
    result = stage_of(3, 23_500, 0.9, 0.1)
    assert (result.stage, result.name, result.assumes, result.next_stage) == (
        NOT_ENOUGH_HISTORY,
        "Not enough history (3 quarters)",
        "accelerated_growth",
        "accelerated_growth",
    )
    assert result.checks[:3] == (
        Check("active_accounts", 23_500, "<", 50, False, "cold_start"),
        Check("active_accounts", 23_500, "<", 300, False, "traction"),
        Check("quarters_of_history", 3, "<", 4, True, NOT_ENOUGH_HISTORY),
    )
    assert result.distance == ("1 more quarter of history",)
    assert stage_of(1, 400).name == "Not enough history (1 quarter)" and stage_of(1, 400).assumes == "steady_growth"


def test_traction_lists_its_two_checks_and_the_accounts_still_missing():
    result = stage_of(6, 120, 0.9, 0.9)
    assert (result.stage, result.name, result.next_stage) == ("traction", "Traction", "accelerated_growth")
    assert result.checks == (
        Check("active_accounts", 120, "<", 50, False, "cold_start"),
        Check("active_accounts", 120, "<", 300, True, "traction"),
    )
    assert result.distance == ("180 more active accounts (then growth decides)",)


def test_accelerated_growth_lists_all_seven_checks_and_what_would_end_it():
    result = stage_of(6, 1200, 0.55, 0.35)
    assert (result.stage, result.name, result.next_stage) == (
        "accelerated_growth",
        "Accelerated growth",
        "steady_growth",
    )
    assert result.checks == (
        Check("active_accounts", 1200, "<", 50, False, "cold_start"),
        Check("active_accounts", 1200, "<", 300, False, "traction"),
        Check("quarters_of_history", 6, "<", 4, False, NOT_ENOUGH_HISTORY),
        Check("platform_revenue_growth_annual", 0.55, "<", -0.05, False, "contraction"),
        Check("active_accounts_growth_annual", 0.35, "<", -0.05, False, "contraction"),
        Check("platform_revenue_growth_annual", 0.55, "≥", 0.40, True, "accelerated_growth"),
        Check("active_accounts_growth_annual", 0.35, "≥", 0.30, True, "accelerated_growth"),
    )
    assert result.distance == (
        "both platform revenue growth (annual) falling below 40% (now 55%)",
        "and active-account growth (annual) falling below 30% (now 35%)",
    )
    assert stage_of(6, 1200, 0.55, 0.10).distance == ("platform revenue growth (annual) falling below 40% (now 55%)",)


def test_steady_growth_says_how_much_faster_growth_would_have_to_be():
    result = stage_of(6, 1200, 0.25, 0.10)
    assert (result.stage, result.name, result.next_stage) == ("steady_growth", "Steady growth", "accelerated_growth")
    assert [check.holds for check in result.checks] == [False] * 7
    assert [(check.signal, check.value, check.threshold) for check in result.checks[5:]] == [
        ("platform_revenue_growth_annual", 0.25, 0.40),
        ("active_accounts_growth_annual", 0.10, 0.30),
    ]
    revenue, accounts = result.distance
    assert revenue == "either platform revenue growth (annual) up 15 percentage points to 40% (now 25%)"
    assert accounts == "or active-account growth (annual) up 20 percentage points to 30% (now 10%)"


def test_a_business_shrinking_forty_percent_a_year_is_in_contraction():
    result = stage_of(8, 23_500, -0.41, -0.38)
    assert (result.stage, result.name, result.next_stage) == ("contraction", "Contraction", "steady_growth")
    # enough history, and both falling: contraction is decided first, whatever the size
    assert [(c.rule, c.holds) for c in result.checks] == [
        ("not_enough_history", False),
        ("contraction", True),
        ("contraction", True),
    ]
    assert result.distance == (
        "either platform revenue growth (annual) back to at least -5% (now -41%)",
        "or active-account growth (annual) back to at least -5% (now -38%)",
    )


@pytest.mark.parametrize(
    ("check", "text"),
    [
        (
            Check("active_accounts", 23_500, "<", 50, False, "cold_start"),
            "Cold start: active accounts below 50? No (23,500)",
        ),
        (
            Check("quarters_of_history", 3, "<", 4, True, NOT_ENOUGH_HISTORY),
            "Not enough history: quarters of history below 4? Yes (3)",
        ),
        (
            Check("platform_revenue_growth_annual", -0.41, "<", -0.05, True, "contraction"),
            "Contraction: platform revenue growth (annual) below -5%? Yes (-41%)",
        ),
        (
            Check("active_accounts_growth_annual", nan, "≥", 0.3, False, "accelerated_growth"),
            "Accelerated growth: active-account growth (annual) at least 30%? No (unknown)",
        ),
    ],
)
def test_each_check_reads_as_its_rules_question_and_a_yes_or_no(check, text):
    assert check_text(check) == text


def test_unknown_growth_is_listed_as_not_holding_and_named_unknown():
    result = stage_of(6, 1200, nan, 0.10)
    growth = result.checks[5]
    assert (growth.signal, growth.holds) == ("platform_revenue_growth_annual", False)
    assert math.isnan(growth.value)
    assert "unknown" in result.distance[0]


def test_unknown_growth_after_many_quarters_does_not_claim_a_single_quarter_of_data():
    result = stage_of(6, 1200, nan, 0.10)
    assert "only one quarter" not in result.distance[0]


def test_custom_thresholds_show_in_checks_and_distance():
    custom = Thresholds(min_quarters=8, cold_start_accounts=5000)
    result = stage_of(6, 1000, thresholds=custom)
    assert result.checks == (Check("active_accounts", 1000, "<", 5000, True, "cold_start"),)
    assert result.distance == ("4,000 more active accounts",)
    longer = stage_of(6, 10_000, thresholds=custom)
    assert longer.checks[2] == Check("quarters_of_history", 6, "<", 8, True, NOT_ENOUGH_HISTORY)
    assert longer.distance == ("2 more quarters of history",)


def test_every_quarter_gets_its_stage_oldest_first():
    frame = stage_metrics(
        ("2024Q2", 2, 400, 0.9, 0.9),
        ("2024Q3", 3, 40, 0.9, 0.9),
        ("2024Q4", 4, 60, 0.9, 0.9),
        ("2025Q1", 5, 320, 0.45, 0.1),
        ("2025Q2", 6, 350, 0.2, 0.1),
        ("2025Q3", 7, 310, -0.2, -0.1),
    )
    results = detect_stage(frame)
    assert [(r.quarter, r.stage) for r in results] == [
        ("2024Q2", NOT_ENOUGH_HISTORY),
        ("2024Q3", "cold_start"),
        ("2024Q4", "traction"),
        ("2025Q1", "accelerated_growth"),
        ("2025Q2", "steady_growth"),
        ("2025Q3", "contraction"),
    ]
    timeline = stage_timeline(results)
    assert timeline.index.tolist() == ["2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    assert timeline["name"].tolist() == [
        "Not enough history (2 quarters)",
        "Cold start",
        "Traction",
        "Accelerated growth",
        "Steady growth",
        "Contraction",
    ]


def test_stage_of_every_quarter_of_the_hand_made_panel(metrics):
    # 3 to 6 active accounts: cold start throughout by the defaults; with 1 account enough to leave
    # cold start and traction, the first three quarters are too short a history, then the annual
    # growth decides (revenue 0.8 and 5/12 ≥ 0.40 from 2024Q4 on)
    assert [r.stage for r in detect_stage(metrics)] == ["cold_start"] * 6
    small = Thresholds(cold_start_accounts=1, traction_accounts=1)
    assert [r.stage for r in detect_stage(metrics, small)] == [NOT_ENOUGH_HISTORY] * 3 + ["accelerated_growth"] * 3


def test_a_business_shrinking_from_its_data_is_in_contraction_not_a_growth_stage():
    # 1,000 accounts in 2024Q1, the first 110 more leaving every quarter (1,000 → 230 in 2025Q4);
    # each pays 100 a quarter. Year on year in 2025Q4: 230 / 670 − 1 = −65.7% in accounts and revenue.
    quarters = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    rows = [
        (f"m{i:04d}", quarter, 1000.0, 100.0, True) for q, quarter in enumerate(quarters) for i in range(110 * q, 1000)
    ]
    results = detect_stage(company_metrics(panel(rows)))
    # 2025Q4 has 230 accounts, under the traction line: shrinking there, it is still contraction
    assert [r.stage for r in results] == [NOT_ENOUGH_HISTORY] * 3 + ["contraction"] * 5
    assert results[-2].checks[2].value == pytest.approx(340 / 780 - 1)  # 2025Q3 on 2024Q3
    assert results[-1].checks[2].value == pytest.approx(230 / 670 - 1)


def test_exactly_forty_percent_revenue_growth_from_data_counts_as_accelerated():
    revenue = {"2024Q1": 100, "2024Q2": 100, "2024Q3": 100, "2024Q4": 100, "2025Q1": 140}
    data = company_metrics(panel([("a", quarter, 1000, value, True) for quarter, value in revenue.items()]))
    result = detect_stage(data, Thresholds(cold_start_accounts=1, traction_accounts=1))[-1]
    assert result.stage == "accelerated_growth"


# --- prioritize and rule_adjustments -------------------------------------------------------------

BUNDLED = tomllib.loads(PLAYBOOK_PATH.read_text(encoding="utf-8"))
LEVERS = {
    "acquisition": "Acquisition & activation",
    "success": "Customer success & renewal",
    "brand": "Brand & content",
}
RULES = [
    {
        "id": "renewal_low",
        "signal": "logo_retention_4q",
        "direction": "below",
        "target": {
            "cold_start": 0.5,
            "traction": 0.75,
            "accelerated_growth": 0.75,
            "steady_growth": 0.875,
            "contraction": 0.875,
        },
        "slope": 8.0,
        "cap": 3.0,
        "lever": "success",
        "rationale": "+1 per 12.5 points of retention below target.",
    },
    {
        "id": "concentrated",
        "signal": "top10_share",
        "direction": "above",
        "target": {stage: 0.5 for stage in STAGES},
        "slope": 8.0,
        "cap": 2.0,
        "lever": "brand",
        "rationale": "+1 per 12.5 points of concentration above target, at most 2.",
    },
]


def small_playbook():
    """Three levers in the file order acquisition, success, brand; base weights 6, 4, 4 for
    (traction, platform) and 1, 2, 3 elsewhere; the two RULES."""
    weights = {
        stage: {model: {"acquisition": 1, "success": 2, "brand": 3} for model in BUSINESS_MODELS} for stage in STAGES
    }
    weights["traction"]["platform"] = {"acquisition": 6, "success": 4, "brand": 4}
    data = {
        "quadrants": copy.deepcopy(BUNDLED["quadrants"]),
        "levers": {
            key: {
                "name": name,
                "description": f"What {name} is about.",
                "actions": {stage: [f"{name} in {stage}."] for stage in STAGES},
            }
            for key, name in LEVERS.items()
        },
        "weights": weights,
        "journeys": {model: ["Acquire", "Serve", "Convert to paid"] for model in BUSINESS_MODELS},
        "rules": copy.deepcopy(RULES),
    }
    return parse_playbook(data, source="small")


SMALL = small_playbook()


def signals(retention, top10):
    return pd.Series({"logo_retention_4q": retention, "top10_share": top10})


def test_rule_adjustments_show_value_target_gap_and_the_capped_adjustment():
    # renewal: 0.75 − 0.5 = 0.25 below, × 8 = 2; concentration: 0.875 − 0.5 = 0.375 above, × 8 = 3, capped at 2
    result = rule_adjustments(signals(0.5, 0.875), "traction", "platform", SMALL)
    assert result.index.tolist() == ["renewal_low", "concentrated"]
    assert result.index.name == "rule"
    # the caps: each rule's own (3, 2) or the spread of the base weights 6, 4, 4 (2), the larger
    columns = ["lever", "signal", "value", "direction", "target", "gap", "cap", "adjustment"]
    assert result[columns].values.tolist() == [
        ["success", "logo_retention_4q", 0.5, "below", 0.75, 0.25, 3.0, 2.0],
        ["brand", "top10_share", 0.875, "above", 0.5, 0.375, 2.0, 2.0],
    ]
    assert result["rationale"].tolist() == [rule["rationale"] for rule in RULES]


def test_the_target_is_the_one_of_the_stage():
    # steady growth: 0.875 − 0.5 = 0.375 × 8 = 3 (= the cap); cold start: target 0.5, no gap
    assert (
        rule_adjustments(signals(0.5, 0.5), "steady_growth", "platform", SMALL).loc["renewal_low", "adjustment"] == 3.0
    )
    assert rule_adjustments(signals(0.5, 0.5), "cold_start", "platform", SMALL).loc["renewal_low", "adjustment"] == 0.0


def test_a_signal_on_the_right_side_of_its_target_adjusts_nothing():
    result = rule_adjustments(signals(0.9, 0.25), "traction", "platform", SMALL)
    assert result["gap"].tolist() == [0.0, 0.0]
    assert result["adjustment"].tolist() == [0.0, 0.0]


def test_an_unknown_or_missing_signal_adjusts_nothing():
    result = rule_adjustments(pd.Series({"logo_retention_4q": nan}), "traction", "platform", SMALL)
    assert result["value"].isna().all()
    assert result["gap"].tolist() == [0.0, 0.0]
    assert result["adjustment"].tolist() == [0.0, 0.0]


def test_score_is_the_base_plus_every_adjustment():
    # success 4 + 1 (0.125 below × 8); brand 4 + 0.5 (0.0625 above × 8); acquisition 6 + 0
    result = prioritize(signals(0.625, 0.5625), "traction", "platform", SMALL)
    assert result.columns.tolist() == ["name", "base", "renewal_low", "concentrated", "score", "rank"]
    assert result.index.name == "lever"
    assert result.index.tolist() == ["acquisition", "success", "brand"]
    assert result["name"].tolist() == list(LEVERS.values())
    assert result[["base", "renewal_low", "concentrated", "score"]].values.tolist() == [
        [6, 0, 0, 6],
        [4, 1, 0, 5],
        [4, 0, 0.5, 4.5],
    ]
    assert result["rank"].tolist() == [1, 2, 3]


def test_ties_share_the_better_rank_and_are_ordered_by_base_then_file_order():
    # every lever scores 6: acquisition 6 + 0, success 4 + 2, brand 4 + 2 (3, capped at 2)
    result = prioritize(signals(0.5, 0.875), "traction", "platform", SMALL)
    assert result["score"].tolist() == [6, 6, 6]
    assert result["rank"].tolist() == [1, 1, 1]
    # base 6 first; then success before brand, as in the file (not alphabetical)
    assert result.index.tolist() == ["acquisition", "success", "brand"]


def test_a_tie_below_the_top_shares_the_better_rank():
    # success 4 + 3 = 7; acquisition 6 and brand 4 + 2 = 6 tie for second
    result = prioritize(signals(0.375, 0.75), "traction", "platform", SMALL)
    assert result.index.tolist() == ["success", "acquisition", "brand"]
    assert result["score"].tolist() == [7, 6, 6]
    assert result["rank"].tolist() == [1, 2, 2]


def test_the_base_weights_are_those_of_the_stage_and_model():
    result = prioritize(signals(0.9, 0.25), "steady_growth", "hardware", SMALL)
    assert result.index.tolist() == ["brand", "success", "acquisition"]
    assert result["score"].tolist() == [3, 2, 1]


def test_the_last_quarter_of_a_metrics_frame_counts():
    frame = pd.DataFrame(
        {"logo_retention_4q": [0.5, 0.625], "top10_share": [0.875, nan]}, index=pd.Index(["2025Q1", "2025Q2"])
    )
    result = prioritize(frame, "traction", "platform", SMALL)
    assert result.loc["success", "renewal_low"] == 1.0
    assert result.loc["brand", "concentrated"] == 0.0


@pytest.mark.parametrize(
    ("stage", "model", "message"),
    [
        ("growth", "platform", r"stage must be one of .*not 'growth'"),
        ("Traction", "platform", r"stage must be one of .*not 'Traction'"),
        ("traction", "marketplace", r"business model must be one of .*not 'marketplace'"),
    ],
)
def test_an_unknown_stage_or_model_is_refused(stage, model, message):
    with pytest.raises(ValueError, match=message):
        prioritize(signals(0.5, 0.5), stage, model, SMALL)


def test_every_bundled_rule_reads_a_signal_company_metrics_computes(metrics):
    playbook = load_playbook()
    assert playbook.rules
    for rule in playbook.rules:
        assert rule.signal in metrics.columns, f"rule {rule.id} reads {rule.signal!r}, which is never computed"


def test_the_bundled_playbook_ranks_every_lever_for_every_stage_and_model(metrics):
    playbook = load_playbook()
    for stage in STAGES:
        for model in BUSINESS_MODELS:
            result = prioritize(metrics, stage, model, playbook)
            assert sorted(result.index) == sorted(lever.key for lever in playbook.levers)
            parts = result[["base", *(rule.id for rule in playbook.rules)]].sum(axis=1)
            assert result["score"].tolist() == pytest.approx(parts.tolist())


# --- allocate ------------------------------------------------------------------------------------


def scored(*scores) -> pd.DataFrame:
    return pd.DataFrame({"score": scores}, index=pd.Index([f"lever{n}" for n in range(len(scores))], name="lever"))


@pytest.mark.parametrize("capacity", [0, 1, 7, 12, 100])
@pytest.mark.parametrize(
    "scores",
    [(5, 3, 2), (0, 0, 0), (4, -1, 2, 0), (6.5, 6.5, 4.25, 1, 0.1, 3), (7.3,)],
    ids=["whole", "all-zero", "negative", "fractions", "single"],
)
def test_allocation_sums_to_capacity_in_whole_units(scores, capacity):
    units = allocate(scored(*scores), capacity)
    assert units.sum() == capacity
    assert units.dtype.kind == "i"
    assert (units >= 0).all()


def test_capacity_goes_to_the_levers_above_the_median_in_proportion_to_how_far_above():
    # scores 9, 7, 5, 4, 3: median 5; weights 4, 2, 0, 0, 0; 12 units → 8 and 4
    units = allocate(scored(9, 7, 5, 4, 3), 12)
    assert units.tolist() == [8, 4, 0, 0, 0]
    assert units.name == "units"
    assert units.index.tolist() == [f"lever{n}" for n in range(5)]


def test_a_lever_that_would_get_less_than_the_minimum_is_left_out_the_lowest_ranked_first():
    # median 4: weights 6, 3, 1 → 12 × 6/10 = 7.2, 3.6, 1.2 → 7, 4, 1 (the unit left to 0.6): 1 < 2, so the third
    # is left out → 12 × 6/9 = 8, 4
    assert allocate(scored(10, 7, 5, 4, 3, 2, 1), 12).tolist() == [8, 4, 0, 0, 0, 0, 0]
    assert allocate(scored(10, 7, 5, 4, 3, 2, 1), 12, min_units=1).tolist() == [7, 4, 1, 0, 0, 0, 0]
    assert allocate(scored(10, 7, 5, 4, 3, 2, 1), 1).tolist() == [1, 0, 0, 0, 0, 0, 0]  # too little for two


def test_levers_all_alike_split_the_capacity_in_useful_parts_not_in_ones():
    # eight equal scores and 12 units: not 2/2/2/2/1/1/1/1 but 2 units each for the first six
    assert allocate(scored(*[5] * 8), 12).tolist() == [2] * 6 + [0, 0]
    # the top score shared by two: both funded, the rest not
    assert allocate(scored(6, 6, 2), 7).tolist() == [4, 3, 0]


def test_a_tied_remainder_goes_to_the_better_ranked_lever():
    # median 1: weights 2, 0, 0, 2 → quotas 3 × 2/4 = 1.5 each: the unit left goes to the first row
    assert allocate(scored(3, 1, 1, 3), 3, min_units=1).tolist() == [2, 0, 0, 1]


def test_a_negative_score_gets_nothing():
    # median 1: weights 3, 0, 1, 0 → quotas 7 × 3/4 = 5.25, 1.75 → 5 + 2
    assert allocate(scored(4, -1, 2, 0), 7).tolist() == [5, 0, 2, 0]


def test_a_whole_float_capacity_is_accepted():
    assert allocate(scored(9, 7, 5, 4, 3), 12.0).tolist() == [8, 4, 0, 0, 0]


def test_zero_new_accounts_take_acquisition_to_the_top_and_the_capacity_follows():
    playbook = load_playbook()
    healthy = pd.Series(  # every signal on the right side of its steady-growth target
        {
            "logo_retention_4q": 0.9,
            "nrr_4q": 1.1,
            "activation": 0.9,
            "new_accounts_growth_yoy": 0.1,
            "q4_b_side_revenue_share": 0.05,
            "q2_platform_revenue_share": 0.02,
            "top10_share": 0.2,
        }
    )
    usual = prioritize(healthy, "steady_growth", "platform", playbook)
    # no new account this quarter, some a year ago
    starved = prioritize(
        healthy.mask(healthy.index == "new_accounts_growth_yoy", -1.0), "steady_growth", "platform", playbook
    )
    # base weights of steady growth · platform run from 4 to 9: the rule may add up to 5, and adds
    # min(5, 5 × (0 − (−1))) = 5 to acquisition's base 4
    assert weight_spread(playbook, "steady_growth", "platform") == 5.0
    assert starved.loc["acquisition", "new_account_growth_below_target"] == 5.0
    assert usual.loc["acquisition", "rank"] == 7 and starved.loc["acquisition", "rank"] == 1  # 9, with success
    assert allocate(usual, 12)["acquisition"] == 0 and allocate(starved, 12)["acquisition"] > 0


@pytest.mark.parametrize("capacity", [2.5, -1, -0.0001, True, nan, math.inf, np.float64(1.5)])
def test_capacity_must_be_a_whole_number_at_least_zero(capacity):
    with pytest.raises(ValueError, match="capacity must be a whole number ≥ 0"):
        allocate(scored(5, 3, 2), capacity)


def test_the_next_stage_after_cold_start_is_where_the_business_would_land():
    # three quarters and many accounts: one more quarter and the growth rules decide, not "traction"
    assert stage_of(3, 1000, 0.10, 0.05).next_stage == "steady_growth"
    assert stage_of(3, 1000, 0.80, 0.05).next_stage == "accelerated_growth"
    assert stage_of(6, 20, 0.10, 0.05).next_stage == "traction"


def test_cold_start_needs_fewer_accounts_than_traction():
    with pytest.raises(ValueError, match="must not exceed traction_accounts"):
        thresholds_from({"cold_start_accounts": 500})


def test_the_stage_names_are_the_playbooks_stages():
    assert tuple(STAGE_NAMES) == STAGES
