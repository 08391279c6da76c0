"""Lifecycle priorities: the stage the business is in and why, the operating levers ranked with
the parts of their scores, and what-if controls (stage, business model, thresholds, weights,
capacity) with the change against the data-driven ranking."""

import pandas as pd
import streamlit as st

from b2b_core import charts, contract, i18n, lifecycle, playbook
from b2b_core.access import PermissionDenied
from b2b_core.i18n import N_, _
from b2b_core.lifecycle import stage_name
from b2b_core.playbook import business_model_name, rule_name
from b2b_core.quarters import quarter_text
from b2b_core.store import WorkspaceError
from ui import auth, columns, downloads, lifecycle_views, shell, state
from ui import format as fmt

MODEL_NAMES = playbook.BUSINESS_MODEL_NAMES
SIGNAL_TRENDS = {  # titles in English, translated as the chart is drawn
    "active_accounts": (N_("Active accounts"), "count"),
    "platform_revenue_growth_annual": (N_("Platform revenue growth (annual)"), "share"),
    "active_accounts_growth_annual": (N_("Active-account growth (annual)"), "share"),
    "logo_retention_4q": (N_("Logo retention, 4 quarters (observed share)"), "share"),
    "nrr_4q": (N_("NRR (4 quarters)"), "share"),
    "activation": (N_("Activation: last quarter's new accounts active again"), "share"),
    "top10_share": (N_("Top-10 revenue concentration"), "share"),
    "share_q4": (N_("Accounts under-monetised (quadrant IV)"), "share"),
}
RULE_SIGNALS = {  # the signals of the bundled rules, as the rules' table names them (English: their keys)
    "logo_retention_4q": N_("logo_retention_4q"),
    "nrr_4q": N_("nrr_4q"),
    "activation": N_("activation"),
    "new_accounts_growth_yoy": N_("new_accounts_growth_yoy"),
    "q4_b_side_revenue_share": N_("q4_b_side_revenue_share"),
    "q2_platform_revenue_share": N_("q2_platform_revenue_share"),
    "top10_share": N_("top10_share"),
}
PRIORITY_EXPORT = {  # the priorities' CSV: its headers (the rules' columns keep their ids), translated
    "name": N_("name"),
    "base": N_("base"),
    "score": N_("score"),
    "rank": N_("rank"),
    "units": N_("units"),
}
THRESHOLD_STEPS = {"min_quarters": 1, "cold_start_accounts": 10, "traction_accounts": 50}
CHANGE = N_("change vs data-driven rank")  # the priority table's column (its label translated)
RULE_COLUMNS = {  # the rules' table: column → its header, in English (translated where shown)
    "lever": N_("lever"),
    "signal": N_("signal"),
    "value": N_("value"),
    "direction": N_("direction"),
    "target": N_("target"),
    "gap": N_("gap"),
    "cap": N_("cap"),
    "adjustment": N_("adjustment"),
    "rationale": N_("rationale"),
}


def lever_actions(lever: playbook.Lever, stage: str) -> str:
    """A lever's actions for ``stage`` as a Markdown list."""
    return "\n".join(f"- {action}" for action in lever.actions[stage])


shell.require_app_shell()
person = auth.current()
st.title(_("Lifecycle priorities"))
ws = state.workspace_with_data()
file_book = state.readable_playbook()
saved_weights = ws.playbook_weights()
book, unfit = file_book.with_saved_weights(saved_weights)
for problem in unfit:
    st.warning(_("Not applied: {problem}. An editor can save them again.").format(problem=problem))
if "flash:lifecycle" in st.session_state:
    st.success(st.session_state.pop("flash:lifecycle"))
metrics = lifecycle_views.metrics()

# What-if controls
controls = st.columns([1, 1, 1])
model = controls[0].selectbox(
    _("Business model"),
    list(MODEL_NAMES),
    format_func=fmt.in_language(business_model_name),
    key="model",
    bind="query-params",
)
model_name = business_model_name(model)
with st.expander(_("Stage thresholds"), icon=":material/tune:"):
    cells = st.columns(len(lifecycle.THRESHOLD_NAMES))
    chosen = {}
    for cell, (name, label) in zip(cells, lifecycle.THRESHOLD_NAMES.items(), strict=True):
        default = getattr(lifecycle.DEFAULTS, name)
        if name in THRESHOLD_STEPS:
            chosen[name] = cell.number_input(_(label), 0, None, default, THRESHOLD_STEPS[name], key=f"threshold:{name}")
        else:
            percent = _("{threshold} (%)").format(threshold=_(label))
            chosen[name] = cell.number_input(percent, 0.0, 500.0, 100 * default, 5.0, key=f"threshold:{name}") / 100
try:
    thresholds = lifecycle.thresholds_from(chosen)
except ValueError as exc:
    st.warning(_("These thresholds cannot be used ({reason}); the defaults apply.").format(reason=exc))
    thresholds = lifecycle.DEFAULTS
detected = lifecycle.detect_stage(metrics, thresholds)
# default thresholds: the data-driven answer
baseline = detected[-1] if thresholds == lifecycle.DEFAULTS else lifecycle.detect_stage(metrics)[-1]
current = detected[-1]
override = controls[1].selectbox(
    _("Stage"),
    ["data", *lifecycle.STAGE_NAMES],
    format_func=fmt.in_language(
        lambda s: (
            _("From the data: {stage}").format(stage=current.name)
            if s == "data"
            else _("Assume {stage}").format(stage=stage_name(s))
        )
    ),
    key="stage",
    bind="query-params",
)
stage = current.assumes if override == "data" else override
capacity = controls[2].number_input(
    _("Capacity to allocate (people or budget units)"), 0, 10_000, 12, 1, key="capacity"
)
chosen_case = {"stage": stage_name(stage), "model": model_name}

with st.expander(_("Base weights for {stage} · {model}").format(**chosen_case), icon=":material/edit:"):
    editor_key = f"weights:{stage}:{model}:{st.session_state.get('weights_reset', 0)}"
    lever_column, weight_column = _("lever"), _("weight")
    defaults = pd.DataFrame(
        {
            lever_column: [lever.name for lever in book.levers],
            weight_column: [book.weights[(stage, model)][lever.key] for lever in book.levers],
        },
        index=[lever.key for lever in book.levers],
    )
    edited = st.data_editor(
        defaults,
        key=editor_key,
        hide_index=True,
        disabled=[lever_column],
        column_config={
            weight_column: st.column_config.NumberColumn(_("Base weight"), min_value=0.0, max_value=100.0, step=0.5)
        },
        width="stretch",
    )
    edited_weights = dict(zip(edited.index, edited[weight_column].fillna(0.0), strict=True))
    what_if_book = book.with_weights(stage, model, edited_weights)
    actions = st.columns(3)
    if actions[0].button(_("Undo my edits"), key="reset_weights"):
        st.session_state["weights_reset"] = st.session_state.get("weights_reset", 0) + 1
        st.rerun()
    changed = edited_weights != book.weights[(stage, model)]
    if actions[1].button(
        _("Save for everyone"),
        key="save_weights",
        disabled=not changed or not person.can("edit_playbook"),
        help=auth.needs("edit_playbook")
        if not person.can("edit_playbook")
        else _("Every session then starts from these weights."),
    ):
        try:
            ws.save_playbook_weights(stage, model, edited_weights, actor=person)
        except (PermissionDenied, ValueError, WorkspaceError) as exc:
            st.error(_("Not saved: {reason}").format(reason=fmt.plain(exc)))
        else:
            st.session_state["weights_reset"] = st.session_state.get("weights_reset", 0) + 1
            st.session_state["flash:lifecycle"] = _("Saved the weights of {stage} · {model}.").format(**chosen_case)
            st.rerun()
    if (stage, model) in saved_weights and actions[2].button(
        _("Back to the playbook file's weights"),
        key="unsave_weights",
        disabled=not person.can("edit_playbook"),
        help=auth.needs("edit_playbook") if not person.can("edit_playbook") else None,
    ):
        try:
            ws.reset_playbook_weights(stage, model, actor=person)
        except (PermissionDenied, WorkspaceError) as exc:
            st.error(_("Not changed: {reason}").format(reason=fmt.plain(exc)))
        else:
            st.session_state["weights_reset"] = st.session_state.get("weights_reset", 0) + 1
            st.rerun()
    st.caption(
        fmt.sentences(
            _(
                "Edits apply to this page until you save them for everyone (editors); saved weights are recorded in "
                "the audit trail and override the playbook file's, which stays as it is."
            ),
            _("These weights were saved in the workspace.") if (stage, model) in saved_weights else "",
        )
    )

# Headline: the stage and why
st.subheader(_("Stage in {quarter}: {stage}").format(quarter=quarter_text(current.quarter), stage=current.name))
why = [f"- {'✓' if check.holds else '✗'} {lifecycle.check_text(check)}" for check in current.checks]
evidence, distance = st.columns(2)
evidence.markdown(_("**Evidence** (each rule's test, in order: ✓ passed, ✗ not)") + "\n" + "\n".join(why))
distance.markdown(
    _("**Distance to {stage}**").format(stage=stage_name(current.next_stage))
    + "\n"
    + "\n".join(f"- {d}" for d in current.distance)
)
if thresholds != lifecycle.DEFAULTS and current.stage != baseline.stage:
    st.info(_("With the default thresholds the stage would be {stage}.").format(stage=baseline.name))
if current.stage == lifecycle.NOT_ENOUGH_HISTORY and stage == current.assumes:
    st.info(
        _(
            "{history} of the {needed} needed to tell the growth stages apart. The priorities below assume {stage}, "
            "what the growth of these quarters suggests; choose the stage above if you know better."
        ).format(history=current.name, needed=thresholds.min_quarters, stage=stage_name(stage))
    )
elif stage != current.assumes:
    st.warning(_("Priorities below assume {stage}, not the stage the data show.").format(stage=stage_name(stage)))

timeline_column, journey_column = st.columns([2, 1])
timeline_column.plotly_chart(
    charts.stage_timeline(lifecycle.stage_timeline(detected)), width="stretch", key="timeline_chart"
)
with journey_column:
    st.markdown(_("**Customer journey · {model}**").format(model=model_name))
    st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(book.journeys[model], start=1)))

# Priorities
st.subheader(_("What ops should do first"))
ranked = lifecycle.prioritize(metrics, stage, model, what_if_book)
data_driven = lifecycle.prioritize(metrics, baseline.assumes, model, book)  # default thresholds, stage and weights
change = data_driven["rank"].reindex(ranked.index) - ranked["rank"]
rule_names = {rule.id: rule_name(rule.id) for rule in book.rules}
st.plotly_chart(charts.lever_scores(ranked, rule_names), width="stretch", key="levers_chart")
units = lifecycle.allocate(ranked, capacity)
table = pd.DataFrame(
    {
        _("rank"): ranked["rank"],
        _("lever"): ranked["name"],
        _("score"): ranked["score"],
        _(CHANGE): change.map(lambda c: "–" if c == 0 else f"{c:+.0f}"),
        _("allocated"): units,
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config=columns.numbers(**{_("score"): (_("score"), "%.1f")})
    | {_(CHANGE): fmt.unknown_column(_(CHANGE), _("the same place as in the data-driven ranking."))},
)
unfunded = _(", ").join(ranked.loc[units == 0, "name"])
st.caption(
    fmt.sentences(
        _(
            "Score = the playbook's base weight for this stage and business model + the adjustments of the rules "
            "whose signal misses its target (each capped at its own cap or at the spread of the base weights, the "
            "larger: a signal far from its target can take its lever to the top). Change: places a lever moved "
            "(+ = up) against the ranking for {model} with the stage from the data, the default thresholds and the "
            "playbook's weights. Capacity goes to the levers scoring above the median score, in proportion to how "
            "far above, in whole units and at least {units} each (a lever that would get less is left out, the "
            "lowest-ranked first)."
        ).format(model=model_name, units=lifecycle.MIN_UNITS),
        _("Left unfunded: {levers}.").format(levers=unfunded) if unfunded else "",
    )
)
adjustments = lifecycle.rule_adjustments(metrics.iloc[-1], stage, model, what_if_book)
with st.expander(_("Why: every rule, its signal and its target")):
    header = {column: _(name) for column, name in RULE_COLUMNS.items()}
    st.dataframe(
        adjustments.assign(
            lever=adjustments["lever"].map(lambda key: book.lever(key).name),
            signal=adjustments["signal"].map(lambda key: _(RULE_SIGNALS[key]) if key in RULE_SIGNALS else key),
            direction=adjustments["direction"].map(lambda key: _(playbook.DIRECTION_NAMES[key])),
        )
        .rename(index=rule_name, columns=header)
        .rename_axis(_("rule")),
        width="stretch",
        column_order=[header[c] for c in RULE_COLUMNS if c != "gap"],
        column_config=columns.numbers(
            **{header["target"]: (header["target"], "percent"), header["adjustment"]: (_("score points"), "%.2f")}
        )
        | {
            header["value"]: st.column_config.NumberColumn(
                header["value"],
                format="percent",
                help=_(
                    "The signal in the latest quarter. Empty: the data cannot measure it yet (a 4-quarter signal "
                    "needs a year of data, activation last quarter's new accounts, the quadrant shares B-side "
                    "revenue); its rule then adds nothing."
                ),
            ),
            header["rationale"]: st.column_config.TextColumn(header["rationale"], width="large"),
        },
    )
for key, row in ranked.head(3).iterrows():
    lever = book.lever(key)
    with st.container(border=True):
        heading = _("**{rank}. {lever}** · score {score}").format(
            rank=row["rank"], lever=lever.name, score=f"{row['score']:.1f}"
        )
        st.markdown(f"{heading}  \n{lever.description}")
        st.markdown(lever_actions(lever, stage))
with st.expander(_("Actions of the other levers")):
    for key in ranked.index[3:]:
        lever = book.lever(key)
        st.markdown(f"**{lever.name}**  \n" + lever_actions(lever, stage))

st.subheader(_("Signals over time"))
st.caption(
    fmt.sentences(
        _(contract.ACTIVE_MEANS),
        _(
            "Activation: of the accounts first active in the quarter before, the share active again (a new account "
            "is active in its first quarter by definition). Logo retention and NRR (4 quarters) are observed shares: "
            "of the accounts active a year before, those active now, and their revenue now against then."
        ),
    )
)
st.plotly_chart(  # in its own plain template: under Streamlit's theme Chromium spent ~4 s laying out these small plots
    lifecycle_views.signal_trends(state.data_version(), i18n.language(), tuple(SIGNAL_TRENDS.items())),
    width="stretch",
    key="signals_chart",
    theme=None,
)
buttons = st.columns(2)
downloads.csv_button(
    _("Download the priorities (CSV)"),
    ranked.join(units).rename(columns=lambda c: _(PRIORITY_EXPORT[c]) if c in PRIORITY_EXPORT else c),
    f"priorities_{stage}_{model}.csv",
    "dl:priorities",
    place=buttons[0],
)
downloads.csv_button(
    _("Download the signals by quarter (CSV)"), metrics, "company_signals.csv", "dl:signals", place=buttons[1]
)
