"""The deck as files to send after the workshop: one self-contained HTML page and a zip of the
charts' data.

The HTML page embeds plotly.js once, gzipped (1.5 MB instead of 4.8 MB; the browser unpacks it
with its own ``DecompressionStream``), and draws every figure from its JSON, so every chart stays
interactive (hover, zoom, the toolbar's PNG download) and the file opens with no network. It shows
one slide at a time (→, Space or PageDown for the next, ←, PageUp for the previous, Home / End;
"B" or "." blanks the screen, a number then Enter goes to that slide, ``ROOM_KEYS``), ``#3`` opens
slide 3, and printing puts every slide on its own page. Each slide links its chart's
data as a CSV held inside the file. Every text from the data is HTML-escaped. While sample data
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

import plotly.io
import plotly.offline

from b2b_core import exports
from b2b_core.report.deck import Slide
from b2b_core.store.sample_uploads import DataOrigin

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


def csv_name(position: int, slide: Slide) -> str:
    """``02_stage.csv``: the file name of a slide's chart data."""
    return f"{position:02d}_{slide.key}.csv"


def deck_html(slides: Sequence[Slide], title: str, subtitle: str, origin: DataOrigin | None = None) -> str:
    """The self-contained HTML deck of ``slides`` in order (see module); ``origin``: whose the
    live data are, named in the title and a footer on every slide while sample data are live."""
    sections, figures = [], []
    labelled = origin is not None and origin.label is not None
    if labelled:
        title = f"{title} · {origin.label}"
    footer = (
        f'<footer class="data-note">{html.escape(f"{origin.label}: {origin.explanation}")}</footer>' if labelled else ""
    )
    for position, slide in enumerate(slides, start=1):
        data = base64.b64encode(exports.csv_bytes(slide.data, index=True)).decode("ascii")
        facts = "".join(
            f'<div class="fact"><div class="label">{html.escape(f.label)}</div>'
            f'<div class="value">{html.escape(f.value)}</div>'
            + (f'<div class="change">{html.escape(f.change)}</div>' if f.change else "")
            + "</div>"
            for f in slide.facts
        )
        notes = "".join(f"<li>{html.escape(note)}</li>" for note in slide.notes)
        sections.append(
            f'<section class="slide" id="slide-{position}" data-key="{slide.key}">'
            f'<p class="kicker">{position} / {len(slides)} · {html.escape(slide.title)}</p>'
            f"<h1>{html.escape(slide.headline)}</h1>"
            f'<div class="facts">{facts}</div>'
            + (f'<div class="chart" id="chart-{position}"></div>' if slide.figure is not None else "")
            + f'<div class="below"><a class="data" download="{csv_name(position, slide)}" '
            f'href="data:text/csv;base64,{data}">Chart data (CSV)</a>'
            f"<details><summary>Speaker notes</summary><ul>{notes}</ul></details></div>"
            f"{footer}</section>"
        )
        figures.append(  # null for a slide of words alone, so figures[i] stays slide i's
            "null"
            if slide.figure is None
            else f'{{"id": "chart-{position}", "figure": {plotly.io.to_json(slide.figure, validate=False)}, '
            f'"config": {json.dumps(plot_config(slide.key))}}}'
        )
    return TEMPLATE.format(
        title=html.escape(title),
        subtitle=html.escape(subtitle),
        plotly=packed_plotly(),
        sections="\n".join(sections),
        figures=_json_in_script("[" + ",\n".join(figures) + "]"),
        room_keys=ROOM_KEYS,
    )


def chart_data_zip(slides: Sequence[Slide]) -> bytes:
    """Every slide's chart data as a spreadsheet-safe CSV (``csv_name``), in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for position, slide in enumerate(slides, start=1):
            archive.writestr(csv_name(position, slide), exports.csv_bytes(slide.data, index=True))
    return buffer.getvalue()


# The keys of a presenter's keyboard or clicker beyond Next / Previous, shared by the offline deck and
# the app's presentation mode: "B" or "." blanks the screen (black, until any key or click), and a
# slide number typed then Enter goes there. ``roomKeys(doc, goTo)`` returns the keydown handler's
# first step: it calls ``goTo(number)`` and returns true for the keys it used.
ROOM_KEYS = """
function roomKeys(doc, goTo) {
  let typed = "", blank = null;
  const unblank = () => { blank.remove(); blank = null; };
  return (event) => {
    if (blank) { unblank(); return true; }
    if (["b", "B", "."].includes(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      blank = doc.createElement("div");
      blank.className = "room-blank";
      blank.title = "Screen blanked: press any key or click to come back";
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

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  html, body {{ margin: 0; background: #fff; color: #111; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
    "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 20px; }}
  header {{ display: flex; justify-content: space-between; align-items: baseline; padding: 12px 48px;
    border-bottom: 1px solid #ccc; color: #333; font-size: 16px; }}
  .slide {{ display: none; padding: 20px 48px 12px; }}
  .slide.current {{ display: block; }}
  .kicker {{ margin: 0 0 4px; color: #333; font-size: 18px; }}
  h1 {{ margin: 0 0 16px; font-size: 36px; line-height: 1.25; font-weight: 650; }}
  .facts {{ display: flex; flex-wrap: wrap; gap: 16px; margin-bottom: 8px; }}
  .fact {{ border: 1px solid #bbb; border-radius: 8px; padding: 8px 16px; min-width: 180px; }}
  .fact .label {{ font-size: 16px; color: #333; }}
  .fact .value {{ font-size: 30px; font-weight: 650; }}
  .fact .change {{ font-size: 16px; color: #333; }}
  .chart {{ width: 100%; min-height: 620px; }}
  .below {{ display: flex; gap: 32px; align-items: flex-start; font-size: 16px; }}
  a {{ color: #0b57a4; }}
  details ul {{ margin: 4px 0; }}
  .data-note {{ margin-top: 8px; padding: 4px 12px; border-left: 6px solid #b35900; color: #111; font-size: 16px; }}
  nav {{ position: fixed; right: 24px; bottom: 16px; display: flex; gap: 8px; }}
  nav button {{ font-size: 18px; padding: 6px 18px; border: 1px solid #555; border-radius: 6px; background: #fff;
    color: #111; cursor: pointer; }}
  @media print {{
    nav, header {{ display: none; }}
    .slide {{ display: block; page-break-after: always; }}
  }}
</style>
<script id="plotly-js" type="application/gzip;base64">{plotly}</script>
</head>
<body>
<header><strong>{title}</strong><span>{subtitle}</span></header>
{sections}
<nav><button id="previous" type="button">← Previous</button><button id="next" type="button">Next →</button></nav>
<script>
(function () {{
  const figures = {figures};
  const slides = Array.from(document.querySelectorAll(".slide"));
  const drawn = new Set();
  async function loadPlotly() {{
    const packed = atob(document.getElementById("plotly-js").textContent.trim());
    const bytes = Uint8Array.from(packed, (c) => c.charCodeAt(0));
    const unpacked = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const script = document.createElement("script");
    script.textContent = await new Response(unpacked).text();
    document.head.appendChild(script);
  }}
  function draw(index) {{
    const item = figures[index];
    if (!item || !window.Plotly) return;
    if (drawn.has(index)) {{ Plotly.Plots.resize(item.id); return; }}
    drawn.add(index);
    Plotly.newPlot(item.id, item.figure.data, item.figure.layout, item.config);
  }}
  let current = 0;
  function show(index) {{
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach((slide, i) => slide.classList.toggle("current", i === current));
    history.replaceState(null, "", "#" + (current + 1));
    draw(current);
  }}
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
  }});
  window.addEventListener("beforeprint", () => figures.forEach((_, i) => draw(i)));
  const start = parseInt(location.hash.slice(1), 10);
  show(Number.isFinite(start) ? start - 1 : 0);
  loadPlotly().then(() => draw(current));
}})();
</script>
</body>
</html>
"""
