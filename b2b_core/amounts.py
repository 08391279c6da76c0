"""Numbers written for people, the same on charts, on the screen and in exported decks: money
and counts short, shares as percentages, changes with their sign. Unknown values (NaN) show as a
dash, unknown changes not at all. Amounts carry the workspace's ``Currency`` when one is set:
its symbol on the number (``¥12.3M``), its code in titles (``Platform revenue (CNY)``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Currency:
    """The currency of a workspace's amounts: ``symbol`` written before the number (``¥``, ``$``,
    ``€``; may be empty) and the ISO 4217 ``code`` (``CNY``, ``USD``, ``EUR``)."""

    symbol: str
    code: str

    @classmethod
    def of(cls, symbol: str, code: str) -> Currency:
        """A checked currency: ``code`` three letters (upper-cased), ``symbol`` at most 3 characters
        with no digit, space or sign in it. ValueError saying what to write otherwise."""
        code, symbol = str(code).strip().upper(), str(symbol).strip()
        if not _CODE.fullmatch(code):
            raise ValueError(
                f"the currency code {code!r} is not three letters: write an ISO code such as CNY, USD, EUR"
            )
        if len(symbol) > 3 or any(c.isdigit() or c.isspace() or c in "+-.,%" for c in symbol):
            raise ValueError(
                f"the currency symbol {symbol!r} is not a short symbol: write one such as ¥, $, € (or leave it empty)"
            )
        return cls(symbol, code)

    @property
    def label(self) -> str:
        """``¥ CNY`` (``CNY`` without a symbol)."""
        return f"{self.symbol} {self.code}".strip()


def short_amount(value: float) -> str:
    """12,345,678 → ``12.3M``; 12,345 → ``12.3k``; 123 → ``123`` (money or counts)."""
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:,.1f}{suffix}"
    return f"{value:,.0f}"


def unknown(value: float | None) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float, currency: Currency | None = None) -> str:
    """12,345,678 → ``12.3M``; 12,345 → ``12.3k``; NaN → ``–``; with ``currency`` its symbol
    before the number: ``¥12.3M``, ``-¥1.5k``."""
    if unknown(value):
        return "–"
    written = short_amount(value)
    if currency is None or not currency.symbol:
        return written
    sign, number = ("-", written[1:]) if written.startswith("-") else ("", written)
    return f"{sign}{currency.symbol}{number}"


def amount_title(title: str, currency: Currency | None = None) -> str:
    """The title of an amount (a column, an axis, a colour scale) with the currency's code:
    ``Platform revenue (CNY)``; ``title`` as it is without a currency."""
    return f"{title} ({currency.code})" if currency is not None else title


def amount(value: float) -> str:
    """An amount in full, for tables and their CSV: 7549758.600000001 → ``7,549,758.60``; NaN → ``–``."""
    return "–" if unknown(value) else f"{value:,.2f}"


def ratio(value: float) -> str:
    """A ratio of two amounts: 2.3456 → ``2.35``; NaN → ``–``."""
    return "–" if unknown(value) else f"{value:,.2f}"


def count(value: float) -> str:
    """1234 → ``1,234``; NaN → ``–``."""
    return "–" if unknown(value) else f"{value:,.0f}"


def account_count(number: float, kind: str = "") -> str:
    """``1 account``, ``1,234 active accounts`` (``kind`` before the noun)."""
    noun = "account" if number == 1 else "accounts"
    return f"{count(number)} {kind + ' ' if kind else ''}{noun}"


def estimate(value: float) -> str:
    """A model parameter: 0.70412 → ``0.704``, 52,306.2 → ``52,306``, 0.0000061 → ``6.1e-06``,
    infinity → ``∞``; NaN → ``–``."""
    if unknown(value):
        return "–"
    if math.isinf(value):
        return "∞"
    if value and abs(value) < 0.001:
        return f"{value:.2g}"
    return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"


def share(value: float, digits: int = 1) -> str:
    """0.1234 → ``12.3%``; NaN → ``–``."""
    return "–" if unknown(value) else f"{100 * value:.{digits}f}%"


def change(value: float, kind: str) -> str | None:
    """A change as shown under a number, or None when it is unknown (NaN).

    ``kind``: ``"count"`` (+12), ``"points"`` for a change of a share (+0.52 pts), ``"relative"``
    for a relative change (+9.2%). A change that rounds to nothing reads +0, never −0.
    """
    if unknown(value):
        return None
    if kind == "count":
        return f"{round(value) + 0:+,.0f}"
    if kind == "points":
        return f"{round(100 * value, 2) + 0.0:+.2f} pts"
    if kind == "relative":
        return f"{round(100 * value, 1) + 0.0:+.1f}%"
    raise ValueError(f"unknown kind of change {kind!r}")


def duration(seconds: float) -> str:
    """A time span as hours:minutes:seconds, ``0:04:05``; whole seconds, rounded down, never below 0."""
    whole = max(int(seconds), 0)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
