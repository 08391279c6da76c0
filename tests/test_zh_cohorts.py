"""The Cohort renewals page read in Chinese (``?lang=zh``): every state a user reaches shows no
English text of the app's own (``tests.zh_text``), and its key sentences read as written here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b2b_core import charts, cohorts, i18n, sample, store
from b2b_core.access import LOCAL
from b2b_core.cohorts import first_cohort_choice
from tests.apptest import open_app, workspace_of
from tests.test_cohorts import signups
from tests.zh_text import english_left, shown_texts
from ui import cohort_views
from ui.cohort_views import OPEN_TAB, TABS

PAGE = "pages/cohorts.py"


@pytest.fixture(autouse=True)
def chinese():
    """The test's own thread reads Chinese too: AppTest writes a widget's state with the page's
    ``format_func`` in this thread, which must give the labels the page showed."""
    with i18n.use("zh"):
        yield


def zh(text: str) -> str:
    with i18n.use("zh"):
        return i18n._(text)


def open_zh(tab: str | None = None):
    app = open_app(PAGE, query_params={"lang": "zh"})
    if tab:
        open_tab(app, tab)
    return app


def open_tab(app, tab: str) -> None:
    """Open ``tab`` (its English name) of the page read in Chinese: the tab's value is its label."""
    app.session_state[OPEN_TAB] = zh(tab)
    app.run()
    assert not app.exception, app.exception


SHELL = ("Sample data", "bundled sample")  # the app shell's sample notice: translated with the shell, not here


def left(app) -> list[str]:
    """The page's texts still holding English (the shell's sample notice aside)."""
    assert not app.exception, app.exception
    found = english_left(shown_texts(app), allowed=frozenset({"amp"}))  # "Food &amp; Beverage": data, escaped
    return [text for text in found if not any(mark in text for mark in SHELL)]


def test_the_first_render_reads_in_chinese_with_the_triangle_in_every_measure_and_basis(workspace_path):
    app = open_zh()
    assert app.title[0].value == "同期群续约"
    found = left(app)
    for metric in cohorts.METRICS:
        for basis in cohorts.BASES:
            app.radio(key="metric").set_value(metric)
            app.radio(key="basis").set_value(basis).run()
            found += left(app)
    assert found == []


def test_yearly_periods_and_the_first_cohort_included_read_in_chinese(workspace_path):
    app = open_zh()
    app.segmented_control(key="period").set_value("year").run()
    found = left(app)
    app.checkbox(key="leave_out_first").set_value(False).run()
    found += left(app)
    app.multiselect(key="filter:tier").set_value(["KA"]).run()
    assert found + left(app) == []


@pytest.mark.parametrize("tab", TABS[1:])
def test_each_tab_reads_in_chinese(workspace_path, tab):
    app = open_zh(tab)
    assert app.get("plotly_chart") or app.info
    assert left(app) == []


def test_survival_split_by_each_attribute_and_its_at_risk_table_read_in_chinese(workspace_path):
    app = open_zh("Survival (Kaplan–Meier)")
    found = []
    for compare in ("segment", "region", "tier", "none"):
        app.radio(key="compare").set_value(compare).run()
        found += left(app)
    assert found == []
    assert "对比维度" in [radio.label for radio in app.radio]


def test_the_projection_with_its_holdout_check_reads_in_chinese_in_quarters_and_years(workspace_path):
    app = open_zh("Projection (sBG)")
    app.toggle(key="holdout").set_value(True).run()
    held_out = next(m for m in app.metric if m.label == "留出期数上的误差")
    assert held_out.value.endswith("个百分点")
    app.slider(key="fit_periods").set_value(3).run()
    app.slider(key="horizon").set_value(30).run()
    found = left(app)
    app.segmented_control(key="period").set_value("year").run()
    assert found + left(app) == []


def test_a_workspace_with_one_quarter_explains_in_chinese_what_the_page_needs(workspace_path):
    ws = workspace_of(workspace_path)
    for upload_id in ws.uploads()["upload_id"].iloc[1:]:  # keep the newest quarter only
        ws.delete(int(upload_id), actor=LOCAL)
    app = open_zh()
    quarter = ws.quarters()[0]
    assert any(
        f"至少需要两个季度的数据；当前工作区只有1个（{quarter[:4]}年第{quarter[5]}季度）" in info.value
        for info in app.info
    )
    assert left(app) == []


def test_two_quarters_a_projection_that_is_a_guess_warns_in_chinese(workspace_path):
    with store.Workspace(workspace_path) as ws:
        ws.commit(
            sample.generate_panel(n_accounts=200, n_quarters=2, last_quarter="2026Q3", seed=5), "two.csv", actor=LOCAL
        )
    app = open_zh("Projection (sBG)")
    assert any("预测至少需要一个被观测满两个季度的同期群" in info.value for info in app.info)
    found = left(app)
    app.checkbox(key="leave_out_first").set_value(False).run()
    assert any(w.value.startswith("此处模型不可靠：只有一期续约数据") for w in app.warning)
    assert found + left(app) == []


def test_renewal_without_contract_dates_says_in_chinese_what_to_map(workspace_path):
    with store.Workspace(workspace_path) as ws:  # committed before the app opens: no sample seeding
        ws.commit(signups(2, 3, 4), "launch.csv", actor=LOCAL)
    app = open_zh("Renewal by contract cycle")
    assert any("需要合同到期日" in info.value for info in app.info)
    found = left(app)
    open_tab(app, "Projection (sBG)")
    assert found + left(app) == []


def test_the_first_cohort_reasons_in_chinese():
    with i18n.use("zh"):
        backlog = first_cohort_choice(signups(10, 2, 1, 3, 2, 9)).reason
        kept = first_cohort_choice(signups(2, 3, 4, 5, 6)).reason
        alone = first_cohort_choice(signups(5)).reason
        nobody = first_cohort_choice(signups(5, 0, 0)).reason
    assert backlog == (
        "2024年第1季度同期群（10个客户）已排除：它是其后4个同期群中位数（2）的5.0倍，超过3倍，"
        "看起来是数据起点之前入驻的存量客户，而非单个季度的新入驻。"
    )
    assert kept == (
        "2024年第1季度同期群（2个客户）予以保留：它是其后4个同期群中位数（4.5）的0.4倍，未超过3倍，"
        "看来数据正是从这些客户入驻时开始的。"
    )
    assert alone == "2024年第1季度同期群（5个客户）是唯一的同期群：数据只有一个季度。"
    assert nobody == "2024年第1季度同期群（5个客户）予以保留：其后2个季度没有新客户开始活跃，排除后将无人可跟踪。"


def test_an_sbg_fit_without_churn_warns_in_chinese():
    with i18n.use("zh"), pytest.warns(cohorts.SBGFitWarning) as caught:
        cohorts.ShiftedBetaGeometric().fit([100, 100, 100])
    assert str(caught[0].message) == "这些同期群中没有客户流失，模型无从学习流失"


def test_charts_name_their_axes_rows_and_bars_in_chinese():
    matrix = pd.DataFrame(
        {"accounts": [10, 20, 30], 0: [1.0, 1.0, 1.0], 1: [0.5, 0.6, 0.567]},
        index=pd.Index(["2024Q1", "2024Q2", cohorts.AVERAGE], name="cohort"),
    )
    cycles = pd.DataFrame(
        {"up_for_renewal": [4, 2], "renewed": [3, 1], "logo_rate": [0.75, 0.5], "gross_value_rate": [0.7, 0.4],
         "value_rate": [0.8, 0.5]},
        index=pd.Index(["1", cohorts.EARLIER_START], name="cycle"),
    )  # fmt: skip
    with i18n.use("zh"):
        heatmap = charts.retention_heatmap(matrix, "平台收入留存", as_share=True, period="quarter")
        curves = charts.cohort_curves(matrix, cohorts.AVERAGE, "平台收入留存（占入驻期的百分比）")
        bars = charts.renewal_cycles(cycles)
    assert list(heatmap.data[0].y) == ["2024年第1季度", "2024年第2季度", "加权平均"]
    assert heatmap.layout.xaxis.title.text == "入驻后季度数"
    assert curves.data[0].hovertemplate == "2024年第1季度同期群 · 第%{x}期：%{y:.1%}<extra></extra>"
    assert [trace.name for trace in curves.data[-2:]] == ["各入驻同期群", "按规模加权平均"]
    yearly = matrix.set_axis(["2024", "2025", cohorts.AVERAGE])
    with i18n.use("zh"):
        assert list(charts.retention_heatmap(yearly, "x", as_share=True, period="year").data[0].y) == [
            "2024年",
            "2025年",
            "加权平均",
        ]
    assert heatmap.data[0].hovertemplate.startswith("%{y}同期群 · 第%{x}期<br>平台收入留存：%{text}")
    assert list(bars.data[0].x) == ["第1周期", "数据起点前已入驻"]
    assert bars.data[0].name == "已续约客户（%）"
    assert "%{customdata[0]:,}份合同中有%{customdata[1]:,}份已续约" in bars.data[0].hovertemplate


def test_tables_and_downloads_name_their_columns_and_summary_rows_in_chinese():
    km = pd.DataFrame(
        {"at_risk": [5.0], "survival": [1.0]}, index=pd.MultiIndex.from_tuples([("KA", 0)], names=["tier", "age"])
    )
    triangle = pd.DataFrame({"accounts": [3], 0: [1.0]}, index=pd.Index([cohorts.AVERAGE], name="cohort"))
    with i18n.use("zh"):
        shown_km, shown_triangle = cohort_views.shown(km), cohort_views.shown(triangle)
    assert list(shown_km.index.names) == ["层级", "入驻后期数"] and list(shown_km.columns) == ["在险客户", "生存率"]
    assert list(shown_triangle.index) == ["加权平均"] and list(shown_triangle.columns) == ["客户数", 0]
    with i18n.use("en"):
        assert cohort_views.shown(km).equals(km) and list(cohort_views.shown(km).index.names) == ["tier", "age"]
        assert np.array_equal(cohort_views.shown(triangle).index, triangle.index)


def test_the_open_tab_stays_open_when_the_language_changes(workspace_path):
    app = open_zh("Projection (sBG)")
    app.query_params["lang"] = "en"
    with i18n.use("en"):
        app.run()
    assert not app.exception, app.exception
    assert app.session_state[OPEN_TAB] == "Projection (sBG)"
    assert any(m.label == "Error on held-out ages" for m in app.metric)
