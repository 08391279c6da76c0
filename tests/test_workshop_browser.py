"""Real-browser tests of the Workshop page: presentation mode slide by slide (keys, chrome hidden,
a chart on every slide but the title and agenda), its text contrast, the live levers of the
what-if slide, the exported HTML deck opened with no network, and a headline written by the
facilitator presented and exported. Debian Chromium against `streamlit run server.py` on the sample."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from b2b_core.report import FRAMING_TITLES, SLIDE_TITLES
from tests.browser import ERROR_ELEMENTS, ROOT, chromium_page, streamlit_server, wait_until_idle
from ui import workshop_views as views

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts" / "workshop"
SHOTS = ARTIFACTS / "room"
VIEWPORT = {"width": 1920, "height": 1080}
# the title and agenda, then every slide the sample carries but plan vs actual (it has no saved
# scenario): key → title
SAMPLE_SLIDES = {**FRAMING_TITLES, **{key: title for key, title in SLIDE_TITLES.items() if key != "plan"}}
KEYS, TITLES = list(SAMPLE_SLIDES), list(SAMPLE_SLIDES.values())
OVERVIEW, WHAT_IF = KEYS.index("overview") + 1, KEYS.index("scenarios") + 1  # slide numbers
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'
SIDEBAR, HEADER = '[data-testid="stSidebar"]', '[data-testid="stHeader"]'
SETUP_WIDGETS = {
    "file uploader": '[data-testid="stFileUploader"]',
    "multiselect": '[data-testid="stMultiSelect"]',
    "selectbox": '[data-testid="stSelectbox"]',
    "download button": '[data-testid="stDownloadButton"]',
}
AA = 4.5  # WCAG 2.x AA, normal-size text


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with streamlit_server(tmp_path_factory.mktemp("workshop") / "workspace.duckdb") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium_page(**VIEWPORT) as page:
        yield page.context.browser


@pytest.fixture
def page(browser):
    """A page in a context of its own (a new Streamlit session: no levers kept from another test)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def wait_for_chart(page, selector: str) -> None:
    """Wait until the Plotly chart ``selector`` has drawn at least one trace into its SVG."""
    page.wait_for_function(
        """(selector) => {
            const plot = document.querySelector(selector);
            return plot && plot._fullData && plot._fullData.length > 0 && plot.querySelector(".main-svg");
        }""",
        arg=selector,
    )


def trace_names(page, selector: str) -> list[str]:
    return page.evaluate("(selector) => document.querySelector(selector)._fullData.map(t => t.name)", selector)


def wait_for_slide(page, position: int, total: int = len(SAMPLE_SLIDES)) -> None:
    """Wait until the URL and the nav row show slide ``position`` and the app has finished its run."""
    page.wait_for_url(re.compile(rf"[?&]slide={position}(&|$)"))
    wait_until_idle(page)
    expect(nav_row(page)).to_contain_text(f"{position} / {total} · {TITLES[position - 1]}")


def nav_row(page):
    """The row Previous · where we are · Next (· Exit)."""
    return page.locator('[data-testid="stHorizontalBlock"]').filter(has=page.locator(".st-key-workshop_next")).first


def check_presented_slide(page, position: int) -> None:
    """Slide ``position`` of the sample deck is on screen alone, its chart drawn (none on the title
    and agenda); screenshot it."""
    assert page.locator(ERROR_ELEMENTS).count() == 0, position
    if KEYS[position - 1] in FRAMING_TITLES:
        expect(page.locator(".js-plotly-plot")).to_have_count(0)  # the previous slide's chart gone
    else:
        wait_for_chart(page, CHART)
        assert page.locator(".js-plotly-plot").count() == 1, position  # one chart a slide, the old one gone
    expect(page.locator(SIDEBAR)).to_be_hidden()
    expect(page.locator(HEADER)).to_be_hidden()
    for name, selector in SETUP_WIDGETS.items():
        assert page.locator(selector).count() == 0, f"slide {position} shows a {name} while presenting"
    expect(page.locator(".st-key-workshop_exit button")).to_be_visible()
    expect(page.locator("h1").first).not_to_be_empty()
    cut_off = page.evaluate(  # a big number cut off by an ellipsis (long lever names) is unreadable
        """() => Array.from(document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricValue"] *'))
            .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent)"""
    )
    assert cut_off == [], f"slide {position} cuts off {cut_off}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"slide_{position}.png"))


def png_from_toolbar(page, chart: str) -> str:
    """Save the chart ``chart`` (a selector) with its toolbar's PNG button; the file's name, after
    checking that it is a PNG."""
    page.locator(chart).hover()
    with page.expect_download() as download:
        page.locator(f'{chart} .modebar-btn[data-title="Download plot as a PNG"]').click()
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return download.value.suggested_filename


def test_presentation_mode_steps_through_every_slide_by_button_and_keys_with_only_the_deck_on_screen(app_url, page):
    elsewhere = []  # requests beyond the app's server: a room may have no internet
    page.on("request", lambda request: elsewhere.append(request.url) if not request.url.startswith(app_url) else None)
    page.goto(app_url + "/workshop?present=1")
    wait_for_slide(page, 1)
    check_presented_slide(page, 1)
    expect(page.locator(".st-key-workshop_previous button")).to_be_disabled()
    next_button = page.locator(".st-key-workshop_next button")
    expect(next_button).to_have_text(re.compile("Next"))
    total = len(SAMPLE_SLIDES)
    ways = {position: ("Next", "ArrowRight", "PageDown")[position % 3] for position in range(2, total + 1)}
    for position, way in ways.items():
        if way == "Next":
            next_button.click()
        else:
            page.keyboard.press(way)
        wait_for_slide(page, position)
        check_presented_slide(page, position)
    expect(next_button).to_be_disabled()
    assert png_from_toolbar(page, CHART) == "scenarios.png"  # the toolbar saves the slide's chart
    page.keyboard.press("ArrowLeft")
    wait_for_slide(page, total - 1)
    check_presented_slide(page, total - 1)
    next_button.click()
    wait_for_slide(page, total)
    expect(next_button).to_be_disabled()
    expect(page.locator(".st-key-workshop_previous button")).to_be_enabled()

    page.locator("h1").first.click()  # the focus on the page, not on a widget
    page.keyboard.press("Escape")
    page.wait_for_url(lambda url: "present=1" not in url)
    wait_until_idle(page)
    expect(page.locator(SIDEBAR)).to_be_visible()
    expect(page.locator(HEADER)).to_be_visible()
    expect(page.locator(".st-key-workshop_exit")).to_have_count(0)
    expect(page.get_by_role("heading", name="Workshop")).to_be_visible()
    assert f"slide={total}" in page.url  # the facilitator is still where they stopped
    assert page.locator(ERROR_ELEMENTS).count() == 0
    assert [url for url in elsewhere if not url.startswith(("data:", "blob:"))] == []  # local URLs


# Every text node's colour as drawn: its computed colour with the opacity of it and its ancestors
# applied to the alpha, for the text directly inside the elements of each group.
TEXT_COLOURS = """(groups) => {
    const found = [];
    for (const [group, selector] of Object.entries(groups)) {
        for (const root of document.querySelectorAll(selector)) {
            const elements = [root, ...root.querySelectorAll("*")];
            for (const element of elements) {
                const own = Array.from(element.childNodes)
                    .filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join("").trim();
                if (!own || element.closest("[aria-hidden='true'], [data-testid='stIconMaterial']")) continue;
                if (!element.getClientRects().length) continue;  // not drawn
                const inactive = element.closest("button:disabled, [aria-disabled='true'], [disabled]") !== null;
                let opacity = 1;
                for (let e = element; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
                if (opacity === 0 || getComputedStyle(element).visibility !== "visible") continue;  // shown on hover
                found.push({group, text: own.slice(0, 50), color: getComputedStyle(element).color, opacity, inactive});
            }
        }
    }
    return found;
}"""


def over_white(color: str, opacity: float = 1.0) -> tuple[float, float, float]:
    """``rgb(r, g, b)`` / ``rgba(r, g, b, a)`` (alpha times ``opacity``) as drawn on white."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", color)]
    assert color.startswith("rgb") and len(numbers) in (3, 4), color
    alpha = (numbers[3] if len(numbers) == 4 else 1.0) * opacity
    return tuple(alpha * c + (1 - alpha) * 255 for c in numbers[:3])


def contrast_on_white(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.x contrast ratio of ``rgb`` (0–255) against white."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def test_contrast_helpers():
    assert contrast_on_white((0, 0, 0)) == pytest.approx(21.0)
    assert contrast_on_white(over_white("rgb(255, 255, 255)")) == pytest.approx(1.0)
    assert contrast_on_white(over_white("rgb(118, 118, 118)")) == pytest.approx(4.54, abs=0.01)
    assert over_white("rgba(0, 0, 0, 0.5)") == pytest.approx((127.5, 127.5, 127.5))
    assert over_white("rgb(0, 0, 0)", opacity=0.5) == pytest.approx((127.5, 127.5, 127.5))


def test_presentation_text_meets_wcag_aa_contrast_on_white(app_url, page):
    groups = {
        "headline": "h1",
        "metric label": '[data-testid="stMetricLabel"]',
        "metric value": '[data-testid="stMetricValue"]',
        "metric delta": '[data-testid="stMetricDelta"]',
        "nav": '[data-testid="stHorizontalBlock"]:has(.st-key-workshop_next)',
        "caption": '[data-testid="stCaptionContainer"]',
        "lever": '[data-testid="stSlider"]',
    }
    checked, failing, inactive = set(), [], []
    for position in (OVERVIEW, WHAT_IF):  # the what-if slide with its lever sliders
        page.goto(f"{app_url}/workshop?present=1&slide={position}")
        wait_for_slide(page, position)
        wait_for_chart(page, CHART)
        if position == WHAT_IF:  # the levers are drawn beside the chart, possibly after it
            expect(page.locator('[data-testid="stSlider"]').first).to_be_visible()
        background = page.evaluate("() => getComputedStyle(document.querySelector('.stApp')).backgroundColor")
        assert over_white(background) == (255, 255, 255), background
        for text in page.evaluate(TEXT_COLOURS, groups):
            ratio = contrast_on_white(over_white(text["color"], text["opacity"]))
            if text["inactive"]:  # WCAG 1.4.3 exempts inactive controls (a disabled Previous / Next)
                inactive.append((position, text["text"], round(ratio, 2)))
                continue
            checked.add(text["group"])
            if ratio < AA:
                failing.append((position, text["group"], text["text"], text["color"], round(ratio, 2)))
    assert not failing, failing
    # every kind of text was measured (presentation mode draws no caption on the sample's slides)
    assert checked >= set(groups) - {"caption"}, checked
    assert inactive, "the disabled Next on the last slide was expected among the inactive texts"


def test_a_lever_moved_in_the_room_adds_its_scenario_to_the_chart_and_headline_without_leaving_the_slide(app_url, page):
    page.goto(f"{app_url}/workshop?present=1&slide={WHAT_IF}")
    wait_for_slide(page, WHAT_IF)
    chart = CHART
    wait_for_chart(page, chart)
    headline = page.locator("h1").first
    assert "In the room" not in trace_names(page, chart)
    assert "In the room" not in headline.inner_text()
    lever = page.locator('[data-testid="stSlider"]').filter(has_text="Renewal uplift (points)")
    more = page.locator(".st-key-" + views.lever_step_widget("renewal_uplift", 1) + " button")
    for steps in range(1, 5):  # 0.5 points a step
        more.click()
        slider = lever.get_by_role("slider")
        expect(slider).to_have_count(1)  # a rerun may briefly show the lever's stale copy beside the new one
        expect(slider).to_have_value(f"{steps / 2:g}")
    wait_until_idle(page)
    expect(headline).to_contain_text("In the room")
    page.wait_for_function(
        "(selector) => document.querySelector(selector)?._fullData?.some(t => t.name === 'In the room')", arg=chart
    )
    expect(lever.get_by_role("slider")).to_have_value("2")
    assert re.search(rf"[?&]slide={WHAT_IF}(&|$)", page.url), page.url
    assert "present=1" in page.url
    expect(nav_row(page)).to_contain_text(f"{WHAT_IF} / {len(SAMPLE_SLIDES)}")
    facts = page.locator('[data-testid="stMetric"]')
    expect(facts.filter(has_text="In the room")).to_have_count(1)
    assert page.locator(ERROR_ELEMENTS).count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"slide_{WHAT_IF}_lever_moved.png"))


def test_the_exported_html_deck_draws_every_slide_offline_with_no_network_request(app_url, page, browser, tmp_path):
    page.goto(app_url + "/workshop")
    wait_for_slide(page, 1)
    total = int(re.search(r"1 / (\d+)", nav_row(page).inner_text()).group(1))
    assert total == len(SAMPLE_SLIDES)
    first_headline = (
        page.locator('[data-testid="stHeadingWithActionElements"] h1').nth(1).inner_text()
    )  # not "Workshop"
    with page.expect_download() as download:
        page.get_by_role("button", name="Deck (HTML, offline)").click()
    deck = tmp_path / "deck.html"
    download.value.save_as(deck)
    assert download.value.suggested_filename.endswith(".html")
    html = deck.read_text(encoding="utf-8")
    assert html.count('<script id="plotly-js"') == 1  # the bundle, embedded once (packed) for every chart

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    offline = browser.new_context(viewport=VIEWPORT, offline=True)
    requested, errors = [], []

    def refuse(route):
        requested.append(route.request.url)
        route.abort()

    offline.route(lambda url: not url.startswith(("file:", "data:")), refuse)
    offline.on("request", lambda r: r.url.startswith(("file:", "data:")) or requested.append(r.url))
    try:
        viewer = offline.new_page()
        viewer.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
        viewer.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
        viewer.goto(Path(deck).as_uri())
        slides = viewer.locator("section.slide")
        expect(slides).to_have_count(total)
        expect(viewer.locator("section.slide a[download]")).to_have_count(total)
        assert viewer.locator("section.slide").first.locator("h1").inner_text() == first_headline
        for position in range(1, total + 1):
            current = viewer.locator("section.slide.current")
            expect(current).to_have_count(1)
            expect(current).to_have_id(f"slide-{position}")
            expect(current.locator("h1")).not_to_be_empty()
            expect(current).to_have_attribute("data-key", KEYS[position - 1])
            if KEYS[position - 1] not in FRAMING_TITLES:
                wait_for_chart(viewer, f"section.slide.current #chart-{position}.js-plotly-plot")
            link = current.locator("a[download]")
            expect(link).to_have_attribute("download", f"{position:02d}_{KEYS[position - 1]}.csv")
            expect(link).to_have_attribute("href", re.compile(r"^data:text/csv;base64,.{20,}"))
            viewer.screenshot(path=str(ARTIFACTS / f"deck_slide_{position}.png"))
            if position < total:  # alternately the key and the button
                if position % 2:
                    viewer.keyboard.press("ArrowRight")
                else:
                    viewer.locator("#next").click()
        assert png_from_toolbar(viewer, f"#chart-{total}") == f"{KEYS[total - 1]}.png"  # drawn offline too
        viewer.keyboard.press("2")  # a slide number then Enter, as in the app
        viewer.keyboard.press("Enter")
        expect(viewer.locator("section.slide.current")).to_have_id("slide-2")
        viewer.keyboard.press("b")
        expect(viewer.locator(".room-blank")).to_be_visible()
        viewer.keyboard.press("ArrowRight")  # any key brings the slide back, and does only that
        expect(viewer.locator(".room-blank")).to_have_count(0)
        expect(viewer.locator("section.slide.current")).to_have_id("slide-2")
        viewer.wait_for_timeout(300)  # a late error or request would show up here
    finally:
        offline.close()
    assert requested == []
    assert errors == []


def test_a_headline_written_by_the_facilitator_is_presented_after_the_title_and_agenda_and_exported(
    app_url, page, tmp_path
):
    page.goto(f"{app_url}/workshop?slide={OVERVIEW}")
    wait_for_slide(page, OVERVIEW)
    written = "Our words <b>for</b> the room"
    field = page.get_by_role("textbox", name="Edit headline")
    field.fill(written)
    field.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="Save the headline").click()
    wait_until_idle(page)
    expect(page.get_by_role("heading", name=written, exact=True)).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"^Headline edited by local user on .* UTC; computed: In 2026Q3"))
    ).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Deck (HTML, offline)").click()
    deck = Path(download.value.path()).read_text(encoding="utf-8")
    assert '<h1>Our words &lt;b&gt;for&lt;/b&gt; the room <span class="edited"' in deck
    assert "<li>Computed headline: In 2026Q3 the platform earned" in deck
    assert '<div class="title-slide"><h1>B2B Ops Strategy Workshop</h1>' in deck
    assert '<ol class="agenda"><li value="3">Where we stand</li>' in deck

    page.goto(f"{app_url}/workshop?present=1&slide=1")
    wait_for_slide(page, 1)
    check_presented_slide(page, 1)
    expect(page.locator("h1").first).to_have_text("B2B Ops Strategy Workshop")
    page.keyboard.press("PageDown")
    wait_for_slide(page, 2)
    expect(page.locator("h1").first).to_have_text("What we will look at")
    expect(page.get_by_text(f"{SLIDE_TITLES['cohorts']}")).to_be_visible()
    page.keyboard.press("PageDown")
    wait_for_slide(page, OVERVIEW)
    check_presented_slide(page, OVERVIEW)
    expect(page.locator("h1").first).to_have_text(written)
    expect(page.get_by_text(re.compile("Headline edited"))).to_have_count(0)  # nothing distracting in the room

    page.locator("h1").first.click()
    page.keyboard.press("Escape")  # back to the setup, where the computed headline comes back
    page.wait_for_url(lambda url: "present=1" not in url)
    wait_until_idle(page)
    page.get_by_role("button", name="Use the computed headline").click()
    wait_until_idle(page)
    expect(page.get_by_text(re.compile("Headline edited"))).to_have_count(0)
    expect(page.get_by_role("heading", name=re.compile("^In 2026Q3 the platform earned"))).to_be_visible()
    assert page.locator(ERROR_ELEMENTS).count() == 0


def lever_value(page, label: str) -> float:
    """The value of the live lever ``label`` (e.g. "Renewal uplift (points)") as its slider says."""
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider")
    return float(slider.input_value())


def wait_for_position(page, position: int, total: int) -> None:
    """Wait until the URL and the nav row show slide ``position`` of ``total`` and the run is over."""
    page.wait_for_url(re.compile(rf"[?&]slide={position}(&|$)"))
    wait_until_idle(page)
    expect(nav_row(page)).to_contain_text(f"{position} / {total} · ")


def test_a_clicker_moves_the_slide_after_a_lever_was_dragged_and_b_blanks_the_screen(app_url, page):
    page.goto(app_url + "/workshop?present=1&slides=scenarios,overview,stage&slide=1")  # what-if first
    wait_for_position(page, 1, 3)
    renewal = "Renewal uplift (points)"
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text=renewal).get_by_role("slider")
    expect(thumb).to_be_visible()
    box = thumb.locator("xpath=../..").bounding_box()  # the drawn thumb around the (hidden) range input
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    expect(page.locator("h1").first).to_contain_text("In the room")  # the drag reached the server
    wait_until_idle(page)
    dragged = lever_value(page, renewal)
    assert dragged > 0
    page.keyboard.press("PageDown")  # what a clicker sends: the slide moves, not the lever
    wait_for_position(page, 2, 3)
    page.keyboard.press("PageUp")
    wait_for_position(page, 1, 3)
    assert lever_value(page, renewal) == dragged
    page.locator(".st-key-" + views.lever_step_widget("renewal_uplift", 1) + " button").click()
    expect(thumb).to_have_value(f"{dragged + 0.5:g}")
    page.locator(".st-key-" + views.lever_step_widget("renewal_uplift", -1) + " button").click()
    expect(thumb).to_have_value(f"{dragged:g}")
    page.keyboard.press("PageDown")  # after a button too
    wait_for_position(page, 2, 3)

    page.keyboard.press("b")
    blank = page.locator(".room-blank")
    expect(blank).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "blanked.png"))
    page.keyboard.press("ArrowRight")  # any key brings the slide back, and only that
    expect(blank).to_have_count(0)
    assert re.search(r"[?&]slide=2(&|$)", page.url)
    page.keyboard.press(".")
    expect(blank).to_be_visible()
    blank.click()
    expect(blank).to_have_count(0)
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    wait_for_position(page, 3, 3)
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    wait_for_position(page, 1, 3)
    assert lever_value(page, renewal) == dragged
    assert page.locator(ERROR_ELEMENTS).count() == 0


# Note in ``window.firstSeen`` the time (ms since the epoch) the page first shows ``text``, checked every 20 ms.
FIRST_SEEN = """(text) => {
    window.firstSeen = null;
    const check = setInterval(() => {
        if (document.body.textContent.includes(text)) { window.firstSeen = Date.now(); clearInterval(check); }
    }, 20);
}"""


def test_the_presenter_view_follows_the_projector_within_a_second_and_can_drive_it(app_url, browser):
    context = browser.new_context(viewport=VIEWPORT)  # two tabs: two sessions on one server
    total = len(TITLES)
    try:
        projector, view = context.new_page(), context.new_page()
        projector.goto(app_url + "/workshop?present=1")
        wait_until_idle(projector)  # the first visit to a new server can take longer than a page's timeout
        wait_for_slide(projector, 1)
        code = re.search(r"[?&]deck=([A-Z0-9]+)", projector.url).group(1)
        view.goto(f"{app_url}/workshop?presenter=1&deck={code}")
        where = view.get_by_text(re.compile(rf"Presenter view · deck {code} · \d+ / {total}"))
        expect(where).to_contain_text(f"1 / {total}")
        expect(view.get_by_text("Speaker notes")).to_be_visible()
        wait_until_idle(view)
        lags = []
        for position in (2, 3, 4):  # when each window first shows the slide, by the clock both share
            projector.evaluate(FIRST_SEEN, f"{position} / {total} · {TITLES[position - 1]}")
            view.evaluate(FIRST_SEEN, f"deck {code} · {position} / {total}")
            projector.keyboard.press("ArrowRight")
            wait_for_slide(projector, position)
            expect(where).to_contain_text(f"{position} / {total}")
            projected, followed = projector.evaluate("() => window.firstSeen"), view.evaluate("() => window.firstSeen")
            lags.append((followed - projected) / 1000)
            wait_until_idle(view)  # the presenter talks over a slide for a while: both windows settle
        expect(view.get_by_text(f"Next · 5 / {total}")).to_be_visible()
        expect(view.get_by_text(TITLES[4], exact=True)).to_be_visible()  # the next slide's title
        print(f"presenter lag after the projector moved: {', '.join(f'{lag:.2f} s' for lag in lags)}")
        assert sorted(lags)[1] < 1.0, lags  # the median; one move may share a loaded machine with a slow run

        view.locator(".st-key-workshop_previous button").click()  # the presenter drives the room
        wait_for_slide(projector, 3)
        for digit in str(WHAT_IF):
            projector.keyboard.press(digit)
        projector.keyboard.press("Enter")
        wait_for_slide(projector, WHAT_IF)
        projector.locator(".st-key-" + views.lever_step_widget("expansion", 1) + " button").click()
        expect(view.get_by_text("Expansion: +0.5 % per quarter")).to_be_visible()
        expect(where).to_contain_text(f"{WHAT_IF} / {total}")
        expect(projector.get_by_text("Speaker notes")).to_have_count(0)  # notes never on the projected screen
        SHOTS.mkdir(parents=True, exist_ok=True)
        projector.screenshot(path=str(SHOTS / "projector.png"))
        view.screenshot(path=str(SHOTS / "presenter.png"))
        assert projector.locator(ERROR_ELEMENTS).count() == 0 and view.locator(ERROR_ELEMENTS).count() == 0
    finally:
        context.close()
