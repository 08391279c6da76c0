"""Column settings of the pages' tables, and tables named in the reader's language."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from b2b_core import i18n
from b2b_core.i18n import N_, _


def numbers(**columns: tuple[str, str]):
    """Number columns by name: ``numbers(at_risk=("At risk", "localized"))``. The format is one of
    Streamlit's ("localized", "percent", "compact" …) or a printf pattern such as ``"%.1f"``."""
    return {name: st.column_config.NumberColumn(label, format=form) for name, (label, form) in columns.items()}


def table(frame: pd.DataFrame, config: dict, order: list[str] | None = None, *, editor: bool = False, **options):
    """``st.dataframe`` (``st.data_editor`` with ``editor``) of ``frame`` with its ``column_config``
    and ``column_order`` (``order``), hiding the index and as wide as the page. Read in another
    language than English, the frame's own columns are named by their labels (a table's data, its
    copy and its CSV carry their names, not the labels) and only those of ``order`` are kept; in
    English the names the code and its tests know the columns by stay, shown by their labels."""
    if i18n.language() != i18n.SOURCE:
        kept = frame[[c for c in order if c in frame.columns]] if order is not None else frame
        names = {column: _label(setting) for column, setting in config.items() if column in kept.columns}
        names = {column: label for column, label in names.items() if label}
        frame, config = kept.rename(columns=names), {names.get(c, c): setting for c, setting in config.items()}
        order = None
    draw = st.data_editor if editor else st.dataframe
    return draw(frame, hide_index=True, width="stretch", column_config=config, column_order=order, **options)


def _label(setting) -> str | None:
    return setting if isinstance(setting, str) else setting.get("label") if isinstance(setting, dict) else None


# How each projected output is named and shown in a table against the actual quarters
AGAINST_ACTUAL = {
    "active_accounts": (N_("Accounts"), "%.0f"),
    "platform_revenue": (N_("Revenue"), "compact"),
    "b_side_revenue": (N_("B-side"), "compact"),
    "take_rate": (N_("Take rate"), "percent"),
}
_AGAINST_ACTUAL_LABELS = {  # (kind → label of the column, marked for the catalog) with the output's name
    "projected": N_("{name} projected"),
    "planned": N_("{name} planned"),
    "actual": N_("{name} actual"),
    "inside": N_("{name} in band"),
}


def against_actual(kind: str, outputs=tuple(AGAINST_ACTUAL)) -> dict:
    """Column settings of a table of ``<output>_<kind>`` (``projected`` or ``planned``),
    ``_lower``, ``_upper``, ``_actual``, ``_error`` and ``_inside`` for each of ``outputs``:
    ``Accounts projected``, ``low``, ``high``, ``Accounts actual``, ``error``, ``accounts in band``."""
    settings = {}
    for output in outputs:
        text, form = AGAINST_ACTUAL[output]
        name = _(text)
        settings |= numbers(
            **{
                f"{output}_{kind}": (_(_AGAINST_ACTUAL_LABELS[kind]).format(name=name), form),
                f"{output}_lower": (_("low"), form),
                f"{output}_upper": (_("high"), form),
                f"{output}_actual": (_(_AGAINST_ACTUAL_LABELS["actual"]).format(name=name), form),
                f"{output}_error": (_("error"), "percent"),
            }
        )
        inside = _(_AGAINST_ACTUAL_LABELS["inside"]).format(name=name.lower() if name.isascii() else name)
        settings[f"{output}_inside"] = st.column_config.CheckboxColumn(inside)
    return settings
