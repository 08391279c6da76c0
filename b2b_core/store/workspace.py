"""The ``Workspace``: the versioned panel in a DuckDB file, and every read and write of it.

See the package docstring for the model (uploads, live quarters, versions) and the tables.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, Self, TypeVar

import duckdb
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from b2b_core import access, contract, engine
from b2b_core.access import Actor
from b2b_core.scenarios.levers import Scenario
from b2b_core.store import backup as backup_file
from b2b_core.store.errors import WorkspaceChanged, WorkspaceMissing, WorkspaceReplaced, unwritable
from b2b_core.store.schema import ACTIVE, SCHEMA, check_columns, check_rows, quote, sql_string, utc_now

T = TypeVar("T")
_STAGED = "staged_panel"
# What the workspace's database may hold in memory; larger work spills to <file>.tmp. With 10 million
# accounts a reduction then peaks at ~3 GB in all instead of ~5 GB, as fast.
ENGINE_MEMORY = "4GB"
# The live panel: each quarter's rows from the upload live for it, ``active`` defaulted.
_LIVE_ROWS = (
    f"SELECT r.* EXCLUDE (upload_id) REPLACE ({ACTIVE}) "
    "FROM panel_rows r JOIN live_quarters l USING (upload_id, quarter)"
)


def default_path() -> Path:
    """The workspace file: ``$B2B_WORKSPACE`` if set, else ``data/workspace.duckdb`` in the repo."""
    if os.environ.get("B2B_WORKSPACE"):
        return Path(os.environ["B2B_WORKSPACE"])
    return Path(__file__).resolve().parents[2] / "data" / "workspace.duckdb"


def created_marker(path: Path) -> Path:
    """The file beside a workspace that says a workspace was created at ``path``."""
    return path.with_name(path.name + ".created")


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``, None when there is none."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


# Workspaces open in this process: absolute path → (identity of the file their database holds, how many)
_OPEN: dict[str, tuple[tuple[int, int] | None, int]] = {}
_OPEN_LOCK = threading.Lock()

Table = pd.DataFrame | pa.Table  # what commit accepts: a pandas panel or an Arrow table of one


def _column_names(panel: Table) -> list[str]:
    return [str(c) for c in (panel.column_names if isinstance(panel, pa.Table) else panel.columns)]


def _typed(rows: pd.DataFrame, lead: list[str], custom: list[str]) -> pd.DataFrame:
    """Stored rows as a panel: ``lead`` columns, the contract's, then ``custom``; contract dtypes."""
    rows = rows[[*lead, *contract.NAMES, *custom]]
    return rows.astype({c.name: contract.PANDAS_TYPES[c.kind] for c in contract.COLUMNS})


def _fingerprint(con: duckdb.DuckDBPyConnection, relation: str, names: list[str]) -> str:
    """sha256 of a panel's column names and an order-independent sum of the hashes of its rows
    (``names`` of ``relation``): stands in for the file's sha256 when the caller has none."""
    row = f"row({', '.join(quote(n) for n in names)})"
    rows = con.execute(f"SELECT sum(hash({row})::HUGEINT) FROM {relation}").fetchall()[0][0]
    return hashlib.sha256(f"{chr(31).join(names)}|{rows}".encode()).hexdigest()


class Workspace:
    """A workspace file: the versioned panel. Thread-safe: writes take turns on one DuckDB
    connection, and each read has a connection of its own."""

    def __init__(self, path: str | os.PathLike, *, recreate: bool = False) -> None:
        """Open the workspace at ``path``, creating the file, its directory and the schema.

        A new file gets a marker beside it (``created_marker``); when the file is missing but its
        marker is there, a workspace was lost from this path (deleted or moved) and
        ``WorkspaceMissing`` is raised instead of starting afresh, unless ``recreate`` (e.g. to
        restore a backup into it). ``created`` tells whether this call made the file.
        """
        self.path = Path(path)
        marker = created_marker(self.path)
        self.created = not self.path.exists()
        if self.created and marker.exists() and not recreate:
            raise WorkspaceMissing(
                f"The workspace file {self.path} is missing, but a workspace was kept there "
                f"({marker.read_text(errors='replace').strip()[:80]}): it was deleted or moved. The app does not "
                "start a new, empty workspace in its place. Put the file back, or restore a backup into it "
                f"(python -m b2b_core.store restore BACKUP --workspace {self.path}), then reload. To start afresh "
                f"there instead, delete {marker.name} beside it and reload."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()  # one writer at a time
        self._in_write = threading.local()  # .con: the connection of this thread's write transaction
        self._closed = False
        self._reads = 0  # reads under way, each on a connection of its own
        self._reads_done = threading.Condition()
        self._key = os.path.abspath(self.path)
        with _OPEN_LOCK:
            self._con = duckdb.connect(str(self.path))
            # DuckDB shares one database per path within a process: while another Workspace has this
            # path open, this one reads and writes the file that one opened, whatever is at the path now.
            identity, count = _OPEN.get(self._key, (_identity(self.path), 0))
            self._identity = identity
            _OPEN[self._key] = (identity, count + 1)
        try:
            self._readers = self._con.cursor()  # spawns a connection per read: reads never wait for a write
            # Inserts are markedly faster without it; every read that needs an order says ORDER BY.
            self._con.execute("SET preserve_insertion_order = false")
            self._con.execute(f"SET memory_limit = '{ENGINE_MEMORY}'")  # beyond it, sorts and joins spill to disk
            with self._transaction():
                self._con.execute(SCHEMA)
            if not marker.exists():
                marker.write_text(f"created {utc_now():%Y-%m-%d %H:%M} UTC\n")
        except BaseException:
            self._release()
            raise

    def close(self) -> None:
        """Close the connection, once the reads under way are done; the workspace cannot be used
        afterwards."""
        with self._lock, self._reads_done:
            if self._closed:
                return
            self._reads_done.wait_for(lambda: self._reads == 0, timeout=60)
            self._readers.close()
            self._release()

    def _release(self) -> None:
        with _OPEN_LOCK:
            self._closed = True
            self._con.close()
            identity, count = _OPEN.pop(self._key)
            if count > 1:
                _OPEN[self._key] = (identity, count - 1)

    def still_at_path(self) -> bool:
        """True while the file at ``path`` is the one this Workspace has open (not deleted,
        moved or replaced by another file since it was opened)."""
        return _identity(self.path) == self._identity

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    # -- reading -------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to read with: inside this thread's write transaction, that transaction's
        (it sees its own changes); otherwise a connection of its own, which sees the last
        committed state and never waits for a write under way."""
        writing = getattr(self._in_write, "con", None)
        if writing is not None:
            yield writing
            return
        with self._reads_done:
            cursor = self._readers.cursor()
            self._reads += 1
        try:
            yield cursor
        finally:
            cursor.close()
            with self._reads_done:
                self._reads -= 1
                self._reads_done.notify_all()

    def _fetch(self, sql: str, params: list | None = None) -> list[tuple]:
        with self._reading() as con:
            return con.execute(sql, params).fetchall()

    def _column(self, sql: str, params: list | None = None) -> list:
        return [value for (value,) in self._fetch(sql, params)]

    def _frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with self._reading() as con:
            return con.execute(sql, params).fetchdf()

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
            {_LIVE_ROWS}
            WHERE $quarters::VARCHAR[] IS NULL OR list_contains($quarters, l.quarter)
            ORDER BY quarter, account_id
            """,
            {"quarters": None if quarters is None else list(quarters)},
        )
        custom = [c for c in rows.columns if c not in contract.NAMES and rows[c].notna().any()]
        return _typed(rows, [], custom)

    def reduce(self, reduction: Callable[[ir.Table], T]) -> T:
        """``reduction(live)``, where ``live`` is the live panel as an Ibis table in this
        workspace's DuckDB (the columns of ``panel()``, every custom metric included, unsorted):
        the engine computes the view and only its small result reaches Python. Runs on a read
        connection of its own (see ``_reading``); ``reduction`` must execute what it needs
        before it returns."""
        with self._reading() as con:
            con.execute(f"CREATE OR REPLACE TEMP VIEW live_panel AS {_LIVE_ROWS}")  # seen by this connection only
            return reduction(engine.connect(con).table("live_panel"))

    def stored_rows(self) -> pd.DataFrame:
        """The rows of every upload not deleted, live or superseded (for the full export).

        Columns: upload_id (int64), then the columns of ``panel()`` with every custom metric the
        workspace ever stored (NaN where an upload lacks it), with ``panel()``'s dtypes and
        ``active`` default. Sorted by upload_id, quarter, account_id.
        """
        rows = self._frame(f"SELECT * REPLACE ({ACTIVE}) FROM panel_rows ORDER BY upload_id, quarter, account_id")
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
    def _transaction(self, file: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction under the writers' lock: all of it is committed, or none of it.

        Refused (``WorkspaceReplaced``) when the file at ``path`` is no longer the one open; a
        disk that refuses the write (full, read-only, not permitted) raises ``WorkspaceUnwritable``
        naming ``file``, the file the transaction writes (default: the workspace file).
        """
        with self._lock:
            if not self.still_at_path():
                raise WorkspaceReplaced(
                    f"The workspace file {self.path} was deleted, moved or replaced by another program while the "
                    "app was running, so nothing was written: it would have been lost. Reload the page: the app "
                    "opens the file that is there now."
                )
            self._con.execute("BEGIN TRANSACTION")
            self._in_write.con = self._con
            try:
                yield self._con
                self._con.execute("COMMIT")
            except BaseException as error:
                with suppress(duckdb.Error):  # a failed COMMIT has already rolled back
                    self._con.execute("ROLLBACK")
                disk = unwritable(error, f"The {'workspace' if file is None else 'backup'} file {file or self.path}")
                if disk is not None:
                    raise disk from error
                raise
            finally:
                self._in_write.con = None

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
        actor: Actor,
        sha256: str | None = None,
        expect_live: Mapping[str, int] | None = None,
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
        breaks the contract (``schema.check_rows``) or brings more custom metrics than the
        workspace keeps, PermissionDenied if ``actor`` may not commit.
        """
        access.require(actor, "commit")
        with self._write():
            return self._insert(panel, source, sha256, actor, expect_live)

    def commit_many(self, items: Sequence[tuple[Table, str, str | None]], *, actor: Actor) -> list[int]:
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

    def commit_chunks(
        self,
        chunks: Iterable[Table],
        source: str,
        *,
        actor: Actor,
        sha256: str | None = None,
        on_chunk: Callable[[int], None] | None = None,
    ) -> int:
        """Store the rows of ``chunks`` (panels with the same columns: the parts of a panel too large
        to hold at once) as ONE upload, as ``commit`` stores one panel; return its upload_id.

        Each chunk is checked and written as it comes (``on_chunk`` is told its rows), then the
        whole upload is checked again (one row per account and quarter across the chunks). One
        transaction: nothing is written if anything fails. Raises ValueError for a chunk that
        breaks the contract, chunks with different columns, or no rows at all.
        """
        access.require(actor, "commit")
        with self._write():
            upload_id = self._next_upload_id()
            names: list[str] | None = None
            for chunk in chunks:
                chunk_names = _column_names(chunk)
                if names is None:
                    names, custom = chunk_names, check_columns(chunk_names)
                    self._add_custom_metrics(custom)
                elif chunk_names != names:
                    raise ValueError(f"every chunk must have the columns of the first: {names}, not {chunk_names}")
                self._stage(chunk, names, custom, upload_id)
                if on_chunk is not None:
                    on_chunk(len(chunk))
            if names is None:
                raise ValueError("panel has no rows")
            stored = f"(SELECT * FROM panel_rows WHERE upload_id = {int(upload_id)})"
            check_rows(self._con, stored, names, custom)
            self._register(upload_id, source, sha256 or _fingerprint(self._con, stored, names), actor)
            return upload_id

    def _insert(
        self,
        panel: Table,
        source: str,
        sha256: str | None,
        actor: Actor,
        expect_live: Mapping[str, int] | None = None,
    ) -> int:
        """Store one upload inside the caller's write transaction (see ``commit``)."""
        names = _column_names(panel)
        custom = check_columns(names)
        upload_id = self._next_upload_id()
        self._add_custom_metrics(custom)
        self._stage(panel, names, custom, upload_id)
        if expect_live is not None:
            self._check_live(self._stored_quarters_of(upload_id), expect_live)
        stored = f"(SELECT * FROM panel_rows WHERE upload_id = {int(upload_id)})"
        self._register(upload_id, source, sha256 or _fingerprint(self._con, stored, names), actor)
        return upload_id

    def _stored_quarters_of(self, upload_id: int) -> list[str]:
        """The quarters of the rows written as ``upload_id`` in this transaction."""
        found = self._con.execute(
            "SELECT DISTINCT quarter::VARCHAR FROM panel_rows WHERE upload_id = ? ORDER BY 1", [upload_id]
        ).fetchall()
        return [q for (q,) in found]

    def _next_upload_id(self) -> int:
        return self._con.execute("SELECT coalesce(max(upload_id), 0) + 1 FROM uploads").fetchall()[0][0]

    def _stage(self, panel: Table, names: list[str], custom: list[str], upload_id: int) -> None:
        """Check ``panel`` (``check_rows``) and write its rows to panel_rows as ``upload_id``."""
        con = self._con
        con.register(_STAGED, panel)
        try:
            check_rows(con, _STAGED, names, custom)
            columns = ", ".join(
                f"{quote(n)}::{contract.SQL_TYPES[contract.BY_NAME[n].kind] if n in contract.BY_NAME else 'DOUBLE'} "
                f"AS {quote(n)}"
                for n in names
            )
            # BY NAME matches column names case-insensitively, as DuckDB identifiers do
            con.execute(
                f"INSERT INTO panel_rows BY NAME SELECT ?::BIGINT AS upload_id, {columns} FROM {_STAGED}",
                [upload_id],
            )
        finally:
            with suppress(duckdb.Error):  # in a failed transaction this fails too: the first error is the one to tell
                con.unregister(_STAGED)

    def _register(self, upload_id: int, source: str, sha256: str, actor: Actor) -> None:
        """Record the upload whose rows are in panel_rows, make it live for its quarters and audit it."""
        con = self._con
        per_quarter = con.execute(
            "SELECT quarter::VARCHAR, count(*) FROM panel_rows WHERE upload_id = ? GROUP BY ALL ORDER BY 1",
            [upload_id],
        ).fetchall()
        quarters = [q for q, _ in per_quarter]
        con.execute("INSERT INTO uploads VALUES (?, ?, ?, ?, NULL)", [upload_id, source, sha256, utc_now()])
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

    def _custom_metrics(self) -> list[str]:
        """The custom metric columns of panel_rows, in order."""
        return [
            name
            for name in self._column("SELECT name FROM pragma_table_info('panel_rows')")
            if name != "upload_id" and name not in contract.NAMES
        ]

    def _new_custom_metrics(self, names: Iterable[str]) -> list[str]:
        """The custom metrics among ``names`` the workspace has no column for (names compare
        ignoring case, as DuckDB's do); ValueError when the workspace would then hold more than
        ``contract.MAX_CUSTOM_METRICS``."""
        existing = {n.lower() for n in self._custom_metrics()}
        new = list(dict.fromkeys(n for n in names if n.lower() not in existing))
        if len(existing) + len(new) > contract.MAX_CUSTOM_METRICS:
            held = f"{len(existing)} custom metric{'s' * (len(existing) != 1)}"
            raise ValueError(
                f"the workspace holds {held} and this upload brings {len(new)} more; at most "
                f"{contract.MAX_CUSTOM_METRICS} are kept. Ignore the columns you do not need in the column mapping, "
                "or delete uploads whose metrics are no longer needed"
            )
        return new

    def custom_metrics_problem(self, names: Iterable[str]) -> str | None:
        """Why a commit bringing the custom metrics ``names`` would be refused for the room the
        workspace keeps for them, or None; for a page to say it before the commit."""
        try:
            self._new_custom_metrics(names)
        except ValueError as refused:
            return str(refused)
        return None

    def _add_custom_metrics(self, names: list[str]) -> None:
        """Give panel_rows a DOUBLE column for each new custom metric of ``names``
        (``_new_custom_metrics``), inside the caller's write transaction."""
        for name in self._new_custom_metrics(names):
            self._con.execute(f"ALTER TABLE panel_rows ADD COLUMN {quote(name)} DOUBLE")

    def _drop_unused_custom_metrics(self) -> list[str]:
        """Drop the custom metric columns no stored row has a value in, inside the caller's write
        transaction (after a delete: the schema keeps only what stored uploads use); return them."""
        custom = self._custom_metrics()
        if not custom:
            return []
        counts = self._fetch(f"SELECT {', '.join(f'count({quote(n)})' for n in custom)} FROM panel_rows")[0]
        unused = [name for name, count in zip(custom, counts) if count == 0]
        for name in unused:
            self._con.execute(f"ALTER TABLE panel_rows DROP COLUMN {quote(name)}")
        return unused

    def restore(self, upload_id: int, *, actor: Actor) -> dict[str, int | None]:
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

    def delete(self, upload_id: int, *, actor: Actor) -> dict[str, int | None]:
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
            dropped = self._drop_unused_custom_metrics()
            con.execute("UPDATE uploads SET deleted_at = ? WHERE upload_id = ?", [utc_now(), upload_id])
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
                    "dropped_metrics": dropped,
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

    def save_scenario(self, name: str, levers: Mapping[str, float], *, actor: Actor) -> None:
        """Save a scenario's lever values under ``name``, replacing the scenario of that name (the
        same name ignoring case) in its place, or adding it last. ValueError, nothing saved, for a
        scenario the app could not open (``Scenario.of``)."""
        access.require(actor, "save_scenario")
        Scenario.of(name, levers)  # ValueError for what the app could not open: an unknown lever, a value out of range
        values = {str(k): float(v) for k, v in levers.items()}
        with self._transaction() as con:
            existing = self._saved_name(name)
            if existing is None:
                con.execute(
                    "INSERT INTO scenarios SELECT ?, ?, coalesce(max(position), 0) + 1, ? FROM scenarios",
                    [name, json.dumps(values), utc_now()],
                )
            else:
                con.execute(
                    "UPDATE scenarios SET name = ?, levers = ?, saved_at = ? WHERE name = ?",
                    [name, json.dumps(values), utc_now(), existing],
                )
            self._record(actor, "save_scenario", f"saved scenario {name!r}", {"name": name, "levers": values})

    def rename_scenario(self, old: str, new: str, *, actor: Actor) -> None:
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

    def delete_scenario(self, name: str, *, actor: Actor) -> None:
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

    def save_playbook_weights(self, stage: str, model: str, weights: Mapping[str, float], *, actor: Actor) -> None:
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
                [stage, model, json.dumps(values), utc_now()],
            )
            changed = {k: [before.get(k), v] for k, v in values.items() if before.get(k) != v}
            self._record(
                actor,
                "edit_playbook",
                f"saved the base weights of {stage} · {model} ({len(changed)} changed)",
                {"stage": stage, "model": model, "weights": values, "changed": changed},
            )

    def reset_playbook_weights(self, stage: str, model: str, *, actor: Actor) -> None:
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
        """Add an audit entry inside the caller's transaction. ``actor`` of the entry is who it was
        by their e-mail address (what the sign-in vouches for; a display name can be anything),
        or the local user's name in local mode."""
        self._con.execute(
            "INSERT INTO audit SELECT coalesce(max(entry_id), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM audit",
            [
                utc_now(),
                actor.email or actor.name,
                actor.email,
                actor.role,
                action,
                summary,
                json.dumps(details, default=str),
            ],
        )

    EXPORTS = {  # action → what the audit entry says was downloaded
        "export_workspace": "the whole workspace as CSV files",
        "export_audit": "the audit trail",
    }

    def record_export(self, action: str, details: Mapping, *, actor: Actor) -> None:
        """Audit a download of the workspace's content (``action``: a key of ``EXPORTS``), which
        the actor's role must allow (PermissionDenied otherwise, nothing recorded)."""
        if action not in self.EXPORTS:
            raise ValueError(f"{action!r} is not a download the audit trail records: use one of {list(self.EXPORTS)}")
        access.require(actor, action)
        with self._transaction():
            self._record(actor, action, f"downloaded {self.EXPORTS[action]}", details)

    def audit_trail(self) -> pd.DataFrame:
        """Every audited action, newest first: entry_id, occurred_at (UTC), actor, email, role,
        action, summary, details (JSON text)."""
        trail = self._frame("SELECT * FROM audit ORDER BY entry_id DESC")
        trail["occurred_at"] = trail["occurred_at"].astype("datetime64[ns]").dt.tz_localize("UTC")
        return trail.astype({"entry_id": "int64"})

    # -- backups -------------------------------------------------------------------------------

    def write_backup(self, path: str | os.PathLike, *, actor: Actor) -> dict:
        """Write the whole workspace to ``path`` as a backup (``b2b_core.store.backup``), replacing
        any file there; return what the audit entry records: version, rows (table → count),
        sha256 and bytes of the file.

        One consistent snapshot: copied in one transaction under the writers' lock. The file is
        written in a temporary folder beside ``path`` and appears there only once complete; the
        folder is removed whatever happens. The backup is audited (after it is taken, so the file
        does not hold its own entry); ``version`` stays as it is.
        """
        access.require(actor, "backup")
        path = Path(path)
        with self._lock, backup_file.temporary_folder(path.parent) as folder:
            partial = folder / "backup.duckdb"
            source = self._fetch("SELECT current_database()")[0][0]
            try:
                self._con.execute(f"ATTACH {sql_string(str(partial))} AS b2b_backup_out")
            except duckdb.Error as error:
                raise unwritable(error, f"The backup file {path}") or error from error
            try:
                with self._transaction(file=path) as con:
                    con.execute(f"COPY FROM DATABASE {quote(source)} TO b2b_backup_out")
                    tables = self._column(
                        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1", [source]
                    )
                    rows = {t: con.execute(f"SELECT count(*) FROM {quote(t)}").fetchall()[0][0] for t in tables}
                    version = self.version
                    backup_file.write_manifest(con, "b2b_backup_out", version, rows)
            finally:
                with suppress(duckdb.Error):
                    self._con.execute("DETACH b2b_backup_out")
            summary = {
                "version": version,
                "rows": rows,
                "sha256": backup_file.file_sha256(partial),
                "bytes": partial.stat().st_size,
            }
            try:
                os.replace(partial, path)
            except OSError as error:
                raise unwritable(error, f"The backup file {path}") or error from error
            with self._transaction():
                self._record(
                    actor,
                    "backup",
                    f"backed up the workspace (version {version}): {rows['uploads']} upload(s), "
                    f"{rows['panel_rows']:,} stored rows, {summary['bytes'] / 1e6:.1f} MB",
                    summary,
                )
        return summary

    def backup(self, *, actor: Actor) -> bytes:
        """The whole workspace as a backup file's bytes (``write_backup``), e.g. for a download."""
        with backup_file.temporary_folder() as folder:
            file = folder / "backup.duckdb"
            self.write_backup(file, actor=actor)
            return file.read_bytes()

    def restore_backup(self, backup: bytes | str | os.PathLike | BinaryIO, *, actor: Actor) -> dict:
        """Replace the workspace's whole content with a backup's (bytes, a path or a binary file).

        The backup is checked first (``backup.check_backup``: ValueError saying what is wrong,
        nothing changed). Then one transaction empties every table, gives panel_rows the backup's
        custom metric columns, copies every table from the backup except the audit trail, sets
        ``version`` to the current one plus one (every cache keyed by it is stale) and appends the
        restore to this workspace's audit trail: the trail only grows, a restore cannot erase what
        was done. Returns what that entry records: created_at and source_version of the backup,
        rows (table → count), sha256 of the file, and the version it replaced.
        """
        access.require(actor, "restore_backup")
        with backup_file.temporary_folder() as folder:
            file = folder / "backup.duckdb"
            try:
                if isinstance(backup, bytes | bytearray | memoryview):
                    file.write_bytes(backup)
                elif hasattr(backup, "read"):
                    with file.open("wb") as out:
                        shutil.copyfileobj(backup, out)
                else:
                    shutil.copyfile(backup, file)
            except OSError as error:
                if isinstance(error, FileNotFoundError | IsADirectoryError):
                    raise ValueError(f"There is no backup file at {backup}: check the path.") from error
                raise unwritable(error, f"A temporary copy of the backup ({folder})") or error from error
            manifest = backup_file.check_backup(file)
            summary = {
                "created_at": manifest["created_at"],
                "source_version": manifest["source_version"],
                "rows": manifest["rows"],
                "sha256": backup_file.file_sha256(file),
            }
            with self._lock:
                try:
                    self._con.execute(f"ATTACH {sql_string(str(file))} AS b2b_backup_in (READ_ONLY, TYPE DUCKDB)")
                    with self._transaction():
                        self._replace_content("b2b_backup_in", manifest, actor, summary)
                except duckdb.Error as error:  # e.g. a key twice in an altered backup: rolled back
                    raise ValueError(
                        f"This backup could not be restored ({error}); the workspace is unchanged."
                    ) from error
                finally:
                    with suppress(duckdb.Error):
                        self._con.execute("DETACH b2b_backup_in")
        return summary

    def _replace_content(self, database: str, manifest: dict, actor: Actor, summary: dict) -> None:
        """Inside the restore's transaction: every table but the audit trail from the backup
        attached as ``database``, a version bump, and the restore's audit entry."""
        con = self._con
        summary["replaced_version"] = self.version
        con.execute("DROP TABLE panel_rows")
        con.execute(SCHEMA)  # creates panel_rows afresh, without custom metric columns
        for name in manifest["custom"]:
            con.execute(f"ALTER TABLE panel_rows ADD COLUMN {quote(name)} DOUBLE")
        for table in (t for t in manifest["rows"] if t != "audit"):  # history stays
            con.execute(f"DELETE FROM {quote(table)}")
            con.execute(f"INSERT INTO {quote(table)} BY NAME SELECT * FROM {database}.main.{quote(table)}")
        con.execute("UPDATE workspace_state SET version = ?", [summary["replaced_version"] + 1])
        self._record(
            actor,
            "restore_backup",
            f"restored the workspace from a backup of {summary['created_at']:%Y-%m-%d %H:%M} UTC "
            f"(version {summary['source_version']}): {summary['rows']['uploads']} upload(s), "
            f"{summary['rows']['panel_rows']:,} stored rows",
            summary,
        )
