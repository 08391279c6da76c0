"""The deck as PowerPoint, opened again with python-pptx: a title slide then one slide per deck
slide, native charts holding the figures' numbers, the speaker notes in the notes pane, 16:9."""

from __future__ import annotations

import dataclasses
import io
import math

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from b2b_core import playbook, report, sample
from b2b_core.report.deck import AGENDA_HEADLINE
from b2b_core.store.sample_uploads import DataOrigin
from tests.test_report import ACTUAL, PUSH

BOOK = playbook.load_playbook()
XY = {XL_CHART_TYPE.XY_SCATTER, XL_CHART_TYPE.XY_SCATTER_LINES, XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS}
LINES = {XL_CHART_TYPE.LINE, XL_CHART_TYPE.LINE_MARKERS}
# The native charts each slide's figure becomes, left to right (the migration's Sankey: a table)
CHARTS = {
    "overview": [{XL_CHART_TYPE.COLUMN_CLUSTERED}, LINES],  # revenue bars; active accounts on the second axis
    "bridge": [{XL_CHART_TYPE.COLUMN_STACKED}],
    "stage": [{XL_CHART_TYPE.BAR_STACKED}],
    "quadrants": [XY],
    "migration": [],
    "cohorts": [XY],
    "scenarios": [LINES],
    "plan": [LINES],
}


def panel(rows):
    frame = pd.DataFrame(rows, columns=["account_id", "quarter", "platform_revenue", "b_side_revenue", "active"])
    return frame.astype({"platform_revenue": float, "b_side_revenue": float, "active": bool})


# a and b in 2026Q1; a and c in 2026Q2 (b churned, c new, a grew by 20)
TWO_QUARTERS = panel(
    [
        ("a", "2026Q1", 100, 1000, True),
        ("b", "2026Q1", 50, 1000, True),
        ("a", "2026Q2", 120, 1000, True),
        ("c", "2026Q2", 60, 500, True),
    ]
)


@pytest.fixture(scope="module")
def sample_deck(tmp_path_factory):
    """The deck of a workspace seeded from the bundled sample (what the app shows first)."""
    ws = sample.open_workspace(tmp_path_factory.mktemp("sample") / "workspace.duckdb")
    try:
        return report.build_deck(ws.panel(), BOOK)
    finally:
        ws.close()


def opened(slides, origin=None):
    return Presentation(io.BytesIO(report.deck_pptx(slides, "Workshop", "2026Q1–2026Q2", origin)))


def texts(page) -> list[str]:
    return [shape.text_frame.text for shape in page.shapes if shape.has_text_frame]


def charts(page):
    return [shape.chart for shape in page.shapes if shape.has_chart]


def drawn(values) -> list[float]:
    """The points a figure draws: NaN and missing values left out."""
    return [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]


def check_slide(page, slide) -> None:
    """``page`` carries ``slide``'s headline, facts, notes and, for each figure, the native
    charts of ``CHARTS`` with every line, marker or bar trace's numbers as a series of the same name."""
    words = "\n".join(texts(page))
    assert slide.headline in words and all(f.value in words and f.label in words for f in slide.facts)
    assert page.notes_slide.notes_text_frame.text == "\n".join(slide.notes)
    found = charts(page)
    assert [c.chart_type for c in found] == [
        next(iter(kinds & {c.chart_type})) for kinds, c in zip(CHARTS[slide.key], found, strict=True)
    ]
    series = [(s.name, s.values) for c in found for s in c.plots[0].series]
    for trace in (t.to_plotly_json() for t in slide.figure.data):  # traces of one name match series in turn
        if trace["type"] in ("scatter", "bar") and "fill" not in trace and trace.get("mode") != "text":
            pair = next(pair for pair in series if pair[0] == trace["name"])
            series.remove(pair)
            assert drawn(pair[1]) == pytest.approx(drawn(trace["x" if trace.get("orientation") == "h" else "y"]))
    if slide.key == "migration":  # no native Sankey: the flow matrix as a table
        table = next(shape.table for shape in page.shapes if shape.has_table)
        assert [table.cell(0, c).text for c in range(1, len(slide.data.columns) + 1)] == list(slide.data.columns)
        assert table.cell(1, 1).text == f"{slide.data.iloc[0, 0]:,.0f}"


def test_the_sample_deck_has_a_title_slide_then_one_slide_per_deck_slide_with_native_charts(sample_deck):
    slides = list(sample_deck.slides.values())
    deck = opened(slides)
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))  # 16:9
    assert len(deck.slides) == len(slides) + 1 == 8
    assert texts(deck.slides[0])[:2] == ["Workshop", "2026Q1–2026Q2"]
    for position, (page, slide) in enumerate(zip(list(deck.slides)[1:], slides, strict=True), start=1):
        assert texts(page)[0] == f"{position} / {len(slides)} · {slide.title}"
        check_slide(page, slide)


def test_no_text_in_the_sample_deck_is_smaller_than_14_pt(sample_deck):
    deck = opened(list(sample_deck.slides.values()))
    for page in deck.slides:
        runs = [r for s in page.shapes if s.has_text_frame for p in s.text_frame.paragraphs for r in p.runs]
        runs += [
            r
            for s in page.shapes
            if s.has_table
            for c in s.table.iter_cells()
            for p in c.text_frame.paragraphs
            for r in p.runs
        ]
        assert runs and all(r.font.size >= Pt(14) for r in runs)
        assert all(c.font.size >= Pt(14) for c in charts(page))


def test_the_overview_and_bridge_charts_hold_the_quarters_numbers():
    deck = report.build_deck(TWO_QUARTERS, BOOK)
    pages = list(opened(list(deck.slides.values())).slides)
    revenue, active = charts(pages[1])
    assert list(revenue.plots[0].categories) == ["2026Q1", "2026Q2"]
    assert revenue.plots[0].series[0].values == (150.0, 180.0)  # a + b, then a + c
    assert active.plots[0].series[0].values == (2.0, 2.0)
    (bridge,) = charts(pages[2])
    assert list(bridge.plots[0].categories) == [
        "2026Q1",
        "New",
        "Reactivated",
        "Expansion",
        "Contraction",
        "Churned",
        "2026Q2",
    ]
    # 150, then +60 (c), +0, +20 (a), −0, −50 (b): 180; each step stands on what came before
    base, total, increase, decrease = bridge.plots[0].series
    assert [s.name for s in (total, increase, decrease)] == ["Total", "Increase", "Decrease"]
    assert base.values == (0.0, 150.0, 210.0, 210.0, 230.0, 180.0, 0.0)
    assert total.values == (150.0, None, None, None, None, None, 180.0)
    assert increase.values == (None, 60.0, None, 20.0, None, None, None)
    assert decrease.values == (None, None, None, None, None, 50.0, None)
    for page, slide in zip(pages[1:], deck.slides.values(), strict=True):
        check_slide(page, slide)


def test_one_quarter_without_b_side_revenue_still_makes_a_deck():
    one = TWO_QUARTERS[TWO_QUARTERS["quarter"] == "2026Q1"].assign(b_side_revenue=float("nan"))
    deck = report.build_deck(one, BOOK)
    assert "quadrants" in deck.missing and "bridge" in deck.missing
    pages = list(opened(list(deck.slides.values())).slides)
    assert len(pages) == len(deck.slides) + 1
    for page, slide in zip(pages[1:], deck.slides.values(), strict=True):
        check_slide(page, slide)


def test_a_slide_of_words_alone_an_edited_headline_and_odd_text(sample_deck):
    overview = sample_deck.slides["overview"]
    words = dataclasses.replace(overview, key="agenda", title="Agenda", figure=None, facts=())
    long = "Revenue <&> grew " + "and grew " * 120 + "\x0bthe end."
    edited = dataclasses.replace(
        overview,
        headline=long,
        suggested=overview.headline,
        facts=(report.Fact("<b>Base</b> & more", "1 < 2", "> 0"), *overview.facts),
        notes=("First <note> & more", "Second"),
    )
    pages = list(opened([words, edited]).slides)
    assert not charts(pages[1]) and not any(shape.has_table for shape in pages[1].shapes)
    assert texts(pages[1])[:2] == ["1 / 2 · Agenda", overview.headline]
    headline = next(s for s in pages[2].shapes if s.has_text_frame and s.text_frame.text.startswith("Revenue"))
    assert headline.text_frame.text == long.replace("\x0b", "")  # as written; what XML cannot hold dropped
    assert headline.text_frame.paragraphs[0].runs[0].font.size == Pt(14)  # shrunk to the smallest size
    assert headline.top + headline.height <= Inches(1.95)  # it wraps in its box, above the facts
    assert "<b>Base</b> & more\n1 < 2\n> 0" in texts(pages[2])
    assert pages[2].notes_slide.notes_text_frame.text == (
        f"First <note> & more\nSecond\nHeadline edited for this deck; computed: {overview.headline}"
    )


def test_a_deck_with_its_own_title_slide_opens_with_it_and_lists_its_agenda(sample_deck):
    import datetime as dt

    following = [sample_deck.slides["overview"], sample_deck.slides["bridge"]]
    title = report.title_slide("Q3 review <ops>", dt.date(2026, 12, 4), "Acme & Co")
    slides = [title, report.agenda_slide(following, first=3), *following]
    deck = opened(slides)
    pages = list(deck.slides)
    assert len(pages) == 4  # the deck's title slide is the cover: no second one
    assert texts(pages[0])[:2] == ["Q3 review <ops>", "2026-12-04 · Acme & Co · 2026Q1–2026Q2"]
    assert pages[0].notes_slide.notes_text_frame.text == title.notes[0]
    assert texts(pages[1])[:3] == [
        "2 / 4 · Agenda",
        AGENDA_HEADLINE,
        "3. Where we stand\n4. Where revenue came from and went",
    ]
    assert texts(pages[2])[0] == "3 / 4 · Where we stand" and charts(pages[2])


def test_sample_data_are_named_on_the_title_slide_and_on_every_slide(sample_deck):
    origin = DataOrigin("sample", ("2023Q4", "2026Q3"), (), ())
    deck = opened(list(sample_deck.slides.values())[:2], origin)
    assert texts(deck.slides[0])[0] == "Workshop · Sample data"
    assert f"Sample data: {origin.explanation}" in texts(deck.slides[0])
    for page in list(deck.slides)[1:]:
        assert "Sample data: 2023Q4–2026Q3 is the bundled sample of a fictional platform, not your data." in texts(page)


def test_the_plan_slide_draws_the_band_as_its_upper_and_lower_bounds():
    # planned 1,200 (1,150–1,250) then 1,210 (1,100–1,300); 1,180 and 1,157 came
    slide = report.plan_slide({"Renewal push": PUSH}, ACTUAL)
    page = opened([slide]).slides[1]
    (chart,) = charts(page)
    assert list(chart.plots[0].categories) == ["2026Q4", "2027Q1"]
    assert {s.name: s.values for s in chart.plots[0].series} == {
        "Renewal push band · upper": (1250.0, 1300.0),
        "Renewal push band · lower": (1150.0, 1100.0),
        "Renewal push (plan)": (1200.0, 1210.0),
        "Actual": (1180.0, 1157.0),
    }
    check_slide(page, slide)


def test_the_quadrant_maps_legend_names_the_quadrants_its_bands_name_on_screen(sample_deck):
    """The projected map leaves its points out of the legend (its bands name them); the native chart
    has no bands, so every quadrant is in its legend, the cut lines are not."""
    slide = sample_deck.slides["quadrants"]
    (chart,) = charts(opened([slide]).slides[1])
    names = [s.name for s in chart.plots[0].series]
    deleted = {int(e.find(qn("c:idx")).get("val")) for e in chart.legend._element.findall(qn("c:legendEntry"))}
    in_legend = [name for index, name in enumerate(names) if index not in deleted]
    assert [BOOK.label(q) for q in ("Q1", "Q2", "Q3", "Q4")] == [n for n in in_legend if "·" in n and "Median" not in n]
