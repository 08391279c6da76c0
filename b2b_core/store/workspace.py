"""The ``Workspace``: the versioned panel in a DuckDB file, and every read and write of it.

See the package docstring for the model (uploads, live quarters, versions) and the tables.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Self, TypeVar

import duckdb
import ibis.expr.types as ir
import pandas as pd

from b2b_core import contract, engine
from b2b_core.i18n import _
from b2b_core.store.audit import AuditTrail
from b2b_core.store.backup import Backups
from b2b_core.store.deck_texts import DeckTexts
from b2b_core.store.errors import WorkspaceMissing, WorkspaceReplaced, unwritable
from b2b_core.store.live_deck import LiveDecks
from b2b_core.store.sample_uploads import SampleUploads
from b2b_core.store.schema import ACTIVE, SCHEMA, utc_now
from b2b_core.store.settings import SavedSettings
from b2b_core.store.uploads import Uploads

T = TypeVar("T")
# What the workspace's database may hold in memory; larger work spills to <file>.tmp. With 10 million
# accounts the server (Python and the database, every page's views prepared) then peaks under 4 GB.
ENGINE_MEMORY = "3GB"
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
# Write transactions committed per database (absolute path) in this process. While it is open, no
# other process can write the file (DuckDB locks it), so a Workspace re-reads its version only
# after one of these.
_WRITES: dict[str, int] = {}


def _typed(rows: pd.DataFrame, lead: list[str], custom: list[str]) -> pd.DataFrame:
    """Stored rows as a panel: ``lead`` columns, the contract's, then ``custom``; contract dtypes."""
    rows = rows[[*lead, *contract.NAMES, *custom]]
    return rows.astype({c.name: contract.PANDAS_TYPES[c.kind] for c in contract.COLUMNS})


class Workspace(Uploads, SampleUploads, SavedSettings, DeckTexts, AuditTrail, Backups, LiveDecks):
    """A workspace file: the versioned panel. Thread-safe: writes take turns on one DuckDB
    connection, and each read has a connection of its own.

    This module opens and reads it (the live panel, its quarters and version, reductions); each
    other concept is a module of its own, mixed in: uploads and versions (``uploads``), the bundled
    sample among them (``sample_uploads``), saved
    scenarios and playbook weights (``settings``), the workshop deck's title and edited headlines
    (``deck_texts``), the audit trail (``audit``), backups (``backup``), the decks being presented
    (``live_deck``)."""

    def __init__(
        self, path: str | os.PathLike, *, recreate: bool = False, bundled_sample: Mapping[str, str] | None = None
    ) -> None:
        """Open the workspace at ``path``, creating the file, its directory and the schema.
        ``bundled_sample`` (file name → sha256 of the bundled sample files) recognises the sample's
        uploads in a workspace made before they were marked (``sample_uploads``).

        A new file gets a marker beside it (``created_marker``); when the file is missing but its
        marker is there, a workspace was lost from this path (deleted or moved) and
        ``WorkspaceMissing`` is raised instead of starting afresh, unless ``recreate`` (e.g. to
        restore a backup into it). ``created`` tells whether this call made the file.
        """
        self.path = Path(path)
        self.bundled_sample = dict(bundled_sample or {})
        marker = created_marker(self.path)
        self.created = not self.path.exists()
        if self.created and marker.exists() and not recreate:
            raise WorkspaceMissing(
                _(
                    "The workspace file {path} is missing, but a workspace was kept there ({kept}): it was deleted "
                    "or moved. The app does not start a new, empty workspace in its place. Put the file back, or "
                    "restore a backup into it ({command}), then reload. To start afresh there instead, delete "
                    "{marker} beside it and reload."
                ).format(
                    path=self.path,
                    kept=marker.read_text(errors="replace").strip()[:80],
                    command=f"python -m b2b_core.store restore BACKUP --workspace {self.path}",
                    marker=marker.name,
                )
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()  # one writer at a time
        self._in_write = threading.local()  # .con: the connection of this thread's write transaction
        self._closed = False
        self._reads = 0  # reads under way, each on a connection of its own
        self._reads_done = threading.Condition()
        self._key = os.path.abspath(self.path)
        self._version_seen: tuple[int, int] | None = None  # (_WRITES of the path, version) when last read
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
            self._con.execute("SET enable_progress_bar = false")  # not in a server's log or the import's bars
            with self._transaction():
                self._con.execute(SCHEMA)
                self._drop_unclaimed_rows()
                self._mark_sample(self._con)
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
        """Write counter stored in the file: grows by one with every commit, restore and delete.
        Read from the file again only after a write transaction of this process (every page run
        asks for it, to key its caches)."""
        if getattr(self._in_write, "con", None) is not None:  # this thread's write may have changed it
            return self._fetch("SELECT version FROM workspace_state")[0][0]
        writes = _WRITES.get(self._key, 0)  # read before the version: a write committed meanwhile shows next time
        if self._version_seen is None or self._version_seen[0] != writes:
            self._version_seen = (writes, self._fetch("SELECT version FROM workspace_state")[0][0])
        return self._version_seen[1]

    def stored_bytes(self) -> int:
        """Bytes of the workspace on disk: its file and the write-ahead log beside it (recent
        writes live there until DuckDB checkpoints them into the file)."""
        files = (self.path, self.path.with_name(self.path.name + ".wal"))
        return sum(f.stat().st_size for f in files if f.exists())

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
        rows = self._frame(
            f"SELECT * REPLACE ({ACTIVE}) FROM panel_rows WHERE upload_id IN (SELECT upload_id FROM uploads) "
            "ORDER BY upload_id, quarter, account_id"
        )
        custom = [c for c in rows.columns if c not in {"upload_id", *contract.NAMES}]
        return _typed(rows, ["upload_id"], custom).astype({"upload_id": "int64"})

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
                    _(
                        "The workspace file {path} was deleted, moved or replaced by another program while the app "
                        "was running, so nothing was written: it would have been lost. Reload the page: the app "
                        "opens the file that is there now."
                    ).format(path=self.path)
                )
            self._con.execute("BEGIN TRANSACTION")
            self._in_write.con = self._con
            try:
                yield self._con
                self._con.execute("COMMIT")
                with _OPEN_LOCK:
                    _WRITES[self._key] = _WRITES.get(self._key, 0) + 1
            except BaseException as error:
                with suppress(duckdb.Error):  # a failed COMMIT has already rolled back
                    self._con.execute("ROLLBACK")
                written = _("The workspace file {path}") if file is None else _("The backup file {path}")
                disk = unwritable(error, written.format(path=file or self.path))
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

    # -- scenarios -------------------------------------------------------------------------------

    # -- playbook weights ----------------------------------------------------------------------------

    # -- audit trail -------------------------------------------------------------------------------

    EXPORTS = {  # action → what the audit entry says was downloaded
        "export_workspace": "the whole workspace as CSV files",
        "export_audit": "the audit trail",
    }

    # -- backups -------------------------------------------------------------------------------
