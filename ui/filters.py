"""The filter row of the pages: one multiselect per attribute, as a cache-friendly selection."""

from __future__ import annotations

Selection = tuple[tuple[str, tuple[str, ...]], ...]  # (column, accepted values); hashable, so a cache key


def filter_controls(places, options: dict[str, list[str]]) -> Selection:
    """One "All"-by-default multiselect per column of ``options`` (column → values), each in its
    place (Streamlit containers or columns), keyed ``filter:<column>``. The columns left at "All"
    are not in the selection: all accounts is ``()`` on every page, one cache key."""
    chosen = (
        (column, tuple(place.multiselect(column.capitalize(), values, placeholder="All", key=f"filter:{column}")))
        for place, (column, values) in zip(places, options.items(), strict=False)
    )
    return tuple((column, values) for column, values in chosen if values)
