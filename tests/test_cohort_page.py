"""AppTest tests of the Cohort renewals page on a real DuckDB workspace."""

from __future__ import annotations

from b2b_core import cohorts, engine, sample, store
from b2b_core.access import LOCAL
from tests.apptest import metric, open_app, workspace_of
from tests.test_cohorts import signups
from ui import format as fmt
from ui.cohort_views import OPEN_TAB, TABS

PAGE = "pages/cohorts.py"


def open_tab(app, tab: str) -> None:
    """Open ``tab`` of the page (only the open tab is computed and drawn)."""
    app.session_state[OPEN_TAB] = tab
    app.run()


def test_headline_numbers_are_those_of_b2b_core_for_the_sample_without_the_first_cohort(workspace_path):
    app = open_app(PAGE)
    panel = workspace_of(workspace_path).panel()
    selected = cohorts.select_accounts(panel, leave_out_first_cohort=True)
    logo = cohorts.cohort_matrix(selected)
    survival = cohorts.kaplan_meier(selected, observed=sorted(panel["quarter"].unique()))
    assert metric(app, "Accounts in these cohorts") == fmt.count(logo.loc[cohorts.AVERAGE, "accounts"])
    assert metric(app, "Survival after 4 quarters (Kaplan–Meier)") == fmt.share(survival.loc[4, "survival"])
    assert app.checkbox(key="leave_out_first").value  # the sample's first cohort is a backlog: 416 against 91
    assert any(
        "The 2023Q4 cohort (416 accounts) is left out: it is 4.6× the median of the next 4 cohorts (91)" in c.value
        for c in app.caption
    )
    assert not app.error and not app.warning


def test_data_starting_at_launch_keep_the_first_cohort_and_every_dash_says_why(workspace_path):
    with store.Workspace(workspace_path) as ws:  # committed before the app opens: no sample seeding
        ws.commit(signups(2, 3, 4), "launch.csv", actor=LOCAL)
    app = open_app(PAGE)
    assert not app.checkbox(key="leave_out_first").value
    assert any("The 2024Q1 cohort (2 accounts) is kept: it is 0.6× the median" in c.value for c in app.caption)
    assert metric(app, "Accounts in these cohorts") == "9"
    survival = next(m for m in app.metric if m.label == "Survival after 4 quarters (Kaplan–Meier)")
    assert survival.value == "–"
    assert survival.proto.help.startswith("– No account of these cohorts has been followed for 4 quarters yet.")
    assert "the observed share counts only" in survival.proto.help  # why it differs from the triangle
    assert "Active = the file's active column" in survival.proto.help
    nrr = next(m for m in app.metric if m.label == "Revenue retained after 4 quarters (NRR)")
    assert nrr.value == "–" and nrr.proto.help.startswith("– No cohort here has been followed for 4 quarters yet.")
    assert any("Observed share still active: of a cohort's accounts" in c.value for c in app.caption)
    open_tab(app, "Projection (sBG)")
    held_out = next(m for m in app.metric if m.label == "Error on held-out ages")
    assert held_out.value == "–" and held_out.proto.help.startswith("– No age is held out")
    assert not app.exception and not app.error


def test_every_view_and_option_renders_without_an_error(workspace_path):
    app = open_app(PAGE)
    for metric_name in cohorts.METRICS:
        for basis in cohorts.BASES:
            app.radio(key="metric").set_value(metric_name)
            app.radio(key="basis").set_value(basis).run()
            assert not app.exception, (metric_name, basis, app.exception)
    for tab in TABS[1:]:
        open_tab(app, tab)
        assert not app.exception, (tab, app.exception)
        assert app.get("plotly_chart") or app.info, tab
    open_tab(app, "Survival (Kaplan–Meier)")
    for compare in ("segment", "region", "tier", "none"):
        app.radio(key="compare").set_value(compare).run()
        assert not app.exception, app.exception
    open_tab(app, "Projection (sBG)")
    app.toggle(key="holdout").set_value(True).run()
    assert metric(app, "Error on held-out ages").endswith("pts")
    app.slider(key="fit_periods").set_value(3).run()
    app.slider(key="horizon").set_value(30).run()
    app.segmented_control(key="period").set_value("year").run()
    assert not app.exception, app.exception
    assert not app.error


def test_a_filter_keeps_the_accounts_of_that_tier_at_signup(workspace_path):
    app = open_app(PAGE)
    everyone = metric(app, "Accounts in these cohorts")
    app.multiselect(key="filter:tier").set_value(["KA"]).run()
    panel = workspace_of(workspace_path).panel()
    ka = engine.run(cohorts.select_accounts(panel, {"tier": ["KA"]}, leave_out_first_cohort=True))
    assert metric(app, "Accounts in these cohorts") == fmt.count(ka["account_id"].nunique())
    assert metric(app, "Accounts in these cohorts") != everyone


def test_including_the_first_cohort_adds_its_accounts(workspace_path):
    app = open_app(PAGE)
    app.checkbox(key="leave_out_first").set_value(False).run()
    panel = workspace_of(workspace_path).panel()
    assert metric(app, "Accounts in these cohorts") == fmt.count(panel.loc[panel["active"], "account_id"].nunique())


def test_a_workspace_with_one_quarter_explains_what_the_page_needs(workspace_path):
    ws = workspace_of(workspace_path)
    for upload_id in ws.uploads()["upload_id"].iloc[1:]:  # keep the newest quarter only
        ws.delete(int(upload_id), actor=LOCAL)
    assert len(ws.quarters()) == 1
    app = open_app(PAGE)
    assert any("at least two quarters" in info.value for info in app.info)
    assert not app.metric and not app.error


def test_a_selection_without_accounts_says_so(workspace_path):
    app = open_app(PAGE)
    signup = cohorts.signup_attributes(workspace_of(workspace_path).panel(), ["segment", "region", "tier"])
    taken = set(signup[["segment", "region", "tier"]].itertuples(index=False, name=None))
    empty = next(
        (s, r, "KA") for s in signup["segment"].unique() for r in signup["region"].unique() if (s, r, "KA") not in taken
    )
    for column, value in zip(("segment", "region", "tier"), empty, strict=True):
        app.multiselect(key=f"filter:{column}").set_value([value])
    app.run()
    assert not app.exception, app.exception
    assert any("No account in this selection" in info.value for info in app.info)


def test_eleven_years_of_quarters_render_every_control(workspace_path):
    with store.Workspace(workspace_path) as ws:  # committed before the app opens: no sample seeding
        ws.commit(
            sample.generate_panel(n_accounts=300, n_quarters=44, last_quarter="2026Q3", seed=5), "long.csv", actor=LOCAL
        )
    app = open_app(PAGE)
    assert not app.error
    open_tab(app, "Projection (sBG)")
    horizon = app.slider(key="horizon")
    assert horizon.min < horizon.max
    app.toggle(key="holdout").set_value(True).run()
    app.segmented_control(key="period").set_value("year").run()
    assert not app.exception, app.exception


def test_a_workspace_of_two_quarters_warns_that_the_projection_is_a_guess(workspace_path):
    with store.Workspace(workspace_path) as ws:
        ws.commit(
            sample.generate_panel(n_accounts=200, n_quarters=2, last_quarter="2026Q3", seed=5), "two.csv", actor=LOCAL
        )
    app = open_app(PAGE)  # without the first cohort, no cohort has two quarters yet
    open_tab(app, "Projection (sBG)")
    assert any("needs at least one cohort observed for two quarters" in info.value for info in app.info)
    app.checkbox(key="leave_out_first").set_value(False).run()
    assert not app.exception, app.exception
    assert any("one period of renewals" in warning.value for warning in app.warning)
    assert not any(m.label.startswith("Expected quarters per account") for m in app.metric)  # no headline from a guess
