"""The workshop page under AppTest on the bundled sample: the deck and its setup, slide
navigation through the URL, presentation mode without editing widgets, and the live levers."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from b2b_core import overview, report, scenarios
from b2b_core.access import LOCAL
from tests.apptest import commit_sample_quarter, open_app, seeded_up_to, shown, workspace_of
from ui import deck_watch
from ui import workshop_views as views

WORKSHOP = "pages/workshop.py"
EDITING = ("multiselect", "selectbox", "text_input", "number_input", "toggle", "checkbox", "radio", "file_uploader")
# the sample's deck: the title and agenda, then every slide but plan vs actual (no saved scenario)
SAMPLE = [*report.FRAMING_TITLES, *(key for key in report.SLIDE_TITLES if key != "plan")]


def at(key: str, deck: list[str] = SAMPLE) -> int:
    """The slide number (1-based) of ``key`` in ``deck``."""
    return deck.index(key) + 1


def headline(app) -> str:
    """The slide's headline: the Markdown heading under the navigation row."""
    return next(shown(m.value).lstrip("# ") for m in app.markdown if m.value.startswith(("# ", "### ")))


def query(app, name: str) -> str | None:
    value = app.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def button(app, key: str):
    return next(b for b in app.button if b.key == key)


def scenario_names(app) -> list[str]:
    """The scenarios of the what-if slide's metrics (``<name> · platform revenue <quarters>``)."""
    return [shown(m.label).split(" · ")[0] for m in app.metric]


def editing_widgets(app) -> dict[str, int]:
    return {kind: len(app.get(kind)) for kind in EDITING if app.get(kind)}


@pytest.fixture
def deck(workspace_path):
    """The deck the page shows, built by b2b_core from the same workspace."""
    app = open_app(WORKSHOP)
    ws = workspace_of(workspace_path)
    from b2b_core import playbook

    return app, report.build_deck(ws.panel(), playbook.load_playbook(), observed=ws.quarters())


def test_the_page_shows_the_first_slide_with_the_headline_computed_by_b2b_core(deck):
    app, built = deck
    assert not app.exception
    assert query(app, "slide") == "1"
    # the title and agenda, then every slide in the design's order; plan vs actual needs a saved
    # scenario with a kept projection
    assert app.multiselect[0].value == SAMPLE
    for _ in range(at("overview") - 1):
        button(app, "workshop_next").click().run()
    assert headline(app) == built.slides["overview"].headline
    assert [m.label for m in app.metric] == [f.label for f in built.slides["overview"].facts]
    assert [m.value for m in app.metric] == [f.value for f in built.slides["overview"].facts]
    offered = [d.proto.label for d in app.get("download_button")]
    assert {"Deck (HTML, offline)", "Deck (PowerPoint)", "Chart data (ZIP of CSVs)"} <= set(offered)


def test_next_and_previous_move_through_the_slides_and_keep_the_number_in_the_url(deck):
    app, built = deck
    for _ in range(at("bridge") - 1):
        button(app, "workshop_next").click().run()
    assert query(app, "slide") == str(at("bridge")) and headline(app) == built.slides["bridge"].headline
    button(app, "workshop_next").click().run()
    assert query(app, "slide") == str(at("stage")) and headline(app) == built.slides["stage"].headline
    for _ in range(at("scenarios") - at("stage")):
        button(app, "workshop_next").click().run()
    assert query(app, "slide") == str(len(SAMPLE)) and button(app, "workshop_next").disabled
    assert headline(app) == built.slides["scenarios"].headline
    button(app, "workshop_previous").click().run()
    assert query(app, "slide") == str(at("cohorts")) and headline(app) == built.slides["cohorts"].headline
    assert not app.exception


def test_a_link_opens_its_slide_and_its_order_and_a_slide_number_too_large_is_the_last(workspace_path):
    app = open_app(WORKSHOP, query_params={"slides": "migration,overview,nonsense", "slide": "2"})
    assert app.multiselect[0].value == ["migration", "overview"]
    assert headline(app).startswith("In 2026Q3 the platform earned")
    app = open_app(WORKSHOP, query_params={"slide": "99"})
    assert query(app, "slide") == str(len(SAMPLE)) and not app.exception


def test_choosing_slides_puts_their_order_in_the_url_and_starts_again_at_one(deck):
    app, built = deck
    button(app, "workshop_next").click().run()
    app.multiselect[0].set_value(["quadrants", "overview"]).run()
    assert query(app, "slides") == "quadrants,overview" and query(app, "slide") == "1"
    assert headline(app) == built.slides["quadrants"].headline


def test_earlier_and_later_move_the_shown_slide_and_keep_showing_it(deck):
    app, built = deck
    for _ in range(at("stage") - 1):
        button(app, "workshop_next").click().run()
    assert button(app, "workshop_move_earlier").disabled is False
    button(app, "workshop_move_later").click().run()
    moved = ["title", "agenda", "overview", "bridge", "quadrants", "stage", "migration", "cohorts", "scenarios"]
    assert query(app, "slides") == ",".join(moved)
    assert query(app, "slide") == str(at("stage", moved)) and headline(app) == built.slides["stage"].headline
    assert app.multiselect[0].value == moved
    for _ in range(at("stage", moved) - 1):
        button(app, "workshop_move_earlier").click().run()
    assert query(app, "slides").startswith("stage,title,agenda,overview") and query(app, "slide") == "1"
    assert button(app, "workshop_move_earlier").disabled and not app.exception


def test_the_business_model_changes_the_priorities_slide(workspace_path):
    app = open_app(WORKSHOP, query_params={"slides": "stage"})
    platform = headline(app)
    app.selectbox[0].set_value("hardware").run()
    assert query(app, "model") == "hardware"
    ws = workspace_of(workspace_path)
    from b2b_core import playbook

    built = report.build_deck(ws.panel(), playbook.load_playbook(), "hardware", observed=ws.quarters())
    assert headline(app) == built.slides["stage"].headline
    assert headline(app).split(":")[0] == platform.split(":")[0]  # same stage, levers ranked for hardware


def test_presentation_mode_hides_the_sidebar_setup_and_every_editing_widget(workspace_path):
    normal = open_app(WORKSHOP)
    assert editing_widgets(normal).get("multiselect") == 2 and len(normal.sidebar.get("toggle")) == 1
    app = open_app(WORKSHOP, query_params={"present": "1"})
    assert not app.exception
    assert editing_widgets(app) == {"text_input": 1}  # the hidden field a typed slide number goes to
    assert app.text_input(key=views.GO_TO)
    assert not app.sidebar.children or not any(app.sidebar.get(kind) for kind in (*EDITING, "button", "markdown"))
    follow = f"{deck_watch.FOLLOW}_button"  # hidden: the browser presses it when the presenter view moved the deck
    assert {b.key for b in app.button} == {"workshop_previous", "workshop_next", "workshop_exit", follow}
    assert not app.get("download_button") and not app.title
    assert not app.expander  # no speaker notes in front of the room: they are the presenter view's
    for _ in range(len(SAMPLE) - 1):  # only the levers of the scenario slide are widgets to move, by pointer or − / +
        button(app, "workshop_next").click().run()
    assert editing_widgets(app) == {"text_input": 1} and len(app.slider) == 5
    steps = {views.lever_step_widget(lever, steps) for lever in scenarios.LEVER_KEYS for steps in (-1, 1)}
    assert {b.key for b in app.button} == {
        "workshop_previous",
        "workshop_next",
        "workshop_exit",
        "workshop_reset",
        follow,
        *steps,
    }


def test_presenting_opens_the_deck_from_any_page_and_exit_returns_to_the_setup(workspace_path):
    app = open_app("pages/data.py", query_params={"present": "1"})
    assert not app.get("file_uploader") and button(app, "workshop_exit")
    button(app, "workshop_exit").click().run()
    assert query(app, "present") is None and len(app.sidebar.toggle) == 1  # the sidebar is back


def test_the_sidebar_toggle_switches_into_presentation_mode(workspace_path):
    app = open_app()
    app.sidebar.toggle[0].set_value(True).run()
    assert not app.exception
    assert query(app, "present") == "1" and button(app, "workshop_exit")
    assert editing_widgets(app) == {"text_input": 1}  # the hidden field a typed slide number goes to


def test_the_sidebar_toggle_on_the_workshop_keeps_its_slides_and_position(workspace_path):
    app = open_app(WORKSHOP, query_params={"slides": "cohorts,quadrants", "slide": "2"})
    app.sidebar.toggle[0].set_value(True).run()
    assert query(app, "present") == "1" and query(app, "slides") == "cohorts,quadrants"
    assert query(app, "slide") == "2" and headline(app).startswith("In 2026Q3, 521 core partners")


def test_the_present_button_keeps_the_chosen_slides(workspace_path):
    app = open_app(WORKSHOP, query_params={"slides": "cohorts,quadrants"})
    next(b for b in app.button if b.label == "Present").click().run()
    assert query(app, "present") == "1" and query(app, "slides") == "cohorts,quadrants"
    assert headline(app).startswith("Of every 100 new accounts")


def test_live_levers_add_the_rooms_scenario_and_survive_moving_between_slides(workspace_path):
    app = open_app(WORKSHOP, query_params={"present": "1", "slide": str(at("scenarios"))})
    base_headline = headline(app)
    assert base_headline.startswith("With no lever moved")
    app.slider(key="workshop:lever:renewal_uplift").set_value(2.0).run()
    assert headline(app).startswith("In the room adds ") and "on the base's" in headline(app)
    assert scenario_names(app) == ["Base", "In the room"]
    button(app, "workshop_previous").click().run()
    button(app, "workshop_next").click().run()
    assert app.slider(key="workshop:lever:renewal_uplift").value == 2.0
    assert headline(app).startswith("In the room adds ")
    button(app, "workshop_reset").click().run()
    assert headline(app) == base_headline


def test_saved_scenarios_join_the_what_if_slide_and_a_name_clash_with_the_room_is_avoided(workspace_path):
    ws = workspace_of(workspace_path)
    ws.save_scenario("In the room", {"renewal_uplift": 1.0}, actor=LOCAL)
    ws.save_scenario("Cheaper", {"take_rate_change": -0.5}, actor=LOCAL)
    app = open_app(WORKSHOP, query_params={"slide": str(at("scenarios"))})
    assert app.multiselect[1].value == ["In the room", "Cheaper"]  # every saved one, in the order saved
    app.slider(key="workshop:lever:new_account_growth").set_value(10.0).run()
    assert scenario_names(app) == ["Base", "In the room", "Cheaper", "In the room (live)"]
    app.multiselect[1].set_value(["Cheaper"]).run()
    assert scenario_names(app) == ["Base", "Cheaper", "In the room"]
    assert not app.exception


def test_an_empty_workspace_says_what_to_do(workspace_path, monkeypatch):
    from b2b_core import sample

    monkeypatch.setattr(sample, "seed_workspace", lambda workspace, directory=None: [])
    app = open_app(WORKSHOP)
    assert "no data yet" in app.info[0].value and not app.exception


def test_the_plan_slide_shows_a_scenario_saved_two_quarters_back_against_the_quarters_since(workspace_path):
    seeded_up_to(workspace_path, "2026Q1")
    open_app()
    ws = workspace_of(workspace_path)
    push = scenarios.Scenario.of("Renewal push", {"renewal_uplift": 2.0})
    kept = scenarios.KeptProjection.of(scenarios.project(ws.panel(), push, 8), "2026Q1")
    ws.save_scenario(push.name, push.levers(), projection=kept, actor=LOCAL)
    app = open_app(WORKSHOP)
    assert "plan" not in app.multiselect[0].value
    assert any(
        "Plan vs actual (no kept projection reaches a quarter in the data yet (Renewal push: Saved on 2026Q1 data: "
        "its first planned quarter 2026Q2 is not in the data yet))" in shown(c.value)
        for c in app.caption
    )

    commit_sample_quarter(ws, "2026Q2")
    commit_sample_quarter(ws, "2026Q3")
    with_plan = [*report.FRAMING_TITLES, *report.SLIDE_TITLES]
    app = open_app(WORKSHOP, query_params={"slide": str(at("plan", with_plan))})
    assert app.multiselect[0].value == with_plan
    expected = report.plan_slide(ws.kept_projections(), overview.quarter_kpis(ws.panel()))
    assert headline(app) == expected.headline and headline(app).startswith("Renewal push planned ")
    assert [(shown(m.label), m.value) for m in app.metric] == [(f.label, f.value) for f in expected.facts]
    app.multiselect[1].set_value([]).run()  # no saved scenario chosen: no plan to show
    assert "plan" not in app.multiselect[0].options and not app.exception


def test_presenting_sample_data_says_so_over_every_slide(workspace_path):
    app = open_app(WORKSHOP, query_params={"present": "1"})
    notice = "**Sample data:** 2023Q4–2026Q3 is the bundled sample of a fictional platform, not your data."
    assert shown(app.markdown[0].value) == notice
    button(app, "workshop_next").click().run()
    assert shown(app.markdown[0].value) == notice
    workspace_of(workspace_path).remove_sample(actor=LOCAL)
    commit_sample_quarter(workspace_of(workspace_path), "2026Q3")  # the same file, now the user's own upload
    app.run()
    assert not any("Sample data" in m.value for m in app.markdown)


def widget(widgets, label: str):
    return next(w for w in widgets if w.label == label)


def test_the_title_and_agenda_open_the_deck_and_the_setup_names_the_workshop_for_everyone(workspace_path):
    app = open_app(WORKSHOP)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert headline(app) == "B2B Ops Strategy Workshop" and any(today in shown(m.value) for m in app.markdown)
    widget(app.text_input, "Workshop name").set_value("Q3 <review> **now**")
    widget(app.text_input, "Company").set_value("Acme & Co")
    widget(app.date_input, "Date").set_value(dt.date(2026, 12, 1))
    widget(app.button, "Save the title slide").click().run()
    assert not app.exception and "The title slide now reads" in app.success[0].value
    assert headline(app) == "Q3 <review> **now**"  # as typed, never rendered
    assert [shown(m.value).lstrip("# ") for m in app.markdown if m.value.startswith("####")] == [
        "2026-12-01",
        "Acme & Co",
    ]
    assert workspace_of(workspace_path).audit_trail().iloc[0].action == "edit_deck"

    button(app, "workshop_next").click().run()
    assert headline(app) == "What we will look at"
    agenda = next(shown(m.value) for m in app.markdown if m.value.startswith("3. "))
    assert agenda.splitlines() == [f"{at(key)}. {report.SLIDE_TITLES[key]}" for key in SAMPLE[2:]]

    again = open_app(WORKSHOP)  # another facilitator of the workspace sees the same title
    assert headline(again) == "Q3 <review> **now**"
    again.multiselect[0].set_value(["overview", "agenda", "cohorts"]).run()  # no title slide; agenda second
    assert headline(again).startswith("In 2026Q3 the platform earned")
    button(again, "workshop_next").click().run()
    assert next(shown(m.value) for m in again.markdown if m.value.startswith("3. ")) == "3. How cohorts renew"

    widget(again.text_input, "Workshop name").set_value(" ")
    widget(again.button, "Save the title slide").click().run()
    assert "Not saved: the workshop needs a name" in again.error[0].value and not again.exception


def test_a_headline_written_for_the_deck_replaces_the_computed_one_and_says_so_until_reset(workspace_path):
    stage = str(at("stage"))
    app = open_app(WORKSHOP, query_params={"slide": stage})
    computed = headline(app)

    def field():
        return next(t for t in app.text_input if (t.key or "").startswith("workshop:headline:stage:"))

    assert field().value == computed and button(app, "workshop:headline_reset:stage").disabled
    field().set_value("x" * 201)
    button(app, "workshop:headline_save:stage").click().run()
    assert "Not saved: the headline is 201 characters long; a slide holds at most 200" in app.error[0].value
    assert headline(app) == computed

    field().set_value("Our words: **traction** <b>first</b>")
    button(app, "workshop:headline_save:stage").click().run()
    assert not app.exception and headline(app) == "Our words: **traction** <b>first</b>"
    assert field().value == headline(app)  # the field shows the headline of the moment
    caption = next(shown(c.value) for c in app.caption if c.value.startswith("Headline edited"))
    assert re.fullmatch(
        rf"Headline edited by local user on \d{{4}}-\d\d-\d\d \d\d:\d\d UTC; computed: {re.escape(computed)}", caption
    )
    assert workspace_of(workspace_path).edited_headlines()["stage"].text == headline(app)

    presenting = open_app(WORKSHOP, query_params={"slide": stage, "present": "1"})
    assert headline(presenting) == "Our words: **traction** <b>first</b>"
    assert not any(c.value.startswith("Headline edited") for c in presenting.caption)

    button(app, "workshop:headline_reset:stage").click().run()
    assert headline(app) == computed and workspace_of(workspace_path).edited_headlines() == {}
    assert not any(c.value.startswith("Headline edited") for c in app.caption)


def test_the_rooms_levers_are_kept_as_a_saved_scenario_with_their_projection_in_one_click(workspace_path):
    app = open_app(WORKSHOP, query_params={"slide": str(at("scenarios"))})
    keep = "workshop:keep_levers"
    assert button(app, keep).disabled  # no lever moved yet
    name = f"Workshop {dt.datetime.now(dt.UTC).date().isoformat()}"
    assert app.text_input(key="workshop:keep_name").value == name
    app.slider(key="workshop:lever:renewal_uplift").set_value(2.0).run()
    button(app, keep).click().run()
    assert not app.exception
    assert f"Saved the room's levers as the scenario “{name}”, with its projection on the data up to 2026Q3" in (
        shown(app.success[0].value)
    )
    button(app, keep).click().run()  # the name is taken now
    ws = workspace_of(workspace_path)
    assert [n for n, _ in ws.saved_scenarios()] == [name, f"{name} (2)"]
    assert dict(ws.saved_scenarios())[name]["renewal_uplift"] == 2.0
    assert ws.kept_projections()[name].horizon == report.HORIZON
    assert "In the room" in scenario_names(app)  # the levers stay in the room
