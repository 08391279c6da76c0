"""Figures of the cohort renewals page: retention triangle, cohort curves, Kaplan–Meier survival,
the sBG projection and renewal by contract cycle. Inputs are the frames of ``b2b_core.cohorts``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from b2b_core.amounts import short_amount
from b2b_core.charts.style import GROUP_COLOURS, LAYOUT, mark_quarter_gaps, plain, rgba, with_quarter_gaps
from b2b_core.cohorts.survival import SURVIVAL

MEAN_COLOUR = "#0b3d66"
MODEL_COLOUR = "#D55E00"


def _age_title(period: str) -> str:
    return f"Age ({period}s since signup)"


def retention_heatmap(matrix: pd.DataFrame, value_title: str, as_share: bool, period: str = "quarter") -> go.Figure:
    """The retention triangle: one row per cohort (oldest on top), then the summary row, one column
    per age. ``matrix`` is a ``cohort_matrix`` table (single group); ``as_share`` formats cells as
    percentages (else as counts or money); ``value_title`` names the colour scale. Quarterly
    cohorts missing between the first and the last are one empty, labelled row (``mark_quarter_gaps``)."""
    if period == "quarter":
        matrix = with_quarter_gaps(matrix)
    ages = [c for c in matrix.columns if isinstance(c, (int, np.integer))]
    values = matrix[ages].to_numpy(dtype=float)
    text = np.where(np.isnan(values), "", _cell_text(values, as_share))
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=[str(a) for a in ages],
            y=[str(c) for c in matrix.index],
            text=text,
            texttemplate="%{text}",
            customdata=np.repeat(matrix["accounts"].to_numpy()[:, None], len(ages), axis=1),
            hovertemplate="Cohort %{y} · age %{x}<br>" + value_title + ": %{text}<br>Cohort size: %{customdata:,} "
            "accounts<extra></extra>",
            colorscale="Blues",
            zmin=0,
            zmax=float(np.nanmax(values)) if as_share and np.isfinite(values).any() else None,
            colorbar={"title": {"text": value_title}, "tickformat": ".0%" if as_share else "~s"},
            xgap=1,
            ygap=1,
        )
    )
    figure.update_yaxes(autorange="reversed", title_text="Signup cohort", type="category")
    figure.update_xaxes(title_text=_age_title(period), type="category", side="top")
    figure.update_layout(height=max(320, 34 * len(matrix) + 120), **{**LAYOUT, "margin": {**LAYOUT["margin"], "t": 60}})
    return mark_quarter_gaps(figure, [str(c) for c in matrix.index], along="y")


def _cell_text(values: np.ndarray, as_share: bool) -> np.ndarray:
    if as_share:
        return np.char.add(np.char.mod("%.0f", np.nan_to_num(values) * 100), "%")
    scaled = np.nan_to_num(values)
    return np.array([[short_amount(v) for v in row] for row in scaled])


def _ages(matrix: pd.DataFrame) -> list[int]:
    return [c for c in matrix.columns if isinstance(c, (int, np.integer))]


def _add_cohort_lines(figure: go.Figure, matrix: pd.DataFrame, summary_label: str) -> None:
    """One thin line per cohort of a ``cohort_matrix`` table with ratios, lighter for younger cohorts."""
    ages = _ages(matrix)
    cohorts = [c for c in matrix.index if c != summary_label]
    for position, cohort in enumerate(cohorts):
        shade = 0.25 + 0.55 * (1 - position / max(len(cohorts) - 1, 1))
        figure.add_scatter(
            x=ages,
            y=matrix.loc[cohort, ages].to_numpy(dtype=float),
            mode="lines",
            name="Each signup cohort",
            line={"color": rgba("#0072B2", shade), "width": 1.2},
            legendgroup="cohorts",
            showlegend=position == 0,
            hovertemplate=f"Cohort {plain(cohort)} · age %{{x}}: %{{y:.1%}}<extra></extra>",
        )


def cohort_curves(matrix: pd.DataFrame, summary_label: str, value_title: str, period: str = "quarter") -> go.Figure:
    """Every cohort's retention curve (thin, lighter for younger cohorts) and the size-weighted
    average curve (thick) from a ``cohort_matrix`` table with ratios."""
    ages = _ages(matrix)
    figure = go.Figure()
    _add_cohort_lines(figure, matrix, summary_label)
    figure.add_scatter(
        x=ages,
        y=matrix.loc[summary_label, ages].to_numpy(dtype=float),
        mode="lines+markers",
        name="Size-weighted average",
        line={"color": MEAN_COLOUR, "width": 4},
        hovertemplate="Average · age %{x}: %{y:.1%}<extra></extra>",
    )
    figure.update_yaxes(title_text=value_title, tickformat=".0%", rangemode="tozero")
    figure.update_xaxes(title_text=_age_title(period), dtick=1)
    figure.update_layout(height=420, hovermode="closest", **LAYOUT)
    return figure


def cohort_projection(
    matrix: pd.DataFrame, summary_label: str, check: pd.DataFrame, period: str = "quarter"
) -> go.Figure:
    """Every cohort's logo-retention curve (thin, from a ``cohort_matrix`` table with ratios)
    under the pooled survival and its sBG fit and projection (``sbg_projection`` of ``check``)."""
    figure = sbg_projection(check, period)
    lines = go.Figure()
    _add_cohort_lines(lines, matrix, summary_label)
    if lines.data:
        figure.add_traces(list(lines.data))
        figure.data = figure.data[-len(lines.data) :] + figure.data[: -len(lines.data)]  # thin lines underneath
    return figure


def survival_curves(tables: dict[str, pd.DataFrame], period: str = "quarter") -> go.Figure:
    """Kaplan–Meier step curves with their 95% bands, one per group (``kaplan_meier`` tables keyed
    by group label)."""
    figure = go.Figure()
    for position, (group, table) in enumerate(tables.items()):
        colour, label = GROUP_COLOURS[position % len(GROUP_COLOURS)], plain(group)
        ages = table.index.to_numpy()
        for bound, fill in (("upper", None), ("lower", "tonexty")):  # the band between two step lines
            figure.add_scatter(
                x=ages,
                y=table[bound],
                mode="lines",
                line={"width": 0, "shape": "hv"},
                fill=fill,
                fillcolor=rgba(colour, 0.15),
                hoverinfo="skip",
                name=f"{label}: 95% band",
                legendgroup=label,
                showlegend=False,
            )
        figure.add_scatter(
            x=ages,
            y=table["survival"],
            customdata=table[["at_risk", "lower", "upper"]].to_numpy(),
            mode="lines",
            line={"color": colour, "width": 3, "shape": "hv"},
            name=label,
            legendgroup=label,
            hovertemplate="%{fullData.name} · age %{x}: survival %{y:.1%}<br>95% band %{customdata[1]:.1%}–"
            "%{customdata[2]:.1%} · at risk %{customdata[0]:,}<extra></extra>",
        )
    figure.update_yaxes(title_text=f"{SURVIVAL}, %", tickformat=".0%", range=[0, 1.02])
    figure.update_xaxes(title_text=_age_title(period), dtick=1)
    figure.update_layout(height=420, **LAYOUT)
    return figure


def sbg_projection(check: pd.DataFrame, period: str = "quarter") -> go.Figure:
    """The sBG curve against the observed survival: ``check`` is a ``holdout_check`` frame (or
    any frame indexed by age with ``observed``, ``predicted``, ``lower``, ``upper``,
    ``held_out``) extended past the data with NaN ``observed``. Fitted ages are drawn solid,
    projected ages dashed with their band; held-out observations as open markers."""
    ages = check.index.to_numpy()
    fitted = ~check["held_out"].to_numpy() & check["observed"].notna().to_numpy()
    last_fitted = int(ages[fitted].max()) if fitted.any() else 0
    ahead = ages >= last_fitted
    figure = go.Figure()
    figure.add_scatter(
        x=np.r_[ages[ahead], ages[ahead][::-1]],
        y=np.r_[check["upper"].to_numpy()[ahead], check["lower"].to_numpy()[ahead][::-1]],
        fill="toself",
        fillcolor=rgba(MODEL_COLOUR, 0.15),
        line={"width": 0},
        hoverinfo="skip",
        name="95% band of the projection",
    )
    figure.add_scatter(
        x=ages[ages <= last_fitted],
        y=check["predicted"].to_numpy()[ages <= last_fitted],
        mode="lines",
        line={"color": MODEL_COLOUR, "width": 3},
        name="sBG fit (ages used to fit)",
        hovertemplate="Model · age %{x}: %{y:.1%}<extra></extra>",
    )
    figure.add_scatter(
        x=ages[ahead],
        y=check["predicted"].to_numpy()[ahead],
        mode="lines",
        line={"color": MODEL_COLOUR, "width": 3, "dash": "dash"},
        name="sBG projection (dashed)",
        hovertemplate="Projection · age %{x}: %{y:.1%}<extra></extra>",
    )
    figure.add_scatter(
        x=ages[fitted],
        y=check["observed"].to_numpy()[fitted],
        mode="markers",
        marker={"color": MEAN_COLOUR, "size": 9},
        name=SURVIVAL,
        hovertemplate="Kaplan–Meier · age %{x}: %{y:.1%}<extra></extra>",
    )
    held_out = check["held_out"].to_numpy() & check["observed"].notna().to_numpy()
    if held_out.any():
        figure.add_scatter(
            x=ages[held_out],
            y=check["observed"].to_numpy()[held_out],
            mode="markers",
            marker={"color": "white", "size": 9, "line": {"color": MEAN_COLOUR, "width": 2}},
            name="Kaplan–Meier, held out of the fit",
            hovertemplate="Held out · age %{x}: %{y:.1%}<extra></extra>",
        )
        figure.add_vline(x=last_fitted + 0.5, line={"color": "#777", "dash": "dot", "width": 1})
    figure.update_yaxes(title_text="Survival (%)", tickformat=".0%", range=[0, 1.02])
    figure.update_xaxes(
        title_text=_age_title(period), dtick=1 if len(ages) <= 25 else None, range=[-0.3, ages.max() + 0.3]
    )
    figure.update_layout(height=440, **LAYOUT)
    return figure


def renewal_cycles(table: pd.DataFrame) -> go.Figure:
    """Renewal rates by contract cycle from ``renewal_by_cycle``: logo rate and net value rate as
    grouped bars, the number of contracts decided in the hover."""
    decided = table[table["up_for_renewal"] > 0]
    labels = [f"Cycle {c}" if str(c).isdigit() else str(c).capitalize() for c in decided.index]
    figure = go.Figure()
    for column, name, colour in (
        ("logo_rate", "Accounts renewed (%)", "#0072B2"),
        ("gross_value_rate", "Contract value kept, gross (%)", "#56B4E9"),
        ("value_rate", "Contract value renewed, net (%)", "#E69F00"),
    ):
        figure.add_bar(
            x=labels,
            y=decided[column],
            name=name,
            marker_color=colour,
            customdata=decided[["up_for_renewal", "renewed"]].to_numpy(),
            texttemplate="%{y:.0%}",
            hovertemplate=f"%{{x}} · {name}: %{{y:.1%}}<br>%{{customdata[1]:,}} of %{{customdata[0]:,}} "
            "contracts renewed<extra></extra>",
        )
    figure.update_yaxes(title_text="Renewed (% of contracts or value up for renewal)", tickformat=".0%")
    figure.update_xaxes(title_text="Contract cycle (1 = first renewal)")
    figure.update_layout(barmode="group", height=380, **LAYOUT)
    return figure
