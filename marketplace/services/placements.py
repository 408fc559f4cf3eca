"""Placements: exchange managers approve accepted offers without ever over-filling an opening.

The seat guarantee. Every decision on a placement starts with a write that locks its opening:
`UPDATE opening SET updated_at = updated_at WHERE id = :id`. On PostgreSQL that takes the opening's row lock
(a second approver of the same opening waits until the first commits, then READ COMMITTED shows it the new
placement); on SQLite the first write of a transaction takes the database's single write lock (RESERVED),
waiting up to busy_timeout, and with WAL the transaction reads the latest commit from then on. Only after
the lock are seats counted and the student's overlapping placements checked, so two managers approving the
last seat at the same moment give one approval and one "opening is full". Approving also locks the student's
row (`SELECT ... FOR UPDATE`, a no-op on SQLite where the lock is database-wide), so two approvals of the
same student at two openings cannot both pass the overlap check on PostgreSQL.

The caller commits (one commit per request), which releases the lock.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from datetime import date

from sqlalchemy import Select, and_, bindparam, false, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from marketplace.clock import today_in_seoul
from marketplace.extensions import STATEMENTS_KEPT, db
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.models import (
    Application,
    ApplicationStatus,
    Company,
    CompanyStatus,
    Opening,
    OpeningStatus,
    Placement,
    PlacementStatus,
    StudentProfile,
    User,
    WorkMode,
)
from marketplace.models.base import utcnow
from marketplace.ownership import can_edit_placement_terms, can_review_placement, reviewable_group_ids
from marketplace.services import audit, compliance, practice_terms
from marketplace.services import agreements, certificates, completion
from marketplace.services.companies import active_managers, suspension_message
from marketplace.services.errors import Conflict, DomainError, NotFound, Reasons
from marketplace.services.groups import eligible_group_ids
from marketplace.services.majors import major_allowed, major_names_many
from marketplace.services.notifications import link_to, managers_of_groups, notify, notify_many
from marketplace.services.openings import changed_terms, terms_of
from marketplace.services.seats import lock_opening, seats_taken
from marketplace.services.workflow import StateMachine, claim_for_edit

__all__ = [
    "placement_machine", "approve_placement", "return_placement", "activate_due_placements", "complete_placement",
    "cancel_placement", "close_not_completed", "conflicts", "conflicts_for", "placement_requests_query",
    "placement_request_ids_query", "request_ids_of_groups_query", "load_requests",
    "placements_query", "get_placement_for_reviewer", "queue_counts", "queue_counts_row", "queue_counts_row_of_groups",
    "queue_counts_from",
    "PlacementConflict",
]

placement_machine: StateMachine[PlacementStatus] = StateMachine("placement", {
    PlacementStatus.PENDING: {PlacementStatus.APPROVED, PlacementStatus.RETURNED},
    PlacementStatus.APPROVED: {PlacementStatus.ACTIVE, PlacementStatus.CANCELLED},
    PlacementStatus.ACTIVE: {PlacementStatus.COMPLETED, PlacementStatus.CANCELLED, PlacementStatus.NOT_COMPLETED},
    PlacementStatus.RETURNED: set(),  # final: a new request comes from a new acceptance
    PlacementStatus.COMPLETED: set(),
    PlacementStatus.CANCELLED: set(),
    PlacementStatus.NOT_COMPLETED: set(),
})

MAX_NOTE = 2000


# -- loading and access ---------------------------------------------------------------------------------------


def _page_options():
    return (
        selectinload(Placement.application),
        selectinload(Placement.opening).selectinload(Opening.company),
        selectinload(Placement.opening).selectinload(Opening.eligible_groups),
        selectinload(Placement.opening).selectinload(Opening.skills),
        selectinload(Placement.student).selectinload(User.student_profile).selectinload(StudentProfile.group),
        selectinload(Placement.student).selectinload(User.student_profile).selectinload(StudentProfile.skills),
        selectinload(Placement.decided_by),
    )


def _load(placement_id: int, fresh: bool = False) -> Placement | None:
    query = select(Placement).options(*_page_options()).where(Placement.id == placement_id)
    if fresh:
        query = query.execution_options(populate_existing=True)
    return db.session.scalar(query)


def get_placement_for_reviewer(actor: User, placement_id: int) -> Placement:
    """The placement if the actor may review it; anything else (absent, another group's) is 'not found'."""
    placement = _load(placement_id)
    if placement is None or not can_review_placement(actor, placement):
        raise NotFound(str(_l("No such placement request.")))
    return placement


def _lock(opening_id: int, student_id: int | None = None) -> None:
    """Take the opening's write lock first (see the module docstring), then the student's on PostgreSQL."""
    lock_opening(opening_id)
    if student_id is not None:
        db.session.execute(select(User.id).where(User.id == student_id).with_for_update())


def _locked_for_decision(actor: User, placement_id: int, student_lock: bool = False) -> Placement:
    """Authorise, lock the opening (and student), then reload the placement as committed now."""
    ids = db.session.execute(
        select(Placement.opening_id, Placement.student_id).where(Placement.id == placement_id)
    ).first()
    if ids is None:
        raise NotFound(str(_l("No such placement request.")))
    _lock(ids.opening_id, ids.student_id if student_lock else None)
    # The placement's own row too (PostgreSQL): an edit of its terms and a decision run one after the other, so
    # an approval never checks terms that a concurrent edit is replacing.
    db.session.execute(select(Placement.id).where(Placement.id == placement_id).with_for_update())
    placement = _load(placement_id, fresh=True)
    if placement is None or not can_review_placement(actor, placement):
        raise NotFound(str(_l("No such placement request.")))
    return placement


# -- conflicts --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacementConflict:
    code: str  # full | overlap | group | degree | major | suspended | terms | compliance | closed | withdrawn
    message: str
    blocking: bool = True  # blocking conflicts refuse approval; the others are warnings

    def __str__(self) -> str:
        return self.message


@cache
def _seats_held_by_students() -> Select:
    """The approved and active placements of students (the ids a parameter), built once."""
    return (select(Placement.id, Placement.student_id, Placement.start_date, Placement.end_date, Opening.title)
            .join(Opening, Opening.id == Placement.opening_id)
            .where(Placement.student_id.in_(bindparam("ids", expanding=True)),
                   Placement.status.in_((PlacementStatus.APPROVED, PlacementStatus.ACTIVE))))


def conflicts_for(placements: list[Placement], taken: dict[int, int] | None = None) -> dict[int, list[PlacementConflict]]:
    """Conflicts of many placements in a constant number of queries (seats per opening, unless the caller has
    them as `taken`; the students' seat-holding placements; the openings' groups; the practice rules' inputs)."""
    out: dict[int, list[PlacementConflict]] = {p.id: [] for p in placements}
    if not placements:
        return out
    if taken is None:
        taken = seats_taken(p.opening_id for p in placements)
    student_ids = {p.student_id for p in placements}
    held_by_student: dict[int, list[tuple[int, date, date, str]]] = defaultdict(list)
    rows = db.session.execute(_seats_held_by_students(), {"ids": list(student_ids)})
    for pid, sid, start, end, title in rows:
        held_by_student[sid].append((pid, start, end, title))

    # Failing practice rules without an override (a constant number of queries for any number of placements);
    # warnings and overridden rules are shown in the placement's compliance panel, not as conflicts.
    checks = compliance.check_many([p for p in placements
                                    if p.status in (PlacementStatus.PENDING, PlacementStatus.APPROVED)],
                                   overrides_of_failures_only=True)

    restricted = [p.student.student_profile for p in placements
                  if p.opening.majors and p.student and p.student.student_profile]
    names = major_names_many(restricted) if restricted else {}
    eligible = eligible_group_ids({p.opening_id for p in placements})

    for p in placements:
        items = out[p.id]
        opening = p.opening
        if p.status == PlacementStatus.PENDING:
            if p.application is not None and p.application.status != ApplicationStatus.ACCEPTED:
                items.append(PlacementConflict("withdrawn", str(_l(
                    "The application is %(status)s: the student no longer holds this accepted offer.",
                    status=p.application.status.value))))
            if taken.get(p.opening_id, 0) >= opening.seats:
                items.append(PlacementConflict("full", str(_l(
                    "The opening is full: all %(n)d seats are taken.", n=opening.seats))))
        for other_id, start, end, title in held_by_student.get(p.student_id, []):
            if other_id != p.id and start <= p.end_date and end >= p.start_date:
                items.append(PlacementConflict("overlap", str(_l(
                    "The student already has an approved placement from %(start)s to %(end)s (“%(title)s”) "
                    "that overlaps these dates.", start=start.isoformat(), end=end.isoformat(), title=title))))
        profile = p.student.student_profile if p.student else None
        if p.status in (PlacementStatus.PENDING, PlacementStatus.APPROVED) and profile is not None:
            if profile.group_id not in eligible[p.opening_id]:
                items.append(PlacementConflict("group", str(_l(
                    "Eligibility changed: the student's project group is no longer eligible for this opening."))))
            levels = opening.degree_level_list
            if levels and profile.degree_level not in levels:
                items.append(PlacementConflict("degree", str(_l(
                    "Eligibility changed: the student's degree level (%(level)s) is not among the opening's.",
                    level=profile.degree_level.value))))
            if opening.majors and not major_allowed(opening.majors, names.get(profile.id, frozenset())):
                items.append(PlacementConflict("major", str(_l(
                    "Eligibility: the student's major (%(major)s) is not among the opening's (%(majors)s).",
                    major=profile.major, majors=", ".join(opening.major_list)))))
        if p.status == PlacementStatus.PENDING and opening.company.status == CompanyStatus.SUSPENDED:
            items.append(PlacementConflict("suspended", suspension_message(opening.company)))
        if p.status in (PlacementStatus.PENDING, PlacementStatus.APPROVED) and \
                changed_terms(p.agreed_terms, terms_of(opening)):
            items.append(PlacementConflict("terms", str(_l(
                "The company changed the opening's terms after the student accepted; compare the terms as agreed "
                "with the current ones below.")), blocking=False))
        result = checks.get(("placement", p.id))
        if result is not None:
            for finding in result.findings:
                if finding.blocking and finding.overridable:
                    items.append(PlacementConflict("compliance", str(_l(
                        "Practice rules: %(reason)s An exchange manager can record an override with a reason.",
                        reason=finding.message))))
                elif finding.blocking:
                    items.append(PlacementConflict("compliance", str(_l(
                        "Practice rules: %(reason)s", reason=finding.message))))
        if p.status == PlacementStatus.PENDING and opening.status == OpeningStatus.CLOSED:
            items.append(PlacementConflict("closed", str(_l(
                "The opening is closed to new applications; approving still gives this student a seat."
            )), blocking=False))
    return out


def conflicts(placement: Placement) -> list[PlacementConflict]:
    """Why approving this placement would be wrong (or worth a second look): full, overlap, eligibility."""
    return conflicts_for([placement])[placement.id]


@dataclass(frozen=True)
class TermRow:
    name: str
    agreed: object
    current: object

    @property
    def changed(self) -> bool:
        return self.agreed != self.current


def terms_comparison(placement: Placement) -> list[TermRow]:
    """The terms as agreed (when the student accepted) beside the opening's current terms; empty for placements
    made before terms were kept."""
    agreed = placement.agreed_terms or {}
    if not agreed:
        return []
    current = terms_of(placement.opening)
    return [TermRow(name, _typed(name, agreed.get(name)), _typed(name, current.get(name))) for name in current]


def _typed(name: str, value):
    """A stored term back as the page shows it (dates as dates, the work mode as its enum)."""
    try:
        if name in ("start_date", "end_date") and isinstance(value, str):
            return date.fromisoformat(value)
        if name == "work_mode" and isinstance(value, str):
            return WorkMode(value)
    except ValueError:
        pass
    return value


def seats_left_for(placements: list[Placement], taken: dict[int, int] | None = None) -> dict[int, int]:
    """Seats left per opening id of these placements (`taken`: seats_taken of their openings, when at hand)."""
    if taken is None:
        taken = seats_taken(p.opening_id for p in placements)
    return {p.opening_id: max(0, p.opening.seats - taken.get(p.opening_id, 0)) for p in placements}


# -- decisions ----------------------------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise DomainError(str(_l("Use at most %(max)d characters.", max=MAX_NOTE)), field="note")
    return text


def _already(placement: Placement, target: PlacementStatus) -> Conflict:
    messages = {
        PlacementStatus.APPROVED: _l("This placement request was already approved; nothing was changed."),
        PlacementStatus.RETURNED: _l("This placement request was already returned; nothing was changed."),
        PlacementStatus.CANCELLED: _l("This placement was already cancelled; nothing was changed."),
        PlacementStatus.COMPLETED: _l("This placement was already completed; nothing was changed."),
        PlacementStatus.ACTIVE: _l("This placement is already active; nothing was changed."),
        PlacementStatus.NOT_COMPLETED: _l("This placement was already closed as not completed; nothing was changed."),
    }
    if placement.status == target:
        return Conflict(str(messages[target]))
    return Conflict(str(_l("This placement is “%(current)s” and cannot become “%(target)s”; nothing was changed.",
                           current=label(placement.status), target=label(target))))


def _tell_parties(placement: Placement, kind: str, **params) -> None:
    """The student and the company's managers hear about it; params name only their own opening."""
    opening = placement.opening
    notify(placement.student, kind, link_to("students.my_applications") or link_to("main.index"),
           opening=opening.title, **params)
    notify_many(active_managers(opening.company), kind, link_to("companies.dashboard"), opening=opening.title,
                **params)


def approve_placement(actor: User, placement_id: int, note: str = "") -> Placement:
    """Approve a pending request: refused (Conflict, nothing changed) when the opening is full, the student
    already holds an overlapping placement, the student is no longer eligible, or it was decided already."""
    note = _clean(note)
    placement = _locked_for_decision(actor, placement_id, student_lock=True)
    if placement.status != PlacementStatus.PENDING:
        raise _already(placement, PlacementStatus.APPROVED)
    blocking = [c for c in conflicts(placement) if c.blocking]
    if blocking:
        raise Conflict(" ".join(c.message for c in blocking))
    placement_machine.move(actor, placement, PlacementStatus.APPROVED, action="approved", note=note)
    placement.decided_by_id = actor.id
    placement.decided_at = utcnow()
    placement.note = note
    db.session.flush()
    _tell_parties(placement, "placement_approved")
    return placement


def return_placement(actor: User, placement_id: int, reason: str) -> Placement:
    """Return a pending request with a reason the student and the company read."""
    reason = _clean(reason)
    if not reason:
        raise DomainError(str(_l("Say why the request is returned; the student and the company read it.")),
                          field="note")
    placement = _locked_for_decision(actor, placement_id)
    if placement.status != PlacementStatus.PENDING:
        raise _already(placement, PlacementStatus.RETURNED)
    placement_machine.move(actor, placement, PlacementStatus.RETURNED, action="returned", note=reason)
    placement.decided_by_id = actor.id
    placement.decided_at = utcnow()
    placement.note = reason
    db.session.flush()
    _tell_parties(placement, "placement_returned", note=reason)
    return placement


def activate_due_placements(today: date | None = None, held: list | None = None) -> int:
    """Approved placements whose start date has come become active (each move audited, by the system), once all
    three parties acknowledged the current agreement and both insurances are recorded; the others stay approved
    and, when `held` is given, are appended to it as (placement id, reasons) — the same reasons every party reads
    on the agreement page.

    Safe to run from several requests at once: each row moves with a conditional update, so it is
    activated and audited exactly once. The caller commits.
    """
    today = today or today_in_seoul()
    due = list(db.session.scalars(
        select(Placement).options(*_page_options())
        .where(Placement.status == PlacementStatus.APPROVED, Placement.start_date <= today)
    ))
    states = agreements.states_for(due)
    moved = 0
    table = Placement.__table__
    for placement in due:
        placement_id = placement.id
        blockers = states[placement_id].blockers
        if blockers:
            if placement.agreement_ready:
                placement.agreement_ready = False
            if held is not None:
                held.append((placement_id, blockers))
            continue
        result = db.session.execute(
            update(table).where(table.c.id == placement_id, table.c.status == PlacementStatus.APPROVED)
            .values(status=PlacementStatus.ACTIVE, updated_at=utcnow())
        )
        if result.rowcount == 1:
            audit.record(None, "placement", placement_id, "activated", PlacementStatus.APPROVED.value,
                         PlacementStatus.ACTIVE.value, f"start date {today.isoformat()} reached")
            moved += 1
    if moved:
        db.session.flush()
        db.session.expire_all()
    return moved


def _ended_practice(actor: User, placement_id: int, target: PlacementStatus) -> Placement:
    """The placement, locked and active (an approved one whose start date came is activated first), to be closed."""
    placement = _locked_for_decision(actor, placement_id)
    if placement.status == PlacementStatus.APPROVED and placement.start_date <= today_in_seoul():
        blockers = agreements.activation_blockers(placement)
        if blockers:
            raise Conflict(str(_l("This placement cannot start yet, so it cannot be completed: %(reasons)s",
                                  reasons=" ".join(blockers))))
        placement_machine.move(None, placement, PlacementStatus.ACTIVE, action="activated",
                               note="start date reached")
    if placement.status != PlacementStatus.ACTIVE:
        if placement.status == PlacementStatus.APPROVED:
            raise Conflict(str(_l("This placement has not started yet (it starts on %(date)s); it can be completed "
                                  "once it is active.", date=placement.start_date.isoformat())))
        raise _already(placement, target)
    return placement


def complete_placement(actor: User, placement_id: int, note: str = "") -> Placement:
    """Mark an active practice completed and issue its certificate of completion. Refused (Conflict, nothing
    changed) with every missing requirement listed (services/completion.py: hours, weekly logs, evaluations, the
    mentor's grade)."""
    note = _clean(note)
    placement = _ended_practice(actor, placement_id, PlacementStatus.COMPLETED)
    missing = completion.missing_for(placement)
    if missing:
        raise Conflict(str(_l("This practice cannot be completed yet: %(missing)s", missing=" ".join(missing))))
    hours, programme = completion.certificate_facts(placement)
    placement_machine.move(actor, placement, PlacementStatus.COMPLETED, action="completed", note=note)
    db.session.flush()
    certificates.issue(actor, placement, hours=hours, programme=programme)
    _tell_parties(placement, "placement_completed")
    return placement


def close_not_completed(actor: User, placement_id: int, reason: str) -> Placement:
    """Close an active practice as not completed, with a reason the student and the company read (required)."""
    reason = _clean(reason)
    if not reason:
        raise DomainError(str(_l("Say why the practice is not completed; the student and the company read it.")),
                          field="note")
    placement = _ended_practice(actor, placement_id, PlacementStatus.NOT_COMPLETED)
    placement_machine.move(actor, placement, PlacementStatus.NOT_COMPLETED, action="not_completed", note=reason)
    placement.note = reason
    db.session.flush()
    _tell_parties(placement, "placement_not_completed", note=reason)
    return placement


def cancel_placement(actor: User, placement_id: int, reason: str) -> Placement:
    """Cancel an approved or active placement with a reason; its seat is free again."""
    reason = _clean(reason)
    if not reason:
        raise DomainError(str(_l("Say why the placement is cancelled; the student and the company read it.")),
                          field="note")
    placement = _locked_for_decision(actor, placement_id)
    if placement.status not in (PlacementStatus.APPROVED, PlacementStatus.ACTIVE):
        raise _already(placement, PlacementStatus.CANCELLED)
    placement_machine.move(actor, placement, PlacementStatus.CANCELLED, action="cancelled", note=reason)
    placement.note = reason
    db.session.flush()
    _tell_parties(placement, "placement_cancelled", note=reason)
    return placement


def request_placement(actor: User | None, application: Application, note: str = "",
                      notify_managers: bool = True) -> Placement:
    """An accepted offer becomes a pending placement: the one place that creates placement requests.

    The exchange managers of the student's group hear about it (unless a matching round approves it at once);
    the message names only the opening.
    """
    if application.status != ApplicationStatus.ACCEPTED:
        raise Conflict(str(_l("Only accepted offers become placement requests.")))
    opening = application.opening
    placement = Placement(application=application, opening_id=opening.id, student_id=application.student_id,
                          status=PlacementStatus.PENDING, start_date=opening.start_date, end_date=opening.end_date,
                          agreed_terms=terms_of(opening), terms=practice_terms.terms_of(opening))
    db.session.add(placement)
    db.session.flush()
    audit.record(actor, "placement", placement.id, "requested", None, PlacementStatus.PENDING.value, note)
    if not notify_managers:
        return placement
    group_id = db.session.scalar(select(StudentProfile.group_id).where(StudentProfile.user_id == application.student_id))
    notify_many(managers_of_groups([group_id]), "placement_requested",
                link_to("manager.placement", placement_id=placement.id), opening=opening.title)
    return placement


# -- queues ------------------------------------------------------------------------------------------------------


def _scoped(query: Select, actor: User, join: bool = True) -> Select:
    return _scoped_to(query, reviewable_group_ids(actor), join)


def _scoped_to(query: Select, group_ids: frozenset[int] | None, join: bool = True) -> Select:
    """Placements of students in a scope of groups (every placement for None: admins).

    Lists join the student's one profile: SQLite then reads the placements in the page's order by their status
    index and looks each student up, instead of probing the placements of every student of the groups (0.3 ms
    instead of 4 ms for a page of requests at 10,000 students). Counts over every status (`join=False`) are
    quicker the other way round."""
    if group_ids is None:
        return query
    if not group_ids:
        return query.where(false())
    if not join:
        return query.where(Placement.student_id.in_(
            select(StudentProfile.user_id).where(StudentProfile.group_id.in_(group_ids))))
    return (query.join(StudentProfile, StudentProfile.user_id == Placement.student_id)
            .where(StudentProfile.group_id.in_(group_ids)))


def _queue_options():
    """What a row of the console's request queue shows and its conflicts read (no skills, no decider)."""
    return (
        joinedload(Placement.application),
        joinedload(Placement.opening).joinedload(Opening.company),
        joinedload(Placement.student).joinedload(User.student_profile).joinedload(StudentProfile.group),
        joinedload(Placement.student).lazyload(User.designations),  # students hold none: no query for it
    )


def placement_requests_query(actor: User) -> Select:
    """Pending requests of the actor's students, oldest first, with what a row of the console shows."""
    query = (select(Placement).options(*_queue_options())
             .where(Placement.status == PlacementStatus.PENDING)
             .order_by(Placement.created_at, Placement.id))
    return _scoped(query, actor)


def placement_request_ids_query(actor: User) -> Select:
    """The ids of placement_requests_query, in its order. The console pages these, then loads only the page's
    rows (`load_requests`): on PostgreSQL, planning the seven-table eager join together with the groups' filter
    took longer than running it (5 of 8 ms at 10,000 students)."""
    return request_ids_of_groups_query(reviewable_group_ids(actor))


@lru_cache(maxsize=STATEMENTS_KEPT)
def request_ids_of_groups_query(group_ids: frozenset[int] | None) -> Select:
    query = (select(Placement.id).where(Placement.status == PlacementStatus.PENDING)
             .order_by(Placement.created_at, Placement.id))
    return _scoped_to(query, group_ids)


@cache
def _requests_by_id() -> Select:
    """Built once (the ids are a parameter): the options alone cost more to build than the query to run."""
    return (select(Placement).options(*_queue_options())
            .where(Placement.id.in_(bindparam("ids", expanding=True)), Placement.status == PlacementStatus.PENDING))


def load_requests(ids: list[int]) -> list[Placement]:
    """The placements of `ids` that are still pending, in that order, loaded as placement_requests_query does."""
    if not ids:
        return []
    found = {p.id: p for p in db.session.scalars(_requests_by_id(), {"ids": list(ids)}).unique()}
    return [found[i] for i in ids if i in found]


def placements_query(actor: User, statuses=(PlacementStatus.APPROVED, PlacementStatus.ACTIVE),
                     company_id: int | None = None) -> Select:
    """Placements of the actor's students in the given states, by start date."""
    query = (select(Placement).options(*_page_options())
             .where(Placement.status.in_(tuple(statuses)))
             .order_by(Placement.start_date, Placement.id))
    if company_id is not None:
        query = query.join(Opening, Opening.id == Placement.opening_id).where(Opening.company_id == company_id)
    return _scoped(query, actor)


def queue_counts(actor: User) -> dict[PlacementStatus, int]:
    """The actor's students' placements per status."""
    return queue_counts_from(db.session.execute(select(queue_counts_row(actor))).one()._mapping)


def queue_counts_row(actor: User):
    """queue_counts as a one-row subquery (a column per status), for pages that read it with other counts in one
    statement (web.count_all)."""
    return queue_counts_row_of_groups(reviewable_group_ids(actor))


@lru_cache(maxsize=STATEMENTS_KEPT)
def queue_counts_row_of_groups(group_ids: frozenset[int] | None):
    return _scoped_to(select(*(func.count().filter(Placement.status == status).label(f"placements_{status.value}")
                               for status in PlacementStatus)), group_ids, join=False).subquery("queue_counts")


def queue_counts_from(row) -> dict[PlacementStatus, int]:
    return {status: row[f"placements_{status.value}"] or 0 for status in PlacementStatus}


def student_placements(student: User) -> list[Placement]:
    """A student's own placements (for their pages): newest first."""
    return list(db.session.scalars(
        select(Placement).options(selectinload(Placement.opening).selectinload(Opening.company))
        .where(Placement.student_id == student.id).order_by(Placement.created_at.desc(), Placement.id.desc())
    ))


def company_placements(company: Company) -> list[Placement]:
    """Placements in a company's openings (for its pages)."""
    return list(db.session.scalars(
        select(Placement).options(selectinload(Placement.opening), selectinload(Placement.student))
        .join(Opening, and_(Opening.id == Placement.opening_id, Opening.company_id == company.id))
        .order_by(Placement.start_date, Placement.id)
    ))


# -- the practice terms of one placement -------------------------------------------------------------------------


@dataclass
class PlacementTermsData:
    """A placement's practice terms as typed (the form or the JSON API)."""

    practice_type: str | None
    start_date: date | None
    end_date: date | None
    schedule: list[dict]
    stipend_krw: int | None
    education_share_pct: int | None
    remote_share_pct: int | None
    holiday_exception: bool
    work_mode: str | None
    location: str
    supervisor_name: str
    supervisor_contact: str = ""
    version: int | None = None


def terms_input(terms: dict, version: int | None = None) -> PlacementTermsData:
    """Canonical terms as input (to save them back changed)."""
    return PlacementTermsData(
        practice_type=terms.get("practice_type"), start_date=date.fromisoformat(terms["start_date"]),
        end_date=date.fromisoformat(terms["end_date"]), schedule=list(terms.get("schedule") or []),
        stipend_krw=terms.get("stipend_krw"), education_share_pct=terms.get("education_share_pct"),
        remote_share_pct=terms.get("remote_share_pct"), holiday_exception=bool(terms.get("holiday_exception")),
        work_mode=terms.get("work_mode"), location=terms.get("location") or "",
        supervisor_name=terms.get("supervisor_name") or "", supervisor_contact=terms.get("supervisor_contact") or "",
        version=version,
    )


def _clean_placement_terms(data: PlacementTermsData) -> dict:
    problems = Reasons()
    if data.start_date is None:
        problems.add("start_date", _l("Enter the start date."))
    if data.end_date is None:
        problems.add("end_date", _l("Enter the end date."))
    elif data.start_date is not None and data.end_date <= data.start_date:
        problems.add("end_date", _l("The end date must be after the start date."))
    if data.stipend_krw is None or isinstance(data.stipend_krw, bool) or not 0 <= data.stipend_krw <= 100_000_000:
        problems.add("stipend_krw", _l("Enter the monthly stipend in won (0 if unpaid)."))
    work_mode = problems.choice(WorkMode, data.work_mode, "work_mode", _l("Choose on-site, hybrid or remote."))
    location = " ".join((data.location or "").split())
    if len(location) > 200:
        problems.add("location", _l("Use at most %(max)d characters.", max=200))
    supervisor = " ".join((data.supervisor_name or "").split())
    if not supervisor:
        problems.add("supervisor_name", _l("Name the supervisor."))
    elif len(supervisor) > 100:
        problems.add("supervisor_name", _l("Use at most %(max)d characters.", max=100))
    values = practice_terms.clean_terms(practice_terms.TermsInput(
        practice_type=data.practice_type, schedule=data.schedule or [],
        education_share_pct=data.education_share_pct, remote_share_pct=data.remote_share_pct,
        holiday_exception=data.holiday_exception, supervisor_contact=data.supervisor_contact,
    ), work_mode, problems)
    problems.raise_if_any()
    return {
        "practice_type": values["practice_type"].value, "start_date": data.start_date.isoformat(),
        "end_date": data.end_date.isoformat(), "schedule": values["schedule"], "stipend_krw": data.stipend_krw,
        "education_share_pct": values["education_share_pct"], "remote_share_pct": values["remote_share_pct"],
        "holiday_exception": values["holiday_exception"], "work_mode": work_mode.value, "location": location,
        "supervisor_name": supervisor, "supervisor_contact": values["supervisor_contact"],
    }


def get_placement_for_terms(actor: User, placement_id: int) -> Placement:
    """The placement if the actor may see and adjust its terms (host company managers, its reviewers)."""
    placement = _load(placement_id)
    if placement is None or not can_edit_placement_terms(actor, placement):
        raise NotFound(str(_l("No such placement request.")))
    return placement


def update_placement_terms(actor: User, placement_id: int, data: PlacementTermsData,
                           expected_version: int | None) -> Placement:
    """Adjust a pending placement's practice terms (the company's managers or its reviewers).

    A save from a form of an older version raises StaleEdit; an approved or returned placement keeps its terms
    (Conflict). The change is audited with every changed term and voids the agreement's acknowledgements (the
    agreement is made from these terms); its compliance is checked again on approval."""
    placement = get_placement_for_terms(actor, placement_id)
    _lock(placement.opening_id)  # as decisions and acknowledgements do: one order of locks, no deadlock
    claim_for_edit(placement, expected_version)
    if placement.status != PlacementStatus.PENDING:
        raise Conflict(str(_l("Only the terms of a placement awaiting approval can be changed; this one is "
                              "“%(status)s”.", status=label(placement.status))))
    new = _clean_placement_terms(data)
    before = practice_terms.terms_of(placement)
    changes = practice_terms.describe_changes(before, new)
    placement.terms = new
    placement.start_date = date.fromisoformat(new["start_date"])
    placement.end_date = date.fromisoformat(new["end_date"])
    db.session.flush()
    if changes:
        audit.record(actor, "placement", placement.id, "terms_changed", placement.status.value,
                     placement.status.value, "; ".join(f"{k}: {a} → {b}" for k, (a, b) in changes.items()))
        # Acknowledgements of the agreement as it was are void now; the parties are told what changed.
        agreements.terms_changed(actor, placement)
    return placement
