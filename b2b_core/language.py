"""The language a number or a quarter is written in: the one a caller names (``"en"``, ``"zh"``),
English otherwise.

Not the run's language (``b2b_core.i18n.language()``) by default: many texts holding numbers are
computed once and shared by every session (headlines, slides and figures in Streamlit's caches,
the audit trail), so a session reading Chinese would hand its 万 and 亿 to one reading English.
A text follows the run's language once its cache is keyed by that language and the caller passes
it (``amounts.money(value, lang=i18n.language())``).
"""

from __future__ import annotations


def chosen(lang: str | None = None) -> str:
    """``lang`` when given, else English."""
    return lang or "en"
