"""The Overview's filters as sums over groups of accounts: ``group_sums`` added up for a choice
gives the KPIs and bridges the engine computes over the chosen accounts' rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b2b_core import engine, overview, quadrants, sample


def panel(rows):
    columns = ["account_id", "quarter", "platform_revenue", "b_side_revenue", "active", "segment", "region"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"platform_revenue": float, "b_side_revenue": float, "active": bool})


# a: SMB, then Enterprise in its latest quarter (counts as Enterprise all along); b: no segment;
# c: no region, churns after 2025Q2 and comes back in 2025Q4; d: Enterprise, no B-side revenue.
PANEL = panel(
    [
        ("a", "2025Q1", 10, 100, True, "SMB", "North"),
        ("b", "2025Q1", 20, 400, True, None, "North"),
        ("a", "2025Q2", 12, 100, True, "SMB", "North"),
        ("c", "2025Q2", 5, 50, True, "SMB", None),
        ("b", "2025Q3", 0, 0, False, None, "North"),
        ("d", "2025Q3", 4, None, True, "Enterprise", "South"),
        ("a", "2025Q4", 15, 150, True, "Enterprise", "North"),
        ("c", "2025Q4", 7, 70, True, "SMB", None),
    ]
)


def chosen_by_engine(table, selection):
    matching = quadrants.latest_matching(table, selection)
    return table if matching is None else table.semi_join(matching, "account_id")


def assert_sums_match_the_engine(frame: pd.DataFrame, selection: dict[str, list[str]]) -> pd.DataFrame:
    """The KPIs and both bridges of ``selection`` from ``group_sums`` equal those of the engine
    over the chosen accounts (decimals exactly, floats to 1e-9 relative); returns the KPIs."""
    observed = sorted(frame["quarter"].unique())
    sums = overview.group_sums(frame)
    chosen = chosen_by_engine(engine.table(frame), selection)
    kpis = overview.chosen_kpis(sums, selection)
    pd.testing.assert_frame_equal(kpis, overview.quarter_kpis(chosen), rtol=1e-9, atol=0)
    for revenue in ("platform_revenue", "b_side_revenue"):
        bridge = overview.chosen_bridge(sums, selection, revenue, observed)
        expected = overview.revenue_bridge(chosen, revenue, observed=observed)
        pd.testing.assert_frame_equal(bridge, expected, check_exact=True)
        assert all(isinstance(v, type(overview.ZERO)) for v in bridge.to_numpy().ravel())
    return kpis


def test_an_account_counts_in_its_latest_segment_with_its_whole_history():
    kpis = assert_sums_match_the_engine(PANEL, {"segment": ["Enterprise"]})  # a and d
    assert list(kpis.index) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert list(kpis["active_accounts"]) == [1, 1, 1, 1]
    assert list(kpis["platform_revenue"]) == [10, 12, 4, 15]
    assert list(kpis["churned_accounts"].iloc[1:]) == [0, 1, 1]  # a is gone in 2025Q3, d in 2025Q4
    assert np.isnan(kpis.loc["2025Q3", "b_side_revenue"]) and np.isnan(kpis.loc["2025Q3", "take_rate"])


def test_an_empty_attribute_is_its_own_group_that_no_value_chooses():
    sums = overview.group_sums(PANEL)
    assert sums["segment"].isna().any() and sums["region"].isna().any()
    kpis = assert_sums_match_the_engine(PANEL, {"region": ["North"]})  # a and b, not c
    assert list(kpis["active_accounts"]) == [2, 1, 0, 1]
    assert kpis.loc["2025Q3", "platform_revenue"] == 0 and kpis.loc["2025Q3", "churned_accounts"] == 1


@pytest.mark.parametrize(
    "selection",
    [
        {},
        {"segment": ["SMB"]},
        {"segment": ["SMB", "Enterprise"], "region": ["North", "South"]},
        {"segment": ["SMB"], "region": ["North"]},  # nothing: c has no region
        {"segment": ["no such segment"]},
        {"tier": ["a column the panel lacks"]},
    ],
)
def test_sums_of_the_hand_panel(selection):
    assert_sums_match_the_engine(PANEL, selection)


def test_a_filter_matching_nothing_has_no_kpis_and_a_bridge_of_zeros():
    sums = overview.group_sums(PANEL)
    assert overview.chosen_kpis(sums, {"segment": ["no such segment"]}).empty
    bridge = overview.chosen_bridge(sums, {"segment": ["no such segment"]}, "platform_revenue", ["2025Q1", "2025Q2"])
    assert list(bridge.index) == ["2025Q2"] and (bridge == overview.ZERO).all().all()


def sample_panel() -> pd.DataFrame:
    """The sample with some attributes left empty and accounts changing segment."""
    frame = sample.generate_panel(300, 6, seed=11)
    ids = pd.factorize(frame["account_id"])[0]
    frame.loc[ids % 7 == 0, "region"] = None
    frame.loc[(ids % 5 == 0) & frame["quarter"].isin(["2026Q2", "2026Q3"]), "segment"] = None
    moved = (ids % 3 == 0) & (frame["quarter"] == frame.groupby("account_id")["quarter"].transform("max"))
    frame.loc[moved, "segment"] = frame.loc[moved, "segment"].map({"SMB": "Enterprise"}).fillna("SMB")
    return frame


def selections(frame: pd.DataFrame) -> list[dict[str, list[str]]]:
    values = {c: sorted(frame[c].dropna().unique()) for c in ("segment", "region", "tier", "owner")}
    return [
        {"segment": values["segment"][:1]},
        {"segment": values["segment"][1:], "region": values["region"][:2]},
        {"tier": values["tier"][-1:], "owner": values["owner"][:3]},
        {"owner": values["owner"][:1], "region": values["region"][-1:], "segment": values["segment"]},
    ]


def test_sums_of_the_sample_with_empty_and_changed_attributes():
    frame = sample_panel()
    for selection in selections(frame):
        assert_sums_match_the_engine(frame, selection)


def test_sums_of_one_quarter():
    frame = sample_panel()
    frame = frame[frame["quarter"] == frame["quarter"].max()].reset_index(drop=True)
    for selection in selections(frame):
        kpis = assert_sums_match_the_engine(frame, selection)
        assert len(kpis) <= 1 and kpis["churned_accounts"].isna().all()


def test_sums_without_b_side_revenue():
    frame = sample_panel().assign(b_side_revenue=np.nan)
    for selection in selections(frame):
        kpis = assert_sums_match_the_engine(frame, selection)
        assert kpis["b_side_revenue"].isna().all() and kpis["take_rate"].isna().all()


def test_too_many_groups_leave_the_choice_to_the_engine(monkeypatch):
    monkeypatch.setattr(overview, "GROUP_LIMIT", 2)
    assert overview.group_sums(PANEL) is None  # a (Enterprise, North), b (none, North), c (SMB, none), d
    monkeypatch.setattr(overview, "GROUP_LIMIT", 5)
    assert overview.group_sums(PANEL) is not None


def test_a_panel_without_attributes_is_one_group():
    frame = PANEL.drop(columns=["segment", "region"])
    sums = overview.group_sums(frame)  # one row per quarter, and 2026Q1 where a and c churn
    assert list(sums["rows"]) == [2, 2, 2, 2, 0] and list(sums["churned_accounts"]) == [0, 1, 2, 1, 2]
    assert_sums_match_the_engine(frame, {})
