"""The e-mail preferences page (each role sees its own kinds, in Korean and English; bad input is refused beside
the field and keeps the other choices) and the admin's outbox pages (every mail, its body with clickable
absolute links while no SMTP server is configured; closed to every other role)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models.notifications import OutboxEmail
from marketplace.services import email_preferences, notifications
from tests.conftest import csrf_token
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student

EN = {"Accept-Language": "en"}
BASE = "https://exchange.example.ac.kr"


def _post_preferences(client, data: dict, headers=EN):
    token = csrf_token(client, "/notifications/email")
    return client.post("/notifications/email", data={"csrf_token": token, **data}, headers=headers)


def test_a_student_chooses_per_kind_and_the_choice_is_kept_and_honoured(app, client, auth):
    student = make_student()
    student.locale = "en"
    db.session.commit()
    auth.login(student.email)
    page = client.get("/notifications/email", headers=EN).get_data(as_text=True)
    assert "You received an offer" in page and "In the daily digest" in page
    assert "A new applicant" not in page  # a company manager's kind
    assert "always sent" in page

    response = _post_preferences(client, {"mode_offer_made": "digest", "mode_application_rejected": "off"})
    assert response.status_code == 302
    page = client.get("/notifications/email", headers=EN).get_data(as_text=True)
    assert "Your e-mail choices are saved." in page
    assert re.search(r'<option selected value="digest">In the daily digest', page)
    db.session.expire_all()
    assert email_preferences.preferences(student)["offer_made"] == "digest"
    assert email_preferences.preferences(student)["application_rejected"] == "off"

    notifications.notify(student, "offer_made", "/student/applications/1", company="C", opening="O")
    notifications.notify(student, "application_rejected", "/student/applications/2", opening="O", note="")
    db.session.commit()
    assert db.session.scalars(select(OutboxEmail)).all() == []
    assert notifications.unread_count(student) == 2  # both still in the app


def test_an_unknown_choice_is_refused_beside_its_field_and_the_other_choices_stay_as_typed(app, client, auth):
    student = make_student()
    auth.login(student.email)
    response = _post_preferences(client, {"mode_offer_made": "weekly", "mode_application_rejected": "off"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Not a valid choice" in page and 'aria-invalid="true"' in page
    assert re.search(r'<option selected value="off">Not by e-mail', page)  # what the user chose is kept
    db.session.expire_all()
    assert email_preferences.preferences(student)["application_rejected"] == "immediate"  # nothing half-saved


@pytest.mark.parametrize("role, shown, hidden", [
    ("company_manager", "A new applicant", "You received an offer"),
    ("exchange_manager", "A placement waits for approval", "A new applicant"),
    ("admin", "A new announcement on a forum board you read", "A new applicant"),  # the forum only
])
def test_each_role_sees_the_kinds_it_receives(app, client, auth, role, shown, hidden):
    user = {"company_manager": make_company_manager, "admin": make_admin,
            "exchange_manager": lambda: make_exchange_manager(make_group())}[role]()
    auth.login(user.email)
    page = client.get("/notifications/email", headers=EN).get_data(as_text=True)
    assert shown in page and hidden not in page


def test_the_preferences_page_reads_in_korean(app, client, auth):
    auth.login(make_student().email)
    page = client.get("/notifications/email", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "이메일 알림" in page and "일일 요약으로" in page and "합격 제안을 받음" in page
    assert "In the daily digest" not in page


def test_the_notifications_and_account_pages_link_to_the_preferences(app, client, auth):
    auth.login(make_student().email)
    for path in ("/notifications/", "/auth/password"):
        assert 'href="/notifications/email"' in client.get(path, headers=EN).get_data(as_text=True), path


def test_the_preferences_page_needs_a_signed_in_user_and_a_csrf_token(app, client, auth):
    assert client.get("/notifications/email").status_code == 302
    auth.login(make_student().email)
    assert client.post("/notifications/email", data={"mode_offer_made": "off"}).status_code == 400


# -- the admin's outbox -------------------------------------------------------------------------------------


def _confirmation_mail(app) -> OutboxEmail:
    app.config["PUBLIC_BASE_URL"] = BASE
    student = make_student(email="demo@snu.ac.kr")
    student.locale = "en"
    notifications.notify(student, "offer_made", "/student/applications/5", company="<b>Evil</b>", opening="O")
    db.session.commit()
    return db.session.scalars(select(OutboxEmail)).one()


def test_the_admin_reads_each_mail_with_clickable_absolute_links_when_no_smtp_is_configured(app, client, auth):
    mail = _confirmation_mail(app)
    auth.login(make_admin().email)
    outbox = client.get("/admin/mail/outbox", headers=EN).get_data(as_text=True)
    assert "demo@snu.ac.kr" in outbox and f'href="/admin/mail/{mail.id}"' in outbox and "Waiting" in outbox
    assert 'href="/admin/mail/outbox"' in client.get("/admin/mail", headers=EN).get_data(as_text=True)

    page = client.get(f"/admin/mail/{mail.id}", headers=EN).get_data(as_text=True)
    link = f"{BASE}/student/applications/5"
    assert f'<a href="{link}" rel="noopener noreferrer">{link}</a>' in page
    assert "&lt;b&gt;Evil&lt;/b&gt;" in page and "<b>Evil</b>" not in page  # the body is text, escaped
    assert client.get("/admin/mail/999999").status_code == 404


def test_with_a_mail_server_configured_the_admin_sees_the_envelope_but_not_the_body(app, client, auth):
    mail = _confirmation_mail(app)
    app.config["MAIL_SERVER"] = "smtp.example.ac.kr"
    auth.login(make_admin().email)
    page = client.get(f"/admin/mail/{mail.id}", headers=EN).get_data(as_text=True)
    assert "demo@snu.ac.kr" in page and "Mail bodies are hidden" in page
    assert f"{BASE}/student/applications/5" not in page


def test_no_other_role_opens_the_outbox_pages(app, client, auth):
    mail = _confirmation_mail(app)
    group = make_group()
    for user in (make_student(group), make_company_manager(), make_exchange_manager(group)):
        auth.login(user.email)
        for path in ("/admin/mail/outbox", f"/admin/mail/{mail.id}"):
            assert client.get(path).status_code == 403, (user.role, path)
        auth.logout()
    for path in ("/admin/mail/outbox", f"/admin/mail/{mail.id}"):
        assert client.get(path).status_code == 302  # anonymous: sign in first
