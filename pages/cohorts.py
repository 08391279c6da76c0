"""Cohort renewals: retention triangles, cohort curves, Kaplan–Meier survival, the sBG projection
and renewal by contract cycle, for the accounts of the chosen segments, regions and tiers."""

import streamlit as st

from b2b_core import charts, cohorts, contract
from b2b_core.i18n import N_, _
from b2b_core.quarters import quarter_text
from b2b_core.report import headlines
from ui import cohort_views as views
from ui import columns, downloads, shell, state
from ui import format as fmt
from ui.filters import attribute_name, filter_controls, value_name

METRIC_LABELS = {  # metric → (radio label, value title), shown translated
    "logo": (N_("Accounts (logo retention)"), cohorts.OBSERVED_SHARE),
    "nrr": (N_("Revenue (NRR)"), N_("Platform revenue retained")),
    "grr": (N_("Revenue without expansion (GRR)"), N_("Platform revenue retained, capped")),
}
BASIS_LABELS = {"initial": N_("% of signup period"), "previous": N_("% of previous period"), "count": N_("Counts")}
PERIOD_NAMES = {"quarter": N_("Quarters"), "year": N_("Years")}
PERIOD_TEXTS = {  # the texts that name the period, whole sentences for each (shown translated)
    "quarter": {
        "needs": N_("The projection needs at least one cohort observed for two quarters. Upload more quarters."),
        "horizon": N_("Project to age (quarters)"),
        "fit_on": N_("Fit on the first … quarters of each cohort"),
        "fitted_on": N_(" (fit on {n} quarters)"),
        "lifetime": N_("Expected quarters active, next 10 years"),
        "homogeneous": N_(
            "Churn looks the same for every account here (α + β is very large): the model reduces to a constant "
            "renewal rate of {rate} per quarter, and α and β matter only as a ratio."
        ),
        "model": N_(
            "Shifted-beta-geometric model (Fader & Hardie, 2007), fitted on the survivor counts of {cohorts} "
            "cohorts ({accounts} accounts): each account renews every quarter with its own probability, and those "
            "probabilities vary across accounts, so retention rises with age as the likeliest leavers go first. "
            "Solid: ages used in the fit; dashed: projection with its 95% band (delta method)."
        ),
    },
    "year": {
        "needs": N_("The projection needs at least one cohort observed for two years. Upload more quarters."),
        "horizon": N_("Project to age (years)"),
        "fit_on": N_("Fit on the first … years of each cohort"),
        "fitted_on": N_(" (fit on {n} years)"),
        "lifetime": N_("Expected years active, next 10 years"),
        "homogeneous": N_(
            "Churn looks the same for every account here (α + β is very large): the model reduces to a constant "
            "renewal rate of {rate} per year, and α and β matter only as a ratio."
        ),
        "model": N_(
            "Shifted-beta-geometric model (Fader & Hardie, 2007), fitted on the survivor counts of {cohorts} "
            "cohorts ({accounts} accounts): each account renews every year with its own probability, and those "
            "probabilities vary across accounts, so retention rises with age as the likeliest leavers go first. "
            "Solid: ages used in the fit; dashed: projection with its 95% band (delta method)."
        ),
    },
}
YEAR_IN = {"quarter": 4, "year": 1}  # periods in a year


def survival_columns() -> dict:
    """The at-risk table's column settings, named in the run's language."""
    return columns.numbers(
        at_risk=(_("At risk"), "localized"),
        churned=(_("Churned"), "localized"),
        censored=(_("Censored (still active)"), "localized"),
        survival=(_(cohorts.SURVIVAL), "percent"),
        lower=(_("95% band, low"), "percent"),
        upper=(_("95% band, high"), "percent"),
    )


def period_text(period: str, name: str) -> str:
    """The text ``name`` of ``PERIOD_TEXTS`` for ``period``, in the run's language."""
    return _(PERIOD_TEXTS[period][name])


shell.require_app_shell()
st.title(_("Cohort renewals"))
ws = state.workspace()
observed = state.quarters()
if len(observed) < 2:
    st.info(
        (
            _(
                "Cohort curves compare each signup cohort with itself over time, so they need at least two quarters "
                "of data; the workspace has {n} ({quarter}). Upload another quarter's account export on the "
                "**Data** page."
            )
            if observed
            else _(
                "Cohort curves compare each signup cohort with itself over time, so they need at least two quarters "
                "of data; the workspace has {n}. Upload another quarter's account export on the **Data** page."
            )
        ).format(n=len(observed), quarter=quarter_text(observed[0]) if observed else "")
    )
    st.stop()

# Controls
options = views.filter_options()
controls = st.columns([1.2, 1, 1, 1])
period = (
    controls[0].segmented_control(
        _("Periods"), ["quarter", "year"], default="quarter", format_func=lambda p: _(PERIOD_NAMES[p]), key="period"
    )
    or "quarter"
)
selection = filter_controls(controls[1:], options)
first_cohort = views.first_cohort()
leave_out_first = st.checkbox(
    _("Leave out the {quarter} cohort").format(quarter=quarter_text(first_cohort.quarter)),
    value=first_cohort.leave_out,
    key="leave_out_first",
    help=_(
        "Accounts already active in the first quarter of the data may have signed up earlier: then that row is "
        "not a true signup cohort."
    ),
)
st.caption(
    _(
        "By default: {reason} The rule: left out when it holds more than {ratio}× the median of the next {n} cohorts."
    ).format(reason=first_cohort.reason, ratio=f"{cohorts.BACKLOG_RATIO:g}", n=cohorts.COMPARED_COHORTS)
)
year, covered = cohorts.last_year_coverage(observed)
if period == "year" and covered < 4:
    st.caption(
        _("{year} is covered by {covered} of 4 quarters so far: its cells hold only those quarters.").format(
            year=year, covered=covered
        )
    )

logo = views.matrix(selection, leave_out_first, period, "logo", "initial")
if logo.empty:
    st.info(_("No account in this selection was ever active. Widen the filters or include the first cohort."))
    st.stop()

# Headline numbers: always in quarters (age 4 = one year), whatever the periods below
active_means, why_they_differ = _(contract.ACTIVE_MEANS), _(cohorts.WHY_THEY_DIFFER)
survival_by_quarter = views.survival(selection, leave_out_first, "quarter", None)
nrr_by_quarter = views.matrix(selection, leave_out_first, "quarter", "nrr", "initial")
fitted_by_quarter = views.projection(selection, leave_out_first, "quarter", None, 20)
heads = st.columns(4)
heads[0].metric(
    _("Accounts in these cohorts"),
    fmt.count(logo.loc[cohorts.AVERAGE, "accounts"]),
    help=_("Accounts of these cohorts: a cohort is the accounts first active in that quarter. {active}").format(
        active=active_means
    ),
    border=True,
)
survival_4q = fmt.share(survival_by_quarter["survival"].get(4, float("nan")))
heads[1].metric(
    _("Survival after 4 quarters (Kaplan–Meier)"),
    survival_4q,
    help=fmt.why_unknown(
        survival_4q,
        _("No account of these cohorts has been followed for 4 quarters yet."),
        _("Kaplan–Meier survival at age 4 quarters. {active} {why}").format(active=active_means, why=why_they_differ),
    ),
    border=True,
)
nrr_4q = fmt.share(nrr_by_quarter.loc[cohorts.AVERAGE].get(4, float("nan")))
heads[2].metric(
    _("Revenue retained after 4 quarters (NRR)"),
    nrr_4q,
    help=fmt.why_unknown(
        nrr_4q,
        _(
            "No cohort here has been followed for 4 quarters yet, or those that have brought no platform revenue in "
            "their signup quarter."
        )
        if 4 in nrr_by_quarter
        else _("No cohort here has been followed for 4 quarters yet."),
        _(
            "Platform revenue of these cohorts 4 quarters after signup, as a share of their revenue in the signup "
            "quarter, churned accounts included. A signup quarter is often only partly billed, which lifts this ratio."
        ),
    ),
    border=True,
)
if fitted_by_quarter and not fitted_by_quarter[2]:  # no headline from a fit the data do not support
    lifetime, horizon = fitted_by_quarter[0].headline_lifetime()
    heads[3].metric(
        _("{label} (sBG)").format(label=headlines.lifetime_label(horizon)),
        f"{lifetime:.1f}",
        help=(
            _(
                "Mean quarters a new account stays active, by the sBG model fitted on all cohorts: "
                "(α + β − 1) / (α − 1), the model's whole mean."
            )
            if horizon is None
            else _(
                "Mean quarters a new account stays active, by the sBG model fitted on all cohorts: the model's mean "
                "has no finite value (α ≤ 1), so this is the mean over the next {horizon} quarters."
            ).format(horizon=horizon)
        ),
        border=True,
    )

one_year = YEAR_IN[period]
triangle, curves, survival, projection, renewal = st.tabs(
    views.tab_labels(),
    key=views.OPEN_TAB,
    on_change="rerun",  # only the open tab is computed and drawn
)


@st.fragment
def triangle_view() -> None:
    """The retention triangle of the chosen measure and basis. A control here reruns this tab only."""
    left, right = st.columns(2)
    metric = left.radio(
        _("Measure"), list(METRIC_LABELS), format_func=lambda m: _(METRIC_LABELS[m][0]), horizontal=True, key="metric"
    )
    basis = right.radio(
        _("Show"), list(BASIS_LABELS), format_func=lambda b: _(BASIS_LABELS[b]), horizontal=True, key="basis"
    )
    table = views.matrix(selection, leave_out_first, period, metric, basis)
    value_title = (
        _(METRIC_LABELS[metric][1])
        if basis != "count"
        else (_("Accounts") if metric == "logo" else fmt.amount_title(_("Platform revenue")))
    )
    st.plotly_chart(
        charts.retention_heatmap(table, value_title, as_share=basis != "count", period=period),
        width="stretch",
        key="triangle_chart",
    )
    st.caption(
        _(
            "Each row is the accounts that became active in that period; each column an age since then. The last row "
            "weighs every cohort by its size (Σ numerator / Σ denominator of the cohorts that reached that age). NRR "
            "counts expansion; GRR caps each account at its signup-period revenue."
        )
        if metric != "logo"
        else _(
            "Each row is the accounts that became active in that period; each column an age since then. The last row "
            "weighs every cohort by its size (Σ numerator / Σ denominator of the cohorts that reached that age). "
            "{observed}: of a cohort's accounts, those active in that very period. {active} The headline's survival "
            "differs: {why}"
        ).format(observed=_(cohorts.OBSERVED_SHARE), active=active_means, why=why_they_differ)
    )
    downloads.csv_button(
        _("Download this table (CSV)"), views.shown(table), f"cohorts_{metric}_{basis}_{period}.csv", "dl:triangle"
    )


@st.fragment
def curves_view() -> None:
    """One retention curve per cohort and their weighted average. A control here reruns this tab only."""
    curve_metric = st.radio(
        _("Measure"),
        list(METRIC_LABELS),
        format_func=lambda m: _(METRIC_LABELS[m][0]),
        horizontal=True,
        key="curve_metric",
    )
    shares = views.matrix(selection, leave_out_first, period, curve_metric, "initial")
    value_title = _("{measure} (% of signup period)").format(measure=_(METRIC_LABELS[curve_metric][1]))
    st.plotly_chart(
        charts.cohort_curves(shares, cohorts.AVERAGE, value_title, period), width="stretch", key="curves_chart"
    )
    st.caption(_("Thin lines: one per signup cohort, darker for older cohorts. Thick line: the size-weighted average."))
    downloads.csv_button(
        _("Download the curves (CSV)"), views.shown(shares), f"cohort_curves_{curve_metric}_{period}.csv", "dl:curves"
    )


@st.fragment
def survival_view() -> None:
    """Kaplan–Meier survival, optionally by group, with its at-risk table. A control here reruns this tab only."""
    compare = st.radio(
        _("Compare by"),
        ["none", *options],
        format_func=lambda c: _("All accounts") if c == "none" else attribute_name(c),
        horizontal=True,
        key="compare",
    )
    by = None if compare == "none" else compare
    km = views.survival(selection, leave_out_first, period, by)
    groups = (
        {_("All accounts"): km}
        if by is None
        else {value_name(g): km.xs(g) for g in km.index.get_level_values(0).unique()}
    )
    st.plotly_chart(charts.survival_curves(groups, period), width="stretch", key="survival_chart")
    st.caption(
        _(
            "{survival}: share of accounts still active by age, counting accounts that are still active at the last "
            "quarter as censored (they have not churned yet), with 95% bands (Greenwood, log-log). An account that "
            "came back after a gap counts as active through the gap. {active} It differs from the retention "
            "triangle's {observed}: {why}"
        ).format(
            survival=_(cohorts.SURVIVAL),
            active=active_means,
            observed=_(cohorts.OBSERVED_SHARE).lower(),
            why=why_they_differ,
        )
    )
    with st.expander(_("At-risk table")):
        st.dataframe(views.shown(km), width="stretch", column_config=views.shown_config(survival_columns()))
    downloads.csv_button(
        _("Download the survival table (CSV)"), views.shown(km), f"survival_{compare}_{period}.csv", "dl:survival"
    )


@st.fragment
def projection_view() -> None:
    """The sBG projection, its horizon and the check on held-out ages. A control here reruns this tab only."""
    default = views.projection(selection, leave_out_first, period, None, 5 * one_year)
    if default is None:
        st.info(period_text(period, "needs"))
    else:
        longest = default[0].n_periods_  # the oldest cohort's last observed age
        settings = st.columns(2)
        horizon = settings[0].slider(
            period_text(period, "horizon"),
            min_value=longest,
            max_value=max(longest + 1, 10 * one_year),
            value=max(longest, 5 * one_year),
            key="horizon",
        )
        holdout = longest >= 3 and settings[1].toggle(
            _("Check the model on data it has not seen"),
            value=False,
            key="holdout",
            help=_("Fit on the first ages only, then compare the projection with the ages left out."),
        )
        fit_periods = None
        if holdout:
            fit_periods = settings[1].slider(
                period_text(period, "fit_on"), 1, longest - 1, max(1, longest // 2), key="fit_periods"
            )
        model, check, warning = views.projection(selection, leave_out_first, period, fit_periods, horizon)
        if warning:
            st.warning(_("The model is unreliable here: {warning}.").format(warning=warning))
        elif model.homogeneous_:
            st.info(period_text(period, "homogeneous").format(rate=fmt.share(model.retention_rate(1))))
        fitted_on = period_text(period, "fitted_on").format(n=fit_periods) if fit_periods else ""
        facts = st.columns(4)
        for place, name, value, (low, high) in (
            (facts[0], "α", model.alpha_, model.alpha_interval_),
            (facts[1], "β", model.beta_, model.beta_interval_),
        ):
            place.metric(
                name + fitted_on,
                fmt.estimate(value),
                help=_("95% interval {low} to {high}").format(low=fmt.estimate(low), high=fmt.estimate(high)),
                border=True,
            )
        facts[2].metric(
            period_text(period, "lifetime") + fitted_on,
            f"{model.expected_lifetime(horizon=10 * one_year):.1f}",
            border=True,
        )
        held_out_error = (
            fmt.UNKNOWN if not holdout else _("{points} pts").format(points=f"{100 * cohorts.holdout_error(check):.1f}")
        )
        facts[3].metric(
            _("Error on held-out ages"),
            held_out_error,
            help=fmt.why_unknown(
                held_out_error,
                _(
                    "No age is held out: turn on “Check the model on data it has not seen” (it needs cohorts "
                    "followed for 3 or more periods)."
                )
                if longest < 3
                else _("No age is held out: turn on “Check the model on data it has not seen”."),
                _(
                    "Mean absolute difference between projected and Kaplan–Meier survival on the ages left out of "
                    "the fit."
                ),
            ),
            border=True,
        )
        st.plotly_chart(charts.sbg_projection(check, period), width="stretch", key="sbg_chart")
        st.caption(period_text(period, "model").format(cohorts=model.n_cohorts_, accounts=fmt.count(model.n_accounts_)))
        buttons = st.columns(2)
        downloads.csv_button(
            _("Download the projection (CSV)"),
            views.shown(check),
            f"sbg_projection_{period}.csv",
            "dl:projection",
            place=buttons[0],
        )
        downloads.csv_button(
            _("Download the survivor counts it was fitted on (CSV)"),
            views.shown(views.survivors(selection, leave_out_first, period)),
            f"survivor_counts_{period}.csv",
            "dl:survivors",
            place=buttons[1],
        )


@st.fragment
def renewal_view() -> None:
    """Renewal by contract cycle. A control here reruns this tab only."""
    cycles = views.renewals(selection)
    if cycles.empty:
        st.info(
            _(
                "Renewal by contract cycle needs contract end dates. Map a column to **contract_end** (and "
                "**contract_value** for value rates) when you upload."
            )
        )
    else:
        st.plotly_chart(charts.renewal_cycles(cycles), width="stretch", key="renewal_chart")
        st.caption(
            _(
                "A contract comes up for renewal in the quarter of its end date and counts as renewed if the account "
                "is active the quarter after; contracts not yet decided are pending. Net value counts the next "
                "contract's value (expansion included), gross caps it at the old value. Accounts already active in "
                "the first quarter of the data are counted on their own row: their earlier contracts are not in the "
                "data, so their cycle numbers are unknown."
            )
        )
        st.dataframe(
            views.shown(cycles),
            width="stretch",
            column_config=views.shown_config(
                columns.numbers(
                    up_for_renewal=(_("Contracts up for renewal"), "localized"),
                    renewed=(_("Renewed"), "localized"),
                    pending=(_("Not yet decided"), "localized"),
                    logo_rate=(_("Accounts renewed"), "percent"),
                    value_up=(fmt.amount_title(_("Value up for renewal")), "compact"),
                    value_renewed=(fmt.amount_title(_("Value renewed")), "compact"),
                    value_rate=(_("Value renewed, net"), "percent"),
                    gross_value_rate=(_("Value kept, gross"), "percent"),
                )
            ),
        )
        downloads.csv_button(
            _("Download renewal by cycle (CSV)"), views.shown(cycles), "renewal_by_cycle.csv", "dl:renewal"
        )


for tab, view in zip(
    (triangle, curves, survival, projection, renewal),
    (triangle_view, curves_view, survival_view, projection_view, renewal_view),
    strict=True,
):
    if tab.open:
        with tab:
            view()
