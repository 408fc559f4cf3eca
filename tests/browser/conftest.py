"""Browser suite: the app served by gunicorn on a free port with a fresh database, driven by Playwright
in Debian's Chromium (/usr/bin/chromium; no browser download). Skipped without Chromium on a laptop,
required in CI (CI=true)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "artifacts" / "screenshots"))
BIN = Path(sys.executable).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"CI=true but Chromium is missing at {CHROMIUM}")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_workdir(tmp_path_factory) -> Path:
    """The live server's folder: its database is `live.sqlite` there (for tests that prepare records)."""
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="session")
def live_server(chromium_path, live_workdir):
    """Migrate and seed a fresh SQLite database, then serve it with gunicorn; yields the base URL."""
    workdir = live_workdir
    port = _free_port()
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"sqlite:///{workdir / 'live.sqlite'}",
        "SECRET_KEY": "browser-suite-secret-key-0123456789abcdef",
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        "APP_ENV": "development",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "REGISTRATION_RATE_LIMIT": "1000 per hour",
        "PASSWORD_HASH_FAST": "1",  # argon2 at a tiny cost: the journeys sign in ~60 times (0.25 s of CPU each)
    })
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(flask + ["seed"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = open(workdir / "server.log", "w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        server.terminate()
        raise RuntimeError("the live server did not start: " + (workdir / "server.log").read_text()[-2000:])
    yield base
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


def new_context(browser, live_server, locale: str = "en", **kwargs):
    # Reduced motion: Bootstrap then skips its transitions, so axe never measures a colour halfway through one (a
    # loaded CI machine caught the brand link mid-fade as low contrast).
    kwargs.setdefault("reduced_motion", "reduce")
    context = browser.new_context(base_url=live_server, locale=locale,
                                  extra_http_headers={"Accept-Language": locale}, **kwargs)
    context.set_default_timeout(10_000)
    return context


def _patient_expectations() -> None:
    """Assertions wait as long as actions (10 s, not Playwright's 5 s): on a loaded two-core CI machine a form post
    answered by a busy server took longer than 5 s."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)


_patient_expectations()


@pytest.fixture
def context_factory(browser, live_server):
    contexts = []

    def make(locale: str = "en", **kwargs):
        context = new_context(browser, live_server, locale, **kwargs)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


_AXE = None


def assert_accessible(page, label: str = "") -> None:
    """axe-core finds no serious or critical violations on the current page."""
    global _AXE
    from axe_playwright_python.sync_playwright import Axe

    _AXE = _AXE or Axe()
    page.wait_for_load_state()  # after a click that navigates: the new page with its style sheet, not half of it
    results = _AXE.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    detail = "; ".join(f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad)
    assert not bad, f"accessibility violations on {label or page.url}: {detail}"


@pytest.fixture
def confirm_email(live_workdir):
    """Open the newest confirmation link mailed to an address, as its owner would from their mailbox (the outbox
    of the live server's database), and press the confirm button."""
    import re
    import sqlite3

    from playwright.sync_api import expect

    def confirm(page, email: str) -> None:
        with sqlite3.connect(live_workdir / "live.sqlite") as connection:
            bodies = [row[0] for row in connection.execute(
                "SELECT body FROM outbox_email WHERE to_address = ? ORDER BY id DESC", (email,))]
        paths = [m.group(1) for body in bodies for m in [re.search(r"https?://\S+?(/auth/confirm-email/\S+)", body)]
                 if m]
        assert paths, f"no confirmation link mailed to {email}"
        page.goto(paths[0])
        page.locator("main form button[type=submit]").last.click()
        expect(page.locator(".alert-success")).to_be_visible()

    return confirm


@pytest.fixture
def prepare_live_data(live_workdir):
    """Run a journey's set-up script against the live server's database in a process of its own (the server
    holds its app; a second app in this process would share Flask's globals with the browser tests).

    The script gets URL (the live database) and UPLOADS, plus any names given as keywords, and prints what the
    journey needs on its last line; that line comes back split on spaces."""

    def prepare(script: str, **names) -> list[str]:
        values = {"URL": f"sqlite:///{live_workdir / 'live.sqlite'}", "UPLOADS": str(live_workdir / "uploads"),
                  **names}
        header = "".join(f"{name} = {value!r}\n" for name, value in values.items())
        run = subprocess.run([sys.executable, "-c", header + script], cwd=ROOT, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-3000:]
        return run.stdout.strip().splitlines()[-1].split()

    return prepare
