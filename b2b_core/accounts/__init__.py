"""Accounts to act on: the lists of a quarter (new, churned, returning, contracting, at risk),
the renewal calendar, and one account's history."""

from b2b_core.accounts.history import account_history, attribute_spans
from b2b_core.accounts.lists import (
    AT_RISK,
    CHURNED,
    CONTRACTING,
    KIND_NAMES,
    KINDS,
    LIST_COLUMNS,
    NEW,
    QUADRANT_RANK,
    RETURNING,
    SHOWN,
    AccountLists,
    account_list_in_parts,
    account_lists,
    account_states,
)
from b2b_core.accounts.renewal_calendar import RenewalCalendar, renewal_calendar, renewals_in_parts

__all__ = [
    "AT_RISK",
    "CHURNED",
    "CONTRACTING",
    "KIND_NAMES",
    "KINDS",
    "LIST_COLUMNS",
    "NEW",
    "QUADRANT_RANK",
    "RETURNING",
    "SHOWN",
    "AccountLists",
    "RenewalCalendar",
    "account_history",
    "attribute_spans",
    "account_list_in_parts",
    "account_lists",
    "account_states",
    "renewal_calendar",
    "renewals_in_parts",
]
