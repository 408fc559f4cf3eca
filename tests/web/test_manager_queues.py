"""Exchange managers' queues and decision pages: scoped to their groups, every action audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, CompanyStatus, MembershipStatus, OpeningStatus
from marketplace.services import companies
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, past


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English source strings."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_queues_show_pending_companies_and_openings_of_the_managers_groups_only(client, auth):
    pnu, snu = make_group("PNU"), make_group("SNU")
    make_company(groups=[pnu], approved=False, name="Busan Bio Pending")
    make_company(groups=[snu], approved=False, name="Seoul Pending")
    make_opening(make_company(groups=[pnu]), OpeningStatus.IN_REVIEW, title="PNU review item")
    make_opening(make_company(groups=[snu]), OpeningStatus.IN_REVIEW, title="SNU review item")
    auth.login(make_exchange_manager(pnu).email)
    html = client.get("/manager/").get_data(as_text=True)
    assert "Busan Bio Pending" in html and "PNU review item" in html
    assert "Seoul Pending" not in html and "SNU review item" not in html


def test_empty_queues_say_so(client, auth):
    auth.login(make_exchange_manager(make_group("PNU")).email)
    html = client.get("/manager/").get_data(as_text=True)
    assert "No company is waiting" in html and "No opening is waiting for review" in html


def test_exchange_manager_approves_a_company_on_its_decision_page(client, auth):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu], approved=False, name="Approve Me")
    reviewer = make_exchange_manager(pnu)
    auth.login(reviewer.email)
    page = client.get(f"/manager/companies/{company.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Approve Me" in html and company.business_number_display in html
    response = auth.post(f"/manager/companies/{company.id}", {"decision": "approve", "note": "OK"},
                         form_page=f"/manager/companies/{company.id}")
    assert response.status_code == 302
    db.session.refresh(company)
    assert company.status == CompanyStatus.APPROVED
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "company")
                               .order_by(AuditEvent.id.desc())).first()
    assert (event.actor_id, event.from_state, event.to_state) == (reviewer.id, "pending", "approved")


def test_rejecting_without_a_reason_is_explained(client, auth):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu], approved=False)
    auth.login(make_exchange_manager(pnu).email)
    response = auth.post(f"/manager/companies/{company.id}", {"decision": "reject", "note": ""},
                         form_page=f"/manager/companies/{company.id}")
    assert response.status_code == 400
    assert "Say why the company is rejected" in response.get_data(as_text=True)
    db.session.refresh(company)
    assert company.status == CompanyStatus.PENDING


def test_rejection_reason_reaches_the_company_manager(client, auth):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu], approved=False)
    auth.login(make_exchange_manager(pnu).email)
    auth.post(f"/manager/companies/{company.id}", {"decision": "reject", "note": "Registration certificate unreadable."},
              form_page=f"/manager/companies/{company.id}")
    auth.logout()
    auth.login(companies.active_managers(company)[0].email)
    assert "Registration certificate unreadable." in client.get("/company/").get_data(as_text=True)


def test_unknown_decision_is_a_bad_request(client, auth):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu], approved=False)
    auth.login(make_exchange_manager(pnu).email)
    response = auth.post(f"/manager/companies/{company.id}", {"decision": "delete"},
                         form_page=f"/manager/companies/{company.id}")
    assert response.status_code == 400


def test_illegal_company_decision_is_shown_not_crashed(client, auth):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu])
    auth.login(make_exchange_manager(pnu).email)
    response = auth.post(f"/manager/companies/{company.id}", {"decision": "approve"},
                         form_page=f"/manager/companies/{company.id}")
    assert response.status_code == 409  # an illegal move is a Conflict, shown on the page
    assert "cannot become “Approved”" in response.get_data(as_text=True)


def test_exchange_manager_publishes_an_opening(client, auth):
    opening = make_opening(status=OpeningStatus.IN_REVIEW, title="Regulatory affairs for SaMD")
    reviewer = make_exchange_manager(*opening.eligible_groups)
    auth.login(reviewer.email)
    html = client.get(f"/manager/openings/{opening.id}").get_data(as_text=True)
    assert "Regulatory affairs for SaMD" in html and "Python" in html
    response = auth.post(f"/manager/openings/{opening.id}", {"decision": "publish"},
                         form_page=f"/manager/openings/{opening.id}")
    assert response.status_code == 302
    db.session.refresh(opening)
    assert opening.status == OpeningStatus.PUBLISHED
    assert "Regulatory affairs for SaMD" in client.get("/openings").get_data(as_text=True)


def test_exchange_manager_returns_an_opening_with_a_note_the_company_sees(client, auth):
    opening = make_opening(status=OpeningStatus.IN_REVIEW)
    auth.login(make_exchange_manager(*opening.eligible_groups).email)
    response = auth.post(f"/manager/openings/{opening.id}", {"decision": "return", "note": "Add the stipend."},
                         form_page=f"/manager/openings/{opening.id}")
    assert response.status_code == 302
    db.session.refresh(opening)
    assert opening.status == OpeningStatus.RETURNED and opening.review_note == "Add the stipend."
    auth.logout()
    auth.login(companies.active_managers(opening.company)[0].email)
    assert "Add the stipend." in client.get("/company/openings").get_data(as_text=True)


def test_publishing_an_opening_whose_deadline_passed_is_explained(client, auth):
    opening = make_opening(status=OpeningStatus.IN_REVIEW)
    opening.deadline = past(1)
    db.session.commit()
    auth.login(make_exchange_manager(*opening.eligible_groups).email)
    response = auth.post(f"/manager/openings/{opening.id}", {"decision": "publish"},
                         form_page=f"/manager/openings/{opening.id}")
    assert response.status_code == 409
    assert "has passed" in response.get_data(as_text=True)
    db.session.refresh(opening)
    assert opening.status == OpeningStatus.IN_REVIEW


def test_exchange_manager_of_another_group_gets_not_found(client, auth):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu], approved=False)
    opening = make_opening(make_company(groups=[pnu]), OpeningStatus.IN_REVIEW)
    auth.login(make_exchange_manager(snu).email)
    assert client.get(f"/manager/companies/{company.id}").status_code == 404
    assert client.get(f"/manager/openings/{opening.id}").status_code == 404
    assert auth.post(f"/manager/openings/{opening.id}", {"decision": "publish"}).status_code == 404
    db.session.refresh(opening)
    assert opening.status == OpeningStatus.IN_REVIEW


def test_admin_sees_every_queue_and_can_decide(client, auth):
    company = make_company(groups=[make_group("HALLYM")], approved=False, name="Hallym Partner")
    auth.login(make_admin().email)
    assert "Hallym Partner" in client.get("/manager/").get_data(as_text=True)
    auth.post(f"/manager/companies/{company.id}", {"decision": "approve"}, form_page=f"/manager/companies/{company.id}")
    db.session.refresh(company)
    assert company.status == CompanyStatus.APPROVED


def test_exchange_manager_accepts_a_join_request_of_a_partner_company(client, auth):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu])
    newcomer = make_company_manager()
    membership = companies.request_to_join(newcomer, company.business_number)
    db.session.commit()
    auth.login(make_exchange_manager(pnu).email)
    assert newcomer.email in client.get("/manager/").get_data(as_text=True)
    assert auth.post(f"/manager/join-requests/{membership.id}/accept").status_code == 302
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.ACTIVE


def test_exchange_manager_of_another_group_cannot_decide_a_join_request(client, auth):
    company = make_company(groups=[make_group("PNU")])
    membership = companies.request_to_join(make_company_manager(), company.business_number)
    db.session.commit()
    auth.login(make_exchange_manager(make_group("SNU")).email)
    assert auth.post(f"/manager/join-requests/{membership.id}/decline").status_code == 404



def test_manager_pages_send_anonymous_visitors_to_sign_in(client):
    company = make_company(approved=False)
    for path in ["/manager/", f"/manager/companies/{company.id}"]:
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["student", "company_manager", "revoked_manager"])
def test_manager_pages_are_forbidden_to_other_roles(client, auth, role):
    company = make_company(approved=False)
    if role == "student":
        user = make_student()
    elif role == "company_manager":
        user = companies.active_managers(company)[0]
    else:
        from marketplace.services import designations

        user = make_exchange_manager(make_group("PNU"))
        designations.revoke(make_admin(), user.active_designation, "retired")
        db.session.commit()
    auth.login(user.email)
    assert client.get("/manager/").status_code == 403
    assert client.get(f"/manager/companies/{company.id}").status_code == 403
    assert auth.post(f"/manager/companies/{company.id}", {"decision": "approve"}).status_code == 403
    db.session.refresh(company)
    assert company.status == CompanyStatus.PENDING


def test_nav_shows_review_queues_to_exchange_managers(client, auth):
    auth.login(make_exchange_manager(make_group("PNU")).email)
    assert 'href="/manager/"' in client.get("/openings").get_data(as_text=True)
