"""The whole app read in Chinese in a real browser (``?lang=zh``): every page, every slide of
presentation mode and the exported HTML deck, each screenshot in ``test-artifacts/zh``, with no
English word of the app's own left in what the page shows (the data's words aside:
``tests.zh_text``) and amounts written in 万 or 亿."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import expect

from b2b_core import i18n, playbook, report, sample
from tests.browser import ERROR_ELEMENTS, ROOT, chromium_page, streamlit_server, wait_until_idle
from tests.zh_text import english_left

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts" / "zh"
PAGES = ["overview", "lifecycle", "quadrants", "cohorts", "accounts", "scenarios", "workshop", "data"]
STREAMLIT_WORDS = frozenset({"skip", "to", "main", "content"})  # Streamlit's own link for screen readers
UNREAD = '[data-testid="stIconMaterial"], [translate="no"], script, style'  # icons are ligatures: drawn, not read
VISIBLE_TEXT = f"""(selector) => {{
    const shown = document.querySelector(selector).cloneNode(true);
    shown.querySelectorAll('{UNREAD}').forEach((icon) => icon.remove());
    document.body.appendChild(shown);  // innerText needs the layout: the copy is read in the page, then removed
    const text = shown.innerText;
    shown.remove();
    return text;
}}"""  # the text a reader sees: a Material icon's name is a ligature drawn as its picture
CHINESE_AMOUNT = re.compile(r"\d(?:\.\d)?[万亿]")  # 4,543万, 4.5亿


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with streamlit_server(tmp_path_factory.mktemp("zh") / "workspace.duckdb") as url:
        yield url


@pytest.fixture(scope="module")
def page():
    with chromium_page(1500, 1000) as page:
        yield page


def shown_lines(page) -> list[str]:
    """The page's visible text, line by line, once the app is idle and its charts are drawn."""
    wait_until_idle(page)
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(
            (plot) => plot._fullData && plot.querySelector('.main-svg'))"""
    )
    text = page.evaluate(VISIBLE_TEXT, "body")
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_reads_in_chinese_in_the_browser(app_url, page, name):
    page.goto(f"{app_url}/{'' if name == 'overview' else name}?lang=zh")
    if name == "overview":  # its KPI cards, amounts in 万 and 亿, once drawn
        expect(page.locator('[data-testid="stMetricValue"]').nth(1)).to_contain_text(CHINESE_AMOUNT)
    left = english_left(shown_lines(page), STREAMLIT_WORDS)
    deadline = time.monotonic() + 15  # a style drawn over Streamlit's own words applies a moment after the run
    while left and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        left = english_left(shown_lines(page), STREAMLIT_WORDS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert page.locator(ERROR_ELEMENTS).count() == 0
    assert left == []
    expect(page.locator('[data-testid="stSidebarNav"]')).to_contain_text("总览")


def test_presentation_mode_reads_in_chinese_on_every_slide(app_url, page):
    page.goto(f"{app_url}/workshop?present=1&slide=1&lang=zh")
    lines = shown_lines(page)
    total = int(re.search(r"1 / (\d+)", "\n".join(lines)).group(1))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    left = []
    for position in range(1, total + 1):
        if position > 1:
            page.goto(f"{app_url}/workshop?present=1&slide={position}&lang=zh")
            lines = shown_lines(page)
        page.screenshot(path=str(ARTIFACTS / f"present_slide_{position}.png"))
        assert page.locator(ERROR_ELEMENTS).count() == 0
        left += english_left(lines, STREAMLIT_WORDS)
    assert left == []


def test_the_html_deck_exported_in_chinese_reads_in_chinese(page, tmp_path):
    ws = sample.open_workspace(tmp_path / "workspace.duckdb")
    try:
        with i18n.use("zh"):
            book = playbook.load_playbook(playbook.playbook_path("zh"))
            deck = report.build_deck(ws.panel(), book)
            following = list(deck.slides.values())
            title = report.title_slide("季度运营复盘", dt.date(2026, 12, 4), "示例平台")  # the facilitator's words
            slides = [title, report.agenda_slide(following, first=3), *following]
            html = report.deck_html(slides, i18n._("Workshop"), "sample")
    finally:
        ws.close()
    assert '<html lang="zh-CN"' in html
    path = tmp_path / "deck.html"
    path.write_text(html, encoding="utf-8")
    left = []
    for position in range(1, len(slides) + 1):
        page.goto(f"{path.as_uri()}#{position}")
        page.reload()
        current = page.locator(f"section.slide.current#slide-{position}")
        current.wait_for()
        page.screenshot(path=str(ARTIFACTS / f"deck_slide_{position}.png"))
        left += english_left(current.inner_text().splitlines(), STREAMLIT_WORDS)
    assert left == []
