"""The Data page's choices for exports as they come, and what a commit leaves out or changes.

Per file: the workbook sheet (the one most like an account export proposed), summing the rows of
an account in a quarter, the order of day and month of dates that read two ways, ids whatever
their case. For the commit: what "valid rows only" leaves out, and what superseding the live
quarters changes. Every number comes from ``b2b_core`` (``IngestResult``, ``Workspace``).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from b2b_core import exports
from b2b_core.i18n import N_, _, ngettext
from b2b_core.ingest import DATE_ORDERS, Choices, IngestResult
from b2b_core.ingest.left_out import accounts_left_out
from b2b_core.quarters import DAY_FIRST
from ui import columns, downloads
from ui import format as fmt

LISTED = 20  # accounts added or removed a supersede confirmation lists
_ORDER_LABELS = {DAY_FIRST: N_("Day first: 03/04/2025 is 3 April 2025")}
_LABELS = {
    "quarter": N_("Quarter"),
    "quarters": N_("Quarters"),
    "account_id": N_("Account"),
    "change": N_("Change"),
}


_CHANGES = {"added": N_("added"), "removed": N_("removed")}  # the accounts' change, as a cell says it


def _labels(**numbers: tuple[str, str]) -> dict:
    """The tables' text columns (``_LABELS``) and the number columns ``numbers`` (name → (label
    marked ``N_``, format)), labelled in the run's language."""
    texts = {name: _(text) for name, text in _LABELS.items()}
    return texts | columns.numbers(**{name: (_(text), form) for name, (text, form) in numbers.items()})


def _left_out_columns() -> dict:
    return _labels(
        rows_left_out=(N_("Rows left out"), "%d"),
        platform_revenue_left_out=(N_("Platform revenue left out"), "localized"),
        rows_kept=(N_("Rows kept"), "%d"),
    )


def _difference_columns() -> dict:
    return _labels(
        accounts_live=(N_("Accounts now"), "localized"),
        accounts_new=(N_("Accounts in the file"), "localized"),
        added=(N_("Added"), "localized"),
        removed=(N_("Removed"), "localized"),
        revenue_live=(N_("Platform revenue now"), "localized"),
        revenue_new=(N_("Platform revenue in the file"), "localized"),
        revenue_change=(N_("Revenue change"), "localized"),
    )


def sheet_picker(base: IngestResult, key: str) -> str | None:
    """The sheet to read of a workbook of several: the proposed one (read first, None) unless
    another is chosen."""
    if len(base.sheets) < 2:
        return None
    proposed = base.sheets.index(base.sheet) if base.sheet in base.sheets else 0
    sheet = st.selectbox(_("Sheet"), base.sheets, index=proposed, key=f"{key}:sheet")
    if base.sheet_note:
        st.caption(_("Sheet {sheet} {note}.").format(sheet=fmt.plain(base.sheet), note=fmt.plain(base.sheet_note)))
    return None if sheet == base.sheet else sheet


def chosen(key: str, live_spellings: dict[str, str]) -> Choices:
    """The choices made for the file ``key`` (its widgets' values, kept from the last run);
    ``live_spellings``: the file's ids the workspace spells otherwise (file's → workspace's)."""
    ignore_case = bool(st.session_state.get(f"{key}:ids"))
    spellings = tuple(sorted(live_spellings.items()))
    return Choices(
        sum_repeats=bool(st.session_state.get(f"{key}:sum")),
        date_order=st.session_state.get(f"{key}:dates"),
        ids_ignore_case=ignore_case,
        id_spellings=spellings if ignore_case else (),
    )


def export_choices(result: IngestResult, key: str, live_spellings: dict[str, str]) -> None:
    """The choices the file needs, each beside what calls for it (a choice once made stays shown)."""
    state = st.session_state
    if result.repeated_rows or state.get(f"{key}:sum"):
        if result.repeated_rows:
            st.error(
                _(
                    "{rows} rows repeat an account in its quarter with different values, as a transaction-level "
                    "export does. Sum them into one row per account and quarter, or keep one row per account and "
                    "quarter in the file."
                ).format(rows=f"{result.repeated_rows:,}")
            )
        st.checkbox(
            _("Sum the rows of each account and quarter into one"),
            key=f"{key}:sum",
            help=_(
                "Revenue and custom metrics are summed; active if any row is; the latest contract end; text "
                "columns and contract value from the latest row that has one (the last in the file)."
            ),
        )
        if result.summed_rows:
            summed = _("{rows} rows summed into {into} rows.")
            st.success(summed.format(rows=f"{result.summed_rows:,}", into=f"{result.summed_into:,}"))
    for found in result.date_orders:
        if found.note() and not found.undecided:
            st.caption(f"{fmt.plain(found.header)}: {fmt.plain(found.note())}.")
    if result.undecided_dates or state.get(f"{key}:dates"):
        headers = ", ".join(fmt.plain(found.header) for found in result.undecided_dates)
        if headers:
            undecided = _("{headers}: no date has a part above 12, so the order of day and month is yours to say.")
            st.warning(undecided.format(headers=headers))
        st.radio(
            _("Dates such as 03/04/2025 are written"),
            DATE_ORDERS,
            index=None,
            format_func={
                order: _(_ORDER_LABELS.get(order, N_("Month first: 03/04/2025 is March 4, 2025")))
                for order in DATE_ORDERS
            }.get,  # written in this run's language
            key=f"{key}:dates",
            horizontal=True,
        )
    case = result.case_variants
    if case.groups or live_spellings or state.get(f"{key}:ids"):
        _case_warning(case.listed, case.groups, live_spellings)
        st.checkbox(
            _("Read ids whatever their case (cd00004 and CD00004 are one account)"),
            key=f"{key}:ids",
            help=_("The spelling kept is the workspace's, else the one the file uses most (the first on a tie)."),
        )
    if result.totals_rows:
        st.info(_("{rows} totals rows left out (each named in the Warnings).").format(rows=f"{result.totals_rows:,}"))


def _case_warning(listed: pd.DataFrame, groups: int, live_spellings: dict[str, str]) -> None:
    lines = []
    more = _(" and {count} more")
    if groups:
        shown = "; ".join(fmt.plain(s) for s in listed["spellings"].head(10))
        rest = more.format(count=f"{groups - 10:,}") if groups > 10 else ""
        differ = ngettext(
            "{count} id of the file differs from another only by case: {shown}{more}.",
            "{count} ids of the file differ from another only by case: {shown}{more}.",
            groups,
        )
        lines.append(differ.format(count=f"{groups:,}", shown=shown, more=rest))
    if live_spellings:
        pairs = list(live_spellings.items())
        theirs = _("{mine} (workspace: {theirs})")
        shown = "; ".join(theirs.format(mine=fmt.plain(a), theirs=fmt.plain(b)) for a, b in pairs[:10])
        rest = more.format(count=f"{len(pairs) - 10:,}") if len(pairs) > 10 else ""
        spelt = ngettext(
            "{count} id is spelt otherwise in the workspace: {shown}{more}.",
            "{count} ids are spelt otherwise in the workspace: {shown}{more}.",
            len(pairs),
        )
        lines.append(spelt.format(count=f"{len(pairs):,}", shown=shown, more=rest))
    if lines:
        st.warning(" ".join(lines) + _(" As they are, each spelling is an account of its own."))


def valid_rows_only(result: IngestResult, key: str) -> bool:
    """The explicit choice to commit only the rows that passed, saying what it leaves out, with
    the accounts it concerns (the largest first, the whole list as a download)."""
    gone = result.left_out_summary
    partial = st.checkbox(_("Commit valid rows only (leaves out {what})").format(what=gone.sentence()), key=key)
    if gone.accounts:
        title = _("What a valid-rows-only commit leaves out: {count} accounts").format(count=f"{gone.accounts:,}")
        with st.expander(title, expanded=partial):
            columns.table(gone.largest, _left_out_columns())
            if gone.accounts > len(gone.largest):
                most = _("The {shown} accounts with the most revenue left out; the download lists all of them.")
                st.caption(most.format(shown=len(gone.largest)))
            downloads.file_button(
                _("Download the rows left out by account (CSV)"),
                lambda: exports.csv_bytes(accounts_left_out(result)),
                "left_out_accounts.csv",
                "text/csv",
                f"dl:left-out:{key}",
            )
    return partial


def left_out_note(result: IngestResult, partial: bool) -> str:
    """What the committed message adds about the rows left out ("" when none was)."""
    if not partial or not result.rows_left_out:
        return ""
    return _(" Left out: {what}.").format(what=result.left_out_summary.sentence())


def supersede_difference(ws, result: IngestResult) -> None:
    """What committing ``result`` changes in the quarters it supersedes, per quarter, and the
    accounts added or removed with the most revenue; computed once per file and workspace version."""
    per_quarter, accounts = remembered(
        "data:difference",
        (result.sha256, result.choices, result.rows.num_rows, ws.version),
        lambda: ws.supersede_difference(result.table, listed=LISTED),
    )
    columns.table(per_quarter, _difference_columns())
    if not accounts.empty:
        st.caption(
            _("Accounts added or removed with the most platform revenue (up to {listed}):").format(listed=LISTED)
        )
        changes = accounts["change"].map(lambda change: _(_CHANGES[change]) if change in _CHANGES else change)
        columns.table(accounts.assign(change=changes), _labels(platform_revenue=(N_("Platform revenue"), "localized")))


def live_spellings(ws, result: IngestResult, key: str) -> dict[str, str]:
    """The ids of the file ``key`` the workspace spells otherwise (only by case), once per file,
    sheet, mapping and workspace version."""
    if "account_id" not in result.rows.column_names or not result.rows.num_rows:
        return {}
    mapped = tuple(result.mapping["target"].astype(str))
    return remembered(
        f"data:spellings:{key}",
        (result.sha256, result.sheet, mapped, ws.version),
        lambda: ws.id_spellings(result.rows.column("account_id")),
    )


def remembered(name: str, key: tuple, compute: Callable):
    """``compute()`` kept in the session under ``name`` for ``key`` (one value per name)."""
    kept = st.session_state.get(name)
    if kept is None or kept[0] != key:
        kept = st.session_state[name] = (key, compute())
    return kept[1]
