"""A panel as a data lake or a warehouse holds it, for the tests of the app on a source outside the
workspace: the contract's panel (the reference the views are checked against) and the same rows
under the lake's own Chinese column names, written as Parquet (microsecond timestamps, which Spark
reads) or as a table of a DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from b2b_core import engine, overview, sample
from b2b_core.amounts import change, count, money, share

# lake column → contract column; the quarter's column is a date the header suggestions cannot
# name (given in the mapping, as B2B_SOURCE_MAPPING), the others are suggested by their names
LAKE_COLUMNS = {
    "商户号": "account_id",
    "统计日": "quarter",
    "佣金收入": "platform_revenue",
    "商户营收": "b_side_revenue",
    "商户名称": "account_name",
    "行业": "segment",
    "大区": "region",
    "商户等级": "tier",
    "负责人": "owner",
    "合同金额": "contract_value",
    "合同到期日": "contract_end",
    "订单数": "orders",
}
MAPPING = {"统计日": "quarter"}
MISSING_QUARTER = "2025Q2"  # no row at all: the quarter after it has no comparison


def lake_panel() -> pd.DataFrame:
    """360 accounts over 2024Q1 … 2026Q2 (9 quarters: ``MISSING_QUARTER`` has no row), accounts that
    leave and return (the sample's), one in six reporting no B-side revenue, and rows kept with no
    revenue at all (inactive that quarter); ``active`` as a source without that column defines it
    (platform or B-side revenue > 0)."""
    panel = sample.generate_panel(360, 10, last_quarter="2026Q2", seed=19)
    panel = panel[panel["quarter"] != MISSING_QUARTER].reset_index(drop=True)
    codes = pd.factorize(panel["account_id"])[0]
    panel.loc[codes % 6 == 1, "b_side_revenue"] = np.nan
    idle = (codes % 11 == 3) & panel["quarter"].str.endswith(("Q1", "Q3"))
    panel.loc[idle, ["platform_revenue", "b_side_revenue"]] = [0.0, np.nan]
    panel["active"] = (panel["platform_revenue"] > 0) | (panel["b_side_revenue"].fillna(0) > 0)
    return panel


def as_lake(panel: pd.DataFrame) -> pd.DataFrame:
    """``panel`` as the lake holds it: ``LAKE_COLUMNS``' names, the quarter as the timestamp of
    its first day (with a time of day, as a warehouse's load stamps it), no ``active`` column."""
    lake = pd.DataFrame({name: panel[column] for name, column in LAKE_COLUMNS.items()})
    start = pd.PeriodIndex(panel["quarter"], freq="Q").start_time
    lake["统计日"] = (start + pd.Timedelta(hours=9, microseconds=250)).to_numpy()
    return lake


def write_parquet(lake: pd.DataFrame, path: Path) -> Path:
    """``lake`` as a Parquet file at ``path``, timestamps in microseconds (Spark reads no
    nanoseconds), a column of no value typed (``engine._typed``)."""
    pq.write_table(engine._typed(lake), path, coerce_timestamps="us")
    return path


def write_duckdb(lake: pd.DataFrame, path: Path, table: str = "ops.account_quarters") -> Path:
    """``lake`` as ``table`` (``schema.name``) of the DuckDB file ``path``, replacing what was there."""
    schema, name = table.split(".")
    with duckdb.connect(str(path)) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.register("lake", lake)
        con.execute(f"CREATE OR REPLACE TABLE {schema}.{name} AS SELECT * FROM lake")
    return path


def failing(lake: pd.DataFrame) -> pd.DataFrame:
    """``lake`` breaking three of the contract's checks: its first row given twice (one row per
    account and quarter), a negative commission, and a quarter that reads as none (a NULL date)."""
    bad = pd.concat([lake, lake.iloc[[0]]], ignore_index=True)
    bad.loc[5, "佣金收入"] = -120.0
    bad.loc[7, "统计日"] = pd.NaT
    return bad


def overview_metrics(panel: pd.DataFrame) -> dict[str, tuple[str, str | None]]:
    """The Overview's KPI cards for ``panel``'s latest quarter against the quarter before, as the
    page writes them (no currency set): label → (value, change)."""
    words = {"active_accounts": (count, "count"), "platform_revenue": (money, "relative")}
    words |= {"b_side_revenue": (money, "relative"), "take_rate": (share, "points")}
    words |= {"new_accounts": (count, "count"), "churned_accounts": (count, "count")}
    _, _, headlines = overview.latest_headlines(panel)
    cards = {}
    for headline in headlines:
        if headline.name in words:
            show, kind = words[headline.name]
            moved = headline.relative_change if kind == "relative" else headline.change
            cards[overview.KPI_LABELS[headline.name]] = (show(headline.value), change(moved, kind))
    return cards
