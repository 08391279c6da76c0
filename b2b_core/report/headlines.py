"""The sentence each workshop slide leads with, and its speaker notes, computed from the frames
the views already compute. One message per slide: the headline says what the chart means, with
its numbers; the notes give the facilitator the rest of the evidence and a question for the room.

Every function returns ``(headline, notes)``: a sentence, and a tuple of sentences, in the current
language (``b2b_core.i18n``; numbers and quarters written its way). Names from the data (account
names) are kept as they are; whoever renders them escapes them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from b2b_core import overview, quarters
from b2b_core.amounts import Currency, account_count, change, count, money, ratio, share
from b2b_core.cohorts import WHY_THEY_DIFFER
from b2b_core.i18n import _, ngettext
from b2b_core.lifecycle import NOT_ENOUGH_HISTORY, STAGE_NAMES, StageResult, check_text
from b2b_core.playbook import Playbook
from b2b_core.quadrants import AT_CUT, QUADRANTS, Migration
from b2b_core.quarters import quarter_text, span_label
from b2b_core.scenarios import BASE_NAME, LEVERS, Base, KeptProjection, PlanVsActual, waiting_text, with_unit

Words = tuple[str, tuple[str, ...]]


def _joined(items: list[str]) -> str:
    """``a, b, c`` (Chinese ``a、b、c``)."""
    joined = items[0]
    for item in items[1:]:
        joined = _("{items}, {item}").format(items=joined, item=item)
    return joined


def _listed(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=_joined(items[:-1]), last=items[-1])


def overview_words(kpis: pd.DataFrame, currency: Currency | None = None) -> Words:
    """From ``overview.quarter_kpis``: the latest quarter's platform revenue and active accounts,
    against the calendar quarter before it when the workspace has it; amounts in ``currency``."""
    latest = kpis.index[-1]
    now = kpis.loc[latest]
    before = kpis.index[-2] if len(kpis) > 1 else None
    revenue, accounts = money(now["platform_revenue"], currency), account_count(now["active_accounts"], _("active"))
    said = {"quarter": quarter_text(latest), "revenue": revenue, "accounts": accounts}
    if before is None or pd.isna(now["churned_accounts"]) or not kpis.loc[before, "platform_revenue"] > 0:
        # no data for the quarter before, or nothing to compare with
        headline = _("In {quarter} the platform earned {revenue} from {accounts}.").format(**said)
    else:
        prior = kpis.loc[before]
        relative = (now["platform_revenue"] - prior["platform_revenue"]) / prior["platform_revenue"]
        said |= {
            "before": quarter_text(before),
            "net": change(now["active_accounts"] - prior["active_accounts"], "count"),
            "share": share(abs(relative)),
        }
        if round(abs(relative), 3) == 0:
            sentence = _(
                "In {quarter} the platform earned {revenue}, the same as in {before}, from {accounts} ({net})."
            )
        elif relative > 0:
            sentence = _(
                "In {quarter} the platform earned {revenue}, {share} more than in {before}, from {accounts} ({net})."
            )
        else:
            sentence = _(
                "In {quarter} the platform earned {revenue}, {share} less than in {before}, from {accounts} ({net})."
            )
        headline = sentence.format(**said)
    notes = [
        _("{accounts} new in {quarter}.").format(accounts=account_count(now["new_accounts"]), quarter=said["quarter"])
    ]
    if not pd.isna(now["churned_accounts"]):
        notes.append(
            _(
                "{accounts} active the quarter before not active in {quarter}; {returning} came back after a gap."
            ).format(
                accounts=account_count(now["churned_accounts"]),
                quarter=said["quarter"],
                returning=count(now["returning_accounts"]),
            )
        )
    if not pd.isna(now["take_rate"]):
        notes.append(
            _("The platform kept {share} of the {b_side} its accounts earned through it (take rate).").format(
                share=share(now["take_rate"]), b_side=money(now["b_side_revenue"], currency)
            )
        )
    notes.append(_("Ask the room: which of these numbers surprises you, and why?"))
    return headline, tuple(notes)


def bridge_words(bridge: pd.Series, quarter: str, quick: float, currency: Currency | None = None) -> Words:
    """From ``quarter``'s row of ``overview.revenue_bridge`` (platform revenue) and its quick
    ratio: what the gains brought (the largest named) against what contraction and churn took;
    amounts in ``currency``."""
    flows = bridge.astype(float)
    gains = {"new": flows["new"], "reactivated": flows["reactivated"], "expansion": flows["expansion"]}
    sources = {"new": _("New accounts"), "reactivated": _("Returning accounts"), "expansion": _("Expansion")}
    gained, lost = overview.gained_and_lost(flows)
    largest = max(gains, key=gains.get)
    said = {"source": sources[largest], "amount": money(gains[largest], currency), "gained": money(gained, currency)}
    if gained == 0:
        brought = _("Nothing new came in")
    elif gained > gains[largest]:
        brought = _("{source} brought {amount} of the {gained} gained").format(**said)
    else:
        brought = _("{source} brought {amount}").format(**said)
    shown = quarter_text(quarter)
    if lost == 0:
        headline = _("In {quarter}: {brought}, and no revenue was lost.").format(quarter=shown, brought=brought)
    else:
        headline = _("In {quarter}: {brought}; contraction and churn took {lost}: quick ratio {ratio}.").format(
            quarter=shown, brought=brought, lost=money(lost, currency), ratio=ratio(quick)
        )
    amounts = {key: money(flows[key], currency) for key in flows.index}
    notes = (
        _("Platform revenue went from {start} in {before} to {end} in {quarter}.").format(
            start=amounts["start"], before=quarter_text(quarters.shift(quarter, -1)), end=amounts["end"], quarter=shown
        ),
        _(
            "New accounts brought {new}, accounts coming back {reactivated}, and accounts that grew {expansion} more."
        ).format(**amounts),
        _("Accounts that shrank gave up {contraction}; accounts that stopped took {churned} with them.").format(
            **amounts
        ),
        _("The quick ratio is revenue gained per unit lost: above 1, the base grows on its own."),
        _("Ask the room: which of these flows can we move most next quarter, and with which lever?"),
    )
    return headline, notes


def stage_words(result: StageResult, ranked: pd.DataFrame, playbook: Playbook, top: int = 3) -> Words:
    """From the current ``detect_stage`` result and the ``prioritize`` table: the stage and the
    ``top`` levers to put first, each note one piece of evidence or one lever's score."""
    first = [str(name) for name in ranked["name"].head(top)]
    quarter = quarter_text(result.quarter)
    if result.stage == NOT_ENOUGH_HISTORY:
        headline = _(
            "In {quarter} the data hold too few quarters to tell the growth stage ({stage}); "
            "assuming {assumed}, put {levers} first."
        ).format(
            quarter=quarter,
            stage=result.name.lower(),
            assumed=_(STAGE_NAMES[result.assumes]).lower(),
            levers=_listed(first),
        )
    else:
        headline = _("In {quarter} the business is in {stage}: put {levers} first.").format(
            quarter=quarter, stage=result.name.lower(), levers=_listed(first)
        )
    notes = [_("Evidence: {check}.").format(check=check_text(check)) for check in result.checks]
    if result.distance:  # pieces such as "both …", "and …" read as one sentence; others are a list
        joined = " " if any(step.startswith(("and ", "or ")) for step in result.distance) else _("; ")
        notes.append(
            _("To reach {stage}: {steps}.").format(
                stage=_(STAGE_NAMES[result.next_stage]).lower(), steps=joined.join(result.distance)
            )
        )
    rules = [c for c in ranked.columns if c not in ("name", "base", "score", "rank")]
    for key, row in ranked.head(top).iterrows():
        raised = [f"{rule.replace('_', ' ')} +{row[rule]:.1f}" for rule in rules if row[rule] > 0]
        notes.append(
            _("{rank}. {name}: score {score} = playbook weight {weight}{raised}. {description}").format(
                rank=row["rank"],
                name=row["name"],
                score=f"{row['score']:.1f}",
                weight=f"{row['base']:.1f}",
                raised=f" + {_joined(raised)}" if raised else "",
                description=playbook.lever(key).description,
            )
        )
    notes.append(_("Ask the room: what would we stop doing to make room for the first lever?"))
    return headline, tuple(notes)


def quadrant_words(mix: pd.DataFrame, quarter: str, playbook: Playbook) -> Words:
    """From the ``quadrant_summary`` rows of one quarter (index the quadrant keys, and at the cut):
    what the core partners (I) bring and what the under-monetised accounts (IV) earn against what
    they pay, each called by its playbook name (``Playbook.label`` in the notes, never Q1 … Q4,
    which read as calendar quarters); the accounts at the cut, when there are any, are a note of
    their own, never under-monetised."""
    q1, q4 = mix.loc["Q1"], mix.loc["Q4"]
    core, under = playbook.quadrant("Q1").name.lower(), playbook.quadrant("Q4").name.lower()
    headline = _(
        "In {quarter}, {core_count} {core} bring {core_share} of platform revenue; the {under_count} {under} "
        "accounts earn {under_b_side} of B-side revenue but pay only {under_share} of the platform's."
    ).format(
        quarter=quarter_text(quarter),
        core_count=count(q1["accounts"]),
        core=core,
        core_share=share(q1["platform_revenue_share"]),
        under_count=count(q4["accounts"]),
        under=under,
        under_b_side=share(q4["b_side_revenue_share"]),
        under_share=share(q4["platform_revenue_share"]),
    )
    notes = [
        _(
            "{label}: {accounts}, {platform_share} of platform revenue, {b_side_share} of B-side revenue, "
            "median take rate {take_rate}. {meaning}"
        ).format(
            label=playbook.label(q),
            accounts=account_count(mix.loc[q, "accounts"]),
            platform_share=share(mix.loc[q, "platform_revenue_share"]),
            b_side_share=share(mix.loc[q, "b_side_revenue_share"]),
            take_rate=share(mix.loc[q, "median_take_rate"]),
            meaning=playbook.quadrant(q).meaning,
        )
        for q in QUADRANTS
    ]
    if AT_CUT in mix.index and mix.loc[AT_CUT, "accounts"] > 0:
        tied = mix.loc[AT_CUT]
        notes.append(
            _(
                "{accounts} at the cut, {share} of platform revenue: tied with a cut point that many accounts "
                "share, so neither high nor low on that axis and in no quadrant's count."
            ).format(accounts=account_count(tied["accounts"]), share=share(tied["platform_revenue_share"]))
        )
    notes.append(
        _("Ask the room: which {under} accounts could we grow together with this quarter?").format(under=under)
    )
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
    since = quarter_text(flow.from_quarter)
    if not entered["accounts"].sum():
        headline = _("No account entered {label} since {quarter}; {left} left it.").format(
            label=label, quarter=since, left=count(left["accounts"].sum())
        )
    else:
        new = int(entered.loc[entered["before"] == "new", "accounts"].sum())
        held = entered["b_side_revenue_after"].sum() / b_side_total if b_side_total > 0 else float("nan")
        said = {
            "accounts": account_count(entered["accounts"].sum()),
            "label": label,
            "quarter": since,
            "new": count(new),
            "share": share(held),
            "later": quarter_text(flow.to_quarter),
        }
        if new:
            sentence = _(
                "{accounts} entered {label} since {quarter} ({new} of them new); "
                "they hold {share} of {later}'s B-side revenue."
            )
        else:
            sentence = _("{accounts} entered {label} since {quarter}; they hold {share} of {later}'s B-side revenue.")
        headline = sentence.format(**said)
    notes = (
        [
            _("{accounts} left {label}: {destinations}.").format(
                accounts=account_count(left["accounts"].sum()), label=label, destinations=_destinations(left, playbook)
            )
        ]
        if left["accounts"].sum()
        else []
    )
    for other in ("Q1",) if quadrant != "Q1" else ():
        into = cells.loc[(cells["after"] == other) & (cells["before"] != other), "accounts"].sum()
        out = cells.loc[(cells["before"] == other) & (cells["after"] != other), "accounts"].sum()
        notes.append(
            _("{accounts} entered {label} and {left} left it.").format(
                accounts=account_count(into), label=playbook.label(other), left=count(out)
            )
        )
    for _index, row in flow.quadrant_movers.head(movers).iterrows():
        name = row.get("account_name")
        who = str(name) if isinstance(name, str) and name else str(row["account_id"])
        notes.append(
            _("{who} moved {before} → {after}: platform revenue {revenue_before} → {revenue_after}.").format(
                who=who,
                before=playbook.label(row["before"]),
                after=playbook.label(row["after"]),
                revenue_before=money(row["platform_revenue_before"], currency),
                revenue_after=money(row["platform_revenue_after"], currency),
            )
        )
    notes.append(_("Ask the room: who owns the accounts that moved, and what changed for them?"))
    return headline, tuple(notes)


def _destinations(left: pd.DataFrame, playbook: Playbook) -> str:
    """``12 to I · Core partners, 3 to churned`` (largest first) from migration cells leaving a state."""
    counts = left.groupby("after")["accounts"].sum().sort_values(ascending=False, kind="stable")
    return _joined(
        [_("{n} to {state}").format(n=count(n), state=playbook.label(state)) for state, n in counts.items() if n]
    )


def survival_age(survival: pd.Series, at: int = 4) -> int:
    """The age (quarters) the cohort slide reads survival at: ``at``, or the oldest observed age
    when the cohorts are younger."""
    return at if at in survival.index else int(survival.index.max())


def lifetime_label(horizon: int | None) -> str:
    """The name of ``ShiftedBetaGeometric.headline_lifetime`` (quarterly): ``"Expected quarters per
    account"``, with ``" over the next 10 years"`` when the mean is over a horizon of 40 quarters."""
    if horizon is None:
        return _("Expected quarters per account")
    years = horizon / 4
    return ngettext(
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
    if check is not None and ahead in check.index and ahead > age:
        headline = ngettext(
            "Of every 100 new accounts, {still} are still active after {age} quarter (Kaplan–Meier survival); "
            "the renewal model expects {expected} after {ahead}.",
            "Of every 100 new accounts, {still} are still active after {age} quarters (Kaplan–Meier survival); "
            "the renewal model expects {expected} after {ahead}.",
            age,
        ).format(still=still, age=age, expected=round(100 * float(check.loc[ahead, "predicted"])), ahead=ahead)
    else:
        headline = ngettext(
            "Of every 100 new accounts, {still} are still active after {age} quarter (Kaplan–Meier survival).",
            "Of every 100 new accounts, {still} are still active after {age} quarters (Kaplan–Meier survival).",
            age,
        ).format(still=still, age=age)
    notes = []
    if age in nrr.index and not pd.isna(nrr.loc[age]):
        notes.append(
            ngettext(
                "Revenue kept after {age} quarter (NRR, expansion included): {share} of the signup quarter's.",
                "Revenue kept after {age} quarters (NRR, expansion included): {share} of the signup quarter's.",
                age,
            ).format(age=age, share=share(nrr.loc[age]))
        )
    if expected is not None:
        value, horizon = expected
        if horizon is not None:
            sentence = _("The model expects a new account to stay {value} quarters over the next {years} years.")
        else:
            sentence = _("The model expects a new account to stay {value} quarters on average.")
        notes.append(sentence.format(value=f"{value:.1f}", years=f"{(horizon or 0) / 4:g}"))
    notes += [
        _(
            "Accounts still active at the last quarter count as not lost yet (Kaplan–Meier); the dashed line is the "
            "shifted-beta-geometric projection with its 95% band."
        ),
        _("Why the retention triangle shows less: {why}").format(why=_(WHY_THEY_DIFFER)),
        _("Ask the room: what happens in an account's first quarters that decides whether it stays?"),
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
    span, end = span_label([first, last]), quarter_text(last)
    others = table.drop(index=BASE_NAME)
    if others.empty:
        headline = _(
            "With no lever moved, the data project {total} of platform revenue over {span} and {accounts} in {last}."
        ).format(total=total, span=span, accounts=account_count(base["active_accounts_end"], _("active")), last=end)
    else:
        best_name = others["platform_revenue_total"].idxmax()
        best = others.loc[best_name]
        gain = best["platform_revenue_total_vs_base"]
        if gain >= 0:
            sentence = _("{name} adds {amount} of platform revenue over {span} ({change} on the base's {total}).")
        else:
            sentence = _("{name} costs {amount} of platform revenue over {span} ({change} on the base's {total}).")
        headline = sentence.format(
            name=best_name,
            amount=money(abs(gain), currency),
            span=span,
            change=change(best["platform_revenue_total_vs_base_pct"], "relative"),
            total=total,
        )
    notes = [
        _("{name}: {levers}; {total} over {span}, {accounts} in {last}.").format(
            name=name,
            levers=_levers_said(row) or _("no lever moved"),
            total=money(row["platform_revenue_total"], currency),
            span=span,
            accounts=account_count(row["active_accounts_end"], _("active")),
            last=end,
        )
        for name, row in table.iterrows()
    ]
    notes += [*assumptions, _("Move a lever and watch the line: which assumption would we have to be most sure of?")]
    return headline, tuple(notes)


def base_words(base: Base) -> tuple[str, ...]:
    """Speaker notes on where the base comes from: each modelled assumption with its evidence
    (``SeriesForecast.evidence``: the model chosen by the data's own back-test, or set by hand)."""
    models = [base.arrivals, base.platform.starts, *([base.take_rate] if base.take_rate is not None else [])]
    return tuple(_("Base assumption: {evidence}.").format(evidence=model.evidence()) for model in models)


def _levers_said(row: pd.Series) -> str:
    said = [
        _("{lever} {change}").format(lever=lever.label.lower(), change=with_unit(row[lever.key], lever.unit, sign=True))
        for lever in LEVERS
        if row[lever.key]
    ]
    return _joined(said) if said else ""


def _in_band(inside: bool) -> str:
    return _("inside the band") if inside else _("outside the band")


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
    name, (_kept, first) = next(iter(compared.items()))
    latest = first.table.iloc[-1]
    actual = latest["active_accounts_actual"]
    headline = ngettext(
        "{name} planned {planned} for {quarter}; {actual} was active ({error}, {band}).",
        "{name} planned {planned} for {quarter}; {actual} were active ({error}, {band}).",
        1 if actual == 1 else 2,
    ).format(
        name=name,
        planned=account_count(latest["active_accounts_planned"], _("active")),
        quarter=quarter_text(first.table.index[-1]),
        actual=count(actual),
        error=change(latest["active_accounts_error"], "relative"),
        band=_in_band(latest["active_accounts_inside"]),
    )
    notes = []
    for name, (kept, check) in compared.items():
        accounts, revenue = check.summary.loc["active_accounts"], check.summary.loc["platform_revenue"]
        row = check.table.iloc[-1]
        notes.append(
            _(
                "{name} ({saved} on data up to {data_quarter}): {quarters} quarter(s) to check; active accounts "
                "inside the band in {accounts_inside}, mean absolute error {accounts_error}; platform revenue "
                "inside in {revenue_inside}, mean absolute error {revenue_error}. In {quarter} it planned "
                "{planned} of platform revenue; {actual} came in ({error}, {band})."
            ).format(
                name=name,
                saved=_saved(kept),
                data_quarter=quarter_text(kept.last_quarter),
                quarters=count(accounts["quarters"]),
                accounts_inside=count(accounts["inside_band"]),
                accounts_error=share(accounts["mean_absolute_error"]),
                revenue_inside=count(revenue["inside_band"]),
                revenue_error=share(revenue["mean_absolute_error"]),
                quarter=quarter_text(check.table.index[-1]),
                planned=money(row["platform_revenue_planned"], currency),
                actual=money(row["platform_revenue_actual"], currency),
                error=change(row["platform_revenue_error"], "relative"),
                band=_in_band(row["platform_revenue_inside"]),
            )
        )
    notes += [_("{name}: {waiting}.").format(name=name, waiting=waiting_text(kept)) for name, kept in waiting.items()]
    notes.append(_("Ask the room: which assumption of the plan did the quarters since prove wrong?"))
    return headline, tuple(notes)


def _saved(kept: KeptProjection) -> str:
    """``saved 2026-05-04 by ana@example.com``, ``saved 2026-05-04``, ``saved by …`` or ``saved``."""
    date = f"{kept.saved_at:%Y-%m-%d}" if kept.saved_at is not None else None
    if date and kept.saved_by:
        return _("saved {date} by {person}").format(date=date, person=kept.saved_by)
    if date:
        return _("saved {date}").format(date=date)
    return _("saved by {person}").format(person=kept.saved_by) if kept.saved_by else _("saved")
