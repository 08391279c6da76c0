"""A source's table as the panel of the data contract, and the contract's checks, both run by
the engine that holds the table (nothing is copied out).

``contract_table`` maps the source's columns as an upload's are mapped (``ingest.mapping``: the
``[source.mapping]`` choices first, then names, including Chinese headers) and converts them in
the engine: ids and text as strings (blank → missing), amounts as numbers (NaN → missing), quarters given as text
(``2025Q3``, ``2025-Q3``, ``2025 q3``, ``Q3 2025``, ``2025年第3季度``, ``2025年Q3``) or as dates
(the date's calendar quarter), ``active`` as the workspace defines it when the source has none
(platform or B-side revenue > 0), numeric columns outside the contract as custom metrics.

``check`` runs the contract's checks as engine queries: each check counts its bad rows and gives up
to ``EXAMPLES`` of them, like an upload's validation report; a source that fails any check shows
no numbers (``SourceReport.ok``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from b2b_core import contract, contract_labels, engine, quarters
from b2b_core.i18n import N_, _, ngettext
from b2b_core.ingest.mapping import ColumnPlan, plan_columns
from b2b_core.source.words import Later, Listed, Text, english, words

EXAMPLES = 3  # bad rows shown per check
REPORT_COLUMNS = ["check", "source column", "bad rows", "examples", "what to do"]
AMOUNTS = ("platform_revenue", "b_side_revenue", "contract_value")  # must be ≥ 0
_TRUE = ("true", "t", "yes", "y", "1", "是", "有效", "活跃")
_FALSE = ("false", "f", "no", "n", "0", "否", "无效", "流失")
_QUARTER_FIRST = r"^Q([1-4])(\d{4})$"  # Q32025, after spaces and dashes are removed
_YEAR_FIRST = r"^(\d{4})(?:Q|年第|年Q|年)([1-4])(?:季度|季)?$"  # 2025Q3, 2025年第3季度, 2025年Q3


@dataclass
class SourceReport:
    """The checks of a source: ``problems`` (one row per failing check, ``REPORT_COLUMNS``, in
    English), the source's rows, the column mapping used (``ingest.mapping.MAPPING_COLUMNS``), and
    ``said``: each problem's check, examples and what to do as texts of ``source.words``, written
    in the reader's language (the report is kept for every session)."""

    rows: int
    problems: pd.DataFrame
    mapping: pd.DataFrame = field(default_factory=pd.DataFrame)
    said: tuple[tuple[Text, Text | str, Text], ...] = ()

    @property
    def ok(self) -> bool:
        return self.problems.empty

    def failing(self) -> Listed:
        """The failing checks' names, each once, in the reader's language."""
        return Listed(tuple(dict.fromkeys(check for check, _examples, _what in self.said)))

    def sentences(self) -> list[str]:
        """Each failing check in words, in the current language: ``quarter not readable (column
        季度): 1 row, e.g. someday. Write quarters as …``."""
        sentences = []
        for (_check, column, rows, _examples, _what), (check, examples, what_to_do) in zip(
            self.problems.itertuples(index=False), self.said, strict=True
        ):
            where = _(" (column {column})").format(column=column) if column else ""
            counted = "" if pd.isna(rows) else ngettext(": {rows} row", ": {rows} rows", rows).format(rows=f"{rows:,}")
            shown = str(examples)
            example = _(", e.g. {examples}").format(examples=shown) if shown and not pd.isna(rows) else ""
            sentence = _("{check}{where}{counted}{example}. {what_to_do}")
            sentences.append(
                sentence.format(check=check, where=where, counted=counted, example=example, what_to_do=what_to_do)
            )
        return sentences


def plan(raw: ir.Table, mapping: dict[str, str]) -> ColumnPlan:
    """Which source column feeds which contract column (``ingest.mapping.plan_columns`` on the
    source's column names; unmapped numeric columns become custom metrics)."""
    headers = list(raw.columns)
    columns = plan_columns(headers, mapping)
    schema = raw.schema()
    columns.decide(lambda i: schema[headers[i]].is_numeric())
    return columns


def contract_table(raw: ir.Table, columns: ColumnPlan) -> ir.Table:
    """``raw`` as a panel table: the contract's columns in contract order (NULL where the source has
    none), then the custom metrics, each converted as the module's docstring says."""
    converted = {name: _converted(raw, columns, name) for name in contract.NAMES if name != "active"}
    flag = _column(raw, columns, "active")
    revenue = converted["platform_revenue"].fill_null(0) > 0
    measured = revenue | (converted["b_side_revenue"].fill_null(0) > 0)
    converted["active"] = measured if flag is None else _boolean(flag).fill_null(measured)
    selected = {name: converted[name] for name in contract.NAMES}
    for metric, i in columns.customs.items():
        selected[metric] = raw[columns.headers[i]].cast("float64")
    return raw.select(**selected)


def check(raw: ir.Table, columns: ColumnPlan) -> SourceReport:
    """The contract's checks of ``raw`` under ``columns``, run by the engine (see the module)."""
    problems = []
    missing = [name for name in contract.REQUIRED if name not in columns.targets]
    for name in missing:
        problems.append(
            (
                words(N_("required column")),
                "",
                None,
                "",
                words(
                    N_(
                        "The source has no column for {name} ({meaning}). Map one in [source.mapping]: "
                        'your_column = "{key}".'
                    ),
                    name=words(name),
                    meaning=words(contract.BY_NAME[name].meaning),
                    key=name,
                ),
            )
        )
    problems += _type_problems(raw, columns)
    if problems:
        return _report(int(raw.count().to_pyarrow().as_py()), problems, columns)
    panel = contract_table(raw, columns)
    tests = _row_tests(raw, columns)
    counts = raw.aggregate(
        rows=ibis._.count(), **{f"c{n}": test.sum() for n, (test, _, _) in enumerate(tests.values())}
    )
    found = engine.run(counts).iloc[0]
    for n, (key, (test, source_column, what_to_do)) in enumerate(tests.items()):
        if found[f"c{n}"] > 0:
            shown = raw.filter(test).select(shown=raw[source_column].cast("string")).limit(EXAMPLES)
            examples = engine.run(shown)["shown"].tolist()
            problems.append((key, source_column, int(found[f"c{n}"]), _examples(examples), what_to_do))
    problems += _repeats(panel, columns)
    return _report(int(found["rows"]), problems, columns)


def _row_tests(raw: ir.Table, columns: ColumnPlan) -> dict[Text, tuple]:
    """(check → (boolean expression over ``raw``'s rows, the source column shown, what to do))."""
    tests = {}
    header = {name: columns.headers[i] for name, i in columns.targets.items()}
    mapped = {name: _converted(raw, columns, name) for name in header if name != "active"}
    tests[words(N_("missing account id"))] = (
        mapped["account_id"].isnull(),
        header["account_id"],
        words(N_("Every row needs the account's id: fill it in the source or filter those rows out (e.g. a view).")),
    )
    tests[words(N_("quarter not readable"))] = (
        mapped["quarter"].isnull(),
        header["quarter"],
        words(N_("Write quarters as 2025Q3 (or 2025-Q3, Q3 2025, 2025年第3季度) or store them as dates.")),
    )
    for name in contract.NUMBER_COLUMNS:
        if name not in header:
            continue
        value, given, shown = mapped[name], raw[header[name]], words(name)
        tests[words(N_("{name} not a number"), name=shown)] = (
            given.notnull() & value.isnull(),
            header[name],
            words(N_("{name} must be a number (no currency signs or text)."), name=shown),
        )
        tests[words(N_("{name} too large"), name=shown)] = (
            value.abs() > contract.MAX_AMOUNT,
            header[name],
            words(
                N_("Amounts above {limit} are typing errors: correct them in the source."),
                limit=f"{contract.MAX_AMOUNT:,.0f}",
            ),
        )
        if name in AMOUNTS:
            tests[words(N_("{name} negative"), name=shown)] = (
                value < 0,
                header[name],
                words(
                    N_(
                        "{name} must be ≥ 0: refunds and credits belong in the quarter's net revenue, not as negative "
                        "rows."
                    ),
                    name=shown,
                ),
            )
    if "active" in header:
        given = raw[header["active"]]
        tests[words(N_("active not yes or no"))] = (
            given.notnull() & _boolean(given).isnull(),
            header["active"],
            words(N_("active must be true/false, yes/no or 1/0 (or leave it out: active = revenue > 0).")),
        )
    return {key: (test.fill_null(False), column, what) for key, (test, column, what) in tests.items()}


def _repeats(panel: ir.Table, columns: ColumnPlan) -> list[tuple]:
    """One account's quarter given in more than one row (the panel has one row per account and quarter)."""
    keyed = panel.filter(panel.account_id.notnull() & panel.quarter.notnull())
    repeated = keyed.group_by(["account_id", "quarter"]).aggregate(rows=ibis._.count()).filter(ibis._.rows > 1)
    counts = engine.run(repeated.aggregate(keys=ibis._.count(), rows=ibis._.rows.sum())).iloc[0]
    if not counts["keys"]:
        return []
    shown = engine.run(repeated.order_by(["quarter", "account_id"]).limit(EXAMPLES))
    examples = [
        words(
            N_("{account} in {quarter} ({rows} rows)"),
            account=row.account_id,
            quarter=Later(lambda quarter=row.quarter: quarters.quarter_text(quarter)),
            rows=row.rows,
        )
        for row in shown.itertuples()
    ]
    ids, keys = columns.headers[columns.targets["account_id"]], int(counts["keys"])
    more = Later(
        lambda: ngettext(
            "{keys} account-quarter has more than one row: point [source] at a table that sums them per account and "
            "quarter (a view with GROUP BY).",
            "{keys} account-quarters have more than one row: point [source] at a table that sums them per account "
            "and quarter (a view with GROUP BY).",
            keys,
        ).format(keys=f"{keys:,}")
    )
    return [(words(N_("one row per account and quarter")), ids, int(counts["rows"]), Listed(tuple(examples)), more)]


def _type_problems(raw: ir.Table, columns: ColumnPlan) -> list[tuple]:
    """Mapped columns whose engine type cannot hold the contract's kind."""
    problems = []
    schema = raw.schema()
    for name, i in columns.targets.items():
        kind, dtype = contract.BY_NAME[name].kind, schema[columns.headers[i]]
        fits = {
            "number": dtype.is_numeric() or dtype.is_string(),
            "quarter": dtype.is_string() or dtype.is_date() or dtype.is_timestamp(),
            "date": dtype.is_string() or dtype.is_date() or dtype.is_timestamp(),
            "boolean": dtype.is_boolean() or dtype.is_numeric() or dtype.is_string(),
            "text": not (dtype.is_nested() or dtype.is_binary()),
        }[kind]
        if not fits:
            problems.append(
                (
                    words(N_("column type")),
                    columns.headers[i],
                    None,
                    str(dtype),
                    words(
                        N_(
                            "{name} needs {kind} values, the column holds {dtype}: map another column or convert it "
                            "in a view."
                        ),
                        name=words(name),
                        kind=words(contract_labels.KINDS[kind]),
                        dtype=str(dtype),
                    ),
                )
            )
    return problems


def _column(raw: ir.Table, columns: ColumnPlan, name: str) -> ir.Column | None:
    i = columns.targets.get(name)
    return None if i is None else raw[columns.headers[i]]


def _converted(raw: ir.Table, columns: ColumnPlan, name: str) -> ir.Value:
    """Contract column ``name`` from its source column, converted; a typed NULL when unmapped."""
    kind = contract.BY_NAME[name].kind
    given = _column(raw, columns, name)
    if given is None:
        return ibis.null({"text": "string", "quarter": "string", "number": "float64", "date": "date"}[kind])
    if kind == "quarter":
        return _quarter(given)
    if kind == "number":  # a lake's NaN is a missing number, as in the workspace (Spark would sum it)
        number = given.cast("float64") if given.type().is_numeric() else given.cast("string").try_cast("float64")
        return ibis.cases((number.isnan(), ibis.null("float64")), else_=number)
    if kind == "date":
        return given.try_cast("date") if given.type().is_string() else given.cast("date")
    text = given.cast("string").strip()
    return ibis.cases((text == "", ibis.null("string")), else_=text)


def _quarter(given: ir.Column) -> ir.StringValue:
    """``YYYYQn`` of a quarter column (see the module), NULL when it reads as none or its year is
    outside ``quarters.YEARS``."""
    if given.type().is_date() or given.type().is_timestamp():
        year, number = given.year(), given.quarter()
    else:
        text = given.cast("string").strip().upper().re_replace(r"[\s_/-]", "")
        quarter_first = text.re_search(_QUARTER_FIRST)
        year = ibis.cases((quarter_first, text.re_extract(_QUARTER_FIRST, 2)), else_=text.re_extract(_YEAR_FIRST, 1))
        number = ibis.cases((quarter_first, text.re_extract(_QUARTER_FIRST, 1)), else_=text.re_extract(_YEAR_FIRST, 2))
        year, number = year.nullif("").try_cast("int64"), number.nullif("").try_cast("int64")
    known = year.between(quarters.YEARS.start, quarters.YEARS.stop - 1)
    label = year.cast("string") + "Q" + number.cast("string")
    return ibis.cases((known & number.notnull(), label), else_=ibis.null("string"))


def _boolean(given: ir.Column) -> ir.BooleanValue:
    """A source's ``active`` values as booleans: booleans as they are, numbers ≠ 0, the words of
    ``_TRUE`` and ``_FALSE``; NULL otherwise."""
    if given.type().is_boolean():
        return given
    if given.type().is_numeric():
        return given != 0
    word = given.cast("string").strip().lower()
    return ibis.cases((word.isin(_TRUE), True), (word.isin(_FALSE), False), else_=ibis.null("boolean"))


def _examples(values: list) -> Listed:
    """Bad values shown in a report (an empty one in words)."""
    empty = words(N_("(empty)"))
    return Listed(tuple(empty if value is None or value != value else str(value)[:60] for value in values))


def _report(rows: int, problems: list[tuple], columns: ColumnPlan) -> SourceReport:
    """The report of ``problems`` (``REPORT_COLUMNS``, the check and what to do as texts of
    ``words``): its table in English, its sentences in the reader's language."""
    said = tuple((check, shown, what_to_do) for check, _column, _rows, shown, what_to_do in problems)
    english_rows = [
        (english(check), column, bad, english(shown), english(what)) for check, column, bad, shown, what in problems
    ]
    frame = pd.DataFrame(english_rows, columns=REPORT_COLUMNS).astype({"bad rows": "Int64"})
    return SourceReport(rows, frame, columns.table(), said)
