"""The workshop deck: headline sentences on panels small enough to check by hand, the slides the
data can carry, the offline HTML export and the projector look."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import io
import json
import re
import zipfile

import numpy as np
import pandas as pd
import plotly.offline
import pytest

from b2b_core import (
    charts,
    cohorts,
    exports,
    lifecycle,
    overview,
    playbook,
    quadrants,
    quarters,
    report,
    sample,
    scenarios,
)
from b2b_core.amounts import Currency, money
from b2b_core.charts.style import (
    PROJECTOR_FONT,
    TEXT_SIZES,
    WCAG_AA,
    contrast_ratio,
    for_projector,
    readable,
    text_sizes,
    wrapped_title,
)
from b2b_core.lifecycle.stage import Check, StageResult
from b2b_core.report import deck as deck_module
from b2b_core.report import headlines
from b2b_core.store.sample_uploads import DataOrigin

BOOK = playbook.load_playbook()


def panel(rows):
    frame = pd.DataFrame(rows, columns=["account_id", "quarter", "platform_revenue", "b_side_revenue", "active"])
    return frame.astype({"platform_revenue": float, "b_side_revenue": float, "active": bool})


@pytest.fixture(scope="module")
def sample_panel(tmp_path_factory):
    """The live panel of a workspace seeded from the bundled sample (what the app shows first)."""
    ws = sample.open_workspace(tmp_path_factory.mktemp("sample") / "workspace.duckdb")
    try:
        return ws.panel()
    finally:
        ws.close()


# --- headlines -------------------------------------------------------------------------------

# a and b in 2026Q1; a and c in 2026Q2 (b churned, c new)
TWO_QUARTERS = panel(
    [
        ("a", "2026Q1", 100, 1000, True),
        ("b", "2026Q1", 50, 1000, True),
        ("a", "2026Q2", 120, 1000, True),
        ("c", "2026Q2", 60, 500, True),
    ]
)


def test_overview_headline_compares_the_latest_quarter_with_the_one_before():
    headline, notes = headlines.overview_words(overview.quarter_kpis(TWO_QUARTERS))
    # platform revenue 180 against 150: +20%; active accounts 2 against 2
    assert headline == "In 2026Q2 the platform earned 180, 20.0% more than in 2026Q1, from 2 active accounts (+0)."
    assert notes[0] == "1 account new in 2026Q2."
    assert notes[1] == "1 account active the quarter before not active in 2026Q2; 0 came back after a gap."
    assert notes[2] == "The platform kept 12.0% of the 1.5k its accounts earned through it (take rate)."


def test_the_deck_writes_amounts_in_the_workspace_currency():
    cny = Currency.of("¥", "CNY")
    headline, notes = headlines.overview_words(overview.quarter_kpis(TWO_QUARTERS), cny)
    assert headline.startswith("In 2026Q2 the platform earned ¥180, ")
    assert notes[2] == "The platform kept 12.0% of the ¥1.5k its accounts earned through it (take rate)."
    slide = deck_module.overview_slide(overview.quarter_kpis(TWO_QUARTERS), cny)
    assert {f.label: f.value for f in slide.facts}["Platform revenue"] == "¥180"
    assert slide.figure.layout.yaxis.title.text == "Platform revenue per quarter (CNY)"
    mapped = deck_module.build_deck(TWO_QUARTERS, BOOK, currency=cny).slides["quadrants"].figure
    titles = [axis.title.text.replace("<br>", " ") for axis in (mapped.layout.xaxis, mapped.layout.yaxis)]
    assert titles == [  # wrapped for the projector
        "B-side revenue: the account's own revenue through the platform, per quarter (CNY)",
        "Platform revenue from the account, per quarter (CNY)",
    ]


def test_bridge_headline_names_the_largest_gain_what_was_lost_and_the_quick_ratio():
    bridge = overview.revenue_bridge(TWO_QUARTERS)  # 150 → 180: c new 60, a +20, b churned 50
    headline, notes = headlines.bridge_words(bridge.loc["2026Q2"], "2026Q2", 1.6)
    assert headline == (
        "In 2026Q2: New accounts brought 60 of the 80 gained; contraction and churn took 50: quick ratio 1.60."
    )
    assert notes[0] == "Platform revenue went from 150 in 2026Q1 to 180 in 2026Q2."
    assert notes[1] == "New accounts brought 60, accounts coming back 0, and accounts that grew 20 more."
    assert notes[-1].startswith("Ask the room")
    growing = TWO_QUARTERS[TWO_QUARTERS["account_id"] == "a"]
    row = overview.revenue_bridge(growing).loc["2026Q2"]
    assert headlines.bridge_words(row, "2026Q2", float("nan"))[0] == (
        "In 2026Q2: Expansion brought 20, and no revenue was lost."
    )


def test_the_bridge_slide_draws_the_quarters_waterfall_or_says_why_it_cannot():
    slide = report.bridge_slide(overview.revenue_bridge(TWO_QUARTERS), "2026Q2", ["2026Q1", "2026Q2"])
    assert [(f.label, f.value) for f in slide.facts] == [
        ("Gained: new, reactivated, expansion", "80"),
        ("Lost: contraction, churned", "50"),
        ("Quick ratio", "1.60"),
    ]
    assert list(slide.figure.data[0].y) == [150, 60, 0, 20, 0, -50, 180]
    assert slide.data.loc["2026Q2", "quick_ratio"] == 1.6
    one = report.build_deck(TWO_QUARTERS[TWO_QUARTERS["quarter"] == "2026Q1"], BOOK)
    assert one.missing["bridge"] == (
        "2026Q1 is the first quarter in the data: the bridge needs the quarter before it, 2025Q4"
    )
    idle = panel([(f"A{i}", q, 0.0, 0.0, False) for i in range(2) for q in ("2025Q1", "2025Q2")])
    assert report.build_deck(idle, BOOK).missing["bridge"] == "no account had platform revenue in 2025Q1 or 2025Q2"


def test_overview_headline_of_a_single_quarter_or_after_a_gap_has_no_comparison():
    one = TWO_QUARTERS[TWO_QUARTERS["quarter"] == "2026Q1"]
    assert headlines.overview_words(overview.quarter_kpis(one))[0] == (
        "In 2026Q1 the platform earned 150 from 2 active accounts."
    )
    gap = TWO_QUARTERS.replace({"quarter": {"2026Q2": "2026Q4"}})  # 2026Q3 missing
    assert headlines.overview_words(overview.quarter_kpis(gap))[0] == (
        "In 2026Q4 the platform earned 180 from 2 active accounts."
    )


def test_overview_headline_says_less_when_revenue_fell():
    fell = TWO_QUARTERS.assign(platform_revenue=[100, 50, 75, 60])  # 135 against 150: −10%
    assert headlines.overview_words(overview.quarter_kpis(fell))[0].startswith(
        "In 2026Q2 the platform earned 135, 10.0% less than in 2026Q1"
    )


def test_stage_headline_names_the_stage_and_the_top_three_levers_with_their_evidence():
    result = StageResult(
        "2026Q2",
        "traction",
        (
            Check("active_accounts", 120, "<", 50, False, "cold_start"),
            Check("active_accounts", 120, "<", 300, True, "traction"),
        ),
        "accelerated_growth",
        ("180 more active accounts (then growth decides)",),
    )
    ranked = pd.DataFrame(
        {
            "name": ["Acquisition & activation", "Customer success & renewal", "Sales & key decision makers"],
            "base": [7.0, 6.0, 6.0],
            "low_renewal": [0.0, 1.5, 0.0],
            "score": [7.0, 7.5, 6.0],
            "rank": [2, 1, 3],
        },
        index=["acquisition", "success", "sales"],
    ).sort_values("rank")
    headline, notes = headlines.stage_words(result, ranked, BOOK)
    assert headline == (
        "In 2026Q2 the business is in traction: put Customer success & renewal, Acquisition & activation and "
        "Sales & key decision makers first."
    )
    assert notes[0] == "Evidence: Cold start: active accounts below 50? No (120)."
    assert notes[1] == "Evidence: Traction: active accounts below 300? Yes (120)."
    assert notes[2] == "To reach accelerated growth: 180 more active accounts (then growth decides)."
    assert notes[3].startswith("1. Customer success & renewal: score 7.5 = playbook weight 6.0 + low renewal +1.5. ")
    assert notes[4].startswith("2. Acquisition & activation: score 7.0 = playbook weight 7.0. ")


def test_too_short_a_history_is_said_in_the_headline_with_the_stage_assumed():
    result = StageResult(
        "2026Q2",
        lifecycle.NOT_ENOUGH_HISTORY,
        (Check("quarters_of_history", 2, "<", 4, True, lifecycle.NOT_ENOUGH_HISTORY),),
        "steady_growth",
        ("2 more quarters of history",),
        "steady_growth",
    )
    ranked = lifecycle.prioritize(pd.Series(dtype=float), "steady_growth", "platform", BOOK)
    headline = headlines.stage_words(result, ranked, BOOK)[0]
    assert headline.startswith(
        "In 2026Q2 the data hold too few quarters to tell the growth stage (not enough history (2 quarters)); "
        "assuming steady growth, put "
    )


def test_stage_distance_pieces_read_as_one_sentence():
    result = StageResult(
        "2026Q2",
        "accelerated_growth",
        (),
        "steady_growth",
        ("both revenue growth falling below 40% (now 68%)", "and account growth falling below 30% (now 58%)"),
    )
    ranked = lifecycle.prioritize(pd.Series(dtype=float), "accelerated_growth", "platform", BOOK)
    notes = headlines.stage_words(result, ranked, BOOK)[1]
    assert (
        "To reach steady growth: both revenue growth falling below 40% (now 68%) and account growth falling "
        "below 30% (now 58%)." in notes
    )


def test_quadrant_headline_reads_the_mix_of_core_partners_and_under_monetised_accounts():
    mix = pd.DataFrame(
        {
            "accounts": [10, 5, 20, 4],
            "account_share": [10 / 39, 5 / 39, 20 / 39, 4 / 39],
            "platform_revenue_share": [0.8, 0.1, 0.05, 0.05],
            "b_side_revenue_share": [0.6, 0.02, 0.08, 0.3],
            "median_take_rate": [0.1, 0.3, 0.05, 0.01],
        },
        index=list(quadrants.QUADRANTS),
    )
    headline, notes = headlines.quadrant_words(mix, "2026Q2", BOOK)
    assert headline == (
        "In 2026Q2, 10 core partners bring 80.0% of platform revenue; the 4 under-monetised accounts "
        "earn 30.0% of B-side revenue but pay only 5.0% of the platform's."
    )
    assert notes[3].startswith(
        "IV · Under-monetised: 4 accounts, 5.0% of platform revenue, 30.0% of B-side revenue, median take rate 1.0%."
    )


def test_the_accounts_at_the_cut_are_a_note_and_a_fact_of_their_own_never_under_monetised():
    # 20 accounts paying 10%: 4 small, 12 on the 10,000 package (a material tie on both medians), 4 large
    rows = [(f"s{i}", "2026Q2", 100.0 * i, 1_000.0 * i, True) for i in range(1, 5)]  # platform, then B-side
    rows += [(f"p{i:02d}", "2026Q2", 1_000.0, 10_000.0, True) for i in range(12)]
    rows += [(f"l{i}", "2026Q2", 2_000.0 * i, 20_000.0 * i, True) for i in range(1, 5)]
    data = panel(rows)
    mix = quadrants.quadrant_summary(data, quarters=["2026Q2"]).loc["2026Q2"]
    headline, notes = headlines.quadrant_words(mix, "2026Q2", BOOK)
    assert "the 0 under-monetised accounts earn" in headline
    # platform revenue: 1,000 small, 12,000 at the cut, 20,000 large
    assert notes[4].startswith(f"12 accounts at the cut, {12_000 / 33_000:.1%} of platform revenue: tied with a cut")
    facts = [
        (f.label, f.value) for f in report.deck.quadrant_slide(quadrants.quarter_view(data, "2026Q2"), mix, BOOK).facts
    ]
    assert facts[3:] == [("IV · Under-monetised", "0 accounts"), ("At the cut", "12 accounts")]


# Value cuts: B-side revenue > 500 is high, platform revenue > 50 is high.
#   2026Q1: a Q1, b Q3, c Q4, d Q2.   2026Q2: a Q4, b Q4, c Q1, d churned, e new in Q4.
MOVES = panel(
    [
        ("a", "2026Q1", 100, 1000, True),
        ("b", "2026Q1", 10, 100, True),
        ("c", "2026Q1", 10, 1000, True),
        ("d", "2026Q1", 100, 100, True),
        ("a", "2026Q2", 10, 1000, True),
        ("b", "2026Q2", 10, 2000, True),
        ("c", "2026Q2", 100, 1000, True),
        ("e", "2026Q2", 20, 3000, True),
    ]
)
VALUE_CUTS = ("value", 500.0, 50.0)


def test_migration_headline_counts_accounts_entering_q4_and_their_share_of_b_side_revenue():
    flow = quadrants.quadrant_migration(MOVES, "2026Q1", "2026Q2", VALUE_CUTS)
    headline, notes = headlines.migration_words(flow, BOOK)
    # a, b and e entered Q4; their B-side revenue 1000 + 2000 + 3000 of the 7000 placed in 2026Q2
    assert headline == (
        "3 accounts entered IV · Under-monetised since 2026Q1 (1 of them new); they hold 85.7% of 2026Q2's "
        "B-side revenue."
    )
    assert notes[0] == "1 account left IV · Under-monetised: 1 to I · Core partners."
    assert notes[1] == "1 account entered I · Core partners and 1 left it."
    # movers between quadrants, largest platform revenue change first: a (100 → 10), c (10 → 100), b (10 → 10)
    assert notes[2] == "a moved I · Core partners → IV · Under-monetised: platform revenue 100 → 10."
    assert notes[3] == "c moved IV · Under-monetised → I · Core partners: platform revenue 10 → 100."
    assert notes[4] == "b moved III · Observe → IV · Under-monetised: platform revenue 10 → 10."


def test_migration_and_quadrant_facts_by_hand():
    flow = quadrants.quadrant_migration(MOVES, "2026Q1", "2026Q2", VALUE_CUTS)
    slide = report.deck.migration_slide(flow, BOOK)
    facts = [(f.label, f.value) for f in slide.facts]
    # a Q1 → Q4, b Q3 → Q4, c Q4 → Q1 changed quadrant; e is new; d churned
    assert facts == [("Changed quadrant since 2026Q1", "3"), ("New accounts", "1"), ("Churned", "1")]
    assert slide.data.loc["I · Core partners", "IV · Under-monetised"] == 1  # the CSV names quadrants as the slide
    view = quadrants.quarter_view(MOVES, "2026Q2", VALUE_CUTS)
    mix = quadrants.quadrant_summary(MOVES, VALUE_CUTS, quarters=["2026Q2"]).loc["2026Q2"]
    slide = report.deck.quadrant_slide(view, mix, BOOK)
    assert set(slide.data["quadrant"]) == {"I · Core partners", "IV · Under-monetised"}
    facts = [(f.label, f.value, f.change) for f in slide.facts]
    # platform revenue of 2026Q2: c 100 in Q1; a 10, b 10, e 20 in Q4; of 140 in all
    assert facts == [
        ("I · Core partners", "1 account", "71.4% of platform revenue"),
        ("II · At risk", "0 accounts", "0.0% of platform revenue"),
        ("III · Observe", "0 accounts", "0.0% of platform revenue"),
        ("IV · Under-monetised", "3 accounts", "28.6% of platform revenue"),
    ]


def test_migration_headline_when_nobody_entered_q4():
    stayed = panel(  # a Q1 → Q1, b Q3 → Q3, c Q4 → Q1, d Q2 → churned
        [
            ("a", "2026Q1", 100, 1000, True),
            ("b", "2026Q1", 10, 100, True),
            ("c", "2026Q1", 10, 1000, True),
            ("d", "2026Q1", 100, 100, True),
            ("a", "2026Q2", 100, 1000, True),
            ("b", "2026Q2", 10, 100, True),
            ("c", "2026Q2", 100, 1000, True),
        ]
    )
    flow = quadrants.quadrant_migration(stayed, "2026Q1", "2026Q2", VALUE_CUTS)
    assert (
        headlines.migration_words(flow, BOOK)[0] == "No account entered IV · Under-monetised since 2026Q1; 1 left it."
    )


def test_migration_notes_use_account_names_when_the_data_have_them():
    named = MOVES.assign(account_name=MOVES["account_id"].map({"a": "Golden Harbor", "c": "Blue River"}))
    flow = quadrants.quadrant_migration(named, "2026Q1", "2026Q2", VALUE_CUTS)
    notes = headlines.migration_words(flow, BOOK)[1]
    assert "Golden Harbor moved I · Core partners → IV · Under-monetised: platform revenue 100 → 10." in notes


def test_cohort_headline_reads_survival_at_four_quarters_and_the_projection():
    survival = pd.Series([1.0, 0.8, 0.7, 0.6, 0.5], index=range(5))
    nrr = pd.Series({4: 0.9})
    check = pd.DataFrame({"predicted": np.linspace(1.0, 0.28, 13)}, index=range(13))  # 0.28 at age 12
    headline, notes = headlines.cohort_words(survival, nrr, check, (6.25, 40), ahead=12)
    assert headline == (
        "Of every 100 new accounts, 50 are still active after 4 quarters (Kaplan–Meier survival); the renewal model "
        "expects 28 after 12."
    )
    assert notes[0] == "Revenue kept after 4 quarters (NRR, expansion included): 90.0% of the signup quarter's."
    assert notes[1] == "The model expects a new account to stay 6.2 quarters over the next 10 years."
    whole = headlines.cohort_words(survival, nrr, check, (3.5, None), ahead=12)[1]
    assert whole[1] == "The model expects a new account to stay 3.5 quarters on average."


@pytest.mark.parametrize(
    ("horizon", "label"),
    [
        (None, "Expected quarters per account"),
        (40, "Expected quarters per account over the next 10 years"),
        (4, "Expected quarters per account over the next 1 year"),
    ],
)
def test_the_lifetime_label_names_its_horizon(horizon, label):
    assert headlines.lifetime_label(horizon) == label


def test_cohort_headline_of_young_cohorts_without_a_model_uses_the_oldest_age():
    survival = pd.Series([1.0, 0.75], index=range(2))
    headline, notes = headlines.cohort_words(survival, pd.Series(dtype=float), None, None)
    assert headline == "Of every 100 new accounts, 75 are still active after 1 quarter (Kaplan–Meier survival)."
    assert not any("NRR" in note or "model expects" in note for note in notes)


def scenario_table(rows):
    columns = [*scenarios.LEVER_KEYS, "platform_revenue_total", "active_accounts_end"]
    table = pd.DataFrame(rows, columns=["scenario", *columns]).set_index("scenario").astype(float)
    base = table.loc[scenarios.BASE_NAME, "platform_revenue_total"]
    table["platform_revenue_total_vs_base"] = table["platform_revenue_total"] - base
    table["platform_revenue_total_vs_base_pct"] = table["platform_revenue_total_vs_base"] / base
    return table


def test_scenario_headline_names_the_scenario_that_adds_most_against_the_base():
    table = scenario_table(
        [
            ("Base", 0, 0, 0, 0, 0, 100e6, 1000),
            ("Renew", 2, 0, 0, 0, 0, 110e6, 1100),
            ("Cheaper", 0, 0, 0, -1, 0, 95e6, 1010),
        ]
    )
    headline, notes = headlines.scenario_words(table, "2026Q4", "2028Q3")
    assert headline == "Renew adds 10.0M of platform revenue over 2026Q4–2028Q3 (+10.0% on the base's 100.0M)."
    assert notes[0] == "Base: no lever moved; 100.0M over 2026Q4–2028Q3, 1,000 active accounts in 2028Q3."
    assert notes[1] == "Renew: renewal uplift +2 points; 110.0M over 2026Q4–2028Q3, 1,100 active accounts in 2028Q3."
    only_worse = table.drop(index="Renew")
    assert headlines.scenario_words(only_worse, "2026Q4", "2028Q3")[0] == (
        "Cheaper costs 5.0M of platform revenue over 2026Q4–2028Q3 (-5.0% on the base's 100.0M)."
    )


def test_scenario_headline_of_the_base_alone():
    table = scenario_table([("Base", 0, 0, 0, 0, 0, 100e6, 1)])
    assert headlines.scenario_words(table, "2026Q4", "2028Q3")[0] == (
        "With no lever moved, the data project 100.0M of platform revenue over 2026Q4–2028Q3 and 1 active account "
        "in 2028Q3."
    )


def kept(last_quarter: str, rows: list[tuple], saved_by: str | None = "ada@example.com") -> scenarios.KeptProjection:
    """A kept projection from ``rows`` of (accounts, lower, upper, revenue, lower, upper), one a
    quarter after ``last_quarter``, saved on 2026-10-02."""
    names = [f"{o}{s}" for o in ("active_accounts", "platform_revenue") for s in ("", "_lower", "_upper")]
    index = [quarters.shift(last_quarter, h) for h in range(1, len(rows) + 1)]
    frame = pd.DataFrame(rows, columns=names, index=index).astype(float)
    return scenarios.KeptProjection.of(frame, last_quarter, dt.datetime(2026, 10, 2, 9, 30), saved_by)


# Renewal push, saved on data up to 2026Q3: 1,200 / 1,210 accounts planned for 2026Q4 / 2027Q1
PUSH = kept("2026Q3", [(1200, 1150, 1250, 50e3, 45e3, 55e3), (1210, 1100, 1300, 52e3, 46e3, 58e3)])
ACTUAL = pd.DataFrame({"active_accounts": [1180, 1157], "platform_revenue": [51e3, 60e3]}, index=["2026Q4", "2027Q1"])


def test_plan_headline_reads_what_the_first_scenario_planned_for_its_latest_quarter_and_what_came():
    compared = {"Renewal push": (PUSH, scenarios.plan_vs_actual(PUSH, ACTUAL))}
    later = kept("2027Q1", [(1300, 1200, 1400, 1, 0, 2)], saved_by=None)
    headline, notes = headlines.plan_words(compared, {"Later": later})
    # 1,157 against 1,210: −53/1,210 = −4.38%, inside 1,100–1,300
    assert (
        headline == "Renewal push planned 1,210 active accounts for 2027Q1; 1,157 were active (-4.4%, inside the band)."
    )
    # accounts −1.67% and −4.38%: mean 3.0%; revenue +2% and +15.4% (60k against 52k, above 58k): mean 8.7%
    assert notes[0] == (
        "Renewal push (saved 2026-10-02 by ada@example.com on data up to 2026Q3): 2 quarter(s) to check; active "
        "accounts inside the band in 2, mean absolute error 3.0%; platform revenue inside in 1, mean absolute error "
        "8.7%. In 2027Q1 it planned 52.0k of platform revenue; 60.0k came in (+15.4%, outside the band)."
    )
    assert notes[1] == "Later: Saved on 2027Q1 data: its first planned quarter 2027Q2 is not in the data yet."
    assert notes[-1].startswith("Ask the room")


def test_the_plan_slide_shows_the_scenarios_with_a_quarter_to_check_and_says_why_there_is_none():
    later = kept("2027Q1", [(1300, 1200, 1400, 1, 0, 2)])
    slide = report.plan_slide({"Renewal push": PUSH, "Later": later}, ACTUAL)
    assert slide.key == "plan" and slide.title == "Plan vs actual"
    assert slide.headline.startswith("Renewal push planned 1,210 active accounts for 2027Q1")
    assert [(f.label, f.value, f.change) for f in slide.facts] == [
        ("Renewal push · active accounts 2027Q1 (plan 1,210)", "1,157", "-4.4% · inside the band")
    ]
    assert list(slide.data.index) == [("Renewal push", "2026Q4"), ("Renewal push", "2027Q1")]
    names = [trace.name for trace in slide.figure.data]
    assert "Renewal push (plan)" in names and "Actual" in names
    with pytest.raises(
        ValueError, match=r"no kept projection reaches a quarter in the data yet \(Later: Saved on 2027Q1"
    ):
        report.plan_slide({"Later": later}, ACTUAL)
    with pytest.raises(ValueError, match="no saved scenario keeps a projection: save one in the Scenario lab"):
        report.plan_slide({}, ACTUAL)
    deck = report.build_deck(TWO_QUARTERS, BOOK, kept_projections={})
    assert deck.missing["plan"].startswith("no saved scenario keeps a projection")
    assert "plan" not in report.build_deck(TWO_QUARTERS, BOOK).missing  # not asked for: not said


# --- the deck ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved_plan(sample_panel):
    """Renew as saved when the data ended in 2026Q1, two quarters before the sample's last."""
    earlier = sample_panel[sample_panel["quarter"] <= "2026Q1"]
    projected = scenarios.project(earlier, scenarios.Scenario.of("Renew", {"renewal_uplift": 2}), 8)
    return {"Renew": scenarios.KeptProjection.of(projected, "2026Q1", dt.datetime(2026, 4, 2), "ada@example.com")}


@pytest.fixture(scope="module")
def deck(sample_panel, saved_plan):
    return report.build_deck(
        sample_panel,
        BOOK,
        shown_scenarios=[scenarios.Scenario.of("Renew", {"renewal_uplift": 2})],
        kept_projections=saved_plan,
    )


def test_the_deck_from_measures_given_is_the_deck_that_measures_them(sample_panel, saved_plan, deck):
    """The app hands the deck the views its pages cached: same slides."""
    quarters = sorted(sample_panel["quarter"].unique())
    chosen = cohorts.select_accounts(sample_panel, {}, leave_out_first_cohort=True)
    measured = report.Measured(
        kpis=overview.quarter_kpis(sample_panel),
        metrics=lifecycle.company_metrics(sample_panel),
        base=scenarios.fit_base(sample_panel),
        mix=quadrants.quadrant_summary(sample_panel, quarters=quarters[-1:]),
        migration=quadrants.quadrant_migration(sample_panel, quarters[-2], quarters[-1]),
        logo=cohorts.cohort_matrix(chosen, observed=quarters),
        nrr=cohorts.cohort_matrix(chosen, "nrr", observed=quarters),
        lifetimes=cohorts.lifetimes(chosen, observed=quarters),
    )
    given = report.build_deck(
        sample_panel,
        BOOK,
        shown_scenarios=[scenarios.Scenario.of("Renew", {"renewal_uplift": 2})],
        measured=measured,
        kept_projections=saved_plan,
    )
    assert list(given.slides) == list(deck.slides)
    for key, slide in given.slides.items():
        assert (slide.headline, slide.facts, slide.notes) == (
            deck.slides[key].headline,
            deck.slides[key].facts,
            deck.slides[key].notes,
        )
        pd.testing.assert_frame_equal(slide.data, deck.slides[key].data)


def test_measures_of_other_quarters_are_not_used(sample_panel, deck):
    """A mix or migration of another quarter than the deck's is measured again, not shown."""
    quarters = sorted(sample_panel["quarter"].unique())
    measured = report.Measured(
        mix=quadrants.quadrant_summary(sample_panel, quarters=quarters[:1]),
        migration=quadrants.quadrant_migration(sample_panel, quarters[0], quarters[1]),
    )
    given = report.build_deck(
        sample_panel, BOOK, shown_scenarios=[scenarios.Scenario.of("Renew", {"renewal_uplift": 2})], measured=measured
    )
    for key in ("quadrants", "migration"):
        assert given.slides[key].headline == deck.slides[key].headline
        pd.testing.assert_frame_equal(given.slides[key].data, deck.slides[key].data)


def test_the_sample_carries_every_slide_in_order_each_with_a_headline_figure_data_and_notes(deck):
    assert list(deck.slides) == list(report.SLIDE_TITLES) and not deck.missing
    for key, slide in deck.slides.items():
        assert slide.key == key and slide.title == report.SLIDE_TITLES[key]
        assert slide.headline.endswith(".") and len(slide.headline) < 220
        assert slide.figure.data and not slide.data.empty
        assert slide.notes and slide.notes[-1].startswith(("Ask the room", "Move a lever"))


def test_slide_headlines_equal_the_headline_functions_on_the_same_frames(sample_panel, deck):
    kpis = overview.quarter_kpis(sample_panel)
    assert deck.slides["overview"].headline == headlines.overview_words(kpis)[0]
    metrics = lifecycle.company_metrics(sample_panel)
    current = lifecycle.detect_stage(metrics)[-1]
    ranked = lifecycle.prioritize(metrics, current.stage, "platform", BOOK)
    assert deck.slides["stage"].headline == headlines.stage_words(current, ranked, BOOK)[0]
    latest = sorted(sample_panel["quarter"].unique())[-1]
    mix = quadrants.quadrant_summary(sample_panel, quarters=[latest]).loc[latest]
    assert deck.slides["quadrants"].headline == headlines.quadrant_words(mix, latest, BOOK)[0]
    assert deck.slides["scenarios"].headline.startswith("Renew adds ")


def test_the_plan_slide_compares_the_plan_saved_two_quarters_back_with_the_two_committed_since(
    sample_panel, saved_plan, deck
):
    kpis = overview.quarter_kpis(sample_panel)
    check = scenarios.plan_vs_actual(saved_plan["Renew"], kpis)
    slide = deck.slides["plan"]
    assert list(check.table.index) == ["2026Q2", "2026Q3"]
    assert (slide.headline, slide.notes) == headlines.plan_words({"Renew": (saved_plan["Renew"], check)}, {})
    q3 = check.table.loc["2026Q3"]
    assert slide.headline.startswith(
        f"Renew planned {q3['active_accounts_planned']:,.0f} active accounts for 2026Q3; "
        f"{kpis.loc['2026Q3', 'active_accounts']:,.0f} were active ({100 * q3['active_accounts_error']:+.1f}%, "
    )
    pd.testing.assert_frame_equal(slide.data.loc["Renew"], check.table)
    actual = [t for t in slide.figure.data if t.name == "Actual"][0]
    assert list(actual.x) == ["2026Q1", "2026Q2", "2026Q3"]  # from the quarter it was saved on
    assert list(actual.y) == kpis.loc[["2026Q1", "2026Q2", "2026Q3"], "active_accounts"].tolist()


def test_facts_on_the_overview_slide_are_the_latest_kpis(sample_panel, deck):
    latest, _, found = overview.latest_headlines(sample_panel)
    by_name = {h.name: h for h in found}
    facts = {f.label: f for f in deck.slides["overview"].facts}
    assert facts["Active accounts"].value == f"{by_name['active_accounts'].value:,.0f}"
    assert facts["Active accounts"].change == f"{by_name['active_accounts'].change:+,.0f}"


def test_stage_cohort_and_scenario_facts_are_the_numbers_their_headlines_rest_on(sample_panel, deck):
    metrics = lifecycle.company_metrics(sample_panel)
    current = lifecycle.detect_stage(metrics)[-1]
    ranked = lifecycle.prioritize(metrics, current.stage, "platform", BOOK)
    assert [(f.label, f.value, f.change) for f in deck.slides["stage"].facts] == [
        ("Stage", current.name, None),
        *((f"Priority {r}", n, f"score {s:.1f}") for n, s, r in ranked[["name", "score", "rank"]].head(3).to_numpy()),
    ]
    cohort = {f.label: f.value for f in deck.slides["cohorts"].facts}
    survival = deck.slides["cohorts"].data.loc[4, "observed"]
    assert cohort["Survival after 4 quarters (Kaplan–Meier)"] == f"{100 * survival:.1f}%"
    table = deck.slides["scenarios"].data
    first, last = deck.slides["scenarios"].headline.split(" over ")[1].split(" (")[0].split("–")
    assert [(f.label, f.value, f.change) for f in deck.slides["scenarios"].facts] == [
        (f"Base · platform revenue {first}–{last}", money(table.loc["Base", "platform_revenue_total"]), None),
        (
            f"Renew · platform revenue {first}–{last}",
            money(table.loc["Renew", "platform_revenue_total"]),
            f"{100 * table.loc['Renew', 'platform_revenue_total_vs_base_pct']:+.1f}%",
        ),
    ]
    base = scenarios.fit_base(sample_panel)
    notes = deck.slides["scenarios"].notes
    assert f"Base assumption: {base.arrivals.evidence()}." in notes
    assert f"Base assumption: {base.take_rate.evidence()}." in notes


def test_data_without_b_side_revenue_leave_out_the_quadrant_slides_and_say_why():
    lacking = TWO_QUARTERS.assign(b_side_revenue=np.nan)
    deck = report.build_deck(lacking, BOOK)
    assert "quadrants" not in deck.slides and "migration" not in deck.slides
    assert deck.missing["quadrants"] == "the data have no B-side revenue to place accounts by"


def test_a_single_quarter_carries_overview_stage_and_quadrants_only():
    one = MOVES[MOVES["quarter"] == "2026Q1"]
    deck = report.build_deck(one, BOOK)
    assert list(deck.slides) == ["overview", "stage", "quadrants"]
    assert set(deck.missing) == {"bridge", "migration", "cohorts", "scenarios"}
    assert deck.missing["migration"] == "2026Q1 is the first quarter: nobody has moved yet"


def test_quarters_where_no_account_earned_anything_leave_out_the_cohort_and_scenario_slides_and_say_why():
    idle = panel([(f"A{i}", q, 0.0, 0.0, False) for i in range(5) for q in ("2025Q1", "2025Q2", "2025Q3", "2025Q4")])
    deck = report.build_deck(idle, BOOK)  # every account inactive: no cohort (it raised KeyError on the average)
    assert list(deck.slides) == ["overview", "stage", "quadrants", "migration"]
    assert deck.missing["cohorts"] == "no account was active in any quarter: there is no cohort to follow"
    assert "scenarios" in deck.missing


def test_the_cohort_slide_projects_past_the_oldest_cohort(deck):
    data = deck.slides["cohorts"].data
    observed = data["observed"].dropna().index.max()
    assert data.index.max() >= max(observed + 4, 12)
    assert data["predicted"].notna().all()
    names = [trace.name for trace in deck.slides["cohorts"].figure.data]
    assert "Each signup cohort" in names and "sBG projection (dashed)" in names


# --- export ------------------------------------------------------------------------------------


def test_the_html_deck_embeds_plotly_once_and_every_slide_with_its_figure_and_data(deck):
    slides = list(deck.slides.values())
    page = report.deck_html(slides, "Workshop", "2023Q4–2026Q3")
    packed = re.findall(r'<script id="plotly-js" type="application/gzip;base64">([^<]+)</script>', page)
    assert len(packed) == 1 and gzip.decompress(base64.b64decode(packed[0])).decode() == plotly.offline.get_plotlyjs()
    assert len(packed[0]) < 2_100_000  # 4.8 MB of plotly.js, packed
    assert "cdn" not in page.replace(packed[0], "").split("<script>")[0].lower()
    assert "src=" not in re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)  # nothing loaded from elsewhere
    assert page.count('<section class="slide"') == len(slides)
    figures = json.loads(re.search(r"const figures = (\[.*?\]);\n", page, re.S).group(1))
    assert [f["id"] for f in figures] == [f"chart-{i}" for i in range(1, len(slides) + 1)]
    assert all(f["figure"]["data"] and f["config"]["toImageButtonOptions"]["format"] == "png" for f in figures)
    links = re.findall(r'download="([^"]+)" href="data:text/csv;base64,([^"]+)"', page)
    assert [name for name, _ in links] == [f"{i:02d}_{s.key}.csv" for i, s in enumerate(slides, start=1)]
    assert base64.b64decode(links[0][1]) == exports.csv_bytes(slides[0].data, index=True)


def test_the_html_deck_escapes_text_from_the_data(deck):
    slide = deck.slides["scenarios"]
    hostile = report.Slide(
        "scenarios",
        "What if",
        "<img src=x onerror=alert(1)> adds </script><script>alert(2)</script>",
        (report.Fact("<b>Base</b>", "1"),),
        slide.figure.update_layout(title_text="</script><script>alert(3)</script>"),
        slide.data,
        ("<i>note</i>",),
    )
    page = report.deck_html([hostile], "<title>", "x")
    body = page.split("</head>", 1)[1]
    assert "<img" not in body and "<b>Base" not in body and "<i>note" not in body
    assert "alert(2)" in body and body.count("<script>") == 1  # the deck's own script only
    assert "alert(3)" in body and "<script>alert(3)" not in body


def test_the_chart_data_zip_holds_one_csv_per_slide(deck):
    slides = list(deck.slides.values())
    with zipfile.ZipFile(io.BytesIO(report.chart_data_zip(slides))) as archive:
        assert archive.namelist() == [f"{i:02d}_{s.key}.csv" for i, s in enumerate(slides, start=1)]
        assert archive.read("01_overview.csv") == exports.csv_bytes(slides[0].data, index=True)


# --- the projector look ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("foreground", "background", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),
        ("#0072b2", "#ffffff", 5.19),
    ],
)
def test_contrast_ratio_follows_wcag(foreground, background, ratio):
    assert contrast_ratio(foreground, background) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(background, foreground) == pytest.approx(ratio, abs=0.01)


def test_readable_darkens_a_light_colour_until_it_passes_and_keeps_a_dark_one():
    assert readable("#111111") == "#111111"
    darker = readable("#E69F00")  # Okabe–Ito orange: 2.0 on white
    assert contrast_ratio(darker) >= WCAG_AA
    red, green, blue = (int(darker[i : i + 2], 16) for i in (1, 3, 5))
    assert red > green > blue  # still orange


def test_every_text_on_a_projector_figure_passes_wcag_aa(deck):
    for slide in deck.slides.values():
        layout = slide.figure.layout
        assert contrast_ratio(layout.font.color) >= WCAG_AA and layout.font.size >= 18
        for annotation in layout.annotations:
            assert contrast_ratio(annotation.font.color) >= WCAG_AA, (slide.key, annotation.text)


def test_quadrant_colours_stay_distinct_for_colour_blind_viewers_and_their_labels_pass_on_the_projector():
    colours = charts.quadrants.QUADRANT_COLOURS
    assert len(set(colours.values())) == 4
    assert all(contrast_ratio(readable(c)) >= WCAG_AA for c in colours.values())


def text_fonts(figure: dict) -> list[tuple[str, float]]:
    """(where, px) of every text size in a figure's JSON: each ``…font.size`` of the layout and
    the traces (one per point too) and each inline ``font-size`` in a text; hover labels and the
    template's defaults left out (hovers are not read from the back of a room)."""
    found = []

    def walk(node, where):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            here = f"{where}.{key}"
            if key in ("hoverlabel", "template"):
                continue
            if isinstance(key, str) and key.endswith("font") and isinstance(value, dict) and "size" in value:
                sizes = value["size"] if isinstance(value["size"], list) else [value["size"]]
                found.extend((here, size) for size in sizes)
            elif isinstance(value, str):
                found.extend((here, float(px)) for px in re.findall(r"font-size:\s*([\d.]+)px", value))
            walk(value, here)

    walk(figure, "")
    return found


def test_every_text_of_a_projected_chart_is_at_least_20_px(deck):
    for slide in deck.slides.values():
        if slide.figure is None:
            continue
        figure = json.loads(slide.figure.to_json())
        fonts = text_fonts(figure)
        assert {where for where, _ in fonts} >= {".layout.font", ".layout.legend.font"}, slide.key
        small = [(where, size) for where, size in fonts if size is None or size < PROJECTOR_FONT["text"]]
        assert small == [], (slide.key, small)
        assert figure["layout"]["font"]["size"] == 20, slide.key  # the base every unset text inherits
    quadrant_map = json.loads(deck.slides["quadrants"].figure.to_json())
    assert any("font-size:20px" in a["text"] for a in quadrant_map["layout"]["annotations"])  # was 11 px


def test_the_text_size_scales_every_font_of_a_figure_to_whole_pixels(deck):
    figure = json.loads(deck.slides["quadrants"].figure.to_json())
    large = text_sizes(json.loads(deck.slides["quadrants"].figure.to_json()), TEXT_SIZES["L"])
    assert [size for _, size in text_fonts(large)] == [
        np.ceil(size * 1.25) for _, size in text_fonts(figure)
    ]  # 20 px → 25 px, the inline subtitles too
    small = text_sizes(figure, TEXT_SIZES["S"])
    assert min(size for _, size in text_fonts(small)) == 18  # still 18 px, the floor at 1280×720
    assert text_sizes({"layout": {"font": {"size": 21}}, "data": [{"textfont": {"size": [10, 11]}}]}, 0.9) == {
        "layout": {"font": {"size": 19}},
        "data": [{"textfont": {"size": [9, 10]}}],
    }


def test_long_chart_and_axis_titles_are_broken_into_lines_for_a_4_3_screen(deck):
    assert wrapped_title("2026Q3 · showing 394 of 1,157 accounts") == "2026Q3 · showing 394 of 1,157 accounts"
    assert wrapped_title("Platform revenue: observed, then projected (shaded: 90% band)") == (
        "Platform revenue: observed, then projected<br>(shaded: 90% band)"
    )
    quadrant_map = deck.slides["quadrants"].figure.layout
    assert quadrant_map.yaxis.title.text == "Platform revenue from the account,<br>per quarter"


def test_the_projected_quadrant_map_names_its_quadrants_in_bands_no_account_reaches(deck):
    figure = deck.slides["quadrants"].figure
    band = charts.quadrants.PROJECTED_LABEL_BAND
    low, high = figure.layout.yaxis.range
    reached = np.concatenate(
        [np.asarray(t.y, dtype=float) for t in figure.data if t.type == "scatter" and t.mode == "markers"]
    )
    inside = (np.log10(reached[reached > 0]) - low) / (high - low)  # log axes: positions in the plot's height, 0–1
    assert inside.min() > band and inside.max() < 1 - band
    names = [a for a in figure.layout.annotations if a.text.startswith("<b>")]
    assert len(names) == 4 and all(a.yref == "y domain" and (a.y > 1 - band or a.y < band) for a in names)
    assert all(a.bgcolor == "#ffffff" for a in names)  # opaque: the take-rate line passes under them
    # the bands name the quadrants in their colours, so the legend keeps only what they do not
    in_legend = {t.name for t in figure.data if t.showlegend is not False}
    assert in_legend and not in_legend & {BOOK.label(q) for q in quadrants.QUADRANTS}
    assert charts.quadrants.banded([0, 6], 0.25) == [-3, 9]


def test_sankey_labels_stand_on_a_white_halo(deck):
    (sankey,) = deck.slides["migration"].figure.data
    assert "#fff" in sankey.textfont.shadow and sankey.node.pad >= 24


def test_for_projector_leaves_the_original_figure_alone():
    figure = charts.kpi_trend(overview.quarter_kpis(TWO_QUARTERS))
    before = json.loads(figure.to_json())
    shown = for_projector(figure)
    assert json.loads(figure.to_json()) == before and shown.layout.height >= 560


def test_the_html_deck_of_sample_data_says_so_in_its_title_and_on_every_slide(deck):
    slides = list(deck.slides.values())[:2]
    mixed = DataOrigin("mixed", ("2023Q4", "2026Q3"), ("1997Q1", "1998Q2"), ())
    page = report.deck_html(slides, "Workshop", "x", mixed)
    assert "<title>Workshop · Mixed with sample data</title>" in page
    assert page.count('<footer class="data-note">Mixed with sample data: 2023Q4–2026Q3 is the bundled sample') == 2
    own = report.deck_html(slides, "Workshop", "x", DataOrigin("own", (), ("1997Q1",), ()))
    assert "<title>Workshop</title>" in own and 'data-note">' not in own
