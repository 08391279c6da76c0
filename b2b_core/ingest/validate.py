"""Cleaning and validating the cells of one file, column by column, over the Arrow table of its cells.

``_clean`` turns every mapped column into its contract type and records an issue code per cell,
in Arrow kernels wherever it can; numbers that arrive as text go through the SQL cleaning rules of
``clean`` in an in-memory DuckDB. The checks then turn the issues into errors and warnings (with
the file's rows, headers and values) and look for repeated (account, quarter) pairs.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tempfile

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from b2b_core import contract
from b2b_core.contract_labels import label
from b2b_core.i18n import N_, _
from b2b_core.ingest import clean, repeats, totals
from b2b_core.ingest.choices import Choices
from b2b_core.ingest.dates import DateOrder, date_order
from b2b_core.ingest.files import ROW, RawTable
from b2b_core.ingest.ids import CaseVariants, case_variants, respelt
from b2b_core.ingest.issues import shorten, some
from b2b_core.ingest.mapping import ColumnPlan
from b2b_core.quarters import QuarterError, find_quarter_in_text, parse_date, parse_quarter, quarter_text

MONEY = ("platform_revenue", "b_side_revenue")  # a blank is read as 0 (with a warning)
_NUMERIC_SHARE = 0.75  # an unmapped text column is a custom metric when this share of cells are numbers
_PARSERS = {"quarter": parse_quarter, "active": clean.parse_active, "contract_end": parse_date}
NO_ROWS = pa.table({"row": pa.array([], pa.int64())})
# The rows a "commit valid rows only" leaves out, as the report lists them
LEFT_OUT_COLUMNS = ("row", "account_id", "quarter", "platform_revenue")
NO_LEFT_OUT = pa.table(
    {
        "row": pa.array([], pa.int64()),
        "account_id": pa.array([], pa.string()),
        "quarter": pa.array([], pa.string()),
        "platform_revenue": pa.array([], pa.float64()),
    }
)
_ARROW_TYPES = {
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "text": pa.string(),
    "quarter": pa.string(),
}

_PLAIN_NUMBER = r"^[0-9]+(\.[0-9]+)?$"  # what ``_plain_number`` reads without the cleaning rules
_PARSE_BATCH = 100_000  # rows whose distinct texts are parsed in Python at a time
# A cell starting or ending with what utf8_trim_whitespace trims (Unicode White_Space, and \x1c-\x1f)
_EDGE_SPACE = r"^[\s\x{0B}\x{1C}-\x{1F}\x{85}\pZ]|[\s\x{0B}\x{1C}-\x{1F}\x{85}\pZ]$"
_CONSTANT_CHUNK = 65_536  # rows of the one chunk a column of one value repeats
# What the cleaning database may hold in memory; beyond it, its sorts and groupings spill to disk.
ENGINE_MEMORY = "64MB"
_TOO_LONG = N_(
    "is longer than {limit:,} characters, the most a text cell may hold: check that the column is mapped to the "
    "right field, or shorten the value"
)
_COPY = N_("identical to an earlier row of the same account and quarter: kept once")
REPEATED = N_(
    "appears more than once in its quarter with different values: keep one row per account and quarter, or "
    "choose to sum the rows per account and quarter"
)
_TOTALS = N_("a totals row: left out (it is no account)")
Field = tuple[str, str, str]  # (name, kind, SQL of its source text: a raw column or a quoted quarter)


@functools.cache
def engine() -> duckdb.DuckDBPyConnection:
    """The process's in-memory DuckDB database holding the cleaning macros (created once), shared by
    every upload: within ``ENGINE_MEMORY``, spilling to a folder of the system's temporary files."""
    spill = os.path.join(tempfile.gettempdir(), f"b2b-ingest-{os.getpid()}")
    config = {"memory_limit": ENGINE_MEMORY, "temp_directory": spill, "preserve_insertion_order": False}
    engine = duckdb.connect(config=config)  # every query that needs an order says so
    engine.execute(clean.MACROS).fetchall()
    return engine


def is_number_type(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_null(kind)


class Validation:
    """Validate ``raw`` under ``plan``: ``run()`` returns the valid rows as an Arrow table and
    adds to ``errors`` and ``warnings`` (the reader's logs: its own issues come first); it sets
    ``merged_copies`` (identical repeated rows, kept once), ``totals_rows`` (left out),
    ``summed`` (rows summed per account and quarter), ``date_orders`` (of the date columns),
    ``case`` (ids spelt several ways) and ``left_out`` (the rows an error leaves out, see
    ``LEFT_OUT_COLUMNS``). ``choices`` are the user's (see ``Choices``)."""

    def __init__(
        self, raw: RawTable, plan: ColumnPlan, filename: str, quarter: str | None, choices: Choices | None = None
    ):
        self.raw, self.plan, self.filename, self.quarter = raw, plan, filename, quarter
        self.choices = choices or Choices()
        self.errors, self.warnings = raw.problems, raw.notes
        self.blocked = np.zeros(raw.table.num_rows, dtype=bool)  # per row of the table: it holds an error
        self.merged_copies = self.totals_rows = 0
        self.summed = repeats.Summed(NO_ROWS, 0, 0)
        self.date_orders: list[DateOrder] = []
        self.case = CaseVariants(0, pd.DataFrame(), {})
        self.left_out = NO_LEFT_OUT
        self.con = engine().cursor()  # a connection of its own: the tables it registers stay private

    def close(self) -> None:
        self.con.close()

    def file_error(self, column: str, value: str, reason: str) -> None:
        self.errors.add(None, column, value, reason)

    def file_warning(self, column: str, value: str, reason: str) -> None:
        self.warnings.add(None, column, value, reason)

    # -- preparation --------------------------------------------------------------------------

    def blank_headers_with_values(self) -> None:
        for i, header in enumerate(self.plan.headers):
            column = self.raw.table.column(f"c{i}")
            if not header and pc.any(pc.not_equal(pc.utf8_trim_whitespace(column.cast(pa.string())), "")).as_py():
                self.file_error(
                    _("column {letter}").format(letter=_letter(i)),
                    "",
                    _(
                        "has values but no header (merged header cells?): unmerge the header cells and give each "
                        "column its own name, or delete the column"
                    ),
                )

    def numeric_columns(self, indices: list[int]) -> set[int]:
        """The columns among ``indices`` that hold numbers, each judged on its first 20,000 filled
        cells. The text columns are judged in one query over their sampled cells: a query per column
        costs milliseconds (binding the cleaning macros), so a minute for a file with 10,000 columns."""
        numeric, samples = set(), []
        for i in indices:
            column = self.raw.table.column(f"c{i}")
            if is_number_type(column.type):
                if column.null_count < len(column):
                    numeric.add(i)
                continue
            text = column.cast(pa.string()).slice(0, 200_000)
            filled = text.filter(pc.not_equal(pc.utf8_trim_whitespace(text), "")).slice(0, 20_000).combine_chunks()
            samples.append(pa.table({"i": pa.repeat(pa.scalar(i, pa.int64()), len(filled)), "c": filled}))
        if samples:
            self.con.register("sample", pa.concat_tables(samples))
            counts = self.con.execute("SELECT i, count(*), count(clean_number(c, false)) FROM sample GROUP BY i")
            numeric.update(i for i, filled, numbers in counts.fetchall() if numbers >= _NUMERIC_SHARE * filled)
        return numeric

    def quarter_source(self) -> str | None:
        """SQL for each row's quarter text, a literal for a file-wide quarter, or None (error added)."""
        if "quarter" in self.plan.targets:
            if self.quarter:
                header = self.plan.headers[self.plan.targets["quarter"]]
                self.file_warning(
                    header, self.quarter, _("the file has its own quarter column, so the chosen quarter was not used")
                )
            return f"c{self.plan.targets['quarter']}"
        chosen = self.quarter or find_quarter_in_text(self.filename)
        if not chosen:
            self.file_error(
                label("quarter"),
                "",
                _("the file has no quarter column: choose the quarter this file covers, or add a Quarter column"),
            )
            return None
        try:
            chosen = parse_quarter(chosen)
        except QuarterError as exc:
            self.file_error(label("quarter"), str(chosen), str(exc))
            return None
        if not self.quarter:
            self.file_warning(label("quarter"), chosen, _("no quarter column: quarter taken from the file name"))
        return f"'{chosen}'"

    def required_present(self) -> bool:
        missing = [c for c in contract.REQUIRED if c != "quarter" and c not in self.plan.targets]
        found = _(", ").join(h for h in self.plan.headers if h)
        for name in missing:
            self.file_error(
                label(name),
                "",
                _(
                    "no column holds {name} ({meaning}); the columns are: {found}. Map one of them to {name} in the "
                    "column mapping"
                ).format(name=label(name), meaning=_(contract.BY_NAME[name].meaning), found=found),
            )
        if "b_side_revenue" not in self.plan.targets:
            self.file_warning(
                label("b_side_revenue"),
                "",
                _("no B-side revenue column (GMV, sales …): accepted, but the revenue quadrant view needs it"),
            )
        return not missing

    # -- cleaning -----------------------------------------------------------------------------

    def _fields(self, quarter_sql: str) -> list[Field]:
        """Every mapped contract column (the quarter from ``quarter_sql``), then every custom metric."""
        fields = [("quarter", "quarter", quarter_sql)]
        fields += [
            (c.name, c.kind, f"c{self.plan.targets[c.name]}")
            for c in contract.COLUMNS
            if c.name in self.plan.targets and c.name != "quarter"
        ]
        return fields + [(name, "number", f"c{i}") for name, i in self.plan.customs.items()]

    def _clean(self, fields: list[Field]) -> pa.Table:
        """Every field cleaned, with an issue code or message (``<name>__issue``, null when fine),
        one row per file row; contract columns without a source are null.

        Built column by column in Arrow, which is much faster than SQL on strings: text is trimmed
        (empty → null) and checked for formulas; quarter, active and contract_end are parsed once
        per distinct text in Python; numbers pyarrow already parsed are only checked. Only number
        columns that arrived as text go through the SQL cleaning rules (``clean.MACROS``).
        """
        raw = self.raw.table
        self.con.register("raw", raw)
        from_text = self._text_numbers(
            [(name, source) for name, kind, source in fields if kind == "number" and source[0] == "c"]
        )
        columns: dict[str, pa.ChunkedArray | pa.Array] = {ROW: raw.column(ROW)}
        for name, kind, source in fields:
            if source.startswith("'"):  # one quarter for the whole file
                columns[name], columns[f"{name}__issue"] = _constant(source.strip("'"), pa.string(), raw.num_rows), None
            elif kind == "number":
                columns[name], columns[f"{name}__issue"] = self._number(name, raw.column(source), from_text.get(name))
            elif kind == "text":
                columns[name], columns[f"{name}__issue"] = _text(name, raw.column(source))
            else:
                parse = self._date_parser(name, source) if kind in ("quarter", "date") else _PARSERS[name]
                parsed = _parsed(raw.column(source), parse, _ARROW_TYPES[kind])
                columns[name], columns[f"{name}__issue"] = parsed
        nothing = _constant(None, pa.string(), raw.num_rows)
        columns = {k: nothing if v is None else v for k, v in columns.items()}
        for column in contract.COLUMNS:
            if column.name not in columns:
                columns[column.name] = _constant(None, _ARROW_TYPES[column.kind], raw.num_rows)
        b_side = pc.fill_null(columns["b_side_revenue"], 0)
        revenue = pc.or_(pc.greater(columns["platform_revenue"], 0), pc.greater(b_side, 0))
        columns["active"] = pc.fill_null(columns["active"].cast(pa.bool_()), revenue)
        return pa.table(columns)

    def _date_parser(self, name: str, source: str):
        """The parser of the quarter or contract end column ``source``, in the order of day and month
        its values decide or the user chose (noted in the report)."""
        header = self.plan.headers[self.plan.source_of(name)]
        found = date_order(self.raw.table.column(source), header, self.choices.date_order)
        self.date_orders.append(found)
        note = found.note()
        if note:
            self.file_warning(header, "", note)
        return functools.partial(_PARSERS[name], order=found.order)

    def _number(self, name: str, column, from_text: tuple | None):
        """(values, issue codes) of a number column: already parsed by pyarrow, or ``from_text``,
        the text cleaned by ``_text_numbers``."""
        if is_number_type(column.type):
            values = column.cast(pa.float64(), safe=False)  # integers beyond 2**53 (card numbers) round
            issue = _codes(
                [
                    (pc.is_null(values), "blank"),
                    (pc.invert(pc.is_finite(values)), "not_finite"),
                    (pc.greater(pc.abs(values), contract.MAX_AMOUNT), "too_large"),
                    (pc.less(values, 0), "negative"),
                ]
            )
        else:
            values, issue = from_text
        if name in MONEY:  # a blank is read as 0, with a warning
            return (pc.fill_null(values, 0.0) if values.null_count else values), issue
        ignored = ["blank", "placeholder"] + (["negative"] if name in self.plan.customs else [])
        if issue is not None:  # optional numbers may be left blank; custom metrics may be negative
            issue = pc.if_else(pc.is_in(issue, pa.array(ignored)), None, issue)
        if name in self.plan.customs and issue is not None:  # a problem is a warning that says "left empty"
            values = pc.if_else(pc.is_null(issue), values, None)
        return values, issue

    def _text_numbers(self, fields: list[tuple[str, str]]) -> dict[str, tuple]:
        """(values, issue codes) of every number field ``(name, source column)`` that arrived as text,
        by the SQL cleaning rules. The columns are stacked into one and cleaned in two queries (their
        decimal styles, then the values): a query per column costs tens of milliseconds (binding the
        cleaning macros), which made a file with thousands of such columns take hours. The values are
        put back in cell order explicitly: DuckDB's scan of a registered Arrow table of several chunks
        may return them in another order."""
        raw, n = self.raw.table, self.raw.table.num_rows
        fields = [(name, source) for name, source in fields if not is_number_type(raw.column(source).type)]
        plain = {name: _plain_number(raw.column(source)) for name, source in fields}
        plain = {name: found for name, found in plain.items() if found is not None}
        fields = [(name, source) for name, source in fields if name not in plain]
        if not fields:
            return plain
        # dates or flags chosen as a custom metric are not text here
        chunks = [chunk for _name, source in fields for chunk in raw.column(source).cast(pa.string()).chunks]
        text = pa.chunked_array(chunks, pa.string())  # field k's cells are rows k * n … (k + 1) * n - 1
        field_of_cell = np.repeat(np.arange(len(fields), dtype=np.int32), n)
        self.con.register("stacked", pa.table({"t": text, "k": field_of_cell}))
        style = clean.DECIMAL_STYLE_SQL.replace("{c}", "t")
        found = self.con.execute(f"SELECT k, {style} FROM stacked GROUP BY k").fetchall()
        styles = {k: (comma, point) for k, comma, point in found}
        flags = {"decimal_comma": [], "mixed": [], "money": []}
        for k, (name, _source) in enumerate(fields):
            comma, point = styles.get(k, (False, False))
            if comma and not point:  # a column with decimal commas only is read that way, with a warning
                header = self.plan.headers[self.plan.source_of(name)]
                self.file_warning(header, "", _("written with decimal commas (1.234,50 means 1234.5)"))
            flags["decimal_comma"].append(comma and not point)
            flags["mixed"].append(comma and point)  # both styles in one column: the comma values are ambiguous
            flags["money"].append(name in MONEY or name == "contract_value")
        per_cell = {flag: np.asarray(values)[field_of_cell] for flag, values in flags.items()}
        self.con.register("stacked", pa.table({"t": text, "cell": np.arange(len(text)), **per_cell}))
        ambiguous = f"mixed AND regexp_matches(money_text(t), '{clean.DECIMAL_COMMA}')"
        cleaned = self.con.sql(
            f"""SELECT value, CASE WHEN {ambiguous} THEN 'mixed_decimal' ELSE number_issue(t, value, money) END AS issue
                FROM (SELECT *, clean_number(t, decimal_comma) AS value FROM stacked) ORDER BY cell"""
        ).to_arrow_table()
        return plain | {
            name: (cleaned.column("value").slice(k * n, n), cleaned.column("issue").slice(k * n, n))
            for k, (name, _source) in enumerate(fields)
        }

    # -- checks -------------------------------------------------------------------------------

    def _check_values(self, fields: list[Field], cleaned: pa.Table) -> None:
        """Turn every ``__issue`` into errors or warnings (with the cells' text as read), field by
        field and kind by kind in Arrow (``cleaned`` has the rows of ``raw``, in order): only the
        issues a report keeps become Python objects."""
        numbers = cleaned.column(ROW).to_numpy()
        for name, _kind, source in fields:
            issue = cleaned.column(f"{name}__issue")
            if source[0] != "c" or issue.null_count == cleaned.num_rows:
                continue
            codes = issue.combine_chunks().dictionary_encode()
            header = self.plan.headers[self.plan.source_of(name)]
            text = self.raw.table.column(source).cast(pa.string())
            for index, code in enumerate(codes.dictionary.to_pylist()):
                where = pc.fill_null(pc.equal(codes.indices, index), False)
                mask = where.to_numpy(zero_copy_only=False)
                severity, reason = self._describe(name, code)
                if severity == "error":
                    self.blocked |= mask
                log = self.errors if severity == "error" else self.warnings
                log.add_rows(numbers[mask], header, text.filter(where), reason)

    def _describe(self, name: str, issue: str) -> tuple[str, str]:
        """(severity, reason) of an issue code; other issue texts are parse messages (errors)."""
        if issue == "empty_id":
            return "error", _(
                "empty: every row needs the account id; fill it in, or delete the row if it is no account"
            )
        if issue == "id_excel_error":
            return "error", _("is an Excel error value, not an account id: fix the formula in the source sheet")
        if issue == "too_long":
            return "error", _(_TOO_LONG).format(limit=contract.MAX_TEXT_CHARS)
        if issue == "formula_text":
            return "warning", _(
                "starts like a spreadsheet formula: kept as text, never evaluated (exports neutralise it)"
            )
        if issue in clean.NUMBER_ISSUES:
            severity, reason = clean.NUMBER_ISSUES[issue]
            reason = _(reason).format(largest=contract.MAX_AMOUNT)
            if severity == "error" and name in self.plan.customs:
                return "warning", _("{reason}; left empty").format(reason=reason)
            return severity, reason
        return "error", issue

    def _check_money_has_values(self, rows: int) -> None:
        """A revenue column with only blanks and placeholders is an error of the file: read as all
        zeros it would silently turn every account inactive (or put all of them at x = 0)."""
        if not rows:
            return
        for name in MONEY:
            if name not in self.plan.targets:
                continue
            filled = self.con.execute(
                f"""SELECT count(*) FILTER (WHERE coalesce("{name}__issue", '') NOT IN ('blank', 'placeholder'))
                    FROM cleaned"""
            ).fetchall()[0][0]
            if filled == 0:
                what_to_do = (
                    _("fill in the amounts (0 where the platform earned nothing), or map the column that holds them")
                    if name == "platform_revenue"
                    else _(
                        "fill in the amounts, or set this column to ignore in the column mapping if the file has no "
                        "B-side revenue"
                    )
                )
                header = self.plan.headers[self.plan.targets[name]]
                reason = _("has no amounts at all, only blanks or placeholders such as n/a: {what_to_do}")
                self.file_error(header, "", reason.format(what_to_do=what_to_do))

    def _check_duplicates(self, fields: list[Field], cleaned: pa.Table) -> np.ndarray:
        """Rows sharing an account and quarter: identical → warning, extra copies dropped (their
        positions returned); differing → error on every copy, naming a few of the group's rows."""
        found = repeats.find(self.con, cleaned, [name for name, _kind, _source in fields])
        if found is None:
            return np.array([], dtype=np.int64)
        numbers = cleaned.column(ROW).to_numpy()
        accounts, quarters = cleaned.column("account_id"), cleaned.column("quarter")
        header = self.plan.headers[self.plan.targets["account_id"]]
        copy, clash = found.extra_copies, ~found.identical
        copy_of, clash_of = found.first[copy], found.first[clash]  # the first position of each row's group

        def account(groups: np.ndarray) -> list[str]:
            return accounts.take(groups).to_pylist()

        def identical(chosen: np.ndarray) -> list[str]:
            groups = copy_of[chosen]
            where = zip(numbers[groups], map(shorten, account(groups)), quarters.take(groups).to_pylist())
            said = _("identical to row {row} ({name}, {quarter}): kept once")
            return [said.format(row=row, name=name, quarter=quarter_text(quarter)) for row, name, quarter in where]

        def differing(chosen: np.ndarray) -> list[str]:
            groups, copies = clash_of[chosen], found.copies[clash][chosen]
            rows = [some([str(numbers[p]) for p in leading], n) for leading, n in zip(found.leading(groups, 3), copies)]
            where = zip(map(shorten, account(groups)), copies, quarters.take(groups).to_pylist(), rows)
            said = _(
                "{name} appears {n:,} times in {quarter} with different values (rows {listed}): keep one row per "
                "account and quarter, or choose to sum the rows per account and quarter"
            )
            return [
                said.format(name=name, n=n, quarter=quarter_text(quarter), listed=listed)
                for name, n, quarter, listed in where
            ]

        copies, clashes = found.position[copy], found.position[clash]
        self.warnings.add_rows(numbers[copies], header, lambda c: account(copy_of[c]), identical, kind=_(_COPY))
        self.blocked[clashes] = True
        self.errors.add_rows(numbers[clashes], header, lambda c: account(clash_of[c]), differing, kind=_(REPEATED))
        return copies

    def run(self) -> pa.Table:
        """Map the undecided columns, check the file as a whole, then clean and check every row;
        return the valid rows: ``row`` then the contract columns and custom metrics."""
        self.blank_headers_with_values()
        self.plan.decide(self.numeric_columns(self.plan.undecided).__contains__)
        for header, why in self.plan.notes:
            self.file_warning(header, "", why)
        quarter_sql = self.quarter_source()
        if not self.required_present() or quarter_sql is None:
            return NO_ROWS
        if self.raw.table.num_rows == 0 and not self.raw.skipped_rows:
            self.file_error(
                "",
                "",
                _(
                    "the file has a header but no data rows: export it again with the account rows (in a workbook, "
                    "choose the sheet that holds them)"
                ),
            )
            return NO_ROWS
        fields = self._fields(quarter_sql)
        labelled = self._totals_by_words(fields)
        cleaned = self._clean(fields)
        cleaned = self._leave_out_totals(fields, cleaned, labelled)
        self.con.register("cleaned", cleaned)
        self._check_values(fields, cleaned)
        self._check_money_has_values(cleaned.num_rows)
        cleaned = self._read_ids(cleaned)
        columns = [ROW, *contract.NAMES, *self.plan.customs]
        if self.choices.sum_repeats:
            self.left_out = _rows_of(cleaned, self.blocked, LEFT_OUT_COLUMNS)
            valid = cleaned.select(columns).filter(pa.array(~self.blocked))
            self.summed = repeats.sum_per_account(self.con, valid, ROW, [*MONEY, *self.plan.customs])
            if self.summed.rows:
                self.file_warning("", "", _summed_note(self.summed))
            return self.summed.table.rename_columns(["row", *columns[1:]])
        copies = self._check_duplicates(fields, cleaned)
        self.merged_copies = len(copies)
        self.left_out = _rows_of(cleaned, self.blocked, LEFT_OUT_COLUMNS)
        left_out = self.blocked
        left_out[copies] = True
        valid = cleaned.select(columns).rename_columns(["row", *columns[1:]])
        return valid.filter(pa.array(~left_out)) if left_out.any() else valid

    # -- totals rows and ids ------------------------------------------------------------------

    def _totals_by_words(self, fields: list[Field]) -> np.ndarray:
        """Per row: its id, name or quarter cell reads "Total" or the like; a warning names each."""
        found = np.zeros(self.raw.table.num_rows, dtype=bool)
        numbers = self.raw.table.column(ROW).to_numpy()
        for name, _kind, source in fields:
            if name not in ("account_id", "account_name", "quarter") or source[0] != "c":
                continue
            text = self.raw.table.column(source)
            labelled = totals.by_words(text) & ~found
            if labelled.any():
                header = self.plan.headers[self.plan.source_of(name)]
                self.warnings.add_rows(numbers[labelled], header, text.filter(pa.array(labelled)), _(_TOTALS))
                found |= labelled
        return found

    def _leave_out_totals(self, fields: list[Field], cleaned: pa.Table, labelled: np.ndarray) -> pa.Table:
        """``cleaned`` without its totals rows: those ``labelled`` so, and those whose amounts equal the
        sums of the other rows (a warning names each); ``raw`` loses them too."""
        amounts = [name for name, _kind, _source in fields if name in MONEY or name in self.plan.customs]
        summing = totals.by_sums(cleaned, amounts, ~labelled)
        if summing.any():
            header = self.plan.headers[self.plan.targets["platform_revenue"]]
            values = cleaned.column("platform_revenue").filter(pa.array(summing)).cast(pa.string())
            named = _(", ").join(self.plan.headers[self.plan.source_of(name)] for name in amounts)
            reason = _("its amounts ({named}) equal the sums of the other rows: {totals}").format(
                named=named, totals=_(_TOTALS)
            )
            self.warnings.add_rows(cleaned.column(ROW).to_numpy()[summing], header, values, reason)
        left_out = labelled | summing
        self.totals_rows = int(left_out.sum())
        if not self.totals_rows:
            return cleaned
        keep = pa.array(~left_out)
        self.raw = dataclasses.replace(self.raw, table=self.raw.table.filter(keep))
        self.blocked = self.blocked[~left_out]
        return cleaned.filter(keep)

    def _read_ids(self, cleaned: pa.Table) -> pa.Table:
        """Warn of the ids spelt several ways; read them as one account when the user chose it."""
        spellings = dict(self.choices.id_spellings) if self.choices.ids_ignore_case else None
        self.case = case_variants(self.con, cleaned, ROW, spellings)
        note = self.case.note(self.choices.ids_ignore_case)
        if note:
            self.file_warning(self.plan.headers[self.plan.targets["account_id"]], "", note)
        if not self.case.renamed:
            return cleaned
        ids = respelt(cleaned.column("account_id"), self.case.renamed)
        return cleaned.set_column(cleaned.column_names.index("account_id"), "account_id", ids)


def _summed_note(summed: repeats.Summed) -> str:
    return _(
        "{rows:,} rows summed into {into:,}, one per account and quarter (revenue and custom metrics summed; active if "
        "any row is; the latest contract end; text and contract value from the latest row that has one, in file order)"
    ).format(rows=summed.rows, into=summed.into)


def _rows_of(table: pa.Table, mask: np.ndarray, columns: tuple[str, ...]) -> pa.Table:
    """The ``columns`` of ``table``'s rows where ``mask`` (``ROW`` named ``row``)."""
    chosen = table.select([ROW, *columns[1:]]).filter(pa.array(mask))
    return chosen.rename_columns(list(columns)).cast(NO_LEFT_OUT.schema)


def _constant(value: object, kind: pa.DataType, rows: int) -> pa.ChunkedArray:
    """A column of ``rows`` times ``value`` (None: null) that costs the memory of one chunk of
    ``_CONSTANT_CHUNK`` rows, repeated: a file-wide quarter, a contract column the file lacks."""
    chunk = pa.repeat(pa.scalar(value, kind), min(rows, _CONSTANT_CHUNK))
    full, rest = divmod(rows, _CONSTANT_CHUNK)
    return pa.chunked_array([chunk] * full + [chunk.slice(0, rest)], kind)


def _plain_number(column: pa.ChunkedArray) -> tuple | None:
    """(values, issue codes) of a text column whose every cell is blank or plain digits with an
    optional decimal point (``1234``, ``1234.50``: what most exports write), read by Arrow's cast
    as the cleaning rules would read them: a blank is ``blank``, a number too long for a double
    ``not_finite``, a value above ``contract.MAX_AMOUNT`` ``too_large``; nothing else can be wrong.
    None for any other column (signs, separators, currency, placeholders …): the SQL rules clean it."""
    text = column.cast(pa.string())
    if pc.all(pc.match_substring_regex(text, _PLAIN_NUMBER)).as_py() is False:
        return None
    values = text.cast(pa.float64())
    return values, _codes(
        [
            (pc.is_null(values), "blank"),
            (pc.invert(pc.is_finite(values)), "not_finite"),  # 400 digits
            (pc.greater(values, contract.MAX_AMOUNT), "too_large"),
        ]
    )


def _codes(conditions: list[tuple[pa.ChunkedArray, str]]):
    """An issue code per row: the first code whose condition holds, else null; None when no
    row has any issue (the common case costs no array)."""
    found = [(condition, code) for condition, code in conditions if pc.any(condition).as_py()]
    if not found:
        return None
    issue = pa.nulls(len(conditions[0][0]), pa.string())
    for condition, code in reversed(found):
        issue = pc.if_else(pc.fill_null(condition, False), code, issue)
    return issue


def _text(name: str, column) -> tuple:
    """(trimmed text with empty → null, issue codes) of a text column; a cell longer than
    ``contract.MAX_TEXT_CHARS`` is an error and is left out (null)."""
    text = column.cast(pa.string())
    if pc.any(pc.match_substring_regex(text, _EDGE_SPACE)).as_py():  # a trimmed copy only when one is needed
        text = pc.utf8_trim_whitespace(text)
    if pc.any(pc.equal(text, "")).as_py():
        text = pc.if_else(pc.equal(text, ""), None, text)
    too_long = pc.fill_null(pc.greater(pc.utf8_length(text), contract.MAX_TEXT_CHARS), False)
    checks = [(too_long, "too_long"), (_formula_like(text), "formula_text")]
    if name == "account_id":
        excel_error = pc.and_(pc.starts_with(text, "#"), pc.is_in(pc.utf8_upper(text), pa.array(clean.EXCEL_ERRORS)))
        checks[1:1] = [(pc.is_null(text), "empty_id"), (excel_error, "id_excel_error")]
    issue = _codes(checks)
    if issue is not None and pc.any(too_long).as_py():
        text = pc.if_else(too_long, None, text)
    return text, issue


def _parsed(column, parse, kind: pa.DataType) -> tuple:
    """(values of type ``kind``, issues) of a column parsed in Python once per distinct trimmed text
    of each batch of ``_PARSE_BATCH`` rows (a column of a million distinct texts never builds one
    table of them all). A text that does not parse gets the parser's reason, which does not repeat
    the value, so a column has a few reasons: the issues are a dictionary array of them."""
    reasons: dict[str, int] = {}
    values, codes = [], []
    for start in range(0, len(column), _PARSE_BATCH):
        batch = pc.utf8_trim_whitespace(column.slice(start, _PARSE_BATCH).cast(pa.string()))
        encoded = batch.combine_chunks().dictionary_encode()
        parsed, problems = [], []
        for text in encoded.dictionary.to_pylist():
            try:
                parsed.append(parse(text or ""))
                problems.append(None)
            except ValueError as exc:
                parsed.append(None)
                problems.append(reasons.setdefault(getattr(exc, "reason", str(exc)), len(reasons)))
        values.append(pa.array(parsed, kind).take(encoded.indices))
        codes.append(pa.array(problems, pa.int32()).take(encoded.indices))
    values = pa.chunked_array(values, kind)
    if not reasons:
        return values, None
    return values, pa.DictionaryArray.from_arrays(pa.concat_arrays(codes), pa.array(list(reasons), pa.string()))


def _formula_like(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """True where a trimmed text cell starts like a spreadsheet formula: ``=`` or ``@``, or ``+`` /
    ``-`` not followed by a number (``-5`` is a number, ``-cmd`` is not)."""
    sign = pc.or_(pc.starts_with(text, "+"), pc.starts_with(text, "-"))
    formula = pc.or_(pc.or_(pc.starts_with(text, "="), pc.starts_with(text, "@")), sign)
    if pc.any(sign).as_py():
        formula = pc.and_(formula, pc.invert(pc.and_(sign, pc.match_substring_regex(text, contract.SIGNED_NUMBER))))
    return pc.fill_null(formula, False)


def _letter(index: int) -> str:
    """Spreadsheet column letter: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
