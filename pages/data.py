"""Data: upload quarter files, see what is wrong with them, commit, and restore earlier uploads."""

import time

import duckdb
import pandas as pd
import streamlit as st

from b2b_core import access, contract, contract_labels, exports, i18n, quarters
from b2b_core.access import PermissionDenied
from b2b_core.i18n import N_, _, ngettext
from b2b_core.ingest import (
    CUSTOM,
    IGNORE,
    UPLOAD_LIMIT_MB,
    Choices,
    CommitRefused,
    IngestResult,
    combine,
    commit,
    read_upload,
    upload_too_large,
)
from b2b_core.source import SourceError
from b2b_core.store import BACKUP_LIMIT_MB, WorkspaceChanged, WorkspaceError
from ui import (
    auth,
    columns,
    currency_setting,
    downloads,
    sample_notice,
    shell,
    state,
    upload_choices,
    uploader,
    warm_up,
)
from ui import format as fmt

CHOICES = [*contract.NAMES, CUSTOM, IGNORE]


class Checks:
    """The uploaded files read in this session, one result per file and options (sheet, mapping,
    quarter). A result is kept in the session itself (never copied, never seen by other sessions,
    released with the session); each run of this page drops (``forget_the_rest``) those of files
    removed from the uploader, committed, or read with options since changed, and those left from
    a visit before another page (whose uploads Streamlit then forgot)."""

    def __init__(self) -> None:
        self.kept: dict[tuple, IngestResult] = st.session_state.setdefault("data:checked", {})
        self.shown: set[tuple] = set()

    def read(
        self,
        upload,
        quarter: str | None = None,
        mapping: tuple = (),
        sheet: str | None = None,
        choices: Choices | None = None,
    ) -> IngestResult:
        choices = choices or Choices()
        key = (upload.file_id, quarter, mapping, sheet, choices)
        if key not in self.kept:
            name = fmt.plain(upload.name)
            with st.status(_("Checking {name}…").format(name=name), expanded=False) as status:
                found = read_upload(
                    upload.getvalue(),
                    upload.name,
                    quarter=quarter,
                    mapping=dict(mapping),
                    sheet=sheet,
                    on_step=status.write,
                    choices=choices,
                )
                read = _("Checked {name}: {rows} rows read").format(name=name, rows=f"{found.rows_read:,}")
                status.update(label=read, state="complete")
            self.kept[key] = found
        self.shown.add(key)
        return self.kept[key]

    def forget_the_rest(self) -> None:
        for key in set(self.kept) - self.shown:
            del self.kept[key]


def flash(message: str) -> None:
    """Show ``message`` after the next rerun."""
    st.session_state["flash"] = message


def mapping_editor() -> dict:
    """The mapping editor's columns; its choices are shown as labels (``contract_labels``)."""
    return {
        "source": st.column_config.TextColumn(_("Column in the file"), disabled=True),
        "suggested": st.column_config.TextColumn(_("Suggested"), disabled=True),
        "how": st.column_config.TextColumn(_("Why"), disabled=True),
        "maps to": st.column_config.SelectboxColumn(
            _("Maps to"), options=[contract_labels.label(c) for c in CHOICES], required=True
        ),
    }


def mapping_table(mapping: pd.DataFrame) -> pd.DataFrame:
    """A row per header of the file, with its suggested mapping, how sure the suggestion is, and
    what it maps to (the suggestion, until it is corrected in the editor), choices as labels."""
    contract_column = mapping["kind"] == "contract"
    suggested = mapping["target"].where(contract_column, mapping["kind"].map({"custom metric": CUSTOM}).fillna(IGNORE))
    sure = _("{share} sure")
    how = mapping["how"].where(~contract_column, mapping["confidence"].map(lambda c: sure.format(share=f"{c:.0%}")))
    shown = suggested.map(contract_labels.label)
    return pd.DataFrame({"source": mapping["source"], "suggested": shown, "how": how, "maps to": shown})


def corrections(table: pd.DataFrame, editor_key: str) -> dict[str, str]:
    """The headers whose mapping was changed in the editor ``editor_key`` (its edits are in the
    session state before it is drawn again), each with its new choice, one of ``CHOICES``."""
    edited = st.session_state.get(editor_key, {}).get("edited_rows", {})
    maps_to = ("maps to", mapping_editor()["maps to"]["label"])  # the column's name in English, its label otherwise
    chosen = {
        int(row): contract_labels.name_of(str(next((change[c] for c in maps_to if c in change), None)))
        for row, change in edited.items()
    }
    return {
        table["source"].iat[row]: choice
        for row, choice in chosen.items()
        if choice in CHOICES and row < len(table) and choice != contract_labels.name_of(table["suggested"].iat[row])
    }


def file_options(checks: Checks, upload, key: str, ws) -> IngestResult:
    """Read one uploaded file with the sheet, column mapping, quarter and choices (``upload_choices``)
    made in its expander. The mapping is one editor, a row per header (a file may have 16,384
    columns), kept per file and sheet: another file or sheet starts from its own suggestions."""
    base = checks.read(upload)
    sheet = upload_choices.sheet_picker(base, key)
    if sheet:
        base = checks.read(upload, sheet=sheet)
    table = mapping_table(base.mapping)
    editor_key = f"{key}:mapping:{upload.file_id}:{sheet}"
    mapping = tuple(sorted(corrections(table, editor_key).items()))
    quarter = None
    mapped = checks.read(upload, mapping=mapping, sheet=sheet)
    if not mapped.mapping.empty and "quarter" not in set(mapped.mapping["target"]):
        offered = sorted(set(quarters.recent(quarters.current(), 12)) | set(ws.quarters()), reverse=True)
        quarter = st.selectbox(
            _("Quarter of every row (the file has no quarter column)"),
            offered,
            index=None,
            format_func={q: quarters.quarter_text(q) for q in offered}.get,  # written in this run's language
            placeholder=_("Choose the quarter"),
            key=f"{key}:quarter",
        )
    as_read = checks.read(upload, quarter, mapping, sheet) if quarter else mapped
    spellings = upload_choices.live_spellings(ws, as_read, key)
    result = checks.read(upload, quarter, mapping, sheet, upload_choices.chosen(key, spellings))
    read_as = fmt.plain(result.description) if result.description else _("an unreadable file")
    st.caption(_("Read as {description}.").format(description=read_as))
    upload_choices.export_choices(result, key, spellings)
    if not table.empty:
        st.markdown(_("**Column mapping** (suggested from the headers; correct any that are wrong in *Maps to*)"))
        columns.table(
            table,
            mapping_editor(),
            editor=True,
            key=editor_key,
            num_rows="fixed",
            height=35 * (min(len(table), 15) + 1) + 3,  # up to 15 rows in view, then it scrolls
        )
    return result


def report(result: IngestResult) -> None:
    """Counts, then what to fix, then the tables of errors and warnings with CSV downloads. The
    counts are of every issue; a table lists the first ones (``ingest.MAX_KEPT``) and says so."""
    counts = st.columns(5)
    counts[0].metric(_("Rows read"), f"{result.rows_read:,}")
    counts[1].metric(_("Valid rows"), f"{result.rows.num_rows:,}")
    counts[2].metric(_("Errors"), f"{result.error_count:,}")
    counts[3].metric(_("Warnings"), f"{result.warning_count:,}")
    counts[4].metric(_("Quarters"), ", ".join(map(quarters.quarter_text, result.quarters)) or "–")
    if result.error_count > 10:  # many errors: what to fix first, grouped by problem
        st.error(_("{count} problems to fix. The most frequent:").format(count=f"{result.error_count:,}"))
        summary = issue_labels(result.error_summary.head(10))
        st.dataframe(summary, hide_index=True, width="stretch")
    elif result.error_count:
        to_fix = ngettext(
            "{count} problem to fix: see the Errors tab.",
            "{count} problems to fix: see the Errors tab.",
            result.error_count,
        )
        st.error(to_fix.format(count=result.error_count))
    tabs = st.tabs(
        [
            _("Errors ({count})").format(count=f"{result.error_count:,}"),
            _("Warnings ({count})").format(count=f"{result.warning_count:,}"),
            _("Preview"),
            _("Mapping"),
        ]
    )
    issues = (
        (tabs[0], ISSUE_KINDS["errors"], result.errors, result.error_summary, result.error_count),
        (tabs[1], ISSUE_KINDS["warnings"], result.warnings, result.warning_summary, result.warning_count),
    )
    for tab, kind, listed, summary, total in issues:
        with tab:
            issue_tab(kind, listed, summary, total)
    with tabs[2]:
        preview = result.rows.slice(0, 200).to_pandas()
        named = {column: _(ISSUE_HEADERS[column]) for column in preview.columns if column in ISSUE_HEADERS}  # row
        st.dataframe(
            preview.rename(columns=lambda c: named.get(c) or contract_labels.label(c)), hide_index=True, width="stretch"
        )
        st.caption(_("First 200 valid rows, in the contract's columns."))
    with tabs[3]:
        st.dataframe(contract_labels.mapping_table(result.mapping), hide_index=True, width="stretch")


ISSUE_KINDS = {  # the words of the errors' and the warnings' tabs, by file name
    "errors": {
        "none": N_("No errors."),
        "first": N_(
            "The table lists the first {listed} of the {total} errors (problems of a whole file first, then by row). "
            "Every one of them is counted below, by column and reason."
        ),
        "download": N_("Download errors (CSV)"),
        "download_first": N_("Download the first {listed} errors (CSV)"),
        "download_count": N_("Download the count of errors by reason (CSV)"),
        "name": "errors",
    },
    "warnings": {
        "none": N_("No warnings."),
        "first": N_(
            "The table lists the first {listed} of the {total} warnings (problems of a whole file first, then by "
            "row). Every one of them is counted below, by column and reason."
        ),
        "download": N_("Download warnings (CSV)"),
        "download_first": N_("Download the first {listed} warnings (CSV)"),
        "download_count": N_("Download the count of warnings by reason (CSV)"),
        "name": "warnings",
    },
}


def issue_tab(kind: dict, listed: pd.DataFrame, summary: pd.DataFrame, total: int) -> None:
    """The errors (or warnings) of a report: the first ones listed, each counted by reason when the
    list is not complete, and their downloads (headers in the session's language)."""
    if not total:
        st.write(_(kind["none"]))
        return
    name, numbers = kind["name"], {"listed": f"{len(listed):,}", "total": f"{total:,}"}
    complete = len(listed) == total
    if not complete:
        st.warning(_(kind["first"]).format(**numbers))
    listed = issue_labels(listed)
    st.dataframe(listed, hide_index=True, width="stretch")
    label = _(kind["download"]) if complete else _(kind["download_first"]).format(**numbers)
    downloads.csv_button(label, listed, f"{name}.csv", f"dl:{name}", index=False)
    if not complete:
        summary = issue_labels(summary)
        st.dataframe(summary, hide_index=True, width="stretch")
        downloads.csv_button(
            _(kind["download_count"]), summary, f"{name}_by_reason.csv", f"dl:{name}:summary", index=False
        )


ISSUE_HEADERS = {  # the columns of ingest's lists of issues and of their counts, as shown and downloaded
    "file": N_("file"),
    "row": N_("row"),
    "column": N_("column"),
    "value": N_("value"),
    "reason": N_("reason"),
    "rows": N_("rows"),
    "first_row": N_("first_row"),
    "example": N_("example"),
}


def issue_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a list of issues or their counts) with its headers in the session's language and
    each contract column it names by its label."""
    shown = frame.rename(columns=lambda c: _(ISSUE_HEADERS[c]) if c in ISSUE_HEADERS else c)
    named = _(ISSUE_HEADERS["column"])
    if named in shown.columns:
        shown[named] = shown[named].map(lambda c: contract_labels.label(c) if isinstance(c, str) else c)
    return shown


def commit_area(result: IngestResult, ws, history: pd.DataFrame, person) -> None:
    """The commit button, enabled only for a clean file or an explicit partial commit, with a
    confirmation when quarters already hold data. Each confirmation is keyed by what it confirms,
    so a tick never carries over to another file or another set of quarters."""
    partial = False
    if not result.ok:
        if result.can_commit_valid_rows:
            partial = upload_choices.valid_rows_only(result, f"partial:{result.sha256}:{result.error_count}")
        elif not result.file_errors.empty:
            st.error(
                _(
                    "Nothing can be committed yet: a problem concerns the whole file (see Errors). Choose the "
                    "quarter or correct the column mapping above, or fix the file and upload it again."
                )
            )
        else:
            st.error(
                _(
                    "Nothing can be committed yet: no row passed the checks (see Errors). Correct the column mapping "
                    "above, or fix the file and upload it again."
                )
            )
    no_room = ws.custom_metrics_problem([c for c in result.table.column_names if c not in contract.NAMES])
    if no_room:
        st.error(_("Nothing can be committed yet: {reason}.").format(reason=fmt.plain(no_room)))
    replaced = ws.supersedes(result.quarters)
    confirmed = True
    if replaced:
        sources = history.set_index("upload_id")["source"]
        line = _("- **{quarter}** now comes from upload #{upload} ({source})")
        lines = [
            line.format(quarter=quarters.quarter_text(q), upload=u, source=fmt.plain(sources.get(u, _("a new upload"))))
            for q, u in replaced.items()
        ]
        st.warning(_("This commit supersedes data already in the workspace:") + "\n" + "\n".join(lines))
        upload_choices.supersede_difference(ws, result)
        confirmed = st.checkbox(
            _("Replace these quarters (the current uploads stay restorable below)"),
            key=f"replace:{result.sha256}:{sorted(replaced.items())}",
        )
    same = history.query("sha256 == @result.sha256 and status != 'deleted'")
    if not same.empty:
        st.info(
            _("This exact file was committed before, as upload #{upload}.").format(upload=same["upload_id"].iloc[0])
        )
    confirmed = far_quarters_confirmed(result, ws, person) and confirmed
    ready = (result.ok or partial) and confirmed and result.rows.num_rows > 0 and not no_room
    rows, listed = f"{result.rows.num_rows:,}", ", ".join(map(quarters.quarter_text, result.quarters))
    label = _("Commit {rows} rows ({quarters})").format(rows=rows, quarters=listed) if result.quarters else _("Commit")
    if st.button(label, type="primary", disabled=not ready, key="commit"):
        try:
            with st.status(_("Writing {rows} rows to the workspace…").format(rows=rows)):
                upload_id = commit(result, ws, valid_rows_only=partial, expect_live=replaced, actor=person)
        except (CommitRefused, WorkspaceChanged, PermissionDenied) as refused:
            st.warning(_("Not committed: {reason}").format(reason=fmt.plain(refused)))
            return
        except WorkspaceError as failed:
            st.error(_("Not committed: {reason}").format(reason=fmt.plain(failed)))
            return
        except (ValueError, duckdb.Error, OSError) as exc:
            st.error(_("The commit was not written (nothing changed): {reason}").format(reason=fmt.plain(exc)))
            return
        warming = _(" Every page's views of the new data are being prepared in the background.")
        flash(
            _("Committed upload #{upload}: {rows} rows for {quarters}.").format(
                upload=upload_id, rows=rows, quarters=listed
            )
            + upload_choices.left_out_note(result, partial)
            + (warming if warm_up.enabled() else "")
        )
        st.session_state["uploader_round"] = st.session_state.get("uploader_round", 0) + 1
        st.session_state[SAMPLE_OFFER] = True  # if the sample is still live beside the new data
        st.rerun()


def history_columns() -> dict:
    return {
        "upload_id": st.column_config.NumberColumn(_("Upload"), format="#%d"),
        "source": _("File"),
        "sha256": st.column_config.TextColumn("SHA-256", width="small"),
        "committed_at": st.column_config.DatetimeColumn(_("Committed (UTC)"), format="YYYY-MM-DD HH:mm"),
        "quarters": _("Quarters"),
        "rows": st.column_config.NumberColumn(_("Rows"), format="%d"),
        "live_quarters": _("Live for"),
        "status": _("Status"),
        "deleted_at": st.column_config.DatetimeColumn(_("Deleted (UTC)"), format="YYYY-MM-DD HH:mm"),
        "sample": st.column_config.CheckboxColumn(
            _("Sample"), help=_("An upload of the bundled sample of a fictional platform")
        ),
    }


STATUSES = {
    "live": N_("live"),
    "partly superseded": N_("partly superseded"),
    "superseded": N_("superseded"),
    "deleted": N_("deleted"),
}


def history_shown(history: pd.DataFrame) -> pd.DataFrame:
    """The history with its statuses in the session's language (the quarters stay ``YYYYQn``)."""
    return history.assign(status=history["status"].map(lambda s: _(STATUSES[s]) if s in STATUSES else s))


def history_area(ws, history: pd.DataFrame, person) -> None:
    """Every upload with its status; restore or delete one (as the session's role allows)."""
    if history.empty:
        st.write(_("No uploads yet."))
        return
    columns.table(history_shown(history), history_columns())
    usable = history[history["status"] != "deleted"]
    # no status in the label: another session can change it, and a choice whose label changed
    # would silently become another upload
    labels = {int(r.upload_id): f"#{r.upload_id} · {r.source} · {r.quarters}" for r in usable.itertuples()}
    if not labels:
        return
    if not person.can("restore"):
        st.caption(_("Restoring or deleting an upload: {needs}").format(needs=auth.needs("restore")))
        return
    chosen = st.selectbox(_("Upload"), list(labels), format_func=labels.get, key="history:upload")
    restore, delete = st.columns(2)
    if restore.button(_("Restore #{upload}: make it live for its quarters").format(upload=chosen), key="restore"):
        try:
            replaced = ws.restore(chosen, actor=person)
        except KeyError as gone:  # another session deleted it meanwhile
            st.warning(_("Not restored: {reason}").format(reason=fmt.plain(gone.args[0])))
            return
        except (WorkspaceError, PermissionDenied) as failed:
            st.error(_("Not restored: {reason}").format(reason=fmt.plain(failed)))
            return
        was = _("{quarter} (was #{upload})")
        parts = [
            was.format(quarter=quarters.quarter_text(q), upload=u)
            if u not in (None, chosen)
            else quarters.quarter_text(q)
            for q, u in replaced.items()
        ]
        flash(_("Upload #{upload} is live again for {quarters}.").format(upload=chosen, quarters=", ".join(parts)))
        st.rerun()
    if not person.can("delete"):
        delete.caption(_("Deleting an upload: {needs}").format(needs=auth.needs("delete")))
        return
    sure = delete.checkbox(
        _("Yes, delete upload #{upload}'s rows for good").format(upload=chosen), key=f"delete:sure:{chosen}"
    )
    if delete.button(_("Delete #{upload}").format(upload=chosen), disabled=not sure, key="delete"):
        try:
            fallback = ws.delete(chosen, actor=person)
        except KeyError as gone:
            st.warning(_("Not deleted: {reason}").format(reason=fmt.plain(gone.args[0])))
            return
        except (WorkspaceError, PermissionDenied) as failed:
            st.error(_("Not deleted: {reason}").format(reason=fmt.plain(failed)))
            return
        now, empty = _("{quarter} → #{upload}"), _("{quarter} → no data")
        parts = [(now if u else empty).format(quarter=quarters.quarter_text(q), upload=u) for q, u in fallback.items()]
        live = _(" Now live: {quarters}.").format(quarters=", ".join(parts)) if parts else ""
        flash(_("Deleted upload #{upload}.").format(upload=chosen) + live)
        st.rerun()


SAMPLE_OFFER = "data:sample_offer"  # set by a commit: offer to remove the sample on the next run


def far_quarters_confirmed(result: IngestResult, ws, person) -> bool:
    """Whether the commit may go ahead as far as the distance of its quarters from the live ones
    goes: when they are far apart (``quarters.QuarterGap.far``) the page names the gap, offers to
    remove the sample first when it is live, and asks for a tick."""
    gap = quarters.gap_between(result.quarters, ws.quarters())
    if gap is None or not gap.far:
        return True
    origin = sample_notice.origin()
    note = {"sample": _("sample data"), "mixed": _("partly sample data")}.get(origin.kind, "")
    apart = f"{gap.apart:,}"
    both = (
        _(
            "Every chart would show both, with a gap of {apart} quarters between them: remove the sample first if "
            "these are your data."
        )
        if origin.sample_live
        else _("Every chart would show both, with a gap of {apart} quarters between them.")
    )
    st.warning(f"{gap.describe(note)} {both.format(apart=apart)}")
    if origin.sample_live:
        remove_sample_button(ws, person, _("Remove the sample first"), "sample:remove_first")
    return st.checkbox(_("Commit anyway, {apart} quarters apart").format(apart=apart), key=f"far:{result.sha256}:{gap}")


def sample_step(step, done: str):
    """``step()``, a removal or restore of the sample; when it is refused (KeyError: another
    session did it meanwhile) the page says why, ``done`` (``N_("Not removed: {reason}")``), and
    None is returned."""
    try:
        return step()
    except KeyError as gone:
        st.warning(_(done).format(reason=fmt.plain(gone.args[0])))
    except (WorkspaceError, PermissionDenied) as failed:
        st.error(_(done).format(reason=fmt.plain(failed)))
    return None


def remove_sample(ws, person) -> None:
    """Remove the sample data in one audited step (a button's callback); the next run says how."""
    st.session_state.pop(SAMPLE_OFFER, None)
    now_live = sample_step(lambda: ws.remove_sample(actor=person), N_("Not removed: {reason}"))
    if now_live is None:
        return
    kept = [quarters.quarter_text(q) for q, upload in now_live.items() if upload is not None]
    removed = (
        _(
            "Removed the sample data ({span}) in one step; your own uploads are live for {quarters}. "
            "**Restore the sample** under The bundled sample brings it back."
        )
        if kept
        else _(
            "Removed the sample data ({span}) in one step. **Restore the sample** under The bundled sample brings it "
            "back."
        )
    )
    flash(removed.format(span=quarters.span_label(now_live), quarters=", ".join(kept)))


def remove_sample_button(ws, person, label: str, key: str, primary: bool = False) -> None:
    """A button removing the sample data (admins), or a line saying who may."""
    if not person.can("remove_sample"):
        st.caption(_("Removing the sample data: {needs}").format(needs=auth.needs("remove_sample")))
        return
    kind = "primary" if primary else "secondary"
    st.button(label, key=key, type=kind, on_click=remove_sample, args=(ws, person), icon=":material/delete_sweep:")


def sample_offer(ws, person) -> None:
    """Right after a commit that left the user's data beside the live sample: the offer to remove it."""
    origin = sample_notice.origin()
    if st.session_state.pop(SAMPLE_OFFER, False) and origin.kind == "mixed":
        with st.container(border=True):
            st.markdown(
                _(
                    "Your data now sit beside the bundled sample's ({span}) on every chart and in every total. "
                    "Remove the sample data? One step, recorded in the audit trail, and restorable."
                ).format(span=quarters.span_label(origin.sample_quarters))
            )
            remove_sample_button(ws, person, _("Remove the sample data"), "sample:remove_offered", primary=True)


def restore_sample(ws, person) -> None:
    """Bring the sample back in one audited step (a button's callback)."""
    restored = sample_step(lambda: ws.restore_sample(actor=person), N_("Not restored: {reason}"))
    if restored is not None:
        flash(_("The sample data are live again for {span}.").format(span=quarters.span_label(restored)))


def sample_area(ws, person) -> None:
    """While the sample is live: remove it in one step; once removed: restore it in one step."""
    origin = sample_notice.origin()
    if origin.sample_live:
        st.markdown(fmt.plain(origin.explanation))
        remove_sample_button(ws, person, _("Remove the sample data"), "sample:remove")
    elif origin.restorable:
        st.markdown(
            _(
                "The bundled sample ({span}) is stored but not live. Restoring it makes it live again for those "
                "quarters; quarters holding your own data stay yours."
            ).format(span=quarters.span_label(origin.restorable))
        )
        if person.can("restore_sample"):
            st.button(_("Restore the sample"), key="sample:restore", on_click=restore_sample, args=(ws, person))
        else:
            st.caption(_("Restoring the sample data: {needs}").format(needs=auth.needs("restore_sample")))
    else:
        st.write(_("No sample data are stored in this workspace."))


def audit_columns() -> dict:
    """The audit trail's columns as shown (its entries stay in English: one language for the record)."""
    return {
        "occurred_at": st.column_config.DatetimeColumn(_("When (UTC)"), format="YYYY-MM-DD HH:mm:ss"),
        "actor": _("Who"),
        "role": _("Role"),
        "action": _("Action"),
        "summary": st.column_config.TextColumn(_("What"), width="large"),
        "details": st.column_config.TextColumn(_("Details"), width="medium"),
    }


AUDIT_SHOWN = ["occurred_at", "actor", "role", "action", "summary", "details"]
AUDIT_ACTIONS = {  # what each audited action is called in a table (the entries themselves stay in English)
    "commit": N_("commit"),
    "restore": N_("restore"),
    "delete": N_("delete"),
    "remove_sample": N_("remove_sample"),
    "restore_sample": N_("restore_sample"),
    "save_scenario": N_("save_scenario"),
    "rename_scenario": N_("rename_scenario"),
    "delete_scenario": N_("delete_scenario"),
    "override_base": N_("override_base"),
    "edit_playbook": N_("edit_playbook"),
    "edit_deck": N_("edit_deck"),
    "set_currency": N_("set_currency"),
    "backup": N_("backup"),
    "restore_backup": N_("restore_backup"),
    "export_workspace": N_("export_workspace"),
    "export_audit": N_("export_audit"),
}


def audit_shown(trail: pd.DataFrame) -> pd.DataFrame:
    """The audit trail with the local user, the roles and the actions named in the session's
    language (what each entry says stays as recorded)."""
    names = {
        "actor": access.shown_actor,
        "role": lambda role: access.role_name(role) if role in access.ROLES else role,
        "action": lambda action: _(AUDIT_ACTIONS[action]) if action in AUDIT_ACTIONS else action,
    }
    return trail.assign(**{column: trail[column].map(name) for column, name in names.items() if column in trail})


AUDIT_ANONYMOUS = [c for c in AUDIT_SHOWN if c != "actor"]


def audited_download(ws, person, action: str, build) -> bytes:
    """A download of the workspace's content, made and recorded in the audit trail on click:
    ``build`` returns the file's bytes and what the audit entry says of them."""
    content, details = build()
    ws.record_export(action, {**details, "bytes": len(content)}, actor=person)
    return content


def audit_trail_csv(ws) -> tuple[bytes, dict]:
    trail = ws.audit_trail()
    return exports.csv_bytes(trail, index=False), {"entries": len(trail)}


def workspace_zip(ws) -> tuple[bytes, dict]:
    uploads = ws.uploads()
    return exports.workspace_zip(ws.panel(), uploads, ws.stored_rows()), {
        "uploads": len(uploads),
        "version": ws.version,
    }


def audit_area(ws, person) -> None:
    """Who did what and when: every commit, restore, delete, scenario change, playbook edit,
    backup and download of the workspace's content, newest first; admins download it."""
    trail = ws.audit_trail()
    if trail.empty:
        st.write(_("Nothing recorded yet."))
        return
    anonymous = not person.can("export_audit")  # who did what is everyone's e-mail: not in the table (nor its download)
    shown = trail.drop(columns=["actor", "email"]) if anonymous else trail
    columns.table(audit_shown(shown), audit_columns(), AUDIT_ANONYMOUS if anonymous else AUDIT_SHOWN)
    if i18n.language() != i18n.SOURCE:
        st.caption(
            _(
                "What each entry says and its details stay as they were recorded, in English: a record is never "
                "rewritten."
            )
        )
    if anonymous:
        st.caption(
            _("Who did each action, and downloading the audit trail: {needs}").format(needs=auth.needs("export_audit"))
        )
        return
    downloads.file_button(
        _("Download the audit trail (CSV)"),
        lambda: audited_download(ws, person, "export_audit", lambda: audit_trail_csv(ws)),
        "audit_trail.csv",
        "text/csv",
        "dl:audit",
    )


def backup_area(ws, person) -> None:
    """Admins: the whole workspace as one file, and a restore from such a file (checked first:
    a foreign or damaged file is refused and nothing changes)."""
    if not person.can("backup"):
        st.caption(_("Backing up or restoring the whole workspace: {needs}").format(needs=auth.needs("backup")))
        return
    save, load = st.columns(2)
    with save:
        st.markdown(
            _(
                "**Back up**: every upload (live, superseded, deleted ones' history), scenarios, saved "
                "weights and the audit trail, as one DuckDB file."
            )
        )
        size_mb = ws.stored_bytes() / 2**20
        if size_mb > BACKUP_LIMIT_MB:  # the backup would be held whole in the server's memory
            st.info(
                _(
                    "The workspace takes {size} MB, more than the {limit} MB a backup may have to go through the "
                    "browser (and to be restored from it). Back it up from the command line, with the app stopped: "
                    "`{command}`"
                ).format(
                    size=f"{size_mb:,.0f}",
                    limit=f"{BACKUP_LIMIT_MB:,}",
                    command=f"python -m b2b_core.store backup BACKUP.duckdb --workspace {ws.path}",
                )
            )
        elif st.button(_("Prepare a backup"), key="backup:prepare"):
            try:
                st.session_state["backup:file"] = (ws.backup(actor=person), ws.version)
            except (WorkspaceError, PermissionDenied, duckdb.Error, OSError) as failed:
                st.error(_("No backup was made: {reason}").format(reason=fmt.plain(failed)))
        prepared = st.session_state.get("backup:file")
        if prepared:
            size = f"{len(prepared[0]) / 2**20:.1f}"
            st.download_button(
                _("Download the backup of version {version} ({size} MB)").format(version=prepared[1], size=size),
                prepared[0],
                f"workspace_backup_v{prepared[1]}.duckdb",
                "application/octet-stream",
                on_click="ignore",
                key="backup:download",
            )
    with load:
        st.markdown(_("**Restore**: replace the whole workspace with a backup file. The audit trail is kept."))
        backup = uploader.file_uploader(
            _("Backup file (.duckdb)"), "backup_box", types=["duckdb"], limit_mb=BACKUP_LIMIT_MB, key="backup:upload"
        )
        sure = st.checkbox(_("Yes, replace everything in the workspace with this backup"), key="backup:sure")
        if st.button(_("Restore the workspace"), disabled=not (backup and sure), key="backup:restore"):
            try:
                restored = ws.restore_backup(backup, actor=person)
            except (ValueError, PermissionDenied, WorkspaceError, duckdb.Error, OSError) as refused:
                st.error(_("Not restored, nothing changed: {reason}").format(reason=fmt.plain(refused)))
                return
            flash(
                _("Restored the backup of {when} UTC (version {version}): {uploads} upload(s).").format(
                    when=f"{restored['created_at']:%Y-%m-%d %H:%M}",
                    version=restored["source_version"],
                    uploads=restored["rows"]["uploads"],
                )
            )
            st.session_state.pop("backup:file", None)
            st.rerun()


def uploads_area(ws, history, person) -> None:
    """Uploading quarters, the bundled sample and the history of uploads."""
    st.subheader(_("Upload a quarter"))
    st.caption(
        _(
            "CSV (comma, semicolon, tab or pipe; UTF-8, GBK or Latin-1) or Excel .xlsx, in your own column names. "
            "Several files are committed together, e.g. one per region. Nothing is written until you commit. "
            "Each file may hold up to {limit} MB: split a larger export by region or quarter."
        ).format(limit=UPLOAD_LIMIT_MB)
    )
    uploads = None
    if person.can("commit"):
        uploads = uploader.file_uploader(
            _("Account export files"),
            "uploads_box",
            types=["csv", "tsv", "txt", "xlsx"],
            limit_mb=UPLOAD_LIMIT_MB,  # checked by the browser; the server takes larger backups
            accept_multiple_files=True,
            key=f"uploader:{st.session_state.get('uploader_round', 0)}",
        )
    else:
        st.info(_("Uploading data: {needs} You can read everything below.").format(needs=auth.needs("commit")))
    checks = Checks()
    too_large = [refused for upload in uploads or [] if (refused := upload_too_large(upload.name, upload.size))]
    for refused in too_large:  # checked again here, before a byte is read
        st.error(fmt.plain(refused))
    if too_large and len(too_large) < len(uploads):
        st.info(_("The other files are checked once those over the limit are removed from the list above."))
    if uploads and not too_large:
        results = []
        for i, upload in enumerate(uploads):
            title = _("{file} · options").format(file=fmt.plain(upload.name))
            with st.expander(title, expanded=len(uploads) == 1):
                results.append(file_options(checks, upload, f"file{i}:{upload.name}", ws))
        combined = combine(results)
        st.subheader(_("Validation report"))
        report(combined)
        commit_area(combined, ws, history, person)
    checks.forget_the_rest()

    st.subheader(_("The bundled sample"))
    sample_area(ws, person)

    st.subheader(_("History"))
    history_area(ws, history, person)


def source_area(opened) -> None:
    """Where the views' data come from when ``[source]`` names a source: uploads are off; the
    source's checks, its column mapping, or what keeps it from being used."""
    st.subheader(_("Where the data come from"))
    if isinstance(opened, SourceError):
        state.source_failed(opened)
        st.info(_(SOURCE_UPLOADS_OFF))
        return
    st.markdown(
        _(
            "Every view reads **{source}**, computed by its engine ({engine}); nothing is copied here. Read at "
            "{when} UTC, {rows} rows in {quarters} quarters; every check of the data contract passed (required "
            "columns, types, one row per account and quarter, amounts ≥ 0, readable quarters)."
        ).format(
            source=fmt.plain(opened.name),
            engine=opened.config.engine,
            when=time.strftime("%Y-%m-%d %H:%M", time.gmtime(opened.opened_at)),
            rows=f"{opened.report.rows:,}",
            quarters=len(opened.quarters()),
        )
    )
    st.info(_(SOURCE_UPLOADS_OFF))
    state.source_mapping(opened.report)


SOURCE_UPLOADS_OFF = N_(
    "Uploads are off: the views read the source named in the app's settings ([source] in .streamlit/secrets.toml, "
    "or $B2B_SOURCE). Scenarios, playbook weights, the currency and the audit trail stay in this workspace."
)

shell.require_app_shell()
person = auth.current()
ws = state.workspace()
history = ws.uploads()
st.title(_("Data"))
if "flash" in st.session_state:
    st.success(st.session_state.pop("flash"))
opened = state.opened_source()
if opened is not None:
    source_area(opened)
else:
    sample_offer(ws, person)
    uploads_area(ws, history, person)

st.subheader(_("Currency"))
currency_setting.show(ws, person)

st.subheader(_("Audit trail"))
audit_area(ws, person)

st.subheader(_("Backup and restore"))
backup_area(ws, person)

st.subheader(_("Downloads"))
template_csv, template_xlsx, everything = st.columns(3)
lang = i18n.language()  # the templates are built on click, outside this run: in its language
template_csv.download_button(
    _("Upload template (CSV)"), lambda: exports.template_csv(lang), "template.csv", "text/csv", on_click="ignore"
)
template_xlsx.download_button(
    _("Upload template (XLSX)"),
    lambda: exports.template_xlsx(lang),
    "template.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
)
stored = int(history.loc[history["status"] != "deleted", "rows"].sum()) if len(history) else 0
if person.can("export_workspace") and stored > exports.ZIP_LIMIT_ROWS:
    everything.caption(
        _(
            "The whole workspace as CSV files is offered up to {limit} stored rows: it is built in the server's "
            "memory, and this workspace holds {stored}. Take a backup instead (a DuckDB file, which DuckDB, Python "
            "or a BI tool reads)."
        ).format(limit=f"{exports.ZIP_LIMIT_ROWS:,}", stored=f"{stored:,}")
    )
elif person.can("export_workspace"):
    downloads.file_button(
        _("Whole workspace (CSV zip)"),
        lambda: audited_download(ws, person, "export_workspace", lambda: workspace_zip(ws)),
        "workspace.zip",
        "application/zip",
        "dl:workspace",
        place=everything,
    )
else:
    everything.caption(_("The whole workspace as CSV files: {needs}").format(needs=auth.needs("export_workspace")))
