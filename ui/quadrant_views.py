"""The quadrant page's computations: reductions the workspace's engine runs once per data version
and choice (``state.reduced``), so the panel never comes into the server's memory.

The selection (filters) is a tuple of (column, values) pairs so that it can be a cache key; the
cut rule is a tuple too (see ``b2b_core.quadrants.assign``). Cut points are those of the whole
quarter; the selection only chooses the accounts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import ibis.expr.types as ir
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from b2b_core import account_search, charts, engine, exports, i18n, quadrants
from b2b_core.amounts import Currency
from b2b_core.headers import headed
from b2b_core.i18n import N_, _
from b2b_core.playbook import Playbook
from b2b_core.quadrants.assign import largest_first
from b2b_core.quarters import quarter_text
from ui import language, state
from ui.filters import Selection

FILTER_COLUMNS = ("segment", "region", "tier", "owner")


def _chosen(live: ir.Table, selection: Selection) -> pd.Index | None:
    return quadrants.accounts_matching(live, dict(selection))


def _filter_options(live: ir.Table) -> dict[str, list[str]]:
    present = [c for c in FILTER_COLUMNS if c in live.columns]
    options = {}
    for column in present:
        values = engine.run(live.filter(live[column].notnull()).select(value=live[column].cast("string")).distinct())
        if len(values):
            options[column] = sorted(values["value"])
    return options


def filter_options() -> dict[str, list[str]]:
    """Per filter column present in the data, its values."""
    return state.reduced(_filter_options)


def _quarter(live: ir.Table, selection: Selection, quarter: str, cut, by, log_axes: bool, keep: tuple[str, ...]):
    chosen = _chosen(live, selection)
    kept = pd.Index(keep) if keep else None
    return quadrants.quarter_view(live, quarter, cut, by, chosen, keep=kept, log_axes=log_axes)


def quarter(
    selection: Selection, quarter: str, cut, by: str | None, log_axes: bool = True, keep: tuple[str, ...] = ()
) -> quadrants.QuarterView:
    """``quarter_view`` of the selection in ``quarter``: counts of every state and the accounts
    drawn, which include those of ``keep`` (account ids) when the map draws a sample."""
    return state.reduced(_quarter, selection, quarter, cut, by, log_axes, keep)


MOVERS_ON_MAP = 50  # the largest quadrant changes ringed on the map (a ring is a marker more to draw)


def map_movers(flow: quadrants.Migration | None) -> tuple[str, ...]:
    """Ids of the ``MOVERS_ON_MAP`` accounts of ``flow`` (a ``migration``) whose platform revenue
    changed most among those that changed quadrant (none without a migration). An account whose
    platform revenue did not change is not among them: with every change 0 (a platform that takes
    nothing) none is ringed, rather than 100 chosen by id."""
    if flow is None:
        return ()
    movers = flow.quadrant_movers
    changed = movers[movers["platform_revenue_change"].fillna(0) != 0]
    return tuple(changed["account_id"].head(MOVERS_ON_MAP).astype(str))


def find(text: str) -> account_search.Search:
    """``find_accounts`` of what was typed in the map's search box (every quarter, every account),
    computed once per list of terms: texts that differ only in separators, blanks or repeats
    share one search."""
    terms, ignored = account_search.search_terms(text)
    return dataclasses.replace(state.reduced(account_search.find_accounts, "\n".join(terms)), ignored=ignored)


def ties(quarter: str, cut, by: str | None) -> pd.DataFrame:
    """``cut_ties`` of ``quarter``: the material ties of its cut points, over all its accounts
    (the filters choose whom to show, not where the lines are)."""
    return state.reduced(quadrants.cut_ties, quarter, cut, by)


def _found_rows(live: ir.Table, selection: Selection, quarter: str, cut, by, found: tuple[str, ...]) -> pd.DataFrame:
    ids = pd.Index(found, dtype=object)
    rows = quadrants.assign_quadrants(live, quarter, cut, by, ids)
    inside = _chosen(live.semi_join(engine.ids(ids), "account_id"), selection)
    return rows.assign(in_selection=rows["account_id"].isin(inside) if inside is not None else True)


def found_rows(selection: Selection, quarter: str, cut, by: str | None, found: tuple[str, ...]) -> pd.DataFrame:
    """``assign_quadrants`` rows in ``quarter`` of the accounts of ``found`` (ids) that have one,
    placed by the whole quarter's cut points, with ``in_selection`` (whether the filters show the
    account). A small query of its own: a search does not draw the quarter's sample again."""
    return state.reduced(_found_rows, selection, quarter, cut, by, found)


def _accounts_csv(live: ir.Table, selection: Selection, quarter: str, cut, by, playbook: Playbook) -> bytes:
    _, parts = quadrants.assign_quadrants_in_parts(
        live, quarter, cut, by, _chosen(live, selection), limit=exports.CSV_ROW_LIMIT
    )
    return exports.csv_from_parts(headed(playbook.named(part)) for part in parts)


def in_language(build: Callable[[], bytes]) -> Callable[[], bytes]:
    """``build`` run in this run's language whenever it is called: a download built on click runs
    outside the page's run, where no language is set (its headers and states are the session's)."""
    lang = i18n.language()

    def built() -> bytes:
        with i18n.use(lang):
            return build()

    return built


def accounts_csv(selection: Selection, quarter: str, cut, by: str | None, playbook: Playbook) -> bytes:
    """Every account of the selection in ``quarter`` with its quadrant (``playbook.named``), as CSV
    (built on click, a part at a time); beyond ``exports.CSV_ROW_LIMIT`` accounts, that many with
    the largest platform revenue."""
    return state.panel().reduce(lambda live: _accounts_csv(live, selection, quarter, cut, by, playbook))


def _migration(live: ir.Table, selection: Selection, from_quarter: str, to_quarter: str, cut, by, shown):
    return quadrants.quadrant_migration(live, from_quarter, to_quarter, cut, by, _chosen(live, selection), shown)


def migration(selection: Selection, from_quarter: str, to_quarter: str, cut, by: str | None) -> quadrants.Migration:
    """``quadrant_migration`` of the selection, with the ``MOVERS_SHOWN`` largest movers."""
    return state.reduced(_migration, selection, from_quarter, to_quarter, cut, by, quadrants.MOVERS_SHOWN)


def movers_csv(
    selection: Selection, from_quarter: str, to_quarter: str, cut, by: str | None, playbook: Playbook
) -> bytes:
    """Every mover of the selection, largest change first, their states ``playbook.named``, as CSV
    (built on click); beyond ``exports.CSV_ROW_LIMIT`` movers, that many."""
    reduce = state.panel().reduce
    limit = exports.CSV_ROW_LIMIT
    flow = reduce(lambda live: _migration(live, selection, from_quarter, to_quarter, cut, by, limit))
    return exports.csv_bytes(headed(playbook.named(flow.movers)), index=False)


def _summary(live: ir.Table, selection: Selection, cut, by, quarters: tuple[str, ...]) -> pd.DataFrame:
    return quadrants.quadrant_summary(live, cut, by, list(quarters), _chosen(live, selection))


def summary(selection: Selection, cut, by: str | None, quarters: tuple[str, ...]) -> pd.DataFrame:
    """``quadrant_summary`` of the selection in ``quarters``."""
    return state.reduced(_summary, selection, cut, by, quarters)


def mix(selection: Selection, cut, by: str | None, quarters: tuple[str, ...]) -> pd.DataFrame:
    """``quadrant_summary`` of the selection in ``quarters``, put together from each quarter's own
    (each quarter is cut by its own points, so the parts are the whole): the quarters' summaries
    are those the map's quarter slider shows, often computed already."""
    return pd.concat([summary(selection, cut, by, (quarter,)) for quarter in quarters])


@i18n.worded  # each cluster described in words
def _segmentation(live: ir.Table, selection: Selection, quarter: str, cut, by):
    try:
        return quadrants.segment_accounts(live, quarter, cut, by, _chosen(live, selection))
    except ValueError as exc:
        return str(exc)


def segmentation(selection: Selection, quarter: str, cut, by: str | None):
    """``segment_accounts`` of the selection, or the reason it cannot run (text)."""
    return state.reduced(_segmentation, selection, quarter, cut, by)


def _clusters_of(live: ir.Table, clusters: quadrants.Segmentation, ids: pd.Series) -> pd.Series:
    rows = engine.run(quadrants.account_clusters(live, clusters, pd.Index(ids, dtype=object)))
    return rows.set_index("account_id")["cluster"]


def _clusters_csv(live: ir.Table, clusters: quadrants.Segmentation, playbook: Playbook) -> bytes:
    rows = largest_first(quadrants.account_clusters(live, clusters), clusters.placed, exports.CSV_ROW_LIMIT)
    return exports.csv_from_parts(headed(playbook.named(part)) for part in engine.run_in_parts(rows, 100_000))


def clusters_csv(selection: Selection, quarter: str, cut, by: str | None, playbook: Playbook) -> bytes:
    """The cluster of every placed account of the selection in ``quarter`` (with its quadrant,
    ``playbook.named``, and revenues), as CSV (built on click, a part at a time); beyond
    ``exports.CSV_ROW_LIMIT`` accounts, that many with the largest platform revenue."""
    clusters = segmentation(selection, quarter, cut, by)
    return state.panel().reduce(lambda live: _clusters_csv(live, clusters, playbook))


@st.cache_resource(show_spinner=False, max_entries=24)  # every quarter of a few years, ~1 MB each
def map_figure(
    lang: str,
    data: str,
    selection: Selection,
    quarter_shown: str,
    cut,
    by: str | None,
    log_axes: bool,
    colour_by: str,
    size_by: str | None,
    play_key: tuple[str, float],
    compare_with: str | None,
    found: tuple[str, ...],
    currency: Currency | None,
) -> go.Figure:
    """The quadrant map of ``quarter_shown`` (``colour_by="cluster"`` colours by ``segmentation``),
    the largest quadrant changes since ``compare_with`` ringed (``map_movers``), and the accounts
    of ``found`` (ids) that the filters show marked (``marked_rows``), its texts in ``lang``, its
    amounts' titles in ``currency``. A shared resource, not a copy per call: read it, never change
    it. ``data`` keys the cache, with every argument as it is passed (Streamlit hashes the arguments
    given, not the defaults): the page and the background preparation pass them all alike."""
    with i18n.use(lang):
        moved = map_movers(migration(selection, compare_with, quarter_shown, cut, by) if compare_with else None)
        view = quarter(selection, quarter_shown, cut, by, log_axes, moved)
        shown = view.drawn
        clusters = segmentation(selection, quarter_shown, cut, by) if colour_by == "cluster" else None
        if isinstance(clusters, quadrants.Segmentation):
            numbers = state.panel().reduce(lambda live: _clusters_of(live, clusters, shown["account_id"]))
            named = _("Cluster {number}")
            shown = shown.assign(
                cluster=shown["account_id"]
                .map(numbers)
                .map(lambda n: named.format(number=f"{n:.0f}"), na_action="ignore")
            )
        elif colour_by == "cluster":
            colour_by = "quadrant"  # no clusters (the page says why)
        return charts.quadrant_map(
            shown,
            state.playbook(play_key),
            log_axes=log_axes,
            colour_by=colour_by,
            size_by=size_by,
            take_rate=view.take_rate,
            cut_label=cut_label(cut),
            title=f"{quarter_text(quarter_shown)} · {_(charts.quadrants.CONVENTION)}"
            + (" · " + _("cut lines per {group}").format(group=_(GROUPS[by])) if by else "")
            + (
                " · "
                + _("showing {drawn} of {placed} accounts").format(drawn=f"{len(shown):,}", placed=f"{view.placed:,}")
                if view.sampled
                else ""
            ),
            density=view.density,
            ringed=pd.Index(moved),
            ringed_name=_("Changed quadrant since {quarter}: the {count} largest revenue changes").format(
                quarter=quarter_text(compare_with), count=len(moved)
            )
            if compare_with
            else "",
            found=marked_rows(selection, quarter_shown, cut, by, found),
            currency=currency,
        )


def marked_rows(selection: Selection, quarter: str, cut, by: str | None, found: tuple[str, ...]) -> pd.DataFrame | None:
    """The ``found_rows`` the map marks: placed in ``quarter`` and shown by the filters (None
    without a search)."""
    if not found:
        return None
    rows = found_rows(selection, quarter, cut, by, found)
    return rows[rows["quadrant"].isin(quadrants.PLACED) & rows["in_selection"]]


GROUPS = {"segment": N_("segment"), "region": N_("region"), "tier": N_("tier")}  # the groups cut within, in words


def sentences(*parts: str) -> str:
    """Sentences (or parts of one) one after the other, the empty ones left out: with a space
    between them in English, none in Chinese."""
    return ("" if i18n.language() == "zh" else " ").join(part for part in parts if part)


def cut_label(cut) -> str:
    """How a cut rule reads on the chart, in the run's language: ``median``, ``25th percentile``,
    ``fixed`` …"""
    if isinstance(cut, tuple):
        if cut[0] == "percentile":
            return _("{p}th percentile").format(p=f"{cut[1]:g}")
        return _(charts.quadrants.CUT_WORDS["fixed"])
    return _(charts.quadrants.CUT_WORDS[cut])


def _play_through(live: ir.Table, selection: Selection, observed: tuple[str, ...], cut, by):
    return quadrants.play_through_frames(live, list(observed), cut, by, _chosen(live, selection))


@language.cached(st.cache_resource, N_("Preparing the play-through…"), max_entries=4)
def play_through(
    lang: str,
    data: str,
    selection: Selection,
    observed: tuple[str, ...],
    cut,
    by: str | None,
    play_key: tuple[str, float],
    currency: Currency | None,
) -> go.Figure | None:
    """The animated quadrant map over every quarter with placed accounts (log axes), or None with
    fewer than two such quarters, its texts in ``lang``, its amounts' titles in ``currency``.
    ``data`` keys the cache."""
    with i18n.use(lang):
        frames, total = state.reduced(_play_through, selection, observed, cut, by)
        if len(frames) < 2:
            return None
        latest = quarter(selection, list(frames)[-1], cut, by)
        return charts.quadrant_play_through(
            frames,
            state.playbook(play_key),
            log_axes=True,
            take_rate=latest.take_rate,
            of_accounts=total,
            currency=currency,
        )
