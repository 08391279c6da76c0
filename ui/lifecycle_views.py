"""The lifecycle signals of the live panel, shared by the Lifecycle page, the workshop deck and the
background preparation: measured once per data version, from the Overview's cached KPIs."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from b2b_core import charts, lifecycle, overview
from ui import state


def _company_metrics(live: ir.Table, kpis: pd.DataFrame) -> pd.DataFrame:
    return lifecycle.company_metrics(live, kpis=kpis)


def metrics() -> pd.DataFrame:
    """``company_metrics`` of the live panel (its KPIs are those the Overview shows)."""
    return state.reduced(_company_metrics, kpis())


def kpis() -> pd.DataFrame:
    """``quarter_kpis`` of the live panel."""
    return state.reduced(overview.quarter_kpis)


@st.cache_resource(show_spinner=False, max_entries=4)
def signal_trends(data: str, signals: tuple[tuple[str, tuple[str, str]], ...]) -> go.Figure:
    """``charts.signal_trends`` of ``metrics()``, built once per data version (a plotly figure of
    eight small plots takes ~50 ms to build). A shared resource: read it, never change it. ``data``
    keys the cache."""
    return charts.signal_trends(metrics(), dict(signals))
