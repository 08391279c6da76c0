"""Goal seek: what it takes to reach a target for one output at a horizon.

The outputs are those of ``project`` in the horizon's last quarter L + h: active accounts,
platform revenue (currency units per quarter) and the take rate (a fraction). For a target T:

* **each lever alone**, from the scenario ``start`` (the base by default): the value v of that
  lever within its range [minimum, maximum] with output(v) = T, found by Brent's method
  (``scipy.optimize.brentq``, to 1e-6 of the lever's unit) once output(minimum) − T and
  output(maximum) − T differ in sign. Otherwise the target is out of the lever's reach, and the
  row says how far the lever gets (the output at each end of its range);
* **a mix**: the levers of a chosen scenario moved together in proportion, start + t × mix for a
  scale t ≥ 0 up to the largest that keeps every lever within its range, found the same way.

Every lever moves the outputs one way over its range (more renewal, more new accounts, more
expansion, a higher take rate: more of each output, except that a higher take rate with churn
elasticity costs accounts), so a sign change brackets the one solution.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from b2b_core.i18n import N_, _
from b2b_core.scenarios.base import Base
from b2b_core.scenarios.levers import BASE, BY_KEY, LEVERS, Scenario
from b2b_core.scenarios.projection import as_base, project

GOALS = {  # output → its name (marked for the catalog: ``_(GOALS[output])`` where shown)
    "active_accounts": N_("Active accounts"),
    "platform_revenue": N_("Platform revenue"),
    "take_rate": N_("Take rate"),
}
GOAL_COLUMNS = ["label", "unit", "value", "reached", "lowest", "highest", "status"]
TOLERANCE = 1e-6  # in the lever's unit (or of the mix's scale)
REACHED, OUT_OF_REACH, NO_EFFECT = N_("reached"), N_("out of reach"), N_("no effect")  # statuses, English keys


def _output(base: Base, scenario: Scenario, output: str, horizon: int) -> float:
    """The ``output`` of ``scenario`` in the horizon's last quarter."""
    return float(project(base, scenario, horizon, bands=False)[output].iloc[-1])


def _solve(evaluate, low: float, high: float, target: float) -> tuple[float, float, float, float, str]:
    """(value, output there, output at ``low``, output at ``high``, status) for the x in [low,
    high] with evaluate(x) = target; the value is NaN when the target is out of reach."""
    at_low, at_high = evaluate(low), evaluate(high)
    if not (np.isfinite(at_low) and np.isfinite(at_high)) or np.isclose(at_low, at_high, rtol=1e-12, atol=0):
        return np.nan, np.nan, at_low, at_high, NO_EFFECT
    if (at_low - target) * (at_high - target) > 0:
        return np.nan, np.nan, at_low, at_high, OUT_OF_REACH
    value = brentq(lambda x: evaluate(x) - target, low, high, xtol=TOLERANCE)
    return value, evaluate(value), at_low, at_high, REACHED


def goal_seek(
    data: pd.DataFrame | Base,
    output: str,
    target: float,
    horizon: int = 8,
    start: Scenario = BASE,
    mix: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """What it takes for ``output`` (a key of ``GOALS``) to reach ``target`` in the horizon's last
    quarter, from the scenario ``start`` (see module).

    ``mix``: lever key → value added per unit of the scale t (e.g. a scenario's ``overrides()``);
    None for no mix row. Returns a frame indexed by ``lever`` (the ``LEVERS`` that can act on
    the data, then ``"mix"``) with ``GOAL_COLUMNS``: label, unit, the lever ``value`` needed (for
    the mix: the scale t), the output ``reached`` there, the output at the ``lowest`` and
    ``highest`` end of the range, and the ``status``: ``REACHED``, ``OUT_OF_REACH`` or
    ``NO_EFFECT`` (the lever does not move the output alone, e.g. churn elasticity without a
    take-rate change). Raises ``ValueError`` for an unknown output or lever, a target that is
    not a finite number, or a take-rate goal on data without B-side revenue.
    """
    base = as_base(data)
    if output not in GOALS:
        raise ValueError(f"the goal must be one of {list(GOALS)}, not {output!r}")
    if not np.isfinite(target):
        raise ValueError(_("the target must be a number, not {target}").format(target=repr(target)))
    if output == "take_rate" and not base.has_b_side:
        raise ValueError(_("the data have no B-side revenue, so there is no take rate to aim at"))
    rows = {}
    for lever in LEVERS:
        if lever.needs_b_side and not base.has_b_side:
            continue

        def moved(value: float, key: str = lever.key) -> float:
            return _output(base, start.with_levers(**{key: value}), output, horizon)

        rows[lever.key] = [lever.label, lever.unit, *_solve(moved, lever.minimum, lever.maximum, target)]
    if mix:
        unknown = sorted(set(mix) - set(BY_KEY))
        if unknown:
            raise ValueError(f"the mix has unknown lever(s) {unknown}")
        largest = _largest_scale(start, mix)

        def mixed(scale: float) -> float:
            levers = {key: _within_range(key, getattr(start, key) + scale * step) for key, step in mix.items()}
            return _output(base, start.with_levers(**levers), output, horizon)

        rows["mix"] = [_("These levers together"), _("× the mix"), *_solve(mixed, 0.0, largest, target)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=GOAL_COLUMNS).rename_axis("lever")


def _largest_scale(start: Scenario, mix: Mapping[str, float]) -> float:
    """The largest t ≥ 0 with every lever of start + t × mix within its range (0 for an empty or
    zero mix)."""
    limits = []
    for key, step in mix.items():
        if step:
            lever, value = BY_KEY[key], getattr(start, key)
            limits.append(((lever.maximum if step > 0 else lever.minimum) - value) / step)
    return float(max(min(limits), 0.0)) if limits else 0.0


def scenario_reaching(row: pd.Series, lever: str, name: str, start: Scenario = BASE, mix=None) -> Scenario:
    """The scenario a ``goal_seek`` row describes, named ``name``: ``start`` with that lever at
    the value found (or the mix at its scale). Raises ``ValueError`` when the row did not reach
    its target."""
    if row["status"] != REACHED:
        raise ValueError(
            _("{lever} does not reach the target ({status}): there is no scenario to save").format(
                lever=row["label"], status=_(row["status"])
            )
        )
    if lever == "mix":
        levers = {key: getattr(start, key) + row["value"] * step for key, step in (mix or {}).items()}
    else:
        levers = {lever: row["value"]}
    return start.with_levers(name=name, **{key: _in_range(key, value) for key, value in levers.items()})


def _in_range(key: str, value: float) -> float:
    """A solved lever value, rounded to 1e-6 of its unit and kept within the lever's range."""
    return _within_range(key, round(value, 6))


def _within_range(key: str, value: float) -> float:
    """``value`` kept within the range of lever ``key`` (the mix's largest scale can land a float's
    rounding beyond an end)."""
    lever = BY_KEY[key]
    return float(np.clip(value, lever.minimum, lever.maximum))
