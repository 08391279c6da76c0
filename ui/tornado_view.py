"""The lab's tornado: each lever of the selected scenario moved alone over a range, by default
± the variation the data show by themselves (``scenarios.plausible_steps``), editable."""

from __future__ import annotations

import streamlit as st

from b2b_core import charts, scenarios
from ui import downloads
from ui import format as fmt
from ui import scenario_state as lab
from ui import scenario_views as views


def show(cached: str, base: scenarios.Base, scenario: scenarios.Scenario, horizon: int, first: str, last: str) -> None:
    """Render the ranges and the tornado of ``scenario`` over ``first`` – ``last`` (``cached``:
    ``scenario_views.key`` of the data)."""
    st.subheader(f"What moves {fmt.plain(scenario.name)} most")
    plausible = scenarios.plausible_steps(base)
    if not base.has_b_side:
        plausible = plausible[[not scenarios.BY_KEY[key].needs_b_side for key in plausible.index]]
    edited = any(
        st.session_state.get(lab.range_key(key), row["step"]) != row["step"] for key, row in plausible.iterrows()
    )
    label = "Ranges: your own" if edited else "Ranges: ± the variation the data show"
    with st.popover(label, icon=":material/straighten:"):  # drawn only when opened
        st.caption(
            "By default ± the variation the data show by themselves (each box's help says which); type your own "
            "range where you know better. A lever at the end of its allowed range moves only as far as it can."
        )
        cells = st.columns(len(plausible))
        for cell, (key, row) in zip(cells, plausible.iterrows()):
            lever = scenarios.BY_KEY[key]
            cell.number_input(
                f"{lever.label} ± ({lever.unit})",
                min_value=0.01,
                max_value=300.0,
                value=float(row["step"]),
                format="%g",
                key=lab.range_key(key),
                help=f"By default: {row['basis']}.",
            )
        st.button("Back to the data's ranges", on_click=lab.reset_ranges, key="lab:ranges_reset")
    steps = tuple((key, float(st.session_state[lab.range_key(key)])) for key in plausible.index)
    tornado = views.sensitivity(cached, views.levers_key(scenario), horizon, base, steps)
    st.plotly_chart(
        charts.tornado(tornado, f"Cumulative platform revenue {first}–{last}: each lever moved over its range alone"),
        width="stretch",
        key="lab:tornado",
    )
    downloads.csv_button("Download the tornado table (CSV)", tornado, f"tornado_{first}_{last}.csv", "dl:tornado")
