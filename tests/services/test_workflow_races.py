"""Two parties changing one record's state at the same moment: exactly one wins, the other gets a 409.

Real threads, each with its own session and connection, on SQLite and PostgreSQL. Both sides read the
record in the same state before either writes (the race the issue found: a withdrawal and an offer made
the application "offered" again after "withdrawn"). Every move is a compare-and-set on the state it was
read in, so the audit trail is one chain of allowed moves.
"""
from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Company,
    CompanyStatus,
    Notification,
    Placement,
    PlacementStatus,
    User,
)
from marketplace.services import applications, companies, placements
from marketplace.services.applications import application_machine
from marketplace.services.companies import company_machine
from marketplace.services.placements import placement_machine
from tests.concurrency import run_together
from tests.factories import make_company_manager, make_exchange_manager, make_group
from tests.factories_applications import make_application, make_skilled_student, move
from tests.factories_companies import company_data, make_opening, manager_of
from tests.factories_evaluations import complete_requirements
from tests.factories_placements import make_placement


def _trail(entity_type: str, entity_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id)))


def _assert_one_chain_of_allowed_moves(machine, entity_type: str, entity_id: int, final) -> None:
    """Each audited move starts where the previous one ended, is in the table, and ends at `final`."""
    moves = [(e.from_state, e.to_state) for e in _trail(entity_type, entity_id) if e.from_state != e.to_state]
    states = type(final)
    for (before, after), (next_before, _) in zip(moves, moves[1:]):
        assert after == next_before, moves
    for before, after in moves:
        if before is not None:
            assert machine.allowed(states(before), states(after)), (before, after)
    assert moves[-1][1] == final.value


def _shortlisted_application():
    pnu = make_group("PNU")
    opening = make_opening()
    student = make_skilled_student(group=pnu)
    application = make_application(student, opening)
    move(manager_of(opening.company), application, "shortlist")
    return application, student, manager_of(opening.company)


def test_a_withdrawal_racing_an_offer_never_resurrects_the_application(app):
    application, student, company_manager = _shortlisted_application()
    student_id, manager_id, application_id = student.id, company_manager.id, application.id

    def withdraw(ready):
        actor = db.session.get(User, student_id)
        record = applications.get_student_application(actor, application_id)
        ready()
        applications.withdraw(actor, record)

    def offer(ready):
        actor = db.session.get(User, manager_id)
        record = applications.get_company_application(actor, application_id)
        ready()
        applications.make_offer(actor, record, "Welcome aboard")

    for _ in range(3):  # the scheduler decides who is first; each run must still end in one consistent state
        results = run_together(app, [withdraw, offer])
        assert [r for r in results if r[0] == "error"] == []
        assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"], results
        final = db.session.get(Application, application_id).status
        loser_message = next(message for outcome, message in results if outcome == "conflict")
        if results[0][0] == "ok":  # the withdrawal won
            assert final == ApplicationStatus.WITHDRAWN
            assert "“Withdrawn” now" in loser_message and "cannot become “Offer made”" in loser_message
        else:
            assert final == ApplicationStatus.OFFERED
            assert "“Offer made” now" in loser_message and "cannot become “Withdrawn”" in loser_message
        _assert_one_chain_of_allowed_moves(application_machine, "application", application_id, final)
        # The loser left no trace: one audit event per move, the student told only about a real offer.
        offers_told = db.session.scalar(select(db.func.count()).select_from(Notification).where(
            Notification.user_id == student_id, Notification.kind == "offer_made"))
        assert offers_told == (1 if final == ApplicationStatus.OFFERED else 0)
        # Fresh application for the next round of the race.
        application, student, company_manager = _shortlisted_application()
        student_id, manager_id, application_id = student.id, company_manager.id, application.id


def test_a_stale_page_cannot_move_an_application_from_a_state_it_has_left(app):
    """The same guarantee without threads: the record was read, someone else moved it, then we act."""
    application, student, company_manager = _shortlisted_application()
    stale = applications.get_company_application(company_manager, application.id)
    # Another request (its own session) withdraws the application meanwhile.
    with app.app_context():
        applications.withdraw(db.session.get(User, student.id),
                              applications.get_student_application(db.session.get(User, student.id),
                                                                   application.id))
        db.session.commit()
        db.session.remove()
    try:
        applications.make_offer(company_manager, stale)
        raised = None
    except applications.Conflict as error:
        raised = error
    db.session.rollback()
    assert raised is not None and raised.status == 409
    assert "“Withdrawn” now" in raised.message
    assert db.session.get(Application, application.id).status == ApplicationStatus.WITHDRAWN
    assert [e.to_state for e in _trail("application", application.id)] == ["submitted", "shortlisted", "withdrawn"]


def test_two_managers_approving_and_returning_one_placement_decide_it_once(app):
    pnu = make_group("PNU")
    placement = make_placement(opening=make_opening(seats=3))
    approver, returner = make_exchange_manager(pnu).id, make_exchange_manager(pnu).id
    placement_id = placement.id

    def approve(ready):
        actor = db.session.get(User, approver)
        ready()
        placements.approve_placement(actor, placement_id)

    def give_back(ready):
        actor = db.session.get(User, returner)
        ready()
        placements.return_placement(actor, placement_id, "Dates clash with the rotation.")

    results = run_together(app, [approve, give_back])
    assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"], results
    final = db.session.get(Placement, placement_id).status
    assert final in (PlacementStatus.APPROVED, PlacementStatus.RETURNED)
    assert len(_trail("placement", placement_id)) == 1
    _assert_one_chain_of_allowed_moves(placement_machine, "placement", placement_id, final)


def test_cancelling_and_completing_an_active_placement_at_once_do_one_of_them(app):
    pnu = make_group("PNU")
    placement = make_placement(opening=make_opening(seats=3), status=PlacementStatus.ACTIVE)
    complete_requirements(placement)
    first, second = make_exchange_manager(pnu).id, make_exchange_manager(pnu).id
    placement_id = placement.id

    def cancel(ready):
        actor = db.session.get(User, first)
        ready()
        placements.cancel_placement(actor, placement_id, "The host closed the lab.")

    def complete(ready):
        actor = db.session.get(User, second)
        ready()
        placements.complete_placement(actor, placement_id, "Well done.")

    results = run_together(app, [cancel, complete])
    assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"], results
    final = db.session.get(Placement, placement_id).status
    assert final in (PlacementStatus.CANCELLED, PlacementStatus.COMPLETED)
    assert len(_trail("placement", placement_id)) == 1


def test_approving_and_rejecting_a_company_at_once_decide_it_once(app):
    pnu = make_group("PNU")
    company = companies.create_company(make_company_manager(), company_data([pnu]))
    db.session.commit()
    approver, rejecter = make_exchange_manager(pnu).id, make_exchange_manager(pnu).id
    company_id = company.id

    def approve(ready):
        actor = db.session.get(User, approver)
        record = companies.get_company_for_reviewer(actor, company_id)
        ready()
        companies.approve_company(actor, record, "Welcome")

    def reject(ready):
        actor = db.session.get(User, rejecter)
        record = companies.get_company_for_reviewer(actor, company_id)
        ready()
        companies.reject_company(actor, record, "The business number belongs to someone else.")

    results = run_together(app, [approve, reject])
    assert [r for r in results if r[0] == "error"] == []
    assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"], results
    stored = db.session.get(Company, company_id)
    assert stored.status in (CompanyStatus.APPROVED, CompanyStatus.REJECTED)
    # The loser's fields did not land either: a rejected company carries the rejecter's reason, an approved none.
    if stored.status == CompanyStatus.APPROVED:
        assert stored.rejection_reason == "" and stored.reviewed_by_id == approver
    else:
        assert stored.rejection_reason.startswith("The business number") and stored.reviewed_by_id == rejecter
    assert "meanwhile" in next(message for outcome, message in results if outcome == "conflict")
    _assert_one_chain_of_allowed_moves(company_machine, "company", company_id, stored.status)
