"""The glossary (docs/glossary.md) as the tests read it: its rows, and the synonyms it rules out
that a Chinese text uses."""

from __future__ import annotations

import re
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"
_NOTE = re.compile(r"（[^）]*）|\([^)]*\)")  # a note on where a word may appear
_SEPARATORS = re.compile(r"[、·：/\s]+")


def rows() -> list[tuple[str, str, list[str]]]:
    """The glossary's rows: (English, Chinese, the Chinese synonyms not used)."""
    found = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("English", "---"):
            continue
        unused = _NOTE.sub("", cells[2])
        found.append((cells[0], cells[1], [word.strip() for word in unused.split("、") if word.strip()]))
    return found


def chinese_of(english: str) -> str:
    """The glossary's Chinese for ``english``."""
    return next(chinese for en, chinese, _unused in rows() if en == english)


def synonyms_used(text: str) -> list[tuple[str, str]]:
    """(the glossary's term, the synonym it rules out) for every ruled-out synonym ``text`` uses,
    once the glossary's own terms are taken out of it (收缩 is ruled out, 收缩期 is a term)."""
    terms = {word for _en, chinese, _unused in rows() for word in _SEPARATORS.split(_NOTE.sub(" ", chinese)) if word}
    for term in sorted(terms, key=len, reverse=True):
        text = text.replace(term, " ")
    return [(chinese, word) for _en, chinese, unused in rows() for word in unused if word in text]
