"""Scenario projections checked by hand on a hand-built base and a seven-account panel; levers,
the link format, the comparison and tornado tables, and scenarios saved in the workspace."""

from __future__ import annotations

import math
from dataclasses import replace
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd
import pytest

from b2b_core import overview, quarters, sample
from b2b_core.access import LOCAL
from b2b_core.cohorts import ShiftedBetaGeometric
from b2b_core.scenarios import (
    BASE,
    LEVER_KEYS,
    LEVERS,
    OUTPUTS,
    SENSITIVITY_COLUMNS,
    SUMMARY_OUTPUTS,
    Base,
    RevenueTrend,
    Scenario,
    backtest,
    backtest_errors,
    by_quarter,
    compare,
    fit_base,
    from_query,
    outcomes,
    plausible_steps,
    project,
    sensitivity,
    to_query,
)
from b2b_core.scenarios.series import SeriesForecast
from b2b_core.store import Workspace


def flat(value: float) -> SeriesForecast:
    """A series held at ``value`` for 40 quarters, with no uncertainty."""
    return SeriesForecast("flat", np.full(40, value))


def hand_base(has_b_side: bool = True) -> Base:
    """α = β = 1, so r(t) = t/(t + 1) and S(t) = 1/(t + 1); 10 accounts alive at age 1, 4 new
    accounts a quarter; platform revenue 1000 for the ten together, 50 per new account, ramp 2
    into age 1, then 10% growth a quarter; B-side revenue ten times platform revenue."""
    return Base(
        last_quarter="2025Q4",
        alive=np.array([0.0, 10.0]),
        alpha=1.0,
        beta=1.0,
        covariance=np.diag([0.01, 0.01]),
        signups=np.array([4.0]),
        arrivals=flat(4.0),
        platform=RevenueTrend(by_age=np.array([0.0, 1000.0]), starts=flat(50.0), ramp=2.0, growth=0.1),
        b_side=RevenueTrend(
            by_age=np.array([0.0, 10_000.0 * has_b_side]), starts=flat(500.0 * has_b_side), ramp=2.0, growth=0.1
        ),
        has_b_side=has_b_side,
        history=pd.DataFrame(),
        fitted_cohorts=1,
    )


# ---- the projection, by hand -------------------------------------------------------------------


def test_base_projection_by_hand():
    # Existing: the ten at age 1 renew into age 2 with r(2) = 2/3, into age 3 with r(3) = 3/4.
    # New: 4 arrive each quarter; the first quarter's renew into age 1 with r(1) = 1/2.
    # Platform revenue: the ten earn 1000 × 1.1^h of what survives; a new account 50, then 100.
    frame = project(hand_base(), BASE, horizon=2, bands=False)
    assert list(frame.index) == ["2026Q1", "2026Q2"]
    assert list(frame.columns) == list(OUTPUTS)
    assert frame["active_accounts"].tolist() == pytest.approx([10 * 2 / 3 + 4, 10 * 1 / 2 + 4 * 1 / 2 + 4])
    assert frame["platform_revenue"].tolist() == pytest.approx(
        [1000 * 2 / 3 * 1.1 + 4 * 50, 1000 * 1 / 2 * 1.21 + 4 * 1 / 2 * 100 + 4 * 50]
    )
    assert frame["b_side_revenue"].tolist() == pytest.approx((10 * frame["platform_revenue"]).tolist())
    assert frame["take_rate"].tolist() == pytest.approx([0.1, 0.1])


def test_with_a_take_rate_model_b_side_revenue_follows_platform_revenue_over_the_modelled_rate():
    # τ = 8% (not the 10% of the two revenue trends), and half the platform revenue comes from
    # accounts reporting B-side revenue: B-side = platform × 0.5 / 0.08
    base = replace(hand_base(), take_rate=flat(0.08), reported_share=0.5)
    frame = project(base, BASE, horizon=2, bands=False)
    reference = project(hand_base(), BASE, horizon=2, bands=False)
    assert frame["platform_revenue"].tolist() == pytest.approx(reference["platform_revenue"].tolist())
    assert frame["b_side_revenue"].tolist() == pytest.approx((reference["platform_revenue"] * 0.5 / 0.08).tolist())
    assert frame["take_rate"].tolist() == pytest.approx([0.08, 0.08])  # reported platform over B-side, as the data
    # +1 point on the take rate: platform revenue gains 1% of B-side revenue, the take rate 1 point
    raised = project(base, Scenario("Up", take_rate_change=1.0), horizon=2, bands=False)
    assert raised["platform_revenue"].tolist() == pytest.approx(
        (reference["platform_revenue"] * (1 + 0.01 * 0.5 / 0.08)).tolist()
    )
    assert raised["take_rate"].tolist() == pytest.approx([0.09, 0.09])
    assert outcomes(raised)["take_rate_total"] == pytest.approx(0.09)
    banded = project(base, BASE, horizon=2)
    assert (banded["take_rate_lower"] <= banded["take_rate"]).all()
    assert (banded["take_rate"] <= banded["take_rate_upper"]).all()


@pytest.mark.parametrize("covariance", [np.full((2, 2), np.nan), np.array([[1.0, 2.0], [2.0, 1.0]])])
def test_a_fit_without_usable_covariance_gives_bands_from_the_renewals_and_arrivals_alone(covariance):
    """Two quarters of data give no covariance (NaN), and a matrix that is not positive definite
    has no Cholesky factor: the band then redraws only the accounts that renew and arrive."""
    base = replace(hand_base(), covariance=covariance)
    frame = project(base, horizon=4)
    assert (frame["active_accounts_lower"] <= frame["active_accounts"]).all()
    assert (frame["active_accounts"] <= frame["active_accounts_upper"]).all()
    assert frame.notna().all().all()


def test_a_scenario_without_overrides_reproduces_the_base():
    panel = sample.generate_panel(400, 8)
    base = project(panel, BASE, 6)
    unchanged = project(panel, Scenario("Same as base"), 6)
    pd.testing.assert_frame_equal(base, unchanged)


def test_renewal_uplift_adds_points_to_every_retention_rate():
    # r'(t) = t/(t+1) + 0.1: r'(1) = 0.6, r'(2) = 0.7666…, r'(3) = 0.85
    frame = project(hand_base(), Scenario("Renewal", renewal_uplift=10), horizon=2, bands=False)
    assert frame["active_accounts"].tolist() == pytest.approx(
        [10 * (2 / 3 + 0.1) + 4, 10 * (2 / 3 + 0.1) * 0.85 + 4 * 0.6 + 4]
    )


def test_renewal_is_kept_within_zero_and_one():
    everyone_stays = project(hand_base(), Scenario("All stay", renewal_uplift=20), horizon=2, bands=False)
    # r(t) + 0.2 ≥ 1 from t = 4 on only; ages 2 and 3 still lose accounts, at 0.8667 and 0.95
    assert everyone_stays["active_accounts"].iloc[0] == pytest.approx(10 * (2 / 3 + 0.2) + 4)
    base = hand_base()
    frozen = replace(base, alpha=1e-9)  # r ≈ 1 at every age
    full = project(frozen, Scenario("Capped", renewal_uplift=20), horizon=3, bands=False)
    assert full["active_accounts"].tolist() == pytest.approx([14, 18, 22])


def test_new_account_growth_scales_the_arrivals():
    frame = project(hand_base(), Scenario("More", new_account_growth=50), horizon=2, bands=False)
    assert frame["active_accounts"].tolist() == pytest.approx([10 * 2 / 3 + 6, 10 * 1 / 2 + 6 * 1 / 2 + 6])
    assert frame["platform_revenue"].iloc[0] == pytest.approx(1000 * 2 / 3 * 1.1 + 6 * 50)


def test_expansion_compounds_on_every_retained_account():
    frame = project(hand_base(), Scenario("Expand", expansion=10), horizon=2, bands=False)
    assert frame["active_accounts"].tolist() == pytest.approx([10 * 2 / 3 + 4, 10 * 1 / 2 + 4 * 1 / 2 + 4])
    assert frame["platform_revenue"].tolist() == pytest.approx(
        [1000 * 2 / 3 * 1.1 * 1.1 + 4 * 50, 1000 * 1 / 2 * 1.21 * 1.21 + 4 * 1 / 2 * 100 * 1.1 + 4 * 50]
    )
    assert frame["take_rate"].tolist() == pytest.approx([0.1, 0.1])


def test_take_rate_change_adds_its_points_of_b_side_revenue():
    base = project(hand_base(), BASE, horizon=2, bands=False)
    frame = project(hand_base(), Scenario("Price", take_rate_change=1), horizon=2, bands=False)
    assert frame["platform_revenue"].tolist() == pytest.approx((base["platform_revenue"] * 1.1).tolist())
    assert frame["b_side_revenue"].tolist() == pytest.approx(base["b_side_revenue"].tolist())
    assert frame["take_rate"].tolist() == pytest.approx([0.11, 0.11])
    assert frame["active_accounts"].tolist() == pytest.approx(base["active_accounts"].tolist())
    # take rate 5% (B-side revenue twenty times platform revenue), cut by 10 points: no revenue, not less
    half = replace(hand_base(), b_side=replace(hand_base().b_side, by_age=np.array([0, 20_000.0]), starts=flat(1000.0)))
    cut = project(half, Scenario("Free", take_rate_change=-10), horizon=2, bands=False)
    assert cut["platform_revenue"].tolist() == [0.0, 0.0]


def test_churn_elasticity_turns_a_take_rate_rise_into_lost_retention():
    # 2 retention points per take-rate point, take rate +1 point: every r(t) loses 2 points
    frame = project(hand_base(), Scenario("Price", take_rate_change=1, churn_elasticity=2), horizon=1, bands=False)
    assert frame["active_accounts"].iloc[0] == pytest.approx(10 * (2 / 3 - 0.02) + 4)
    assert frame["platform_revenue"].iloc[0] == pytest.approx((1000 * (2 / 3 - 0.02) * 1.1 + 200) * 1.1)
    assert Scenario("x", take_rate_change=-2, churn_elasticity=0.5).retention_change(2).tolist() == [1.0, 1.0]


def test_every_lever_moves_the_outputs_the_right_way_on_generated_data():
    panel = sample.generate_panel(600, 8)
    base = fit_base(panel)
    reference = project(base, BASE, 8, bands=False)

    def moved(**levers):
        return project(base, Scenario("moved", **levers), 8, bands=False) - reference

    assert (moved(renewal_uplift=2)[["active_accounts", "platform_revenue"]] > 0).all().all()
    assert (moved(renewal_uplift=-2)[["active_accounts", "platform_revenue"]] < 0).all().all()
    assert (moved(new_account_growth=20)["active_accounts"] > 0).all()
    grown = moved(expansion=2)
    assert (grown["platform_revenue"] > 0).all() and (grown["active_accounts"].abs() < 1e-9).all()
    priced = moved(take_rate_change=1)
    assert (priced["take_rate"] > 0).all() and (priced["b_side_revenue"].abs() < 1e-6).all()
    assert (moved(take_rate_change=1, churn_elasticity=1)["active_accounts"] < 0).all()


def test_bands_hold_the_projection_and_are_reproducible():
    panel = sample.generate_panel(600, 8)
    first, second = project(panel, BASE, 8), project(panel, BASE, 8)
    pd.testing.assert_frame_equal(first, second)
    for name in OUTPUTS:
        assert (first[f"{name}_lower"] <= first[name] * 1.000001).all(), name
        assert (first[name] <= first[f"{name}_upper"] * 1.000001).all(), name
    width = first["active_accounts_upper"] - first["active_accounts_lower"]
    assert width.iloc[-1] > width.iloc[0] > 0  # uncertainty grows with the horizon


def test_data_without_b_side_revenue_project_accounts_and_platform_revenue_only():
    panel = sample.generate_panel(300, 6).drop(columns="b_side_revenue")
    frame = project(panel, Scenario("Renewal", renewal_uplift=2), 4)
    assert frame[["b_side_revenue", "take_rate", "take_rate_lower", "b_side_revenue_upper"]].isna().all().all()
    assert frame[["active_accounts", "platform_revenue_lower"]].notna().all().all()
    with pytest.raises(ValueError, match="no B-side revenue"):
        project(panel, Scenario("Price", take_rate_change=1), 4)
    assert "take_rate_change" not in sensitivity(panel, horizon=4).index


@pytest.mark.parametrize("horizon", [0, 41, 2.5])
def test_a_horizon_out_of_range_is_refused(horizon):
    with pytest.raises(ValueError, match="horizon"):
        project(hand_base(), BASE, horizon)


# ---- the base, measured by hand -----------------------------------------------------------------


def small_panel() -> pd.DataFrame:
    """Four quarters of 2025. a, b: the first quarter's accounts; c, d signed in Q2, e, g in Q3,
    f in Q4. B-side revenue is ten times platform revenue."""
    rows = [
        ("a", "2025Q1", 100), ("a", "2025Q2", 100), ("a", "2025Q3", 120), ("a", "2025Q4", 120),
        ("b", "2025Q1", 50), ("b", "2025Q2", 50),
        ("c", "2025Q2", 10), ("c", "2025Q3", 30), ("c", "2025Q4", 30),
        ("d", "2025Q2", 20),
        ("e", "2025Q3", 40), ("e", "2025Q4", 60),
        ("g", "2025Q3", 8),
        ("f", "2025Q4", 5),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["account_id", "quarter", "platform_revenue"]).astype(
        {"platform_revenue": float}
    )
    return frame.assign(active=True, b_side_revenue=10 * frame["platform_revenue"])


def test_the_base_is_measured_from_the_panel_by_hand():
    base = fit_base(small_panel())
    assert base.last_quarter == "2025Q4"
    assert base.alive.tolist() == [1, 1, 1, 1]  # f age 0, e age 1, c age 2, a age 3 (at least)
    assert base.platform.by_age.tolist() == [5, 60, 30, 120]
    assert base.b_side.by_age.tolist() == [50, 600, 300, 1200]
    assert base.new_accounts == pytest.approx(5 / 3)  # Q2: c, d; Q3: e, g; Q4: f
    # a new account's first quarter: each cohort's mean (Q2 15, Q3 24, Q4 5), flat with so short a history
    assert base.platform.new_account == pytest.approx((15 + 24 + 5) / 3) and base.platform.starts.model == "flat"
    assert base.platform.ramp == pytest.approx((30 + 60) / (10 + 40))  # c into Q3, e into Q4
    # a and b into Q2, a into Q3, a and c into Q4
    assert base.platform.growth == pytest.approx((100 + 50 + 120 + 120 + 30) / (100 + 50 + 100 + 120 + 30) - 1)
    assert base.b_side.ramp == pytest.approx(base.platform.ramp) and base.has_b_side
    # the growth's log ratio quarter by quarter: Q2 0 (a, b), Q3 ln 1.2 (a), Q4 0 (a, c); its standard deviation
    assert base.platform.growth_spread == pytest.approx(np.log(1.2) / np.sqrt(3))
    # churn weight: active in q − 1 then q: Q2 2 of 2 (a, b), Q3 2 of 4 (a, c of a b c d), Q4 3 of 4 (a c e of
    # a c e g): 7 of 10 kept; their revenue in q − 1: 150 of 150, 110 of 180, 190 of 198: 450 of 528
    assert base.platform.churn_weight == pytest.approx((1 - 450 / 528) / (1 - 7 / 10))
    assert base.b_side.churn_weight == pytest.approx(base.platform.churn_weight)
    # sBG fitted on the Q2 cohort [2, 1, 1] and the Q3 cohort [2, 1]; Q1's is not a signup cohort
    model = ShiftedBetaGeometric().fit([[2, 1, 1], [2, 1]])
    assert (base.alpha, base.beta, base.fitted_cohorts) == (pytest.approx(model.alpha_), pytest.approx(model.beta_), 2)


def test_the_history_is_the_overview_kpis():
    panel = sample.generate_panel(500, 8)
    panel.loc[panel.index[::7], "b_side_revenue"] = np.nan  # some rows without B-side revenue
    kpis = overview.quarter_kpis(panel)[fit_base(panel).history.columns]
    pd.testing.assert_frame_equal(fit_base(panel).history, kpis, check_dtype=False)


def test_a_panel_that_cannot_carry_a_projection_gets_a_message():
    with pytest.raises(ValueError, match="two consecutive quarters"):
        fit_base(small_panel().query("quarter == '2025Q1'"))
    with pytest.raises(ValueError, match="no active account"):
        fit_base(small_panel().assign(active=False))
    with pytest.raises(ValueError, match="last quarter 2025Q4"):
        fit_base(small_panel().assign(active=lambda f: f["quarter"] != "2025Q4"))


# ---- levers and links ----------------------------------------------------------------------------


def test_a_scenario_checks_its_name_and_levers():
    assert Scenario("  Renewal   push ").name == "Renewal push"
    with pytest.raises(ValueError, match="needs a name"):
        Scenario(" ")
    with pytest.raises(ValueError, match="at most 60"):
        Scenario("x" * 61)
    with pytest.raises(ValueError, match="Renewal uplift .* 25 points; choose a value from -20 to 20"):
        Scenario("x", renewal_uplift=25)
    with pytest.raises(ValueError, match="must be a number"):
        Scenario("x", expansion="lots")
    with pytest.raises(ValueError, match="unknown lever"):
        Scenario.of("x", {"price": 1})
    assert Scenario.of("x", {"expansion": 2}).overrides() == {"expansion": 2.0}


NAMES = ["Base case+", "Renewal push; price=2", "50% more ~ deals & #leads", "Ü 中文 / ? %41", "a;b=c"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "levers",
    [{}, {"renewal_uplift": 0.1 + 0.2, "new_account_growth": -37.5}, {lever.key: lever.maximum for lever in LEVERS}],
)
def test_a_scenario_survives_the_link_unchanged(name, levers):
    scenario = Scenario(name, **levers)
    text = to_query(scenario)
    assert from_query(text) == scenario
    # through a real query string, as the browser carries it
    url = urlencode({"scenario": [text, to_query(BASE)]}, doseq=True)
    assert [from_query(v) for v in parse_qs(url)["scenario"]] == [scenario, BASE]


def test_links_list_only_the_overridden_levers():
    assert to_query(Scenario("Price up", take_rate_change=0.5)) == "Price up;take_rate_change=0.5"
    assert to_query(Scenario("50%; or more")) == "50%25%3B or more"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x;speed=3", "not lever=value"),
        ("x;expansion=fast", "not a number"),
        ("x;expansion=1;expansion=2", "twice"),
        ("x;renewal_uplift=99", "choose a value from -20 to 20"),
        ("%20;expansion=1", "needs a name"),
        ("x;expansion=nan", "choose a value"),
    ],
)
def test_a_broken_link_is_refused_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        from_query(text)


# ---- comparison and tornado ----------------------------------------------------------------------


def test_compare_lists_inputs_outputs_and_variance_against_the_base():
    table = compare(hand_base(), [Scenario("More", new_account_growth=50), Scenario("Price", take_rate_change=1)], 2)
    assert list(table.index) == ["Base", "More", "Price"]
    assert list(table.columns[:5]) == list(LEVER_KEYS)
    base_total = 1000 * 2 / 3 * 1.1 + 200 + 605 + 200 + 200
    assert table.loc["Base", "platform_revenue_total"] == pytest.approx(base_total)
    assert table.loc["Price", "platform_revenue_total_vs_base"] == pytest.approx(0.1 * base_total)
    assert table.loc["Price", "platform_revenue_total_vs_base_pct"] == pytest.approx(0.1)
    assert table.loc["Price", "take_rate_total"] == pytest.approx(0.11)
    assert table.loc["More", "active_accounts_end_vs_base"] == pytest.approx(2 * 1 / 2 + 2)
    assert table.loc["Base", [f"{o}_vs_base" for o in SUMMARY_OUTPUTS]].tolist() == [0] * 5
    assert table.loc["More", "take_rate_change"] == 0 and table.loc["Price", "take_rate_change"] == 1


def test_compare_refuses_clashing_names():
    with pytest.raises(ValueError, match="distinct"):
        compare(hand_base(), [Scenario("Up"), Scenario("up")])
    with pytest.raises(ValueError, match="distinct"):
        compare(hand_base(), [Scenario("base", expansion=1)])


def test_sensitivity_moves_each_lever_alone_by_its_step():
    base = hand_base()
    start = Scenario("Start", renewal_uplift=19.5)
    table = sensitivity(base, start, {"renewal_uplift": 1, "take_rate_change": 0.5}, horizon=2)
    assert list(table.columns) == SENSITIVITY_COLUMNS
    reference = project(base, start, 2, bands=False)["platform_revenue"].sum()
    renewal = table.loc["renewal_uplift"]
    assert (renewal["low"], renewal["high"]) == (18.5, 20.0)  # kept within the lever's range
    lower = project(base, start.with_levers(renewal_uplift=18.5), 2, bands=False)["platform_revenue"].sum()
    assert renewal["low_change"] == pytest.approx(lower - reference) and renewal["low_change"] < 0
    assert renewal["high_change"] > 0
    b_side = project(base, start, 2, bands=False)["b_side_revenue"].sum()
    assert table.loc["take_rate_change", "high_change"] == pytest.approx(0.005 * b_side)
    assert table.loc["take_rate_change", "low_change"] == pytest.approx(-0.005 * b_side)
    swings = table[["low_change", "high_change"]].abs().max(axis=1)
    assert swings.is_monotonic_decreasing


def test_the_tornados_default_ranges_are_the_variation_the_data_show():
    base = replace(
        hand_base(),
        renewal_rates=np.array([0.80, 0.90, 0.85]),  # standard deviation 0.05: ± 5 points
        arrivals=SeriesForecast("flat", np.full(40, 4.0), spread=0.12),  # ± 12%
        platform=replace(hand_base().platform, growth_spread=0.03),  # ± 3% a quarter
        history=pd.DataFrame({"take_rate": [0.10, 0.12, 0.11, np.nan]}),  # standard deviation 0.01: ± 1 point
    )
    steps = plausible_steps(base)
    assert steps["step"].to_dict() == pytest.approx(
        {
            "renewal_uplift": 5.0,
            "new_account_growth": 12.0,
            "expansion": 3.0,
            "take_rate_change": 1.0,
            "churn_elasticity": 0.5,
        }
    )
    assert steps.loc["renewal_uplift", "basis"] == "the spread of the renewal rates of the last 3 quarters"
    assert steps.loc["take_rate_change", "basis"] == "the spread of the take rate over the last 3 quarters"
    assert steps.loc["churn_elasticity", "basis"] == "stated"
    table = sensitivity(base, horizon=2)
    assert table.loc["renewal_uplift", ["low", "high", "step"]].tolist() == [-5.0, 5.0, 5.0]
    assert table.loc["renewal_uplift", "basis"] == steps.loc["renewal_uplift", "basis"]
    edited = sensitivity(base, steps={"renewal_uplift": 2.0}, horizon=2)
    assert edited.loc["renewal_uplift", "basis"] == "edited" and list(edited.index) == ["renewal_uplift"]
    # nothing seen to vary (the hand base: one renewal rate, no spread): the levers' stated steps
    fallback = plausible_steps(hand_base())
    assert fallback["step"].to_dict() == {lever.key: lever.sensitivity_step for lever in LEVERS}
    assert set(fallback["basis"]) == {"stated"}


def test_sensitivity_by_default_moves_every_lever():
    table = sensitivity(hand_base(), horizon=2)
    assert set(table.index) == set(LEVER_KEYS)
    assert table.loc["churn_elasticity", ["low_change", "high_change"]].tolist() == [0, 0]  # no take-rate change
    with pytest.raises(ValueError, match="unknown lever"):
        sensitivity(hand_base(), steps={"price": 1})


# ---- saved in the workspace ----------------------------------------------------------------------


def test_saved_scenarios_survive_a_restart_of_the_workspace(tmp_path):
    path = tmp_path / "ws.duckdb"
    renewal, price = Scenario("Renewal push", renewal_uplift=0.1 + 0.2), Scenario("Price; up", take_rate_change=1)
    with Workspace(path) as ws:
        for scenario in (renewal, price):
            ws.save_scenario(scenario.name, scenario.levers(), actor=LOCAL)
        ws.save_scenario("renewal PUSH", renewal.with_levers(expansion=2).levers(), actor=LOCAL)  # same name, any case
        assert ws.version == 0  # scenarios do not invalidate what is computed from the data
    with Workspace(path) as ws:
        saved = [Scenario.of(name, levers) for name, levers in ws.saved_scenarios()]
        assert saved == [Scenario("renewal PUSH", renewal_uplift=0.1 + 0.2, expansion=2), price]
        ws.rename_scenario("Price; up", "Price", actor=LOCAL)
        with pytest.raises(ValueError, match="already called 'renewal PUSH'"):
            ws.rename_scenario("Price", "Renewal push", actor=LOCAL)
        with pytest.raises(KeyError):
            ws.delete_scenario("Nothing", actor=LOCAL)
        ws.delete_scenario("renewal PUSH", actor=LOCAL)
    with Workspace(path) as ws:
        assert ws.saved_scenarios() == [("Price", price.levers())]


def test_outputs_are_finite_on_the_sample():
    table = compare(sample.generate_panel(800, 8), [Scenario("Up", renewal_uplift=3)], 8)
    assert np.isfinite(table.to_numpy(dtype=float)).all()
    assert math.isclose(
        table.loc["Base", "take_rate_total"],
        table.loc["Base", "platform_revenue_total"] / table.loc["Base", "b_side_revenue_total"],
    )


# ---- back-test -----------------------------------------------------------------------------------


def renewal_process(per_quarter: int = 800, n_quarters: int = 12, seed: int = 1) -> pd.DataFrame:
    """A business that follows the base's assumptions: ``per_quarter`` new accounts every quarter
    from the first, each churning with its own θ ~ Beta(1, 3) a quarter, each earning 100 in
    every active quarter and ten times that on the B-side."""
    rng = np.random.default_rng(seed)
    labels = quarters.span("2023Q4", quarters.shift("2023Q4", n_quarters - 1))
    rows = []
    for cohort in range(n_quarters):
        lifetimes = rng.geometric(rng.beta(1.0, 3.0, per_quarter))  # quarters active before churning
        for i, life in enumerate(lifetimes):
            rows += [(f"{cohort}-{i}", labels[cohort + age]) for age in range(min(int(life), n_quarters - cohort))]
    frame = pd.DataFrame(rows, columns=["account_id", "quarter"])
    return frame.assign(platform_revenue=100.0, b_side_revenue=1000.0, active=True)


def test_the_backtest_compares_the_projection_from_earlier_data_with_the_data():
    panel = sample.generate_panel(500, 9)
    table = backtest(panel, 3)
    held_out = sorted(panel["quarter"].unique())[-3:]
    assert list(table.index) == held_out
    earlier = project(panel[panel["quarter"] < held_out[0]], BASE, 3)
    kpis = overview.quarter_kpis(panel).loc[held_out]
    assert table["active_accounts_projected"].tolist() == earlier["active_accounts"].tolist()
    # the engine's parallel sums may add in another order: equal to the last few bits
    assert table["platform_revenue_upper"].tolist() == pytest.approx(
        earlier["platform_revenue_upper"].tolist(), rel=1e-12
    )
    assert table["platform_revenue_actual"].tolist() == pytest.approx(kpis["platform_revenue"].tolist(), rel=1e-12)
    assert table["active_accounts_error"].tolist() == pytest.approx(
        (earlier["active_accounts"] / kpis["active_accounts"] - 1).tolist()
    )
    errors = backtest_errors(table)
    assert errors.loc["platform_revenue", "mean_absolute"] == pytest.approx(
        table["platform_revenue_error"].abs().mean()
    )
    assert errors.loc["active_accounts", "mean"] == pytest.approx(table["active_accounts_error"].mean())
    bounds = table[["active_accounts_lower", "active_accounts_actual", "active_accounts_upper"]].to_numpy()
    inside = [low <= actual <= high for low, actual, high in bounds]
    assert table["active_accounts_inside"].tolist() == inside
    assert errors.loc["active_accounts", "coverage"] == sum(inside) / 3
    assert errors["quarters"].tolist() == [3, 3]
    with pytest.raises(ValueError, match="needs at least 10 quarters"):
        backtest(panel, 8)


def test_on_a_business_that_follows_its_assumptions_the_base_projects_within_a_few_percent():
    table = backtest(renewal_process(), 4)
    assert table["active_accounts_error"].abs().max() < 0.03
    assert table["platform_revenue_error"].abs().max() < 0.03
    assert table["active_accounts_inside"].sum() >= 3  # a 90% band: the actual value is inside it in most quarters


def test_every_scenario_quarter_by_quarter_has_its_inputs_beside_its_outputs():
    base = hand_base()
    grow = Scenario("Grow", new_account_growth=50.0, expansion=2.0)
    projections = {name: project(base, s, 3) for name, s in (("Base", BASE), ("Grow", grow))}
    table = by_quarter(projections, {"Base": BASE, "Grow": grow})
    assert table.index.names == ["scenario", "quarter"]
    assert table.index.tolist() == [(n, q) for n in ("Base", "Grow") for q in projections["Base"].index]
    assert list(table.columns[: len(LEVER_KEYS)]) == list(LEVER_KEYS)
    assert list(table.columns[len(LEVER_KEYS) :]) == list(projections["Base"].columns)
    assert (table.loc["Grow", "new_account_growth"] == 50.0).all() and (
        table.loc["Base", list(LEVER_KEYS)] == 0
    ).all().all()
    pd.testing.assert_frame_equal(table.loc["Grow", list(projections["Grow"].columns)], projections["Grow"])
    # a timed lever's input is its value in each quarter: from quarter 2 over a two-quarter ramp
    later = grow.with_timing("new_account_growth", 2, 2)
    table = by_quarter({"Later": project(base, later, 3)}, {"Later": later})
    assert table.loc["Later", "new_account_growth"].tolist() == [0.0, 25.0, 50.0]


def test_revenue_survives_by_the_churn_weight_while_accounts_survive_as_modelled():
    # κ = 0.5: a revenue unit at age 1 renews into age 2 with 1 − 0.5 × (1 − 2/3) = 5/6 instead of 2/3
    base = hand_base()
    weighted = replace(base, platform=replace(base.platform, churn_weight=0.5), arrivals=flat(0.0))
    plain = project(replace(base, arrivals=flat(0.0)), BASE, horizon=1, bands=False)
    frame = project(weighted, BASE, horizon=1, bands=False)
    assert frame["active_accounts"].iloc[0] == pytest.approx(plain["active_accounts"].iloc[0])  # 10 × 2/3
    assert frame["platform_revenue"].iloc[0] == pytest.approx(1000 * 5 / 6 * 1.1)
    assert plain["platform_revenue"].iloc[0] == pytest.approx(1000 * 2 / 3 * 1.1)


# ---- timed levers --------------------------------------------------------------------------------


def test_a_timed_lever_starts_late_and_ramps_up():
    timed = Scenario("Later", new_account_growth=10.0).with_timing("new_account_growth", 2, 4)
    assert timed.path("new_account_growth", 6).tolist() == [0.0, 2.5, 5.0, 7.5, 10.0, 10.0]
    assert timed.when("new_account_growth") == (2, 4) and timed.when("expansion") == (1, 1)
    assert Scenario("Now", expansion=2.0).path("expansion", 3).tolist() == [2.0, 2.0, 2.0]


def test_timed_levers_by_hand():
    # new accounts +50% from quarter 2: quarter 1 is the base's (10 × 2/3 + 4), quarter 2 gets 6
    # arrivals and keeps half of quarter 1's four: 5 + 2 + 6 = 13
    late = Scenario("Late", new_account_growth=50.0).with_timing("new_account_growth", 2, 1)
    frame = project(hand_base(), late, 2, bands=False)
    assert frame["active_accounts"].tolist() == pytest.approx([10 * 2 / 3 + 4, 13.0])
    # over a two-quarter ramp: +25% (5 arrivals) in quarter 1, +50% in quarter 2: 5 + 2.5 + 6
    ramped = Scenario("Ramp", new_account_growth=50.0).with_timing("new_account_growth", 1, 2)
    frame = project(hand_base(), ramped, 2, bands=False)
    assert frame["active_accounts"].tolist() == pytest.approx([10 * 2 / 3 + 5, 13.5])
    # renewal +10 points from quarter 2: quarter 1 as the base; then the ten renew with 3/4 + 0.1
    # and quarter 1's arrivals with 1/2 + 0.1
    uplift = Scenario("Up", renewal_uplift=10.0).with_timing("renewal_uplift", 2, 1)
    frame = project(hand_base(), uplift, 2, bands=False)
    assert frame["active_accounts"].tolist() == pytest.approx([10 * 2 / 3 + 4, 10 * 2 / 3 * 0.85 + 4 * 0.6 + 4])
    # a take-rate change from quarter 2 leaves quarter 1's platform revenue alone
    rate = Scenario("Rate", take_rate_change=1.0).with_timing("take_rate_change", 2, 1)
    base, moved = (project(hand_base(), s, 2, bands=False) for s in (BASE, rate))
    assert moved["platform_revenue"].iloc[0] == pytest.approx(base["platform_revenue"].iloc[0])
    assert moved["platform_revenue"].iloc[1] == pytest.approx(
        base["platform_revenue"].iloc[1] + 0.01 * base["b_side_revenue"].iloc[1]
    )
    # expansion +10% from quarter 2: the ten earn 1000 × 2/3 × 1.1 in quarter 1 as in the base
    grow = Scenario("Grow", expansion=10.0).with_timing("expansion", 2, 1)
    base_revenue, grown = (project(hand_base(), s, 2, bands=False)["platform_revenue"] for s in (BASE, grow))
    assert grown.iloc[0] == pytest.approx(base_revenue.iloc[0])
    assert grown.iloc[1] == pytest.approx(1000 * 0.5 * 1.21 * 1.1 + 4 * 0.5 * 100 * 1.1 + 4 * 50)


def test_a_timing_travels_in_the_link_and_in_the_store():
    timed = Scenario("Later", renewal_uplift=2.5, expansion=1.0).with_timing("renewal_uplift", 3, 2)
    assert to_query(timed) == "Later;renewal_uplift=2.5:3:2;expansion=1"
    assert from_query(to_query(timed)) == timed
    settings = timed.settings()
    assert settings["renewal_uplift.start"] == 3 and settings["renewal_uplift.ramp"] == 2
    assert "expansion.start" not in settings
    assert Scenario.of("Later", settings) == timed
    # nothing to time on a lever at 0; the default (1, 1) is not kept
    assert Scenario("Zero").with_timing("expansion", 2, 2).timing == ()
    assert timed.with_timing("renewal_uplift", 1, 1).timing == ()


@pytest.mark.parametrize(
    "timing, message",
    [
        ((("renewal_uplift", 0, 1),), "start of Renewal uplift"),
        ((("renewal_uplift", 2, 41),), "ramp of Renewal uplift"),
        ((("renewal_uplift", 1.5, 1),), "whole number of quarters"),
        ((("price", 2, 1),), "unknown lever 'price'"),
        ((("renewal_uplift", 2),), "not \\(lever, start, ramp\\)"),
    ],
)
def test_a_timing_that_is_not_whole_quarters_is_refused(timing, message):
    with pytest.raises(ValueError, match=message):
        Scenario("Bad", renewal_uplift=1.0, timing=timing)


def test_a_link_with_a_broken_timing_says_what_it_should_be():
    with pytest.raises(ValueError, match="number:start quarter:ramp quarters"):
        from_query("X;renewal_uplift=2:soon:1")
    with pytest.raises(ValueError, match="unknown lever"):
        Scenario.of("X", {"renewal_uplift": 1.0, "renewal_uplift.later": 2})
