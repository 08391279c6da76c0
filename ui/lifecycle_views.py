"""The lifecycle signals of the live panel, shared by the Lifecycle page, the workshop deck and the
background preparation: measured once per data version, from the Overview's cached KPIs."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from b2b_core import lifecycle, overview
from ui import state


def _company_metrics(live: ir.Table, kpis: pd.DataFrame) -> pd.DataFrame:
    return lifecycle.company_metrics(live, kpis=kpis)


def metrics() -> pd.DataFrame:
    """``company_metrics`` of the live panel (its KPIs are those the Overview shows)."""
    return state.reduced(_company_metrics, kpis())


def kpis() -> pd.DataFrame:
    """``quarter_kpis`` of the live panel."""
    return state.reduced(overview.quarter_kpis)
