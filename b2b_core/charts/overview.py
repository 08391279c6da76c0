"""The overview's figure: platform revenue and active accounts per quarter."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from b2b_core.amounts import Currency, amount_title
from b2b_core.charts.style import mark_quarter_gaps, with_quarter_gaps

PALETTE = {"platform": "#1f4e79", "b_side": "#8fb8de", "accounts": "#e07b39"}


def kpi_trend(kpis: pd.DataFrame, currency: Currency | None = None) -> go.Figure:
    """Platform revenue (bars, titled with ``currency``'s code) and active accounts (line, right
    axis) per quarter, from ``overview.quarter_kpis``; missing quarters shown as a break
    (``style.mark_quarter_gaps``)."""
    kpis = with_quarter_gaps(kpis)
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_bar(x=kpis.index, y=kpis["platform_revenue"], name="Platform revenue", marker_color=PALETTE["platform"])
    figure.add_scatter(
        x=kpis.index,
        y=kpis["active_accounts"],
        name="Active accounts",
        mode="lines+markers",
        line={"color": PALETTE["accounts"], "width": 3},
        secondary_y=True,
    )
    figure.update_yaxes(
        title_text=amount_title("Platform revenue per quarter", currency), secondary_y=False, rangemode="tozero"
    )
    figure.update_yaxes(
        title_text="Active accounts", secondary_y=True, rangemode="tozero", showgrid=False, tickmode="auto"
    )
    figure.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.12, "x": 0},
        hovermode="x unified",
    )
    return mark_quarter_gaps(figure, list(kpis.index))
