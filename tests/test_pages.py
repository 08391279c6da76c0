"""AppTest tests of the pages, against a real DuckDB workspace in a temporary folder."""

from __future__ import annotations

import gc
import io
import time
import tracemalloc

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from b2b_core import ingest, overview, sample
from b2b_core.access import LOCAL
from b2b_core.ingest import MAX_KEPT, UPLOAD_LIMIT_MB, upload_too_large
from b2b_core.store import Workspace
from tests import messy_files, workbooks
from tests.apptest import metric, open_app, shown, workspace_of

SAMPLE = sorted(sample.SAMPLE_DIR.glob("accounts_*.csv"))


def upload(app: AppTest, name: str, content: bytes) -> None:
    app.file_uploader[0].set_value((name, content, "text/csv")).run()
    assert not app.exception, app.exception


def checkbox(app: AppTest, label_start: str):
    return next(c for c in app.checkbox if c.label.startswith(label_start))


def commit_button(app: AppTest):
    return app.button(key="commit")


def report_tables(app: AppTest) -> list:
    """The page's tables, in order, without the mapping editor."""
    return [table for table in app.dataframe if table.editing_mode == "read_only"]


def correct(app: AppTest, choices: dict[int, str]) -> None:
    """Choose what the file's headers map to in the mapping editor, by their row (from 0), as a
    click in its "Maps to" column would."""
    (editor,) = app.data_editor
    edits = {row: {"maps to": choice} for row, choice in choices.items()}
    app.session_state[editor.key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    app.run()
    assert not app.exception, app.exception


def test_home_shows_the_latest_quarter_kpis_of_the_seeded_workspace(workspace_path):
    app = open_app()
    _, _, headlines = overview.latest_headlines(sample.generate_panel())
    expected = {h.name: h.value for h in headlines}
    assert metric(app, "Active accounts") == f"{expected['active_accounts']:,.0f}"
    assert metric(app, "New accounts") == f"{expected['new_accounts']:,.0f}"
    assert "2026Q3" in app.caption[0].value
    assert not app.error


def test_bad_file_shows_its_errors_and_writes_nothing(workspace_path):
    app = open_app("pages/data.py")
    before = workspace_of(workspace_path).version
    upload(app, "broken_2026Q3.csv", b"Merchant ID,Quarter,Commission\nM1,2026Q3,-5\n,2026Q3,abc\n")
    errors = report_tables(app)[0].value  # the Errors tab comes first
    assert list(errors.columns) == ["file", "row", "column", "value", "reason"]
    assert set(errors["row"]) == {2, 3}
    assert "negative" in " ".join(errors["reason"])
    assert any("Nothing can be committed yet: no row passed the checks" in e.value for e in app.error)
    assert not any("concerns the whole file" in e.value for e in app.error)  # no problem of the whole file here
    assert commit_button(app).disabled  # AppTest, like a browser, cannot click it
    app.run()
    assert workspace_of(workspace_path).version == before


def test_a_file_bringing_more_custom_metrics_than_the_workspace_keeps_says_so_before_the_commit(workspace_path):
    app = open_app("pages/data.py")  # the sample workspace has one custom metric, orders
    header = "Merchant ID,Quarter,Commission," + ",".join(f"m{i}" for i in range(200))
    upload(app, "wide_2026Q4.csv", f"{header}\nM1,2026Q4,5,{','.join(['1'] * 200)}\n".encode())
    assert metric(app, "Errors") == "0"  # the file itself is clean
    message = "Nothing can be committed yet: the workspace holds 1 custom metric and this upload brings 200 more"
    assert any(message in e.value for e in app.error)
    assert commit_button(app).disabled


def test_file_wide_problem_offers_no_partial_commit(workspace_path):
    app = open_app("pages/data.py")
    upload(app, "orders.csv", b"Merchant ID,Orders\nM1,3\n")
    assert any("Nothing can be committed" in e.value for e in app.error)
    assert not any(c.label.startswith("Commit valid rows only") for c in app.checkbox)
    assert commit_button(app).disabled


def test_good_file_commits_and_the_home_kpis_change(workspace_path):
    app = open_app("pages/data.py")
    before = workspace_of(workspace_path).version
    next_quarter = sample.generate_panel(n_accounts=25, n_quarters=1, last_quarter="2026Q4", seed=11)
    upload(app, "merchants_2026Q4.csv", sample.to_export(next_quarter).to_csv(index=False).encode())
    status = app.get("status")[0]  # the check's status box and its steps
    assert shown(status.label) == "Checked merchants_2026Q4.csv: 25 rows read"
    assert [m.value for m in status.markdown] == [
        "Read 25 rows of 13 columns",
        "Checked: 25 rows pass, 0 errors, 0 warnings",
    ]
    button = commit_button(app)
    assert button.label == "Commit 25 rows (2026Q4)" and not button.disabled
    button.click().run()
    assert not app.exception
    assert workspace_of(workspace_path).version == before + 1
    assert any("Committed upload #13" in s.value for s in app.success)
    app.switch_page("pages/home.py").run()
    assert metric(app, "Active accounts") == "25"
    assert "2026Q4" in app.caption[0].value


def test_valid_rows_only_commit_needs_the_explicit_choice(workspace_path):
    app = open_app("pages/data.py")
    upload(app, "mixed_2026Q4.csv", b"Merchant ID,Quarter,Commission,GMV\nM1,2026Q4,5,50\nM2,2026Q4,oops,10\n")
    assert commit_button(app).disabled
    checkbox(app, "Commit valid rows only").check().run()
    button = commit_button(app)
    assert button.label == "Commit 1 rows (2026Q4)" and not button.disabled
    button.click().run()
    panel = workspace_of(workspace_path).panel(["2026Q4"])
    assert list(panel["account_id"]) == ["M1"]


def test_reupload_supersedes_after_confirmation_and_restore_brings_the_old_upload_back(workspace_path):
    app = open_app("pages/data.py")
    upload(app, "accounts_2026Q3_corrected.csv", SAMPLE[-1].read_bytes())
    assert any("supersedes data already in the workspace" in w.value for w in app.warning)
    assert commit_button(app).disabled
    checkbox(app, "Replace these quarters").check().run()
    commit_button(app).click().run()
    assert any("Committed upload #13" in s.value for s in app.success)

    history = workspace_of(workspace_path).uploads().set_index("upload_id")
    assert history.loc[12, "status"] == "superseded" and history.loc[13, "status"] == "live"
    app.selectbox(key="history:upload").set_value(12).run()
    app.button(key="restore").click().run()
    assert any("Upload #12 is live again for 2026Q3 (was #13)" in s.value for s in app.success)
    history = workspace_of(workspace_path).uploads().set_index("upload_id")
    assert history.loc[12, "status"] == "live" and history.loc[13, "status"] == "superseded"


def test_file_without_quarter_column_commits_once_a_quarter_is_chosen(workspace_path):
    app = open_app("pages/data.py")
    upload(app, "merchants.csv", b"Merchant ID,GMV,Commission\nM1,100,10\nM2,200,20\n")
    assert commit_button(app).disabled and commit_button(app).label == "Commit"
    app.selectbox(key="file0:merchants.csv:quarter").set_value("2026Q4").run()
    button = commit_button(app)
    assert button.label == "Commit 2 rows (2026Q4)" and not button.disabled
    button.click().run()
    assert workspace_of(workspace_path).quarters()[-1] == "2026Q4"


def test_correcting_the_mapping_turns_a_column_into_the_revenue(workspace_path):
    app = open_app("pages/data.py")
    upload(app, "odd_2026Q4.csv", b"Merchant ID,Quarter,Amount billed\nM1,2026Q4,10\nM2,2026Q4,20\n")
    assert commit_button(app).disabled  # no platform revenue column was recognised
    correct(app, {2: "platform_revenue"})  # Amount billed, the third header
    assert not commit_button(app).disabled
    commit_button(app).click().run()
    panel = workspace_of(workspace_path).panel(["2026Q4"])
    assert list(panel["platform_revenue"]) == [10.0, 20.0]


def test_a_delete_confirmation_does_not_carry_over_to_another_upload(workspace_path):
    app = open_app("pages/data.py")
    app.selectbox(key="history:upload").set_value(12).run()
    app.checkbox(key="delete:sure:12").check().run()
    assert not app.button(key="delete").disabled
    app.selectbox(key="history:upload").set_value(3).run()
    assert app.button(key="delete").disabled
    assert workspace_of(workspace_path).version == 1  # the seed is one write


def test_the_overview_shows_no_delta_it_cannot_compute(workspace_path):
    from b2b_core.ingest import commit, read_upload

    ws = workspace_of(workspace_path)
    # a quarter without B-side revenue: its take rate, and so its change, is unknown
    result = read_upload(b"Merchant ID,Quarter,Commission\nM1,2026Q4,10\n", "merchants_2026Q4.csv")
    commit(result, ws, actor=LOCAL)
    app = open_app()
    take_rate = next(m for m in app.metric if m.label == "Take rate")
    assert take_rate.value == "–" and not take_rate.delta
    assert not any("nan" in str(m.delta) for m in app.metric)


def test_every_page_shows_quarters_where_no_account_earned_anything_without_an_error(workspace_path):
    idle = "".join(f"A{i},{q},0,0\n" for i in range(5) for q in ("2025Q1", "2025Q2", "2025Q3", "2025Q4"))
    with Workspace(workspace_path) as ws:  # committed before the app opens: no sample
        ws.commit(
            pd.read_csv(io.StringIO("account_id,quarter,platform_revenue,b_side_revenue\n" + idle)),
            "idle.csv",
            actor=LOCAL,
        )
    for page in (
        "pages/home.py",
        "pages/lifecycle.py",
        "pages/quadrants.py",
        "pages/cohorts.py",
        "pages/scenarios.py",
        "pages/workshop.py",
        "pages/data.py",
    ):
        app = open_app(page)  # raises on any exception of the page
        assert not app.exception, page


def test_a_chosen_upload_stays_chosen_when_another_session_changes_its_status(workspace_path):
    app = open_app("pages/data.py")
    ws = workspace_of(workspace_path)
    last_quarter = ws.quarters()[-1]
    chosen = ws.supersedes([last_quarter])[last_quarter]
    app.selectbox(key="history:upload").set_value(chosen).run()
    # meanwhile another session supersedes the chosen upload: its status changes from live
    newer = ws.commit(sample.generate_panel(30, 1, last_quarter=last_quarter, seed=5), "elsewhere.csv", actor=LOCAL)
    app.run()
    assert app.selectbox(key="history:upload").value == chosen
    assert app.button(key="restore").label == f"Restore #{chosen}: make it live for its quarters"
    app.button(key="restore").click().run()
    assert any(f"Upload #{chosen} is live again for {last_quarter} (was #{newer})" in s.value for s in app.success)


def test_a_data_file_over_the_upload_limit_is_refused_before_it_is_read(workspace_path, monkeypatch):
    """The server takes files up to 1 GB (backups); a data file over ``UPLOAD_LIMIT_MB`` is refused
    by the browser and, should it get through, by the page before a byte of it is read."""

    def never(*args, **kwargs):
        raise AssertionError("the file was read")

    app = open_app("pages/data.py")  # (seeding the workspace reads the sample files)
    monkeypatch.setattr(ingest, "read_upload", never)
    assert app.file_uploader[0].proto.max_upload_size_mb == UPLOAD_LIMIT_MB
    assert any(f"Each file may hold up to {UPLOAD_LIMIT_MB} MB" in caption.value for caption in app.caption)
    size = (UPLOAD_LIMIT_MB << 20) + 1
    upload(app, "all_regions_2026Q4.csv", b"x" * size)
    assert [shown(error.value) for error in app.error] == [upload_too_large("all_regions_2026Q4.csv", size)]
    assert not any(button.key == "commit" for button in app.button)


def test_the_report_counts_every_error_and_says_when_a_table_lists_only_the_first(workspace_path):
    app = open_app("pages/data.py")
    refunds = "".join(f"M{i},2026Q4,-1\n" for i in range(12_000))
    upload(app, "refunds_2026Q4.csv", ("Merchant ID,Quarter,Commission\n" + refunds).encode())
    assert metric(app, "Errors") == "12,000"
    assert app.tabs[0].label == "Errors (12,000)"
    assert any(f"The table lists the first {MAX_KEPT:,} of the 12,000 errors" in w.value for w in app.warning)
    most_frequent, listed, by_reason = (frame.value for frame in report_tables(app)[:3])
    assert most_frequent["rows"].tolist() == by_reason["rows"].tolist() == [12_000]
    assert len(listed) == MAX_KEPT and listed["row"].iloc[-1] == MAX_KEPT + 1


def test_a_checked_file_is_kept_only_while_it_is_in_the_uploader(workspace_path):
    """Regression: every check was cached for an hour (``st.cache_data``, ttl 3600) as a pickled copy
    beside the one in use, after the file was removed and after the session ended. A result now lives
    in its session only while the page shows its file."""
    app = open_app("pages/data.py")
    panel = sample.generate_panel(n_accounts=50_000, n_quarters=1, last_quarter="2026Q4", seed=3)
    data = sample.to_export(panel).to_csv(index=False).encode()
    gc.collect()
    arrow = pa.total_allocated_bytes()
    tracemalloc.start()
    try:
        upload(app, "merchants_2026Q4.csv", data)
        app.file_uploader[0].clear().run()
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] + pa.total_allocated_bytes() - arrow
    finally:
        tracemalloc.stop()
    assert retained < len(data) / 10, f"{retained / 2**20:.1f} MB kept for a {len(data) / 2**20:.1f} MB file"

    upload(app, "merchants_2026Q4.csv", data)
    assert app.session_state["data:checked"]
    commit_button(app).click().run()
    assert any("Committed upload #13" in s.value for s in app.success)
    assert not app.session_state["data:checked"]


def test_a_file_of_3000_columns_gets_one_mapping_editor_whose_rows_change_the_result(workspace_path):
    """Regression: a selectbox per header made 3,004 widgets (15 s to show the file, 31 s a rerun),
    and 16,381 crashed the browser tab. Now the mapping is one editor, a row per header."""
    app = open_app("pages/data.py")
    started = time.perf_counter()
    upload(app, "wide_2026Q4.csv", workbooks.wide_csv(3_000, "2026Q4"))
    app.run()
    assert time.perf_counter() - started < 10
    assert len(app.data_editor) == 1 and len(app.selectbox) < 5
    table = app.data_editor[0].value
    assert table["source"].tolist() == ["Merchant ID", "Quarter", "Commission", *(f"m{i}" for i in range(3_000))]
    assert table.iloc[3].tolist() == ["m0", ingest.CUSTOM, "numeric column", ingest.CUSTOM]
    assert metric(app, "Warnings") == "2,801"  # 2,800 metrics beyond the 200 an upload keeps, and one more
    correct(app, {0: ingest.IGNORE})  # no account id left: a problem of the whole file
    assert metric(app, "Errors") == "1" and metric(app, "Valid rows") == "0"
    assert commit_button(app).disabled


def test_the_sidebar_counts_the_quarters_in_words_that_fit_one(workspace_path):
    with Workspace(workspace_path) as ws:
        ws.commit(
            sample.generate_panel(n_accounts=50, n_quarters=1, last_quarter="2026Q3", seed=2), "q.csv", actor=LOCAL
        )
    app = open_app("pages/home.py")
    assert any(m.value == "**1 quarter** · 2026Q3" for m in app.sidebar.markdown)
    with Workspace(workspace_path) as ws:
        ws.commit(
            sample.generate_panel(n_accounts=50, n_quarters=2, last_quarter="2026Q2", seed=2), "p.csv", actor=LOCAL
        )
    app = open_app("pages/home.py")
    assert any(m.value == "**3 quarters** · 2026Q1 – 2026Q3" for m in app.sidebar.markdown)


def test_a_far_away_commit_is_confirmed_then_the_sample_is_removed_and_restored_in_one_step_each(workspace_path):
    app = open_app("pages/data.py")
    assert any("Sample data" in m.value for m in app.sidebar.markdown)
    assert "is the bundled sample of a fictional platform" in app.caption[0].value
    upload(app, "cdnow_1997_1998.csv", messy_files.purchase_log_1997())
    (far,) = [w.value for w in app.warning if "quarters apart" in w.value]
    assert far.startswith(
        "Your file covers 1997Q1–1998Q2; the workspace holds 2023Q4–2026Q3 (sample data): 101 quarters apart."
    )
    assert commit_button(app).disabled
    checkbox(app, "Commit anyway, 101 quarters apart").check().run()
    commit_button(app).click().run()
    assert not app.exception, app.exception
    ws = workspace_of(workspace_path)
    assert ws.data_origin().kind == "mixed"
    assert any("Mixed with sample data" in m.value for m in app.sidebar.markdown)
    entries = len(ws.audit_trail())
    app.button(key="sample:remove_offered").click().run()  # offered right after the commit
    assert not app.exception, app.exception
    assert ws.quarters() == ["1997Q1", "1997Q2", "1997Q3", "1997Q4", "1998Q1", "1998Q2"]
    assert len(ws.audit_trail()) == entries + 1 and ws.audit_trail()["action"].iloc[0] == "remove_sample"
    assert "Removed the sample data (2023Q4–2026Q3) in one step" in app.success[0].value
    assert not any("ample data" in m.value for m in app.sidebar.markdown)
    app.button(key="sample:restore").click().run()
    assert ws.data_origin().kind == "mixed" and ws.quarters()[-1] == "2026Q3"
    assert "live again for 2023Q4–2026Q3" in app.success[0].value
