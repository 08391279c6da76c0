"""The dashboard's server: ``streamlit run server.py`` serves the app of ``app.py``.

As the server starts, before it answers anyone, it loads the app's modules (about 1 s of
imports: pandas, plotly, Ibis, scipy, lifelines), and when the workspace file exists it starts
preparing the live data version's views in the background (``ui.warm_up``; when the panel is a
source's, ``[source]``, the first page load opens it and starts the preparation). The first visitor
then waits for neither; a server started well before anyone comes finds every page ready.
A workspace that does not exist yet is created (with the bundled sample) by the first page load,
which says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def prepare(_app: st.App) -> AsyncIterator[None]:
    """Import the app's modules, then start the background preparation of the live data."""
    from b2b_core.store import default_path
    from ui import state, warm_up

    if default_path().exists() and not state.source_named():  # a source is opened by the first page load
        try:
            warm_up.start()
        except Exception as exc:  # the first page load opens the workspace again and says what is wrong
            warm_up.log.warning("the workspace could not be prepared as the server started: %s", exc)
    yield


app = st.App("app.py", lifespan=prepare)
