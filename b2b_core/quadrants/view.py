"""One quarter of the quadrant map at any size: the counts of every state, and the accounts drawn.

A browser draws a few thousand markers at once, not a million, and a laptop without a graphics
card (or a projector's) draws each one on the CPU. ``quarter_view`` draws every placed account up
to ``MAX_POINTS``; above that it draws a sample that keeps the accounts a user looks for, and the
density of all placed accounts as a grid of cells under the markers:

* the ``TOP_ACCOUNTS`` largest accounts on each axis, and the smallest few with revenue above 0
  on each axis (so the axes span every account);
* every account of ``keep`` (the movers the map rings);
* the rest drawn at random within each placed state (quadrant or at the cut; a fixed order by a
  hash of the account id, ``draw_order``, so the same accounts are drawn on every visit and by
  every engine), each in proportion to its accounts.

Counts, cut points and the median take rate are those of every placed account of the
selection, whatever is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine
from b2b_core.quadrants.assign import (
    INACTIVE,
    NO_B_SIDE,
    PLACED,
    STATES,
    Cut,
    as_assigned,
    assign_quadrants,
    assigned_rows,
    is_placed,
    placed_rows,
)

MAX_POINTS = 500  # markers the map draws besides ``keep``: ~0.13 ms each for Chromium to draw on a page, on a CPU
TOP_ACCOUNTS = 100  # the largest accounts on each axis are always drawn
DENSITY_BINS = 60  # cells per axis of the density layer


@dataclass(frozen=True)
class Density:
    """Placed accounts per cell of a ``DENSITY_BINS`` × ``DENSITY_BINS`` grid spanning both axes.

    ``x_edges``, ``y_edges``: the ``DENSITY_BINS`` + 1 cell edges in currency units (B-side and
    platform revenue), evenly spaced in log10 units on log axes; ``accounts``: placed accounts per
    cell, one row per y cell (lowest first) and one column per x cell. On log axes
    (``zero_cells``) the grid has one more row and column first: the accounts with zero revenue on
    that axis, which the map draws on the axis floor.
    """

    x_edges: np.ndarray
    y_edges: np.ndarray
    accounts: np.ndarray
    zero_cells: bool

    @property
    def total(self) -> int:
        """Accounts in all cells."""
        return int(self.accounts.sum())


@dataclass(frozen=True)
class QuarterView:
    """What the quadrant page shows of one quarter.

    ``states``: accounts of the selection per state (``STATES``), with a row in the quarter.
    ``drawn``: ``assign_quadrants`` rows of the placed accounts the map draws (all of them when
    ``placed`` ≤ the limit). ``zero``: placed accounts with zero revenue on an axis;
    ``positive_b_side``: whether any placed account has B-side revenue above 0; ``take_rate``:
    median take rate of the placed accounts (NaN without one). ``density``: with a sample, the
    ``Density`` of every placed account; else None.
    """

    quarter: str
    states: pd.Series
    drawn: pd.DataFrame
    zero: int
    positive_b_side: bool
    take_rate: float
    density: Density | None

    @property
    def placed(self) -> int:
        """Placed accounts of the selection (in Q1 … Q4 or at the cut)."""
        return int(self.states[list(PLACED)].sum())

    @property
    def sampled(self) -> bool:
        """True when the map draws a sample of the placed accounts."""
        return len(self.drawn) < self.placed


def quarter_view(
    panel: engine.Source,
    quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
    *,
    keep: pd.Index | None = None,
    log_axes: bool = True,
    max_points: int = MAX_POINTS,
) -> QuarterView:
    """The ``QuarterView`` of ``quarter`` (``cut``, ``by``, ``accounts`` as ``assign_quadrants``),
    drawing at most ``max_points`` accounts plus those of ``keep``."""
    table = engine.table(panel)
    placed = placed_rows(table, [quarter], cut, by)
    rows = table.filter(table.quarter == quarter)
    if accounts is not None:
        chosen = engine.ids(accounts)
        placed, rows = placed.semi_join(chosen, "account_id"), rows.semi_join(chosen, "account_id")
    states = _states(rows, placed)
    facts = engine.run(
        placed.aggregate(
            zero=((placed.b_side_revenue == 0) | (placed.platform_revenue == 0)).sum(),
            positive_b_side=(placed.b_side_revenue > 0).sum(),
            take_rate=(placed.platform_revenue / placed.b_side_revenue).quantile(0.5, where=placed.b_side_revenue > 0),
        )
    ).iloc[0]
    total = int(states[list(PLACED)].sum())
    density = None
    if total > max_points:
        drawn_ids = engine.run(_sample(placed, states, max_points, keep).select("account_id"))["account_id"]
        drawn = assign_quadrants(table, quarter, cut, by, pd.Index(drawn_ids))
        density = _density(placed, log_axes)
    else:
        drawn = assign_quadrants(table, quarter, cut, by, accounts)
    drawn = drawn[drawn["quadrant"].isin(PLACED)].reset_index(drop=True)
    return QuarterView(
        quarter,
        states,
        drawn,
        int(facts["zero"] or 0),
        bool(facts["positive_b_side"]),
        float(facts["take_rate"]) if pd.notna(facts["take_rate"]) else float("nan"),
        density,
    )


def _states(rows: ir.Table, placed: ir.Table) -> pd.Series:
    """Accounts per state: the placed states from the placed rows, the rest from the quarter's rows."""
    quadrant = engine.run(placed.group_by("quadrant").agg(accounts=placed.count()))
    others = engine.run(
        rows.filter(~(rows.active & rows.b_side_revenue.notnull() & rows.platform_revenue.notnull()))
        .mutate(state=rows.active.ifelse(NO_B_SIDE, INACTIVE))
        .group_by("state")
        .agg(accounts=ibis._.count())
    )
    counts = pd.concat([quadrant.set_index("quadrant")["accounts"], others.set_index("state")["accounts"]])
    return counts.reindex(list(STATES), fill_value=0).astype("int64").rename("accounts")


def _sample(placed: ir.Table, states: pd.Series, max_points: int, keep: pd.Index | None) -> ir.Table:
    """The placed accounts to draw: the largest and smallest on each axis, ``keep``, and a share
    of each placed state in a fixed pseudo-random order, up to about ``max_points`` in all."""
    random_share = max(max_points - 2 * TOP_ACCOUNTS, max_points // 2)  # the top accounts mostly overlap
    fraction = random_share / max(int(states[list(PLACED)].sum()), 1)
    quotas = {q: int(np.ceil(states[q] * fraction)) for q in PLACED}
    ranked = placed.mutate(  # ties in revenue ranked by id: the same accounts on every engine
        by_quadrant=ibis.row_number().over(group_by="quadrant", order_by=draw_order(placed.account_id)),
        top_x=ibis.row_number().over(order_by=[ibis.desc("b_side_revenue"), "account_id"]),
        top_y=ibis.row_number().over(order_by=[ibis.desc("platform_revenue"), "account_id"]),
        low_x=ibis.row_number().over(order_by=[(placed.b_side_revenue <= 0), "b_side_revenue", "account_id"]),
        low_y=ibis.row_number().over(order_by=[(placed.platform_revenue <= 0), "platform_revenue", "account_id"]),
    )
    quota = ibis.cases(*((ranked.quadrant == q, n) for q, n in quotas.items()), else_=0)
    chosen = (
        (ranked.by_quadrant < quota)
        | (ranked.top_x < TOP_ACCOUNTS)
        | (ranked.top_y < TOP_ACCOUNTS)
        | (ranked.low_x < 5)
        | (ranked.low_y < 5)
    )
    if keep is not None and len(keep):
        chosen = chosen | ranked.account_id.isin(engine.ids(keep).account_id)
    return ranked.filter(chosen)


def draw_order(account_id: ir.StringValue) -> ir.StringValue:
    """A fixed pseudo-random order of accounts, the same on every engine: the MD5 digest of the id,
    in hex (each engine's own ``hash`` differs: DuckDB's and Spark's draw other accounts)."""
    return account_id.hexdigest("md5")


def _density(placed: ir.Table, log_axes: bool) -> Density | None:
    """The ``Density`` of the placed accounts (on log axes in log10 units of the positive values,
    zeros in cells of their own), or None when an axis has nothing to span."""
    columns = {"x": placed.b_side_revenue, "y": placed.platform_revenue}
    bounds = engine.run(
        placed.aggregate(
            **{f"{a}_low": (v.min(where=v > 0) if log_axes else v.min()) for a, v in columns.items()},
            **{f"{a}_high": v.max() for a, v in columns.items()},
        )
    ).iloc[0]
    if bounds.isna().any():
        return None
    scale = np.log10 if log_axes else (lambda v: v)
    grid = {}
    for axis, value in columns.items():
        low, high = float(scale(bounds[f"{axis}_low"])), float(scale(bounds[f"{axis}_high"]))
        width = (high - low) / DENSITY_BINS or 1.0
        cell = ((value.log10() if log_axes else value) - low) / width
        cell = cell.floor().clip(0, DENSITY_BINS - 1).cast("int64")
        grid[axis] = (low, width, (value > 0).ifelse(cell + 1, 0) if log_axes else cell)
    cells = engine.run(
        placed.mutate(x_cell=grid["x"][2], y_cell=grid["y"][2])
        .group_by(["x_cell", "y_cell"])
        .agg(accounts=ibis._.count())
    )
    size = DENSITY_BINS + 1 if log_axes else DENSITY_BINS
    accounts = np.zeros((size, size), dtype="int64")
    accounts[cells["y_cell"].to_numpy(), cells["x_cell"].to_numpy()] = cells["accounts"].to_numpy()
    edges = {}
    for axis in ("x", "y"):
        low, width, _ = grid[axis]
        edge = low + np.arange(DENSITY_BINS + 1) * width
        edges[axis] = 10**edge if log_axes else edge
    return Density(edges["x"], edges["y"], accounts, zero_cells=log_axes)


PLAY_THROUGH_ACCOUNTS = 2_000  # an animation of more markers stutters in the browser


def play_through_frames(
    panel: engine.Source,
    quarters: list[str],
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
    max_accounts: int = PLAY_THROUGH_ACCOUNTS,
) -> tuple[dict[str, pd.DataFrame], int]:
    """(quarter → the placed ``assign_quadrants`` rows of the drawn accounts, for each of
    ``quarters`` with a placed account; the number of accounts placed in any of them). With more
    than ``max_accounts`` such accounts, the same ``max_accounts`` are drawn in every quarter, in a
    fixed pseudo-random order (``draw_order``). Which accounts are placed needs no cut
    point, so the count and the draw read the rows alone; the draw is the first ``max_accounts``
    of the distinct placed accounts in that order (the digest computed once per account, not once
    per row), a top-n the engine keeps as it reads."""
    table = engine.table(panel)
    rows = table.filter(table.quarter.isin(list(quarters)))
    placed = rows.filter(is_placed(rows))
    if accounts is not None:
        placed = placed.semi_join(engine.ids(accounts), "account_id")
    total = int(engine.run(placed.aggregate(accounts=placed.account_id.nunique()))["accounts"].iloc[0])
    drawn = accounts
    if total > max_accounts:
        ids = placed.select("account_id").distinct()
        first = ids.mutate(order=draw_order(ids.account_id)).order_by(["order", "account_id"]).limit(max_accounts)
        drawn = pd.Index(engine.run(first)["account_id"])
    rows, custom = assigned_rows(table, quarters, cut, by, drawn)  # every quarter in one query
    assigned = engine.run(rows.filter(rows.x_cut.notnull()).order_by(["quarter", "account_id"]))
    frames = {}
    for quarter, frame in assigned.groupby("quarter", sort=True):
        frames[quarter] = as_assigned(frame.drop(columns="quarter").reset_index(drop=True), custom)
    return frames, total
