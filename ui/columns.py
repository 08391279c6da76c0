"""Column settings of the pages' tables, and tables named in the reader's language."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from b2b_core import i18n
from b2b_core.i18n import N_, _
from b2b_core.quarters import quarter_text


def numbers(**columns: tuple[str, str]):
    """Number columns by name: ``numbers(at_risk=("At risk", "localized"))``. The format is one of
    Streamlit's ("localized", "percent", "compact" …) or a printf pattern such as ``"%.1f"``."""
    return {name: st.column_config.NumberColumn(label, format=form) for name, (label, form) in columns.items()}


# How each projected output is named and shown in a table against the actual quarters
AGAINST_ACTUAL = {
    "active_accounts": (N_("Accounts"), "%.0f"),
    "platform_revenue": (N_("Revenue"), "compact"),
    "b_side_revenue": (N_("B-side"), "compact"),
    "take_rate": (N_("Take rate"), "percent"),
}
# The columns of such a table named in words, each its own name (``against_actual_shown``)
AGAINST_ACTUAL_NAMES = {
    "projected": N_("{output} projected"),
    "planned": N_("{output} planned"),
    "lower": N_("{output} band low"),
    "upper": N_("{output} band high"),
    "actual": N_("{output} actual"),
    "error": N_("{output} error"),
    "inside": N_("{output} in band"),
}
INDEX_NAMES = {"quarter": N_("Quarter"), "scenario": N_("Scenario")}


def against_actual(kind: str, outputs=tuple(AGAINST_ACTUAL)) -> dict:
    """Column settings of a table of ``<output>_<kind>`` (``projected`` or ``planned``),
    ``_lower``, ``_upper``, ``_actual``, ``_error`` and ``_inside`` for each of ``outputs``:
    ``Accounts projected``, ``low``, ``high``, ``Accounts actual``, ``error``, ``accounts in band``."""
    settings = {}
    for output in outputs:
        name, form = AGAINST_ACTUAL[output]
        settings |= numbers(
            **{
                f"{output}_{kind}": (f"{name} {kind}", form),
                f"{output}_lower": ("low", form),
                f"{output}_upper": ("high", form),
                f"{output}_actual": (f"{name} actual", form),
                f"{output}_error": ("error", "percent"),
            }
        )
        settings[f"{output}_inside"] = st.column_config.CheckboxColumn(f"{name.lower()} in band")
    return settings


def against_actual_shown(frame: pd.DataFrame, kind: str, outputs=tuple(AGAINST_ACTUAL)) -> tuple[pd.DataFrame, dict]:
    """``frame`` (as ``against_actual`` describes, indexed by quarter, or by scenario and quarter)
    to show, with its column settings: in English the frame itself with ``against_actual``; in
    another language the columns renamed to their names in words (``AGAINST_ACTUAL_NAMES``: a
    table's data carry their column names), the quarters written as the language does."""
    if i18n.language() == i18n.SOURCE:
        return frame, against_actual(kind, outputs)
    names, settings = {}, {}
    for output in outputs:
        name, form = AGAINST_ACTUAL[output]
        for part in (kind, "lower", "upper", "actual", "error", "inside"):
            label = _(AGAINST_ACTUAL_NAMES[part]).format(output=_(name))
            names[f"{output}_{part}"] = label
            settings[label] = (
                st.column_config.CheckboxColumn(label)
                if part == "inside"
                else st.column_config.NumberColumn(label, format="percent" if part == "error" else form)
            )
    shown = frame.rename(columns=names).rename(index=quarter_text, level="quarter" if frame.index.nlevels > 1 else None)
    return shown.rename_axis(index=[_(INDEX_NAMES[n]) if n in INDEX_NAMES else n for n in shown.index.names]), settings


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
