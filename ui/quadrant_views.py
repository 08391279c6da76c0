"""The quadrant page's computations, cached by the data version (workspace file and version) and
the page's choices.

The selection (filters) is a tuple of (column, values) pairs so that it can be a cache key; the
cut rule is a tuple too (see ``b2b_core.quadrants.assign``). Everything is computed on the whole
live panel, so cut points are those of the whole quarter; the selection only chooses the accounts.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from b2b_core import charts, quadrants
from ui import state
from ui.filters import Selection

FILTER_COLUMNS = ("segment", "region", "tier", "owner")


@st.cache_resource(show_spinner=False, max_entries=4)
def _accounts(data: str, selection: Selection) -> pd.Index | None:
    """The ids of the selected accounts, None for all (shared, read-only; ``data`` keys the cache)."""
    return quadrants.accounts_matching(state.live_panel(), dict(selection))


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options(data: str) -> dict[str, list[str]]:
    """Per filter column present in the data, its values."""
    panel = state.live_panel()
    return {
        c: sorted(panel[c].dropna().astype(str).unique())
        for c in FILTER_COLUMNS
        if c in panel.columns and panel[c].notna().any()
    }


@st.cache_data(show_spinner=False, max_entries=64)
def assigned(data: str, selection: Selection, quarter: str, cut, by: str | None) -> pd.DataFrame:
    """``assign_quadrants`` of the selection in ``quarter``."""
    return quadrants.assign_quadrants(state.live_panel(), quarter, cut, by, _accounts(data, selection))


@st.cache_data(show_spinner=False, max_entries=32)
def migration(data: str, selection: Selection, from_quarter: str, to_quarter: str, cut, by: str | None):
    """``quadrant_migration`` of the selection."""
    panel, accounts = state.live_panel(), _accounts(data, selection)
    return quadrants.quadrant_migration(panel, from_quarter, to_quarter, cut, by, accounts)


@st.cache_data(show_spinner=False, max_entries=16)
def summary(data: str, selection: Selection, cut, by: str | None, quarters: tuple[str, ...]) -> pd.DataFrame:
    """``quadrant_summary`` of the selection in ``quarters``."""
    return quadrants.quadrant_summary(state.live_panel(), cut, by, list(quarters), _accounts(data, selection))


@st.cache_data(show_spinner="Finding clusters…", max_entries=8)
def segmentation(data: str, selection: Selection, quarter: str, cut, by: str | None):
    """``segment_accounts`` of the selection, or the reason it cannot run (text)."""
    try:
        return quadrants.segment_accounts(state.live_panel(), quarter, cut, by, _accounts(data, selection))
    except ValueError as exc:
        return str(exc)


@st.cache_resource(show_spinner=False, max_entries=8)
def map_figure(
    data: str,
    selection: Selection,
    quarter: str,
    cut,
    by: str | None,
    log_axes: bool,
    colour_by: str,
    size_by: str | None,
    play_key: tuple[str, float],
) -> go.Figure:
    """The quadrant map of ``quarter`` (``colour_by="cluster"`` colours by ``segmentation``). A
    shared resource, not a copy per call (a 100,000-point figure takes 0.1 s to unpickle): read it,
    never change it."""
    shown = assigned(data, selection, quarter, cut, by)
    clusters = segmentation(data, selection, quarter, cut, by) if colour_by == "cluster" else None
    if isinstance(clusters, quadrants.Segmentation):
        numbers = clusters.accounts.set_index("account_id")["cluster"]
        shown = shown.assign(cluster=shown["account_id"].map(numbers).map("Cluster {:.0f}".format, na_action="ignore"))
    elif colour_by == "cluster":
        colour_by = "quadrant"  # no clusters (the page says why)
    placed = shown["quadrant"].isin(quadrants.QUADRANTS).sum()
    return charts.quadrant_map(
        shown,
        state.playbook(play_key),
        log_axes=log_axes,
        colour_by=colour_by,
        size_by=size_by,
        take_rate=quadrants.median_take_rate(shown),
        cut_label=cut_label(cut),
        title=f"{quarter} · {charts.quadrants.CONVENTION}"
        + (f" · cut lines per {by}" if by else "")
        + ("" if placed <= charts.quadrants.WEBGL_ABOVE else " · WebGL"),
    )


def cut_label(cut) -> str:
    """How a cut rule reads on the chart: ``median``, ``25th percentile``, ``fixed`` …"""
    if isinstance(cut, tuple):
        return f"{cut[1]:g}th percentile" if cut[0] == "percentile" else "fixed"
    return cut


@st.cache_data(show_spinner="Preparing the play-through…", max_entries=4)
def play_through(
    data: str, selection: Selection, observed: tuple[str, ...], cut, by: str | None, play_key: tuple[str, float]
) -> go.Figure | None:
    """The animated quadrant map over every quarter with placed accounts (log axes), or None with
    fewer than two such quarters."""
    frames = {q: assigned(data, selection, q, cut, by) for q in observed}
    frames = {q: frame for q, frame in frames.items() if frame["quadrant"].isin(quadrants.QUADRANTS).any()}
    if len(frames) < 2:
        return None
    latest = frames[list(frames)[-1]]
    return charts.quadrant_play_through(
        frames, state.playbook(play_key), log_axes=True, take_rate=quadrants.median_take_rate(latest)
    )
