"""The base of every projection, measured from the panel: who is alive now and at what age, how
fast accounts renew (sBG), how many new accounts arrive, and what an account earns.

From the panel's last quarter L (periods are quarters; money in currency units per quarter):

* **Alive accounts** are those active in L (an account is alive until its last active quarter,
  ``cohorts.activity``). They are grouped by age a = L − cohort; the accounts of the panel's first
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

import numpy as np
import pandas as pd

from b2b_core import engine, quarters
from b2b_core.cohorts.activity import activity
from b2b_core.cohorts.sbg import ShiftedBetaGeometric
from b2b_core.cohorts.survival import survivor_counts

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

    Raises ``ValueError`` when the panel cannot carry a projection: no active account, no
    account active in its last quarter, or no cohort observed for two quarters.
    """
    act = activity(panel, values=("b_side_revenue",))
    if not act.in_cohort.any():
        raise ValueError("the data have no active account to project from: upload a quarter with active accounts")
    last, first = act.last_observed, int(act.observed[0])
    alive = act.in_cohort & (act.last_active == last)
    if not alive.any():
        raise ValueError(f"no account is active in the last quarter {act.label(last)}: nothing to project from")
    model, fitted, problem = _fit_renewal(act, first)

    b_side = act.values["b_side_revenue"]
    has_b_side = bool(np.isfinite(b_side).any())
    revenue = {"platform": act.revenue, "b_side": np.nan_to_num(b_side)}

    # the last WINDOW + 1 quarters as dense account × quarter arrays (column 0 is L − WINDOW)
    start = last - WINDOW
    recent = act.period >= start
    rows, columns = act.account[recent], act.period[recent] - start
    n_accounts = len(act.account_ids)
    active = np.zeros((n_accounts, WINDOW + 1), dtype=bool)
    active[rows, columns] = act.active[recent]
    dense = {}
    for kind, values in revenue.items():
        dense[kind] = np.zeros((n_accounts, WINDOW + 1))
        dense[kind][rows, columns] = values[recent]

    window = [int(q) for q in act.observed[act.observed > first][-WINDOW:]]
    new_sizes = [int((act.cohort == q).sum()) for q in window]
    ages = np.where(alive, last - act.cohort, 0)
    pairs = [q for q in window if q - 1 in act.observed]
    ramp, growth = _retained_ratios(dense, active, act.cohort, pairs, start, first)
    trends = {}
    for kind in revenue:
        level = dense[kind][:, WINDOW]
        new_revenue = sum(dense[kind][act.cohort == q, q - start].sum() for q in window)
        trends[kind] = RevenueTrend(
            by_age=np.bincount(ages[alive], weights=level[alive], minlength=int(ages.max()) + 1),
            new_account=new_revenue / sum(new_sizes) if sum(new_sizes) else 0.0,
            ramp=ramp[kind],
            growth=growth[kind] - 1,
        )
    return Base(
        last_quarter=act.label(last),
        alive=np.bincount(ages[alive], minlength=int(ages.max()) + 1).astype(float),
        alpha=model.alpha_,
        beta=model.beta_,
        covariance=model.covariance_,
        new_accounts=float(np.mean(new_sizes)) if new_sizes else 0.0,
        platform=trends["platform"],
        b_side=trends["b_side"],
        has_b_side=has_b_side,
        history=_history(act, b_side),
        fitted_cohorts=fitted,
        fit_warning=problem,
    )


def _fit_renewal(act, first: int) -> tuple[ShiftedBetaGeometric, int, str | None]:
    """The sBG model of the cohorts observed ≥ 2 quarters (the first quarter's only as a last
    resort), how many cohorts it was fitted on, and the fit's warning text or None."""
    counts = survivor_counts(act)
    cohorts = quarters.distinct_ordinals(act.cohort[act.in_cohort])
    fittable = [c for c, q in zip(counts, cohorts, strict=True) if len(c) >= 2 and q != first]
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


def _retained_ratios(revenue, active, cohort, pairs, start, first) -> tuple[dict, dict]:
    """Per kind of ``revenue``: Σ revenue in q / Σ revenue in q − 1 over the quarters q of
    ``pairs`` and the accounts active in both, (1) of age 0 in q − 1 (the ramp) and (2) of age ≥ 1
    (the first quarter's cohort counts as age ≥ 1: its accounts signed up earlier); 1.0 where
    there is nothing to measure. Column j of the arrays is quarter ``start`` + j."""
    sums = {kind: np.zeros((2, 2)) for kind in revenue}  # [ramp | growth] × [q | q − 1]
    for q in pairs:
        now, then = q - start, q - 1 - start
        both = active[:, now] & active[:, then]
        signup_quarter = both & (cohort == q - 1) & (cohort != first)
        older = both & (cohort >= 0) & ((cohort < q - 1) | (cohort == first))
        for kind, values in revenue.items():
            for row, accounts in enumerate((signup_quarter, older)):
                sums[kind][row] += values[accounts, now].sum(), values[accounts, then].sum()
    ratios = {kind: [s[0] / s[1] if s[0] > 0 and s[1] > 0 else 1.0 for s in table] for kind, table in sums.items()}
    return {kind: r[0] for kind, r in ratios.items()}, {kind: r[1] for kind, r in ratios.items()}


def _history(act, b_side: np.ndarray) -> pd.DataFrame:
    """Per observed quarter: active accounts, platform and B-side revenue, take rate (platform
    over B-side revenue of the rows reporting B-side revenue), as ``overview.quarter_kpis``."""
    periods = quarters.distinct_ordinals(act.period)
    offset, present = act.period - periods[0], periods - periods[0]  # counted by offset, then read where present
    reported = np.isfinite(b_side)

    def total(rows: np.ndarray | slice, weights: np.ndarray | None = None) -> np.ndarray:
        weights = None if weights is None else weights[rows]
        return np.bincount(offset[rows], weights=weights, minlength=int(present[-1]) + 1)[present]

    b_total = np.where(total(reported) > 0, total(reported, b_side), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        take_rate = np.where(b_total > 0, total(reported, act.revenue) / b_total, np.nan)
    return pd.DataFrame(
        {
            "active_accounts": total(slice(None), act.active.astype(float)),
            "platform_revenue": total(slice(None), act.revenue),
            "b_side_revenue": b_total,
            "take_rate": take_rate,
        },
        index=pd.Index([quarters.from_ordinal(int(p)) for p in periods], name="quarter"),
    )
