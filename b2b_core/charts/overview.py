"""The overview's figures: platform revenue and active accounts per quarter, and a quarter's revenue bridge."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from b2b_core import quarters
from b2b_core.amounts import Currency, amount_title, money
from b2b_core.charts.style import amount_ticks, mark_quarter_gaps, twin_axes, with_quarter_gaps
from b2b_core.i18n import _
from b2b_core.overview import GAINS, LOSSES, bridge_labels
from b2b_core.quarters import quarter_text

PALETTE = {"platform": "#1f4e79", "b_side": "#8fb8de", "accounts": "#e07b39"}


def kpi_trend(kpis: pd.DataFrame, currency: Currency | None = None) -> go.Figure:
    """Platform revenue (bars, titled with ``currency``'s code) and active accounts (line, right
    axis) per quarter, from ``overview.quarter_kpis``; missing quarters shown as a break
    (``style.mark_quarter_gaps``)."""
    kpis = with_quarter_gaps(kpis)
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_bar(
        x=kpis.index, y=kpis["platform_revenue"], name=_("Platform revenue"), marker_color=PALETTE["platform"]
    )
    figure.add_scatter(
        x=kpis.index,
        y=kpis["active_accounts"],
        name=_("Active accounts"),
        mode="lines+markers",
        line={"color": PALETTE["accounts"], "width": 3},
        secondary_y=True,
    )
    twin_axes(
        figure,
        (amount_title(_("Platform revenue per quarter"), currency), kpis["platform_revenue"]),
        (_("Active accounts"), kpis["active_accounts"]),
        tickmode="auto",
    )
    figure.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.12, "x": 0},
        hovermode="x unified",
    )
    return mark_quarter_gaps(figure, list(kpis.index))


def _levels(measures: tuple[str, ...], amounts: tuple[float, ...]) -> list[float]:
    """The heights a waterfall's bars reach: each ``absolute`` or ``total`` amount as it is, each
    ``relative`` one added to the level before it."""
    levels, level = [], 0.0
    for measure, amount in zip(measures, amounts, strict=True):
        level = level + amount if measure == "relative" else amount
        levels.append(level)
    return levels


BRIDGE_COLOURS = {"gain": "#009E73", "loss": "#D55E00", "total": "#0072B2"}  # Okabe–Ito (charts.style)


def revenue_bridge_waterfall(
    bridge: pd.Series, quarter: str, revenue_label: str | None = None, currency: Currency | None = None
) -> go.Figure:
    """A quarter's row of ``overview.revenue_bridge`` as a waterfall: the quarter before's revenue
    (``start``), the gains (new, reactivated, expansion) up, the losses (contraction, churned) down,
    and the quarter's revenue (``end``) as a total; each bar labelled with its amount in ``currency``.
    ``revenue_label``: the revenue's name (platform revenue by default), in the current language."""
    revenue_label = revenue_label or _("Platform revenue")
    before = quarters.shift(quarter, -1)
    named = bridge_labels()
    steps = [
        (f"{before}", "absolute", float(bridge["start"])),
        *((named[part], "relative", float(bridge[part])) for part in GAINS),
        *((named[part], "relative", -float(bridge[part])) for part in LOSSES),
        (f"{quarter}", "total", float(bridge["end"])),
    ]
    names, measures, amounts = zip(*steps, strict=True)
    figure = go.Figure(
        go.Waterfall(
            x=list(names),
            measure=list(measures),
            y=list(amounts),
            text=[money(abs(a), currency) for a in amounts],
            textposition="outside",
            connector={"line": {"color": "#999999", "width": 1}},
            increasing={"marker": {"color": BRIDGE_COLOURS["gain"]}},
            decreasing={"marker": {"color": BRIDGE_COLOURS["loss"]}},
            totals={"marker": {"color": BRIDGE_COLOURS["total"]}},
            hovertemplate="%{x}: %{y:,.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title=_("{revenue}: {before} → {quarter}").format(
            revenue=revenue_label, before=quarter_text(before), quarter=quarter_text(quarter)
        ),
        showlegend=False,
    )
    figure.update_yaxes(
        title_text=amount_title(_("{revenue} per quarter").format(revenue=revenue_label), currency),
        rangemode="tozero",
        **amount_ticks(_levels(measures, amounts), zero=True, english=None),
    )
    figure.update_xaxes(type="category")
    return figure
