"""The app's reductions on Spark local[2] against DuckDB, on one Parquet panel, as ratios in one run.

Run: ``python bench/engines.py [--rows 10000000] [--parquet PATH] [--repeat 2] [--driver-memory 4g]``

Writes a generated panel of about ``--rows`` rows (the sample generator's accounts over 12
quarters, about 4.2 rows per account: 10,000,000 rows are about 2.4 million accounts) to a Parquet
file, part by part (``sample.panel_parts``: a few GB of memory at most, whatever the size), in row
groups of ``ROW_GROUP_ROWS`` rows and timestamps in microseconds (Spark reads no nanoseconds).
``--parquet`` names the file; one that exists is read as it is, whatever its rows.

Then, in one process, both engines read that same file on every query (nothing is loaded or
cached before): DuckDB through an in-memory Ibis DuckDB connection (``read_parquet``, a view over
the file) and Spark through ``ibis.pyspark.connect`` over the process's ``local[2]`` session
(``b2b_core.source.spark.session``), both on the machine's cores. The Spark session's JVM gets
``--driver-memory`` of heap (``SPARK_DRIVER_MEMORY``): with Spark's default, 1 GB, the exact
medians of the quadrant views (Spark's ``percentile``, which holds every value of a group) run out
of memory on 10,000,000 rows. For each view the app asks the
engine (``reductions``, called as its pages call them), one run on each engine (first run), the
two results checked equal (frames to ``RTOL`` relative), then the fastest of ``--repeat`` runs on
each, and their ratio. Also timed: the Spark session's start, and the cost of one query on each
engine (the rows of a 1-row table, and of the panel): what Spark adds to every query, however little
it reads (a view asks the engine several queries).

Goal: the ratios on the record, with Spark's per-query overhead. The app asks each view once per
version of the data and keeps it (``ui.state.reduced``, ``st.cache_data`` keyed on the data
version), so an interaction that comes back to a view asks no engine: only the first visit after
a refresh pays Spark's time.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import accounts, cohorts, engine, lifecycle, overview, quadrants, sample  # noqa: E402
from b2b_core.source import spark as spark_source  # noqa: E402
from bench.cohort_reductions import fastest  # noqa: E402

ROWS = 10_000_000
QUARTERS = 12
PILOT_ACCOUNTS = 20_000  # accounts generated first to learn the rows per account
ROW_GROUP_ROWS = 500_000  # two per generated part: both engines share their work out by row group
RTOL = 1e-9  # the engines' results must agree to this relative tolerance
ATOL = 1e-9  # and this absolute one (currency units, counts, shares): far below a cent
TRIVIAL_REPEAT = 5


def write_panel(path: Path, rows: int) -> None:
    """Write a generated panel of about ``rows`` rows to the Parquet file ``path``, part by part
    (``sample.panel_parts``; written to a side file first, so an interrupted run leaves none)."""
    per_account = len(sample.generate_panel(PILOT_ACCOUNTS, QUARTERS)) / PILOT_ACCOUNTS
    partial = path.with_name(f"{path.name}.partial")
    writer = None
    try:
        for part in sample.panel_parts(max(1, round(rows / per_account)), QUARTERS):
            table = engine._typed(part)
            writer = writer or pq.ParquetWriter(partial, table.schema, coerce_timestamps="us")
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    finally:
        if writer is not None:
            writer.close()
    partial.rename(path)


def reductions(observed: list[str]) -> dict[str, Callable]:
    """View name → the view computed from a panel table, as the app's pages ask it (all accounts;
    the last quarter, and for the migration the one before, of ``observed``)."""
    before, last = observed[-2:] if len(observed) > 1 else (None, observed[-1])
    views = {
        "overview.quarter_kpis": overview.quarter_kpis,
        "overview.revenue_bridge": lambda t: overview.revenue_bridge(t, observed=observed),
        "lifecycle.company_metrics": lifecycle.company_metrics,
        "quadrants.quadrant_summary": lambda t: quadrants.quadrant_summary(t, "median", None),
        "quadrants.quadrant_migration": lambda t: quadrants.quadrant_migration(t, before, last),
        "cohorts.cohort_matrix": lambda t: cohorts.cohort_matrix(t, observed=observed),
        "cohorts.kaplan_meier": lambda t: cohorts.kaplan_meier(t, observed=observed),
        "accounts.account_lists": lambda t: accounts.account_lists(t, last),
    }
    if before is None:  # one quarter: nothing to migrate from
        del views["quadrants.quadrant_migration"]
    return views


def assert_same(expected, found, what: str) -> None:
    """Raise unless ``found`` (Spark's) equals ``expected`` (DuckDB's): frames and arrays to
    ``RTOL`` (and ``ATOL``), dataclasses and dicts field by field, anything else exactly."""
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(found, expected, check_dtype=False, rtol=RTOL, atol=ATOL, obj=what)
    elif isinstance(expected, np.ndarray):
        np.testing.assert_allclose(found, expected, rtol=RTOL, atol=ATOL, err_msg=what)
    elif dataclasses.is_dataclass(expected):
        for field in dataclasses.fields(expected):
            assert_same(getattr(expected, field.name), getattr(found, field.name), f"{what}.{field.name}")
    elif isinstance(expected, dict):
        assert expected.keys() == found.keys(), f"{what}: keys {list(found)} instead of {list(expected)}"
        for key in expected:
            assert_same(expected[key], found[key], f"{what}[{key!r}]")
    else:
        assert found == expected, f"{what}: {found!r} instead of {expected!r}"


def count(table: ibis.Table) -> int:
    """The rows of ``table``, counted by its engine: one query that reads (almost) nothing."""
    return int(engine.run(table.aggregate(rows=table.count()))["rows"].iloc[0])


def timed(step: Callable) -> tuple[float, object]:
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="rows of the generated panel (about)")
    parser.add_argument("--parquet", type=Path, help="the Parquet file (written first if it does not exist)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--driver-memory", default="4g", help="the Spark JVM's heap (Spark's default: 1g)")
    args = parser.parse_args(argv)
    os.environ["SPARK_DRIVER_MEMORY"] = args.driver_memory  # read as the session starts its JVM
    with tempfile.TemporaryDirectory() as folder:
        path = args.parquet or Path(folder) / "panel.parquet"
        if not path.exists():
            took, _ = timed(lambda: write_panel(path, args.rows))
            print(f"wrote {path} in {took:.1f} s")
        rows = pq.ParquetFile(path).metadata.num_rows
        print(f"panel: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB of Parquet")

        duckdb = ibis.duckdb.connect()
        started, spark = timed(lambda: spark_source.session("local[2]"))
        print(
            f"Spark local[2] session: {started:.1f} s to start (0 when the process had one already), "
            f"{spark.sparkContext.getConf().get('spark.driver.memory', '1g')} of heap"
        )
        pyspark = ibis.pyspark.connect(spark)
        tables = {}
        for name, con in (("DuckDB", duckdb), ("Spark", pyspark)):
            took, tables[name] = timed(lambda con=con: con.read_parquet(path))
            print(f"{name} read_parquet (the file's schema): {took:.2f} s")

        query = {}
        for name, con in (("DuckDB", duckdb), ("Spark", pyspark)):
            one = con.create_view("one_row", ibis.memtable({"one": [1]}))
            small = fastest(partial(count, one), TRIVIAL_REPEAT)
            counted = fastest(partial(count, tables[name]), TRIVIAL_REPEAT)  # from the files' footers
            query[name] = min(small, counted)
            print(f"{name} one query: the rows of a 1-row table {small:.3f} s, of the panel {counted:.3f} s")

        observed = sorted(engine.run(tables["DuckDB"].select("quarter").distinct())["quarter"])
        print(
            f"\n{'view':<28} {'DuckDB 1st':>10} {'DuckDB':>8} {'Spark 1st':>10} {'Spark':>8} {'Spark/DuckDB':>12}"
            f"  (fastest of {args.repeat} after the first; seconds)"
        )
        best = {"DuckDB": {}, "Spark": {}}
        for view, reduce in reductions(observed).items():
            first, results = {}, {}
            for name, table in tables.items():
                first[name], results[name] = timed(partial(reduce, table))
            assert_same(results["DuckDB"], results["Spark"], view)
            for name, table in tables.items():
                best[name][view] = fastest(partial(reduce, table), args.repeat)
            duck, spark_s = best["DuckDB"][view], best["Spark"][view]
            print(
                f"{view:<28} {first['DuckDB']:>9.2f}s {duck:>7.2f}s {first['Spark']:>9.2f}s {spark_s:>7.2f}s "
                f"{spark_s / duck:>11.1f}×",
                flush=True,
            )

        duck_total, spark_total = sum(best["DuckDB"].values()), sum(best["Spark"].values())
        ratios = [best["Spark"][v] / best["DuckDB"][v] for v in best["DuckDB"]]
        overhead = query["Spark"] - query["DuckDB"]
        print(
            f"\n{len(ratios)} views on {rows:,} rows, equal on both engines to {RTOL:g}: DuckDB {duck_total:.1f} s, "
            f"Spark local[2] {spark_total:.1f} s, {spark_total / duck_total:.1f}× in all "
            f"({min(ratios):.1f}× to {max(ratios):.1f}× per view); Spark adds {overhead:.2f} s to every query."
        )
        print(
            "The cache that hides it: the app asks each view of the engine once per version of the data "
            "(a refresh of the source is a new version) and keeps the result (ui.state.reduced, "
            "st.cache_data keyed on the data version and the view's arguments, shared by every session). "
            "An interaction that comes back to a view it has seen, or a revisit, asks no engine; "
            "only the first visit to a view after a refresh pays Spark's time."
        )


if __name__ == "__main__":
    main()
