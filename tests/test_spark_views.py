"""Every view the pages ask of the engine gives the same numbers on a Spark table as on DuckDB:
each reduction the UI hands to the engine (``state.reduced`` and ``Workspace.reduce`` in ui/*.py,
the workshop deck's ``report.build_deck`` included), on panels unlike the sample, read by a local
Spark session from Parquet, against the same reduction of the same panel in DuckDB, to 1e-9
relative. A new view is one line of ``VIEWS``."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path

import ibis.expr.types as ir
import pandas as pd
import pytest

from b2b_core import (
    account_search,
    accounts,
    cohorts,
    engine,
    exports,
    overview,
    playbook,
    quadrants,
    report,
)
from tests import panels, spark_panels
from tests.same import FITTED_RTOL, RTOL, assert_same
from ui import account_views, cohort_views, lifecycle_views, overview_views, quadrant_views, scenario_views

pytestmark = [pytest.mark.spark]

BOOK = playbook.load_playbook()
CHOSEN = (("segment", ("Retail", "Health")), ("tier", ("long-tail", "mid")))  # a selection of the filters
NAMES = tuple(BOOK.labels().items())


@dataclasses.dataclass
class Live:
    """One panel as the views read it: its table in DuckDB and on Spark, and its quarters."""

    duckdb: ir.Table
    spark: ir.Table
    observed: tuple[str, ...]

    @property
    def latest(self) -> str:
        return self.observed[-1]

    @property
    def before(self) -> str:
        return self.observed[-2]

    @functools.cached_property
    def measured(self) -> report.Measured:
        """What the workshop page gives the deck from the other pages' caches (``workshop_views.deck``),
        measured by DuckDB: the deck asks the engine for the rest."""
        panel, observed = self.duckdb, self.observed
        kpis = overview.quarter_kpis(panel)
        leave_out = cohorts.first_cohort_choice(panel).leave_out
        base = scenario_views._base(panel)
        return report.Measured(
            kpis=kpis,
            bridge=overview_views._bridge(panel, (), "platform_revenue", None, observed),
            metrics=lifecycle_views._company_metrics(panel, kpis),
            base=None if isinstance(base, str) else base,
            mix=quadrant_views._summary(panel, (), "median", None, (self.latest,)),
            migration=quadrant_views._migration(
                panel, (), self.before, self.latest, "median", None, quadrants.MOVERS_SHOWN
            ),
            logo=cohort_views._cohort_matrix(panel, (), leave_out, "quarter", "logo", "initial", observed),
            nrr=cohort_views._cohort_matrix(panel, (), leave_out, "quarter", "nrr", "initial", observed),
            lifetimes=cohort_views._count_lifetimes(panel, (), leave_out, "quarter", None, observed),
        )


def _live(panel: pd.DataFrame, folder: Path) -> Live:
    return Live(engine.table(panel), spark_panels.spark_table(panel, folder), tuple(sorted(panel["quarter"].unique())))


@pytest.fixture(scope="module")
def returning(tmp_path_factory) -> Live:
    """Accounts that leave and return (every third one inactive every other quarter), and a
    quarter missing from the data."""
    panel = panels.returning()
    return _live(panel[panel["quarter"] != "2025Q2"].reset_index(drop=True), tmp_path_factory.mktemp("returning"))


@pytest.fixture(scope="module")
def no_b_side(tmp_path_factory) -> Live:
    """No B-side revenue reported at all: every number read from it is NULL in the engine."""
    return _live(panels.no_b_side(), tmp_path_factory.mktemp("no_b_side"))


def _segmentation(table: ir.Table, live: Live) -> tuple:
    """The clusters of the selection, then those of a few accounts and the download of all, as
    the quadrant map's colouring and its download ask for them."""
    clusters = quadrant_views._segmentation(table, CHOSEN, live.latest, "median", None)
    if isinstance(clusters, str):
        return (clusters,)
    shown = pd.Series(["M000003", "M000010", "M000200"])
    return (
        clusters,
        quadrant_views._clusters_of(table, clusters, shown),
        quadrant_views._clusters_csv(table, clusters, BOOK),
    )


# view name → the reduction as a page asks it of the engine: (table, Live) → result
VIEWS: dict[str, Callable[[ir.Table, Live], object]] = {
    # Overview and Lifecycle
    "quarter_kpis": lambda t, live: overview.quarter_kpis(t),
    "group_sums": lambda t, live: overview.group_sums(t, live.observed),
    "chosen_kpis": lambda t, live: overview_views._kpis(t, CHOSEN),
    "bridge": lambda t, live: overview_views._bridge(t, (), "platform_revenue", None, live.observed),
    "bridge_by_segment": lambda t, live: overview_views._bridge(t, CHOSEN, "b_side_revenue", "segment", live.observed),
    "company_metrics": lambda t, live: lifecycle_views._company_metrics(t, overview.quarter_kpis(live.duckdb)),
    # Quadrants
    "filter_options": lambda t, live: quadrant_views._filter_options(t),
    "quarter_view": lambda t, live: quadrant_views._quarter(t, CHOSEN, live.latest, "median", "segment", True, ()),
    "quarter_view_sampled": lambda t, live: quadrants.quarter_view(
        t, live.latest, ("percentile", 40), keep=pd.Index(["M000007"]), log_axes=False, max_points=60
    ),
    "find_accounts": lambda t, live: account_search.find_accounts(t, "m000003\nbakery\nnobody"),
    "cut_ties": lambda t, live: quadrants.cut_ties(t, live.latest, "median", "segment"),
    "found_rows": lambda t, live: quadrant_views._found_rows(
        t, CHOSEN, live.latest, "median", None, ("M000003", "M000010", "nobody")
    ),
    "accounts_csv": lambda t, live: quadrant_views._accounts_csv(t, CHOSEN, live.latest, "median", "tier", BOOK),
    "migration": lambda t, live: quadrant_views._migration(
        t, CHOSEN, live.observed[0], live.latest, ("percentile", 60), "segment", 25
    ),
    "summary": lambda t, live: quadrant_views._summary(t, (), "median", None, live.observed),
    "summary_by_segment": lambda t, live: quadrant_views._summary(t, CHOSEN, "mean", "segment", (live.latest,)),
    "segmentation": _segmentation,
    "play_through": lambda t, live: quadrant_views._play_through(t, CHOSEN, live.observed, "median", None),
    "play_through_drawn": lambda t, live: quadrants.play_through_frames(t, list(live.observed[-3:]), max_accounts=40),
    # Accounts
    "account_lists": lambda t, live: account_views._lists(t, CHOSEN, live.latest, NAMES),
    "renewal_calendar": lambda t, live: account_views._calendar(t, CHOSEN, live.before),
    "account_history": lambda t, live: accounts.account_history(t, "M000003"),
    "account_list_file": lambda t, live: account_views._list_parts(
        t, (), live.latest, accounts.AT_RISK, exports.csv_from_parts
    ),
    "renewals_file": lambda t, live: account_views._renewal_parts(t, CHOSEN, live.before, exports.csv_from_parts),
    # Cohorts
    "first_cohort": lambda t, live: cohorts.first_cohort_choice(t),
    "signup_values": lambda t, live: cohorts.signup_values(t, list(cohort_views.FILTER_COLUMNS)),
    "lifetimes": lambda t, live: cohort_views._count_lifetimes(t, CHOSEN, True, "quarter", "tier", live.observed),
    "lifetimes_by_year": lambda t, live: cohort_views._count_lifetimes(t, (), False, "year", None, live.observed),
    "kaplan_meier": lambda t, live: cohorts.kaplan_meier(t, "tier"),
    "survivors": lambda t, live: cohorts.cohort_survivors(t),
    "logo_matrix": lambda t, live: cohort_views._cohort_matrix(
        t, (), True, "quarter", "logo", "initial", live.observed
    ),
    "nrr_matrix": lambda t, live: cohort_views._cohort_matrix(
        t, CHOSEN, False, "quarter", "nrr", "previous", live.observed
    ),
    "grr_matrix_by_year": lambda t, live: cohort_views._cohort_matrix(
        t, (), False, "year", "grr", "count", live.observed
    ),
    "renewals": lambda t, live: cohort_views._renewals(t, CHOSEN, live.observed),
    # Scenario lab and workshop
    "scenario_base": lambda t, live: scenario_views._base(t),
    "backtest": lambda t, live: scenario_views._backtest(t),
    "deck": lambda t, live: report.build_deck(t, BOOK, observed=live.observed, measured=live.measured),
}
READ_B_SIDE = [  # the views whose numbers B-side revenue enters
    "quarter_kpis",
    "bridge_by_segment",
    "company_metrics",
    "quarter_view",
    "summary",
    "migration",
    "segmentation",
    "scenario_base",
    "deck",
]


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_gives_the_same_numbers_on_spark_as_on_duckdb(returning, view):
    rtol = FITTED_RTOL if view == "backtest" else RTOL
    assert_same(VIEWS[view](returning.spark, returning), VIEWS[view](returning.duckdb, returning), view, rtol)


@pytest.mark.parametrize("view", READ_B_SIDE)
def test_without_b_side_revenue_the_views_give_the_same_numbers_on_spark(no_b_side, view):
    assert_same(VIEWS[view](no_b_side.spark, no_b_side), VIEWS[view](no_b_side.duckdb, no_b_side), view)
