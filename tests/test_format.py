"""Screen formatting: unknown values show as a dash and unknown changes not at all."""

from __future__ import annotations

import math

import pytest

from ui import format as fmt


@pytest.mark.parametrize(
    ("value", "expected"), [(12_345_678, "12.3M"), (12_345, "12.3k"), (999, "999"), (2.5e9, "2.5B"), (math.nan, "–")]
)
def test_money(value, expected, workspace_path):
    assert fmt.money(value) == expected


def test_account_counts_agree_in_number():
    from b2b_core.amounts import account_count

    assert (account_count(1), account_count(0), account_count(1234, "active")) == (
        "1 account",
        "0 accounts",
        "1,234 active accounts",
    )


def test_counts_and_shares():
    assert (fmt.count(1234), fmt.count(math.nan)) == ("1,234", "–")
    assert (fmt.share(0.1234), fmt.share(math.nan)) == ("12.3%", "–")


def test_changes_by_kind_and_none_when_unknown():
    assert fmt.change(12, "count") == "+12"
    assert fmt.change(-0.0052, "points") == "-0.52 pts"
    assert fmt.change(0.092, "relative") == "+9.2%"
    assert fmt.change(math.nan, "count") is None
    assert fmt.change(math.nan, "relative") is None
    # a change that rounds to nothing is +0, not −0 (a scenario's take rate 1e-7 below the base's)
    assert fmt.change(-1e-7, "points") == "+0.00 pts"
    assert fmt.change(-0.0004, "relative") == "+0.0%"
    assert fmt.change(-0.4, "count") == "+0"


@pytest.mark.parametrize(
    ("value", "symbol", "expected"),
    [
        (1_234_567, "¥", "¥1.2M"),
        (-1_500, "€", "-€1.5k"),
        (999, "$", "$999"),
        (math.nan, "¥", "–"),
        (12_345, "", "12.3k"),
    ],
)
def test_money_in_a_currency_puts_its_symbol_before_the_number(value, symbol, expected):
    from b2b_core.amounts import Currency, money

    assert money(value, Currency.of(symbol, "CNY")) == expected


def test_an_amount_title_names_the_currency_code():
    from b2b_core.amounts import Currency, amount_title

    assert amount_title("Platform revenue", Currency.of("¥", "cny")) == "Platform revenue (CNY)"
    assert amount_title("Platform revenue") == "Platform revenue"
    assert (Currency.of("¥", "CNY").label, Currency.of("", "CHF").label) == ("¥ CNY", "CHF")


@pytest.mark.parametrize(
    ("symbol", "code", "problem"),
    [
        ("¥", "CN", "not three letters"),
        ("¥", "C1Y", "not three letters"),
        ("12", "USD", "not a short symbol"),
        ("US $", "USD", "not a short symbol"),
        ("EURO", "EUR", "not a short symbol"),
    ],
)
def test_a_currency_typed_wrong_is_refused_with_what_to_write(symbol, code, problem):
    from b2b_core.amounts import Currency

    with pytest.raises(ValueError, match=problem):
        Currency.of(symbol, code)


def test_screen_money_is_in_the_workspace_currency_with_a_dollar_safe_in_markdown(workspace_path):
    from b2b_core.access import LOCAL
    from b2b_core.amounts import Currency
    from ui import state

    ws = state.workspace()
    ws.set_currency(Currency.of("$", "USD"), actor=LOCAL)
    state.currency_changed()
    assert (fmt.money(1_234_567), fmt.money(1_234_567, markdown=False)) == (r"\$1.2M", "$1.2M")
    assert fmt.amount_title("Revenue") == "Revenue (USD)"
    ws.set_currency(None, actor=LOCAL)
    state.currency_changed()
    assert fmt.money(1_234_567) == "1.2M"


def test_a_dash_says_why_in_its_tooltip_and_a_known_value_keeps_its_help():
    assert fmt.why_unknown("–", "No cohort is 4 quarters old yet.", "Kaplan–Meier.") == (
        "– No cohort is 4 quarters old yet.\n\nKaplan–Meier."
    )
    assert fmt.why_unknown("–", "Not measured.") == "– Not measured."
    assert fmt.why_unknown("12.0%", "No cohort is 4 quarters old yet.", "Kaplan–Meier.") == "Kaplan–Meier."
    assert fmt.unknown_column("Change", "same place.", "Places moved.")["help"] == "Places moved. – same place."


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0, "0:00:00"), (65.9, "0:01:05"), (3_725, "1:02:05"), (-3, "0:00:00")]
)
def test_a_duration_reads_as_hours_minutes_seconds(seconds, expected):
    assert fmt.duration(seconds) == expected
