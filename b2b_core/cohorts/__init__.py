"""Cohort renewal curves: retention triangles, Kaplan–Meier survival, shifted-beta-geometric
projections and renewal by contract cycle (DESIGN §3 and §5)."""

from b2b_core.cohorts.activity import (
    NOT_SET,
    PERIODS,
    Period,
    last_year_coverage,
    select_accounts,
    signup_attributes,
    signup_values,
)
from b2b_core.cohorts.first_cohort import BACKLOG_RATIO, COMPARED_COHORTS, FirstCohort, first_cohort_choice
from b2b_core.cohorts.matrix import AVERAGE, BASES, METRICS, TOTAL, cohort_matrix, cohort_values
from b2b_core.cohorts.renewals import EARLIER_START, RENEWAL_COLUMNS, renewal_by_cycle
from b2b_core.cohorts.sbg import SBGFitWarning, ShiftedBetaGeometric, holdout_check, holdout_error, pooled_survival
from b2b_core.cohorts.survival import (
    KM_COLUMNS,
    OBSERVED_SHARE,
    SURVIVAL,
    WHY_THEY_DIFFER,
    Lifetimes,
    cohort_survivors,
    fittable_survivors,
    kaplan_meier,
    lifetimes,
    survival_table,
    survivor_counts,
)

__all__ = [
    "AVERAGE",
    "BACKLOG_RATIO",
    "BASES",
    "COMPARED_COHORTS",
    "EARLIER_START",
    "FirstCohort",
    "KM_COLUMNS",
    "Lifetimes",
    "METRICS",
    "NOT_SET",
    "OBSERVED_SHARE",
    "PERIODS",
    "RENEWAL_COLUMNS",
    "TOTAL",
    "WHY_THEY_DIFFER",
    "Period",
    "SBGFitWarning",
    "SURVIVAL",
    "ShiftedBetaGeometric",
    "last_year_coverage",
    "cohort_matrix",
    "cohort_survivors",
    "cohort_values",
    "first_cohort_choice",
    "fittable_survivors",
    "holdout_check",
    "holdout_error",
    "kaplan_meier",
    "lifetimes",
    "pooled_survival",
    "renewal_by_cycle",
    "select_accounts",
    "signup_attributes",
    "signup_values",
    "survival_table",
    "survivor_counts",
]
