"""Uploads and versions of a workspace: committing a panel (whole, several, or in chunks) as an
upload that becomes live for its quarters, superseding, restoring and deleting uploads, and the
custom metric columns they bring. Part of ``Workspace`` (see the package docstring for the model).
"""

from __future__ import annotations

import hashlib
import operator
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress

import duckdb
import pandas as pd
import pyarrow as pa

from b2b_core import access, contract
from b2b_core.access import Actor
from b2b_core.i18n import _
from b2b_core.quarters import quarter_text
from b2b_core.store.errors import WorkspaceChanged
from b2b_core.store.schema import check_columns, check_rows, quote, utc_now

_STAGED = "staged_panel"
Table = pd.DataFrame | pa.Table  # what commit accepts: a pandas panel or an Arrow table of one
# Workspace path → the upload ids of the ``commit_chunks`` under way in this process, whose rows
# belong to no upload yet (Workspaces of one path share one database, and so these ids).
_PENDING: defaultdict[str, set[int]] = defaultdict(set)
_PENDING_LOCK = threading.Lock()


def _claim(key: str, upload_id: int) -> None:
    with _PENDING_LOCK:
        _PENDING[key].add(upload_id)


def _column_names(panel: Table) -> list[str]:
    return [str(c) for c in (panel.column_names if isinstance(panel, pa.Table) else panel.columns)]


def _fingerprint(con: duckdb.DuckDBPyConnection, relation: str, names: list[str]) -> str:
    """sha256 of a panel's column names and an order-independent sum of the hashes of its rows
    (``names`` of ``relation``): stands in for the file's sha256 when the caller has none."""
    row = f"row({', '.join(quote(n) for n in names)})"
    rows = con.execute(f"SELECT sum(hash({row})::HUGEINT) FROM {relation}").fetchall()[0][0]
    return hashlib.sha256(f"{chr(31).join(names)}|{rows}".encode()).hexdigest()


class Uploads:
    """The ``Workspace``'s uploads: every write of the panel goes through these methods."""

    def uploads(self) -> pd.DataFrame:
        """The upload history, newest first.

        Columns: upload_id, source, sha256, committed_at (UTC), quarters and live_quarters
        (comma-separated, sorted), rows, status, deleted_at (UTC, NaT unless deleted), sample (True
        for the bundled sample's uploads, ``SampleUploads``). Status is "live" (live for all its
        quarters), "partly superseded", "superseded" or "deleted".
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
                   u.deleted_at, coalesce(u.sample, false) AS sample
            FROM uploads u JOIN upload_quarters q USING (upload_id)
            LEFT JOIN live_quarters l ON l.upload_id = q.upload_id AND l.quarter = q.quarter
            GROUP BY u.upload_id, u.source, u.sha256, u.committed_at, u.deleted_at, u.sample
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

    def supersede_difference(self, panel: pa.Table, listed: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
        """What committing ``panel`` (an Arrow table with ``account_id``, ``quarter`` and
        ``platform_revenue``) changes in the quarters that hold live data, computed in the engine.

        Returns ``(per_quarter, accounts)``. ``per_quarter``: a row per such quarter, ``quarter,
        accounts_live, accounts_new, added, removed, revenue_live, revenue_new, revenue_change``
        (platform revenue, currency; change = new − live). ``accounts``: the ``listed`` accounts of
        largest platform revenue among those added or removed, ``quarter, account_id, change``
        ("added" or "removed") and ``platform_revenue`` (the new file's for an added account, the
        live data's for a removed one).
        """
        with self._reading() as con:
            con.register("incoming", panel.select(["account_id", "quarter", "platform_revenue"]))
            try:
                con.execute("""
                    CREATE OR REPLACE TEMP VIEW changed_accounts AS
                    WITH live AS (
                        SELECT r.quarter, r.account_id, r.platform_revenue
                        FROM panel_rows r JOIN live_quarters l USING (upload_id, quarter)
                        WHERE r.quarter IN (SELECT DISTINCT quarter FROM incoming)),
                    new AS (SELECT * FROM incoming WHERE quarter IN (SELECT quarter FROM live_quarters))
                    SELECT quarter, account_id, live.platform_revenue AS revenue_live,
                           new.platform_revenue AS revenue_new, live.account_id IS NOT NULL AS was_live,
                           new.account_id IS NOT NULL AS is_new
                    FROM live FULL JOIN new USING (quarter, account_id)""")
                per_quarter = con.execute("""
                    SELECT quarter, count(*) FILTER (was_live) AS accounts_live,
                           count(*) FILTER (is_new) AS accounts_new,
                           count(*) FILTER (is_new AND NOT was_live) AS added,
                           count(*) FILTER (was_live AND NOT is_new) AS removed,
                           coalesce(sum(revenue_live), 0) AS revenue_live, coalesce(sum(revenue_new), 0) AS revenue_new,
                           coalesce(sum(revenue_new), 0) - coalesce(sum(revenue_live), 0) AS revenue_change
                    FROM changed_accounts GROUP BY quarter ORDER BY quarter""").fetchdf()
                accounts = con.execute(
                    """SELECT quarter, account_id, CASE WHEN is_new THEN 'added' ELSE 'removed' END AS change,
                              coalesce(revenue_new, revenue_live) AS platform_revenue
                       FROM changed_accounts WHERE was_live <> is_new
                       ORDER BY platform_revenue DESC NULLS LAST, quarter, account_id LIMIT ?""",
                    [listed],
                ).fetchdf()
            finally:
                con.execute("DROP VIEW IF EXISTS changed_accounts")
                con.unregister("incoming")
        counts = ["accounts_live", "accounts_new", "added", "removed"]
        return per_quarter.astype(dict.fromkeys(counts, "int64")), accounts

    def id_spellings(self, ids: pa.Array | pa.ChunkedArray, listed: int = 1_000) -> dict[str, str]:
        """Of the account ``ids`` of a file, those the live data spell differently (only by case):
        the file's spelling → the workspace's (the first ``listed``, by the file's spelling)."""
        with self._reading() as con:
            con.register("incoming", pa.table({"account_id": ids}))
            try:
                found = con.execute(
                    """WITH file AS (SELECT DISTINCT account_id FROM incoming WHERE account_id IS NOT NULL),
                            live AS (SELECT DISTINCT r.account_id FROM panel_rows r
                                     JOIN live_quarters l USING (upload_id, quarter))
                       SELECT file.account_id, any_value(live.account_id) FROM file
                       JOIN live ON lower(live.account_id) = lower(file.account_id)
                                AND live.account_id <> file.account_id
                       WHERE NOT EXISTS (SELECT 1 FROM live AS same WHERE same.account_id = file.account_id)
                       GROUP BY file.account_id ORDER BY file.account_id LIMIT ?""",
                    [listed],
                ).fetchall()
            finally:
                con.unregister("incoming")
        return dict(found)

    def _make_live(self, quarters: list[str], upload_id: int) -> None:
        self._con.execute(
            """
            INSERT INTO live_quarters SELECT unnest($quarters::VARCHAR[]), $upload_id
            ON CONFLICT (quarter) DO UPDATE SET upload_id = excluded.upload_id
            """,
            {"quarters": quarters, "upload_id": upload_id},
        )

    def _successors(self, quarters: list[str], leaving: list[int]) -> dict[str, int]:
        """Quarter → the newest upload, not deleted and not among ``leaving``, that holds it (for
        the ``quarters`` that have one): what becomes live when the ``leaving`` uploads go."""
        return dict(
            self._fetch(
                """
                SELECT q.quarter, max(q.upload_id) FROM upload_quarters q JOIN uploads u USING (upload_id)
                WHERE u.deleted_at IS NULL AND NOT list_contains($leaving::BIGINT[], u.upload_id)
                  AND list_contains($quarters::VARCHAR[], q.quarter)
                GROUP BY q.quarter
                """,
                {"leaving": leaving, "quarters": quarters},
            )
        )

    def _live_for(self, quarters: list[str]) -> dict[str, int | None]:
        """Quarter → live upload (None where the quarter has no live data)."""
        return {q: None for q in quarters} | self.supersedes(quarters)

    def _stored_quarters(self, upload_id: int) -> list[str]:
        """The quarters of a non-deleted upload; KeyError if there is no such upload."""
        deleted = self._column("SELECT deleted_at IS NOT NULL FROM uploads WHERE upload_id = ?", [upload_id])
        if not deleted:
            raise KeyError(_("there is no upload {upload}").format(upload=upload_id))
        if deleted[0]:
            raise KeyError(
                _("upload {upload} was deleted; it cannot be restored or deleted again").format(upload=upload_id)
            )
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

    def commit_many(
        self, items: Sequence[tuple[Table, str, str | None]], *, actor: Actor, sample: bool = False
    ) -> list[int]:
        """Store several ``(panel, source, sha256)`` as separate uploads, in order, in ONE
        transaction with one version bump; return their upload_ids. ``sample``: they are the
        bundled sample's (``SampleUploads``).

        Each item is committed as ``commit`` would (a later item supersedes an earlier one for a
        quarter both contain). If any item fails, none is stored.
        """
        access.require(actor, "commit")
        with self._write():
            return [self._insert(panel, source, sha256, actor, sample=sample) for panel, source, sha256 in items]

    def _check_live(self, quarters: list[str], expect_live: Mapping[str, int]) -> None:
        """Raise WorkspaceChanged unless quarter → live upload for ``quarters`` is ``expect_live``."""
        live = self.supersedes(quarters)
        expected = {str(q): operator.index(u) for q, u in expect_live.items()}
        changed = sorted(q for q in {*live, *expected} if live.get(q) != expected.get(q))
        if changed:
            q = changed[0]
            now, then = (
                _("no data") if u is None else _("upload {upload}").format(upload=u)
                for u in (live.get(q), expected.get(q))
            )
            raise WorkspaceChanged(
                _(
                    "quarter {quarter} changed since you reviewed this upload: it now holds {now}, you confirmed "
                    "replacing {then}. Review the upload and confirm again."
                ).format(quarter=quarter_text(q), now=now, then=then)
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

        Each chunk is checked and written as it comes (``on_chunk`` is told its rows), in a
        transaction of its own, under an upload id no upload has yet: the rows are stored but belong
        to no upload, so no read sees them and memory stays that of one chunk, however many there
        are. The whole is then checked again (one row per account and quarter across the chunks) and
        becomes the upload, live for its quarters, in one last transaction that bumps the version.
        If anything fails or the caller stops (an exception, Ctrl-C), the rows written so far are
        deleted and the workspace is as before; rows left by a process that died mid-way are deleted
        when the workspace is next opened (``_drop_unclaimed_rows``). Raises ValueError for a chunk
        that breaks the contract, chunks with different columns, or no rows at all.
        """
        access.require(actor, "commit")
        names: list[str] | None = None
        custom: list[str] = []
        upload_id: int | None = None
        try:
            for chunk in chunks:
                chunk_names = _column_names(chunk)
                with self._transaction():
                    if names is None:
                        names, custom = chunk_names, check_columns(chunk_names)
                        upload_id = self._next_upload_id()
                        _claim(self._key, upload_id)
                        self._add_custom_metrics(custom)
                    elif chunk_names != names:
                        raise ValueError(f"every chunk must have the columns of the first: {names}, not {chunk_names}")
                    self._stage(chunk, names, custom, upload_id)
                if on_chunk is not None:
                    on_chunk(len(chunk))
            if names is None or upload_id is None:
                raise ValueError("panel has no rows")
            with self._write():
                stored = f"(SELECT * FROM panel_rows WHERE upload_id = {int(upload_id)})"
                check_rows(self._con, stored, names, custom)
                self._register(upload_id, source, sha256 or _fingerprint(self._con, stored, names), actor)
            return upload_id
        except BaseException:
            if upload_id is not None:
                with self._transaction():
                    self._con.execute("DELETE FROM panel_rows WHERE upload_id = ?", [upload_id])
                    self._drop_unused_custom_metrics()
            raise
        finally:
            with _PENDING_LOCK:
                _PENDING[self._key].discard(upload_id)

    def _drop_unclaimed_rows(self) -> None:
        """Delete the stored rows that belong to no upload and to no ``commit_chunks`` under way in
        this process (those of a chunked commit whose process died before it finished), inside the
        caller's write transaction."""
        with _PENDING_LOCK:
            pending = sorted(_PENDING[self._key])
        deleted = self._con.execute(
            "DELETE FROM panel_rows WHERE upload_id NOT IN (SELECT upload_id FROM uploads) "
            "AND NOT list_contains(?::BIGINT[], upload_id)",
            [pending],
        ).fetchall()[0][0]
        if deleted:
            self._drop_unused_custom_metrics()

    def _insert(
        self,
        panel: Table,
        source: str,
        sha256: str | None,
        actor: Actor,
        expect_live: Mapping[str, int] | None = None,
        sample: bool = False,
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
        self._register(upload_id, source, sha256 or _fingerprint(self._con, stored, names), actor, sample)
        return upload_id

    def _stored_quarters_of(self, upload_id: int) -> list[str]:
        """The quarters of the rows written as ``upload_id`` in this transaction."""
        found = self._con.execute(
            "SELECT DISTINCT quarter::VARCHAR FROM panel_rows WHERE upload_id = ? ORDER BY 1", [upload_id]
        ).fetchall()
        return [q for (q,) in found]

    def _next_upload_id(self) -> int:
        """One more than any upload's id and any id a ``commit_chunks`` under way writes rows as."""
        return self._con.execute(
            "SELECT greatest((SELECT coalesce(max(upload_id), 0) FROM uploads), "
            "(SELECT coalesce(max(upload_id), 0) FROM panel_rows)) + 1"
        ).fetchall()[0][0]

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

    def _register(self, upload_id: int, source: str, sha256: str, actor: Actor, sample: bool = False) -> None:
        """Record the upload whose rows are in panel_rows (``sample``: it is the bundled sample's),
        make it live for its quarters and audit it."""
        con = self._con
        per_quarter = con.execute(
            "SELECT quarter::VARCHAR, count(*) FROM panel_rows WHERE upload_id = ? GROUP BY ALL ORDER BY 1",
            [upload_id],
        ).fetchall()
        quarters = [q for q, _rows in per_quarter]
        con.execute("INSERT INTO uploads VALUES (?, ?, ?, ?, NULL, ?)", [upload_id, source, sha256, utc_now(), sample])
        con.execute(
            "INSERT INTO upload_quarters SELECT ?, unnest(?::VARCHAR[]), unnest(?::BIGINT[])",
            [upload_id, quarters, [n for _quarter, n in per_quarter]],
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
            fallback = self._successors(orphaned, [upload_id])
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
