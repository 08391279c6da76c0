"""Overview: the workspace's latest quarter against the one before it."""

import streamlit as st

from b2b_core import charts, overview
from ui import downloads, lifecycle_views, shell, state
from ui import format as fmt

# KPI → (label, how to show the value, how to show its change)
SHOWN = {
    "active_accounts": ("Active accounts", fmt.count, "count"),
    "platform_revenue": ("Platform revenue", fmt.money, "relative"),
    "b_side_revenue": ("B-side revenue", fmt.money, "relative"),
    "take_rate": ("Take rate", fmt.share, "points"),
    "new_accounts": ("New accounts", fmt.count, "count"),
    "churned_accounts": ("Churned accounts", fmt.count, "count"),
}

shell.require_app_shell()
st.title("Overview")
kpis = lifecycle_views.kpis()
latest, previous, headlines = overview.headlines(kpis)
if latest is None:
    st.info(state.NO_DATA)
    st.stop()

st.caption(f"Latest quarter **{latest}**" + (f", compared with {previous}" if previous else " (no previous quarter)"))
shown = [h for h in headlines if h.name in SHOWN]
for column, headline in zip(st.columns(len(shown)), shown, strict=True):
    label, show, kind = SHOWN[headline.name]
    column.metric(
        label,
        show(headline.value),
        delta=fmt.change(headline.relative_change if kind == "relative" else headline.change, kind),
        delta_color="inverse" if headline.name == "churned_accounts" else "normal",
        border=True,
    )

st.plotly_chart(charts.kpi_trend(kpis), width="stretch")
with st.expander("KPIs by quarter"):
    st.dataframe(kpis, width="stretch")
    downloads.csv_button("Download CSV", kpis, "kpis_by_quarter.csv", "dl:kpis")
