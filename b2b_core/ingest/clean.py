"""Cleaning rules for cell values, as DuckDB SQL macros plus the messages for what cannot be cleaned.

Numbers are cleaned in SQL (vectorised, so a million-row upload stays fast):

1. spaces (also non-breaking and thin spaces), currency symbols ``¥ ￥ $ € £`` and codes
   ``RMB CNY USD EUR GBP`` are removed;
2. ``(123)`` becomes ``-123`` (accounting negatives), a trailing ``%`` divides by 100;
3. the thousands separator is removed: ``,`` normally, or ``.`` and ``'`` in a column written with
   decimal commas (``1.234,50``), detected per column (see ``DECIMAL_STYLE_SQL``).

Every value the rules cannot turn into a number, and every number out of bounds (negative, or
above ``contract.MAX_AMOUNT`` in absolute value), gets an issue code (``number_issue``); the
module-level message table turns each code into the reason shown to the user.
"""

from __future__ import annotations

from b2b_core import contract
from b2b_core.i18n import N_, _

# The values Excel writes into a cell whose formula failed.
EXCEL_ERRORS = (
    "#N/A",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
)

MACROS = rf"""
CREATE OR REPLACE MACRO is_excel_error(t) AS upper(trim(t)) IN ({", ".join(f"'{e}'" for e in EXCEL_ERRORS)});
CREATE OR REPLACE MACRO cell(t) AS
    trim(t, ' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(8239) || chr(8201));
CREATE OR REPLACE MACRO money_text(t) AS
    regexp_replace(cell(t), '[\s\x{{00A0}}\x{{202F}}\x{{2009}}]|[¥￥$€£]|(?i:rmb|cny|usd|eur|gbp)', '', 'g');
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
    WHEN value >= 0 AND value <= {contract.MAX_AMOUNT:.0f} AND NOT (is_money AND contains(t, '%')) THEN NULL
    WHEN t IS NULL OR cell(t) = '' THEN 'blank'
    WHEN lower(cell(t)) IN ('n/a', 'na', '-', '--', '—', 'null', 'none', 'nan', '/') THEN 'placeholder'
    WHEN is_excel_error(t) THEN 'excel_error'
    WHEN regexp_matches(cell(t), '^[=@]') OR (regexp_matches(cell(t), '^[+\-]') AND value IS NULL) THEN 'formula'
    WHEN value IS NULL THEN 'not_a_number'
    WHEN NOT isfinite(value) THEN 'not_finite'
    WHEN abs(value) > {contract.MAX_AMOUNT:.0f} THEN 'too_large'
    WHEN is_money AND ends_with(money_text(t), '%') THEN 'percent_in_money'
    WHEN value < 0 THEN 'negative'
END;
"""

# How a column writes decimals, judged from the values holding a separator: "12,5" or "1.234,5"
# are decimal commas, "12.5" or "1,234.5" decimal points. A column showing only decimal commas is
# read that way (with a warning); one showing both is ambiguous, and its comma values are errors.
DECIMAL_COMMA = r"\d,\d{1,2}\)?%?$|\d\.\d{3},\d"
DECIMAL_POINT = r"\d\.\d{1,2}\)?%?$|\d,\d{3}\.\d"
DECIMAL_STYLE_SQL = (
    "coalesce(bool_or(regexp_matches(money_text({c}), '" + DECIMAL_COMMA + "')) FILTER (contains({c}, ',')), false), "
    "coalesce(bool_or(regexp_matches(money_text({c}), '" + DECIMAL_POINT + "')) FILTER (contains({c}, '.')), false)"
)

# Issue code → (severity, reason): the reason is marked for the catalog and shown as
# ``_(reason).format(largest=contract.MAX_AMOUNT)``. Revenue columns read a blank as 0 and say so.
NUMBER_ISSUES: dict[str, tuple[str, str]] = {
    "blank": ("warning", N_("empty: read as 0")),
    "placeholder": ("warning", N_("a placeholder for 'no value': read as 0")),
    "excel_error": (
        "error",
        N_("is an Excel error value: fix the formula in the source sheet (or enter 0 if the true value is zero)"),
    ),
    "formula": (
        "error",
        N_(
            "looks like a spreadsheet formula, which is never evaluated: paste the values (Paste Special → "
            "Values) and upload again"
        ),
    ),
    "not_a_number": ("error", N_("is not a number: write the amount in digits, e.g. 1234.50")),
    "not_finite": ("error", N_("is not a finite number: write the amount in digits")),
    "too_large": (
        "error",
        N_(
            "is above {largest:,.0f} (10^15), the largest amount accepted: check the figure and the column it is in "
            "(an id or a phone number mapped as an amount?)"
        ),
    ),
    "mixed_decimal": (
        "error",
        N_(
            "uses a decimal comma, but other values of this column use a decimal point, so it is ambiguous: "
            "write every number of the column the same way, e.g. 1234.50"
        ),
    ),
    "percent_in_money": ("error", N_("is a percentage, but this column holds amounts: write the amount itself")),
    "negative": (
        "error",
        N_("is negative, and this column must be 0 or more: net refunds? enter 0, or correct the figure"),
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
    rule applies: any revenue > 0); ValueError otherwise (its message, shown beside the value,
    does not repeat it)."""
    key = text.strip().lower()
    if not key:
        return None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(_("is not yes/no: write TRUE or FALSE (or 1 / 0)"))
