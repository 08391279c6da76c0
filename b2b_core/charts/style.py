"""The look every figure shares: colours distinguishable with the common colour-vision
deficiencies (Okabe–Ito), margins and legend placement, and breaks where quarters are missing
from a quarter axis."""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from b2b_core.amounts import short_amount
from b2b_core.i18n import N_, _, language
from b2b_core.quarters import from_ordinal, span_label, to_ordinal

GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h", "y": -0.2, "x": 0}}


def rgba(hex_colour: str, alpha: float) -> str:
    """``#0072B2`` and 0.15 → ``rgba(0,114,178,0.15)``."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def plain(text: object) -> str:
    """A name from the data or from a person (segment, scenario …) made safe for a figure's
    legend or hover: Plotly reads some HTML tags in texts, so ``<a href=…>`` or ``<b>`` are
    escaped and show as typed."""
    return html.escape(str(text), quote=False)


# The projector look (presentation mode and the exported deck): big type, near-black text on
# white, every text colour at least WCAG AA against the background. Every text of a projected
# chart is at least ``PROJECTOR_FONT["text"]`` px (20 px: readable from the back of a room at
# 1920×1080 and at 1280×720, where the chart is drawn at the same pixel size).
PROJECTOR_TEXT, PROJECTOR_BACKGROUND = "#111111", "#ffffff"
PROJECTOR_FONT = {"text": 20, "title": 22, "height": 560}
TITLE_LINE = 48  # characters: a longer chart title is broken between words (a 4:3 screen, large type)
AXIS_TITLE_LINE = {"x": 80, "y": 36}  # characters, likewise for the axis titles
# The text-size control of a projected deck (S / M / L): every text's size times this factor.
TEXT_SIZES = {"S": 0.9, "M": 1.0, "L": 1.25}
WCAG_AA = 4.5  # contrast ratio of normal-size text
_INLINE_SIZE = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)px")


def contrast_ratio(foreground: str, background: str = PROJECTOR_BACKGROUND) -> float:
    """WCAG 2 contrast ratio (1 … 21) of two ``#rrggbb`` colours: (L1 + 0.05) / (L2 + 0.05) of
    their relative luminances, the lighter over the darker."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable(colour: str, background: str = PROJECTOR_BACKGROUND, ratio: float = WCAG_AA) -> str:
    """``colour`` darkened in steps of 5% until it reaches ``ratio`` against ``background`` (the
    hue stays, so a quadrant's label keeps its quadrant's colour); unchanged if it already does."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    shown = colour.lower()
    while contrast_ratio(shown, background) < ratio:
        channels = [int(c * 0.95) for c in channels]
        shown = "#{:02x}{:02x}{:02x}".format(*channels)
    return shown


def _hex(colour: object) -> str | None:
    text = str(colour or "")
    return text.lower() if len(text) == 7 and text.startswith("#") else None


def _at_least(text: str, minimum: float) -> str:
    """``text`` with every inline ``font-size:11px`` (a subtitle inside an annotation) raised to
    ``minimum`` px."""
    return _INLINE_SIZE.sub(lambda m: f"font-size:{max(float(m.group(1)), minimum):g}px", text)


def wrapped_title(text: str, line: int = TITLE_LINE) -> str:
    """``text`` (a chart or axis title) broken between words into lines of at most ``line``
    characters, so that it fits a 4:3 projector or a chart beside the levers:
    ``"Platform revenue from the account, per quarter"`` and 36 →
    ``"Platform revenue from the account,<br>per quarter"``."""
    return "<br>".join(textwrap.wrap(text, line, break_on_hyphens=False)) if len(text) > line else text


def for_projector(figure: go.Figure) -> go.Figure:
    """A copy of ``figure`` for a room: every text at least ``PROJECTOR_FONT["text"]`` px (ticks,
    axis titles, legend, annotations with the sizes inside their text, trace texts), the title
    ``PROJECTOR_FONT["title"]`` px, titles broken into lines (``wrapped_title``), text
    ``PROJECTOR_TEXT`` on white, every annotation or trace text in its own colour made
    ``readable``, margins that grow to fit the tick labels, taller."""
    shown = go.Figure(figure)
    size = PROJECTOR_FONT
    text = size["text"]
    shown.update_layout(
        font={"size": text, "color": PROJECTOR_TEXT},
        title_font={"size": size["title"]},
        legend_font={"size": text},
        hoverlabel_font_size=text,
        paper_bgcolor=PROJECTOR_BACKGROUND,
        height=max(shown.layout.height or 0, size["height"]),
    )
    if shown.layout.title.text:
        shown.layout.title.text = wrapped_title(shown.layout.title.text)
    shown.update_layout(margin={"l": 20, "r": 20, "t": 60 if shown.layout.title.text else 20, "b": 20})
    if shown.layout.legend.orientation == "h":  # under the axis titles, whatever the chart's height
        shown.update_layout(legend={"yref": "container", "y": 0, "yanchor": "bottom"})
    for along, axes in (("x", shown.select_xaxes()), ("y", shown.select_yaxes())):
        for axis in axes:
            if axis.title.text:
                axis.title.text = wrapped_title(axis.title.text, AXIS_TITLE_LINE[along])
    shown.update_xaxes(title_font_size=text, tickfont_size=text, automargin=True)
    shown.update_yaxes(title_font_size=text, tickfont_size=text, automargin=True)
    for annotation in shown.layout.annotations:
        colour = _hex(annotation.font.color)
        annotation.font.size = max(annotation.font.size or 0, text)
        annotation.font.color = readable(colour) if colour else PROJECTOR_TEXT
        annotation.text = _at_least(annotation.text or "", text)
    for trace in shown.data:
        font = getattr(trace, "textfont", None)
        if font is None:
            continue
        if isinstance(font.size, int | float | None):  # one size for all (not one per point)
            font.size = max(font.size or 0, text)
        colour = _hex(font.color) if isinstance(font.color, str) else None
        if colour:
            font.color = readable(colour)
    return shown


def text_sizes(figure: dict, factor: float) -> dict:
    """The JSON of a figure (``Figure.to_plotly_json()`` or its parsed ``to_json``) with the size of
    every font times ``factor`` (rounded up to a whole pixel) and every inline ``font-size`` in its
    texts too: the S / M / L control of a projected deck (``TEXT_SIZES``). The figure is
    changed in place and returned."""

    def scale(size: object) -> object:
        return math.ceil(size * factor) if isinstance(size, int | float) and not isinstance(size, bool) else size

    def walk(node: object) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in list(items):
            if isinstance(key, str) and key.endswith("font") and isinstance(value, dict) and "size" in value:
                size = value["size"]
                value["size"] = [scale(s) for s in size] if isinstance(size, list) else scale(size)
            elif isinstance(value, str) and "font-size" in value:
                node[key] = _INLINE_SIZE.sub(lambda m: f"font-size:{scale(float(m.group(1)))}px", value)
            walk(value)

    walk(figure)
    return figure


SI_TICKS = "~s"  # English amount ticks: 50k, 60M (d3's SI prefixes)
_NICE = (1, 2, 5)  # the steps of ticks, times a power of ten


def amount_ticks(
    values: Iterable[float], *, log: bool = False, zero: bool = False, english: str | None = SI_TICKS
) -> dict:
    """The tick settings of an axis or colour bar of amounts (money or counts), in the current
    language. English: ``{"tickformat": english}`` (``"~s"``: 50k, 60M), ``{}`` when ``english`` is
    None (Plotly's own ticks). Chinese: 4–7 ticks written as ``short_amount`` writes them (5,000,
    2,000万, 1.2亿) covering the ``values`` the axis shows (with 0 when ``zero``, an axis starting at
    zero): steps of 1, 2 or 5 times a power of ten; on a ``log`` axis the powers of ten in range,
    with their 2 and 5 multiples when fewer than three are. ``{}`` without a finite value."""
    if language() != "zh":
        return {"tickformat": english} if english else {}
    shown = np.asarray([float(v) for v in values], dtype=float)
    shown = shown[np.isfinite(shown) & ((shown > 0) if log else True)]
    if not len(shown):
        return {}
    low, high = float(shown.min()), float(shown.max())
    if zero and not log:
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = _log_ticks(low, high) if log else []
    if len(ticks) < 3:
        ticks = [t for t in _linear_ticks(low, high) if t > 0 or not log]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [short_amount(t) for t in ticks]}


def twin_axes(figure: go.Figure, left: tuple[str, Iterable[float]], right: tuple[str, Iterable[float]], **more) -> None:
    """The two y axes of a figure with a secondary y (``make_subplots``), each a (title, values
    drawn) pair: both from zero with ``amount_ticks`` (Plotly's own ticks in English), the right
    one without grid lines and with ``more`` settings."""
    (left_title, left_values), (right_title, right_values) = left, right
    figure.update_yaxes(
        title_text=left_title,
        secondary_y=False,
        rangemode="tozero",
        **amount_ticks(left_values, zero=True, english=None),
    )
    figure.update_yaxes(
        title_text=right_title,
        secondary_y=True,
        rangemode="tozero",
        showgrid=False,
        **more | amount_ticks(right_values, zero=True, english=None),
    )


def _log_ticks(low: float, high: float) -> list[float]:
    """The powers of ten from ``low`` to ``high``; with their 2 and 5 multiples when fewer than 3."""
    first, last = math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9)
    powers = [10.0**k for k in range(first, last + 1)]
    if len(powers) >= 3:
        return powers
    steps = (10.0**k * m for k in range(first - 1, last + 1) for m in _NICE)
    return [t for t in steps if low * (1 - 1e-9) <= t <= high * (1 + 1e-9)]


def _linear_ticks(low: float, high: float) -> list[float]:
    """Multiples of a 1-2-5 step covering ``low`` to ``high`` (about five steps), the step made
    larger until no two ticks read alike as short amounts (1.05万 and 1.1万 both read 1.1万)."""
    span = high - low or abs(high) or 1.0
    power = 10.0 ** math.floor(math.log10(span / 5))
    for step in (power * m * scale for scale in (1, 10, 100, 1000) for m in _NICE):
        if step < span / 5 * (1 - 1e-9):
            continue
        ticks = [round(k * step, 9) + 0.0 for k in range(math.floor(low / step), math.ceil(high / step) + 1)]
        if len({short_amount(t) for t in ticks}) == len(ticks):
            return ticks
    return [low, high]


NO_DATA = N_("no data")  # in English; a gap's label is written in the current language (``_(NO_DATA)``)
GAP_FILL = "rgba(120,120,120,0.15)"
GAP_TEXT = "#444444"


def quarter_axis(quarters: Iterable[str]) -> list[str]:
    """The distinct ``quarters`` in order, with each run of quarters missing between them as one
    category in its place, labelled ``no data 1998Q3–2022Q4``: ``["1998Q2", "2023Q1"]`` →
    ``["1998Q2", "no data 1998Q3–2022Q4", "2023Q1"]``."""
    axis: list[str] = []
    previous = None
    for ordinal in sorted({to_ordinal(q) for q in quarters}):
        if previous is not None and ordinal - previous > 1:
            missing = span_label([from_ordinal(previous + 1), from_ordinal(ordinal - 1)])
            axis.append(f"{_(NO_DATA)} {missing}")
        axis.append(from_ordinal(ordinal))
        previous = ordinal
    return axis


def is_gap(label: str) -> bool:
    """Whether a category of a ``quarter_axis`` stands for missing quarters (in any language)."""
    return not _QUARTER.fullmatch(label) and label.startswith((NO_DATA, _(NO_DATA)))


_QUARTER = re.compile(r"\d{4}Q[1-4]")


def with_quarter_gaps(frame: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """``frame`` (indexed by quarter) on its ``quarter_axis``: a row of NaN for each run of
    missing quarters, so that a line drawn from it breaks there instead of joining 1998Q2 to 2023Q1.
    Rows whose label is not a quarter (a summary row) follow, in their order."""
    labels = [str(label) for label in frame.index]
    others = [label for label in labels if not _QUARTER.fullmatch(label)]
    return frame.set_axis(labels).reindex(quarter_axis(set(labels) - set(others)) + others)


def mark_quarter_gaps(figure: go.Figure, axis: list[str], along: str = "x") -> go.Figure:
    """Set every ``along`` axis (``"x"`` or ``"y"``) of ``figure`` to the categories ``axis`` (a
    ``quarter_axis``) in order and shade each missing run as a grey band labelled with its text
    (``no data 1998Q3–2022Q4``), its tick shown as ``⋯``. Without missing quarters only the order is set."""
    update = figure.update_xaxes if along == "x" else figure.update_yaxes
    update(type="category", categoryorder="array", categoryarray=axis)
    gaps = [position for position, label in enumerate(axis) if is_gap(label)]
    if not gaps:
        return figure
    update(tickvals=axis, ticktext=["⋯" if is_gap(label) else label for label in axis])
    band = figure.add_vrect if along == "x" else figure.add_hrect
    for position in gaps:
        band(
            position - 0.5,
            position + 0.5,
            fillcolor=GAP_FILL,
            line_width=0,
            layer="below",
            annotation_text=axis[position],
            annotation_position="inside top" if along == "x" else "inside left",
            annotation_font={"size": 11, "color": GAP_TEXT},
            row="all",
            col="all",
        )
    return figure
