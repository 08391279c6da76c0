"""Every page at size, timed in Chromium: first visit, revisit and one interaction, and the server's memory.

Run: ``python bench/pages.py N [--quarters 12] [--workspace PATH] [--pages overview,quadrants] [--lang zh]``

Writes a generated panel of N accounts × ``quarters`` to a new workspace (``sample.write_panel``;
``--workspace`` names the file, and one that exists, e.g. filled by the command-line import, is
opened as it is), starts ``streamlit run server.py`` on it (which loads the app and starts
preparing the data as it starts), opens the Overview once as soon as the server answers (and
Chromium is up), waits until the background preparation of every page's views is over
(the server's log says so, ``warm_up.ALL_PREPARED``, read every 50 ms; timed from the first load as
the data version's one-time work, with the moment it said the pages' first views were ready and only
the earlier quarters' quadrant views remained, ``warm_up.PAGES_PREPARED``; both also from the
server's launch), then for every page:
the first visit, then ``ROUNDS`` times a revisit (a new page load, timed from the start of the
navigation until the script is idle with a chart drawn) and one interaction a user makes there,
timed from the key or pointer press the page receives until it is idle with a chart drawn again;
both on the page's own clock, read at every frame. "As driven" adds Playwright finding the element
and sending the input (medians printed):

* Overview: a region filter (timed from the click on the first region, once the list is open);
  Lifecycle: the business model (timed from the click on the other model, once the list is
  open); Quadrants: the quarter slider one step back; Cohorts: the triangle's measure; Accounts:
  the contracting list instead of the churned one; Scenario
  lab: a lever one step (after New); Workshop: the next slide (from the third, the first with a
  chart after the title and agenda).

``--lang zh`` reads every page in Chinese (``?lang=zh``, the controls found by their Chinese
names): a session in another language has views of its own (computed in its language, cached
apart), so the background preparation runs again for it, timed like the first.

Prints one line per page and the server's peak resident memory (VmHWM) at the end.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from b2b_core import accounts, i18n, sample, store  # noqa: E402
from b2b_core.access import LOCAL  # noqa: E402
from b2b_core.i18n import _  # noqa: E402
from tests.browser import ERROR_ELEMENTS, chromium_page, memory_mb, server_pid, streamlit_server  # noqa: E402
from ui import warm_up  # noqa: E402

CHART = '[data-testid="stPlotlyChart"] .main-svg'
TIMEOUT_MS = 600_000
INPUT_TIMEOUT_MS = 120_000  # an interaction not drawn again by then is reported as stuck
ROUNDS = 3  # revisits and interactions per page; the median is printed


# True when the script run is over, no status shows and a chart is drawn.
IDLE = f"""() => {{
    const app = document.querySelector('[data-testid="stApp"]');
    return !!(app && app.dataset.testScriptState === "notRunning"
        && !document.querySelector('[data-testid="stStatusWidget"]')
        && document.querySelector('{CHART}'));
}}"""


def idle_with_chart(page) -> float:
    """Wait until the page is idle with a chart (``IDLE``); the page's clock then
    (``performance.now()``, ms from the start of the navigation that loaded it), read at the
    frame the page was first so."""
    return page.wait_for_function(
        f"() => ({IDLE})() && performance.now()",
        timeout=TIMEOUT_MS,
        polling="raf",  # checked at every frame the browser draws, not every 50 ms
    ).json_value()


def timed_visit(page, address: str) -> float:
    """Seconds from the start of the navigation to ``address`` until the page is idle with a
    chart, on the page's own clock. A new document has no chart until its script draws one."""
    page.goto(address)
    seconds = idle_with_chart(page) / 1000
    _no_error(page)
    return seconds


# From the first key or pointer press the page receives, watch every frame: once the page has
# been busy and is idle with a chart again, note when. Busy: a frame not idle (a rerun requested or
# running), or, for a rerun so quick that no frame saw it (its start and end handled in one task),
# the script state's attribute changed or a chart changed (its hover layer aside).
WATCH = f"""() => {{
    const idle = {IDLE};
    const watch = window.__bench = {{input: null, busy: false, drawn: null}};
    for (const kind of ["keydown", "pointerdown", "mousedown"]) {{
        const seen = () => {{ watch.input ??= performance.now(); }};
        document.addEventListener(kind, seen, {{capture: true, once: true}});
    }}
    const changed = new MutationObserver((records) => {{
        if (watch.input === null) return;
        const inChart = (node) => {{
            const element = node.nodeType === 1 ? node : node.parentElement;
            return element && element.closest('[data-testid="stPlotlyChart"]') && !element.closest(".hoverlayer");
        }};
        if (records.some((r) => r.attributeName === "data-test-script-state" || inChart(r.target))) {{
            watch.busy = true;
            changed.disconnect();
        }}
    }});
    changed.observe(document.body, {{subtree: true, childList: true, attributes: true, characterData: true}});
    const frame = () => {{
        if (watch.input !== null) {{
            if (!idle()) watch.busy = true;
            else if (watch.busy) {{ watch.drawn = performance.now(); return; }}
        }}
        requestAnimationFrame(frame);
    }};
    requestAnimationFrame(frame);
}}"""


def timed_input(page, action: Callable[[], None]) -> tuple[float, float]:
    """An interaction's seconds from the user's input (the first key or pointer press the page
    receives) until the page is idle with a chart again, on the page's own clock; and from calling
    ``action`` until Python saw that, which adds Playwright finding the element (by its role, a
    query of the whole page) and sending it the input, ~0.05 s on a page with a drawn map."""
    page.evaluate(WATCH)
    start = time.perf_counter()
    action()
    try:
        drawn = page.wait_for_function(
            "() => window.__bench.drawn", timeout=INPUT_TIMEOUT_MS, polling="raf"
        ).json_value()
    except PlaywrightTimeout:
        seen = page.evaluate("() => window.__bench")
        shot = Path(tempfile.gettempdir()) / "bench_pages_stuck.png"
        page.screenshot(path=shot, full_page=True)
        raise TimeoutError(
            f"{page.url}: not idle with a chart {INPUT_TIMEOUT_MS / 1000:.0f} s after the input "
            f"(input seen: {seen['input'] is not None}, busy seen: {seen['busy']}; the page: {shot})"
        ) from None
    driven = time.perf_counter() - start
    _no_error(page)
    return (drawn - page.evaluate("() => window.__bench.input")) / 1000, driven


def _no_error(page) -> None:
    errors = page.locator(ERROR_ELEMENTS)
    if errors.count():
        raise RuntimeError(f"the page shows an error: {errors.first.inner_text()[:300]}")


def _lifecycle_setup(page) -> None:
    page.get_by_label(_("Business model")).click()  # the list opens in the browser alone
    page.get_by_role("option").nth(1).wait_for()


def _lifecycle(page) -> None:
    page.get_by_role("option").nth(1).click()


def _overview_setup(page) -> None:
    page.get_by_label(_("Region")).click()  # the list opens in the browser alone
    page.get_by_role("option").first.wait_for()


def _overview(page) -> None:
    page.get_by_role("option").first.click()


def _quadrants(page) -> None:
    page.get_by_role("slider").first.press("ArrowLeft")


def _cohorts(page) -> None:
    page.get_by_text(_("Revenue (NRR)"), exact=False).first.click()


def _accounts(page) -> None:
    page.get_by_role("radio", name=_(accounts.KIND_NAMES[accounts.CONTRACTING]).capitalize(), exact=True).click()


def _scenarios_setup(page) -> None:
    page.get_by_role("button", name=_("New"), exact=True).click()
    # The new scenario is on screen once its caption shows; until then the levers are the base's,
    # disabled, and a key press on them would start no rerun.
    page.get_by_text(_("Not saved: only this link holds it.")).wait_for()
    idle_with_chart(page)


def _scenarios(page) -> None:
    page.get_by_role("slider").nth(1).press("ArrowRight")


def _workshop(page) -> None:
    page.get_by_role("button", name=_("Next")).click()


# page → (url path, setup before the interaction, the interaction)
PAGES: dict[str, tuple[str, Callable | None, Callable | None]] = {
    "overview": ("", _overview_setup, _overview),
    "lifecycle": ("lifecycle", _lifecycle_setup, _lifecycle),
    "quadrants": ("quadrants", None, _quadrants),
    "cohorts": ("cohorts", None, _cohorts),
    "accounts": ("accounts", None, _accounts),
    "scenarios": ("scenarios", _scenarios_setup, _scenarios),
    "workshop": ("workshop?slide=3", None, _workshop),  # the first slide with a chart, after the title and agenda
}


def in_language(address: str, lang: str) -> str:
    """``address`` with ``lang`` (``lang=zh``, or nothing) added to its query."""
    return f"{address}{'&' if '?' in address else '?'}{lang}" if lang else address


def until_logged(log: Path, text: str, start: float, lang: str) -> tuple[float, float]:
    """(seconds from ``start`` (``time.perf_counter``) until ``text`` appears in the file ``log`` for
    the preparation in ``lang``, read every 50 ms; the seconds the line itself gives, counted by the
    server from the start of that preparation)."""
    pattern = re.compile(rf"{re.escape(text)} (?:in|after) ([0-9.]+) s, in {lang}")
    while not (found := pattern.search(log.read_text(errors="replace"))):
        if time.perf_counter() - start > TIMEOUT_MS / 1000:
            raise TimeoutError(f"the server never logged {text!r} in {lang}")
        time.sleep(0.05)
    return time.perf_counter() - start, float(found.group(1))


def fill(path: Path, accounts: int, quarters: int) -> float:
    """Write a generated panel to a new workspace at ``path``, part by part (``sample.write_panel``);
    seconds it took."""
    start = time.perf_counter()
    with store.Workspace(path) as workspace:
        sample.write_panel(workspace, accounts, quarters, actor=LOCAL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("accounts", type=int, help="accounts of the generated panel (ignored with --workspace)")
    parser.add_argument("--quarters", type=int, default=12)
    parser.add_argument("--workspace", type=Path, help="the workspace to open (written first if it does not exist)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated pages to time")
    parser.add_argument("--lang", default=i18n.SOURCE, choices=i18n.LANGUAGES, help="the language pages are read in")
    args = parser.parse_args(argv)
    i18n.set_language(args.lang)  # the controls are found by their names in that language
    lang = "" if args.lang == i18n.SOURCE else f"lang={args.lang}"
    with tempfile.TemporaryDirectory() as folder:
        path = args.workspace or Path(folder) / "workspace.duckdb"
        if not path.exists():
            took = fill(path, args.accounts, args.quarters)
            print(f"committed {args.accounts:,} accounts × {args.quarters} quarters in {took:.1f} s")
        launched = time.perf_counter()
        with streamlit_server(path, timeout=300) as url, chromium_page(1500, 1000) as page:
            page.set_default_timeout(TIMEOUT_MS)
            pid = server_pid(path)
            log = path.with_suffix(".log")  # the server's output (``streamlit_server``)
            start = time.perf_counter()
            before = start - launched  # the server starting, then Chromium
            print(f"server launched {before:.1f} s before the first load: {memory_mb(pid)[0]:.0f} MB")
            first = timed_visit(page, in_language(url + "/", lang))
            print(f"first Overview: {first:.2f} s, server {memory_mb(pid)[0]:.0f} MB")
            pages_ready, pages_work = until_logged(log, warm_up.PAGES_PREPARED, start, args.lang)
            prepared, all_work = until_logged(log, warm_up.ALL_PREPARED, start, args.lang)
            print(
                f"one-time work: every page's first views {pages_ready:.1f} s, "
                f"and the earlier quarters' quadrants {prepared:.1f} s, server {memory_mb(pid)[0]:.0f} MB "
                f"(the preparation itself, by the server's log: {pages_work:.1f} s; {all_work:.1f} s; "
                f"from the server's launch: {before + pages_ready:.1f} s; {before + prepared:.1f} s)"
            )
            print(
                f"{'page':<10} {'first visit':>12} {'revisit':>9} {'interaction':>12} {'as driven':>10} "
                f"{'server MB':>10}"
            )
            for name in args.pages.split(","):
                route, setup, interact = PAGES[name]
                address = in_language(f"{url}/{route}", lang)
                visit = timed_visit(page, address)
                revisits, interactions = [], []
                for round_ in range(ROUNDS):  # each round a new session: the interaction changes its defaults again
                    revisits.append(timed_visit(page, address))
                    if interact is not None:
                        if setup is not None:
                            setup(page)
                        interactions.append(timed_input(page, lambda interact=interact: interact(page)))
                    print(f"  {name} round {round_ + 1}: revisit {revisits[-1]:.2f} s", end="", file=sys.stderr)
                    print(f", interaction {interactions[-1][0]:.3f} s" if interactions else "", file=sys.stderr)
                again = statistics.median(revisits)
                acted, driven = (
                    (statistics.median(i[0] for i in interactions), statistics.median(i[1] for i in interactions))
                    if interactions
                    else (float("nan"), float("nan"))
                )
                print(
                    f"{name:<10} {visit:>11.2f}s {again:>8.2f}s {acted:>11.3f}s {driven:>9.3f}s "
                    f"{memory_mb(pid)[0]:>10.0f}"
                )
            now, peak = memory_mb(pid)
            print(f"server memory: {now:.0f} MB now, {peak:.0f} MB at peak")


if __name__ == "__main__":
    main()
