"""Calendar quarters: parsing the forms ops exports use, and quarter arithmetic.

A quarter is written ``YYYYQn`` (``2025Q3``). Internally a quarter can also be an integer
ordinal, ``year * 4 + (n - 1)``, so that consecutive quarters differ by exactly 1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

_QUARTER_FORMS = (
    # 2025Q3, 2025-Q3, 2025 Q3, 2025/Q3, 2025_q3, 2025年Q3, FY2025 Q3
    re.compile(r"^(?:fy)?(?P<y>\d{4})\s*(?:[-_/ ]|年)?\s*q(?P<q>[1-4])$"),
    # Q3 2025, Q3-2025, Q3/2025, Q3'2025
    re.compile(r"^q(?P<q>[1-4])\s*[-_/' ]?\s*(?:fy)?(?P<y>\d{4})$"),
    # 2025年第3季度, 2025年3季度, 2025 第三季度
    re.compile(r"^(?P<y>\d{4})\s*年?\s*第?(?P<q>[1-4一二三四])\s*季度?$"),
    # 2025.3 is deliberately not accepted: it is indistinguishable from a number.
)
_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
# 2025-08-15, 2025/8/15, 2025.08.15, 2025-08 (a month alone only with - or /: 2025.3 is a number)
_ISO_DATE = re.compile(
    r"^(?P<y>\d{4})(?:(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})|[-/](?P<m2>\d{1,2}))(?:[ t].*)?$"
)
_DAY_FIRST_OR_MONTH_FIRST = re.compile(r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})(?:[ t].*)?$")
_CHINESE_DATE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?$")


class QuarterError(ValueError):
    """A value that is not a recognisable quarter; the message says what to write instead."""


def label(year: int, q: int) -> str:
    """Format a quarter as ``YYYYQn``."""
    return f"{year}Q{q}"


def _month_quarter(year: int, month: int, day: int | None) -> str:
    if not 1 <= month <= 12:
        raise QuarterError(f"month {month} does not exist: write the date as YYYY-MM-DD")
    if day is not None:
        dt.date(year, month, day)  # raises ValueError for 2025-02-30
    return label(year, (month - 1) // 3 + 1)


def parse_quarter(value: object) -> str:
    """Return the ``YYYYQn`` quarter of ``value``.

    Accepts ``2025Q3``, ``2025-Q3``, ``2025 Q3``, ``Q3 2025``, ``Q3-2025``, Chinese forms
    (``2025年第3季度``, ``2025年Q3``), ISO dates and months (``2025-08-15``, ``2025/8``,
    ``2025年8月``), day-first or month-first dates where both readings fall in the same quarter
    (``15/08/2025``), and ``datetime.date`` objects. Raises ``QuarterError`` otherwise.
    """
    if isinstance(value, (dt.date, dt.datetime)):
        return label(value.year, (value.month - 1) // 3 + 1)
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    if not text:
        raise QuarterError("empty quarter: write the quarter, e.g. 2025Q3")
    for form in _QUARTER_FORMS:
        match = form.match(text)
        if match:
            q = _CHINESE_DIGITS.get(match["q"], match["q"])
            return label(int(match["y"]), int(q))
    try:
        match = _ISO_DATE.match(text)
        if match:
            day = int(match["d"]) if match["d"] else None
            return _month_quarter(int(match["y"]), int(match["m"] or match["m2"]), day)
        match = _CHINESE_DATE.match(text)
        if match:
            day = int(match["d"]) if match["d"] else None
            return _month_quarter(int(match["y"]), int(match["m"]), day)
        match = _DAY_FIRST_OR_MONTH_FIRST.match(text)
        if match:
            a, b, year = int(match["a"]), int(match["b"]), int(match["y"])
            readings = set()
            for month, day in ((a, b), (b, a)):
                with contextlib.suppress(ValueError):  # QuarterError is a ValueError
                    readings.add(_month_quarter(year, month, day))
            if len(readings) == 1:
                return readings.pop()
            if len(readings) > 1:
                raise QuarterError(
                    f"{value!r} reads as {' or '.join(sorted(readings))} depending on day/month "
                    "order; write the date as YYYY-MM-DD"
                )
    except QuarterError:
        raise
    except ValueError as exc:
        raise QuarterError(f"{value!r} is not a valid date ({exc}): write it as YYYY-MM-DD") from None
    raise QuarterError(f"{value!r} is not a quarter; write it as 2025Q3, Q3 2025 or a date")


def to_ordinal(quarter: str) -> int:
    """``2025Q3`` → ``2025 * 4 + 2``. Consecutive quarters differ by 1."""
    return int(quarter[:4]) * 4 + int(quarter[5]) - 1


def from_ordinal(ordinal: int) -> str:
    """Inverse of ``to_ordinal``."""
    return label(ordinal // 4, ordinal % 4 + 1)


def shift(quarter: str, periods: int) -> str:
    """The quarter ``periods`` quarters after ``quarter`` (negative: before)."""
    return from_ordinal(to_ordinal(quarter) + periods)


def span(first: str, last: str) -> list[str]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    return [from_ordinal(o) for o in range(to_ordinal(first), to_ordinal(last) + 1)]


_IN_TEXT = re.compile(
    r"(?<!\d)(?P<y>20\d{2})\s*[-_ ]?\s*q(?P<q>[1-4])(?!\d)|(?<![a-z])q(?P<q2>[1-4])\s*[-_ ]?\s*(?P<y2>20\d{2})(?!\d)"
)


def find_quarter_in_text(text: str) -> str | None:
    """The single quarter named inside a file name such as ``merchants_2025Q3.csv``, else None."""
    found = {label(int(m["y"] or m["y2"]), int(m["q"] or m["q2"])) for m in _IN_TEXT.finditer(text.lower())}
    return found.pop() if len(found) == 1 else None
