"""Pandas panels as tables of a Spark engine: the process's local Spark session (``local[2]``,
started on first use and shared by every test of the process) reading a panel written as Parquet,
as a Spark source reads a data lake's files."""

from __future__ import annotations

import functools
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from b2b_core.source import spark
from tests.source_files import write_parquet

MASTER = "local[2]"


# A test panel is a few thousand rows: one partition after a shuffle, and results sent to pandas
# through Arrow, save about a third of each query's time.
_SMALL_DATA = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


@functools.cache
def session():
    """The process's Spark session (a JVM, about 4 s to start the first time), set for small data."""
    started = spark.session(MASTER)
    for key, value in _SMALL_DATA.items():
        started.conf.set(key, value)
    return started


def spark_table(panel: pd.DataFrame, folder: Path) -> ir.Table:
    """``panel`` written to ``folder`` as Parquet and read by Spark, typed as the workspace types
    the live panel: timestamps in microseconds (Spark reads no nanoseconds) and ``contract_end`` a
    date, as the workspace keeps it (Parquet gives Spark a timestamp)."""
    path = write_parquet(panel, Path(folder) / "panel.parquet")
    table = ibis.pyspark.connect(session()).read_parquet(str(path))
    if "contract_end" in table.columns:
        table = table.mutate(contract_end=table.contract_end.cast("date"))
    return table
