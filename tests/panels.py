"""Panels more than one test module builds from the sample."""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2b_core import sample


def one_take_rate(panel: pd.DataFrame) -> pd.DataFrame:
    """``panel`` with every account paying 10% (give or take a cent of rounding) of a B-side
    revenue of one significant figure (1k … 9k, 10k … 90k, …: a few price bands), and nothing where
    it paid nothing: many accounts share each quarter's medians, ties at the cut."""
    scale = 10 ** np.floor(np.log10(panel["b_side_revenue"]))
    b_side = (panel["b_side_revenue"] / scale).round() * scale
    cent = (pd.factorize(panel["account_id"])[0] % 3 - 1) / 100
    platform = (b_side / 10 + cent).where(panel["platform_revenue"] > 0, 0.0)
    return panel.assign(b_side_revenue=b_side, platform_revenue=platform)


def q4_peak_export() -> bytes:
    """An ops lead's export of a business whose revenue peaks every fourth quarter (×1.6), as it
    comes: 2023Q3 … 2025Q4 without 2024Q2 (a quarter missing), commissions with thousands
    separators, GMV left blank for one account in eight (no B-side revenue reported)."""
    panel = sample.generate_panel(400, 10, last_quarter="2025Q4", seed=3)
    panel = panel[panel["quarter"] != "2024Q2"].reset_index(drop=True)
    peak = panel["quarter"].str.endswith("Q4")
    panel.loc[peak, ["platform_revenue", "b_side_revenue"]] *= 1.6
    export = sample.to_export(panel)
    export["Commission"] = panel["platform_revenue"].map("{:,.2f}".format)
    export.loc[pd.factorize(panel["account_id"])[0] % 8 == 0, "GMV"] = ""
    return export.to_csv(index=False).encode()


def sample_panel(n: int = 400, quarters: int = 12) -> pd.DataFrame:
    """The sample's ``n`` accounts over ``quarters`` quarters up to 2026Q3, always the same."""
    return sample.generate_panel(n, quarters, seed=11)


def with_gap() -> pd.DataFrame:
    """No row at all in 2025Q2: a quarter missing from the data."""
    panel = sample_panel()
    return panel[panel["quarter"] != "2025Q2"].reset_index(drop=True)


def shrinking() -> pd.DataFrame:
    """Accounts leave and none sign up in the last four quarters."""
    panel = sample_panel()
    first = panel[panel["active"]].groupby("account_id")["quarter"].transform("min")
    late = panel.loc[first.index[first >= "2025Q4"]]
    return panel.drop(late.index).reset_index(drop=True)


def no_b_side() -> pd.DataFrame:
    return sample_panel().assign(b_side_revenue=np.nan)


def one_quarter() -> pd.DataFrame:
    return sample_panel(quarters=1)


def returning() -> pd.DataFrame:
    """Every third account inactive in every other quarter: gaps, returns and churn each quarter."""
    panel = sample_panel()
    codes = pd.factorize(panel["account_id"])[0]
    odd = (panel["quarter"].str[-1].astype(int) % 2 == 1) & (codes % 3 == 0)
    return panel.assign(active=panel["active"] & ~odd)


PANELS = {
    "sample": sample_panel,
    "one_take_rate": lambda: one_take_rate(sample_panel()),
    "gap": with_gap,
    "shrinking": shrinking,
    "no_b_side": no_b_side,
    "one_quarter": one_quarter,
    "returning": returning,
    "empty": lambda: sample_panel().iloc[:0],
}
