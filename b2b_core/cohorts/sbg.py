"""The shifted-beta-geometric (sBG) model of contract renewal (Fader & Hardie, 2007).

Each account renews at the end of every period with its own probability 1 − θ; across accounts
θ ~ Beta(α, β). The period T in which an account churns (T = 1, 2, …) then has

* P(T = t) = B(α + 1, β + t − 1) / B(α, β)   (P(T=1) = α/(α+β), P(T=t) = P(T=t−1)(β+t−2)/(α+β+t−1));
* survival S(t) = P(T > t) = B(α, β + t) / B(α, β), S(0) = 1;
* retention rate r(t) = S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1), rising with t because
  the accounts most likely to churn leave first;
* expected lifetime E[T] = Σ_{t ≥ 0} S(t) = (α + β − 1) / (α − 1) periods if α > 1, infinite
  otherwise; over a horizon of h periods, Σ_{t < h} S(t).

A cohort's survivor counts n_0 ≥ n_1 ≥ … ≥ n_T (n_0 accounts at signup, n_t still active after
t periods) give the log-likelihood Σ_{t=1..T} (n_{t−1} − n_t) log P(T = t) + n_T log S(T);
several cohorts of different lengths are fitted jointly by summing their log-likelihoods.

Uncertainty: α and β are estimated on the log scale, where the likelihood is closer to normal.
The covariance of (log α, log β) is the inverse of the observed information (the negative
Hessian of the log-likelihood at the maximum, computed exactly with trigamma functions); the
intervals of α and β are Wald intervals on the log scale, exp(log α̂ ± z·se). The band of a
projected survival S(t) comes from the delta method on log(−log S(t)), whose gradient is exact
(digamma functions), so the band stays inside (0, 1).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, digamma, polygamma
from scipy.stats import norm

from b2b_core.i18n import _

HOMOGENEOUS = 1_000.0  # α + β above this: churn probabilities hardly vary across accounts
LOG_BOUND = 12.0  # α and β are searched within e^±12: beyond, the data cannot tell them apart


class SBGFitWarning(UserWarning):
    """The fit reached the edge of the search space: the data show (almost) no churn, or churn
    so even that the Beta mixing cannot be identified; projections then carry little weight."""


class ShiftedBetaGeometric:
    """Shifted-beta-geometric renewal model, fitted by maximum likelihood on survivor counts.

    Parameters
    ----------
    confidence : float, default 0.95
        Level of the intervals of ``alpha_``, ``beta_`` and of projected survival.

    Attributes
    ----------
    alpha_, beta_ : float
        Fitted parameters of the Beta distribution of per-period churn probabilities.
    loglik_ : float
        Maximised log-likelihood.
    covariance_ : ndarray of shape (2, 2)
        Covariance of (log α, log β) from the observed information.
    alpha_interval_, beta_interval_ : tuple of float
        (lower, upper) Wald intervals on the log scale.
    n_cohorts_, n_accounts_, n_periods_ : int
        Cohorts and accounts fitted, and the longest observed age.
    homogeneous_ : bool
        α + β > ``HOMOGENEOUS``: the Beta distribution is so narrow that every account has about
        the same churn probability α/(α+β); the model is then a plain geometric one and α, β
        themselves carry no meaning beyond their ratio.

    Examples
    --------
    >>> model = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> round(model.alpha_, 3), round(model.beta_, 3)
    (0.704, 1.182)
    """

    def __init__(self, confidence: float = 0.95):
        self.confidence = confidence

    def fit(self, survivors) -> ShiftedBetaGeometric:
        """Fit on one cohort's survivor counts ``[n_0, n_1, …, n_T]`` or on a list of such
        sequences (cohorts of different lengths, fitted jointly). Returns ``self``.

        Raises ``ValueError`` for impossible input: an empty or one-period cohort, a cohort of
        size 0, negative or non-finite counts, or counts that rise with age.
        """
        cohorts = _validated(survivors)
        deaths, at_end, sizes = _churn_table(cohorts)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # far edges of the search
            result = minimize(
                lambda x: -_loglik(np.exp(x), deaths, at_end),
                x0=np.zeros(2),
                jac=lambda x: -_gradient(np.exp(x), deaths, at_end) * np.exp(x),
                method="L-BFGS-B",
                bounds=[(-LOG_BOUND, LOG_BOUND)] * 2,
            )
        log_params = result.x
        self.alpha_, self.beta_ = (float(v) for v in np.exp(log_params))
        self.loglik_ = float(_loglik(np.exp(log_params), deaths, at_end))
        information = -_hessian_log_scale(np.exp(log_params), deaths, at_end)
        try:
            self.covariance_ = np.linalg.inv(information)
        except np.linalg.LinAlgError:
            self.covariance_ = np.full((2, 2), np.inf)
        if not np.all(np.isfinite(self.covariance_)) or np.any(np.diag(self.covariance_) < 0):
            self.covariance_ = np.full((2, 2), np.inf)  # the likelihood is flat: no information
        problem = _fit_problem(deaths, cohorts, log_params, self.covariance_)
        if problem:
            warnings.warn(problem, SBGFitWarning, stacklevel=2)
        z = norm.ppf(1 - (1 - self.confidence) / 2)
        se = np.sqrt(np.clip(np.diag(self.covariance_), 0, None))
        with np.errstate(over="ignore"):  # an infinite standard error gives the interval (0, inf)
            bounds = np.exp(log_params[:, None] + np.outer(se, [-z, z]))
        self.alpha_interval_, self.beta_interval_ = (tuple(float(b) for b in pair) for pair in bounds)
        self.homogeneous_ = self.alpha_ + self.beta_ > HOMOGENEOUS
        self.n_cohorts_ = len(cohorts)
        self.n_accounts_ = int(sizes.sum())
        self.n_periods_ = max(len(c) for c in cohorts) - 1
        return self

    def survival(self, t) -> np.ndarray:
        """S(t) = B(α, β + t) / B(α, β), the share of a cohort still active after t periods."""
        t = np.asarray(t, dtype=float)
        return np.exp(betaln(self.alpha_, self.beta_ + t) - betaln(self.alpha_, self.beta_))

    def retention_rate(self, t) -> np.ndarray:
        """r(t) = (β + t − 1) / (α + β + t − 1): share of the accounts alive after t − 1 periods that
        renew at period t (t ≥ 1)."""
        t = np.asarray(t, dtype=float)
        return (self.beta_ + t - 1) / (self.alpha_ + self.beta_ + t - 1)

    def expected_lifetime(self, horizon: int | None = None) -> float:
        """Expected periods an account stays, Σ_{t ≥ 0} S(t): (α + β − 1)/(α − 1) when α > 1 and
        ``horizon`` is None (infinite when α ≤ 1); Σ_{t < horizon} S(t) with a horizon."""
        if horizon is None:
            return (self.alpha_ + self.beta_ - 1) / (self.alpha_ - 1) if self.alpha_ > 1 else float("inf")
        return float(self.survival(np.arange(int(horizon))).sum())

    def headline_lifetime(self, horizon: int = 40) -> tuple[float, int | None]:
        """The expected periods an account stays, for a headline: (the model's full mean, None)
        when it is finite (α > 1); else (the mean over the next ``horizon`` periods, ``horizon``),
        which the headline must then name."""
        full = self.expected_lifetime()
        return (full, None) if math.isfinite(full) else (self.expected_lifetime(horizon), horizon)

    def project(self, periods: int) -> pd.DataFrame:
        """Projected survival for ages 0 … ``periods``: a frame indexed by ``age`` with
        ``survival``, its ``lower`` and ``upper`` bounds (delta method on log(−log S)) and the
        ``retention_rate`` of that age (NaN at age 0)."""
        ages = np.arange(int(periods) + 1)
        survival = self.survival(ages)
        a, b = self.alpha_, self.beta_
        # d log S(t) / d(log α, log β), exact
        d_alpha = a * (digamma(a + b) - digamma(a + b + ages))
        d_beta = b * (digamma(b + ages) - digamma(b) + digamma(a + b) - digamma(a + b + ages))
        gradient = np.stack([d_alpha, d_beta], axis=1)
        z = norm.ppf(1 - (1 - self.confidence) / 2)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            variance_log_s = np.einsum("ti,ij,tj->t", gradient, self.covariance_, gradient)
            log_s = np.log(survival)
            spread = z * np.sqrt(variance_log_s) / np.abs(log_s)  # sd of log(−log S)
            lower = np.exp(log_s * np.exp(spread))
            upper = np.exp(log_s * np.exp(-spread))
        unknown = ~np.isfinite(lower) | ~np.isfinite(upper)  # no information: the band is all of [0, 1]
        lower, upper = np.where(unknown, 0.0, lower), np.where(unknown, 1.0, upper)
        first = ages == 0
        return pd.DataFrame(
            {
                "survival": survival,
                "lower": np.where(first, 1.0, lower),
                "upper": np.where(first, 1.0, upper),
                "retention_rate": np.where(first, np.nan, self.retention_rate(ages)),
            },
            index=pd.Index(ages, name="age"),
        )


def _fit_problem(deaths: np.ndarray, cohorts: list[np.ndarray], log_params: np.ndarray, covariance) -> str | None:
    """Why a fit cannot be trusted, in words (the current language's), or None."""
    if deaths.sum() == 0:
        return _("no account churned in these cohorts, so the model has no churn to learn from")
    if max(len(c) for c in cohorts) == 2:
        return _(
            "one period of renewals shows the average churn rate only, not how it varies across accounts: "
            "alpha and beta are not determined separately, and projections past one period are guesses"
        )
    if np.any(np.abs(log_params) > LOG_BOUND - 1e-3) or not np.all(np.isfinite(covariance)):
        return _(
            "the data do not determine the model (alpha={alpha}, beta={beta} with unbounded intervals): too little "
            "churn to estimate it"
        ).format(alpha=f"{np.exp(log_params[0]):.3g}", beta=f"{np.exp(log_params[1]):.3g}")
    return None


def _validated(survivors) -> list[np.ndarray]:
    """The cohorts as float arrays, or a ValueError saying what is wrong and with which cohort."""
    if isinstance(survivors, np.ndarray):
        survivors = list(survivors) if survivors.ndim == 2 else [survivors]  # rows are cohorts
    data = list(survivors)
    if data and np.ndim(data[0]) == 0:
        data = [data]  # one cohort given as a flat sequence
    if not data:
        raise ValueError("no cohorts to fit: pass survivor counts [n_0, n_1, …] of at least one cohort")
    cohorts = []
    for number, counts in enumerate(data, start=1):
        where = f"cohort {number}" if len(data) > 1 else "the cohort"
        counts = np.asarray(counts, dtype=float)
        if counts.ndim != 1 or len(counts) < 2:
            raise ValueError(
                f"{where} has {counts.size} survivor count(s): the model needs at least two periods "
                "(the cohort size and the survivors after one period)"
            )
        if not np.all(np.isfinite(counts)) or np.any(counts < 0):
            raise ValueError(f"{where}: survivor counts must be finite and ≥ 0, got {counts.tolist()}")
        if counts[0] == 0:
            raise ValueError(f"{where} is empty (its size n_0 is 0): leave it out")
        rising = np.flatnonzero(np.diff(counts) > 0)
        if len(rising):
            t = int(rising[0]) + 1
            raise ValueError(
                f"{where}: survivors rise from {counts[t - 1]:g} after {t - 1} periods to {counts[t]:g} after {t}; "
                "survivor counts can only fall (count an account that came back as still alive)"
            )
        cohorts.append(counts)
    return cohorts


def _churn_table(cohorts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``deaths[c, t−1]`` churned in period t (zero-padded), ``at_end[c, T]`` alive after the last
    observed period T of cohort c (zero elsewhere), ``sizes[c]`` = n_0."""
    longest = max(len(c) for c in cohorts) - 1
    deaths = np.zeros((len(cohorts), longest))
    at_end = np.zeros((len(cohorts), longest + 1))
    for i, counts in enumerate(cohorts):
        deaths[i, : len(counts) - 1] = -np.diff(counts)
        at_end[i, len(counts) - 1] = counts[-1]
    return deaths.sum(axis=0), at_end.sum(axis=0), np.array([c[0] for c in cohorts])


def _loglik(params: np.ndarray, deaths: np.ndarray, at_end: np.ndarray) -> float:
    """Σ_t d_t log P(T=t) + Σ_T m_T log S(T), with d, m summed over cohorts."""
    a, b = params
    t = np.arange(1, len(deaths) + 1)
    ages = np.arange(len(at_end))
    log_b = betaln(a, b)
    return float(np.dot(deaths, betaln(a + 1, b + t - 1) - log_b) + np.dot(at_end, betaln(a, b + ages) - log_b))


def _beta_derivatives(x, y):
    """First and second partial derivatives of log B(x, y)."""
    dx, dy = digamma(x) - digamma(x + y), digamma(y) - digamma(x + y)
    dxy = -polygamma(1, x + y)
    return dx, dy, polygamma(1, x) + dxy, polygamma(1, y) + dxy, dxy


def _gradient(params, deaths, at_end) -> np.ndarray:
    """d loglik / d(α, β)."""
    a, b = params
    t = np.arange(1, len(deaths) + 1)
    ages = np.arange(len(at_end))
    n = deaths.sum() + at_end.sum()
    da_p, db_p, *_ = _beta_derivatives(a + 1, b + t - 1)
    da_s, db_s, *_ = _beta_derivatives(a, b + ages)
    da_0, db_0, *_ = _beta_derivatives(a, b)
    return np.array([deaths @ da_p + at_end @ da_s - n * da_0, deaths @ db_p + at_end @ db_s - n * db_0])


def _hessian_log_scale(params, deaths, at_end) -> np.ndarray:
    """Hessian of the log-likelihood with respect to (log α, log β)."""
    a, b = params
    t = np.arange(1, len(deaths) + 1)
    ages = np.arange(len(at_end))
    n = deaths.sum() + at_end.sum()
    _, _, aa_p, bb_p, ab_p = _beta_derivatives(a + 1, b + t - 1)
    _, _, aa_s, bb_s, ab_s = _beta_derivatives(a, b + ages)
    _, _, aa_0, bb_0, ab_0 = _beta_derivatives(a, b)
    hessian = np.array(
        [
            [deaths @ aa_p + at_end @ aa_s - n * aa_0, deaths @ ab_p + at_end @ ab_s - n * ab_0],
            [deaths @ ab_p + at_end @ ab_s - n * ab_0, deaths @ bb_p + at_end @ bb_s - n * bb_0],
        ]
    )
    gradient = _gradient(params, deaths, at_end)
    scale = np.array([a, b])
    return hessian * np.outer(scale, scale) + np.diag(gradient * scale)


def pooled_survival(survivors) -> pd.Series:
    """Product-limit survival by age pooled over cohorts of different lengths (Kaplan–Meier on
    survivor counts): S(t) = Π_{s ≤ t} Σ_c n_{c,s} / Σ_c n_{c,s−1}, each sum over the cohorts
    observed at age s. Indexed by ``age``; the observed points the sBG curve is compared with. On
    the counts of ``fittable_survivors(panel)`` it equals ``kaplan_meier(panel)["survival"]`` (the
    survivor counts carry the same churn and censoring)."""
    cohorts = _validated(survivors)
    longest = max(len(c) for c in cohorts)
    counts = np.full((len(cohorts), longest), np.nan)
    for i, c in enumerate(cohorts):
        counts[i, : len(c)] = c
    observed = ~np.isnan(counts[:, 1:])
    alive = np.where(observed, counts[:, 1:], 0).sum(axis=0)
    at_risk = np.where(observed, counts[:, :-1], 0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        kept = np.where(at_risk > 0, alive / at_risk, 1.0)  # nobody left at risk: survival stays where it is
    return pd.Series(np.r_[1.0, np.cumprod(kept)], index=pd.Index(range(longest), name="age"))


def holdout_check(
    survivors, fit_periods: int | None = None, horizon: int = 0, confidence: float = 0.95
) -> tuple[ShiftedBetaGeometric, pd.DataFrame]:
    """Fit on the first ``fit_periods`` periods of every cohort (all periods when None), then
    compare the model with everything observed, and project to age ``horizon``.

    Returns the model and a frame indexed by ``age`` (0 … max(longest observed age, horizon))
    with ``observed`` (``pooled_survival`` of all the data; NaN past it), ``predicted`` with its
    ``lower``/``upper`` band, ``held_out`` (True for observed ages past ``fit_periods``) and
    ``error`` = predicted − observed (share points; negative = the model was too pessimistic).
    """
    cohorts = _validated(survivors)
    longest = max(len(c) for c in cohorts) - 1
    if fit_periods is not None and not 1 <= fit_periods < longest:
        raise ValueError(
            f"fit_periods={fit_periods} leaves nothing to check: fit on 1 to {longest - 1} periods "
            f"(the longest cohort has {longest}), or on all of them with fit_periods=None"
        )
    fit_periods = longest if fit_periods is None else fit_periods
    model = ShiftedBetaGeometric(confidence).fit([c[: fit_periods + 1] for c in cohorts])
    check = model.project(max(longest, horizon))[["survival", "lower", "upper"]]
    check = check.rename(columns={"survival": "predicted"})
    check.insert(0, "observed", pooled_survival(cohorts))
    check["held_out"] = (check.index > fit_periods) & check["observed"].notna()
    check["error"] = check["predicted"] - check["observed"]
    return model, check


def holdout_error(check: pd.DataFrame) -> float:
    """Mean absolute error of the predicted survival over the held-out ages of a
    ``holdout_check`` frame (share points, 0.02 = 2 points); NaN when nothing is held out."""
    held_out = check.loc[check["held_out"], "error"]
    return float(held_out.abs().mean()) if len(held_out) else float("nan")
