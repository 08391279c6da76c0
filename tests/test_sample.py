"""The sample workspace generator: contract shape, realism properties, committed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from b2b_core import sample
from b2b_core.access import LOCAL
from b2b_core.contract import NAMES, empty_panel
from b2b_core.quarters import span, to_ordinal
from b2b_core.sample import EXPORT_HEADERS, generate_panel, main, write_dirty_samples, write_sample_workspace
from b2b_core.store import Workspace

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return generate_panel()


def _with_ordinal(panel: pd.DataFrame) -> pd.DataFrame:
    return panel.assign(ordinal=panel["quarter"].map(to_ordinal))


def _next_quarter_pairs(panel: pd.DataFrame) -> pd.DataFrame:
    """Rows of quarters before the last, with ``renewed``: the account has a row next quarter."""
    frame = _with_ordinal(panel)
    following = set(zip(frame["account_id"], frame["ordinal"] - 1))
    frame = frame[frame["ordinal"] < frame["ordinal"].max()]
    return frame.assign(renewed=[key in following for key in zip(frame["account_id"], frame["ordinal"])])


def test_same_seed_gives_identical_panel_and_another_seed_differs(panel):
    pd.testing.assert_frame_equal(panel, generate_panel())
    assert not generate_panel(seed=8).equals(panel)


def test_panel_has_contract_columns_dtypes_and_order(panel):
    expected = {**empty_panel().dtypes.to_dict(), "orders": np.dtype("float64")}
    assert list(panel.columns) == [*NAMES, "orders"]
    assert panel.dtypes.to_dict() == expected
    assert panel["account_id"].str.fullmatch(r"M\d{6}").all()
    assert panel["quarter"].str.fullmatch(r"\d{4}Q[1-4]").all()
    assert sorted(panel["quarter"].unique()) == span("2023Q4", "2026Q3")
    assert not panel.duplicated(["account_id", "quarter"]).any()
    assert panel.equals(panel.sort_values(["quarter", "account_id"]).reset_index(drop=True))
    assert panel["active"].all()
    assert set(panel["tier"]) == {"KA", "mid", "long-tail"}
    assert panel[["account_name", "segment", "region", "owner"]].notna().all().all()


def test_revenues_are_non_negative_and_some_free_tier_rows_pay_nothing(panel):
    assert (panel["b_side_revenue"] > 0).all()
    assert (panel["platform_revenue"] >= 0).all()
    free_share = (panel["platform_revenue"] == 0).mean()
    assert 0.005 < free_share < 0.05


def test_take_rates_stay_within_3_to_25_percent_and_differ_by_segment(panel):
    paying = panel[(panel["platform_revenue"] > 0) & (panel["b_side_revenue"] > 0)]
    take_rate = paying["platform_revenue"] / paying["b_side_revenue"]
    assert take_rate.between(0.03, 0.25).all()
    by_segment = take_rate.groupby(paying["segment"]).median()
    assert by_segment.max() > 2 * by_segment.min()


def test_tiers_have_realistic_shares_and_b_side_revenue_ordered_ka_mid_long_tail():
    one_quarter = generate_panel(n_accounts=20_000, n_quarters=1)
    shares = one_quarter["tier"].value_counts(normalize=True)
    assert shares["KA"] == pytest.approx(0.05, abs=0.01)
    assert shares["mid"] == pytest.approx(0.25, abs=0.02)
    assert shares["long-tail"] == pytest.approx(0.70, abs=0.02)
    medians = one_quarter.groupby("tier")["b_side_revenue"].median()
    assert medians["KA"] > 5 * medians["mid"] > 25 * medians["long-tail"]


def test_signup_cohorts_grow_after_the_initial_base(panel):
    cohort_sizes = panel.groupby("account_id")["quarter"].min().value_counts().sort_index()
    assert len(cohort_sizes) == 12
    assert cohort_sizes.iloc[0] == cohort_sizes.max()  # the initial base
    later = cohort_sizes.iloc[1:].to_numpy()
    mean_growth = (later[-1] / later[0]) ** (1 / (len(later) - 1)) - 1
    assert 0.05 < mean_growth < 0.20
    assert np.polyfit(np.arange(len(later)), later, 1)[0] > 0


def test_key_accounts_renew_more_than_long_tail(panel):
    renewal = _next_quarter_pairs(panel).groupby("tier")["renewed"].mean()
    assert renewal["KA"] > renewal["mid"] > renewal["long-tail"]
    assert 0.7 < renewal["long-tail"] < 0.95


def test_some_churned_accounts_return_after_a_gap(panel):
    ordinals = _with_ordinal(panel).groupby("account_id")["ordinal"]
    returned = ordinals.agg(lambda o: bool((np.diff(o.to_numpy()) > 1).any()))
    churned = ordinals.max() < ordinals.max().max()
    assert returned.sum() >= 5
    assert returned.sum() < 0.1 * churned.sum()


def test_some_accounts_change_quadrant_between_consecutive_quarters(panel):
    frame = _with_ordinal(panel)
    medians = frame.groupby("quarter")[["b_side_revenue", "platform_revenue"]].transform("median")
    frame["quadrant"] = list(
        zip(
            frame["b_side_revenue"] > medians["b_side_revenue"], frame["platform_revenue"] > medians["platform_revenue"]
        )
    )
    moves = frame.merge(frame.assign(ordinal=frame["ordinal"] - 1), on=["account_id", "ordinal"])
    moved_share = (moves["quadrant_x"] != moves["quadrant_y"]).mean()
    assert 0.02 < moved_share < 0.5


def test_contracts_end_at_a_quarter_end_within_four_quarters_and_track_revenue(panel):
    end = panel["contract_end"]
    assert (end + pd.Timedelta(days=1)).dt.is_quarter_start.all()
    ahead = end.dt.year * 4 + end.dt.quarter - 1 - panel["quarter"].map(to_ordinal)
    assert ahead.between(0, 3).all()
    paying = panel[panel["platform_revenue"] > 0]
    ratio = paying["contract_value"] / (4 * paying["platform_revenue"])
    assert 0.7 < ratio.median() < 1.4


def test_one_quarter_holds_every_account_exactly_once():
    one_quarter = generate_panel(n_accounts=5_000, n_quarters=1, last_quarter="2025Q2")
    assert len(one_quarter) == 5_000
    assert one_quarter["account_id"].is_unique
    assert set(one_quarter["quarter"]) == {"2025Q2"}


def test_committed_sample_files_equal_what_the_generator_writes_now(tmp_path):
    written = write_sample_workspace(tmp_path)
    assert [p.name for p in written] == sorted(p.name for p in (DATA / "sample").glob("*.csv"))
    assert len(written) == 12
    for path in written:
        assert path.read_bytes() == (DATA / "sample" / path.name).read_bytes(), path.name
    last = pd.read_csv(written[-1], dtype=str)
    assert list(last.columns) == list(EXPORT_HEADERS.values())
    assert written[-1].name == "accounts_2026Q3.csv"


def test_dirty_samples_carry_the_documented_problems(tmp_path):
    paths = {p.name: p for p in write_dirty_samples(tmp_path)}
    for name in ("dirty_numbers_2026Q3.csv", "chinese_headers_gbk_2026Q3.csv", "conflicting_duplicates_2026Q3.csv"):
        assert paths[name].read_bytes() == (DATA / "samples" / name).read_bytes(), name
    dirty = pd.read_csv(paths["dirty_numbers_2026Q3.csv"], sep=";", dtype=str, keep_default_na=False)
    cells = set(dirty.to_numpy().ravel())
    assert {"(350)", "12%", "#N/A", "n/a", "", '=HYPERLINK("http://x","y")'} <= cells
    assert dirty["GMV"].str.startswith("¥").any() and dirty["GMV"].str.fullmatch(r"\$ \d{1,3}( \d{3})+").any()
    chinese = pd.read_csv(paths["chinese_headers_gbk_2026Q3.csv"], encoding="gbk", dtype=str)
    assert list(chinese.columns) == [
        "商户ID",
        "商户名称",
        "季度",
        "行业",
        "区域",
        "层级",
        "负责人",
        "商户收入",
        "平台收入",
    ]
    assert set(chinese["季度"]) == {"2026年第3季度"}
    sheet = load_workbook(paths["title_rows_2026Q3.xlsx"]).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Merchant report" and rows[1][0] == "Exported 2026-10-02"
    assert all(v is None for v in rows[2])
    assert rows[3] == ("Store ID", "Store", "Period", "GMV", "Fees")
    assert rows[4][2].date().isoformat() == "2026-09-30" and len(rows) == 44
    duplicates = pd.read_csv(paths["conflicting_duplicates_2026Q3.csv"], dtype=str)
    repeated = duplicates[duplicates.duplicated("Merchant ID", keep=False)]
    assert repeated["Merchant ID"].nunique() == 2
    assert duplicates.duplicated().sum() == 1  # one exact duplicate, one conflicting


def test_cli_writes_clean_and_dirty_folders(tmp_path, capsys):
    main([str(tmp_path)])
    assert len(list((tmp_path / "sample").glob("accounts_*.csv"))) == 12
    assert len(list((tmp_path / "samples").iterdir())) == 4
    assert "accounts_2026Q3.csv" in capsys.readouterr().out


@pytest.fixture
def three_files(tmp_path) -> Path:
    """The last three sample files, copied to a directory of their own."""
    directory = tmp_path / "sample"
    directory.mkdir()
    for quarter in ("2026Q1", "2026Q2", "2026Q3"):
        name = f"accounts_{quarter}.csv"
        (directory / name).write_bytes((DATA / "sample" / name).read_bytes())
    return directory


def test_seeding_commits_one_upload_per_file_in_quarter_order_in_one_write(tmp_path, three_files):
    with Workspace(tmp_path / "w.duckdb") as ws:
        assert sample.seed_workspace(ws, three_files) == [1, 2, 3]
        assert ws.version == 1  # one transaction
        history = ws.uploads()
        assert history.source.tolist() == ["accounts_2026Q3.csv", "accounts_2026Q2.csv", "accounts_2026Q1.csv"]
        assert history.quarters.tolist() == ["2026Q3", "2026Q2", "2026Q1"]
        assert ws.quarters() == ["2026Q1", "2026Q2", "2026Q3"]


def test_seeding_that_fails_midway_leaves_the_workspace_empty(tmp_path, three_files, monkeypatch):
    middle = three_files / "accounts_2026Q2.csv"
    clean = middle.read_text()
    header, first, *rest = clean.splitlines()
    middle.write_text("\n".join([header, first.replace(",2026Q2,", ",not a quarter,"), *rest]) + "\n")
    with Workspace(tmp_path / "w.duckdb") as ws:
        with pytest.raises(RuntimeError, match="accounts_2026Q2.csv does not ingest cleanly"):
            sample.seed_workspace(ws, three_files)
        assert ws.is_empty() and ws.version == 0  # 2026Q1 was read first but not stored

        middle.write_text(clean)
        made_live = []

        def crash_on_the_second_upload(self, quarters, upload_id):
            made_live.append(upload_id)
            if upload_id == 2:
                raise KeyboardInterrupt  # the server is stopped while seeding

        monkeypatch.setattr(Workspace, "_make_live", crash_on_the_second_upload)
        with pytest.raises(KeyboardInterrupt):
            sample.seed_workspace(ws, three_files)
        assert made_live == [1, 2]
        assert ws.is_empty() and ws.version == 0
        monkeypatch.undo()
        assert sample.seed_workspace(ws, three_files) == [1, 2, 3]  # the next start seeds it


def test_open_workspace_seeds_a_new_workspace_once(tmp_path, monkeypatch):
    path = tmp_path / "default" / "w.duckdb"
    monkeypatch.setenv("B2B_WORKSPACE", str(path))
    with sample.open_workspace() as ws:  # store.default_path()
        assert ws.path == path
        assert ws.version == 1
        assert ws.uploads().source.tolist() == [f"accounts_{q}.csv" for q in reversed(span("2023Q4", "2026Q3"))]
        pd.testing.assert_frame_equal(ws.panel(), generate_panel())
        ws.delete(12, actor=LOCAL)  # no longer as seeded, but not empty: it must not be seeded again
    with sample.open_workspace(str(path)) as ws:
        assert ws.version == 2
        assert len(ws.uploads()) == 12
        assert ws.quarters() == span("2023Q4", "2026Q2")


def test_open_workspace_of_a_used_file_does_not_seed(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as ws:
        ws.commit(
            pd.DataFrame({"account_id": ["a"], "quarter": ["2025Q1"], "platform_revenue": [1.0]}), "mine", actor=LOCAL
        )
    with sample.open_workspace(tmp_path / "w.duckdb") as ws:
        assert ws.uploads().source.tolist() == ["mine"]
