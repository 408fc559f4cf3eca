"""Failed sign-ins, 403s and 429s are logged with user id, route and object id, and nothing personal."""
import logging

import pytest

from tests.conftest import HOUR, within_one_window
from tests.factories import make_admin, make_company_manager, make_student

SECURITY = "marketplace.app.security"


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger=SECURITY)
    return caplog


def _lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == SECURITY]


def test_failed_sign_in_is_logged_with_the_account_id_and_no_email(client, auth, security_log):
    user = make_company_manager("Hong.Gildong@company.co.kr")
    auth.login("hong.gildong@company.co.kr", "Wrong-password-1")
    auth.login("nobody-here@company.co.kr", "Wrong-password-1")
    lines = _lines(security_log)
    assert len(lines) == 2
    assert "event=sign_in_failed" in lines[0] and f"object={user.id}" in lines[0]
    assert "route=POST /auth/login" in lines[0] and "user=-" in lines[0]
    assert "object=unknown-account" in lines[1]
    text = "\n".join(r.getMessage() + str(r.args) for r in security_log.records)
    for personal in ("hong", "gildong", "company.co.kr", "nobody-here", "Wrong-password", user.display_name):
        assert personal.lower() not in text.lower()


def test_a_forbidden_page_is_logged_with_the_user_id_and_the_object_id(client, auth, security_log):
    student = make_student()
    make_admin()
    auth.login(student.email)
    response = client.get("/admin/designations/7/groups")
    assert response.status_code == 403
    lines = _lines(security_log)
    assert lines == [f"refused event=forbidden user={student.id} route=GET "
                     f"/admin/designations/<int:designation_id>/groups object=designation_id=7"]
    assert student.email not in lines[0] and student.display_name not in lines[0]


def test_a_rate_limited_sign_in_is_logged(app, client, auth, security_log):
    app.config["LOGIN_RATE_LIMIT"] = "2 per hour"
    within_one_window(10, HOUR)  # the three attempts in one fixed window
    make_company_manager("limited@company.co.kr")
    statuses = [auth.login("limited@company.co.kr", "Wrong-password-1").status_code for _ in range(3)]
    assert statuses[-1] == 429
    lines = _lines(security_log)
    assert any("event=rate_limited" in line and "route=POST /auth/login" in line for line in lines)
    assert not any("limited@" in line for line in lines)
