"""The workspace store: versioned uploads in a real DuckDB file (DESIGN §4)."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from b2b_core import contract, quarters, store
from b2b_core.access import LOCAL, Actor, PermissionDenied
from b2b_core.amounts import Currency
from b2b_core.scenarios import KeptProjection
from b2b_core.store import Workspace, schema


def upload(quarter: str, revenue: dict[str, float], **extra: list) -> pd.DataFrame:
    """A one-quarter panel: account_id → platform_revenue, plus extra columns."""
    return pd.DataFrame(
        {"account_id": list(revenue), "quarter": quarter, "platform_revenue": list(revenue.values()), **extra}
    )


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "ws" / "workspace.duckdb") as workspace:
        yield workspace


def live_revenue(ws: Workspace) -> dict[tuple[str, str], float]:
    panel = ws.panel()
    return dict(zip(zip(panel.quarter, panel.account_id), panel.platform_revenue, strict=True))


def statuses(ws: Workspace) -> dict[int, str]:
    return dict(zip(ws.uploads().upload_id, ws.uploads().status, strict=True))


def test_new_workspace_is_empty_and_creates_its_directory(tmp_path):
    path = tmp_path / "new" / "dir" / "w.duckdb"
    with Workspace(path) as ws:
        assert path.exists()
        assert ws.is_empty()
        assert ws.quarters() == []
        assert ws.uploads().empty
        assert ws.supersedes(["2025Q1"]) == {}
        pd.testing.assert_frame_equal(ws.panel(), contract.empty_panel())


def test_default_path_is_under_data_unless_the_environment_names_one(monkeypatch, tmp_path):
    monkeypatch.delenv("B2B_WORKSPACE", raising=False)
    repo = Path(store.__file__).resolve().parents[2]
    assert store.default_path() == repo / "data" / "workspace.duckdb"
    monkeypatch.setenv("B2B_WORKSPACE", str(tmp_path / "elsewhere.duckdb"))
    assert store.default_path() == tmp_path / "elsewhere.duckdb"


def test_commit_and_read_back_in_contract_order_with_contract_dtypes(ws):
    panel = pd.DataFrame(
        {
            "orders": [3, np.nan, 1],
            "account_id": ["b", "a", "c"],
            "quarter": ["2025Q2", "2025Q1", "2025Q1"],
            "platform_revenue": [10, 0, 5],
            "segment": ["retail", None, "food"],
            "active": [True, False, None],
            "contract_end": ["2026-03-31", None, "2025-12-31"],
        }
    )
    assert ws.commit(panel, "accounts.csv", actor=LOCAL) == 1

    expected = pd.DataFrame(
        {
            "account_id": ["a", "c", "b"],
            "quarter": ["2025Q1", "2025Q1", "2025Q2"],
            "platform_revenue": [0.0, 5.0, 10.0],
            "b_side_revenue": np.nan,
            "account_name": None,
            "segment": [None, "food", "retail"],
            "region": None,
            "tier": None,
            "owner": None,
            "active": [False, True, True],  # c had no value: the contract default, revenue > 0
            "contract_value": np.nan,
            "contract_end": pd.to_datetime([None, "2025-12-31", "2026-03-31"]),
            "orders": [np.nan, 1.0, 3.0],
        }
    ).astype({"account_name": object, "region": object, "tier": object, "owner": object})
    pd.testing.assert_frame_equal(ws.panel(), expected)
    pd.testing.assert_frame_equal(ws.panel(["2025Q2"]), expected.iloc[[2]].reset_index(drop=True))
    assert ws.quarters() == ["2025Q1", "2025Q2"]
    assert not ws.is_empty()


def test_custom_metrics_appear_only_while_live_rows_have_a_value(ws):
    ws.commit(upload("2025Q1", {"a": 1}, orders=[4.0]), "q1.csv", actor=LOCAL)
    ws.commit(upload("2025Q2", {"a": 2}, tickets=[7.0]), "q2.csv", actor=LOCAL)
    assert list(ws.panel().columns[-2:]) == ["orders", "tickets"]
    pd.testing.assert_series_equal(ws.panel()["orders"], pd.Series([4.0, np.nan], name="orders"))
    assert "orders" not in ws.panel(["2025Q2"])

    ws.commit(upload("2025Q1", {"a": 1}, Orders=[np.nan]), "q1 again.csv", actor=LOCAL)  # same metric, any case
    assert "orders" not in ws.panel()
    assert ws.panel().columns[-1] == "tickets"


def test_version_increases_on_every_write_and_not_on_reads(ws):
    start = ws.version
    ws.commit(upload("2025Q1", {"a": 1}), "one", actor=LOCAL)
    ws.commit(upload("2025Q1", {"a": 2}), "two", actor=LOCAL)
    ws.restore(1, actor=LOCAL)
    ws.delete(2, actor=LOCAL)
    assert ws.version == start + 4
    ws.panel(), ws.uploads(), ws.quarters(), ws.supersedes(["2025Q1"]), ws.is_empty()
    assert ws.version == start + 4


def test_the_version_is_read_again_after_each_write_of_any_workspace_open_on_the_file(ws):
    other = Workspace(ws.path)  # another session's handle on the same file
    try:
        start = ws.version
        assert other.version == start
        other.commit(upload("2025Q1", {"a": 1}), "one", actor=LOCAL)
        assert (ws.version, other.version) == (start + 1, start + 1)
        ws.save_scenario("S", {"renewal_uplift": 2.0}, actor=LOCAL)  # a write that keeps the version
        ws.delete(1, actor=LOCAL)
        assert (ws.version, other.version) == (start + 2, start + 2)
        assert ws.version == ws._fetch("SELECT version FROM workspace_state")[0][0]
    finally:
        other.close()


def test_the_stored_bytes_count_the_file_and_its_write_ahead_log(ws):
    before = ws.stored_bytes()
    ws.commit(upload("2025Q1", {f"a{i}": float(i) for i in range(5_000)}), "big", actor=LOCAL)
    wal = ws.path.with_name(ws.path.name + ".wal")
    on_disk = ws.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    assert ws.stored_bytes() == on_disk > before


def test_reupload_of_a_quarter_supersedes_and_can_be_restored(ws):
    first = ws.commit(upload("2025Q1", {"a": 1, "b": 2}), "march.csv", actor=LOCAL)
    assert ws.supersedes(["2025Q1", "2025Q2"]) == {"2025Q1": first}
    second = ws.commit(upload("2025Q1", {"a": 10}), "march fixed.csv", actor=LOCAL)
    assert live_revenue(ws) == {("2025Q1", "a"): 10}
    assert statuses(ws) == {second: "live", first: "superseded"}

    assert ws.restore(first, actor=LOCAL) == {"2025Q1": second}
    assert live_revenue(ws) == {("2025Q1", "a"): 1, ("2025Q1", "b"): 2}
    assert statuses(ws) == {second: "superseded", first: "live"}
    assert ws.restore(first, actor=LOCAL) == {"2025Q1": first}  # restoring a live upload changes nothing
    assert ws.restore(ws.uploads().upload_id.iloc[0], actor=LOCAL) == {"2025Q1": first}  # ids as the history gives them


def test_upload_spanning_quarters_is_partly_superseded_by_a_later_quarter_upload(ws):
    both = ws.commit(pd.concat([upload("2025Q1", {"a": 1}), upload("2025Q2", {"a": 2})]), "h1.xlsx", actor=LOCAL)
    fix = ws.commit(upload("2025Q2", {"a": 20}), "q2 fix.csv", actor=LOCAL)
    history = ws.uploads()
    assert history.upload_id.tolist() == [fix, both]  # newest first
    assert history.quarters.tolist() == ["2025Q2", "2025Q1,2025Q2"]
    assert history.live_quarters.tolist() == ["2025Q2", "2025Q1"]
    assert history.status.tolist() == ["live", "partly superseded"]
    assert history.rows.tolist() == [1, 2]
    assert history.source.tolist() == ["q2 fix.csv", "h1.xlsx"]
    assert str(history.committed_at.dtype) == "datetime64[ns, UTC]"
    assert history.deleted_at.isna().all()
    assert live_revenue(ws) == {("2025Q1", "a"): 1, ("2025Q2", "a"): 20}

    assert ws.restore(both, actor=LOCAL) == {"2025Q1": both, "2025Q2": fix}
    assert statuses(ws) == {fix: "superseded", both: "live"}


def test_delete_falls_back_to_the_newest_remaining_upload_of_each_quarter(ws):
    old = ws.commit(upload("2025Q1", {"a": 1}), "old", actor=LOCAL)
    older_q2 = ws.commit(upload("2025Q2", {"a": 2}), "q2", actor=LOCAL)
    new = ws.commit(pd.concat([upload("2025Q1", {"a": 10}), upload("2025Q2", {"a": 20})]), "new", actor=LOCAL)
    middle = ws.commit(upload("2025Q1", {"a": 5}), "middle", actor=LOCAL)
    ws.restore(new, actor=LOCAL)

    assert ws.delete(new, actor=LOCAL) == {"2025Q1": middle, "2025Q2": older_q2}
    assert live_revenue(ws) == {("2025Q1", "a"): 5, ("2025Q2", "a"): 2}
    history = ws.uploads().set_index("upload_id")
    assert history.status.to_dict() == {middle: "live", new: "deleted", older_q2: "live", old: "superseded"}
    assert history.loc[new, "deleted_at"] >= history.loc[new, "committed_at"]
    assert history.loc[new, "quarters"] == "2025Q1,2025Q2"  # the record keeps what it held

    assert ws.delete(middle, actor=LOCAL) == {"2025Q1": old}  # new is newer but deleted
    ws.commit(upload("2025Q1", {"a": 7}), "newest", actor=LOCAL)
    assert ws.delete(old, actor=LOCAL) == {}  # not live anywhere: nothing falls back
    assert live_revenue(ws) == {("2025Q1", "a"): 7, ("2025Q2", "a"): 2}


def test_delete_of_the_only_upload_of_a_quarter_removes_the_quarter(ws):
    ws.commit(upload("2025Q1", {"a": 1}), "q1", actor=LOCAL)
    only_q2 = ws.commit(upload("2025Q2", {"a": 2}), "q2", actor=LOCAL)
    assert ws.delete(only_q2, actor=LOCAL) == {"2025Q2": None}
    assert ws.quarters() == ["2025Q1"]
    assert ws.panel(["2025Q2"]).empty
    assert ws.supersedes(["2025Q2"]) == {}
    assert not ws.is_empty()  # the history remains


def test_restore_or_delete_of_an_unknown_or_deleted_upload_raises_key_error(ws):
    ws.commit(upload("2025Q1", {"a": 1}), "q1", actor=LOCAL)
    gone = ws.commit(upload("2025Q1", {"a": 2}), "q1 again", actor=LOCAL)
    ws.delete(gone, actor=LOCAL)
    version = ws.version
    for action in (ws.restore, ws.delete):
        with pytest.raises(KeyError, match="no upload 99"):
            action(99, actor=LOCAL)
        with pytest.raises(KeyError, match=f"upload {gone} was deleted"):
            action(gone, actor=LOCAL)
    assert ws.version == version


def test_sha256_is_stored_as_given_or_fingerprints_the_panel(ws):
    ws.commit(upload("2025Q1", {"a": 1}), "given", sha256="ab" * 32, actor=LOCAL)
    ws.commit(upload("2025Q1", {"a": 1}), "same content", actor=LOCAL)
    ws.commit(upload("2025Q1", {"a": 1}), "same content again", actor=LOCAL)
    ws.commit(upload("2025Q1", {"a": 2}), "other content", actor=LOCAL)
    other, again, same, given = ws.uploads().sha256
    assert given == "ab" * 32
    assert same == again != other
    assert len(same) == 64


def invalid(change):
    panel = upload("2025Q1", {"a": 1.0, "b": 2.0}, b_side_revenue=[10.0, 20.0], orders=[1.0, 2.0])
    return change(panel) if callable(change) else panel.assign(**change)


@pytest.mark.parametrize(
    "panel, message",
    [
        (invalid(lambda p: p.drop(columns="platform_revenue")), "lacks required column"),
        (invalid(lambda p: p.iloc[:0]), "no rows"),
        (invalid({"quarter": ["2025Q1", "2025-Q2"]}), "2025-Q2"),
        (invalid({"quarter": ["2025Q1", None]}), "quarter"),
        (invalid({"account_id": ["a", " "]}), "account_id must not be empty"),
        (invalid({"account_id": ["a", None]}), "account_id must not be empty"),
        (invalid({"platform_revenue": [1.0, -1.0]}), "negative"),
        (invalid({"platform_revenue": [1.0, np.nan]}), "required"),
        (invalid({"b_side_revenue": [np.inf, 1.0]}), "finite"),
        (invalid({"orders": [1.0, -np.inf]}), "finite"),
        (invalid({"orders": ["1", "many"]}), "non-numeric"),
        (invalid({"account_id": ["a", "a"]}), "occurs twice"),
        (invalid({"Platform_Revenue": [1.0, 2.0]}), "distinct ignoring case"),
        (invalid({"upload_id": [1.0, 2.0]}), "clash"),
        (invalid({"platform_revenue": [1.0, 1.7e308]}), r"1\.7e\+308 beyond 1e\+15"),
        (invalid({"quarter": ["2025Q1", "9999Q4"]}), "'9999Q4' has a year outside 1900 to 2199"),
        (invalid({"contract_end": [pd.Timestamp("2025-01-01"), pd.Timestamp("1800-01-01")]}), "year outside"),
        (invalid({"account_name": ["a", "n" * 1001]}), r"'nnnn.*… \(1,001 characters\) longer than 1,000 characters"),
    ],
)
def test_invalid_panel_raises_value_error_and_writes_nothing(ws, panel, message):
    ws.commit(upload("2025Q1", {"z": 9}), "valid", actor=LOCAL)
    version, history, live = ws.version, ws.uploads(), ws.panel()
    with pytest.raises(ValueError, match=message):
        ws.commit(panel, "bad.csv", actor=LOCAL)
    assert ws.version == version
    pd.testing.assert_frame_equal(ws.uploads(), history)
    pd.testing.assert_frame_equal(ws.panel(), live)


def test_failure_in_the_middle_of_a_commit_rolls_back_everything(ws, monkeypatch):
    ws.commit(upload("2025Q1", {"a": 1}), "first", actor=LOCAL)
    version, history = ws.version, ws.uploads()
    columns = ws._column("SELECT name FROM pragma_table_info('panel_rows')")

    def fail(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Workspace, "_make_live", fail)  # runs after the rows and history inserts
    with pytest.raises(RuntimeError, match="disk full"):
        ws.commit(upload("2025Q1", {"a": 2, "b": 3}, tickets=[1.0, 2.0]), "second", actor=LOCAL)
    with pytest.raises(RuntimeError, match="disk full"):
        ws.restore(1, actor=LOCAL)
    assert ws.version == version
    pd.testing.assert_frame_equal(ws.uploads(), history)
    assert live_revenue(ws) == {("2025Q1", "a"): 1}
    assert ws._column("SELECT count(*) FROM panel_rows") == [1]
    assert ws._column("SELECT name FROM pragma_table_info('panel_rows')") == columns  # no "tickets"

    monkeypatch.undo()
    assert ws.commit(upload("2025Q1", {"a": 2}), "second", actor=LOCAL) == 2  # the failed one used no id


def test_reopening_the_file_keeps_everything(tmp_path):
    path = tmp_path / "w.duckdb"
    with Workspace(path) as ws:
        ws.commit(upload("2025Q1", {"a": 1}, orders=[3.0]), "one", actor=LOCAL)
        ws.commit(upload("2025Q1", {"a": 2}), "two", actor=LOCAL)
        ws.commit(upload("2025Q2", {"b": 5}), "three", actor=LOCAL)
        ws.delete(2, actor=LOCAL)
        before = ws.version, ws.uploads(), ws.panel(), ws.quarters()
    with Workspace(path) as ws:
        after = ws.version, ws.uploads(), ws.panel(), ws.quarters()
        assert ws.commit(upload("2025Q3", {"c": 1}), "four", actor=LOCAL) == 4
    assert before[0] == after[0] == 4
    pd.testing.assert_frame_equal(before[1], after[1])
    pd.testing.assert_frame_equal(before[2], after[2])
    assert before[3] == after[3] == ["2025Q1", "2025Q2"]
    assert after[2].orders.tolist()[0] == 3.0


def test_concurrent_commits_restores_and_reads_stay_consistent(ws):
    """8 threads on one workspace: 3 commit, 2 restore, 3 read; no reader sees a torn quarter."""
    quarters = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    start, deadline = ws.version, time.monotonic() + 1.5
    committed: dict[int, str] = {}  # upload_id → the token its account ids start with
    writes, errors = [], []

    def token_of(account_id: str) -> str:
        return account_id.rsplit("-", 1)[0]

    def committer(n: int) -> None:
        rng = random.Random(n)
        for i in range(10**6):
            token = f"t{n}.{i}"
            chosen = rng.sample(quarters, rng.randint(1, 3))
            panel = pd.concat([upload(q, {f"{token}-{a}": float(a) for a in range(3)}) for q in chosen])
            committed[ws.commit(panel, token, actor=LOCAL)] = token
            writes.append(token)
            if time.monotonic() > deadline:
                return

    def restorer(n: int) -> None:
        rng = random.Random(n)
        while time.monotonic() < deadline:
            if committed:
                ws.restore(rng.choice(list(committed)), actor=LOCAL)
                writes.append("restore")

    def reader(n: int) -> None:
        last = 0
        while time.monotonic() < deadline:
            version = ws.version
            assert version >= last
            last = version
            panel = ws.panel()
            tokens = panel.account_id.map(token_of).groupby(panel.quarter).nunique()
            assert (tokens == 1).all(), "a quarter mixes rows of two uploads"
            ws.uploads(), ws.supersedes(quarters), ws.quarters()

    def guarded(work, n):
        try:
            work(n)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    roles = [committer] * 3 + [restorer] * 2 + [reader] * 3
    threads = [threading.Thread(target=guarded, args=(role, n)) for n, role in enumerate(roles)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ws.version == start + len(writes)
    history = ws.uploads()
    assert sorted(history.upload_id) == sorted(committed) == list(range(1, len(committed) + 1))
    assert (history.source == history.upload_id.map(committed)).all()
    live = {
        quarter: upload_id
        for upload_id, live_quarters in zip(history.upload_id, history.live_quarters, strict=True)
        for quarter in live_quarters.split(",")
        if quarter
    }
    assert sorted(live) == ws.quarters()
    panel = ws.panel()
    assert (panel.account_id.map(token_of) == panel.quarter.map(live).map(committed)).all()


def test_stored_types_follow_the_contract(ws):
    types = dict(ws._fetch("SELECT name, type FROM pragma_table_info('panel_rows')"))
    assert types == {"upload_id": "BIGINT", **{c.name: contract.SQL_TYPES[c.kind] for c in contract.COLUMNS}}


def test_numeric_types_are_exactly_what_typeof_reports_for_numbers_and_all_null_columns():
    con = duckdb.connect()
    numeric = ["DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT"]
    numeric += ["UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "DECIMAL"]
    reported = {con.execute(f"SELECT typeof(NULL::{t})").fetchall()[0][0].split("(")[0] for t in numeric}
    reported.add(con.execute("SELECT typeof(NULL)").fetchall()[0][0])  # '"NULL"', quotes included
    assert reported == schema.NUMERIC_TYPES


@pytest.mark.parametrize(
    "nothing", [pd.Series([None, None], dtype=object), pd.Series([np.nan, None], dtype=object)], ids=["None", "mixed"]
)
def test_an_all_null_custom_metric_is_accepted_and_not_shown(ws, nothing):
    ws.commit(upload("2025Q1", {"a": 1.0, "b": 2.0}, orders=nothing), "q1.csv", actor=LOCAL)
    arrow = pa.table({"account_id": ["c"], "quarter": ["2025Q2"], "platform_revenue": [3.0], "orders": pa.nulls(1)})
    ws.commit(arrow, "q2.csv", actor=LOCAL)
    assert list(ws.panel().columns) == list(contract.NAMES)
    assert ws.stored_rows()["orders"].isna().all()


def test_a_scenario_the_app_could_not_open_is_not_saved(ws):
    with pytest.raises(ValueError, match=r"unknown lever\(s\) \['churn'\]"):
        ws.save_scenario("Push", {"churn": 0.1}, actor=LOCAL)
    with pytest.raises(ValueError, match="Renewal uplift of scenario 'Push' is 99 points"):
        ws.save_scenario("Push", {"renewal_uplift": 99.0}, actor=LOCAL)
    assert ws.saved_scenarios() == [] and ws.audit_trail().empty


def test_commit_with_expect_live_checks_what_the_user_confirmed(ws):
    assert ws.commit(upload("2025Q1", {"a": 1}), "first", expect_live={}, actor=LOCAL) == 1  # nothing live: {}
    seen = ws.supersedes(["2025Q1", "2025Q2"])
    assert seen == {"2025Q1": 1}
    assert (
        ws.commit(
            pd.concat([upload("2025Q1", {"a": 2}), upload("2025Q2", {"a": 3})]), "both", expect_live=seen, actor=LOCAL
        )
        == 2
    )
    assert ws.commit(upload("2025Q3", {"a": 4}), "q3", expect_live={}, actor=LOCAL) == 3
    assert live_revenue(ws) == {("2025Q1", "a"): 2, ("2025Q2", "a"): 3, ("2025Q3", "a"): 4}


def test_commit_with_stale_expect_live_raises_workspace_changed_and_writes_nothing(ws):
    ws.commit(upload("2025Q1", {"a": 1}), "q1", actor=LOCAL)
    ws.commit(upload("2025Q2", {"a": 2}), "q2", actor=LOCAL)
    fix = pd.concat([upload("2025Q1", {"a": 10}), upload("2025Q2", {"a": 20})])
    seen = ws.supersedes(["2025Q1", "2025Q2"])  # what the user reviews: {Q1: 1, Q2: 2}
    assert ws.commit(upload("2025Q3", {"a": 3}), "another quarter", actor=LOCAL) == 3  # does not touch Q1 or Q2
    assert ws.commit(upload("2025Q2", {"a": 9}), "someone else's Q2", actor=LOCAL) == 4  # in between: Q2 now 4
    version, history, live = ws.version, ws.uploads(), ws.panel()

    with pytest.raises(store.WorkspaceChanged, match=r"quarter 2025Q2 changed .* holds upload 4, .* upload 2\."):
        ws.commit(fix, "fix", expect_live=seen, actor=LOCAL)
    with pytest.raises(RuntimeError, match="Review the upload and confirm again"):  # a RuntimeError
        ws.commit(fix, "fix", expect_live={}, actor=LOCAL)  # "no quarter may have live data", but both have
    assert ws.version == version
    pd.testing.assert_frame_equal(ws.uploads(), history)
    pd.testing.assert_frame_equal(ws.panel(), live)

    ws.delete(4, actor=LOCAL)  # Q2 falls back to upload 2: what the user saw is live again
    assert ws.commit(fix, "fix", expect_live=seen, actor=LOCAL) == 5


def test_expect_live_notices_a_restore_and_a_delete(ws):
    ws.commit(upload("2025Q1", {"a": 1}), "one", actor=LOCAL)
    ws.commit(upload("2025Q1", {"a": 2}), "two", actor=LOCAL)
    seen = ws.supersedes(["2025Q1"])
    ws.restore(1, actor=LOCAL)
    with pytest.raises(store.WorkspaceChanged, match="holds upload 1, you confirmed replacing upload 2"):
        ws.commit(upload("2025Q1", {"a": 3}), "three", expect_live=seen, actor=LOCAL)
    ws.delete(1, actor=LOCAL)
    ws.delete(2, actor=LOCAL)
    with pytest.raises(store.WorkspaceChanged, match="holds no data, you confirmed replacing upload 2"):
        ws.commit(upload("2025Q1", {"a": 3}), "three", expect_live=seen, actor=LOCAL)
    assert ws.quarters() == []


def test_of_racing_commits_that_saw_the_same_state_exactly_one_wins(ws):
    ws.commit(upload("2025Q1", {"a": 0}), "base", actor=LOCAL)
    barrier, outcomes = threading.Barrier(4), []

    def confirm(n: int) -> None:
        seen = ws.supersedes(["2025Q1"])
        barrier.wait()  # all four reviewed {2025Q1: 1} before anyone commits
        try:
            outcomes.append(ws.commit(upload("2025Q1", {"a": n}), f"user {n}", expect_live=seen, actor=LOCAL))
        except store.WorkspaceChanged:
            outcomes.append("changed")

    threads = [threading.Thread(target=confirm, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [2, "changed", "changed", "changed"]
    assert len(ws.uploads()) == 2


def test_commit_many_stores_separate_uploads_in_order_with_one_version_bump(ws):
    ws.commit(upload("2025Q1", {"a": 1}), "before", actor=LOCAL)
    version = ws.version
    ids = ws.commit_many(
        [
            (upload("2025Q1", {"a": 2}), "jan.csv", "ab" * 32),
            (upload("2025Q2", {"a": 3}, orders=[5.0]), "q2.csv", None),
            (upload("2025Q1", {"a": 4, "b": 6}), "jan again.csv", None),
        ],
        actor=LOCAL,
    )
    assert ids == [2, 3, 4]
    assert ws.version == version + 1
    history = ws.uploads()
    assert history.source.tolist() == ["jan again.csv", "q2.csv", "jan.csv", "before"]
    assert history.status.tolist() == ["live", "live", "superseded", "superseded"]
    assert history.rows.tolist() == [2, 1, 1, 1]
    assert history.sha256.iloc[2] == "ab" * 32 and len(history.sha256.iloc[0]) == 64
    assert live_revenue(ws) == {("2025Q1", "a"): 4, ("2025Q1", "b"): 6, ("2025Q2", "a"): 3}
    assert ws.commit_many([], actor=LOCAL) == []


def test_commit_many_failing_on_the_second_item_stores_nothing_of_the_first(ws, monkeypatch):
    ws.commit(upload("2025Q1", {"a": 1}), "before", actor=LOCAL)
    version, history, live = ws.version, ws.uploads(), ws.panel()
    columns = ws._column("SELECT name FROM pragma_table_info('panel_rows')")
    first = (upload("2025Q2", {"a": 2}, tickets=[1.0]), "q2.csv", None)

    with pytest.raises(ValueError, match="negative"):
        ws.commit_many([first, (upload("2025Q3", {"a": -3}), "bad.csv", None)], actor=LOCAL)

    calls = []

    def fail_second(self, quarters, upload_id):
        calls.append(upload_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr(Workspace, "_make_live", fail_second)
    with pytest.raises(RuntimeError, match="disk full"):
        ws.commit_many([first, (upload("2025Q3", {"a": 3}), "q3.csv", None)], actor=LOCAL)
    assert calls == [2, 3]  # the first item had gone all the way through
    monkeypatch.undo()

    assert ws.version == version
    pd.testing.assert_frame_equal(ws.uploads(), history)
    pd.testing.assert_frame_equal(ws.panel(), live)
    assert ws._column("SELECT count(*) FROM panel_rows") == [1]
    assert ws._column("SELECT name FROM pragma_table_info('panel_rows')") == columns  # no "tickets"
    assert ws.commit_many([first], actor=LOCAL) == [2]


def test_stored_rows_hold_every_upload_not_deleted(ws):
    empty = ws.stored_rows()
    assert list(empty.columns) == ["upload_id", *contract.NAMES]
    assert empty.dtypes.to_dict() == {"upload_id": np.dtype("int64"), **contract.empty_panel().dtypes.to_dict()}

    ws.commit(upload("2025Q1", {"b": 1, "a": 2}, orders=[3.0, np.nan]), "one", actor=LOCAL)
    ws.commit(upload("2025Q1", {"a": 5}, tickets=[7.0]), "two", actor=LOCAL)  # supersedes one
    ws.commit(upload("2025Q2", {"a": 0}, contract_end=["2025-12-31"]), "three", actor=LOCAL)
    ws.commit(upload("2025Q2", {"z": 9}), "four", actor=LOCAL)
    ws.delete(4, actor=LOCAL)  # gone from the stored rows too

    expected = pd.DataFrame(
        {
            "upload_id": [1, 1, 2, 3],
            "account_id": ["a", "b", "a", "a"],
            "quarter": ["2025Q1", "2025Q1", "2025Q1", "2025Q2"],
            "platform_revenue": [2.0, 1.0, 5.0, 0.0],
            "b_side_revenue": np.nan,
            "account_name": None,
            "segment": None,
            "region": None,
            "tier": None,
            "owner": None,
            "active": [True, True, True, False],  # the contract default, as in panel()
            "contract_value": np.nan,
            "contract_end": pd.to_datetime([None, None, None, "2025-12-31"]),
            "orders": [np.nan, 3.0, np.nan, np.nan],
            "tickets": [np.nan, np.nan, 7.0, np.nan],
        }
    ).astype({c: object for c in contract.TEXT_COLUMNS})
    stored = ws.stored_rows()
    pd.testing.assert_frame_equal(stored, expected)
    live = ws.panel()  # upload 2 and 3: without "orders"
    pd.testing.assert_series_equal(stored.dtypes[live.columns], live.dtypes)


# --- a panel committed in parts -------------------------------------------------------------------


def _parts(panel: pd.DataFrame, n: int) -> list[pd.DataFrame]:
    ids = panel["account_id"].unique()
    return [panel[panel["account_id"].isin(part)] for part in np.array_split(ids, n)]


def test_a_panel_committed_in_parts_is_one_upload_equal_to_the_whole(tmp_path):
    from b2b_core import sample

    panel = sample.generate_panel(300, 3, seed=3)
    whole, parted = Workspace(tmp_path / "whole.duckdb"), Workspace(tmp_path / "parts.duckdb")
    whole.commit(panel, "export.csv", actor=LOCAL)
    told = []
    upload = parted.commit_chunks(
        (pa.Table.from_pandas(p, preserve_index=False) for p in _parts(panel, 3)),
        "export.csv",
        actor=LOCAL,
        on_chunk=told.append,
    )
    assert upload == 1 and sum(told) == len(panel) and len(told) == 3
    pd.testing.assert_frame_equal(parted.panel(), whole.panel())
    assert parted.version == 1 and len(parted.uploads()) == 1
    assert parted.uploads()["sha256"].iloc[0] == whole.uploads()["sha256"].iloc[0]  # the same rows, the same print
    assert parted.audit_trail()["summary"].iloc[-1].startswith(f"committed upload #1 (export.csv): {len(panel):,} rows")


def test_parts_that_repeat_an_account_or_change_columns_write_nothing(tmp_path):
    from b2b_core import sample

    panel = sample.generate_panel(200, 2, seed=4)
    ws = Workspace(tmp_path / "w.duckdb")
    ws.commit(panel, "first.csv", actor=LOCAL)
    first, second = _parts(panel, 2)
    with pytest.raises(ValueError, match="occurs twice in quarter"):
        ws.commit_chunks([first, second, first.iloc[:5]], "again.csv", actor=LOCAL)
    with pytest.raises(ValueError, match="every chunk must have the columns of the first"):
        ws.commit_chunks([first, second.drop(columns="orders")], "again.csv", actor=LOCAL)
    with pytest.raises(ValueError, match="no rows"):
        ws.commit_chunks([], "empty.csv", actor=LOCAL)
    assert ws.version == 1 and len(ws.uploads()) == 1 and len(ws.panel()) == len(panel)


def test_parts_are_written_one_by_one_unseen_until_the_last_and_removed_when_refused_or_stopped(tmp_path):
    from b2b_core import sample

    panel = sample.generate_panel(200, 2, seed=5)
    ws = Workspace(tmp_path / "w.duckdb")
    ws.commit(panel.drop(columns="orders"), "first.csv", actor=LOCAL)
    first, second = _parts(panel.assign(orders=1.0), 2)
    seen = []  # what a reader sees after each part: (version, live rows, stored rows)
    ws.commit_chunks(
        [first, second],
        "next.csv",
        actor=LOCAL,
        on_chunk=lambda _: seen.append((ws.version, len(ws.panel()), len(ws.stored_rows()))),
    )
    assert seen == [(1, len(panel), len(panel))] * 2 and ws.version == 2 and len(ws.panel()) == len(panel)

    def stopped_by_the_user():
        yield first.assign(tickets=1.0)
        raise KeyboardInterrupt

    for chunks, error in (([first, second, first.iloc[:3]], ValueError), (stopped_by_the_user(), KeyboardInterrupt)):
        with pytest.raises(error):
            ws.commit_chunks(chunks, "again.csv", actor=LOCAL)
        raw = ws._fetch("SELECT count(*), count(DISTINCT upload_id) FROM panel_rows")[0]
        assert raw == (2 * len(panel), 2) and ws.version == 2 and "tickets" not in ws.stored_rows()


def test_rows_of_a_chunked_commit_whose_process_died_are_removed_when_the_workspace_opens(tmp_path):
    from b2b_core import sample

    panel = sample.generate_panel(100, 2, seed=6)
    path = tmp_path / "w.duckdb"
    with Workspace(path) as ws:
        ws.commit(panel, "first.csv", actor=LOCAL)
    con = duckdb.connect(str(path))  # what a killed import leaves: rows under an id no upload has
    con.execute("INSERT INTO panel_rows SELECT * REPLACE (7 AS upload_id) FROM panel_rows")
    con.close()
    with Workspace(path) as ws:
        assert ws._fetch("SELECT count(*) FROM panel_rows")[0][0] == len(panel)
        assert ws.commit(panel, "again.csv", actor=LOCAL) == 2


def test_a_generated_panel_is_written_part_by_part_with_unique_ids_of_one_width(tmp_path):
    from b2b_core import sample

    ws = Workspace(tmp_path / "w.duckdb")
    sample.write_panel(ws, 1_000, 4, actor=LOCAL, chunk=300)
    panel = ws.panel()
    ids = panel["account_id"].unique()
    assert len(ids) <= 1_000 and len(set(map(len, ids))) == 1 and ids.min() >= "M000001" and ids.max() <= "M001000"
    assert not panel.duplicated(["account_id", "quarter"]).any() and len(ws.uploads()) == 1


def test_a_backup_taken_while_parts_are_written_holds_the_uploads_only_and_restores(tmp_path):
    from b2b_core import sample

    panel = sample.generate_panel(100, 2, seed=8)
    ws = Workspace(tmp_path / "w.duckdb")
    ws.commit(panel, "first.csv", actor=LOCAL)
    backups = []
    ws.commit_chunks(
        _parts(panel, 2),
        "next.csv",
        actor=LOCAL,
        on_chunk=lambda _: backups.append(ws.write_backup(tmp_path / f"b{len(backups)}.duckdb", actor=LOCAL)),
    )
    assert [b["rows"]["panel_rows"] for b in backups] == [len(panel)] * 2
    restored = Workspace(tmp_path / "r.duckdb")
    restored.restore_backup(tmp_path / "b1.duckdb", actor=LOCAL)
    pd.testing.assert_frame_equal(restored.panel(), ws.panel())  # upload 2 holds the rows upload 1 held
    assert restored.uploads()["upload_id"].tolist() == [1]


def kept(last_quarter: str, accounts: float) -> KeptProjection:
    """A one-quarter kept projection after ``last_quarter``: ``accounts`` ±10, revenue 100 ±10."""
    frame = pd.DataFrame(
        {
            "active_accounts": [accounts],
            "active_accounts_lower": [accounts - 10],
            "active_accounts_upper": [accounts + 10],
            "platform_revenue": [100.0],
            "platform_revenue_lower": [90.0],
            "platform_revenue_upper": [110.0],
        },
        index=[quarters.shift(last_quarter, 1)],
    )
    return KeptProjection.of(frame, last_quarter)


def test_saving_a_scenario_keeps_its_projection_stamped_with_when_and_by_whom(ws):
    ada = Actor("Ada", "ada@example.com", "viewer")
    ws.save_scenario("Push", {"renewal_uplift": 2.0}, projection=kept("2026Q1", 50), actor=ada)
    ws.save_scenario("Plain", {"renewal_uplift": 1.0}, actor=LOCAL)  # saved without a projection
    found = ws.kept_projections()
    assert list(found) == ["Push"]
    assert (found["Push"].last_quarter, found["Push"].horizon, found["Push"].saved_by) == (
        "2026Q1",
        1,
        "ada@example.com",
    )
    assert abs(found["Push"].saved_at - schema.utc_now()).total_seconds() < 60
    pd.testing.assert_frame_equal(found["Push"].projection, kept("2026Q1", 50).projection)
    details = json.loads(ws.audit_trail().iloc[1]["details"])
    assert details["projection"] == {"last_quarter": "2026Q1", "horizon": 1}
    assert ws.version == 0  # scenarios do not change the data


def test_saving_again_replaces_the_kept_projection_and_without_one_drops_it(ws):
    ws.save_scenario("Push", {"renewal_uplift": 2.0}, projection=kept("2026Q1", 50), actor=LOCAL)
    ws.save_scenario("push", {"renewal_uplift": 3.0}, projection=kept("2026Q2", 70), actor=LOCAL)  # same, any case
    found = ws.kept_projections()
    assert list(found) == ["push"] and found["push"].last_quarter == "2026Q2"
    assert found["push"].projection.loc["2026Q3", "active_accounts"] == 70
    ws.save_scenario("push", {"renewal_uplift": 3.0}, actor=LOCAL)
    assert ws.kept_projections() == {}


def test_renaming_keeps_the_projection_and_deleting_deletes_it(ws):
    ws.save_scenario("Push", {"renewal_uplift": 2.0}, projection=kept("2026Q1", 50), actor=LOCAL)
    ws.save_scenario("Other", {"renewal_uplift": 1.0}, projection=kept("2026Q1", 40), actor=LOCAL)
    ws.rename_scenario("Push", "Renewal push", actor=LOCAL)
    assert list(ws.kept_projections()) == ["Renewal push", "Other"]
    assert ws.kept_projections()["Renewal push"].projection.loc["2026Q2", "active_accounts"] == 50
    ws.delete_scenario("Renewal push", actor=LOCAL)
    assert list(ws.kept_projections()) == ["Other"]
    assert ws._column("SELECT name FROM kept_projections") == ["Other"]


def test_a_failed_save_keeps_the_scenario_and_its_projection_as_they_were(ws, monkeypatch):
    ws.save_scenario("Push", {"renewal_uplift": 2.0}, projection=kept("2026Q1", 50), actor=LOCAL)
    monkeypatch.setattr(ws, "_record", lambda *args: (_ for _ in ()).throw(RuntimeError("disk hiccup")))
    with pytest.raises(RuntimeError, match="disk hiccup"):
        ws.save_scenario("Push", {"renewal_uplift": 3.0}, projection=kept("2026Q2", 70), actor=LOCAL)
    assert ws.saved_scenarios() == [("Push", {"renewal_uplift": 2.0})]
    assert ws.kept_projections()["Push"].last_quarter == "2026Q1"


def test_a_workspace_from_before_kept_projections_opens_and_gains_them(tmp_path):
    path = tmp_path / "old.duckdb"
    with Workspace(path) as ws:
        ws.commit(upload("2025Q1", {"a": 1.0}), "q1.csv", actor=LOCAL)
        ws.save_scenario("Old", {"renewal_uplift": 2.0}, actor=LOCAL)
    with duckdb.connect(str(path)) as con:  # the file as an earlier version of the app left it
        con.execute("DROP TABLE kept_projections")
    with Workspace(path) as ws:
        assert ws.saved_scenarios() == [("Old", {"renewal_uplift": 2.0})] and ws.quarters() == ["2025Q1"]
        assert ws.kept_projections() == {}  # saved before projections were kept: no plan vs actual
        ws.save_scenario("Old", {"renewal_uplift": 2.0}, projection=kept("2025Q1", 5), actor=LOCAL)
        assert list(ws.kept_projections()) == ["Old"]


def test_a_base_assumption_set_by_hand_is_kept_with_when_and_by_whom_and_can_be_cleared(ws):
    grace = Actor("Grace", "grace@example.com", "editor")
    ws.override_base("new_accounts", 300, actor=grace)
    ws.override_base("take_rate", 12.0, actor=LOCAL)
    ws.override_base("new_accounts", 250, actor=grace)  # replaces the first
    found = ws.base_overrides()
    assert list(found) == ["new_accounts", "take_rate"]  # in the assumptions' order
    value, saved_at, saved_by = found["new_accounts"]
    assert (value, saved_by) == (250.0, "grace@example.com")
    assert abs(saved_at - schema.utc_now()).total_seconds() < 60
    entry = ws.audit_trail().iloc[0]
    assert entry.summary == "set new accounts per quarter to 250 accounts"
    assert json.loads(entry.details) == {"assumption": "new_accounts", "value": 250.0, "before": 300.0}
    with pytest.raises(ValueError, match="choose a value from 0"):
        ws.override_base("new_accounts", -3, actor=grace)
    with pytest.raises(ValueError, match="unknown base assumption"):
        ws.override_base("price", 3, actor=grace)
    with pytest.raises(PermissionDenied):
        ws.override_base("new_accounts", 3, actor=Actor("Vic", "vic@example.com", "viewer"))
    assert ws.base_overrides()["new_accounts"][0] == 250.0  # nothing written by the refusals
    ws.clear_base_override("new_accounts", actor=grace)
    assert list(ws.base_overrides()) == ["take_rate"]
    with pytest.raises(KeyError, match="not overridden"):
        ws.clear_base_override("new_accounts", actor=grace)
    assert ws.version == 0  # assumptions do not change the data


def test_the_currency_is_a_workspace_setting_audited_with_the_one_it_replaced(ws):
    grace = Actor("Grace", "grace@example.com", "editor")
    assert ws.currency() is None  # a new workspace shows plain numbers
    ws.set_currency(Currency.of("¥", "CNY"), actor=grace)
    ws.set_currency(Currency.of("€", "EUR"), actor=LOCAL)
    assert ws.currency() == Currency("€", "EUR")
    entry = ws.audit_trail().iloc[0]
    assert (entry.action, entry.summary) == ("set_currency", "set the currency to € EUR")
    assert json.loads(entry.details) == {"currency": "€ EUR", "before": "¥ CNY"}
    with pytest.raises(PermissionDenied, match="needs the editor role"):
        ws.set_currency(Currency.of("$", "USD"), actor=Actor("Vic", "vic@example.com", "viewer"))
    assert ws.currency() == Currency("€", "EUR")  # nothing written by the refusal
    ws.set_currency(None, actor=grace)
    assert ws.currency() is None
    assert ws.audit_trail().iloc[0].summary == "showed amounts without a currency"
    assert ws.version == 0  # a setting does not change the data


def test_the_supersede_difference_counts_accounts_added_and_removed_and_the_revenue_change(ws):
    ws.commit(upload("2025Q2", {"A": 10.0, "B": 20.0, "C": 5.0}), "old.csv", actor=LOCAL)
    ws.commit(upload("2025Q3", {"A": 12.0}), "q3.csv", actor=LOCAL)
    new = pa.Table.from_pandas(
        pd.concat([upload("2025Q2", {"A": 11.0, "B": 20.0, "D": 7.0}), upload("2025Q4", {"A": 1.0})]),
        preserve_index=False,
    )
    per_quarter, accounts = ws.supersede_difference(new)
    assert per_quarter.to_dict("records") == [  # 2025Q4 holds no live data: nothing is superseded there
        {
            "quarter": "2025Q2",
            "accounts_live": 3,
            "accounts_new": 3,
            "added": 1,
            "removed": 1,
            "revenue_live": 35.0,
            "revenue_new": 38.0,
            "revenue_change": 3.0,
        }
    ]
    assert accounts.values.tolist() == [["2025Q2", "D", "added", 7.0], ["2025Q2", "C", "removed", 5.0]]
    assert ws.supersede_difference(new, listed=1)[1]["account_id"].tolist() == ["D"]


def test_id_spellings_name_the_file_ids_the_live_data_spell_otherwise(ws):
    ws.commit(upload("2025Q2", {"CD00004": 1.0, "x1": 2.0, "Both": 1.0, "both": 1.0}), "old.csv", actor=LOCAL)
    found = ws.id_spellings(pa.array(["cd00004", "X1", "x1", "new", "both", None]))
    assert found == {"X1": "x1", "cd00004": "CD00004"}  # "both" is itself a live id: nothing to respell
