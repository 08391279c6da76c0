"""The lab's "Base assumptions" box: what the data say for each assumption of the base, the ones
set by hand (with who and when), and the controls to set or clear one for the whole workspace."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from b2b_core import scenarios
from b2b_core.access import PermissionDenied, shown_actor
from b2b_core.i18n import N_, _
from b2b_core.store import Workspace, WorkspaceError
from ui import auth
from ui import format as fmt
from ui import scenario_state as lab

CHOICE, VALUE = "base:assumption", "base:value"
ASSUMPTION, DATA_SAY, SET_BY_HAND, BY = (  # the table's columns (marked for the catalog)
    N_("Assumption"),
    N_("The data say"),
    N_("Set by hand"),
    N_("By"),
)


def value_text(key: str, value: float | None) -> str:
    """An assumption's value as people read it: ``263 accounts``, ``13.7k``, ``+4.2% a quarter``,
    ``10.0%``; ``–`` when the data have none."""
    if value is None:
        return "–"
    if key == "new_accounts":
        return _("{n} accounts").format(n=fmt.count(value))
    if key == "new_account_revenue":
        return fmt.money(value)
    if key == "revenue_growth":
        return _("{growth} a quarter").format(growth=f"{value:+.1f}%")
    return f"{value:.2f}%"


def set_override(ws: Workspace) -> None:
    """Set the chosen assumption to the typed value for the workspace (a button's callback)."""
    key = st.session_state[CHOICE]
    value = st.session_state[f"{VALUE}:{key}"]
    try:
        ws.override_base(key, value, actor=auth.current())
    except (ValueError, PermissionDenied, WorkspaceError) as exc:
        lab.notify("error", _("Not set: {reason}").format(reason=fmt.plain(exc)))
        return
    lab.notify(
        "success",
        _("{assumption} is now {value} in every projection.").format(
            assumption=scenarios.ASSUMPTIONS[key].label, value=value_text(key, value)
        ),
    )


def clear_override(ws: Workspace, key: str) -> None:
    """Let the data decide an assumption again (a button's callback)."""
    try:
        ws.clear_base_override(key, actor=auth.current())
    except (KeyError, PermissionDenied, WorkspaceError) as exc:
        lab.notify("error", _("Not cleared: {reason}").format(reason=fmt.plain(exc)))
        return
    lab.notify("success", _("{assumption} follows the data again.").format(assumption=scenarios.ASSUMPTIONS[key].label))


def note(ws: Workspace) -> None:
    """One line over the lab when assumptions are set by hand: which, to what, by whom and when."""
    overridden = ws.base_overrides()
    if overridden:
        said = _("; ").join(
            _("{assumption} {value} ({who}, {day})").format(
                assumption=scenarios.ASSUMPTIONS[key].label.lower(),
                value=value_text(key, value),
                who=fmt.plain(shown_actor(by)),
                day=f"{at:%Y-%m-%d}",
            )
            for key, (value, at, by) in overridden.items()
        )
        st.info(
            _(
                "Set by hand for every projection of this workspace: {assumptions}. See or clear them under "
                "**Look further › Base assumptions**."
            ).format(assumptions=said),
            icon=":material/tune:",
        )


def show(ws: Workspace, data_says: dict[str, float | None], has_b_side: bool) -> None:
    """Render the section: ``data_says``, the assumptions as the data measure them
    (``scenarios.measured`` of the base before any override), those set by hand, and the
    controls to set or clear one."""
    overridden = ws.base_overrides()
    st.subheader(
        _("Base assumptions · {n} set by hand").format(n=len(overridden)) if overridden else _("Base assumptions")
    )
    st.caption(
        _(
            "What the base assumes where the data leave it open. Set one by hand where you know better (a signed "
            "pipeline, a new price list): every projection, scenario, tornado and goal seek of this workspace then "
            "uses it, and says so, until it is cleared. The band keeps the uncertainty the data show."
        )
    )
    rows = []
    for key, assumption in scenarios.ASSUMPTIONS.items():
        value, saved_at, saved_by = overridden.get(key, (None, None, None))
        rows.append(
            {
                _(ASSUMPTION): assumption.label,
                _(DATA_SAY): value_text(key, data_says[key]),
                _(SET_BY_HAND): value_text(key, value) if value is not None else "",
                _(BY): f"{shown_actor(saved_by)}, {saved_at:%Y-%m-%d %H:%M} UTC" if value is not None else "",
            }
        )
    st.table(pd.DataFrame(rows).set_index(_(ASSUMPTION)))  # four rows: a plain table, no grid to draw
    if any(row[_(DATA_SAY)] == fmt.UNKNOWN for row in rows):
        st.caption(fmt.unknown_note(_("The data do not measure it: the take rate needs B-side revenue.")))
    choices = [key for key in scenarios.ASSUMPTIONS if key != "take_rate" or has_b_side]
    cells = st.columns([3, 2, 1, 1], vertical_alignment="bottom")
    key = cells[0].selectbox(
        _("Assumption"), choices, format_func={k: a.label for k, a in scenarios.ASSUMPTIONS.items()}.get, key=CHOICE
    )
    assumption = scenarios.ASSUMPTIONS[key]
    start = overridden.get(key, (data_says[key],))[0]
    cells[1].number_input(
        _("Value ({unit})").format(unit=assumption.unit) if assumption.unit else _("Value"),
        min_value=assumption.minimum,
        max_value=assumption.maximum,
        value=float(start if start is not None else assumption.minimum),
        key=f"{VALUE}:{key}",  # one box per assumption: each starts from its own value
    )
    cells[2].button(_("Set"), on_click=set_override, args=(ws,), key="base:set", width="stretch")
    cells[3].button(
        _("Clear"),
        on_click=clear_override,
        args=(ws, key),
        disabled=key not in overridden,
        key="base:clear",
        width="stretch",
    )
