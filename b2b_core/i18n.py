"""The product's languages: English (the source texts) and Simplified Chinese, by gettext catalogs.

Every text a person reads goes through ``_(text)`` (or ``ngettext(singular, plural, n)`` when it
depends on a count), written in English in the code; the current language's catalog turns it into
that language, English returns it unchanged. Texts defined before a run knows its language (module
constants such as the navigation's page titles) are marked with ``N_(text)`` and translated where
they are shown, ``_(title)``.

The current language is the run's: ``set_language(lang)`` at the start of each run (the app does it
from the link's ``?lang=``), ``use(lang)`` for a block (an export in a chosen language, a test). It is
held in a ``contextvars.ContextVar``, so each thread (each Streamlit script run) has its own. A
context that has set none (a Streamlit fragment's rerun starts in a new thread without the app's
script) asks the resolver given to ``resolve_with`` (the app's: the session's language), else "en".

Catalogs live in ``locale/<lang>/LC_MESSAGES/messages.po`` (edited by translators, committed) and are
compiled to ``messages.mo`` next to them when missing or older than the .po (at the first translated
text; not committed). One command extracts the texts of the code into ``locale/messages.pot``, updates
every language's .po with them (new texts empty, changed ones fuzzy, both to translate) and compiles:

    python -m b2b_core.i18n update
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "zh")  # English first: the source language and the default
SOURCE = "en"
DOMAIN = "messages"
ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
CONFIG = ROOT / "babel.cfg"
EXTRACTED = ("b2b_core", "ui", "pages", "app.py")  # where the texts to translate are written

_current: ContextVar[str | None] = ContextVar("language", default=None)
_resolver: Callable[[], str] = lambda: SOURCE  # noqa: E731 (replaced by resolve_with)


def checked(lang: str) -> str:
    """``lang`` if it is one of LANGUAGES, else a ValueError naming the ones there are."""
    if lang not in LANGUAGES:
        raise ValueError(f"Unknown language {lang!r}: use one of {', '.join(LANGUAGES)}.")
    return lang


def language() -> str:
    """The current language ("en" or "zh"): this context's, else the resolver's, else "en"."""
    return _current.get() or _resolver()


def set_language(lang: str) -> None:
    """Make ``lang`` the current language of this context (a run) until it is set again."""
    _current.set(checked(lang))


@contextlib.contextmanager
def use(lang: str) -> Iterator[None]:
    """Within the block the current language is ``lang``; the one before is restored after it."""
    token = _current.set(checked(lang))
    try:
        yield
    finally:
        _current.reset(token)


def resolve_with(resolver: Callable[[], str]) -> None:
    """Where the language comes from in a context that has set none (e.g. the session's language)."""
    global _resolver
    _resolver = resolver


def _(text: str) -> str:
    """``text`` (English) in the current language."""
    return _translations(language()).gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for a count ``n`` (any number: NumPy's too; an unknown
    count reads plural), in the current language."""
    return _translations(language()).ngettext(singular, plural, int(n) if n == n else 2)


def pgettext(context: str, text: str) -> str:
    """``text`` (English) in the current language as meant in ``context``: for an English word with
    two meanings in the other language (a revenue bridge's "Contraction" is not the lifecycle stage)."""
    return _translations(language()).pgettext(context, text)


def N_(text: str) -> str:
    """Marks ``text`` for the catalog without translating it (translated later with ``_``)."""
    return text


def NP_(context: str, text: str) -> str:  # noqa: N802 (gettext's naming)
    """Marks ``text`` for the catalog in ``context`` without translating it (translated later with
    ``pgettext(context, text)``)."""
    return text


def worded(reduction: Callable) -> Callable:
    """Marks ``reduction`` as giving words of the current language in its result (a reason, a
    description, a label): the app keeps its results per language (``ui.state.reduced``). Any other
    reduction's result holds only data, the same in every language, and is computed once for all."""
    reduction.worded = True
    return reduction


def is_worded(reduction: Callable) -> bool:
    """True when ``reduction`` was marked ``worded``."""
    return getattr(reduction, "worded", False)


def catalog_path(lang: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def translated_languages() -> list[str]:
    """The languages with a catalog (every one but the source)."""
    return [lang for lang in LANGUAGES if lang != SOURCE]


def ensure_compiled() -> None:
    """Compile each catalog (.po → .mo, fuzzy entries left out) that has no .mo or a .mo older than
    its .po. Written to a temporary file and renamed, so a run reading it never sees half a file."""
    for lang in translated_languages():
        po, mo = catalog_path(lang), catalog_path(lang, ".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        handle, temporary = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_compiled(po))
            os.replace(temporary, mo)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _compiled(po: Path) -> bytes:
    with po.open("rb") as source:
        catalog = read_po(source)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@functools.cache
def _translations(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang`` (compiled first if needed); English: the texts as written.
    Where the .mo cannot be written (a read-only install) the .po is compiled in memory."""
    if lang == SOURCE:
        return NullTranslations()
    try:
        ensure_compiled()
    except OSError:
        return Translations(io.BytesIO(_compiled(catalog_path(lang))), domain=DOMAIN)
    return Translations.load(str(LOCALE_DIR), [lang], DOMAIN)


def extract(template: Path) -> None:
    """Write the catalog template ``template`` (.pot) of every text the code marks (``_``,
    ``ngettext``, ``pgettext``, ``N_``, ``NP_``), with the file each comes from."""
    _pybabel(
        "extract", "-F", str(CONFIG), "-o", str(template), "--add-location=file", "--sort-output", "-k", "NP_:1c,2",
        "--project", "B2B Ops Strategy Dashboard", *EXTRACTED,
    )  # fmt: skip


def update() -> None:
    """Extract the texts into locale/messages.pot, bring every language's .po up to date with it
    (a missing one is created) and compile them."""
    extract(TEMPLATE)
    for lang in translated_languages():
        command = "update" if catalog_path(lang).exists() else "init"
        extra = ("--ignore-obsolete",) if command == "update" else ()
        _pybabel(command, "-i", str(TEMPLATE), "-d", str(LOCALE_DIR), "-D", DOMAIN, "-l", lang, *extra)
    ensure_compiled()
    _translations.cache_clear()


def _pybabel(*args: str) -> None:
    """Babel's ``pybabel`` command, run from the repository's root (locations relative to it)."""
    with contextlib.chdir(ROOT):
        CommandLineInterface().run(["pybabel", "-q", *args])


if __name__ == "__main__":
    if sys.argv[1:] != ["update"]:
        sys.exit("usage: python -m b2b_core.i18n update")
    update()
