"""The one-time work of a data version, done in the background: every page's views are computed
as soon as a version of the data is first seen, so that a page opened later finds them cached.

The steps (``_steps``) ask the pages' own view functions for what each page shows before anyone
touches a control, in the order of the navigation, then the quadrant views of the earlier
quarters (the quarter slider), the latest quarter's clusters and the play-through (the quadrant
views a user opens by a choice that take seconds at millions of accounts; the mix over time is
put together from the quarters' own). A page that asks for a view while it is being prepared waits for
that one computation instead of starting its own (Streamlit's caches compute each key once). A
new version of the data stops the run between two steps; the run of the new version starts on
the next page load. The sidebar says what is being prepared when a page is drawn (``sidebar_status``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from b2b_core import i18n
from b2b_core.i18n import N_, _
from b2b_core.quarters import quarter_text
from b2b_core.source import ExternalSource, redact
from b2b_core.store import Workspace, default_path
from ui import (
    account_views,
    cohort_views,
    lifecycle_views,
    overview_views,
    quadrant_views,
    scenario_views,
    state,
    workshop_views,
)

Step = tuple[str, Callable[[], object]]  # (label, the work): the label an English text marked N_
log = logging.getLogger(__name__)
SWITCH = "B2B_PREPARE_VIEWS"  # "0": no background preparation (each view computed on first need)
THREAD_NAME = "warm-up"
PREPARING = "Preparing"  # the sidebar line's first word (in English) while the views are being prepared
# The steps after the pages' first views: the sums the Overview's filters add up, the quarter
# slider's quadrants, then the quadrant views opened by a choice. A step of a quarter is labelled
# with the quarter after its text ("the quadrants of 2025Q3"), translated where it is shown.
FILTER_SUMS, EARLIER_QUARTERS = N_("the Overview's sums for its filters"), N_("the quadrants of")
CLUSTERS, PLAY_THROUGH = N_("the clusters of"), N_("the play-through")
LATER = (FILTER_SUMS, EARLIER_QUARTERS, CLUSTERS, PLAY_THROUGH)
OF_A_QUARTER = {  # a step of a quarter, written in the run's language
    EARLIER_QUARTERS: N_("the quadrants of {quarter}"),
    CLUSTERS: N_("the clusters of {quarter}"),
}
PAGES_PREPARED, ALL_PREPARED = "every page's first views prepared", "every view prepared"  # in the server's log


@dataclass
class Progress:
    """How far the preparation of one data version has come (read by the sidebar)."""

    steps: list[str]
    done: int = 0
    finished: float | None = None  # time.monotonic() at the end
    stopped: str | None = None  # why the run ended early, if it did

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def current(self) -> str | None:
        return self.steps[self.done] if self.running and self.done < len(self.steps) else None


_RUNS: dict[tuple[str, str], Progress] = {}  # (data version, language) → its preparation
_RUNS_LOCK = threading.Lock()


class _QuietThread(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning of the warm-up thread: it prepares
    caches for every session, not for one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return threading.current_thread().name != THREAD_NAME


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_QuietThread())
if not log.handlers:  # the server's log says how long each data version's preparation took
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)


def enabled() -> bool:
    """Whether new data versions get their views prepared (``$B2B_PREPARE_VIEWS`` is not ``0``)."""
    return os.environ.get(SWITCH, "1") != "0"


def start() -> Progress:
    """The preparation of the current data version in the run's language, started in a background
    thread on its first call in that language (with no steps when ``$B2B_PREPARE_VIEWS`` is ``0``):
    a visitor reading Chinese finds the views prepared in Chinese too (each language's views are
    cached apart, ``state.reduced``)."""
    data, ws, found, lang = state.data_version(), state.workspace(), state.panel(), i18n.language()
    with _RUNS_LOCK:
        if (data, lang) not in _RUNS:
            steps = _steps() if enabled() else []
            _RUNS[data, lang] = progress = Progress([label for label, _work in steps])
            thread = threading.Thread(
                target=_run, args=(ws, found, data, steps, progress, lang), name=THREAD_NAME, daemon=True
            )
            thread.start()
        return _RUNS[data, lang]


def start_from_source() -> None:
    """Open the source the settings name and, when it can be used, start preparing its views (as
    the server starts, on a thread of its own: a page load meanwhile waits for the same opening)."""
    try:
        if isinstance(state.opened_source(), ExternalSource):
            start()
    except Exception as exc:  # the first page load opens the source again and says what is wrong
        log.warning("the source could not be prepared as the server started: %s", redact(str(exc)))


def wait(timeout: float) -> bool:
    """Wait until no preparation is running (at most ``timeout`` seconds); True if none is."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name == THREAD_NAME:
            thread.join(max(deadline - time.monotonic(), 0))
    return not any(t.name == THREAD_NAME and t.is_alive() for t in threading.enumerate())


def _run(
    ws: Workspace, found: Workspace | ExternalSource, data: str, steps: list[Step], progress: Progress, lang: str
) -> None:
    """Compute ``steps`` in ``lang``, the language of the run that started them (views holding texts
    are cached per language, and the steps name the playbook of that language)."""
    with i18n.use(lang):
        _prepare(ws, found, data, steps, progress)


def _prepare(
    ws: Workspace, found: Workspace | ExternalSource, data: str, steps: list[Step], progress: Progress
) -> None:
    state.pin(ws, found)  # every view of this run is asked of ``found``, never of a panel opened meanwhile
    start = time.monotonic()
    pages = next((i for i, (label, _work) in enumerate(steps) if label.startswith(LATER)), len(steps))
    for told, part in ((PAGES_PREPARED, steps[:pages]), (ALL_PREPARED, steps[pages:])):
        for _label, step in part:
            if not _still(found, data):
                progress.stopped = "the data or the workspace changed"
                break
            try:
                step()
            except Exception as exc:  # the page that shows this view reports the problem itself
                log.warning("preparing %s failed: %s", progress.current, exc)
            progress.done += 1
        log.info(
            "%s: %s after %.1f s, in %s", data, progress.stopped or told, time.monotonic() - start, i18n.language()
        )
        if progress.stopped:
            break
    progress.finished = time.monotonic()


def _still(found: Workspace | ExternalSource, data: str) -> bool:
    """True while ``data`` is the live version of the app's panel (checked without opening one): the
    workspace's file and version, or a source not yet due to be read afresh."""
    if isinstance(found, ExternalSource):
        return not state.time_to_refresh(found)
    try:
        return default_path() == found.path and f"{found.path}#{found.version}" == data
    except Exception:  # closed or gone: whatever it is, not this version any more
        return False


def _steps() -> list[Step]:
    """What each page shows first, in the order of the navigation (the pages' defaults: no filter,
    median cuts, the latest quarter, quarterly cohorts with the first cohort as
    ``cohort_views.first_cohort`` decides, the latest quarter's account lists), then the Overview's
    sums by group of accounts that its filters add up (``overview_views.group_sums``), the quadrant
    views and maps of the earlier quarters, latest first, the clusters of the latest quarter and the
    play-through."""
    data = state.data_version()
    observed = state.quarters()
    if not observed:
        return []
    latest, before = observed[-1], observed[:-1]
    every, cut, currency = (), "median", state.currency()
    play_key = state.playbook_key()
    book, weights = state.playbook(play_key), state.workspace().playbook_weights()

    def deck() -> object:
        if isinstance(book, str):
            return None
        fitted = book.with_saved_weights(weights)[0]
        return workshop_views.deck(
            data, workshop_views.book_key(play_key, weights), "platform", currency, i18n.language(), fitted
        )

    def quadrant_map(quarter: str, earlier: list[str]) -> None:
        compared = earlier[-1] if earlier else None
        flow = quadrant_views.migration(every, compared, quarter, cut, None) if compared else None
        moved = quadrant_views.map_movers(flow)  # the migration first: the map rings its movers
        quadrant_views.quarter(every, quarter, cut, None, True, moved)
        quadrant_views.ties(quarter, cut, None)
        if not isinstance(book, str):
            quadrant_views.map_figure(
                i18n.language(),
                data,
                every,
                quarter,
                cut,
                None,
                True,
                "quadrant",
                None,
                play_key,
                compared,
                (),
                currency,
            )

    steps: list[Step] = [
        (N_("the quarter KPIs"), lifecycle_views.kpis),
        (N_("the revenue bridge"), lambda: overview_views.bridge(every, "platform_revenue")),
        (N_("the B-side revenue bridge"), lambda: overview_views.bridge(every, "b_side_revenue")),
        (N_("the lifecycle signals"), lifecycle_views.metrics),
        (N_("the quadrant filters"), quadrant_views.filter_options),
        (N_("the quadrant map and the migration"), lambda: quadrant_map(latest, before)),
        (N_("the quadrant mix"), lambda: quadrant_views.summary(every, cut, None, (latest,))),
        (N_("the cohort filters"), cohort_views.filter_options),
        (N_("the first cohort's default"), cohort_views.first_cohort),
        (N_("the retention triangle"), lambda: cohort_views.matrix(every, _leave_out(), "quarter", "logo", "initial")),
        (N_("the revenue retention"), lambda: cohort_views.matrix(every, _leave_out(), "quarter", "nrr", "initial")),
        (N_("the survival curve"), lambda: cohort_views.survival(every, _leave_out(), "quarter", None)),
        (N_("the renewal projection"), lambda: cohort_views.projection(every, _leave_out(), "quarter", None, 20)),
        (N_("the renewals by contract"), lambda: cohort_views.renewals(every)),
        (N_("the account lists"), lambda: account_views.lists(every, latest)),
        (N_("the scenario base"), lambda: scenario_views.base(data)),
        (N_("the back-test"), lambda: scenario_views.backtest(data)),
        (N_("the workshop deck"), deck),
    ]
    steps.append((FILTER_SUMS, overview_views.group_sums))
    for i in range(len(before) - 1, -1, -1):
        quarter, earlier = before[i], before[:i]

        def views_of(quarter: str = quarter, earlier: list[str] = earlier) -> None:
            quadrant_map(quarter, earlier)
            quadrant_views.summary(every, cut, None, (quarter,))

        steps.append((f"{EARLIER_QUARTERS} {quarter}", views_of))
    steps.append((f"{CLUSTERS} {latest}", lambda: quadrant_views.segmentation(every, latest, cut, None)))
    if before and not isinstance(book, str):
        observed_quarters = tuple(observed)
        steps.append(
            (
                PLAY_THROUGH,
                lambda: quadrant_views.play_through(
                    i18n.language(), data, every, observed_quarters, cut, None, play_key, currency
                ),
            )
        )
    return steps


def sidebar_status() -> None:
    """Start preparing this data version's views; while they are, a line in the sidebar says which."""
    progress = start()
    if progress.current:
        st.caption(
            _("Preparing {step} in the background ({number} of {total})…").format(
                step=step_text(progress.current), number=progress.done + 1, total=len(progress.steps)
            )
        )


def step_text(label: str) -> str:
    """A step's label in the run's language: ``the quadrants of 2025Q3`` → ``2025年第3季度的象限``."""
    for start, text in OF_A_QUARTER.items():
        if label.startswith(start + " "):
            return _(text).format(quarter=quarter_text(label[len(start) + 1 :]))
    return _(label)


def _leave_out() -> bool:
    """The cohort page's default for the first cohort."""
    return cohort_views.first_cohort().leave_out
