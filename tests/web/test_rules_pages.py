"""What users see of the rules of issue 12, items 6-11: majors, seats, suspension, offers beyond seats,
company changes under review, changed terms of a published opening."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.models import ApplicationStatus, PlacementStatus
from marketplace.services import applications, companies, placements
from tests.factories import make_exchange_manager
from tests.factories_applications import make_application, make_skilled_student, move
from tests.factories_companies import make_opening, manager_of
from tests.factories_placements import make_placement, reviewer_for
from tests.web.test_companies_pages import _opening_form


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_apply_page_says_the_opening_is_for_other_majors(app, client, auth):
    opening = make_opening(majors=["Nursing"])
    student = make_skilled_student(major="Medicine")
    auth.login(student.email)
    html = client.get(f"/openings/{opening.id}/apply").get_data(as_text=True)
    assert "only for students of these majors: Nursing" in html
    assert 'name="statement"' not in html
    recommended = client.get("/student/recommendations").get_data(as_text=True)
    assert opening.title not in recommended


# -- item 6: offers beyond the seats and returned requests --------------------------------------------------------


def test_an_offer_beyond_the_seats_asks_for_a_tick_and_keeps_the_message(app, client, auth):
    opening = make_opening(seats=1)
    manager = manager_of(opening.company)
    move(manager, make_application(make_skilled_student(), opening), "shortlist", "offer")
    second = make_application(make_skilled_student(), opening)
    move(manager, second, "shortlist")
    auth.login(manager.email)
    page = f"/company/applications/{second.id}"
    html = client.get(page).get_data(as_text=True)
    assert "free for a new offer 0" in html and 'name="confirm_over_seats"' in html
    response = auth.post(f"{page}/offer", {"message": "Start on Monday"}, form_page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="confirm_over_seats-error"' in html and "Every seat is spoken for" in html
    assert "Start on Monday" in html
    db.session.refresh(second)
    assert second.status == ApplicationStatus.SHORTLISTED
    response = auth.post(f"{page}/offer", {"confirm_over_seats": "y"}, form_page=page)
    assert response.status_code == 302
    db.session.refresh(second)
    assert second.status == ApplicationStatus.OFFERED


def test_a_returned_request_shows_reason_and_next_step_to_all_three_parties(app, client, auth):
    opening = make_opening()
    application = make_application(make_skilled_student(), opening)
    move(manager_of(opening.company), application, "shortlist", "offer")
    placement = applications.accept_offer(application.student, application)
    db.session.commit()
    reviewer = reviewer_for(application.student)
    placements.return_placement(reviewer, placement.id, "The internship overlaps the student's exam period.")
    db.session.commit()
    pages = [(application.student.email, f"/student/applications/{application.id}"),
             (manager_of(opening.company).email, f"/company/applications/{application.id}"),
             (reviewer.email, f"/manager/placements/{placement.id}")]
    for email, path in pages:
        auth.login(email)
        html = client.get(path).get_data(as_text=True)
        assert "The placement request was returned" in html, path
        assert "overlaps the student&#39;s exam period" in html, path
        assert "What next:" in html and "apply to other openings" in html, path
        assert "Offer accepted" not in html.split("</h1>")[0], path  # no green badge beside the title
        auth.logout()
    auth.login(application.student.email)
    assert "Placement returned" in client.get("/student/applications").get_data(as_text=True)


def test_the_console_shows_requests_waiting_against_seats_left(app, client, auth):
    opening = make_opening(seats=1)
    first = make_placement(make_skilled_student(), opening)
    make_placement(make_skilled_student(), opening)
    auth.login(reviewer_for(first.student).email)
    html = client.get("/manager/").get_data(as_text=True)
    assert "2 requests waiting" in html and "more requests than seats left" in html


# -- item 8: seats below the approved placements ---------------------------------------------------------------------


def test_cutting_seats_below_the_approved_placements_is_refused_beside_the_field(app, client, auth):
    opening = make_opening(seats=2)
    make_placement(make_skilled_student(), opening, status=PlacementStatus.APPROVED)
    make_placement(make_skilled_student(), opening, status=PlacementStatus.APPROVED)
    auth.login(manager_of(opening.company).email)
    path = f"/company/openings/{opening.id}/edit"
    form = _opening_form(opening.company, title="A new title typed", seats="1")
    response = auth.post(path, form, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="seats-error"' in html and "fewer than the approved placements (2 now)" in html
    assert 'value="A new title typed"' in html
    db.session.refresh(opening)
    assert opening.seats == 2


# -- item 10: a suspended company -------------------------------------------------------------------------------------


def test_a_suspended_company_is_told_why_it_cannot_shortlist(app, client, auth):
    opening = make_opening()
    application = make_application(make_skilled_student(), opening)
    companies.suspend_company(make_exchange_manager(*opening.company.partner_groups), opening.company,
                              "Insurance certificate expired.")
    db.session.commit()
    auth.login(manager_of(opening.company).email)
    page = f"/company/applications/{application.id}"
    response = auth.post(f"{page}/shortlist", form_page=page)
    assert response.status_code == 409
    assert "Insurance certificate expired." in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_placement_page_shows_the_suspension_as_blocking(app, client, auth):
    opening = make_opening()
    placement = make_placement(make_skilled_student(), opening)
    companies.suspend_company(make_exchange_manager(*opening.company.partner_groups), opening.company,
                              "Insurance certificate expired.")
    db.session.commit()
    auth.login(reviewer_for(placement.student).email)
    html = client.get(f"/manager/placements/{placement.id}").get_data(as_text=True)
    assert "alert-danger" in html and "is suspended" in html and "Insurance certificate expired." in html


# -- item 9: changes of an approved company -------------------------------------------------------------------------


def test_a_new_name_waits_for_review_and_the_reviewer_decides_it(app, client, auth):
    from tests.factories import make_group
    from tests.factories_companies import make_company
    from tests.web.test_companies_pages import _company_form

    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu], name="Busan Imaging")
    manager = manager_of(company)
    snu_reviewer = make_exchange_manager(snu)
    auth.login(manager.email)
    form = _company_form(pnu, name="Korea Imaging", business_number=company.business_number_display,
                         group_ids=[str(pnu.id), str(snu.id)])
    response = auth.post("/company/edit", form, form_page="/company/edit", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "wait for an exchange manager" in html and "Changes waiting for review" in html
    assert "Korea Imaging" in html and "Busan Imaging" in html
    edit = client.get("/company/edit").get_data(as_text=True)
    assert 'value="Korea Imaging"' in edit  # the form shows what was last saved
    assert "Busan Imaging" in client.get(f"/companies/{company.id}").get_data(as_text=True)  # public: approved
    auth.logout()

    auth.login(snu_reviewer.email)  # the reviewer of the NEW group sees it
    console = client.get("/manager/").get_data(as_text=True)
    assert 'id="company-changes"' in console and "Busan Imaging" in console.split('id="company-changes"')[1]
    page = f"/manager/companies/{company.id}"
    html = client.get(page).get_data(as_text=True)
    assert "Changes waiting for review" in html and "Korea Imaging" in html
    response = auth.post(page, {"decision": "approve_changes", "note": ""}, form_page=page)
    assert response.status_code == 302
    db.session.refresh(company)
    assert company.name == "Korea Imaging" and company.pending_changes is None


# -- item 11: terms as agreed and now --------------------------------------------------------------------------------


def test_the_placement_page_shows_terms_as_agreed_and_now(app, client, auth):
    from marketplace.services import openings
    from tests.factories_companies import opening_data

    opening = make_opening(stipend_krw=1_500_000)
    application = make_application(make_skilled_student(), opening)
    move(manager_of(opening.company), application, "shortlist", "offer")
    placement = applications.accept_offer(application.student, application)
    db.session.commit()
    openings.update_opening(manager_of(opening.company), opening,
                            opening_data(opening.company, title=opening.title, stipend_krw=900_000))
    db.session.commit()
    auth.login(reviewer_for(application.student).email)
    html = client.get(f"/manager/placements/{placement.id}").get_data(as_text=True)
    assert "Terms as agreed and now" in html
    row = html.split("Monthly stipend", 2)[1].split("</tr>")[0]
    assert "changed" in row and "1,500,000" in row and "900,000" in row
    assert "changed the opening&#39;s terms after the student accepted" in html
    auth.logout()
    for email, path, sentence in (
            (application.student.email, f"/student/applications/{application.id}", "after you accepted"),
            (manager_of(opening.company).email, f"/company/applications/{application.id}",
             "after this student accepted")):
        auth.login(email)
        html = client.get(path).get_data(as_text=True)
        assert sentence in html and "Terms as agreed and now" in html, path
        assert "1,500,000" in html.split("Monthly stipend", 2)[1].split("</tr>")[0], path
        auth.logout()
