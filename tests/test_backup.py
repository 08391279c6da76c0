"""Backups of the whole workspace and restores from them, refusals of files that are not intact
backups of this app, who may do either, and a workspace that survives its writer being killed
mid-commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from b2b_core import quarters, sample, store
from b2b_core.access import LOCAL, Actor, PermissionDenied
from b2b_core.amounts import Currency
from b2b_core.scenarios import KeptProjection
from b2b_core.store import Workspace

VIEWER = Actor("Vera Viewer", "vera@example.com", "viewer")
EDITOR = Actor("Ed Editor", "ed@example.com", "editor")
ADMIN = Actor("Ada Admin", "ada@example.com", "admin")


def upload(quarter: str, revenue: dict[str, float], **extra: list) -> pd.DataFrame:
    """A one-quarter panel: account_id → platform_revenue, plus extra columns."""
    return pd.DataFrame(
        {"account_id": list(revenue), "quarter": quarter, "platform_revenue": list(revenue.values()), **extra}
    )


def kept(last_quarter: str, accounts: float) -> KeptProjection:
    """A one-quarter kept projection after ``last_quarter``: ``accounts`` ±1, revenue 10 ±1."""
    frame = pd.DataFrame(
        [[accounts, accounts - 1, accounts + 1, 10.0, 9.0, 11.0]],
        columns=[f"{o}{s}" for o in ("active_accounts", "platform_revenue") for s in ("", "_lower", "_upper")],
        index=[quarters.shift(last_quarter, 1)],
    )
    return KeptProjection.of(frame, last_quarter)


def populated(path: Path) -> Workspace:
    """A workspace with a live, a superseded and a deleted upload, two custom metrics, scenarios
    (one with a kept projection), a recorded playbook edit, a base assumption set by hand, the
    currency, and the workshop deck's title and an edited headline."""
    ws = Workspace(path)
    h1 = pd.concat(
        [upload("2025Q1", {"a": 1, "b": 2}, orders=[3, 4]), upload("2025Q2", {"a": 5, "b": 6}, orders=[7, None])]
    )
    first = ws.commit(h1, "h1.csv", actor=EDITOR)
    ws.commit(upload("2025Q2", {"a": 50}, tickets=[1.5]), "q2 fix.csv", actor=EDITOR)
    ws.delete(ws.commit(upload("2025Q3", {"c": 9}), "wrong.csv", actor=LOCAL), actor=ADMIN)
    ws.commit(upload("2025Q1", {"a": 10}), "q1 redo.csv", actor=LOCAL)
    ws.restore(first, actor=LOCAL)
    ws.save_scenario("base", {"renewal_uplift": 0.1}, actor=LOCAL)
    ws.save_scenario(
        "bold", {"renewal_uplift": 0.05, "take_rate_change": 1.1}, projection=kept("2025Q2", 2), actor=VIEWER
    )
    ws.rename_scenario("bold", "Bold", actor=LOCAL)
    ws.save_playbook_weights("traction", "platform", {"brand": 3.0, "sales": 1.5}, actor=EDITOR)
    ws.override_base("new_accounts", 120.0, actor=EDITOR)
    ws.set_currency(Currency.of("¥", "CNY"), actor=EDITOR)
    ws.set_workshop_title("Q3 <review>", dt.date(2026, 12, 1), "Acme", actor=EDITOR)
    ws.edit_headline("overview", "Revenue grew: **keep going**", "computed", actor=EDITOR)
    return ws


def other(path: Path) -> Workspace:
    """A workspace with other data: another custom metric, another scenario, a higher version."""
    ws = Workspace(path)
    for revenue in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11):
        ws.commit(upload("2024Q4", {"z": revenue}, visits=[2.0]), f"z{revenue}.csv", actor=LOCAL)
    ws.save_scenario("other", {"take_rate_change": 2.0}, projection=kept("2024Q4", 1), actor=LOCAL)
    ws.override_base("take_rate", 12.5, actor=LOCAL)
    ws.set_currency(Currency.of("$", "USD"), actor=LOCAL)
    ws.edit_headline("stage", "Other words", "computed", actor=LOCAL)
    return ws


def state(ws: Workspace) -> dict:
    return {
        "version": ws.version,
        "quarters": ws.quarters(),
        "panel": ws.panel(),
        "stored_rows": ws.stored_rows(),
        "uploads": ws.uploads(),
        "scenarios": ws.saved_scenarios(),
        "kept_projections": {
            name: (k.last_quarter, k.saved_at, k.saved_by, k.to_json()) for name, k in ws.kept_projections().items()
        },
        "playbook_weights": ws.playbook_weights(),
        "base_overrides": ws.base_overrides(),
        "workspace_settings": {
            name: value
            for name, value in (("currency", ws.currency()), ("workshop", ws.workshop_title()))
            if value is not None
        },
        "deck_headlines": ws.edited_headlines(),
        "audit": ws.audit_trail(),
    }


def assert_same(actual: dict, expected: dict, *, without: tuple[str, ...] = ()) -> None:
    for key in expected.keys() - set(without):
        if isinstance(expected[key], pd.DataFrame):
            pd.testing.assert_frame_equal(actual[key], expected[key], obj=key)
        else:
            assert actual[key] == expected[key], key


def assert_restored(
    restored: Workspace, source: dict, backup: bytes, replaced_version: int, trail_before: pd.DataFrame
) -> None:
    """Everything as in ``source``, the state the backup was taken of, and a version bump; the
    restored workspace's own audit trail (``trail_before``) kept, with the restore on top."""
    now = state(restored)
    assert_same(now, source, without=("version", "audit"))
    assert now["version"] == replaced_version + 1
    pd.testing.assert_frame_equal(now["audit"].iloc[1:].reset_index(drop=True), trail_before)
    entry = now["audit"].iloc[0]
    assert (entry.entry_id, entry.action, entry.actor) == (len(trail_before) + 1, "restore_backup", "ada@example.com")
    details = json.loads(entry.details)
    assert details["sha256"] == hashlib.sha256(backup).hexdigest()
    assert (details["source_version"], details["replaced_version"]) == (source["version"], replaced_version)


@pytest.fixture
def ws(tmp_path):
    with populated(tmp_path / "ws.duckdb") as workspace:
        yield workspace


@pytest.fixture
def no_temp_files_left(tmp_path, monkeypatch):
    """The folder temporary files go to, checked to be empty at the end of the test."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == []


def test_a_backup_is_one_duckdb_file_with_a_manifest_and_is_audited_without_a_version_bump(ws, tmp_path):
    before = state(ws)
    path = tmp_path / "backup.duckdb"
    path.write_bytes(b"an older file, replaced")
    summary = ws.write_backup(path, actor=ADMIN)

    rows = {
        "audit": 14,
        "base_overrides": 1,
        "deck_headlines": 1,
        "kept_projections": 1,
        "live_quarters": 2,
        "panel_rows": 6,  # not the deleted upload's
        "playbook_weights": 1,
        "scenarios": 2,
        "upload_quarters": 5,
        "uploads": 4,
        "workspace_settings": 2,  # the currency and the workshop's title
        "workspace_state": 1,
    }
    assert summary == {
        "version": before["version"],
        "rows": rows,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "bytes": path.stat().st_size,
    }
    with duckdb.connect(str(path), read_only=True) as con:
        manifest = con.execute("SELECT app, format, source_version, row_counts FROM backup_manifest").fetchall()
        assert manifest == [(store.BACKUP_APP, store.BACKUP_FORMAT, before["version"], json.dumps(rows))]
        assert con.execute("SELECT name, levers FROM scenarios ORDER BY position").fetchall() == [
            ("base", '{"renewal_uplift": 0.1}'),
            ("Bold", '{"renewal_uplift": 0.05, "take_rate_change": 1.1}'),
        ]
    assert {p.name for p in tmp_path.iterdir()} <= {"ws.duckdb", "ws.duckdb.wal", "ws.duckdb.created", "backup.duckdb"}

    assert_same(state(ws), before, without=("audit",))  # version included
    trail = ws.audit_trail()
    assert (trail.action.iloc[0], trail.actor.iloc[0]) == ("backup", "ada@example.com")
    assert trail.summary.iloc[0].startswith(f"backed up the workspace (version {before['version']}): 4 upload(s), 6 ")
    assert json.loads(trail.details.iloc[0]) == summary


def test_a_backup_restores_everything_into_a_fresh_workspace(ws, tmp_path, no_temp_files_left):
    source = state(ws)
    backup = ws.backup(actor=ADMIN)
    with Workspace(tmp_path / "fresh.duckdb") as fresh:
        summary = fresh.restore_backup(backup, actor=ADMIN)
        assert_restored(fresh, source, backup, replaced_version=0, trail_before=fresh.audit_trail().iloc[:0])
        assert summary["rows"]["panel_rows"] == 6 and summary["source_version"] == source["version"]
        assert fresh.stored_rows().columns[-2:].tolist() == ["orders", "tickets"]
        fresh.commit(upload("2025Q4", {"d": 1}), "next.csv", actor=LOCAL)  # the restored workspace goes on as usual
        assert fresh.uploads().upload_id.iloc[0] == 5 and fresh.quarters()[-1] == "2025Q4"


def test_a_restore_replaces_a_workspace_with_other_data_entirely(ws, tmp_path, no_temp_files_left):
    source = state(ws)
    path = tmp_path / "backup.duckdb"
    ws.write_backup(path, actor=ADMIN)
    with other(tmp_path / "other.duckdb") as target:
        trail_before = target.audit_trail()
        target.restore_backup(path, actor=ADMIN)
        assert_restored(target, source, path.read_bytes(), replaced_version=11, trail_before=trail_before)
        assert "visits" not in target.stored_rows()  # no column of the replaced data is left

        target.commit(
            upload("2024Q4", {"z": 1}, visits=[3.0]), "z again.csv", actor=LOCAL
        )  # the backup as a file object
        target.restore_backup(io.BytesIO(path.read_bytes()), actor=ADMIN)
        assert target.version == 14
        assert_same(state(target), source, without=("version", "audit"))


def test_backups_taken_while_another_thread_commits_are_consistent_snapshots(tmp_path):
    with Workspace(tmp_path / "ws.duckdb") as ws, Workspace(tmp_path / "check.duckdb") as check:
        stop = threading.Event()

        def commit_until_stopped() -> None:
            for n in range(1, 200):
                ws.commit(sample.generate_panel(20 + n, 2, seed=n), f"{n}.csv", actor=LOCAL)
                if stop.is_set():
                    return

        writer = threading.Thread(target=commit_until_stopped)
        writer.start()
        backups = []
        try:
            for _ in range(5):
                backups.append(ws.backup(actor=LOCAL))
                time.sleep(0.05)
        finally:
            stop.set()
            writer.join(timeout=60)
        taken_at = set()
        for number, backup in enumerate(backups):  # each one moment: version, uploads, rows and trail agree
            version = check.restore_backup(backup, actor=LOCAL)["source_version"]
            (tmp_path / f"{number}.duckdb").write_bytes(backup)
            with duckdb.connect(str(tmp_path / f"{number}.duckdb"), read_only=True) as con:
                commits = con.execute("SELECT count(*) FROM audit WHERE action = 'commit'").fetchall()[0][0]
            assert len(check.uploads()) == version == commits
            assert check.uploads().rows.sum() == len(check.stored_rows())
            taken_at.add(version)
        assert len(taken_at) > 1, "no commit came between the backups"


def altered(backup: bytes, folder: Path, *sql: str) -> bytes:
    """``backup`` with ``sql`` run on it."""
    path = folder / "altered.duckdb"
    path.write_bytes(backup)
    with duckdb.connect(str(path)) as con:
        for statement in sql:
            con.execute(statement)
    return path.read_bytes()


def edited(backup: bytes, folder: Path, *sql: str) -> bytes:
    """``backup`` with ``sql`` run on it and its manifest's row counts made to agree again, as
    someone editing a backup with a database tool would."""
    path = folder / "edited.duckdb"
    path.write_bytes(backup)
    with duckdb.connect(str(path)) as con:
        for statement in sql:
            con.execute(statement)
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}
        counts.pop("backup_manifest")
        con.execute("UPDATE backup_manifest SET row_counts = ?", [json.dumps(counts)])
    return path.read_bytes()


def foreign(folder: Path) -> bytes:
    path = folder / "foreign.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE accounts AS SELECT 'a' AS account_id")
    return path.read_bytes()


def workspace_file(folder: Path) -> bytes:
    populated(folder / "not a backup.duckdb").close()
    return (folder / "not a backup.duckdb").read_bytes()


def with_view(backup: bytes, folder: Path) -> bytes:
    """``backup`` whose scenarios table is replaced by a view reading another file."""
    secret = folder / "secret.txt"
    secret.write_text("not for the workspace")
    return altered(backup, folder, "DROP TABLE scenarios", f"CREATE VIEW scenarios AS FROM read_text('{secret}')")


def with_a_key_twice(backup: bytes, folder: Path) -> bytes:
    """``backup`` whose uploads table (without its primary key) holds upload 1 twice, as its
    manifest says."""
    return altered(
        backup,
        folder,
        "CREATE TABLE copy AS FROM uploads UNION ALL FROM uploads WHERE upload_id = 1",
        "DROP TABLE uploads",
        "ALTER TABLE copy RENAME TO uploads",
        "UPDATE backup_manifest SET row_counts = json_merge_patch(row_counts, '{\"uploads\": 5}')::VARCHAR",
    )


def zipped(backup: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("backup.duckdb", backup)
    return buffer.getvalue()


def flipped(backup: bytes, folder: Path) -> bytes:
    """``backup`` with 64 bytes inverted in a data block of panel_rows (whose checksum then fails
    when the block is read; the file opens)."""
    path = folder / "flipped.duckdb"
    path.write_bytes(backup)
    with duckdb.connect(str(path), read_only=True) as con:
        block = con.execute("SELECT max(block_id) FROM pragma_storage_info('panel_rows')").fetchall()[0][0]
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchall()[0][0]
    start = 3 * 4096 + block * block_size + 64  # after the file's 3 header blocks and the block's checksum
    return backup[:start] + bytes(b ^ 0xFF for b in backup[start : start + 64]) + backup[start + 64 :]


NOT_A_BACKUP = "This file is not a backup of this app's workspace: "
REFUSALS = {  # case → (the file, made from a good backup and a folder; the message it gets)
    "empty": (lambda b, f: b"", NOT_A_BACKUP + "it is empty"),
    "random bytes": (lambda b, f: random.Random(1).randbytes(50_000), NOT_A_BACKUP + "it is not a DuckDB database"),
    "a CSV": (lambda b, f: b"account_id,quarter,platform_revenue\na,2025Q1,1\n", "it is not a DuckDB database"),
    "a zipped backup": (lambda b, f: zipped(b), "it is not a DuckDB database. Choose a .duckdb file saved with"),
    "truncated": (lambda b, f: b[: len(b) // 2], r"This backup file is damaged or incomplete \(.*the file.*\)"),
    "corrupted": (flipped, r"damaged or incomplete \(.*checksum.*\).*download the backup again"),
    "a foreign DuckDB file": (lambda b, f: foreign(f), r"without a backup manifest \(its tables: accounts\)"),
    "a workspace file": (
        lambda b, f: workspace_file(f),
        r"without a backup manifest \(its tables: audit, base_overrides, deck_headlines, kept_projections, "
        r"live_decks, live_quarters, panel_rows, ",
    ),
    "another app's backup": (
        lambda b, f: altered(b, f, "UPDATE backup_manifest SET app = 'another-app'"),
        NOT_A_BACKUP + "its backup manifest is another app's",
    ),
    "a newer format": (
        lambda b, f: altered(b, f, f"UPDATE backup_manifest SET format = {store.BACKUP_FORMAT + 1}"),
        rf"newer version of the app \(backup format {store.BACKUP_FORMAT + 1}; this version reads format "
        rf"{store.BACKUP_FORMAT} and older\). Update the app",
    ),
    "row counts that differ from the manifest's": (
        lambda b, f: altered(b, f, "DELETE FROM panel_rows WHERE account_id = 'a'"),
        r"inconsistent: its manifest lists 6 row\(s\) in panel_rows but the table holds 2",
    ),
    "a view that reads another file": (
        with_view,
        r"it holds views \(main.scenarios\), which a backup never does",
    ),
    "a table with other columns": (
        lambda b, f: altered(b, f, "ALTER TABLE uploads DROP COLUMN deleted_at", "CREATE TABLE extra (x INT)"),
        r"tables do not match the workspace's: extra \(unexpected\), uploads \(other columns or keys\)",
    ),
    "a key twice": (with_a_key_twice, r"tables do not match the workspace's: uploads \(other columns or keys\)"),
    # edited with a database tool, the manifest's counts made to agree: refused like an upload with these rows
    "a quarter written as markup": (
        lambda b, f: edited(b, f, "UPDATE panel_rows SET quarter = '<img src=x>**Q**' WHERE account_id = 'a'"),
        r"stored rows break the data contract: 'quarter': '<img src=x>\*\*Q\*\*' not a quarter of the form YYYYQn",
    ),
    "a negative revenue": (
        lambda b, f: edited(b, f, "UPDATE panel_rows SET platform_revenue = -5 WHERE account_id = 'b'"),
        r"'platform_revenue': -5.0 which is negative",
    ),
    "a revenue that is not a number": (
        lambda b, f: edited(b, f, "UPDATE panel_rows SET platform_revenue = 'nan'::DOUBLE WHERE account_id = 'b'"),
        r"'platform_revenue': nan which is not a finite number",
    ),
    "a revenue beyond any sum": (
        lambda b, f: edited(b, f, "UPDATE panel_rows SET platform_revenue = 1.7e308 WHERE account_id = 'b'"),
        r"'platform_revenue': 1.7e\+308 beyond 1e\+15",
    ),
    "an account twice in an upload's quarter": (
        lambda b, f: edited(b, f, "INSERT INTO panel_rows SELECT * FROM panel_rows WHERE account_id = 'b' LIMIT 1"),
        r"account 'b' occurs twice in quarter 2025Q[12]",
    ),
    "a live quarter pointing at a missing upload": (
        lambda b, f: edited(b, f, "UPDATE live_quarters SET upload_id = 99 WHERE quarter = '2025Q1'"),
        r"history does not hold together: a live quarter points at an upload that does not hold it \(2025Q1 → #99\)",
    ),
    "a deleted upload brought back without its rows": (
        lambda b, f: edited(b, f, "UPDATE uploads SET deleted_at = NULL"),
        r"history does not hold together: the rows of an upload's quarter are not what its history lists "
        r"\(upload #3 in 2025Q3: 1 listed, 0 stored rows\)",
    ),
    "a generated column": (
        lambda b, f: edited(
            b,
            f,
            "CREATE TABLE copy (name VARCHAR PRIMARY KEY, levers VARCHAR NOT NULL, position BIGINT NOT NULL, "
            "saved_at TIMESTAMP NOT NULL, spy VARCHAR GENERATED ALWAYS AS (upper(name)))",
            "INSERT INTO copy (name, levers, position, saved_at) SELECT * FROM scenarios",
            "DROP TABLE scenarios",
            "ALTER TABLE copy RENAME TO scenarios",
        ),
        r"tables do not match the workspace's: scenarios \(other columns or keys\)",
    ),
    "a column default": (
        lambda b, f: edited(b, f, "ALTER TABLE panel_rows ALTER COLUMN orders SET DEFAULT 1"),
        r"tables do not match the workspace's: panel_rows \(other columns or keys\)",
    ),
    "a macro": (
        lambda b, f: edited(b, f, "CREATE MACRO spy(x) AS x"),
        NOT_A_BACKUP + r"it holds macros \(spy\), which a backup never does",
    ),
    "a sequence": (
        lambda b, f: edited(b, f, "CREATE SEQUENCE next_id"),
        NOT_A_BACKUP + r"it holds sequences \(next_id\), which a backup never does",
    ),
    "a manifest without its date": (
        lambda b, f: edited(b, f, "UPDATE backup_manifest SET created_at = NULL"),
        r"manifest is incomplete: it must say when the backup was taken",
    ),
    "a quarter of year 9999": (
        lambda b, f: edited(
            b,
            f,
            "UPDATE panel_rows SET quarter = '9999Q4' WHERE quarter = '2025Q2'",
            "UPDATE upload_quarters SET quarter = '9999Q4' WHERE quarter = '2025Q2'",
            "UPDATE live_quarters SET quarter = '9999Q4' WHERE quarter = '2025Q2'",
        ),
        r"'quarter': '9999Q4' has a year outside 1900 to 2199",
    ),
    "a contract end in year 9999": (
        lambda b, f: edited(b, f, "UPDATE panel_rows SET contract_end = '9999-12-31' WHERE account_id = 'b'"),
        r"'contract_end': datetime.date\(9999, 12, 31\) has a year outside 1900 to 2199",
    ),
    "an account id of five million characters": (
        lambda b, f: edited(b, f, "UPDATE panel_rows SET account_id = repeat('x', 5000000) WHERE account_id = 'b'"),
        r"'account_id': 'xxxx.*… \(5,000,000 characters\) longer than 1,000 characters",
    ),
    "an upload committed at the end of time": (
        lambda b, f: edited(b, f, "UPDATE uploads SET committed_at = 'infinity' WHERE upload_id = 2"),
        r"history does not hold together: upload #2 has a date outside the years 1900 to 2199",
    ),
    "a scenario with a lever the app does not know": (
        lambda b, f: edited(b, f, """UPDATE scenarios SET levers = '{"churn": 0.1}' WHERE name = 'base'"""),
        r"holds a scenario the app cannot open: scenario 'base' has unknown lever\(s\) \['churn'\]",
    ),
    "a kept projection of no saved scenario": (
        lambda b, f: edited(b, f, "UPDATE kept_projections SET name = 'ghost'"),
        r"holds a kept projection of 'ghost' the app cannot read: no saved scenario has that name",
    ),
    "a kept projection that is not one": (
        lambda b, f: edited(b, f, """UPDATE kept_projections SET projection = '{"2025Q3": {"gmv": 1}}'"""),
        r"kept projection of 'Bold' the app cannot read: a kept projection has each of active_accounts",
    ),
    "a kept projection shorter than its horizon": (
        lambda b, f: edited(b, f, "UPDATE kept_projections SET horizon = 8"),
        r"kept projection of 'Bold' the app cannot read: it does not cover the 8 quarters it names",
    ),
    "a base assumption out of its range": (
        lambda b, f: edited(b, f, "UPDATE base_overrides SET value = -5"),
        r"base assumption the app cannot use: New accounts per quarter is -5 accounts; choose a value from 0",
    ),
    "a currency the app cannot show": (
        lambda b, f: edited(b, f, """UPDATE workspace_settings SET value = '{"symbol": "¥", "code": "yuan"}'"""),
        r"currency the app cannot use: the currency code 'YUAN' is not three letters",
    ),
    "a headline longer than a slide holds": (
        lambda b, f: edited(b, f, "UPDATE deck_headlines SET headline = repeat('x', 201)"),
        r"headline the app cannot use: the headline is 201 characters long; a slide holds at most 200",
    ),
    "a workshop title without a date": (
        lambda b, f: edited(
            b, f, """UPDATE workspace_settings SET value = '{"name": "x"}' WHERE setting = 'workshop'"""
        ),
        r"workshop title the app cannot use: '\{\"name\": \"x\"\}' is not a workshop's name, date and company",
    ),
    "a backup of this format without edited headlines": (
        lambda b, f: edited(b, f, "DROP TABLE deck_headlines"),
        r"tables do not match the workspace's: deck_headlines \(missing\)",
    ),
    "a base assumption the app does not know": (
        lambda b, f: edited(b, f, "UPDATE base_overrides SET assumption = 'price'"),
        r"base assumption the app cannot use: there is no assumption 'price'",
    ),
    "a backup of this format without base assumptions": (
        lambda b, f: edited(b, f, "DROP TABLE base_overrides"),
        r"tables do not match the workspace's: base_overrides \(missing\)",
    ),
    "a backup of this format without kept projections": (
        lambda b, f: edited(b, f, "DROP TABLE kept_projections"),
        r"tables do not match the workspace's: kept_projections \(missing\)",
    ),
    "scenario levers that are not numbers": (
        lambda b, f: edited(b, f, """UPDATE scenarios SET levers = '{"churn": "lots"}' WHERE name = 'base'"""),
        r"scenarios hold values that are not numbers \('\{\"churn\": \"lots\"\}'\)",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_file_that_is_not_an_intact_backup_is_refused_and_nothing_changes(ws, tmp_path, no_temp_files_left, case):
    backup = ws.backup(actor=LOCAL)
    make, message = REFUSALS[case]
    before = state(ws)
    with pytest.raises(ValueError, match=message):
        ws.restore_backup(make(backup, tmp_path), actor=ADMIN)
    assert_same(state(ws), before)
    ws.restore_backup(backup, actor=LOCAL)  # and a good backup still restores (the refused one was detached)
    assert ws.version == before["version"] + 1


def test_only_an_admin_may_back_up_or_restore_and_a_refusal_writes_nothing(ws, tmp_path):
    backup = ws.backup(actor=LOCAL)
    before = state(ws)
    for actor in (VIEWER, EDITOR):
        with pytest.raises(
            PermissionDenied, match=f"Downloading the whole workspace needs the admin role; {actor.name}"
        ):
            ws.write_backup(tmp_path / "b.duckdb", actor=actor)
        with pytest.raises(PermissionDenied, match="Downloading the whole workspace needs the admin role"):
            ws.backup(actor=actor)
        with pytest.raises(PermissionDenied, match="Restoring the workspace from a backup needs the admin role"):
            ws.restore_backup(backup, actor=actor)
    assert not (tmp_path / "b.duckdb").exists()
    assert_same(state(ws), before)


# -- crash safety ------------------------------------------------------------------------------

COPIES = 4  # the writer commits this many copies of the big panel in one transaction
WRITER = """
import sys, time
from pathlib import Path
import pyarrow.parquet as pq
from b2b_core.access import LOCAL
from b2b_core.store import Workspace

workspace, panel, copies, committing, committed = sys.argv[1:]
table = pq.read_table(panel)
ws = Workspace(workspace)
Path(committing).touch()
ws.commit_many([(table, f"big {n}.csv", None) for n in range(int(copies))], actor=LOCAL)
Path(committed).touch()
ws.close()  # a checkpoint: the rows move from the write-ahead log into the file
time.sleep(600)  # until the test kills it
"""


@pytest.fixture(scope="module")
def big_panel(tmp_path_factory) -> tuple[Path, int]:
    """A parquet file of sample.generate_panel(200_000, 12) (≈840k rows) and its row count."""
    path = tmp_path_factory.mktemp("big") / "panel.parquet"
    panel = sample.generate_panel(200_000, 12)
    pq.write_table(pa.Table.from_pandas(panel, preserve_index=False), path)
    return path, len(panel)


def wait_for(condition, seconds: float, what: str, proc: subprocess.Popen, errors: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the writer exited ({proc.returncode}) before {what}:\n{errors.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {seconds} s")
        time.sleep(0.002)


# When to kill the writer: while it checks the panel (nothing written yet), while it writes the
# uncommitted rows into the file (which grows), once the commit reaches the write-ahead log, and
# once the commit has returned (the checkpoint on closing the workspace).
KILL_WHEN = {
    "checking": lambda started, grown, wal, committed: time.monotonic() - started > 0.3,
    "writing rows": lambda started, grown, wal, committed: grown > 4_000_000,
    "committing": lambda started, grown, wal, committed: wal,
    "checkpointing": lambda started, grown, wal, committed: committed,
}


@pytest.mark.parametrize("phase", KILL_WHEN)
def test_a_writer_killed_mid_commit_leaves_the_workspace_as_before_or_fully_committed(big_panel, tmp_path, phase):
    path = tmp_path / "ws.duckdb"
    with populated(path) as ws:
        before = state(ws)
    size = path.stat().st_size
    wal = Path(f"{path}.wal")
    committing, committed, errors = tmp_path / "committing", tmp_path / "committed", tmp_path / "errors.txt"
    repo = Path(store.__file__).resolve().parents[2]
    with errors.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(big_panel[0]), str(COPIES), str(committing), str(committed)],
            env={**os.environ, "PYTHONPATH": str(repo)},
            stdout=subprocess.DEVNULL,  # DuckDB's progress bar
            stderr=stderr,
        )
    try:
        wait_for(committing.exists, 120, "start of the commit", proc, errors)
        started = time.monotonic()
        kill_when = KILL_WHEN[phase]
        wait_for(
            lambda: kill_when(started, path.stat().st_size - size, wal.exists(), committed.exists()),
            120,
            phase,
            proc,
            errors,
        )
        may_be_durable = wal.exists() or committed.exists()  # the commit reached the log
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)

    with Workspace(path) as ws:
        after = state(ws)
        if after["version"] == before["version"]:
            assert_same(after, before)
        else:  # the kill came once the commit was durable: all of it is there
            assert may_be_durable, f"killed while {phase}, before the commit reached the log, yet it is stored"
            assert after["version"] == before["version"] + 1
            new = after["uploads"].iloc[:COPIES]
            assert new.source.tolist() == [f"big {n}.csv" for n in reversed(range(COPIES))]
            assert new.rows.tolist() == [big_panel[1]] * COPIES
            assert new.status.tolist() == ["live"] + ["superseded"] * (COPIES - 1)
            assert len(after["panel"]) == big_panel[1]
            pd.testing.assert_frame_equal(after["audit"].iloc[COPIES:].reset_index(drop=True), before["audit"])
        ws.commit(upload("2027Q1", {"a": 1}), "after the crash.csv", actor=LOCAL)  # still writable
        assert ws.quarters()[-1] == "2027Q1" and ws.version == after["version"] + 1


@pytest.mark.parametrize(
    "table, backup_format",
    [("kept_projections", 1), ("base_overrides", 2), ("workspace_settings", 3), ("deck_headlines", 4)],
)
def test_a_backup_of_an_older_format_restores_without_the_table_added_since(ws, tmp_path, table, backup_format):
    source = state(ws)
    older = edited(
        ws.backup(actor=LOCAL), tmp_path, f"DROP TABLE {table}", f"UPDATE backup_manifest SET format = {backup_format}"
    )
    with other(tmp_path / "other.duckdb") as target:
        assert state(target)[table]  # the workspace being replaced has one
        summary = target.restore_backup(older, actor=ADMIN)
        assert table not in summary["rows"]
        assert not state(target)[table]  # the replaced workspace's are gone, the backup had none
        assert_same(state(target), source, without=("version", "audit", table))
