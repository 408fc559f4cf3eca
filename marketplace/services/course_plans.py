"""Course plans of the project groups: which plan a placement follows, and the admin/manager edits of plans.

A placement follows the plan its exchange manager chose (Placement.course_plan_id), else the active default plan
of its student's group, else the active programme-wide default plan (group_id NULL), else none.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, false, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import CoursePlan, Placement, PlacementStatus, ProjectGroup, StudentProfile, User
from marketplace.ownership import can_review_placement, reviewable_group_ids
from marketplace.permissions import Permission, can_review_group, user_can
from marketplace.services import audit
from marketplace.services.errors import Conflict, DomainError, NotFound, Reasons
from marketplace.services.workflow import claim_for_edit

__all__ = ["plan_for", "plans_for", "PlanData", "can_edit_plans_of", "plans_query", "get_plan", "create_plan",
           "update_plan", "plan_choices", "choose_plan"]


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


# -- editing plans (admins for every group and the programme, exchange managers for their groups) ----------------


@dataclass
class PlanData:
    """A plan as typed; numbers may still be text (the form keeps a bad entry as typed) and are checked here."""

    group_id: int | None
    name: str
    weeks: object
    required_hours: object
    min_education_share: object = 0
    midterm_week: object = None
    final_week: object = None
    evaluation_window_days: object = 7
    mentor_min_load: object = 1
    mentor_max_load: object = 3
    is_default: bool = False
    active: bool = True


MAX_WEEKS = 52
MAX_NAME = 200


def can_edit_plans_of(actor: User | None, group_id: int | None) -> bool:
    """Admins edit every group's plans and the programme-wide ones; exchange managers their groups' plans."""
    if user_can(actor, Permission.ADMINISTER):
        return True
    return group_id is not None and can_review_group(actor, group_id)


def plans_query(actor: User) -> Select:
    """The plans `actor` may see and edit, by group then name (programme-wide first)."""
    query = select(CoursePlan).options(selectinload(CoursePlan.group))
    group_ids = reviewable_group_ids(actor)
    if group_ids is not None:
        query = query.where(CoursePlan.group_id.in_(group_ids) if group_ids else false())
    return query.order_by(CoursePlan.group_id.is_not(None), CoursePlan.group_id, CoursePlan.name, CoursePlan.id)


def get_plan(actor: User, plan_id: int) -> CoursePlan:
    plan = db.session.get(CoursePlan, plan_id)
    if plan is None or not can_edit_plans_of(actor, plan.group_id):
        raise NotFound(str(_l("No such course plan.")))
    return plan


def _number(problems: Reasons, field_name: str, value, low: int, high: int, *, required: bool = True):
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(field_name, _l("This field is required."))
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        problems.add(field_name, _l("Enter a whole number."))
        return None
    if not low <= number <= high:
        problems.add(field_name, _l("Enter a number from %(min)s to %(max)s.", min=low, max=high))
        return None
    return number


def _clean(actor: User, data: PlanData) -> dict:
    problems = Reasons()
    if not can_edit_plans_of(actor, data.group_id):
        if data.group_id is None:
            problems.add("group_id", _l("Only the programme office makes programme-wide plans: choose your group."))
        else:
            problems.add("group_id", _l("Choose one of your project groups."))
    elif data.group_id is not None and db.session.get(ProjectGroup, data.group_id) is None:
        problems.add("group_id", _l("Choose one of your project groups."))
    name = " ".join((data.name or "").split())
    if not name:
        problems.add("name", _l("Give the plan a name."))
    elif len(name) > MAX_NAME:
        problems.add("name", _l("Use at most %(max)d characters.", max=MAX_NAME))
    weeks = _number(problems, "weeks", data.weeks, 1, MAX_WEEKS)
    hours = _number(problems, "required_hours", data.required_hours, 1, MAX_WEEKS * 40)
    share = _number(problems, "min_education_share", data.min_education_share, 0, 100)
    midterm = _number(problems, "midterm_week", data.midterm_week, 1, MAX_WEEKS, required=False)
    final = _number(problems, "final_week", data.final_week, 1, MAX_WEEKS, required=False)
    window = _number(problems, "evaluation_window_days", data.evaluation_window_days, 1, 60)
    low = _number(problems, "mentor_min_load", data.mentor_min_load, 0, 50)
    high = _number(problems, "mentor_max_load", data.mentor_max_load, 1, 50)
    if weeks is not None:
        final = weeks if final is None else final
        if final > weeks:
            problems.add("final_week", _l("The final evaluation falls within the %(weeks)s weeks.", weeks=weeks))
        if midterm is not None and midterm > weeks:
            problems.add("midterm_week", _l("The mid-term evaluation falls within the %(weeks)s weeks.",
                                            weeks=weeks))
        if hours is not None and hours > weeks * 40:
            problems.add("required_hours", _l(
                "%(hours)s hours do not fit in %(weeks)s weeks of at most 40 hours.", hours=hours, weeks=weeks))
    if midterm is not None and final is not None and midterm >= final:
        problems.add("midterm_week", _l("The mid-term evaluation comes before the final one."))
    if low is not None and high is not None and low > high:
        problems.add("mentor_max_load", _l("The most students per mentor cannot be fewer than the least."))
    problems.raise_if_any()
    return dict(group_id=data.group_id, name=name, weeks=weeks, required_hours=hours, min_education_share=share,
                midterm_week=midterm, final_week=final, evaluation_window_days=window, mentor_min_load=low,
                mentor_max_load=high, is_default=bool(data.is_default) and bool(data.active),
                active=bool(data.active))


def _clear_other_defaults(plan: CoursePlan) -> None:
    """One default per group (and one programme-wide): setting this one unsets the others, in this transaction."""
    same_group = CoursePlan.group_id.is_(None) if plan.group_id is None else CoursePlan.group_id == plan.group_id
    db.session.execute(update(CoursePlan).where(same_group, CoursePlan.is_default.is_(True), CoursePlan.id != plan.id)
                       .values(is_default=False, version=CoursePlan.version + 1)
                       .execution_options(synchronize_session="fetch"))


def _flush_default(plan: CoursePlan) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(str(_l("Another plan of this group was made its default meanwhile. Reload the page and "
                              "try again."))) from None


def create_plan(actor: User, data: PlanData) -> CoursePlan:
    values = _clean(actor, data)
    want_default = values.pop("is_default")
    plan = CoursePlan(created_by_id=actor.id, is_default=False, **values)
    db.session.add(plan)
    db.session.flush()
    if want_default:
        _clear_other_defaults(plan)
        plan.is_default = True
        _flush_default(plan)
    audit.record(actor, "course_plan", plan.id, "created", note=plan.name)
    return plan


def update_plan(actor: User, plan_id: int, data: PlanData, expected_version: int | None) -> CoursePlan:
    """Save an edit of the plan; a save from a form opened before someone else's save raises StaleEdit."""
    plan = get_plan(actor, plan_id)
    values = _clean(actor, data)
    claim_for_edit(plan, expected_version)
    if values["is_default"]:
        _clear_other_defaults(plan)
    for key, value in values.items():
        setattr(plan, key, value)
    _flush_default(plan)
    audit.record(actor, "course_plan", plan.id, "edited", note=plan.name)
    return plan


# -- a placement's plan, chosen by its exchange manager ---------------------------------------------------------------


def plan_choices(placement: Placement) -> list[CoursePlan]:
    """The active plans a placement may follow: its student's group's and the programme-wide ones."""
    group_id = db.session.scalar(select(StudentProfile.group_id).where(StudentProfile.user_id == placement.student_id))
    in_scope = CoursePlan.group_id.is_(None) if group_id is None else or_(CoursePlan.group_id.is_(None),
                                                                           CoursePlan.group_id == group_id)
    return list(db.session.scalars(select(CoursePlan).where(CoursePlan.active.is_(True), in_scope)
                                   .order_by(CoursePlan.group_id.is_(None), CoursePlan.name)))


def choose_plan(actor: User, placement_id: int, plan_id: int | None) -> Placement:
    """The student's exchange manager chooses the plan a placement follows (None: the group's default)."""
    placement = db.session.get(Placement, placement_id)
    if placement is None or not can_review_placement(actor, placement):
        raise NotFound(str(_l("No such placement.")))
    if placement.status in (PlacementStatus.COMPLETED, PlacementStatus.CANCELLED, PlacementStatus.RETURNED):
        raise Conflict(str(_l("This placement is closed: its course plan stays as it was.")))
    if plan_id is not None and plan_id not in {plan.id for plan in plan_choices(placement)}:
        raise DomainError(str(_l("Choose one of the offered plans.")), field="course_plan_id")
    before = placement.course_plan_id
    placement.course_plan_id = plan_id
    audit.record(actor, "placement", placement.id, "course_plan_chosen",
                 note=f"{before or '-'} -> {plan_id or '-'}")
    return placement
