"""Figures of the cohort renewals page: retention triangle, cohort curves, Kaplan–Meier survival,
the sBG projection and renewal by contract cycle. Inputs are the frames of ``b2b_core.cohorts``;
every text is in the current language."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from b2b_core.amounts import short_amount
from b2b_core.charts.style import GROUP_COLOURS, LAYOUT, amount_ticks, mark_quarter_gaps, plain, rgba, with_quarter_gaps
from b2b_core.cohorts.matrix import AVERAGE, TOTAL
from b2b_core.cohorts.renewals import EARLIER_START
from b2b_core.cohorts.survival import SURVIVAL
from b2b_core.i18n import N_, _
from b2b_core.quarters import quarter_text

MEAN_COLOUR = "#0b3d66"
MODEL_COLOUR = "#D55E00"


AGE_TITLES = {"quarter": N_("Age (quarters since signup)"), "year": N_("Age (years since signup)")}
SUMMARY_ROWS = (AVERAGE, TOTAL)  # the summary rows of a ``cohort_matrix`` table, named in the current language


def _age_title(period: str) -> str:
    return _(AGE_TITLES[period])


_QUARTER, _YEAR = re.compile(r"\d{4}Q[1-4]"), re.compile(r"\d{4}")
YEAR_COHORT = N_("{year}")  # a yearly cohort as a text names it: 2025 (in Chinese 2025年)


def _row_label(label: object) -> str:
    """A row of a ``cohort_matrix`` table as shown: a cohort as ``quarter_text`` writes a quarter
    (2025年第3季度 in Chinese) or ``YEAR_COHORT`` a year, a summary row translated."""
    text = str(label)
    if label in SUMMARY_ROWS:
        return _(label)
    if _QUARTER.fullmatch(text):
        return quarter_text(text)
    return _(YEAR_COHORT).format(year=text) if _YEAR.fullmatch(text) else text


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
    rows = [_row_label(c) for c in matrix.index]
    hover = _("Cohort {cohort} · age {age}<br>{measure}: {value}<br>Cohort size: {size} accounts").format(
        cohort="%{y}", age="%{x}", measure=value_title, value="%{text}", size="%{customdata:,}"
    )
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=[str(a) for a in ages],
            y=rows,
            text=text,
            texttemplate="%{text}",
            customdata=np.repeat(matrix["accounts"].to_numpy()[:, None], len(ages), axis=1),
            hovertemplate=hover + "<extra></extra>",
            colorscale="Blues",
            zmin=0,
            zmax=float(np.nanmax(values)) if as_share and np.isfinite(values).any() else None,
            colorbar={"title": {"text": value_title}}
            | ({"tickformat": ".0%"} if as_share else amount_ticks(values.ravel(), zero=True)),
            xgap=1,
            ygap=1,
        )
    )
    figure.update_yaxes(autorange="reversed", title_text=_("Signup cohort"), type="category")
    figure.update_xaxes(title_text=_age_title(period), type="category", side="top")
    figure.update_layout(height=max(320, 34 * len(matrix) + 120), **{**LAYOUT, "margin": {**LAYOUT["margin"], "t": 60}})
    return mark_quarter_gaps(figure, rows, along="y")


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
            name=_("Each signup cohort"),
            line={"color": rgba("#0072B2", shade), "width": 1.2},
            legendgroup="cohorts",
            showlegend=position == 0,
            hovertemplate=_("Cohort {cohort} · age {age}: {value}").format(
                cohort=plain(_row_label(cohort)), age="%{x}", value="%{y:.1%}"
            )
            + "<extra></extra>",
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
        name=_("Size-weighted average"),
        line={"color": MEAN_COLOUR, "width": 4},
        hovertemplate=_("Average · age {age}: {value}").format(age="%{x}", value="%{y:.1%}") + "<extra></extra>",
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
                name=_("{group}: 95% band").format(group=label),
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
            hovertemplate=_(
                "{group} · age {age}: survival {survival}<br>95% band {lower}–{upper} · at risk {at_risk}"
            ).format(
                group="%{fullData.name}",
                age="%{x}",
                survival="%{y:.1%}",
                lower="%{customdata[1]:.1%}",
                upper="%{customdata[2]:.1%}",
                at_risk="%{customdata[0]:,}",
            )
            + "<extra></extra>",
        )
    figure.update_yaxes(title_text=_("{survival}, %").format(survival=_(SURVIVAL)), tickformat=".0%", range=[0, 1.02])
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
        name=_("95% band of the projection"),
    )
    figure.add_scatter(
        x=ages[ages <= last_fitted],
        y=check["predicted"].to_numpy()[ages <= last_fitted],
        mode="lines",
        line={"color": MODEL_COLOUR, "width": 3},
        name=_("sBG fit (ages used to fit)"),
        hovertemplate=_("Model · age {age}: {value}").format(age="%{x}", value="%{y:.1%}") + "<extra></extra>",
    )
    figure.add_scatter(
        x=ages[ahead],
        y=check["predicted"].to_numpy()[ahead],
        mode="lines",
        line={"color": MODEL_COLOUR, "width": 3, "dash": "dash"},
        name=_("sBG projection (dashed)"),
        hovertemplate=_("Projection · age {age}: {value}").format(age="%{x}", value="%{y:.1%}") + "<extra></extra>",
    )
    figure.add_scatter(
        x=ages[fitted],
        y=check["observed"].to_numpy()[fitted],
        mode="markers",
        marker={"color": MEAN_COLOUR, "size": 9},
        name=_(SURVIVAL),
        hovertemplate=_("Kaplan–Meier · age {age}: {value}").format(age="%{x}", value="%{y:.1%}") + "<extra></extra>",
    )
    held_out = check["held_out"].to_numpy() & check["observed"].notna().to_numpy()
    if held_out.any():
        figure.add_scatter(
            x=ages[held_out],
            y=check["observed"].to_numpy()[held_out],
            mode="markers",
            marker={"color": "white", "size": 9, "line": {"color": MEAN_COLOUR, "width": 2}},
            name=_("Kaplan–Meier, held out of the fit"),
            hovertemplate=_("Held out · age {age}: {value}").format(age="%{x}", value="%{y:.1%}") + "<extra></extra>",
        )
        figure.add_vline(x=last_fitted + 0.5, line={"color": "#777", "dash": "dot", "width": 1})
    figure.update_yaxes(title_text=_("Survival (%)"), tickformat=".0%", range=[0, 1.02])
    figure.update_xaxes(
        title_text=_age_title(period), dtick=1 if len(ages) <= 25 else None, range=[-0.3, ages.max() + 0.3]
    )
    figure.update_layout(height=440, **LAYOUT)
    return figure


RENEWAL_BARS = (  # column, name, colour
    ("logo_rate", N_("Accounts renewed (%)"), "#0072B2"),
    ("gross_value_rate", N_("Contract value kept, gross (%)"), "#56B4E9"),
    ("value_rate", N_("Contract value renewed, net (%)"), "#E69F00"),
)


def _cycle_label(cycle: object) -> str:
    """A row of ``renewal_by_cycle`` other than a numbered cycle, as a category of the chart."""
    return _("Started before the data") if cycle == EARLIER_START else str(cycle).capitalize()


def renewal_cycles(table: pd.DataFrame) -> go.Figure:
    """Renewal rates by contract cycle from ``renewal_by_cycle``: logo rate and net value rate as
    grouped bars, the number of contracts decided in the hover."""
    decided = table[table["up_for_renewal"] > 0]
    labels = [_("Cycle {n}").format(n=c) if str(c).isdigit() else _cycle_label(c) for c in decided.index]
    figure = go.Figure()
    for column, title, colour in RENEWAL_BARS:
        name = _(title)
        figure.add_bar(
            x=labels,
            y=decided[column],
            name=name,
            marker_color=colour,
            customdata=decided[["up_for_renewal", "renewed"]].to_numpy(),
            texttemplate="%{y:.0%}",
            hovertemplate=_("{cycle} · {measure}: {value}<br>{renewed} of {decided} contracts renewed").format(
                cycle="%{x}", measure=name, value="%{y:.1%}", renewed="%{customdata[1]:,}", decided="%{customdata[0]:,}"
            )
            + "<extra></extra>",
        )
    figure.update_yaxes(title_text=_("Renewed (% of contracts or value up for renewal)"), tickformat=".0%")
    figure.update_xaxes(title_text=_("Contract cycle (1 = first renewal)"))
    figure.update_layout(barmode="group", height=380, **LAYOUT)
    return figure
