"""The exchange managers' dashboard: numbers per project group and overall, in a constant number of queries.

What counts where: openings and seats count the openings open to a group (an opening open to two groups counts
in both, once overall); applications, offers and placements count the group's students (each student is in one
group, so the overall figure is the sum). Fill rate = seats held (approved, active or completed placements) in
published or closed openings / those openings' seats.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, case, distinct, exists, func, null, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from marketplace.extensions import db
from marketplace.models import (
    SEAT_HOLDING,
    Application,
    ApplicationStatus,
    Opening,
    OpeningSkill,
    OpeningStatus,
    Placement,
    PlacementStatus,
    ProjectGroup,
    StudentProfile,
    StudentSkill,
    User,
    opening_groups,
)
from marketplace.ownership import reviewable_group_ids
from marketplace.services import stamps

COUNTED_OPENINGS = (OpeningStatus.PUBLISHED, OpeningStatus.CLOSED)
OFFERED = (ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED)
TOP_SKILLS = 10


@dataclass
class Numbers:
    group: ProjectGroup | None  # None: overall
    openings_published: int = 0
    seats: int = 0
    seats_held: int = 0
    applications: int = 0
    offers: int = 0
    approved: int = 0
    active: int = 0
    completed: int = 0
    median_days: float | None = None  # from application to approval (computed by the database)

    @property
    def fill_rate(self) -> float | None:
        """Seats held / seats, 0..1 (None without seats)."""
        return self.seats_held / self.seats if self.seats else None

    @property
    def median_days_to_approval(self) -> float | None:
        return self.median_days


@dataclass
class SkillDemand:
    key: str
    name: str
    requested: int  # published openings asking for it
    students: int  # students who list it


@dataclass
class Dashboard:
    groups: list[Numbers]
    overall: Numbers
    requested_skills: list[SkillDemand]
    student_skills: list[SkillDemand]
    available_groups: list[ProjectGroup]
    selected_group: ProjectGroup | None


def _skill_key(model):
    """Canonical skill when recognised, else the name shown."""
    return func.coalesce(model.skill_id, model.display_name)


@dataclass
class _Scope:
    """The groups shown; `restricted` is False only for an admin looking at every group (no filter needed)."""

    group_ids: list[int]
    restricted: bool

    def opening_condition(self):
        return exists().where(opening_groups.c.opening_id == Opening.id, opening_groups.c.group_id.in_(self.group_ids))

    def overall(self, query):
        """`query` over openings, limited to the scope's openings unless nothing is restricted."""
        return query.where(self.opening_condition()) if self.restricted else query


def _groups_in_reach(actor: User, group_id: int | None) -> tuple[list[ProjectGroup], ProjectGroup | None, bool]:
    """The groups the actor may pick from, the one picked (if any), and whether the numbers are restricted."""
    reachable = reviewable_group_ids(actor)
    group_query = select(ProjectGroup).order_by(ProjectGroup.code)
    if reachable is not None:
        group_query = group_query.where(ProjectGroup.id.in_(reachable or [-1]))
    available = list(db.session.scalars(group_query))
    selected = next((g for g in available if g.id == group_id), None)
    return available, selected, reachable is not None or selected is not None


def _count_openings(rows: dict[int, Numbers], overall: Numbers, scope: _Scope) -> None:
    """Openings published or closed and their seats, per group and overall (distinct openings)."""
    for gid, n, seats in db.session.execute(
        select(opening_groups.c.group_id, func.count(Opening.id), func.coalesce(func.sum(Opening.seats), 0))
        .join(Opening, Opening.id == opening_groups.c.opening_id)
        .where(Opening.status.in_(COUNTED_OPENINGS), opening_groups.c.group_id.in_(scope.group_ids))
        .group_by(opening_groups.c.group_id)
    ):
        rows[gid].openings_published, rows[gid].seats = n, int(seats)
    query = select(func.count(Opening.id), func.coalesce(func.sum(Opening.seats), 0)) \
        .where(Opening.status.in_(COUNTED_OPENINGS))
    n, seats = db.session.execute(scope.overall(query)).one()
    overall.openings_published, overall.seats = n, int(seats)


def _count_seats_held(rows: dict[int, Numbers], overall: Numbers, scope: _Scope) -> None:
    """Seats held in those openings, per group and overall."""
    for gid, n in db.session.execute(
        select(opening_groups.c.group_id, func.count(Placement.id))
        .join(Opening, Opening.id == opening_groups.c.opening_id)
        .join(Placement, Placement.opening_id == Opening.id)
        .where(Opening.status.in_(COUNTED_OPENINGS), Placement.status.in_(SEAT_HOLDING),
               opening_groups.c.group_id.in_(scope.group_ids))
        .group_by(opening_groups.c.group_id)
    ):
        rows[gid].seats_held = n
    query = select(func.count(Placement.id)).join(Opening, Opening.id == Placement.opening_id) \
        .where(Opening.status.in_(COUNTED_OPENINGS), Placement.status.in_(SEAT_HOLDING))
    overall.seats_held = db.session.scalar(scope.overall(query)) or 0


def _count_applications(rows: dict[int, Numbers], scope: _Scope) -> None:
    """Applications and offers, by the student's group."""
    for gid, n, offers in db.session.execute(
        select(StudentProfile.group_id, func.count(Application.id),
               func.coalesce(func.sum(case((Application.status.in_(OFFERED), 1), else_=0)), 0))
        .join(StudentProfile, StudentProfile.user_id == Application.student_id)
        .where(StudentProfile.group_id.in_(scope.group_ids))
        .group_by(StudentProfile.group_id)
    ):
        rows[gid].applications, rows[gid].offers = n, int(offers)


def _count_placements(rows: dict[int, Numbers], scope: _Scope) -> None:
    """Placements by state, by the student's group."""
    attribute = {PlacementStatus.APPROVED: "approved", PlacementStatus.ACTIVE: "active",
                 PlacementStatus.COMPLETED: "completed"}
    for gid, status, n in db.session.execute(
        select(StudentProfile.group_id, Placement.status, func.count(Placement.id))
        .join(StudentProfile, StudentProfile.user_id == Placement.student_id)
        .where(StudentProfile.group_id.in_(scope.group_ids), Placement.status.in_(SEAT_HOLDING))
        .group_by(StudentProfile.group_id, Placement.status)
    ):
        if status in attribute:  # not completed holds its seat but is none of the three
            setattr(rows[gid], attribute[status], n)


class _DaysBetween(FunctionElement):
    """(later - earlier) in days, fractional, computed by the database."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(_DaysBetween)
def _days_between(element, compiler, **kw):  # PostgreSQL
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


@compiles(_DaysBetween, "sqlite")
def _days_between_sqlite(element, compiler, **kw):  # datetimes stored as ISO text
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


def _median_days_to_approval(rows: dict[int, Numbers], overall: Numbers, scope: _Scope) -> None:
    """Median days from application to approval, per group and overall, computed by the database in one
    statement: each approved placement's days ranked within its group and overall (window functions), then the
    middle one (or the mean of the middle two) kept. Nothing per placement comes back to Python."""
    raw = _DaysBetween(Placement.decided_at, Application.created_at)
    days = case((raw < 0, 0.0), else_=raw)
    ranked = (
        select(StudentProfile.group_id.label("group_id"), days.label("days"),
               func.row_number().over(partition_by=StudentProfile.group_id, order_by=days).label("rank"),
               func.count().over(partition_by=StudentProfile.group_id).label("n"),
               func.row_number().over(order_by=days).label("rank_all"),
               func.count().over().label("n_all"))
        .join(Application, Application.id == Placement.application_id)
        .join(StudentProfile, StudentProfile.user_id == Placement.student_id)
        .where(StudentProfile.group_id.in_(scope.group_ids), Placement.status.in_(SEAT_HOLDING),
               Placement.decided_at.is_not(None))
    ).subquery()

    def middle(rank, n):
        return or_(rank == (n + 1) // 2, rank == (n + 2) // 2)

    per_group = (select(ranked.c.group_id, func.avg(ranked.c.days))
                 .where(middle(ranked.c.rank, ranked.c.n)).group_by(ranked.c.group_id))
    everyone = select(null(), func.avg(ranked.c.days)).where(middle(ranked.c.rank_all, ranked.c.n_all))
    for gid, median in db.session.execute(union_all(per_group, everyone)):
        if median is None:
            continue
        target = overall if gid is None else rows[gid]
        target.median_days = round(float(median), 1)


def _add_students_numbers(rows: dict[int, Numbers], overall: Numbers) -> None:
    """Each student is in one group, so the overall student-side figures are the groups' sums."""
    for row in rows.values():
        for name in ("applications", "offers", "approved", "active", "completed"):
            setattr(overall, name, getattr(overall, name) + getattr(row, name))


def _students_per_skill(scope: _Scope) -> dict[str, tuple[str, int]]:
    """Skill key -> (name shown, how many students list it), every skill at once: one aggregate over the scope's
    student skills serves both lists (one pass instead of a top-ten and a look-up of the requested skills)."""
    key = _skill_key(StudentSkill)
    query = (select(key, func.max(StudentSkill.display_name), func.count(distinct(StudentSkill.profile_id)))
             .join(StudentProfile, StudentProfile.id == StudentSkill.profile_id)
             .group_by(key))
    if scope.restricted:
        query = query.where(StudentProfile.group_id.in_(scope.group_ids))
    return {k: (name, n) for k, name, n in db.session.execute(query)}


def _openings_per_skill(scope: _Scope) -> dict[str, tuple[str, int]]:
    """Skill key -> (name shown, how many published openings in scope ask for it), every skill at once."""
    key = _skill_key(OpeningSkill)
    query = (select(key, func.max(OpeningSkill.display_name), func.count(distinct(OpeningSkill.opening_id)))
             .join(Opening, Opening.id == OpeningSkill.opening_id)
             .where(Opening.status == OpeningStatus.PUBLISHED)
             .group_by(key))
    return {k: (name, n) for k, name, n in db.session.execute(scope.overall(query))}


def _top(counts: dict[str, tuple[str, int]]) -> list[str]:
    """The TOP_SKILLS keys with the highest counts (ties by key, as the lists always sorted)."""
    return sorted(counts, key=lambda k: (-counts[k][1], k))[:TOP_SKILLS]


def _skill_demand(scope: _Scope) -> tuple[list[SkillDemand], list[SkillDemand]]:
    """The skills published openings ask for most, with how many students have them; and the skills students
    list most, with how many published openings ask for them. Two aggregate queries."""
    asked, listed = _openings_per_skill(scope), _students_per_skill(scope)
    requested = [SkillDemand(k, asked[k][0], asked[k][1], listed.get(k, ("", 0))[1]) for k in _top(asked)]
    common = [SkillDemand(k, listed[k][0], asked.get(k, ("", 0))[1], listed[k][1]) for k in _top(listed)]
    return requested, common


@dataclass
class _Figures:
    """What the dashboard computes, without the groups themselves (kept in the cache between requests)."""

    groups: dict[int, dict]
    overall: dict
    requested: list[SkillDemand]
    common: list[SkillDemand]


def _figures(group_ids: list[int], restricted: bool) -> _Figures:
    scope = _Scope(group_ids, restricted)
    rows = {gid: Numbers(None) for gid in group_ids}
    overall = Numbers(None)
    _count_openings(rows, overall, scope)
    _count_seats_held(rows, overall, scope)
    _count_applications(rows, scope)
    _count_placements(rows, scope)
    _median_days_to_approval(rows, overall, scope)
    _add_students_numbers(rows, overall)
    requested, common = _skill_demand(scope)
    return _Figures({gid: _plain(n) for gid, n in rows.items()}, _plain(overall), requested, common)


def _plain(numbers: Numbers) -> dict:
    return {name: value for name, value in vars(numbers).items() if name != "group"}


def dashboard(actor: User, group_id: int | None = None) -> Dashboard:
    """Numbers for the actor's groups (admins: every group), optionally one group of those. The figures are
    aggregates over the whole programme: they are computed once per change of what they count (the
    dashboard stamp) and per set of groups, then read from the cache."""
    available, selected, restricted = _groups_in_reach(actor, group_id)
    shown = [selected] if selected else available
    group_ids = [g.id for g in shown]
    figures = stamps.cached_value(stamps.DASHBOARD, f"{int(restricted)}:{','.join(map(str, group_ids))}",
                                  lambda: _figures(group_ids, restricted))
    return Dashboard(groups=[Numbers(g, **figures.groups[g.id]) for g in shown],
                     overall=Numbers(None, **figures.overall), requested_skills=figures.requested,
                     student_skills=figures.common, available_groups=available, selected_group=selected)
