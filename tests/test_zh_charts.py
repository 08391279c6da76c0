"""Amount axes and colour bars in Chinese: ticks written the way ``short_amount`` writes amounts
(0, 2,000万, 1亿) instead of Plotly's SI prefixes (60M, 50k); in English the figures keep their
own tick formats and no tick list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b2b_core import charts, i18n, quadrants
from b2b_core.charts.style import amount_ticks
from b2b_core.playbook import load_playbook

PLAYBOOK = load_playbook()
QUARTERS = ["2025Q1", "2025Q2", "2025Q3"]


def ticks_in_zh(values, **options) -> tuple[list[float], list[str]]:
    with i18n.use("zh"):
        ticks = amount_ticks(values, **options)
    assert ticks["tickmode"] == "array"
    return ticks["tickvals"], ticks["ticktext"]


def test_english_keeps_its_tick_format_or_plotlys_own():
    with i18n.use("en"):
        assert amount_ticks([0, 6e7]) == {"tickformat": "~s"}
        assert amount_ticks([0, 6e7], log=True, english=None) == {}


def test_a_linear_axis_from_zero_steps_by_one_two_or_five_in_wan():
    assert ticks_in_zh([0, 60_000_000]) == (
        [0, 20_000_000, 40_000_000, 60_000_000],
        ["0", "2,000万", "4,000万", "6,000万"],
    )
    assert ticks_in_zh([30_000_000, 55_000_000], zero=True)[1] == ["0", "2,000万", "4,000万", "6,000万"]
    assert ticks_in_zh([0, 250_000_000])[1] == ["0", "5,000万", "1亿", "1.5亿", "2亿", "2.5亿"]
    assert ticks_in_zh([0, 45_000])[1] == ["0", "1万", "2万", "3万", "4万", "5万"]


def test_negative_changes_and_counts_read_in_wan_or_whole():
    assert ticks_in_zh([-3_000_000, 4_000_000], zero=True)[1] == ["-400万", "-200万", "0", "200万", "400万"]
    assert ticks_in_zh([800, 1_500])[1] == ["800", "1,000", "1,200", "1,400", "1,600"]


def test_ticks_that_would_read_alike_take_a_larger_step():
    assert ticks_in_zh([10_000, 11_000]) == ([10_000, 11_000], ["1万", "1.1万"])  # not 1.05万, read 1.1万 too


def test_a_log_axis_gets_its_powers_of_ten_or_their_two_and_five_multiples_over_few_decades():
    assert ticks_in_zh([3_000, 2e8], log=True) == (
        [1e4, 1e5, 1e6, 1e7, 1e8],
        ["1万", "10万", "100万", "1,000万", "1亿"],
    )
    assert ticks_in_zh([3_000, 80_000], log=True)[1] == ["5,000", "1万", "2万", "5万"]
    assert ticks_in_zh([0, -5, 3_000, 80_000, float("nan")], log=True)[1] == ["5,000", "1万", "2万", "5万"]


def test_no_finite_value_leaves_the_ticks_to_plotly():
    with i18n.use("zh"):
        assert amount_ticks([float("nan")]) == {}


def _kpis() -> pd.DataFrame:
    return pd.DataFrame({"platform_revenue": [4e7, 5.5e7, 6e7], "active_accounts": [900, 1_200, 15_000]}, QUARTERS)


def _bridge() -> pd.Series:
    return pd.Series(
        {
            "start": 5.5e7,
            "new": 3e6,
            "reactivated": 1e6,
            "expansion": 5e6,
            "contraction": 2e6,
            "churned": 1e6,
            "end": 6.1e7,
        }
    )


def _assigned() -> pd.DataFrame:
    x = [1e5, 2e6, 3e7, 2e8]
    y = [3e3, 4e5, 5e6, 6e7]
    panel = pd.DataFrame(
        {"account_id": ["a", "b", "c", "d"], "quarter": "2025Q1", "active": True}
        | {"b_side_revenue": x, "platform_revenue": y, "segment": "Retail"}
    )
    return quadrants.assign_quadrants(panel, "2025Q1", ("value", 1e7, 1e6))


def _tornado() -> pd.DataFrame:
    return pd.DataFrame(
        {"label": ["Renewal"], "step": [2], "unit": ["pts"], "low": [1], "high": [5]}
        | {"low_change": [-3e6], "high_change": [4e6]}
    )


def _heatmap_counts() -> pd.DataFrame:
    return pd.DataFrame(
        {"accounts": [4, 2], 0: [1.5e6, 2e7], 1: [5e5, np.nan]}, index=pd.Index(["2025Q1", "2025Q2"], name="cohort")
    )


def _projection() -> pd.DataFrame:
    return pd.DataFrame(
        {"platform_revenue": [6e7], "platform_revenue_lower": [5e7], "platform_revenue_upper": [7e7]}, ["2025Q4"]
    )


FIGURES = {  # name → (a builder, the axis of amounts it draws)
    "bridge": (lambda: charts.revenue_bridge_waterfall(_bridge(), "2025Q3"), "yaxis"),
    "kpis": (lambda: charts.kpi_trend(_kpis()), "yaxis"),
    "accounts line": (lambda: charts.kpi_trend(_kpis()), "yaxis2"),
    "projection": (
        lambda: charts.scenario_projection(
            _kpis()[["platform_revenue"]], {"Base": _projection()}, "platform_revenue", "Platform revenue", 0.9
        ),
        "yaxis",
    ),
    "plan": (
        lambda: charts.plan_vs_actual(
            {"Plan": _projection()}, _kpis()["platform_revenue"], "platform_revenue", "Platform revenue", 0.9
        ),
        "yaxis",
    ),
    "tornado": (lambda: charts.tornado(_tornado(), "Levers"), "xaxis"),
    "quadrant map": (lambda: charts.quadrant_map(_assigned(), PLAYBOOK), "yaxis"),
    "quadrant map, log": (lambda: charts.quadrant_map(_assigned(), PLAYBOOK, log_axes=True), "xaxis"),
    "lists at stake": (
        lambda: charts.lists_at_stake(pd.DataFrame({"at_stake": [3e6, 8e6], "accounts": [3, 5]}, ["a", "b"])),
        "yaxis",
    ),
    "signals": (
        lambda: charts.signal_trends(
            pd.DataFrame({"active_accounts": [900, 12_000, 15_000]}, QUARTERS), {"active_accounts": ("A", "count")}
        ),
        "yaxis",
    ),
}
SI_IN_ENGLISH = {"projection", "plan", "tornado", "quadrant map", "quadrant map, log", "signals"}


@pytest.mark.parametrize("name", FIGURES)
def test_every_amount_axis_is_written_in_wan_and_yi_in_chinese_and_as_before_in_english(name):
    build, axis = FIGURES[name]
    with i18n.use("en"):
        english = build().layout[axis]
    assert english.tickvals is None and english.ticktext is None
    assert english.tickformat == ("~s" if name in SI_IN_ENGLISH else None)
    with i18n.use("zh"):
        chinese = build().layout[axis]
    assert chinese.tickmode == "array" and chinese.tickformat is None
    assert len(chinese.tickvals) >= 3
    assert not any(unit in text for text in chinese.ticktext for unit in ("k", "M", "G", "B"))
    assert all(text.endswith(("万", "亿")) or text.lstrip("-").replace(",", "").isdigit() for text in chinese.ticktext)


def test_the_bridge_ticks_reach_the_highest_bar_and_the_log_map_reads_in_powers_of_ten():
    with i18n.use("zh"):
        bridge = charts.revenue_bridge_waterfall(_bridge(), "2025Q3").layout.yaxis
        log_map = charts.quadrant_map(_assigned(), PLAYBOOK, log_axes=True).layout
    assert list(bridge.ticktext) == ["0", "2,000万", "4,000万", "6,000万", "8,000万"]  # bars up to 6,400万
    assert list(log_map.xaxis.ticktext) == ["10万", "100万", "1,000万", "1亿"]
    assert list(log_map.yaxis.ticktext) == ["1万", "10万", "100万", "1,000万"]  # accounts from 3,000 to 6,000万


def test_the_retention_colour_bar_of_amounts_reads_in_wan_in_chinese_and_si_in_english():
    with i18n.use("en"):
        english = charts.retention_heatmap(_heatmap_counts(), "Platform revenue", as_share=False).data[0].colorbar
        shares = charts.retention_heatmap(_heatmap_counts() / 2e7, "Share", as_share=True).data[0].colorbar
    assert english.tickformat == "~s" and english.tickvals is None
    with i18n.use("zh"):
        chinese = charts.retention_heatmap(_heatmap_counts(), "Platform revenue", as_share=False).data[0].colorbar
        zh_shares = charts.retention_heatmap(_heatmap_counts() / 2e7, "Share", as_share=True).data[0].colorbar
    assert list(chinese.ticktext) == ["0", "500万", "1,000万", "1,500万", "2,000万"]
    assert shares.tickformat == zh_shares.tickformat == ".0%" and zh_shares.tickvals is None
