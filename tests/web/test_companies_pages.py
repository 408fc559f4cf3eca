"""Company managers' pages: registering, editing, joining, openings with skill rows; and who may open them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Company, CompanyStatus, MembershipStatus, OpeningStatus
from marketplace.services import companies, openings
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of, opening_data
from tests.pageforms import form_fields


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English source strings."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _company_form(group, **overrides) -> dict:
    data = {"name": "Deep Bio Inc.", "business_number": "220-81-62517", "sector": "bio_venture", "size": "50-299",
            "description": "Cancer pathology AI", "website": "deepbio.co.kr", "address": "Seoul",
            "group_ids": [str(group.id)]}
    data.update(overrides)
    return data


def _opening_form(company, **overrides) -> dict:
    today = today_in_seoul()
    data = {
        "kind": "internship", "title": "Clinical NLP intern", "description": "Korean discharge summaries",
        "skills-0-name": "Python", "skills-0-importance": "must", "skills-0-min_level": "3",
        "skills-1-name": "Natural language processing", "skills-1-importance": "should", "skills-1-min_level": "2",
        "skills-2-name": "", "skills-2-importance": "must", "skills-2-min_level": "3",
        "group_ids": [str(g.id) for g in company.partner_groups], "degree_levels": ["master"],
        "majors": "Computer Science\nMedical Informatics", "seats": "2", "work_mode": "onsite",
        "location": "Busan", "start_date": (today + timedelta(days=60)).isoformat(),
        "end_date": (today + timedelta(days=120)).isoformat(), "deadline": (today + timedelta(days=30)).isoformat(),
        "hours_per_week": "20", "stipend_krw": "1,500,000", "supervisor_name": "Dr. Lee",
    }
    data.update(overrides)
    return data


# -- registering and editing a company ------------------------------------------------------------------------


def test_company_manager_without_company_is_offered_to_create_or_join(client, auth):
    auth.login(make_company_manager().email)
    html = client.get("/company/").get_data(as_text=True)
    assert "Create the company profile" in html and "Ask to join" in html
    assert client.get("/company/openings").status_code == 302
    assert client.get("/company/openings/new").status_code == 302


def test_company_manager_registers_a_company_through_the_form(client, auth):
    group = make_group("PNU")
    auth.login(make_company_manager().email)
    response = auth.post("/company/new", _company_form(group), form_page="/company/new")
    assert response.status_code == 302
    company = db.session.query(Company).one()
    assert company.business_number == "2208162517" and company.status == CompanyStatus.PENDING
    assert company.website == "https://deepbio.co.kr"
    html = client.get("/company/").get_data(as_text=True)
    assert "waiting for review" in html and "220-81-62517" in html


@pytest.mark.parametrize("overrides, message", [
    ({"business_number": "220-81-62518"}, "check digit"),
    ({"business_number": "12345"}, "10-digit"),
    ({"group_ids": ["99999"]}, "Choose at least one of the listed project groups"),
    ({"group_ids": ["abc"]}, "Choose at least one of the listed project groups"),
    ({"sector": "weapons"}, "Choose a sector"),
    ({"name": ""}, "This field is required"),
])
def test_bad_company_input_is_explained_and_nothing_typed_is_lost(client, auth, overrides, message):
    group = make_group("PNU")
    auth.login(make_company_manager().email)
    response = auth.post("/company/new", _company_form(group, **overrides), form_page="/company/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Cancer pathology AI" in html  # the description typed is still there
    assert db.session.query(Company).count() == 0


def test_duplicate_company_is_refused_with_a_pointer_to_joining(client, auth):
    group = make_group("PNU")
    make_company(groups=[group], business_number="2208162517")
    auth.login(make_company_manager().email)
    response = auth.post("/company/new", _company_form(group), form_page="/company/new")
    assert response.status_code == 409  # a Conflict: the form comes back, what was typed kept
    assert "already registered" in response.get_data(as_text=True)
    assert 'value="220-81-62517"' in response.get_data(as_text=True)


def test_rejected_company_sees_the_reason_and_resubmits_by_saving(client, auth):
    group = make_group("PNU")
    company = make_company(groups=[group], approved=False, business_number="2208162517")
    companies.reject_company(make_exchange_manager(group), company, "Please attach the <b>right</b> sector.")
    db.session.commit()
    auth.login(manager_of(company).email)
    html = client.get("/company/").get_data(as_text=True)
    assert "Please attach the &lt;b&gt;right&lt;/b&gt; sector." in html
    response = auth.post("/company/edit", _company_form(group, name=company.name), form_page="/company/edit")
    assert response.status_code == 302
    db.session.refresh(company)
    assert company.status == CompanyStatus.PENDING


def test_second_manager_asks_to_join_and_the_first_accepts_on_the_dashboard(client, auth):
    company = make_company(business_number="2208162517")
    newcomer = make_company_manager()
    auth.login(newcomer.email)
    assert auth.post("/company/join", {"business_number": "2208162517"}, form_page="/company/join").status_code == 302
    assert "You asked to join" in client.get("/company/").get_data(as_text=True)
    auth.logout()
    auth.login(manager_of(company).email)
    html = client.get("/company/").get_data(as_text=True)
    assert newcomer.email in html
    membership = companies.open_join_request(newcomer)
    assert auth.post(f"/company/join-requests/{membership.id}/accept").status_code == 302
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.ACTIVE


def test_join_with_an_invalid_number_is_explained(client, auth):
    auth.login(make_company_manager().email)
    response = auth.post("/company/join", {"business_number": "000-00-00001"}, form_page="/company/join")
    assert response.status_code == 400
    assert "check digit" in response.get_data(as_text=True)


def test_manager_of_another_company_cannot_accept_a_join_request(client, auth):
    company = make_company()
    membership = companies.request_to_join(make_company_manager(), company.business_number)
    db.session.commit()
    auth.login(manager_of(make_company()).email)
    assert auth.post(f"/company/join-requests/{membership.id}/accept").status_code == 404
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.REQUESTED


# -- openings ---------------------------------------------------------------------------------------------------


def test_company_manager_posts_a_draft_and_submits_it(client, auth):
    company = make_company()
    auth.login(manager_of(company).email)
    assert client.get("/company/openings/new").status_code == 200
    response = auth.post("/company/openings/new", _opening_form(company), form_page="/company/openings/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    opening = db.session.scalars(openings.company_openings_query(company)).one()
    assert opening.status == OpeningStatus.DRAFT and opening.stipend_krw == 1_500_000
    assert [s.name for s in opening.skills] == ["Python", "Natural language processing"]
    assert opening.skills[0].skill_id == "python"
    assert opening.major_list == ["Computer Science", "Medical Informatics"]
    assert auth.post(f"/company/openings/{opening.id}/submit").status_code == 302
    db.session.refresh(opening)
    assert opening.status == OpeningStatus.IN_REVIEW
    html = client.get("/company/openings").get_data(as_text=True)
    assert "Clinical NLP intern" in html and "In review" in html


@pytest.mark.parametrize("typed", ["1,200,000", "₩1,200,000", "1,200,000원", "1 200 000 원", "１２00000", "1200000"])
def test_stipend_accepts_thousands_separators_and_currency_marks(client, auth, typed):
    company = make_company()
    auth.login(manager_of(company).email)
    form_html = client.get("/company/openings/new").get_data(as_text=True)
    stipend_input = re.search(r'<input[^>]*id="stipend_krw"[^>]*>', form_html).group(0)
    assert 'type="text"' in stipend_input and 'inputmode="numeric"' in stipend_input  # a number box refuses commas
    response = auth.post("/company/openings/new", _opening_form(company, stipend_krw=typed),
                         form_page="/company/openings/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    opening = db.session.scalars(openings.company_openings_query(company)).one()
    assert opening.stipend_krw == 1_200_000
    edit = client.get(f"/company/openings/{opening.id}/edit").get_data(as_text=True)
    assert 'value="1,200,000"' in edit


def test_company_form_shows_a_business_number_example_that_passes_its_own_check(client, auth):
    from marketplace.services.companies import is_valid_business_number

    auth.login(make_company_manager().email)
    html = client.get("/company/new").get_data(as_text=True)
    examples = set(re.findall(r"\d{3}-\d{2}-\d{5}", html))
    assert examples and all(is_valid_business_number(e.replace("-", "")) for e in examples)


def test_add_skill_button_adds_a_row_without_saving(client, auth):
    company = make_company()
    auth.login(manager_of(company).email)
    form = _opening_form(company, add_skill="Add a skill row")
    response = auth.post("/company/openings/new", form, form_page="/company/openings/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="skills-3-name"' in html
    assert 'value="Natural language processing"' in html
    assert db.session.scalars(openings.company_openings_query(company)).first() is None


@pytest.mark.parametrize("overrides, message", [
    ({"seats": "0"}, "Enter a number from 1 to 1000"),
    ({"end_date": "2000-01-01"}, "The end date must be after the start date"),
    ({"skills-1-name": "x" * 200}, "Use at most 100 characters"),
    ({"skills-1-name": "python"}, "listed twice"),
    ({"group_ids": ["99999"]}, "Choose only project groups your company partners with"),
    ({"hours_per_week": "60"}, "Enter the hours per week, from 1 to 40"),  # no schedule rows posted: a shorthand
    ({"schedule-0-start": "18:00", "schedule-0-end": "09:00"}, "before it starts"),
    ({"stipend_krw": "-5"}, "Enter a number from 0 to"),
    ({"skills-0-min_level": "9"}, "Choose a minimum level from 1 to 5"),
    ({"start_date": "not-a-date"}, "Not a valid date"),
])
def test_bad_opening_input_is_explained_and_nothing_typed_is_lost(client, auth, overrides, message):
    company = make_company()
    auth.login(manager_of(company).email)
    response = auth.post("/company/openings/new", _opening_form(company, **overrides),
                         form_page="/company/openings/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Korean discharge summaries" in html and "Dr. Lee" in html
    assert db.session.scalars(openings.company_openings_query(company)).first() is None


def test_tampered_group_of_another_company_is_refused(client, auth):
    snu = make_group("SNU")
    company = make_company(groups=[make_group("PNU")])
    auth.login(manager_of(company).email)
    response = auth.post("/company/openings/new", _opening_form(company, group_ids=[str(snu.id)]),
                         form_page="/company/openings/new")
    assert response.status_code == 400
    assert "partners with" in response.get_data(as_text=True)


def test_editing_a_published_openings_seats_sends_it_back_to_review(client, auth):
    opening = make_opening(skills=[openings.SkillRequirement("Python", "must", 3)])
    auth.login(manager_of(opening.company).email)
    page = client.get(f"/company/openings/{opening.id}/edit")
    assert page.status_code == 200 and 'value="Python"' in page.get_data(as_text=True)
    form = _opening_form(opening.company, title=opening.title, seats="5",
                         **{"skills-1-name": "", "skills-0-name": "Python"})
    response = auth.post(f"/company/openings/{opening.id}/edit", form, form_page=f"/company/openings/{opening.id}/edit",
                         follow_redirects=True)
    assert "went back to review" in response.get_data(as_text=True)
    db.session.refresh(opening)
    assert opening.status == OpeningStatus.IN_REVIEW and opening.seats == 5


def test_company_manager_closes_a_published_opening(client, auth):
    opening = make_opening()
    auth.login(manager_of(opening.company).email)
    assert auth.post(f"/company/openings/{opening.id}/close").status_code == 302
    db.session.refresh(opening)
    assert opening.status == OpeningStatus.CLOSED
    assert client.get(f"/openings/{opening.id}").status_code == 200  # its own managers still see it


def test_submitting_for_a_pending_company_explains_why_not(client, auth):
    company = make_company(approved=False)
    opening = openings.create_opening(manager_of(company), opening_data(company))
    db.session.commit()
    auth.login(manager_of(company).email)
    response = auth.post(f"/company/openings/{opening.id}/submit", follow_redirects=True)
    assert "Only approved companies" in response.get_data(as_text=True)


def test_company_manager_cannot_edit_submit_or_close_another_companys_opening(client, auth):
    draft = make_opening(status=OpeningStatus.DRAFT)
    published = make_opening()
    auth.login(manager_of(make_company()).email)
    assert client.get(f"/company/openings/{draft.id}/edit").status_code == 404
    assert auth.post(f"/company/openings/{draft.id}/edit", _opening_form(draft.company)).status_code == 404
    assert auth.post(f"/company/openings/{draft.id}/submit").status_code == 404
    assert auth.post(f"/company/openings/{published.id}/close").status_code == 404
    html = client.get("/company/openings").get_data(as_text=True)
    assert draft.title not in html


# -- permissions per role ----------------------------------------------------------------------------------------

COMPANY_PAGES = ["/company/", "/company/new", "/company/edit", "/company/join", "/company/openings",
                 "/company/openings/new"]


@pytest.mark.parametrize("path", COMPANY_PAGES)
def test_company_pages_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["student", "exchange_manager", "admin"])
def test_company_pages_are_forbidden_to_other_roles(client, auth, role):
    user = {"student": make_student, "admin": make_admin,
            "exchange_manager": lambda: make_exchange_manager(make_group("PNU"))}[role]()
    auth.login(user.email)
    for path in COMPANY_PAGES:
        assert client.get(path).status_code == 403, path
    assert auth.post("/company/new", {}).status_code == 403


def test_nav_shows_company_links_to_company_managers(client, auth):
    auth.login(make_company_manager().email)
    html = client.get("/openings").get_data(as_text=True)
    assert "/company/openings" in html and 'href="/company/"' in html


# -- saving a form unchanged changes nothing (every saved value is shown) ---------------------------------------


def test_saving_an_opening_unchanged_keeps_every_value_and_it_stays_published(client, auth):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu, snu])
    opening = make_opening(company, group_ids=[pnu.id, snu.id], degree_levels=["master", "phd"],
                           majors=["Biomedical Engineering", "Medicine"],
                           skills=[openings.SkillRequirement("Python", "must", 3),
                                   openings.SkillRequirement("PyTorch", "nice", 2)])
    before = (opening.eligible_group_ids, opening.degree_level_list, opening.major_list,
              [(s.name, s.importance, s.min_level) for s in opening.skills], opening.stipend_krw, opening.title,
              opening.start_date, opening.deadline)
    auth.login(manager_of(company).email)
    html = client.get(f"/company/openings/{opening.id}/edit").get_data(as_text=True)
    posted = form_fields(html, having="title")
    assert sorted(posted["group_ids"]) == sorted([str(pnu.id), str(snu.id)])  # the saved groups are ticked
    response = client.post(f"/company/openings/{opening.id}/edit", data=posted, follow_redirects=True)
    assert response.status_code == 200 and "went back to review" not in response.get_data(as_text=True)
    db.session.refresh(opening)
    assert opening.status == OpeningStatus.PUBLISHED
    assert (opening.eligible_group_ids, opening.degree_level_list, opening.major_list,
            [(s.name, s.importance, s.min_level) for s in opening.skills], opening.stipend_krw, opening.title,
            opening.start_date, opening.deadline) == before


def test_saving_the_company_profile_unchanged_keeps_every_value(client, auth):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu, snu])
    before = (company.name, company.business_number, company.sector, company.size, company.description,
              company.website, company.address, sorted(company.partner_group_ids), company.status)
    auth.login(manager_of(company).email)
    posted = form_fields(client.get("/company/edit").get_data(as_text=True), having="business_number")
    response = client.post("/company/edit", data=posted, follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(company)
    assert (company.name, company.business_number, company.sector, company.size, company.description,
            company.website, company.address, sorted(company.partner_group_ids), company.status) == before
