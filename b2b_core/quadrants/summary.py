"""The quadrant mix of each quarter: how many accounts sit where and what share of the revenue
they bring."""

from __future__ import annotations

import pandas as pd

from b2b_core.quadrants.assign import QUADRANTS, Cut, assign_quadrants

SUMMARY_COLUMNS = ["accounts", "account_share", "platform_revenue_share", "b_side_revenue_share", "median_take_rate"]


def quadrant_summary(
    panel: pd.DataFrame,
    cut: Cut = "median",
    by: str | None = None,
    quarters: list[str] | None = None,
    accounts: pd.Index | None = None,
) -> pd.DataFrame:
    """Per quarter (all of the panel's, or ``quarters``) and quadrant Q1 … Q4: placed accounts,
    their share of the placed accounts, their share of the placed accounts' platform and B-side
    revenue, and their median take rate (platform / B-side revenue, over accounts with B-side
    revenue > 0). With ``accounts``, over those accounts only (placed by the whole quarter's cut
    points). Index (quarter, quadrant); shares are fractions (0.25 = 25%), NaN when nobody is
    placed or the quarter has no revenue on that axis."""
    chosen = sorted(panel["quarter"].unique()) if quarters is None else quarters
    frames = {}
    for quarter in chosen:
        placed = assign_quadrants(panel, quarter, cut, by, accounts)
        placed = placed[placed["quadrant"].isin(QUADRANTS)]
        placed = placed.assign(quadrant=placed["quadrant"].cat.set_categories(list(QUADRANTS)))
        grouped = placed.groupby("quadrant", observed=False)
        table = pd.DataFrame({"accounts": grouped.size()})
        table["account_share"] = table["accounts"] / len(placed) if len(placed) else float("nan")
        for revenue in ("platform_revenue", "b_side_revenue"):
            total = placed[revenue].sum()
            table[f"{revenue}_share"] = grouped[revenue].sum() / total if total > 0 else float("nan")
        table["median_take_rate"] = grouped["take_rate"].median()
        frames[quarter] = table
    if not frames:
        empty = pd.MultiIndex.from_tuples([], names=["quarter", "quadrant"])
        return pd.DataFrame(columns=SUMMARY_COLUMNS, index=empty)
    return pd.concat(frames, names=["quarter", "quadrant"])[SUMMARY_COLUMNS]
