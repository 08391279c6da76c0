"""The languages: complete catalogs, the current language, and the app read with ``?lang=``."""

from __future__ import annotations

import os

import pytest
from babel.messages.pofile import read_po

from b2b_core import i18n
from b2b_core.i18n import _, ngettext
from tests import glossary
from tests.apptest import open_app
from ui import language, present

NAVIGATION = {  # app.py's page titles
    "Overview": "总览",
    "Lifecycle priorities": "生命周期优先事项",
    "Revenue quadrants": "收入象限",
    "Cohort renewals": "同期群续约",
    "Accounts": "B端客户",
    "Scenario lab": "情景实验室",
    "Workshop": "研讨会",
    "Data": "数据",
}
SIDEBAR = {"Workspace": "工作区", "Presentation mode": "演示模式", "Language": "语言"}
KPI_CARDS = {
    "Active accounts": "活跃客户",
    "Platform revenue": "平台收入",
    "B-side revenue": "B端收入",
    "Take rate": "抽佣率",
    "New accounts": "新增客户",
    "Churned accounts": "流失客户",
}


def read_catalog(path):
    with open(path, "rb") as file:
        return read_po(file)


def msgid(message) -> str:
    """A message's text (a plural one's singular)."""
    return message.id if isinstance(message.id, str) else message.id[0]


def msgids(catalog) -> set[str]:
    return {msgid(message) for message in catalog if message.id}


def translations(message) -> list[str]:
    """A message's translation (each plural form of a plural one)."""
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


@pytest.mark.parametrize("lang", i18n.translated_languages())
def test_every_text_of_the_template_has_a_translation_that_is_not_empty_nor_fuzzy(lang):
    template = msgids(read_catalog(i18n.TEMPLATE))
    catalog = read_catalog(i18n.catalog_path(lang))
    entries = {msgid(message): message for message in catalog}
    missing = sorted(text for text in template if text not in entries)
    untranslated = sorted(text for text in template if text in entries and not all(translations(entries[text])))
    fuzzy = sorted(text for text in template if text in entries and entries[text].fuzzy)
    fix = f"translate it in locale/{lang}/LC_MESSAGES/messages.po after `python -m b2b_core.i18n update`"
    assert not missing, f"Not in the {lang} catalog ({fix}): {missing}"
    assert not untranslated, f"Without a {lang} translation ({fix}): {untranslated}"
    assert not fuzzy, f"Marked fuzzy in {lang}: check the translation and remove the flag: {fuzzy}"


def test_no_chinese_translation_uses_a_synonym_the_glossary_rules_out():
    catalog = read_catalog(i18n.catalog_path("zh"))
    said = {message.id: " ".join(translations(message)) for message in catalog if message.id}
    used = {english: found for english, chinese in said.items() if (found := glossary.synonyms_used(chinese))}
    assert used == {}, "use the glossary's term (docs/glossary.md)"


def test_every_text_marked_in_the_code_is_in_the_template(tmp_path):
    fresh = tmp_path / "messages.pot"
    i18n.extract(fresh)
    new = sorted(msgids(read_catalog(fresh)) - msgids(read_catalog(i18n.TEMPLATE)))
    assert not new, f"Texts not in locale/messages.pot: run `python -m b2b_core.i18n update` and translate: {new}"


def test_chinese_reads_the_catalog_and_english_the_source():
    with i18n.use("zh"):
        assert i18n.language() == "zh"
        assert _("Overview") == "总览"
        assert ngettext("{n} quarter", "{n} quarters", 3).format(n=3) == "3 个季度"
        assert _("A text no catalog holds") == "A text no catalog holds"
    with i18n.use("en"):
        assert _("Overview") == "Overview"
        assert ngettext("{n} quarter", "{n} quarters", 1).format(n=1) == "1 quarter"
        assert ngettext("{n} quarter", "{n} quarters", 3).format(n=3) == "3 quarters"


def test_use_restores_the_language_before_it_even_after_an_error():
    with i18n.use("zh"):
        with i18n.use("en"):
            assert _("Overview") == "Overview"
        assert i18n.language() == "zh"
        with pytest.raises(RuntimeError), i18n.use("en"):
            raise RuntimeError
        assert i18n.language() == "zh"
    assert i18n.language() == "en"
    with pytest.raises(ValueError, match="use one of en, zh"):
        i18n.set_language("fr")


def test_the_catalog_is_compiled_again_when_its_po_is_newer():
    mo = i18n.catalog_path("zh", ".mo")
    i18n.ensure_compiled()
    older = i18n.catalog_path("zh").stat().st_mtime - 10
    os.utime(mo, (older, older))
    i18n.ensure_compiled()
    assert mo.stat().st_mtime >= i18n.catalog_path("zh").stat().st_mtime


@pytest.mark.parametrize(
    ("locale", "lang"),
    [("zh-CN", "zh"), ("zh-Hant-TW", "zh"), ("ZH", "zh"), ("en-GB", "en"), ("fr", "en"), (None, "en")],
)
def test_the_browser_language_chooses_chinese_for_any_chinese_locale(locale, lang):
    assert language.from_browser(locale) == lang


def test_the_overview_with_lang_zh_has_its_navigation_sidebar_title_and_kpi_cards_in_chinese(workspace_path):
    app = open_app("pages/home.py", query_params={"lang": "zh"})
    titles = {info["page_name"] for info in app._registered_pages.values()}  # the navigation's entries
    assert titles == set(NAVIGATION.values())
    sidebar = [c.value for c in app.sidebar.caption] + [m.value for m in app.sidebar.markdown]
    sidebar += [t.label for t in app.sidebar.toggle] + [w.label for w in app.sidebar.get("button_group")]
    for english, chinese in SIDEBAR.items():
        assert chinese in sidebar
        assert english not in sidebar
    assert any("12 个季度" in text for text in sidebar)
    assert not any("quarter" in text for text in sidebar)
    assert app.title[0].value == "总览"
    assert [m.label for m in app.metric][: len(KPI_CARDS)] == list(KPI_CARDS.values())  # the bridge's next
    assert app.query_params["lang"] == "zh"
    assert i18n.language() == "en"  # the app's run set its own language, not this test's


def test_the_overview_with_lang_en_is_unchanged(workspace_path):
    app = open_app("pages/home.py", query_params={"lang": "en"})
    assert {info["page_name"] for info in app._registered_pages.values()} == set(NAVIGATION)
    assert [c.value for c in app.sidebar.caption][0] == "Workspace"
    assert any(t.label == "Presentation mode" for t in app.sidebar.toggle)
    assert any(m.value.startswith("**12 quarters**") for m in app.sidebar.markdown)
    assert app.title[0].value == "Overview"
    assert [m.label for m in app.metric][: len(KPI_CARDS)] == list(KPI_CARDS)


def test_presentation_mode_and_the_presenter_link_keep_the_chosen_language(workspace_path):
    app = open_app("pages/workshop.py", query_params={"lang": "zh"})
    (link,) = app.get("link_button")
    assert link.proto.url.startswith("workshop?presenter=1&deck=") and link.proto.url.endswith("&lang=zh")
    app.switch_page("pages/home.py").run()
    app.toggle(key=present.TOGGLE).set_value(True).run()
    assert app.query_params["present"] == "1" and app.query_params["lang"] == "zh"


def test_the_selector_writes_the_language_into_the_link(workspace_path):
    app = open_app("pages/home.py")
    assert "lang" not in app.query_params  # the browser's language, no parameter added
    app.sidebar.get("button_group")[0].set_value("zh").run()
    assert app.query_params["lang"] == "zh"
    assert app.title[0].value == "总览"
