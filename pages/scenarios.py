"""Scenario lab: the base projection from the data, named what-if scenarios on five levers, their
projections with bands side by side, the summary table, the tornado of the selected scenario,
and the link that reopens this exact view."""

import pandas as pd
import streamlit as st

from b2b_core import charts, exports, quarters, scenarios
from ui import base_overrides, columns, downloads, goal_seek, plan_views, shell, state, tornado_view
from ui import format as fmt
from ui import scenario_state as lab
from ui import scenario_views as views

TOOLS = {  # one at a time: each is a page of its own, and a lever change redraws only the one shown
    "tornado": "What moves it most",
    "goal": "What does it take",
    "plan": "Plan vs actual",
    "base": "Base assumptions",
}
NO_TAKE_RATE = "the data have no B-side revenue, so there is no take rate (platform over B-side revenue) to project."
METRICS = {
    "active_accounts": "Active accounts",
    "platform_revenue": "Platform revenue",
    "b_side_revenue": "B-side revenue",
    "take_rate": "Take rate",
}


def lever_text(lever: scenarios.Lever, scenario: scenarios.Scenario, first: str) -> str:
    """A lever of a scenario as people say it: ``+5 points``, ``0``, ``+5 points from 2027Q2,
    full after 4 quarters`` (``first``: the first projected quarter)."""
    value = getattr(scenario, lever.key)
    return "0" if value == 0 else f"{value:+g} {lever.unit}{timing_text(*scenario.when(lever.key), first)}"


def timing_text(start: int, ramp: int, first: str) -> str:
    """When a lever starting in projected quarter ``start`` with a ``ramp`` acts, if not fully
    from ``first``: `` from 2027Q2, full after 4 quarters``."""
    if (start, ramp) == (1, 1):
        return ""
    ramp_text = f", full after {ramp} quarters" if ramp > 1 else ""
    return f" from {quarters.shift(first, start - 1)}{ramp_text}"


def take_rate_text(base: scenarios.Base) -> str:
    """How the base projects the take rate, with its evidence, in one line."""
    if not base.has_b_side:
        return "none: the data have no B-side revenue."
    if base.take_rate is None:
        return "B-side revenue follows its own trend: no quarter has a positive take rate to model."
    reported = (
        ""
        if base.reported_share >= 1
        else f" ({fmt.share(base.reported_share)} of platform revenue comes from accounts that report B-side revenue)"
    )
    return f"{base.take_rate.evidence()}; B-side revenue follows platform revenue at that rate{reported}."


def coverage_text(errors: pd.Series) -> str:
    """How many held-out quarters a band held, from a ``backtest_errors`` row: ``3 of 4 quarters``."""
    quarters = int(errors["quarters"])
    return f"{round(errors['coverage'] * quarters)} of {quarters} quarters"


def timing_popover(scenario_id: int, key: str, first: str) -> None:
    """The start quarter and ramp of a moved lever, behind a button that says when it acts
    (``first``: the first projected quarter)."""
    start_key, ramp_key = (lab.timing_key(scenario_id, key, part) for part in scenarios.WHEN)
    when = timing_text(int(st.session_state[start_key]), int(st.session_state[ramp_key]), first).strip()
    with st.popover(f"When: {when or 'from the first quarter'}", icon=":material/schedule:"):
        st.number_input(
            "Starts in projected quarter",
            1,
            scenarios.MAX_QUARTER,
            step=1,
            key=start_key,
            help="1 is the first quarter after the data.",
        )
        st.number_input(
            "Full effect after (quarters)",
            1,
            scenarios.MAX_QUARTER,
            step=1,
            key=ramp_key,
            help="The lever grows in equal steps to its full value over these quarters; 1 is at once.",
        )


def summary_rows(table: pd.DataFrame, shown: dict[str, scenarios.Scenario], first: str, last: str) -> pd.DataFrame:
    """The ``compare`` table for the screen: inputs (``shown``: name → scenario, with their
    timing) then outputs as rows, scenarios as columns; each scenario's output followed by its
    change against the base. Cells of a grid, not Markdown."""

    def money(value: float) -> str:
        return fmt.money(value, markdown=False)

    outputs = {
        "active_accounts_end": (f"Active accounts in {last}", fmt.count, "count"),
        "platform_revenue_end": (f"Platform revenue in {last}", money, None),
        "platform_revenue_total": (f"Platform revenue {first}–{last}", money, None),
        "b_side_revenue_total": (f"B-side revenue {first}–{last}", money, None),
        "take_rate_total": (f"Take rate {first}–{last}", fmt.share, "points"),
    }
    rows = {
        f"{lever.label} ({lever.unit})": pd.Series(
            [lever_text(lever, shown[name], first) for name in table.index], index=table.index
        )
        for lever in scenarios.LEVERS
    }
    for key, (label, shown, kind) in outputs.items():
        cells = []
        for name, row in table.iterrows():
            text = shown(row[key])
            if name != scenarios.BASE_NAME:
                delta = fmt.change(row[f"{key}_vs_base"], kind) if kind else money(row[f"{key}_vs_base"])
                relative = fmt.change(row[f"{key}_vs_base_pct"], "relative")
                if delta and not delta.startswith(("+", "-")):
                    delta = f"+{delta}"
                text += f" ({delta}, {relative})" if relative else f" ({delta})"
            cells.append(text)
        rows[label] = pd.Series(cells, index=table.index)
    return pd.DataFrame(rows).T.rename_axis("")


shell.require_app_shell()
st.title("Scenario lab")
ws = state.workspace_with_data()
data = state.data_version()
measured = views.measured_base(data)
if isinstance(measured, str):
    st.info(f"Projections cannot start yet: {measured}.")
    st.stop()

lab.start(ws, tuple(METRICS))
for kind, text in st.session_state.pop(lab.NOTICES, []):
    getattr(st, kind)(text)
base_overrides.note(ws)
base = views.base(data)
cached = views.key(data)  # what is projected from the base is cached per data version and assumptions set by hand
if isinstance(base, str):
    st.error(f"Projections cannot start: {base}. Clear it below.")
    base_overrides.show(ws, scenarios.measured(measured), measured.has_b_side)
    st.stop()
if base.fit_warning:
    st.warning(f"The renewal model carries little weight here: {base.fit_warning}. Bands are wide.")

# The scenario being edited, its actions, the horizon
screen = lab.screen()
top = st.columns([4, 1])
selected = top[0].segmented_control(
    "Scenario",
    [lab.BASE_ID, *screen],
    format_func=lambda i: f"{scenarios.BASE_NAME} (read-only)" if i == lab.BASE_ID else fmt.plain(screen[i].name),
    key=lab.SELECTED,
    required=True,
)
horizon = top[1].slider("Horizon (quarters)", *lab.HORIZONS[:2], key=lab.HORIZON)
editable = selected != lab.BASE_ID
saved = dict(ws.saved_scenarios())
closed = [name for name in saved if name not in {s.name for s in screen.values()}]
toolbar = st.columns(6)
toolbar[0].button("New", icon=":material/add:", on_click=lab.add_new, width="stretch", key="lab:new")
toolbar[1].button(
    "Duplicate",
    icon=":material/content_copy:",
    on_click=lab.duplicate,
    args=(selected,),
    width="stretch",
    key="lab:duplicate",
)
toolbar[2].button(
    "Save",
    icon=":material/save:",
    on_click=lab.save,
    args=(ws, selected),
    disabled=not editable,
    width="stretch",
    key="lab:save",
)
with toolbar[3].popover("Rename", icon=":material/edit:", disabled=not editable, width="stretch"):
    st.text_input(
        "New name", value=screen[selected].name if editable else "", key=lab.NEW_NAME, max_chars=scenarios.MAX_NAME
    )
    st.button("Rename", on_click=lab.rename, args=(ws, selected), key="lab:rename")
with toolbar[4].popover("Delete", icon=":material/delete:", disabled=not editable, width="stretch"):
    st.markdown("Take this scenario off the screen and delete its saved copy?")
    st.button("Delete", type="primary", on_click=lab.delete, args=(ws, selected), key="lab:delete")
with toolbar[5].popover("Open saved", icon=":material/folder_open:", disabled=not closed, width="stretch"):
    st.selectbox("Saved scenario", closed, key=lab.SAVED_CHOICE)
    st.button("Open", on_click=lab.open_saved, args=(ws,), key="lab:open")

levers_column, chart_column = st.columns([1, 2], gap="large")
with levers_column:
    if editable:
        scenario = screen[selected]
        status = saved.get(scenario.name)
        st.caption(
            "Saved in the workspace."
            if status == scenario.levers()
            else "Changed since it was saved."
            if status is not None
            else "Not saved: only this link holds it."
        )
    else:
        scenario = scenarios.BASE
        st.caption(
            "The base is what the data project with no lever moved. Press **New** or **Duplicate** to move levers."
        )
    lab.sync_sliders(selected)
    changed = []
    for lever in scenarios.LEVERS:
        key = lab.lever_key(selected, lever.key)
        off = lever.needs_b_side and not base.has_b_side
        value = st.session_state.get(key, 0.0)
        st.slider(
            f"{lever.label} ({lever.unit})" + (" · changed" if value else ""),
            lever.minimum,
            lever.maximum,
            step=lever.step,
            key=key,
            help=lever.help + (" Needs B-side revenue, which the data lack." if off else ""),
            disabled=not editable or off,
        )
        if value:
            changed.append(lever.key)
            if editable and not off:  # a lever at 0 has nothing to time
                timing_popover(selected, lever.key, quarters.shift(base.last_quarter, 1))
    if editable:
        scenario = lab.apply_sliders(selected)
        st.button(
            f"Reset {len(changed)} changed lever(s)" if changed else "No lever changed",
            icon=":material/restart_alt:",
            on_click=lab.reset_levers,
            args=(selected, changed),
            disabled=not changed,
            key="lab:reset",
        )

shown = {scenarios.BASE_NAME: scenarios.BASE, **{s.name: s for s in lab.screen().values()}}
try:
    projections = {name: views.projection(cached, views.levers_key(s), horizon, base) for name, s in shown.items()}
    table = scenarios.compare(base, list(shown.values())[1:], horizon)
except ValueError as exc:
    st.error(f"The scenarios cannot be projected: {exc}.")
    st.stop()
first, last = projections[scenarios.BASE_NAME].index[0], projections[scenarios.BASE_NAME].index[-1]
with chart_column:
    metric = st.segmented_control("Chart", list(METRICS), format_func=METRICS.get, key=lab.METRIC, required=True)
    if not base.has_b_side and metric in ("b_side_revenue", "take_rate"):
        st.info("The data have no B-side revenue, so only accounts and platform revenue can be projected.")
    st.plotly_chart(
        charts.scenario_projection(
            base.history,
            projections,
            metric,
            fmt.amount_title(METRICS[metric]) if metric.endswith("revenue") else METRICS[metric],
            scenarios.BAND,
        ),
        width="stretch",
        key="lab:chart",
    )
    if scenario is not scenarios.BASE:
        row = table.loc[scenario.name]
        cells = st.columns(3)
        cells[0].metric(
            f"Platform revenue, {horizon} quarters",
            fmt.money(row["platform_revenue_total"]),
            fmt.change(row["platform_revenue_total_vs_base_pct"], "relative"),
            help=f"Summed over {first}–{last}; the change is against the base.",
        )
        cells[1].metric(
            f"Active accounts in {last}",
            fmt.count(row["active_accounts_end"]),
            fmt.change(row["active_accounts_end_vs_base"], "count"),
            help="The change is against the base.",
        )
        take_rate = fmt.share(row["take_rate_total"])
        cells[2].metric(
            f"Take rate, {horizon} quarters",
            take_rate,
            fmt.change(row["take_rate_total_vs_base"], "points"),
            help=fmt.why_unknown(
                take_rate,
                NO_TAKE_RATE,
                f"Platform over B-side revenue, {first}–{last}; the change is against the base.",
            ),
        )

st.subheader("Scenarios side by side")
st.dataframe(summary_rows(table, shown, first, last), width="stretch")
if table["take_rate_total"].isna().any():
    st.caption(fmt.unknown_note(f"Take rate: {NO_TAKE_RATE}"))
downloads.csv_button("Download the comparison (CSV)", table, f"scenarios_{first}_{last}.csv", "dl:compare")
quarterly = scenarios.by_quarter(projections, shown)
halves = st.columns(2)
downloads.file_button(
    "Every scenario quarter by quarter (CSV)",
    lambda: exports.csv_bytes(quarterly, index=True),
    f"scenarios_by_quarter_{first}_{last}.csv",
    "text/csv",
    "dl:quarterly",
    place=halves[0],
)
downloads.file_button(
    "Every scenario quarter by quarter, and side by side (XLSX)",
    lambda: exports.xlsx_bytes({"by quarter": quarterly, "side by side": table}, index=True),
    f"scenarios_by_quarter_{first}_{last}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "dl:quarterly_xlsx",
    place=halves[1],
)

tool = st.segmented_control(
    "Look further", list(TOOLS), format_func=TOOLS.get, key=lab.TOOL, required=True, default="tornado"
)
if tool == "tornado":
    tornado_view.show(cached, base, scenario, horizon, first, last)
elif tool == "goal":
    goal_seek.show(ws, cached, base, scenario, horizon, last)
elif tool == "plan":
    plan_views.plan_vs_actual(ws, metric, METRICS)
else:
    base_overrides.show(ws, scenarios.measured(measured), measured.has_b_side)


growth_note = " (set by hand)" if "revenue_growth" in views.overrides() else ""
with st.expander("How the base is projected, and how it did on the last four quarters"):
    st.markdown(
        f"""
- **Renewal:** a shifted-beta-geometric model fitted on {base.fitted_cohorts} signup cohorts
  (α {fmt.estimate(base.alpha)}, β {fmt.estimate(base.beta)}). Each account active in {base.last_quarter} keeps
  renewing at the rate of its age, so older accounts, which renew more, are projected to stay longer.
- **New accounts:** {fmt.count(base.new_accounts)} in {first}: {base.arrivals.evidence()} (flat: the mean of
  the last four quarters; damped trend, trend or seasonal: exponential smoothing of the signups, with growth
  that fades, growth that holds, or a quarterly season; the back-test forecasts each of the last four
  quarters from the quarters before it).
- **Revenue per account:** its level in {base.last_quarter}; a new account starts at
  {fmt.money(base.platform.new_account)} in {first} ({base.platform.starts.evidence()}), then moves by
  ×{base.platform.ramp:.2f} into its first full quarter and by {fmt.change(base.platform.growth, "relative")} a
  quarter after that{growth_note} (the data's last four quarters, from one to the next within
  ±{fmt.share(base.platform.growth_spread)}). Revenue leaves with the accounts that churn, weighted by their
  size: in the last four quarters the accounts that left took {base.platform.churn_weight:.2f} times their
  share of accounts in revenue, so an account's revenue renews with 1 − {base.platform.churn_weight:.2f} × (1 − its
  renewal rate).
- **Take rate:** {take_rate_text(base)}
- **Band:** {scenarios.BAND:.0%} of {scenarios.DRAWS} simulated paths that redraw the renewal model within
  its uncertainty, the level of arrivals and of a new account's revenue within their models' back-test
  errors (and their distance to the runner-up model), the revenue growth within its quarter-to-quarter
  spread, the take rate within its model's error, and the accounts that renew and arrive.
"""
    )
    check = views.backtest(data)
    if isinstance(check, str):
        st.caption(f"No back-test: {check}.")
    else:
        errors = scenarios.backtest_errors(check)
        bias = errors.loc["active_accounts", "mean"]
        verdict = (
            "The base fell short: new accounts arrived faster than their recent mean, or renewals improved."
            if bias < -0.05
            else "The base overshot: new accounts slowed down, or renewals weakened."
            if bias > 0.05
            else "The base held within 5% on accounts."
        )
        st.markdown(
            f"**Back-test:** the same method measured on the data up to {quarters.shift(check.index[0], -1)}, "
            "then projected over the quarters that followed. Mean error: "
            f"{fmt.share(errors.loc['active_accounts', 'mean_absolute'])} on active accounts, "
            f"{fmt.share(errors.loc['platform_revenue', 'mean_absolute'])} on platform revenue. {verdict} "
            f"The {scenarios.BAND:.0%} band held the actual active accounts in "
            f"{coverage_text(errors.loc['active_accounts'])} and the platform revenue in "
            f"{coverage_text(errors.loc['platform_revenue'])}."
        )
        st.dataframe(
            check,
            width="stretch",
            column_config=columns.against_actual("projected", ("active_accounts", "platform_revenue")),
        )

st.subheader("Share")
link = lab.write_link()
# A link, not a code block: a code block loads its highlighter on every visit (~0.13 s of a page load)
st.caption(
    "The address bar holds this view: whoever opens its address sees these scenarios, levers, horizon and chart. "
    + (f"Copy it from there, or [this link](<{link}>) with the right mouse button." if link else "")
)
