"""Project a scenario quarter by quarter from the base measured in the data (``fit_base``).

For the quarters L + h, h = 1 … horizon, after the data's last quarter L (money in currency units
per quarter):

* retention at age t: r'(t) = clip(r(t) + u, 0, 1), with r(t) = (β + t − 1)/(α + β + t − 1) the
  sBG retention rate and u = (renewal uplift − churn elasticity × take-rate change)/100;
* an account alive at age a in L is still alive at L + h with p(a, h) = Π_{j=1..h} r'(a + j)
  (with u = 0, S(a + h)/S(a): survival conditional on the age reached);
* m(h) = the new accounts the base's ``arrivals`` expect in quarter L + h × (1 + new-account
  growth/100) arrive, and survive from age 0 the same way;
* a new account earns the base's ``starts`` forecast in its signup quarter; a retained account's
  revenue moves by ``ramp`` into age 1 and by 1 + ``growth`` at later ages (``RevenueTrend``),
  times 1 + expansion/100 every quarter;
* active accounts = Σ_a alive(a)·p(a, h) + Σ_{j ≤ h} m(j)·p(0, h − j); revenue likewise, each account
  weighted by its revenue path; B-side revenue is platform revenue × s / the base's take-rate
  model τ(h) (``Base.take_rate``; by its own revenue path when the base has none); platform revenue
  then gains take-rate change/100 × B-side revenue (never below 0); take rate = (platform × s + that
  gain) / B-side revenue, the platform revenue of the accounts reporting B-side revenue over their
  B-side revenue, as in the data (s = 1 when every account reports it).

The point projection is the expectation with the fitted α, β. The band is a 90% interval by
simulation (``DRAWS`` draws, a fixed seed, so the same inputs give the same band): each draw
takes (log α, log β) from the normal approximation of the fit (its covariance); the level of
arrivals as m(h) × exp(z·s·√h), and a new account's first-quarter revenue likewise, with z
standard normal and s its model's back-test spread; the revenue of every account times
exp(Σ_{i ≤ h} ε_i), ε_i ~ N(0, the growth's spread), the quarter-to-quarter noise of the revenue
trend; the take rate τ(h) × exp(z·s·√h) with its model's spread; then alive accounts of each
age as binomial, new accounts per quarter as Poisson and their survivors as binomial. Every
account of an age is taken to earn that age's mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2b_core import engine, overview, quarters
from b2b_core.cohorts.sbg import LOG_BOUND
from b2b_core.i18n import _
from b2b_core.scenarios.base import MAX_HORIZON, Base, RevenueTrend, fit_base
from b2b_core.scenarios.levers import BASE, Scenario

BAND = 0.90
DRAWS = 400
SEED = 2007  # Fader & Hardie's year: any fixed number keeps the band reproducible
OUTPUTS = ("active_accounts", "platform_revenue", "b_side_revenue", "take_rate")


def as_base(data: pd.DataFrame | Base) -> Base:
    """``data`` itself if it is a ``Base``, else ``fit_base(data)``."""
    return data if isinstance(data, Base) else fit_base(data)


def project(data: pd.DataFrame | Base, scenario: Scenario = BASE, horizon: int = 8, bands: bool = True) -> pd.DataFrame:
    """The scenario's projection for the ``horizon`` quarters after the data (see module).

    ``data``: a panel, or its ``Base`` (measured once, then every lever change costs only the
    projection). Returns a frame indexed by ``quarter`` (``2026Q4`` …) with ``OUTPUTS``: active
    accounts, platform and B-side revenue (currency units per quarter) and take rate (a
    fraction), each followed by its ``_lower`` and ``_upper`` 90% band unless ``bands`` is False.
    B-side revenue and take rate are NaN when the data have no B-side revenue.

    Raises ``ValueError`` for a horizon outside 1 … 40, or a take-rate change on data without
    B-side revenue.
    """
    base = as_base(data)
    if not isinstance(horizon, int | np.integer) or not 1 <= horizon <= MAX_HORIZON:
        raise ValueError(
            _("the horizon is {horizon} quarters; choose a whole number from 1 to {most}").format(
                horizon=repr(horizon), most=MAX_HORIZON
            )
        )
    if scenario.take_rate_change and not base.has_b_side:
        raise ValueError(
            _(
                "scenario {name} changes the take rate, but the data have no B-side revenue to apply "
                "it to: set the take-rate change to 0, or upload data with B-side revenue"
            ).format(name=repr(scenario.name))
        )
    expected = _paths(base, scenario, horizon, np.array([[base.alpha]]), np.array([[base.beta]]), None)
    index = pd.Index(
        [quarters.from_ordinal(quarters.to_ordinal(base.last_quarter) + h) for h in range(1, horizon + 1)],
        name="quarter",
    )
    frame = pd.DataFrame({name: values[0] for name, values in expected.items()}, index=index)
    if not bands:
        return frame
    rng = np.random.default_rng(SEED)
    alpha, beta = _parameter_draws(base, rng)
    simulated = _paths(base, scenario, horizon, alpha, beta, rng)
    low, high = (1 - BAND) / 2, 1 - (1 - BAND) / 2
    for name in OUTPUTS:
        values = simulated[name]
        if np.isnan(values).all(axis=0).any():  # no B-side revenue: no take rate either
            frame[f"{name}_lower"] = frame[f"{name}_upper"] = np.nan
        else:
            frame[f"{name}_lower"], frame[f"{name}_upper"] = np.nanquantile(values, [low, high], axis=0)
    return frame[[f"{name}{part}" for name in OUTPUTS for part in ("", "_lower", "_upper")]]


def _parameter_draws(base: Base, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``DRAWS`` pairs (α, β), shape (DRAWS, 1) each, from the normal approximation of the fit on
    the log scale (within e^±``LOG_BOUND``, the fit's search space); the fitted values themselves
    when the fit gives no usable covariance."""
    mean = np.log([base.alpha, base.beta])
    normal = rng.standard_normal((DRAWS, 2))
    try:
        spread = np.linalg.cholesky(base.covariance) if np.all(np.isfinite(base.covariance)) else None
    except np.linalg.LinAlgError:
        spread = None
    # kept within the space the fit searched: beyond it the data cannot tell values apart
    log_params = np.clip(mean + (normal @ spread.T if spread is not None else 0.0 * normal), -LOG_BOUND, LOG_BOUND)
    return np.exp(log_params[:, :1]), np.exp(log_params[:, 1:])


def _paths(base: Base, scenario: Scenario, horizon: int, alpha: np.ndarray, beta: np.ndarray, rng) -> dict:
    """The ``OUTPUTS`` for each (α, β) row, arrays of shape (rows, horizon): expectations when
    ``rng`` is None, else one simulated path per row. Each lever acts in each quarter with its
    timed value (``Scenario.path``)."""
    ages = len(base.alive)
    t = np.arange(1, ages + horizon)
    sbg = (beta + t - 1) / (alpha + beta + t - 1)  # r(t), (rows, ages + horizon − 1)
    uplift = scenario.retention_change(horizon) / 100  # by projected quarter
    reached = np.arange(ages)[:, None] + np.arange(1, horizon + 1)  # age reached at L + h, by (age in L, h)
    since = np.arange(horizon)[None, :] - np.arange(horizon)[:, None]  # age at quarter h of arrivals of quarter j
    # the retention rate each account renews with: (rows, age in L, h) and (rows, j, h) for arrivals
    existing_rate = np.clip(sbg[:, reached - 1] + uplift, 0, 1)
    new_rate = np.where(since >= 1, np.clip(sbg[:, since.clip(1) - 1] + uplift, 0, 1), 1.0)
    alive_share, new_survival = _survival(existing_rate, new_rate, since)
    arriving = base.arrivals.forecast[None, :horizon] * (1 + scenario.path("new_account_growth", horizon) / 100)
    if rng is None:
        existing = alive_share
        new = arriving[:, :, None] * new_survival  # (rows, j, h)
    else:
        counts = base.alive.astype(np.int64)[:, None]
        existing = rng.binomial(counts, alive_share) / np.maximum(counts, 1)
        level = np.exp(rng.standard_normal((len(alpha), 1)) * base.arrivals.spread * np.sqrt(np.arange(1, horizon + 1)))
        arrivals = rng.poisson(arriving * level)
        new = rng.binomial(arrivals[:, :, None], new_survival)
    grown = np.cumprod(1 + scenario.path("expansion", horizon) / 100)  # expansion's factor up to quarter h
    paths = {"active_accounts": (base.alive[:, None] * existing).sum(axis=1) + new.sum(axis=1)}
    # the same standard normals for both revenues, which move together
    steps = rng.standard_normal((len(alpha), horizon)) if rng is not None else np.zeros((1, horizon))
    starts_z = rng.standard_normal((len(alpha), 1)) if rng is not None else np.zeros((1, 1))
    root_ahead = np.sqrt(np.arange(1, horizon + 1))
    trends = {"platform_revenue": base.platform}
    if base.take_rate is None:
        trends["b_side_revenue"] = base.b_side
    for name, trend in trends.items():
        trended = _revenue_factor(trend, reached)  # (ages, horizon); row 0: a new account's, by age from 1
        factor = trended * grown
        by_age = np.r_[1.0, trended[0, : horizon - 1]]  # a new account's, by age
        # a new account's revenue at h: its age's trend, times the expansion since it arrived
        new_factor = by_age[since.clip(0)] * (since >= 0) * grown[None, :] / grown[:, None]
        level = np.exp(np.cumsum(steps * trend.growth_spread, axis=1))  # (rows, h): the growth's own noise
        starts = trend.starts.forecast[:horizon] * np.exp(starts_z * trend.starts.spread * root_ahead)  # (rows, j)
        # revenue survives as accounts do with churn weighted by κ: r_κ = 1 − κ (1 − r), the same draws
        kept_share, kept_new = _survival(
            1 - trend.churn_weight * (1 - existing_rate), 1 - trend.churn_weight * (1 - new_rate), since
        )
        kept = existing * _ratio(kept_share, alive_share)
        arrived = new * _ratio(kept_new, new_survival)
        paths[name] = level * (
            (trend.by_age[:, None] * kept * factor).sum(axis=1)
            + (arrived * new_factor * starts[:, :, None]).sum(axis=1)
        )
    if not base.has_b_side:
        b_side = np.full_like(paths["platform_revenue"], np.nan)
    elif base.take_rate is not None:
        rate_z = rng.standard_normal((len(alpha), 1)) if rng is not None else np.zeros((1, 1))
        rate = base.take_rate.forecast[:horizon] * np.exp(rate_z * base.take_rate.spread * root_ahead)
        b_side = paths["platform_revenue"] * base.reported_share / rate
    else:
        b_side = paths["b_side_revenue"]
    added = scenario.path("take_rate_change", horizon) / 100 * np.nan_to_num(b_side)
    reported = np.maximum(paths["platform_revenue"] * base.reported_share + added, 0)
    paths["platform_revenue"] = np.maximum(paths["platform_revenue"] + added, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        paths["take_rate"] = np.where(b_side > 0, reported / b_side, np.nan)
    paths["b_side_revenue"] = b_side
    return paths


def _survival(existing_rate: np.ndarray, new_rate: np.ndarray, since: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From the retention rates an account renews with: p(a, h) of the accounts alive at age a
    in L (rows, ages, horizon), the product of their rates up to h, and the survival to quarter h
    of the accounts arriving in quarter j (rows, j, h): the product of their rates after j, 1 in
    j itself and 0 before."""
    return np.cumprod(existing_rate, axis=2), np.cumprod(new_rate, axis=2) * (since >= 0)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, 0.0)


def _revenue_factor(trend: RevenueTrend, reached: np.ndarray) -> np.ndarray:
    """Revenue of a retained account at L + h over its revenue in L, by (age in L, h): the product
    of ``ramp`` for the step into age 1 and 1 + ``growth`` for every later step."""
    steps = np.where(reached == 1, trend.ramp, 1 + trend.growth)
    return np.cumprod(steps, axis=1)


def backtest(panel: engine.Source, quarters_back: int = 4) -> pd.DataFrame:
    """How the base would have done: measured on the panel without its last ``quarters_back``
    quarters, projected over them, and compared with what the data show.

    Returns a frame indexed by ``quarter`` (the held-out quarters) with, for active accounts and
    platform revenue, the ``projected`` value, its band (``_lower``/``_upper``), the ``actual``
    one (``overview.quarter_kpis``), the ``error`` (projected − actual) / actual, a fraction,
    and ``inside`` (lower ≤ actual ≤ upper); columns ``<output>_projected`` …
    ``<output>_inside``. Raises ``ValueError`` when fewer than two quarters would remain to
    measure the base on.
    """
    table = engine.table(panel)
    observed = sorted(engine.run(table.select("quarter").distinct())["quarter"])
    if not 1 <= quarters_back <= len(observed) - 2:
        raise ValueError(
            _(
                "a back-test over {back} quarter(s) needs at least {least} quarters of data, and the data have {have}"
            ).format(back=quarters_back, least=quarters_back + 2, have=len(observed))
        )
    cut = observed[-quarters_back - 1]
    actual = overview.quarter_kpis(table, flows=False)
    horizon = quarters.to_ordinal(observed[-1]) - quarters.to_ordinal(cut)
    projected = project(table.filter(table.quarter <= cut), BASE, horizon)
    projected = projected[projected.index.isin(actual.index)]
    frame = pd.DataFrame(index=projected.index)
    for name in ("active_accounts", "platform_revenue"):
        frame[f"{name}_projected"] = projected[name]
        frame[f"{name}_lower"], frame[f"{name}_upper"] = projected[f"{name}_lower"], projected[f"{name}_upper"]
        frame[f"{name}_actual"] = actual.loc[projected.index, name]
        frame[f"{name}_error"] = frame[f"{name}_projected"] / frame[f"{name}_actual"] - 1
        frame[f"{name}_inside"] = frame[f"{name}_lower"].le(frame[f"{name}_actual"]) & frame[f"{name}_actual"].le(
            frame[f"{name}_upper"]
        )
    return frame


def backtest_errors(table: pd.DataFrame) -> pd.DataFrame:
    """Per output of a ``backtest`` table (index ``active_accounts``, ``platform_revenue``): the
    ``mean_absolute`` error and the ``mean`` (signed: below 0, the base fell short), fractions;
    the ``coverage``, the share of held-out quarters whose actual value lies within the band, and
    the ``quarters`` held out."""
    names = ["active_accounts", "platform_revenue"]
    return pd.DataFrame(
        {
            "mean_absolute": [table[f"{name}_error"].abs().mean() for name in names],
            "mean": [table[f"{name}_error"].mean() for name in names],
            "coverage": [table[f"{name}_inside"].mean() for name in names],
            "quarters": [len(table)] * len(names),
        },
        index=pd.Index(names, name="output"),
    )
