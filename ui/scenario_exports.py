"""The lab's tables as downloads in the session's language. English keeps the frames' own column
names (the keys of ``b2b_core.scenarios``: ``platform_revenue_total_vs_base``); another language
names every column and index level in words, and the base by its shown name."""

from __future__ import annotations

import pandas as pd

from b2b_core import i18n, scenarios
from b2b_core.headers import named
from b2b_core.i18n import N_, _

NAMES = {  # a column or index level → its name
    "scenario": N_("Scenario"),
    "quarter": N_("Quarter"),
    "lever": N_("Lever key"),
    "label": N_("Lever"),
    "unit": N_("Unit"),
    "step": N_("Step"),
    "basis": N_("Where the step comes from"),
    "low": N_("Lever at the low end"),
    "high": N_("Lever at the high end"),
    "low_change": N_("Change at the low end"),
    "high_change": N_("Change at the high end"),
    "active_accounts": N_("Active accounts"),
    "platform_revenue": N_("Platform revenue"),
    "b_side_revenue": N_("B-side revenue"),
    "take_rate": N_("Take rate"),
    "active_accounts_end": N_("Active accounts in the last quarter"),
    "platform_revenue_end": N_("Platform revenue in the last quarter"),
    "platform_revenue_total": N_("Platform revenue over the horizon"),
    "b_side_revenue_total": N_("B-side revenue over the horizon"),
    "take_rate_total": N_("Take rate over the horizon"),
}
SUFFIXES = {  # a column named <name><suffix> → how it is named (the longest suffix first)
    "_vs_base_pct": N_("{name}, relative change against the base"),
    "_vs_base": N_("{name}, change against the base"),
    "_lower": N_("{name}, band low"),
    "_upper": N_("{name}, band high"),
}


def column_name(column: object) -> object:
    """A column key of the lab's tables named in the current language (a lever by its name)."""
    if not isinstance(column, str):
        return column
    if column in scenarios.BY_KEY:
        return scenarios.BY_KEY[column].label
    if column in NAMES:
        return _(NAMES[column])
    for suffix, template in SUFFIXES.items():
        if column.endswith(suffix) and column.removesuffix(suffix) in NAMES:
            return _(template).format(name=_(NAMES[column.removesuffix(suffix)]))
    return column


def export(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (``compare``, ``by_quarter``, ``sensitivity``) to download: as it is in English;
    in another language with its columns and index levels named in words, the base by its shown
    name."""
    if i18n.language() == i18n.SOURCE:
        return frame
    if "scenario" in frame.index.names:
        frame = frame.rename(index=scenarios.shown_name, level="scenario" if frame.index.nlevels > 1 else None)
    return named(frame, column_name)
