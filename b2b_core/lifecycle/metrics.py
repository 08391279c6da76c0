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
* ``activation``: of the accounts new in q − 1 (first active then), the share active again in q,
  their second quarter: kept new accounts / new accounts of q − 1. (A new account is active in its
  first quarter by definition, so a share of that quarter alone would always be 100%.) NaN when
  q − 1 is not in the data, is the data's first quarter, or had no new account;

The first quarter of the data has no "new" accounts of its own (everyone active then may have
signed up earlier): the activation measured from it, and new-account growth measured from it, are NaN.
* ``share_q1`` … ``share_q4``: share of the accounts placed in q in each revenue quadrant
  (median cuts, ``b2b_core.quadrants``); ``q4_b_side_revenue_share`` and
  ``q2_platform_revenue_share``: what the under-monetised accounts earn of all B-side revenue and
  what the at-risk accounts bring of all platform revenue. NaN without B-side revenue.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine, overview, quarters
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


def company_metrics(panel: engine.Source, kpis: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per quarter of the panel (index ``quarter``, ascending): the KPI columns of
    ``overview.quarter_kpis`` then ``SIGNALS``. An empty panel gives an empty frame. The engine
    returns the per-quarter counts and sums (``overview.kpi_reduction``, ``signal_reduction``,
    ``quadrants.summary_reduction``); the growth rates and shares are worked out here. ``kpis``,
    when given, is the panel's ``quarter_kpis`` measured already (not asked again)."""
    table = engine.table(panel)
    kpis = overview.quarter_kpis(table) if kpis is None else kpis
    metrics = kpis.copy()
    for name in SIGNALS:
        metrics[name] = np.nan
    if kpis.empty:
        return metrics
    by_ordinal = {q: quarters.to_ordinal(q) for q in kpis.index}  # kpis are in quarter order
    first_quarter = by_ordinal[kpis.index[0]]
    sums = engine.run(signal_reduction(table)).set_index("ordinal").astype(float).reindex(list(by_ordinal.values()))

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
        found = sums.loc[q]
        if found["year_ago_accounts"] > 0:
            metrics.loc[quarter, "logo_retention_4q"] = found["retained_accounts"] / found["year_ago_accounts"]
            if found["year_ago_revenue_then"] > 0:
                metrics.loc[quarter, "nrr_4q"] = found["year_ago_revenue_now"] / found["year_ago_revenue_then"]
        total = found["revenue"]
        if total > 0:
            if q - 4 >= first_quarter:  # before that, an account's true age is unknown
                metrics.loc[quarter, "mature_revenue_share"] = found["mature_revenue"] / total
            metrics.loc[quarter, "top10_share"] = found["top10_revenue"] / total
        if q - 1 > first_quarter and q - 1 in sums.index and sums.loc[q - 1, "new_accounts"] > 0:
            metrics.loc[quarter, "activation"] = found["kept_new_accounts"] / sums.loc[q - 1, "new_accounts"]

    mix = quadrant_summary(table)
    for quarter in kpis.index:
        if quarter in mix.index.get_level_values(0) and mix.loc[quarter, "accounts"].sum() > 0:
            shares = mix.loc[quarter]
            for q in QUADRANTS:
                metrics.loc[quarter, f"share_{q.lower()}"] = shares.loc[q, "account_share"]
            metrics.loc[quarter, "q4_b_side_revenue_share"] = shares.loc["Q4", "b_side_revenue_share"]
            metrics.loc[quarter, "q2_platform_revenue_share"] = shares.loc["Q2", "platform_revenue_share"]
    return metrics


def signal_reduction(panel: ir.Table) -> ir.Table:
    """The engine's part of the signals, per quarter ``ordinal`` of the panel: ``revenue`` (platform
    revenue), ``top10_revenue`` (of its ten largest accounts), ``mature_revenue`` (of accounts first
    active four or more quarters earlier), ``new_accounts`` (first active then) and
    ``kept_new_accounts`` (active then and first active the quarter before); of the accounts active four
    quarters earlier: ``year_ago_accounts``, ``retained_accounts`` (active now too),
    ``year_ago_revenue_then`` and ``year_ago_revenue_now`` (their platform revenue then and now)."""
    accounts = panel.select(  # one row per account and quarter (the contract's promise)
        "account_id",
        ordinal=engine.quarter_ordinal(panel.quarter),
        revenue=panel.platform_revenue,
        active=panel.active.fill_null(False),
    )
    first = accounts.filter(accounts.active).group_by("account_id").agg(first_active=ibis._.ordinal.min())
    accounts = accounts.left_join(first, "account_id").drop("account_id_right")
    rank = ibis.row_number().over(group_by="ordinal", order_by=ibis.desc("revenue"))
    ranked = accounts.mutate(rank=rank)
    per_quarter = ranked.group_by("ordinal").agg(
        revenue=ranked.revenue.sum(),
        top10_revenue=ranked.revenue.sum(where=ranked["rank"] < 10),
        mature_revenue=ranked.revenue.sum(where=ranked.first_active <= ranked.ordinal - 4).fill_null(0),
        new_accounts=(ranked.first_active == ranked.ordinal).sum(),
        kept_new_accounts=((ranked.first_active == ranked.ordinal - 1) & ranked.active).sum(),
    )
    year_ago = accounts.filter(accounts.active).select(
        "account_id", ordinal=accounts.ordinal + 4, revenue_then=accounts.revenue
    )
    followed = year_ago.left_join(accounts, ["account_id", "ordinal"])
    cohorts = followed.group_by("ordinal").agg(
        year_ago_accounts=followed.count(),
        retained_accounts=followed.active.fill_null(False).sum(),
        year_ago_revenue_then=followed.revenue_then.sum(),
        year_ago_revenue_now=followed.revenue.fill_null(0).sum(),
    )
    return (
        per_quarter.left_join(cohorts, "ordinal")
        .drop("ordinal_right")
        .mutate(year_ago_accounts=ibis._.year_ago_accounts.fill_null(0))
    )


def _annual_growth(values: pd.Series, quarter: str) -> float:
    """Year-on-year growth of ``values`` (indexed by quarter label) at ``quarter``, or the
    growth since the earliest quarter less than a year back, annualised; NaN without either."""
    for lag in (4, 3, 2, 1):
        earlier = quarters.shift(quarter, -lag)
        if earlier in values.index and values[earlier] > 0:
            return float((values[quarter] / values[earlier]) ** (4 / lag) - 1)
    return float("nan")
