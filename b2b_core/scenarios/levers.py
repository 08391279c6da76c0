"""What-if scenarios: a name and five levers, each an override of the base projection.

The base projection is the scenario whose levers are all 0 (``BASE``). A lever's unit is the one
people speak in: retention and take rate in percentage points, growth and expansion in percent.

A lever acts from a **start** quarter (1 = the first projected quarter) and reaches its full
value after a **ramp** of k quarters: in projected quarter h its share of the value is 0 before
the start, then min(1, (h − start + 1) / k). Start 1 and ramp 1 (the default) apply it fully
from the first quarter.

A scenario travels in a link as one query-parameter value (``to_query``/``from_query``): the name
(its ``%`` and ``;`` percent-encoded), then ``;lever=value`` for each lever that differs from 0
(``lever=value:start:ramp`` when it is timed), values written as Python's shortest exact float
text, so that reading the link gives back the very same scenario. Saved in a workspace, a
scenario is its ``settings()``: the levers' values, and ``<lever>.start`` / ``<lever>.ramp`` for
the timed ones.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import unquote

import numpy as np

from b2b_core.i18n import N_, _

BASE_NAME = N_("Base")  # the base's name: a key in links and tables, shown as ``shown_name`` says
MAX_NAME = 60
MAX_QUARTER = 40  # the latest start, and the longest ramp, in quarters
START, RAMP = "start", "ramp"
WHEN = (START, RAMP)
NEEDS_B_SIDE = ("take_rate_change", "churn_elasticity")


def within(value: object, bounded, whose: str = "") -> float:
    """``value`` as a float within [``bounded.minimum``, ``bounded.maximum``] (a ``Bounded``);
    ``ValueError`` naming the label (followed by ``whose``, already in the current language) and
    the range to choose from otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            _("{label} must be a number, not {value}").format(label=bounded.label, value=repr(value))
        ) from None
    if not (math.isfinite(number) and bounded.minimum <= number <= bounded.maximum):
        raise ValueError(
            _("{label}{whose} is {value}; choose a value from {minimum} to {maximum}").format(
                label=bounded.label,
                whose=whose,
                value=with_unit(number, bounded.unit),
                minimum=f"{bounded.minimum:g}",
                maximum=f"{bounded.maximum:g}",
            )
        )
    return number


def with_unit(value: float, unit: str, sign: bool = False) -> str:
    """A value with its unit (already in the current language) as a text says it: ``5 points``,
    ``+40 %`` (``sign``: always signed); Chinese writes no space: ``5个百分点``."""
    number = f"{value:+g}" if sign else f"{value:g}"
    return _("{value} {unit}").format(value=number, unit=unit).strip() if unit else number


def translated(text: str) -> str:
    """``_(text)``, and an empty text as it is (gettext's empty message is the catalog's header)."""
    return _(text) if text else text


@dataclass(frozen=True)
class Bounded:
    """A quantity people set, in a unit and a range: its ``key``, its name and unit in English
    (marked for the catalog; ``label`` and ``unit`` are them in the current language) and the
    allowed range [``minimum``, ``maximum``] in that unit."""

    key: str
    english_label: str
    english_unit: str
    minimum: float
    maximum: float

    @property
    def label(self) -> str:
        return translated(self.english_label)

    @property
    def unit(self) -> str:
        return translated(self.english_unit)


@dataclass(frozen=True)
class Lever(Bounded):
    """How a lever is shown and bounded (``Bounded``), the slider's ``step``, the
    ``sensitivity_step`` of the tornado table and the slider's help in English (``help``: in the
    current language)."""

    step: float
    sensitivity_step: float
    english_help: str

    @property
    def help(self) -> str:
        return translated(self.english_help)

    @property
    def needs_b_side(self) -> bool:
        """True for the levers that act through B-side revenue (take rate and the churn it causes)."""
        return self.key in NEEDS_B_SIDE


LEVERS: tuple[Lever, ...] = (
    Lever(
        "renewal_uplift",
        N_("Renewal uplift"),
        N_("points"),
        -20.0,
        20.0,
        0.5,
        1.0,
        N_("Points added to the share of accounts that renew each quarter (the sBG retention rate of every age)."),
    ),
    Lever(
        "new_account_growth",
        N_("New-account growth"),
        N_("%"),
        -100.0,
        200.0,
        5.0,
        10.0,
        N_("Percent more (or fewer) new accounts per quarter than the mean of the last four quarters."),
    ),
    Lever(
        "expansion",
        N_("Expansion"),
        N_("% per quarter"),
        -10.0,
        10.0,
        0.5,
        1.0,
        N_(
            "Percent more revenue per retained account each quarter, on top of the trend in the data "
            "(B-side and platform revenue alike, so the take rate stays)."
        ),
    ),
    Lever(
        "take_rate_change",
        N_("Take-rate change"),
        N_("points"),
        -10.0,
        10.0,
        0.25,
        0.5,
        N_("Points added to the take rate (platform revenue / B-side revenue) in every projected quarter."),
    ),
    Lever(
        "churn_elasticity",
        N_("Churn elasticity"),
        N_("retention points per take-rate point"),
        0.0,
        5.0,
        0.1,
        0.5,
        N_(
            "Retention points lost per point of take-rate rise (and won per point of cut). 0 keeps churn "
            "independent of the take rate."
        ),
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
    timing : tuple of (lever key, start, ramp)
        The timed levers (see module), whole quarters 1 … ``MAX_QUARTER``; a lever not listed
        starts in quarter 1 at full value. Kept sorted, without the (1, 1) entries and those of
        levers at 0 (which have nothing to time).

    Raises ``ValueError`` for an empty or too long name, a lever outside its range (``LEVERS``)
    or a timing that is not whole quarters from 1 to ``MAX_QUARTER``.
    """

    name: str = BASE_NAME
    renewal_uplift: float = 0.0
    new_account_growth: float = 0.0
    expansion: float = 0.0
    take_rate_change: float = 0.0
    churn_elasticity: float = 0.0
    timing: tuple[tuple[str, int, int], ...] = ()

    def __post_init__(self) -> None:
        name = " ".join(str(self.name).split())  # one space between words, no control characters
        if not name:
            raise ValueError(_("a scenario needs a name: type one, e.g. 'Renewal push'"))
        if len(name) > MAX_NAME:
            raise ValueError(
                _("the scenario name {start}… is {length} characters long; use at most {most}").format(
                    start=repr(name[:20]), length=len(name), most=MAX_NAME
                )
            )
        object.__setattr__(self, "name", name)
        for lever in LEVERS:
            value = within(getattr(self, lever.key), lever, _(" of scenario {name}").format(name=repr(name)))
            object.__setattr__(self, lever.key, value + 0.0)  # -0.0 reads as 0
        timing = _checked_timing(name, self.timing)
        object.__setattr__(self, "timing", tuple(entry for entry in timing if getattr(self, entry[0])))

    @classmethod
    def of(cls, name: str, settings: Mapping[str, float]) -> Scenario:
        """The scenario ``name`` with ``settings`` (lever key → value, and ``<lever>.start`` /
        ``<lever>.ramp`` for timed levers, as ``settings()`` writes and the store keeps);
        ``ValueError`` naming an unknown lever or a value out of range."""
        levers = {key: value for key, value in settings.items() if "." not in key}
        timed = {key: value for key, value in settings.items() if "." in key}
        unknown = sorted(set(levers) - set(BY_KEY)) + sorted(
            key for key in timed if key.partition(".")[0] not in BY_KEY or key.partition(".")[2] not in (START, RAMP)
        )
        if unknown:
            raise ValueError(
                _("scenario {name} has unknown lever(s) {unknown}; the levers are {levers}").format(
                    name=repr(name), unknown=unknown, levers=list(BY_KEY)
                )
            )
        keys = sorted({key.partition(".")[0] for key in timed})
        timing = tuple((key, timed.get(f"{key}.{START}", 1), timed.get(f"{key}.{RAMP}", 1)) for key in keys)
        return cls(name, **levers, timing=timing)

    def levers(self) -> dict[str, float]:
        """Lever key → value, every lever."""
        return {key: getattr(self, key) for key in LEVER_KEYS}

    def settings(self) -> dict[str, float]:
        """What the store keeps: every lever's value, then ``<lever>.start`` and ``<lever>.ramp``
        of the timed ones (``Scenario.of`` reads it back)."""
        timed = {f"{key}.{part}": value for key, *when in self.timing for part, value in zip((START, RAMP), when)}
        return self.levers() | timed

    def when(self, key: str) -> tuple[int, int]:
        """(start, ramp) of a lever, (1, 1) when it is not timed."""
        return next(((start, ramp) for lever, start, ramp in self.timing if lever == key), (1, 1))

    def path(self, key: str, horizon: int) -> np.ndarray:
        """A lever's value in each projected quarter 1 … ``horizon`` (see module): its value times
        0 before the start, then min(1, (h − start + 1) / ramp)."""
        start, ramp = self.when(key)
        h = np.arange(1, horizon + 1)
        return getattr(self, key) * np.clip((h - start + 1) / ramp, 0.0, 1.0)

    def overrides(self) -> dict[str, float]:
        """The levers that differ from the base (from 0)."""
        return {key: value for key, value in self.levers().items() if value != 0}

    def with_levers(self, **levers: float) -> Scenario:
        """A copy with some levers (or the name) changed; validated like a new scenario."""
        return replace(self, **levers)

    def with_timing(self, key: str, start: int, ramp: int) -> Scenario:
        """A copy with lever ``key`` starting in quarter ``start`` and at full value after
        ``ramp`` quarters."""
        others = tuple(entry for entry in self.timing if entry[0] != key)
        return replace(self, timing=(*others, (key, start, ramp)))

    def retention_change(self, horizon: int) -> np.ndarray:
        """Points added to every retention rate in each projected quarter: renewal uplift −
        elasticity × take-rate change, each lever as timed."""
        return self.path("renewal_uplift", horizon) - self.path("churn_elasticity", horizon) * self.path(
            "take_rate_change", horizon
        )


def shown_name(name: str) -> str:
    """A scenario's name as a person reads it: the base's in the current language, any other as typed."""
    return _(BASE_NAME) if name == BASE_NAME else name


def free_name(stem: str, taken: Iterable[str]) -> str:
    """``stem`` (its spaces collapsed, cut to fit), else ``stem (2)``, ``stem (3)`` …: the first
    that no name of ``taken`` is, ignoring case, nor the base's; every one at most ``MAX_NAME``
    characters."""
    stem = " ".join(str(stem).split())
    used = {name.casefold() for name in taken} | {BASE_NAME.casefold(), shown_name(BASE_NAME).casefold()}
    for number in itertools.count(1):
        suffix = f" ({number})" if number > 1 else ""
        name = stem[: MAX_NAME - len(suffix)].rstrip() + suffix
        if name.casefold() not in used:
            return name


def _checked_timing(name: str, timing) -> tuple[tuple[str, int, int], ...]:
    """``timing`` as sorted (lever, start, ramp) triples of whole quarters without the (1, 1)
    ones; ``ValueError`` naming what is wrong."""
    checked = {}
    for entry in timing:
        try:
            key, start, ramp = entry
        except (TypeError, ValueError):
            raise ValueError(
                _("a timing of scenario {name} is {entry}, not (lever, start, ramp)").format(
                    name=repr(name), entry=repr(entry)
                )
            ) from None
        if key not in BY_KEY:
            raise ValueError(
                _("scenario {name} times an unknown lever {key}; the levers are {levers}").format(
                    name=repr(name), key=repr(key), levers=list(BY_KEY)
                )
            )
        for what, value in ((N_("start"), start), (N_("ramp"), ramp)):
            if isinstance(value, bool) or not (float(value).is_integer() and 1 <= value <= MAX_QUARTER):
                raise ValueError(
                    _(
                        "the {what} of {lever} in scenario {name} is {value}; "
                        "choose a whole number of quarters from 1 to {most}"
                    ).format(
                        what=_(what), lever=BY_KEY[key].label, name=repr(name), value=repr(value), most=MAX_QUARTER
                    )
                )
        if (start, ramp) != (1, 1):
            checked[key] = (key, int(start), int(ramp))
    return tuple(sorted(checked.values()))


LEVER_KEYS = tuple(lever.key for lever in LEVERS)
BASE = Scenario()
_PAIR = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>[^;=]+)$")


def to_query(scenario: Scenario) -> str:
    """The scenario as one URL query-parameter value: ``<name>;<lever>=<value>…`` (see module)."""
    pairs = []
    for key, value in scenario.overrides().items():
        start, ramp = scenario.when(key)
        pairs.append(f"{key}={value!r}".removesuffix(".0") + (f":{start}:{ramp}" if (start, ramp) != (1, 1) else ""))
    return ";".join([scenario.name.replace("%", "%25").replace(";", "%3B"), *pairs])


def from_query(text: str) -> Scenario:
    """The scenario written by ``to_query``; ``ValueError`` saying what is wrong otherwise."""
    name, *pairs = str(text).split(";")
    levers, timing = {}, []
    for pair in pairs:
        match = _PAIR.match(pair)
        if not match or match["key"] not in BY_KEY:
            known = ", ".join(BY_KEY)
            raise ValueError(
                _("the link's scenario part {part} is not lever=value with a lever among {known}").format(
                    part=repr(pair), known=known
                )
            )
        if match["key"] in levers:
            raise ValueError(_("the link sets {lever} twice for one scenario").format(lever=BY_KEY[match["key"]].label))
        value, *when = match["value"].split(":")
        try:
            levers[match["key"]] = float(value)
            if when:
                start, ramp = (int(part) for part in when)
                timing.append((match["key"], start, ramp))
        except ValueError:
            raise ValueError(
                _("{lever} in the link is {value}, not a number (or a number:start quarter:ramp quarters)").format(
                    lever=BY_KEY[match["key"]].label, value=repr(match["value"])
                )
            ) from None
    return Scenario(unquote(name), **levers, timing=tuple(timing))
