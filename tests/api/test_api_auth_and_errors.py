"""Tokens authenticate the API (cookies never do) and every error is application/problem+json."""
from __future__ import annotations

import re
import secrets

import pytest

from marketplace.app import create_app
from marketplace.extensions import db
from marketplace.models import ApiToken, Application
from marketplace.services import accounts, api_tokens
from tests.api.conftest import bearer, make_token
from tests.conftest import HOUR, IsolatedClient, within_one_window
from tests.factories import make_admin, make_exchange_manager, make_group
from tests.factories_applications import make_skilled_student
from tests.factories_companies import make_company, make_opening, manager_of

PROBLEM = "application/problem+json"
EN = {"Accept-Language": "en"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"].startswith("http") and "#problem-" in body["type"]
    return body


def test_tokens_are_stored_hashed_and_shown_once(app):
    student = make_skilled_student()
    new = api_tokens.create_token(student, "LMS", ["read:applications"])
    db.session.commit()
    stored = db.session.get(ApiToken, new.token.id)
    assert new.secret.startswith("mkt_") and len(new.secret) > 40
    assert new.secret not in (stored.digest, stored.prefix) and stored.digest == api_tokens.digest_of(new.secret)
    assert new.secret.startswith(stored.prefix)


def test_unknown_malformed_and_revoked_tokens_are_401(api):
    assert_problem(api.get("/api/v1/openings", headers=bearer("mkt_not-a-real-token")), 401)
    wrong_scheme = api.get("/api/v1/openings", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_problem(wrong_scheme, 401)
    student = make_skilled_student()
    secret = make_token(student)
    assert api.get("/api/v1/applications", headers=bearer(secret)).status_code == 200
    token = db.session.query(ApiToken).one()
    api_tokens.revoke_token(student, token.id)
    db.session.commit()
    revoked = api.get("/api/v1/applications", headers=bearer(secret))
    assert_problem(revoked, 401)
    assert revoked.headers["WWW-Authenticate"].startswith("Bearer") and 'error="invalid_token"' in \
        revoked.headers["WWW-Authenticate"]


def test_a_deactivated_owners_tokens_stop_working(api):
    student = make_skilled_student()
    secret = make_token(student)
    accounts.set_active(make_admin(), student, False)
    db.session.commit()
    assert_problem(api.get("/api/v1/applications", headers=bearer(secret)), 401)


def test_a_scope_too_narrow_is_403_and_nothing_changes(api):
    opening = make_opening(make_company(), degree_levels=[], majors=[])
    secret = make_token(make_skilled_student(), "read:applications")
    refused = api.post("/api/v1/applications", headers=bearer(secret),
                       json={"opening_id": opening.id, "statement": "Hi", "consent": True})
    body = assert_problem(refused, 403)
    assert "write:applications" in body["detail"]
    assert 'scope="write:applications"' in refused.headers["WWW-Authenticate"]
    assert db.session.query(Application).count() == 0


def test_a_role_cannot_hold_another_roles_scopes(app):
    with pytest.raises(Exception) as refused:
        api_tokens.create_token(make_skilled_student(), "x", ["write:placements"])
    assert refused.value.field == "scopes"


def test_last_used_time_is_recorded(api):
    secret = make_token(make_skilled_student())
    assert db.session.query(ApiToken).one().last_used_at is None
    api.get("/api/v1/token", headers=bearer(secret))
    assert db.session.query(ApiToken).one().last_used_at is not None


# -- cookies never authorise the API ---------------------------------------------------------------------------


def test_a_signed_in_browser_session_alone_cannot_read_or_write_the_api(client, auth):
    opening = make_opening(make_company(), degree_levels=[], majors=[])
    student = make_skilled_student()
    auth.login(student.email)
    assert_problem(client.get("/api/v1/applications"), 401)
    write = client.post("/api/v1/applications", json={"opening_id": opening.id, "statement": "Hi", "consent": True})
    assert write.status_code in (400, 401) and write.content_type == PROBLEM
    assert db.session.query(Application).count() == 0


def test_a_token_call_that_carries_cookies_needs_the_csrf_token_too(client, auth):
    opening = make_opening(make_company(), degree_levels=[], majors=[])
    student = make_skilled_student()
    secret = make_token(student)
    auth.login(student.email)  # the client now holds a session cookie
    body = {"opening_id": opening.id, "statement": "Hi", "consent": True}
    refused = client.post("/api/v1/applications", headers=bearer(secret), json=body)
    assert_problem(refused, 400)  # as a page's form without its CSRF token
    assert db.session.query(Application).count() == 0
    page = client.get("/api/v1/docs").get_data(as_text=True)
    csrf = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    allowed = client.post("/api/v1/applications", headers=bearer(secret, **{"X-CSRFToken": csrf}), json=body)
    assert allowed.status_code == 201


def test_api_responses_never_set_a_session_cookie(api):
    make_opening(make_company())
    response = api.get("/api/v1/openings")
    assert "Set-Cookie" not in response.headers


# -- errors -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["per_page=1000", "per_page=0", "page=-1", "page=abc", "page=1.5",
                                   "per_page=%00", "kind=spaceship", "updated_since=yesterday"])
def test_bad_page_and_filter_parameters_are_422_with_the_field_named(api, query):
    body = assert_problem(api.get(f"/api/v1/openings?{query}"), 422)
    assert body["errors"] and body["errors"][0]["field"] == query.split("=")[0]


def test_unknown_routes_methods_and_ids_are_problems(api):
    assert_problem(api.get("/api/v1/nothing-here"), 404)
    assert_problem(api.get("/api/v1/openings/999999"), 404)
    assert_problem(api.get("/api/v1/openings/99999999999999999999"), 404)
    not_allowed = assert_problem(api.delete("/api/v1/openings"), 405)
    assert not_allowed["status"] == 405


def test_an_unexpected_error_is_a_500_problem_without_a_traceback(app_config):
    crashing = create_app(app_config)
    crashing.test_client_class = IsolatedClient

    @crashing.route("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = crashing.test_client().get("/api/v1/boom")
    assert response.status_code == 500 and response.content_type == PROBLEM
    assert "secret internals" not in response.get_data(as_text=True)
    with crashing.app_context():
        db.engine.dispose()


def test_too_many_calls_are_429_with_retry_after(app_config):
    limited = create_app({**app_config, "API_RATE_LIMIT": "3 per hour"})
    limited.test_client_class = IsolatedClient
    client = limited.test_client()
    # An address of its own: counters of other tests (same database, same minute) do not count here.
    client.environ_base["REMOTE_ADDR"] = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    within_one_window(10, HOUR)
    with limited.app_context():
        statuses = [client.get("/api/v1/companies").status_code for _ in range(4)]
        last = client.get("/api/v1/companies")
        db.engine.dispose()
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    assert last.content_type == PROBLEM and int(last.headers["Retry-After"]) >= 1


def test_problems_follow_the_token_owners_language_then_accept_language(api):
    assert api.get("/api/v1/nothing", headers=EN).get_json()["title"] == "Not found"
    assert api.get("/api/v1/nothing", headers={"Accept-Language": "ko"}).get_json()["title"] == "찾을 수 없음"
    student = make_skilled_student()
    student.locale = "ko"
    db.session.commit()
    secret = make_token(student)
    korean = api.get("/api/v1/placements", headers=bearer(secret, **EN)).get_json()
    assert korean["title"] == "권한 없음"
    assert "read:placements" in korean["detail"] and re.search("[가-힣]", korean["detail"])


def test_the_manager_console_and_the_api_refuse_a_revoked_designation_alike(api):
    pnu = make_group("PNU")
    manager = make_exchange_manager(pnu)
    secret = make_token(manager)
    assert api.get("/api/v1/placements", headers=bearer(secret)).status_code == 200
    designation = manager.active_designation
    from marketplace.services import designations
    designations.revoke(make_admin(), designation, "moved on")
    db.session.commit()
    assert_problem(api.get("/api/v1/placements", headers=bearer(secret)), 403)


def test_company_manager_tokens_read_applicants_but_never_placements(api):
    company = make_company()
    secret = make_token(manager_of(company))
    assert_problem(api.get("/api/v1/placements", headers=bearer(secret)), 403)
