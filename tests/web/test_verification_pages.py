"""Verification pages: the unverified student's banner and refusal, the manager's queue (every role, races as
409s, constant queries) and the roster upload, preview and confirm with bad files."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import RosterEntry, StudentProfile, VerificationStatus
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_applications import make_skilled_student
from tests.factories_companies import make_opening
from tests.rosters import csv_bytes, xlsx_bytes

V = VerificationStatus


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def pnu(app):
    group = make_group("PNU")
    group.email_domains = "pusan.ac.kr"
    db.session.commit()
    return group


def _status(user) -> VerificationStatus:
    return db.session.scalar(select(StudentProfile.verification_status).where(StudentProfile.user_id == user.id))


def _decide(client, profile_id: int, decision: str, version, reason: str = ""):
    html = client.get("/manager/students").get_data(as_text=True)
    token = re.search(rf'name="s{profile_id}-csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return client.post(f"/manager/students/{profile_id}", data={
        f"s{profile_id}-csrf_token": token.group(1), f"s{profile_id}-version": str(version),
        f"s{profile_id}-reason": reason, "decision": decision})


# -- the student -------------------------------------------------------------------------------------------------


def test_an_unverified_student_sees_why_and_cannot_apply(client, auth, pnu):
    student = make_skilled_student(group=pnu, verified=False)
    opening = make_opening(degree_levels=[], majors=[])
    auth.login(student.email)
    html = client.get("/student/profile").get_data(as_text=True)
    assert "not verified yet" in html and "pusan.ac.kr" in html
    page = client.get(f"/openings/{opening.id}/apply")
    assert "not verified yet" in page.get_data(as_text=True)
    response = auth.post(f"/openings/{opening.id}/apply", {"statement": "Hello", "consent": "y"},
                         form_page="/student/profile")
    assert response.status_code in (400, 409)
    assert "not verified yet" in response.get_data(as_text=True)


def test_a_verified_student_sees_no_banner_and_a_declined_one_reads_the_reason(client, auth, pnu):
    verified = make_student(group=pnu)
    auth.login(verified.email)
    assert "verification-banner" not in client.get("/student/profile").get_data(as_text=True)
    auth.logout()
    declined = make_student(group=pnu, verified=False)
    profile = declined.student_profile
    profile.verification_status, profile.verification_note = V.DECLINED, "Send your student ID card."
    db.session.commit()
    auth.login(declined.email)
    html = client.get("/student/profile").get_data(as_text=True)
    assert "could not verify you" in html and "Send your student ID card." in html


# -- the queue ---------------------------------------------------------------------------------------------------


def test_queue_lists_what_students_declared_for_their_own_groups_only(client, auth, pnu):
    snu = make_group("SNU")
    mine = make_student(group=pnu, email="minji@gmail.com", verified=False, major="Nursing", degree_level="phd")
    make_student(group=snu, email="seoul@gmail.com", verified=False)
    make_student(group=pnu, email="done@pusan.ac.kr")  # verified: not in the queue
    auth.login(make_exchange_manager(pnu).email)
    html = client.get("/manager/students").get_data(as_text=True)
    assert "minji@gmail.com" in html and mine.display_name in html and "Nursing" in html and "PhD" in html
    assert "not in the group&#39;s domains" in html or "not in the group's domains" in html
    assert "seoul@gmail.com" not in html and "done@pusan.ac.kr" not in html


@pytest.mark.parametrize("role, status", [("anon", 302), ("student", 403), ("company", 403), ("other", 404),
                                          ("own", 302), ("admin", 302)])
def test_queue_decisions_for_every_role(client, auth, pnu, role, status):
    snu = make_group("SNU")
    student = make_student(group=pnu, verified=False)
    profile_id, version = student.student_profile.id, student.student_profile.version
    users = {"student": make_student(group=pnu), "company": make_company_manager(),
             "other": make_exchange_manager(snu), "own": make_exchange_manager(pnu), "admin": make_admin()}
    if role != "anon":
        auth.login(users[role].email)
        response = _decide(client, profile_id, "verify", version) if role in ("own", "admin", "other") else \
            auth.post(f"/manager/students/{profile_id}", {"decision": "verify"})
    else:
        response = client.get("/manager/students")
    assert response.status_code == status
    if role == "anon":
        assert "/auth/login" in response.headers["Location"]
    expected = V.VERIFIED if role in ("own", "admin") else V.UNVERIFIED
    assert _status(student) == expected


def test_declining_needs_a_reason_beside_the_field_and_a_stale_decision_is_a_409(client, auth, pnu):
    student = make_student(group=pnu, verified=False)
    profile = student.student_profile
    profile_id, version = profile.id, profile.version
    auth.login(make_exchange_manager(pnu).email)
    response = _decide(client, profile_id, "decline", version, reason="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="s{profile_id}-reason-error"' in html and "Write the reason" in html

    other_manager = make_exchange_manager(pnu)
    from marketplace.services import verification

    verification.verify(other_manager, profile_id, version)
    db.session.commit()
    response = _decide(client, profile_id, "decline", version, reason="Unknown")
    assert response.status_code == 409
    assert "verified meanwhile" in response.get_data(as_text=True)
    assert _status(student) == V.VERIFIED


def test_queue_page_queries_do_not_grow_with_the_students(client, auth, pnu, count_queries):
    manager = make_exchange_manager(pnu, make_group("SNU"))
    for _ in range(2):
        make_student(group=pnu, verified=False)
    auth.login(manager.email)
    few = count_queries.page(client, "/manager/students")
    for i in range(8):
        make_student(group=make_group("PNU" if i % 2 else "SNU"), verified=False)
    many = count_queries.page(client, "/manager/students")
    assert few == many


# -- roster import ---------------------------------------------------------------------------------------------------


def _upload(auth, data: bytes, filename: str):
    return auth.post("/manager/roster", {"roster": (BytesIO(data), filename)}, form_page="/manager/roster",
                     content_type="multipart/form-data")


def test_manager_previews_and_confirms_a_roster_and_the_second_import_changes_nothing(client, auth, pnu):
    auth.login(make_exchange_manager(pnu).email)
    data = xlsx_bytes([["kim@pusan.ac.kr", "김민지", "의학", "석사", None, "PNU"],
                       ["lee@gmail.com", "Lee Jun", "Nursing", "bachelor", None, "PNU"]])
    response = _upload(auth, data, "명단.xlsx")
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "김민지" in preview and "not in PNU" in preview and "adds 2 students" in preview
    import_path = response.headers["Location"]
    done = auth.post(import_path + "/confirm", form_page=import_path, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "Roster imported: 2 new, 0 changed, 0 unchanged" in html
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 2
    again = _upload(auth, data, "명단.xlsx").headers["Location"]
    assert "importing changes nothing" in client.get(again).get_data(as_text=True)
    html = auth.post(again + "/confirm", form_page=again, follow_redirects=True).get_data(as_text=True)
    assert "Nothing changed" in html


def test_a_roster_with_errors_shows_them_per_row_and_cannot_be_confirmed(client, auth, pnu):
    auth.login(make_exchange_manager(pnu).email)
    data = csv_bytes([["kim@pusan.ac.kr", "Kim", "", "master", "", "PNU"],
                      ["kim@pusan.ac.kr", "Kim", "", "master", "", "PNU"]])
    location = _upload(auth, data, "r.csv").headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "same student as row 2" in html and "Nothing will be imported" in html
    assert "/confirm" not in html
    response = auth.post(location + "/confirm", form_page=location)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 0


@pytest.mark.parametrize("filename, data, message", [
    ("roster.xlsx", b"This is a text file renamed to .xlsx", "not a spreadsheet we can read"),
    ("roster.csv", b"", "The file is empty"),
    ("roster.csv", "성,이름\n김,민지\n".encode(), "Missing: e-mail"),
])
def test_bad_files_get_a_message_beside_the_field_and_no_500(client, auth, pnu, filename, data, message):
    auth.login(make_exchange_manager(pnu).email)
    response = _upload(auth, data, filename)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="roster-error"' in html and message in html


def test_an_oversized_roster_is_refused_with_its_limit(client, auth, pnu):
    auth.login(make_exchange_manager(pnu).email)
    rows = [[f"s{i}@pusan.ac.kr", f"S{i}", "", "master", "", "PNU"] for i in range(10_000)]
    response = _upload(auth, csv_bytes(rows), "big.csv")
    assert response.status_code == 400 and "more than 5,000 rows" in response.get_data(as_text=True)


def test_another_managers_import_is_not_found(client, auth, pnu):
    auth.login(make_exchange_manager(pnu).email)
    location = _upload(auth, csv_bytes([["kim@pusan.ac.kr", "Kim", "", "master", "", "PNU"]]), "r.csv"
                       ).headers["Location"]
    auth.logout()
    auth.login(make_exchange_manager(pnu).email)
    assert client.get(location).status_code == 404
    assert auth.post(location + "/confirm").status_code == 404
