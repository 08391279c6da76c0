"""The language a text is written in: the one a caller names, else the current run's language
(``b2b_core.i18n.language()``; English where that module is not installed)."""

from __future__ import annotations

try:
    from b2b_core.i18n import language as _running_language
except ImportError:

    def _running_language() -> str:
        return "en"


def chosen(lang: str | None = None) -> str:
    """``lang`` when given (``"en"``, ``"zh"``), else the current run's language."""
    return lang or _running_language()
