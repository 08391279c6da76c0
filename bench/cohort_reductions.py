"""Cohort reductions against the same computation as hand-written DuckDB SQL, on a workspace.

Run: ``python bench/cohort_reductions.py WORKSPACE [--repeat 3]`` (e.g. a workspace written by
``bench/pages.py N --workspace PATH``).

In one process, on the workspace's live panel, the fastest of ``--repeat`` runs of:

* ``cohorts.lifetimes(live)`` (with the quarters the data cover, as the app asks it) against one
  SQL query: per account its first and last active quarter, then the accounts per (first, last);
* ``cohorts.cohort_values(live, ("logo",))`` against one SQL query: the accounts active per
  (signup quarter, quarter) from the signup quarter on.

The SQL results are checked against ours first (same counts). Goal: ours ≤ 1.5× the SQL.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import cohorts, store  # noqa: E402
from b2b_core.store.workspace import _LIVE_ROWS  # noqa: E402

ORDINAL = "(CAST(substr(quarter, 1, 4) AS BIGINT) * 4 + CAST(substr(quarter, 6, 1) AS BIGINT) - 1)"
LIFETIMES = f"""
SELECT cohort, last_active, count(*) AS accounts FROM (
    SELECT account_id, min({ORDINAL}) FILTER (WHERE active) AS cohort,
           max({ORDINAL}) FILTER (WHERE active) AS last_active
    FROM live_panel GROUP BY account_id)
WHERE cohort IS NOT NULL GROUP BY ALL"""
CELLS = f"""
WITH r AS (SELECT account_id, {ORDINAL} AS period, coalesce(active, false) AS active FROM live_panel),
     m AS (SELECT account_id, min(period) FILTER (WHERE active) AS cohort FROM r GROUP BY account_id)
SELECT cohort, period, sum(active::DOUBLE) AS logo
FROM r JOIN m USING (account_id) WHERE m.cohort IS NOT NULL AND period >= m.cohort GROUP BY ALL"""


def fastest(step, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    ws = store.Workspace(args.workspace)
    observed = ws.quarters()

    def ours_lifetimes():
        return ws.reduce(lambda live: cohorts.lifetimes(live, observed=observed))

    def ours_cells():
        return ws.reduce(lambda live: cohorts.cohort_values(live, ("logo",), observed=observed))

    with ws._reading() as con:
        con.execute(f"CREATE OR REPLACE TEMP VIEW live_panel AS {_LIVE_ROWS}")
        counted = con.execute(LIFETIMES).df()
        assert int(counted["accounts"].sum()) == int(ours_lifetimes().accounts.sum())
        ours_logo = ours_cells()[2]["logo"]  # (group, cohort, age), NaN where not observed
        assert float(con.execute(CELLS).df()["logo"].sum()) == float(np.nansum(ours_logo))
        reference = {
            "lifetimes": fastest(lambda: con.execute(LIFETIMES).df(), args.repeat),
            "cohort cells": fastest(lambda: con.execute(CELLS).df(), args.repeat),
        }
    ours = {"lifetimes": fastest(ours_lifetimes, args.repeat), "cohort cells": fastest(ours_cells, args.repeat)}
    print(f"{'reduction':<14} {'ours':>8} {'SQL':>8} {'ratio':>6}  (goal ≤ 1.5×)")
    for name in ours:
        print(f"{name:<14} {ours[name]:7.2f}s {reference[name]:7.2f}s {ours[name] / reference[name]:5.1f}×")


if __name__ == "__main__":
    main()
