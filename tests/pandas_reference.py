"""The views as first written in pandas on the whole panel: the references the engine's
reductions must match on small panels (``tests/test_reductions.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2b_core import quarters
from b2b_core.overview import KPI_COLUMNS


def quarter_kpis(panel: pd.DataFrame) -> pd.DataFrame:
    """``overview.quarter_kpis`` computed in pandas."""
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
    unknown_before = ~(kpis.index - 1).isin(kpis.index)
    kpis.loc[unknown_before, ["churned_accounts", "returning_accounts"]] = np.nan

    kpis.index = pd.Index([quarters.from_ordinal(o) for o in kpis.index], name="quarter")
    return kpis[KPI_COLUMNS]


def _not_active(rows: pd.DataFrame, active: pd.DataFrame) -> pd.DataFrame:
    merged = rows.merge(active, on=["account_id", "ordinal"], how="left", indicator=True)
    return rows[(merged["_merge"] == "left_only").to_numpy()]
