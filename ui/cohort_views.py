"""The cohort page's computations, once per data version and choice, shared by every session.

The workspace's engine selects the accounts (signup attributes, optionally without the first
quarter's cohort) and reduces them: to cohort × age sums for each table, and to the accounts'
lifetimes once per selection, period and grouping (``lifetimes``), from which the survival
curves, survivor counts and fits are computed. The selection is a tuple of (column, values) pairs
so that it can be a cache key.
"""

from __future__ import annotations

import warnings

import ibis.expr.types as ir
import numpy as np
import pandas as pd
import streamlit as st

from b2b_core import cohorts
from ui import state
from ui.filters import Selection

FILTER_COLUMNS = ("segment", "region", "tier")
TABS = [
    "Retention triangle",
    "Cohort curves",
    "Survival (Kaplan–Meier)",
    "Projection (sBG)",
    "Renewal by contract cycle",
]
OPEN_TAB = "cohort_view"  # the session key of the open tab


def _selected(live: ir.Table, selection: Selection, leave_out_first: bool) -> ir.Table:
    return cohorts.select_accounts(live, dict(selection), leave_out_first)


def lifetimes(selection: Selection, leave_out_first: bool, period: str, by: str | None) -> cohorts.Lifetimes:
    """The ``Lifetimes`` of the selection, asked of the engine once per data version, selection,
    period and grouping."""
    return state.reduced(_count_lifetimes, selection, leave_out_first, period, by, _observed())


def _count_lifetimes(
    live: ir.Table, selection: Selection, leave_out_first: bool, period: str, by: str | None, observed: tuple[str, ...]
) -> cohorts.Lifetimes:
    return cohorts.lifetimes(_selected(live, selection, leave_out_first), period, by, observed)


def _cohort_matrix(
    live: ir.Table,
    selection: Selection,
    leave_out_first: bool,
    period: str,
    metric: str,
    basis: str,
    observed: tuple[str, ...],
) -> pd.DataFrame:
    return cohorts.cohort_matrix(_selected(live, selection, leave_out_first), metric, basis, None, period, observed)


def first_cohort() -> cohorts.FirstCohort:
    """``first_cohort_choice`` of the live panel: whether the first cohort is left out by default."""
    return state.reduced(cohorts.first_cohort_choice)


def filter_options() -> dict[str, list[str]]:
    """Per filter column present in the data, its values at signup."""
    return state.reduced(cohorts.signup_values, list(FILTER_COLUMNS))


def matrix(selection: Selection, leave_out_first: bool, period: str, metric: str, basis: str) -> pd.DataFrame:
    """``cohort_matrix`` of the selection."""
    return state.reduced(_cohort_matrix, selection, leave_out_first, period, metric, basis, _observed())


def survival(selection: Selection, leave_out_first: bool, period: str, by: str | None) -> pd.DataFrame:
    """``kaplan_meier`` of the selection, by group when ``by`` is given."""
    return _survival(state.data_version(), selection, leave_out_first, period, by)


@st.cache_data(show_spinner=False, max_entries=32)
def _survival(data: str, selection: Selection, leave_out_first: bool, period: str, by: str | None):
    return cohorts.kaplan_meier(lifetimes(selection, leave_out_first, period, by), by=by, period=period)


def projection(selection: Selection, leave_out_first: bool, period: str, fit_periods: int | None, horizon: int):
    """(sBG model, ``holdout_check`` frame, warning text or None), or None when no cohort was
    observed for two periods."""
    return _projection(state.data_version(), selection, leave_out_first, period, fit_periods, horizon)


@st.cache_data(show_spinner=False, max_entries=32)
def _projection(
    data: str, selection: Selection, leave_out_first: bool, period: str, fit_periods: int | None, horizon: int
):
    counts = cohorts.fittable_survivors(lifetimes(selection, leave_out_first, period, None), period)
    if not counts:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", cohorts.SBGFitWarning)
        model, check = cohorts.holdout_check([np.asarray(c) for c in counts], fit_periods, horizon)
    warning = next((str(w.message) for w in caught if issubclass(w.category, cohorts.SBGFitWarning)), None)
    return model, check, warning


def _renewals(live: ir.Table, selection: Selection, observed: tuple[str, ...]) -> pd.DataFrame:
    return cohorts.renewal_by_cycle(_selected(live, selection, False), observed=observed)


def renewals(selection: Selection) -> pd.DataFrame:
    """``renewal_by_cycle`` of the selection, the first quarter's accounts included (they get
    their own row there)."""
    return state.reduced(_renewals, selection, _observed())


def survivors(selection: Selection, leave_out_first: bool, period: str) -> pd.DataFrame:
    """``cohort_survivors`` of the selection: the survivor counts the sBG model is fitted on."""
    return _survivors(state.data_version(), selection, leave_out_first, period)


@st.cache_data(show_spinner=False, max_entries=16)
def _survivors(data: str, selection: Selection, leave_out_first: bool, period: str) -> pd.DataFrame:
    return cohorts.cohort_survivors(lifetimes(selection, leave_out_first, period, None), period)


def _observed() -> tuple[str, ...]:
    """The workspace's quarters: a selection of accounts has been observed over all of them."""
    return tuple(state.quarters())
