"""Retention triangles: each signup cohort's logo and revenue retention by age (DESIGN §5).

For cohort c at age k (periods since signup), over the accounts of c:

* ``logo``: accounts active at c + k;
* ``nrr``: platform revenue at c + k (currency units per period);
* ``grr``: platform revenue at c + k, each account capped at its own age-0 revenue.

``basis="initial"`` divides by the age-0 value (logo retention = active at c + k / cohort size),
``basis="previous"`` by the value at age k − 1 (period-on-period retention; age 0 is empty), and
``basis="count"`` shows the values themselves (accounts or currency). Period-on-period GRR caps
each account at its revenue of the period before instead, Σ min(r_k, r_{k−1}) / Σ r_{k−1}: the
share of last period's revenue kept without counting expansion, never above 100%.

Each table ends with a summary row per group: for the two ratio bases the **size-weighted
average**, Σ numerator / Σ denominator over the cohorts whose cell at that age is shown (so a cohort of 500
accounts weighs 50 times one of 10; for revenue metrics the weight is the denominator revenue);
for ``basis="count"`` the total over the cohorts observed at that age. Cells not observed —
ages beyond the last period of the panel, or periods missing from the panel — are NaN, never 0.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from b2b_core import engine
from b2b_core.cohorts.activity import Activity, Observed, Period, activity

Metric = Literal["logo", "nrr", "grr"]
Basis = Literal["initial", "previous", "count"]
METRICS: tuple[Metric, ...] = ("logo", "nrr", "grr")
BASES: tuple[Basis, ...] = ("initial", "previous", "count")
AVERAGE = "Weighted average"
TOTAL = "Total"


def cohort_matrix(
    panel: engine.Source | Activity,
    metric: Metric = "logo",
    basis: Basis = "initial",
    by: str | None = None,
    period: Period = "quarter",
    observed: Observed = None,
) -> pd.DataFrame:
    """The cohort × age retention table of ``panel`` (``observed``: see ``activity``).

    Returns a frame indexed by cohort label (``2025Q3`` or ``2025``; with ``by``, a MultiIndex
    (group, cohort)), ending with the summary row (``AVERAGE``, or ``TOTAL`` for counts) of each
    group. Columns: ``accounts`` (cohort size), ``initial_revenue`` (age-0 platform revenue, for
    ``nrr``/``grr``), then one integer column per age 0, 1, … holding ratios (1.0 = 100%) or
    counts. An empty panel, or one without active accounts, gives a frame with no rows.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, not {basis!r}")
    columns = ["accounts"] + (["initial_revenue"] if metric != "logo" else [])
    act = activity(panel, period, by, observed)
    if not act.in_cohort.any():
        return pd.DataFrame(columns=columns, index=_empty_index(by))
    # period-on-period GRR caps each account at its previous period's revenue (see the module notes)
    previous_grr = metric == "grr" and basis == "previous"
    values = cohort_values(act, metric, cap="previous" if previous_grr else "initial")  # NaN where not observed
    revenue = cohort_values(act, "nrr") if previous_grr else values  # uncapped, for age 0 and the denominator
    first = int(act.cohort[act.in_cohort].min())
    n_groups, n_cohorts, n_ages = values.shape
    members = act.in_cohort
    sizes = np.bincount(
        act.group[members] * n_cohorts + act.cohort[members] - first, minlength=n_groups * n_cohorts
    ).reshape(n_groups, n_cohorts)

    initial = revenue[:, :, 0].copy()  # age-0 value (for grr, capped at itself: the revenue)
    shown = ~np.isnan(values)
    if basis == "count":
        table = values
        summary = np.where(shown, values, 0).sum(axis=1)
    else:
        if basis == "initial":
            denominator = np.broadcast_to(values[:, :, :1], values.shape)
        else:  # for grr: revenue kept from the period before, without expansion, ≤ 100%
            denominator = _previous(revenue)
        with np.errstate(invalid="ignore", divide="ignore"):
            table = values / denominator
        table[~np.isfinite(table)] = np.nan  # 0 / 0, or a return after a period with no one active
        shown = ~np.isnan(table)  # the average weighs exactly the cells it summarises
        with np.errstate(invalid="ignore", divide="ignore"):
            summary = np.where(shown, values, 0).sum(axis=1) / np.where(shown, denominator, 0).sum(axis=1)
    summary[~shown.any(axis=1) | ~np.isfinite(summary)] = np.nan

    label = TOTAL if basis == "count" else AVERAGE
    blocks = []
    for g in range(n_groups):
        keep = np.flatnonzero(sizes[g])
        if not len(keep):
            continue
        block = pd.DataFrame(table[g, keep], columns=range(n_ages), index=[act.label(first + c) for c in keep])
        block.loc[label] = summary[g]
        block.insert(0, "accounts", np.r_[sizes[g, keep], sizes[g, keep].sum()].astype(np.int64))
        if metric != "logo":
            block.insert(1, "initial_revenue", np.r_[initial[g, keep], initial[g, keep].sum()])
        blocks.append((act.group_labels[g], block))
    if by is None:
        return blocks[0][1].rename_axis("cohort")
    return pd.concat({name: block for name, block in blocks}, names=[by, "cohort"])


def cohort_values(act: Activity, metric: Metric, cap: Literal["initial", "previous"] = "initial") -> np.ndarray:
    """Array (group, cohort, age) of the metric's value for each cohort at each age, summed over
    its accounts; cohorts are ordinals ``first cohort + index``. NaN where the period c + k is not
    in the panel or lies past its last period; 0 where a cohort has no accounts. For ``grr``,
    ``cap`` says what each account's revenue is capped at: its age-0 revenue, or its revenue in
    the period before (0 if it had none)."""
    members = act.in_cohort[act.account]
    account = act.account[members]
    cohort = act.cohort[account]
    age = act.period[members] - cohort
    later = age >= 0  # rows before the signup period (inactive by definition) count nowhere
    account, cohort, age = account[later], cohort[later], age[later]
    if metric == "logo":
        weights = act.active[members][later].astype(float)
    else:
        weights = act.revenue[members][later]
        if metric == "grr" and cap == "initial":
            initial = np.zeros(len(act.account_ids))
            np.add.at(initial, account[age == 0], weights[age == 0])
            weights = np.minimum(weights, initial[account])
        elif metric == "grr":
            weights = np.minimum(weights, _revenue_before(act, account, act.period[members][later]))

    first, last = int(act.cohort[act.in_cohort].min()), act.last_observed
    n_cohorts = n_ages = last - first + 1
    n_groups = len(act.group_labels)
    key = (act.group[account] * n_cohorts + (cohort - first)) * n_ages + age
    values = np.bincount(key, weights=weights, minlength=n_groups * n_cohorts * n_ages)
    values = values.reshape(n_groups, n_cohorts, n_ages)
    cohorts = first + np.arange(n_cohorts)[:, None]
    calendar = cohorts + np.arange(n_ages)[None, :]
    observed = np.isin(calendar, act.observed) & (calendar <= last)
    return np.where(observed[None, :, :], values, np.nan)


def _revenue_before(act: Activity, account: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Each (account, period)'s revenue in the period before (0 where it has no entry)."""
    width = int(act.period.max()) + 2
    keys = act.account * width + act.period
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    wanted = account * width + period - 1
    position = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
    return np.where(sorted_keys[position] == wanted, act.revenue[order][position], 0.0)


def _previous(values: np.ndarray) -> np.ndarray:
    """The value at age k − 1 for each age k (NaN at age 0)."""
    shifted = np.full_like(values, np.nan)
    shifted[:, :, 1:] = values[:, :, :-1]
    return shifted


def _empty_index(by: str | None) -> pd.Index:
    if by is None:
        return pd.Index([], name="cohort")
    return pd.MultiIndex.from_tuples([], names=[by, "cohort"])
