"""Text from the data or from people is shown as typed, never rendered as HTML or Markdown, on
every page (AppTest) and in a real browser; uploads above the size limit are refused by the
server with a message."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from b2b_core import sample, scenarios
from b2b_core.access import LOCAL
from b2b_core.store import Workspace
from tests.apptest import open_app
from tests.browser import ERROR_ELEMENTS, chromium_page, streamlit_server, wait_until_idle

IMAGE = "<img src=x onerror=window.__xss=1>"
BOLD = "**bold**"
LINK = "[click](javascript:window.__xss=2)"
SCENARIO = f"{BOLD} <img src=x onerror=window.__xss=3>"
MARKDOWN_RAW = ["<img", BOLD, "](javascript", "<b>owner"]  # what Markdown would render
HTML_RAW = ["<img", "<b>owner"]  # what a figure's texts would render (Plotly reads some HTML tags)
PAGES = [
    "pages/home.py",
    "pages/lifecycle.py",
    "pages/quadrants.py",
    "pages/cohorts.py",
    "pages/accounts.py",
    "pages/data.py",
]


def hostile_panel():
    """The sample with names that are HTML, Markdown and a javascript: link."""
    panel = sample.generate_panel(300, 6)
    panel["account_name"] = IMAGE
    panel["segment"] = panel["segment"].where(panel.index % 2 == 0, BOLD)
    panel["region"] = LINK
    panel["owner"] = "<b>owner</b>"
    return panel


@pytest.fixture
def hostile_workspace(workspace_path):
    with Workspace(workspace_path) as ws:
        ws.commit(hostile_panel(), f"{BOLD}_{IMAGE}.csv", actor=LOCAL)
        ws.save_scenario(SCENARIO, scenarios.Scenario(SCENARIO, renewal_uplift=1).levers(), actor=LOCAL)
        ws.set_workshop_title(f"{BOLD} {IMAGE}", dt.date(2026, 12, 1), LINK, actor=LOCAL)
        ws.edit_headline("overview", f"{BOLD} {IMAGE} {LINK}", "computed", actor=LOCAL)
    return workspace_path


def markdown_texts(app) -> list[str]:
    """Every text Streamlit renders as Markdown on the page."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "subheader", "title", "header")
    texts = [element.value for kind in kinds for element in getattr(app, kind)]
    texts += [widget.label for widget in [*app.selectbox, *app.multiselect, *app.slider, *app.checkbox]]
    return texts + [str(getattr(e, "label", "")) for e in app.expander]


def rendered(raw: str, text: str) -> bool:
    """True if the Markdown ``text`` holds the marker ``raw`` unescaped: Markdown shows ``\\<img``
    as the text "<img", so only a marker without its backslash renders."""
    return re.search(rf"(?<!\\){re.escape(raw)}", text) is not None


def figure_texts(app) -> list[str]:
    """Every string in every figure of the page (names, hover texts, titles …)."""

    def strings(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)

    return [text for chart in app.get("plotly_chart") for text in strings(json.loads(chart.proto.spec))]


@pytest.mark.parametrize("page", [*PAGES, "pages/scenarios.py"])
def test_names_from_the_data_never_reach_the_screen_as_markup(hostile_workspace, page):
    app = open_app(page)
    if page == "pages/quadrants.py":  # legends named after segments
        app.selectbox(key="colour_by").set_value("segment").run()
    leaks = [(raw, text[:200]) for text in markdown_texts(app) for raw in MARKDOWN_RAW if rendered(raw, text)]
    leaks += [(raw, text[:200]) for text in figure_texts(app) for raw in HTML_RAW if raw in text]
    assert not leaks, leaks
    if page == "pages/scenarios.py":
        assert SCENARIO.replace("<", "&lt;").replace(">", "&gt;") in figure_texts(app)  # its name, escaped
        options = app.segmented_control(key="lab:selected").options
        assert any("\\*\\*bold\\*\\*" in option for option in options)


def test_names_from_the_data_never_reach_the_workshop_slides_as_markup(hostile_workspace):
    app = open_app("pages/workshop.py", query_params={"present": "1"})
    seen = set()
    for _ in range(8):  # the title, the agenda, then the data's six slides
        texts = markdown_texts(app) + [m.label for m in app.metric]
        # Markdown shows ``\<img`` as the text "<img": only a marker without its backslash renders
        leaks = [(raw, text[:200]) for text in texts for raw in MARKDOWN_RAW if rendered(raw, text)]
        leaks += [(raw, text[:200]) for text in figure_texts(app) for raw in HTML_RAW if raw in text]
        assert not leaks, leaks
        seen.add(
            app.query_params["slide"][0] if isinstance(app.query_params["slide"], list) else app.query_params["slide"]
        )
        next_button = next(b for b in app.button if b.key == "workshop_next")
        if next_button.disabled:
            break
        next_button.click().run()
    assert len(seen) == 8
    assert any("\\*\\*bold\\*\\*" in m.label for m in app.metric)  # the saved scenario on the last slide, escaped


@pytest.mark.browser
def test_a_browser_shows_hostile_names_as_typed_and_runs_none_of_them(tmp_path):
    path = tmp_path / "workspace.duckdb"
    with Workspace(path) as ws:
        ws.commit(hostile_panel(), f"{BOLD}_{IMAGE}.csv", actor=LOCAL)
    link = f"/scenarios?scenario={quote(SCENARIO + ';renewal_uplift=1')}&show={quote(SCENARIO)}"
    with streamlit_server(path) as url, chromium_page() as page:
        for path_and_query in ["/", "/quadrants", "/cohorts", "/data", link]:
            page.goto(url + path_and_query)
            wait_until_idle(page)
            page.wait_for_timeout(500)
            assert page.evaluate("window.__xss") is None, path_and_query
            assert page.locator('img[src="x"]').count() == 0, path_and_query
            assert page.locator("strong", has_text="bold").count() == 0, path_and_query
            assert page.locator('a[href^="javascript"]').count() == 0, path_and_query
            assert page.locator(ERROR_ELEMENTS).count() == 0, path_and_query
        expect(page.get_by_text(SCENARIO).first).to_be_visible()  # the lab's scenario, as typed
        page.screenshot(path="test-artifacts/browser_hostile_names.png")
