"""Which lifecycle stage the business is in, by explainable rules (DESIGN §6).

The rules, in order, with every threshold a named field of ``Thresholds``:

1. ``contraction`` if the history holds at least ``min_quarters`` quarters, annual platform
   revenue growth is below −``contraction_revenue_fall`` and annual active-account growth below
   −``contraction_account_fall`` (both falling): a business that shrinks is contracting whatever
   its size, not starting (a shrinking platform falls below the traction line on its way down);
2. otherwise ``cold_start`` if fewer than ``cold_start_accounts`` active accounts, however long
   the history;
3. otherwise ``traction`` if fewer than ``traction_accounts`` active accounts;
4. otherwise, with fewer than ``min_quarters`` quarters of history, no stage: growth over so
   short a history does not tell the growth stages apart (``NOT_ENOUGH_HISTORY``; the result
   ``assumes`` the stage the next rules give on that history, for the priorities);
5. otherwise ``contraction`` on the rule of 1 (reached only with too short a history, as what
   the result ``assumes``);
6. otherwise ``accelerated_growth`` if annual platform revenue growth ≥
   ``accelerated_revenue_growth`` or annual active-account growth ≥
   ``accelerated_account_growth``;
7. otherwise ``steady_growth``.

Annual growth is year on year, or annualised from the quarters available while the data hold
less than a year (``company_metrics``); with a single quarter it is unknown, and unknown growth
is neither fast nor falling. Every result lists the checks it made, each with the rule it belongs
to and whether it passed, and how far the business is from the next stage (for
``steady_growth``, from ``accelerated_growth`` again).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import pandas as pd

from b2b_core.amounts import count, share
from b2b_core.i18n import N_, _, ngettext

STAGE_NAMES = {  # in English; translated where shown (``stage_name``)
    "cold_start": N_("Cold start"),
    "traction": N_("Traction"),
    "accelerated_growth": N_("Accelerated growth"),
    "steady_growth": N_("Steady growth"),
    "contraction": N_("Contraction"),
}
NOT_ENOUGH_HISTORY = "not_enough_history"  # a result, not a stage: no weights or actions of its own


@dataclass(frozen=True)
class Thresholds:
    """The stage rules' thresholds (accounts are active accounts in the quarter; growth rates
    are fractions, 0.40 = 40% year on year)."""

    min_quarters: int = 4
    cold_start_accounts: int = 50
    traction_accounts: int = 300
    accelerated_revenue_growth: float = 0.40
    accelerated_account_growth: float = 0.30
    contraction_revenue_fall: float = 0.05
    contraction_account_fall: float = 0.05


DEFAULTS = Thresholds()
SIGNAL_NAMES = {  # in English; translated where shown
    "quarters_of_history": N_("quarters of history"),
    "active_accounts": N_("active accounts"),
    "platform_revenue_growth_annual": N_("platform revenue growth (annual)"),
    "active_accounts_growth_annual": N_("active-account growth (annual)"),
}
THRESHOLD_NAMES = {  # in English; translated where shown
    "min_quarters": N_("Quarters of history to leave cold start"),
    "cold_start_accounts": N_("Active accounts to leave cold start"),
    "traction_accounts": N_("Active accounts to leave traction"),
    "accelerated_revenue_growth": N_("Platform revenue growth for accelerated growth (annual)"),
    "accelerated_account_growth": N_("Active-account growth for accelerated growth (annual)"),
    "contraction_revenue_fall": N_("Platform revenue fall for contraction (annual)"),
    "contraction_account_fall": N_("Active-account fall for contraction (annual)"),
}


def stage_name(stage: str) -> str:
    """A stage's name in the current language: ``Cold start``, ``冷启动期``."""
    return _(STAGE_NAMES[stage])


@dataclass(frozen=True)
class Check:
    """One comparison a stage result rests on: ``signal`` (its value) against ``threshold``
    with ``comparison`` ("≥" or "<"), whether it ``holds``, and the ``rule`` it is a test of (a
    stage key, or ``NOT_ENOUGH_HISTORY``)."""

    signal: str
    value: float
    comparison: str
    threshold: float
    holds: bool
    rule: str


@dataclass(frozen=True)
class StageResult:
    """The stage of one quarter, the checks that decided it and the distance to the next stage.
    ``stage`` is ``NOT_ENOUGH_HISTORY`` when the history is too short to tell growth stages apart;
    ``assumes`` is then the stage the growth rules give on that history (else ``stage``)."""

    quarter: str
    stage: str
    checks: tuple[Check, ...]
    next_stage: str
    distance: tuple[str, ...]  # what would have to change, in words with numbers
    assumes: str = ""

    def __post_init__(self) -> None:
        if not self.assumes:
            object.__setattr__(self, "assumes", self.stage)

    @property
    def name(self) -> str:
        """The stage's name in the current language, or how short the history is."""
        if self.stage == NOT_ENOUGH_HISTORY:
            history = round(next(c.value for c in self.checks if c.signal == "quarters_of_history"))
            return ngettext("Not enough history ({n} quarter)", "Not enough history ({n} quarters)", history).format(
                n=history
            )
        return stage_name(self.stage)


def check_value_text(signal: str, value: float) -> str:
    """A stage check's value or threshold as people read it: counts for quarters of history and
    active accounts (``12``), whole percentages for growth (``68%``)."""
    return count(value) if signal in ("quarters_of_history", "active_accounts") else share(value, 0)


def check_text(check: Check) -> str:
    """A check as a question with its answer: ``"Cold start: active accounts below 50? No (23,500)"``."""
    rule = _("Not enough history") if check.rule == NOT_ENOUGH_HISTORY else stage_name(check.rule)
    value = _("unknown") if math.isnan(check.value) else check_value_text(check.signal, check.value)
    said = {"signal": _label(check.signal), "threshold": check_value_text(check.signal, check.threshold)}
    question = (
        _("{signal} at least {threshold}") if check.comparison == "≥" else _("{signal} below {threshold}")
    ).format(**said)
    answer = _("{rule}: {question}? Yes ({value})") if check.holds else _("{rule}: {question}? No ({value})")
    return answer.format(rule=rule, question=question, value=value)


def detect_stage(metrics: pd.DataFrame, thresholds: Thresholds = DEFAULTS) -> list[StageResult]:
    """The stage of every quarter of ``lifecycle.company_metrics`` output, oldest first (the
    last is the current stage)."""
    return [_stage_of(quarter, row, thresholds) for quarter, row in metrics.iterrows()]


TOLERANCE = 1e-9  # 140 / 100 − 1 is 0.3999999999999999 in floating point, and must count as 40%


def _check(signal: str, value: float, comparison: str, threshold: float, rule: str) -> Check:
    known = value is not None and not math.isnan(value)
    holds = known and (value >= threshold - TOLERANCE if comparison == "≥" else value < threshold - TOLERANCE)
    return Check(signal, value if known else math.nan, comparison, threshold, holds, rule)


def _stage_of(quarter: str, row: pd.Series, t: Thresholds) -> StageResult:
    history = float(row["quarters_of_history"])
    accounts = float(row["active_accounts"])
    revenue_growth = float(row["platform_revenue_growth_annual"])
    account_growth = float(row["active_accounts_growth_annual"])
    short = _check("quarters_of_history", history, "<", t.min_quarters, NOT_ENOUGH_HISTORY)
    growth = _growth_stage(revenue_growth, account_growth, t)
    if growth.stage == "contraction" and not short.holds:
        return StageResult(quarter, "contraction", (short, *growth.checks), growth.next_stage, growth.distance)
    cold = _check("active_accounts", accounts, "<", t.cold_start_accounts, "cold_start")
    if cold.holds:
        more = round(t.cold_start_accounts - accounts)
        distance = (ngettext("{n} more active account", "{n} more active accounts", more).format(n=f"{more:,}"),)
        return StageResult(quarter, "cold_start", (cold,), "traction", distance)
    traction = _check("active_accounts", accounts, "<", t.traction_accounts, "traction")
    if traction.holds:
        more = round(t.traction_accounts - accounts)
        distance = (
            ngettext(
                "{n} more active account (then growth decides)", "{n} more active accounts (then growth decides)", more
            ).format(n=f"{more:,}"),
        )
        return StageResult(quarter, "traction", (cold, traction), "accelerated_growth", distance)
    if short.holds:
        more = round(t.min_quarters - history)
        distance = (
            ngettext("{n} more quarter of history", "{n} more quarters of history", more).format(n=f"{more:,}"),
        )
        return StageResult(
            quarter, NOT_ENOUGH_HISTORY, (cold, traction, short, *growth.checks), growth.stage, distance, growth.stage
        )
    return StageResult(
        quarter, growth.stage, (cold, traction, short, *growth.checks), growth.next_stage, growth.distance
    )


def _growth_stage(revenue_growth: float, account_growth: float, t: Thresholds) -> StageResult:
    """Contraction, accelerated or steady growth from the annual growth rates (the quarter left blank)."""
    falling = (
        _check("platform_revenue_growth_annual", revenue_growth, "<", -t.contraction_revenue_fall, "contraction"),
        _check("active_accounts_growth_annual", account_growth, "<", -t.contraction_account_fall, "contraction"),
    )
    if all(check.holds for check in falling):
        distance = tuple(
            (
                _("either {signal} back to at least {threshold} (now {value})")
                if i == 0
                else _("or {signal} back to at least {threshold} (now {value})")
            ).format(**_said(check))
            for i, check in enumerate(falling)
        )
        return StageResult("", "contraction", falling, "steady_growth", distance)
    fast = (
        _check(
            "platform_revenue_growth_annual", revenue_growth, "≥", t.accelerated_revenue_growth, "accelerated_growth"
        ),
        _check(
            "active_accounts_growth_annual", account_growth, "≥", t.accelerated_account_growth, "accelerated_growth"
        ),
    )
    checks = (*falling, *fast)
    if any(check.holds for check in fast):
        holding = [check for check in fast if check.holds]
        distance = tuple(
            (
                _("both {signal} falling below {threshold} (now {value})")
                if len(holding) > 1 and i == 0
                else _("and {signal} falling below {threshold} (now {value})")
                if i
                else _("{signal} falling below {threshold} (now {value})")
            ).format(**_said(check))
            for i, check in enumerate(holding)
        )
        return StageResult("", "accelerated_growth", checks, "steady_growth", distance)
    distance = tuple(_faster(check, first=i == 0) for i, check in enumerate(fast))
    return StageResult("", "steady_growth", checks, "accelerated_growth", distance)


def _faster(check: Check, first: bool) -> str:
    """How much faster a growth rate would have to be (``either …`` first, ``or …`` next), or that it is unknown."""
    if math.isnan(check.value):
        return (
            _("either {signal} unknown: no earlier quarter with a value above 0 to compare with")
            if first
            else _("or {signal} unknown: no earlier quarter with a value above 0 to compare with")
        ).format(signal=_label(check.signal))
    points = f"{100 * (check.threshold - check.value):.0f}"
    return (
        _("either {signal} up {points} percentage points to {threshold} (now {value})")
        if first
        else _("or {signal} up {points} percentage points to {threshold} (now {value})")
    ).format(points=points, **_said(check))


def _said(check: Check) -> dict[str, str]:
    """A growth check's signal name, threshold and value, for a sentence: whole percentages."""
    return {"signal": _label(check.signal), "threshold": f"{check.threshold:.0%}", "value": f"{check.value:.0%}"}


def _label(signal: str) -> str:
    return _(SIGNAL_NAMES[signal]) if signal in SIGNAL_NAMES else signal.replace("_", " ")


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
            _(
                "cold_start_accounts ({cold_start}) must not exceed traction_accounts ({traction}): traction comes "
                "after cold start"
            ).format(cold_start=chosen.cold_start_accounts, traction=chosen.traction_accounts)
        )
    return chosen


def stage_timeline(results: list[StageResult]) -> pd.DataFrame:
    """One row per quarter: ``stage`` (or ``NOT_ENOUGH_HISTORY``) and its display ``name`` (for
    the timeline chart)."""
    return pd.DataFrame(
        {"stage": [r.stage for r in results], "name": [r.name for r in results]},
        index=pd.Index([r.quarter for r in results], name="quarter"),
    )
