"""What a "commit valid rows only" leaves out: rows, accounts and revenue, account by account.

Counted by DuckDB over the left-out rows; the screen gets the accounts with the most revenue left
out, the whole list is built only for its download (``accounts_left_out``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pandas as pd

from b2b_core.amounts import amount
from b2b_core.i18n import _, ngettext
from b2b_core.ingest.validate import engine

LEFT_OUT_LIST = ["account_id", "rows_left_out", "quarters", "platform_revenue_left_out", "rows_kept"]
LISTED = 20  # accounts ``LeftOut.largest`` holds

_BY_ACCOUNT = """
    WITH out AS (
        SELECT coalesce(account_id, '') AS account_id, count(*) AS rows_left_out,
               string_agg(DISTINCT quarter, ', ' ORDER BY quarter) AS quarters,
               coalesce(sum(platform_revenue), 0) AS platform_revenue_left_out
        FROM dropped GROUP BY ALL),
    counted AS (SELECT account_id, count(*) AS rows_kept FROM kept GROUP BY account_id)
    SELECT out.*, coalesce(rows_kept, 0) AS rows_kept FROM out LEFT JOIN counted USING (account_id)"""


@dataclass(frozen=True)
class LeftOut:
    """``rows`` left out by an error (``unreadable`` of them could not be split into columns, so
    they name no account), of ``accounts`` accounts, ``accounts_gone`` of which keep no row at all;
    ``revenue``: their platform revenue (of the amounts that could be read; currency).
    ``largest``: the ``LISTED`` accounts with the most revenue left out, ``LEFT_OUT_LIST``
    (an empty id reads "")."""

    rows: int
    unreadable: int
    accounts: int
    accounts_gone: int
    revenue: float
    largest: pd.DataFrame

    def sentence(self) -> str:
        """``12 rows of 3 accounts (1 of them entirely), platform revenue 1,234.50``."""
        if not self.rows:
            return _("no row")
        rows = self.rows - self.unreadable
        said = ngettext("{rows:,} row of {accounts}", "{rows:,} rows of {accounts}", rows).format(
            rows=rows, accounts=ngettext("{n:,} account", "{n:,} accounts", self.accounts).format(n=self.accounts)
        )
        if self.accounts_gone:
            said = _("{said} ({gone:,} of them entirely)").format(said=said, gone=self.accounts_gone)
        said = _("{said}, platform revenue {revenue}").format(said=said, revenue=amount(self.revenue))
        if self.unreadable:
            said = _("{said}, and {unreadable:,} rows that could not be read").format(
                said=said, unreadable=self.unreadable
            )
        return said


def left_out(result) -> LeftOut:
    """What committing only the valid rows of ``result`` (an ``IngestResult``) leaves out."""
    with _registered(result) as con:
        accounts, gone, revenue = con.execute(
            f"SELECT count(*), count(*) FILTER (rows_kept = 0), coalesce(sum(platform_revenue_left_out), 0) "
            f"FROM ({_BY_ACCOUNT})"
        ).fetchall()[0]
        largest = con.execute(f"{_BY_ACCOUNT} ORDER BY platform_revenue_left_out DESC, account_id LIMIT {LISTED}")
        largest = largest.fetchdf()
    return LeftOut(
        rows=result.rows_left_out,
        unreadable=max(result.rows_left_out - result.left_out.num_rows, 0),
        accounts=int(accounts),
        accounts_gone=int(gone),
        revenue=float(revenue),
        largest=_typed(largest),
    )


def accounts_left_out(result) -> pd.DataFrame:
    """Every account with a row left out of ``result``, as ``LeftOut.largest`` (for a download)."""
    with _registered(result) as con:
        return _typed(con.execute(f"{_BY_ACCOUNT} ORDER BY platform_revenue_left_out DESC, account_id").fetchdf())


@contextlib.contextmanager
def _registered(result) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the checking engine with the result's rows left out (``dropped``) and its valid
    rows' ids (``kept``) registered."""
    with engine().cursor() as con:
        has_ids = "account_id" in result.rows.column_names  # a file that failed has no columns
        con.register("dropped", result.left_out)
        con.register("kept", (result.rows if has_ids else result.left_out.slice(0, 0)).select(["account_id"]))
        yield con


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({"rows_left_out": "int64", "rows_kept": "int64"})[LEFT_OUT_LIST]
