"""The workshop deck's own words, kept in the workspace so that every facilitator of it presents
and exports the same deck: the title slide's workshop name, date and company (a
``workspace_settings`` row, ``workshop``) and the headlines a facilitator wrote in place of the
computed ones (``deck_headlines``, one per slide key). Every change is stamped with when and by
whom and audited. Part of ``Workspace``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from b2b_core import access
from b2b_core.access import Actor
from b2b_core.i18n import N_, _
from b2b_core.store.schema import utc_now

MAX_HEADLINE = 200  # characters of a headline written by hand: two lines on a projected slide
MAX_TITLE_TEXT = 120  # characters of the workshop's name or company
SLIDE_KEY = re.compile(r"[a-z_]{1,40}")  # the form of a slide key (``report.SLIDE_TITLES``)


@dataclass(frozen=True)
class WorkshopTitle:
    """What the title slide shows: the workshop's ``name``, its ``date`` and the ``company`` (may
    be empty); ``saved_at`` (UTC) and ``saved_by`` (e-mail address, or the local user's name)."""

    name: str
    date: dt.date
    company: str
    saved_at: dt.datetime | None = None
    saved_by: str | None = None


@dataclass(frozen=True)
class EditedHeadline:
    """A headline a facilitator wrote for a slide: its ``text``, when (UTC) and by whom."""

    text: str
    saved_at: dt.datetime
    saved_by: str


def headline_text(text: str) -> str:
    """``text`` stripped, as a slide's headline; ValueError saying what to do when it is empty or
    longer than ``MAX_HEADLINE`` characters."""
    text = " ".join(str(text).split())
    if not text:
        raise ValueError(_("the headline is empty: write one, or use the computed headline"))
    if len(text) > MAX_HEADLINE:
        raise ValueError(
            _("the headline is {length} characters long; a slide holds at most {limit}: shorten it").format(
                length=len(text), limit=MAX_HEADLINE
            )
        )
    return text


def workshop_title_of(text: str) -> WorkshopTitle:
    """The ``WorkshopTitle`` stored as ``{"name": …, "date": "YYYY-MM-DD", "company": …}``;
    ValueError saying what is wrong otherwise (as ``check_title``)."""
    try:
        stored = json.loads(text)
        return check_title(stored["name"], dt.date.fromisoformat(stored["date"]), stored["company"])
    except (TypeError, KeyError, json.JSONDecodeError, AttributeError):
        raise ValueError(f"{text[:80]!r} is not a workshop's name, date and company") from None


def check_title(name: str, date: dt.date, company: str) -> WorkshopTitle:
    """The title slide's texts stripped; ValueError for an empty name, a text longer than
    ``MAX_TITLE_TEXT`` characters, or a date that is not a date."""
    name, company = " ".join(str(name).split()), " ".join(str(company).split())
    if not name:
        raise ValueError(_("the workshop needs a name"))
    too_long = {
        "name": N_("the name is {length} characters long; use at most {limit}"),
        "company": N_("the company is {length} characters long; use at most {limit}"),
    }
    for what, text in (("name", name), ("company", company)):
        if len(text) > MAX_TITLE_TEXT:
            raise ValueError(_(too_long[what]).format(length=len(text), limit=MAX_TITLE_TEXT))
    if not isinstance(date, dt.date):
        raise ValueError(f"{date!r} is not a date")
    return WorkshopTitle(name, date, company)


class DeckTexts:
    """The ``Workspace``'s workshop title and edited headlines, each change audited."""

    def workshop_title(self) -> WorkshopTitle | None:
        """The title slide's texts saved for the workspace, or None when none were saved."""
        found = self._fetch("SELECT value, saved_at, saved_by FROM workspace_settings WHERE setting = 'workshop'")
        if not found:
            return None
        text, saved_at, saved_by = found[0]
        title = workshop_title_of(text)
        return WorkshopTitle(title.name, title.date, title.company, saved_at, saved_by)

    def set_workshop_title(self, name: str, date: dt.date, company: str, *, actor: Actor) -> WorkshopTitle:
        """Save the title slide's workshop ``name``, ``date`` and ``company`` for everyone,
        replacing what was saved before; audited with what it replaced. ValueError, nothing saved,
        for texts ``check_title`` refuses. Returns what was saved."""
        access.require(actor, "edit_deck")
        title = check_title(name, date, company)
        value = json.dumps({"name": title.name, "date": title.date.isoformat(), "company": title.company})
        with self._transaction() as con:
            before = self.workshop_title()
            con.execute(
                "INSERT OR REPLACE INTO workspace_settings VALUES ('workshop', ?, ?, ?)",
                [value, utc_now(), actor.email or actor.name],
            )
            self._record(
                actor,
                "edit_deck",
                f"named the workshop {title.name!r} ({title.date.isoformat()})",
                {"title": json.loads(value), "before": before and [before.name, before.date, before.company]},
            )
        return title

    def edited_headlines(self) -> dict[str, EditedHeadline]:
        """Slide key → the headline a facilitator wrote for it."""
        rows = self._fetch("SELECT slide, headline, saved_at, saved_by FROM deck_headlines ORDER BY slide")
        return {slide: EditedHeadline(text, saved_at, saved_by) for slide, text, saved_at, saved_by in rows}

    def edit_headline(self, slide: str, text: str, computed: str, *, actor: Actor) -> str:
        """Show ``text`` instead of the computed headline on the slide ``slide`` for everyone;
        audited with the ``computed`` one it replaces and the edit it replaced. ValueError, nothing
        saved, for a key that is not a slide's or a headline ``headline_text`` refuses. Returns
        the headline saved."""
        access.require(actor, "edit_deck")
        if not SLIDE_KEY.fullmatch(slide):
            raise ValueError(f"{slide[:40]!r} is not a slide of the deck")
        text = headline_text(text)
        with self._transaction() as con:
            before = self.edited_headlines().get(slide)
            con.execute(
                "INSERT OR REPLACE INTO deck_headlines VALUES (?, ?, ?, ?)",
                [slide, text, utc_now(), actor.email or actor.name],
            )
            self._record(
                actor,
                "edit_deck",
                f"wrote the headline of the {slide} slide",
                {"slide": slide, "headline": text, "computed": computed, "before": before and before.text},
            )
        return text

    def reset_headline(self, slide: str, *, actor: Actor) -> None:
        """Show the computed headline on the slide ``slide`` again; KeyError when none was written."""
        access.require(actor, "edit_deck")
        with self._transaction() as con:
            before = self.edited_headlines().get(slide)
            if before is None:
                raise KeyError(f"the {slide} slide shows its computed headline already")
            con.execute("DELETE FROM deck_headlines WHERE slide = ?", [slide])
            self._record(
                actor,
                "edit_deck",
                f"went back to the computed headline of the {slide} slide",
                {"slide": slide, "headline": None, "before": before.text},
            )
