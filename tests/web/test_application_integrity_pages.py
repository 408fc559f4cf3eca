"""The company's application page: which box goes with which action, a stale action's 409, and what the
company still sees after the student withdraws."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.models import Application, ApplicationStatus
from marketplace.services import applications, students
from tests.factories_applications import give_skills, make_application, make_skilled_student, move, upload_cv
from tests.factories_companies import make_opening, manager_of
from tests.pageforms import form_fields, forms_by_action


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_message_box_belongs_to_the_decline_form_only(client, auth):
    application = make_application()
    auth.login(manager_of(application.opening.company).email)
    path = f"/company/applications/{application.id}"
    html = client.get(path).get_data(as_text=True)
    forms = forms_by_action(html)
    assert "message" in forms[f"{path}/reject"]
    assert "message" not in forms[f"{path}/shortlist"]
    assert "Message with the decline (optional)" in html and "no message is sent with it" in html
    # The message posted with the decline reaches the student.
    decline = form_fields(html, having="message")
    decline["message"] = "We chose a candidate with DICOM experience."
    assert client.post(f"{path}/reject", data=decline).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).company_message == "We chose a candidate with DICOM experience."


def test_the_offer_form_has_no_box_whose_text_it_would_drop(client, auth):
    application = make_application()
    company_manager = manager_of(application.opening.company)
    move(company_manager, application, "shortlist")
    auth.login(company_manager.email)
    path = f"/company/applications/{application.id}"
    forms = forms_by_action(client.get(path).get_data(as_text=True))
    assert "message" not in forms[f"{path}/offer"]
    assert "message" in forms[f"{path}/reject"]


def test_declining_an_application_withdrawn_since_the_page_opened_is_a_409_that_keeps_the_message(client, auth):
    application = make_application()
    auth.login(manager_of(application.opening.company).email)
    path = f"/company/applications/{application.id}"
    decline = form_fields(client.get(path).get_data(as_text=True), having="message")
    # Meanwhile the student withdraws.
    applications.withdraw(application.student, application)
    db.session.commit()
    decline["message"] = "Thank you for applying."
    response = client.post(f"{path}/reject", data=decline)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This application is “Withdrawn” and cannot become “Not successful”." in html
    assert "Your message was not sent:" in html and "Thank you for applying." in html
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.WITHDRAWN


def test_after_a_withdrawal_the_company_sees_no_statement_and_no_later_profile_edits(client, auth):
    student = make_skilled_student([("Python", 4), ("PyTorch", 3)])
    upload_cv(student)
    opening = make_opening()
    application = make_application(student, opening, statement="I segment CT scans with PyTorch every day.")
    company_manager = manager_of(opening.company)
    move(company_manager, application, "shortlist")
    applications.withdraw(student, application)
    db.session.commit()
    # After withdrawing, the student edits their profile: the company must not see any of it.
    profile = students.get_profile(student)
    students.update_profile(student, profile, students.ProfileData(
        major="Nursing informatics", degree_level=profile.degree_level.value, bio="Now at a hospital lab.",
        skills=[students.SkillEntry("Rust", 5)]))
    db.session.commit()

    auth.login(company_manager.email)
    html = client.get(f"/company/applications/{application.id}").get_data(as_text=True)
    assert "The applicant withdrew this application" in html
    for private in ("I segment CT scans", "Nursing informatics", "Now at a hospital lab.", "Rust",
                    "Download the CV", "PyTorch"):
        assert private not in html, private
    assert student.display_name in html  # the record itself stays: who applied and withdrew, when
    ranked = client.get(f"/company/openings/{opening.id}/applicants").get_data(as_text=True)
    assert student.display_name in ranked and "no longer shared" in ranked
    assert "Nursing informatics" not in ranked and "Rust" not in ranked
    assert client.get(f"/applications/{application.id}/cv").status_code == 404


def test_before_a_withdrawal_the_company_sees_the_statement_and_profile(client, auth):
    student = give_skills(make_skilled_student(), [("Python", 4)])
    application = make_application(student, statement="I segment CT scans with PyTorch every day.")
    auth.login(manager_of(application.opening.company).email)
    html = client.get(f"/company/applications/{application.id}").get_data(as_text=True)
    assert "I segment CT scans" in html and "Python" in html and "withdrew" not in html
