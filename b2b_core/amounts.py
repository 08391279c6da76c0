"""Amounts written short, the same on charts and on the screen."""

from __future__ import annotations


def short_amount(value: float) -> str:
    """12,345,678 → ``12.3M``; 12,345 → ``12.3k``; 123 → ``123`` (money or counts)."""
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:,.1f}{suffix}"
    return f"{value:,.0f}"
