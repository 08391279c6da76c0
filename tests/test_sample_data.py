"""The bundled sample among the uploads: marked when seeded or recognised, whose the live data
are, removed and restored in one audited step; and how far a file's quarters lie from the live ones."""

from __future__ import annotations

import json
import shutil

import duckdb
import pandas as pd
import pytest

from b2b_core import sample
from b2b_core.access import LOCAL, Actor, PermissionDenied
from b2b_core.quarters import gap_between, missing_runs, span_label
from b2b_core.store import Workspace

EDITOR = Actor("Eddie", "eddie@example.com", "editor")
ADMIN = Actor("Ada", "ada@example.com", "admin")
BUNDLED = {"accounts_2023Q4.csv": "aa", "accounts_2024Q1.csv": "bb"}  # file name → sha256


def upload(quarter: str, revenue: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"account_id": list(revenue), "quarter": quarter, "platform_revenue": list(revenue.values())})


@pytest.fixture
def seeded(tmp_path):
    """Two sample quarters (2023Q4, 2024Q1) committed as the app seeds them."""
    with Workspace(tmp_path / "ws.duckdb", bundled_sample=BUNDLED) as ws:
        ws.commit_many(
            [
                (upload("2023Q4", {"s1": 10.0}), "accounts_2023Q4.csv", "aa"),
                (upload("2024Q1", {"s1": 12.0}), "accounts_2024Q1.csv", "bb"),
            ],
            actor=LOCAL,
            sample=True,
        )
        yield ws


def test_seeded_uploads_are_the_sample_and_a_users_commit_makes_the_data_mixed(seeded):
    origin = seeded.data_origin()
    assert (origin.kind, origin.sample_quarters, origin.own_quarters) == ("sample", ("2023Q4", "2024Q1"), ())
    seeded.commit(upload("1997Q1", {"u1": 5.0}), "mine.csv", actor=LOCAL)
    origin = seeded.data_origin()
    assert (origin.kind, origin.sample_quarters, origin.own_quarters) == ("mixed", ("2023Q4", "2024Q1"), ("1997Q1",))
    assert dict(zip(seeded.uploads()["source"], seeded.uploads()["sample"])) == {
        "mine.csv": False,
        "accounts_2024Q1.csv": True,
        "accounts_2023Q4.csv": True,
    }


def test_removing_the_sample_is_one_audited_write_and_restoring_it_brings_it_back(seeded):
    seeded.commit(upload("1997Q1", {"u1": 5.0}), "mine.csv", actor=LOCAL)
    version, entries = seeded.version, len(seeded.audit_trail())
    assert seeded.remove_sample(actor=ADMIN) == {"2023Q4": None, "2024Q1": None}
    assert seeded.quarters() == ["1997Q1"]
    assert seeded.data_origin().kind == "own"
    assert seeded.data_origin().restorable == ("2023Q4", "2024Q1")
    assert seeded.version == version + 1
    trail = seeded.audit_trail()
    assert len(trail) == entries + 1
    entry = trail.iloc[0]
    assert (entry["action"], entry["actor"]) == ("remove_sample", "ada@example.com")
    assert json.loads(entry["details"])["uploads"] == [1, 2]
    assert set(seeded.uploads().loc[lambda u: u["sample"], "status"]) == {"superseded"}  # rows kept, not deleted

    assert seeded.restore_sample(actor=EDITOR) == ["2023Q4", "2024Q1"]
    assert seeded.quarters() == ["1997Q1", "2023Q4", "2024Q1"]
    assert seeded.panel().set_index("quarter").loc["2024Q1", "platform_revenue"] == 12.0
    assert seeded.audit_trail().iloc[0]["action"] == "restore_sample"
    assert len(seeded.audit_trail()) == entries + 2


def test_a_sample_quarter_the_user_committed_stays_theirs_through_removal_and_restore(seeded):
    mine = seeded.commit(upload("2024Q1", {"u1": 99.0}), "mine_2024Q1.csv", actor=LOCAL)
    assert seeded.data_origin().kind == "mixed"
    seeded.restore(1, actor=LOCAL)  # nothing special: an older sample upload restored by hand
    seeded.restore(2, actor=LOCAL)  # the sample's 2024Q1 live again over the user's
    assert seeded.remove_sample(actor=LOCAL) == {"2023Q4": None, "2024Q1": mine}  # the user's comes back
    assert seeded.restore_sample(actor=LOCAL) == ["2023Q4"]  # never over the user's own
    assert seeded.supersedes(["2024Q1"]) == {"2024Q1": mine}


def test_only_admins_remove_and_editors_restore_the_sample_and_a_refusal_writes_nothing(seeded):
    version = seeded.version
    with pytest.raises(PermissionDenied, match="Removing the sample data needs the admin role"):
        seeded.remove_sample(actor=EDITOR)
    assert seeded.version == version and seeded.data_origin().kind == "sample"
    seeded.remove_sample(actor=LOCAL)
    with pytest.raises(PermissionDenied, match="Restoring the sample data needs the editor role"):
        seeded.restore_sample(actor=Actor("Vi", "vi@example.com", "viewer"))
    assert seeded.quarters() == []


def test_removing_or_restoring_when_there_is_nothing_to_do_raises_key_error(seeded):
    with pytest.raises(KeyError, match="nothing to restore"):
        seeded.restore_sample(actor=LOCAL)
    seeded.remove_sample(actor=LOCAL)
    with pytest.raises(KeyError, match="nothing to remove"):
        seeded.remove_sample(actor=LOCAL)


def test_a_removal_that_fails_half_way_leaves_the_sample_live(seeded, monkeypatch):
    entries = len(seeded.audit_trail())

    def broken(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(seeded, "_record", broken)  # fails after the live quarters were changed
    with pytest.raises(RuntimeError):
        seeded.remove_sample(actor=LOCAL)
    assert seeded.quarters() == ["2023Q4", "2024Q1"] and seeded.data_origin().kind == "sample"
    assert len(seeded.audit_trail()) == entries


def test_a_workspace_seeded_before_the_mark_recognises_the_sample_by_file_name_and_sha256(tmp_path):
    path = tmp_path / "old.duckdb"
    with Workspace(path) as ws:
        ws.commit(upload("2023Q4", {"s1": 10.0}), "accounts_2023Q4.csv", sha256="aa", actor=LOCAL)
        ws.commit(upload("2024Q1", {"s1": 10.0}), "accounts_2024Q1.csv", sha256="changed", actor=LOCAL)
        ws.commit(upload("2024Q2", {"s1": 10.0}), "mine.csv", sha256="bb", actor=LOCAL)
    with duckdb.connect(str(path)) as con:  # as an older version of the app left it
        con.execute("ALTER TABLE uploads DROP COLUMN sample")
    with Workspace(path, bundled_sample=BUNDLED) as ws:
        assert ws.uploads().set_index("source")["sample"].to_dict() == {
            "mine.csv": False,
            "accounts_2024Q1.csv": False,  # not the bundled file's bytes
            "accounts_2023Q4.csv": True,
        }
        assert ws.data_origin().kind == "mixed"


def test_a_backup_made_before_the_mark_restores_with_the_sample_recognised(seeded, tmp_path):
    older = tmp_path / "older.duckdb"
    older.write_bytes(seeded.backup(actor=LOCAL))
    with duckdb.connect(str(older)) as con:
        con.execute("ALTER TABLE uploads DROP COLUMN sample")
        con.execute("UPDATE backup_manifest SET format = 3")
    with Workspace(tmp_path / "target.duckdb", bundled_sample=BUNDLED) as target:
        target.commit(upload("2020Q1", {"x": 1.0}), "other.csv", actor=LOCAL)
        target.restore_backup(older, actor=LOCAL)
        assert target.data_origin().kind == "sample"
    refused = tmp_path / "refused.duckdb"
    shutil.copyfile(older, refused)
    with duckdb.connect(str(refused)) as con:
        con.execute("UPDATE backup_manifest SET format = 4")
    with (
        Workspace(tmp_path / "third.duckdb") as target,
        pytest.raises(ValueError, match=r"uploads\.sample \(missing\)"),
    ):
        target.restore_backup(refused, actor=LOCAL)


def test_the_app_seeds_a_new_workspace_as_sample_data(tmp_path):
    with sample.open_workspace(tmp_path / "new.duckdb") as ws:
        origin = ws.data_origin()
        assert origin.kind == "sample" and len(origin.sample_quarters) == 12
        assert ws.bundled_sample == sample.bundled_files()


def test_missing_runs_are_the_quarters_absent_between_the_first_and_the_last():
    assert missing_runs(["2023Q1", "1998Q2", "2023Q3"]) == [("1998Q3", "2022Q4"), ("2023Q2", "2023Q2")]
    assert missing_runs(["2025Q1", "2025Q2"]) == [] and missing_runs([]) == []
    assert span_label(["1998Q2", "1997Q1"]) == "1997Q1–1998Q2" and span_label(["2025Q3"]) == "2025Q3"


@pytest.mark.parametrize(
    ("new", "live", "apart", "far"),
    [
        (["1997Q1", "1998Q2"], ["2023Q4", "2026Q3"], 101, True),  # 1998Q3 … 2023Q3
        (["2026Q4"], ["2023Q4", "2026Q3"], 0, False),  # the next quarter
        (["2027Q1"], ["2023Q4", "2026Q3"], 1, False),  # next year, one quarter skipped
        (["2027Q4"], ["2023Q4", "2026Q3"], 4, False),  # four quarters apart, the years touch
        (["2028Q1"], ["2023Q4", "2026Q3"], 5, True),  # more than four
        (["2025Q1"], ["2023Q4"], 4, True),  # four apart, but all of 2024 between: the years do not touch
        (["2024Q2", "2030Q1"], ["2025Q1", "2026Q3"], 0, False),  # around the live span
        (["2020Q1"], ["2020Q2", "2022Q1"], 0, False),  # just before
    ],
)
def test_the_gap_between_a_files_quarters_and_the_live_ones(new, live, apart, far):
    gap = gap_between(new, live)
    assert (gap.apart, gap.far) == (apart, far)


def test_the_gap_is_described_with_both_spans_and_none_without_live_data():
    gap = gap_between(["1998Q2", "1997Q1"], ["2023Q4", "2026Q3"])
    assert gap.describe("sample data") == (
        "Your file covers 1997Q1–1998Q2; the workspace holds 2023Q4–2026Q3 (sample data): 101 quarters apart."
    )
    assert gap_between(["2025Q1"], []) is None


def test_the_label_and_its_explanation_say_which_quarters_are_the_samples(seeded):
    origin = seeded.data_origin()
    assert origin.label == "Sample data" and origin.explanation.startswith("2023Q4–2024Q1 is the bundled sample")
    seeded.commit(upload("1997Q1", {"u1": 5.0}), "mine.csv", actor=LOCAL)
    origin = seeded.data_origin()
    assert origin.label == "Mixed with sample data"
    assert "2023Q4–2024Q1 is the bundled sample of a fictional platform; 1997Q1 is yours" in origin.explanation
    seeded.remove_sample(actor=LOCAL)
    assert (seeded.data_origin().label, seeded.data_origin().explanation) == (None, None)


def test_a_workspace_opened_without_the_bundled_files_leaves_older_uploads_unmarked_for_the_app(tmp_path):
    path = tmp_path / "old.duckdb"
    with Workspace(path) as ws:
        ws.commit(upload("2023Q4", {"s1": 10.0}), "accounts_2023Q4.csv", sha256="aa", actor=LOCAL)
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE uploads DROP COLUMN sample")
    Workspace(path).close()  # e.g. the command line's backup: it knows no bundled files
    with Workspace(path, bundled_sample=BUNDLED) as ws:
        assert ws.data_origin().kind == "sample"
