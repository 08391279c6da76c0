"""The workspace's file and backups through a real server and Chromium: a backup larger than an
account file downloads and restores through the page, a workspace file deleted under the running
app, a disk that refuses writes, and audited downloads of the workspace's content."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import duckdb
import numpy as np
import pytest
from playwright.sync_api import expect

from b2b_core import sample
from b2b_core.access import LOCAL
from b2b_core.store import Workspace
from tests.browser import (
    ERROR_ELEMENTS,
    chromium_page,
    download_a_backup,
    restore_a_backup,
    server_pid,
    streamlit_server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


def save_a_scenario(page) -> None:
    """A new scenario in the lab, saved in the workspace."""
    for key in ("new", "save"):
        page.locator(f".st-key-lab-{key} button").first.click()
        wait_until_idle(page)


def test_a_backup_over_60_mb_downloads_and_restores_through_the_page(tmp_path):
    path = tmp_path / "workspace.duckdb"
    big = sample.generate_panel(25_000, 8, seed=1)
    noise = np.random.default_rng(0).random((len(big), 90))  # incompressible: the file stays large
    big = big.assign(**{f"metric_{i}": noise[:, i] for i in range(noise.shape[1])})
    with Workspace(path) as ws:
        ws.commit(big, "big.csv", actor=LOCAL)
    with streamlit_server(path) as url, chromium_page() as page:
        page.goto(url + "/data")
        wait_until_idle(page)
        backup = tmp_path / "downloaded.duckdb"
        download_a_backup(page, backup, timeout_ms=120_000)
        assert backup.stat().st_size > 60e6  # more than the 50 MB an account file may have
        restore_a_backup(page, backup)
        expect(page.get_by_text("Restored the backup of")).to_be_visible(timeout=120_000)
        assert page.locator(ERROR_ELEMENTS).count() == 0
    with Workspace(path) as ws:
        assert ws.version == 2 and ws.audit_trail()["action"].tolist()[:2] == ["restore_backup", "backup"]
        assert len(ws.panel()) == len(big) and ws.panel()["metric_89"].sum() == pytest.approx(noise[:, 89].sum())


def test_an_edited_backup_is_refused_on_the_page_and_nothing_changes(tmp_path):
    backup = tmp_path / "edited.duckdb"
    with Workspace(tmp_path / "elsewhere.duckdb") as elsewhere:
        elsewhere.commit(sample.generate_panel(40, 2, seed=3), "elsewhere.csv", actor=LOCAL)
        elsewhere.write_backup(backup, actor=LOCAL)
    with duckdb.connect(str(backup)) as con:  # a quarter written as markup, the manifest's counts left as they are
        con.execute("UPDATE panel_rows SET quarter = '<img src=x onerror=alert(1)>**Q**' WHERE account_id = 'M000001'")
    path = tmp_path / "workspace.duckdb"
    with streamlit_server(path) as url, chromium_page() as page:
        page.goto(url + "/data")
        wait_until_idle(page)
        restore_a_backup(page, backup)
        expect(
            page.get_by_text("Not restored, nothing changed: This backup's stored rows break the data")
        ).to_be_visible()
        assert page.locator("img[src=x]").count() == 0 and page.locator('[data-testid="stException"]').count() == 0
        page.goto(url + "/")
        wait_until_idle(page)
        assert page.locator(ERROR_ELEMENTS).count() == 0
    with Workspace(path) as ws:
        assert ws.version == 1 and ws.audit_trail()["action"].iloc[0] == "commit"


def test_a_workspace_file_deleted_under_the_running_app_is_reported_and_not_replaced(tmp_path):
    path = tmp_path / "workspace.duckdb"
    with streamlit_server(path) as url, chromium_page() as page:
        page.goto(url + "/scenarios")
        wait_until_idle(page)
        expect(page.get_by_text("This app created a new workspace at")).to_be_visible()
        path.unlink()
        Path(f"{path}.wal").unlink(missing_ok=True)
        page.locator(".st-key-lab-new button").first.click()  # the next run finds the file gone
        wait_until_idle(page)
        expect(page.get_by_text("is missing, but a workspace was kept there")).to_be_visible()
        page.goto(url + "/data")
        wait_until_idle(page)
        expect(page.get_by_text("is missing, but a workspace was kept there")).to_be_visible()
        assert not path.exists()  # not silently seeded again with the sample
        assert page.locator('[data-testid="stException"]').count() == 0


def test_a_workspace_file_replaced_under_the_running_app_is_opened_afresh(tmp_path):
    path = tmp_path / "workspace.duckdb"
    with Workspace(tmp_path / "other.duckdb") as other:
        other.commit(sample.generate_panel(60, 4, seed=4), "other.csv", actor=LOCAL)
    with streamlit_server(path) as url, chromium_page() as page:
        page.goto(url + "/data")
        wait_until_idle(page)
        expect(page.get_by_test_id("stSidebarUserContent").get_by_text("12 quarters")).to_be_visible()
        Path(f"{path}.wal").unlink(missing_ok=True)
        (tmp_path / "other.duckdb").replace(path)  # another workspace file put in its place
        page.reload()
        wait_until_idle(page)
        expect(page.get_by_test_id("stSidebarUserContent").get_by_text("4 quarters")).to_be_visible()  # opened afresh
        assert page.locator(ERROR_ELEMENTS).count() == 0
        page.goto(url + "/scenarios")
        wait_until_idle(page)
        save_a_scenario(page)  # and written to
    with Workspace(path) as ws:
        assert ws.uploads()["source"].tolist() == ["other.csv"] and len(ws.saved_scenarios()) == 1


def test_a_full_disk_is_named_on_the_page_and_nothing_changes(tmp_path):
    path = tmp_path / "workspace.duckdb"
    with streamlit_server(path) as url, chromium_page() as page:
        page.goto(url + "/scenarios")
        wait_until_idle(page)
        pid = server_pid(path)
        hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)[1]
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (Path(f"{path}.wal").stat().st_size, hard))  # no room to grow
        try:
            save_a_scenario(page)
            expect(page.get_by_text("Not saved: The workspace file")).to_be_visible()
            expect(page.get_by_text("(File too large). Nothing changed.")).to_be_visible()
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (hard, hard))
        save_a_scenario(page)  # room again: saved
        expect(page.get_by_text("Saved 'Scenario 2' in the workspace with its projection")).to_be_visible()
    with Workspace(path) as ws:
        assert [name for name, _ in ws.saved_scenarios()] == ["Scenario 2"]


def test_downloads_of_the_workspace_s_content_are_audited(tmp_path):
    path = tmp_path / "workspace.duckdb"
    with streamlit_server(path) as url, chromium_page() as page:
        page.goto(url + "/data")
        wait_until_idle(page)
        with page.expect_download() as whole:
            page.get_by_role("button", name="Whole workspace (CSV zip)").click()
        assert whole.value.path().stat().st_size > 0
        with page.expect_download() as trail:
            page.get_by_role("button", name="Download the audit trail (CSV)").click()
        assert "committed upload #1" in trail.value.path().read_text(encoding="utf-8-sig")
    with Workspace(path) as ws:
        entries = ws.audit_trail()
        assert entries["action"].tolist()[:2] == ["export_audit", "export_workspace"]
        assert json.loads(entries["details"].iloc[1])["uploads"] == 12
