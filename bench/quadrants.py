"""Revenue quadrants benchmark: assignment plus migration against the same computation as DuckDB
SQL, and the time to build and serialise the quadrant map.

Run: ``python bench/quadrants.py [--accounts 1000000] [--repeat 5] [--points 100000]``

The panel is generated here with numpy (the sample generator is built for realism, not for a
million accounts): ``--accounts`` accounts in two consecutive quarters, 2026Q2 and 2026Q3, with
log-normal B-side revenue, a take rate per account, ~3% of accounts churned (a 2026Q2 row only),
~3% new (a 2026Q3 row only), ~2% zero platform revenue, ~1% missing B-side revenue and ~0.5% of
rows inactive. Each round times, in the same process:

* ours: ``assign_quadrants(panel, "2026Q3")`` plus ``quadrant_migration(panel, "2026Q2",
  "2026Q3")`` with its ``matrix`` and ``revenue("before")`` / ``revenue("after")`` (median cuts);
* the reference: the same computation as hand-written DuckDB SQL over the same table, each
  result fetched with ``.df()``. The assignment of 2026Q3 (the columns ours returns, in the order
  of the account ids, as ours): cut points
  = medians over the placed accounts (active, B-side and platform revenue present), high =
  ``> cut`` on each axis. The migration, as one would write it by hand: a temporary table of the
  moves (the states of both quarters: quadrant, or ``no B-side revenue`` for an active row that
  cannot be placed; a FULL OUTER JOIN of the two quarters' active accounts, ``churned`` where the
  later side is missing, ``returning`` or ``new`` where the earlier one is, by whether the account
  was active in any quarter before; both revenues of both quarters), then three queries of it:
  the accounts and the four revenue sums per (before, after), and the ``MOVERS_SHOWN`` largest
  platform revenue changes among the accounts that changed state and among those that changed
  quadrant, with their segment. The panel is copied once into a table of an in-memory DuckDB,
  which both read: ours through Ibis (``engine``), as the app reads the workspace. Goal: ours
  ≤ 1.5× the reference, for each of the two and for both.

The two halves are also timed and printed apart (ours: assign / migration; reference: its
queries). Before timing, the SQL transition counts and revenue sums are checked against
``Migration.cells`` (counts exactly, sums to 1e-9 relative), both lists of movers against
``Migration.movers`` and ``quadrant_movers`` (the same accounts in the same order, the same
changes and segments), and the per-account quadrant, cut points, take rate and zero flags of the
SQL against ``assign_quadrants``.

Then the quadrant map: ``charts.quadrant_map(assigned, load_playbook(), log_axes=True,
take_rate=...)`` for ``--points`` placed accounts sampled from the 2026Q3 assignment, and its
serialisation as ``st.plotly_chart`` does it (streamlit 1.x ``elements/plotly_chart.py``:
``plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)``, which is
``figure.to_dict()``, then ``plotly.io.to_json(spec, validate=False)``); medians over the rounds,
in seconds, and the size of the JSON sent to the browser. No goal is set for these.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import plotly
import plotly.io
import plotly.tools

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import charts, engine  # noqa: E402
from b2b_core.playbook import load_playbook  # noqa: E402
from b2b_core.quadrants import (  # noqa: E402
    AFTER_STATES,
    BEFORE_STATES,
    MOVERS_SHOWN,
    PLACED,
    QUADRANTS,
    Migration,
    assign_quadrants,
    median_take_rate,
    quadrant_migration,
)

FROM, TO = "2026Q2", "2026Q3"
SEGMENTS = ("Retail", "Food & Beverage", "Travel", "Education", "Local services", "Health")
CHURNED_SHARE, NEW_SHARE = 0.03, 0.03  # of accounts
ZERO_PLATFORM_SHARE, MISSING_B_SIDE_SHARE, INACTIVE_SHARE = 0.02, 0.01, 0.005  # of rows

STATES_SQL = """
WITH rows AS (
    SELECT account_id, quarter, segment, active, b_side_revenue AS x, platform_revenue AS y,
           active AND x IS NOT NULL AND y IS NOT NULL AS placed
    FROM panel
    WHERE quarter IN ({quarters})
), cuts AS (
    SELECT quarter, median(x) AS x_cut, median(y) AS y_cut FROM rows WHERE placed GROUP BY quarter
), states AS (
    SELECT account_id, quarter, segment, x, y, active, placed,
           CASE WHEN placed THEN x_cut END AS x_cut,
           CASE WHEN placed THEN y_cut END AS y_cut,
           CASE
               WHEN placed AND y > y_cut THEN CASE WHEN x > x_cut THEN 'Q1' ELSE 'Q2' END
               WHEN placed THEN CASE WHEN x > x_cut THEN 'Q4' ELSE 'Q3' END
               WHEN active THEN 'no B-side revenue'
               ELSE 'inactive'
           END AS quadrant
    FROM rows LEFT JOIN cuts USING (quarter)
)
"""
ASSIGN_SQL = (
    STATES_SQL.format(quarters="$to")
    + """
SELECT account_id, segment, x AS b_side_revenue, y AS platform_revenue,
       CASE WHEN x > 0 THEN y / x END AS take_rate, quadrant, x_cut, y_cut,
       placed AND x = 0 AS zero_b_side, placed AND y = 0 AS zero_platform
FROM states
ORDER BY account_id
"""
)
MOVES_SQL = (
    "CREATE OR REPLACE TEMP TABLE moves AS "
    + STATES_SQL.format(quarters="$from, $to")
    + """
, before AS (SELECT account_id, quadrant, x, y FROM states WHERE quarter = $from AND active)
, after AS (SELECT account_id, quadrant, x, y, segment FROM states WHERE quarter = $to AND active)
, earlier AS (SELECT DISTINCT account_id FROM panel WHERE active AND quarter < $from)
SELECT COALESCE(b.account_id, a.account_id) AS account_id,
       COALESCE(b.quadrant, CASE WHEN e.account_id IS NULL THEN 'new' ELSE 'returning' END) AS before,
       COALESCE(a.quadrant, 'churned') AS after,
       CASE WHEN b.account_id IS NULL THEN 0 ELSE b.y END AS platform_revenue_before,
       CASE WHEN b.account_id IS NULL THEN 0 ELSE b.x END AS b_side_revenue_before,
       CASE WHEN a.account_id IS NULL THEN 0 ELSE a.y END AS platform_revenue_after,
       CASE WHEN a.account_id IS NULL THEN 0 ELSE a.x END AS b_side_revenue_after
FROM before AS b FULL OUTER JOIN after AS a ON b.account_id = a.account_id
LEFT JOIN earlier AS e ON e.account_id = COALESCE(b.account_id, a.account_id)
"""
)
CELLS_SQL = """
SELECT before, after, count(*) AS accounts,
       SUM(COALESCE(platform_revenue_before, 0)) AS platform_revenue_before,
       SUM(COALESCE(platform_revenue_after, 0)) AS platform_revenue_after,
       SUM(COALESCE(b_side_revenue_before, 0)) AS b_side_revenue_before,
       SUM(COALESCE(b_side_revenue_after, 0)) AS b_side_revenue_after
FROM moves GROUP BY ALL
"""
MOVERS_SQL = """
WITH largest AS (
    SELECT *, platform_revenue_after - platform_revenue_before AS platform_revenue_change,
           b_side_revenue_after - b_side_revenue_before AS b_side_revenue_change
    FROM moves WHERE before <> after {among}
    ORDER BY abs(platform_revenue_change) DESC, account_id LIMIT $shown
), latest AS (  -- each account's segment: in the later quarter when active then, else in the earlier
    SELECT account_id, arg_max(segment, quarter = $to) AS segment FROM panel
    WHERE active AND quarter IN ($from, $to) AND account_id IN (SELECT account_id FROM largest)
    GROUP BY account_id
)
SELECT l.*, latest.segment FROM largest AS l LEFT JOIN latest USING (account_id)
ORDER BY abs(platform_revenue_change) DESC, account_id
"""
QUADRANT_LIST = "('" + "', '".join(QUADRANTS) + "')"


def generate_panel(n_accounts: int, seed: int = 7) -> pd.DataFrame:
    """Two quarters (``FROM``, ``TO``) of ``n_accounts`` accounts, rows sorted by quarter then id."""
    rng = np.random.default_rng(seed)
    width = max(7, len(str(n_accounts)))
    ids = np.strings.add("M", np.strings.zfill(np.arange(1, n_accounts + 1).astype(str), width)).astype(object)
    segment = np.array(SEGMENTS, dtype=object)[rng.integers(0, len(SEGMENTS), n_accounts)]
    log_b_side = rng.normal(np.log(20_000.0), 1.3, n_accounts)
    log_take_rate = np.log(0.10) + rng.normal(0.0, 0.4, n_accounts)
    fate = rng.random(n_accounts)
    in_quarter = {FROM: fate >= NEW_SHARE, TO: (fate < NEW_SHARE) | (fate >= NEW_SHARE + CHURNED_SHARE)}

    parts = []
    for t, (quarter, present) in enumerate(in_quarter.items()):
        members = np.flatnonzero(present)
        n = members.size
        b_side = np.round(np.exp(log_b_side[members] + 0.04 * t + rng.normal(0.0, 0.25, n)), 2)
        take_rate = np.clip(np.exp(log_take_rate[members] + rng.normal(0.0, 0.05, n)), 0.01, 0.40)
        platform = np.where(rng.random(n) < ZERO_PLATFORM_SHARE, 0.0, np.round(b_side * take_rate, 2))
        b_side[rng.random(n) < MISSING_B_SIDE_SHARE] = np.nan
        parts.append(
            pd.DataFrame(
                {
                    "account_id": ids[members],
                    "quarter": np.full(n, quarter, dtype=object),
                    "platform_revenue": platform,
                    "b_side_revenue": b_side,
                    "active": rng.random(n) >= INACTIVE_SHARE,
                    "segment": segment[members],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def ours(panel: pd.DataFrame) -> tuple[pd.DataFrame, Migration]:
    return assign_quadrants(panel, TO), ours_migration(panel)


def ours_migration(panel: pd.DataFrame) -> Migration:
    migration = quadrant_migration(panel, FROM, TO)
    migration.matrix, migration.revenue("before"), migration.revenue("after")  # the page's tables
    return migration


def sql_assign(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(ASSIGN_SQL, {"to": TO}).df()


def sql_migration(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(cells, movers, quadrant movers), as ``Migration`` holds them."""
    con.execute(MOVES_SQL, {"from": FROM, "to": TO})
    cells = con.execute(CELLS_SQL).df()
    lists = (
        con.execute(MOVERS_SQL.format(among=among), {"from": FROM, "to": TO, "shown": MOVERS_SHOWN}).df()
        for among in ("", f"AND before IN {QUADRANT_LIST} AND after IN {QUADRANT_LIST}")
    )
    return cells, *lists


def reference(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, tuple]:
    return sql_assign(con), sql_migration(con)


def check(con: duckdb.DuckDBPyConnection, table, panel: pd.DataFrame) -> None:
    """Fail unless the SQL computes what ours does (``table``: the engine's copy of ``panel``)."""
    assigned, migration = ours(table)
    theirs = sql_assign(con).set_index("account_id").reindex(assigned["account_id"])
    assert theirs.index.is_unique and not theirs["quadrant"].isna().any(), "SQL assignment misses accounts"
    assert (assigned["quadrant"].astype(str).to_numpy() == theirs["quadrant"].to_numpy()).all(), "quadrants differ"
    for column in ("x_cut", "y_cut", "take_rate"):
        assert np.allclose(assigned[column], theirs[column], rtol=1e-12, atol=0, equal_nan=True), f"{column} differs"
    for column in ("zero_b_side", "zero_platform"):
        assert (assigned[column].to_numpy() == theirs[column].to_numpy(dtype=bool)).all(), f"{column} differs"
    cells, movers, quadrant_movers = sql_migration(con)
    assert set(cells["before"]) <= set(BEFORE_STATES) and set(cells["after"]) <= set(AFTER_STATES), "unknown state"
    grid = cells.set_index(["before", "after"]).reindex(migration.cells.index).fillna(0)
    assert (grid["accounts"].to_numpy() == migration.cells["accounts"].to_numpy()).all(), "transition counts differ"
    for column in migration.cells.columns.drop("accounts"):
        assert np.allclose(grid[column], migration.cells[column], rtol=1e-9, atol=1e-6), f"{column} sums differ"
    assert migration.matrix.to_numpy().sum() == len(set(panel.loc[panel["active"], "account_id"])), (
        "the matrix does not conserve accounts"
    )
    for name, sql, found in (
        ("movers", movers, migration.movers),
        ("quadrant movers", quadrant_movers, migration.quadrant_movers),
    ):
        assert list(sql["account_id"]) == list(found["account_id"]), f"the {name} differ"
        assert (sql["segment"].to_numpy() == found["segment"].to_numpy()).all(), f"the {name}' segments differ"
        for column in ("platform_revenue_change", "b_side_revenue_change"):
            assert np.allclose(sql[column], found[column], equal_nan=True), f"the {name}' {column} differs"


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def streamlit_spec(figure) -> str:
    """What ``st.plotly_chart`` sends: the figure as a dict, then plotly's JSON without validation."""
    spec = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    return plotly.io.to_json(spec, validate=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--points", type=int, default=100_000, help="placed accounts on the quadrant map")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    panel = generate_panel(args.accounts)
    generated = time.perf_counter() - start
    con = duckdb.connect()
    con.register("frame", panel)
    con.execute("CREATE TABLE panel AS SELECT * FROM frame")
    con.unregister("frame")
    table = engine.connect(con.cursor()).table("panel")  # the panel in the engine, as the app holds it
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    counts = panel.groupby("quarter").size()
    print(
        f"panel: {args.accounts:,} accounts, {len(panel):,} rows ({counts[FROM]:,} in {FROM}, {counts[TO]:,} in "
        f"{TO}), generated in {generated:.2f}s; DuckDB {duckdb.__version__} on {threads} threads, "
        f"pandas {pd.__version__}, numpy {np.__version__}"
    )
    check(con, table, panel)
    print("check: SQL quadrants, cuts, transition counts, revenue sums and movers equal ours")

    assigned = assign_quadrants(table, TO)
    placed = assigned[assigned["quadrant"].isin(PLACED)]
    shown = placed.sample(min(args.points, len(placed)), random_state=0)
    playbook = load_playbook()
    take_rate = median_take_rate(shown)

    def build():
        return charts.quadrant_map(shown, playbook, log_axes=True, take_rate=take_rate)

    figure = build()
    spec = streamlit_spec(figure)

    keys = ("ours", "ours assign", "ours migration", "ref", "ref assign", "ref migration")
    runs: dict[str, list[float]] = {k: [] for k in (*keys, "figure", "to_dict", "to_json")}
    for _ in range(args.repeat):
        runs["ours"].append(timed(lambda: ours(table)))
        runs["ref"].append(timed(lambda: reference(con)))
        runs["ours assign"].append(timed(lambda: assign_quadrants(table, TO)))
        runs["ref assign"].append(timed(lambda: sql_assign(con)))
        runs["ours migration"].append(timed(lambda: ours_migration(table)))
        runs["ref migration"].append(timed(lambda: sql_migration(con)))
        runs["figure"].append(timed(build))
        runs["to_dict"].append(timed(lambda: plotly.tools.return_figure_from_figure_or_data(figure, True)))
        runs["to_json"].append(timed(lambda: streamlit_spec(figure)))
    median = {k: statistics.median(v) for k, v in runs.items()}

    print(f"\n{'step':34s} {'ours':>8s} {'reference':>10s} {'ratio':>7s} {'goal':>6s}")
    for label, key, goal in (
        ("assign_quadrants", "assign", 1.5),
        ("quadrant_migration + matrix/revenue", "migration", 1.5),
        ("assign + migration", "", 1.5),
    ):
        o, r = median[f"ours {key}".strip()], median[f"ref {key}".strip()]
        verdict = ("  OK" if o / r <= goal else "  over") if goal else ""
        goal_text = f"≤ {goal:g}x" if goal else "—"
        print(f"{label:34s} {o:7.3f}s {r:9.3f}s {o / r:6.2f}x {goal_text:>6s}{verdict}")
    print("  (runs, ours:      " + ", ".join(f"{s:.3f}" for s in runs["ours"]) + ")")
    print("  (runs, reference: " + ", ".join(f"{s:.3f}" for s in runs["ref"]) + ")")

    json = plotly.io.json.config.default_engine
    print(
        f"\nquadrant map, {len(shown):,} placed accounts, log axes (plotly {plotly.__version__}, JSON engine {json}):"
    )
    print(f"  build figure (charts.quadrant_map)            {median['figure']:7.3f}s")
    print(f"  serialise as st.plotly_chart (dict + JSON)    {median['to_json']:7.3f}s")
    print(f"    of which figure.to_dict()                   {median['to_dict']:7.3f}s")
    print(f"  build + serialise                             {median['figure'] + median['to_json']:7.3f}s")
    print(f"  JSON size                                     {len(spec.encode()) / 1e6:7.1f} MB")


if __name__ == "__main__":
    main()
