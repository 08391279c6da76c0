"""The workspace: an embedded DuckDB file holding the versioned panel (DESIGN §4).

Every commit stores a panel as a new *upload*. For each quarter exactly one upload is *live*: the
newest one that contains the quarter, unless the user restored an older one. A superseded upload
stays stored and can be restored; only ``delete`` removes rows. Every write (a commit, a
``commit_many`` of several uploads, a restore, a delete) is one transaction and bumps ``version``
by one; pages use it as their cache key. Every write names its ``Actor`` (``b2b_core.access``),
whose role must allow it (``PermissionDenied`` otherwise, nothing written); the default is
``access.LOCAL``, the single user of an app without sign-in.

Schema:

- ``workspace_state(version)``: one row, the write counter.
- ``uploads(upload_id, source, sha256, committed_at, deleted_at)``: one row per upload, kept
  after a delete; times are UTC.
- ``upload_quarters(upload_id, quarter, rows)``: the quarters each upload contains.
- ``live_quarters(quarter, upload_id)``: the upload that is live for each quarter with data.
- ``panel_rows(upload_id, <contract columns>, <custom metric columns>)``: the rows of every
  non-deleted upload. A custom metric (any extra numeric column, e.g. ``orders``) becomes a
  DOUBLE column the first time an upload brings it; uploads without it hold NULL there.
- ``audit(entry_id, occurred_at, actor, email, role, action, summary, details)``: who did what and when,
  one row per commit, restore, delete, scenario change, playbook edit, backup and restore from a
  backup, written in the same transaction as the change itself; ``details`` is a JSON object
  (quarters, row counts, file hash …).
- ``playbook_weights(stage, model, weights, saved_at)``: base weights an editor saved for a
  (stage, business model), lever → weight as a JSON object; they override the playbook file's.
- ``scenarios(name, levers, position, saved_at)``: the saved what-if scenarios, their lever
  values as a JSON object, in the order they were first saved. Scenario writes are transactions
  too but leave ``version`` alone: it keys what is computed from the panel, which they do not
  change.

Backups (``backup``, ``write_backup``, ``restore_backup``; admins only) are DuckDB files holding
a copy of every table above plus ``backup_manifest(app, format, created_at, source_version,
row_counts)``: one row naming this app, the backup format, when it was taken (UTC), the
workspace version it copies and each table's row count (a JSON object). Taking a backup leaves
``version`` alone. A restore checks the file in a separate in-memory DuckDB before touching the
workspace, then replaces the workspace's content in one transaction that bumps ``version``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, Self

import duckdb
import pandas as pd
import pyarrow as pa

from b2b_core import access, contract
from b2b_core.access import LOCAL, Actor

_QUARTER = r"\d{4}Q[1-4]"
_STAGED = "staged_panel"
# What ``typeof`` may report for a custom metric column; '"NULL"' (quotes included) is what it
# reports for a column holding only nulls (e.g. all None in a pandas object column).
_NUMERIC_TYPES = {
    "DOUBLE",
    "FLOAT",
    "BIGINT",
    "INTEGER",
    "SMALLINT",
    "TINYINT",
    "HUGEINT",
    "UBIGINT",
    "UINTEGER",
    "USMALLINT",
    "UTINYINT",
    "DECIMAL",
    '"NULL"',
}
# A stored row's ``active``: as stored, else the contract default (any revenue > 0).
_ACTIVE = "coalesce(active, platform_revenue > 0 OR coalesce(b_side_revenue, 0) > 0) AS active"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS workspace_state (version BIGINT NOT NULL);
INSERT INTO workspace_state SELECT 0 WHERE NOT EXISTS (SELECT * FROM workspace_state);
CREATE TABLE IF NOT EXISTS uploads (
    upload_id BIGINT PRIMARY KEY,
    source VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    committed_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS upload_quarters (
    upload_id BIGINT NOT NULL, quarter VARCHAR NOT NULL, rows BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS live_quarters (quarter VARCHAR PRIMARY KEY, upload_id BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    entry_id BIGINT PRIMARY KEY, occurred_at TIMESTAMP NOT NULL, actor VARCHAR NOT NULL, email VARCHAR,
    role VARCHAR NOT NULL, action VARCHAR NOT NULL, summary VARCHAR NOT NULL, details VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scenarios (
    name VARCHAR PRIMARY KEY, levers VARCHAR NOT NULL, position BIGINT NOT NULL, saved_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS playbook_weights (
    stage VARCHAR NOT NULL, model VARCHAR NOT NULL, weights VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (stage, model)
);
CREATE TABLE IF NOT EXISTS panel_rows (
    upload_id BIGINT NOT NULL,
    {", ".join(f'"{c.name}" {contract.SQL_TYPES[c.kind]}{" NOT NULL" * c.required}' for c in contract.COLUMNS)}
);
"""


def default_path() -> Path:
    """The workspace file: ``$B2B_WORKSPACE`` if set, else ``data/workspace.duckdb`` in the repo."""
    if os.environ.get("B2B_WORKSPACE"):
        return Path(os.environ["B2B_WORKSPACE"])
    return Path(__file__).resolve().parent.parent / "data" / "workspace.duckdb"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _utc_now() -> dt.datetime:
    """Naive UTC, the form stored in the TIMESTAMP columns."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


Table = pd.DataFrame | pa.Table  # what commit accepts: a pandas panel or an Arrow table of one


class WorkspaceChanged(RuntimeError):
    """A commit's ``expect_live`` no longer holds: another write changed a quarter's live data."""


def _typed(rows: pd.DataFrame, lead: list[str], custom: list[str]) -> pd.DataFrame:
    """Stored rows as a panel: ``lead`` columns, the contract's, then ``custom``; contract dtypes."""
    rows = rows[[*lead, *contract.NAMES, *custom]]
    return rows.astype({c.name: contract.PANDAS_TYPES[c.kind] for c in contract.COLUMNS})


def _check_columns(names: list[str]) -> list[str]:
    """Check the column names of a panel to commit; return its custom metric names."""
    missing = [c for c in contract.REQUIRED if c not in names]
    if missing:
        raise ValueError(f"panel lacks required column(s) {missing}")
    folded = [n.strip().lower() for n in names]
    if len(set(folded)) < len(folded) or "" in folded:
        raise ValueError(f"column names must be non-empty and distinct ignoring case: {names}")
    custom = [n for n in names if n not in contract.NAMES]
    clashing = [n for n in custom if n.lower() in {"upload_id", *contract.NAMES}]
    if clashing:
        raise ValueError(f"custom metric name(s) {clashing} clash with the contract or the store")
    return custom


def _check_rows(con: duckdb.DuckDBPyConnection, names: list[str], custom: list[str]) -> None:
    """Re-check the contract invariants of the staged rows in one scan; raise ValueError naming
    the first offending value for what ingest should have caught: no rows, a quarter not
    ``YYYYQn``, an empty account_id, a negative, missing (if required) or non-finite number, a
    non-numeric custom metric, or an (account_id, quarter) pair that occurs twice."""
    for name in custom:
        kind = con.execute(f"SELECT typeof({_quote(name)}) FROM {_STAGED} LIMIT 1").fetchall()
        if kind and kind[0][0].split("(")[0] not in _NUMERIC_TYPES:
            raise ValueError(f"{name!r} holds non-numeric values ({kind[0][0]})")
    rules = [
        ("account_id", "account_id IS NULL OR trim(account_id::VARCHAR) = ''", "an account_id must not be empty"),
        (
            "quarter",
            f"quarter IS NULL OR NOT regexp_full_match(quarter::VARCHAR, '{_QUARTER}')",
            "not a quarter of the form YYYYQn",
        ),
    ]
    for name in [c for c in contract.NUMBER_COLUMNS if c in names] + custom:
        q = _quote(name)
        rules.append((name, f"NOT isfinite({q}::DOUBLE)", "which is not a finite number"))
        if name in contract.NAMES:
            rules.append((name, f"{q} < 0", "which is negative"))
        if contract.BY_NAME.get(name) and contract.BY_NAME[name].required:
            rules.append((name, f"{q} IS NULL OR isnan({q}::DOUBLE)", "but the column is required"))
    checks = ", ".join(f"count(*) FILTER ({sql})" for _, sql, _ in rules)
    found = con.execute(f"SELECT count(*), {checks} FROM {_STAGED}").fetchall()[0]
    if found[0] == 0:
        raise ValueError("panel has no rows")
    for (name, sql, why), bad in zip(rules, found[1:]):
        if bad:
            example = con.execute(f"SELECT {_quote(name)} FROM {_STAGED} WHERE {sql} LIMIT 1").fetchall()[0][0]
            raise ValueError(f"{name!r}: {example!r} {why} ({bad} row(s) in all)")
    repeated = con.execute(f"SELECT count(*) - count(DISTINCT (account_id, quarter)) FROM {_STAGED}").fetchall()
    if repeated[0][0]:  # find one, to name it
        twice = con.execute(
            f"SELECT account_id, quarter FROM {_STAGED} GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
        raise ValueError(f"account {twice[0][0]!r} occurs twice in quarter {twice[0][1]}")


def _fingerprint(con: duckdb.DuckDBPyConnection, names: list[str]) -> str:
    """sha256 of the staged panel's column names and an order-independent sum of its row hashes
    (stands in for the file's sha256 when the caller has none)."""
    rows = con.execute(f"SELECT sum(hash({_STAGED})::HUGEINT) FROM {_STAGED}").fetchall()[0][0]
    return hashlib.sha256(f"{chr(31).join(names)}|{rows}".encode()).hexdigest()


BACKUP_APP = "b2b-ops-strategy-dashboard"
BACKUP_FORMAT = 1  # bump when the schema changes (and restore older formats); newer ones are refused
_MANIFEST = "app VARCHAR, format INTEGER, created_at TIMESTAMP, source_version BIGINT, row_counts VARCHAR"
_NOT_A_BACKUP = "This file is not a backup of this app's workspace"
_USE_ANOTHER = "It may have been altered or only partly written: use an original backup file."


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _columns(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple[str, str]]]:
    """Table (``schema.table`` outside ``main``) → its (column, type) in order, of ``database``."""
    found: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, kind in con.execute(
        "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = ? ORDER BY schema_name, table_name, column_index",
        [database],
    ).fetchall():
        found.setdefault(table if schema == "main" else f"{schema}.{table}", []).append((column, kind))
    return found


def _check_backup(file: Path) -> dict:
    """Check that ``file`` is an intact backup this app can restore; raise ValueError saying what
    is wrong otherwise. Returns its manifest: created_at, source_version, rows (table → count) and
    custom (the custom metric columns of its panel_rows, in order).

    The file is opened read-only in a separate in-memory DuckDB, so a damaged file cannot harm the
    workspace's connection, and every table is read in full, so damage anywhere shows here.
    Only base tables are read, by name: a view could read other files.
    """
    with file.open("rb") as f:
        head = f.read(12)
    if head[8:12] != b"DUCK":  # DuckDB's header: an 8-byte checksum, then the magic bytes
        what = "it is empty" if not head else "it is not a DuckDB database"
        raise ValueError(f"{_NOT_A_BACKUP}: {what}. Choose a .duckdb file saved with the backup download.")

    def damaged(error: duckdb.Error) -> ValueError:
        return ValueError(
            f"This backup file is damaged or incomplete ({str(error).replace(str(file), 'the file')}). It may have "
            "been cut off while downloading or copying: download the backup again, or use another one."
        )

    con = duckdb.connect()
    try:
        con.execute(_SCHEMA)
        con.execute(f"CREATE TABLE backup_manifest ({_MANIFEST})")
        expected = _columns(con, "memory")
        try:  # TYPE DUCKDB: never an extension (e.g. SQLite's) loaded for the file
            con.execute(f"ATTACH {_sql_string(str(file))} AS backup (READ_ONLY, TYPE DUCKDB)")
        except duckdb.Error as error:
            raise damaged(error) from error
        objects = dict(
            con.execute(
                "SELECT table_schema || '.' || table_name, table_type FROM information_schema.tables "
                "WHERE table_catalog = 'backup'"
            ).fetchall()
        )
        not_tables = sorted(name for name, kind in objects.items() if kind != "BASE TABLE")
        if not_tables:
            raise ValueError(
                f"{_NOT_A_BACKUP}: it holds views ({', '.join(not_tables)}), which a backup never does. " + _USE_ANOTHER
            )
        found = _columns(con, "backup")
        if "backup_manifest" not in found:
            raise ValueError(
                f"{_NOT_A_BACKUP}: it is a DuckDB database without a backup manifest (its tables: "
                f"{', '.join(sorted(found)) or 'none'}). Choose a .duckdb file saved with the backup download."
            )
        try:
            manifest = con.execute("SELECT app, format FROM backup.main.backup_manifest").fetchall()
        except duckdb.Error as error:
            raise ValueError(f"{_NOT_A_BACKUP}: its backup manifest is not this app's ({error}).") from error
        app, backup_format = manifest[0] if len(manifest) == 1 else (None, None)
        if app != BACKUP_APP or not isinstance(backup_format, int):
            raise ValueError(
                f"{_NOT_A_BACKUP}: its backup manifest is another app's. "
                "Choose a .duckdb file saved with the backup download."
            )
        if backup_format > BACKUP_FORMAT:
            raise ValueError(
                f"This backup was made by a newer version of the app (backup format {backup_format}; this "
                f"version reads format {BACKUP_FORMAT} and older). Update the app, then restore the backup."
            )
        panel = expected["panel_rows"]
        custom = found.get("panel_rows", [])[len(panel) :]
        wrong = sorted(t for t in {*expected, *found} - {"panel_rows"} if found.get(t) != expected.get(t))
        if found.get("panel_rows", [])[: len(panel)] != panel or any(kind != "DOUBLE" for _, kind in custom):
            wrong.append("panel_rows")
        if wrong:
            problems = (
                f"{t} ({'missing' if t not in found else 'unexpected' if t not in expected else 'other columns'})"
                for t in wrong
            )
            raise ValueError(
                f"This backup's tables do not match the workspace's: {', '.join(problems)}. " + _USE_ANOTHER
            )
        created_at, source_version, row_counts = con.execute(
            "SELECT created_at, source_version, row_counts FROM backup.main.backup_manifest"
        ).fetchall()[0]
        try:
            listed = dict(json.loads(row_counts))
        except (TypeError, ValueError):
            listed = {}  # every table's count then disagrees with it
        rows = {}
        for table in sorted(set(expected) - {"backup_manifest"}):
            try:  # every column of every row: a damaged block fails its checksum here
                rows[table] = con.execute(
                    f"SELECT count(*), bit_xor(hash(t)) FROM backup.main.{_quote(table)} AS t"
                ).fetchall()[0][0]
            except duckdb.Error as error:
                raise damaged(error) from error
            if listed.get(table) != rows[table]:
                raise ValueError(
                    f"This backup is inconsistent: its manifest lists {listed.get(table)} row(s) in {table} but "
                    f"the table holds {rows[table]}. " + _USE_ANOTHER
                )
    finally:
        con.close()
    return {
        "created_at": created_at,
        "source_version": source_version,
        "rows": rows,
        "custom": [name for name, _ in custom],
    }


class Workspace:
    """A workspace file: the versioned panel. Thread-safe; one DuckDB connection per instance."""

    def __init__(self, path: str | os.PathLike) -> None:
        """Open the workspace at ``path``, creating the file, its directory and the schema."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._con = duckdb.connect(str(self.path))
        # Inserts are markedly faster without it; every read that needs an order says ORDER BY.
        self._con.execute("SET preserve_insertion_order = false")
        with self._transaction():
            self._con.execute(_SCHEMA)

    def close(self) -> None:
        """Close the connection; the workspace cannot be used afterwards."""
        with self._lock:
            self._con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    # -- reading -------------------------------------------------------------------------------

    def _fetch(self, sql: str, params: list | None = None) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, params).fetchall()

    def _column(self, sql: str, params: list | None = None) -> list:
        return [value for (value,) in self._fetch(sql, params)]

    def _frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with self._lock:
            return self._con.execute(sql, params).fetchdf()

    @property
    def version(self) -> int:
        """Write counter stored in the file: grows by one with every commit, restore and delete."""
        return self._fetch("SELECT version FROM workspace_state")[0][0]

    def is_empty(self) -> bool:
        """True if nothing was ever committed (a fresh workspace, to be seeded)."""
        return self._fetch("SELECT count(*) FROM uploads")[0][0] == 0

    def quarters(self) -> list[str]:
        """The quarters that have live data, in order."""
        return self._column("SELECT quarter FROM live_quarters ORDER BY quarter")

    def panel(self, quarters: list[str] | None = None) -> pd.DataFrame:
        """The live rows (of ``quarters`` only, if given), sorted by quarter then account_id.

        Columns: the contract's in contract order, then the custom metrics that have a value in
        at least one returned row. Missing text is None, missing numbers NaN, missing dates NaT;
        a missing ``active`` takes the contract default, platform or B-side revenue > 0.
        """
        rows = self._frame(
            f"""
            SELECT r.* EXCLUDE (upload_id) REPLACE ({_ACTIVE})
            FROM panel_rows r JOIN live_quarters l USING (upload_id, quarter)
            WHERE $quarters::VARCHAR[] IS NULL OR list_contains($quarters, l.quarter)
            ORDER BY quarter, account_id
            """,
            {"quarters": None if quarters is None else list(quarters)},
        )
        custom = [c for c in rows.columns if c not in contract.NAMES and rows[c].notna().any()]
        return _typed(rows, [], custom)

    def stored_rows(self) -> pd.DataFrame:
        """The rows of every upload not deleted, live or superseded (for the full export).

        Columns: upload_id (int64), then the columns of ``panel()`` with every custom metric the
        workspace ever stored (NaN where an upload lacks it), with ``panel()``'s dtypes and
        ``active`` default. Sorted by upload_id, quarter, account_id.
        """
        rows = self._frame(f"SELECT * REPLACE ({_ACTIVE}) FROM panel_rows ORDER BY upload_id, quarter, account_id")
        custom = [c for c in rows.columns if c not in {"upload_id", *contract.NAMES}]
        return _typed(rows, ["upload_id"], custom).astype({"upload_id": "int64"})

    def uploads(self) -> pd.DataFrame:
        """The upload history, newest first.

        Columns: upload_id, source, sha256, committed_at (UTC), quarters and live_quarters
        (comma-separated, sorted), rows, status, deleted_at (UTC, NaT unless deleted). Status is
        "live" (live for all its quarters), "partly superseded", "superseded" or "deleted".
        """
        history = self._frame(
            """
            SELECT u.upload_id, u.source, u.sha256, u.committed_at,
                   string_agg(q.quarter, ',' ORDER BY q.quarter) AS quarters,
                   sum(q.rows)::BIGINT AS rows,
                   coalesce(string_agg(l.quarter, ',' ORDER BY l.quarter), '') AS live_quarters,
                   CASE WHEN u.deleted_at IS NOT NULL THEN 'deleted'
                        WHEN count(l.quarter) = count(*) THEN 'live'
                        WHEN count(l.quarter) > 0 THEN 'partly superseded'
                        ELSE 'superseded' END AS status,
                   u.deleted_at
            FROM uploads u JOIN upload_quarters q USING (upload_id)
            LEFT JOIN live_quarters l ON l.upload_id = q.upload_id AND l.quarter = q.quarter
            GROUP BY u.upload_id, u.source, u.sha256, u.committed_at, u.deleted_at
            ORDER BY u.upload_id DESC
            """
        )
        for column in ("committed_at", "deleted_at"):
            history[column] = history[column].astype("datetime64[ns]").dt.tz_localize("UTC")
        return history.astype({"upload_id": "int64", "rows": "int64"})

    def supersedes(self, quarters: Iterable[str]) -> dict[str, int]:
        """For a prospective commit of ``quarters``: quarter → upload currently live for it."""
        return dict(
            sorted(
                self._fetch(
                    "SELECT quarter, upload_id FROM live_quarters WHERE list_contains(?::VARCHAR[], quarter)",
                    [list(quarters)],
                )
            )
        )

    # -- writing -------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction under the lock: all of it is committed, or none of it."""
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                yield self._con
                self._con.execute("COMMIT")
            except BaseException:
                with suppress(duckdb.Error):  # a failed COMMIT has already rolled back
                    self._con.execute("ROLLBACK")
                raise

    @contextmanager
    def _write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write transaction; it bumps the version."""
        with self._transaction() as con:
            yield con
            con.execute("UPDATE workspace_state SET version = version + 1")

    def _make_live(self, quarters: list[str], upload_id: int) -> None:
        self._con.execute(
            """
            INSERT INTO live_quarters SELECT unnest($quarters::VARCHAR[]), $upload_id
            ON CONFLICT (quarter) DO UPDATE SET upload_id = excluded.upload_id
            """,
            {"quarters": quarters, "upload_id": upload_id},
        )

    def _live_for(self, quarters: list[str]) -> dict[str, int | None]:
        """Quarter → live upload (None where the quarter has no live data)."""
        return {q: None for q in quarters} | self.supersedes(quarters)

    def _stored_quarters(self, upload_id: int) -> list[str]:
        """The quarters of a non-deleted upload; KeyError if there is no such upload."""
        deleted = self._column("SELECT deleted_at IS NOT NULL FROM uploads WHERE upload_id = ?", [upload_id])
        if not deleted:
            raise KeyError(f"there is no upload {upload_id}")
        if deleted[0]:
            raise KeyError(f"upload {upload_id} was deleted; it cannot be restored or deleted again")
        return self._column("SELECT quarter FROM upload_quarters WHERE upload_id = ? ORDER BY quarter", [upload_id])

    def commit(
        self,
        panel: Table,
        source: str,
        *,
        sha256: str | None = None,
        expect_live: Mapping[str, int] | None = None,
        actor: Actor = LOCAL,
    ) -> int:
        """Store ``panel`` as a new upload, live for all its quarters; return its upload_id.

        ``panel`` (a DataFrame, or an Arrow table such as ``IngestResult.table``) has the contract
        columns (optional ones may be missing: stored as NULL) plus any extra numeric columns, kept
        as custom metrics. The upload supersedes whatever was live for its quarters; ``supersedes``
        tells beforehand what that is. ``source`` names where the panel came from (e.g. the file
        name), ``sha256`` its content (default: a fingerprint of the panel).

        ``expect_live``, if given, is what the user confirmed: ``supersedes(quarters)`` for the
        panel's quarters as shown to them (``{}``: none of them has live data). If the live
        uploads of those quarters differ from it when the commit runs (another commit, restore or
        delete came in between), WorkspaceChanged is raised and nothing is written.

        One transaction: nothing is written if anything fails. Raises ValueError if the panel
        breaks the contract (see ``_check_rows``), PermissionDenied if ``actor`` may not commit.
        """
        access.require(actor, "commit")
        with self._write():
            return self._insert(panel, source, sha256, actor, expect_live)

    def commit_many(self, items: Sequence[tuple[Table, str, str | None]], actor: Actor = LOCAL) -> list[int]:
        """Store several ``(panel, source, sha256)`` as separate uploads, in order, in ONE
        transaction with one version bump; return their upload_ids.

        Each item is committed as ``commit`` would (a later item supersedes an earlier one for a
        quarter both contain). If any item fails, none is stored.
        """
        access.require(actor, "commit")
        with self._write():
            return [self._insert(panel, source, sha256, actor) for panel, source, sha256 in items]

    def _check_live(self, quarters: list[str], expect_live: Mapping[str, int]) -> None:
        """Raise WorkspaceChanged unless quarter → live upload for ``quarters`` is ``expect_live``."""
        live = self.supersedes(quarters)
        expected = {str(q): operator.index(u) for q, u in expect_live.items()}
        changed = sorted(q for q in {*live, *expected} if live.get(q) != expected.get(q))
        if changed:
            q = changed[0]
            now, then = ("no data" if u is None else f"upload {u}" for u in (live.get(q), expected.get(q)))
            raise WorkspaceChanged(
                f"quarter {q} changed since you reviewed this upload: it now holds {now}, you confirmed "
                f"replacing {then}. Review the upload and confirm again."
            )

    def _insert(
        self,
        panel: Table,
        source: str,
        sha256: str | None,
        actor: Actor,
        expect_live: Mapping[str, int] | None = None,
    ) -> int:
        """Store one upload inside the caller's write transaction (see ``commit``)."""
        names = [str(c) for c in (panel.column_names if isinstance(panel, pa.Table) else panel.columns)]
        custom = _check_columns(names)
        con = self._con
        con.register(_STAGED, panel)
        try:
            _check_rows(con, names, custom)
            per_quarter = con.execute(
                f"SELECT quarter::VARCHAR, count(*) FROM {_STAGED} GROUP BY ALL ORDER BY 1"
            ).fetchall()
            quarters = [q for q, _ in per_quarter]
            if expect_live is not None:
                self._check_live(quarters, expect_live)
            sha256 = sha256 or _fingerprint(con, names)
            upload_id = con.execute("SELECT coalesce(max(upload_id), 0) + 1 FROM uploads").fetchall()[0][0]
            existing = {n.lower() for n in self._column("SELECT name FROM pragma_table_info('panel_rows')")}
            for name in custom:
                if name.lower() not in existing:
                    con.execute(f"ALTER TABLE panel_rows ADD COLUMN {_quote(name)} DOUBLE")
            columns = ", ".join(
                f"{_quote(n)}::{contract.SQL_TYPES[contract.BY_NAME[n].kind] if n in contract.BY_NAME else 'DOUBLE'} "
                f"AS {_quote(n)}"
                for n in names
            )
            # BY NAME matches column names case-insensitively, as DuckDB identifiers do
            con.execute(
                f"INSERT INTO panel_rows BY NAME SELECT ?::BIGINT AS upload_id, {columns} FROM {_STAGED}",
                [upload_id],
            )
        finally:
            con.unregister(_STAGED)
        con.execute("INSERT INTO uploads VALUES (?, ?, ?, ?, NULL)", [upload_id, source, sha256, _utc_now()])
        con.execute(
            "INSERT INTO upload_quarters SELECT ?, unnest(?::VARCHAR[]), unnest(?::BIGINT[])",
            [upload_id, quarters, [n for _, n in per_quarter]],
        )
        replaced = self._live_for(quarters)
        self._make_live(quarters, upload_id)
        rows = dict(per_quarter)
        self._record(
            actor,
            "commit",
            f"committed upload #{upload_id} ({source}): {sum(rows.values()):,} rows for {', '.join(quarters)}",
            {"upload_id": upload_id, "source": source, "sha256": sha256, "rows": rows, "replaced": replaced},
        )
        return upload_id

    def restore(self, upload_id: int, actor: Actor = LOCAL) -> dict[str, int | None]:
        """Make an upload live again for all its quarters; return quarter → upload it replaced.

        The replaced upload is None for a quarter that had no live data, and ``upload_id``
        itself where the upload was still live. Raises KeyError for an unknown or deleted upload.
        """
        upload_id = operator.index(upload_id)  # numpy integers too, e.g. from uploads()
        access.require(actor, "restore")
        with self._write():
            quarters = self._stored_quarters(upload_id)
            replaced = self._live_for(quarters)
            self._make_live(quarters, upload_id)
            self._record(
                actor,
                "restore",
                f"restored upload #{upload_id} for {', '.join(quarters)}",
                {"upload_id": upload_id, "quarters": quarters, "replaced": replaced},
            )
        return replaced

    def delete(self, upload_id: int, actor: Actor = LOCAL) -> dict[str, int | None]:
        """Remove an upload's rows; its history record stays, with status "deleted".

        For each quarter the upload was live for, the newest remaining upload containing that
        quarter becomes live. Returns quarter → the new live upload, or None where the quarter
        has no data left. Raises KeyError for an unknown or already deleted upload.
        """
        upload_id = operator.index(upload_id)
        access.require(actor, "delete")
        with self._write() as con:
            quarters = self._stored_quarters(upload_id)
            rows = self._fetch(
                "SELECT sum(rows)::BIGINT, any_value(sha256) FROM upload_quarters JOIN uploads USING (upload_id) "
                "WHERE upload_id = ?",
                [upload_id],
            )[0]
            orphaned = self._column(
                "SELECT quarter FROM live_quarters WHERE upload_id = ? ORDER BY quarter", [upload_id]
            )
            fallback = dict(
                con.execute(
                    """
                SELECT q.quarter, max(q.upload_id) FROM upload_quarters q JOIN uploads u USING (upload_id)
                WHERE u.deleted_at IS NULL AND u.upload_id <> $upload_id
                  AND list_contains($orphaned::VARCHAR[], q.quarter)
                GROUP BY q.quarter
                """,
                    {"upload_id": upload_id, "orphaned": orphaned},
                ).fetchall()
            )
            con.execute("DELETE FROM live_quarters WHERE upload_id = ?", [upload_id])
            for quarter, successor in fallback.items():
                self._make_live([quarter], successor)
            con.execute("DELETE FROM panel_rows WHERE upload_id = ?", [upload_id])
            con.execute("UPDATE uploads SET deleted_at = ? WHERE upload_id = ?", [_utc_now(), upload_id])
            now_live = {q: fallback.get(q) for q in orphaned}
            self._record(
                actor,
                "delete",
                f"deleted upload #{upload_id} ({rows[0]:,} rows for {', '.join(quarters)})",
                {
                    "upload_id": upload_id,
                    "quarters": quarters,
                    "rows": rows[0],
                    "sha256": rows[1],
                    "now_live": now_live,
                },
            )
        return now_live

    # -- scenarios -------------------------------------------------------------------------------

    def saved_scenarios(self) -> list[tuple[str, dict[str, float]]]:
        """The saved scenarios as (name, lever → value), in the order they were first saved."""
        return [
            (name, json.loads(levers))
            for name, levers in self._fetch("SELECT name, levers FROM scenarios ORDER BY position")
        ]

    def _saved_name(self, name: str) -> str | None:
        """The saved scenario name equal to ``name`` ignoring case, or None."""
        found = self._column("SELECT name FROM scenarios WHERE lower(name) = lower(?)", [name])
        return found[0] if found else None

    def save_scenario(self, name: str, levers: Mapping[str, float], actor: Actor = LOCAL) -> None:
        """Save a scenario's lever values under ``name``, replacing the scenario of that name (the
        same name ignoring case) in its place, or adding it last."""
        access.require(actor, "save_scenario")
        values = {str(k): float(v) for k, v in levers.items()}
        with self._transaction() as con:
            existing = self._saved_name(name)
            if existing is None:
                con.execute(
                    "INSERT INTO scenarios SELECT ?, ?, coalesce(max(position), 0) + 1, ? FROM scenarios",
                    [name, json.dumps(values), _utc_now()],
                )
            else:
                con.execute(
                    "UPDATE scenarios SET name = ?, levers = ?, saved_at = ? WHERE name = ?",
                    [name, json.dumps(values), _utc_now(), existing],
                )
            self._record(actor, "save_scenario", f"saved scenario {name!r}", {"name": name, "levers": values})

    def rename_scenario(self, old: str, new: str, actor: Actor = LOCAL) -> None:
        """Rename a saved scenario in its place. KeyError if none is called ``old``; ValueError if
        another one is already called ``new`` (ignoring case)."""
        access.require(actor, "save_scenario")
        with self._transaction() as con:
            if not self._column("SELECT 1 FROM scenarios WHERE name = ?", [old]):
                raise KeyError(f"no saved scenario is called {old!r}")
            taken = self._saved_name(new)
            if taken is not None and taken != old:
                raise ValueError(f"a saved scenario is already called {taken!r}: choose another name")
            con.execute("UPDATE scenarios SET name = ? WHERE name = ?", [new, old])
            self._record(actor, "rename_scenario", f"renamed scenario {old!r} to {new!r}", {"old": old, "new": new})

    def delete_scenario(self, name: str, actor: Actor = LOCAL) -> None:
        """Delete a saved scenario; KeyError if none is called ``name``."""
        access.require(actor, "save_scenario")
        with self._transaction() as con:
            if not self._column("SELECT 1 FROM scenarios WHERE name = ?", [name]):
                raise KeyError(f"no saved scenario is called {name!r}")
            con.execute("DELETE FROM scenarios WHERE name = ?", [name])
            self._record(actor, "delete_scenario", f"deleted scenario {name!r}", {"name": name})

    # -- playbook weights ----------------------------------------------------------------------------

    def playbook_weights(self) -> dict[tuple[str, str], dict[str, float]]:
        """The saved base weights: (stage, model) → lever → weight."""
        rows = self._fetch("SELECT stage, model, weights FROM playbook_weights ORDER BY stage, model")
        return {(stage, model): json.loads(weights) for stage, model, weights in rows}

    def save_playbook_weights(self, stage: str, model: str, weights: Mapping[str, float], actor: Actor = LOCAL) -> None:
        """Save the base weights of (``stage``, ``model``) for everyone, replacing any saved
        before; audited with the weights that changed. ValueError for a weight that is not a
        finite number ≥ 0 (the playbook checks the levers when it applies them)."""
        access.require(actor, "edit_playbook")
        values = {str(k): float(v) for k, v in weights.items()}
        bad = next(((k, v) for k, v in values.items() if not (v >= 0 and v != float("inf"))), None)
        if bad:
            raise ValueError(f"the weight of {bad[0]} is {bad[1]}: a weight is a number from 0 up")
        with self._transaction() as con:
            before = self.playbook_weights().get((stage, model), {})
            con.execute(
                "INSERT OR REPLACE INTO playbook_weights VALUES (?, ?, ?, ?)",
                [stage, model, json.dumps(values), _utc_now()],
            )
            changed = {k: [before.get(k), v] for k, v in values.items() if before.get(k) != v}
            self._record(
                actor,
                "edit_playbook",
                f"saved the base weights of {stage} · {model} ({len(changed)} changed)",
                {"stage": stage, "model": model, "weights": values, "changed": changed},
            )

    def reset_playbook_weights(self, stage: str, model: str, actor: Actor = LOCAL) -> None:
        """Drop the saved weights of (``stage``, ``model``): the playbook file's apply again."""
        access.require(actor, "edit_playbook")
        with self._transaction() as con:
            con.execute("DELETE FROM playbook_weights WHERE stage = ? AND model = ?", [stage, model])
            self._record(
                actor,
                "edit_playbook",
                f"went back to the playbook file's base weights of {stage} · {model}",
                {"stage": stage, "model": model, "weights": None},
            )

    # -- audit trail -------------------------------------------------------------------------------

    def _record(self, actor: Actor, action: str, summary: str, details: Mapping) -> None:
        """Add an audit entry inside the caller's transaction."""
        self._con.execute(
            "INSERT INTO audit SELECT coalesce(max(entry_id), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM audit",
            [_utc_now(), actor.name, actor.email, actor.role, action, summary, json.dumps(details, default=str)],
        )

    def record(self, actor: Actor, action: str, summary: str, details: Mapping) -> None:
        """Audit an action that changes nothing in the workspace's data (a playbook edit; backups
        audit themselves): ``action`` is a key of ``access.ACTIONS`` the actor's role must allow."""
        access.require(actor, action)
        with self._transaction():
            self._record(actor, action, summary, details)

    def audit_trail(self) -> pd.DataFrame:
        """Every audited action, newest first: entry_id, occurred_at (UTC), actor, email, role,
        action, summary, details (JSON text)."""
        trail = self._frame("SELECT * FROM audit ORDER BY entry_id DESC")
        trail["occurred_at"] = trail["occurred_at"].astype("datetime64[ns]").dt.tz_localize("UTC")
        return trail.astype({"entry_id": "int64"})

    # -- backups -------------------------------------------------------------------------------

    def write_backup(self, path: str | os.PathLike, actor: Actor = LOCAL) -> dict:
        """Write the whole workspace to ``path`` as a backup (see the module docstring), replacing
        any file there; return what the audit entry records: version, rows (table → count),
        sha256 and bytes of the file.

        One consistent snapshot: copied in one transaction under the lock. The file appears at
        ``path`` only once complete. The backup is audited (after it is taken, so the file does
        not hold its own entry); ``version`` stays as it is.
        """
        access.require(actor, "backup")
        path = Path(path)
        with self._lock, tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            partial = Path(tmp) / "backup.duckdb"
            source = self._fetch("SELECT current_database()")[0][0]
            self._con.execute(f"ATTACH {_sql_string(str(partial))} AS b2b_backup_out")
            try:
                with self._transaction() as con:
                    con.execute(f"COPY FROM DATABASE {_quote(source)} TO b2b_backup_out")
                    tables = self._column(
                        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1", [source]
                    )
                    rows = {t: con.execute(f"SELECT count(*) FROM {_quote(t)}").fetchall()[0][0] for t in tables}
                    version = self.version
                    con.execute(f"CREATE TABLE b2b_backup_out.backup_manifest ({_MANIFEST})")
                    con.execute(
                        "INSERT INTO b2b_backup_out.backup_manifest VALUES (?, ?, ?, ?, ?)",
                        [BACKUP_APP, BACKUP_FORMAT, _utc_now(), version, json.dumps(rows)],
                    )
            finally:
                self._con.execute("DETACH b2b_backup_out")
            summary = {
                "version": version,
                "rows": rows,
                "sha256": _file_sha256(partial),
                "bytes": partial.stat().st_size,
            }
            os.replace(partial, path)
            with self._transaction():
                self._record(
                    actor,
                    "backup",
                    f"backed up the workspace (version {version}): {rows['uploads']} upload(s), "
                    f"{rows['panel_rows']:,} stored rows, {summary['bytes'] / 1e6:.1f} MB",
                    summary,
                )
        return summary

    def backup(self, actor: Actor = LOCAL) -> bytes:
        """The whole workspace as a backup file's bytes (``write_backup``), e.g. for a download."""
        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / "backup.duckdb"
            self.write_backup(file, actor)
            return file.read_bytes()

    def restore_backup(self, backup: bytes | str | os.PathLike | BinaryIO, actor: Actor = LOCAL) -> dict:
        """Replace the workspace's whole content with a backup's (bytes, a path or a binary file).

        The backup is checked first (``_check_backup``: ValueError saying what is wrong, nothing
        changed). Then one transaction empties every table, gives panel_rows the backup's custom
        metric columns, copies every table from the backup except the audit trail, sets ``version``
        to the current one plus one (every cache keyed by it is stale) and appends the restore to
        this workspace's audit trail: the trail only grows, a restore cannot erase what was done.
        Returns what that entry records: created_at and source_version of the backup,
        rows (table → count), sha256 of the file, and the version it replaced.
        """
        access.require(actor, "restore_backup")
        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / "backup.duckdb"
            if isinstance(backup, bytes | bytearray | memoryview):
                file.write_bytes(backup)
            elif hasattr(backup, "read"):
                with file.open("wb") as out:
                    shutil.copyfileobj(backup, out)
            else:
                shutil.copyfile(backup, file)
            manifest = _check_backup(file)
            summary = {
                "created_at": manifest["created_at"],
                "source_version": manifest["source_version"],
                "rows": manifest["rows"],
                "sha256": _file_sha256(file),
            }
            with self._lock:
                self._con.execute(f"ATTACH {_sql_string(str(file))} AS b2b_backup_in (READ_ONLY, TYPE DUCKDB)")
                try:
                    with self._transaction() as con:
                        summary["replaced_version"] = self.version
                        con.execute("DROP TABLE panel_rows")
                        con.execute(_SCHEMA)  # creates panel_rows afresh, without custom metric columns
                        for name in manifest["custom"]:
                            con.execute(f"ALTER TABLE panel_rows ADD COLUMN {_quote(name)} DOUBLE")
                        for table in (t for t in manifest["rows"] if t != "audit"):  # history stays
                            con.execute(f"DELETE FROM {_quote(table)}")
                            con.execute(
                                f"INSERT INTO {_quote(table)} BY NAME SELECT * FROM b2b_backup_in.main.{_quote(table)}"
                            )
                        con.execute("UPDATE workspace_state SET version = ?", [summary["replaced_version"] + 1])
                        self._record(
                            actor,
                            "restore_backup",
                            f"restored the workspace from a backup of {summary['created_at']:%Y-%m-%d %H:%M} UTC "
                            f"(version {summary['source_version']}): {summary['rows']['uploads']} upload(s), "
                            f"{summary['rows']['panel_rows']:,} stored rows",
                            summary,
                        )
                except duckdb.Error as error:  # e.g. a key twice in an altered backup: rolled back
                    raise ValueError(
                        f"This backup could not be restored ({error}); the workspace is unchanged."
                    ) from error
                finally:
                    self._con.execute("DETACH b2b_backup_in")
        return summary
