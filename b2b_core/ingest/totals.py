"""Totals rows in an account export: a row that sums the others is no account.

A row is a totals row when its account id, account name or quarter cell reads "Total" (in any
case, ``Grand total``, ``Subtotal``, ``合计``, ``总计``, ``小计``, with a trailing colon or spaces), or
when it is the first or last row of its quarter or of the whole file, with at least three others,
and its amounts equal their sums: every amount column (platform and B-side revenue, custom metrics)
matches within a cent, and at least ``_COMPARED`` columns were compared (with one column, or in the
middle of the rows, a row that happens to equal the others' sum is too common to be a total).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

TOTAL_WORDS = r"(?i)^\s*(grand\s*total|sub\s*-?\s*total|totals?|合计|總計|总计|合計|小计|小計)\s*[:：]?\s*$"
_COMPARED = 2  # amount columns that must match a sum
_CENT = 0.01  # how far a total may be from the sum it shows (rounded to cents)


def by_words(column: pa.ChunkedArray) -> np.ndarray:
    """Per cell of a text column: it reads as the label of a totals row."""
    return pc.fill_null(pc.match_substring_regex(column.cast(pa.string()), TOTAL_WORDS), False).to_numpy(
        zero_copy_only=False
    )


def by_sums(con: duckdb.DuckDBPyConnection, table: pa.Table, amounts: list[str], candidates: np.ndarray) -> np.ndarray:
    """Per row of ``table`` (with ``quarter`` and the ``amounts`` columns): among the ``candidates``,
    its amounts equal the sums of the other candidates of its quarter, or of the whole file."""
    found = np.zeros(table.num_rows, dtype=bool)
    if len(amounts) < _COMPARED or candidates.sum() < 4:
        return found
    rows = table.select(["quarter", *amounts]).append_column(
        "position", pa.array(np.arange(table.num_rows, dtype=np.int64))
    )
    con.register("amounts", rows.filter(pa.array(candidates)))
    try:

        def matches(scope: str) -> str:
            """Every amount with a value is half the sum of its ``scope`` (itself and the others)."""
            each = [
                f'(abs(2 * "{a}" - sum("{a}") OVER ({scope})) <= {_CENT} '
                f'OR ("{a}" IS NULL AND sum("{a}") OVER ({scope}) IS NULL))'
                for a in amounts
            ]
            some_amount = " OR ".join(f'"{a}" <> 0' for a in amounts)
            edge = f"position IN (min(position) OVER ({scope}), max(position) OVER ({scope}))"
            return f"(count(*) OVER ({scope}) >= 4 AND {edge} AND ({some_amount}) AND {' AND '.join(each)})"

        positions = con.execute(
            f"SELECT position FROM amounts QUALIFY {matches('PARTITION BY quarter')} OR {matches('')}"
        ).fetchnumpy()["position"]
    finally:
        con.unregister("amounts")
    found[np.asarray(positions, dtype=np.int64)] = True
    return found
