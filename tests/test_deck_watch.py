"""The projected window's watch on its live deck (``ui.deck_watch``): the server answers a deck's
slide and levers at ``/api/live-deck/<code>`` without running a page, and the hidden button the
browser presses when the deck moved makes the window show the deck's slide and levers, with no
timed fragment on the page."""

from __future__ import annotations

import html
import json
import re

from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.apptest import open_app, workspace_of
from ui import deck_watch, presenter
from ui import workshop_views as views

WORKSHOP = "pages/workshop.py"


def shown(app) -> dict:
    """What the run says it shows, in the hidden box the browser's watch reads."""
    (box,) = [h.proto.body for h in app.get("html") if 'data-live-deck="' in h.proto.body]
    return json.loads(html.unescape(re.search(r'data-live-deck="([^"]*)"', box).group(1)))


def query(app, name: str) -> str | None:
    value = app.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_the_server_answers_a_decks_slide_and_levers_and_404_for_an_unknown_code(workspace_path):
    app = open_app(WORKSHOP, query_params={"present": "1", "slide": "3"})
    code = query(app, presenter.DECK)
    workspace_of(workspace_path).update_live_deck(code, levers={"expansion": 0.5})
    client = TestClient(Starlette(routes=[deck_watch.route()]))
    answer = client.get(f"/api/live-deck/{code.lower()}")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert answer.json()["slide"] == 3 and answer.json()["levers"]["expansion"] == 0.5
    assert client.get("/api/live-deck/ZZZZ").status_code == 404
    assert client.get("/api/live-deck/not-a-code").status_code == 404


def test_the_hidden_follow_button_shows_the_slide_and_levers_the_presenter_moved_the_deck_to(workspace_path):
    app = open_app(WORKSHOP, query_params={"present": "1"})
    code = query(app, presenter.DECK)
    follow = next(b for b in app.button if b.key == f"{deck_watch.FOLLOW}_button")
    assert shown(app)["code"] == code and shown(app)["slide"] == 1 and shown(app)["levers"]["expansion"] == 0.0
    workspace_of(workspace_path).update_live_deck(code, slide=4, levers={"renewal_uplift": 1.0})  # the presenter view
    follow.click().run()
    assert query(app, "slide") == "4" and views.LIVE_KEPT in app.session_state
    assert app.session_state[views.LIVE_KEPT]["renewal_uplift"] == 1.0
    assert shown(app)["slide"] == 4 and shown(app)["levers"]["renewal_uplift"] == 1.0
    assert workspace_of(workspace_path).live_deck(code).slide == 4  # nothing written back over it
