"""Cohort renewals: retention triangles, cohort curves, Kaplan–Meier survival, the sBG projection
and renewal by contract cycle, for the accounts of the chosen segments, regions and tiers."""

import streamlit as st

from b2b_core import charts, cohorts, contract
from b2b_core.report import headlines
from ui import cohort_views as views
from ui import columns, downloads, shell, state
from ui import format as fmt
from ui.filters import filter_controls

METRIC_LABELS = {  # metric → (radio label, value title)
    "logo": ("Accounts (logo retention)", cohorts.OBSERVED_SHARE),
    "nrr": ("Revenue (NRR)", "Platform revenue retained"),
    "grr": ("Revenue without expansion (GRR)", "Platform revenue retained, capped"),
}
BASIS_LABELS = {"initial": "% of signup period", "previous": "% of previous period", "count": "Counts"}
SURVIVAL_COLUMN_CONFIG = columns.numbers(
    at_risk=("At risk", "localized"),
    churned=("Churned", "localized"),
    censored=("Censored (still active)", "localized"),
    survival=(cohorts.SURVIVAL, "percent"),
    lower=("95% band, low", "percent"),
    upper=("95% band, high", "percent"),
)
YEAR_IN = {"quarter": 4, "year": 1}  # periods in a year

shell.require_app_shell()
st.title("Cohort renewals")
ws = state.workspace()
observed = state.quarters()
if len(observed) < 2:
    st.info(
        "Cohort curves compare each signup cohort with itself over time, so they need at least two quarters of "
        f"data; the workspace has {len(observed)}"
        + (f" ({observed[0]})" if observed else "")
        + ". Upload another quarter's account export on the **Data** page."
    )
    st.stop()

# Controls
options = views.filter_options()
controls = st.columns([1.2, 1, 1, 1])
period = (
    controls[0].segmented_control(
        "Periods", ["quarter", "year"], default="quarter", format_func=lambda p: f"{p.capitalize()}s", key="period"
    )
    or "quarter"
)
selection = filter_controls(controls[1:], options)
first_cohort = views.first_cohort()
leave_out_first = st.checkbox(
    f"Leave out the {first_cohort.quarter} cohort",
    value=first_cohort.leave_out,
    key="leave_out_first",
    help="Accounts already active in the first quarter of the data may have signed up earlier: then that row is "
    "not a true signup cohort.",
)
st.caption(
    f"By default: {first_cohort.reason} The rule: left out when it holds more than {cohorts.BACKLOG_RATIO:g}× the "
    f"median of the next {cohorts.COMPARED_COHORTS} cohorts."
)
year, covered = cohorts.last_year_coverage(observed)
if period == "year" and covered < 4:
    st.caption(f"{year} is covered by {covered} of 4 quarters so far: its cells hold only those quarters.")

logo = views.matrix(selection, leave_out_first, period, "logo", "initial")
if logo.empty:
    st.info("No account in this selection was ever active. Widen the filters or include the first cohort.")
    st.stop()

# Headline numbers: always in quarters (age 4 = one year), whatever the periods below
survival_by_quarter = views.survival(selection, leave_out_first, "quarter", None)
nrr_by_quarter = views.matrix(selection, leave_out_first, "quarter", "nrr", "initial")
fitted_by_quarter = views.projection(selection, leave_out_first, "quarter", None, 20)
heads = st.columns(4)
heads[0].metric(
    "Accounts in these cohorts",
    fmt.count(logo.loc[cohorts.AVERAGE, "accounts"]),
    help=f"Accounts of these cohorts: a cohort is the accounts first active in that quarter. {contract.ACTIVE_MEANS}",
    border=True,
)
survival_4q = fmt.share(survival_by_quarter["survival"].get(4, float("nan")))
heads[1].metric(
    "Survival after 4 quarters (Kaplan–Meier)",
    survival_4q,
    help=fmt.why_unknown(
        survival_4q,
        "No account of these cohorts has been followed for 4 quarters yet.",
        f"Kaplan–Meier survival at age 4 quarters. {contract.ACTIVE_MEANS} {cohorts.WHY_THEY_DIFFER}",
    ),
    border=True,
)
nrr_4q = fmt.share(nrr_by_quarter.loc[cohorts.AVERAGE].get(4, float("nan")))
heads[2].metric(
    "Revenue retained after 4 quarters (NRR)",
    nrr_4q,
    help=fmt.why_unknown(
        nrr_4q,
        "No cohort here has been followed for 4 quarters yet"
        + (", or those that have brought no platform revenue in their signup quarter." if 4 in nrr_by_quarter else "."),
        "Platform revenue of these cohorts 4 quarters after signup, as a share of their revenue in the signup "
        "quarter, churned accounts included. A signup quarter is often only partly billed, which lifts this ratio.",
    ),
    border=True,
)
if fitted_by_quarter and not fitted_by_quarter[2]:  # no headline from a fit the data do not support
    lifetime, horizon = fitted_by_quarter[0].headline_lifetime()
    heads[3].metric(
        f"{headlines.lifetime_label(horizon)} (sBG)",
        f"{lifetime:.1f}",
        help="Mean quarters a new account stays active, by the sBG model fitted on all cohorts: "
        + (
            "(α + β − 1) / (α − 1), the model's whole mean."
            if horizon is None
            else f"the model's mean has no finite value (α ≤ 1), so this is the mean over the next {horizon} quarters."
        ),
        border=True,
    )

unit = period
one_year = YEAR_IN[period]
triangle, curves, survival, projection, renewal = st.tabs(
    views.TABS,
    key=views.OPEN_TAB,
    on_change="rerun",  # only the open tab is computed and drawn
)


@st.fragment
def triangle_view() -> None:
    """The retention triangle of the chosen measure and basis. A control here reruns this tab only."""
    left, right = st.columns(2)
    metric = left.radio(
        "Measure", list(METRIC_LABELS), format_func=lambda m: METRIC_LABELS[m][0], horizontal=True, key="metric"
    )
    basis = right.radio("Show", list(BASIS_LABELS), format_func=BASIS_LABELS.get, horizontal=True, key="basis")
    table = views.matrix(selection, leave_out_first, period, metric, basis)
    value_title = (
        METRIC_LABELS[metric][1]
        if basis != "count"
        else ("Accounts" if metric == "logo" else fmt.amount_title("Platform revenue"))
    )
    st.plotly_chart(
        charts.retention_heatmap(table, value_title, as_share=basis != "count", period=period),
        width="stretch",
        key="triangle_chart",
    )
    st.caption(
        "Each row is the accounts that became active in that period; each column an age since then. "
        "The last row weighs every cohort by its size (Σ numerator / Σ denominator of the cohorts that reached "
        "that age)."
        + (
            " NRR counts expansion; GRR caps each account at its signup-period revenue."
            if metric != "logo"
            else f" {cohorts.OBSERVED_SHARE}: of a cohort's accounts, those active in that very period. "
            f"{contract.ACTIVE_MEANS} The headline's survival differs: {cohorts.WHY_THEY_DIFFER}"
        )
    )
    downloads.csv_button("Download this table (CSV)", table, f"cohorts_{metric}_{basis}_{period}.csv", "dl:triangle")


@st.fragment
def curves_view() -> None:
    """One retention curve per cohort and their weighted average. A control here reruns this tab only."""
    curve_metric = st.radio(
        "Measure", list(METRIC_LABELS), format_func=lambda m: METRIC_LABELS[m][0], horizontal=True, key="curve_metric"
    )
    shares = views.matrix(selection, leave_out_first, period, curve_metric, "initial")
    st.plotly_chart(
        charts.cohort_curves(shares, cohorts.AVERAGE, f"{METRIC_LABELS[curve_metric][1]} (% of signup period)", period),
        width="stretch",
        key="curves_chart",
    )
    st.caption("Thin lines: one per signup cohort, darker for older cohorts. Thick line: the size-weighted average.")
    downloads.csv_button("Download the curves (CSV)", shares, f"cohort_curves_{curve_metric}_{period}.csv", "dl:curves")


@st.fragment
def survival_view() -> None:
    """Kaplan–Meier survival, optionally by group, with its at-risk table. A control here reruns this tab only."""
    compare = st.radio(
        "Compare by",
        ["none", *options],
        format_func=lambda c: "All accounts" if c == "none" else c.capitalize(),
        horizontal=True,
        key="compare",
    )
    by = None if compare == "none" else compare
    km = views.survival(selection, leave_out_first, period, by)
    groups = {"All accounts": km} if by is None else {g: km.xs(g) for g in km.index.get_level_values(0).unique()}
    st.plotly_chart(charts.survival_curves(groups, period), width="stretch", key="survival_chart")
    st.caption(
        f"{cohorts.SURVIVAL}: share of accounts still active by age, counting accounts that are still active at the "
        "last quarter as censored (they have not churned yet), with 95% bands (Greenwood, log-log). An account that "
        f"came back after a gap counts as active through the gap. {contract.ACTIVE_MEANS} It differs from the "
        f"retention triangle's {cohorts.OBSERVED_SHARE.lower()}: {cohorts.WHY_THEY_DIFFER}"
    )
    with st.expander("At-risk table"):
        st.dataframe(km, width="stretch", column_config=SURVIVAL_COLUMN_CONFIG)
    downloads.csv_button("Download the survival table (CSV)", km, f"survival_{compare}_{period}.csv", "dl:survival")


@st.fragment
def projection_view() -> None:
    """The sBG projection, its horizon and the check on held-out ages. A control here reruns this tab only."""
    default = views.projection(selection, leave_out_first, period, None, 5 * one_year)
    if default is None:
        st.info(f"The projection needs at least one cohort observed for two {unit}s. Upload more quarters.")
    else:
        longest = default[0].n_periods_  # the oldest cohort's last observed age
        settings = st.columns(2)
        horizon = settings[0].slider(
            f"Project to age ({unit}s)",
            min_value=longest,
            max_value=max(longest + 1, 10 * one_year),
            value=max(longest, 5 * one_year),
            key="horizon",
        )
        holdout = longest >= 3 and settings[1].toggle(
            "Check the model on data it has not seen",
            value=False,
            key="holdout",
            help="Fit on the first ages only, then compare the projection with the ages left out.",
        )
        fit_periods = None
        if holdout:
            fit_periods = settings[1].slider(
                f"Fit on the first … {unit}s of each cohort", 1, longest - 1, max(1, longest // 2), key="fit_periods"
            )
        model, check, warning = views.projection(selection, leave_out_first, period, fit_periods, horizon)
        if warning:
            st.warning(f"The model is unreliable here: {warning}.")
        elif model.homogeneous_:
            st.info(
                f"Churn looks the same for every account here (α + β is very large): the model reduces to a constant "
                f"renewal rate of {fmt.share(model.retention_rate(1))} per {unit}, and α and β matter only as a ratio."
            )
        fitted_on = f" (fit on {fit_periods} {unit}s)" if fit_periods else ""
        facts = st.columns(4)
        for place, name, value, (low, high) in (
            (facts[0], "α", model.alpha_, model.alpha_interval_),
            (facts[1], "β", model.beta_, model.beta_interval_),
        ):
            place.metric(
                name + fitted_on,
                fmt.estimate(value),
                help=f"95% interval {fmt.estimate(low)} to {fmt.estimate(high)}",
                border=True,
            )
        facts[2].metric(
            f"Expected {unit}s active, next 10 years{fitted_on}",
            f"{model.expected_lifetime(horizon=10 * one_year):.1f}",
            border=True,
        )
        held_out_error = fmt.UNKNOWN if not holdout else f"{100 * cohorts.holdout_error(check):.1f} pts"
        facts[3].metric(
            "Error on held-out ages",
            held_out_error,
            help=fmt.why_unknown(
                held_out_error,
                "No age is held out: turn on “Check the model on data it has not seen”"
                + (" (it needs cohorts followed for 3 or more periods)." if longest < 3 else "."),
                "Mean absolute difference between projected and Kaplan–Meier survival on the ages left out of the fit.",
            ),
            border=True,
        )
        st.plotly_chart(charts.sbg_projection(check, period), width="stretch", key="sbg_chart")
        st.caption(
            f"Shifted-beta-geometric model (Fader & Hardie, 2007), fitted on the survivor counts of {model.n_cohorts_} "
            f"cohorts ({model.n_accounts_:,} accounts): each account renews every {unit} with its own probability, "
            "and those probabilities vary across accounts, so retention rises with age as the likeliest leavers go "
            "first. Solid: ages used in the fit; dashed: projection with its 95% band (delta method)."
        )
        buttons = st.columns(2)
        downloads.csv_button(
            "Download the projection (CSV)", check, f"sbg_projection_{period}.csv", "dl:projection", place=buttons[0]
        )
        downloads.csv_button(
            "Download the survivor counts it was fitted on (CSV)",
            views.survivors(selection, leave_out_first, period),
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
            "Renewal by contract cycle needs contract end dates. Map a column to **contract_end** (and "
            "**contract_value** for value rates) when you upload."
        )
    else:
        st.plotly_chart(charts.renewal_cycles(cycles), width="stretch", key="renewal_chart")
        st.caption(
            "A contract comes up for renewal in the quarter of its end date and counts as renewed if the account is "
            "active the quarter after; contracts not yet decided are pending. Net value counts the next contract's "
            "value (expansion included), gross caps it at the old value. Accounts already active in the first "
            "quarter of the data are counted on their own row: their earlier contracts are not in the data, so their "
            "cycle numbers are unknown."
        )
        st.dataframe(
            cycles,
            width="stretch",
            column_config=columns.numbers(
                up_for_renewal=("Contracts up for renewal", "localized"),
                renewed=("Renewed", "localized"),
                pending=("Not yet decided", "localized"),
                logo_rate=("Accounts renewed", "percent"),
                value_up=(fmt.amount_title("Value up for renewal"), "compact"),
                value_renewed=(fmt.amount_title("Value renewed"), "compact"),
                value_rate=("Value renewed, net", "percent"),
                gross_value_rate=("Value kept, gross", "percent"),
            ),
        )
        downloads.csv_button("Download renewal by cycle (CSV)", cycles, "renewal_by_cycle.csv", "dl:renewal")


for tab, view in zip(
    (triangle, curves, survival, projection, renewal),
    (triangle_view, curves_view, survival_view, projection_view, renewal_view),
    strict=True,
):
    if tab.open:
        with tab:
            view()
