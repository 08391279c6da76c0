"""The sentence each workshop slide leads with, and its speaker notes, computed from the frames
the views already compute. One message per slide: the headline says what the chart means, with
its numbers; the notes give the facilitator the rest of the evidence and a question for the room.

Every function returns ``(headline, notes)``: a sentence, and a tuple of sentences. Names from the
data (account names) are kept as they are; whoever renders them escapes them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from b2b_core import i18n, overview, quarters
from b2b_core.amounts import Currency, account_count, change, count, money, ratio, share
from b2b_core.cohorts import WHY_THEY_DIFFER
from b2b_core.lifecycle import NOT_ENOUGH_HISTORY, STAGE_NAMES, StageResult, check_text
from b2b_core.playbook import Playbook
from b2b_core.quadrants import AT_CUT, QUADRANTS, Migration
from b2b_core.scenarios import BASE_NAME, LEVERS, Base, KeptProjection, PlanVsActual, waiting_text

Words = tuple[str, tuple[str, ...]]


def _listed(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _more_or_less(relative: float) -> str:
    """+0.081 → ``8.1% more than``; −0.02 → ``2.0% less than``; 0 → ``the same as``."""
    if round(abs(relative), 3) == 0:
        return "the same as"
    return f"{share(abs(relative))} {'more' if relative > 0 else 'less'} than"


def overview_words(kpis: pd.DataFrame, currency: Currency | None = None) -> Words:
    """From ``overview.quarter_kpis``: the latest quarter's platform revenue and active accounts,
    against the calendar quarter before it when the workspace has it; amounts in ``currency``."""
    latest = kpis.index[-1]
    now = kpis.loc[latest]
    before = kpis.index[-2] if len(kpis) > 1 else None
    revenue, accounts = money(now["platform_revenue"], currency), account_count(now["active_accounts"], "active")
    if before is None or pd.isna(now["churned_accounts"]) or not kpis.loc[before, "platform_revenue"] > 0:
        # no data for the quarter before, or nothing to compare with
        headline = f"In {latest} the platform earned {revenue} from {accounts}."
    else:
        prior = kpis.loc[before]
        relative = (now["platform_revenue"] - prior["platform_revenue"]) / prior["platform_revenue"]
        net = change(now["active_accounts"] - prior["active_accounts"], "count")
        headline = (
            f"In {latest} the platform earned {revenue}, {_more_or_less(relative)} in {before}, "
            f"from {accounts} ({net})."
        )
    notes = [f"{account_count(now['new_accounts'])} new in {latest}."]
    if not pd.isna(now["churned_accounts"]):
        notes.append(
            f"{account_count(now['churned_accounts'])} active the quarter before not active in {latest}; "
            f"{count(now['returning_accounts'])} came back after a gap."
        )
    if not pd.isna(now["take_rate"]):
        notes.append(
            f"The platform kept {share(now['take_rate'])} of the {money(now['b_side_revenue'], currency)} its accounts "
            "earned through it (take rate)."
        )
    notes.append("Ask the room: which of these numbers surprises you, and why?")
    return headline, tuple(notes)


def bridge_words(bridge: pd.Series, quarter: str, quick: float, currency: Currency | None = None) -> Words:
    """From ``quarter``'s row of ``overview.revenue_bridge`` (platform revenue) and its quick
    ratio: what the gains brought (the largest named) against what contraction and churn took;
    amounts in ``currency``."""
    flows = bridge.astype(float)
    gains = {"new accounts": flows["new"], "returning accounts": flows["reactivated"], "expansion": flows["expansion"]}
    gained, lost = overview.gained_and_lost(flows)
    largest = max(gains, key=gains.get)
    brought = f"{largest.capitalize()} brought {money(gains[largest], currency)}"
    if gained == 0:
        brought = "Nothing new came in"
    elif gained > gains[largest]:
        brought += f" of the {money(gained, currency)} gained"
    if lost == 0:
        headline = f"In {quarter}: {brought}, and no revenue was lost."
    else:
        headline = (
            f"In {quarter}: {brought}; contraction and churn took {money(lost, currency)}: quick ratio {ratio(quick)}."
        )
    notes = (
        f"Platform revenue went from {money(flows['start'], currency)} in {quarters.shift(quarter, -1)} to "
        f"{money(flows['end'], currency)} in {quarter}.",
        f"New accounts brought {money(flows['new'], currency)}, accounts coming back "
        f"{money(flows['reactivated'], currency)}, "
        f"and accounts that grew {money(flows['expansion'], currency)} more.",
        f"Accounts that shrank gave up {money(flows['contraction'], currency)}; accounts that stopped took "
        f"{money(flows['churned'], currency)} with them.",
        "The quick ratio is revenue gained per unit lost: above 1, the base grows on its own.",
        "Ask the room: which of these flows can we move most next quarter, and with which lever?",
    )
    return headline, notes


def stage_words(result: StageResult, ranked: pd.DataFrame, playbook: Playbook, top: int = 3) -> Words:
    """From the current ``detect_stage`` result and the ``prioritize`` table: the stage and the
    ``top`` levers to put first, each note one piece of evidence or one lever's score."""
    first = [str(name) for name in ranked["name"].head(top)]
    if result.stage == NOT_ENOUGH_HISTORY:
        headline = (
            f"In {result.quarter} the data hold too few quarters to tell the growth stage ({result.name.lower()}); "
            f"assuming {STAGE_NAMES[result.assumes].lower()}, put {_listed(first)} first."
        )
    else:
        headline = f"In {result.quarter} the business is in {result.name.lower()}: put {_listed(first)} first."
    notes = [f"Evidence: {check_text(check)}." for check in result.checks]
    if result.distance:  # pieces such as "both …", "and …" read as one sentence; others are a list
        joined = " " if any(step.startswith(("and ", "or ")) for step in result.distance) else "; "
        notes.append(f"To reach {STAGE_NAMES[result.next_stage].lower()}: {joined.join(result.distance)}.")
    rules = [c for c in ranked.columns if c not in ("name", "base", "score", "rank")]
    for key, row in ranked.head(top).iterrows():
        raised = [f"{rule.replace('_', ' ')} +{row[rule]:.1f}" for rule in rules if row[rule] > 0]
        notes.append(
            f"{row['rank']}. {row['name']}: score {row['score']:.1f} = playbook weight {row['base']:.1f}"
            + (f" + {', '.join(raised)}" if raised else "")
            + f". {playbook.lever(key).description}"
        )
    notes.append("Ask the room: what would we stop doing to make room for the first lever?")
    return headline, tuple(notes)


def quadrant_words(mix: pd.DataFrame, quarter: str, playbook: Playbook) -> Words:
    """From the ``quadrant_summary`` rows of one quarter (index the quadrant keys, and at the cut):
    what the core partners (I) bring and what the under-monetised accounts (IV) earn against what
    they pay, each called by its playbook name (``Playbook.label`` in the notes, never Q1 … Q4,
    which read as calendar quarters); the accounts at the cut, when there are any, are a note of
    their own, never under-monetised."""
    q1, q4 = mix.loc["Q1"], mix.loc["Q4"]
    core, under = playbook.quadrant("Q1").name.lower(), playbook.quadrant("Q4").name.lower()
    headline = (
        f"In {quarter}, {count(q1['accounts'])} {core} bring {share(q1['platform_revenue_share'])} of platform "
        f"revenue; the {count(q4['accounts'])} {under} accounts earn {share(q4['b_side_revenue_share'])} of "
        f"B-side revenue but pay only {share(q4['platform_revenue_share'])} of the platform's."
    )
    notes = [
        f"{playbook.label(q)}: {account_count(mix.loc[q, 'accounts'])}, {share(mix.loc[q, 'platform_revenue_share'])} "
        f"of platform revenue, {share(mix.loc[q, 'b_side_revenue_share'])} of B-side revenue, median take rate "
        f"{share(mix.loc[q, 'median_take_rate'])}. {playbook.quadrant(q).meaning}"
        for q in QUADRANTS
    ]
    if AT_CUT in mix.index and mix.loc[AT_CUT, "accounts"] > 0:
        tied = mix.loc[AT_CUT]
        notes.append(
            f"{account_count(tied['accounts'])} at the cut, {share(tied['platform_revenue_share'])} of platform "
            "revenue: tied with a cut point that many accounts share, so neither high nor low on that axis and in "
            "no quadrant's count."
        )
    notes.append(f"Ask the room: which {under} accounts could we grow together with this quarter?")
    return headline, tuple(notes)


def migration_words(
    flow: Migration, playbook: Playbook, quadrant: str = "Q4", movers: int = 3, currency: Currency | None = None
) -> Words:
    """From a ``quadrant_migration``: how many accounts entered ``quadrant`` since the earlier
    quarter (from another quadrant, or new, or returning) and the share of the later quarter's
    B-side revenue they hold (over the placed accounts, as in ``quadrant_summary``); the notes
    add the accounts that left it, the moves into and out of the core partners (``"Q1"``), and the
    ``movers`` biggest changes of platform revenue among accounts that changed quadrant (amounts in
    ``currency``). Quadrants are called by their ``Playbook.label``."""
    cells = flow.cells.reset_index().astype({"before": str, "after": str})
    placed = cells["after"].isin(QUADRANTS)
    b_side_total = cells.loc[placed, "b_side_revenue_after"].sum()
    entered = cells[(cells["after"] == quadrant) & (cells["before"] != quadrant)]
    left = cells[(cells["before"] == quadrant) & (cells["after"] != quadrant)]
    label = playbook.label(quadrant)
    since = f"since {flow.from_quarter}"
    if not entered["accounts"].sum():
        headline = f"No account entered {label} {since}; {count(left['accounts'].sum())} left it."
    else:
        new = int(entered.loc[entered["before"] == "new", "accounts"].sum())
        held = entered["b_side_revenue_after"].sum() / b_side_total if b_side_total > 0 else float("nan")
        headline = (
            f"{account_count(entered['accounts'].sum())} entered {label} {since}"
            + (f" ({count(new)} of them new)" if new else "")
            + f"; they hold {share(held)} of {flow.to_quarter}'s B-side revenue."
        )
    notes = (
        [f"{account_count(left['accounts'].sum())} left {label}: " + _destinations(left, playbook) + "."]
        if left["accounts"].sum()
        else []
    )
    for other in ("Q1",) if quadrant != "Q1" else ():
        into = cells.loc[(cells["after"] == other) & (cells["before"] != other), "accounts"].sum()
        out = cells.loc[(cells["before"] == other) & (cells["after"] != other), "accounts"].sum()
        notes.append(f"{account_count(into)} entered {playbook.label(other)} and {count(out)} left it.")
    for _, row in flow.quadrant_movers.head(movers).iterrows():
        name = row.get("account_name")
        who = str(name) if isinstance(name, str) and name else str(row["account_id"])
        notes.append(
            f"{who} moved {playbook.label(row['before'])} → {playbook.label(row['after'])}: platform revenue "
            f"{money(row['platform_revenue_before'], currency)} → {money(row['platform_revenue_after'], currency)}."
        )
    notes.append("Ask the room: who owns the accounts that moved, and what changed for them?")
    return headline, tuple(notes)


def _destinations(left: pd.DataFrame, playbook: Playbook) -> str:
    """``12 to I · Core partners, 3 to churned`` (largest first) from migration cells leaving a state."""
    counts = left.groupby("after")["accounts"].sum().sort_values(ascending=False, kind="stable")
    return ", ".join(f"{count(n)} to {playbook.label(state)}" for state, n in counts.items() if n)


def survival_age(survival: pd.Series, at: int = 4) -> int:
    """The age (quarters) the cohort slide reads survival at: ``at``, or the oldest observed age
    when the cohorts are younger."""
    return at if at in survival.index else int(survival.index.max())


def lifetime_label(horizon: int | None) -> str:
    """The name of ``ShiftedBetaGeometric.headline_lifetime`` (quarterly): ``"Expected quarters per
    account"``, with ``" over the next 10 years"`` when the mean is over a horizon of 40 quarters."""
    if horizon is None:
        return i18n._("Expected quarters per account")
    years = horizon / 4
    return i18n.ngettext(
        "Expected quarters per account over the next {years} year",
        "Expected quarters per account over the next {years} years",
        1 if years == 1 else 2,
    ).format(years=f"{years:g}")


def cohort_words(
    survival: pd.Series,
    nrr: pd.Series,
    check: pd.DataFrame | None,
    expected: tuple[float, int | None] | None,
    at: int = 4,
    ahead: int = 8,
) -> Words:
    """From the Kaplan–Meier ``survival`` by age (quarters), the size-weighted NRR by age, the
    sBG ``holdout_check`` frame (``predicted`` by age; None without a fit) and the model's
    ``headline_lifetime`` (None without a fit): of every 100 new accounts, how many are still
    active at age ``at`` (the oldest observed age if younger), and how many the model expects at
    age ``ahead``."""
    age = survival_age(survival, at)
    still = round(100 * float(survival.loc[age]))
    quarters = "quarter" if age == 1 else "quarters"
    headline = f"Of every 100 new accounts, {still} are still active after {age} {quarters} (Kaplan–Meier survival)"
    if check is not None and ahead in check.index and ahead > age:
        headline += f"; the renewal model expects {round(100 * float(check.loc[ahead, 'predicted']))} after {ahead}."
    else:
        headline += "."
    notes = []
    if age in nrr.index and not pd.isna(nrr.loc[age]):
        notes.append(
            f"Revenue kept after {age} {quarters} (NRR, expansion included): {share(nrr.loc[age])} of the "
            "signup quarter's."
        )
    if expected is not None:
        value, horizon = expected
        span = f" over the next {horizon / 4:g} years" if horizon is not None else " on average"
        notes.append(f"The model expects a new account to stay {value:.1f} quarters{span}.")
    notes += [
        "Accounts still active at the last quarter count as not lost yet (Kaplan–Meier); the dashed line is the "
        "shifted-beta-geometric projection with its 95% band.",
        f"Why the retention triangle shows less: {WHY_THEY_DIFFER}",
        "Ask the room: what happens in an account's first quarters that decides whether it stays?",
    ]
    return headline, tuple(notes)


def scenario_words(
    table: pd.DataFrame,
    first: str,
    last: str,
    assumptions: tuple[str, ...] = (),
    currency: Currency | None = None,
) -> Words:
    """From ``scenarios.compare`` (base first): the base's platform revenue over ``first`` –
    ``last``, and the scenario that adds most to it, with the levers it moves; the notes list
    each scenario, then the base's ``assumptions`` (``base_words``), then ask the room. Amounts in
    ``currency``."""
    base = table.loc[BASE_NAME]
    total = money(base["platform_revenue_total"], currency)
    others = table.drop(index=BASE_NAME)
    if others.empty:
        headline = (
            f"With no lever moved, the data project {total} of platform revenue over {first}–{last} and "
            f"{account_count(base['active_accounts_end'], 'active')} in {last}."
        )
    else:
        best_name = others["platform_revenue_total"].idxmax()
        best = others.loc[best_name]
        gain = best["platform_revenue_total_vs_base"]
        headline = (
            f"{best_name} {'adds' if gain >= 0 else 'costs'} {money(abs(gain), currency)} of platform revenue over "
            f"{first}–{last} ({change(best['platform_revenue_total_vs_base_pct'], 'relative')} on the base's {total})."
        )
    notes = [
        f"{name}: "
        + (_levers_said(row) or "no lever moved")
        + f"; {money(row['platform_revenue_total'], currency)} over "
        f"{first}–{last}, {account_count(row['active_accounts_end'], 'active')} in {last}."
        for name, row in table.iterrows()
    ]
    notes += [*assumptions, "Move a lever and watch the line: which assumption would we have to be most sure of?"]
    return headline, tuple(notes)


def base_words(base: Base) -> tuple[str, ...]:
    """Speaker notes on where the base comes from: each modelled assumption with its evidence
    (``SeriesForecast.evidence``: the model chosen by the data's own back-test, or set by hand)."""
    models = [base.arrivals, base.platform.starts, *([base.take_rate] if base.take_rate is not None else [])]
    return tuple(f"Base assumption: {model.evidence()}." for model in models)


def _levers_said(row: pd.Series) -> str:
    return ", ".join(f"{lever.label.lower()} {row[lever.key]:+g} {lever.unit}" for lever in LEVERS if row[lever.key])


def _in_band(inside: bool) -> str:
    return "inside the band" if inside else "outside the band"


def plan_words(
    compared: Mapping[str, tuple[KeptProjection, PlanVsActual]],
    waiting: Mapping[str, KeptProjection],
    currency: Currency | None = None,
) -> Words:
    """From saved scenarios' kept projections and ``plan_vs_actual`` (``compared``: name → both,
    at least one, in the order chosen): what the first one planned for the latest quarter it can
    be checked on and what the data show, ``Renewal push planned 1,210 active accounts for
    2027Q1; 1,157 were active (-4.4%, inside the band).``; the notes give each scenario's record
    over its quarters, and say when the ``waiting`` ones (none of their quarters in the data
    yet) can be checked. Amounts in ``currency``."""
    name, (_, first) = next(iter(compared.items()))
    latest = first.table.iloc[-1]
    headline = (
        f"{name} planned {account_count(latest['active_accounts_planned'], 'active')} for {first.table.index[-1]}; "
        f"{count(latest['active_accounts_actual'])} {'was' if latest['active_accounts_actual'] == 1 else 'were'} "
        f"active ({change(latest['active_accounts_error'], 'relative')}, "
        f"{_in_band(latest['active_accounts_inside'])})."
    )
    notes = []
    for name, (kept, check) in compared.items():
        saved = f"saved {kept.saved_at:%Y-%m-%d}" if kept.saved_at is not None else "saved"
        by = f" by {kept.saved_by}" if kept.saved_by else ""
        accounts, revenue = check.summary.loc["active_accounts"], check.summary.loc["platform_revenue"]
        row = check.table.iloc[-1]
        notes.append(
            f"{name} ({saved}{by} on data up to {kept.last_quarter}): {count(accounts['quarters'])} quarter(s) "
            f"to check; active accounts inside the band in {count(accounts['inside_band'])}, mean absolute error "
            f"{share(accounts['mean_absolute_error'])}; platform revenue inside in {count(revenue['inside_band'])}, "
            f"mean absolute error {share(revenue['mean_absolute_error'])}. In {check.table.index[-1]} it planned "
            f"{money(row['platform_revenue_planned'], currency)} of platform revenue; "
            f"{money(row['platform_revenue_actual'], currency)} came in "
            f"({change(row['platform_revenue_error'], 'relative')}, {_in_band(row['platform_revenue_inside'])})."
        )
    notes += [f"{name}: {waiting_text(kept)}." for name, kept in waiting.items()]
    notes.append("Ask the room: which assumption of the plan did the quarters since prove wrong?")
    return headline, tuple(notes)
