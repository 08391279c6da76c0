"""Who belongs to which signup cohort, and when each account churned (DESIGN §3), asked of the
engine: the per-account facts every cohort view is reduced from.

An account's **cohort** is the first period in which it was active. It **churned** in the first
period after its last active period, if that period is observed (the data cover a later period);
otherwise it is still alive and right-censored at the last observed period. An account that
comes back after a gap is therefore alive through the gap: it churns only after its last
activity. If the upload of the quarter right after its last activity is missing but later
quarters are observed without it, the churn is still dated to that quarter (the account is known
to be gone, and that is the earliest it can have left). Accounts never active belong to no
cohort. The panel holds one row per account and quarter (the workspace guarantees it).

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
from typing import Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine, quarters
from b2b_core.contract import NOT_SET

Period = Literal["quarter", "year"]
Observed = Sequence[str] | None  # the quarters the data cover; None: those present in the panel
PERIODS: tuple[Period, ...] = ("quarter", "year")


ALL_ACCOUNTS = "All accounts"  # the one group when cohorts are not grouped


def period_rows(panel: ir.Table, period: Period = "quarter") -> ir.Table:
    """One row per account and period: ``account_id``, ``period`` (ordinal: quarters as
    ``engine.quarter_ordinal``, years as that // 4), ``active`` (missing as False) and ``revenue``
    (platform revenue, missing as 0; a year sums its quarters and is active if any quarter is)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    ordinal = engine.quarter_ordinal(panel.quarter)
    rows = panel.select(
        "account_id",
        period=ordinal if period == "quarter" else ordinal // 4,
        active=panel.active.fill_null(False),
        revenue=panel.platform_revenue.fill_null(0.0),
    )
    if period == "year":
        rows = rows.group_by("account_id", "period").aggregate(active=rows.active.any(), revenue=rows.revenue.sum())
    return rows


def members(panel: ir.Table, period: Period = "quarter", by: str | None = None) -> ir.Table:
    """Per account of ``panel``: ``cohort`` and ``last_active`` (ordinals of its first and last
    active period; NULL if it was never active), ``initial`` (its revenue in the cohort period)
    and ``group`` (its ``by`` value at signup, see ``signup_rows``; ``ALL_ACCOUNTS`` without
    ``by``). Raises ``ValueError`` for a ``by`` column the panel does not have."""
    rows = period_rows(panel, period)
    found = rows.group_by("account_id").aggregate(
        cohort=rows.period.min(where=rows.active),
        last_active=rows.period.max(where=rows.active),
        initial=rows.revenue.argmin(rows.period, where=rows.active),
    )
    if by is None:
        return found.mutate(group=ibis.literal(ALL_ACCOUNTS))
    if by not in panel.columns:
        raise ValueError(f"cannot group by {by!r}: the panel has no such column")
    signup = signup_rows(panel, [by]).select("account_id", group=by)
    return found.left_join(signup, "account_id").select(found, signup.group)


def observed_ordinals(panel: ir.Table, period: Period = "quarter", observed: Observed = None) -> np.ndarray:
    """Sorted period ordinals the data cover: the panel's periods and those of ``observed``."""
    present = engine.run(panel.select("quarter").distinct())["quarter"]
    return np.union1d(observed_periods(present, period), observed_periods(observed or [], period)).astype(np.int64)


def period_label(period: Period, ordinal: int) -> str:
    """``2025Q3`` for a quarter ordinal, ``2025`` for a year."""
    return quarters.from_ordinal(int(ordinal)) if period == "quarter" else str(int(ordinal))


def signup_rows(panel: ir.Table, columns: list[str]) -> ir.Table:
    """Per account ever active: ``account_id``, ``cohort`` (the quarter of its first active row)
    and ``columns`` as text on that row (stripped; empty or missing as ``NOT_SET``)."""
    active = panel.filter(panel.active)
    ordinal = engine.quarter_ordinal(active.quarter)  # one row per account and quarter: the first is unique
    text = {c: active[c].cast("string").strip().nullif("").fill_null(NOT_SET) for c in columns}
    return active.group_by("account_id").aggregate(
        cohort=active.quarter.argmin(ordinal), **{c: value.argmin(ordinal) for c, value in text.items()}
    )


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
    combinations = engine.run(signup_rows(table, present).select(present).distinct())  # one pass, few rows
    return {c: sorted(combinations[c].unique()) for c in present}


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
    chosen = table
    if leave_out_first_cohort:  # the first quarter's cohort: the accounts active in it ("YYYYQn" sorts in time)
        first = table.filter((table.quarter == table.quarter.min()) & table.active)
        chosen = chosen.anti_join(first.select("account_id"), "account_id")
    if selection:
        signup = signup_rows(table, list(selection))
        keep = ibis.literal(True)
        for column, accepted in selection.items():
            keep &= signup[column].isin(list(accepted))
        chosen = chosen.anti_join(signup.filter(~keep).select("account_id"), "account_id")
    return chosen
