"""The filter row of the pages: one multiselect per attribute, as a cache-friendly selection."""

from __future__ import annotations

from b2b_core.i18n import N_, _

Selection = tuple[tuple[str, tuple[str, ...]], ...]  # (column, accepted values); hashable, so a cache key
ATTRIBUTE_NAMES = {"segment": N_("Segment"), "region": N_("Region"), "tier": N_("Tier"), "owner": N_("Owner")}


def attribute_name(column: str) -> str:
    """An account attribute's column as a label, in the run's language: ``segment`` → ``Segment``
    (a column without a name of its own capitalised)."""
    return _(ATTRIBUTE_NAMES[column]) if column in ATTRIBUTE_NAMES else column.capitalize()


def filter_controls(places, options: dict[str, list[str]]) -> Selection:
    """One "All"-by-default multiselect per column of ``options`` (column → values), each in its
    place (Streamlit containers or columns), keyed ``filter:<column>``. The columns left at "All"
    are not in the selection: all accounts is ``()`` on every page, one cache key."""
    chosen = (
        (
            column,
            tuple(place.multiselect(attribute_name(column), values, placeholder=_("All"), key=f"filter:{column}")),
        )
        for place, (column, values) in zip(places, options.items(), strict=False)
    )
    return tuple((column, values) for column, values in chosen if values)
