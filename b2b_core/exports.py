"""Files the user downloads: CSV tables, the upload template (CSV and XLSX), the workspace as a zip.

Every export is safe to open in a spreadsheet: a text cell that looks like a formula
(``contract.looks_like_formula``: it starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
return and is not a signed number such as ``-120``) gets a leading apostrophe, so it is shown as
text and never evaluated. CSVs are UTF-8 with a byte-order mark so that Excel reads Chinese text
correctly.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import pandas as pd
from openpyxl import Workbook

from b2b_core import contract, contract_labels, i18n
from b2b_core.i18n import N_, _, ngettext


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` where text cells and column names that look like a formula are
    prefixed with ``'`` (column names come from uploaded headers, e.g. custom metrics)."""
    out = frame.rename(columns=lambda name: f"'{name}" if contract.looks_like_formula(name) else name)
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            risky = column.map(contract.looks_like_formula).astype(bool)
            out[name] = column.where(~risky, "'" + column.astype(str))
    return out


def csv_bytes(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """``frame`` as a spreadsheet-safe UTF-8 CSV (with BOM); with ``index``, the index comes first
    and is neutralised like any column (it often holds names: scenarios, segments …)."""
    if index:
        frame = frame.rename_axis([name if name is not None else "" for name in frame.index.names]).reset_index()
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8-sig")


CSV_ROW_LIMIT = 1_048_575  # rows of a long list's download: a spreadsheet opens 1,048,576, the header one of them


def csv_from_parts(parts: Iterable[pd.DataFrame]) -> bytes:
    """Frames with the same columns, one after the other, as one ``csv_bytes`` file (the header
    once), converted a part at a time: the parts of a long list never need to be in memory at once."""
    chunks = []
    for part in parts:
        if chunks:
            chunks.append(neutralise_formulas(part).to_csv(index=False, header=False).encode("utf-8"))
        else:
            chunks.append(csv_bytes(part))
    return b"".join(chunks)


_EXAMPLE_TEXTS = {  # the example rows' texts, in the template's language
    "account_name": [N_("Golden Harbor Bakery"), N_("Blue River Travel")],
    "segment": [N_("Food & Beverage"), N_("Travel")],
    "region": [N_("East"), N_("South")],
    "tier": [N_("mid"), N_("long-tail")],
    "owner": [N_("Emma Li"), N_("Dev Patel")],
}


def template_frame() -> pd.DataFrame:
    """The upload template: every contract column (by its contract name) with two example rows,
    their texts in the current language."""
    return pd.DataFrame(
        {
            "account_id": ["M000001", "M000002"],
            "quarter": ["2026Q3", "2026Q3"],
            "platform_revenue": [12500.0, 830.5],
            "b_side_revenue": [250000.0, 9200.0],
            "active": [True, True],
            "contract_value": [50000.0, 3300.0],
            "contract_end": ["2027-06-30", "2026-12-31"],
        }
        | {name: [_(text) for text in texts] for name, texts in _EXAMPLE_TEXTS.items()}
    )[list(contract.NAMES)]


def _template(lang: str | None) -> pd.DataFrame:
    """The template in ``lang`` (None: the current language), headed by the columns' labels: in
    Chinese, headers that ingest maps back to the contract (``contract_labels``)."""
    with i18n.use(lang or i18n.language()):
        return template_frame().rename(columns=contract_labels.label)


def template_csv(lang: str | None = None) -> bytes:
    """The upload template as CSV, in ``lang`` (None: the current language)."""
    return csv_bytes(_template(lang))


def template_xlsx(lang: str | None = None) -> bytes:
    """The template as a workbook in ``lang`` (None: the current language): sheet "accounts" to
    fill in, sheet "columns" explaining each."""
    with i18n.use(lang or i18n.language()):
        guide = pd.DataFrame(
            {
                _("column"): [contract_labels.label(c.name) for c in contract.COLUMNS],
                _("required"): [_("yes") if c.required else _("no") for c in contract.COLUMNS],
                _("type"): [_(contract_labels.KINDS[c.kind]) for c in contract.COLUMNS],
                _("meaning"): [_(c.meaning) for c in contract.COLUMNS],
            }
        )
        accounts = ngettext("account", "accounts", 2)  # the sheet of accounts ("accounts" alone is a count)
        sheets = {accounts: _template(lang), _("columns"): guide}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def xlsx_bytes(sheets: dict[str, pd.DataFrame], *, index: bool = False) -> bytes:
    """Frames as one workbook, a sheet each (name → frame, names cut to Excel's 31 characters),
    formulas neutralised like the CSV's; with ``index``, the index comes first."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            if index:
                frame = frame.rename_axis([n if n is not None else "" for n in frame.index.names]).reset_index()
            neutralise_formulas(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def xlsx_from_parts(parts: Iterable[pd.DataFrame], sheet: str) -> bytes:
    """Frames with the same columns, one after the other, as one sheet of a workbook (the header
    once), formulas neutralised like the CSV's; written a part at a time (openpyxl's write-only
    mode), so that the parts of a long list never need to be in memory at once as frames."""
    book = Workbook(write_only=True)
    page = book.create_sheet(sheet[:31])
    for i, part in enumerate(parts):
        safe = neutralise_formulas(part)
        if i == 0:
            page.append([str(name) for name in safe.columns])
        cells = safe.astype(object).where(safe.notna(), None)
        for row in cells.itertuples(index=False, name=None):
            page.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Stored rows beyond which the Data page offers no CSV zip: it is built whole in the server's memory
# (pandas frames, CSV text and the zip), some hundreds of MB per million rows. A backup is the way out.
ZIP_LIMIT_ROWS = 1_000_000


def workspace_zip(panel: pd.DataFrame, uploads: pd.DataFrame, stored_rows: pd.DataFrame) -> bytes:
    """The whole workspace as a zip, from ``Workspace.panel()``, ``.uploads()`` and ``.stored_rows()``.

    - ``panel_<quarter>.csv``: the live rows of each quarter with live data;
    - ``uploads.csv``: the upload history;
    - ``uploads/upload_<id>.csv``: the rows of each stored (not deleted) upload, live or superseded,
      with the contract columns and the custom metrics that upload has a value for.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for quarter, rows in panel.groupby("quarter", sort=True):
            archive.writestr(f"panel_{quarter}.csv", csv_bytes(rows))
        archive.writestr("uploads.csv", csv_bytes(uploads))
        for upload_id, rows in stored_rows.groupby("upload_id", sort=True):
            rows = rows.drop(columns="upload_id")
            unused = [c for c in rows.columns if c not in contract.NAMES and rows[c].isna().all()]
            archive.writestr(f"uploads/upload_{upload_id}.csv", csv_bytes(rows.drop(columns=unused)))
    return buffer.getvalue()
