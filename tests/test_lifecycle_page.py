"""AppTest tests of the Lifecycle priorities page on a real DuckDB workspace."""

from __future__ import annotations

import json

from b2b_core import lifecycle, sample, store
from b2b_core.access import LOCAL
from b2b_core.playbook import load_playbook
from tests.apptest import open_app, workspace_of

PAGE = "pages/lifecycle.py"


def ranking(app) -> list[str]:
    """The levers in the order of the page's priority table."""
    table = next(frame.value for frame in app.dataframe if "allocated" in frame.value.columns)
    return table["lever"].tolist()


def test_the_stage_and_the_ranking_are_those_of_b2b_core(workspace_path):
    app = open_app(PAGE)
    metrics = lifecycle.company_metrics(workspace_of(workspace_path).panel())
    stage = lifecycle.detect_stage(metrics)[-1]
    assert app.subheader[0].value == f"Stage in {stage.quarter}: {stage.name}"
    expected = lifecycle.prioritize(metrics, stage.stage, "platform", load_playbook())
    assert ranking(app) == expected["name"].tolist()
    table = next(frame.value for frame in app.dataframe if "allocated" in frame.value.columns)
    assert table["allocated"].sum() == 12
    assert not app.error and not app.warning


def test_assuming_another_stage_and_model_changes_the_ranking_and_shows_the_change(workspace_path):
    app = open_app(PAGE)
    before = ranking(app)
    app.selectbox(key="stage").set_value("steady_growth").run()
    assert not app.exception, app.exception
    after = ranking(app)
    assert after != before and after[0] == "Customer success & renewal"
    assert any("assume Steady growth" in warning.value for warning in app.warning)
    table = next(frame.value for frame in app.dataframe if "allocated" in frame.value.columns)
    assert (table["change vs data-driven rank"] != "–").any()
    app.selectbox(key="model").set_value("hardware").run()
    assert not app.exception, app.exception
    assert any("Acquire and sell the hardware" in block.value for block in app.markdown)


def test_editing_a_weight_reranks_at_once_and_reset_restores_the_playbook(workspace_path):
    app = open_app(PAGE)
    last = ranking(app)[-1]
    key = "weights:accelerated_growth:platform:0"  # the editor of the detected stage and the default model
    levers = [lever.name for lever in load_playbook().levers]
    row = levers.index(last)
    app.session_state[key] = {"edited_rows": {row: {"weight": 50.0}}, "added_rows": [], "deleted_rows": []}
    app.run()
    assert not app.exception, app.exception
    assert ranking(app)[0] == last
    app.button(key="reset_weights").click().run()
    assert ranking(app)[-1] == last


def test_stricter_thresholds_move_the_stage_and_say_what_the_default_would_be(workspace_path):
    app = open_app(PAGE)
    app.number_input(key="threshold:accelerated_revenue_growth").set_value(500.0)
    app.number_input(key="threshold:accelerated_account_growth").set_value(500.0).run()
    assert not app.exception, app.exception
    assert app.subheader[0].value.endswith("Steady growth")
    assert any("default thresholds the stage would be" in info.value for info in app.info)


def open_on_two_quarters(workspace_path, accounts: int):
    """The page on a workspace of ``accounts`` generated accounts over two quarters, 2026Q2 and 2026Q3."""
    with store.Workspace(workspace_path) as ws:
        panel = sample.generate_panel(n_accounts=accounts, n_quarters=2, last_quarter="2026Q3", seed=3)
        ws.commit(panel, "two_quarters.csv", actor=LOCAL)
    app = open_app(PAGE)
    assert not app.exception, app.exception
    return app


def test_a_young_workspace_is_in_cold_start_and_says_what_it_lacks(workspace_path):
    app = open_on_two_quarters(workspace_path, 40)
    assert app.subheader[0].value.endswith("Cold start")
    assert any("more active accounts" in block.value for block in app.markdown)
    assert any("✓ Cold start: active accounts below 50? Yes" in block.value for block in app.markdown)


def test_a_large_workspace_with_a_short_history_gets_no_stage_and_says_what_it_assumes(workspace_path):
    app = open_on_two_quarters(workspace_path, 2_000)
    assert app.subheader[0].value.endswith("Not enough history (2 quarters)")
    assert any("of the 4 needed to tell the growth stages apart" in info.value for info in app.info)
    evidence = next(block.value for block in app.markdown if "Evidence" in block.value)
    assert "✗ Cold start: active accounts below 50? No" in evidence
    assert "✓ Not enough history: quarters of history below 4? Yes (2)" in evidence
    assert not app.warning  # the priorities follow the stage assumed, not an override


def test_thresholds_that_contradict_each_other_are_refused_with_a_message(workspace_path):
    app = open_app(PAGE)
    app.number_input(key="threshold:cold_start_accounts").set_value(1000).run()
    assert not app.exception, app.exception
    assert any("cannot be used" in warning.value for warning in app.warning)


def test_an_editor_saves_edited_weights_for_everyone_and_can_go_back_to_the_file(workspace_path):
    app = open_app(PAGE)
    last = ranking(app)[-1]
    key = "weights:accelerated_growth:platform:0"
    row = [lever.name for lever in load_playbook().levers].index(last)
    app.session_state[key] = {"edited_rows": {row: {"weight": 50.0}}, "added_rows": [], "deleted_rows": []}
    app.run()
    app.button(key="save_weights").click().run()
    assert not app.exception, app.exception
    assert any("Saved the weights of" in s.value for s in app.success)
    ws = workspace_of(workspace_path)
    saved = ws.playbook_weights()[("accelerated_growth", "platform")]
    assert saved[load_playbook().levers[row].key] == 50.0
    assert ws.audit_trail()["action"].iloc[0] == "edit_playbook"
    other_session = open_app(PAGE)
    assert ranking(other_session)[0] == last  # everyone starts from the saved weights
    other_session.button(key="unsave_weights").click().run()
    assert ranking(other_session)[-1] == last and ws.playbook_weights() == {}


def test_the_capacity_goes_to_the_levers_above_the_median_and_the_page_names_those_left_unfunded(workspace_path):
    app = open_app(PAGE)
    table = next(frame.value for frame in app.dataframe if "allocated" in frame.value.columns)
    assert table["allocated"].sum() == 12
    funded = table[table["allocated"] > 0]
    assert (funded["score"] > table["score"].median()).all() and (funded["allocated"] >= 2).all()
    unfunded = table.loc[table["allocated"] == 0, "lever"].tolist()
    assert unfunded and any(f"Left unfunded: {', '.join(unfunded)}." in c.value for c in app.caption)


def test_the_page_says_what_active_and_activation_mean_and_what_a_dash_in_the_ranking_is(workspace_path):
    app = open_app(PAGE)
    said = " ".join(c.value for c in app.caption)
    assert "Active = the file's active column where it has one, otherwise platform revenue > 0" in said
    assert "Activation: of the accounts first active in the quarter before, the share active again" in said
    ranked = next(frame for frame in app.dataframe if "allocated" in frame.value.columns)
    settings = json.loads(ranked.proto.columns)  # the column settings as sent to the browser
    assert settings["change vs data-driven rank"]["help"] == "– the same place as in the data-driven ranking."
    metrics = lifecycle.company_metrics(workspace_of(workspace_path).panel())
    assert 0 < metrics["activation"].iloc[-1] < 1  # the sample's: 83% of 2026Q2's new accounts active again
