"""Data: upload quarter files, see what is wrong with them, commit, and restore earlier uploads."""

import time

import duckdb
import pandas as pd
import streamlit as st

from b2b_core import contract, exports, quarters
from b2b_core.access import PermissionDenied
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
from ui import auth, currency_setting, downloads, sample_notice, shell, state, upload_choices, warm_up
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
            with st.status(f"Checking {name}…", expanded=False) as status:
                found = read_upload(
                    upload.getvalue(),
                    upload.name,
                    quarter=quarter,
                    mapping=dict(mapping),
                    sheet=sheet,
                    on_step=status.write,
                    choices=choices,
                )
                status.update(label=f"Checked {name}: {found.rows_read:,} rows read", state="complete")
            self.kept[key] = found
        self.shown.add(key)
        return self.kept[key]

    def forget_the_rest(self) -> None:
        for key in set(self.kept) - self.shown:
            del self.kept[key]


def flash(message: str) -> None:
    """Show ``message`` after the next rerun."""
    st.session_state["flash"] = message


MAPPING_EDITOR = {
    "source": st.column_config.TextColumn("Column in the file", disabled=True),
    "suggested": st.column_config.TextColumn("Suggested", disabled=True),
    "how": st.column_config.TextColumn("Why", disabled=True),
    "maps to": st.column_config.SelectboxColumn("Maps to", options=CHOICES, required=True),
}


def mapping_table(mapping: pd.DataFrame) -> pd.DataFrame:
    """A row per header of the file, with its suggested mapping, how sure the suggestion is, and
    what it maps to (the suggestion, until it is corrected in the editor)."""
    contract_column = mapping["kind"] == "contract"
    suggested = mapping["target"].where(contract_column, mapping["kind"].map({"custom metric": CUSTOM}).fillna(IGNORE))
    how = mapping["how"].where(~contract_column, mapping["confidence"].map("{:.0%} sure".format))
    return pd.DataFrame({"source": mapping["source"], "suggested": suggested, "how": how, "maps to": suggested})


def corrections(table: pd.DataFrame, editor_key: str) -> dict[str, str]:
    """The headers whose mapping was changed in the editor ``editor_key`` (its edits are in the
    session state before it is drawn again), each with its new choice, one of ``CHOICES``."""
    edited = st.session_state.get(editor_key, {}).get("edited_rows", {})
    chosen = {int(row): change["maps to"] for row, change in edited.items() if change.get("maps to") in CHOICES}
    return {
        table["source"].iat[row]: choice
        for row, choice in chosen.items()
        if row < len(table) and choice != table["suggested"].iat[row]
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
            "Quarter of every row (the file has no quarter column)",
            offered,
            index=None,
            placeholder="Choose the quarter",
            key=f"{key}:quarter",
        )
    as_read = checks.read(upload, quarter, mapping, sheet) if quarter else mapped
    spellings = upload_choices.live_spellings(ws, as_read, key)
    result = checks.read(upload, quarter, mapping, sheet, upload_choices.chosen(key, spellings))
    st.caption(f"Read as {fmt.plain(result.description) if result.description else 'an unreadable file'}.")
    upload_choices.export_choices(result, key, spellings)
    if not table.empty:
        st.markdown("**Column mapping** (suggested from the headers; correct any that are wrong in *Maps to*)")
        st.data_editor(
            table,
            key=editor_key,
            column_config=MAPPING_EDITOR,
            hide_index=True,
            num_rows="fixed",
            width="stretch",
            height=35 * (min(len(table), 15) + 1) + 3,  # up to 15 rows in view, then it scrolls
        )
    return result


def report(result: IngestResult) -> None:
    """Counts, then what to fix, then the tables of errors and warnings with CSV downloads. The
    counts are of every issue; a table lists the first ones (``ingest.MAX_KEPT``) and says so."""
    counts = st.columns(5)
    counts[0].metric("Rows read", f"{result.rows_read:,}")
    counts[1].metric("Valid rows", f"{result.rows.num_rows:,}")
    counts[2].metric("Errors", f"{result.error_count:,}")
    counts[3].metric("Warnings", f"{result.warning_count:,}")
    counts[4].metric("Quarters", ", ".join(result.quarters) or "–")
    if result.error_count > 10:  # many errors: what to fix first, grouped by problem
        st.error(f"{result.error_count:,} problems to fix. The most frequent:")
        st.dataframe(result.error_summary.head(10), hide_index=True, width="stretch")
    elif result.error_count:
        st.error(f"{result.error_count} problem{'s' if result.error_count > 1 else ''} to fix: see the Errors tab.")
    tabs = st.tabs([f"Errors ({result.error_count:,})", f"Warnings ({result.warning_count:,})", "Preview", "Mapping"])
    issues = (
        (tabs[0], "errors", result.errors, result.error_summary, result.error_count),
        (tabs[1], "warnings", result.warnings, result.warning_summary, result.warning_count),
    )
    for tab, name, listed, summary, total in issues:
        with tab:
            if not total:
                st.write(f"No {name}.")
                continue
            complete = len(listed) == total
            if not complete:
                st.warning(
                    f"The table lists the first {len(listed):,} of the {total:,} {name} (problems of a whole file "
                    "first, then by row). Every one of them is counted below, by column and reason."
                )
            st.dataframe(listed, hide_index=True, width="stretch")
            label = f"Download {name} (CSV)" if complete else f"Download the first {len(listed):,} {name} (CSV)"
            downloads.csv_button(label, listed, f"{name}.csv", f"dl:{name}", index=False)
            if not complete:
                st.dataframe(summary, hide_index=True, width="stretch")
                downloads.csv_button(
                    f"Download the count of {name} by reason (CSV)",
                    summary,
                    f"{name}_by_reason.csv",
                    f"dl:{name}:summary",
                    index=False,
                )
    with tabs[2]:
        st.dataframe(result.rows.slice(0, 200).to_pandas(), hide_index=True, width="stretch")
        st.caption("First 200 valid rows, in the contract's columns.")
    with tabs[3]:
        st.dataframe(result.mapping, hide_index=True, width="stretch")


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
                "Nothing can be committed yet: a problem concerns the whole file (see Errors). Choose the "
                "quarter or correct the column mapping above, or fix the file and upload it again."
            )
        else:
            st.error(
                "Nothing can be committed yet: no row passed the checks (see Errors). Correct the column mapping "
                "above, or fix the file and upload it again."
            )
    no_room = ws.custom_metrics_problem([c for c in result.table.column_names if c not in contract.NAMES])
    if no_room:
        st.error(f"Nothing can be committed yet: {fmt.plain(no_room)}.")
    replaced = ws.supersedes(result.quarters)
    confirmed = True
    if replaced:
        sources = history.set_index("upload_id")["source"]
        lines = [
            f"- **{q}** now comes from upload #{u} ({fmt.plain(sources.get(u, 'a new upload'))})"
            for q, u in replaced.items()
        ]
        st.warning("This commit supersedes data already in the workspace:\n" + "\n".join(lines))
        upload_choices.supersede_difference(ws, result)
        confirmed = st.checkbox(
            "Replace these quarters (the current uploads stay restorable below)",
            key=f"replace:{result.sha256}:{sorted(replaced.items())}",
        )
    same = history.query("sha256 == @result.sha256 and status != 'deleted'")
    if not same.empty:
        st.info(f"This exact file was committed before, as upload #{same['upload_id'].iloc[0]}.")
    confirmed = far_quarters_confirmed(result, ws, person) and confirmed
    ready = (result.ok or partial) and confirmed and result.rows.num_rows > 0 and not no_room
    label = f"Commit {result.rows.num_rows:,} rows ({', '.join(result.quarters)})" if result.quarters else "Commit"
    if st.button(label, type="primary", disabled=not ready, key="commit"):
        try:
            with st.status(f"Writing {result.rows.num_rows:,} rows to the workspace…"):
                upload_id = commit(result, ws, valid_rows_only=partial, expect_live=replaced, actor=person)
        except (CommitRefused, WorkspaceChanged, PermissionDenied) as refused:
            st.warning(f"Not committed: {fmt.plain(refused)}")
            return
        except WorkspaceError as failed:
            st.error(f"Not committed: {fmt.plain(failed)}")
            return
        except (ValueError, duckdb.Error, OSError) as exc:
            st.error(f"The commit was not written (nothing changed): {fmt.plain(exc)}")
            return
        flash(
            f"Committed upload #{upload_id}: {result.rows.num_rows:,} rows for {', '.join(result.quarters)}."
            + upload_choices.left_out_note(result, partial)
            + (" Every page's views of the new data are being prepared in the background." if warm_up.enabled() else "")
        )
        st.session_state["uploader_round"] = st.session_state.get("uploader_round", 0) + 1
        st.session_state[SAMPLE_OFFER] = True  # if the sample is still live beside the new data
        st.rerun()


HISTORY_COLUMNS = {
    "upload_id": st.column_config.NumberColumn("Upload", format="#%d"),
    "source": "File",
    "sha256": st.column_config.TextColumn("SHA-256", width="small"),
    "committed_at": st.column_config.DatetimeColumn("Committed (UTC)", format="YYYY-MM-DD HH:mm"),
    "quarters": "Quarters",
    "rows": st.column_config.NumberColumn("Rows", format="%d"),
    "live_quarters": "Live for",
    "status": "Status",
    "deleted_at": st.column_config.DatetimeColumn("Deleted (UTC)", format="YYYY-MM-DD HH:mm"),
    "sample": st.column_config.CheckboxColumn("Sample", help="An upload of the bundled sample of a fictional platform"),
}


def history_area(ws, history: pd.DataFrame, person) -> None:
    """Every upload with its status; restore or delete one (as the session's role allows)."""
    if history.empty:
        st.write("No uploads yet.")
        return
    st.dataframe(history, hide_index=True, width="stretch", column_config=HISTORY_COLUMNS)
    usable = history[history["status"] != "deleted"]
    # no status in the label: another session can change it, and a choice whose label changed
    # would silently become another upload
    labels = {int(r.upload_id): f"#{r.upload_id} · {r.source} · {r.quarters}" for r in usable.itertuples()}
    if not labels:
        return
    if not person.can("restore"):
        st.caption(f"Restoring or deleting an upload: {auth.needs('restore')}")
        return
    chosen = st.selectbox("Upload", list(labels), format_func=labels.get, key="history:upload")
    restore, delete = st.columns(2)
    if restore.button(f"Restore #{chosen}: make it live for its quarters", key="restore"):
        try:
            replaced = ws.restore(chosen, actor=person)
        except KeyError as gone:  # another session deleted it meanwhile
            st.warning(f"Not restored: {fmt.plain(gone.args[0])}")
            return
        except (WorkspaceError, PermissionDenied) as failed:
            st.error(f"Not restored: {fmt.plain(failed)}")
            return
        parts = [f"{q} (was #{u})" if u not in (None, chosen) else q for q, u in replaced.items()]
        flash(f"Upload #{chosen} is live again for {', '.join(parts)}.")
        st.rerun()
    if not person.can("delete"):
        delete.caption(f"Deleting an upload: {auth.needs('delete')}")
        return
    sure = delete.checkbox(f"Yes, delete upload #{chosen}'s rows for good", key=f"delete:sure:{chosen}")
    if delete.button(f"Delete #{chosen}", disabled=not sure, key="delete"):
        try:
            fallback = ws.delete(chosen, actor=person)
        except KeyError as gone:
            st.warning(f"Not deleted: {fmt.plain(gone.args[0])}")
            return
        except (WorkspaceError, PermissionDenied) as failed:
            st.error(f"Not deleted: {fmt.plain(failed)}")
            return
        parts = [f"{q} → #{u}" if u else f"{q} → no data" for q, u in fallback.items()]
        flash(f"Deleted upload #{chosen}." + (f" Now live: {', '.join(parts)}." if parts else ""))
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
    note = {"sample": "sample data", "mixed": "partly sample data"}.get(origin.kind, "")
    st.warning(
        f"{gap.describe(note)} Every chart would show both, with a gap of {gap.apart:,} quarters between them"
        + (": remove the sample first if these are your data." if origin.sample_live else ".")
    )
    if origin.sample_live:
        remove_sample_button(ws, person, "Remove the sample first", "sample:remove_first")
    return st.checkbox(f"Commit anyway, {gap.apart:,} quarters apart", key=f"far:{result.sha256}:{gap}")


def sample_step(step, done: str):
    """``step()``, a removal or restore of the sample; when it is refused (KeyError: another
    session did it meanwhile) the page says why, ``Not <done>: …``, and None is returned."""
    try:
        return step()
    except KeyError as gone:
        st.warning(f"Not {done}: {fmt.plain(gone.args[0])}")
    except (WorkspaceError, PermissionDenied) as failed:
        st.error(f"Not {done}: {fmt.plain(failed)}")
    return None


def remove_sample(ws, person) -> None:
    """Remove the sample data in one audited step (a button's callback); the next run says how."""
    st.session_state.pop(SAMPLE_OFFER, None)
    now_live = sample_step(lambda: ws.remove_sample(actor=person), "removed")
    if now_live is None:
        return
    kept = [q for q, upload in now_live.items() if upload is not None]
    flash(
        f"Removed the sample data ({quarters.span_label(now_live)}) in one step"
        + (f"; your own uploads are live for {', '.join(kept)}" if kept else "")
        + ". **Restore the sample** under The bundled sample brings it back."
    )


def remove_sample_button(ws, person, label: str, key: str, primary: bool = False) -> None:
    """A button removing the sample data (admins), or a line saying who may."""
    if not person.can("remove_sample"):
        st.caption(f"Removing the sample data: {auth.needs('remove_sample')}")
        return
    kind = "primary" if primary else "secondary"
    st.button(label, key=key, type=kind, on_click=remove_sample, args=(ws, person), icon=":material/delete_sweep:")


def sample_offer(ws, person) -> None:
    """Right after a commit that left the user's data beside the live sample: the offer to remove it."""
    origin = sample_notice.origin()
    if st.session_state.pop(SAMPLE_OFFER, False) and origin.kind == "mixed":
        with st.container(border=True):
            st.markdown(
                f"Your data now sit beside the bundled sample's ({quarters.span_label(origin.sample_quarters)}) on "
                "every chart and in every total. Remove the sample data? One step, recorded in the audit trail, "
                "and restorable."
            )
            remove_sample_button(ws, person, "Remove the sample data", "sample:remove_offered", primary=True)


def restore_sample(ws, person) -> None:
    """Bring the sample back in one audited step (a button's callback)."""
    restored = sample_step(lambda: ws.restore_sample(actor=person), "restored")
    if restored is not None:
        flash(f"The sample data are live again for {quarters.span_label(restored)}.")


def sample_area(ws, person) -> None:
    """While the sample is live: remove it in one step; once removed: restore it in one step."""
    origin = sample_notice.origin()
    if origin.sample_live:
        st.markdown(fmt.plain(origin.explanation))
        remove_sample_button(ws, person, "Remove the sample data", "sample:remove")
    elif origin.restorable:
        st.markdown(
            f"The bundled sample ({quarters.span_label(origin.restorable)}) is stored but not live. Restoring it "
            "makes it live again for those quarters; quarters holding your own data stay yours."
        )
        if person.can("restore_sample"):
            st.button("Restore the sample", key="sample:restore", on_click=restore_sample, args=(ws, person))
        else:
            st.caption(f"Restoring the sample data: {auth.needs('restore_sample')}")
    else:
        st.write("No sample data are stored in this workspace.")


AUDIT_COLUMNS = {
    "occurred_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    "actor": "Who",
    "role": "Role",
    "action": "Action",
    "summary": st.column_config.TextColumn("What", width="large"),
    "details": st.column_config.TextColumn("Details", width="medium"),
}


AUDIT_ANONYMOUS = [c for c in AUDIT_COLUMNS if c != "actor"]


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
        st.write("Nothing recorded yet.")
        return
    if not person.can("export_audit"):  # who did what is everyone's e-mail: not in the table (nor its download)
        shown = trail.drop(columns=["actor", "email"])
        st.dataframe(shown, hide_index=True, width="stretch", column_order=AUDIT_ANONYMOUS, column_config=AUDIT_COLUMNS)
        st.caption(f"Who did each action, and downloading the audit trail: {auth.needs('export_audit')}")
        return
    st.dataframe(trail, hide_index=True, width="stretch", column_order=list(AUDIT_COLUMNS), column_config=AUDIT_COLUMNS)
    downloads.file_button(
        "Download the audit trail (CSV)",
        lambda: audited_download(ws, person, "export_audit", lambda: audit_trail_csv(ws)),
        "audit_trail.csv",
        "text/csv",
        "dl:audit",
    )


def backup_area(ws, person) -> None:
    """Admins: the whole workspace as one file, and a restore from such a file (checked first:
    a foreign or damaged file is refused and nothing changes)."""
    if not person.can("backup"):
        st.caption(f"Backing up or restoring the whole workspace: {auth.needs('backup')}")
        return
    save, load = st.columns(2)
    with save:
        st.markdown(
            "**Back up**: every upload (live, superseded, deleted ones' history), scenarios, saved "
            "weights and the audit trail, as one DuckDB file."
        )
        size_mb = ws.stored_bytes() / 2**20
        if size_mb > BACKUP_LIMIT_MB:  # the backup would be held whole in the server's memory
            st.info(
                f"The workspace takes {size_mb:,.0f} MB, more than the {BACKUP_LIMIT_MB:,} MB a backup may have to "
                "go through the browser (and to be restored from it). Back it up from the command line, with the app "
                f"stopped: `python -m b2b_core.store backup BACKUP.duckdb --workspace {ws.path}`"
            )
        elif st.button("Prepare a backup", key="backup:prepare"):
            try:
                st.session_state["backup:file"] = (ws.backup(actor=person), ws.version)
            except (WorkspaceError, PermissionDenied, duckdb.Error, OSError) as failed:
                st.error(f"No backup was made: {fmt.plain(failed)}")
        prepared = st.session_state.get("backup:file")
        if prepared:
            st.download_button(
                f"Download the backup of version {prepared[1]} ({len(prepared[0]) / 2**20:.1f} MB)",
                prepared[0],
                f"workspace_backup_v{prepared[1]}.duckdb",
                "application/octet-stream",
                on_click="ignore",
                key="backup:download",
            )
    with load:
        st.markdown("**Restore**: replace the whole workspace with a backup file. The audit trail is kept.")
        backup = st.file_uploader(
            "Backup file (.duckdb)", type=["duckdb"], key="backup:upload", max_upload_size=BACKUP_LIMIT_MB
        )
        sure = st.checkbox("Yes, replace everything in the workspace with this backup", key="backup:sure")
        if st.button("Restore the workspace", disabled=not (backup and sure), key="backup:restore"):
            try:
                restored = ws.restore_backup(backup, actor=person)
            except (ValueError, PermissionDenied, WorkspaceError, duckdb.Error, OSError) as refused:
                st.error(f"Not restored, nothing changed: {fmt.plain(refused)}")
                return
            flash(
                f"Restored the backup of {restored['created_at']:%Y-%m-%d %H:%M} UTC (version "
                f"{restored['source_version']}): {restored['rows']['uploads']} upload(s)."
            )
            st.session_state.pop("backup:file", None)
            st.rerun()


def uploads_area(ws, history, person) -> None:
    """Uploading quarters, the bundled sample and the history of uploads."""
    st.subheader("Upload a quarter")
    st.caption(
        "CSV (comma, semicolon, tab or pipe; UTF-8, GBK or Latin-1) or Excel .xlsx, in your own column names. "
        "Several files are committed together, e.g. one per region. Nothing is written until you commit. "
        f"Each file may hold up to {UPLOAD_LIMIT_MB} MB: split a larger export by region or quarter."
    )
    uploads = None
    if person.can("commit"):
        uploads = st.file_uploader(
            "Account export files",
            type=["csv", "tsv", "txt", "xlsx"],
            accept_multiple_files=True,
            max_upload_size=UPLOAD_LIMIT_MB,  # checked by the browser; the server takes larger backups
            key=f"uploader:{st.session_state.get('uploader_round', 0)}",
        )
    else:
        st.info(f"Uploading data: {auth.needs('commit')} You can read everything below.")
    checks = Checks()
    too_large = [refused for upload in uploads or [] if (refused := upload_too_large(upload.name, upload.size))]
    for refused in too_large:  # checked again here, before a byte is read
        st.error(fmt.plain(refused))
    if too_large and len(too_large) < len(uploads):
        st.info("The other files are checked once those over the limit are removed from the list above.")
    if uploads and not too_large:
        results = []
        for i, upload in enumerate(uploads):
            with st.expander(f"{fmt.plain(upload.name)} · options", expanded=len(uploads) == 1):
                results.append(file_options(checks, upload, f"file{i}:{upload.name}", ws))
        combined = combine(results)
        st.subheader("Validation report")
        report(combined)
        commit_area(combined, ws, history, person)
    checks.forget_the_rest()

    st.subheader("The bundled sample")
    sample_area(ws, person)

    st.subheader("History")
    history_area(ws, history, person)


def source_area(opened) -> None:
    """Where the views' data come from when ``[source]`` names a source: uploads are off; the
    source's checks, its column mapping, or what keeps it from being used."""
    st.subheader("Where the data come from")
    if isinstance(opened, SourceError):
        state.source_failed(opened)
        st.info(SOURCE_UPLOADS_OFF)
        return
    st.markdown(
        f"Every view reads **{fmt.plain(opened.name)}**, computed by its engine ({opened.config.engine}); nothing "
        f"is copied here. Read at {time.strftime('%Y-%m-%d %H:%M', time.gmtime(opened.opened_at))} UTC, "
        f"{opened.report.rows:,} rows in {len(opened.quarters())} quarters; every check of the data contract passed "
        "(required columns, types, one row per account and quarter, amounts ≥ 0, readable quarters)."
    )
    st.info(SOURCE_UPLOADS_OFF)
    state.source_mapping(opened.report)


SOURCE_UPLOADS_OFF = (
    "Uploads are off: the views read the source named in the app's settings ([source] in .streamlit/secrets.toml, "
    "or $B2B_SOURCE). Scenarios, playbook weights, the currency and the audit trail stay in this workspace."
)

shell.require_app_shell()
person = auth.current()
ws = state.workspace()
history = ws.uploads()
st.title("Data")
if "flash" in st.session_state:
    st.success(st.session_state.pop("flash"))
opened = state.opened_source()
if opened is not None:
    source_area(opened)
else:
    sample_offer(ws, person)
    uploads_area(ws, history, person)

st.subheader("Currency")
currency_setting.show(ws, person)

st.subheader("Audit trail")
audit_area(ws, person)

st.subheader("Backup and restore")
backup_area(ws, person)

st.subheader("Downloads")
template_csv, template_xlsx, everything = st.columns(3)
template_csv.download_button(
    "Upload template (CSV)", exports.template_csv, "template.csv", "text/csv", on_click="ignore"
)
template_xlsx.download_button(
    "Upload template (XLSX)",
    exports.template_xlsx,
    "template.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
)
stored = int(history.loc[history["status"] != "deleted", "rows"].sum()) if len(history) else 0
if person.can("export_workspace") and stored > exports.ZIP_LIMIT_ROWS:
    everything.caption(
        f"The whole workspace as CSV files is offered up to {exports.ZIP_LIMIT_ROWS:,} stored rows: it is built in "
        f"the server's memory, and this workspace holds {stored:,}. Take a backup instead (a DuckDB file, which "
        "DuckDB, Python or a BI tool reads)."
    )
elif person.can("export_workspace"):
    downloads.file_button(
        "Whole workspace (CSV zip)",
        lambda: audited_download(ws, person, "export_workspace", lambda: workspace_zip(ws)),
        "workspace.zip",
        "application/zip",
        "dl:workspace",
        place=everything,
    )
else:
    everything.caption(f"The whole workspace as CSV files: {auth.needs('export_workspace')}")
