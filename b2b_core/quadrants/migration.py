"""How accounts moved between quadrants from one quarter to another, and what it was worth.

Each account active in either quarter has a state in both (see ``assign``): its quadrant,
``at the cut`` when tied with a cut point many accounts share, or ``no B-side revenue`` when it
cannot be placed, and otherwise

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

import ibis
import ibis.expr.types as ir
import pandas as pd

from b2b_core import engine, quarters
from b2b_core.quadrants.assign import ATTRIBUTES, NO_B_SIDE, PLACED, QUADRANTS, Cut, cut_rows

NEW, RETURNING, CHURNED = "new", "returning", "churned"
BEFORE_STATES = (*PLACED, NO_B_SIDE, NEW, RETURNING)
AFTER_STATES = (*PLACED, NO_B_SIDE, CHURNED)


MOVERS_SHOWN = 1_000  # movers a Migration keeps, the largest changes first; the rest are a download


@dataclass(frozen=True)
class Migration:
    """The movement between two quarters.

    ``cells``: one row per (``before``, ``after``) state pair of ``BEFORE_STATES`` ×
    ``AFTER_STATES`` (index), with ``accounts`` and the sums of ``platform_revenue_before/_after``
    and ``b_side_revenue_before/_after`` (currency units; NaN B-side revenue counts as 0).
    ``movers``: the accounts whose state changed, as ``migration_accounts`` rows with
    ``*_change`` (after − before) columns, sorted by the size of the platform revenue change
    (largest first) then by account id; at most ``MOVERS_SHOWN`` of them (``moved`` counts all).
    ``quadrant_movers``: the same for the accounts that changed quadrant (in a quadrant in both
    quarters: an account that reached or left a cut changed state, not quadrant).
    """

    from_quarter: str
    to_quarter: str
    cells: pd.DataFrame
    movers: pd.DataFrame
    quadrant_movers: pd.DataFrame

    @property
    def matrix(self) -> pd.DataFrame:
        """Accounts per (before, after) state."""
        return self._pivot("accounts")

    def revenue(self, when: str = "after") -> pd.DataFrame:
        """Platform revenue per (before, after) state, in ``from_quarter`` (``when="before"``) or
        ``to_quarter`` (``"after"``)."""
        return self._pivot(f"platform_revenue_{when}")

    @property
    def moved(self) -> int:
        """Accounts whose state changed."""
        changed = self.cells.index.get_level_values("before") != self.cells.index.get_level_values("after")
        return int(self.cells.loc[changed, "accounts"].sum())

    def _pivot(self, value: str) -> pd.DataFrame:
        table = self.cells[value].unstack("after").reindex(index=list(BEFORE_STATES), columns=list(AFTER_STATES))
        table.index = pd.CategoricalIndex(BEFORE_STATES, categories=list(BEFORE_STATES), name="before")
        table.columns = pd.CategoricalIndex(AFTER_STATES, categories=list(AFTER_STATES), name="after")
        return table


def quadrant_migration(
    panel: engine.Source,
    from_quarter: str,
    to_quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
    shown: int = MOVERS_SHOWN,
) -> Migration:
    """The movement of accounts between the quadrants of ``from_quarter`` and ``to_quarter``
    (each quarter cut by its own ``cut`` points, per ``by`` group, over all its accounts), for
    all accounts or only ``accounts``, with the ``shown`` largest movers. The engine counts and
    sums the cells and ranks the movers (``migration_rows``). Raises ``ValueError`` unless
    ``from_quarter`` comes before ``to_quarter``."""
    table, quarters_ = engine.table(panel), (from_quarter, to_quarter)
    # computed once into a temporary table: the cells and both lists of movers read it
    rows = engine.cached(migration_rows(table, from_quarter, to_quarter, cut, by, accounts))
    sums = {f"{r}_{w}": rows[f"{r}_{w}"].fill_null(0).sum() for w in ("before", "after") for r in _REVENUES}
    found = engine.run(rows.group_by(["before", "after"]).agg(accounts=rows.count(), **sums))
    index = pd.MultiIndex.from_product([list(BEFORE_STATES), list(AFTER_STATES)], names=["before", "after"])
    cells = found.set_index(["before", "after"]).reindex(index, fill_value=0)
    cells = cells.astype({"accounts": "int64"} | {c: float for c in sums})
    changed = _with_changes(rows.filter(rows.before != rows.after))
    between = changed.filter(changed.before.isin(QUADRANTS) & changed.after.isin(QUADRANTS))
    return Migration(
        from_quarter,
        to_quarter,
        cells,
        _largest_first(table, changed, shown, quarters_),
        _largest_first(table, between, shown, quarters_),
    )


def migration_accounts(
    panel: engine.Source,
    from_quarter: str,
    to_quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
) -> pd.DataFrame:
    """One row per account active in either quarter (of ``accounts`` only, if given), by
    account_id: ``account_id``, the descriptive attributes of its latest row, ``before`` and
    ``after`` states (categorical in ``BEFORE_STATES`` / ``AFTER_STATES``),
    ``platform_revenue_before/_after`` and ``b_side_revenue_before/_after`` (0 where not active,
    NaN where not reported). The download behind the migration, and its cells' evidence."""
    table = engine.table(panel)
    rows = migration_rows(table, from_quarter, to_quarter, cut, by, accounts)
    return _states(engine.run(with_attributes(table, rows, from_quarter, to_quarter).order_by("account_id")))


def migration_rows(
    panel: ir.Table, from_quarter: str, to_quarter: str, cut: Cut, by: str | None, accounts: pd.Index | None
) -> ir.Table:
    """The engine's part of the migration: the rows of ``migration_accounts`` without the accounts'
    attributes (``with_attributes`` adds them to the few rows that need them), states as text."""
    if quarters.to_ordinal(from_quarter) >= quarters.to_ordinal(to_quarter):
        raise ValueError(f"the migration runs forward in time: {from_quarter} must come before {to_quarter}")
    rows = cut_rows(panel, [from_quarter, to_quarter], cut, by)
    rows = rows.filter(rows.active)
    if accounts is not None:
        rows = rows.semi_join(engine.ids(accounts), "account_id")
    rows = rows.mutate(state=rows.quadrant.fill_null(NO_B_SIDE))

    def side(quarter: str, name: str) -> ir.Table:
        chosen = rows.filter(rows.quarter == quarter)
        return chosen.select(
            "account_id",
            **{f"state_{name}": chosen.state},
            **{f"{r}_{name}": chosen[r] for r in _REVENUES},
        )

    before, after = side(from_quarter, "before"), side(to_quarter, "after")
    both = before.outer_join(after, "account_id")
    account = both.account_id.fill_null(both.account_id_right)
    earlier = panel.filter(panel.active & (engine.quarter_ordinal(panel.quarter) < quarters.to_ordinal(from_quarter)))
    returning = earlier.select("account_id").distinct().mutate(returning=ibis.literal(True))
    in_before, in_after = both.state_before.notnull(), both.state_after.notnull()
    both = both.mutate(
        account_id=account,
        in_before=in_before,
        in_after=in_after,
        **{
            f"{r}_{w}": (in_before if w == "before" else in_after).ifelse(both[f"{r}_{w}"], 0.0)
            for r in _REVENUES
            for w in ("before", "after")
        },
    ).left_join(returning, "account_id")
    return both.select(
        "account_id",
        before=both.state_before.fill_null(both.returning.fill_null(False).ifelse(RETURNING, NEW)),
        after=both.state_after.fill_null(CHURNED),
        **{f"{r}_{w}": both[f"{r}_{w}"] for w in ("before", "after") for r in _REVENUES},
    )


_REVENUES = ("platform_revenue", "b_side_revenue")


def _with_changes(rows: ir.Table) -> ir.Table:
    return rows.mutate(**{f"{r}_change": rows[f"{r}_after"] - rows[f"{r}_before"] for r in _REVENUES})


def _largest_first(panel: ir.Table, rows: ir.Table, shown: int | None, quarters: tuple[str, str]) -> pd.DataFrame:
    def largest_first(table: ir.Table) -> ir.Table:
        return table.order_by([ibis.desc(table.platform_revenue_change.abs()), "account_id"])

    listed = with_attributes(panel, largest_first(rows).limit(shown), *quarters)
    return _states(engine.run(largest_first(listed)))  # a join does not keep the order


def with_attributes(panel: ir.Table, rows: ir.Table, from_quarter: str, to_quarter: str) -> ir.Table:
    """``rows`` of ``migration_rows`` with the descriptive ``ATTRIBUTES`` of each account's latest
    row of the two quarters (``to_quarter``'s when it is active then), after ``account_id``."""
    attributes = [c for c in ATTRIBUTES if c in panel.columns]
    if not attributes:
        return rows

    def side(quarter: str, name: str) -> ir.Table:
        chosen = panel.filter((panel.quarter == quarter) & panel.active)
        return chosen.select("account_id", **{f"{c}_{name}": chosen[c] for c in attributes})

    joined = rows.left_join(side(to_quarter, "after"), "account_id").left_join(
        side(from_quarter, "before"), "account_id"
    )
    in_after = joined.after != CHURNED
    latest = {c: in_after.ifelse(joined[f"{c}_after"], joined[f"{c}_before"]) for c in attributes}
    rest = [c for c in rows.columns if c != "account_id"]
    return joined.select("account_id", **latest, **{c: joined[c] for c in rest})


def _states(frame: pd.DataFrame) -> pd.DataFrame:
    """The states as categoricals, in the order of ``BEFORE_STATES`` / ``AFTER_STATES``."""
    frame["before"] = pd.Categorical(frame["before"], categories=list(BEFORE_STATES))
    frame["after"] = pd.Categorical(frame["after"], categories=list(AFTER_STATES))
    return frame.reset_index(drop=True)
