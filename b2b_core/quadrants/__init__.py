"""Revenue quadrants: every B-side account by its own revenue (x) against the platform's revenue
from it (y), the movement between quarters, and a finer segmentation by clustering (DESIGN §5)."""

from b2b_core.quadrants.assign import (
    INACTIVE,
    MIN_GROUP,
    NO_B_SIDE,
    POSITIONS,
    QUADRANTS,
    STATES,
    Cut,
    accounts_matching,
    assign_quadrants,
    assign_quadrants_in_parts,
    check_cut,
    median_take_rate,
)
from b2b_core.quadrants.migration import (
    AFTER_STATES,
    BEFORE_STATES,
    CHURNED,
    MOVERS_SHOWN,
    NEW,
    RETURNING,
    Migration,
    migration_accounts,
    quadrant_migration,
)
from b2b_core.quadrants.segments import Segmentation, account_clusters, describe, segment_accounts
from b2b_core.quadrants.summary import SUMMARY_COLUMNS, quadrant_summary
from b2b_core.quadrants.view import (
    MAX_POINTS,
    PLAY_THROUGH_ACCOUNTS,
    Density,
    QuarterView,
    play_through_frames,
    quarter_view,
)

__all__ = [
    "AFTER_STATES",
    "BEFORE_STATES",
    "CHURNED",
    "INACTIVE",
    "NEW",
    "MAX_POINTS",
    "MIN_GROUP",
    "MOVERS_SHOWN",
    "NO_B_SIDE",
    "PLAY_THROUGH_ACCOUNTS",
    "POSITIONS",
    "QUADRANTS",
    "RETURNING",
    "STATES",
    "SUMMARY_COLUMNS",
    "Cut",
    "Density",
    "Migration",
    "QuarterView",
    "Segmentation",
    "account_clusters",
    "accounts_matching",
    "assign_quadrants",
    "assign_quadrants_in_parts",
    "check_cut",
    "describe",
    "median_take_rate",
    "migration_accounts",
    "play_through_frames",
    "quadrant_migration",
    "quadrant_summary",
    "quarter_view",
    "segment_accounts",
]
