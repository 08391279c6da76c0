"""The scenario lab's computations: the base measured once per data version, then one cached
projection per (levers, horizon), so a lever change recomputes only the scenario it moved."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd
import streamlit as st

from b2b_core import i18n, scenarios
from b2b_core.i18n import _
from ui import state


@i18n.worded  # why no base can be fitted, in words
def _base(live: ir.Table) -> scenarios.Base | str:
    try:
        return scenarios.fit_base(live)
    except ValueError as exc:
        return str(exc)


def base(data: str) -> scenarios.Base | str:
    """``fit_base`` of the live panel with the workspace's base assumptions set by hand
    (``overrides``) in place, or the message saying why the data cannot carry one. The fit is
    measured by the workspace's engine once per data version (which ``state.reduced`` reads
    itself); ``key(data)`` keys the caches built on the result."""
    measured = measured_base(data)
    if isinstance(measured, str):
        return measured
    try:
        return scenarios.apply_overrides(measured, overrides())
    except ValueError as exc:  # e.g. a take rate set before the data lost their B-side revenue
        return _("a base assumption set by hand no longer fits the data ({reason})").format(reason=exc)


def measured_base(data: str) -> scenarios.Base | str:
    """``fit_base`` of the live panel as the data measure it, without the assumptions set by
    hand (see ``base``)."""
    return state.reduced(_base)


def overrides() -> dict[str, float]:
    """The workspace's base assumptions set by hand: assumption → value in its unit."""
    return {key: value for key, (value, *_) in state.workspace().base_overrides().items()}


def key(data: str) -> str:
    """The cache key of what is projected from the base: the data version ``data``, and the
    assumptions set by hand when there are any (so the key of a base without them is ``data``
    itself, as the warm-up prepares it)."""
    set_by_hand = overrides()
    return f"{data}|{sorted(set_by_hand.items())}" if set_by_hand else data


@i18n.worded  # why no back-test can be run, in words
def _backtest(live: ir.Table) -> pd.DataFrame | str:
    try:
        return scenarios.backtest(live, 4)
    except ValueError as exc:
        return str(exc)


def backtest(data: str) -> pd.DataFrame | str:
    """``scenarios.backtest`` of the live panel over its last four quarters, or why it cannot run."""
    return state.reduced(_backtest)


@st.cache_data(show_spinner=False, max_entries=512)
def projection(data: str, levers: tuple[tuple[str, float], ...], horizon: int, _base: scenarios.Base) -> pd.DataFrame:
    """The projection with bands of the scenario with ``levers`` (its name does not matter) from
    ``_base``, the ``base`` the page read for the data version ``data`` (which keys the cache): the
    base the page checked, even if another session commits meanwhile."""
    return scenarios.project(_base, scenarios.Scenario.of("projection", dict(levers)), horizon)


@st.cache_data(show_spinner=False, max_entries=64)
def sensitivity(
    data: str,
    levers: tuple[tuple[str, float], ...],
    horizon: int,
    _base: scenarios.Base,
    steps: tuple[tuple[str, float], ...] | None,
    lang: str,
) -> pd.DataFrame:
    """The tornado table around the scenario with ``levers``, from ``_base`` (as ``projection``),
    each lever moved by ``steps`` (lever key → step; None: the data's plausible steps); its
    labels, units and bases in the language ``lang``."""
    chosen = dict(steps) if steps is not None else None
    with i18n.use(lang):
        return scenarios.sensitivity(_base, scenarios.Scenario.of("tornado", dict(levers)), chosen, horizon=horizon)


def levers_key(scenario: scenarios.Scenario) -> tuple[tuple[str, float], ...]:
    """A scenario's levers and their timing (``settings``) as a hashable cache key."""
    return tuple(scenario.settings().items())


@st.cache_data(show_spinner=False, max_entries=64)
def goal(
    data: str,
    output: str,
    target: float,
    horizon: int,
    _base: scenarios.Base,
    mix: tuple[tuple[str, float], ...],
    lang: str,
) -> pd.DataFrame:
    """``scenarios.goal_seek`` from the base towards ``target`` for ``output`` in the horizon's
    last quarter, with the ``mix`` of levers (lever key → value per unit) as its own row when
    given; from ``_base`` (as ``projection``); its labels and units in the language ``lang``."""
    with i18n.use(lang):
        return scenarios.goal_seek(_base, output, target, horizon, mix=dict(mix) or None)
