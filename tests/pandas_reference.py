"""The views as first written in pandas on the whole panel: the references the engine's
reductions must match on small panels (``tests/test_reductions.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2b_core import contract, quarters
from b2b_core.lifecycle import metrics as metrics_module
from b2b_core.lifecycle.metrics import SIGNALS
from b2b_core.overview import KPI_COLUMNS
from b2b_core.quadrants import (
    AFTER_STATES,
    BEFORE_STATES,
    CHURNED,
    INACTIVE,
    MIN_GROUP,
    NEW,
    PLACED,
    QUADRANTS,
    RETURNING,
    STATES,
    SUMMARY_COLUMNS,
    Cut,
)
from b2b_core.quadrants.assign import ATTRIBUTES


def quarter_kpis(panel: pd.DataFrame) -> pd.DataFrame:
    """``overview.quarter_kpis`` computed in pandas."""
    if panel.empty:
        return pd.DataFrame(columns=KPI_COLUMNS, index=pd.Index([], name="quarter"), dtype=float)
    frame = panel.assign(ordinal=quarters.ordinals_of(panel["quarter"]))
    by_quarter = frame.groupby("ordinal")
    reported = frame[frame["b_side_revenue"].notna()].groupby("ordinal")
    b_side = reported["b_side_revenue"].sum()
    kpis = pd.DataFrame(
        {
            "platform_revenue": by_quarter["platform_revenue"].sum(),
            "b_side_revenue": b_side.reindex(by_quarter.size().index),
        }
    )
    kpis["take_rate"] = reported["platform_revenue"].sum() / b_side.replace(0, np.nan)

    active = frame.loc[frame["active"], ["account_id", "ordinal"]].drop_duplicates()
    kpis["active_accounts"] = active.groupby("ordinal").size().reindex(kpis.index, fill_value=0)
    first = active.groupby("account_id")["ordinal"].transform("min")
    kpis["new_accounts"] = (
        active[first == active["ordinal"]].groupby("ordinal").size().reindex(kpis.index, fill_value=0)
    )

    seen_next_quarter = active.assign(ordinal=active["ordinal"] + 1)
    lost = _not_active(seen_next_quarter, active)
    kpis["churned_accounts"] = lost.groupby("ordinal").size().reindex(kpis.index, fill_value=0).astype(float)
    older = active[first < active["ordinal"] - 1]
    back = older.loc[_not_active(older.assign(ordinal=older["ordinal"] - 1), active).index]
    kpis["returning_accounts"] = back.groupby("ordinal").size().reindex(kpis.index, fill_value=0).astype(float)
    unknown_before = ~(kpis.index - 1).isin(kpis.index)
    kpis.loc[unknown_before, ["churned_accounts", "returning_accounts"]] = np.nan

    kpis.index = pd.Index([quarters.from_ordinal(o) for o in kpis.index], name="quarter")
    return kpis[KPI_COLUMNS]


def _not_active(rows: pd.DataFrame, active: pd.DataFrame) -> pd.DataFrame:
    merged = rows.merge(active, on=["account_id", "ordinal"], how="left", indicator=True)
    return rows[(merged["_merge"] == "left_only").to_numpy()]


def quadrant_summary(panel, cut="median", by=None, quarters=None, accounts=None) -> pd.DataFrame:
    """``quadrants.quadrant_summary`` computed in pandas, quarter by quarter from ``assign_quadrants``."""
    chosen = sorted(panel["quarter"].unique()) if quarters is None else quarters
    frames = {}
    for quarter in chosen:
        placed = assign_quadrants(panel, quarter, cut, by, accounts)
        placed = placed[placed["quadrant"].isin(PLACED)]
        placed = placed.assign(quadrant=placed["quadrant"].cat.set_categories(list(PLACED)))
        grouped = placed.groupby("quadrant", observed=False)
        table = pd.DataFrame({"accounts": grouped.size()})
        table["account_share"] = table["accounts"] / len(placed) if len(placed) else float("nan")
        for revenue in ("platform_revenue", "b_side_revenue"):
            total = placed[revenue].sum()
            table[f"{revenue}_share"] = grouped[revenue].sum() / total if total > 0 else float("nan")
        table["median_take_rate"] = grouped["take_rate"].median()
        frames[quarter] = table
    if not frames:
        empty = pd.MultiIndex.from_tuples([], names=["quarter", "quadrant"])
        return pd.DataFrame(columns=SUMMARY_COLUMNS, index=empty)
    return pd.concat(frames, names=["quarter", "quadrant"])[SUMMARY_COLUMNS]


def company_metrics(panel: pd.DataFrame) -> pd.DataFrame:
    """``lifecycle.company_metrics`` computed in pandas."""
    kpis = quarter_kpis(panel)
    metrics = kpis.copy()
    for name in SIGNALS:
        metrics[name] = np.nan
    if kpis.empty:
        return metrics
    ordinal = pd.Series(quarters.ordinals_of(panel["quarter"]), index=panel.index)
    rows = panel.assign(ordinal=ordinal)
    by_ordinal = {q: quarters.to_ordinal(q) for q in kpis.index}  # kpis are in quarter order
    first_quarter = by_ordinal[kpis.index[0]]
    active = rows[rows["active"]]
    first_active = active.groupby("account_id")["ordinal"].min()
    revenue = rows.groupby(["ordinal", "account_id"])["platform_revenue"].sum()
    active_sets = active.groupby("ordinal")["account_id"].agg(set)

    metrics["quarters_of_history"] = np.arange(1, len(kpis) + 1)
    for quarter, q in by_ordinal.items():
        out = metrics.loc[quarter]
        for column, lag, name in (
            ("platform_revenue", 1, "platform_revenue_growth_qoq"),
            ("platform_revenue", 4, "platform_revenue_growth_yoy"),
            ("active_accounts", 1, "active_accounts_growth_qoq"),
            ("active_accounts", 4, "active_accounts_growth_yoy"),
            ("new_accounts", 4, "new_accounts_growth_yoy"),
        ):
            earlier = quarters.shift(quarter, -lag)
            if column == "new_accounts" and q - lag == first_quarter:
                continue  # the first quarter's "new" accounts include everyone who signed up earlier
            if earlier in kpis.index and kpis.loc[earlier, column] > 0:
                metrics.loc[quarter, name] = out[column] / kpis.loc[earlier, column] - 1
        for column in ("platform_revenue", "active_accounts"):
            metrics.loc[quarter, f"{column}_growth_annual"] = metrics_module._annual_growth(kpis[column], quarter)
        now = revenue.loc[q] if q in revenue.index.get_level_values(0) else pd.Series(dtype=float)
        year_ago = q - 4
        if year_ago in active_sets.index:
            base = active_sets.loc[year_ago]
            still = active_sets.loc[q] if q in active_sets.index else set()
            metrics.loc[quarter, "logo_retention_4q"] = len(base & still) / len(base) if base else np.nan
            before = revenue.loc[year_ago].reindex(list(base)).sum()
            if before > 0:
                metrics.loc[quarter, "nrr_4q"] = now.reindex(list(base)).fillna(0).sum() / before
        total = now.sum()
        if total > 0:
            if q - 4 >= first_quarter:  # before that, an account's true age is unknown
                mature = first_active.reindex(now.index) <= q - 4
                metrics.loc[quarter, "mature_revenue_share"] = now[mature.to_numpy()].sum() / total
            metrics.loc[quarter, "top10_share"] = now.nlargest(10).sum() / total
        new = set(first_active.index[first_active == q - 1])  # last quarter's new accounts
        if new and q - 1 > first_quarter:
            kept = active_sets.loc[q] if q in active_sets.index else set()
            metrics.loc[quarter, "activation"] = len(new & kept) / len(new)

    mix = quadrant_summary(panel)
    for quarter in kpis.index:
        if quarter in mix.index.get_level_values(0) and mix.loc[quarter, "accounts"].sum() > 0:
            shares = mix.loc[quarter]
            for q in QUADRANTS:
                metrics.loc[quarter, f"share_{q.lower()}"] = shares.loc[q, "account_share"]
            metrics.loc[quarter, "q4_b_side_revenue_share"] = shares.loc["Q4", "b_side_revenue_share"]
            metrics.loc[quarter, "q2_platform_revenue_share"] = shares.loc["Q2", "platform_revenue_share"]
    return metrics


def assign_quadrants(
    panel: pd.DataFrame,
    quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
) -> pd.DataFrame:
    """``quadrants.assign_quadrants`` computed in numpy, in panel order."""
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
    cut_set = np.zeros(len(rows), dtype=int)  # the accounts sharing cut points: 0 the quarter's, g + 1 group g's
    if placed.any():
        x_cut[placed], y_cut[placed] = _cut_points(x[placed], y[placed], cut)
    if by is not None and not (isinstance(cut, tuple) and cut[0] == "value"):
        groups = pd.factorize(rows[by].astype(object).fillna(""))[0]
        for group in np.unique(groups[placed]):
            members = placed & (groups == group)
            if members.sum() >= MIN_GROUP:
                x_cut[members], y_cut[members] = _cut_points(x[members], y[members], cut)
                cut_set[members] = group + 1

    with np.errstate(invalid="ignore"):
        high_x, high_y = x > x_cut, y > y_cut
        # tied: a cut > 0, within max(0.1% of it, a cent); material: ≥ 3 accounts and ≥ 5% of the cut's accounts
        tied = [(c > 0) & (np.abs(v - c) <= np.maximum(0.001 * c, 0.01)) for v, c in ((x, x_cut), (y, y_cut))]
    at_cut = np.zeros(len(rows), dtype=bool)
    for members in [placed & (cut_set == s) for s in np.unique(cut_set[placed])]:
        for near in tied:
            if (near & members).sum() >= max(3, 0.05 * members.sum()):
                at_cut |= near & members
    # codes into STATES: Q1 0, Q2 1, Q3 2, Q4 3, at the cut 4, no B-side 5, inactive 6
    codes = np.where(high_y, np.where(high_x, 0, 1), np.where(high_x, 3, 2))
    codes = np.where(placed, np.where(at_cut, 4, codes), np.where(active, 5, 6))
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


def accounts_matching(panel: pd.DataFrame, selection: dict[str, list[str]] | None = None) -> pd.Index | None:
    """``quadrants.accounts_matching`` computed in pandas."""
    selection = {c: v for c, v in (selection or {}).items() if v and c in panel.columns}
    if not selection:
        return None
    order = quarters.ordinals_of(panel["quarter"])
    latest = panel.iloc[np.argsort(order, kind="stable")].drop_duplicates("account_id", keep="last")
    keep = np.ones(len(latest), dtype=bool)
    for column, accepted in selection.items():
        keep &= latest[column].isin(accepted).to_numpy()
    return pd.Index(latest.loc[keep, "account_id"])


def migration_accounts(
    panel: pd.DataFrame,
    from_quarter: str,
    to_quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
) -> pd.DataFrame:
    """``quadrants.quadrant_migration`` computed in pandas: the per-account frame the views were built on."""
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
    return accounts


def _active_earlier(panel: pd.DataFrame, ids: pd.Index, quarter: str) -> np.ndarray:
    """Per id: active in some quarter before ``quarter``."""
    earlier = quarters.ordinals_of(panel["quarter"]) < quarters.to_ordinal(quarter)
    return ids.isin(panel.loc[earlier & panel["active"].to_numpy(dtype=bool), "account_id"].unique())


def movers(accounts: pd.DataFrame) -> pd.DataFrame:
    """The accounts of ``migration_accounts`` whose state changed, largest platform revenue change first."""
    moved = accounts[accounts["before"].astype(str).to_numpy() != accounts["after"].astype(str).to_numpy()].copy()
    for revenue in ("platform_revenue", "b_side_revenue"):
        moved[f"{revenue}_change"] = moved[f"{revenue}_after"] - moved[f"{revenue}_before"]
    order = np.lexsort((moved["account_id"].to_numpy(), -moved["platform_revenue_change"].abs().to_numpy()))
    return moved.iloc[order].reset_index(drop=True)


def segment_accounts(
    panel: pd.DataFrame, quarter: str, cut: Cut = "median", by=None, accounts=None, fit_size: int = 5_000
) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    """``quadrants.segment_accounts`` computed on the placed accounts in pandas: (k, account_id,
    quadrant and cluster per placed account by account_id, the profiles)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    from b2b_core.quadrants.segments import Feature, describe

    rows = assign_quadrants(panel, quarter, cut, by, accounts)
    placed = rows[rows["quadrant"].isin(PLACED)].sort_values("account_id").reset_index(drop=True)
    previous = panel[panel["quarter"] == quarters.shift(quarter, -1)].set_index("account_id")["platform_revenue"]
    before = placed["account_id"].map(previous)
    features = pd.DataFrame(
        {
            "log_b_side_revenue": np.log1p(placed["b_side_revenue"].clip(lower=0)),
            "log_platform_revenue": np.log1p(placed["platform_revenue"].clip(lower=0)),
        }
    )
    rate = placed["take_rate"]
    low, high = rate.quantile([0.01, 0.99]) if rate.notna().any() else (0.0, 0.0)
    growth = np.log1p(placed["platform_revenue"].clip(lower=0)) - np.log1p(before.clip(lower=0))
    if growth.notna().any():
        growth = growth.clip(*growth.quantile([0.01, 0.99]))
    unfilled = {**features, "take_rate": rate.clip(low, high), "growth": growth}  # before the fills
    logged = set()
    for metric in [m for m in contract.custom_metrics(panel) if placed[m].notna().any()]:
        values = placed[metric].astype(float)
        if (values.dropna() >= 0).all():
            logged.add(metric)
            values = np.log1p(values)
        unfilled[metric] = values
    for name, values in unfilled.items():
        features[name] = values.fillna(values.median() if values.notna().any() else 0.0)
    known = growth.notna().to_numpy()
    scaled = StandardScaler().fit_transform(features.to_numpy())
    rng = np.random.default_rng(0)
    fitted_on = scaled if len(scaled) <= fit_size else scaled[rng.choice(len(scaled), fit_size, replace=False)]
    scores, models = {}, {}
    for k in [k for k in range(2, 9) if k < len(fitted_on)]:
        model = KMeans(n_clusters=k, n_init=2, random_state=0).fit(fitted_on)
        if len(np.unique(model.labels_)) > 1:
            sample = min(3_000, len(fitted_on))
            scores[k] = silhouette_score(fitted_on, model.labels_, sample_size=sample, random_state=0)
            models[k] = model
    best = max(scores, key=scores.get)
    labels = models[best].predict(scaled)
    sizes = pd.Series(labels).value_counts()
    by_size = sorted(sizes.index, key=lambda label: (-sizes[label], label))
    cluster = pd.Series(labels).map({old: new for new, old in enumerate(by_size, start=1)}).to_numpy()
    profiles = []
    for number in range(1, cluster.max() + 1):
        members = cluster == number
        profiles.append(
            {
                "cluster": number,
                "accounts": int(members.sum()),
                "median_b_side_revenue": placed.loc[members, "b_side_revenue"].median(),
                "median_platform_revenue": placed.loc[members, "platform_revenue"].median(),
                "median_take_rate": placed.loc[members, "take_rate"].median(),
                "median_growth": float(np.expm1(features.loc[members & known, "growth"].median())),
                "description": describe(
                    {
                        name: z
                        for name, z in zip(features.columns, scaled[members].mean(axis=0), strict=True)
                        if Feature(name, logged=name in logged, median=unfilled[name].median()).material(
                            unfilled[name][members].median()
                        )
                    }
                ),
            }
        )
    assigned = placed[["account_id", "quadrant"]].assign(quadrant=lambda f: f["quadrant"].astype(str), cluster=cluster)
    return best, assigned, pd.DataFrame(profiles).set_index("cluster")
