"""E-mail delivery against a real SMTP server on loopback (aiosmtpd): one bad mail never stops the others,
headers stay on one line, failures are recorded and retried, and after the cap the admin sees them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models.base import utcnow
from marketplace.models.notifications import OutboxEmail
from marketplace.services import notifications
from tests.factories import make_admin, make_company_manager
from tests.smtp import Mailbox, start_server

BASE = "https://exchange.example.ac.kr"


@pytest.fixture
def mailbox(app):
    box = Mailbox()
    controller = start_server(box)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_BASE_URL=BASE + "/")
    yield box
    controller.stop()


def _outbox(address: str) -> OutboxEmail:
    db.session.expire_all()
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)).one()


def test_a_note_with_line_breaks_arrives_with_a_one_line_subject_and_an_absolute_link(app, mailbox):
    reader = make_company_manager("reader@company.co.kr")
    reader.locale = "en"
    notifications.notify(reader, "opening_returned", "/companies/openings/7",
                         opening="MRI\r\nBcc: victim@example.com", note="Please fix:\n- dates\r\n- stipend\u2028end")
    db.session.commit()

    assert notifications.send_pending_mail() == (1, 0)

    [message] = mailbox.to("reader@company.co.kr")
    [(recipients, _)] = mailbox.messages
    assert recipients == ["reader@company.co.kr"]  # nobody smuggled in through a header
    assert message["Bcc"] is None
    subject = message["Subject"]
    assert "\r" not in subject and "\n" not in subject and "\u2028" not in subject
    assert "MRI Bcc: victim@example.com" in subject and "Please fix: - dates - stipend end" in subject
    body = message.get_content().replace("\r\n", "\n")
    assert "Please fix:\n- dates" in body  # the body keeps the note as typed
    assert f"{BASE}/companies/openings/7" in body
    assert _outbox("reader@company.co.kr").sent_at is not None


def test_every_email_link_is_absolute_even_without_a_link(app):
    reader = make_company_manager("nolink@company.co.kr")
    notifications.notify(reader, "opening_published", "", opening="X")
    notifications.notify(reader, "opening_published", "/companies/openings", opening="Y")
    db.session.commit()
    bodies = [m.body for m in db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id))]
    for body in bodies:
        last_line = body.rstrip().splitlines()[-1]
        assert last_line.startswith(app.config["PUBLIC_BASE_URL"].rstrip("/") + "/"), body
    assert bodies[1].rstrip().endswith("/companies/openings")


def test_a_mail_that_fails_is_recorded_and_never_blocks_the_ones_behind_it(app, mailbox):
    # A row written before subjects were cleaned (raw CR/LF), a refused address, and an ordinary mail.
    db.session.add_all([
        OutboxEmail(to_address="old@company.co.kr", subject="Returned: see\r\nnote", body="old"),
        OutboxEmail(to_address="gone@company.co.kr", subject="To a dead mailbox", body="x"),
        OutboxEmail(to_address="fine@company.co.kr", subject="Ordinary", body="y"),
    ])
    db.session.commit()
    mailbox.refuse.add("gone@company.co.kr")
    start = utcnow()

    assert notifications.send_pending_mail(now=start) == (2, 1)

    assert mailbox.to("old@company.co.kr")[0]["Subject"] == "Returned: see note"
    assert mailbox.to("fine@company.co.kr")
    failed = _outbox("gone@company.co.kr")
    assert failed.sent_at is None and failed.failed_at is None and failed.attempts == 1
    assert "SMTPRecipientsRefused" in failed.last_error and "550" in failed.last_error
    assert failed.next_attempt_at > start
    # Not due yet: the next run sends nothing and does not count an attempt.
    assert notifications.send_pending_mail(now=start + timedelta(seconds=30)) == (0, 0)
    assert _outbox("gone@company.co.kr").attempts == 1
    # Due again: tried once more, and it waits longer this time.
    first_wait = failed.next_attempt_at - start
    later = failed.next_attempt_at
    assert notifications.send_pending_mail(now=later) == (0, 1)
    again = _outbox("gone@company.co.kr")
    assert again.attempts == 2 and again.next_attempt_at - later > first_wait


def test_after_the_retry_cap_the_mail_is_failed_listed_for_the_admin_and_can_be_retried(app, mailbox, client, auth):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    db.session.add(OutboxEmail(to_address="gone@company.co.kr", subject="Placement approved", body="z"))
    db.session.commit()
    mailbox.refuse.add("gone@company.co.kr")
    now = utcnow()
    for _ in range(3):
        assert notifications.send_pending_mail(now=now) == (0, 1)
        now = _outbox("gone@company.co.kr").next_attempt_at or now + timedelta(days=2)
    mail = _outbox("gone@company.co.kr")
    assert mail.attempts == 3 and mail.failed_at is not None and mail.next_attempt_at is None
    assert notifications.send_pending_mail(now=now + timedelta(days=30)) == (0, 0)  # given up: never tried again

    auth.login(make_admin().email)
    assert "1 failed" in client.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    page = client.get("/admin/mail", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "gone@company.co.kr" in page and "Placement approved" in page and "SMTPRecipientsRefused" in page

    mailbox.refuse.clear()  # the programme office fixed the address or the server
    response = auth.post(f"/admin/mail/{mail.id}/retry", form_page="/admin/mail")
    assert response.status_code == 302
    assert "No failed e-mails." in client.get("/admin/mail", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert notifications.send_pending_mail() == (1, 0)
    assert mailbox.to("gone@company.co.kr") and _outbox("gone@company.co.kr").sent_at is not None


def test_retrying_a_mail_that_has_not_failed_is_refused(app, client, auth):
    db.session.add(OutboxEmail(to_address="a@company.co.kr", subject="s", body="b"))
    db.session.commit()
    mail_id = db.session.scalars(select(OutboxEmail.id)).one()
    auth.login(make_admin().email)
    response = auth.post(f"/admin/mail/{mail_id}/retry", form_page="/admin/mail", follow_redirects=True,
                         headers={"Accept-Language": "en"})
    assert "This e-mail has not failed" in response.get_data(as_text=True)
    assert auth.post("/admin/mail/999999/retry", form_page="/admin/mail").status_code == 404


def test_flask_send_mail_delivers_past_a_failing_mail_and_says_so(app, mailbox, runner):
    db.session.add_all([
        OutboxEmail(to_address="gone@company.co.kr", subject="first", body="x"),
        OutboxEmail(to_address="fine@company.co.kr", subject="second\nline", body="y"),
    ])
    db.session.commit()
    mailbox.refuse.add("gone@company.co.kr")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1 and "Sent 1 e-mails, 1 failed" in result.output
    assert mailbox.to("fine@company.co.kr")[0]["Subject"] == "second line"
    assert _outbox("gone@company.co.kr").attempts == 1
