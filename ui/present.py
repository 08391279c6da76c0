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

from b2b_core.charts.style import TEXT_SIZES
from b2b_core.i18n import _

PARAM = "present"
TOGGLE, STARTING = "present:toggle", "present:starting"
SIZE = "size"  # the text size's query parameter and widget key: S, M (default) or L
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
# One screen a slide: the page a column of the screen's height; the chart (and on the what-if
# slide the levers beside it) takes the height left; type follows the screen's height (20 px at
# 1080 px) times the chosen text size; below 860 px of height the levers and margins tighten.
FIT = """
<style>
  html { font-size: calc(clamp(16px, 2vh, 24px) * var(--present-scale, 1)); }
  h1 { font-size: 1.6rem !important; }
  [data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"] p, [data-testid="stCaptionContainer"],
  [data-testid="stWidgetLabel"] p, button p { font-size: 0.9rem !important; }
  [data-testid="stMain"] { overflow: hidden; }
  [data-testid="stMainBlockContainer"] { height: 100vh; box-sizing: border-box; display: flex;
    flex-direction: column; padding: 0.5rem 2rem 0.5rem; }
  [data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { flex: 1 1 0; min-height: 0;
    gap: 0.5rem; }
  [data-testid="stVerticalBlock"] > * { flex-shrink: 0; }
  [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"]:has(> [data-testid="stHtml"]) { display: none; }
  [data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > :has([data-testid="stPlotlyChart"]) {
    flex: 1 1 0; min-height: 0; }
  :has(> [data-testid="stHorizontalBlock"] [data-testid="stPlotlyChart"]) > [data-testid="stHorizontalBlock"],
  [data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) > [data-testid="stColumn"],
  [data-testid="stColumn"]:has([data-testid="stPlotlyChart"]) > [data-testid="stVerticalBlock"] { height: 100%; }
  [data-testid="stColumn"] > [data-testid="stVerticalBlock"] > :has([data-testid="stPlotlyChart"]) {
    flex: 1 1 0; min-height: 0; }
  h1 { padding: 0 !important; margin: 0 !important; }
  [data-testid="stMarkdownContainer"]:has(h1) { margin-bottom: 0 !important; }
  [data-testid="stMetric"] { padding: 0.35rem 0.75rem !important; }
  [data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div { white-space: normal !important;
    overflow: visible !important; text-overflow: clip !important; line-height: 1.2; }
  [data-testid="stMetricValue"] { font-size: 1.6rem; }
  [data-testid="stLayoutWrapper"]:has(> .st-key-workshop_title) { flex: 1 1 0; min-height: 0; }
  .st-key-workshop_title { height: 100%; justify-content: center; }
  .st-key-workshop_title h1 { font-size: 2.6rem !important; }
  .st-key-workshop_agenda li { font-size: 1.3rem; line-height: 1.5; }
  button p { white-space: nowrap; }
  .st-key-size button { min-height: 0; padding: 0.25rem 0.6rem; }
  /* the navigation keeps its size whatever the text size */
  [data-testid="stHorizontalBlock"]:has(.st-key-workshop_next) button p {
    font-size: calc(0.85 * clamp(16px, 2vh, 24px)) !important; }
  @media (max-width: 1100px) {
    [data-testid="stHorizontalBlock"]:has(.st-key-workshop_next) button { padding-left: 0.3rem; padding-right: 0.3rem; }
    [data-testid="stHorizontalBlock"]:has(.st-key-workshop_next) button span:has(> [data-testid="stIconMaterial"]) {
      display: none; }
  }
  @media (max-height: 860px) {
    [data-testid="stSlider"] [data-testid="stSliderTickBar"] { display: none; }
    [data-testid="stSlider"] [data-testid="stWidgetLabel"] p { font-size: 0.8rem !important; line-height: 1.2; }
    [data-testid="stSlider"] [data-testid="stWidgetLabel"] { min-height: 0; margin-bottom: 0; }
    [data-testid="stColumn"]:has([data-testid="stSlider"]) [data-testid="stVerticalBlock"] { gap: 0.25rem; }
    [data-testid="stBaseButton-secondary"] { min-height: 2rem; padding-top: 0.15rem; padding-bottom: 0.15rem; }
  }
</style>
"""
# S / M / L from the keyboard: "-" smaller, "+" (or "=") larger, by clicking the size control.
SIZE_KEYS = """
<script>
if (!window.parent.presentSizeKeys) {
  window.parent.presentSizeKeys = true;
  window.parent.document.addEventListener("keydown", (event) => {
    const step = {"-": -1, "+": 1, "=": 1}[event.key];
    const target = event.target;
    if (!step || event.ctrlKey || event.metaKey || event.altKey
        || (target.closest && target.closest("input, textarea, select, [contenteditable]"))) return;
    const options = Array.from(window.parent.document.querySelectorAll(".st-key-size button[aria-checked]"));
    const current = options.findIndex((b) => b.getAttribute("aria-checked") === "true");
    const next = options[Math.max(0, Math.min(options.length - 1, (current < 0 ? 1 : current) + step))];
    if (next && options.indexOf(next) !== current) { event.preventDefault(); next.click(); }
  });
}
</script>
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
        _("Presentation mode"),
        value=False,
        key=TOGGLE,
        on_change=request_start,
        help=_("The workshop deck, full screen, for a room: Next and Previous (or the arrow keys), Esc to leave."),
    )


def start() -> None:
    """Present from the next run on (button callback)."""
    st.query_params[PARAM] = "1"


def stop() -> None:
    """Leave presentation mode (button callback)."""
    st.query_params.pop(PARAM, None)


def style() -> None:
    """Apply the presentation look to this run's page: one screen a slide."""
    st.html(STYLE + FIT)
    st.html(SIZE_KEYS, unsafe_allow_javascript=True)


def text_size() -> str:
    """The text size chosen in the link: ``S``, ``M`` (default) or ``L`` (``TEXT_SIZES``)."""
    chosen = st.session_state.get(SIZE)
    return chosen if chosen in TEXT_SIZES else "M"


def text_size_control(place) -> str:
    """The S / M / L control in ``place`` (kept in the link as ``?size=``; ``-`` and ``+`` change it
    too); scales the page's type from this run on. Returns the size chosen."""
    place.segmented_control(
        _("Text size"),
        list(TEXT_SIZES),
        default="M",
        key=SIZE,
        bind="query-params",
        label_visibility="collapsed",
        help=_("Text size: S, M or L (keys − and +)."),
    )
    size = text_size()
    st.html(f"<style>:root {{ --present-scale: {TEXT_SIZES[size]}; }}</style>")
    return size
