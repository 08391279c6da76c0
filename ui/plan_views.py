"""The scenario lab's Plan vs actual section: each saved scenario's kept projection (the plan as it
was saved) against the quarters committed since (``scenarios.plan_vs_actual``)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from b2b_core import charts, scenarios
from b2b_core.access import shown_actor
from b2b_core.i18n import _
from b2b_core.quarters import quarter_text
from b2b_core.store import Workspace
from ui import columns, lifecycle_views
from ui import format as fmt


def _record(name: str, kept: scenarios.KeptProjection, check: scenarios.PlanVsActual, labels: Mapping[str, str]) -> str:
    """One scenario's record as a sentence: when and by whom it was saved, then per output
    (``labels``: output → its name) the quarters inside the band and the mean absolute error."""
    saved = _("saved {day}").format(day=f"{kept.saved_at:%Y-%m-%d}") if kept.saved_at is not None else _("saved")
    if kept.saved_by:
        saved = _("{saved} by {who}").format(saved=saved, who=fmt.plain(shown_actor(kept.saved_by)))
    parts = [
        _("{output} inside the band in {inside} of {n} quarter(s), mean absolute error {error}").format(
            output=label,
            inside=int(row["inside_band"]),
            n=int(row["quarters"]),
            error=fmt.share(row["mean_absolute_error"]),
        )
        for output, row in check.summary.iterrows()
        if (label := labels.get(output)) and row["quarters"]
    ]
    return _("**{name}** ({saved} on data up to {last}, {n} quarters planned): {record}.").format(
        name=fmt.plain(name),
        saved=saved,
        last=quarter_text(kept.last_quarter),
        n=kept.horizon,
        record=_("; ").join(parts),
    )


def plan_vs_actual(ws: Workspace, metric: str, labels: Mapping[str, str]) -> None:
    """The section: the chart of ``metric`` (active accounts when a plan lacks it; ``labels``:
    output → its name) for the saved scenarios with a planned quarter in the data, their table
    with the errors, and for the others, when they can be checked."""
    st.subheader(_("Plan vs actual"))
    kept = ws.kept_projections()
    unkept = [name for name, _ in ws.saved_scenarios() if name not in kept]
    kpis = lifecycle_views.kpis()
    checks = {name: (k, scenarios.plan_vs_actual(k, kpis)) for name, k in kept.items()}
    compared = {name: pair for name, pair in checks.items() if pair[1].compared}
    st.caption(
        _(
            "Saving a scenario keeps its projection as it is then; once later quarters are committed, it is shown "
            "here against what they hold. Saving a scenario again replaces its kept projection."
        )
    )
    if compared:
        shown = metric if all(metric in k.outputs for k, _ in compared.values()) else "active_accounts"
        plans = {name: k.projection for name, (k, _) in compared.items()}
        actual = scenarios.actual_path([k for k, _ in compared.values()], kpis, shown)
        st.plotly_chart(
            charts.plan_vs_actual(plans, actual, shown, labels[shown], scenarios.BAND),
            width="stretch",
            key="lab:plan_chart",
        )
        st.markdown("\n".join(f"- {_record(name, k, check, labels)}" for name, (k, check) in compared.items()))
        table = pd.concat({name: check.table for name, (_, check) in compared.items()}, names=["scenario", "quarter"])
        shown, settings = columns.against_actual_shown(table, "planned")
        st.dataframe(shown, width="stretch", column_config=settings)
    for name, (k, check) in checks.items():
        if not check.compared:
            st.caption(_("{name}: {why}.").format(name=fmt.plain(name), why=scenarios.waiting_text(k)))
    if unkept:
        st.caption(
            _("Saved without a kept projection: {names}. Save them again to keep one.").format(
                names=_(", ").join(fmt.plain(n) for n in unkept)
            )
        )
