"""Totals rows in an account export: a row that sums the others is no account.

A row is a totals row when its account id, account name or quarter cell reads "Total" (in any
case, ``Grand total``, ``Subtotal``, ``合计``, ``总计``, ``小计``, with a trailing colon or spaces), or
when it is the first or last row of its quarter or of the whole file, with at least three others,
and its amounts equal their sums: every amount column (platform and B-side revenue, custom metrics)
matches within a cent, and at least ``_COMPARED`` columns were compared (with one column, or in the
middle of the rows, a row that happens to equal the others' sum is too common to be a total).
Only the first and last rows of each quarter are compared, with sums computed in numpy.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

TOTAL_WORDS = r"(?i)^\s*(grand\s*total|sub\s*-?\s*total|totals?|合计|總計|总计|合計|小计|小計)\s*[:：]?\s*$"
_COMPARED = 2  # amount columns that must match a sum
_CENT = 0.01  # how far a total may be from the sum it shows (rounded to cents)
_OTHERS = 3  # rows a total must sum


def by_words(column: pa.ChunkedArray) -> np.ndarray:
    """Per cell of a text column: it reads as the label of a totals row."""
    return pc.fill_null(pc.match_substring_regex(column.cast(pa.string()), TOTAL_WORDS), False).to_numpy(
        zero_copy_only=False
    )


def by_sums(table: pa.Table, amounts: list[str], candidates: np.ndarray) -> np.ndarray:
    """Per row of ``table`` (with ``quarter`` and the ``amounts`` columns): among the ``candidates``,
    it is the first or last of its quarter or of them all, and its amounts equal the sums of the
    other candidates there (an empty amount counts 0)."""
    found = np.zeros(table.num_rows, dtype=bool)
    positions = np.flatnonzero(candidates)
    if len(amounts) < _COMPARED or len(positions) <= _OTHERS:
        return found
    chosen = table.select(["quarter", *amounts])
    if len(positions) < table.num_rows:
        chosen = chosen.take(pa.array(positions))
    values = np.column_stack(
        [np.nan_to_num(chosen.column(a).to_numpy().astype(float), nan=0.0) for a in amounts]
    )  # candidates × amounts
    quarter = chosen.column("quarter").combine_chunks().dictionary_encode()
    groups = pc.fill_null(quarter.indices, -1).to_numpy(zero_copy_only=False) + 1  # 0: no quarter
    scopes = [np.zeros(len(positions), dtype=np.int64), groups]  # the whole file, then each quarter
    for scope in scopes:
        sizes = np.bincount(scope)
        sums = np.column_stack([np.bincount(scope, weights=values[:, k]) for k in range(len(amounts))])
        order = np.arange(len(scope))
        first, last = np.full(len(sizes), len(scope)), np.full(len(sizes), -1)
        np.minimum.at(first, scope, order)
        np.maximum.at(last, scope, order)
        edges = np.unique(np.concatenate([first[sizes > _OTHERS], last[sizes > _OTHERS]]))
        row, total = values[edges], sums[scope[edges]]
        with np.errstate(over="ignore", invalid="ignore"):  # amounts near the largest double: no total
            equal = np.all(np.abs(2 * row - total) <= _CENT, axis=1) & np.any(row != 0, axis=1)
        found[positions[edges[equal]]] = True
    return found
