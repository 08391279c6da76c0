"""The dashboard's server: ``streamlit run server.py`` serves the app of ``app.py``.

As the server starts, before it answers anyone, it loads the app's modules (about 1 s of
imports: pandas, plotly, Ibis, scipy, lifelines), and when the workspace file exists it starts
preparing the live data version's views in the background (``ui.warm_up``); when the views read a
source (``[source]``), a background thread opens it and then prepares its views. The first visitor
then waits for neither; a server started well before anyone comes finds every page ready.
A workspace that does not exist yet is created (with the bundled sample) by the first page load,
which says so.

Beside the app it answers ``/api/live-deck/<code>``: a deck's slide and levers, which a projected
window's browser asks for twice a second to follow the presenter view (``ui.deck_watch``).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from ui import deck_watch


@asynccontextmanager
async def prepare(_app: st.App) -> AsyncIterator[None]:
    """Import the app's modules, then start the background preparation of the live data."""
    from b2b_core.store import default_path
    from ui import state, warm_up

    if state.source_named():  # opening a source takes seconds (a Spark session): not before answering
        threading.Thread(target=warm_up.start_from_source, name=warm_up.THREAD_NAME, daemon=True).start()
    elif default_path().exists():
        try:
            warm_up.start()
        except Exception as exc:  # the first page load opens the workspace again and says what is wrong
            warm_up.log.warning("the workspace could not be prepared as the server started: %s", exc)
    yield


app = st.App("app.py", lifespan=prepare, routes=[deck_watch.route()])
