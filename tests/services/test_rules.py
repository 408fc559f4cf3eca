"""Rules that must hold on every path: majors, seats, suspended companies, offers beyond seats, changes to
approved companies and to published openings' terms (issue 12, items 6-11)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Notification
from marketplace.services import applications, placements
from marketplace.services.errors import Conflict, DomainError
from marketplace.services.majors import major_allowed, normalize_major
from tests.factories import make_group
from tests.factories_applications import make_application, make_skilled_student, move
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_placements import make_placement, reviewer_for


def _kinds(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


# -- item 7: an opening's majors ----------------------------------------------------------------------------------


def test_majors_compare_trimmed_and_case_insensitively_and_empty_means_any():
    assert normalize_major("  Biomedical   ENGINEERING ") == "biomedical engineering"
    assert major_allowed("Medicine\nNursing", frozenset({"nursing"}))
    assert not major_allowed("Medicine\nNursing", frozenset({"computer science"}))
    assert major_allowed("", frozenset({"anything"}))
    assert major_allowed("\n  \n", frozenset())


def test_a_student_of_another_major_cannot_apply_and_is_told_why(app):
    opening = make_opening(majors=["Nursing", "Data Science"])
    student = make_skilled_student(major="Medicine")
    reasons = applications.eligibility(student, opening).reasons
    assert any("Nursing, Data Science" in r and "Medicine" in r for r in reasons)
    with pytest.raises(applications.NotEligible):
        applications.apply(student, opening, "Please", True)
    fits = make_skilled_student(major="  data SCIENCE ")
    assert applications.eligibility(fits, opening).ok


def test_a_major_matches_under_its_korean_name(app):
    opening = make_opening(majors=["의학"])
    student = make_skilled_student(major="medicine")  # the group lists Medicine = 의학
    assert applications.eligibility(student, opening).ok


def test_recommendations_leave_out_openings_for_other_majors(app):
    company = make_company()
    make_opening(company, title="Nurses only", majors=["Nursing"])
    make_opening(company, title="Anyone", majors=[])
    make_opening(company, title="Medicine", majors=["MEDICINE"])
    student = make_skilled_student(major="Medicine")
    page, _ = applications.recommendations(student)
    assert sorted(r.opening.title for r in page.items) == ["Anyone", "Medicine"]


def test_a_pending_placement_of_another_major_is_a_blocking_conflict(app):
    opening = make_opening(majors=["Nursing"])
    student = make_skilled_student(major="Medicine")
    placement = make_placement(student, opening)
    found = placements.conflicts(placement)
    assert [c.code for c in found] == ["major"] and found[0].blocking
    with pytest.raises(Conflict, match="major"):
        placements.approve_placement(reviewer_for(student), placement.id)


# -- item 6: offers beyond the seats --------------------------------------------------------------------------------


def _offered(opening, n: int) -> list:
    """n applications to `opening`, each shortlisted and offered (within the seats)."""
    manager = manager_of(opening.company)
    out = []
    for _ in range(n):
        application = make_application(make_skilled_student(), opening)
        move(manager, application, "shortlist", "offer")
        out.append(application)
    return out


def test_an_offer_beyond_the_seats_needs_an_explicit_confirmation(app):
    opening = make_opening(seats=2)
    _offered(opening, 2)  # both seats are promised
    third = make_application(make_skilled_student(), opening)
    manager = manager_of(opening.company)
    move(manager, third, "shortlist")
    with pytest.raises(DomainError) as error:
        applications.make_offer(manager, third)
    db.session.rollback()
    assert error.value.field == "confirm_over_seats"
    assert "2 seats" in error.value.message and "2 offers not yet answered" in error.value.message
    assert third.status == applications.S.SHORTLISTED
    applications.make_offer(manager, third, confirm_over_seats=True)
    db.session.commit()
    assert third.status == applications.S.OFFERED
    note = applications.timeline(third.id)[-1].note
    assert "beyond the seats" in note


def test_seats_spoken_for_count_approved_waiting_and_open_offers(app):
    opening = make_opening(seats=3)
    first, second = _offered(opening, 2)
    placement = applications.accept_offer(first.student, first)  # one request waits
    db.session.commit()
    placements.approve_placement(reviewer_for(first.student), placement.id)
    db.session.commit()
    from marketplace.services.seats import seat_use
    use = seat_use(opening)
    assert (use.approved, use.pending, use.offered, use.free_for_offers) == (1, 0, 1, 1)
    applications.accept_offer(second.student, second)
    db.session.commit()
    use = seat_use(opening)
    assert (use.approved, use.pending, use.offered, use.free_for_offers) == (1, 1, 0, 1)
    _offered(opening, 1)  # the last free seat: no confirmation needed
    assert seat_use(opening).free_for_offers == 0


# -- item 8: seats below the approved placements ----------------------------------------------------------------------


def test_seats_cannot_be_cut_below_the_approved_placements(app):
    from marketplace.models import PlacementStatus
    from marketplace.services import openings
    from tests.factories_companies import opening_data

    opening = make_opening(seats=3)
    make_placement(opening=opening, status=PlacementStatus.APPROVED)
    make_placement(opening=opening, status=PlacementStatus.APPROVED)
    manager = manager_of(opening.company)
    with pytest.raises(DomainError) as error:
        openings.update_opening(manager, opening, opening_data(opening.company, seats=1))
    db.session.rollback()
    assert error.value.field == "seats" and "(2 now)" in error.value.message
    db.session.refresh(opening)
    assert opening.seats == 3
    openings.update_opening(manager, opening, opening_data(opening.company, seats=2))  # as many as approved: fine
    db.session.commit()
    assert opening.seats == 2


# -- item 10: a suspended company stands still -------------------------------------------------------------------------


def _suspend(company, reason="Unpaid stipends reported by two students."):
    from marketplace.services import companies
    from tests.factories import make_exchange_manager

    companies.suspend_company(make_exchange_manager(*company.partner_groups), company, reason)
    db.session.commit()


def test_a_suspended_company_cannot_shortlist_offer_or_have_offers_accepted(app):
    opening = make_opening(seats=3)
    manager = manager_of(opening.company)
    submitted = make_application(make_skilled_student(), opening)
    shortlisted = make_application(make_skilled_student(), opening)
    move(manager, shortlisted, "shortlist")
    offered = _offered(opening, 1)[0]
    _suspend(opening.company)
    for action, record, actor in (("shortlist", submitted, manager), ("offer", shortlisted, manager),
                                  ("accept", offered, offered.student)):
        with pytest.raises(Conflict) as error:
            applications.TRANSITIONS[action](actor, record)
        db.session.rollback()
        assert "suspended" in error.value.message and "Unpaid stipends" in error.value.message
    db.session.expire_all()
    assert (submitted.status, shortlisted.status, offered.status) == (
        applications.S.SUBMITTED, applications.S.SHORTLISTED, applications.S.OFFERED)
    applications.reject(manager, submitted, "Sorry")  # ending an application stays possible
    applications.withdraw(shortlisted.student, shortlisted)
    db.session.commit()


def test_a_pending_placement_of_a_suspended_company_is_blocked(app):
    opening = make_opening()
    offered = _offered(opening, 1)[0]
    placement = applications.accept_offer(offered.student, offered)
    db.session.commit()
    _suspend(opening.company)
    found = placements.conflicts(placement)
    assert [c.code for c in found] == ["suspended"] and found[0].blocking
    with pytest.raises(Conflict, match="suspended"):
        placements.approve_placement(reviewer_for(offered.student), placement.id)


# -- item 11: changed terms of a published opening ------------------------------------------------------------------


def test_changed_terms_are_told_to_applicants_and_reviewers_and_placements_keep_the_agreed_terms(app):
    from datetime import timedelta

    from marketplace.models import AuditEvent, OpeningStatus
    from marketplace.services import openings
    from tests.factories import make_exchange_manager
    from tests.factories_companies import opening_data

    opening = make_opening(stipend_krw=1_500_000)
    reviewer = make_exchange_manager(*opening.company.partner_groups)
    applicant = make_application(make_skilled_student(), opening)
    accepted = _offered(opening, 1)[0]
    placement = applications.accept_offer(accepted.student, accepted)
    db.session.commit()
    withdrawn = make_application(make_skilled_student(), opening)
    applications.withdraw(withdrawn.student, withdrawn)
    db.session.commit()
    agreed_start = opening.start_date

    manager = manager_of(opening.company)
    openings.update_opening(manager, opening, opening_data(
        opening.company, title=opening.title, stipend_krw=1_000_000, start_date=agreed_start + timedelta(days=7),
        location="Seoul"))
    db.session.commit()
    assert opening.status == OpeningStatus.PUBLISHED  # terms alone do not send it back to review
    for student in (applicant.student, accepted.student):
        assert "opening_terms_changed" in _kinds(student)
    assert "opening_terms_changed" not in _kinds(withdrawn.student)
    assert "opening_terms_changed_reviewer" in _kinds(reviewer)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "opening",
                                                       AuditEvent.action == "terms_changed"))
    assert "stipend_krw: 1500000 → 1000000" in event.note and "location: Busan → Seoul" in event.note
    assert "hours_per_week" not in event.note

    db.session.refresh(placement)
    assert placement.start_date == agreed_start  # the request keeps what was agreed
    rows = {row.name: row for row in placements.terms_comparison(placement)}
    assert rows["stipend_krw"].agreed == 1_500_000 and rows["stipend_krw"].current == 1_000_000
    assert rows["start_date"].changed and not rows["hours_per_week"].changed
    found = placements.conflicts(placement)
    assert [c.code for c in found] == ["terms"] and not found[0].blocking


def test_editing_only_the_description_tells_nobody(app):
    from marketplace.services import openings
    from tests.factories import make_exchange_manager
    from tests.factories_companies import opening_data

    opening = make_opening()
    reviewer = make_exchange_manager(*opening.company.partner_groups)
    applicant = make_application(make_skilled_student(), opening)
    openings.update_opening(manager_of(opening.company), opening,
                            opening_data(opening.company, title=opening.title, description="Now with more detail."))
    db.session.commit()
    assert "opening_terms_changed" not in _kinds(applicant.student)
    assert "opening_terms_changed_reviewer" not in _kinds(reviewer)


# -- item 9: an approved company's identity and partner groups are reviewed ---------------------------------------------


def test_an_approved_companys_new_name_number_and_groups_wait_for_review(app):
    from marketplace.models import AuditEvent, CompanyStatus
    from marketplace.services import companies
    from tests.factories import make_exchange_manager
    from tests.factories_companies import business_number, company_data

    pnu, snu, skku = make_group("PNU"), make_group("SNU"), make_group("SKKU")
    company = make_company(groups=[pnu, snu], name="Old Name Bio")
    old_number = company.business_number
    pnu_reviewer, snu_reviewer, skku_reviewer = (make_exchange_manager(g) for g in (pnu, snu, skku))
    manager = manager_of(company)
    new_number = business_number()
    companies.update_company(manager, company, company_data(
        [pnu, skku], name="New Name Bio", business_number=new_number, description="Now also in Suwon."))
    db.session.commit()

    # the approved values stay live; the rest applied at once
    assert company.status == CompanyStatus.APPROVED
    assert (company.name, company.business_number) == ("Old Name Bio", old_number)
    assert sorted(g.code for g in company.partner_groups) == ["PNU", "SNU"]
    assert company.description == "Now also in Suwon."
    assert company.pending_changes == {"name": "New Name Bio", "business_number": new_number,
                                       "group_ids": sorted([pnu.id, skku.id])}
    # reviewers of the old groups and of the new group hear of it and can see it
    for reviewer in (pnu_reviewer, snu_reviewer, skku_reviewer):
        assert "company_changes_submitted" in _kinds(reviewer)
        assert companies.can_review_company(reviewer, company)
        assert company in companies.companies_with_changes(reviewer)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "changes_submitted"))
    assert "name: Old Name Bio → New Name Bio" in event.note and "group_ids: PNU, SNU → PNU, SKKU" in event.note
    assert f"business_number: {old_number} → {new_number}" in event.note

    companies.approve_company_changes(skku_reviewer, company)
    db.session.commit()
    assert (company.name, company.business_number) == ("New Name Bio", new_number)
    assert sorted(g.code for g in company.partner_groups) == ["PNU", "SKKU"]
    assert company.pending_changes is None and not companies.companies_with_changes(skku_reviewer)
    assert "company_changes_approved" in _kinds(manager)
    assert not companies.can_review_company(snu_reviewer, company)  # decided: SNU is no longer a partner


def test_declined_changes_keep_the_approved_values_and_tell_the_company_why(app):
    from marketplace.services import companies
    from tests.factories import make_exchange_manager
    from tests.factories_companies import company_data

    pnu = make_group("PNU")
    company = make_company(groups=[pnu], name="Steady Bio")
    manager = manager_of(company)
    companies.update_company(manager, company, company_data([pnu], name="Renamed Bio",
                                                            business_number=company.business_number))
    db.session.commit()
    reviewer = make_exchange_manager(pnu)
    with pytest.raises(DomainError):
        companies.decline_company_changes(reviewer, company, "")
    db.session.rollback()
    companies.decline_company_changes(reviewer, company, "The registration certificate still shows the old name.")
    db.session.commit()
    assert company.name == "Steady Bio" and company.pending_changes is None
    assert "old name" in company.changes_note
    assert "company_changes_declined" in _kinds(manager)
    with pytest.raises(Conflict):
        companies.approve_company_changes(reviewer, company)


def test_other_edits_of_an_approved_company_apply_at_once_and_list_the_fields(app):
    from marketplace.models import AuditEvent
    from marketplace.services import companies
    from tests.factories_companies import company_data

    pnu = make_group("PNU")
    company = make_company(groups=[pnu])
    companies.update_company(manager_of(company), company, company_data(
        [pnu], name=company.name, business_number=company.business_number, website="https://new.example.co.kr"))
    db.session.commit()
    assert company.pending_changes is None and company.website == "https://new.example.co.kr"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "updated",
                                                       AuditEvent.entity_id == company.id))
    assert event.note.startswith("website: https://example.co.kr → https://new.example.co.kr")


def test_two_offers_racing_for_the_last_seat_make_one_and_ask_the_other_to_confirm(app):
    """Real threads, released together: the opening lock makes the second offer count the first."""
    import threading

    from flask_babel import force_locale

    from marketplace.models import Application, User

    opening = make_opening(seats=1)
    manager = manager_of(opening.company)
    shortlisted = []
    for _ in range(2):
        application = make_application(make_skilled_student(), opening)
        move(manager, application, "shortlist")
        shortlisted.append(application.id)
    manager_id = manager.id  # objects of the test's session stay out of the threads
    db.session.commit()
    barrier = threading.Barrier(2)
    results: list[str] = []
    guard = threading.Lock()

    def work(application_id: int) -> None:
        with app.app_context(), force_locale("en"):
            actor = db.session.get(User, manager_id)
            application = db.session.get(Application, application_id)
            _ = (application.opening.company, actor.role)
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                applications.make_offer(actor, application)
                db.session.commit()
                outcome = "offered"
            except DomainError as error:
                db.session.rollback()
                outcome = error.field or "error"
            except Exception as error:  # noqa: BLE001 - reported below
                db.session.rollback()
                outcome = f"error {error.__class__.__name__}: {error}"
            with guard:
                results.append(outcome)

    threads = [threading.Thread(target=work, args=(application_id,)) for application_id in shortlisted]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(results) == ["confirm_over_seats", "offered"]
    db.session.expire_all()
    offered = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.opening_id == opening.id, Application.status == applications.S.OFFERED))
    assert offered == 1
