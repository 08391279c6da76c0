"""Which source column feeds which contract column: suggestions, the user's choices, conflicts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from b2b_core import contract
from b2b_core.contract_labels import label
from b2b_core.i18n import _
from b2b_core.ingest import headers as header_names

MAPPING_COLUMNS = ["source", "target", "kind", "confidence", "how"]
CUSTOM = "custom metric"  # mapping target: keep the column as a custom metric
IGNORE = "ignore"  # mapping target: leave the column out
_YOURS = 2.0  # ranks the user's choices above every suggestion
RESERVED = ("row", "file", "upload_id")  # column names the ingest result and the store use themselves


@dataclass
class ColumnPlan:
    """The decided mapping of one file's columns (by position)."""

    headers: list[str]
    targets: dict[str, int] = field(default_factory=dict)  # contract column → source position
    customs: dict[str, int] = field(default_factory=dict)  # custom metric name → source position
    undecided: list[int] = field(default_factory=list)  # unmapped: custom metric if numeric, else left out
    rows: list[tuple] = field(default_factory=list)  # mapping table rows, see MAPPING_COLUMNS
    notes: list[tuple[str, str]] = field(default_factory=list)  # (header, warning)

    def native_types(self) -> dict[int, pa.DataType]:
        """Types to parse mapped columns with: numbers as float64 (fast native parse), other contract
        columns as text (ids keep their leading zeros); unmapped columns are inferred."""
        return {
            i: pa.float64() if contract.BY_NAME[name].kind == "number" else pa.string()
            for name, i in self.targets.items()
        }

    def source_of(self, name: str) -> int | None:
        """Source position of a contract column or custom metric."""
        return self.targets.get(name, self.customs.get(name))

    def decide(self, is_numeric: Callable[[int], bool]) -> None:
        """Settle the undecided columns: numeric ones become custom metrics (within
        ``contract.MAX_CUSTOM_METRICS``, the user's choices first, then in file order), the others
        are left out."""
        for i in self.undecided:
            header = self.headers[i]
            if is_numeric(i):
                self._add_custom(i, 1.0, _("numeric column"))
            else:
                self.rows.append((header, None, "ignored", 0.0, _("not in the contract, not numeric")))
                self.notes.append(
                    (
                        header,
                        _(
                            "is not a contract column and not numeric: left out. Map it in the column mapping if it "
                            "holds one of the contract's fields"
                        ),
                    )
                )
        self.undecided = []

    def _add_custom(self, i: int, confidence: float, how: str) -> None:
        if len(self.customs) >= contract.MAX_CUSTOM_METRICS:  # the workspace's schema must stay lean
            limit = contract.MAX_CUSTOM_METRICS
            beyond = _("beyond the {limit} custom metrics an upload may add").format(limit=limit)
            self.rows.append((self.headers[i], None, "ignored", confidence, beyond))
            self.notes.append(
                (
                    self.headers[i],
                    _(
                        "is numeric, but the file already has the {limit} custom metrics an upload may add: left out. "
                        "If you need it, map it as a custom metric and set a metric you do not need to ignore, or "
                        "remove unneeded columns from the export"
                    ).format(limit=limit),
                )
            )
            return
        name = header_names.metric_name(self.headers[i])
        while name in contract.NAMES or name in self.customs or name in RESERVED or name.startswith("__"):
            name += "_2"
        self.customs[name] = i
        self.rows.append((self.headers[i], name, "custom metric", confidence, how))

    def table(self) -> pd.DataFrame:
        """The mapping as shown to the user, in the file's column order."""
        order = {h: k for k, h in enumerate(self.headers)}
        frame = pd.DataFrame(self.rows, columns=MAPPING_COLUMNS)
        return frame.sort_values("source", key=lambda s: s.map(order)).reset_index(drop=True)


def plan_columns(headers: list[str], user_mapping: Mapping[str, str | None]) -> ColumnPlan:
    """Map every non-blank header: the user's choice first, then suggestions by confidence.

    ``user_mapping`` maps a header to a contract column, ``CUSTOM`` or ``IGNORE`` (``None`` means
    ``IGNORE``). A contract column takes one source; a less confident rival is warned about and
    treated as unmapped. Raises ``ValueError`` for a target that is none of these (a caller bug).
    """
    plan = ColumnPlan(headers)
    proposals = []
    for i, header in enumerate(headers):
        if not header:
            continue
        if header in user_mapping:
            proposals.append((_YOURS, i, user_mapping[header] or IGNORE, _("your choice")))
            continue
        hint = header_names.suggest(header)
        proposals.append((hint.confidence, i, hint.target, hint.how) if hint else (0.0, i, None, ""))
    for confidence, i, target, how in sorted(proposals, key=lambda p: (-p[0], p[1])):
        shown = min(confidence, 1.0)
        if target not in (*contract.NAMES, CUSTOM, IGNORE, None):
            raise ValueError(f"mapping target {target!r} is not a contract column, {CUSTOM!r} or {IGNORE!r}")
        if target in contract.NAMES and target in plan.targets:
            other = headers[plan.targets[target]]
            plan.notes.append(
                (
                    headers[i],
                    _(
                        "also looks like {target}, which is read from '{other}': treated as unmapped; change the "
                        "mapping if this column is the right one"
                    ).format(target=label(target), other=other),
                )
            )
            target = None
        if target in contract.NAMES:
            plan.targets[target] = i
            plan.rows.append((headers[i], target, "contract", shown, how))
        elif target == CUSTOM:
            plan._add_custom(i, shown, how)
        elif target == IGNORE:
            plan.rows.append((headers[i], None, "ignored", shown, how))
        else:
            plan.undecided.append(i)
    plan.undecided.sort()
    return plan


def unique_headers(names: list[str]) -> list[str]:
    """Header names made unique: a second ``GMV`` becomes ``GMV (2)``; blanks stay blank."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if not name:
            out.append("")
            continue
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
