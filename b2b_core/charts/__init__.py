"""Plotly figure builders: they take frames computed elsewhere in b2b_core and only draw them."""

from b2b_core.charts.cohorts import (
    cohort_curves,
    renewal_cycles,
    retention_heatmap,
    sbg_projection,
    survival_curves,
)
from b2b_core.charts.overview import kpi_trend

__all__ = [
    "cohort_curves",
    "kpi_trend",
    "renewal_cycles",
    "retention_heatmap",
    "sbg_projection",
    "survival_curves",
]
