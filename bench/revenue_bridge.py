"""The revenue bridge and the Overview's filtered KPIs against hand-written DuckDB SQL, on a workspace.

Run: ``python bench/revenue_bridge.py WORKSPACE [--repeat 3]`` (e.g. a workspace written by
``bench/pages.py N --workspace PATH``).

In one process, on the workspace's live panel, the fastest of ``--repeat`` runs of
``overview.revenue_bridge(live)`` (as the Overview asks it: all accounts, the workspace's quarters)
against one SQL query computing the same sums (each account's revenue joined to its own row of
the quarter before, plus a row after its last quarter with revenue), then the Overview's filters:
``overview.group_sums`` (once per data version), the KPIs and both bridges of one region from it
(``chosen_kpis``, ``chosen_bridge``: what a filter change costs) and the same asked of the engine
over the region's accounts (the path above ``GROUP_LIMIT`` groups). The SQL result is checked
against ours first. Goal: ours ≤ 1.5× the SQL; a filter change ≤ 0.5 s at 1,000,000 accounts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import overview, quadrants, quarters, store  # noqa: E402
from b2b_core.store.workspace import _LIVE_ROWS  # noqa: E402
from bench.cohort_reductions import fastest  # noqa: E402

ORDINAL = "(CAST(substr(quarter, 1, 4) AS BIGINT) * 4 + CAST(substr(quarter, 6, 1) AS BIGINT) - 1)"
BRIDGE = f"""
WITH r AS (SELECT account_id, {ORDINAL} AS o, coalesce(platform_revenue, 0)::DECIMAL(38, 6) AS v FROM live_panel),
f AS (SELECT account_id, min(o) FILTER (WHERE v > 0) AS first FROM r GROUP BY account_id),
p AS (
    SELECT coalesce(n.o, b.o + 1) AS o, coalesce(b.v, 0) AS before, coalesce(n.v, 0) AS after,
           coalesce(n.account_id, b.account_id) AS account_id
    FROM r n FULL JOIN r b ON b.account_id = n.account_id AND b.o = n.o - 1
)
SELECT o, sum(before) AS start,
       sum(after) FILTER (WHERE before = 0 AND after > 0 AND first = o) AS new,
       sum(after) FILTER (WHERE before = 0 AND after > 0 AND first < o) AS reactivated,
       sum(after - before) FILTER (WHERE before > 0 AND after > before) AS expansion,
       sum(before - after) FILTER (WHERE after > 0 AND after < before) AS contraction,
       sum(before) FILTER (WHERE before > 0 AND after = 0) AS churned, sum(after) AS "end"
FROM p JOIN f USING (account_id) WHERE o IN ({{bridged}}) GROUP BY o ORDER BY o"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    ws = store.Workspace(args.workspace)
    observed = ws.quarters()
    bridged = ",".join(str(quarters.to_ordinal(q)) for q in overview.bridged_quarters(observed))

    def ours():
        return ws.reduce(lambda live: overview.revenue_bridge(live, observed=observed))

    query = BRIDGE.format(bridged=bridged)
    with ws._reading() as con:
        con.execute(f"CREATE OR REPLACE TEMP VIEW live_panel AS {_LIVE_ROWS}")
        expected = con.execute(query).df().drop(columns="o").astype(float).fillna(0)
        np.testing.assert_allclose(ours().astype(float).to_numpy(), expected.to_numpy())
        sql_s = fastest(lambda: con.execute(query).df(), args.repeat)
    region = ws.reduce(lambda live: live.select("region").distinct().order_by("region").execute())["region"][0]

    selection, revenues = {"region": [region]}, ("platform_revenue", "b_side_revenue")

    def by_engine():
        def both(live):
            chosen = live.semi_join(quadrants.latest_matching(live, selection), "account_id")
            return overview.quarter_kpis(chosen), [overview.revenue_bridge(chosen, r, None, observed) for r in revenues]

        return ws.reduce(both)

    sums = ws.reduce(lambda live: overview.group_sums(live, observed))

    def from_sums():
        return overview.chosen_kpis(sums, selection), [
            overview.chosen_bridge(sums, selection, r, observed) for r in revenues
        ]

    ours_s = fastest(ours, args.repeat)
    print(f"revenue_bridge: {ours_s:.3f} s, SQL {sql_s:.3f} s, ratio {ours_s / sql_s:.2f}")
    once = fastest(lambda: ws.reduce(lambda live: overview.group_sums(live, observed)), args.repeat)
    print(f"group_sums (once per data version): {once:.3f} s, {len(sums):,} rows")
    change_s = fastest(from_sums, args.repeat)
    print(f"KPIs and both bridges of region {region!r} (a filter change) from group_sums: {change_s:.3f} s")
    print(f"the same asked of the engine: {fastest(by_engine, args.repeat):.3f} s")


if __name__ == "__main__":
    main()
