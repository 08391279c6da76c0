"""The workshop page's deck and the state it keeps across slides and presentation mode.

The deck is built once per data version, playbook and business model (``report.build_deck``);
the scenario slide is rebuilt on each run from the cached base, with the saved scenarios chosen
and the levers moved in the room, and so is the plan vs actual slide of those scenarios. What
the facilitator chose lives in the URL (``slides``, ``slide``, ``model``) or in kept copies in
the session (scenarios, levers), because Streamlit drops a widget's state on runs that do not
draw it (presentation mode, other slides).
"""

from __future__ import annotations

import streamlit as st

from b2b_core import i18n, playbook, report, scenarios
from b2b_core.amounts import Currency
from b2b_core.i18n import N_, _
from b2b_core.playbook import Playbook
from b2b_core.store import Workspace
from ui import cohort_views, language, lifecycle_views, overview_views, quadrant_views, scenario_views, state

SLIDES, SLIDE, MODEL = "slides", "slide", "model"  # query parameters
CHOSEN, SCENARIOS, LIVE_KEPT = "workshop:slides", "workshop:scenarios", "workshop:live"
SCENARIOS_KEPT = f"{SCENARIOS}:kept"
GO_TO = "workshop_go_to"  # the hidden field a slide number typed in presentation mode goes to
LIVE_NAME = N_("In the room")  # the scenario of the levers moved in the room, in the run's language


@language.cached(st.cache_resource, N_("Building the deck…"), max_entries=8)
def deck(data: str, book_key: str, model: str, currency: Currency | None, lang: str, _book: Playbook) -> report.Deck:
    """``build_deck`` of the live panel in the workspace's ``currency``, computed by the workspace's
    engine (``data``, the scenario base's ``scenario_views.key``, and ``book_key`` key the cache;
    ``_book`` is the playbook they name, read in ``lang``), its texts in ``lang``. The views the
    other pages show with the deck's defaults come from their caches (``report.Measured``). A
    shared read-only resource."""
    with i18n.use(lang):
        return _built_deck(data, model, currency, lang, _book)


def _built_deck(data: str, model: str, currency: Currency | None, lang: str, book: Playbook) -> report.Deck:
    base = scenario_views.base(data)
    found = state.panel()
    observed = found.quarters()
    shown_first = {}  # what the quadrant and cohort pages show before anyone touches a control
    if len(observed) >= 2:
        every, cut, latest = (), "median", observed[-1]
        leave_out = cohort_views.first_cohort().leave_out
        shown_first = {
            "mix": quadrant_views.summary(every, cut, None, (latest,)),
            "migration": quadrant_views.migration(every, observed[-2], latest, cut, None),
            "logo": cohort_views.matrix(every, leave_out, "quarter", "logo", "initial"),
            "nrr": cohort_views.matrix(every, leave_out, "quarter", "nrr", "initial"),
            "lifetimes": cohort_views.lifetimes(every, leave_out, "quarter", None),
        }
    measured = report.Measured(
        kpis=lifecycle_views.kpis(),
        bridge=overview_views.bridge((), "platform_revenue"),
        metrics=lifecycle_views.metrics(),
        base=None if isinstance(base, str) else base,
        **shown_first,
    )

    def built(live) -> report.Deck:
        with i18n.use(lang):
            return report.build_deck(live, book, model, observed=observed, measured=measured, currency=currency)

    return found.reduce(built)


def book_key(play_key: tuple[str, float], weights: dict) -> str:
    """The deck cache's key of the playbook file ``play_key`` with the saved ``weights``."""
    return f"{play_key}|{sorted(weights.items())}"


def model_from_url() -> str:
    """The business model of the ``model`` parameter, ``platform`` when absent or unknown."""
    chosen = st.query_params.get(MODEL, playbook.BUSINESS_MODELS[0])
    return chosen if chosen in playbook.BUSINESS_MODELS else playbook.BUSINESS_MODELS[0]


def order_from_url(available: list[str]) -> list[str]:
    """The slides of the ``slides`` parameter (comma-separated keys) that the deck has, in its
    order; every available slide when it is absent or names none of them."""
    named = [key for key in st.query_params.get(SLIDES, "").split(",") if key in available]
    return list(dict.fromkeys(named)) or available


def position_from_url(total: int) -> int:
    """The ``slide`` parameter (1-based) clamped to 1 … ``total``; 1 when absent or not a number."""
    text = st.query_params.get(SLIDE, "1")
    return min(max(int(text), 1), max(total, 1)) if text.isdigit() else 1


def go_to(position: int) -> None:
    """Button callback: show slide ``position`` (1-based)."""
    st.query_params[SLIDE] = str(position)


def go_to_typed(total: int) -> None:
    """Callback of the hidden ``GO_TO`` field: show the slide whose number was typed (clamped to
    1 … ``total``; anything but a number is ignored), and empty the field for the next one."""
    typed, st.session_state[GO_TO] = st.session_state[GO_TO].strip(), ""
    if typed.isdigit():
        go_to(min(max(int(typed), 1), total))


def keep_slides() -> None:
    """Multiselect callback: the chosen order goes to the URL, and the deck starts again at 1."""
    st.query_params[SLIDES] = ",".join(st.session_state[CHOSEN])
    st.query_params[SLIDE] = "1"


def move(position: int, step: int) -> None:
    """Button callback: move slide ``position`` (1-based) ``step`` places (−1 earlier, +1 later) in
    the chosen order, and keep showing it."""
    order = list(st.session_state[CHOSEN])
    moved = order.pop(position - 1)
    order.insert(position - 1 + step, moved)
    st.session_state[CHOSEN] = order
    st.query_params[SLIDES] = ",".join(order)
    st.query_params[SLIDE] = str(position + step)


def shown_scenarios(saved: dict[str, dict[str, float]]) -> list[str]:
    """The saved scenarios the what-if and plan slides show: the choice (names still saved) of
    the box, or kept from it while the box is not drawn; all saved ones at first."""
    kept = st.session_state.get(SCENARIOS, st.session_state.get(SCENARIOS_KEPT))
    return list(saved) if kept is None else [name for name in kept if name in saved]


def plan_slide(ws: Workspace, saved: dict[str, dict[str, float]]) -> report.Slide | str:
    """``report.plan_slide`` of the chosen saved scenarios' kept projections against the actual
    quarters, or why there is none."""
    kept = ws.kept_projections()
    try:
        return report.plan_slide(
            {name: kept[name] for name in shown_scenarios(saved) if name in kept},
            lifecycle_views.kpis(),
            state.currency(),
        )
    except ValueError as exc:
        return str(exc)


def live_scenario(saved_names: list[str]) -> scenarios.Scenario:
    """The scenario of the levers moved in the room (``LIVE_NAME``, or with " (live)" if a saved
    scenario is called that), named in the run's language."""
    name = _(LIVE_NAME)
    clash = name.casefold() in {saved.casefold() for saved in saved_names}
    return scenarios.Scenario.of(_("{name} (live)").format(name=name) if clash else name, live_levers())


def live_levers() -> dict[str, float]:
    """Lever key → value moved in the room (0 for the others)."""
    return st.session_state.setdefault(LIVE_KEPT, dict.fromkeys(scenarios.LEVER_KEYS, 0.0))


def lever_widget(lever: str) -> str:
    return f"workshop:lever:{lever}"


def lever_step_widget(lever: str, steps: int) -> str:
    """The key of the button moving ``lever`` by ``steps`` (−1: its − button, +1: its + button)."""
    return f"workshop_lever_{lever}_{'less' if steps < 0 else 'more'}"


def step_lever(lever: str, steps: int) -> None:
    """Button callback: move the live ``lever`` by ``steps`` of its step, kept within its range."""
    spec = scenarios.BY_KEY[lever]
    value = round(live_levers()[lever] / spec.step + steps) * spec.step
    live_levers()[lever] = st.session_state[lever_widget(lever)] = min(max(round(value, 6), spec.minimum), spec.maximum)


def keep_lever(lever: str) -> None:
    """Slider callback: keep the lever's value when its slider is not drawn."""
    live_levers()[lever] = float(st.session_state[lever_widget(lever)])


def set_live_levers(values: dict[str, float]) -> None:
    """Take ``values`` (lever key → value, 0 for those absent) as the live levers; the sliders show
    them when next drawn."""
    for lever in scenarios.LEVER_KEYS:
        live_levers()[lever] = float(values.get(lever, 0.0))
        st.session_state.pop(lever_widget(lever), None)


def reset_levers() -> None:
    """Button callback: every live lever back to 0."""
    set_live_levers({})
