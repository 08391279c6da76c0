"""Rows that repeat an account and quarter, in one file (``Validation``) or across files (``combine``).

Found with one SQL query over the rows' key and a hash of their values, answered as a few integer
arrays: a file of millions of rows of one account costs bytes per row, never a list per group.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from b2b_core import contract

_KEYED = "account_id IS NOT NULL AND quarter IS NOT NULL"


@dataclass(frozen=True)
class Repeats:
    """The rows of a table whose account and quarter another row shares, in table order.

    ``position`` is the row's position in the table; ``first`` the position of its group's first
    row; ``copies`` the rows of its group; ``identical`` whether they all hold the same values.
    """

    position: np.ndarray
    first: np.ndarray
    copies: np.ndarray
    identical: np.ndarray

    @property
    def extra_copies(self) -> np.ndarray:
        """Which rows repeat an earlier identical row (each group's first row is kept)."""
        return self.identical & (self.position != self.first)

    def leading(self, groups: np.ndarray, count: int) -> list[np.ndarray]:
        """The first ``count`` positions of the group of each first position in ``groups``."""
        order = np.argsort(self.first, kind="stable")  # by group, each group in table order
        by_group, group_of = self.position[order], self.first[order]
        starts, ends = np.searchsorted(group_of, groups), np.searchsorted(group_of, groups, side="right")
        return [by_group[start : min(start + count, end)] for start, end in zip(starts, ends)]


def find(con: duckdb.DuckDBPyConnection, table: pa.Table, values: list[str]) -> Repeats | None:
    """The rows of ``table`` that share ``account_id`` and ``quarter`` (both not null) with another
    row, comparing ``values`` (column names); None when no key repeats, found with one cheap count."""
    columns = list(dict.fromkeys([*contract.KEY, *values]))
    keyed = table.select(columns).append_column("position", pa.array(np.arange(table.num_rows, dtype=np.int32)))
    con.register("keyed", keyed)
    try:
        distinct = f"SELECT count(*) = count(DISTINCT (account_id, quarter)) FROM keyed WHERE {_KEYED}"
        if con.execute(distinct).fetchall()[0][0]:
            return None
        packed = ", ".join(f'"{name}"' for name in values)
        found = con.execute(f"""
            WITH hashed AS (
                SELECT position, account_id, quarter, hash(struct_pack({packed})) AS variant FROM keyed WHERE {_KEYED}),
            groups AS (
                SELECT account_id, quarter, min(position) AS first, count(*)::INTEGER AS copies,
                       min(variant) = max(variant) AS identical
                FROM hashed GROUP BY account_id, quarter HAVING count(*) > 1)
            SELECT position, first, copies, identical FROM hashed JOIN groups USING (account_id, quarter)""")
        found = found.fetchnumpy()
    finally:
        con.unregister("keyed")
    order = np.argsort(found["position"])  # sorted here: an ORDER BY would hold the whole answer in DuckDB's memory
    return Repeats(*(np.asarray(found.pop(name))[order] for name in ("position", "first", "copies", "identical")))


@dataclass(frozen=True)
class Summed:
    """Rows summed per account and quarter: ``rows`` of the file became ``into`` rows."""

    table: pa.Table
    rows: int
    into: int


def sum_per_account(con: duckdb.DuckDBPyConnection, table: pa.Table, row: str, sums: list[str]) -> Summed:
    """``table`` (row numbers ``row``, the contract columns, custom metrics) with one row per account
    and quarter: the ``sums`` columns summed, ``active`` true when any row is, ``contract_end`` the
    latest date, every other column the latest row's value (the last in file order that has one);
    the row number is the group's first. In table order."""
    con.register("repeated", table)
    try:
        if con.execute("SELECT count(*) = count(DISTINCT (account_id, quarter)) FROM repeated").fetchall()[0][0]:
            return Summed(table, 0, 0)

        def merged(name: str) -> str:
            if name in sums:
                return f'sum("{name}") AS "{name}"'
            if name == "active":
                return 'bool_or("active") AS "active"'
            if name == "contract_end":
                return 'max("contract_end") AS "contract_end"'
            return f'arg_max("{name}", "{row}") AS "{name}"'  # arg_max skips the rows without a value

        empty = {c for c in table.column_names if table.column(c).null_count == table.num_rows}
        keyed = [c for c in table.column_names if c not in (row, *contract.KEY, *empty)]
        counted = con.sql(f"""
            SELECT min("{row}") AS "{row}", account_id, quarter, {", ".join(map(merged, keyed))}, count(*) AS rows
            FROM repeated GROUP BY account_id, quarter""").to_arrow_table()
    finally:
        con.unregister("repeated")
    copies = counted.column("rows").to_numpy()
    for name in empty:  # columns the file leaves empty stay empty, without being aggregated
        counted = counted.append_column(name, pa.nulls(counted.num_rows, table.schema.field(name).type))
    summed = counted.drop_columns(["rows"]).select(table.column_names).cast(table.schema).sort_by(row)
    repeated = copies > 1
    return Summed(summed, int(copies[repeated].sum()), int(repeated.sum()))
