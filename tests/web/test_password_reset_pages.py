"""Forgot password, invitations and temporary passwords through the pages, links read back from the outbox."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Role, User
from marketplace.models.notifications import OutboxEmail
from marketplace.services import accounts, companies
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_admin, make_company_manager, make_group, make_student
from tests.factories_companies import make_company
from tests.web.test_email_confirmation_pages import mail_link

EN = {"Accept-Language": "en"}
CSRF_VALUE = re.compile(r'name="csrf_token"[^>]*value="[^"]+"')
NEW = "Brand-New-Secret-31"


def forgot(client, email: str):
    return client.post("/auth/forgot", data={"csrf_token": csrf_token(client, "/auth/forgot"), "email": email},
                       headers=EN, follow_redirects=True)


def set_password(client, link: str, password: str = NEW, confirm: str | None = None):
    return client.post(link, data={"csrf_token": csrf_token(client, link), "new_password": password,
                                   "confirm": password if confirm is None else confirm}, headers=EN)


def test_the_sign_in_page_links_to_forgot_password_and_keeps_its_fields(client):
    html = client.get("/auth/login", headers=EN).get_data(as_text=True)
    assert 'href="/auth/forgot"' in html and "Forgot your password?" in html
    assert re.search(r'<label[^>]*for="email"[^>]*>Email</label>', html)
    assert re.search(r'<label[^>]*for="password"[^>]*>Password</label>', html)


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client):
    make_student(email="known@pusan.ac.kr")
    known, unknown = forgot(client, "KNOWN@pusan.ac.kr"), forgot(client, "unknown@pusan.ac.kr")
    assert known.status_code == unknown.status_code == 200
    assert known.request.path == unknown.request.path == "/auth/login"
    text = "If an account uses this address, we sent it a link"
    assert text in known.get_data(as_text=True) and text in unknown.get_data(as_text=True)
    assert CSRF_VALUE.sub("", known.get_data(as_text=True)) == CSRF_VALUE.sub("", unknown.get_data(as_text=True))
    assert [m.to_address for m in db.session.scalars(select(OutboxEmail))] == ["known@pusan.ac.kr"]


def test_forgot_password_with_a_malformed_address_says_so_beside_the_field(client):
    response = client.post("/auth/forgot", data={"csrf_token": csrf_token(client, "/auth/forgot"),
                                                 "email": "not an address"}, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter a valid e-mail address" in html and 'value="not an address"' in html


def test_resetting_through_the_mailed_link_ends_every_other_session(app, client):
    student = make_student(email="reset.me@pusan.ac.kr")
    laptop = app.test_client()
    AuthActions(laptop).login(student.email)
    assert laptop.get("/student/profile").status_code == 200

    forgot(client, student.email)
    link = mail_link(student.email, "/auth/reset/")
    form = client.get(link, headers=EN)
    assert form.status_code == 200 and "Choose a new password" in form.get_data(as_text=True)
    done = set_password(client, link)
    assert done.status_code == 302
    assert client.get("/student/profile").status_code == 200  # this browser is signed in with the new password
    gone = laptop.get("/student/profile")
    assert gone.status_code == 302 and "/auth/login" in gone.headers["Location"]
    assert accounts.authenticate(student.email, NEW) is not None

    again = client.get(link, headers=EN)
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)


def test_a_refused_new_password_is_shown_beside_the_field_and_the_link_still_works(client):
    student = make_student()
    forgot(client, student.email)
    link = mail_link(student.email, "/auth/reset/")
    short = set_password(client, link, "short")
    assert short.status_code == 400 and "at least 8" in short.get_data(as_text=True)
    mismatch = set_password(client, link, NEW, "Something-Else-1")
    assert mismatch.status_code == 400 and "do not match" in mismatch.get_data(as_text=True)
    assert set_password(client, link).status_code == 302


@pytest.mark.parametrize("path", ["/auth/reset/forged-token", "/auth/invitation/forged-token",
                                  "/auth/reset/" + "x" * 500])
def test_forged_links_get_a_clear_page_and_no_form(client, path):
    page = client.get(path, headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "This link is not valid" in html and 'name="new_password"' not in html
    posted = set_password(client, path)
    assert posted.status_code == 400 and "This link is not valid" in posted.get_data(as_text=True)


def test_a_confirmation_link_opened_as_a_reset_link_is_refused(client):
    student = make_student(confirmed=False)
    token = mail_link(student.email, "/auth/confirm-email/").rsplit("/", 1)[1]
    page = client.get(f"/auth/reset/{token}", headers=EN)
    assert page.status_code == 400 and "another purpose" in page.get_data(as_text=True)


def test_the_admin_invites_an_exchange_manager_who_chooses_a_password(app, client, auth):
    admin, group = make_admin(), make_group("SNU")
    auth.login(admin.email)
    response = auth.post("/admin/designations/new", {
        "email": "Invited.Manager@SNU.ac.kr", "display_name": "Invited Lee", "initial_password": "",
        "tenure_years": "14", "group_ids": [str(group.id)]}, form_page="/admin/designations/new", headers=EN)
    assert response.status_code == 302
    assert "An invitation to choose a password was sent to invited.manager@snu.ac.kr" in \
        client.get("/admin/designations", headers=EN).get_data(as_text=True)

    invitee = app.test_client()
    link = mail_link("invited.manager@snu.ac.kr", "/auth/invitation/")
    assert "Accept your invitation" in invitee.get(link, headers=EN).get_data(as_text=True)
    done = set_password(invitee, link)
    assert done.status_code == 302 and done.headers["Location"].endswith("/manager/")
    assert invitee.get("/manager/").status_code == 200
    user = db.session.scalars(select(User).filter_by(email="invited.manager@snu.ac.kr")).one()
    assert user.email_confirmed_at is not None


def test_a_company_manager_invites_a_colleague_by_email(app, client, auth):
    company = make_company()
    inviter = companies.active_managers(company)[0]
    auth.login(inviter.email)
    assert "Invite a colleague by e-mail" in client.get("/company/", headers=EN).get_data(as_text=True)
    sent = auth.post("/company/colleagues/invite", {"email": "Colleague@Company.CO.KR", "display_name": "Choi"},
                     form_page="/company/colleagues/invite", headers=EN)
    assert sent.status_code == 302
    assert "An invitation is on its way to colleague@company.co.kr" in \
        client.get("/company/", headers=EN).get_data(as_text=True)

    colleague = app.test_client()
    done = set_password(colleague, mail_link("colleague@company.co.kr", "/auth/invitation/"))
    assert done.status_code == 302
    assert company.name in colleague.get("/company/", headers=EN).get_data(as_text=True)


def test_inviting_answers_the_same_whether_or_not_the_address_has_an_account(client, auth):
    company = make_company()
    make_company_manager("has.account@other.co.kr")
    auth.login(companies.active_managers(company)[0].email)
    pages = []
    for email in ("has.account@other.co.kr", "no.account@other.co.kr"):
        response = auth.post("/company/colleagues/invite", {"email": email, "display_name": "Someone"},
                             form_page="/company/colleagues/invite", headers=EN, follow_redirects=True)
        pages.append(CSRF_VALUE.sub("", response.get_data(as_text=True).replace(email, "ADDRESS")))
    assert pages[0] == pages[1]


def test_the_invitation_page_is_for_company_managers_with_a_company(client, auth):
    assert client.get("/company/colleagues/invite").status_code == 302  # to sign in
    auth.login(make_student().email)
    assert client.get("/company/colleagues/invite").status_code == 403
    auth.logout()
    auth.login(make_company_manager().email)
    lonely = client.get("/company/colleagues/invite")
    assert lonely.status_code == 302 and lonely.headers["Location"].endswith("/company/")


def test_a_bad_invitation_keeps_what_was_typed(client, auth):
    auth.login(companies.active_managers(make_company())[0].email)
    response = auth.post("/company/colleagues/invite", {"email": "not-an-address", "display_name": "Kept Name"},
                         form_page="/company/colleagues/invite", headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter a valid e-mail address" in html and 'value="Kept Name"' in html


def test_an_account_with_a_temporary_password_must_change_it_first(client, auth):
    admin, group = make_admin(), make_group("SNU")
    auth.login(admin.email)
    auth.post("/admin/designations/new", {
        "email": "temporary.kim@snu.ac.kr", "display_name": "Kim", "initial_password": "Handed-Over-2026",
        "tenure_years": "14", "group_ids": [str(group.id)]}, form_page="/admin/designations/new")
    auth.logout()
    signed_in = auth.login("temporary.kim@snu.ac.kr", "Handed-Over-2026")
    assert signed_in.status_code == 302
    for path in ("/manager/", "/", "/notifications/", "/openings"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/auth/password"), path
    page = client.get("/auth/password", headers=EN).get_data(as_text=True)
    assert "created with a temporary password" in page
    changed = auth.post("/auth/password", {"current_password": "Handed-Over-2026", "new_password": NEW,
                                           "confirm": NEW}, form_page="/auth/password")
    assert changed.status_code == 302
    assert client.get("/manager/").status_code == 200
    assert auth.logout().status_code == 302


def test_sign_out_works_with_a_temporary_password(client, auth):
    accounts.create_user("temp.admin@office.go.kr", "Handed-Over-2026", "Temp Admin", Role.ADMIN)
    db.session.commit()
    auth.login("temp.admin@office.go.kr", "Handed-Over-2026")
    token = csrf_token(client, "/auth/password")
    out = client.post("/auth/logout", data={"csrf_token": token})
    assert out.status_code == 302 and not out.headers["Location"].endswith("/auth/password")
    assert client.get("/admin/").status_code == 302 and "/auth/login" in client.get("/admin/").headers["Location"]
