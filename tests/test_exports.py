"""Downloads: spreadsheet-safe CSV, templates that ingest cleanly, the workspace zip."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from b2b_core import contract, exports
from b2b_core.access import LOCAL
from b2b_core.ingest import read_upload
from b2b_core.store import Workspace


def test_formula_like_text_is_neutralised_and_numbers_are_not():
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "+1+1", "-x", "@SUM(A1)", "Acme", None], "n": [-1.0] * 6})
    safe = exports.neutralise_formulas(frame)
    assert list(safe["name"]) == ["'=cmd|' /C calc'!A0", "'+1+1", "'-x", "'@SUM(A1)", "Acme", None]
    assert list(safe["n"]) == [-1.0] * 6
    assert frame["name"].iloc[0] == "=cmd|' /C calc'!A0"  # the input is not changed


@pytest.mark.parametrize("dtype", [object, "string"])
def test_signed_numbers_as_text_are_left_alone_like_ingest_does(dtype):
    texts = ["-120", "+5", "-1.5e3", "-.5", "-cmd", "=1+1", "@x", "\tx", "\rx", "- 1", "12-3"]
    safe = exports.neutralise_formulas(pd.DataFrame({"id": pd.Series(texts, dtype=dtype)}))
    assert list(safe["id"]) == ["-120", "+5", "-1.5e3", "-.5", "'-cmd", "'=1+1", "'@x", "'\tx", "'\rx", "'- 1", "12-3"]


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


def test_workspace_zip_has_the_live_panel_the_history_and_every_stored_upload(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as ws:
        ws.commit(
            pd.DataFrame({"account_id": ["a", "b"], "quarter": "2025Q1", "platform_revenue": [1.0, 2.0]}),
            "q1",
            actor=LOCAL,
        )
        fix = pd.DataFrame(
            {"account_id": ["a"], "quarter": "2025Q1", "platform_revenue": [10.0], "account_name": ["=HYPERLINK()"]}
        )
        ws.commit(fix, "q1 fixed", actor=LOCAL)  # supersedes upload 1
        ws.commit(
            pd.DataFrame({"account_id": ["c"], "quarter": "2025Q2", "platform_revenue": [3.0], "orders": [4.0]}),
            "q2",
            actor=LOCAL,
        )
        ws.commit(
            pd.DataFrame({"account_id": ["z"], "quarter": "2025Q3", "platform_revenue": [9.0]}), "oops", actor=LOCAL
        )
        ws.delete(4, actor=LOCAL)
        data = exports.workspace_zip(ws.panel(), ws.uploads(), ws.stored_rows())
    archive = zipfile.ZipFile(io.BytesIO(data))

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(archive.open(name), encoding="utf-8-sig", keep_default_na=False)

    assert sorted(archive.namelist()) == [
        "panel_2025Q1.csv",
        "panel_2025Q2.csv",
        "uploads.csv",
        "uploads/upload_1.csv",
        "uploads/upload_2.csv",
        "uploads/upload_3.csv",  # the deleted upload 4 has no rows left
    ]
    assert read("panel_2025Q1.csv")[["account_id", "platform_revenue"]].values.tolist() == [["a", 10.0]]
    assert read("uploads.csv")[["upload_id", "status"]].values.tolist() == [
        [4, "deleted"],
        [3, "live"],
        [2, "live"],
        [1, "superseded"],
    ]
    superseded = read("uploads/upload_1.csv")
    assert list(superseded.columns) == list(contract.NAMES)  # no upload_id, no "orders" it never had
    assert superseded[["account_id", "quarter", "platform_revenue"]].values.tolist() == [
        ["a", "2025Q1", 1.0],
        ["b", "2025Q1", 2.0],
    ]
    assert read("uploads/upload_2.csv")["account_name"].tolist() == ["'=HYPERLINK()"]
    assert read("uploads/upload_3.csv")[["account_id", "orders"]].values.tolist() == [["c", 4.0]]


def test_names_in_the_index_and_in_column_headers_are_neutralised_too():
    frame = pd.DataFrame(
        {"=SUM(A1)": [1.0, 2.0], "owner": ["@evil", "Ada"]},
        index=pd.Index(['=HYPERLINK("http://x")', "Base"], name="scenario"),
    )
    lines = exports.csv_bytes(frame, index=True).decode("utf-8-sig").splitlines()
    assert lines[0] == "scenario,'=SUM(A1),owner"
    assert lines[1] == '"\'=HYPERLINK(""http://x"")",1.0,\'@evil'
    unnamed = exports.csv_bytes(pd.DataFrame({"v": [1]}, index=pd.Index(["+1+1"])), index=True)
    assert unnamed.decode("utf-8-sig").splitlines() == [",v", "'+1+1,1"]


def test_a_csv_from_parts_is_the_csv_of_the_parts_together_header_and_bom_once():
    whole = pd.DataFrame({"name": ["ok", "=cmd()", "北京", "-5", "@x"], "value": [1.5, 2.0, None, 4.0, 5.0]})
    parts = [whole.iloc[:2], whole.iloc[2:4], whole.iloc[4:]]
    assert exports.csv_from_parts(parts) == exports.csv_bytes(whole)  # every part neutralised
    assert exports.csv_from_parts([whole.iloc[:0]]) == exports.csv_bytes(whole.iloc[:0])  # the header alone


def test_a_workbook_holds_each_frame_on_its_sheet_with_formulas_neutralised():
    import openpyxl

    first = pd.DataFrame({"name": ["=1+1", "Acme"], "value": [1.5, 2.0]}, index=pd.Index(["a", "b"], name="id"))
    second = pd.DataFrame({"x": [1]})
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({"first": first, "a" * 40: second}, index=True)))
    assert book.sheetnames == ["first", "a" * 31]
    rows = list(book["first"].values)
    assert rows[0] == ("id", "name", "value")
    assert rows[1][1] == exports.neutralise_formulas(first)["name"].iloc[0] != "=1+1"
    assert rows[2] == ("b", "Acme", 2)
