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

import numpy as np
import pandas as pd

from b2b_core import quarters

KPI_COLUMNS = [
    "active_accounts",
    "platform_revenue",
    "b_side_revenue",
    "take_rate",
    "new_accounts",
    "churned_accounts",
    "returning_accounts",
]


def quarter_kpis(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per quarter in the panel (index ``quarter``, ascending), columns ``KPI_COLUMNS``."""
    if panel.empty:
        return pd.DataFrame(columns=KPI_COLUMNS, index=pd.Index([], name="quarter"), dtype=float)
    frame = panel.assign(ordinal=quarters.ordinals_of(panel["quarter"]))
    by_quarter = frame.groupby("ordinal")
    reported = frame[frame["b_side_revenue"].notna()].groupby("ordinal")
    b_side = reported["b_side_revenue"].sum()
    kpis = pd.DataFrame(
        {
            "platform_revenue": by_quarter["platform_revenue"].sum(),
            "b_side_revenue": b_side.reindex(by_quarter.size().index),
        }
    )
    kpis["take_rate"] = reported["platform_revenue"].sum() / b_side.replace(0, np.nan)

    active = frame.loc[frame["active"], ["account_id", "ordinal"]].drop_duplicates()
    kpis["active_accounts"] = active.groupby("ordinal").size().reindex(kpis.index, fill_value=0)
    first = active.groupby("account_id")["ordinal"].transform("min")
    kpis["new_accounts"] = (
        active[first == active["ordinal"]].groupby("ordinal").size().reindex(kpis.index, fill_value=0)
    )

    seen_next_quarter = active.assign(ordinal=active["ordinal"] + 1)
    lost = _not_active(seen_next_quarter, active)
    kpis["churned_accounts"] = lost.groupby("ordinal").size().reindex(kpis.index, fill_value=0).astype(float)
    older = active[first < active["ordinal"] - 1]
    back = older.loc[_not_active(older.assign(ordinal=older["ordinal"] - 1), active).index]
    kpis["returning_accounts"] = back.groupby("ordinal").size().reindex(kpis.index, fill_value=0).astype(float)
    unknown_before = ~(kpis.index - 1).isin(kpis.index)  # no data for q − 1: losses and returns unknown
    kpis.loc[unknown_before, ["churned_accounts", "returning_accounts"]] = np.nan

    kpis.index = pd.Index([quarters.from_ordinal(o) for o in kpis.index], name="quarter")
    return kpis[KPI_COLUMNS]


def _not_active(rows: pd.DataFrame, active: pd.DataFrame) -> pd.DataFrame:
    """The (account_id, ordinal) rows that are not an activity in ``active`` (index kept)."""
    merged = rows.merge(active, on=["account_id", "ordinal"], how="left", indicator=True)
    return rows[(merged["_merge"] == "left_only").to_numpy()]


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
