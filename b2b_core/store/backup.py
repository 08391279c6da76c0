"""Backup files of the workspace: their manifest, and the checks a file must pass before a restore.

A backup is a DuckDB file holding a copy of every workspace table but ``NOT_BACKED_UP`` (the decks
being presented) plus ``backup_manifest(app,
format, created_at, source_version, row_counts)``: one row naming this app, the backup format,
when it was taken (UTC), the workspace version it copies and each table's row count (a JSON
object). ``check_backup`` reads a candidate file in a separate in-memory DuckDB, so that nothing
in it can reach the workspace's connection, and refuses, with a message saying what is wrong:

- a file that is not a DuckDB database, or is damaged or cut off (every row of every table is read);
- anything a backup never holds: views, macros, sequences, types, indexes, other schemas, tables
  or columns other than the workspace's (a table or column added since the backup's format,
  ``ADDED_IN`` and ``COLUMNS_ADDED_IN``, may be absent), column defaults, generated columns, other
  constraints;
- a manifest that is not this app's, of a newer format, incomplete, or whose row counts differ;
- rows that the workspace would refuse from an upload (``schema.check_rows``: ids and texts of at
  most ``contract.MAX_TEXT_CHARS``, quarters and dates within ``quarters.YEARS``, amounts finite,
  ≥ 0 and at most ``contract.MAX_AMOUNT``, one row per account and quarter per upload), upload
  dates outside those years, weights that are not numbers ≥ 0, saved scenarios the app cannot
  open (``Scenario.of``: unknown levers, values out of range), kept projections of no saved
  scenario or that ``KeptProjection.from_json`` refuses, a currency or workshop title the app
  cannot read, edited headlines that are empty or too long (``deck_texts.headline_text``);
- a history that does not hold together: rows of an upload the backup does not list or lists as
  deleted, row counts per quarter that differ from the rows stored, a live quarter pointing at an
  upload that does not hold it, a quarter with stored data but no live upload.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

import duckdb

from b2b_core import access, contract
from b2b_core.access import Actor
from b2b_core.i18n import N_, _
from b2b_core.quarters import YEARS
from b2b_core.scenarios.levers import Scenario
from b2b_core.scenarios.overrides import ASSUMPTIONS
from b2b_core.scenarios.plan import KeptProjection
from b2b_core.store.deck_texts import SLIDE_KEY, headline_text, workshop_title_of
from b2b_core.store.errors import unwritable
from b2b_core.store.schema import QUARTER_PATTERN, SCHEMA, check_rows, quote, sql_string, within_years
from b2b_core.store.settings import currency_of

APP = "b2b-ops-strategy-dashboard"
FORMAT = 5  # bump when the schema changes (and restore older formats); newer ones are refused
# Tables an older backup format lacks → the format that brought them; such a backup restores them empty.
ADDED_IN = {"kept_projections": 2, "base_overrides": 3, "workspace_settings": 4, "deck_headlines": 5}
# Columns (table, column) an older backup format lacks → the format that brought them; such a backup
# restores them NULL (``uploads.sample``: then recognised from the bundled sample files).
COLUMNS_ADDED_IN = {("uploads", "sample"): 4}
# Workspace tables a backup never holds: the state of a room, not data (``live_deck``); a restore leaves them.
NOT_BACKED_UP = ("live_decks",)
# The largest backup the Data page takes or gives through the browser, in MB (2**20 bytes): it holds
# every upload ever kept, larger than one quarter's file, and a download is held whole in memory.
BROWSER_LIMIT_MB = 1024
MANIFEST = "app VARCHAR, format INTEGER, created_at TIMESTAMP, source_version BIGINT, row_counts VARCHAR"
# Sentences of the messages (English, marked for the catalog; written in the reader's language with ``_``)
NOT_A_BACKUP = N_("This file is not a backup of this app's workspace")
USE_ANOTHER = N_("It may have been altered or only partly written: use an original backup file.")
_CHOOSE = N_("Choose a .duckdb file saved with the backup download.")
_TEMPORARY_PREFIX = "b2b-backup-"


def file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@contextmanager
def temporary_folder(parent: Path | None = None) -> Iterator[Path]:
    """A folder for a backup being written or checked (in ``parent``, default the system's
    temporary folder), removed on the way out. Its name carries this process's id, so that folders
    left by a process that was killed are found and removed the next time one is made."""
    parent = Path(parent or tempfile.gettempdir())
    for stale in parent.glob(f"{_TEMPORARY_PREFIX}*"):
        pid = stale.name.removeprefix(_TEMPORARY_PREFIX).split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"{_TEMPORARY_PREFIX}{os.getpid()}-", dir=parent))
    except OSError as error:
        raise unwritable(error, _("A temporary folder in {folder}").format(folder=parent)) or error from error
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def write_manifest(con: duckdb.DuckDBPyConnection, database: str, source_version: int, rows: dict) -> None:
    """Add the manifest to the backup attached as ``database``, inside the caller's transaction."""
    con.execute(f"CREATE TABLE {database}.backup_manifest ({MANIFEST})")
    con.execute(
        f"INSERT INTO {database}.backup_manifest VALUES (?, ?, ?, ?, ?)",
        [APP, FORMAT, dt.datetime.now(dt.UTC).replace(tzinfo=None), source_version, json.dumps(rows)],
    )


def check_backup(file: Path) -> dict:
    """Check that ``file`` is an intact backup this app can restore (see the module docstring);
    raise ValueError saying what is wrong otherwise. Returns its manifest: created_at,
    source_version, rows (table → count of the tables it holds), custom (the custom metric
    columns of its panel_rows, in order) and absent (tables its older format lacks). Every error,
    expected or not, becomes that ValueError."""
    with file.open("rb") as f:
        head = f.read(12)
    if head[8:12] != b"DUCK":  # DuckDB's header: an 8-byte checksum, then the magic bytes
        what = _("it is empty") if not head else _("it is not a DuckDB database")
        raise ValueError(
            _("{not_a_backup}: {what}. {choose}").format(not_a_backup=_(NOT_A_BACKUP), what=what, choose=_(_CHOOSE))
        )
    con = duckdb.connect()
    try:
        con.execute(SCHEMA)
        for table in NOT_BACKED_UP:
            con.execute(f"DROP TABLE {quote(table)}")
        con.execute(f"CREATE TABLE backup_manifest ({MANIFEST})")
        try:  # TYPE DUCKDB: never an extension (e.g. SQLite's) loaded for the file
            con.execute(f"ATTACH {sql_string(str(file))} AS backup (READ_ONLY, TYPE DUCKDB)")
        except duckdb.Error as error:
            raise _damaged(error, file) from error
        custom, absent, absent_columns = _check_objects(con)
        manifest = _manifest(con)
        backup_format = manifest.pop("format")
        too_new = [t for t in absent if backup_format >= ADDED_IN[t]]
        too_new += [f"{t}.{c}" for t, c in absent_columns if backup_format >= COLUMNS_ADDED_IN[t, c]]
        if too_new:
            raise ValueError(
                _("This backup's tables do not match the workspace's: {tables}. {use_another}").format(
                    tables=_("{table} (missing)").format(table=too_new[0]), use_another=_(USE_ANOTHER)
                )
            )
        rows = _check_counts(con, manifest.pop("row_counts"), file, absent)
        _check_contents(con, custom, rows)
    except ValueError:
        raise
    except Exception as error:  # anything unforeseen in a hostile file: refused, never a crash
        raise ValueError(
            _("This backup could not be checked ({reason}). {use_another}").format(
                reason=f"{type(error).__name__}: {error}", use_another=_(USE_ANOTHER)
            )
        ) from error
    finally:
        con.close()
    return {**manifest, "rows": rows, "custom": custom, "absent": absent}


def _damaged(error: duckdb.Error, file: Path) -> ValueError:
    return ValueError(
        _(
            "This backup file is damaged or incomplete ({reason}). It may have been cut off while downloading or "
            "copying: download the backup again, or use another one."
        ).format(reason=str(error).replace(str(file), "the file"))
    )


def _catalog(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple]]:
    """Table (``schema.table`` outside ``main``) → its columns in order, as (name, type, default,
    nullable, generated), of ``database``."""
    found: dict[str, list[tuple]] = {}
    for schema, table, *column in con.execute(
        "SELECT schema_name, table_name, column_name, data_type, column_default, is_nullable, is_generated "
        "FROM duckdb_columns() WHERE database_name = ? ORDER BY schema_name, table_name, column_index",
        [database],
    ).fetchall():
        found.setdefault(table if schema == "main" else f"{schema}.{table}", []).append(tuple(column))
    return found


def _constraints(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, set[tuple]]:
    found: dict[str, set[tuple]] = {}
    for table, kind, text in con.execute(
        "SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() WHERE database_name = ?",
        [database],
    ).fetchall():
        found.setdefault(table, set()).add((kind, text))
    return found


_FOREIGN_OBJECTS = {  # what a backup never holds → the query listing it in the attached file
    "views": "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = 'backup'",
    "macros": "SELECT function_name FROM duckdb_functions() WHERE database_name = 'backup'",
    "sequences": "SELECT sequence_name FROM duckdb_sequences() WHERE database_name = 'backup'",
    "types": "SELECT type_name FROM duckdb_types() WHERE database_name = 'backup' AND NOT internal",
    "indexes": "SELECT index_name FROM duckdb_indexes() WHERE database_name = 'backup'",
    "schemas": "SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'backup' AND NOT internal "
    "AND schema_name <> 'main'",
}


def _check_objects(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Check that the attached backup holds the workspace's tables and nothing else (no default,
    no generated column, no constraint of its own: nothing in it runs when it is read), but
    perhaps tables and columns added since its format (``ADDED_IN``, ``COLUMNS_ADDED_IN``); return
    the names of its custom metric columns, the tables it lacks and the (table, column) it lacks."""
    for kind, sql in _FOREIGN_OBJECTS.items():
        names = sorted(name for (name,) in con.execute(sql).fetchall())
        if names:
            raise ValueError(
                _("{not_a_backup}: it holds {kind} ({names}), which a backup never does. {use_another}").format(
                    not_a_backup=_(NOT_A_BACKUP), kind=kind, names=", ".join(names), use_another=_(USE_ANOTHER)
                )
            )
    expected, found = _catalog(con, "memory"), _catalog(con, "backup")
    if "backup_manifest" not in found:
        raise ValueError(
            _(
                "{not_a_backup}: it is a DuckDB database without a backup manifest (its tables: {tables}). {choose}"
            ).format(not_a_backup=_(NOT_A_BACKUP), tables=", ".join(sorted(found)) or _("none"), choose=_(_CHOOSE))
        )
    absent = sorted(t for t in ADDED_IN if t not in found)
    for table in absent:
        del expected[table]
    absent_columns = [(t, c) for t, c in COLUMNS_ADDED_IN if t in found and c not in {column[0] for column in found[t]}]
    for table, column in absent_columns:
        expected[table] = [c for c in expected[table] if c[0] != column]
    panel = expected["panel_rows"]
    custom = found.get("panel_rows", [])[len(panel) :]
    wrong = sorted(t for t in {*expected, *found} - {"panel_rows"} if found.get(t) != expected.get(t))
    custom_metric = ("DOUBLE", None, True, False)  # type, default, nullable, generated
    if found.get("panel_rows", [])[: len(panel)] != panel or any(tuple(c[1:]) != custom_metric for c in custom):
        wrong.append("panel_rows")
    expected_constraints, found_constraints = _constraints(con, "memory"), _constraints(con, "backup")
    wrong += sorted(
        t
        for t in set(expected) & set(found)
        if t not in wrong and expected_constraints.get(t) != found_constraints.get(t)
    )
    if wrong:
        problems = (
            (
                _("{table} (missing)")
                if t not in found
                else _("{table} (unexpected)")
                if t not in expected
                else _("{table} (other columns or keys)")
            ).format(table=t)
            for t in sorted(wrong)
        )
        raise ValueError(
            _("This backup's tables do not match the workspace's: {tables}. {use_another}").format(
                tables=", ".join(problems), use_another=_(USE_ANOTHER)
            )
        )
    if len(custom) > contract.MAX_CUSTOM_METRICS:
        raise ValueError(
            _(
                "This backup has {count} custom metric columns; the workspace keeps at most {limit}. {use_another}"
            ).format(count=f"{len(custom):,}", limit=contract.MAX_CUSTOM_METRICS, use_another=_(USE_ANOTHER))
        )
    return [name for name, *_rest in custom], absent, absent_columns


def _manifest(con: duckdb.DuckDBPyConnection) -> dict:
    """The manifest's fields, each checked: format, created_at, source_version, row_counts (table →
    count)."""
    try:
        manifest = con.execute(
            "SELECT app, format, created_at, source_version, row_counts FROM backup.main.backup_manifest"
        ).fetchall()
    except duckdb.Error as error:
        raise ValueError(
            _("{not_a_backup}: its backup manifest is not this app's ({reason}).").format(
                not_a_backup=_(NOT_A_BACKUP), reason=error
            )
        ) from error
    app, backup_format, created_at, source_version, row_counts = manifest[0] if len(manifest) == 1 else (None,) * 5
    if app != APP or not isinstance(backup_format, int):
        raise ValueError(
            _("{not_a_backup}: its backup manifest is another app's. {choose}").format(
                not_a_backup=_(NOT_A_BACKUP), choose=_(_CHOOSE)
            )
        )
    if backup_format > FORMAT:
        raise ValueError(
            _(
                "This backup was made by a newer version of the app (backup format {found}; this version reads "
                "format {format} and older). Update the app, then restore the backup."
            ).format(found=backup_format, format=FORMAT)
        )
    try:
        listed = json.loads(row_counts)
    except (TypeError, ValueError):
        listed = None
    complete = (
        isinstance(created_at, dt.datetime)
        and isinstance(source_version, int)
        and source_version >= 0
        and isinstance(listed, dict)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in listed.values())
    )
    if not complete:
        raise ValueError(
            _(
                "This backup's manifest is incomplete: it must say when the backup was taken, the version it copies "
                "and each table's row count. {use_another}"
            ).format(use_another=_(USE_ANOTHER))
        )
    return {"format": backup_format, "created_at": created_at, "source_version": source_version, "row_counts": listed}


def _check_counts(con: duckdb.DuckDBPyConnection, listed: dict, file: Path, absent: list[str]) -> dict[str, int]:
    """Read every row of every table but the ``absent`` ones (a damaged block fails its checksum
    here); each table's count must be the manifest's. Returns table → count."""
    rows = {}
    for table in sorted(set(_catalog(con, "memory")) - {"backup_manifest", *absent}):
        try:
            rows[table] = con.execute(
                f"SELECT count(*), bit_xor(hash(t)) FROM backup.main.{quote(table)} AS t"
            ).fetchall()[0][0]
        except duckdb.Error as error:
            raise _damaged(error, file) from error
        if listed.get(table) != rows[table]:
            raise ValueError(
                _(
                    "This backup is inconsistent: its manifest lists {listed} row(s) in {table} but the table holds "
                    "{rows}. {use_another}"
                ).format(listed=listed.get(table), table=table, rows=rows[table], use_another=_(USE_ANOTHER))
            )
    return rows


# Each query counts what breaks one rule of the history and names one example; see the module docstring.
_HISTORY_RULES = [
    (
        "SELECT count(*), any_value(format('{}', upload_id)) FROM (SELECT DISTINCT upload_id FROM b.panel_rows) "
        "ANTI JOIN (SELECT upload_id FROM b.uploads WHERE deleted_at IS NULL) USING (upload_id)",
        "it stores rows of upload #{} although it lists no such upload, or lists it as deleted",
    ),
    (
        "SELECT count(*), any_value(format('#{} in {}: {} listed, {} stored', coalesce(q.upload_id, p.upload_id), "
        "coalesce(q.quarter, p.quarter), coalesce(q.rows, 0), coalesce(p.rows, 0))) "
        "FROM (SELECT * FROM b.upload_quarters JOIN b.uploads USING (upload_id) WHERE deleted_at IS NULL) q "
        "FULL JOIN (SELECT upload_id, quarter, count(*) AS rows FROM b.panel_rows GROUP BY ALL) p "
        "ON q.upload_id = p.upload_id AND q.quarter = p.quarter WHERE q.rows IS DISTINCT FROM p.rows",
        "the rows of an upload's quarter are not what its history lists (upload {} rows)",
    ),
    (
        "SELECT count(*), any_value(format('{} → #{}', quarter, upload_id)) FROM b.live_quarters "
        "ANTI JOIN (SELECT * FROM b.upload_quarters JOIN b.uploads USING (upload_id) WHERE deleted_at IS NULL) "
        "USING (quarter, upload_id)",
        "a live quarter points at an upload that does not hold it ({})",
    ),
    (
        "SELECT count(*), any_value(quarter) FROM (SELECT DISTINCT quarter FROM b.upload_quarters "
        "JOIN b.uploads USING (upload_id) WHERE deleted_at IS NULL) ANTI JOIN b.live_quarters USING (quarter)",
        "quarter {} has stored data but no live upload",
    ),
    (
        "SELECT count(*), any_value(quarter) FROM b.upload_quarters "
        f"WHERE NOT regexp_full_match(quarter, '{QUARTER_PATTERN}')",
        "its history lists a quarter {!r} that is not of the form YYYYQn",
    ),
    (
        "SELECT count(*), any_value(format('#{}', upload_id)) FROM b.upload_quarters "
        "ANTI JOIN b.uploads USING (upload_id)",
        "its history lists quarters of upload {}, which it does not list",
    ),
    (
        "SELECT count(*), any_value(format('#{}', upload_id)) FROM b.uploads ANTI JOIN b.upload_quarters "
        "USING (upload_id)",
        "upload {} has no quarters",
    ),
    (
        "SELECT count(*), any_value(format('#{}', upload_id)) FROM b.uploads WHERE deleted_at < committed_at",
        "upload {} was deleted before it was committed",
    ),
    (
        "SELECT count(*), any_value(format('#{}', upload_id)) FROM b.uploads "
        f"WHERE NOT (isfinite(committed_at) AND {within_years('year(committed_at)')}) "
        f"OR (deleted_at IS NOT NULL AND NOT (isfinite(deleted_at) AND {within_years('year(deleted_at)')}))",
        f"upload {{}} has a date outside the years {YEARS.start} to {YEARS.stop - 1}",
    ),
    ("SELECT count(*) <> 1, any_value(version) FROM b.workspace_state", "it does not hold exactly one version"),
    ("SELECT count(*), any_value(version) FROM b.workspace_state WHERE version < 0", "its version {} is negative"),
]


def _check_contents(con: duckdb.DuckDBPyConnection, custom: list[str], rows: dict[str, int]) -> None:
    """The row checks of a commit on the stored rows, the history's references, and the saved
    scenarios' and weights' numbers."""
    try:
        if rows["panel_rows"]:
            check_rows(con, "backup.main.panel_rows", list(contract.NAMES), custom, key=("upload_id",))
    except ValueError as broken:
        raise ValueError(
            _(
                "This backup's stored rows break the data contract: {reason}. It was altered, or taken of data that an "
                "older version of the app let in: in the workspace it comes from, upload that quarter again corrected "
                "(or delete the upload), then back it up again."
            ).format(reason=broken)
        ) from None
    for sql, problem in _HISTORY_RULES:
        bad, example = con.execute(sql.replace("b.", "backup.main.")).fetchall()[0]
        if bad:
            raise ValueError(
                _("This backup's history does not hold together: {problem}. {use_another}").format(
                    problem=problem.format(example), use_another=_(USE_ANOTHER)
                )
            )
    for (text,) in con.execute("SELECT weights FROM backup.main.playbook_weights").fetchall():
        if not _numbers(text, 0.0):
            raise ValueError(
                _(
                    "This backup's playbook weights hold values that are not numbers ≥ 0 ({values}). {use_another}"
                ).format(values=repr(text[:80]), use_another=_(USE_ANOTHER))
            )
    for name, text in con.execute("SELECT name, levers FROM backup.main.scenarios").fetchall():
        if not _numbers(text, -math.inf):
            raise ValueError(
                _("This backup's scenarios hold values that are not numbers ({values}). {use_another}").format(
                    values=repr(text[:80]), use_another=_(USE_ANOTHER)
                )
            )
        try:
            Scenario.of(name, json.loads(text))  # the levers a scenario has, within their ranges
        except ValueError as broken:
            raise ValueError(
                _("This backup holds a scenario the app cannot open: {reason}. {use_another}").format(
                    reason=broken, use_another=_(USE_ANOTHER)
                )
            ) from None
    overrides = "SELECT assumption, value FROM backup.main.base_overrides" if "base_overrides" in rows else None
    for assumption, value in con.execute(overrides).fetchall() if overrides else []:
        try:
            if assumption not in ASSUMPTIONS:
                raise ValueError(f"there is no assumption {assumption!r}")
            ASSUMPTIONS[assumption].check(value)
        except ValueError as broken:
            raise ValueError(
                _("This backup holds a base assumption the app cannot use: {reason}. {use_another}").format(
                    reason=broken, use_another=_(USE_ANOTHER)
                )
            ) from None
    settings = "SELECT setting, value FROM backup.main.workspace_settings WHERE setting IN ('currency', 'workshop')"
    for setting, text in con.execute(settings).fetchall() if "workspace_settings" in rows else []:
        try:
            (currency_of if setting == "currency" else workshop_title_of)(text)
        except ValueError as broken:
            unusable = (
                _("This backup holds a currency the app cannot use: {reason}. {use_another}")
                if setting == "currency"
                else _("This backup holds a workshop title the app cannot use: {reason}. {use_another}")
            )
            raise ValueError(unusable.format(reason=broken, use_another=_(USE_ANOTHER))) from None
    edited = "SELECT slide, headline FROM backup.main.deck_headlines" if "deck_headlines" in rows else None
    for slide, text in con.execute(edited).fetchall() if edited else []:
        try:
            if not SLIDE_KEY.fullmatch(slide) or headline_text(text) != text:
                raise ValueError(f"the headline of {slide[:40]!r} is not one the app would have saved")
        except ValueError as broken:
            raise ValueError(
                _("This backup holds a headline the app cannot use: {reason}. {use_another}").format(
                    reason=broken, use_another=_(USE_ANOTHER)
                )
            ) from None
    if "kept_projections" not in rows:
        return
    kept = con.execute(
        "SELECT k.name, s.name, last_quarter, horizon, projection FROM backup.main.kept_projections k "
        "LEFT JOIN backup.main.scenarios s USING (name)"
    ).fetchall()
    for name, scenario, last_quarter, horizon, text in kept:
        try:
            if scenario is None:
                raise ValueError("no saved scenario has that name")
            if KeptProjection.from_json(text, last_quarter).horizon != horizon:
                raise ValueError(f"it does not cover the {horizon} quarters it names")
        except ValueError as broken:
            raise ValueError(
                _("This backup holds a kept projection of {name} the app cannot read: {reason}. {use_another}").format(
                    name=repr(name), reason=broken, use_another=_(USE_ANOTHER)
                )
            ) from None


def _numbers(text: str, least: float) -> bool:
    """Whether ``text`` is a JSON object of finite numbers ≥ ``least``."""
    with suppress(TypeError, ValueError):
        values = json.loads(text)
        return isinstance(values, dict) and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= least
            for v in values.values()
        )
    return False


class Backups:
    """The ``Workspace``'s backups: writing one (a consistent copy with its manifest) and restoring
    one in place of the workspace's content."""

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
        with self._lock, temporary_folder(path.parent) as folder:
            partial = folder / "backup.duckdb"
            source = self._fetch("SELECT current_database()")[0][0]
            try:
                self._con.execute(f"ATTACH {sql_string(str(partial))} AS b2b_backup_out")
            except duckdb.Error as error:
                raise unwritable(error, _("The backup file {path}").format(path=path)) or error from error
            try:
                with self._transaction(file=path) as con:
                    con.execute(f"COPY FROM DATABASE {quote(source)} TO b2b_backup_out")
                    for table in NOT_BACKED_UP:
                        con.execute(f"DROP TABLE b2b_backup_out.{quote(table)}")
                    con.execute(  # not the rows of a chunked commit under way (``Uploads.commit_chunks``)
                        "DELETE FROM b2b_backup_out.panel_rows "
                        "WHERE upload_id NOT IN (SELECT upload_id FROM b2b_backup_out.uploads)"
                    )
                    tables = self._column(
                        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'b2b_backup_out' ORDER BY 1"
                    )
                    rows = {
                        t: con.execute(f"SELECT count(*) FROM b2b_backup_out.{quote(t)}").fetchall()[0][0]
                        for t in tables
                    }
                    version = self.version
                    write_manifest(con, "b2b_backup_out", version, rows)
            finally:
                with suppress(duckdb.Error):
                    self._con.execute("DETACH b2b_backup_out")
            summary = {
                "version": version,
                "rows": rows,
                "sha256": file_sha256(partial),
                "bytes": partial.stat().st_size,
            }
            try:
                os.replace(partial, path)
            except OSError as error:
                raise unwritable(error, _("The backup file {path}").format(path=path)) or error from error
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
        with temporary_folder() as folder:
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
        with temporary_folder() as folder:
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
                    raise ValueError(
                        _("There is no backup file at {path}: check the path.").format(path=backup)
                    ) from error
                raise (
                    unwritable(error, _("A temporary copy of the backup ({folder})").format(folder=folder)) or error
                ) from error
            manifest = check_backup(file)
            summary = {
                "created_at": manifest["created_at"],
                "source_version": manifest["source_version"],
                "rows": manifest["rows"],
                "sha256": file_sha256(file),
            }
            with self._lock:
                try:
                    self._con.execute(f"ATTACH {sql_string(str(file))} AS b2b_backup_in (READ_ONLY, TYPE DUCKDB)")
                    with self._transaction():
                        self._replace_content("b2b_backup_in", manifest, actor, summary)
                except duckdb.Error as error:  # e.g. a key twice in an altered backup: rolled back
                    raise ValueError(
                        _("This backup could not be restored ({reason}); the workspace is unchanged.").format(
                            reason=error
                        )
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
        for table in manifest["absent"]:  # what a backup of an older format lacks is empty after it
            con.execute(f"DELETE FROM {quote(table)}")
        for table in (t for t in manifest["rows"] if t != "audit"):  # history stays
            con.execute(f"DELETE FROM {quote(table)}")
            con.execute(f"INSERT INTO {quote(table)} BY NAME SELECT * FROM {database}.main.{quote(table)}")
        self._mark_sample(con)  # a backup made before uploads were marked the sample's or not
        con.execute("UPDATE workspace_state SET version = ?", [summary["replaced_version"] + 1])
        self._record(
            actor,
            "restore_backup",
            f"restored the workspace from a backup of {summary['created_at']:%Y-%m-%d %H:%M} UTC "
            f"(version {summary['source_version']}): {summary['rows']['uploads']} upload(s), "
            f"{summary['rows']['panel_rows']:,} stored rows",
            summary,
        )
