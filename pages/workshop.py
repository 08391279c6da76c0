"""Workshop: the deck a facilitator presents to a room, one message per slide (a title and an
agenda, then overview, stage and priorities, quadrant map, migration, cohort curves with their
projection, scenarios with live levers), each with its headline computed from the data (or written
by the facilitator) and speaker notes; Previous / Next (or
the arrow keys), the slide number in the URL, presentation mode, and the offline HTML deck. Every
text, the slides' and the files' included, is in the run's language (``b2b_core.i18n``)."""

from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

from b2b_core import i18n, playbook, report, scenarios
from b2b_core.charts.style import TEXT_SIZES, text_sizes
from b2b_core.i18n import _
from b2b_core.quarters import quarter_text
from ui import downloads, present, presenter, sample_notice, scenario_views, shell, state
from ui import format as fmt
from ui import workshop_setup as setup
from ui import workshop_views as views

# Keys → Next / Previous / Exit / Present buttons, before any widget sees them (a focused lever slider
# too: a clicker's PageDown always moves the slide); only a text field keeps its keys but Esc. While
# presenting, also Space, ↑ ↓, a clicker's F5 (no reload), "B" / "." to blank the screen and a
# number then Enter (``report.ROOM_KEYS``, typed into the hidden ``GO_TO`` field). A click or a
# drag leaves the focus on the deck, not on the lever or button it used. The room's keys are put in
# at the run (``keyboard()``: their texts in the run's language).
ROOM_KEYS_HERE = "/* the room's keys */"
KEYBOARD = (
    """
<script>
const doc = window.parent.document;
if (!window.parent.workshopKeys) {
  window.parent.workshopKeys = true;
"""
    + ROOM_KEYS_HERE
    + """
  const TEXT_FIELDS = "input:not([type=range], [type=checkbox], [type=radio]), textarea, select, [contenteditable]";
  const presenting = () => doc.querySelector(".st-key-workshop_exit") !== null;
  const goTo = (number) => {
    const field = doc.querySelector(".st-key-workshop_go_to input");
    if (!field) return;
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(field, String(number));
    field.dispatchEvent(new Event("input", {bubbles: true}));
    field.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true}));
  };
  const roomKey = roomKeys(doc, goTo);
  const everywhere = {ArrowRight: "next", PageDown: "next", ArrowLeft: "previous", PageUp: "previous", F5: "present"};
  const presentingOnly = {" ": "next", ArrowDown: "next", ArrowUp: "previous", Escape: "exit", F5: ""};
  doc.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.closest && target.closest(TEXT_FIELDS);
    if (typing && event.key !== "Escape") return;
    const room = presenting();
    if (room && roomKey(event)) { event.preventDefault(); event.stopPropagation(); return; }
    const which = room && event.key in presentingOnly ? presentingOnly[event.key] : everywhere[event.key];
    if (which === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    const button = which && doc.querySelector(`.st-key-workshop_${which} button`);
    if (button && !button.disabled) button.click();
  }, true);
  doc.addEventListener("pointerup", () => setTimeout(() => {
    const focused = doc.activeElement;
    if (focused && focused.closest && !focused.closest(TEXT_FIELDS)) focused.blur();
  }, 0), true);
}
</script>
"""
)


def keyboard() -> str:
    """``KEYBOARD`` with ``report.room_keys()`` in the run's language."""
    return KEYBOARD.replace(ROOM_KEYS_HERE, report.room_keys(), 1)


def in_language(build: Callable[[], bytes]) -> Callable[[], bytes]:
    """``build`` run in this run's language when a download calls it later (outside the run)."""
    lang = i18n.language()

    def built() -> bytes:
        with i18n.use(lang):
            return build()

    return built


def quarters_span(first: str, last: str) -> str:
    """``2025Q1–2026Q4`` (Chinese ``2025年第1季度–2026年第4季度``), both ends even when they are one quarter."""
    return f"{quarter_text(first)}–{quarter_text(last)}"


# Metric values wrap instead of being cut off (lever names are long).
WRAPPED_METRICS = """
<style>
  [data-testid="stMetricValue"] * { white-space: normal !important; text-overflow: clip !important; }
</style>
"""


def show_facts(slide: report.Slide) -> None:
    """The slide's big numbers, one bordered metric each."""
    if not slide.facts:
        return
    for cell, fact in zip(st.columns(len(slide.facts)), slide.facts, strict=True):
        cell.metric(
            fmt.plain(fact.label),
            fact.value,
            fact.change,
            delta_color="off",
            delta_arrow="auto" if fact.change and fact.change[:1] in "+-" else "off",
            border=True,
        )


def show_chart(slide: report.Slide, size: str | None = None) -> None:
    """The slide's chart; while presenting (``size``: the text size S / M / L) its texts scaled to
    that size and its height what the slide leaves (``ui.present``)."""
    if slide.figure is None:  # a slide of words alone
        return
    figure = slide.figure
    if size is not None:
        figure = text_sizes(figure.to_plotly_json(), TEXT_SIZES[size])
        figure["layout"].pop("height", None)  # as tall as the slide leaves
    st.plotly_chart(
        figure,
        width="stretch",
        height="stretch" if size is not None else "content",
        theme=None,  # the projector look of b2b_core.charts.style, not Streamlit's theme
        config=report.plot_config(slide.key),
        key=f"workshop:chart:{slide.key}",
    )


def live_levers(base: scenarios.Base) -> None:
    """The levers the room moves: one slider per lever between its − and + buttons (one step
    each), kept across slides."""
    values = views.live_levers()
    for lever in scenarios.LEVERS:
        off = lever.needs_b_side and not base.has_b_side
        less, slider, more = st.columns([1, 5, 1], gap="small", vertical_alignment="bottom")
        for place, label, steps, end in ((less, "−", -1, lever.minimum), (more, "+", 1, lever.maximum)):
            place.button(
                label,
                key=views.lever_step_widget(lever.key, steps),
                on_click=views.step_lever,
                args=(lever.key, steps),
                disabled=off or values[lever.key] == end,
            )
        slider.slider(
            _("{lever} ({unit})").format(lever=lever.label, unit=lever.unit),
            lever.minimum,
            lever.maximum,
            value=values[lever.key],
            step=lever.step,
            key=views.lever_widget(lever.key),
            on_change=views.keep_lever,
            args=(lever.key,),
            help=_("{help} Needs B-side revenue, which the data lack.").format(help=_(lever.help))
            if off
            else _(lever.help),
            disabled=off,
        )
    moved = any(values.values())
    st.button(
        _("Reset the levers"),
        icon=":material/restart_alt:",
        on_click=views.reset_levers,
        disabled=not moved,
        key="workshop_reset",
    )


shell.require_app_shell()
presenting = present.active() or presenter.active()  # the presenter view: the deck's look, no setup
if presenting:
    present.style()
st.html(keyboard(), unsafe_allow_javascript=True)
st.html(WRAPPED_METRICS)
ws = state.workspace_with_data()
live_deck = presenter.adopt(ws) if presenter.active() else None
data = state.data_version()
saved_weights = ws.playbook_weights()
book, _unused = state.readable_playbook().with_saved_weights(saved_weights)
model = views.model_from_url()
deck = views.deck(
    scenario_views.key(data),
    views.book_key(state.playbook_key(), saved_weights),
    model,
    state.currency(),
    i18n.language(),
    book,
)
saved = dict(ws.saved_scenarios())
slides, missing = dict(deck.slides), dict(deck.missing)
plan = views.plan_slide(ws, saved)
if isinstance(plan, str):
    missing["plan"] = plan
else:
    slides["plan"] = plan
available = list(slides)
if not available:
    st.info(
        _("The data cannot carry a slide yet: {reasons}.").format(
            reasons=_("; ").join(fmt.plain(r) for r in missing.values())
        )
    )
    st.stop()
available = [*report.FRAMING_TITLES, *available]  # the title and agenda slides open the deck

# Setup: the facilitator's choices (never drawn while presenting)
order = views.order_from_url(available)
if not presenting:
    st.title(_("Workshop"))
    with st.container(border=True):
        order = (
            st.multiselect(
                _("Slides, in the order shown"),
                available,
                default=order,
                format_func=fmt.in_language(lambda key: _(setup.TITLES[key])),
                key=views.CHOSEN,
                on_change=views.keep_slides,
                help=_("Remove a slide and add it again to move it to the end."),
            )
            or order
        )
        setup.title_fields(ws)
        choices = st.columns([1, 2, 1], vertical_alignment="bottom")
        chosen_model = choices[0].selectbox(
            _("Business model"),
            playbook.BUSINESS_MODELS,
            index=playbook.BUSINESS_MODELS.index(model),
            format_func=fmt.in_language(playbook.business_model_name),
            help=_("The priorities slide ranks the levers for this model."),
        )
        if chosen_model != model:
            st.query_params[views.MODEL] = chosen_model
            st.rerun()
        st.session_state[views.SCENARIOS_KEPT] = choices[1].multiselect(
            _("Saved scenarios on the what-if and plan vs actual slides"),
            list(saved),
            default=views.shown_scenarios(saved),
            key=views.SCENARIOS,
            format_func=fmt.plain,
            help=_(
                "Scenarios saved in the Scenario lab. Levers moved on the slide are added as “{live}”. "
                "The plan vs actual slide shows the projection each kept when it was saved against the quarters since."
            ).format(live=_(views.LIVE_NAME)),
        )
        choices[2].button(
            _("Present"),
            icon=":material/slideshow:",
            type="primary",
            on_click=present.start,
            width="stretch",
            key="workshop_present",
        )
        if missing:
            left_out = (
                _("{title} ({reason})").format(title=_(report.SLIDE_TITLES[k]), reason=fmt.plain(reason))
                for k, reason in missing.items()
            )
            st.caption(_("Not in this deck: {slides}.").format(slides=_("; ").join(left_out)))

# The scenario slide is the one rebuilt live: saved scenarios chosen + the levers moved in the room
names = views.shown_scenarios(saved)
if live_deck is None:  # the projected window shares where it is before the slides are drawn
    code = presenter.deck_code(ws)
    shared = {"slides": order, "model": model, "scenarios": names}
    presenter.keep_in_step(ws, code, views.position_from_url(len(order)), shared, views.live_levers())
live = views.live_scenario(names)
shown = [scenarios.Scenario.of(name, saved[name]) for name in names] + ([live] if live.overrides() else [])
base = scenario_views.base(data)
if "scenarios" in slides and shown and not isinstance(base, str):  # the deck has the base alone
    slides["scenarios"] = report.scenario_slide(base, shown, currency=state.currency())
slides = setup.framed(ws, slides, order)
deck_slides = [slides[key] for key in order]
if live_deck is not None:
    presenter.show(ws, live_deck, deck_slides)
if not presenting:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    origin = sample_notice.origin()
    subtitle = _("{quarters} · {model} · made {stamp}").format(
        quarters=quarters_span(state.quarters()[0], state.quarters()[-1]),
        model=playbook.business_model_name(model),
        stamp=stamp,
    )
    name = slides["title"].headline  # the files' title: the title slide's workshop name
    files = st.columns(3)  # a row of their own: the labels whole
    downloads.file_button(
        _("Deck (HTML, offline)"),
        in_language(lambda: report.deck_html(deck_slides, name, subtitle, origin).encode("utf-8")),
        f"workshop_{state.quarters()[-1]}.html",
        "text/html",
        "dl:deck",
        place=files[0],
    )
    downloads.file_button(
        _("Deck (PowerPoint)"),
        in_language(lambda: report.deck_pptx(deck_slides, name, subtitle, origin)),
        f"workshop_{state.quarters()[-1]}.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "dl:deck_pptx",
        place=files[1],
    )
    downloads.file_button(
        _("Chart data (ZIP of CSVs)"),
        in_language(lambda: report.chart_data_zip(deck_slides)),
        f"workshop_{state.quarters()[-1]}_data.zip",
        "application/zip",
        "dl:deck_data",
        place=files[2],
    )

# Navigation: Previous · where we are · Next (· Exit)
total = len(order)
position = views.position_from_url(total)
st.query_params[views.SLIDE] = str(position)
slide = slides[order[position - 1]]
# (beside the sidebar the page is narrower: its buttons get the room their labels need)
bar = st.columns([1, 5, 1, 1, 1] if presenting else [1.5, 3, 1.2, 1.5, 1.3], vertical_alignment="center")
bar[0].button(
    _("Previous"),
    icon=":material/arrow_back:",
    on_click=views.go_to,
    args=(position - 1,),
    disabled=position == 1,
    key="workshop_previous",
    width="stretch",
)
bar[1].markdown(f"**{position} / {total}** · {fmt.plain(slide.title)}")
bar[2].button(
    _("Next"),
    icon=":material/arrow_forward:",
    on_click=views.go_to,
    args=(position + 1,),
    disabled=position == total,
    key="workshop_next",
    width="stretch",
)
if presenting:
    bar[3].button(_("Exit"), icon=":material/close:", on_click=present.stop, key="workshop_exit", width="stretch")
    size = present.text_size_control(bar[4])
else:
    size = None  # the page's own look
    moves = [
        ("earlier", _("Earlier"), _("Move this slide one place earlier in the deck."), ":material/arrow_upward:", -1),
        ("later", _("Later"), _("Move this slide one place later in the deck."), ":material/arrow_downward:", 1),
    ]
    for place, (which, label, explained, icon, step) in zip(bar[3:], moves, strict=True):
        place.button(
            label,
            icon=icon,
            on_click=views.move,
            args=(position, step),
            disabled=not 1 <= position + step <= total,
            key=f"workshop_move_{which}",
            help=explained,
            width="stretch",
        )

# The slide
words = setup.show_words(slide, presenting)  # the title and agenda slides: words alone
if not words:
    st.markdown(f"{'#' if presenting else '###'} {fmt.plain(slide.headline)}")
if not presenting:
    setup.headline_editor(ws, slide)
if slide.key == "scenarios" and not isinstance(base, str):  # the levers beside the facts and the chart
    levers, chart = st.columns([1, 2] if presenting else [1, 3], gap="large")
    with levers:
        live_levers(base)
    with chart:
        show_facts(slide)
        show_chart(slide, size)
    if not presenting:
        setup.keep_levers(ws)
elif not words:
    show_facts(slide)
    show_chart(slide, size)
if presenting:  # a slide number typed then Enter (KEYBOARD) arrives here; the field is never seen
    st.html(f"<style>.st-key-{views.GO_TO} {{ display: none; }}</style>")
    st.text_input(_("Go to slide"), key=views.GO_TO, on_change=views.go_to_typed, args=(total,))
else:  # the notes are the presenter's: never on the projected screen
    with st.expander(_("Speaker notes"), expanded=True):
        st.markdown("\n".join(f"- {fmt.plain(note)}" for note in slide.notes))
    downloads.csv_button(
        _("This chart's data (CSV)"),
        report.readable(slide.data),
        f"{position:02d}_{slide.key}.csv",
        f"dl:slide:{slide.key}",
    )
    st.link_button(
        _("Open the presenter view"),
        presenter.link(code),
        icon=":material/speaker_notes:",
        help=_("Notes, the next slide and the clock in a second window, in step with this one (deck {code}).").format(
            code=code
        ),
    )
    st.caption(
        _(
            "Every chart's toolbar saves it as a PNG. In presentation mode the arrow keys, Page Up / Page Down "
            "(a presenter's clicker), Space and Esc work too; B blanks the screen, a slide number then Enter goes "
            "there."
        )
    )
