"""The live state of a deck being presented (``b2b_core.store.live_deck``): what the projected window
writes and the presenter view reads, by its short code."""

from __future__ import annotations

import datetime as dt
import threading

import duckdb
import pandas as pd
import pytest

from b2b_core.access import LOCAL
from b2b_core.store import Workspace, live_deck
from b2b_core.store.schema import utc_now


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "workspace.duckdb") as workspace:
        yield workspace


def test_a_deck_started_is_read_back_by_its_code_in_any_case(ws):
    started = ws.start_live_deck(2, {"slides": ["overview", "stage"], "model": "tool"}, {"renewal_uplift": 1.5})
    assert len(started.code) == live_deck.CODE_LENGTH
    assert set(started.code) <= set(live_deck.CODE_ALPHABET)
    read = ws.live_deck(f" {started.code.lower()} ")
    assert read == started
    assert (read.slide, read.setup["slides"], read.levers) == (2, ["overview", "stage"], {"renewal_uplift": 1.5})


def test_moving_the_deck_changes_only_what_is_given_and_leaves_the_version_and_the_audit_alone(ws):
    deck = ws.start_live_deck(1, {"slides": ["overview"]})
    version, audited = ws.version, len(ws.audit_trail())
    moved = ws.update_live_deck(deck.code, slide=3)
    assert (moved.slide, moved.setup, moved.levers, moved.started_at) == (3, deck.setup, {}, deck.started_at)
    assert moved.updated_at >= deck.updated_at
    levers = ws.update_live_deck(deck.code, levers={"expansion": -2.0})
    assert (levers.slide, levers.levers) == (3, {"expansion": -2.0})
    assert ws.update_live_deck(deck.code, slide=0).slide == 1  # never before the first slide
    assert ws.update_live_deck(deck.code, restart=True).started_at > deck.started_at
    assert (ws.version, len(ws.audit_trail())) == (version, audited)


def test_codes_are_distinct_and_use_no_characters_that_read_alike(ws):
    codes = {ws.start_live_deck().code for _ in range(50)}
    assert len(codes) == 50
    assert not set("".join(codes)) & set("01OIL")
    assert len(live_deck.CODE_ALPHABET) ** live_deck.CODE_LENGTH > 900_000


def test_an_unknown_or_malformed_code_says_what_to_do(ws):
    with pytest.raises(ValueError, match=r"No deck is being presented under the code ZZZZ\. Open the presenter view"):
        ws.live_deck("zzzz")
    for bad in ("", "K7Q", "K7Q2X", "K7-2", "K0Q2", "'; DROP TABLE live_decks; --"):
        with pytest.raises(ValueError, match=r"is not a deck code: a code is 4 letters and digits, e.g\. K7Q2"):
            ws.live_deck(bad)
    with pytest.raises(ValueError, match="No deck is being presented"):
        ws.update_live_deck("ZZZZ", slide=2)


def test_levers_are_checked_like_a_saved_scenario_and_their_json_is_bounded(ws):
    deck = ws.start_live_deck()
    with pytest.raises(ValueError, match="unknown lever"):
        ws.update_live_deck(deck.code, levers={"price": 3.0})
    with pytest.raises(ValueError, match="Renewal uplift .* choose a value from -20 to 20"):
        ws.update_live_deck(deck.code, levers={"renewal_uplift": 99.0})  # beyond its range
    with pytest.raises(ValueError, match=r"setup come to \d,\d{3} characters; a live deck keeps at most 2,000"):
        ws.update_live_deck(deck.code, setup={"slides": ["overview"] * 300})
    with pytest.raises(ValueError, match="at most 2,000"):
        ws.start_live_deck(setup={"model": "x" * 5_000})
    assert ws.live_deck(deck.code) == deck  # nothing written by a refused change


def test_concurrent_windows_the_last_write_wins_and_every_read_is_a_whole_row(ws):
    deck = ws.start_live_deck(1, {"slides": ["a"]})
    seen, errors = [], []

    def window(slides: list[int]) -> None:
        try:
            for slide in slides:
                ws.update_live_deck(deck.code, slide=slide, levers={"expansion": float(slide % 10)})
                read = ws.live_deck(deck.code)
                seen.append((read.slide, read.levers["expansion"]))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=window, args=(range(start, 200, 2),)) for start in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(levers == slide % 10 for slide, levers in seen)  # slide and levers written together
    ws.update_live_deck(deck.code, slide=7)
    ws.update_live_deck(deck.code, slide=5)
    assert ws.live_deck(deck.code).slide == 5  # the last write wins


def test_decks_untouched_for_a_day_are_removed_when_a_new_one_starts(ws):
    old, recent = ws.start_live_deck(), ws.start_live_deck()
    with ws._transaction() as con:
        con.execute(
            "UPDATE live_decks SET updated_at = ? WHERE code = ?",
            [utc_now() - live_deck.KEPT_FOR - dt.timedelta(minutes=1), old.code],
        )
    ws.start_live_deck()
    with pytest.raises(ValueError, match="No deck"):
        ws.live_deck(old.code)
    assert ws.live_deck(recent.code).code == recent.code


def test_a_backup_neither_holds_nor_restores_the_decks_under_way(ws, tmp_path):
    ws.commit(
        pd.DataFrame({"account_id": ["a"], "quarter": ["2025Q1"], "platform_revenue": [1.0]}), "q1.csv", actor=LOCAL
    )
    deck = ws.start_live_deck(3)
    backup = tmp_path / "backup.duckdb"
    summary = ws.write_backup(backup, actor=LOCAL)
    assert "live_decks" not in summary["rows"]
    with duckdb.connect(str(backup), read_only=True) as con:
        assert "live_decks" not in {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    later = ws.start_live_deck(5)
    ws.restore_backup(backup, actor=LOCAL)
    assert ws.live_deck(deck.code).slide == 3
    assert ws.live_deck(later.code).slide == 5  # a restore leaves the room's state as it is
