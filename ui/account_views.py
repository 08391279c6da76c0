"""The accounts page's computations: the lists, the renewal calendar and an account's history,
reductions the workspace's engine runs once per data version and choice (``state.reduced``);
the whole lists only as downloads, built on click a part at a time.

The selection (filters) chooses accounts by their latest row, as on the quadrant page.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from b2b_core import accounts, exports, quadrants
from b2b_core.headers import headed
from b2b_core.i18n import _, worded
from b2b_core.quadrants.assign import named_states
from ui import state
from ui.filters import Selection


def _chosen(live: ir.Table, selection: Selection) -> pd.Index | None:
    return quadrants.accounts_matching(live, dict(selection))


def quadrant_names() -> tuple[tuple[str, str], ...]:
    """Quadrant key → how it is written (``Playbook.labels``: numeral and name), as pairs that can
    key a cache; the numerals alone when the playbook file cannot be read."""
    book = state.playbook()
    return tuple((quadrants.NUMERALS if isinstance(book, str) else book.labels()).items())


@worded  # each row's reason
def _lists(live: ir.Table, selection: Selection, quarter: str, names) -> accounts.AccountLists:
    return accounts.account_lists(live, quarter, _chosen(live, selection), names=dict(names))


def lists(selection: Selection, quarter: str) -> accounts.AccountLists:
    """``account_lists`` of the selection in ``quarter``: every list's counts and shown rows."""
    return state.reduced(_lists, selection, quarter, quadrant_names())


@worded  # its total row is named
def _calendar(live: ir.Table, selection: Selection, quarter: str) -> accounts.RenewalCalendar:
    return accounts.renewal_calendar(live, quarter, _chosen(live, selection))


def calendar(selection: Selection, quarter: str) -> accounts.RenewalCalendar:
    """``renewal_calendar`` of the selection after ``quarter``."""
    return state.reduced(_calendar, selection, quarter)


def history(account_id: str) -> pd.DataFrame:
    """``account_history`` of one account, its quadrants written as ``quadrant_names`` says (the
    other states in the run's language)."""
    found = state.reduced(accounts.account_history, account_id)
    return found.assign(quadrant=named_states(found["quadrant"], dict(quadrant_names())))


def _list_parts(live: ir.Table, selection: Selection, quarter: str, kind: str, write) -> bytes:
    _, parts = accounts.account_list_in_parts(
        live, quarter, kind, _chosen(live, selection), limit=exports.CSV_ROW_LIMIT, names=dict(quadrant_names())
    )
    return write(headed(part) for part in parts)


def list_file(selection: Selection, quarter: str, kind: str, form: str) -> bytes:
    """The whole list ``kind`` of the selection in ``quarter`` as ``form`` ("csv" or "xlsx"),
    spreadsheet-safe, built on click a part at a time; beyond ``exports.CSV_ROW_LIMIT`` accounts,
    that many with the largest revenue at stake."""
    write = _writer(form, _(accounts.KIND_NAMES[kind]))  # the sheet, named in the run's language
    return state.panel().reduce(lambda live: _list_parts(live, selection, quarter, kind, write))


def _renewal_parts(live: ir.Table, selection: Selection, quarter: str, write) -> bytes:
    parts = accounts.renewals_in_parts(live, quarter, _chosen(live, selection), limit=exports.CSV_ROW_LIMIT)
    return write(headed(part) for part in parts)


def renewals_file(selection: Selection, quarter: str, form: str) -> bytes:
    """Every contract of the renewal calendar after ``quarter`` as ``form`` ("csv" or "xlsx"),
    largest value first (at most ``exports.CSV_ROW_LIMIT``)."""
    write = _writer(form, _("renewals"))
    return state.panel().reduce(lambda live: _renewal_parts(live, selection, quarter, write))


def _writer(form: str, sheet: str):
    if form == "csv":
        return exports.csv_from_parts
    return lambda parts: exports.xlsx_from_parts(parts, sheet)
