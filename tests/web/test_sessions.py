"""Remember-me has one rule (14 days from the password, never past sign-out, password change or
deactivation), and admin and exchange-manager areas need a password entered within the idle limit."""
from __future__ import annotations

import re
import time
from datetime import timedelta

from flask_login.utils import encode_cookie

from marketplace.extensions import db
from marketplace.models import User
from marketplace.services import accounts
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_admin, make_company_manager, make_exchange_manager, make_group, make_student

DAY = 86400


def _sign_in_remembered(client, email: str):
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": email, "password": PASSWORD,
                                                "remember": "y"})
    assert response.status_code == 302
    return client.get_cookie("remember_token").value


def _device_with_cookie(app, value: str):
    device = app.test_client()
    device.set_cookie("remember_token", value)
    return device


def _forged_remember_cookie(user: User, days_ago: float) -> str:
    """What a remember-me cookie issued `days_ago` looks like (signed with the app's key)."""
    return encode_cookie(f"{user.session_token}.{int(time.time() - days_ago * DAY)}")


def test_remember_me_brings_the_user_back_after_the_idle_limit(client, auth):
    make_company_manager("back@company.co.kr")
    _sign_in_remembered(client, "back@company.co.kr")
    assert client.get("/auth/password").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= timedelta(hours=2).total_seconds()
    assert client.get("/auth/password").status_code == 302  # the idle session ended ...
    assert client.get("/auth/password").status_code == 200  # ... and the device came back by its cookie


def test_remember_me_lasts_fourteen_days_from_the_password_and_no_longer(app):
    user = make_company_manager("fortnight@company.co.kr")
    assert _device_with_cookie(app, _forged_remember_cookie(user, 13.9)).get("/auth/password").status_code == 200
    assert _device_with_cookie(app, _forged_remember_cookie(user, 14.1)).get("/auth/password").status_code == 302


def test_remember_me_cookie_carries_its_sign_in_time(app, client):
    user = make_company_manager("stamp@company.co.kr")
    cookie = _sign_in_remembered(client, "stamp@company.co.kr")
    token, issued = cookie.split("|")[0].split(".")
    assert token == db.session.get(User, user.id).session_token
    assert abs(int(issued) - time.time()) < 60


def test_remember_me_dies_with_deactivation(app, client):
    user = make_student(make_group("PNU"), email="gone@pusan.ac.kr")
    cookie = _sign_in_remembered(client, "gone@pusan.ac.kr")
    accounts.set_active(make_admin(), db.session.merge(user), False)
    db.session.commit()
    assert _device_with_cookie(app, cookie).get("/student/profile").status_code == 302


def test_admin_back_by_remember_me_must_enter_the_password_and_returns_to_the_page(app, client):
    admin = make_admin("office@office.go.kr")
    cookie = _sign_in_remembered(client, admin.email)
    device = _device_with_cookie(app, cookie)
    response = device.get("/admin/users?q=kim")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/confirm?next=/admin/users?q%3Dkim"
    page = device.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'type="password"' in page and "Confirm your password" in page

    token = csrf_token(device, "/auth/confirm")
    wrong = device.post("/auth/confirm", data={"csrf_token": token, "password": "Wrong-Pass-123",
                                               "next": "/admin/users?q=kim"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 400
    assert re.search(r'id="password-error">The password is not correct', wrong.get_data(as_text=True))
    right = device.post("/auth/confirm", data={"csrf_token": token, "password": PASSWORD,
                                               "next": "/admin/users?q=kim"})
    assert right.headers["Location"] == "/admin/users?q=kim"
    assert device.get("/admin/users?q=kim").status_code == 200


def test_exchange_manager_exports_need_a_password_younger_than_the_idle_limit(app, client, auth):
    manager = make_exchange_manager()
    auth.login(manager.email)
    assert client.get("/manager/exports").status_code == 200
    with client.session_transaction() as session:
        session["password_at"] -= timedelta(minutes=61).total_seconds()  # active all along, password old
    response = client.get("/manager/exports")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/confirm?next=")


def test_stale_admin_action_asks_for_the_password_and_then_does_exactly_that_action(app, client, auth):
    student = make_student(make_group("PNU"), email="leaving@pusan.ac.kr")
    admin = make_admin()
    auth.login(admin.email)
    token = csrf_token(client, "/admin/users")
    with client.session_transaction() as session:
        session["password_at"] -= timedelta(hours=2).total_seconds()
    action = f"/admin/users/{student.id}/active"
    prompt = client.post(action, data={"csrf_token": token, "active": "0"}, headers={"Accept-Language": "en"})
    assert prompt.status_code == 401
    html = prompt.get_data(as_text=True)
    assert f'action="{action}"' in html and 'name="active" value="0"' in html
    assert db.session.get(User, student.id).active is True  # nothing happened silently

    wrong = client.post(action, data={"csrf_token": token, "active": "0", "reauth_password": "Wrong-Pass-123"})
    assert wrong.status_code == 400 and db.session.get(User, student.id).active is True
    done = client.post(action, data={"csrf_token": token, "active": "0", "reauth_password": PASSWORD})
    assert done.status_code == 302
    assert db.session.get(User, student.id).active is False


def test_students_and_companies_back_by_remember_me_are_not_asked_for_the_password(app, client):
    make_company_manager("firm@company.co.kr")
    cookie = _sign_in_remembered(client, "firm@company.co.kr")
    assert _device_with_cookie(app, cookie).get("/company/").status_code in (200, 302)
    assert "/auth/confirm" not in (_device_with_cookie(app, cookie).get("/company/").headers.get("Location") or "")


def test_a_request_that_changes_nothing_sends_no_cookie_so_a_late_one_cannot_bring_a_message_back(app, client, auth):
    """A form's redirect carries its message in the session cookie; a background request sent with that cookie (a
    skill suggestion fetched while the field was typed) may answer after the next page has shown the message. It
    must not hand the old cookie back, or the message shows again on the page after."""
    make_student(make_group("PNU"), email="late@pusan.ac.kr")
    auth.login("late@pusan.ac.kr")
    client.get("/student/profile")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your profile was saved.")]  # what the profile form's redirect set
    name = app.config["SESSION_COOKIE_NAME"]
    late = app.test_client()  # the in-flight fetch: the same browser's cookie, as it was at the redirect
    late.set_cookie(name, client.get_cookie(name).value)
    assert "Your profile was saved." in client.get("/student/profile").get_data(as_text=True)

    suggestion = late.get("/api/skills?q=PyT", headers={"Accept": "application/json"})
    assert suggestion.status_code == 200
    assert f"{name}=" not in suggestion.headers.get("Set-Cookie", "")

    with client.session_transaction() as session:
        session["last_seen"] -= 120  # a minute later the session is written again: once, then not again
    assert f"{name}=" in client.get("/student/profile").headers.get("Set-Cookie", "")
    assert f"{name}=" not in client.get("/student/profile").headers.get("Set-Cookie", "")
