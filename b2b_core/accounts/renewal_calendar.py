"""The renewal calendar of a quarter q: the contracts that end in the two quarters after it.

A contract is read from the account's row in q: its ``contract_end`` (a date) and its
``contract_value`` (contracted annual value, currency units). It is on the calendar when that
end falls in q+1 or q+2, from q+1's first day to q+2's last. The calendar groups them by the
quarter and month of their end, with the number of contracts, their value and the accounts'
platform revenue in q (currency units per quarter), and a total. The engine groups and ranks; only
the months and the shown contracts reach pandas.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from b2b_core import engine, quarters
from b2b_core.accounts.lists import ATTRIBUTES, quarter_start
from b2b_core.i18n import N_, _

QUARTERS_AHEAD = 2  # quarters after q the calendar covers
SHOWN = 200  # contracts shown on screen; the rest are a download
TOTAL = N_("Total")  # the last row of the months, in the run's language
CONTRACT_COLUMNS = ("account_id", *ATTRIBUTES, "contract_end", "end_quarter", "contract_value", "platform_revenue")


@dataclass(frozen=True)
class RenewalCalendar:
    """``months``: one row per (``end_quarter``, ``end_month`` "YYYY-MM") with ``contracts``,
    ``contract_value`` and ``platform_revenue``, in time order, then a ``TOTAL`` row;
    ``contracts``: the first ``shown`` contracts, largest value first (``CONTRACT_COLUMNS`` the
    panel has); ``total``: the contracts on the calendar; ``has_contract_end``: whether the rows
    of q hold any contract end at all (without one the calendar is empty for want of data, not of
    renewals); ``quarters``: the quarters covered."""

    months: pd.DataFrame
    contracts: pd.DataFrame
    total: int
    has_contract_end: bool
    quarters: tuple[str, ...]


def _ending(table: ir.Table, quarter: str, accounts: pd.Index | None) -> ir.Table:
    q = quarters.to_ordinal(quarter)
    rows = table.filter(table.quarter == quarter)
    if accounts is not None:
        rows = rows.semi_join(engine.ids(accounts), "account_id")
    end = rows.contract_end.cast("date")
    value = rows.contract_value.cast("float64") if "contract_value" in rows.columns else ibis.null("float64")
    rows = rows.mutate(contract_end=end, contract_value=value)
    rows = rows.filter((end >= quarter_start(q + 1)) & (end < quarter_start(q + 1 + QUARTERS_AHEAD)))
    year, month = rows.contract_end.year(), rows.contract_end.month()
    return rows.select(
        "account_id",
        *[rows[c].cast("string").name(c) for c in ATTRIBUTES if c in rows.columns],
        "contract_end",
        end_quarter=year.cast("string") + "Q" + ((month - 1) // 3 + 1).cast("string"),
        end_month=rows.contract_end.strftime("%Y-%m"),
        contract_value=rows.contract_value,
        platform_revenue=rows.platform_revenue,
    )


def renewal_calendar(
    panel: engine.Source, quarter: str, accounts: pd.Index | None = None, shown: int = SHOWN
) -> RenewalCalendar:
    """The renewal calendar of ``quarter`` for all accounts or only ``accounts`` (ids)."""
    table = engine.table(panel)
    covered = tuple(quarters.shift(quarter, i) for i in range(1, QUARTERS_AHEAD + 1))
    empty = pd.DataFrame(columns=["end_quarter", "end_month", "contracts", "contract_value", "platform_revenue"])
    rows = table.filter(table.quarter == quarter)
    has_end = "contract_end" in table.columns and bool(
        engine.run(rows.aggregate(n=rows.contract_end.count())).iloc[0]["n"]
    )
    if not has_end:
        return RenewalCalendar(empty, pd.DataFrame(columns=list(CONTRACT_COLUMNS)), 0, False, covered)
    ending = _ending(table, quarter, accounts)
    months = engine.run(
        ending.group_by(["end_quarter", "end_month"])
        .agg(
            contracts=ending.count(),
            contract_value=ending.contract_value.sum(),
            platform_revenue=ending.platform_revenue.sum(),
        )
        .order_by("end_month")
    )
    months = months.astype({"contracts": "int64", "contract_value": float, "platform_revenue": float})
    total = int(months["contracts"].sum())
    totals = pd.DataFrame(
        [[_(TOTAL), "", total, months["contract_value"].sum(), months["platform_revenue"].sum()]],
        columns=months.columns,
    )
    contracts = _as_contracts(engine.run(_largest_first(ending).limit(shown)))
    return RenewalCalendar(pd.concat([months, totals], ignore_index=True), contracts, total, True, covered)


def renewals_in_parts(
    panel: engine.Source, quarter: str, accounts: pd.Index | None = None, *, limit: int, part_rows: int = 100_000
) -> Iterator[pd.DataFrame]:
    """Every contract of the calendar (at most ``limit``, the largest value first), in parts of
    ``part_rows`` rows; read the parts where the engine is open. Nothing without a contract end."""
    table = engine.table(panel)
    if "contract_end" not in table.columns:
        return iter([pd.DataFrame(columns=list(CONTRACT_COLUMNS))])
    ordered = _largest_first(_ending(table, quarter, accounts)).limit(limit)
    return (_as_contracts(part) for part in engine.run_in_parts(ordered, part_rows))


def _largest_first(ending: ir.Table) -> ir.Table:
    return ending.order_by([ibis.desc(ending.contract_value.fill_null(0)), "contract_end", "account_id"])


def _as_contracts(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns="end_month")
    frame["contract_end"] = pd.to_datetime(frame["contract_end"]).dt.date
    return frame.reset_index(drop=True)
