"""Number formatting for the screen: money, counts, shares (the numbers come from b2b_core)."""

from __future__ import annotations

import math


def money(value: float) -> str:
    """12,345,678 → ``12.3M``; 12,345 → ``12.3k``; NaN → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:,.1f}{suffix}"
    return f"{value:,.0f}"


def count(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.0f}"


def share(value: float, digits: int = 1) -> str:
    """0.1234 → ``12.3%``."""
    return "–" if value is None or math.isnan(value) else f"{100 * value:.{digits}f}%"
