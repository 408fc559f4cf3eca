"""The account's API token page: create (secret shown once), list with last use, revoke; in Korean too."""
from __future__ import annotations

import re

from marketplace.extensions import db
from marketplace.models import ApiToken
from tests.conftest import csrf_token
from tests.factories import make_exchange_manager, make_group
from tests.factories_applications import make_skilled_student

SECRET = re.compile(r'id="new-token" readonly value="(mkt_[^"]+)"')


def test_student_creates_a_token_sees_it_once_and_it_works_on_the_api(client, auth):
    student = make_skilled_student()
    auth.login(student.email)
    token = csrf_token(client, "/account/tokens/")
    created = client.post("/account/tokens/", data={"csrf_token": token, "name": "Ajou LMS",
                                                    "scopes": ["read:applications", "write:applications"]},
                          headers={"Accept-Language": "en"})
    assert created.status_code == 201
    html = created.get_data(as_text=True)
    secret = SECRET.search(html).group(1)
    assert "shown only this once" in html and created.headers["Cache-Control"] == "no-store"
    stored = db.session.query(ApiToken).one()
    assert stored.name == "Ajou LMS" and stored.scopes == "read:applications write:applications"
    assert secret not in client.get("/account/tokens/").get_data(as_text=True)

    api = client.application.test_client()  # no cookies, as a university system calls
    assert api.get("/api/v1/applications", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = client.get("/account/tokens/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Ajou LMS" in listed and "never" not in listed  # the last-used time is shown


def test_a_missing_name_and_no_scope_are_shown_beside_their_fields(client, auth):
    auth.login(make_skilled_student().email)
    response = client.post("/account/tokens/", data={"csrf_token": csrf_token(client, "/account/tokens/"),
                                                     "name": "", "scopes": []},
                           headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give the token a name" in html and "Choose at least one scope." in html
    assert db.session.query(ApiToken).count() == 0


def test_a_role_is_offered_only_its_scopes_and_a_tampered_scope_is_refused(client, auth):
    auth.login(make_skilled_student().email)
    page = client.get("/account/tokens/").get_data(as_text=True)
    assert "write:applications" in page and "write:placements" not in page
    response = client.post("/account/tokens/", data={"csrf_token": csrf_token(client, "/account/tokens/"),
                                                     "name": "sneaky", "scopes": ["write:placements"]})
    assert response.status_code == 400 and db.session.query(ApiToken).count() == 0
    assert 'value="sneaky"' in response.get_data(as_text=True)  # what was typed is kept


def test_revoking_stops_the_token_and_others_cannot_revoke_it(client, auth, app):
    owner = make_skilled_student()
    auth.login(owner.email)
    client.post("/account/tokens/", data={"csrf_token": csrf_token(client, "/account/tokens/"), "name": "SIS",
                                          "scopes": ["read:applications"]})
    token = db.session.query(ApiToken).one()

    stranger = app.test_client()
    from tests.conftest import AuthActions
    AuthActions(stranger).login(make_skilled_student().email)
    refused = stranger.post(f"/account/tokens/{token.id}/revoke",
                            data={"csrf_token": csrf_token(stranger, "/account/tokens/")})
    assert refused.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None

    done = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client, "/account/tokens/")})
    assert done.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_the_token_page_is_korean_by_default(client, auth):
    auth.login(make_exchange_manager(make_group("PNU")).email)
    html = client.get("/account/tokens/").get_data(as_text=True)
    assert "API 토큰" in html and "토큰 만들기" in html and "담당 사업단의 배치 요청 승인 또는 반려" in html
