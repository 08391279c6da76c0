"""A data version's views are prepared in the background as soon as the app sees it, so that
every page opened afterwards finds what it shows first already computed."""

from __future__ import annotations

import time

import pytest

from b2b_core import charts, sample
from b2b_core.access import LOCAL
from b2b_core.store import Workspace
from tests.apptest import VIEW_PAGES, open_app, workspace_of
from ui import warm_up


@pytest.fixture(autouse=True)
def _prepared(monkeypatch):
    monkeypatch.setenv(warm_up.SWITCH, "1")


def _engine_refuses(monkeypatch):
    """From now on any question to the workspace's engine fails: only cached views can be shown."""

    def refused(self, reduction):
        raise AssertionError("the page asked the engine for a view that should have been prepared")

    monkeypatch.setattr(Workspace, "reduce", refused)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A sample workspace, made the app's, whose views the app has prepared once (a module's
    worth of tests then open it: the caches of this process keep what was prepared)."""
    path = tmp_path_factory.mktemp("prepared") / "workspace.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("B2B_WORKSPACE", str(path))
        patch.setenv(warm_up.SWITCH, "1")
        open_app()  # the Overview: the data version is seen, its preparation starts
        assert warm_up.wait(120)
        yield path


@pytest.mark.parametrize("page", VIEW_PAGES)
def test_after_the_preparation_each_page_shows_its_first_view_without_asking_the_engine(prepared, monkeypatch, page):
    workspace_of_app = open_app()
    progress = warm_up.start()
    assert not progress.running and progress.done == len(progress.steps) and progress.stopped is None
    _engine_refuses(monkeypatch)
    workspace_of_app.switch_page(page)
    workspace_of_app.run()
    assert not workspace_of_app.exception, workspace_of_app.exception


@pytest.mark.parametrize("view", ["Clusters", "Play through quarters", "Mix over time"])
def test_after_the_preparation_the_quadrant_views_opened_by_a_choice_need_no_engine(prepared, monkeypatch, view):
    app = open_app()
    _engine_refuses(monkeypatch)
    app.switch_page("pages/quadrants.py")
    app.session_state["view"] = view
    app.run()
    assert not app.exception, app.exception


@pytest.mark.parametrize("view", [None, "Play through quarters"])
def test_after_the_preparation_the_quadrant_page_draws_no_map_again(prepared, monkeypatch, view):
    """The page asks for the map and the play-through with the arguments the preparation gave
    (Streamlit keys a cached figure by the arguments as passed): it finds the figure prepared."""

    def drawn_again(*args, **kwargs):
        raise AssertionError("the page drew a quadrant figure the preparation had drawn")

    app = open_app()
    monkeypatch.setattr(charts, "quadrant_map", drawn_again)
    monkeypatch.setattr(charts, "quadrant_play_through", drawn_again)
    app.switch_page("pages/quadrants.py")
    if view is not None:
        app.session_state["view"] = view
    app.run()
    assert not app.exception, app.exception


def test_the_preparation_covers_the_quadrants_of_every_quarter_and_the_log_says_when_it_was_done(
    workspace_path, caplog
):
    caplog.set_level("INFO", logger=warm_up.log.name)
    open_app()
    assert warm_up.wait(120)
    told = [r.getMessage() for r in caplog.records if r.name == warm_up.log.name]
    assert len(told) == 2 and warm_up.PAGES_PREPARED in told[0] and warm_up.ALL_PREPARED in told[1], told
    steps = warm_up.start().steps
    quarters = workspace_of(workspace_path).quarters()
    assert [s for s in steps if s.startswith("the quadrants of")] == [f"the quadrants of {q}" for q in quarters[-2::-1]]
    assert steps[-2:] == [f"the clusters of {quarters[-1]}", "the play-through"]


def test_a_new_version_of_the_data_gets_its_own_preparation(workspace_path):
    open_app()
    assert warm_up.wait(120)
    first = warm_up.start()
    ws = workspace_of(workspace_path)
    ws.commit(sample.generate_panel(50, 1, last_quarter="2026Q4", seed=3), "2026Q4.csv", actor=LOCAL)
    second = warm_up.start()
    assert second is not first
    assert warm_up.wait(120)
    assert second.done == len(second.steps)
    assert "the quadrants of 2026Q3" in second.steps and "the quadrants of 2026Q3" not in first.steps


def test_the_sidebar_says_what_is_being_prepared_while_it_is(workspace_path):
    app = open_app()
    captions = [c.value for c in app.sidebar.caption]
    # the first run sees the preparation just started (the steps take seconds on the sample)
    assert any(c.startswith(warm_up.PREPARING) and "in the background" in c for c in captions), captions
    assert warm_up.wait(120)
    app.run()
    assert not any(c.startswith(warm_up.PREPARING) for c in app.sidebar.caption.values)


def test_with_the_switch_off_nothing_is_prepared(workspace_path, monkeypatch):
    monkeypatch.setenv(warm_up.SWITCH, "0")
    app = open_app()
    assert warm_up.start().steps == []
    assert not any(c.startswith(warm_up.PREPARING) for c in app.sidebar.caption.values)


def test_the_server_prepares_the_live_data_as_it_starts_before_anyone_visits(tmp_path):
    from tests.browser import streamlit_server

    path = tmp_path / "workspace.duckdb"
    with Workspace(path) as ws:
        sample.write_panel(ws, 300, 4, actor=LOCAL)
    log = path.with_suffix(".log")
    with streamlit_server(path):  # no page is opened
        deadline = time.monotonic() + 120
        while warm_up.ALL_PREPARED not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert f"{path}#1: {warm_up.PAGES_PREPARED}" in log.read_text()
        assert warm_up.ALL_PREPARED in log.read_text()


def test_a_server_started_on_a_new_path_leaves_creating_the_workspace_to_the_first_page(tmp_path):
    from tests.browser import streamlit_server

    path = tmp_path / "new.duckdb"
    with streamlit_server(path):
        assert not path.exists()  # the first page load creates it and says so
