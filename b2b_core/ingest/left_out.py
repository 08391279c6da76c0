"""What a "commit valid rows only" leaves out: rows, accounts and revenue, account by account."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from b2b_core.ingest.validate import engine

LEFT_OUT_LIST = ["account_id", "rows_left_out", "quarters", "platform_revenue_left_out", "rows_kept"]


@dataclass(frozen=True)
class LeftOut:
    """``rows`` left out by an error (``unreadable`` of them could not be split into columns, so
    they name no account), of ``accounts`` accounts, ``accounts_gone`` of which keep no row at all;
    ``revenue``: their platform revenue (of the amounts that could be read; currency).
    ``accounts_list``: a row per account, ``LEFT_OUT_LIST``, largest revenue first (no id: "")."""

    rows: int
    unreadable: int
    accounts: int
    accounts_gone: int
    revenue: float
    accounts_list: pd.DataFrame

    def sentence(self) -> str:
        """``12 rows of 3 accounts (1 of them entirely), platform revenue 1,234.50``."""
        if not self.rows:
            return "no row"
        gone = f" ({self.accounts_gone:,} of them entirely)" if self.accounts_gone else ""
        unreadable = f", and {self.unreadable:,} rows that could not be read" if self.unreadable else ""
        rows = self.rows - self.unreadable
        plural = "s" if self.accounts != 1 else ""
        accounts = f"{rows:,} row{'s' if rows != 1 else ''} of {self.accounts:,} account{plural}"
        return f"{accounts}{gone}, platform revenue {self.revenue:,.2f}{unreadable}"


def left_out(result) -> LeftOut:
    """What committing only the valid rows of ``result`` (an ``IngestResult``) leaves out, in one
    DuckDB query over its left-out rows and the valid rows' ids."""
    with engine().cursor() as con:
        con.register("dropped", result.left_out)
        has_ids = "account_id" in result.rows.column_names  # a file that failed has no columns
        con.register("kept", (result.rows if has_ids else result.left_out.slice(0, 0)).select(["account_id"]))
        listed = con.execute(
            """WITH out AS (
                   SELECT coalesce(account_id, '') AS account_id, count(*) AS rows_left_out,
                          string_agg(DISTINCT quarter, ', ' ORDER BY quarter) AS quarters,
                          coalesce(sum(platform_revenue), 0) AS platform_revenue_left_out
                   FROM dropped GROUP BY ALL),
               counted AS (SELECT account_id, count(*) AS rows_kept FROM kept GROUP BY account_id)
               SELECT out.*, coalesce(rows_kept, 0) AS rows_kept FROM out LEFT JOIN counted USING (account_id)
               ORDER BY platform_revenue_left_out DESC, account_id"""
        ).fetchdf()
    listed = listed.astype({"rows_left_out": "int64", "rows_kept": "int64"})
    return LeftOut(
        rows=result.rows_left_out,
        unreadable=max(result.rows_left_out - result.left_out.num_rows, 0),
        accounts=len(listed),
        accounts_gone=int((listed["rows_kept"] == 0).sum()),
        revenue=float(listed["platform_revenue_left_out"].sum()),
        accounts_list=listed[LEFT_OUT_LIST],
    )
