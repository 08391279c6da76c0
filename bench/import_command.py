"""The command-line import of a large CSV against DuckDB's own ``read_csv`` into a table.

Run: ``python bench/import_command.py [--rows 1000000]``

Writes the generated sample's export (``sample.to_export``) of ``--rows`` accounts in one
quarter as a CSV, then in the same process times (1) the reference: DuckDB reading the file into
a table of a new database file, and (2) ``command.import_files`` of the file into a new
workspace (read in batches, every rule checked, committed as one upload). Prints both, their
ratio and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import sample, store  # noqa: E402
from b2b_core.access import LOCAL  # noqa: E402
from b2b_core.ingest import command  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "accounts_2026Q3.csv"
        sample.to_export(sample.generate_panel(args.rows, 1)).to_csv(path, index=False)
        print(f"{args.rows:,} rows, {path.stat().st_size / 2**20:,.0f} MB of CSV")

        start = time.perf_counter()
        with duckdb.connect(str(Path(folder) / "reference.duckdb")) as con:
            con.execute(f"CREATE TABLE accounts AS SELECT * FROM read_csv('{path}')")
        reference = time.perf_counter() - start

        start = time.perf_counter()
        with store.Workspace(Path(folder) / "workspace.duckdb") as workspace:
            report = command.import_files([path], workspace, actor=LOCAL)
        imported = time.perf_counter() - start
        assert report.upload_id is not None, report.refused
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"DuckDB read_csv into a table: {reference:.2f} s")
        print(f"command-line import:          {imported:.2f} s ({imported / reference:.1f}× the reference)")
        print(f"peak memory of the process:   {peak:,.0f} MB")


if __name__ == "__main__":
    main()
