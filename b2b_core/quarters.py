"""Calendar quarters: parsing the forms ops exports use, and quarter arithmetic.

A quarter is written ``YYYYQn`` (``2025Q3``); in Chinese texts ``2025年第3季度`` (``quarter_text``),
a form ``parse_quarter`` reads back. Internally a quarter can also be an integer
ordinal, ``year * 4 + (n - 1)``, so that consecutive quarters differ by exactly 1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from b2b_core.i18n import N_, _, language, ngettext

_QUARTER_FORMS = (
    # 2025Q3, 2025-Q3, 2025 Q3, 2025/Q3, 2025_q3, 2025年Q3 (fiscal years such as FY2025 are refused:
    # their quarters need not be calendar quarters)
    re.compile(r"^(?P<y>\d{4})\s*(?:[-_/ ]|年)?\s*q(?P<q>[1-4])$"),
    # Q3 2025, Q3-2025, Q3/2025, Q3'2025
    re.compile(r"^q(?P<q>[1-4])\s*[-_/' ]?\s*(?P<y>\d{4})$"),
    # 2025年第3季度, 2025年3季度, 2025 第三季度
    re.compile(r"^(?P<y>\d{4})\s*年?\s*第?(?P<q>[1-4一二三四])\s*季度?$"),
    # 2025.3 is deliberately not accepted: it is indistinguishable from a number.
)
_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
# A month without a day: 2025-08, 2025/8, 2025年8月 (not 2025.8, which reads as a number)
_MONTH = re.compile(r"^(?P<y>\d{4})(?:[-/](?P<m>\d{1,2})|年(?P<m2>\d{1,2})月)$")
# A date, optionally followed by a time: 2025-08-15, 2025/8/15, 2025.08.15, 2025年8月15日
_YEAR_FIRST = re.compile(
    r"^(?P<y>\d{4})(?:(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})|年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日?)(?:[ t].*)?$"
)
# 15/08/2025 or 08/15/2025: the order of day and month is not written down
_YEAR_LAST = re.compile(r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})(?:[ t].*)?$")


class _Unreadable(ValueError):
    """A value that cannot be read. The message names the value and says what to write instead;
    ``reason`` says the same without the value, for a report that shows the value beside it."""

    def __init__(self, reason: str, value: object = None):
        super().__init__(reason if value is None else f"{value!r} {reason}")
        self.reason = reason


class QuarterError(_Unreadable):
    """A value that is not a recognisable quarter."""


class DateError(_Unreadable):
    """A value that is not a recognisable date."""


def label(year: int, q: int) -> str:
    """Format a quarter as ``YYYYQn``."""
    return f"{year}Q{q}"


def quarter_text(quarter: str, lang: str | None = None) -> str:
    """A ``YYYYQn`` quarter as a text says it: ``2025Q3`` in English, ``2025年第3季度`` in Chinese
    (``lang``; by default the current language)."""
    return f"{quarter[:4]}年第{quarter[5]}季度" if (lang or language()) == "zh" else quarter


def of_date(day: dt.date) -> str:
    """The quarter a date falls in."""
    return label(day.year, (day.month - 1) // 3 + 1)


YEARS = range(1900, 2200)  # dates and quarters outside these years are typing errors


def _outside_years() -> str:
    return _("has a year outside {first} to {last}: write a year from {first} to {last}").format(
        first=YEARS.start, last=YEARS.stop - 1
    )


def _check_year(text: str, year: int) -> None:
    if year not in YEARS:
        raise DateError(
            _("has the year {year}: write a year from {first} to {last}").format(
                year=year, first=YEARS.start, last=YEARS.stop - 1
            ),
            text,
        )


DAY_FIRST, MONTH_FIRST = "day-first", "month-first"  # the orders of a date written with the year last
ORDER_NAMES = {DAY_FIRST: N_("day-first"), MONTH_FIRST: N_("month-first")}  # shown as _(ORDER_NAMES[order])
_TWO_WAYS = N_("reads two ways (day/month order): choose day-first or month-first for the column, or write YYYY-MM-DD")


def _date_readings(text: str, order: str | None = None) -> set[dt.date]:
    """Every real date ``text`` can mean (two for 03/04/2025, one when ``order`` says which part of
    a year-last date is the day); empty when it is no date form. Raises DateError for a date form
    that names no real day (2025-02-30, or 03/25/2025 read day-first) or an implausible year."""
    match = _YEAR_FIRST.match(text)
    if match:
        year, month, day = int(match["y"]), int(match["m"] or match["m2"]), int(match["d"] or match["d2"])
        _check_year(text, year)
        try:
            return {dt.date(year, month, day)}
        except ValueError:
            raise DateError(_("is not a real date: write it as YYYY-MM-DD"), text) from None
    match = _YEAR_LAST.match(text)
    if not match:
        return set()
    a, b, year = int(match["a"]), int(match["b"]), int(match["y"])
    _check_year(text, year)
    readings = set()
    orders = {DAY_FIRST: ((b, a),), MONTH_FIRST: ((a, b),), None: ((a, b), (b, a))}[order]
    for month, day in orders:
        with contextlib.suppress(ValueError):
            readings.add(dt.date(year, month, day))
    if not readings:
        if order:
            reason = _("is not a real date read {order} like the rest of its column: write it as YYYY-MM-DD")
            raise DateError(reason.format(order=_(ORDER_NAMES[order])), text)
        raise DateError(_("is not a real date: write it as YYYY-MM-DD"), text)
    return readings


def parse_date(value: object, order: str | None = None) -> dt.date | None:
    """The date of ``value``: ISO dates (``2026-03-31``, ``2026/3/31``, with or without a time),
    Chinese dates (``2026年3月31日``), day-first or month-first dates that read only one way
    (``31/03/2026``), or a ``datetime.date``; blank → None. Raises DateError otherwise.

    ``order`` (``DAY_FIRST`` or ``MONTH_FIRST``) reads every date written with the year last
    (``03/04/2026``) in that order; a date that names no real day in it is an error."""
    if isinstance(value, dt.date):
        _check_year(str(value), value.year)
        return value.date() if isinstance(value, dt.datetime) else value
    text = str(value).strip().lower()
    if not text:
        return None
    readings = _date_readings(text, order)
    if len(readings) == 1:
        return readings.pop()
    if readings:
        raise DateError(_(_TWO_WAYS), value)
    raise DateError(_("is not a date: write it as YYYY-MM-DD"), value)


def parse_quarter(value: object, order: str | None = None) -> str:
    """Return the ``YYYYQn`` quarter of ``value``.

    Accepts ``2025Q3``, ``2025-Q3``, ``2025 Q3``, ``Q3 2025``, ``Q3-2025``, Chinese forms
    (``2025年第3季度``, ``2025年Q3``), months (``2025-08``, ``2025/8``, ``2025年8月``), every date
    ``parse_date`` reads, and day-first or month-first dates whose two readings fall in the same
    quarter (``05/06/2025``); ``order`` reads every year-last date in that order (see
    ``parse_date``). Raises ``QuarterError`` otherwise.
    """
    if isinstance(value, dt.date):
        return of_date(value)
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    if not text:
        raise QuarterError(_("empty quarter: write the quarter, e.g. 2025Q3"))
    if "fy" in text:
        raise QuarterError(
            _(
                "is a fiscal quarter, which need not be a calendar quarter: write the calendar quarter (e.g. 2025Q3) "
                "or a date"
            ),
            value,
        )
    for form in _QUARTER_FORMS:
        match = form.match(text)
        if match:
            if int(match["y"]) not in YEARS:
                raise QuarterError(_outside_years(), value)
            return label(int(match["y"]), int(_CHINESE_DIGITS.get(match["q"], match["q"])))
    match = _MONTH.match(text)
    if match:
        month = int(match["m"] or match["m2"])
        if int(match["y"]) not in YEARS:
            raise QuarterError(_outside_years(), value)
        if not 1 <= month <= 12:
            reason = _("is no month: month {month} does not exist; write the date as YYYY-MM-DD")
            raise QuarterError(reason.format(month=month), value)
        return label(int(match["y"]), (month - 1) // 3 + 1)
    try:
        found = {of_date(day) for day in _date_readings(text, order)}
    except DateError as exc:
        raise QuarterError(exc.reason, value) from None
    if len(found) == 1:
        return found.pop()
    if found:
        raise QuarterError(
            _(
                "reads as {quarters} depending on day/month order: choose day-first or month-first for the column, or "
                "write the date as YYYY-MM-DD"
            ).format(quarters=_(" or ").join(quarter_text(q) for q in sorted(found))),
            value,
        )
    raise QuarterError(_("is not a quarter; write it as 2025Q3, Q3 2025 or a date"), value)


def recent(last: str, count: int) -> list[str]:
    """The ``count`` quarters ending with ``last``, newest first."""
    return span(shift(last, 1 - count), last)[::-1]


def current(today: dt.date | None = None) -> str:
    """The calendar quarter of ``today`` (default: the system date)."""
    return of_date(today or dt.date.today())


def to_ordinal(quarter: str) -> int:
    """``2025Q3`` → ``2025 * 4 + 2``. Consecutive quarters differ by 1."""
    return int(quarter[:4]) * 4 + int(quarter[5]) - 1


def from_ordinal(ordinal: int) -> str:
    """Inverse of ``to_ordinal``."""
    return label(ordinal // 4, ordinal % 4 + 1)


def ordinals_of(labels) -> np.ndarray:
    """The ordinal of each ``YYYYQn`` label of a column or list (parsed once per distinct label)."""
    codes, distinct = pd.factorize(pd.Series(labels, dtype=object), sort=False)
    return (
        np.array([to_ordinal(q) for q in distinct], dtype=np.int64)[codes] if len(distinct) else codes.astype(np.int64)
    )


def distinct_ordinals(ordinals: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an array of quarter (or year) ordinals, in one counting pass
    instead of a sort: ordinals of real data span a few hundred values at most."""
    ordinals = np.asarray(ordinals, dtype=np.int64)
    if not len(ordinals):
        return ordinals
    low = ordinals.min()
    return np.flatnonzero(np.bincount(ordinals - low)) + low


def ordinals_of_dates(dates) -> np.ndarray:
    """The quarter ordinal of each date of a datetime-like sequence (NaT not allowed)."""
    days = pd.DatetimeIndex(dates)
    return (days.year * 4 + (days.month - 1) // 3).to_numpy(dtype=np.int64)


def shift(quarter: str, periods: int) -> str:
    """The quarter ``periods`` quarters after ``quarter`` (negative: before)."""
    return from_ordinal(to_ordinal(quarter) + periods)


def span(first: str, last: str) -> list[str]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    return [from_ordinal(o) for o in range(to_ordinal(first), to_ordinal(last) + 1)]


_THROUGH = {"en": "–", "zh": "至"}  # between the first and the last quarter of a span


def span_label(quarters, lang: str | None = None) -> str:
    """``1997Q1–1998Q2``: the first and last of ``quarters`` (any order), or the one quarter;
    Chinese ``1997年第1季度至1998年第2季度`` (``lang`` ``"zh"``; by default the current language)."""
    lang = lang or language()
    ordered = sorted(set(quarters))
    first, last = quarter_text(ordered[0], lang), quarter_text(ordered[-1], lang)
    return first if len(ordered) == 1 else f"{first}{_THROUGH.get(lang, _THROUGH['en'])}{last}"


def missing_runs(quarters) -> list[tuple[str, str]]:
    """The runs of quarters missing between the first and the last of ``quarters`` (any order),
    oldest first, each as (first missing, last missing): ``["1998Q2", "2023Q1", "2023Q3"]`` →
    ``[("1998Q3", "2022Q4"), ("2023Q2", "2023Q2")]``."""
    ordinals = sorted({to_ordinal(q) for q in quarters})
    return [
        (from_ordinal(before + 1), from_ordinal(after - 1))
        for before, after in zip(ordinals, ordinals[1:])
        if after - before > 1
    ]


FAR_APART = 4  # quarters: a commit further than this from the live quarters is confirmed first


@dataclass(frozen=True)
class QuarterGap:
    """How far the quarters of a file lie from the workspace's live quarters.

    ``apart``: quarters strictly between the file's span and the live span (0 when they touch,
    overlap or interleave); ``far``: more than ``FAR_APART`` quarters apart, or a whole calendar
    year without data between them (years that do not touch), e.g. 2023Q4 and 2025Q1."""

    new: tuple[str, str]
    live: tuple[str, str]
    apart: int

    @property
    def far(self) -> bool:
        earlier, later = sorted((self.new, self.live))
        return self.apart > FAR_APART or (self.apart > 0 and int(later[0][:4]) - int(earlier[1][:4]) >= 2)

    def describe(self, live_note: str = "") -> str:
        """``Your file covers 1997Q1–1998Q2; the workspace holds 2023Q4–2026Q3 (sample data):
        101 quarters apart.`` (``live_note``: said of the live data in brackets, if given)."""
        note = _(" ({note})").format(note=live_note) if live_note else ""
        sentence = ngettext(
            "Your file covers {new}; the workspace holds {live}{note}: {apart} quarter apart.",
            "Your file covers {new}; the workspace holds {live}{note}: {apart} quarters apart.",
            self.apart,
        )
        return sentence.format(new=span_label(self.new), live=span_label(self.live), note=note, apart=f"{self.apart:,}")


def gap_between(new, live) -> QuarterGap | None:
    """The ``QuarterGap`` between the quarters ``new`` (of a file about to be committed) and
    ``live`` (the workspace's); None when either is empty. ``apart`` = first quarter of the later
    span − last quarter of the earlier span − 1, in quarters (0 when the spans overlap)."""
    if not len(new) or not len(live):
        return None
    new_span, live_span = (min(new), max(new)), (min(live), max(live))
    earlier, later = sorted((new_span, live_span))
    apart = max(to_ordinal(later[0]) - to_ordinal(earlier[1]) - 1, 0)
    return QuarterGap(new_span, live_span, apart)


_IN_TEXT = re.compile(
    r"(?<!\d)(?P<y>20\d{2})\s*(?:[-_ ]|年)?\s*q(?P<q>[1-4])(?!\d)"
    r"|(?<![a-z])q(?P<q2>[1-4])\s*[-_ ]?\s*(?P<y2>20\d{2})(?!\d)"
    r"|(?<!\d)(?P<y3>20\d{2})\s*年\s*第?\s*(?P<q3>[1-4一二三四])\s*季"  # 2025年第2季度, 2025年二季度
)


def find_quarter_in_text(text: str) -> str | None:
    """The single quarter named inside a file name such as ``merchants_2025Q3.csv``,
    ``2025年第2季度_商户收入.csv``, ``2025年Q2`` or ``2025年二季度``, else None."""
    found = {
        label(int(m["y"] or m["y2"] or m["y3"]), int(_CHINESE_DIGITS.get(m["q3"], m["q3"]) or m["q"] or m["q2"]))
        for m in _IN_TEXT.finditer(text.lower())
    }
    return found.pop() if len(found) == 1 else None
