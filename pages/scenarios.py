"""Scenario lab: the base projection from the data, named what-if scenarios on five levers, their
projections with bands side by side, the summary table, the tornado of the selected scenario,
and the link that reopens this exact view."""

import pandas as pd
import streamlit as st

from b2b_core import charts, exports, quarters, scenarios
from b2b_core.i18n import N_, _
from b2b_core.quarters import quarter_text, span_label
from ui import (
    base_method,
    base_overrides,
    downloads,
    goal_seek,
    plan_views,
    scenario_exports,
    shell,
    state,
    tornado_view,
)
from ui import format as fmt
from ui import scenario_state as lab
from ui import scenario_views as views

TOOLS = {  # one at a time: each is a page of its own, and a lever change redraws only the one shown
    "tornado": N_("What moves it most"),
    "goal": N_("What does it take"),
    "plan": N_("Plan vs actual"),
    "base": N_("Base assumptions"),
}
NO_TAKE_RATE = N_(
    "the data have no B-side revenue, so there is no take rate (platform over B-side revenue) to project."
)
METRICS = {
    "active_accounts": N_("Active accounts"),
    "platform_revenue": N_("Platform revenue"),
    "b_side_revenue": N_("B-side revenue"),
    "take_rate": N_("Take rate"),
}


def lever_text(lever: scenarios.Lever, scenario: scenarios.Scenario, first: str) -> str:
    """A lever of a scenario as people say it: ``+5 points``, ``0``, ``+5 points from 2027Q2,
    full after 4 quarters`` (``first``: the first projected quarter)."""
    value = getattr(scenario, lever.key)
    if value == 0:
        return "0"
    said, timing = scenarios.with_unit(value, lever.unit, sign=True), timing_text(*scenario.when(lever.key), first)
    return _("{value} {timing}").format(value=said, timing=timing) if timing else said


def timing_text(start: int, ramp: int, first: str) -> str:
    """When a lever starting in projected quarter ``start`` with a ``ramp`` acts, if not fully
    from ``first``: ``from 2027Q2, full after 4 quarters``; empty when it acts fully from ``first``."""
    if (start, ramp) == (1, 1):
        return ""
    quarter = quarter_text(quarters.shift(first, start - 1))
    if ramp > 1:
        return _("from {quarter}, full after {ramp} quarters").format(quarter=quarter, ramp=ramp)
    return _("from {quarter}").format(quarter=quarter)


def timing_popover(scenario_id: int, key: str, first: str) -> None:
    """The start quarter and ramp of a moved lever, behind a button that says when it acts
    (``first``: the first projected quarter)."""
    start_key, ramp_key = (lab.timing_key(scenario_id, key, part) for part in scenarios.WHEN)
    when = timing_text(int(st.session_state[start_key]), int(st.session_state[ramp_key]), first)
    with st.popover(_("When: {timing}").format(timing=when or _("from the first quarter")), icon=":material/schedule:"):
        st.number_input(
            _("Starts in projected quarter"),
            1,
            scenarios.MAX_QUARTER,
            step=1,
            key=start_key,
            help=_("1 is the first quarter after the data."),
        )
        st.number_input(
            _("Full effect after (quarters)"),
            1,
            scenarios.MAX_QUARTER,
            step=1,
            key=ramp_key,
            help=_("The lever grows in equal steps to its full value over these quarters; 1 is at once."),
        )


def summary_rows(table: pd.DataFrame, shown: dict[str, scenarios.Scenario], first: str, last: str) -> pd.DataFrame:
    """The ``compare`` table for the screen: inputs (``shown``: name → scenario, with their
    timing) then outputs as rows, scenarios as columns; each scenario's output followed by its
    change against the base. Cells of a grid, not Markdown."""

    def money(value: float) -> str:
        return fmt.money(value, markdown=False)

    at, span = quarter_text(last), span_label((first, last))
    outputs = {
        "active_accounts_end": (_("Active accounts in {quarter}").format(quarter=at), fmt.count, "count"),
        "platform_revenue_end": (_("Platform revenue in {quarter}").format(quarter=at), money, None),
        "platform_revenue_total": (_("Platform revenue {span}").format(span=span), money, None),
        "b_side_revenue_total": (_("B-side revenue {span}").format(span=span), money, None),
        "take_rate_total": (_("Take rate {span}").format(span=span), fmt.share, "points"),
    }
    rows = {
        lever_title(lever): pd.Series(
            [lever_text(lever, shown[name], first) for name in table.index], index=table.index
        )
        for lever in scenarios.LEVERS
    }
    for key, (label, shown, kind) in outputs.items():
        cells = []
        for name, row in table.iterrows():
            text = shown(row[key])
            delta = fmt.change(row[f"{key}_vs_base"], kind) if kind else money(row[f"{key}_vs_base"])
            if name != scenarios.BASE_NAME and delta not in (None, fmt.UNKNOWN):  # unknown: the value's dash says it
                relative = fmt.change(row[f"{key}_vs_base_pct"], "relative")
                if not delta.startswith(("+", "-")):
                    delta = f"+{delta}"
                text = (
                    _("{value} ({change}, {relative})").format(value=text, change=delta, relative=relative)
                    if relative
                    else _("{value} ({change})").format(value=text, change=delta)
                )
            cells.append(text)
        rows[label] = pd.Series(cells, index=table.index)
    return pd.DataFrame(rows).T.rename(columns=scenarios.shown_name).rename_axis("")


def named(names: dict[str, str]):
    """A widget's ``format_func`` showing each key by its name (``names``: key → English name) in
    the run's language: built in the run, as the widget may call it outside it."""
    return {key: _(name) for key, name in names.items()}.get


def lever_title(lever: scenarios.Lever) -> str:
    """A lever's name with its unit: ``Renewal uplift (points)``."""
    return _("{lever} ({unit})").format(lever=lever.label, unit=lever.unit)


shell.require_app_shell()
st.title(_("Scenario lab"))
ws = state.workspace_with_data()
data = state.data_version()
measured = views.measured_base(data)
if isinstance(measured, str):
    st.info(_("Projections cannot start yet: {reason}.").format(reason=measured))
    st.stop()

lab.start(ws, tuple(METRICS))
for kind, text in st.session_state.pop(lab.NOTICES, []):
    getattr(st, kind)(text)
base_overrides.note(ws)
base = views.base(data)
cached = views.key(data)  # what is projected from the base is cached per data version and assumptions set by hand
if isinstance(base, str):
    st.error(_("Projections cannot start: {reason}. Clear it below.").format(reason=base))
    base_overrides.show(ws, scenarios.measured(measured), measured.has_b_side)
    st.stop()
if base.fit_warning:
    st.warning(_("The renewal model carries little weight here: {why}. Bands are wide.").format(why=base.fit_warning))

# The scenario being edited, its actions, the horizon
screen = lab.screen()
names = {lab.BASE_ID: _("{base} (read-only)").format(base=_(scenarios.BASE_NAME))}
names |= {i: fmt.plain(s.name) for i, s in screen.items()}
top = st.columns([4, 1])
selected = top[0].segmented_control(
    _("Scenario"),
    [lab.BASE_ID, *screen],
    format_func=names.get,
    key=lab.SELECTED,
    required=True,
)
horizon = top[1].slider(_("Horizon (quarters)"), *lab.HORIZONS[:2], key=lab.HORIZON)
editable = selected != lab.BASE_ID
saved = dict(ws.saved_scenarios())
closed = [name for name in saved if name not in {s.name for s in screen.values()}]
toolbar = st.columns(6)
toolbar[0].button(_("New"), icon=":material/add:", on_click=lab.add_new, width="stretch", key="lab:new")
toolbar[1].button(
    _("Duplicate"),
    icon=":material/content_copy:",
    on_click=lab.duplicate,
    args=(selected,),
    width="stretch",
    key="lab:duplicate",
)
toolbar[2].button(
    _("Save"),
    icon=":material/save:",
    on_click=lab.save,
    args=(ws, selected),
    disabled=not editable,
    width="stretch",
    key="lab:save",
)
with toolbar[3].popover(_("Rename"), icon=":material/edit:", disabled=not editable, width="stretch"):
    st.text_input(
        _("New name"), value=screen[selected].name if editable else "", key=lab.NEW_NAME, max_chars=scenarios.MAX_NAME
    )
    st.button(_("Rename"), on_click=lab.rename, args=(ws, selected), key="lab:rename")
with toolbar[4].popover(_("Delete"), icon=":material/delete:", disabled=not editable, width="stretch"):
    st.markdown(_("Take this scenario off the screen and delete its saved copy?"))
    st.button(_("Delete"), type="primary", on_click=lab.delete, args=(ws, selected), key="lab:delete")
with toolbar[5].popover(_("Open saved"), icon=":material/folder_open:", disabled=not closed, width="stretch"):
    st.selectbox(_("Saved scenario"), closed, key=lab.SAVED_CHOICE)
    st.button(_("Open"), on_click=lab.open_saved, args=(ws,), key="lab:open")

levers_column, chart_column = st.columns([1, 2], gap="large")
with levers_column:
    if editable:
        scenario = screen[selected]
        status = saved.get(scenario.name)
        st.caption(
            _("Saved in the workspace.")
            if status == scenario.levers()
            else _("Changed since it was saved.")
            if status is not None
            else _("Not saved: only this link holds it.")
        )
    else:
        scenario = scenarios.BASE
        st.caption(
            _("The base is what the data project with no lever moved. Press **New** or **Duplicate** to move levers.")
        )
    lab.sync_sliders(selected)
    changed = []
    for lever in scenarios.LEVERS:
        key = lab.lever_key(selected, lever.key)
        off = lever.needs_b_side and not base.has_b_side
        value = st.session_state.get(key, 0.0)
        st.slider(
            lever_title(lever) + (_(" · changed") if value else ""),
            lever.minimum,
            lever.maximum,
            step=lever.step,
            key=key,
            help=lever.help + (_(" Needs B-side revenue, which the data lack.") if off else ""),
            disabled=not editable or off,
        )
        if value:
            changed.append(lever.key)
            if editable and not off:  # a lever at 0 has nothing to time
                timing_popover(selected, lever.key, quarters.shift(base.last_quarter, 1))
    if editable:
        scenario = lab.apply_sliders(selected)
        st.button(
            _("Reset {n} changed lever(s)").format(n=len(changed)) if changed else _("No lever changed"),
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
    st.error(_("The scenarios cannot be projected: {reason}.").format(reason=exc))
    st.stop()
first, last = projections[scenarios.BASE_NAME].index[0], projections[scenarios.BASE_NAME].index[-1]
with chart_column:
    metric = st.segmented_control(_("Chart"), list(METRICS), format_func=named(METRICS), key=lab.METRIC, required=True)
    if not base.has_b_side and metric in ("b_side_revenue", "take_rate"):
        st.info(_("The data have no B-side revenue, so only accounts and platform revenue can be projected."))
    st.plotly_chart(
        charts.scenario_projection(
            base.history,
            {scenarios.shown_name(name): frame for name, frame in projections.items()},
            metric,
            fmt.amount_title(_(METRICS[metric])) if metric.endswith("revenue") else _(METRICS[metric]),
            scenarios.BAND,
        ),
        width="stretch",
        key="lab:chart",
    )
    if scenario is not scenarios.BASE:
        row = table.loc[scenario.name]
        cells = st.columns(3)
        span = span_label((first, last))
        cells[0].metric(
            _("Platform revenue, {n} quarters").format(n=horizon),
            fmt.money(row["platform_revenue_total"]),
            fmt.change(row["platform_revenue_total_vs_base_pct"], "relative"),
            help=_("Summed over {span}; the change is against the base.").format(span=span),
        )
        cells[1].metric(
            _("Active accounts in {quarter}").format(quarter=quarter_text(last)),
            fmt.count(row["active_accounts_end"]),
            fmt.change(row["active_accounts_end_vs_base"], "count"),
            help=_("The change is against the base."),
        )
        take_rate = fmt.share(row["take_rate_total"])
        cells[2].metric(
            _("Take rate, {n} quarters").format(n=horizon),
            take_rate,
            fmt.change(row["take_rate_total_vs_base"], "points"),
            help=fmt.why_unknown(
                take_rate,
                _(NO_TAKE_RATE),
                _("Platform over B-side revenue, {span}; the change is against the base.").format(span=span),
            ),
        )

st.subheader(_("Scenarios side by side"))
st.dataframe(summary_rows(table, shown, first, last), width="stretch")
if table["take_rate_total"].isna().any():
    st.caption(fmt.unknown_note(_("Take rate: {why}").format(why=_(NO_TAKE_RATE))))
downloads.csv_button(
    _("Download the comparison (CSV)"), scenario_exports.export(table), f"scenarios_{first}_{last}.csv", "dl:compare"
)
quarterly = scenario_exports.export(scenarios.by_quarter(projections, shown))
halves = st.columns(2)
downloads.file_button(
    _("Every scenario quarter by quarter (CSV)"),
    lambda: exports.csv_bytes(quarterly, index=True),
    f"scenarios_by_quarter_{first}_{last}.csv",
    "text/csv",
    "dl:quarterly",
    place=halves[0],
)
downloads.file_button(
    _("Every scenario quarter by quarter, and side by side (XLSX)"),
    lambda: exports.xlsx_bytes(
        {_("by quarter"): quarterly, _("side by side"): scenario_exports.export(table)}, index=True
    ),
    f"scenarios_by_quarter_{first}_{last}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "dl:quarterly_xlsx",
    place=halves[1],
)

tool = st.segmented_control(
    _("Look further"), list(TOOLS), format_func=named(TOOLS), key=lab.TOOL, required=True, default="tornado"
)
if tool == "tornado":
    tornado_view.show(cached, base, scenario, horizon, first, last)
elif tool == "goal":
    goal_seek.show(ws, cached, base, scenario, horizon, last)
elif tool == "plan":
    plan_views.plan_vs_actual(ws, metric, {key: _(name) for key, name in METRICS.items()})
else:
    base_overrides.show(ws, scenarios.measured(measured), measured.has_b_side)


base_method.show(data, base, first)

st.subheader(_("Share"))
link = lab.write_link()
# A link, not a code block: a code block loads its highlighter on every visit (~0.13 s of a page load)
st.caption(
    _("The address bar holds this view: whoever opens its address sees these scenarios, levers, horizon and chart. ")
    + (_("Copy it from there, or [this link](<{link}>) with the right mouse button.").format(link=link) if link else "")
)
