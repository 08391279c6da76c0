"""No quadrant is ever written Q1 … Q4 where a person reads it: next to calendar quarters (2026Q4)
those read as quarters. Quadrants are written by roman numeral and playbook name (``I · Core
partners``). Every text the quadrant, accounts, overview and workshop pages render on the bundled
sample, the deck's headlines, notes, facts, figures and chart data, and the CSVs the pages offer
are scanned for a quadrant written as Q1 … Q4 that is not part of a quarter such as 2026Q1."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1.element_tree import Dataframe

from b2b_core import accounts, exports, quadrants, report
from b2b_core.playbook import load_playbook
from tests.apptest import open_app, workspace_of
from ui import quadrant_views

BOOK = load_playbook()
QUADRANT_AS_QUARTER = re.compile(r"(?<!\d{4})Q[1-4]\b")  # Q4, not the Q4 of 2026Q4


def misread(texts: Iterator[str]) -> list[str]:
    """Each quadrant written as Q1 … Q4 in ``texts``, with the words around it."""
    found = []
    for text in texts:
        for match in QUADRANT_AS_QUARTER.finditer(text):
            found.append(text[max(match.start() - 40, 0) : match.end() + 40])
    return found


def frame_texts(frame: pd.DataFrame) -> Iterator[str]:
    """A table's header, index and cells as a CSV reads them."""
    yield exports.csv_bytes(frame, index=True).decode("utf-8-sig")


def figure_texts(spec: object) -> Iterator[str]:
    """Every text of a plotly figure (JSON), not its numbers: plotly sends long number arrays as
    base64 (``bdata``), which may hold any two letters."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key != "bdata":
                yield from figure_texts(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from figure_texts(value)
    elif isinstance(spec, str):
        yield spec


def page_texts(app) -> Iterator[str]:
    """Every text of the page as run: tables as their values, charts as their figure's texts, the
    other elements (Markdown, metrics with their help, widgets with their options) as sent."""
    for node in app._tree:
        if isinstance(node, Dataframe):
            yield from frame_texts(node.value)
        elif getattr(node, "type", None) == "plotly_chart":
            yield from figure_texts(json.loads(node.proto.spec))
        elif hasattr(node, "proto") and node.proto is not None:
            yield str(node.proto)


def test_the_scan_finds_a_quadrant_written_as_a_quarter_and_leaves_quarters_alone():
    found = misread(["In 2026Q3, 521 core partners (Q1) bring", "40 accounts entered Q4 · Under-monetised"])
    assert found == ["In 2026Q3, 521 core partners (Q1) bring", "40 accounts entered Q4 · Under-monetised"]
    assert misread(["2026Q1 → 2026Q2, 2025Q4–2026Q3", "I · Core partners (2026Q2)", "Q42"]) == []


def test_the_quadrant_page_writes_no_quadrant_as_a_quarter_in_any_view(workspace_path):
    app = open_app("pages/quadrants.py")
    texts = list(page_texts(app))
    assert sum(BOOK.label("Q1") in text for text in texts) >= 2  # the scan reads the card and the chart
    found = misread(texts)
    for view in ("Play through quarters", "Migration", "Movers", "Clusters", "Mix over time"):
        app.session_state["view"] = view
        app.run()
        assert not app.exception, (view, app.exception)
        found += misread(page_texts(app))
    app.selectbox(key="cut").set_value("mean").run()  # the other headline: the accounts of IV
    found += misread(page_texts(app))
    assert found == []
    assert any(m.label == "Under-monetised accounts (IV)" for m in app.metric)


def test_the_quadrant_pages_csvs_write_no_quadrant_as_a_quarter(workspace_path):
    open_app("pages/quadrants.py")
    ws = workspace_of(workspace_path)
    before, latest = ws.quarters()[-2:]
    clusters = ws.reduce(lambda live: quadrants.segment_accounts(live, latest))
    files = [
        ws.reduce(lambda live: quadrant_views._accounts_csv(live, (), latest, "median", None, BOOK)),
        ws.reduce(lambda live: quadrant_views._clusters_csv(live, clusters, BOOK)),
        quadrant_views.movers_csv((), before, latest, "median", None, BOOK),
    ]
    assert misread(file.decode("utf-8-sig") for file in files) == []
    every = pd.read_csv(io.BytesIO(files[0]), encoding="utf-8-sig")
    assert set(every["quadrant"]) >= set(BOOK.labels().values())


def test_the_accounts_page_and_an_accounts_quadrant_path_write_no_quadrant_as_a_quarter(workspace_path):
    app = open_app("pages/accounts.py")
    found = misread(page_texts(app))
    app.segmented_control(key="accounts:view").set_value(accounts.AT_RISK).run()
    found += misread(page_texts(app))
    risky = next(frame.value for frame in app.dataframe if "reason" in frame.value.columns)
    downgraded = risky[risky["reason"].str.contains("quadrant ")]
    assert len(downgraded), "the sample has an account whose quadrant fell"
    assert downgraded.iloc[0]["quadrant_before"] in BOOK.labels().values()
    app = open_app("pages/accounts.py", query_params={"account": downgraded.iloc[0]["account_id"]})
    found += misread(page_texts(app))
    assert found == []
    assert any("Quadrant path: " in m.value and " · " in m.value for m in app.markdown)


def test_the_overview_writes_no_quadrant_as_a_quarter(workspace_path):
    assert misread(page_texts(open_app("pages/home.py"))) == []


def test_the_workshops_quadrant_and_migration_slides_write_no_quadrant_as_a_quarter(workspace_path):
    app = open_app("pages/workshop.py", query_params={"slides": "quadrants,migration", "slide": "1"})
    found = misread(page_texts(app))
    app = open_app("pages/workshop.py", query_params={"slides": "quadrants,migration", "slide": "2"})
    found += misread(page_texts(app))
    assert found == [] and not app.exception


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    from b2b_core import sample

    ws = sample.open_workspace(tmp_path_factory.mktemp("sample") / "workspace.duckdb")
    try:
        return report.build_deck(ws.panel(), BOOK, observed=ws.quarters())
    finally:
        ws.close()


def test_the_decks_words_figures_and_chart_data_write_no_quadrant_as_a_quarter(deck):
    texts = []
    for slide in deck.slides.values():
        texts += [slide.title, slide.headline, *slide.notes, *(f"{f.label} {f.value} {f.change}" for f in slide.facts)]
        texts += figure_texts(json.loads(slide.figure.to_json())) if slide.figure is not None else []
        texts += frame_texts(slide.data)
    assert misread(texts) == []
    assert "core partners bring" in deck.slides["quadrants"].headline
    assert BOOK.label("Q1") in deck.slides["migration"].data.index
