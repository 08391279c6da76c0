"""Quarter parsing and arithmetic (DESIGN §3: the quarter column accepts many forms)."""

from __future__ import annotations

import datetime as dt

import pytest

from b2b_core.quarters import (
    DAY_FIRST,
    MONTH_FIRST,
    DateError,
    QuarterError,
    find_quarter_in_text,
    from_ordinal,
    label,
    parse_date,
    parse_quarter,
    shift,
    span,
    to_ordinal,
)


@pytest.mark.parametrize(
    "text",
    [
        "2025Q3",
        "2025q3",
        "2025-Q3",
        "2025 Q3",
        "2025/Q3",
        "2025_q3",
        "Q3 2025",
        "q3-2025",
        "Q3/2025",
        "  2025Q3  ",
        "2025   Q3",
        "2025年第3季度",
        "2025年3季度",
        "2025年第三季度",
        "2025 第三季度",
        "2025年Q3",
    ],
)
def test_quarter_forms(text):
    assert parse_quarter(text) == "2025Q3"


def test_fiscal_quarters_are_refused_because_they_need_not_be_calendar_quarters():
    with pytest.raises(QuarterError, match="fiscal quarter"):
        parse_quarter("FY2025 Q3")


@pytest.mark.parametrize(
    ("text", "quarter"),
    [
        ("2025-08-15", "2025Q3"),
        ("2025-07-01", "2025Q3"),
        ("2025-09-30", "2025Q3"),
        ("2025-10-01", "2025Q4"),
        ("2025-01-01", "2025Q1"),
        ("2025-12-31", "2025Q4"),
        ("2025/8/15", "2025Q3"),
        ("2025.08.15", "2025Q3"),
        ("2025-08-15 13:45:00", "2025Q3"),
        ("2025-08-15T13:45", "2025Q3"),
        ("2025-08", "2025Q3"),
        ("2025/8", "2025Q3"),
        ("2025/4", "2025Q2"),
        ("2025年8月", "2025Q3"),
        ("2025年8月15日", "2025Q3"),
        ("15/08/2025", "2025Q3"),  # only day-first is a date
        ("08/15/2025", "2025Q3"),  # only month-first is a date
        ("05/06/2025", "2025Q2"),  # 5 June or 6 May: both in Q2
        ("15.08.2025", "2025Q3"),
    ],
)
def test_dates_map_to_their_quarter(text, quarter):
    assert parse_quarter(text) == quarter


@pytest.mark.parametrize(
    ("value", "quarter"),
    [
        (dt.date(2025, 8, 15), "2025Q3"),
        (dt.date(2024, 3, 31), "2024Q1"),
        (dt.datetime(2025, 12, 31, 23, 59), "2025Q4"),
    ],
)
def test_date_objects(value, quarter):
    assert parse_quarter(value) == quarter


def test_a_date_that_reads_two_ways_is_an_error_that_says_what_to_write():
    with pytest.raises(QuarterError) as raised:
        parse_quarter("03/04/2025")  # 3 April (Q2) or 4 March (Q1)
    message = str(raised.value)
    assert "2025Q1 or 2025Q2" in message
    assert "YYYY-MM-DD" in message


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("2025-02-30", "not a real date"),
        ("2025-13-01", "not a real date"),
        ("2025/13", "month 13 does not exist"),
        ("2025年13月", "month 13 does not exist"),
        ("31/31/2025", "not a real date"),
        ("2025Q5", "not a quarter"),
        ("2025Q0", "not a quarter"),
        ("Q5 2025", "not a quarter"),
        ("2025年第5季度", "not a quarter"),
        ("2025.3", "not a quarter"),  # indistinguishable from a number
        ("25Q3", "not a quarter"),
        ("third quarter", "not a quarter"),
        ("", "empty quarter"),
        ("   ", "empty quarter"),
    ],
)
def test_invalid_quarters_raise_with_a_hint(text, phrase):
    with pytest.raises(QuarterError) as raised:
        parse_quarter(text)
    message = str(raised.value)
    assert phrase in message
    assert "write" in message  # every message says what to write instead


def test_quarter_error_is_a_value_error():
    assert issubclass(QuarterError, ValueError)


@pytest.mark.parametrize(
    ("text", "quarter"),
    [
        ("merchants_2025Q3.csv", "2025Q3"),
        ("accounts_2024q1.xlsx", "2024Q1"),
        ("export 2025-Q4 final.csv", "2025Q4"),
        ("export_2025_q2.csv", "2025Q2"),
        ("Q3 2025 merchants.csv", "2025Q3"),
        ("q1-2026.csv", "2026Q1"),
        ("2025Q3_and_again_2025Q3.csv", "2025Q3"),  # the same quarter twice is still one quarter
        ("2025年第2季度_商户收入.csv", "2025Q2"),
        ("2025年Q2商户.csv", "2025Q2"),
        ("商户收入2025年二季度.xlsx", "2025Q2"),
        ("2024年4季度.csv", "2024Q4"),
    ],
)
def test_find_quarter_in_text(text, quarter):
    assert find_quarter_in_text(text) == quarter


@pytest.mark.parametrize(
    "text",
    [
        "merchants.csv",
        "merchants_2025Q3_2025Q4.csv",  # two quarters: no single answer
        "report_2025.csv",
        "faq3_2025.csv",  # a q inside a word is not a quarter
        "12025Q3.csv",  # the year is part of a longer number
        "2025Q31.csv",
        "1999Q3.csv",  # only years 20xx
        "",
    ],
)
def test_find_quarter_in_text_needs_exactly_one_quarter(text):
    assert find_quarter_in_text(text) is None


def test_ordinals_are_consecutive_and_invert():
    assert to_ordinal("2025Q1") == 2025 * 4
    assert to_ordinal("2025Q3") == 2025 * 4 + 2
    assert to_ordinal("2025Q4") + 1 == to_ordinal("2026Q1")
    for quarter in ("2023Q4", "2024Q1", "2025Q2", "2026Q3"):
        assert from_ordinal(to_ordinal(quarter)) == quarter
    assert label(2025, 3) == "2025Q3"


@pytest.mark.parametrize(
    ("quarter", "periods", "expected"),
    [
        ("2025Q3", 0, "2025Q3"),
        ("2025Q3", 1, "2025Q4"),
        ("2025Q3", 2, "2026Q1"),
        ("2025Q3", -3, "2024Q4"),
        ("2025Q1", -1, "2024Q4"),
        ("2025Q3", 4, "2026Q3"),
        ("2025Q3", -8, "2023Q3"),
    ],
)
def test_shift(quarter, periods, expected):
    assert shift(quarter, periods) == expected


def test_span_is_inclusive_and_empty_when_reversed():
    assert span("2024Q3", "2025Q2") == ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    assert span("2025Q3", "2025Q3") == ["2025Q3"]
    assert span("2025Q3", "2025Q2") == []
    assert len(span("2020Q1", "2029Q4")) == 40


@pytest.mark.parametrize("text", ["2025年2月_商户.csv", "2025年第2季度_2025年第3季度.csv", "merchants.csv"])
def test_no_single_quarter_in_text(text):
    assert find_quarter_in_text(text) is None


def test_a_date_order_reads_year_last_dates_one_way():
    assert parse_date("03/04/2025", DAY_FIRST) == dt.date(2025, 4, 3)
    assert parse_date("03/04/2025", MONTH_FIRST) == dt.date(2025, 3, 4)
    assert parse_quarter("03/04/2025", DAY_FIRST) == "2025Q2" and parse_quarter("03/04/2025", MONTH_FIRST) == "2025Q1"
    assert parse_date("2025-04-03", MONTH_FIRST) == dt.date(2025, 4, 3)  # a year-first date has one reading
    with pytest.raises(DateError, match="not a real date read day-first like the rest of its column"):
        parse_date("03/25/2025", DAY_FIRST)
