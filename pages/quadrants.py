"""Revenue quadrants: every account by its own revenue (x) against the platform's revenue from it
(y), how accounts moved since another quarter, who moved most, what to do per quadrant, and a
finer clustering."""

import pandas as pd
import streamlit as st

from b2b_core import account_search, charts, contract, exports, i18n, quadrants
from b2b_core.headers import NAMES, headed, header, keyed
from b2b_core.i18n import N_, _
from b2b_core.quadrants.assign import state_name
from b2b_core.quarters import quarter_text
from ui import columns, downloads, shell, state
from ui import format as fmt
from ui import quadrant_views as views
from ui.filters import filter_controls

CUTS = {"median": N_("Median"), "mean": N_("Mean"), "percentile": N_("Percentile"), "value": N_("Fixed values")}
CUT_BY = {
    "none": N_("Whole quarter"),
    "segment": N_("Each segment"),
    "region": N_("Each region"),
    "tier": N_("Each tier"),
}
MOVER_NUMBERS = ("platform_revenue_before", "platform_revenue_after", "platform_revenue_change")
MOVER_NUMBERS += ("b_side_revenue_before", "b_side_revenue_after", "b_side_revenue_change")


def mover_columns() -> dict:
    """The movers table's number columns, named in the run's language."""
    return keyed(columns.numbers(**{c: (_(NAMES[c]), "localized") for c in MOVER_NUMBERS}))


shell.require_app_shell()
st.title(_("Revenue quadrants"))
ws = state.workspace_with_data()
data = state.data_version()  # the cache key of everything computed from the data
observed = state.quarters()
play_key = state.playbook_key()
play = state.readable_playbook(play_key)

# Controls
options = views.filter_options()
top = st.columns(4)
cut_kind = top[0].selectbox(_("Cut points"), list(CUTS), format_func=lambda kind: _(CUTS[kind]), key="cut")
cut: quadrants.Cut = cut_kind
if cut_kind == "percentile":
    cut = ("percentile", top[1].slider(_("Percentile"), 5, 95, 50, 5, key="cut_percentile"))
elif cut_kind == "value":
    cut = (
        "value",
        top[1].number_input(_("B-side revenue cut"), min_value=0.0, value=100_000.0, step=10_000.0, key="cut_x"),
        top[2].number_input(_("Platform revenue cut"), min_value=0.0, value=10_000.0, step=1_000.0, key="cut_y"),
    )
if cut_kind != "value":
    cut_by = top[2 if cut_kind == "percentile" else 1].selectbox(
        _("Cut within"),
        [c for c in CUT_BY if c == "none" or c in options],
        format_func=lambda within: _(CUT_BY[within]),
        key="cut_by",
    )
else:
    cut_by = "none"
by = None if cut_by == "none" else cut_by
filters = st.columns(max(len(options), 1))
selection = filter_controls(filters, options)


VIEWS = (  # the views' keys, and their names in English (``_`` where shown)
    N_("Map"),
    N_("Play through quarters"),
    N_("Migration"),
    N_("Movers"),
    N_("Clusters"),
    N_("Mix over time"),
)
AXIS_NAMES = {"b_side_revenue": N_("B-side revenue"), "platform_revenue": N_("platform revenue")}
TIES_LISTED = 4  # cut points with many ties named on the page; the rest counted


def ties_note(ties: pd.DataFrame) -> None:
    """Say which cut points many accounts share (``cut_ties``), and that those accounts are shown
    at the cut, not as low."""
    if ties.empty:
        return
    point = views.cut_label("cut" if cut_kind == "value" else cut)
    said = []
    for row in ties.head(TIES_LISTED).itertuples():
        where = ""
        if by is not None:  # a group with cut points of its own, or the smaller ones sharing the quarter's
            group = _(views.GROUPS[by])
            where = (
                _(" of {group} {value}").format(group=group, value=fmt.plain(row.group))
                if row.group
                else _(" of the smaller {group} groups").format(group=group)
            )
        said.append(
            _("{tied} of the {accounts} accounts{where} ({share}) share the {axis} {point} of {cut}").format(
                tied=fmt.count(row.tied),
                accounts=fmt.count(row.accounts),
                where=where,
                share=fmt.share(row.share, 0),
                axis=_(AXIS_NAMES[row.axis]),
                point=point,
                cut=fmt.money(row.cut),
            )
        )
    more = len(ties) - TIES_LISTED
    listed = _("; ").join(said) + (_("; and {more} more cut points").format(more=more) if more > 0 else "")
    tie = fmt.share(quadrants.TIE_SHARE)
    st.info(
        _(
            "{listed} (to within {tie} or a cent): they are shown **at the cut**, in orange, not as low, and no "
            "quadrant counts them. A cut that many accounts sit on cannot tell them apart: a percentile or a fixed "
            "value may."
        ).format(listed=listed, tie=tie)
        if by
        else _(
            "{listed} (to within {tie} or a cent): they are shown **at the cut**, in orange on the cut lines, not as "
            "low, and no quadrant counts them. A cut that many accounts sit on cannot tell them apart: a percentile, "
            "a fixed value or cuts within groups may."
        ).format(listed=listed, tie=tie)
    )


def mix_numbers(row: pd.Series) -> str:
    """A placed state's line of numbers from its ``summary`` row."""
    return _("{accounts} accounts · {platform} of platform revenue · {b_side} of B-side revenue").format(
        accounts=fmt.count(row["accounts"]),
        platform=fmt.share(row["platform_revenue_share"]),
        b_side=fmt.share(row["b_side_revenue_share"]),
    )


def map_view(quarter: str, compared: str | None, moved: tuple[str, ...], placed: int, mix: pd.DataFrame) -> None:
    """The map of ``quarter`` with its look (axes, colours, bubble size), the ``moved`` accounts
    (ids) ringed, the quadrant cards (``mix``: ``summary`` of the quarter) and the download.
    ``placed``: the accounts of the quarter on the map, drawn or not."""
    look = st.columns([2, 3, 3, 4])
    log_axes = look[0].toggle(_("Log axes"), value=True, key="log_axes", help=_("Revenue spans orders of magnitude."))
    colour_choices = ["quadrant", *[c for c in ("segment", "tier", "region") if c in options], "cluster"]
    colour_by = look[1].selectbox(_("Colour by"), colour_choices, format_func=lambda c: _(NAMES[c]), key="colour_by")
    text = look[3].text_input(
        _("Find accounts"),
        key="find",
        max_chars=500,
        placeholder=_("Ids or parts of names, comma-separated"),
        help=_(
            "Marks up to {limit} accounts on the map, drawn whatever the sample, and says where each one is this "
            "quarter. Ids match whole, names in part, both ignoring case."
        ).format(limit=account_search.SEARCH_LIMIT),
    )
    search = views.find(text) if text.strip() else None
    found = tuple(search.accounts["account_id"]) if search is not None else ()
    shown = views.quarter(selection, quarter, cut, by, log_axes, moved)
    drawn = shown.drawn
    size_choices = [None, *[c for c in ("contract_value", *contract.custom_metrics(drawn)) if c in drawn.columns]]
    size_by = look[2].selectbox(
        _("Bubble size"),
        size_choices,
        format_func=lambda c: _("Same for all") if c is None else str(header(c)).replace("_", " ").capitalize(),
        key="size_by",
    )
    if colour_by == "cluster" and isinstance(clusters := views.segmentation(selection, quarter, cut, by), str):
        st.info(_("No clusters: {reason}. Colouring by quadrant.").format(reason=fmt.plain(clusters)))
        colour_by = "quadrant"
    figure = views.map_figure(
        i18n.language(),
        data,
        selection,
        quarter,
        cut,
        by,
        log_axes,
        colour_by,
        size_by,
        play_key,
        compared,
        found,
        state.currency(),
    )
    st.plotly_chart(figure, width="stretch", key="quadrant_chart")
    if search is not None:
        search_report(search, quarter)
    zero = shown.zero
    tied = int(shown.states[quadrants.AT_CUT])
    st.caption(
        views.sentences(
            _(
                "Each dot is an account. Dashed lines are the cut points of all the quarter's accounts (filters "
                "choose whom to show, not where the lines are); an account exactly at a cut counts as low, unless "
                "many accounts share that cut point: those are at the cut, in orange."
            )
            if tied
            else _(
                "Each dot is an account. Dashed lines are the cut points of all the quarter's accounts (filters "
                "choose whom to show, not where the lines are); an account exactly at a cut counts as low."
            ),
            _(
                "The dotted line is the median take rate: accounts below it pay less than the typical share of what "
                "they earn."
            ),
            _("{zero} accounts with zero revenue on an axis sit on that axis's floor.").format(zero=f"{zero:,}")
            if log_axes and zero
            else "",
            _("With cuts per group there is no single pair of cut lines to draw.") if by else "",
            (
                _(
                    "The map draws {drawn} of the {placed} accounts: the largest on each axis, the largest quadrant "
                    "changes, and a random share of each quadrant; the grey cells under them show where all of them "
                    "sit."
                )
                if moved
                else _(
                    "The map draws {drawn} of the {placed} accounts: the largest on each axis, and a random share of "
                    "each quadrant; the grey cells under them show where all of them sit."
                )
            ).format(drawn=f"{len(drawn):,}", placed=f"{placed:,}")
            if shown.sampled
            else "",
            _(
                "Ringed: the {count} accounts that changed quadrant since {quarter} with the largest change in "
                "platform revenue (all of them under Movers)."
            ).format(count=len(moved), quarter=quarter_text(compared))
            if moved
            else "",
        )
    )
    for card, quadrant_play in zip(st.columns(4), play.quadrants, strict=True):
        q = quadrant_play.quadrant
        numbers = f"{mix_numbers(mix.loc[q])} · " + _("priority {priority}").format(priority=quadrant_play.priority)
        # one element per card: each element is redrawn at every step of the quarter
        card.container(border=True).markdown(
            f"**{play.label(q)}**  \n{_(quadrants.POSITIONS[q])}\n\n:small[:gray[{numbers}]]\n\n"
            f"{quadrant_play.meaning}\n\n" + "\n".join(f"- {action}" for action in quadrant_play.actions)
        )
    if tied:
        at_cut = _("At the cut")
        st.container(border=True).markdown(
            f"**{at_cut}**  \n:small[:gray[{mix_numbers(mix.loc[quadrants.AT_CUT])}]]\n\n"
            + _(
                "Tied with a cut point that many accounts share: neither high nor low on that axis, so no quadrant's "
                "play applies to them yet. Tell them apart first (another cut, cuts within groups, or what else they "
                "report) before calling any of them under-monetised."
            )
        )
    rows = int(shown.states.sum())  # the quarter's accounts, placed or not
    downloads.file_button(
        _("Download every account of this quarter (CSV)")
        if rows <= exports.CSV_ROW_LIMIT
        else _(
            "Download the {limit} accounts of this quarter with the largest platform revenue (CSV, of {rows}: a "
            "spreadsheet opens no more rows)"
        ).format(limit=f"{exports.CSV_ROW_LIMIT:,}", rows=f"{rows:,}"),
        views.in_language(lambda: views.accounts_csv(selection, quarter, cut, by, play)),
        f"quadrants_{quarter}.csv",
        "text/csv",
        "dl:map",
    )


def search_report(search: account_search.Search, quarter: str) -> None:
    """Where each account the search found is in ``quarter``, and what it did not find."""
    rows = views.found_rows(selection, quarter, cut, by, tuple(search.accounts["account_id"])).set_index("account_id")
    places = []
    for account, name in zip(search.accounts["account_id"], search.accounts["account_name"], strict=True):
        if account not in rows.index:
            place = _("no row in {quarter}").format(quarter=quarter_text(quarter))
        elif (where := rows.loc[account, "quadrant"]) not in quadrants.PLACED:
            place = _("{state} in {quarter}, not on the map").format(
                state=state_name(where), quarter=quarter_text(quarter)
            )
        else:
            shown_here = rows.loc[account, "in_selection"]
            place = play.label(where) + ("" if shown_here else _(", outside the filters, not drawn"))
        places.append(f"**{fmt.plain(account)}**" + (f" {fmt.plain(name)}" if name else "") + f": {place}")
    notes = []
    if search.matched > len(search.accounts):
        notes.append(
            _(
                "{matched} accounts match; {marked} are marked, those whose id was typed first, then the others by "
                "id. Type whole ids or more of a name to narrow the search."
            ).format(matched=f"{search.matched:,}", marked=len(search.accounts))
        )
    if search.unmatched:
        notes.append(
            _("No account has the id, or a name containing: {terms}.").format(
                terms=", ".join(fmt.plain(t) for t in search.unmatched)
            )
        )
    if search.ignored:
        notes.append(
            _("Only the first {limit} terms were searched, {ignored} more were not.").format(
                limit=account_search.MAX_TERMS, ignored=search.ignored
            )
        )
    if places:
        st.markdown(_("Found: {places}").format(places=" · ".join(places)))
    if notes:
        (st.caption if places else st.info)(views.sentences(*notes))


def play_view() -> None:
    """Every quarter's map in turn, on fixed axes."""
    st.caption(
        _(
            "Press Play to watch accounts move quarter by quarter; the axes stay fixed so that a move is a real "
            "move. Log axes, coloured by quadrant."
        )
    )
    animation = views.play_through(
        i18n.language(), data, selection, tuple(observed), cut, by, play_key, state.currency()
    )
    if animation is None:
        st.info(_("A play-through needs at least two quarters with B-side revenue."))
    else:
        st.plotly_chart(animation, width="stretch", key="play_chart")


def migration_view(quarter: str, compare_with: str, flow: quadrants.Migration) -> None:
    """Who moved between the quadrants, counted in accounts or revenue."""
    sides = st.columns(2)
    revenue_in = _("Platform revenue in {quarter}")
    measure = sides[0].radio(
        _("Show"),
        ["accounts", "before", "after"],
        horizontal=True,
        key="migration_measure",
        format_func={
            "accounts": _("Accounts"),
            "before": revenue_in.format(quarter=quarter_text(compare_with)),
            "after": revenue_in.format(quarter=quarter_text(quarter)),
        }.get,
    )
    matrix = flow.matrix if measure == "accounts" else flow.revenue(measure)
    st.plotly_chart(
        charts.migration_heatmap(
            matrix,
            play,
            _("Accounts")
            if measure == "accounts"
            else revenue_in.format(quarter=quarter_text(quarter if measure == "after" else compare_with)),
            measure != "accounts",
            compare_with,
            quarter,
        ),
        width="stretch",
        key="migration_chart",
    )
    st.plotly_chart(
        charts.migration_sankey(flow.matrix, play, compare_with, quarter), width="stretch", key="sankey_chart"
    )
    st.caption(
        _(
            "Rows: where accounts were in {before} (new: never active before; returning: active earlier, not in "
            "{before}). Columns: where they are in {after} (churned: not active). Each quarter is cut by its own cut "
            "points."
        ).format(before=quarter_text(compare_with), after=quarter_text(quarter))
    )
    downloads.csv_button(
        _("Download the migration matrix (CSV)"),
        headed(play.named(matrix)),
        f"migration_{compare_with}_{quarter}_{measure}.csv",
        "dl:migration",
    )


def movers_view(quarter: str, compare_with: str, flow: quadrants.Migration) -> None:
    """The accounts that changed state, the largest change in platform revenue first."""
    table = headed(play.named(flow.movers))
    st.caption(
        (
            _(
                "{moved} accounts changed state between {before} and {after}, the largest change in platform revenue "
                "first; the {listed} largest are listed, the download holds all."
            )
            if flow.moved > len(table)
            else _(
                "{moved} accounts changed state between {before} and {after}, the largest change in platform revenue "
                "first."
            )
        ).format(
            moved=f"{flow.moved:,}",
            before=quarter_text(compare_with),
            after=quarter_text(quarter),
            listed=f"{len(table):,}",
        )
    )
    st.dataframe(table, hide_index=True, width="stretch", column_config=mover_columns())
    downloads.file_button(
        _("Download the movers (CSV)")
        if flow.moved <= exports.CSV_ROW_LIMIT
        else _("Download the {limit} largest movers (CSV, of {moved}: a spreadsheet opens no more rows)").format(
            limit=f"{exports.CSV_ROW_LIMIT:,}", moved=f"{flow.moved:,}"
        ),
        views.in_language(lambda: views.movers_csv(selection, compare_with, quarter, cut, by, play)),
        f"movers_{compare_with}_{quarter}.csv",
        "text/csv",
        "dl:movers",
    )


def clusters_view(quarter: str) -> None:
    """A finer segmentation of the quarter's placed accounts than the 2×2."""
    clusters = views.segmentation(selection, quarter, cut, by)
    if isinstance(clusters, str):
        st.info(_("No clusters: {reason}.").format(reason=fmt.plain(clusters)))
    else:
        st.markdown(
            _(
                "**{k} clusters** of the {placed} placed accounts, found by k-means on standardised log revenues, "
                "take rate, growth and the custom metrics; k chosen by the best silhouette score ({score}). In "
                "words: the features on which a cluster's centre lies at least half a standard deviation from the "
                "average and its median at least 10% from all placed accounts' (5 points for growth)."
            ).format(k=clusters.k, placed=f"{clusters.placed:,}", score=f"{clusters.silhouette.max():.2f}")
        )
        st.dataframe(
            headed(clusters.profiles),
            width="stretch",
            column_config=keyed(
                columns.numbers(
                    accounts=(_("Accounts"), "localized"),
                    median_b_side_revenue=(_("Median B-side revenue"), "compact"),
                    median_platform_revenue=(_("Median platform revenue"), "compact"),
                    median_take_rate=(_("Median take rate"), "percent"),
                    median_growth=(_("Median growth"), "percent"),
                )
                | {"description": st.column_config.TextColumn(_("In words"))}
            ),
        )
        st.caption(_("Accounts per cluster and quadrant: how the clusters cut across the 2×2."))
        mix = headed(play.named(clusters.mix))
        st.dataframe(
            mix,
            width="stretch",
            column_config=columns.numbers(**{state: (state, "localized") for state in mix.columns}),
        )
        downloads.file_button(
            _("Download the cluster of each account (CSV)")
            if clusters.placed <= exports.CSV_ROW_LIMIT
            else _(
                "Download the clusters of the {limit} accounts with the largest platform revenue (CSV, of {placed}: "
                "a spreadsheet opens no more rows)"
            ).format(limit=f"{exports.CSV_ROW_LIMIT:,}", placed=f"{clusters.placed:,}"),
            views.in_language(lambda: views.clusters_csv(selection, quarter, cut, by, play)),
            f"clusters_{quarter}.csv",
            "text/csv",
            "dl:clusters",
        )


def mix_view() -> None:
    """The quadrant mix of every quarter."""
    every = headed(play.named(views.mix(selection, cut, by, tuple(observed))).rename(index=quarter_text, level=0))
    st.dataframe(
        every,
        width="stretch",
        column_config=keyed(
            columns.numbers(
                accounts=(_("Accounts"), "localized"),
                account_share=(_("Share of accounts"), "percent"),
                platform_revenue_share=(_("Share of platform revenue"), "percent"),
                b_side_revenue_share=(_("Share of B-side revenue"), "percent"),
                median_take_rate=(_("Median take rate"), "percent"),
            )
        ),
    )
    downloads.csv_button(_("Download the quadrant mix (CSV)"), every, "quadrant_mix.csv", "dl:mix")


@st.fragment
def quarter_views() -> None:
    """Everything that shows one quarter: moving the quarter, picking a view or a control of a view
    reruns this part only, and the cut controls and filters above it stay as they are in the
    browser (a rerun of the whole page took about 0.06 s more to draw at 100,000 accounts). The
    views' own controls are not fragments of their own: Streamlit lost their state when a fragment
    held another. The views are picked by a segmented control, not ``st.tabs``: tabs re-checked
    every node of the open panel for something focusable after each redraw, ~0.05 s more per step
    of the quarter at 100,000 accounts."""
    row = st.columns([2, 1])
    quarter = row[0].select_slider(_("Quarter"), observed, value=observed[-1], key="quarter", format_func=quarter_text)
    earlier = [q for q in observed if q < quarter]
    compare_with = row[1].selectbox(
        _("Compare with"),
        earlier[::-1] or [fmt.UNKNOWN],
        key=f"compare_with:{quarter}",  # a new quarter starts again from the quarter before it
        disabled=not earlier,
        format_func=lambda q: q if q == fmt.UNKNOWN else quarter_text(q),
        help=fmt.why_unknown(
            fmt.UNKNOWN if not earlier else "",
            _("{quarter} is the first quarter of the data: there is no earlier one to compare with.").format(
                quarter=quarter_text(quarter)
            ),
            _("The quarter the migration and the movers start from (the quarter before by default)."),
        ),
    )

    compared = compare_with if earlier else None
    flow = views.migration(selection, compared, quarter, cut, by) if earlier else None
    moved = views.map_movers(flow)  # ringed on the map
    now = views.quarter(selection, quarter, cut, by, keep=moved)
    unplaced = int(now.states[quadrants.NO_B_SIDE])
    if now.placed and not now.positive_b_side:
        st.warning(
            _(
                "Every account of {quarter} reports B-side revenue 0, so the map cannot tell high from low on that "
                "axis. Check that the column mapped to **b_side_revenue** holds the accounts' own revenue (GMV, sales)."
            ).format(quarter=quarter_text(quarter))
        )
        st.stop()
    if not now.placed:
        if unplaced:
            st.warning(
                _(
                    "No account of {quarter} has B-side revenue, so none can be placed: the map needs each account's "
                    "own revenue through the platform (GMV, sales). Map a column to **b_side_revenue** when you upload "
                    "({unplaced} active accounts lack it)."
                ).format(quarter=quarter_text(quarter), unplaced=f"{unplaced:,}")
            )
        else:
            st.info(
                _(
                    "No active account in {quarter} for this selection. Widen the filters or pick another quarter."
                ).format(quarter=quarter_text(quarter))
            )
        st.stop()

    mix = views.summary(selection, cut, by, (quarter,)).loc[quarter]
    tied = int(now.states[quadrants.AT_CUT])

    heads = st.columns(4)
    heads[0].metric(
        _("Accounts placed"),
        fmt.count(now.placed),
        help=views.sentences(
            _("{unplaced} active accounts without B-side revenue and {inactive} inactive rows are not placed.").format(
                unplaced=f"{unplaced:,}", inactive=f"{now.states[quadrants.INACTIVE]:,}"
            ),
            _("{tied} of the placed accounts are at the cut, in no quadrant.").format(tied=f"{tied:,}") if tied else "",
        ),
        border=True,
    )
    first = [p.quadrant for p in play.quadrants if p.priority == play.quadrants[0].priority]  # served first
    first_share = fmt.share(mix.loc[first, "platform_revenue_share"].sum(min_count=1))
    heads[1].metric(
        _("Platform revenue from {quadrants}").format(  # a label that fits its card
            quadrants=" + ".join(map(quadrants.numeral, first))
        ),
        first_share,
        help=fmt.why_unknown(
            first_share,
            _("The accounts placed here bring no platform revenue, so there is no share of it to take."),
            _("The quadrants the playbook serves first: {quadrants}.").format(
                quadrants=_(", ").join(play.label(q) for q in first)
            ),
        ),
        border=True,
    )
    q4_share = _("{b_side} of the B-side revenue but {platform} of the platform's").format(
        b_side=fmt.share(mix.loc["Q4", "b_side_revenue_share"]),
        platform=fmt.share(mix.loc["Q4", "platform_revenue_share"]),
    )
    under_monetised = play.label("Q4")  # the help's words; the labels, short enough for their card, the numeral
    if cut == "median" and not selection and not tied:  # as many above each median: II and IV hold as many
        q4_b_side = fmt.share(mix.loc["Q4", "b_side_revenue_share"])
        heads[2].metric(
            _("B-side revenue earned in {quadrant}").format(quadrant=quadrants.numeral("Q4")),
            q4_b_side,
            help=fmt.why_unknown(
                q4_b_side,
                _("The accounts placed here earn no B-side revenue, so there is no share of it to take."),
                _(
                    "The {accounts} accounts of {q4} earn {share}. With median cut lines {q2} and {q4} always hold as "
                    "many accounts (as many sit above each median), so their revenue, not their count, tells them "
                    "apart."
                ).format(
                    accounts=fmt.count(mix.loc["Q4", "accounts"]),
                    q4=under_monetised,
                    share=q4_share,
                    q2=play.label("Q2"),
                ),
            ),
            border=True,
        )
    else:
        heads[2].metric(
            _("{name} accounts ({quadrant})").format(name=play.quadrant("Q4").name, quadrant=quadrants.numeral("Q4")),
            fmt.count(mix.loc["Q4", "accounts"]),
            help=_("The accounts of {quadrant} earn {share}.").format(quadrant=under_monetised, share=q4_share),
            border=True,
        )
    if flow is not None:
        between = flow.matrix.loc[list(quadrants.QUADRANTS), list(quadrants.QUADRANTS)].to_numpy()
        heads[3].metric(
            _("Changed quadrant since {quarter}").format(quarter=quarter_text(compare_with)),
            fmt.count(int(between.sum() - between.trace())),
            border=True,
        )

    ties_note(views.ties(quarter, cut, by))

    view = st.segmented_control(
        _("View"), VIEWS, default=VIEWS[0], required=True, key="view", label_visibility="collapsed", format_func=_
    )  # only the chosen view is computed
    if view == "Map":
        map_view(quarter, compared, moved, now.placed, mix)
    elif view == "Play through quarters":
        play_view()
    elif view == "Clusters":
        clusters_view(quarter)
    elif view == "Mix over time":
        mix_view()
    elif flow is None:
        st.info(
            _("{quarter} is the first quarter of the workspace: there is nothing to compare it with.").format(
                quarter=quarter_text(quarter)
            )
        )
    elif view == "Migration":
        migration_view(quarter, compare_with, flow)
    else:
        movers_view(quarter, compare_with, flow)


quarter_views()
