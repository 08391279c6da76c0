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
* **New accounts per quarter**: the signups of each quarter after the first (``signups``),
  modelled ahead by the candidate the data's own back-test prefers (``arrivals``: flat at the
  mean of the last four quarters, a damped trend, or a seasonal one).
* **Revenue per account**, for platform and B-side revenue alike (``RevenueTrend``): an alive
  account starts from its revenue in L; a new account from its cohort's mean revenue in the
  signup quarter, modelled ahead on the cohorts' means like the signups (``starts``). From one
  quarter to the next a retained account's revenue is multiplied by ``ramp`` into age 1 (the
  signup quarter is usually a partial one) and by 1 + ``growth`` at later ages, both pooled
  ratios over the window: Σ revenue in q / Σ revenue in q − 1 of the accounts active in both
  quarters (age 0 in q − 1 for the ramp, age ≥ 1 for the growth); ``growth_spread`` is how much
  the growth's log moved from one quarter of the window to the next.
* **Take rate** (platform revenue / B-side revenue of the accounts reporting B-side revenue): the
  quarterly take rates modelled ahead like the signups (``take_rate``). B-side revenue is then
  projected from platform revenue, B-side(h) = platform(h) × s / take rate(h), with s the share
  of platform revenue from accounts that report B-side revenue over the window (1 when all do),
  so that the projected take rate is the one the data's own back-test prefers rather than the
  by-product of two revenue trends. Without a positive take rate to model (no platform revenue
  from accounts reporting B-side revenue), B-side revenue follows its own ``RevenueTrend``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine, overview, quarters
from b2b_core.cohorts.activity import ALL_ACCOUNTS
from b2b_core.cohorts.sbg import ShiftedBetaGeometric
from b2b_core.cohorts.survival import Lifetimes, counted_lifetimes, survivor_counts
from b2b_core.i18n import N_, _
from b2b_core.scenarios.series import SeriesForecast, forecast_series

WINDOW = 4  # quarters of the trailing window
MAX_HORIZON = 40  # quarters a projection may look ahead
HISTORY_COLUMNS = ["active_accounts", "platform_revenue", "b_side_revenue", "take_rate"]
TAKE_RATE_FLOOR = 1e-4  # the take rate (a fraction) the back-test divides by at least: 0.01%


@dataclass(frozen=True, eq=False)
class RevenueTrend:
    """One kind of revenue (platform or B-side) of the base, in currency units per quarter.

    ``by_age[a]``: summed revenue in L of the alive accounts of age a; ``starts``: a new
    account's revenue in its signup quarter, per quarter ahead (modelled on each cohort's mean,
    ``forecast_series``); ``ramp``: revenue factor from age 0 to age 1; ``growth``: revenue
    growth per quarter of a retained account at age ≥ 1 (0.02 = 2%); ``growth_spread``: the
    standard deviation of that growth's log from one quarter to the next in the window (0 with
    fewer than two quarters to compare); ``churn_weight``: the share of revenue lost to churn
    over the share of accounts lost, in the window, κ = (1 − revenue kept) / (1 − accounts kept):
    below 1 when the accounts that leave are smaller than those that stay (``churn_weights``).
    """

    by_age: np.ndarray
    starts: SeriesForecast
    ramp: float
    growth: float
    growth_spread: float = 0.0
    churn_weight: float = 1.0

    @property
    def new_account(self) -> float:
        """A new account's expected revenue in its signup quarter, in the first projected quarter."""
        return float(self.starts.forecast[0])


@dataclass(frozen=True, eq=False)
class Base:
    """Everything a projection needs, measured once from the panel (see the module docstring).

    ``alive[a]``: accounts alive in ``last_quarter`` at age a (quarters since signup);
    ``alpha``/``beta``/``covariance``: the sBG fit (covariance of log α, log β);
    ``signups``: new accounts in each quarter after the first; ``arrivals``: their model ahead
    (``MAX_HORIZON`` quarters); ``platform``/``b_side``: ``RevenueTrend``s
    (``b_side`` all zero when ``has_b_side`` is False); ``history``: per observed quarter, the
    ``HISTORY_COLUMNS`` (as ``overview.quarter_kpis``); ``renewal_rates``: per quarter q of the
    window with data for q − 1, the share of the accounts active in q − 1 still active in q (the
    spread of these is how much renewal varies by itself); ``take_rate``: the take rate's model
    ahead, or None when B-side revenue follows its own trend; ``reported_share``: s, the share of
    platform revenue from accounts reporting B-side revenue (see the module); ``fit_warning``: why
    the sBG fit carries little weight, or None.
    """

    last_quarter: str
    alive: np.ndarray
    alpha: float
    beta: float
    covariance: np.ndarray
    signups: np.ndarray
    arrivals: SeriesForecast
    platform: RevenueTrend
    b_side: RevenueTrend
    has_b_side: bool
    history: pd.DataFrame
    fitted_cohorts: int
    renewal_rates: np.ndarray = field(default_factory=lambda: np.array([]))
    take_rate: SeriesForecast | None = None
    reported_share: float = 1.0
    fit_warning: str | None = None

    @property
    def new_accounts(self) -> float:
        """New accounts expected in the first projected quarter."""
        return float(self.arrivals.forecast[0])


def fit_base(panel: engine.Source) -> Base:
    """Measure the ``Base`` of a panel (contract columns; ``b_side_revenue`` optional).

    The engine reads the panel once for the accounts' lifetimes and revenue sums
    (``_account_sums``) and once for the quarter totals (the history); the fit and the trends
    are computed from those few hundred numbers.

    Raises ``ValueError`` when the panel cannot carry a projection: no active account, no
    account active in its last quarter, or no cohort observed for two quarters.
    """
    table = engine.table(panel)
    if "b_side_revenue" not in table.columns:
        table = table.mutate(b_side_revenue=ibis.null("float64"))
    history = overview.quarter_kpis(table, flows=False)[HISTORY_COLUMNS]
    observed = quarters.ordinals_of(history.index)
    if not len(observed):
        raise ValueError(_("the data have no active account to project from: upload a quarter with active accounts"))
    last, first = int(observed[-1]), int(observed[0])
    window = [int(q) for q in observed[observed > first][-WINDOW:]]
    pairs = [q for q in window if q - 1 in observed]
    sums = _account_sums(table, last, pairs)
    found = counted_lifetimes(sums.assign(group=ALL_ACCOUNTS), "quarter", None, observed)
    if not len(found.accounts):
        raise ValueError(_("the data have no active account to project from: upload a quarter with active accounts"))
    sums = sums[sums["cohort"].notna()].astype({"cohort": np.int64, "last_active": np.int64})
    alive = sums[sums["last_active"] == last]
    if alive.empty:
        raise ValueError(
            _("no account is active in the last quarter {quarter}: nothing to project from").format(
                quarter=quarters.quarter_text(found.label(last))
            )
        )
    model, fitted, problem = _fit_renewal(found, first)

    per_cohort = sums.groupby("cohort")[["accounts", *(f"initial_{kind}" for kind in REVENUE_KINDS)]].sum()
    cohort_sizes = per_cohort["accounts"]
    series = np.array([cohort_sizes.get(q, 0) for q in observed if q > first], dtype=float)
    ages = (last - alive["cohort"]).to_numpy()
    width = int(ages.max()) + 1
    trends = {}
    signed = [q for q in observed if q > first and cohort_sizes.get(q, 0) > 0]
    for kind in REVENUE_KINDS:
        ramp, growth = _retained_ratios(sums, kind, pairs, first)
        starting = np.array([per_cohort.loc[q, f"initial_{kind}"] / cohort_sizes[q] for q in signed], dtype=float)
        trends[kind] = RevenueTrend(
            by_age=np.bincount(ages, weights=alive[f"{kind}_{last}"], minlength=width),
            starts=forecast_series(starting, MAX_HORIZON, STARTS_SUBJECTS[kind]),
            ramp=ramp,
            growth=growth - 1,
            growth_spread=_growth_spread(sums, kind, pairs, first),
            churn_weight=_churn_weight(sums, kind, pairs),
        )
    has_b_side = bool(history["b_side_revenue"].notna().any())
    take_rate, reported_share = _take_rate_model(history) if has_b_side else (None, 1.0)
    return Base(
        last_quarter=found.label(last),
        alive=np.bincount(ages, weights=alive["accounts"], minlength=width),
        alpha=model.alpha_,
        beta=model.beta_,
        covariance=model.covariance_,
        signups=series,
        arrivals=forecast_series(series, MAX_HORIZON),
        platform=trends["platform"],
        b_side=trends["b_side"],
        has_b_side=has_b_side,
        history=history,
        fitted_cohorts=fitted,
        renewal_rates=_renewal_rates(sums, pairs),
        take_rate=take_rate,
        reported_share=reported_share,
        fit_warning=problem,
    )


def _take_rate_model(history: pd.DataFrame) -> tuple[SeriesForecast | None, float]:
    """The take rate's ``SeriesForecast`` over the quarters that have one, and s = Σ reported
    platform revenue / Σ platform revenue over the last ``WINDOW`` of them (reported = take rate
    × B-side revenue); (None, 1.0) when no quarter has a positive take rate or the model
    reaches 0 within ``MAX_HORIZON`` quarters (B-side revenue then follows its own trend)."""
    rates = history["take_rate"].dropna()
    if not (rates > 0).any():
        return None, 1.0
    model = forecast_series(rates.to_numpy(dtype=float), MAX_HORIZON, "the take rate", rate=True, floor=TAKE_RATE_FLOOR)
    if model.forecast.min() <= 0:
        return None, 1.0
    recent = history.loc[rates.index[-WINDOW:]]
    platform = recent["platform_revenue"].sum()
    reported = (recent["take_rate"] * recent["b_side_revenue"]).sum()
    return model, float(min(reported / platform, 1.0)) if platform > 0 else 1.0


def _fit_renewal(found: Lifetimes, first: int) -> tuple[ShiftedBetaGeometric, int, str | None]:
    """The sBG model of the cohorts observed ≥ 2 quarters (the first quarter's only as a last
    resort), how many cohorts it was fitted on, and the fit's warning text or None."""
    counts = survivor_counts(found)
    fittable = [c for c, q in zip(counts, found.cohorts, strict=True) if len(c) >= 2 and q != first]
    if not fittable:
        fittable = [c for c in counts if len(c) >= 2]
    if not fittable:
        raise ValueError(
            _(
                "projections need renewals: no cohort is observed for two quarters yet. Upload at least two "
                "consecutive quarters"
            )
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ShiftedBetaGeometric().fit(fittable)
    problem = next((str(w.message) for w in caught if issubclass(w.category, UserWarning)), None)
    return model, len(fittable), problem


REVENUE_KINDS = ("platform", "b_side")
STARTS_SUBJECTS = {  # what a new account's revenue model is called in its evidence (marked for the catalog)
    "platform": N_("a new account's platform revenue in its first quarter"),
    "b_side": N_("a new account's B-side revenue in its first quarter"),
}


def _account_sums(table: ir.Table, last: int, pairs: list[int]) -> pd.DataFrame:
    """The engine's part of the base, in one pass over the panel: per ``cohort`` and
    ``last_active`` (quarter ordinals, NULL for accounts never active), the ``accounts`` and,
    summed over them, for each revenue kind (platform, B-side; missing as 0):

    * ``initial_<kind>``: revenue in the signup quarter;
    * ``<kind>_<q>``: revenue in quarter q, for q = ``last`` and each q and q − 1 of ``pairs``;
    * ``kept_<kind>_<q>`` and ``kept_<kind>_<q − 1>``: revenue in q and in q − 1 of the accounts
      active in both, for each q of ``pairs``;
    * ``was_<kind>_<q>``: revenue in q − 1 of the accounts active then; ``was_<q>`` and
      ``kept_<q>``: the accounts active in q − 1, and in both q − 1 and q.
    """
    rows = table.select(
        "account_id",
        period=engine.quarter_ordinal(table.quarter),
        active=table.active.fill_null(False),
        platform=table.platform_revenue.fill_null(0.0),
        b_side=table.b_side_revenue.cast("float64").fill_null(0.0),
    )
    quarters_read = sorted({last, *pairs, *(q - 1 for q in pairs)})
    per_account = {
        "cohort": rows.period.min(where=rows.active),
        "last_active": rows.period.max(where=rows.active),
        **{f"initial_{kind}": rows[kind].argmin(rows.period, where=rows.active) for kind in REVENUE_KINDS},
    }
    for q in quarters_read:
        per_account[f"active_{q}"] = rows.active.any(where=rows.period == q).fill_null(False)
        for kind in REVENUE_KINDS:
            per_account[f"{kind}_{q}"] = rows[kind].sum(where=rows.period == q).fill_null(0.0)
    accounts = rows.group_by("account_id").aggregate(**per_account)
    sums = {"accounts": accounts.count()}
    for kind in REVENUE_KINDS:
        sums[f"initial_{kind}"] = accounts[f"initial_{kind}"].sum()
        sums[f"{kind}_{last}"] = accounts[f"{kind}_{last}"].sum()
        for q in pairs:
            kept = accounts[f"active_{q}"] & accounts[f"active_{q - 1}"]
            for p in (q, q - 1):
                sums[f"kept_{kind}_{q}_{p}"] = accounts[f"{kind}_{p}"].sum(where=kept)
            sums[f"was_{kind}_{q}"] = accounts[f"{kind}_{q - 1}"].sum(where=accounts[f"active_{q - 1}"])
    for q in pairs:
        sums[f"was_{q}"] = accounts[f"active_{q - 1}"].cast("int64").sum()
        sums[f"kept_{q}"] = (accounts[f"active_{q}"] & accounts[f"active_{q - 1}"]).cast("int64").sum()
    found = engine.run(accounts.group_by("cohort", "last_active").aggregate(**sums))
    return found.fillna({c: 0.0 for c in found.columns if c not in ("cohort", "last_active")})


def _retained_ratios(sums: pd.DataFrame, kind: str, pairs: list[int], first: int) -> tuple[float, float]:
    """(ramp, 1 + growth) of one revenue ``kind``: Σ revenue in q / Σ revenue in q − 1 over the
    quarters q of ``pairs`` and the accounts active in both, (1) of age 0 in q − 1 and (2) of
    age ≥ 1 (the first quarter's cohort counts as age ≥ 1: its accounts signed up earlier); 1.0
    where there is nothing to measure. ``sums``: ``_account_sums`` of the accounts ever active."""
    totals = np.zeros((2, 2))  # [ramp | growth] × [q | q − 1]
    for q in pairs:
        signup_quarter = (sums["cohort"] == q - 1) & (sums["cohort"] != first)
        older = (sums["cohort"] < q - 1) | (sums["cohort"] == first)
        for row, accounts in enumerate((signup_quarter, older)):
            totals[row] += (
                sums.loc[accounts, f"kept_{kind}_{q}_{q}"].sum(),
                sums.loc[accounts, f"kept_{kind}_{q}_{q - 1}"].sum(),
            )
    ramp, growth = (now / before if now > 0 and before > 0 else 1.0 for now, before in totals)
    return ramp, growth


def _growth_spread(sums: pd.DataFrame, kind: str, pairs: list[int], first: int) -> float:
    """Standard deviation of log(Σ revenue in q / Σ revenue in q − 1) of the retained accounts
    of age ≥ 1 over the quarters q of ``pairs`` (0 with fewer than two)."""
    logs = []
    for q in pairs:
        older = (sums["cohort"] < q - 1) | (sums["cohort"] == first)
        now, before = sums.loc[older, f"kept_{kind}_{q}_{q}"].sum(), sums.loc[older, f"kept_{kind}_{q}_{q - 1}"].sum()
        if now > 0 and before > 0:
            logs.append(np.log(now / before))
    return float(np.std(logs, ddof=1)) if len(logs) >= 2 else 0.0


def _renewal_rates(sums: pd.DataFrame, pairs: list[int]) -> np.ndarray:
    """Per quarter q of ``pairs``: Σ accounts active in q − 1 and q / Σ accounts active in q − 1
    (quarters with nobody active in q − 1 left out)."""
    rates = [sums[f"kept_{q}"].sum() / sums[f"was_{q}"].sum() for q in pairs if sums[f"was_{q}"].sum() > 0]
    return np.array(rates, dtype=float)


MAX_CHURN_WEIGHT = 5.0


def _churn_weight(sums: pd.DataFrame, kind: str, pairs: list[int]) -> float:
    """κ = (1 − R_revenue) / (1 − R_accounts) pooled over the quarters q of ``pairs``: R_accounts
    = Σ accounts active in q − 1 and q / Σ accounts active in q − 1, R_revenue the same sums of
    their revenue in q − 1; 1 when nothing was measured or nobody left, within [0,
    ``MAX_CHURN_WEIGHT``]."""
    was = sum(sums[f"was_{q}"].sum() for q in pairs)
    kept = sum(sums[f"kept_{q}"].sum() for q in pairs)
    revenue = sum(sums[f"was_{kind}_{q}"].sum() for q in pairs)
    kept_revenue = sum(sums[f"kept_{kind}_{q}_{q - 1}"].sum() for q in pairs)
    if was <= 0 or kept >= was or revenue <= 0:
        return 1.0
    return float(np.clip((1 - kept_revenue / revenue) / (1 - kept / was), 0.0, MAX_CHURN_WEIGHT))
