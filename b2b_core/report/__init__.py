"""The workshop deck: slides with headlines computed from the data (``headlines``), built from
the views' frames (``deck``; saved scenarios' plans against the actual quarters included; a title
and an agenda slide, and the headlines a facilitator wrote, ``with_headlines``), and exported as
one offline HTML file and a zip of chart data (``export``) and as a PowerPoint file with native
charts (``pptx``)."""

from b2b_core.report.deck import (
    FRAMING_TITLES,
    HORIZON,
    SLIDE_TITLES,
    Deck,
    Fact,
    Measured,
    Slide,
    agenda_slide,
    bridge_slide,
    build_deck,
    plan_slide,
    scenario_slide,
    title_slide,
    with_headlines,
)
from b2b_core.report.export import ROOM_KEYS, chart_data_zip, deck_html, plot_config, readable, room_keys
from b2b_core.report.pptx import deck_pptx

__all__ = [
    "FRAMING_TITLES",
    "HORIZON",
    "ROOM_KEYS",
    "SLIDE_TITLES",
    "Deck",
    "Fact",
    "Measured",
    "Slide",
    "agenda_slide",
    "bridge_slide",
    "build_deck",
    "chart_data_zip",
    "deck_html",
    "deck_pptx",
    "plan_slide",
    "plot_config",
    "readable",
    "room_keys",
    "scenario_slide",
    "title_slide",
    "with_headlines",
]
