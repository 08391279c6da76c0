"""The lab's "What does it take" section: a target for one output at the horizon, each lever's
value that reaches it alone, the selected scenario's levers together, and the answer saved as a
scenario."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from b2b_core import i18n, scenarios
from b2b_core.i18n import N_, _
from b2b_core.quarters import quarter_text
from b2b_core.store import Workspace
from ui import format as fmt
from ui import scenario_state as lab
from ui import scenario_views as views

SHOWN = {"active_accounts": fmt.count, "platform_revenue": fmt.money, "take_rate": fmt.share}
STATUS = {
    scenarios.REACHED: N_("reaches it"),
    scenarios.OUT_OF_REACH: N_("out of reach within the lever's range"),
    scenarios.NO_EFFECT: N_("does not move it alone"),
}


def _value_text(row: pd.Series) -> str:
    """The lever value needed, in its unit (the mix: its scale)."""
    if row["status"] != scenarios.REACHED:
        return "–"
    if row.name == "mix":
        return f"× {row['value']:.2f}"
    return _("{value} {unit}").format(value=f"{row['value']:+.2f}", unit=row["unit"])


def show(ws: Workspace, data: str, base: scenarios.Base, scenario: scenarios.Scenario, horizon: int, last: str) -> None:
    """Render the section for the projection to ``last`` (the horizon's last quarter), offering
    the levers of ``scenario`` (when it moves any) as the mix."""
    st.subheader(_("What does it take"))
    goals = {k: _(v) for k, v in scenarios.GOALS.items() if k != "take_rate" or base.has_b_side}
    at = quarter_text(last)
    cells = st.columns([2, 2, 3])
    output = cells[0].selectbox(_("Output"), list(goals), format_func=goals.get, key="goal:output")
    projected = views.projection(data, views.levers_key(scenarios.BASE), horizon, base)[output].iloc[-1]
    rate = output == "take_rate"
    target = cells[1].number_input(
        (_("Target in {quarter} (%)") if rate else _("Target in {quarter}")).format(quarter=at),
        min_value=0.0,
        value=round(100 * projected + 1, 2) if rate else float(round(1.1 * projected)),  # +1 point, or +10%
        format="%.2f" if rate else "%.0f",
        key=f"goal:target:{output}",
        help=_("The base projects {value} in {quarter}.").format(value=SHOWN[output](projected), quarter=at),
    )
    mix = scenario.overrides()
    together = cells[2].checkbox(
        _("Also move the levers of {scenario} together, in proportion").format(
            scenario=fmt.plain(scenarios.shown_name(scenario.name))
        ),
        value=bool(mix),
        disabled=not mix,
        key="goal:mix",
        help=_("Scales every lever the selected scenario moves by one factor until the target is reached."),
    )
    try:
        table = views.goal(
            data,
            output,
            target / 100 if rate else target,
            horizon,
            base,
            tuple(mix.items()) if together else (),
            i18n.language(),
        )
    except ValueError as exc:
        st.error(_("No answer: {reason}.").format(reason=fmt.plain(exc)))
        return
    shown = SHOWN[output]
    st.table(  # a few rows: a plain table draws faster than a grid on every lever change
        pd.DataFrame(
            {
                _("Lever"): table["label"],
                _("Value needed"): table.apply(_value_text, axis=1),
                _("Reaches"): table["reached"].map(lambda v: shown(v) if pd.notna(v) else "–"),
                _("Over the lever's whole range"): [
                    _("{low} to {high}").format(low=shown(low), high=shown(high))
                    for low, high in zip(table["lowest"], table["highest"])
                ],
                _("Answer"): table["status"].map(lambda status: _(STATUS[status])),
            }
        ).set_index(_("Lever"))
    )
    if (table["status"] != scenarios.REACHED).any():
        st.caption(
            fmt.unknown_note(
                _(
                    "Value needed: no value of that lever alone reaches the target within its range. Reaches: the "
                    "lever does not move this output."
                )
            )
        )
    reached = table[table["status"] == scenarios.REACHED]
    if reached.empty:
        st.caption(_("No lever reaches the target alone within its range: lower the target or combine levers."))
        return
    row = st.columns([3, 3, 2], vertical_alignment="bottom")
    choice = row[0].selectbox(_("Save the answer of"), list(reached.index), format_func=reached["label"].get)
    goal = (
        fmt.money(target, markdown=False) if output == "platform_revenue" else shown(target / 100 if rate else target)
    )
    name = row[1].text_input(
        _("As scenario"),
        value=_("{output} {goal} in {quarter}").format(output=goals[output], goal=goal, quarter=at),
        max_chars=60,
    )
    try:
        answer = scenarios.scenario_reaching(reached.loc[choice], choice, name, mix=mix if together else None)
    except ValueError as exc:
        row[2].caption(fmt.plain(exc))
        return
    row[2].button(
        _("Save as scenario"), icon=":material/save:", on_click=lab.save_new, args=(ws, answer), key="goal:save"
    )
