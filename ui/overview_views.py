"""The Overview's computations: the KPIs and the revenue bridge of the accounts the filters choose,
asked of the workspace's engine once per data version and choice, shared by every session.

The filters choose accounts by the attributes of their latest row, as on the quadrant page
(``quadrants.latest_matching``): an account that changed segment keeps its whole history, rather
than leaving one segment as churned and entering the other as new. All accounts is the empty
selection ``()``, whose KPIs are those the other pages share (``lifecycle_views.kpis``).

Any other selection's KPIs and bridges are sums over the groups of accounts it chooses
(``overview.group_sums``, asked of the engine once per data version): a filter change is a
selection and a sum in pandas over a frame of groups × quarters rows. With too many groups
(``overview.GROUP_LIMIT``) the engine computes each selection over the panel instead.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from b2b_core import overview, quadrants
from ui import lifecycle_views, state
from ui.filters import Selection


def _selected(live: ir.Table, selection: Selection) -> ir.Table:
    matching = quadrants.latest_matching(live, dict(selection))
    return live if matching is None else live.semi_join(matching, "account_id")


def _kpis(live: ir.Table, selection: Selection) -> pd.DataFrame:
    return overview.quarter_kpis(_selected(live, selection))


def group_sums() -> pd.DataFrame | None:
    """``overview.group_sums`` of the live panel over the workspace's quarters (None with too many groups)."""
    return state.reduced(overview.group_sums, tuple(state.quarters()))


def kpis(selection: Selection) -> pd.DataFrame:
    """``quarter_kpis`` of the selection's accounts."""
    if not selection:
        return lifecycle_views.kpis()
    sums = group_sums()
    return state.reduced(_kpis, selection) if sums is None else overview.chosen_kpis(sums, dict(selection))


def _bridge(
    live: ir.Table, selection: Selection, revenue: str, by: str | None, observed: tuple[str, ...]
) -> pd.DataFrame:
    return overview.revenue_bridge(_selected(live, selection), revenue, by, observed)


def bridge(selection: Selection, revenue: str, by: str | None = None) -> pd.DataFrame:
    """``revenue_bridge`` of ``revenue`` for the selection's accounts over the workspace's quarters
    (a quarter the selection has no row in is bridged, not taken for a gap), by ``by`` if given."""
    observed = tuple(state.quarters())
    sums = group_sums() if selection and by is None else None
    if sums is None:
        return state.reduced(_bridge, selection, revenue, by, observed)
    return overview.chosen_bridge(sums, dict(selection), revenue, observed)
