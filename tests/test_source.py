"""A source outside the workspace (``b2b_core.source``): its settings, the mapping of its columns
to the contract, the contract's checks run in its engine, and every failure as a message without
credentials. The engine here is DuckDB (an Ibis connection to a file); Spark is in
``tests/test_spark_source.py``."""

from __future__ import annotations

import threading
import time

import duckdb
import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from b2b_core import contract, engine, overview, sample
from b2b_core.source import (
    ExternalSource,
    SourceConfig,
    SourceError,
    SourceFailsChecks,
    from_env,
    from_settings,
    mapped,
    redact,
)
from b2b_core.source.connect import explain

PASSWORD = "S3cret-pw"


def _duckdb_source(tmp_path, frame: pd.DataFrame, **settings) -> SourceConfig:
    """A DuckDB file holding ``frame`` as table ``ops.accounts``, and the settings reading it."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS ops")
        con.register("frame", frame)
        con.execute("CREATE OR REPLACE TABLE ops.accounts AS SELECT * FROM frame")
    return from_settings({"connection": f"duckdb://{path}", "table": "ops.accounts", **settings})


def _raw(frame: pd.DataFrame):
    return ibis.memtable(frame)


# --- settings -------------------------------------------------------------------------------


def test_the_settings_read_a_spark_source_with_its_mapping_and_limits():
    config = from_settings(
        {
            "connection": "local[2]",
            "parquet": "/lake/accounts/*.parquet",
            "mapping": {"商户号": "account_id", "notes": "ignore"},
            "timeout_seconds": 30,
            "refresh_minutes": 5,
        }
    )
    assert config.is_spark and config.engine == "Spark"
    assert config.name == "Spark (local[2]) · Parquet /lake/accounts/*.parquet"
    assert config.mapping == {"商户号": "account_id", "notes": "ignore"}
    assert (config.timeout_seconds, config.refresh_minutes) == (30.0, 5.0)


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"table": "t"}, "needs a connection"),
        ({"connection": "local[2]"}, "not neither"),
        ({"connection": "local[2]", "table": "t", "parquet": "p"}, "not both"),
        ({"connection": "local[2]", "table": "t", "mapping": {"id": "merchant"}}, '"id" to "merchant"'),
        ({"connection": "local[2]", "table": "t", "timeout_seconds": "soon"}, "timeout_seconds = 'soon'"),
        ({"connection": "local[2]", "table": "t", "refresh_minutes": 0}, "refresh_minutes = 0"),
        ({"connection": "local[2]", "table": "t", "user": "x"}, "does not know: user"),
    ],
)
def test_wrong_settings_say_which_setting_and_how_to_write_it(settings, words):
    with pytest.raises(SourceError, match=words.replace("[", r"\[").replace("(", r"\(")):
        from_settings(settings)


def test_the_environment_names_a_source_for_scripts():
    assert from_env({}) is None
    config = from_env(
        {
            "B2B_SOURCE": "sc://spark.example.com:15002",
            "B2B_SOURCE_TABLE": "ops.accounts",
            "B2B_SOURCE_MAPPING": '{"mid": "account_id"}',
            "B2B_SOURCE_TIMEOUT": "12.5",
        }
    )
    assert config.is_spark and config.table == "ops.accounts" and config.timeout_seconds == 12.5
    assert config.name == "Spark Connect spark.example.com:15002 · table ops.accounts"
    with pytest.raises(SourceError, match="B2B_SOURCE_MAPPING is not JSON"):
        from_env({"B2B_SOURCE": "local[2]", "B2B_SOURCE_TABLE": "t", "B2B_SOURCE_MAPPING": "{mid: id}"})


def test_credentials_never_appear_in_the_name_or_in_messages():
    connection = f"postgres://ops:{PASSWORD}@db.example.com:5432/analytics?sslmode=require&password={PASSWORD}"
    config = from_settings({"connection": connection, "table": "ops.accounts"})
    assert config.name == "postgres db.example.com:5432/analytics · table ops.accounts"
    said = redact(f"could not connect to {connection}: password authentication failed for {PASSWORD}", config)
    assert PASSWORD not in said and "ops:" not in said and "db.example.com" in said
    assert redact("snowflake://me:pw@acct/db?token=abc123") == "snowflake://***@acct/db?token=***"
    refused = explain(ConnectionError(f"Connection refused: {connection}"), config, "could not be opened")
    assert PASSWORD not in str(refused) and "cannot be reached" in str(refused)


@pytest.mark.parametrize(
    "error, words",
    [
        (ConnectionError("[Errno 111] Connection refused"), "cannot be reached"),
        (RuntimeError("StatusCode.UNAVAILABLE: failed to connect to all addresses"), "cannot be reached"),
        (PermissionError(13, "Permission denied", "/lake/a.parquet"), "refused access"),
        (RuntimeError("ERROR: permission denied for table accounts"), "refused access"),
        (RuntimeError("[TABLE_OR_VIEW_NOT_FOUND] The table or view `ops`.`acounts` cannot be found."), "no such table"),
        (RuntimeError("[PATH_NOT_FOUND] Path does not exist: file:/lake/x.parquet."), "no such table"),
        (ValueError("something else entirely"), "could not be opened: something else entirely"),
    ],
)
def test_an_engine_failure_is_said_in_the_users_words(error, words):
    config = SourceConfig("local[2]", parquet="/lake/a.parquet")
    message = str(explain(error, config, "could not be opened"))
    assert words in message and message.startswith("The source Spark (local[2]) · Parquet /lake/a.parquet ")


# --- the mapping to the contract --------------------------------------------------------------


def _mapped(frame: pd.DataFrame, mapping: dict | None = None) -> pd.DataFrame:
    raw = _raw(frame)
    return engine.run(mapped.contract_table(raw, mapped.plan(raw, mapping or {})))


def test_quarters_written_in_any_accepted_form_or_as_dates_become_yyyyqn():
    written = ["2025Q3", " 2025-q3 ", "2025 Q3", "Q3 2025", "q3-2025", "2025年第3季度", "2025年Q3", "2025_Q3"]
    unreadable = ["2025-3", "Q5 2025", "1850Q1", "FY25 Q3", "", None]
    frame = pd.DataFrame(
        {"account_id": [str(i) for i in range(len(written) + len(unreadable))], "quarter": written + unreadable}
    ).assign(platform_revenue=1.0)
    quarters = _mapped(frame)["quarter"].tolist()
    assert quarters[: len(written)] == ["2025Q3"] * len(written)
    assert quarters[len(written) :] == [None] * len(unreadable)
    dates = pd.DataFrame(
        {"id": ["a", "b", "c"], "day": pd.to_datetime(["2025-07-01", "2025-09-30", "2026-01-01"]).date}
    ).assign(revenue=1.0)
    assert _mapped(dates, {"id": "account_id", "day": "quarter", "revenue": "platform_revenue"})[
        "quarter"
    ].tolist() == [
        "2025Q3",
        "2025Q3",
        "2026Q1",
    ]


def test_columns_are_mapped_like_an_uploads_and_converted_in_the_engine():
    frame = pd.DataFrame(
        {
            "商户ID": [" m1 ", "m2", "m3"],
            "季度": ["2025Q1", "2025Q1", "2025Q1"],
            "平台收入": ["12.5", "0", "7"],  # numbers stored as text
            "gmv": [100.0, None, float("nan")],
            "status": ["yes", "否", None],
            "segment": ["Retail", "  ", None],
            "visits": [3, 4, 5],  # a numeric column outside the contract: a custom metric
            "comment": ["x", "y", "z"],  # text outside the contract: left out
        }
    )
    table = _mapped(frame, {"gmv": "b_side_revenue", "status": "active"})
    assert table.columns.tolist()[:12] == list(contract.NAMES) and "visits" in table.columns
    assert "comment" not in table.columns
    assert table["account_id"].tolist() == ["m1", "m2", "m3"]
    assert table["platform_revenue"].tolist() == [12.5, 0.0, 7.0]
    assert table["segment"].tolist() == ["Retail", None, None]
    assert table["b_side_revenue"].isna().tolist() == [False, True, True]
    # active: the column's word where it has one, else the workspace's default (revenue > 0)
    assert table["active"].tolist() == [True, False, True]
    assert table["visits"].tolist() == [3.0, 4.0, 5.0]
    assert table["region"].isna().all() and table["contract_end"].isna().all()


def test_a_mapped_source_gives_the_numbers_of_the_same_panel_in_the_workspace():
    panel = sample.generate_panel(120, 6, seed=3)
    renamed = panel.rename(columns={"account_id": "merchant_no", "quarter": "stat_quarter"})
    renamed["stat_quarter"] = renamed["stat_quarter"].str.replace("Q", " Q")
    raw = _raw(engine._typed(renamed.drop(columns="active")))
    table = mapped.contract_table(raw, mapped.plan(raw, {"merchant_no": "account_id", "stat_quarter": "quarter"}))
    expected = overview.quarter_kpis(panel.assign(active=(panel.platform_revenue > 0) | (panel.b_side_revenue > 0)))
    pd.testing.assert_frame_equal(overview.quarter_kpis(table), expected)


# --- the contract's checks ----------------------------------------------------------------------


def _messy() -> pd.DataFrame:
    """Five rows: a repeated account-quarter, an unreadable quarter, a negative amount, a missing
    id and an amount written as text that is not a number."""
    return pd.DataFrame(
        {
            "merchant": ["m1", "m1", "m2", None, "m3"],
            "period": ["2025Q1", "2025Q1", "someday", "2025Q2", "2025Q2"],
            "revenue": ["10", "12", "5", "3", "-4"],
            "gmv": ["100", "n/a", "50", "30", "20"],
        }
    )


MESSY_MAPPING = {"merchant": "account_id", "period": "quarter", "revenue": "platform_revenue", "gmv": "b_side_revenue"}


def test_each_check_counts_its_bad_rows_and_shows_examples():
    raw = _raw(_messy())
    report = mapped.check(raw, mapped.plan(raw, MESSY_MAPPING))
    assert not report.ok and report.rows == 5
    found = report.problems.set_index("check")
    assert found.loc["missing account id", "bad rows"] == 1
    assert found.loc["missing account id", "examples"] == "(empty)"
    assert found.loc["quarter not readable", ["source column", "bad rows", "examples"]].tolist() == [
        "period",
        1,
        "someday",
    ]
    assert found.loc["b_side_revenue not a number", ["bad rows", "examples"]].tolist() == [1, "n/a"]
    assert found.loc["platform_revenue negative", ["bad rows", "examples"]].tolist() == [1, "-4"]
    repeated = found.loc["one row per account and quarter"]
    assert (repeated["bad rows"], repeated["examples"]) == (2, "m1 in 2025Q1 (2 rows)")
    assert "1 account-quarter has more than one row" in repeated["what to do"]
    assert report.sentences()[1] == (
        "quarter not readable (column period): 1 row, e.g. someday. Write quarters as 2025Q3 (or 2025-Q3, "
        "Q3 2025, 2025年第3季度) or store them as dates."
    )
    assert report.sentences()[-1].startswith("one row per account and quarter (column merchant): 2 rows, e.g. m1 in")


def test_a_source_without_a_required_column_or_of_a_wrong_type_is_refused_before_any_row_is_read():
    frame = pd.DataFrame({"merchant": ["m1"], "period": [[1, 2]], "visits": [1.0]})
    raw = _raw(frame)
    report = mapped.check(raw, mapped.plan(raw, {"merchant": "account_id", "period": "quarter"}))
    checks = report.problems["check"].tolist()
    assert checks == ["required column", "column type"]
    assert "no column for platform_revenue" in report.problems["what to do"].iloc[0]
    assert report.problems["source column"].iloc[1] == "period"
    assert report.sentences()[0].startswith("required column. The source has no column for platform_revenue")


def test_a_clean_source_passes_every_check():
    panel = sample.generate_panel(50, 4, seed=5)
    raw = _raw(engine._typed(panel))
    report = mapped.check(raw, mapped.plan(raw, {}))
    assert report.ok and report.rows == len(panel)
    assert set(report.mapping["target"].dropna()) >= {"account_id", "quarter", "platform_revenue"}


# --- the opened source --------------------------------------------------------------------------


def test_an_opened_source_serves_its_quarters_and_the_views_from_its_engine(tmp_path):
    panel = sample.generate_panel(80, 5, seed=8)
    opened = ExternalSource(_duckdb_source(tmp_path, engine._typed(panel).to_pandas()))
    assert opened.quarters() == sorted(panel["quarter"].unique())
    assert opened.report.rows == len(panel)
    pd.testing.assert_frame_equal(opened.reduce(overview.quarter_kpis), overview.quarter_kpis(panel))


def test_a_source_failing_the_checks_refuses_to_open_with_its_report(tmp_path):
    with pytest.raises(SourceFailsChecks) as refused:
        ExternalSource(_duckdb_source(tmp_path, _messy(), mapping=MESSY_MAPPING))
    assert "fails the data contract's checks (missing account id, quarter not readable" in str(refused.value)
    assert len(refused.value.report.problems) == 5


def test_a_missing_table_is_a_message(tmp_path):
    config = _duckdb_source(tmp_path, _messy())
    missing = SourceConfig(config.connection, table="ops.acounts")
    with pytest.raises(SourceError, match=r"has no such table or path .*Check \[source\] table or parquet"):
        ExternalSource(missing)


def test_a_backend_whose_driver_is_missing_says_what_to_install():
    config = from_settings({"connection": f"postgres://ops:{PASSWORD}@127.0.0.1:1/db", "table": "t"})
    with pytest.raises(SourceError) as refused:
        ExternalSource(config)
    message = str(refused.value)
    assert PASSWORD not in message
    assert "pip install 'ibis-framework[postgres]'" in message or "cannot be reached" in message


def test_a_query_past_its_time_is_a_message_and_the_source_still_answers(tmp_path):
    panel = sample.generate_panel(40, 4, seed=9)
    opened = ExternalSource(_duckdb_source(tmp_path, engine._typed(panel).to_pandas(), timeout_seconds=0.5))
    release = threading.Event()

    def slow(table):
        release.wait(5)
        return table.count().to_pyarrow().as_py()

    started = time.monotonic()
    with pytest.raises(SourceError, match=r"took longer than 0.5 s to answer.*raise \[source\] timeout_seconds"):
        opened.reduce(slow)
    assert time.monotonic() - started < 3
    release.set()
    assert opened.reduce(lambda table: table.count().to_pyarrow().as_py()) == len(panel)


def test_a_failing_query_is_a_message_not_a_traceback(tmp_path):
    opened = ExternalSource(_duckdb_source(tmp_path, engine._typed(sample.generate_panel(20, 2, seed=1)).to_pandas()))

    def broken(table):
        return engine.run(table.select(x=table.platform_revenue.cast("int64") / np.int64(0) + table.nope))

    with pytest.raises(SourceError, match="failed to compute a view"):
        opened.reduce(broken)


def test_a_lakes_nan_amount_is_a_missing_number_as_in_the_workspace():
    lake = pa.table({"account_id": ["a", "b"], "quarter": ["2025Q1"] * 2, "platform_revenue": [5.0, float("nan")]})
    assert pc.is_nan(lake["platform_revenue"]).to_pylist() == [False, True]  # a value, not a null
    raw = ibis.memtable(lake)
    table = engine.run(mapped.contract_table(raw, mapped.plan(raw, {})))
    assert table["platform_revenue"].isna().tolist() == [False, True]
    assert table["active"].tolist() == [True, False]
