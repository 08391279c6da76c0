"""What a page shows under AppTest, as texts, and the English words left in it when it should read
in Chinese.

``shown_texts(app)`` collects every text of the page's elements: Markdown bodies, labels, help,
placeholders, options, metric values and deltas, the column names and text cells of tables, and
the texts of Plotly charts (titles, axis titles, legend and trace names, hover templates,
annotations, category ticks). ``english_left(texts)`` returns the texts holding an English word
that is not the data's: words of the bundled sample's text columns (names, segments, owners),
acronyms (all capitals: KPI, NRR, CSV) and a few names that stay as they are in Chinese (Excel,
Kaplan–Meier, PowerPoint) are allowed.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import json
import re

import pandas as pd
import pyarrow as pa
from google.protobuf.json_format import MessageToDict

from b2b_core import sample

TEXT_KEYS = {"body", "label", "help", "placeholder", "options", "content", "delta", "caption", "text", "value"}
KEPT_NAMES = {  # names and units that Chinese texts write as they are
    "excel", "powerpoint", "kaplan", "meier", "saas", "duckdb", "spark", "ibis", "parquet", "toml",
    "english", "esc", "streamlit", "plotly", "markdown", "utf", "shifted", "beta", "geometric", "sbg",
    "pts", "pp", "vs", "min", "max", "px", "https", "http", "www", "com", "localhost", "xlsx", "csv",
    "pptx", "html", "pdf", "zip", "json", "png", "gmv", "xls", "yyyyqn",
}  # fmt: skip
SAMPLE_METRICS = ("orders",)  # the bundled sample's custom metric (its Orders column): a user's own name, kept
_WORD = re.compile(r"[A-Za-z](?:[A-Za-z]|['’](?=[A-Za-z]))+")  # an apostrophe only inside a word
_UNSEEN = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S)  # st.html's scripts and styles: never shown
_MARKUP = re.compile(  # markup, digests, links (a page's own: accounts?account=M1) and file names: no words of a text
    r"\b[0-9a-f]{16,}\b|:material/[a-z_]+:|\b[a-z_]+\?[a-z_]+=\S*|:[a-z]+-badge\[|:[a-z]+\[|%\{[^}]*\}|<[^>]+>|`[^`]*`|\([a-z]+:[^)]*\)|https?://\S+|\S+\.(?:csv|xlsx|pptx|html|zip|toml|duckdb)\b"
)


def shown_texts(app) -> list[str]:
    """Every text the AppTest ``app`` shows on its page and in its sidebar."""
    texts: list[str] = []
    _collect(app._tree, texts)
    return [text for text in texts if text.strip()]


def _collect(node, texts: list[str]) -> None:
    proto = getattr(node, "proto", None)
    if proto is not None:
        _strings(MessageToDict(proto), "", texts)
    children = getattr(node, "children", None)
    for child in children.values() if isinstance(children, dict) else ():
        _collect(child, texts)


def _strings(value, key: str, texts: list[str]) -> None:
    if isinstance(value, dict):
        for inner, item in value.items():
            _strings(item, inner, texts)
    elif isinstance(value, list):
        for item in value:
            _strings(item, key, texts)
    elif isinstance(value, str):
        if key == "spec":
            _chart_texts(json.loads(value), "", texts)
        elif key == "data" and value:
            texts.extend(_table_texts(value))
        elif key in TEXT_KEYS:
            texts.append(value)


def _chart_texts(value, key: str, texts: list[str]) -> None:
    """The texts of a Plotly figure's JSON: titles, names, templates, annotations, categories."""
    if isinstance(value, dict):
        for inner, item in value.items():
            if inner not in {"customdata", "ids", "meta", "uid", "font", "marker", "line", "colorscale"}:
                _chart_texts(item, inner, texts)
    elif isinstance(value, list):
        for item in value:
            _chart_texts(item, key, texts)
    elif isinstance(value, str) and key in {"text", "name", "hovertemplate", "ticktext", "x", "y", "labels", "texttemplate"}:
        texts.append(value)


def _table_texts(encoded: str) -> list[str]:
    """A table's column names and text cells (Arrow IPC, base64 in the element's JSON)."""
    try:
        table = pa.ipc.open_stream(io.BytesIO(base64.b64decode(encoded))).read_all()
    except (pa.ArrowInvalid, ValueError):
        return []
    frame = table.to_pandas()
    texts = [str(name) for name in frame.columns if not str(name).startswith("__")]
    for column in frame.columns:
        if frame[column].dtype == object:
            texts.extend(str(cell) for cell in frame[column].dropna().unique()[:200] if isinstance(cell, str))
    return texts


@functools.cache
def data_words() -> frozenset[str]:
    """The words of the bundled sample's text cells (its names, segments, regions, tiers, owners):
    data, shown as uploaded in every language (its column headers are not: the app names columns)."""
    words = set()
    for file in sample.SAMPLE_DIR.glob("*.csv"):
        frame = pd.read_csv(file, dtype=str)
        for column in frame.columns:
            for cell in frame[column].dropna().unique():
                words.update(_WORD.findall(cell))
    words.update(SAMPLE_METRICS)
    return frozenset(word.lower() for word in words)


def english_words(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The English words of ``text`` that are neither data, acronyms, kept names nor ``allowed``
    (HTML entities read as the characters they stand for: ``&amp;`` is ``&``)."""
    words = _WORD.findall(_MARKUP.sub(" ", html.unescape(_UNSEEN.sub(" ", text))))
    kept = data_words() | KEPT_NAMES | allowed
    return [word for word in words if not word.isupper() and word.lower() not in kept]


def english_left(texts: list[str], allowed: frozenset[str] = frozenset()) -> list[str]:
    """The texts among ``texts`` holding an English word (``english_words``), each once."""
    return list(dict.fromkeys(text for text in texts if english_words(text, allowed)))
