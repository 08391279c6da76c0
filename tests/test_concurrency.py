"""Concurrent use (issue "Trust", point 3): eight browser sessions on ONE Streamlit server.

For a minute every session picks actions from its own seeded schedule: view an analysis page,
upload a quarter and commit it through the Data page, or restore an earlier upload from the Data
page's history. All sessions write the same three quarters (2026Q2–2026Q4; 2026Q4 starts empty),
so commits race each other and restores. Then, with the server stopped:

- no error element appeared in any session at any time (a MutationObserver reports every
  ``ERROR_ELEMENTS`` match the moment it is added to a page);
- no upload was lost or duplicated: every commit a session was told about ("Committed upload
  #N") is in ``Workspace.uploads()`` exactly once with its file name and sha256, no refused
  commit was written, and there is no upload nobody was told about;
- the final workspace is the expected one. Every write says what it replaced: a commit replaces
  exactly what the user confirmed (the quarters' live uploads listed in the "supersedes" warning
  next to the ticked checkbox: the checkbox is keyed by that list and the commit passes it as
  ``expect_live``), a restore reports it ("live again for 2026Q3 (was #17)"). Per quarter the
  writes are thus edges from the upload that was live to the one made live, which must form one
  trail from the seeded upload; its end is the upload live at the end. Replaying the commits on a
  fresh workspace seeded the same way and restoring those ends must give the same ``panel()``
  and ``uploads()`` (committed_at aside).

A commit refused because another session changed the quarter since the user reviewed it ("Not
committed: ... changed since you reviewed", or the confirmation asked again) is legitimate: it
is counted, not a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import itertools
import json
import random
import re
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeout

from b2b_core import sample
from b2b_core.access import LOCAL
from b2b_core.ingest import read_upload
from b2b_core.store import Workspace
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, ERROR_ELEMENTS, ROOT, streamlit_server

pytestmark = pytest.mark.browser

SESSIONS = 8
DURATION = 60.0  # seconds of mixed use; every session finishes the action it is in
SEED = 20260
QUARTERS = ("2026Q2", "2026Q3", "2026Q4")  # written by every session; 2026Q4 starts empty
VIEWS = ("Overview", "Lifecycle priorities", "Revenue quadrants", "Cohort renewals", "Scenario lab", "Workshop")
ACTIONS = {"view": 4, "upload": 4, "restore": 3}  # weights of the schedule
VIEWPORT = {"width": 1200, "height": 800}
TIMEOUT_MS = 120_000  # one step on a loaded 2-core machine: 8 sessions share the server and Chromium
OPTION_TIMEOUT_MS = 30_000  # an open list shows its options by then, or a rerun closed it
ARTIFACTS = ROOT / "test-artifacts"
SEEDED = sorted(sample.SAMPLE_DIR.glob("accounts_*.csv"))  # the server commits them as uploads #1, #2, …

# Reports every error element the moment it is added to the page, and counts the script runs
# that ended: the ForwardMsgs with a ``script_finished`` field (number 6, a varint), read off the
# websocket. (The app root's run state attribute is no such count: under load React may render
# "running" and "notRunning" in one go, and the attribute never changes.)
OBSERVER = """
(() => {
    window.__runsDone = 0;
    window.__lastMessage = performance.now();
    const finishes = (bytes) => {  // does this top-level protobuf message have field 6 as a varint?
        let at = 0;
        const varint = () => {
            let value = 0, shift = 0, byte;
            do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
            return value;
        };
        while (at < bytes.length) {
            const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
            if (field === 6 && wire === 0) return true;
            if (wire === 0) varint();
            else if (wire === 1) at += 8;
            else if (wire === 2) { const length = varint(); at += length; }  // not at += varint(): at is read first
            else if (wire === 5) at += 4;
            else return false;
        }
        return false;
    };
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", (event) => {
                window.__lastMessage = performance.now();
                if (event.data instanceof ArrayBuffer && finishes(new Uint8Array(event.data))) window.__runsDone += 1;
            });
        }
    };
    const reported = new WeakSet();
    new MutationObserver(() => {
        for (const element of document.querySelectorAll(SELECTOR)) {
            if (!reported.has(element)) {
                reported.add(element);
                window.__reportError((element.innerText || element.textContent || "").slice(0, 3000), location.href);
            }
        }
    }).observe(document, {subtree: true, childList: true, characterData: true});
})();
""".replace("SELECTOR", repr(ERROR_ELEMENTS))

IDLE = """(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return Boolean(app && app.dataset.testScriptState === "notRunning"
        && !document.querySelector('[data-testid="stStatusWidget"]'));
})()"""
# A run that ended after ``before`` (the count read before the action), the app idle, and no
# message for 0.4 s (the frontend has handled the last one; a rerun would have started).
RUN_OVER = f"(window.__runsDone > before && performance.now() - window.__lastMessage > 400 && {IDLE})"

# Shared start of the outcome checks: nothing before the run is over; ``shown`` skips stale elements.
PREAMBLE = (
    """if (!RUN_OVER) return null;
    const shown = (selector) => Array.from(document.querySelectorAll(selector))
        .filter((element) => !element.closest('[data-stale="true"]'));"""
).replace("RUN_OVER", RUN_OVER)


def outcome(success: tuple[str, str], refusal: tuple[str, str], otherwise: str = "") -> str:
    """A check of what a click led to, once its run is over (null while it is not): [kind, text]
    of the first success alert holding ``success[0]`` (kind ``success[1]``), else of the first
    warning holding ``refusal[0]`` (kind ``refusal[1]``), else what the ``otherwise`` code returns."""
    alerts = (("Success", *success), ("Warning", *refusal))
    checks = "\n".join(
        f"""    for (const element of shown('[data-testid="stAlertContent{kind}"]')) {{
        if (element.innerText.includes({json.dumps(text)})) return [{json.dumps(name)}, element.innerText];
    }}"""
        for kind, text, name in alerts
    )
    return f"""(before) => {{
    {PREAMBLE}
{checks}
{otherwise}
    return null;
}}"""


COMMIT_OUTCOME = outcome(
    ("Committed upload #", "committed"),
    ("Not committed:", "refused"),
    """    const box = shown('[data-testid="stCheckbox"]').find((e) => e.innerText.includes("Replace these quarters"));
    if (box && !box.querySelector("input").checked) {
        const warning = shown('[data-testid="stAlertContentWarning"]').find((e) => e.innerText.includes("supersedes"));
        return ["reconfirm", warning ? warning.innerText : ""];
    }""",
)
RESTORE_OUTCOME = outcome(("is live again for", "restored"), ("Not restored:", "refused"))


@dataclass
class Commit:
    session: int
    path: Path
    quarter: str
    rows: int
    sha256: str
    replaced: int | None  # the upload live for the quarter that the user confirmed replacing
    upload_id: int


@dataclass
class Restore:
    session: int
    upload_id: int
    replaced: dict[str, int]  # quarter → the upload that was live for it


@dataclass
class Run:
    url: str
    directory: Path
    deadline: float = 0.0
    used: float = 0.0  # seconds from the start of the mixed use to the end of the last session's last action
    serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    views: int = 0
    commits: list[Commit] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "Not committed: …" (WorkspaceChanged)
    reconfirmed: list[str] = field(default_factory=list)  # the click's run found the quarter changed
    abandoned: list[Path] = field(default_factory=list)  # files never committed (refused or given up)
    restores: list[Restore] = field(default_factory=list)
    wrong_restores: list[str] = field(default_factory=list)  # the app restored another upload than chosen
    errors: list[str] = field(default_factory=list)  # error elements seen
    failures: list[str] = field(default_factory=list)  # a session that could not go on
    uncertain: list[Path] = field(default_factory=list)  # commit clicked, outcome never seen
    js_errors: list[str] = field(default_factory=list)
    screenshots: int = 0


# -- the files the sessions upload --------------------------------------------------------------


@functools.cache
def base_rows(quarter: str) -> pd.DataFrame:
    """The bundled export of ``quarter`` as text (2026Q4, which it lacks: 2026Q3's accounts)."""
    source = quarter if quarter != "2026Q4" else "2026Q3"
    rows = pd.read_csv(sample.SAMPLE_DIR / f"accounts_{source}.csv", dtype=str, keep_default_na=False)
    return rows.assign(Quarter=quarter)


def upload_file(run: Run, session: int, quarter: str) -> Path:
    """A clean export of ``quarter`` with its own name and content (revenue scaled per file)."""
    serial = next(run.serial)
    rows = base_rows(quarter).copy()
    factor = 1 + serial / 1000
    for column in ("GMV", "Commission"):
        rows[column] = (rows[column].astype(float) * factor).map("{:.2f}".format)
    path = run.directory / f"s{session}_{serial:03d}_{quarter}.csv"
    rows.to_csv(path, index=False, lineterminator="\n")
    return path


# -- driving one session ------------------------------------------------------------------------


class Session:
    """One browser context (one Streamlit session at a time) and its schedule."""

    def __init__(self, number: int, run: Run, context, page) -> None:
        self.number, self.run, self.context, self.page = number, run, context, page
        self.random = random.Random(SEED * 100 + number)
        self.current = "Overview"
        # the sessions go round the pages from different starts: every page is viewed
        self.pages = itertools.cycle(VIEWS[number % len(VIEWS) :] + VIEWS[: number % len(VIEWS)])

    async def runs_done(self) -> int:
        return await self.page.evaluate("window.__runsDone")

    async def after_run(self, before: int) -> None:
        """Wait until a script run that ended after ``before`` was read is over and the app idle."""
        await self.page.wait_for_function(f"(before) => {RUN_OVER}", arg=before, timeout=TIMEOUT_MS, polling=250)
        await self.page.wait_for_timeout(300)

    async def idle(self) -> None:
        await self.page.wait_for_function(f"() => {IDLE}", timeout=TIMEOUT_MS, polling=250)
        await self.page.wait_for_timeout(300)

    async def outcome(self, script: str, before: int, what: str) -> tuple[str, str]:
        """Poll ``script`` until it reports the same outcome twice in a row, 0.7 s apart."""
        deadline, last = time.monotonic() + TIMEOUT_MS / 1000, None
        while time.monotonic() < deadline:
            seen = await self.page.evaluate(script, before)
            if seen is not None and seen == last:
                return tuple(seen)
            last = seen
            await self.page.wait_for_timeout(700)
        raise TimeoutError(f"session {self.number}: no outcome of {what} within {TIMEOUT_MS / 1000:.0f} s")

    async def open(self, path: str, title: str) -> None:
        """Load ``path`` afresh (a new Streamlit session)."""
        await self.page.goto(self.run.url + path)
        await self.idle()
        await self.page.get_by_role("heading", name=title).first.wait_for()
        self.current = title

    async def go(self, title: str) -> None:
        """Go to the page ``title`` through the sidebar navigation (the same session)."""
        if self.current == title:
            return
        before = await self.runs_done()
        await self.page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        await self.after_run(before)
        await self.page.get_by_role("heading", name=title).first.wait_for()
        await self.idle()
        self.current = title

    async def view(self) -> None:
        title = next(self.pages)
        await self.go(title if title != self.current else next(self.pages))
        self.run.views += 1

    async def confirm(self) -> dict[str, int]:
        """Tick "Replace these quarters" if it is asked; return what it confirms replacing, read
        from the warning rendered together with the ticked checkbox."""
        warning = self.page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="This commit supersedes")
        box = self.page.locator('[data-testid="stCheckbox"]').filter(has_text="Replace these quarters")
        for _ in range(6):
            if await warning.count() == 0:
                return {}
            if await box.get_by_role("checkbox").is_checked():
                found = re.findall(r"(\d{4}Q[1-4]) now comes from upload #(\d+)", await warning.inner_text())
                return {quarter: int(upload) for quarter, upload in found}
            before = await self.runs_done()
            await box.locator("label").click()
            await self.after_run(before)  # a write elsewhere in between re-keys the checkbox: tick again
        raise AssertionError(f"session {self.number}: the replace confirmation never stayed ticked")

    async def upload(self) -> None:
        await self.go("Data")
        uploader = self.page.locator('[data-testid="stFileUploader"]').filter(has_text="Account export files")
        if await uploader.locator('[data-testid="stFileUploaderFile"]').count():
            await self.open("/data", "Data")  # a file left from an earlier step: start afresh
        quarter = self.random.choice(QUARTERS)
        path = upload_file(self.run, self.number, quarter)
        rows = len(base_rows(quarter))
        before = await self.runs_done()
        await uploader.locator('input[type="file"]').set_input_files(str(path))
        await self.after_run(before)
        await self.page.get_by_text("Validation report").wait_for()
        await self.idle()
        button = self.page.get_by_role("button", name=f"Commit {rows:,} rows ({quarter})", exact=True)
        await button.wait_for()
        for _ in range(3):
            confirmed = await self.confirm()
            assert await button.is_enabled(), f"session {self.number}: {path.name} confirmed but not committable"
            before = await self.runs_done()
            await button.click()
            try:
                kind, text = await self.outcome(COMMIT_OUTCOME, before, f"committing {path.name}")
            except BaseException:
                self.run.uncertain.append(path)
                raise
            if kind == "committed":
                found = re.search(r"Committed upload #(\d+): ([\d,]+) rows for (\S+)\.", text)
                assert found, f"session {self.number}: unexpected commit message {text!r}"
                upload_id, committed_rows, committed_quarter = found.groups()
                assert (int(committed_rows.replace(",", "")), committed_quarter) == (rows, quarter), text
                sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
                self.run.commits.append(
                    Commit(self.number, path, quarter, rows, sha256, confirmed.get(quarter), int(upload_id))
                )
                await self.idle()
                return
            if kind == "refused":  # WorkspaceChanged between the check and the write: nothing written
                self.run.refused.append(f"session {self.number}, {path.name}: {text}")
                self.run.abandoned.append(path)
                await self.open("/data", "Data")  # as a user would: reload and start over
                return
            self.run.reconfirmed.append(f"session {self.number}, {path.name}: {text}")  # confirm again
        self.run.abandoned.append(path)
        await self.open("/data", "Data")

    async def restore(self) -> None:
        await self.go("Data")
        sources = {i + 1: path.name for i, path in enumerate(SEEDED)}
        sources |= {commit.upload_id: commit.path.name for commit in self.run.commits}  # every session's
        candidates = [i for i, name in sources.items() if name.removesuffix(".csv").endswith(QUARTERS)]
        if self.random.random() < 0.1:
            candidates = list(range(1, len(SEEDED) + 1))  # now and then an upload that is live anyway
        target = self.random.choice(candidates)
        combobox = self.page.locator(".st-key-history-upload").get_by_role("combobox")
        if not (await combobox.input_value()).startswith(f"#{target} ·"):
            before = await self.runs_done()
            option = self.page.get_by_role("option").filter(has_text=re.compile(rf"^#{target} ·")).first
            for attempt in range(3):  # a rerun landing as the list opens closes it: open it again
                await combobox.click()
                await self.page.keyboard.press("Control+A")
                await self.page.keyboard.type(f"#{target} · {sources[target]}")  # filters the options
                try:
                    await option.click(timeout=OPTION_TIMEOUT_MS)
                    break
                except PlaywrightTimeout:
                    if attempt == 2:
                        raise
                    await self.page.keyboard.press("Escape")
            await self.after_run(before)
        chosen = await combobox.input_value()
        assert chosen.startswith(f"#{target} ·"), f"session {self.number}: chose #{target}, shows {chosen!r}"
        before = await self.runs_done()
        await self.page.locator(".st-key-restore button").click()
        kind, text = await self.outcome(RESTORE_OUTCOME, before, f"restoring #{target}")
        assert kind == "restored", f"session {self.number}: restoring #{target} (never deleted): {text}"
        found = re.search(r"Upload #(\d+) is live again for (.+)\.$", text.strip())
        assert found, f"session {self.number}: unexpected restore message {text!r}"
        restored = int(found.group(1))
        if restored != target:  # recorded as it happened, so that the workspace check stays exact
            self.run.wrong_restores.append(
                f"session {self.number} chose {chosen!r} and pressed Restore; the app answered {text!r}"
            )
        replaced = {
            quarter: int(was) if was else restored
            for quarter, was in re.findall(r"(\d{4}Q[1-4])(?: \(was #(\d+)\))?", found.group(2))
        }
        self.run.restores.append(Restore(self.number, restored, replaced))
        await self.idle()

    async def screenshot(self, why: str) -> None:
        if self.run.screenshots >= 6:
            return
        self.run.screenshots += 1
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"concurrency_session{self.number}_{self.run.screenshots}_{why}.png"
        with contextlib.suppress(Exception):  # a screenshot is only a help
            await self.page.screenshot(path=str(path), full_page=True, timeout=30_000)

    async def use(self) -> None:
        """Act on the schedule until the deadline; a failure ends this session."""
        action = "start"
        try:
            while time.monotonic() < self.run.deadline:
                action = self.random.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
                await getattr(self, action)()  # error elements: reported by OBSERVER as they appear
        except Exception:  # recorded, reported by the test
            self.run.failures.append(f"session {self.number} during {action}:\n{traceback.format_exc()}")
            await self.screenshot("failure")


async def start_session(number: int, run: Run, browser) -> Session:
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    session = Session(number, run, context, None)

    async def report_error(source, text: str, url: str) -> None:
        run.errors.append(f"session {number} on {url}: {text}")
        await session.screenshot("error")

    await context.expose_binding("__reportError", report_error)
    await context.add_init_script(OBSERVER)
    session.page = await context.new_page()
    session.page.on("pageerror", lambda error: run.js_errors.append(f"session {number}: {error}"))
    await session.open("/", "Overview")
    return session


async def use_the_app(run: Run) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            sessions = await asyncio.gather(*(start_session(n, run, browser) for n in range(1, SESSIONS + 1)))
            run.deadline = time.monotonic() + DURATION
            await asyncio.gather(*(session.use() for session in sessions))
            run.used = time.monotonic() - run.deadline + DURATION
            for session in sessions:
                await session.context.close()
        finally:
            await browser.close()


# -- the expected workspace ---------------------------------------------------------------------


def trail_end(start: int | None, edges: list[tuple[int | None, int]]) -> int | None:
    """The end of the one trail from ``start`` that uses every edge (live upload → upload made
    live) once; AssertionError if there is none: a write replaced something else than it said."""
    balance = Counter()  # in − out
    parent = {start: start}

    def root(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            node = parent[node]
        return node

    for old, new in edges:
        balance[old] -= 1
        balance[new] += 1
        parent[root(old)] = root(new)
    unbalanced = {node: value for node, value in balance.items() if value}
    connected = all(root(node) == root(start) for edge in edges for node in edge)
    if not unbalanced and connected:
        return start
    ends = [node for node, value in unbalanced.items() if value == 1]
    if connected and len(unbalanced) == 2 and unbalanced.get(start) == -1 and len(ends) == 1:
        return ends[0]
    raise AssertionError(f"no order of the writes explains them: from #{start}, edges {edges}")


def check_workspace(run: Run, path: Path, scratch: Path) -> list[str]:
    """What is wrong with the workspace after the run (empty: nothing)."""
    problems = []
    with Workspace(path) as workspace:
        history = workspace.uploads()
        panel = workspace.panel()
    seeded = {int(r.upload_id): r.source for r in history.itertuples() if r.source.startswith("accounts_")}
    if seeded != {i + 1: p.name for i, p in enumerate(SEEDED)}:
        problems.append(f"the seeded uploads are {seeded}")
    for commit in run.commits:
        rows = history[history["upload_id"] == commit.upload_id]
        if len(rows) != 1:
            problems.append(f"lost: upload #{commit.upload_id} ({commit.path.name}) is in the history {len(rows)}×")
            continue
        row = rows.iloc[0]
        stored = (row["source"], row["sha256"], row["quarters"], int(row["rows"]))
        if stored != (commit.path.name, commit.sha256, commit.quarter, commit.rows):
            problems.append(f"upload #{commit.upload_id} is stored as {stored}, committed as {commit}")
    sources = Counter(history["source"])
    problems += [f"duplicated: {name} is in the history {n} times" for name, n in sources.items() if n > 1]
    told = set(seeded) | {c.upload_id for c in run.commits}
    for row in history[~history["upload_id"].isin(told)].itertuples():
        problems.append(f"upload #{row.upload_id} ({row.source}) was written, but no session was told so")
    refused = {p.name for p in run.abandoned} & set(sources)
    problems += [f"{name} was refused or abandoned, yet it is in the history" for name in sorted(refused)]

    live = {q: int(r.upload_id) for r in history.itertuples() for q in r.live_quarters.split(",") if q}
    starts = {p.stem.removeprefix("accounts_"): i + 1 for i, p in enumerate(SEEDED)}
    edges: dict[str, list] = {quarter: [] for quarter in starts}  # a quarter nobody wrote keeps its seed
    expected_live = {}
    for commit in sorted(run.commits, key=lambda c: c.upload_id):
        edges.setdefault(commit.quarter, []).append((commit.replaced, commit.upload_id))
    for restore in run.restores:
        for quarter, old in restore.replaced.items():
            edges.setdefault(quarter, []).append((old, restore.upload_id))
    for quarter, written in sorted(edges.items()):
        try:
            expected_live[quarter] = trail_end(starts.get(quarter), written)
        except AssertionError as exc:
            problems.append(f"{quarter}: {exc}")
    if live != expected_live:
        problems.append(f"live uploads {live}, expected {expected_live}")
    if problems:
        return problems  # the replay below would only repeat them

    with Workspace(scratch) as expected:
        sample.seed_workspace(expected)
        for commit in sorted(run.commits, key=lambda c: c.upload_id):
            result = read_upload(commit.path.read_bytes(), commit.path.name)
            assert expected.commit(result.table, result.source, sha256=result.sha256, actor=LOCAL) == commit.upload_id
        for upload_id in sorted(set(expected_live.values())):
            expected.restore(upload_id, actor=LOCAL)
        expected_panel, expected_history = expected.panel(), expected.uploads()
    try:
        pd.testing.assert_frame_equal(panel, expected_panel)
    except AssertionError as exc:
        problems.append(f"the live panel differs from the expected one: {exc}")
    try:
        pd.testing.assert_frame_equal(
            history.drop(columns="committed_at"), expected_history.drop(columns="committed_at")
        )
    except AssertionError as exc:
        problems.append(f"the upload history differs from the expected one: {exc}")
    return problems


def server_tracebacks(log: str) -> str:
    """The distinct tracebacks in the server log, each once with how often it occurred."""
    blocks = re.split(r"^\d{4}-\d\d-\d\d [\d:.]+ ", log, flags=re.MULTILINE)
    found = Counter(
        block.replace("Stopping...", "").strip() for block in blocks if "Traceback (most recent call last)" in block
    )
    return "\n".join(f"--- {n}× in the server log ---\n{block}" for block, n in found.most_common())


@pytest.mark.timeout(900)
def test_eight_sessions_upload_restore_and_view_at_once_without_errors_or_lost_uploads(tmp_path, monkeypatch):
    # No "File change. Rerun" prompt when a source file is saved during the run: it is the status
    # widget, so a session would never look idle.
    monkeypatch.setenv("STREAMLIT_SERVER_FILE_WATCHER_TYPE", "none")
    started = time.monotonic()
    workspace = tmp_path / "workspace.duckdb"
    files = tmp_path / "uploads"
    files.mkdir()
    with streamlit_server(workspace) as url:
        run = Run(url, files)
        try:
            asyncio.run(use_the_app(run))
        except Exception:  # e.g. a session that could not even load the app: reported with the server log
            run.failures.append(f"starting the sessions:\n{traceback.format_exc()}")
    log = workspace.with_suffix(".log").read_text(errors="replace")
    used = time.monotonic() - started
    print(
        f"\n{SESSIONS} sessions, mixed use for {run.used:.0f} s: {run.views} page views, {len(run.commits)} uploads "
        f"committed, {len(run.refused)} refused as concurrent (Not committed), {len(run.reconfirmed)} confirmations "
        f"asked again, {len(run.abandoned)} uploads left uncommitted, {len(run.restores)} restores; "
        f"{len(run.js_errors)} JavaScript errors; {used:.0f} s in all"
    )
    found = []
    if run.errors:
        errors = [f"{n}× {error}" for error, n in Counter(run.errors).items()]
        found.append("Error elements appeared:\n" + "\n".join(errors))
    if run.wrong_restores:
        found.append("Restore made another upload live than the one chosen:\n" + "\n".join(run.wrong_restores))
    if run.failures:
        found.append("Sessions failed:\n" + "\n".join(run.failures))
    if run.uncertain:
        found.append(f"Commits clicked whose outcome never showed: {[path.name for path in run.uncertain]}")
    if not (run.commits and run.restores and run.views):
        found.append("Too little happened to test anything.")
    if not (run.failures or run.uncertain):  # else the writes are not all known
        problems = check_workspace(run, workspace, tmp_path / "expected.duckdb")
        if problems:
            found.append("The workspace is not the expected one:\n" + "\n".join(problems))
    if found:
        tracebacks = server_tracebacks(log) or f"--- server log (end) ---\n{log[-3000:]}"
        pytest.fail("\n\n".join(found) + "\n\n" + tracebacks, pytrace=False)
