"""The cohort views and the scenario base as first written: numpy over one entry per account and
period of a pandas panel. The references the engine's cohort reductions must match on small
panels (``tests/test_reductions.py``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from b2b_core import quarters
from b2b_core.cohorts import (
    BASES,
    EARLIER_START,
    KM_COLUMNS,
    METRICS,
    RENEWAL_COLUMNS,
    ShiftedBetaGeometric,
    survival_table,
)
from b2b_core.cohorts.activity import observed_periods
from b2b_core.cohorts.matrix import retention_table
from b2b_core.cohorts.renewals import renewal_table
from b2b_core.contract import NOT_SET
from b2b_core.scenarios import Base, RevenueTrend
from b2b_core.scenarios.base import MAX_HORIZON, WINDOW
from b2b_core.scenarios.series import forecast_series

Period = Metric = Basis = str
Observed = list[str] | None


def activity(panel: pd.DataFrame, period="quarter", by=None, observed=None, values=()) -> Activity:
    """The panel as an ``Activity``, in pandas."""
    panel = panel.sort_values(["account_id", "quarter"])
    codes, account_ids = pd.factorize(panel["account_id"], sort=True)
    ordinals = quarters.ordinals_of(panel["quarter"])
    active = panel["active"].fillna(False).astype(bool).to_numpy()
    revenue = panel["platform_revenue"].fillna(0.0).to_numpy(float)
    account = codes.astype(np.int64)
    n_accounts = len(account_ids)
    group, labels = np.zeros(n_accounts, dtype=np.int64), ("All accounts",)
    if by is not None:
        first = panel[active].assign(ordinal=ordinals[active]).sort_values("ordinal").drop_duplicates("account_id")
        text = first[by].astype("string").str.strip().replace("", pd.NA).fillna(NOT_SET)
        found, group_labels = pd.factorize(text, sort=True)
        group[pd.Index(account_ids).get_indexer(first["account_id"])] = found
        labels = tuple(str(label) for label in group_labels)
    periods = ordinals if period == "quarter" else ordinals // 4
    if period == "year" and len(periods):
        width = int(periods.max()) + 1
        unique, inverse = np.unique(account * width + periods, return_inverse=True)
        revenue = np.bincount(inverse, weights=revenue, minlength=len(unique))
        active = np.bincount(inverse, weights=active, minlength=len(unique)) > 0
        account, periods = np.divmod(unique, width)
    cohort = np.full(n_accounts, np.iinfo(np.int64).max)
    last_active = np.full(n_accounts, -1, dtype=np.int64)
    np.minimum.at(cohort, account[active], periods[active])
    np.maximum.at(last_active, account[active], periods[active])
    cohort[last_active < 0] = -1
    carried = {name: panel[name].to_numpy(float) if name in panel else np.full(len(panel), np.nan) for name in values}
    return Activity(
        period_kind=period,
        account_ids=np.asarray(account_ids),
        account=account,
        period=periods,
        active=active,
        revenue=revenue,
        observed=np.unique(np.r_[periods, [] if observed is None else observed_periods(observed, period)]).astype(
            np.int64
        ),
        cohort=cohort,
        last_active=last_active,
        group=group,
        group_labels=labels,
        values=carried,
        by=by,
    )


@dataclass(frozen=True)
class Activity:
    """The panel reduced to what cohort maths needs, one entry per account × period.

    Arrays ``account``, ``period``, ``active`` and ``revenue`` are aligned (one entry per account
    and period in the panel); ``account`` indexes ``account_ids`` (an Arrow array: ten million ids
    held as Python strings would take ten times the memory). Per account (aligned with
    ``account_ids``): ``cohort`` (period ordinal, or -1 if never active), ``last_active`` and
    ``group`` (code into ``group_labels``; all 0 without ``by``).
    """

    period_kind: Period
    account_ids: np.ndarray
    account: np.ndarray
    period: np.ndarray
    active: np.ndarray
    revenue: np.ndarray
    observed: np.ndarray  # sorted period ordinals of the data: the panel's and those passed as observed
    cohort: np.ndarray
    last_active: np.ndarray
    group: np.ndarray
    group_labels: tuple[str, ...]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    by: str | None = None

    @property
    def last_observed(self) -> int:
        """Ordinal of the last period of the panel."""
        return int(self.observed[-1])

    @property
    def in_cohort(self) -> np.ndarray:
        """Per account: True if it was ever active."""
        return self.cohort >= 0

    @property
    def never_active(self) -> int:
        """Accounts in the panel that were never active (they belong to no cohort)."""
        return int((~self.in_cohort).sum())

    @property
    def churned(self) -> np.ndarray:
        """Per cohort account: True if a period after its last active one is observed."""
        return self.last_active[self.in_cohort] < self.last_observed

    @property
    def duration(self) -> np.ndarray:
        """Per cohort account, in periods: the churn age (last active age + 1) if it churned,
        else the censoring age (last observed period − cohort)."""
        cohort = self.cohort[self.in_cohort]
        last = self.last_active[self.in_cohort]
        return np.where(last < self.last_observed, last - cohort + 1, self.last_observed - cohort)

    def label(self, ordinal: int) -> str:
        """``2025Q3`` for a quarter ordinal, ``2025`` for a year."""
        return quarters.from_ordinal(int(ordinal)) if self.period_kind == "quarter" else str(int(ordinal))


def cohort_matrix(
    panel: pd.DataFrame,
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
    n_groups, n_cohorts, _ = values.shape
    members = act.in_cohort
    sizes = np.bincount(
        act.group[members] * n_cohorts + act.cohort[members] - first, minlength=n_groups * n_cohorts
    ).reshape(n_groups, n_cohorts)

    return retention_table(values, revenue, sizes, first, act.group_labels, metric, basis, by, period)


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


def _empty_index(by: str | None) -> pd.Index:
    if by is None:
        return pd.Index([], name="cohort")
    return pd.MultiIndex.from_tuples([], names=[by, "cohort"])


def kaplan_meier(
    panel: pd.DataFrame,
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


def fittable_survivors(panel: pd.DataFrame, period: Period = "quarter", observed: Observed = None) -> list[np.ndarray]:
    """The survivor counts of every cohort observed for at least two periods (oldest first): what
    ``ShiftedBetaGeometric.fit`` and ``holdout_check`` take. Empty if there is none."""
    act = activity(panel, period, observed=observed)
    if not act.in_cohort.any():
        return []
    return [counts for counts in survivor_counts(act) if len(counts) >= 2]


def cohort_survivors(panel: pd.DataFrame, period: Period = "quarter", observed: Observed = None) -> pd.DataFrame:
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


def fit_base(panel: pd.DataFrame) -> Base:
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
    signups = np.array([(act.cohort == q).sum() for q in act.observed if q > first], dtype=float)
    ages = np.where(alive, last - act.cohort, 0)
    pairs = [q for q in window if q - 1 in act.observed]
    ramp, growth, spread = _retained_ratios(dense, active, act.cohort, pairs, start, first)
    weight = _churn_weights(dense, active, pairs, start)
    trends = {}
    signed = [q for q in act.observed if q > first and (act.cohort == q).any()]
    for kind in revenue:
        level = dense[kind][:, WINDOW]
        initial = np.array([_signup_revenue(act, revenue[kind], q) for q in signed])
        trends[kind] = RevenueTrend(
            by_age=np.bincount(ages[alive], weights=level[alive], minlength=int(ages.max()) + 1),
            starts=forecast_series(initial, MAX_HORIZON),
            ramp=ramp[kind],
            growth=growth[kind] - 1,
            growth_spread=spread[kind],
            churn_weight=weight[kind],
        )
    history = _history(act, b_side)
    take_rate, reported_share = _take_rate(act, b_side, history) if has_b_side else (None, 1.0)
    return Base(
        last_quarter=act.label(last),
        alive=np.bincount(ages[alive], minlength=int(ages.max()) + 1).astype(float),
        alpha=model.alpha_,
        beta=model.beta_,
        covariance=model.covariance_,
        signups=signups,
        arrivals=forecast_series(signups, MAX_HORIZON),
        platform=trends["platform"],
        b_side=trends["b_side"],
        has_b_side=has_b_side,
        history=history,
        fitted_cohorts=fitted,
        renewal_rates=np.array(
            [
                (active[:, q - 1 - start] & active[:, q - start]).sum() / active[:, q - 1 - start].sum()
                for q in pairs
                if active[:, q - 1 - start].any()
            ]
        ),
        take_rate=take_rate,
        reported_share=reported_share,
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


def _retained_ratios(revenue, active, cohort, pairs, start, first) -> tuple[dict, dict, dict]:
    """Per kind of ``revenue``: Σ revenue in q / Σ revenue in q − 1 over the quarters q of
    ``pairs`` and the accounts active in both, (1) of age 0 in q − 1 (the ramp) and (2) of age ≥ 1
    (the first quarter's cohort counts as age ≥ 1: its accounts signed up earlier); 1.0 where
    there is nothing to measure; (3) the standard deviation of the log of (2) quarter by quarter
    (0 with fewer than two). Column j of the arrays is quarter ``start`` + j."""
    sums = {kind: np.zeros((2, 2)) for kind in revenue}  # [ramp | growth] × [q | q − 1]
    logs = {kind: [] for kind in revenue}
    for q in pairs:
        now, then = q - start, q - 1 - start
        both = active[:, now] & active[:, then]
        signup_quarter = both & (cohort == q - 1) & (cohort != first)
        older = both & (cohort >= 0) & ((cohort < q - 1) | (cohort == first))
        for kind, values in revenue.items():
            for row, accounts in enumerate((signup_quarter, older)):
                sums[kind][row] += values[accounts, now].sum(), values[accounts, then].sum()
            kept_now, kept_then = values[older, now].sum(), values[older, then].sum()
            if kept_now > 0 and kept_then > 0:
                logs[kind].append(np.log(kept_now / kept_then))
    ratios = {kind: [s[0] / s[1] if s[0] > 0 and s[1] > 0 else 1.0 for s in table] for kind, table in sums.items()}
    spread = {kind: float(np.std(found, ddof=1)) if len(found) >= 2 else 0.0 for kind, found in logs.items()}
    return {kind: r[0] for kind, r in ratios.items()}, {kind: r[1] for kind, r in ratios.items()}, spread


def _churn_weights(revenue, active, pairs, start) -> dict:
    """Per kind of ``revenue``: (1 − revenue kept) / (1 − accounts kept) over the quarters q of
    ``pairs``, both of the accounts active in q − 1 (kept: active in q too), revenue in q − 1; 1
    when nobody left or nothing was measured, within [0, 5]."""
    was = kept = 0
    money = {kind: np.zeros(2) for kind in revenue}  # [of those active in q − 1 | of those kept]
    for q in pairs:
        now, then = q - start, q - 1 - start
        before, both = active[:, then], active[:, then] & active[:, now]
        was, kept = was + before.sum(), kept + both.sum()
        for kind, values in revenue.items():
            money[kind] += values[before, then].sum(), values[both, then].sum()
    weights = {}
    for kind, (total, retained) in money.items():
        if was <= 0 or kept >= was or total <= 0:
            weights[kind] = 1.0
        else:
            weights[kind] = float(np.clip((1 - retained / total) / (1 - kept / was), 0.0, 5.0))
    return weights


def _signup_revenue(act, values: np.ndarray, quarter: int) -> float:
    """The mean revenue of the accounts of cohort ``quarter`` in that quarter."""
    members = act.cohort == quarter
    rows = members[act.account] & (act.period == quarter)
    return float(values[rows].sum() / members.sum())


def _take_rate(act, b_side: np.ndarray, history: pd.DataFrame):
    """The take rate's model over the quarters that have one, and the share of platform revenue
    on rows reporting B-side revenue over the last four of them; (None, 1.0) without a positive
    take rate or when the model reaches 0 (as ``Base.take_rate`` and ``reported_share``)."""
    rates = history["take_rate"].dropna()
    if not (rates > 0).any():
        return None, 1.0
    model = forecast_series(rates.to_numpy(), MAX_HORIZON, rate=True, floor=1e-4)
    if model.forecast.min() <= 0:
        return None, 1.0
    recent = np.isin(act.period, quarters.ordinals_of(rates.index[-4:]))
    return model, min(act.revenue[recent & np.isfinite(b_side)].sum() / act.revenue[recent].sum(), 1.0)


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


def renewal_by_cycle(panel: pd.DataFrame, observed: list[str] | None = None) -> pd.DataFrame:
    """``cohorts.renewal_by_cycle`` as first written, on the contract rows in pandas."""
    empty = pd.DataFrame(columns=RENEWAL_COLUMNS, index=pd.Index([], name="cycle"), dtype=float)
    if "contract_end" not in panel.columns:
        return empty
    rows = panel[panel["account_id"].isin(panel.loc[panel["contract_end"].notna(), "account_id"])]
    frame = pd.DataFrame(
        {
            "account_id": rows["account_id"],
            "ordinal": quarters.ordinals_of(rows["quarter"]),
            "contract_end": rows["contract_end"],
            "value": rows["contract_value"].astype(float) if "contract_value" in rows else np.nan,
            "active": rows["active"].fillna(False).astype(bool),
        }
    )
    if frame.empty:
        return empty
    frame["account"] = pd.factorize(frame.pop("account_id"))[0]
    frame["contract_end"] = pd.to_datetime(frame["contract_end"])
    ordinals = np.unique(quarters.ordinals_of(panel["quarter"]))
    rows = frame[frame["contract_end"].notna()].sort_values(["account", "ordinal"])
    contracts = rows.groupby(["account", "contract_end"], sort=False).agg(
        value=("value", "last"), first_seen=("ordinal", "min")
    )
    contracts = contracts.reset_index().sort_values(["account", "first_seen"])
    contracts["cycle"] = contracts.groupby("account").cumcount() + 1
    end_quarter = quarters.ordinals_of_dates(contracts["contract_end"])
    window = np.union1d(ordinals, quarters.ordinals_of(observed or []))
    position = np.searchsorted(window, end_quarter, side="right")
    contracts["pending"] = position == len(window)  # no quarter of the data after the end yet
    contracts["decided_in"] = window[np.minimum(position, len(window) - 1)]

    active = frame[frame["active"]]
    signup = active.groupby("account")["ordinal"].min()
    decided_in = pd.DataFrame(
        {"account": active["account"], "decided_in": active["ordinal"], "next_value": active["value"]}
    )
    contracts = contracts.merge(decided_in, how="left", indicator="next_quarter")
    contracts["renewed"] = (contracts["next_quarter"] == "both") & ~contracts["pending"]
    contracts["label"] = np.where(
        contracts["account"].map(signup).eq(window[0]), EARLIER_START, contracts["cycle"].astype(str)
    )
    decided = contracts[~contracts["pending"]]
    renewed = decided[decided["renewed"]]
    sums = pd.DataFrame(
        {
            "up_for_renewal": decided.groupby("label").size(),
            "renewed": renewed.groupby("label").size(),
            "pending": contracts[contracts["pending"]].groupby("label").size(),
            "value_up": decided.groupby("label")["value"].sum(),
            "value_renewed": renewed.groupby("label")["next_value"].sum(),
            "value_kept": renewed.assign(kept=np.minimum(renewed["next_value"], renewed["value"]))
            .groupby("label")["kept"]
            .sum(),
        }
    )
    return renewal_table(sums)  # the rates and order as the engine's version works them out
