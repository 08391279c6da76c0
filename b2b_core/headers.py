"""How the columns of the account-level tables and downloads (quadrants, movers, clusters, lists,
renewals, an account's quarters) are headed in the run's language.

In English a column keeps its key as its header (``account_id``, ``platform_revenue_before``), as
the downloads always had it; in another language it is named in words (Chinese: ``客户ID``,
``期初平台收入``). A column the app does not name (a custom metric: the user's own column name)
keeps its name in every language.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from b2b_core import i18n
from b2b_core.i18n import N_, _

NAMES = {
    "account_id": N_("Account id"),
    "account_name": N_("Account name"),
    "segment": N_("Segment"),
    "region": N_("Region"),
    "tier": N_("Tier"),
    "owner": N_("Owner"),
    "quarter": N_("Quarter"),
    "active": N_("Active"),
    "contract_value": N_("Contract value"),
    "contract_end": N_("Contract end"),
    "b_side_revenue": N_("B-side revenue"),
    "platform_revenue": N_("Platform revenue"),
    "take_rate": N_("Take rate"),
    "quadrant": N_("Quadrant"),
    "x_cut": N_("B-side revenue cut point"),
    "y_cut": N_("Platform revenue cut point"),
    "zero_b_side": N_("Zero B-side revenue"),
    "zero_platform": N_("Zero platform revenue"),
    "before": N_("State before"),
    "after": N_("State after"),
    "platform_revenue_before": N_("Platform revenue before"),
    "platform_revenue_after": N_("Platform revenue after"),
    "platform_revenue_change": N_("Platform revenue change"),
    "b_side_revenue_before": N_("B-side revenue before"),
    "b_side_revenue_after": N_("B-side revenue after"),
    "b_side_revenue_change": N_("B-side revenue change"),
    "cluster": N_("Cluster"),
    "accounts": N_("Number of accounts"),
    "account_share": N_("Share of accounts"),
    "platform_revenue_share": N_("Share of platform revenue"),
    "b_side_revenue_share": N_("Share of B-side revenue"),
    "median_take_rate": N_("Median take rate"),
    "median_b_side_revenue": N_("Median B-side revenue"),
    "median_platform_revenue": N_("Median platform revenue"),
    "median_growth": N_("Median growth"),
    "description": N_("In words"),
    "revenue_before": N_("Platform revenue the quarter before"),
    "revenue_after": N_("Platform revenue this quarter"),
    "change": N_("Change"),
    "at_stake": N_("At stake"),
    "reason": N_("Why listed"),
    "quadrant_before": N_("Quadrant the quarter before"),
    "quadrant_after": N_("Quadrant this quarter"),
    "page": N_("Page"),
    "end_quarter": N_("Quarter of end"),
    "end_month": N_("Month of end"),
    "contracts": N_("Contracts"),
}


def header(column: object) -> object:
    """The header of ``column`` in the run's language: its key in English, else its name in words
    (a column the app does not name unchanged)."""
    if i18n.language() == i18n.SOURCE or column not in NAMES:
        return column
    return _(NAMES[column])


def named(frame: pd.DataFrame, name: Callable[[object], object]) -> pd.DataFrame:
    """``frame`` with its columns, and the names of its index and column levels, renamed by ``name``
    (a key → its header; an unnamed level stays unnamed). The one renaming every table heading of
    the app goes through, whatever its vocabulary (this module's, the contract's, the lab's, the
    cohorts', a slide's)."""
    shown = frame.rename(columns=name)
    shown.index = shown.index.set_names([None if level is None else name(level) for level in shown.index.names])
    shown.columns = shown.columns.set_names([None if level is None else name(level) for level in shown.columns.names])
    return shown


def headed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its columns, and the names of its index and columns, headed by ``header``
    (the same frame in English)."""
    return frame if i18n.language() == i18n.SOURCE else named(frame, header)


def keyed(settings: dict) -> dict:
    """Column settings (column key → setting) keyed by each column's ``header``, for a table
    shown ``headed``."""
    return {header(column): setting for column, setting in settings.items()}
