"""AppTest tests of the pages on a source outside the workspace (``$B2B_SOURCE``): a table of a
DuckDB file under a lake's Chinese column names, its quarter a date named by the mapping. Every
page runs on it and the Overview shows its numbers; a source that fails the contract's checks, a
missing table and a connection holding a password each give a message and no number."""

from __future__ import annotations

from tests import source_files
from tests.apptest import VIEW_PAGES, open_app, shown

TABLE = "ops.account_quarters"
PASSWORD = "S3cret-pw"


def test_every_page_runs_on_a_warehouse_table_and_the_overview_shows_its_numbers(lake, tmp_path):
    panel = source_files.lake_panel()
    path = source_files.write_duckdb(source_files.as_lake(panel), tmp_path / "warehouse.duckdb", TABLE)
    lake(f"duckdb://{path}", table=TABLE)
    app = open_app()
    cards = {m.label: (m.value, m.delta or None) for m in app.metric if m.label in source_files.overview_metrics(panel)}
    assert cards == source_files.overview_metrics(panel)
    assert any("Quarter **2026Q2**, compared with 2026Q1" in c.value for c in app.caption)
    sidebar = shown(" ".join(str(c.value) for c in app.sidebar.caption))
    assert f"duckdb {path} · table {TABLE}" in sidebar
    assert any("9 quarters" in m.value for m in app.sidebar.markdown)
    for page in VIEW_PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        assert not app.error, (page, [e.value for e in app.error])
    app.switch_page("pages/data.py").run()
    assert not app.exception and not app.error
    assert any(i.value.startswith("Uploads are off") for i in app.info)
    assert not app.get("file_uploader") or all("Backup" in u.label for u in app.get("file_uploader"))
    assert [s.value for s in app.subheader][:2] == ["Where the data come from", "Currency"]


def test_a_source_failing_the_contract_shows_its_report_and_no_number_until_it_is_corrected(lake, tmp_path):
    lake_rows = source_files.as_lake(source_files.lake_panel())
    path = source_files.write_parquet(source_files.failing(lake_rows), tmp_path / "lake.parquet")
    lake("duckdb://", parquet=str(path))
    app = open_app()
    assert not app.metric
    (failed,) = app.error
    assert "fails the data contract's checks" in failed.value
    report = shown(" ".join(m.value for m in app.markdown))
    assert "quarter not readable (column 统计日): 1 row, e.g. (empty)." in report
    assert "platform_revenue negative (column 佣金收入): 1 row, e.g. -120.0." in report
    assert "one row per account and quarter (column 商户号): 2 rows, e.g. M000001 in 2024Q1 (2 rows)." in report
    app.switch_page("pages/lifecycle.py").run()
    assert not app.exception and not app.metric and app.error
    app.switch_page("pages/data.py").run()
    assert not app.exception
    assert {"Where the data come from", "Currency", "Audit trail"} <= {s.value for s in app.subheader}

    source_files.write_parquet(lake_rows, path)  # corrected in the lake
    app.button(key="source:retry").click().run()
    assert not app.exception and not app.error
    app.switch_page("pages/home.py").run()
    assert {m.label for m in app.metric} >= {"Active accounts", "Platform revenue"}


def test_a_missing_table_says_which_setting_to_check(lake, tmp_path):
    path = source_files.write_duckdb(source_files.as_lake(source_files.lake_panel()), tmp_path / "w.duckdb", TABLE)
    lake(f"duckdb://{path}", table="ops.no_such_table")
    app = open_app()
    assert not app.exception and not app.metric
    (failed,) = app.error
    assert "has no such table or path" in shown(failed.value)
    assert "Check [source] table or parquet" in shown(failed.value)
    assert app.button(key="source:retry")
    assert any("Not available" in m.value for m in app.sidebar.markdown)


def test_a_connection_with_a_password_never_shows_it(lake):
    lake(f"postgres://ops:{PASSWORD}@127.0.0.1:1/analytics", table=TABLE)
    app = open_app()
    for page in ("pages/home.py", *VIEW_PAGES, "pages/data.py"):
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        assert app.error
        said = shown(" ".join(str(e.value) for e in (*app.error, *app.markdown, *app.caption, *app.sidebar.caption)))
        assert "postgres 127.0.0.1:1/analytics" in said
        assert "needs the driver of postgres, which is not installed" in said or "cannot be reached" in said
        assert PASSWORD not in said and "ops:" not in said


def test_a_view_the_engine_cannot_compute_any_more_gives_a_message_not_a_traceback(lake, tmp_path):
    path = source_files.write_parquet(source_files.as_lake(source_files.lake_panel()), tmp_path / "lake.parquet")
    lake("duckdb://", parquet=str(path))
    app = open_app()
    assert app.metric
    path.unlink()  # the lake's file gone while the app runs: the next view's query fails on the engine
    app.switch_page("pages/cohorts.py").run()
    assert not app.exception, app.exception
    assert "has no such table or path" in shown(app.error[0].value)
    assert app.button(key="source:retry")


def test_a_source_without_a_required_column_says_which_and_how_to_map_one(lake, tmp_path):
    lake_rows = source_files.as_lake(source_files.lake_panel()).drop(columns="佣金收入")
    lake("duckdb://", parquet=str(source_files.write_parquet(lake_rows, tmp_path / "lake.parquet")))
    app = open_app()
    assert not app.exception and not app.metric
    report = shown(" ".join(m.value for m in app.markdown))
    assert "required column. The source has no column for platform_revenue" in report
    assert 'Map one in [source.mapping]: your_column = "platform_revenue"' in report
