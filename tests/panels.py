"""Panels more than one test module builds from the sample."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
    from b2b_core import sample

    panel = sample.generate_panel(400, 10, last_quarter="2025Q4", seed=3)
    panel = panel[panel["quarter"] != "2024Q2"].reset_index(drop=True)
    peak = panel["quarter"].str.endswith("Q4")
    panel.loc[peak, ["platform_revenue", "b_side_revenue"]] *= 1.6
    export = sample.to_export(panel)
    export["Commission"] = panel["platform_revenue"].map("{:,.2f}".format)
    export.loc[pd.factorize(panel["account_id"])[0] % 8 == 0, "GMV"] = ""
    return export.to_csv(index=False).encode()
