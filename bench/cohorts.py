"""Cohort maths benchmark: retention triangles against DuckDB SQL, Kaplan–Meier against lifelines,
and sBG fit times.

Run: ``python bench/cohorts.py [--accounts 100000] [--quarters 12] [--repeat 5]``

The panel is the sample generator's (``--accounts`` accounts ever signed over ``--quarters``
quarters, one row per account per live quarter). Each round times, in the same process:

* ``cohort_matrix(panel, metric, basis="initial")`` for logo, nrr and grr, against one DuckDB
  query over the same DataFrame: cohort = first active quarter per account, age, the metric's
  numerator per cohort × age (active accounts / revenue / revenue capped at the account's age-0
  revenue) divided by the age-0 value, fetched with ``.df()`` as a long (cohort, age, retention)
  frame. One in-memory connection serves all runs; each timed run registers the DataFrame again
  (a fresh connection per run would add ~15–25 ms to the reference). Ours also pivots the table
  and adds the weighted-average row and the size columns; the reference does not. DuckDB runs on
  all cores, ours on one. Goal: ours ≤ 2× the reference.
* ``kaplan_meier(panel)`` against pandas + lifelines: durations from a groupby on active rows
  (first and last quarter ordinal per account), then ``KaplanMeierFitter().fit``; both steps are
  timed. Goal: ours ≤ 1× (not slower).
* ``ShiftedBetaGeometric().fit`` on each cohort's survivor counts from ``fittable_survivors`` and
  once on all cohorts jointly: the fastest of the rounds per fit (a fit takes a few milliseconds,
  so on a busy 2-core machine one scheduling hiccup would dominate a median of few rounds), then
  the median and the slowest over cohorts. Goal: every fit < 50 ms.

Before timing, the SQL cells and lifelines' survival are checked against ours to 1e-9, so the
comparisons are like for like. Prints the medians over ``--repeat`` rounds and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import quarters, sample  # noqa: E402
from b2b_core.cohorts import (  # noqa: E402
    AVERAGE,
    SBGFitWarning,
    ShiftedBetaGeometric,
    cohort_matrix,
    fittable_survivors,
    kaplan_meier,
)

METRICS = ("logo", "nrr", "grr")
NUMERATOR = {"logo": "SUM(active::INT)", "nrr": "SUM(revenue)", "grr": "SUM(LEAST(revenue, initial))"}
SQL = """
WITH rows AS (
    SELECT account_id, active, COALESCE(platform_revenue, 0) AS revenue,
           CAST(substr(quarter, 1, 4) AS INT) * 4 + CAST(substr(quarter, 6, 1) AS INT) - 1 AS q
    FROM panel
), accounts AS (
    SELECT account_id, MIN(q) AS cohort {initial} FROM rows WHERE active GROUP BY account_id
), cells AS (
    SELECT cohort, q - cohort AS age, {numerator} AS value
    FROM rows JOIN accounts USING (account_id)
    WHERE q >= cohort
    GROUP BY cohort, age
)
SELECT (cohort // 4)::VARCHAR || 'Q' || (cohort % 4 + 1)::VARCHAR AS cohort, age,
       value / first_value(value) OVER (PARTITION BY cohort ORDER BY age) AS retention
FROM cells
ORDER BY cohort, age
"""


def sql_matrix(con: duckdb.DuckDBPyConnection, panel: pd.DataFrame, metric: str) -> pd.DataFrame:
    initial = ", arg_min(revenue, q) AS initial" if metric == "grr" else ""
    con.register("panel", panel)
    return con.execute(SQL.format(initial=initial, numerator=NUMERATOR[metric])).df()


def lifelines_km(panel: pd.DataFrame) -> KaplanMeierFitter:
    ordinal = panel["quarter"].map({q: quarters.to_ordinal(q) for q in panel["quarter"].unique()})
    last_observed = ordinal.max()
    active = panel["active"]
    span = ordinal[active].groupby(panel.loc[active, "account_id"], sort=False).agg(["min", "max"])
    churned = span["max"] < last_observed
    duration = np.where(churned, span["max"] - span["min"] + 1, last_observed - span["min"])
    return KaplanMeierFitter().fit(duration, churned)


def check(con: duckdb.DuckDBPyConnection, panel: pd.DataFrame) -> None:
    """Fail unless the references compute what ours does (to 1e-9)."""
    for metric in METRICS:
        ours = cohort_matrix(panel, metric).drop(index=AVERAGE)
        ours = ours.drop(columns=["accounts", "initial_revenue"], errors="ignore")  # the cells only
        theirs = sql_matrix(con, panel, metric).pivot(index="cohort", columns="age", values="retention")
        theirs = theirs.reindex(index=ours.index, columns=ours.columns)
        assert np.allclose(ours, theirs, rtol=0, atol=1e-9, equal_nan=True), f"{metric}: SQL differs from ours"
    ours = kaplan_meier(panel)["survival"]
    theirs = lifelines_km(panel).survival_function_at_times(ours.index).to_numpy()
    assert np.allclose(ours, theirs, rtol=0, atol=1e-9), "Kaplan–Meier survival differs from lifelines"


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def fit(counts) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SBGFitWarning)  # edge-of-space fits are still fits
        ShiftedBetaGeometric().fit(counts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--quarters", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    panel = sample.generate_panel(n_accounts=args.accounts, n_quarters=args.quarters)
    survivors = fittable_survivors(panel)
    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    print(
        f"panel: {args.accounts:,} accounts × {args.quarters} quarters, {len(panel):,} rows, "
        f"{len(survivors)} fittable cohorts; DuckDB {duckdb.__version__} on {threads} threads"
    )
    check(con, panel)

    steps = {}
    for metric in METRICS:
        steps[f"cohort_matrix {metric}"] = (
            lambda m=metric: cohort_matrix(panel, m),
            lambda m=metric: sql_matrix(con, panel, m),
        )
    steps["kaplan_meier"] = (lambda: kaplan_meier(panel), lambda: lifelines_km(panel))
    times = {name: ([], []) for name in steps}
    fits = [[] for _ in survivors] + [[]]  # per cohort, then the joint fit
    for _ in range(args.repeat):
        for name, (ours, reference) in steps.items():
            times[name][0].append(timed(ours))
            times[name][1].append(timed(reference))
        for runs, counts in zip(fits, [*survivors, survivors]):
            runs.append(timed(lambda counts=counts: fit(counts)))

    print(f"\n{'step':24s} {'ours':>9s} {'reference':>10s} {'ratio':>7s} {'goal':>8s}")
    for name, (ours, reference) in times.items():
        ours, reference = statistics.median(ours), statistics.median(reference)
        goal = 1.0 if name == "kaplan_meier" else 2.0
        verdict = "OK" if ours / reference <= goal else "over"
        print(f"{name:24s} {ours:8.3f}s {reference:9.3f}s {ours / reference:6.2f}x {f'≤ {goal:g}x':>8s}  {verdict}")
    per_cohort = [min(runs) * 1e3 for runs in fits[:-1]]
    joint = min(fits[-1]) * 1e3
    for label, ms in (
        ("sBG fit, median cohort", statistics.median(per_cohort)),
        ("sBG fit, slowest cohort", max(per_cohort)),
        ("sBG fit, all jointly", joint),
    ):
        print(f"{label:24s} {ms:7.1f}ms {'—':>10s} {'—':>7s} {'< 50 ms':>8s}  {'OK' if ms < 50 else 'over'}")


if __name__ == "__main__":
    main()
