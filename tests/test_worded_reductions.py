"""A reduction's result is kept once for every language unless it holds words (``i18n.worded``):
a session in Chinese then finds the English session's data prepared, and a second language costs
neither a second computation at a million accounts nor twice the cache."""

from __future__ import annotations

from b2b_core import i18n
from b2b_core.access import LOCAL
from b2b_core.store import Workspace
from tests import panels
from tests.apptest import VIEW_PAGES, open_app, workspace_of
from tests.same import assert_same
from ui import account_views, cohort_views, overview_views, quadrant_views, state, warm_up

QUADRANT_VIEWS = ("Clusters", "Play through quarters", "Mix over time", "Migration")


def _recorded(monkeypatch) -> dict:
    """Every reduction the app asks ``state.reduced`` for from now on, with the first arguments it
    was asked with: name → (reduction, args)."""
    calls = {}
    real = state._reduced

    def recording(data, name, reduction, args, words):
        calls.setdefault(name, (reduction, args))
        return real(data, name, reduction, args, words)

    monkeypatch.setattr(state, "_reduced", recording)
    return calls


def _in_both_languages(ws, reduction, args) -> dict:
    results = {}
    for lang in i18n.LANGUAGES:
        with i18n.use(lang):
            results[lang] = ws.reduce(lambda live: reduction(live, *args))
    return results


def _asked_of_the_app(workspace_path, monkeypatch) -> dict:
    """Every reduction (name → (reduction, first args)) that the pages, the quadrant views, the
    Overview's sums, a filter, a search and an account page ask the live data for."""
    monkeypatch.setenv(warm_up.SWITCH, "0")  # every view asked for below, in this thread
    calls = _recorded(monkeypatch)
    app = open_app()
    for page in VIEW_PAGES:
        app.switch_page(page)
        app.run()
    app.switch_page("pages/quadrants.py")
    for view in QUADRANT_VIEWS:
        app.session_state["view"] = view
        app.run()
    ws = workspace_of(workspace_path)
    quarters, ids = ws.quarters(), ws.panel()["account_id"].head(3).tolist()
    east = (("region", ("East",)),)  # the views only the preparation, a filter, a search or an account asks for
    overview_views.group_sums()
    state.reduced(overview_views._kpis, east)
    overview_views.bridge(east, "platform_revenue", "segment")
    account_views.calendar((), quarters[max(len(quarters) - 2, 0)])
    account_views.history(ids[0])
    quadrant_views.find(f"{ids[0]}, shop")
    quadrant_views.found_rows((), quarters[-1], "median", None, tuple(ids))
    cohort_views.renewals(())
    return calls


def _differing_by_language(workspace_path, calls: dict) -> set[str]:
    """The names of ``calls`` whose results differ between English and Chinese, each checked to be
    marked ``i18n.worded``."""
    ws, differing = workspace_of(workspace_path), set()
    for name, (reduction, args) in calls.items():
        results = _in_both_languages(ws, reduction, args)
        try:
            assert_same(results["zh"], results[i18n.SOURCE], name, rtol=1e-12)
        except AssertionError:
            differing.add(name)
            assert i18n.is_worded(reduction), f"{name} gives words of the language: mark it i18n.worded"
    return differing


def test_every_reduction_whose_result_differs_by_language_is_marked_worded(workspace_path, monkeypatch):
    calls = _asked_of_the_app(workspace_path, monkeypatch)
    assert len(calls) >= 24, sorted(calls)
    assert _differing_by_language(workspace_path, calls) == {  # the known worded ones still are
        "b2b_core.cohorts.first_cohort.first_cohort_choice",
        "ui.account_views._lists",
        "ui.account_views._calendar",
        "ui.quadrant_views._segmentation",
    }


def test_on_one_quarter_the_reasons_a_view_cannot_be_computed_are_worded_too(workspace_path, monkeypatch):
    with Workspace(workspace_path) as ws:  # committed before the app opens: no sample
        ws.commit(panels.one_quarter(), "one_quarter.csv", actor=LOCAL)
    differing = _differing_by_language(workspace_path, _asked_of_the_app(workspace_path, monkeypatch))
    assert "ui.scenario_views._base" in differing  # no base to fit: why, in words


def test_a_data_only_result_is_computed_once_for_both_languages_a_worded_one_once_per_language(workspace_path):
    stored = len(workspace_of(workspace_path).panel())  # a new workspace: the sample
    computed = []

    def rows(live, tag: str) -> int:
        computed.append((tag, i18n.language()))
        return int(live.count().execute())

    @i18n.worded
    def said(live, tag: str) -> str:
        computed.append((tag, i18n.language()))
        return i18n._("Overview")

    for lang in ("en", "zh", "en", "zh"):
        with i18n.use(lang):
            assert state.reduced(rows, "data") == stored
            assert state.reduced(said, "words") == ("总览" if lang == "zh" else "Overview")
    assert computed == [("data", "en"), ("words", "en"), ("words", "zh")]
