"""Attempt limits shared by every worker: exact under real threads, on SQLite, PostgreSQL and Redis."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
from sqlalchemy import func, select

from marketplace.app import create_app
from marketplace.extensions import db
from marketplace.models import AttemptCounter
from marketplace.services import accounts, throttle
from marketplace.services.errors import DomainError
from tests.conftest import HOUR, within_one_window
from tests.factories import PASSWORD, make_company_manager

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _hammer(app, attempts: int, attempt) -> tuple[int, int]:
    """Run `attempt(i)` in `attempts` real threads released at once; (allowed, refused). The sign-in limit is
    10 per hour here (10 per minute by default): the same counting, without waiting for a fresh minute."""
    app.config["LOGIN_RATE_LIMIT"] = "10 per hour"
    within_one_window(25, HOUR)
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                attempt(i)
                outcome = "allowed"
            except throttle.TooManyAttempts:
                outcome = "refused"
            except Exception as error:  # noqa: BLE001 - reported below, never swallowed
                outcome = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors = [o for o in outcomes if o.startswith("error")]
    assert not errors, errors[:3]
    return outcomes.count("allowed"), outcomes.count("refused")


def test_limit_is_parsed_as_documented():
    assert throttle.Limit.parse("10 per minute") == throttle.Limit(10, 60)
    assert throttle.Limit.parse("20 per hour") == throttle.Limit(20, 3600)
    assert throttle.Limit.parse("5 per 15 minutes") == throttle.Limit(5, 900)
    with pytest.raises(ValueError):
        throttle.Limit.parse("lots")


def test_thirty_parallel_wrong_passwords_for_one_account_from_many_addresses_get_exactly_ten_answers(app):
    make_company_manager("target@company.co.kr")
    db.session.remove()

    def attempt(i: int) -> None:
        assert accounts.authenticate("target@company.co.kr", "Wrong-Pass-123", client_address=f"10.0.0.{i}") is None

    assert _hammer(app, 30, attempt) == (10, 20)


def test_thirty_parallel_wrong_passwords_from_one_address_for_many_accounts_get_exactly_ten_answers(app):
    def attempt(i: int) -> None:
        assert accounts.authenticate(f"guess{i}@company.co.kr", "Wrong-Pass-123", client_address="10.9.9.9") is None

    assert _hammer(app, 30, attempt) == (10, 20)


def test_look_alike_spellings_share_one_account_counter(app):
    app.config["LOGIN_RATE_LIMIT"] = "10 per hour"
    within_one_window(25, HOUR)
    for typed in ["kim@company.co.kr", "KIM@company.co.kr", "ｋｉｍ@company.co.kr", " kim@COMPANY.co.kr"] * 3:
        try:
            accounts.authenticate(typed, "Wrong-Pass-123", client_address=f"10.1.{len(typed)}.{ord(typed[0])%250}")
        except throttle.TooManyAttempts:
            break
    with pytest.raises(throttle.TooManyAttempts):
        accounts.authenticate("kim@company.co.kr", "Wrong-Pass-123", client_address="10.200.0.1")


def test_successful_sign_ins_do_not_use_up_the_limit(app):
    make_company_manager("ok@company.co.kr")
    for _ in range(25):
        assert accounts.authenticate("ok@company.co.kr", PASSWORD, client_address="10.2.2.2") is not None
        db.session.commit()
    assert db.session.scalar(select(func.coalesce(func.sum(AttemptCounter.hits), 0))) == 0


def test_wrong_current_passwords_are_limited_like_sign_ins_even_in_parallel(app):
    user = make_company_manager("pw@company.co.kr")
    user_id = user.id
    db.session.remove()

    def attempt(i: int) -> None:
        account = db.session.get(type(user), user_id)
        db.session.expunge(account)
        db.session.rollback()  # as in a request: the session's connection is not held meanwhile
        with pytest.raises(DomainError):
            accounts.change_password(account, "Wrong-Pass-123", "New-Medical-2027")

    assert _hammer(app, 20, attempt) == (10, 10)
    with pytest.raises(throttle.TooManyAttempts):  # even the right one waits for the next window
        accounts.change_password(db.session.get(type(user), user_id), PASSWORD, "New-Medical-2027")


def test_registrations_from_one_address_are_limited(app):
    app.config["REGISTRATION_RATE_LIMIT"] = "3 per hour"
    make_company_manager("taken@company.co.kr")
    for _ in range(3):  # a taken address answers like a new one (None: its owner was mailed), and counts too
        assert accounts.register_company_manager("taken@company.co.kr", PASSWORD, "Probe",
                                                 client_address="10.3.3.3") is None
        db.session.rollback()
    with pytest.raises(throttle.TooManyAttempts):
        accounts.register_company_manager("new@company.co.kr", PASSWORD, "Probe", client_address="10.3.3.3")
    db.session.rollback()
    accounts.register_company_manager("new@company.co.kr", PASSWORD, "Other", client_address="10.4.4.4")


def test_a_new_window_allows_again_and_sweeps_expired_counters(app):
    limit = throttle.Limit(2, 60)
    start = (time.time() // 60) * 60 - 600  # ten minutes ago
    throttle.reserve(limit, "k:a", now=start)
    throttle.reserve(limit, "k:a", now=start)
    with pytest.raises(throttle.TooManyAttempts) as refused:
        throttle.reserve(limit, "k:a", now=start + 50)
    assert refused.value.retry_after == 10
    throttle.reserve(limit, "k:b", now=start)
    throttle.reserve(limit, "k:a")  # now: a new window, and the old rows are swept
    assert db.session.scalar(select(func.count()).select_from(AttemptCounter)) == 1


def test_counters_hold_no_email_or_address(app):
    accounts.authenticate("private@company.co.kr", "Wrong-Pass-123", client_address="192.168.77.1")
    keys = " ".join(db.session.scalars(select(AttemptCounter.key)))
    assert "private" not in keys and "192.168" not in keys


def test_per_worker_memory_storage_is_refused_at_start():
    with pytest.raises(RuntimeError, match="per worker"):
        create_app({"TESTING": True, "RATELIMIT_STORAGE_URI": "memory://"})


@pytest.fixture
def redis_url(tmp_path):
    """A throw-away redis-server on a free loopback port (skipped on a laptop without it, required in CI)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if IN_CI:
            pytest.fail("CI=true but redis-server is not installed (.ci/run installs it)")
        pytest.skip("redis-server not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.time() + 10
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    server.terminate()
    server.wait(timeout=10)


def test_thirty_parallel_attempts_against_redis_counters_get_exactly_ten(app, redis_url):
    app.config["RATELIMIT_STORAGE_URI"] = redis_url
    app.extensions["attempt_counters"] = throttle.storage_for(app)

    def attempt(i: int) -> None:
        assert accounts.authenticate("redis@company.co.kr", "Wrong-Pass-123", client_address=f"10.5.0.{i}") is None

    assert _hammer(app, 30, attempt) == (10, 20)
    assert db.session.scalar(select(func.count()).select_from(AttemptCounter)) == 0  # nothing in the database
