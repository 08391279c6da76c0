"""Numbers written for people, the same on charts, on the screen and in exported decks: money
and counts short, shares as percentages, changes with their sign. Unknown values (NaN) show as a
dash, unknown changes not at all. Amounts carry the workspace's ``Currency`` when one is set:
its symbol on the number (``¥12.3M``), its code in titles (``Platform revenue (CNY)``).

Every function writing a number takes ``lang`` (``"en"`` or ``"zh"``), by default the current
language (``i18n.language()``: the run's; a cache shared by sessions keys what it holds by it, and
the audit trail names English). Chinese writes short amounts in 万 (10⁴) and 亿 (10⁸)
instead of k, M and B (``1.2亿``, ``3,450万``) and its separators as Babel's ``zh_Hans_CN``
locale has them; everything else reads as in English."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from b2b_core.i18n import _, language, ngettext

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
                _("the currency code {code} is not three letters: write an ISO code such as CNY, USD, EUR").format(
                    code=repr(code)
                )
            )
        if len(symbol) > 3 or any(c.isdigit() or c.isspace() or c in "+-.,%" for c in symbol):
            raise ValueError(
                _(
                    "the currency symbol {symbol} is not a short symbol: write one such as ¥, $, € (or leave it empty)"
                ).format(symbol=repr(symbol))
            )
        return cls(symbol, code)

    @property
    def label(self) -> str:
        """``¥ CNY`` (``CNY`` without a symbol)."""
        return f"{self.symbol} {self.code}".strip()


_LOCALES = {"zh": "zh_Hans_CN"}  # the Babel locale of each language written other than English


@functools.cache
def _separators(lang: str) -> dict[int, str] | None:
    """The table turning an English-written number into ``lang``'s thousands and decimal
    separators (Babel's locale data); None for English and languages without a locale here."""
    if lang not in _LOCALES:
        return None
    from babel import numbers

    locale = _LOCALES[lang]
    return str.maketrans({",": numbers.get_group_symbol(locale), ".": numbers.get_decimal_symbol(locale)})


def _in_language(written: str, lang: str | None) -> str:
    """A number written the English way (``1,234.5``) with ``lang``'s separators (None: the
    current language's)."""
    table = _separators(lang or language())
    return written if table is None else written.translate(table)


WAN, YI = 1e4, 1e8  # 万 and 亿, the units of Chinese short amounts


def _short_chinese(value: float) -> str:
    """A short amount in 万 and 亿 with the English form's precision: the number of units to one
    decimal below 1,000 units (a trailing .0 dropped: ``1万``, ``1.2亿``), whole from 1,000 units
    (``3,450万``); below 1万 the whole number (``9,999``). 亿 is the largest unit (1.2345e12 →
    ``12,345亿``, as English stops at B). The unit is chosen after rounding: 9,999.6 reads
    ``1万`` and 99,999,999 ``1亿``, never ``10,000`` or ``10,000万``."""
    if abs(round(value)) < WAN:
        return f"{value:,.0f}"
    units, unit = value / WAN, "万"
    if abs(round(units)) >= YI / WAN:
        units, unit = value / YI, "亿"
    rounded = round(units, 1)
    number = f"{rounded:,.1f}".removesuffix(".0") if abs(rounded) < 1000 else f"{units:,.0f}"
    return number + unit


def short_amount(value: float, lang: str | None = None) -> str:
    """12,345,678 → ``12.3M``; 12,345 → ``12.3k``; 123 → ``123`` (money or counts). Chinese:
    123,456,789 → ``1.2亿``; 34,500,000 → ``3,450万``; 12,345 → ``1.2万``; 9,999 → ``9,999``."""
    if (lang or language()) == "zh" and math.isfinite(value):
        return _in_language(_short_chinese(value), lang)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:,.1f}{suffix}"
    return f"{value:,.0f}"


def unknown(value: float | None) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float, currency: Currency | None = None, lang: str | None = None) -> str:
    """12,345,678 → ``12.3M``; 12,345 → ``12.3k``; NaN → ``–``; with ``currency`` its symbol
    before the number: ``¥12.3M``, ``-¥1.5k`` (Chinese: ``¥1,235万``, ``-¥1.5万``)."""
    if unknown(value):
        return "–"
    written = short_amount(value, lang)
    if currency is None or not currency.symbol:
        return written
    sign, number = ("-", written[1:]) if written.startswith("-") else ("", written)
    return f"{sign}{currency.symbol}{number}"


def amount_title(title: str, currency: Currency | None = None) -> str:
    """The title of an amount (a column, an axis, a colour scale) with the currency's code:
    ``Platform revenue (CNY)``; ``title`` as it is without a currency."""
    return f"{title} ({currency.code})" if currency is not None else title


def amount(value: float, lang: str | None = None) -> str:
    """An amount in full, for tables and their CSV: 7549758.600000001 → ``7,549,758.60``; NaN → ``–``."""
    return "–" if unknown(value) else _in_language(f"{value:,.2f}", lang)


def ratio(value: float, lang: str | None = None) -> str:
    """A ratio of two amounts: 2.3456 → ``2.35``; NaN → ``–``."""
    return "–" if unknown(value) else _in_language(f"{value:,.2f}", lang)


def count(value: float, lang: str | None = None) -> str:
    """1234 → ``1,234``; NaN → ``–``."""
    return "–" if unknown(value) else _in_language(f"{value:,.0f}", lang)


def account_count(number: float, kind: str = "") -> str:
    """``1 account``, ``1,234 active accounts`` (``kind``, already in the current language, before
    the noun); Chinese ``1,234个活跃B端客户``."""
    form = 1 if number == 1 else 2  # the count that picks the singular or the plural form
    if kind:
        return ngettext("{n} {kind} account", "{n} {kind} accounts", form).format(n=count(number), kind=kind)
    return ngettext("{n} account", "{n} accounts", form).format(n=count(number))


def estimate(value: float, lang: str | None = None) -> str:
    """A model parameter: 0.70412 → ``0.704``, 52,306.2 → ``52,306``, 0.0000061 → ``6.1e-06``,
    infinity → ``∞``; NaN → ``–``."""
    if unknown(value):
        return "–"
    if math.isinf(value):
        return "∞"
    if value and abs(value) < 0.001:
        written = f"{value:.2g}"
    else:
        written = f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return _in_language(written, lang)


def share(value: float, digits: int = 1, lang: str | None = None) -> str:
    """0.1234 → ``12.3%``; NaN → ``–``."""
    return "–" if unknown(value) else _in_language(f"{100 * value:.{digits}f}%", lang)


_POINTS = {"en": " pts", "zh": "个百分点"}  # the unit of a change of a share: +0.52 pts, +0.52个百分点


def change(value: float, kind: str, lang: str | None = None) -> str | None:
    """A change as shown under a number, or None when it is unknown (NaN).

    ``kind``: ``"count"`` (+12), ``"points"`` for a change of a share (+0.52 pts; Chinese
    +0.52个百分点), ``"relative"`` for a relative change (+9.2%). A change that rounds to nothing
    reads +0, never −0.
    """
    if unknown(value):
        return None
    if kind == "count":
        written = f"{round(value) + 0:+,.0f}"
    elif kind == "points":
        written = f"{round(100 * value, 2) + 0.0:+.2f}{_POINTS.get(lang or language(), _POINTS['en'])}"
    elif kind == "relative":
        written = f"{round(100 * value, 1) + 0.0:+.1f}%"
    else:
        raise ValueError(f"unknown kind of change {kind!r}")
    return _in_language(written, lang)


def duration(seconds: float) -> str:
    """A time span as hours:minutes:seconds, ``0:04:05``; whole seconds, rounded down, never below 0."""
    whole = max(int(seconds), 0)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
