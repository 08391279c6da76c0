"""The Revenue quadrants and Accounts pages read in Chinese (``?lang=zh``): every state a user
reaches shows no English word of the app's own (``tests.zh_text``), and their key sentences,
figures and downloads' headers in Chinese, checked by hand.

AppTest formats a widget's options with the page's ``format_func`` in the test's own thread when
it sends the next interaction: the interactions run with the test's language set to Chinese too
(``chinese``), as the page's run has it.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from b2b_core import accounts, charts, i18n, quadrants, sample, store
from b2b_core.access import LOCAL
from b2b_core.headers import headed
from b2b_core.playbook import load_playbook, playbook_path
from tests import panels
from tests.apptest import open_app, workspace_of
from tests.zh_text import english_left, shown_texts
from ui import quadrant_views

QUADRANTS_PAGE, ACCOUNTS_PAGE = "pages/quadrants.py", "pages/accounts.py"
ZH = {"lang": "zh"}


@pytest.fixture
def chinese():
    """The test's own language Chinese while it drives a page read in Chinese."""
    with i18n.use("zh"):
        yield


FILTERS = {"Segment", "Region", "Tier", "Owner", "All"}  # ui.filters' labels and option, another area's texts
SAMPLE_NOTE = "is the bundled sample of a fictional platform"  # ui.shell's note on the sample, another area's


def left(app) -> list[str]:
    """The texts of the page's own (not of the filters or the sample's note) holding English."""
    assert not app.exception, app.exception
    return [text for text in english_left(shown_texts(app)) if text not in FILTERS and not foreign(text)]


def foreign(text: str) -> bool:
    return SAMPLE_NOTE in text or text.startswith(":orange-badge[:material/science:")


# The Revenue quadrants page ---------------------------------------------------------------------


def test_every_view_of_the_quadrant_page_reads_in_chinese(workspace_path, chinese):
    app = open_app(QUADRANTS_PAGE, query_params=ZH)
    found = left(app)
    for view in quadrant_views_shown():
        app.segmented_control(key="view").set_value(view).run()
        found += left(app)
    assert found == []


def quadrant_views_shown() -> list[str]:
    return ["Play through quarters", "Migration", "Movers", "Clusters", "Mix over time", "Map"]


def test_the_map_searched_coloured_and_cut_otherwise_reads_in_chinese(workspace_path, chinese):
    app = open_app(QUADRANTS_PAGE, query_params=ZH)
    app.text_input(key="find").input("M000082, bakery, 不存在").run()
    found = left(app)
    assert any(text.startswith("找到：**M000082**") for text in shown_texts(app))
    for key, value in (("colour_by", "cluster"), ("size_by", "contract_value"), ("cut", "percentile")):
        app.selectbox(key=key).set_value(value).run()
        found += left(app)
    app.selectbox(key="cut").set_value("value").run()
    found += left(app)
    app.selectbox(key="cut").set_value("median").run()
    app.selectbox(key="cut_by").set_value("segment").run()
    found += left(app)
    app.toggle(key="log_axes").set_value(False).run()
    found += left(app)
    assert found == []


def test_another_quarter_and_the_first_one_read_in_chinese(workspace_path, chinese):
    app = open_app(QUADRANTS_PAGE, query_params=ZH)
    quarters = workspace_of(workspace_path).quarters()
    app.select_slider(key="quarter").set_value(quarters[-3]).run()
    found = left(app)
    app.segmented_control(key="view").set_value("Migration").run()
    app.select_slider(key="quarter").set_value(quarters[0]).run()
    found += left(app)
    assert "2023年第4季度是工作区中的第一个季度：没有可以对比的季度。" in [info.value for info in app.info]
    assert found == []


def test_accounts_tied_at_the_cut_are_explained_in_chinese(workspace_path, chinese):
    panel = sample.generate_panel(n_accounts=300, n_quarters=2, last_quarter="2026Q3", seed=3)
    with store.Workspace(workspace_path) as ws:
        ws.commit(panels.one_take_rate(panel), "one_rate.csv", actor=LOCAL)
    app = open_app(QUADRANTS_PAGE, query_params=ZH)
    note = next(info.value for info in app.info if "位于分界点" in info.value)
    assert "的B端收入同为中位数" in note and "不算作“低”，也不计入任何象限" in note
    assert any(m.value.startswith("**位于分界点**") for m in app.markdown)
    found = left(app)
    app.selectbox(key="cut_by").set_value("segment").run()
    assert left(app) == found == []


def test_a_quarter_without_b_side_revenue_says_what_the_map_needs_in_chinese(workspace_path):
    panel = sample.generate_panel(n_accounts=100, n_quarters=2, last_quarter="2026Q3", seed=2)
    with store.Workspace(workspace_path) as ws:
        ws.commit(panel.assign(b_side_revenue=float("nan")), "saas.csv", actor=LOCAL)
    app = open_app(QUADRANTS_PAGE, query_params=ZH)
    assert app.warning[0].value.startswith("2026年第3季度没有任何客户有 B端收入，因此无法落位")
    assert left(app) == []


# The Accounts page ------------------------------------------------------------------------------


def test_every_list_of_the_accounts_page_reads_in_chinese(workspace_path, chinese):
    app = open_app(ACCOUNTS_PAGE, query_params=ZH)
    found = left(app)
    assert any(c.value.startswith("2026年第3季度的**流失客户**：上季度活跃，本季度未活跃。共") for c in app.caption)
    for kind in [*accounts.KINDS, "renewal calendar"]:
        app.segmented_control(key="accounts:view").set_value(kind).run()
        found += left(app)
    app.selectbox(key="accounts:quarter").set_value("2024Q1").run()
    found += left(app)
    assert found == []


def test_search_and_an_accounts_page_read_in_chinese(workspace_path, chinese):
    app = open_app(ACCOUNTS_PAGE, query_params=ZH)
    app.text_input(key="accounts:find").input("M000082, bakery, 不存在").run()
    found = left(app)
    assert any("未找到：不存在。" in caption.value for caption in app.caption)
    app.query_params["account"] = "M000082"
    app.run()
    found += left(app)
    assert [m.label for m in app.metric] == ["2026年第3季度平台收入", "活跃季度", "合同于 2027-06-30 到期"]
    assert any("象限轨迹：2023年第4季度：I · 核心伙伴 → " in m.value for m in app.markdown)
    app.query_params["account"] = "M999999"
    app.run()
    found += left(app)
    assert app.warning[0].value == "数据中没有 ID 为 **M999999** 的客户。请在下方搜索。"
    assert found == []


def test_the_accounts_lists_link_each_account_in_the_chosen_language(workspace_path):
    app = open_app(ACCOUNTS_PAGE, query_params=ZH)
    links = app.dataframe[0].value["页面"]
    assert links.str.fullmatch(r"accounts\?account=M\d+&lang=zh").all()


def test_a_quarter_without_contract_ends_says_the_calendar_needs_them_in_chinese(workspace_path, chinese):
    open_app()  # creates the workspace with the sample
    ws = workspace_of(workspace_path)
    panel = ws.panel([ws.quarters()[-1]]).drop(columns=["contract_end", "contract_value"])
    ws.commit(panel.assign(quarter="2030Q1"), "plain.csv", actor=LOCAL)
    app = open_app(ACCOUNTS_PAGE, query_params=ZH)
    app.selectbox(key="accounts:quarter").set_value("2030Q1").run()
    app.segmented_control(key="accounts:view").set_value("renewal calendar").run()
    assert any(i.value.startswith("2030年第1季度的数据没有合同到期日") for i in app.info)
    assert left(app) == []


# Key sentences, figures and headers ------------------------------------------------------------


def test_the_states_and_the_quadrant_labels_in_chinese():
    book = load_playbook(playbook_path("zh"))
    with i18n.use("zh"):
        assert [book.label(q) for q in (*quadrants.QUADRANTS, quadrants.AT_CUT, "churned")] == [
            "I · 核心伙伴",
            "II · 流失风险",
            "III · 观察",
            "IV · 变现不足",
            "位于分界点",
            "流失客户",
        ]
        named = book.named(pd.DataFrame({"before": ["new", "Q4"], "after": ["Q1", quadrants.NO_B_SIDE]}))
    assert named.to_dict("list") == {"before": ["新增客户", "IV · 变现不足"], "after": ["I · 核心伙伴", "无 B端收入"]}
    assert load_playbook().label(quadrants.AT_CUT) == "at the cut"  # English unchanged


def test_a_clusters_description_in_chinese():
    with i18n.use("zh"):
        assert (
            quadrants.describe({"take_rate": -1.2, "growth": 0.7, "orders": 0.9})
            == "抽佣率低、orders高、增长快于多数客户"
        )
        assert quadrants.describe({"take_rate": 0.1}) == "接近平均水平"


def test_why_an_account_is_listed_in_chinese():
    states = pd.DataFrame(
        {
            "revenue_before": [20_000.0],
            "revenue_after": [15_000.0],
            "quadrant_before": ["I · 核心伙伴"],
            "quadrant_after": ["II · 流失风险"],
            "ends_now": [pd.Timestamp("2026-08-31")],
            "falling": [True],
            "downgrade": [True],
            "ending": [True],
        }
    )
    with i18n.use("zh"):
        assert accounts.lists.reasons(states, accounts.CONTRACTING, "2026Q3").tolist() == [
            "平台收入从2026年第2季度到2026年第3季度下降了25.0%"
        ]
        assert accounts.lists.reasons(states, accounts.AT_RISK, "2026Q3").tolist() == [
            "平台收入连续两个季度下降（2026年第1季度 > 2026年第2季度 > 2026年第3季度）；"
            "象限从 I · 核心伙伴 降至 II · 流失风险（2026年第2季度至2026年第3季度）；合同于 2026-08-31 到期"
        ]
        assert accounts.lists.reasons(states, accounts.CHURNED, "2026Q1").tolist() == [
            "2025年第4季度活跃，2026年第1季度未活跃"
        ]


def test_the_quadrant_map_in_chinese_names_its_cuts_in_wan():
    panel = sample.generate_panel(n_accounts=60, n_quarters=1, last_quarter="2026Q3", seed=4)
    assigned = quadrants.assign_quadrants(panel, "2026Q3")
    cut = float(assigned["x_cut"].dropna().iloc[0])
    with i18n.use("zh"):
        figure = charts.quadrant_map(assigned, load_playbook(playbook_path("zh")), cut_label="median")
        texts = [a.text for a in figure.layout.annotations]
        expected = "B端收入中位数 " + charts.quadrants.short_amount(cut)
    assert expected.endswith("万") and f" {expected}" in texts
    assert figure.layout.xaxis.title.text == "B端收入：客户每季度经平台获得的自身收入"
    assert "<b>IV · 变现不足</b><br><span style='font-size:11px'>B端收入高，平台收入低</span>" in texts
    assert "B端收入 %{customdata[0]:,.0f} · 平台收入 %{customdata[1]:,.0f}" in figure.data[0].hovertemplate


def test_the_migration_heatmap_in_chinese_writes_revenue_in_wan_and_quarters_as_chinese_quarters():
    book = load_playbook(playbook_path("zh"))
    matrix = pd.DataFrame(
        [[45_300.0, 0.0], [0.0, 120_000_000.0]],
        index=pd.Index(["Q1", "new"], name="before"),
        columns=pd.Index(["Q1", "churned"], name="after"),
    )
    with i18n.use("zh"):
        figure = charts.migration_heatmap(matrix, book, "平台收入", True, "2026Q2", "2026Q3")
    heat = json.loads(figure.to_json())["data"][0]
    assert heat["text"] == [["4.5万", ""], ["", "1.2亿"]]
    assert heat["y"] == ["I · 核心伙伴", "新增客户"] and heat["x"] == ["I · 核心伙伴", "流失客户"]
    assert figure.layout.yaxis.title.text == "之前：2026年第2季度"
    assert figure.layout.xaxis.title.text == "之后：2026年第3季度"


def test_downloads_built_on_click_are_headed_in_the_language_of_the_page():
    frame = pd.DataFrame({"account_id": ["M1"], "quadrant_after": ["I · 核心伙伴"], "orders": [3]})
    with i18n.use("zh"):
        build = quadrant_views.in_language(lambda: list(headed(frame).columns))
    assert build() == ["客户ID", "本季度象限", "orders"]  # outside the run: still the page's language
    assert list(headed(frame).columns) == ["account_id", "quadrant_after", "orders"]  # English: the keys


def test_cut_labels_and_the_renewal_total_in_chinese():
    with i18n.use("zh"):
        assert [quadrant_views.cut_label(c) for c in ("median", "mean", ("percentile", 25), ("value", 1, 2))] == [
            "中位数",
            "平均值",
            "第25百分位",
            "固定值",
        ]
        calendar = accounts.renewal_calendar(sample.generate_panel(80, 2, last_quarter="2026Q3", seed=5), "2026Q3")
    assert calendar.months["end_quarter"].iloc[-1] == "合计"
