"""A finer segmentation than the 2×2: k-means clusters of accounts on several dimensions at once.

Features per account placed in the quarter (see ``assign``; the accounts at a cut are placed
accounts too: their features do not depend on the cut): log(1 + B-side revenue),
log(1 + platform revenue), take rate (clipped to its 1st–99th percentile so a few extreme ratios do
not make their own cluster), platform revenue growth against the previous quarter as
log(1 + now) − log(1 + before), clipped to its 1st–99th percentile (accounts without a previous
quarter get the median growth, and the profiles' median growth leaves them out), and
each custom metric (log(1 + v) when it is never negative; missing values get the median). Each
feature is standardised (mean 0, standard deviation 1); k-means runs for every k of ``k_values``
and the k with the highest silhouette score (on a sample of at most ``sample_size`` accounts) is
kept. A cluster is described in words by the features whose centre lies at least
``NOTABLE`` standard deviations from the average and whose median differs materially from all
placed accounts' (``Feature.material``): when every account pays the same rate, 10.00% against
10.02% is no "low take rate", however far apart the standardised values are.

The accounts stay in the engine: their features, the clipping and standardisation, the nearest
centre and the profiles are queries; only the accounts k-means is fitted on (at most
``fit_size``) come into memory. ``account_clusters`` gives any accounts' clusters on demand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from b2b_core import engine, quarters
from b2b_core.i18n import N_, _
from b2b_core.quadrants.assign import PLACED, Cut, cut_rows

NOTABLE = 0.5  # standard deviations
FEATURE_WORDS = {  # feature → (word when high, word when low), ``_`` where written
    "log_b_side_revenue": (N_("high B-side revenue"), N_("low B-side revenue")),
    "log_platform_revenue": (N_("high platform revenue"), N_("low platform revenue")),
    "take_rate": (N_("high take rate"), N_("low take rate")),
    "growth": (N_("growing faster than most"), N_("growing slower than most")),
}
MIN_ACCOUNTS = 10
MATERIAL_LOG_GAP = math.log(1.1)  # a cluster's median 10% above or below everyone's, on a logged feature
MATERIAL_GROWTH_GAP = 0.05  # log growth
MATERIAL_SHARE = 0.10  # of the larger median, on the other features
TOLERANCE = 1e-12
CLIPPED = (0.01, 0.99)  # the share of accounts below the lower and the upper clip of take rate and growth


@dataclass(frozen=True)
class Feature:
    """One standardised feature: the column of ``_feature_rows`` it reads (``logged``: as
    log(1 + v)), clipped to [``low``, ``high``] when given, a missing value taken as ``fill``, then
    z = (value − ``mean``) / ``scale``."""

    name: str
    logged: bool = False
    low: float | None = None
    high: float | None = None
    fill: float = 0.0
    mean: float = 0.0
    scale: float = 1.0
    median: float = math.nan  # of the clipped values of the accounts that have one

    def material(self, cluster_median: float) -> bool:
        """Whether a cluster whose median value is ``cluster_median`` differs materially from all
        placed accounts (``median``): by at least 10% in the quantity for a logged feature (a gap
        of ln 1.1 in log(1 + v)), 5 points of log growth for growth, and 10% of the larger of the
        two medians otherwise (take rate, a custom metric that can be negative)."""
        if math.isnan(cluster_median) or math.isnan(self.median):
            return False
        gap = float(abs(cluster_median - self.median))
        if self.logged or self.name.startswith("log_"):
            return gap >= MATERIAL_LOG_GAP - TOLERANCE
        if self.name == "growth":
            return gap >= MATERIAL_GROWTH_GAP - TOLERANCE
        return gap >= MATERIAL_SHARE * float(max(abs(cluster_median), abs(self.median))) - TOLERANCE

    def value(self, rows: ir.Table) -> ir.FloatingValue:
        """The clipped value, null when the account has none."""
        value = _log1p(rows[self.name]) if self.logged else rows[self.name]
        return value.clip(lower=self.low, upper=self.high) if self.low is not None else value

    def z(self, rows: ir.Table) -> ir.FloatingValue:
        return (self.value(rows).fill_null(self.fill) - self.mean) / self.scale


@dataclass(frozen=True)
class Segmentation:
    """The chosen clustering of the placed accounts of ``quarter`` (cut by ``cut`` and ``by``,
    only ``accounts`` when given).

    ``placed``: the accounts clustered. ``profiles``: per cluster (1 … k, largest first), accounts,
    median B-side and platform revenue, median take rate and growth, and ``description`` in words.
    ``mix``: accounts per cluster (rows) and placed state (columns: the quadrants and ``at the
    cut`` that hold any account). ``silhouette``: the score of each
    k tried. ``features`` and ``centres`` (k × features, standardised, in k-means' order, which
    ``numbers`` maps to cluster numbers) place any account: see ``account_clusters``.
    """

    k: int
    placed: int
    profiles: pd.DataFrame
    mix: pd.DataFrame
    silhouette: pd.Series
    quarter: str
    cut: Cut
    by: str | None
    accounts: pd.Index | None
    features: tuple[Feature, ...]
    centres: np.ndarray
    numbers: tuple[int, ...]


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
    accounts drawn at random (all when fewer; positions in account_id order), the silhouette
    scored on at most ``sample_size`` of those, and every account is then assigned to its nearest
    centre (the first of equally near ones). Only ``accounts`` when given; ``cut`` and ``by`` give
    each account its quadrant as on the map. Raises ``ValueError`` with fewer than
    ``MIN_ACCOUNTS`` placed accounts."""
    table = engine.table(panel)
    with engine.cached(_feature_rows(table, quarter, cut, by, accounts)) as rows:  # read 4 times
        placed, features = _standardisation(rows, engine.custom_metrics(table))
        if placed < MIN_ACCOUNTS:
            raise ValueError(
                _("{quarter} has {placed} accounts with both revenues; clustering needs at least {least}").format(
                    quarter=quarters.quarter_text(quarter), placed=placed, least=MIN_ACCOUNTS
                )
            )
        fitted_on = _fit_sample(rows, features, placed, fit_size, np.random.default_rng(random_state))
        scores, models = _fits(fitted_on, k_values, sample_size, random_state)
        if not scores:
            raise ValueError(
                _("the accounts of {quarter} do not split into clusters (they are all alike)").format(
                    quarter=quarters.quarter_text(quarter)
                )
            )
        best = max(scores, key=scores.get)
        centres = models[best].cluster_centers_
        profiles, mix, numbers = _profiles(rows, features, centres)
    silhouette = pd.Series(scores, name="silhouette").rename_axis("k")
    return Segmentation(best, placed, profiles, mix, silhouette, quarter, cut, by, accounts, features, centres, numbers)


def _fits(fitted_on: np.ndarray, k_values: range, sample_size: int, random_state: int) -> tuple[dict, dict]:
    """k-means of ``fitted_on`` for each k of ``k_values`` that splits it in at least two: (the
    silhouette score per k, on at most ``sample_size`` points; the model per k)."""
    from sklearn.cluster import KMeans  # imported here: scikit-learn takes a second to load, and only this needs it
    from sklearn.metrics import silhouette_score

    scores, models = {}, {}
    for k in [k for k in k_values if 2 <= k < len(fitted_on)]:
        model = KMeans(n_clusters=k, n_init=2, random_state=random_state).fit(fitted_on)
        if len(np.unique(model.labels_)) < 2:
            continue
        scores[k] = silhouette_score(
            fitted_on, model.labels_, sample_size=min(sample_size, len(fitted_on)), random_state=random_state
        )
        models[k] = model
    return scores, models


def account_clusters(panel: engine.Source, segmentation: Segmentation, ids: pd.Index | None = None) -> ir.Table:
    """The placed accounts of ``segmentation`` (only those of ``ids`` when given) with their
    cluster, as an engine expression (run it, or read it in parts): ``account_id``, ``quadrant``,
    ``b_side_revenue``, ``platform_revenue`` and ``cluster``, unordered."""
    s = segmentation
    rows = _feature_rows(engine.table(panel), s.quarter, s.cut, s.by, s.accounts, ids)
    nearest = _nearest(rows, s.features, s.centres)
    cluster = ibis.cases(*((nearest == label, number) for label, number in enumerate(s.numbers)))
    return rows.select("account_id", "quadrant", "b_side_revenue", "platform_revenue", cluster=cluster)


def _log1p(value: ir.NumericValue) -> ir.FloatingValue:
    """log(1 + max(v, 0)), null for null."""
    return (value.clip(lower=0) + 1).ln()


def _feature_rows(table: ir.Table, quarter: str, cut: Cut, by: str | None, *only: pd.Index | None) -> ir.Table:
    """One row per placed account of ``quarter`` (of each of ``only`` that is not None):
    ``account_id``, ``quadrant``, both revenues, the raw features (``take_rate``: null when
    B-side revenue is 0; ``growth``: null without a row in the quarter before) and the custom
    metrics as numbers."""
    rows = cut_rows(table, [quarter], cut, by)
    rows = rows.filter(rows.placed)
    for accounts in [a for a in only if a is not None]:
        rows = rows.semi_join(engine.ids(accounts), "account_id")
    previous = table.filter(table.quarter == quarters.shift(quarter, -1))  # one row per account: the contract's
    before = previous.select("account_id", before=previous.platform_revenue)
    rows = rows.left_join(before, rows.account_id == before.account_id)
    b_side, platform = rows.b_side_revenue, rows.platform_revenue
    return rows.select(
        "account_id",
        "quadrant",
        "b_side_revenue",
        "platform_revenue",
        log_b_side_revenue=_log1p(b_side),
        log_platform_revenue=_log1p(platform),
        take_rate=(b_side > 0).ifelse(platform / b_side, ibis.null("float64")),
        growth=_log1p(platform) - _log1p(rows.before),
        **{metric: rows[metric].cast("float64") for metric in engine.custom_metrics(table)},
    )


def _standardisation(rows: ir.Table, custom: list[str]) -> tuple[int, tuple[Feature, ...]]:
    """The placed accounts and each feature's clips, fill, mean and scale, in two passes: the
    percentiles, medians and custom metrics' ranges; then, per feature, the count and the sums
    of (v − c) and (v − c)² of the clipped values around a centre c from the first pass (its
    mean or median, so that the squares lose no precision), from which the mean and
    population standard deviation with the missing values filled follow without a third pass
    (mean = c + S/n, variance = Q/n − (S/n)², with the fills' terms added). A constant feature
    keeps a scale of 1, as scikit-learn's ``StandardScaler``. A custom metric with no value is
    left out."""
    low, high = CLIPPED
    first = engine.run(
        rows.aggregate(
            placed=rows.count(),
            **{f"{n}_mean": rows[n].mean() for n in ("log_b_side_revenue", "log_platform_revenue", "growth")},
            take_rate=rows.take_rate.quantile([low, 0.5, high]),  # null without a value
            growth=rows.growth.quantile([low, high]),
            **{f"{m}_count": rows[m].count() for m in custom},
            **{f"{m}_min": rows[m].min() for m in custom},
            **{f"{m}_mid": rows[m].median() for m in custom},
            **{f"{m}_logmid": _log1p(rows[m]).median() for m in custom},
        )
    ).iloc[0]
    placed = int(first["placed"])
    if placed == 0:
        return 0, ()
    rate_low, rate_mid, rate_high = _or_zeros(first["take_rate"], 3)
    growth_low, growth_high = _or_zeros(first["growth"], 2)
    features = [
        Feature("log_b_side_revenue", fill=first["log_b_side_revenue_mean"]),  # never missing: a centre only
        Feature("log_platform_revenue", fill=first["log_platform_revenue_mean"]),
        Feature("take_rate", low=rate_low, high=rate_high, fill=rate_mid),
        Feature(
            "growth", low=growth_low, high=growth_high, fill=np.nan_to_num(first["growth_mean"])
        ),  # the mean: the centre of the sums; the fill, the clipped values' median, follows
    ]
    for metric in [m for m in custom if first[f"{m}_count"]]:
        logged = first[f"{metric}_min"] >= 0
        features.append(Feature(metric, logged=logged, fill=first[f"{metric}_logmid" if logged else f"{metric}_mid"]))
    centre = {f.name: f.fill for f in features}
    values = {f.name: f.value(rows) for f in features}
    second = engine.run(
        rows.aggregate(
            **{f"{n}_median": v.median() for n, v in values.items()},
            **{f"{n}_count": v.count() for n, v in values.items()},
            **{f"{n}_sum": (v - centre[n]).sum() for n, v in values.items()},
            **{f"{n}_squares": ((v - centre[n]) ** 2).sum() for n, v in values.items()},
        )
    ).iloc[0]
    growth_fill = np.nan_to_num(second["growth_median"])  # 0 when no account has a growth
    scaled = []
    for feature in features:
        fill = growth_fill if feature.name == "growth" else feature.fill
        missing = placed - int(second[f"{feature.name}_count"])
        offset = fill - centre[feature.name]
        total = np.nan_to_num(second[f"{feature.name}_sum"]) + missing * offset
        squares = np.nan_to_num(second[f"{feature.name}_squares"]) + missing * offset**2
        shift, variance = total / placed, max(squares / placed - (total / placed) ** 2, 0.0)
        mean = centre[feature.name] + shift
        eps = np.finfo(float).eps  # scikit-learn's test of a constant feature
        constant = variance <= placed * eps * variance + (placed * mean * eps) ** 2
        scale = 1.0 if constant else math.sqrt(variance)
        scaled.append(replace(feature, fill=fill, mean=mean, scale=scale, median=second[f"{feature.name}_median"]))
    return placed, tuple(scaled)


def _or_zeros(values, count: int) -> list[float]:
    """The quantiles the engine gave, or ``count`` zeros when it gave none (no value at all)."""
    return [float(v) for v in values] if values is not None and len(values) else [0.0] * count


def _fit_sample(
    rows: ir.Table, features: tuple[Feature, ...], placed: int, fit_size: int, rng: np.random.Generator
) -> np.ndarray:
    """The standardised features of the accounts k-means is fitted on: all (by account_id) up to
    ``fit_size``, else ``fit_size`` positions in account_id order drawn without replacement by
    ``rng``, in the order drawn."""
    z = {f.name: f.z(rows) for f in features}
    if placed <= fit_size:
        frame = engine.run(rows.select("account_id", **z).order_by("account_id"))
    else:
        drawn = rng.choice(placed, fit_size, replace=False)
        numbered = rows.select(**z, position=ibis.row_number().over(order_by="account_id"))
        order = ibis.memtable(pd.DataFrame({"position": drawn.astype("int64"), "draw": np.arange(fit_size)}))
        picked = numbered.join(order, "position")
        frame = engine.run(picked.select(*z, "draw").order_by("draw"))
    return frame[list(z)].to_numpy(dtype=float)


def _nearest(rows: ir.Table, features: tuple[Feature, ...], centres: np.ndarray) -> ir.IntegerValue:
    """The row of ``centres`` nearest (squared Euclidean) to each account's standardised
    features: the first of equally near ones, as k-means' ``predict``."""
    z = [f.z(rows) for f in features]
    distances = [sum((value - float(c)) ** 2 for value, c in zip(z, centre, strict=True)) for centre in centres]
    least = ibis.least(*distances) if len(distances) > 1 else distances[0]
    return ibis.cases(*((distance == least, label) for label, distance in enumerate(distances)))


def _profiles(
    rows: ir.Table, features: tuple[Feature, ...], centres: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[int, ...]]:
    """Per cluster the profile, per cluster and quadrant the accounts, and the cluster number of
    each of k-means' labels (1 for the largest; equal sizes by label)."""
    labelled = rows.mutate(label=_nearest(rows, features, centres), **{f"z_{f.name}": f.z(rows) for f in features})
    growth = next(f for f in features if f.name == "growth").value(labelled)
    per_label = engine.run(
        labelled.group_by("label").agg(
            accounts=labelled.count(),
            median_b_side_revenue=labelled.b_side_revenue.median(),
            median_platform_revenue=labelled.platform_revenue.median(),
            median_take_rate=labelled.take_rate.median(),
            median_growth=growth.median(),
            **{f"z_{f.name}": labelled[f"z_{f.name}"].mean() for f in features},
            **{f"mid_{f.name}": f.value(labelled).median() for f in features},
            **{quadrant: (labelled.quadrant == quadrant).sum() for quadrant in PLACED},
        )
    )
    per_label = per_label.sort_values(["accounts", "label"], ascending=[False, True]).reset_index(drop=True)
    number_of = {int(label): number for number, label in enumerate(per_label["label"], start=1)}
    numbers = tuple(number_of.get(label, 0) for label in range(len(centres)))
    profiles = pd.DataFrame(
        {
            "cluster": range(1, len(per_label) + 1),
            "accounts": per_label["accounts"].astype(int),
            "median_b_side_revenue": per_label["median_b_side_revenue"].astype(float),
            "median_platform_revenue": per_label["median_platform_revenue"].astype(float),
            "median_take_rate": per_label["median_take_rate"].astype(float),
            "median_growth": np.expm1(per_label["median_growth"].astype(float)),
            "description": [
                describe({f.name: row[f"z_{f.name}"] for f in features if f.material(row[f"mid_{f.name}"])})
                for _label, row in per_label.iterrows()
            ],
        }
    ).set_index("cluster")
    mix = per_label.set_index(profiles.index)[list(PLACED)].astype(int)
    mix = mix.loc[:, mix.any()].rename_axis(columns="quadrant")
    return profiles, mix, numbers


def describe(centre: dict[str, float]) -> str:
    """The notable features of a standardised cluster centre in words, strongest first:
    ``{"take_rate": -1.2, "growth": 0.7}`` → ``"low take rate, growing"``; ``"close to average"``
    when no feature is ``NOTABLE``."""
    notable = sorted(((abs(z), name, z) for name, z in centre.items() if abs(z) >= NOTABLE), reverse=True)
    words = []
    for _size, name, z in notable:
        if name in FEATURE_WORDS:
            words.append(_(FEATURE_WORDS[name][0 if z > 0 else 1]))
        else:  # a custom metric: the user's own name for it
            metric = name.replace("_", " ")
            words.append((_("high {metric}") if z > 0 else _("low {metric}")).format(metric=metric))
    return _(", ").join(words) if words else _("close to average")
