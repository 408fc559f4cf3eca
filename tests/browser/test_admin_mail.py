"""The programme office sees e-mails that failed for good and puts them back in the queue, in a real browser."""
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "Exchange-Demo-2026"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when this returns: nothing listens there


def test_admin_sees_a_failed_mail_and_retries_it(context_factory, live_server, live_workdir):
    url = f"sqlite:///{live_workdir / 'live.sqlite'}"
    # A note typed with a line break, for the demo student; then a delivery run against a mail server that is
    # down, with one attempt allowed: the mail is failed for good (and the run did not stop on its subject).
    script = (
        "from marketplace.app import create_app\n"
        "from marketplace.extensions import db\n"
        "from marketplace.services import accounts, notifications\n"
        f"app = create_app({{'TESTING': True, 'SQLALCHEMY_DATABASE_URI': {url!r}}})\n"
        "with app.app_context():\n"
        "    student = accounts.find_user_by_email('student@demo.medai-exchange.kr')\n"
        "    notifications.notify(student, 'application_rejected', '/student/applications', "
        "opening='Browser mail check', note='Seats are full.\\nTry again next term.')\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True)
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="browser-suite-secret-key-0123456789abcdef",
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(_closed_port()), MAIL_MAX_ATTEMPTS="1")
    run = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "send-mail"], cwd=ROOT,
                         env=env, capture_output=True, text=True)
    assert run.returncode == 1 and "failed" in run.stdout, run.stdout + run.stderr

    page = context_factory("en").new_page()
    page.goto("/auth/login")
    page.get_by_label("Email").fill("admin@demo.medai-exchange.kr")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]", has_text=re.compile("Sign in")).click()
    page.goto("/admin/")
    delivery = page.get_by_role("link", name=re.compile("E-mail delivery"))
    expect(delivery).to_contain_text("failed")
    delivery.click()
    row = page.locator("tr", has_text="Browser mail check")
    expect(row).to_contain_text("student@demo.medai-exchange.kr")
    expect(row).to_contain_text("ConnectionRefusedError")
    expect(row).to_contain_text("Seats are full. Try again next term.")  # the subject, on one line
    assert_accessible(page, "admin e-mail delivery")
    screenshot(page, "admin-mail-failed")
    row.get_by_role("button", name=re.compile("Retry")).click()
    expect(page.locator(".alert-success")).to_contain_text("queued again")
    expect(page.locator("tr", has_text="Browser mail check")).to_have_count(0)
