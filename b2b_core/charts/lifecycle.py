"""Figures of the lifecycle page: the stage timeline, the signals' trends and the ranked levers
with the parts of their scores. Inputs are the frames of ``b2b_core.lifecycle``."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from b2b_core.charts.style import GROUP_COLOURS, LAYOUT, amount_ticks, mark_quarter_gaps, with_quarter_gaps
from b2b_core.i18n import N_, _
from b2b_core.lifecycle import NOT_ENOUGH_HISTORY, STAGE_NAMES

STAGE_COLOURS = {
    NOT_ENOUGH_HISTORY: "#bbbbbb",
    "cold_start": "#56B4E9",
    "traction": "#E69F00",
    "accelerated_growth": "#009E73",
    "steady_growth": "#0072B2",
    "contraction": "#D55E00",
}
TIMELINE_NAMES = {NOT_ENOUGH_HISTORY: N_("Not enough history"), **STAGE_NAMES}  # bottom to top; translated where drawn
BASE_COLOUR = "#9aa5b1"


def stage_timeline(timeline: pd.DataFrame) -> go.Figure:
    """The detected stage of every quarter (``lifecycle.stage_timeline``) as a step line over the
    stages (a quarter with too short a history on a level of its own, at the bottom), each
    quarter's marker in its stage's colour; missing quarters shown as a break."""
    order = list(TIMELINE_NAMES)
    timeline = with_quarter_gaps(timeline)
    figure = go.Figure()
    figure.add_scatter(
        x=timeline.index,
        y=timeline["stage"].map({stage: level for level, stage in enumerate(order)}),
        mode="lines+markers",
        line={"shape": "hv", "color": "#777", "width": 2},
        marker={"size": 14, "color": timeline["stage"].map(STAGE_COLOURS).fillna(BASE_COLOUR)},
        customdata=timeline["name"],
        hovertemplate="%{x}: %{customdata}<extra></extra>",
        showlegend=False,
    )
    figure.update_yaxes(
        tickvals=list(range(len(order))),
        ticktext=[_(TIMELINE_NAMES[s]) for s in order],
        range=[-0.5, len(order) - 0.5],
        title_text=_("Stage"),
    )
    figure.update_xaxes(title_text=_("Quarter"))
    figure.update_layout(height=260, **LAYOUT)
    return mark_quarter_gaps(figure, list(timeline.index))


def signal_trends(metrics: pd.DataFrame, signals: dict[str, tuple[str, str]]) -> go.Figure:
    """Small multiples of ``signals`` (column → (title, "share" | "count")) over the quarters of
    ``company_metrics``; shares drawn as percentages, missing quarters as a break."""
    metrics = with_quarter_gaps(metrics[list(signals)])
    columns = 4
    rows = math.ceil(len(signals) / columns)
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=[title for title, _kind in signals.values()])
    for position, (column, (title, kind)) in enumerate(signals.items()):
        row, col = position // columns + 1, position % columns + 1
        figure.add_scatter(
            x=metrics.index,
            y=metrics[column],
            mode="lines+markers",
            line={"color": GROUP_COLOURS[0], "width": 2},
            marker={"size": 4},
            name=title,
            hovertemplate="%{x}: %{y:" + (".1%" if kind == "share" else ",.0f") + "}<extra>" + title + "</extra>",
            showlegend=False,
            row=row,
            col=col,
        )
        share = ".2~%"  # two decimals at most, trailing zeros dropped: no two ticks alike on a narrow range
        ticks = {"tickformat": share} if kind == "share" else amount_ticks(metrics[column])
        figure.update_yaxes(row=row, col=col, **ticks)
        figure.update_xaxes(showticklabels=False, row=row, col=col)
    figure.update_annotations(font={"size": 12})
    figure.update_layout(height=190 * rows, margin={"l": 10, "r": 10, "t": 30, "b": 10}, template="plotly_white")
    return mark_quarter_gaps(figure, list(metrics.index))


def lever_scores(priorities: pd.DataFrame, rule_names: dict[str, str]) -> go.Figure:
    """The ranked levers of ``lifecycle.prioritize`` as horizontal stacked bars: the base weight,
    then every adjustment that is not zero (one colour per rule), the total at the end."""
    ordered = priorities.iloc[::-1]  # best on top
    labels = [f"{rank}. {name}" for rank, name in zip(ordered["rank"], ordered["name"], strict=True)]
    figure = go.Figure()
    figure.add_bar(
        y=labels,
        x=ordered["base"],
        orientation="h",
        name=_("Playbook base weight"),
        marker_color=BASE_COLOUR,
        hovertemplate=_("%{y}: base %{x:.1f}") + "<extra></extra>",
    )
    active_rules = [rule for rule in rule_names if rule in ordered and ordered[rule].abs().sum() > 0]
    for position, rule in enumerate(active_rules):
        figure.add_bar(
            y=labels,
            x=ordered[rule],
            orientation="h",
            name=rule_names[rule],
            marker_color=GROUP_COLOURS[position % len(GROUP_COLOURS)],
            hovertemplate="%{y}: +%{x:.2f} (" + rule_names[rule] + ")<extra></extra>",
        )
    figure.add_scatter(
        y=labels,
        x=ordered["score"],
        mode="text",
        text=[f"  {score:.1f}" for score in ordered["score"]],
        textposition="middle right",
        showlegend=False,
        hoverinfo="skip",
    )
    figure.update_xaxes(title_text=_("Priority score (base weight + data-driven adjustments)"), rangemode="tozero")
    figure.update_layout(
        barmode="stack",
        height=120 + 38 * len(ordered),
        **{**LAYOUT, "legend": {"orientation": "h", "y": -0.25, "x": 0}},
    )
    return figure
