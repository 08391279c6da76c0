"""AppTest tests of the Accounts page on a real DuckDB workspace (the bundled sample)."""

from __future__ import annotations

import pandas as pd

from b2b_core import accounts
from b2b_core.access import LOCAL
from tests.apptest import metric, open_app, workspace_of
from ui import format as fmt

PAGE = "pages/accounts.py"


def shown_table(app):
    return app.dataframe[0].value


def test_the_counts_and_the_churned_list_are_those_of_b2b_core(workspace_path):
    app = open_app(PAGE)
    assert not app.exception and not app.error
    panel = workspace_of(workspace_path).panel()
    latest = sorted(panel["quarter"].unique())[-1]
    lists = accounts.account_lists(panel, latest)
    for kind in accounts.KINDS:
        assert metric(app, kind.capitalize()) == fmt.count(lists.counts.loc[kind, "accounts"])
    table = shown_table(app)
    assert list(table["account_id"]) == list(lists.shown[accounts.CHURNED]["account_id"])
    assert table["owner"].notna().all()
    for kind in (*accounts.KINDS, "renewal calendar"):
        app.segmented_control(key="accounts:view").set_value(kind).run()
        assert not app.exception and not app.error, kind


def test_an_earlier_quarter_and_an_owner_filter(workspace_path):
    app = open_app(PAGE)
    panel = workspace_of(workspace_path).panel()
    observed = sorted(panel["quarter"].unique())
    app.selectbox(key="accounts:quarter").set_value(observed[-3]).run()
    owner = sorted(panel["owner"].dropna().unique())[0]
    app.multiselect(key="filter:owner").set_value([owner]).run()
    assert not app.exception
    table = shown_table(app)
    latest_owner = panel.sort_values("quarter").groupby("account_id")["owner"].last()
    assert len(table) and set(latest_owner[table["account_id"]]) == {owner}
    mine = pd.Index(latest_owner[latest_owner == owner].index)
    expected = accounts.account_lists(panel, observed[-3], mine).counts
    assert metric(app, "Churned") == fmt.count(expected.loc[accounts.CHURNED, "accounts"])


def test_the_lists_choices_are_kept_while_an_account_is_open(workspace_path):
    app = open_app(PAGE)
    observed = workspace_of(workspace_path).quarters()
    app.selectbox(key="accounts:quarter").set_value(observed[-2]).run()
    app.segmented_control(key="accounts:view").set_value(accounts.CONTRACTING).run()
    app.query_params["account"] = shown_table(app)["account_id"].iloc[0]
    app.run()
    assert app.subheader
    app.button(key="accounts:back").click().run()
    assert app.selectbox(key="accounts:quarter").value == observed[-2]
    assert app.segmented_control(key="accounts:view").value == accounts.CONTRACTING


def test_search_and_the_account_page_kept_in_the_link(workspace_path):
    app = open_app(PAGE)
    panel = workspace_of(workspace_path).panel()
    account = panel["account_id"].iloc[0]
    app.text_input(key="accounts:find").input(account).run()
    assert not app.exception
    app = open_app(PAGE, query_params={"account": account})
    assert not app.exception and not app.error
    history = accounts.account_history(panel, account)
    assert list(shown_table(app)["quarter"]) == list(history["quarter"])
    assert any(account in s.value for s in app.subheader)
    app.button(key="accounts:back").click().run()
    assert "account" not in app.query_params
    assert metric(app, "New")


def test_an_unknown_account_in_the_link_says_so(workspace_path):
    app = open_app(PAGE, query_params={"account": "no-such-id"})
    assert not app.exception
    assert "No account has the id" in app.warning[0].value


def test_a_quarter_without_contract_ends_says_the_calendar_needs_them(workspace_path):
    open_app()  # creates the workspace with the sample
    ws = workspace_of(workspace_path)
    panel = ws.panel([ws.quarters()[-1]]).drop(columns=["contract_end", "contract_value"])
    ws.commit(panel.assign(quarter="2030Q1"), "plain.csv", actor=LOCAL)
    app = open_app(PAGE)
    app.selectbox(key="accounts:quarter").set_value("2030Q1").run()
    app.segmented_control(key="accounts:view").set_value("renewal calendar").run()
    assert not app.exception
    assert any("no contract end dates" in i.value for i in app.info)


def test_names_from_the_data_never_reach_the_account_page_as_markup(workspace_path):
    from b2b_core.store import Workspace
    from tests.test_safe_rendering import HTML_RAW, MARKDOWN_RAW, figure_texts, hostile_panel, markdown_texts, rendered

    panel = hostile_panel()
    with Workspace(workspace_path) as ws:
        ws.commit(panel, "hostile.csv", actor=LOCAL)
    app = open_app(PAGE, query_params={"account": panel["account_id"].iloc[0]})
    texts = markdown_texts(app) + [m.label for m in app.metric]
    leaks = [(raw, text[:200]) for text in texts for raw in MARKDOWN_RAW if rendered(raw, text)]
    leaks += [(raw, text[:200]) for text in figure_texts(app) for raw in HTML_RAW if raw in text]
    assert not leaks, leaks
    assert any("owner" in text for text in texts)  # the owner line is shown, escaped


def test_a_workspace_of_one_quarter_without_b_side_revenue(workspace_path):
    from b2b_core import sample
    from b2b_core.store import Workspace

    panel = sample.generate_panel(200, 1).drop(columns=["b_side_revenue"])
    with Workspace(workspace_path) as ws:
        ws.commit(panel, "one.csv", actor=LOCAL)
    app = open_app(PAGE)
    assert not app.exception and not app.error
    assert metric(app, "New") == fmt.count(panel["active"].sum()) and metric(app, "Churned") == "0"
    assert any("no quarter before it to compare with" in i.value for i in app.info)
    app.segmented_control(key="accounts:view").set_value(accounts.NEW).run()
    assert any("first quarter of the data" in c.value for c in app.caption)


def test_a_quarter_after_a_missing_upload_says_what_the_gap_does(workspace_path):
    from b2b_core import sample
    from b2b_core.store import Workspace

    panel = sample.generate_panel(200, 3, last_quarter="2025Q3")
    with Workspace(workspace_path) as ws:
        ws.commit(panel[panel["quarter"] != "2025Q2"], "gap.csv", actor=LOCAL)
    app = open_app(PAGE)
    assert not app.exception
    assert "no upload for 2025Q2" in app.warning[0].value
