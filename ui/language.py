"""The language a session reads the app in, and the sidebar's selector that changes it.

The language is in the link (``?lang=zh`` or ``?lang=en``) so a shared link or a refresh keeps it;
without one, the browser's (``st.context.locale``: any ``zh-*`` reads Chinese, everything else
English). A choice made in this session (the selector, or a link) is kept in the session too and put
back in the link when a page change drops the link's parameters. ``apply()`` runs first in every run,
before any text of the page is written; a fragment's rerun (which runs without app.py) finds the
session's language through ``i18n.resolve_with``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from b2b_core import i18n
from b2b_core.i18n import _

PARAM = "lang"  # the link's parameter
KEY = "language:chosen"  # the language this session chose (by the selector or a link), if it did
SELECTOR = "language:selector"  # the selector's widget key
NAMES = {"en": "English", "zh": "中文"}  # each language in its own words, whatever the current one


def apply() -> None:
    """Set this run's language (the link's, else this session's choice, else the browser's) and keep
    a chosen one in the link."""
    linked = st.query_params.get(PARAM)
    if linked in i18n.LANGUAGES:
        st.session_state[KEY] = linked
    elif KEY in st.session_state:
        st.query_params[PARAM] = st.session_state[KEY]  # a page change dropped it from the link
    i18n.set_language(wanted())


def wanted() -> str:
    """The link's language, else the one this session chose, else the browser's."""
    linked = st.query_params.get(PARAM)
    if linked in i18n.LANGUAGES:
        return linked
    return st.session_state.get(KEY) or from_browser(st.context.locale)


def from_browser(locale: str | None) -> str:
    """The language of a browser's locale ("zh-CN", "zh-Hant-TW", "en-GB", None): zh or en."""
    return "zh" if (locale or "").lower().replace("_", "-").split("-")[0] == "zh" else "en"


def link() -> dict[str, str]:
    """The language's query parameter when the session chose one, to carry across ``st.switch_page``."""
    return {PARAM: st.session_state[KEY]} if KEY in st.session_state else {}


def selector() -> None:
    """The sidebar's language selector: a change is written to the link and read by the next run."""
    st.session_state[SELECTOR] = i18n.language()  # the run's language, whatever its origin
    st.segmented_control(_("Language"), i18n.LANGUAGES, format_func=NAMES.get, key=SELECTOR, on_change=_chosen)


def _chosen() -> None:
    picked = st.session_state.get(SELECTOR)
    if picked in i18n.LANGUAGES:  # None: a click on the selected option, which keeps the language
        st.session_state[KEY] = picked
        st.query_params[PARAM] = picked


def _session_language() -> str:
    """The session's language where a run has set none (a fragment's rerun); English outside a run."""
    return i18n.SOURCE if get_script_run_ctx(suppress_warning=True) is None else wanted()


i18n.resolve_with(_session_language)


def cached(cache: Callable, spinner: str, **options) -> Callable[[Callable], Callable]:
    """``cache`` (``st.cache_data`` or ``st.cache_resource``) with ``options``, showing ``spinner``
    (an English text marked ``N_``) in the run's language while a miss is computed. One wrapper per
    language around the same function, which Streamlit keys by its code: they share one store, and
    ``clear()`` empties it. A function whose result holds texts takes the language as an argument."""

    def decorate(function: Callable) -> Callable:
        wrapped = {}
        for lang in i18n.LANGUAGES:
            with i18n.use(lang):
                wrapped[lang] = cache(show_spinner=_(spinner), **options)(function)

        @functools.wraps(function)
        def call(*args, **kwargs):
            return wrapped[i18n.language()](*args, **kwargs)

        call.clear = wrapped[i18n.SOURCE].clear
        return call

    return decorate
