"""The deck as files to send after the workshop: one self-contained HTML page and a zip of the
charts' data.

The HTML page embeds plotly.js once, gzipped (1.5 MB instead of 4.8 MB; the browser unpacks it
with its own ``DecompressionStream``), and draws every figure from its JSON, so every chart stays
interactive (hover, zoom, the toolbar's PNG download) and the file opens with no network. It shows
one slide at a time, whole on any screen from 1024×768 to 1920×1080 (the chart takes the height
the headline and facts leave), →, Space or PageDown for the next, ←, PageUp for the previous,
Home / End; "B" or "." blanks the screen, a number then Enter goes to that slide
(``ROOM_KEYS``); its text size S / M / L (buttons, or − and +) scales every text, the charts' too
(``TEXT_SIZES``). ``#3`` opens slide 3, ``#3&size=L`` in large type. Printing puts every slide on
its own landscape 13.333 × 7.5 in page (16:9; no buttons, header or links): before the print every
slide is laid out as its page (``printing``), each chart drawn to the space its headline and facts
leave, and after it the charts get their screen size back. The title slide shows the workshop's
name, date and company centred, the agenda the slides that follow; a headline the facilitator
wrote carries a small mark, and the computed one is in its speaker notes. Each slide links its
chart's data as a CSV held inside the file. Every text from the data is HTML-escaped. While sample data
are live (``DataOrigin``), the title says so and every slide carries a footer explaining it.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import io
import json
import re
import zipfile
from collections.abc import Sequence

import pandas as pd
import plotly.io
import plotly.offline

from b2b_core import exports
from b2b_core.charts.style import TEXT_SIZES
from b2b_core.headers import named
from b2b_core.i18n import N_, _, language
from b2b_core.report.deck import Slide
from b2b_core.store.sample_uploads import DataOrigin

HTML_LANGUAGES = {"en": "en", "zh": "zh-CN"}  # the page's ``<html lang>`` for each language of the app
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2}}


def plot_config(key: str) -> dict:
    """The Plotly config of a slide's chart: no logo, and the toolbar's PNG named after the slide."""
    return {**PLOT_CONFIG, "toImageButtonOptions": {**PLOT_CONFIG["toImageButtonOptions"], "filename": key}}


@functools.cache
def packed_plotly() -> str:
    """plotly.js, gzipped and in base64: what the deck's ``plotly-js`` element holds."""
    return base64.b64encode(gzip.compress(plotly.offline.get_plotlyjs().encode(), 9, mtime=0)).decode("ascii")


def _script_safe(code: str) -> str:
    """JavaScript that cannot end the ``<script>`` element it sits in."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def _json_in_script(text: str) -> str:
    """JSON that cannot end or comment out its ``<script>`` element: every ``<`` (only ever inside
    its strings) written as ``\\u003c``."""
    return text.replace("<", "\\u003c")


# The headers of the slides' data as the CSVs write them: each English header is the column's own key,
# so an English file keeps its keys; Chinese files read them in Chinese. A key made of another and a
# suffix (``platform_revenue_total_vs_base``) is written from both (``HEADER_SUFFIXES``).
HEADERS = {
    "quarter": N_("quarter"),
    "active_accounts": N_("active_accounts"),
    "platform_revenue": N_("platform_revenue"),
    "b_side_revenue": N_("b_side_revenue"),
    "take_rate": N_("take_rate"),
    "new_accounts": N_("new_accounts"),
    "churned_accounts": N_("churned_accounts"),
    "returning_accounts": N_("returning_accounts"),
    "start": N_("start"),
    "new": N_("new"),
    "reactivated": N_("reactivated"),
    "expansion": N_("expansion"),
    "contraction": N_("contraction"),
    "churned": N_("churned"),
    "end": N_("end"),
    "quick_ratio": N_("quick_ratio"),
    "lever": N_("lever"),
    "name": N_("name"),
    "base": N_("base"),
    "score": N_("score"),
    "rank": N_("rank"),
    "account_id": N_("account_id"),
    "account_name": N_("account_name"),
    "segment": N_("segment"),
    "region": N_("region"),
    "tier": N_("tier"),
    "owner": N_("owner"),
    "contract_value": N_("contract_value"),
    "orders": N_("orders"),
    "quadrant": N_("quadrant"),
    "x_cut": N_("x_cut"),
    "y_cut": N_("y_cut"),
    "zero_b_side": N_("zero_b_side"),
    "zero_platform": N_("zero_platform"),
    "before": N_("before"),
    "age": N_("age"),
    "observed": N_("observed"),
    "predicted": N_("predicted"),
    "lower": N_("lower"),
    "upper": N_("upper"),
    "held_out": N_("held_out"),
    "error": N_("error"),
    "scenario": N_("scenario"),
}
HEADER_SUFFIXES = {  # checked in this order
    "_vs_base_pct": N_("{name}_vs_base_pct"),
    "_vs_base": N_("{name}_vs_base"),
    "_planned": N_("{name}_planned"),
    "_lower": N_("{name}_lower"),
    "_upper": N_("{name}_upper"),
    "_actual": N_("{name}_actual"),
    "_error": N_("{name}_error"),
    "_inside": N_("{name}_inside"),
    "_end": N_("{name}_end"),
    "_total": N_("{name}_total"),
}


def header(key: object) -> object:
    """A column or index name of a slide's data in the current language (``HEADERS``); any other
    name (a lever, a cohort, a quadrant, a scenario) as it is."""
    if not isinstance(key, str):
        return key
    if key in HEADERS:
        return _(HEADERS[key])
    for suffix, template in HEADER_SUFFIXES.items():
        stem = key.removesuffix(suffix)
        if stem != key and (stem in HEADERS or any(stem.endswith(s) for s in HEADER_SUFFIXES)):
            return _(template).format(name=header(stem))
    return key


def readable(data: pd.DataFrame) -> pd.DataFrame:
    """A slide's ``data`` with its headers (columns and index names) in the current language."""
    return named(data, header)


def csv_name(position: int, slide: Slide) -> str:
    """``02_stage.csv``: the file name of a slide's chart data."""
    return f"{position:02d}_{slide.key}.csv"


def deck_html(slides: Sequence[Slide], title: str, subtitle: str, origin: DataOrigin | None = None) -> str:
    """The self-contained HTML deck of ``slides`` in order (see module); ``origin``: whose the
    live data are, named in the title and a footer on every slide while sample data are live.
    Its own words (links, buttons, marks) are in the current language, as ``<html lang>`` says."""
    sections, figures = [], []
    labelled = origin is not None and origin.label is not None
    if labelled:
        title = f"{title} · {origin.label}"
    footer = (
        f'<footer class="data-note">{html.escape(f"{origin.label}: {origin.explanation}")}</footer>' if labelled else ""
    )
    chart_data, speaker_notes = html.escape(_("Chart data (CSV)")), html.escape(_("Speaker notes"))
    for position, slide in enumerate(slides, start=1):
        data = base64.b64encode(exports.csv_bytes(readable(slide.data), index=True)).decode("ascii")
        facts = "".join(
            f'<div class="fact"><div class="label">{html.escape(f.label)}</div>'
            f'<div class="value">{html.escape(f.value)}</div>'
            + (f'<div class="change">{html.escape(f.change)}</div>' if f.change else "")
            + "</div>"
            for f in slide.facts
        )
        notes = "".join(f"<li>{html.escape(note)}</li>" for note in (*slide.notes, *_computed_note(slide)))
        sections.append(
            f'<section class="slide" id="slide-{position}" data-key="{slide.key}">'
            f'<p class="kicker">{position} / {len(slides)} · {html.escape(slide.title)}</p>'
            + (
                _words(slide)
                or f'<h1>{html.escape(slide.headline)}{_edited_mark(slide)}</h1><div class="facts">{facts}</div>'
            )
            + (f'<div class="chart" id="chart-{position}"></div>' if slide.figure is not None else "")
            + f'<div class="below"><a class="data" download="{csv_name(position, slide)}" '
            f'href="data:text/csv;base64,{data}">{chart_data}</a>'
            f"<details><summary>{speaker_notes}</summary><ul>{notes}</ul></details></div>"
            f"{footer}</section>"
        )
        figures.append(  # null for a slide of words alone, so figures[i] stays slide i's
            "null"
            if slide.figure is None
            else f'{{"id": "chart-{position}", "figure": {plotly.io.to_json(slide.figure, validate=False)}, '
            f'"config": {json.dumps(plot_config(slide.key))}}}'
        )
    return TEMPLATE.format(
        lang=HTML_LANGUAGES[language()],
        sizes_label=html.escape(_("Text size (keys − and +)")),
        previous=html.escape(_("← Previous")),
        next=html.escape(_("Next →")),
        title=html.escape(title),
        subtitle=html.escape(subtitle),
        plotly=packed_plotly(),
        sections="\n".join(sections),
        figures=_json_in_script("[" + ",\n".join(figures) + "]"),
        room_keys=room_keys(),
        scales=json.dumps(TEXT_SIZES),
    )


def _words(slide: Slide) -> str | None:
    """The body of a slide of words alone: the title slide (name, date, company, centred) or the
    agenda (a numbered list of the slides that follow); None for any other slide."""
    if slide.key == "title":
        lines = "".join(f'<p class="subtitle">{html.escape(f.value)}</p>' for f in slide.facts)
        return f'<div class="title-slide"><h1>{html.escape(slide.headline)}</h1>{lines}</div>'
    if slide.key == "agenda":
        items = "".join(f'<li value="{html.escape(f.label)}">{html.escape(f.value)}</li>' for f in slide.facts)
        return f'<h1>{html.escape(slide.headline)}{_edited_mark(slide)}</h1><ol class="agenda">{items}</ol>'
    return None


def _edited_mark(slide: Slide) -> str:
    """A small mark after a headline the facilitator wrote (the computed one is in the notes)."""
    if not slide.suggested:
        return ""
    written, edited = html.escape(_("Headline written by the facilitator")), html.escape(_("✎ edited"))
    return f' <span class="edited" title="{written}">{edited}</span>'


def _computed_note(slide: Slide) -> tuple[str, ...]:
    return (_("Computed headline: {headline}").format(headline=slide.suggested),) if slide.suggested else ()


def chart_data_zip(slides: Sequence[Slide]) -> bytes:
    """Every slide's chart data as a spreadsheet-safe CSV (``csv_name``; headers in the current
    language, ``readable``), in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for position, slide in enumerate(slides, start=1):
            archive.writestr(csv_name(position, slide), exports.csv_bytes(readable(slide.data), index=True))
    return buffer.getvalue()


# The keys of a presenter's keyboard or clicker beyond Next / Previous, shared by the offline deck and
# the app's presentation mode: "B" or "." blanks the screen (black, until any key or click), and a
# slide number typed then Enter goes there. ``roomKeys(doc, goTo)`` returns the keydown handler's
# first step: it calls ``goTo(number)`` and returns true for the keys it used. ``room_keys()`` is
# the code with the blanked screen's tooltip in the current language.
BLANKED = N_("Screen blanked: press any key or click to come back")
ROOM_KEYS = """
function roomKeys(doc, goTo) {
  let typed = "", blank = null;
  const unblank = () => { blank.remove(); blank = null; };
  return (event) => {
    if (blank) { unblank(); return true; }
    if (["b", "B", "."].includes(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      blank = doc.createElement("div");
      blank.className = "room-blank";
      blank.title = BLANKED_TITLE;
      blank.style.cssText = "position:fixed;inset:0;background:#000;z-index:2147483647;cursor:none";
      blank.addEventListener("click", unblank);
      doc.body.appendChild(blank);
      typed = "";
      return true;
    }
    if (/^[0-9]$/.test(event.key)) { typed = (typed + event.key).slice(-3); return true; }
    if (event.key === "Enter" && typed) { goTo(parseInt(typed, 10)); typed = ""; return true; }
    typed = "";
    return false;
  };
}
"""


def room_keys() -> str:
    """``ROOM_KEYS`` with the blanked screen's tooltip (``BLANKED``) in the current language."""
    return ROOM_KEYS.replace("BLANKED_TITLE", _script_safe(json.dumps(_(BLANKED), ensure_ascii=False)))


TEMPLATE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  html, body {{ margin: 0; background: #fff; color: #111; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
    "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }}
  /* one screen a slide: header, the slide (its chart takes the height left) and the nav in a column
     of the screen's height; type follows the screen's height (20 px at 1080 px) times the size S/M/L */
  body {{ display: flex; flex-direction: column; height: 100vh; overflow: hidden;
    font-size: calc(clamp(16px, 2vh, 24px) * var(--text-scale, 1)); }}
  header {{ flex: none; display: flex; justify-content: space-between; align-items: baseline; gap: 1em;
    padding: 0.3em 2.4em; border-bottom: 1px solid #ccc; color: #333; font-size: 0.8em; }}
  .slide {{ display: none; flex: 1 1 0; min-height: 0; flex-direction: column; padding: 0.5em 2.4em 0.2em; }}
  .slide.current {{ display: flex; }}
  .slide > * {{ flex: none; }}
  .kicker {{ margin: 0 0 0.2em; color: #333; font-size: 0.9em; }}
  h1 {{ margin: 0 0 0.4em; font-size: 1.6em; line-height: 1.25; font-weight: 650; }}
  .facts {{ display: flex; flex-wrap: wrap; gap: 0.6em; margin-bottom: 0.3em; }}
  .fact {{ border: 1px solid #bbb; border-radius: 8px; padding: 0.3em 0.8em; min-width: 8em; }}
  .fact .label {{ font-size: 0.8em; color: #333; }}
  .fact .value {{ font-size: 1.5em; font-weight: 650; }}
  .fact .change {{ font-size: 0.8em; color: #333; }}
  .slide > .chart {{ flex: 1 1 0; min-height: 0; width: 100%; }}
  .slide > .title-slide {{ flex: 1 1 0; min-height: 0; display: flex; flex-direction: column; justify-content: center;
    align-items: center; text-align: center; }}
  .title-slide h1 {{ font-size: 2.8em; margin-bottom: 0.4em; }}
  .title-slide p {{ margin: 0.2em 0; font-size: 1.4em; color: #333; }}
  .agenda {{ font-size: 1.3em; line-height: 1.5; }}
  .edited {{ font-size: 0.8em; font-weight: 400; color: #555; vertical-align: super; }}
  .below {{ display: flex; gap: 1.6em; align-items: flex-start; font-size: 0.8em; }}
  a {{ color: #0b57a4; }}
  details ul {{ margin: 4px 0; }}
  .data-note {{ margin-top: 0.3em; padding: 0.2em 0.6em; border-left: 6px solid #b35900; color: #111;
    font-size: 0.8em; }}
  nav {{ flex: none; display: flex; justify-content: flex-end; align-items: center; gap: 0.4em;
    padding: 0.3em 2.4em 0.5em; }}
  nav button {{ font-size: 0.9em; padding: 0.25em 0.9em; border: 1px solid #555; border-radius: 6px; background: #fff;
    color: #111; cursor: pointer; white-space: nowrap; }}
  nav .sizes {{ display: flex; margin-right: auto; }}
  nav .sizes button {{ padding: 0.25em 0.6em; border-radius: 0; }}
  nav .sizes button[aria-pressed="true"] {{ background: #111; color: #fff; }}
  @page {{ size: 13.333in 7.5in; margin: 0; }}
  @media print {{
    nav, header, .below {{ display: none; }}
    .slide {{ display: block; break-after: page; }}
  }}
  body.printing {{ display: block; height: auto; overflow: visible; }}
  .printing nav, .printing header, .printing .below {{ display: none; }}
  .printing .slide {{ display: flex; flex-direction: column; box-sizing: border-box; width: 13.333in; height: 7.5in;
    overflow: hidden; break-inside: avoid; break-after: page; }}
  .printing .slide:last-of-type {{ break-after: auto; }}
  .printing .chart {{ flex: 1 1 0; min-height: 240px; }}
</style>
<script id="plotly-js" type="application/gzip;base64">{plotly}</script>
</head>
<body>
<header><strong>{title}</strong><span>{subtitle}</span></header>
{sections}
<nav><span class="sizes" role="group" aria-label="{sizes_label}">
<button type="button" data-size="S">S</button><button type="button" data-size="M">M</button><button type="button"
 data-size="L">L</button></span>
<button id="previous" type="button">{previous}</button><button id="next" type="button">{next}</button></nav>
<script>
(function () {{
  const figures = {figures};
  const slides = Array.from(document.querySelectorAll(".slide"));
  const drawn = new Map();  // slide index → the text size it was drawn at
  async function loadPlotly() {{
    const packed = atob(document.getElementById("plotly-js").textContent.trim());
    const bytes = Uint8Array.from(packed, (c) => c.charCodeAt(0));
    const unpacked = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const script = document.createElement("script");
    script.textContent = await new Response(unpacked).text();
    document.head.appendChild(script);
  }}
  const scales = {scales};
  let size = (/[#&?]size=([SML])/i.exec(location.hash + location.search) || [, "M"])[1].toUpperCase();
  function scaled(figure) {{  // every font (and inline font-size) times the text size's factor, whole pixels
    const factor = scales[size];
    const scale = (v) => (typeof v === "number" ? Math.ceil(v * factor) : v);
    const walk = (node) => {{
      for (const [key, value] of Object.entries(node)) {{
        if (key.endsWith("font") && value && typeof value === "object" && "size" in value)
          value.size = Array.isArray(value.size) ? value.size.map(scale) : scale(value.size);
        else if (typeof value === "string" && value.includes("font-size"))
          node[key] = value.replace(/font-size:\\s*([\\d.]+)px/g, (_, px) => `font-size:${{scale(parseFloat(px))}}px`);
        if (value && typeof value === "object") walk(value);
      }}
    }};
    const copy = JSON.parse(JSON.stringify(figure));
    walk(copy);
    delete copy.layout.height;  // as tall as the slide leaves
    copy.layout.autosize = true;
    return copy;
  }}
  const ON_SCREEN = {{ autosize: true, width: null, height: null }};
  function draw(index, box) {{  // box: the width and height to draw at (printing), else the element's
    const item = figures[index];
    if (!item || !window.Plotly) return;
    if (drawn.get(index) === size) {{ box ? Plotly.relayout(item.id, box) : Plotly.Plots.resize(item.id); return; }}
    drawn.set(index, size);
    const figure = scaled(item.figure);
    Plotly.react(item.id, figure.data, Object.assign(figure.layout, box), item.config);
  }}
  function choose(chosen) {{
    if (!(chosen in scales)) return;
    size = chosen;
    document.documentElement.style.setProperty("--text-scale", scales[size]);
    for (const button of document.querySelectorAll("nav .sizes button"))
      button.setAttribute("aria-pressed", button.dataset.size === size);
    show(current);
  }}
  let current = 0;
  function show(index) {{
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach((slide, i) => slide.classList.toggle("current", i === current));
    history.replaceState(null, "", "#" + (current + 1) + (size === "M" ? "" : "&size=" + size));
    draw(current);
  }}
  for (const button of document.querySelectorAll("nav .sizes button"))
    button.addEventListener("click", () => choose(button.dataset.size));
  document.getElementById("previous").addEventListener("click", () => show(current - 1));
  document.getElementById("next").addEventListener("click", () => show(current + 1));
  {room_keys}
  const roomKey = roomKeys(document, (number) => show(number - 1));
  document.addEventListener("keydown", (event) => {{
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    if (roomKey(event)) {{ event.preventDefault(); return; }}
    if (["ArrowRight", "PageDown", " "].includes(event.key)) {{ event.preventDefault(); show(current + 1); }}
    else if (["ArrowLeft", "PageUp"].includes(event.key)) {{ event.preventDefault(); show(current - 1); }}
    else if (event.key === "Home") show(0);
    else if (event.key === "End") show(slides.length - 1);
    else if (["-", "+", "="].includes(event.key) && !event.ctrlKey && !event.metaKey) {{
      const order = Object.keys(scales);
      choose(order[Math.max(0, Math.min(order.length - 1, order.indexOf(size) + (event.key === "-" ? -1 : 1)))]);
    }}
  }});
  window.addEventListener("beforeprint", () => {{
    document.body.classList.add("printing");  // every slide laid out as its printed page
    figures.forEach((item, i) => {{
      const box = item && document.getElementById(item.id);
      if (box) draw(i, {{ width: box.clientWidth, height: box.clientHeight }});
    }});
  }});
  window.addEventListener("afterprint", () => {{
    document.body.classList.remove("printing");
    figures.forEach((_, i) => draw(i, ON_SCREEN));
  }});
  const start = parseInt(location.hash.slice(1), 10);
  current = Number.isFinite(start) ? start - 1 : 0;
  choose(size);
  loadPlotly().then(() => draw(current));
}})();
</script>
</body>
</html>
"""
