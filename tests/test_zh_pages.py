"""Every page read in Chinese (``?lang=zh``): no English word of the app's own is left on it (the
data's words, acronyms and kept names aside: ``tests.zh_text``)."""

from __future__ import annotations

import pytest

from tests.apptest import VIEW_PAGES, open_app, workspace_of
from tests.zh_text import english_left, shown_texts

PAGES = ["pages/home.py", *VIEW_PAGES, "pages/data.py"]


@pytest.mark.parametrize("path", PAGES, ids=[path.removeprefix("pages/").removesuffix(".py") for path in PAGES])
def test_the_page_in_chinese_shows_no_english_text_of_the_app(workspace_path, path):
    app = open_app(path, query_params={"lang": "zh"})
    trail = workspace_of(workspace_path).audit_trail()
    recorded = set(trail["summary"]) | set(trail["details"])  # the audit trail's entries stay as recorded
    assert [text for text in english_left(shown_texts(app)) if text not in recorded] == []


def test_presentation_mode_in_chinese_shows_no_english_text_of_the_app(workspace_path):
    app = open_app("pages/workshop.py", query_params={"lang": "zh", "present": "1"})
    left = []
    for position in range(1, 4):
        app.query_params["slide"] = str(position)
        app.run()
        left += english_left(shown_texts(app))
    assert left == []
