"""Figure builders draw exactly the frames they are given."""

from __future__ import annotations

import pandas as pd

from b2b_core import charts


def test_kpi_trend_draws_revenue_bars_and_an_accounts_line_on_its_own_axis():
    kpis = pd.DataFrame(
        {"platform_revenue": [10.0, 12.5], "active_accounts": [3, 4]}, index=pd.Index(["2025Q1", "2025Q2"])
    )
    figure = charts.kpi_trend(kpis)
    bars, line = figure.data
    assert (bars.type, line.type) == ("bar", "scatter")
    assert list(bars.x) == ["2025Q1", "2025Q2"] and list(bars.y) == [10.0, 12.5]
    assert list(line.y) == [3, 4] and line.yaxis == "y2"
    assert figure.layout.yaxis.title.text == "Platform revenue per quarter"
