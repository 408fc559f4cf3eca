"""Who may see and act on a placement's practice course (its plan, weekly logs and progress), declared once.

`role_on(actor, placement)` names the actor's part in the practice: the student themself, the host supervisor (an
active company manager of the opening's company), the student's mentor (helper module services/mentoring.py,
`is_mentor_of`, the same rule), an exchange manager of the student's group, or an admin. Pages, services and templates ask these
predicates; nobody else sees the practice (404).
"""
from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Placement, PlacementStatus, Role, User
from marketplace.models.mentoring import MentorAssignment
from marketplace.ownership import _placement_group_id, _signed_in, manages_company
from marketplace.permissions import Permission, user_can

__all__ = ["PRACTICE_STATES", "LOGGABLE_STATES", "role_on", "can_view", "is_mentor_hook",
           "STUDENT", "SUPERVISOR", "MENTOR", "MANAGER", "ADMIN"]

STUDENT, SUPERVISOR, MENTOR, MANAGER, ADMIN = "student", "supervisor", "mentor", "manager", "admin"

# Only an approved placement becomes a practice; a completed one keeps its log, read-only.
PRACTICE_STATES = frozenset({PlacementStatus.APPROVED, PlacementStatus.ACTIVE, PlacementStatus.COMPLETED})
LOGGABLE_STATES = frozenset({PlacementStatus.APPROVED, PlacementStatus.ACTIVE})


def is_mentor_hook(actor: User, placement: Placement) -> bool:
    """The mentor hook: True when `actor` is the active mentor professor assigned to the placement. The same rule as
    services/mentoring.is_mentor_of, read from the assignment itself: mentoring reads the practice logs' progress,
    so importing it here would make an import cycle."""
    if actor.role != Role.MENTOR:
        return False
    return db.session.scalar(select(MentorAssignment.id).where(
        MentorAssignment.placement_id == placement.id, MentorAssignment.mentor_id == actor.id)) is not None


def role_on(actor: User | None, placement: Placement) -> str | None:
    """The actor's part in this placement's practice: "student", "supervisor", "mentor", "manager", "admin" or
    None (no part: the practice is not theirs to see)."""
    if not _signed_in(actor) or not actor.active:
        return None
    if actor.id == placement.student_id and user_can(actor, Permission.APPLY):
        return STUDENT
    if user_can(actor, Permission.MANAGE_COMPANY):
        return SUPERVISOR if manages_company(actor, placement.opening.company) else None
    if user_can(actor, Permission.ADMINISTER):
        return ADMIN
    if user_can(actor, Permission.REVIEW_EXCHANGES):
        group_id = _placement_group_id(placement)
        return MANAGER if group_id is not None and group_id in actor.managed_group_ids else None
    if is_mentor_hook(actor, placement):
        return MENTOR
    return None


def can_view(actor: User | None, placement: Placement) -> bool:
    """Anyone with a part in the placement sees its practice, once it is one (approved, active or completed)."""
    return placement.status in PRACTICE_STATES and role_on(actor, placement) is not None
