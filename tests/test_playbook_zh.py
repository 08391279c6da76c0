"""The Chinese playbook (data/playbook.zh.toml): the English playbook's keys, numbers and rules
with every text in Simplified Chinese, worded in our own words and with the terms of
docs/glossary.md."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from b2b_core.lifecycle.priorities import prioritize
from b2b_core.playbook import (
    BUSINESS_MODELS,
    PLAYBOOK_PATH,
    STAGES,
    Playbook,
    PlaybookError,
    load_playbook,
    playbook_path,
)
from tests import glossary

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT.parent / "shared" / "domain"  # the domain reading the texts were written from
EN, ZH = load_playbook(playbook_path("en")), load_playbook(playbook_path("zh"))
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
KEPT_LATIN = {"KA", "GMV", "SaaS", "NRR", "GRR", "IT", "II", "III", "IV"}  # abbreviations, quadrant numerals
LONGEST_SHARED_RUN = 19  # characters a text may share verbatim with an article


def texts(book: Playbook) -> list[str]:
    """Every text a person reads in ``book``: quadrant names, meanings and actions; lever names,
    descriptions and actions; journey steps; rule rationales."""
    found = []
    for play in book.quadrants:
        found += [play.name, play.meaning, *play.actions]
    for lever in book.levers:
        found += [lever.name, lever.description]
        for actions in lever.actions.values():
            found += actions
    for steps in book.journeys.values():
        found += steps
    found += [rule.rationale for rule in book.rules]
    return found


def skeleton(book: Playbook) -> Playbook:
    """``book`` with every text replaced by a placeholder, keeping how many there are: what must be
    identical in every language."""
    return Playbook(
        quadrants=tuple(
            replace(play, name="", meaning="", actions=("",) * len(play.actions)) for play in book.quadrants
        ),
        levers=tuple(
            replace(
                lever,
                name="",
                description="",
                actions={stage: ("",) * len(actions) for stage, actions in lever.actions.items()},
            )
            for lever in book.levers
        ),
        weights=book.weights,
        journeys={model: ("",) * len(steps) for model, steps in book.journeys.items()},
        rules=tuple(replace(rule, rationale="") for rule in book.rules),
    )


def test_playbook_path_names_the_file_of_each_language_and_refuses_others():
    assert playbook_path() == playbook_path("en") == PLAYBOOK_PATH
    assert playbook_path("zh") == PLAYBOOK_PATH.with_name("playbook.zh.toml")
    with pytest.raises(PlaybookError, match="no playbook in language 'fr'; use one of en, zh"):
        playbook_path("fr")


def test_the_chinese_playbook_has_the_english_keys_numbers_and_rules():
    assert skeleton(ZH) == skeleton(EN)  # quadrants (order, priorities), levers, weights, journeys, rules
    assert [play.quadrant for play in ZH.quadrants] == ["Q1", "Q4", "Q2", "Q3"]
    assert [lever.key for lever in ZH.levers] == [lever.key for lever in EN.levers]
    assert ZH.weights[("steady_growth", "platform")]["success"] == 9.0
    assert [(rule.id, rule.signal, rule.slope, rule.cap) for rule in ZH.rules][0] == (
        "renewal_below_target",
        "logo_retention_4q",
        20.0,
        3.0,
    )


def test_the_chinese_playbook_ranks_the_levers_as_the_english_one():
    signals = pd.Series(  # every rule's signal off its target in some stage
        {
            "logo_retention_4q": 0.6,
            "nrr_4q": 0.9,
            "activation": 0.7,
            "new_accounts_growth_yoy": 0.1,
            "q4_b_side_revenue_share": 0.3,
            "q2_platform_revenue_share": 0.2,
            "top10_share": 0.7,
        }
    )
    for stage in STAGES:
        for model in BUSINESS_MODELS:
            english = prioritize(signals, stage, model, EN).select_dtypes("number")  # all but the names
            assert english[[rule.id for rule in EN.rules]].to_numpy().any()  # the rules count, not only the base
            pd.testing.assert_frame_equal(prioritize(signals, stage, model, ZH).select_dtypes("number"), english)


def test_every_chinese_text_is_chinese_with_only_common_abbreviations_in_latin_letters():
    assert len(texts(ZH)) == len(texts(EN))
    for text in texts(ZH):
        assert CJK.search(text), text
        assert set(LATIN_WORD.findall(text)) <= KEPT_LATIN, text


def test_the_chinese_texts_differ_from_the_english_ones():
    assert not set(texts(ZH)) & set(texts(EN))


def shared_run(text: str, article: str, length: int) -> str | None:
    """The first run of ``length`` characters of ``text`` found verbatim in ``article``."""
    return next((text[i : i + length] for i in range(len(text) - length + 1) if text[i : i + length] in article), None)


def test_no_chinese_text_copies_a_run_of_20_characters_from_a_domain_article():
    articles = sorted(ARTICLES.glob("*.txt"))
    if not articles:
        pytest.skip(f"the domain articles are not at {ARTICLES}")
    for path in articles:
        article = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        copied = [run for text in texts(ZH) if (run := shared_run(text, article, LONGEST_SHARED_RUN + 1))]
        assert not copied, f"{path.name} shares {copied}"


def test_shared_run_finds_a_copied_sentence():
    assert shared_run("前言" + "一二三四五六七八九十" * 2 + "后记", "甲" + "一二三四五六七八九十" * 2, 20)
    assert shared_run("一二三四五六七八九十" * 2, "一二三四五六七八九十一二三四五六七八九", 20) is None


def test_the_quadrants_and_levers_are_named_as_in_the_glossary():
    for play in ZH.quadrants:
        english = EN.label(play.quadrant)
        assert ZH.label(play.quadrant) == glossary.chinese_of(english), english
    for lever in ZH.levers:
        assert lever.name == glossary.chinese_of(EN.lever(lever.key).name)


def test_no_chinese_text_uses_a_synonym_the_glossary_rules_out():
    words = {chinese: unused for _, chinese, unused in glossary.rows()}
    for key_term in ("B端客户（简称 客户）", "平台收入", "B端收入", "续约", "抽佣率", "象限"):
        assert words[key_term], f"the glossary names no synonym to avoid for {key_term}"
    assert [(text, used) for text in texts(ZH) if (used := glossary.synonyms_used(text))] == []


def test_quadrants_are_written_by_numeral_and_never_as_a_quarter():
    for text in texts(ZH):
        assert not re.search(r"第[一二三四1-4]象限|Q[1-4]", text), text
    names = [play.name for play in ZH.quadrants]
    for text in texts(ZH):  # a numeral in brackets follows the quadrant's own name
        for numeral in re.findall(r"（(I{1,3}|IV)）", text):
            quadrant = {"I": "Q1", "II": "Q2", "III": "Q3", "IV": "Q4"}[numeral]
            assert ZH.quadrant(quadrant).name in text, (numeral, text)
    assert len(set(names)) == 4
