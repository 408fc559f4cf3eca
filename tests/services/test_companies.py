"""Company profiles, business numbers, review transitions, joining a company, and who may do what."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, CompanyStatus, MembershipStatus
from marketplace.services import companies
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import business_number, company_data, make_company


def _events(entity_type: str, entity_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id)
    ))


# -- business registration numbers ------------------------------------------------------------------------


def test_business_number_check_digit_accepts_a_known_valid_number():
    assert companies.is_valid_business_number("2208162517")
    assert companies.normalize_business_number("220-81-62517") == "2208162517"
    assert companies.normalize_business_number(" 220 81 62517 ") == "2208162517"


def test_business_number_with_a_wrong_check_digit_is_refused():
    assert not companies.is_valid_business_number("2208162518")
    with pytest.raises(DomainError) as error:
        companies.normalize_business_number("220-81-62518")
    assert error.value.field == "business_number"
    assert "check digit" in error.value.message


@pytest.mark.parametrize("raw", ["", "12345", "12345678901", "abc-de-fghij", "１２３４５６７８９１"])
def test_business_number_that_is_not_ten_digits_is_refused(raw):
    with pytest.raises(DomainError) as error:
        companies.normalize_business_number(raw)
    assert error.value.field == "business_number"


def test_business_number_is_displayed_with_hyphens(app):
    company = make_company(business_number="1234567891")
    assert company.business_number == "1234567891"
    assert company.business_number_display == "123-45-67891"


# -- registering -----------------------------------------------------------------------------------------------


def test_company_manager_registers_a_pending_company_and_becomes_its_manager(app):
    manager = make_company_manager()
    group = make_group("PNU")
    company = companies.create_company(manager, company_data([group], business_number="220-81-62517"))
    db.session.commit()
    assert company.status == CompanyStatus.PENDING
    assert company.business_number == "2208162517"
    assert company.partner_groups == [group]
    assert companies.company_of(manager) == company
    assert [e.to_state for e in _events("company", company.id)] == ["pending"]


def test_duplicate_business_number_is_refused_with_a_hint_to_join(app):
    make_company(business_number="2208162517")
    with pytest.raises(Conflict) as error:
        companies.create_company(make_company_manager(), company_data(business_number="220-81-62517"))
    assert error.value.field == "business_number"
    assert "join" in error.value.message


def test_company_needs_a_known_partner_group(app):
    with pytest.raises(DomainError) as error:
        companies.create_company(make_company_manager(), company_data(group_ids=[99999]))
    assert error.value.field == "group_ids"


def test_company_website_must_be_a_web_address(app):
    with pytest.raises(DomainError) as error:
        companies.create_company(make_company_manager(), company_data(website="javascript:alert(1)"))
    assert error.value.field == "website"


def test_company_website_without_scheme_gets_https(app):
    company = companies.create_company(make_company_manager(), company_data(website="www.lunit.io"))
    assert company.website == "https://www.lunit.io"


def test_company_manager_cannot_register_a_second_company(app):
    company = make_company()
    manager = companies.active_managers(company)[0]
    with pytest.raises(Conflict):
        companies.create_company(manager, company_data())


def test_student_cannot_register_a_company(app):
    with pytest.raises(Forbidden):
        companies.create_company(make_student(), company_data())


# -- review transitions -------------------------------------------------------------------------------------------


def test_exchange_manager_of_a_partner_group_approves_a_pending_company(app):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu], approved=False)
    reviewer = make_exchange_manager(pnu)
    companies.approve_company(reviewer, company, "Checked the certificate.")
    db.session.commit()
    assert company.status == CompanyStatus.APPROVED
    assert company.reviewed_by_id == reviewer.id
    event = _events("company", company.id)[-1]
    assert (event.actor_id, event.from_state, event.to_state, event.note) == (
        reviewer.id, "pending", "approved", "Checked the certificate.")


def test_rejection_needs_a_reason_the_company_manager_sees(app):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu], approved=False)
    reviewer = make_exchange_manager(pnu)
    with pytest.raises(DomainError) as error:
        companies.reject_company(reviewer, company, "  ")
    assert error.value.field == "note"
    companies.reject_company(reviewer, company, "Not a bio-health company.")
    assert company.status == CompanyStatus.REJECTED
    assert company.rejection_reason == "Not a bio-health company."


def test_rejected_company_is_resubmitted_when_its_manager_saves_it(app):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu], approved=False)
    manager = companies.active_managers(company)[0]
    companies.reject_company(make_exchange_manager(pnu), company, "Wrong sector.")
    db.session.commit()
    companies.update_company(manager, company, company_data(
        [pnu], name=company.name, business_number=company.business_number, sector="medical_devices"))
    db.session.commit()
    assert company.status == CompanyStatus.PENDING
    assert _events("company", company.id)[-1].action == "resubmitted"


def test_approved_company_can_be_suspended_and_reinstated(app):
    pnu = make_group("PNU")
    reviewer = make_exchange_manager(pnu)
    company = make_company(groups=[pnu], reviewer=reviewer)
    with pytest.raises(DomainError):
        companies.suspend_company(reviewer, company, "")
    companies.suspend_company(reviewer, company, "Complaint under investigation.")
    assert company.status == CompanyStatus.SUSPENDED
    companies.reinstate_company(reviewer, company)
    assert company.status == CompanyStatus.APPROVED
    assert [e.to_state for e in _events("company", company.id)] == ["pending", "approved", "suspended", "approved"]


@pytest.mark.parametrize("start, action", [
    ("approved", companies.approve_company),
    ("approved", companies.reinstate_company),
    ("pending", companies.reinstate_company),
    ("rejected", companies.approve_company),
])
def test_company_transitions_outside_the_table_are_refused(app, start, action):
    pnu = make_group("PNU")
    reviewer = make_exchange_manager(pnu)
    company = make_company(groups=[pnu], approved=False)
    if start == "approved":
        companies.approve_company(reviewer, company)
    elif start == "rejected":
        companies.reject_company(reviewer, company, "No.")
    with pytest.raises(Conflict):
        action(reviewer, company)


@pytest.mark.parametrize("action", [companies.suspend_company, companies.reject_company])
def test_company_transitions_with_reason_outside_the_table_are_refused(app, action):
    pnu = make_group("PNU")
    reviewer = make_exchange_manager(pnu)
    company = make_company(groups=[pnu], reviewer=reviewer)
    if action is companies.suspend_company:
        companies.suspend_company(reviewer, company, "Investigation.")
    with pytest.raises(Conflict):
        action(reviewer, company, "Again.")


def test_exchange_manager_of_another_group_cannot_approve(app):
    company = make_company(groups=[make_group("PNU")], approved=False)
    outsider = make_exchange_manager(make_group("SNU"))
    with pytest.raises(NotFound):
        companies.approve_company(outsider, company)
    assert company.status == CompanyStatus.PENDING


def test_admin_can_approve_any_company(app):
    company = make_company(groups=[make_group("PNU")], approved=False)
    companies.approve_company(make_admin(), company)
    assert company.status == CompanyStatus.APPROVED


def test_company_manager_cannot_approve_their_own_company(app):
    company = make_company(approved=False)
    with pytest.raises(NotFound):
        companies.approve_company(companies.active_managers(company)[0], company)


def test_pending_queue_shows_only_companies_of_the_reviewers_groups(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    mine = make_company(groups=[pnu], approved=False)
    make_company(groups=[snu], approved=False)
    both = make_company(groups=[snu, pnu], approved=False)
    reviewer = make_exchange_manager(pnu)
    queue = list(db.session.scalars(companies.pending_companies_query(reviewer)))
    assert {c.id for c in queue} == {mine.id, both.id}
    assert len(list(db.session.scalars(companies.pending_companies_query(make_admin())))) == 3
    assert list(db.session.scalars(companies.pending_companies_query(make_company_manager()))) == []


# -- joining a company ------------------------------------------------------------------------------------------------


def test_second_manager_asks_to_join_and_an_existing_manager_accepts(app):
    company = make_company(business_number="2208162517")
    founder = companies.active_managers(company)[0]
    newcomer = make_company_manager()
    membership = companies.request_to_join(newcomer, "220-81-62517")
    db.session.commit()
    assert membership.status == MembershipStatus.REQUESTED
    assert companies.company_of(newcomer) is None
    companies.accept_member(founder, membership)
    db.session.commit()
    assert companies.company_of(newcomer) == company
    assert [e.to_state for e in _events("company_membership", membership.id)] == ["requested", "active"]


def test_exchange_manager_of_the_companys_group_can_accept_a_join_request(app):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu])
    membership = companies.request_to_join(make_company_manager(), company.business_number)
    companies.accept_member(make_exchange_manager(pnu), membership)
    assert membership.status == MembershipStatus.ACTIVE


def test_join_request_can_be_declined_and_then_not_accepted(app):
    company = make_company()
    founder = companies.active_managers(company)[0]
    membership = companies.request_to_join(make_company_manager(), company.business_number)
    companies.decline_member(founder, membership)
    with pytest.raises(Conflict):
        companies.accept_member(founder, membership)


def test_manager_of_another_company_cannot_accept_a_join_request(app):
    company = make_company()
    other = make_company()
    membership = companies.request_to_join(make_company_manager(), company.business_number)
    with pytest.raises(NotFound):
        companies.accept_member(companies.active_managers(other)[0], membership)


def test_join_request_for_an_unknown_number_says_so(app):
    with pytest.raises(DomainError) as error:
        companies.request_to_join(make_company_manager(), business_number(424242))
    assert error.value.field == "business_number"


def test_manager_with_a_company_cannot_ask_to_join_another(app):
    company = make_company()
    other = make_company()
    with pytest.raises(Conflict):
        companies.request_to_join(companies.active_managers(company)[0], other.business_number)


def test_manager_cannot_have_two_open_join_requests(app):
    first, second = make_company(), make_company()
    newcomer = make_company_manager()
    companies.request_to_join(newcomer, first.business_number)
    with pytest.raises(Conflict):
        companies.request_to_join(newcomer, second.business_number)


def test_pending_company_is_visible_only_to_its_managers_and_reviewers(app):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu], approved=False)
    with pytest.raises(NotFound):
        companies.get_visible_company(None, company.id)
    with pytest.raises(NotFound):
        companies.get_visible_company(make_company_manager(), company.id)
    assert companies.get_visible_company(companies.active_managers(company)[0], company.id) == company
    assert companies.get_visible_company(make_exchange_manager(pnu), company.id) == company
