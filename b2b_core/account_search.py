"""Finding accounts by what a user types: ids or parts of names, several at once.

A search is a reduction like the others: the engine scans the panel once per query and returns
at most ``SEARCH_LIMIT`` accounts and one count per term, whatever the panel's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ibis
import pandas as pd

from b2b_core import engine

SEARCH_LIMIT = 20  # accounts a search returns (the map marks each with its id)
MAX_TERMS = 20  # terms read from one search; the rest are ignored (and said so)
_SEPARATORS = re.compile(r"[,;\t\r\n]+")


@dataclass(frozen=True)
class Search:
    """What a search found.

    ``accounts``: columns ``account_id`` and ``account_name`` (the name of the account's latest
    quarter, "" without names), the first ``SEARCH_LIMIT`` matching accounts: those whose id was
    typed, then the others, each by id;
    ``matched``: every matching account, listed or not; ``unmatched``: the terms that match no
    account, as typed; ``ignored``: terms beyond ``MAX_TERMS``, not searched.
    """

    accounts: pd.DataFrame
    matched: int
    unmatched: tuple[str, ...]
    ignored: int


def search_terms(text: str) -> tuple[list[str], int]:
    """(the terms of ``text``: split at commas, semicolons, tabs and line breaks, surrounding
    blanks trimmed, blank terms and repeats (ignoring case) dropped, the first ``MAX_TERMS``;
    how many more there were). ``"A1, b2;a1"`` → ``(["A1", "b2"], 0)``."""
    terms, seen = [], set()
    for term in (t.strip() for t in _SEPARATORS.split(text)):
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms[:MAX_TERMS], max(len(terms) - MAX_TERMS, 0)


def find_accounts(panel: engine.Source, text: str, limit: int = SEARCH_LIMIT) -> Search:
    """The accounts of ``panel`` (any quarter) whose id equals a term of ``text`` (``search_terms``)
    or whose ``account_name`` contains one, both ignoring case: ``"cd00004"`` finds the account
    ``CD00004``, ``"bakery"`` every account with "Bakery" in a name it had in any quarter."""
    terms, ignored = search_terms(text)
    if not terms:
        return Search(pd.DataFrame({"account_id": [], "account_name": []}, dtype=object), 0, (), ignored)
    table = engine.table(panel)
    ident = table.account_id.cast("string").lower()
    named = "account_name" in table.columns
    name = table.account_name.cast("string").lower() if named else None
    hits = [(ident == t.lower()) | name.contains(t.lower()) if named else ident == t.lower() for t in terms]
    by_id = ibis.or_(*(ident == t.lower() for t in terms))
    rows = table.filter(ibis.or_(*hits)).mutate(by_id=by_id, **{f"term_{i}": hit for i, hit in enumerate(hits)})
    per_account = rows.group_by("account_id").agg(
        by_id=rows.by_id.any(), **{f"term_{i}": rows[f"term_{i}"].any() for i in range(len(terms))}
    )
    # one scan of the panel: the counts ride along the listed rows as window sums
    listed = engine.run(
        per_account.mutate(
            matched=ibis._.count().over(),
            **{f"total_{i}": per_account[f"term_{i}"].cast("int64").sum().over() for i in range(len(terms))},
        )
        .order_by([ibis.desc("by_id"), "account_id"])
        .limit(limit)
    )
    matched = int(listed["matched"].iloc[0]) if len(listed) else 0
    unmatched = tuple(t for i, t in enumerate(terms) if not (len(listed) and listed[f"total_{i}"].iloc[0]))
    listed = listed[["account_id"]].copy()
    listed["account_id"] = listed["account_id"].astype(str)
    listed["account_name"] = ""
    if named and len(listed):  # the name of the account's latest quarter, whichever of its names matched
        own = table.semi_join(engine.ids(pd.Index(listed["account_id"])), "account_id")
        names = engine.run(
            own.group_by("account_id").agg(account_name=own.account_name.cast("string").argmax(own.quarter))
        )
        latest = dict(zip(names["account_id"].astype(str), names["account_name"], strict=True))
        listed["account_name"] = [str(n) if pd.notna(n := latest.get(a)) and n else "" for a in listed["account_id"]]
    return Search(listed.reset_index(drop=True), matched, unmatched, ignored)
