"""The lifecycle signals of the live panel, shared by the Lifecycle page, the workshop deck and the
background preparation: measured once per data version, from the Overview's cached KPIs."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from b2b_core import charts, i18n, lifecycle, overview
from b2b_core.i18n import _
from ui import state


def _company_metrics(live: ir.Table, kpis: pd.DataFrame) -> pd.DataFrame:
    return lifecycle.company_metrics(live, kpis=kpis)


def metrics() -> pd.DataFrame:
    """``company_metrics`` of the live panel (its KPIs are those the Overview shows)."""
    return state.reduced(_company_metrics, kpis())


def kpis() -> pd.DataFrame:
    """``quarter_kpis`` of the live panel."""
    return state.reduced(overview.quarter_kpis)


@st.cache_resource(show_spinner=False, max_entries=8)
def signal_trends(data: str, lang: str, signals: tuple[tuple[str, tuple[str, str]], ...]) -> go.Figure:
    """``charts.signal_trends`` of ``metrics()`` with the titles of ``signals`` (English, marked
    ``N_``) in ``lang``, built once per data version and language (a plotly figure of eight small
    plots takes ~50 ms to build). A shared resource: read it, never change it. ``data`` keys the cache."""
    with i18n.use(lang):
        titled = {column: (_(title), kind) for column, (title, kind) in signals}
        return charts.signal_trends(metrics(), titled)
