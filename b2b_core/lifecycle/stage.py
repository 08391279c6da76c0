"""Which lifecycle stage the business is in, by explainable rules (DESIGN §6).

The rules, in order, with every threshold a named field of ``Thresholds``:

1. ``cold_start`` if fewer than ``min_quarters`` quarters of history, or fewer than
   ``cold_start_accounts`` active accounts;
2. otherwise ``traction`` if fewer than ``traction_accounts`` active accounts;
3. otherwise ``accelerated_growth`` if annual platform revenue growth ≥
   ``accelerated_revenue_growth`` or annual active-account growth ≥
   ``accelerated_account_growth``;
4. otherwise ``steady_growth``.

Annual growth is year on year, or annualised from the quarters available while the data hold
less than a year (``company_metrics``); with a single quarter it is unknown, and unknown growth
does not count as fast. Every result lists the signals it compared, and how
far the business is from the next stage (for ``steady_growth``, from ``accelerated_growth`` again).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import pandas as pd

from b2b_core.amounts import count, share

STAGE_NAMES = {
    "cold_start": "Cold start",
    "traction": "Traction",
    "accelerated_growth": "Accelerated growth",
    "steady_growth": "Steady growth",
}


@dataclass(frozen=True)
class Thresholds:
    """The stage rules' thresholds (accounts are active accounts in the quarter; growth rates
    are fractions, 0.40 = 40% year on year)."""

    min_quarters: int = 4
    cold_start_accounts: int = 50
    traction_accounts: int = 300
    accelerated_revenue_growth: float = 0.40
    accelerated_account_growth: float = 0.30


DEFAULTS = Thresholds()
SIGNAL_NAMES = {
    "quarters_of_history": "quarters of history",
    "active_accounts": "active accounts",
    "platform_revenue_growth_annual": "platform revenue growth (annual)",
    "active_accounts_growth_annual": "active-account growth (annual)",
}
THRESHOLD_NAMES = {
    "min_quarters": "Quarters of history to leave cold start",
    "cold_start_accounts": "Active accounts to leave cold start",
    "traction_accounts": "Active accounts to leave traction",
    "accelerated_revenue_growth": "Platform revenue growth for accelerated growth (annual)",
    "accelerated_account_growth": "Active-account growth for accelerated growth (annual)",
}


@dataclass(frozen=True)
class Check:
    """One comparison a stage result rests on: ``signal`` (its value) against ``threshold``
    with ``comparison`` ("≥" or "<"), and whether it ``holds``."""

    signal: str
    value: float
    comparison: str
    threshold: float
    holds: bool


@dataclass(frozen=True)
class StageResult:
    """The stage of one quarter, the checks that decided it and the distance to the next stage."""

    quarter: str
    stage: str
    checks: tuple[Check, ...]
    next_stage: str
    distance: tuple[str, ...]  # what would have to change, in words with numbers

    @property
    def name(self) -> str:
        return STAGE_NAMES[self.stage]


def check_value_text(signal: str, value: float) -> str:
    """A stage check's value or threshold as people read it: counts for quarters of history and
    active accounts (``12``), whole percentages for growth (``68%``)."""
    return count(value) if signal in ("quarters_of_history", "active_accounts") else share(value, 0)


def detect_stage(metrics: pd.DataFrame, thresholds: Thresholds = DEFAULTS) -> list[StageResult]:
    """The stage of every quarter of ``lifecycle.company_metrics`` output, oldest first (the
    last is the current stage)."""
    return [_stage_of(quarter, row, thresholds) for quarter, row in metrics.iterrows()]


TOLERANCE = 1e-9  # 140 / 100 − 1 is 0.3999999999999999 in floating point, and must count as 40%


def _check(signal: str, value: float, comparison: str, threshold: float) -> Check:
    known = value is not None and not math.isnan(value)
    holds = known and (value >= threshold - TOLERANCE if comparison == "≥" else value < threshold - TOLERANCE)
    return Check(signal, value if known else math.nan, comparison, threshold, holds)


def _stage_of(quarter: str, row: pd.Series, t: Thresholds) -> StageResult:
    history = float(row["quarters_of_history"])
    accounts = float(row["active_accounts"])
    revenue_growth = float(row["platform_revenue_growth_annual"])
    account_growth = float(row["active_accounts_growth_annual"])
    early = (_check("quarters_of_history", history, "<", t.min_quarters),)
    early += (_check("active_accounts", accounts, "<", t.cold_start_accounts),)
    if any(check.holds for check in early):
        distance = []
        if early[0].holds:
            distance.append(_more(t.min_quarters - history, "quarter", " of history"))
        if early[1].holds:
            distance.append(_more(t.cold_start_accounts - accounts, "active account"))
        # the stage the business reaches once both hold, growth as it is now
        grown = row.copy()
        grown["quarters_of_history"] = max(history, t.min_quarters)
        grown["active_accounts"] = max(accounts, t.cold_start_accounts)
        return StageResult(quarter, "cold_start", early, _stage_of(quarter, grown, t).stage, tuple(distance))
    traction = _check("active_accounts", accounts, "<", t.traction_accounts)
    if traction.holds:
        return StageResult(
            quarter,
            "traction",
            (*early, traction),
            "accelerated_growth",
            (_more(t.traction_accounts - accounts, "active account", " (then growth decides)"),),
        )
    growth = (
        _check("platform_revenue_growth_annual", revenue_growth, "≥", t.accelerated_revenue_growth),
        _check("active_accounts_growth_annual", account_growth, "≥", t.accelerated_account_growth),
    )
    checks = (*early, traction, *growth)
    if any(check.holds for check in growth):
        holding = [check for check in growth if check.holds]
        distance = tuple(
            ("both " if len(holding) > 1 and i == 0 else "and " if i else "")
            + f"{_label(check.signal)} falling below {check.threshold:.0%} (now {check.value:.0%})"
            for i, check in enumerate(holding)
        )
        return StageResult(quarter, "accelerated_growth", checks, "steady_growth", distance)
    distance = tuple(
        ("either " if i == 0 else "or ")
        + (
            f"{_label(check.signal)} up {100 * (check.threshold - check.value):.0f} percentage points to "
            f"{check.threshold:.0%} (now {check.value:.0%})"
            if not math.isnan(check.value)
            else f"{_label(check.signal)} unknown: no earlier quarter with a value above 0 to compare with"
        )
        for i, check in enumerate(growth)
    )
    return StageResult(quarter, "steady_growth", checks, "accelerated_growth", distance)


def _more(count: float, noun: str, tail: str = "") -> str:
    """``3 more quarters of history``, ``1 more active account``."""
    return f"{count:,.0f} more {noun}{'' if count == 1 else 's'}{tail}"


def _label(signal: str) -> str:
    return SIGNAL_NAMES.get(signal, signal.replace("_", " "))


def thresholds_from(values: dict[str, float]) -> Thresholds:
    """``Thresholds`` from a mapping of field name → value (missing fields keep their default);
    raises ``ValueError`` for an unknown name or a negative value."""
    known = {f.name: f.type for f in fields(Thresholds)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"unknown threshold(s) {unknown}; known: {sorted(known)}")
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"threshold {name} must be a number ≥ 0, not {value!r}")
    chosen = Thresholds(**{**DEFAULTS.__dict__, **values})
    if chosen.cold_start_accounts > chosen.traction_accounts:
        raise ValueError(
            f"cold_start_accounts ({chosen.cold_start_accounts}) must not exceed traction_accounts "
            f"({chosen.traction_accounts}): traction comes after cold start"
        )
    return chosen


def stage_timeline(results: list[StageResult]) -> pd.DataFrame:
    """One row per quarter: ``stage`` and its display ``name`` (for the timeline chart)."""
    return pd.DataFrame(
        {"stage": [r.stage for r in results], "name": [r.name for r in results]},
        index=pd.Index([r.quarter for r in results], name="quarter"),
    )
