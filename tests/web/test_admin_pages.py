"""The programme office: project groups, designations, audit log; closed to everyone else."""
import re

import pytest

from marketplace.extensions import db
from marketplace.models import AuditEvent, Designation
from marketplace.services import groups
from tests.conftest import csrf_token
from tests.factories import (
    PASSWORD,
    make_admin,
    make_company_manager,
    make_exchange_manager,
    make_group,
    make_student,
)

ADMIN_PAGES = ["/admin/", "/admin/designations", "/admin/designations/new", "/admin/groups/new", "/admin/audit"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_students_company_and_exchange_managers_get_403_on_admin_pages(client, auth, path):
    group = make_group("PNU")
    users = [make_student(group), make_company_manager(), make_exchange_manager(group)]
    for user in users:
        auth.login(user.email)
        assert client.get(path).status_code == 403
        auth.logout()


def test_admin_sees_every_admin_page(client, auth):
    admin = make_admin()
    group = make_group("PNU")
    auth.login(admin.email)
    for path in ADMIN_PAGES + [f"/admin/groups/{group.id}/edit"]:
        assert client.get(path).status_code == 200, path


def test_admin_designates_a_new_exchange_manager_from_the_form(client, auth):
    admin, group = make_admin(), make_group("PNU")
    auth.login(admin.email)
    token = csrf_token(client, "/admin/designations/new")
    response = client.post("/admin/designations/new", data={
        "csrf_token": token, "email": "veteran@pusan.ac.kr", "display_name": "Veteran Kim",
        "initial_password": "Long-Tenure-2026", "tenure_years": "15", "group_ids": [str(group.id)],
    })
    assert response.status_code == 302
    designation = db.session.query(Designation).one()
    assert designation.user.email == "veteran@pusan.ac.kr" and designation.tenure_years == 15
    assert [g.code for g in designation.groups] == ["PNU"]
    assert "Veteran Kim" in client.get("/admin/designations").get_data(as_text=True)


def test_designation_below_minimum_tenure_shows_the_rule_beside_tenure_and_keeps_input(client, auth):
    admin, group = make_admin(), make_group("PNU")
    auth.login(admin.email)
    token = csrf_token(client, "/admin/designations/new")
    response = client.post("/admin/designations/new", data={
        "csrf_token": token, "email": "junior@pusan.ac.kr", "display_name": "Junior Lee",
        "initial_password": "Long-Tenure-2026", "tenure_years": "4", "group_ids": [str(group.id)],
    }, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="tenure_years-error">[^<]*at least 10 years', html)
    assert 'value="junior@pusan.ac.kr"' in html and 'value="Junior Lee"' in html and 'value="4"' in html
    assert f'value="{group.id}" checked' in html
    assert db.session.query(Designation).count() == 0


def test_tampered_group_id_on_designation_is_refused_politely(client, auth):
    admin = make_admin()
    make_group("PNU")
    auth.login(admin.email)
    token = csrf_token(client, "/admin/designations/new")
    response = client.post("/admin/designations/new", data={
        "csrf_token": token, "email": "x@pusan.ac.kr", "display_name": "X", "initial_password": "Long-Tenure-2026",
        "tenure_years": "12", "group_ids": ["99999", "abc"]}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert re.search(r'id="group_ids-error">[^<]*project groups', response.get_data(as_text=True))


def test_admin_revokes_a_designation_and_the_manager_loses_access(app, client, auth):
    group = make_group("PNU")
    admin = make_admin()
    manager = make_exchange_manager(group, admin=admin)
    designation = db.session.query(Designation).one()
    auth.login(admin.email)
    token = csrf_token(client, "/admin/designations")
    response = client.post(f"/admin/designations/{designation.id}/revoke", data={"csrf_token": token, "reason": "retired"})
    assert response.status_code == 302
    assert db.session.get(Designation, designation.id).revoked_at is not None
    events = db.session.query(AuditEvent).filter_by(entity_type="designation", action="revoked").all()
    assert len(events) == 1 and events[0].note == "retired" and events[0].actor_id == admin.id
    assert "retired" in client.get("/admin/audit").get_data(as_text=True)
    assert manager.email


def test_revoke_refuses_get_and_unknown_ids(client, auth):
    admin = make_admin()
    auth.login(admin.email)
    assert client.get("/admin/designations/1/revoke").status_code == 405
    token = csrf_token(client, "/admin/designations")
    assert client.post("/admin/designations/424242/revoke", data={"csrf_token": token}).status_code == 404


def test_admin_adds_a_group_with_tracks_and_majors_from_the_form(client, auth):
    admin = make_admin()
    auth.login(admin.email)
    token = csrf_token(client, "/admin/groups/new")
    response = client.post("/admin/groups/new", data={
        "csrf_token": token, "code": "KHU", "name_en": "Kyung Hee University Project Group",
        "name_ko": "경희대학교 사업단", "email_domains": "khu.ac.kr",
        "majors": "College of Korean Medicine | 한의과대학 | Korean Medicine | 한의학",
        "tracks": "Common | 공통", "active": "y"})
    assert response.status_code == 302
    group = groups.find_group_by_code("KHU")
    assert group.tracks[0].name_ko == "공통" and group.majors[0].name_en == "Korean Medicine"


def test_bad_group_input_keeps_what_was_typed(client, auth):
    admin = make_admin()
    auth.login(admin.email)
    token = csrf_token(client, "/admin/groups/new")
    response = client.post("/admin/groups/new", data={
        "csrf_token": token, "code": "x", "name_en": "Typed Name", "name_ko": "입력한 이름",
        "majors": "Only English"}, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Typed Name"' in html and "입력한 이름" in html and "Only English" in html
    assert "-error" in html


def test_admin_finds_and_deactivates_an_account_which_is_signed_out_everywhere(app, client, auth):
    from marketplace.models import User

    student = make_student(make_group("PNU"), email="leaving@pusan.ac.kr")
    other = app.test_client()
    token = csrf_token(other, "/auth/login")
    other.post("/auth/login", data={"csrf_token": token, "email": "leaving@pusan.ac.kr", "password": PASSWORD})
    assert other.get("/auth/password").status_code == 200
    admin = make_admin()
    auth.login(admin.email)
    html = client.get("/admin/users?q=leaving", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "leaving@pusan.ac.kr" in html and admin.email not in html
    token = csrf_token(client, "/admin/users")
    response = client.post(f"/admin/users/{student.id}/active", data={"csrf_token": token, "active": "0"})
    assert response.status_code == 302
    assert db.session.get(User, student.id).active is False
    assert other.get("/auth/password").status_code == 302  # its open session died
    assert db.session.query(AuditEvent).filter_by(entity_type="user", action="deactivated").count() == 1


def test_admin_cannot_deactivate_their_own_account(client, auth):
    from marketplace.models import User

    admin = make_admin()
    auth.login(admin.email)
    token = csrf_token(client, "/admin/users")
    client.post(f"/admin/users/{admin.id}/active", data={"csrf_token": token, "active": "0"})
    assert db.session.get(User, admin.id).active is True
