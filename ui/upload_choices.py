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
from b2b_core.ingest import DATE_ORDERS, Choices, IngestResult
from b2b_core.ingest.left_out import accounts_left_out
from b2b_core.quarters import DAY_FIRST
from ui import columns, downloads
from ui import format as fmt

LISTED = 20  # accounts added or removed a supersede confirmation lists
_ORDER_LABELS = {DAY_FIRST: "Day first: 03/04/2025 is 3 April 2025"}
_LABELS = {
    "quarter": "Quarter",
    "quarters": "Quarters",
    "account_id": "Account",
    "change": "Change",
}
_LEFT_OUT_COLUMNS = _LABELS | columns.numbers(
    rows_left_out=("Rows left out", "%d"),
    platform_revenue_left_out=("Platform revenue left out", "localized"),
    rows_kept=("Rows kept", "%d"),
)
_DIFFERENCE_COLUMNS = _LABELS | columns.numbers(
    accounts_live=("Accounts now", "localized"),
    accounts_new=("Accounts in the file", "localized"),
    added=("Added", "localized"),
    removed=("Removed", "localized"),
    revenue_live=("Platform revenue now", "localized"),
    revenue_new=("Platform revenue in the file", "localized"),
    revenue_change=("Revenue change", "localized"),
)


def sheet_picker(base: IngestResult, key: str) -> str | None:
    """The sheet to read of a workbook of several: the proposed one (read first, None) unless
    another is chosen."""
    if len(base.sheets) < 2:
        return None
    proposed = base.sheets.index(base.sheet) if base.sheet in base.sheets else 0
    sheet = st.selectbox("Sheet", base.sheets, index=proposed, key=f"{key}:sheet")
    if base.sheet_note:
        st.caption(f"Sheet {fmt.plain(base.sheet)} {fmt.plain(base.sheet_note)}.")
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
                f"{result.repeated_rows:,} rows repeat an account in its quarter with different values, as a "
                "transaction-level export does. Sum them into one row per account and quarter, or keep one row per "
                "account and quarter in the file."
            )
        st.checkbox(
            "Sum the rows of each account and quarter into one",
            key=f"{key}:sum",
            help="Revenue and custom metrics are summed; active if any row is; the latest contract end; text "
            "columns and contract value from the latest row that has one (the last in the file).",
        )
        if result.summed_rows:
            st.success(f"{result.summed_rows:,} rows summed into {result.summed_into:,} rows.")
    for found in result.date_orders:
        if found.note() and not found.undecided:
            st.caption(f"{fmt.plain(found.header)}: {fmt.plain(found.note())}.")
    if result.undecided_dates or state.get(f"{key}:dates"):
        headers = ", ".join(fmt.plain(found.header) for found in result.undecided_dates)
        if headers:
            st.warning(f"{headers}: no date has a part above 12, so the order of day and month is yours to say.")
        st.radio(
            "Dates such as 03/04/2025 are written",
            DATE_ORDERS,
            index=None,
            format_func=lambda order: _ORDER_LABELS.get(order, "Month first: 03/04/2025 is March 4, 2025"),
            key=f"{key}:dates",
            horizontal=True,
        )
    case = result.case_variants
    if case.groups or live_spellings or state.get(f"{key}:ids"):
        _case_warning(case.listed, case.groups, live_spellings)
        st.checkbox(
            "Read ids whatever their case (cd00004 and CD00004 are one account)",
            key=f"{key}:ids",
            help="The spelling kept is the workspace's, else the one the file uses most (the first on a tie).",
        )
    if result.totals_rows:
        st.info(f"{result.totals_rows:,} totals rows left out (each named in the Warnings).")


def _case_warning(listed: pd.DataFrame, groups: int, live_spellings: dict[str, str]) -> None:
    lines = []
    if groups:
        shown = "; ".join(fmt.plain(s) for s in listed["spellings"].head(10))
        more = f" and {groups - 10:,} more" if groups > 10 else ""
        ids = "1 id of the file differs" if groups == 1 else f"{groups:,} ids of the file differ"
        lines.append(f"{ids} from another only by case: {shown}{more}.")
    if live_spellings:
        pairs = list(live_spellings.items())
        shown = "; ".join(f"{fmt.plain(mine)} (workspace: {fmt.plain(theirs)})" for mine, theirs in pairs[:10])
        more = f" and {len(pairs) - 10:,} more" if len(pairs) > 10 else ""
        ids = "1 id is" if len(pairs) == 1 else f"{len(pairs):,} ids are"
        lines.append(f"{ids} spelt otherwise in the workspace: {shown}{more}.")
    if lines:
        st.warning(" ".join(lines) + " As they are, each spelling is an account of its own.")


def valid_rows_only(result: IngestResult, key: str) -> bool:
    """The explicit choice to commit only the rows that passed, saying what it leaves out, with
    the accounts it concerns (the largest first, the whole list as a download)."""
    gone = result.left_out_summary
    partial = st.checkbox(f"Commit valid rows only (leaves out {gone.sentence()})", key=key)
    if gone.accounts:
        with st.expander(f"What a valid-rows-only commit leaves out: {gone.accounts:,} accounts", expanded=partial):
            st.dataframe(gone.largest, hide_index=True, width="stretch", column_config=_LEFT_OUT_COLUMNS)
            if gone.accounts > len(gone.largest):
                shown = len(gone.largest)
                st.caption(f"The {shown} accounts with the most revenue left out; the download lists all of them.")
            downloads.file_button(
                "Download the rows left out by account (CSV)",
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
    return f" Left out: {result.left_out_summary.sentence()}."


def supersede_difference(ws, result: IngestResult) -> None:
    """What committing ``result`` changes in the quarters it supersedes, per quarter, and the
    accounts added or removed with the most revenue; computed once per file and workspace version."""
    per_quarter, accounts = remembered(
        "data:difference",
        (result.sha256, result.choices, result.rows.num_rows, ws.version),
        lambda: ws.supersede_difference(result.table, listed=LISTED),
    )
    st.dataframe(per_quarter, hide_index=True, width="stretch", column_config=_DIFFERENCE_COLUMNS)
    if not accounts.empty:
        st.caption(f"Accounts added or removed with the most platform revenue (up to {LISTED}):")
        st.dataframe(
            accounts,
            hide_index=True,
            width="stretch",
            column_config=_LABELS | columns.numbers(platform_revenue=("Platform revenue", "localized")),
        )


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
