"""Formatting for the screen: the number words of ``b2b_core.amounts`` (money in the workspace's
currency, counts, shares, changes), ``plain`` for text from the data or from a person inside
Markdown, and ``why_unknown`` / ``unknown_column``, which say why a value shows as a dash."""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from b2b_core import amounts, i18n
from b2b_core.amounts import change, count, duration, estimate, share
from ui import state

__all__ = [
    "UNKNOWN",
    "amount_title",
    "change",
    "count",
    "duration",
    "estimate",
    "in_language",
    "money",
    "plain",
    "sentences",
    "share",
    "unknown_column",
    "unknown_note",
    "why_unknown",
]

_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")
UNKNOWN = amounts.money(float("nan"))  # "–": how every number word writes an unknown value


def plain(text: object) -> str:
    """Text from the data or from a person (account, segment, file and scenario names, emails)
    made safe to show inside Markdown: every Markdown, HTML, LaTeX and Streamlit-directive
    character is escaped and line breaks become spaces, so ``**bold**`` or ``<img src=x>`` read
    exactly as typed instead of being rendered."""
    return _MARKUP.sub(r"\\\1", " ".join(str(text).splitlines()))


def in_language(format_func: Callable[[object], str]) -> Callable[[object], str]:
    """``format_func`` (a widget's, writing an option: ``quarter_text``, a name translated with
    ``_``) bound to the run's language, whenever it is called: Streamlit's AppTest writes the chosen
    option again after the run, where the language would otherwise be English and the option not found."""
    lang = i18n.language()

    def formatted(value: object) -> str:
        with i18n.use(lang):
            return format_func(value)

    return formatted


SENTENCE_GAP = {"en": " ", "zh": ""}  # between two sentences: Chinese ends each with 。 and leaves no space


def sentences(*texts: str) -> str:
    """Whole sentences (each ending with its full stop) as one text in the run's language, the empty
    ones left out: ``"A." "B."`` in English, ``"甲。乙。"`` in Chinese."""
    return SENTENCE_GAP.get(i18n.language(), " ").join(text for text in texts if text)


# Currency --------------------------------------------------------------------------------------


def money(value: float, *, markdown: bool = True) -> str:
    """``amounts.money`` in the workspace's currency: ``¥12.3M`` (``12.3M`` when none is set).
    Screen text is Markdown, where two ``$`` would open LaTeX: a ``$`` is escaped unless
    ``markdown`` is False (a widget's value, a file or scenario name)."""
    written = amounts.money(value, state.currency())
    return written.replace("$", r"\$") if markdown else written


def amount_title(title: str) -> str:
    """``amounts.amount_title`` with the workspace's currency: ``Platform revenue (CNY)``."""
    return amounts.amount_title(title, state.currency())


# Why a value is unknown ------------------------------------------------------------------------


def why_unknown(shown: str, why: str, help: str | None = None) -> str | None:
    """The help (tooltip) of a metric showing ``shown``: ``help`` as it is, led by ``why`` (the
    reason the value is unknown) when ``shown`` is the dash ``UNKNOWN``."""
    if shown != UNKNOWN:
        return help
    return f"{UNKNOWN} {why}" + (f"\n\n{help}" if help else "")


def unknown_note(why: str) -> str:
    """A footnote under a plain table (no column tooltips there) saying what its dashes mean."""
    return f"{UNKNOWN} {why}"


def unknown_column(label: str, why: str, help: str | None = None) -> st.column_config.Column:
    """A table column of values written by the functions above whose header's tooltip says what
    a dash in it means (``why``), after ``help``."""
    return st.column_config.TextColumn(label, help=(f"{help} " if help else "") + f"{UNKNOWN} {why}")
