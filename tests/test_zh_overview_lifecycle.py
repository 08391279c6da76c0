"""The Overview and the Lifecycle priorities read in Chinese (``?lang=zh``): every state a user
reaches shows no English word of the app's own (``tests.zh_text``), and the sentences the core
writes for them (reasons, stage evidence, distances) read as hand-checked Chinese, with amounts in
万 and 亿 and quarters as 2025年第3季度."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from b2b_core import charts, i18n, lifecycle, overview, playbook, sample, store
from b2b_core.access import LOCAL
from b2b_core.ingest import read_upload
from b2b_core.lifecycle import Check
from tests import panels
from tests.apptest import APP, open_app, workspace_of
from tests.zh_text import english_left, shown_texts
from ui import warm_up

ZH = {"lang": "zh"}


def commit(workspace_path, table: pd.DataFrame, name: str) -> None:
    with store.Workspace(workspace_path) as ws:
        ws.commit(table, name, actor=LOCAL)


@pytest.fixture
def peak_export(workspace_path):
    """The workspace holds an ops lead's own export (no sample notice): 2023Q3 … 2025Q4 with 2024Q2
    missing, revenue peaking every Q4, B-side revenue left blank for some accounts."""
    result = read_upload(panels.q4_peak_export(), "merchants_q4_peak.csv")
    commit(workspace_path, result.table, "merchants_q4_peak.csv")
    return workspace_path


def left(app) -> list[str]:
    assert not app.exception, app.exception
    return english_left(shown_texts(app))


# The Overview -------------------------------------------------------------------------------------


def test_the_overview_in_chinese_first_render(peak_export):
    app = open_app("pages/home.py", query_params=ZH)
    assert left(app) == []
    assert app.title[0].value == "总览"
    assert any(c.value == "**2025年第4季度**，对比2025年第3季度（环比）" for c in app.caption)
    assert app.selectbox(key="overview:quarter").options[0] == "2025年第4季度"


def test_the_overview_in_chinese_other_quarter_comparison_revenue_and_split(peak_export):
    app = open_app("pages/home.py", query_params=ZH)
    app.segmented_control(key="overview:comparison").set_value("year").run()
    assert left(app) == []
    assert any(c.value == "**2025年第4季度**，对比2024年第4季度（同比）" for c in app.caption)
    app.segmented_control(key="overview:revenue").set_value("b_side_revenue").run()
    app.segmented_control(key="overview:split").set_value("segment").run()
    assert left(app) == []
    app.segmented_control(key="overview:comparison").set_value("quarter")
    app.selectbox(key="overview:quarter").select("2024Q3").run()  # after the missing quarter
    assert left(app) == []
    assert any(c.value == "**2024年第3季度**，无对比：数据中没有2024年第2季度" for c in app.caption)
    assert any(i.value.startswith("2024年第3季度没有收入桥：数据中没有2024年第3季度的上一季度") for i in app.info)
    app.selectbox(key="overview:quarter").select("2023Q3").run()  # the first quarter
    assert left(app) == []


def test_the_overview_in_chinese_with_filters_set(peak_export):
    app = open_app("pages/home.py", query_params=ZH)
    region = app.multiselect(key="filter:region").options[0]
    app.multiselect(key="filter:region").set_value([region]).run()
    assert left(app) == []
    assert any(c.value.startswith("筛选条件按客户最新的") for c in app.caption)
    assert app.multiselect(key="filter:segment").placeholder == "全部"


def test_the_overview_in_chinese_without_b_side_revenue(workspace_path):
    for quarter in ("2025Q3", "2025Q4"):
        table = pd.DataFrame({"account_id": ["A", "B"], "quarter": quarter, "platform_revenue": [1.0, 2.0]})
        commit(workspace_path, table, f"{quarter}.csv")
    app = open_app("pages/home.py", query_params=ZH)
    assert left(app) == []
    take_rate = next(m for m in app.metric if m.label == "抽佣率")
    assert take_rate.help.startswith("2025年第4季度没有任何记录填报B端收入。")
    app.segmented_control(key="overview:revenue").set_value("b_side_revenue").run()
    assert left(app) == []
    assert any(i.value == "2025年第3季度和2025年第4季度都没有B端收入数据：无从拆解。" for i in app.info)


def test_the_overview_sentences_in_chinese():
    kpis = overview.quarter_kpis(panels.with_gap())
    gap_after = next(q for q in kpis.index if pd.isna(kpis.loc[q, "churned_accounts"]) and q != kpis.index[0])
    with i18n.use("zh"):
        reason = overview.value_unknown(kpis, "churned_accounts", gap_after)
        lines = overview.unknown_values(kpis)
        quick = overview.quick_ratio_meaning(1.5, "2025Q3")
        nothing = overview.quick_ratio_meaning(math.nan, "2025Q3")
        first = overview.why_no_bridge("2025Q1", ["2025Q1", "2025Q2"])
        headers = list(overview.formatted_kpis(kpis).columns)
    assert reason.endswith("：无法得知谁流失、谁回流") and reason.startswith("数据中没有")
    assert any(line.endswith(reason) and "流失客户和回流客户" in line for line in lines)
    assert quick == (
        "每减少一单位收入对应增加的收入：（新增 + 回流 + 扩展）/（缩减 + 流失）。"
        "大于1说明收入盘子在增长：2025年第3季度为1.50。"
    )
    assert nothing == "2025年第3季度没有任何收入减少（既无缩减也无流失）：快速比率没有分母。"
    assert first == "2025年第1季度是数据中的第一个季度：收入桥需要它的上一季度2024年第4季度"
    assert headers == ["活跃客户", "平台收入", "B端收入", "抽佣率", "新增客户", "流失客户", "回流客户"]


def test_the_bridge_chart_in_chinese_writes_amounts_in_wan_and_yi():
    row = pd.Series(
        {"start": 120_000_000, "new": 45_430_000, "reactivated": 0, "expansion": 2_000_000, "contraction": 1_000_000,
         "churned": 3_000_000, "end": 163_430_000}
    )  # fmt: skip
    with i18n.use("zh"):
        figure = charts.revenue_bridge_waterfall(row, "2025Q3")
    assert figure.layout.title.text == "平台收入：2025年第2季度 → 2025年第3季度"
    assert list(figure.data[0].x) == ["2025Q2", "新增", "回流", "扩展", "缩减", "流失", "2025Q3"]
    assert list(figure.data[0].text) == ["1.2亿", "4,543万", "0", "200万", "100万", "300万", "1.6亿"]
    assert figure.layout.yaxis.title.text == "每季度平台收入"


# The Lifecycle page -------------------------------------------------------------------------------


def test_the_lifecycle_page_in_chinese_first_render(peak_export):
    app = open_app("pages/lifecycle.py", query_params=ZH)
    assert left(app) == []
    assert app.title[0].value == "生命周期优先事项"
    assert app.subheader[0].value.startswith("2025年第4季度所处阶段：")
    assert app.selectbox(key="model").options == ["平台", "工具 / SaaS", "硬件", "服务"]


def test_the_lifecycle_page_in_chinese_other_model_stage_and_thresholds(peak_export):
    app = open_app("pages/lifecycle.py", query_params=ZH)
    app.selectbox(key="model").set_value("hardware").run()
    assert left(app) == []
    app.selectbox(key="stage").set_value("contraction").run()
    assert left(app) == []
    assert any(w.value == "下方的优先级假定处于收缩期，而不是数据显示的阶段。" for w in app.warning)
    app.number_input(key="threshold:accelerated_revenue_growth").set_value(500.0)
    app.number_input(key="threshold:accelerated_account_growth").set_value(500.0).run()
    assert left(app) == []
    app.number_input(key="threshold:cold_start_accounts").set_value(1000).run()  # above traction's
    assert left(app) == []
    assert any(w.value.startswith("这些阈值无法使用（") for w in app.warning)


def test_the_lifecycle_page_in_chinese_saves_weights_and_goes_back_to_the_file(peak_export):
    app = open_app("pages/lifecycle.py", query_params=ZH)
    stage = lifecycle.detect_stage(lifecycle.company_metrics(workspace_of(peak_export).panel()))[-1].assumes
    key = f"weights:{stage}:platform:0"
    app.session_state[key] = {"edited_rows": {0: {"权重": 50.0}}, "added_rows": [], "deleted_rows": []}
    app.run()
    assert left(app) == []
    app.button(key="save_weights").click().run()
    assert left(app) == []
    assert any(s.value.startswith("已保存") for s in app.success)
    assert any("这些权重已保存在工作区中。" in c.value for c in app.caption)
    app.button(key="unsave_weights").click().run()
    assert left(app) == []


@pytest.mark.parametrize(("accounts", "stage"), [(40, "冷启动期"), (2_000, "历史数据不足（2个季度）")])
def test_the_lifecycle_page_in_chinese_on_a_young_workspace(workspace_path, accounts, stage):
    panel = sample.generate_panel(n_accounts=accounts, n_quarters=2, last_quarter="2026Q3", seed=3)
    commit(workspace_path, panel, "two_quarters.csv")
    app = open_app("pages/lifecycle.py", query_params=ZH)
    assert left(app) == []
    assert app.subheader[0].value == f"2026年第3季度所处阶段：{stage}"


# Stage evidence and distances ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "text"),
    [
        (Check("active_accounts", 23_500, "<", 50, False, "cold_start"), "冷启动期：活跃客户数低于50？否（23,500）"),
        (
            Check("quarters_of_history", 3, "<", 4, True, lifecycle.NOT_ENOUGH_HISTORY),
            "历史数据不足：历史季度数低于4？是（3）",
        ),
        (
            Check("platform_revenue_growth_annual", -0.41, "<", -0.05, True, "contraction"),
            "收缩期：平台收入增长率（年化）低于-5%？是（-41%）",
        ),
        (
            Check("active_accounts_growth_annual", math.nan, "≥", 0.3, False, "accelerated_growth"),
            "加速增长期：活跃客户增长率（年化）不低于30%？否（未知）",
        ),
    ],
)
def test_each_check_reads_in_chinese(check, text):
    with i18n.use("zh"):
        assert lifecycle.check_text(check) == text


def stage_of(history, accounts, revenue_growth=math.nan, account_growth=math.nan):
    row = pd.DataFrame(
        {
            "quarters_of_history": [history],
            "active_accounts": [accounts],
            "platform_revenue_growth_annual": [revenue_growth],
            "active_accounts_growth_annual": [account_growth],
        },
        index=pd.Index(["2025Q3"], name="quarter"),
    )
    return lifecycle.detect_stage(row)[-1]


def test_the_stage_names_and_distances_read_in_chinese():
    with i18n.use("zh"):
        cold = stage_of(6, 20)
        short = stage_of(1, 400)
        steady = stage_of(6, 1200, 0.25, 0.10)
        falling = stage_of(8, 23_500, -0.41, -0.38)
        fast = stage_of(6, 1200, 0.55, 0.35)
        names = (cold.name, short.name, steady.name, falling.name, fast.name)
    assert names == ("冷启动期", "历史数据不足（1个季度）", "稳定增长期", "收缩期", "加速增长期")
    assert cold.distance == ("还需30个活跃客户",)
    assert short.distance == ("还需3个季度的历史数据",)
    assert steady.distance == (
        "要么平台收入增长率（年化）提高15个百分点，达到40%（目前25%）",
        "或者活跃客户增长率（年化）提高20个百分点，达到30%（目前10%）",
    )
    assert falling.distance == (
        "要么平台收入增长率（年化）回升到至少-5%（目前-41%）",
        "或者活跃客户增长率（年化）回升到至少-5%（目前-38%）",
    )
    assert fast.distance == (
        "平台收入增长率（年化）降到40%以下（目前55%）",
        "并且活跃客户增长率（年化）降到30%以下（目前35%）",
    )


def test_names_and_playbook_messages_in_chinese():
    with i18n.use("zh"):
        models = [playbook.business_model_name(m) for m in playbook.BUSINESS_MODELS]
        assert models == ["平台", "工具 / SaaS", "硬件", "服务"]
        assert [lifecycle.stage_name(s) for s in playbook.STAGES] == [
            "冷启动期", "起量期", "加速增长期", "稳定增长期", "收缩期"
        ]  # fmt: skip
        assert playbook.rule_name("renewal_below_target") == "续约低于目标"
        assert playbook.rule_name("my_own_rule") == "my own rule"  # the facilitator's own rule keeps its id
        with pytest.raises(playbook.PlaybookError) as raised:
            playbook.parse_playbook({}, source="playbook.zh.toml")
        with pytest.raises(ValueError) as contradicting:
            lifecycle.thresholds_from({"cold_start_accounts": 400})
    assert str(raised.value) == "playbook.zh.toml：缺少 [quadrants] 部分；请添加 [quadrants.I] … [quadrants.IV]"
    assert str(contradicting.value) == (
        "“走出冷启动期所需的活跃客户数”（400）不能超过“走出起量期所需的活跃客户数”（300）：起量期在冷启动期之后"
    )


def test_the_warm_up_line_names_its_step_in_chinese():
    with i18n.use("zh"):
        assert warm_up.step_text("the quadrants of 2025Q3") == "2025年第3季度的象限"
        assert warm_up.step_text("the clusters of 2025Q4") == "2025年第4季度的聚类"
        assert warm_up.step_text("the revenue bridge") == "收入桥"
    assert warm_up.step_text("the quadrants of 2025Q3") == "the quadrants of 2025Q3"


def test_sentences_are_joined_without_a_space_in_chinese():
    from ui import format as fmt

    with i18n.use("zh"):
        assert fmt.sentences("未保存。", "", "请重试。") == "未保存。请重试。"
    assert fmt.sentences("Not saved.", "", "Try again.") == "Not saved. Try again."


def test_the_views_prepared_for_a_session_in_chinese_serve_its_pages(workspace_path, monkeypatch):
    monkeypatch.setenv(warm_up.SWITCH, "1")
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["lang"] = "zh"  # the first run, which starts the preparation, reads Chinese
    app.run()
    captions = [c.value for c in app.sidebar.caption]
    assert any(c.startswith("正在后台准备") for c in captions), captions
    assert warm_up.wait(120)

    def refused(self, reduction):
        raise AssertionError("the page asked the engine for a view that should have been prepared")

    monkeypatch.setattr(store.Workspace, "reduce", refused)
    app.switch_page("pages/lifecycle.py").run()  # its views were prepared in the session's language
    assert not app.exception, app.exception
    assert app.title[0].value == "生命周期优先事项"
