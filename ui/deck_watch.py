"""The projected window's watch on its live deck, kept in the browser: no script run until the deck moved.

The browser asks the server for the deck's slide and levers every ``POLL_MS`` (``ROUTE``, answered
by ``deck_state`` without running the page), and only when they differ from what the window shows
(twice in a row: within about a second of a move) does it press the button in the hidden
``FOLLOW`` box, whose callback takes the deck's slide and levers (``ui.presenter``): one whole run
of the page, as a click on Next would make.

Why not an ``st.fragment(run_every=…)``: each timed fragment run asks the server for a run just
after the last one ended, and Streamlit then starts a new script runner and drops the messages of
the previous run it had not yet sent (``AppSession.request_rerun`` with the runner already stopped;
its later events are "from a non-current ScriptRunner"). Under load that was the end of a whole run:
a slide's chart, its navigation row or the run's "finished" message that clears what the slide
before had drawn, lost for good on a window nobody touches. A run asked for by a click (or by this
button) draws the whole page again, so nothing of a run before it can be left half-drawn.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

import streamlit as st

from b2b_core.i18n import _

if TYPE_CHECKING:
    from b2b_core.store.live_deck import LiveDeck

ROUTE = "/api/live-deck/{code}"  # the server's answer: {"slide": 3, "levers": {"expansion": 0.5, …}}
FOLLOW = "workshop_follow"  # the hidden box of the button the browser presses when the deck moved
POLL_MS = 500

# Installed once per browser tab. Each run of the page writes what it shows into the hidden box
# (``data-live-deck``); a deck that differs from it on two polls in a row, the page idle at both,
# presses the box's button once, then waits for a run that shows something else (or 5 s) before
# pressing again. Once is not enough: this window's own run (a lever moved in the room) writes the
# deck before its page shows the new levers, and a press then would start a run over the end of
# that one (the race this watch exists to avoid).
WATCH = """
<script>
const host = window.parent;
if (!host.liveDeckWatch) {
  host.liveDeckWatch = true;
  let pressedAt = 0, pressedFor = null, seen = null;
  const running = () => {  // a run under way: the deck may be ahead of what it is drawing
    const app = host.document.querySelector('[data-testid="stApp"]');
    return (app && app.dataset.testScriptState === "running")
      || host.document.querySelector('[data-testid="stStatusWidget"]') !== null;
  };
  const shownNow = () => host.document.querySelector(".st-key-__FOLLOW__ [data-live-deck]")?.dataset.liveDeck;
  const same = (deck, shown) => deck.slide === shown.slide
    && Object.keys({...deck.levers, ...shown.levers}).every((k) => (deck.levers[k] || 0) === (shown.levers[k] || 0));
  host.setInterval(async () => {
    const text = shownNow(), button = host.document.querySelector(".st-key-__FOLLOW__ button");
    if (!text || !button || host.document.hidden || running()) return;
    if (pressedFor === text && Date.now() - pressedAt < 5000) return;
    try {
      const shown = JSON.parse(text);
      const answer = await host.fetch(new URL("api/live-deck/" + shown.code, host.location.href), {cache: "no-store"});
      if (!answer.ok) return;
      const deck = await answer.json();
      if (shownNow() !== text || running() || same(deck, shown)) { seen = null; return; }
      const difference = text + JSON.stringify(deck);
      if (seen !== difference) { seen = difference; return; }  // seen once: this window's own run may be catching up
      seen = null;
      pressedAt = Date.now();
      pressedFor = text;
      button.click();
    } catch (error) { /* the server restarts or the network drops: the next tick asks again */ }
  }, __POLL_MS__);
}
</script>
"""


def watch(code: str, slide: int, levers: dict[str, float], on_moved, args: tuple) -> None:
    """Draw the hidden box of the browser's watch on the deck ``code``: what this run shows (``slide``
    and ``levers``) and the button (``on_moved(*args)`` when pressed) the watch presses when the
    deck's slide or levers differ from them."""
    shown = json.dumps({"code": code, "slide": slide, "levers": {k: float(v) for k, v in levers.items()}})
    st.html(f"<style>.st-key-{FOLLOW} {{ display: none; }}</style>")
    with st.container(key=FOLLOW):
        st.button(_("Follow the deck"), key=f"{FOLLOW}_button", on_click=on_moved, args=args)
        st.html(f'<div data-live-deck="{html.escape(shown)}"></div>')
        st.html(WATCH.replace("__FOLLOW__", FOLLOW).replace("__POLL_MS__", str(POLL_MS)), unsafe_allow_javascript=True)


def deck_state(request):
    """The server's answer at ``ROUTE``: the deck's slide and levers as JSON, 404 when there is no such
    deck (or no workspace yet). Runs in the server's thread pool, not in a page's run."""
    from starlette.responses import JSONResponse

    from b2b_core.store import default_path
    from ui import state

    headers = {"Cache-Control": "no-store"}
    try:
        if not default_path().exists():
            raise ValueError("no workspace yet")
        deck: LiveDeck = state.workspace().live_deck(request.path_params["code"])
    except Exception:  # an unknown code, a workspace gone: the window keeps what it shows
        return JSONResponse({}, status_code=404, headers=headers)
    return JSONResponse({"slide": deck.slide, "levers": deck.levers}, headers=headers)


def route():
    """The Starlette route of ``deck_state`` for ``st.App(routes=…)``."""
    from starlette.routing import Route

    return Route(ROUTE, deck_state, methods=["GET"])
