"""The accounts to act on: lists, renewal calendar and account history, checked by hand on small
panels and against an independent DuckDB SQL query on a generated panel."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from b2b_core import accounts, exports, sample
from b2b_core.accounts import AT_RISK, CHURNED, CONTRACTING, NEW, RETURNING
from b2b_core.playbook import load_playbook


def panel(rows, **columns) -> pd.DataFrame:
    """A panel from (account_id, quarter, platform_revenue, b_side_revenue) rows; active where any
    revenue > 0 unless ``active`` is given; ``columns``: more columns, one value per row."""
    frame = pd.DataFrame(rows, columns=["account_id", "quarter", "platform_revenue", "b_side_revenue"])
    frame["active"] = (frame["platform_revenue"] > 0) | (frame["b_side_revenue"] > 0)
    for name, values in columns.items():
        frame[name] = values
    return frame


def ids(lists: accounts.AccountLists, kind: str) -> list[str]:
    return list(lists.shown[kind]["account_id"])


# A: 100, 90, 80, 70 (contracting, falling); B: active, active, gone, back (churned in Q3, returning in Q4);
# C: new in Q4; D: active in Q3 only (new in Q3, churned in Q4)
STORY = panel(
    [
        ("A", "2025Q1", 100.0, 1000.0),
        ("A", "2025Q2", 90.0, 1000.0),
        ("A", "2025Q3", 80.0, 1000.0),
        ("A", "2025Q4", 70.0, 1000.0),
        ("B", "2025Q1", 10.0, 100.0),
        ("B", "2025Q2", 20.0, 100.0),
        ("B", "2025Q4", 30.0, 100.0),
        ("C", "2025Q4", 5.0, 50.0),
        ("D", "2025Q3", 40.0, 400.0),
    ],
    owner=["Ann", "Ann", "Ann", "Bo", "Cy", "Cy", "Cy", "Di", "Ed"],
)


def test_each_list_of_the_last_quarter_by_hand():
    lists = accounts.account_lists(STORY, "2025Q4")
    assert lists.previous == "2025Q3" and not lists.first_quarter
    assert ids(lists, NEW) == ["C"]
    assert ids(lists, CHURNED) == ["D"]
    assert ids(lists, RETURNING) == ["B"]
    assert ids(lists, CONTRACTING) == ["A"]
    assert ids(lists, AT_RISK) == ["A"]  # 90 > 80 > 70
    churned = lists.shown[CHURNED].iloc[0]
    assert (churned["revenue_before"], churned["revenue_after"], churned["change"], churned["at_stake"]) == (
        40.0,
        0.0,
        -40.0,
        40.0,
    )
    assert churned["owner"] == "Ed" and churned["reason"] == "active in 2025Q3, not in 2025Q4"
    assert lists.shown[RETURNING].iloc[0]["reason"] == "active again in 2025Q4, last active in 2025Q2"
    assert lists.shown[RETURNING].iloc[0]["owner"] == "Cy"
    contracting = lists.shown[CONTRACTING].iloc[0]
    assert contracting["at_stake"] == 10.0 and contracting["owner"] == "Bo"  # the latest row's owner
    assert contracting["reason"] == "platform revenue fell 12.5% from 2025Q3 to 2025Q4"
    assert lists.shown[AT_RISK].iloc[0]["reason"] == (
        "platform revenue fell two quarters in a row (2025Q2 > 2025Q3 > 2025Q4)"
    )
    assert lists.counts.loc[NEW, "accounts"] == 1 and lists.counts.loc[NEW, "at_stake"] == 5.0
    assert lists.counts.loc[CHURNED, "at_stake"] == 40.0


def test_an_account_churning_then_returning_and_a_quarter_missing_from_the_data():
    q3 = accounts.account_lists(STORY, "2025Q3")
    assert ids(q3, CHURNED) == ["B"] and ids(q3, NEW) == ["D"] and ids(q3, RETURNING) == []
    # 2026Q1 has no upload: everyone active in 2025Q4 churned
    later = accounts.account_lists(STORY, "2026Q1")
    assert set(ids(later, CHURNED)) == {"A", "B", "C"}
    assert later.counts["accounts"].drop(CHURNED).sum() == 0


def test_one_quarter_only_lists_every_active_account_as_new():
    one = STORY[STORY["quarter"] == "2025Q4"]
    lists = accounts.account_lists(one, "2025Q4")
    assert lists.first_quarter
    assert sorted(ids(lists, NEW)) == ["A", "B", "C"]
    assert lists.counts["accounts"].drop(NEW).sum() == 0


def test_ordered_by_revenue_at_stake_and_limited_to_the_shown_rows():
    rows = [(f"N{i}", "2025Q2", float(i), 0.0) for i in range(1, 6)]
    lists = accounts.account_lists(panel(rows), "2025Q2", shown=3)
    assert ids(lists, NEW) == ["N5", "N4", "N3"]
    assert lists.counts.loc[NEW, "accounts"] == 5 and lists.counts.loc[NEW, "at_stake"] == 15.0


def test_no_b_side_revenue_and_no_contract_columns():
    plain = STORY.drop(columns=["b_side_revenue", "active", "owner"])
    lists = accounts.account_lists(plain, "2025Q4")
    assert ids(lists, CHURNED) == ["D"] and ids(lists, AT_RISK) == ["A"]
    assert "owner" not in lists.shown[NEW].columns and "contract_end" not in lists.shown[NEW].columns
    calendar = accounts.renewal_calendar(plain, "2025Q4")
    assert not calendar.has_contract_end and calendar.total == 0


def test_shrinking_data_lists_contracting_and_falling_accounts():
    rows = [
        (a, q, r, r * 10)
        for a, base in (("S1", 300.0), ("S2", 200.0))
        for q, r in (("2025Q1", base), ("2025Q2", base * 0.8), ("2025Q3", base * 0.5))
    ]
    lists = accounts.account_lists(panel(rows), "2025Q3")
    assert ids(lists, CONTRACTING) == ["S1", "S2"] and ids(lists, AT_RISK) == ["S1", "S2"]
    assert lists.counts.loc[CONTRACTING, "at_stake"] == pytest.approx(90.0 + 60.0)


def test_a_quadrant_downgrade_follows_the_priority_order():
    # 2025Q3 medians: B-side 30, platform 3 → X4 and X5 in Q1
    # 2025Q4 medians: B-side 20, platform 2 → X4 in Q2 (a downgrade), X5 in Q4 (Q1 = Q4: none), X3 Q3 → Q1
    b3, p3 = [10, 20, 30, 40, 50], [1, 2, 3, 4, 5]
    b4, p4 = [10, 20, 30, 5, 50], [1, 2, 3, 4, 0.5]
    rows = [(f"X{i + 1}", "2025Q3", float(p3[i]), float(b3[i])) for i in range(5)]
    rows += [(f"X{i + 1}", "2025Q4", float(p4[i]), float(b4[i])) for i in range(5)]
    lists = accounts.account_lists(panel(rows), "2025Q4")
    risky = lists.shown[AT_RISK]
    assert list(risky["account_id"]) == ["X4"]
    assert risky.iloc[0]["reason"] == "quadrant I → II from 2025Q3 to 2025Q4"  # numerals: no quarter to misread
    assert risky.iloc[0][["quadrant_before", "quadrant_after"]].tolist() == ["I", "II"]
    labels = load_playbook().labels()
    named = accounts.account_lists(panel(rows), "2025Q4", names=labels).shown[AT_RISK]
    assert named.iloc[0]["reason"] == "quadrant I · Core partners → II · At risk from 2025Q3 to 2025Q4"
    _, parts = accounts.account_list_in_parts(panel(rows), "2025Q4", AT_RISK, limit=10, names=labels)
    pd.testing.assert_frame_equal(pd.concat(list(parts)).reset_index(drop=True), named)
    assert ids(lists, CONTRACTING) == ["X5"]


def test_contracts_ending_soon_and_the_renewal_calendar():
    rows = [(a, "2025Q4", 10.0 * (i + 1), 100.0) for i, a in enumerate("EFGHK")]
    ends = pd.to_datetime(["2026-02-15", "2025-09-30", "2026-05-01", "2025-12-31", "2026-07-01"])
    frame = panel(rows, contract_end=ends, contract_value=[100.0, 200.0, 300.0, 400.0, 500.0], owner=list("eeggk"))
    lists = accounts.account_lists(frame, "2025Q4")
    # E ends in q+1, H in q itself; F's end is past; G (q+2) and K (q+3) are later
    assert ids(lists, AT_RISK) == ["H", "E"]
    assert lists.shown[AT_RISK].iloc[0]["reason"] == "contract ends 2025-12-31"
    calendar = accounts.renewal_calendar(frame, "2025Q4")
    assert calendar.has_contract_end and calendar.quarters == ("2026Q1", "2026Q2")
    assert list(calendar.contracts["account_id"]) == ["G", "E"]  # largest value first
    months = calendar.months
    assert list(months["end_month"]) == ["2026-02", "2026-05", ""]
    assert list(months["end_quarter"]) == ["2026Q1", "2026Q2", "Total"]
    assert list(months["contracts"]) == [1, 1, 2]
    assert list(months["contract_value"]) == [100.0, 300.0, 400.0]
    assert list(months["platform_revenue"]) == [10.0, 30.0, 40.0]
    only_g = accounts.renewal_calendar(frame, "2025Q4", pd.Index(["G"]))
    assert only_g.total == 1 and list(only_g.contracts["owner"]) == ["g"]


def test_a_panel_with_a_contract_end_column_but_no_value_says_so():
    frame = panel([("A", "2025Q4", 1.0, 1.0)], contract_end=[pd.NaT])
    assert not accounts.renewal_calendar(frame, "2025Q4").has_contract_end


def test_a_selection_of_accounts_keeps_only_their_rows():
    lists = accounts.account_lists(STORY, "2025Q4", pd.Index(["A", "D"]))
    assert lists.counts["accounts"].to_dict() == {NEW: 0, CHURNED: 1, RETURNING: 0, CONTRACTING: 1, AT_RISK: 1}


def test_a_selection_of_accounts_active_in_neither_quarter_has_empty_lists():
    lists = accounts.account_lists(STORY, "2025Q4", pd.Index(["nobody"]))
    assert lists.counts["accounts"].sum() == 0 and lists.counts["at_stake"].sum() == 0
    assert all(frame.empty for frame in lists.shown.values())
    total, parts = accounts.account_list_in_parts(STORY, "2025Q4", CHURNED, pd.Index(["nobody"]), limit=10)
    assert total == 0 and sum(len(p) for p in parts) == 0


def test_a_list_downloads_in_parts_up_to_a_limit():
    rows = [(f"N{i}", "2025Q2", float(i), 0.0) for i in range(1, 8)]
    total, parts = accounts.account_list_in_parts(panel(rows), "2025Q2", NEW, limit=5, part_rows=2)
    parts = list(parts)
    assert total == 7 and [len(p) for p in parts] == [2, 2, 1]
    assert list(pd.concat(parts)["account_id"]) == ["N7", "N6", "N5", "N4", "N3"]
    with pytest.raises(ValueError, match="a list is one of"):
        accounts.account_list_in_parts(panel(rows), "2025Q2", "lost", limit=5)


def test_the_history_of_an_account():
    history = accounts.account_history(STORY, "B")
    assert list(history["quarter"]) == ["2025Q1", "2025Q2", "2025Q4"]
    assert list(history["platform_revenue"]) == [10.0, 20.0, 30.0]
    assert list(history["owner"]) == ["Cy", "Cy", "Cy"]
    # 2025Q4: A (70, 1000), B (30, 100), C (5, 50): medians platform 30, B-side 100 → B low on both
    assert list(history["quadrant"]) == ["Q3", "Q3", "Q3"]
    assert accounts.account_history(STORY, "nobody").empty
    assert set(accounts.account_history(STORY.drop(columns="b_side_revenue"), "B")["quadrant"]) == {"no B-side revenue"}


def test_xlsx_from_parts_is_spreadsheet_safe():
    import io

    from openpyxl import load_workbook

    parts = [pd.DataFrame({"a": ["=1+1", "x"]}), pd.DataFrame({"a": ["@SUM(A1)"]})]
    book = load_workbook(io.BytesIO(exports.xlsx_from_parts(parts, "list")))
    assert [c.value for c in book["list"]["A"]] == ["a", "'=1+1", "x", "'@SUM(A1)"]


REFERENCE_SQL = """
WITH rows AS (
    SELECT account_id, CAST(substr(quarter, 1, 4) AS INT) * 4 + CAST(substr(quarter, 6, 1) AS INT) - 1 AS o,
           active, CASE WHEN active THEN platform_revenue ELSE 0 END AS revenue, contract_end
    FROM panel
),
per AS (
    SELECT account_id,
           min(o) FILTER (WHERE active) AS first_active,
           bool_or(active AND o = $q) AS now, bool_or(active AND o = $q - 1) AS prev,
           bool_or(active AND o < $q - 1) AS before_prev,
           coalesce(sum(revenue) FILTER (WHERE o = $q), 0) AS r0,
           coalesce(sum(revenue) FILTER (WHERE o = $q - 1), 0) AS r1,
           coalesce(sum(revenue) FILTER (WHERE o = $q - 2), 0) AS r2,
           max(contract_end) FILTER (WHERE o = $q) AS ends
    FROM rows WHERE o <= $q GROUP BY account_id
),
placed AS (
    SELECT account_id, quarter, b_side_revenue AS x, platform_revenue AS y FROM panel
    WHERE active AND b_side_revenue IS NOT NULL AND quarter IN ($before, $after)
),
cuts AS (SELECT quarter, median(x) AS mx, median(y) AS my FROM placed GROUP BY quarter),
quadrant AS (
    SELECT account_id, quarter,
           CASE WHEN y > my AND x > mx THEN 0 WHEN x > mx THEN 0 WHEN y > my THEN 1 ELSE 2 END AS rank
    FROM placed JOIN cuts USING (quarter)
),
down AS (
    SELECT a.account_id FROM quadrant a JOIN quadrant b USING (account_id)
    WHERE a.quarter = $before AND b.quarter = $after AND b.rank > a.rank
)
SELECT account_id,
       now AND first_active = $q AS new,
       prev AND NOT now AS churned,
       now AND NOT prev AND before_prev AS returning,
       prev AND now AND r0 < r1 AS contracting,
       now AND (r2 > r1 AND r1 > r0
                OR account_id IN (SELECT account_id FROM down)
                OR (ends >= $soon_from AND ends < $soon_to)) AS at_risk
FROM per
"""


def test_the_lists_equal_an_independent_sql_query_on_a_generated_panel():
    generated = sample.generate_panel(3000, 8, seed=11)
    quarter = "2026Q2"
    lists = accounts.account_lists(generated, quarter, shown=100_000)
    con = duckdb.connect()
    con.register("panel", generated)
    q = 2026 * 4 + 1
    found = con.execute(
        REFERENCE_SQL,
        {
            "q": q,
            "before": "2026Q1",
            "after": quarter,
            "soon_from": dt.date(2026, 4, 1),
            "soon_to": dt.date(2026, 10, 1),
        },
    ).df()
    for kind in accounts.KINDS:
        expected = set(found.loc[found[kind.replace(" ", "_")].fillna(False).astype(bool), "account_id"])
        assert set(ids(lists, kind)) == expected, kind
        assert lists.counts.loc[kind, "accounts"] == len(expected) > 0, kind


def test_attribute_spans_name_each_run_of_quarters():
    history = pd.DataFrame({"quarter": ["2025Q1", "2025Q2", "2025Q3", "2025Q4"], "owner": ["Ann", "Ann", None, "Ann"]})
    assert accounts.attribute_spans(history, "owner") == [
        ("Ann", "2025Q1", "2025Q2"),
        ("(not set)", "2025Q3", "2025Q3"),
        ("Ann", "2025Q4", "2025Q4"),
    ]
    assert accounts.attribute_spans(history, "tier") == []
