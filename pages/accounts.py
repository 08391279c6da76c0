"""Accounts to act on: who is new, churned, returning, contracting or at risk in a quarter, with
their owner and revenue; the contracts coming up for renewal; search; and one account's page
(``?account=<id>`` in the link)."""

from urllib.parse import quote

import pandas as pd
import streamlit as st

from b2b_core import account_search, accounts, amounts, charts, exports
from b2b_core.accounts.lists import KIND_NAMES
from b2b_core.headers import headed, keyed
from b2b_core.i18n import N_, _
from b2b_core.quarters import quarter_text
from ui import account_views as views
from ui import columns, downloads, filters, language, quadrant_views, shell, state
from ui import format as fmt
from ui.filters import filter_controls

PARAM = "account"  # the link's parameter holding the account shown
RENEWALS = "renewal calendar"
VIEWS = (*accounts.KINDS, RENEWALS)
VIEW_NAMES = KIND_NAMES | {RENEWALS: N_("renewal calendar")}  # ``_`` where shown
MEANING = {
    accounts.NEW: N_("active for the first time"),
    accounts.CHURNED: N_("active the quarter before, not in this one"),
    accounts.RETURNING: N_("active again after at least one quarter away"),
    accounts.CONTRACTING: N_("active in both quarters, less platform revenue in this one"),
    accounts.AT_RISK: N_(
        "platform revenue falling two quarters in a row, a quadrant downgrade, or a contract ending this quarter or "
        "the next"
    ),
}
STAKE = {
    accounts.NEW: N_("revenue gained"),
    accounts.CHURNED: N_("revenue lost"),
    accounts.RETURNING: N_("revenue gained"),
    accounts.CONTRACTING: N_("revenue lost"),
    accounts.AT_RISK: N_("revenue still there to lose"),
}
FILE_FORMS = {  # the downloads of a whole list: form → (label, MIME type)
    "csv": (N_("Download {said} (CSV)"), "text/csv"),
    "xlsx": (N_("Download {said} (XLSX)"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ATTRIBUTE_LABELS = {"account_name": N_("Name"), **filters.ATTRIBUTE_NAMES}  # labels, translated where shown

shell.require_app_shell()
st.title(_("Accounts"))
ws = state.workspace_with_data()
observed = state.quarters()


def without_empty_attributes(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without the descriptive columns no shown row has a value in (data without segments …)."""
    return table.drop(columns=[c for c in ATTRIBUTE_LABELS if c in table.columns and table[c].isna().all()])


def link(account_id: str) -> str:
    """This page's link to one account (relative: it keeps the app's address and base path), in the
    language the session chose if it did."""
    chosen = "".join(f"&{key}={value}" for key, value in language.link().items())
    return f"accounts?{PARAM}={quote(str(account_id), safe='')}{chosen}"


OPENED = "accounts:opened"  # accounts opened from a list so far: a list's table is new after each (no row selected)


def open_account(account_id: str) -> None:
    st.session_state[OPENED] = st.session_state.get(OPENED, 0) + 1
    st.query_params[PARAM] = account_id
    st.rerun()


def search_box() -> None:
    """Find accounts by id or name (ids whole, names in part, ignoring case) and link to each."""
    text = st.text_input(
        _("Find an account"),
        key="accounts:find",
        max_chars=500,
        placeholder=_("Ids or parts of names, comma-separated"),
        help=_("Ids match whole, names in part, both ignoring case; every quarter is searched."),
    )
    if not text.strip():
        return
    found = quadrant_views.find(text)
    if found.accounts.empty:
        st.info(
            _("No account has the id, or a name containing: {terms}").format(
                terms=", ".join(fmt.plain(t) for t in found.unmatched)
            )
        )
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
            _(
                "{matched} accounts match; the first {linked} are linked, those whose id was typed first. Type whole "
                "ids or more of a name to narrow the search."
            ).format(matched=fmt.count(found.matched), linked=len(found.accounts))
        )
    if found.unmatched:
        notes.append(_("Nothing found for: {terms}.").format(terms=", ".join(fmt.plain(t) for t in found.unmatched)))
    if found.ignored:
        notes.append(
            _("Only the first {limit} terms were searched, {ignored} more were not.").format(
                limit=account_search.MAX_TERMS, ignored=found.ignored
            )
        )
    if notes:
        st.caption(quadrant_views.sentences(*notes))


def attribute_columns() -> dict:
    """The accounts' descriptive columns, named in the run's language."""
    return {c: st.column_config.TextColumn(_(label)) for c, label in ATTRIBUTE_LABELS.items()}


def list_columns(kind: str, shown: accounts.AccountLists) -> dict:
    platform_in, quadrant_in = _("Platform revenue {quarter}"), _("Quadrant {quarter}")
    previous, now = quarter_text(shown.previous), quarter_text(shown.quarter)
    settings = columns.numbers(
        revenue_before=(platform_in.format(quarter=previous), "localized"),
        revenue_after=(platform_in.format(quarter=now), "localized"),
        change=(_("Change"), "localized"),
        at_stake=(_("At stake ({stake})").format(stake=_(STAKE[kind])), "localized"),
        contract_value=(_("Contract value"), "localized"),
    )
    return keyed(
        settings
        | {
            "account_id": st.column_config.TextColumn(_("Account")),
            "page": st.column_config.LinkColumn(_("Page"), display_text=_("Open")),
            "reason": st.column_config.TextColumn(_("Why listed"), width="large"),
            "quadrant_before": st.column_config.TextColumn(quadrant_in.format(quarter=previous)),
            "quadrant_after": st.column_config.TextColumn(quadrant_in.format(quarter=now)),
            "contract_end": st.column_config.DateColumn(_("Contract end")),
            **attribute_columns(),
        }
    )


def file_buttons(what: str, total: int, build, name: str, key: str) -> None:
    """CSV and XLSX downloads of a whole list (``build(form)``, in the run's language), built on click."""
    limited = total > exports.CSV_ROW_LIMIT
    said = (
        _("the {limit} {what} with the most at stake (of {total}: a spreadsheet opens no more rows)").format(
            limit=f"{exports.CSV_ROW_LIMIT:,}", what=what, total=f"{total:,}"
        )
        if limited
        else _("all {total} {what}").format(total=f"{total:,}", what=what)
    )
    for place, (form, (label, mime)) in zip(st.columns(2), FILE_FORMS.items(), strict=True):
        downloads.file_button(
            _(label).format(said=said),
            quadrant_views.in_language(lambda form=form: build(form)),
            f"{name}.{form}",
            mime,
            f"{key}:{form}",
            place=place,
        )


def quarter_cells(values: pd.Series) -> pd.Series:
    """A column of quarter keys (and other texts, such as a total's) with each quarter as
    ``quarter_text`` writes it."""
    return values.map(lambda v: quarter_text(v) if isinstance(v, str) and len(v) == 6 and v[4] == "Q" else v)


def list_view(selection, kind: str, shown: accounts.AccountLists) -> None:
    """One list: the accounts with the most revenue at stake, a click on a row opens its page."""
    total = int(shown.counts.loc[kind, "accounts"])
    rows = shown.shown[kind]
    name = _(KIND_NAMES[kind])
    told = dict(
        kind=name.capitalize(),
        quarter=quarter_text(shown.quarter),
        meaning=_(MEANING[kind]),
        accounts=amounts.account_count(total),
        amount=fmt.money(shown.counts.loc[kind, "at_stake"]),
        stake=_(STAKE[kind]),
        listed=f"{len(rows):,}",
    )
    st.caption(
        quadrant_views.sentences(
            _(
                "**{kind}** in {quarter}: {meaning}. {accounts}, {amount} platform revenue at stake ({stake}); the "
                "{listed} with the most at stake are listed, the downloads hold all."
            ).format(**told)
            if total > len(rows)
            else _(
                "**{kind}** in {quarter}: {meaning}. {accounts}, {amount} platform revenue at stake ({stake})."
            ).format(**told),
            _("Select a row, or follow its link, to open the account's page."),
        )
    )
    if shown.first_quarter and kind == accounts.NEW:
        st.caption(
            _(
                "{quarter} is the first quarter of the data: every account active in it is listed as new, whether or "
                "not it was active before the data start."
            ).format(quarter=quarter_text(shown.quarter))
        )
    if rows.empty:
        first = shown.first_quarter and kind != accounts.NEW
        st.info(
            _("{quarter} is the first quarter of the data: there is no quarter before it to compare with.").format(
                quarter=quarter_text(shown.quarter)
            )
            if first
            else _("No {kind} accounts in {quarter} for this selection.").format(
                kind=name, quarter=quarter_text(shown.quarter)
            )
        )
        return
    table = without_empty_attributes(rows).assign(page=[link(a) for a in rows["account_id"]])
    first = [c for c in ("account_id", "account_name", "owner", "reason") if c in table.columns]
    table = table[first + [c for c in table.columns if c not in first]]  # why it is listed, in view
    picked = st.dataframe(
        headed(table),
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
        _("{kind} accounts").format(kind=name),
        total,
        lambda form: views.list_file(selection, shown.quarter, kind, form),
        f"accounts_{kind.replace(' ', '_')}_{shown.quarter}",
        f"dl:accounts:{kind}",
    )


def renewals_view(selection, quarter: str) -> None:
    """The contracts ending in the two quarters after ``quarter``, by month of end."""
    calendar = views.calendar(selection, quarter)
    span = _("{first} and {last}").format(
        first=quarter_text(calendar.quarters[0]), last=quarter_text(calendar.quarters[-1])
    )
    said = quarter_text(quarter)
    if not calendar.has_contract_end:
        st.info(
            _(
                "The data of {quarter} have no contract end dates (no **contract_end** column, or no value in it), so "
                "there is no renewal calendar. Map a column of contract end dates to **contract_end** when you upload "
                "a quarter."
            ).format(quarter=said)
        )
        return
    st.caption(
        _(
            "Contracts ending in {span}, as the accounts' rows of {quarter} give them: {contracts} contracts. Contract "
            "value is the contracted annual value; platform revenue is the account's in {quarter}."
        ).format(span=span, quarter=said, contracts=fmt.count(calendar.total))
    )
    if not calendar.total:
        st.info(_("No contract of {quarter}'s rows ends in {span} for this selection.").format(quarter=said, span=span))
        return
    platform_in = _("Platform revenue {quarter}").format(quarter=said)
    st.dataframe(
        headed(calendar.months.assign(end_quarter=quarter_cells(calendar.months["end_quarter"]))),
        hide_index=True,
        width="stretch",
        column_config=keyed(
            columns.numbers(
                contracts=(_("Contracts"), "localized"),
                contract_value=(_("Contract value"), "localized"),
                platform_revenue=(platform_in, "localized"),
            )
            | {
                "end_quarter": st.column_config.TextColumn(_("Quarter of end")),
                "end_month": st.column_config.TextColumn(_("Month of end")),
            }
        ),
    )
    contracts = calendar.contracts
    st.caption(
        (
            _("The {shown} largest contracts of {total}, largest value first:")
            if calendar.total > len(contracts)
            else _("The {shown} largest contracts, largest value first:")
        ).format(shown=f"{len(contracts):,}", total=f"{calendar.total:,}")
    )
    table = without_empty_attributes(contracts).assign(page=[link(a) for a in contracts["account_id"]])
    st.dataframe(
        headed(table.assign(end_quarter=quarter_cells(table["end_quarter"]))),
        hide_index=True,
        width="stretch",
        column_config=keyed(
            columns.numbers(
                contract_value=(_("Contract value"), "localized"),
                platform_revenue=(platform_in, "localized"),
            )
            | {
                "page": st.column_config.LinkColumn(_("Page"), display_text=_("Open")),
                "contract_end": st.column_config.DateColumn(_("Contract end")),
                "end_quarter": st.column_config.TextColumn(_("Quarter of end")),
                **attribute_columns(),
            }
        ),
    )
    file_buttons(
        _("contracts"),
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
            _(
                "The data have no upload for {previous}, the quarter before {quarter}: no account counts as active "
                "then, so every account of {quarter} active earlier is listed as returning and none as churned or "
                "contracting. Upload {previous} on the **Data** page, or pick another quarter."
            ).format(previous=quarter_text(shown.previous), quarter=quarter_text(quarter))
        )
    view = st.segmented_control(
        _("List"),
        VIEWS,
        default=accounts.CHURNED,
        required=True,
        key="accounts:view",
        format_func=lambda v: _(VIEW_NAMES[v]).capitalize(),
    )
    heads = st.columns(len(accounts.KINDS))
    for place, kind in zip(heads, accounts.KINDS, strict=True):
        place.metric(
            _(KIND_NAMES[kind]).capitalize(),
            fmt.count(shown.counts.loc[kind, "accounts"]),
            help=_("{meaning}. {amount} at stake ({stake}).").format(
                meaning=_(MEANING[kind]).capitalize(),
                amount=fmt.money(shown.counts.loc[kind, "at_stake"]),
                stake=_(STAKE[kind]),
            ),
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
        fmt.plain(value)
        + (
            ""
            if len(spans) == 1
            else f" ({quarter_text(first)}" + ("" if first == last else f"–{quarter_text(last)}") + ")"
        )
        for value, first, last in spans
    )


KEPT = ("accounts:quarter", "accounts:view", "filter:")  # the lists' choices, as they were when an account opened


def account_page(account_id: str) -> None:
    """One account: its quarters, revenues, quadrant path, contract and who owns it. The lists'
    choices are kept meanwhile (Streamlit forgets a widget's value in a run that does not draw it)."""
    for key in [k for k in st.session_state if str(k).startswith(KEPT)]:
        st.session_state[key] = st.session_state[key]
    if st.button(_("All accounts"), icon=":material/arrow_back:", key="accounts:back"):
        st.query_params.pop(PARAM, None)
        st.rerun()
    history = views.history(account_id)
    if history.empty:
        st.warning(
            _("No account has the id **{account}** in the data. Search for it below.").format(
                account=fmt.plain(account_id)
            )
        )
        search_box()
        return
    latest = history.iloc[-1]
    name = latest.get("account_name")
    st.subheader(fmt.plain(account_id + (f" · {name}" if isinstance(name, str) and name else "")), anchor=False)
    fact = _("{label}: {values}")
    facts = [
        fact.format(label=_(ATTRIBUTE_LABELS[c]), values=spans_text(history, c))
        for c in ("owner", "segment", "region", "tier")
        if c in history.columns and history[c].notna().any()
    ]
    path = " → ".join(
        fact.format(label=quarter_text(q), values=fmt.plain(state))
        for q, state in zip(history["quarter"], history["quadrant"])
    )
    st.markdown(" · ".join(facts) + ("  \n" if facts else "") + _("Quadrant path: {path}").format(path=path))
    st.caption(
        _(
            "Quadrants by the median cut points of each whole quarter (the quadrant page's default); active = a live "
            "relationship that quarter (by default: revenue > 0)."
        )
    )
    active = history[history["active"].fillna(False).astype(bool)]
    heads = st.columns(3)
    last = quarter_text(latest["quarter"])
    heads[0].metric(
        _("Platform revenue {quarter}").format(quarter=last), fmt.money(latest["platform_revenue"]), border=True
    )
    heads[1].metric(
        _("Active quarters"),
        _("{active} of {quarters}").format(active=len(active), quarters=len(history)),
        help=_("Quarters with a row: {first} to {last}.").format(
            first=quarter_text(history["quarter"].iloc[0]), last=last
        ),
        border=True,
    )
    ends = latest.get("contract_end") if "contract_end" in history.columns else None
    heads[2].metric(
        _("Contract ends {date}").format(date=ends) if pd.notna(ends) else _("Contract"),
        fmt.money(latest.get("contract_value", float("nan"))),
        help=_(
            "Contract value (contracted annual value) and end as of {quarter}; – when its latest row has none."
        ).format(quarter=last),
        border=True,
    )
    st.plotly_chart(
        charts.account_quarters(
            history, _("{account}: platform revenue and quadrant per quarter").format(account=account_id)
        ),
        width="stretch",
        key="account_chart",
    )
    st.dataframe(
        headed(without_empty_attributes(history).assign(quarter=quarter_cells(history["quarter"]))),
        hide_index=True,
        width="stretch",
        column_config=keyed(
            columns.numbers(
                platform_revenue=(_("Platform revenue"), "localized"),
                b_side_revenue=(_("B-side revenue"), "localized"),
                contract_value=(_("Contract value"), "localized"),
            )
            | {
                "quarter": st.column_config.TextColumn(_("Quarter")),
                "active": st.column_config.CheckboxColumn(_("Active")),
                "quadrant": st.column_config.TextColumn(_("Quadrant")),
                "contract_end": st.column_config.DateColumn(_("Contract end")),
                **attribute_columns(),
            }
        ),
    )
    places = st.columns(2)
    safe = "".join(ch if ch.isalnum() else "_" for ch in str(account_id))[:60]
    quarters_sheet = _("quarters")
    downloads.file_button(
        _("Download its quarters (CSV)"),
        quadrant_views.in_language(lambda: exports.csv_bytes(headed(history))),
        f"account_{safe}.csv",
        "text/csv",
        "dl:account:csv",
        place=places[0],
    )
    downloads.file_button(
        _("Download its quarters (XLSX)"),
        quadrant_views.in_language(lambda: exports.xlsx_bytes({quarters_sheet: headed(history)})),
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
    _("Quarter"),
    observed[::-1],
    key="accounts:quarter",
    format_func=quarter_text,
    help=_("The lists compare this quarter with the one right before it."),
)
options = quadrant_views.filter_options()
selection = filter_controls(top[1].columns(max(len(options), 1)), options)
lists_part(selection, chosen_quarter)
