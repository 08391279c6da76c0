"""Renewal by contract cycle: of the accounts whose contract came up for renewal, how many renewed,
by the contract's number in the account's history (1st renewal, 2nd, …), in logos and in value.

A **contract** of an account is one distinct ``contract_end`` date among its rows; its value is
the ``contract_value`` on the last row that carries that end date. The contract **comes up for
renewal** in the quarter of its end date; it **renewed** if the account is active in the next
quarter of the data after that one (the quarter right after, unless its upload is missing). The
outcome is *pending* while the data hold no later quarter. Cycle n is the account's n-th contract
counted from its first active quarter.

Accounts already active in the panel's first quarter may have signed earlier contracts the data
do not show; their cycle numbers are unknown, so their renewals are reported on a separate row
(``EARLIER_START``) rather than numbered wrongly or dropped.

Rates: ``logo_rate`` = renewed / decided (up for renewal, not pending); ``value_rate`` (net) =
value of the renewed accounts' next contracts / value up for renewal; ``gross_value_rate`` caps
each renewed contract at its previous value (no expansion counted).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine, quarters
from b2b_core.i18n import N_

EARLIER_START = N_("started before the data")  # a key of the table, shown translated
RENEWAL_COLUMNS = [
    "up_for_renewal",
    "renewed",
    "pending",
    "logo_rate",
    "value_up",
    "value_renewed",
    "value_rate",
    "gross_value_rate",
]


def renewal_by_cycle(panel: engine.Source, observed: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per contract cycle (index ``cycle``: 1, 2, … as text, then ``EARLIER_START``) with
    ``RENEWAL_COLUMNS``: contracts that came up for renewal, renewed, pending, and the rates
    above; values in the currency of ``contract_value``. Empty when no row has a contract end.
    ``observed``: the quarters the data cover (default: those in ``panel``). The engine sums the
    contracts per cycle (``cycle_sums``); only the rates are worked out here."""
    empty = pd.DataFrame(columns=RENEWAL_COLUMNS, index=pd.Index([], name="cycle"), dtype=float)
    table = engine.table(panel)
    if "contract_end" not in table.columns:
        return empty
    present = engine.run(table.select(ordinal=engine.quarter_ordinal(table.quarter)).distinct())["ordinal"]
    window = np.union1d(present.to_numpy(np.int64), quarters.ordinals_of(observed or []))
    if not len(window):
        return empty
    sums = engine.run(cycle_sums(table, window)).set_index("label")
    if sums.empty:
        return empty
    return renewal_table(sums)


def renewal_table(sums: pd.DataFrame) -> pd.DataFrame:
    """The ``renewal_by_cycle`` table from the sums per cycle label (``cycle_sums``' columns,
    missing counts and sums read as 0): the rates worked out, cycles in order, ``EARLIER_START`` last."""
    counts = ["up_for_renewal", "renewed", "pending"]
    sums = sums.fillna(0.0).astype({c: np.int64 for c in counts})
    with np.errstate(divide="ignore", invalid="ignore"):
        sums["logo_rate"] = sums["renewed"] / sums["up_for_renewal"]
        sums["value_rate"] = sums["value_renewed"] / sums["value_up"]
        sums["gross_value_rate"] = sums["value_kept"] / sums["value_up"]
    order = sorted((c for c in sums.index if c != EARLIER_START), key=int) + [
        c for c in sums.index if c == EARLIER_START
    ]
    return sums.loc[order, RENEWAL_COLUMNS].rename_axis("cycle")


def cycle_sums(panel: ir.Table, window: np.ndarray) -> ir.Table:
    """Per ``label`` (the cycle number as text, or ``EARLIER_START``): contracts ``up_for_renewal``
    (decided), ``renewed``, ``pending``, and the sums ``value_up``, ``value_renewed`` (the renewed
    accounts' value in the quarter they renewed) and ``value_kept`` (that value capped at the old
    one). ``window``: sorted quarter ordinals the data cover; a contract is decided in the first of
    them after its end quarter, pending while there is none."""
    value = panel.contract_value.cast("float64") if "contract_value" in panel.columns else ibis.null("float64")
    rows = panel.select(
        "account_id",
        ordinal=engine.quarter_ordinal(panel.quarter),
        end=panel.contract_end.cast("date"),
        value=value,
        active=panel.active.fill_null(False),
    )
    ended = rows.filter(rows.end.notnull())
    contracts = ended.group_by("account_id", "end").aggregate(
        value=ended.value.argmax(ended.ordinal, where=ended.value.notnull()),  # the last row with a value
        first_seen=ended.ordinal.min(),
    )
    by_account = ibis.window(group_by="account_id", order_by=["first_seen", "end"])
    contracts = contracts.mutate(
        cycle=ibis.row_number().over(by_account) + 1,
        end_quarter=contracts.end.year().cast("int64") * 4 + (contracts.end.month().cast("int64") - 1) // 3,
    )
    ends = np.unique(engine.run(contracts.select("end_quarter").distinct())["end_quarter"].to_numpy(np.int64))
    position = np.searchsorted(window, ends, side="right")
    decided = ibis.memtable(
        pd.DataFrame(
            {
                "end_quarter": ends,
                "decided_in": window[np.minimum(position, len(window) - 1)],
                "pending": position == len(window),
            }
        )
    )
    contracts = contracts.join(decided, "end_quarter")
    active = rows.filter(rows.active)
    signup = active.group_by("account_id").aggregate(signup=active.ordinal.min())
    following = active.select("account_id", decided_in=active.ordinal, next_value=active.value, renews=True)
    contracts = contracts.left_join(following, ["account_id", "decided_in"]).select(
        contracts, following.next_value, renewed=following.renews.fill_null(False) & ~contracts.pending
    )
    contracts = contracts.left_join(signup, "account_id").select(contracts, signup.signup)
    label = ibis.cases(
        (contracts.signup == int(window[0]), ibis.literal(EARLIER_START)), else_=contracts.cycle.cast("string")
    )
    kept = ibis.cases(
        (contracts.value.isnull() | contracts.next_value.isnull(), ibis.null("float64")),
        else_=ibis.least(contracts.value, contracts.next_value),
    )
    decided_now, renewed = ~contracts.pending, contracts.renewed
    return contracts.group_by(label=label).aggregate(
        up_for_renewal=decided_now.sum(),
        renewed=renewed.sum(),
        pending=contracts.pending.sum(),
        value_up=contracts.value.sum(where=decided_now),
        value_renewed=contracts.next_value.sum(where=renewed),
        value_kept=kept.sum(where=renewed),
    )
