"""A page's time with read-only requests ending in COMMIT (as served) and in ROLLBACK (as before), interleaved.

    .venv/bin/python bench/bench_read_only_commit.py --database-url postgresql+psycopg://... [--path /manager/]

psycopg prepares a statement once it has run five times on a connection and forgets every prepared statement on
ROLLBACK; `extensions.end_read_only_transaction` ends a request that wrote nothing with COMMIT instead. This signs
in as the demo account that owns the page (the exchange manager for /manager/, the company manager for ranked
applicants), warms the process, then requests the page in blocks of 40, switching the ending every block and timing
the last 25 of each block (PostgreSQL plans a prepared statement afresh for its first five executions, then reuses a
generic plan). Interleaving keeps a shared machine's changing speed out of the comparison. Prints the median of
each. On SQLite both endings cost the same.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BLOCK, SKIP = 40, 15


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--path", default="/manager/")
    parser.add_argument("--email", default="", help="who signs in (default: the demo account for the path)")
    parser.add_argument("--blocks", type=int, default=8)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL): a database with `flask seed --scale` data")

    from marketplace import extensions
    from marketplace.app import create_app
    from marketplace.seeding import load_json
    from marketplace.warmup import warm

    demo = load_json("demo.json")
    email = args.email or (demo["company_managers"][0]["email"] if args.path.startswith("/company/")
                           else demo["exchange_managers"][0]["email"])
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    app.config["RATELIMIT_ENABLED"] = False
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"csrf_token": token.group(1), "email": email,
                                                "password": demo["password"]})
    assert response.status_code == 302, response.status_code
    warm(app, background=False)

    hooks = app.teardown_request_funcs[None]
    hook = extensions.end_read_only_transaction
    times: dict[str, list[float]] = {"COMMIT": [], "ROLLBACK": []}
    for i in range(args.blocks * BLOCK):
        ending = "COMMIT" if (i // BLOCK) % 2 == 0 else "ROLLBACK"
        if ending == "COMMIT" and hook not in hooks:
            hooks.append(hook)
        elif ending == "ROLLBACK" and hook in hooks:
            hooks.remove(hook)
        started = time.perf_counter()
        assert client.get(args.path).status_code == 200, args.path
        if i % BLOCK >= SKIP:
            times[ending].append(1000 * (time.perf_counter() - started))
    print(f"{args.path} on {args.database_url.split(':', 1)[0]}, {args.blocks} blocks of {BLOCK} "
          f"(last {BLOCK - SKIP} of each timed):")
    for ending, values in times.items():
        print(f"  read-only requests end with {ending:<8} median {statistics.median(values):6.1f} ms  "
              f"(n={len(values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
