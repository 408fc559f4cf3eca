"""Who may see and act on a placement's practice course (its plan, weekly logs and progress), declared once.

`role_on(actor, placement)` names the actor's part in the practice: the student themself, the host supervisor (an
active company manager of the opening's company), the student's mentor (helper module services/mentoring.py,
`is_mentor_of`), an exchange manager of the student's group, or an admin. Pages, services and templates ask these
predicates; nobody else sees the practice (404).
"""
from __future__ import annotations

from marketplace.models import Placement, PlacementStatus, User
from marketplace.ownership import _placement_group_id, _signed_in, manages_company
from marketplace.permissions import Permission, user_can

__all__ = ["PRACTICE_STATES", "LOGGABLE_STATES", "role_on", "can_view", "is_mentor_hook",
           "STUDENT", "SUPERVISOR", "MENTOR", "MANAGER", "ADMIN"]

STUDENT, SUPERVISOR, MENTOR, MANAGER, ADMIN = "student", "supervisor", "mentor", "manager", "admin"

# Only an approved placement becomes a practice; a completed one keeps its log, read-only.
PRACTICE_STATES = frozenset({PlacementStatus.APPROVED, PlacementStatus.ACTIVE, PlacementStatus.COMPLETED})
LOGGABLE_STATES = frozenset({PlacementStatus.APPROVED, PlacementStatus.ACTIVE})


def is_mentor_hook(actor: User, placement: Placement) -> bool:
    """The mentor hook: True when `actor` is the placement's mentor (services/mentoring.is_mentor_of, added with
    the mentor role); False while that module does not exist."""
    try:
        from marketplace.services import mentoring
    except ImportError:
        return False
    check = getattr(mentoring, "is_mentor_of", None)
    return bool(check is not None and check(actor, placement.id))


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
