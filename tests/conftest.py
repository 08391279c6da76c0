"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest


@pytest.fixture
def workspace_path(tmp_path, monkeypatch):
    """A workspace file in a temporary folder, made the app's workspace ($B2B_WORKSPACE)."""
    path = tmp_path / "workspace.duckdb"
    monkeypatch.setenv("B2B_WORKSPACE", str(path))
    return path


@pytest.fixture(autouse=True, scope="session")
def _views_prepared_before_exit():
    """The app prepares each data version's views in a background thread (``ui.warm_up``): let the
    last one finish before the interpreter exits under it."""
    yield
    from ui import warm_up

    warm_up.wait(300)
