"""Who belongs to which signup cohort, and when each account churned (DESIGN §3).

An account's **cohort** is the first period in which it was active. It **churned** in the first
period after its last active period, if that period is observed (the panel has a later period);
otherwise it is still alive and right-censored at the last observed period. An account that
comes back after a gap is therefore alive through the gap: it churns only after its last
activity. If the upload of the quarter right after its last activity is missing but later
quarters are observed without it, the churn is still dated to that quarter (the account is known
to be gone, and that is the earliest it can have left). Accounts never active belong to no
cohort; ``Activity.never_active`` counts them. The panel holds one row per account and quarter
(the workspace guarantees it).

Periods are calendar quarters by default; ``period="year"`` groups quarters into calendar years
(an account is active in a year if it is active in any quarter of it, its revenue in the year is
the sum of its quarters). Ages count whole periods since the cohort's period: age 0 is the
signup period.

Attributes used to group cohorts (segment, region, tier …) are read from the account's first
active row, so that what happened later (a long-tail account that grew into KA) cannot bias the
survival of a group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from b2b_core import engine, quarters
from b2b_core.contract import NOT_SET

Period = Literal["quarter", "year"]
Observed = Sequence[str] | None  # the quarters the data cover; None: those present in the panel
PERIODS: tuple[Period, ...] = ("quarter", "year")


@dataclass(frozen=True)
class Activity:
    """The panel reduced to what cohort maths needs, one entry per account × period.

    Arrays ``account``, ``period``, ``active`` and ``revenue`` are aligned (one entry per account
    and period in the panel); ``account`` indexes ``account_ids`` (an Arrow array: ten million ids
    held as Python strings would take ten times the memory). Per account (aligned with
    ``account_ids``): ``cohort`` (period ordinal, or -1 if never active), ``last_active`` and
    ``group`` (code into ``group_labels``; all 0 without ``by``).
    """

    period_kind: Period
    account_ids: pa.Array
    account: np.ndarray
    period: np.ndarray
    active: np.ndarray
    revenue: np.ndarray
    observed: np.ndarray  # sorted period ordinals of the data: the panel's and those passed as observed
    cohort: np.ndarray
    last_active: np.ndarray
    group: np.ndarray
    group_labels: tuple[str, ...]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    by: str | None = None

    @property
    def last_observed(self) -> int:
        """Ordinal of the last period of the panel."""
        return int(self.observed[-1])

    @property
    def in_cohort(self) -> np.ndarray:
        """Per account: True if it was ever active."""
        return self.cohort >= 0

    @property
    def never_active(self) -> int:
        """Accounts in the panel that were never active (they belong to no cohort)."""
        return int((~self.in_cohort).sum())

    @property
    def churned(self) -> np.ndarray:
        """Per cohort account: True if a period after its last active one is observed."""
        return self.last_active[self.in_cohort] < self.last_observed

    @property
    def duration(self) -> np.ndarray:
        """Per cohort account, in periods: the churn age (last active age + 1) if it churned,
        else the censoring age (last observed period − cohort)."""
        cohort = self.cohort[self.in_cohort]
        last = self.last_active[self.in_cohort]
        return np.where(last < self.last_observed, last - cohort + 1, self.last_observed - cohort)

    def label(self, ordinal: int) -> str:
        """``2025Q3`` for a quarter ordinal, ``2025`` for a year."""
        return quarters.from_ordinal(int(ordinal)) if self.period_kind == "quarter" else str(int(ordinal))


def activity(
    panel: engine.Source | Activity,
    period: Period = "quarter",
    by: str | None = None,
    observed: Observed = None,
    values: tuple[str, ...] = (),
) -> Activity:
    """Reduce a panel (contract columns ``account_id``, ``quarter``, ``active``,
    ``platform_revenue``) to an ``Activity``. The engine numbers the accounts (in account_id
    order), turns quarters into ordinals and finds each account's signup attribute
    (``activity_rows``); only those few numeric columns come to numpy.

    ``observed`` lists the quarters the data cover (default: the quarters present in ``panel``).
    Pass the workspace's quarters when ``panel`` is a selection of accounts: a small group whose
    accounts all left before the last quarter has still been observed until then.

    ``values``: number columns to carry along, one entry per account and quarter (``period``
    must be ``"quarter"``; a column the panel lacks is all NaN).

    An ``Activity`` passed as ``panel`` is returned as it is, when it was made with the same
    ``period``, ``by`` and ``values`` (and, the caller's word, the same ``observed``): the views of
    one selection can share it instead of each asking the engine again.

    Raises ``ValueError`` for an unknown ``period`` or a ``by`` column the panel does not have.
    """
    if isinstance(panel, Activity):
        if (panel.period_kind, panel.by, tuple(panel.values)) != (period, by, tuple(values)):
            raise ValueError(
                f"this Activity is by {panel.period_kind} and {panel.by!r} with {tuple(panel.values)}, "
                f"not by {period} and {by!r} with {tuple(values)}"
            )
        return panel
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    if values and period != "quarter":
        raise ValueError("values are carried per account and quarter: use period='quarter'")
    table = engine.table(panel)
    if by is not None and by not in table.columns:
        raise ValueError(f"cannot group by {by!r}: the panel has no such column")
    account_ids, rows, signup = activity_rows(table, by, values)
    account, ordinals, active, revenue = rows["account"], rows["ordinal"], rows["active"], rows["revenue"]
    n_accounts = len(account_ids)
    group, labels = np.zeros(n_accounts, dtype=np.int64), ("All accounts",)
    if signup is not None:
        codes, group_labels = pd.factorize(signup["signup"], sort=True)
        group[signup["account"]] = codes
        labels = tuple(str(label) for label in group_labels)

    periods = ordinals if period == "quarter" else ordinals // 4
    if period == "year" and len(periods):  # one entry per account and year
        width = int(periods.max()) + 1
        unique, inverse = np.unique(account * width + periods, return_inverse=True)
        revenue = np.bincount(inverse, weights=revenue, minlength=len(unique))
        active = np.bincount(inverse, weights=active, minlength=len(unique)) > 0
        account, periods = np.divmod(unique, width)

    cohort = np.full(n_accounts, np.iinfo(np.int64).max)
    last_active = np.full(n_accounts, -1, dtype=np.int64)
    np.minimum.at(cohort, account[active], periods[active])
    np.maximum.at(last_active, account[active], periods[active])
    cohort[last_active < 0] = -1
    return Activity(
        period_kind=period,
        account_ids=account_ids,
        account=account,
        period=periods,
        active=active,
        revenue=revenue,
        observed=quarters.distinct_ordinals(
            np.r_[periods, [] if observed is None else observed_periods(observed, period)]
        ),
        cohort=cohort,
        last_active=last_active,
        group=group,
        group_labels=labels,
        values={name: rows[name] for name in values},
        by=by,
    )


def activity_rows(
    panel: ir.Table, by: str | None = None, values: tuple[str, ...] = ()
) -> tuple[pa.Array, dict[str, np.ndarray], pd.DataFrame | None]:
    """What ``activity`` takes from the engine: the account ids in order; per panel row the numpy
    arrays ``account`` (index into those ids), ``ordinal`` (quarter), ``active``, ``revenue``
    (platform revenue, missing as 0) and the number columns ``values`` (missing as NaN); and, with
    ``by``, per account ever active its ``account`` index and ``signup`` text (as ``signup_rows``).
    The rows come as Arrow columns, turned into numpy without a pandas copy."""
    ids = panel.select("account_id").distinct()
    ids = ids.mutate(account=ibis.row_number().over(order_by="account_id"))
    rows = panel.join(ids, "account_id")
    columns = {
        "account": rows.account,
        "ordinal": engine.quarter_ordinal(rows.quarter),
        "active": rows.active.fill_null(False),
        "revenue": rows.platform_revenue.fill_null(0.0),
        **{name: rows[name].cast("float64") if name in panel.columns else ibis.null("float64") for name in values},
    }
    fetched = rows.select(**columns).to_pyarrow()
    arrays = {name: fetched.column(name).to_numpy() for name in columns}
    for name in values:  # NULL → NaN
        arrays[name] = fetched.column(name).to_numpy(zero_copy_only=False).astype(float)
    signup = None
    if by is not None:
        found = signup_rows(panel, [by]).select("account_id", signup=by).join(ids, "account_id")
        signup = engine.run(found.select("account", "signup"))
    account_ids = ids.order_by("account").select("account_id").to_pyarrow().column(0).combine_chunks()
    return account_ids, arrays, signup


def signup_rows(panel: ir.Table, columns: list[str]) -> ir.Table:
    """Per account ever active: ``account_id``, ``cohort`` (the quarter of its first active row)
    and ``columns`` as text on that row (stripped; empty or missing as ``NOT_SET``)."""
    active = panel.filter(panel.active).mutate(ordinal=engine.quarter_ordinal(panel.quarter))
    first = active.filter(active.ordinal == active.ordinal.min().over(group_by="account_id"))
    text = {c: first[c].cast("string").strip().nullif("").fill_null(NOT_SET) for c in columns}
    return first.select("account_id", cohort=first.quarter, **text)


def observed_periods(observed: Sequence[str], period: Period = "quarter") -> np.ndarray:
    """Sorted period ordinals of the quarters ``observed`` (years: the years they fall in)."""
    ordinals = quarters.ordinals_of(observed)
    return np.unique(ordinals if period == "quarter" else ordinals // 4)


def last_year_coverage(observed: Sequence[str]) -> tuple[int, int]:
    """(last calendar year of ``observed`` quarters, how many of its quarters are observed): with
    yearly cohorts, a year seen for fewer than 4 quarters holds less activity and revenue."""
    ordinals = quarters.ordinals_of(observed)
    year = int(ordinals.max() // 4)
    return year, int(np.unique(ordinals[ordinals // 4 == year]).size)


def signup_attributes(panel: engine.Source, columns: list[str]) -> pd.DataFrame:
    """Per account ever active (index ``account_id``, in id order): its ``columns`` as of its first
    active row, empty values as ``NOT_SET``, plus ``cohort`` (the quarter of that row)."""
    rows = signup_rows(engine.table(panel), columns).order_by("account_id")
    return engine.run(rows).set_index("account_id")[["cohort", *columns]]


def signup_values(panel: engine.Source, columns: list[str]) -> dict[str, list[str]]:
    """Per column of ``columns`` the panel has, the distinct values of ``signup_attributes``, sorted."""
    table = engine.table(panel)
    present = [c for c in columns if c in table.columns]
    if not present:
        return {}
    signup = signup_rows(table, present)
    return {c: sorted(engine.run(signup.select(c).distinct())[c]) for c in present}


def select_accounts(
    panel: engine.Source, selection: dict[str, list[str]] | None = None, leave_out_first_cohort: bool = False
) -> ir.Table:
    """The rows of the accounts whose signup attributes match ``selection`` (column → accepted
    values, ``NOT_SET`` for empty; an empty list or a missing column accepts all), as a table of
    the engine.

    ``leave_out_first_cohort`` drops the accounts already active in the panel's first quarter:
    that cohort also holds every account that signed up before the data start, so its curve is
    not a signup cohort's. Accounts never active are kept (they belong to no cohort anyway).
    """
    table = engine.table(panel)
    selection = {c: v for c, v in (selection or {}).items() if v and c in table.columns}
    if not selection and not leave_out_first_cohort:
        return table
    signup = signup_rows(table, list(selection))
    if leave_out_first_cohort:
        signup = signup.cross_join(table.aggregate(first=engine.quarter_ordinal(table.quarter).min()))
    keep = ibis.literal(True)
    for column, accepted in selection.items():
        keep &= signup[column].isin(list(accepted))
    if leave_out_first_cohort:
        keep &= engine.quarter_ordinal(signup.cohort) != signup["first"]
    return table.anti_join(signup.filter(~keep).select("account_id"), "account_id")
