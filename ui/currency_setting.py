"""The Data page's currency setting: the symbol and ISO code shown on every amount of the
workspace (``Workspace.set_currency``), chosen from the common ones or typed, saved by an editor."""

from __future__ import annotations

import streamlit as st

from b2b_core.access import Actor, PermissionDenied
from b2b_core.amounts import Currency
from b2b_core.i18n import _
from b2b_core.store import Workspace, WorkspaceError
from ui import auth, state
from ui import format as fmt

COMMON = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}  # ISO code → symbol
NONE, OTHER = "none", "other"
CHOICE = "currency:choice"


def _choice_text(choice: str) -> str:
    if choice == NONE:
        return _("None: plain numbers")
    if choice == OTHER:
        return _("Another currency…")
    return f"{COMMON[choice]} {choice}"


def show(ws: Workspace, person: Actor) -> None:
    """The current currency, and for editors the controls that change it for everyone."""
    current = state.currency()
    example = fmt.money(1_234_567)
    st.caption(
        _("Amounts are shown in {currency}, e.g. {example}.").format(currency=fmt.plain(current.label), example=example)
        if current
        else _(
            "Amounts are shown without a currency, e.g. {example}. Set one so that amounts, revenue titles and "
            "the deck say which it is."
        ).format(example=example)
    )
    options = [NONE, *COMMON, OTHER]
    if current is None:
        index = 0
    elif COMMON.get(current.code) == current.symbol:
        index = options.index(current.code)
    else:
        index = options.index(OTHER)
    row = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
    choice = row[0].selectbox(
        _("Currency of the amounts"),
        options,
        index,
        format_func={option: _choice_text(option) for option in options}.get,  # written in this run's language
        key=CHOICE,
        disabled=not person.can("set_currency"),
    )
    symbol, code = (COMMON.get(choice, ""), choice) if choice not in (NONE, OTHER) else ("", "")
    if choice == OTHER:
        symbol = row[1].text_input(
            _("Symbol"), value=current.symbol if current else "", max_chars=3, key="currency:symbol"
        )
        code = row[2].text_input(_("ISO code"), value=current.code if current else "", max_chars=3, key="currency:code")
    if not row[3].button(
        _("Save the currency"),
        key="currency:save",
        disabled=not person.can("set_currency"),
        help=auth.needs("set_currency")
        if not person.can("set_currency")
        else _("For everyone, recorded in the audit trail."),
    ):
        return
    try:
        ws.set_currency(None if choice == NONE else Currency.of(symbol, code), actor=person)
    except (PermissionDenied, ValueError, WorkspaceError) as exc:
        st.error(_("Not saved: {reason}.").format(reason=fmt.plain(exc)))
        return
    state.currency_changed()
    now = state.currency()
    st.session_state["flash"] = (
        _("Amounts are now shown in {currency}.").format(currency=fmt.plain(now.label))
        if now
        else _("Amounts are now shown without a currency.")
    )
    st.rerun()
