"""The download buttons of the pages: files built only when clicked, without rerunning the page."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from b2b_core import exports


def file_button(label: str, build: Callable[[], bytes], file_name: str, mime: str, key: str, *, place=st) -> None:
    """A button that downloads what ``build`` returns, called only when clicked (files can be
    large) and without rerunning the page."""
    place.download_button(label, build, file_name, mime, on_click="ignore", key=key, width="stretch")


def csv_button(label: str, frame: pd.DataFrame, file_name: str, key: str, *, index: bool = True, place=st) -> None:
    """A button that downloads ``frame`` as spreadsheet-safe CSV (``exports.csv_bytes``)."""
    place.download_button(
        label,
        lambda: exports.csv_bytes(frame, index=index),
        file_name,
        "text/csv",
        on_click="ignore",
        key=key,
    )
