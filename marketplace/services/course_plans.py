"""Course plans of the project groups: which plan a placement follows, and the admin/manager edits of plans.

A placement follows the plan its exchange manager chose (Placement.course_plan_id), else the active default plan
of its student's group, else the active programme-wide default plan (group_id NULL), else none.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select

from marketplace.extensions import db
from marketplace.models import CoursePlan, Placement, StudentProfile

__all__ = ["plan_for", "plans_for"]


def plan_for(placement: Placement) -> CoursePlan | None:
    """The plan `placement` follows: chosen, else its student's group default, else the programme-wide default."""
    return plans_for([placement])[placement.id]


def plans_for(placements: Iterable[Placement]) -> dict[int, CoursePlan | None]:
    """plan_for of many placements in at most two queries, however many placements there are."""
    placements = list(placements)
    if not placements:
        return {}
    student_ids = {p.student_id for p in placements}
    group_of = dict(db.session.execute(
        select(StudentProfile.user_id, StudentProfile.group_id).where(StudentProfile.user_id.in_(student_ids))
    ).all())
    chosen_ids = {p.course_plan_id for p in placements if p.course_plan_id is not None}
    group_ids = {g for g in group_of.values() if g is not None}
    conditions = [CoursePlan.is_default.is_(True) & CoursePlan.active.is_(True)
                  & or_(CoursePlan.group_id.is_(None), CoursePlan.group_id.in_(group_ids))]
    if chosen_ids:
        conditions.append(CoursePlan.id.in_(chosen_ids))
    plans = db.session.scalars(select(CoursePlan).where(or_(*conditions))).all()
    by_id = {plan.id: plan for plan in plans}
    defaults = {plan.group_id: plan for plan in plans if plan.is_default and plan.active}
    result: dict[int, CoursePlan | None] = {}
    for placement in placements:
        plan = by_id.get(placement.course_plan_id) if placement.course_plan_id is not None else None
        if plan is None:
            plan = defaults.get(group_of.get(placement.student_id)) or defaults.get(None)
        result[placement.id] = plan
    return result
