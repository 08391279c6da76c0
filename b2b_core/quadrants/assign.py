"""Placing each account of a quarter in a revenue quadrant (DESIGN §5).

x = the account's B-side revenue, y = the platform's revenue from it, both for the quarter in
currency units. An axis is **high** when the value is strictly above the cut point of that axis,
so an account exactly at the cut (for example at the median) counts as low, unless the tie is
material (below). Quadrants follow the chart: Q1 top right (both high), Q2 top left (platform
high only), Q3 bottom left (both low), Q4 bottom right (B-side high only).

Every row of the quarter gets a state, none is dropped: ``Q1`` … ``Q4`` for active accounts with
both revenues; ``at the cut`` for such accounts tied with a cut point that many accounts share;
``no B-side revenue`` for active accounts whose B-side revenue is missing (they cannot be
placed); ``inactive`` for rows not active that quarter. The **placed** accounts, drawn on the map,
are those of ``PLACED``: in a quadrant or at the cut. Zero revenue on an axis is a valid value
(low, unless the cut is below 0) and is flagged in ``zero_b_side`` / ``zero_platform`` (placed
accounts only), since a log-scaled chart cannot draw it.

Cut points are computed over the placed accounts of the quarter, per group when ``by`` is given:
``"median"``, ``"mean"``, ``("percentile", p)`` with 0 ≤ p ≤ 100, or fixed ``("value", x, y)``.

**Ties.** An account is tied with the cut point c > 0 of an axis when its value v there is
within max(0.1% × c, 0.01) of it, |v − c| ≤ max(``TIE_SHARE`` × c, ``TIE_CENT``): the same
amount up to a cent of rounding, or up to one part in a thousand for amounts rounded coarser
(¥1 in ¥1,000), and no wider, so that accounts merely near the cut are not tied. A cut
point at or below 0 has no ties: nothing sits below it, and zero revenue is plainly low (when
the median account earns nothing, high means "earns anything"). A tie is **material** when the
tied accounts of an axis are at least ``MATERIAL_TIES`` (5%) of the placed accounts that cut
point applies to, and at least ``MIN_TIED`` (3) of them (a median of an odd number of accounts
always sits on one). The accounts a cut point applies to: the quarter's; with ``by``, each group
with points of its own, and the smaller groups together (they share the quarter's). An account
with a material tie on either axis is ``at the cut``: calling it low, say under-monetised in Q4,
would only repeat the tie. Immaterial ties stay low, as above. The other views (migration, mix,
clusters) count the accounts at the cut as placed accounts in a state of their own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine
from b2b_core.i18n import N_, _

QUADRANTS = ("Q1", "Q2", "Q3", "Q4")  # keys (data, playbook file, links); on screen by numeral and name
NUMERALS = {"Q1": "I", "Q2": "II", "Q3": "III", "Q4": "IV"}  # never Q1 … Q4: those read as calendar quarters
AT_CUT = "at the cut"
PLACED = (*QUADRANTS, AT_CUT)  # the states of the accounts on the map
NO_B_SIDE = "no B-side revenue"
INACTIVE = "inactive"
STATES = (*PLACED, NO_B_SIDE, INACTIVE)
Cut = str | tuple  # "median" | "mean" | ("percentile", p) | ("value", x, y)
MIN_GROUP = 10  # placed accounts a group needs for cut points of its own
POSITIONS = {  # where each quadrant sits by the chart's convention (x = B-side, y = platform revenue); `_` where shown
    "Q1": N_("B-side revenue high, platform revenue high"),
    "Q2": N_("B-side revenue low, platform revenue high"),
    "Q3": N_("B-side revenue low, platform revenue low"),
    "Q4": N_("B-side revenue high, platform revenue low"),
}
STATE_NAMES = {  # how the states that are no quadrant read (the keys stay English in data and links)
    AT_CUT: N_("at the cut"),
    NO_B_SIDE: N_("no B-side revenue"),
    INACTIVE: N_("inactive"),
    "new": N_("new"),
    "returning": N_("returning"),
    "churned": N_("churned"),
}
ATTRIBUTES = ("account_name", "segment", "region", "tier", "owner", "contract_value")
TIE_SHARE = 0.001  # of the cut point: a value this close to it is tied with it …
TIE_CENT = 0.01  # … or this close, in currency units, for a cut point below 10
MATERIAL_TIES = 0.05  # of the placed accounts a cut point applies to: ties this many are material …
MIN_TIED = 3  # … and at least this many accounts
AXES = ("b_side_revenue", "platform_revenue")  # x and y


def numeral(quadrant: str) -> str:
    """The roman numeral a quadrant is written with where a number is needed (``"Q4"`` → ``"IV"``),
    so that it is never read as a calendar quarter such as 2026Q4; other states unchanged."""
    return NUMERALS.get(quadrant, quadrant)


def state_name(state: object) -> object:
    """A state that is no quadrant (``at the cut``, ``new``, ``churned`` …) in the run's language
    (``STATE_NAMES``); anything else unchanged."""
    return _(STATE_NAMES[state]) if isinstance(state, str) and state in STATE_NAMES else state


def named_states(states: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """``states`` (placed states, text or categorical) with each quadrant key written as ``names``
    maps it (``NUMERALS``, or ``Playbook.labels``: ``"Q4"`` → ``"IV · Under-monetised"``), the
    other states as ``state_name`` writes them; other values unchanged. A categorical column
    renames its categories (a million rows in a blink)."""
    written = {**{state: state_name(state) for state in STATE_NAMES}, **names}
    if isinstance(states.dtype, pd.CategoricalDtype):
        return states.cat.rename_categories(lambda state: written.get(state, state))
    return states.map(written).where(states.isin(list(written)), states)


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
    panel: engine.Source,
    quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
) -> pd.DataFrame:
    """One row per account with a row in ``quarter``, by account_id.

    Columns: ``account_id``; the descriptive ``ATTRIBUTES`` and custom metrics the panel has
    (a custom metric with no value in the quarter is left out); ``b_side_revenue``,
    ``platform_revenue``, ``take_rate`` (platform / B-side, NaN when B-side is 0 or missing);
    ``quadrant`` (one of ``STATES``, categorical); ``x_cut``, ``y_cut`` (the cut points that
    applied to the account, NaN for accounts not placed); ``zero_b_side``, ``zero_platform``. With
    ``by``, a group of fewer than ``MIN_GROUP`` placed accounts is cut by the whole quarter's
    points (one account would otherwise sit exactly on its own cut). With ``accounts``, only those
    accounts' rows are returned, placed by the cut points of the whole quarter: a filter chooses
    whom to show, not where the lines are. Raises ``ValueError`` for an unknown cut or ``by``
    column. The engine places the accounts (``cut_rows``) and returns the quarter's rows.
    """
    rows, custom = assigned_rows(panel, quarter, cut, by, accounts)
    frame = engine.run(rows.order_by("account_id"))
    return as_assigned(frame, custom)


def assign_quadrants_in_parts(
    panel: engine.Source,
    quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
    *,
    limit: int,
    part_rows: int = 100_000,
) -> tuple[int, Iterator[pd.DataFrame]]:
    """``assign_quadrants`` for a download of any size: (the accounts it has; its rows in parts of
    ``part_rows``, never all in pandas at once). Up to ``limit`` accounts the parts hold them all,
    by account_id; beyond it, the ``limit`` with the largest platform revenue, largest first (ties
    by id). A custom metric with no value in the quarter is left out, as there. Read the parts
    where the engine is open (``engine.run_in_parts``)."""
    rows, custom = assigned_rows(panel, quarter, cut, by, accounts)
    counts = engine.run(rows.aggregate(accounts=rows.count(), **{c: rows[c].count() for c in custom})).iloc[0]
    empty = [c for c in custom if not counts[c]]
    total = int(counts["accounts"])
    ordered = largest_first(rows, total, limit)
    parts = (as_assigned(part.drop(columns=empty), []) for part in engine.run_in_parts(ordered, part_rows))
    return total, parts


def largest_first(rows: ir.Table, total: int, limit: int) -> ir.Table:
    """A download's rows: all of them by account_id when the ``total`` fits in ``limit``, else the
    ``limit`` with the largest platform revenue, largest first (ties by id)."""
    if total <= limit:
        return rows.order_by("account_id")
    return rows.order_by([ibis.desc("platform_revenue"), "account_id"]).limit(limit)


def assigned_rows(
    panel: engine.Source,
    quarter: str | list[str],
    cut: Cut,
    by: str | None,
    accounts: pd.Index | None,
    *,
    attributes: bool = True,
) -> tuple[ir.Table, list[str]]:
    """The rows ``assign_quadrants`` returns, as the engine gives them (``state``: the position in
    ``STATES``), unordered; and the panel's custom metrics. For a list of quarters, those of each
    quarter (each cut by its own points), with a ``quarter`` column first. Without ``attributes``,
    no ``ATTRIBUTES`` column (names and groups: most of the memory of many rows in pandas)."""
    table = engine.table(panel)
    several = isinstance(quarter, list)
    rows = cut_rows(table, quarter if several else [quarter], cut, by)
    if accounts is not None:
        rows = rows.semi_join(engine.ids(accounts), "account_id")
    custom = engine.custom_metrics(table)
    described = [c for c in ATTRIBUTES if c in table.columns] if attributes else []
    keep = [*(["quarter"] if several else []), "account_id", *described, *custom]
    state = ibis.cases(  # the position in STATES: a number crosses to pandas faster than a text
        *((rows.quadrant == q, i) for i, q in enumerate(PLACED)),
        (rows.active, STATES.index(NO_B_SIDE)),
        else_=STATES.index(INACTIVE),
    )
    return rows.select(*keep, "b_side_revenue", "platform_revenue", "x_cut", "y_cut", state=state), custom


def as_assigned(frame: pd.DataFrame, custom: list[str]) -> pd.DataFrame:
    """Rows of ``assigned_rows`` as ``assign_quadrants`` returns them: the metrics of ``custom``
    with no value in ``frame`` left out, then revenues, take rate, the state's name, the cuts and
    the zero flags last."""
    frame = frame.drop(columns=[c for c in custom if frame[c].isna().all()])
    x, y = frame.pop("b_side_revenue").to_numpy(dtype=float), frame.pop("platform_revenue").to_numpy(dtype=float)
    states = pd.Categorical.from_codes(frame.pop("state").to_numpy(dtype="int8"), categories=list(STATES))
    x_cut, y_cut = frame.pop("x_cut").to_numpy(dtype=float), frame.pop("y_cut").to_numpy(dtype=float)
    placed_mask = ~np.isnan(x_cut)
    frame["b_side_revenue"] = x
    frame["platform_revenue"] = y
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["take_rate"] = np.where(x > 0, y / x, np.nan)
    frame["quadrant"] = states
    frame["x_cut"], frame["y_cut"] = x_cut, y_cut
    frame["zero_b_side"], frame["zero_platform"] = placed_mask & (x == 0), placed_mask & (y == 0)
    return frame


def median_take_rate(assigned: pd.DataFrame) -> float:
    """Median take rate of the placed accounts with B-side revenue > 0 (NaN if none): the slope
    of the chart's reference line y = take rate × x."""
    rates = assigned.loc[assigned["quadrant"].isin(PLACED), "take_rate"].dropna()
    return float(rates.median()) if len(rates) else float("nan")


def accounts_matching(panel: engine.Source, selection: dict[str, list[str]] | None = None) -> pd.Index | None:
    """The ids of the accounts whose attributes on their latest row match ``selection`` (column →
    accepted values; an empty list or a missing column accepts all), or None when nothing is
    selected (all accounts). Judging each account by one row keeps an account that changed
    segment from leaving one quarter's map and entering the next as if it had churned."""
    matching = latest_matching(engine.table(panel), selection)
    if matching is None:
        return None
    return pd.Index(engine.run(matching.order_by("account_id"))["account_id"], dtype=object)


def latest_matching(table: ir.Table, selection: dict[str, list[str]] | None = None) -> ir.Table | None:
    """``accounts_matching`` as a one-column table ``account_id`` of the engine (None when nothing
    is selected), to keep their rows: ``table.semi_join(matching, "account_id")``."""
    selection = {c: v for c, v in (selection or {}).items() if v and c in table.columns}
    if not selection:
        return None
    latest = latest_rows(table)
    for column, accepted in selection.items():
        latest = latest.filter(latest[column].isin(list(accepted)))
    return latest.select("account_id")


def latest_rows(table: ir.Table) -> ir.Table:
    """Each account's row of its latest quarter (with its ``ordinal``): the row whose attributes
    the filters judge the account by."""
    rows = table.mutate(ordinal=engine.quarter_ordinal(table.quarter))
    rows = rows.mutate(latest=rows.ordinal.max().over(group_by="account_id"))  # a column: Spark filters on no window
    return rows.filter(rows.ordinal == rows.latest).drop("latest")


def cut_rows(
    panel: ir.Table, quarters: list[str] | None = None, cut: Cut = "median", by: str | None = None
) -> ir.Table:
    """Every row of ``quarters`` (or all) with the engine's placement, by the rules of
    ``assign_quadrants``: ``placed`` (active with both revenues), and for the placed rows the cut
    points that apply (``x_cut``, ``y_cut``: over the placed accounts of the quarter, or of the
    group of ``by`` when it has at least ``MIN_GROUP`` of them) and the ``quadrant`` (``Q1`` …
    ``Q4``, high meaning strictly above the cut, or ``at the cut`` for a material tie); null for
    the other rows. The cut points and whether their ties are material reach the rows by one join
    on the quarter (and group), a table of a few rows."""
    rows, points, keys = _cut_points(panel, quarters, cut, by)
    counts = _tie_counts(rows, points, keys)
    sets = _sets(points)
    points = points.left_join(counts.select(*sets, "at_x", "at_y"), sets).drop(*(f"{k}_right" for k in sets))
    rows = rows.left_join(points, keys).drop(*(f"{k}_right" for k in keys))
    nothing = ibis.null("float64")
    x_cut, y_cut = rows.placed.ifelse(rows.x_cut, nothing), rows.placed.ifelse(rows.y_cut, nothing)
    at_cut = (rows.at_x & _near(rows.b_side_revenue, x_cut)) | (rows.at_y & _near(rows.platform_revenue, y_cut))
    high_x, high_y = rows.b_side_revenue > x_cut, rows.platform_revenue > y_cut
    quadrant = ibis.cases(
        (~rows.placed, ibis.null("string")),
        (at_cut.fill_null(False), AT_CUT),
        (high_y & high_x, "Q1"),
        (high_y, "Q2"),
        (high_x, "Q4"),
        else_="Q3",
    )
    return rows.mutate(x_cut=x_cut, y_cut=y_cut, quadrant=quadrant).select(
        *panel.columns, "placed", "x_cut", "y_cut", "quadrant"
    )


def cut_ties(panel: engine.Source, quarter: str, cut: Cut = "median", by: str | None = None) -> pd.DataFrame:
    """The material ties of ``quarter``'s cut points (see the module's rule), over all its
    accounts: one row per axis and set of accounts sharing a cut point whose tie is material,
    B-side revenue first, then by group. Columns: ``axis`` (``"b_side_revenue"`` or
    ``"platform_revenue"``); ``group``, the ``by`` group with cut points of its own (None for
    the quarter's points, which the smaller groups share); ``cut`` (the cut point, currency
    units); ``tied`` (placed accounts at it); ``accounts`` (placed accounts the point applies
    to); ``share`` = tied / accounts. Empty when no tie is material. The engine counts per set."""
    rows, points, keys = _cut_points(engine.table(panel), [quarter], cut, by)
    counts = engine.run(_tie_counts(rows, points, keys))
    found = []
    for _position, row in counts.iterrows():
        group = row["cut_set"] if "own_cut" in row and row["own_cut"] else None
        for axis, a in zip(AXES, "xy", strict=True):
            if row[f"at_{a}"]:
                tied, accounts = int(row[f"tied_{a}"]), int(row["accounts"])
                found.append((axis, group, float(row[f"{a}_cut"]), tied, accounts, tied / accounts))
    ties = pd.DataFrame(found, columns=["axis", "group", "cut", "tied", "accounts", "share"])
    ties = ties.assign(order=ties["axis"].map(AXES.index)).sort_values(["order", "group"], na_position="first")
    return ties.drop(columns="order").reset_index(drop=True)


def _cut_points(
    panel: ir.Table, quarters: list[str] | None, cut: Cut, by: str | None
) -> tuple[ir.Table, ir.Table, list[str]]:
    """(the rows of ``quarters``, or all, with ``placed`` and, when ``by`` gives groups points of
    their own, ``cut_group``, the group as text; the cut points per quarter, or per quarter and
    ``cut_group``: ``x_cut``, ``y_cut``, and with groups ``own_cut`` (whether the group has
    points of its own) and ``cut_set`` (the group when it has, else ""): the accounts that share
    the points; the columns the rows and the points join on)."""
    check_cut(cut)
    if by is not None and by not in panel.columns:
        raise ValueError(f"cannot cut by {by!r}: the panel has no such column")
    rows = panel if quarters is None else panel.filter(panel.quarter.isin(list(quarters)))
    fixed = isinstance(cut, tuple) and cut[0] == "value"
    grouped = by is not None and not fixed
    rows = rows.mutate(
        placed=is_placed(rows), **({"cut_group": rows[by].cast("string").fill_null("")} if grouped else {})
    )
    placed = rows.filter(rows.placed)
    if fixed:  # the same fixed points for every quarter and group
        points = placed.select("quarter").distinct()
        return rows, points.mutate(x_cut=ibis.literal(float(cut[1])), y_cut=ibis.literal(float(cut[2]))), ["quarter"]
    whole = placed.group_by("quarter").agg(**_cut_expressions(placed, cut))
    if not grouped:
        return rows, whole, ["quarter"]
    own = placed.group_by(["quarter", "cut_group"]).agg(
        members=placed.count(), **{f"own_{k}": v for k, v in _cut_expressions(placed, cut).items()}
    )
    points = own.left_join(whole, "quarter").drop("quarter_right")
    enough = points.members >= MIN_GROUP
    points = points.select(
        "quarter",
        "cut_group",
        x_cut=enough.ifelse(points.own_x_cut, points.x_cut),
        y_cut=enough.ifelse(points.own_y_cut, points.y_cut),
        own_cut=enough,
        cut_set=enough.ifelse(points.cut_group, ""),  # the smaller groups share the quarter's points
    )
    return rows, points, ["quarter", "cut_group"]


def _tie_counts(rows: ir.Table, points: ir.Table, keys: list[str]) -> ir.Table:
    """Per set of accounts sharing cut points (quarter, and ``own_cut`` and ``cut_set`` with
    groups): the placed ``accounts``, the cut points, the accounts tied with each (``tied_x``,
    ``tied_y``) and whether those ties are material (``at_x``, ``at_y``)."""
    placed = rows.filter(rows.placed).select(*keys, "b_side_revenue", "platform_revenue")
    placed = placed.join(points, keys)
    counts = placed.group_by(_sets(points)).agg(
        accounts=placed.count(),
        x_cut=placed.x_cut.max(),
        y_cut=placed.y_cut.max(),
        tied_x=_near(placed.b_side_revenue, placed.x_cut).sum(),
        tied_y=_near(placed.platform_revenue, placed.y_cut).sum(),
    )
    return counts.mutate(
        at_x=(counts.tied_x >= MIN_TIED) & (counts.tied_x >= MATERIAL_TIES * counts.accounts),
        at_y=(counts.tied_y >= MIN_TIED) & (counts.tied_y >= MATERIAL_TIES * counts.accounts),
    )


def _sets(points: ir.Table) -> list[str]:
    """The columns of ``_cut_points``' points naming a set of accounts that share cut points."""
    return ["quarter", "own_cut", "cut_set"] if "cut_set" in points.columns else ["quarter"]


def _near(value: ir.FloatingValue, cut: ir.FloatingValue) -> ir.BooleanValue:
    """cut > 0 and |value − cut| ≤ max(``TIE_SHARE`` × cut, ``TIE_CENT``); False where either is null."""
    return ((cut > 0) & ((value - cut).abs() <= ibis.greatest(cut * TIE_SHARE, TIE_CENT))).fill_null(False)


def is_placed(rows: ir.Table) -> ir.BooleanValue:
    """Whether a row is placed on the map: active, with both revenues (unknown counts as not)."""
    return (rows.active & rows.b_side_revenue.notnull() & rows.platform_revenue.notnull()).fill_null(False)


def placed_rows(
    panel: ir.Table, quarters: list[str] | None = None, cut: Cut = "median", by: str | None = None
) -> ir.Table:
    """The placed rows of ``cut_rows``: one per placed account and quarter, columns
    ``account_id``, ``quarter``, ``b_side_revenue``, ``platform_revenue``, ``x_cut``, ``y_cut``
    and ``quadrant``."""
    rows = cut_rows(panel, quarters, cut, by)
    return rows.filter(rows.placed).select(
        "account_id", "quarter", "b_side_revenue", "platform_revenue", "x_cut", "y_cut", "quadrant"
    )


def _cut_expressions(placed: ir.Table, cut: Cut) -> dict[str, ir.FloatingScalar]:
    """``x_cut`` and ``y_cut`` as aggregates of the placed rows, for a median, mean or percentile
    cut (numpy's linear percentile is DuckDB's ``quantile_cont``)."""
    x, y = placed.b_side_revenue, placed.platform_revenue
    if cut == "mean":
        return {"x_cut": x.mean(), "y_cut": y.mean()}
    share = 0.5 if cut == "median" else cut[1] / 100
    return {"x_cut": x.quantile(share), "y_cut": y.quantile(share)}
