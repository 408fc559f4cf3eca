"""Evaluations of a practice both ways: the host supervisor evaluates the student (mid-term, final) on the programme's
rubric, the student evaluates the host; windows from the course plan; the rubric the programme office edits;
satisfaction summaries that stay anonymous to companies.

Each kind is given once per placement. Submitting takes the placement's write lock first (an UPDATE of its row:
PostgreSQL's row lock, SQLite's database write lock), then checks that none was given, so two submits racing give
one evaluation and one clear refusal; the unique constraint (placement_id, kind) backs it up.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, NamedTuple

from sqlalchemy import Integer, Select, cast, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.clock import SEOUL, seoul_day_start, today_in_seoul
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import Company, Opening, Placement, PlacementStatus, Role, StudentProfile, User
from marketplace.models.base import utcnow
from marketplace.models.evaluations import (
    SUPERVISOR_KINDS,
    Evaluation,
    EvaluationKind,
    EvaluationRubric,
    RubricItem,
)
from marketplace.ownership import can_review_placement, manages_company
from marketplace.permissions import Permission, user_can
from marketplace.services import audit, course_plans, mentoring
from marketplace.services.errors import Conflict, Forbidden, NotFound, Reasons
from marketplace.services.workflow import claim_for_edit

__all__ = [
    "Window", "windows_for", "window_message", "role_on", "submit_supervisor_evaluation", "submit_host_evaluation",
    "evaluations_for", "visible_kinds", "EvaluationsView", "view_for", "satisfaction_summary", "SatisfactionSummary", "rubric", "active_items", "save_rubric_item",
    "DEFAULT_RUBRIC", "ensure_default_rubric", "GRADES", "MIN_ANSWERS_FOR_COMPANY",
]

MIN_ANSWERS_FOR_COMPANY = 3  # a company sees the students' answers only in aggregate, and only from 3 answers
MAX_TEXT = 4000
GRADES = ("A+", "A0", "B+", "B0", "C+", "C0", "D+", "D0", "F", "P", "NP")
DEFAULT_WINDOW_DAYS = 7

# The competencies the programme starts with (the programme office edits them at /admin/evaluation-rubric).
DEFAULT_RUBRIC: list[tuple[str, str, str]] = [
    ("전공 및 직무 지식", "Domain knowledge",
     "Applies medical and AI knowledge to the host's tasks."),
    ("데이터 처리 및 연구윤리", "Data handling and ethics",
     "Handles clinical and personal data lawfully and carefully; follows IRB and de-identification rules."),
    ("문제 해결", "Problem solving",
     "Breaks problems down, tries approaches, checks results."),
    ("의사소통", "Communication",
     "Reports progress clearly in writing and in person; asks when unsure."),
    ("협업", "Teamwork",
     "Works with clinicians, engineers and colleagues; keeps commitments."),
    ("주도성", "Initiative",
     "Takes on work without being asked; learns what the task needs."),
]


# -- windows --------------------------------------------------------------------------------------------------------


class Window(NamedTuple):
    """The days (Asia/Seoul, both included) on which an evaluation can be given."""

    opens_on: date
    closes_on: date

    def state(self, today: date) -> str:
        if today < self.opens_on:
            return "upcoming"
        if today > self.closes_on:
            return "closed"
        return "open"


def _week_bounds(start: date, end: date, week_no: int) -> tuple[date, date]:
    """First and last day of the practice's week `week_no` (1-based): week 1 runs from the start date to its Sunday,
    later weeks Monday to Sunday (as the weekly logs count them); a week past the end is the practice's last."""
    monday = start - timedelta(days=start.weekday())
    total_weeks = (end - monday).days // 7 + 1
    week_no = max(1, min(week_no, total_weeks))
    first = max(start, monday + timedelta(weeks=week_no - 1))
    last = min(end, monday + timedelta(weeks=week_no) - timedelta(days=1))
    return first, last


def windows_for(placement: Placement, plan=None) -> dict[EvaluationKind, Window]:
    """When each evaluation can be given: from the first day of the plan's evaluation week (midterm_week, final_week)
    to the last day of that week plus the plan's evaluation_window_days. The student evaluates the host in the final
    window. No mid-term window when the plan has no mid-term week; without a plan the final week is the practice's
    last week and the window 7 days."""
    start, end = placement.start_date, placement.end_date
    days = getattr(plan, "evaluation_window_days", None)
    days = DEFAULT_WINDOW_DAYS if days is None else max(0, int(days))
    final_week = getattr(plan, "final_week", None) or getattr(plan, "weeks", None) or 10_000
    midterm_week = getattr(plan, "midterm_week", None)
    windows: dict[EvaluationKind, Window] = {}
    if midterm_week:
        first, last = _week_bounds(start, end, int(midterm_week))
        windows[EvaluationKind.SUPERVISOR_MIDTERM] = Window(first, last + timedelta(days=days))
    first, last = _week_bounds(start, end, int(final_week))
    windows[EvaluationKind.SUPERVISOR_FINAL] = Window(first, last + timedelta(days=days))
    windows[EvaluationKind.STUDENT_HOST] = windows[EvaluationKind.SUPERVISOR_FINAL]
    return windows


KIND_NAMES = {
    EvaluationKind.SUPERVISOR_MIDTERM: _l("mid-term evaluation of the student"),
    EvaluationKind.SUPERVISOR_FINAL: _l("final evaluation of the student"),
    EvaluationKind.STUDENT_HOST: _l("student's evaluation of the host"),
}


def window_message(kind: EvaluationKind, window: Window | None, today: date) -> str | None:
    """Why an evaluation cannot be given today (None when its window is open)."""
    if window is None:
        return str(_l("The course plan of this practice has no %(kind)s.", kind=KIND_NAMES[kind]))
    state = window.state(today)
    if state == "upcoming":
        return str(_l("The %(kind)s opens on %(opens)s and closes on %(closes)s (Asia/Seoul); it cannot be given "
                      "before then.", kind=KIND_NAMES[kind], opens=window.opens_on.isoformat(),
                      closes=window.closes_on.isoformat()))
    if state == "closed":
        return str(_l("The %(kind)s was open from %(opens)s to %(closes)s (Asia/Seoul) and is closed now. Ask the "
                      "exchange manager if it is still needed.", kind=KIND_NAMES[kind],
                      opens=window.opens_on.isoformat(), closes=window.closes_on.isoformat()))
    return None


def _plan_for(placement: Placement):
    """The placement's course plan (services/course_plans.py), or None."""
    return course_plans.plan_for(placement)


# -- who is who on a placement ----------------------------------------------------------------------------------


def role_on(actor: User | None, placement: Placement) -> str | None:
    """student | supervisor | manager | admin | mentor | None: the actor's part in this placement's evaluations."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.active:
        return None
    if actor.id == placement.student_id and actor.role == Role.STUDENT:
        return "student"
    if user_can(actor, Permission.ADMINISTER):
        return "admin"
    if can_review_placement(actor, placement):
        return "manager"
    if manages_company(actor, placement.opening.company):
        return "supervisor"
    if actor.role == Role.MENTOR and mentoring.is_mentor_of(actor, placement.id):
        return "mentor"
    return None


def _options():
    return (
        selectinload(Placement.opening).selectinload(Opening.company),
        selectinload(Placement.student).selectinload(User.student_profile).selectinload(StudentProfile.group),
    )


def get_placement(actor: User, placement_id: int) -> tuple[Placement, str]:
    """The placement and the actor's part in it; anyone with no part gets 'not found'."""
    placement = db.session.scalar(select(Placement).options(*_options()).where(Placement.id == placement_id))
    role = role_on(actor, placement) if placement is not None else None
    if placement is None or role is None:
        raise NotFound(str(_l("No such placement.")))
    return placement, role


def _lock_placement(placement_id: int) -> None:
    """The placement row's write lock until the commit (see the module docstring)."""
    table = Placement.__table__
    db.session.execute(update(table).where(table.c.id == placement_id).values(updated_at=table.c.updated_at))


def _check_can_submit(placement: Placement, kind: EvaluationKind, today: date) -> None:
    status = placement.status_on(today)
    if status != PlacementStatus.ACTIVE:
        from marketplace.labels import label

        raise Conflict(str(_l("Evaluations are given during an active practice; this one is “%(status)s”.",
                              status=label(status))))
    window = windows_for(placement, _plan_for(placement)).get(kind)
    message = window_message(kind, window, today)
    if message:
        raise Conflict(message)
    existing = db.session.scalar(select(Evaluation).where(Evaluation.placement_id == placement.id,
                                                          Evaluation.kind == kind))
    if existing is not None:
        raise Conflict(_already_message(kind, existing))


def _already_message(kind: EvaluationKind, existing: Evaluation | None) -> str:
    when = existing.submitted_at.astimezone(SEOUL).date().isoformat() if existing is not None \
        else today_in_seoul().isoformat()
    return str(_l("The %(kind)s was already submitted on %(date)s; an evaluation is given once and cannot be "
                  "changed. Nothing was saved.", kind=KIND_NAMES[kind], date=when))


def _insert(evaluation: Evaluation, kind: EvaluationKind) -> Evaluation:
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
    except IntegrityError:
        existing = db.session.scalar(select(Evaluation).where(Evaluation.placement_id == evaluation.placement_id,
                                                              Evaluation.kind == kind))
        raise Conflict(_already_message(kind, existing)) from None
    return evaluation


def _text(problems: Reasons, value: str | None, name: str, required_message) -> str:
    text = (value or "").strip()
    if not text and required_message is not None:
        problems.add(name, required_message)
    elif len(text) > MAX_TEXT:
        problems.add(name, _l("Use at most %(max)d characters.", max=MAX_TEXT))
    return text


def _score(problems: Reasons, value, name: str):
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        problems.add(name, _l("Choose a score from 1 to 5."))
        return None
    return value


@dataclass
class SupervisorEvaluationData:
    scores: dict[int, int | None] = field(default_factory=dict)  # rubric item id -> 1..5
    strengths: str = ""
    improvements: str = ""
    recommended_grade: str | None = None


def submit_supervisor_evaluation(actor: User, placement_id: int, kind: EvaluationKind,
                                 data: SupervisorEvaluationData, today: date | None = None) -> Evaluation:
    """The host supervisor's mid-term or final evaluation of the student: every active competency of the rubric
    1-5, strengths, improvements, a recommended grade (required in the final). Refused outside its window, twice,
    or by anyone but an active manager of the host company."""
    today = today or today_in_seoul()
    kind = EvaluationKind(kind)
    if kind not in SUPERVISOR_KINDS:
        raise NotFound(str(_l("No such evaluation.")))
    placement, role = get_placement(actor, placement_id)
    if role != "supervisor":
        raise Forbidden(str(_l("Only the host company's managers evaluate the student.")))
    problems = Reasons()
    items = active_items()
    scores = []
    for item in items:
        score = _score(problems, (data.scores or {}).get(item.id), f"score_{item.id}")
        scores.append({"item_id": item.id, "name_ko": item.name_ko, "name_en": item.name_en, "score": score})
    strengths = _text(problems, data.strengths, "strengths", _l("Name at least one strength."))
    improvements = _text(problems, data.improvements, "improvements", _l("Name at least one thing to improve."))
    grade = (data.recommended_grade or "").strip().upper() or None
    if grade is not None and grade not in GRADES:
        problems.add("recommended_grade", _l("Choose a grade from the list."))
    elif grade is None and kind == EvaluationKind.SUPERVISOR_FINAL:
        problems.add("recommended_grade", _l("Recommend a grade in the final evaluation."))
    problems.raise_if_any()
    _lock_placement(placement.id)
    _check_can_submit(placement, kind, today)
    evaluation = _insert(Evaluation(placement_id=placement.id, kind=kind, author_id=actor.id, scores=scores,
                                    strengths=strengths, improvements=improvements, recommended_grade=grade,
                                    submitted_at=utcnow()), kind)
    audit.record(actor, "placement", placement.id, f"evaluation_{kind.value}", note=f"grade {grade or '-'}")
    return evaluation


@dataclass
class HostEvaluationData:
    learning: int | None = None
    supervision: int | None = None
    environment: int | None = None
    would_recommend: bool | None = None
    comment: str = ""


def submit_host_evaluation(actor: User, placement_id: int, data: HostEvaluationData,
                           today: date | None = None) -> Evaluation:
    """The student's evaluation of the host: satisfaction 1-5 with what they learned, the supervision and the
    environment, whether they would recommend the host, a comment. The company never sees who answered what."""
    today = today or today_in_seoul()
    kind = EvaluationKind.STUDENT_HOST
    placement, role = get_placement(actor, placement_id)
    if role != "student":
        raise Forbidden(str(_l("Only the student of this practice evaluates the host.")))
    problems = Reasons()
    learning = _score(problems, data.learning, "learning")
    supervision = _score(problems, data.supervision, "supervision")
    environment = _score(problems, data.environment, "environment")
    if data.would_recommend is None:
        problems.add("would_recommend", _l("Say whether you would recommend this host."))
    comment = _text(problems, data.comment, "comment", None)
    problems.raise_if_any()
    _lock_placement(placement.id)
    _check_can_submit(placement, kind, today)
    evaluation = _insert(Evaluation(placement_id=placement.id, kind=kind, author_id=actor.id, learning=learning,
                                    supervision=supervision, environment=environment,
                                    would_recommend=bool(data.would_recommend), comment=comment,
                                    submitted_at=utcnow()), kind)
    audit.record(actor, "placement", placement.id, f"evaluation_{kind.value}")
    return evaluation


# -- reading ---------------------------------------------------------------------------------------------------------


def evaluations_for(placement_ids: Iterable[int]) -> dict[int, dict[EvaluationKind, Evaluation]]:
    """The evaluations given, per placement id and kind, in one query."""
    ids = list(set(placement_ids))
    out: dict[int, dict[EvaluationKind, Evaluation]] = {pid: {} for pid in ids}
    if not ids:
        return out
    for evaluation in db.session.scalars(select(Evaluation).where(Evaluation.placement_id.in_(ids))):
        out[evaluation.placement_id][evaluation.kind] = evaluation
    return out


def visible_kinds(role: str | None) -> frozenset[EvaluationKind]:
    """Which evaluations' contents a party reads: managers and admins all; the supervisor and the mentor the
    supervisor's; the student only that their own was given (the host's answers are anonymous to the company)."""
    if role in ("manager", "admin"):
        return frozenset(EvaluationKind)
    if role in ("supervisor", "mentor"):
        return frozenset(SUPERVISOR_KINDS)
    if role == "student":
        return frozenset({EvaluationKind.STUDENT_HOST})
    return frozenset()


@dataclass
class EvaluationsView:
    """What a party reads on a practice's evaluations page: every kind's window and whether it was given, and the
    contents of the kinds their part may read (`visible`)."""

    placement: Placement
    role: str
    today: date
    windows: dict[EvaluationKind, Window]
    given: dict[EvaluationKind, Evaluation]
    visible: frozenset[EvaluationKind]

    def shows_author(self, kind: EvaluationKind) -> bool:
        """The supervisor who evaluated is named to managers, admins, mentors and the host; never to the student."""
        return kind in SUPERVISOR_KINDS and self.role in ("manager", "admin", "mentor", "supervisor")


def view_for(actor: User, placement_id: int, today: date | None = None) -> EvaluationsView:
    """The evaluations of a placement as `actor` may read them (the page and the API); no part in it: not found."""
    placement, role = get_placement(actor, placement_id)
    return EvaluationsView(placement, role, today or today_in_seoul(), windows_for(placement, _plan_for(placement)),
                           evaluations_for([placement.id])[placement.id], visible_kinds(role))


@dataclass(frozen=True)
class SatisfactionSummary:
    answers: int
    learning: float | None = None
    supervision: float | None = None
    environment: float | None = None
    recommend_share: float | None = None  # percent of answers that would recommend

    @property
    def shown_to_company(self) -> bool:
        return self.answers >= MIN_ANSWERS_FOR_COMPANY


def satisfaction_summary(company_ids: Iterable[int] | None = None, group_ids: Iterable[int] | None = None,
                         period: tuple[date, date] | None = None, for_company: bool = False) -> SatisfactionSummary:
    """Averages of the students' evaluations of their hosts, in one query: of the given companies (host of the
    opening), of the students of the given project groups, submitted in `period` (Seoul days, both included).
    for_company=True hides every figure below MIN_ANSWERS_FOR_COMPANY answers (only the count stays)."""
    query = (select(func.count(Evaluation.id), func.avg(Evaluation.learning), func.avg(Evaluation.supervision),
                    func.avg(Evaluation.environment),
                    func.sum(cast(Evaluation.would_recommend, Integer)))
             .join(Placement, Placement.id == Evaluation.placement_id)
             .where(Evaluation.kind == EvaluationKind.STUDENT_HOST))
    if company_ids is not None:
        query = query.join(Opening, Opening.id == Placement.opening_id).where(Opening.company_id.in_(list(company_ids)))
    if group_ids is not None:
        query = query.where(Placement.student_id.in_(
            select(StudentProfile.user_id).where(StudentProfile.group_id.in_(list(group_ids)))))
    if period is not None:
        first, last = period
        query = query.where(Evaluation.submitted_at >= seoul_day_start(first),
                            Evaluation.submitted_at < seoul_day_start(last + timedelta(days=1)))
    count, learning, supervision, environment, recommends = db.session.execute(query).one()
    count = int(count or 0)
    if count == 0 or (for_company and count < MIN_ANSWERS_FOR_COMPANY):
        return SatisfactionSummary(answers=count)
    return SatisfactionSummary(
        answers=count, learning=round(float(learning), 2), supervision=round(float(supervision), 2),
        environment=round(float(environment), 2), recommend_share=round(100.0 * int(recommends or 0) / count, 1))


def company_feedback(actor: User, company: Company) -> SatisfactionSummary:
    """What a company's manager reads about how students rated it: aggregates only, from 3 answers."""
    if not manages_company(actor, company):
        raise NotFound(str(_l("No such company.")))
    return satisfaction_summary(company_ids=[company.id], for_company=True)


def host_answers_query(actor: User) -> Select:
    """The students' individual answers about their hosts, for exchange managers (their groups) and admins."""
    from marketplace.ownership import reviewable_group_ids

    query = (select(Evaluation).options(
        selectinload(Evaluation.author),
    ).join(Placement, Placement.id == Evaluation.placement_id)
        .where(Evaluation.kind == EvaluationKind.STUDENT_HOST)
        .order_by(Evaluation.submitted_at.desc(), Evaluation.id.desc()))
    groups = reviewable_group_ids(actor)
    if groups is not None:
        query = query.where(Placement.student_id.in_(
            select(StudentProfile.user_id).where(StudentProfile.group_id.in_(groups))))
    return query


# -- the rubric ------------------------------------------------------------------------------------------------------


def ensure_default_rubric() -> EvaluationRubric:
    """The programme's rubric, made with the default competencies when there is none (migrations, tests, seeds)."""
    current = db.session.scalar(select(EvaluationRubric).order_by(EvaluationRubric.id).limit(1))
    if current is not None:
        return current
    current = EvaluationRubric(name="Field practice competencies")
    db.session.add(current)
    db.session.flush()
    for position, (name_ko, name_en, description) in enumerate(DEFAULT_RUBRIC, start=1):
        db.session.add(RubricItem(rubric_id=current.id, name_ko=name_ko, name_en=name_en, description=description,
                                  position=position))
    db.session.flush()
    return current


def rubric() -> EvaluationRubric:
    current = db.session.scalar(select(EvaluationRubric).options(selectinload(EvaluationRubric.items))
                                .order_by(EvaluationRubric.id).limit(1))
    return current if current is not None else ensure_default_rubric()


def active_items() -> list[RubricItem]:
    return list(db.session.scalars(select(RubricItem).where(RubricItem.active.is_(True))
                                   .order_by(RubricItem.position, RubricItem.id)))


@dataclass
class RubricItemData:
    name_ko: str
    name_en: str
    description: str = ""
    position: int | None = None
    active: bool = True


def save_rubric_item(actor: User, item_id: int | None, data: RubricItemData,
                     expected_version: int | None = None) -> RubricItem:
    """Add or change a competency of the rubric (programme office). Evaluations already given keep the names they
    were given with; a retired item (inactive) is no longer asked."""
    if not user_can(actor, Permission.ADMINISTER):
        raise Forbidden(str(_l("Only the programme office edits the evaluation rubric.")))
    current = rubric()
    claim_for_edit(current, expected_version)
    item = None
    if item_id is not None:
        item = db.session.get(RubricItem, item_id)
        if item is None or item.rubric_id != current.id:
            raise NotFound(str(_l("No such competency.")))
    problems = Reasons()
    name_ko = " ".join((data.name_ko or "").split())
    name_en = " ".join((data.name_en or "").split())
    for name, value in (("name_ko", name_ko), ("name_en", name_en)):
        if not value:
            problems.add(name, _l("Enter the name in both languages."))
        elif len(value) > 200:
            problems.add(name, _l("Use at most %(max)d characters.", max=200))
    description = (data.description or "").strip()
    if len(description) > 1000:
        problems.add("description", _l("Use at most %(max)d characters.", max=1000))
    position = data.position
    if position is not None and (isinstance(position, bool) or not isinstance(position, int)
                                 or not 0 <= position <= 1000):
        problems.add("position", _l("Enter a number from %(min)s to %(max)s.", min=0, max=1000))
    if not data.active and (item is None or item.active) and \
            len([i for i in active_items() if item is None or i.id != item.id]) == 0:
        problems.add("active", _l("Keep at least one active competency: supervisors need something to score."))
    problems.raise_if_any()
    if item is None:
        if position is None:
            position = (db.session.scalar(select(func.max(RubricItem.position))
                                          .where(RubricItem.rubric_id == current.id)) or 0) + 1
        item = RubricItem(rubric_id=current.id, name_ko=name_ko, name_en=name_en, description=description,
                          position=position, active=bool(data.active))
        db.session.add(item)
        action = "rubric_item_added"
    else:
        item.name_ko, item.name_en, item.description = name_ko, name_en, description
        if position is not None:
            item.position = position
        item.active = bool(data.active)
        action = "rubric_item_changed"
    current.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "evaluation_rubric", current.id, action, note=f"{name_en} / {name_ko}")
    return item
