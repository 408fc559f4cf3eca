"""Throughput of the public openings list at scale under gunicorn with `make run`'s settings, beside a bare
Flask "hello" under the same gunicorn settings, measured in the same run with wrk (apt-get install wrk).

    .venv/bin/python bench/throughput.py [--seconds 20] [--connections 16] [--database-url URL]

Without --database-url (or DATABASE_URL) it builds the scale data set (`flask seed --scale`) in a fresh SQLite
file first. Both servers are gunicorn with gunicorn.conf.py (gthread, 8 threads), 2 workers and the access log
on, as `make run` starts them; measurement starts after the workers have warmed up. Rounds alternate
(openings, hello, openings, hello) so a noisy neighbour on the machine hits both alike; the best round of each
is reported with its p50/p99 latency. Targets (issue 17): openings >= 600 req/s or >= 10% of hello, p99 <= 100 ms.
Traffic only ever goes to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(app: str, cwd: Path, env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--access-logfile", "-", app],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    return server, port


def wait_ready(port: int, path: str, log: Path | None = None, workers: int = 2) -> None:
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        raise SystemExit(f"server on {port} did not answer {path}")
    if log is None:
        return
    while time.time() < deadline:  # every worker has cached its pages and read the matching inputs
        if log.read_text().count("matching caches warmed") >= workers:
            return
        time.sleep(0.5)


def wrk(port: int, path: str, seconds: float, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "--latency",
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "errors": (int(errors.group(1)) if errors else 0) + (sum(map(int, sockets.groups())) if sockets else 0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--path", default="/openings")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    work = Path(tempfile.mkdtemp(prefix="marketplace-throughput-"))
    env = dict(os.environ)
    env.update({"SECRET_KEY": "throughput-secret-key-0123456789abcdef0123"})
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env["DATABASE_URL"] = f"sqlite:///{work / 'scale.sqlite'}"
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        started = time.perf_counter()
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(flask + ["seed", "--scale"], cwd=ROOT, env=env, check=True, capture_output=True)
        print(f"scale data set built in {time.perf_counter() - started:.0f} s")

    app_log, hello_log = work / "app.log", work / "hello.log"
    app_server, app_port = serve("wsgi:app", ROOT, env, app_log)
    hello_server, hello_port = serve("hello_app:app", ROOT / "bench", {**env, "WARM_UP": "0"}, hello_log)
    try:
        wait_ready(app_port, args.path, app_log)
        wait_ready(hello_port, "/")
        results: dict[str, list[dict]] = {"openings": [], "hello": []}
        for _ in range(args.rounds):
            results["openings"].append(wrk(app_port, args.path, args.seconds, args.connections))
            results["hello"].append(wrk(hello_port, "/", args.seconds, args.connections))
        best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
        database = env["DATABASE_URL"].split(":", 1)[0]
        print(f"wrk, {args.connections} connections, {args.rounds} rounds of {args.seconds:.0f} s each; gunicorn "
              f"gunicorn.conf.py, 2 workers, access log on; database {database}")
        for name, runs in results.items():
            for run in runs:
                print(f"  {name:<9} {run['rps']:8.1f} req/s  p50 {run['p50']:6.1f} ms  p99 {run['p99']:6.1f} ms  "
                      f"errors {run['errors']}")
        share = best["openings"]["rps"] / best["hello"]["rps"]
        ok = (best["openings"]["rps"] >= 600 or share >= 0.10) and best["openings"]["p99"] <= 100
        print(f"openings {args.path}: best {best['openings']['rps']:.0f} req/s = {share:.0%} of hello "
              f"({best['hello']['rps']:.0f} req/s), p99 {best['openings']['p99']:.0f} ms  "
              f"target >= 600 req/s or >= 10% of hello, p99 <= 100 ms: {'ok' if ok else 'MISSED'}")
        return 0 if ok and not any(r["errors"] for runs in results.values() for r in runs) else 1
    finally:
        for server in (app_server, hello_server):
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
