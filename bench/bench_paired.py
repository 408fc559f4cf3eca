"""One page timed in two checkouts of the code at the same time, one process each: a fair A/B on a shared machine.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/bench_paired.py --before /tmp/before --database-url postgresql+psycopg://... \
        [--path /manager/] [--email manager@demo.medai-exchange.kr] [--requests 200]

The machine's speed changes from minute to minute (other work shares it), so two runs one after the other can differ
by more than the change being measured. Here both checkouts serve the same page from the same database in two
processes started together (one core each on a 2-core machine), so whatever slows the machine slows both alike.
Each signs in as `--email` (demo password), warms up with 5 requests, then times `--requests` requests and prints
the median and 90th percentile, and the median CPU time of its own process (the Python side; steadier when the
machine is oversubscribed, but without the database's work); run it two or three times and compare the pairs, not
runs with each other.
Without `--after` the second checkout is this one.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside each checkout (its own code on sys.path): sign in, warm up, time the page.
CHILD = r"""
import gc, re, sys, time
sys.path.insert(0, sys.argv[1])
url, path, email, password, n = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
from marketplace.app import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PUBLIC_PAGE_CACHE": False, "RATELIMIT_ENABLED": False})
client = app.test_client()
client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/auth/login").get_data(as_text=True)).group(1)
signed_in = client.post("/auth/login", data={"csrf_token": token, "email": email, "password": password})
assert signed_in.status_code == 302, "sign-in failed"
for _ in range(5):
    assert client.get(path).status_code == 200, path
gc.collect()
gc.freeze()
times, cpu = [], []
for _ in range(n):
    start, start_cpu = time.perf_counter(), time.process_time()
    client.get(path)
    times.append(1000 * (time.perf_counter() - start))
    cpu.append(1000 * (time.process_time() - start_cpu))
times.sort()
cpu.sort()
print(f"median {times[len(times) // 2]:6.1f} ms  p90 {times[int(len(times) * 0.9)]:6.1f} ms  "
      f"cpu median {cpu[len(cpu) // 2]:6.1f} ms")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="a checkout of the code to compare with (git worktree)")
    parser.add_argument("--after", default=str(ROOT), help="the other checkout (default: this one)")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--path", default="/manager/")
    parser.add_argument("--email", default="manager@demo.medai-exchange.kr")
    parser.add_argument("--password", default="Exchange-Demo-2026")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    runs = {}
    for name, checkout in (("before", args.before), ("after", args.after)):
        runs[name] = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(Path(checkout).resolve()), args.database_url, args.path, args.email,
             args.password, str(args.requests)],
            cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    failed = False
    for name, process in runs.items():
        out, err = process.communicate()
        if process.returncode:
            failed = True
            print(f"{name:7s} failed:\n{err[-2000:]}", file=sys.stderr)
        else:
            print(f"{name:7s} {args.path}  {out.strip()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
