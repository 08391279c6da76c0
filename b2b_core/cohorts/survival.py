"""Kaplan–Meier survival of accounts by age, and the survivor counts of each cohort.

Durations follow ``activity``: a churned account contributes an event at its churn age (last
active age + 1); an account still alive is right-censored at its last observed age. For ages
t = 0, 1, …, with n(t) accounts at risk (duration ≥ t) and d(t) churns at t:

* survival S(t) = Π_{s ≤ t} (1 − d(s)/n(s)), computed as exp Σ log(1 − d/n);
* Greenwood's variance term V(t) = Σ_{s ≤ t} d(s) / (n(s) (n(s) − d(s))) (0 when n = d);
* the 95% interval by the exponential Greenwood ("log-log") formula,
  S(t)^exp(± z √V(t) / log S(t)), i.e. exp(−exp(log(−log S) ∓ z √V / log S)), and 1 where
  S(t) = 1. This is the estimator and interval of lifelines' ``KaplanMeierFitter``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from b2b_core import engine, quarters
from b2b_core.cohorts.activity import Activity, Observed, Period, activity

KM_COLUMNS = ["at_risk", "churned", "censored", "survival", "lower", "upper"]


def kaplan_meier(
    panel: engine.Source | Activity,
    by: str | None = None,
    period: Period = "quarter",
    confidence: float = 0.95,
    observed: Observed = None,
) -> pd.DataFrame:
    """Survival of accounts by age since signup (in periods), with its interval and at-risk table
    (``observed``: the quarters the data cover, see ``activity``).

    Returns a frame indexed by ``age`` (0, 1, … up to the longest duration; with ``by``, a
    MultiIndex (group, age)) with columns ``KM_COLUMNS``: accounts at risk at the start of the
    age, churned at that age, censored at that age, survival, and the lower and upper bounds of
    the ``confidence`` interval. Empty when no account was ever active.
    """
    act = activity(panel, period, by, observed)
    if not act.in_cohort.any():
        index = pd.MultiIndex.from_tuples([], names=[by, "age"]) if by else pd.Index([], name="age")
        return pd.DataFrame(columns=KM_COLUMNS, index=index, dtype=float)
    groups = act.group[act.in_cohort]
    duration, churned = act.duration, act.churned
    tables = {
        act.group_labels[g]: survival_table(duration[groups == g], churned[groups == g], confidence)
        for g in np.unique(groups)
    }
    if by is None:
        return next(iter(tables.values()))
    return pd.concat(tables, names=[by, "age"])


def survival_table(duration: np.ndarray, churned: np.ndarray, confidence: float = 0.95) -> pd.DataFrame:
    """The Kaplan–Meier table of integer ``duration`` (periods) with ``churned`` event flags."""
    ages = int(duration.max()) + 1
    deaths = np.bincount(duration[churned], minlength=ages).astype(float)
    censored = np.bincount(duration[~churned], minlength=ages).astype(float)
    removed = deaths + censored
    at_risk = removed[::-1].cumsum()[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.exp(np.cumsum(np.log(at_risk - deaths) - np.log(at_risk)))
        variance = np.cumsum(np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), 0.0))
        z = norm.ppf(1 - (1 - confidence) / 2)
        log_s = np.log(survival)
        lower = np.exp(-np.exp(np.log(-log_s) - z * np.sqrt(variance) / log_s))
        upper = np.exp(-np.exp(np.log(-log_s) + z * np.sqrt(variance) / log_s))
    table = pd.DataFrame(
        {"at_risk": at_risk, "churned": deaths, "censored": censored, "survival": survival},
        index=pd.RangeIndex(ages, name="age"),
    )
    table["lower"] = np.where(np.isnan(lower), 1.0, lower)
    table["upper"] = np.where(np.isnan(upper), 1.0, upper)
    return table


def survivor_counts(act: Activity) -> list[np.ndarray]:
    """Per cohort (oldest first), the survivor counts n_0, n_1, …, n_T: accounts of the cohort
    not yet churned at age t, up to the cohort's last observed age T. The input of
    ``ShiftedBetaGeometric.fit``; a cohort observed for one period gives a single count."""
    members = act.in_cohort
    cohort, duration, churned = act.cohort[members], act.duration, act.churned
    counts = []
    for c in quarters.distinct_ordinals(cohort):
        mine = cohort == c
        observed_ages = act.last_observed - int(c) + 1
        churn_ages = np.bincount(duration[mine & churned], minlength=observed_ages)[:observed_ages]
        counts.append(mine.sum() - np.cumsum(churn_ages))
    return counts


def fittable_survivors(
    panel: engine.Source | Activity, period: Period = "quarter", observed: Observed = None
) -> list[np.ndarray]:
    """The survivor counts of every cohort observed for at least two periods (oldest first): what
    ``ShiftedBetaGeometric.fit`` and ``holdout_check`` take. Empty if there is none."""
    act = activity(panel, period, observed=observed)
    if not act.in_cohort.any():
        return []
    return [counts for counts in survivor_counts(act) if len(counts) >= 2]


def cohort_survivors(
    panel: engine.Source | Activity, period: Period = "quarter", observed: Observed = None
) -> pd.DataFrame:
    """``survivor_counts`` as a table: cohort label × age, NaN past each cohort's last observed age."""
    act = activity(panel, period, observed=observed)
    if not act.in_cohort.any():
        return pd.DataFrame(index=pd.Index([], name="cohort"))
    cohorts = quarters.distinct_ordinals(act.cohort[act.in_cohort])
    counts = survivor_counts(act)
    table = pd.DataFrame(
        [np.r_[n, np.full(len(counts[0]) - len(n), np.nan)] for n in counts],
        index=pd.Index([act.label(c) for c in cohorts], name="cohort"),
    )
    return table.rename_axis(columns="age")
