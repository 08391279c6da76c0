"""Base assumptions set by hand, on the hand-built base of the scenario tests."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from b2b_core.scenarios import BASE, project
from b2b_core.scenarios.overrides import ASSUMPTIONS, apply_overrides, measured
from b2b_core.scenarios.series import OVERRIDDEN, SeriesForecast
from tests.test_scenarios import hand_base


def first_quarter(base, output: str) -> float:
    return float(project(base, BASE, 1, bands=False)[output].iloc[0])


def test_each_override_replaces_what_the_data_measured():
    base = hand_base()
    assert measured(base) == {
        "new_accounts": 4.0,
        "new_account_revenue": 50.0,
        "revenue_growth": pytest.approx(10.0),
        "take_rate": None,
    }
    # the ten renew with 2/3; 8 arrive instead of 4
    assert first_quarter(apply_overrides(base, {"new_accounts": 8}), "active_accounts") == pytest.approx(10 * 2 / 3 + 8)
    # no growth: the ten earn 1000 × 2/3; the four new ones 50 each
    assert first_quarter(apply_overrides(base, {"revenue_growth": 0}), "platform_revenue") == pytest.approx(
        1000 * 2 / 3 + 4 * 50
    )
    # a new account earns 100 (B-side revenue, on its own trend, doubles with it: 500 → 1000)
    doubled = apply_overrides(base, {"new_account_revenue": 100})
    assert first_quarter(doubled, "platform_revenue") == pytest.approx(1000 * 2 / 3 * 1.1 + 4 * 100)
    assert first_quarter(doubled, "b_side_revenue") == pytest.approx(10_000 * 2 / 3 * 1.1 + 4 * 1000)
    # a take rate of 20%: B-side revenue follows platform revenue at that rate
    rated = apply_overrides(base, {"take_rate": 20})
    assert first_quarter(rated, "take_rate") == pytest.approx(0.2)
    assert first_quarter(rated, "b_side_revenue") == pytest.approx(first_quarter(base, "platform_revenue") / 0.2)
    assert rated.take_rate.evidence() == "the take rate held at 20.0% a quarter (overridden)"
    assert measured(rated)["take_rate"] == pytest.approx(20.0)


def test_an_override_moves_the_level_and_keeps_the_uncertainty_the_data_show():
    base = replace(hand_base(), arrivals=SeriesForecast("damped trend", np.full(40, 4.0), spread=0.2))
    overridden = apply_overrides(base, {"new_accounts": 300})
    assert overridden.arrivals.model == OVERRIDDEN and overridden.arrivals.spread == 0.2
    assert overridden.arrivals.forecast.tolist() == [300.0] * 40
    assert overridden.arrivals.evidence() == "new accounts held at 300 a quarter (overridden)"
    assert apply_overrides(base, {}).arrivals is base.arrivals


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"price": 1}, "unknown base assumption"),
        ({"new_accounts": -1}, "choose a value from 0"),
        ({"take_rate": 0}, "choose a value from 0.01 to 100"),
        ({"revenue_growth": float("nan")}, "choose a value"),
        ({"new_accounts": "many"}, "must be a number"),
    ],
)
def test_an_override_out_of_its_range_is_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        apply_overrides(hand_base(), overrides)


def test_no_take_rate_without_b_side_revenue():
    with pytest.raises(ValueError, match="no B-side revenue"):
        apply_overrides(hand_base(has_b_side=False), {"take_rate": 10})
    assert set(ASSUMPTIONS) == {"new_accounts", "new_account_revenue", "revenue_growth", "take_rate"}
