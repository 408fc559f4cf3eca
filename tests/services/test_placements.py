"""Placement decisions: every transition, the seat and overlap rules, scoping to the student's group."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    ApplicationStatus,
    AuditEvent,
    Notification,
    OpeningStatus,
    Placement,
    PlacementStatus,
)
from marketplace.services import placements
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.clock import today_in_seoul
from marketplace.services.seats import seats_left
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_agreements import make_ready
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_evaluations import complete_requirements
from tests.factories_placements import make_application, make_placement, request_placement, reviewer_for


def _events(placement):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "placement",
                                                            AuditEvent.entity_id == placement.id)
                                   .order_by(AuditEvent.id)))


def test_approving_a_pending_request_holds_a_seat_and_is_audited(app):
    placement = make_placement()
    reviewer = reviewer_for(placement.student)
    placements.approve_placement(reviewer, placement.id, "Welcome")
    db.session.commit()
    db.session.refresh(placement)
    assert placement.status == PlacementStatus.APPROVED
    assert placement.decided_by_id == reviewer.id and placement.decided_at is not None
    assert seats_left(placement.opening) == placement.opening.seats - 1
    event = _events(placement)[-1]
    assert (event.actor_id, event.action, event.from_state, event.to_state, event.note) == \
        (reviewer.id, "approved", "pending", "approved", "Welcome")


def test_returning_needs_a_reason_and_is_final(app):
    placement = make_placement()
    reviewer = reviewer_for(placement.student)
    with pytest.raises(DomainError) as error:
        placements.return_placement(reviewer, placement.id, "  ")
    assert error.value.field == "note"
    db.session.rollback()
    placements.return_placement(reviewer, placement.id, "Dates clash with the clinical rotation.")
    db.session.commit()
    db.session.refresh(placement)
    assert placement.status == PlacementStatus.RETURNED
    assert placement.note == "Dates clash with the clinical rotation."
    with pytest.raises(Conflict, match="already returned"):
        placements.return_placement(reviewer, placement.id, "again")
    with pytest.raises(Conflict):
        placements.approve_placement(reviewer, placement.id)


def test_approving_twice_says_so_and_changes_nothing(app):
    placement = make_placement()
    reviewer = reviewer_for(placement.student)
    placements.approve_placement(reviewer, placement.id)
    db.session.commit()
    before = len(_events(placement))
    with pytest.raises(Conflict, match="already approved"):
        placements.approve_placement(reviewer, placement.id)
    db.session.rollback()
    assert len(_events(placement)) == before


def test_approving_a_withdrawn_request_is_refused(app):
    placement = make_placement()
    placement.application.status = ApplicationStatus.WITHDRAWN
    db.session.commit()
    with pytest.raises(Conflict, match="no longer holds"):
        placements.approve_placement(reviewer_for(placement.student), placement.id)
    db.session.rollback()
    db.session.refresh(placement)
    assert placement.status == PlacementStatus.PENDING


def test_the_last_seat_cannot_be_given_twice(app):
    opening = make_opening(seats=1)
    first, second = make_placement(opening=opening), make_placement(opening=opening)
    reviewer = reviewer_for(first.student)
    placements.approve_placement(reviewer, first.id)
    db.session.commit()
    assert [c.code for c in placements.conflicts(second)] == ["full"]
    with pytest.raises(Conflict, match="opening is full"):
        placements.approve_placement(reviewer, second.id)
    db.session.rollback()
    db.session.refresh(second)
    assert second.status == PlacementStatus.PENDING


def test_a_student_never_holds_two_overlapping_placements(app):
    student = make_student()
    company = make_company()
    a = make_placement(student, make_opening(company))
    b = make_placement(student, make_opening(company))
    reviewer = reviewer_for(student)
    placements.approve_placement(reviewer, a.id)
    db.session.commit()
    assert any(c.code == "overlap" for c in placements.conflicts(b))
    with pytest.raises(Conflict, match="overlaps"):
        placements.approve_placement(reviewer, b.id)


def test_placements_on_separate_dates_can_both_be_approved(app):
    student = make_student()
    company = make_company()
    today = today_in_seoul()
    a = make_placement(student, make_opening(company), start=today + timedelta(days=60), end=today + timedelta(days=90))
    b = make_placement(student, make_opening(company), start=today + timedelta(days=91),
                       end=today + timedelta(days=120))
    reviewer = reviewer_for(student)
    placements.approve_placement(reviewer, a.id)
    placements.approve_placement(reviewer, b.id)
    db.session.commit()
    assert {a.status, b.status} == {PlacementStatus.APPROVED}


def test_eligibility_changes_are_reported_and_block_approval(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    opening = make_opening(make_company(groups=[pnu, snu]), degree_levels=["phd"])
    student = make_student(pnu, degree_level="master")
    placement = make_placement(student, opening)
    codes = {c.code for c in placements.conflicts(placement)}
    assert "degree" in codes and "group" not in codes
    opening.eligible_groups = [snu]
    db.session.commit()
    assert {"degree", "group"} <= {c.code for c in placements.conflicts(placement)}
    with pytest.raises(Conflict, match="Eligibility changed"):
        placements.approve_placement(make_exchange_manager(pnu), placement.id)


def test_a_closed_opening_is_a_warning_not_a_refusal(app):
    opening = make_opening(status=OpeningStatus.CLOSED)
    placement = make_placement(opening=opening)
    found = placements.conflicts(placement)
    assert [(c.code, c.blocking) for c in found] == [("closed", False)]
    placements.approve_placement(reviewer_for(placement.student), placement.id)
    db.session.commit()
    assert placement.status == PlacementStatus.APPROVED


def test_only_a_manager_of_the_students_group_may_decide(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    opening = make_opening(make_company(groups=[pnu, snu]))
    placement = make_placement(make_student(snu), opening)
    for outsider in (make_exchange_manager(pnu), make_company_manager(), make_student(snu),
                     manager_of(opening.company)):
        with pytest.raises(NotFound):
            placements.approve_placement(outsider, placement.id)
        db.session.rollback()
        with pytest.raises(NotFound):
            placements.get_placement_for_reviewer(outsider, placement.id)
    placements.approve_placement(make_admin(), placement.id)
    db.session.commit()
    assert placement.status == PlacementStatus.APPROVED


def test_a_forged_id_is_not_found(app):
    with pytest.raises(NotFound):
        placements.approve_placement(make_admin(), 999999)


def test_due_placements_become_active_once(app):
    today = today_in_seoul()
    due = make_ready(make_placement(status=PlacementStatus.APPROVED, start=today, end=today + timedelta(days=30)))
    later = make_ready(make_placement(status=PlacementStatus.APPROVED, start=today + timedelta(days=1),
                                      end=today + timedelta(days=30)))
    assert placements.activate_due_placements(today) == 1
    db.session.commit()
    assert placements.activate_due_placements(today) == 0
    db.session.refresh(due)
    db.session.refresh(later)
    assert (due.status, later.status) == (PlacementStatus.ACTIVE, PlacementStatus.APPROVED)
    event = _events(due)[-1]
    assert (event.actor_id, event.from_state, event.to_state) == (None, "approved", "active")


def test_completing_an_active_placement_keeps_its_seat(app):
    today = today_in_seoul()
    placement = make_placement(status=PlacementStatus.ACTIVE, start=today - timedelta(days=30), end=today)
    complete_requirements(placement)
    reviewer = reviewer_for(placement.student)
    placements.complete_placement(reviewer, placement.id)
    db.session.commit()
    assert placement.status == PlacementStatus.COMPLETED
    assert seats_left(placement.opening) == placement.opening.seats - 1
    with pytest.raises(Conflict, match="already completed"):
        placements.complete_placement(reviewer, placement.id)


def test_an_approved_placement_that_has_not_started_cannot_be_completed(app):
    placement = make_placement(status=PlacementStatus.APPROVED)
    with pytest.raises(Conflict, match="not started yet"):
        placements.complete_placement(reviewer_for(placement.student), placement.id)


def test_completing_activates_a_due_placement_first(app):
    today = today_in_seoul()
    placement = make_ready(make_placement(status=PlacementStatus.APPROVED, start=today - timedelta(days=3), end=today))
    complete_requirements(placement)
    placements.complete_placement(reviewer_for(placement.student), placement.id)
    db.session.commit()
    assert [e.to_state for e in _events(placement) if e.from_state != e.to_state] == ["active", "completed"]


@pytest.mark.parametrize("status", [PlacementStatus.APPROVED, PlacementStatus.ACTIVE])
def test_cancelling_needs_a_reason_and_frees_the_seat(app, status):
    opening = make_opening(seats=1)
    placement = make_placement(opening=opening, status=status)
    waiting = make_placement(opening=opening)
    reviewer = reviewer_for(placement.student)
    assert seats_left(opening) == 0
    with pytest.raises(DomainError):
        placements.cancel_placement(reviewer, placement.id, "")
    db.session.rollback()
    placements.cancel_placement(reviewer, placement.id, "The student fell ill.")
    db.session.commit()
    assert placement.status == PlacementStatus.CANCELLED and seats_left(opening) == 1
    placements.approve_placement(reviewer, waiting.id)
    db.session.commit()
    assert waiting.status == PlacementStatus.APPROVED


@pytest.mark.parametrize("status", [PlacementStatus.PENDING, PlacementStatus.RETURNED, PlacementStatus.COMPLETED,
                                    PlacementStatus.CANCELLED])
def test_only_approved_or_active_placements_can_be_cancelled(app, status):
    placement = make_placement(status=status)
    with pytest.raises(Conflict):
        placements.cancel_placement(reviewer_for(placement.student), placement.id, "reason")


def test_the_transition_table(app):
    machine = placements.placement_machine
    assert machine.targets(PlacementStatus.PENDING) == {PlacementStatus.APPROVED, PlacementStatus.RETURNED}
    assert machine.targets(PlacementStatus.APPROVED) == {PlacementStatus.ACTIVE, PlacementStatus.CANCELLED}
    assert machine.targets(PlacementStatus.ACTIVE) == {PlacementStatus.COMPLETED, PlacementStatus.CANCELLED,
                                                       PlacementStatus.NOT_COMPLETED}
    for final in (PlacementStatus.RETURNED, PlacementStatus.COMPLETED, PlacementStatus.CANCELLED,
                  PlacementStatus.NOT_COMPLETED):
        assert machine.targets(final) == frozenset()


def test_queue_shows_requests_of_the_managers_students_only(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    opening = make_opening(make_company(groups=[pnu, snu]), seats=3)
    mine = make_placement(make_student(pnu), opening)
    theirs = make_placement(make_student(snu), opening)
    approved = make_placement(make_student(pnu), opening, status=PlacementStatus.APPROVED)
    reviewer = make_exchange_manager(pnu)
    assert [p.id for p in db.session.scalars(placements.placement_requests_query(reviewer))] == [mine.id]
    assert [p.id for p in db.session.scalars(placements.placements_query(reviewer))] == [approved.id]
    assert {p.id for p in db.session.scalars(placements.placement_requests_query(make_admin()))} == \
        {mine.id, theirs.id}
    counts = placements.queue_counts(reviewer)
    assert counts[PlacementStatus.PENDING] == 1 and counts[PlacementStatus.APPROVED] == 1
    assert list(db.session.scalars(placements.placement_requests_query(make_student(pnu)))) == []


def test_a_requested_placement_reaches_the_students_group_managers(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    opening = make_opening(make_company(groups=[pnu, snu]))
    pnu_reviewer, snu_reviewer = make_exchange_manager(pnu), make_exchange_manager(snu)
    placement = request_placement(make_student(pnu), opening)
    assert placement.status == PlacementStatus.PENDING and placement.start_date == opening.start_date
    kinds = lambda user: list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))  # noqa: E731
    assert kinds(pnu_reviewer) == ["placement_requested"]
    assert kinds(snu_reviewer) == []


def test_only_accepted_offers_become_requests(app):
    application = make_application(status=ApplicationStatus.OFFERED)
    with pytest.raises(Conflict):
        placements.request_placement(application.student, application)
    assert db.session.scalar(select(func.count()).select_from(Placement)) == 0
