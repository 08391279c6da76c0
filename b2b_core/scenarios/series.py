"""A quarterly series ahead (new accounts per quarter, a new account's first-quarter revenue, the
take rate): candidate models, the one chosen by a rolling-origin back-test on the data's own history.

Candidates (``statsmodels``' exponential smoothing on log(1 + value), so that a trend is a growth
rate):

* ``flat``: the mean of the last four quarters, held;
* ``damped trend``: Holt's additive trend, damped (growth that fades), from ``MIN_TREND`` quarters;
* ``trend``: Holt's additive trend undamped (growth that holds its rate), from ``MIN_TREND``
  quarters;
* ``seasonal``: the damped trend with an additive quarterly season, from ``MIN_SEASONAL`` quarters.

Rolling origin: for each of the last ``ORIGINS`` quarters o with at least ``MIN_TREND`` quarters
before it, every candidate that can be fitted on the series up to o forecasts the next
``AHEAD`` quarters the data hold; its back-test error is the mean of |forecast − actual| / actual
over all those forecasts (an actual value below the series' ``floor``, one account or currency
unit by default, counts as the floor). The candidate with the smallest error is chosen (flat on a tie, or when
no other could be back-tested on every origin), then fitted on the whole series. Its ``spread``
is the root mean square of log(forecast / actual) / √(quarters ahead) over the same forecasts: the
uncertainty of the level per √quarter, for the projection's band, combined in quadrature with
how far the runner-up candidate (the next smallest back-test error) lies from the chosen one
over the next ``AHEAD`` quarters, on the same scale: a back-test over a few quarters can prefer a
model by chance (a damped trend on a history whose growth then holds), and the band should not
be narrower than the choice is sure.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from statsmodels.tsa.holtwinters import ExponentialSmoothing  # a second to load: with the app, not per data version

from b2b_core.i18n import N_, _

# The models' names (English, marked for the catalog: the evidence says them in the current language)
FLAT, TREND, STEADY, SEASONAL = N_("flat"), N_("damped trend"), N_("trend"), N_("seasonal")
OVERRIDDEN = N_("overridden")  # a level set by hand in place of the chosen model (``scenarios.overrides``)
MIN_TREND, MIN_SEASONAL = 6, 10  # quarters a candidate needs to be fitted
ORIGINS, AHEAD = 4, 4
WINDOW = 4  # quarters the flat model averages


@dataclass(frozen=True)
class SeriesForecast:
    """The chosen model of a series: its ``model`` name, the expected value in each quarter ahead
    (``forecast``), the back-test ``errors`` of every candidate tried (fractions), the ``spread``
    of the chosen one (see module), the ``latest`` quarter's value, the ``subject`` the
    evidence names, and whether the series is a ``rate`` (a fraction the evidence shows as a
    percentage, from the latest value to the fourth quarter ahead, rather than as a growth)."""

    model: str
    forecast: np.ndarray
    errors: dict[str, float] = field(default_factory=dict)
    spread: float = 0.0
    latest: float = 0.0
    subject: str = N_("new accounts")
    rate: bool = False

    def growth(self, quarters: int = 4) -> float:
        """Mean growth per quarter of the forecast over its first ``quarters`` from the latest
        quarter's value (0.048 = +4.8% a quarter); 0 when either is 0."""
        end = self.forecast[min(quarters, len(self.forecast)) - 1]
        if self.latest <= 0 or end <= 0:
            return 0.0
        return (end / self.latest) ** (1 / min(quarters, len(self.forecast))) - 1

    def evidence(self) -> str:
        """The assumption in one line, with its evidence, in the current language: ``"new accounts
        +4.8% a quarter (damped trend); chosen over flat: back-test error 6% against 19% for
        flat"``; for a level set by hand, ``"new accounts held at 300 a quarter (overridden)"``."""
        subject, model = _(self.subject), _(self.model)
        if self.model == OVERRIDDEN:
            level = f"{self.forecast[0]:.1%}" if self.rate else f"{self.forecast[0]:,.0f}"
            return _("{subject} held at {level} a quarter ({model})").format(subject=subject, level=level, model=model)
        if self.model == FLAT and self.rate:
            line = _("{subject} held at {level}, at the mean of the last four quarters ({model})").format(
                subject=subject, level=f"{self.forecast[0]:.1%}", model=model
            )
        elif self.model == FLAT:
            line = _("{subject} held at the mean of the last four quarters ({model})").format(
                subject=subject, model=model
            )
        elif self.rate:
            ahead = self.forecast[min(4, len(self.forecast)) - 1]
            line = _("{subject} from {latest} to {ahead} in four quarters ({model})").format(
                subject=subject, latest=f"{self.latest:.1%}", ahead=f"{ahead:.1%}", model=model
            )
        else:
            line = _("{subject} {growth} a quarter ({model})").format(
                subject=subject, growth=f"{self.growth():+.1%}", model=model
            )
        others = {name: error for name, error in self.errors.items() if name != self.model}
        if self.model in self.errors and others:
            against = _(" and ").join(
                _("{error} for {model}").format(error=_percent(error), model=_(name)) for name, error in others.items()
            )
            return _("{line}; chosen over {others}: back-test error {chosen} against {against}").format(
                line=line,
                others=_(" and ").join(_(name) for name in others),
                chosen=_percent(self.errors[self.model]),
                against=against,
            )
        return _("{line}; too short a history to back-test another model").format(line=line)


def _percent(error: float) -> str:
    """A back-test error as a percentage: one decimal below 10% (``6.2%``), none above (``19%``)."""
    return f"{error:.1%}" if error < 0.1 else f"{error:.0%}"


def forecast_series(
    values: np.ndarray, horizon: int, subject: str = "new accounts", *, rate: bool = False, floor: float = 1.0
) -> SeriesForecast:
    """The ``SeriesForecast`` of ``values`` (one per quarter, oldest first), ``horizon`` quarters
    ahead (see module); ``subject`` names the series in the evidence line, ``rate`` marks a
    fraction, ``floor`` is the smallest value the back-test divides by (in the series' unit)."""
    series = np.asarray(values, dtype=float)
    latest = float(series[-1]) if len(series) else 0.0
    candidates = {FLAT: _flat, TREND: _damped, STEADY: _steady, SEASONAL: _seasonal}
    origins = [o for o in range(len(series) - ORIGINS, len(series)) if o >= MIN_TREND]
    errors, spreads = {}, {}
    for name, forecaster in candidates.items():
        scored = _backtest(series, origins, forecaster, floor)
        if scored is not None:
            errors[name], spreads[name] = scored
    chosen = min(errors, key=lambda name: (errors[name], name != FLAT)) if errors else FLAT
    forecast = candidates[chosen](series, horizon)
    if forecast is None:  # the chosen model fitted on every origin but not on the whole series
        chosen, forecast = FLAT, _flat(series, horizon)
    spread = spreads.get(chosen, 0.0)
    others = sorted((error, name) for name, error in errors.items() if name != chosen)
    runner_up = candidates[others[0][1]](series, len(forecast)) if others else None
    if runner_up is not None:
        spread = float(np.hypot(spread, _log_gap(runner_up[:AHEAD], forecast[:AHEAD], floor)))
    return SeriesForecast(chosen, forecast, errors, spread, latest, subject, rate)


def _log_gap(forecast: np.ndarray, reference: np.ndarray, floor: float) -> float:
    """Root mean square of log(forecast / reference) / √(quarters ahead), values below ``floor``
    / 2 counting as that: how far two forecasts lie apart per √quarter."""
    ahead = np.arange(1, len(forecast) + 1)
    logs = np.log(np.maximum(forecast, floor / 2) / np.maximum(reference, floor / 2)) / np.sqrt(ahead)
    return float(np.sqrt(np.mean(np.square(logs))))


def _backtest(
    series: np.ndarray,
    origins: list[int],
    forecaster: Callable[[np.ndarray, int], np.ndarray | None],
    floor: float = 1.0,
) -> tuple[float, float] | None:
    """(mean absolute percentage error, spread) of ``forecaster`` over ``origins``, values below
    ``floor`` (half of it in the logs) counting as that; None when there is no origin, or the
    candidate cannot be fitted at one of them."""
    relative, logs = [], []
    for origin in origins:
        actual = series[origin : origin + AHEAD]
        forecast = forecaster(series[:origin], len(actual))
        if forecast is None:
            return None
        for ahead, (f, a) in enumerate(zip(forecast, actual, strict=True), start=1):
            relative.append(abs(f - a) / max(a, floor))
            logs.append(math.log(max(f, floor / 2) / max(a, floor / 2)) / math.sqrt(ahead))
    if not relative:
        return None
    return float(np.mean(relative)), float(np.sqrt(np.mean(np.square(logs))))


def _flat(series: np.ndarray, steps: int) -> np.ndarray:
    level = float(np.mean(series[-WINDOW:])) if len(series) else 0.0
    return np.full(steps, level)


def _damped(series: np.ndarray, steps: int) -> np.ndarray | None:
    return _smoothed(series, steps, MIN_TREND, seasonal=None)


def _steady(series: np.ndarray, steps: int) -> np.ndarray | None:
    return _smoothed(series, steps, MIN_TREND, seasonal=None, damped=False)


def _seasonal(series: np.ndarray, steps: int) -> np.ndarray | None:
    return _smoothed(series, steps, MIN_SEASONAL, seasonal="add")


def _smoothed(
    series: np.ndarray, steps: int, least: int, seasonal: str | None, damped: bool = True
) -> np.ndarray | None:
    """Exponential smoothing with an additive trend (damped unless ``damped`` is False) on
    log(1 + value); None with fewer than ``least`` quarters or when ``statsmodels`` cannot fit
    the series."""
    if len(series) < least:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes of short series: the back-test judges the fit
        try:
            model = ExponentialSmoothing(
                np.log1p(series),
                trend="add",
                damped_trend=damped,
                seasonal=seasonal,
                seasonal_periods=4 if seasonal else None,
                initialization_method="estimated",
            ).fit(use_brute=False, method="SLSQP")  # the brute-force start grid costs 4–12× for the same fit here
            forecast = np.expm1(np.asarray(model.forecast(steps), dtype=float))
        except (ValueError, np.linalg.LinAlgError):
            return None
    return np.clip(forecast, 0.0, None) if np.all(np.isfinite(forecast)) else None
