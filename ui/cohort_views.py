"""The cohort page's computations: reductions the workspace's engine runs once per data version and
choice (``state.reduced``), on the accounts of the selection (signup attributes, optionally
without the first quarter's cohort). The selection is passed as a tuple of (column, values)
pairs so that it can be a cache key.
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


def _selected(live: ir.Table, selection: Selection, leave_out_first: bool) -> ir.Table:
    return cohorts.select_accounts(live, dict(selection), leave_out_first)


def filter_options() -> dict[str, list[str]]:
    """Per filter column present in the data, its values at signup."""
    return state.reduced(cohorts.signup_values, list(FILTER_COLUMNS))


def _matrix(live, selection, leave_out_first, period, metric, basis, observed):
    return cohorts.cohort_matrix(
        _selected(live, selection, leave_out_first), metric, basis, period=period, observed=observed
    )


def matrix(selection: Selection, leave_out_first: bool, period: str, metric: str, basis: str) -> pd.DataFrame:
    """``cohort_matrix`` of the selection."""
    return state.reduced(_matrix, selection, leave_out_first, period, metric, basis, _observed())


def _survival(live, selection, leave_out_first, period, by, observed):
    return cohorts.kaplan_meier(_selected(live, selection, leave_out_first), by=by, period=period, observed=observed)


def survival(selection: Selection, leave_out_first: bool, period: str, by: str | None) -> pd.DataFrame:
    """``kaplan_meier`` of the selection, by group when ``by`` is given."""
    return state.reduced(_survival, selection, leave_out_first, period, by, _observed())


def _fittable(live, selection, leave_out_first, period, observed):
    return cohorts.fittable_survivors(_selected(live, selection, leave_out_first), period, observed=observed)


def projection(selection: Selection, leave_out_first: bool, period: str, fit_periods: int | None, horizon: int):
    """(sBG model, ``holdout_check`` frame, warning text or None), or None when no cohort was
    observed for two periods. The survivor counts come from the engine; the fit runs here."""
    counts = state.reduced(_fittable, selection, leave_out_first, period, _observed())
    if not counts:
        return None
    return _fitted(tuple(tuple(int(n) for n in c) for c in counts), fit_periods, horizon)


@st.cache_data(show_spinner=False, max_entries=32)
def _fitted(counts: tuple[tuple[int, ...], ...], fit_periods: int | None, horizon: int):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", cohorts.SBGFitWarning)
        model, check = cohorts.holdout_check([np.asarray(c) for c in counts], fit_periods, horizon)
    warning = next((str(w.message) for w in caught if issubclass(w.category, cohorts.SBGFitWarning)), None)
    return model, check, warning


def _renewals(live, selection, observed):
    return cohorts.renewal_by_cycle(_selected(live, selection, False), observed=observed)


def renewals(selection: Selection) -> pd.DataFrame:
    """``renewal_by_cycle`` of the selection, the first quarter's accounts included (they get
    their own row there)."""
    return state.reduced(_renewals, selection, _observed())


def _survivors(live, selection, leave_out_first, period, observed):
    return cohorts.cohort_survivors(_selected(live, selection, leave_out_first), period, observed=observed)


def survivors(selection: Selection, leave_out_first: bool, period: str) -> pd.DataFrame:
    """``cohort_survivors`` of the selection: the survivor counts the sBG model is fitted on."""
    return state.reduced(_survivors, selection, leave_out_first, period, _observed())


def _observed() -> tuple[str, ...]:
    """The workspace's quarters: a selection of accounts has been observed over all of them."""
    return tuple(state.workspace().quarters())
