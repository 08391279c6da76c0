"""Real-browser test of sign-in failing closed: `streamlit run server.py` whose secrets file has a
syntax error shows, at every page's URL, only the message that the dashboard is closed; once the
file is corrected, a reload shows the sign-in screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import chromium_page, streamlit_server, wait_until_idle
from tests.test_auth import BROKEN_FILE, SECRET

pytestmark = pytest.mark.browser

URLS = ["/data", "/", "/lifecycle", "/quadrants", "/cohorts", "/scenarios", "/workshop", "/workshop?present=1&slide=2"]
APP_ELEMENTS = ("stSidebar", "stSidebarNav", "stMetric", "stDataFrame", "stPlotlyChart", "stFileUploader", "stButton")
DATA_ELEMENTS = ", ".join(f'[data-testid="{test_id}"]' for test_id in APP_ELEMENTS)


def test_a_secrets_file_with_a_syntax_error_closes_every_page_until_it_is_corrected(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(BROKEN_FILE)
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", str(secrets))  # the server's option secrets.files
    with streamlit_server(tmp_path / "workspace.duckdb") as url, chromium_page() as page:
        for path in URLS:  # /data first: a fresh server's first run starts from the pages/ folder
            page.goto(url + path)
            wait_until_idle(page)
            message = page.locator('[data-testid="stAlertContentError"]')
            expect(message).to_contain_text("The dashboard is closed: its sign-in settings in")
            expect(message).to_contain_text(
                f"{secrets}, line 10, column 26: not valid TOML (unclosed array at the end of the file)"
            )
            assert page.get_by_role("heading").all_inner_texts() == ["B2B Ops Strategy Dashboard"], path
            assert page.locator(DATA_ELEMENTS).count() == 0, path
            assert SECRET not in page.content()
        page.screenshot(path="test-artifacts/browser_sign_in_closed.png", full_page=True)
        secrets.write_text(BROKEN_FILE.replace('"*@example.com"', '"*@example.com"]'))  # corrected, as it says
        page.goto(url + "/data")
        wait_until_idle(page)
        page.get_by_text("This workspace holds company data: sign in to see it.").wait_for()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
