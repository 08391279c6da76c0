"""The presenter view, and the live deck that keeps it in step with the projected window.

The workshop page names its deck by a short code in the URL (``deck=K7Q2``; a new deck is started
when the URL has none, ``Workspace.start_live_deck``). The projected window writes its slide, setup
(slide order, business model, scenarios shown) and live levers to that deck whenever they change
(``keep_in_step``), and follows it when another window moved it (its browser watches the deck,
``ui.deck_watch``).

``?presenter=1&deck=K7Q2`` opens the presenter view of that deck in a second window (the workshop
page's "Open the presenter view" link): the current slide (headline and a small chart), the next
slide's title and headline, the speaker notes, the time since the deck started and the clock, the
lever values, and Previous / Next, which move the deck for both windows. It polls the deck every
``POLL_S`` and redraws when the deck moved, so it follows the projector within about a second.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import plotly.graph_objects as go
import streamlit as st

from b2b_core import report, scenarios
from b2b_core.i18n import _
from b2b_core.store import Workspace
from b2b_core.store.live_deck import LiveDeck
from b2b_core.store.schema import utc_now
from ui import deck_watch, language
from ui import format as fmt
from ui import workshop_views as views

PARAM, DECK = "presenter", "deck"  # query parameters
POLL_S = 0.5
SYNCED = "presenter:synced"  # (code, what this window last wrote to or read from its deck)
CHART_HEIGHT = 300  # px: the current slide's chart, small beside the notes


def active() -> bool:
    """True in the presenter view (the URL holds ``presenter=1``)."""
    return st.query_params.get(PARAM) == "1"


def link(code: str) -> str:
    """The presenter view's address (relative to the app) for the deck ``code``, in the language
    this session chose."""
    return "workshop?" + urlencode({PARAM: "1", DECK: code, **language.link()})


# -- the projected window ------------------------------------------------------------------------


def deck_code(ws: Workspace) -> str:
    """The code of the URL's deck; a new deck, its code put in the URL, when the URL names none
    that is under way."""
    code = st.query_params.get(DECK, "")
    try:
        return ws.live_deck(code).code
    except ValueError:
        code = ws.start_live_deck().code
        st.query_params[DECK] = code
        return code


def keep_in_step(ws: Workspace, code: str, slide: int, setup: dict, levers: dict[str, float]) -> None:
    """The projected window: write its ``slide``, ``setup`` and ``levers`` to the deck ``code`` when
    they changed in this window, and follow the deck when the presenter view moved it."""
    shown = {"slide": slide, "setup": setup, "levers": dict(levers)}
    if st.session_state.get(SYNCED) != (code, shown):
        ws.update_live_deck(code, **shown)
        st.session_state[SYNCED] = (code, shown)
    deck_watch.watch(code, slide, shown["levers"], _follow, (ws, code))


def _follow(ws: Workspace, code: str) -> None:
    """Callback of the browser's watch (``ui.deck_watch``), pressed when the deck shows another
    slide or levers than this window: this run shows them."""
    try:
        deck = ws.live_deck(code)
    except ValueError:  # removed meanwhile: the run starts another
        return
    synced_code, shown = st.session_state.get(SYNCED, (None, {}))
    if synced_code == code and (deck.slide, deck.levers) != (shown["slide"], shown["levers"]):
        st.session_state[SYNCED] = (code, {**shown, "slide": deck.slide, "levers": deck.levers})
        st.query_params[views.SLIDE] = str(deck.slide)
        views.set_live_levers(deck.levers)


# -- the presenter view --------------------------------------------------------------------------


def adopt(ws: Workspace) -> LiveDeck:
    """The presenter view's deck (its setup, slide and levers taken into this window), or a
    message saying what to do and a stop when the URL names none under way."""
    try:
        deck = ws.live_deck(st.query_params.get(DECK, ""))
    except ValueError as unknown:
        st.title(_("Presenter view"))
        st.info(fmt.plain(unknown))
        st.stop()
    for param, value in (
        (views.SLIDES, ",".join(deck.setup.get("slides", []))),
        (views.MODEL, deck.setup.get("model")),
    ):
        if value:
            st.query_params[param] = value
    st.query_params[views.SLIDE] = str(deck.slide)
    st.session_state[views.SCENARIOS_KEPT] = deck.setup.get("scenarios")
    views.set_live_levers(deck.levers)
    return deck


def show(ws: Workspace, deck: LiveDeck, slides: list[report.Slide]) -> None:
    """Draw the presenter view of ``deck`` (its slides in order) and stop the page: its words in a
    fragment that polls the deck and draws a new slide's words at once, then the current slide's
    chart, drawn again by the whole run that follows each move."""
    _words(ws, deck, slides)
    slide = slides[_position(deck, slides) - 1]
    if slide.figure is not None:
        small = go.Figure(slide.figure).update_layout(height=CHART_HEIGHT, margin={"t": 30, "b": 30})
        chart, _beside = st.columns([3, 2], gap="large")
        chart.plotly_chart(small, width="stretch", theme=None, config={"displayModeBar": False}, key="presenter:chart")
    st.stop()


def _position(deck: LiveDeck, slides: list[report.Slide]) -> int:
    return min(max(deck.slide, 1), len(slides))


@st.fragment(run_every=POLL_S)
def _words(ws: Workspace, drawn: LiveDeck, slides: list[report.Slide]) -> None:
    """Where the deck is, the time since it started and the clock (the browser's time zone), the
    buttons that move it, the current slide's headline and notes, the next slide and the levers.
    The whole view is drawn again when the deck moved (after these words) or its levers changed."""
    try:
        deck = ws.live_deck(drawn.code)
    except ValueError:  # removed meanwhile: the whole run says so
        st.rerun()
    if (deck.setup, deck.levers) != (drawn.setup, drawn.levers):
        st.rerun()  # the slides change with them
    position = _position(deck, slides)
    slide = slides[position - 1]
    top = st.columns([3, 2, 1, 1, 1], vertical_alignment="center")
    top[0].markdown(
        _("**Presenter view** · deck **{code}** · {position} / {total}").format(
            code=deck.code, position=position, total=len(slides)
        )
    )
    now = utc_now()
    clock = now.replace(tzinfo=dt.UTC).astimezone(_browser_zone())
    top[1].markdown(
        _(":material/timer: **{elapsed}** since the start · :material/schedule: **{clock}**").format(
            elapsed=fmt.duration((now - deck.started_at).total_seconds()), clock=f"{clock:%H:%M:%S}"
        )
    )
    top[2].button(
        _("Restart"),
        icon=":material/timer:",
        on_click=_move,
        args=(ws, deck.code),
        kwargs={"restart": True},
        help=_("Start the time since the deck started again from 0:00:00."),
        key="presenter_restart",
        width="stretch",
    )
    for place, (label, icon, step, name) in zip(
        top[3:],
        [(_("Previous"), ":material/arrow_back:", -1, "previous"), (_("Next"), ":material/arrow_forward:", 1, "next")],
        strict=True,
    ):
        place.button(
            label,
            icon=icon,
            on_click=_move,
            args=(ws, deck.code),
            kwargs={"slide": position + step},
            disabled=not 1 <= position + step <= len(slides),
            key=f"workshop_{name}",  # the page's keys (a clicker) press them too
            width="stretch",
        )
    current, later = st.columns([3, 2], gap="large")
    with current:
        st.caption(
            _("Now · {title} · Previous and Next move the projected deck too").format(title=fmt.plain(slide.title))
        )
        st.markdown(f"### {fmt.plain(slide.headline)}")
        st.markdown(_("**Speaker notes**") + "\n\n" + "\n".join(f"- {fmt.plain(note)}" for note in slide.notes))
    with later:
        if position < len(slides):
            following = slides[position]
            st.caption(_("Next · {position} / {total}").format(position=position + 1, total=len(slides)))
            st.markdown(f"**{fmt.plain(following.title)}**  \n{fmt.plain(following.headline)}")
        else:
            st.caption(_("Next · none: this is the last slide"))
        st.markdown(
            _("**Levers in the room**")
            + "\n\n"
            + "\n".join(
                f"- {fmt.plain(lever.label)}: {scenarios.with_unit(value, lever.unit, sign=True)}"
                for lever, value in ((lever, deck.levers.get(lever.key, 0.0)) for lever in scenarios.LEVERS)
            )
        )
    if deck.slide != drawn.slide:
        st.rerun()  # its words are on screen: the whole run draws its chart


def _move(ws: Workspace, code: str, **change) -> None:
    """Button callback: move the deck for every window (``slide``, or ``restart`` its clock)."""
    ws.update_live_deck(code, **change)


def _browser_zone() -> dt.tzinfo:
    """The browser's time zone, UTC when it is not known."""
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC
