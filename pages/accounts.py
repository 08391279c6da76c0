"""Accounts to act on: who is new, churned, returning, contracting or at risk in a quarter, with
their owner and revenue; the contracts coming up for renewal; search; and one account's page
(``?account=<id>`` in the link)."""

from urllib.parse import quote

import pandas as pd
import streamlit as st

from b2b_core import account_search, accounts, amounts, charts, exports
from ui import account_views as views
from ui import columns, downloads, quadrant_views, shell, state
from ui import format as fmt
from ui.filters import filter_controls

PARAM = "account"  # the link's parameter holding the account shown
RENEWALS = "renewal calendar"
VIEWS = (*accounts.KINDS, RENEWALS)
MEANING = {
    accounts.NEW: "active for the first time",
    accounts.CHURNED: "active the quarter before, not in this one",
    accounts.RETURNING: "active again after at least one quarter away",
    accounts.CONTRACTING: "active in both quarters, less platform revenue in this one",
    accounts.AT_RISK: "platform revenue falling two quarters in a row, a quadrant downgrade, or a contract ending "
    "this quarter or the next",
}
STAKE = {
    accounts.NEW: "revenue gained",
    accounts.CHURNED: "revenue lost",
    accounts.RETURNING: "revenue gained",
    accounts.CONTRACTING: "revenue lost",
    accounts.AT_RISK: "revenue still there to lose",
}
ATTRIBUTE_LABELS = {"account_name": "Name", "owner": "Owner", "segment": "Segment", "region": "Region", "tier": "Tier"}

shell.require_app_shell()
st.title("Accounts")
ws = state.workspace_with_data()
observed = state.quarters()


def without_empty_attributes(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without the descriptive columns no shown row has a value in (data without segments …)."""
    return table.drop(columns=[c for c in ATTRIBUTE_LABELS if c in table.columns and table[c].isna().all()])


def link(account_id: str) -> str:
    """This page's link to one account (relative: it keeps the app's address and base path)."""
    return f"accounts?{PARAM}={quote(str(account_id), safe='')}"


OPENED = "accounts:opened"  # accounts opened from a list so far: a list's table is new after each (no row selected)


def open_account(account_id: str) -> None:
    st.session_state[OPENED] = st.session_state.get(OPENED, 0) + 1
    st.query_params[PARAM] = account_id
    st.rerun()


def search_box() -> None:
    """Find accounts by id or name (ids whole, names in part, ignoring case) and link to each."""
    text = st.text_input(
        "Find an account",
        key="accounts:find",
        max_chars=500,
        placeholder="Ids or parts of names, comma-separated",
        help="Ids match whole, names in part, both ignoring case; every quarter is searched.",
    )
    if not text.strip():
        return
    found = quadrant_views.find(text)
    if found.accounts.empty:
        st.info("No account has the id, or a name containing: " + ", ".join(fmt.plain(t) for t in found.unmatched))
        return
    places = st.columns(4)
    for i, (account, name) in enumerate(zip(found.accounts["account_id"], found.accounts["account_name"], strict=True)):
        label = fmt.plain(f"{account} · {name}" if name else account)
        places[i % 4].page_link(
            "pages/accounts.py", label=label, query_params={PARAM: account}, icon=":material/person:"
        )
    notes = []
    if found.matched > len(found.accounts):
        notes.append(
            f"{fmt.count(found.matched)} accounts match; the first {len(found.accounts)} are linked, those whose id "
            "was typed first. Type whole ids or more of a name to narrow the search."
        )
    if found.unmatched:
        notes.append("Nothing found for: " + ", ".join(fmt.plain(t) for t in found.unmatched) + ".")
    if found.ignored:
        notes.append(f"Only the first {account_search.MAX_TERMS} terms were searched, {found.ignored} more were not.")
    if notes:
        st.caption(" ".join(notes))


def list_columns(kind: str, shown: accounts.AccountLists) -> dict:
    settings = columns.numbers(
        revenue_before=(f"Platform revenue {shown.previous}", "localized"),
        revenue_after=(f"Platform revenue {shown.quarter}", "localized"),
        change=("Change", "localized"),
        at_stake=(f"At stake ({STAKE[kind]})", "localized"),
        contract_value=("Contract value", "localized"),
    )
    return settings | {
        "account_id": st.column_config.TextColumn("Account"),
        "page": st.column_config.LinkColumn("Page", display_text="Open"),
        "reason": st.column_config.TextColumn("Why listed", width="large"),
        "quadrant_before": st.column_config.TextColumn(f"Quadrant {shown.previous}"),
        "quadrant_after": st.column_config.TextColumn(f"Quadrant {shown.quarter}"),
        "contract_end": st.column_config.DateColumn("Contract end"),
        **{c: st.column_config.TextColumn(label) for c, label in ATTRIBUTE_LABELS.items()},
    }


def file_buttons(what: str, total: int, build, name: str, key: str) -> None:
    """CSV and XLSX downloads of a whole list (``build(form)``), built on click."""
    limited = total > exports.CSV_ROW_LIMIT
    said = (
        f"the {exports.CSV_ROW_LIMIT:,} {what} with the most at stake (of {total:,}: a spreadsheet opens no more rows)"
        if limited
        else f"all {total:,} {what}"
    )
    places = st.columns(2)
    downloads.file_button(
        f"Download {said} (CSV)", lambda: build("csv"), f"{name}.csv", "text/csv", f"{key}:csv", place=places[0]
    )
    downloads.file_button(
        f"Download {said} (XLSX)",
        lambda: build("xlsx"),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{key}:xlsx",
        place=places[1],
    )


def list_view(selection, kind: str, shown: accounts.AccountLists) -> None:
    """One list: the accounts with the most revenue at stake, a click on a row opens its page."""
    total = int(shown.counts.loc[kind, "accounts"])
    rows = shown.shown[kind]
    st.caption(
        f"**{kind.capitalize()}** in {shown.quarter}: {MEANING[kind]}. {amounts.account_count(total)}, "
        f"{fmt.money(shown.counts.loc[kind, 'at_stake'])} platform revenue at stake ({STAKE[kind]})"
        + (
            f"; the {len(rows):,} with the most at stake are listed, the downloads hold all."
            if total > len(rows)
            else "."
        )
        + " Select a row, or follow its link, to open the account's page."
    )
    if shown.first_quarter and kind == accounts.NEW:
        st.caption(
            f"{shown.quarter} is the first quarter of the data: every account active in it is listed as new, "
            "whether or not it was active before the data start."
        )
    if rows.empty:
        first = shown.first_quarter and kind != accounts.NEW
        st.info(
            f"{shown.quarter} is the first quarter of the data: there is no quarter before it to compare with."
            if first
            else f"No {kind} accounts in {shown.quarter} for this selection."
        )
        return
    table = without_empty_attributes(rows).assign(page=[link(a) for a in rows["account_id"]])
    first = [c for c in ("account_id", "account_name", "owner", "reason") if c in table.columns]
    table = table[first + [c for c in table.columns if c not in first]]  # why it is listed, in view
    picked = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config=list_columns(kind, shown),
        on_select="rerun",
        selection_mode="single-row",
        key=f"accounts:list:{kind}:{st.session_state.get(OPENED, 0)}",
    )
    if picked.selection.rows:
        open_account(str(table.iloc[picked.selection.rows[0]]["account_id"]))
    file_buttons(
        f"{kind} accounts",
        total,
        lambda form: views.list_file(selection, shown.quarter, kind, form),
        f"accounts_{kind.replace(' ', '_')}_{shown.quarter}",
        f"dl:accounts:{kind}",
    )


def renewals_view(selection, quarter: str) -> None:
    """The contracts ending in the two quarters after ``quarter``, by month of end."""
    calendar = views.calendar(selection, quarter)
    span = f"{calendar.quarters[0]} and {calendar.quarters[-1]}"
    if not calendar.has_contract_end:
        st.info(
            f"The data of {quarter} have no contract end dates (no **contract_end** column, or no value in it), so "
            "there is no renewal calendar. Map a column of contract end dates to **contract_end** when you upload "
            "a quarter."
        )
        return
    st.caption(
        f"Contracts ending in {span}, as the accounts' rows of {quarter} give them: {fmt.count(calendar.total)} "
        "contracts. Contract value is the contracted annual value; platform revenue is the account's in "
        f"{quarter}."
    )
    if not calendar.total:
        st.info(f"No contract of {quarter}'s rows ends in {span} for this selection.")
        return
    st.dataframe(
        calendar.months,
        hide_index=True,
        width="stretch",
        column_config=columns.numbers(
            contracts=("Contracts", "localized"),
            contract_value=("Contract value", "localized"),
            platform_revenue=(f"Platform revenue {quarter}", "localized"),
        )
        | {
            "end_quarter": st.column_config.TextColumn("Quarter of end"),
            "end_month": st.column_config.TextColumn("Month of end"),
        },
    )
    contracts = calendar.contracts
    st.caption(
        f"The {len(contracts):,} largest contracts"
        + (f" of {calendar.total:,}" if calendar.total > len(contracts) else "")
        + ", largest value first:"
    )
    table = without_empty_attributes(contracts).assign(page=[link(a) for a in contracts["account_id"]])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config=columns.numbers(
            contract_value=("Contract value", "localized"),
            platform_revenue=(f"Platform revenue {quarter}", "localized"),
        )
        | {
            "page": st.column_config.LinkColumn("Page", display_text="Open"),
            "contract_end": st.column_config.DateColumn("Contract end"),
            "end_quarter": st.column_config.TextColumn("Quarter of end"),
            **{c: st.column_config.TextColumn(label) for c, label in ATTRIBUTE_LABELS.items()},
        },
    )
    file_buttons(
        "contracts",
        calendar.total,
        lambda form: views.renewals_file(selection, quarter, form),
        f"renewals_after_{quarter}",
        "dl:accounts:renewals",
    )


@st.fragment
def lists_part(selection, quarter: str) -> None:
    """The counts, the chart and the chosen list: choosing another list reruns this part only."""
    shown = views.lists(selection, quarter)
    if not shown.first_quarter and shown.previous not in observed:
        st.warning(
            f"The data have no upload for {shown.previous}, the quarter before {quarter}: no account counts as active "
            f"then, so every account of {quarter} active earlier is listed as returning and none as churned or "
            f"contracting. Upload {shown.previous} on the **Data** page, or pick another quarter."
        )
    view = st.segmented_control(
        "List",
        VIEWS,
        default=accounts.CHURNED,
        required=True,
        key="accounts:view",
        format_func=str.capitalize,
    )
    heads = st.columns(len(accounts.KINDS))
    for place, kind in zip(heads, accounts.KINDS, strict=True):
        place.metric(
            kind.capitalize(),
            fmt.count(shown.counts.loc[kind, "accounts"]),
            help=f"{MEANING[kind].capitalize()}. {fmt.money(shown.counts.loc[kind, 'at_stake'])} at stake "
            f"({STAKE[kind]}).",
            border=True,
        )
    st.plotly_chart(
        charts.lists_at_stake(shown.counts, view if view in accounts.KINDS else None),
        width="stretch",
        key="accounts_chart",
    )
    if view == RENEWALS:
        renewals_view(selection, quarter)
    else:
        list_view(selection, view, shown)


def spans_text(history: pd.DataFrame, column: str) -> str:
    spans = accounts.attribute_spans(history, column)
    return ", ".join(
        fmt.plain(value) + ("" if len(spans) == 1 else f" ({first}" + ("" if first == last else f"–{last}") + ")")
        for value, first, last in spans
    )


KEPT = ("accounts:quarter", "accounts:view", "filter:")  # the lists' choices, as they were when an account opened


def account_page(account_id: str) -> None:
    """One account: its quarters, revenues, quadrant path, contract and who owns it. The lists'
    choices are kept meanwhile (Streamlit forgets a widget's value in a run that does not draw it)."""
    for key in [k for k in st.session_state if str(k).startswith(KEPT)]:
        st.session_state[key] = st.session_state[key]
    if st.button("All accounts", icon=":material/arrow_back:", key="accounts:back"):
        st.query_params.pop(PARAM, None)
        st.rerun()
    history = views.history(account_id)
    if history.empty:
        st.warning(f"No account has the id **{fmt.plain(account_id)}** in the data. Search for it below.")
        search_box()
        return
    latest = history.iloc[-1]
    name = latest.get("account_name")
    st.subheader(fmt.plain(account_id + (f" · {name}" if isinstance(name, str) and name else "")), anchor=False)
    facts = [
        f"{ATTRIBUTE_LABELS[c]}: {spans_text(history, c)}"
        for c in ("owner", "segment", "region", "tier")
        if c in history.columns and history[c].notna().any()
    ]
    path = " → ".join(f"{q}: {fmt.plain(state)}" for q, state in zip(history["quarter"], history["quadrant"]))
    st.markdown(" · ".join(facts) + ("  \n" if facts else "") + f"Quadrant path: {path}")
    st.caption(
        "Quadrants by the median cut points of each whole quarter (the quadrant page's default); active = a live "
        "relationship that quarter (by default: revenue > 0)."
    )
    active = history[history["active"].fillna(False).astype(bool)]
    heads = st.columns(3)
    heads[0].metric(f"Platform revenue {latest['quarter']}", fmt.money(latest["platform_revenue"]), border=True)
    heads[1].metric(
        "Active quarters",
        f"{len(active)} of {len(history)}",
        help=f"Quarters with a row: {history['quarter'].iloc[0]} to {latest['quarter']}.",
        border=True,
    )
    ends = latest.get("contract_end") if "contract_end" in history.columns else None
    heads[2].metric(
        f"Contract ends {ends}" if pd.notna(ends) else "Contract",
        fmt.money(latest.get("contract_value", float("nan"))),
        help=f"Contract value (contracted annual value) and end as of {latest['quarter']}; – when its latest row "
        "has none.",
        border=True,
    )
    st.plotly_chart(
        charts.account_quarters(history, f"{account_id}: platform revenue and quadrant per quarter"),
        width="stretch",
        key="account_chart",
    )
    st.dataframe(
        without_empty_attributes(history),
        hide_index=True,
        width="stretch",
        column_config=columns.numbers(
            platform_revenue=("Platform revenue", "localized"),
            b_side_revenue=("B-side revenue", "localized"),
            contract_value=("Contract value", "localized"),
        )
        | {
            "quarter": st.column_config.TextColumn("Quarter"),
            "active": st.column_config.CheckboxColumn("Active"),
            "quadrant": st.column_config.TextColumn("Quadrant"),
            "contract_end": st.column_config.DateColumn("Contract end"),
            **{c: st.column_config.TextColumn(label) for c, label in ATTRIBUTE_LABELS.items()},
        },
    )
    places = st.columns(2)
    safe = "".join(ch if ch.isalnum() else "_" for ch in str(account_id))[:60]
    downloads.file_button(
        "Download its quarters (CSV)",
        lambda: exports.csv_bytes(history),
        f"account_{safe}.csv",
        "text/csv",
        "dl:account:csv",
        place=places[0],
    )
    downloads.file_button(
        "Download its quarters (XLSX)",
        lambda: exports.xlsx_bytes({"quarters": history}),
        f"account_{safe}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "dl:account:xlsx",
        place=places[1],
    )


opened = st.query_params.get(PARAM)
if opened:
    st.query_params[PARAM] = opened  # a page link to this page opens it without the parameter in the address
    account_page(opened)
    st.stop()

search_box()
top = st.columns([1, 3])
chosen_quarter = top[0].selectbox(
    "Quarter",
    observed[::-1],
    key="accounts:quarter",
    help="The lists compare this quarter with the one right before it.",
)
options = quadrant_views.filter_options()
selection = filter_controls(top[1].columns(max(len(options), 1)), options)
lists_part(selection, chosen_quarter)
