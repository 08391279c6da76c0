"""What-if scenarios on the projection of the business: levers, the base measured from the data,
projections with bands, the comparison table, the tornado table, and saved projections against
the actual quarters that followed (plan vs actual)."""

from b2b_core.scenarios.base import HISTORY_COLUMNS, Base, RevenueTrend, fit_base
from b2b_core.scenarios.goal import GOAL_COLUMNS, GOALS, REACHED, goal_seek, scenario_reaching
from b2b_core.scenarios.levers import (
    BASE,
    BASE_NAME,
    BY_KEY,
    LEVER_KEYS,
    LEVERS,
    MAX_NAME,
    Lever,
    Scenario,
    from_query,
    to_query,
)
from b2b_core.scenarios.plan import KeptProjection, PlanVsActual, actual_path, plan_vs_actual, waiting_text
from b2b_core.scenarios.projection import BAND, DRAWS, OUTPUTS, as_base, backtest, backtest_errors, project
from b2b_core.scenarios.summary import (
    SENSITIVITY_COLUMNS,
    SUMMARY_OUTPUTS,
    by_quarter,
    compare,
    outcomes,
    plausible_steps,
    sensitivity,
)

__all__ = [
    "BAND",
    "BASE",
    "BASE_NAME",
    "BY_KEY",
    "DRAWS",
    "GOALS",
    "GOAL_COLUMNS",
    "HISTORY_COLUMNS",
    "LEVERS",
    "LEVER_KEYS",
    "MAX_NAME",
    "OUTPUTS",
    "REACHED",
    "SENSITIVITY_COLUMNS",
    "SUMMARY_OUTPUTS",
    "Base",
    "KeptProjection",
    "Lever",
    "PlanVsActual",
    "RevenueTrend",
    "Scenario",
    "actual_path",
    "as_base",
    "backtest",
    "backtest_errors",
    "by_quarter",
    "compare",
    "fit_base",
    "from_query",
    "goal_seek",
    "outcomes",
    "plan_vs_actual",
    "plausible_steps",
    "project",
    "scenario_reaching",
    "sensitivity",
    "to_query",
    "waiting_text",
]
