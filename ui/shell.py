"""Makes every page run inside the app's shell (app.py: page config, navigation, sidebar).

Streamlit still treats a folder named ``pages/`` next to the entry script as the old file-based
navigation until the first ``st.navigation`` call of the server process, and AppTest starts every
run that way. A page started like that would run alone: no page config, no sidebar. Each page calls
``require_app_shell()`` first: in that case it runs app.py in its place (which calls
``st.navigation``, ending that mode, and runs this same page inside the shell) and stops. It runs in
the same script run, so a click that started it is not lost.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP = Path(__file__).resolve().parent.parent / "app.py"


def require_app_shell() -> None:
    """Run the page through app.py if the file-based navigation started it alone."""
    if PagesManager.uses_pages_directory:
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()
