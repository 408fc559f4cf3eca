"""Applications: eligibility with reasons, applying with consent, the status workflow, timelines,
ranked applicants per opening and recommended openings per student."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from marketplace import matching
from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Company,
    CompanyMembership,
    CompanyStatus,
    DegreeLevel,
    MembershipStatus,
    Opening,
    OpeningStatus,
    Placement,
    ProjectGroup,
    StudentProfile,
    User,
    VerificationStatus,
    opening_groups,
)
from marketplace.models.base import utcnow
from marketplace.ownership import can_see_cv, is_own_application, manages_company, shares_profile_with_company
from marketplace.permissions import Permission, user_can
from marketplace.services import audit, ranking, stamps, verification
from marketplace.services.companies import active_managers, refuse_if_suspended
from marketplace.services.email_confirmation import has_confirmed_email
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.services.majors import major_allowed, major_names, normalize_major
from marketplace.services.notifications import link_to, notify, notify_many
from marketplace.services.openings import OpeningFilters, get_visible_opening, is_full, parse_filters
from marketplace.services.placements import request_placement
from marketplace.services.seats import SeatUse, lock_opening, seat_use, seats_left, seats_taken
from marketplace.services.students import read_cv
from marketplace.services.workflow import StateMachine

MAX_STATEMENT = 3000
MAX_MESSAGE = 2000
S = ApplicationStatus

# The table: submitted → shortlisted → offered → accepted | declined; submitted/shortlisted →
# rejected; any state before accepted → withdrawn.
application_machine: StateMachine[ApplicationStatus] = StateMachine("application", {
    S.SUBMITTED: {S.SHORTLISTED, S.REJECTED, S.WITHDRAWN},
    S.SHORTLISTED: {S.OFFERED, S.REJECTED, S.WITHDRAWN},
    S.OFFERED: {S.ACCEPTED, S.DECLINED, S.WITHDRAWN},
    S.ACCEPTED: set(),
    S.DECLINED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
})

COMPANY_MOVES = frozenset({S.SHORTLISTED, S.REJECTED, S.OFFERED})
STUDENT_MOVES = frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN})


class AlreadyApplied(Conflict):
    """The student has applied to this opening already (a second tab, a double click, a race)."""

    def __init__(self, application_id: int | None):
        super().__init__(str(_l("You have already applied to this opening.")))
        self.application_id = application_id


class NotEligible(Conflict):
    def __init__(self, reasons: list[str]):
        super().__init__(reasons[0] if reasons else str(_l("You cannot apply to this opening.")))
        self.reasons = reasons


def student_link(application_id: int) -> str:
    return link_to("students.application", application_id=application_id)


def company_link(application_id: int) -> str:
    return link_to("applicants.application", application_id=application_id)


# -- eligibility -------------------------------------------------------------------------------------------


@dataclass
class Eligibility:
    reasons: list[str] = field(default_factory=list)
    existing: Application | None = None

    @property
    def ok(self) -> bool:
        return not self.reasons and self.existing is None


def profile_of(user: User | None) -> StudentProfile | None:
    if not user_can(user, Permission.APPLY):
        return None
    return db.session.scalar(
        select(StudentProfile).options(selectinload(StudentProfile.skills))
        .where(StudentProfile.user_id == user.id)
    )


def existing_application(student: User, opening_id: int) -> Application | None:
    return db.session.scalar(
        select(Application).where(Application.student_id == student.id, Application.opening_id == opening_id)
    )


def eligibility(student: User | None, opening: Opening, today: date | None = None) -> Eligibility:
    """Every reason the student may not apply (each a sentence), and their existing application."""
    today = today or today_in_seoul()
    result = Eligibility()
    profile = profile_of(student)
    if profile is None:
        result.reasons.append(str(_l("Only students with a profile can apply.")))
    elif not has_confirmed_email(student):
        result.reasons.append(str(_l("Confirm your e-mail address before applying: open the link we sent you, or "
                                     "ask for a new one from the banner at the top of the page.")))
    if opening.status == OpeningStatus.CLOSED:
        result.reasons.append(str(_l("This opening is closed.")))
    elif opening.status != OpeningStatus.PUBLISHED:
        result.reasons.append(str(_l("This opening is not published.")))
    if opening.company.status != CompanyStatus.APPROVED:
        result.reasons.append(str(_l("The company is not an approved partner at the moment.")))
    if opening.deadline < today:
        result.reasons.append(str(_l("The application deadline (%(date)s) has passed.",
                                     date=opening.deadline.isoformat())))
    if profile is not None:
        if profile.verification_status != VerificationStatus.VERIFIED:
            result.reasons.append(verification.not_verified_reason(profile))
        if profile.group_id not in opening.eligible_group_ids:
            result.reasons.append(str(_l("Students of your project group are not eligible for this opening.")))
        levels = opening.degree_level_list
        if levels and profile.degree_level not in levels:
            result.reasons.append(str(_l("Your degree level is not eligible for this opening.")))
        if opening.majors and not major_allowed(opening.majors, major_names(profile)):
            result.reasons.append(str(_l("This opening is only for students of these majors: %(majors)s. "
                                         "Your profile says %(major)s.", majors=", ".join(opening.major_list),
                                         major=profile.major)))
    if opening.status == OpeningStatus.PUBLISHED and seats_left(opening) == 0:
        result.reasons.append(str(_l("All seats of this opening are taken.")))
    if profile is not None:
        result.existing = existing_application(student, opening.id)
    return result


def get_opening_to_apply(viewer: User, opening_id: int) -> Opening:
    """The opening as its public page shows it; a closed opening of an approved company too, so the
    apply page can say it is closed rather than 'not found'."""
    try:
        return get_visible_opening(viewer, opening_id)
    except NotFound:
        opening = db.session.scalar(
            select(Opening).options(joinedload(Opening.company), selectinload(Opening.skills),
                                    selectinload(Opening.eligible_groups))
            .where(Opening.id == opening_id)
        )
        if opening is None or opening.status != OpeningStatus.CLOSED or \
                opening.company.status != CompanyStatus.APPROVED:
            raise
        return opening


# -- applying -------------------------------------------------------------------------------------------------


def consent_sentence(company_name: str) -> str:
    return str(_l("I agree that %(company)s may see my student profile, skills and CV to assess this "
                  "application, as the Personal Information Protection Act requires.", company=company_name))


def apply(student: User, opening: Opening, statement: str, consent: bool, today: date | None = None) -> Application:
    """Submit an application with explicit consent; the match as of now is kept with it."""
    checked = eligibility(student, opening, today)
    if checked.existing is not None:
        raise AlreadyApplied(checked.existing.id)
    if checked.reasons:
        raise NotEligible(checked.reasons)
    statement = (statement or "").strip()
    if not statement:
        raise DomainError(str(_l("Write a short statement: why this opening, and what you bring.")),
                          field="statement")
    if len(statement) > MAX_STATEMENT:
        raise DomainError(str(_l("Use at most %(max)d characters.", max=MAX_STATEMENT)), field="statement")
    if consent is not True:
        raise DomainError(str(_l("Tick the consent box: the company may only see your profile with it.")),
                          field="consent")
    profile = profile_of(student)
    match = ranking.match_for(profile, opening)
    application = Application(
        opening_id=opening.id, student_id=student.id, statement=statement,
        consent_at=utcnow(), consent_text=consent_sentence(opening.company.name),
        match_score=round(float(match.score), 2), match_has_all_musts=match.has_all_musts,
        match_details=ranking.match_details(match), status=S.SUBMITTED,
    )
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:
        # Two requests raced past the check above; the unique constraint kept one. Show that one.
        db.session.rollback()
        existing = existing_application(student, opening.id)
        raise AlreadyApplied(existing.id if existing else None) from None
    audit.record(student, "application", application.id, "submitted", None, S.SUBMITTED.value)
    notify_many(active_managers(opening.company), "new_applicant", company_link(application.id),
                opening=opening.title)
    return application


# -- loading with scope ------------------------------------------------------------------------------------


def _full_options():
    return (
        joinedload(Application.opening).options(
            joinedload(Opening.company), selectinload(Opening.skills), selectinload(Opening.eligible_groups),
        ),
        joinedload(Application.student).joinedload(User.student_profile).options(
            selectinload(StudentProfile.skills), joinedload(StudentProfile.group), joinedload(StudentProfile.track),
        ),
        selectinload(Application.placement),
    )


def get_student_application(student: User, application_id: int) -> Application:
    """One of the student's own applications; anyone else's is 'not found'."""
    application = db.session.scalar(
        select(Application).options(*_full_options())
        .where(Application.id == application_id, Application.student_id == student.id)
    )
    if application is None or not user_can(student, Permission.APPLY):
        raise NotFound(str(_l("No such application.")))
    return application


def _managed_by(actor: User):
    """Applications to openings of companies the actor manages (the scope of every company query)."""
    return exists().where(
        CompanyMembership.company_id == Opening.company_id,
        CompanyMembership.user_id == actor.id,
        CompanyMembership.status == MembershipStatus.ACTIVE,
    )


def get_company_application(actor: User, application_id: int) -> Application:
    """An application to an opening of the actor's company; any other is 'not found'."""
    if not user_can(actor, Permission.MANAGE_COMPANY):
        raise NotFound(str(_l("No such application.")))
    application = db.session.scalar(
        select(Application).join(Application.opening).options(*_full_options())
        .where(Application.id == application_id, _managed_by(actor),
               Application.student_id.in_(verification.verified_student_ids()))
    )
    if application is None:
        raise NotFound(str(_l("No such application.")))
    return application


@dataclass
class CompanyView:
    """What a company manager's page shows of an application: after a withdrawal, nothing of the student's
    (no profile, skills, statement or match), only that they applied and withdrew."""

    application: Application
    profile: StudentProfile | None
    statement: str | None
    match_details: list | None

    @property
    def shared(self) -> bool:
        return self.profile is not None


def company_view(actor: User, application_id: int) -> CompanyView:
    application = get_company_application(actor, application_id)
    if not shares_profile_with_company(application.status):
        return CompanyView(application, None, None, None)
    return CompanyView(application, application.student.student_profile, application.statement,
                       application.match_details)


def application_cv(viewer: User, application_id: int) -> tuple[bytes, str]:
    application = db.session.scalar(
        select(Application).options(
            joinedload(Application.opening).joinedload(Opening.company),
            joinedload(Application.student).joinedload(User.student_profile),
        ).where(Application.id == application_id)
    )
    if application is None or not can_see_cv(viewer, application):
        raise NotFound(str(_l("No such file.")))
    data = read_cv(application.student.student_profile)
    if data is None:
        raise NotFound(str(_l("No such file.")))
    return data, application.student.student_profile.cv_original_name or "cv.pdf"


def timeline(application_id: int) -> list[AuditEvent]:
    """Who did what to the application, oldest first (the actor is joined in the same query)."""
    return list(db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "application", AuditEvent.entity_id == application_id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ))


def student_applications_query(student: User) -> Select:
    return (
        select(Application)
        .options(joinedload(Application.opening).joinedload(Opening.company), selectinload(Application.placement))
        .where(Application.student_id == student.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
    )


# -- the workflow ----------------------------------------------------------------------------------------------


def _check_company(actor: User, application: Application) -> None:
    if not manages_company(actor, application.opening.company):
        raise NotFound(str(_l("No such application.")))


def _check_student(actor: User, application: Application) -> None:
    if not is_own_application(actor, application):
        raise NotFound(str(_l("No such application.")))


def _move(actor: User, application: Application, target: ApplicationStatus, action: str, note: str = "") -> None:
    application_machine.move(actor, application, target, action=action, note=note)
    application.updated_at = utcnow()


def shortlist(actor: User, application: Application) -> Application:
    _check_company(actor, application)
    refuse_if_suspended(application.opening.company)
    _move(actor, application, S.SHORTLISTED, "shortlisted")
    notify(application.student, "application_shortlisted", student_link(application.id),
           opening=application.opening.title, company=application.opening.company.name)
    return application


def reject(actor: User, application: Application, message: str = "") -> Application:
    _check_company(actor, application)
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise DomainError(str(_l("Use at most %(max)d characters.", max=MAX_MESSAGE)), field="message")
    _move(actor, application, S.REJECTED, "rejected", note=message)
    application.company_message = message
    notify(application.student, "application_rejected", student_link(application.id),
           opening=application.opening.title, note=message)
    return application


def offer_beyond_seats_message(use: SeatUse) -> str:
    return str(_l(
        "Every seat is spoken for: %(seats)d seats, %(approved)d approved, %(pending)d accepted offers waiting for "
        "approval, %(offered)d offers not yet answered. If more students accept than there are seats, the last "
        "request is returned by the exchange manager. Tick the box to make this offer anyway.",
        seats=use.seats, approved=use.approved, pending=use.pending, offered=use.offered))


def make_offer(actor: User, application: Application, message: str = "",
               confirm_over_seats: bool = False) -> Application:
    """Offer a place. When no seat is free for a new offer (seats − approved − requests waiting − offers open)
    the company must confirm it knowingly (`confirm_over_seats`); otherwise a field error says why."""
    _check_company(actor, application)
    refuse_if_suspended(application.opening.company)
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise DomainError(str(_l("Use at most %(max)d characters.", max=MAX_MESSAGE)), field="message")
    lock_opening(application.opening_id)  # two offers at once count each other
    use = seat_use(application.opening)
    beyond = use.free_for_offers == 0
    if beyond and confirm_over_seats is not True:
        raise DomainError(offer_beyond_seats_message(use), field="confirm_over_seats")
    if beyond:
        message_note = str(_l("Offered beyond the seats (confirmed): %(approved)d approved, %(pending)d waiting, "
                              "%(offered)d offers open of %(seats)d seats.", approved=use.approved,
                              pending=use.pending, offered=use.offered, seats=use.seats))
        note = f"{message_note}\n{message}".strip() if message else message_note
    else:
        note = message
    _move(actor, application, S.OFFERED, "offered", note=note)
    if message:
        application.company_message = message
    notify(application.student, "offer_made", student_link(application.id),
           opening=application.opening.title, company=application.opening.company.name)
    return application


def accept_offer(actor: User, application: Application) -> Placement:
    """The student accepts: a placement request waits for an exchange manager of their group."""
    _check_student(actor, application)
    opening = application.opening
    if application.status == S.OFFERED:
        refuse_if_suspended(opening.company)
    if application.status == S.OFFERED and seats_left(opening) == 0:
        raise Conflict(str(_l("All seats of this opening are taken; the offer can no longer be accepted.")))
    _move(actor, application, S.ACCEPTED, "accepted")
    placement = request_placement(actor, application)
    notify_many(active_managers(opening.company), "offer_accepted", company_link(application.id),
                opening=opening.title)
    return placement


def decline_offer(actor: User, application: Application) -> Application:
    _check_student(actor, application)
    _move(actor, application, S.DECLINED, "declined")
    notify_many(active_managers(application.opening.company), "offer_declined", company_link(application.id),
                opening=application.opening.title)
    return application


def withdraw(actor: User, application: Application) -> Application:
    _check_student(actor, application)
    _move(actor, application, S.WITHDRAWN, "withdrawn")
    notify_many(active_managers(application.opening.company), "application_withdrawn",
                company_link(application.id), opening=application.opening.title)
    return application


TRANSITIONS = {
    "shortlist": shortlist,
    "reject": reject,
    "offer": make_offer,
    "accept": accept_offer,
    "decline": decline_offer,
    "withdraw": withdraw,
}


# -- company overview -------------------------------------------------------------------------------------------


def status_counts_by_opening(company: Company, opening: Opening | None = None) -> dict[int, dict[ApplicationStatus, int]]:
    """{opening id: {status: count}} for every opening of the company that has applications, or for `opening`
    alone (one query; an opening's page counts only its own applicants, not the whole company's 50,000)."""
    query = (
        select(Application.opening_id, Application.status, func.count())
        .join(Opening, Opening.id == Application.opening_id)
        .join(StudentProfile, StudentProfile.user_id == Application.student_id)
        .where(Opening.company_id == company.id, verification.verified_students())
        .group_by(Application.opening_id, Application.status)
    )
    if opening is not None:
        query = query.where(Application.opening_id == opening.id)
    rows = db.session.execute(query)
    found: dict[int, dict[ApplicationStatus, int]] = {}
    for opening_id, status, n in rows:
        found.setdefault(opening_id, {})[status] = n
    order = list(ApplicationStatus)  # pipeline order, for display
    return {opening_id: {s: per[s] for s in order if s in per} for opening_id, per in found.items()}


def applicant_counts(opening: Opening) -> dict[ApplicationStatus, int]:
    """{status: count} of one opening's verified applicants, for the tabs of its ranked list. Cached under the
    applicants stamp, as the list's order is (applications, profiles and openings rewrite it); a miss is the
    one grouped count (3 ms on PostgreSQL for 2,000 applicants)."""
    return stamps.cached_value(stamps.APPLICANTS, f"counts:{opening.id}",
                               lambda: status_counts_by_opening(opening.company, opening).get(opening.id, {}))


def applicant_overview(company: Company) -> list[tuple[int, str, dict[ApplicationStatus, int]]]:
    """(opening id, title, counts per status) of the company's openings that have applicants, newest first."""
    counts = status_counts_by_opening(company)
    if not counts:
        return []
    titles = db.session.execute(
        select(Opening.id, Opening.title).where(Opening.id.in_(list(counts)))
        .order_by(Opening.created_at.desc(), Opening.id.desc())
    )
    return [(opening_id, title, counts[opening_id]) for opening_id, title in titles]


# -- ranked applicants -----------------------------------------------------------------------------------------


@dataclass
class ApplicantFilters:
    group: ProjectGroup | None = None
    degree: DegreeLevel | None = None
    musts: bool = False
    status: ApplicationStatus | None = None

    def as_args(self) -> dict:
        args = {
            "group": self.group.code if self.group else None,
            "degree": self.degree.value if self.degree else None,
            "musts": "1" if self.musts else None,
            "status": self.status.value if self.status else None,
        }
        return {k: v for k, v in args.items() if v is not None}

    @property
    def active(self) -> bool:
        return bool(self.as_args())


def parse_applicant_filters(args: Mapping) -> ApplicantFilters:
    """Filters from query parameters; anything invalid is ignored."""
    filters = ApplicantFilters(musts=args.get("musts") == "1")
    group = " ".join(str(args.get("group") or "").split())[:20]
    if group:
        filters.group = db.session.scalar(select(ProjectGroup).where(func.upper(ProjectGroup.code) == group.upper()))
    try:
        filters.degree = DegreeLevel(args.get("degree", ""))
    except ValueError:
        pass
    try:
        filters.status = ApplicationStatus(args.get("status", ""))
    except ValueError:
        pass
    return filters


@dataclass
class Ranked:
    """One ranked row: the application (loaded for the page only), its live match and rank."""

    rank: int
    application: Application
    match: matching.Match | None  # None once the applicant withdrew (their profile is no longer shared)

    @property
    def details(self) -> list[dict]:
        return ranking.match_details(self.match) if self.match is not None else []

    @property
    def shared(self) -> bool:
        return self.match is not None


@dataclass
class RankedPage:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _page_bounds(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    pages = max(1, -(-total // per_page))
    page = min(max(page or 1, 1), pages)
    start = (page - 1) * per_page
    return page, start, start + per_page


def ranked_applicants(actor: User, opening: Opening, filters: ApplicantFilters, page: int = 1,
                      per_page: int = 20) -> RankedPage:
    """Applicants of the actor's company's opening, ranked by their current skill profile.

    A fixed number of queries whatever the number of applicants: the applicants and their profile
    versions, the skill rows of profiles not cached in this process, then the page's records only. The order
    is cached under the applicants stamp (applications, profiles, skills, the opening and its
    requirements), so paging and coming back read it; only the page's matches are computed again.
    """
    if not manages_company(actor, opening.company):
        raise NotFound(str(_l("No such opening.")))
    order = stamps.cached_value(stamps.APPLICANTS, f"{opening.id}:{sorted(filters.as_args().items())}",
                                lambda: _applicant_order(opening, filters))
    page, start, end = _page_bounds(len(order), page, per_page)
    window = order[start:end]
    loaded = {a.id: a for a in db.session.scalars(
        select(Application).options(
            joinedload(Application.student).joinedload(User.student_profile).options(
                selectinload(StudentProfile.skills), joinedload(StudentProfile.group),
            ),
            joinedload(Application.student).lazyload(User.designations),  # students hold none: no query for it
            selectinload(Application.placement),
        ).where(Application.id.in_([key for key, _ in window]))
    )} if window else {}
    # The page's matches again (each depends on the opening and that profile only), from the loaded skills.
    profiles = {key: ranking.skill_levels(loaded[key].student.student_profile.skills)
                for key, ranked in window if ranked and key in loaded}
    matches = dict(matching.rank(ranking.requirements_of(opening.skills), profiles)) if profiles else {}
    items = [Ranked(start + i + 1, loaded[key], matches.get(key)) for i, (key, _) in enumerate(window)
             if key in loaded]
    return RankedPage(items, len(order), page, per_page)


def _applicant_order(opening: Opening, filters: ApplicantFilters) -> list[tuple[int, bool]]:
    """(application id, ranked) best first, then the withdrawn applicants (not ranked: their profile is no
    longer shared). Cached under the applicants stamp."""
    query = (
        select(Application.id, StudentProfile.id, StudentProfile.updated_at, Application.status)
        .join(StudentProfile, StudentProfile.user_id == Application.student_id)
        .where(Application.opening_id == opening.id, verification.verified_students())
        .order_by(Application.id)
    )
    if filters.group is not None:
        query = query.where(StudentProfile.group_id == filters.group.id)
    if filters.degree is not None:
        query = query.where(StudentProfile.degree_level == filters.degree)
    if filters.status is not None:
        query = query.where(Application.status == filters.status)
    rows = db.session.execute(query).all()
    # A withdrawn applicant's profile is no longer shared: they are listed last, unranked, without it.
    withdrawn = [row[0] for row in rows if not shares_profile_with_company(row[3])]
    applicants = [row[:3] for row in rows if shares_profile_with_company(row[3])]
    versions = {profile_id: version for _, profile_id, version in applicants}
    levels = ranking.applicants_skill_levels(opening, versions)
    profiles = {application_id: levels[profile_id] for application_id, profile_id, _ in applicants}
    ranked = matching.rank(ranking.requirements_of(opening.skills), profiles) if profiles else []
    if filters.musts:
        return [(key, True) for key, match in ranked if match.has_all_musts]
    return [(key, True) for key, _ in ranked] + [(key, False) for key in withdrawn]


# -- recommendations -------------------------------------------------------------------------------------------


@dataclass
class Recommendation:
    opening: Opening
    match: matching.Match
    applied: bool = False
    seats_left: int = 0

    @property
    def details(self) -> list[dict]:
        return ranking.match_details(self.match)


RECOMMENDATION_FILTERS = ("kind", "group", "mode", "paid")


def recommendation_filters(args: Mapping) -> OpeningFilters:
    """The filters recommendations take (kind, project group, work mode, paid); the rest is ignored."""
    return parse_filters({name: args[name] for name in RECOMMENDATION_FILTERS if name in args})


def eligible_openings_condition(profile: StudentProfile, today: date, filters: OpeningFilters | None = None):
    """Published openings of approved companies, deadline not passed, seats left, open to the student's
    group and degree level (an empty degree list admits every level), narrowed by the filters. Majors are
    checked after the query (`major_allowed`), with the same comparison as applying."""
    condition = [
        Opening.status == OpeningStatus.PUBLISHED,
        Company.status == CompanyStatus.APPROVED,
        Opening.deadline >= today,
        ~is_full(),
        exists().where(opening_groups.c.opening_id == Opening.id, opening_groups.c.group_id == profile.group_id),
        or_(Opening.degree_levels == "", Opening.degree_levels.contains(profile.degree_level.value)),
    ]
    if filters is not None:
        if filters.kind:
            condition.append(Opening.kind == filters.kind)
        if filters.mode:
            condition.append(Opening.work_mode == filters.mode)
        if filters.group:
            condition.append(exists().where(opening_groups.c.opening_id == Opening.id,
                                            opening_groups.c.group_id == filters.group.id))
        if filters.paid is not None:
            condition.append(Opening.stipend_krw > 0 if filters.paid else Opening.stipend_krw == 0)
    return tuple(condition)


def recommendations(student: User, page: int = 1, per_page: int = 20, today: date | None = None,
                    filters: OpeningFilters | None = None) -> tuple[RankedPage, StudentProfile]:
    """Eligible openings with seats left ranked by the student's match: every must-have first, then the
    fit (matching.recommend: coverage of the requirements and of the profile). A constant number of
    queries: the eligible openings and their versions, requirement rows of openings not cached in this
    process, the page's openings, applications and seats. The ranking (opening ids) is cached under
    the matching stamp and the student's profile, so paging and coming back read it; only the
    page's matches are computed again."""
    profile = profile_of(student)
    if profile is None:
        raise NotFound(str(_l("Only students with a profile get recommendations.")))
    today = today or today_in_seoul()
    levels = ranking.skill_levels(profile.skills)
    order = stamps.cached_value(stamps.MATCHING, _recommendation_key(profile, levels, today, filters),
                                lambda: _recommended_order(profile, levels, today, filters))
    page, start, end = _page_bounds(len(order), page, per_page)
    ids = order[start:end]
    loaded = {o.id: o for o in db.session.scalars(
        select(Opening).options(joinedload(Opening.company), selectinload(Opening.skills),
                                selectinload(Opening.eligible_groups))
        .where(Opening.id.in_(ids))
    )} if ids else {}
    applied = set(db.session.scalars(
        select(Application.opening_id).where(Application.student_id == student.id, Application.opening_id.in_(ids))
    )) if ids else set()
    taken = seats_taken(ids)
    # The page's matches again (each opening's match depends on it and the profile only): ordered as ranked.
    matches = dict(matching.recommend(levels, {key: ranking.requirements_of(loaded[key].skills)
                                               for key in ids if key in loaded}))
    items = [Recommendation(loaded[key], matches[key], key in applied, max(0, loaded[key].seats - taken[key]))
             for key in ids if key in loaded]
    return RankedPage(items, len(order), page, per_page), profile


def _recommendation_key(profile: StudentProfile, levels, today: date, filters: OpeningFilters | None) -> str:
    """What the ranking depends on besides the openings (the matching stamp): the student's group,
    degree level, major and skills, the day (deadlines) and the filters."""
    parts = (profile.group_id, profile.degree_level.value, normalize_major(profile.major),
             sorted((s.name, s.level) for s in levels), today.isoformat(),
             sorted(filters.as_args().items()) if filters is not None else None)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _recommended_order(profile: StudentProfile, levels, today: date, filters: OpeningFilters | None) -> list[int]:
    """The ids of the openings the student may apply to, best fit first (matching.recommend)."""
    condition = eligible_openings_condition(profile, today, filters)
    rows = db.session.execute(
        select(Opening.id, Opening.updated_at, Opening.majors).join(Company, Company.id == Opening.company_id)
        .where(*condition).order_by(Opening.id)
    ).all()
    names = major_names(profile) if any(majors for _, _, majors in rows) else frozenset()
    eligible = [(opening_id, version) for opening_id, version, majors in rows if major_allowed(majors, names)]
    requirements = ranking.openings_requirements(eligible, condition)
    return [key for key, _ in matching.recommend(levels, requirements)] if requirements else []
