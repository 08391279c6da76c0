"""The new-accounts model of the scenario base: candidates chosen by a rolling-origin back-test,
on series whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from b2b_core.scenarios.series import FLAT, SEASONAL, TREND, _backtest, _flat, forecast_series


def test_the_flat_models_back_test_error_by_hand():
    # origins 6, 7, 8, 9 (the last four with 6 quarters before them); flat forecasts the mean of the
    # four quarters before each: 10, 12.5, 15, 17.5 against 20s → errors 4 × 0.5, 3 × 0.375, 2 × 0.25,
    # 1 × 0.125: mean 3.75 / 10
    series = np.array([10, 10, 10, 10, 10, 10, 20, 20, 20, 20], dtype=float)
    arrivals = forecast_series(series, 8)
    assert arrivals.errors[FLAT] == pytest.approx(0.375)
    assert len(arrivals.forecast) == 8


def test_constant_signups_stay_flat():
    arrivals = forecast_series(np.full(12, 100.0), 6)
    assert arrivals.model == FLAT and arrivals.errors[FLAT] == 0.0
    np.testing.assert_allclose(arrivals.forecast, 100.0)
    assert arrivals.growth() == 0.0
    assert arrivals.evidence().startswith(
        "new accounts held at the mean of the last four quarters (flat); chosen over damped trend"
    )


def test_growing_signups_are_projected_to_grow_and_say_why():
    series = 100 * 1.1 ** np.arange(12)  # +10% a quarter
    arrivals = forecast_series(series, 8)
    assert arrivals.model in (TREND, SEASONAL) and arrivals.errors[arrivals.model] < arrivals.errors[FLAT] / 3
    assert arrivals.forecast[0] > series[-1]
    assert 0.04 < arrivals.growth() < 0.11  # damped: the growth fades below the +10% seen
    chosen, flat_error = arrivals.errors[arrivals.model], arrivals.errors[FLAT]
    assert f"chosen over flat: back-test error {chosen:.0%} against {flat_error:.0%} for flat" in arrivals.evidence()
    assert arrivals.evidence().startswith(f"new accounts {arrivals.growth():+.1%} a quarter ({arrivals.model})")


def test_a_season_is_found_where_the_data_hold_one():
    series = np.tile([100.0, 100.0, 100.0, 160.0], 4)  # a fourth-quarter peak, four years
    arrivals = forecast_series(series, 4)
    assert arrivals.model == SEASONAL
    assert arrivals.forecast[3] > 1.4 * arrivals.forecast[0]  # the next peak is the fourth quarter ahead


def test_too_short_a_history_keeps_the_flat_mean_of_the_last_four_quarters():
    arrivals = forecast_series(np.array([3.0, 5.0, 4.0]), 3)
    assert arrivals.model == FLAT and arrivals.errors == {}
    np.testing.assert_allclose(arrivals.forecast, 4.0)
    assert arrivals.evidence() == (
        "new accounts held at the mean of the last four quarters (flat); too short a history to back-test another model"
    )


def test_no_signup_at_all_projects_none():
    arrivals = forecast_series(np.array([]), 4)
    np.testing.assert_allclose(arrivals.forecast, 0.0)
    assert arrivals.growth() == 0.0


def test_the_spread_is_the_root_mean_square_log_error_per_root_quarter():
    series = np.array([10, 10, 10, 10, 10, 10, 20, 20, 20, 20], dtype=float)
    # the flat forecasts of the first test, as log(forecast / actual) / √(quarters ahead)
    logs = [np.log(0.5) / np.sqrt(k) for k in (1, 2, 3, 4)]
    logs += [np.log(0.625) / np.sqrt(k) for k in (1, 2, 3)]
    logs += [np.log(0.75) / np.sqrt(k) for k in (1, 2)] + [np.log(0.875)]
    error, spread = _backtest(series, [6, 7, 8, 9], _flat)
    assert error == pytest.approx(0.375) and spread == pytest.approx(np.sqrt(np.mean(np.square(logs))))
    assert forecast_series(np.full(10, 50.0), 4).spread == 0.0  # flat on a constant series misses nothing
