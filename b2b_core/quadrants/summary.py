"""The quadrant mix of each quarter: how many accounts sit where (in each quadrant, or at the cut)
and what share of the revenue they bring."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from b2b_core import engine
from b2b_core.quadrants.assign import PLACED, Cut, placed_rows

SUMMARY_COLUMNS = ["accounts", "account_share", "platform_revenue_share", "b_side_revenue_share", "median_take_rate"]


def quadrant_summary(
    panel: engine.Source,
    cut: Cut = "median",
    by: str | None = None,
    quarters: list[str] | None = None,
    accounts: pd.Index | None = None,
) -> pd.DataFrame:
    """Per quarter (all of the panel's, or ``quarters``) and placed state (``PLACED``: Q1 … Q4 and
    at the cut): placed accounts, their share of the placed accounts, their share of the placed
    accounts' platform and B-side revenue, and their median take rate (platform / B-side revenue,
    over accounts with B-side revenue > 0). With ``accounts``, over those accounts only (placed by
    the whole quarter's cut points). Index (quarter, quadrant); shares are fractions (0.25 = 25%),
    NaN when nobody is placed or the quarter has no revenue on that axis. The engine counts and
    sums per quarter and quadrant (``summary_reduction``); the shares are worked out here."""
    table = engine.table(panel)
    chosen = sorted(engine.run(table.select("quarter").distinct())["quarter"]) if quarters is None else list(quarters)
    if not chosen:
        empty = pd.MultiIndex.from_tuples([], names=["quarter", "quadrant"])
        return pd.DataFrame(columns=SUMMARY_COLUMNS, index=empty)
    cells = engine.run(summary_reduction(table, chosen, cut, by, accounts)).set_index(["quarter", "quadrant"])
    index = pd.MultiIndex.from_product([chosen, list(PLACED)], names=["quarter", "quadrant"])
    summary = cells.reindex(index)
    summary["accounts"] = summary["accounts"].fillna(0).astype("int64")
    per_quarter = summary.groupby(level="quarter", sort=False)
    placed = per_quarter["accounts"].transform("sum")
    summary["account_share"] = (summary["accounts"] / placed.where(placed > 0)).astype(float)
    for revenue in ("platform_revenue", "b_side_revenue"):
        total = per_quarter[revenue].transform("sum")
        summary[f"{revenue}_share"] = summary[revenue].fillna(0) / total.where(total > 0)
    summary.index = pd.MultiIndex.from_product(
        [chosen, pd.CategoricalIndex(PLACED, categories=list(PLACED))], names=["quarter", "quadrant"]
    )
    return summary[SUMMARY_COLUMNS]


def summary_reduction(
    panel: ir.Table, quarters: list[str], cut: Cut = "median", by: str | None = None, accounts: pd.Index | None = None
) -> ir.Table:
    """The engine's part of ``quadrant_summary``: per ``quarter`` and ``quadrant`` (placed state)
    holding placed accounts, ``accounts`` (count), ``platform_revenue`` and ``b_side_revenue`` (sums) and
    ``median_take_rate``."""
    placed = placed_rows(panel, quarters, cut, by)
    if accounts is not None:
        placed = placed.semi_join(engine.ids(accounts), "account_id")
    rate = placed.platform_revenue / placed.b_side_revenue
    return placed.group_by(["quarter", "quadrant"]).agg(
        accounts=placed.count(),
        platform_revenue=placed.platform_revenue.sum(),
        b_side_revenue=placed.b_side_revenue.sum(),
        median_take_rate=rate.quantile(0.5, where=placed.b_side_revenue > 0),
    )
