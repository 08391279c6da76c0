"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest


@pytest.fixture
def workspace_path(tmp_path, monkeypatch):
    """A workspace file in a temporary folder, made the app's workspace ($B2B_WORKSPACE)."""
    path = tmp_path / "workspace.duckdb"
    monkeypatch.setenv("B2B_WORKSPACE", str(path))
    return path
