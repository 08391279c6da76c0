"""Formatting for the screen: the number words of ``b2b_core.amounts`` (money, counts, shares,
changes) and ``plain`` for text from the data or from a person inside Markdown."""

from __future__ import annotations

import re

from b2b_core.amounts import change, count, estimate, money, share

__all__ = ["change", "count", "estimate", "money", "plain", "share"]

_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def plain(text: object) -> str:
    """Text from the data or from a person (account, segment, file and scenario names, emails)
    made safe to show inside Markdown: every Markdown, HTML, LaTeX and Streamlit-directive
    character is escaped and line breaks become spaces, so ``**bold**`` or ``<img src=x>`` read
    exactly as typed instead of being rendered."""
    return _MARKUP.sub(r"\\\1", " ".join(str(text).splitlines()))
