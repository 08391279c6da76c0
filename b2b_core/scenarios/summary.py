"""Scenarios side by side with the base, and the tornado table of one scenario's levers.

Outputs over a horizon of h quarters (money in currency units):

* ``active_accounts_end``: active accounts in the last projected quarter;
* ``platform_revenue_end``: platform revenue of the last projected quarter;
* ``platform_revenue_total`` / ``b_side_revenue_total``: summed over the h quarters;
* ``take_rate_total``: Σ take rate × B-side revenue / b_side_revenue_total, the take rate of the
  whole horizon (platform_revenue_total / b_side_revenue_total when every account reports B-side
  revenue).

Variance against the base: ``<output>_vs_base`` = scenario − base, ``<output>_vs_base_pct`` =
(scenario − base) / base as a fraction (NaN when the base is 0).

``by_quarter`` lays every scenario out quarter by quarter, its inputs beside its outputs, for a
spreadsheet.

The tornado moves each lever over a plausible range, by default ± the variation the data show
by themselves (``plausible_steps``), in the lever's unit:

* renewal uplift: the standard deviation of the quarterly renewal rates (``Base.renewal_rates``),
  in points;
* new-account growth: the new-accounts model's spread (its back-test error per quarter), in %;
* expansion: the standard deviation of the retained accounts' quarterly revenue growth
  (``RevenueTrend.growth_spread`` of platform revenue), in % per quarter;
* take-rate change: the standard deviation of the quarterly take rates, in points;
* churn elasticity: the data cannot show it (it needs take-rate changes with known effects): the
  lever's ``sensitivity_step``, stated as such.

A variation of 0 (too short a history, or none seen) falls back to the lever's stated step too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from b2b_core.i18n import N_, _
from b2b_core.scenarios.base import Base
from b2b_core.scenarios.levers import BASE, BASE_NAME, BY_KEY, LEVER_KEYS, LEVERS, Scenario
from b2b_core.scenarios.projection import as_base, project

SUMMARY_OUTPUTS = (
    "active_accounts_end",
    "platform_revenue_end",
    "platform_revenue_total",
    "b_side_revenue_total",
    "take_rate_total",
)
SENSITIVITY_COLUMNS = ["label", "unit", "step", "basis", "low", "high", "low_change", "high_change"]
STATED, EDITED = N_("stated"), N_("edited")  # the basis of a step the data cannot show, of one typed in


def outcomes(projection: pd.DataFrame) -> dict[str, float]:
    """The ``SUMMARY_OUTPUTS`` of one ``project`` frame."""
    platform, b_side = projection["platform_revenue"].sum(), projection["b_side_revenue"].sum(min_count=1)
    reported = (projection["take_rate"] * projection["b_side_revenue"]).sum()
    return {
        "active_accounts_end": float(projection["active_accounts"].iloc[-1]),
        "platform_revenue_end": float(projection["platform_revenue"].iloc[-1]),
        "platform_revenue_total": float(platform),
        "b_side_revenue_total": float(b_side),
        "take_rate_total": float(reported / b_side) if b_side > 0 else float("nan"),
    }


def compare(data: pd.DataFrame | Base, scenarios: Sequence[Scenario], horizon: int = 8) -> pd.DataFrame:
    """The summary table: one row per scenario (index ``scenario``), the base first.

    Columns: the levers (``LEVER_KEYS``, in their units), then for every output of
    ``SUMMARY_OUTPUTS`` its value, ``_vs_base`` and ``_vs_base_pct`` (see module). Raises
    ``ValueError`` if two scenarios share a name or one is called like the base.
    """
    names = [s.name.casefold() for s in scenarios]
    clash = next(
        (s.name for s in scenarios if names.count(s.name.casefold()) > 1 or s.name.casefold() == BASE_NAME.casefold()),
        None,
    )
    if clash:
        raise ValueError(
            _("scenario names must be distinct and not {base}: {name} is used twice or is the base's").format(
                base=repr(BASE_NAME), name=repr(clash)
            )
        )
    base = as_base(data)
    rows = [BASE, *scenarios]
    table = pd.DataFrame(
        [s.levers() | outcomes(project(base, s, horizon, bands=False)) for s in rows],
        index=pd.Index([s.name for s in rows], name="scenario"),
    )
    columns = list(LEVER_KEYS)
    for output in SUMMARY_OUTPUTS:
        reference = table[output].iloc[0]
        table[f"{output}_vs_base"] = table[output] - reference
        table[f"{output}_vs_base_pct"] = table[f"{output}_vs_base"] / reference if reference else np.nan
        columns += [output, f"{output}_vs_base", f"{output}_vs_base_pct"]
    return table[columns]


def by_quarter(projections: Mapping[str, pd.DataFrame], shown: Mapping[str, Scenario]) -> pd.DataFrame:
    """Every scenario quarter by quarter: one row per (scenario, quarter) in the order of
    ``shown`` (name → scenario, the base first) and of the quarters; columns the levers
    (``LEVER_KEYS``, in their units: the scenario's inputs in that quarter, as timed) then the
    ``project`` outputs of ``projections`` (name → frame), with their bands where projected."""
    rows = []
    for name, scenario in shown.items():
        projected = projections[name]
        inputs = pd.DataFrame({key: scenario.path(key, len(projected)) for key in LEVER_KEYS}, index=projected.index)
        rows.append(pd.concat([inputs, projected], axis=1).assign(scenario=name))
    table = pd.concat(rows).reset_index().set_index(["scenario", "quarter"])
    return table[[*LEVER_KEYS, *(c for c in table.columns if c not in LEVER_KEYS)]]


def plausible_steps(data: pd.DataFrame | Base) -> pd.DataFrame:
    """Each lever's default tornado step, ± the variation the data show (see module): a frame
    indexed by ``lever`` (``LEVER_KEYS``) with the ``step`` in the lever's unit and its ``basis``,
    the words that say where it comes from, in the current language (``STATED`` when the data
    cannot show it)."""
    fitted = as_base(data)
    history = fitted.history["take_rate"].dropna() if "take_rate" in fitted.history else pd.Series(dtype=float)
    measured = {
        "renewal_uplift": (
            _deviation(fitted.renewal_rates) * 100,
            _("the spread of the renewal rates of the last {n} quarters").format(n=len(fitted.renewal_rates)),
        ),
        "new_account_growth": (fitted.arrivals.spread * 100, _("the new-accounts model's back-test error per quarter")),
        "expansion": (
            fitted.platform.growth_spread * 100,
            _("the spread of retained accounts' revenue growth from one quarter to the next"),
        ),
        "take_rate_change": (
            _deviation(history.to_numpy(dtype=float)[-8:]) * 100,
            _("the spread of the take rate over the last {n} quarters").format(n=min(len(history), 8)),
        ),
    }
    rows = {}
    for lever in LEVERS:
        step, basis = measured.get(lever.key, (0.0, _(STATED)))
        rows[lever.key] = (
            (round(step, 2), basis) if np.isfinite(step) and round(step, 2) > 0 else (lever.sensitivity_step, _(STATED))
        )
    return pd.DataFrame.from_dict(rows, orient="index", columns=["step", "basis"]).rename_axis("lever")


def _deviation(values: np.ndarray) -> float:
    """The sample standard deviation of ``values``, 0 with fewer than two."""
    return float(np.std(values, ddof=1)) if len(values) >= 2 else 0.0


def sensitivity(
    data: pd.DataFrame | Base, base: Scenario = BASE, steps: Mapping[str, float] | None = None, horizon: int = 8
) -> pd.DataFrame:
    """The tornado table around scenario ``base``: each lever moved alone by its step down and up.

    ``steps``: lever key → step in the lever's unit (default: ``plausible_steps``, ± the variation
    the data show; take rate and churn elasticity are left out when the data have no B-side
    revenue). A moved value is kept within the lever's range. Returns a frame indexed by
    ``lever`` with ``SENSITIVITY_COLUMNS``: label, unit, step, its ``basis`` (the data's, or
    ``"edited"`` for a step given that differs from it), the ``low`` and ``high`` lever values
    and the change of cumulative platform revenue over the horizon against ``base`` for each
    (``low_change``, ``high_change``, currency units), largest swing first.
    """
    fitted = as_base(data)
    plausible = plausible_steps(fitted)
    chosen = steps if steps is not None else plausible["step"].to_dict()
    unknown = [key for key in chosen if key not in LEVER_KEYS]
    if unknown:
        raise ValueError(f"unknown lever(s) {unknown}: choose among {list(LEVER_KEYS)}")
    if not fitted.has_b_side:
        chosen = {key: step for key, step in chosen.items() if not BY_KEY[key].needs_b_side}
    reference = project(fitted, base, horizon, bands=False)["platform_revenue"].sum()
    rows = {}
    for lever in (lever for lever in LEVERS if lever.key in chosen):
        step = float(chosen[lever.key])
        value = getattr(base, lever.key)
        low, high = (float(np.clip(value + sign * step, lever.minimum, lever.maximum)) for sign in (-1, 1))
        low_total, high_total = (
            project(fitted, base.with_levers(**{lever.key: moved}), horizon, bands=False)["platform_revenue"].sum()
            for moved in (low, high)
        )
        basis = plausible.loc[lever.key, "basis"] if step == plausible.loc[lever.key, "step"] else _(EDITED)
        rows[lever.key] = [
            lever.label,
            lever.unit,
            step,
            basis,
            low,
            high,
            low_total - reference,
            high_total - reference,
        ]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=SENSITIVITY_COLUMNS).rename_axis("lever")
    swing = table[["low_change", "high_change"]].abs().max(axis=1)
    return table.loc[swing.sort_values(ascending=False, kind="stable").index]
