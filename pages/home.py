"""Overview: a quarter of the chosen accounts against the quarter before it or the same quarter a
year before, where its revenue came from and went (the revenue bridge), and the KPIs by quarter."""

import streamlit as st

from b2b_core import charts, overview, quarters
from b2b_core.i18n import N_, _
from b2b_core.quarters import quarter_text
from ui import downloads, overview_views, quadrant_views, shell, state
from ui import format as fmt
from ui.filters import attribute_name, filter_controls

# KPI → (how to show the value, how to show its change)
SHOWN = {
    "active_accounts": (fmt.count, "count"),
    "platform_revenue": (fmt.money, "relative"),
    "b_side_revenue": (fmt.money, "relative"),
    "take_rate": (fmt.share, "points"),
    "new_accounts": (fmt.count, "count"),
    "churned_accounts": (fmt.count, "count"),
}
REVENUES = {"platform_revenue": N_("Platform revenue"), "b_side_revenue": N_("B-side revenue")}
OTHER = {"quarter": "year", "year": "quarter"}
COMPARED_WITH = {"quarter": N_("Quarter before"), "year": N_("Year before")}


def comparison_name(comparison: str) -> str:
    """``Quarter on quarter`` / ``Year on year`` in the run's language, as a sentence starts."""
    return _(overview.COMPARISON_NAMES[comparison]).capitalize()


def shown_change(headline: overview.Headline) -> str | None:
    kind = SHOWN[headline.name][1]
    return fmt.change(headline.relative_change if kind == "relative" else headline.change, kind)


def help_text(headline: overview.Headline, other: overview.Headline, other_quarter: str | None, comparison: str) -> str:
    """The metric's tooltip: why a dash or a missing change, and the other comparison's change."""
    said = [_("{reason}.").format(reason=headline.why[0].upper() + headline.why[1:])] if headline.why else []
    other_change = shown_change(other)
    if other_change is not None:
        said.append(
            _("{comparison} (vs {quarter}): {change}.").format(
                comparison=comparison_name(OTHER[comparison]), quarter=quarter_text(other_quarter), change=other_change
            )
        )
    return fmt.sentences(*said) or _("{comparison} change.").format(comparison=comparison_name(comparison))


@st.fragment
def bridge_section(selection, quarter: str, observed: list[str], split_by: list[str]) -> None:
    """The chosen quarter's revenue bridge with its quick ratio, split by an attribute on request,
    and the bridge by quarter; the revenue and split choices rerun this part only."""
    st.subheader(_("Where revenue came from and went"))
    choices = st.columns([1, 2])
    revenue = (
        choices[0].segmented_control(
            _("Revenue"),
            list(REVENUES),
            format_func=fmt.in_language(lambda r: _(REVENUES[r])),
            default="platform_revenue",
            key="overview:revenue",
        )
        or "platform_revenue"
    )
    by = choices[1].segmented_control(
        _("Split by"),
        split_by,
        format_func=fmt.in_language(attribute_name),
        key="overview:split",
        help=_(
            "Each account counts under its attribute of the quarter, under that of the quarter before when it churned."
        ),
    )
    bridge = overview_views.bridge(selection, revenue)
    shown = overview.formatted_bridge(bridge, state.currency()).rename_axis(_("quarter"))
    label = _(REVENUES[revenue])
    said = {"quarter": quarter_text(quarter), "before": quarter_text(quarters.shift(quarter, -1))}
    if quarter not in bridge.index:
        st.info(
            _("No bridge for {quarter}: {reason}.").format(
                reason=overview.why_no_bridge(quarter, observed), quarter=said["quarter"]
            )
        )
    elif revenue == "b_side_revenue" and bridge.loc[quarter, "start"] == 0 and bridge.loc[quarter, "end"] == 0:
        st.info(_("No B-side revenue is reported in {before} or {quarter}: there is nothing to bridge.").format(**said))
    else:
        row = bridge.loc[quarter]
        gained, lost = overview.gained_and_lost(row)
        facts = st.columns(3)
        facts[0].metric(_("Gained (new, reactivated, expansion)"), fmt.money(gained), border=True)
        facts[1].metric(_("Lost (contraction, churned)"), fmt.money(lost), border=True)
        facts[2].metric(
            _("Quick ratio"),
            shown.loc[quarter, overview.bridge_labels()["quick_ratio"]],
            border=True,
            help=overview.quick_ratio_meaning(overview.quick_ratio(bridge).loc[quarter], quarter),
        )
        st.plotly_chart(
            charts.revenue_bridge_waterfall(row, quarter, label, state.currency()), width="stretch", key="bridge_chart"
        )
        if by:
            split = overview_views.bridge(selection, revenue, by).loc[[quarter]]
            split = overview.formatted_bridge(split, state.currency())
            split = split.droplevel("quarter").rename_axis(attribute_name(by).lower())
            st.dataframe(split, width="stretch")
            downloads.csv_button(
                _("Download the bridge by {attribute} (CSV)").format(attribute=attribute_name(by).lower()),
                split,
                f"{revenue}_bridge_by_{by}_{quarter}.csv",
                "dl:split",
            )
    with st.expander(_("{revenue} bridge by quarter").format(revenue=label)):
        st.caption(
            _(
                "Each account's revenue in the quarter before and in the quarter, 0 without a row. New: its first "
                "quarter with revenue; reactivated: back after a quarter without; churned: down to 0."
            )
        )
        st.dataframe(shown, width="stretch")
        downloads.csv_button(_("Download the bridge (CSV)"), shown, f"{revenue}_bridge.csv", "dl:bridge")


shell.require_app_shell()
st.title(_("Overview"))
state.workspace_with_data()
controls = st.columns([1, 1.7, 1, 1, 1, 1])
options = quadrant_views.filter_options()
selection = filter_controls(controls[2:], options)
kpis = overview_views.kpis(selection)
if kpis.empty:
    st.info(_("No account matches these filters. Widen them to see the KPIs."))
    st.stop()
quarter = controls[0].selectbox(
    _("Quarter"), list(reversed(kpis.index)), format_func=fmt.in_language(quarter_text), key="overview:quarter"
)
comparison = (
    controls[1].segmented_control(
        _("Compare with"),
        list(overview.COMPARISONS),
        format_func=fmt.in_language(lambda c: _(COMPARED_WITH[c])),
        default="quarter",
        key="overview:comparison",
    )
    or "quarter"
)
if selection:
    st.caption(_("Filters choose accounts by their latest segment, region, tier and owner, with their whole history."))

quarter, compared, headlines = overview.headlines(kpis, quarter, comparison)
other_quarter, others = overview.headlines(kpis, quarter, OTHER[comparison])[1:]
wanted = quarters.shift(quarter, -overview.COMPARISONS[comparison])
st.caption(
    _("Quarter **{quarter}**, compared with {before} ({comparison})").format(
        quarter=quarter_text(quarter),
        before=quarter_text(compared),
        comparison=_(overview.COMPARISON_NAMES[comparison]),
    )
    if compared
    else _("Quarter **{quarter}**, no comparison: {before} is not in the data").format(
        quarter=quarter_text(quarter), before=quarter_text(wanted)
    )
)
by_name = {h.name: h for h in others}
shown = [h for h in headlines if h.name in SHOWN]
for column, headline in zip(st.columns(len(shown)), shown, strict=True):
    show = SHOWN[headline.name][0]
    column.metric(
        _(overview.KPI_LABELS[headline.name]),
        show(headline.value),
        delta=shown_change(headline),
        delta_color="inverse" if headline.name == "churned_accounts" else "normal",
        border=True,
        help=help_text(headline, by_name[headline.name], other_quarter, comparison),
    )
other_revenue = shown_change(by_name["platform_revenue"])
if other_revenue is not None:
    st.caption(
        _("{comparison}, platform revenue {change} ({before} → {quarter}).").format(
            comparison=comparison_name(OTHER[comparison]),
            change=other_revenue,
            before=quarter_text(other_quarter),
            quarter=quarter_text(quarter),
        )
    )

bridge_section(selection, quarter, state.quarters(), [c for c in overview.BRIDGE_BY if c in options])

st.subheader(_("By quarter"))
st.plotly_chart(charts.kpi_trend(kpis, state.currency()), width="stretch", key="kpi_trend")
with st.expander(_("KPIs by quarter")):
    table = overview.formatted_kpis(kpis, state.currency()).rename_axis(_("quarter"))
    st.dataframe(table, width="stretch")
    for line in overview.unknown_values(kpis):
        st.caption(f"– {line}")
    downloads.csv_button(_("Download the KPIs (CSV)"), table, "kpis_by_quarter.csv", "dl:kpis")
