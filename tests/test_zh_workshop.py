"""The workshop in Chinese (``?lang=zh``): the page, each slide in presentation mode, the presenter
view and the setup's controls show no English word of the workshop's own; the deck built in
Chinese (titles, facts, headlines and notes, amounts in 万 and 亿, quarters as 2026年第2季度) and
its HTML and PowerPoint files read in Chinese; English stays as it was.

Words that other parts of the app still write in English until their translations arrive (chart
texts, stage and lever names, the sample's notice …) are ``FOREIGN``: each pattern names the module
that writes it, and is taken out of the texts before ``english_left`` looks at them."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from b2b_core import i18n, overview, playbook, report
from b2b_core.report import headlines
from b2b_core.report.pptx_charts import EAST_ASIAN_FONT
from tests.apptest import open_app
from tests.test_report import TWO_QUARTERS
from tests.zh_text import english_left, shown_texts
from ui import presenter
from ui import workshop_views as views

WORKSHOP = "pages/workshop.py"
SAMPLE = [*report.FRAMING_TITLES, *(key for key in report.SLIDE_TITLES if key != "plan")]  # the sample's deck
WHAT_IF = SAMPLE.index("scenarios") + 1
ZH_BOOK = playbook.load_playbook(playbook.playbook_path("zh"))

FOREIGN = [  # regular expressions of English written by other modules, with the module
    r":orange-badge\[:material/science: Sample data\]|\*\*Sample data:\*\*",  # ui.sample_notice
    r"is the bundled sample of a fictional platform, not your data\\\.",
    r"Upload your own quarters on the Data page; the sample is then removed in one step\\\.",
    r"Preparing .* in the background \(\d+ of \d+\)…",  # ui.warm_up
    r"^(Platform|Tool / SaaS|Hardware|Service)$",  # b2b_core.playbook.BUSINESS_MODEL_NAMES
    # b2b_core.charts (overview): the KPI trend and the bridge's waterfall
    r"^(Platform revenue|Active accounts|Platform revenue per quarter|Reactivated|Expansion|Contraction|Churned)$",
    r"^Platform revenue: \d{4}Q\d → \d{4}Q\d$",
    # b2b_core.lifecycle (stage names, the evidence, the way to the next stage) and b2b_core.charts.lifecycle
    r"(?i)cold start|traction|accelerated growth|steady growth|contraction|not enough history",
    r"依据：.*。|要进入.*：.*。",
    r"(base %|Playbook base weight|Priority score \(base weight \+ data-driven adjustments\))",
    r"renewal below target|nrr below 100|activation below target|new account growth below target",
    r"many under monetised|many at risk|concentrated growth system|concentrated sales",
    # b2b_core.quadrants and b2b_core.charts.quadrants: the map's texts, the states beside the quadrants
    r".*accounts here.*|All placed accounts \(density\)|.*B-side revenue.*|.*platform revenue.*",
    r"%\{value:,\} accounts",  # the migration's Sankey
    r"Median take rate.*|Platform revenue from the account,<br>per quarter",
    r"转入(churned|new|at the cut|no B-side revenue)",
    # b2b_core.charts (cohorts)
    r"Cohort \d{4}Q\d · age.*|Each signup cohort|95% band of the projection|(Model|Projection|Kaplan–Meier) · age.*",
    r"sBG fit \(ages used to fit\)|sBG projection \(dashed\)|Survival \(Kaplan–Meier\)|Age \(quarters since signup\)",
    r"Survival \(%\)|Observed share still active",
    r"为什么留存三角表显示得更低：.*",  # b2b_core.cohorts.WHY_THEY_DIFFER
    # b2b_core.scenarios (lever labels, units, help, the base, its evidence) and b2b_core.charts (scenarios)
    r"^(Points|Percent|Retention points) .*\.$",
    r"retention points per take-rate point",
    r"(?i)renewal uplift|new\\?-account growth|take\\?-rate change|churn elasticity|\bpoints\b|% per quarter",
    r"^Base\b|- Base：|\bBase · |Observed.*|.*observed, then projected.*",
    r"基准预测假设：.*。",
    r"local user",  # b2b_core.access.LOCAL: who edits when the app has no sign-in
]


def left_of_the_workshop(app) -> list[str]:
    """``english_left`` of what ``app`` shows, without its style and script elements (never read)
    and without the ``FOREIGN`` words."""
    code = {element.proto.body for element in app.get("html")}
    texts = []
    for text in shown_texts(app):
        if text in code:
            continue
        for pattern in FOREIGN:
            text = re.sub(pattern, "", text, flags=re.MULTILINE)
        texts.append(text)
    return english_left(texts)


def left_on_every_slide(app) -> dict[int, list[str]]:
    """Slide number → ``left_of_the_workshop``, for the slides that show any, going through the
    sample's deck in ``app`` (its page or presentation mode)."""
    left = {}
    for position in range(1, len(SAMPLE) + 1):
        app.query_params["slide"] = str(position)
        app.run()
        assert not app.exception
        left[position] = left_of_the_workshop(app)
    return {position: texts for position, texts in left.items() if texts}


def query(app, name: str) -> str | None:
    value = app.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def button(app, key: str):
    return next(b for b in app.button if b.key == key)


# --- the page ----------------------------------------------------------------------------------


def test_every_slide_of_the_workshop_page_reads_in_chinese(workspace_path):
    app = open_app(WORKSHOP, query_params={"lang": "zh"})
    assert app.title[0].value == "研讨会"
    assert app.multiselect[0].label == "页面（按显示顺序）"
    assert [d.proto.label for d in app.get("download_button")][:3] == [
        "演示文稿（HTML，可离线）",
        "演示文稿（PowerPoint）",
        "图表数据（CSV 压缩包）",
    ]
    assert left_on_every_slide(app) == {}


def test_presentation_mode_shows_every_slide_in_chinese(workspace_path):
    app = open_app(WORKSHOP, query_params={"lang": "zh", "present": "1"})
    assert left_on_every_slide(app) == {}
    assert button(app, "workshop_exit").label == "退出"


def test_the_presenter_view_reads_in_chinese(workspace_path):
    projector = open_app(WORKSHOP, query_params={"lang": "zh", "present": "1", "slide": str(WHAT_IF)})
    button(projector, views.lever_step_widget("renewal_uplift", 1)).click().run()
    code = query(projector, presenter.DECK)
    view = open_app(WORKSHOP, query_params={"lang": "zh", presenter.PARAM: "1", presenter.DECK: code})
    assert not view.exception
    words = "\n".join(m.value for m in view.markdown)
    assert "**演讲者视图**" in words and "**演讲备注**" in words and "**现场情景参数**" in words
    assert left_of_the_workshop(view) == []
    button(view, "workshop_previous").click().run()
    assert left_of_the_workshop(view) == []
    unknown = open_app(WORKSHOP, query_params={"lang": "zh", presenter.PARAM: "1", presenter.DECK: "ZZZZ"})
    assert unknown.title[0].value == "演讲者视图"


def test_the_setup_controls_and_their_messages_read_in_chinese(workspace_path):
    app = open_app(WORKSHOP, query_params={"lang": "zh"})
    assert app.markdown and any(m.value == "# B端运营策略研讨会" for m in app.markdown)
    next(t for t in app.text_input if t.label == "研讨会名称").set_value("三季度复盘")
    next(b for b in app.button if b.label == "保存封面页").click().run()
    assert app.success[0].value.startswith("封面页现为“三季度复盘”")
    assert left_of_the_workshop(app) == []
    again = open_app(WORKSHOP, query_params={"lang": "zh"})
    next(t for t in again.text_input if t.label == "研讨会名称").set_value(" ")
    next(b for b in again.button if b.label == "保存封面页").click().run()
    assert again.error[0].value.startswith("未保存：") and not again.exception

    app.query_params["slide"] = str(SAMPLE.index("stage") + 1)
    app.run()
    field = next(t for t in app.text_input if t.label == "编辑结论句")
    field.set_value("先抓续约").run()
    button(app, "workshop:headline_save:stage").click().run()
    assert app.success[0].value == "本页的结论句现为“先抓续约”。"
    assert any(c.value.startswith("结论句由") for c in app.caption)
    assert left_of_the_workshop(app) == []
    button(app, "workshop:headline_reset:stage").click().run()
    assert app.success[0].value == "本页已恢复为计算得出的结论句。"

    app.query_params["slide"] = str(WHAT_IF)
    app.run()
    button(app, views.lever_step_widget("renewal_uplift", 1)).click().run()
    assert app.text_input(key="workshop:keep_name").value.startswith("研讨会 ")
    button(app, "workshop:keep_levers").click().run()
    assert app.success[0].value.startswith("已将现场情景参数保存为情景“研讨会 ")
    assert left_of_the_workshop(app) == []
    assert any(b.label == "重置情景参数" for b in app.button)


# --- the deck built in Chinese -----------------------------------------------------------------


# TWO_QUARTERS (a and b in 2026Q1; a and c in 2026Q2: b churned, c new) in the ten millions
LARGE = TWO_QUARTERS.assign(
    platform_revenue=TWO_QUARTERS["platform_revenue"] * 1e5, b_side_revenue=TWO_QUARTERS["b_side_revenue"] * 1e5
)


def test_the_overview_and_bridge_words_read_in_chinese_with_amounts_in_wan_and_yi():
    kpis = overview.quarter_kpis(LARGE)
    with i18n.use("zh"):
        headline, notes = headlines.overview_words(kpis)
        bridge = overview.revenue_bridge(LARGE)
        bridge_headline, bridge_notes = headlines.bridge_words(bridge.loc["2026Q2"], "2026Q2", 1.6)
    assert headline == "2026年第2季度平台从2个活跃客户（+0）获得1,800万平台收入，比2026年第1季度多20.0%。"
    assert notes[:3] == (
        "2026年第2季度新增1个客户。",
        "上季度活跃的1个客户在2026年第2季度不再活跃；0个客户在中断后回流。",
        "客户通过平台获得1.5亿，平台留存了其中的12.0%（抽佣率）。",
    )
    assert notes[-1] == "请现场讨论：哪个数字让你意外？为什么？"
    assert bridge_headline == "2026年第2季度：新增客户带来600万（共增加800万）；收缩和流失带走500万，快速比率1.60。"
    assert bridge_notes[0] == "平台收入从2026年第1季度的1,500万变为2026年第2季度的1,800万。"
    # English is as it was
    assert headlines.overview_words(kpis)[0] == (
        "In 2026Q2 the platform earned 18.0M, 20.0% more than in 2026Q1, from 2 active accounts (+0)."
    )


def test_the_deck_built_in_chinese_has_chinese_titles_facts_and_reasons():
    with i18n.use("zh"):
        deck = report.build_deck(LARGE, ZH_BOOK)
        title = report.title_slide("三季度复盘", dt.date(2026, 12, 1), "示例公司")
        agenda = report.agenda_slide(list(deck.slides.values()), first=3)
    assert {key: slide.title for key, slide in deck.slides.items()} == {
        "overview": "我们的现状",
        "bridge": "收入从哪来、到哪去",
        "stage": "阶段与优先事项",
        "quadrants": "收入象限",
        "migration": "谁移动了象限",
        "scenarios": "假设分析",
    } | ({"cohorts": "同期群如何续约"} if "cohorts" in deck.slides else {})
    assert [(f.label, f.value) for f in deck.slides["overview"].facts][:2] == [
        ("活跃客户", "2"),
        ("平台收入", "1,800万"),
    ]
    assert [f.label for f in deck.slides["bridge"].facts] == ["增加：新增、回流、扩张", "减少：收缩、流失", "快速比率"]
    assert deck.slides["migration"].facts[0].label == "自2026年第1季度以来变更象限"
    assert (title.title, title.facts[0].label, title.notes[0]) == (
        "封面",
        "日期",
        "欢迎大家；说明本次研讨会的目的以及需要做出的决定。",
    )
    assert (agenda.title, agenda.headline) == ("议程", "我们将讨论的内容")
    assert agenda.notes[0].startswith(f"接下来共{len(deck.slides)}页")
    with i18n.use("zh"):
        first = report.build_deck(LARGE[LARGE["quarter"] == "2026Q1"], ZH_BOOK)
    assert first.missing["migration"] == "2026年第1季度是第一个季度：还没有客户移动象限"
    assert first.missing["cohorts"] == "同期群曲线至少需要两个季度的数据"


@pytest.fixture(scope="module")
def zh_slides():
    with i18n.use("zh"):
        deck = report.build_deck(LARGE, ZH_BOOK)
        title = report.title_slide("三季度复盘", dt.date(2026, 12, 1), "示例公司")
        slides = [title, *deck.slides.values()]
        edited = report.with_headlines(slides, {"overview": "收入创新高"})
        return report.with_headlines([report.agenda_slide(slides[1:], first=2), *edited], {})


def test_the_html_deck_in_chinese_says_so_and_has_no_english_word_of_its_own(zh_slides):
    with i18n.use("zh"):
        page = report.deck_html(zh_slides, "三季度复盘", "2026年第1季度–2026年第2季度")
        data = report.chart_data_zip(zh_slides)
    assert '<html lang="zh-CN">' in page
    assert report.deck_html(zh_slides[:1], "t", "s").count('<html lang="en">') == 1  # English as it was
    for chinese in ("图表数据（CSV）", "演讲备注", "← 上一页", "下一页 →", "字号（按键 − 和 +）", "✎ 已编辑"):
        assert chinese in page
    for english in ("Chart data (CSV)", "Speaker notes", "Previous", "Next", "Text size", "✎ edited", "Screen blanked"):
        assert english not in page
    assert "计算得出的结论句：" in page  # the edited overview's computed headline, in its notes
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        overview_csv = next(name for name in archive.namelist() if name.endswith("_overview.csv"))
        header = archive.read(overview_csv).decode("utf-8-sig").splitlines()[0]
    assert header == "季度,活跃客户数,平台收入,B端收入,抽佣率,新增客户数,流失客户数,回流客户数"


def test_the_powerpoint_deck_in_chinese_reads_back_in_chinese(zh_slides):
    with i18n.use("zh"):
        data = report.deck_pptx(zh_slides, "三季度复盘", "2026年第1季度–2026年第2季度")
    presentation = Presentation(io.BytesIO(data))
    texts = [shape.text_frame.text for page in presentation.slides for shape in page.shapes if shape.has_text_frame]
    assert texts[0] == "三季度复盘"
    assert any(text.endswith("· 我们的现状") for text in texts) and "收入创新高" in texts
    notes = [page.notes_slide.notes_text_frame.text for page in presentation.slides]
    assert any("本演示文稿的结论句经过编辑；计算得出的是：" in note for note in notes)
    assert any(note.startswith("请现场讨论") or "\n请现场讨论" in note for note in notes)
    charts = [shape.chart for page in presentation.slides for shape in page.shapes if shape.has_chart]
    bridge = next(chart for chart in charts if [s.name for s in chart.plots[0].series][1:] == ["合计", "增加", "减少"])
    assert bridge.value_axis.tick_labels.number_format.endswith('"万";General')
    fonts = {ea.get("typeface") for page in presentation.slides for ea in page.shapes._spTree.iter(qn("a:ea"))}
    assert fonts == {EAST_ASIAN_FONT}
