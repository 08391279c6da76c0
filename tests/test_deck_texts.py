"""The facilitator's own words in the workshop deck: the title and agenda slides, headlines
written in place of the computed ones (``report.with_headlines``, kept in the workspace with who
and when), the HTML deck showing them, and the free name of the room's scenario."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from b2b_core import report, scenarios
from b2b_core.access import LOCAL, Actor, PermissionDenied
from b2b_core.report import Fact, Slide
from b2b_core.store import Workspace

EDITOR = Actor("Ed Editor", "ed@example.com", "editor")
VIEWER = Actor("Vera Viewer", "vera@example.com", "viewer")
DAY = dt.date(2026, 12, 1)


def slide(key: str, headline: str) -> Slide:
    return Slide(key, report.SLIDE_TITLES[key], headline, (Fact("x", "1"),), None, pd.DataFrame(), ("note",))


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "ws.duckdb") as workspace:
        yield workspace


def test_the_title_slide_carries_the_name_as_headline_and_date_and_company_as_facts_without_a_figure():
    title = report.title_slide("Q3 review", DAY, "Acme")
    assert (title.key, title.title, title.headline, title.figure, title.suggested) == (
        "title",
        "Title",
        "Q3 review",
        None,
        None,
    )
    assert title.facts == (Fact("Date", "2026-12-01"), Fact("Company", "Acme"))
    assert title.data["value"].tolist() == ["Q3 review", "2026-12-01", "Acme"]
    assert report.title_slide("Q3 review", DAY).facts == (Fact("Date", "2026-12-01"),)  # no company: left out


def test_the_agenda_lists_the_slides_that_follow_numbered_by_their_places_in_the_deck():
    following = [slide("overview", "A"), slide("stage", "B"), slide("scenarios", "C")]
    agenda = report.agenda_slide(following, first=3)
    assert (agenda.key, agenda.title, agenda.figure) == ("agenda", "Agenda", None)
    assert agenda.facts == (Fact("3", "Where we stand"), Fact("4", "Stage and priorities"), Fact("5", "What if"))
    assert agenda.data.index.tolist() == [3, 4, 5] and agenda.data["headline"].tolist() == ["A", "B", "C"]
    assert report.agenda_slide([]).facts == ()


def test_with_headlines_puts_the_written_headline_first_and_keeps_the_computed_one_as_the_suggestion():
    slides = [slide("overview", "Revenue grew 9%"), slide("stage", "Traction"), slide("cohorts", "Half renew")]
    edited = {"overview": "We grew, <b>again</b>", "cohorts": "Half renew", "plan": "not in this deck"}
    shown = report.with_headlines(slides, edited)
    assert [(s.headline, s.suggested) for s in shown] == [
        ("We grew, <b>again</b>", "Revenue grew 9%"),
        ("Traction", None),  # none written
        ("Half renew", None),  # written as computed: nothing to say
    ]
    assert shown[0].facts == slides[0].facts and shown[1] is slides[1]
    assert report.with_headlines(slides, {}) == slides
    # the data changed the computed headline: the written one stays, the suggestion is the new one
    again = report.with_headlines([slide("overview", "Revenue grew 12%")], edited)
    assert (again[0].headline, again[0].suggested) == ("We grew, <b>again</b>", "Revenue grew 12%")


def test_the_html_deck_shows_the_title_centred_the_agenda_and_marks_an_edited_headline_escaped():
    slides = [report.title_slide("Q3 <review>", DAY, "Acme & Co")]
    written = report.with_headlines([slide("overview", "Computed <i>")], {"overview": "Ours <script>"})
    slides += [report.agenda_slide(written, first=3), *written]
    page = report.deck_html(slides, "Workshop", "x")
    assert '<div class="title-slide"><h1>Q3 &lt;review&gt;</h1>' in page
    assert '<p class="subtitle">2026-12-01</p><p class="subtitle">Acme &amp; Co</p>' in page
    assert '<ol class="agenda"><li value="3">Where we stand</li></ol>' in page
    assert '<h1>Ours &lt;script&gt; <span class="edited"' in page
    assert "<li>Computed headline: Computed &lt;i&gt;</li>" in page
    assert "<script>" not in page.split("<body>")[1].split("<script>\n(function")[0]  # nothing unescaped
    assert page.count('class="chart"') == 0 and page.count("null") >= 3  # no figure, no chart


def test_a_free_name_adds_a_number_in_brackets_and_fits_the_longest_name():
    assert scenarios.free_name("Workshop 2026-12-01", []) == "Workshop 2026-12-01"
    taken = ["workshop 2026-12-01", "Workshop 2026-12-01 (2)"]
    assert scenarios.free_name(" Workshop  2026-12-01 ", taken) == "Workshop 2026-12-01 (3)"
    long = "x" * 70
    assert scenarios.free_name(long, []) == "x" * scenarios.MAX_NAME
    assert scenarios.free_name(long, ["x" * 60]) == "x" * 56 + " (2)"
    assert scenarios.free_name("Base", []) == "Base (2)"  # the base's name is never a saved one


def test_the_workshop_title_is_kept_for_everyone_stamped_and_audited(ws):
    assert ws.workshop_title() is None
    ws.set_workshop_title("  Q3   review ", DAY, "Acme", actor=EDITOR)
    title = ws.workshop_title()
    assert (title.name, title.date, title.company, title.saved_by) == ("Q3 review", DAY, "Acme", "ed@example.com")
    ws.set_workshop_title("Q4 review", DAY + dt.timedelta(days=90), "", actor=LOCAL)
    entry = ws.audit_trail().iloc[0]
    assert (entry.action, entry.summary) == ("edit_deck", "named the workshop 'Q4 review' (2027-03-01)")
    assert json.loads(entry.details) == {
        "title": {"name": "Q4 review", "date": "2027-03-01", "company": ""},
        "before": ["Q3 review", "2026-12-01", "Acme"],
    }
    for name, company, message in [
        (" ", "", "the workshop needs a name"),
        ("x" * 121, "", "the name is 121 characters long; use at most 120"),
        ("x", "y" * 121, "the company is 121 characters long"),
    ]:
        with pytest.raises(ValueError, match=message):
            ws.set_workshop_title(name, DAY, company, actor=LOCAL)
    with pytest.raises(PermissionDenied, match="Editing the workshop deck's title or headlines needs the editor"):
        ws.set_workshop_title("Mine", DAY, "", actor=VIEWER)
    assert ws.workshop_title().name == "Q4 review" and len(ws.audit_trail()) == 2  # refusals wrote nothing


def test_an_edited_headline_is_kept_per_slide_with_who_and_when_and_reset_to_the_computed_one(ws):
    version = ws.version
    assert ws.edited_headlines() == {}
    assert ws.edit_headline("overview", " We grew,\n again ", "Revenue grew 9%", actor=EDITOR) == "We grew, again"
    edit = ws.edited_headlines()["overview"]
    assert (edit.text, edit.saved_by) == ("We grew, again", "ed@example.com")
    assert isinstance(edit.saved_at, dt.datetime)
    ws.edit_headline("overview", "Ours", "Revenue grew 9%", actor=LOCAL)  # replaces the one written before
    assert {key: e.text for key, e in ws.edited_headlines().items()} == {"overview": "Ours"}
    entry = ws.audit_trail().iloc[0]
    assert (entry.action, entry.summary) == ("edit_deck", "wrote the headline of the overview slide")
    assert json.loads(entry.details) == {
        "slide": "overview",
        "headline": "Ours",
        "computed": "Revenue grew 9%",
        "before": "We grew, again",
    }
    ws.reset_headline("overview", actor=EDITOR)
    assert ws.edited_headlines() == {}
    assert ws.audit_trail().iloc[0].summary == "went back to the computed headline of the overview slide"
    with pytest.raises(KeyError, match="shows its computed headline already"):
        ws.reset_headline("overview", actor=EDITOR)
    assert ws.version == version  # the panel is untouched: nothing computed from it is stale


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("overview", "   ", "the headline is empty: write one, or use the computed headline"),
        ("overview", "x" * 201, "the headline is 201 characters long; a slide holds at most 200: shorten it"),
        ("'; DROP TABLE audit", "x", "is not a slide of the deck"),
    ],
)
def test_a_headline_that_is_empty_too_long_or_of_no_slide_is_refused_and_nothing_written(ws, key, text, message):
    with pytest.raises(ValueError, match=message):
        ws.edit_headline(key, text, "computed", actor=LOCAL)
    assert ws.edited_headlines() == {} and ws.audit_trail().empty
    assert ws.edit_headline("overview", "x" * 200, "computed", actor=LOCAL) == "x" * 200  # the limit itself fits


def test_a_viewer_may_not_write_or_reset_a_headline(ws):
    ws.edit_headline("stage", "Ours", "computed", actor=EDITOR)
    with pytest.raises(PermissionDenied, match="needs the editor role"):
        ws.edit_headline("stage", "Theirs", "computed", actor=VIEWER)
    with pytest.raises(PermissionDenied, match="needs the editor role"):
        ws.reset_headline("stage", actor=VIEWER)
    assert ws.edited_headlines()["stage"].text == "Ours"


def test_a_workspace_made_before_edited_headlines_gains_the_table_empty(tmp_path):
    path = tmp_path / "old.duckdb"
    with Workspace(path) as ws:
        ws._con.execute("DROP TABLE deck_headlines")  # as a workspace of an earlier version of the app
    with Workspace(path) as ws:
        assert ws.edited_headlines() == {}
        ws.edit_headline("overview", "Ours", "computed", actor=LOCAL)
