"""Upload ingest: an ops lead's CSV/XLSX → a validated panel in the data contract's columns.

``read_upload`` never raises on bad data: every problem becomes a row of ``errors`` (blocks that
row, or the whole file when ``row`` is empty) or of ``warnings`` (a value was cleaned or read in a
stated way), naming the row as a spreadsheet shows it, the column as the file names it, the value
and what to do. Only programming errors raise.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from b2b_core import contract
from b2b_core.access import LOCAL, Actor
from b2b_core.ingest import files
from b2b_core.ingest.mapping import CUSTOM, IGNORE, MAPPING_COLUMNS, ColumnPlan, plan_columns, unique_headers
from b2b_core.ingest.validate import NO_ROWS, Validation

__all__ = [
    "CUSTOM",
    "IGNORE",
    "ISSUE_COLUMNS",
    "CommitRefused",
    "IngestResult",
    "combine",
    "commit",
    "issue_summary",
    "read_upload",
]

ISSUE_COLUMNS = ["file", "row", "column", "value", "reason"]


def issue_frame(rows: list[tuple] | None = None) -> pd.DataFrame:
    """Issue rows ``(file, row, column, value, reason)`` as a frame: file-wide ones first, then by row."""
    frame = pd.DataFrame(rows or [], columns=ISSUE_COLUMNS).astype({"row": "Int64"})
    return frame.sort_values(["file", "row"], na_position="first", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class IngestResult:
    """What ``read_upload`` made of one file (or ``combine`` of several).

    Attributes
    ----------
    rows : Arrow table of the rows that passed validation, one per account and quarter: ``row``
        (the row number in the file) then the contract columns and custom metrics.
    panel : the same rows as a pandas DataFrame indexed by ``row`` (built on first use).
    errors, warnings : DataFrames ``file, row, column, value, reason``; ``row`` is empty for a
        problem of the whole file.
    mapping : DataFrame ``source, target, kind, confidence, how``: what each header became.
    rows_read : data rows in the file(s); ``rows_left_out`` of them are not in ``rows``, and
        ``merged_copies`` were identical copies of another row, kept once.
    """

    source: str
    sha256: str
    rows: pa.Table
    errors: pd.DataFrame
    warnings: pd.DataFrame
    mapping: pd.DataFrame
    description: str = ""
    sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    merged_copies: int = 0

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
    def ok(self) -> bool:
        """True when nothing blocks the commit of every row."""
        return self.errors.empty

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
        kept once, are not counted)."""
        return self.rows_read - self.rows.num_rows - self.merged_copies

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
    sheet : the workbook sheet to read (default: the first).
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as hasher:
        digest = hasher.submit(lambda: hashlib.sha256(data).hexdigest())  # hashlib frees the GIL: runs alongside
        return _read(data, filename, digest, quarter, mapping, sheet)


def _read(
    data: bytes,
    filename: str,
    digest: concurrent.futures.Future,
    quarter: str | None,
    mapping: Mapping[str, str | None] | None,
    sheet: str | None,
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
    check = Validation(raw, plan, filename, quarter)
    try:
        rows = check.run()
    finally:
        check.close()
    return IngestResult(
        source=filename,
        sha256=digest.result(),
        rows=rows,
        errors=issue_frame([(filename, *issue) for issue in check.errors]),
        warnings=issue_frame([(filename, *issue) for issue in check.warnings]),
        mapping=plan.table(),
        description=raw.description,
        sheets=raw.sheets,
        rows_read=raw.table.num_rows + len(raw.problems),
        merged_copies=check.merged_copies,
    )


def issue_summary(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues grouped by column and reason, most frequent first: ``column, reason, rows,
    first_row, example`` (the first value met), to show what to fix first."""
    if issues.empty:
        return pd.DataFrame(columns=["column", "reason", "rows", "first_row", "example"])
    return (
        issues.groupby(["column", "reason"], dropna=False, sort=False)
        .agg(rows=("reason", "size"), first_row=("row", "min"), example=("value", "first"))
        .reset_index()
        .sort_values("rows", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


class CommitRefused(ValueError):
    """An ingest result that the rules do not allow to commit; the message says why."""


def commit(
    result: IngestResult, workspace, *, valid_rows_only: bool = False, expect_live=None, actor: Actor = LOCAL
) -> int:
    """Commit ``result`` to ``workspace`` as one upload, under the rules the Data page shows.

    All rows are committed when there is no error. With errors, only ``valid_rows_only=True``
    commits the rows that passed, and never when a problem concerns the whole file (a missing
    column, an unreadable file …). ``expect_live`` and ``actor`` are passed on to
    ``Workspace.commit`` (the live uploads the user saw and agreed to supersede; who commits).
    Raises ``CommitRefused``; writes nothing then.
    """
    if not result.file_errors.empty:
        raise CommitRefused(f"a problem concerns the whole file: {result.file_errors['reason'].iloc[0]}")
    if not result.ok and not valid_rows_only:
        raise CommitRefused(f"{len(result.errors)} errors remain: fix them, or choose to commit the valid rows only")
    if result.rows.num_rows == 0:
        raise CommitRefused("no row passed the checks: there is nothing to commit")
    return workspace.commit(result.table, result.source, sha256=result.sha256, expect_live=expect_live, actor=actor)


def _failed(filename: str, sha256: str, reason: str) -> IngestResult:
    return IngestResult(
        filename,
        sha256,
        NO_ROWS,
        issue_frame([(filename, None, "", "", reason)]),
        issue_frame(),
        pd.DataFrame(columns=MAPPING_COLUMNS),
    )


def combine(results: list[IngestResult]) -> IngestResult:
    """Several files committed together (e.g. one per region) as one result.

    Rows, issues and mappings are joined (custom metrics a file lacks are empty for its rows). An
    account and quarter in two files is an error on both rows when the values differ; identical
    copies are kept once, with a warning. ``source`` lists the files; ``sha256`` hashes theirs.
    """
    if len(results) == 1:
        return results[0]
    tables = [
        r.rows.append_column("file", pa.array([r.source] * r.rows.num_rows, pa.string()))
        for r in results
        if r.rows.num_rows
    ]
    rows = pa.concat_tables(tables, promote_options="permissive") if tables else NO_ROWS
    id_headers = {r.source: _id_header(r) for r in results}
    errors, warnings, copies = [r.errors for r in results], [r.warnings for r in results], 0
    if rows.num_rows:
        rows, clashes, repeated = _across_files(rows, id_headers)
        errors.append(clashes)
        warnings.append(repeated)
        copies = len(repeated)
    mappings = [r.mapping.assign(file=r.source) for r in results if not r.mapping.empty]  # a failed file has none
    mapping = pd.concat(mappings, ignore_index=True) if mappings else pd.DataFrame(columns=[*MAPPING_COLUMNS, "file"])
    return IngestResult(
        source=", ".join(r.source for r in results),
        sha256=hashlib.sha256("".join(r.sha256 for r in results).encode()).hexdigest(),
        rows=rows,
        errors=issue_frame(pd.concat(errors).itertuples(index=False, name=None)),
        warnings=issue_frame(pd.concat(warnings).itertuples(index=False, name=None)),
        mapping=mapping,
        description="; ".join(f"{r.source}: {r.description}" for r in results),
        rows_read=sum(r.rows_read for r in results),
        merged_copies=sum(r.merged_copies for r in results) + copies,
    )


def _id_header(result: IngestResult) -> str:
    """The file's own header of the account id column."""
    ids = result.mapping[result.mapping["target"] == "account_id"]["source"]
    return ids.iloc[0] if len(ids) else "account_id"


def _across_files(rows: pa.Table, id_headers: dict[str, str]) -> tuple[pa.Table, pd.DataFrame, pd.DataFrame]:
    """Rows without the accounts repeated across files, plus the errors and warnings about them.
    Only the two key columns of every row are looked at; only repeated rows are read whole."""
    key = list(contract.KEY)
    is_repeated = rows.select(key).to_pandas().duplicated(keep=False).to_numpy()
    frame = rows.filter(pa.array(is_repeated)).to_pandas().set_index(np.flatnonzero(is_repeated))
    clashes, copies, drop = [], [], []
    value_columns = [c for c in frame.columns if c not in ("row", "file")]
    for (account, quarter), group in frame.groupby(key, sort=False):
        places = list(zip(group["file"], group["row"]))
        if len(group[value_columns].astype(str).drop_duplicates()) == 1:
            drop.extend(group.index[1:])
            first = f"{places[0][0]} row {places[0][1]}"
            copies.extend((f, r, id_headers[f], account, f"identical to {first}: kept once") for f, r in places[1:])
        else:
            drop.extend(group.index)
            where = ", ".join(f"{f} row {r}" for f, r in places)
            reason = (
                f"{account} is in {quarter} in more than one file with different values ({where}): keep it in one file"
            )
            clashes.extend((f, r, id_headers[f], account, reason) for f, r in places)
    keep = np.ones(rows.num_rows, dtype=bool)
    keep[drop] = False
    return (
        rows.filter(pa.array(keep)).drop_columns(["file"]),
        pd.DataFrame(clashes, columns=ISSUE_COLUMNS),
        pd.DataFrame(copies, columns=ISSUE_COLUMNS),
    )
