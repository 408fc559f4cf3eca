"""Mentor professors: who mentors which placement, their loads, the allocation of a term, consultation notes and
the academic grade.

Reads other features use (the practice course's contract): `is_mentor_of`, `mentors_for`, `grades_for`.
"""
from __future__ import annotations

import numbers
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.matching.mentors import DEFAULT_MAX_LOAD, DEFAULT_MIN_LOAD, Mentor, MentorStudent, allocate_mentors
from marketplace.matching.normalize import check_name
from marketplace.models import (
    GRADES,
    ConsultationMode,
    ConsultationNote,
    MentorAssignment,
    MentorProfile,
    Opening,
    Placement,
    PlacementStatus,
    ProjectGroup,
    Role,
    StudentProfile,
    User,
)
from marketplace.models.base import utcnow
from marketplace.models.mentoring import split_names
from marketplace.ownership import can_review_placement, reviewable_group_ids
from marketplace.permissions import Permission, can_review_group, user_can
from marketplace.services import audit, invitations
from marketplace.services.accounts import create_user, find_user_by_email, normalize_email
from marketplace.services.errors import Conflict, DomainError, NotFound, Reasons
from marketplace.services.notifications import link_to, notify



def _ids(placement_ids: Iterable[int]) -> list[int]:
    return sorted({int(i) for i in placement_ids if i is not None})


def is_mentor_of(actor: User | None, placement_id: int) -> bool:
    """The signed-in, active mentor assigned to this placement (one query; False for everyone else)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.active:
        return False
    if actor.role != Role.MENTOR or placement_id is None:
        return False
    return db.session.scalar(
        select(MentorAssignment.id).where(MentorAssignment.placement_id == placement_id,
                                          MentorAssignment.mentor_id == actor.id)
    ) is not None


def assignments_for(placement_ids: Iterable[int]) -> dict[int, MentorAssignment]:
    """placement id -> its mentor assignment (mentor loaded), for the placements that have one; one query."""
    ids = _ids(placement_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(MentorAssignment).options(joinedload(MentorAssignment.mentor))
        .where(MentorAssignment.placement_id.in_(ids))
    )
    return {row.placement_id: row for row in rows}


def mentors_for(placement_ids: Iterable[int]) -> dict[int, User]:
    """placement id -> its mentor (a User), for the placements that have one; one query."""
    return {pid: assignment.mentor for pid, assignment in assignments_for(placement_ids).items()}


def grades_for(placement_ids: Iterable[int]) -> dict[int, str | None]:
    """placement id -> the mentor's academic grade (None until given), for the placements that have a mentor.
    A placement without a mentor has no key; one query."""
    ids = _ids(placement_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(MentorAssignment.placement_id, MentorAssignment.grade).where(MentorAssignment.placement_id.in_(ids))
    )
    return {placement_id: grade for placement_id, grade in rows}


# -- loads -------------------------------------------------------------------------------------------------------

# Placements in these states hold a place of their mentor's load, and only these get a mentor assigned.
LOAD_STATUSES = (PlacementStatus.APPROVED, PlacementStatus.ACTIVE)
MAX_LOAD_OVERRIDE = 20
MAX_NAMES = 30
MAX_DEPARTMENT = 200
MAX_SUMMARY = 5000
MAX_GRADE_COMMENT = 2000


def _closed_statuses() -> tuple[PlacementStatus, ...]:
    """A practice in these states is over: its grade is final. (NOT_COMPLETED comes with the completion rules.)"""
    names = ("COMPLETED", "CANCELLED", "NOT_COMPLETED", "RETURNED")
    return tuple(getattr(PlacementStatus, name) for name in names if hasattr(PlacementStatus, name))


def plan_limits(placements: Iterable[Placement]) -> tuple[int, int]:
    """The course plans' mentor load limits (min, max) for these placements: the strictest of their plans, or the
    programme's 1–3 when no plan applies."""
    placements = list(placements)
    try:
        from marketplace.services import course_plans  # the practice course's plans; absent before they land
    except ImportError:
        return DEFAULT_MIN_LOAD, DEFAULT_MAX_LOAD
    plans = [plan for plan in course_plans.plans_for(placements).values() if plan is not None] if placements else []
    if not plans:
        return DEFAULT_MIN_LOAD, DEFAULT_MAX_LOAD
    high = min(int(plan.mentor_max_load) for plan in plans)
    low = max(int(plan.mentor_min_load) for plan in plans)
    return min(low, high), high


def limits_of(profile: MentorProfile, defaults: tuple[int, int]) -> tuple[int, int]:
    """A mentor's (min, max) load: their own override, else the plan's (a lowered maximum lowers the minimum)."""
    high = defaults[1] if profile.max_load is None else profile.max_load
    low = min(defaults[0], high) if profile.min_load is None else min(profile.min_load, high)
    return low, high


def current_loads(mentor_ids: Iterable[int]) -> dict[int, int]:
    """mentor user id -> the placements (approved or active) they mentor now; one query."""
    ids = sorted({int(i) for i in mentor_ids if i is not None})
    if not ids:
        return {}
    rows = db.session.execute(
        select(MentorAssignment.mentor_id, func.count())
        .join(Placement, Placement.id == MentorAssignment.placement_id)
        .where(MentorAssignment.mentor_id.in_(ids), Placement.status.in_(LOAD_STATUSES))
        .group_by(MentorAssignment.mentor_id)
    )
    loads = dict.fromkeys(ids, 0)
    loads.update({mentor_id: count for mentor_id, count in rows})
    return loads


# -- mentor profiles ----------------------------------------------------------------------------------------------


@dataclass
class MentorData:
    """What the invitation and profile forms carry (strings as typed; loads as whole numbers or None)."""

    email: str = ""
    display_name: str = ""
    group_id: int | None = None
    department: str = ""
    majors: str = ""
    fields: str = ""
    min_load: int | None = None
    max_load: int | None = None
    active: bool = True


def _can_manage_mentors(actor: User | None) -> bool:
    return user_can(actor, Permission.REVIEW_EXCHANGES)


def _names_text(raw: str, field_name: str, problems: Reasons) -> str:
    names = split_names(raw)
    if len(names) > MAX_NAMES:
        problems.add(field_name, _l("List at most %(n)d names.", n=MAX_NAMES))
        return ""
    for name in names:
        try:
            check_name(name, "name")
        except ValueError:
            problems.add(field_name, _l("\"%(name)s\" is not a name we can compare (letters or digits, at most "
                                        "100 characters).", name=name[:40]))
            return ""
    return ", ".join(names)


def _load_value(value, field_name: str, problems: Reasons) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= MAX_LOAD_OVERRIDE:
        problems.add(field_name, _l("Enter a whole number from 0 to %(n)d, or leave it empty for the course plan's.",
                                    n=MAX_LOAD_OVERRIDE))
        return None
    return int(value)


def _clean_profile(actor: User, data: MentorData, problems: Reasons) -> dict:
    group = db.session.get(ProjectGroup, data.group_id) if isinstance(data.group_id, int) else None
    if group is None or not can_review_group(actor, group.id):
        problems.add("group_id", _l("Choose one of your project groups."))
    department = (data.department or "").strip()
    if len(department) > MAX_DEPARTMENT:
        problems.add("department", _l("Keep the department under %(n)d characters.", n=MAX_DEPARTMENT))
    majors = _names_text(data.majors, "majors", problems)
    fields = _names_text(data.fields, "fields", problems)
    low = _load_value(data.min_load, "min_load", problems)
    high = _load_value(data.max_load, "max_load", problems)
    if low is not None and high is not None and low > high:
        problems.add("min_load", _l("The minimum cannot be above the maximum."))
    return dict(group=group, department=department, majors=majors, fields=fields, min_load=low, max_load=high,
                active=bool(data.active))


def invite_mentor(actor: User, data: MentorData, password: str | None = None) -> User:
    """A new mentor account with its profile. The mentor chooses their own password through a mailed invitation;
    seeds and tests pass `password` instead (the account then signs in with it at once)."""
    if not _can_manage_mentors(actor):
        raise NotFound(str(_l("Page not found.")))
    from marketplace.services.identity import clean_display_name

    problems = Reasons()
    email = problems.collect(normalize_email, data.email)
    if email and find_user_by_email(email) is not None:
        problems.add("email", _l("An account with this e-mail address already exists."))
    problems.collect(clean_display_name, data.display_name)
    clean = _clean_profile(actor, data, problems)
    problems.raise_if_any()
    group = clean.pop("group")
    if password:
        user = create_user(email, password, data.display_name, Role.MENTOR, actor, temporary=False)
    else:
        user = invitations.create_invited_account(actor, email, data.display_name, Role.MENTOR)
    profile = MentorProfile(user_id=user.id, group_id=group.id, **clean)
    db.session.add(profile)
    db.session.flush()
    audit.record(actor, "mentor_profile", profile.id, "created", None, "active", group.code)
    if not password:
        invitations.send_invitation(actor, user, invitations.invitation_sentence("mentor", group=group.code))
    return user


def mentor_profiles(actor: User, group_ids: Iterable[int] | None = None, active_only: bool = False) -> list[MentorProfile]:
    """The mentors of the groups the actor reviews (all for admins), by group and name; one query."""
    query = select(MentorProfile).options(joinedload(MentorProfile.user), joinedload(MentorProfile.group)) \
        .join(User, User.id == MentorProfile.user_id).join(ProjectGroup, ProjectGroup.id == MentorProfile.group_id)
    scope = reviewable_group_ids(actor)
    if scope is not None:
        query = query.where(MentorProfile.group_id.in_(sorted(scope)))
    if group_ids is not None:
        query = query.where(MentorProfile.group_id.in_(sorted(set(group_ids))))
    if active_only:
        query = query.where(MentorProfile.active.is_(True), User.active.is_(True))
    return list(db.session.scalars(query.order_by(ProjectGroup.code, User.display_name, User.id)))


def profile_of(user: User) -> MentorProfile | None:
    return db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == user.id))


def get_profile_for_manager(actor: User, user_id: int) -> MentorProfile:
    """A mentor of a group the actor reviews; anyone else is 'not found'."""
    profile = db.session.scalar(select(MentorProfile).options(joinedload(MentorProfile.user))
                                .where(MentorProfile.user_id == user_id))
    if profile is None or not _can_manage_mentors(actor) or not can_review_group(actor, profile.group_id):
        raise NotFound(str(_l("No such mentor.")))
    return profile


def update_profile(actor: User, user_id: int, version: int | None, data: MentorData) -> MentorProfile:
    """Save a manager's edit of a mentor's profile, conditional on the version the form showed. A maximum below
    the students the mentor has now is refused."""
    profile = get_profile_for_manager(actor, user_id)
    problems = Reasons()
    clean = _clean_profile(actor, data, problems)
    group = clean.pop("group")
    if clean["max_load"] is not None:
        _lock_for_assignment([], [user_id])  # counted under the same lock a confirmation takes
        load = current_loads([user_id])[user_id]
        if clean["max_load"] < load:
            problems.add("max_load", _l("This mentor has %(n)d students now: the maximum cannot be below that.",
                                        n=load))
    problems.raise_if_any()
    before = {key: getattr(profile, key) for key in clean} | {"group_id": profile.group_id}
    values = dict(clean, group_id=group.id, updated_at=utcnow(), version=MentorProfile.version + 1)
    changed = db.session.execute(
        update(MentorProfile).where(MentorProfile.id == profile.id, MentorProfile.version == (version or 0))
        .values(values).execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(str(_l("Someone changed this mentor meanwhile (or their students changed). Nothing was "
                              "saved: reload the page to see the current profile.")))
    db.session.expire(profile)
    after = dict(clean, group_id=group.id)
    diff = ", ".join(f"{key}: {before[key]!s} -> {after[key]!s}" for key in after if before[key] != after[key])
    audit.record(actor, "mentor_profile", profile.id, "edited", None, "active" if clean["active"] else "inactive",
                 diff[:1000])
    return profile


# -- the term's placements and the allocation ----------------------------------------------------------------------


def default_term(today: date | None = None) -> tuple[date, date]:
    """The half-year term around `today` (Seoul): March–August, or September–February."""
    today = today or today_in_seoul()
    if 3 <= today.month <= 8:
        return date(today.year, 3, 1), date(today.year, 8, 31)
    year = today.year if today.month >= 9 else today.year - 1
    end = date(year + 1, 3, 1).toordinal() - 1
    return date(year, 9, 1), date.fromordinal(end)


def _placement_options():
    return (
        selectinload(Placement.student).selectinload(User.student_profile).selectinload(StudentProfile.group),
        selectinload(Placement.opening).selectinload(Opening.company),
        selectinload(Placement.opening).selectinload(Opening.skills),
    )


def group_of(placement: Placement) -> int | None:
    profile = placement.student.student_profile if placement.student else None
    return profile.group_id if profile else None


def term_placements(actor: User, start_from: date, start_to: date) -> list[Placement]:
    """Approved or active placements of the actor's groups starting within [start_from, start_to]."""
    scope = reviewable_group_ids(actor)
    query = select(Placement).options(*_placement_options()) \
        .join(StudentProfile, StudentProfile.user_id == Placement.student_id) \
        .where(Placement.status.in_(LOAD_STATUSES), Placement.start_date >= start_from,
               Placement.start_date <= start_to)
    if scope is not None:
        query = query.where(StudentProfile.group_id.in_(sorted(scope)))
    return list(db.session.scalars(query.order_by(Placement.start_date, Placement.id)))


def _student_of(placement: Placement) -> MentorStudent:
    opening = placement.opening
    profile = placement.student.student_profile if placement.student else None
    majors = opening.major_list or ([profile.major] if profile and profile.major else [])
    skills = [skill.name for skill in opening.skills]

    def usable(names):
        out = []
        for name in names:
            try:
                check_name(name, "name")
            except ValueError:
                continue
            out.append(name)
        return tuple(out)

    return MentorStudent(placement.id, opening.company_id, usable(majors), usable(skills))


def _mentor_of(profile: MentorProfile, load: int, limits: tuple[int, int]) -> Mentor:
    low, high = limits
    return Mentor(profile.user_id, tuple(profile.major_list), tuple(profile.field_list),
                  min_load=max(0, low - load), max_load=max(0, high - load))


@dataclass
class Allocation:
    """The allocation page: the term's placements still without a mentor, the proposal for them, and the mentors
    with their loads now (what a confirmation is conditional on)."""

    start_from: date
    start_to: date
    open_placements: list[Placement]
    assigned: list[tuple[Placement, MentorAssignment]]
    mentors: list[MentorProfile]
    loads: dict[int, int]                          # mentor user id -> students now
    limits: dict[int, tuple[int, int]]             # mentor user id -> (min, max)
    proposal: dict[int, int | None]                # placement id -> proposed mentor user id
    reasons: dict[int, object] = field(default_factory=dict)   # placement id -> PairReason
    unallocated: dict[int, str] = field(default_factory=dict)

    @property
    def mentor_by_id(self) -> dict[int, MentorProfile]:
        return {profile.user_id: profile for profile in self.mentors}

    def proposed_loads(self) -> dict[int, int]:
        counts = Counter(m for m in self.proposal.values() if m is not None)
        return {mid: self.loads.get(mid, 0) + counts[mid] for mid in self.loads}

    def options_for(self, placement: Placement) -> list[MentorProfile]:
        """Mentors of the student's group with room beside the proposal, and the proposed one."""
        loads = self.proposed_loads()
        chosen = self.proposal.get(placement.id)
        group_id = group_of(placement)
        return [profile for profile in self.mentors if profile.group_id == group_id
                and (profile.user_id == chosen or loads[profile.user_id] < self.limits[profile.user_id][1])]


def propose_allocation(actor: User, start_from: date, start_to: date,
                       fixed: Mapping[int, int] | None = None) -> Allocation:
    """The term's placements without a mentor and a proposal for them (allocate_mentors per project group, with
    each mentor's places left beside their current students). `fixed` keeps the manager's choices as they are."""
    if not _can_manage_mentors(actor):
        raise NotFound(str(_l("Page not found.")))
    placements = term_placements(actor, start_from, start_to)
    existing = assignments_for(p.id for p in placements)
    open_placements = [p for p in placements if p.id not in existing]
    assigned = [(p, existing[p.id]) for p in placements if p.id in existing]
    group_ids = {group_of(p) for p in open_placements} - {None}
    mentors = mentor_profiles(actor, group_ids=group_ids, active_only=True) if group_ids else []
    loads = current_loads(m.user_id for m in mentors)
    defaults = plan_limits(open_placements)
    limits = {m.user_id: limits_of(m, defaults) for m in mentors}
    result = Allocation(start_from, start_to, open_placements, assigned, mentors, loads, limits,
                        proposal=dict.fromkeys((p.id for p in open_placements), None))
    fixed = {int(k): int(v) for k, v in (fixed or {}).items() if v is not None}
    by_id = {m.user_id: m for m in mentors}
    placement_by_id = {p.id: p for p in open_placements}
    problems = Reasons()
    for pid, mid in fixed.items():
        if pid not in placement_by_id:
            raise NotFound(str(_l("No such placement.")))
        if mid not in by_id or by_id[mid].group_id != group_of(placement_by_id[pid]):
            problems.add(f"mentor_{pid}", _l("Choose a mentor of the student's project group."))
    problems.raise_if_any()
    for group_id in sorted(group_ids):
        students = [_student_of(p) for p in open_placements if group_of(p) == group_id]
        group_mentors = [_mentor_of(m, loads[m.user_id], limits[m.user_id]) for m in mentors if m.group_id == group_id]
        group_fixed = {pid: mid for pid, mid in fixed.items() if group_of(placement_by_id[pid]) == group_id}
        try:
            outcome = allocate_mentors(students, group_mentors, group_fixed)
        except ValueError:
            over = Counter(group_fixed.values())
            for pid, mid in group_fixed.items():
                room = max(0, limits[mid][1] - loads[mid])
                if over[mid] > room:
                    problems.add(f"mentor_{pid}", _l("%(mentor)s has room for %(n)d more students only.",
                                                     mentor=by_id[mid].user.display_name, n=room))
            problems.raise_if_any()
            raise
        result.proposal.update(outcome.pairs)
        result.reasons.update(outcome.reasons)
        result.unallocated.update(outcome.unallocated)
    return result


# -- assigning: every path checks the loads under lock ----------------------------------------------------------


def _lock_for_assignment(placement_ids: Iterable[int], mentor_ids: Iterable[int]) -> None:
    """Lock the mentors' profiles (a write: their rows on PostgreSQL, the database on SQLite, which from then on
    reads the latest commit) and the placements' rows, always in id order, so two confirmations touching the same
    mentor or placement run one after the other and the second counts what the first saved."""
    mentor_ids = sorted(set(mentor_ids))
    if mentor_ids:
        table = MentorProfile.__table__
        db.session.execute(update(table).where(table.c.user_id.in_(mentor_ids))
                           .values(updated_at=table.c.updated_at))
    placement_ids = sorted(set(placement_ids))
    if placement_ids:
        db.session.execute(select(Placement.id).where(Placement.id.in_(placement_ids))
                           .order_by(Placement.id).with_for_update())


def _assignable(actor: User, placement_ids: Iterable[int]) -> dict[int, Placement]:
    ids = _ids(placement_ids)
    placements = {p.id: p for p in db.session.scalars(
        select(Placement).options(*_placement_options()).where(Placement.id.in_(ids))
        .execution_options(populate_existing=True))}
    for pid in ids:
        placement = placements.get(pid)
        if placement is None or not can_review_placement(actor, placement):
            raise NotFound(str(_l("No such placement.")))
    return placements


def _mentor_profiles_by_user(actor: User, mentor_ids: Iterable[int]) -> dict[int, MentorProfile]:
    ids = sorted(set(mentor_ids))
    profiles = {p.user_id: p for p in db.session.scalars(
        select(MentorProfile).options(joinedload(MentorProfile.user)).where(MentorProfile.user_id.in_(ids))
        .execution_options(populate_existing=True))} if ids else {}
    for mid in ids:
        profile = profiles.get(mid)
        if profile is None or not can_review_group(actor, profile.group_id):
            raise NotFound(str(_l("No such mentor.")))
    return profiles


def _check_pairs(placements: dict[int, Placement], chosen: Mapping[int, int], profiles: dict[int, MentorProfile],
                 problems: Reasons) -> None:
    for pid, mid in chosen.items():
        placement, profile = placements[pid], profiles[mid]
        if placement.status not in LOAD_STATUSES:
            problems.add(f"mentor_{pid}", _l("Only approved or active placements get a mentor."))
        elif profile.group_id != group_of(placement):
            problems.add(f"mentor_{pid}", _l("Choose a mentor of the student's project group."))
        elif not profile.active or not profile.user.active:
            problems.add(f"mentor_{pid}", _l("%(mentor)s takes no new students now.",
                                             mentor=profile.user.display_name))


def _check_capacity(placements: dict[int, Placement], chosen: Mapping[int, int],
                    profiles: dict[int, MentorProfile], loads: dict[int, int], problems: Reasons,
                    leaving: Mapping[int, int] | None = None) -> None:
    """No mentor above their maximum after the change (counted under lock). `leaving`: placements a mentor loses."""
    defaults = plan_limits(placements.values())
    adding = Counter(chosen.values())
    losing = Counter((leaving or {}).values())
    seen: Counter = Counter()
    for pid, mid in sorted(chosen.items()):
        high = limits_of(profiles[mid], defaults)[1]
        seen[mid] += 1
        if loads.get(mid, 0) - losing[mid] + seen[mid] > high:
            problems.add(f"mentor_{pid}", _l("%(mentor)s can mentor at most %(max)d students and has %(n)d already.",
                                             mentor=profiles[mid].user.display_name, max=high,
                                             n=loads.get(mid, 0) - losing[mid]))
    del adding


def _bump_versions(mentor_ids: Iterable[int]) -> None:
    ids = sorted(set(mentor_ids))
    if ids:
        db.session.execute(update(MentorProfile).where(MentorProfile.user_id.in_(ids))
                           .values(version=MentorProfile.version + 1).execution_options(synchronize_session=False))


def _announce(placement: Placement, mentor: User) -> None:
    opening = placement.opening
    notify(mentor, "mentor_assigned", link_to("mentor.student", placement_id=placement.id),
           student=placement.student.display_name, opening=opening.title, company=opening.company.name)
    notify(placement.student, "mentor_assigned_student", link_to("students.my_applications"),
           mentor=mentor.display_name, opening=opening.title)


def _insert(assignments: list[MentorAssignment]) -> None:
    db.session.add_all(assignments)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(str(_l("A student got a mentor meanwhile. Nothing was saved: reload the page to see the new "
                              "proposal."))) from None


def confirm_allocation(actor: User, chosen: Mapping[int, int | None], shown_loads: Mapping[int, int]) -> list[MentorAssignment]:
    """Save the manager's pairs (placement id -> mentor user id; None leaves a placement without a mentor) in one
    transaction, conditional on what the page showed: every placement still without a mentor and every mentor
    involved with the load shown (`shown_loads`). Anything else is a Conflict and nothing is saved; a mentor above
    their maximum or of another group is refused beside that student's field."""
    if not _can_manage_mentors(actor):
        raise NotFound(str(_l("Page not found.")))
    pairs = {int(pid): int(mid) for pid, mid in chosen.items() if mid is not None}
    if not pairs:
        raise DomainError(str(_l("Choose a mentor for at least one student.")))
    placements = _assignable(actor, pairs)
    profiles = _mentor_profiles_by_user(actor, pairs.values())
    problems = Reasons()
    _check_pairs(placements, pairs, profiles, problems)
    problems.raise_if_any()

    _lock_for_assignment(pairs, pairs.values())
    # Again as committed now (a placement cancelled, a mentor's maximum lowered meanwhile).
    placements = _assignable(actor, pairs)
    profiles = _mentor_profiles_by_user(actor, pairs.values())
    _check_pairs(placements, pairs, profiles, problems)
    problems.raise_if_any()
    taken = assignments_for(pairs)
    if taken:
        names = ", ".join(sorted(placements[pid].student.display_name for pid in taken))
        raise Conflict(str(_l("%(students)s got a mentor meanwhile. Nothing was saved: reload the page to see the "
                              "current allocation.", students=names)))
    loads = current_loads(pairs.values())
    changed = sorted(profiles[mid].user.display_name for mid in set(pairs.values())
                     if mid not in shown_loads or int(shown_loads[mid]) != loads[mid])
    if changed:
        raise Conflict(str(_l("The students of %(mentors)s changed meanwhile. Nothing was saved: reload the page to "
                              "see their loads now.", mentors=", ".join(changed))))
    _check_capacity(placements, pairs, profiles, loads, problems)
    problems.raise_if_any()

    now = utcnow()
    made = [MentorAssignment(placement_id=pid, mentor_id=mid, assigned_by_id=actor.id, assigned_at=now)
            for pid, mid in sorted(pairs.items())]
    _insert(made)
    _bump_versions(pairs.values())
    for assignment in made:
        audit.record(actor, "placement_mentor", assignment.placement_id, "mentor_assigned", None,
                     str(assignment.mentor_id), profiles[assignment.mentor_id].user.display_name)
        _announce(placements[assignment.placement_id], profiles[assignment.mentor_id].user)
    return made


def assign_mentor(actor: User, placement_id: int, mentor_id: int, expected_mentor_id: int | None) -> MentorAssignment:
    """Give one placement a mentor, or a new one, conditional on the mentor the page showed
    (`expected_mentor_id`, None = none yet). The grade and notes stay with the placement."""
    if not _can_manage_mentors(actor):
        raise NotFound(str(_l("Page not found.")))
    placements = _assignable(actor, [placement_id])
    profiles = _mentor_profiles_by_user(actor, [mentor_id])
    problems = Reasons()
    _check_pairs(placements, {placement_id: mentor_id}, profiles, problems)
    problems.raise_if_any()
    current = assignments_for([placement_id]).get(placement_id)
    mentor_ids = [mentor_id] + ([current.mentor_id] if current else [])
    _lock_for_assignment([placement_id], mentor_ids)
    # Again as committed now (a placement cancelled, a mentor's maximum lowered meanwhile).
    placements = _assignable(actor, [placement_id])
    profiles = _mentor_profiles_by_user(actor, [mentor_id])
    _check_pairs(placements, {placement_id: mentor_id}, profiles, problems)
    problems.raise_if_any()
    current = db.session.scalar(select(MentorAssignment).where(MentorAssignment.placement_id == placement_id)
                                .execution_options(populate_existing=True))
    now_mentor = current.mentor_id if current else None
    if now_mentor != expected_mentor_id:
        raise Conflict(str(_l("This student's mentor changed meanwhile. Nothing was saved: reload the page.")))
    if now_mentor == mentor_id:
        raise DomainError(str(_l("This mentor is already the student's mentor.")), field="mentor_id")
    loads = current_loads([mentor_id])
    _check_capacity(placements, {placement_id: mentor_id}, profiles, loads, problems)
    problems.raise_if_any()
    placement = placements[placement_id]
    if current is None:
        current = MentorAssignment(placement_id=placement_id, mentor_id=mentor_id, assigned_by_id=actor.id,
                                   assigned_at=utcnow())
        _insert([current])
        action = "mentor_assigned"
    else:
        current.mentor_id, current.assigned_by_id, current.assigned_at = mentor_id, actor.id, utcnow()
        current.version += 1
        db.session.flush()
        action = "mentor_reassigned"
    _bump_versions(mentor_ids)
    audit.record(actor, "placement_mentor", placement_id, action, None if now_mentor is None else str(now_mentor),
                 str(mentor_id), profiles[mentor_id].user.display_name)
    _announce(placement, profiles[mentor_id].user)
    return current


# -- the mentor's side: students, consultation notes, the grade ---------------------------------------------------


def mentor_students(mentor: User) -> list[MentorAssignment]:
    """The mentor's students, current ones first (latest start first); two queries, whatever the number."""
    rows = list(db.session.scalars(
        select(MentorAssignment)
        .options(selectinload(MentorAssignment.placement).options(*_placement_options()))
        .join(Placement, Placement.id == MentorAssignment.placement_id)
        .where(MentorAssignment.mentor_id == mentor.id)
        .order_by(Placement.status.in_(LOAD_STATUSES).desc(), Placement.start_date.desc(), Placement.id)
    ))
    return rows


def progress_for(placements: list[Placement]) -> dict[int, object]:
    """The practice logs' progress per placement when the weekly logs exist (else nothing to show)."""
    try:
        from marketplace.services import practice_logs  # the weekly logs; absent before they land
    except ImportError:
        return {}
    reader = getattr(practice_logs, "progress_for", None)
    return reader(placements) if reader and placements else {}


def practice_link(placement_id: int) -> str:
    """The practice home of a placement (the weekly logs), when it exists."""
    return link_to("practice.home", placement_id=placement_id)


@dataclass
class StudentFile:
    """One placement as its mentor (or its managers) see it: the assignment, notes newest first."""

    placement: Placement
    assignment: MentorAssignment | None
    notes: list[ConsultationNote]
    role: str                     # "mentor" | "manager"

    @property
    def grade_open(self) -> bool:
        return self.placement.status not in _closed_statuses()


def student_file(actor: User, placement_id: int) -> StudentFile:
    """The placement's mentoring record for its mentor or a manager of its group; 'not found' for anyone else
    (companies never see consultation notes)."""
    placement = db.session.scalar(select(Placement).options(*_placement_options()).where(Placement.id == placement_id))
    if placement is None:
        raise NotFound(str(_l("No such student.")))
    if is_mentor_of(actor, placement_id):
        role = "mentor"
    elif can_review_placement(actor, placement):
        role = "manager"
    else:
        raise NotFound(str(_l("No such student.")))
    assignment = assignments_for([placement_id]).get(placement_id)
    return StudentFile(placement, assignment, notes_for([placement_id]).get(placement_id, []), role)


def notes_for(placement_ids: Iterable[int]) -> dict[int, list[ConsultationNote]]:
    """placement id -> its consultation notes, newest first; one query."""
    ids = _ids(placement_ids)
    out: dict[int, list[ConsultationNote]] = defaultdict(list)
    if ids:
        for note in db.session.scalars(
            select(ConsultationNote).options(joinedload(ConsultationNote.mentor))
            .where(ConsultationNote.placement_id.in_(ids))
            .order_by(ConsultationNote.held_on.desc(), ConsultationNote.id.desc())
        ):
            out[note.placement_id].append(note)
    return dict(out)


@dataclass
class NoteData:
    held_on: date | None = None
    mode: str = ""
    summary: str = ""


def _clean_note(placement: Placement, data: NoteData, today: date) -> dict:
    problems = Reasons()
    if data.held_on is None:
        problems.add("held_on", _l("Enter the date of the consultation."))
    elif data.held_on > today:
        problems.add("held_on", _l("The consultation cannot be in the future."))
    elif not placement.start_date <= data.held_on <= placement.end_date:
        problems.add("held_on", _l("Choose a date within the practice (%(start)s – %(end)s).",
                                   start=placement.start_date.isoformat(), end=placement.end_date.isoformat()))
    mode = problems.choice(ConsultationMode, data.mode, "mode", _l("Choose how the consultation was held."))
    summary = (data.summary or "").strip()
    if not summary:
        problems.add("summary", _l("Write a short summary of the consultation."))
    elif len(summary) > MAX_SUMMARY:
        problems.add("summary", _l("Keep the summary under %(n)d characters.", n=MAX_SUMMARY))
    problems.raise_if_any()
    return dict(held_on=data.held_on, mode=mode, summary=summary)


def _mentored_placement(actor: User, placement_id: int) -> Placement:
    if not is_mentor_of(actor, placement_id):
        raise NotFound(str(_l("No such student.")))
    return db.session.get(Placement, placement_id)


def add_note(actor: User, placement_id: int, data: NoteData, today: date | None = None) -> ConsultationNote:
    """The mentor records a consultation (dated within the practice, not in the future)."""
    placement = _mentored_placement(actor, placement_id)
    clean = _clean_note(placement, data, today or today_in_seoul())
    note = ConsultationNote(placement_id=placement_id, mentor_id=actor.id, **clean)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "consultation_note", note.id, "created", None, clean["mode"].value,
                 f"placement {placement_id}, {clean['held_on'].isoformat()}")
    return note


def get_own_note(actor: User, note_id: int) -> ConsultationNote:
    note = db.session.get(ConsultationNote, note_id)
    if note is None or note.mentor_id != actor.id or not is_mentor_of(actor, note.placement_id):
        raise NotFound(str(_l("No such note.")))
    return note


def edit_note(actor: User, note_id: int, version: int | None, data: NoteData,
              today: date | None = None) -> ConsultationNote:
    """Its author edits a note, conditional on the version the form showed."""
    note = get_own_note(actor, note_id)
    clean = _clean_note(note.placement, data, today or today_in_seoul())
    changed = db.session.execute(
        update(ConsultationNote).where(ConsultationNote.id == note.id, ConsultationNote.version == (version or 0))
        .values(**clean, updated_at=utcnow(), version=ConsultationNote.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(str(_l("This note was changed meanwhile. Nothing was saved: reload the page.")))
    db.session.expire(note)
    audit.record(actor, "consultation_note", note.id, "edited", None, clean["mode"].value)
    return note


def set_grade(actor: User, placement_id: int, version: int | None, grade: str, comment: str = "") -> MentorAssignment:
    """The mentor gives (or changes) the academic grade until the practice is over; conditional on the version the
    form showed; audited from the old grade to the new."""
    _mentored_placement(actor, placement_id)
    assignment = db.session.scalar(select(MentorAssignment).where(MentorAssignment.placement_id == placement_id))
    problems = Reasons()
    grade = (grade or "").strip().upper()
    if grade not in GRADES:
        problems.add("grade", _l("Choose one of the listed grades."))
    comment = (comment or "").strip()
    if len(comment) > MAX_GRADE_COMMENT:
        problems.add("grade_comment", _l("Keep the comment under %(n)d characters.", n=MAX_GRADE_COMMENT))
    problems.raise_if_any()
    if assignment.placement.status in _closed_statuses():
        raise Conflict(str(_l("The practice is over: its grade can no longer be changed.")), field="grade")
    before = assignment.grade
    changed = db.session.execute(
        update(MentorAssignment)
        .where(MentorAssignment.id == assignment.id, MentorAssignment.version == (version or 0),
               MentorAssignment.mentor_id == actor.id)
        .values(grade=grade, grade_comment=comment, graded_at=utcnow(), version=MentorAssignment.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(str(_l("The grade was changed meanwhile. Nothing was saved: reload the page.")))
    db.session.expire(assignment)
    audit.record(actor, "placement_mentor", placement_id, "mentor_graded", before, grade, comment[:500])
    return assignment


def note_counts(placement_ids: Iterable[int]) -> dict[int, int]:
    """placement id -> number of consultation notes (every id given); one query."""
    ids = _ids(placement_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(dict(db.session.execute(
            select(ConsultationNote.placement_id, func.count()).where(ConsultationNote.placement_id.in_(ids))
            .group_by(ConsultationNote.placement_id)).all()))
    return counts


@dataclass
class MentorSection:
    """What the practice home shows about mentoring, for one viewer: the mentor to everyone who may see the
    practice; the grade to the student, the mentor and managers; consultation notes to the mentor and managers."""

    mentor: User | None
    grade: str | None
    grade_comment: str
    notes: list[ConsultationNote] | None   # None: not for this viewer
    viewer_is_mentor: bool
    viewer_is_manager: bool
    show_grade: bool


def section_for(viewer: User | None, placement: Placement) -> MentorSection:
    """The practice home's mentor section (three small queries); callers have checked the viewer may see the
    practice at all."""
    assignment = assignments_for([placement.id]).get(placement.id)
    mentor_view = assignment is not None and viewer is not None and getattr(viewer, "is_authenticated", False) \
        and viewer.id == assignment.mentor_id and viewer.role == Role.MENTOR
    manager_view = viewer is not None and getattr(viewer, "is_authenticated", False) \
        and can_review_placement(viewer, placement)
    student_view = viewer is not None and getattr(viewer, "id", None) == placement.student_id
    notes = notes_for([placement.id]).get(placement.id, []) if (mentor_view or manager_view) else None
    return MentorSection(
        mentor=assignment.mentor if assignment else None,
        grade=assignment.grade if assignment else None,
        grade_comment=assignment.grade_comment if assignment else "",
        notes=notes, viewer_is_mentor=mentor_view, viewer_is_manager=manager_view,
        show_grade=bool(mentor_view or manager_view or student_view),
    )
