"""Numbers and quarters written for people in English and in Chinese: Chinese short amounts in 万
(10⁴) and 亿 (10⁸), quarters as 2025年第3季度; English exactly as before."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from b2b_core import amounts, quarters
from b2b_core.amounts import Currency

YUAN = Currency.of("¥", "CNY")
NAN = math.nan

# value → (English, Chinese) short amount
SHORT = [
    (0, "0", "0"),
    (123, "123", "123"),
    (9_999, "10.0k", "9,999"),
    (9_999.6, "10.0k", "1万"),  # rounds to 10,000: written in 万
    (10_000, "10.0k", "1万"),
    (12_345, "12.3k", "1.2万"),
    (-15_000, "-15.0k", "-1.5万"),
    (9_999_000, "10.0M", "999.9万"),
    (9_999_600, "10.0M", "1,000万"),  # 999.96万 rounds to 1,000: whole 万 from there on
    (34_500_000, "34.5M", "3,450万"),
    (99_990_000, "100.0M", "9,999万"),
    (99_999_999, "100.0M", "1亿"),  # 10,000万 is 1亿
    (123_456_789, "123.5M", "1.2亿"),
    (2.5e9, "2.5B", "25亿"),
    (1.2345e12, "1,234.5B", "12,345亿"),  # 亿 is the largest unit, as B is in English
]


@pytest.mark.parametrize(("value", "english", "chinese"), SHORT)
def test_short_amounts_in_both_languages(value, english, chinese):
    assert amounts.short_amount(value, "en") == english
    assert amounts.short_amount(value) == english  # English while no language is chosen
    assert amounts.short_amount(value, "zh") == chinese


@pytest.mark.parametrize(
    ("value", "currency", "english", "chinese"),
    [
        (12_345_678, None, "12.3M", "1,235万"),
        (12_345_678, YUAN, "¥12.3M", "¥1,235万"),
        (-15_000, YUAN, "-¥15.0k", "-¥1.5万"),
        (123_456_789, YUAN, "¥123.5M", "¥1.2亿"),
        (9_999, YUAN, "¥10.0k", "¥9,999"),
        (NAN, YUAN, "–", "–"),
    ],
)
def test_money_in_both_languages(value, currency, english, chinese):
    assert amounts.money(value, currency, "en") == english
    assert amounts.money(value, currency, "zh") == chinese


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_full_amounts_counts_shares_and_changes_read_alike_in_both_languages(lang):
    assert [amounts.amount(v, lang) for v in (7549758.600000001, -1234.5, NAN)] == ["7,549,758.60", "-1,234.50", "–"]
    assert [amounts.ratio(v, lang) for v in (2.3456, NAN)] == ["2.35", "–"]
    assert [amounts.count(v, lang) for v in (1234, 12_345_678, NAN)] == ["1,234", "12,345,678", "–"]
    assert [amounts.share(v, lang=lang) for v in (0.1234, -0.05, NAN)] == ["12.3%", "-5.0%", "–"]
    assert amounts.share(0.1234, 2, lang) == "12.34%"
    assert [amounts.estimate(v, lang) for v in (0.70412, 52_306.2, 0.0000061, math.inf, NAN)] == [
        "0.704",
        "52,306",
        "6.1e-06",
        "∞",
        "–",
    ]
    assert [amounts.change(v, "count", lang) for v in (12, -1234, 1e-9)] == ["+12", "-1,234", "+0"]
    assert [amounts.change(v, "relative", lang) for v in (0.092, -1e-7)] == ["+9.2%", "+0.0%"]
    assert amounts.change(NAN, "relative", lang) is None


def test_a_change_of_a_share_is_in_points_in_either_language():
    assert amounts.change(-0.0052, "points", "en") == "-0.52 pts"
    assert amounts.change(-0.0052, "points", "zh") == "-0.52个百分点"
    assert amounts.change(-0.0052, "points") == "-0.52 pts"


def test_quarters_in_texts():
    assert [quarters.quarter_text("2025Q3", lang) for lang in ("en", "zh")] == ["2025Q3", "2025年第3季度"]
    assert quarters.quarter_text("2025Q3") == "2025Q3"
    assert quarters.span_label(["2025Q3", "2024Q1", "2024Q4"], "en") == "2024Q1–2025Q3"
    assert quarters.span_label(["2025Q3", "2024Q1", "2024Q4"], "zh") == "2024年第1季度至2025年第3季度"
    assert quarters.span_label(["2025Q3", "2025Q3"], "zh") == "2025年第3季度"
    assert quarters.span_label(["2024Q1", "2025Q3"]) == "2024Q1–2025Q3"


@given(st.integers(1900, 2199), st.integers(1, 4))
def test_a_quarter_written_in_chinese_reads_back_as_itself(year, q):
    quarter = quarters.label(year, q)
    assert quarters.parse_quarter(quarters.quarter_text(quarter, "zh")) == quarter


_CHINESE_SHORT = re.compile(r"^(?P<number>-?[\d,]+(?:\.\d)?)(?P<unit>万|亿)?$")


@given(st.floats(-1e13, 1e13, allow_nan=False))
def test_a_chinese_short_amount_reads_back_within_its_rounding(value):
    written = amounts.short_amount(value, "zh")
    match = _CHINESE_SHORT.match(written)
    assert match, written
    number = float(match["number"].replace(",", ""))
    unit = {None: 1, "万": 1e4, "亿": 1e8}[match["unit"]]
    # one decimal of the unit below 1,000 units, whole units from there on, whole numbers below 1万
    step = unit / 10 if unit > 1 and abs(number) < 1000 else unit
    assert abs(number * unit - value) <= step / 2 + 1e-9 * abs(value)
    assert unit == 1 or abs(number) >= 1  # never 0.9万: below 1万 the number is written whole
    assert abs(number) < 1e4 or unit == 1e8  # never 10,000万 (that is 1亿); 亿 is the largest unit
