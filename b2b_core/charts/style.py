"""The look every figure shares: colours distinguishable with the common colour-vision
deficiencies (Okabe–Ito), margins and legend placement."""

from __future__ import annotations

import html

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
