"""Sign-in, registration, sign-out and password change through the real pages."""
import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import User
from marketplace.models.notifications import OutboxEmail
from tests.conftest import HOUR, csrf_token, within_one_window
from tests.factories import PASSWORD, make_company_manager, make_group, make_student


def test_login_page_has_fields_labelled_email_and_password_in_english(client):
    html = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<label[^>]*for="email"[^>]*>Email</label>', html)
    assert re.search(r'<label[^>]*for="password"[^>]*>Password</label>', html)


def test_login_page_is_korean_by_default_and_labels_still_name_email_and_password(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="ko"' in html
    assert re.search(r'<label[^>]*for="email"[^>]*>[^<]*이메일[^<]*Email[^<]*</label>', html)
    assert re.search(r'<label[^>]*for="password"[^>]*>[^<]*비밀번호[^<]*Password[^<]*</label>', html)


def test_sign_in_errors_say_the_same_for_unknown_email_and_wrong_password(client, auth):
    make_company_manager("kim@company.co.kr")
    unknown = auth.login("nobody@company.co.kr", "Wrong-Pass-123").get_data(as_text=True)
    wrong = auth.login("kim@company.co.kr", "Wrong-Pass-123").get_data(as_text=True)

    def message(html):
        return re.search(r'id="password-error">([^<]+)<', html).group(1)

    assert message(unknown) == message(wrong)
    assert 'value="nobody@company.co.kr"' in unknown  # what was typed is kept


def _register_student(client, group, email="kim@pusan.ac.kr", password="Medical-AI-2026"):
    return client.post("/auth/register/student", data={
        "csrf_token": csrf_token(client, "/auth/register/student"), "display_name": "Kim Student", "email": email,
        "password": password, "confirm": password, "group_id": str(group.id), "major": "Nursing",
        "degree_level": "bachelor", "year": "2", "track_id": "",
    }, headers={"Accept-Language": "en"})


def test_student_registers_then_is_asked_to_check_their_mail_and_sign_in(client, auth):
    group = make_group("PNU")
    response = _register_student(client, group)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/register/student/sent")
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Check your e-mail" in page and "Kim Student" not in page  # nobody is signed in by a registration
    user = db.session.query(User).filter_by(email="kim@pusan.ac.kr").one()
    assert user.student_profile.major == "Nursing"
    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "kim@pusan.ac.kr")).one()
    assert "/auth/confirm-email/" in mail.body
    assert auth.login("kim@pusan.ac.kr", "Medical-AI-2026").status_code == 302
    assert "Kim Student" in client.get("/").get_data(as_text=True)


def test_registering_an_address_that_has_an_account_answers_the_same_and_mails_its_owner(client):
    group = make_group("PNU")
    owner = make_student(email="taken@pusan.ac.kr", group=group)
    owner_hash = owner.password_hash
    new = _register_student(client, group, email="fresh@pusan.ac.kr")
    taken = _register_student(client, group, email="TAKEN@pusan.ac.kr", password="Another-Pass-2027")
    assert (new.status_code, new.headers["Location"]) == (taken.status_code, taken.headers["Location"])
    after_new = client.get(new.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    after_taken = client.get(taken.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert after_new == after_taken and "already exists" not in after_taken
    db.session.expire_all()
    assert db.session.query(User).filter(User.email.ilike("taken@pusan.ac.kr")).count() == 1
    assert db.session.get(User, owner.id).password_hash == owner_hash  # nothing about the account changed
    notice = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "taken@pusan.ac.kr")).one()
    assert "/auth/login" in notice.body and "/auth/forgot" in notice.body
    assert "/auth/confirm-email/" not in notice.body


def test_the_owners_notice_is_limited_and_the_limit_is_never_shown(app, client):
    app.config["CONFIRMATION_RATE_LIMIT"] = "2 per hour"
    group = make_group("PNU")
    make_student(email="taken@pusan.ac.kr", group=group)
    answers = {_register_student(client, group, email="taken@pusan.ac.kr").status_code for _ in range(4)}
    assert answers == {302}
    sent = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "taken@pusan.ac.kr")).all()
    assert len(sent) == 2


def test_new_student_is_led_to_the_profile_then_to_recommendations(client, auth):
    group = make_group("PNU")
    response = _register_student(client, group)
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    login_url = re.search(r'href="(/auth/login\?next=[^"]+)"', page).group(1).replace("&amp;", "&")
    signed_in = client.post(login_url, data={"csrf_token": csrf_token(client, login_url), "email": "kim@pusan.ac.kr",
                                             "password": "Medical-AI-2026", "next": "/student/profile?welcome=1"})
    assert signed_in.headers["Location"].endswith("/student/profile?welcome=1")
    html = client.get("/student/profile?welcome=1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "your recommended openings come next" in html and 'action="/student/profile?welcome=1"' in html
    saved = auth.post("/student/profile?welcome=1", {
        "major": "Nursing", "degree_level": "bachelor", "year": "2", "hours_per_week": "20",
        "skills-0-name": "Python", "skills-0-level": "3",
    }, form_page="/student/profile?welcome=1")
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/student/recommendations")
    later = auth.post("/student/profile", {"major": "Nursing", "degree_level": "bachelor", "year": "2",
                                           "hours_per_week": "20"}, form_page="/student/profile")
    assert later.status_code == 302 and later.headers["Location"].endswith("/student/profile")


def test_new_company_manager_is_led_to_company_creation_after_signing_in(client, auth):
    response = client.post("/auth/register/company", data={
        "csrf_token": csrf_token(client, "/auth/register/company"), "display_name": "Park Manager",
        "email": "park@company.co.kr", "password": "Medical-AI-2026", "confirm": "Medical-AI-2026"},
        headers={"Accept-Language": "en"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/register/company/sent")
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "next=/company/new" in page.replace("%2F", "/")
    assert client.get("/auth/register/nobody/sent").status_code == 404


@pytest.mark.parametrize("overrides, field, fragment", [
    ({"password": "short", "confirm": "short"}, "password", "8"),
    ({"password": "password123", "confirm": "password123"}, "password", "common"),
    ({"group_id": "99999"}, "group_id", "project group"),
    ({"group_id": "not-a-number"}, "group_id", "project group"),
    ({"degree_level": "emperor"}, "degree_level", "degree"),
    ({"email": "not-an-email"}, "email", "valid"),
    ({"confirm": "something-else-1"}, "confirm", "match"),
    ({"email": "\u0455tudent@pusan.ac.kr"}, "email", "Latin letters"),
])
def test_bad_registration_input_shows_message_by_the_field_and_keeps_what_was_typed(client, overrides, field, fragment):
    group = make_group("PNU")
    data = {"display_name": "Lee Typed", "email": "lee@pusan.ac.kr", "password": "Medical-AI-2026",
            "confirm": "Medical-AI-2026", "group_id": str(group.id), "major": "Radiology Typed",
            "degree_level": "master", "year": "1", "track_id": ""}
    data.update(overrides)
    data["csrf_token"] = csrf_token(client, "/auth/register/student")
    response = client.post("/auth/register/student", data=data, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'id="{field}-error">([^<]+)<', html)
    assert error and fragment.lower() in error.group(1).lower()
    assert 'value="Lee Typed"' in html and 'value="Radiology Typed"' in html
    assert db.session.query(User).count() == 0


def test_duplicate_email_on_company_registration_is_not_revealed(client):
    make_company_manager("dup@company.co.kr")
    token = csrf_token(client, "/auth/register/company")
    response = client.post("/auth/register/company", data={
        "csrf_token": token, "display_name": "Dup", "email": "DUP@company.co.kr",
        "password": "Medical-AI-2026", "confirm": "Medical-AI-2026"}, headers={"Accept-Language": "en"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/register/company/sent")
    assert db.session.query(User).filter(User.email.ilike("dup@company.co.kr")).count() == 1


def test_tampered_form_without_csrf_token_is_refused_without_500(client):
    response = client.post("/auth/register/company", data={"display_name": "X", "email": "x@y.kr"})
    assert response.status_code == 400


def test_sign_out_invalidates_a_copied_session_cookie(app, client, auth):
    user = make_company_manager("copy@company.co.kr")
    auth.login("copy@company.co.kr")
    stolen = client.get_cookie("session").value
    assert client.get("/auth/password").status_code == 200
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/auth/password")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert user.session_token  # rotated, still present


def test_remember_me_cookie_dies_with_password_change(app, client, auth):
    make_company_manager("remember@company.co.kr")
    token = csrf_token(client, "/auth/login")
    client.post("/auth/login", data={"csrf_token": token, "email": "remember@company.co.kr",
                                     "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token").value
    other_device = app.test_client()
    other_device.set_cookie("remember_token", remember)
    assert other_device.get("/auth/password").status_code == 200
    token = csrf_token(client, "/auth/password")
    response = client.post("/auth/password", data={"csrf_token": token, "current_password": PASSWORD,
                                                   "new_password": "Brand-New-Pass-77", "confirm": "Brand-New-Pass-77"})
    assert response.status_code == 302
    stale = app.test_client()
    stale.set_cookie("remember_token", remember)
    assert stale.get("/auth/password").status_code == 302
    assert client.get("/auth/password").status_code == 200  # the device that changed it stays in


def test_password_change_with_wrong_current_password_says_so_beside_the_field(client, auth):
    make_company_manager("pw@company.co.kr")
    auth.login("pw@company.co.kr")
    token = csrf_token(client, "/auth/password")
    response = client.post("/auth/password", data={"csrf_token": token, "current_password": "nope-nope-1",
                                                   "new_password": "Brand-New-Pass-77", "confirm": "Brand-New-Pass-77"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert re.search(r'id="current_password-error">[^<]*not correct', response.get_data(as_text=True))


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)",
    "\t//evil.example", "/\t/evil.example", " //evil.example", "http:/evil.example",
])
def test_next_after_sign_in_never_leaves_the_site(client, target):
    make_company_manager("next@company.co.kr")
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": "next@company.co.kr",
                                                "password": PASSWORD, "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_next_after_sign_in_keeps_a_local_path(client):
    make_company_manager("local@company.co.kr")
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": "local@company.co.kr",
                                                "password": PASSWORD, "next": "/auth/password"})
    assert response.headers["Location"] == "/auth/password"


def test_ten_failed_sign_ins_for_one_account_give_429_and_others_are_unaffected(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "10 per hour"  # counted as per minute, without waiting for a fresh minute
    within_one_window(25, HOUR)
    make_company_manager("victim@company.co.kr")
    make_company_manager("other@company.co.kr")
    for _ in range(10):
        token = csrf_token(client, "/auth/login")
        assert client.post("/auth/login", data={"csrf_token": token, "email": "victim@company.co.kr",
                                                "password": "Wrong-Pass-123"}).status_code == 400
    token = csrf_token(client, "/auth/login")
    blocked = client.post("/auth/login", data={"csrf_token": token, "email": "victim@company.co.kr",
                                               "password": PASSWORD}, headers={"Accept-Language": "en"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    token = csrf_token(other, "/auth/login")
    assert other.post("/auth/login", data={"csrf_token": token, "email": "other@company.co.kr",
                                           "password": PASSWORD}).status_code == 302


def test_language_switch_is_remembered_for_the_signed_in_user(client, auth):
    user = make_company_manager("lang@company.co.kr")
    auth.login("lang@company.co.kr")
    auth.post("/language", {"locale": "en", "next": "/"})
    assert user.locale == "en"
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)


def test_accept_language_picks_english_for_anonymous_visitors(client):
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="ko"' in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_ten_failed_sign_ins_from_one_address_give_429_even_for_different_accounts(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "10 per hour"
    within_one_window(25, HOUR)
    for i in range(10):
        token = csrf_token(client, "/auth/login")
        client.post("/auth/login", data={"csrf_token": token, "email": f"guess{i}@company.co.kr",
                                         "password": "Wrong-Pass-123"})
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": "another@company.co.kr",
                                                "password": "Wrong-Pass-123"})
    assert response.status_code == 429


def test_idle_session_expires(app, client, auth):
    from datetime import timedelta

    make_company_manager("idle@company.co.kr")
    auth.login("idle@company.co.kr")
    assert client.get("/auth/password").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= timedelta(hours=2).total_seconds()
    response = client.get("/auth/password")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_absolute_session_lifetime_is_enforced(app, client, auth):
    from datetime import timedelta

    make_company_manager("long@company.co.kr")
    auth.login("long@company.co.kr")
    client.get("/auth/password")
    with client.session_transaction() as session:
        session["signed_in_at"] -= timedelta(hours=9).total_seconds()
    assert client.get("/auth/password").status_code == 302


def test_deactivated_account_loses_its_open_session(app, client, auth):
    from marketplace.services import accounts

    user = make_company_manager("deact@company.co.kr")
    auth.login("deact@company.co.kr")
    assert client.get("/auth/password").status_code == 200
    from tests.factories import make_admin

    accounts.set_active(make_admin(), db.session.merge(user), False)
    db.session.commit()
    assert client.get("/auth/password").status_code == 302


def test_blank_looking_name_is_refused_beside_the_name_and_the_rest_is_kept(client):
    token = csrf_token(client, "/auth/register/company")
    response = client.post("/auth/register/company", data={
        "csrf_token": token, "display_name": "\u3164\u200b", "email": "kept@company.co.kr",
        "password": "Medical-AI-2026", "confirm": "Medical-AI-2026"}, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="display_name-error">[^<]*(visible|invisible)', html)
    assert 'value="kept@company.co.kr"' in html
    assert db.session.query(User).count() == 0


def test_fullwidth_spelling_of_a_registered_address_signs_in_to_that_account(client, auth):
    make_company_manager("wide@company.co.kr")
    assert auth.login("ｗｉｄｅ@company.co.kr").status_code == 302


def test_registration_attempts_from_one_address_are_limited_with_retry_after(app, client):
    app.config["REGISTRATION_RATE_LIMIT"] = "2 per hour"
    make_company_manager("exists@company.co.kr")

    def register(email):
        token = csrf_token(client, "/auth/register/company")
        return client.post("/auth/register/company", data={
            "csrf_token": token, "display_name": "Probe", "email": email,
            "password": "Medical-AI-2026", "confirm": "Medical-AI-2026"}, headers={"Accept-Language": "en"})

    assert register("exists@company.co.kr").status_code == 302
    assert register("new@company.co.kr").status_code == 302
    refused = register("other@company.co.kr")
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 3600


def test_eleventh_wrong_current_password_gets_429(app, client, auth):
    app.config["LOGIN_RATE_LIMIT"] = "10 per hour"
    within_one_window(25, HOUR)
    make_company_manager("guess@company.co.kr")
    auth.login("guess@company.co.kr")

    def change(current):
        return auth.post("/auth/password", {"current_password": current, "new_password": "New-Medical-2027",
                                            "confirm": "New-Medical-2027"}, form_page="/auth/password")

    for _ in range(10):
        assert change("Wrong-Pass-123").status_code == 400
    assert change(PASSWORD).status_code == 429
