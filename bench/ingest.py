"""Ingest benchmark: upload → validate → commit of a generated CSV, against DuckDB's read_csv.

Run: ``python bench/ingest.py [--rows 1000000] [--repeat 3]``

The file is the sample generator's export (one quarter of ``--rows`` accounts, the ops-style
headers of ``data/sample``). Three timings per round, each in a fresh database:

* reference, in memory: ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` in an in-memory DuckDB;
* reference, to a file: the same into a new DuckDB database file (what a commit must also do);
* ours: ``read_upload`` (sniff, decode, map headers, clean, validate) + ``Workspace.commit``.

It prints the median of each, the ratios of ours to both references, and the peak resident
memory added by each step (sampled every 5 ms from /proc, in one more run of each step).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import sample  # noqa: E402
from b2b_core.access import LOCAL  # noqa: E402
from b2b_core.ingest import read_upload  # noqa: E402
from b2b_core.store import Workspace  # noqa: E402


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


class PeakMemory:
    """Peak resident memory above the starting level while the block runs (sampled, bytes)."""

    def __enter__(self):
        self.start = self.peak = _rss_bytes()
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while self._running:
            self.peak = max(self.peak, _rss_bytes())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()
        self.added = self.peak - self.start


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def peak_memory(step) -> int:
    """Measured in a run of its own: the sampling thread would slow a timed run."""
    with PeakMemory() as memory:
        step()
    return memory.added


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "accounts_2026Q3.csv"
        panel = sample.generate_panel(n_accounts=args.rows, n_quarters=1, last_quarter="2026Q3")
        sample.to_export(panel).to_csv(csv_path, index=False)
        del panel
        data = csv_path.read_bytes()
        print(f"file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB, {len(sample.EXPORT_HEADERS)} columns")

        results: dict[str, list[float]] = {"memory": [], "file": [], "ours": []}
        peak: dict[str, int] = {}

        def reference_in_memory(_round: int) -> None:
            with duckdb.connect() as con:
                con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")

        def reference_to_file(round_: int) -> None:
            with duckdb.connect(str(tmp / f"reference{round_}.duckdb")) as con:
                con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")

        def ours(round_: int) -> None:
            result = read_upload(data, csv_path.name)
            assert result.ok and result.table.num_rows == args.rows, result.errors.head()
            with Workspace(tmp / f"workspace{round_}.duckdb") as workspace:
                workspace.commit(result.table, result.source, sha256=result.sha256, actor=LOCAL)

        steps = {"memory": reference_in_memory, "file": reference_to_file, "ours": ours}
        for round_ in range(args.repeat):
            for key, step in steps.items():
                results[key].append(timed(lambda step=step, round_=round_: step(round_)))
        for key, step in steps.items():
            peak[key] = peak_memory(lambda step=step: step(args.repeat))

    median = {k: statistics.median(v) for k, v in results.items()}
    labels = {
        "memory": "DuckDB read_csv, in memory",
        "file": "DuckDB read_csv, to a file",
        "ours": "read_upload + commit",
    }
    for key, label in labels.items():
        runs = ", ".join(f"{s:.2f}" for s in results[key])
        print(f"{label:32s} {median[key]:7.3f} s   peak +{peak[key] / 2**20:6.0f} MiB   (runs: {runs})")
    print(f"ratio to read_csv in memory:  {median['ours'] / median['memory']:.2f}x")
    print(f"ratio to read_csv to a file:  {median['ours'] / median['file']:.2f}x")


if __name__ == "__main__":
    main()
