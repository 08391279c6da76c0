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
