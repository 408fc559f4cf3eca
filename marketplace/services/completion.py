"""What a practice still needs before the exchange manager can mark it completed, and closing one as not completed.

`missing_for(placement)` is asked by services/placements.complete_placement (every path that completes a placement
goes through it) and shown on the manager's placement page: confirmed hours against the course plan, weeks awaiting
the supervisor's confirmation, the supervisor's final evaluation, the student's evaluation of the host, and the
mentor's grade when a mentor is assigned.
"""
from __future__ import annotations

from marketplace.i18n import lazy_gettext as _l
from marketplace.i18n import ngettext
from marketplace.models import Placement
from marketplace.models.evaluations import EvaluationKind
from marketplace.services import evaluations, mentoring, practice_logs

__all__ = ["missing_for", "required_hours_for", "certificate_facts"]


def _plan(placement: Placement):
    return evaluations._plan_for(placement)


def required_hours_for(placement: Placement) -> int | None:
    plan = _plan(placement)
    return getattr(plan, "required_hours", None) if plan is not None else None


def _hours(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _log_items(placement: Placement, plan) -> list[str]:
    """Hours confirmed by the host supervisor against the plan's required hours; weeks still awaiting confirmation."""
    missing = []
    required = getattr(plan, "required_hours", None) if plan is not None else None
    if required:
        confirmed = practice_logs.confirmed_hours([placement.id]).get(placement.id, 0.0)
        if confirmed < required:
            missing.append(str(_l("Confirmed hours: %(confirmed)s of the %(required)s the course plan requires.",
                                  confirmed=_hours(confirmed), required=_hours(float(required)))))
    waiting = practice_logs.awaiting_confirmation([placement.id]).get(placement.id, 0)
    if waiting:
        missing.append(ngettext("%(num)d submitted week awaits the host supervisor's confirmation.",
                                "%(num)d submitted weeks await the host supervisor's confirmation.", waiting))
    return missing


def _mentor_items(placement: Placement) -> list[str]:
    """The mentor professor's academic grade, when a mentor is assigned."""
    grades = mentoring.grades_for([placement.id])
    if placement.id in grades and not grades[placement.id]:
        return [str(_l("The mentor professor's grade is missing."))]
    return []


def missing_for(placement: Placement) -> list[str]:
    """Every requirement of completion this placement does not meet yet, as sentences the manager reads (empty:
    it can be completed)."""
    missing = _log_items(placement, _plan(placement))
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
    hours = practice_logs.confirmed_hours([placement.id]).get(placement.id, 0.0)
    return round(hours, 1), programme
