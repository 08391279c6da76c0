"""The facilitator's own words on the workshop page: the title slide's workshop name, date and
company, the agenda of the slides that follow, headlines written in place of the computed ones,
and the room's levers kept as a saved scenario.

The title and the edited headlines are kept in the workspace (``Workspace.set_workshop_title``,
``Workspace.edit_headline``; editors write them, audited), so that every facilitator of the
workspace presents and exports the same deck and a refresh or another window loses nothing.
"""

from __future__ import annotations

import datetime as dt
import zlib

import streamlit as st

from b2b_core import report, scenarios
from b2b_core.access import PermissionDenied
from b2b_core.i18n import N_, _
from b2b_core.quarters import quarter_text
from b2b_core.store import Workspace, WorkspaceError
from b2b_core.store.deck_texts import MAX_HEADLINE, EditedHeadline, WorkshopTitle
from ui import auth, scenario_state
from ui import format as fmt
from ui import workshop_views as views

TITLES = {**report.FRAMING_TITLES, **report.SLIDE_TITLES}  # every slide a deck may show: key → title
DEFAULT_NAME = N_("B2B Ops Strategy Workshop")
NOTICE = "workshop:notice"  # (where, kind, text) of the last save, shown beside its control
TITLE_FORM, KEEP_NAME = "workshop:title", "workshop:keep_name"


def workshop_title(ws: Workspace) -> WorkshopTitle:
    """The title slide's texts saved for the workspace; before any was saved, ``DEFAULT_NAME`` (in
    the run's language), today (UTC) and no company."""
    return ws.workshop_title() or WorkshopTitle(_(DEFAULT_NAME), dt.datetime.now(dt.UTC).date(), "")


def framed(ws: Workspace, slides: dict[str, report.Slide], order: list[str]) -> dict[str, report.Slide]:
    """``slides`` with the title and agenda slides added (the agenda lists the chosen slides that
    follow it in ``order``, numbered by their places) and the headlines written for this deck in
    place of the computed ones (``report.with_headlines``)."""
    title = workshop_title(ws)
    framing = {"title": report.title_slide(title.name, title.date, title.company)}
    start = order.index("agenda") + 1 if "agenda" in order else 0
    following = [slides[key] for key in order[start:] if key in slides]
    framing["agenda"] = report.agenda_slide(following, first=start + 1)
    every = {**framing, **slides}
    edited = {key: edit.text for key, edit in ws.edited_headlines().items() if key != "title"}
    return {slide.key: slide for slide in report.with_headlines(list(every.values()), edited)}


def _notice(where: str) -> None:
    """The message of the last save made with the control ``where``, once."""
    found = st.session_state.get(NOTICE)
    if found and found[0] == where:
        del st.session_state[NOTICE]
        getattr(st, found[1])(found[2])


def title_fields(ws: Workspace) -> None:
    """The title slide's name, date and company, saved for the workspace by an editor."""
    person = auth.current()
    allowed = person.can("edit_deck")
    current = workshop_title(ws)
    with st.expander(_("Title slide"), expanded=False), st.form(TITLE_FORM, border=False):
        cells = st.columns([3, 1, 2])
        name = cells[0].text_input(_("Workshop name"), current.name, disabled=not allowed)
        date = cells[1].date_input(_("Date"), current.date, disabled=not allowed)
        company = cells[2].text_input(_("Company"), current.company, disabled=not allowed)
        saved = st.form_submit_button(
            _("Save the title slide"),
            disabled=not allowed,
            help=_("For every facilitator of the workspace, recorded in the audit trail.")
            if allowed
            else auth.needs("edit_deck"),
        )
        if saved:
            try:
                title = ws.set_workshop_title(name, date, company, actor=person)
            except (PermissionDenied, ValueError, WorkspaceError) as exc:
                st.error(_("Not saved: {reason}.").format(reason=fmt.plain(exc)))
            else:
                st.success(
                    _("The title slide now reads “{name}”, {date}.").format(
                        name=fmt.plain(title.name), date=title.date.isoformat()
                    )
                )
        st.caption(
            _("Remove “{title}” or “{agenda}” from the slides above to leave that slide out.").format(
                title=_(report.FRAMING_TITLES["title"]), agenda=_(report.FRAMING_TITLES["agenda"])
            )
        )


def show_words(slide: report.Slide, presenting: bool) -> bool:
    """Draw a slide of words alone (the title: name, date and company centred; the agenda: its
    headline and the numbered slides that follow); False, nothing drawn, for any other slide."""
    if slide.key == "title":
        with st.container(key="workshop_title"):  # centred in the height left while presenting
            st.markdown(f"# {fmt.plain(slide.headline)}", text_alignment="center")
            for fact in slide.facts:
                st.markdown(f"{'##' if presenting else '####'} {fmt.plain(fact.value)}", text_alignment="center")
        return True
    if slide.key == "agenda":
        st.markdown(f"{'#' if presenting else '###'} {fmt.plain(slide.headline)}")
        with st.container(key="workshop_agenda"):  # larger while presenting (``present.STYLE``)
            st.markdown("\n".join(f"{fact.label}. {fmt.plain(fact.value)}" for fact in slide.facts))
        return True
    return False


def _field_key(slide: report.Slide) -> str:
    """The headline field's key: a new one whenever the slide's headline changes (an edit saved or
    reset, the data or the levers), so the field shows the headline of the moment."""
    return f"workshop:headline:{slide.key}:{zlib.crc32(slide.headline.encode())}"


def _save_headline(ws: Workspace, slide: report.Slide) -> None:
    computed = slide.suggested or slide.headline
    try:
        text = ws.edit_headline(slide.key, st.session_state[_field_key(slide)], computed, actor=auth.current())
    except (PermissionDenied, ValueError, WorkspaceError) as exc:
        st.session_state[NOTICE] = (slide.key, "error", _("Not saved: {reason}.").format(reason=fmt.plain(exc)))
        return
    saved = _("This slide's headline now reads “{headline}”.").format(headline=fmt.plain(text))
    st.session_state[NOTICE] = (slide.key, "success", saved)


def _reset_headline(ws: Workspace, slide: report.Slide) -> None:
    try:
        ws.reset_headline(slide.key, actor=auth.current())
    except (PermissionDenied, KeyError, WorkspaceError) as exc:
        st.session_state[NOTICE] = (slide.key, "error", _("Not reset: {reason}.").format(reason=fmt.plain(exc)))
        return
    st.session_state[NOTICE] = (slide.key, "success", _("This slide shows its computed headline again."))


def headline_editor(ws: Workspace, slide: report.Slide) -> None:
    """Under the headline (not while presenting): who wrote it and the computed one, when it was
    edited; a field to write this deck's headline and a reset to the computed one."""
    if slide.key == "title":  # its headline is the workshop's name, set in the setup
        return
    edit: EditedHeadline | None = ws.edited_headlines().get(slide.key) if slide.suggested else None
    if edit is not None:
        st.caption(
            _("Headline edited by {person} on {when} UTC; computed: {headline}").format(
                person=fmt.plain(edit.saved_by),
                when=f"{edit.saved_at:%Y-%m-%d %H:%M}",
                headline=fmt.plain(slide.suggested),
            )
        )
    person = auth.current()
    allowed = person.can("edit_deck")
    st.text_input(
        _("Edit headline"),
        slide.headline,
        key=_field_key(slide),
        disabled=not allowed,
        help=_("This deck's headline for the slide, for every facilitator (at most {n} characters).").format(
            n=MAX_HEADLINE
        )
        + ("" if allowed else f" {auth.needs('edit_deck')}"),
    )
    buttons = st.container(horizontal=True)
    buttons.button(
        _("Save the headline"),
        key=f"workshop:headline_save:{slide.key}",
        on_click=_save_headline,
        args=(ws, slide),
        disabled=not allowed,
    )
    buttons.button(
        _("Use the computed headline"),
        key=f"workshop:headline_reset:{slide.key}",
        on_click=_reset_headline,
        args=(ws, slide),
        disabled=not allowed or slide.suggested is None,
    )
    _notice(slide.key)


def _keep_levers(ws: Workspace, names: list[str]) -> None:
    """Button callback: save the room's levers under a free name, with their projection."""
    stem = st.session_state.get(KEEP_NAME) or _default_scenario_name(ws)
    try:
        kept = scenarios.Scenario.of(scenarios.free_name(stem, names), views.live_levers())
        projection = scenario_state.kept_projection(kept, report.HORIZON)
        ws.save_scenario(kept.name, kept.settings(), projection=projection, actor=auth.current())
    except (PermissionDenied, ValueError, WorkspaceError) as exc:
        st.session_state[NOTICE] = ("levers", "error", _("Not saved: {reason}.").format(reason=fmt.plain(exc)))
        return
    st.session_state.pop(KEEP_NAME, None)  # the next one starts from the default name again
    if projection:
        saved = _(
            "Saved the room's levers as the scenario “{name}”, with its projection on the data up to {quarter}. "
            "Open it in the Scenario lab."
        ).format(name=fmt.plain(kept.name), quarter=quarter_text(projection.last_quarter))
    else:
        saved = _("Saved the room's levers as the scenario “{name}”. Open it in the Scenario lab.").format(
            name=fmt.plain(kept.name)
        )
    st.session_state[NOTICE] = ("levers", "success", saved)


def _default_scenario_name(ws: Workspace) -> str:
    """``Workshop 2026-05-04``: the room's scenario's name before one is written (the title slide's date)."""
    return _("Workshop {date}").format(date=workshop_title(ws).date.isoformat())


def keep_levers(ws: Workspace) -> None:
    """Under the what-if slide (not while presenting): a name and one click to keep the
    levers moved in the room as a saved scenario (the Scenario lab's save, with its projection
    over the slide's ``report.HORIZON`` quarters); a taken name gets " (2)", " (3)" …"""
    moved = any(views.live_levers().values())
    person = auth.current()
    cells = st.columns(2, vertical_alignment="bottom")
    cells[0].text_input(
        _("Name of the room's scenario"),
        _default_scenario_name(ws),
        key=KEEP_NAME,
        max_chars=scenarios.MAX_NAME,
    )
    cells[1].button(
        _("Keep the room's levers as a scenario"),
        icon=":material/bookmark_add:",
        on_click=_keep_levers,
        args=(ws, [name for name, _settings in ws.saved_scenarios()]),
        disabled=not moved or not person.can("save_scenario"),
        help=_("Move a lever first.") if not moved else _("Saved in the workspace, like the Scenario lab's save."),
        key="workshop:keep_levers",
    )
    _notice("levers")
