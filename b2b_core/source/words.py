"""The source's messages kept in no language, and written in the reader's.

An opened source, or what kept it from opening, is kept once for every session whatever its
language (``ui.state``): its messages (a ``SourceError``, the check report's sentences) are kept
as ``Words`` (an English text marked ``N_`` with its values) or ``Later`` (a function writing a
text, e.g. with ``ngettext``), and written in the current language each time they are read
(``str``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from b2b_core import i18n
from b2b_core.i18n import _


@dataclass(frozen=True)
class Words:
    """``template`` (English, marked ``N_``, with ``{name}`` fields) and its ``values``; a value
    that is a text of this module is written in the same language."""

    template: str
    values: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return _(self.template).format(**{name: str(value) for name, value in self.values})


@dataclass(frozen=True)
class Later:
    """The text ``write()`` returns, written when it is read."""

    write: Callable[[], str]

    def __str__(self) -> str:
        return self.write()


@dataclass(frozen=True)
class Listed:
    """``items`` one after the other, separated by commas, in the reader's language."""

    items: tuple[Words | Later | str, ...]

    def __str__(self) -> str:
        return _(", ").join(str(item) for item in self.items)


Text = Words | Later | Listed


def words(template: str, **values: object) -> Words:
    """``Words(template, values)``: ``words(N_("The source {name} …"), name=config.name)``."""
    return Words(template, tuple(values.items()))


def english(text: Text | str) -> str:
    """``text`` written in English (the language of records and of an error's ``args``)."""
    with i18n.use(i18n.SOURCE):
        return str(text)
