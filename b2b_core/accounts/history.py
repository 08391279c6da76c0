"""One account's history: every quarter it has a row, with its revenues, whether it was active,
its quadrant (its quadrant path), its contract and its descriptive attributes."""

from __future__ import annotations

import pandas as pd

from b2b_core import engine
from b2b_core.accounts.lists import ATTRIBUTES, with_activity
from b2b_core.contract import NOT_SET
from b2b_core.quadrants.assign import INACTIVE, NO_B_SIDE, cut_rows

HISTORY_COLUMNS = (
    "quarter",
    "platform_revenue",
    "b_side_revenue",
    "active",
    "quadrant",
    "contract_value",
    "contract_end",
    *ATTRIBUTES,
)


def account_history(panel: engine.Source, account_id: str) -> pd.DataFrame:
    """One row per quarter in which ``account_id`` has a row, in time order: ``HISTORY_COLUMNS``
    the panel has. Revenues in currency units per quarter as reported (NaN where not reported);
    ``quadrant``: its place on the quadrant map of that quarter by the median cut points of the
    whole quarter (the quadrant page's default), ``at the cut``, ``no B-side revenue`` (active,
    not placed) or ``inactive``. Empty when the account has no row."""
    table = engine.table(panel)
    own = table.filter(table.account_id.cast("string") == str(account_id))
    seen = sorted(engine.run(own.select("quarter").distinct())["quarter"])
    if not seen:
        return pd.DataFrame(columns=[c for c in HISTORY_COLUMNS if c in table.columns or c == "quadrant"])
    rows = cut_rows(with_activity(table), seen)
    rows = rows.filter(rows.account_id.cast("string") == str(account_id))
    rows = rows.mutate(quadrant=rows.quadrant.fill_null(rows.active.fill_null(False).ifelse(NO_B_SIDE, INACTIVE)))
    history = engine.run(rows.select(*[c for c in HISTORY_COLUMNS if c in rows.columns]).order_by("quarter"))
    if "contract_end" in history.columns:
        history["contract_end"] = pd.to_datetime(history["contract_end"]).dt.date
    return history.reset_index(drop=True)


def attribute_spans(history: pd.DataFrame, column: str) -> list[tuple[str, str, str]]:
    """How ``column`` (owner, segment, tier …) of ``account_history`` changed: (value, first
    quarter, last quarter) of each run of quarters with one value, in time order; a missing value
    reads ``contract.NOT_SET``. ``[("Ann", "2025Q1", "2025Q2"), ("Bo", "2025Q3", "2025Q3")]``."""
    if column not in history.columns or history.empty:
        return []
    values = history[column].fillna(NOT_SET).astype(str)
    runs = (values != values.shift()).cumsum()
    return [
        (group.iloc[0], history.loc[group.index[0], "quarter"], history.loc[group.index[-1], "quarter"])
        for _, group in values.groupby(runs, sort=True)
    ]
