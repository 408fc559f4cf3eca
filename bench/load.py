"""Load test: serve the app with gunicorn on loopback, drive a mixed read load, report throughput and latency.

    .venv/bin/python bench/load.py [--seconds 60] [--connections 16] [--workers 2] [--scale]

Starts its own gunicorn with `make run`'s settings (gunicorn.conf.py: gthread, 8 threads; --workers 2 and the
access log, as `make run`) on a free 127.0.0.1 port against a fresh, seeded SQLite database (or DATABASE_URL if
set; --scale adds the scale data set: 10,000 students, 5,000 openings, 50,000 applications), signs half the
clients in (students, the company manager, an exchange manager, the admin), then requests a mix of public and
signed-in pages for the given time. Prints requests/s, p50/p90/p99 latency and the error count (must be 0).
The load generator is this Python process (one thread per connection), separate from the server's processes.
Traffic only ever goes to 127.0.0.1 and stops by itself.
"""
from __future__ import annotations

import argparse
import http.client
import http.cookies
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "Exchange-Demo-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """A keep-alive HTTP client with a cookie jar, like one browser tab."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {"Accept-Language": random.choice(["ko", "en"])}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, text

    def sign_in(self, email: str) -> None:
        _, html = self.request("GET", "/auth/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        status, _ = self.request("POST", "/auth/login", {"csrf_token": token, "email": email, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"sign-in as {email} failed with {status}")


def scale_flagship(env: dict) -> int:
    """The opening with the most applicants (the scale data set's 2,000)."""
    code = ("from marketplace.app import create_app; from marketplace.extensions import db; import sqlalchemy as sa; "
            "from marketplace.models import Application as A; app = create_app(); ctx = app.app_context(); ctx.push(); "
            "print(db.session.scalar(sa.select(A.opening_id).group_by(A.opening_id)"
            ".order_by(sa.func.count().desc()).limit(1)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", action="store_true", help="seed the scale data set (flask seed --scale)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="marketplace-load-"))
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{work / 'load.sqlite'}")
    env.update({"SECRET_KEY": "load-test-secret-key-0123456789abcdef0123", "LOGIN_RATE_LIMIT": "100000 per minute"})
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    seeded = time.perf_counter()
    subprocess.run(flask + ["seed"] + (["--scale"] if args.scale else []), cwd=ROOT, env=env, check=True,
                   capture_output=True)
    if args.scale:
        print(f"scale data set built in {time.perf_counter() - seeded:.0f} s")
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--access-logfile", "-", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(work / "server.log", "w"),
    )
    try:
        probe = None
        for _ in range(600):
            try:
                probe = Client(port)
                if probe.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("server did not start")
        deadline = time.time() + 180  # measure warmed workers, as a server that has been up a while
        while (work / "server.log").read_text().count("matching caches warmed") < args.workers and time.time() < deadline:
            time.sleep(0.5)

        _, listing = probe.request("GET", "/openings")
        opening_ids = sorted(set(re.findall(r'href="/openings/(\d+)"', listing))) or []
        public = ["/", "/openings", "/openings?q=python", "/openings?q=%EC%98%81%EC%83%81", "/openings?sort=deadline",
                  "/openings?kind=internship&open=1", "/healthz"]
        public += [f"/openings/{i}" for i in opening_ids]
        students = ["student@demo.medai-exchange.kr"] + ([f"scale.student{n}@pusan.ac.kr" for n in range(0, 50, 5)]
                                                          if args.scale else [])
        signed_in = {email: ["/", "/auth/password", "/openings", "/student/recommendations", "/student/applications"]
                     for email in students}
        signed_in["company@demo.medai-exchange.kr"] = ["/", "/auth/password", "/openings", "/company/",
                                                       "/company/openings"]
        if args.scale:  # the demo company's first opening has the 2,000 applicants
            signed_in["company@demo.medai-exchange.kr"].append(f"/company/openings/{scale_flagship(env)}/applicants")
        signed_in["manager@demo.medai-exchange.kr"] = ["/manager/", "/manager/dashboard", "/openings"]
        signed_in["admin@demo.medai-exchange.kr"] = ["/admin/", "/admin/audit", "/openings"]

        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.perf_counter() + args.seconds

        def worker(index: int) -> None:
            client = Client(port)
            paths = public
            if index % 2 == 1:  # half the connections are signed in, every role among them
                email = list(signed_in)[index // 2 % len(signed_in)]
                client.sign_in(email)
                paths = public + signed_in[email] * 2
            rng = random.Random(index)
            local: list[float] = []
            local_errors: list[str] = []
            while time.perf_counter() < stop_at:
                path = rng.choice(paths)
                started = time.perf_counter()
                try:
                    status, _ = client.request("GET", path)
                except Exception as error:  # noqa: BLE001 - every failure is counted and reported
                    local_errors.append(f"{path}: {error!r}")
                    continue
                local.append(time.perf_counter() - started)
                if status >= 400:
                    local_errors.append(f"{path}: HTTP {status}")
            with lock:
                latencies.extend(local)
                errors.extend(local_errors)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.connections)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began

        latencies.sort()

        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

        print(f"load: {args.connections} connections, {args.seconds:.0f} s, gunicorn.conf.py, {args.workers} workers, "
              f"database {env['DATABASE_URL'].split(':', 1)[0]}")
        print(f"paths: {len(public)} public, signed-in extras: {sum(len(v) for v in signed_in.values())}")
        print(f"requests: {len(latencies)}  ({len(latencies) / elapsed:.1f} req/s)")
        print(f"latency ms: p50 {pct(50):.1f}  p90 {pct(90):.1f}  p99 {pct(99):.1f}  "
              f"mean {statistics.fmean(latencies) * 1000:.1f}")
        print(f"errors: {len(errors)}")
        for line in errors[:10]:
            print("  ", line)
        if errors:
            raise SystemExit(1)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
