"""Two parties acting on one agreement at the same moment (real threads, SQLite and PostgreSQL).

Whatever the timing, an acknowledgement counts only for the version it was given for: a change of terms racing an
acknowledgement never leaves a party "acknowledged" for terms they did not see, and the placement never starts
on it; two exchange managers acknowledging at once leave one live acknowledgement for the university.
"""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AgreementAcknowledgement, AgreementParty, InsuranceKind, Opening, Placement, PlacementStatus, User
from marketplace.services import agreements, openings
from tests.concurrency import run_together
from tests.factories import make_exchange_manager
from tests.factories_agreements import current_hash, insurance_data, insure, parties
from tests.factories_companies import make_opening, opening_data
from tests.factories_placements import make_placement


def _edit_stipend(opening_id: int, manager_id: int, stipend: int):
    def job(ready):
        actor = db.session.get(User, manager_id)
        opening = db.session.get(Opening, opening_id)
        data = opening_data(opening.company, kind=opening.kind.value, title=opening.title,
                            start_date=opening.start_date, end_date=opening.end_date, deadline=opening.deadline,
                            seats=opening.seats, degree_levels=[], majors=[], stipend_krw=stipend,
                            group_ids=[g.id for g in opening.eligible_groups], version=opening.version)
        ready()
        openings.update_opening(actor, opening, data)
    return job


def _acknowledge(placement_id: int, user_id: int, seen: str):
    def job(ready):
        actor = db.session.get(User, user_id)
        ready()
        agreements.acknowledge(actor, placement_id, seen, "192.0.2.10")
    return job


def test_a_terms_change_racing_an_acknowledgement_never_leaves_it_counting_for_the_new_terms(app):
    opening = make_opening(stipend_krw=1_000_000)
    placement = make_placement(opening=opening, status=PlacementStatus.APPROVED)
    insure(placement)
    student, cm, xm = parties(placement)
    agreements.acknowledge(cm, placement.id, current_hash(placement), "192.0.2.1")
    agreements.acknowledge(xm, placement.id, current_hash(placement), "192.0.2.2")
    db.session.commit()
    seen = current_hash(placement)
    results = run_together(app, [_edit_stipend(opening.id, cm.id, 1_300_000),
                                 _acknowledge(placement.id, student.id, seen)])
    assert results[0] == ("ok", "")
    assert results[1][0] in ("ok", "conflict")  # acknowledged the old version first, or refused as outdated
    state = agreements.agreement_state(db.session.get(Placement, placement.id))
    assert state.current == {}  # nobody counts as having acknowledged the raised stipend
    assert state.terms["stipend_krw"] == 1_300_000
    assert not state.ready and not db.session.get(Placement, placement.id).agreement_ready
    assert [c.key for c in state.changes] == ["stipend_krw"]


def test_insurance_recorded_while_a_party_acknowledges_voids_or_refuses_that_acknowledgement(app):
    placement = make_placement(status=PlacementStatus.APPROVED)
    student, cm, _ = parties(placement)
    seen = current_hash(placement)

    def record(ready):
        actor = db.session.get(User, cm.id)
        target = db.session.get(Placement, placement.id)
        data = insurance_data(target)
        ready()
        agreements.record_insurance(actor, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT, data)

    results = run_together(app, [record, _acknowledge(placement.id, student.id, seen)])
    assert results[0] == ("ok", "")
    assert results[1][0] in ("ok", "conflict")
    assert agreements.agreement_state(db.session.get(Placement, placement.id)).current == {}


def test_two_exchange_managers_acknowledging_at_once_leave_one_university_acknowledgement(app):
    placement = make_placement(status=PlacementStatus.PENDING)
    _, _, first = parties(placement)
    second = make_exchange_manager(placement.student.student_profile.group)
    seen = current_hash(placement)
    results = run_together(app, [_acknowledge(placement.id, first.id, seen),
                                 _acknowledge(placement.id, second.id, seen)])
    assert sorted(r[0] for r in results) == ["conflict", "ok"]
    assert db.session.scalar(select(func.count()).select_from(AgreementAcknowledgement).where(
        AgreementAcknowledgement.placement_id == placement.id,
        AgreementAcknowledgement.voided_at.is_(None))) == 1
    assert set(agreements.agreement_state(db.session.get(Placement, placement.id)).current) == {
        AgreementParty.UNIVERSITY}


def test_the_three_parties_acknowledging_at_once_all_count(app):
    placement = make_placement(status=PlacementStatus.APPROVED)
    insure(placement)
    seen = current_hash(placement)
    results = run_together(app, [_acknowledge(placement.id, user.id, seen) for user in parties(placement)])
    assert results == [("ok", "")] * 3
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).agreement_ready
