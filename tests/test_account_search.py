"""Finding accounts by id or name: the terms read from what was typed, and the accounts found."""

from __future__ import annotations

import ibis
import pandas as pd

from b2b_core import account_search, sample
from b2b_core.account_search import find_accounts, search_terms


def _panel() -> pd.DataFrame:
    """Five accounts over two quarters; ``b1`` renamed in the later quarter."""
    return pd.DataFrame(
        {
            "account_id": ["CD00004", "CD00004", "b1", "b1", "c2", "d3", "e_4"],
            "quarter": ["2026Q1", "2026Q2", "2026Q1", "2026Q2", "2026Q2", "2026Q1", "2026Q2"],
            "active": True,
            "b_side_revenue": 100.0,
            "platform_revenue": 10.0,
            "account_name": ["Lin Tea", "Lin Tea", "Old Bakery", "Big Bakery", "Bakery 50%_off", "Shoes", None],
        }
    )


def test_terms_are_split_at_commas_semicolons_and_lines_trimmed_without_blanks_or_repeats():
    assert search_terms(" A1, b2;a1\n\n c 3 \t,") == (["A1", "b2", "c 3"], 0)
    assert search_terms("  ,; ") == ([], 0)
    many = ",".join(f"id{i}" for i in range(account_search.MAX_TERMS + 7))
    terms, ignored = search_terms(many)
    assert len(terms) == account_search.MAX_TERMS and terms[0] == "id0" and ignored == 7


def test_an_id_matches_whole_ignoring_case_and_a_name_in_part():
    found = find_accounts(_panel(), "cd00004")
    assert list(found.accounts["account_id"]) == ["CD00004"] and found.accounts["account_name"][0] == "Lin Tea"
    assert (found.matched, found.unmatched, found.ignored) == (1, (), 0)
    assert find_accounts(_panel(), "cd0000").matched == 0  # part of an id is not an id
    bakeries = find_accounts(_panel(), "BAKERY")
    # the name of the account's latest quarter is the one shown; every name it had is searched
    assert bakeries.accounts.to_dict("list") == {
        "account_id": ["b1", "c2"],
        "account_name": ["Big Bakery", "Bakery 50%_off"],
    }
    assert find_accounts(_panel(), "old bakery").accounts["account_name"].tolist() == ["Big Bakery"]


def test_several_terms_say_which_matched_nothing_and_the_list_is_cut_at_the_limit():
    found = find_accounts(_panel(), "e_4, bakery, nobody;shoes", limit=2)
    assert found.matched == 4 and list(found.accounts["account_id"]) == ["e_4", "b1"]  # the id typed first
    assert found.unmatched == ("nobody",)
    by_name = find_accounts(_panel(), "bakery, SHOES", limit=2)
    assert list(by_name.accounts["account_id"]) == ["b1", "c2"]  # by id, when no id was typed
    named_none = find_accounts(_panel(), "E_4")
    assert named_none.accounts.to_dict("list") == {"account_id": ["e_4"], "account_name": [""]}


def test_wildcards_and_quotes_are_read_as_typed():
    assert list(find_accounts(_panel(), "%_off").accounts["account_id"]) == ["c2"]
    assert find_accounts(_panel(), "%").matched == 1  # not every account: % is a character here
    assert find_accounts(_panel(), "_").matched == 1
    assert find_accounts(_panel(), "' OR 1=1 --").matched == 0


def test_without_names_only_ids_match_and_nothing_typed_finds_nothing():
    panel = _panel().drop(columns="account_name")
    found = find_accounts(panel, "b1, bakery")
    assert list(found.accounts["account_id"]) == ["b1"] and found.unmatched == ("bakery",)
    assert set(found.accounts["account_name"]) == {""}
    empty = find_accounts(panel, " , ")
    assert empty.matched == 0 and empty.accounts.empty and empty.unmatched == ()


def test_an_ibis_table_finds_what_the_pandas_panel_finds():
    panel = sample.generate_panel(300, 4, seed=3)
    wanted = ", ".join(panel["account_id"].drop_duplicates().iloc[[3, 40, 41]].str.lower()) + ", nobody"
    from_pandas = find_accounts(panel, wanted)
    from_ibis = find_accounts(ibis.memtable(panel), wanted)
    pd.testing.assert_frame_equal(from_pandas.accounts, from_ibis.accounts)
    assert from_pandas.matched == from_ibis.matched == 3 and from_ibis.unmatched == ("nobody",)
