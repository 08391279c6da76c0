"""Plan vs actual: a saved scenario's projection, kept as it was when the scenario was saved,
against the quarters committed since.

A ``KeptProjection`` holds, for each quarter projected at saving (the ``horizon`` quarters after
the data's last quarter then), the point value and the band of active accounts and platform
revenue, and of B-side revenue and take rate when the data had B-side revenue. Once later
quarters are in the data, ``plan_vs_actual`` compares each quarter both planned and observed:

* error = (actual − planned) / planned, a fraction (below 0: fewer than planned; NaN when the
  plan is 0);
* inside = lower ≤ actual ≤ upper, the band kept with the plan (``projection.BAND``);
* per output, the summary: quarters compared, mean absolute error (the mean of |error| over the
  quarters with one), quarters inside the band.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from b2b_core import quarters
from b2b_core.i18n import _
from b2b_core.scenarios.projection import OUTPUTS

REQUIRED = ("active_accounts", "platform_revenue")  # what every kept projection holds
COMPARED = ("planned", "lower", "upper", "actual", "error", "inside")  # per output, in ``plan_vs_actual``
SUMMARY_COLUMNS = ["quarters", "mean_absolute_error", "inside_band"]


def _columns(output: str) -> list[str]:
    return [output, f"{output}_lower", f"{output}_upper"]


@dataclass(frozen=True)
class KeptProjection:
    """A scenario's projection as of its saving.

    ``last_quarter``: the data's last quarter then; ``projection``: indexed by ``quarter``, the
    ``horizon`` quarters after it, with for each output kept its point value and ``_lower`` /
    ``_upper`` band (counts, currency units per quarter, take rate as a fraction), as
    ``project`` gave them; ``saved_at`` (naive UTC) and ``saved_by`` (who saved it), when known.
    ``KeptProjection.of`` and ``from_json`` check it; ValueError says what is wrong."""

    last_quarter: str
    projection: pd.DataFrame
    saved_at: dt.datetime | None = None
    saved_by: str | None = None

    @classmethod
    def of(
        cls,
        projection: pd.DataFrame,
        last_quarter: str,
        saved_at: dt.datetime | None = None,
        saved_by: str | None = None,
    ) -> KeptProjection:
        """Keep a ``project`` frame (with bands) made from data ending in ``last_quarter``: the
        outputs it has a value for in every quarter (B-side revenue and take rate are NaN when
        the data lack B-side revenue, and are then left out)."""
        kept = [o for o in OUTPUTS if set(_columns(o)) <= set(projection.columns) and projection[o].notna().all()]
        frame = projection[[c for o in kept for c in _columns(o)]].astype(float)
        frame.index = pd.Index([str(q) for q in projection.index], name="quarter")
        _check(frame, last_quarter)
        return cls(last_quarter, frame, saved_at, saved_by)

    @property
    def horizon(self) -> int:
        """Quarters projected."""
        return len(self.projection)

    @property
    def outputs(self) -> list[str]:
        """The outputs kept, in ``OUTPUTS`` order."""
        return [o for o in OUTPUTS if o in self.projection.columns]

    def to_json(self) -> str:
        """The projection as a JSON object: quarter → column → number (what the store keeps)."""
        return json.dumps({q: row.to_dict() for q, row in self.projection.iterrows()})

    @classmethod
    def from_json(
        cls, text: str, last_quarter: str, saved_at: dt.datetime | None = None, saved_by: str | None = None
    ) -> KeptProjection:
        """The kept projection whose ``to_json`` is ``text``; ValueError if it is not one."""
        try:
            rows = json.loads(text)
        except (TypeError, ValueError):
            rows = None
        if not isinstance(rows, dict) or not rows or not all(isinstance(r, dict) for r in rows.values()):
            raise ValueError("a kept projection is a JSON object of quarters, each an object of numbers")
        values = [v for row in rows.values() for v in row.values()]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise ValueError("a kept projection holds only numbers")
        frame = pd.DataFrame.from_dict(rows, orient="index").rename_axis("quarter")
        known = [c for o in OUTPUTS for c in _columns(o) if c in frame.columns]
        if len(known) != len(frame.columns) or any(
            (o in frame.columns) != all(c in frame.columns for c in _columns(o)) for o in OUTPUTS
        ):
            raise ValueError(f"a kept projection has each of {', '.join(OUTPUTS)} with its band, or not at all")
        frame = frame[known].astype(float)
        _check(frame, last_quarter)
        return cls(last_quarter, frame, saved_at, saved_by)


def _check(frame: pd.DataFrame, last_quarter: str) -> None:
    """ValueError unless ``frame`` holds finite values of ``REQUIRED`` (at least) for the quarters
    right after ``last_quarter``, one by one."""
    try:
        expected = [quarters.shift(last_quarter, h) for h in range(1, len(frame) + 1)]
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"{last_quarter!r} is not a quarter of the form YYYYQn") from None
    if frame.empty or list(frame.index) != expected:
        raise ValueError(f"a kept projection covers the quarters right after {last_quarter}, one by one")
    missing = [o for o in REQUIRED if o not in frame.columns]
    if missing:
        raise ValueError(f"a kept projection needs {' and '.join(missing)} with their bands")
    if not all(math.isfinite(v) for v in frame.to_numpy().ravel()):
        raise ValueError("a kept projection holds only finite numbers")


@dataclass(frozen=True)
class PlanVsActual:
    """``plan_vs_actual``'s answer.

    ``table``: indexed by ``quarter``, the quarters both planned and observed, in order; per output
    kept, columns ``<output>_planned``, ``_lower``, ``_upper``, ``_actual``, ``_error`` (a
    fraction) and ``_inside`` (bool). ``summary``: indexed by ``output``, ``SUMMARY_COLUMNS``:
    quarters compared, mean absolute error (a fraction), quarters inside the band."""

    table: pd.DataFrame
    summary: pd.DataFrame

    @property
    def compared(self) -> bool:
        """True when at least one planned quarter is observed."""
        return not self.table.empty


def plan_vs_actual(kept: KeptProjection, actual_kpis: pd.DataFrame) -> PlanVsActual:
    """Compare a kept projection with the actual quarters (``overview.quarter_kpis``, indexed by
    quarter) on every output kept, for the quarters both planned and observed (see module)."""
    observed = [q for q in kept.projection.index if q in actual_kpis.index]
    table = pd.DataFrame(index=pd.Index(observed, name="quarter"))
    summary = {}
    for output in kept.outputs:
        planned, lower, upper = (kept.projection.loc[observed, c] for c in _columns(output))
        actual = actual_kpis.loc[observed, output].astype(float)
        table[f"{output}_planned"], table[f"{output}_lower"], table[f"{output}_upper"] = planned, lower, upper
        table[f"{output}_actual"] = actual
        table[f"{output}_error"] = (actual - planned) / planned.where(planned != 0)
        table[f"{output}_inside"] = (actual >= lower) & (actual <= upper)  # False when the actual is unknown
        known = actual.notna()
        summary[output] = {
            "quarters": int(known.sum()),
            "mean_absolute_error": table.loc[known, f"{output}_error"].abs().mean(),
            "inside_band": int(table.loc[known, f"{output}_inside"].sum()),
        }
    frame = pd.DataFrame.from_dict(summary, orient="index", columns=SUMMARY_COLUMNS).rename_axis("output")
    return PlanVsActual(table, frame.astype({"quarters": int, "inside_band": int}))


def waiting_text(kept: KeptProjection) -> str:
    """Why a kept projection has nothing to compare yet, in the current language: ``Saved on
    2026Q3 data: its first planned quarter 2026Q4 is not in the data yet``."""
    return _("Saved on {last} data: its first planned quarter {first} is not in the data yet").format(
        last=quarters.quarter_text(kept.last_quarter), first=quarters.quarter_text(kept.projection.index[0])
    )


def actual_path(kept: Iterable[KeptProjection], actual_kpis: pd.DataFrame, output: str) -> pd.Series:
    """``output`` of ``actual_kpis`` (``overview.quarter_kpis``) from the earliest quarter the
    ``kept`` projections were saved on to the last quarter they planned: what their plans are
    drawn against."""
    kept = list(kept)
    first = min(k.last_quarter for k in kept)
    last = max(k.projection.index[-1] for k in kept)
    return actual_kpis.loc[(actual_kpis.index >= first) & (actual_kpis.index <= last), output].astype(float)
