"""What-if scenarios benchmark: the full projection from a panel as the data grow tenfold, and
what a lever change costs once the base is measured.

Run: ``python bench/scenarios.py [--sizes 10000 100000 1000000] [--quarters 12] [--repeat 3]``

The panels are the sample generator's (``generate_panel(n, n_quarters=--quarters)``, ``n``
accounts ever signed, one row per account per live quarter), all generated before any timing.
Every timing is the fastest of ``--repeat`` runs (a projection takes ~10 ms, so on a busy 2-core
machine one scheduling hiccup would dominate a median of few runs), after one untimed warm-up
call; the horizon is ``--horizon`` quarters, bands on (the default) unless said otherwise.

* **Scaling**: ``project(panel, scenario)`` from the panel at each size — ``fit_base`` then the
  projection with its simulated 90% band — split into ``fit_base(panel)`` alone (and, for
  comparison, ``cohorts.lifetimes(panel)``, one aggregate of the engine over every row) and
  ``project(base, scenario)`` alone. The
  projection works on per-age totals, so its time does not depend on the number of accounts;
  ``fit_base`` reads every row. Goal: each step of the data costs at most 1.2 × the step in time,
  i.e. t(100k)/t(10k) ≤ 12× and t(1M)/t(100k) ≤ 12×. For reference, the same table times
  pandas' own ``factorize`` of the account ids (the "id codes" column): a hash table of a million
  distinct ids outgrows the CPU caches, so it alone grows far more than tenfold from 100k to 1M
  accounts.
* **A lever change** at ``--lever-accounts`` accounts: the base is fitted once, then
  ``project(base, scenario)`` for scenarios that each move other levers (renewal uplift,
  new-account growth, expansion, take-rate change with churn elasticity); median and slowest over
  the scenarios. Goal: < 200 ms. The page also calls ``compare(base, [two scenarios])`` (three
  projections without bands) and ``sensitivity(base, scenario)`` (the tornado table: eleven
  projections without bands) on every lever change; they are timed and summed with the
  projection as what a lever change costs, with no goal of their own.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import sample  # noqa: E402
from b2b_core.cohorts import lifetimes  # noqa: E402
from b2b_core.scenarios import Scenario, compare, fit_base, project, sensitivity  # noqa: E402

SCENARIO = Scenario("Renewal push", renewal_uplift=2.0, new_account_growth=10.0, expansion=0.5)
LEVER_CHANGES = (
    Scenario("Uplift +2", renewal_uplift=2.0),
    Scenario("Uplift −3", renewal_uplift=-3.0),
    Scenario("New +20%", new_account_growth=20.0),
    Scenario("New −15%", new_account_growth=-15.0),
    Scenario("Expansion +1%", expansion=1.0),
    Scenario("Expansion −0.5%", expansion=-0.5),
    Scenario("Take rate +0.5", take_rate_change=0.5, churn_elasticity=1.0),
    Scenario("All levers", renewal_uplift=1.5, new_account_growth=25.0, expansion=0.5, take_rate_change=-0.25),
)
COMPARED = [
    Scenario("Price rise", take_rate_change=1.0, churn_elasticity=0.5),
    Scenario("Growth push", new_account_growth=30.0, renewal_uplift=1.0),
]
STEP_GOAL = 1.2  # time step ≤ 1.2 × data step (12× per tenfold)
LEVER_GOAL = 0.200  # seconds


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def fastest(step, repeat: int) -> float:
    return min(timed(step) for _ in range(repeat))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--lever-accounts", type=int, default=100_000, help="accounts for the lever-change timings")
    parser.add_argument("--quarters", type=int, default=12)
    parser.add_argument("--horizon", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes))

    panels: dict[int, pd.DataFrame] = {}
    for n in sorted({*sizes, args.lever_accounts}):
        print(f"generating {n:,} accounts × {args.quarters} quarters …", end=" ", flush=True)
        start = time.perf_counter()
        panels[n] = sample.generate_panel(n, n_quarters=args.quarters)
        print(f"{len(panels[n]):,} rows in {time.perf_counter() - start:.1f}s", flush=True)
    print(f"pandas {pd.__version__}, numpy {np.__version__}; fastest of {args.repeat} runs, horizon {args.horizon}")

    project(panels[sizes[0]], SCENARIO, horizon=args.horizon)  # warm-up: first calls in the process
    full, fit, reduce, ids, projection = {}, {}, {}, {}, {}
    for n in sizes:
        panel = panels[n]
        base = fit_base(panel)
        full[n] = fastest(lambda panel=panel: project(panel, SCENARIO, horizon=args.horizon), args.repeat)
        fit[n] = fastest(lambda panel=panel: fit_base(panel), args.repeat)
        reduce[n] = fastest(lambda panel=panel: lifetimes(panel), args.repeat)
        ids[n] = fastest(lambda panel=panel: pd.factorize(panel["account_id"]), args.repeat)
        projection[n] = fastest(lambda base=base: project(base, SCENARIO, horizon=args.horizon), args.repeat)

    print(f"\nproject(panel, scenario, horizon={args.horizon}) from the panel, bands on:")
    print(
        f"{'accounts':>10s} {'rows':>10s} {'full':>9s} {'fit_base':>9s} {'(lifetimes)':>11s} "
        f"{'(id codes)':>11s} {'project(base)':>14s} {'fit share':>10s}"
    )
    for n in sizes:
        print(
            f"{n:10,d} {len(panels[n]):10,d} {full[n]:8.3f}s {fit[n]:8.3f}s {f'({reduce[n]:.3f}s)':>11s} "
            f"{f'({ids[n]:.3f}s)':>11s} {projection[n]:13.3f}s {fit[n] / (fit[n] + projection[n]):9.0%}"
        )
    print(f"\n{'step':24s} {'data':>6s} {'full':>7s} {'fit_base':>9s} {'id codes':>9s} {'project':>8s} {'goal':>7s}")
    for small, large in zip(sizes, sizes[1:]):
        data, ratio = large / small, full[large] / full[small]
        goal = STEP_GOAL * data
        verdict = "OK" if ratio <= goal else "over"
        print(
            f"{f't({large:,}) / t({small:,})':24s} {data:5.0f}x {ratio:6.2f}x {fit[large] / fit[small]:8.2f}x "
            f"{ids[large] / ids[small]:8.2f}x {projection[large] / projection[small]:7.2f}x {f'≤ {goal:g}x':>7s}  "
            f"{verdict}"
        )

    panel = panels[args.lever_accounts]
    base = fit_base(panel)
    lever = [fastest(lambda s=s: project(base, s, horizon=args.horizon), args.repeat) for s in LEVER_CHANGES]
    compared = fastest(lambda: compare(base, COMPARED, args.horizon), args.repeat)
    tornado = fastest(lambda: sensitivity(base, SCENARIO, horizon=args.horizon), args.repeat)
    slowest = LEVER_CHANGES[int(np.argmax(lever))].name
    print(f"\na lever change at {args.lever_accounts:,} accounts (base fitted once):")
    print(f"{'step':46s} {'time':>9s} {'goal':>9s}")
    for label, seconds, goal in (
        (f"project(base), median of {len(lever)} scenarios", statistics.median(lever), LEVER_GOAL),
        (f"project(base), slowest ({slowest})", max(lever), LEVER_GOAL),
        (f"compare(base, {len(COMPARED)} scenarios)", compared, None),
        ("sensitivity(base, scenario)", tornado, None),
        ("projection + compare + sensitivity (slowest)", max(lever) + compared + tornado, None),
    ):
        goal_text, verdict = (f"< {goal * 1e3:g} ms", "  OK" if seconds < goal else "  over") if goal else ("—", "")
        print(f"{label:46s} {seconds * 1e3:7.1f}ms {goal_text:>9s}{verdict}")
    print("  (per scenario: " + ", ".join(f"{s.name} {t * 1e3:.1f}" for s, t in zip(LEVER_CHANGES, lever)) + " ms)")


if __name__ == "__main__":
    main()
