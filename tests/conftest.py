"""Shared fixtures: an app per test on SQLite and on PostgreSQL, clients, and an auth helper.

Database-backed tests take the `app` fixture, which is parametrised over both backends. PostgreSQL
comes from TEST_POSTGRES_URL; without it the PostgreSQL half is skipped on a laptop and fails in CI
(CI=true), so a missing service is never silently ignored there.
"""
from __future__ import annotations

import contextlib
import contextvars
import gc
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from flask import has_app_context
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

from marketplace.app import create_app
from marketplace.extensions import db
from marketplace.models.notifications import OutboxEmail

from hypothesis import settings as hypothesis_settings

# The suite allocates many short-lived objects (an app, an engine's results, rendered pages per test) over a large
# heap that lives all session (compiled templates, the vocabulary, imported modules): with Python's default
# thresholds the collector ran full passes over that heap all the time. Rarer passes made the tests ~15% faster.
gc.set_threshold(50_000, 20, 100)

# CI replays the same examples every run (a red build is then always reproducible); laptops explore.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    hypothesis_settings.load_profile("ci")

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BACKENDS = [b.strip() for b in os.environ.get("TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]


def _pg_url() -> str:
    url = POSTGRES_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # `make test` runs the suite in parallel workers (pytest-xdist)
    return _worker_database(url, worker) if worker else url


def _worker_database(url: str, worker: str) -> str:
    """Each parallel worker gets its own database beside the configured one, created on first use."""
    configured = sa.engine.make_url(url)
    name = f"{configured.database}_{worker}"
    admin = sa.create_engine(configured.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar():
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return configured.set(database=name).render_as_string(hide_password=False)


def _upgrade(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


# A link in a mail is absolute (PUBLIC_BASE_URL): a line that is only a site path, or an href to one, is a link a
# mail client cannot open. Every outbox mail any test writes is checked as it is inserted, whatever its kind.
RELATIVE_MAIL_LINK = re.compile(r"""^[ \t-]*/(?!/)\S*[ \t]*$|href=["']?/(?!/)""", re.MULTILINE)


def relative_mail_links(body: str) -> list[str]:
    return [match.group(0).strip() for match in RELATIVE_MAIL_LINK.finditer(body or "")]


@sa.event.listens_for(OutboxEmail, "before_insert")
def _mail_links_are_absolute(mapper, connection, target) -> None:
    assert not relative_mail_links(target.body), f"a mail body holds a relative link: {target.body!r}"


# The order the parallel workers take the test files in (`make test` runs with --dist loadfile and
# --no-loadscope-reorder): the few long files first (the several-server stack, then the browser journeys, the student
# journey the longest), then the others by their number of tests. pytest-xdist's own order, by number of tests, left
# the stack's 80 s and the journeys for last, and one worker idled while the other finished them.
LONG_FILES_FIRST = ("tests/stack/", "tests/browser/test_student_journey.py", "tests/browser/")


def pytest_collection_modifyitems(config, items):
    tests_in_file = Counter(item.nodeid.split("::")[0] for item in items)

    def rank(item) -> tuple[int, int]:
        path = item.nodeid.split("::")[0]
        first = next((i for i, prefix in enumerate(LONG_FILES_FIRST) if path.startswith(prefix)), len(LONG_FILES_FIRST))
        return first, -tests_in_file[path]

    items.sort(key=rank)  # stable: a file's tests keep their order


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    _upgrade(f"sqlite:///{path}")
    return path


# One engine per database URL the tests share (this worker's SQLite file, its PostgreSQL database), kept across the
# session's apps: an engine caches its compiled SQL, and each test's new engine compiled every statement again
# (~15% of a test's time). Other URLs (in-memory databases, a test's own file) get an engine of their own.
_SHARED_ENGINES: dict[str, sa.engine.Engine] = {}
_SHARED_URLS: set[str] = set()


def _share_engines() -> None:
    from flask_sqlalchemy.extension import SQLAlchemy

    original = SQLAlchemy._make_engine
    if getattr(original, "shared", False):
        return

    def make_engine(self, bind_key, options, app):
        url = options.get("url")
        name = url.render_as_string(hide_password=False) if isinstance(url, sa.engine.URL) else str(url)
        if name not in _SHARED_URLS:
            return original(self, bind_key, options, app)
        key = repr(sorted((option, repr(value)) for option, value in options.items() if option != "url")) + name
        engine = _SHARED_ENGINES.get(key)
        if engine is None:
            engine = _SHARED_ENGINES[key] = original(self, bind_key, options, app)
        return engine

    make_engine.shared = True
    SQLAlchemy._make_engine = make_engine


_share_engines()


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def fresh_sqlite_copy(source: Path, target: Path) -> str:
    """Replace `target` (a database file the tests share, with its engine) by a copy of `source`; its URL.

    The shared engine's pooled connections are closed first: they would still read the file being replaced."""
    url = _sqlite_url(target)
    _SHARED_URLS.add(url)
    for engine in [engine for key, engine in _SHARED_ENGINES.items() if key.endswith(url)]:
        engine.dispose()
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(source, target)
    return url


@pytest.fixture(scope="session")
def shared_sqlite_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("shared") / "test.sqlite"


@pytest.fixture(scope="session")
def postgres_ready() -> str:
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_POSTGRES_URL is not set: PostgreSQL must run in CI")
        pytest.skip("PostgreSQL not configured (set TEST_POSTGRES_URL to run these)")
    engine = None
    try:
        url = _pg_url()
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    except sa.exc.OperationalError as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable in CI: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    finally:
        if engine is not None:
            engine.dispose()
    _upgrade(url)
    return url


# Between tests the PostgreSQL database is emptied and its sequences restarted, in one round trip, and the reference
# data the migrations insert (the SQLite template keeps it) is put back, so both backends start alike.
# - DELETE, children first (tables in reverse dependency order), of the tables that hold rows: TRUNCATE swaps each
#   table's files, ~6 ms a table, and a test that wrote to 36 tables spent ~220 ms there. Should an order ever not
#   suit the foreign keys, the block falls back to TRUNCATE ... CASCADE.
# - The reference rows are copied from a snapshot (schema `test_reference`, taken the first time from what the
#   services seed), not seeded again through the ORM at ~25 ms a test. Together: ~125 -> ~62 ms a PostgreSQL test.
REFERENCE_SCHEMA = "test_reference"
_EMPTY_TABLES = """
DO $$
DECLARE
    name text;
    found boolean;
    busy text[] := '{}';
BEGIN
    BEGIN
        FOREACH name IN ARRAY string_to_array(:tables, ',') LOOP
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', name) INTO found;
            IF found THEN
                EXECUTE format('DELETE FROM %I', name);
            END IF;
        END LOOP;
    EXCEPTION WHEN foreign_key_violation THEN
        FOREACH name IN ARRAY string_to_array(:tables, ',') LOOP
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', name) INTO found;
            IF found THEN
                busy := busy || format('%I', name);
            END IF;
        END LOOP;
        EXECUTE 'TRUNCATE ' || array_to_string(busy, ', ') || ' CASCADE';
    END;
    FOR name IN SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences
                WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP
        EXECUTE format('ALTER SEQUENCE %s RESTART', name);
    END LOOP;
    FOREACH name IN ARRAY string_to_array(:reference, ',') LOOP
        EXECUTE format('INSERT INTO %I SELECT * FROM test_reference.%I', name, name);
        IF pg_get_serial_sequence(name, 'id') IS NOT NULL THEN
            EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), max(id)) FROM %I HAVING count(*) > 0',
                           name, name);
        END IF;
    END LOOP;
END $$
"""
_SNAPSHOT_TAKEN: set[str] = set()


def _reference_tables() -> list[str]:
    """The tables of the reference data, parents first."""
    from marketplace.models import ComplianceRuleSet, EvaluationRubric, PublicHoliday, RubricItem

    names = {model.__tablename__ for model in (ComplianceRuleSet, PublicHoliday, EvaluationRubric, RubricItem)}
    return [t.name for t in db.metadata.sorted_tables if t.name in names]


def _seed_reference_data() -> None:
    from marketplace.services.compliance import seed_default_rules
    from marketplace.services.evaluations import ensure_default_rubric

    seed_default_rules()
    ensure_default_rubric()  # the evaluation rubric's default competencies (0020)
    db.session.commit()


def _truncate_all(app) -> None:
    with app.app_context():
        tables = ",".join(t.name for t in reversed(db.metadata.sorted_tables))
        reference = _reference_tables()
        url = str(db.engine.url)
        first = url not in _SNAPSHOT_TAKEN
        with db.engine.begin() as conn:
            conn.execute(sa.text(_EMPTY_TABLES.replace(":tables", f"'{tables}'")
                                 .replace(":reference", "''" if first else f"'{','.join(reference)}'")))
        if first:  # the services seed the reference data once; a snapshot of it serves every later test
            _seed_reference_data()
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {REFERENCE_SCHEMA} CASCADE"))
                conn.execute(sa.text(f"CREATE SCHEMA {REFERENCE_SCHEMA}"))
                for name in reference:
                    conn.execute(sa.text(f'CREATE TABLE {REFERENCE_SCHEMA}."{name}" AS SELECT * FROM "{name}"'))
            _SNAPSHOT_TAKEN.add(url)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def app_config(backend, request, tmp_path) -> dict:
    if backend == "sqlite":
        url = fresh_sqlite_copy(request.getfixturevalue("sqlite_template"),
                                request.getfixturevalue("shared_sqlite_path"))
    else:
        url = request.getfixturevalue("postgres_ready")
        _SHARED_URLS.add(url)
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
    }


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The test itself holds an app context (so it can use db.session); without this, requests would
    share its `g` and session, hiding bugs such as a user cached from an earlier request.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.rollback()  # end the test's transaction: no lock held, fresh reads afterwards
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


class _CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates shared by every app of the test session (keyed by name and source checksum, so
    an edited template is compiled again): each test makes a new app, and compiling the base layout and its
    macros again took ~50 ms of every test that renders a page."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def _share_compiled_templates() -> None:
    """Every app the suite makes shares COMPILED_TEMPLATES, also those a test makes itself (the access matrix's saved
    world, two-instance tests): without it the access matrix compiled the base layout again in each of its 249
    tests, 53 of its 62 seconds."""
    from flask import Flask

    original = Flask.create_jinja_environment
    if getattr(original, "shared", False):
        return

    def create_jinja_environment(self):
        environment = original(self)
        environment.bytecode_cache = COMPILED_TEMPLATES
        return environment

    create_jinja_environment.shared = True
    Flask.create_jinja_environment = create_jinja_environment


_share_compiled_templates()


def _share_url_builders() -> None:
    """Each test's new app registers ~210 routes, and Werkzeug writes and compiles a Python function for each to
    build its URLs (two each): most of create_app's time. The function depends only on the rule's parts and the
    names of its defaults (it reads the converters from the rule it is bound to), so the suite builds it once per
    such key. A default that fills a part of the rule is compiled into the code: those rules are left alone."""
    from werkzeug.routing.rules import Rule

    original = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "shared", False):
        return
    builders: dict[tuple, object] = {}

    def compile_builder(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(dynamic and data in defaults for dynamic, data in self._trace):
            return original(self, append_unknown)
        key = (append_unknown, tuple(self._trace), tuple(str(name) for name in defaults))
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = original(self, append_unknown)
        return builder

    compile_builder.shared = True
    Rule._compile_builder = compile_builder


_share_url_builders()


@pytest.fixture
def app(app_config, backend):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    if backend == "postgresql":
        _truncate_all(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


HOUR = 3600


def within_one_window(seconds_needed: float = 25, window: int = 60) -> None:
    """Attempt limits count per fixed window (a clock minute, an hour): start a test that fills one only when it
    fits in this one. Tests that fill a limit set it per hour, so they almost never wait (a per-minute limit made
    each such test wait up to 25 s)."""
    import time

    left = window - time.time() % window
    if left < seconds_needed:
        time.sleep(left + 0.05)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/auth/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real forms, CSRF token included (flaskr's auth helper)."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = "", follow_redirects: bool = False):
        from tests.factories import PASSWORD

        token = csrf_token(self.client, "/auth/login")
        return self.client.post(
            "/auth/login",
            data={"csrf_token": token, "email": email, "password": password or PASSWORD},
            follow_redirects=follow_redirects,
        )

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/auth/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict | None = None, form_page: str | None = None, **kwargs):
        """POST with a fresh CSRF token taken from `form_page` (default: the home page)."""
        token = csrf_token(self.client, form_page or "/")
        payload = {"csrf_token": token}
        payload.update(data or {})
        return self.client.post(path, data=payload, **kwargs)


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


class QueryCounter:
    """Counts the SQL statements the database receives (indico's count_queries).

        with count_queries() as statements:
            dashboard.dashboard(admin)
        assert len(statements) == 12

        count_queries.page(client, "/openings")  # statements of one GET, from a fresh session, status 200
    """

    @contextlib.contextmanager
    def __call__(self):
        statements: list[str] = []

        def listen(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", listen)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listen)

    def page(self, client, path: str) -> int:
        db.session.remove()  # nothing the test loaded is reused by the page
        with self() as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        return len(statements)


@pytest.fixture
def count_queries(app) -> QueryCounter:
    return QueryCounter()
