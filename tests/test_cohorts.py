"""Cohort maths on panels small enough to check by hand, against lifelines' Kaplan–Meier and
against the published sBG fits of Fader & Hardie (2007)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from b2b_core import engine, quarters, sample
from b2b_core.cohorts import (
    AVERAGE,
    EARLIER_START,
    NOT_SET,
    RENEWAL_COLUMNS,
    TOTAL,
    SBGFitWarning,
    ShiftedBetaGeometric,
    cohort_matrix,
    first_cohort_choice,
    fittable_survivors,
    holdout_check,
    holdout_error,
    kaplan_meier,
    lifetimes,
    pooled_survival,
    renewal_by_cycle,
    select_accounts,
)
from b2b_core.cohorts.activity import members

nan = float("nan")


def panel(rows, extra=("segment",)):
    frame = pd.DataFrame(rows, columns=["account_id", "quarter", "platform_revenue", "active", *extra])
    return frame.astype({"platform_revenue": float, "active": bool})


# Four quarters of 2025, seven accounts that signed up and one that never did.
SMALL = panel(
    [
        # a: 2025Q1 cohort, active throughout; revenue grows above its age-0 10, then falls.
        #    Its segment changes after signup: it stays in "Retail".
        ("a", "2025Q1", 10, True, "Retail"),
        ("a", "2025Q2", 15, True, "Travel"),
        ("a", "2025Q3", 12, True, "Travel"),
        ("a", "2025Q4", 8, True, "Travel"),
        # b: 2025Q1 cohort; zero revenue and inactive in Q2, gone after: churned at age 1
        ("b", "2025Q1", 20, True, "Retail"),
        ("b", "2025Q2", 0, False, "Retail"),
        # c: 2025Q1 cohort, no segment; skips Q2, back in Q3, gone in Q4: churned at age 3
        ("c", "2025Q1", 30, True, ""),
        ("c", "2025Q3", 25, True, ""),
        # d: 2025Q2 cohort; revenue grows above its age-0 40 in Q3
        ("d", "2025Q2", 40, True, "Travel"),
        ("d", "2025Q3", 50, True, "Travel"),
        ("d", "2025Q4", 30, True, "Travel"),
        # e: an inactive row before it signed (other segment), signs in 2025Q2, inactive in Q3: churned at age 1
        ("e", "2025Q1", 0, False, "Travel"),
        ("e", "2025Q2", 10, True, "Retail"),
        ("e", "2025Q3", 0, False, "Retail"),
        # f: 2025Q3 cohort, still active
        ("f", "2025Q3", 5, True, "Travel"),
        ("f", "2025Q4", 5, True, "Travel"),
        # g: never active
        ("g", "2025Q2", 0, False, "Retail"),
        # h: 2025Q4 cohort, signed in the last quarter
        ("h", "2025Q4", 7, True, "Retail"),
    ]
)
QUARTERS_2025 = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]


def expected_matrix(rows: dict, ages: int = 4, revenue: bool = False, by: str | None = None) -> pd.DataFrame:
    """rows: label → [accounts, (initial_revenue,) value at age 0, 1, …]."""
    columns = ["accounts", *(["initial_revenue"] if revenue else []), *range(ages)]
    if by is None:
        index = pd.Index(list(rows), name="cohort")
    else:
        index = pd.MultiIndex.from_tuples(list(rows), names=[by, "cohort"])
    return pd.DataFrame(list(rows.values()), index=index, columns=columns, dtype=float)


def assert_matrix_equal(result: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(result, expected, check_dtype=False, check_column_type=False, rtol=1e-12)


# --- cohort_matrix -------------------------------------------------------------------------------

# Cohort sizes: 2025Q1 a, b, c (3); 2025Q2 d, e (2); 2025Q3 f (1); 2025Q4 h (1).
# Active at ages 0…3: 2025Q1 3, 1 (a), 2 (a, c), 1 (a); 2025Q2 2, 1 (d), 1 (d); 2025Q3 1, 1; 2025Q4 1.
# Revenue at ages 0…3: 2025Q1 60, 15, 37, 8; 2025Q2 50, 50, 30; 2025Q3 5, 5; 2025Q4 7.
# Revenue capped at each account's age-0 revenue (a at 10, d at 40): 2025Q1 60, 10, 35, 8; 2025Q2 50, 40, 30.
MATRICES = {
    ("logo", "initial"): {
        "2025Q1": [3, 1, 1 / 3, 2 / 3, 1 / 3],
        "2025Q2": [2, 1, 1 / 2, 1 / 2, nan],
        "2025Q3": [1, 1, 1, nan, nan],
        "2025Q4": [1, 1, nan, nan, nan],
        AVERAGE: [7, 7 / 7, 3 / 6, 3 / 5, 1 / 3],
    },
    ("logo", "previous"): {
        "2025Q1": [3, nan, 1 / 3, 2 / 1, 1 / 2],
        "2025Q2": [2, nan, 1 / 2, 1 / 1, nan],
        "2025Q3": [1, nan, 1, nan, nan],
        "2025Q4": [1, nan, nan, nan, nan],
        AVERAGE: [7, nan, 3 / 6, 3 / 2, 1 / 2],
    },
    ("logo", "count"): {
        "2025Q1": [3, 3, 1, 2, 1],
        "2025Q2": [2, 2, 1, 1, nan],
        "2025Q3": [1, 1, 1, nan, nan],
        "2025Q4": [1, 1, nan, nan, nan],
        TOTAL: [7, 7, 3, 3, 1],
    },
    ("nrr", "initial"): {
        "2025Q1": [3, 60, 1, 15 / 60, 37 / 60, 8 / 60],
        "2025Q2": [2, 50, 1, 50 / 50, 30 / 50, nan],
        "2025Q3": [1, 5, 1, 5 / 5, nan, nan],
        "2025Q4": [1, 7, 1, nan, nan, nan],
        AVERAGE: [7, 122, 1, 70 / 115, 67 / 110, 8 / 60],
    },
    ("nrr", "previous"): {
        "2025Q1": [3, 60, nan, 15 / 60, 37 / 15, 8 / 37],
        "2025Q2": [2, 50, nan, 50 / 50, 30 / 50, nan],
        "2025Q3": [1, 5, nan, 5 / 5, nan, nan],
        "2025Q4": [1, 7, nan, nan, nan, nan],
        AVERAGE: [7, 122, nan, 70 / 115, 67 / 65, 8 / 37],
    },
    ("nrr", "count"): {
        "2025Q1": [3, 60, 60, 15, 37, 8],
        "2025Q2": [2, 50, 50, 50, 30, nan],
        "2025Q3": [1, 5, 5, 5, nan, nan],
        "2025Q4": [1, 7, 7, nan, nan, nan],
        TOTAL: [7, 122, 122, 70, 67, 8],
    },
    ("grr", "initial"): {
        "2025Q1": [3, 60, 1, 10 / 60, 35 / 60, 8 / 60],
        "2025Q2": [2, 50, 1, 40 / 50, 30 / 50, nan],
        "2025Q3": [1, 5, 1, 5 / 5, nan, nan],
        "2025Q4": [1, 7, 1, nan, nan, nan],
        AVERAGE: [7, 122, 1, 55 / 115, 65 / 110, 8 / 60],
    },
    ("grr", "previous"): {  # Σ min(r_k, r_k−1) / Σ r_k−1: each account capped at its previous quarter
        "2025Q1": [3, 60, nan, (10 + 0) / (10 + 20 + 30), (12 + 0) / (15 + 0), 8 / (12 + 25)],
        "2025Q2": [2, 50, nan, (40 + 0) / (40 + 10), 30 / (50 + 0), nan],
        "2025Q3": [1, 5, nan, 5 / 5, nan, nan],
        "2025Q4": [1, 7, nan, nan, nan, nan],
        AVERAGE: [7, 122, nan, 55 / 115, (12 + 30) / (15 + 50), 8 / 37],
    },
    ("grr", "count"): {
        "2025Q1": [3, 60, 60, 10, 35, 8],
        "2025Q2": [2, 50, 50, 40, 30, nan],
        "2025Q3": [1, 5, 5, 5, nan, nan],
        "2025Q4": [1, 7, 7, nan, nan, nan],
        TOTAL: [7, 122, 122, 55, 65, 8],
    },
}


@pytest.mark.parametrize(("metric", "basis"), list(MATRICES), ids=["-".join(k) for k in MATRICES])
def test_cohort_matrix_matches_every_cell_computed_by_hand(metric, basis):
    result = cohort_matrix(SMALL, metric, basis)
    assert_matrix_equal(result, expected_matrix(MATRICES[metric, basis], revenue=metric != "logo"))


def test_grr_stays_below_nrr_when_an_account_grows_above_its_initial_revenue():
    # a (10 → 15 in 2025Q2) and d (40 → 50 in 2025Q3) count only up to their age-0 revenue in GRR
    ages = [1, 2, 3]
    nrr, grr = cohort_matrix(SMALL, "nrr")[ages], cohort_matrix(SMALL, "grr")[ages]
    assert (grr <= nrr).where(nrr.notna(), True).all(axis=None)
    assert grr.loc["2025Q1", 1] < nrr.loc["2025Q1", 1]
    assert grr.loc["2025Q2", 1] < nrr.loc["2025Q2", 1]


def test_by_segment_groups_accounts_by_their_segment_at_signup_with_an_average_per_group():
    # a counts as Retail (its first active row) although it is Travel later; e's inactive Travel
    # row before its signup does not count; c has no segment.
    result = cohort_matrix(SMALL, "logo", "initial", by="segment")
    expected = {
        (NOT_SET, "2025Q1"): [1, 1, 0, 1, 0],
        (NOT_SET, AVERAGE): [1, 1, 0, 1, 0],
        ("Retail", "2025Q1"): [2, 1, 1 / 2, 1 / 2, 1 / 2],
        ("Retail", "2025Q2"): [1, 1, 0, 0, nan],
        ("Retail", "2025Q4"): [1, 1, nan, nan, nan],
        ("Retail", AVERAGE): [4, 4 / 4, 1 / 3, 1 / 3, 1 / 2],
        ("Travel", "2025Q2"): [1, 1, 1, 1, nan],
        ("Travel", "2025Q3"): [1, 1, 1, nan, nan],
        ("Travel", AVERAGE): [2, 2 / 2, 2 / 2, 1 / 1, nan],
    }
    assert_matrix_equal(result, expected_matrix(expected, by="segment"))


YEARLY = panel(
    [
        # p: 2024 cohort, 30 in 2024 (two quarters), 10 in 2025, gone in 2026
        ("p", "2024Q3", 10, True),
        ("p", "2024Q4", 20, True),
        ("p", "2025Q1", 5, True),
        ("p", "2025Q3", 5, True),
        # q: 2024 cohort, absent in 2025, back in 2026
        ("q", "2024Q4", 8, True),
        ("q", "2026Q1", 4, True),
        # r: inactive in 2025Q1, signs in 2025Q3: 2025 cohort
        ("r", "2025Q1", 0, False),
        ("r", "2025Q3", 6, True),
        ("r", "2026Q1", 6, True),
    ],
    extra=(),
)


def test_yearly_cohorts_sum_the_revenue_of_the_quarters_of_each_year():
    result = cohort_matrix(YEARLY, "nrr", "count", period="year")
    expected = {"2024": [2, 38, 38, 10, 4], "2025": [1, 6, 6, 6, nan], TOTAL: [3, 44, 44, 16, 4]}
    assert_matrix_equal(result, expected_matrix(expected, ages=3, revenue=True))


def test_yearly_logo_retention_counts_an_account_active_in_any_quarter_of_the_year():
    result = cohort_matrix(YEARLY, "logo", "initial", period="year")
    expected = {"2024": [2, 1, 1 / 2, 1 / 2], "2025": [1, 1, 1, nan], AVERAGE: [3, 3 / 3, 2 / 3, 1 / 2]}
    assert_matrix_equal(result, expected_matrix(expected, ages=3))


def test_a_quarter_missing_from_the_panel_gives_nan_cells_not_zero():
    # Without 2025Q3: c is active only in Q1, f signs up in Q4 with h; no 2025Q3 cohort.
    result = cohort_matrix(SMALL[SMALL["quarter"] != "2025Q3"], "logo", "count")
    expected = {
        "2025Q1": [3, 3, 1, nan, 1],
        "2025Q2": [2, 2, nan, 1, nan],
        "2025Q4": [2, 2, nan, nan, nan],
        TOTAL: [7, 7, 1, 1, 1],
    }
    assert_matrix_equal(result, expected_matrix(expected))


def test_observed_quarters_after_the_panel_give_zero_cells_not_nan():
    # The data cover 2026Q1 too, where none of these accounts is active (e.g. a selection).
    result = cohort_matrix(SMALL, "logo", "count", observed=[*QUARTERS_2025, "2026Q1"])
    expected = {
        "2025Q1": [3, 3, 1, 2, 1, 0],
        "2025Q2": [2, 2, 1, 1, 0, nan],
        "2025Q3": [1, 1, 1, 0, nan, nan],
        "2025Q4": [1, 1, 0, nan, nan, nan],
        TOTAL: [7, 7, 3, 3, 1, 0],
    }
    assert_matrix_equal(result, expected_matrix(expected, ages=5))


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"metric": "churn"}, "metric"),
        ({"basis": "ratio"}, "basis"),
        ({"by": "country"}, "country"),
        ({"period": "month"}, "period"),
    ],
)
def test_cohort_matrix_rejects_unknown_arguments(arguments, problem):
    with pytest.raises(ValueError, match=problem):
        cohort_matrix(SMALL, **arguments)


@pytest.mark.parametrize("data", [SMALL.iloc[:0], SMALL[SMALL["account_id"] == "g"]], ids=["empty", "never-active"])
@pytest.mark.parametrize(("metric", "by"), [("logo", None), ("nrr", None), ("grr", "segment")])
def test_a_panel_without_active_accounts_gives_a_matrix_without_rows(data, metric, by):
    result = cohort_matrix(data, metric, by=by)
    assert len(result) == 0
    assert list(result.columns) == ["accounts", *(["initial_revenue"] if metric != "logo" else [])]
    assert list(result.index.names) == (["cohort"] if by is None else [by, "cohort"])


# --- lifetimes ------------------------------------------------------------------------------------


def per_entry(found) -> dict:
    """(cohort, last active quarter) → (accounts, duration, churned)."""
    keys = zip(map(found.label, found.cohort), map(found.label, found.last_active), strict=True)
    facts = zip(found.accounts.tolist(), found.duration.tolist(), found.churned.tolist(), strict=True)
    return dict(zip(keys, facts, strict=True))


def test_each_account_s_cohort_and_last_active_quarter_by_hand():
    found = engine.run(members(engine.table(SMALL))).set_index("account_id").sort_index()
    labelled = {
        a: (quarters.from_ordinal(int(r.cohort)), quarters.from_ordinal(int(r.last_active)))
        for a, r in found.dropna().iterrows()
    }
    # c comes back after its gap: alive through it, its last activity is 2025Q3
    assert labelled == {
        "a": ("2025Q1", "2025Q4"),
        "b": ("2025Q1", "2025Q1"),
        "c": ("2025Q1", "2025Q3"),
        "d": ("2025Q2", "2025Q4"),
        "e": ("2025Q2", "2025Q2"),
        "f": ("2025Q3", "2025Q4"),
        "h": ("2025Q4", "2025Q4"),
    }
    assert found.loc["g"].isna()[["cohort", "last_active"]].all()
    assert found.loc["a", "initial"] == 10 and found.loc["d", "initial"] == 40


def test_lifetimes_durations_and_churn_flags_by_hand():
    # one account per entry: b churned at age 1, c at age 3 (after its gap), e at age 1
    assert per_entry(lifetimes(SMALL)) == {
        ("2025Q1", "2025Q1"): (1, 1, True),
        ("2025Q1", "2025Q3"): (1, 3, True),
        ("2025Q1", "2025Q4"): (1, 3, False),
        ("2025Q2", "2025Q2"): (1, 1, True),
        ("2025Q2", "2025Q4"): (1, 2, False),
        ("2025Q3", "2025Q4"): (1, 1, False),
        ("2025Q4", "2025Q4"): (1, 0, False),
    }


def test_lifetimes_count_the_accounts_sharing_a_cohort_and_last_quarter():
    twice = pd.concat([SMALL, SMALL.assign(account_id=SMALL["account_id"] + "2")])
    found = lifetimes(twice)
    assert found.accounts.tolist() == [2] * 7 and found.never_active == 2


def test_an_observed_quarter_after_the_panel_churns_the_accounts_active_until_the_end():
    found = lifetimes(SMALL, observed=[*QUARTERS_2025, "2026Q1"])
    assert found.churned.all()
    assert sorted(found.duration.tolist()) == sorted([4, 1, 3, 3, 1, 2, 1])


def test_accounts_never_active_belong_to_no_cohort_and_are_counted():
    found = lifetimes(SMALL)
    assert found.never_active == 1
    assert found.accounts.sum() == 7


def test_lifetimes_made_another_way_are_refused_rather_than_reused():
    with pytest.raises(ValueError, match="by quarter and None, not by year"):
        kaplan_meier(lifetimes(SMALL), period="year")


# --- Kaplan–Meier --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_panel():
    return sample.generate_panel(n_accounts=3000)


def test_kaplan_meier_at_risk_churned_censored_and_survival_by_hand():
    # durations: a 3 (censored), b 1, c 3, d 2 (censored), e 1, f 1 (censored), h 0 (censored)
    result = kaplan_meier(SMALL)
    assert list(result.index) == [0, 1, 2, 3]
    assert list(result["at_risk"]) == [7, 6, 3, 2]
    assert list(result["churned"]) == [0, 2, 0, 1]
    assert list(result["censored"]) == [1, 1, 1, 1]
    np.testing.assert_allclose(result["survival"], [1, 4 / 6, 4 / 6, 4 / 6 * 1 / 2])


def durations_by_pandas(data: pd.DataFrame, period: str = "quarter", by: str | None = None) -> pd.DataFrame:
    """Per account ever active: duration, churned (and ``by`` at its first active row), derived
    directly from the panel, independently of ``lifetimes``."""
    ordinal = data["quarter"].str[:4].astype(int) * 4 + data["quarter"].str[-1].astype(int) - 1
    if period == "year":
        ordinal = ordinal // 4
    last_observed = ordinal.max()
    active = data.assign(ordinal=ordinal)[data["active"]].sort_values("ordinal", kind="stable")
    accounts = active.groupby("account_id").agg(first=("ordinal", "min"), last=("ordinal", "max"))
    accounts["churned"] = accounts["last"] < last_observed
    accounts["duration"] = np.where(
        accounts["churned"], accounts["last"] - accounts["first"] + 1, last_observed - accounts["first"]
    )
    if by is not None:
        accounts[by] = active.groupby("account_id")[by].first()
    return accounts


def assert_matches_lifelines(table: pd.DataFrame, accounts: pd.DataFrame) -> None:
    fitter = KaplanMeierFitter().fit(accounts["duration"], accounts["churned"])
    ages = table.index.to_numpy()
    assert ages[-1] == accounts["duration"].max()
    # lifelines' timeline holds only event and censoring times: carry its steps forward
    reference = pd.concat([fitter.survival_function_, fitter.confidence_interval_], axis=1)
    reference = reference.reindex(ages.astype(float), method="ffill")
    for column, reference_column in zip(["survival", "lower", "upper"], reference.columns):
        np.testing.assert_allclose(table[column], reference[reference_column], rtol=0, atol=1e-9, err_msg=column)
    events = fitter.event_table.reindex(ages.astype(float), fill_value=0)
    np.testing.assert_array_equal(table["churned"], events["observed"])
    np.testing.assert_array_equal(table["censored"], events["censored"])


@pytest.mark.parametrize("period", ["quarter", "year"])
@pytest.mark.parametrize("data", ["small", "yearly", "sample"])
def test_kaplan_meier_matches_lifelines(data, period, sample_panel):
    data = {"small": SMALL, "yearly": YEARLY, "sample": sample_panel}[data]
    assert_matches_lifelines(kaplan_meier(data, period=period), durations_by_pandas(data, period))


def test_kaplan_meier_by_tier_matches_lifelines_in_every_tier(sample_panel):
    result = kaplan_meier(sample_panel, by="tier")
    accounts = durations_by_pandas(sample_panel, by="tier")
    assert list(result.index.names) == ["tier", "age"]
    assert sorted(result.index.unique("tier")) == ["KA", "long-tail", "mid"]
    for tier, table in result.groupby(level="tier"):
        assert_matches_lifelines(table.droplevel("tier"), accounts[accounts["tier"] == tier])


# --- shifted-beta-geometric ----------------------------------------------------------------------

# Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1):
# survivors of 1000 customers over 7 years, and the published maximum-likelihood fits.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
REGULAR_LATER = [223, 207, 194, 183, 173]  # actual survivors in years 8–12


@pytest.fixture(scope="module")
def regular():
    return ShiftedBetaGeometric().fit(REGULAR)


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta", "loglik"),
    [(REGULAR, 0.704, 1.182, -1680.3), (HIGH_END, 0.668, 3.806, -1611.2)],
    ids=["regular", "high-end"],
)
def test_fit_reproduces_the_published_fits_of_fader_and_hardie(survivors, alpha, beta, loglik):
    model = ShiftedBetaGeometric().fit(survivors)
    assert (round(model.alpha_, 3), round(model.beta_, 3), round(model.loglik_, 1)) == (alpha, beta, loglik)


def test_projection_of_the_regular_segment_tracks_its_later_years(regular):
    projected = regular.survival(np.arange(8, 13))
    np.testing.assert_allclose(projected, np.array(REGULAR_LATER) / 1000, rtol=0, atol=0.01)


def simulated_survivors(rng, alpha: float, beta: float, accounts: int, periods: int) -> np.ndarray:
    """n_t = accounts still alive after t = 0 … periods periods, churn probability θ ~ Beta(α, β)."""
    lifetime = rng.geometric(rng.beta(alpha, beta, accounts))  # churn period T = 1, 2, …
    return np.array([(lifetime > t).sum() for t in range(periods + 1)])


TRUE_ALPHA, TRUE_BETA = 0.9, 2.5


def assert_recovers_true_parameters(model: ShiftedBetaGeometric) -> None:
    assert model.alpha_interval_[0] < TRUE_ALPHA < model.alpha_interval_[1]
    assert model.beta_interval_[0] < TRUE_BETA < model.beta_interval_[1]
    # and the intervals are informative
    assert model.alpha_interval_[1] / model.alpha_interval_[0] < 1.5
    assert model.beta_interval_[1] / model.beta_interval_[0] < 1.5


def test_fit_recovers_known_parameters_of_a_simulated_cohort():
    survivors = simulated_survivors(np.random.default_rng(2007), TRUE_ALPHA, TRUE_BETA, 20_000, 8)
    assert_recovers_true_parameters(ShiftedBetaGeometric().fit(survivors))


def test_joint_fit_of_cohorts_observed_for_different_lengths_recovers_known_parameters():
    rng = np.random.default_rng(21)
    lengths = [8, 6, 4, 2, 1]  # periods observed: older cohorts are seen longer
    cohorts = [simulated_survivors(rng, TRUE_ALPHA, TRUE_BETA, 4_000, 8)[: n + 1] for n in lengths]
    model = ShiftedBetaGeometric().fit(cohorts)
    assert_recovers_true_parameters(model)
    assert (model.n_cohorts_, model.n_accounts_, model.n_periods_) == (5, 20_000, 8)


def test_joint_fit_of_the_same_cohort_twice_gives_the_same_parameters_and_twice_the_loglik(regular):
    twice = ShiftedBetaGeometric().fit([REGULAR, REGULAR])
    assert twice.alpha_ == pytest.approx(regular.alpha_, rel=1e-6)
    assert twice.beta_ == pytest.approx(regular.beta_, rel=1e-6)
    assert twice.loglik_ == pytest.approx(2 * regular.loglik_, rel=1e-9)


def test_survival_follows_the_recursion_of_churn_probabilities(regular):
    a, b = regular.alpha_, regular.beta_
    churn = [a / (a + b)]  # P(T = 1)
    for t in range(2, 13):
        churn.append(churn[-1] * (b + t - 2) / (a + b + t - 1))
    expected = 1 - np.r_[0.0, np.cumsum(churn)]
    np.testing.assert_allclose(regular.survival(np.arange(13)), expected, rtol=1e-10)


def test_retention_rate_is_the_ratio_of_consecutive_survivals(regular):
    ages = np.arange(1, 13)
    np.testing.assert_allclose(
        regular.retention_rate(ages), regular.survival(ages) / regular.survival(ages - 1), rtol=1e-10
    )


def model_with(alpha: float, beta: float) -> ShiftedBetaGeometric:
    model = ShiftedBetaGeometric()
    model.alpha_, model.beta_ = alpha, beta
    return model


def test_survival_and_retention_by_hand_for_alpha_2_beta_3():
    # S(t) = B(2, 3 + t) / B(2, 3) = 12 / ((t + 3)(t + 4)); r(t) = (t + 2) / (t + 4)
    model = model_with(2.0, 3.0)
    np.testing.assert_allclose(model.survival([0, 1, 2, 3]), [1, 12 / 20, 12 / 30, 12 / 42])
    np.testing.assert_allclose(model.retention_rate([1, 2, 3]), [3 / 5, 4 / 6, 5 / 7])


@pytest.mark.parametrize(
    ("alpha", "beta", "horizon", "expected"),
    [
        (2.0, 3.0, None, 4.0),  # (α + β − 1) / (α − 1)
        (2.0, 3.0, 1, 1.0),  # S(0)
        (2.0, 3.0, 5, 2.5),  # Σ_{t<5} 12/((t+3)(t+4)) = 12 (1/3 − 1/8)
        (1.0, 3.0, None, math.inf),
        (0.704, 1.182, None, math.inf),
    ],
)
def test_expected_lifetime(alpha, beta, horizon, expected):
    assert model_with(alpha, beta).expected_lifetime(horizon) == pytest.approx(expected)


def test_the_headline_lifetime_is_the_whole_mean_when_finite_else_the_mean_over_the_horizon():
    assert model_with(2.0, 3.0).headline_lifetime() == (4.0, None)  # (2 + 3 − 1) / (2 − 1)
    value, horizon = model_with(1.0, 3.0).headline_lifetime(horizon=5)  # α = 1: no finite mean
    assert horizon == 5 and value == pytest.approx(1 + 3 / 4 + 3 / 5 + 3 / 6 + 3 / 7)  # S(t) = 3 / (3 + t)


def test_expected_lifetime_over_a_horizon_sums_the_survival(regular):
    assert regular.expected_lifetime(horizon=10) == pytest.approx(regular.survival(np.arange(10)).sum())


def test_projection_band_contains_the_survival_starts_at_one_and_widens_with_age(regular):
    projection = regular.project(12)
    assert list(projection.index) == list(range(13))
    assert projection.loc[0, ["survival", "lower", "upper"]].tolist() == [1.0, 1.0, 1.0]
    later = projection.iloc[1:]
    assert (later["lower"] < later["survival"]).all() and (later["survival"] < later["upper"]).all()
    # the width relative to the survival grows with age (in share points it need not: S falls)
    assert ((later["upper"] - later["lower"]) / later["survival"]).is_monotonic_increasing
    assert math.isnan(projection.loc[0, "retention_rate"])
    np.testing.assert_allclose(later["retention_rate"], regular.retention_rate(np.arange(1, 13)))


@pytest.mark.parametrize(
    ("survivors", "problem"),
    [
        ([100, 80, 90], "rise"),
        ([0, 0, 0], "empty"),
        ([100], "at least two"),
        ([], "no cohorts"),
        ([100, -5], "≥ 0"),
        ([100, nan], "finite"),
        ([REGULAR, [50, 60]], "cohort 2"),
    ],
    ids=["rising", "size-zero", "single-count", "no-input", "negative", "nan", "names-the-cohort"],
)
def test_fit_rejects_impossible_survivor_counts_saying_what_is_wrong(survivors, problem):
    with pytest.raises(ValueError, match=problem):
        ShiftedBetaGeometric().fit(survivors)


def test_fit_warns_when_there_is_no_churn_at_all():
    with pytest.warns(SBGFitWarning):
        ShiftedBetaGeometric().fit([100, 100, 100])


def test_without_churn_the_projection_band_is_the_whole_unit_interval():
    with pytest.warns(SBGFitWarning):
        model = ShiftedBetaGeometric().fit([100, 100, 100])
    band = model.project(3)
    assert band["lower"].tolist() == [1.0, 0.0, 0.0, 0.0] and band["upper"].tolist() == [1.0] * 4
    assert model.alpha_interval_[0] == 0.0 and model.alpha_interval_[1] == float("inf")


def test_one_period_of_renewals_warns_that_alpha_and_beta_are_not_determined():
    with pytest.warns(SBGFitWarning, match="one period"):
        model = ShiftedBetaGeometric().fit([[100, 80], [50, 40]])
    assert model.retention_rate(1) == pytest.approx(0.8)  # the average is determined


def test_a_two_dimensional_array_is_one_cohort_per_row():
    rows = np.array([REGULAR, REGULAR])
    assert ShiftedBetaGeometric().fit(rows).alpha_ == pytest.approx(ShiftedBetaGeometric().fit(REGULAR).alpha_)


def test_the_average_of_previous_period_retention_skips_cells_without_a_previous_value():
    # x: active Q1 and Q3 (nobody of its cohort active in Q2); y: active Q2 to Q4
    gap = panel(
        [("x", "2025Q1", 1, True, "R"), ("x", "2025Q3", 1, True, "R")]
        + [("y", q, 1, True, "R") for q in ("2025Q2", "2025Q3", "2025Q4")]
    )
    table = cohort_matrix(gap, "logo", "previous")
    assert np.isnan(table.loc["2025Q1", 2]) and table.loc["2025Q2", 2] == 1.0
    assert table.loc[AVERAGE, 2] == 1.0


def test_fit_returns_self_and_init_only_stores_parameters():
    model = ShiftedBetaGeometric(confidence=0.9)
    assert vars(model) == {"confidence": 0.9}
    assert model.fit(REGULAR) is model


# --- pooled survival and hold-out check ----------------------------------------------------------


def test_pooled_survival_by_hand():
    # age 1: (8 + 4) / (10 + 5); age 2: only the first cohort is observed, 6 / 8
    result = pooled_survival([[10, 8, 6], [5, 4]])
    assert list(result.index) == [0, 1, 2]
    np.testing.assert_allclose(result, [1, 12 / 15, 12 / 15 * 6 / 8])


def test_pooled_survival_of_the_survivor_counts_equals_kaplan_meier(sample_panel):
    pooled = pooled_survival(fittable_survivors(sample_panel))
    km = kaplan_meier(sample_panel)["survival"]
    assert list(pooled.index) == list(km.index)
    np.testing.assert_allclose(pooled, km, rtol=1e-12)


def test_holdout_check_fits_the_first_periods_and_compares_with_the_rest():
    model, check = holdout_check(REGULAR, 3)
    fitted = ShiftedBetaGeometric().fit(REGULAR[:4])
    assert (model.alpha_, model.beta_) == pytest.approx((fitted.alpha_, fitted.beta_))
    assert list(check.index) == list(range(8))
    assert list(check["held_out"]) == [False] * 4 + [True] * 4
    np.testing.assert_allclose(check["observed"], np.array(REGULAR) / 1000)
    np.testing.assert_allclose(check["predicted"], fitted.survival(np.arange(8)))
    np.testing.assert_allclose(check["error"], check["predicted"] - check["observed"])
    assert holdout_error(check) == pytest.approx(check["error"].iloc[4:].abs().mean())


def test_holdout_check_without_fit_periods_fits_everything_and_projects_to_the_horizon(regular):
    model, check = holdout_check(REGULAR, None, horizon=12)
    assert model.alpha_ == pytest.approx(regular.alpha_)
    assert list(check.index) == list(range(13))
    assert check["observed"].iloc[8:].isna().all()
    assert not check["held_out"].any()
    assert math.isnan(holdout_error(check))


@pytest.mark.parametrize("fit_periods", [0, 7, 8])
def test_holdout_check_needs_a_fit_shorter_than_the_longest_cohort(fit_periods):
    with pytest.raises(ValueError, match="fit_periods"):
        holdout_check(REGULAR, fit_periods)


# --- renewal by contract cycle -------------------------------------------------------------------


def contract_panel(rows):
    frame = pd.DataFrame(rows, columns=["account_id", "quarter", "contract_value", "contract_end"])
    frame["contract_end"] = pd.to_datetime(frame["contract_end"])
    return frame.assign(platform_revenue=frame["contract_value"] / 4, active=True)


CONTRACTS = contract_panel(
    [
        # x: active in the first quarter: started before the data; renews 100 → 120, then pending
        ("x", "2024Q1", 100.0, "2024-06-30"),
        ("x", "2024Q2", 100.0, "2024-06-30"),
        ("x", "2024Q3", 120.0, "2025-06-30"),
        ("x", "2024Q4", 120.0, "2025-06-30"),
        ("x", "2025Q1", 120.0, "2025-06-30"),
        ("x", "2025Q2", 120.0, "2025-06-30"),
        # y: signs in 2024Q2; 1st contract 200 → renews at 150; 2nd 150 → renews at 180; 3rd pending
        ("y", "2024Q2", 200.0, "2024-09-30"),
        ("y", "2024Q3", 200.0, "2024-09-30"),
        ("y", "2024Q4", 150.0, "2025-03-31"),
        ("y", "2025Q1", 150.0, "2025-03-31"),
        ("y", "2025Q2", 180.0, "2026-06-30"),
        # z: signs in 2024Q2; its 50 contract ends in 2024Q4 and is not renewed
        ("z", "2024Q2", 50.0, "2024-12-31"),
        ("z", "2024Q3", 50.0, "2024-12-31"),
        ("z", "2024Q4", 50.0, "2024-12-31"),
        # w: signs in 2024Q3; 80 → renews at 100 in the last quarter; that 2nd contract is pending
        ("w", "2024Q3", 80.0, "2025-03-31"),
        ("w", "2024Q4", 80.0, "2025-03-31"),
        ("w", "2025Q1", 80.0, "2025-03-31"),
        ("w", "2025Q2", 100.0, "2026-03-31"),
    ]
)


def test_renewal_by_cycle_by_hand():
    result = renewal_by_cycle(CONTRACTS)
    expected = pd.DataFrame(
        {  # up, renewed, pending, logo rate, value up, value renewed, net and gross value rate
            "1": [3, 2, 0, 2 / 3, 330.0, 250.0, 250 / 330, (150 + 80) / 330],  # y, z, w
            "2": [1, 1, 1, 1.0, 150.0, 180.0, 180 / 150, 150 / 150],  # y; w pending
            "3": [0, 0, 1, nan, 0.0, 0.0, nan, nan],  # y pending
            EARLIER_START: [1, 1, 1, 1.0, 100.0, 120.0, 120 / 100, 100 / 100],  # x
        },
        index=RENEWAL_COLUMNS,
    ).T.rename_axis("cycle")
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)
    assert result[["up_for_renewal", "renewed", "pending"]].dtypes.eq(np.int64).all()


def test_a_contract_whose_next_quarter_is_missing_is_decided_by_the_next_quarter_of_the_data():
    # without 2025Q1: z's contract (ends 2024Q4) is judged in 2025Q2, where z is absent: not renewed;
    # y's and w's contracts ending in 2025Q1 are judged in 2025Q2 too, where both are active
    result = renewal_by_cycle(CONTRACTS[CONTRACTS["quarter"] != "2025Q1"])
    assert result.loc["1", ["up_for_renewal", "renewed", "pending"]].tolist() == [3, 2, 0]
    assert result.loc["2", ["up_for_renewal", "renewed", "pending"]].tolist() == [1, 1, 1]


def test_a_contract_ending_in_the_last_quarter_of_the_data_is_pending():
    result = renewal_by_cycle(CONTRACTS[CONTRACTS["quarter"] <= "2025Q1"])
    # y's 2nd and w's 1st contracts end in 2025Q1, the last quarter: pending
    assert result.loc["1", ["up_for_renewal", "renewed", "pending"]].tolist() == [2, 1, 1]
    assert result.loc["2", ["up_for_renewal", "renewed", "pending"]].tolist() == [0, 0, 1]


@pytest.mark.parametrize(
    "data",
    [SMALL, CONTRACTS.assign(contract_end=pd.NaT)],
    ids=["no-contract-end-column", "no-contract-end-value"],
)
def test_renewal_by_cycle_without_contract_ends_is_empty(data):
    result = renewal_by_cycle(data)
    assert result.empty
    assert list(result.columns) == RENEWAL_COLUMNS


# --- select_accounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selection", "leave_out_first", "accounts"),
    [
        # a is Retail at signup (Travel later); e is Retail at signup (Travel on an earlier inactive row)
        ({"segment": ["Retail"]}, False, {"a", "b", "e", "g", "h"}),
        ({"segment": [NOT_SET]}, False, {"c", "g"}),
        ({"segment": ["Travel"]}, True, {"d", "f", "g"}),
        # a, b and c were active in the first quarter; e only had an inactive row there
        (None, True, {"d", "e", "f", "g", "h"}),
    ],
)
def test_select_accounts_by_signup_attribute_and_first_cohort(selection, leave_out_first, accounts):
    result = in_order(select_accounts(SMALL, selection, leave_out_first))
    assert set(result["account_id"]) == accounts  # accounts never active (g) are kept
    pd.testing.assert_frame_equal(result, in_order(SMALL[SMALL["account_id"].isin(accounts)]))


@pytest.mark.parametrize("selection", [None, {}, {"segment": []}, {"country": ["Spain"]}])
def test_an_empty_selection_keeps_every_row(selection):
    pd.testing.assert_frame_equal(in_order(select_accounts(SMALL, selection)), in_order(SMALL))


def in_order(rows) -> pd.DataFrame:
    """A panel's rows (a frame, or a table of the engine) by account and quarter."""
    frame = rows if isinstance(rows, pd.DataFrame) else engine.run(rows)
    return frame.sort_values(["account_id", "quarter"], ignore_index=True)


# --- the first cohort's default --------------------------------------------------------------------


def signups(*per_quarter: int, start: str = "2024Q1") -> pd.DataFrame:
    """A panel in which ``per_quarter[i]`` accounts start in the i-th quarter from ``start`` and stay
    active to the last quarter."""
    last = len(per_quarter) - 1
    rows = [
        (f"q{i}-{n}", quarters.shift(start, age), 10.0, True)
        for i, accounts in enumerate(per_quarter)
        for n in range(accounts)
        for age in range(i, last + 1)
    ]
    return pd.DataFrame(rows, columns=["account_id", "quarter", "platform_revenue", "active"])


def test_a_first_cohort_much_larger_than_the_next_ones_is_left_out_as_a_backlog():
    # 10 accounts against a median of 2 over the next four cohorts (2 1 3 2): 5.0× > 3×
    found = first_cohort_choice(signups(10, 2, 1, 3, 2, 9))
    assert (found.quarter, found.accounts, found.later_median, found.compared) == ("2024Q1", 10, 2.0, 4)
    assert found.leave_out
    assert found.reason.startswith("The 2024Q1 cohort (10 accounts) is left out: it is 5.0× the median of the next 4")
    assert "backlog" in found.reason


def test_data_starting_at_launch_keep_the_first_cohort():
    # 2 accounts against a median of 4.5 (3 4 5 6): 0.4×
    found = first_cohort_choice(signups(2, 3, 4, 5, 6))
    assert not found.leave_out and found.later_median == 4.5
    assert found.reason.startswith("The 2024Q1 cohort (2 accounts) is kept: it is 0.4× the median of the next 4")


@pytest.mark.parametrize(
    ("per_quarter", "leave_out", "said"),
    [
        ((6, 2, 2), False, "3.0× the median of the next 2 cohorts (2), not more than 3×"),  # the bound is kept
        ((7, 2, 2), True, "3.5× the median of the next 2 cohorts (2), more than 3×"),
        ((4, 1, 0, 0, 3), True, "8.0× the median of the next 4 cohorts (0.5)"),  # quarters without signups count 0
        ((5, 0, 0), False, "nobody started in the next 2 quarters"),
        ((5,), False, "is the only one: the data hold one quarter"),
    ],
)
def test_the_first_cohort_rule_at_its_edges(per_quarter, leave_out, said):
    found = first_cohort_choice(signups(*per_quarter))
    assert found.leave_out == leave_out and said in found.reason


def test_the_small_panel_keeps_its_first_cohort():
    # a b c against d e (2), f (1), h (1): median 1, 3× exactly; g never active, e's inactive 2025Q1 row not counted
    found = first_cohort_choice(SMALL)
    assert (found.accounts, found.later_median, found.leave_out) == (3, 1.0, False)
