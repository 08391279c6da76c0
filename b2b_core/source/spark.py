"""Spark sessions for a Spark source: a local one (``local[2]``: tests, one machine) or a Spark
Connect client of a cluster (``sc://host:15002``). pyspark is imported only here, and only when a
Spark source is configured: the app runs without it."""

from __future__ import annotations

from typing import Any

# One session per master for the whole process: a JVM (local) or a gRPC channel (Connect) is
# expensive to start (a local[2] session takes about 4 s) and every query of the app shares it.
_SETTINGS = {
    "spark.ui.enabled": "false",  # no web UI port opened by a dashboard's session
    "spark.ui.showConsoleProgress": "false",  # no progress bars in the server's log
    "spark.sql.session.timeZone": "UTC",  # dates read as written, whatever the machine's zone
    "spark.sql.shuffle.partitions": "8",  # the views' group-bys give small results: few partitions
    "spark.sql.ansi.enabled": "false",  # a bad cast gives NULL (found by the checks), not an error
    "spark.sql.execution.arrow.pyspark.enabled": "true",  # results and selections of ids move as Arrow
    # A local session's JVM heap (Spark's default is 1 GB, too little for exact medians of 10 million rows);
    # $SPARK_DRIVER_MEMORY, when set, takes precedence.
    "spark.driver.memory": "4g",
}
_STARTED: dict[str, Any] = {}  # the sessions started, by connection (what ``cancel`` may stop)


def is_spark(connection: str) -> bool:
    """True for a Spark master: ``local``, ``local[n]``, ``local[*]`` or a Spark Connect URL ``sc://…``."""
    return connection == "local" or connection.startswith(("local[", "sc://"))


def session(connection: str) -> Any:
    """The process's Spark session for ``connection`` (see ``is_spark``), started on first use."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("b2b-ops-dashboard")
    if connection.startswith("sc://"):
        spark = builder.remote(connection).getOrCreate()
    else:
        for key, value in _SETTINGS.items():
            builder = builder.config(key, value)
        spark = builder.master(connection).getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
    _STARTED[connection] = spark
    return spark


def cancel(connection: str) -> None:
    """Cancel every running job of the process's session for ``connection`` (a query past its
    time); nothing when no session was started (one still connecting is left to time out)."""
    spark = _STARTED.get(connection)
    if spark is None:
        return
    if connection.startswith("sc://"):
        spark.interruptAll()
    else:
        spark.sparkContext.cancelAllJobs()
