"""Whether the first quarter's cohort is a true signup cohort, decided from the data.

Accounts already active in the first quarter of the data may have signed up long before it: then
that "cohort" is a backlog of every earlier signup, and its curve is not a signup cohort's. Data
that start at the business's launch have no such backlog, and leaving that cohort out would hide
its first customers. The rule:

    leave the first cohort out  ⇔  first > BACKLOG_RATIO × median(next cohorts) and that median > 0,

where *first* is the number of accounts active in the panel's first quarter and *next cohorts*
the numbers of accounts first active in each of the following ``COMPARED_COHORTS`` quarters of the
panel (0 for a quarter in which none started). On the bundled sample: 416 accounts against a median
of 91 over 2024Q1–2024Q4 (4.6×), left out. Without later quarters, or when nobody started after the
first quarter, the cohort is kept: leaving it out would leave no one to follow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from b2b_core import engine
from b2b_core.amounts import account_count, count
from b2b_core.i18n import _, worded
from b2b_core.quarters import quarter_text

BACKLOG_RATIO = 3.0
COMPARED_COHORTS = 4


@dataclass(frozen=True)
class FirstCohort:
    """The first quarter's cohort and the default choice for it: ``quarter``, ``accounts`` (active
    in it), ``later_median`` (median size of the next cohorts compared, NaN without any),
    ``compared`` (how many), ``leave_out`` (the default) and ``reason`` (a sentence saying why)."""

    quarter: str
    accounts: int
    later_median: float
    compared: int
    leave_out: bool
    reason: str


@worded  # its reason is a sentence
def first_cohort_choice(panel: engine.Source) -> FirstCohort:
    """Whether the cohort views leave out the panel's first-quarter cohort by default (the rule
    of this module), and why. The engine counts the accounts by first active quarter; the panel's
    quarters come from its rows. ValueError for a panel with no rows."""
    table = engine.table(panel)
    ordinal = engine.quarter_ordinal(table.quarter)
    rows = table.select("account_id", "quarter", ordinal=ordinal, active=table.active.fill_null(False))
    present = engine.run(rows.select("quarter", "ordinal").distinct().order_by("ordinal"))
    if present.empty:
        raise ValueError("the panel has no rows: there is no first cohort")
    starts = rows.filter(rows.active).group_by("account_id").aggregate(cohort=rows.ordinal.min(where=rows.active))
    sizes = engine.run(starts.group_by("cohort").aggregate(accounts=starts.count())).set_index("cohort")["accounts"]
    by_quarter = sizes.reindex(present["ordinal"], fill_value=0).to_numpy()
    first, later = int(by_quarter[0]), by_quarter[1 : 1 + COMPARED_COHORTS]
    quarter, median = str(present["quarter"].iloc[0]), float(np.median(later)) if len(later) else math.nan
    who = _("The {quarter} cohort ({accounts})").format(quarter=quarter_text(quarter), accounts=account_count(first))
    if not len(later):
        reason = _("{who} is the only one: the data hold one quarter.").format(who=who)
        return FirstCohort(quarter, first, median, 0, False, reason)
    typical = count(median) if median.is_integer() else f"{median:,.1f}"
    compared = {"who": who, "n": len(later), "typical": typical, "limit": f"{BACKLOG_RATIO:g}"}
    if median == 0:
        reason = _(
            "{who} is kept: nobody started in the next {n} quarters, so there would be no one to follow."
        ).format(**compared)
        return FirstCohort(quarter, first, median, len(later), False, reason)
    ratio = f"{first / median:.1f}"
    if first > BACKLOG_RATIO * median:
        reason = _(
            "{who} is left out: it is {ratio}× the median of the next {n} cohorts ({typical}), more than {limit}×, "
            "so it looks like a backlog of accounts that signed up before the data start, not one quarter's signups."
        ).format(ratio=ratio, **compared)
        return FirstCohort(quarter, first, median, len(later), True, reason)
    reason = _(
        "{who} is kept: it is {ratio}× the median of the next {n} cohorts ({typical}), not more than {limit}×, so "
        "the data look like they start when these accounts signed up."
    ).format(ratio=ratio, **compared)
    return FirstCohort(quarter, first, median, len(later), False, reason)
