"""AppTest tests of the Revenue quadrants page on a real DuckDB workspace."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pandas as pd

from b2b_core import exports, playbook, quadrants, sample, store
from b2b_core.access import LOCAL
from b2b_core.playbook import load_playbook
from tests import panels
from tests.apptest import metric, open_app, workspace_of
from ui import format as fmt
from ui import quadrant_views as views

PAGE = "pages/quadrants.py"
BOOK = load_playbook()
UNDER_MONETISED = "Under-monetised accounts (IV)"  # the headline without median cuts
EARNED_IN_Q4 = "B-side revenue earned in IV"  # the headline with median cuts


def compare_with(app):
    """The "Compare with" selector (its key carries the chosen quarter)."""
    return next(box for box in app.selectbox if box.label == "Compare with")


def test_headline_numbers_are_those_of_b2b_core_for_the_latest_quarter(workspace_path):
    app = open_app(PAGE)
    panel = workspace_of(workspace_path).panel()
    latest = sorted(panel["quarter"].unique())[-1]
    placed = quadrants.assign_quadrants(panel, latest)
    mix = quadrants.quadrant_summary(panel, quarters=[latest]).loc[latest]
    assert metric(app, "Accounts placed") == fmt.count(placed["quadrant"].isin(quadrants.QUADRANTS).sum())
    # median cuts: Q2 and Q4 hold as many accounts by construction, so the headline is Q4's revenue
    assert mix.loc["Q2", "accounts"] == mix.loc["Q4", "accounts"]
    assert metric(app, EARNED_IN_Q4) == fmt.share(mix.loc["Q4", "b_side_revenue_share"])
    assert metric(app, "Platform revenue from I + IV") == fmt.share(
        mix.loc[["Q1", "Q4"], "platform_revenue_share"].sum()
    )
    assert not app.error and not app.warning
    app.selectbox(key="cut").set_value("mean").run()
    by_mean = quadrants.quadrant_summary(panel, "mean", quarters=[latest]).loc[latest]
    assert metric(app, UNDER_MONETISED) == fmt.count(by_mean.loc["Q4", "accounts"])


def test_every_cut_colour_size_and_scale_renders_without_an_error(workspace_path):
    app = open_app(PAGE)
    for key, value in [
        ("cut", "mean"),
        ("cut_by", "segment"),
        ("colour_by", "cluster"),
        ("colour_by", "tier"),
        ("size_by", "contract_value"),
        ("log_axes", False),
        ("cut", "percentile"),
        ("cut", "value"),
    ]:
        widget = app.toggle(key=key) if key == "log_axes" else app.selectbox(key=key)
        widget.set_value(value).run()
        assert not app.exception, (key, value, app.exception)
    compare = compare_with(app)
    compare.set_value(compare.options[-1]).run()
    for view in ("Play through quarters", "Migration", "Movers", "Clusters", "Mix over time"):
        app.session_state["view"] = view  # open the tab (only the open tab is computed)
        app.run()
        assert not app.exception, (view, app.exception)
        assert app.get("plotly_chart") or app.dataframe, view
    app.session_state["view"] = "Migration"
    app.run()
    app.radio(key="migration_measure").set_value("before").run()
    assert not app.exception and not app.error


def test_a_filter_and_a_fixed_cut_change_the_counts(workspace_path):
    app = open_app(PAGE)
    everyone = metric(app, "Accounts placed")
    app.multiselect(key="filter:tier").set_value(["KA"]).run()
    assert metric(app, "Accounts placed") != everyone
    app.selectbox(key="cut").set_value("value").run()
    app.number_input(key="cut_x").set_value(0.0)
    app.number_input(key="cut_y").set_value(0.0).run()
    panel = workspace_of(workspace_path).panel()
    ka = quadrants.accounts_matching(panel, {"tier": ["KA"]})
    latest = sorted(panel["quarter"].unique())[-1]
    placed = quadrants.assign_quadrants(panel, latest, ("value", 0.0, 0.0), accounts=ka)
    # with cuts at 0, Q4 holds exactly the accounts that earn but pay nothing
    expected = ((placed["b_side_revenue"] > 0) & (placed["platform_revenue"] == 0) & placed["quadrant"].eq("Q4")).sum()
    assert metric(app, UNDER_MONETISED) == fmt.count((placed["quadrant"] == "Q4").sum())
    assert (placed["quadrant"] == "Q4").sum() == expected


def test_the_first_quarter_has_nothing_to_compare_with(workspace_path):
    app = open_app(PAGE)
    app.session_state["view"] = "Migration"
    app.select_slider(key="quarter").set_value(workspace_of(workspace_path).quarters()[0]).run()
    assert not app.exception, app.exception
    assert compare_with(app).disabled
    assert any("nothing to compare it with" in info.value for info in app.info)


def test_a_workspace_without_b_side_revenue_says_what_the_map_needs(workspace_path):
    panel = sample.generate_panel(n_accounts=100, n_quarters=2, last_quarter="2026Q3", seed=2)
    with store.Workspace(workspace_path) as ws:
        ws.commit(panel.assign(b_side_revenue=float("nan")), "saas.csv", actor=LOCAL)
    app = open_app(PAGE)
    assert not app.exception, app.exception
    assert any("b_side_revenue" in warning.value for warning in app.warning)
    assert not app.metric


def test_accounts_tied_at_a_shared_median_are_shown_at_the_cut_and_never_called_under_monetised(workspace_path):
    panel = sample.generate_panel(n_accounts=300, n_quarters=2, last_quarter="2026Q3", seed=3)
    panel = panels.one_take_rate(panel)  # 10% of price bands: 42 of 255 accounts on the B-side median
    with store.Workspace(workspace_path) as ws:
        ws.commit(panel, "one_rate.csv", actor=LOCAL)
    app = open_app(PAGE)
    assert not app.exception and not app.error
    ties = quadrants.cut_ties(panel, "2026Q3")
    mix = quadrants.quadrant_summary(panel, quarters=["2026Q3"]).loc["2026Q3"]
    assert ties["axis"].tolist() == ["b_side_revenue", "platform_revenue"] and mix.loc[quadrants.AT_CUT, "accounts"]
    note = next(info.value for info in app.info if "at the cut" in info.value)
    for row in ties.itertuples():
        axis = "B-side revenue" if row.axis == "b_side_revenue" else "platform revenue"
        said = f"{row.tied} of the {row.accounts} accounts ({fmt.share(row.share, 0)}) share the {axis} median of"
        assert f"{said} {fmt.money(row.cut)}" in note
    assert "not as low" in note
    # the Q4 headline and card count Q4 only; the accounts at the cut have a card of their own
    assert metric(app, UNDER_MONETISED) == fmt.count(mix.loc["Q4", "accounts"])
    assert not any(m.label == EARNED_IN_Q4 for m in app.metric)
    cards = [m.value for m in app.markdown if m.value.startswith((f"**{BOOK.label('Q4')}", "**At the cut**"))]
    assert f"{fmt.count(mix.loc['Q4', 'accounts'])} accounts ·" in cards[0]
    assert f"{fmt.count(mix.loc[quadrants.AT_CUT, 'accounts'])} accounts ·" in cards[1]
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    tied = next(trace for trace in spec["data"] if trace["name"] == quadrants.AT_CUT)
    assert _length(tied["x"]) == mix.loc[quadrants.AT_CUT, "accounts"]


def test_a_broken_playbook_is_reported_not_raised(workspace_path, tmp_path, monkeypatch):
    broken = tmp_path / "playbook.toml"
    broken.write_text("[quadrants.Q1]\nname = 'x'\n", encoding="utf-8")
    monkeypatch.setitem(playbook.PLAYBOOK_PATHS, "en", broken)
    app = open_app(PAGE)
    assert any("playbook" in error.value.lower() for error in app.error)
    assert not app.exception


def test_a_filter_shows_the_selected_accounts_where_the_whole_quarter_puts_them(workspace_path):
    app = open_app(PAGE)
    app.multiselect(key="filter:tier").set_value(["long-tail"]).run()
    panel = workspace_of(workspace_path).panel()
    latest = sorted(panel["quarter"].unique())[-1]
    everyone = quadrants.assign_quadrants(panel, latest)
    long_tail = everyone[everyone["tier"] == "long-tail"]
    assert metric(app, UNDER_MONETISED) == fmt.count((long_tail["quadrant"] == "Q4").sum())


def test_the_movers_table_lists_the_accounts_that_changed_state(workspace_path):
    app = open_app(PAGE)
    app.session_state["view"] = "Movers"
    app.run()
    panel = workspace_of(workspace_path).panel()
    first, second = sorted(panel["quarter"].unique())[-2:]
    expected = quadrants.quadrant_migration(panel, first, second).movers
    shown = next(frame.value for frame in app.dataframe if "platform_revenue_change" in frame.value.columns)
    assert isinstance(shown, pd.DataFrame) and len(shown) == len(expected)
    assert shown["account_id"].tolist()[:5] == expected["account_id"].tolist()[:5]


def test_the_map_rings_the_largest_quadrant_changes_and_draws_them_even_in_a_sample(workspace_path):
    app = open_app(PAGE)
    panel = workspace_of(workspace_path).panel()
    first, second = sorted(panel["quarter"].unique())[-2:]
    movers = quadrants.quadrant_migration(panel, first, second).quadrant_movers
    changed = movers.loc[movers["platform_revenue_change"] != 0, "account_id"]
    ringed = list(changed.head(views.MOVERS_ON_MAP))
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    ring = next(trace for trace in spec["data"] if trace["name"].startswith(f"Changed quadrant since {first}"))
    assert _length(ring["x"]) == len(ringed) > 0
    drawn = "".join(text for trace in spec["data"] for text in trace.get("hovertext", []))
    assert all(f"({account})" in drawn for account in ringed)
    assert any(f"Ringed: the {len(ringed)} accounts" in caption.value for caption in app.caption)


def test_no_account_is_ringed_when_no_platform_revenue_changed(workspace_path):
    panel = sample.generate_panel(n_accounts=300, n_quarters=2, last_quarter="2026Q3", seed=6)
    with store.Workspace(workspace_path) as ws:
        ws.commit(panel.assign(platform_revenue=0.0), "no_fees.csv", actor=LOCAL)
    app = open_app(PAGE)
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert not app.exception and not any(trace["name"].startswith("Changed quadrant") for trace in spec["data"])
    assert not any("Ringed" in caption.value or "quadrant changes" in caption.value for caption in app.caption)


def _length(values) -> int:
    """Points in a trace's coordinates, as plotly sends them (a list or base64 numbers)."""
    if isinstance(values, dict):
        return len(base64.b64decode(values["bdata"])) // np.dtype(values["dtype"]).itemsize
    return len(values)


def test_a_search_marks_the_accounts_found_even_in_a_sample_and_says_where_each_one_is(workspace_path):
    app = open_app(PAGE)
    panel = workspace_of(workspace_path).panel()
    latest = sorted(panel["quarter"].unique())[-1]
    assigned = quadrants.assign_quadrants(panel, latest)
    placed = assigned[assigned["quadrant"].isin(quadrants.QUADRANTS)].sort_values("platform_revenue")
    quiet = placed.iloc[len(placed) // 3]  # a mid-sized account: in no top list, most likely not in the sample
    gone = sorted(set(panel["account_id"]) - set(assigned["account_id"]))[0]  # no row in the quarter
    app.text_input(key="find").input(f"{quiet['account_id'].lower()}, {gone}, nobody-here").run()
    assert not app.exception and not app.error
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    mark = next(trace for trace in spec["data"] if trace["name"] == "Found by the search")
    assert mark["text"] == [quiet["account_id"]]  # the account gone has no marker
    report = next(m.value for m in app.markdown if m.value.startswith("Found: "))
    assert f"**{quiet['account_id']}**" in report and f": {BOOK.label(quiet['quadrant'])}" in report
    assert f"**{gone}**" in report and f": no row in {latest}" in report
    assert any("No account has the id, or a name containing: nobody\\-here." in c.value for c in app.caption)

    tier = panel.loc[panel["account_id"] == quiet["account_id"], "tier"].iloc[-1]
    other = next(t for t in sorted(panel["tier"].dropna().unique()) if t != tier)
    app.multiselect(key="filter:tier").set_value([other]).run()
    report = next(m.value for m in app.markdown if m.value.startswith("Found: "))
    assert "outside the filters, not drawn" in report
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert not any(trace["name"] == "Found by the search" for trace in spec["data"])


def test_a_search_that_finds_nothing_says_so_and_leaves_the_map_as_it_was(workspace_path):
    app = open_app(PAGE)
    app.text_input(key="find").input("no such account").run()
    assert not app.exception
    assert [i.value for i in app.info] == ["No account has the id, or a name containing: no such account."]


def test_long_lists_download_whole_up_to_a_spreadsheets_rows_and_the_largest_beyond(workspace_path, monkeypatch):
    app = open_app(PAGE)
    labels = {d.proto.label for d in app.get("download_button")}
    assert "Download every account of this quarter (CSV)" in labels
    ws = workspace_of(workspace_path)
    latest = ws.quarters()[-1]
    whole = ws.reduce(lambda live: views._accounts_csv(live, (), latest, "median", None, BOOK))
    assigned = quadrants.assign_quadrants(ws.panel(), latest)
    assert whole == exports.csv_bytes(BOOK.named(assigned))  # the same file as from the whole frame at once

    monkeypatch.setattr(exports, "CSV_ROW_LIMIT", 100)
    app.run()
    labels = {d.proto.label for d in app.get("download_button")}
    assert (
        f"Download the 100 accounts of this quarter with the largest platform revenue (CSV, of {len(assigned):,}: "
        "a spreadsheet opens no more rows)" in labels
    )
    capped = ws.reduce(lambda live: views._accounts_csv(live, (), latest, "median", None, BOOK))
    rows = pd.read_csv(io.BytesIO(capped), encoding="utf-8-sig")
    largest = assigned.sort_values(["platform_revenue", "account_id"], ascending=[False, True]).head(100)
    assert rows["account_id"].tolist() == largest["account_id"].tolist()
    app.session_state["view"] = "Movers"
    app.run()
    labels = [d.proto.label for d in app.get("download_button")]
    assert any(label.startswith("Download the 100 largest movers (CSV, of ") for label in labels)
    app.session_state["view"] = "Clusters"
    app.run()
    labels = [d.proto.label for d in app.get("download_button")]
    assert any(label.startswith("Download the clusters of the 100 accounts with the largest") for label in labels)
    clusters = ws.reduce(lambda live: quadrants.segment_accounts(live, latest))
    capped = ws.reduce(lambda live: views._clusters_csv(live, clusters, BOOK))
    capped = pd.read_csv(io.BytesIO(capped), encoding="utf-8-sig")
    assert capped["account_id"].tolist() == largest["account_id"].tolist()
    assert list(capped.columns) == ["account_id", "quadrant", "b_side_revenue", "platform_revenue", "cluster"]
    assert capped["cluster"].between(1, clusters.k).all()


def test_the_clusters_view_shows_the_mix_and_downloads_every_placed_account(workspace_path):
    app = open_app(PAGE)
    app.session_state["view"] = "Clusters"
    app.run()
    assert not app.exception
    ws = workspace_of(workspace_path)
    latest = ws.quarters()[-1]
    clusters = ws.reduce(lambda live: quadrants.segment_accounts(live, latest))
    mix = app.dataframe[1].value
    assert mix.to_numpy().sum() == clusters.placed and list(mix.columns) == list(BOOK.labels().values())
    whole = ws.reduce(lambda live: views._clusters_csv(live, clusters, BOOK))
    whole = pd.read_csv(io.BytesIO(whole), encoding="utf-8-sig")
    assert len(whole) == clusters.placed and whole["account_id"].is_monotonic_increasing
    assert whole.groupby("cluster").size().tolist() == clusters.profiles["accounts"].tolist()


def test_the_mix_over_time_is_the_whole_panels_summary_put_together_from_each_quarters(workspace_path):
    app = open_app(PAGE)
    app.session_state["view"] = "Mix over time"
    app.selectbox(key="cut_by").set_value("segment").run()
    assert not app.exception
    panel = workspace_of(workspace_path).panel()
    whole = quadrants.quadrant_summary(panel, "median", "segment")
    pd.testing.assert_frame_equal(app.dataframe[0].value, BOOK.named(whole))


def test_texts_with_the_same_terms_share_one_search_and_keep_their_own_count_of_terms_left_out(workspace_path):
    open_app(PAGE)
    asked = []
    original = views.account_search.find_accounts

    def counted(live, text, *args):
        asked.append(text)
        return original(live, text, *args)

    views.account_search.find_accounts = counted
    try:
        first = views.find("cd00004, bakery")
        again = views.find(" cd00004 ;bakery\nCD00004 ")
        many = views.find(", ".join(["cd00004", "bakery", *(f"t{i}" for i in range(30))]))
    finally:
        views.account_search.find_accounts = original
    assert again.accounts.equals(first.accounts) and (again.matched, again.unmatched) == (
        first.matched,
        first.unmatched,
    )
    assert first.ignored == again.ignored == 0 and first.matched > 0
    assert many.ignored == 32 - views.account_search.MAX_TERMS
    assert asked == ["cd00004\nbakery", "\n".join(["cd00004", "bakery", *(f"t{i}" for i in range(18))])]
