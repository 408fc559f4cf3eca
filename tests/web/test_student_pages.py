"""Student pages: profile and skills, CV upload/download/delete, applying, my applications, recommendations."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.clock import today_in_seoul
from marketplace import storage
from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    Company,
    Importance,
    Opening,
    OpeningKind,
    OpeningSkill,
    OpeningStatus,
    ProjectGroup,
    WorkMode,
)
from marketplace.models.base import utcnow
from marketplace.services import students
from marketplace.services.openings import SkillRequirement as Req
from tests.conftest import csrf_token
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_applications import PDF, make_application, make_skilled_student, move, upload_cv
from tests.factories_companies import make_company, make_opening, manager_of


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _profile_form(**rows) -> dict:
    data = {"major": "Medicine", "degree_level": "master", "year": "1", "track_id": "", "bio": "",
            "hours_per_week": "", "available_from": ""}
    data.update(rows)
    return data


def test_student_saves_profile_and_sees_the_recognised_skill(client, auth):
    student = make_student()
    auth.login(student.email)
    page = client.get("/student/profile")
    assert page.status_code == 200 and 'for="skills-0-name"' in page.get_data(as_text=True)
    response = auth.post("/student/profile", _profile_form(**{
        "skills-0-name": "딥러닝", "skills-0-level": "4", "skills-1-name": "pytorch", "skills-1-level": "3",
        "skills-2-name": "", "skills-2-level": "3"}), form_page="/student/profile")
    assert response.status_code == 302
    html = client.get("/student/profile").get_data(as_text=True)
    assert "Recognised as Deep learning" in html or "Recognised as Deep Learning" in html
    assert "Recognised as PyTorch" in html
    assert [s.level for s in students.get_profile(student).skills] == [4, 3]


def test_add_row_button_adds_a_row_without_saving(client, auth):
    student = make_student()
    auth.login(student.email)
    response = auth.post("/student/profile", _profile_form(**{
        "skills-0-name": "R", "skills-0-level": "2", "add_skill": "1"}), form_page="/student/profile")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="skills-1-name"' in html and 'value="R"' in html
    assert students.get_profile(student).skills == []


@pytest.mark.parametrize("level", ["0", "9", "x"])
def test_bad_skill_level_is_shown_beside_the_row_and_nothing_is_lost(client, auth, level):
    auth.login(make_student().email)
    response = auth.post("/student/profile", _profile_form(**{
        "skills-0-name": "Python", "skills-0-level": "3", "skills-1-name": "Statistics", "skills-1-level": level}),
        form_page="/student/profile")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a level from 1 to 5." in html and 'value="Statistics"' in html and 'value="Medicine"' in html


def test_two_hundred_skills_get_a_message_and_keep_what_was_typed(client, auth):
    auth.login(make_student().email)
    rows = {}
    for n in range(200):
        rows[f"skills-{n}-name"] = f"Skill number {n}"
        rows[f"skills-{n}-level"] = "3"
    response = auth.post("/student/profile", _profile_form(**rows), form_page="/student/profile")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "List at most 40 skills." in html
    assert 'value="Skill number 199"' in html


def test_student_pages_refuse_other_roles(client, auth):
    for path in ["/student/profile", "/student/recommendations", "/student/applications", "/student/cv"]:
        assert client.get(path).status_code == 302  # anonymous: to the sign-in page
    auth.login(make_company_manager().email)
    for path in ["/student/profile", "/student/recommendations", "/student/applications", "/student/cv"]:
        assert client.get(path).status_code == 403


# -- CV ----------------------------------------------------------------------------------------------------------


def _upload(auth, data: bytes, filename: str):
    from io import BytesIO

    return auth.post("/student/cv", {"cv": (BytesIO(data), filename)}, form_page="/student/profile",
                     content_type="multipart/form-data")


def test_student_uploads_downloads_replaces_and_deletes_a_cv(client, auth):
    student = make_student()
    auth.login(student.email)
    response = _upload(auth, PDF, "../../이력서 최종.pdf")
    assert response.status_code == 302
    download = client.get("/student/cv")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "no-store" in download.headers["Cache-Control"]
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''" in disposition and ".." not in disposition
    first = students.cv_key(students.get_profile(student))
    assert _upload(auth, PDF + b" ", "second.pdf").status_code == 302
    assert storage.current().get(first) is None
    assert "second.pdf" in client.get("/student/profile").get_data(as_text=True)
    assert auth.post("/student/cv/delete", form_page="/student/profile").status_code == 302
    assert client.get("/student/cv").status_code == 404


def test_failed_cv_delete_says_so_and_the_cv_stays_downloadable(app, client, auth):
    app.config["STORAGE_BACKEND"] = "local"
    student = make_student()
    auth.login(student.email)
    assert _upload(auth, PDF, "cv.pdf").status_code == 302
    path = storage.current().path(students.cv_key(students.get_profile(student)))
    path.unlink()
    path.mkdir()  # a non-empty directory where the file was: unlink() fails, even as root
    (path / "pinned").write_text("x")
    response = auth.post("/student/cv/delete", form_page="/student/profile", follow_redirects=True,
                         headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert "could not be deleted" in html and "Your CV was deleted" not in html
    assert path.exists()
    assert students.get_profile(student).cv_storage_name == path.name


def test_non_pdf_renamed_pdf_is_refused_beside_the_field(client, auth):
    auth.login(make_student().email)
    response = _upload(auth, b"MZ\x90\x00 this is an exe", "cv.pdf")
    assert response.status_code == 400
    assert "This file is not a PDF" in response.get_data(as_text=True)


def test_cv_between_5_and_6_mb_gets_a_message_beside_the_field(client, auth):
    auth.login(make_student().email)
    data = b"%PDF-1.4\n" + b"0" * int(5.5 * 1024 * 1024) + b"\n%%EOF"
    response = _upload(auth, data, "big.pdf")
    assert response.status_code == 400 and "at most 5 MB" in response.get_data(as_text=True)


def test_oversized_upload_gets_the_friendly_413_page(client, auth):
    auth.login(make_student().email)
    data = b"%PDF-1.4\n" + b"0" * (7 * 1024 * 1024) + b"\n%%EOF"
    response = _upload(auth, data, "huge.pdf")
    assert response.status_code == 413 and "File too large" in response.get_data(as_text=True)


def test_unwritable_upload_folder_shows_a_message_not_a_500(app, client, auth, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    app.config.update(STORAGE_BACKEND="local", UPLOAD_FOLDER=str(blocker / "sub"))
    auth.login(make_student().email)
    response = _upload(auth, PDF, "cv.pdf")
    assert response.status_code == 400 and "could not be stored" in response.get_data(as_text=True)


def test_cv_of_an_application_is_visible_only_to_those_with_the_right(client, auth):
    pnu = make_group("PNU")
    application = make_application()
    upload_cv(application.student)
    path = f"/applications/{application.id}/cv"
    assert client.get(path).status_code == 302  # anonymous: sign in first
    allowed = [application.student, manager_of(application.opening.company), make_exchange_manager(pnu),
               make_admin()]
    refused = [make_skilled_student(), manager_of(make_company()), make_exchange_manager(make_group("SNU")),
               make_company_manager()]
    for user in allowed:
        auth.login(user.email)
        response = client.get(path)
        assert response.status_code == 200 and response.data == PDF, user
        assert "no-store" in response.headers["Cache-Control"]
        auth.logout()
    for user in refused:
        auth.login(user.email)
        assert client.get(path).status_code == 404, user
        assert client.get("/applications/999999/cv").status_code == 404
        auth.logout()


def test_company_loses_the_cv_when_the_application_is_withdrawn(client, auth):
    application = make_application()
    upload_cv(application.student)
    move(application.student, application, "withdraw")
    auth.login(manager_of(application.opening.company).email)
    assert client.get(f"/applications/{application.id}/cv").status_code == 404


# -- applying -------------------------------------------------------------------------------------------------


def test_opening_page_offers_apply_or_sign_in(client, auth):
    opening = make_opening()
    html = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert "Sign in to apply" in html
    auth.login(make_student().email)
    html = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert f"/openings/{opening.id}/apply" in html


def test_student_applies_once_even_with_a_double_submission(client, auth):
    opening = make_opening(skills=[Req("Python", "must", 3), Req("DICOM", "must", 2)])
    student = make_skilled_student([("Python", 4)])
    auth.login(student.email)
    page = client.get(f"/openings/{opening.id}/apply")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "missing must-have" in html and "Personal Information Protection Act" in html
    token = csrf_token(client, f"/openings/{opening.id}/apply")
    data = {"csrf_token": token, "statement": "I build PACS tools.", "consent": "y"}
    first = client.post(f"/openings/{opening.id}/apply", data=data)
    second = client.post(f"/openings/{opening.id}/apply", data=data)
    assert first.status_code == 302 and second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    detail = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "already applied" in detail and "I build PACS tools." in detail and "Submitted" in detail


def test_apply_needs_consent_and_a_statement_and_keeps_the_input(client, auth):
    opening = make_opening()
    auth.login(make_skilled_student().email)
    response = auth.post(f"/openings/{opening.id}/apply", {"statement": "My words"},
                         form_page=f"/openings/{opening.id}/apply")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Tick the consent box" in html and "My words" in html
    response = auth.post(f"/openings/{opening.id}/apply", {"statement": "  ", "consent": "y"},
                         form_page=f"/openings/{opening.id}/apply")
    assert response.status_code == 400 and "This field is required." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_ineligible_student_is_told_why_and_cannot_post(client, auth):
    snu = make_group("SNU")
    opening = make_opening(degree_levels=["phd"])
    auth.login(make_skilled_student(group=snu, degree_level="bachelor").email)
    html = client.get(f"/openings/{opening.id}/apply").get_data(as_text=True)
    assert "project group are not eligible" in html and "degree level is not eligible" in html
    response = auth.post(f"/openings/{opening.id}/apply", {"statement": "Please", "consent": "y"})
    assert response.status_code == 409 and "not eligible" in response.get_data(as_text=True)


def test_closed_opening_apply_page_says_it_is_closed(client, auth):
    opening = make_opening(status=OpeningStatus.CLOSED)
    auth.login(make_skilled_student().email)
    response = client.get(f"/openings/{opening.id}/apply")
    assert response.status_code == 200 and "This opening is closed." in response.get_data(as_text=True)


def test_forged_opening_ids_are_not_found(client, auth):
    draft = make_opening(status=OpeningStatus.DRAFT)
    auth.login(make_skilled_student().email)
    for opening_id in (draft.id, 999999):
        assert client.get(f"/openings/{opening_id}/apply").status_code == 404
        assert auth.post(f"/openings/{opening_id}/apply", {"statement": "x", "consent": "y"}).status_code == 404


def test_company_manager_on_apply_page_is_told_only_students_apply(client, auth):
    opening = make_opening()
    auth.login(make_company_manager().email)
    response = client.get(f"/openings/{opening.id}/apply")
    assert response.status_code == 200 and "Only students" in response.get_data(as_text=True)


# -- my applications ----------------------------------------------------------------------------------------


def test_student_lists_and_withdraws_their_application(client, auth):
    application = make_application()
    auth.login(application.student.email)
    html = client.get("/student/applications").get_data(as_text=True)
    assert application.opening.title in html and "Submitted" in html
    page = client.get(f"/student/applications/{application.id}").get_data(as_text=True)
    assert "data-confirm" in page and "Withdraw the application" in page
    response = auth.post(f"/student/applications/{application.id}/withdraw",
                         form_page=f"/student/applications/{application.id}")
    assert response.status_code == 302
    html = client.get(f"/student/applications/{application.id}").get_data(as_text=True)
    assert "Withdrawn" in html and "Submitted → " in html


def test_illegal_student_move_is_a_409_with_a_message(client, auth):
    application = make_application()
    auth.login(application.student.email)
    response = auth.post(f"/student/applications/{application.id}/accept")
    assert response.status_code == 409 and "cannot become “Offer accepted”" in response.get_data(as_text=True)
    assert auth.post(f"/student/applications/{application.id}/explode").status_code == 400


def test_student_accepts_an_offer(client, auth):
    application = make_application()
    move(manager_of(application.opening.company), application, "shortlist", "offer")
    auth.login(application.student.email)
    assert auth.post(f"/student/applications/{application.id}/accept").status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.ACCEPTED


def test_someone_elses_application_is_not_found_for_students(client, auth):
    application = make_application()
    auth.login(make_skilled_student().email)
    assert client.get(f"/student/applications/{application.id}").status_code == 404
    assert auth.post(f"/student/applications/{application.id}/withdraw").status_code == 404
    assert client.get("/student/applications/999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.SUBMITTED


def test_empty_states_say_what_to_do(client, auth):
    auth.login(make_student().email)
    assert "You have not applied yet." in client.get("/student/applications").get_data(as_text=True)
    html = client.get("/student/recommendations").get_data(as_text=True)
    assert "No open opening is available" in html and "Add your skills" in html


# -- recommendations -------------------------------------------------------------------------------------


def test_recommendations_show_the_reason(client, auth):
    make_opening(title="Imaging AI", skills=[Req("PyTorch", "must", 3), Req("DICOM", "must", 2),
                                             Req("Deep learning", "should", 2)])
    auth.login(make_skilled_student([("PyTorch", 4), ("딥러닝", 3)]).email)
    html = client.get("/student/recommendations").get_data(as_text=True)
    assert "Imaging AI" in html and "missing must-have" in html and "딥러닝" in html and "✓" in html


def _bulk_openings(company_id: int, group_id: int, count: int) -> None:
    today = today_in_seoul()
    group = db.session.get(ProjectGroup, group_id)
    for n in range(count):
        opening = Opening(
            company_id=company_id, kind=OpeningKind.INTERNSHIP, title=f"Bulk {n}", description="d",
            status=OpeningStatus.PUBLISHED, seats=1, work_mode=WorkMode.ONSITE, location="Busan",
            start_date=today + timedelta(days=40), end_date=today + timedelta(days=90), hours_per_week=10,
            stipend_krw=n, deadline=today + timedelta(days=20), supervisor_name="S", published_at=utcnow(),
            eligible_groups=[group],
        )
        opening.skills = [OpeningSkill(position=0, name="Python", skill_id="python", display_name="Python",
                                       importance=Importance.MUST, min_level=2),
                          OpeningSkill(position=1, name=f"Skill {n % 7}", skill_id=None, display_name="x",
                                       importance=Importance.NICE, min_level=1)]
        db.session.add(opening)
    db.session.commit()


def test_recommendations_issue_the_same_number_of_queries_for_5_and_500_openings(client, auth, count_queries):
    company = make_company(groups=[make_group("PNU")])
    company_id, group_id = company.id, company.partner_groups[0].id
    student = make_skilled_student([("Python", 3), ("PyTorch", 2)])
    auth.login(student.email)
    _bulk_openings(company_id, group_id, 5)
    few = count_queries.page(client, "/student/recommendations")
    _bulk_openings(company_id, group_id, 495)
    many = count_queries.page(client, "/student/recommendations")
    assert few == many
    # Another page of the same ranking: read from the cache, without the eligible openings and their requirements.
    assert count_queries.page(client, "/student/recommendations?page=7") == many - 2
    assert db.session.scalar(select(func.count()).select_from(Company)) == 1


def test_pages_render_in_korean_too(client, auth):
    application = make_application()
    upload_cv(application.student)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    auth.login(application.student.email)
    for path in ["/student/profile", "/student/recommendations", "/student/applications",
                 f"/student/applications/{application.id}", f"/openings/{application.opening_id}/apply"]:
        assert client.get(path, follow_redirects=True).status_code == 200, path
    auth.logout()
    auth.login(manager_of(application.opening.company).email)
    for path in [f"/company/openings/{application.opening_id}/applicants", f"/company/applications/{application.id}",
                 "/company/", "/company/openings"]:
        assert client.get(path).status_code == 200, path
