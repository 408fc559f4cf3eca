"""Two tabs on one record: the older form's save is refused with a 409 that keeps what was typed and shows
what changed meanwhile; saving again from that page then keeps the user's version, knowingly."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.models import Company, OpeningStatus, StudentProfile
from tests.factories import make_student
from tests.factories_applications import give_skills
from tests.factories_companies import make_company, make_opening, manager_of
from tests.pageforms import form_fields


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_older_tab_on_an_opening_gets_a_409_that_keeps_its_text_and_shows_the_saved_title(client, auth):
    opening = make_opening(title="Chest CT triage", description="Segment CT scans.")
    auth.login(manager_of(opening.company).email)
    path = f"/company/openings/{opening.id}/edit"
    tab_one = form_fields(client.get(path).get_data(as_text=True), having="title")
    tab_two = form_fields(client.get(path).get_data(as_text=True), having="title")

    tab_one["title"] = "Chest CT triage (2027)"
    assert client.post(path, data=tab_one).status_code == 302

    tab_two["description"] = "Segment CT scans and write the validation report."
    response = client.post(path, data=tab_two)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone saved this page after you opened it" in html and "Saved meanwhile" in html
    assert "Segment CT scans and write the validation report." in html  # what they typed is still in the form
    assert "Chest CT triage (2027)" in html  # the saved title, beside theirs
    db.session.refresh(opening)
    assert opening.title == "Chest CT triage (2027)" and opening.description == "Segment CT scans."

    # Saving again from the 409 page is a deliberate choice: their version is kept.
    again = form_fields(html, having="title")
    assert client.post(path, data=again).status_code == 302
    db.session.refresh(opening)
    assert opening.description == "Segment CT scans and write the validation report."
    assert opening.title == "Chest CT triage" and opening.status == OpeningStatus.PUBLISHED


def test_a_stale_company_profile_save_is_refused_with_the_input_kept(client, auth):
    company = make_company(name="Lunit", address="Seoul")
    auth.login(manager_of(company).email)
    tab_one = form_fields(client.get("/company/edit").get_data(as_text=True), having="business_number")
    tab_two = dict(tab_one)
    tab_one["address"] = "Seoul, Gangnam-gu"
    assert client.post("/company/edit", data=tab_one).status_code == 302
    tab_two["description"] = "Cancer screening AI"
    response = client.post("/company/edit", data=tab_two)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Cancer screening AI" in html and "Seoul, Gangnam-gu" in html
    assert db.session.get(Company, company.id).address == "Seoul, Gangnam-gu"


def test_a_stale_profile_save_keeps_the_skills_typed_and_lists_the_saved_ones(client, auth):
    student = give_skills(make_student(), [("Python", 3)])
    auth.login(student.email)
    tab_one = form_fields(client.get("/student/profile").get_data(as_text=True), having="major")
    tab_two = dict(tab_one)
    tab_one["skills-1-name"] = "PyTorch"
    assert client.post("/student/profile", data=tab_one).status_code == 302
    tab_two["skills-1-name"] = "Deep learning"
    response = client.post("/student/profile", data=tab_two)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'value="Deep learning"' in html and "PyTorch" in html
    profile = db.session.get(StudentProfile, student.student_profile.id)
    assert [s.name for s in profile.skills] == ["Python", "PyTorch"]


def test_saving_the_profile_unchanged_changes_nothing(client, auth):
    student = give_skills(make_student(), [("Python", 3), ("PyTorch", 2)])
    auth.login(student.email)
    posted = form_fields(client.get("/student/profile").get_data(as_text=True), having="major")
    assert client.post("/student/profile", data=posted).status_code == 302
    profile = db.session.get(StudentProfile, student.student_profile.id)
    assert [(s.name, s.level) for s in profile.skills] == [("Python", 3), ("PyTorch", 2)]


def test_approving_a_company_rejected_meanwhile_is_a_409_that_keeps_the_note(client, auth):
    from marketplace.models import CompanyStatus
    from marketplace.services import companies
    from tests.factories import make_company_manager, make_exchange_manager, make_group
    from tests.factories_companies import company_data

    pnu = make_group("PNU")
    company = companies.create_company(make_company_manager(), company_data([pnu]))
    db.session.commit()
    approver, rejecter = make_exchange_manager(pnu), make_exchange_manager(pnu)
    auth.login(approver.email)
    path = f"/manager/companies/{company.id}"
    posted = form_fields(client.get(path).get_data(as_text=True), having="note")
    companies.reject_company(rejecter, companies.get_company(company.id), "The number belongs to another firm.")
    db.session.commit()
    posted.update(note="Checked the registry on 2026-11-29.", decision="approve")
    response = client.post(path, data=posted)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Checked the registry on 2026-11-29." in html and "cannot become “Approved”" in html
    db.session.expire_all()
    assert db.session.get(Company, company.id).status == CompanyStatus.REJECTED
