"""Placing each account of a quarter in a revenue quadrant (DESIGN §5).

x = the account's B-side revenue, y = the platform's revenue from it, both for the quarter in
currency units. An axis is **high** when the value is strictly above the cut point of that axis,
so an account exactly at the cut (for example at the median) counts as low. Quadrants follow the
chart: Q1 top right (both high), Q2 top left (platform high only), Q3 bottom left (both low), Q4
bottom right (B-side high only).

Every row of the quarter gets a state, none is dropped: ``Q1`` … ``Q4`` for active accounts with
both revenues; ``no B-side revenue`` for active accounts whose B-side revenue is missing (they
cannot be placed); ``inactive`` for rows not active that quarter. Zero revenue on an axis is a
valid value (low, unless the cut is below 0) and is flagged in ``zero_b_side`` /
``zero_platform`` (placed accounts only), since a log-scaled chart cannot draw it.

Cut points are computed over the placed accounts of the quarter, per group when ``by`` is given:
``"median"``, ``"mean"``, ``("percentile", p)`` with 0 ≤ p ≤ 100, or fixed ``("value", x, y)``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import contract, quarters

QUADRANTS = ("Q1", "Q2", "Q3", "Q4")
NO_B_SIDE = "no B-side revenue"
INACTIVE = "inactive"
STATES = (*QUADRANTS, NO_B_SIDE, INACTIVE)
Cut = str | tuple  # "median" | "mean" | ("percentile", p) | ("value", x, y)
MIN_GROUP = 10  # placed accounts a group needs for cut points of its own
POSITIONS = {  # where each quadrant sits, by the chart's convention (x = B-side, y = platform revenue)
    "Q1": "B-side revenue high, platform revenue high",
    "Q2": "B-side revenue low, platform revenue high",
    "Q3": "B-side revenue low, platform revenue low",
    "Q4": "B-side revenue high, platform revenue low",
}
ATTRIBUTES = ("account_name", "segment", "region", "tier", "owner", "contract_value")


def _number(value: object) -> bool:
    """A finite real number (numpy scalars included, booleans not)."""
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, (bool, np.bool_))
        and (bool(np.isfinite(value)))
    )


def check_cut(cut: Cut) -> None:
    """Raise ``ValueError`` saying what to pass if ``cut`` is not a known cut rule."""
    if isinstance(cut, str) and cut in ("median", "mean"):
        return
    if isinstance(cut, tuple) and len(cut) == 2 and cut[0] == "percentile":
        if _number(cut[1]) and 0 <= cut[1] <= 100:
            return
        raise ValueError(f"a percentile cut needs 0 ≤ p ≤ 100, not {cut[1]!r}")
    if isinstance(cut, tuple) and len(cut) == 3 and cut[0] == "value":
        if all(_number(v) for v in cut[1:]):
            return
        raise ValueError(f"a value cut needs two finite numbers (B-side, platform), not {cut[1:]!r}")
    raise ValueError(f'cut must be "median", "mean", ("percentile", p) or ("value", x, y), not {cut!r}')


def assign_quadrants(
    panel: pd.DataFrame,
    quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
) -> pd.DataFrame:
    """One row per account with a row in ``quarter``, in panel order.

    Columns: ``account_id``; the descriptive ``ATTRIBUTES`` and custom metrics the panel has;
    ``b_side_revenue``, ``platform_revenue``, ``take_rate`` (platform / B-side, NaN when B-side is
    0 or missing); ``quadrant`` (one of ``STATES``, categorical); ``x_cut``, ``y_cut`` (the cut
    points that applied to the account, NaN for accounts not placed); ``zero_b_side``,
    ``zero_platform``. With ``by``, a group of fewer than ``MIN_GROUP`` placed accounts is cut
    by the whole quarter's points (one account would otherwise sit exactly on its own cut). With
    ``accounts``, only those accounts' rows are returned, placed by the cut points of the whole
    quarter: a filter chooses whom to show, not where the lines are. Raises ``ValueError`` for an
    unknown cut or ``by`` column.
    """
    check_cut(cut)
    if by is not None and by not in panel.columns:
        raise ValueError(f"cannot cut by {by!r}: the panel has no such column")
    rows = panel[panel["quarter"].to_numpy() == quarter]
    keep = ["account_id", *(c for c in ATTRIBUTES if c in rows.columns), *contract.custom_metrics(rows)]
    frame = rows[keep].reset_index(drop=True)
    x = rows["b_side_revenue"].to_numpy(dtype=float, na_value=np.nan)
    y = rows["platform_revenue"].to_numpy(dtype=float, na_value=np.nan)
    active = rows["active"].to_numpy(dtype=bool)
    placed = active & ~np.isnan(x) & ~np.isnan(y)

    x_cut, y_cut = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
    if placed.any():
        x_cut[placed], y_cut[placed] = _cut_points(x[placed], y[placed], cut)
    if by is not None:
        groups = pd.factorize(rows[by].astype(object).fillna(""))[0]
        for group in np.unique(groups[placed]):
            members = placed & (groups == group)
            if members.sum() >= MIN_GROUP:
                x_cut[members], y_cut[members] = _cut_points(x[members], y[members], cut)

    with np.errstate(invalid="ignore"):
        high_x, high_y = x > x_cut, y > y_cut
    # codes into STATES: Q1 0, Q2 1, Q3 2, Q4 3, no B-side 4, inactive 5
    codes = np.where(high_y, np.where(high_x, 0, 1), np.where(high_x, 3, 2))
    codes = np.where(placed, codes, np.where(active, 4, 5))
    frame["b_side_revenue"] = x
    frame["platform_revenue"] = y
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["take_rate"] = np.where(x > 0, y / x, np.nan)
    frame["quadrant"] = pd.Categorical.from_codes(codes, categories=list(STATES))
    frame["x_cut"], frame["y_cut"] = x_cut, y_cut
    frame["zero_b_side"], frame["zero_platform"] = placed & (x == 0), placed & (y == 0)
    if accounts is not None:
        frame = frame[frame["account_id"].isin(accounts)].reset_index(drop=True)
    return frame


def _cut_points(x: np.ndarray, y: np.ndarray, cut: Cut) -> tuple[float, float]:
    if cut == "median":
        return float(np.median(x)), float(np.median(y))
    if cut == "mean":
        return float(x.mean()), float(y.mean())
    if cut[0] == "percentile":
        return float(np.percentile(x, cut[1])), float(np.percentile(y, cut[1]))
    return float(cut[1]), float(cut[2])


def median_take_rate(assigned: pd.DataFrame) -> float:
    """Median take rate of the placed accounts with B-side revenue > 0 (NaN if none): the slope
    of the chart's reference line y = take rate × x."""
    rates = assigned.loc[assigned["quadrant"].isin(QUADRANTS), "take_rate"].dropna()
    return float(rates.median()) if len(rates) else float("nan")


def accounts_matching(panel: pd.DataFrame, selection: dict[str, list[str]] | None = None) -> pd.Index | None:
    """The ids of the accounts whose attributes on their latest row match ``selection`` (column →
    accepted values; an empty list or a missing column accepts all), or None when nothing is
    selected (all accounts). Judging each account by one row keeps an account that changed
    segment from leaving one quarter's map and entering the next as if it had churned."""
    selection = {c: v for c, v in (selection or {}).items() if v and c in panel.columns}
    if not selection:
        return None
    order = quarters.ordinals_of(panel["quarter"])
    latest = panel.iloc[np.argsort(order, kind="stable")].drop_duplicates("account_id", keep="last")
    keep = np.ones(len(latest), dtype=bool)
    for column, accepted in selection.items():
        keep &= latest[column].isin(accepted).to_numpy()
    return pd.Index(latest.loc[keep, "account_id"])


def placed_rows(
    panel: ir.Table, quarters: list[str] | None = None, cut: Cut = "median", by: str | None = None
) -> ir.Table:
    """The engine's placement: one row per placed account and quarter (of ``quarters``, or all),
    columns ``account_id``, ``quarter``, ``b_side_revenue``, ``platform_revenue``, ``x_cut``,
    ``y_cut`` and ``quadrant`` (``Q1`` … ``Q4``), by the rules of ``assign_quadrants``: cut points
    over the placed accounts of the quarter, or of the group of ``by`` when it has at least
    ``MIN_GROUP`` of them; high means strictly above the cut."""
    check_cut(cut)
    if by is not None and by not in panel.columns:
        raise ValueError(f"cannot cut by {by!r}: the panel has no such column")
    rows = panel if quarters is None else panel.filter(panel.quarter.isin(list(quarters)))
    rows = rows.filter(rows.active & rows.b_side_revenue.notnull() & rows.platform_revenue.notnull())
    group = [] if by is None else [rows[by].cast("string").fill_null("").name("cut_group")]
    placed = rows.select("account_id", "quarter", "b_side_revenue", "platform_revenue", *group)
    if isinstance(cut, tuple) and cut[0] == "value":  # the same fixed points for every quarter and group
        placed = placed.mutate(x_cut=ibis.literal(float(cut[1])), y_cut=ibis.literal(float(cut[2])))
    else:
        cuts = placed.group_by("quarter").agg(**_cut_expressions(placed, cut))
        placed = placed.left_join(cuts, "quarter").drop("quarter_right")
    if by is not None and not (isinstance(cut, tuple) and cut[0] == "value"):
        own = placed.group_by(["quarter", "cut_group"]).agg(
            members=placed.count(), **{f"own_{k}": v for k, v in _cut_expressions(placed, cut).items()}
        )
        placed = placed.left_join(own, ["quarter", "cut_group"])
        enough = placed.members >= MIN_GROUP
        placed = placed.mutate(
            x_cut=enough.ifelse(placed.own_x_cut, placed.x_cut), y_cut=enough.ifelse(placed.own_y_cut, placed.y_cut)
        ).select("account_id", "quarter", "b_side_revenue", "platform_revenue", "x_cut", "y_cut")
    high_x, high_y = placed.b_side_revenue > placed.x_cut, placed.platform_revenue > placed.y_cut
    quadrant = ibis.cases((high_y & high_x, "Q1"), (high_y, "Q2"), (high_x, "Q4"), else_="Q3")
    return placed.mutate(quadrant=quadrant)


def _cut_expressions(placed: ir.Table, cut: Cut) -> dict[str, ir.FloatingScalar]:
    """``x_cut`` and ``y_cut`` as aggregates of the placed rows, for a median, mean or percentile
    cut (numpy's linear percentile is DuckDB's ``quantile_cont``)."""
    x, y = placed.b_side_revenue, placed.platform_revenue
    if cut == "mean":
        return {"x_cut": x.mean(), "y_cut": y.mean()}
    share = 0.5 if cut == "median" else cut[1] / 100
    return {"x_cut": x.quantile(share), "y_cut": y.quantile(share)}
