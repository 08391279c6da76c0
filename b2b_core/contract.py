"""The data contract: the panel's columns, their types and what they mean (DESIGN §3).

The panel holds one row per B-side account per calendar quarter. Every module that reads or
writes panels takes its column names from here, so a contract change happens in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from b2b_core.i18n import N_

Kind = Literal["text", "quarter", "number", "boolean", "date"]


@dataclass(frozen=True)
class Column:
    """One contract column: its name, kind, whether a file must provide it, and its meaning."""

    name: str
    kind: Kind
    required: bool
    meaning: str  # in English, marked for the catalog: ``_(column.meaning)`` where it is shown


COLUMNS: tuple[Column, ...] = (
    Column("account_id", "text", True, N_("stable id of the B-side account")),
    Column("quarter", "quarter", True, N_("calendar quarter, YYYYQn")),
    Column("platform_revenue", "number", True, N_("platform's revenue from the account in the quarter")),
    Column("b_side_revenue", "number", False, N_("the account's own revenue through the platform")),
    Column("account_name", "text", False, N_("display name of the account")),
    Column("segment", "text", False, N_("industry or business segment")),
    Column("region", "text", False, N_("sales region")),
    Column("tier", "text", False, N_("size band, e.g. KA / mid / long-tail")),
    Column("owner", "text", False, N_("account owner on the ops or sales team")),
    Column("active", "boolean", False, N_("live relationship that quarter (default: any revenue > 0)")),
    Column("contract_value", "number", False, N_("contracted annual value (ARR)")),
    Column("contract_end", "date", False, N_("end date of the current contract")),
)
# What "active" means wherever accounts are counted (DESIGN §3), for the help of those numbers
ACTIVE_MEANS = N_(  # shown translated: _(ACTIVE_MEANS)
    "Active = the file's active column where it has one, otherwise platform revenue > 0 or B-side revenue > 0 "
    "in that quarter."
)

# Limits of what a panel holds, so that one mistyped or hostile value cannot break the sums and views.
MAX_AMOUNT = 1e15  # the largest amount (currency units) a number column accepts, in absolute value
MAX_TEXT_CHARS = 1_000  # the longest text cell (ids, names, segments …), in characters
MAX_CUSTOM_METRICS = 200  # custom metric columns one upload may bring, and the whole workspace keep

NOT_SET = N_("(not set)")  # shown translated; how an empty descriptive attribute (segment, tier …) is shown and grouped
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
NUMBER_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "number")
TEXT_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "text")
KEY: tuple[str, str] = ("account_id", "quarter")
SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "quarter": "VARCHAR",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
}
PANDAS_TYPES: dict[str, str] = {
    "text": "object",
    "quarter": "object",
    "number": "float64",
    "boolean": "bool",
    "date": "datetime64[ns]",
}

# A text cell "looks like a spreadsheet formula" when it starts with one of these characters, unless
# it is a signed number (-5 is a number, -cmd is not). Ingest warns about such cells; exports
# prefix them with an apostrophe so that no spreadsheet evaluates them.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
SIGNED_NUMBER = r"^[+-](\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def looks_like_formula(text: object) -> bool:
    """True for a text that a spreadsheet could evaluate as a formula (see ``FORMULA_START``)."""
    return isinstance(text, str) and text.startswith(FORMULA_START) and not re.match(SIGNED_NUMBER, text)


def empty_panel() -> pd.DataFrame:
    """A panel with no rows and the contract's columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series(dtype=PANDAS_TYPES[c.kind]) for c in COLUMNS})


def custom_metrics(panel: pd.DataFrame) -> list[str]:
    """The panel's custom metric columns: numeric (not boolean) columns that are not contract columns."""
    return [
        c
        for c in panel.columns
        if c not in BY_NAME and pd.api.types.is_numeric_dtype(panel[c]) and not pd.api.types.is_bool_dtype(panel[c])
    ]
