"""The cohort page's computations, cached by the data version (workspace file and version) and the page's choices.

Each function reads the live panel, keeps the accounts of the selection (signup attributes,
optionally without the first quarter's cohort) and calls ``b2b_core.cohorts``; the selection is
passed as a tuple of (column, values) pairs so that it can be a cache key.
"""

from __future__ import annotations

import warnings

import pandas as pd
import streamlit as st

from b2b_core import cohorts
from ui import state
from ui.filters import Selection

FILTER_COLUMNS = ("segment", "region", "tier")


@st.cache_resource(show_spinner=False, max_entries=4)
def _selected(data: str, selection: Selection, leave_out_first: bool) -> pd.DataFrame:
    """The rows of the selected accounts (shared, read-only; ``data`` keys the cache)."""
    return cohorts.select_accounts(state.live_panel(), dict(selection), leave_out_first)


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options(data: str) -> dict[str, list[str]]:
    """Per filter column present in the data, its values at signup."""
    panel = state.live_panel()
    present = [c for c in FILTER_COLUMNS if c in panel.columns and panel[c].notna().any()]
    if panel.empty or not present:
        return {}
    signup = cohorts.signup_attributes(panel, present)
    return {c: sorted(signup[c].unique()) for c in present}


@st.cache_data(show_spinner=False, max_entries=64)
def matrix(data: str, selection: Selection, leave_out_first: bool, period: str, metric: str, basis: str):
    """``cohort_matrix`` of the selection."""
    panel = _selected(data, selection, leave_out_first)
    return cohorts.cohort_matrix(panel, metric, basis, period=period, observed=state.workspace().quarters())


@st.cache_data(show_spinner=False, max_entries=32)
def survival(data: str, selection: Selection, leave_out_first: bool, period: str, by: str | None):
    """``kaplan_meier`` of the selection, by group when ``by`` is given."""
    panel = _selected(data, selection, leave_out_first)
    return cohorts.kaplan_meier(panel, by=by, period=period, observed=state.workspace().quarters())


@st.cache_data(show_spinner=False, max_entries=32)
def projection(
    data: str, selection: Selection, leave_out_first: bool, period: str, fit_periods: int | None, horizon: int
):
    """(sBG model, ``holdout_check`` frame, warning text or None), or None when no cohort was
    observed for two periods."""
    panel = _selected(data, selection, leave_out_first)
    counts = cohorts.fittable_survivors(panel, period, observed=state.workspace().quarters())
    if not counts:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", cohorts.SBGFitWarning)
        model, check = cohorts.holdout_check(counts, fit_periods, horizon)
    warning = next((str(w.message) for w in caught if issubclass(w.category, cohorts.SBGFitWarning)), None)
    return model, check, warning


@st.cache_data(show_spinner=False, max_entries=16)
def renewals(data: str, selection: Selection):
    """``renewal_by_cycle`` of the selection, the first quarter's accounts included (they get
    their own row there)."""
    return cohorts.renewal_by_cycle(_selected(data, selection, False), observed=state.workspace().quarters())


@st.cache_data(show_spinner=False, max_entries=16)
def survivors(data: str, selection: Selection, leave_out_first: bool, period: str):
    """``cohort_survivors`` of the selection: the survivor counts the sBG model is fitted on."""
    panel = _selected(data, selection, leave_out_first)
    return cohorts.cohort_survivors(panel, period, observed=state.workspace().quarters())
