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

from b2b_core import cohorts, i18n
from b2b_core.headers import named
from b2b_core.i18n import N_, _
from ui import state
from ui.filters import Selection

FILTER_COLUMNS = ("segment", "region", "tier")
TABS = [  # shown translated: the open tab's session value is its label in the run's language
    N_("Retention triangle"),
    N_("Cohort curves"),
    N_("Survival (Kaplan–Meier)"),
    N_("Projection (sBG)"),
    N_("Renewal by contract cycle"),
]
OPEN_TAB = "cohort_view"  # the session key of the open tab
HEADERS = frozenset(  # the tables' column and index names, translated in a CSV download or a table's index
    (
        N_("cohort"),
        N_("age"),
        N_("segment"),
        N_("region"),
        N_("tier"),
        N_("cycle"),
        N_("accounts"),
        N_("initial_revenue"),
        N_("at_risk"),
        N_("churned"),
        N_("censored"),
        N_("survival"),
        N_("lower"),
        N_("upper"),
        N_("observed"),
        N_("predicted"),
        N_("held_out"),
        N_("error"),
        N_("up_for_renewal"),
        N_("renewed"),
        N_("pending"),
        N_("logo_rate"),
        N_("value_up"),
        N_("value_renewed"),
        N_("value_rate"),
        N_("gross_value_rate"),
    )
)
ROW_LABELS = (cohorts.AVERAGE, cohorts.TOTAL, cohorts.EARLIER_START, cohorts.NOT_SET)  # row keys that are words


def tab_labels() -> list[str]:
    """The tabs' labels in the run's language. The open tab (its label, in the session) stays open
    when the language changes: a label of another language is turned into this one's."""
    here = [_(tab) for tab in TABS]
    opened = st.session_state.get(OPEN_TAB)
    for lang in i18n.LANGUAGES:
        with i18n.use(lang):
            labels = [_(tab) for tab in TABS]
        if opened in labels and opened not in here:
            st.session_state[OPEN_TAB] = here[labels.index(opened)]
    return here


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
    return _projection(state.data_version(), selection, leave_out_first, period, fit_periods, horizon, i18n.language())


@st.cache_data(show_spinner=False, max_entries=32)
def _projection(
    data: str,
    selection: Selection,
    leave_out_first: bool,
    period: str,
    fit_periods: int | None,
    horizon: int,
    lang: str,
):
    """The fit of ``projection``; its warning is written in ``lang``."""
    counts = cohorts.fittable_survivors(lifetimes(selection, leave_out_first, period, None), period)
    if not counts:
        return None
    with i18n.use(lang), warnings.catch_warnings(record=True) as caught:
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


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as the run's language names it (a table on screen, a CSV download): its column and
    index names of ``HEADERS`` and its summary, "started before the data" and "(not set)" rows translated; data
    (cohorts, groups, ages) as they are. In English: ``frame`` as it is."""
    rows = {label: _(label) for label in ROW_LABELS}
    return named(frame.rename(index=rows), lambda name: _(name) if name in HEADERS else name)


def shown_config(config: dict) -> dict:
    """Column settings (``st.column_config``) keyed as ``shown`` names the columns."""
    return {(_(name) if name in HEADERS else name): setting for name, setting in config.items()}


def _observed() -> tuple[str, ...]:
    """The workspace's quarters: a selection of accounts has been observed over all of them."""
    return tuple(state.quarters())
