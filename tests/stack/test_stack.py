"""The production stack on this machine (deploy/local-stack.sh): nginx + 2 gunicorn servers + PostgreSQL + Redis +
the RQ worker and a scheduler per server, on loopback. Proves what several servers must get right:

- a CV uploaded through server A downloads through server B (files in the shared storage, sessions valid on both);
- failed sign-ins spread over both servers meet the 429 after LOGIN_RATE_LIMIT (10 a minute);
- 60 s of mixed load through nginx while server A is killed (SIGKILL) and started again: every acknowledged
  application exists afterwards and none twice, errors only for requests in flight at the kill, throughput back;
- a job scheduled while both servers run executes once;
- a PostgreSQL dump restores into a new database with every row and file.

Skipped on a laptop without nginx/PostgreSQL/Redis; fails under CI=true. Figures are printed (pytest -s) and
written to artifacts/stack-proof.txt; the README quotes them.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "local-stack.sh"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "Correct-Horse-42"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LOAD_SECONDS = int(os.environ.get("STACK_LOAD_SECONDS", "60"))
FIGURES: list[str] = []


def figure(line: str) -> None:
    FIGURES.append(line)
    print("[stack proof]", line, flush=True)


def _distinct_free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = _free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _missing() -> list[str]:
    need = {"nginx": shutil.which("nginx") or (Path("/usr/sbin/nginx").exists() and "/usr/sbin/nginx"),
            "redis-server": shutil.which("redis-server"),
            "postgresql": any(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
            "curl": shutil.which("curl")}
    return [name for name, found in need.items() if not found]


class Stack:
    def __init__(self, tmp: Path):
        self.dir = tmp / "stack"
        ports = _distinct_free_ports(5)  # one at a time, the OS may hand the same free port out twice
        self.ports = {"NGINX_PORT": ports[0], "PG_PORT": ports[1], "REDIS_PORT": ports[2]}
        self.app_ports = ports[3:]
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "RATELIMIT_"))},
            **{k: str(v) for k, v in self.ports.items()},
            "APP_PORTS": " ".join(map(str, self.app_ports)),
            "STACK_DIR": str(self.dir),
            "VENV": str(Path(sys.executable).parent.parent),
            "STACK_SEED": "groups",
            "WORKERS": "2",
            "THREADS": "4",
            "STACK_ENV_EXTRA": "SCHEDULE_ACTIVATE_PLACEMENTS=2\nSCHEDULE_SEND_MAIL=5\nSESSION_IDLE_MINUTES=60",
        }
        self.base = f"http://127.0.0.1:{self.ports['NGINX_PORT']}"
        self.servers = [f"http://127.0.0.1:{port}" for port in self.app_ports]
        self.database_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.ports['PG_PORT']}/marketplace"

    def run(self, *args: str, timeout: int = 240) -> str:
        # Output to a file, not a pipe: the daemons it starts must not keep our end open.
        with tempfile.TemporaryFile("w+") as out:
            result = subprocess.run([str(SCRIPT), *args], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, text=True, timeout=timeout)
            out.seek(0)
            result.stdout, result.stderr = out.read(), ""
        if result.returncode != 0:
            logs = "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-2000:]}"
                             for p in sorted((self.dir / "log").glob("*.log")))
            raise AssertionError(f"local-stack.sh {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}\n{logs}")
        return result.stdout


@pytest.fixture(scope="module")
def stack():
    missing = _missing()
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true but {', '.join(missing)} missing (.ci/run installs them)")
        pytest.skip(f"the local stack needs {', '.join(missing)}")
    # Under /tmp, readable by others: as root, PostgreSQL runs as `postgres` and must reach its data folder.
    home = Path(tempfile.mkdtemp(prefix="marketplace-stack-"))
    home.chmod(0o755)
    stack = Stack(home)
    started = time.time()
    try:
        stack.run("start")
        figure(f"stack started in {time.time() - started:.1f} s (nginx, 2 app servers, PostgreSQL, Redis, worker)")
        yield stack
    finally:
        stack.run("stop", timeout=120)
        out = ROOT / "artifacts"
        out.mkdir(exist_ok=True)
        (out / "stack-proof.txt").write_text("\n".join(FIGURES) + "\n")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def data(stack):
    """Students, openings and an approved placement made with the app's own services, in the stack's database."""
    from marketplace.app import create_app
    from marketplace.extensions import db
    from marketplace.models import PlacementStatus
    from marketplace.clock import today_in_seoul
    from tests.factories import make_group, make_student
    from tests.factories_companies import make_company, make_opening
    from tests.factories_agreements import make_ready
    from tests.factories_placements import make_placement

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": stack.database_url, "STORAGE_BACKEND": "database"})
    with app.app_context():
        group = make_group("PNU")
        tag = uuid.uuid4().hex[:6]
        students = [make_student(group, email=f"stack-{tag}-{i}@pusan.ac.kr").email for i in range(12)]
        company = make_company()
        openings = [make_opening(company).id for _ in range(25)]
        today = today_in_seoul()
        # Insured and acknowledged by all three parties, so only the activation job stands between it and 'active'.
        placement = make_ready(make_placement(status=PlacementStatus.APPROVED, start=today, end=today + timedelta(days=30)))
        values = {"students": students, "openings": openings, "placement": placement.id, "app": app}
        db.session.remove()
    yield values
    with app.app_context():
        db.engine.dispose()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One user's cookies; requests through any server's address (the cookie holds for all: same host)."""

    def __init__(self, headers: dict | None = None):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.headers = headers or {}

    def request(self, url: str, data: dict | bytes | None = None, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, bytes, dict]:
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        request = urllib.request.Request(url, data=body, headers={**self.headers, **(headers or {})})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def token(self, url: str) -> str:
        status, body, _ = self.request(url)
        match = CSRF.search(body.decode(errors="replace"))
        assert match, f"no CSRF token on {url} ({status})"
        return match.group(1)

    def sign_in(self, base: str, email: str, password: str = PASSWORD) -> int:
        token = self.token(base + "/auth/login")
        status, _, _ = self.request(base + "/auth/login", {"csrf_token": token, "email": email,
                                                          "password": password})
        return status


def test_cv_uploaded_through_server_a_downloads_through_server_b(stack, data):
    a, b = stack.servers
    browser = Browser()
    assert browser.sign_in(a, data["students"][0]) == 302
    token = browser.token(a + "/student/profile")
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"이력서.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
    status, _, _ = browser.request(a + "/student/cv", body,
                                   {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 302
    status, content, headers = browser.request(b + "/student/cv")
    assert status == 200 and content == PDF and headers["Content-Type"] == "application/pdf"
    status, content, _ = browser.request(stack.base + "/student/cv")  # and through nginx
    assert status == 200 and content == PDF
    figure("CV uploaded through server A, downloaded byte-identical through server B and through nginx")


def test_failed_sign_ins_over_both_servers_meet_the_429_after_ten(stack, data):
    if time.time() % 60 > 40:  # all in one clock minute, as the limit counts them
        time.sleep(61 - time.time() % 60)
    # Straight to each server as nginx would pass it on: one client address in X-Forwarded-For.
    client = {"X-Forwarded-For": "203.0.113.7"}
    email = data["students"][1]
    statuses = []
    for attempt in range(12):
        browser = Browser(client)
        statuses.append((attempt % 2, browser.sign_in(stack.servers[attempt % 2], email, "Wrong-Pass-123")))
    assert [s for _, s in statuses[:10]] == [400] * 10, statuses
    assert statuses[10:] == [(0, 429), (1, 429)], statuses
    figure("failed sign-ins alternating A/B: attempts 1-10 answered 400, the 11th (A) and 12th (B) 429")


def _apply(browser: Browser, base: str, opening_id: int) -> tuple[int, str]:
    """(status, Location) of one application; (303, "") when the form page says it exists already (a POST that
    was in flight on the killed server committed without its answer reaching the student)."""
    status, body, _ = browser.request(f"{base}/openings/{opening_id}/apply")
    if status == 302:
        return 303, ""
    match = CSRF.search(body.decode(errors="replace"))
    if not match:
        return status if status >= 400 else 500, ""
    token = match.group(1)
    status, _, headers = browser.request(f"{base}/openings/{opening_id}/apply",
                                         {"csrf_token": token, "statement": "I segment CT scans.", "consent": "y"})
    return status, headers.get("Location", "")


def test_load_through_nginx_survives_killing_one_server(stack, data):
    from marketplace.extensions import db
    from marketplace.models import Application
    from sqlalchemy import func, select

    base = stack.base
    students = data["students"][2:]
    log: list[tuple[float, float, str, int]] = []  # (start, end, kind, status or -1 for a connection error)
    acknowledged: list[tuple[str, int]] = []
    unacknowledged: list[tuple[str, int]] = []  # committed while its answer was lost with the killed server
    lock = threading.Lock()
    stop = threading.Event()
    kill_at: list[float] = []

    def record(start: float, kind: str, status: int) -> None:
        with lock:
            log.append((start, time.time(), kind, status))

    def user(email: str) -> None:
        browser = Browser()
        while not stop.is_set():
            start = time.time()
            try:
                status = browser.sign_in(base, email)
            except Exception:  # noqa: BLE001 - a refused connection or an error page without a form
                status = -1
            record(start, "sign-in", status)
            if status == 302:
                break
        pending = list(data["openings"])
        step = 0
        while not stop.is_set():
            step += 1
            start = time.time()
            try:
                if step % 3 == 0 and pending:
                    opening_id = pending[0]
                    status, location = _apply(browser, base, opening_id)
                    if status == 302 and "/student/applications/" in location:
                        with lock:
                            acknowledged.append((email, opening_id))
                        pending.pop(0)
                    elif status == 303:
                        with lock:
                            unacknowledged.append((email, opening_id))
                        pending.pop(0)
                    kind = "apply"
                else:
                    status, _, _ = browser.request(base + ("/openings" if step % 3 == 1 else "/student/applications"))
                    kind = "read"
            except Exception as error:  # noqa: BLE001 - a refused connection, a reset
                status, kind = -1, type(error).__name__
            record(start, kind, status)

    threads = [threading.Thread(target=user, args=(email,), daemon=True) for email in students]
    began = time.time()
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS / 3)
    kill_at.append(time.time())
    stack.run("kill-app", "1")
    time.sleep(5)
    restart = time.time()
    stack.run("start-app", "1")
    restarted = time.time()
    # At least 10 s of load after server A is ready again (a busy machine takes longer to start it), so the
    # throughput after the restart is measured over 7 s or more.
    time.sleep(max(0.0, max(began + LOAD_SECONDS, restarted + 10) - time.time()))
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    ended = time.time()

    kill = kill_at[0]
    ok = [row for row in log if 200 <= row[3] < 400]
    errors = [row for row in log if not (200 <= row[3] < 400)]
    before = [row for row in ok if row[1] < kill]
    after = [row for row in ok if row[1] > restarted + 3]
    rate_before = len(before) / (kill - began)
    rate_after = len(after) / max(1.0, ended - restarted - 3)
    in_flight = [row for row in errors if row[0] <= kill + 1.0]
    figure(f"load {ended - began:.0f} s through nginx, {len(students)} users: {len(log)} requests, "
           f"{len(ok)} ok, {len(errors)} errors ({Counter(r[3] for r in errors) or 'none'})")
    figure(f"server A killed at +{kill - began:.1f} s, started again at +{restart - began:.1f} s "
           f"(ready at +{restarted - began:.1f} s)")
    figure(f"throughput: {rate_before:.1f} req/s before the kill, {rate_after:.1f} req/s after the restart")
    figure(f"applications acknowledged: {len(acknowledged)}; committed but answer lost in flight: "
           f"{len(unacknowledged)}")
    if errors:
        figure("errors: " + ", ".join(f"{kind} {status} at +{start - began:.1f} s" for start, _, kind, status in errors))

    app = data["app"]
    with app.app_context():
        rows = db.session.execute(select(Application.student_id, Application.opening_id, func.count())
                                  .group_by(Application.student_id, Application.opening_id)).all()
        pairs = {(email, opening) for email, opening in db.session.execute(
            select(Application.student_id, Application.opening_id))}
        from marketplace.models import User

        by_email = dict(db.session.execute(select(User.email, User.id)).all())
        db.session.remove()
    load_ids = {by_email[email] for email in students}
    total = len([pair for pair in pairs if pair[0] in load_ids])  # the load's users' applications only
    missing = [(e, o) for e, o in acknowledged if (by_email[e], o) not in pairs]
    figure(f"applications in the database: {total} (acknowledged and missing: {len(missing)}; "
           f"duplicates: {len(acknowledged) - len(set(acknowledged))})")
    assert not missing
    assert len(acknowledged) == len(set(acknowledged))  # each (student, opening) acknowledged once
    assert total == len(acknowledged) + len(unacknowledged)
    assert len(unacknowledged) <= len(in_flight)  # at most the in-flight ones committed unacknowledged
    assert all(count == 1 for _, _, count in rows)  # none twice (the unique constraint holds, too)
    assert not [row for row in errors if row[0] > kill + 1.0], "errors for requests started after the kill"
    assert len(errors) <= len(students) * 2  # at most the requests in flight (one per user, plus a retry)
    assert rate_after >= 0.5 * rate_before, (rate_before, rate_after)


def test_a_job_scheduled_while_both_servers_run_executes_once(stack, data):
    from marketplace.extensions import db
    from marketplace.models import AuditEvent, JobRun, Placement, PlacementStatus
    from sqlalchemy import func, select

    app = data["app"]
    deadline = time.time() + 30
    with app.app_context():
        while True:
            placement = db.session.get(Placement, data["placement"])
            if placement.status == PlacementStatus.ACTIVE or time.time() > deadline:
                break
            db.session.remove()
            time.sleep(0.5)
        assert placement.status == PlacementStatus.ACTIVE
        activations = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity_type == "placement", AuditEvent.entity_id == placement.id,
            AuditEvent.action == "activated"))
        runs = db.session.scalars(select(JobRun).where(JobRun.job == "activate-placements")).all()
        claimers = Counter(run.claimed_by for run in runs)
        finished = [run for run in runs if run.finished_at is not None]
        db.session.remove()
    figure(f"activate-placements (every 2 s): {len(runs)} periods claimed by {len(claimers)} schedulers "
           f"({', '.join(f'{n}' for n in claimers.values())} each), executions per period: "
           f"{sorted(Counter(run.runs for run in finished).items())}; placement activated {activations} time(s)")
    assert activations == 1
    assert len(claimers) >= 2  # both servers' schedulers were running and took turns
    assert finished and all(run.runs == 1 for run in finished)
    assert all(run.runs <= 1 for run in runs)


def test_postgresql_dump_restores_every_row_and_file(stack, data):
    from sqlalchemy import create_engine, text

    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    dump = stack.dir / "backup.dump"
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    port = str(stack.ports["PG_PORT"])
    if os.geteuid() == 0:
        shutil.chown(stack.dir, "postgres")
    started = time.time()
    subprocess.run([*prefix, str(pgbin / "pg_dump"), "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-Fc",
                    "-f", str(dump), "marketplace"], check=True, capture_output=True)
    subprocess.run([*prefix, str(pgbin / "createdb"), "-h", "127.0.0.1", "-p", port, "-U", "postgres",
                    "restored"], check=True, capture_output=True)
    subprocess.run([*prefix, str(pgbin / "pg_restore"), "-h", "127.0.0.1", "-p", port, "-U", "postgres",
                    "--no-owner", "-d", "restored", str(dump)], check=True, capture_output=True)
    took = time.time() - started
    query = text("SELECT (SELECT count(*) FROM application), (SELECT count(*) FROM \"user\"), "
                 "(SELECT count(*) FROM stored_file), (SELECT coalesce(sum(size), 0) FROM stored_file), "
                 "(SELECT version_num FROM alembic_version)")
    counts = []
    for name in ("marketplace", "restored"):
        engine = create_engine(stack.database_url.rsplit("/", 1)[0] + "/" + name)
        with engine.connect() as conn:
            counts.append(tuple(conn.execute(query).one()))
        engine.dispose()
    figure(f"pg_dump -Fc ({dump.stat().st_size // 1024} KiB) + pg_restore into a new database in {took:.1f} s: "
           f"applications, users, files, file bytes, schema = {counts[1]}")
    assert counts[0] == counts[1] and counts[1][2] >= 1
