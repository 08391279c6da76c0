"""The workspace and its data as Streamlit resources, cached by the workspace's version.

Pages call ``workspace()`` for the one Workspace object of this server process and
``reduced(reduction, …)`` for what is computed from the live panel: the workspace's engine runs
the reduction once per data version (``version`` grows with every write), and the result is
shared by every session; the panel itself never comes into the server's memory.
A workspace file deleted, moved or replaced under the running app is opened afresh on the next
run (writes to the old one are refused by the store), and the run that creates a new workspace
says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from b2b_core import playbook as playbook_file
from b2b_core import sample
from b2b_core.amounts import Currency
from b2b_core.store import Workspace, created_marker, default_path
from ui import format as fmt  # its money words read currency() below


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Workspace:
    """One Workspace per file and server process, seeded from the bundled sample on first start."""
    return sample.open_workspace(path)


def _opened(path: Path) -> Workspace:
    """The workspace at ``path``; when this run creates it, the page says so."""
    if path.exists() or created_marker(path).exists():  # opened, or refused as lost (WorkspaceMissing)
        return _open(str(path))
    with st.spinner(f"Creating a new workspace at {path} and filling it with the bundled sample…"):
        ws = _open(str(path))
    if ws.created and ws.still_at_path():
        st.info(
            f"This app created a new workspace at {fmt.plain(str(path))} and filled it with the bundled sample, "
            f"{len(ws.quarters())} quarters of a fictional platform. Upload your own quarters on the **Data** page "
            "(where the sample is then removed in one step)."
        )
    return ws


_PINNED = threading.local()  # per thread: the workspace it works on, whatever the path says now


def pin(ws: Workspace) -> None:
    """Make ``ws`` this thread's workspace (a background thread preparing its views): what
    ``workspace()`` gives it from now on, even if ``$B2B_WORKSPACE`` names another file."""
    _PINNED.workspace = ws


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


NO_DATA = "The workspace has no data yet. Upload a quarter's account export on the **Data** page."


def workspace_with_data() -> Workspace:
    """The workspace; when it has no data yet, the page says what to do and stops."""
    ws = workspace()
    if not ws.quarters():
        st.info(NO_DATA)
        st.stop()
    return ws


@st.cache_data(show_spinner="Computing this view from the workspace (once per version of the data)…", max_entries=64)
def _reduced(data: str, name: str, _reduction: Callable, args: tuple):
    # ``data`` and ``name`` key the cache; the function itself is not hashed
    return workspace().reduce(lambda live: _reduction(live, *args))


def reduced(reduction: Callable, *args):
    """``reduction(live, *args)`` computed by the workspace's engine on the live panel (the panel
    never comes into the server's memory), once per data version and the hashable ``args``, and
    shared by every session."""
    return _reduced(data_version(), f"{reduction.__module__}.{reduction.__qualname__}", reduction, args)


def data_version() -> str:
    """``<workspace file>#<version>``: keys the caches of what is computed from the live data, so
    that a write, or another workspace file, never serves a stale result."""
    ws = workspace()
    return f"{ws.path}#{ws.version}"


@st.cache_data(show_spinner=False, max_entries=4)
def _currency(data: str) -> Currency | None:
    return workspace().currency()


def currency() -> Currency | None:
    """The workspace's currency (``Workspace.currency``), read once per data version (a restored
    backup brings its own) until ``currency_changed``."""
    return _currency(data_version())


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
    """(path, modification time) of the playbook file: keys what is computed from it."""
    path = playbook_file.PLAYBOOK_PATH
    return str(path), path.stat().st_mtime if path.exists() else 0.0


def playbook(key: tuple[str, float] | None = None) -> playbook_file.Playbook | str:
    """The playbook file (``data/playbook.toml``), re-read when it changes, or the message saying
    what is wrong with it."""
    return _playbook(*(key or playbook_key()))


def readable_playbook(key: tuple[str, float] | None = None) -> playbook_file.Playbook:
    """The playbook file; when it cannot be read, the page says what is wrong and stops."""
    book = playbook(key)
    if isinstance(book, str):
        st.error(f"The playbook cannot be read: {book}")
        st.stop()
    return book
