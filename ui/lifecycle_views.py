"""The lifecycle page's computations, cached by the data version."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from b2b_core import lifecycle
from ui import state


@st.cache_data(show_spinner="Computing the company's signals…", max_entries=4)
def metrics(data: str) -> pd.DataFrame:
    """``company_metrics`` of the live panel."""
    return lifecycle.company_metrics(state.live_panel())
