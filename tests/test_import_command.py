"""The command-line import checks a file as the Data page does and commits it as one upload."""

from __future__ import annotations

import pandas as pd
import pytest

from b2b_core import ingest, sample, store
from b2b_core.access import LOCAL
from b2b_core.ingest import command

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
