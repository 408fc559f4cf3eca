"""Two clients sending their request body a byte at a time do not stall the server `make run` starts.

The server is the real gunicorn, started with the command of the Makefile's `run` target (its config file, two
workers) on a free port. Two sockets trickle a POST body for the whole test; ordinary requests must still be
answered, each in under a second (the bound is generous: they take milliseconds when a thread is free, and
wait for a whole worker timeout, 30 s, when none is).
"""
from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_run_command(port: int) -> list[str]:
    """The gunicorn command line of `make run`, with the Makefile's variables filled in."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^run:.*?\n((?:\t.*\n)+)", makefile, re.M).group(1)
    [line] = [line.strip() for line in recipe.splitlines() if "gunicorn" in line]
    values = {"BIN": str(BIN), "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": "2"}
    return shlex.split(re.sub(r"\$\((\w+)\)", lambda m: values[m.group(1)], line))


@pytest.fixture(scope="module")
def make_run_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("slow")
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite'}", APP_ENV="development",
               SECRET_KEY="slow-client-test-secret-key-0123456789abcdef", UPLOAD_FOLDER=str(workdir / "uploads"))
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    log = open(workdir / "server.log", "w")
    server = subprocess.Popen(make_run_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)  # its own process group: the workers go with it
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.terminate()
                pytest.fail("gunicorn did not start: " + (workdir / "server.log").read_text()[-2000:])
            time.sleep(0.2)
    yield base, port
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:  # workers stuck on a client: do not leave them behind
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    log.close()


class SlowClient:
    """A POST whose body arrives one byte every 0.1 s, until stopped."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=")
        self.stop = threading.Event()
        self.sent = 0
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stop.wait(0.1):
            try:
                self.sock.sendall(b"a")
                self.sent += 1
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


def test_make_run_uses_the_threaded_worker_config():
    command = make_run_command(8000)
    assert "--config" in command and command[command.index("--config") + 1] == "gunicorn.conf.py"
    settings: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)
    assert settings["worker_class"] == "gthread" and settings["threads"] >= 4 and settings["timeout"] > 0


def test_two_slow_clients_do_not_stall_normal_requests(make_run_server):
    base, port = make_run_server
    paths = ["/healthz", "/auth/login", "/", "/openings"]
    for _ in range(4):  # warm every worker and thread (templates, catalogues, connections) before timing
        for path in paths:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                assert response.status == 200
    slow = [SlowClient(port), SlowClient(port)]
    try:
        time.sleep(1.0)  # both are inside the server, mid-body
        timings = []
        for path in paths * 3:
            started = time.monotonic()
            with urllib.request.urlopen(base + path, timeout=10) as response:
                assert response.status == 200
            timings.append(time.monotonic() - started)
        assert all(client.sent > 5 and client.thread.is_alive() for client in slow)  # still trickling
        assert max(timings) < 1.0, timings
    finally:
        for client in slow:
            client.close()
