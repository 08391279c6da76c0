"""The language a text is written in: the one a caller names, else the current run's language
(``b2b_core.i18n.language()``; English where that module is not installed)."""

from __future__ import annotations

import functools
from collections.abc import Callable


@functools.cache
def _running_language() -> Callable[[], str]:
    """``b2b_core.i18n.language``, looked up at the first call (not at import, so that i18n may
    itself import the modules writing numbers); a function saying English without that module."""
    try:
        from b2b_core.i18n import language
    except ModuleNotFoundError as missing:
        if missing.name != "b2b_core.i18n":
            raise
        return lambda: "en"
    return language


def chosen(lang: str | None = None) -> str:
    """``lang`` when given (``"en"``, ``"zh"``), else the current run's language."""
    return lang or _running_language()()
