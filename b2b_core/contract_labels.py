"""The data contract's columns as a person reads them, in the current language.

In English a column is written by its contract name (``platform_revenue``), as the upload
template and the documentation write it. In Chinese it is written as a Chinese export heads it
(``平台收入``): every Chinese label is a header that ingest maps back to its column
(``ingest.headers``), so the Chinese upload template round-trips through an upload. The mapping's
two other choices, ``custom metric`` and ``ignore``, are labelled the same way.
"""

from __future__ import annotations

import pandas as pd

from b2b_core import i18n
from b2b_core.headers import named
from b2b_core.i18n import N_, _

# contract name → its label: the msgid is the name itself, its Chinese a header ingest reads
LABELS = {
    "account_id": N_("account_id"),
    "quarter": N_("quarter"),
    "platform_revenue": N_("platform_revenue"),
    "b_side_revenue": N_("b_side_revenue"),
    "account_name": N_("account_name"),
    "segment": N_("segment"),
    "region": N_("region"),
    "tier": N_("tier"),
    "owner": N_("owner"),
    "active": N_("active"),
    "contract_value": N_("contract_value"),
    "contract_end": N_("contract_end"),
    "custom metric": N_("custom metric"),
    "ignore": N_("ignore"),
}
KINDS = {  # the kinds of values of the contract's columns (``contract.Kind``)
    "text": N_("text"),
    "quarter": N_("quarter"),
    "number": N_("number"),
    "boolean": N_("boolean"),
    "date": N_("date"),
}
MAPPING_HEADERS = {  # the columns of a mapping table (``ingest.mapping.MAPPING_COLUMNS``)
    "source": N_("source"),
    "target": N_("target"),
    "kind": N_("kind"),
    "confidence": N_("confidence"),
    "how": N_("how"),
}
MAPPING_KINDS = {"contract": N_("contract"), "custom metric": N_("custom metric"), "ignored": N_("ignored")}


def label(name: str) -> str:
    """``name`` (a contract column, ``custom metric`` or ``ignore``) in the current language;
    any other name (a custom metric's) as it is."""
    return _(LABELS[name]) if name in LABELS else name


def mapping_table(mapping: pd.DataFrame) -> pd.DataFrame:
    """A mapping table (an upload's or a source's, ``ingest.mapping.MAPPING_COLUMNS``) with its
    headers, targets and kinds in the current language (the source headers as they are)."""
    shown = mapping.assign(
        **{
            column: mapping[column].map(lambda value, names=names: _(names[value]) if value in names else value)
            for column, names in (("target", LABELS), ("kind", MAPPING_KINDS))
            if column in mapping.columns
        }
    )
    return named(shown, lambda column: _(MAPPING_HEADERS[column]) if column in MAPPING_HEADERS else column)


def name_of(shown: str) -> str:
    """The contract name (or ``custom metric``, ``ignore``) a label of any language stands for;
    ``shown`` itself when it is none (a label from before a language change still reads back)."""
    for lang in i18n.LANGUAGES:
        with i18n.use(lang):
            found = {label(name): name for name in LABELS}
        if shown in found:
            return found[shown]
    return shown
