"""The command-line import checks a file as the Data page does and commits it as one upload."""

from __future__ import annotations

import pandas as pd
import pytest

from b2b_core import ingest, sample, store
from b2b_core.access import LOCAL
from b2b_core.ingest import Choices, command
from tests import messy_exports

SAMPLES = sample.SAMPLE_DIR.parent / "samples"


def _export(tmp_path, rows: int = 900, quarter: str = "2026Q3", title: bool = False):
    panel = sample.generate_panel(rows, 1, last_quarter=quarter, seed=5)
    path = tmp_path / f"accounts_{quarter}.csv"
    text = sample.to_export(panel).to_csv(index=False)
    path.write_text(("Quarterly export,,\n\n" if title else "") + text, encoding="utf-8")
    return path


def _imported(path, tmp_path, **options):
    workspace = store.Workspace(tmp_path / "imported.duckdb")
    report = command.import_files([path], workspace, actor=LOCAL, batch_rows=250, **options)
    return workspace, report


def _uploaded(path, tmp_path):
    workspace = store.Workspace(tmp_path / "uploaded.duckdb")
    result = ingest.read_upload(path.read_bytes(), path.name)
    ingest.commit(result, workspace, actor=LOCAL)
    return workspace, result


@pytest.mark.parametrize("title", [False, True])
def test_a_file_imported_in_batches_is_stored_as_the_data_page_stores_it(tmp_path, title):
    path = _export(tmp_path, title=title)
    imported, report = _imported(path, tmp_path)
    uploaded, result = _uploaded(path, tmp_path)
    assert report.upload_id == 1 and report.refused is None
    assert report.rows_read == report.rows_passed == result.rows_read == 900
    pd.testing.assert_frame_equal(imported.panel(), uploaded.panel())
    assert len(imported.uploads()) == 1 and imported.version == 1


def test_errors_are_reported_on_the_rows_the_data_page_names_and_nothing_is_written(tmp_path):
    path = SAMPLES / "dirty_numbers_2026Q3.csv"
    imported, report = _imported(path, tmp_path)
    result = ingest.read_upload(path.read_bytes(), path.name)
    assert result.error_count and report.errors.total == result.error_count
    assert report.upload_id is None and "errors remain" in report.refused
    assert imported.is_empty()
    assert sorted(report.errors.frame()["row"].dropna()) == sorted(result.errors["row"].dropna())
    kept, _ = (
        _imported(path, tmp_path / "again", valid_rows_only=True) if (tmp_path / "again").mkdir() is None else None
    )
    assert len(kept.panel()) == result.rows.num_rows


def test_an_account_twice_across_batches_refuses_the_whole_import(tmp_path):
    path = _export(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")  # the first account again, last
    imported, report = _imported(path, tmp_path)
    assert report.upload_id is None and "occurs twice in quarter 2026Q3" in report.refused
    assert imported.is_empty()


def test_the_command_prints_its_report_writes_it_as_csv_and_says_by_its_exit_code(tmp_path, capsys):
    good, bad = _export(tmp_path), SAMPLES / "dirty_numbers_2026Q3.csv"
    report = tmp_path / "report.csv"
    workspace = tmp_path / "w.duckdb"
    assert command.main([str(good), "--workspace", str(workspace), "--report", str(report)]) == 0
    assert "Committed upload #1" in capsys.readouterr().out
    assert command.main([str(bad), "--workspace", str(workspace), "--report", str(report)]) == 1
    assert "Nothing was committed" in capsys.readouterr().err
    issues = pd.read_csv(report)
    assert list(issues.columns[:2]) == ["severity", "file"] and (issues["severity"] == "error").any()
    assert command.main([str(tmp_path / "missing.csv"), "--workspace", str(workspace)]) == 2
    with store.Workspace(workspace) as ws:
        assert len(ws.uploads()) == 1


def test_plain_digits_are_read_as_the_cleaning_rules_read_them(tmp_path):
    """A column of plain digits skips the SQL cleaning rules (Arrow casts it): the same values and
    the same issues as when one cell written otherwise sends the column through the rules."""
    cells = ["1234", "1234.50", "007", "", "0", "0.001", "1" + "0" * 20, "1" + "0" * 400]

    def imported(name: str, extra: list[str]):
        rows = [f"M{i:03d},2026Q3,{gmv},10" for i, gmv in enumerate(cells + extra)]
        path = tmp_path / f"{name}.csv"
        path.write_text("\n".join(["Merchant ID,Quarter,GMV,Commission", *rows]) + "\n", encoding="utf-8")
        return _imported(path, tmp_path / name, valid_rows_only=True) if (tmp_path / name).mkdir() is None else None

    plain, plain_report = imported("plain", [])
    ruled, ruled_report = imported("ruled", ['"1,000"'])  # a thousands separator: the rules clean the column
    for log in ("errors", "warnings"):
        ours = getattr(plain_report, log).frame().drop(columns="file")
        theirs = getattr(ruled_report, log).frame().drop(columns="file")
        pd.testing.assert_frame_equal(ours, theirs[theirs["row"] <= len(cells) + 1].reset_index(drop=True))
    assert plain_report.errors.total == 2  # 10^20 is too large, 10^400 not finite
    kept = ruled.panel()
    pd.testing.assert_frame_equal(plain.panel(), kept[kept["account_id"] != f"M{len(cells):03d}"])


def test_a_row_with_more_values_than_the_header_refuses_the_file_naming_the_row(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text("Merchant ID,Quarter,GMV,Commission\nM1,2026Q3,10,1\nM2,2026Q3,1,000,5\nM3,2026Q3,5,1\n")
    workspace, report = _imported(path, tmp_path, valid_rows_only=True)
    assert report.upload_id is None and report.refused == "a problem concerns a whole file"
    (reason,) = report.errors.frame()["reason"]
    assert "row 3, which has 5 values but the header has 4 columns" in reason
    assert workspace.is_empty()


def test_the_command_offers_the_data_pages_choices_as_flags(tmp_path):
    name, data = messy_exports.transactions()
    orders = tmp_path / name
    orders.write_bytes(data)
    workspace = tmp_path / "w.duckdb"
    assert command.main([str(orders), "--workspace", str(workspace)]) == 1  # repeated accounts: refused
    assert command.main([str(orders), "--workspace", str(workspace), "--sum-repeats"]) == 0
    with store.Workspace(workspace) as ws:
        summed = ws.panel(["2025Q1"]).set_index("account_id")["platform_revenue"]
        assert summed.to_dict() == {"M001": 1300.0, "M002": 100.0, "M003": 5.0}
    unclear = tmp_path / "accounts_unclear.csv"
    unclear.write_bytes(messy_exports.month_unclear()[1])
    assert command.main([str(unclear), "--workspace", str(workspace)]) == 1  # 03/04/2025 reads two ways
    assert command.main([str(unclear), "--workspace", str(workspace), "--day-first"]) == 0
    with store.Workspace(workspace) as ws:
        assert ws.panel(["2025Q2"])["account_id"].tolist() == ["B1"]


def test_the_command_reads_ids_whatever_their_case_as_the_workspace_spells_them(tmp_path):
    workspace = store.Workspace(tmp_path / "w.duckdb")
    workspace.commit(
        pd.DataFrame({"account_id": ["Cd00004"], "quarter": ["2024Q4"], "platform_revenue": [1.0]}),
        "old.csv",
        actor=LOCAL,
    )
    path = tmp_path / messy_exports.ids_by_case()[0]
    path.write_bytes(messy_exports.ids_by_case()[1])
    report = command.import_files([path], workspace, actor=LOCAL, choices=Choices(ids_ignore_case=True))
    assert report.upload_id == 2
    assert sorted(set(workspace.panel()["account_id"])) == ["Cd00004", "cd00007"]
    workspace.close()
