"""A seeded, realistic sample workspace: a panel of B-side accounts over calendar quarters.

Model (all money in currency units per quarter, all rates per quarter):

- **Signups.** The first quarter holds an initial base (``INITIAL_BASE`` × the next quarter's
  signups); from then on signups grow by 8–15% a quarter (drawn per quarter; ``signup_growth``
  sets another range, (0, 0) for flat signups), and the cohort sizes are a multinomial draw.
  Account ids follow signup order (``M000001`` is the oldest).
- **Renewal.** Each account renews each quarter with its own probability p ~ Beta(a, b) by tier
  (``RENEWAL_BETA``; in sBG terms the churn probability 1 − p is Beta(α=b, β=a)); the first
  failure is a churn. ``RETURN_SHARE`` of churns come back 2–4 quarters later (returning
  accounts) and start a new contract.
- **B-side revenue** (the account's GMV through the platform) is log-normal by tier
  (``B_SIDE_MEDIAN``, ``B_SIDE_SIGMA``) and follows a random walk in logs with an account-level
  drift ~ N(3%, 5%) and step N(0, 0.12), plus transient quarterly noise N(0, 0.2); a signup's first
  quarter is half a quarter. **Take rate** = platform revenue / B-side revenue: segment base
  (``SEGMENT_TAKE_RATE``) × tier discount × account-level log-normal variation (σ 0.25) with a
  drift step N(0, 0.04), clipped to 3.2–24.5%. ``FREE_SHARE`` of rows pay nothing (free tier).
- **Contracts** are annual from the (re)start quarter (the initial base signed 0–3 quarters
  before the window): ``contract_value`` (ARR) = 4 × the platform revenue run rate (trend level,
  without transient noise or ramp) at each contract start, rounded to 10; ``contract_end`` is the
  end of the contract's last quarter, so always within the current and next 3 quarters.
- **Orders** (custom metric) = B-side revenue / an account-level average order value.

Rows exist only for quarters with a live relationship, so ``active`` is always True.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from b2b_core import store
from b2b_core.access import LOCAL, Actor
from b2b_core.quarters import shift, span, to_ordinal
from b2b_core.store.backup import file_sha256

TIERS = ("KA", "mid", "long-tail")
TIER_SHARE = (0.05, 0.25, 0.70)
RENEWAL_BETA = {"KA": (24.0, 1.2), "mid": (10.0, 1.2), "long-tail": (4.5, 1.0)}  # p ~ Beta(a, b)
B_SIDE_MEDIAN = {"KA": 2_000_000.0, "mid": 200_000.0, "long-tail": 15_000.0}  # per quarter
B_SIDE_SIGMA = {"KA": 0.6, "mid": 0.7, "long-tail": 0.9}
TIER_TAKE_RATE_FACTOR = {"KA": 0.75, "mid": 0.9, "long-tail": 1.0}  # big accounts negotiate
SEGMENTS = ("Retail", "Food & Beverage", "Travel", "Education", "Local services", "Health")
SEGMENT_SHARE = (0.30, 0.25, 0.10, 0.10, 0.15, 0.10)
SEGMENT_TAKE_RATE = (0.06, 0.14, 0.11, 0.18, 0.20, 0.09)
SEGMENT_ORDER_VALUE = (80.0, 35.0, 400.0, 600.0, 120.0, 150.0)  # median order value
REGIONS = ("North", "East", "South", "West", "Central")
REGION_SHARE = (0.20, 0.30, 0.25, 0.10, 0.15)
KA_OWNERS = ("Alice Chen", "Ben Okafor")
OWNERS = ("Carla Ruiz", "Dev Patel", "Emma Li", "Farid Haddad")
INITIAL_BASE = 6.0
RETURN_SHARE = 0.03
FREE_SHARE = 0.02
_NAME_WORDS = (
    (
        "Golden",
        "Blue",
        "Red",
        "Green",
        "Silver",
        "Sunny",
        "Bright",
        "Urban",
        "Happy",
        "Jade",
        "Lucky",
        "Prime",
        "Royal",
        "Little",
        "Grand",
        "New",
    ),
    (
        "Harbor",
        "Maple",
        "Oak",
        "River",
        "Summit",
        "Pearl",
        "Cedar",
        "Lotus",
        "Bridge",
        "Garden",
        "Lake",
        "Hill",
        "Star",
        "Bay",
        "Valley",
        "Stone",
    ),
)
_SEGMENT_NOUNS = (
    ("Mart", "Goods", "Outlet", "Boutique", "Home Store", "Electronics"),
    ("Bakery", "Noodle House", "Tea House", "Kitchen", "Coffee", "Hotpot"),
    ("Travel", "Tours", "Hotel", "Inn", "Car Rental", "Getaways"),
    ("Academy", "Learning", "Tutoring", "Language School", "Music School", "Coding Club"),
    ("Cleaning", "Repairs", "Salon", "Laundry", "Movers", "Fitness"),
    ("Clinic", "Pharmacy", "Dental", "Wellness", "Physio", "Optical"),
)
_SUFFIXES = ("", " Co.", " Ltd", " Group")
EXPORT_HEADERS = {
    "account_id": "Merchant ID",
    "account_name": "Merchant name",
    "quarter": "Quarter",
    "segment": "Segment",
    "region": "Region",
    "tier": "Tier",
    "owner": "Account owner",
    "b_side_revenue": "GMV",
    "platform_revenue": "Commission",
    "contract_value": "Contract value",
    "contract_end": "Contract end",
    "orders": "Orders",
}  # contract column → header in the ops export, in file order


@lru_cache(maxsize=1)
def _business_names() -> np.ndarray:
    """Every generated name, as a (segment, name) object array: ``Golden Harbor Bakery Ltd``."""
    return np.array(
        [
            [f"{a} {b} {noun}{suffix}" for a, b, noun, suffix in itertools.product(*_NAME_WORDS, nouns, _SUFFIXES)]
            for nouns in _SEGMENT_NOUNS
        ],
        dtype=object,
    )


def _per_tier(table: dict) -> np.ndarray:
    """A per-tier parameter table as an array indexed like ``TIERS``."""
    return np.array([table[t] for t in TIERS])


def _quarter_end(ordinals: np.ndarray) -> np.ndarray:
    """Last day of each quarter ordinal (``year * 4 + q - 1``) as datetime64[D]."""
    first_month = (ordinals // 4 - 1970) * 12 + (ordinals % 4) * 3
    return (first_month + 3).astype("datetime64[M]").astype("datetime64[D]") - np.timedelta64(1, "D")


SIGNUP_GROWTH = (0.08, 0.15)  # signups grow by a share drawn from this range every quarter


def _cohort_sizes(
    rng: np.random.Generator, n_accounts: int, n_quarters: int, signup_growth: tuple[float, float] = SIGNUP_GROWTH
) -> np.ndarray:
    """Signups per quarter: an initial base, then growth of a share drawn from ``signup_growth``
    each quarter, multinomial noise."""
    growth = np.cumprod(1.0 + rng.uniform(*signup_growth, n_quarters - 1))
    weights = np.concatenate([[INITIAL_BASE], growth])
    return rng.multinomial(n_accounts, weights / weights.sum())


def generate_panel(
    n_accounts: int = 2000,
    n_quarters: int = 12,
    last_quarter: str = "2026Q3",
    seed: int = 7,
    *,
    first_id: int = 1,
    id_digits: int | None = None,
    signup_growth: tuple[float, float] = SIGNUP_GROWTH,
) -> pd.DataFrame:
    """A panel in the contract's columns plus ``orders``, for ``n_accounts`` accounts ever signed.
    ``signup_growth``: the range of the quarterly growth of signups ((0, 0): flat signups).

    One row per account per quarter with a live relationship, over the ``n_quarters`` quarters
    ending at ``last_quarter``, sorted by quarter and account_id. Same seed, same panel. See the
    module docstring for the model and its units. Account ids are ``M`` and the numbers from
    ``first_id`` on, zero-padded to ``id_digits`` (default: at least 6, as many as the largest needs).
    """
    if n_accounts < 1 or n_quarters < 1:
        raise ValueError("n_accounts and n_quarters must be at least 1")
    rng = np.random.default_rng(seed)
    quarters = span(shift(last_quarter, -(n_quarters - 1)), last_quarter)
    first = to_ordinal(quarters[0])
    cohort = np.repeat(np.arange(n_quarters), _cohort_sizes(rng, n_accounts, n_quarters, signup_growth))
    tier = rng.choice(3, n_accounts, p=TIER_SHARE)
    segment = rng.choice(len(SEGMENTS), n_accounts, p=SEGMENT_SHARE)
    region = rng.choice(len(REGIONS), n_accounts, p=REGION_SHARE)
    alpha, beta = _per_tier(RENEWAL_BETA).T
    renewal = rng.beta(alpha[tier], beta[tier])
    log_b_side = rng.normal(np.log(_per_tier(B_SIDE_MEDIAN)[tier]), _per_tier(B_SIDE_SIGMA)[tier])
    drift = rng.normal(0.03, 0.05, n_accounts)
    base_take_rate = np.array(SEGMENT_TAKE_RATE)[segment] * _per_tier(TIER_TAKE_RATE_FACTOR)[tier]
    log_take_rate = np.log(base_take_rate) + rng.normal(0.0, 0.25, n_accounts)
    order_value = np.array(SEGMENT_ORDER_VALUE)[segment] * rng.lognormal(0.0, 0.3, n_accounts)
    names = _business_names()
    name = names[segment, rng.integers(0, names.shape[1], n_accounts)]
    owner = np.where(
        tier == 0,
        np.array(KA_OWNERS, dtype=object)[rng.integers(0, len(KA_OWNERS), n_accounts)],
        np.array(OWNERS, dtype=object)[rng.integers(0, len(OWNERS), n_accounts)],
    )

    alive = np.zeros(n_accounts, dtype=bool)
    return_at = np.full(n_accounts, -1)
    contract_start = cohort - np.where(cohort == 0, rng.integers(0, 4, n_accounts), 0)  # base: signed earlier
    contract_value = np.zeros(n_accounts)
    rows: list[tuple[np.ndarray, ...]] = []
    for t in range(n_quarters):
        if t > 0:
            churned = alive & (rng.random(n_accounts) >= renewal)
            comes_back = churned & (rng.random(n_accounts) < RETURN_SHARE)
            return_at[comes_back] = t + rng.integers(2, 5, int(comes_back.sum()))
            alive = (alive & ~churned) | (return_at == t)
            contract_start[return_at == t] = t
            log_b_side += drift + rng.normal(0.0, 0.12, n_accounts)
            log_take_rate += rng.normal(0.0, 0.04, n_accounts)
        alive |= cohort == t
        live = np.flatnonzero(alive)
        ramp = np.where((cohort[live] == t) & (t > 0), 0.5, 1.0)
        b_side = np.maximum(np.round(ramp * np.exp(log_b_side[live] + rng.normal(0.0, 0.2, live.size)), 2), 50.0)
        take_rate = np.clip(np.exp(log_take_rate[live]), 0.032, 0.245)
        platform = np.where(rng.random(live.size) < FREE_SHARE, 0.0, np.round(b_side * take_rate, 2))
        contract_year, quarter_in_year = np.divmod(t - contract_start[live], 4)
        starts = (quarter_in_year == 0) | (t == 0)
        run_rate = np.exp(log_b_side[live[starts]]) * take_rate[starts]  # trend level, no noise or ramp
        contract_value[live[starts]] = np.round(4.0 * run_rate, -1)
        end = first + contract_start[live] + 4 * contract_year + 3
        orders = np.maximum(np.round(b_side / order_value[live]), 1.0)
        rows.append((live, np.full(live.size, t), platform, b_side, contract_value[live], end, orders))

    live, t, platform, b_side, value, end, orders = (np.concatenate(parts) for parts in zip(*rows))
    width = id_digits or max(6, len(str(first_id + n_accounts - 1)))
    numbers = np.arange(first_id, first_id + n_accounts)
    account_id = np.strings.add("M", np.strings.zfill(numbers.astype(str), width))
    return pd.DataFrame(
        {  # in contract order (b2b_core.contract.NAMES), then the custom metric
            "account_id": account_id.astype(object)[live],
            "quarter": np.array(quarters, dtype=object)[t],
            "platform_revenue": platform,
            "b_side_revenue": b_side,
            "account_name": name[live],
            "segment": np.array(SEGMENTS, dtype=object)[segment[live]],
            "region": np.array(REGIONS, dtype=object)[region[live]],
            "tier": np.array(TIERS, dtype=object)[tier[live]],
            "owner": owner[live],
            "active": np.ones(live.size, dtype=bool),
            "contract_value": value,
            "contract_end": _quarter_end(end).astype("datetime64[ns]"),
            "orders": orders,
        },
        copy=False,
    )


def panel_parts(
    n_accounts: int, n_quarters: int = 12, *, chunk: int = 250_000, seed: int = 7
) -> Iterator[pd.DataFrame]:
    """A generated panel of ``n_accounts`` accounts × ``n_quarters`` quarters, ``chunk`` accounts
    at a time: each part generated on its own (``generate_panel`` with seed ``seed`` + its number,
    its own account ids), made only when asked for, so that no more than one part need ever be in
    memory: 10 million accounts need about as much memory as 250,000 (a part of 250,000 accounts
    over 12 quarters: about a million rows, 0.5 GB in pandas)."""
    digits = max(6, len(str(n_accounts)))
    return (
        generate_panel(min(chunk, n_accounts - start), n_quarters, seed=seed + i, first_id=start + 1, id_digits=digits)
        for i, start in enumerate(range(0, n_accounts, chunk))
    )


def write_panel(
    workspace: store.Workspace,
    n_accounts: int,
    n_quarters: int = 12,
    *,
    actor: Actor,
    chunk: int = 250_000,
    seed: int = 7,
    on_chunk: Callable[[int], None] | None = None,
) -> int:
    """Commit a generated panel of ``n_accounts`` accounts × ``n_quarters`` quarters to
    ``workspace`` as one upload, part by part (``panel_parts``). Returns the upload id;
    ``on_chunk`` is told each part's rows."""
    parts = panel_parts(n_accounts, n_quarters, chunk=chunk, seed=seed)
    source = f"generated sample: {n_accounts:,} accounts × {n_quarters} quarters"
    return workspace.commit_chunks(parts, source, actor=actor, on_chunk=on_chunk)


def to_export(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel as an ops lead exports it: ``EXPORT_HEADERS`` names, numbers and dates as text."""
    out = pd.DataFrame({header: panel[column] for column, header in EXPORT_HEADERS.items()})
    for header in ("GMV", "Commission", "Contract value"):
        out[header] = out[header].map("{:.2f}".format)
    out["Orders"] = out["Orders"].map("{:.0f}".format)
    out["Contract end"] = out["Contract end"].dt.strftime("%Y-%m-%d")
    return out


def write_sample_workspace(directory: str | Path) -> list[Path]:
    """Write ``accounts_<quarter>.csv`` (UTF-8) per quarter of ``generate_panel()``; return the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for quarter, rows in to_export(generate_panel()).groupby("Quarter", sort=True):
        path = directory / f"accounts_{quarter}.csv"
        rows.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def write_dirty_samples(directory: str | Path, panel: pd.DataFrame | None = None) -> list[Path]:
    """Write demo files for the validation report, from 40 accounts of the panel's last quarter.

    ``dirty_numbers`` (``;``-delimited, currency symbols, separators, a negative in parentheses,
    ``%``, ``#N/A``, ``n/a``, an empty id, a formula-like name), ``chinese_headers_gbk`` (GBK,
    Chinese headers and values), ``title_rows`` (XLSX with title rows above the header and the
    period as a date) and ``conflicting_duplicates`` (an exact duplicate and a conflicting one).
    """
    from openpyxl import Workbook

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    panel = generate_panel() if panel is None else panel
    quarter = panel["quarter"].iloc[-1]
    rows = panel[panel["quarter"] == quarter].head(40).reset_index(drop=True)
    clean = to_export(rows)
    paths = [
        directory / f"{stem}_{quarter}.{ext}"
        for stem, ext in (
            ("dirty_numbers", "csv"),
            ("chinese_headers_gbk", "csv"),
            ("title_rows", "xlsx"),
            ("conflicting_duplicates", "csv"),
        )
    ]

    dirty = clean.copy()
    dirty["GMV"] = [f"¥{v:,.2f}" if i % 2 else f"{v:,.2f}" for i, v in enumerate(rows["b_side_revenue"])]
    dirty.loc[3, "GMV"] = f"$ {rows.loc[3, 'b_side_revenue']:,.0f}".replace(",", " ")
    dirty.loc[5, "Commission"] = "(350)"
    dirty.loc[7, "Commission"] = "12%"
    dirty.loc[9, "Orders"] = "#N/A"
    dirty.loc[11, "GMV"] = "n/a"
    dirty.loc[13, "Merchant ID"] = ""
    dirty.loc[15, "Merchant name"] = '=HYPERLINK("http://x","y")'
    dirty.to_csv(paths[0], sep=";", index=False, encoding="utf-8", lineterminator="\n")

    chinese = pd.DataFrame(
        {
            "商户ID": clean["Merchant ID"],
            "商户名称": clean["Merchant name"],
            "季度": f"{quarter[:4]}年第{quarter[5]}季度",
            "行业": rows["segment"].map(dict(zip(SEGMENTS, ("零售", "餐饮", "旅游", "教育", "本地生活", "医疗健康")))),
            "区域": rows["region"].map(dict(zip(REGIONS, ("华北", "华东", "华南", "西部", "华中")))),
            "层级": rows["tier"].map(dict(zip(TIERS, ("KA", "腰部", "长尾")))),
            "负责人": clean["Account owner"],
            "商户收入": clean["GMV"],
            "平台收入": clean["Commission"],
        }
    )
    chinese.to_csv(paths[1], index=False, encoding="gbk", lineterminator="\n")

    book = Workbook()
    sheet = book.active
    sheet.title = "Merchants"
    period = _quarter_end(np.array([to_ordinal(quarter)]))[0].astype(object)  # a datetime.date
    for line in (
        ["Merchant report"],
        [f"Exported {period + dt.timedelta(days=2):%Y-%m-%d}"],
        [],
        ["Store ID", "Store", "Period", "GMV", "Fees"],
    ):
        sheet.append(line)
    for row in rows.itertuples():
        sheet.append([row.account_id, row.account_name, period, row.b_side_revenue, row.platform_revenue])
    for cell in sheet["C"][4:]:
        cell.number_format = "yyyy-mm-dd"
    book.properties.created = book.properties.modified = dt.datetime(2026, 10, 2)
    book.save(paths[2])

    duplicates = pd.concat([clean, clean.iloc[[2]], clean.iloc[[4]]], ignore_index=True)
    duplicates.loc[len(duplicates) - 1, ["GMV", "Commission"]] = [
        f"{1.2 * rows.loc[4, column]:.2f}" for column in ("b_side_revenue", "platform_revenue")
    ]
    duplicates.to_csv(paths[3], index=False, encoding="utf-8", lineterminator="\n")
    return paths


SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"


def seed_workspace(workspace: store.Workspace, directory: str | Path = SAMPLE_DIR) -> list[int]:
    """Commit every ``accounts_<quarter>.csv`` of ``directory`` through the upload path, one upload
    per file in quarter order, as an ops lead would have; return the upload ids.

    All files are committed in one transaction (``Workspace.commit_many``): if anything fails,
    nothing is stored, so an interrupted seeding leaves the workspace empty and it is seeded again
    on the next start. Raises RuntimeError if a bundled file does not ingest cleanly (the sample
    must stay clean).
    """
    from b2b_core.ingest import read_upload  # the generator itself needs no ingest

    items = []
    for path in sorted(Path(directory).glob("accounts_*.csv")):
        result = read_upload(path.read_bytes(), path.name)
        if not result.ok:
            raise RuntimeError(f"sample file {path.name} does not ingest cleanly: {result.errors.head(3)}")
        items.append((result.table, path.name, result.sha256))
    return workspace.commit_many(items, actor=LOCAL, sample=True)


def bundled_files(directory: str | Path = SAMPLE_DIR) -> dict[str, str]:
    """File name → sha256 of its bytes, of every ``accounts_<quarter>.csv`` of ``directory``: how
    the workspace recognises the sample's uploads made before they were marked as such."""
    return {path.name: file_sha256(path) for path in sorted(Path(directory).glob("accounts_*.csv"))}


def open_workspace(path: str | Path | None = None, seed: bool = True) -> store.Workspace:
    """Open the workspace at ``path`` (default ``store.default_path()``), seeding it from
    ``SAMPLE_DIR`` if ``seed`` and nothing was ever committed to it (``Workspace.is_empty``); its
    uploads of the bundled files are the sample's (``Workspace.data_origin``). A workspace lost
    from its path is never replaced by a new one (``store.WorkspaceMissing``)."""
    workspace = store.Workspace(store.default_path() if path is None else path, bundled_sample=bundled_files())
    try:
        if seed and workspace.is_empty():
            seed_workspace(workspace)
    except BaseException:
        workspace.close()
        raise
    return workspace


def main(argv: list[str] | None = None) -> None:
    """``python -m b2b_core.sample data/``: regenerate ``data/sample/`` and ``data/samples/``."""
    root = Path((argv if argv is not None else sys.argv[1:] or ["data"])[0])
    for path in write_sample_workspace(root / "sample") + write_dirty_samples(root / "samples"):
        print(f"{path}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
