"""The offline HTML deck printed from Chromium (the PDF for those who were not in the room): one
landscape 16:9 page per slide, also for a slide of words alone with a headline far too long."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from b2b_core import playbook, report
from b2b_core.store.sample_uploads import DataOrigin
from tests.browser import chromium_page

pytestmark = pytest.mark.browser


def small_deck() -> list[report.Slide]:
    """The slides of five accounts over three quarters (one account without B-side revenue), and a
    slide of words alone whose headline runs over many lines."""
    rows = [
        ("a", "2026Q1", 100, 1000, True),
        ("b", "2026Q1", 50, 900, True),
        ("c", "2026Q1", 20, None, True),
        ("a", "2026Q2", 120, 1100, True),
        ("c", "2026Q2", 25, None, True),
        ("d", "2026Q2", 60, 500, True),
        ("a", "2026Q3", 130, 1200, True),
        ("d", "2026Q3", 40, 450, True),
        ("e", "2026Q3", 10, 300, True),
    ]
    panel = pd.DataFrame(rows, columns=["account_id", "quarter", "platform_revenue", "b_side_revenue", "active"])
    deck = report.build_deck(
        panel.astype({"platform_revenue": float, "b_side_revenue": float}), playbook.load_playbook()
    )
    title = report.title_slide("Quarterly ops review <&>", dt.date(2026, 12, 1), "Acme & Co")
    agenda = report.agenda_slide(list(deck.slides.values()), first=3)
    return [title, dataclasses.replace(agenda, headline="Agenda <&> " * 80), *deck.slides.values()]


def test_the_printed_html_deck_has_one_landscape_page_per_slide(tmp_path):
    slides = small_deck()
    charted = sum(slide.figure is not None for slide in slides)
    origin = DataOrigin("sample", ("2026Q1", "2026Q3"), (), ())
    deck = tmp_path / "deck.html"
    deck.write_text(report.deck_html(slides, "Workshop", "2026Q1–2026Q3", origin), encoding="utf-8")
    with chromium_page(1280, 720) as page:
        page.goto(deck.as_uri())
        page.wait_for_function("() => window.Plotly !== undefined")
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")  # what the print dialog sends
        expect(page.locator(".chart .main-svg:first-of-type")).to_have_count(charted)
        # every slide laid out as a 16:9 page (1280 × 720 CSS px), its chart drawn inside it
        fits = page.locator("section.slide").evaluate_all(
            """slides => slides.map(slide => {
                const page = slide.getBoundingClientRect(), svg = slide.querySelector(".main-svg");
                const inside = !svg || svg.getBoundingClientRect().bottom <= page.bottom;
                return [Math.round(page.width), Math.round(page.height), inside];
            })"""
        )
        assert fits == [[1280, 720, True]] * len(slides)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) == len(slides) >= 6
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(960, 540)}  # 13.333 × 7.5 in, in points
