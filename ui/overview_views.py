"""The Overview's computations: the KPIs and the revenue bridge of the accounts the filters choose,
asked of the workspace's engine once per data version and choice, shared by every session.

The filters choose accounts by the attributes of their latest row, as on the quadrant page
(``quadrants.latest_matching``): an account that changed segment keeps its whole history, rather
than leaving one segment as churned and entering the other as new. All accounts is the empty
selection ``()``, whose KPIs are those the other pages share (``lifecycle_views.kpis``).
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


def kpis(selection: Selection) -> pd.DataFrame:
    """``quarter_kpis`` of the selection's accounts."""
    return state.reduced(_kpis, selection) if selection else lifecycle_views.kpis()


def _bridge(
    live: ir.Table, selection: Selection, revenue: str, by: str | None, observed: tuple[str, ...]
) -> pd.DataFrame:
    return overview.revenue_bridge(_selected(live, selection), revenue, by, observed)


def bridge(selection: Selection, revenue: str, by: str | None = None) -> pd.DataFrame:
    """``revenue_bridge`` of ``revenue`` for the selection's accounts over the workspace's quarters
    (a quarter the selection has no row in is bridged, not taken for a gap), by ``by`` if given."""
    return state.reduced(_bridge, selection, revenue, by, tuple(state.workspace().quarters()))
