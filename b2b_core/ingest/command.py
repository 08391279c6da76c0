"""The command-line import: files of any size checked as the Data page checks an upload, then
committed as one upload, all or nothing.

``python -m b2b_core.ingest FILE... [--workspace PATH] [--quarter Q] [--mapping JSON]
[--report CSV] [--valid-rows-only] [--sum-repeats] [--day-first | --month-first] [--ids-ignore-case]
[--sheet NAME]``

A CSV is streamed through DuckDB's reader in batches of ``BATCH_ROWS`` rows: the delimiter and
the header row are found as the Data page finds them (on the file's first bytes), each batch is
validated by the same rules (``Validation``) and its valid rows are written to the workspace as
they come (``Workspace.commit_chunks``, a transaction per batch under an upload id no reader
sees): neither the file nor the import is held whole in memory. The whole is then checked once
more (an account twice in a quarter across batches or files) and becomes the upload; if anything is
wrong nothing is written. A workbook (``.xlsx``) is read whole, as on the Data page (workbooks
are capped in size). The report (every issue counted, the first ``MAX_KEPT`` of each severity
listed) is printed and written as CSV.

The choices of the Data page are flags (see ``Choices``). With ``--sum-repeats`` a CSV is checked
as one batch, since an account's rows may lie anywhere in it. The order of day and month is
decided by each batch's own dates (a batch of 500,000 rows without a day above 12 is rare; then
``--day-first`` or ``--month-first`` settles it). With ``--ids-ignore-case`` the spelling kept is
the live data's, else the file's most frequent.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from b2b_core import store
from b2b_core.access import LOCAL, Actor
from b2b_core.ingest import files
from b2b_core.ingest.choices import Choices
from b2b_core.ingest.issues import ISSUE_COLUMNS, IssueLog
from b2b_core.ingest.mapping import ColumnPlan, plan_columns, unique_headers
from b2b_core.ingest.validate import Validation
from b2b_core.quarters import DAY_FIRST, MONTH_FIRST
from b2b_core.store.schema import sql_string

BATCH_ROWS = 500_000  # rows of a CSV validated and written at a time
_HEAD = 1 << 20  # bytes of a CSV read to find its delimiter and header row


@dataclass
class ImportReport:
    """What an import found: the issues (``errors`` and ``warnings`` logs, every one counted),
    rows read and rows that passed, and the upload id once committed (None when refused)."""

    errors: IssueLog = field(default_factory=IssueLog)
    warnings: IssueLog = field(default_factory=IssueLog)
    rows_read: int = 0
    rows_passed: int = 0
    upload_id: int | None = None
    refused: str | None = None

    def issues(self) -> pd.DataFrame:
        """Errors then warnings as listed (``severity`` first, then ``ISSUE_COLUMNS``)."""
        return pd.concat(
            [self.errors.frame().assign(severity="error"), self.warnings.frame().assign(severity="warning")]
        )[["severity", *ISSUE_COLUMNS]]


class _Refused(Exception):
    """Raised inside the commit to roll it back; the report says why."""


def import_files(
    paths: list[Path],
    workspace: store.Workspace,
    *,
    actor: Actor,
    quarter: str | None = None,
    mapping: dict[str, str | None] | None = None,
    valid_rows_only: bool = False,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
    choices: Choices | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Check ``paths`` and commit their rows to ``workspace`` as one upload (see the module).
    ``choices`` are the Data page's (``Choices``), ``sheet`` the workbook sheet to read.

    With an error anywhere, nothing is committed unless ``valid_rows_only`` (and never for a
    problem of a whole file). Returns the report; ``upload_id`` is set when the rows were committed.
    """
    report = ImportReport()
    choices = choices or Choices()
    if choices.sum_repeats:  # an account's rows may be anywhere in the file: one batch
        batch_rows = 2**40
    tasks = {}
    if progress is not None:
        tasks = {name: progress.add_task(name, total=None) for name in ("read", "checked", "committed")}

    def advance(name: str, rows: int) -> None:
        if progress is not None:
            progress.update(tasks[name], advance=rows)

    def batches() -> Iterator[pa.Table]:
        for path in paths:
            for raw, plan in _batches(path, mapping, batch_rows, report, sheet):
                advance("read", raw.table.num_rows)
                chosen = _with_live_spellings(choices, workspace, raw, plan) if choices.ids_ignore_case else choices
                check = Validation(raw, plan, path.name, quarter, chosen)
                try:
                    rows = check.run()
                finally:
                    check.close()
                report.errors.absorb(check.errors.frame(), check.errors.summary())
                report.warnings.absorb(check.warnings.frame(), check.warnings.summary())
                report.rows_read += raw.table.num_rows + raw.skipped_rows
                report.rows_passed += rows.num_rows
                advance("checked", raw.table.num_rows)
                if rows.num_rows:
                    yield rows.drop_columns(["row"])
        whole_file = report.errors.frame()["row"].isna().any()
        if whole_file or (report.errors.total and not valid_rows_only):
            raise _Refused(
                "a problem concerns a whole file"
                if whole_file
                else f"{report.errors.total:,} errors remain: fix them, or import the valid rows only"
            )
        if progress is not None:  # commit_chunks now checks and commits the whole: seconds per 10M rows
            progress.console.print("Every batch is written; checking the upload as a whole and committing it…")

    source = ", ".join(p.name for p in paths)
    try:
        report.upload_id = workspace.commit_chunks(
            batches(), source, actor=actor, on_chunk=lambda rows: advance("committed", rows)
        )
    except _Refused as refused:
        report.refused = str(refused)
    except ValueError as exc:  # across batches or files: an account twice in a quarter, no row at all …
        report.errors.add(None, "", "", f"{exc}: nothing was committed")
        report.refused = str(exc)
    return report


def _with_live_spellings(
    choices: Choices, workspace: store.Workspace, raw: files.RawTable, plan: ColumnPlan
) -> Choices:
    """``choices`` with the live data's spellings of the batch's ids that differ only by case."""
    if "account_id" not in plan.targets:
        return choices
    ids = pc.utf8_trim_whitespace(raw.table.column(f"c{plan.targets['account_id']}").cast(pa.string()))
    known = dict(choices.id_spellings) | workspace.id_spellings(ids, listed=1_000_000)
    return dataclasses.replace(choices, id_spellings=tuple(sorted(known.items())))


def _batches(
    path: Path, mapping: dict[str, str | None] | None, batch_rows: int, report: ImportReport, sheet: str | None = None
) -> Iterator[tuple[files.RawTable, ColumnPlan]]:
    """The file as ``RawTable`` batches with its column plan (one batch for a workbook, of ``sheet``)."""
    with path.open("rb") as file:
        head = file.read(_HEAD)
    try:
        if path.suffix.lower() == ".xlsx" or head.startswith(b"PK\x03\x04"):  # workbooks are capped: read whole
            raw = files.read_file(path.read_bytes(), path.name, sheet)
            yield raw, plan_columns(unique_headers(raw.headers), mapping or {})
            return
        delimiter, header_index, headers = files.sniff_csv(head)
    except files.FileProblem as problem:
        report.errors.add(None, "", "", str(problem), file=path.name)
        return
    plan = plan_columns(unique_headers(headers), mapping or {})
    names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(headers)))
    first_row = header_index + 2  # the spreadsheet row of the first data line
    try:
        relation = duckdb.connect().sql(  # the dialect is known: DuckDB's sniffer would refuse a bad row unnamed
            f"SELECT * FROM read_csv({sql_string(str(path))}, delim = {sql_string(delimiter)}, quote = '\"', "
            f"escape = '\"', auto_detect = false, header = false, skip = {header_index + 1}, null_padding = true, "
            f"columns = {{{names}}})"
        )
        for table in _gathered(relation.to_arrow_reader(min(batch_rows, BATCH_ROWS)), batch_rows):
            rows = pa.array(range(first_row, first_row + table.num_rows), pa.int64())
            first_row += table.num_rows
            description = "CSV read in batches by DuckDB"
            problems, notes = IssueLog(path.name), IssueLog(path.name)
            yield (
                files.RawTable(
                    headers, table.append_column("__row", rows), header_index + 1, description, problems, notes
                ),
                plan,
            )
    except duckdb.Error as exc:
        report.errors.add(None, "", "", _unreadable(str(exc), first_row), file=path.name)


def _unreadable(error: str, first_row: int) -> str:
    """What DuckDB's reader ``error`` means for the user, read from its text: the row it stopped
    at and why, for a problem of the whole file (no row after it was read)."""
    line = re.search(r"CSV Error on Line: (\d+)", error)
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", error)
    where = f"row {line.group(1)}" if line else f"a row after row {first_row - 1:,}"
    if columns:
        why = files.too_many_values(int(columns.group(2)), int(columns.group(1)))
    else:
        why = f"cannot be read as CSV ({error.splitlines()[0].removeprefix('Invalid Input Error: ')})."
    return f"the file stops being readable at {where}, which {why} Fix it and import the file again."


def _gathered(reader: pa.RecordBatchReader, rows: int) -> Iterator[pa.Table]:
    """The reader's record batches gathered into tables of at least ``rows`` rows (the last one
    fewer): DuckDB hands a CSV over in batches of its own size (some 100,000 rows), and each table
    checked and committed has a fixed cost."""
    held: list[pa.RecordBatch] = []
    for batch in reader:
        held.append(batch)
        if sum(b.num_rows for b in held) >= rows:
            yield pa.Table.from_batches(held)
            held = []
    if held:
        yield pa.Table.from_batches(held)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m b2b_core.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="CSV or XLSX files, committed together as one upload")
    parser.add_argument("--workspace", type=Path, help="the workspace file (default: $B2B_WORKSPACE or data/)")
    parser.add_argument("--quarter", help="the quarter of every row, for files without a quarter column")
    parser.add_argument("--mapping", type=Path, help='a JSON file {"file header": "contract column", …}')
    parser.add_argument("--report", type=Path, help="where to write the issues as CSV (default: beside the first file)")
    parser.add_argument("--valid-rows-only", action="store_true", help="commit the rows that passed despite errors")
    parser.add_argument(
        "--sum-repeats", action="store_true", help="sum the rows of an account in a quarter (a transaction-level file)"
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument("--day-first", action="store_true", help="read dates such as 03/04/2025 as 3 April")
    order.add_argument("--month-first", action="store_true", help="read dates such as 03/04/2025 as March 4")
    parser.add_argument(
        "--ids-ignore-case", action="store_true", help="read ids differing only by case (cd1, CD1) as one account"
    )
    parser.add_argument("--sheet", help="the workbook sheet to read (default: the one most like an account export)")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        print(f"No such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    mapping = json.loads(args.mapping.read_text(encoding="utf-8")) if args.mapping else None
    columns = (TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with store.Workspace(args.workspace or store.default_path()) as workspace, Progress(*columns) as progress:
        report = import_files(
            args.files,
            workspace,
            actor=LOCAL,
            quarter=args.quarter,
            mapping=mapping,
            valid_rows_only=args.valid_rows_only,
            progress=progress,
            choices=Choices(
                sum_repeats=args.sum_repeats,
                date_order=DAY_FIRST if args.day_first else MONTH_FIRST if args.month_first else None,
                ids_ignore_case=args.ids_ignore_case,
            ),
            sheet=args.sheet,
        )
    where = args.report or args.files[0].with_name(args.files[0].stem + ".import-report.csv")
    report.issues().to_csv(where, index=False)
    print(f"{report.rows_read:,} rows read, {report.rows_passed:,} passed the checks.")
    for name, log in (("Errors", report.errors), ("Warnings", report.warnings)):
        if log.total:
            print(f"{name}: {log.total:,}")
            print(log.summary().head(20).to_string(index=False))
    print(f"The issues are listed in {where}.")
    if report.upload_id is None:
        print(f"Nothing was committed: {report.refused}", file=sys.stderr)
        return 1
    print(f"Committed upload #{report.upload_id} to {workspace.path}.")
    return 0
