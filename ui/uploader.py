"""A file uploader whose own words read in the run's language.

Streamlit writes an uploader's button ("Upload") and its limit line ("50MB per file • CSV, XLSX")
in English whatever the page's language. In another language both are drawn over by a style
scoped to the uploader's box: the English words are hidden at no size and the translation is
shown in their place (a screen reader reads the uploader's label, which is translated).
"""

from __future__ import annotations

import streamlit as st

from b2b_core import i18n
from b2b_core.i18n import _

_STYLE = """<style>
.st-key-{box} [data-testid="stFileUploaderDropzone"] button p,
.st-key-{box} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; visibility: hidden; }}
.st-key-{box} [data-testid="stFileUploaderDropzone"] button p::after {{
  content: "{button}"; font-size: 0.875rem; visibility: visible;
}}
.st-key-{box} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "{limit}"; font-size: 0.75rem; visibility: visible;
}}
</style>"""


def file_uploader(label: str, box: str, *, types: list[str], limit_mb: int, **options):
    """``st.file_uploader(label, type=types, max_upload_size=limit_mb, **options)`` in a container
    keyed ``box`` (a stable name: the uploader's own key may change to empty it), its button and
    limit line in the run's language."""
    with st.container(key=box):
        if i18n.language() != i18n.SOURCE:
            limit = _("{size} per file • {kinds}").format(
                size=f"{limit_mb}MB" if limit_mb < 1024 else f"{limit_mb // 1024}GB",
                kinds=_(", ").join(kind.upper() for kind in types),
            )
            st.html(_STYLE.format(box=box, button=_("Upload"), limit=limit))
        return st.file_uploader(label, type=types, max_upload_size=limit_mb, **options)
