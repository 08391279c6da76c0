"""Plotly figures as native, editable PowerPoint charts (python-pptx), for ``report.pptx``.

One small converter per trace type turns a trace into chart series:

- ``bar`` → clustered or stacked columns (bars when horizontal), as the figure's ``barmode``;
- ``scatter`` → a line chart over the categories when x holds categories (quarters), an XY
  scatter when x holds numbers; lines, markers or both as the trace's ``mode``; text-only
  traces (labels drawn beside bars) are left out;
- a band (``fill="toself"`` polygon) → its upper and lower bounds as two thin dashed series,
  so the band's numbers stay in the chart data rather than as a shape that cannot be edited;
- ``waterfall`` → stacked columns over an invisible base series (start and end as totals, then
  increases and decreases, each with its amount written on it), PowerPoint's native equivalent;
- cut lines of an XY chart (vertical or horizontal layout lines across the plot) → two-point series;
- density heatmaps and contours are left out (the points drawn over them stay).

Traces on a second y axis get a chart of their own beside the first. A figure with nothing a
native chart can hold (a Sankey diagram; no renderer to a picture is installed) shows the slide's
data as a native table instead (at most ``TABLE_ROWS`` rows). Texts are passed as plain text
(python-pptx escapes them); characters XML cannot hold are dropped, and Plotly's inline HTML
tags are removed from the figure's texts. Axes keep the figure's titles, log scales and
percentage formats; amounts read as the app writes them (45.4M, 220.8k; in Chinese 4540.0万, 1.20亿);
type is 14 pt and up, East Asian characters in ``EAST_ASIAN_FONT``. The converter's own words (the
waterfall's series, a band's bounds, cut lines) are in the current language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from lxml import etree
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from b2b_core.amounts import count, short_amount
from b2b_core.i18n import _, language

INK, MUTED = RGBColor(0x11, 0x11, 0x11), RGBColor(0x33, 0x33, 0x33)
SMALLEST = 14  # pt: no text on a slide is smaller
LEGEND_BELOW = 3  # legend entries that fit below a chart; more (or any beside bars) go to its right
TABLE_ROWS = 12  # rows of the slide's data shown when its figure has no native chart
TABLE_ROW = Inches(0.3)  # one line of 14 pt with a small margin
# Amounts as the app writes them (45.4M, 220.8k), ratios and small numbers as they are
SHORT_NUMBER = '[>=1000000]#,##0.0,,"M";[>=1000]#,##0.0,"k";General'
# Chinese: in 万 and 亿 (a thousands divider and a literal point: 45,400,000 → 4540.0万, 1.2e8 → 1.20亿)
SHORT_NUMBER_ZH = '[>=100000000]0\\.00,,"亿";[>=10000]0\\.0,"万";General'
EAST_ASIAN_FONT = "Microsoft YaHei"  # what Chinese (and Japanese, Korean) characters are set in
PERCENT = "0%"
CUT = {"thin": True, "in_legend": False}  # how a cut line is drawn


@dataclass(frozen=True)
class Series:
    """One chart series: ``name``, ``x`` (categories or numbers), ``y`` (None: no point),
    ``color`` (None: the theme's), drawn with ``lines`` and/or ``markers``; ``dashed``, ``thin``
    (band bounds), ``invisible`` (a waterfall's base) and ``in_legend`` as drawn."""

    name: str
    x: tuple
    y: tuple
    color: RGBColor | None = None
    lines: bool = True
    markers: bool = False
    dashed: bool = False
    thin: bool = False
    invisible: bool = False
    in_legend: bool = True


@dataclass(frozen=True)
class Plot:
    """One native chart: its ``chart_type``, ``series``, and the figure's axes it draws
    (``x_axis``, ``y_axis``: Plotly layout dicts; for horizontal bars x is the value axis);
    ``labelled``: each bar carries its value."""

    chart_type: XL_CHART_TYPE
    series: tuple[Series, ...]
    x_axis: dict
    y_axis: dict
    horizontal: bool = False
    labelled: bool = False


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PLOTLY_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PLOTLY_TAG = re.compile(r"</?(b|i|em|sup|sub|span|a)\b[^>]*>", re.IGNORECASE)


def plain(text: object) -> str:
    """``text`` as a string PowerPoint can hold: the characters XML cannot carry dropped; ``<``,
    ``&`` and ``>`` kept as written (python-pptx escapes them)."""
    return _NOT_XML.sub("", str(text))


def figure_text(text: object) -> str:
    """A text of a Plotly figure (a title, a trace's name) as ``plain`` text, without Plotly's
    inline tags (``<br>`` → a space, ``<b>`` … dropped)."""
    return plain(_PLOTLY_TAG.sub("", _PLOTLY_BREAK.sub(" ", str(text))))


def draw_figure(page, figure: go.Figure, data: pd.DataFrame, box: tuple) -> None:
    """``figure`` as native charts side by side in ``box``, or ``data`` as a table when no
    native chart holds it."""
    plots = plots_of(figure)
    left, top, width, height = box
    if not plots:
        _table(page, data, box)
        return
    gap = Inches(0.3)
    each = int((width - gap * (len(plots) - 1)) / len(plots))
    title = figure_text(figure.layout.title.text or "")
    for index, plot in enumerate(plots):
        _chart(page, plot, (left + index * (each + gap), top, each, height), title if index == 0 else "")


def plots_of(figure: go.Figure) -> list[Plot]:
    """The native charts ``figure`` becomes: its traces grouped by y axis and by the chart they
    fit (bar, waterfall, category line, XY), in the order they first appear."""
    layout = figure.layout.to_plotly_json()
    groups: dict[tuple[str, str], list[Series]] = {}
    for trace in (t.to_plotly_json() for t in figure.data):
        kind, series = _series_of(trace)
        if series:
            groups.setdefault((trace.get("yaxis", "y"), kind), []).extend(series)
    plots = []
    for (axis, kind), series in groups.items():
        y_axis = layout.get("yaxis" + axis[1:], {})
        x_axis = layout.get("xaxis", {})
        if kind == "xy":
            series = series + _cut_lines(layout, series)
        plots.append(_plot(kind, tuple(series), layout, x_axis, y_axis))
    return plots


def _series_of(trace: dict) -> tuple[str, list[Series]]:
    """The chart kind a trace fits and its series (none for a trace no native chart draws)."""
    if trace["type"] == "bar":
        orientation = "h" if trace.get("orientation") == "h" else "v"
        return f"bar-{orientation}", bar_series(trace)
    if trace["type"] == "waterfall":
        return "waterfall", waterfall_series(trace)
    if trace["type"] == "scatter":
        series = scatter_series(trace)
        return ("xy" if series and _numeric(series[0].x) else "line"), series
    return "", []


def _color(value: object) -> RGBColor | None:
    """``#0072B2`` or ``rgb(a)(0, 114, 178[, a])`` as an RGB colour; None for anything else."""
    if not isinstance(value, str):
        return None
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return RGBColor.from_string(value[1:])
    found = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(,.*)?\)", value.replace(" ", ""))
    return RGBColor(*(int(found.group(i)) for i in (1, 2, 3))) if found else None


def _numbers(values) -> tuple:
    """Numbers with NaN and missing values as None."""
    return tuple(None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values)


def _numeric(values) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) for v in values)


def bar_series(trace: dict) -> list[Series]:
    """A bar trace: categories along its base, values along its length."""
    horizontal = trace.get("orientation") == "h"
    categories, values = (trace["y"], trace["x"]) if horizontal else (trace["x"], trace["y"])
    name = figure_text(trace.get("name") or "")
    color = _color(trace.get("marker", {}).get("color"))
    return [Series(name, tuple(categories), _numbers(values), color, in_legend=trace.get("showlegend", True))]


def waterfall_series(trace: dict) -> list[Series]:
    """A waterfall (measures ``absolute``, ``relative``, ``total``) as four stacked series: an
    invisible base, the totals, the increases and the decreases (as positive heights; a step of
    zero has no bar)."""
    steps, values = tuple(trace["x"]), [float(v) for v in trace["y"]]
    base, totals, ups, downs, running = [], [], [], [], 0.0
    for measure, value in zip(trace.get("measure") or ["relative"] * len(values), values, strict=True):
        if measure in ("absolute", "total"):
            running = value if measure == "absolute" else running
            base.append(0.0), totals.append(running), ups.append(None), downs.append(None)
        else:
            base.append(min(running, running + value))
            totals.append(None), ups.append(value if value > 0 else None), downs.append(-value if value < 0 else None)
            running += value

    def colour(key: str) -> RGBColor | None:
        return _color(trace.get(key, {}).get("marker", {}).get("color"))

    return [
        Series("base", steps, tuple(base), invisible=True, in_legend=False),
        Series(_("Total"), steps, tuple(totals), colour("totals")),
        Series(_("Increase"), steps, tuple(ups), colour("increasing")),
        Series(_("Decrease"), steps, tuple(downs), colour("decreasing")),
    ]


def scatter_series(trace: dict) -> list[Series]:
    """A scatter trace as one series drawn as its ``mode`` (lines and/or markers; text alone:
    nothing), or a band (``fill="toself"``) as its two bounds."""
    mode = trace.get("mode") or "lines+markers"
    if trace.get("fill") == "toself":
        return band_series(trace)
    if "lines" not in mode and "markers" not in mode:
        return []
    line = trace.get("line", {})
    color = _color(line.get("color")) or _color(trace.get("marker", {}).get("color"))
    # a figure may leave points out of its legend because its annotations name them (the projected
    # quadrant map's bands); a native chart carries no annotations, so its legend names them
    named_points = mode == "markers" and bool(trace.get("name"))
    return [
        Series(
            figure_text(trace.get("name") or ""),
            tuple(trace["x"]),
            _numbers(trace["y"]),
            color,
            lines="lines" in mode,
            markers="markers" in mode,
            dashed=line.get("dash") not in (None, "solid"),
            in_legend=trace.get("showlegend", True) is not False or named_points,
        )
    ]


def band_series(trace: dict) -> list[Series]:
    """A band drawn as a closed polygon (x forward along one bound, back along the other) as
    two thin dashed series, ``<name> · upper`` and ``<name> · lower`` (in the current language)."""
    x, y = list(trace["x"]), _numbers(trace["y"])
    half = len(x) // 2
    first = (tuple(x[:half]), y[:half])
    second = (tuple(reversed(x[half:])), tuple(reversed(y[half:])))
    upper, lower = (first, second) if _mean(first[1]) >= _mean(second[1]) else (second, first)
    group = trace.get("legendgroup")
    name = figure_text(trace.get("name") or (_("{group} band").format(group=group) if group else _("Band band")))
    color = _color(trace.get("fillcolor")) or _color(trace.get("line", {}).get("color"))
    shown = trace.get("showlegend", True) is not False
    return [
        Series(f"{name} · {which}", *bound, color, dashed=True, thin=True, in_legend=shown)
        for which, bound in ((_("upper"), upper), (_("lower"), lower))
    ]


def _mean(values: Sequence[float | None]) -> float:
    """The mean of the values that are there."""
    return float(np.mean([v for v in values if v is not None] or [np.nan]))


def _cut_lines(layout: dict, series: list[Series]) -> list[Series]:
    """The layout's lines across the whole plot (``x`` at one value from the bottom to the top,
    or ``y`` across) as thin two-point series spanning the points drawn, named by where they
    cut but left out of the legend (the lines explain themselves)."""
    xs = [v for s in series for v in s.x if v is not None]
    ys = [v for s in series for v in s.y if v is not None]
    cuts = []
    for shape in layout.get("shapes", ()):
        if shape.get("type") != "line" or not xs:
            continue
        if shape.get("yref") == "y domain" and shape.get("x0") == shape.get("x1"):
            at = shape["x0"]
            name = _("Cut at x = {value}").format(value=short_amount(at))
            cuts.append(Series(name, (at, at), (min(ys), max(ys)), MUTED, **CUT))
        elif shape.get("xref") == "x domain" and shape.get("y0") == shape.get("y1"):
            at = shape["y0"]
            name = _("Cut at y = {value}").format(value=short_amount(at))
            cuts.append(Series(name, (min(xs), max(xs)), (at, at), MUTED, **CUT))
    return cuts


def _plot(kind: str, series: tuple[Series, ...], layout: dict, x_axis: dict, y_axis: dict) -> Plot:
    """The native chart type of a group of series of one ``kind``."""
    stacked = layout.get("barmode") in ("stack", "relative")
    chart_type = {
        "bar-v": XL_CHART_TYPE.COLUMN_STACKED if stacked else XL_CHART_TYPE.COLUMN_CLUSTERED,
        "bar-h": XL_CHART_TYPE.BAR_STACKED if stacked else XL_CHART_TYPE.BAR_CLUSTERED,
        "waterfall": XL_CHART_TYPE.COLUMN_STACKED,
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "xy": XL_CHART_TYPE.XY_SCATTER_LINES,
    }[kind]
    return Plot(chart_type, series, x_axis, y_axis, horizontal=kind == "bar-h", labelled=kind == "waterfall")


def _categories(plot: Plot) -> list:
    """The category axis: the figure's ``categoryarray`` when it sets one, else every series'
    categories in the order they first appear."""
    axis = plot.y_axis if plot.horizontal else plot.x_axis
    if axis.get("categoryarray") is not None:
        return [figure_text(c) for c in axis["categoryarray"]]
    return list(dict.fromkeys(figure_text(c) for s in plot.series for c in s.x))


def _number_format(axis: dict) -> str:
    """The Excel number format of a Plotly axis: percentages as ``0%``, else ``short_number()``."""
    return PERCENT if "%" in (axis.get("tickformat") or "") else short_number()


def short_number() -> str:
    """The Excel number format of amounts in the current language (``SHORT_NUMBER``, ``SHORT_NUMBER_ZH``)."""
    return SHORT_NUMBER_ZH if language() == "zh" else SHORT_NUMBER


def east_asian(font) -> None:
    """Set East Asian characters of a python-pptx ``Font`` in ``EAST_ASIAN_FONT`` (``a:ea``)."""
    properties = font._element if font._element.tag.endswith("defRPr") else font._rPr
    found = properties.find(qn("a:ea"))
    if found is None:
        found = properties.insert_element_before(
            etree.Element(qn("a:ea")), "a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst"
        )
    found.set("typeface", EAST_ASIAN_FONT)


def chart_data(plot: Plot):
    """The chart data of ``plot``: category data aligned on ``_categories`` (None where a series
    has no point), or XY data without the points that have no value (or are not positive on a
    log axis), each series then padded with empty points to the longest one's length
    (LibreOffice draws no series shorter than another when the first series is)."""
    values_axis = plot.x_axis if plot.horizontal else plot.y_axis
    if plot.chart_type == XL_CHART_TYPE.XY_SCATTER_LINES:
        data = XyChartData(number_format=_number_format(plot.y_axis))
        logs = (plot.x_axis.get("type") == "log", plot.y_axis.get("type") == "log")
        points = [
            [
                (x, y)
                for x, y in zip(_numbers(s.x), s.y, strict=True)
                if x is not None and y is not None and not (logs[0] and x <= 0) and not (logs[1] and y <= 0)
            ]
            for s in plot.series
        ]
        longest = max(len(p) for p in points)
        for s, drawn in zip(plot.series, points, strict=True):
            xy = data.add_series(s.name)
            for x, y in drawn + [(None, None)] * (longest - len(drawn)):
                xy.add_data_point(x, y)
        return data
    categories = _categories(plot)
    data = CategoryChartData(number_format=_number_format(values_axis))
    data.categories = categories
    for s in plot.series:
        by_category = dict(zip((figure_text(c) for c in s.x), s.y, strict=True))
        data.add_series(s.name, [by_category.get(c) for c in categories])
    return data


def _chart(page, plot: Plot, box: tuple, title: str) -> None:
    """``plot`` as a native chart in ``box``: series styled, axes titled (with log scales and
    number formats and the value axis' range as the figure's), legend below (or beside when
    long), text 14 pt and up."""
    chart = page.shapes.add_chart(plot.chart_type, *box, chart_data(plot)).chart
    chart.font.size, chart.font.color.rgb = Pt(SMALLEST), MUTED
    east_asian(chart.font)
    chart.has_title = bool(title)
    if title:
        chart.chart_title.text_frame.text = title
        chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(16)
        east_asian(chart.chart_title.text_frame.paragraphs[0].runs[0].font)
    for series, drawn in zip(plot.series, chart.plots[0].series, strict=True):
        _style(drawn, series, plot.chart_type)
    if plot.chart_type in (XL_CHART_TYPE.COLUMN_STACKED, XL_CHART_TYPE.BAR_STACKED):
        chart.plots[0].overlap = 100
    category_axis, value_axis = chart.category_axis, chart.value_axis
    x_axis, y_axis = (plot.y_axis, plot.x_axis) if plot.horizontal else (plot.x_axis, plot.y_axis)
    for axis, source in ((category_axis, x_axis), (value_axis, y_axis)):
        text = figure_text((source.get("title") or {}).get("text") or "")
        if text:
            axis.has_title = True
            axis.axis_title.text_frame.text = text
            axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(16)
            east_asian(axis.axis_title.text_frame.paragraphs[0].runs[0].font)
        if source.get("type") == "log":
            _log_scale(axis)
        axis.has_major_gridlines = axis is value_axis
    if plot.chart_type != XL_CHART_TYPE.XY_SCATTER_LINES:
        _label_every_category(category_axis)
    value_axis.tick_labels.number_format = _number_format(y_axis)
    value_axis.tick_labels.number_format_is_linked = False
    if plot.chart_type == XL_CHART_TYPE.XY_SCATTER_LINES:
        category_axis.tick_labels.number_format = _number_format(x_axis)
        category_axis.tick_labels.number_format_is_linked = False
    if y_axis.get("range") is not None and y_axis.get("type") != "log":
        value_axis.minimum_scale, value_axis.maximum_scale = y_axis["range"]
    if plot.labelled:
        _label_values(chart, plot)
    shown = [s.in_legend for s in plot.series]
    chart.has_legend = any(shown) and len(plot.series) > 1
    if chart.has_legend:
        beside = plot.horizontal or sum(shown) > LEGEND_BELOW
        chart.legend.position = XL_LEGEND_POSITION.RIGHT if beside else XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        _hide_legend_entries(chart, [i for i, kept in enumerate(shown) if not kept])


def _label_values(chart, plot: Plot) -> None:
    """Each visible bar's value written at its end in bold (the waterfall's amounts, as the
    figure's text; stacked columns cannot carry them above)."""
    for series, drawn in zip(plot.series, chart.plots[0].series, strict=True):
        if not series.invisible:
            labels = drawn.data_labels
            labels.show_value, labels.number_format, labels.number_format_is_linked = True, short_number(), False
            labels.position = XL_LABEL_POSITION.INSIDE_END
            labels.font.size, labels.font.bold, labels.font.color.rgb = Pt(SMALLEST), True, INK


def _style(drawn, series: Series, chart_type: XL_CHART_TYPE) -> None:
    """Colour, line and markers of one drawn series as ``series`` says."""
    if series.invisible:
        drawn.format.fill.background()
        drawn.format.line.fill.background()
        return
    is_line = chart_type in (XL_CHART_TYPE.LINE_MARKERS, XL_CHART_TYPE.XY_SCATTER_LINES)
    if not is_line:
        if series.color is not None:
            drawn.format.fill.solid()
            drawn.format.fill.fore_color.rgb = series.color
        return
    line = drawn.format.line
    if series.lines:
        line.width = Pt(1.25 if series.thin else 2.5)
        if series.color is not None:
            line.color.rgb = series.color
        if series.dashed:
            line.dash_style = MSO_LINE_DASH_STYLE.DASH
    else:
        line.fill.background()
    if series.markers:
        drawn.marker.style, drawn.marker.size = XL_MARKER_STYLE.CIRCLE, 7
        if series.color is not None:
            drawn.marker.format.fill.solid()
            drawn.marker.format.fill.fore_color.rgb = series.color
            drawn.marker.format.line.fill.background()
    else:
        drawn.marker.style = XL_MARKER_STYLE.NONE
    drawn.smooth = False


def _label_every_category(axis) -> None:
    """Every category named on ``axis``, none skipped when they are crowded (``c:tickLblSkip``)."""
    skip = axis._element.find(qn("c:tickLblSkip"))
    if skip is None:
        skip = axis._element.insert_element_before(
            etree.Element(qn("c:tickLblSkip")), "c:tickMarkSkip", "c:noMultiLvlLbl", "c:extLst"
        )
    skip.set("val", "1")


def _log_scale(axis) -> None:
    """A base-10 logarithmic scale on ``axis`` (python-pptx has no property for it)."""
    scaling = axis._element.find(qn("c:scaling"))
    scaling.insert(0, etree.Element(qn("c:logBase"), val="10"))


def _hide_legend_entries(chart, indices: Sequence[int]) -> None:
    """Leave the series at ``indices`` out of the legend (``c:legendEntry`` with ``c:delete``)."""
    legend = chart.legend._element
    position = legend.find(qn("c:legendPos"))
    for index in reversed(indices):
        entry = etree.Element(qn("c:legendEntry"))
        etree.SubElement(entry, qn("c:idx"), val=str(index))
        etree.SubElement(entry, qn("c:delete"), val="1")
        position.addnext(entry)


def _table(page, data: pd.DataFrame, box: tuple) -> None:
    """``data`` as a native table (at most ``TABLE_ROWS`` rows and as many as fit the box, the
    index as the first column; whole numbers with thousands separators), 14 pt in rows of
    ``TABLE_ROW`` (the header two lines high)."""
    left, top, width, height = box
    shown = data.head(min(TABLE_ROWS, int(height / TABLE_ROW) - 2))
    rows, columns = len(shown) + 1, len(shown.columns) + 1
    table = page.shapes.add_table(rows, columns, left, top, width, TABLE_ROW * (rows + 1)).table
    for index, row in enumerate(table.rows):
        row.height = TABLE_ROW * (2 if index == 0 else 1)
    header = [plain(data.index.name or "")] + [plain(c) for c in shown.columns]
    body = [[plain(index)] + [_cell(v) for v in row] for index, row in zip(shown.index, shown.to_numpy(), strict=True)]
    for r, values in enumerate([header, *body]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = value
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(SMALLEST)
                    east_asian(run.font)


def _cell(value: object) -> str:
    """A table cell: numbers as ``count`` (whole) or to two decimals, anything else as text."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return count(value) if float(value).is_integer() or math.isnan(value) else f"{value:,.2f}"
    return plain(value)
