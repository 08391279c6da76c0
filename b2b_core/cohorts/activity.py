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
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from b2b_core import quarters
from b2b_core.contract import NOT_SET

Period = Literal["quarter", "year"]
Observed = Sequence[str] | None  # the quarters the data cover; None: those present in the panel
PERIODS: tuple[Period, ...] = ("quarter", "year")


@dataclass(frozen=True)
class Activity:
    """The panel reduced to what cohort maths needs, one entry per account × period.

    Arrays ``account``, ``period``, ``active`` and ``revenue`` are aligned (one entry per account
    and period in the panel); ``account`` indexes ``account_ids``. Per account (aligned with
    ``account_ids``): ``cohort`` (period ordinal, or -1 if never active), ``last_active`` and
    ``group`` (code into ``group_labels``; all 0 without ``by``).
    """

    period_kind: Period
    account_ids: np.ndarray
    account: np.ndarray
    period: np.ndarray
    active: np.ndarray
    revenue: np.ndarray
    observed: np.ndarray  # sorted period ordinals of the data: the panel's and those passed as observed
    cohort: np.ndarray
    last_active: np.ndarray
    group: np.ndarray
    group_labels: tuple[str, ...]

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
    panel: pd.DataFrame, period: Period = "quarter", by: str | None = None, observed: Observed = None
) -> Activity:
    """Reduce a panel (contract columns ``account_id``, ``quarter``, ``active``,
    ``platform_revenue``) to an ``Activity``.

    ``observed`` lists the quarters the data cover (default: the quarters present in ``panel``).
    Pass the workspace's quarters when ``panel`` is a selection of accounts: a small group whose
    accounts all left before the last quarter has still been observed until then.

    Raises ``ValueError`` for an unknown ``period`` or a ``by`` column the panel does not have.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    if by is not None and by not in panel.columns:
        raise ValueError(f"cannot group by {by!r}: the panel has no such column")
    account, account_ids, ordinals = account_keys(panel)
    active = panel["active"].to_numpy(dtype=bool)
    n_accounts = len(account_ids)
    group, labels = np.zeros(n_accounts, dtype=np.int64), ("All accounts",)
    if by is not None:
        first = first_active_rows(account, ordinals, active)
        codes, group_labels = pd.factorize(_signup_text(panel[by], first), sort=True)
        group[account[first]] = codes
        labels = tuple(str(label) for label in group_labels)

    periods = ordinals if period == "quarter" else ordinals // 4
    revenue = panel["platform_revenue"].to_numpy(dtype=float, na_value=0.0)
    if period == "year":  # one entry per account and year
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
        account_ids=np.asarray(account_ids, dtype=object),
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


def account_keys(panel: pd.DataFrame) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Per row: the account's code (an index into the returned account ids, in order of first
    appearance) and the quarter ordinal."""
    account, account_ids = pd.factorize(panel["account_id"], sort=False)
    return account.astype(np.int64), pd.Index(account_ids), quarters.ordinals_of(panel["quarter"])


def first_active_rows(account: np.ndarray, ordinals: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Positions of each account's first active row (accounts never active have none)."""
    rows = np.flatnonzero(active)
    rows = rows[np.lexsort((ordinals[rows], account[rows]))]
    return rows[np.r_[True, account[rows][1:] != account[rows][:-1]]] if len(rows) else rows


def _signup_text(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """``values`` at ``rows`` as text, empty values as ``NOT_SET``."""
    return values.iloc[rows].astype("string").str.strip().replace("", pd.NA).fillna(NOT_SET).reset_index(drop=True)


def signup_attributes(panel: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per account ever active (index ``account_id``): its ``columns`` as of its first active row,
    empty values as ``NOT_SET``, plus ``cohort`` (the quarter of that row)."""
    account, account_ids, ordinals = account_keys(panel)
    first = first_active_rows(account, ordinals, panel["active"].to_numpy(dtype=bool))
    frame = pd.DataFrame({column: _signup_text(panel[column], first) for column in columns})
    frame.insert(0, "cohort", panel["quarter"].iloc[first].to_numpy())
    return frame.set_axis(pd.Index(account_ids[account[first]], name="account_id"))


def select_accounts(
    panel: pd.DataFrame, selection: dict[str, list[str]] | None = None, leave_out_first_cohort: bool = False
) -> pd.DataFrame:
    """The rows of the accounts whose signup attributes match ``selection`` (column → accepted
    values, ``NOT_SET`` for empty; an empty list or a missing column accepts all).

    ``leave_out_first_cohort`` drops the accounts already active in the panel's first quarter:
    that cohort also holds every account that signed up before the data start, so its curve is
    not a signup cohort's. Accounts never active are kept (they belong to no cohort anyway).
    """
    selection = {c: v for c, v in (selection or {}).items() if v and c in panel.columns}
    if panel.empty or (not selection and not leave_out_first_cohort):
        return panel
    account, account_ids, ordinals = account_keys(panel)
    first = first_active_rows(account, ordinals, panel["active"].to_numpy(dtype=bool))
    matches = np.ones(len(first), dtype=bool)
    for column, accepted in selection.items():
        matches &= _signup_text(panel[column], first).isin(accepted).to_numpy()
    if leave_out_first_cohort:
        matches &= ordinals[first] != ordinals.min()
    keep = np.ones(len(account_ids), dtype=bool)
    keep[account[first]] = matches
    return panel[keep[account]]
