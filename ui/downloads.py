"""The CSV download button every table on the pages has."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from b2b_core import exports


def csv_button(label: str, frame: pd.DataFrame, file_name: str, key: str, *, index: bool = True, place=st) -> None:
    """A button that downloads ``frame`` as spreadsheet-safe CSV (``exports.csv_bytes``), built
    only when clicked (tables can be long) and without rerunning the page."""
    place.download_button(
        label,
        lambda: exports.csv_bytes(frame, index=index),
        file_name,
        "text/csv",
        on_click="ignore",
        key=key,
    )
