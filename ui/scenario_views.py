"""The scenario lab's computations: the base measured once per data version, then one cached
projection per (levers, horizon), so a lever change recomputes only the scenario it moved."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from b2b_core import scenarios
from ui import state


@st.cache_resource(show_spinner="Measuring the base from the data…", max_entries=2)
def base(data: str) -> scenarios.Base | str:
    """``fit_base`` of the live panel, or the message saying why the data cannot carry one.
    A shared read-only resource: the arrays are not copied per call."""
    try:
        return scenarios.fit_base(state.live_panel())
    except ValueError as exc:
        return str(exc)


@st.cache_data(show_spinner="Back-testing the base…", max_entries=2)
def backtest(data: str) -> pd.DataFrame | str:
    """``scenarios.backtest`` of the live panel over its last four quarters, or why it cannot run."""
    try:
        return scenarios.backtest(state.live_panel(), 4)
    except ValueError as exc:
        return str(exc)


@st.cache_data(show_spinner=False, max_entries=512)
def projection(data: str, levers: tuple[tuple[str, float], ...], horizon: int) -> pd.DataFrame:
    """The projection with bands of the scenario with ``levers`` (its name does not matter)."""
    return scenarios.project(base(data), scenarios.Scenario.of("projection", dict(levers)), horizon)


@st.cache_data(show_spinner=False, max_entries=64)
def sensitivity(data: str, levers: tuple[tuple[str, float], ...], horizon: int) -> pd.DataFrame:
    """The tornado table around the scenario with ``levers``."""
    return scenarios.sensitivity(base(data), scenarios.Scenario.of("tornado", dict(levers)), horizon=horizon)


def levers_key(scenario: scenarios.Scenario) -> tuple[tuple[str, float], ...]:
    """A scenario's levers as a hashable cache key."""
    return tuple(scenario.levers().items())
