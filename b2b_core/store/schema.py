"""The workspace's tables and the checks every row must pass before it is stored.

``SCHEMA`` creates the tables (see the package docstring) that a workspace file lacks, each time
the file is opened: a workspace from an earlier version of the app gains the tables added since
(``kept_projections``, ``deck_headlines``), empty, and the columns added since (``uploads.sample``), NULL, and keeps
everything else as it was. ``check_columns`` and ``check_rows`` hold the contract's invariants
for a panel about to be stored, whether it comes from an upload (``Workspace.commit``) or from a
backup (``Workspace.restore_backup``).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from b2b_core import contract
from b2b_core.quarters import YEARS

QUARTER_PATTERN = r"\d{4}Q[1-4]"
# What ``typeof`` may report for a custom metric column; '"NULL"' (quotes included) is what it
# reports for a column holding only nulls (e.g. all None in a pandas object column).
NUMERIC_TYPES = {
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
ACTIVE = "coalesce(active, platform_revenue > 0 OR coalesce(b_side_revenue, 0) > 0) AS active"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS workspace_state (version BIGINT NOT NULL);
INSERT INTO workspace_state SELECT 0 WHERE NOT EXISTS (SELECT * FROM workspace_state);
CREATE TABLE IF NOT EXISTS uploads (
    upload_id BIGINT PRIMARY KEY,
    source VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    committed_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    sample BOOLEAN
);
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS sample BOOLEAN;
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
CREATE TABLE IF NOT EXISTS kept_projections (
    name VARCHAR PRIMARY KEY, last_quarter VARCHAR NOT NULL, horizon BIGINT NOT NULL, saved_at TIMESTAMP NOT NULL,
    saved_by VARCHAR, projection VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS base_overrides (
    assumption VARCHAR PRIMARY KEY, value DOUBLE NOT NULL, saved_at TIMESTAMP NOT NULL, saved_by VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS playbook_weights (
    stage VARCHAR NOT NULL, model VARCHAR NOT NULL, weights VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (stage, model)
);
CREATE TABLE IF NOT EXISTS workspace_settings (
    setting VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL, saved_by VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS live_decks (
    code VARCHAR PRIMARY KEY, slide INTEGER NOT NULL, setup VARCHAR NOT NULL, levers VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS deck_headlines (
    slide VARCHAR PRIMARY KEY, headline VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL, saved_by VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS panel_rows (
    upload_id BIGINT NOT NULL,
    {", ".join(f'"{c.name}" {contract.SQL_TYPES[c.kind]}{" NOT NULL" * c.required}' for c in contract.COLUMNS)}
);
"""


_END = "TRY_CAST(contract_end AS DATE)"  # a staged panel may hold it as text or as all nulls
_OUTSIDE_YEARS = f"has a year outside {YEARS.start} to {YEARS.stop - 1}"


def within_years(year_sql: str) -> str:
    """SQL that holds when the year ``year_sql`` is one ``quarters.YEARS`` accepts (NULL: it is not)."""
    return f"coalesce({year_sql} BETWEEN {YEARS.start} AND {YEARS.stop - 1}, false)"


def quote(name: str) -> str:
    """``name`` as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """``text`` as a DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


def utc_now() -> dt.datetime:
    """Naive UTC, the form stored in the TIMESTAMP columns."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_columns(names: list[str]) -> list[str]:
    """Check the column names of a panel to store; return its custom metric names. ValueError
    for a missing required column, names repeated ignoring case, a custom metric named like a
    contract column, or more than ``contract.MAX_CUSTOM_METRICS`` custom metrics."""
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
    if len(custom) > contract.MAX_CUSTOM_METRICS:
        raise ValueError(
            f"the panel has {len(custom):,} custom metric columns; at most {contract.MAX_CUSTOM_METRICS} are kept"
        )
    return custom


def check_rows(
    con: duckdb.DuckDBPyConnection, relation: str, names: list[str], custom: list[str], key: tuple[str, ...] = ()
) -> None:
    """Check the contract invariants of the rows of ``relation`` (a table or view ``con`` sees)
    in one scan; raise ValueError naming the first offending value: no rows, a quarter not
    ``YYYYQn``, an empty account_id, a missing (if required), non-finite, negative or too large
    (beyond ``contract.MAX_AMOUNT`` in absolute value) number, a non-numeric custom metric, or an
    account twice in a quarter (within each group of ``key`` columns, e.g. per upload)."""
    for name in custom:
        kind = con.execute(f"SELECT typeof({quote(name)}) FROM {relation} LIMIT 1").fetchall()
        if kind and kind[0][0].split("(")[0] not in NUMERIC_TYPES:
            raise ValueError(f"{name!r} holds non-numeric values ({kind[0][0]})")
    rules = [
        ("account_id", "account_id IS NULL OR trim(account_id::VARCHAR) = ''", "an account_id must not be empty"),
        (
            "quarter",
            f"quarter IS NULL OR NOT regexp_full_match(quarter::VARCHAR, '{QUARTER_PATTERN}')",
            "not a quarter of the form YYYYQn",
        ),
        ("quarter", f"NOT {within_years('TRY_CAST(substr(quarter::VARCHAR, 1, 4) AS INTEGER)')}", _OUTSIDE_YEARS),
    ]
    if "contract_end" in names:
        rules.append(
            (
                "contract_end",
                f"{_END} IS NOT NULL AND NOT (isfinite({_END}) AND {within_years(f'year({_END})')})",
                _OUTSIDE_YEARS,
            )
        )
    for name in [c for c in contract.TEXT_COLUMNS if c in names]:
        rules.append(
            (
                name,
                f"length({quote(name)}::VARCHAR) > {contract.MAX_TEXT_CHARS}",
                f"longer than {contract.MAX_TEXT_CHARS:,} characters",
            )
        )
    for name in [c for c in contract.NUMBER_COLUMNS if c in names] + custom:
        q = quote(name)
        rules.append((name, f"NOT isfinite({q}::DOUBLE)", "which is not a finite number"))
        rules.append((name, f"abs({q}::DOUBLE) > {contract.MAX_AMOUNT!r}", f"beyond {contract.MAX_AMOUNT:g}"))
        if name in contract.NAMES:
            rules.append((name, f"{q} < 0", "which is negative"))
        if contract.BY_NAME.get(name) and contract.BY_NAME[name].required:
            rules.append((name, f"{q} IS NULL OR isnan({q}::DOUBLE)", "but the column is required"))
    checks = ", ".join(f"count(*) FILTER ({sql})" for _, sql, _ in rules)
    found = con.execute(f"SELECT count(*), {checks} FROM {relation}").fetchall()[0]
    if found[0] == 0:
        raise ValueError("panel has no rows")
    for (name, sql, why), bad in zip(rules, found[1:]):
        if bad:
            example = con.execute(f"SELECT {quote(name)} FROM {relation} WHERE {sql} LIMIT 1").fetchall()[0][0]
            shown = (
                repr(example)
                if len(repr(example)) <= 80
                else f"{repr(example)[:60]}… ({len(str(example)):,} characters)"
            )
            raise ValueError(f"{name!r}: {shown} {why} ({bad} row(s) in all)")
    pair = ", ".join([*key, "account_id", "quarter"])
    repeated = con.execute(f"SELECT count(*) - count(DISTINCT ({pair})) FROM {relation}").fetchall()
    if repeated[0][0]:  # find one, to name it
        twice = con.execute(
            f"SELECT account_id, quarter FROM {relation} GROUP BY {pair} HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
        raise ValueError(f"account {twice[0][0]!r} occurs twice in quarter {twice[0][1]}")
