"""The presenter view and the live deck under AppTest on the bundled sample: the workshop page writes
its slide and levers to a deck named in its URL, the presenter view (``?presenter=1&deck=…``) shows
that deck's slide, the next one, the notes and the levers, and its Next moves the deck; the levers'
− / + buttons and the hidden field a typed slide number goes to."""

from __future__ import annotations

from b2b_core import report
from tests.apptest import open_app, shown, workspace_of
from ui import presenter
from ui import workshop_views as views

WORKSHOP = "pages/workshop.py"
SAMPLE = [*report.FRAMING_TITLES, *(key for key in report.SLIDE_TITLES if key != "plan")]  # the sample's deck
TOTAL, WHAT_IF = len(SAMPLE), SAMPLE.index("scenarios") + 1  # the what-if slide is the last


def query(app, name: str) -> str | None:
    value = app.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def button(app, key: str):
    return next(b for b in app.button if b.key == key)


def texts(app) -> str:
    return "\n".join(shown(m.value) for m in [*app.markdown, *app.caption])


def test_the_workshop_names_its_live_deck_in_the_url_and_writes_every_move_to_it(workspace_path):
    app = open_app(WORKSHOP)
    code = query(app, presenter.DECK)
    deck = workspace_of(workspace_path).live_deck(code)
    assert deck.slide == 1 and deck.setup["model"] == "platform" and len(deck.setup["slides"]) == TOTAL
    (link,) = app.get("link_button")
    assert link.proto.label == "Open the presenter view" and link.proto.url == f"workshop?presenter=1&deck={code}"
    button(app, "workshop_next").click().run()
    assert workspace_of(workspace_path).live_deck(code).slide == 2
    assert query(app, presenter.DECK) == code  # the same deck on every run


def test_the_presenter_view_shows_the_decks_slide_the_next_one_the_notes_and_the_levers(workspace_path):
    projector = open_app(WORKSHOP, query_params={"present": "1", "slide": str(WHAT_IF)})
    button(projector, views.lever_step_widget("renewal_uplift", 1)).click().run()
    button(projector, "workshop_previous").click().run()  # the slide before, the cohorts' projection
    code = query(projector, presenter.DECK)
    ws = workspace_of(workspace_path)
    assert ws.live_deck(code).slide == WHAT_IF - 1 and ws.live_deck(code).levers["renewal_uplift"] == 0.5

    view = open_app(WORKSHOP, query_params={"presenter": "1", "deck": code.lower()})
    assert not view.exception
    on_screen = texts(view)
    assert f"deck **{code}** · {WHAT_IF - 1} / {TOTAL}" in on_screen
    slide_title, next_title = report.SLIDE_TITLES["cohorts"], report.SLIDE_TITLES["scenarios"]
    assert (
        f"Now · {slide_title}" in on_screen and f"Next · {WHAT_IF} / {TOTAL}" in on_screen and next_title in on_screen
    )
    assert "**Speaker notes**" in on_screen
    assert "Renewal uplift: +0.5 points" in on_screen and "Expansion: +0 % per quarter" in on_screen
    assert len(view.get("plotly_chart")) == 1 and not view.slider and not view.get("multiselect")
    assert not view.sidebar.children or not view.sidebar.get("toggle")
    button(view, "workshop_next").click().run()  # the presenter moves the deck for both windows
    assert ws.live_deck(code).slide == WHAT_IF
    assert f"deck **{code}** · {WHAT_IF} / {TOTAL}" in texts(view) and "Next · none: this is the last slide" in texts(
        view
    )
    assert button(view, "workshop_next").disabled


def test_the_presenter_view_of_an_unknown_deck_says_what_to_do(workspace_path):
    view = open_app(WORKSHOP, query_params={"presenter": "1", "deck": "ZZZZ"})
    assert not view.exception
    assert "No deck is being presented under the code ZZZZ" in view.info[0].value
    assert not view.get("plotly_chart") and not view.button
    view = open_app(WORKSHOP, query_params={"presenter": "1"})
    assert "is not a deck code" in view.info[0].value


def test_the_lever_buttons_move_it_one_step_within_its_range_and_the_deck_keeps_it(workspace_path):
    app = open_app(WORKSHOP, query_params={"present": "1", "slide": str(WHAT_IF)})
    more, less = (views.lever_step_widget("renewal_uplift", steps) for steps in (1, -1))
    for _ in range(4):
        button(app, more).click().run()
    assert app.slider(key=views.lever_widget("renewal_uplift")).value == 2.0
    button(app, less).click().run()
    assert app.slider(key=views.lever_widget("renewal_uplift")).value == 1.5
    assert workspace_of(workspace_path).live_deck(query(app, presenter.DECK)).levers["renewal_uplift"] == 1.5
    app.slider(key=views.lever_widget("churn_elasticity")).set_value(5.0).run()  # its maximum
    assert button(app, views.lever_step_widget("churn_elasticity", 1)).disabled
    assert query(app, "slide") == str(WHAT_IF)


def test_a_slide_number_typed_in_presentation_mode_goes_to_that_slide(workspace_path):
    app = open_app(WORKSHOP, query_params={"present": "1"})
    app.text_input(key=views.GO_TO).input("3").run()
    assert query(app, "slide") == "3" and app.text_input(key=views.GO_TO).value == ""
    app.text_input(key=views.GO_TO).input("99").run()  # past the end: the last slide
    assert query(app, "slide") == str(WHAT_IF)
