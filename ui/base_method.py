"""The lab's account of its base: how each part is projected, with the evidence the data give,
and how the same method did on the data's last four quarters (the back-test)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from b2b_core import quarters, scenarios
from b2b_core.i18n import _
from b2b_core.quarters import quarter_text
from ui import columns
from ui import format as fmt
from ui import scenario_views as views


def take_rate_text(base: scenarios.Base) -> str:
    """How the base projects the take rate, with its evidence, in one line."""
    if not base.has_b_side:
        return _("none: the data have no B-side revenue.")
    if base.take_rate is None:
        return _("B-side revenue follows its own trend: no quarter has a positive take rate to model.")
    if base.reported_share >= 1:
        return _("{evidence}; B-side revenue follows platform revenue at that rate.").format(
            evidence=base.take_rate.evidence()
        )
    return _(
        "{evidence}; B-side revenue follows platform revenue at that rate ({share} of platform revenue comes "
        "from accounts that report B-side revenue)."
    ).format(evidence=base.take_rate.evidence(), share=fmt.share(base.reported_share))


def coverage_text(errors: pd.Series) -> str:
    """How many held-out quarters a band held, from a ``backtest_errors`` row: ``3 of 4 quarters``."""
    held_out = int(errors["quarters"])
    return _("{held} of {n} quarters").format(held=round(errors["coverage"] * held_out), n=held_out)


def method(base: scenarios.Base, first: str) -> str:
    """The method as Markdown bullets, one per part of the base (``first``: the first projected
    quarter)."""
    last, starts = quarter_text(base.last_quarter), quarter_text(first)
    weight = f"{base.platform.churn_weight:.2f}"
    bullets = [
        _(
            "- **Renewal:** a shifted-beta-geometric model fitted on {cohorts} signup cohorts\n"
            "  (α {alpha}, β {beta}). Each account active in {last} keeps\n"
            "  renewing at the rate of its age, so older accounts, which renew more, are projected to stay longer."
        ).format(cohorts=base.fitted_cohorts, alpha=fmt.estimate(base.alpha), beta=fmt.estimate(base.beta), last=last),
        _(
            "- **New accounts:** {count} in {first}: {evidence} (flat: the mean of\n"
            "  the last four quarters; damped trend, trend or seasonal: exponential smoothing of the signups, "
            "with growth\n"
            "  that fades, growth that holds, or a quarterly season; the back-test forecasts each of the last four\n"
            "  quarters from the quarters before it)."
        ).format(count=fmt.count(base.new_accounts), first=starts, evidence=base.arrivals.evidence()),
        _(
            "- **Revenue per account:** its level in {last}; a new account starts at\n"
            "  {start} in {first} ({evidence}), then moves by\n"
            "  ×{ramp} into its first full quarter and by {growth} a\n"
            "  quarter after that{note} (the data's last four quarters, from one to the next within\n"
            "  ±{spread}). Revenue leaves with the accounts that churn, weighted by their\n"
            "  size: in the last four quarters the accounts that left took {weight} times their\n"
            "  share of accounts in revenue, so an account's revenue renews with 1 − {weight} × (1 − its\n"
            "  renewal rate)."
        ).format(
            last=last,
            start=fmt.money(base.platform.new_account),
            first=starts,
            evidence=base.platform.starts.evidence(),
            ramp=f"{base.platform.ramp:.2f}",
            growth=fmt.change(base.platform.growth, "relative"),
            note=_(" (set by hand)") if "revenue_growth" in views.overrides() else "",
            spread=fmt.share(base.platform.growth_spread),
            weight=weight,
        ),
        _("- **Take rate:** {how}").format(how=take_rate_text(base)),
        _(
            "- **Band:** {band} of {draws} simulated paths that redraw the renewal model within\n"
            "  its uncertainty, the level of arrivals and of a new account's revenue within their models' back-test\n"
            "  errors (and their distance to the runner-up model), the revenue growth within its quarter-to-quarter\n"
            "  spread, the take rate within its model's error, and the accounts that renew and arrive."
        ).format(band=f"{scenarios.BAND:.0%}", draws=scenarios.DRAWS),
    ]
    return "\n" + "\n".join(bullets) + "\n"


def backtest_text(check: pd.DataFrame) -> str:
    """The back-test of a ``scenarios.backtest`` table in a paragraph: its errors, what they say
    and how often the band held the actual values."""
    errors = scenarios.backtest_errors(check)
    bias = errors.loc["active_accounts", "mean"]
    verdict = (
        _("The base fell short: new accounts arrived faster than their recent mean, or renewals improved.")
        if bias < -0.05
        else _("The base overshot: new accounts slowed down, or renewals weakened.")
        if bias > 0.05
        else _("The base held within 5% on accounts.")
    )
    return _(
        "**Back-test:** the same method measured on the data up to {cut}, then projected over the quarters "
        "that followed. Mean error: {accounts} on active accounts, {revenue} on platform revenue. {verdict} "
        "The {band} band held the actual active accounts in {accounts_held} and the platform revenue in "
        "{revenue_held}."
    ).format(
        cut=quarter_text(quarters.shift(check.index[0], -1)),
        accounts=fmt.share(errors.loc["active_accounts", "mean_absolute"]),
        revenue=fmt.share(errors.loc["platform_revenue", "mean_absolute"]),
        verdict=verdict,
        band=f"{scenarios.BAND:.0%}",
        accounts_held=coverage_text(errors.loc["active_accounts"]),
        revenue_held=coverage_text(errors.loc["platform_revenue"]),
    )


def show(data: str, base: scenarios.Base, first: str) -> None:
    """The expander with the method and the back-test of the data version ``data``."""
    with st.expander(_("How the base is projected, and how it did on the last four quarters")):
        st.markdown(method(base, first))
        check = views.backtest(data)
        if isinstance(check, str):
            st.caption(_("No back-test: {reason}.").format(reason=check))
            return
        st.markdown(backtest_text(check))
        shown, settings = columns.against_actual_shown(check, "projected", ("active_accounts", "platform_revenue"))
        st.dataframe(shown, width="stretch", column_config=settings)
