"""Figure builders draw exactly the frames they are given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b2b_core import charts, cohorts, quadrants, sample
from b2b_core.amounts import Currency
from b2b_core.playbook import load_playbook


def test_kpi_trend_draws_revenue_bars_and_an_accounts_line_on_its_own_axis():
    kpis = pd.DataFrame(
        {"platform_revenue": [10.0, 12.5], "active_accounts": [3, 4]}, index=pd.Index(["2025Q1", "2025Q2"])
    )
    figure = charts.kpi_trend(kpis)
    bars, line = figure.data
    assert (bars.type, line.type) == ("bar", "scatter")
    assert list(bars.x) == ["2025Q1", "2025Q2"] and list(bars.y) == [10.0, 12.5]
    assert list(line.y) == [3, 4] and line.yaxis == "y2"
    assert figure.layout.yaxis.title.text == "Platform revenue per quarter"


def test_the_bridge_waterfall_starts_at_the_quarter_before_and_takes_the_losses_down():
    row = pd.Series(
        {"start": 30, "new": 1, "reactivated": 2, "expansion": 3, "contraction": 4, "churned": 5, "end": 27}
    )
    figure = charts.revenue_bridge_waterfall(row, "2025Q2")
    (bars,) = figure.data
    assert list(bars.x) == ["2025Q1", "New", "Reactivated", "Expansion", "Contraction", "Churned", "2025Q2"]
    assert list(bars.measure) == ["absolute", "relative", "relative", "relative", "relative", "relative", "total"]
    assert list(bars.y) == [30, 1, 2, 3, -4, -5, 27]
    assert list(bars.text) == ["30", "1", "2", "3", "4", "5", "27"]
    assert figure.layout.title.text == "Platform revenue: 2025Q1 → 2025Q2"


def _triangle() -> pd.DataFrame:
    return pd.DataFrame(
        {"accounts": [4, 2, 6], 0: [1.0, 1.0, 1.0], 1: [0.5, float("nan"), 0.5]},
        index=pd.Index(["2025Q1", "2025Q2", cohorts.AVERAGE], name="cohort"),
    )


def test_retention_heatmap_shows_each_cell_as_a_percentage_and_leaves_unobserved_cells_blank():
    figure = charts.retention_heatmap(_triangle(), "Accounts still active", as_share=True)
    heatmap = figure.data[0]
    assert list(heatmap.y) == ["2025Q1", "2025Q2", cohorts.AVERAGE] and list(heatmap.x) == ["0", "1"]
    assert heatmap.text.tolist() == [["100%", "50%"], ["100%", ""], ["100%", "50%"]]
    assert figure.layout.yaxis.autorange == "reversed"  # the oldest cohort on top
    assert figure.layout.xaxis.title.text == "Age (quarters since signup)"


def test_retention_heatmap_of_counts_writes_short_numbers():
    counts = _triangle()
    counts[0] = [1_500.0, 2_000_000.0, 12.0]
    text = charts.retention_heatmap(counts, "Platform revenue", as_share=False, period="year").data[0].text
    assert [row[0] for row in text] == ["1.5k", "2.0M", "12"]


def test_cohort_curves_draw_one_line_per_cohort_and_the_average_on_top():
    figure = charts.cohort_curves(_triangle(), cohorts.AVERAGE, "Accounts still active (%)")
    assert [trace.name for trace in figure.data] == ["Each signup cohort"] * 2 + ["Size-weighted average"]
    assert [trace.showlegend for trace in figure.data[:2]] == [True, False]
    assert list(figure.data[-1].y) == [1.0, 0.5]


def test_survival_curves_draw_a_band_and_a_step_line_per_group():
    table = pd.DataFrame(
        {"at_risk": [3, 2], "survival": [1.0, 0.5], "lower": [1.0, 0.2], "upper": [1.0, 0.8]},
        index=pd.Index([0, 1], name="age"),
    )
    figure = charts.survival_curves({"KA": table, "mid": table})
    assert len(figure.data) == 6  # upper edge, lower edge filled to it, the curve — per group
    upper, lower, curve = figure.data[:3]
    assert list(upper.y) == [1.0, 0.8] and list(lower.y) == [1.0, 0.2] and lower.fill == "tonexty"
    assert curve.name == "KA" and curve.line.shape == "hv" and figure.data[5].line.color != curve.line.color


def test_sbg_projection_is_solid_over_fitted_ages_and_dashed_beyond_with_held_out_points_open():
    model, check = cohorts.holdout_check([[100, 60, 45, 38, 33]], fit_periods=2, horizon=6)
    figure = charts.sbg_projection(check)
    by_name = {trace.name: trace for trace in figure.data}
    assert list(by_name["sBG fit (ages used to fit)"].x) == [0, 1, 2]
    projection = by_name["sBG projection (dashed)"]
    assert projection.line.dash == "dash" and list(projection.x) == [2, 3, 4, 5, 6]
    assert list(by_name["Survival (Kaplan–Meier)"].x) == [0, 1, 2]
    assert list(by_name["Kaplan–Meier, held out of the fit"].x) == [3, 4]
    assert by_name["Kaplan–Meier, held out of the fit"].y[0] == pytest.approx(0.38)


def test_renewal_cycles_leave_out_cycles_with_nothing_decided_yet():
    table = pd.DataFrame(
        {"up_for_renewal": [10, 0, 4], "renewed": [8, 0, 3], "logo_rate": [0.8, float("nan"), 0.75]}
        | {"value_rate": [1.1, float("nan"), 0.9], "gross_value_rate": [0.9, float("nan"), 0.8]},
        index=pd.Index(["1", "2", cohorts.EARLIER_START], name="cycle"),
    )
    figure = charts.renewal_cycles(table)
    assert list(figure.data[0].x) == ["Cycle 1", "Started before the data"]
    assert list(figure.data[0].y) == [0.8, 0.75]


PLAYBOOK = load_playbook()


def _assigned(n: int = 4) -> pd.DataFrame:
    """``n`` placed accounts cycling through the quadrants, one zero-platform account."""
    x = [10.0, 1.0, 1.0, 10.0] * (n // 4)
    y = [10.0, 10.0, 0.0, 1.0] * (n // 4)
    panel = pd.DataFrame(
        {"account_id": [f"a{i}" for i in range(n)], "quarter": "2025Q1", "active": True}
        | {"b_side_revenue": x, "platform_revenue": y, "segment": "Retail"}
    )
    return quadrants.assign_quadrants(panel, "2025Q1", ("value", 5.0, 5.0))


def test_quadrant_map_draws_one_trace_per_quadrant_named_from_the_playbook_with_cut_lines_and_names():
    figure = charts.quadrant_map(_assigned(), PLAYBOOK, take_rate=0.5)  # cut at 5 on both axes
    names = [trace.name for trace in figure.data]
    assert names[:4] == ["I · Core partners", "II · At risk", "III · Observe", "IV · Under-monetised"]
    assert figure.data[0].type == "scatter" and list(figure.data[0].x) == [10.0]
    line = figure.data[-1]
    assert line.name.startswith("Median take rate (50.0%)") and line.y[-1] == pytest.approx(0.5 * line.x[-1])
    lines = [s for s in figure.layout.shapes if s.type == "line"]
    assert {(s.x0, s.y0) for s in lines if s.x0 == s.x1} == {(5.0, 0)} and any(s.y0 == s.y1 == 5.0 for s in lines)
    corners = [a.text for a in figure.layout.annotations if a.text.startswith("<b>")]
    assert {text.split("</b>")[0][3:] for text in corners} == set(names[:4])
    labels = {a.text.strip() for a in figure.layout.annotations if not a.text.startswith("<b>")}
    assert labels == {"cut B-side revenue 5", "cut platform revenue 5"}  # the cut lines say their values
    assert figure.layout.xaxis.title.text.startswith("B-side revenue")


def test_quadrant_map_draws_svg_markers_over_the_density_cells_and_floors_zeros_on_log_axes():
    density = quadrants.Density(np.array([1.0, 10.0, 100.0]), np.array([1.0, 100.0]), np.array([[3, 0]]), False)
    flat = charts.quadrant_map(_assigned(5_004), PLAYBOOK, density=density)
    cells = flat.data[0]
    assert cells.type == "heatmap" and list(cells.x) == [1.0, 10.0, 100.0] and list(cells.y) == [1.0, 100.0]
    assert cells.z[0][0] == pytest.approx(np.log1p(3)) and np.isnan(cells.z[0][1])  # an empty cell is not drawn
    # on log axes the zero cells sit on the floor, where the zero-revenue markers are drawn
    zeros = quadrants.Density(np.array([1.0, 10.0]), np.array([1.0, 100.0]), np.array([[0, 2], [5, 1]]), True)
    big = charts.quadrant_map(_assigned(5_004), PLAYBOOK, log_axes=True, density=zeros)
    floor = 10 ** (charts.quadrants.map_ranges([_assigned(5_004)], True)[1][0] + 0.05)  # under the label band
    cells = big.data[0]
    assert cells.y[0] < floor < cells.y[1] < cells.y[2] == 1.0 and cells.customdata[0].tolist() == [0, 0, 2]
    assert cells.customdata[2].tolist() == [5, 0, 1]  # an empty cell between the floor and the lowest value
    assert {trace.type for trace in big.data[1:]} == {"scatter"} and big.layout.xaxis.type == "log"
    q3 = next(trace for trace in big.data if trace.name == PLAYBOOK.label("Q3"))
    floor = 10 ** (charts.quadrants.map_ranges([_assigned(5_004)], True)[1][0] + 0.05)  # under the label band
    assert list(q3.y) == pytest.approx([floor] * len(q3.y))  # platform revenue 0 drawn on the axis floor


def test_migration_sankey_links_carry_every_account_of_the_matrix():
    panel = sample.generate_panel(n_accounts=300, n_quarters=3, last_quarter="2026Q3", seed=4)
    flow = quadrants.quadrant_migration(panel, "2026Q2", "2026Q3")
    sankey = charts.migration_sankey(flow.matrix, PLAYBOOK, "2026Q2", "2026Q3").data[0]
    assert sum(sankey.link.value) == flow.matrix.to_numpy().sum()
    heatmap = charts.migration_heatmap(flow.matrix, PLAYBOOK, "Accounts", as_money=False).data[0]
    assert heatmap.y[0] == "I · Core partners" and heatmap.x[-1] == "churned"
    assert sankey.node.label[0] == "I · Core partners (2026Q2)"  # a quadrant's numeral beside a quarter


def test_quadrant_map_hover_shows_account_texts_as_typed_not_as_html():
    assigned = _assigned().assign(account_name=["<img src=x onerror=alert(1)>", "**bold**", "A & B", None])
    hover = "".join(charts.quadrant_map(assigned, PLAYBOOK).data[0].hovertext)
    assert "&lt;img src=x onerror=alert(1)&gt;" in hover and "<img" not in hover


def test_on_log_axes_a_cut_at_zero_is_drawn_on_the_floor_and_each_axis_shades_its_own_range():
    assigned = _assigned()
    assigned[["x_cut", "y_cut"]] = 0.0
    figure = charts.quadrant_map(assigned, PLAYBOOK, log_axes=True)
    floor_x, floor_y = 10 ** figure.layout.xaxis.range[0], 10 ** figure.layout.yaxis.range[0]
    rects = [shape for shape in figure.layout.shapes if shape.type == "rect"]
    assert {round(r.x0, 9) for r in rects} == {round(floor_x, 9)} | {round(r.x0, 9) for r in rects if r.x0 != floor_x}
    assert all(r.y0 >= floor_y * 0.999 for r in rects)  # no y edge taken from the x axis
    vertical = next(shape for shape in figure.layout.shapes if shape.type == "line" and shape.x0 == shape.x1)
    assert vertical.x0 == pytest.approx(floor_x)


def test_the_play_through_moves_each_account_by_its_id_and_keeps_the_take_rate_line():
    panel = sample.generate_panel(n_accounts=300, n_quarters=3, last_quarter="2026Q3", seed=4)
    frames, total = quadrants.play_through_frames(panel, ["2026Q1", "2026Q2", "2026Q3"], max_accounts=50)
    figure = charts.quadrant_play_through(frames, PLAYBOOK, log_axes=True, take_rate=0.1, of_accounts=total)
    moving = figure.frames[-1].data[0]
    assert len(moving.ids) <= 50 and set(moving.ids) <= set(frames["2026Q3"]["account_id"])
    assert [trace.name for trace in figure.data[1:5]] == [PLAYBOOK.label(q) for q in quadrants.QUADRANTS]
    assert figure.data[-1].name.startswith("Median take rate")
    assert f"50 of {total:,} accounts" in figure.layout.title.text and total > 250
    assert len(set().union(*(set(f["account_id"]) for f in frames.values()))) == 50  # the same 50 in every quarter


def test_the_accounts_at_the_cut_are_drawn_in_a_colour_of_their_own_and_named_in_the_play_through_legend():
    # four accounts on the fixed cut (10, 1) and one each side: the four are a material tie on both axes
    panel = pd.DataFrame(
        {"account_id": list("abcdef"), "quarter": "2025Q1", "active": True}
        | {"b_side_revenue": [10.0, 10.0, 10.0, 10.0, 1.0, 100.0], "platform_revenue": [1.0] * 4 + [0.1, 10.0]}
    )
    assigned = quadrants.assign_quadrants(panel, "2025Q1", ("value", 10.0, 1.0))
    figure = charts.quadrant_map(assigned, PLAYBOOK)
    tied = next(trace for trace in figure.data if trace.name == quadrants.AT_CUT)
    assert list(tied.x) == [10.0] * 4 and tied.marker.color == charts.quadrants.PLACED_COLOURS[quadrants.AT_CUT]
    assert tied.marker.color not in charts.quadrants.QUADRANT_COLOURS.values()
    later = assigned.assign(b_side_revenue=[2.0, 20.0, 3.0, 30.0, 1.0, 100.0], quadrant="Q1")
    animation = charts.quadrant_play_through({"2025Q1": assigned, "2025Q2": later}, PLAYBOOK)
    assert [trace.name for trace in animation.data[1:6]] == [PLAYBOOK.label(q) for q in quadrants.PLACED]


def test_the_quadrant_maps_name_the_currency_on_both_amount_axes():
    yuan = Currency.of("¥", "CNY")
    plain, named = charts.quadrant_map(_assigned(), PLAYBOOK), charts.quadrant_map(_assigned(), PLAYBOOK, currency=yuan)
    assert named.layout.xaxis.title.text == f"{plain.layout.xaxis.title.text} (CNY)"
    assert named.layout.yaxis.title.text == f"{plain.layout.yaxis.title.text} (CNY)"
    panel = sample.generate_panel(n_accounts=60, n_quarters=2, last_quarter="2026Q3", seed=4)
    frames, _total = quadrants.play_through_frames(panel, ["2026Q2", "2026Q3"])
    animation = charts.quadrant_play_through(frames, PLAYBOOK, log_axes=True, currency=yuan)
    assert animation.layout.xaxis.title.text.endswith("(CNY)") and animation.layout.yaxis.title.text.endswith("(CNY)")


def test_quadrant_map_rings_the_accounts_asked_for_that_it_draws():
    assigned = _assigned()
    figure = charts.quadrant_map(assigned, PLAYBOOK, ringed=pd.Index(["a0", "a2", "gone"]), ringed_name="Moved")
    ring = next(trace for trace in figure.data if trace.name == "Moved")
    assert list(ring.x) == list(assigned.set_index("account_id").loc[["a0", "a2"], "b_side_revenue"])
    assert ring.marker.symbol == "circle-open" and ring.hoverinfo == "skip"
    assert all(trace.name != "Moved" for trace in charts.quadrant_map(assigned, PLAYBOOK, ringed=pd.Index([])).data)


def test_quadrant_map_marks_the_accounts_found_with_their_ids_written_beside_them():
    assigned = _assigned()
    found = assigned[assigned["account_id"].isin(["a1", "a3"])]  # drawn or not: their own rows
    figure = charts.quadrant_map(assigned.iloc[:1], PLAYBOOK, log_axes=True, found=found)
    mark = next(trace for trace in figure.data if trace.name == "Found by the search")
    assert list(mark.text) == ["a1", "a3"] and mark.mode == "markers+text"
    assert (list(mark.x), list(mark.y)) == ([1.0, 10.0], [10.0, 1.0])
    assert "(a1)" in mark.hovertext[0]
    unmarked = charts.quadrant_map(assigned, PLAYBOOK, found=assigned.iloc[:0])
    assert all(trace.name != "Found by the search" for trace in unmarked.data)


def test_the_quarter_axis_puts_one_labelled_category_in_place_of_each_run_of_missing_quarters():
    assert charts.style.quarter_axis(["2023Q1", "1998Q2", "1998Q1", "2023Q3"]) == [
        "1998Q1",
        "1998Q2",
        "no data 1998Q3–2022Q4",
        "2023Q1",
        "no data 2023Q2",
        "2023Q3",
    ]
    assert charts.style.quarter_axis(["2025Q2", "2025Q1"]) == ["2025Q1", "2025Q2"]
    gapped = charts.style.with_quarter_gaps(pd.Series([1.0, 2.0], index=["1998Q2", "2023Q1"]))
    assert list(gapped.index) == ["1998Q2", "no data 1998Q3–2022Q4", "2023Q1"] and np.isnan(gapped.iloc[1])


def test_a_gap_is_a_break_in_the_line_and_a_labelled_band_on_the_kpi_trend():
    kpis = pd.DataFrame(
        {"platform_revenue": [10.0, 12.5, 20.0], "active_accounts": [3, 4, 9]},
        index=pd.Index(["1998Q1", "1998Q2", "2023Q4"]),
    )
    figure = charts.kpi_trend(kpis)
    bars, line = figure.data
    assert list(line.x) == ["1998Q1", "1998Q2", "no data 1998Q3–2023Q3", "2023Q4"]
    assert np.isnan(line.y[2]) and not line.connectgaps  # no line drawn across the gap
    (band,) = figure.layout.shapes
    assert (band.x0, band.x1) == (1.5, 2.5)
    assert [a.text for a in figure.layout.annotations] == ["no data 1998Q3–2023Q3"]
    assert list(figure.layout.xaxis.ticktext) == ["1998Q1", "1998Q2", "⋯", "2023Q4"]
    assert not charts.kpi_trend(kpis.iloc[:2]).layout.shapes  # no gap, no band


def test_the_stage_timeline_breaks_at_missing_quarters():
    timeline = pd.DataFrame(
        {"stage": ["cold_start", "traction"], "name": ["Cold start", "Traction"]}, index=["1998Q2", "2000Q1"]
    )
    figure = charts.stage_timeline(timeline)
    (points,) = figure.data
    assert list(points.x) == ["1998Q2", "no data 1998Q3–1999Q4", "2000Q1"]
    assert np.isnan(points.y[1])
    assert [a.text for a in figure.layout.annotations] == ["no data 1998Q3–1999Q4"]


def test_the_scenario_projection_breaks_the_observed_line_at_missing_quarters_and_projects_from_the_last():
    history = pd.DataFrame({"active_accounts": [5.0, 6.0, 8.0]}, index=["1998Q1", "1998Q2", "2000Q1"])
    projection = pd.DataFrame(
        {"active_accounts": [9.0], "active_accounts_lower": [8.0], "active_accounts_upper": [10.0]}, index=["2000Q2"]
    )
    figure = charts.scenario_projection(history, {"Base": projection}, "active_accounts", "Active accounts", 0.9)
    observed = next(t for t in figure.data if t.name == "Observed")
    assert list(observed.x) == ["1998Q1", "1998Q2", "no data 1998Q3–1999Q4", "2000Q1"]
    assert list(figure.layout.xaxis.categoryarray) == [*observed.x, "2000Q2"]
    assert figure.layout.shapes[0].x0 == 3  # the line between observed and projected, at 2000Q1
    assert figure.layout.annotations[-1].text == "no data 1998Q3–1999Q4"


def test_the_retention_heatmap_gives_missing_cohorts_one_empty_labelled_row_above_the_average():
    triangle = _triangle().rename(index={"2025Q2": "2026Q1"})
    figure = charts.retention_heatmap(triangle, "Accounts still active", as_share=True)
    heatmap = figure.data[0]
    assert list(heatmap.y) == ["2025Q1", "no data 2025Q2–2025Q4", "2026Q1", cohorts.AVERAGE]
    assert heatmap.text.tolist()[1] == ["", ""]
    (band,) = figure.layout.shapes
    assert (band.y0, band.y1, band.xref) == (0.5, 1.5, "x domain")  # across the whole width
    assert figure.layout.annotations[0].text == "no data 2025Q2–2025Q4"
