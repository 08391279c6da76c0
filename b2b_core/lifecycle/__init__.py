"""Lifecycle stage and lever priorities: the company's signals per quarter, the stage they put it
in, and the playbook's levers ranked with the reasons shown (DESIGN §2 and §6)."""

from b2b_core.lifecycle.metrics import SIGNALS, company_metrics
from b2b_core.lifecycle.priorities import MIN_UNITS, allocate, prioritize, rule_adjustments, weight_spread
from b2b_core.lifecycle.stage import (
    DEFAULTS,
    NOT_ENOUGH_HISTORY,
    SIGNAL_NAMES,
    STAGE_NAMES,
    THRESHOLD_NAMES,
    Check,
    StageResult,
    Thresholds,
    check_text,
    check_value_text,
    detect_stage,
    stage_name,
    stage_timeline,
    thresholds_from,
)

__all__ = [
    "check_text",
    "check_value_text",
    "DEFAULTS",
    "MIN_UNITS",
    "NOT_ENOUGH_HISTORY",
    "SIGNALS",
    "SIGNAL_NAMES",
    "STAGE_NAMES",
    "THRESHOLD_NAMES",
    "Check",
    "StageResult",
    "Thresholds",
    "allocate",
    "company_metrics",
    "detect_stage",
    "prioritize",
    "rule_adjustments",
    "stage_name",
    "stage_timeline",
    "thresholds_from",
    "weight_spread",
]
