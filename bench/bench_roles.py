"""Every role's main pages at scale, in-process (Flask test client), on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_roles.py [--database-url URL] [--runs 40] [--only manager]

Without --database-url (or DATABASE_URL) it builds the scale data set (`flask seed --scale`: 10,000 students,
500 companies, 5,000 published openings, 50,000 applications, 2,000 placements) in a fresh SQLite file; for
PostgreSQL, migrate and seed an empty database first:

    DATABASE_URL=postgresql://... .venv/bin/flask --app wsgi db upgrade
    DATABASE_URL=postgresql://... .venv/bin/flask --app wsgi seed --scale
    .venv/bin/python bench/bench_roles.py --database-url postgresql://...

Signs in through the login form as the demo accounts (the demo company runs the opening with 2,000 applicants)
and a scale student with applications, warms the process as gunicorn does (marketplace/warmup.py), then times
each page `--runs` times after one untimed request and prints median, p99, the median CPU time of this process
(steadier than wall time on a shared machine; PostgreSQL's own work is not in it) and the number of SQL statements.
Anonymous pages are timed with the public-page cache on (as served) and off (the cost of a miss).
Targets (issue 17): median <= 30 ms, p99 <= 80 ms each.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MEDIAN_MS, P99_MS = 30, 80


def _login(client, email: str, password: str) -> None:
    token = CSRF_RE.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    response = client.post("/auth/login", data={"csrf_token": token, "email": email, "password": password})
    assert response.status_code == 302, (email, response.status_code)


def _time(app, client, path: str, runs: int) -> tuple[float, float, float, int]:
    from marketplace.extensions import db

    statements: list[str] = []

    def count(*_args):
        statements.append("")

    assert client.get(path).status_code == 200, path
    times, cpu = [], []
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            statements.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    times.sort()
    return (statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))], statistics.median(cpu),
            len(statements))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--only", default="", help="time only the pages whose name contains this text")
    parser.add_argument("--profile", action="store_true",
                        help="also print where each page's time goes (cProfile: the 25 costliest functions)")
    args = parser.parse_args()
    url = args.database_url
    if not url:
        work = Path(tempfile.mkdtemp(prefix="bench-roles-"))
        url = f"sqlite:///{work / 'scale.sqlite'}"
        env = {**os.environ, "DATABASE_URL": url}
        started = time.perf_counter()
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(flask + ["seed", "--scale"], cwd=ROOT, env=env, check=True, capture_output=True)
        print(f"scale data set built in {time.perf_counter() - started:.0f} s")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-roles-secret-key-0123456789abcdef012")

    from marketplace.app import create_app
    from marketplace.extensions import db
    from marketplace.models import Application, Opening, User
    from marketplace.seeding import load_json
    from marketplace.warmup import warm

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    demo = load_json("demo.json")
    password = demo["password"]
    with app.app_context():
        flagship, applicants = db.session.execute(
            sa.select(Application.opening_id, sa.func.count()).group_by(Application.opening_id)
            .order_by(sa.func.count().desc()).limit(1)).one()
        student = db.session.scalar(
            sa.select(User.email).join(Application, Application.student_id == User.id)
            .where(User.email.like("scale.student%")).group_by(User.email).order_by(sa.func.count().desc()).limit(1))
        an_opening = db.session.scalar(sa.select(Opening.id).where(Opening.id != flagship).order_by(Opening.id).limit(1))
        counts = {name: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for name, model in
                  [("openings", Opening), ("applications", Application), ("users", User)]}
        db.session.remove()
    warm(app, background=False)
    print(f"database {url.split(':', 1)[0]}: {counts['openings']:,} openings, {counts['applications']:,} applications, "
          f"{counts['users']:,} users; the ranked opening has {applicants:,} applicants; {args.runs} runs per page")

    pages = [
        (None, "/openings", "openings list (cached)"),
        (None, "/openings?q=python", "openings search (cached)"),
        (None, f"/openings/{an_opening}", "opening detail"),
        ("nocache", "/openings", "openings list (cache miss)"),
        ("nocache", "/openings?q=python", "openings search (cache miss)"),
        (student, "/student/recommendations", "student recommendations"),
        (student, "/student/applications", "student applications"),
        (demo["company_managers"][0]["email"], f"/company/openings/{flagship}/applicants",
         f"company ranked applicants ({applicants:,})"),
        (demo["exchange_managers"][0]["email"], "/manager/", "manager console"),
        (demo["exchange_managers"][0]["email"], "/manager/dashboard", "manager dashboard"),
        (demo["admin"]["email"], "/admin/audit", "admin audit log"),
    ]
    pages = [page for page in pages if args.only in page[2]]
    failed = False
    clients: dict[str | None, object] = {}
    for who, path, what in pages:
        app.config["PUBLIC_PAGE_CACHE"] = who != "nocache"
        client = clients.get(who)
        if client is None:
            client = clients[who] = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
            if who not in (None, "nocache"):
                _login(client, who, password)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        median, p99, cpu, statements = _time(app, client, path, args.runs)
        if args.profile:
            profiler.disable()
            print(f"-- {what} (profiled: times are inflated)")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"marketplace/|jinja2/|sqlalchemy/orm", 25)
        ok = median <= MEDIAN_MS and p99 <= P99_MS
        failed |= not ok
        print(f"  {what:<36} median {median:6.1f} ms  p99 {p99:6.1f} ms  cpu {cpu:6.1f} ms  "
              f"{statements:3d} statements  {'ok' if ok else 'SLOW'}")
    app.config["PUBLIC_PAGE_CACHE"] = True
    print(f"targets: median <= {MEDIAN_MS} ms, p99 <= {P99_MS} ms")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
