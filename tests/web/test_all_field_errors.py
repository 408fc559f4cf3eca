"""A form with several mistakes shows every message beside its own field at once, and keeps what was typed."""
from __future__ import annotations

import re

import pytest

from marketplace.models import Company, User
from marketplace.extensions import db
from tests.factories import make_company_manager, make_group, make_student
from tests.factories_companies import make_company, manager_of


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def error_beside(html: str, field_id: str) -> str:
    """The text of the error shown beside the field `field_id` ('' when there is none)."""
    match = re.search(rf'<div class="invalid-feedback[^"]*" id="{re.escape(field_id)}-error">([^<]*)</div>', html)
    return match.group(1) if match else ""


def test_company_form_with_two_bad_fields_shows_both_messages_beside_them(client, auth):
    group = make_group("PNU")
    auth.login(make_company_manager().email)
    response = auth.post("/company/new", {
        "name": "Deep Bio Inc.", "business_number": "220-81-62518", "sector": "bio_venture", "size": "50-299",
        "website": "not a web address", "address": "Seoul", "group_ids": [str(group.id)],
    }, form_page="/company/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "check digit does not match" in error_beside(html, "business_number")
    assert "Enter a web address" in error_beside(html, "website")
    assert 'value="220-81-62518"' in html and 'value="not a web address"' in html
    assert db.session.scalar(db.select(Company).where(Company.name == "Deep Bio Inc.")) is None


def test_opening_form_reports_a_bad_field_and_a_bad_skill_row_together(client, auth):
    company = make_company()
    auth.login(manager_of(company).email)
    response = auth.post("/company/openings/new", {
        "kind": "internship", "title": "Clinical NLP intern", "seats": "2", "work_mode": "onsite", "location": "",
        "skills-0-name": "Python", "skills-0-importance": "must", "skills-0-min_level": "9",
        "group_ids": [str(g.id) for g in company.partner_groups], "start_date": "2030-03-01",
        "end_date": "2030-02-01", "deadline": "2030-01-15", "hours_per_week": "20", "stipend_krw": "0",
        "supervisor_name": "Dr. Lee",
    }, form_page="/company/openings/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter where the work takes place." in error_beside(html, "location")
    assert "The end date must be after the start date." in error_beside(html, "end_date")
    assert "Choose a minimum level from 1 to 5." in error_beside(html, "skills-0-min_level")
    assert 'value="Clinical NLP intern"' in html and 'value="Python"' in html


def test_profile_reports_every_bad_skill_row_and_field_at_once(client, auth):
    auth.login(make_student().email)
    response = auth.post("/student/profile", {
        "major": "Medicine", "degree_level": "doctorate", "year": "1", "track_id": "", "bio": "",
        "hours_per_week": "", "available_from": "",
        "skills-0-name": "Python", "skills-0-level": "0", "skills-1-name": "Statistics", "skills-1-level": "9",
    }, form_page="/student/profile")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a degree level." in error_beside(html, "degree_level")
    assert "Choose a level from 1 to 5." in error_beside(html, "skills-0-level")
    assert "Choose a level from 1 to 5." in error_beside(html, "skills-1-level")
    assert 'value="Statistics"' in html


def test_registration_reports_every_mistake_together_and_never_that_the_address_is_taken(client, auth):
    make_group("PNU")
    taken = make_student().email
    response = auth.post("/auth/register/student", {
        "display_name": "Kim", "email": taken, "password": "a long passphrase 42", "confirm": "a long passphrase 42",
        "group_id": "", "major": "Nursing", "degree_level": "", "year": "", "track_id": "",
    }, form_page="/auth/register/student")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already" not in html and 'id="email-error"' not in html  # no page tells whether it has an account
    assert "Choose one of the listed project groups." in error_beside(html, "group_id")
    assert "Choose a degree level." in error_beside(html, "degree_level")
    assert 'value="Nursing"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_group_form_reports_a_bad_code_and_a_bad_domain_together(client, auth):
    from tests.factories import make_admin

    auth.login(make_admin().email)
    response = auth.post("/admin/groups/new", {
        "code": "x", "name_en": "Typed Name", "name_ko": "입력한 이름", "email_domains": "khu.ac.kr, not a domain",
    }, form_page="/admin/groups/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "capital letters" in error_beside(html, "code")
    assert "is not a valid domain" in error_beside(html, "email_domains")
    assert 'value="Typed Name"' in html
