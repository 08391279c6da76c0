"""A finer segmentation than the 2×2: k-means clusters of accounts on several dimensions at once.

Features per account placed in the quarter (see ``assign``): log(1 + B-side revenue),
log(1 + platform revenue), take rate (clipped to its 1st–99th percentile so a few extreme ratios do
not make their own cluster), platform revenue growth against the previous quarter as
log(1 + now) − log(1 + before), clipped to its 1st–99th percentile (accounts without a previous
quarter get the median growth, and the profiles' median growth leaves them out), and
each custom metric (log(1 + v) when it is never negative; missing values get the median). Each
feature is standardised (mean 0, standard deviation 1); k-means runs for every k of ``k_values``
and the k with the highest silhouette score (on a sample of at most ``sample_size`` accounts) is
kept. A cluster is described in words by the features whose centre lies at least
``NOTABLE`` standard deviations from the average.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine, quarters
from b2b_core.quadrants.assign import Cut, as_assigned, assigned_rows

NOTABLE = 0.5  # standard deviations
FEATURE_WORDS = {  # feature → (word when high, word when low)
    "log_b_side_revenue": ("high B-side revenue", "low B-side revenue"),
    "log_platform_revenue": ("high platform revenue", "low platform revenue"),
    "take_rate": ("high take rate", "low take rate"),
    "growth": ("growing faster than most", "growing slower than most"),
}
MIN_ACCOUNTS = 10


@dataclass(frozen=True)
class Segmentation:
    """The chosen clustering.

    ``accounts``: account_id, quadrant and ``cluster`` (1 … k, largest cluster first) per placed
    account. ``profiles``: per cluster, accounts, median B-side and platform revenue, median take
    rate and growth, and ``description`` in words. ``silhouette``: the score of each k tried.
    """

    k: int
    accounts: pd.DataFrame
    profiles: pd.DataFrame
    silhouette: pd.Series


def segment_accounts(
    panel: engine.Source,
    quarter: str,
    cut: Cut = "median",
    by: str | None = None,
    accounts: pd.Index | None = None,
    k_values: range = range(2, 9),
    sample_size: int = 3_000,
    fit_size: int = 5_000,
    random_state: int = 0,
) -> Segmentation:
    """Cluster the accounts placed in ``quarter``: k-means is fitted on at most ``fit_size``
    accounts drawn at random (all when fewer), the silhouette scored on at most ``sample_size`` of
    those, and every account is then assigned to its nearest centre. Only ``accounts`` when given;
    ``cut`` and ``by`` give each account its quadrant as on the map. Raises ``ValueError`` with
    fewer than ``MIN_ACCOUNTS`` placed accounts."""
    from sklearn.cluster import KMeans  # imported here: scikit-learn takes a second to load, and only this needs it
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    table = engine.table(panel)
    placed = _placed(table, quarter, cut, by, accounts)
    if len(placed) < MIN_ACCOUNTS:
        raise ValueError(
            f"{quarter} has {len(placed)} accounts with both revenues; clustering needs at least {MIN_ACCOUNTS}"
        )
    features, growth_known = _features(table, placed)
    scaled = StandardScaler().fit_transform(features.to_numpy())
    scaled = np.nan_to_num(scaled)  # a constant feature scales to 0/0
    rng = np.random.default_rng(random_state)
    fitted_on = scaled if len(scaled) <= fit_size else scaled[rng.choice(len(scaled), fit_size, replace=False)]
    scores, models = {}, {}
    for k in [k for k in k_values if 2 <= k < len(fitted_on)]:
        model = KMeans(n_clusters=k, n_init=2, random_state=random_state).fit(fitted_on)
        if len(np.unique(model.labels_)) < 2:
            continue
        scores[k] = silhouette_score(
            fitted_on, model.labels_, sample_size=min(sample_size, len(fitted_on)), random_state=random_state
        )
        models[k] = model
    if not scores:
        raise ValueError(f"the accounts of {quarter} do not split into clusters (they are all alike)")
    best = max(scores, key=scores.get)
    labels = models[best].predict(scaled)
    by_size = pd.Series(labels).value_counts().index  # cluster numbers by size, largest first
    cluster = pd.Series(labels).map({old: new for new, old in enumerate(by_size, start=1)}).to_numpy()
    accounts = placed[["account_id", "quadrant"]].assign(cluster=cluster)
    profiles = _profiles(placed, features, growth_known, scaled, cluster)
    return Segmentation(best, accounts, profiles, pd.Series(scores, name="silhouette").rename_axis("k"))


def _placed(table: ir.Table, quarter: str, cut: Cut, by: str | None, accounts: pd.Index | None) -> pd.DataFrame:
    """The placed accounts of ``quarter`` as ``assign_quadrants`` gives them, by account_id, with
    only what the clustering reads (no names or groups: millions of texts at scale) and
    ``before``, the account's platform revenue in the quarter before (NaN without a row there)."""
    rows, custom = assigned_rows(table, quarter, cut, by, accounts, attributes=False)
    placed = rows.filter(rows.x_cut.notnull())
    previous = table.filter(table.quarter == quarters.shift(quarter, -1))
    before = previous.group_by("account_id").agg(before=previous.platform_revenue.sum())
    joined = placed.left_join(before, placed.account_id == before.account_id)
    frame = engine.run(joined.select(*(placed[c] for c in placed.columns), before.before).order_by("account_id"))
    return as_assigned(frame, custom)


def _features(panel: ir.Table, placed: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The feature table of the placed accounts (``_placed``), and which of them have a growth of
    their own."""
    features = pd.DataFrame(
        {
            "log_b_side_revenue": np.log1p(placed["b_side_revenue"].clip(lower=0)),
            "log_platform_revenue": np.log1p(placed["platform_revenue"].clip(lower=0)),
        }
    )
    rate = placed["take_rate"]
    low, high = rate.quantile([0.01, 0.99]) if rate.notna().any() else (0.0, 0.0)
    features["take_rate"] = rate.clip(low, high).fillna(rate.median() if rate.notna().any() else 0.0)
    growth = np.log1p(placed["platform_revenue"].clip(lower=0)) - np.log1p(placed["before"].clip(lower=0))
    if growth.notna().any():
        growth = growth.clip(*growth.quantile([0.01, 0.99]))
    features["growth"] = growth.fillna(growth.median() if growth.notna().any() else 0.0)
    growth_known = growth.notna().to_numpy()  # the profiles' median growth uses these only
    for metric in [m for m in engine.custom_metrics(panel) if m in placed.columns]:
        values = placed[metric].astype(float)
        values = np.log1p(values) if (values.dropna() >= 0).all() else values
        features[metric] = values.fillna(values.median() if values.notna().any() else 0.0)
    return features, growth_known


def _profiles(
    placed: pd.DataFrame, features: pd.DataFrame, known: np.ndarray, scaled: np.ndarray, cluster: np.ndarray
) -> pd.DataFrame:
    rows = []
    for number in range(1, cluster.max() + 1):
        members = cluster == number
        centre = scaled[members].mean(axis=0)
        rows.append(
            {
                "cluster": number,
                "accounts": int(members.sum()),
                "median_b_side_revenue": placed.loc[members, "b_side_revenue"].median(),
                "median_platform_revenue": placed.loc[members, "platform_revenue"].median(),
                "median_take_rate": placed.loc[members, "take_rate"].median(),
                "median_growth": float(np.expm1(features.loc[members & known, "growth"].median())),
                "description": describe(dict(zip(features.columns, centre, strict=True))),
            }
        )
    return pd.DataFrame(rows).set_index("cluster")


def describe(centre: dict[str, float]) -> str:
    """The notable features of a standardised cluster centre in words, strongest first:
    ``{"take_rate": -1.2, "growth": 0.7}`` → ``"low take rate, growing"``; ``"close to average"``
    when no feature is ``NOTABLE``."""
    notable = sorted(((abs(z), name, z) for name, z in centre.items() if abs(z) >= NOTABLE), reverse=True)
    words = []
    for _, name, z in notable:
        high, low = FEATURE_WORDS.get(name, (f"high {name.replace('_', ' ')}", f"low {name.replace('_', ' ')}"))
        words.append(high if z > 0 else low)
    return ", ".join(words) if words else "close to average"
