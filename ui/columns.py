"""Column settings of the pages' tables."""

from __future__ import annotations

import streamlit as st


def numbers(**columns: tuple[str, str]):
    """Number columns by name: ``numbers(at_risk=("At risk", "localized"))``. The format is one of
    Streamlit's ("localized", "percent", "compact" …) or a printf pattern such as ``"%.1f"``."""
    return {name: st.column_config.NumberColumn(label, format=form) for name, (label, form) in columns.items()}


# How each projected output is named and shown in a table against the actual quarters
AGAINST_ACTUAL = {
    "active_accounts": ("Accounts", "%.0f"),
    "platform_revenue": ("Revenue", "compact"),
    "b_side_revenue": ("B-side", "compact"),
    "take_rate": ("Take rate", "percent"),
}


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
