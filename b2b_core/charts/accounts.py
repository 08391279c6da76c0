"""The accounts page's figures: revenue at stake per list, and one account's quarters."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from b2b_core.accounts.lists import KIND_NAMES
from b2b_core.amounts import account_count
from b2b_core.charts.overview import PALETTE
from b2b_core.charts.style import LAYOUT, amount_ticks, plain, twin_axes
from b2b_core.i18n import _
from b2b_core.quarters import quarter_text


def lists_at_stake(counts: pd.DataFrame, chosen: str | None = None) -> go.Figure:
    """Revenue at stake per list (bars, from ``AccountLists.counts``), the ``chosen`` list darker;
    each bar says how many accounts it holds."""
    colours = [PALETTE["platform"] if kind == chosen else PALETTE["b_side"] for kind in counts.index]
    figure = go.Figure(
        go.Bar(
            x=[_(KIND_NAMES.get(kind, kind)).capitalize() for kind in counts.index],
            y=counts["at_stake"],
            marker_color=colours,
            text=[account_count(n) for n in counts["accounts"]],
            textposition="outside",
            hovertemplate=_("%{x}: %{y:,.2f} at stake, %{text}") + "<extra></extra>",
        )
    )
    figure.update_layout(height=240, yaxis_title=_("Platform revenue at stake"), showlegend=False, **LAYOUT)
    figure.update_yaxes(rangemode="tozero", **amount_ticks(counts["at_stake"], zero=True, english=None))
    return figure


def account_quarters(history: pd.DataFrame, title: str) -> go.Figure:
    """One account's platform revenue (bars) and B-side revenue (line, right axis) per quarter,
    from ``accounts.account_history``; each bar's text is the account's quadrant that quarter."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_bar(
        x=history["quarter"].map(quarter_text),
        y=history["platform_revenue"],
        name=_("Platform revenue"),
        marker_color=PALETTE["platform"],
        text=history["quadrant"].astype(str),
        textposition="outside",
    )
    if history["b_side_revenue"].notna().any():
        figure.add_scatter(
            x=history["quarter"].map(quarter_text),
            y=history["b_side_revenue"],
            name=_("B-side revenue"),
            mode="lines+markers",
            line={"color": PALETTE["accounts"], "width": 2},
            secondary_y=True,
        )
    twin_axes(
        figure, (_("Platform revenue"), history["platform_revenue"]), (_("B-side revenue"), history["b_side_revenue"])
    )
    figure.update_xaxes(type="category")
    figure.update_layout(height=300, title=plain(title), **LAYOUT)
    return figure
