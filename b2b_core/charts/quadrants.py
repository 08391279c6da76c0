"""Figures of the revenue quadrants page: the quadrant map (and its play-through over quarters),
the migration matrix and its Sankey diagram. Inputs are the frames of ``b2b_core.quadrants``."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from b2b_core.amounts import Currency, amount_title, short_amount
from b2b_core.charts.style import GROUP_COLOURS, LAYOUT, amount_ticks, plain, rgba
from b2b_core.contract import NOT_SET
from b2b_core.i18n import N_, _
from b2b_core.playbook import Playbook
from b2b_core.quadrants import AT_CUT, PLACED, POSITIONS, QUADRANTS, Density
from b2b_core.quarters import quarter_text

# Okabe–Ito, distinguishable with the common colour-vision deficiencies
QUADRANT_COLOURS = {"Q1": "#0072B2", "Q2": "#D55E00", "Q3": "#7f7f7f", "Q4": "#009E73"}
PLACED_COLOURS = QUADRANT_COLOURS | {AT_CUT: "#E69F00"}  # the accounts at the cut sit on its lines
FOUND_COLOUR = "#6A3D9A"  # the ring and id of an account found by a search: no quadrant's colour
STATE_COLOURS = {"new": "#56B4E9", "returning": "#CC79A7", "churned": "#000000", "no B-side revenue": "#bbbbbb"}
X_TITLE = N_("B-side revenue: the account's own revenue through the platform, per quarter")  # ``_`` where shown
Y_TITLE = N_("Platform revenue from the account, per quarter")
CONVENTION = N_("x = B-side revenue, y = platform revenue; high = above the cut line")
CUT_WORDS = {  # the cut rules' words a caller may name the cut lines by (``cut_label``), in the run's language
    "cut": N_("cut"),
    "median": N_("median"),
    "mean": N_("mean"),
    "fixed": N_("fixed"),
}
CORNERS = {  # where each quadrant's name sits: x, y in the plot area (0–1), anchors
    "Q1": (0.99, 0.99, "right", "top"),
    "Q2": (0.01, 0.99, "left", "top"),
    "Q3": (0.01, 0.01, "left", "bottom"),
    "Q4": (0.99, 0.01, "right", "bottom"),
}
LABEL_BAND = 0.12  # share of the plot's height above and below the accounts: the quadrant names' bands
PROJECTED_LABEL_BAND = 0.2  # on a projector: two lines of 20 px in a plot ~250 px tall (1280×720)
# Sankey labels drawn over the flows sit on a white halo (a contrasting backing)
HALO = ", ".join(f"{x}px {y}px 2px #fff" for x in (-2, 0, 2) for y in (-2, 0, 2))


def map_ranges(frames: list[pd.DataFrame], log_axes: bool) -> tuple[list[float], list[float]]:
    """Axis ranges that fit every placed account of ``frames`` (``assign_quadrants`` outputs) and
    their cut points, so that the axes stay fixed from quarter to quarter and a cut set beyond the
    data is still drawn; in log10 units when ``log_axes``."""
    x = np.concatenate([_placed(f)[["b_side_revenue", "x_cut"]].to_numpy().ravel() for f in frames])
    y = np.concatenate([_placed(f)[["platform_revenue", "y_cut"]].to_numpy().ravel() for f in frames])
    return _range(x, log_axes), _range(y, log_axes)


def _range(values: np.ndarray, log_axes: bool) -> list[float]:
    if log_axes:
        positive = values[values > 0]
        low, high = (positive.min(), positive.max()) if len(positive) else (1.0, 10.0)
        return [np.log10(low / 2) - 0.05, np.log10(high) + 0.1]
    high = values.max() if len(values) else 1.0
    return [-0.02 * high, 1.05 * high]


def _placed(assigned: pd.DataFrame) -> pd.DataFrame:
    return assigned[assigned["quadrant"].isin(PLACED)]


def quadrant_map(
    assigned: pd.DataFrame,
    playbook: Playbook,
    *,
    log_axes: bool = False,
    colour_by: str = "quadrant",
    size_by: str | None = None,
    take_rate: float = float("nan"),
    ranges: tuple[list[float], list[float]] | None = None,
    title: str = "",
    cut_label: str = "cut",
    density: Density | None = None,
    ringed: pd.Index | None = None,
    ringed_name: str = "",
    found: pd.DataFrame | None = None,
    label_band: float = LABEL_BAND,
    currency: Currency | None = None,
) -> go.Figure:
    """The quadrant map of one quarter from ``assign_quadrants``: one marker per placed account,
    coloured by ``colour_by`` (``"quadrant"``: the quadrants and the accounts at the cut in a colour
    of their own, on the cut lines; or a text column), sized by ``size_by`` (area ∝ value),
    the cut lines and shaded quadrants when every account shares the same cuts, the quadrant names
    in the corners, and the line y = ``take_rate`` × x. On log axes, zero revenue is drawn on the
    axis floor (half the smallest positive value) and said so in the hover. With ``density``
    (``QuarterView.density``), every placed account is shown as grey cells under the markers,
    darker where more accounts sit. The accounts of ``ringed`` (ids) that are drawn get a black
    ring, named ``ringed_name`` in the legend. The placed rows of ``found`` (``assign_quadrants``
    rows of the accounts a search found, drawn or not) get a purple marker with their id beside
    it. The quadrant names sit in bands of ``label_band`` of the plot's height at its top and
    bottom, where the y axis reaches past every account (``banded``), so no marker covers them.
    The axes' titles name ``currency``'s code. Markers are SVG, never WebGL: a few thousand draw
    faster that way on a machine without a graphics card, and the map is meant for at most
    ``MAX_POINTS``."""
    placed = _placed(assigned)
    ranges = ranges or map_ranges([assigned], log_axes)
    figure = go.Figure()
    if density is not None and density.total:
        figure.add_trace(_density_cells(density, ranges))
    groups = (
        [(q, placed[placed["quadrant"] == q], PLACED_COLOURS[q]) for q in PLACED]
        if colour_by == "quadrant"
        else [
            (str(value), members, GROUP_COLOURS[i % len(GROUP_COLOURS)])
            for i, (value, members) in enumerate(placed.groupby(placed[colour_by].fillna(NOT_SET), sort=True))
        ]
    )
    sizes = _marker_sizes(placed[size_by]) if size_by else None
    for name, members, colour in groups:
        if members.empty:
            continue
        x, y = (
            _floored(members["b_side_revenue"], ranges[0], log_axes),
            _floored(members["platform_revenue"], ranges[1], log_axes),
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="markers",
                name=playbook.label(name) if colour_by == "quadrant" else plain(name),
                marker={
                    "color": colour,
                    "size": sizes.loc[members.index].to_numpy() if sizes is not None else 7,
                    "opacity": 0.75,
                    "line": {"width": 0},
                },
                hovertext=_hover_text(members),
                customdata=members[["b_side_revenue", "platform_revenue"]].to_numpy(dtype=float),
                hovertemplate=hover(),
            )
        )
    if ringed is not None and len(ringed):
        marked = placed[placed["account_id"].isin(ringed)]
        figure.add_trace(
            go.Scatter(
                x=_floored(marked["b_side_revenue"], ranges[0], log_axes),
                y=_floored(marked["platform_revenue"], ranges[1], log_axes),
                mode="markers",
                name=ringed_name,
                marker={"symbol": "circle-open", "size": 13, "color": "#000", "line": {"width": 1.5}},
                hoverinfo="skip",  # the account's own marker under the ring has the hover
            )
        )
    marked = _placed(found) if found is not None else placed.iloc[:0]
    if len(marked):
        figure.add_trace(
            go.Scatter(
                x=_floored(marked["b_side_revenue"], ranges[0], log_axes),
                y=_floored(marked["platform_revenue"], ranges[1], log_axes),
                mode="markers+text",
                name=_("Found by the search"),
                text=[plain(str(account)) for account in marked["account_id"]],
                textposition="top center",
                textfont={"color": FOUND_COLOUR, "size": 13},
                marker={"size": 11, "color": FOUND_COLOUR, "line": {"width": 1.5, "color": "#fff"}},
                hovertext=_hover_text(marked),
                customdata=marked[["b_side_revenue", "platform_revenue"]].to_numpy(dtype=float),
                hovertemplate=hover(),
            )
        )
    cut_label = _(CUT_WORDS[cut_label]) if cut_label in CUT_WORDS else cut_label
    _draw_cuts(figure, placed, playbook, ranges, log_axes, cut_label, label_band)
    if np.isfinite(take_rate) and take_rate > 0:
        xs = np.logspace(ranges[0][0], ranges[0][1], 50) if log_axes else np.linspace(0, ranges[0][1], 50)
        figure.add_scatter(
            x=xs,
            y=take_rate * xs,
            mode="lines",
            line={"color": "#444", "dash": "dot", "width": 1.5},
            name=take_rate_name(take_rate),
            hoverinfo="skip",
        )
    # Fixed margins that hold the short tick labels, the axis titles and the legend: margins that
    # grow to fit (automargin) make plotly draw every marker twice, ~0.1 s more per redraw.
    axis = {"automargin": False} | ({"type": "log", "dtick": 1} if log_axes else {"rangemode": "tozero"})
    x_ticks, y_ticks = (_range_ticks(axis_range, log_axes) for axis_range in ranges)
    figure.update_xaxes(title_text=amount_title(_(X_TITLE), currency), range=ranges[0], **x_ticks, **axis)
    figure.update_yaxes(
        title_text=amount_title(_(Y_TITLE), currency), range=banded(ranges[1], label_band), **y_ticks, **axis
    )
    figure.update_layout(
        height=620,
        title={"text": title or _(CONVENTION), "font": {"size": 14}},
        hovermode="closest",
        **{
            **LAYOUT,
            "legend": {"orientation": "h", "y": -0.14, "x": 0},
            "margin": {"l": 75, "r": 10, "t": 50, "b": 105},
        },
    )
    return figure


def _range_ticks(axis_range: list[float], log_axes: bool) -> dict:
    """``amount_ticks`` of a map's axis over ``axis_range`` (from ``map_ranges``: log10 units on
    log axes), from zero on linear ones."""
    if log_axes:
        return amount_ticks([10 ** axis_range[0], 10 ** axis_range[1]], log=True)
    return amount_ticks([max(axis_range[0], 0.0), axis_range[1]], zero=True)


def take_rate_name(take_rate: float) -> str:
    """The legend's name of the median take rate line y = ``take_rate`` × x."""
    return _("Median take rate ({rate}): y = {slope} × x").format(rate=f"{take_rate:.1%}", slope=f"{take_rate:.3f}")


def _density_cells(density: Density, ranges) -> go.Heatmap:
    """Grey cells under the markers, darker where more accounts sit (log1p of the count); empty
    cells are not drawn. On log axes the zero cells span the floor (where zero-revenue markers
    sit, see ``_floored``), followed by an empty cell up to the lowest positive one."""
    x, y, counts = density.x_edges, density.y_edges, density.accounts
    if density.zero_cells:
        x = np.r_[10 ** ranges[0][0], min(10 ** (ranges[0][0] + 0.1), x[0]), x]
        y = np.r_[10 ** ranges[1][0], min(10 ** (ranges[1][0] + 0.1), y[0]), y]
        counts = np.insert(np.insert(counts, 1, 0, axis=1), 1, 0, axis=0)
    return go.Heatmap(
        x=x,
        y=y,
        z=np.where(counts > 0, np.log1p(counts), np.nan),
        customdata=counts,
        colorscale=[[0, "rgba(120,120,120,0.12)"], [1, "rgba(40,40,40,0.55)"]],
        showscale=False,
        hoverongaps=False,
        name=_("All placed accounts (density)"),
        hovertemplate=_("%{customdata:,} accounts here") + "<extra></extra>",
    )


def hover() -> str:
    """A marker's hover template, in the run's language: the account (``hovertext``) and its revenues."""
    return (
        "%{hovertext}<br>"
        + _("B-side revenue {b_side} · platform revenue {platform}").format(
            b_side="%{customdata[0]:,.0f}", platform="%{customdata[1]:,.0f}"
        )
        + "<extra>%{fullData.name}</extra>"
    )


def _hover_text(members: pd.DataFrame) -> np.ndarray:
    """One hover text per account: its name, id, segment, tier and take rate; the revenues come as
    numbers (``customdata``, formatted by ``hover``), which keeps a 20,000-point figure light. The
    account's own texts are HTML-escaped: a name such as ``<b>x</b>`` shows as typed."""

    def text(column: str) -> pd.Series:
        values = members[column] if column in members else pd.Series("–", index=members.index)
        return values.fillna("–").astype(str).map(html.escape)

    said = _("take rate {rate}")
    rate = members["take_rate"].map(lambda r: said.format(rate="–" if pd.isna(r) else f"{r:.1%}"))
    return (
        "<b>"
        + text("account_name")
        + "</b> ("
        + text("account_id")
        + ")<br>"
        + text("segment")
        + " · "
        + text("tier")
        + " · "
        + rate
    ).to_numpy()


def _floored(values: pd.Series, axis_range: list[float], log_axes: bool) -> np.ndarray:
    values = values.to_numpy(dtype=float)
    return np.where(values > 0, values, 10 ** (axis_range[0] + 0.05)) if log_axes else values


def _marker_sizes(values: pd.Series) -> pd.Series:
    """Marker diameters 4–30 px with area proportional to the value (missing or ≤ 0 → 4 px)."""
    values = values.astype(float).clip(lower=0).fillna(0)
    top = values.max()
    return 4 + 26 * np.sqrt(values / top) if top > 0 else pd.Series(4.0, index=values.index)


def banded(axis_range: list[float], band: float) -> list[float]:
    """``axis_range`` reaching past both its ends so that each end's band takes ``band`` of the
    new span: ``[0, 6]`` and 0.25 → ``[-3, 9]``."""
    low, high = axis_range
    extra = (high - low) * band / (1 - 2 * band)
    return [low - extra, high + extra]


def _draw_cuts(
    figure: go.Figure,
    placed: pd.DataFrame,
    playbook: Playbook,
    ranges,
    log_axes: bool,
    cut_label: str,
    label_band: float,
) -> None:
    """Cut lines (labelled with their values, above the bottom band) and shaded quadrants when all
    accounts share one pair of cuts; the quadrant names in the corners of the bands always. On log
    axes a cut at or below 0 is drawn on the axis floor, where the zeros are."""
    floor_x, floor_y = (10 ** ranges[0][0], 10 ** ranges[1][0]) if log_axes else (ranges[0][0], ranges[1][0])
    top_x, top_y = (10 ** ranges[0][1], 10 ** ranges[1][1]) if log_axes else (ranges[0][1], ranges[1][1])
    cuts = placed[["x_cut", "y_cut"]].drop_duplicates()
    if len(cuts) == 1:
        x_cut, y_cut = (float(v) for v in cuts.iloc[0])
        x_line = x_cut if not log_axes or x_cut > 0 else floor_x
        y_line = y_cut if not log_axes or y_cut > 0 else floor_y
        x_edges, y_edges = [floor_x, x_line, top_x], [floor_y, y_line, top_y]
        for quadrant, (i, j) in {"Q3": (0, 0), "Q4": (1, 0), "Q2": (0, 1), "Q1": (1, 1)}.items():
            figure.add_shape(
                type="rect",
                x0=x_edges[i],
                x1=x_edges[i + 1],
                y0=y_edges[j],
                y1=y_edges[j + 1],
                fillcolor=rgba(QUADRANT_COLOURS[quadrant], 0.07),
                line={"width": 0},
                layer="below",
            )
        line = {"color": "#333", "width": 1.5, "dash": "dash"}
        figure.add_vline(x=x_line, line=line)
        figure.add_hline(y=y_line, line=line)
        # labels placed by hand: on log axes plotly positions annotations in log10 units
        position = (lambda v: np.log10(v)) if log_axes else (lambda v: v)
        label = {"showarrow": False, "font": {"size": 11, "color": "#333"}, "bgcolor": "rgba(255,255,255,0.7)"}
        figure.add_annotation(
            x=position(x_line),
            y=label_band + 0.02,
            xref="x",
            yref="y domain",
            xanchor="left",
            yanchor="bottom",
            text=" " + _("{cut} B-side revenue {amount}").format(cut=cut_label, amount=short_amount(x_cut)),
            **label,
        )
        figure.add_annotation(
            x=0.3,
            y=position(y_line),
            xref="x domain",
            yref="y",
            yanchor="bottom",
            text=_("{cut} platform revenue {amount}").format(cut=cut_label, amount=short_amount(y_cut)),
            **label,
        )
    for quadrant, (x, y, xanchor, yanchor) in CORNERS.items():
        figure.add_annotation(
            x=x,
            y=y,
            xref="x domain",
            yref="y domain",
            xanchor=xanchor,
            yanchor=yanchor,
            showarrow=False,
            align="left" if xanchor == "left" else "right",
            text=f"<b>{playbook.label(quadrant)}</b><br><span style='font-size:11px'>{_(POSITIONS[quadrant])}</span>",
            font={"size": 14, "color": QUADRANT_COLOURS[quadrant]},
            bgcolor="#ffffff",
        )


def quadrant_play_through(
    frames: dict[str, pd.DataFrame],
    playbook: Playbook,
    *,
    log_axes: bool = False,
    take_rate: float = float("nan"),
    of_accounts: int | None = None,
    currency: Currency | None = None,
) -> go.Figure:
    """The quadrant map animated over quarters (``frames``: quarter → ``assign_quadrants`` of the
    accounts drawn, as ``quadrants.play_through_frames`` gives them) with fixed axes, a play button
    and a quarter slider. Markers are coloured by quadrant (the accounts at the cut in a colour of
    their own, named in the legend when a quarter has any). ``of_accounts``: how many accounts the
    drawn ones were chosen from, said in the title when more than were drawn. The axes' titles name
    ``currency``'s code."""
    drawn = len(pd.unique(pd.concat([_placed(f)["account_id"] for f in frames.values()])))
    sampled = (
        " · " + _("{drawn} of {total} accounts, drawn at random").format(drawn=f"{drawn:,}", total=f"{of_accounts:,}")
        if of_accounts is not None and of_accounts > drawn
        else ""
    )
    ranges = map_ranges(list(frames.values()), log_axes)
    maps = {  # each quarter's map gives its shading, cut lines and labels
        quarter: quadrant_map(
            assigned, playbook, log_axes=log_axes, take_rate=take_rate, ranges=ranges, currency=currency
        )
        for quarter, assigned in frames.items()
    }
    quarters = list(maps)

    def accounts_of(quarter: str) -> go.Scatter:
        """One trace of every placed account, ``ids`` = account id: an account keeps its marker
        from frame to frame and moves (changing colour when it changes quadrant)."""
        placed = _placed(frames[quarter])
        return go.Scatter(
            x=_floored(placed["b_side_revenue"], ranges[0], log_axes),
            y=_floored(placed["platform_revenue"], ranges[1], log_axes),
            ids=placed["account_id"].astype(str).to_numpy(),
            mode="markers",
            marker={
                "color": placed["quadrant"].astype(str).map(PLACED_COLOURS).to_numpy(),
                "size": 7,
                "opacity": 0.75,
            },
            hovertext=_hover_text(placed),
            customdata=placed[["b_side_revenue", "platform_revenue"]].to_numpy(dtype=float),
            hovertemplate=hover(),
            name=_("Accounts"),
            showlegend=False,
        )

    tied = any((frame["quadrant"] == AT_CUT).any() for frame in frames.values())
    legend = [
        go.Scatter(
            x=[None], y=[None], mode="markers", marker={"color": PLACED_COLOURS[q], "size": 9}, name=playbook.label(q)
        )
        for q in (PLACED if tied else QUADRANTS)
    ]
    take_rate_line = [trace for trace in maps[quarters[0]].data if trace.name == take_rate_name(take_rate)]
    figure = go.Figure(
        data=[accounts_of(quarters[0]), *legend, *take_rate_line],
        layout=maps[quarters[0]].layout,
        frames=[
            go.Frame(
                data=[accounts_of(q)],
                traces=[0],
                layout={"shapes": maps[q].layout.shapes, "annotations": maps[q].layout.annotations},
                name=q,
            )
            for q in quarters
        ],
    )
    step = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}
    figure.update_layout(
        height=700,
        title={"text": f"{quarter_text(quarters[0])} – {quarter_text(quarters[-1])}{sampled} · {_(CONVENTION)}"},
        legend={"orientation": "h", "y": -0.3, "x": 0},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "x": 0,
                "y": -0.13,
                "xanchor": "left",
                "yanchor": "top",
                "buttons": [
                    {
                        "label": "▶ " + _("Play"),
                        "method": "animate",
                        "args": [None, {"frame": {"duration": 900, "redraw": True}, "fromcurrent": True}],
                    },
                    {"label": "❚❚ " + _("Pause"), "method": "animate", "args": [[None], step]},
                ],
            }
        ],
        sliders=[
            {
                "x": 0.16,
                "len": 0.84,
                "y": -0.1,
                "yanchor": "top",
                "currentvalue": {"prefix": _("Quarter") + " "},
                "steps": [{"label": quarter_text(q), "method": "animate", "args": [[q], step]} for q in quarters],
            }
        ],
    )
    return figure


def migration_heatmap(
    matrix: pd.DataFrame,
    playbook: Playbook,
    value_title: str,
    as_money: bool,
    from_quarter: str = "from quarter",
    to_quarter: str = "to quarter",
) -> go.Figure:
    """The migration matrix (states before × states after) as an annotated heatmap."""
    rows = [playbook.label(s) for s in matrix.index]
    columns = [playbook.label(s) for s in matrix.columns]
    values = matrix.to_numpy(dtype=float)
    text = [[_cell(v, as_money) for v in row] for row in values]
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=columns,
            y=rows,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar={"title": {"text": value_title}},
            hovertemplate=_("From {before} to {after}: {value}").format(before="%{y}", after="%{x}", value="%{text}")
            + "<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    before, after = _("Before: {quarter}"), _("After: {quarter}")
    figure.update_yaxes(
        title_text=before.format(quarter=quarter_text(from_quarter)), autorange="reversed", type="category"
    )
    figure.update_xaxes(title_text=after.format(quarter=quarter_text(to_quarter)), side="top", type="category")
    figure.update_layout(height=420, **{**LAYOUT, "margin": {"l": 10, "r": 10, "t": 80, "b": 10}})
    return figure


def _cell(value: float, as_money: bool) -> str:
    """A migration cell: empty for 0, else a count or a short amount."""
    if not value:
        return ""
    return short_amount(value) if as_money else f"{value:,.0f}"


def migration_sankey(matrix: pd.DataFrame, playbook: Playbook, from_quarter: str, to_quarter: str) -> go.Figure:
    """The migration as flows from the states of ``from_quarter`` (left) to those of ``to_quarter``
    (right); link width = accounts. Node labels stand on a white halo where they cross a flow."""
    before = [s for s in matrix.index if matrix.loc[s].sum() > 0]
    after = [s for s in matrix.columns if matrix[s].sum() > 0]
    labels = [f"{playbook.label(s)} ({quarter_text(from_quarter)})" for s in before] + [
        f"{playbook.label(s)} ({quarter_text(to_quarter)})" for s in after
    ]
    colours = [PLACED_COLOURS.get(s, STATE_COLOURS.get(s, "#999")) for s in before + after]
    sources, targets, values, link_colours = [], [], [], []
    for i, s in enumerate(before):
        for j, t in enumerate(after):
            if matrix.loc[s, t] > 0:
                sources.append(i)
                targets.append(len(before) + j)
                values.append(int(matrix.loc[s, t]))
                link_colours.append(rgba(colours[i], 0.35))
    figure = go.Figure(
        go.Sankey(
            node={"label": labels, "color": colours, "pad": 24, "thickness": 16},
            textfont={"size": 13, "color": "#111", "shadow": HALO},
            link={
                "source": sources,
                "target": targets,
                "value": values,
                "color": link_colours,
                "hovertemplate": _("{source} → {target}: {value} accounts").format(
                    source="%{source.label}", target="%{target.label}", value="%{value:,}"
                )
                + "<extra></extra>",
            },
        )
    )
    figure.update_layout(height=460, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return figure
