"""Downloads: spreadsheet-safe CSV, templates that ingest cleanly, the workspace zip."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from b2b_core import exports
from b2b_core.ingest import read_upload


def test_formula_like_text_is_neutralised_and_numbers_are_not():
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "+1+1", "-x", "@SUM(A1)", "Acme", None], "n": [-1.0] * 6})
    safe = exports.neutralise_formulas(frame)
    assert list(safe["name"]) == ["'=cmd|' /C calc'!A0", "'+1+1", "'-x", "'@SUM(A1)", "Acme", None]
    assert list(safe["n"]) == [-1.0] * 6
    assert frame["name"].iloc[0] == "=cmd|' /C calc'!A0"  # the input is not changed


def test_csv_bytes_start_with_a_bom_and_keep_chinese_text():
    data = exports.csv_bytes(pd.DataFrame({"商户名称": ["北京烤鸭"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert "北京烤鸭" in data.decode("utf-8-sig")


def test_both_templates_ingest_without_errors_or_warnings():
    for name, data in (("template.csv", exports.template_csv()), ("template.xlsx", exports.template_xlsx())):
        result = read_upload(data, name)
        assert result.ok, result.errors
        assert result.warnings.empty, result.warnings
        assert set(result.mapping["target"]) == set(exports.template_frame().columns)
        assert len(result.panel) == 2


def test_workspace_zip_has_one_csv_per_quarter_and_the_history():
    panel = pd.DataFrame({"account_id": ["a", "b", "a"], "quarter": ["2025Q1", "2025Q1", "2025Q2"]})
    uploads = pd.DataFrame({"upload_id": [1], "source": ["x.csv"]})
    archive = zipfile.ZipFile(io.BytesIO(exports.workspace_zip(panel, uploads)))
    assert sorted(archive.namelist()) == ["panel_2025Q1.csv", "panel_2025Q2.csv", "uploads.csv"]
    first = pd.read_csv(archive.open("panel_2025Q1.csv"), encoding="utf-8-sig")
    assert list(first["account_id"]) == ["a", "b"]
