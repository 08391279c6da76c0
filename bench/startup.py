"""App start-up time: `streamlit run server.py` until the Overview page is rendered in Chromium.

Run: ``python bench/startup.py [--repeat 5]``

Two cases, each in new server processes: a first start (the workspace file does not exist and is
seeded from data/sample) and a warm start (the file exists). The time runs from launching the
server to the Overview's KPI cards being visible in headless Chromium. The reference is the time
to the server's health endpoint answering in the same runs (Streamlit's own start-up). Prints the
median and the range of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import chromium_page, streamlit_server, wait_until_idle  # noqa: E402


def start_and_render(page, workspace: Path) -> tuple[float, float]:
    """(seconds until the server is healthy, seconds until the Overview is rendered)."""
    start = time.perf_counter()
    with streamlit_server(workspace) as url:
        healthy = time.perf_counter() - start
        page.goto(url)
        wait_until_idle(page)
        page.locator('[data-testid="stMetric"]').first.wait_for()
        return healthy, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    runs: dict[str, list[tuple[float, float]]] = {"first start (seeding)": [], "warm start": []}
    with chromium_page() as page:
        for round_ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                workspace = Path(tmp) / f"workspace{round_}.duckdb"
                for case in runs:  # the first start creates the file the warm start opens
                    runs[case].append(start_and_render(page, workspace))
    for case, times in runs.items():
        healthy, rendered = (sorted(t[k] for t in times) for k in (0, 1))
        print(
            f"{case:24s} server healthy {statistics.median(healthy):5.2f} s   Overview rendered "
            f"{statistics.median(rendered):5.2f} s (range {rendered[0]:.2f}–{rendered[-1]:.2f}, {len(times)} runs)   "
            f"ratio {statistics.median(rendered) / statistics.median(healthy):.2f}x"
        )


if __name__ == "__main__":
    main()
