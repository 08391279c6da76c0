"""The Scenario lab read in Chinese: every state a user reaches (a lever moved and timed, the
tools under "Look further", a base assumption set by hand, goal seek and its answer saved, saved
scenarios reopened, renamed and deleted, plan vs actual, a broken link, data without B-side revenue
or with a single quarter) shows no English text of the app's own; the lab's sentences, tables,
charts and downloads in Chinese, checked by hand.

The page's own area is read (``app.main``): the sidebar is the app shell's, read on every page by
``tests/test_zh_pages.py``. The workspace holds the sample's quarters as uploaded files, so the
page is the lab's alone (no notice of the bundled sample)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from b2b_core import i18n, sample, scenarios
from b2b_core.access import LOCAL, shown_actor
from b2b_core.scenarios import Scenario
from b2b_core.scenarios.series import SeriesForecast
from b2b_core.store import Workspace
from tests.apptest import commit_sample_quarter, open_app, seeded_up_to, shown, workspace_of
from tests.zh_text import _collect, english_left

PAGE = "pages/scenarios.py"


def lab_in_chinese(**params: str | list[str]) -> AppTest:
    """The lab in a new session read in Chinese, opened with the link's ``params``."""
    return open_app(PAGE, query_params={"lang": "zh", **params})


# Words that are not the app's: the scenario names the tests type (quoted as 'Good' in messages),
# and the levers' keys, which a link writes as they are (a broken link's message lists them)
NAMES = {"renewal", "push", "good", "bad", "speed"}
TYPED = frozenset(NAMES | {f"{w}'" for w in NAMES} | {w for key in scenarios.LEVER_KEYS for w in key.split("_")})


def english_on_the_lab(app: AppTest) -> list[str]:
    """The texts of the page's own area still holding an English word of the app's."""
    assert not app.exception, app.exception
    texts: list[str] = []
    _collect(app.main, texts)
    return english_left([text for text in texts if text.strip()], TYPED)


def tool(app: AppTest, name: str) -> None:
    """Show the tool ``name`` (``tornado``, ``goal``, ``plan``, ``base``) under "Look further"."""
    app.segmented_control(key="lab:tool").set_value(name).run()


@pytest.fixture
def uploaded(workspace_path):
    seeded_up_to(workspace_path, "2026Q3")
    return workspace_path


def test_the_lab_opens_in_chinese(uploaded):
    app = lab_in_chinese()
    assert english_on_the_lab(app) == []
    assert app.title[0].value == "情景实验室"
    assert "续约率提升（个百分点）" in [s.label for s in app.slider]
    chart = app.get("plotly_chart")[0].proto.spec
    assert "基准预测" in chart and "实际观测" in chart and "区间带" in chart


def test_a_moved_and_timed_lever_saved_and_every_tool_read_in_chinese(uploaded):
    app = lab_in_chinese()
    app.button(key="lab:new").click().run()
    scenario_id = app.session_state["lab:selected"]
    assert app.session_state["lab:scenarios"][scenario_id].name == "情景"  # the new scenario's name
    app.slider(key=f"lever:{scenario_id}:renewal_uplift").set_value(2.0).run()
    app.slider(key=f"lever:{scenario_id}:new_account_growth").set_value(40.0).run()
    app.number_input(key=f"timing:{scenario_id}:new_account_growth:start").set_value(3).run()
    app.number_input(key=f"timing:{scenario_id}:new_account_growth:ramp").set_value(2).run()
    assert english_on_the_lab(app) == []
    table = next(t.value for t in app.dataframe if "新客户增长（%）" in t.value.index)
    assert table.loc["新客户增长（%）", "情景"] == "+40%，自2027年第2季度起，2个季度后完全生效"  # 2026Q4 is the first
    assert list(table.columns) == ["基准预测", "情景"]
    app.button(key="lab:save").click().run()
    assert english_on_the_lab(app) == []
    assert any("已将'情景'保存到工作区" in s.value for s in app.success)
    for name in ("goal", "plan", "base", "tornado"):
        tool(app, name)
        assert english_on_the_lab(app) == [], name
    app.number_input(key="range:renewal_uplift").set_value(4.0).run()  # a range of one's own
    assert english_on_the_lab(app) == []
    assert "续约率提升 ± 4个百分点" in app.get("plotly_chart")[1].proto.spec


def test_a_base_assumption_set_by_hand_and_goal_seek_read_in_chinese(uploaded):
    app = lab_in_chinese()
    tool(app, "base")
    app.selectbox(key="base:assumption").set_value("new_accounts").run()
    app.number_input(key="base:value:new_accounts").set_value(500.0).run()
    app.button(key="base:set").click().run()
    assert english_on_the_lab(app) == []
    assert any("每季度新客户数现为500个客户" in s.value for s in app.success)
    assert any("每季度新客户数500个客户（本地用户，" in i.value for i in app.info)
    listed = next(t.value for t in app.table if "手动设定" in t.value.columns)
    assert listed.loc["每季度新客户数", "设定人"].startswith("本地用户, 20")
    assert "新客户数每季度固定为500（手动设定）" in " ".join(m.value for m in app.markdown)
    app.button(key="base:clear").click().run()
    assert english_on_the_lab(app) == []

    app.button(key="lab:new").click().run()
    app.slider(key=f"lever:{app.session_state['lab:selected']}:renewal_uplift").set_value(2.0).run()
    tool(app, "goal")
    app.checkbox(key="goal:mix").check().run()
    assert english_on_the_lab(app) == []
    goal = next(t.value for t in app.table if "所需取值" in t.value.columns)
    assert goal.loc["续约率提升", "结论"] == "可以达到"
    assert goal.loc["这些情景参数组合", "所需取值"].startswith("× ")
    app.number_input(key="goal:target:active_accounts").set_value(1e9).run()  # beyond every lever
    assert english_on_the_lab(app) == []
    assert any("没有任何情景参数能在其范围内单独达到目标" in c.value for c in app.caption)
    app.number_input(key="goal:target:active_accounts").set_value(3000.0).run()
    app.button(key="goal:save").click().run()
    assert english_on_the_lab(app) == []
    assert any(
        name.startswith("2028年第3季度活跃客户")
        for name in (s.name for s in app.session_state["lab:scenarios"].values())
    )


def test_saved_scenarios_reopened_renamed_and_deleted_read_in_chinese(uploaded):
    with Workspace(uploaded) as ws:
        ws.save_scenario("Renewal push", {"renewal_uplift": 3.0}, actor=LOCAL)
        ws.save_scenario("价格调整", {"take_rate_change": 0.5}, actor=LOCAL)
    app = lab_in_chinese()
    assert english_on_the_lab(app) == []
    assert [s.name for s in app.session_state["lab:scenarios"].values()] == ["Renewal push", "价格调整"]
    app.segmented_control(key="lab:selected").set_value(1).run()
    assert english_on_the_lab(app) == []
    app.text_input(key="lab:new_name").set_value("价格调整").run()
    app.button(key="lab:rename").click().run()
    assert english_on_the_lab(app) == []
    assert any(e.value.startswith("未重命名：已有其他情景名为'价格调整'") for e in app.error)
    app.button(key="lab:duplicate").click().run()
    assert [s.name for s in app.session_state["lab:scenarios"].values()][-1] == "Renewal push 副本"
    app.button(key="lab:delete").click().run()
    assert english_on_the_lab(app) == []
    assert any(s.value == "已删除'Renewal push 副本'。" for s in app.success)
    app.segmented_control(key="lab:selected").set_value(0).run()
    app.button(key="lab:duplicate").click().run()
    assert [s.name for s in app.session_state["lab:scenarios"].values()][-1] == "基准预测 副本"
    assert english_on_the_lab(app) == []


def test_plan_vs_actual_read_in_chinese(workspace_path):
    seeded_up_to(workspace_path, "2026Q1")
    app = lab_in_chinese()
    app.button(key="lab:new").click().run()
    app.slider(key=f"lever:{app.session_state['lab:selected']}:renewal_uplift").set_value(2.0).run()
    app.button(key="lab:save").click().run()
    tool(app, "plan")
    assert english_on_the_lab(app) == []
    assert "情景：基于2026年第1季度的数据保存：其第一个计划季度2026年第2季度尚未进入数据。" in [
        c.value for c in app.caption
    ]
    ws = workspace_of(workspace_path)
    commit_sample_quarter(ws, "2026Q2")
    commit_sample_quarter(ws, "2026Q3")
    app.run()
    assert english_on_the_lab(app) == []
    record = next(m.value for m in app.markdown if m.value.startswith("- **情景**"))
    assert "本地用户保存于20" in record and "基于截至2026年第1季度的数据，计划8个季度" in record
    table = next(t.value for t in app.dataframe if "B端客户计划" in t.value.columns)
    assert list(table.index) == [("情景", "2026年第2季度"), ("情景", "2026年第3季度")]
    assert table.index.names == ["情景", "季度"]
    chart = app.get("plotly_chart")[1].proto.spec
    assert "情景（计划）" in chart and "实际" in chart


def test_a_broken_link_says_in_chinese_what_was_left_out(uploaded):
    app = lab_in_chinese(scenario=["Good;expansion=1", "Bad;speed=3", "Good;renewal_uplift=1"], show="Good")
    assert english_on_the_lab(app) == []
    warnings = [shown(w.value) for w in app.warning]
    assert any(w.startswith("链接中的一个情景未能打开：链接中的情景片段'speed=3'不是") for w in warnings)
    assert any("屏幕上已有其他情景使用名称'Good'" in w for w in warnings)


def test_data_without_b_side_revenue_and_a_single_quarter_read_in_chinese(workspace_path):
    with Workspace(workspace_path) as ws:
        ws.commit(sample.generate_panel(300, 6).drop(columns="b_side_revenue"), "no_b_side.csv", actor=LOCAL)
    app = lab_in_chinese()
    app.button(key="lab:new").click().run()
    app.segmented_control(key="lab:metric").set_value("take_rate").run()
    assert english_on_the_lab(app) == []
    assert app.slider(key="lever:1:take_rate_change").help.endswith("需要B端收入，而数据中没有。")
    tool(app, "base")
    assert english_on_the_lab(app) == []


def test_a_single_quarter_says_in_chinese_why_nothing_can_be_projected(workspace_path):
    with Workspace(workspace_path) as ws:
        ws.commit(sample.generate_panel(200, 1), "one_quarter.csv", actor=LOCAL)
    app = lab_in_chinese()
    assert english_on_the_lab(app) == []
    assert app.info[0].value.startswith("暂时无法开始预测：预测需要续约数据")


# The lab's sentences in Chinese, checked by hand -----------------------------------------------


def test_levers_and_assumptions_are_named_in_the_current_language():
    lever = scenarios.BY_KEY["renewal_uplift"]
    assert (lever.label, lever.unit) == ("Renewal uplift", "points")
    with i18n.use("zh"):
        assert (lever.label, lever.unit) == ("续约率提升", "个百分点")
        assert scenarios.ASSUMPTIONS["new_accounts"].label == "每季度新客户数"
        assert scenarios.ASSUMPTIONS["new_account_revenue"].unit == ""
        assert scenarios.with_unit(5, lever.unit, sign=True) == "+5个百分点"
        assert scenarios.shown_name(scenarios.BASE_NAME) == "基准预测" and scenarios.shown_name("A") == "A"
        assert shown_actor(LOCAL.name) == "本地用户"
        with pytest.raises(ValueError, match="续约率提升（情景 'X'）为30个百分点；请在-20到20之间取值"):
            Scenario("X", renewal_uplift=30)
    assert scenarios.with_unit(5, "points", sign=True) == "+5 points"
    assert LOCAL.name == "local user"  # the store and the audit trail keep it in English


def test_the_evidence_of_a_model_reads_in_chinese():
    grown = SeriesForecast(
        "damped trend", np.array([110.0, 121.0, 133.1, 146.41]), {"damped trend": 0.06, "flat": 0.19}, latest=100.0
    )
    held = SeriesForecast("overridden", np.full(4, 300.0))
    rate = SeriesForecast("flat", np.full(4, 0.1), {"flat": 0.02}, subject="the take rate", rate=True)
    with i18n.use("zh"):
        assert grown.evidence() == "新客户数每季度+10.0%（阻尼趋势）；优于持平：回测误差6.0%，而持平为19%"
        assert held.evidence() == "新客户数每季度固定为300（手动设定）"
        assert rate.evidence() == "抽佣率固定为10.0%，即最近四个季度的均值（持平）；历史数据太短，无法回测其他模型"
    assert grown.evidence() == (
        "new accounts +10.0% a quarter (damped trend); chosen over flat: back-test error 6.0% against 19% for flat"
    )


def test_a_kept_projection_waiting_for_its_quarters_says_so_in_chinese():
    frame = pd.DataFrame(
        {c: [1.0] for o in ("active_accounts", "platform_revenue") for c in (o, f"{o}_lower", f"{o}_upper")},
        index=pd.Index(["2026Q4"], name="quarter"),
    )
    kept = scenarios.KeptProjection.of(frame, "2026Q3")
    with i18n.use("zh"):
        assert scenarios.waiting_text(kept) == "基于2026年第3季度的数据保存：其第一个计划季度2026年第4季度尚未进入数据"


def test_the_lab_downloads_name_their_columns_in_chinese():
    from ui import scenario_exports

    table = pd.DataFrame(
        {
            "renewal_uplift": [0.0, 2.0],
            "platform_revenue_total": [1.2e8, 1.3e8],
            "platform_revenue_total_vs_base": [0, 1e7],
        },
        index=pd.Index(["Base", "Renewal push"], name="scenario"),
    )
    assert scenario_exports.export(table) is table  # English keeps the keys
    with i18n.use("zh"):
        shown = scenario_exports.export(table)
    assert list(shown.columns) == ["续约率提升", "预测期内平台收入", "预测期内平台收入（相对基准预测的变化）"]
    assert list(shown.index) == ["基准预测", "Renewal push"] and shown.index.name == "情景"
