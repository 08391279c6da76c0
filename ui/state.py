"""The workspace and its data as Streamlit resources, cached by the workspace's version.

Pages call ``workspace()`` for the one Workspace object of this server process (uploads,
scenarios, settings, audit trail), ``panel()`` for where the panel lives (the workspace, or the
source that ``[source]`` in the app's secrets or ``$B2B_SOURCE`` names: Spark, a warehouse) and
``reduced(reduction, …)`` for what is computed from the panel: the panel's engine runs the
reduction once per data version (a workspace's ``version`` grows with every write; a source's
data are read afresh every ``refresh_minutes`` or on request) and language (a result may hold
texts: names of quadrants, sentences with numbers), and the result is shared by every session of
that language; the panel itself never comes into the server's memory.
A workspace file deleted, moved or replaced under the running app is opened afresh on the next
run (writes to the old one are refused by the store), and the run that creates a new workspace
says so.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from b2b_core import contract_labels, i18n, sample, source
from b2b_core import playbook as playbook_file
from b2b_core.amounts import Currency
from b2b_core.i18n import N_, _
from b2b_core.store import Workspace, created_marker, default_path
from ui import format as fmt  # its money words read currency() below
from ui import language


@st.cache_resource(show_spinner=False)
def _open(path: str, seed: bool) -> Workspace:
    """One Workspace per file and server process, seeded from the bundled sample on first start
    when ``seed`` (not when the views read a source)."""
    return sample.open_workspace(path, seed)


def _opened(path: Path) -> Workspace:
    """The workspace at ``path``; when this run creates it, the page says so."""
    seed = not source_named()
    if path.exists() or created_marker(path).exists():  # opened, or refused as lost (WorkspaceMissing)
        return _open(str(path), seed)
    with st.spinner(_("Creating a new workspace at {path}…").format(path=path)):
        ws = _open(str(path), seed)
    if ws.created and ws.still_at_path() and seed:
        st.info(
            _(
                "This app created a new workspace at {path} and filled it with the bundled sample, {quarters} "
                "quarters of a fictional platform. Upload your own quarters on the **Data** page (where the sample "
                "is then removed in one step)."
            ).format(path=fmt.plain(str(path)), quarters=len(ws.quarters()))
        )
    return ws


_PINNED = threading.local()  # per thread: the workspace it works on, whatever the path says now


def pin(ws: Workspace, found: Workspace | source.ExternalSource | None = None) -> None:
    """Make ``ws`` this thread's workspace and ``found`` (``ws`` when None) its panel (a background
    thread preparing its views): what ``workspace()`` and ``panel()`` give it from now on, even if
    ``$B2B_WORKSPACE`` names another file."""
    _PINNED.workspace = ws
    _PINNED.panel = found or ws


def workspace() -> Workspace:
    """The workspace of this server (``$B2B_WORKSPACE`` or ``data/workspace.duckdb``), or the
    thread's pinned one (``pin``). Raises ``store.WorkspaceMissing`` when its file is gone from a
    path that held one."""
    pinned = getattr(_PINNED, "workspace", None)
    if pinned is not None:
        return pinned
    path = default_path()
    ws = _opened(path)
    if not ws.still_at_path():  # deleted, moved or replaced under the app: open what is there now
        _open.clear()
        ws.close()  # once its reads are done: DuckDB opens a path's file anew only when no one holds it
        ws = _opened(path)
    return ws


NO_DATA = N_("The workspace has no data yet. Upload a quarter's account export on the **Data** page.")


def source_config() -> source.SourceConfig | None:
    """The source the app's secrets (``[source]``) or the environment (``$B2B_SOURCE``) name,
    None when neither does (the panel is the workspace's). Raises ``source.SourceError`` when
    the settings are wrong."""
    try:
        settings = st.secrets.get("source")
    except Exception:  # no secrets file, or one Streamlit cannot read (the sign-in check names it)
        settings = None
    return source.from_settings(settings) if settings is not None else source.from_env(os.environ)


def source_named() -> bool:
    """True when the settings name a source (rightly or not): the panel is not the workspace's."""
    try:
        return source_config() is not None
    except source.SourceError:
        return True


@language.cached(st.cache_resource, N_("Opening the source and checking its rows in its engine…"))  # on a miss only
def _external(key: str, _config: source.SourceConfig) -> source.ExternalSource | source.SourceError:
    """The opened source of ``key`` (``SourceConfig.key``), or what kept it from opening: a failure
    is kept too, so that every rerun does not ask the engine again until "Try again"."""
    try:
        return source.ExternalSource(_config)
    except source.SourceError as failed:
        return failed


def opened_source() -> source.ExternalSource | source.SourceError | None:
    """The opened source the settings name, what keeps it from being used (wrong settings, the
    engine's refusal, failed checks), or None when they name none. Nothing is shown but the
    spinner of a first opening (every view asks this: a hit costs no element of the page)."""
    try:
        config = source_config()
    except source.SourceError as wrong:
        return wrong
    if config is None:
        return None
    opened = _external(config.key, config)
    if isinstance(opened, source.ExternalSource) and time_to_refresh(opened):
        _external.clear()
        opened = _external(config.key, config)
    return opened


def external() -> source.ExternalSource | None:
    """The opened source the settings name, None when they name none; when it cannot be used,
    the page says why (``source_failed``) and stops."""
    opened = opened_source()
    if isinstance(opened, source.SourceError):
        source_failed(opened)
        st.stop()
    return opened


def time_to_refresh(opened: source.ExternalSource) -> bool:
    """True once the source was read ``refresh_minutes`` ago: its views are computed afresh."""
    return time.time() - opened.opened_at > opened.config.refresh_minutes * 60


def refresh_source() -> None:
    """Read the source afresh on the next run (its quarters, checks and every view)."""
    _external.clear()


def source_failed(failed: source.SourceError) -> None:
    """What keeps the source from being used, with its check report when it has one, and a button
    to try again (the rest of the app, e.g. the Data page's backups, still works)."""
    st.error(fmt.plain(failed))
    if isinstance(failed, source.SourceFailsChecks):
        st.markdown("\n".join(f"- {fmt.plain(sentence)}" for sentence in failed.report.sentences()))
        source_mapping(failed.report)
    if st.button(_("Try again"), key="source:retry", icon=":material/refresh:"):
        refresh_source()
        st.rerun()


def source_mapping(report: source.SourceReport) -> None:
    """Which source column feeds which contract column, in an expander."""
    with st.expander(_("How the source's columns were mapped")):
        st.dataframe(contract_labels.mapping_table(report.mapping), hide_index=True, width="stretch")


def panel() -> Workspace | source.ExternalSource:
    """Where the panel lives: the source the settings name, else the workspace (both offer
    ``quarters()`` and ``reduce()``)."""
    pinned = getattr(_PINNED, "panel", None)
    if pinned is not None:
        return pinned
    return external() or workspace()


def quarters() -> list[str]:
    """The panel's quarters, in order."""
    return panel().quarters()


def workspace_with_data() -> Workspace:
    """The workspace; when the panel has no data yet, the page says what to do and stops."""
    ws = workspace()
    if not quarters():
        st.info(_(NO_DATA))
        st.stop()
    return ws


@language.cached(st.cache_data, N_("Computing this view from the data (once per version of the data)…"), max_entries=64)
def _reduced(data: str, name: str, _reduction: Callable, args: tuple, words: str):
    # ``data``, ``name``, ``args`` and ``words`` key the cache; the function itself is not hashed.
    # Computed in the caller's language: a message it raises (never cached) reads in that language.
    return panel().reduce(lambda live: _reduction(live, *args))


def reduced(reduction: Callable, *args):
    """``reduction(live, *args)`` computed by the panel's engine (the workspace's DuckDB, or the
    source's) on the live panel (the panel never comes into the server's memory), once per data
    version and the hashable ``args``, and shared by every session. When a source's engine cannot
    compute it (a query past its time, the engine or its files gone), the page, or the part of it
    rerun (``st.fragment``), says why and stops; the background preparation gets the error
    (``ui.warm_up`` logs it). A result is kept for every language unless ``reduction`` is marked
    ``i18n.worded`` (its result holds words): then once per language, so that a second language
    costs no second computation of the data, nor its memory."""
    try:
        name = f"{reduction.__module__}.{reduction.__qualname__}"
        words = i18n.language() if i18n.is_worded(reduction) else ""
        return _reduced(data_version(), name, reduction, args, words)
    except source.SourceError as failed:
        if getattr(_PINNED, "panel", None) is not None:
            raise
        source_failed(failed)
        st.stop()


def data_version() -> str:
    """``<workspace file>#<version>``, or ``source:<digest of its settings>#<when it was read>``:
    keys the caches of what is computed from the live data, so that a write, another workspace
    file or a source read afresh never serves a stale result (no credential is in the key)."""
    found = panel()
    if isinstance(found, source.ExternalSource):
        digest = hashlib.sha256(found.config.key.encode()).hexdigest()[:12]
        return f"source:{digest}#{int(found.opened_at)}"
    return f"{found.path}#{found.version}"


@st.cache_data(show_spinner=False, max_entries=4)
def _currency(version: str) -> Currency | None:
    return workspace().currency()


def currency() -> Currency | None:
    """The workspace's currency (``Workspace.currency``), read once per version of the workspace
    (a restored backup brings its own) until ``currency_changed``; the workspace's even while a
    source it does not hold cannot be used."""
    ws = workspace()
    return _currency(f"{ws.path}#{ws.version}")


def currency_changed() -> None:
    """After ``Workspace.set_currency``: every session reads the new currency on its next run."""
    _currency.clear()


@st.cache_data(show_spinner=False, max_entries=2)
def _playbook(path: str, mtime: float) -> playbook_file.Playbook | str:
    try:
        return playbook_file.load_playbook(path)
    except playbook_file.PlaybookError as exc:
        return str(exc)


def playbook_key() -> tuple[str, float]:
    """(path, modification time) of the playbook file in the run's language (``data/playbook.toml``,
    ``data/playbook.zh.toml``): keys what is computed from it."""
    path = playbook_file.playbook_path(i18n.language())
    return str(path), path.stat().st_mtime if path.exists() else 0.0


def playbook(key: tuple[str, float] | None = None) -> playbook_file.Playbook | str:
    """The playbook file in the run's language (``playbook_key``), re-read when it changes, or the
    message saying what is wrong with it."""
    return _playbook(*(key or playbook_key()))


def readable_playbook(key: tuple[str, float] | None = None) -> playbook_file.Playbook:
    """The playbook file; when it cannot be read, the page says what is wrong and stops."""
    book = playbook(key)
    if isinstance(book, str):
        st.error(_("The playbook cannot be read: {reason}").format(reason=book))
        st.stop()
    return book
