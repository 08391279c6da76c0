"""The issues of an upload (its errors, or its warnings), kept within bounds whatever the file holds.

A hostile or mis-mapped file can have an issue on each of millions of rows. An ``IssueLog`` counts
every issue exactly, per file, column and kind of problem, with the first row and an example value
(``summary``), but keeps only the first ``MAX_KEPT`` issues in the order a report lists them:
problems of a whole file first (they block any commit, so they are always kept), then by file and
row (``frame``). A value is shown with at most
``VALUE_CHARS`` characters, and a reason names at most ``ROWS_NAMED`` rows (``some``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from b2b_core.i18n import _

MAX_KEPT = 10_000  # issues of each severity listed per upload; the others are only counted
VALUE_CHARS = 100  # characters of a cell shown in an issue
ROWS_NAMED = 3  # rows a reason names: "rows 2, 3, 4 and 19,997 more"
ISSUE_COLUMNS = ["file", "row", "column", "value", "reason"]
SUMMARY_COLUMNS = ["file", "column", "reason", "rows", "first_row", "example"]

# Per row: one text for every row, the texts of all rows, or a function giving the texts of the
# rows at some positions (called only for the issues kept).
PerRow = str | Sequence | pa.Array | pa.ChunkedArray | Callable[[np.ndarray], Sequence[str]]


def shorten(text: object) -> str:
    """A cell as an issue shows it: at most ``VALUE_CHARS`` characters, then its length."""
    text = "" if text is None else str(text)
    if len(text) <= VALUE_CHARS:
        return text
    return _("{start}… ({length:,} characters)").format(start=text[:VALUE_CHARS], length=len(text))


def some(items: Sequence[str], total: int) -> str:
    """``2, 3, 4 and 19,997 more``: the first ``ROWS_NAMED`` of ``items`` and how many others of ``total``."""
    named = _(", ").join(items[:ROWS_NAMED])
    return named if total <= ROWS_NAMED else _("{named} and {more:,} more").format(named=named, more=total - ROWS_NAMED)


def _order(file: str, row: int | None, sequence: int) -> tuple:
    """Where an issue is listed: problems of a whole file first, then by file, row, and as found."""
    return (0, file, 0, sequence) if row is None else (1, file, row, sequence)


def _pick(texts: PerRow, positions: np.ndarray) -> list[str]:
    if isinstance(texts, str):
        return [texts] * len(positions)
    if callable(texts):
        return list(texts(positions))
    if isinstance(texts, pa.Array | pa.ChunkedArray):
        return texts.take(pa.array(positions, pa.int64())).to_pylist()
    return [texts[i] for i in positions]


class IssueLog:
    """Issues ``(file, row, column, value, reason)`` of ``file`` (unless an issue names another);
    ``row`` is None for a problem of the whole file.

    Issues are counted per ``(file, column, kind)``, where ``kind`` is the reason without the
    details of one row (which rows, which account): what the summary groups by.
    """

    def __init__(self, file: str = "", limit: int = MAX_KEPT):
        self.file, self.limit = file, limit
        self.total = 0
        self._kept: list[tuple] = []  # (order, file, row, column, value, reason), up to 2 × limit before a trim
        self._bound: tuple | None = None  # once ``limit`` are kept: an issue must come before this to be kept
        self._counts: dict[tuple[str, str, str], list] = {}  # (file, column, kind) → [issues, order, example]
        self._sequence = itertools.count()

    def add(self, row: int | None, column: str, value: object, reason: str, *, kind: str = "", file: str = ""):
        """One issue (of ``file``, when it is another file's)."""
        file = file or self.file
        order = _order(file, row, next(self._sequence))
        self._count((file, column, kind or reason), 1, order, value)
        if self._bound is None or order < self._bound:
            self._keep([(order, file, row, column, shorten(value), reason)])

    def add_rows(self, rows: np.ndarray, column: str, values: PerRow, reasons: PerRow, kind: str = "", file: str = ""):
        """One issue in ``column`` at each of ``rows`` (row numbers, ascending): ``values`` and
        ``reasons`` per row; ``kind`` is needed unless ``reasons`` is one text."""
        if not len(rows):
            return
        file = file or self.file
        rows = np.asarray(rows, dtype=np.int64)
        sequence = next(self._sequence)
        example = _pick(values, np.zeros(1, dtype=np.int64))[0]
        self._count((file, column, kind or reasons), len(rows), _order(file, int(rows[0]), sequence), example)
        chosen = np.arange(min(self._room(file, rows), self.limit))
        if len(chosen):
            values, reasons = map(shorten, _pick(values, chosen)), _pick(reasons, chosen)
            issues = zip(rows[chosen].tolist(), values, reasons)
            self._keep([(_order(file, r, sequence), file, r, column, v, why) for r, v, why in issues])

    def _room(self, file: str, rows: np.ndarray) -> int:
        """How many of ``rows`` (new issues on rows of ``file``, ascending) come before the last issue
        kept: on an earlier row (on the same row, an issue found earlier comes first)."""
        if self._bound is None:
            return len(rows)
        whole_file, bound_file, bound_row, _sequence = self._bound
        if whole_file == 0 or file > bound_file:
            return 0
        return len(rows) if file < bound_file else int(np.searchsorted(rows, bound_row))

    def absorb(self, kept: pd.DataFrame, summary: pd.DataFrame) -> None:
        """Take in another log's ``frame()`` and ``summary()`` (of other files: see ``combine``)."""
        for file, row, column, value, reason in kept.itertuples(index=False, name=None):
            row = None if pd.isna(row) else int(row)
            self._keep([(_order(file, row, next(self._sequence)), file, row, column, value, reason)])
        for file, column, reason, rows, first_row, example in summary.itertuples(index=False, name=None):
            first = None if pd.isna(first_row) else int(first_row)
            self._count((file, column, reason), int(rows), _order(file, first, next(self._sequence)), example)

    def _count(self, key: tuple[str, str, str], issues: int, order: tuple, value: object) -> None:
        self.total += issues
        counted = self._counts.get(key)
        if counted is None:
            self._counts[key] = [issues, order, shorten(value)]
            return
        counted[0] += issues
        if order < counted[1]:
            counted[1:] = [order, shorten(value)]

    def _keep(self, issues: list[tuple]) -> None:
        self._kept.extend(issues)
        if len(self._kept) > 2 * self.limit:
            self._trim()

    def _trim(self) -> None:
        self._kept.sort(key=lambda issue: issue[0])
        if len(self._kept) >= self.limit:
            del self._kept[self.limit :]
            self._bound = self._kept[-1][0]

    def frame(self) -> pd.DataFrame:
        """The kept issues (at most ``limit``), in the order they are listed (see ``_order``)."""
        self._trim()
        rows = [issue[1:] for issue in self._kept]
        return pd.DataFrame(rows, columns=ISSUE_COLUMNS).astype({"row": "Int64"})

    def summary(self) -> pd.DataFrame:
        """Every issue counted per file, column and kind: ``file, column, reason, rows, first_row,
        example`` (the value on the first row), most frequent first."""
        ranked = sorted(self._counts.items(), key=lambda item: (-item[1][0], item[1][1]))
        rows = [
            (file, column, kind, issues, order[2] if order[0] else None, example)
            for (file, column, kind), (issues, order, example) in ranked
        ]
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype({"rows": "int64", "first_row": "Int64"})
