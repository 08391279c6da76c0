"""Account ids that differ only by case (``cd00004`` and ``CD00004``): found, and on request read as one.

One SQL query groups the file's ids by their lower-case form; only the groups of more than one
spelling (and the spellings the workspace has for the file's ids) come back to Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from b2b_core.i18n import _, ngettext

LISTED = 100  # groups of spellings an issue or a table lists; every one is counted

_SPELLED = """
    SELECT lower(account_id) AS id_key, account_id, count(*) AS rows, min("{row}") AS first_row
    FROM ids WHERE account_id IS NOT NULL GROUP BY ALL"""


@dataclass(frozen=True)
class CaseVariants:
    """The ids of a file spelt in more than one way: ``groups`` of them (every one counted) and the
    first ``LISTED`` as a frame ``id``, ``spellings`` (``cd00004 / CD00004``, most frequent first),
    ``rows`` and ``first_row``; ``renamed``, when they were read as one account, maps each other
    spelling to the one kept."""

    groups: int
    listed: pd.DataFrame
    renamed: dict[str, str]

    def note(self, merged: bool) -> str | None:
        """The warning of the report (None when no id differs only by case)."""
        if not self.groups:
            return None
        shown = _("; ").join(self.listed["spellings"].head(5))
        if self.groups > 5:
            shown = _("{named} and {more:,} more").format(named=shown, more=self.groups - 5)
        if merged:
            said = ngettext(
                "{n:,} id is spelt in ways that differ only by case ({shown}): read as one account each, spelt as "
                "the workspace spells it, else as the file does most often",
                "{n:,} ids are spelt in ways that differ only by case ({shown}): read as one account each, spelt as "
                "the workspace spells it, else as the file does most often",
                self.groups,
            )
        else:
            said = ngettext(
                "{n:,} id is spelt in ways that differ only by case ({shown}): read as different accounts; choose "
                "to read ids whatever their case if they are the same account",
                "{n:,} ids are spelt in ways that differ only by case ({shown}): read as different accounts; choose "
                "to read ids whatever their case if they are the same account",
                self.groups,
            )
        return said.format(n=self.groups, shown=shown)


def case_variants(
    con: duckdb.DuckDBPyConnection, table: pa.Table, row: str, spellings: dict[str, str] | None = None
) -> CaseVariants:
    """The ids of ``table`` (``account_id`` and the row numbers ``row``) spelt several ways. With
    ``spellings`` (the file's id → the workspace's spelling of it), ``renamed`` says how to read them as
    one account: the workspace's spelling, else the file's most frequent (on a tie, the first).
    A file whose ids are all in one case (``M000001``), the usual one, costs two comparisons in Arrow."""
    ids = table.column("account_id")
    known = {mine: theirs for mine, theirs in (spellings or {}).items() if mine != theirs}
    if _one_spelling_each(ids):
        return CaseVariants(0, _NO_VARIANTS, known if spellings is not None else {})
    con.register("ids", table.select(["account_id", row]))
    con.register("known", pa.table({"account_id": list(known), "known": list(known.values())}, schema=_KNOWN))
    try:
        spelled = _SPELLED.format(row=row)
        groups = con.execute(
            f"SELECT count(*) FROM (SELECT id_key FROM ({spelled}) GROUP BY id_key HAVING count(*) > 1)"
        ).fetchall()[0][0]
        listed = con.execute(
            f"""SELECT any_value(id_key) AS id,
                       string_agg(account_id, ' / ' ORDER BY rows DESC, first_row) AS spellings,
                       sum(rows)::BIGINT AS rows, min(first_row) AS first_row
                FROM ({spelled}) GROUP BY id_key HAVING count(*) > 1 ORDER BY first_row LIMIT {LISTED}"""
        ).fetchdf()
        renamed = {}
        if spellings is not None:
            found = con.execute(
                f"""WITH spelled AS ({spelled}),
                    kept AS (SELECT id_key, coalesce(any_value(known), arg_max(account_id, (rows, -first_row))) AS kept
                             FROM spelled LEFT JOIN known USING (account_id) GROUP BY id_key)
                    SELECT account_id, kept FROM spelled JOIN kept USING (id_key) WHERE account_id <> kept"""
            ).fetchall()
            renamed = known | dict(found)
    finally:
        con.unregister("ids")
        con.unregister("known")
    return CaseVariants(int(groups), listed, renamed)


_KNOWN = pa.schema([("account_id", pa.string()), ("known", pa.string())])
_NO_VARIANTS = pd.DataFrame({"id": [], "spellings": [], "rows": [], "first_row": []})


def _one_spelling_each(ids: pa.ChunkedArray) -> bool:
    """No two ids differ only by case: all are written in one case, or as many distinct once lower-cased."""
    lower = pc.utf8_lower(ids)
    for cased in (lower, pc.utf8_upper(ids)):
        if pc.all(pc.equal(ids, cased)).as_py() is not False:
            return True
    return len(pc.unique(ids)) == len(pc.unique(lower))


def respelt(ids: pa.ChunkedArray, renamed: dict[str, str]) -> pa.ChunkedArray:
    """``ids`` with each spelling in ``renamed`` replaced by the one kept."""
    if not renamed:
        return ids
    where = pc.index_in(ids, pa.array(list(renamed), pa.string()))
    kept = pa.array(list(renamed.values()), pa.string())
    return pc.if_else(pc.is_null(where), ids, pc.take(kept, pc.fill_null(where, 0)))
