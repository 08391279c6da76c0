"""Plotly figure builders: they take frames computed elsewhere in b2b_core and only draw them."""

from b2b_core.charts.accounts import account_quarters, lists_at_stake
from b2b_core.charts.cohorts import (
    cohort_curves,
    cohort_projection,
    renewal_cycles,
    retention_heatmap,
    sbg_projection,
    survival_curves,
)
from b2b_core.charts.lifecycle import lever_scores, signal_trends, stage_timeline
from b2b_core.charts.overview import kpi_trend, revenue_bridge_waterfall
from b2b_core.charts.quadrants import (
    migration_heatmap,
    migration_sankey,
    quadrant_map,
    quadrant_play_through,
)
from b2b_core.charts.scenarios import plan_vs_actual, scenario_colours, scenario_projection, tornado

__all__ = [
    "account_quarters",
    "cohort_curves",
    "cohort_projection",
    "kpi_trend",
    "lever_scores",
    "lists_at_stake",
    "migration_heatmap",
    "migration_sankey",
    "plan_vs_actual",
    "quadrant_map",
    "quadrant_play_through",
    "renewal_cycles",
    "revenue_bridge_waterfall",
    "retention_heatmap",
    "scenario_colours",
    "scenario_projection",
    "sbg_projection",
    "signal_trends",
    "stage_timeline",
    "survival_curves",
    "tornado",
]
