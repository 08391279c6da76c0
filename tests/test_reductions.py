"""Each reduction the engine runs gives the numbers of the view first written in pandas
(``tests/pandas_reference.py``), on small panels unlike the sample as well as like it, and the
same numbers from a pandas panel as from the workspace's live panel."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from b2b_core import cohorts, engine, lifecycle, overview, quadrants, scenarios, store
from b2b_core.access import LOCAL
from tests import cohort_reference, pandas_reference, panels


@pytest.mark.parametrize("name", panels.PANELS)
def test_quarter_kpis_match_the_pandas_reference(name):
    panel = panels.PANELS[name]()
    pd.testing.assert_frame_equal(overview.quarter_kpis(panel), pandas_reference.quarter_kpis(panel))


@pytest.mark.parametrize("name", panels.PANELS)
def test_company_metrics_match_the_pandas_reference(name):
    panel = panels.PANELS[name]()
    pd.testing.assert_frame_equal(lifecycle.company_metrics(panel), pandas_reference.company_metrics(panel))


CUTS = ["median", "mean", ("percentile", 75), ("value", 1000.0, 100.0)]


@pytest.mark.parametrize("name", panels.PANELS)
@pytest.mark.parametrize("cut", CUTS, ids=str)
def test_quadrant_summary_matches_the_pandas_reference(name, cut):
    panel = panels.PANELS[name]()
    pd.testing.assert_frame_equal(
        quadrants.quadrant_summary(panel, cut), pandas_reference.quadrant_summary(panel, cut), check_exact=False
    )


@pytest.mark.parametrize("cut", CUTS, ids=str)
def test_quadrant_summary_by_group_of_chosen_accounts_matches_the_pandas_reference(cut):
    panel = panels.sample_panel().assign(tier=lambda p: p["tier"].where(p.index % 7 != 0))  # some tiers missing
    rare = panel["account_id"].isin(panel["account_id"].unique()[:30])
    panel.loc[rare, "segment"] = "rare"  # a group below MIN_GROUP takes the quarter's cut points
    chosen = pd.Index(panel["account_id"].unique()[::3])
    quarters = ["2026Q3", "2025Q1", "2031Q1"]  # out of order, and one with no rows
    for by in ("segment", "tier"):
        pd.testing.assert_frame_equal(
            quadrants.quadrant_summary(panel, cut, by, quarters, chosen),
            pandas_reference.quadrant_summary(panel, cut, by, quarters, chosen),
            check_exact=False,
        )


def _by_account(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("account_id", kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("name", [n for n in panels.PANELS if n != "empty"])
@pytest.mark.parametrize("cut", CUTS, ids=str)
def test_assign_quadrants_matches_the_pandas_reference(name, cut):
    panel = panels.PANELS[name]()
    for quarter in sorted(panel["quarter"].unique())[-2:]:
        for by in (None, "segment"):
            pd.testing.assert_frame_equal(
                quadrants.assign_quadrants(panel, quarter, cut, by),
                _by_account(pandas_reference.assign_quadrants(panel, quarter, cut, by)),
                check_exact=False,
            )


def test_chosen_accounts_and_their_quadrants_match_the_pandas_reference():
    panel = panels.returning()
    chosen = pandas_reference.accounts_matching(panel, {"segment": ["Retail", "Health"], "tier": ["long-tail", "mid"]})
    found = quadrants.accounts_matching(
        panel, {"segment": ["Retail", "Health"], "tier": ["long-tail", "mid"], "nothing": ["x"]}
    )
    assert 0 < len(found) < panel["account_id"].nunique()
    assert sorted(found) == sorted(chosen)
    assert quadrants.accounts_matching(panel, {"segment": []}) is None
    pd.testing.assert_frame_equal(
        quadrants.assign_quadrants(panel, "2026Q3", "median", "tier", found),
        _by_account(pandas_reference.assign_quadrants(panel, "2026Q3", "median", "tier", chosen)),
    )


@pytest.mark.parametrize("name", ["sample", "one_take_rate", "gap", "shrinking", "no_b_side", "returning"])
@pytest.mark.parametrize("by", [None, "segment"])
def test_the_migration_matches_the_pandas_reference(name, by):
    panel = panels.PANELS[name]()
    later = sorted(panel["quarter"].unique())
    for before, after in ((later[-2], later[-1]), (later[0], later[-1])):
        expected = pandas_reference.migration_accounts(panel, before, after, "median", by)
        pd.testing.assert_frame_equal(
            quadrants.migration_accounts(panel, before, after, "median", by), _by_account(expected)
        )
        flow = quadrants.quadrant_migration(panel, before, after, "median", by, shown=25)
        counts = expected.groupby(["before", "after"], observed=False).size().unstack("after")
        pd.testing.assert_frame_equal(flow.matrix, counts, check_dtype=False)
        moved = pandas_reference.movers(expected)
        assert flow.moved == len(moved) and len(flow.movers) == min(25, len(moved))
        pd.testing.assert_frame_equal(flow.movers, moved.head(25))
        revenue = expected.groupby(["before", "after"], observed=False)["platform_revenue_before"].sum()
        pd.testing.assert_frame_equal(flow.revenue("before"), revenue.unstack("after"))


def test_a_reduction_gives_the_same_numbers_on_the_live_panel_as_on_its_pandas_copy(tmp_path):
    workspace = store.Workspace(tmp_path / "w.duckdb")
    panel = panels.returning()
    workspace.commit(panel[panel["quarter"] < "2026Q1"], "older", actor=LOCAL)
    workspace.commit(panel[panel["quarter"] >= "2025Q3"], "newer, again from 2025Q3", actor=LOCAL)
    live = workspace.reduce(overview.quarter_kpis)
    pd.testing.assert_frame_equal(live, overview.quarter_kpis(workspace.panel()))
    pd.testing.assert_frame_equal(live, pandas_reference.quarter_kpis(panel))
    signals = workspace.reduce(lifecycle.company_metrics)
    pd.testing.assert_frame_equal(signals, pandas_reference.company_metrics(panel))
    mix = workspace.reduce(lambda table: quadrants.quadrant_summary(table, "median", "segment"))
    pd.testing.assert_frame_equal(mix, pandas_reference.quadrant_summary(panel, "median", "segment"), check_exact=False)


def test_a_pandas_panel_with_a_column_of_no_value_becomes_a_typed_table():
    panel = panels.sample_panel(50, 2).assign(segment=None, tier=None, custom=None)
    table = engine.table(panel)
    assert str(table.schema()["segment"]) == "string" and str(table.schema()["custom"]) == "float64"
    assert engine.run(table.count().as_table()).iloc[0, 0] == len(panel)


def test_a_source_that_is_neither_a_frame_nor_a_table_is_refused():
    with pytest.raises(TypeError, match="pandas DataFrame or an Ibis table"):
        engine.table([{"account_id": "a"}])


# --- what the quadrant map draws --------------------------------------------------------------


def test_a_quarter_with_few_accounts_draws_every_placed_account():
    panel = panels.returning()
    view = quadrants.quarter_view(panel, "2026Q3", "median", "segment")
    assigned = quadrants.assign_quadrants(panel, "2026Q3", "median", "segment")
    placed = assigned[assigned["quadrant"].isin(quadrants.PLACED)].reset_index(drop=True)
    pd.testing.assert_frame_equal(view.drawn, placed)
    counts = assigned["quadrant"].value_counts().reindex(list(quadrants.STATES), fill_value=0)
    assert view.states.to_dict() == counts.to_dict() and view.placed == len(placed)
    assert not view.sampled and view.density is None
    assert view.take_rate == pytest.approx(quadrants.median_take_rate(assigned))
    assert view.zero == int((placed["zero_b_side"] | placed["zero_platform"]).sum())


def test_a_large_quarter_draws_a_sample_that_keeps_the_largest_accounts_and_the_ones_asked_for(monkeypatch):
    monkeypatch.setattr(quadrants.view, "TOP_ACCOUNTS", 20)
    panel = panels.sample_panel(3_000, 2)
    assigned = quadrants.assign_quadrants(panel, "2026Q3")
    placed = assigned[assigned["quadrant"].isin(quadrants.PLACED)]
    asked = pd.Index(placed["account_id"].iloc[[5, 500, 1500]])
    view = quadrants.quarter_view(panel, "2026Q3", keep=asked, max_points=400)
    drawn = view.drawn.set_index("account_id")
    assert view.sampled and view.placed == len(placed) > 2_000
    assert 300 <= len(drawn) <= 400 + 4 * 20 + 3 and set(asked) <= set(drawn.index)
    for axis in ("b_side_revenue", "platform_revenue"):  # the largest and smallest on each axis
        assert set(placed.nlargest(20, axis)["account_id"]) <= set(drawn.index)
        assert placed[axis].min() == drawn[axis].min() and placed[axis].max() == drawn[axis].max()
    pd.testing.assert_frame_equal(view.drawn, placed.set_index("account_id").loc[drawn.index].reset_index())
    shares = drawn["quadrant"].value_counts(normalize=True)
    for quadrant, share in placed["quadrant"].value_counts(normalize=True).items():
        if quadrant in quadrants.PLACED:
            assert shares.get(quadrant, 0) == pytest.approx(share, abs=0.12)  # the top accounts skew it a little
    assert view.density.total == view.placed  # the density layer holds every placed account
    again = quadrants.quarter_view(panel, "2026Q3", keep=asked, max_points=400)
    pd.testing.assert_frame_equal(again.drawn, view.drawn)  # the same accounts on every visit
    linear = quadrants.quarter_view(panel, "2026Q3", log_axes=False, max_points=400)
    assert linear.density.total == view.placed
    for axis, edges in (("b_side_revenue", linear.density.x_edges), ("platform_revenue", linear.density.y_edges)):
        assert edges[0] == pytest.approx(placed[axis].min()) and edges[-1] == pytest.approx(placed[axis].max())


def test_the_density_counts_each_placed_account_in_its_cell_evenly_spaced_in_log_units(monkeypatch):
    monkeypatch.setattr(quadrants.view, "DENSITY_BINS", 2)
    monkeypatch.setattr(quadrants.view, "TOP_ACCOUNTS", 0)
    panel = pd.DataFrame(
        {
            "account_id": ["a", "b", "c", "d", "e"],
            "quarter": "2026Q3",
            "active": True,
            "b_side_revenue": [1.0, 10.0, 100.0, 1000.0, 0.0],
            "platform_revenue": [1.0, 1.0, 10.0, 100.0, 100.0],
        }
    )
    view = quadrants.quarter_view(panel, "2026Q3", ("value", 50.0, 5.0), max_points=1)  # more placed than asked
    # log10 edges 0, 1.5, 3 on x and 0, 1, 2 on y; a first row and column for zero revenue
    np.testing.assert_allclose(view.density.x_edges, [1.0, 10**1.5, 1000.0])
    np.testing.assert_allclose(view.density.y_edges, [1.0, 10.0, 100.0])
    assert view.density.zero_cells and view.density.accounts.tolist() == [[0, 0, 0], [0, 2, 0], [1, 0, 2]]
    linear = quadrants.quarter_view(panel, "2026Q3", ("value", 50.0, 5.0), log_axes=False, max_points=1)
    np.testing.assert_allclose(linear.density.x_edges, [0.0, 500.0, 1000.0])
    assert not linear.density.zero_cells and linear.density.accounts.tolist() == [[3, 0], [1, 1]]


def test_the_play_through_draws_the_same_accounts_in_every_quarter():
    panel = panels.sample_panel(600, 3)
    frames, total = quadrants.play_through_frames(panel, ["2026Q1", "2026Q2", "2026Q3"], max_accounts=40)
    drawn = [set(frame["account_id"]) for frame in frames.values()]
    placed = panel[panel["active"] & panel["b_side_revenue"].notna() & panel["platform_revenue"].notna()]
    assert total == placed["account_id"].nunique() > 40 and len(set().union(*drawn)) == 40
    first = duckdb.sql(  # the 40 placed accounts first in the order of their ids' MD5 digests
        "SELECT DISTINCT account_id, md5(account_id) AS h FROM placed ORDER BY h, account_id LIMIT 40"
    ).df()
    assert set().union(*drawn) == set(first["account_id"])
    ids = pd.Index(sorted(set().union(*drawn)))
    for quarter, frame in frames.items():  # each quarter as assign_quadrants places it, by its own cut points
        expected = quadrants.assign_quadrants(panel, quarter, accounts=ids)
        placed = expected[expected["quadrant"].isin(quadrants.PLACED)].reset_index(drop=True)
        pd.testing.assert_frame_equal(frame, placed)
    every, _ = quadrants.play_through_frames(panel, ["2026Q2", "2026Q3"], max_accounts=10_000)
    pd.testing.assert_frame_equal(
        every["2026Q3"],
        quadrants.assign_quadrants(panel, "2026Q3").query("quadrant in @quadrants.PLACED").reset_index(drop=True),
    )


# --- cohorts and the scenario base ----------------------------------------------------------------

MATRIX_CHOICES = [(m, b) for m in cohorts.METRICS for b in cohorts.BASES]


@pytest.mark.parametrize("name", panels.PANELS)
@pytest.mark.parametrize("metric,basis", MATRIX_CHOICES)
@pytest.mark.parametrize("period", cohorts.PERIODS)
def test_the_cohort_matrix_matches_the_numpy_reference(name, metric, basis, period):
    panel = panels.PANELS[name]()
    found = cohorts.cohort_matrix(panel, metric, basis, period=period)
    expected = cohort_reference.cohort_matrix(panel, metric, basis, period=period)
    pd.testing.assert_frame_equal(found, expected, check_dtype=False, check_index_type=False, check_column_type=False)


@pytest.mark.parametrize("name", ["sample", "gap", "returning"])
@pytest.mark.parametrize("metric", cohorts.METRICS)
def test_the_cohort_matrix_by_segment_of_chosen_accounts_matches_the_numpy_reference(name, metric):
    panel = panels.PANELS[name]()
    chosen = engine.run(cohorts.select_accounts(panel, {"region": ["East", "North"]}, leave_out_first_cohort=True))
    observed = sorted(panel["quarter"].unique())
    found = cohorts.cohort_matrix(chosen, metric, "initial", by="segment", observed=observed)
    expected = cohort_reference.cohort_matrix(chosen, metric, "initial", by="segment", observed=observed)
    pd.testing.assert_frame_equal(found, expected, check_dtype=False, check_index_type=False)


@pytest.mark.parametrize("name", panels.PANELS)
@pytest.mark.parametrize("by", [None, "tier"])
@pytest.mark.parametrize("period", cohorts.PERIODS)
def test_kaplan_meier_and_the_survivor_counts_match_the_numpy_reference(name, by, period):
    panel = panels.PANELS[name]()
    pd.testing.assert_frame_equal(
        cohorts.kaplan_meier(panel, by, period), cohort_reference.kaplan_meier(panel, by, period), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        cohorts.cohort_survivors(panel, period), cohort_reference.cohort_survivors(panel, period), check_dtype=False
    )
    found, expected = cohorts.fittable_survivors(panel, period), cohort_reference.fittable_survivors(panel, period)
    assert [c.tolist() for c in found] == [np.asarray(c).tolist() for c in expected]


@pytest.mark.parametrize("name", [n for n in panels.PANELS if n not in ("one_quarter", "empty")])
def test_the_scenario_base_matches_the_numpy_reference(name):
    panel = panels.PANELS[name]()
    found, expected = scenarios.fit_base(panel), cohort_reference.fit_base(panel)
    for field in ("last_quarter", "new_accounts", "has_b_side", "fitted_cohorts", "fit_warning"):
        assert getattr(found, field) == getattr(expected, field), field
    np.testing.assert_array_equal(found.signups, expected.signups)
    assert found.arrivals.model == expected.arrivals.model
    np.testing.assert_allclose(found.alive, expected.alive)
    np.testing.assert_allclose([found.alpha, found.beta], [expected.alpha, expected.beta], rtol=1e-9)
    for kind in ("platform", "b_side"):
        ours, theirs = getattr(found, kind), getattr(expected, kind)
        np.testing.assert_allclose(ours.by_age, theirs.by_age, rtol=1e-12)
        np.testing.assert_allclose(
            [ours.ramp, ours.growth, ours.growth_spread, ours.churn_weight],
            [theirs.ramp, theirs.growth, theirs.growth_spread, theirs.churn_weight],
            rtol=1e-9,
            atol=1e-12,
        )
        # the series model's optimiser turns the last digits of its inputs into the 7th of its forecast
        assert ours.starts.model == theirs.starts.model
        assert ours.new_account == pytest.approx(theirs.new_account, rel=1e-6)
    pd.testing.assert_frame_equal(found.history, expected.history, check_dtype=False)
    assert (found.take_rate is None) == (expected.take_rate is None)
    if found.take_rate is not None:
        assert found.take_rate.model == expected.take_rate.model
        np.testing.assert_allclose(found.take_rate.forecast, expected.take_rate.forecast, rtol=1e-6)
    assert found.reported_share == pytest.approx(expected.reported_share, rel=1e-12)
    np.testing.assert_allclose(found.renewal_rates, expected.renewal_rates, rtol=1e-12)


@pytest.mark.parametrize("name", ["one_quarter", "empty"])
def test_the_scenario_base_refuses_what_the_numpy_reference_refuses(name):
    panel = panels.PANELS[name]()
    with pytest.raises(ValueError) as ours:
        scenarios.fit_base(panel)
    with pytest.raises(ValueError) as theirs:
        cohort_reference.fit_base(panel)
    assert str(ours.value) == str(theirs.value)


def _with_contracts() -> pd.DataFrame:
    """The sample's contracts, with accounts whose value is missing on some rows or on every row."""
    panel = panels.sample_panel()
    codes = pd.factorize(panel["account_id"])[0]
    value = panel["contract_value"].where(codes % 5 != 1).where(~((codes % 7 == 2) & (panel["quarter"] > "2025Q2")))
    return panel.assign(contract_value=value)


@pytest.mark.parametrize("name", [*panels.PANELS, "contracts"])
@pytest.mark.parametrize("observed", [None, "later"])
def test_renewal_by_cycle_matches_the_pandas_reference(name, observed):
    panel = _with_contracts() if name == "contracts" else panels.PANELS[name]()
    quarters = None if observed is None else [*sorted(panel["quarter"].unique()), "2026Q4"]
    found = cohorts.renewal_by_cycle(panel, quarters)
    expected = cohort_reference.renewal_by_cycle(panel, quarters)
    pd.testing.assert_frame_equal(found, expected, check_dtype=False, check_index_type=False)


# --- how a reduction's rows reach pandas ----------------------------------------------------------


@pytest.mark.parametrize("rows", ["all", "none", "missing"])
def test_engine_run_types_every_kind_of_column_as_ibis_to_pandas_does(rows):
    """``engine.run`` converts with Arrow, not Ibis's per-value path: same frame, nulls included."""
    import datetime as dt

    import pyarrow as pa

    table = engine.table(panels.sample_panel(50, 2))
    values = pa.table(
        {
            "whole": pa.array([1, None, 3], pa.int64()),
            "amount": pa.array([1.5, None, 2.0]),
            "text": pa.array(["a", None, "c"]),
            "flag": pa.array([True, None, False]),
            "day": pa.array([dt.date(2024, 1, 1), None, dt.date(2024, 2, 1)]),
            "moment": pa.array([dt.datetime(2024, 1, 1, 10), None, dt.datetime(2024, 3, 1)]),
            "nothing": pa.array([None, None, None], pa.float64()),
        }
    )
    kinds = table._find_backend().create_table("kinds", values, temp=True)
    expr = {
        "all": kinds,
        "none": kinds.filter(kinds.whole > 100),
        "missing": kinds.filter(kinds.whole > 100).aggregate(
            total=kinds.whole.sum(), amount=kinds.amount.sum(), flag=kinds.flag.any(), count=kinds.whole.count()
        ),
    }[rows]
    pd.testing.assert_frame_equal(engine.run(expr), expr.to_pandas())


@pytest.mark.parametrize("name", ["sample", "no_b_side", "empty"])
def test_assign_quadrants_in_parts_gives_assign_quadrants_a_part_at_a_time(name):
    panel = panels.PANELS[name]()
    quarter = "2026Q3"
    whole = quadrants.assign_quadrants(panel, quarter, ("percentile", 40), "segment")
    total, parts = quadrants.assign_quadrants_in_parts(
        panel, quarter, ("percentile", 40), "segment", limit=10_000, part_rows=97
    )
    parts = list(parts)
    assert total == len(whole) and len(parts) == max(-(-len(whole) // 97), 1)
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)


def test_beyond_the_limit_the_parts_hold_the_largest_platform_revenue_first():
    panel = panels.sample_panel().assign(orders=np.nan)  # a custom metric with no value is left out, as assigned
    whole = quadrants.assign_quadrants(panel, "2026Q3")
    total, parts = quadrants.assign_quadrants_in_parts(panel, "2026Q3", limit=25, part_rows=10)
    listed = pd.concat(list(parts), ignore_index=True)
    expected = whole.sort_values(["platform_revenue", "account_id"], ascending=[False, True]).head(25)
    assert total == len(whole) > 25 and "orders" not in listed.columns
    pd.testing.assert_frame_equal(listed, expected.reset_index(drop=True))


def test_run_in_parts_reads_what_run_reads_and_one_empty_part_without_rows():
    table = engine.table(panels.sample_panel())
    ordered = table.order_by(["quarter", "account_id"])
    parts = list(engine.run_in_parts(ordered, 1_000))
    assert len(parts) > 1
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), engine.run(ordered))
    (empty,) = engine.run_in_parts(ordered.filter(ordered.quarter == "1999Q1"), 1_000)
    assert empty.empty and list(empty.columns) == list(engine.run(ordered).columns)


def _with_custom_metrics() -> pd.DataFrame:
    """The sample with a never-negative metric (logged), one that can be negative and is often
    missing, and one with no value at all (left out)."""
    panel = panels.sample_panel()
    rng = np.random.default_rng(5)
    return panel.assign(
        orders=rng.poisson(20, len(panel)).astype(float),
        balance=np.where(rng.random(len(panel)) < 0.3, np.nan, rng.normal(0, 100, len(panel))),
        empty=np.nan,
    )


CLUSTERED = {
    **panels.PANELS,
    "custom": _with_custom_metrics,
    "zero_b_side": lambda: panels.sample_panel().assign(b_side_revenue=0.0),  # no take rate at all
    "one_rate": lambda: panels.sample_panel().assign(platform_revenue=lambda p: p["b_side_revenue"] * 0.1),
}


@pytest.mark.parametrize(
    ("name", "by", "fit_size"),
    [
        ("sample", None, 5_000),
        ("sample", "segment", 60),
        ("returning", None, 80),
        ("custom", None, 100),
        ("one_quarter", None, 100),  # no growth at all
        ("zero_b_side", None, 5_000),
        ("one_rate", None, 5_000),
    ],
)
def test_clusters_match_the_pandas_reference(name, by, fit_size):
    panel = CLUSTERED[name]()
    quarter = sorted(panel["quarter"].unique())[-1]
    result = quadrants.segment_accounts(panel, quarter, "median", by, fit_size=fit_size)
    k, assigned, profiles = pandas_reference.segment_accounts(panel, quarter, "median", by, fit_size=fit_size)
    assert result.k == k and result.placed == len(assigned)
    pd.testing.assert_frame_equal(result.profiles, profiles, check_exact=False, rtol=1e-9)
    clusters = engine.run(quadrants.account_clusters(panel, result).order_by("account_id"))
    pd.testing.assert_frame_equal(clusters[["account_id", "quadrant", "cluster"]], assigned, check_dtype=False)
    mix = assigned.groupby(["cluster", "quadrant"]).size().unstack(fill_value=0)
    pd.testing.assert_frame_equal(result.mix, mix, check_dtype=False, check_names=False)


def test_the_clusters_of_chosen_accounts_and_of_some_ids_match_the_pandas_reference():
    panel = panels.returning()
    chosen = pd.Index(panel["account_id"].unique()[::2])
    result = quadrants.segment_accounts(panel, "2026Q3", ("percentile", 40), "tier", chosen, fit_size=70)
    k, assigned, profiles = pandas_reference.segment_accounts(panel, "2026Q3", ("percentile", 40), "tier", chosen, 70)
    assert result.k == k
    pd.testing.assert_frame_equal(result.profiles, profiles, check_exact=False, rtol=1e-9)
    some = pd.Index([*assigned["account_id"][::7], "nobody"])
    clusters = engine.run(quadrants.account_clusters(panel, result, some).order_by("account_id"))
    expected = assigned[assigned["account_id"].isin(some)].reset_index(drop=True)
    pd.testing.assert_frame_equal(clusters[["account_id", "quadrant", "cluster"]], expected, check_dtype=False)
