"""The accounts an ops lead acts on in a quarter q: new, churned, returning, contracting and at risk.

An account is **active** in a quarter when its row there says so (``active``; a panel without that
column: platform or B-side revenue > 0, the contract's default); no row counts as not active.
Revenue is platform revenue (currency units per quarter), 0 where the account is not active.
Quarters are calendar quarters: q−1 is the quarter right before q even when the data lack it
(then no account is active in it). Per account, with ``before`` = revenue in q−1, ``after`` =
revenue in q and ``earlier`` = revenue in q−2:

* **new**: active in q for the first time (the first quarter of the data lists every account
  active in it: the data cannot tell whether they were active before);
* **churned**: active in q−1, not in q;
* **returning**: active in q, not in q−1, active in some quarter before q−1;
* **contracting**: active in q−1 and q, ``after`` < ``before``;
* **at risk**: active in q and any of
  - revenue falling two quarters in a row: ``earlier`` > ``before`` > ``after``;
  - a quadrant downgrade from q−1 to q: placed in a quadrant both quarters (median cut points of
    each whole quarter, the quadrant page's default) and in a lower one in q, by the priority order
    I = IV > II > III (DESIGN §5's Q1 = Q4 > Q2 > Q3; quadrants are written by roman numeral,
    ``quadrants.numeral``, so that none reads as a calendar quarter);
  - a contract ending soon: the ``contract_end`` of its row in q falls in q or q+1 (from q's first
    day to q+1's last). An end before q's first day is past, not soon: the contract either renewed
    or the column was not updated, and the list does not guess which.

**Revenue at stake**, by which each list is ordered (largest first, then by account id): new and
returning: ``after`` (revenue gained); churned: ``before`` (revenue lost); contracting:
``before`` − ``after``; at risk: ``after`` (revenue still there to lose).

The engine works out each account's flags in one scan of the panel up to q (``account_states``)
and ranks the lists; only the shown rows, or a download's parts, reach pandas.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine, quarters
from b2b_core.i18n import N_, _
from b2b_core.quadrants.assign import NUMERALS, named_states, placed_rows

NEW, CHURNED, RETURNING, CONTRACTING, AT_RISK = "new", "churned", "returning", "contracting", "at risk"
KINDS = (NEW, CHURNED, RETURNING, CONTRACTING, AT_RISK)
KIND_NAMES = {  # how each list is called, ``_`` where shown (the keys stay English in links and file names)
    NEW: N_("new"),
    CHURNED: N_("churned"),
    RETURNING: N_("returning"),
    CONTRACTING: N_("contracting"),
    AT_RISK: N_("at risk"),
}
QUADRANT_RANK = {"Q1": 0, "Q4": 0, "Q2": 1, "Q3": 2}  # DESIGN §5's priority order, best first
ATTRIBUTES = ("account_name", "owner", "segment", "region", "tier")
LIST_COLUMNS = (
    "account_id",
    *ATTRIBUTES,
    "revenue_before",
    "revenue_after",
    "change",
    "at_stake",
    "reason",
    "quadrant_before",
    "quadrant_after",
    "contract_value",
    "contract_end",
)
SHOWN = 200  # rows of each list shown on screen; the rest are a download
_FLAGS = ("falling", "downgrade", "ending")


@dataclass(frozen=True)
class AccountLists:
    """The lists of ``quarter``: ``counts`` (index ``KINDS``; columns ``accounts`` and
    ``at_stake``, the sum of revenue at stake) and ``shown`` (kind → the first ``shown`` rows of
    its list, ``LIST_COLUMNS`` without the attributes the panel lacks, largest stake first).
    ``previous`` is q−1; ``first_quarter``: q is the first quarter of the data."""

    quarter: str
    previous: str
    first_quarter: bool
    counts: pd.DataFrame
    shown: dict[str, pd.DataFrame]


def with_activity(table: ir.Table) -> ir.Table:
    """``table`` with ``active`` (null: not active; where the panel has no such column, the
    contract's default: platform or B-side revenue > 0) and ``b_side_revenue`` (null where the
    panel has none), the columns the quadrants read."""
    if "b_side_revenue" not in table.columns:
        table = table.mutate(b_side_revenue=ibis.null("float64"))
    if "active" not in table.columns:
        return table.mutate(active=(table.platform_revenue.fill_null(0) > 0) | (table.b_side_revenue.fill_null(0) > 0))
    return table.mutate(active=table.active.fill_null(False))


def account_states(panel: ir.Table, quarter: str) -> ir.Table:
    """One row per account active in q−1 or q (``quarter``): ``account_id``, ``revenue_before``
    / ``_after`` / ``revenue_earlier`` (q−1, q, q−2; 0 where not active), ``change`` (after −
    before), ``ends_now`` (the contract end of its row in q, when the panel has the column),
    ``last_active_before`` (for an account active in q and not in q−1: its last active quarter
    before q−1, as an ordinal, null if none; null for the others), the quadrants of q−1 and q
    (null where not placed), one boolean per list (``KINDS``, ``at risk`` as ``at_risk``) and per
    at-risk reason (``falling``, ``downgrade``, ``ending``)."""
    q = quarters.to_ordinal(quarter)
    panel = with_activity(panel)
    rows = panel.mutate(ordinal=engine.quarter_ordinal(panel.quarter), is_active=panel.active)
    rows = rows.filter(rows.ordinal <= q)
    window = rows.filter(rows.ordinal >= q - 2)  # the three quarters the flags compare, one group per account
    revenue = window.platform_revenue.fill_null(0)

    def revenue_in(ordinal: int) -> ir.FloatingScalar:
        return revenue.sum(where=window.is_active & (window.ordinal == ordinal)).fill_null(0)

    has_end = "contract_end" in window.columns
    ends = {"ends_now": window.contract_end.cast("date").max(where=window.ordinal == q)} if has_end else {}
    per_account = window.group_by("account_id").agg(
        active_before=(window.is_active & (window.ordinal == q - 1)).any(),
        active_after=(window.is_active & (window.ordinal == q)).any(),
        revenue_earlier=revenue_in(q - 2),
        revenue_before=revenue_in(q - 1),
        revenue_after=revenue_in(q),
        **ends,
    )
    states = per_account.filter(per_account.active_before | per_account.active_after)
    # the history before q−1 matters only to the accounts active in q and not in q−1 (new or returning)
    arrived = states.filter(states.active_after & ~states.active_before).select("account_id")
    earlier = rows.filter(rows.is_active & (rows.ordinal < q - 1)).semi_join(arrived, "account_id")
    earlier = earlier.group_by("account_id").agg(last_active_before=earlier.ordinal.max())
    states = states.left_join(earlier, "account_id").drop("account_id_right")
    states = _with_quadrants(panel, states, quarter)
    after, before, earlier = states.revenue_after, states.revenue_before, states.revenue_earlier
    active_after = states.active_after
    falling = active_after & (earlier > before) & (before > after)
    rank_before = _rank(states.quadrant_before)
    rank_after = _rank(states.quadrant_after)
    downgrade = (active_after & (rank_after > rank_before)).fill_null(False)
    if "ends_now" in states.columns:
        soon_from, soon_to = quarter_start(q), quarter_start(q + 2)
        ending = (active_after & (states.ends_now >= soon_from) & (states.ends_now < soon_to)).fill_null(False)
    else:
        ending = ibis.literal(False)
    return states.mutate(
        change=after - before,
        new=active_after & ~states.active_before & states.last_active_before.isnull(),
        churned=states.active_before & ~active_after,
        returning=active_after & ~states.active_before & states.last_active_before.notnull(),
        contracting=states.active_before & active_after & (after < before),
        falling=falling,
        downgrade=downgrade,
        ending=ending,
        at_risk=falling | downgrade | ending,
    )


def with_attributes(panel: ir.Table, rows: ir.Table, quarter: str) -> ir.Table:
    """``rows`` (of ``account_states``) with the ``ATTRIBUTES``, ``contract_value`` and
    ``contract_end`` the panel has, each from the account's latest row of q−1 and q that has a
    value; joined to the few rows shown or downloaded, not to every account's state."""
    wanted = [c for c in (*ATTRIBUTES, "contract_value", "contract_end") if c in panel.columns]
    if not wanted:
        return rows
    recent = panel.filter(panel.quarter.isin([quarters.shift(quarter, -1), quarter]))
    recent = recent.semi_join(rows.select("account_id"), "account_id")
    kinds = {"contract_value": "float64", "contract_end": "date"}
    latest = recent.group_by("account_id").agg(
        **{c: recent[c].argmax(recent.quarter, where=recent[c].notnull()).cast(kinds.get(c, "string")) for c in wanted}
    )
    return rows.left_join(latest, "account_id").drop("account_id_right")


def _with_quadrants(panel: ir.Table, states: ir.Table, quarter: str) -> ir.Table:
    """``states`` with ``quadrant_before`` and ``quadrant_after``: each account's quadrant in q−1
    and q by the median cut points of each whole quarter (null where not placed)."""
    previous = quarters.shift(quarter, -1)
    placed = placed_rows(panel, [previous, quarter])
    quadrant = {
        f"quadrant_{name}": placed.quadrant.max(where=placed.quarter == when)
        for name, when in (("before", previous), ("after", quarter))
    }
    per_account = placed.group_by("account_id").agg(**quadrant)
    return states.left_join(per_account, "account_id").drop("account_id_right")


def _rank(quadrant: ir.StringValue) -> ir.IntegerValue:
    """The priority rank of a quadrant (``QUADRANT_RANK``), null for ``at the cut`` or no quadrant."""
    return quadrant.cases(*QUADRANT_RANK.items(), else_=ibis.null("int64"))


def quarter_start(ordinal: int) -> ir.DateScalar:
    """The first day of the quarter of ``ordinal`` (``quarters.to_ordinal``), as an Ibis date."""
    year, index = divmod(ordinal, 4)
    return ibis.date(year, 3 * index + 1, 1)


def _at_stake(states: ir.Table, kind: str) -> ir.FloatingValue:
    if kind == CHURNED:
        return states.revenue_before
    if kind == CONTRACTING:
        return states.revenue_before - states.revenue_after
    return states.revenue_after


def _flag(kind: str) -> str:
    return kind.replace(" ", "_")


def _listed(states: ir.Table, kind: str) -> ir.Table:
    chosen = states.filter(states[_flag(kind)])
    return chosen.mutate(at_stake=_at_stake(chosen, kind)).order_by([ibis.desc("at_stake"), "account_id"])


def _shown(panel: ir.Table, states: ir.Table, kind: str, quarter: str, limit: int) -> ir.Table:
    """The first ``limit`` rows of the list ``kind`` with the accounts' attributes, largest stake first."""
    listed = with_attributes(with_activity(panel), _listed(states, kind).limit(limit), quarter)
    return listed.order_by([ibis.desc("at_stake"), "account_id"])  # a join does not keep the order


def _selected(panel: engine.Source, quarter: str, accounts: pd.Index | None) -> ir.Table:
    table = engine.table(panel)
    states = account_states(table, quarter)
    return states if accounts is None else states.semi_join(engine.ids(accounts), "account_id")


def account_lists(
    panel: engine.Source,
    quarter: str,
    accounts: pd.Index | None = None,
    shown: int = SHOWN,
    names: Mapping[str, str] = NUMERALS,
) -> AccountLists:
    """The lists of ``quarter`` for all accounts or only ``accounts`` (ids): counts and revenue at
    stake per list, and each list's ``shown`` rows with the largest stake, the quadrants written
    as ``names`` says (``as_list``). The engine works out the accounts' states once (a temporary
    table) and reads every list from it."""
    table = engine.table(panel)
    states = engine.cached(_selected(table, quarter, accounts))
    sums = {}
    for kind in KINDS:
        flag = states[_flag(kind)]
        sums[f"{_flag(kind)}__accounts"] = flag.sum().fill_null(0)  # null: no account at all
        sums[f"{_flag(kind)}__at_stake"] = _at_stake(states, kind).sum(where=flag).fill_null(0)
    found = engine.run(states.aggregate(**sums)).iloc[0]
    counts = pd.DataFrame(
        {
            "accounts": [int(found[f"{_flag(k)}__accounts"]) for k in KINDS],
            "at_stake": [float(found[f"{_flag(k)}__at_stake"]) for k in KINDS],
        },
        index=pd.Index(KINDS, name="kind"),
    )
    # every list's first rows in one query: the accounts' attributes are read once for all of them
    tops = ibis.union(
        *(_listed(states, kind).limit(shown).mutate(kind=ibis.literal(kind)) for kind in KINDS), distinct=False
    )
    found = engine.run(with_attributes(with_activity(table), tops, quarter))
    found = found.sort_values(["at_stake", "account_id"], ascending=[False, True])
    lists = {kind: as_list(found[found["kind"] == kind], kind, quarter, names) for kind in KINDS}
    first = engine.run(table.aggregate(first=engine.quarter_ordinal(table.quarter).min())).iloc[0]["first"]
    return AccountLists(
        quarter,
        quarters.shift(quarter, -1),
        first == quarters.to_ordinal(quarter),
        counts,
        lists,
    )


def account_list_in_parts(
    panel: engine.Source,
    quarter: str,
    kind: str,
    accounts: pd.Index | None = None,
    *,
    limit: int,
    part_rows: int = 100_000,
    names: Mapping[str, str] = NUMERALS,
) -> tuple[int, Iterator[pd.DataFrame]]:
    """One list for a download of any size: (the accounts it has; its rows as ``as_list`` gives
    them with ``names``, in parts of ``part_rows``, never all in pandas at once), the largest stake
    first; beyond ``limit`` accounts, only the ``limit`` first. Read the parts where the engine is
    open."""
    check_kind(kind)
    table = engine.table(panel)
    states = engine.cached(_selected(table, quarter, accounts))
    total = int(engine.run(states.aggregate(n=states[_flag(kind)].sum().fill_null(0))).iloc[0]["n"])
    parts = engine.run_in_parts(_shown(table, states, kind, quarter, limit), part_rows)
    return total, (as_list(part, kind, quarter, names) for part in parts)


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"a list is one of {', '.join(KINDS)}, not {kind!r}")


def as_list(states: pd.DataFrame, kind: str, quarter: str, names: Mapping[str, str] = NUMERALS) -> pd.DataFrame:
    """Rows of ``account_states`` (with ``at_stake``) as a list: ``LIST_COLUMNS`` the panel has,
    the ``reason`` in words; the quadrants (columns and reason) written as ``names`` maps their
    keys (the roman numerals by default, ``Playbook.labels`` for numeral and name)."""
    written = [c for c in ("quadrant_before", "quadrant_after") if c in states.columns]
    states = states.assign(**{c: named_states(states[c], names) for c in written})
    frame = states.assign(reason=reasons(states, kind, quarter))
    if "contract_end" in frame.columns:
        frame["contract_end"] = pd.to_datetime(frame["contract_end"]).dt.date
    return frame[[c for c in LIST_COLUMNS if c in frame.columns]].reset_index(drop=True)


def reasons(states: pd.DataFrame, kind: str, quarter: str) -> pd.Series:
    """Why each row of ``states`` is on the list ``kind`` of ``quarter``, in words; for at risk,
    every reason that applies, joined by "; "."""
    q = quarters.quarter_text
    previous, earlier = quarters.shift(quarter, -1), quarters.shift(quarter, -2)
    index = states.index
    if kind == NEW:
        return pd.Series(_("first active in {quarter}").format(quarter=q(quarter)), index=index, dtype=object)
    if kind == CHURNED:
        said = _("active in {previous}, not in {quarter}").format(previous=q(previous), quarter=q(quarter))
        return pd.Series(said, index=index, dtype=object)
    if kind == RETURNING:
        again = _("active again in {quarter}, last active in {last}")
        return (
            states["last_active_before"]
            .map(lambda o: again.format(quarter=q(quarter), last=q(quarters.from_ordinal(int(o)))), na_action="ignore")
            .astype(object)
        )
    if kind == CONTRACTING:
        with np.errstate(divide="ignore", invalid="ignore"):
            fell = 1 - states["revenue_after"] / states["revenue_before"]
        said = _("platform revenue fell {share} from {previous} to {quarter}")
        return fell.map(lambda part: said.format(share=f"{part:.1%}", previous=q(previous), quarter=q(quarter))).astype(
            object
        )
    downgrade = _("quadrant {before} → {after} from {previous} to {quarter}")
    ends = _("contract ends {date}")
    said = {
        "falling": _("platform revenue fell two quarters in a row ({earlier} > {previous} > {quarter})").format(
            earlier=q(earlier), previous=q(previous), quarter=q(quarter)
        ),
        "downgrade": [
            downgrade.format(before=before, after=after, previous=q(previous), quarter=q(quarter))
            for before, after in zip(
                states["quadrant_before"].astype(str), states["quadrant_after"].astype(str), strict=True
            )
        ],
        "ending": [ends.format(date=day) for day in pd.to_datetime(states["ends_now"]).dt.strftime("%Y-%m-%d")]
        if "ends_now" in states.columns
        else "",
    }
    joined = pd.Series("", index=index, dtype=object)
    between = _("; ")
    for flag in _FLAGS:
        text = pd.Series(said[flag], index=index, dtype=object).where(states[flag].astype(bool), "")
        joined = joined + np.where((joined != "") & (text != ""), between, "") + text
    return joined
