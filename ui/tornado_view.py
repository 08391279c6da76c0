"""The lab's tornado: each lever of the selected scenario moved alone over a range, by default
± the variation the data show by themselves (``scenarios.plausible_steps``), editable."""

from __future__ import annotations

import streamlit as st

from b2b_core import charts, i18n, scenarios
from b2b_core.i18n import _
from b2b_core.quarters import span_label
from ui import downloads, scenario_exports
from ui import format as fmt
from ui import scenario_state as lab
from ui import scenario_views as views


def show(cached: str, base: scenarios.Base, scenario: scenarios.Scenario, horizon: int, first: str, last: str) -> None:
    """Render the ranges and the tornado of ``scenario`` over ``first`` – ``last`` (``cached``:
    ``scenario_views.key`` of the data)."""
    st.subheader(_("What moves {scenario} most").format(scenario=fmt.plain(scenarios.shown_name(scenario.name))))
    plausible = scenarios.plausible_steps(base)
    if not base.has_b_side:
        plausible = plausible[[not scenarios.BY_KEY[key].needs_b_side for key in plausible.index]]
    edited = any(
        st.session_state.get(lab.range_key(key), row["step"]) != row["step"] for key, row in plausible.iterrows()
    )
    label = _("Ranges: your own") if edited else _("Ranges: ± the variation the data show")
    with st.popover(label, icon=":material/straighten:"):  # drawn only when opened
        st.caption(
            _(
                "By default ± the variation the data show by themselves (each box's help says which); type your own "
                "range where you know better. A lever at the end of its allowed range moves only as far as it can."
            )
        )
        cells = st.columns(len(plausible))
        for cell, (key, row) in zip(cells, plausible.iterrows()):
            lever = scenarios.BY_KEY[key]
            cell.number_input(
                _("{lever} ± ({unit})").format(lever=lever.label, unit=lever.unit),
                min_value=0.01,
                max_value=300.0,
                value=float(row["step"]),
                format="%g",
                key=lab.range_key(key),
                help=_("By default: {basis}.").format(basis=row["basis"]),
            )
        st.button(_("Back to the data's ranges"), on_click=lab.reset_ranges, key="lab:ranges_reset")
    steps = tuple((key, float(st.session_state[lab.range_key(key)])) for key in plausible.index)
    tornado = views.sensitivity(cached, views.levers_key(scenario), horizon, base, steps, i18n.language())
    title = _("Cumulative platform revenue {span}: each lever moved over its range alone")
    st.plotly_chart(
        charts.tornado(tornado, title.format(span=span_label((first, last)))),
        width="stretch",
        key="lab:tornado",
    )
    downloads.csv_button(
        _("Download the tornado table (CSV)"),
        scenario_exports.export(tornado),
        f"tornado_{first}_{last}.csv",
        "dl:tornado",
    )
