"""The company's signals per quarter: the inputs of stage detection and of the priority rules.

Per calendar quarter q of the panel (money in currency units per quarter, shares as fractions):

* ``active_accounts``, ``new_accounts``, ``churned_accounts``, ``returning_accounts``,
  ``platform_revenue``, ``b_side_revenue``, ``take_rate``: as ``overview.quarter_kpis``;
* ``quarters_of_history``: quarters of data up to and including q;
* growth, as a fraction: ``platform_revenue_growth_qoq`` / ``_yoy`` (against q − 1 / q − 4),
  ``active_accounts_growth_qoq`` / ``_yoy``, ``new_accounts_growth_yoy``; NaN without the
  earlier quarter (or when it is 0);
* ``platform_revenue_growth_annual`` / ``active_accounts_growth_annual``: the year-on-year growth,
  or, when the quarter a year back is missing or 0, the growth since the earliest quarter k < 4
  quarters back with a value above 0, annualised, (now / then)^(4/k) − 1; what stage detection
  compares;
* ``logo_retention_4q``: of the accounts active in q − 4, the share active in q;
* ``nrr_4q``: platform revenue in q of the accounts active in q − 4, over their revenue in q − 4;
* ``mature_revenue_share``: share of q's platform revenue from accounts at least four quarters
  old (first active in q − 4 or earlier); NaN while q − 4 precedes the data;
* ``top10_share``: share of q's platform revenue from its ten largest accounts;
* ``activation``: share of q's new accounts with platform revenue > 0 in q;

The first quarter of the data has no "new" accounts of its own (everyone active then may have
signed up earlier): its activation, and new-account growth measured from it, are NaN.
* ``share_q1`` … ``share_q4``: share of the accounts placed in q in each revenue quadrant
  (median cuts, ``b2b_core.quadrants``); ``q4_b_side_revenue_share`` and
  ``q2_platform_revenue_share``: what the under-monetised accounts earn of all B-side revenue and
  what the at-risk accounts bring of all platform revenue. NaN without B-side revenue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2b_core import overview, quarters
from b2b_core.quadrants import QUADRANTS, quadrant_summary

SIGNALS = (
    "quarters_of_history",
    "platform_revenue_growth_qoq",
    "platform_revenue_growth_yoy",
    "active_accounts_growth_qoq",
    "active_accounts_growth_yoy",
    "new_accounts_growth_yoy",
    "platform_revenue_growth_annual",
    "active_accounts_growth_annual",
    "logo_retention_4q",
    "nrr_4q",
    "mature_revenue_share",
    "top10_share",
    "activation",
    *(f"share_{q.lower()}" for q in QUADRANTS),
    "q4_b_side_revenue_share",
    "q2_platform_revenue_share",
)


def company_metrics(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per quarter of the panel (index ``quarter``, ascending): the KPI columns of
    ``overview.quarter_kpis`` then ``SIGNALS``. An empty panel gives an empty frame."""
    kpis = overview.quarter_kpis(panel)
    metrics = kpis.copy()
    for name in SIGNALS:
        metrics[name] = np.nan
    if kpis.empty:
        return metrics
    ordinal = pd.Series(quarters.ordinals_of(panel["quarter"]), index=panel.index)
    rows = panel.assign(ordinal=ordinal)
    by_ordinal = {q: quarters.to_ordinal(q) for q in kpis.index}  # kpis are in quarter order
    first_quarter = by_ordinal[kpis.index[0]]
    active = rows[rows["active"]]
    first_active = active.groupby("account_id")["ordinal"].min()
    revenue = rows.groupby(["ordinal", "account_id"])["platform_revenue"].sum()
    active_sets = active.groupby("ordinal")["account_id"].agg(set)

    metrics["quarters_of_history"] = np.arange(1, len(kpis) + 1)
    for quarter, q in by_ordinal.items():
        out = metrics.loc[quarter]
        for column, lag, name in (
            ("platform_revenue", 1, "platform_revenue_growth_qoq"),
            ("platform_revenue", 4, "platform_revenue_growth_yoy"),
            ("active_accounts", 1, "active_accounts_growth_qoq"),
            ("active_accounts", 4, "active_accounts_growth_yoy"),
            ("new_accounts", 4, "new_accounts_growth_yoy"),
        ):
            earlier = quarters.shift(quarter, -lag)
            if column == "new_accounts" and q - lag == first_quarter:
                continue  # the first quarter's "new" accounts include everyone who signed up earlier
            if earlier in kpis.index and kpis.loc[earlier, column] > 0:
                metrics.loc[quarter, name] = out[column] / kpis.loc[earlier, column] - 1
        for column in ("platform_revenue", "active_accounts"):
            metrics.loc[quarter, f"{column}_growth_annual"] = _annual_growth(kpis[column], quarter)
        now = revenue.loc[q] if q in revenue.index.get_level_values(0) else pd.Series(dtype=float)
        year_ago = q - 4
        if year_ago in active_sets.index:
            base = active_sets.loc[year_ago]
            still = active_sets.loc[q] if q in active_sets.index else set()
            metrics.loc[quarter, "logo_retention_4q"] = len(base & still) / len(base) if base else np.nan
            before = revenue.loc[year_ago].reindex(list(base)).sum()
            if before > 0:
                metrics.loc[quarter, "nrr_4q"] = now.reindex(list(base)).fillna(0).sum() / before
        total = now.sum()
        if total > 0:
            if q - 4 >= first_quarter:  # before that, an account's true age is unknown
                mature = first_active.reindex(now.index) <= q - 4
                metrics.loc[quarter, "mature_revenue_share"] = now[mature.to_numpy()].sum() / total
            metrics.loc[quarter, "top10_share"] = now.nlargest(10).sum() / total
        new = first_active.index[first_active == q]
        if len(new) and q > first_quarter:
            metrics.loc[quarter, "activation"] = (now.reindex(new).fillna(0) > 0).mean()

    mix = quadrant_summary(panel)
    for quarter in kpis.index:
        if quarter in mix.index.get_level_values(0) and mix.loc[quarter, "accounts"].sum() > 0:
            shares = mix.loc[quarter]
            for q in QUADRANTS:
                metrics.loc[quarter, f"share_{q.lower()}"] = shares.loc[q, "account_share"]
            metrics.loc[quarter, "q4_b_side_revenue_share"] = shares.loc["Q4", "b_side_revenue_share"]
            metrics.loc[quarter, "q2_platform_revenue_share"] = shares.loc["Q2", "platform_revenue_share"]
    return metrics


def _annual_growth(values: pd.Series, quarter: str) -> float:
    """Year-on-year growth of ``values`` (indexed by quarter label) at ``quarter``, or the
    growth since the earliest quarter less than a year back, annualised; NaN without either."""
    for lag in (4, 3, 2, 1):
        earlier = quarters.shift(quarter, -lag)
        if earlier in values.index and values[earlier] > 0:
            return float((values[quarter] / values[earlier]) ** (4 / lag) - 1)
    return float("nan")
