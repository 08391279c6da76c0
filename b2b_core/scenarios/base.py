"""The base of every projection, measured from the panel: who is alive now and at what age, how
fast accounts renew (sBG), how many new accounts arrive, and what an account earns.

From the panel's last quarter L (periods are quarters; money in currency units per quarter):

* **Alive accounts** are those active in L (an account is alive until its last active quarter,
  ``b2b_core.cohorts.activity``). They are grouped by age a = L − cohort; the accounts of the panel's first
  quarter signed up at some unknown earlier time and are given the age they have in the data, a
  lower bound (older accounts renew more, so this errs on the side of churn).
* **Renewal**: a shifted-beta-geometric model fitted jointly on the survivor counts of the
  cohorts observed for two quarters or more, leaving out the first quarter's cohort (it is not a
  signup cohort) unless nothing else can be fitted.
* **New accounts per quarter**: the mean size of the cohorts of the trailing window, the last
  four quarters of the data after its first (fewer if the data are shorter).
* **Revenue per account**, for platform and B-side revenue alike (``RevenueTrend``): an alive
  account starts from its revenue in L; a new account from the mean age-0 revenue of the
  window's new accounts. From one quarter to the next a retained account's revenue is multiplied
  by ``ramp`` into age 1 (the signup quarter is usually a partial one) and by 1 + ``growth`` at
  later ages, both pooled ratios over the window: Σ revenue in q / Σ revenue in q − 1 of the
  accounts active in both quarters (age 0 in q − 1 for the ramp, age ≥ 1 for the growth).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine, overview
from b2b_core.cohorts.activity import members
from b2b_core.cohorts.sbg import ShiftedBetaGeometric
from b2b_core.cohorts.survival import Lifetimes, lifetimes, survivor_counts

WINDOW = 4  # quarters of the trailing window
HISTORY_COLUMNS = ["active_accounts", "platform_revenue", "b_side_revenue", "take_rate"]


@dataclass(frozen=True, eq=False)
class RevenueTrend:
    """One kind of revenue (platform or B-side) of the base, in currency units per quarter.

    ``by_age[a]``: summed revenue in L of the alive accounts of age a; ``new_account``: mean
    revenue of a new account in its signup quarter; ``ramp``: revenue factor from age 0 to age 1;
    ``growth``: revenue growth per quarter of a retained account at age ≥ 1 (0.02 = 2%).
    """

    by_age: np.ndarray
    new_account: float
    ramp: float
    growth: float


@dataclass(frozen=True, eq=False)
class Base:
    """Everything a projection needs, measured once from the panel (see the module docstring).

    ``alive[a]``: accounts alive in ``last_quarter`` at age a (quarters since signup);
    ``alpha``/``beta``/``covariance``: the sBG fit (covariance of log α, log β);
    ``new_accounts``: new accounts per quarter; ``platform``/``b_side``: ``RevenueTrend``s
    (``b_side`` all zero when ``has_b_side`` is False); ``history``: per observed quarter, the
    ``HISTORY_COLUMNS`` (as ``overview.quarter_kpis``); ``fit_warning``: why the sBG fit carries
    little weight, or None.
    """

    last_quarter: str
    alive: np.ndarray
    alpha: float
    beta: float
    covariance: np.ndarray
    new_accounts: float
    platform: RevenueTrend
    b_side: RevenueTrend
    has_b_side: bool
    history: pd.DataFrame
    fitted_cohorts: int
    fit_warning: str | None = None


def fit_base(panel: engine.Source) -> Base:
    """Measure the ``Base`` of a panel (contract columns; ``b_side_revenue`` optional).

    The engine reduces the panel to the accounts' lifetimes (``cohorts.lifetimes``), revenue per
    cohort in the trailing window (``_cohort_revenue``), the retained accounts' revenue sums
    (``_retained_sums``) and the quarter KPIs; the fit and the trends are computed from those.

    Raises ``ValueError`` when the panel cannot carry a projection: no active account, no
    account active in its last quarter, or no cohort observed for two quarters.
    """
    table = engine.table(panel)
    if "b_side_revenue" not in table.columns:
        table = table.mutate(b_side_revenue=ibis.null("float64"))
    found = lifetimes(table)
    if not len(found.accounts):
        raise ValueError("the data have no active account to project from: upload a quarter with active accounts")
    last, first = found.last_observed, int(found.observed[0])
    alive = found.last_active == last
    if not alive.any():
        raise ValueError(f"no account is active in the last quarter {found.label(last)}: nothing to project from")
    model, fitted, problem = _fit_renewal(found, first)

    window = [int(q) for q in found.observed[found.observed > first][-WINDOW:]]
    new_sizes = [int(found.accounts[found.cohort == q].sum()) for q in window]
    ages = last - found.cohort
    width = int(ages[alive].max()) + 1
    pairs = [q for q in window if q - 1 in found.observed]
    cells = _cohort_revenue(table, last - WINDOW)
    retained = _retained_sums(table, pairs, first)
    history = overview.quarter_kpis(table)[HISTORY_COLUMNS]
    trends = {}
    for kind in REVENUE_KINDS:
        now = cells[cells["period"] == last]
        signup = cells[(cells["period"] == cells["cohort"]) & cells["cohort"].isin(window)]
        trends[kind] = RevenueTrend(
            by_age=np.bincount(last - now["cohort"], weights=now[kind], minlength=width),
            new_account=signup[kind].sum() / sum(new_sizes) if sum(new_sizes) else 0.0,
            ramp=_ratio(retained, "ramp", kind),
            growth=_ratio(retained, "growth", kind) - 1,
        )
    return Base(
        last_quarter=found.label(last),
        alive=np.bincount(ages[alive], weights=found.accounts[alive], minlength=width),
        alpha=model.alpha_,
        beta=model.beta_,
        covariance=model.covariance_,
        new_accounts=float(np.mean(new_sizes)) if new_sizes else 0.0,
        platform=trends["platform"],
        b_side=trends["b_side"],
        has_b_side=bool(history["b_side_revenue"].notna().any()),
        history=history,
        fitted_cohorts=fitted,
        fit_warning=problem,
    )


def _fit_renewal(found: Lifetimes, first: int) -> tuple[ShiftedBetaGeometric, int, str | None]:
    """The sBG model of the cohorts observed ≥ 2 quarters (the first quarter's only as a last
    resort), how many cohorts it was fitted on, and the fit's warning text or None."""
    counts = survivor_counts(found)
    fittable = [c for c, q in zip(counts, found.cohorts, strict=True) if len(c) >= 2 and q != first]
    if not fittable:
        fittable = [c for c in counts if len(c) >= 2]
    if not fittable:
        raise ValueError(
            "projections need renewals: no cohort is observed for two quarters yet. Upload at least two "
            "consecutive quarters"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ShiftedBetaGeometric().fit(fittable)
    problem = next((str(w.message) for w in caught if issubclass(w.category, UserWarning)), None)
    return model, len(fittable), problem


REVENUE_KINDS = ("platform", "b_side")


def _revenues(table: ir.Table) -> ir.Table:
    """Per row of the panel: ``account_id``, ``period`` (quarter ordinal), ``active`` and the
    revenue kinds (missing as 0)."""
    return table.select(
        "account_id",
        period=engine.quarter_ordinal(table.quarter),
        active=table.active.fill_null(False),
        platform=table.platform_revenue.fill_null(0.0),
        b_side=table.b_side_revenue.cast("float64").fill_null(0.0),
    )


def _cohort_revenue(table: ir.Table, start: int) -> pd.DataFrame:
    """Per ``cohort`` and ``period`` ≥ ``start`` (quarter ordinals): the revenue kinds summed over
    the cohort's accounts active in that quarter."""
    rows = _revenues(table)
    rows = rows.filter(rows.active & (rows.period >= start))
    found = members(table)
    joined = rows.join(found.filter(found.cohort.notnull()), "account_id")
    sums = {kind: joined[kind].sum() for kind in REVENUE_KINDS}
    return engine.run(joined.group_by("cohort", "period").aggregate(**sums))


def _retained_sums(table: ir.Table, pairs: list[int], first: int) -> pd.DataFrame:
    """Per ``step`` (``ramp``: accounts of age 0 in q − 1; ``growth``: of age ≥ 1, the first
    quarter's cohort counted there as its accounts signed up earlier), summed over the quarters q
    of ``pairs`` and the accounts active in both q and q − 1: each revenue kind in q and, as
    ``<kind>_before``, in q − 1."""
    if not pairs:
        return pd.DataFrame(columns=["step", *REVENUE_KINDS, *(f"{k}_before" for k in REVENUE_KINDS)])
    rows = _revenues(table)
    rows = rows.filter(rows.period >= min(pairs) - 1)
    by_account = ibis.window(group_by="account_id", order_by="period")
    rows = rows.mutate(
        before=rows.period.lag().over(by_account),
        active_before=rows.active.lag().over(by_account),
        **{f"{kind}_before": rows[kind].lag().over(by_account) for kind in REVENUE_KINDS},
    )
    kept = rows.filter(rows.period.isin(pairs) & rows.active & rows.active_before & (rows.before == rows.period - 1))
    found = members(table)
    kept = kept.join(found, "account_id")
    signup_before = kept.cohort == kept.period - 1
    step = ibis.cases(
        (signup_before & (kept.cohort != first), "ramp"),
        ((kept.cohort < kept.period - 1) | (kept.cohort == first), "growth"),
    )
    columns = [*REVENUE_KINDS, *(f"{k}_before" for k in REVENUE_KINDS)]
    kept = kept.mutate(step=step)
    return engine.run(kept.group_by("step").aggregate(**{c: kept[c].sum() for c in columns}))


def _ratio(retained: pd.DataFrame, step: str, kind: str) -> float:
    """Σ revenue in q / Σ revenue in q − 1 of ``step``'s accounts; 1.0 where there is nothing to measure."""
    found = retained[retained["step"] == step]
    now, before = float(found[kind].sum()), float(found[f"{kind}_before"].sum())
    return now / before if now > 0 and before > 0 else 1.0
