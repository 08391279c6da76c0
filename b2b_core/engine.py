"""Where the views are computed: the engine that holds the panel (DESIGN §4, the panel stays in the engine).

A view is computed in two steps: a *reduction*, an Ibis expression over the panel that the
engine runs and that returns a small frame (one row per quarter, per cohort × age …), then the
numerical method on that frame in pandas or numpy. A reduction is written once, with Ibis, and
runs wherever the panel lives: the workspace's DuckDB file (``Workspace.reduce``), or an
in-memory DuckDB for a pandas panel (tests, a selection of accounts).

Public view functions take a ``Source``, either kind, and give the same numbers.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
from ibis.backends.duckdb.converter import DuckDBPandasData

from b2b_core import contract

Source = pd.DataFrame | ir.Table

_ARROW_TYPES = {
    "text": pa.string(),
    "quarter": pa.string(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}
_LOCAL = duckdb.connect()  # the engine of pandas panels; each table gets a connection of its own
_LOCAL_LOCK = threading.Lock()


def connect(con: duckdb.DuckDBPyConnection) -> ibis.BaseBackend:
    """An Ibis backend over an open DuckDB connection (used by one thread at a time)."""
    return ibis.duckdb.from_connection(con)


def table(source: Source) -> ir.Table:
    """``source`` as an Ibis table: an Ibis table as it is; a pandas panel copied into a
    temporary table of a new connection to an in-memory DuckDB (missing numbers become NULL).
    The table lives as long as the returned expression."""
    if isinstance(source, ir.Table):
        return source
    if not isinstance(source, pd.DataFrame):
        raise TypeError(f"a panel is a pandas DataFrame or an Ibis table, not {type(source).__name__}")
    with _LOCAL_LOCK:
        cursor = _LOCAL.cursor()
    return connect(cursor).create_table(f"panel_{uuid.uuid4().hex}", obj=_typed(source), temp=True)


def _typed(panel: pd.DataFrame) -> pa.Table:
    """``panel`` as Arrow, a column holding no value at all (an empty panel's text) typed as the
    contract says (custom metrics as numbers) instead of Arrow's null type, which no table holds."""
    arrow = pa.Table.from_pandas(panel, preserve_index=False)
    for i, field in enumerate(arrow.schema):
        if pa.types.is_null(field.type):
            kind = contract.BY_NAME[field.name].kind if field.name in contract.BY_NAME else "number"
            arrow = arrow.set_column(i, field.name, arrow.column(i).cast(_ARROW_TYPES[kind]))
    return arrow


def custom_metrics(table: ir.Table) -> list[str]:
    """The custom metric columns of a panel table: numeric columns that are not contract columns."""
    return [name for name, kind in table.schema().items() if name not in contract.NAMES and kind.is_numeric()]


def ids(accounts: pd.Index) -> ir.Table:
    """A one-column table ``account_id`` of ``accounts``, to keep a panel's rows of those accounts
    (``rows.semi_join(ids(accounts), "account_id")``)."""
    return ibis.memtable(pd.DataFrame({"account_id": pd.Series(accounts, dtype=object).astype(str)}))


def cached(expr: ir.Table) -> ir.Table:
    """``expr.cache()``: its rows held in a temporary table of its engine, for a reduction that
    reads them several times (release it with ``with`` or ``.release()``). The in-memory tables
    the expression reads (``ids``) go to the engine first, as a query sends them: Ibis's Spark
    backend caches without sending them."""
    expr._find_backend()._run_pre_execute_hooks(expr)
    return expr.cache()


def quarter_ordinal(quarter: ir.StringValue) -> ir.IntegerValue:
    """``2025Q3`` → ``2025 * 4 + 2``, as ``quarters.to_ordinal``: consecutive quarters differ by 1."""
    return quarter.substr(0, 4).cast("int64") * 4 + quarter.substr(5, 1).cast("int64") - 1


def run(expr: ir.Table) -> pd.DataFrame:
    """The rows of a reduction, as pandas (missing numbers NaN), typed as Ibis's ``to_pandas``
    types them. Arrow converts the columns: Ibis's own DuckDB ``execute`` makes every column that
    holds a null into Python objects one value at a time (about a second per million rows), so
    only the columns whose type that changes (nested, dictionary, timestamps with a null, columns
    of nulls only: None, not NaN) take that path here."""
    return _as_pandas(expr, expr.to_pyarrow())


def run_in_parts(expr: ir.Table, rows: int) -> Iterator[pd.DataFrame]:
    """The rows of ``expr`` as ``run`` gives them, in parts of at most ``rows`` rows (one empty part
    when there are none) in the expression's order: for a long result such as a download. The
    engine's result is held whole in Arrow's compact form (a few tens of bytes per row), only one
    part at a time in pandas (several hundred bytes per row)."""
    arrow = expr.to_pyarrow()
    for start in range(0, max(arrow.num_rows, 1), rows):
        yield _as_pandas(expr, arrow.slice(start, rows))


def _as_pandas(expr: ir.Table, arrow: pa.Table) -> pd.DataFrame:
    frame = pd.DataFrame({name: _to_pandas(column) for name, column in zip(arrow.column_names, arrow.columns)})
    return expr.__pandas_result__(DuckDBPandasData.convert_table(frame, expr.schema()))


def _to_pandas(column: pa.ChunkedArray) -> pd.Series | list:
    kind = column.type
    nulls = column.null_count
    if (
        pa.types.is_nested(kind)
        or pa.types.is_dictionary(kind)
        or 0 < nulls == len(column)
        or (nulls and pa.types.is_timestamp(kind))
    ):
        return column.to_pylist()
    return column.to_pandas()
