"""AppTest tests of the Data page's choices for exports as they come (``ui.upload_choices``):
summing transaction rows, the order of day and month, ids whatever their case, the sheet of a
workbook, what a valid-rows-only commit leaves out and what a supersede changes."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from b2b_core import sample
from tests import messy_exports
from tests.apptest import open_app, shown, workspace_of
from tests.test_pages import checkbox, upload

SAMPLE = sorted(sample.SAMPLE_DIR.glob("accounts_*.csv"))


def commit(app: AppTest) -> None:
    """Click the commit button, confirming first the replacement of the sample's quarters it holds."""
    replace = [c for c in app.checkbox if c.label.startswith("Replace these quarters")]
    if replace and not replace[0].value:
        replace[0].check().run()
    button = app.button(key="commit")
    assert not button.disabled, button.label
    button.click().run()
    assert not app.exception, app.exception


def texts(elements) -> list[str]:
    return [shown(e.value) for e in elements]


def test_a_transaction_file_is_summed_per_account_and_quarter_once_asked(workspace_path):
    app = open_app("pages/data.py")
    upload(app, *messy_exports.transactions())
    assert any("5 rows repeat an account in its quarter" in t for t in texts(app.error))
    assert app.button(key="commit").disabled
    checkbox(app, "Sum the rows of each account and quarter into one").check().run()
    assert "5 rows summed into 2 rows." in texts(app.success)
    commit(app)
    panel = workspace_of(workspace_path).panel(["2025Q1"]).set_index("account_id")
    assert panel["platform_revenue"].to_dict() == {"M001": 1300.0, "M002": 100.0, "M003": 5.0}
    assert panel.loc["M001", "account_name"] == "Shop A (renamed)"


def test_dates_that_read_two_ways_are_read_in_the_order_chosen(workspace_path):
    app = open_app("pages/data.py")
    upload(app, *messy_exports.month_unclear())
    assert any("the order of day and month is yours to say" in t for t in texts(app.warning))
    (order,) = [r for r in app.radio if r.label == "Dates such as 03/04/2025 are written"]
    assert order.value is None
    order.set_value("day-first").run()
    assert app.button(key="commit").label == "Commit 3 rows (2025Q1, 2025Q2)"
    commit(app)
    assert workspace_of(workspace_path).panel(["2025Q2"])["account_id"].tolist() == ["B1"]


def test_a_day_first_file_says_which_order_it_was_read_in_and_asks_nothing(workspace_path):
    app = open_app("pages/data.py")
    upload(app, *messy_exports.day_first())
    assert not [r for r in app.radio if r.label.startswith("Dates such as")]
    assert "Date: dates read day-first: 2 of the 4 dates have a day above 12 (DD/MM/YYYY)." in texts(app.caption)
    assert app.button(key="commit").label == "Commit 4 rows (2025Q1, 2025Q2)"


def test_ids_spelt_otherwise_in_the_workspace_are_warned_of_and_read_as_its_accounts(workspace_path):
    app = open_app("pages/data.py")
    content = b"Merchant ID,Quarter,Commission,GMV\nm000001,2026Q4,10,100\nM000001,2026Q3,5,50\nnew1,2026Q4,1,1\n"
    upload(app, "accounts_2026Q4.csv", content)
    warning = next(t for t in texts(app.warning) if "only by case" in t)
    assert "1 id of the file differs from another only by case: m000001 / M000001." in warning
    assert "1 id is spelt otherwise in the workspace: m000001 (workspace: M000001)." in warning
    checkbox(app, "Read ids whatever their case").check().run()
    commit(app)
    assert workspace_of(workspace_path).panel(["2026Q4"])["account_id"].tolist() == ["M000001", "new1"]


def test_a_workbook_opens_on_the_accounts_sheet_and_can_switch_to_another(workspace_path):
    app = open_app("pages/data.py")
    upload(app, *messy_exports.summary_first())
    sheet = app.selectbox(key="file0:regions.xlsx:sheet")
    assert sheet.value == "Accounts" and sheet.options == ["Summary", "Accounts"]
    assert any("proposed as the sheet most like an account export" in t for t in texts(app.caption))
    assert app.button(key="commit").label == "Commit 6 rows (2025Q3)"
    sheet.set_value("Summary").run()
    assert app.button(key="commit").disabled


def test_totals_rows_are_left_out_and_said_so(workspace_path):
    app = open_app("pages/data.py")
    upload(app, *messy_exports.with_totals())
    assert "3 totals rows left out (each named in the Warnings)." in texts(app.info)
    assert app.button(key="commit").label == "Commit 4 rows (2025Q3)"


def test_valid_rows_only_says_what_it_leaves_out_and_so_does_the_commit(workspace_path):
    app = open_app("pages/data.py")
    upload(app, *messy_exports.with_bad_rows())
    label = "Commit valid rows only (leaves out 2 rows of 2 accounts (1 of them entirely), platform revenue 40.00)"
    checkbox(app, label).check().run()
    left_out = next(d.value for d in app.dataframe if "rows_left_out" in d.value.columns)
    assert left_out["account_id"].tolist() == ["B4", "B2"] and left_out["rows_kept"].tolist() == [0, 1]
    commit(app)
    assert any(
        "Left out: 2 rows of 2 accounts (1 of them entirely), platform revenue 40.00." in t for t in texts(app.success)
    )


def test_a_supersede_confirmation_shows_accounts_added_and_removed_and_the_revenue_change(workspace_path):
    app = open_app("pages/data.py")
    live = workspace_of(workspace_path).panel(["2026Q3"])
    lines = SAMPLE[-1].read_text(encoding="utf-8").splitlines()
    dropped = lines[1].split(",")[0]
    content = "\n".join([lines[0], *lines[2:], "NEW9,New shop,2026Q3,,,,,100,10,,,"]) + "\n"
    upload(app, "accounts_2026Q3_corrected.csv", content.encode())
    difference = next(d.value for d in app.dataframe if "revenue_change" in d.value.columns)
    row = difference.iloc[0]
    assert (row["quarter"], row["added"], row["removed"]) == ("2026Q3", 1, 1)
    assert row["accounts_live"] == len(live) and row["accounts_new"] == len(live)
    removed_revenue = live.set_index("account_id").loc[dropped, "platform_revenue"]
    assert abs(row["revenue_change"] - (10 - removed_revenue)) < 1e-6
    changed = next(d.value for d in app.dataframe if "change" in d.value.columns)
    assert set(zip(changed["account_id"], changed["change"])) == {(dropped, "removed"), ("NEW9", "added")}
