"""App start-up time: `streamlit run app.py` until the Overview page is rendered in Chromium.

Run: ``python bench/startup.py``

Two cases, each in a new server process: a first start (the workspace file does not exist and is
seeded from data/sample) and a warm start (the file exists). The time runs from launching the
server to the Overview's KPI cards being visible in headless Chromium. The reference is the time
to the server's health endpoint answering in the same run (Streamlit's own start-up).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import chromium_page, streamlit_server, wait_until_idle  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, chromium_page() as page:
        workspace = Path(tmp) / "workspace.duckdb"
        for case in ("first start (seeding)", "warm start"):
            start = time.perf_counter()
            with streamlit_server(workspace) as url:
                healthy = time.perf_counter() - start
                page.goto(url)
                wait_until_idle(page)
                page.locator('[data-testid="stMetric"]').first.wait_for()
                rendered = time.perf_counter() - start
            print(
                f"{case:24s} server healthy {healthy:5.2f} s   Overview rendered {rendered:5.2f} s   "
                f"ratio {rendered / healthy:.2f}x"
            )


if __name__ == "__main__":
    main()
