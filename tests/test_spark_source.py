"""A Spark source end to end: Parquet files read by a local Spark session (and by a Spark Connect
client of a server on this machine), mapped to the contract, checked in Spark, the views' numbers
equal to DuckDB's on the same panel, and Spark's failures as messages."""

from __future__ import annotations

import io
import subprocess
import sys
import time

import pandas as pd
import pytest

from b2b_core import lifecycle, overview, sample
from b2b_core.source import ExternalSource, SourceConfig, SourceError, SourceFailsChecks
from tests.browser import ROOT, free_port
from tests.source_files import write_parquet

pytestmark = pytest.mark.spark
CHINESE = {"account_id": "商户ID", "quarter": "季度", "platform_revenue": "平台收入"}


def _parquet(frame: pd.DataFrame, path) -> str:
    return str(write_parquet(frame, path))


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """Accounts that leave and come back, no B-side revenue in one quarter."""
    frame = sample.generate_panel(300, 8, seed=21)
    odd = frame["account_id"].str[-1].isin(list("13579")) & frame["quarter"].isin(["2025Q2", "2025Q4"])
    frame.loc[odd, ["platform_revenue", "b_side_revenue"]] = 0.0
    frame.loc[frame["quarter"] == "2025Q3", "b_side_revenue"] = float("nan")
    return frame.drop(columns="active").assign(
        active=(frame["platform_revenue"] > 0) | (frame["b_side_revenue"].fillna(0) > 0)
    )


@pytest.fixture(scope="module")
def opened(panel, tmp_path_factory) -> ExternalSource:
    """The panel under Chinese headers with quarters written 2025-Q3, read by local Spark."""
    written = panel.drop(columns="active").rename(columns=CHINESE)
    written["季度"] = written["季度"].str.replace("Q", "-Q")
    path = _parquet(written, tmp_path_factory.mktemp("lake") / "accounts.parquet")
    return ExternalSource(SourceConfig("local[2]", parquet=path))


def test_a_spark_source_is_mapped_checked_and_gives_duckdbs_numbers(panel, opened):
    assert opened.quarters() == sorted(panel["quarter"].unique())
    assert opened.report.ok and opened.report.rows == len(panel)
    mapping = opened.report.mapping.set_index("source")["target"]
    assert mapping[["商户ID", "季度", "平台收入"]].tolist() == ["account_id", "quarter", "platform_revenue"]
    pd.testing.assert_frame_equal(opened.reduce(overview.quarter_kpis), overview.quarter_kpis(panel), rtol=1e-9)
    pd.testing.assert_frame_equal(opened.reduce(lifecycle.company_metrics), lifecycle.company_metrics(panel), rtol=1e-9)


def test_a_spark_source_failing_the_checks_is_refused_with_counts_from_spark(panel, tmp_path):
    messy = panel.drop(columns="active").head(40).copy()
    messy.loc[3, "quarter"] = "someday"
    messy.loc[5, "platform_revenue"] = -12.0
    messy = pd.concat([messy, messy.iloc[[0, 1]]])
    with pytest.raises(SourceFailsChecks) as refused:
        ExternalSource(SourceConfig("local[2]", parquet=_parquet(messy, tmp_path / "messy.parquet")))
    found = refused.value.report.problems.set_index("check")["bad rows"].to_dict()
    assert found == {"quarter not readable": 1, "platform_revenue negative": 1, "one row per account and quarter": 4}


def test_a_missing_parquet_path_is_a_message(tmp_path):
    with pytest.raises(SourceError, match="has no such table or path"):
        ExternalSource(SourceConfig("local[2]", parquet=str(tmp_path / "nowhere" / "*.parquet")))


def test_a_spark_query_past_its_time_is_cancelled_and_said(panel, opened):
    slow = SourceConfig(opened.config.connection, parquet=opened.config.parquet, timeout_seconds=0.2)
    hurried = ExternalSource.__new__(ExternalSource)
    hurried.__dict__.update(opened.__dict__, config=slow)

    def cross_join(table):  # every row against every other, twice: billions of pairs, minutes on Spark
        amounts = table.select(x="platform_revenue")
        pairs = amounts.cross_join(amounts.view().rename(y="x")).cross_join(amounts.view().rename(z="x"))
        return pairs.aggregate(n=pairs.count()).to_pyarrow()

    started = time.monotonic()
    with pytest.raises(SourceError, match="took longer than 0.2 s to answer, so the query was cancelled"):
        hurried.reduce(cross_join)
    assert time.monotonic() - started < 5
    assert opened.reduce(lambda table: table.count().to_pyarrow().as_py()) == len(panel)


def test_a_spark_connect_client_reads_the_same_source(panel, opened, tmp_path):
    """``sc://host:port``: a Spark Connect server on this machine (a second JVM) and the app's
    client in a process of its own (a process holds a local session or a Connect one, not both)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", _CONNECT_SERVER, str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert server.stdout.readline().strip() == "ready"
        client = subprocess.run(
            [sys.executable, "-c", _CONNECT_CLIENT, f"sc://127.0.0.1:{port}", opened.config.parquet],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )
    finally:
        server.kill()
        server.wait()
    assert client.returncode == 0, client.stderr[-2000:]
    name, kpis = client.stdout.strip().split("\n", 1)
    assert name == f"Spark Connect 127.0.0.1:{port} · Parquet {opened.config.parquet}"
    found = pd.read_json(io.StringIO(kpis), orient="split", convert_axes=False, convert_dates=False).rename_axis(
        "quarter"
    )
    pd.testing.assert_frame_equal(found, overview.quarter_kpis(panel), rtol=1e-9, check_dtype=False)


_CONNECT_SERVER = """
import sys, time
from pyspark.sql import SparkSession
SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").config(
    "spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin"
).config("spark.connect.grpc.binding.port", sys.argv[1]).getOrCreate()
print("ready", flush=True)
time.sleep(600)
"""
_CONNECT_CLIENT = """
import sys
from b2b_core import overview
from b2b_core.source import ExternalSource, SourceConfig
remote = ExternalSource(SourceConfig(sys.argv[1], parquet=sys.argv[2]))
print(remote.name)
print(remote.reduce(overview.quarter_kpis).to_json(orient="split", double_precision=15))
"""
