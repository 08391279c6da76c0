"""Base assumptions set by hand: where leadership knows better than the data (a signed pipeline,
a price list that changes next quarter), an assumption of the base is overridden for every
projection, scenario, tornado and goal seek of the workspace until it is cleared.

Each assumption replaces one part of the measured ``Base``, held flat over the projection:

* ``new_accounts``: new accounts per quarter (``Base.arrivals``);
* ``new_account_revenue``: a new account's platform revenue in its signup quarter, in currency
  units (``platform.starts``; B-side revenue's in proportion when it follows its own trend);
* ``revenue_growth``: a retained account's revenue growth per quarter after its first full
  quarter, in % (``growth`` of platform and B-side revenue alike);
* ``take_rate``: platform revenue / B-side revenue, in % (``Base.take_rate``; B-side revenue then
  follows platform revenue at that rate).

The band keeps the uncertainty the data show for that part (the model's spread): an override
moves the level, not the knowledge of how far the quarters stray from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from b2b_core.i18n import N_, _
from b2b_core.scenarios.base import MAX_HORIZON, Base
from b2b_core.scenarios.levers import Bounded, within
from b2b_core.scenarios.series import OVERRIDDEN, SeriesForecast


@dataclass(frozen=True)
class Assumption(Bounded):
    """An assumption of the base people can override: its name, unit and allowed range
    (``Bounded``)."""

    def check(self, value: float) -> float:
        """``value`` as a float within the range; ``ValueError`` saying what to type otherwise."""
        return within(value, self)


ASSUMPTIONS = {
    a.key: a
    for a in (
        Assumption("new_accounts", N_("New accounts per quarter"), N_("accounts"), 0.0, 1e9),
        Assumption("new_account_revenue", N_("A new account's platform revenue in its first quarter"), "", 0.0, 1e15),
        Assumption("revenue_growth", N_("Revenue growth of a retained account"), N_("% per quarter"), -50.0, 100.0),
        Assumption("take_rate", N_("Take rate"), N_("%"), 0.01, 100.0),
    )
}


def measured(base: Base) -> dict[str, float | None]:
    """What the data say for each assumption, in its unit (the first projected quarter's value;
    None for the take rate when the base has no take-rate model)."""
    return {
        "new_accounts": base.new_accounts,
        "new_account_revenue": base.platform.new_account,
        "revenue_growth": 100 * base.platform.growth,
        "take_rate": 100 * float(base.take_rate.forecast[0]) if base.take_rate is not None else None,
    }


def _held(model: SeriesForecast, value: float) -> SeriesForecast:
    """``model`` replaced by ``value`` in every quarter ahead, keeping its spread and evidence."""
    return replace(model, model=OVERRIDDEN, forecast=np.full(MAX_HORIZON, value))


def apply_overrides(base: Base, overrides: Mapping[str, float]) -> Base:
    """``base`` with the ``overrides`` (assumption key → value in its unit, see module) in place
    of what the data measured. Raises ``ValueError`` for an unknown assumption, a value out of
    its range, or a take rate for data without B-side revenue."""
    unknown = sorted(set(overrides) - set(ASSUMPTIONS))
    if unknown:
        raise ValueError(
            _("unknown base assumption(s) {unknown}; the assumptions are {assumptions}").format(
                unknown=unknown, assumptions=list(ASSUMPTIONS)
            )
        )
    values = {key: ASSUMPTIONS[key].check(value) for key, value in overrides.items()}
    changed = {}
    if "new_accounts" in values:
        changed["arrivals"] = _held(base.arrivals, values["new_accounts"])
    platform, b_side = base.platform, base.b_side
    if "new_account_revenue" in values:
        revenue = values["new_account_revenue"]
        scale = revenue / platform.new_account if platform.new_account > 0 else 0.0
        b_side = replace(b_side, starts=replace(b_side.starts, forecast=b_side.starts.forecast * scale))
        platform = replace(platform, starts=_held(platform.starts, revenue))
    if "revenue_growth" in values:
        platform = replace(platform, growth=values["revenue_growth"] / 100)
        b_side = replace(b_side, growth=values["revenue_growth"] / 100)
    if "take_rate" in values:
        if not base.has_b_side:
            raise ValueError(_("the data have no B-side revenue, so the take rate cannot be set: clear that override"))
        model = base.take_rate or SeriesForecast(
            OVERRIDDEN, np.zeros(MAX_HORIZON), subject=N_("the take rate"), rate=True
        )
        changed["take_rate"] = _held(model, values["take_rate"] / 100)
    return replace(base, platform=platform, b_side=b_side, **changed)
