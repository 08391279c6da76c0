"""Real-browser tests that every slide of the sample deck fits a projector whole, in the app's
presentation mode and in the exported HTML deck: at 1280×720, 1366×768, 1920×1080 and 1024×768 no
scrolling, nothing outside the screen or covering anything else, no label cut short, and chart
text large enough to read from the back of a room; the text size S / M / L kept in the link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from b2b_core import playbook, report, sample
from tests.browser import ERROR_ELEMENTS, ROOT, chromium_page, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts" / "projector"
SCREENS = [(1280, 720), (1366, 768), (1920, 1080), (1024, 768)]
SHOTS = {(1280, 720): (4, 7), (1024, 768): (4, 5)}  # (screen) → slides saved as screenshots


def smallest_text(width: int, height: int) -> int:
    """The smallest chart text (px) readable from the back of a room on this screen."""
    return 20 if height >= 1080 else 18


# What a slide shows, measured: the page's scroll size, every box that must be on screen, pairs of
# boxes that overlap, labels cut short, and the font size of every chart text drawn.
MEASURE = """(selectors) => {
    const box = (e) => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,
        right: r.right, width: r.width, height: r.height, name: (e.innerText || e.dataset.testid || e.tagName)
        .trim().slice(0, 40)}; };
    const visible = (selector) => Array.from(document.querySelectorAll(selector))
        .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility === "visible").map(box)
        .filter((b) => b.width > 0 && b.height > 0);
    const shown = visible(selectors.shown), apart = visible(selectors.apart);
    const overlaps = [];
    apart.forEach((a, i) => apart.slice(i + 1).forEach((b) => {
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) overlaps.push([a.name, b.name]);
    }));
    const cut = Array.from(document.querySelectorAll(selectors.labels))
        .filter((e) => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1).map((e) => e.innerText.slice(0, 40));
    const fonts = Array.from(document.querySelectorAll(".main-svg text"))
        .filter((t) => t.textContent.trim() && !t.closest(".hoverlayer") && t.getBBox().width > 0)
        .map((t) => [parseFloat(getComputedStyle(t).fontSize), t.textContent.slice(0, 30)]);
    return {
        scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
        outside: shown.filter((b) => b.top < -1 || b.left < -1 || b.bottom > innerHeight + 1
            || b.right > innerWidth + 1),
        overlaps, cut, fonts, chart: visible(selectors.chart)[0] || null,
    };
}"""
APP = {
    "shown": 'h1, h2, .st-key-workshop_agenda, [data-testid="stMetric"], [data-testid="stPlotlyChart"], '
    '[data-testid="stSlider"], '
    '[data-testid="stExpander"], button',
    "apart": 'h1, h2, .st-key-workshop_agenda, [data-testid="stMetric"], [data-testid="stPlotlyChart"], '
    '[data-testid="stSlider"], '
    '.st-key-workshop_reset, [data-testid="stExpander"], [data-testid="stHorizontalBlock"]:has(.st-key-workshop_next)',
    "labels": 'button, button p, [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] p',
    "chart": '[data-testid="stPlotlyChart"]',
}
DECK = {
    "shown": "section.current h1, section.current .title-slide p, section.current .agenda, "
    "section.current .fact, section.current .chart, section.current .below, nav button",
    "apart": "section.current h1, section.current .title-slide p, section.current .agenda, "
    "section.current .facts, section.current .chart, section.current .below, nav",
    "labels": "nav button, section.current .fact .label",
    "chart": "section.current .chart",
}


def check_fits(measured: dict, width: int, height: int, where: str, words: bool = False) -> int | None:
    """Assert that the slide ``measured`` fits a ``width`` × ``height`` screen; its smallest chart text
    (px), None for a slide of ``words`` alone (the title, the agenda)."""
    assert measured["scroll"][0] <= width and measured["scroll"][1] <= height, (where, measured["scroll"])
    assert measured["outside"] == [], (where, measured["outside"])
    assert measured["overlaps"] == [], (where, measured["overlaps"])
    assert measured["cut"] == [], (where, measured["cut"])
    if words:
        assert measured["chart"] is None, where
        return None
    assert measured["chart"] and measured["chart"]["height"] >= 0.3 * height, (where, measured["chart"])
    smallest = min(size for size, _ in measured["fonts"])
    assert smallest >= smallest_text(width, height), (where, sorted(measured["fonts"])[:3])
    return smallest


def wait_for_drawn_chart(page, selector: str) -> None:
    """Wait until the chart in ``selector`` has drawn its traces at the size of its box."""
    page.wait_for_function(
        """(selector) => {
            const box = document.querySelector(selector);
            const plot = box && (box.matches(".js-plotly-plot") ? box : box.querySelector(".js-plotly-plot"));
            const svg = plot && plot.querySelector(".main-svg");
            return svg && plot._fullData && plot._fullData.length > 0
                && Math.abs(svg.getBoundingClientRect().height - box.getBoundingClientRect().height) < 3;
        }""",
        arg=selector,
    )


def nav_text(page) -> str:
    """The navigation row's text: "3 / 9 · Where we stand" and its buttons."""
    return (
        page.locator('[data-testid="stHorizontalBlock"]')
        .filter(has=page.locator(".st-key-workshop_next"))
        .first.inner_text()
    )


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with streamlit_server(tmp_path_factory.mktemp("projector") / "workspace.duckdb") as url:
        yield url


@pytest.fixture(scope="module")
def page():
    with chromium_page(*SCREENS[0]) as page:
        yield page


@pytest.fixture(scope="module")
def deck_file(tmp_path_factory):
    """The sample's HTML deck, as the Workshop page exports it: its title and agenda, then the data's slides."""
    folder = tmp_path_factory.mktemp("projector_deck")
    ws = sample.open_workspace(folder / "workspace.duckdb")
    try:
        deck = report.build_deck(ws.panel(), playbook.load_playbook())
    finally:
        ws.close()
    following = list(deck.slides.values())
    title = report.title_slide("Quarterly operations review", dt.date(2026, 12, 4), "Example Platform Ltd")
    slides = [title, report.agenda_slide(following, first=3), *following]
    path = folder / "deck.html"
    path.write_text(report.deck_html(slides, "Workshop", "sample"), encoding="utf-8")
    return path, len(slides)


def test_every_presented_slide_fits_each_projector_whole_with_chart_text_readable_from_the_back(app_url, page):
    measured = {}
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{app_url}/workshop?present=1&slide=1")
        position, total = 1, None
        while True:
            page.wait_for_url(re.compile(rf"[?&]slide={position}(&|$)"))
            wait_until_idle(page)
            words = any(f"· {title}" in nav_text(page) for title in report.FRAMING_TITLES.values())
            if not words:
                wait_for_drawn_chart(page, APP["chart"])
            if total is None:  # "1 / 7 · Overview" in the navigation row
                total = int(re.search(r"1 / (\d+)", page.locator("body").inner_text()).group(1))
            assert page.locator(ERROR_ELEMENTS).count() == 0
            if page.locator('[data-testid="stSlider"]').count():  # the what-if slide: every lever and Reset
                expect(page.locator('[data-testid="stSlider"]')).to_have_count(5)
                expect(page.locator(".st-key-workshop_reset button")).to_be_visible()
            result = page.evaluate(MEASURE, APP)
            measured[(width, height, position)] = (
                result["scroll"][1],
                check_fits(result, width, height, f"{width}×{height} slide {position}", words),
            )
            if position in SHOTS.get((width, height), ()):
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"app_{width}x{height}_slide_{position}.png"))
            if position == total:
                break
            page.locator(".st-key-workshop_next button").click()
            position += 1
    assert len(measured) == 4 * total

    # the text size: L from its control, kept in the link, every chart text larger
    page.locator(".st-key-size button").filter(has_text="L").click()
    page.wait_for_url(re.compile(r"[?&]size=L(&|$)"))  # at the click: the run that draws it may not have begun
    wait_until_idle(page)
    wait_for_drawn_chart(page, APP["chart"])
    page.wait_for_function(  # drawn again in large type (Plotly redraws after the run)
        """() => Math.min(...Array.from(document.querySelectorAll(".main-svg text"))
            .filter((t) => t.textContent.trim() && !t.closest(".hoverlayer") && t.getBBox().width > 0)
            .map((t) => parseFloat(getComputedStyle(t).fontSize))) >= 25"""
    )
    large = page.evaluate(MEASURE, APP)
    assert min(size for size, _ in large["fonts"]) >= 25  # 20 px × 1.25
    check_fits(large, 1024, 768, "1024×768 in large type")
    page.keyboard.press("-")  # back to M from the keyboard
    page.wait_for_url(lambda url: "size=" not in url)
    assert f"slide={total}" in page.url and "present=1" in page.url


def test_every_slide_of_the_html_deck_fits_each_projector_whole_and_keeps_its_text_size_in_the_link(page, deck_file):
    path, total = deck_file
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(path.as_uri() + "#1")
        page.reload()  # a new hash alone would not reload the deck
        for position in range(1, total + 1):
            page.wait_for_selector(f"section.slide.current#slide-{position}")
            words = page.locator("section.slide.current").get_attribute("data-key") in report.FRAMING_TITLES
            if not words:
                wait_for_drawn_chart(page, f"section.slide.current#slide-{position} .chart")
            where = f"deck {width}×{height} slide {position}"
            check_fits(page.evaluate(MEASURE, DECK), width, height, where, words)
            if position in SHOTS.get((width, height), ()):
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"deck_{width}x{height}_slide_{position}.png"))
            page.keyboard.press("ArrowRight")
    page.keyboard.press("+")  # large type, kept in the link
    page.wait_for_function("() => location.hash.endsWith('&size=L')")
    current = f"section.slide.current#slide-{total} .chart"
    wait_for_drawn_chart(page, current)
    page.wait_for_function(  # drawn again in large type
        """() => Math.min(...Array.from(document.querySelectorAll("section.current .main-svg text"),
            (t) => parseFloat(getComputedStyle(t).fontSize))) >= 25"""
    )
    check_fits(page.evaluate(MEASURE, DECK), 1024, 768, "deck 1024×768 in large type")
    page.reload()  # the link keeps it
    wait_for_drawn_chart(page, current)
    expect(page.locator('nav .sizes button[data-size="L"]')).to_have_attribute("aria-pressed", "true")
