"""B2B Ops Strategy Dashboard: page setup, navigation and the shared sidebar."""

import duckdb
import streamlit as st

from b2b_core.store import WorkspaceError
from ui import auth, present, presenter, sample_notice, state, warm_up
from ui.format import plain

PAGES = {
    "overview": ("pages/home.py", "Overview", ":material/dashboard:"),
    "lifecycle": ("pages/lifecycle.py", "Lifecycle priorities", ":material/flag:"),
    "quadrants": ("pages/quadrants.py", "Revenue quadrants", ":material/scatter_plot:"),
    "cohorts": ("pages/cohorts.py", "Cohort renewals", ":material/stacked_line_chart:"),
    "accounts": ("pages/accounts.py", "Accounts", ":material/groups:"),
    "scenarios": ("pages/scenarios.py", "Scenario lab", ":material/science:"),
    "workshop": ("pages/workshop.py", "Workshop", ":material/co_present:"),
    "data": ("pages/data.py", "Data", ":material/upload_file:"),
}


def navigation(visible: bool = True):
    """The app's pages (a StreamlitPage to run); Overview opens first. ``visible``: False hides
    the page links (before sign-in)."""
    return st.navigation(
        [
            st.Page(path, title=title, icon=icon, url_path=key, default=key == "overview")
            for key, (path, title, icon) in PAGES.items()
        ],
        position="sidebar" if visible else "hidden",
    )


def sidebar(person) -> None:
    """Workspace facts every page shares, who is using it, and the switch into presentation mode."""
    ws = state.workspace()
    live = ws.quarters()
    with st.sidebar:
        st.caption("Workspace")
        if live:
            span = f"{live[0]} – {live[-1]}" if len(live) > 1 else live[0]
            st.markdown(f"**{len(live)} quarter{'' if len(live) == 1 else 's'}** · {span}")
        else:
            st.markdown("**Empty** · upload a quarter on the Data page")
        sample_notice.sidebar_badge()
        st.caption(f"Version {ws.version} · {auth.sidebar_line(person)}")
        warm_up.sidebar_status()
        present.sidebar_toggle()
        if auth.sign_in_configured() and st.button("Sign out", key="auth:sidebar_sign_out"):
            st.logout()


presenting = present.active() or presenter.active()  # a room's screen, or the presenter's
st.set_page_config(
    page_title="B2B Ops Strategy Dashboard",
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
    st.switch_page(PAGES["workshop"][0], query_params={**kept, present.PARAM: "1"})
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
        f"The workspace file cannot be opened ({type(exc).__name__}). Another program may hold it, or the "
        "disk may be full or read-only. Close other copies of the dashboard, or set B2B_WORKSPACE to another "
        "file, and reload the page."
    )
    st.stop()
page.run()
