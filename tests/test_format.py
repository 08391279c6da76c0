"""Screen formatting: unknown values show as a dash and unknown changes not at all."""

from __future__ import annotations

import math

import pytest

from ui import format as fmt


@pytest.mark.parametrize(
    ("value", "expected"), [(12_345_678, "12.3M"), (12_345, "12.3k"), (999, "999"), (2.5e9, "2.5B"), (math.nan, "–")]
)
def test_money(value, expected):
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
