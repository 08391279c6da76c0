"""Column settings of the pages' tables."""

from __future__ import annotations

import streamlit as st


def numbers(**columns: tuple[str, str]):
    """Number columns by name: ``numbers(at_risk=("At risk", "localized"))``. The format is one of
    Streamlit's ("localized", "percent", "compact" …) or a printf pattern such as ``"%.1f"``."""
    return {name: st.column_config.NumberColumn(label, format=form) for name, (label, form) in columns.items()}
