"""The Data page's backup and restore, through a real server and Chromium: download a backup,
refuse a damaged file without changing anything, restore another workspace's backup."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from b2b_core import exports, sample, store
from b2b_core.access import LOCAL
from b2b_core.store import Workspace
from tests.apptest import open_app, workspace_of
from tests.browser import (
    ERROR_ELEMENTS,
    chromium_page,
    download_a_backup,
    restore_a_backup,
    streamlit_server,
    wait_until_idle,
)


def test_an_admin_prepares_a_backup_once_and_others_are_told_who_may(workspace_path):
    app = open_app("pages/data.py")
    app.button(key="backup:prepare").click().run()
    assert not app.exception
    trail = workspace_of(workspace_path).audit_trail()
    assert trail["action"].iloc[0] == "backup"
    app.run()  # a rerun does not back up again
    assert (workspace_of(workspace_path).audit_trail()["action"] == "backup").sum() == 1


def test_a_workspace_too_large_for_the_browser_is_backed_up_from_the_command_line_and_not_zipped(
    workspace_path, monkeypatch
):
    app = open_app("pages/data.py")  # the sample: 2,000 accounts, ~14,000 stored rows
    monkeypatch.setattr(store.Workspace, "stored_bytes", lambda self: 1_500 * 2**20)
    monkeypatch.setattr(exports, "ZIP_LIMIT_ROWS", 1_000)
    app.run()
    assert not app.exception and not [b for b in app.button if b.key == "backup:prepare"]
    notice = next(i.value for i in app.info if "from the command line" in i.value)
    assert f"--workspace {workspace_path}`" in notice and "takes 1,500 MB, more than the 1,024 MB" in notice
    stored = int(workspace_of(workspace_path).uploads()["rows"].sum())
    assert any(
        f"this workspace holds {stored:,}" in c.value and "up to 1,000 stored rows" in c.value for c in app.caption
    )
    assert "Whole workspace (CSV zip)" not in {d.proto.label for d in app.get("download_button")}
    monkeypatch.setattr(exports, "ZIP_LIMIT_ROWS", stored)  # at the limit: offered
    app.run()
    assert "Whole workspace (CSV zip)" in {d.proto.label for d in app.get("download_button")}


@pytest.mark.browser
def test_a_backup_downloads_a_damaged_file_is_refused_and_another_backup_restores(tmp_path):
    elsewhere = tmp_path / "elsewhere.duckdb"
    with Workspace(elsewhere) as other:
        other.commit(sample.generate_panel(40, 2, seed=3), "elsewhere.csv", actor=LOCAL)
        other.write_backup(tmp_path / "elsewhere_backup.duckdb", actor=LOCAL)
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes((tmp_path / "elsewhere_backup.duckdb").read_bytes()[:5000])
    path = tmp_path / "workspace.duckdb"
    with streamlit_server(path) as url, chromium_page() as page:
        page.goto(url + "/data")
        wait_until_idle(page)
        download_a_backup(page, tmp_path / "downloaded.duckdb")
        restore_a_backup(page, damaged)
        expect(page.get_by_text("Not restored, nothing changed: This backup file is damaged")).to_be_visible()
        restore_a_backup(page, tmp_path / "elsewhere_backup.duckdb")
        expect(page.get_by_text("Restored the backup of")).to_be_visible()
        assert page.locator(ERROR_ELEMENTS).count() == 0
    with Workspace(path) as ws, Workspace(elsewhere) as other:
        assert ws.uploads()["source"].tolist() == ["elsewhere.csv"]
        assert ws.panel().equals(other.panel())
        assert ws.audit_trail()["action"].tolist()[:2] == ["restore_backup", "backup"]
        ws.restore_backup(
            tmp_path / "downloaded.duckdb", actor=LOCAL
        )  # the download is a whole, valid backup: the sample
        assert "elsewhere.csv" not in set(ws.uploads()["source"])
        assert ws.quarters() == sorted(sample.generate_panel()["quarter"].unique())
