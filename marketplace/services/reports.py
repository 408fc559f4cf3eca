"""Programme reports: the figures the programme office sends the ministry, per term or year, per project group.

Every figure is counted from one row query (the `*_rows` builders below); the report runs aggregates over those
very queries and the list pages a figure links to run the queries themselves, so a number on the report and the
rows on its list are the same rows by construction.

Periods (Seoul calendar days): `2026` is the calendar year (1 Jan – 31 Dec); `2026-1` is the first term
(1학기, 1 Mar – 31 Aug 2026); `2026-2` the second term (2학기, 1 Sep 2026 – end of Feb 2027). Year-on-year
change compares with the same period one year earlier.

What each figure counts (scope = the chosen group, else every group the viewer reviews; admins: all groups):
- openings: openings first published in the period and open to a group of the scope, by kind;
- participating companies: the companies of those openings; new = none of their openings was published before
  the period, returning = one was;
- applications: applications submitted in the period by students of the scope (by the student's group);
- students: the students of the scope who applied in the period, by group, degree level and major;
- placements: placements of the scope's students whose practice starts in the period and that were approved
  (whatever happened after: in progress, completed, not completed, cancelled);
- confirmed practice hours: hours the host confirmed in those placements' weekly logs;
- compliance overrides: overrides recorded in the period on those placements' students' placements or on openings
  open to the scope;
- median days from application to approval: over the approved placements above;
- satisfaction: the students' evaluations of their hosts submitted in the period by students of the scope (number of
  answers, averages of each question 1–5, share that would recommend the host);
- skills: the skills the period's openings ask for most, with how many of the period's students list each.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Select, and_, case, distinct, exists, false, func, or_, select, true
from sqlalchemy.orm import selectinload

from marketplace.clock import seoul_day_start
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import (
    Application,
    ApplicationStatus,
    Company,
    ComplianceOverride,
    DegreeLevel,
    Opening,
    OpeningKind,
    OpeningSkill,
    Placement,
    PlacementStatus,
    ProjectGroup,
    StudentProfile,
    StudentSkill,
    User,
    opening_groups,
)
from marketplace.ownership import reviewable_group_ids
from marketplace.services import evaluations, practice_logs
from marketplace.services.errors import DomainError, NotFound

TOP_SKILLS = 10
PERIOD_RE = re.compile(r"^(\d{4})(?:-([12]))?$")
MIN_YEAR, MAX_YEAR = 2000, 2100

# D's NOT_COMPLETED (closed with a reason) once it exists on main.
NOT_COMPLETED = getattr(PlacementStatus, "NOT_COMPLETED", None)
IN_PROGRESS = (PlacementStatus.APPROVED, PlacementStatus.ACTIVE)
# Placements that were approved, whatever happened next (cancelling needs an approved placement).
APPROVED_ANY = tuple(s for s in (PlacementStatus.APPROVED, PlacementStatus.ACTIVE, PlacementStatus.COMPLETED,
                                 NOT_COMPLETED, PlacementStatus.CANCELLED) if s is not None)
# The placement list's filters a report figure links to.
PLACEMENT_FILTERS: dict[str, tuple[PlacementStatus, ...]] = {
    "approved_any": APPROVED_ANY,
    "in_progress": IN_PROGRESS,
    "completed": (PlacementStatus.COMPLETED,),
    "not_completed": (NOT_COMPLETED,) if NOT_COMPLETED else (),
    "cancelled": (PlacementStatus.CANCELLED,),
}


# -- periods ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    term: int | None  # 1 or 2; None for the calendar year

    @property
    def key(self) -> str:
        return f"{self.year}-{self.term}" if self.term else str(self.year)

    @property
    def start(self) -> date:
        if self.term == 1:
            return date(self.year, 3, 1)
        if self.term == 2:
            return date(self.year, 9, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """The last day, inclusive."""
        if self.term == 1:
            return date(self.year, 8, 31)
        if self.term == 2:
            return date(self.year + 1, 3, 1) - timedelta(days=1)
        return date(self.year, 12, 31)

    @property
    def starts_at(self) -> datetime:
        return seoul_day_start(self.start)

    @property
    def ends_before(self) -> datetime:
        return seoul_day_start(self.end + timedelta(days=1))

    def previous(self) -> Period:
        return Period(self.year - 1, self.term)

    def label(self, locale: str = "ko") -> str:
        if locale == "ko":
            return f"{self.year}년 {self.term}학기" if self.term else f"{self.year}년"
        if self.term:
            return f"{self.year} term {self.term} ({'Mar–Aug' if self.term == 1 else 'Sep–Feb'})"
        return f"{self.year}"

    def __str__(self) -> str:
        return self.key


def current_period(today: date) -> Period:
    """The term `today` (Seoul) falls in."""
    if 3 <= today.month <= 8:
        return Period(today.year, 1)
    return Period(today.year if today.month >= 9 else today.year - 1, 2)


def parse_period(text: str | None, today: date) -> Period:
    """`2026`, `2026-1` or `2026-2`; empty means the current term. Anything else is refused on the field."""
    text = (text or "").strip()
    if not text:
        return current_period(today)
    match = PERIOD_RE.match(text)
    if not match or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        raise DomainError(str(_l("Choose a year (e.g. 2026) or a term (2026-1: March–August, 2026-2: September–"
                                 "February) between %(min)d and %(max)d.", min=MIN_YEAR, max=MAX_YEAR)),
                          field="period")
    return Period(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


def period_choices(today: date, years: int = 4) -> list[Period]:
    """Recent terms and years for the period picker, newest first."""
    out = []
    for year in range(today.year, today.year - years, -1):
        out += [p for p in (Period(year, 2), Period(year, 1)) if p.start <= today] + [Period(year, None)]
    return out


# -- scope -------------------------------------------------------------------------------------------------------


@dataclass
class Scope:
    """The groups a report covers: `group_ids` None = every group (an admin's programme report)."""

    group_ids: frozenset[int] | None
    group: ProjectGroup | None  # the one group chosen, if any
    available: list[ProjectGroup]

    @property
    def ids(self) -> list[int]:
        return sorted(self.group_ids) if self.group_ids is not None else []

    def students(self):
        """Condition on a student id column: a student of the scope."""
        def condition(column):
            if self.group_ids is None:
                return true()
            if not self.group_ids:
                return false()
            return column.in_(select(StudentProfile.user_id).where(StudentProfile.group_id.in_(self.ids)))
        return condition

    def opening_open(self):
        if self.group_ids is None:
            return true()
        return exists().where(opening_groups.c.opening_id == Opening.id, opening_groups.c.group_id.in_(self.ids))


def resolve_scope(actor: User, group_id: int | None) -> Scope:
    """The actor's reach, narrowed to `group_id`; a group that does not exist or that the actor does not review
    is 'not found' (a 404, like any record one may not see)."""
    reachable = reviewable_group_ids(actor)
    query = select(ProjectGroup).order_by(ProjectGroup.code)
    if reachable is not None:
        query = query.where(ProjectGroup.id.in_(sorted(reachable) or [-1]))
    available = list(db.session.scalars(query))
    if group_id is None:
        return Scope(None if reachable is None else frozenset(reachable), None, available)
    chosen = next((g for g in available if g.id == group_id), None)
    if chosen is None:
        raise NotFound(str(_l("No such project group among yours.")))
    return Scope(frozenset({chosen.id}), chosen, available)


# -- the rows each figure counts ------------------------------------------------------------------------------


def openings_rows(scope: Scope, period: Period, kind: OpeningKind | None = None, skill: str | None = None) -> Select:
    """Openings first published in the period, open to a group of the scope."""
    query = select(Opening).where(Opening.published_at >= period.starts_at, Opening.published_at < period.ends_before,
                                  scope.opening_open())
    if kind is not None:
        query = query.where(Opening.kind == kind)
    if skill:
        query = query.where(exists().where(OpeningSkill.opening_id == Opening.id, _skill_key(OpeningSkill) == skill))
    return query


def companies_rows(scope: Scope, period: Period, new: bool | None = None) -> Select:
    """Companies with an opening in `openings_rows`; new = no opening of theirs was published before the period."""
    period_openings = openings_rows(scope, period).with_only_columns(Opening.company_id)
    query = select(Company).where(Company.id.in_(period_openings))
    earlier = exists().where(Opening.company_id == Company.id, Opening.published_at < period.starts_at)
    if new is True:
        query = query.where(~earlier)
    elif new is False:
        query = query.where(earlier)
    return query


def applications_rows(scope: Scope, period: Period, status: ApplicationStatus | None = None) -> Select:
    """Applications submitted in the period by students of the scope."""
    query = select(Application).where(Application.created_at >= period.starts_at,
                                      Application.created_at < period.ends_before,
                                      scope.students()(Application.student_id))
    if status is not None:
        query = query.where(Application.status == status)
    return query


def students_rows(scope: Scope, period: Period, group_id: int | None = None, degree: DegreeLevel | None = None,
                  major: str | None = None, skill: str | None = None) -> Select:
    """Student profiles of the scope whose student applied in the period."""
    applied = applications_rows(scope, period).with_only_columns(Application.student_id)
    query = select(StudentProfile).where(StudentProfile.user_id.in_(applied))
    if group_id is not None:
        query = query.where(StudentProfile.group_id == group_id)
    if degree is not None:
        query = query.where(StudentProfile.degree_level == degree)
    if major is not None:
        query = query.where(StudentProfile.major == major)
    if skill:
        query = query.where(exists().where(StudentSkill.profile_id == StudentProfile.id,
                                           _skill_key(StudentSkill) == skill))
    return query


def placements_rows(scope: Scope, period: Period, statuses=APPROVED_ANY) -> Select:
    """Placements of the scope's students starting in the period, in `statuses` (by default: every approved one)."""
    return select(Placement).where(Placement.start_date >= period.start, Placement.start_date <= period.end,
                                   Placement.status.in_(tuple(statuses) or [None]),
                                   scope.students()(Placement.student_id))


def overrides_rows(scope: Scope, period: Period) -> Select:
    """Compliance overrides recorded in the period on placements of the scope's students or openings open to it."""
    query = select(ComplianceOverride).where(ComplianceOverride.created_at >= period.starts_at,
                                             ComplianceOverride.created_at < period.ends_before)
    if scope.group_ids is None:
        return query
    placements = select(Placement.id).where(scope.students()(Placement.student_id))
    openings = select(Opening.id).where(scope.opening_open())
    return query.where(or_(
        and_(ComplianceOverride.subject_type == "placement", ComplianceOverride.subject_id.in_(placements)),
        and_(ComplianceOverride.subject_type == "opening", ComplianceOverride.subject_id.in_(openings))))


def _skill_key(model):
    """Canonical skill when recognised, else the name shown (as the dashboard counts skills)."""
    return func.coalesce(model.skill_id, model.display_name)


# -- the figures --------------------------------------------------------------------------------------------


@dataclass
class SkillRow:
    key: str
    name: str
    openings: int  # the period's openings asking for it
    students: int  # the period's students listing it


@dataclass
class Figures:
    period: Period
    companies: int = 0
    companies_new: int = 0
    companies_returning: int = 0
    openings: int = 0
    openings_by_kind: dict[str, int] = field(default_factory=dict)
    applications: int = 0
    applications_by_status: dict[str, int] = field(default_factory=dict)
    students: int = 0
    students_by_group: list[tuple[int, str, int]] = field(default_factory=list)  # (group id, code, n)
    students_by_degree: dict[str, int] = field(default_factory=dict)
    students_by_major: list[tuple[str, int]] = field(default_factory=list)
    placements_approved: int = 0
    placements_in_progress: int = 0
    placements_completed: int = 0
    placements_not_completed: int = 0
    placements_cancelled: int = 0
    confirmed_hours: float = 0.0  # confirmed in the weekly logs of the counted placements
    overrides: int = 0
    median_days_to_approval: float | None = None
    satisfaction: dict | None = None  # None: evaluations are not available yet
    skills: list[SkillRow] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "period": self.period.key, "start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
            "companies": {"total": self.companies, "new": self.companies_new, "returning": self.companies_returning},
            "openings": {"total": self.openings, "by_kind": self.openings_by_kind},
            "applications": {"total": self.applications, "by_status": self.applications_by_status},
            "students": {"total": self.students,
                         "by_group": [{"group_id": gid, "group": code, "count": n}
                                      for gid, code, n in self.students_by_group],
                         "by_degree": self.students_by_degree,
                         "by_major": [{"major": m, "count": n} for m, n in self.students_by_major]},
            "placements": {"approved": self.placements_approved, "in_progress": self.placements_in_progress,
                           "completed": self.placements_completed, "not_completed": self.placements_not_completed,
                           "cancelled": self.placements_cancelled},
            "confirmed_hours": self.confirmed_hours,
            "compliance_overrides": self.overrides,
            "median_days_to_approval": self.median_days_to_approval,
            "satisfaction": self.satisfaction,
            "skills": [{"skill": s.name, "key": s.key, "openings": s.openings, "students": s.students}
                       for s in self.skills],
        }


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _companies(figures: Figures, scope: Scope, period: Period) -> None:
    rows = companies_rows(scope, period).subquery()
    earlier = exists().where(Opening.company_id == rows.c.id, Opening.published_at < period.starts_at)
    total, returning = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((earlier, 1), else_=0)), 0)).select_from(rows)).one()
    figures.companies, figures.companies_returning = total, int(returning)
    figures.companies_new = total - int(returning)


def _openings(figures: Figures, scope: Scope, period: Period) -> None:
    rows = openings_rows(scope, period).subquery()
    by_kind = dict(db.session.execute(select(rows.c.kind, func.count()).group_by(rows.c.kind)).all())
    figures.openings_by_kind = {kind.value: by_kind.get(kind, by_kind.get(kind.value, 0)) for kind in OpeningKind}
    figures.openings = sum(figures.openings_by_kind.values())


def _applications(figures: Figures, scope: Scope, period: Period) -> None:
    rows = applications_rows(scope, period).subquery()
    by_status = dict(db.session.execute(select(rows.c.status, func.count()).group_by(rows.c.status)).all())
    figures.applications_by_status = {s.value: by_status.get(s, by_status.get(s.value, 0)) for s in ApplicationStatus}
    figures.applications = sum(figures.applications_by_status.values())


def _students(figures: Figures, scope: Scope, period: Period) -> None:
    """One grouped query; each student has one profile, so the three breakdowns are sums of its rows."""
    rows = students_rows(scope, period).subquery()
    by_group: dict[int, int] = {}
    by_degree: dict[str, int] = {d.value: 0 for d in DegreeLevel}
    by_major: dict[str, int] = {}
    for group_id, degree, major, n in db.session.execute(
            select(rows.c.group_id, rows.c.degree_level, rows.c.major, func.count())
            .group_by(rows.c.group_id, rows.c.degree_level, rows.c.major)):
        by_group[group_id] = by_group.get(group_id, 0) + n
        key = degree.value if isinstance(degree, DegreeLevel) else str(degree)
        by_degree[key] = by_degree.get(key, 0) + n
        by_major[major] = by_major.get(major, 0) + n
    codes = {g.id: g.code for g in scope.available}
    figures.students_by_group = sorted(((gid, codes.get(gid, str(gid)), n) for gid, n in by_group.items()),
                                       key=lambda row: row[1])
    figures.students_by_degree = by_degree
    figures.students_by_major = sorted(by_major.items(), key=lambda item: (-item[1], item[0]))
    figures.students = sum(by_group.values())


def _placements(figures: Figures, scope: Scope, period: Period) -> list[int]:
    """Placement figures and the median; returns the approved placements' ids (for hours and satisfaction)."""
    rows = placements_rows(scope, period).subquery()
    ids: list[int] = []
    days: list[float] = []
    counts: dict[PlacementStatus, int] = {}
    for placement_id, status, applied, decided in db.session.execute(
            select(rows.c.id, rows.c.status, Application.created_at, rows.c.decided_at)
            .join(Application, Application.id == rows.c.application_id)):
        ids.append(placement_id)
        status = PlacementStatus(status)
        counts[status] = counts.get(status, 0) + 1
        if decided is not None:
            days.append(max(0.0, (_aware(decided) - _aware(applied)).total_seconds() / 86400))
    figures.placements_approved = len(ids)
    figures.placements_in_progress = sum(counts.get(s, 0) for s in IN_PROGRESS)
    figures.placements_completed = counts.get(PlacementStatus.COMPLETED, 0)
    figures.placements_not_completed = counts.get(NOT_COMPLETED, 0) if NOT_COMPLETED else 0
    figures.placements_cancelled = counts.get(PlacementStatus.CANCELLED, 0)
    figures.median_days_to_approval = round(statistics.median(days), 1) if days else None
    return ids


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _overrides(figures: Figures, scope: Scope, period: Period) -> None:
    figures.overrides = _count(overrides_rows(scope, period))


def _confirmed_hours(placement_ids: list[int]) -> float:
    """Hours the hosts confirmed in the weekly logs of the counted placements (helper B's practice_logs, one query)."""
    if not placement_ids:
        return 0.0
    return round(float(sum(practice_logs.confirmed_hours(placement_ids).values())), 1)


SATISFACTION_LABELS = {
    "answers": _l("Answers"),
    "learning": _l("What I learned (1–5)"),
    "supervision": _l("Supervision and feedback (1–5)"),
    "environment": _l("Working environment (1–5)"),
    "recommend_share": _l("Share who would recommend the host (per cent)"),
}


def _satisfaction(scope: Scope, period: Period) -> dict:
    """The students' evaluations of their hosts submitted in the period by students of the scope (one query):
    the number of answers and the averages; {} when there is none."""
    summary = evaluations.satisfaction_summary(group_ids=scope.group_ids, period=(period.start, period.end))
    if not summary.answers:
        return {}
    return {"answers": summary.answers, "learning": summary.learning, "supervision": summary.supervision,
            "environment": summary.environment, "recommend_share": summary.recommend_share}


def _skills(figures: Figures, scope: Scope, period: Period) -> None:
    """The skills the period's openings ask for most, with how many of the period's students list each."""
    openings = openings_rows(scope, period).with_only_columns(Opening.id)
    key = _skill_key(OpeningSkill)
    top = list(db.session.execute(
        select(key.label("k"), func.max(OpeningSkill.display_name), func.count(distinct(OpeningSkill.opening_id)))
        .where(OpeningSkill.opening_id.in_(openings)).group_by(key)
        .order_by(func.count(distinct(OpeningSkill.opening_id)).desc(), key).limit(TOP_SKILLS)))
    figures.skills = [SkillRow(k, name, n, 0) for k, name, n in top]
    if figures.skills:
        profiles = students_rows(scope, period).with_only_columns(StudentProfile.id)
        student_key = _skill_key(StudentSkill)
        have = dict(db.session.execute(
            select(student_key, func.count(distinct(StudentSkill.profile_id)))
            .where(StudentSkill.profile_id.in_(profiles), student_key.in_([s.key for s in figures.skills]))
            .group_by(student_key)).all())
        for skill in figures.skills:
            skill.students = have.get(skill.key, 0)


def figures_for(scope: Scope, period: Period) -> Figures:
    """Every figure of one period, in a constant number of aggregate queries."""
    figures = Figures(period)
    _companies(figures, scope, period)
    _openings(figures, scope, period)
    _applications(figures, scope, period)
    _students(figures, scope, period)
    placement_ids = _placements(figures, scope, period)
    figures.confirmed_hours = _confirmed_hours(placement_ids)
    _overrides(figures, scope, period)
    figures.satisfaction = _satisfaction(scope, period)
    _skills(figures, scope, period)
    return figures


@dataclass
class Report:
    scope: Scope
    current: Figures
    previous: Figures
    made_at: datetime

    @property
    def period(self) -> Period:
        return self.current.period

    def change(self, name: str) -> tuple[float | int | None, float | None]:
        """(difference, percent change) of a figure against the previous period (None when not comparable)."""
        now, before = getattr(self.current, name), getattr(self.previous, name)
        if now is None or before is None:
            return None, None
        diff = round(now - before, 1) if isinstance(now, float) or isinstance(before, float) else now - before
        return diff, (round(100.0 * (now - before) / before, 1) if before else None)

    def as_dict(self) -> dict:
        scope = self.scope
        changes = {}
        for name in YOY_FIGURES:
            diff, pct = self.change(name)
            changes[name] = {"current": getattr(self.current, name), "previous": getattr(self.previous, name),
                             "change": diff, "change_pct": pct}
        return {
            "scope": {"group_id": scope.group.id if scope.group else None,
                      "group": scope.group.code if scope.group else None,
                      "groups": [g.code for g in scope.available] if scope.group is None else [scope.group.code]},
            "made_at": self.made_at.isoformat(),
            "current": self.current.as_dict(),
            "previous": self.previous.as_dict(),
            "year_on_year": changes,
        }


# The single figures compared year on year (and shown with their change).
YOY_FIGURES = ("companies", "companies_new", "companies_returning", "openings", "applications", "students",
               "placements_approved", "placements_completed", "placements_not_completed", "confirmed_hours",
               "overrides", "median_days_to_approval")


def report(actor: User, group_id: int | None, period: Period, now: datetime | None = None) -> Report:
    """The report of `period` and the same period a year earlier, for the actor's groups or one of them."""
    from marketplace.models.base import utcnow

    scope = resolve_scope(actor, group_id)
    return Report(scope, figures_for(scope, period), figures_for(scope, period.previous()), now or utcnow())


# -- list pages: the counted rows with what they show ------------------------------------------------------------


def list_options(kind: str):
    """Eager loads for a list page of `kind`, so its template runs no query per row."""
    from marketplace.models import User as _User

    return {
        "openings": (selectinload(Opening.company), selectinload(Opening.eligible_groups)),
        "companies": (selectinload(Company.partner_groups),),
        "applications": (selectinload(Application.opening).selectinload(Opening.company),
                         selectinload(Application.student).selectinload(_User.student_profile)
                         .selectinload(StudentProfile.group)),
        "students": (selectinload(StudentProfile.user), selectinload(StudentProfile.group)),
        "overrides": (selectinload(ComplianceOverride.created_by),),
    }[kind]


def list_order(kind: str):
    return {
        "openings": (Opening.published_at, Opening.id),
        "companies": (Company.name, Company.id),
        "applications": (Application.created_at, Application.id),
        "students": (StudentProfile.group_id, StudentProfile.id),
        "overrides": (ComplianceOverride.created_at, ComplianceOverride.id),
    }[kind]


# -- what the page, the workbook and the PDF show: (figure, label, list endpoint, list filters) ----------------

SUMMARY: list[tuple[str, object, str, dict]] = [
    ("companies", _l("Participating companies"), "reports.companies", {}),
    ("companies_new", _l("New companies"), "reports.companies", {"new": "1"}),
    ("companies_returning", _l("Returning companies"), "reports.companies", {"new": "0"}),
    ("openings", _l("Openings published"), "reports.openings", {}),
    ("applications", _l("Applications"), "reports.applications", {}),
    ("students", _l("Students who applied"), "reports.students", {}),
    ("placements_approved", _l("Placements approved"), "manager.placements_list", {"status": "approved_any"}),
    ("placements_completed", _l("Placements completed"), "manager.placements_list", {"status": "completed"}),
    ("placements_not_completed", _l("Placements not completed"), "manager.placements_list",
     {"status": "not_completed"}),
    ("confirmed_hours", _l("Confirmed practice hours"), "manager.placements_list", {"status": "approved_any"}),
    ("overrides", _l("Compliance overrides"), "reports.overrides", {}),
    ("median_days_to_approval", _l("Median days from application to approval"), "manager.placements_list",
     {"status": "approved_any"}),
]

PLACEMENT_FILTER_LABELS = {
    "approved_any": _l("approved, any outcome"),
    "in_progress": _l("in progress"),
    "completed": _l("completed"),
    "not_completed": _l("not completed"),
    "cancelled": _l("cancelled after approval"),
}


def placement_filter_label(key: str) -> str:
    return str(PLACEMENT_FILTER_LABELS.get(key, key))
