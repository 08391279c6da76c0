"""Cleaning rules for cell values, as DuckDB SQL macros plus the messages for what cannot be cleaned.

Numbers are cleaned in SQL (vectorised, so a million-row upload stays fast):

1. spaces (also non-breaking and thin spaces), currency symbols ``¥ ￥ $ € £`` and codes
   ``RMB CNY USD EUR GBP`` are removed;
2. ``(123)`` becomes ``-123`` (accounting negatives), a trailing ``%`` divides by 100;
3. the thousands separator is removed: ``,`` normally, or ``.`` and ``'`` in a column written with
   decimal commas (``1.234,50``), detected per column (see ``DECIMAL_COMMA_SQL``).

Every value the rules cannot turn into a number gets an issue code (``number_issue``); the
module-level message table turns each code into the reason shown to the user.
"""

from __future__ import annotations

import contextlib
import datetime as dt

MACROS = r"""
CREATE OR REPLACE MACRO cell(t) AS
    trim(t, ' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(8239) || chr(8201));
CREATE OR REPLACE MACRO money_text(t) AS
    regexp_replace(cell(t), '[\s\x{00A0}\x{202F}\x{2009}]|[¥￥$€£]|(?i:rmb|cny|usd|eur|gbp)', '', 'g');
CREATE OR REPLACE MACRO written_number(s, decimal_comma) AS TRY_CAST(
    CASE WHEN decimal_comma THEN replace(replace(replace(s, '.', ''), '''', ''), ',', '.')
         ELSE replace(replace(s, ',', ''), '''', '') END AS DOUBLE);
CREATE OR REPLACE MACRO dirty_number(s, decimal_comma) AS
    written_number(rtrim(CASE WHEN regexp_full_match(s, '\(.+\)') THEN s[2:-2] ELSE s END, '%'), decimal_comma)
    * CASE WHEN regexp_full_match(s, '\(.+\)') THEN -1 ELSE 1 END
    / CASE WHEN ends_with(s, '%') THEN 100 ELSE 1 END;
-- Plain numbers take the fast cast; only the others go through the cleaning rules.
CREATE OR REPLACE MACRO clean_number(t, decimal_comma) AS CASE
    WHEN NOT decimal_comma AND isfinite(TRY_CAST(t AS DOUBLE)) THEN TRY_CAST(t AS DOUBLE)
    ELSE nullif(dirty_number(money_text(t), decimal_comma), 'NaN'::DOUBLE) END;  -- 'nan' text: no value
CREATE OR REPLACE MACRO number_issue(t, value, is_money) AS CASE
    WHEN value >= 0 AND isfinite(value) AND NOT (is_money AND contains(t, '%')) THEN NULL
    WHEN t IS NULL OR cell(t) = '' THEN 'blank'
    WHEN lower(cell(t)) IN ('n/a', 'na', '-', '--', '—', 'null', 'none', 'nan', '/') THEN 'placeholder'
    WHEN upper(cell(t)) IN ('#N/A', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#NULL!', '#SPILL!',
                            '#CALC!', '#GETTING_DATA', '#FIELD!', '#BLOCKED!', '#CONNECT!', '#BUSY!')
         THEN 'excel_error'
    WHEN regexp_matches(cell(t), '^[=@]') OR (regexp_matches(cell(t), '^[+\-]') AND value IS NULL) THEN 'formula'
    WHEN value IS NULL THEN 'not_a_number'
    WHEN NOT isfinite(value) THEN 'not_finite'
    WHEN is_money AND ends_with(money_text(t), '%') THEN 'percent_in_money'
    WHEN value < 0 THEN 'negative'
END;
"""

# A column uses decimal commas when some value ends in ",d" or ",dd" or has "1.234,5", and no
# value is written the other way round ("1,234.5"). Only values holding a comma are looked at.
DECIMAL_COMMA_SQL = (
    r"coalesce(bool_or(regexp_matches({c}, '\d,\d{{1,2}}\)?%?\s*$|\d\.\d{{3}},\d')) FILTER (contains({c}, ',')) "
    r"AND NOT bool_or(regexp_matches({c}, '\d,\d{{3}}\.\d')) FILTER (contains({c}, ',')), false)"
)

# Issue code → (severity, reason). Revenue columns read a blank as 0 and say so.
NUMBER_ISSUES: dict[str, tuple[str, str]] = {
    "blank": ("warning", "empty: read as 0"),
    "placeholder": ("warning", "a placeholder for 'no value': read as 0"),
    "excel_error": (
        "error",
        "is an Excel error value: fix the formula in the source sheet (or enter 0 if the true value is zero)",
    ),
    "formula": (
        "error",
        "looks like a spreadsheet formula, which is never evaluated: paste the values (Paste Special → "
        "Values) and upload again",
    ),
    "not_a_number": ("error", "is not a number: write the amount in digits, e.g. 1234.50"),
    "not_finite": ("error", "is not a finite number: write the amount in digits"),
    "percent_in_money": ("error", "is a percentage, but this column holds amounts: write the amount itself"),
    "negative": (
        "error",
        "is negative, and this column must be 0 or more: net refunds? enter 0, or correct the figure",
    ),
}

_TRUE = {"1", "true", "t", "yes", "y", "active", "live", "on", "是", "活跃", "在约", "正常", "√", "✓", "x"}
_FALSE = {
    "0",
    "false",
    "f",
    "no",
    "n",
    "inactive",
    "churned",
    "lost",
    "closed",
    "suspended",
    "off",
    "否",
    "流失",
    "停用",
    "终止",
}


def parse_active(text: str) -> bool | None:
    """Yes/no forms of the ``active`` column in English and Chinese; blank → None (the default
    rule applies: any revenue > 0); ValueError otherwise."""
    key = text.strip().lower()
    if not key:
        return None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"{text!r} is not yes/no: write TRUE or FALSE (or 1 / 0)")


def parse_date(text: str) -> dt.date | None:
    """ISO dates (``2026-03-31``, ``2026/3/31``, with or without a time), Chinese dates
    (``2026年3月31日``) and day-first or month-first dates that read only one way; blank → None."""
    import re

    key = text.strip()
    if not key:
        return None
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?|(\d{4})年(\d{1,2})月(\d{1,2})日?", key)
    if match:
        y, m, d = (int(g) for g in match.groups() if g is not None)
        try:
            return dt.date(y, m, d)
        except ValueError:
            raise ValueError(f"{text!r} is not a real date: write it as YYYY-MM-DD") from None
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T].*)?", key)
    if match:
        a, b, y = (int(g) for g in match.groups())
        readings = set()
        for m, d in ((a, b), (b, a)):
            with contextlib.suppress(ValueError):
                readings.add(dt.date(y, m, d))
        if len(readings) == 1:
            return readings.pop()
        if readings:
            raise ValueError(f"{text!r} reads two ways (day/month order): write it as YYYY-MM-DD")
    raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD")
