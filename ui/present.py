"""Presentation mode: the workshop deck alone on screen, for a room.

It is on while the URL holds ``present=1`` (so a refresh or a shared link keeps it), and is
switched on from the sidebar's toggle or the workshop page's Present button, off with the Exit
button or Esc. While it is on, the app shows only the workshop page, with no sidebar, no
Streamlit chrome (header, toolbar, footer), no editing widgets, larger type and near-black text
(``STYLE``; every text colour, disabled buttons included, at least WCAG AA on white; see
``b2b_core.charts.style`` for the charts).
"""

from __future__ import annotations

import streamlit as st

PARAM = "present"
TOGGLE, STARTING = "present:toggle", "present:starting"
STYLE = """
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], footer {
    display: none !important;
  }
  .stApp { color: #111111; }
  html { font-size: 20px; }
  [data-testid="stMainBlockContainer"] { max-width: 100%; padding: 1rem 2.5rem 1rem; }
  [data-testid="stCaptionContainer"], [data-testid="stMetricLabel"] { color: #222222 !important; }
  [data-testid="stMetricValue"] { font-size: 1.9rem; line-height: 1.2; }
  button:disabled, button:disabled p { color: #555555 !important; }
  [data-testid="stMetricDelta"] { color: #222222 !important; }
  [data-testid="stMetricDelta"] svg { fill: #222222 !important; }
  h1 { font-size: 2rem !important; line-height: 1.25 !important; padding-top: 0.5rem !important; }
</style>
"""


def active() -> bool:
    """True while the app presents (the URL holds ``present=1``)."""
    return st.query_params.get(PARAM) == "1"


def request_start() -> None:
    """Callback of the sidebar toggle: present from the next run on (``starting``), toggle reset."""
    st.session_state[STARTING] = st.session_state.pop(TOGGLE, False)


def starting() -> bool:
    """True once after the sidebar toggle was switched on."""
    return st.session_state.pop(STARTING, False)


def sidebar_toggle() -> None:
    """The sidebar's switch into presentation mode."""
    st.toggle(
        "Presentation mode",
        value=False,
        key=TOGGLE,
        on_change=request_start,
        help="The workshop deck, full screen, for a room: Next and Previous (or the arrow keys), Esc to leave.",
    )


def start() -> None:
    """Present from the next run on (button callback)."""
    st.query_params[PARAM] = "1"


def stop() -> None:
    """Leave presentation mode (button callback)."""
    st.query_params.pop(PARAM, None)


def style() -> None:
    """Apply the presentation look to this run's page."""
    st.html(STYLE)
