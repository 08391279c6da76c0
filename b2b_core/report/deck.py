"""The workshop deck: one slide per message, each with a headline computed from the data, the big
numbers behind it, one figure, the figure's data as a table, and speaker notes.

The builders take what the views compute (so a page can feed them from its caches);
``build_deck`` computes everything from the panel, for the export and the tests.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from b2b_core import charts, cohorts, engine, lifecycle, overview, quadrants, quarters, scenarios
from b2b_core.amounts import Currency, account_count, amount_title, change, count, money, ratio, share
from b2b_core.charts.style import for_projector
from b2b_core.i18n import N_, _
from b2b_core.playbook import Playbook, rule_name
from b2b_core.quarters import quarter_text, span_label
from b2b_core.report import headlines

SLIDE_TITLES = {  # English, marked for the catalog: ``_(SLIDE_TITLES[key])`` where shown
    "overview": N_("Where we stand"),
    "bridge": N_("Where revenue came from and went"),
    "stage": N_("Stage and priorities"),
    "quadrants": N_("Revenue quadrants"),
    "migration": N_("Who moved"),
    "cohorts": N_("How cohorts renew"),
    "scenarios": N_("What if"),
    "plan": N_("Plan vs actual"),
}
# Slides of words alone that open a deck, set by the facilitator (``title_slide``, ``agenda_slide``)
FRAMING_TITLES = {"title": N_("Title"), "agenda": N_("Agenda")}
AGENDA_HEADLINE = N_("What we will look at")
HORIZON = 8  # quarters the scenario slide projects
PROJECTED_AGE = 12  # quarters: the age the cohort slide's headline projects to (three years)
PROJECTED_PAST_DATA = 4  # quarters the cohort slide draws past the oldest cohort's last age


@dataclass(frozen=True)
class Fact:
    """A big number on a slide: ``label``, its ``value`` as shown, and its change as shown (or None)."""

    label: str
    value: str
    change: str | None = None


@dataclass(frozen=True)
class Slide:
    """One slide: ``key`` (of ``SLIDE_TITLES`` or ``FRAMING_TITLES``), ``title`` (in the language
    the deck was built in, as every text of the slide), the ``headline``, the ``facts``
    shown large, the ``figure`` (in the projector look, ``charts.style.for_projector``; None on a
    slide of words alone, such as the title or the agenda) and its ``data`` (the numbers drawn,
    for CSV), and ``notes`` for the speaker. ``suggested`` is the headline computed from the data
    when the facilitator wrote their own (None while the computed one is shown)."""

    key: str
    title: str
    headline: str
    facts: tuple[Fact, ...]
    figure: go.Figure | None
    data: pd.DataFrame
    notes: tuple[str, ...]
    suggested: str | None = None


@dataclass(frozen=True)
class Deck:
    """The slides that the data can carry, in ``SLIDE_TITLES`` order, and for each slide that
    they cannot, the reason (``missing``: key → text)."""

    slides: dict[str, Slide]
    missing: dict[str, str]


def title_slide(name: str, date: dt.date, company: str = "") -> Slide:
    """The deck's first slide: the workshop's ``name`` as the headline, its ``date`` (ISO) and the
    ``company`` (left out when empty) as facts, no figure."""
    facts = (Fact(_("Date"), date.isoformat()), *((Fact(_("Company"), company),) if company else ()))
    data = pd.DataFrame(
        {_("value"): [name, date.isoformat(), company]}, index=pd.Index([_("name"), _("date"), _("company")])
    )
    notes = (_("Welcome the room; say what the workshop is for and what it should decide."),)
    return Slide("title", _(FRAMING_TITLES["title"]), name, facts, None, data.rename_axis(_("field")), notes)


def agenda_slide(slides: Sequence[Slide], first: int = 1) -> Slide:
    """The agenda of ``slides`` (those that follow it, in the order shown): one fact per slide,
    labelled with its number in the deck (``first`` for the first of them), its title as the
    value; the data list their titles and headlines; no figure."""
    facts = tuple(Fact(str(position), slide.title) for position, slide in enumerate(slides, start=first))
    data = pd.DataFrame(
        {_("title"): [s.title for s in slides], _("headline"): [s.headline for s in slides]},
        index=pd.RangeIndex(first, first + len(slides), name=_("slide")),
    )
    notes = (_("{n} slide(s) follow, each with one message computed from the data.").format(n=len(slides)),)
    return Slide("agenda", _(FRAMING_TITLES["agenda"]), _(AGENDA_HEADLINE), facts, None, data, notes)


def with_headlines(slides: Sequence[Slide], edited: Mapping[str, str]) -> list[Slide]:
    """``slides`` with the headlines a facilitator wrote (``edited``: slide key → text) in place of
    the computed ones, which each such slide keeps as ``suggested``; a slide whose edited text is
    its computed headline, or that has none, is left as it is."""
    return [
        replace(slide, headline=edited[slide.key], suggested=slide.headline)
        if edited.get(slide.key, slide.headline) != slide.headline
        else slide
        for slide in slides
    ]


def overview_slide(kpis: pd.DataFrame, currency: Currency | None = None) -> Slide:
    """The latest quarter's KPIs against the quarter before, and their trend (``quarter_kpis``);
    amounts in ``currency``."""
    latest, _before, found = overview.headlines(kpis)
    by_name = {h.name: h for h in found}
    shown = {
        "active_accounts": (_("Active accounts"), count, lambda h: change(h.change, "count")),
        "platform_revenue": (
            _("Platform revenue"),
            lambda value: money(value, currency),
            lambda h: change(h.relative_change, "relative"),
        ),
        "take_rate": (_("Take rate"), share, lambda h: change(h.change, "points")),
        "new_accounts": (_("New accounts"), count, lambda h: change(h.change, "count")),
    }
    facts = tuple(
        Fact(label, show(by_name[name].value), delta(by_name[name]))
        for name, (label, show, delta) in shown.items()
        if not (name == "take_rate" and pd.isna(by_name[name].value))
    )
    headline, notes = headlines.overview_words(kpis, currency)
    figure = for_projector(charts.kpi_trend(kpis, currency))
    return Slide("overview", _(SLIDE_TITLES["overview"]), headline, facts, figure, kpis, notes)


def bridge_slide(
    bridge: pd.DataFrame, quarter: str, observed: Sequence[str], currency: Currency | None = None
) -> Slide:
    """``quarter``'s platform revenue bridge as a waterfall, with what was gained, lost and the
    quick ratio (``revenue_bridge`` over the quarters ``observed``, ``quick_ratio``); the slide's
    data are the bridge of every quarter with its quick ratio; amounts in ``currency``. ValueError saying why when the
    bridge has nothing to show."""
    if quarter not in bridge.index:
        raise ValueError(overview.why_no_bridge(quarter, observed))
    row = bridge.loc[quarter]
    if row["start"] == 0 and row["end"] == 0:
        raise ValueError(
            _("no account had platform revenue in {before} or {quarter}").format(
                before=quarter_text(quarters.shift(quarter, -1)), quarter=quarter_text(quarter)
            )
        )
    ratios = overview.quick_ratio(bridge)
    headline, notes = headlines.bridge_words(row, quarter, ratios.loc[quarter], currency)
    gained, lost = overview.gained_and_lost(row)
    facts = (
        Fact(_("Gained: new, reactivated, expansion"), money(gained, currency)),
        Fact(_("Lost: contraction, churned"), money(lost, currency)),
        Fact(_("Quick ratio"), ratio(ratios.loc[quarter])),
    )
    figure = for_projector(charts.revenue_bridge_waterfall(row, quarter, currency=currency))
    data = bridge.astype(float).assign(quick_ratio=ratios)
    return Slide("bridge", _(SLIDE_TITLES["bridge"]), headline, facts, figure, data, notes)


def stage_slide(metrics: pd.DataFrame, playbook: Playbook, business_model: str) -> Slide:
    """The stage the data show (default thresholds) and the levers ranked for it
    (``company_metrics`` → ``detect_stage`` → ``prioritize``)."""
    current = lifecycle.detect_stage(metrics)[-1]
    ranked = lifecycle.prioritize(metrics, current.assumes, business_model, playbook)
    headline, notes = headlines.stage_words(current, ranked, playbook)
    facts = (
        Fact(_("Stage"), current.name),
        *(
            Fact(
                _("Priority {rank}").format(rank=row["rank"]),
                str(row["name"]),
                _("score {score}").format(score=f"{row['score']:.1f}"),
            )
            for _key, row in ranked.head(3).iterrows()
        ),
    )
    rule_names = {rule.id: rule_name(rule.id) for rule in playbook.rules}
    figure = for_projector(charts.lever_scores(ranked, rule_names))
    return Slide("stage", _(SLIDE_TITLES["stage"]), headline, facts, figure, ranked, notes)


def quadrant_slide(
    view: quadrants.QuarterView, mix: pd.DataFrame, playbook: Playbook, currency: Currency | None = None
) -> Slide:
    """The quadrant map of a ``quarter_view`` (median cuts, log axes; the accounts it draws, over
    the density of all when sampled) and the quarter's mix (the ``quadrant_summary`` rows of the
    quarter, index the quadrant keys, and at the cut). The slide's data are the accounts drawn, their
    quadrants as ``Playbook.named`` writes them; the accounts at the cut are a fact of their own when
    there are any. The map's axes name ``currency``'s code."""
    quarter = view.quarter
    headline, notes = headlines.quadrant_words(mix, quarter, playbook)
    facts = tuple(
        Fact(
            playbook.label(q) if q in quadrants.QUADRANTS else _("At the cut"),
            account_count(mix.loc[q, "accounts"]),
            _("{share} of platform revenue").format(share=share(mix.loc[q, "platform_revenue_share"])),
        )
        for q in quadrants.PLACED
        if q in quadrants.QUADRANTS or (q in mix.index and mix.loc[q, "accounts"] > 0)
    )
    figure = charts.quadrant_map(
        view.drawn,
        playbook,
        log_axes=True,
        take_rate=view.take_rate,
        cut_label=_("median"),
        title=quarter_text(quarter)
        + (
            _(" · showing {drawn} of {placed} accounts").format(drawn=count(len(view.drawn)), placed=count(view.placed))
            if view.sampled
            else ""
        ),
        density=view.density,
        label_band=charts.quadrants.PROJECTED_LABEL_BAND,
        currency=currency,
    )
    named = {playbook.label(q) for q in quadrants.QUADRANTS}  # their bands name them, in their colours
    figure = for_projector(figure).update_traces(showlegend=False, selector=lambda trace: trace.name in named)
    return Slide("quadrants", _(SLIDE_TITLES["quadrants"]), headline, facts, figure, playbook.named(view.drawn), notes)


def migration_slide(flow: quadrants.Migration, playbook: Playbook, currency: Currency | None = None) -> Slide:
    """Where accounts went between the two quarters of ``flow`` (``quadrant_migration``); amounts
    in ``currency``. The slide's data are the migration matrix, its states as ``Playbook.named``
    writes them."""
    headline, notes = headlines.migration_words(flow, playbook, currency=currency)
    matrix = flow.matrix
    moved = int(
        matrix.loc[list(quadrants.QUADRANTS), list(quadrants.QUADRANTS)].to_numpy().sum()
        - sum(matrix.loc[q, q] for q in quadrants.QUADRANTS)
    )
    facts = (
        Fact(_("Changed quadrant since {quarter}").format(quarter=quarter_text(flow.from_quarter)), count(moved)),
        Fact(_("New accounts"), count(matrix.loc[quadrants.NEW].sum())),
        Fact(_("Churned"), count(matrix[quadrants.CHURNED].sum())),
    )
    figure = for_projector(charts.migration_sankey(matrix, playbook, flow.from_quarter, flow.to_quarter))
    return Slide("migration", _(SLIDE_TITLES["migration"]), headline, facts, figure, playbook.named(matrix), notes)


def cohort_slide(
    logo: pd.DataFrame,
    nrr: pd.DataFrame,
    survival: pd.DataFrame,
    fitted: tuple[cohorts.ShiftedBetaGeometric, pd.DataFrame] | None,
) -> Slide:
    """Logo retention by cohort under the pooled survival and its sBG projection.

    ``logo`` / ``nrr``: ``cohort_matrix`` tables (quarters, % of initial); ``survival``:
    ``kaplan_meier`` (quarters); ``fitted``: (model, ``holdout_check`` frame to at least age
    ``PROJECTED_AGE``) or None when no cohort was observed for two quarters."""
    model, check = fitted if fitted else (None, None)
    expected = model.headline_lifetime() if model is not None else None
    headline, notes = headlines.cohort_words(
        survival["survival"], nrr.loc[cohorts.AVERAGE], check, expected, ahead=PROJECTED_AGE
    )
    km = survival["survival"]
    age = headlines.survival_age(km)
    facts = (
        Fact(_("Accounts in these cohorts"), count(logo.loc[cohorts.AVERAGE, "accounts"])),
        Fact(_("Survival after {age} quarters (Kaplan–Meier)").format(age=age), share(km.loc[age])),
        *((Fact(headlines.lifetime_label(expected[1]), f"{expected[0]:.1f}"),) if expected is not None else ()),
    )
    ages = [c for c in logo.columns if isinstance(c, (int, np.integer))]
    by_cohort = logo.loc[logo.index != cohorts.AVERAGE, ages].T.rename(columns=lambda c: _("cohort {c}").format(c=c))
    if check is None:
        figure = charts.cohort_curves(
            logo,
            cohorts.AVERAGE,
            _("{observed} (% of signup quarter)").format(observed=_(cohorts.OBSERVED_SHARE)),
        )
        data = logo[ages].T
    else:
        figure = charts.cohort_projection(logo, cohorts.AVERAGE, check)
        data = check.join(by_cohort, how="left")
    figure = for_projector(figure)
    return Slide("cohorts", _(SLIDE_TITLES["cohorts"]), headline, facts, figure, data.rename_axis(_("age")), notes)


def scenario_slide(
    base: scenarios.Base,
    shown: Sequence[scenarios.Scenario],
    horizon: int = HORIZON,
    currency: Currency | None = None,
) -> Slide:
    """The base and ``shown`` scenarios projected ``horizon`` quarters, platform revenue with
    bands (``project``), and the comparison table (``compare``); the notes say where the base's
    assumptions come from (``headlines.base_words``). Amounts in ``currency``."""
    table = scenarios.compare(base, list(shown), horizon)
    projections = {scenarios.BASE_NAME: scenarios.project(base, scenarios.BASE, horizon)}
    projections |= {s.name: scenarios.project(base, s, horizon) for s in shown}
    first, last = projections[scenarios.BASE_NAME].index[0], projections[scenarios.BASE_NAME].index[-1]
    headline, notes = headlines.scenario_words(table, first, last, headlines.base_words(base), currency)
    facts = tuple(
        Fact(
            _("{name} · platform revenue {span}").format(
                name=scenarios.shown_name(name), span=span_label([first, last])
            ),
            money(row["platform_revenue_total"], currency),
            None if name == scenarios.BASE_NAME else change(row["platform_revenue_total_vs_base_pct"], "relative"),
        )
        for name, row in table.iterrows()
    )
    figure = for_projector(
        charts.scenario_projection(
            base.history,
            {scenarios.shown_name(name): frame for name, frame in projections.items()},
            "platform_revenue",
            amount_title(_("Platform revenue"), currency),
            scenarios.BAND,
        )
    )
    return Slide("scenarios", _(SLIDE_TITLES["scenarios"]), headline, facts, figure, table, notes)


def plan_slide(
    kept: Mapping[str, scenarios.KeptProjection], kpis: pd.DataFrame, currency: Currency | None = None
) -> Slide:
    """Saved scenarios' kept projections (name → ``KeptProjection``, in the order chosen) against
    the actual quarters (``quarter_kpis``): active accounts planned with their band and actual
    (``plan_vs_actual``), for the scenarios with at least one planned quarter in the data. The
    slide's data are their comparison tables, one after the other. ValueError saying why when
    no scenario has such a quarter. Amounts in ``currency``."""
    checks = {name: (k, scenarios.plan_vs_actual(k, kpis)) for name, k in kept.items()}
    compared = {name: pair for name, pair in checks.items() if pair[1].compared}
    waiting = {name: k for name, (k, check) in checks.items() if not check.compared}
    if not compared:
        raise ValueError(
            _("no saved scenario keeps a projection: save one in the Scenario lab")
            if not kept
            else _("no kept projection reaches a quarter in the data yet ({waiting})").format(
                waiting=_("; ").join(f"{name}: {scenarios.waiting_text(k)}" for name, k in waiting.items())
            )
        )
    headline, notes = headlines.plan_words(compared, waiting, currency)
    facts = []
    for name, (_kept, check) in compared.items():
        row, quarter = check.table.iloc[-1], check.table.index[-1]
        facts.append(
            Fact(
                _("{name} · active accounts {quarter} (plan {planned})").format(
                    name=name, quarter=quarter_text(quarter), planned=count(row["active_accounts_planned"])
                ),
                count(row["active_accounts_actual"]),
                f"{change(row['active_accounts_error'], 'relative')} · "
                + (_("inside the band") if row["active_accounts_inside"] else _("outside the band")),
            )
        )
    plans = {name: k.projection for name, (k, _check) in compared.items()}
    actual = scenarios.actual_path([k for k, _check in compared.values()], kpis, "active_accounts")
    figure = for_projector(
        charts.plan_vs_actual(plans, actual, "active_accounts", _("Active accounts"), scenarios.BAND)
    )
    data = pd.concat(
        {name: check.table for name, (_kept, check) in compared.items()}, names=[_("scenario"), _("quarter")]
    )
    return Slide("plan", _(SLIDE_TITLES["plan"]), headline, tuple(facts), figure, data, notes)


@dataclass(frozen=True)
class Measured:
    """Views of the panel measured already with the deck's defaults (e.g. cached by the app's
    pages), which ``build_deck`` then does not ask the engine for again; each left None, or not
    of the deck's quarters, the deck measures itself.

    ``kpis``: ``quarter_kpis``; ``bridge``: ``revenue_bridge`` of platform revenue; ``metrics``:
    ``company_metrics``; ``base``: ``fit_base``;
    ``mix``: ``quadrant_summary`` (median cuts) of quarters including the deck's quadrant quarter;
    ``migration``: ``quadrant_migration`` (median cuts) from the quarter before it into it;
    ``logo`` and ``nrr``: ``cohort_matrix`` by quarter (% of initial) and ``lifetimes``, all three
    of the accounts chosen by ``cohorts.first_cohort_choice`` (``cohorts.select_accounts``)."""

    kpis: pd.DataFrame | None = None
    bridge: pd.DataFrame | None = None
    metrics: pd.DataFrame | None = None
    base: scenarios.Base | None = None
    mix: pd.DataFrame | None = None
    migration: quadrants.Migration | None = None
    logo: pd.DataFrame | None = None
    nrr: pd.DataFrame | None = None
    lifetimes: cohorts.Lifetimes | None = None


def build_deck(
    panel: engine.Source,
    playbook: Playbook,
    business_model: str = "platform",
    shown_scenarios: Sequence[scenarios.Scenario] = (),
    observed: Sequence[str] | None = None,
    measured: Measured | None = None,
    kept_projections: Mapping[str, scenarios.KeptProjection] | None = None,
    currency: Currency | None = None,
) -> Deck:
    """Every slide the ``panel`` (a pandas panel or a table of the engine) can carry, computed
    with the pages' defaults: median cuts of the latest quarter with B-side revenue against the
    quarter before it (the map drawing at most ``quadrants.MAX_POINTS`` accounts, as the page),
    cohorts by quarter with or without the first quarter's accounts as ``cohorts.first_cohort_choice``
    decides, the stage from the default thresholds, the base and ``shown_scenarios`` over
    ``HORIZON`` quarters, and, when ``kept_projections`` are given (saved scenario name →
    ``KeptProjection``), those plans against the actual quarters. Amounts are written in
    ``currency`` (none: plain numbers). What ``measured`` holds is used as it is."""
    table = engine.table(panel)
    measured = measured or Measured()
    kpis = overview.quarter_kpis(table) if measured.kpis is None else measured.kpis
    if kpis.empty:
        return Deck({}, dict.fromkeys(SLIDE_TITLES, _("the workspace has no data yet")))
    observed = list(observed) if observed is not None else list(kpis.index)
    slides, missing = {}, {}
    slides["overview"] = overview_slide(kpis, currency)
    bridge = overview.revenue_bridge(table, observed=observed) if measured.bridge is None else measured.bridge
    try:
        slides["bridge"] = bridge_slide(bridge, observed[-1], observed, currency)
    except ValueError as exc:
        missing["bridge"] = str(exc)
    metrics = lifecycle.company_metrics(table) if measured.metrics is None else measured.metrics
    slides["stage"] = stage_slide(metrics, playbook, business_model)

    reported = table.filter(table.b_side_revenue.notnull()).select("quarter").distinct()
    placeable = sorted(set(engine.run(reported)["quarter"]) & set(observed))
    if not placeable:
        missing["quadrants"] = missing["migration"] = _("the data have no B-side revenue to place accounts by")
    else:
        quarter = placeable[-1]
        known = measured.mix is not None and quarter in measured.mix.index.get_level_values("quarter")
        mix = (measured.mix if known else quadrants.quadrant_summary(table, quarters=[quarter])).loc[quarter]
        slides["quadrants"] = quadrant_slide(quadrants.quarter_view(table, quarter), mix, playbook, currency)
        earlier = [q for q in observed if q < quarter]
        if earlier:
            flow = measured.migration
            if flow is None or (flow.from_quarter, flow.to_quarter) != (earlier[-1], quarter):
                flow = quadrants.quadrant_migration(table, earlier[-1], quarter)
            slides["migration"] = migration_slide(flow, playbook, currency)
        else:
            missing["migration"] = _("{quarter} is the first quarter: nobody has moved yet").format(
                quarter=quarter_text(quarter)
            )

    if len(observed) < 2:
        missing["cohorts"] = _("cohort curves need at least two quarters")
    else:
        first = cohorts.first_cohort_choice(table)
        chosen = cohorts.select_accounts(table, {}, leave_out_first_cohort=first.leave_out)
        logo = measured.logo if measured.logo is not None else cohorts.cohort_matrix(chosen, observed=observed)
        if cohorts.AVERAGE not in logo.index:
            missing["cohorts"] = _("no account was active in any quarter: there is no cohort to follow")
        else:
            nrr = measured.nrr if measured.nrr is not None else cohorts.cohort_matrix(chosen, "nrr", observed=observed)
            followed = measured.lifetimes
            if followed is None:
                followed = cohorts.lifetimes(chosen, observed=observed)  # asked once for both
            survival = cohorts.kaplan_meier(followed)
            counts = cohorts.fittable_survivors(followed)
            fitted = None
            if counts:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", cohorts.SBGFitWarning)
                    longest = max(len(c) for c in counts) - 1
                    fitted = cohorts.holdout_check(counts, None, max(PROJECTED_AGE, longest + PROJECTED_PAST_DATA))
            slides["cohorts"] = cohort_slide(logo, nrr, survival, fitted)

    try:
        base = scenarios.fit_base(table) if measured.base is None else measured.base
    except ValueError as exc:
        missing["scenarios"] = str(exc)
    else:
        slides["scenarios"] = scenario_slide(base, shown_scenarios, currency=currency)
    if kept_projections is not None:
        try:
            slides["plan"] = plan_slide(kept_projections, kpis, currency)
        except ValueError as exc:
            missing["plan"] = str(exc)
    ordered = {key: slides[key] for key in SLIDE_TITLES if key in slides}
    return Deck(ordered, {key: missing[key] for key in SLIDE_TITLES if key in missing})
