"""The file under the workspace: replaced or deleted while open, lost from its path, a disk that
refuses writes, temporary backup files, reads that never wait for a write, a schema that keeps
only the custom metrics stored uploads use, and the command-line backup and restore."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from b2b_core import contract, sample, store
from b2b_core.access import LOCAL
from b2b_core.store import Workspace, WorkspaceMissing, WorkspaceReplaced, WorkspaceUnwritable
from b2b_core.store.errors import unwritable

REPO = Path(__file__).resolve().parent.parent


def upload(quarter: str, revenue: dict[str, float], **extra: list) -> pd.DataFrame:
    return pd.DataFrame(
        {"account_id": list(revenue), "quarter": quarter, "platform_revenue": list(revenue.values()), **extra}
    )


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "ws.duckdb") as workspace:
        workspace.commit(upload("2025Q1", {"a": 1.0, "b": 2.0}), "q1.csv", actor=LOCAL)
        yield workspace


# -- the file at the path ------------------------------------------------------------------------


def test_a_new_workspace_leaves_a_marker_and_says_it_was_created(tmp_path):
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        assert ws.created and ws.still_at_path()
    assert store.created_marker(path).read_text().startswith("created ")
    with Workspace(path) as ws:
        assert not ws.created


@pytest.mark.parametrize("how", ["deleted", "replaced by another file", "moved away"])
def test_a_write_to_a_file_no_longer_at_its_path_is_refused_and_nothing_is_lost(ws, tmp_path, how):
    before = ws.version
    if how == "deleted":
        ws.path.unlink()
    elif how == "replaced by another file":
        with Workspace(tmp_path / "other.duckdb") as other:
            other.commit(upload("2024Q4", {"z": 9.0}), "other.csv", actor=LOCAL)
        os.replace(tmp_path / "other.duckdb", ws.path)
    else:
        ws.path.rename(tmp_path / "moved.duckdb")
    assert not ws.still_at_path()
    writes = [
        lambda: ws.commit(upload("2025Q2", {"a": 3.0}), "q2.csv", actor=LOCAL),
        lambda: ws.delete(1, actor=LOCAL),
        lambda: ws.save_scenario("Push", {"renewal_uplift": 1.0}, actor=LOCAL),
        lambda: ws.save_playbook_weights("traction", "platform", {"brand": 2.0}, actor=LOCAL),
        lambda: ws.backup(actor=LOCAL),
        lambda: ws.restore_backup(b"", actor=LOCAL),  # refused as not a backup before anything is written
    ]
    for write in writes[:-1]:
        with pytest.raises(WorkspaceReplaced, match=r"was deleted, moved or replaced .* nothing was written"):
            write()
    with pytest.raises(ValueError):
        writes[-1]()
    assert ws.version == before and ws.quarters() == ["2025Q1"]  # the open file is as it was
    if how == "replaced by another file":
        with pytest.raises(WorkspaceReplaced):  # DuckDB would share the open one's file: not opened
            Workspace(ws.path)
        ws.close()
        with Workspace(ws.path) as now:  # once closed, the file now at the path opens, untouched
            assert now.still_at_path() and now.quarters() == ["2024Q4"] and now.version == 1


def test_a_workspace_lost_from_its_path_is_reported_and_never_replaced_by_the_sample(tmp_path):
    path = tmp_path / "ws.duckdb"
    sample.open_workspace(path).close()
    path.unlink()
    Path(f"{path}.wal").unlink(missing_ok=True)
    for attempt in (lambda: Workspace(path), lambda: sample.open_workspace(path)):
        with pytest.raises(WorkspaceMissing, match=r"is missing, but a workspace was kept there \(created .*UTC\)"):
            attempt()
        assert not path.exists()
    with pytest.raises(WorkspaceMissing, match=r"restore a backup into it \(python -m b2b_core.store restore"):
        Workspace(path)
    with Workspace(path, recreate=True) as again:  # a deliberate restore may recreate it
        assert again.created and again.is_empty()


# -- a disk that refuses writes ----------------------------------------------------------------------

FULL_DISK = """
import json, resource, sys
import pandas as pd
from b2b_core import sample
from b2b_core.access import LOCAL
from b2b_core.store import Workspace, WorkspaceError
path, backup = sys.argv[1], sys.argv[2]
ws = Workspace(path)
writes = {
    "commit": lambda: ws.commit(sample.generate_panel(3000, 2, seed=5), "big.csv", actor=LOCAL),
    "restore": lambda: ws.restore(1, actor=LOCAL),
    "delete": lambda: ws.delete(2, actor=LOCAL),
    "save_scenario": lambda: ws.save_scenario("Push", {"renewal_uplift": 1.0}, actor=LOCAL),
    "save_playbook_weights": lambda: ws.save_playbook_weights("traction", "platform", {"brand": 2.0}, actor=LOCAL),
    "backup": lambda: ws.backup(actor=LOCAL),
    "restore_backup": lambda: ws.restore_backup(backup, actor=LOCAL),
}
before = ws.version, len(ws.audit_trail()), ws.saved_scenarios()
hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
resource.setrlimit(resource.RLIMIT_FSIZE, (1, hard))  # no file may grow past 1 byte (Python ignores SIGXFSZ)
found = {}
for name, write in writes.items():
    try:
        write()
        found[name] = "written"
    except WorkspaceError as error:
        found[name] = type(error).__name__ + ": " + str(error)
resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
found["unchanged"] = (ws.version, len(ws.audit_trail()), ws.saved_scenarios()) == before
ws.save_scenario("After", {"renewal_uplift": 2.0}, actor=LOCAL)
found["writable again"] = ws.saved_scenarios()[-1][0] == "After"
print(json.dumps(found))
"""


def test_every_write_to_a_full_disk_says_so_and_changes_nothing(tmp_path):
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        ws.commit(upload("2025Q1", {"a": 1.0}), "q1.csv", actor=LOCAL)
        ws.commit(upload("2025Q1", {"a": 2.0}), "q1 again.csv", actor=LOCAL)
        ws.write_backup(tmp_path / "backup.duckdb", actor=LOCAL)
    temp = tmp_path / "temp"
    temp.mkdir()
    run = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(path), str(tmp_path / "backup.duckdb")],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(temp)},
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found.pop("unchanged") and found.pop("writable again")
    for write, outcome in found.items():
        assert outcome.startswith("WorkspaceUnwritable: "), (write, outcome)
        assert "the file has reached the largest size allowed (File too large). Nothing changed." in outcome, write
    assert "The backup file" in found["backup"] and "A temporary copy of the backup" in found["restore_backup"]
    assert list(temp.iterdir()) == []  # no temporary backup file left behind


@pytest.mark.parametrize(
    "error, meaning",
    [
        (OSError(errno.ENOSPC, "No space left on device"), "the disk is full (No space left on device)"),
        (duckdb.IOException('Could not write file "x.wal": No space left on device'), "the disk is full"),
        (duckdb.IOException('Cannot open file "x.wal": Read-only file system'), "the disk is read-only"),
        (PermissionError(errno.EACCES, "Permission denied"), "the app is not allowed to write the file or its folder"),
        (duckdb.TransactionException("Failed to commit: Could not write file: File too large"), "largest size allowed"),
        (duckdb.IOException("Could not sync the file"), "could not be written (Could not sync the file)"),
    ],
)
def test_each_refusal_of_the_disk_is_named_and_says_nothing_changed(error, meaning):
    found = unwritable(error, "The workspace file w.duckdb")
    assert isinstance(found, WorkspaceUnwritable) and meaning in str(found)
    assert str(found).startswith("The workspace file w.duckdb could not be written") and "Nothing changed." in str(
        found
    )


def test_errors_that_are_not_about_the_disk_are_left_as_they_are():
    for error in (ValueError("File too large"), duckdb.ConstraintException("Duplicate key"), KeyError("x")):
        assert unwritable(error, "The workspace file w.duckdb") is None


def test_temporary_folders_left_by_a_killed_backup_are_removed_by_the_next_one(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / "temp" / f"b2b-backup-{gone.stdout.strip()}-x1y2"
    stale.mkdir()
    (stale / "backup.duckdb").write_bytes(b"half a backup")
    other = tmp_path / "temp" / "someone-else's"
    other.mkdir()
    ws.backup(actor=LOCAL)
    assert sorted(p.name for p in (tmp_path / "temp").iterdir()) == ["someone-else's"]


# -- writes and reads ---------------------------------------------------------------------------------


def test_reads_do_not_wait_for_a_write_under_way_and_see_the_last_committed_state(ws):
    inside, release = threading.Event(), threading.Event()

    def slow_write() -> None:
        with ws._write() as con:
            con.execute("UPDATE panel_rows SET platform_revenue = 99")
            inside.set()
            release.wait(30)

    writer = threading.Thread(target=slow_write)
    writer.start()
    try:
        assert inside.wait(30)
        done = {}
        reader = threading.Thread(target=lambda: done.update(panel=ws.panel(), version=ws.version))
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), "a read waited for the write"
        assert done["version"] == 1 and done["panel"]["platform_revenue"].tolist() == [1.0, 2.0]
    finally:
        release.set()
        writer.join(30)
    assert ws.version == 2 and ws.panel()["platform_revenue"].tolist() == [99.0, 99.0]


# -- custom metrics: a lean schema ------------------------------------------------------------------------


def test_custom_metric_columns_are_dropped_with_the_last_upload_that_used_them(ws):
    orders = ws.commit(upload("2025Q2", {"a": 1.0}, orders=[3.0], visits=[5.0]), "q2.csv", actor=LOCAL)
    ws.commit(upload("2025Q3", {"a": 1.0}, visits=[6.0]), "q3.csv", actor=LOCAL)
    assert ws.stored_rows().columns[-2:].tolist() == ["orders", "visits"]
    ws.delete(orders, actor=LOCAL)
    assert ws.stored_rows().columns[-1] == "visits" and "orders" not in ws.stored_rows()
    assert json.loads(ws.audit_trail()["details"].iloc[0])["dropped_metrics"] == ["orders"]
    ws.commit(upload("2025Q2", {"a": 1.0}, orders=[4.0]), "q2 again.csv", actor=LOCAL)  # and may come back
    assert ws.panel()["orders"].dropna().tolist() == [4.0]


def test_the_workspace_keeps_at_most_the_stated_number_of_custom_metrics(ws):
    limit = contract.MAX_CUSTOM_METRICS
    half = {f"m{i}": [1.0] for i in range(limit // 2)}
    ws.commit(upload("2025Q2", {"a": 1.0}, **half), "half.csv", actor=LOCAL)
    other_half = {f"n{i}": [1.0] for i in range(limit - limit // 2)}
    ws.commit(upload("2025Q3", {"a": 1.0}, **other_half), "other half.csv", actor=LOCAL)
    version = ws.version
    with pytest.raises(
        ValueError, match=rf"holds {limit} custom metrics and this upload brings 1 more; at most {limit}"
    ):
        ws.commit(upload("2025Q4", {"a": 1.0}, extra=[1.0]), "one more.csv", actor=LOCAL)
    too_many = {f"x{i}": [1.0] for i in range(limit + 1)}
    with pytest.raises(ValueError, match=rf"{limit + 1} custom metric columns; at most {limit}"):
        ws.commit(upload("2025Q4", {"a": 1.0}, **too_many), "too many.csv", actor=LOCAL)
    assert ws.version == version and len(ws.stored_rows().columns) == 1 + len(contract.NAMES) + limit


# -- the command line -------------------------------------------------------------------------------------


def run_store(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "b2b_core.store", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )


def test_the_command_line_backs_up_and_restores_a_workspace_even_into_a_lost_path(ws, tmp_path):
    ws.save_scenario("Push", {"renewal_uplift": 1.0}, actor=LOCAL)
    ws.close()
    backup, target = tmp_path / "backup.duckdb", tmp_path / "target.duckdb"
    made = run_store("backup", str(backup), "--workspace", str(ws.path))
    assert made.returncode == 0 and "(version 1)" in made.stdout, made.stderr
    sample.open_workspace(target).close()
    target.unlink()  # the file was lost; its marker says a workspace was there
    done = run_store("restore", str(backup), "--workspace", str(target))
    assert done.returncode == 0, done.stderr
    assert "1 upload(s), 2 stored rows. The workspace is now at version 1." in done.stdout
    with Workspace(target) as restored:
        assert restored.quarters() == ["2025Q1"] and restored.saved_scenarios() == [("Push", {"renewal_uplift": 1.0})]
        entry = restored.audit_trail().iloc[0]
        assert (entry.action, entry.actor, entry.role) == ("restore_backup", "local user", "admin")
    refused = run_store("restore", str(tmp_path / "nothing.duckdb"), "--workspace", str(target))
    assert refused.returncode == 1 and "Not done: There is no backup file at" in refused.stderr
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(backup.read_bytes()[:5000])
    refused = run_store("restore", str(damaged), "--workspace", str(target))
    assert refused.returncode == 1 and "Not done: This backup file is damaged or incomplete" in refused.stderr


def test_a_refused_command_line_restore_into_a_lost_path_leaves_it_lost(tmp_path):
    target = tmp_path / "target.duckdb"
    sample.open_workspace(target).close()
    target.unlink()
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a backup")
    refused = run_store("restore", str(damaged), "--workspace", str(target))
    assert refused.returncode == 1 and "not a backup of this app's workspace" in refused.stderr
    assert not target.exists() and store.created_marker(target).exists()  # no empty file to fill with the sample
    with pytest.raises(WorkspaceMissing):
        sample.open_workspace(target)
    missing = run_store("backup", str(tmp_path / "b.duckdb"), "--workspace", str(tmp_path / "typo.duckdb"))
    assert missing.returncode == 1 and "there is no workspace file at" in missing.stderr
    assert not (tmp_path / "typo.duckdb").exists() and not (tmp_path / "b.duckdb").exists()


def test_the_command_line_refuses_a_workspace_the_app_has_open(ws, tmp_path):
    ws.write_backup(tmp_path / "backup.duckdb", actor=LOCAL)
    blocked = subprocess.Popen(  # another process holds the workspace open, as a running app does
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(tmp_path / 'held.duckdb')!r}); "
            "print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert blocked.stdout.readline().strip() == "open"
        refused = run_store("restore", str(tmp_path / "backup.duckdb"), "--workspace", str(tmp_path / "held.duckdb"))
    finally:
        blocked.kill()
        blocked.wait()
    assert refused.returncode == 1
    assert "cannot be opened" in refused.stderr and "stop the app first, or use the Data page" in refused.stderr
