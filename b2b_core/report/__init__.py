"""The workshop deck: slides with headlines computed from the data (``headlines``), built from
the views' frames (``deck``; saved scenarios' plans against the actual quarters included), and
exported as one offline HTML file and a zip of chart data (``export``)."""

from b2b_core.report.deck import (
    HORIZON,
    SLIDE_TITLES,
    Deck,
    Fact,
    Measured,
    Slide,
    bridge_slide,
    build_deck,
    plan_slide,
    scenario_slide,
)
from b2b_core.report.export import ROOM_KEYS, chart_data_zip, deck_html, plot_config

__all__ = [
    "HORIZON",
    "ROOM_KEYS",
    "SLIDE_TITLES",
    "Deck",
    "Fact",
    "Measured",
    "Slide",
    "bridge_slide",
    "build_deck",
    "chart_data_zip",
    "deck_html",
    "plan_slide",
    "plot_config",
    "scenario_slide",
]
