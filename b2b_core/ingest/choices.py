"""What the person uploading decides about a file that the values alone cannot settle."""

from __future__ import annotations

from dataclasses import dataclass

from b2b_core.quarters import DAY_FIRST, MONTH_FIRST

DATE_ORDERS = (DAY_FIRST, MONTH_FIRST)


@dataclass(frozen=True)
class Choices:
    """How to read one file.

    Attributes
    ----------
    sum_repeats : sum the rows of an account in a quarter into one (a transaction-level export)
        instead of reporting them as an error: platform and B-side revenue and custom metrics
        summed, ``active`` true when any row is, ``contract_end`` the latest date, the text
        columns and ``contract_value`` the latest row's value (the last in file order that has one).
    date_order : ``DAY_FIRST`` or ``MONTH_FIRST`` for dates written with the year last
        (``03/04/2025``) in the quarter and contract end columns; None: decided by the values
        where they can (a part above 12), else such a date that reads two ways is an error.
    ids_ignore_case : ``cd00004`` and ``CD00004`` are one account, spelt as the workspace spells
        it (``id_spellings``), else as the file spells it most often (first in the file on a tie).
    id_spellings : (the file's id, the workspace's spelling) of the ids the workspace spells
        differently from the file (``Workspace.id_spellings``).
    """

    sum_repeats: bool = False
    date_order: str | None = None
    ids_ignore_case: bool = False
    id_spellings: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.date_order not in (None, *DATE_ORDERS):
            raise ValueError(f"date_order is {self.date_order!r}: use {DAY_FIRST!r}, {MONTH_FIRST!r} or None")
