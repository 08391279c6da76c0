"""What-if scenarios: a name and five levers, each an override of the base projection.

The base projection is the scenario whose levers are all 0 (``BASE``). A lever's unit is the one
people speak in: retention and take rate in percentage points, growth and expansion in percent.

A scenario travels in a link as one query-parameter value (``to_query``/``from_query``): the name
(its ``%`` and ``;`` percent-encoded), then ``;lever=value`` for each lever that differs from 0, values written as
Python's shortest exact float text, so that reading the link gives back the very same scenario.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from urllib.parse import unquote

BASE_NAME = "Base"
MAX_NAME = 60
NEEDS_B_SIDE = ("take_rate_change", "churn_elasticity")


@dataclass(frozen=True)
class Lever:
    """How a lever is shown and bounded: ``label``, ``unit``, the allowed range [minimum, maximum],
    the slider's ``step`` and the ``sensitivity_step`` of the tornado table."""

    key: str
    label: str
    unit: str
    minimum: float
    maximum: float
    step: float
    sensitivity_step: float
    help: str

    @property
    def needs_b_side(self) -> bool:
        """True for the levers that act through B-side revenue (take rate and the churn it causes)."""
        return self.key in NEEDS_B_SIDE


LEVERS: tuple[Lever, ...] = (
    Lever(
        "renewal_uplift",
        "Renewal uplift",
        "points",
        -20.0,
        20.0,
        0.5,
        1.0,
        "Points added to the share of accounts that renew each quarter (the sBG retention rate of every age).",
    ),
    Lever(
        "new_account_growth",
        "New-account growth",
        "%",
        -100.0,
        200.0,
        5.0,
        10.0,
        "Percent more (or fewer) new accounts per quarter than the mean of the last four quarters.",
    ),
    Lever(
        "expansion",
        "Expansion",
        "% per quarter",
        -10.0,
        10.0,
        0.5,
        1.0,
        "Percent more revenue per retained account each quarter, on top of the trend in the data "
        "(B-side and platform revenue alike, so the take rate stays).",
    ),
    Lever(
        "take_rate_change",
        "Take-rate change",
        "points",
        -10.0,
        10.0,
        0.25,
        0.5,
        "Points added to the take rate (platform revenue / B-side revenue) in every projected quarter.",
    ),
    Lever(
        "churn_elasticity",
        "Churn elasticity",
        "retention points per take-rate point",
        0.0,
        5.0,
        0.1,
        0.5,
        "Retention points lost per point of take-rate rise (and won per point of cut). 0 keeps churn "
        "independent of the take rate.",
    ),
)
BY_KEY = {lever.key: lever for lever in LEVERS}


@dataclass(frozen=True)
class Scenario:
    """A named set of lever values; every lever 0 is the base projection.

    Attributes
    ----------
    name : str
        1–60 characters, shown in charts and tables; ``"Base"`` is the base's own name.
    renewal_uplift : float
        Percentage points added to the per-quarter retention rate r(t) of every account age
        (r + 5 points: 85% → 90%); the result is kept within [0, 100%].
    new_account_growth : float
        Percent change of the new accounts per quarter against the trailing four-quarter mean.
    expansion : float
        Percent added to revenue per retained account per quarter, compounding: a factor
        (1 + expansion/100)^h after h quarters, on B-side and platform revenue.
    take_rate_change : float
        Percentage points added to the take rate: platform revenue += change/100 × B-side revenue.
    churn_elasticity : float
        Retention points per take-rate point: the retention rate moves by
        −churn_elasticity × take_rate_change points. 0 (the default) switches the link off.

    Raises ``ValueError`` for an empty or too long name, or a lever outside its range (``LEVERS``).
    """

    name: str = BASE_NAME
    renewal_uplift: float = 0.0
    new_account_growth: float = 0.0
    expansion: float = 0.0
    take_rate_change: float = 0.0
    churn_elasticity: float = 0.0

    def __post_init__(self) -> None:
        name = " ".join(str(self.name).split())  # one space between words, no control characters
        if not name:
            raise ValueError("a scenario needs a name: type one, e.g. 'Renewal push'")
        if len(name) > MAX_NAME:
            raise ValueError(f"the scenario name {name[:20]!r}… is {len(name)} characters long; use at most {MAX_NAME}")
        object.__setattr__(self, "name", name)
        for lever in LEVERS:
            value = getattr(self, lever.key)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{lever.label} must be a number, not {value!r}") from None
            if not (math.isfinite(value) and lever.minimum <= value <= lever.maximum):
                raise ValueError(
                    f"{lever.label} of scenario {name!r} is {value:g} {lever.unit}; "
                    f"choose a value from {lever.minimum:g} to {lever.maximum:g}"
                )
            object.__setattr__(self, lever.key, value + 0.0)  # -0.0 reads as 0

    @classmethod
    def of(cls, name: str, levers: Mapping[str, float]) -> Scenario:
        """The scenario ``name`` with ``levers`` (lever key → value, e.g. as saved in the store);
        ``ValueError`` naming an unknown lever or a value out of range."""
        unknown = sorted(set(levers) - set(BY_KEY))
        if unknown:
            raise ValueError(f"scenario {name!r} has unknown lever(s) {unknown}; the levers are {list(BY_KEY)}")
        return cls(name, **levers)

    def levers(self) -> dict[str, float]:
        """Lever key → value, every lever."""
        return {key: value for key, value in asdict(self).items() if key != "name"}

    def overrides(self) -> dict[str, float]:
        """The levers that differ from the base (from 0)."""
        return {key: value for key, value in self.levers().items() if value != 0}

    def with_levers(self, **levers: float) -> Scenario:
        """A copy with some levers (or the name) changed; validated like a new scenario."""
        return replace(self, **levers)

    @property
    def effective_retention_change(self) -> float:
        """Points added to every retention rate: renewal uplift − elasticity × take-rate change."""
        return self.renewal_uplift - self.churn_elasticity * self.take_rate_change


LEVER_KEYS = tuple(f.name for f in fields(Scenario) if f.name != "name")
BASE = Scenario()
_PAIR = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>[^;=]+)$")


def to_query(scenario: Scenario) -> str:
    """The scenario as one URL query-parameter value: ``<name>;<lever>=<value>…`` (see module)."""
    pairs = [f"{key}={value!r}".removesuffix(".0") for key, value in scenario.overrides().items()]
    return ";".join([scenario.name.replace("%", "%25").replace(";", "%3B"), *pairs])


def from_query(text: str) -> Scenario:
    """The scenario written by ``to_query``; ``ValueError`` saying what is wrong otherwise."""
    name, *pairs = str(text).split(";")
    levers = {}
    for pair in pairs:
        match = _PAIR.match(pair)
        if not match or match["key"] not in BY_KEY:
            known = ", ".join(BY_KEY)
            raise ValueError(f"the link's scenario part {pair!r} is not lever=value with a lever among {known}")
        if match["key"] in levers:
            raise ValueError(f"the link sets {BY_KEY[match['key']].label} twice for one scenario")
        try:
            levers[match["key"]] = float(match["value"])
        except ValueError:
            raise ValueError(f"{BY_KEY[match['key']].label} in the link is {match['value']!r}, not a number") from None
    return Scenario(unquote(name), **levers)
