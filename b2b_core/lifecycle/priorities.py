"""Ranked operating levers: the playbook's base weight plus the data-driven adjustments, and a
split of the team's capacity that concentrates on the levers that stand out.

For the current quarter's signals, each rule of the playbook gives its lever

    adjustment = min(cap, slope × gap),   gap = max(0, target − value) for "below" rules,
                                           gap = max(0, value − target) for "above" rules,

with the target of the current stage (0 when the signal is unknown), and cap the larger of the
rule's own and the spread of the base weights for (stage, business model) (highest − lowest): a
signal far enough from its target can lift its lever from the lowest base weight to the highest,
so the data can overturn the playbook's order. A lever's score is its base weight plus the
adjustments of its rules; every part is a column, so the ranking can be read back to its causes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from b2b_core.playbook import BUSINESS_MODELS, STAGES, Playbook


def weight_spread(playbook: Playbook, stage: str, business_model: str) -> float:
    """Highest − lowest base weight of (``stage``, ``business_model``): the least cap of every rule."""
    weights = playbook.weights[(stage, business_model)].values()
    return float(max(weights) - min(weights)) if weights else 0.0


def rule_adjustments(signals: pd.Series, stage: str, business_model: str, playbook: Playbook) -> pd.DataFrame:
    """One row per rule (index rule id): ``lever``, ``signal``, ``value``, ``direction``,
    ``target``, ``gap``, ``cap`` (the rule's own or ``weight_spread``, the larger),
    ``adjustment`` (score points) and ``rationale``. ``signals`` is one row of
    ``company_metrics`` (a missing or NaN signal counts as no gap)."""
    spread = weight_spread(playbook, stage, business_model)
    rows = []
    for rule in playbook.rules:
        value = float(signals.get(rule.signal, math.nan))
        target = rule.target[stage]
        gap = 0.0 if math.isnan(value) else max(0.0, target - value if rule.direction == "below" else value - target)
        rows.append(
            {
                "rule": rule.id,
                "lever": rule.lever,
                "signal": rule.signal,
                "value": value,
                "direction": rule.direction,
                "target": target,
                "gap": gap,
                "cap": max(rule.cap, spread),
                "adjustment": min(max(rule.cap, spread), rule.slope * gap),
                "rationale": rule.rationale,
            }
        )
    columns = ["lever", "signal", "value", "direction", "target", "gap", "cap", "adjustment", "rationale"]
    return pd.DataFrame(rows, columns=["rule", *columns]).set_index("rule")


def prioritize(metrics: pd.DataFrame | pd.Series, stage: str, business_model: str, playbook: Playbook) -> pd.DataFrame:
    """The levers ranked by score for ``stage`` and ``business_model``, from ``metrics`` (a
    ``company_metrics`` frame, whose last quarter counts, or one row of it).

    Returns a frame indexed by lever key, best first: ``name``, ``base``, one column per rule id
    (its adjustment; 0 for other levers' rules), ``score`` = base + adjustments, ``rank`` (1 =
    first; ties share the better rank). Raises ``ValueError`` for an unknown stage or model.
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    if business_model not in BUSINESS_MODELS:
        raise ValueError(f"business model must be one of {BUSINESS_MODELS}, not {business_model!r}")
    signals = metrics.iloc[-1] if isinstance(metrics, pd.DataFrame) else metrics
    adjustments = rule_adjustments(signals, stage, business_model, playbook)
    base = playbook.weights[(stage, business_model)]
    table = pd.DataFrame(
        {"name": [lever.name for lever in playbook.levers], "base": [base[lever.key] for lever in playbook.levers]},
        index=pd.Index([lever.key for lever in playbook.levers], name="lever"),
    )
    for rule_id, rule in adjustments.iterrows():
        table[rule_id] = np.where(table.index == rule["lever"], rule["adjustment"], 0.0)
    table["score"] = table["base"] + table[list(adjustments.index)].sum(axis=1)
    table["rank"] = table["score"].rank(method="min", ascending=False).astype(int)
    order = np.lexsort((np.arange(len(table)), -table["base"].to_numpy(), -table["score"].to_numpy()))
    return table.iloc[order]


MIN_UNITS = 2  # the least a funded lever gets: one person alone on a lever rarely moves it


def allocate(priorities: pd.DataFrame, capacity: int, min_units: int = MIN_UNITS) -> pd.Series:
    """Split ``capacity`` whole units (people, budget units) across the levers of ``prioritize``
    (best first), concentrated on the levers that stand out:

    1. each lever's weight is its score above the median score, max(0, score − median); when no
       lever is above the median (all alike), the levers with the top score weigh 1 each;
    2. the levers with a weight are funded in proportion to it, by largest remainder (each gets
       the whole part of capacity × weight / Σ weights, the units left go to the largest
       fractional parts, ties to the better-ranked lever);
    3. while a funded lever gets fewer than ``min_units``, the lowest-ranked funded lever is
       left out and step 2 runs again (down to a single lever).

    The result sums to ``capacity`` exactly; a lever with 0 units is left unfunded. Raises
    ``ValueError`` unless capacity is a whole number ≥ 0."""
    whole = isinstance(capacity, (int, float, np.integer, np.floating)) and not isinstance(capacity, bool)
    if not whole or not float(capacity).is_integer() or capacity < 0:
        raise ValueError(f"capacity must be a whole number ≥ 0, not {capacity!r}")
    capacity = int(capacity)
    scores = priorities["score"].to_numpy(dtype=float)
    weights = np.clip(scores - np.median(scores), 0, None) if len(scores) else scores
    if not (weights > 0).any():
        weights = (scores == scores.max()).astype(float) if len(scores) else weights
    funded = list(np.flatnonzero(weights > 0))
    while True:
        units = np.zeros(len(scores), dtype=int)
        units[funded] = _largest_remainder(capacity, weights[funded])
        if len(funded) <= 1 or units[funded].min() >= min_units:
            return pd.Series(units, index=priorities.index, name="units")
        funded.pop()  # the lowest-ranked funded lever (the levers come best first)


def _largest_remainder(capacity: int, weights: np.ndarray) -> np.ndarray:
    quotas = capacity * weights / weights.sum()
    units = np.floor(quotas).astype(int)
    left = capacity - units.sum()
    order = np.lexsort((np.arange(len(quotas)), -(quotas - units)))  # largest remainder, then rank order
    units[order[:left]] += 1
    return units
