"""Upload ingest: an ops lead's CSV/XLSX → a validated panel in the data contract's columns.

``read_upload`` never raises on bad data: every problem becomes an error (blocks that row, or the
whole file when ``row`` is empty) or a warning (a value was cleaned or read in a stated way),
naming the row as a spreadsheet shows it, the column as the file names it, the value and what to
do. Only programming errors raise.

Whatever the file, the work and memory stay bounded: a report lists at most ``MAX_KEPT`` errors and
as many warnings (and counts every one of them), a reason names a few rows, a value shows a few
characters; the caps on cells, amounts, custom metrics, columns and workbooks are in
``contract``, ``files`` and ``workbook_size``. The Data page refuses a file over ``UPLOAD_LIMIT_MB`` before reading it.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from b2b_core import contract, i18n
from b2b_core.access import Actor
from b2b_core.i18n import N_, _
from b2b_core.ingest import files, repeats
from b2b_core.ingest.choices import DATE_ORDERS, Choices
from b2b_core.ingest.dates import DateOrder
from b2b_core.ingest.ids import CaseVariants
from b2b_core.ingest.issues import ISSUE_COLUMNS, MAX_KEPT, SUMMARY_COLUMNS, IssueLog, shorten, some
from b2b_core.ingest.left_out import LeftOut, left_out
from b2b_core.ingest.mapping import CUSTOM, IGNORE, MAPPING_COLUMNS, ColumnPlan, plan_columns, unique_headers
from b2b_core.ingest.validate import NO_LEFT_OUT, NO_ROWS, REPEATED, Validation, engine
from b2b_core.quarters import quarter_text

__all__ = [
    "CUSTOM",
    "DATE_ORDERS",
    "IGNORE",
    "ISSUE_COLUMNS",
    "MAX_KEPT",
    "SUMMARY_COLUMNS",
    "UPLOAD_LIMIT_MB",
    "Choices",
    "CommitRefused",
    "IngestResult",
    "combine",
    "commit",
    "read_upload",
    "upload_too_large",
]

UPLOAD_LIMIT_MB = 50  # the largest data file the Data page accepts, in MB (2**20 bytes)


def upload_too_large(name: str, size: int) -> str | None:
    """Why a data file of ``size`` bytes cannot be uploaded, or None when it is within ``UPLOAD_LIMIT_MB``."""
    if size <= UPLOAD_LIMIT_MB << 20:
        return None
    return _(
        "{name} is {size:,.1f} MB, more than the {limit} MB a data file may hold, so it was not read. Split the "
        "export by region or quarter and upload the parts: files uploaded together are committed together."
    ).format(name=name, size=size / 2**20, limit=UPLOAD_LIMIT_MB)


@dataclass(frozen=True)
class IngestResult:
    """What ``read_upload`` made of one file (or ``combine`` of several).

    Attributes
    ----------
    rows : Arrow table of the rows that passed validation, one per account and quarter: ``row``
        (the row number in the file) then the contract columns and custom metrics.
    panel : the same rows as a pandas DataFrame indexed by ``row`` (built on first use).
    errors, warnings : DataFrames ``file, row, column, value, reason``: the first ``MAX_KEPT`` of
        each, problems of a whole file (``row`` empty) first, then by file and row.
    error_summary, warning_summary : DataFrames ``file, column, reason, rows, first_row, example``:
        every issue counted per file, column and kind of problem, most frequent first.
    error_count, warning_count : how many issues there are in all (``errors`` lists up to
        ``MAX_KEPT`` of them).
    mapping : DataFrame ``source, target, kind, confidence, how``: what each header became.
    rows_read : data rows in the file(s); ``rows_left_out`` of them are not in ``rows`` because
        of an error, ``merged_copies`` were identical copies of another row, kept once,
        ``totals_rows`` were totals rows (left out), and ``summed_rows`` were summed into
        ``summed_into`` rows (one per account and quarter, see ``Choices.sum_repeats``).
    left_out : Arrow table ``row, account_id, quarter, platform_revenue`` (and ``file`` for several
        files) of the rows an error leaves out (as read; an amount in error is empty).
    sheet, sheet_note : the workbook sheet read, and why it was proposed (read first).
    date_orders : how each date column's day/month order was settled (``DateOrder``).
    case_variants : the ids spelt several ways (``CaseVariants``).
    choices : the ``Choices`` the file was read with.
    """

    source: str
    sha256: str
    rows: pa.Table
    errors: pd.DataFrame
    warnings: pd.DataFrame
    error_summary: pd.DataFrame
    warning_summary: pd.DataFrame
    mapping: pd.DataFrame
    description: str = ""
    sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    merged_copies: int = 0
    totals_rows: int = 0
    summed_rows: int = 0
    summed_into: int = 0
    left_out: pa.Table = field(default_factory=lambda: NO_LEFT_OUT)
    sheet: str | None = None
    sheet_note: str = ""
    date_orders: tuple[DateOrder, ...] = ()
    case_variants: CaseVariants = field(default_factory=lambda: CaseVariants(0, pd.DataFrame(), {}))
    choices: Choices = Choices()

    @property
    def table(self) -> pa.Table:
        """The valid rows as the Arrow table to commit (``rows`` without the row numbers)."""
        return self.rows.drop_columns(["row"])

    @functools.cached_property
    def panel(self) -> pd.DataFrame:
        if "account_id" not in self.rows.column_names:  # a file that failed: no columns but ``row``
            return contract.empty_panel().rename_axis("row")
        frame = self.rows.to_pandas().set_index("row")
        frame["contract_end"] = frame["contract_end"].astype("datetime64[ns]")
        return frame

    @property
    def error_count(self) -> int:
        return int(self.error_summary["rows"].sum())

    @property
    def warning_count(self) -> int:
        return int(self.warning_summary["rows"].sum())

    @property
    def ok(self) -> bool:
        """True when nothing blocks the commit of every row."""
        return self.error_count == 0

    @property
    def file_errors(self) -> pd.DataFrame:
        """Errors of a whole file (no row): they block any commit, even of the valid rows."""
        return self.errors[self.errors["row"].isna()]

    @property
    def can_commit_valid_rows(self) -> bool:
        """True when the rows that passed can be committed on their own (no file-wide error)."""
        return self.file_errors.empty and self.rows.num_rows > 0

    @property
    def rows_left_out(self) -> int:
        """Rows of the file that a "commit valid rows only" leaves out (identical copies of a row,
        kept once, totals rows and rows summed into another are not counted)."""
        summed_away = self.summed_rows - self.summed_into
        return self.rows_read - self.rows.num_rows - self.merged_copies - self.totals_rows - summed_away

    @property
    def repeated_rows(self) -> int:
        """Rows in error because their account appears again in its quarter with other values (in
        one file): what summing the rows per account and quarter (``Choices.sum_repeats``) settles."""
        summary = self.error_summary
        return int(summary.loc[summary["reason"].isin(_in_every_language(REPEATED)), "rows"].sum())

    @functools.cached_property
    def left_out_summary(self) -> LeftOut:
        """What a "commit valid rows only" leaves out (``left_out.LeftOut``)."""
        return left_out(self)

    @property
    def undecided_dates(self) -> list[DateOrder]:
        """The date columns whose day/month order the user is asked for."""
        return [found for found in self.date_orders if found.undecided]

    @property
    def quarters(self) -> list[str]:
        """The quarters of the valid rows, sorted."""
        if "quarter" not in self.rows.column_names:
            return []
        return sorted(q for q in self.rows.column("quarter").unique().to_pylist() if q)


def read_upload(
    data: bytes,
    filename: str,
    *,
    quarter: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
    on_step: Callable[[str], object] | None = None,
    choices: Choices | None = None,
) -> IngestResult:
    """Read, map, clean and validate one uploaded file.

    Parameters
    ----------
    data, filename : the file's bytes and name (``.xlsx`` → workbook, else CSV; a workbook's
        content is recognised whatever its name).
    quarter : the quarter of every row, for a file without a quarter column (any form that
        ``quarters.parse_quarter`` accepts). Without it, such a file takes the quarter in its name.
    mapping : the user's corrections, source header → contract column, ``CUSTOM`` or ``IGNORE``
        (``None`` means ``IGNORE``); headers not named keep the suggested mapping.
    sheet : the workbook sheet to read (default: the one most like an account export).
    on_step : told what was done, with row counts, after reading and after checking.
    choices : what the user decided (``Choices``: sum repeated rows, the order of day and month,
        ids whatever their case); default: nothing decided.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as hasher:
        digest = hasher.submit(lambda: hashlib.sha256(data).hexdigest())  # hashlib frees the GIL: runs alongside
        told = on_step or (lambda step: None)
        return _read(data, filename, digest, quarter, mapping, sheet, told, choices or Choices())


def _read(
    data: bytes,
    filename: str,
    digest: concurrent.futures.Future,
    quarter: str | None,
    mapping: Mapping[str, str | None] | None,
    sheet: str | None,
    on_step: Callable[[str], object],
    choices: Choices,
) -> IngestResult:
    """``read_upload`` while ``digest`` computes the file's sha256 in another thread."""
    planned: dict[str, ColumnPlan] = {}

    def native_types(headers: list[str]) -> dict[int, pa.DataType]:
        """Called by the CSV reader once it knows the headers, before it parses the rows."""
        planned["plan"] = plan_columns(unique_headers(headers), mapping or {})
        return planned["plan"].native_types()

    try:
        raw = files.read_file(data, filename, sheet, native_types)
    except files.FileProblem as problem:
        return _failed(filename, digest.result(), str(problem))
    plan = planned.get("plan") or plan_columns(unique_headers(raw.headers), mapping or {})
    on_step(
        _("Read {rows:,} rows of {columns:,} columns").format(rows=raw.table.num_rows, columns=raw.table.num_columns)
    )
    check = Validation(raw, plan, filename, quarter, choices)
    try:
        rows = check.run()
    except duckdb.OutOfMemoryException:  # many uploads checked at once can exhaust the engine's share
        return _failed(filename, digest.result(), _(_NO_MEMORY))
    finally:
        check.close()
    errors, warnings = check.errors.summary(), check.warnings.summary()
    on_step(
        _("Checked: {rows:,} rows pass, {errors:,} errors, {warnings:,} warnings").format(
            rows=rows.num_rows, errors=int(errors["rows"].sum()), warnings=int(warnings["rows"].sum())
        )
    )
    return IngestResult(
        source=filename,
        sha256=digest.result(),
        rows=rows,
        errors=check.errors.frame(),
        warnings=check.warnings.frame(),
        error_summary=errors,
        warning_summary=warnings,
        mapping=plan.table(),
        description=raw.description,
        sheets=raw.sheets,
        rows_read=raw.table.num_rows + raw.skipped_rows,
        merged_copies=check.merged_copies,
        totals_rows=check.totals_rows,
        summed_rows=check.summed.rows,
        summed_into=check.summed.into,
        left_out=check.left_out,
        sheet=raw.sheet,
        sheet_note=raw.sheet_note,
        date_orders=tuple(check.date_orders),
        case_variants=check.case,
        choices=choices,
    )


class CommitRefused(ValueError):
    """An ingest result that the rules do not allow to commit; the message says why."""


def commit(result: IngestResult, workspace, *, actor: Actor, valid_rows_only: bool = False, expect_live=None) -> int:
    """Commit ``result`` to ``workspace`` as one upload, under the rules the Data page shows.

    All rows are committed when there is no error. With errors, only ``valid_rows_only=True``
    commits the rows that passed, and never when a problem concerns the whole file (a missing
    column, an unreadable file …). ``expect_live`` and ``actor`` are passed on to
    ``Workspace.commit`` (the live uploads the user saw and agreed to supersede; who commits).
    Raises ``CommitRefused``; writes nothing then.
    """
    if not result.file_errors.empty:
        raise CommitRefused(
            _("a problem concerns the whole file: {reason}").format(reason=result.file_errors["reason"].iloc[0])
        )
    if not result.ok and not valid_rows_only:
        raise CommitRefused(
            _("{errors:,} errors remain: fix them, or choose to commit the valid rows only").format(
                errors=result.error_count
            )
        )
    if result.rows.num_rows == 0:
        raise CommitRefused(_("no row passed the checks: there is nothing to commit"))
    return workspace.commit(result.table, result.source, sha256=result.sha256, expect_live=expect_live, actor=actor)


def _failed(filename: str, sha256: str, reason: str) -> IngestResult:
    errors = IssueLog(filename)
    errors.add(None, "", "", reason)
    return IngestResult(
        source=filename,
        sha256=sha256,
        rows=NO_ROWS,
        errors=errors.frame(),
        warnings=IssueLog().frame(),
        error_summary=errors.summary(),
        warning_summary=IssueLog().summary(),
        mapping=pd.DataFrame(columns=MAPPING_COLUMNS),
    )


def combine(results: list[IngestResult]) -> IngestResult:
    """Several files committed together (e.g. one per region) as one result.

    Rows, issues and mappings are joined (custom metrics a file lacks are empty for its rows); the
    issues listed stay within ``MAX_KEPT`` of each severity, and every one is counted. An account and
    quarter in two files is an error on both rows when the values differ; identical copies are kept
    once, with a warning. ``source`` lists the files; ``sha256`` hashes theirs.
    """
    if len(results) == 1:
        return results[0]
    tables = [
        r.rows.append_column("file", pa.array([r.source] * r.rows.num_rows, pa.string()))
        for r in results
        if r.rows.num_rows
    ]
    rows = pa.concat_tables(tables, promote_options="permissive") if tables else NO_ROWS
    errors, warnings = IssueLog(), IssueLog()
    for r in results:
        errors.absorb(r.errors, r.error_summary)
        warnings.absorb(r.warnings, r.warning_summary)
    copies, clashing = 0, _LEFT_OUT_OF_FILES
    if rows.num_rows:
        try:
            rows, copies, clashing = _across_files(rows, {r.source: _id_header(r) for r in results}, errors, warnings)
        except duckdb.OutOfMemoryException:
            errors.add(None, "", "", _(_NO_MEMORY), file=", ".join(r.source for r in results))
    mappings = [r.mapping.assign(file=r.source) for r in results if not r.mapping.empty]  # a failed file has none
    mapping = pd.concat(mappings, ignore_index=True) if mappings else pd.DataFrame(columns=[*MAPPING_COLUMNS, "file"])
    return IngestResult(
        source=", ".join(r.source for r in results),
        sha256=hashlib.sha256("".join(r.sha256 for r in results).encode()).hexdigest(),
        rows=rows,
        errors=errors.frame(),
        warnings=warnings.frame(),
        error_summary=errors.summary(),
        warning_summary=warnings.summary(),
        mapping=mapping,
        description=_("; ").join(f"{r.source}: {r.description}" for r in results),
        rows_read=sum(r.rows_read for r in results),
        merged_copies=sum(r.merged_copies for r in results) + copies,
        totals_rows=sum(r.totals_rows for r in results),
        summed_rows=sum(r.summed_rows for r in results),
        summed_into=sum(r.summed_into for r in results),
        left_out=pa.concat_tables(
            [r.left_out.append_column("file", pa.array([r.source] * r.left_out.num_rows, pa.string())) for r in results]
            + [clashing.cast(_LEFT_OUT_OF_FILES.schema)]
        ),
        date_orders=tuple(found for r in results for found in r.date_orders),
        case_variants=CaseVariants(
            sum(r.case_variants.groups for r in results),
            pd.concat([r.case_variants.listed for r in results], ignore_index=True),
            {},
        ),
    )


def _id_header(result: IngestResult) -> str:
    """The file's own header of the account id column."""
    ids = result.mapping[result.mapping["target"] == "account_id"]["source"]
    return ids.iloc[0] if len(ids) else "account_id"


_LEFT_OUT_OF_FILES = NO_LEFT_OUT.append_column("file", pa.array([], pa.string()))
_COPY_ACROSS = N_("identical to a row of the same account and quarter in another file: kept once")
_NO_MEMORY = N_(
    "The file could not be checked in the memory the app sets aside for it (other large files are being checked "
    "now). Upload it again in a few minutes, or split the export by region or quarter."
)
_CLASH_ACROSS = N_("is in its quarter in more than one file with different values: keep it in one file")


@functools.cache
def _in_every_language(text: str) -> frozenset[str]:
    """``text`` (marked with ``N_``) as every language writes it: a result read in one language is
    still recognised when a run in another asks about it."""
    written = set()
    for lang in i18n.LANGUAGES:
        with i18n.use(lang):
            written.add(_(text))
    return frozenset(written)


def _across_files(rows: pa.Table, id_headers: dict[str, str], errors: IssueLog, warnings: IssueLog) -> tuple:
    """``rows`` (of several files, with their ``file``) without the accounts repeated across files,
    how many were identical copies, and the rows left out as they differ (``NO_LEFT_OUT``'s columns
    and ``file``); the errors and warnings about them are added to the logs. Each file holds an
    account and quarter once at most (``Validation`` saw to it)."""
    value_columns = [c for c in rows.column_names if c not in ("row", "file")]
    with engine().cursor() as con:  # within the memory the app sets aside for checks
        found = repeats.find(con, rows, value_columns)
    if found is None:
        return rows.drop_columns(["file"]), 0, _LEFT_OUT_OF_FILES
    sources, numbers = rows.column("file"), rows.column("row").to_numpy()
    accounts, quarters = rows.column("account_id"), rows.column("quarter")

    def place(position: int) -> str:
        return _("{file} row {row}").format(file=sources[position].as_py(), row=numbers[position])

    def identical(groups: np.ndarray, copies: np.ndarray) -> list[str]:
        return [_("identical to {place}: kept once").format(place=place(group)) for group in groups]

    def differing(groups: np.ndarray, copies: np.ndarray) -> list[str]:
        return [
            _(
                "{account} is in {quarter} in more than one file with different values ({places}): keep it in one file"
            ).format(
                account=shorten(accounts[group].as_py()),
                quarter=quarter_text(quarters[group].as_py()),
                places=some([place(p) for p in leading], n),
            )
            for group, n, leading in zip(groups, copies, found.leading(groups, 3))
        ]

    def report(log: IssueLog, which: np.ndarray, reasons, kind: str) -> None:
        """Issues on the account id of the rows ``which`` (a mask of ``found``), file by file;
        ``reasons(groups, copies)`` words them from their groups' first positions and sizes."""
        positions, groups, copies = found.position[which], found.first[which], found.copies[which]
        files = sources.take(positions)
        for file in pc.unique(files).to_pylist():
            mine = np.flatnonzero(pc.equal(files, file).to_numpy(zero_copy_only=False))  # in table order
            log.add_rows(
                numbers[positions[mine]],
                id_headers[file],
                lambda chosen, mine=mine: accounts.take(groups[mine[chosen]]).to_pylist(),
                lambda chosen, mine=mine: reasons(groups[mine[chosen]], copies[mine[chosen]]),
                kind=kind,
                file=file,
            )

    copy, clash = found.extra_copies, ~found.identical
    report(warnings, copy, identical, _(_COPY_ACROSS))
    report(errors, clash, differing, _(_CLASH_ACROSS))
    keep = np.ones(rows.num_rows, dtype=bool)
    keep[found.position[copy | clash]] = False
    clashing = rows.take(pa.array(found.position[clash])).select([*NO_LEFT_OUT.column_names, "file"])
    return rows.filter(pa.array(keep)).drop_columns(["file"]), int(copy.sum()), clashing
