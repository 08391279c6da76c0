"""Header mapping: the ops lead's column names → the data contract's columns.

Headers are compared after normalisation (Unicode NFKC, lower case, bracketed units such as
``(USD)`` removed, every space and punctuation mark removed), so ``Merchant ID``,
``merchant_id`` and ``MERCHANT-ID`` are the same header. Each suggestion carries a confidence:

* 1.0 — the header is a known synonym of the column (``GMV``, ``商户收入`` …), or the user chose it;
* 0.8 — the header ends or starts with a specific synonym (``Total commission``, ``GMV USD``);
* 0.6 — the header is a generic word that usually means the column (``Revenue``, ``Name``) or a
  near-spelling of a synonym (``Comission``).

Each contract column takes at most one source column: the most confident one wins.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass

from b2b_core.i18n import N_, _

EXACT, CONTAINED, LOOSE = 1.0, 0.8, 0.6

# Specific synonyms: an exact match means the column with confidence 1.0.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_id": (
        "account id",
        "account",
        "account number",
        "account no",
        "merchant id",
        "merchant no",
        "merchant code",
        "store id",
        "shop id",
        "seller id",
        "customer id",
        "client id",
        "partner id",
        "tenant id",
        "supplier id",
        "vendor id",
        "developer id",
        "company id",
        "b side id",
        "商户id",
        "商户编号",
        "商户号",
        "商家id",
        "客户id",
        "客户编号",
        "店铺id",
        "门店id",
        "账号id",
        "账户id",
    ),
    "account_name": (
        "account name",
        "merchant name",
        "merchant",
        "store name",
        "store",
        "shop name",
        "shop",
        "seller name",
        "customer name",
        "customer",
        "client name",
        "client",
        "partner name",
        "partner",
        "tenant name",
        "company name",
        "company",
        "business name",
        "商户名称",
        "商户名",
        "商家名称",
        "客户名称",
        "店铺名称",
        "门店名称",
        "公司名称",
    ),
    "quarter": (
        "quarter",
        "period",
        "fiscal quarter",
        "qtr",
        "reporting period",
        "report period",
        "季度",
        "统计周期",
        "期间",
    ),
    "platform_revenue": (
        "platform revenue",
        "commission",
        "commissions",
        "commission revenue",
        "fees",
        "fee",
        "take",
        "platform fee",
        "platform fees",
        "platform income",
        "our revenue",
        "net revenue",
        "service fee",
        "subscription revenue",
        "平台收入",
        "平台营收",
        "佣金",
        "佣金收入",
        "服务费",
        "平台服务费",
    ),
    "b_side_revenue": (
        "b side revenue",
        "b-side revenue",
        "gmv",
        "gross merchandise value",
        "gross merchandise volume",
        "sales",
        "merchant revenue",
        "merchant sales",
        "merchant income",
        "store sales",
        "account revenue",
        "partner revenue",
        "customer revenue",
        "turnover",
        "gross sales",
        "b端收入",
        "商户收入",
        "商户营收",
        "商家收入",
        "交易额",
        "成交额",
        "销售额",
        "流水",
    ),
    "segment": ("segment", "industry", "vertical", "sector", "category", "行业", "类目", "细分行业", "客群"),
    "region": ("region", "area", "territory", "market", "区域", "地区", "大区"),
    "tier": (
        "tier",
        "size band",
        "account tier",
        "customer tier",
        "merchant tier",
        "层级",
        "客户等级",
        "商户等级",
        "分层",
    ),
    "owner": (
        "owner",
        "account owner",
        "account manager",
        "am",
        "csm",
        "customer success manager",
        "sales rep",
        "负责人",
        "客户经理",
        "运营负责人",
        "销售",
    ),
    "active": ("active", "is active", "active flag", "活跃", "是否活跃"),
    "contract_value": (
        "contract value",
        "arr",
        "acv",
        "annual contract value",
        "contract amount",
        "合同金额",
        "合同额",
    ),
    "contract_end": (
        "contract end",
        "contract end date",
        "renewal date",
        "expiry date",
        "expiry",
        "contract expiry",
        "end date",
        "合同到期日",
        "到期日",
        "合同结束日期",
    ),
}

# Generic words: an exact match suggests the column with confidence 0.6 only.
GENERIC: dict[str, tuple[str, ...]] = {
    "account_id": ("id", "code", "编号"),
    "account_name": ("name", "名称"),
    "quarter": (
        "date",
        "month",
        "order date",  # a transaction-level export: its rows are summed per account and quarter on request
        "transaction date",
        "invoice date",
        "日期",
        "月份",
        "订单日期",
        "交易日期",
    ),
    "platform_revenue": ("revenue", "income", "收入"),
    "tier": ("size", "level", "grade", "等级"),
    "region": ("city", "country", "城市"),
    "owner": ("manager", "rep"),
    "active": ("status", "状态"),
}

# Header detection asks about every cell of the first rows: the suggestions for cells up to this
# length are cached (the longer ones, a 5 MB description cell, would stay in memory with the cache).
_CACHED_LENGTH = 200
_SCORED_CELLS = 256  # the cells of a row that header detection looks at
_RATIO = re.compile(r"\b(rate|ratio|percent|percentage|pct|share|growth|margin)\b|%|率|比例|占比|增长|增速")
_BRACKETED = re.compile(r"[(\[（【].*?[)\]）】]")
_NOT_WORD = re.compile(r"[\W_]+")


def normalise(header: str) -> str:
    """Comparable form of a header: NFKC, lower case, no bracketed units, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", str(header)).lower()
    stripped = _BRACKETED.sub("", text)
    return _NOT_WORD.sub("", stripped if stripped.strip() else text)


def metric_name(header: str) -> str:
    """Column name for a custom metric: ``Active users (#)`` → ``active_users``."""
    text = _BRACKETED.sub("", unicodedata.normalize("NFKC", str(header)).lower()) or str(header).lower()
    return _NOT_WORD.sub("_", text).strip("_") or "metric"


_EXACT = {normalise(s): col for col, syns in SYNONYMS.items() for s in syns}
_GENERIC = {normalise(s): col for col, syns in GENERIC.items() for s in syns}
# Names of the account itself (merchant, store …) start many headers, so they never match by affix;
# nor does "active", which starts metrics such as "Active users" (the flag has exact names only).
_AFFIXES = sorted(
    ((k, c) for k, c in _EXACT.items() if len(k) >= 3 and c not in ("account_name", "active")),
    key=lambda kc: -len(kc[0]),
)


@dataclass(frozen=True)
class Suggestion:
    """A suggested contract column for one source header; ``why`` says how it was found, in English
    (marked for the catalog, with ``{synonym}`` in it: suggestions are cached, whatever the language),
    ``how`` the same in the current language."""

    target: str
    confidence: float
    why: str
    synonym: str = ""

    @property
    def how(self) -> str:
        return _(self.why).format(synonym=self.synonym)


def suggest(header: str, *, fuzzy: bool = True) -> Suggestion | None:
    """The most likely contract column for one header, or None when nothing fits. ``fuzzy`` also
    tries near-spellings of the synonyms (slower)."""
    if len(header) > _CACHED_LENGTH:  # a long cell is no header to remember: the cache would keep it alive
        return _suggest.__wrapped__(header, fuzzy)
    return _suggest(header, fuzzy)


@functools.lru_cache(maxsize=4096)  # header detection asks about the same cells many times
def _suggest(header: str, fuzzy: bool) -> Suggestion | None:
    key = normalise(header)
    if not key:
        return None
    # "Commission rate", "GMV growth", "Fees (%)", "Market share": a ratio is no contract column
    # (it stays a custom metric), even when it names one.
    if _RATIO.search(re.sub(r"[_\-.]", " ", unicodedata.normalize("NFKC", str(header)).lower())):
        return None
    if key in _EXACT:
        return Suggestion(_EXACT[key], EXACT, N_("known name"))
    # The head noun comes last in English and Chinese headers, so a suffix is the stronger clue.
    for matches, why in ((str.endswith, N_("ends with '{synonym}'")), (str.startswith, N_("starts with '{synonym}'"))):
        for synonym, column in _AFFIXES:
            if matches(key, synonym):
                return Suggestion(column, CONTAINED, why, synonym)
    if key in _GENERIC:
        return Suggestion(_GENERIC[key], LOOSE, N_("generic name"))
    close = difflib.get_close_matches(key, list(_EXACT), n=1, cutoff=0.85) if fuzzy and len(key) >= 4 else []
    if close:
        return Suggestion(_EXACT[close[0]], LOOSE, N_("close to '{synonym}'"), close[0])
    return None


def header_score(cells: list[str]) -> int:
    """How many cells of a row read as contract headers: used to find the header row under titles.
    Only the first ``_SCORED_CELLS`` are looked at: a row of a million cells costs no more."""
    hits = {
        s.target
        for s in (suggest(c, fuzzy=False) for c in cells[:_SCORED_CELLS])
        if s is not None and s.confidence >= CONTAINED
    }
    return len(hits)
