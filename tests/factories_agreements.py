"""Factory functions for practice agreements: the three parties, insurance covering the practice, acknowledgements,
all through the real services."""
from __future__ import annotations

from datetime import timedelta

from marketplace.extensions import db
from marketplace.models import InsuranceKind, Placement, User
from marketplace.services import agreements
from marketplace.services.notifications import managers_of_groups
from tests.factories_applications import PDF
from tests.factories_companies import manager_of
from tests.factories_placements import reviewer_for


def parties(placement: Placement) -> tuple[User, User, User]:
    """(the student, a manager of the host, an exchange manager of the student's group: the first one designated,
    made when there is none)."""
    group_id = placement.student.student_profile.group_id
    managers = sorted(managers_of_groups([group_id]), key=lambda user: user.id)
    xm = managers[0] if managers else reviewer_for(placement.student)
    return placement.student, manager_of(placement.opening.company), xm


def insurance_data(placement: Placement, **overrides) -> agreements.InsuranceData:
    values = dict(insurer="근로복지공단", policy_number="KW-2026-0001",
                  starts_on=placement.start_date - timedelta(days=1), ends_on=placement.end_date + timedelta(days=1),
                  filename="보험증권.pdf", document=PDF)
    values.update(overrides)
    return agreements.InsuranceData(**values)


def insure(placement: Placement, company_manager: User | None = None, exchange_manager: User | None = None) -> None:
    """Both insurances recorded, covering the practice."""
    _, cm, xm = parties(placement)
    for kind, actor in ((InsuranceKind.INDUSTRIAL_ACCIDENT, company_manager or cm),
                        (InsuranceKind.UNIVERSITY_ACCIDENT, exchange_manager or xm)):
        change = agreements.record_insurance(actor, placement.id, kind, insurance_data(placement))
        db.session.commit()
        change.committed()


def current_hash(placement: Placement) -> str:
    db.session.expire_all()
    return agreements.agreement_state(db.session.get(Placement, placement.id)).hash


def acknowledge_all(placement: Placement, who: tuple[User, ...] | None = None) -> None:
    for actor in who or parties(placement):
        agreements.acknowledge(actor, placement.id, current_hash(placement), "203.0.113.7")
        db.session.commit()


def make_ready(placement: Placement) -> Placement:
    """Insured and acknowledged by all three: nothing keeps it from starting."""
    insure(placement)
    acknowledge_all(placement)
    db.session.refresh(placement)
    return placement
