"""The medical-AI contest: contests and their timeline, company problems, teams of verified students,
versioned submissions, judges with a rubric and conflicts of interest, weighted results, and invitations from a
problem's company to apply to its openings.

Who may do what is decided here (and in the predicates at the top), so pages, tests and the CLI share it.
Every state change is a conditional UPDATE on the state it was read in, and writes an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import (
    MAX_TEAM_MEMBERS,
    Company,
    CompanyMembership,
    CompanyStatus,
    Contest,
    ContestAward,
    ContestJudge,
    ContestOpeningInvite,
    ContestProblem,
    ContestStatus,
    ContestSubmission,
    ContestTeam,
    ContestTeamMember,
    ContestTrack,
    DataAccess,
    DataSource,
    Deidentification,
    DuaStatus,
    IrbStatus,
    JudgeAssignment,
    JudgeConflict,
    JudgeScore,
    MemberStatus,
    MembershipStatus,
    Opening,
    OpeningStatus,
    ProblemStatus,
    ProjectGroup,
    Role,
    RubricCriterion,
    User,
)
from marketplace.models.base import utcnow
from marketplace.permissions import Permission, user_can
from marketplace.services import audit, contest_files, invitations, notifications, verification
from marketplace.services.companies import company_of
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound, Reasons

MAX_TITLE = 200
MAX_TEXT = 20_000
JUDGES_PER_TEAM = 2
TIMELINE = ("registration_opens_at", "registration_closes_at", "submission_deadline", "judging_ends_at",
            "results_at")
TIE_RULE = _l("Teams are ranked by their weighted score (0–100, the mean over their judges). A tie is broken by the "
              "higher mean score on the first rubric criterion, then by the earlier final submission; teams still "
              "equal share the rank.")

# status -> the statuses it may move to
TRANSITIONS = {
    ContestStatus.DRAFT: {ContestStatus.OPEN},
    ContestStatus.OPEN: {ContestStatus.JUDGING},
    ContestStatus.JUDGING: {ContestStatus.RESULTS_PUBLISHED},
    ContestStatus.RESULTS_PUBLISHED: set(),
}


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


# -- who may ------------------------------------------------------------------------------------------------------


def can_organise(user: User | None, contest: Contest) -> bool:
    """Admins, and exchange managers of one of the contest's groups."""
    if user_can(user, Permission.ADMINISTER):
        return True
    if not user_can(user, Permission.REVIEW_EXCHANGES):
        return False
    return bool({g.id for g in contest.groups} & user.managed_group_ids)


def can_create_contest(user: User | None) -> bool:
    return user_can(user, Permission.REVIEW_EXCHANGES)


def can_see_contest(user: User | None, contest: Contest) -> bool:
    """Signed-in users see contests once they are open; drafts only their organisers."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return contest.status != ContestStatus.DRAFT or can_organise(user, contest)


def _judge_row(user: User | None, contest_id: int) -> ContestJudge | None:
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(select(ContestJudge).where(ContestJudge.contest_id == contest_id,
                                                        ContestJudge.user_id == user.id))


def _is_member(user: User | None, team: ContestTeam) -> bool:
    if user is None or getattr(user, "id", None) is None:
        return False
    return db.session.scalar(select(exists().where(
        ContestTeamMember.team_id == team.id, ContestTeamMember.user_id == user.id,
        ContestTeamMember.status == MemberStatus.MEMBER)))


def _judges_team(user: User | None, team: ContestTeam) -> bool:
    if user is None or getattr(user, "id", None) is None:
        return False
    return db.session.scalar(select(exists().where(
        JudgeAssignment.team_id == team.id, JudgeAssignment.judge_id == ContestJudge.id,
        ContestJudge.user_id == user.id)))


def can_see_submissions(user: User | None, team: ContestTeam) -> bool:
    """A team's submissions: its members, the judges assigned to it, and the contest's organisers."""
    return _is_member(user, team) or _judges_team(user, team) or can_organise(user, team.contest)


# -- contests -----------------------------------------------------------------------------------------------------


@dataclass
class ContestData:
    title: str = ""
    theme: str = ""
    rules: str = ""
    prizes: str = ""
    tracks: list[str] = field(default_factory=list)
    awards: list[str] = field(default_factory=list)  # line n is the award of rank n
    group_ids: list[int] = field(default_factory=list)
    allow_cross_group: bool = False
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    submission_deadline: datetime | None = None
    judging_ends_at: datetime | None = None
    results_at: datetime | None = None


def _clean_lines(lines, limit: int = MAX_TITLE) -> list[str]:
    out, seen = [], set()
    for line in lines or ():
        line = " ".join((line or "").split())[:limit]
        if line and line.casefold() not in seen:
            seen.add(line.casefold())
            out.append(line)
    return out


def _validated(actor: User, data: ContestData) -> tuple[dict, list[ProjectGroup]]:
    problems = Reasons()
    title = " ".join((data.title or "").split())
    if not title:
        problems.add("title", _l("Enter the contest's title."))
    elif len(title) > MAX_TITLE:
        problems.add("title", _l("Use at most %(max)d characters.", max=MAX_TITLE))
    for name in ("theme", "rules", "prizes"):
        if len(getattr(data, name) or "") > MAX_TEXT:
            problems.add(name, _l("Use at most %(max)d characters.", max=MAX_TEXT))
    group_ids = sorted({int(g) for g in data.group_ids or ()})
    groups = list(db.session.scalars(select(ProjectGroup).where(ProjectGroup.id.in_(group_ids)))) if group_ids else []
    if not groups or len(groups) != len(group_ids):
        problems.add("group_ids", _l("Choose at least one project group."))
    elif not user_can(actor, Permission.ADMINISTER) and not set(group_ids) <= actor.managed_group_ids:
        problems.add("group_ids", _l("You can organise contests only for the project groups you serve."))
    labels = {
        "registration_opens_at": _l("Enter when registration opens."),
        "registration_closes_at": _l("Enter when registration closes."),
        "submission_deadline": _l("Enter the submission deadline."),
        "judging_ends_at": _l("Enter when judging ends."),
        "results_at": _l("Enter when the results are announced."),
    }
    previous = None
    for name in TIMELINE:
        value = getattr(data, name)
        if value is None:
            problems.add(name, labels[name])
            continue
        if previous is not None and value < previous[1]:
            problems.add(name, _l("This date must not be before the one above it."))
        previous = (name, value)
    tracks = _clean_lines(data.tracks)
    if not tracks:
        problems.add("tracks", _l("Name at least one track (one per line)."))
    awards = _clean_lines(data.awards)
    problems.raise_if_any()
    values = dict(title=title, theme=(data.theme or "").strip(), rules=(data.rules or "").strip(),
                  prizes=(data.prizes or "").strip(), allow_cross_group=bool(data.allow_cross_group),
                  **{name: getattr(data, name) for name in TIMELINE})
    return values | {"_tracks": tracks, "_awards": awards}, groups


def create_contest(actor: User, data: ContestData) -> Contest:
    if not can_create_contest(actor):
        raise Forbidden(str(_l("Only exchange managers and the programme office organise contests.")))
    values, groups = _validated(actor, data)
    tracks, awards = values.pop("_tracks"), values.pop("_awards")
    contest = Contest(**values, created_by_id=actor.id, status=ContestStatus.DRAFT)
    contest.groups = groups
    contest.tracks = [ContestTrack(name=name, position=i) for i, name in enumerate(tracks)]
    contest.awards = [ContestAward(rank=i + 1, title=name) for i, name in enumerate(awards)]
    db.session.add(contest)
    db.session.flush()
    audit.record(actor, "contest", contest.id, "created", None, contest.status.value, contest.title)
    return contest


def update_contest(actor: User, contest_id: int, data: ContestData) -> Contest:
    contest = get_for_organiser(actor, contest_id)
    if contest.status == ContestStatus.RESULTS_PUBLISHED:
        raise Conflict(str(_l("The results are published; the contest can no longer change.")))
    values, groups = _validated(actor, data)
    tracks, awards = values.pop("_tracks"), values.pop("_awards")
    for name, value in values.items():
        setattr(contest, name, value)
    contest.groups = groups
    existing = {t.name.casefold(): t for t in contest.tracks}
    kept = []
    for i, name in enumerate(tracks):
        track = existing.pop(name.casefold(), None) or ContestTrack(name=name)
        track.name, track.position = name, i
        kept.append(track)
    in_use = set(db.session.scalars(select(ContestTeam.track_id).where(ContestTeam.contest_id == contest.id)))
    dropped = [t for t in existing.values() if t.id in in_use]
    if dropped:
        raise DomainError(str(_l("Track %(name)s is chosen by a team and cannot be removed.", name=dropped[0].name)),
                          field="tracks")
    contest.tracks = kept
    contest.awards = [ContestAward(rank=i + 1, title=name) for i, name in enumerate(awards)]
    db.session.flush()
    audit.record(actor, "contest", contest.id, "edited", contest.status.value, contest.status.value)
    return contest


def _contest_query():
    return select(Contest).options(selectinload(Contest.groups), selectinload(Contest.tracks),
                                   selectinload(Contest.awards), selectinload(Contest.criteria))


def get_contest(viewer: User | None, contest_id: int) -> Contest:
    contest = db.session.scalar(_contest_query().where(Contest.id == contest_id))
    if contest is None or not can_see_contest(viewer, contest):
        raise NotFound(str(_l("No such contest.")))
    return contest


def get_for_organiser(actor: User, contest_id: int) -> Contest:
    contest = db.session.scalar(_contest_query().where(Contest.id == contest_id))
    if contest is None or not can_organise(actor, contest):
        raise NotFound(str(_l("No such contest.")))
    return contest


def visible_contests(viewer: User) -> list[Contest]:
    """The contests a signed-in user sees, newest first, with their groups (one query each for the lists)."""
    contests = list(db.session.scalars(
        select(Contest).options(selectinload(Contest.groups)).order_by(Contest.submission_deadline.desc(),
                                                                       Contest.id.desc())))
    return [c for c in contests if can_see_contest(viewer, c)]


def move(actor: User, contest_id: int, target: ContestStatus, now: datetime | None = None) -> Contest:
    """draft → open → judging → results published; conditional on the status read, audited, announced."""
    contest = get_for_organiser(actor, contest_id)
    current = contest.status
    if target not in TRANSITIONS[current]:
        raise Conflict(str(_l("A contest that is %(state)s cannot move there.", state=current.value)))
    now = _now(now)
    if target == ContestStatus.JUDGING and now <= contest.submission_deadline:
        raise Conflict(str(_l("Judging starts after the submission deadline.")))
    if target == ContestStatus.RESULTS_PUBLISHED:
        missing = db.session.scalar(select(func.count(JudgeAssignment.id)).join(ContestTeam).where(
            ContestTeam.contest_id == contest.id,
            select(func.count(JudgeScore.id)).where(JudgeScore.assignment_id == JudgeAssignment.id)
            .scalar_subquery() < len(contest.criteria)))
        if missing:
            raise Conflict(str(_l("%(n)d assigned judgements are not complete yet.", n=missing)))
    values = {"status": target}
    if target == ContestStatus.RESULTS_PUBLISHED:
        values["results_published_at"] = now
    changed = db.session.execute(update(Contest).where(Contest.id == contest.id, Contest.status == current)
                                 .values(**values).execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise Conflict(str(_l("Someone changed this contest meanwhile. Reload the page.")))
    db.session.refresh(contest)
    audit.record(actor, "contest", contest.id, f"moved_{target.value}", current.value, target.value)
    if target == ContestStatus.RESULTS_PUBLISHED:
        _announce_results(contest)
    return contest


def _announce_results(contest: Contest) -> None:
    link = notifications.link_to("contests.results", contest_id=contest.id)
    members = db.session.scalars(select(User).join(ContestTeamMember, ContestTeamMember.user_id == User.id).where(
        ContestTeamMember.contest_id == contest.id, ContestTeamMember.status == MemberStatus.MEMBER))
    judges = db.session.scalars(select(User).join(ContestJudge, ContestJudge.user_id == User.id)
                                .where(ContestJudge.contest_id == contest.id))
    companies = db.session.scalars(select(User).join(CompanyMembership, CompanyMembership.user_id == User.id).where(
        CompanyMembership.status == MembershipStatus.ACTIVE,
        CompanyMembership.company_id.in_(select(ContestProblem.company_id).where(
            ContestProblem.contest_id == contest.id, ContestProblem.status == ProblemStatus.ACCEPTED))))
    notifications.notify_many([*members, *judges, *companies], "contest_results", link, contest=contest.title)


def registration_open(contest: Contest, now: datetime | None = None) -> bool:
    now = _now(now)
    return contest.status == ContestStatus.OPEN and contest.registration_opens_at <= now <= contest.registration_closes_at


def accepts_submissions(contest: Contest, now: datetime | None = None) -> bool:
    now = _now(now)
    return contest.status == ContestStatus.OPEN and contest.registration_opens_at <= now <= contest.submission_deadline


# -- problems -----------------------------------------------------------------------------------------------------


@dataclass
class ProblemData:
    title: str = ""
    statement: str = ""
    data_description: str = ""
    data_source: str = ""
    irb_status: str = ""
    irb_institution: str = ""
    irb_number: str = ""
    irb_date: date | None = None
    dua_status: str = ""
    dua_reference: str = ""
    deidentification: str = ""
    access: str = ""


def _optional(problems: Reasons, enum_cls, value, name):
    if not value:
        return None
    return problems.choice(enum_cls, value, name, _l("Choose one of the listed answers."))


def _problem_values(data: ProblemData) -> dict:
    problems = Reasons()
    title = " ".join((data.title or "").split())
    if not title:
        problems.add("title", _l("Enter the problem's title."))
    elif len(title) > MAX_TITLE:
        problems.add("title", _l("Use at most %(max)d characters.", max=MAX_TITLE))
    statement = (data.statement or "").strip()
    if not statement:
        problems.add("statement", _l("Describe the problem teams should solve."))
    elif len(statement) > MAX_TEXT:
        problems.add("statement", _l("Use at most %(max)d characters.", max=MAX_TEXT))
    description = (data.data_description or "").strip()
    if len(description) > MAX_TEXT:
        problems.add("data_description", _l("Use at most %(max)d characters.", max=MAX_TEXT))
    source = problems.choice(DataSource, data.data_source, "data_source", _l("Choose where the data comes from."))
    irb = _optional(problems, IrbStatus, data.irb_status, "irb_status")
    values = dict(
        title=title, statement=statement, data_description=description, data_source=source, irb_status=irb,
        dua_status=_optional(problems, DuaStatus, data.dua_status, "dua_status"),
        deidentification=_optional(problems, Deidentification, data.deidentification, "deidentification"),
        access=_optional(problems, DataAccess, data.access, "access"),
        irb_institution=" ".join((data.irb_institution or "").split())[:200],
        irb_number=" ".join((data.irb_number or "").split())[:100],
        dua_reference=" ".join((data.dua_reference or "").split())[:200], irb_date=data.irb_date)
    if source == DataSource.HOSPITAL and irb is None:
        problems.add("irb_status", _l("Hospital data needs an IRB answer (approved, pending or not needed)."))
    if irb == IrbStatus.APPROVED:
        if not values["irb_institution"]:
            problems.add("irb_institution", _l("Name the institution whose IRB approved the study."))
        if not values["irb_number"]:
            problems.add("irb_number", _l("Enter the IRB approval number."))
    problems.raise_if_any()
    return values


def _proposing_company(actor: User) -> Company:
    company = company_of(actor) if user_can(actor, Permission.MANAGE_COMPANY) else None
    if company is None:
        raise Forbidden(str(_l("Only managers of a partner company propose problems.")))
    if company.status != CompanyStatus.APPROVED:
        raise DomainError(str(_l("Your company must be approved before it proposes problems.")), field="title")
    return company


def propose_problem(actor: User, contest_id: int, data: ProblemData) -> ContestProblem:
    company = _proposing_company(actor)
    contest = get_contest(actor, contest_id)
    if contest.status not in (ContestStatus.DRAFT, ContestStatus.OPEN) or _now(None) > contest.registration_closes_at:
        raise Conflict(str(_l("This contest no longer takes problems.")))
    problem = ContestProblem(contest_id=contest.id, company_id=company.id, proposed_by_id=actor.id,
                             status=ProblemStatus.PROPOSED, **_problem_values(data))
    db.session.add(problem)
    db.session.flush()
    audit.record(actor, "contest_problem", problem.id, "proposed", None, problem.status.value, problem.title)
    notifications.notify_many(notifications.managers_of_groups([g.id for g in contest.groups]),
                              "contest_problem_proposed",
                              notifications.link_to("contests.problems", contest_id=contest.id),
                              company=company.name, contest=contest.title)
    return problem


def get_problem_for_company(actor: User, problem_id: int) -> ContestProblem:
    problem = db.session.get(ContestProblem, problem_id)
    company = company_of(actor) if user_can(actor, Permission.MANAGE_COMPANY) else None
    if problem is None or company is None or problem.company_id != company.id:
        raise NotFound(str(_l("No such problem.")))
    return problem


def revise_problem(actor: User, problem_id: int, data: ProblemData) -> ContestProblem:
    """The company corrects a returned (or still undecided) problem; it goes back to the organisers."""
    problem = get_problem_for_company(actor, problem_id)
    if problem.status == ProblemStatus.ACCEPTED:
        raise Conflict(str(_l("An accepted problem can no longer change.")))
    values = _problem_values(data)
    before = problem.status
    changed = db.session.execute(update(ContestProblem).where(
        ContestProblem.id == problem.id, ContestProblem.status == before).values(
        **values, status=ProblemStatus.PROPOSED, return_note="").execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise Conflict(str(_l("The organisers decided on this problem meanwhile. Reload the page.")))
    db.session.refresh(problem)
    audit.record(actor, "contest_problem", problem.id, "revised", before.value, problem.status.value)
    return problem


def problems_of(contest: Contest, viewer: User) -> list[ContestProblem]:
    """Organisers see every problem; a company its own; everyone else the accepted ones."""
    query = (select(ContestProblem).options(selectinload(ContestProblem.company))
             .where(ContestProblem.contest_id == contest.id).order_by(ContestProblem.id))
    if not can_organise(viewer, contest):
        company = company_of(viewer) if user_can(viewer, Permission.MANAGE_COMPANY) else None
        condition = ContestProblem.status == ProblemStatus.ACCEPTED
        if company is not None:
            condition = condition | (ContestProblem.company_id == company.id)
        query = query.where(condition)
    return list(db.session.scalars(query))


def decide_problem(actor: User, problem_id: int, accept: bool, note: str = "") -> ContestProblem:
    problem = db.session.get(ContestProblem, problem_id)
    if problem is None:
        raise NotFound(str(_l("No such problem.")))
    get_for_organiser(actor, problem.contest_id)
    note = (note or "").strip()
    if not accept and not note:
        raise DomainError(str(_l("Say what the company should change.")), field="note")
    target = ProblemStatus.ACCEPTED if accept else ProblemStatus.RETURNED
    changed = db.session.execute(update(ContestProblem).where(
        ContestProblem.id == problem.id, ContestProblem.status == ProblemStatus.PROPOSED).values(
        status=target, return_note=note[:2000], decided_by_id=actor.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise Conflict(str(_l("This problem was decided meanwhile.")))
    db.session.refresh(problem)
    audit.record(actor, "contest_problem", problem.id, target.value, ProblemStatus.PROPOSED.value, target.value, note)
    managers = db.session.scalars(select(User).join(CompanyMembership, CompanyMembership.user_id == User.id).where(
        CompanyMembership.company_id == problem.company_id, CompanyMembership.status == MembershipStatus.ACTIVE))
    notifications.notify_many(managers, "contest_problem_accepted" if accept else "contest_problem_returned",
                              notifications.link_to("contests.detail", contest_id=problem.contest_id),
                              problem=problem.title, note=note)
    return problem


# -- teams --------------------------------------------------------------------------------------------------------


def _require_verified_student(user: User, field_name: str, own: bool = True) -> None:
    if not user_can(user, Permission.APPLY) or user.student_profile is None:
        raise DomainError(str(_l("Only students take part in contests.")), field=field_name)
    if not verification.is_verified(user):
        if own:
            raise DomainError(verification.not_verified_reason(user.student_profile), field=field_name)
        raise DomainError(str(_l("%(name)s's student account is not verified yet; only verified students join teams.",
                                 name=user.display_name)), field=field_name)


def _group_allowed(contest: Contest, team: ContestTeam | None, user: User, field_name: str) -> None:
    group_id = user.student_profile.group_id
    if group_id not in {g.id for g in contest.groups}:
        raise DomainError(str(_l("This contest is for students of %(groups)s.",
                                 groups=", ".join(g.code for g in contest.groups))), field=field_name)
    if team is not None and not contest.allow_cross_group:
        groups = set(db.session.scalars(
            select(ProjectGroup.id).join_from(ContestTeamMember, User, ContestTeamMember.user_id == User.id)
            .join(User.student_profile).join(ProjectGroup).where(ContestTeamMember.team_id == team.id,
                                                                 ContestTeamMember.status == MemberStatus.MEMBER)))
        if groups and group_id not in groups:
            raise DomainError(str(_l("This contest's teams are formed within one project group.")), field=field_name)


def _in_a_team(contest_id: int, user_id: int) -> bool:
    return db.session.scalar(select(exists().where(
        ContestTeamMember.contest_id == contest_id, ContestTeamMember.user_id == user_id,
        ContestTeamMember.status == MemberStatus.MEMBER)))


def _choice_values(contest: Contest, track_id, problem_id, problems: Reasons) -> dict:
    values = {"track_id": None, "problem_id": None}
    if track_id:
        if int(track_id) not in {t.id for t in contest.tracks}:
            problems.add("track_id", _l("Choose one of the contest's tracks."))
        else:
            values["track_id"] = int(track_id)
    if problem_id:
        problem = db.session.get(ContestProblem, int(problem_id))
        if problem is None or problem.contest_id != contest.id or problem.status != ProblemStatus.ACCEPTED:
            problems.add("problem_id", _l("Choose one of the contest's problems."))
        else:
            values["problem_id"] = problem.id
    return values


def _flush_unique(message: str, field_name: str | None = None) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(message, field=field_name) from None


def create_team(actor: User, contest_id: int, name: str, track_id=None, problem_id=None,
                now: datetime | None = None) -> ContestTeam:
    if not user_can(actor, Permission.APPLY):
        raise Forbidden(str(_l("Only students take part in contests.")))
    contest = get_contest(actor, contest_id)
    _require_verified_student(actor, "name")
    if not registration_open(contest, now):
        raise DomainError(str(_l("Registration for this contest is not open.")), field="name")
    _group_allowed(contest, None, actor, "name")
    if _in_a_team(contest.id, actor.id):
        raise DomainError(str(_l("You are already in a team of this contest.")), field="name")
    problems = Reasons()
    name = " ".join((name or "").split())
    if not name:
        problems.add("name", _l("Name your team."))
    elif len(name) > 100:
        problems.add("name", _l("Use at most %(max)d characters.", max=100))
    elif db.session.scalar(select(exists().where(ContestTeam.contest_id == contest.id,
                                                 func.lower(ContestTeam.name) == name.lower()))):
        problems.add("name", _l("Another team already uses this name."))
    choices = _choice_values(contest, track_id, problem_id, problems)
    problems.raise_if_any()
    team = ContestTeam(contest_id=contest.id, name=name, member_count=1, created_by_id=actor.id, **choices)
    db.session.add(team)
    db.session.flush()
    db.session.add(ContestTeamMember(team_id=team.id, contest_id=contest.id, user_id=actor.id,
                                     status=MemberStatus.MEMBER, invited_by_id=actor.id, responded_at=utcnow()))
    _flush_unique(str(_l("You are already in a team of this contest.")), "name")
    audit.record(actor, "contest_team", team.id, "created", None, "member", name)
    return team


def get_team(viewer: User, team_id: int) -> ContestTeam:
    """A team's page: its members, invitees, judges and organisers (others 404)."""
    team = db.session.scalar(select(ContestTeam).options(
        selectinload(ContestTeam.members).selectinload(ContestTeamMember.user),
        selectinload(ContestTeam.contest).selectinload(Contest.groups),
        selectinload(ContestTeam.contest).selectinload(Contest.tracks),
        selectinload(ContestTeam.contest).selectinload(Contest.criteria),
        selectinload(ContestTeam.track), selectinload(ContestTeam.problem).selectinload(ContestProblem.company),
    ).where(ContestTeam.id == team_id))
    if team is None:
        raise NotFound(str(_l("No such team.")))
    invited = any(m.user_id == getattr(viewer, "id", None) and m.status != MemberStatus.DECLINED for m in team.members)
    if not (invited or can_see_submissions(viewer, team) or _problem_company_after_results(viewer, team)):
        raise NotFound(str(_l("No such team.")))
    return team


def _problem_company_after_results(viewer: User, team: ContestTeam) -> bool:
    """Once results are out, the company whose problem a team solved sees the team (not its submissions)."""
    if team.problem is None or team.contest.status != ContestStatus.RESULTS_PUBLISHED:
        return False
    company = company_of(viewer) if user_can(viewer, Permission.MANAGE_COMPANY) else None
    return company is not None and company.id == team.problem.company_id


def team_of(viewer: User, contest_id: int) -> ContestTeam | None:
    if getattr(viewer, "id", None) is None:
        return None
    return db.session.scalar(select(ContestTeam).join(ContestTeamMember).where(
        ContestTeamMember.contest_id == contest_id, ContestTeamMember.user_id == viewer.id,
        ContestTeamMember.status == MemberStatus.MEMBER))


def invitations_for(viewer: User, contest_id: int) -> list[ContestTeamMember]:
    if getattr(viewer, "id", None) is None:
        return []
    return list(db.session.scalars(select(ContestTeamMember).options(selectinload(ContestTeamMember.team)).where(
        ContestTeamMember.contest_id == contest_id, ContestTeamMember.user_id == viewer.id,
        ContestTeamMember.status == MemberStatus.INVITED).order_by(ContestTeamMember.id)))


def _member_team(actor: User, team_id: int) -> ContestTeam:
    team = get_team(actor, team_id)
    if not _is_member(actor, team):
        raise NotFound(str(_l("No such team.")))
    return team


def invite_member(actor: User, team_id: int, email: str, now: datetime | None = None) -> ContestTeamMember:
    """A member invites a student by e-mail address; the student hears of it in the product and by mail."""
    team = _member_team(actor, team_id)
    contest = team.contest
    if not registration_open(contest, now):
        raise DomainError(str(_l("Registration for this contest is not open.")), field="email")
    address = (email or "").strip()
    if not address:
        raise DomainError(str(_l("Enter the student's e-mail address.")), field="email")
    invitee = db.session.scalar(select(User).where(func.lower(User.email) == address.lower()))
    if invitee is None or invitee.role != Role.STUDENT:
        raise DomainError(str(_l("No student account uses this address. Ask them to register first.")), field="email")
    _require_verified_student(invitee, "email", own=False)
    _group_allowed(contest, team, invitee, "email")
    if team.member_count >= MAX_TEAM_MEMBERS:
        raise DomainError(str(_l("A team has at most %(n)d members.", n=MAX_TEAM_MEMBERS)), field="email")
    if _in_a_team(contest.id, invitee.id):
        raise DomainError(str(_l("This student is already in a team of this contest.")), field="email")
    row = db.session.scalar(select(ContestTeamMember).where(ContestTeamMember.team_id == team.id,
                                                            ContestTeamMember.user_id == invitee.id))
    if row is not None and row.status == MemberStatus.INVITED:
        raise DomainError(str(_l("This student is already invited.")), field="email")
    if row is None:
        row = ContestTeamMember(team_id=team.id, contest_id=contest.id, user_id=invitee.id)
        db.session.add(row)
    row.status, row.invited_by_id, row.invited_at, row.responded_at = MemberStatus.INVITED, actor.id, utcnow(), None
    _flush_unique(str(_l("This student is already invited.")), "email")
    audit.record(actor, "contest_team", team.id, "invited", None, "invited", invitee.email)
    notifications.notify(invitee, "contest_team_invitation",
                         notifications.link_to("contests.team", team_id=team.id),
                         team=team.name, contest=contest.title, name=actor.display_name)
    return row


def _invitation(actor: User, member_id: int) -> ContestTeamMember:
    row = db.session.get(ContestTeamMember, member_id)
    if row is None or row.user_id != actor.id:
        raise NotFound(str(_l("No such invitation.")))
    return row


def accept_invitation(actor: User, member_id: int, now: datetime | None = None) -> ContestTeamMember:
    """Join a team. The sixth member is refused by the conditional UPDATE of the team's member count (so two
    acceptances at the same moment cannot both pass 4 → 5 → 6), and a second team by the unique index."""
    row = _invitation(actor, member_id)
    team = db.session.get(ContestTeam, row.team_id)
    contest = get_contest(actor, team.contest_id)
    _require_verified_student(actor, "invitation")
    if not registration_open(contest, now):
        raise DomainError(str(_l("Registration for this contest is not open.")), field="invitation")
    _group_allowed(contest, team, actor, "invitation")
    if row.status != MemberStatus.INVITED:
        raise Conflict(str(_l("This invitation was already answered.")))
    if _in_a_team(contest.id, actor.id):
        raise DomainError(str(_l("You are already in a team of this contest.")), field="invitation")
    try:
        with db.session.begin_nested():
            seated = db.session.execute(update(ContestTeam).where(
                ContestTeam.id == team.id, ContestTeam.member_count < MAX_TEAM_MEMBERS).values(
                member_count=ContestTeam.member_count + 1).execution_options(synchronize_session=False)).rowcount
            if not seated:
                raise Conflict(str(_l("This team already has %(n)d members.", n=MAX_TEAM_MEMBERS)),
                               field="invitation")
            answered = db.session.execute(update(ContestTeamMember).where(
                ContestTeamMember.id == row.id, ContestTeamMember.status == MemberStatus.INVITED).values(
                status=MemberStatus.MEMBER, responded_at=utcnow()).execution_options(
                synchronize_session=False)).rowcount
            if not answered:
                raise Conflict(str(_l("This invitation was already answered.")))
    except IntegrityError:
        # The one-team-per-student index: another acceptance of this student's won the race.
        raise Conflict(str(_l("You are already in a team of this contest."))) from None
    db.session.refresh(row)
    db.session.refresh(team)
    audit.record(actor, "contest_team", team.id, "joined", "invited", "member", actor.email)
    if row.invited_by_id:
        inviter = db.session.get(User, row.invited_by_id)
        if inviter is not None:
            notifications.notify(inviter, "contest_team_joined",
                                 notifications.link_to("contests.team", team_id=team.id),
                                 team=team.name, name=actor.display_name)
    return row


def decline_invitation(actor: User, member_id: int) -> ContestTeamMember:
    row = _invitation(actor, member_id)
    changed = db.session.execute(update(ContestTeamMember).where(
        ContestTeamMember.id == row.id, ContestTeamMember.status == MemberStatus.INVITED).values(
        status=MemberStatus.DECLINED, responded_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise Conflict(str(_l("This invitation was already answered.")))
    db.session.refresh(row)
    audit.record(actor, "contest_team", row.team_id, "declined", "invited", "declined", actor.email)
    return row


def choose(actor: User, team_id: int, track_id=None, problem_id=None, now: datetime | None = None) -> ContestTeam:
    team = _member_team(actor, team_id)
    if not accepts_submissions(team.contest, now):
        raise DomainError(str(_l("The contest no longer takes changes.")), field="track_id")
    problems = Reasons()
    values = _choice_values(team.contest, track_id, problem_id, problems)
    problems.raise_if_any()
    team.track_id, team.problem_id = values["track_id"], values["problem_id"]
    db.session.flush()
    audit.record(actor, "contest_team", team.id, "chose", None, None,
                 f"track {team.track_id or '—'}; problem {team.problem_id or '—'}")
    return team


# -- submissions --------------------------------------------------------------------------------------------------


@dataclass
class Upload:
    report_name: str | None = None
    report: bytes | None = None
    archive_name: str | None = None
    archive: bytes | None = None
    note: str = ""


@dataclass
class StoredFiles:
    names: list[str] = field(default_factory=list)

    def committed(self) -> None:
        return None

    def failed(self) -> None:
        contest_files.remove(self.names)


def _display(filename: str | None, fallback: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')[:120].strip()
    return name or fallback


def submit(actor: User, team_id: int, upload: Upload, now: datetime | None = None) -> ContestSubmission:
    """A new version of the team's submission; the deadline is to the second (one second late is refused)."""
    team = _member_team(actor, team_id)
    contest = team.contest
    now = _now(now)
    if contest.status != ContestStatus.OPEN or now > contest.submission_deadline:
        raise DomainError(str(_l("The submission deadline has passed.")), field="report")
    if now < contest.registration_opens_at:
        raise DomainError(str(_l("Submissions open with registration.")), field="report")
    problems = Reasons()
    problems.collect(contest_files.check_report, upload.report, "report")
    problems.collect(contest_files.check_archive, upload.archive, "archive")
    if len(upload.note or "") > 2000:
        problems.add("note", _l("Use at most %(max)d characters.", max=2000))
    problems.raise_if_any()
    stored = StoredFiles()
    report_name = contest_files.store(upload.report, "pdf", "report")
    stored.names.append(report_name)
    try:
        archive_name = contest_files.store(upload.archive, "zip", "archive") if upload.archive else None
        if archive_name:
            stored.names.append(archive_name)
        version = (db.session.scalar(select(func.max(ContestSubmission.version))
                                     .where(ContestSubmission.team_id == team.id)) or 0) + 1
        submission = ContestSubmission(
            team_id=team.id, version=version, report_storage_name=report_name,
            report_original_name=_display(upload.report_name, "report.pdf"), report_size=len(upload.report),
            code_storage_name=archive_name,
            code_original_name=_display(upload.archive_name, "code.zip") if archive_name else "",
            code_size=len(upload.archive) if archive_name else None, note=(upload.note or "").strip(),
            submitted_by_id=actor.id, submitted_at=now)
        db.session.add(submission)
        _flush_unique(str(_l("Another version was submitted at the same moment. Submit again.")), "report")
    except Exception:
        stored.failed()
        raise
    audit.record(actor, "contest_team", team.id, "submitted", None, f"v{version}", submission.report_original_name)
    submission.stored = stored  # type: ignore[attr-defined] - the route removes the files if its commit fails
    return submission


def submissions_of(viewer: User, team_id: int) -> list[ContestSubmission]:
    team = get_team(viewer, team_id)
    if not can_see_submissions(viewer, team):
        raise NotFound(str(_l("No such team.")))
    return list(db.session.scalars(select(ContestSubmission).options(selectinload(ContestSubmission.submitted_by))
                                   .where(ContestSubmission.team_id == team.id)
                                   .order_by(ContestSubmission.version.desc())))


def final_submissions(contest_id: int) -> dict[int, ContestSubmission]:
    """team id -> the last version submitted before the deadline (the one that counts)."""
    latest = (select(ContestSubmission.team_id, func.max(ContestSubmission.version).label("version"))
              .join(ContestTeam).where(ContestTeam.contest_id == contest_id)
              .group_by(ContestSubmission.team_id).subquery())
    rows = db.session.scalars(select(ContestSubmission).join(latest, (latest.c.team_id == ContestSubmission.team_id)
                                                             & (latest.c.version == ContestSubmission.version)))
    return {row.team_id: row for row in rows}


def submission_file(viewer: User, submission_id: int, kind: str) -> tuple[bytes, str, str]:
    """(bytes, download name, mimetype) of a submission's report or archive, for those who may see it."""
    submission = db.session.get(ContestSubmission, submission_id)
    if submission is None or not can_see_submissions(viewer, submission.team):
        raise NotFound(str(_l("No such submission.")))
    if kind == "report":
        data, name, mimetype = (contest_files.read(submission.report_storage_name), submission.report_original_name,
                                "application/pdf")
    else:
        data, name, mimetype = (contest_files.read(submission.code_storage_name), submission.code_original_name,
                                "application/zip")
    if data is None:
        raise NotFound(str(_l("No such file.")))
    return data, name, mimetype


# -- judges, rubric, conflicts, assignments, scores ---------------------------------------------------------------


@dataclass
class CriterionData:
    name: str = ""
    description: str = ""
    weight: int | None = None
    min_score: int | None = None
    max_score: int | None = None


def add_criterion(actor: User, contest_id: int, data: CriterionData) -> RubricCriterion:
    contest = get_for_organiser(actor, contest_id)
    if contest.status not in (ContestStatus.DRAFT, ContestStatus.OPEN):
        raise Conflict(str(_l("The rubric is fixed once judging starts.")), field="name")
    problems = Reasons()
    name = " ".join((data.name or "").split())
    if not name:
        problems.add("name", _l("Name the criterion."))
    elif len(name) > MAX_TITLE:
        problems.add("name", _l("Use at most %(max)d characters.", max=MAX_TITLE))
    if data.weight is None or not 1 <= data.weight <= 100:
        problems.add("weight", _l("The weight is a whole number from 1 to 100."))
    if data.min_score is None or not 0 <= data.min_score <= 1000:
        problems.add("min_score", _l("The lowest score is a whole number from 0 to 1000."))
    if data.max_score is None or not 1 <= data.max_score <= 1000:
        problems.add("max_score", _l("The highest score is a whole number from 1 to 1000."))
    elif data.min_score is not None and data.max_score <= data.min_score:
        problems.add("max_score", _l("The highest score must be above the lowest."))
    problems.raise_if_any()
    criterion = RubricCriterion(contest_id=contest.id, name=name, description=(data.description or "").strip()[:2000],
                                weight=data.weight, min_score=data.min_score, max_score=data.max_score,
                                position=len(contest.criteria))
    db.session.add(criterion)
    db.session.flush()
    audit.record(actor, "contest", contest.id, "criterion_added", None, None, f"{name} ×{data.weight}")
    return criterion


def remove_criterion(actor: User, criterion_id: int) -> None:
    criterion = db.session.get(RubricCriterion, criterion_id)
    if criterion is None:
        raise NotFound(str(_l("No such criterion.")))
    contest = get_for_organiser(actor, criterion.contest_id)
    if contest.status not in (ContestStatus.DRAFT, ContestStatus.OPEN):
        raise Conflict(str(_l("The rubric is fixed once judging starts.")))
    db.session.delete(criterion)
    db.session.flush()
    audit.record(actor, "contest", contest.id, "criterion_removed", None, None, criterion.name)


def _judge_role() -> Role:
    # Judges invited by address get the faculty mentor role when the product has it (issue #15), else a
    # company-manager account without a company, which sees nothing but what it is invited to.
    return getattr(Role, "MENTOR", Role.COMPANY_MANAGER)


def invite_judge(actor: User, contest_id: int, email: str, display_name: str = "") -> ContestJudge:
    """Link an existing account (any role but student) or invite a new address as a judge."""
    contest = get_for_organiser(actor, contest_id)
    if contest.status == ContestStatus.RESULTS_PUBLISHED:
        raise Conflict(str(_l("The results are published.")))
    address = (email or "").strip()
    if "@" not in address or len(address) > 254 or " " in address:
        raise DomainError(str(_l("Enter a valid e-mail address.")), field="email")
    user = db.session.scalar(select(User).where(func.lower(User.email) == address.lower()))
    created = False
    if user is None:
        name = " ".join((display_name or "").split())
        if not name:
            raise DomainError(str(_l("Enter the judge's name: a new account will be made for this address.")),
                              field="display_name")
        user = invitations.create_invited_account(actor, address.lower(), name, _judge_role())
        created = True
    elif user.role == Role.STUDENT:
        raise DomainError(str(_l("Students cannot judge a contest.")), field="email")
    elif not user.active:
        raise DomainError(str(_l("This account is deactivated.")), field="email")
    if _judge_row(user, contest.id) is not None:
        raise DomainError(str(_l("This person is already a judge of this contest.")), field="email")
    judge = ContestJudge(contest_id=contest.id, user_id=user.id, invited_by_id=actor.id)
    db.session.add(judge)
    _flush_unique(str(_l("This person is already a judge of this contest.")), "email")
    audit.record(actor, "contest", contest.id, "judge_invited", None, None, user.email)
    if created:
        invitations.send_invitation(actor, user, invitations.invitation_sentence("contest_judge",
                                                                                 contest=contest.title))
    notifications.notify(user, "contest_judge_invited", notifications.link_to("contests.judging",
                                                                              contest_id=contest.id),
                         contest=contest.title)
    return judge


def judges_of(contest: Contest) -> list[ContestJudge]:
    return list(db.session.scalars(select(ContestJudge).options(selectinload(ContestJudge.user))
                                   .where(ContestJudge.contest_id == contest.id).order_by(ContestJudge.id)))


def _company_ids_of(user_ids) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for user_id, company_id in db.session.execute(select(CompanyMembership.user_id, CompanyMembership.company_id).where(
            CompanyMembership.user_id.in_(list(user_ids)), CompanyMembership.status == MembershipStatus.ACTIVE)):
        out.setdefault(user_id, set()).add(company_id)
    return out


def conflicted(judge: ContestJudge, team: ContestTeam, declared: set[tuple[int, int]],
               companies: dict[int, set[int]]) -> bool:
    """A judge never judges a team that works on their own company's problem, nor one they declared."""
    if (judge.id, team.id) in declared:
        return True
    return team.problem is not None and team.problem.company_id in companies.get(judge.user_id, set())


def declare_conflict(actor: User, contest_id: int, team_id: int, reason: str) -> JudgeConflict:
    judge = _judge_row(actor, contest_id)
    team = db.session.get(ContestTeam, team_id)
    if judge is None or team is None or team.contest_id != contest_id:
        raise NotFound(str(_l("No such team.")))
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(str(_l("Say why you cannot judge this team fairly.")), field="reason")
    if db.session.scalar(select(exists().where(JudgeConflict.judge_id == judge.id, JudgeConflict.team_id == team.id))):
        raise DomainError(str(_l("You already declared a conflict with this team.")), field="reason")
    conflict = JudgeConflict(judge_id=judge.id, team_id=team.id, reason=reason[:1000])
    db.session.add(conflict)
    # A declared conflict withdraws an assignment already made (and its scores).
    for assignment in db.session.scalars(select(JudgeAssignment).where(JudgeAssignment.judge_id == judge.id,
                                                                       JudgeAssignment.team_id == team.id)):
        db.session.delete(assignment)
    _flush_unique(str(_l("You already declared a conflict with this team.")), "reason")
    audit.record(actor, "contest_team", team.id, "conflict_declared", None, None, reason[:200])
    return conflict


def assign_judges(actor: User, contest_id: int, per_team: int = JUDGES_PER_TEAM) -> int:
    """Give every team with a submission up to `per_team` judges without a conflict, least-loaded judge first.
    Returns how many assignments were added; judges hear of their new assignments."""
    contest = get_for_organiser(actor, contest_id)
    if contest.status != ContestStatus.JUDGING:
        raise Conflict(str(_l("Judges are assigned once judging starts.")))
    judges = judges_of(contest)
    if not judges:
        raise DomainError(str(_l("Invite judges first.")), field="per_team")
    finals = final_submissions(contest.id)
    teams = list(db.session.scalars(select(ContestTeam).options(selectinload(ContestTeam.problem))
                                    .where(ContestTeam.id.in_(list(finals))).order_by(ContestTeam.id)))
    declared = set(db.session.execute(select(JudgeConflict.judge_id, JudgeConflict.team_id)
                                      .where(JudgeConflict.judge_id.in_([j.id for j in judges]))).tuples())
    companies = _company_ids_of([j.user_id for j in judges])
    existing = set(db.session.execute(select(JudgeAssignment.judge_id, JudgeAssignment.team_id)
                                      .where(JudgeAssignment.judge_id.in_([j.id for j in judges]))).tuples())
    load = {j.id: sum(1 for judge_id, _ in existing if judge_id == j.id) for j in judges}
    added: dict[int, int] = {}
    for team in teams:
        have = sum(1 for _, team_id in existing if team_id == team.id)
        candidates = sorted((j for j in judges if (j.id, team.id) not in existing
                             and not conflicted(j, team, declared, companies)), key=lambda j: (load[j.id], j.id))
        for judge in candidates[:max(0, per_team - have)]:
            db.session.add(JudgeAssignment(judge_id=judge.id, team_id=team.id))
            existing.add((judge.id, team.id))
            load[judge.id] += 1
            added[judge.id] = added.get(judge.id, 0) + 1
    _flush_unique(str(_l("Judges were assigned meanwhile. Reload the page.")))
    audit.record(actor, "contest", contest.id, "judges_assigned", None, None, str(sum(added.values())))
    link = notifications.link_to("contests.judging", contest_id=contest.id)
    for judge in judges:
        if added.get(judge.id):
            notifications.notify(judge.user, "contest_judging_assigned", link, contest=contest.title,
                                 count=added[judge.id])
    return sum(added.values())


def assignments_for(actor: User, contest_id: int) -> tuple[ContestJudge, list[JudgeAssignment]]:
    judge = _judge_row(actor, contest_id)
    if judge is None:
        raise NotFound(str(_l("No such contest.")))
    rows = list(db.session.scalars(select(JudgeAssignment).options(
        selectinload(JudgeAssignment.scores), selectinload(JudgeAssignment.team).selectinload(ContestTeam.problem),
        selectinload(JudgeAssignment.team).selectinload(ContestTeam.track))
        .where(JudgeAssignment.judge_id == judge.id).order_by(JudgeAssignment.team_id)))
    return judge, rows


def get_assignment(actor: User, assignment_id: int) -> JudgeAssignment:
    assignment = db.session.scalar(select(JudgeAssignment).options(
        selectinload(JudgeAssignment.scores), selectinload(JudgeAssignment.judge),
        selectinload(JudgeAssignment.team).selectinload(ContestTeam.contest).selectinload(Contest.criteria))
        .where(JudgeAssignment.id == assignment_id))
    if assignment is None or assignment.judge.user_id != getattr(actor, "id", None):
        raise NotFound(str(_l("No such assignment.")))
    return assignment


def score(actor: User, assignment_id: int, scores: dict[int, str | int | None], comment: str = "") -> JudgeAssignment:
    """Score every criterion of the rubric, each within its range (all wrong fields reported at once)."""
    assignment = get_assignment(actor, assignment_id)
    contest = assignment.team.contest
    if contest.status != ContestStatus.JUDGING:
        raise Conflict(str(_l("Scores are given while the contest is being judged.")))
    problems = Reasons()
    values = {}
    for criterion in contest.criteria:
        raw = scores.get(criterion.id)
        name = f"score_{criterion.id}"
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            problems.add(name, _l("Enter a whole number from %(low)d to %(high)d.", low=criterion.min_score,
                                  high=criterion.max_score))
            continue
        if not criterion.min_score <= value <= criterion.max_score:
            problems.add(name, _l("Enter a whole number from %(low)d to %(high)d.", low=criterion.min_score,
                                  high=criterion.max_score))
            continue
        values[criterion.id] = value
    if len(comment or "") > 4000:
        problems.add("comment", _l("Use at most %(max)d characters.", max=4000))
    problems.raise_if_any()
    current = {s.criterion_id: s for s in assignment.scores}
    for criterion_id, value in values.items():
        row = current.get(criterion_id)
        if row is None:
            assignment.scores.append(JudgeScore(criterion_id=criterion_id, score=value, comment=(comment or "").strip()))
        else:
            row.score, row.comment = value, (comment or "").strip()
    _flush_unique(str(_l("These scores were saved meanwhile. Reload the page.")))
    audit.record(actor, "contest_team", assignment.team_id, "scored", None, None,
                 ", ".join(f"{k}={v}" for k, v in sorted(values.items())))
    return assignment


# -- results ------------------------------------------------------------------------------------------------------


@dataclass
class Standing:
    team: ContestTeam
    score: float  # 0-100, the mean over complete judgements of the weighted, range-normalised scores
    first_criterion: float
    submitted_at: datetime | None
    judgements: int
    rank: int = 0
    award: str = ""


def weighted_score(criteria: list[RubricCriterion], scores: dict[int, int]) -> float:
    """Σ weight × (score − min)/(max − min) over Σ weight, as 0–100."""
    total = sum(c.weight for c in criteria)
    if not total:
        return 0.0
    return 100.0 * sum(c.weight * (scores[c.id] - c.min_score) / (c.max_score - c.min_score) for c in criteria) / total


def standings(contest: Contest) -> list[Standing]:
    """Every team with a final submission, ranked by TIE_RULE (competition ranking: 1, 2, 2, 4)."""
    criteria = list(contest.criteria)
    finals = final_submissions(contest.id)
    teams = {t.id: t for t in db.session.scalars(select(ContestTeam).options(
        selectinload(ContestTeam.members).selectinload(ContestTeamMember.user), selectinload(ContestTeam.problem),
        selectinload(ContestTeam.track)).where(ContestTeam.id.in_(list(finals))))}
    per_team: dict[int, list[dict[int, int]]] = {team_id: [] for team_id in teams}
    assignments = db.session.scalars(select(JudgeAssignment).options(selectinload(JudgeAssignment.scores))
                                     .where(JudgeAssignment.team_id.in_(list(teams))))
    for assignment in assignments:
        given = {s.criterion_id: s.score for s in assignment.scores}
        if criteria and all(c.id in given for c in criteria):
            per_team[assignment.team_id].append(given)
    rows = []
    for team_id, team in teams.items():
        judgements = per_team[team_id]
        mean = sum(weighted_score(criteria, j) for j in judgements) / len(judgements) if judgements else 0.0
        first = sum(j[criteria[0].id] for j in judgements) / len(judgements) if judgements and criteria else 0.0
        rows.append(Standing(team=team, score=round(mean, 6), first_criterion=round(first, 6),
                             submitted_at=finals[team_id].submitted_at, judgements=len(judgements)))
    rows.sort(key=lambda s: (-s.score, -s.first_criterion, s.submitted_at, s.team.id))
    awards = {a.rank: a.title for a in contest.awards}
    for index, row in enumerate(rows):
        previous = rows[index - 1] if index else None
        if previous and (previous.score, previous.first_criterion, previous.submitted_at) == \
                (row.score, row.first_criterion, row.submitted_at):
            row.rank = previous.rank
        else:
            row.rank = index + 1
        row.award = awards.get(row.rank, "")
    return rows


def results(viewer: User, contest_id: int) -> tuple[Contest, list[Standing]]:
    """Published results for every signed-in user; before that only the organisers see the standings."""
    contest = get_contest(viewer, contest_id)
    if contest.status != ContestStatus.RESULTS_PUBLISHED and not can_organise(viewer, contest):
        raise NotFound(str(_l("The results are not published yet.")))
    return contest, standings(contest)


# -- from contest to placement ------------------------------------------------------------------------------------


def invitable_openings(actor: User, team_id: int) -> tuple[ContestTeam, list[Opening]]:
    """The published openings of the company whose problem the team solved, when the company may invite."""
    team = db.session.scalar(select(ContestTeam).options(selectinload(ContestTeam.problem),
                                                         selectinload(ContestTeam.contest),
                                                         selectinload(ContestTeam.members))
                             .where(ContestTeam.id == team_id))
    company = company_of(actor) if user_can(actor, Permission.MANAGE_COMPANY) else None
    if team is None or company is None or team.problem is None or team.problem.company_id != company.id \
            or team.contest.status != ContestStatus.RESULTS_PUBLISHED:
        raise NotFound(str(_l("No such team.")))
    openings = list(db.session.scalars(select(Opening).where(Opening.company_id == company.id,
                                                             Opening.status == OpeningStatus.PUBLISHED)
                                       .order_by(Opening.id)))
    return team, openings


def invite_to_opening(actor: User, team_id: int, opening_id) -> int:
    """Invite every member of the team to apply to one of the company's published openings (a notification with
    a link; applying still goes through the normal path, with the student's consent). Returns how many were
    newly invited."""
    team, openings = invitable_openings(actor, team_id)
    opening = next((o for o in openings if str(o.id) == str(opening_id)), None)
    if opening is None:
        raise DomainError(str(_l("Choose one of your published openings.")), field="opening_id")
    already = set(db.session.scalars(select(ContestOpeningInvite.user_id).where(
        ContestOpeningInvite.opening_id == opening.id)))
    members = [m for m in team.members if m.status == MemberStatus.MEMBER and m.user_id not in already]
    link = notifications.link_to("openings.detail", opening_id=opening.id)
    for member in members:
        db.session.add(ContestOpeningInvite(team_id=team.id, opening_id=opening.id, user_id=member.user_id,
                                            invited_by_id=actor.id))
    _flush_unique(str(_l("These students were invited meanwhile.")), "opening_id")
    for member in members:
        notifications.notify(db.session.get(User, member.user_id), "contest_opening_invite", link,
                             company=team.problem.company.name, opening=opening.title, contest=team.contest.title)
    audit.record(actor, "contest_team", team.id, "invited_to_opening", None, None, f"opening {opening.id}: "
                 f"{len(members)}")
    if not members:
        raise DomainError(str(_l("Every member of this team was already invited to this opening.")),
                          field="opening_id")
    return len(members)


def organiser_overview(actor: User, contest: Contest) -> dict:
    """Counts for the organiser's panel (a handful of queries whatever the size)."""
    teams = db.session.scalar(select(func.count(ContestTeam.id)).where(ContestTeam.contest_id == contest.id))
    submitted = db.session.scalar(select(func.count(func.distinct(ContestSubmission.team_id))).join(ContestTeam)
                                  .where(ContestTeam.contest_id == contest.id))
    assigned = db.session.scalar(select(func.count(JudgeAssignment.id)).join(ContestTeam)
                                 .where(ContestTeam.contest_id == contest.id))
    return {"teams": teams, "submitted": submitted, "assignments": assigned}


def teams_of(contest: Contest) -> list[ContestTeam]:
    return list(db.session.scalars(select(ContestTeam).options(selectinload(ContestTeam.track),
                                                               selectinload(ContestTeam.problem))
                                   .where(ContestTeam.contest_id == contest.id).order_by(ContestTeam.name)))


def timeline(contest: Contest) -> list[tuple[str, datetime]]:
    labels = [_l("Registration opens"), _l("Registration closes"), _l("Submission deadline"), _l("Judging ends"),
              _l("Results")]
    return [(str(label), getattr(contest, name)) for label, name in zip(labels, TIMELINE)]

