"""Factory functions for applications and placements, built directly with the models (and the placement service)."""
from __future__ import annotations

from datetime import date

from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    Opening,
    Placement,
    PlacementStatus,
    StudentSkill,
    User,
)
from marketplace.models.base import utcnow
from marketplace.services import placements
from tests.factories import make_exchange_manager, make_student
from tests.factories_companies import make_opening

MATCH_DETAILS = [
    {"requirement": "Python", "importance": "must", "min_level": 3, "matched": "python", "canonical": "Python",
     "similarity": 1.0, "level": 4, "kind": "exact", "credit": 1.0},
    {"requirement": "PyTorch", "importance": "should", "min_level": 2, "matched": None, "canonical": None,
     "similarity": 0.0, "level": None, "kind": "missing", "credit": 0.0},
]


def make_application(student: User | None = None, opening: Opening | None = None,
                     status: ApplicationStatus = ApplicationStatus.ACCEPTED, score: float = 72.5,
                     created_at=None) -> Application:
    student = student or make_student()
    opening = opening or make_opening()
    application = Application(
        opening_id=opening.id, student_id=student.id, statement="I would like to join.", consent_at=utcnow(),
        consent_text="I agree to share my profile.", match_score=score, match_has_all_musts=True,
        match_details=MATCH_DETAILS, status=status,
    )
    if created_at is not None:
        application.created_at = created_at
    db.session.add(application)
    db.session.commit()
    return application


def make_placement(student: User | None = None, opening: Opening | None = None,
                   status: PlacementStatus = PlacementStatus.PENDING, start: date | None = None,
                   end: date | None = None, application: Application | None = None,
                   decided_by: User | None = None) -> Placement:
    """A placement of `student` in `opening` in the given state (set directly, no audit, no seat check)."""
    application = application or make_application(student, opening)
    opening = application.opening
    placement = Placement(
        application_id=application.id, opening_id=opening.id, student_id=application.student_id,
        status=status, start_date=start or opening.start_date, end_date=end or opening.end_date,
    )
    if status != PlacementStatus.PENDING:
        placement.decided_at = utcnow()
        placement.decided_by_id = decided_by.id if decided_by else None
    db.session.add(placement)
    db.session.commit()
    return placement


def request_placement(student: User | None = None, opening: Opening | None = None) -> Placement:
    """A pending placement made through the service (audited, the group's managers notified)."""
    application = make_application(student, opening)
    placement = placements.request_placement(application.student, application)
    db.session.commit()
    return placement


def add_skills(student: User, *skills: tuple[str, str | None, int]) -> None:
    """StudentSkill rows: (display name, canonical skill id or None, level)."""
    profile = student.student_profile
    for position, (name, skill_id, level) in enumerate(skills):
        db.session.add(StudentSkill(profile_id=profile.id, position=position, name=name, skill_id=skill_id,
                                    display_name=name, level=level))
    db.session.commit()


def reviewer_for(student: User) -> User:
    return make_exchange_manager(student.student_profile.group)
