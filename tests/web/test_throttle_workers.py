"""The sign-in limit under the default set-up: real gunicorn, 2 workers, counters in the SQLite database."""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_worker_server(tmp_path):
    """`make run`'s server: gunicorn with 2 workers, default settings, a fresh migrated SQLite file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RATELIMIT_", "LOGIN_RATE", "REDIS_URL"))}
    env.update({
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite'}",
        "SECRET_KEY": "throttle-suite-secret-key-0123456789abcdef",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "APP_ENV": "development",
    })
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    port = _free_port()
    access_log = tmp_path / "access.log"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    yield base, access_log
    server.terminate()
    server.wait(timeout=10)


def _failed_sign_in(base: str, email: str) -> int:
    """One browser-like wrong sign-in (own cookies, real CSRF token); the HTTP status."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(base + "/auth/login", timeout=30) as page:
        token = CSRF.search(page.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": "Wrong-Pass-123"}).encode()
    try:
        with opener.open(base + "/auth/login", data=body, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _in_parallel(count: int, call) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        status = call()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def _sign_in_posts(access_log: Path) -> list[tuple[str, int]]:
    time.sleep(0.5)  # gunicorn writes its access log line after the response
    rows = []
    for line in access_log.read_text().splitlines():
        pid, method, path, status = line.split()
        if method == "POST" and path == "/auth/login":
            rows.append((pid, int(status)))
    return rows


def test_eleventh_failed_sign_in_within_a_minute_gets_429_whichever_worker_answers(two_worker_server):
    base, access_log = two_worker_server
    if time.time() % 60 > 35:  # all of it inside one one-minute window, as the limit counts them
        time.sleep(61 - time.time() % 60)
    first = _in_parallel(10, lambda: _failed_sign_in(base, "target@company.co.kr"))
    assert sorted(first) == [400] * 10

    over = []
    for _ in range(6):
        over += _in_parallel(5, lambda: _failed_sign_in(base, "target@company.co.kr"))
        workers_refusing = {pid for pid, status in _sign_in_posts(access_log) if status == 429}
        if len(workers_refusing) == 2:
            break
    assert set(over) == {429}
    rows = _sign_in_posts(access_log)
    assert len({pid for pid, status in rows if status == 400}) >= 1
    assert len({pid for pid, status in rows if status == 429}) == 2, rows  # both workers refuse
    assert [status for _, status in rows].count(400) == 10
