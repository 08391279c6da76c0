"""The order of day and month in a column of dates written with the year last (``03/04/2025``).

A value whose first part is above 12 (``13/04/2025``) can only be day-first, one whose second part
is above 12 (``04/13/2025``) only month-first: those values decide the order of the whole column.
Counted in Arrow over the column's cells, however many they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from b2b_core.i18n import _
from b2b_core.quarters import DAY_FIRST, MONTH_FIRST, ORDER_NAMES

_YEAR_LAST = r"^\s*(?P<first>\d{1,2})[-/.](?P<second>\d{1,2})[-/.]\d{4}(?:[ tT].*)?\s*$"


@dataclass(frozen=True)
class DateOrder:
    """How the year-last dates of one column (``header``) are read.

    ``year_last`` cells are written with the year last; ``day_first`` of them read only day-first
    (first part above 12), ``month_first`` only month-first, ``two_ways`` both (both parts 12 or
    less and different). ``order`` is the order used (None: none, each value read as it can be),
    ``chosen`` whether the user chose it.
    """

    header: str
    year_last: int
    day_first: int
    month_first: int
    two_ways: int
    order: str | None
    chosen: bool = False

    @property
    def mixed(self) -> bool:
        """Some values read only day-first, others only month-first."""
        return self.day_first > 0 and self.month_first > 0

    @property
    def undecided(self) -> bool:
        """Dates read two ways and nothing says which: the user is asked."""
        return self.order is None and self.two_ways > 0

    @property
    def against(self) -> int:
        """Values that cannot be read in ``order`` (they become errors)."""
        return {DAY_FIRST: self.month_first, MONTH_FIRST: self.day_first}.get(self.order, 0)

    def note(self) -> str | None:
        """What the report says of it: the order used and why (None when no date is year-last)."""
        if not self.year_last:
            return None
        order = _(ORDER_NAMES[self.order]) if self.order else ""
        if self.mixed:
            said = (
                _(
                    "the column mixes day-first dates ({day_first:,} with a first part above 12) and month-first dates "
                    "({month_first:,} with a second part above 12): read {order} (as chosen); the {against:,} others "
                    "are errors: check the export"
                )
                if self.chosen
                else _(
                    "the column mixes day-first dates ({day_first:,} with a first part above 12) and month-first dates "
                    "({month_first:,} with a second part above 12): read {order} (the majority); the {against:,} "
                    "others are errors: check the export"
                )
            )
            return said.format(
                day_first=self.day_first, month_first=self.month_first, order=order, against=self.against
            )
        if self.chosen:
            return _("dates written with the year last read {order}, as chosen").format(order=order)
        if self.order == MONTH_FIRST:
            said = _("dates read {order}: {found:,} of the {dates:,} dates have a day above 12 (MM/DD/YYYY)")
            return said.format(order=order, found=self.month_first, dates=self.year_last)
        if self.order:
            said = _("dates read {order}: {found:,} of the {dates:,} dates have a day above 12 (DD/MM/YYYY)")
            return said.format(order=order, found=self.day_first, dates=self.year_last)
        if self.two_ways:
            return _(
                "no date of the column has a part above 12, so nothing tells whether the day or the month comes "
                "first ({dates:,} dates such as 03/04 read two ways): choose day-first or month-first"
            ).format(dates=self.two_ways)
        return None


def date_order(column: pa.ChunkedArray | pa.Array, header: str, chosen: str | None) -> DateOrder:
    """The order of ``column``'s year-last dates: ``chosen`` when given, else the one its values
    decide (the more frequent when they contradict each other), else None. Each distinct text is
    looked at once, weighted by how often it occurs."""
    counted = pc.value_counts(column.cast(pa.string()))
    parts = pc.extract_regex(counted.field("values"), _YEAR_LAST)
    first = pc.cast(pc.struct_field(parts, "first"), pa.int32(), safe=False)
    second = pc.cast(pc.struct_field(parts, "second"), pa.int32(), safe=False)
    cells = counted.field("counts")

    def count(condition) -> int:
        return int(pc.sum(pc.if_else(pc.fill_null(condition, False), cells, 0)).as_py() or 0)

    year_last = count(pc.is_valid(parts))
    day_first = count(pc.greater(first, 12))
    month_first = count(pc.greater(second, 12))
    two_ways = count(pc.and_(pc.and_(pc.less_equal(first, 12), pc.less_equal(second, 12)), pc.not_equal(first, second)))
    order = chosen
    if order is None and (day_first or month_first):
        order = DAY_FIRST if day_first >= month_first else MONTH_FIRST
    return DateOrder(header, year_last, day_first, month_first, two_ways, order, chosen is not None)
