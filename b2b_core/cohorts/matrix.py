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

from collections.abc import Sequence
from typing import Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine
from b2b_core.cohorts.activity import (
    PERIODS,
    Observed,
    Period,
    members,
    observed_ordinals,
    period_label,
    period_rows,
)
from b2b_core.i18n import N_

Metric = Literal["logo", "nrr", "grr"]
Basis = Literal["initial", "previous", "count"]
METRICS: tuple[Metric, ...] = ("logo", "nrr", "grr")
BASES: tuple[Basis, ...] = ("initial", "previous", "count")
# The summary rows' labels: keys of the frames, shown translated (``_(AVERAGE)``)
AVERAGE = N_("Weighted average")
TOTAL = N_("Total")


def cohort_matrix(
    panel: engine.Source,
    metric: Metric = "logo",
    basis: Basis = "initial",
    by: str | None = None,
    period: Period = "quarter",
    observed: Observed = None,
) -> pd.DataFrame:
    """The cohort × age retention table of ``panel`` (``observed``: the quarters the data cover,
    see ``cohorts.lifetimes``).

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
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    columns = ["accounts"] + (["initial_revenue"] if metric != "logo" else [])
    # period-on-period GRR caps each account at its previous period's revenue (see the module notes)
    previous_grr = metric == "grr" and basis == "previous"
    measure = "grr_previous" if previous_grr else metric
    measures = ("logo", measure, *(["nrr"] if previous_grr else []))  # logo: the cohort sizes at age 0
    cells = cohort_values(panel, measures, period, by, observed)  # NaN where not observed
    if cells is None:
        return pd.DataFrame(columns=columns, index=_empty_index(by))
    first, labels, found = cells
    values = found[measure]
    revenue = found["nrr"] if previous_grr else values  # uncapped, for age 0 and the denominator
    sizes = np.nan_to_num(found["logo"][:, :, 0]).astype(np.int64)  # every account is active at age 0

    return retention_table(values, revenue, sizes, first, labels, metric, basis, by, period)


def retention_table(
    values: np.ndarray,
    revenue: np.ndarray,
    sizes: np.ndarray,
    first: int,
    labels: Sequence[str],
    metric: Metric,
    basis: Basis,
    by: str | None,
    period: Period,
) -> pd.DataFrame:
    """``cohort_matrix``'s frame from the sums: ``values`` and ``revenue`` (uncapped platform
    revenue) as arrays (group, cohort, age) from ``cohort_values``, ``sizes`` (group, cohort)
    accounts, cohorts being ordinals ``first + index`` and groups named by ``labels``."""
    n_groups, _, n_ages = values.shape
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
        block = pd.DataFrame(
            table[g, keep], columns=range(n_ages), index=[period_label(period, first + c) for c in keep]
        )
        block.loc[label] = summary[g]
        block.insert(0, "accounts", np.r_[sizes[g, keep], sizes[g, keep].sum()].astype(np.int64))
        if metric != "logo":
            block.insert(1, "initial_revenue", np.r_[initial[g, keep], initial[g, keep].sum()])
        blocks.append((labels[g], block))
    if by is None:
        return blocks[0][1].rename_axis("cohort")
    return pd.concat({name: block for name, block in blocks}, names=[by, "cohort"])


def cohort_values(
    panel: engine.Source,
    measures: tuple[str, ...],
    period: Period = "quarter",
    by: str | None = None,
    observed: Observed = None,
) -> tuple[int, tuple[str, ...], dict[str, np.ndarray]] | None:
    """Each of ``measures`` summed over the accounts of each cohort at each age, by the engine.

    Measures: ``logo`` (accounts active), ``nrr`` (platform revenue), ``grr`` (revenue, each
    account capped at its age-0 revenue), ``grr_previous`` (capped at its revenue in the period
    before, 0 if it had none). Returns (first cohort's ordinal, group labels, measure → array
    (group, cohort, age)), cohorts being ordinals ``first + index``: NaN where the period c + k is
    not covered by the data or lies past their last period, 0 where a cohort has no accounts. None
    when no account was ever active.
    """
    table = engine.table(panel)
    covered = observed_ordinals(table, period, observed)
    cells = engine.run(_cell_sums(table, period, by, measures))
    if cells.empty:
        return None
    labels, group = np.unique(cells["group"].astype(str), return_inverse=True)
    cohort, calendar = cells["cohort"].to_numpy(np.int64), cells["period"].to_numpy(np.int64)
    first, last = int(cohort.min()), int(covered[-1])
    n_cohorts = n_ages = last - first + 1
    key = (group * n_cohorts + (cohort - first)) * n_ages + (calendar - cohort)
    cohorts = first + np.arange(n_cohorts)[:, None]
    periods = cohorts + np.arange(n_ages)[None, :]
    shown = (np.isin(periods, covered) & (periods <= last))[None, :, :]
    found = {}
    for name in measures:
        values = np.bincount(key, weights=cells[name].to_numpy(float), minlength=len(labels) * n_cohorts * n_ages)
        found[name] = np.where(shown, values.reshape(len(labels), n_cohorts, n_ages), np.nan)
    return first, tuple(labels), found


def _cell_sums(table: ir.Table, period: Period, by: str | None, measures: tuple[str, ...]) -> ir.Table:
    """Per (``group``, ``cohort``, ``period``) of the accounts ever active, from their signup
    period on (the rows before it are inactive by definition and count nowhere), the sums
    ``measures``."""
    rows = period_rows(table, period)
    found = members(table, period, by)
    found = found.filter(found.cohort.notnull())
    joined = rows.join(found, "account_id")
    joined = joined.filter(joined.period >= joined.cohort)
    if "grr_previous" in measures:
        by_account = ibis.window(group_by="account_id", order_by="period")
        before = ibis.cases(
            (joined.period.lag().over(by_account) == joined.period - 1, joined.revenue.lag().over(by_account)),
            else_=0.0,
        )
        joined = joined.mutate(previous=before)
    sums = {
        "logo": lambda r: r.active.cast("float64").sum(),
        "nrr": lambda r: r.revenue.sum(),
        "grr": lambda r: ibis.least(r.revenue, r.initial).sum(),
        "grr_previous": lambda r: ibis.least(r.revenue, r.previous).sum(),
    }
    return joined.group_by("group", "cohort", "period").aggregate(**{name: sums[name](joined) for name in measures})


def _previous(values: np.ndarray) -> np.ndarray:
    """The value at age k − 1 for each age k (NaN at age 0)."""
    shifted = np.full_like(values, np.nan)
    shifted[:, :, 1:] = values[:, :, :-1]
    return shifted


def _empty_index(by: str | None) -> pd.Index:
    if by is None:
        return pd.Index([], name="cohort")
    return pd.MultiIndex.from_tuples([], names=[by, "cohort"])
