"""Where the live data are the bundled sample's, every place that shows them says so: a badge in
the sidebar, a caption over every page and a note on the workshop's slides (words from
``DataOrigin.label`` and ``DataOrigin.explanation``)."""

from __future__ import annotations

import streamlit as st

from b2b_core.i18n import _
from b2b_core.source import ExternalSource
from b2b_core.store.sample_uploads import OWN, DataOrigin
from ui import present, state
from ui.format import plain


@st.cache_data(show_spinner=False, max_entries=4)
def _origin(data: str) -> DataOrigin:
    # ``data`` keys the cache: whose the live data are changes only with a write
    return state.workspace().data_origin()


def origin() -> DataOrigin:
    """Whose the live data are (``Workspace.data_origin``), once per data version; a source's
    (``[source]``) are the user's own (no quarter while it cannot be used: the page says why)."""
    if state.source_named():
        opened = state.opened_source()
        return DataOrigin(OWN, (), tuple(opened.quarters()) if isinstance(opened, ExternalSource) else (), ())
    return _origin(state.data_version())


def sidebar_badge() -> None:
    """``Sample data`` (or ``Mixed with sample data``) as a badge, with the sentence saying which
    quarters it speaks of."""
    found = origin()
    if found.label:
        st.badge(found.label, icon=":material/science:", color="orange")
        st.caption(plain(found.summary))


def page_caption() -> None:
    """The same, as a caption over the page, while sample data are live; in front of a room (presentation
    mode) as plain near-black text, which keeps the projector's contrast (``ui.present``)."""
    found = origin()
    if not found.label:
        return
    if present.active():
        st.markdown(_("**{label}:** {summary}").format(label=found.label, summary=plain(found.summary)))
    else:
        st.caption(f":orange-badge[:material/science: {found.label}] {plain(found.explanation)}")
