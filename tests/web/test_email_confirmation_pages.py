"""E-mail confirmation through the pages: register → mail in the outbox → link → confirmed → apply; the banner,
resending, and links that cannot be used (a clear page, never a 500)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import User
from marketplace.models.notifications import OutboxEmail
from tests.conftest import csrf_token
from tests.factories import make_group, make_student
from tests.factories_companies import make_opening

EN = {"Accept-Language": "en"}
LINK = re.compile(r"https?://[^\s]+(/auth/[a-z-]+/[A-Za-z0-9_-]+)")


def mail_link(email: str, path: str) -> str:
    """The site path of the newest link to `path` mailed to `email`, as the reader's mail client shows it."""
    mails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == email)
                               .order_by(OutboxEmail.id.desc())).all()
    for mail in mails:
        for match in LINK.finditer(mail.body):
            if match.group(1).startswith(path):
                return match.group(1)
    raise AssertionError(f"no {path} link mailed to {email}")


def register_student(client, email="kim@pusan.ac.kr", group=None):
    """Register through the form, then sign in (a registration ends on "check your e-mail", signed out)."""
    group = group or make_group("PNU")
    response = client.post("/auth/register/student", data={
        "csrf_token": csrf_token(client, "/auth/register/student"), "display_name": "Kim Student", "email": email,
        "password": "Medical-AI-2026", "confirm": "Medical-AI-2026", "group_id": str(group.id),
        "major": "Medicine", "degree_level": "master", "year": "2", "track_id": "",
    }, headers=EN)
    if response.status_code == 302:
        client.post("/auth/login", data={"csrf_token": csrf_token(client, "/auth/login"), "email": email,
                                         "password": "Medical-AI-2026"})
    return response


def test_a_new_student_confirms_through_the_mailed_link_then_applies(app, client):
    app.config["PUBLIC_BASE_URL"] = "https://exchange.example.ac.kr"
    opening = make_opening()
    assert register_student(client).status_code == 302
    home = client.get("/student/profile", headers=EN).get_data(as_text=True)
    assert "Please confirm your e-mail address kim@pusan.ac.kr" in home
    apply_page = client.get(f"/openings/{opening.id}/apply", headers=EN).get_data(as_text=True)
    assert "Confirm your e-mail address before applying" in apply_page

    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "kim@pusan.ac.kr")).one()
    assert "https://exchange.example.ac.kr/auth/confirm-email/" in mail.body
    link = mail_link("kim@pusan.ac.kr", "/auth/confirm-email/")
    page = client.get(link, headers=EN)
    assert page.status_code == 200 and "Confirm my e-mail address" in page.get_data(as_text=True)
    assert db.session.scalars(select(User).filter_by(email="kim@pusan.ac.kr")).one().email_confirmed_at is None

    done = client.post(link, data={"csrf_token": csrf_token(client, link)}, headers=EN, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "your e-mail address is confirmed" in html and "Please confirm your e-mail address" not in html
    assert db.session.scalars(select(User).filter_by(email="kim@pusan.ac.kr")).one().email_confirmed_at
    apply_page = client.get(f"/openings/{opening.id}/apply", headers=EN).get_data(as_text=True)
    assert "Confirm your e-mail address before applying" not in apply_page

    again = client.post(link, data={"csrf_token": csrf_token(client, "/")}, headers=EN)
    assert again.status_code in (400, 409) and "already used" in again.get_data(as_text=True)


def test_the_link_works_without_being_signed_in(client):
    register_student(client)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    link = mail_link("kim@pusan.ac.kr", "/auth/confirm-email/")
    done = client.post(link, data={"csrf_token": csrf_token(client, link)}, headers=EN)
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/login")
    assert db.session.scalars(select(User).filter_by(email="kim@pusan.ac.kr")).one().email_confirmed_at


@pytest.mark.parametrize("token", ["forged", "A" * 43, "x" * 300])
def test_a_forged_link_gets_a_clear_page(client, token):
    page = client.get(f"/auth/confirm-email/{token}", headers=EN)
    assert page.status_code == 400 and "This link is not valid" in page.get_data(as_text=True)
    posted = client.post(f"/auth/confirm-email/{token}", data={"csrf_token": csrf_token(client, "/")}, headers=EN)
    assert posted.status_code == 400 and "This link is not valid" in posted.get_data(as_text=True)


def test_the_banner_sends_a_new_link_and_the_old_one_stops(client, auth):
    student = make_student(confirmed=False)
    first = mail_link(student.email, "/auth/confirm-email/")
    auth.login(student.email)
    sent = auth.post("/auth/confirm-email/resend", {"next": "/student/profile"}, headers=EN)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/student/profile")
    assert "We sent a new confirmation link" in client.get("/student/profile", headers=EN).get_data(as_text=True)
    second = mail_link(student.email, "/auth/confirm-email/")
    assert second != first
    assert "already used" in client.get(first, headers=EN).get_data(as_text=True)
    assert client.get(second, headers=EN).status_code == 200


def test_the_banner_is_in_korean(client, auth):
    student = make_student(confirmed=False)
    auth.login(student.email)
    html = client.get("/student/profile", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "이메일 주소" in html and "링크 다시 보내기" in html


def test_confirmed_accounts_see_no_banner(client, auth):
    student = make_student()
    auth.login(student.email)
    assert "Send the link again" not in client.get("/student/profile", headers=EN).get_data(as_text=True)


def test_resending_needs_a_signed_in_account_and_a_csrf_token(client, auth):
    assert client.post("/auth/confirm-email/resend").status_code in (302, 400, 401)
    student = make_student(confirmed=False)
    auth.login(student.email)
    assert client.post("/auth/confirm-email/resend", data={}).status_code == 400


def test_an_unconfirmed_company_manager_is_told_before_registering_a_company(client, auth):
    from tests.factories import make_company_manager

    manager = make_company_manager(confirmed=False)
    auth.login(manager.email)
    response = auth.post("/company/new", {"name": "Unconfirmed Co", "business_number": "621-81-03574",
                                          "sector": "digital_health", "size": "10-49"},
                         form_page="/company/new", headers=EN)
    assert response.status_code == 400
    assert "Confirm your e-mail address before registering a company" in response.get_data(as_text=True)
