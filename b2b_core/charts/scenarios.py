"""Figures of the scenario lab: the observed quarters followed by the base and each scenario's
projection with its band, the tornado of one scenario's levers, and saved plans against the
actual quarters. Inputs are the frames of ``b2b_core.scenarios``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from b2b_core.charts.style import (
    GROUP_COLOURS,
    LAYOUT,
    SI_TICKS,
    amount_ticks,
    mark_quarter_gaps,
    plain,
    quarter_axis,
    rgba,
    with_quarter_gaps,
)
from b2b_core.i18n import _

HISTORY_COLOUR = "#333333"
BASE_COLOUR = "#7f8c8d"
LOWER_COLOUR, HIGHER_COLOUR = "#D55E00", "#0072B2"
METRIC_FORMATS = {  # hover format and axis tick format of each projected metric
    "active_accounts": (",.0f", ",.0f"),
    "platform_revenue": (",.0f", SI_TICKS),
    "b_side_revenue": (",.0f", SI_TICKS),
    "take_rate": (".2%", ".1%"),
}


def scenario_colours(names: list[str]) -> dict[str, str]:
    """The colour of each scenario name, the base grey: charts and tables use the same ones."""
    colours = iter(GROUP_COLOURS * (len(names) // len(GROUP_COLOURS) + 1))
    return {name: BASE_COLOUR if i == 0 else next(colours) for i, name in enumerate(names)}


def _band_and_line(
    figure: go.Figure,
    quarters: list,
    point: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    colour: str,
    opacity: float,
    name: str,
    group: str,
    hover: str,
) -> None:
    """One projected path on ``figure``: its band from ``lower`` to ``upper`` shaded in
    ``colour`` at ``opacity``, then the ``point`` values as a dashed line with markers whose hover
    gives the band (``hover``: the d3 format of the values)."""
    figure.add_scatter(
        x=quarters + quarters[::-1],
        y=np.r_[upper, lower[::-1]],
        fill="toself",
        fillcolor=rgba(colour, opacity),
        mode="lines",
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
        legendgroup=group,
    )
    figure.add_scatter(
        x=quarters,
        y=point,
        mode="lines+markers",
        line={"color": colour, "width": 3, "dash": "dash"},
        marker={"size": 6},
        name=name,
        legendgroup=group,
        customdata=np.c_[lower, upper],
        hovertemplate=f"%{{fullData.name}} · %{{x}}: %{{y:{hover}}} "
        f"(%{{customdata[0]:{hover}}} – %{{customdata[1]:{hover}}})<extra></extra>",
    )


def _value_ticks(figure: go.Figure, ticks: str) -> dict:
    """The y axis's tick settings of a metric drawn with the tick format ``ticks``: amounts
    (``SI_TICKS``) as ``amount_ticks`` writes them over every value drawn, else the format."""
    if ticks != SI_TICKS:
        return {"tickformat": ticks}
    return amount_ticks(np.concatenate([np.asarray(trace.y, dtype=float) for trace in figure.data]), zero=True)


def scenario_projection(
    history: pd.DataFrame, projections: Mapping[str, pd.DataFrame], metric: str, title: str, band: float
) -> go.Figure:
    """``metric`` per quarter: observed (``history``, solid dark), then each projection (the
    first is the base) as a dashed line from the last observed quarter with its ``band`` (a
    share, e.g. 0.9) shaded. ``projections``: name → ``project`` frame with bands. Quarters missing
    from ``history`` are shown as a break."""
    hover, ticks = METRIC_FORMATS[metric]
    history = with_quarter_gaps(history)
    figure = go.Figure()
    last_quarter, last_value = history.index[-1], history[metric].iloc[-1]
    colours = scenario_colours(list(projections))
    for name, frame in projections.items():
        colour, label = colours[name], plain(name)
        _band_and_line(
            figure,
            [last_quarter, *frame.index],
            *(np.r_[last_value, frame[f"{metric}{part}"]] for part in ("", "_lower", "_upper")),
            colour=colour,
            opacity=0.12,
            name=label,
            group=label,
            hover=hover,
        )
    figure.add_scatter(
        x=history.index,
        y=history[metric],
        mode="lines+markers",
        line={"color": HISTORY_COLOUR, "width": 3},
        name=_("Observed"),
        hovertemplate=f"{_('Observed')} · %{{x}}: %{{y:{hover}}}<extra></extra>",
    )
    figure.add_vline(x=len(history) - 1, line={"color": "#999", "dash": "dot", "width": 1})
    future = next(iter(projections.values())).index if projections else []
    figure.update_yaxes(title_text=title, **_value_ticks(figure, ticks), rangemode="tozero")
    figure.update_layout(
        height=440,
        title={
            "text": _("{title}: observed, then projected (shaded: {band} band)").format(
                title=title, band=f"{band:.0%}"
            ),
            "font": {"size": 15},
        },
        **LAYOUT,
    )
    return mark_quarter_gaps(figure, [*history.index, *future])


def plan_vs_actual(
    plans: Mapping[str, pd.DataFrame], actual: pd.Series, metric: str, title: str, band: float
) -> go.Figure:
    """Saved plans against what happened: each plan (name → the ``projection`` of a
    ``KeptProjection``) as a dashed line with its ``band`` (a share, e.g. 0.9) shaded, over all
    the quarters it planned; ``actual`` (``metric`` per observed quarter, e.g. from the quarter
    each plan was saved on) as dark points joined by a line, broken where quarters are missing."""
    hover, ticks = METRIC_FORMATS[metric]
    figure = go.Figure()
    colours = dict(zip(plans, GROUP_COLOURS * (len(plans) // len(GROUP_COLOURS) + 1), strict=False))
    for name, frame in plans.items():
        label = plain(name)
        _band_and_line(
            figure,
            list(frame.index),
            *(np.asarray(frame[f"{metric}{part}"]) for part in ("", "_lower", "_upper")),
            colour=colours[name],
            opacity=0.15,
            name=_("{scenario} (plan)").format(scenario=label),
            group=label,
            hover=hover,
        )
    every = quarter_axis([*actual.index, *(q for frame in plans.values() for q in frame.index)])
    actual = with_quarter_gaps(actual)
    figure.add_scatter(
        x=list(actual.index),
        y=actual,
        mode="lines+markers",
        line={"color": HISTORY_COLOUR, "width": 2},
        marker={"size": 11, "symbol": "circle"},
        name=_("Actual"),
        hovertemplate=f"{_('Actual')} · %{{x}}: %{{y:{hover}}}<extra></extra>",
    )
    figure.update_yaxes(title_text=title, **_value_ticks(figure, ticks), rangemode="tozero")
    figure.update_layout(
        height=420,
        title={
            "text": _("{title}: planned when saved (shaded: {band} band) and actual").format(
                title=title, band=f"{band:.0%}"
            ),
            "font": {"size": 15},
        },
        **LAYOUT,
    )
    return mark_quarter_gaps(figure, every)


def tornado(table: pd.DataFrame, title: str) -> go.Figure:
    """A ``sensitivity`` table as a tornado: per lever, labelled with its range (``Renewal uplift
    ± 2.1 points``), the change when it is moved down (left, orange) and up (right, blue) by its
    step, largest swing on top."""
    rows = table.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [
        _("{lever} ± {step} {unit}").format(lever=label, step=f"{step:g}", unit=unit)
        for label, step, unit in zip(rows["label"], rows["step"], rows["unit"])
    ]
    figure = go.Figure()
    for side, colour, name in (
        ("low", LOWER_COLOUR, _("Lever at the low end of its range")),
        ("high", HIGHER_COLOUR, _("Lever at the high end of its range")),
    ):
        figure.add_bar(
            y=labels,
            x=rows[f"{side}_change"],
            orientation="h",
            marker_color=colour,
            name=name,
            customdata=np.c_[rows[side], rows["unit"]],
            hovertemplate=_("%{y} at %{customdata[0]:g} %{customdata[1]}: %{x:+,.0f}") + "<extra></extra>",
        )
    figure.add_vline(x=0, line={"color": "#333", "width": 1})
    figure.update_layout(
        barmode="overlay", height=80 + 46 * len(rows), title={"text": title, "font": {"size": 15}}, **LAYOUT
    )
    changes = np.r_[rows["low_change"], rows["high_change"]]
    figure.update_xaxes(title_text=_("Change in cumulative platform revenue"), **amount_ticks(changes, zero=True))
    return figure
