"""What a practice still needs before the exchange manager can mark it completed, and closing one as not completed.

`missing_for(placement)` is asked by services/placements.complete_placement (every path that completes a placement
goes through it) and shown on the manager's placement page: confirmed hours against the course plan, weeks awaiting
the supervisor's confirmation, the supervisor's final evaluation, the student's evaluation of the host, and the
mentor's grade when a mentor is assigned.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.models import Placement
from marketplace.models.evaluations import EvaluationKind
from marketplace.services import evaluations

__all__ = ["missing_for", "required_hours_for", "certificate_facts"]


def _plan(placement: Placement):
    return evaluations._plan_for(placement)


def required_hours_for(placement: Placement) -> int | None:
    plan = _plan(placement)
    return getattr(plan, "required_hours", None) if plan is not None else None


def _log_items(placement: Placement) -> list[str]:
    """Hours and weekly logs (helper B's practice_logs): nothing to ask before they exist."""
    return []


def _mentor_items(placement: Placement) -> list[str]:
    """The mentor's grade (helper C's mentoring): nothing to ask before mentors exist."""
    return []


def missing_for(placement: Placement) -> list[str]:
    """Every requirement of completion this placement does not meet yet, as sentences the manager reads (empty:
    it can be completed)."""
    missing = _log_items(placement)
    given = evaluations.evaluations_for([placement.id])[placement.id]
    if EvaluationKind.SUPERVISOR_FINAL not in given:
        missing.append(str(_l("The host supervisor's final evaluation of the student is missing.")))
    if EvaluationKind.STUDENT_HOST not in given:
        missing.append(str(_l("The student's evaluation of the host is missing.")))
    missing.extend(_mentor_items(placement))
    return missing


def certificate_facts(placement: Placement) -> tuple[float | None, tuple[str, str] | None]:
    """(confirmed hours, (programme in Korean, in English)) for the certificate's snapshot."""
    plan = _plan(placement)
    programme = (plan.name, plan.name) if plan is not None and getattr(plan, "name", "") else None
    return None, programme
