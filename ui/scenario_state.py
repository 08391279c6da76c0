"""The scenarios on the lab's screen for this browser session, and the link that reopens them.

The screen holds the read-only base (id 0) and a list of named scenarios (ids 1, 2, …; an id
stays with its scenario through renames). On the first run of a session the list comes from the
link's ``scenario`` query parameters (a link has ``show`` even without scenarios), else from the
scenarios saved in the workspace. Every run
writes the screen back into the query parameters (``write_link``), so the address bar is always
the link that reopens the same view: scenarios, their levers, the one selected, horizon and metric.

Buttons act through callbacks (run before the page redraws its widgets); what they have to say
goes to ``notices`` and is shown at the top of the next run.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import streamlit as st

from b2b_core import scenarios
from b2b_core.access import PermissionDenied
from b2b_core.i18n import _
from b2b_core.quarters import quarter_text
from b2b_core.scenarios import BASE_NAME, LEVERS, Scenario
from b2b_core.store import Workspace, WorkspaceError
from ui import auth, scenario_views, state
from ui.format import plain

BASE_ID = 0
HORIZONS = (4, 16, 8)  # slider range and default, quarters
SCREEN, SELECTED, NEXT_ID = "lab:scenarios", "lab:selected", "lab:next_id"
HORIZON, METRIC, NOTICES = "lab:horizon", "lab:metric", "lab:notices"
NEW_NAME, SAVED_CHOICE = "lab:new_name", "lab:open_saved"
TOOL = "lab:tool"  # which of tornado, goal seek and plan vs actual is shown


def lever_key(scenario_id: int, lever: str) -> str:
    """The slider of a lever of one scenario."""
    return f"lever:{scenario_id}:{lever}"


def screen() -> dict[int, Scenario]:
    """Scenario id → scenario, in screen order, the base excluded."""
    return st.session_state[SCREEN]


def notify(kind: str, text: str) -> None:
    """Queue a message (``success``, ``info``, ``warning``, ``error``) for the next run."""
    st.session_state.setdefault(NOTICES, []).append((kind, text))


def start(ws: Workspace, metrics: tuple[str, ...]) -> None:
    """Fill the screen on a session's first run: from the link if it carries scenarios, else
    from the saved ones. Whatever cannot be read is left out with a notice naming it. On later
    runs, bring back the selection, horizon and metric if Streamlit dropped their widgets' state
    (it does while another page is shown)."""
    if SCREEN in st.session_state:
        for key in (SELECTED, HORIZON, METRIC):
            if key not in st.session_state:
                st.session_state[key] = st.session_state[f"{key}:kept"]
        if st.session_state[SELECTED] not in (BASE_ID, *screen()):
            st.session_state[SELECTED] = BASE_ID
        return
    st.session_state[SCREEN], st.session_state[NEXT_ID] = {}, 1
    params = st.query_params
    if "scenario" in params or "show" in params:  # a link: exactly its scenarios, even none
        for text in params.get_all("scenario"):
            try:
                _add(scenarios.from_query(text))
            except ValueError as exc:
                notify("warning", _("A scenario of the link was left out: {reason}.").format(reason=plain(exc)))
    else:
        for name, levers in ws.saved_scenarios():
            try:
                _add(Scenario.of(name, levers))
            except ValueError as exc:
                notify(
                    "warning",
                    _("The saved scenario {name} was left out: {reason}.").format(
                        name=plain(repr(name)), reason=plain(exc)
                    ),
                )
    shown = params.get("show")
    st.session_state[SELECTED] = next((i for i, s in screen().items() if s.name == shown), BASE_ID)
    horizon = params.get("horizon", str(HORIZONS[2]))
    st.session_state[HORIZON] = (
        int(horizon) if horizon.isdigit() and HORIZONS[0] <= int(horizon) <= HORIZONS[1] else HORIZONS[2]
    )
    metric = params.get("metric")
    st.session_state[METRIC] = metric if metric in metrics else metrics[1]


def _taken(name: str, besides: int | None = None) -> bool:
    folded = name.casefold()
    return folded in (BASE_NAME.casefold(), scenarios.shown_name(BASE_NAME).casefold()) or any(
        s.name.casefold() == folded for i, s in screen().items() if i != besides
    )


def _add(scenario: Scenario) -> int:
    """Put a scenario on the screen under a free id; ValueError if its name is taken."""
    if _taken(scenario.name):
        raise ValueError(
            _("the name {name} is already used by another scenario on the screen").format(name=repr(scenario.name))
        )
    scenario_id = st.session_state[NEXT_ID]
    st.session_state[NEXT_ID] += 1
    screen()[scenario_id] = scenario
    return scenario_id


def _free_name(stem: str) -> str:
    """``stem``, else ``stem 2``, ``stem 3`` … whichever is free on the screen."""
    stem = stem[: scenarios.MAX_NAME - 4]
    return next(n for n in (stem, *(f"{stem} {k}" for k in range(2, 1000))) if not _taken(n))


def add_new() -> None:
    """A new scenario with every lever at the base, selected."""
    st.session_state[SELECTED] = _add(Scenario(_free_name(_("Scenario"))))


def duplicate(scenario_id: int) -> None:
    """A copy of a scenario (or of the base) under a free name, selected."""
    original = screen().get(scenario_id, scenarios.BASE)
    copy = _("{name} copy").format(name=scenarios.shown_name(original.name))
    st.session_state[SELECTED] = _add(original.with_levers(name=_free_name(copy)))


def rename(ws: Workspace, scenario_id: int) -> None:
    """Rename a scenario to the text of the rename box; its saved copy too, if it has one."""
    old = screen()[scenario_id]
    try:
        new = old.with_levers(name=st.session_state.get(NEW_NAME, ""))
        if _taken(new.name, besides=scenario_id):
            raise ValueError(
                _("another scenario is already called {name} (or it is the base's name)").format(name=repr(new.name))
            )
        if old.name in dict(ws.saved_scenarios()) and new.name != old.name:
            ws.rename_scenario(old.name, new.name, actor=auth.current())
    except (ValueError, KeyError, PermissionDenied, WorkspaceError) as exc:
        notify("error", _("Not renamed: {reason}").format(reason=plain(exc)))
        return
    screen()[scenario_id] = new
    notify("success", _("Renamed {old} to {new}.").format(old=plain(repr(old.name)), new=plain(repr(new.name))))


def kept_projection(scenario: Scenario, horizon: int) -> scenarios.KeptProjection | None:
    """The scenario's projection over ``horizon`` quarters (the lab's: the one on the screen), from
    the data of this run, to keep with it; None when the data cannot carry one."""
    data = state.data_version()
    base = scenario_views.base(data)
    if isinstance(base, str):
        return None
    try:
        projected = scenario_views.projection(
            scenario_views.key(data), scenario_views.levers_key(scenario), horizon, base
        )
    except ValueError:  # e.g. a take-rate change on data without B-side revenue
        return None
    return scenarios.KeptProjection.of(projected, base.last_quarter)


def save(ws: Workspace, scenario_id: int) -> None:
    """Save a scenario's levers in the workspace under its name, with its projection on the data
    of the moment (replacing the one kept when it was saved before)."""
    scenario = screen()[scenario_id]
    projection = kept_projection(scenario, st.session_state[HORIZON])
    try:
        ws.save_scenario(scenario.name, scenario.settings(), projection=projection, actor=auth.current())
    except (PermissionDenied, WorkspaceError) as exc:
        notify("error", _("Not saved: {reason}").format(reason=plain(exc)))
        return
    if projection is None:
        notify(
            "success",
            _("Saved {name} in the workspace (the data carry no projection to keep).").format(
                name=plain(repr(scenario.name))
            ),
        )
        return
    notify(
        "success",
        _(
            "Saved {name} in the workspace with its projection on the data up to {last} ({n} quarters), to compare "
            "with the quarters still to come (Plan vs actual). Saving it again replaces the kept projection."
        ).format(name=plain(repr(scenario.name)), last=quarter_text(projection.last_quarter), n=projection.horizon),
    )


def save_new(ws: Workspace, scenario: Scenario) -> None:
    """Put a new scenario (a goal seek's answer) on the screen, selected, and save it in the
    workspace; a name already taken gets a free one."""
    if _taken(scenario.name):
        scenario = scenario.with_levers(name=_free_name(scenario.name))
    scenario_id = _add(scenario)
    st.session_state[SELECTED] = scenario_id
    save(ws, scenario_id)


def delete(ws: Workspace, scenario_id: int) -> None:
    """Take a scenario off the screen and delete its saved copy; the base is selected."""
    scenario = screen()[scenario_id]
    saved = scenario.name in dict(ws.saved_scenarios())
    if saved:
        try:
            ws.delete_scenario(scenario.name, actor=auth.current())
        except (PermissionDenied, WorkspaceError) as exc:
            notify("error", _("Not deleted: {reason}").format(reason=plain(exc)))
            return
    del screen()[scenario_id]
    st.session_state[SELECTED] = BASE_ID
    said = _("Deleted {name} and its saved copy.") if saved else _("Deleted {name}.")
    notify("success", said.format(name=plain(repr(scenario.name))))


def open_saved(ws: Workspace) -> None:
    """Put the saved scenario chosen in the open box on the screen, selected."""
    name = st.session_state.get(SAVED_CHOICE)
    levers = dict(ws.saved_scenarios()).get(name)
    if levers is None:
        notify("error", _("No saved scenario is called {name} any more.").format(name=plain(repr(name))))
        return
    try:
        st.session_state[SELECTED] = _add(Scenario.of(name, levers))
    except ValueError as exc:
        notify("error", _("Not opened: {reason}.").format(reason=plain(exc)))


def reset_levers(scenario_id: int, keys: list[str]) -> None:
    """Put levers of a scenario back to the base, acting from the first quarter."""
    for key in keys:
        st.session_state[lever_key(scenario_id, key)] = 0.0
        for part in scenarios.WHEN:
            st.session_state[timing_key(scenario_id, key, part)] = 1


def range_key(lever: str) -> str:
    """The tornado's range box of a lever."""
    return f"range:{lever}"


def reset_ranges() -> None:
    """Put every lever's tornado range back to the variation the data show."""
    for lever in LEVERS:
        st.session_state.pop(range_key(lever.key), None)


def timing_key(scenario_id: int, lever: str, part: str) -> str:
    """The start or ramp input (``part``) of a lever of one scenario."""
    return f"timing:{scenario_id}:{lever}:{part}"


def sync_sliders(scenario_id: int) -> None:
    """Seed the sliders and timing inputs of a scenario (or of the base) from its levers where
    they have no state yet."""
    scenario = screen().get(scenario_id, scenarios.BASE)
    for lever in LEVERS:
        st.session_state.setdefault(lever_key(scenario_id, lever.key), getattr(scenario, lever.key))
        for part, value in zip((scenarios.START, scenarios.RAMP), scenario.when(lever.key)):
            st.session_state.setdefault(timing_key(scenario_id, lever.key, part), value)


def apply_sliders(scenario_id: int) -> Scenario:
    """The scenario with the sliders' values and timings, stored back on the screen."""
    values = {lever.key: st.session_state[lever_key(scenario_id, lever.key)] for lever in LEVERS}
    timing = tuple(
        (lever.key, *(int(st.session_state[timing_key(scenario_id, lever.key, part)]) for part in scenarios.WHEN))
        for lever in LEVERS
    )
    screen()[scenario_id] = screen()[scenario_id].with_levers(**values, timing=timing)
    return screen()[scenario_id]


def _link_params() -> dict[str, str | list[str]]:
    selected = st.session_state[SELECTED]
    params = {
        "scenario": [scenarios.to_query(s) for s in screen().values()],
        "show": screen()[selected].name if selected in screen() else BASE_NAME,
        "horizon": str(st.session_state[HORIZON]),
        "metric": st.session_state[METRIC],
    }
    return params


def write_link() -> str:
    """Write the screen into the address bar, and keep the view's choices for the session's
    next visit; return the full link (empty if the browser's address is unknown, as in tests)."""
    for key in (SELECTED, HORIZON, METRIC):  # kept beyond the widgets' lives (see ``start``)
        st.session_state[f"{key}:kept"] = st.session_state[key]
    params = _link_params()
    st.query_params.from_dict(params)
    address = st.context.url
    return f"{address}?{urlencode(params, doseq=True, quote_via=quote)}" if address else ""
