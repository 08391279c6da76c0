"""Fixtures shared by the test modules.

The app's background preparation of views (``ui.warm_up``) is off in this process, so that an
AppTest run sees only what its own page computes; ``tests/test_warm_up.py`` turns it on, and the
browser tests' servers run with it on (``tests.browser.streamlit_server``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ["B2B_PREPARE_VIEWS"] = "0"


def pytest_collection_modifyitems(items):
    """With ``-n 2 --dist loadgroup`` (the README's command) the browser tests run one after the
    other on one worker, each with its server and Chromium, while the other worker runs the rest;
    the Spark tests run on one worker too, so that one Spark session (a JVM) serves them all."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif item.get_closest_marker("spark"):
            item.add_marker(pytest.mark.xdist_group("spark"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report ends with what its page showed then (address and text), and
    a screenshot of it is kept in ``test-artifacts/failures``: a failure seen once in a full run
    can then be read, not guessed."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.failed and call.when == "call" and hasattr(page, "screenshot"):
        try:
            text = page.locator("body").inner_text(timeout=5_000)
            folder = Path(__file__).resolve().parents[1] / "test-artifacts" / "failures"
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{item.name[:80]}.png"), timeout=5_000)
        except Exception as error:  # the page itself may be what failed
            text = f"(the page could not be read: {error})"
        report.sections.append(("page at failure", f"{page.url}\n{text[:4000]}"))
    return report


@pytest.fixture
def workspace_path(tmp_path, monkeypatch):
    """A workspace file in a temporary folder, made the app's workspace ($B2B_WORKSPACE)."""
    path = tmp_path / "workspace.duckdb"
    monkeypatch.setenv("B2B_WORKSPACE", str(path))
    return path


@pytest.fixture
def lake(tmp_path, monkeypatch, workspace_path):
    """A function pointing the app at a source (its connection and settings, as ``$B2B_SOURCE…``)."""
    from tests import source_files

    def point_at(connection: str, **settings: str) -> None:
        monkeypatch.setenv("B2B_SOURCE", connection)
        monkeypatch.setenv("B2B_SOURCE_MAPPING", json.dumps(source_files.MAPPING))
        for name, value in settings.items():
            monkeypatch.setenv(f"B2B_SOURCE_{name.upper()}", value)

    return point_at


@pytest.fixture(autouse=True, scope="session")
def _views_prepared_before_exit():
    """The app prepares each data version's views in a background thread (``ui.warm_up``): let the
    last one finish before the interpreter exits under it."""
    yield
    from ui import warm_up

    warm_up.wait(300)
