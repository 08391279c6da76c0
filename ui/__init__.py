"""Streamlit glue shared by the pages: the cached workspace, cached loads, formatting helpers."""
