"""Matching rounds: set-up, students' and companies' preference orders, the stable run, review and approval.

A round serves one project group: its participants are the group's students whose applications (submitted or
shortlisted, made through the application deadline) go to the round's openings. Students order their own
applications, company managers order their applicants per opening (unranked ones follow by match score, then
application time) and may mark some as not acceptable. After the ranking deadline an exchange manager of the
group runs the round: student-proposing deferred acceptance with the seats left as capacities. Proposals are
reviewed (a pair can be excluded and the round re-run), published, and then approved one by one or all at
once through the placement service, which guards seats under a lock.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, exists, false, select, update
from sqlalchemy.orm import selectinload

from marketplace.clock import SEOUL, today_in_seoul
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.matching import allocate
from marketplace.models import (
    SEAT_HOLDING,
    Application,
    ApplicationStatus,
    Company,
    MatchingRound,
    Opening,
    OpeningStatus,
    Placement,
    PlacementStatus,
    ProjectGroup,
    ProposalStatus,
    RoundCompanyRank,
    RoundExclusion,
    RoundPreference,
    RoundProposal,
    RoundStatus,
    StudentProfile,
    User,
    opening_groups,
    round_openings,
)
from marketplace.models.base import utcnow
from marketplace.ownership import can_manage_round, manages_company, reviewable_group_ids
from marketplace.permissions import Permission, can_review_group, user_can
from marketplace.services import audit, verification
from marketplace.services.applications import application_machine
from marketplace.services.companies import active_managers, company_of
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound
from marketplace.services.notifications import notify_many
from marketplace.services.placements import approve_placement, request_placement
from marketplace.services.seats import seats_taken
from marketplace.services.workflow import StateMachine

__all__ = [
    "round_machine", "RoundData", "OUTCOMES", "PARTICIPATING", "create_round", "candidate_openings",
    "rounds_for_manager_query", "my_rounds", "get_round_for_manager", "get_round_for_student",
    "get_round_opening_for_company", "participants", "student_choices", "set_student_order",
    "move_student_choice", "company_applicants", "move_applicant", "set_acceptable", "is_editable",
    "ranking_progress", "run_round", "exclude_pair_and_rerun", "publish_round", "approve_proposal",
    "approve_all", "get_proposal_for_manager", "proposal_of", "proposals_for_opening", "figures",
]

round_machine: StateMachine[RoundStatus] = StateMachine("matching_round", {
    RoundStatus.OPEN: {RoundStatus.MATCHED},
    RoundStatus.MATCHED: {RoundStatus.PUBLISHED},  # a re-run (matched → matched) goes through exclude_pair_and_rerun
    RoundStatus.PUBLISHED: set(),
})

# Applications that take part in a round (offers and decisions made outside the round take them out).
PARTICIPATING = (ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED)

# Outcome codes of one choice in a proposal's explanation (templates turn them into sentences).
OUTCOMES = (
    "matched",  # the student got this choice
    "higher_choice_matched",  # a choice the student ranked higher was matched, so this one was not needed
    "filled_by_higher_ranked",  # every seat went to applicants the company ranked higher
    "not_acceptable",  # the company marked the student as not acceptable for this opening
    "excluded",  # the exchange manager excluded this pair before re-running
    "no_seats",  # the opening had no seats left when the round was run
)

MAX_NAME = 200
MAX_REASON = 2000


# -- input ----------------------------------------------------------------------------------------------------


@dataclass
class RoundData:
    name: str
    group_id: int | None
    application_deadline: date | None
    ranking_deadline: date | None
    opening_ids: list[int] = field(default_factory=list)


def _end_of_day_utc(day: date) -> datetime:
    """The first instant after `day` ends in Seoul, in UTC (deadlines are Seoul calendar days)."""
    return datetime.combine(day + timedelta(days=1), time(0), SEOUL).astimezone(timezone.utc)


# -- who may do what --------------------------------------------------------------------------------------------


def _require_manager(actor: User, matching_round: MatchingRound) -> None:
    """Run, review, approve, publish: exchange managers of the round's group and admins. Others: not found."""
    if not can_manage_round(actor, matching_round):
        raise NotFound(str(_l("No such matching round.")))


def is_editable(matching_round: MatchingRound, today: date | None = None) -> bool:
    """Students and companies may change their orders while the round is open, through the ranking deadline."""
    return matching_round.status == RoundStatus.OPEN and (today or today_in_seoul()) <= matching_round.ranking_deadline


def first_run_day(matching_round: MatchingRound) -> date:
    """The first day (Seoul) the round may be run: the day after the ranking deadline, which is still a ranking day."""
    return matching_round.ranking_deadline + timedelta(days=1)


def can_run_on(matching_round: MatchingRound, today: date | None = None) -> bool:
    return (today or today_in_seoul()) >= first_run_day(matching_round)


def _require_editable(matching_round: MatchingRound, today: date | None) -> None:
    if matching_round.status != RoundStatus.OPEN:
        raise Conflict(str(_l("This round was already run; preferences can no longer be changed.")))
    if not is_editable(matching_round, today):
        raise Conflict(str(_l("The ranking deadline (%(date)s) has passed; preferences can no longer be changed.",
                              date=matching_round.ranking_deadline.isoformat())))


# -- creating a round -------------------------------------------------------------------------------------------------


def _active_round_opening_ids(exclude_round_id: int | None = None) -> set[int]:
    query = (select(round_openings.c.opening_id)
             .join(MatchingRound, MatchingRound.id == round_openings.c.round_id)
             .where(MatchingRound.status.in_((RoundStatus.OPEN, RoundStatus.MATCHED))))
    if exclude_round_id is not None:
        query = query.where(MatchingRound.id != exclude_round_id)
    return set(db.session.scalars(query))


def candidate_openings(actor: User) -> list[Opening]:
    """Published openings eligible to one of the actor's groups and not already in an open or matched round."""
    group_ids = reviewable_group_ids(actor)
    query = (select(Opening).options(selectinload(Opening.company), selectinload(Opening.eligible_groups))
             .where(Opening.status == OpeningStatus.PUBLISHED)
             .order_by(Opening.title, Opening.id))
    if group_ids is not None:
        if not group_ids:
            return []
        query = query.where(exists().where(opening_groups.c.opening_id == Opening.id,
                                           opening_groups.c.group_id.in_(group_ids)))
    busy = _active_round_opening_ids()
    return [o for o in db.session.scalars(query) if o.id not in busy]


def create_round(actor: User, data: RoundData, today: date | None = None) -> MatchingRound:
    """An open round of published openings eligible to one of the actor's groups."""
    if not user_can(actor, Permission.REVIEW_EXCHANGES):
        raise Forbidden(str(_l("Only exchange managers and the programme office open matching rounds.")))
    today = today or today_in_seoul()
    name = (data.name or "").strip()
    if not name:
        raise DomainError(str(_l("Give the round a name, e.g. “Summer practice course 2026”.")), field="name")
    if len(name) > MAX_NAME:
        raise DomainError(str(_l("Use at most %(max)d characters.", max=MAX_NAME)), field="name")
    group = db.session.get(ProjectGroup, data.group_id) if data.group_id else None
    if group is None or not can_review_group(actor, group.id):
        raise DomainError(str(_l("Choose one of your project groups.")), field="group_id")
    if data.application_deadline is None:
        raise DomainError(str(_l("Enter the application deadline.")), field="application_deadline")
    if data.application_deadline < today:
        raise DomainError(str(_l("The application deadline cannot be in the past.")), field="application_deadline")
    if data.ranking_deadline is None:
        raise DomainError(str(_l("Enter the ranking deadline.")), field="ranking_deadline")
    if data.ranking_deadline < data.application_deadline:
        raise DomainError(str(_l("The ranking deadline must be on or after the application deadline.")),
                          field="ranking_deadline")
    opening_ids = list(dict.fromkeys(i for i in (data.opening_ids or []) if i is not None))
    if not opening_ids:
        raise DomainError(str(_l("Choose at least one published opening for the round.")), field="opening_ids")
    found = {o.id: o for o in db.session.scalars(
        select(Opening).options(selectinload(Opening.eligible_groups)).where(Opening.id.in_(opening_ids))
    )}
    busy = _active_round_opening_ids()
    chosen = []
    for opening_id in opening_ids:
        opening = found.get(opening_id)
        if opening is None:
            raise DomainError(str(_l("One of the chosen openings no longer exists; reload the page.")),
                              field="opening_ids")
        if opening.status != OpeningStatus.PUBLISHED:
            raise DomainError(str(_l("“%(title)s” is not published; only published openings can be in a round.",
                                     title=opening.title)), field="opening_ids")
        if group.id not in opening.eligible_group_ids:
            raise DomainError(str(_l("“%(title)s” is not open to students of %(group)s.", title=opening.title,
                                     group=group.code)), field="opening_ids")
        if opening.id in busy:
            raise DomainError(str(_l("“%(title)s” is already in another round that has not been published.",
                                     title=opening.title)), field="opening_ids")
        chosen.append(opening)
    matching_round = MatchingRound(
        name=name, group_id=group.id, created_by_id=actor.id, status=RoundStatus.OPEN,
        application_deadline=data.application_deadline, ranking_deadline=data.ranking_deadline,
        run_count=0, figures={},
    )
    matching_round.openings = chosen
    db.session.add(matching_round)
    db.session.flush()
    audit.record(actor, "matching_round", matching_round.id, "created", None, RoundStatus.OPEN.value,
                 f"{len(chosen)} openings")
    return matching_round


# -- loading ----------------------------------------------------------------------------------------------------------


def _round_options():
    return (selectinload(MatchingRound.openings).selectinload(Opening.company),
            selectinload(MatchingRound.group))


def _load(round_id: int) -> MatchingRound | None:
    return db.session.scalar(select(MatchingRound).options(*_round_options()).where(MatchingRound.id == round_id))


def rounds_for_manager_query(actor: User) -> Select:
    """Rounds of the actor's groups (every round for admins), newest first."""
    query = select(MatchingRound).options(*_round_options()).order_by(MatchingRound.created_at.desc(),
                                                                       MatchingRound.id.desc())
    group_ids = reviewable_group_ids(actor)
    if group_ids is None:
        return query
    if not group_ids:
        return query.where(false())
    return query.where(MatchingRound.group_id.in_(group_ids))


def get_round_for_manager(actor: User, round_id: int) -> MatchingRound:
    matching_round = _load(round_id)
    if matching_round is None:
        raise NotFound(str(_l("No such matching round.")))
    _require_manager(actor, matching_round)
    return matching_round


def _student_takes_part(student: User, matching_round: MatchingRound) -> bool:
    if db.session.scalar(select(exists().where(RoundProposal.round_id == matching_round.id,
                                               RoundProposal.student_id == student.id))):
        return True
    return any(a.student_id == student.id for a in participants(matching_round))


def get_round_for_student(actor: User, round_id: int) -> MatchingRound:
    """A round the student takes part in; any other is 'not found'."""
    matching_round = _load(round_id)
    if matching_round is None or not user_can(actor, Permission.APPLY) \
            or not _student_takes_part(actor, matching_round):
        raise NotFound(str(_l("No such matching round.")))
    return matching_round


def get_round_opening_for_company(actor: User, round_id: int, opening_id: int) -> tuple[MatchingRound, Opening]:
    """A round's opening managed by the actor's company; anything else is 'not found'."""
    matching_round = _load(round_id)
    opening = None
    if matching_round is not None:
        opening = next((o for o in matching_round.openings if o.id == opening_id), None)
    if opening is None or not manages_company(actor, opening.company):
        raise NotFound(str(_l("No such opening in this matching round.")))
    return matching_round, opening


def my_rounds(actor: User) -> list[tuple[MatchingRound, list[Opening]]]:
    """Rounds a student or company manager takes part in, with the openings that concern them."""
    if user_can(actor, Permission.APPLY):
        mine = (select(round_openings.c.round_id)
                .join(Application, Application.opening_id == round_openings.c.opening_id)
                .where(Application.student_id == actor.id))
        query = (select(MatchingRound).options(*_round_options())
                 .join(StudentProfile, StudentProfile.group_id == MatchingRound.group_id)
                 .where(StudentProfile.user_id == actor.id, MatchingRound.id.in_(mine))
                 .order_by(MatchingRound.created_at.desc(), MatchingRound.id.desc()))
        out = []
        for matching_round in db.session.scalars(query):
            if _student_takes_part(actor, matching_round):
                mine = {a.opening_id for a in student_choices(matching_round, actor)}
                proposal = proposal_of(matching_round, actor)
                if proposal is not None:
                    mine |= {e["opening_id"] for e in proposal.explanation}
                out.append((matching_round, [o for o in matching_round.openings if o.id in mine]))
        return out
    company = company_of(actor) if user_can(actor, Permission.MANAGE_COMPANY) else None
    if company is None:
        return []
    theirs = (select(round_openings.c.round_id)
              .join(Opening, Opening.id == round_openings.c.opening_id)
              .where(Opening.company_id == company.id))
    query = (select(MatchingRound).options(*_round_options())
             .where(MatchingRound.id.in_(theirs))
             .order_by(MatchingRound.created_at.desc(), MatchingRound.id.desc()))
    return [(r, [o for o in r.openings if o.company_id == company.id]) for r in db.session.scalars(query)]


# -- participants and orders ------------------------------------------------------------------------------------------


def participants(matching_round: MatchingRound) -> list[Application]:
    """Applications taking part: the group's verified students, to the round's openings, submitted or
    shortlisted, made through the application deadline (Seoul). Oldest first."""
    opening_ids = list(matching_round.opening_ids)
    if not opening_ids:
        return []
    return list(db.session.scalars(
        select(Application)
        .join(StudentProfile, StudentProfile.user_id == Application.student_id)
        .options(selectinload(Application.student), selectinload(Application.opening).selectinload(Opening.company))
        .where(Application.opening_id.in_(opening_ids), Application.status.in_(PARTICIPATING),
               StudentProfile.group_id == matching_round.group_id, verification.verified_students(),
               Application.created_at < _end_of_day_utc(matching_round.application_deadline))
        .order_by(Application.created_at, Application.id)
    ))


def _student_order(applications: list[Application], positions: dict[int, int]) -> list[Application]:
    """The student's order first; applications they never placed follow by application time."""
    return sorted(applications, key=lambda a: (0, positions[a.id], 0, a.id) if a.id in positions
                  else (1, 0, a.created_at.timestamp(), a.id))


def _company_order(applications: list[Application], ranks: dict[int, RoundCompanyRank]) -> list[Application]:
    """The company's order first; unranked applicants follow by match score (best first), then application time."""
    def key(a: Application):
        rank = ranks.get(a.id)
        if rank is not None and rank.position is not None:
            return (0, rank.position, 0.0, 0.0, a.id)
        return (1, 0, -(a.match_score or 0.0), a.created_at.timestamp(), a.id)
    return sorted(applications, key=key)


def _preference_positions(matching_round: MatchingRound) -> dict[int, int]:
    return dict(db.session.execute(
        select(RoundPreference.application_id, RoundPreference.position)
        .where(RoundPreference.round_id == matching_round.id)
    ).all())


def _company_ranks(matching_round: MatchingRound) -> dict[int, RoundCompanyRank]:
    return {r.application_id: r for r in db.session.scalars(
        select(RoundCompanyRank).where(RoundCompanyRank.round_id == matching_round.id)
    )}


def _excluded_ids(matching_round: MatchingRound) -> set[int]:
    return set(db.session.scalars(
        select(RoundExclusion.application_id).where(RoundExclusion.round_id == matching_round.id)
    ))


def student_choices(matching_round: MatchingRound, student: User) -> list[Application]:
    """The student's applications in the round, in the order the run will use."""
    mine = [a for a in participants(matching_round) if a.student_id == student.id]
    return _student_order(mine, _preference_positions(matching_round))


def _save_student_order(matching_round: MatchingRound, ordered: list[Application]) -> None:
    rows = {r.application_id: r for r in db.session.scalars(
        select(RoundPreference).where(RoundPreference.round_id == matching_round.id,
                                      RoundPreference.application_id.in_([a.id for a in ordered]))
    )}
    for position, application in enumerate(ordered, start=1):
        row = rows.get(application.id)
        if row is None:
            db.session.add(RoundPreference(round_id=matching_round.id, application_id=application.id,
                                           position=position))
        else:
            row.position = position
    db.session.flush()


def _not_applied(application_id: int, matching_round: MatchingRound) -> DomainError:
    application = db.session.get(Application, application_id) if isinstance(application_id, int) else None
    if application is not None and application.opening_id in matching_round.opening_ids:
        return DomainError(str(_l("You did not apply to “%(title)s” in this round.",
                                  title=application.opening.title)), field="order")
    return DomainError(str(_l("You did not apply to that opening in this round.")), field="order")


def set_student_order(actor: User, matching_round: MatchingRound, application_ids: list[int],
                      today: date | None = None) -> list[Application]:
    """Put the student's applications in this order (first = most wanted). Applications left out follow
    the listed ones by application time. Each may appear once and must be the student's own in the round."""
    if not user_can(actor, Permission.APPLY):
        raise NotFound(str(_l("No such matching round.")))
    _require_editable(matching_round, today)
    if len(set(application_ids)) != len(application_ids):
        raise DomainError(str(_l("Each application can appear only once in your order.")), field="order")
    current = student_choices(matching_round, actor)
    own = {a.id: a for a in current}
    for application_id in application_ids:
        if application_id not in own:
            raise _not_applied(application_id, matching_round)
    listed = [own[i] for i in application_ids]
    ordered = listed + [a for a in current if a.id not in set(application_ids)]
    _save_student_order(matching_round, ordered)
    return ordered


def _moved(items: list, index: int, direction: str) -> list:
    if direction not in ("up", "down"):
        raise DomainError(str(_l("Move an item up or down.")))
    target = index - 1 if direction == "up" else index + 1
    items = list(items)
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    return items


def move_student_choice(actor: User, matching_round: MatchingRound, application_id: int, direction: str,
                        today: date | None = None) -> list[Application]:
    """Move one of the student's applications one place up or down (the first/last stays put)."""
    if not user_can(actor, Permission.APPLY):
        raise NotFound(str(_l("No such matching round.")))
    _require_editable(matching_round, today)
    current = student_choices(matching_round, actor)
    index = next((i for i, a in enumerate(current) if a.id == application_id), None)
    if index is None:
        raise _not_applied(application_id, matching_round)
    ordered = _moved(current, index, direction)
    _save_student_order(matching_round, ordered)
    return ordered


@dataclass
class RankedApplicant:
    application: Application
    position: int  # 1 = the company's first choice, as the run will use it
    ranked: bool  # placed by the company (False: ordered by match score)
    acceptable: bool


def company_applicants(matching_round: MatchingRound, opening: Opening) -> list[RankedApplicant]:
    """The opening's applicants in the round, in the order the run will use."""
    ranks = _company_ranks(matching_round)
    applications = [a for a in participants(matching_round) if a.opening_id == opening.id]
    out = []
    for position, application in enumerate(_company_order(applications, ranks), start=1):
        rank = ranks.get(application.id)
        out.append(RankedApplicant(application, position, rank is not None and rank.position is not None,
                                   rank.acceptable if rank is not None else True))
    return out


def _require_company(actor: User, matching_round: MatchingRound, opening: Opening) -> None:
    if opening.id not in matching_round.opening_ids or not manages_company(actor, opening.company):
        raise NotFound(str(_l("No such opening in this matching round.")))


def _applicant(items: list[RankedApplicant], application_id: int) -> int:
    index = next((i for i, item in enumerate(items) if item.application.id == application_id), None)
    if index is None:
        raise NotFound(str(_l("This student is not an applicant of this opening in the round.")))
    return index


def _rank_rows(matching_round: MatchingRound, application_ids: list[int]) -> dict[int, RoundCompanyRank]:
    rows = {r.application_id: r for r in db.session.scalars(
        select(RoundCompanyRank).where(RoundCompanyRank.round_id == matching_round.id,
                                       RoundCompanyRank.application_id.in_(application_ids))
    )}
    for application_id in application_ids:
        if application_id not in rows:
            rows[application_id] = RoundCompanyRank(round_id=matching_round.id, application_id=application_id,
                                                    position=None, acceptable=True)
            db.session.add(rows[application_id])
    return rows


def move_applicant(actor: User, matching_round: MatchingRound, opening: Opening, application_id: int,
                   direction: str, today: date | None = None) -> list[RankedApplicant]:
    """Move an applicant one place up or down in the company's order (every applicant becomes ranked)."""
    _require_company(actor, matching_round, opening)
    _require_editable(matching_round, today)
    items = company_applicants(matching_round, opening)
    ordered = _moved(items, _applicant(items, application_id), direction)
    rows = _rank_rows(matching_round, [item.application.id for item in ordered])
    for position, item in enumerate(ordered, start=1):
        rows[item.application.id].position = position
    db.session.flush()
    return company_applicants(matching_round, opening)


def set_acceptable(actor: User, matching_round: MatchingRound, opening: Opening, application_id: int,
                   acceptable: bool, today: date | None = None) -> RoundCompanyRank:
    """Mark an applicant as (not) acceptable: the run never places a not-acceptable applicant here."""
    _require_company(actor, matching_round, opening)
    _require_editable(matching_round, today)
    items = company_applicants(matching_round, opening)
    _applicant(items, application_id)
    row = _rank_rows(matching_round, [application_id])[application_id]
    row.acceptable = bool(acceptable)
    db.session.flush()
    return row


@dataclass
class RankingProgress:
    students: int
    students_ordered: int
    openings_ranked: dict[int, bool]  # opening id -> the company ordered or marked at least one applicant
    applicants_per_opening: dict[int, int]


def ranking_progress(matching_round: MatchingRound) -> RankingProgress:
    apps = participants(matching_round)
    positions = _preference_positions(matching_round)
    ranks = _company_ranks(matching_round)
    students = {a.student_id for a in apps}
    ordered = {a.student_id for a in apps if a.id in positions}
    per_opening: dict[int, int] = defaultdict(int)
    ranked: dict[int, bool] = {o.id: False for o in matching_round.openings}
    for a in apps:
        per_opening[a.opening_id] += 1
        if a.id in ranks:
            ranked[a.opening_id] = True
    return RankingProgress(len(students), len(ordered), ranked, dict(per_opening))


# -- running --------------------------------------------------------------------------------------------------------------


def _lock_round(matching_round: MatchingRound) -> None:
    """Serialise decisions on one round (the first write of the transaction: SQLite's write lock, PostgreSQL's
    row lock), then read its committed state."""
    table = MatchingRound.__table__
    db.session.execute(update(table).where(table.c.id == matching_round.id).values(run_count=table.c.run_count))
    db.session.refresh(matching_round)


def _allocate(matching_round: MatchingRound) -> None:
    """Run deferred acceptance on the round's current data and store one proposal per participating student."""
    if not matching_round.openings:
        raise Conflict(str(_l("This round has no openings; there is nothing to allocate.")))
    apps = participants(matching_round)
    positions = _preference_positions(matching_round)
    ranks = _company_ranks(matching_round)
    excluded = _excluded_ids(matching_round)
    taken = seats_taken(matching_round.opening_ids)
    capacities = {o.id: max(0, o.seats - taken.get(o.id, 0)) for o in matching_round.openings}

    def usable(a: Application) -> bool:
        rank = ranks.get(a.id)
        return a.id not in excluded and (rank is None or rank.acceptable)

    by_student: dict[int, list[Application]] = defaultdict(list)
    by_opening: dict[int, list[Application]] = defaultdict(list)
    for a in apps:
        by_student[a.student_id].append(a)
        by_opening[a.opening_id].append(a)
    choices = {sid: _student_order(items, positions) for sid, items in by_student.items()}
    student_prefs = {sid: [a.opening_id for a in items if usable(a)] for sid, items in choices.items()}
    opening_prefs = {oid: [a.student_id for a in _company_order(items, ranks) if usable(a)]
                     for oid, items in by_opening.items()}
    matched = allocate(student_prefs, opening_prefs, capacities)

    matching_round.proposals.clear()
    db.session.flush()
    first_choice = 0
    for sid, items in choices.items():
        got = matched.get(sid)
        got_position = None
        explanation = []
        for position, a in enumerate(items, start=1):
            rank = ranks.get(a.id)
            if a.id in excluded:
                outcome = "excluded"
            elif rank is not None and not rank.acceptable:
                outcome = "not_acceptable"
            elif capacities.get(a.opening_id, 0) == 0:
                outcome = "no_seats"
            elif got == a.opening_id:
                outcome = "matched"
                got_position = position
            elif got_position is not None:
                outcome = "higher_choice_matched"
            else:
                # Stability: the student wanted this opening more than what they got, and the opening would
                # accept them, so all of its seats went to applicants the company ranked higher.
                outcome = "filled_by_higher_ranked"
            explanation.append({"position": position, "application_id": a.id, "opening_id": a.opening_id,
                                "opening_title": a.opening.title, "company": a.opening.company.name,
                                "outcome": outcome})
        application = next((a for a in items if a.opening_id == got), None) if got is not None else None
        if got_position == 1:
            first_choice += 1
        matching_round.proposals.append(RoundProposal(
            student_id=sid, application_id=application.id if application else None,
            opening_id=got, choice_position=got_position, explanation=explanation,
            status=ProposalStatus.PROPOSED, message="",
        ))
    total = sum(capacities.values())
    filled = len(matched)
    matching_round.figures = {
        "capacities": {str(k): v for k, v in capacities.items()},
        "students": len(choices), "matched": filled, "unmatched": len(choices) - filled,
        "filled_seats": filled, "total_seats": total, "first_choice": first_choice,
        "unfilled_seats": total - filled,
    }
    matching_round.run_count = (matching_round.run_count or 0) + 1
    matching_round.last_run_at = utcnow()
    db.session.flush()


def run_round(actor: User, matching_round: MatchingRound, today: date | None = None) -> MatchingRound:
    """Allocate the round once the ranking deadline has passed (in Seoul); refused if it already ran."""
    _require_manager(actor, matching_round)
    today = today or today_in_seoul()
    _lock_round(matching_round)
    if matching_round.status == RoundStatus.MATCHED:
        raise Conflict(str(_l("This round was already run; exclude a pair to re-run it.")))
    if matching_round.status == RoundStatus.PUBLISHED:
        raise Conflict(str(_l("This round is published; it cannot be run again.")))
    if not can_run_on(matching_round, today):
        raise Conflict(str(_l("Students and companies can change their rankings through %(date)s; run the round "
                              "after that day.", date=matching_round.ranking_deadline.isoformat())))
    _allocate(matching_round)
    round_machine.move(actor, matching_round, RoundStatus.MATCHED, action="run",
                       note=_figures_note(matching_round))
    return matching_round


def _figures_note(matching_round: MatchingRound) -> str:
    f = matching_round.figures or {}
    return (f"matched {f.get('matched', 0)}/{f.get('students', 0)} students, "
            f"{f.get('filled_seats', 0)}/{f.get('total_seats', 0)} seats, first choice {f.get('first_choice', 0)}")


def exclude_pair_and_rerun(actor: User, matching_round: MatchingRound, application_id: int,
                           reason: str) -> MatchingRound:
    """Take one student–opening pair out of the round and run it again (only before publication)."""
    _require_manager(actor, matching_round)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(str(_l("Say why this pair is excluded; it stays in the round's history.")),
                          field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(str(_l("Use at most %(max)d characters.", max=MAX_REASON)), field="reason")
    _lock_round(matching_round)
    if matching_round.status != RoundStatus.MATCHED:
        raise Conflict(str(_l("Only a round that was run and is not yet published can be re-run.")))
    application = next((a for a in participants(matching_round) if a.id == application_id), None)
    if application is None:
        raise NotFound(str(_l("This pair is not part of the round.")))
    if application_id in _excluded_ids(matching_round):
        raise Conflict(str(_l("This pair is already excluded.")))
    db.session.add(RoundExclusion(round_id=matching_round.id, application_id=application_id,
                                  created_by_id=actor.id, reason=reason))
    db.session.flush()
    audit.record(actor, "matching_round", matching_round.id, "pair_excluded", RoundStatus.MATCHED.value,
                 RoundStatus.MATCHED.value, f"application {application_id}: {reason}")
    _allocate(matching_round)
    audit.record(actor, "matching_round", matching_round.id, "rerun", RoundStatus.MATCHED.value,
                 RoundStatus.MATCHED.value, _figures_note(matching_round))
    return matching_round


def publish_round(actor: User, matching_round: MatchingRound) -> MatchingRound:
    """Show the outcome to the participating students and the companies; they are told in-app and by e-mail."""
    _require_manager(actor, matching_round)
    _lock_round(matching_round)
    if matching_round.status == RoundStatus.OPEN:
        raise Conflict(str(_l("Run the round before publishing it.")))
    if matching_round.status == RoundStatus.PUBLISHED:
        raise Conflict(str(_l("This round is already published; nothing was changed.")))
    round_machine.move(actor, matching_round, RoundStatus.PUBLISHED, action="published")
    matching_round.published_at = utcnow()
    db.session.flush()
    link = f"/rounds/{matching_round.id}/preferences"
    students = list(db.session.scalars(
        select(User).join(RoundProposal, RoundProposal.student_id == User.id)
        .where(RoundProposal.round_id == matching_round.id).order_by(User.id)
    ))
    notify_many(students, "round_published", link, round=matching_round.name)
    companies = {o.company_id: o.company for o in matching_round.openings}
    managers = [m for company in companies.values() for m in active_managers(company)]
    notify_many(managers, "round_published", "/rounds/mine", round=matching_round.name)
    return matching_round


# -- approving ------------------------------------------------------------------------------------------------------------


def get_proposal_for_manager(actor: User, round_id: int, proposal_id: int) -> RoundProposal:
    proposal = db.session.scalar(
        select(RoundProposal).options(selectinload(RoundProposal.round))
        .where(RoundProposal.id == proposal_id, RoundProposal.round_id == round_id)
    )
    if proposal is None:
        raise NotFound(str(_l("No such proposal.")))
    _require_manager(actor, proposal.round)
    return proposal


def _place(actor: User, proposal: RoundProposal) -> Placement:
    """Offer → accept → placement request → approval, every step through its own transition table."""
    application = db.session.scalar(
        select(Application).options(selectinload(Application.placement), selectinload(Application.opening))
        .where(Application.id == proposal.application_id).execution_options(populate_existing=True)
    )
    if application is None:
        raise Conflict(str(_l("The application no longer exists.")))
    status = application.status
    if status not in (*PARTICIPATING, ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED):
        raise Conflict(str(_l("The application is now %(status)s; the student no longer takes this place.",
                              status=status.value)))
    note = f"matching round {proposal.round_id}"
    if application.status == ApplicationStatus.SUBMITTED:
        application_machine.move(actor, application, ApplicationStatus.SHORTLISTED, action="shortlisted", note=note)
    if application.status == ApplicationStatus.SHORTLISTED:
        application_machine.move(actor, application, ApplicationStatus.OFFERED, action="offered", note=note)
    if application.status == ApplicationStatus.OFFERED:
        application_machine.move(actor, application, ApplicationStatus.ACCEPTED, action="accepted", note=note)
    placement = application.placement
    if placement is None:
        placement = request_placement(actor, application, note=note, notify_managers=False)
    if placement.status == PlacementStatus.PENDING:
        placement = approve_placement(actor, placement.id, note=str(_l("Approved from a matching round.")))
    elif placement.status not in SEAT_HOLDING:
        raise Conflict(str(_l("The placement for this application was %(status)s.", status=label(placement.status))))
    return placement


def _approve(actor: User, proposal: RoundProposal) -> bool:
    """Approve one proposal inside a savepoint: a refusal undoes only this proposal's changes and is recorded."""
    try:
        with db.session.begin_nested():
            placement = _place(actor, proposal)
    except DomainError as error:
        proposal.status = ProposalStatus.FAILED
        proposal.message = error.message
        audit.record(actor, "matching_round", proposal.round_id, "proposal_failed", None, None,
                     f"proposal {proposal.id}: {error.message}")
        db.session.flush()
        return False
    proposal.status = ProposalStatus.APPROVED
    proposal.message = ""
    proposal.placement_id = placement.id
    audit.record(actor, "matching_round", proposal.round_id, "proposal_approved", None, None,
                 f"proposal {proposal.id}: placement {placement.id}")
    db.session.flush()
    return True


def _check_approvable(matching_round: MatchingRound) -> None:
    if matching_round.status == RoundStatus.OPEN:
        raise Conflict(str(_l("Run the round before approving its proposals.")))
    if matching_round.status == RoundStatus.MATCHED:
        raise Conflict(str(_l("Publish the round first: students and companies must see the outcome before "
                              "placements are confirmed.")))


def approve_proposal(actor: User, proposal: RoundProposal) -> bool:
    """Approve one proposal. Returns False (proposal marked failed, with the reason) if the placement service
    refuses, e.g. the seat was taken elsewhere in the meantime."""
    matching_round = proposal.round
    _require_manager(actor, matching_round)
    _lock_round(matching_round)
    _check_approvable(matching_round)
    db.session.refresh(proposal)
    if proposal.application_id is None:
        raise Conflict(str(_l("This student was not matched; there is nothing to approve.")))
    if proposal.status == ProposalStatus.APPROVED:
        raise Conflict(str(_l("This proposal was already approved; nothing was changed.")))
    return _approve(actor, proposal)


def approve_all(actor: User, matching_round: MatchingRound) -> tuple[int, int]:
    """Approve every proposed placement of the round. Returns (approved, failed); failures keep their reason."""
    _require_manager(actor, matching_round)
    _lock_round(matching_round)
    _check_approvable(matching_round)
    approved = failed = 0
    pending = list(db.session.scalars(
        select(RoundProposal).where(RoundProposal.round_id == matching_round.id,
                                    RoundProposal.status == ProposalStatus.PROPOSED,
                                    RoundProposal.application_id.is_not(None))
        .order_by(RoundProposal.id)
    ))
    for proposal in pending:
        if _approve(actor, proposal):
            approved += 1
        else:
            failed += 1
    return approved, failed


# -- reading the outcome ------------------------------------------------------------------------------------------------


def proposals_of(matching_round: MatchingRound) -> list[RoundProposal]:
    """Every proposal of the round with what a manager's page shows, matched students first."""
    items = list(db.session.scalars(
        select(RoundProposal)
        .options(selectinload(RoundProposal.student).selectinload(User.student_profile),
                 selectinload(RoundProposal.opening).selectinload(Opening.company),
                 selectinload(RoundProposal.placement))
        .where(RoundProposal.round_id == matching_round.id)
    ))
    return sorted(items, key=lambda p: (p.application_id is None, p.student.display_name.casefold(), p.id))


def proposal_of(matching_round: MatchingRound, student: User) -> RoundProposal | None:
    return db.session.scalar(
        select(RoundProposal).options(selectinload(RoundProposal.opening).selectinload(Opening.company))
        .where(RoundProposal.round_id == matching_round.id, RoundProposal.student_id == student.id)
    )


def proposals_for_opening(matching_round: MatchingRound, opening: Opening) -> list[RoundProposal]:
    """Students the round placed in this opening (what a company sees once the round is published)."""
    return list(db.session.scalars(
        select(RoundProposal).options(selectinload(RoundProposal.student))
        .where(RoundProposal.round_id == matching_round.id, RoundProposal.opening_id == opening.id)
        .order_by(RoundProposal.id)
    ))


def figures(matching_round: MatchingRound) -> dict:
    return dict(matching_round.figures or {})


def exclusions_of(matching_round: MatchingRound) -> list[RoundExclusion]:
    return list(db.session.scalars(
        select(RoundExclusion)
        .options(selectinload(RoundExclusion.application).selectinload(Application.student),
                 selectinload(RoundExclusion.application).selectinload(Application.opening))
        .where(RoundExclusion.round_id == matching_round.id).order_by(RoundExclusion.id)
    ))


def companies_of(matching_round: MatchingRound) -> list[Company]:
    return sorted({o.company_id: o.company for o in matching_round.openings}.values(), key=lambda c: c.name)
