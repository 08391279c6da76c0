"""AppTest tests of the Scenario lab on a real DuckDB workspace: levers, the actions on
scenarios, scenarios saved in the workspace, and the link that reopens a view."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from b2b_core import exports, overview, sample, scenarios
from b2b_core.access import LOCAL
from b2b_core.scenarios import Scenario
from b2b_core.store import Workspace
from tests.apptest import commit_sample_quarter, open_app, seeded_up_to, shown, workspace_of

PAGE = "pages/scenarios.py"


def open_lab(**params: str | list[str]) -> AppTest:
    """The lab in a new session, opened with the link's query parameters ``params``."""
    return open_app(PAGE, query_params=params)


def summary(app: AppTest) -> pd.DataFrame:
    """The 'Scenarios side by side' table: rows are inputs and outputs, columns scenarios."""
    return next(table.value for table in app.dataframe if "Renewal uplift (points)" in table.value.index)


def link(app: AppTest) -> dict[str, list[str]]:
    """The page's query parameters, every value as a list."""
    return {key: value if isinstance(value, list) else [value] for key, value in app.query_params.items()}


def on_screen(app: AppTest) -> list[str]:
    return [s.name for s in app.session_state["lab:scenarios"].values()]


def new_scenario_with(app: AppTest, **levers: float) -> int:
    """Press New and move the given sliders; return the new scenario's id."""
    app.button(key="lab:new").click().run()
    scenario_id = app.session_state["lab:selected"]
    for key, value in levers.items():
        app.slider(key=f"lever:{scenario_id}:{key}").set_value(value).run()
    assert not app.exception, app.exception
    return scenario_id


def test_the_base_is_read_only_and_its_numbers_are_those_of_b2b_core(workspace_path):
    app = open_app(PAGE)
    assert not app.error and not app.warning
    lever_sliders = [s for s in app.slider if s.key.startswith("lever:")]
    assert len(lever_sliders) == len(scenarios.LEVERS) and all(s.disabled for s in lever_sliders)
    assert [s.value for s in lever_sliders] == [0.0] * len(scenarios.LEVERS)
    assert app.button(key="lab:save").disabled
    expected = scenarios.compare(workspace_of(workspace_path).panel(), [], 8)
    table = summary(app)
    assert list(table.columns) == ["Base"]
    total = next(label for label in table.index if label.startswith("Platform revenue 20"))
    assert table.loc[total, "Base"] == f"{expected.loc['Base', 'platform_revenue_total'] / 1e6:.1f}M"
    assert len(app.get("plotly_chart")) == 2  # the projection and the tornado


def test_moving_a_lever_changes_the_chart_the_numbers_and_the_table(workspace_path):
    app = open_app(PAGE)
    new_scenario_with(app, renewal_uplift=5.0)
    expected = scenarios.compare(workspace_of(workspace_path).panel(), [Scenario("Scenario", renewal_uplift=5)], 8)
    row = expected.loc["Scenario"]
    revenue = next(m for m in app.metric if m.label.startswith("Platform revenue"))
    assert revenue.delta == f"{100 * row['platform_revenue_total_vs_base_pct']:+.1f}%"
    table = summary(app)
    assert list(table.columns) == ["Base", "Scenario"]
    assert table.loc["Renewal uplift (points)", "Scenario"] == "+5 points"
    accounts = next(label for label in table.index if label.startswith("Active accounts"))
    assert table.loc[accounts, "Scenario"].startswith(f"{row['active_accounts_end']:,.0f} (+")
    assert "· changed" in app.slider(key="lever:1:renewal_uplift").label
    assert link(app)["scenario"] == ["Scenario;renewal_uplift=5"]
    chart = app.get("plotly_chart")[0].proto.spec
    assert '"name":"Scenario"' in chart.replace(" ", "")


def test_reset_puts_the_changed_levers_back_to_the_base(workspace_path):
    app = open_app(PAGE)
    scenario_id = new_scenario_with(app, renewal_uplift=2.0, expansion=1.0)
    assert app.button(key="lab:reset").label == "Reset 2 changed lever(s)"
    app.button(key="lab:reset").click().run()
    assert app.slider(key=f"lever:{scenario_id}:renewal_uplift").value == 0
    assert app.session_state["lab:scenarios"][scenario_id] == Scenario("Scenario")
    assert app.button(key="lab:reset").disabled


def test_save_rename_duplicate_and_delete_act_on_the_screen_and_the_workspace(workspace_path):
    app = open_app(PAGE)
    new_scenario_with(app, renewal_uplift=3.0)
    ws = workspace_of(workspace_path)
    app.button(key="lab:save").click().run()
    assert ws.saved_scenarios() == [("Scenario", Scenario("Scenario", renewal_uplift=3).levers())]
    assert any("Saved 'Scenario'" in s.value for s in app.success)
    assert "Saved in the workspace." in [c.value for c in app.caption]

    app.text_input(key="lab:new_name").set_value("Renewal push")
    app.button(key="lab:rename").click().run()
    assert on_screen(app) == ["Renewal push"]
    assert [name for name, _ in ws.saved_scenarios()] == ["Renewal push"]

    app.button(key="lab:duplicate").click().run()
    assert on_screen(app) == ["Renewal push", "Renewal push copy"]
    copy_id = app.session_state["lab:selected"]
    assert app.session_state["lab:scenarios"][copy_id].renewal_uplift == 3.0
    assert any(c.value.startswith("Not saved") for c in app.caption)

    app.text_input(key="lab:new_name").set_value("renewal PUSH")  # taken, ignoring case
    app.button(key="lab:rename").click().run()
    assert any("already called" in e.value for e in app.error) and not app.exception
    assert on_screen(app) == ["Renewal push", "Renewal push copy"]

    app.session_state["lab:selected"] = 1
    app.run()
    app.button(key="lab:delete").click().run()
    assert on_screen(app) == ["Renewal push copy"] and ws.saved_scenarios() == []
    assert app.session_state["lab:selected"] == 0


def test_saved_scenarios_open_in_a_new_session_and_a_closed_one_can_be_reopened(workspace_path):
    open_app()  # seeds the workspace
    ws = workspace_of(workspace_path)
    ws.save_scenario("Price", Scenario("Price", take_rate_change=1).levers(), actor=LOCAL)
    ws.save_scenario("Growth", Scenario("Growth", new_account_growth=20).levers(), actor=LOCAL)
    app = open_app(PAGE)
    assert on_screen(app) == ["Price", "Growth"]
    assert list(summary(app).columns) == ["Base", "Price", "Growth"]
    app.session_state["lab:selected"] = 1
    app.run()
    app.button(key="lab:delete").click().run()
    assert [name for name, _ in ws.saved_scenarios()] == ["Growth"]
    ws.save_scenario("Later", Scenario("Later", expansion=1).levers(), actor=LOCAL)  # saved elsewhere meanwhile
    app.run()
    app.selectbox(key="lab:open_saved").set_value("Later")
    app.button(key="lab:open").click().run()
    assert on_screen(app) == ["Growth", "Later"]


def test_the_link_reopens_the_same_view_in_a_new_session(workspace_path):
    app = open_app(PAGE)
    new_scenario_with(app, renewal_uplift=2.5, take_rate_change=0.5)
    app.button(key="lab:duplicate").click().run()
    copy_id = app.session_state["lab:selected"]
    app.slider(key=f"lever:{copy_id}:expansion").set_value(1.5).run()
    app.slider(key="lab:horizon").set_value(12).run()
    app.segmented_control(key="lab:metric").set_value("active_accounts").run()
    shared = link(app)
    assert shared["show"] == ["Scenario copy"] and shared["horizon"] == ["12"]
    assert shared["metric"] == ["active_accounts"]

    colleague = open_lab(**{key: value if key == "scenario" else value[0] for key, value in shared.items()})
    assert on_screen(colleague) == on_screen(app)
    assert colleague.session_state["lab:scenarios"][2] == Scenario(
        "Scenario copy", renewal_uplift=2.5, take_rate_change=0.5, expansion=1.5
    )
    assert colleague.session_state["lab:selected"] == 2
    assert colleague.slider(key="lab:horizon").value == 12
    assert colleague.segmented_control(key="lab:metric").value == "active_accounts"
    pd.testing.assert_frame_equal(summary(colleague), summary(app))
    assert colleague.get("plotly_chart")[0].proto.spec == app.get("plotly_chart")[0].proto.spec


def test_a_link_with_a_broken_scenario_opens_the_rest_and_says_what_was_left_out(workspace_path):
    app = open_lab(scenario=["Good;expansion=1", "Bad;speed=3", "Good;renewal_uplift=1"], show="Good")
    assert on_screen(app) == ["Good"]
    warnings = " ".join(shown(w.value) for w in app.warning)
    assert "'speed=3' is not lever=value" in warnings and "already used" in warnings
    empty = open_lab(show="Base", horizon="99")  # no scenarios, a horizon out of range
    assert on_screen(empty) == [] and empty.slider(key="lab:horizon").value == 8


def test_data_without_b_side_revenue_disable_the_take_rate_levers(workspace_path):
    with Workspace(workspace_path) as ws:
        ws.commit(sample.generate_panel(300, 6).drop(columns="b_side_revenue"), "no_b_side.csv", actor=LOCAL)
    app = open_app(PAGE)
    assert not app.exception
    app.button(key="lab:new").click().run()
    assert app.slider(key="lever:1:take_rate_change").disabled
    assert app.slider(key="lever:1:churn_elasticity").disabled
    assert not app.slider(key="lever:1:renewal_uplift").disabled
    take_rate = next(label for label in summary(app).index if label.startswith("Take rate"))
    assert summary(app).loc[take_rate, "Base"] == "–"


def test_a_single_quarter_says_why_nothing_can_be_projected(workspace_path):
    with Workspace(workspace_path) as ws:
        ws.commit(sample.generate_panel(200, 1), "one_quarter.csv", actor=LOCAL)
    app = open_app(PAGE)
    assert not app.exception and not app.error
    assert "two consecutive quarters" in app.info[0].value


def test_coming_back_to_the_lab_keeps_the_view(workspace_path):
    app = open_app(PAGE)
    scenario_id = new_scenario_with(app, renewal_uplift=1.5)
    app.slider(key="lab:horizon").set_value(12).run()
    app.switch_page("pages/home.py")  # Streamlit drops the lab's widget state meanwhile
    app.run()
    app.switch_page(PAGE)
    app.run()
    assert not app.exception, app.exception
    assert app.session_state["lab:selected"] == scenario_id and app.slider(key="lab:horizon").value == 12
    assert app.slider(key=f"lever:{scenario_id}:renewal_uplift").value == 1.5


def test_every_scenario_downloads_quarter_by_quarter_as_csv_and_as_a_workbook(workspace_path):
    import io

    import openpyxl

    app = open_lab()
    new_scenario_with(app, renewal_uplift=5.0)
    labels = [d.proto.label for d in app.get("download_button")]
    assert "Every scenario quarter by quarter (CSV)" in labels
    assert "Every scenario quarter by quarter, and side by side (XLSX)" in labels
    base = scenarios.fit_base(workspace_of(workspace_path).panel())
    horizon = app.session_state["lab:horizon"]
    shown = {"Base": scenarios.BASE, **{s.name: s for s in app.session_state["lab:scenarios"].values()}}
    projections = {name: scenarios.project(base, s, horizon) for name, s in shown.items()}
    expected = scenarios.by_quarter(projections, shown)
    assert len(expected) == horizon * len(shown) and (expected["renewal_uplift"] == 5.0).sum() == horizon
    data = exports.xlsx_bytes({"by quarter": expected}, index=True)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["by quarter"]
    assert sheet.max_row == len(expected) + 1


def test_the_method_states_every_models_evidence_and_the_back_tests_coverage(workspace_path):
    app = open_app(PAGE)
    panel = workspace_of(workspace_path).panel()
    base = scenarios.fit_base(panel)
    errors = scenarios.backtest_errors(scenarios.backtest(panel, 4))
    text = " ".join(m.value for m in app.markdown)
    assert base.arrivals.evidence() in text
    assert base.take_rate.evidence() in text
    held = round(errors.loc["active_accounts", "coverage"] * 4)
    assert f"The 90% band held the actual active accounts in {held} of 4 quarters" in text


def test_the_tornado_moves_each_lever_over_the_range_the_data_show(workspace_path):
    app = open_app(PAGE)
    steps = scenarios.plausible_steps(scenarios.fit_base(workspace_of(workspace_path).panel()))
    chart = app.get("plotly_chart")[1].proto.spec
    renewal = steps.loc["renewal_uplift", "step"]
    assert f"Renewal uplift ± {renewal:g} points" in chart
    assert steps.loc["renewal_uplift", "basis"] != "stated"  # the sample's renewal rates vary
    box = app.number_input(key="range:renewal_uplift")
    assert box.value == renewal and "the spread of the renewal rates" in box.help
    # a range of one's own moves the tornado, and the basis says it was edited
    box.set_value(4.0).run()
    assert "Renewal uplift ± 4 points" in app.get("plotly_chart")[1].proto.spec
    app.button(key="lab:ranges_reset").click().run()
    assert app.number_input(key="range:renewal_uplift").value == renewal


def test_goal_seek_finds_each_levers_value_and_saves_the_answer_as_a_scenario(workspace_path):
    app = open_app(PAGE)
    assert not [t for t in app.table if "Value needed" in t.value.columns]  # the tornado is shown first
    app.segmented_control(key="lab:tool").set_value("goal").run()
    base = scenarios.fit_base(workspace_of(workspace_path).panel())
    projected = scenarios.project(base, scenarios.BASE, 8, bands=False)["active_accounts"].iloc[-1]
    target = app.number_input(key="goal:target:active_accounts").value
    assert target == round(1.1 * projected)  # the default: 10% above the base
    expected = scenarios.goal_seek(base, "active_accounts", target, 8)
    table = next(t.value for t in app.table if "Value needed" in t.value.columns)
    renewal = table.loc["Renewal uplift"]
    assert renewal["Value needed"] == f"{expected.loc['renewal_uplift', 'value']:+.2f} points"
    assert renewal["Answer"] == "reaches it"
    app.button(key="goal:save").click().run()
    assert not app.exception, app.exception
    saved = dict(workspace_of(workspace_path).saved_scenarios())
    name = next(n for n in saved if n.startswith("Active accounts"))
    assert saved[name]["renewal_uplift"] == pytest.approx(expected.loc["renewal_uplift", "value"], abs=1e-6)
    assert on_screen(app) == [name]


def test_a_saved_scenario_keeps_its_projection_and_meets_the_quarters_committed_after_it(workspace_path):
    seeded_up_to(workspace_path, "2026Q1")  # the sample without its last two quarters
    app = open_app(PAGE)
    new_scenario_with(app, renewal_uplift=2.0)
    app.button(key="lab:save").click().run()
    ws = workspace_of(workspace_path)
    kept = ws.kept_projections()["Scenario"]
    projected = scenarios.project(ws.panel(), Scenario("Scenario", renewal_uplift=2), 8)
    pd.testing.assert_frame_equal(kept.projection, projected.astype(float))  # the sample has B-side revenue
    assert kept.last_quarter == "2026Q1" and kept.saved_by == "local user"
    assert any(
        "with its projection on the data up to 2026Q1 (8 quarters)" in s.value
        and "Saving it again replaces the kept projection" in s.value
        for s in app.success
    )
    app.segmented_control(key="lab:tool").set_value("plan").run()
    assert "Scenario: Saved on 2026Q1 data: its first planned quarter 2026Q2 is not in the data yet." in [
        shown(c.value) for c in app.caption
    ]
    assert len(app.get("plotly_chart")) == 1  # the projection: no plan to draw yet

    commit_sample_quarter(ws, "2026Q2")
    commit_sample_quarter(ws, "2026Q3")
    app.run()
    assert not app.exception and not app.error
    expected = scenarios.plan_vs_actual(kept, overview.quarter_kpis(ws.panel()))
    table = next(frame.value for frame in app.dataframe if "active_accounts_planned" in frame.value.columns)
    assert list(table.index) == [("Scenario", "2026Q2"), ("Scenario", "2026Q3")]
    pd.testing.assert_frame_equal(table.loc["Scenario"], expected.table, check_names=False)
    accounts = expected.summary.loc["active_accounts"]
    record = next(shown(m.value) for m in app.markdown if "**Scenario** (saved " in m.value)
    assert "by local user on data up to 2026Q1, 8 quarters planned" in record
    assert (
        f"Active accounts inside the band in {int(accounts['inside_band'])} of 2 quarter(s), mean absolute error "
        f"{100 * accounts['mean_absolute_error']:.1f}%" in record
    )
    chart = app.get("plotly_chart")[1].proto.spec.replace(" ", "")  # after the projection
    assert '"name":"Scenario(plan)"' in chart and '"name":"Actual"' in chart


def test_a_lever_can_start_later_and_ramp_up_and_the_link_and_store_keep_it(workspace_path):
    app = open_app(PAGE)
    scenario_id = new_scenario_with(app, new_account_growth=40.0)
    app.number_input(key=f"timing:{scenario_id}:new_account_growth:start").set_value(3).run()
    app.number_input(key=f"timing:{scenario_id}:new_account_growth:ramp").set_value(2).run()
    assert not app.exception, app.exception
    expected = Scenario("Scenario", new_account_growth=40.0).with_timing("new_account_growth", 3, 2)
    assert link(app)["scenario"] == ["Scenario;new_account_growth=40:3:2"]
    base = scenarios.fit_base(workspace_of(workspace_path).panel())
    first = scenarios.project(base, scenarios.BASE, 1).index[0]
    table = summary(app)
    assert table.loc["New-account growth (%)", "Scenario"] == (
        f"+40 % from {scenarios.project(base, expected, 3).index[2]}, full after 2 quarters"
    )
    compared = scenarios.compare(base, [expected], 8)
    total = next(label for label in table.index if label.startswith(f"Platform revenue {first}"))
    assert table.loc[total, "Scenario"].startswith(f"{compared.loc['Scenario', 'platform_revenue_total'] / 1e6:.1f}M")
    app.button(key="lab:save").click().run()
    assert dict(workspace_of(workspace_path).saved_scenarios())["Scenario"] == expected.settings()
    reopened = open_lab(scenario=link(app)["scenario"], show=["Scenario"])
    assert reopened.session_state["lab:scenarios"][1] == expected


def test_a_base_assumption_set_by_hand_moves_every_projection_and_says_who_and_when(workspace_path):
    app = open_app(PAGE)
    app.segmented_control(key="lab:tool").set_value("base").run()
    app.selectbox(key="base:assumption").set_value("new_accounts").run()
    app.number_input(key="base:value:new_accounts").set_value(500.0).run()
    app.button(key="base:set").click().run()
    assert not app.exception, app.exception
    assert any("New accounts per quarter is now 500 accounts" in s.value for s in app.success)
    value, _, saved_by = workspace_of(workspace_path).base_overrides()["new_accounts"]
    assert (value, saved_by) == (500.0, LOCAL.name)
    base = scenarios.apply_overrides(scenarios.fit_base(workspace_of(workspace_path).panel()), {"new_accounts": 500})
    expected = scenarios.compare(base, [], 8)
    table = summary(app)
    total = next(label for label in table.index if label.startswith("Platform revenue 20"))
    assert table.loc[total, "Base"] == f"{expected.loc['Base', 'platform_revenue_total'] / 1e6:.1f}M"
    assert "new accounts held at 500 a quarter (overridden)" in " ".join(m.value for m in app.markdown)
    assert any("1 set by hand" in h.value for h in app.subheader)
    assert any("new accounts per quarter 500 accounts (local user, 20" in i.value for i in app.info)
    listed = next(t.value for t in app.table if "Set by hand" in t.value.columns)
    assert listed.loc["New accounts per quarter", "Set by hand"] == "500 accounts"
    assert listed.loc["New accounts per quarter", "By"].startswith(f"{LOCAL.name}, 20")
    other = open_app(PAGE)  # another session projects from the same base
    assert summary(other).loc[total, "Base"] == table.loc[total, "Base"]
    app.button(key="base:clear").click().run()
    assert workspace_of(workspace_path).base_overrides() == {}
    assert summary(app).loc[total, "Base"] != table.loc[total, "Base"]
