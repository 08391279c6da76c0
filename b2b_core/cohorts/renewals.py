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

EARLIER_START = "started before the data"
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
    ``observed``: the quarters the data cover (default: those in ``panel``). The engine returns
    the rows of the accounts that ever had a contract end (``contract_rows``)."""
    empty = pd.DataFrame(columns=RENEWAL_COLUMNS, index=pd.Index([], name="cycle"), dtype=float)
    table = engine.table(panel)
    if "contract_end" not in table.columns:
        return empty
    frame = engine.run(contract_rows(table))
    if frame.empty:
        return empty
    frame["account"] = pd.factorize(frame.pop("account_id"))[0]
    frame["contract_end"] = pd.to_datetime(frame["contract_end"])
    ordinals = engine.run(table.select(ordinal=engine.quarter_ordinal(table.quarter)).distinct())["ordinal"].to_numpy()
    rows = frame[frame["contract_end"].notna()].sort_values(["account", "ordinal"])
    contracts = rows.groupby(["account", "contract_end"], sort=False).agg(
        value=("value", "last"), first_seen=("ordinal", "min")
    )
    contracts = contracts.reset_index().sort_values(["account", "first_seen"])
    contracts["cycle"] = contracts.groupby("account").cumcount() + 1
    end_quarter = quarters.ordinals_of_dates(contracts["contract_end"])
    window = np.union1d(ordinals, quarters.ordinals_of(observed or []))
    position = np.searchsorted(window, end_quarter, side="right")
    contracts["pending"] = position == len(window)  # no quarter of the data after the end yet
    contracts["decided_in"] = window[np.minimum(position, len(window) - 1)]

    active = frame[frame["active"]]
    signup = active.groupby("account")["ordinal"].min()
    decided_in = pd.DataFrame(
        {"account": active["account"], "decided_in": active["ordinal"], "next_value": active["value"]}
    )
    contracts = contracts.merge(decided_in, how="left", indicator="next_quarter")
    contracts["renewed"] = (contracts["next_quarter"] == "both") & ~contracts["pending"]
    contracts["label"] = np.where(
        contracts["account"].map(signup).eq(window[0]), EARLIER_START, contracts["cycle"].astype(str)
    )
    decided = contracts[~contracts["pending"]]
    renewed = decided[decided["renewed"]]
    table = pd.DataFrame(
        {
            "up_for_renewal": decided.groupby("label").size(),
            "renewed": renewed.groupby("label").size(),
            "pending": contracts[contracts["pending"]].groupby("label").size(),
            "value_up": decided.groupby("label")["value"].sum(),
            "value_renewed": renewed.groupby("label")["next_value"].sum(),
            "value_kept": renewed.assign(kept=np.minimum(renewed["next_value"], renewed["value"]))
            .groupby("label")["kept"]
            .sum(),
        }
    ).fillna(0.0)
    counts = ["up_for_renewal", "renewed", "pending"]
    table[counts] = table[counts].astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["logo_rate"] = table["renewed"] / table["up_for_renewal"]
        table["value_rate"] = table["value_renewed"] / table["value_up"]
        table["gross_value_rate"] = table["value_kept"] / table["value_up"]
    order = sorted((c for c in table.index if c != EARLIER_START), key=int) + [
        c for c in table.index if c == EARLIER_START
    ]
    return table.loc[order, RENEWAL_COLUMNS].rename_axis("cycle")


def contract_rows(panel: ir.Table) -> ir.Table:
    """Every row of the accounts with a ``contract_end`` on some row: ``account_id``, ``ordinal``
    (quarter), ``contract_end``, ``value`` (``contract_value``, NULL without the column) and ``active``."""
    with_contract = panel.filter(panel.contract_end.notnull()).select("account_id").distinct()
    rows = panel.semi_join(with_contract, "account_id")
    value = rows.contract_value.cast("float64") if "contract_value" in panel.columns else ibis.null("float64")
    return rows.select(
        "account_id",
        ordinal=engine.quarter_ordinal(rows.quarter),
        contract_end=rows.contract_end.cast("date"),
        value=value,
        active=rows.active,
    )
