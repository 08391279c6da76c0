"""Workspace headline numbers per quarter: the KPIs of the home page.

Definitions (per calendar quarter q, over the panel's active rows):

* active accounts: accounts with ``active`` true in q;
* platform / B-side revenue: sums over all rows of q (currency units per quarter);
* take rate = platform revenue / B-side revenue, over the rows that report B-side revenue
  (NaN when no row does);
* new accounts: active in q and never active before q (their cohort is q);
* churned accounts: active in q − 1 and not in q;
* returning accounts: active in q, not in q − 1, but active in some quarter before q − 1;
  both NaN when the workspace has no data for q − 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine, quarters

KPI_COLUMNS = [
    "active_accounts",
    "platform_revenue",
    "b_side_revenue",
    "take_rate",
    "new_accounts",
    "churned_accounts",
    "returning_accounts",
]


TOTAL_COLUMNS = KPI_COLUMNS[:4]  # what ``quarter_kpis(…, flows=False)`` gives


def quarter_kpis(source: engine.Source, flows: bool = True) -> pd.DataFrame:
    """One row per quarter in the panel (index ``quarter``, ascending), columns ``KPI_COLUMNS``
    (``TOTAL_COLUMNS`` only, without the new, churned and returning accounts, when not ``flows``).

    ``source`` is a pandas panel or an Ibis table of one; the engine returns one row per quarter
    (``kpi_reduction``) and only the ratios and the unknown quarters are worked out here.
    """
    columns = KPI_COLUMNS if flows else TOTAL_COLUMNS
    table = engine.table(source)
    kpis = engine.run(kpi_reduction(table) if flows else total_reduction(table)).set_index("ordinal")
    if kpis.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="quarter"), dtype=float)
    kpis = kpis.astype({c: float for c in kpis.columns if c not in ("active_accounts", "new_accounts")})
    kpis["take_rate"] = kpis.pop("reported_platform_revenue") / kpis["b_side_revenue"].replace(0, np.nan)
    if flows:
        unknown_before = ~(kpis.index - 1).isin(kpis.index)  # no data for q − 1: losses and returns unknown
        kpis.loc[unknown_before, ["churned_accounts", "returning_accounts"]] = np.nan
    kpis.index = pd.Index([quarters.from_ordinal(o) for o in kpis.index], name="quarter")
    return kpis[columns]


def total_reduction(panel: ir.Table) -> ir.Table:
    """Per quarter ``ordinal``: the sums ``platform_revenue``, ``b_side_revenue`` (NULL when no
    row reports it) and ``reported_platform_revenue`` (over the rows reporting B-side revenue),
    and ``active_accounts`` (one row per account and quarter: the active rows)."""
    rows = panel.mutate(ordinal=engine.quarter_ordinal(panel.quarter))
    return (
        rows.group_by("ordinal")
        .agg(
            platform_revenue=rows.platform_revenue.sum(),
            b_side_revenue=rows.b_side_revenue.sum(),
            reported_platform_revenue=rows.platform_revenue.sum(where=rows.b_side_revenue.notnull()),
            active_accounts=rows.active.fill_null(False).cast("int64").sum(),
        )
        .order_by("ordinal")
    )


def kpi_reduction(panel: ir.Table) -> ir.Table:
    """The engine's part of ``quarter_kpis``: per quarter ``ordinal`` (ascending), the sums of
    ``total_reduction`` and the counts ``new_accounts``, ``churned_accounts`` and
    ``returning_accounts`` (churn counted in the quarter after an account's activity, whether or
    not it is observed).
    """
    rows = panel.mutate(ordinal=engine.quarter_ordinal(panel.quarter))
    money = total_reduction(panel).drop("active_accounts")
    active = rows.filter(rows.active).select("account_id", "ordinal").distinct()
    by_account = ibis.window(group_by="account_id", order_by="ordinal")
    active = active.mutate(
        first=active.ordinal.min().over(group_by="account_id"),
        before=active.ordinal.lag().over(by_account),
        after=active.ordinal.lead().over(by_account),
    )
    gone_after = active.after.isnull() | (active.after != active.ordinal + 1)
    counts = active.group_by("ordinal").agg(
        active_accounts=active.count(),
        new_accounts=(active.first == active.ordinal).sum(),
        returning_accounts=((active.first < active.ordinal - 1) & (active.before != active.ordinal - 1)).sum(),
    )
    churn = (
        active.filter(gone_after)
        .mutate(ordinal=active.ordinal + 1)
        .group_by("ordinal")
        .agg(churned_accounts=ibis._.count())
    )
    return (
        money.left_join(counts, "ordinal")
        .select(money, *[c for c in ("active_accounts", "new_accounts", "returning_accounts")])
        .left_join(churn, "ordinal")
        .select(~ibis.selectors.matches("ordinal_right"))
        .mutate(
            active_accounts=ibis._.active_accounts.fill_null(0),
            new_accounts=ibis._.new_accounts.fill_null(0),
            returning_accounts=ibis._.returning_accounts.fill_null(0),
            churned_accounts=ibis._.churned_accounts.fill_null(0),
        )
        .order_by("ordinal")
    )


@dataclass(frozen=True)
class Headline:
    """One KPI of the latest quarter against the quarter before it."""

    name: str
    value: float
    previous: float

    @property
    def change(self) -> float:
        """value − previous (NaN when either is unknown)."""
        return self.value - self.previous

    @property
    def relative_change(self) -> float:
        """(value − previous) / previous; NaN when previous is 0 or unknown."""
        return self.change / self.previous if self.previous else np.nan


def latest_headlines(panel: pd.DataFrame) -> tuple[str | None, str | None, list[Headline]]:
    """``headlines(quarter_kpis(panel))``."""
    return headlines(quarter_kpis(panel))


def headlines(kpis: pd.DataFrame) -> tuple[str | None, str | None, list[Headline]]:
    """(latest quarter, the quarter before it or None, a Headline per KPI) from ``quarter_kpis``.

    The comparison quarter is the calendar quarter before the latest; if the workspace lacks it,
    ``previous`` values are NaN.
    """
    if kpis.empty:
        return None, None, []
    latest = kpis.index[-1]
    before = quarters.shift(latest, -1)
    prior = kpis.loc[before] if before in kpis.index else pd.Series(np.nan, index=KPI_COLUMNS)
    found = [Headline(name, float(kpis.loc[latest, name]), float(prior[name])) for name in KPI_COLUMNS]
    return latest, before if before in kpis.index else None, found
