"""Workspace benchmark: a commit that brings many custom metric columns, and a schema that stays lean.

Run: ``python bench/workspace_writes.py [--accounts 100000] [--metrics 200]``

A workspace of ``--accounts`` accounts × 12 quarters (the sample generator's panel) gets one more
upload: the last quarter again, with ``--metrics`` new custom metric columns (the most a workspace
keeps). Printed:

* the commit's time with the new columns against the same commit without them (the reference,
  in the same run): how long the writers' lock is held;
* while that commit runs, the slowest of the reads another session makes every 20 ms (the
  workspace's quarters and version, as every page does): reads never wait for the writer;
* ``panel()`` before the upload, with it, and after it is deleted (its columns dropped), each as a
  ratio to the first.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import sample  # noqa: E402
from b2b_core.access import LOCAL  # noqa: E402
from b2b_core.store import Workspace  # noqa: E402


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def slowest_read_during(ws: Workspace, action) -> tuple[float, float]:
    """(seconds ``action`` took, the slowest read another thread made meanwhile, seconds)."""
    running, slowest = threading.Event(), [0.0]

    def read_until_done() -> None:
        while running.is_set():
            took, _ = timed(lambda: (ws.quarters(), ws.version))
            slowest[0] = max(slowest[0], took)
            time.sleep(0.02)

    running.set()
    reader = threading.Thread(target=read_until_done)
    reader.start()
    try:
        took, _ = timed(action)
    finally:
        running.clear()
        reader.join()
    return took, slowest[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--metrics", type=int, default=200)
    args = parser.parse_args()
    panel = sample.generate_panel(args.accounts, 12, seed=7).drop(columns="orders")  # no custom metric yet
    last = panel[panel["quarter"] == panel["quarter"].max()]
    noise = np.random.default_rng(0).random((len(last), args.metrics))
    metrics = pd.DataFrame(noise, index=last.index, columns=[f"metric_{i}" for i in range(args.metrics)])
    wide = pd.concat([last, metrics], axis=1)
    with tempfile.TemporaryDirectory() as folder, Workspace(Path(folder) / "ws.duckdb") as ws:
        ws.commit(panel, "history.csv", actor=LOCAL)
        print(f"workspace: {args.accounts:,} accounts, {len(panel):,} rows; upload: {len(last):,} rows")
        before, _ = timed(ws.panel)
        reference, _ = timed(lambda: ws.commit(last, "same quarter.csv", actor=LOCAL))
        took, slowest = slowest_read_during(ws, lambda: ws.commit(wide, "wide.csv", actor=LOCAL))
        print(f"commit without new columns (reference): {reference:.2f} s")
        print(f"commit with {args.metrics} new columns: {took:.2f} s ({took / reference:.1f}x the reference)")
        print(f"slowest read during that commit: {slowest * 1000:.0f} ms")
        with_columns, _ = timed(ws.panel)
        upload_id = int(ws.uploads()["upload_id"].iloc[0])
        deleted, _ = timed(lambda: ws.delete(upload_id, actor=LOCAL))
        after, _ = timed(ws.panel)
        print(f"delete (dropping {args.metrics} columns): {deleted:.2f} s")
        print(
            f"panel(): before {before:.2f} s, with the columns {with_columns:.2f} s ({with_columns / before:.1f}x), "
            f"after the delete {after:.2f} s ({after / before:.1f}x)"
        )


if __name__ == "__main__":
    main()
