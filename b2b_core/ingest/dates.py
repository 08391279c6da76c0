"""The order of day and month in a column of dates written with the year last (``03/04/2025``).

A value whose first part is above 12 (``13/04/2025``) can only be day-first, one whose second part
is above 12 (``04/13/2025``) only month-first: those values decide the order of the whole column.
Counted in Arrow over the column's cells, however many they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from b2b_core.quarters import DAY_FIRST, MONTH_FIRST

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
        counts = f"{self.day_first:,} of the {self.year_last:,} dates have a day above 12 (DD/MM/YYYY)"
        if self.order == MONTH_FIRST:
            counts = f"{self.month_first:,} of the {self.year_last:,} dates have a day above 12 (MM/DD/YYYY)"
        if self.mixed:
            how = (
                f"the column mixes day-first dates ({self.day_first:,} with a first part above 12) and month-first "
                f"dates ({self.month_first:,} with a second part above 12)"
            )
            used = "as chosen" if self.chosen else "the majority"
            return f"{how}: read {self.order} ({used}); the {self.against:,} others are errors: check the export"
        if self.chosen:
            return f"dates written with the year last read {self.order}, as chosen"
        if self.order:
            return f"dates read {self.order}: {counts}"
        if self.two_ways:
            return (
                f"no date of the column has a part above 12, so nothing tells whether the day or the month comes "
                f"first ({self.two_ways:,} dates such as 03/04 read two ways): choose day-first or month-first"
            )
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
