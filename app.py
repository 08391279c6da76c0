"""B2B Ops Strategy Dashboard: page setup, navigation and the shared sidebar."""

import time

import duckdb
import streamlit as st

from b2b_core.i18n import N_, _, ngettext
from b2b_core.quarters import quarter_text
from b2b_core.source import SourceError
from b2b_core.store import WorkspaceError
from ui import auth, language, present, presenter, sample_notice, state, warm_up
from ui.format import plain

PAGES = {  # titles in English, translated as the navigation is drawn
    "overview": ("pages/home.py", N_("Overview"), ":material/dashboard:"),
    "lifecycle": ("pages/lifecycle.py", N_("Lifecycle priorities"), ":material/flag:"),
    "quadrants": ("pages/quadrants.py", N_("Revenue quadrants"), ":material/scatter_plot:"),
    "cohorts": ("pages/cohorts.py", N_("Cohort renewals"), ":material/stacked_line_chart:"),
    "accounts": ("pages/accounts.py", N_("Accounts"), ":material/groups:"),
    "scenarios": ("pages/scenarios.py", N_("Scenario lab"), ":material/science:"),
    "workshop": ("pages/workshop.py", N_("Workshop"), ":material/co_present:"),
    "data": ("pages/data.py", N_("Data"), ":material/upload_file:"),
}


def navigation(visible: bool = True):
    """The app's pages (a StreamlitPage to run); Overview opens first. ``visible``: False hides
    the page links (before sign-in)."""
    return st.navigation(
        [
            st.Page(path, title=_(title), icon=icon, url_path=key, default=key == "overview")
            for key, (path, title, icon) in PAGES.items()
        ],
        position="sidebar" if visible else "hidden",
    )


def sidebar(person) -> None:
    """Facts of the data every page shares (the workspace's, or the source's it reads), who is
    using it, the switch into presentation mode and the language selector."""
    ws, opened = state.workspace(), state.opened_source()
    with st.sidebar:
        if opened is None:
            st.caption(_("Workspace"))
            quarters_line(ws.quarters())
            sample_notice.sidebar_badge()
            st.caption(_("Version {version}").format(version=ws.version) + f" · {auth.sidebar_line(person)}")
        else:
            source_lines(opened, person)
        if not isinstance(opened, SourceError):
            warm_up.sidebar_status()
        present.sidebar_toggle()
        language.selector()
        if auth.sign_in_configured() and st.button(_("Sign out"), key="auth:sidebar_sign_out"):
            st.logout()


def quarters_line(live: list[str]) -> None:
    if live:
        first, last = quarter_text(live[0]), quarter_text(live[-1])
        span = _("{first} – {last}").format(first=first, last=last) if len(live) > 1 else first
        count = ngettext("{n} quarter", "{n} quarters", len(live)).format(n=len(live))
        st.markdown(f"**{count}** · {span}")
    else:
        st.markdown(_("**Empty** · upload a quarter on the Data page"))


def source_lines(opened, person) -> None:
    """The source the views read (its name, never its credentials), when it was read and a button
    to read it again, or that it cannot be used."""
    st.caption(_("Source"))
    if isinstance(opened, SourceError):
        st.markdown(_("**Not available** · see the page"))
        st.caption(auth.sidebar_line(person))
        return
    quarters_line(opened.quarters())
    read = _("read {time} UTC").format(time=time.strftime("%H:%M", time.gmtime(opened.opened_at)))
    st.caption(f"{plain(opened.name)} · {read}")
    st.caption(auth.sidebar_line(person))
    if st.button(_("Read the source again"), key="source:refresh", icon=":material/refresh:"):
        state.refresh_source()
        st.rerun()


language.apply()  # before any text: the page's, the navigation's, the sidebar's
presenting = present.active() or presenter.active()  # a room's screen, or the presenter's
st.set_page_config(
    page_title=_("B2B Ops Strategy Dashboard"),
    page_icon="📊",  # drawn by the browser: no icon fetched from the internet (rooms may be offline)
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "auto",
)
person = auth.actor()
page = navigation(visible=person is not None and not presenting)
if person is None:
    auth.gate()
if present.starting():  # from the Workshop itself, its chosen slides and slide stay
    kept = st.query_params.to_dict() if page.url_path == "workshop" else {}
    st.switch_page(PAGES["workshop"][0], query_params={**kept, **language.link(), present.PARAM: "1"})
if presenting and page.url_path != "workshop":  # a room sees the deck only
    st.switch_page(PAGES["workshop"][0], query_params=st.query_params.to_dict())
try:
    state.workspace()  # a file that cannot be opened gets the message below, presenting or not
    if presenting:
        warm_up.start()
    else:
        sidebar(person)
    sample_notice.page_caption()  # every page, the deck in presentation mode too
except WorkspaceError as lost:  # its file is gone from the path, or was replaced as it was reopened
    st.error(plain(lost))
    st.stop()
except (duckdb.Error, OSError) as exc:
    st.error(
        _(
            "The workspace file cannot be opened ({error}). Another program may hold it, or the disk may be full "
            "or read-only. Close other copies of the dashboard, or set B2B_WORKSPACE to another file, and reload "
            "the page."
        ).format(error=type(exc).__name__)
    )
    st.stop()
try:
    page.run()
except SourceError as failed:  # a view the source's engine could not compute (too long, the engine or a file gone)
    state.source_failed(failed)
