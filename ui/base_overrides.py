"""The lab's "Base assumptions" box: what the data say for each assumption of the base, the ones
set by hand (with who and when), and the controls to set or clear one for the whole workspace."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from b2b_core import scenarios
from b2b_core.access import PermissionDenied
from b2b_core.store import Workspace, WorkspaceError
from ui import auth
from ui import format as fmt
from ui import scenario_state as lab

CHOICE, VALUE = "base:assumption", "base:value"


def value_text(key: str, value: float | None) -> str:
    """An assumption's value as people read it: ``263 accounts``, ``13.7k``, ``+4.2% a quarter``,
    ``10.0%``; ``–`` when the data have none."""
    if value is None:
        return "–"
    if key == "new_accounts":
        return f"{fmt.count(value)} accounts"
    if key == "new_account_revenue":
        return fmt.money(value)
    if key == "revenue_growth":
        return f"{value:+.1f}% a quarter"
    return f"{value:.2f}%"


def set_override(ws: Workspace) -> None:
    """Set the chosen assumption to the typed value for the workspace (a button's callback)."""
    key = st.session_state[CHOICE]
    value = st.session_state[f"{VALUE}:{key}"]
    try:
        ws.override_base(key, value, actor=auth.current())
    except (ValueError, PermissionDenied, WorkspaceError) as exc:
        lab.notify("error", f"Not set: {fmt.plain(exc)}")
        return
    lab.notify("success", f"{scenarios.ASSUMPTIONS[key].label} is now {value_text(key, value)} in every projection.")


def clear_override(ws: Workspace, key: str) -> None:
    """Let the data decide an assumption again (a button's callback)."""
    try:
        ws.clear_base_override(key, actor=auth.current())
    except (KeyError, PermissionDenied, WorkspaceError) as exc:
        lab.notify("error", f"Not cleared: {fmt.plain(exc)}")
        return
    lab.notify("success", f"{scenarios.ASSUMPTIONS[key].label} follows the data again.")


def note(ws: Workspace) -> None:
    """One line over the lab when assumptions are set by hand: which, to what, by whom and when."""
    overridden = ws.base_overrides()
    if overridden:
        said = "; ".join(
            f"{scenarios.ASSUMPTIONS[key].label.lower()} {value_text(key, value)} ({fmt.plain(by)}, {at:%Y-%m-%d})"
            for key, (value, at, by) in overridden.items()
        )
        st.info(
            f"Set by hand for every projection of this workspace: {said}. See or clear them under "
            "**Look further › Base assumptions**.",
            icon=":material/tune:",
        )


def show(ws: Workspace, data_says: dict[str, float | None], has_b_side: bool) -> None:
    """Render the section: ``data_says``, the assumptions as the data measure them
    (``scenarios.measured`` of the base before any override), those set by hand, and the
    controls to set or clear one."""
    overridden = ws.base_overrides()
    st.subheader("Base assumptions" + (f" · {len(overridden)} set by hand" if overridden else ""))
    st.caption(
        "What the base assumes where the data leave it open. Set one by hand where you know better (a signed "
        "pipeline, a new price list): every projection, scenario, tornado and goal seek of this workspace then "
        "uses it, and says so, until it is cleared. The band keeps the uncertainty the data show."
    )
    rows = []
    for key, assumption in scenarios.ASSUMPTIONS.items():
        value, saved_at, saved_by = overridden.get(key, (None, None, None))
        rows.append(
            {
                "Assumption": assumption.label,
                "The data say": value_text(key, data_says[key]),
                "Set by hand": value_text(key, value) if value is not None else "",
                "By": f"{saved_by}, {saved_at:%Y-%m-%d %H:%M} UTC" if value is not None else "",
            }
        )
    st.table(pd.DataFrame(rows).set_index("Assumption"))  # four rows: a plain table, no grid to draw
    if any(row["The data say"] == fmt.UNKNOWN for row in rows):
        st.caption(fmt.unknown_note("The data do not measure it: the take rate needs B-side revenue."))
    choices = [key for key in scenarios.ASSUMPTIONS if key != "take_rate" or has_b_side]
    cells = st.columns([3, 2, 1, 1], vertical_alignment="bottom")
    key = cells[0].selectbox("Assumption", choices, format_func=lambda k: scenarios.ASSUMPTIONS[k].label, key=CHOICE)
    assumption = scenarios.ASSUMPTIONS[key]
    start = overridden.get(key, (data_says[key],))[0]
    cells[1].number_input(
        f"Value ({assumption.unit})" if assumption.unit else "Value",
        min_value=assumption.minimum,
        max_value=assumption.maximum,
        value=float(start if start is not None else assumption.minimum),
        key=f"{VALUE}:{key}",  # one box per assumption: each starts from its own value
    )
    cells[2].button("Set", on_click=set_override, args=(ws,), key="base:set", width="stretch")
    cells[3].button(
        "Clear",
        on_click=clear_override,
        args=(ws, key),
        disabled=key not in overridden,
        key="base:clear",
        width="stretch",
    )
