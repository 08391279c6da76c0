"""The deck as a PowerPoint file (16:9, 13.333 × 7.5 in) for the people who were not in the room.

A title slide (the deck's own title slide when it starts with one, else ``title``; the subtitle,
and while sample data are live their label and explanation), then one slide per other deck slide
(the agenda as a numbered list): the kicker ``n / N · title``, the headline, the big numbers as text boxes
(label, value, change), the figure as native, editable PowerPoint charts (``pptx_charts``: bars,
lines, XY scatters, the waterfall as stacked columns; the slide's data as a table where no chart
type fits), and the speaker notes in the notes pane (with the computed headline when the
facilitator wrote their own). A slide without a figure carries its words alone. Texts are plain
text (python-pptx escapes them), East Asian characters in ``pptx_charts.EAST_ASIAN_FONT``; a
headline too long for its box gets a smaller size (never below 14 pt) and PowerPoint shrinks what
still overflows. The file's own words are in the current language, as the slides'.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

from b2b_core.i18n import _
from b2b_core.report.deck import Fact, Slide
from b2b_core.report.pptx_charts import INK, MUTED, SMALLEST, draw_figure, east_asian, plain
from b2b_core.store.sample_uploads import DataOrigin

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
RULE, WARNING = RGBColor(0xBB, 0xBB, 0xBB), RGBColor(0xB3, 0x59, 0x00)
FACT_WIDTH = Inches(4.2)
BLANK_LAYOUT = 6  # of the default template: no placeholders


def deck_pptx(slides: Sequence[Slide], title: str, subtitle: str, origin: DataOrigin | None = None) -> bytes:
    """The PowerPoint file of ``slides`` in order (see module); ``origin``: whose the live data
    are: while sample data are live, the title slide says so with what to do about it
    (``DataOrigin.explanation``) and every slide's foot with which quarters (``summary``)."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    layout = presentation.slide_layouts[BLANK_LAYOUT]
    label = origin.label if origin is not None else None
    explained = f"{label}: {origin.explanation}" if label else None
    cover = slides[0] if slides and slides[0].key == "title" else None
    if cover is not None:  # the workshop's name, then its date and company over the subtitle
        title, subtitle = cover.headline, " · ".join([*(f.value for f in cover.facts), subtitle])
    first = presentation.slides.add_slide(layout)
    _title_slide(first, f"{title} · {label}" if label else title, subtitle, explained)
    if cover is not None:
        _notes(first, cover)
    note = f"{label}: {origin.summary}" if label else None
    for position, slide in enumerate(slides, start=1):
        if slide is not cover:
            kicker = f"{position} / {len(slides)} · {slide.title}"
            _deck_slide(presentation.slides.add_slide(layout), slide, kicker, note)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def fitting_size(text: str, width: Emu, height: Emu, largest: int, smallest: int = SMALLEST) -> int:
    """The largest type size in pt (from ``largest`` down by 2 to ``smallest``) at which ``text``
    wraps into a ``width`` × ``height`` box, estimating a character as 0.6 em wide and a line
    as 1.2 em high (a bold sans-serif's average, with slack for word breaks)."""
    width_pt, height_pt = width / 12700, height / 12700
    for size in range(largest, smallest, -2):
        per_line = max(1, int(width_pt / (0.6 * size)))
        if math.ceil(len(text) / per_line) * 1.2 * size <= height_pt:
            return size
    return smallest


def _text(slide, box: tuple, paragraphs: Sequence[tuple[str, int, bool, RGBColor]]):
    """A text box at ``box`` (left, top, width, height) with one paragraph per (text, pt, bold,
    colour), wrapped, and shrunk further by PowerPoint if it still overflows."""
    shape = slide.shapes.add_textbox(*box)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for index, (text, size, bold, color) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = plain(text)
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color
        east_asian(run.font)
    return shape


def _fitted(page, box: tuple, text: str, largest: int) -> None:
    """``text`` in bold in ``box``, at the ``fitting_size`` from ``largest`` pt down."""
    _text(page, box, [(text, fitting_size(plain(text), box[2], box[3], largest), True, INK)])


def _title_slide(page, title: str, subtitle: str, note: str | None) -> None:
    """The first slide: ``title`` large, ``subtitle`` under it, ``note`` (the sample data's) below."""
    width = WIDTH - 2 * MARGIN
    _fitted(page, (MARGIN, Inches(2.2), width, Inches(1.6)), title, 44)
    _text(page, (MARGIN, Inches(3.9), width, Inches(0.8)), [(subtitle, 24, False, MUTED)])
    if note:
        _text(page, (MARGIN, Inches(5.2), width, Inches(1.2)), [(note, 18, False, WARNING)])


def _deck_slide(page, slide: Slide, kicker: str, note: str | None) -> None:
    """One deck slide: kicker, headline (the whole slide's height when it is all the slide
    says), facts, figure (or table), notes, sample note."""
    width = WIDTH - 2 * MARGIN
    _text(page, (MARGIN, Inches(0.25), width, Inches(0.4)), [(kicker, 16, False, MUTED)])
    words_alone = not slide.facts and slide.figure is None
    headline_height = HEIGHT - Inches(1.65) if words_alone else Inches(1.2)
    _fitted(page, (MARGIN, Inches(0.65), width, headline_height), slide.headline, 28)
    top = Inches(1.95)
    if slide.key == "agenda":  # the slides that follow, one numbered line each
        lines = [(f"{fact.label}. {fact.value}", 24, False, INK) for fact in slide.facts]
        _text(page, (MARGIN, top, width, HEIGHT - top - Inches(0.6)), lines)
    elif slide.facts:
        _facts(page, slide.facts, top, Inches(1.25))
        top += Inches(1.4)
    bottom = HEIGHT - (Inches(0.55) if note else Inches(0.3))
    if slide.figure is not None:
        draw_figure(page, slide.figure, slide.data, (MARGIN, top, width, bottom - top))
    if note:
        _text(page, (MARGIN, HEIGHT - Inches(0.5), width, Inches(0.4)), [(note, SMALLEST, False, WARNING)])
    _notes(page, slide)


def _notes(page, slide: Slide) -> None:
    """``slide``'s speaker notes in ``page``'s notes pane, one line each, and the computed headline
    when the facilitator wrote their own."""
    lines = list(slide.notes)
    if slide.suggested is not None:
        lines.append(_("Headline edited for this deck; computed: {headline}").format(headline=slide.suggested))
    page.notes_slide.notes_text_frame.text = plain("\n".join(lines))


def _facts(page, facts: Sequence[Fact], top: Emu, height: Emu) -> None:
    """The big numbers side by side, each in a framed box (``FACT_WIDTH`` at most): label,
    value (one size for all: as large as fits each on one line, 20 to 28 pt; longer wraps), change."""
    gap = Inches(0.2)
    width = min(FACT_WIDTH, int((WIDTH - 2 * MARGIN - gap * (len(facts) - 1)) / len(facts)))
    value_size = min(fitting_size(f.value, width - Inches(0.2), Pt(28 * 1.2), 28, smallest=20) for f in facts)
    for index, fact in enumerate(facts):
        paragraphs = [(fact.label, SMALLEST, False, MUTED), (fact.value, value_size, True, INK)]
        if fact.change:
            paragraphs.append((fact.change, SMALLEST, False, MUTED))
        box = _text(page, (MARGIN + index * (width + gap), top, width, height), paragraphs)
        box.line.color.rgb, box.line.width = RULE, Pt(1)
