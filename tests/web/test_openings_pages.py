"""Public openings pages: the list with filters and pagination, detail pages, the skills API, no N+1."""
from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Importance, Opening, OpeningKind, OpeningSkill, OpeningStatus, ProjectGroup, WorkMode
from marketplace.models.base import utcnow
from marketplace.services import search
from marketplace.services.openings import SkillRequirement as Req
from tests.factories import make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of, past


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English source strings."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _unmarked(response) -> str:
    """The page without the search highlights' <mark> tags."""
    return response.get_data(as_text=True).replace("<mark>", "").replace("</mark>", "")


def test_everyone_sees_published_openings_on_the_list(client):
    make_opening(title="Chest X-ray triage internship", skills=[Req("PyTorch", "must", 3)])
    make_opening(title="Secret draft", status=OpeningStatus.DRAFT)
    make_opening(title="Waiting review", status=OpeningStatus.IN_REVIEW)
    html = client.get("/openings").get_data(as_text=True)
    assert "Chest X-ray triage internship" in html
    assert "Secret draft" not in html and "Waiting review" not in html
    assert "PyTorch" in html


def test_openings_list_filters_by_query_parameters(client):
    company = make_company(name="Lunit")
    make_opening(company, title="Pathology AI", kind="research_project", work_mode="remote", location="",
                 stipend_krw=0, skills=[Req("Computer vision", "must", 3)])
    make_opening(company, title="Biosignal engineer", skills=[Req("Signal processing", "must", 3)])
    html = _unmarked(client.get("/openings?q=pathology"))
    assert "Pathology AI" in html and "Biosignal engineer" not in html
    html = client.get("/openings?kind=research_project&mode=remote&paid=0").get_data(as_text=True)
    assert "Pathology AI" in html and "Biosignal engineer" not in html
    html = client.get("/openings?skill=signal+processing&sort=deadline&open=1").get_data(as_text=True)
    assert "Biosignal engineer" in html and "Pathology AI" not in html


def test_openings_list_says_what_to_do_when_nothing_matches(client):
    make_opening(title="Anything")
    html = client.get("/openings?q=zzzzzz").get_data(as_text=True)
    assert "No openings match these filters" in html
    html = client.get("/openings?q=").get_data(as_text=True)
    assert "Anything" in html


def test_openings_list_ignores_invalid_filters(client):
    make_opening(title="Robust")
    for query in ["kind=x", "mode=%3Cscript%3E", "group=NOPE", "group=999999999999999999", "paid=x",
                  "sort=drop+table", "page=-3", "page=abc", "page=99999", "q=" + "a" * 3000, "skill=" + "b" * 500]:
        response = client.get("/openings?" + query)
        assert response.status_code == 200, query


def test_openings_list_is_paginated_and_keeps_filters_in_page_links(app, client):
    app.config["PAGE_SIZE"] = 2
    company = make_company()
    for n in range(5):
        make_opening(company, title=f"Imaging {n}", reviewer=None)
    html = client.get("/openings?q=imaging").get_data(as_text=True)
    assert "page=2" in html and "q=imaging" in html
    page3 = _unmarked(client.get("/openings?q=imaging&page=3"))
    assert page3.count("Imaging ") == 1


def test_opening_detail_shows_company_requirements_and_dates(client):
    opening = make_opening(title="EMR data pipeline", skills=[Req("Apache Spark", "must", 4)],
                           stipend_krw=1_200_000)
    html = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert "EMR data pipeline" in html
    assert opening.company.name in html
    assert "Apache Spark" in html and "Must have" in html
    assert "1,200,000" in html
    assert f"/companies/{opening.company.id}" in html


def test_html_in_a_description_is_shown_escaped(client):
    opening = make_opening(description="<script>alert('x')</script>\n<b>bold</b>")
    html = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_unpublished_opening_is_not_found_for_the_public_and_students(client, auth):
    draft = make_opening(status=OpeningStatus.DRAFT)
    assert client.get(f"/openings/{draft.id}").status_code == 404
    auth.login(make_student().email)
    assert client.get(f"/openings/{draft.id}").status_code == 404
    assert client.get("/openings/999999").status_code == 404


def test_company_manager_cannot_see_other_companys_draft_opening_page(client, auth):
    draft = make_opening(status=OpeningStatus.DRAFT)
    auth.login(manager_of(make_company()).email)
    assert client.get(f"/openings/{draft.id}").status_code == 404


def test_own_draft_is_visible_to_its_company_with_actions(client, auth):
    draft = make_opening(status=OpeningStatus.DRAFT, title="My draft")
    auth.login(manager_of(draft.company).email)
    html = client.get(f"/openings/{draft.id}").get_data(as_text=True)
    assert "My draft" in html and "Submit for review" in html
    assert "Students do not see this opening" in html


def test_reviewer_sees_an_opening_in_review_with_a_link_to_decide(client, auth):
    opening = make_opening(status=OpeningStatus.IN_REVIEW)
    auth.login(make_exchange_manager(*opening.eligible_groups).email)
    html = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert f"/manager/openings/{opening.id}" in html


def test_deadline_passed_is_shown_on_the_detail_page(client):
    opening = make_opening()
    opening.deadline = past(3)
    db.session.commit()
    html = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert "The application deadline has passed." in html


def test_skill_api_suggests_skills_as_json(client):
    response = client.get("/api/skills?q=pyt")
    assert response.status_code == 200
    names = [s["name"] for s in response.get_json()["skills"]]
    assert "PyTorch" in names
    assert client.get("/api/skills?q=").get_json()["skills"] == []
    assert client.get("/api/skills?q=" + "x" * 5000).status_code == 200


def test_openings_list_page_is_public_and_uses_only_local_scripts(client):
    response = client.get("/openings")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/static/js/skills.js" in html
    assert "<script>" not in html


def _bulk_openings(company_id: int, group_id: int, count: int) -> None:
    today = today_in_seoul()
    now = utcnow()
    group = db.session.get(ProjectGroup, group_id)
    for n in range(count):
        opening = Opening(
            company_id=company_id, kind=OpeningKind.INTERNSHIP, title=f"Bulk {n}", description="d",
            status=OpeningStatus.PUBLISHED, seats=1, work_mode=WorkMode.ONSITE, location="Busan",
            start_date=today + timedelta(days=40), end_date=today + timedelta(days=90), hours_per_week=10,
            stipend_krw=n, deadline=today + timedelta(days=20), supervisor_name="S", published_at=now,
            eligible_groups=[group],
        )
        opening.skills = [OpeningSkill(position=0, name="Python", skill_id="python", display_name="Python",
                                       importance=Importance.MUST, min_level=2),
                          OpeningSkill(position=1, name="PyTorch", skill_id="pytorch", display_name="PyTorch",
                                       importance=Importance.NICE, min_level=1)]
        db.session.add(opening)
        search.index_opening(opening)  # rows written behind the services' back still need their documents
    db.session.commit()


def test_openings_list_issues_the_same_number_of_queries_for_5_and_500_openings(client, count_queries):
    company = make_company(groups=[make_group("PNU")])
    company_id, group_id = company.id, company.partner_groups[0].id
    _bulk_openings(company_id, group_id, 5)
    few = count_queries.page(client, "/openings")
    _bulk_openings(company_id, group_id, 495)
    many = count_queries.page(client, "/openings")
    assert few == many
    filtered_few = count_queries.page(client, "/openings?q=bulk&sort=stipend&page=3")
    assert filtered_few == many


def test_company_page_lists_its_published_openings(client):
    company = make_company(name="Medipixel")
    make_opening(company, title="Angiography AI")
    make_opening(company, title="Unsubmitted idea", status=OpeningStatus.DRAFT)
    html = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Medipixel" in html and "Angiography AI" in html
    assert "Unsubmitted idea" not in html


def test_pending_company_page_is_not_found_for_the_public(client, auth):
    company = make_company(approved=False)
    assert client.get(f"/companies/{company.id}").status_code == 404
    auth.login(make_company_manager().email)
    assert client.get(f"/companies/{company.id}").status_code == 404
    auth.logout()
    auth.login(manager_of(company).email)
    assert client.get(f"/companies/{company.id}").status_code == 200


def test_search_results_mark_the_matched_words_and_escape_the_rest(client):
    company = make_company(name="<i>Evil</i> Labs")
    make_opening(company, title="Chest CT <script>alert(1)</script> project", location="수원시",
                 description="Deep learning on CT volumes.", skills=[Req("Deep Learning", "must", 2)])
    html = client.get("/openings?q=CT").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Chest <mark>CT</mark>" in html and "pro<mark>" not in html
    html = client.get("/openings?q=%EB%94%A5%EB%9F%AC%EB%8B%9D").get_data(as_text=True)  # 딥러닝
    assert "<mark>Deep learning</mark>" in html and "<mark>Deep Learning</mark>" in html
    assert 'value="relevance" selected' in html
    html = client.get("/openings?q=Suwon").get_data(as_text=True)
    assert "<mark>수원시</mark>" in html
    assert "<i>Evil</i>" not in client.get("/openings?q=evil").get_data(as_text=True)
