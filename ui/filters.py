"""The filter row of the pages: one multiselect per attribute, as a cache-friendly selection."""

from __future__ import annotations

from b2b_core.contract import NOT_SET
from b2b_core.i18n import N_, _
from ui import format as fmt

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
    chosen = []
    for place, (column, values) in zip(places, options.items(), strict=False):
        picked = place.multiselect(
            attribute_name(column),
            values,
            format_func=fmt.in_language(value_name),
            placeholder=_("All"),
            key=f"filter:{column}",
        )
        if picked:
            chosen.append((column, tuple(picked)))
    return tuple(chosen)


def value_name(value: str) -> str:
    """A filter value as shown: the data's as they are, ``NOT_SET`` (empty) in the run's language."""
    return _(NOT_SET) if value == NOT_SET else value
