"""Running the app under Streamlit's AppTest against a workspace in a temporary folder."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from b2b_core import sample
from b2b_core.access import LOCAL
from b2b_core.ingest import read_upload
from b2b_core.store import Workspace
from ui import state

APP = str(sample.SAMPLE_DIR.parent.parent / "app.py")
VIEW_PAGES = [  # the pages showing views of the panel after the Overview, in the navigation's order
    "pages/lifecycle.py",
    "pages/quadrants.py",
    "pages/cohorts.py",
    "pages/accounts.py",
    "pages/scenarios.py",
    "pages/workshop.py",
]


def open_app(
    page: str | None = None, *, secrets: dict | None = None, user: dict | None = None, query_params: dict | None = None
) -> AppTest:
    """The app after its first run, switched to ``page`` (a path such as ``pages/data.py``);
    ``secrets`` and ``user`` are AppTest's, ``query_params`` the link the page is opened with."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.secrets.update(secrets or {})
    if user is not None:
        app.user = user
    app.run()
    for key, value in (query_params or {}).items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
        app.run()
    assert not app.exception, app.exception
    return app


def workspace_of(path):
    """The Workspace object the app under test uses (the same process and cache)."""
    return state._open(str(path), True)


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def shown(markdown: str) -> str:
    """A Markdown text as it reads on screen, its backslash escapes (``ui.format.plain``) removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def seeded_up_to(path, last: str) -> None:
    """A workspace at ``path`` holding the bundled sample's quarters up to ``last``."""
    with Workspace(path) as ws:
        items = []
        for file in sorted(sample.SAMPLE_DIR.glob("accounts_*.csv")):
            if file.stem.removeprefix("accounts_") <= last:
                result = read_upload(file.read_bytes(), file.name)
                items.append((result.table, file.name, result.sha256))
        ws.commit_many(items, actor=LOCAL)


def commit_sample_quarter(ws: Workspace, quarter: str) -> None:
    """Commit the bundled sample's file of ``quarter`` to ``ws``, as an ops lead uploading it."""
    file = sample.SAMPLE_DIR / f"accounts_{quarter}.csv"
    ws.commit(read_upload(file.read_bytes(), file.name).table, file.name, actor=LOCAL)
