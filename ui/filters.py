"""The filter row of the pages: one multiselect per attribute, as a cache-friendly selection."""

from __future__ import annotations

from b2b_core.contract import NOT_SET
from b2b_core.i18n import N_, _

COLUMN_NAMES = {"segment": N_("Segment"), "region": N_("Region"), "tier": N_("Tier")}  # shown translated
Selection = tuple[tuple[str, tuple[str, ...]], ...]  # (column, accepted values); hashable, so a cache key


def filter_controls(places, options: dict[str, list[str]]) -> Selection:
    """One "All"-by-default multiselect per column of ``options`` (column → values), each in its
    place (Streamlit containers or columns), keyed ``filter:<column>``. The columns left at "All"
    are not in the selection: all accounts is ``()`` on every page, one cache key."""
    chosen = []
    for place, (column, values) in zip(places, options.items(), strict=False):
        label = column_name(column)
        picked = place.multiselect(label, values, format_func=value_name, placeholder=_("All"), key=f"filter:{column}")
        if picked:
            chosen.append((column, tuple(picked)))
    return tuple(chosen)


def column_name(column: str) -> str:
    """A filter column as a label names it, in the run's language: ``segment`` → ``Segment``."""
    return _(COLUMN_NAMES[column]) if column in COLUMN_NAMES else column.capitalize()


def value_name(value: str) -> str:
    """A filter value as shown: the data's as they are, ``NOT_SET`` (empty) in the run's language."""
    return _(NOT_SET) if value == NOT_SET else value
