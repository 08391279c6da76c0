"""How accounts moved between quadrants from one quarter to another, and what it was worth.

Each account active in either quarter has a state in both (see ``assign``): its quadrant, or
``no B-side revenue`` when it cannot be placed, and otherwise

* before (``from_quarter``): ``new`` if it was never active up to ``from_quarter``, ``returning``
  if it was active before but not in ``from_quarter``;
* after (``to_quarter``): ``churned`` if it is not active in ``to_quarter``.

Accounts active in neither quarter are not part of the movement. Every account counts once, so
the matrix conserves accounts: its row sums are the accounts active in ``from_quarter`` plus the
new and returning ones, its column sums the accounts active in ``to_quarter`` plus the churned.
Revenue is platform revenue (currency units per quarter): before in ``from_quarter``, after in
``to_quarter``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from b2b_core import quarters
from b2b_core.quadrants.assign import ATTRIBUTES, INACTIVE, NO_B_SIDE, QUADRANTS, Cut, assign_quadrants

NEW, RETURNING, CHURNED = "new", "returning", "churned"
BEFORE_STATES = (*QUADRANTS, NO_B_SIDE, NEW, RETURNING)
AFTER_STATES = (*QUADRANTS, NO_B_SIDE, CHURNED)


@dataclass(frozen=True)
class Migration:
    """The movement between two quarters.

    ``accounts``: one row per account active in either quarter, with ``account_id``, the
    descriptive attributes of its latest row, ``before`` and ``after`` states (categorical in
    ``BEFORE_STATES`` / ``AFTER_STATES``), ``platform_revenue_before/_after``,
    ``b_side_revenue_before/_after`` (0 where not active, NaN where not reported). ``matrix`` (accounts) and ``revenue``
    (platform revenue before → after, summed per cell) are ``BEFORE_STATES`` × ``AFTER_STATES``.
    """

    from_quarter: str
    to_quarter: str
    accounts: pd.DataFrame

    @property
    def matrix(self) -> pd.DataFrame:
        """Accounts per (before, after) state."""
        return self._pivot(None)

    def revenue(self, when: str = "after") -> pd.DataFrame:
        """Platform revenue per (before, after) state, in ``from_quarter`` (``when="before"``) or
        ``to_quarter`` (``"after"``)."""
        return self._pivot(f"platform_revenue_{when}")

    def _pivot(self, value: str | None) -> pd.DataFrame:
        grouped = self.accounts.groupby(["before", "after"], observed=False)
        cells = grouped.size() if value is None else grouped[value].sum()
        return cells.unstack("after").reindex(index=list(BEFORE_STATES), columns=list(AFTER_STATES), fill_value=0)


def quadrant_migration(
    panel: pd.DataFrame,
    from_quarter: str,
    to_quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
) -> Migration:
    """The movement of accounts between the quadrants of ``from_quarter`` and ``to_quarter``
    (each quarter cut by its own ``cut`` points, per ``by`` group, over all its accounts), for
    all accounts or only ``accounts``. Raises ``ValueError`` unless ``from_quarter`` comes
    before ``to_quarter``."""
    if quarters.to_ordinal(from_quarter) >= quarters.to_ordinal(to_quarter):
        raise ValueError(f"the migration runs forward in time: {from_quarter} must come before {to_quarter}")
    before = assign_quadrants(panel, from_quarter, cut, by, accounts)
    after = assign_quadrants(panel, to_quarter, cut, by, accounts)
    before = before[before["quadrant"] != INACTIVE]
    after = after[after["quadrant"] != INACTIVE]
    codes, ids = pd.factorize(
        np.concatenate([before["account_id"].to_numpy(dtype=object), after["account_id"].to_numpy(dtype=object)])
    )
    in_before, in_after = codes[: len(before)], codes[len(before) :]

    state_before = np.full(len(ids), NEW, dtype=object)
    state_before[in_before] = before["quadrant"].to_numpy(dtype=object)
    absent_before = np.ones(len(ids), dtype=bool)
    absent_before[in_before] = False
    if absent_before.any():
        state_before[absent_before & _active_earlier(panel, pd.Index(ids), from_quarter)] = RETURNING
    state_after = np.full(len(ids), CHURNED, dtype=object)
    state_after[in_after] = after["quadrant"].to_numpy(dtype=object)

    accounts = pd.DataFrame({"account_id": ids})
    latest = np.empty(len(ids), dtype=np.intp)  # each account's row in before + after, the after row winning
    latest[in_before] = np.arange(len(before))
    latest[in_after] = len(before) + np.arange(len(after))
    for column in [c for c in after.columns if c in ATTRIBUTES]:
        accounts[column] = np.concatenate([before[column].to_numpy(), after[column].to_numpy()])[latest]
    accounts["before"] = pd.Categorical(state_before, categories=list(BEFORE_STATES))
    accounts["after"] = pd.Categorical(state_after, categories=list(AFTER_STATES))
    for name, side, where in (("before", before, in_before), ("after", after, in_after)):
        for revenue in ("platform_revenue", "b_side_revenue"):
            values = np.zeros(len(ids))  # 0 where not active; NaN stays NaN (B-side revenue not reported)
            values[where] = side[revenue].to_numpy(dtype=float)
            accounts[f"{revenue}_{name}"] = values
    return Migration(from_quarter, to_quarter, accounts)


def _active_earlier(panel: pd.DataFrame, ids: pd.Index, quarter: str) -> np.ndarray:
    """Per id: active in some quarter before ``quarter``."""
    earlier = quarters.ordinals_of(panel["quarter"]) < quarters.to_ordinal(quarter)
    return ids.isin(panel.loc[earlier & panel["active"].to_numpy(dtype=bool), "account_id"].unique())


def movers(migration: Migration) -> pd.DataFrame:
    """The accounts whose state changed, with ``before`` → ``after``, their attributes, platform
    and B-side revenue before, after and ``*_change`` (after − before), sorted by the size of the
    platform revenue change (largest first), then by account id."""
    moved = migration.accounts[
        migration.accounts["before"].astype(str).to_numpy() != migration.accounts["after"].astype(str).to_numpy()
    ].copy()
    for revenue in ("platform_revenue", "b_side_revenue"):
        moved[f"{revenue}_change"] = moved[f"{revenue}_after"] - moved[f"{revenue}_before"]
    order = np.lexsort((moved["account_id"].to_numpy(), -moved["platform_revenue_change"].abs().to_numpy()))
    return moved.iloc[order].reset_index(drop=True)
