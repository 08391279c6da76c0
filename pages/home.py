"""Overview: the workspace's latest quarter against the one before it."""

import streamlit as st

from b2b_core import charts, exports, overview
from ui import format as fmt
from ui import state

LABELS = {
    "active_accounts": ("Active accounts", fmt.count),
    "platform_revenue": ("Platform revenue", fmt.money),
    "b_side_revenue": ("B-side revenue", fmt.money),
    "take_rate": ("Take rate", fmt.share),
    "new_accounts": ("New accounts", fmt.count),
    "churned_accounts": ("Churned accounts", fmt.count),
}

st.title("Overview")
panel = state.live_panel()
latest, previous, headlines = overview.latest_headlines(panel)
if latest is None:
    st.info("The workspace has no data yet. Upload a quarter's account export on the **Data** page.")
    st.stop()

st.caption(f"Latest quarter **{latest}**" + (f", compared with {previous}" if previous else " (no previous quarter)"))
shown = [h for h in headlines if h.name in LABELS]
for column, headline in zip(st.columns(len(shown)), shown, strict=True):
    label, formatter = LABELS[headline.name]
    if headline.name == "take_rate":
        delta = None if previous is None else f"{100 * headline.change:+.2f} pts"
    elif headline.name in ("active_accounts", "new_accounts", "churned_accounts"):
        delta = None if previous is None else f"{headline.change:+,.0f}"
    else:
        delta = None if previous is None else fmt.share(headline.relative_change)
    column.metric(
        label,
        formatter(headline.value),
        delta=delta,
        delta_color="inverse" if headline.name == "churned_accounts" else "normal",
        border=True,
    )

kpis = overview.quarter_kpis(panel)
st.plotly_chart(charts.kpi_trend(kpis), width="stretch")
with st.expander("KPIs by quarter"):
    st.dataframe(kpis, width="stretch")
    st.download_button("Download CSV", exports.csv_bytes(kpis, index=True), "kpis_by_quarter.csv", "text/csv")
