"""Kaplan–Meier survival of accounts by age, and the survivor counts of each cohort.

The engine counts the accounts by group, cohort and last active period (``lifetimes``): a few
hundred numbers whatever the number of accounts, from which both are computed. Durations follow
``b2b_core.cohorts.activity``: a churned account contributes an event at its churn age (last
active age + 1); an account still alive is right-censored at its last observed age. For ages
t = 0, 1, …, with n(t) accounts at risk (duration ≥ t) and d(t) churns at t:

* survival S(t) = Π_{s ≤ t} (1 − d(s)/n(s)), computed as exp Σ log(1 − d/n);
* Greenwood's variance term V(t) = Σ_{s ≤ t} d(s) / (n(s) (n(s) − d(s))) (0 when n = d);
* the 95% interval by the exponential Greenwood ("log-log") formula,
  S(t)^exp(± z √V(t) / log S(t)), i.e. exp(−exp(log(−log S) ∓ z √V / log S)), and 1 where
  S(t) = 1. This is the estimator and interval of lifelines' ``KaplanMeierFitter``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from b2b_core import engine, quarters
from b2b_core.cohorts.activity import PERIODS, Observed, Period, members, observed_ordinals, period_label
from b2b_core.i18n import N_

KM_COLUMNS = ["at_risk", "churned", "censored", "survival", "lower", "upper"]
# The two measures of "still active" and how they are named wherever both appear (shown with ``_``)
SURVIVAL = N_("Survival (Kaplan–Meier)")
OBSERVED_SHARE = N_("Observed share still active")
WHY_THEY_DIFFER = N_(
    "Survival (Kaplan–Meier) follows each account to its last active quarter (gaps included) and counts the "
    "accounts still in progress as censored, not lost, so young cohorts count too; the observed share counts only "
    "the accounts of the cohorts old enough that are active in that very quarter, as of now."
)


@dataclass(frozen=True, eq=False)
class Lifetimes:
    """The accounts of a panel that were ever active, counted by group, cohort and last active
    period: all that Kaplan–Meier and the sBG fit need.

    Arrays ``group`` (code into ``group_labels``), ``cohort``, ``last_active`` (period ordinals)
    and ``accounts`` (how many accounts share them) are aligned, sorted by group, cohort and last
    active period. ``observed``: sorted period ordinals the data cover; ``never_active``: accounts
    of the panel never active (they belong to no cohort).
    """

    period_kind: Period
    by: str | None
    group_labels: tuple[str, ...]
    group: np.ndarray
    cohort: np.ndarray
    last_active: np.ndarray
    accounts: np.ndarray
    observed: np.ndarray
    never_active: int

    @property
    def last_observed(self) -> int:
        """Ordinal of the last period the data cover."""
        return int(self.observed[-1])

    @property
    def churned(self) -> np.ndarray:
        """Per entry: True if a period after its last active one is observed."""
        return self.last_active < self.last_observed

    @property
    def duration(self) -> np.ndarray:
        """Per entry, in periods: the churn age (last active age + 1) if churned, else the
        censoring age (last observed period − cohort)."""
        return np.where(self.churned, self.last_active - self.cohort + 1, self.last_observed - self.cohort)

    @property
    def cohorts(self) -> np.ndarray:
        """The sorted distinct cohort ordinals."""
        return quarters.distinct_ordinals(self.cohort)

    def label(self, ordinal: int) -> str:
        """``2025Q3`` for a quarter ordinal, ``2025`` for a year."""
        return period_label(self.period_kind, ordinal)


def lifetimes(
    panel: engine.Source | Lifetimes, period: Period = "quarter", by: str | None = None, observed: Observed = None
) -> Lifetimes:
    """Count the accounts of ``panel`` (contract columns ``account_id``, ``quarter``, ``active``,
    ``platform_revenue``) by group, cohort and last active period, in the engine.

    ``observed`` lists the quarters the data cover (default: the quarters present in ``panel``).
    Pass the workspace's quarters when ``panel`` is a selection of accounts: a small group whose
    accounts all left before the last quarter has still been observed until then.

    ``Lifetimes`` passed as ``panel`` are returned as they are when made with the same ``period``
    and ``by`` (and, the caller's word, the same ``observed``): the views of one selection can
    share them. Raises ``ValueError`` for an unknown ``period``, a ``by`` column the panel does
    not have, or ``Lifetimes`` made otherwise.
    """
    if isinstance(panel, Lifetimes):
        if (panel.period_kind, panel.by) != (period, by):
            raise ValueError(f"these Lifetimes are by {panel.period_kind} and {panel.by!r}, not by {period} and {by!r}")
        return panel
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    table = engine.table(panel)
    found = members(table, period, by)
    counts = engine.run(found.group_by("group", "cohort", "last_active").aggregate(accounts=found.count()))
    return counted_lifetimes(counts, period, by, observed_ordinals(table, period, observed))


def counted_lifetimes(counts: pd.DataFrame, period: Period, by: str | None, observed: np.ndarray) -> Lifetimes:
    """``Lifetimes`` from the engine's counts: rows of ``group``, ``cohort``, ``last_active``
    (NULL for accounts never active) and ``accounts``; ``observed`` as ``observed_ordinals``."""
    ever = counts["cohort"].notna()
    counts, never_active = counts[ever], int(counts.loc[~ever, "accounts"].sum())
    codes, labels = pd.factorize(counts["group"], sort=True)
    order = np.lexsort((counts["last_active"], counts["cohort"], codes))
    return Lifetimes(
        period_kind=period,
        by=by,
        group_labels=tuple(str(label) for label in labels),
        group=codes[order].astype(np.int64),
        cohort=counts["cohort"].to_numpy(np.int64)[order],
        last_active=counts["last_active"].to_numpy(np.int64)[order],
        accounts=counts["accounts"].to_numpy(np.int64)[order],
        observed=observed,
        never_active=never_active,
    )


def kaplan_meier(
    panel: engine.Source | Lifetimes,
    by: str | None = None,
    period: Period = "quarter",
    confidence: float = 0.95,
    observed: Observed = None,
) -> pd.DataFrame:
    """Survival of accounts by age since signup (in periods), with its interval and at-risk table
    (``observed``: the quarters the data cover, see ``lifetimes``).

    Returns a frame indexed by ``age`` (0, 1, … up to the longest duration; with ``by``, a
    MultiIndex (group, age)) with columns ``KM_COLUMNS``: accounts at risk at the start of the
    age, churned at that age, censored at that age, survival, and the lower and upper bounds of
    the ``confidence`` interval. Empty when no account was ever active.
    """
    found = lifetimes(panel, period, by, observed)
    if not len(found.accounts):
        index = pd.MultiIndex.from_tuples([], names=[by, "age"]) if by else pd.Index([], name="age")
        return pd.DataFrame(columns=KM_COLUMNS, index=index, dtype=float)
    duration, churned = found.duration, found.churned
    tables = {}
    for g in np.unique(found.group):
        mine = found.group == g
        tables[found.group_labels[g]] = survival_table(
            duration[mine], churned[mine], confidence, weights=found.accounts[mine]
        )
    if by is None:
        return next(iter(tables.values()))
    return pd.concat(tables, names=[by, "age"])


def survival_table(
    duration: np.ndarray, churned: np.ndarray, confidence: float = 0.95, weights: np.ndarray | None = None
) -> pd.DataFrame:
    """The Kaplan–Meier table of integer ``duration`` (periods) with ``churned`` event flags,
    each entry counting ``weights`` accounts (default one)."""
    weights = np.ones(len(duration)) if weights is None else np.asarray(weights, dtype=float)
    ages = int(duration.max()) + 1
    deaths = np.bincount(duration[churned], weights=weights[churned], minlength=ages)
    censored = np.bincount(duration[~churned], weights=weights[~churned], minlength=ages)
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


def survivor_counts(found: Lifetimes) -> list[np.ndarray]:
    """Per cohort (oldest first, groups pooled), the survivor counts n_0, n_1, …, n_T: accounts
    of the cohort not yet churned at age t, up to the cohort's last observed age T. The input of
    ``ShiftedBetaGeometric.fit``; a cohort observed for one period gives a single count."""
    if not len(found.accounts):
        return []
    duration, churned = found.duration, found.churned
    counts = []
    for c in found.cohorts:
        mine = found.cohort == c
        observed_ages = found.last_observed - int(c) + 1
        churn_ages = np.bincount(
            duration[mine & churned], weights=found.accounts[mine & churned], minlength=observed_ages
        )[:observed_ages]
        counts.append((found.accounts[mine].sum() - np.cumsum(churn_ages)).astype(np.int64))
    return counts


def fittable_survivors(
    panel: engine.Source | Lifetimes, period: Period = "quarter", observed: Observed = None
) -> list[np.ndarray]:
    """The survivor counts of every cohort observed for at least two periods (oldest first): what
    ``ShiftedBetaGeometric.fit`` and ``holdout_check`` take. Empty if there is none."""
    return [counts for counts in survivor_counts(lifetimes(panel, period, observed=observed)) if len(counts) >= 2]


def cohort_survivors(
    panel: engine.Source | Lifetimes, period: Period = "quarter", observed: Observed = None
) -> pd.DataFrame:
    """``survivor_counts`` as a table: cohort label × age, NaN past each cohort's last observed age."""
    found = lifetimes(panel, period, observed=observed)
    if not len(found.accounts):
        return pd.DataFrame(index=pd.Index([], name="cohort"))
    counts = survivor_counts(found)
    table = pd.DataFrame(
        [np.r_[n, np.full(len(counts[0]) - len(n), np.nan)] for n in counts],
        index=pd.Index([found.label(c) for c in found.cohorts], name="cohort"),
    )
    return table.rename_axis(columns="age")
