"""The mail worker against a real SMTP server on loopback (aiosmtpd), in real threads and real processes: it
delivers Korean mail intact, retries what the server defers or refuses with growing pauses, waits out a refused
connection and a database outage, stops on SIGTERM, and two workers at once never send a mail twice."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail_worker import MailWorker
from marketplace.models.notifications import OutboxEmail
from marketplace.services import notifications
from tests.dbproxy import app_behind
from tests.factories import make_student
from tests.smtp import Mailbox, free_port, start_server

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://exchange.example.ac.kr"


@pytest.fixture
def mailbox(app):
    box = Mailbox()
    controller = start_server(box)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_BASE_URL=BASE,
                      MAIL_RETRY_BASE_SECONDS=0.2)
    box.controller = controller
    yield box
    controller.stop()


class Running:
    """A MailWorker in a thread of its own (its own app context, session and connection), as in a process."""

    def __init__(self, app, interval: float = 0.1) -> None:
        self.worker = MailWorker(app, interval=interval)
        self.thread = threading.Thread(target=self.worker.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self.worker

    def __exit__(self, *exc) -> None:
        self.worker.stop()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "the worker did not stop"


def wait_until(condition, timeout: float = 30.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError("timed out waiting")


def _mails() -> list[OutboxEmail]:
    db.session.expire_all()
    mails = list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))
    db.session.commit()
    return mails


def test_the_worker_delivers_a_korean_mail_with_its_headers_and_an_absolute_link(app, mailbox):
    student = make_student(email="kim@snu.ac.kr")
    student.locale = "ko"
    notifications.notify(student, "offer_made", "/student/applications/7", company="메디AI 주식회사",
                         opening="심전도 분석 인턴십")
    db.session.commit()

    with Running(app):
        wait_until(lambda: mailbox.to("kim@snu.ac.kr"))

    [message] = mailbox.to("kim@snu.ac.kr")
    assert message["To"] == "kim@snu.ac.kr" and message["From"] == app.config["MAIL_FROM"]
    assert "메디AI 주식회사" in message["Subject"] and "심전도 분석 인턴십" in message["Subject"]
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "메디AI 주식회사" in body and f"{BASE}/student/applications/7" in body
    [mail] = _mails()
    assert mail.sent_at is not None and mail.attempts == 1 and mail.last_error == ""


def test_a_deferred_mail_is_retried_with_growing_pauses_and_then_delivered(app, mailbox):
    mailbox.defer["busy@company.co.kr"] = 2  # 451 twice, then accepted
    app.config["MAIL_RETRY_BASE_SECONDS"] = 0.5
    notifications.queue_email("busy@company.co.kr", "Greylisted", f"Hello\n{BASE}/")
    db.session.commit()

    with Running(app, interval=0.05):
        wait_until(lambda: _mails()[0].sent_at is not None)

    assert len(mailbox.to("busy@company.co.kr")) == 1
    [mail] = _mails()
    assert mail.attempts == 3 and mail.failed_at is None and mail.last_error == ""
    first, second, third = mailbox.tries["busy@company.co.kr"]
    # It waited about MAIL_RETRY_BASE_SECONDS, then about twice as long (the pause grows with each failure).
    assert second - first >= 0.4 and third - second > second - first


def test_a_refused_mail_is_retried_until_the_cap_then_marked_failed_for_the_admin(app, mailbox):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    mailbox.refuse.add("gone@company.co.kr")
    notifications.queue_email("gone@company.co.kr", "To a dead mailbox", "x")
    notifications.queue_email("fine@company.co.kr", "Ordinary", "y")
    db.session.commit()

    with Running(app, interval=0.05):
        wait_until(lambda: _mails()[0].failed_at is not None)

    gone, fine = _mails()
    assert gone.attempts == 3 and gone.sent_at is None and "550" in gone.last_error
    assert fine.sent_at is not None and len(mailbox.to("fine@company.co.kr")) == 1
    assert not mailbox.to("gone@company.co.kr")


def test_a_refused_connection_is_waited_out_and_the_mail_delivered_when_the_server_is_back(app):
    port = free_port()  # nothing listens here yet: every connection is refused
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    notifications.queue_email("later@company.co.kr", "After the outage", "z")
    db.session.commit()
    box = Mailbox()
    with Running(app, interval=0.05) as worker:
        wait_until(lambda: "ConnectionRefusedError" in _mails()[0].last_error)
        wait_until(lambda: worker.failures >= 2)  # it backs off, it does not give up
        [waiting] = _mails()
        assert waiting.attempts == 0 and waiting.failed_at is None and waiting.sent_at is None
        controller = start_server(box, port=port)
        try:
            wait_until(lambda: box.to("later@company.co.kr"))
        finally:
            controller.stop()
    [mail] = _mails()
    assert mail.sent_at is not None and mail.attempts == 1 and worker.failures == 0


def test_two_workers_at_once_send_every_mail_exactly_once(app, mailbox):
    addresses = [f"reader{i}@company.co.kr" for i in range(40)]
    for address in addresses:
        notifications.queue_email(address, f"For {address}", f"Hello\n{BASE}/")
    db.session.commit()

    with Running(app, interval=0.01) as first, Running(app, interval=0.01) as second:
        wait_until(lambda: len(mailbox.messages) >= len(addresses) and all(m.sent_at for m in _mails()))
        time.sleep(0.3)  # a duplicate would arrive now
    assert first is not second
    delivered = sorted(rcpt for rcpts, _message in mailbox.messages for rcpt in rcpts)
    assert delivered == sorted(addresses)  # each exactly once
    assert {mail.attempts for mail in _mails()} == {1}


def _subprocess_env(app, **extra) -> dict:
    env = dict(os.environ)
    env.pop("APP_ENV", None)
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], PYTHONUNBUFFERED="1", **extra)
    return env


def test_flask_mail_worker_delivers_and_stops_cleanly_on_sigterm(app, mailbox):
    notifications.queue_email("cli@company.co.kr", "From the real command", f"{BASE}/")
    db.session.commit()
    db.session.remove()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail-worker", "--interval", "0.2"], cwd=ROOT,
        env=_subprocess_env(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(mailbox.controller.port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: mailbox.to("cli@company.co.kr"), timeout=60)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "mail worker started" in output and "sent (attempt 1)" in output and "mail worker stopped" in output
    assert "cli@company.co.kr" not in output  # the log names mails by number, not the reader's address


def test_gunicorn_started_by_make_run_runs_the_worker_beside_it_and_stops_it(app, mailbox):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("one backend is enough for the process wiring")
    notifications.queue_email("beside@company.co.kr", "Sent beside the web server", f"{BASE}/")
    db.session.commit()
    db.session.remove()
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=ROOT, env=_subprocess_env(app, RUN_MAIL_WORKER="1", MAIL_WORKER_INTERVAL="0.2", MAIL_SERVER="127.0.0.1",
                                      MAIL_PORT=str(mailbox.controller.port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: mailbox.to("beside@company.co.kr"), timeout=60)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=40)
    finally:
        if process.poll() is None:
            process.kill()
    assert "mail worker started (pid" in output
    worker_pid = int(output.split("mail worker started (pid ")[1].split(")")[0])
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)  # gone with gunicorn
    assert "mail worker stopped" in output


def test_the_worker_waits_out_a_database_outage_and_carries_on(app, mailbox, backend):
    if backend != "postgresql":
        pytest.skip("a database server outage: PostgreSQL (SQLite is a file beside the worker)")
    worker_app, proxy = app_behind(app)
    notifications.queue_email("before@company.co.kr", "Before the outage", "a")
    db.session.commit()
    with Running(worker_app, interval=0.05) as worker:
        # Delivered and recorded: cut only after the worker's commit (a cut in between is a redelivery, not this test).
        wait_until(lambda: mailbox.to("before@company.co.kr") and _mails()[0].sent_at is not None)
        proxy.cut()
        wait_until(lambda: worker.failures >= 2)  # logged, backing off, still running
        notifications.queue_email("after@company.co.kr", "After the outage", "b")
        db.session.commit()
        proxy.start()
        wait_until(lambda: mailbox.to("after@company.co.kr"), timeout=60)
    with worker_app.app_context():
        db.engine.dispose()
    assert [m.sent_at is not None for m in _mails()] == [True, True]
    assert len(mailbox.messages) == 2


def test_a_cut_while_the_worker_gives_back_its_connection_does_not_end_the_worker(app, mailbox, backend,
                                                                                   monkeypatch):
    """The outage lands after a round's last statement, before its transaction is closed: closing fails as well.
    The round must still end in a pause (as any outage), not in an exception that ends the worker's loop."""
    if backend != "postgresql":
        pytest.skip("a database server outage: PostgreSQL (SQLite is a file beside the worker)")
    worker_app, proxy = app_behind(app)
    worker = MailWorker(worker_app, interval=0.05)
    real_next_due_in = notifications.next_due_in

    def next_due_in_then_cut():
        wait = real_next_due_in()  # the round's last statement, in the round's open transaction
        proxy.cut()
        return wait

    monkeypatch.setattr(notifications, "next_due_in", next_due_in_then_cut)
    assert worker.run_once() == worker.interval  # nothing was due; the cut came after the work
    monkeypatch.setattr(notifications, "next_due_in", real_next_due_in)
    assert worker.run_once() == 1.0 and worker.failures == 1  # the next round meets the outage and backs off

    proxy.start()
    notifications.queue_email("after@company.co.kr", "After the outage", "b")
    db.session.commit()
    worker.run_once()
    with worker_app.app_context():
        db.engine.dispose()
    assert worker.failures == 0 and len(mailbox.to("after@company.co.kr")) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback, in a test
def test_with_mail_username_the_mail_goes_through_a_relay_that_requires_a_login(app):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password) if isinstance(auth_data, LoginPassword) else None)
        return AuthResult(success=logins[-1] == (b"relay", b"s3cret"))

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USERNAME="relay",
                          MAIL_PASSWORD="s3cret")
        notifications.queue_email("auth@company.co.kr", "Through an authenticated relay", "x")
        db.session.commit()
        assert notifications.send_pending_mail() == (1, 0)
        assert box.to("auth@company.co.kr") and logins == [(b"relay", b"s3cret")]
    finally:
        controller.stop()
