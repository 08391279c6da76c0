"""The new-accounts model of the scenario base: candidates chosen by a rolling-origin back-test,
on series whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from b2b_core.scenarios.series import (
    FLAT,
    SEASONAL,
    STEADY,
    TREND,
    _backtest,
    _damped,
    _flat,
    _log_gap,
    _steady,
    forecast_series,
)


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
    series = 100 * 1.1 ** np.arange(12)  # +10% a quarter, every quarter: growth that holds
    arrivals = forecast_series(series, 8)
    assert arrivals.model == STEADY and arrivals.errors[STEADY] < arrivals.errors[FLAT] / 3
    assert arrivals.forecast[0] > series[-1]
    assert arrivals.growth() == pytest.approx(0.1, abs=0.005)
    chosen, flat_error = arrivals.errors[STEADY], arrivals.errors[FLAT]
    assert f"back-test error {chosen:.1%} against" in arrivals.evidence()
    assert f"{flat_error:.0%} for flat" in arrivals.evidence()
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
    # flat on a constant series misses nothing, and every other candidate agrees with it
    assert forecast_series(np.full(10, 50.0), 4).spread == pytest.approx(0.0, abs=1e-12)


def test_the_band_is_no_narrower_than_the_gap_to_the_runner_up_model():
    # 1.0, 2.0 against 1.0, 1.0: log 2 one quarter ahead and 0 two ahead → √((log 2)² / 2)
    assert _log_gap(np.array([2.0, 1.0]), np.array([1.0, 1.0]), 1.0) == pytest.approx(np.log(2) / np.sqrt(2))
    assert _log_gap(np.array([1.0, 4.0]), np.array([1.0, 2.0]), 1.0) == pytest.approx(np.log(2) / 2)
    # growth that slows: the damped and undamped trends both fit the past, the band spans both
    series = np.array([100, 112, 125, 138, 150, 160, 170, 178, 186, 192, 198, 203], dtype=float)
    arrivals = forecast_series(series, 8)
    backtested = _backtest(series, [8, 9, 10, 11], {TREND: _damped, STEADY: _steady, FLAT: _flat}[arrivals.model])
    others = sorted((e, n) for n, e in arrivals.errors.items() if n != arrivals.model)
    runner_up = {TREND: _damped, STEADY: _steady, FLAT: _flat}[others[0][1]](series, 4)
    gap = _log_gap(runner_up, arrivals.forecast[:4], 1.0)
    assert gap > 0
    assert arrivals.spread == pytest.approx(np.hypot(backtested[1], gap))


def test_a_take_rate_is_modelled_in_its_own_unit():
    rates = np.array([0.10, 0.101, 0.099, 0.1, 0.1, 0.101, 0.099, 0.1, 0.1, 0.1])
    model = forecast_series(rates, 4, "the take rate", rate=True, floor=1e-4)
    assert model.model == FLAT
    # relative errors of a fraction: 0.001 / 0.1 is 1%, not 0.1% of one unit
    assert 0.001 < model.errors[FLAT] < 0.02
    assert model.evidence().startswith("the take rate held at 10.0%, at the mean of the last four quarters (flat)")
    falling = 0.12 * 0.97 ** np.arange(12)
    model = forecast_series(falling, 8, "the take rate", rate=True, floor=1e-4)
    assert model.model != FLAT and model.forecast[3] < falling[-1]
    assert model.evidence().startswith(f"the take rate from {falling[-1]:.1%} to {model.forecast[3]:.1%} in four")
