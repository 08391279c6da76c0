"""Workspace headline numbers per quarter: the KPIs of the home page.

Definitions (per calendar quarter q, over the panel's active rows):

* active accounts: accounts with ``active`` true in q;
* platform / B-side revenue: sums over all rows of q (currency units per quarter);
* take rate = platform revenue / B-side revenue, over the rows that report B-side revenue
  (NaN when no row does);
* new accounts: active in q and never active before q (their cohort is q);
* churned accounts: active in q − 1 and not in q;
* returning accounts: active in q, not in q − 1, but active in some quarter before q − 1;
  both NaN when the workspace has no data for q − 1.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import contract, engine, quadrants, quarters
from b2b_core.amounts import Currency, amount, amount_title, count, ratio, share
from b2b_core.i18n import N_, SOURCE, _, pgettext, use
from b2b_core.quarters import quarter_text

KPI_COLUMNS = [
    "active_accounts",
    "platform_revenue",
    "b_side_revenue",
    "take_rate",
    "new_accounts",
    "churned_accounts",
    "returning_accounts",
]


TOTAL_COLUMNS = KPI_COLUMNS[:4]  # what ``quarter_kpis(…, flows=False)`` gives


def quarter_kpis(source: engine.Source, flows: bool = True) -> pd.DataFrame:
    """One row per quarter in the panel (index ``quarter``, ascending), columns ``KPI_COLUMNS``
    (``TOTAL_COLUMNS`` only, without the new, churned and returning accounts, when not ``flows``).

    ``source`` is a pandas panel or an Ibis table of one; the engine returns one row per quarter
    (``kpi_reduction``) and only the ratios and the unknown quarters are worked out here.
    """
    table = engine.table(source)
    return _kpis_of(engine.run(kpi_reduction(table) if flows else total_reduction(table)).set_index("ordinal"), flows)


def _kpis_of(kpis: pd.DataFrame, flows: bool) -> pd.DataFrame:
    """``quarter_kpis`` from the sums of ``kpi_reduction`` (``total_reduction`` when not ``flows``)
    indexed by ``ordinal``: the take rate, the unknown quarters' flows as NaN, quarters as labels."""
    columns = KPI_COLUMNS if flows else TOTAL_COLUMNS
    if kpis.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="quarter"), dtype=float)
    kpis = kpis.astype({c: float for c in kpis.columns if c not in ("active_accounts", "new_accounts")})
    kpis["take_rate"] = kpis.pop("reported_platform_revenue") / kpis["b_side_revenue"].replace(0, np.nan)
    if flows:
        unknown_before = ~(kpis.index - 1).isin(kpis.index)  # no data for q − 1: losses and returns unknown
        kpis.loc[unknown_before, ["churned_accounts", "returning_accounts"]] = np.nan
    kpis.index = pd.Index([quarters.from_ordinal(o) for o in kpis.index], name="quarter")
    return kpis[columns]


def total_reduction(panel: ir.Table, keys: Sequence[str] = ()) -> ir.Table:
    """Per quarter ``ordinal`` (and group of the columns ``keys``): the number of ``rows``, the sums
    ``platform_revenue``, ``b_side_revenue`` (NULL when no row reports it) and
    ``reported_platform_revenue`` (over the rows reporting B-side revenue), and ``active_accounts``
    (one row per account and quarter: the active rows)."""
    rows = panel.mutate(ordinal=engine.quarter_ordinal(panel.quarter))
    return (
        rows.group_by(["ordinal", *keys])
        .agg(
            rows=rows.count(),
            platform_revenue=rows.platform_revenue.sum(),
            b_side_revenue=rows.b_side_revenue.sum(),
            reported_platform_revenue=rows.platform_revenue.sum(where=rows.b_side_revenue.notnull()),
            active_accounts=rows.active.fill_null(False).cast("int64").sum(),
        )
        .order_by("ordinal")
    )


def kpi_reduction(panel: ir.Table) -> ir.Table:
    """The engine's part of ``quarter_kpis``: per quarter ``ordinal`` (ascending), the sums of
    ``total_reduction`` and the counts ``new_accounts``, ``churned_accounts`` and
    ``returning_accounts`` (churn counted in the quarter after an account's activity, whether or
    not it is observed).
    """
    money, counts, churn = _kpi_parts(panel)
    return (
        money.left_join(counts, "ordinal")
        .select(money, *[c for c in ("active_accounts", "new_accounts", "returning_accounts")])
        .left_join(churn, "ordinal")
        .select(~ibis.selectors.matches("ordinal_right"))
        .mutate(
            active_accounts=ibis._.active_accounts.fill_null(0),
            new_accounts=ibis._.new_accounts.fill_null(0),
            returning_accounts=ibis._.returning_accounts.fill_null(0),
            churned_accounts=ibis._.churned_accounts.fill_null(0),
        )
        .order_by("ordinal")
    )


def _kpi_parts(panel: ir.Table, keys: Sequence[str] = ()) -> tuple[ir.Table, ir.Table, ir.Table]:
    """The three sums of ``kpi_reduction`` per quarter ``ordinal`` and group of ``keys`` (columns
    constant over each account's rows), each with the groups it has: the money of
    ``total_reduction`` (the rows' quarters); ``active_accounts``, ``new_accounts`` and
    ``returning_accounts`` (the quarters with an active account); ``churned_accounts``
    (the quarters after an account's last active one of a run)."""
    rows = panel.mutate(ordinal=engine.quarter_ordinal(panel.quarter))
    group = ["ordinal", *keys]
    money = total_reduction(panel, keys).drop("active_accounts")
    active = rows.filter(rows.active).select("account_id", *group).distinct()
    by_account = ibis.window(group_by="account_id", order_by="ordinal")
    active = active.mutate(
        first=active.ordinal.min().over(group_by="account_id"),
        before=active.ordinal.lag().over(by_account),
        after=active.ordinal.lead().over(by_account),
    )
    gone_after = active.after.isnull() | (active.after != active.ordinal + 1)
    counts = active.group_by(group).agg(
        active_accounts=active.count(),
        new_accounts=(active.first == active.ordinal).sum(),
        returning_accounts=((active.first < active.ordinal - 1) & (active.before != active.ordinal - 1)).sum(),
    )
    churn = (
        active.filter(gone_after)
        .mutate(ordinal=active.ordinal + 1)
        .group_by(group)
        .agg(churned_accounts=ibis._.count())
    )
    return money, counts, churn


KPI_LABELS = {  # in English; i18n._ translates them where they are shown
    "active_accounts": N_("Active accounts"),
    "platform_revenue": N_("Platform revenue"),
    "b_side_revenue": N_("B-side revenue"),
    "take_rate": N_("Take rate"),
    "new_accounts": N_("New accounts"),
    "churned_accounts": N_("Churned accounts"),
    "returning_accounts": N_("Returning accounts"),
}
COMPARISONS = {"quarter": 1, "year": 4}  # quarter on quarter, year on year (the same quarter a year before)
COMPARISON_NAMES = {"quarter": N_("quarter on quarter"), "year": N_("year on year")}  # translated where shown


@dataclass(frozen=True)
class Headline:
    """One KPI of a quarter against a quarter before it; ``why`` says why the value or its change
    is unknown (NaN, shown as a dash or not at all), None when both are known."""

    name: str
    value: float
    previous: float
    why: str | None = None

    @property
    def change(self) -> float:
        """value − previous (NaN when either is unknown)."""
        return self.value - self.previous

    @property
    def relative_change(self) -> float:
        """(value − previous) / previous; NaN when previous is 0 or unknown."""
        return self.change / self.previous if self.previous else np.nan


def latest_headlines(panel: pd.DataFrame) -> tuple[str | None, str | None, list[Headline]]:
    """``headlines(quarter_kpis(panel))``."""
    return headlines(quarter_kpis(panel))


def headlines(
    kpis: pd.DataFrame, quarter: str | None = None, comparison: str = "quarter"
) -> tuple[str | None, str | None, list[Headline]]:
    """(quarter, the quarter compared with or None, a Headline per KPI) from ``quarter_kpis``.

    ``quarter``: one of ``kpis``' (the latest by default). ``comparison``: ``"quarter"``, the
    calendar quarter before, or ``"year"``, the same quarter a year before (``COMPARISONS``); if
    the workspace lacks it, ``previous`` values are NaN.
    """
    if kpis.empty:
        return None, None, []
    quarter = kpis.index[-1] if quarter is None else quarter
    before = quarters.shift(quarter, -COMPARISONS[comparison])
    known = before in kpis.index
    prior = kpis.loc[before] if known else pd.Series(np.nan, index=KPI_COLUMNS)
    found = []
    for name in KPI_COLUMNS:
        value, previous = float(kpis.loc[quarter, name]), float(prior[name])
        headline = Headline(name, value, previous)
        found.append(Headline(name, value, previous, why_unknown(kpis, headline, quarter, before)))
    return quarter, before if known else None, found


def why_unknown(kpis: pd.DataFrame, headline: Headline, quarter: str, before: str) -> str | None:
    """Why ``headline`` (of ``quarter`` against ``before``) shows a dash, or has no change: the
    value's reason first (``value_unknown``), then the change's; None when both are known."""
    reason = value_unknown(kpis, headline.name, quarter)
    if reason:
        return reason
    said = {"quarter": quarter_text(quarter), "before": quarter_text(before)}
    if before not in kpis.index:
        return _("{before} is not in the data: there is nothing to compare {quarter} with").format(**said)
    earlier = value_unknown(kpis, headline.name, before)
    if earlier:
        return _("no change shown: in {before}, {reason}").format(reason=earlier, **said)
    if headline.name in ("platform_revenue", "b_side_revenue") and headline.previous == 0:
        return _("no relative change: it was 0 in {before}").format(**said)
    return None


def value_unknown(kpis: pd.DataFrame, name: str, quarter: str) -> str | None:
    """Why KPI ``name`` of ``quarter`` is unknown (NaN) in ``quarter_kpis``, None when it is known."""
    if not pd.isna(kpis.loc[quarter, name]):
        return None
    said = {"quarter": quarter_text(quarter)}
    if name in ("churned_accounts", "returning_accounts"):
        return _("{before}, the quarter before {quarter}, is not in the data: who left or came back is unknown").format(
            before=quarter_text(quarters.shift(quarter, -1)), **said
        )
    if pd.isna(kpis.loc[quarter, "b_side_revenue"]):
        return _("no row of {quarter} reports B-side revenue").format(**said)
    return _("B-side revenue is 0 in {quarter}: the take rate (platform / B-side revenue) is undefined").format(**said)


def unknown_values(kpis: pd.DataFrame) -> list[str]:
    """Why each dash of ``formatted_kpis(kpis)`` is one: a line per quarter and reason, naming the
    KPIs it leaves unknown (``2025Q1, churned accounts and returning accounts: …``)."""
    lines = []
    for quarter in kpis.index:
        reasons: dict[str, list[str]] = {}
        for name in kpis.columns:
            why = value_unknown(kpis, name, quarter)
            if why:
                reasons.setdefault(why, []).append(_(KPI_LABELS[name]).lower())
        lines += [
            _("{quarter}, {kpis}: {reason}").format(
                quarter=quarter_text(quarter), kpis=_(" and ").join(names), reason=why
            )
            for why, names in reasons.items()
        ]
    return lines


def formatted_kpis(kpis: pd.DataFrame, currency: Currency | None = None) -> pd.DataFrame:
    """``quarter_kpis`` as text for a table and its CSV: counts with thousands separators, amounts
    with two decimals (``amounts.amount``), the take rate as a percentage with two decimals, a
    dash for an unknown value; columns named by ``KPI_LABELS`` in the current language, the
    amounts' with ``currency``'s code (``Platform revenue (CNY)``)."""
    shown = {name: kpis[name].map(_KPI_FORMATS.get(name, count)) for name in kpis.columns}
    names = {k: amount_title(_(v), currency) if k in _AMOUNTS else _(v) for k, v in KPI_LABELS.items()}
    return pd.DataFrame(shown, index=kpis.index).rename(columns=names)


_AMOUNTS = ("platform_revenue", "b_side_revenue")
_KPI_FORMATS = dict.fromkeys(_AMOUNTS, amount) | {"take_rate": partial(share, digits=2)}


# The revenue bridge ------------------------------------------------------------------------------

BRIDGE_COLUMNS = ["start", "new", "reactivated", "expansion", "contraction", "churned", "end"]
GAINS, LOSSES = ("new", "reactivated", "expansion"), ("contraction", "churned")
BRIDGE_BY = ("segment", "region", "tier", "owner")
BRIDGE_SCALE = 6  # decimals the bridge keeps of each amount (currency units): DECIMAL(38, 6) in the engine
_AMOUNT = ibis.dtype(f"decimal(38, {BRIDGE_SCALE})")
ZERO = decimal.Decimal(0).scaleb(-BRIDGE_SCALE)  # 0.000000, as the engine gives it


def bridged_quarters(observed: Sequence[str]) -> list[str]:
    """The quarters of ``observed`` that get a bridge: those whose calendar quarter before is
    observed too. A quarter after a gap in the data (a quarter with no rows at all) has no bridge:
    its accounts were not seen in the quarter before, and reading them as churned then new would
    invent both."""
    seen = set(observed)
    return [q for q in sorted(seen) if quarters.shift(q, -1) in seen]


def why_no_bridge(quarter: str, observed: Sequence[str]) -> str:
    """Why ``quarter`` of ``observed`` has no bridge (it is not in ``bridged_quarters``)."""
    said = {"quarter": quarter_text(quarter), "before": quarter_text(quarters.shift(quarter, -1))}
    if quarter == min(observed):
        return _("{quarter} is the first quarter in the data: the bridge needs the quarter before it, {before}").format(
            **said
        )
    return _(
        "{before}, the quarter before {quarter}, is not in the data: a quarter missing is not read as every "
        "account leaving and coming back"
    ).format(**said)


def revenue_bridge(
    panel: engine.Source,
    revenue: str = "platform_revenue",
    by: str | None = None,
    observed: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Where revenue came from and went, quarter by quarter.

    ``panel`` holds one row per account and quarter, as the workspace keeps it. For each quarter q
    of ``bridged_quarters(observed)`` (``observed``: the panel's quarters by default; give the
    workspace's when ``panel`` is a selection of accounts), with each account's
    ``revenue`` (``platform_revenue`` or ``b_side_revenue``, currency units per quarter) in q − 1
    (before) and in q (after), 0 when it has no row or reports none:

    * ``start`` = Σ before, ``end`` = Σ after;
    * ``new`` = Σ after where before = 0 and q is the account's first quarter with revenue > 0;
    * ``reactivated`` = Σ after where before = 0 and the account had revenue > 0 before q − 1;
    * ``expansion`` = Σ (after − before) where after > before > 0;
    * ``contraction`` = Σ (before − after) where 0 < after < before;
    * ``churned`` = Σ before where before > 0 and after = 0.

    start + new + reactivated + expansion − contraction − churned = end holds exactly: each
    account's parts add up to its own after, and the engine adds the amounts as decimals
    (``BRIDGE_SCALE`` decimals, each amount rounded to them), so the columns are
    ``decimal.Decimal``. ``by`` (one of ``BRIDGE_BY``) splits each quarter by the account's
    attribute in q, in q − 1 for a churned account (``contract.NOT_SET`` when empty); the identity
    holds in each group.

    Returns one row per bridged quarter (index ``quarter``; with ``by``, index ``(quarter, by)``,
    the groups present in the quarter), columns ``BRIDGE_COLUMNS``; no row when no quarter is bridged.
    """
    if revenue not in ("platform_revenue", "b_side_revenue"):
        raise ValueError(f"the bridge is of platform_revenue or b_side_revenue, not {revenue!r}")
    if by is not None and by not in BRIDGE_BY:
        raise ValueError(f"the bridge is split by one of {', '.join(BRIDGE_BY)}, not {by!r}")
    table = engine.table(panel)
    if observed is None:
        observed = list(engine.run(table.select("quarter").distinct())["quarter"])
    bridged = bridged_quarters(observed)
    index = ["quarter"] + ([by] if by else [])
    sums = engine.run(bridge_reduction(table, revenue, by, [quarters.to_ordinal(q) for q in bridged]))
    if not by:
        return _each_bridged(sums.set_index("ordinal"), bridged)
    sums.insert(0, "quarter", [quarters.from_ordinal(o) for o in sums.pop("ordinal")])
    return sums.set_index(index).sort_index()[BRIDGE_COLUMNS]


def _each_bridged(sums: pd.DataFrame, bridged: Sequence[str]) -> pd.DataFrame:
    """``revenue_bridge`` from the sums ``BRIDGE_COLUMNS`` indexed by ``ordinal``: a row per
    quarter of ``bridged``, 0 in the quarters nobody moved in."""
    every = sums.reindex([quarters.to_ordinal(q) for q in bridged])[BRIDGE_COLUMNS]
    every.index = pd.Index(list(bridged), name="quarter")
    return every.astype(object).map(lambda v: ZERO if pd.isna(v) else v)


def bridge_reduction(
    panel: ir.Table, revenue: str, by: str | None, ordinals: Sequence[int], keys: Sequence[str] = ()
) -> ir.Table:
    """The engine's part of ``revenue_bridge``: per quarter ``ordinal`` of ``ordinals`` (and group
    ``by``, and group of ``keys``: columns constant over each account's rows, taken as they are)
    the sums ``BRIDGE_COLUMNS``, as DECIMAL(38, ``BRIDGE_SCALE``).

    One row per account and quarter pairs it with its own row of the quarter before (a window over
    the account's rows); an account with revenue and no row in the quarter after adds a pair of
    its own there (after = 0), which only counts in a quarter of ``ordinals``."""
    zero = ibis.literal(ZERO, _AMOUNT)
    rows = panel.select(
        "account_id",
        ordinal=engine.quarter_ordinal(panel.quarter),
        amount=panel[revenue].cast(_AMOUNT).fill_null(zero),
        **({by: panel[by].cast("string").fill_null(contract.NOT_SET)} if by else {}),
        **{key: panel[key] for key in keys},
    )
    in_time = ibis.window(group_by="account_id", order_by="ordinal")
    rows = rows.mutate(
        first=(rows.amount > 0).ifelse(rows.ordinal, ibis.null("int64")).min().over(group_by="account_id"),
        previous=rows.ordinal.lag().over(in_time),
        previous_amount=rows.amount.lag().over(in_time),
        following=rows.ordinal.lead().over(in_time),
    )
    group = ([by] if by else []) + list(keys)
    stays = rows.select(
        *group,
        "ordinal",
        "first",
        before=(rows.previous == rows.ordinal - 1).fill_null(False).ifelse(rows.previous_amount, zero),
        after=rows.amount,
    )
    gone = (rows.amount > 0) & (rows.following.isnull() | (rows.following != rows.ordinal + 1))
    leaves = rows.filter(gone).select(
        *group, ordinal=rows.ordinal + 1, first=rows.first, before=rows.amount, after=zero
    )
    pairs = stays.union(leaves)
    pairs = pairs.filter(pairs.ordinal.isin(list(ordinals)))
    before, after = pairs.before, pairs.after
    arrived = (before == 0) & (after > 0)
    return pairs.group_by(["ordinal", *group]).agg(
        start=before.sum(),
        new=after.sum(where=arrived & (pairs.first == pairs.ordinal)).fill_null(zero),
        reactivated=after.sum(where=arrived & (pairs.first < pairs.ordinal)).fill_null(zero),
        expansion=(after - before).sum(where=(before > 0) & (after > before)).fill_null(zero),
        contraction=(before - after).sum(where=(after > 0) & (after < before)).fill_null(zero),
        churned=before.sum(where=(before > 0) & (after == 0)).fill_null(zero),
        end=after.sum(),
    )


# Sums by group of accounts: the filters --------------------------------------------------------

GROUP_LIMIT = 50_000  # at most this many groups of latest attributes for ``group_sums``
_GROUP_COUNTS = ("rows", "active_accounts", "new_accounts", "returning_accounts", "churned_accounts")
_GROUP_MONEY = ("platform_revenue", "b_side_revenue", "reported_platform_revenue")
_REVENUES = ("platform_revenue", "b_side_revenue")


def group_sums(panel: engine.Source, observed: Sequence[str] | None = None) -> pd.DataFrame | None:
    """The additive parts of ``quarter_kpis`` and ``revenue_bridge`` (both revenues, over the
    ``bridged_quarters(observed)``, the panel's quarters by default) per quarter ``ordinal`` and
    group of accounts, a group being the accounts with the same attributes (those of
    ``BRIDGE_BY`` the panel has) on their latest row, NULL a group of its own: per quarter and
    group, the sums of ``_kpi_parts`` (``rows``, ``platform_revenue``, ``b_side_revenue`` and
    ``reported_platform_revenue``, NaN when no row reports them; ``active_accounts``,
    ``new_accounts``, ``returning_accounts``, ``churned_accounts``, 0 for none) and of
    ``bridge_reduction`` for each revenue (``<revenue>_<bridge column>``, decimals, 0 for none).
    A group has a row in a quarter where any of these has one: a group may churn accounts in a
    quarter it has no row in.

    The filters choose whole accounts by those attributes, so the KPIs and the bridge of any
    choice are sums over its groups (``chosen_kpis``, ``chosen_bridge``), worked out in pandas on
    this frame of groups × quarters rows instead of by the engine over the panel. None when the
    panel has more than ``GROUP_LIMIT`` groups (owners × segments …): the frame would be no
    smaller than the sums it spares, and the choice's KPIs and bridge are asked of the engine.

    The panel's rows, each with its group's number, are one temporary table that the parts read
    one query at a time: one query of them all held every part's working memory at once
    (+1 GB at 1,000,000 accounts).
    """
    table = engine.table(panel)
    keys = [c for c in BRIDGE_BY if c in table.columns]
    latest = quadrants.latest_rows(table).select("account_id", *keys)
    if keys and latest.select(*keys).distinct().count().execute() > GROUP_LIMIT:
        return None
    if observed is None:
        observed = list(engine.run(table.select("quarter").distinct())["quarter"])
    ordinals = [quarters.to_ordinal(q) for q in bridged_quarters(observed)]
    latest = latest.mutate(group=ibis.dense_rank().over(order_by=keys) if keys else ibis.literal(0, "int64"))
    read = [c for c in ("account_id", "quarter", *_REVENUES, "active") if c in table.columns]
    grouped = table.select(*read).join(latest.select("account_id", "group"), "account_id")  # a number per group
    group = ["ordinal", "group"]
    with engine.cached(grouped) as rows:
        bridges = [
            bridge_reduction(rows, revenue, None, ordinals, ["group"]).rename(
                {f"{revenue}_{c}": c for c in BRIDGE_COLUMNS}
            )
            for revenue in _REVENUES
        ]
        parts = [engine.run(part).set_index(group) for part in [*_kpi_parts(rows, ["group"]), *bridges]]
        names = engine.run(latest.select("group", *keys).distinct()).set_index("group")
    sums = pd.concat(parts, axis=1, join="outer")  # each part has one row per quarter and group
    sums[list(_GROUP_COUNTS)] = sums[list(_GROUP_COUNTS)].fillna(0).astype("int64")
    decimals = [f"{r}_{c}" for r in _REVENUES for c in BRIDGE_COLUMNS]
    sums[decimals] = sums[decimals].map(lambda v: ZERO if pd.isna(v) else v)
    sums = sums.reset_index().join(names, on="group").drop(columns="group")
    return sums[["ordinal", *_GROUP_COUNTS, *_GROUP_MONEY, *decimals, *keys]].sort_values(
        ["ordinal", *keys], ignore_index=True
    )


def chosen_groups(sums: pd.DataFrame, selection: dict[str, Sequence[str]]) -> pd.DataFrame:
    """The rows of ``group_sums`` whose group matches ``selection`` (column → accepted values;
    an empty list or a column the panel lacks accepts all), as ``quadrants.latest_matching``
    chooses accounts: a NULL attribute matches no value."""
    chosen = pd.Series(True, index=sums.index)
    for column, accepted in selection.items():
        if accepted and column in sums.columns:
            chosen &= sums[column].isin(list(accepted))
    return sums[chosen]


def chosen_kpis(sums: pd.DataFrame, selection: dict[str, Sequence[str]]) -> pd.DataFrame:
    """``quarter_kpis`` of the accounts ``selection`` chooses (``chosen_groups``), from ``group_sums``:
    the quarters they have rows in, each KPI the sum over the chosen groups (a revenue NaN when
    none of their rows reports it)."""
    chosen = chosen_groups(sums, selection)
    chosen = chosen[chosen["ordinal"].isin(chosen.loc[chosen["rows"] > 0, "ordinal"])]
    by_quarter = chosen.groupby("ordinal")
    totals = pd.concat([by_quarter[list(_GROUP_COUNTS)].sum(), by_quarter[list(_GROUP_MONEY)].sum(min_count=1)], axis=1)
    return _kpis_of(totals, flows=True)


def chosen_bridge(
    sums: pd.DataFrame, selection: dict[str, Sequence[str]], revenue: str, observed: Sequence[str]
) -> pd.DataFrame:
    """``revenue_bridge(…, revenue, observed=observed)`` of the accounts ``selection`` chooses, from
    ``group_sums`` of the same ``observed`` quarters: each column the sum over the chosen groups."""
    columns = {f"{revenue}_{c}": c for c in BRIDGE_COLUMNS}
    totals = chosen_groups(sums, selection).groupby("ordinal")[list(columns)].sum()
    return _each_bridged(totals.rename(columns=columns), bridged_quarters(observed))


def gained_and_lost(bridge: pd.Series) -> tuple[float, float]:
    """(new + reactivated + expansion, contraction + churned) of a row of ``revenue_bridge``."""
    return float(sum(bridge[c] for c in GAINS)), float(sum(bridge[c] for c in LOSSES))


def quick_ratio(bridge: pd.DataFrame) -> pd.Series:
    """(new + reactivated + expansion) / (contraction + churned) of each row of ``revenue_bridge``,
    as floats: revenue gained per unit of revenue lost (above 1, the base grows). NaN where nothing
    was lost (the denominator is 0)."""
    gained = bridge[list(GAINS)].astype(float).sum(axis=1)
    lost = bridge[list(LOSSES)].astype(float).sum(axis=1)
    return (gained / lost.where(lost > 0)).rename("quick_ratio")


def quick_ratio_meaning(value: float, quarter: str) -> str:
    """What a quarter's quick ratio says, or why it has none."""
    if pd.isna(value):
        return _(
            "Nothing was lost in {quarter} (no contraction, no churn): the quick ratio has no denominator."
        ).format(quarter=quarter_text(quarter))
    return _(
        "Revenue gained per unit of revenue lost: (new + reactivated + expansion) / (contraction + churned). "
        "Above 1 the base grew: {value} in {quarter}."
    ).format(value=f"{value:,.2f}", quarter=quarter_text(quarter))


def bridge_labels() -> dict[str, str]:
    """The bridge's columns (and ``quick_ratio``) as a person reads them, in the current language
    (words of the context "revenue bridge": its "Contraction" is not the lifecycle stage)."""
    return {
        "start": pgettext("revenue bridge", "Start"),
        "new": pgettext("revenue bridge", "New"),
        "reactivated": pgettext("revenue bridge", "Reactivated"),
        "expansion": pgettext("revenue bridge", "Expansion"),
        "contraction": pgettext("revenue bridge", "Contraction"),
        "churned": pgettext("revenue bridge", "Churned"),
        "end": pgettext("revenue bridge", "End"),
        "quick_ratio": pgettext("revenue bridge", "Quick ratio"),
    }


with use(SOURCE):
    BRIDGE_LABELS = bridge_labels()  # in English


def formatted_bridge(bridge: pd.DataFrame, currency: Currency | None = None) -> pd.DataFrame:
    """``revenue_bridge`` with its ``quick_ratio``, as text for a table and its CSV: amounts with
    two decimals and thousands separators (rounded from the exact decimals), the quick ratio with
    two decimals, a dash where nothing was lost; columns named by ``bridge_labels`` (the current
    language), the amounts' with ``currency``'s code (``New (CNY)``)."""
    shown = bridge.map(amount)
    shown["quick_ratio"] = quick_ratio(bridge).map(ratio)
    labels = bridge_labels()
    return shown.rename(columns={k: amount_title(v, currency) if k in BRIDGE_COLUMNS else v for k, v in labels.items()})
