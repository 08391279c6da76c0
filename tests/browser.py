"""A real Streamlit server and a real Chromium for browser tests (Debian's /usr/bin/chromium)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ERROR_ELEMENTS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
EXPECT_TIMEOUT_MS = 30_000  # a loaded 2-core machine can take seconds to redraw a page
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def streamlit_server(workspace: Path, timeout: float = 60.0, environ: dict[str, str] | None = None):
    """Run ``streamlit run server.py`` on a free port with ``workspace`` as its database (and the
    variables ``environ`` on top of this process's); yield its URL."""
    port = free_port()
    env = {**os.environ, "B2B_WORKSPACE": str(workspace), "B2B_PREPARE_VIEWS": "1", **(environ or {})}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "server.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",  # no "File change. Rerun" prompt if a source file is saved meanwhile
        "none",
    ]
    log = workspace.with_suffix(".log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {workspace.with_suffix('.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextmanager
def chromium_page(width: int = 1500, height: int = 1000):
    """A Playwright page in headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def wait_until_idle(page, timeout_ms: float = 60_000) -> None:
    """Wait for the app to finish its script run: Streamlit marks its root with the run state
    ("initial" until the first run ends, then "running" / "notRunning"), and shows a status
    widget while a run is under way."""
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.dataset.testScriptState === "notRunning"
                && !document.querySelector('[data-testid="stStatusWidget"]');
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(300)


def drawn_once(page, locator, timeout_s: float = 30.0) -> None:
    """Wait until the app is idle and ``locator`` matches one element, twice half a second apart:
    while a rerun is under way (a file upload can start two), Streamlit may show the previous run's
    copy of a widget beside the new one."""
    deadline = time.monotonic() + timeout_s
    settled = 0
    while settled < 2:
        wait_until_idle(page)
        settled = settled + 1 if locator.count() == 1 else 0
        if time.monotonic() > deadline:
            raise AssertionError(f"{locator} did not settle on one element within {timeout_s:.0f} s")
        page.wait_for_timeout(500)


def download_a_backup(page, to: Path, timeout_ms: float = 30_000) -> None:
    """On the Data page: prepare a backup of the workspace and save its download as ``to``."""
    page.get_by_role("button", name="Prepare a backup").click()
    wait_until_idle(page)
    with page.expect_download(timeout=timeout_ms) as download:
        page.get_by_role("button", name="Download the backup of version").click()
    download.value.save_as(to)


def restore_a_backup(page, backup: Path) -> None:
    """On the Data page: choose ``backup`` in the restore's uploader, confirm and restore."""
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Backup file")
    uploader.locator('input[type="file"]').set_input_files(str(backup))
    wait_until_idle(page)
    sure = "Yes, replace everything in the workspace with this backup"
    drawn_once(page, page.get_by_label(sure))
    if not page.get_by_label(sure).is_checked():
        page.get_by_text(sure).click()
        wait_until_idle(page)
    page.get_by_role("button", name="Restore the workspace").click()
    wait_until_idle(page)


def server_pid(workspace: Path) -> int:
    """The process id of the Streamlit server that has ``workspace`` as its database."""
    wanted = f"B2B_WORKSPACE={workspace}".encode()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if (
                wanted in environ.read_bytes().split(b"\0")
                and b"streamlit" in environ.with_name("cmdline").read_bytes()
            ):
                return int(environ.parent.name)
        except OSError:  # a process that ended meanwhile, or another user's
            continue
    raise LookupError(f"no server runs with {workspace}")


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident memory now, its peak so far) of process ``pid``, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
