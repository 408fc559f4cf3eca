"""The API's access matrix: every documented operation × every role × token scope, with other parties' ids.

Callers: anonymous (no token); each role with a token holding every scope its role may hold ("full"); each
role with a token holding only read:openings ("narrow"); and a revoked token. An operation missing from the
table fails the test, so every new endpoint gets a row (and is exercised by it).

Outcomes: OK = the call reached the resource (2xx, or 409/422 about the record's state or the input);
DENY = 403 or 404, never the data; AUTH = 401.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pytest

from marketplace.app import create_app
from marketplace.extensions import db
from marketplace.models import OpeningStatus, PlacementStatus
from marketplace.models.mentoring import MentorAssignment
from marketplace.services import api_tokens, applications
from tests.api.test_openapi import documented_operations, spec_of
from tests.conftest import IsolatedClient, fresh_sqlite_copy
from tests.factories import make_admin, make_exchange_manager, make_group, make_mentor

PEOPLE = ("student_a", "student_b", "cm_x", "cm_y", "xm_own", "xm_other", "admin", "mentor")
CALLERS = ("anon", "revoked") + tuple(f"{p}:full" for p in PEOPLE) + tuple(f"{p}:narrow" for p in PEOPLE)
OK, DENY, AUTH = "ok", "deny", "auth"


def expect(*full: str, public: bool = False) -> dict[str, str]:
    """`full`: the people whose full token gets through. Narrow tokens are refused unless the data is public."""
    out = {"anon": OK if public else AUTH, "revoked": AUTH}
    for person in PEOPLE:
        out[f"{person}:full"] = OK if public or person in full else DENY
        out[f"{person}:narrow"] = OK if public else DENY
    return out


PUBLIC = expect(public=True)
ANY_TOKEN = {**expect(*PEOPLE), **{f"{p}:narrow": OK for p in PEOPLE}}

# (method, documented path) -> (concrete path, expected outcomes, JSON body)
MATRIX: dict[tuple[str, str], tuple[str, dict[str, str], dict | None]] = {
    ("GET", "/api/v1/openings"): ("/api/v1/openings?q=intern&per_page=5", PUBLIC, None),
    ("GET", "/api/v1/openings/{opening_id}"): ("/api/v1/openings/{opening_x}", PUBLIC, None),
    ("GET", "/api/v1/companies"): ("/api/v1/companies", PUBLIC, None),
    ("GET", "/api/v1/companies/{company_id}"): ("/api/v1/companies/{company_x}", PUBLIC, None),
    ("GET", "/api/v1/token"): ("/api/v1/token", ANY_TOKEN, None),
    ("GET", "/api/v1/applications"): ("/api/v1/applications", expect("student_a", "student_b"), None),
    ("GET", "/api/v1/applications/{application_id}"): ("/api/v1/applications/{application_a}", expect("student_a"),
                                                        None),
    ("POST", "/api/v1/applications"): (
        "/api/v1/applications", expect("student_a", "student_b"),
        {"opening_id": "{opening_x}", "statement": "I segment CT scans.", "consent": True}),
    ("POST", "/api/v1/applications/{application_id}/withdraw"): (
        "/api/v1/applications/{application_a}/withdraw", expect("student_a"), None),
    ("GET", "/api/v1/openings/{opening_id}/applicants"): (
        "/api/v1/openings/{opening_x}/applicants", expect("cm_x"), None),
    ("GET", "/api/v1/placements"): ("/api/v1/placements", expect("xm_own", "xm_other", "admin"), None),
    ("GET", "/api/v1/placements/{placement_id}"): ("/api/v1/placements/{placement_a}", expect("xm_own", "admin"),
                                                    None),
    ("POST", "/api/v1/placements/{placement_id}/approve"): (
        "/api/v1/placements/{placement_a}/approve", expect("xm_own", "admin"), {"note": "fine"}),
    ("GET", "/api/v1/reports"): ("/api/v1/reports?period=2025-1&group={group_own}",
                                 expect("xm_own", "admin"), None),
    ("POST", "/api/v1/placements/{placement_id}/return"): (
        "/api/v1/placements/{placement_a}/return", expect("xm_own", "admin"), {"note": "dates clash"}),
    # Practices: every party of student_a's practice (the host, the assigned mentor, the group's manager, the office)
    # reads it; the list answers everyone holding read:practice (with their own practices only).
    ("GET", "/api/v1/practice-logs"): ("/api/v1/practice-logs", expect(*PEOPLE), None),
    ("GET", "/api/v1/placements/{placement_id}/practice-log"): (
        "/api/v1/placements/{practice_a}/practice-log", expect("student_a", "cm_x", "xm_own", "admin", "mentor"),
        None),
    ("GET", "/api/v1/placements/{placement_id}/evaluations"): (
        "/api/v1/placements/{practice_a}/evaluations", expect("student_a", "cm_x", "xm_own", "admin", "mentor"),
        None),
}


@dataclass
class World:
    ids: dict[str, int]
    tokens: dict[str, str]


def build_world() -> World:
    from tests.factories_applications import make_application, make_skilled_student, move
    from tests.factories_companies import make_company, make_opening, manager_of
    from tests.factories_placements import make_placement

    pnu, snu = make_group("PNU"), make_group("SNU")
    admin = make_admin()
    xm_own, xm_other = make_exchange_manager(pnu, admin=admin), make_exchange_manager(snu, admin=admin)
    student_a = make_skilled_student(group=pnu)
    student_b = make_skilled_student(group=snu)
    company_x = make_company(groups=[pnu], reviewer=xm_own)
    company_y = make_company(groups=[snu], reviewer=xm_other)
    anyone = dict(degree_levels=[], majors=[])
    opening_x = make_opening(company_x, reviewer=xm_own, **anyone)
    opening_offer = make_opening(company_x, reviewer=xm_own, **anyone)
    make_opening(company_x, status=OpeningStatus.DRAFT)
    make_opening(company_y, reviewer=xm_other, **anyone)
    application_a = make_application(student_a, opening_x)
    offered = make_application(student_a, opening_offer)
    move(manager_of(company_x), offered, "shortlist", "offer")
    placement = applications.accept_offer(student_a, offered)
    db.session.commit()
    mentor = make_mentor(pnu, admin=admin)
    practice = make_placement(student_a, make_opening(company_x, reviewer=xm_own, **anyone),
                              status=PlacementStatus.ACTIVE)
    db.session.add(MentorAssignment(placement_id=practice.id, mentor_id=mentor.id))
    db.session.commit()
    people = dict(student_a=student_a, student_b=student_b, cm_x=manager_of(company_x), cm_y=manager_of(company_y),
                  xm_own=xm_own, xm_other=xm_other, admin=admin, mentor=mentor)
    tokens = {}
    for name, user in people.items():
        tokens[f"{name}:full"] = api_tokens.create_token(user, "full", list(api_tokens.scopes_for(user))).secret
        tokens[f"{name}:narrow"] = api_tokens.create_token(user, "narrow", ["read:openings"]).secret
    revoked = api_tokens.create_token(student_a, "old", list(api_tokens.scopes_for(student_a)))
    api_tokens.revoke_token(student_a, revoked.token.id)
    tokens["revoked"] = revoked.secret
    db.session.commit()
    return World(ids=dict(opening_x=opening_x.id, company_x=company_x.id, application_a=application_a.id,
                          placement_a=placement.id, practice_a=practice.id, group_own=pnu.id), tokens=tokens)


@pytest.fixture(scope="module")
def world_files(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("api_matrix")
    shutil.copy(sqlite_template, folder / "world.sqlite")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'world.sqlite'}",
                      "UPLOAD_FOLDER": str(folder / "uploads")})
    with app.app_context():
        world = build_world()
        db.session.remove()
        db.engine.dispose()
    return folder, world


@pytest.fixture
def world_app(world_files, shared_sqlite_path, tmp_path):
    folder, world = world_files
    url = fresh_sqlite_copy(folder / "world.sqlite", shared_sqlite_path)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads"), "API_RATE_LIMIT": "1000 per minute"})
    app.test_client_class = IsolatedClient
    yield app, world
    with app.app_context():
        db.engine.dispose()


def test_every_documented_operation_has_a_row():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    operations = documented_operations(spec_of(app))
    assert sorted(operations - set(MATRIX)) == [], "operations without a row in the API access matrix"
    assert sorted(set(MATRIX) - operations) == [], "rows for operations that no longer exist"


def _outcome(response) -> str:
    if response.status_code == 401:
        return AUTH
    if response.status_code in (403, 404):
        return DENY
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return OK


def _filled(value, ids: dict[str, int]):
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("method, path", sorted(MATRIX))
def test_api_access(world_app, method, path):
    app, world = world_app
    template, expected, body = MATRIX[(method, path)]
    url = template.format(**world.ids)
    payload = {k: _filled(v, world.ids) for k, v in body.items()} if body is not None else None
    # The least privileged go first, so an allowed caller's successful write cannot mask a refusal.
    order = sorted(CALLERS, key=lambda caller: expected[caller] == OK)
    with app.app_context():
        for caller in order:
            headers = {"Authorization": f"Bearer {world.tokens[caller]}"} if caller != "anon" else {}
            client = app.test_client()
            response = client.get(url, headers=headers) if method == "GET" else \
                client.post(url, headers=headers, json=payload if payload is not None else {})
            got = _outcome(response)
            assert got == expected[caller], f"{method} {url} as {caller}: expected {expected[caller]}, got {got} " \
                                            f"({response.status_code} {response.get_data(as_text=True)[:300]})"
            assert response.content_type in ("application/json", "application/problem+json")
            if got != OK:
                assert response.content_type == "application/problem+json"
                assert re.search(r"Correct-Horse|@pusan|@company|I segment", response.get_data(as_text=True)) is None
