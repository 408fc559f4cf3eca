"""The programme office sees e-mails that failed for good and puts them back in the queue, in a real browser."""
import os
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.smtp import Mailbox, start_server

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "Exchange-Demo-2026"


def test_admin_sees_a_failed_mail_and_retries_it(context_factory, live_server, live_workdir):
    url = f"sqlite:///{live_workdir / 'live.sqlite'}"
    # A note typed with a line break, for the demo student; then a delivery run against a mail server that
    # refuses the student's mailbox (550), with one attempt allowed: the mail is failed for good (and the run did
    # not stop on its subject).
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
    box = Mailbox()
    box.refuse.add("student@demo.medai-exchange.kr")
    server = start_server(box)
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="browser-suite-secret-key-0123456789abcdef",
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(server.port), MAIL_MAX_ATTEMPTS="1")
    try:
        run = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "send-mail"],
                             cwd=ROOT, env=env, capture_output=True, text=True)
    finally:
        server.stop()
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
    expect(row).to_contain_text("SMTPRecipientsRefused")
    expect(row).to_contain_text("Seats are full. Try again next term.")  # the subject, on one line
    assert_accessible(page, "admin e-mail delivery")
    screenshot(page, "admin-mail-failed")
    row.get_by_role("button", name=re.compile("Retry")).click()
    expect(page.locator(".alert-success")).to_contain_text("queued again")
    expect(page.locator("tr", has_text="Browser mail check")).to_have_count(0)


def test_without_smtp_the_admin_reads_a_mail_in_the_outbox_and_follows_its_link(context_factory, live_server,
                                                                                live_workdir):
    url = f"sqlite:///{live_workdir / 'live.sqlite'}"
    script = (
        "from marketplace.app import create_app\n"
        "from marketplace.extensions import db\n"
        "from marketplace.services import accounts, notifications\n"
        f"app = create_app({{'TESTING': True, 'SQLALCHEMY_DATABASE_URI': {url!r}, "
        f"'PUBLIC_BASE_URL': {live_server!r}}})\n"
        "with app.app_context():\n"
        "    student = accounts.find_user_by_email('student@demo.medai-exchange.kr')\n"
        "    notifications.notify(student, 'application_shortlisted', '/openings', "
        "opening='Outbox link check', company='MediAI')\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True)

    page = context_factory("en").new_page()
    page.goto("/auth/login")
    page.get_by_label("Email").fill("admin@demo.medai-exchange.kr")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]", has_text=re.compile("Sign in")).click()
    page.goto("/admin/mail")
    page.get_by_role("link", name=re.compile("Outbox")).click()
    page.get_by_role("link", name=re.compile("Outbox link check")).first.click()
    expect(page.locator("pre")).to_contain_text("Outbox link check")  # the demo student reads Korean
    assert_accessible(page, "admin outbox mail")
    screenshot(page, "admin-outbox-mail")
    page.get_by_role("link", name=f"{live_server}/openings").click()
    expect(page).to_have_url(re.compile(r"/openings$"))
