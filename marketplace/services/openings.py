"""Openings: drafting, review and publication, closing, and the public search."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import date
from typing import Mapping

from sqlalchemy import Select, bindparam, exists, false, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from marketplace.clock import today_in_seoul
from marketplace.extensions import STATEMENTS_KEPT, db
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.models import (
    SEAT_HOLDING,
    Company,
    CompanyStatus,
    DegreeLevel,
    Importance,
    Opening,
    OpeningKind,
    OpeningSkill,
    OpeningStatus,
    Placement,
    ProjectGroup,
    User,
    WorkMode,
    opening_groups,
)
from marketplace.models.base import utcnow
from marketplace.ownership import (
    can_review_opening,
    can_see_opening,
    is_public_opening,
    manages_company,
    reviewable_group_ids,
)
from marketplace.permissions import Permission, user_can
from marketplace.services import audit, compliance, practice_terms, search, skills
from marketplace.services import agreements
from marketplace.services.companies import active_managers, company_of
from marketplace.services.errors import Conflict, DomainError, NotFound, Reasons
from marketplace.services.notifications import link_to, managers_of_groups, notify_many
from marketplace.services.seats import lock_opening, seats_taken
from marketplace.services.workflow import StateMachine, claim_for_edit

MAX_SKILLS = 30
MAX_MAJORS = 30

opening_machine: StateMachine[OpeningStatus] = StateMachine("opening", {
    OpeningStatus.DRAFT: {OpeningStatus.IN_REVIEW},
    OpeningStatus.IN_REVIEW: {OpeningStatus.PUBLISHED, OpeningStatus.RETURNED},
    OpeningStatus.RETURNED: {OpeningStatus.IN_REVIEW},
    OpeningStatus.PUBLISHED: {OpeningStatus.CLOSED, OpeningStatus.IN_REVIEW},
    OpeningStatus.CLOSED: set(),
})

EDITABLE = frozenset({OpeningStatus.DRAFT, OpeningStatus.RETURNED, OpeningStatus.PUBLISHED})


# -- input ---------------------------------------------------------------------------------------------


@dataclass
class SkillRequirement:
    name: str
    importance: str = Importance.MUST.value
    min_level: int | None = 3
    row: int | None = None  # the form row it came from, so an error lands beside it


@dataclass
class OpeningData:
    kind: str
    title: str
    description: str
    seats: int | None
    work_mode: str
    location: str
    start_date: date | None
    end_date: date | None
    hours_per_week: int | None  # only read when no schedule is given (see practice_terms.TermsInput)
    stipend_krw: int | None
    deadline: date | None
    supervisor_name: str
    skills: list[SkillRequirement] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    degree_levels: list[str] = field(default_factory=list)
    majors: list[str] = field(default_factory=list)
    version: int | None = None  # the version the form was opened on (None: no stale check)
    # Practice terms (services/practice_terms.py): the weekly schedule rows, from which the hours are computed.
    practice_type: str | None = "standard"
    schedule: list[dict] | None = None
    education_share_pct: int | None = 0
    remote_share_pct: int | None = None
    holiday_exception: bool = False
    supervisor_contact: str = ""


def clean_skills(requirements: list[SkillRequirement]) -> list[OpeningSkill]:
    """Validated, canonicalised requirement rows (blank names are ignored), in the order given; every bad row
    is reported at once."""
    problems = Reasons()
    out = []
    for requirement, clean in skills.clean_rows(requirements, MAX_SKILLS):
        importance = problems.choice(Importance, requirement.importance, skills.row_field(requirement.row, "importance"),
                                     _l("Choose must, should or nice."))
        level = requirement.min_level
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            problems.add(skills.row_field(requirement.row, "min_level"), _l("Choose a minimum level from 1 to 5."))
        if not problems:
            out.append(OpeningSkill(position=clean.position, name=clean.name, skill_id=clean.skill_id,
                                    display_name=clean.display_name, importance=importance, min_level=level))
    problems.raise_if_any()
    return out


def _check_dates(data: OpeningData, problems: Reasons) -> None:
    if data.start_date is None:
        problems.add("start_date", _l("Enter the start date."))
    if data.end_date is None:
        problems.add("end_date", _l("Enter the end date."))
    if data.deadline is None:
        problems.add("deadline", _l("Enter the application deadline."))
    if data.start_date is None:
        return
    if data.end_date is not None and data.end_date <= data.start_date:
        problems.add("end_date", _l("The end date must be after the start date."))
    if data.deadline is not None and data.deadline > data.start_date:
        problems.add("deadline", _l("The application deadline must not be after the start date."))


def _clean_majors(values: list[str]) -> list[str]:
    majors: list[str] = []
    for major in values or []:
        major = " ".join(major.split())
        if not major:
            continue
        if len(major) > 200:
            raise DomainError(str(_l("Major names have at most %(n)d characters.", n=200)), field="majors")
        if major.casefold() not in {m.casefold() for m in majors}:
            majors.append(major)
    if len(majors) > MAX_MAJORS:
        raise DomainError(str(_l("List at most %(n)d majors.", n=MAX_MAJORS)), field="majors")
    return majors


def _validated(company: Company, data: OpeningData) -> dict:
    """The opening's values, or every problem of the form at once (ValidationFailed)."""
    problems = Reasons()
    kind = problems.choice(OpeningKind, data.kind, "kind", _l("Choose the kind of opening."))
    title = " ".join((data.title or "").split())
    if not title:
        problems.add("title", _l("Enter a title."))
    elif len(title) > 200:
        problems.add("title", _l("Use at most %(max)d characters.", max=200))
    description = (data.description or "").strip()
    if len(description) > 20000:
        problems.add("description", _l("Use at most %(max)d characters.", max=20000))
    if data.seats is None or data.seats < 1:
        problems.add("seats", _l("Offer at least one seat."))
    elif data.seats > 1000:
        problems.add("seats", _l("Enter a number from %(min)s to %(max)s.", min=1, max=1000))
    work_mode = problems.choice(WorkMode, data.work_mode, "work_mode", _l("Choose on-site, hybrid or remote."))
    location = " ".join((data.location or "").split())
    if work_mode is not None and work_mode != WorkMode.REMOTE and not location:
        problems.add("location", _l("Enter where the work takes place."))
    elif len(location) > 200:
        problems.add("location", _l("Use at most %(max)d characters.", max=200))
    _check_dates(data, problems)
    terms = practice_terms.clean_terms(practice_terms.TermsInput(
        practice_type=data.practice_type, schedule=data.schedule, hours_per_week=data.hours_per_week,
        education_share_pct=data.education_share_pct, remote_share_pct=data.remote_share_pct,
        holiday_exception=data.holiday_exception, supervisor_contact=data.supervisor_contact,
    ), work_mode, problems)
    if data.stipend_krw is None or not 0 <= data.stipend_krw <= 100_000_000:
        problems.add("stipend_krw", _l("Enter the monthly stipend in won (0 if unpaid)."))
    supervisor = " ".join((data.supervisor_name or "").split())
    if not supervisor:
        problems.add("supervisor_name", _l("Name the supervisor."))
    elif len(supervisor) > 100:
        problems.add("supervisor_name", _l("Use at most %(max)d characters.", max=100))
    wanted_groups = {g for g in data.group_ids or [] if g is not None}
    partners = {g.id: g for g in company.partner_groups}
    if not wanted_groups:
        problems.add("group_ids", _l("Choose at least one project group whose students may apply."))
    elif not wanted_groups <= set(partners):
        problems.add("group_ids", _l("Choose only project groups your company partners with."))
    levels = [problems.choice(DegreeLevel, value, "degree_levels", _l("Choose degree levels from the list."))
              for value in dict.fromkeys(data.degree_levels or [])]
    majors = problems.collect(_clean_majors, data.majors)
    requirements = problems.collect(clean_skills, data.skills)
    problems.raise_if_any()
    return {
        "kind": kind, "title": title, "description": description, "seats": data.seats, "work_mode": work_mode,
        "location": location, "start_date": data.start_date, "end_date": data.end_date,
        "stipend_krw": data.stipend_krw, "deadline": data.deadline,
        "supervisor_name": supervisor, **terms,
        "eligible_groups": sorted((partners[g] for g in wanted_groups), key=lambda g: g.code),
        "degree_levels": ",".join(level.value for level in DegreeLevel if level in levels),
        "majors": "\n".join(majors),
        "skills": requirements,
    }


# -- access --------------------------------------------------------------------------------------------


# Built once, the id a parameter (every page of one opening reads it); the company joined (one row).
_BY_ID = (select(Opening)
          .options(joinedload(Opening.company).selectinload(Company.partner_groups), selectinload(Opening.skills),
                   selectinload(Opening.eligible_groups))
          .where(Opening.id == bindparam("opening_id")))


def _load(opening_id: int) -> Opening | None:
    return db.session.scalar(_BY_ID, {"opening_id": opening_id})


def accepts_applications(opening: Opening, today: date | None = None) -> bool:
    """Published, by an approved company, and the deadline day (Seoul) not yet over."""
    return is_public_opening(opening) and opening.deadline >= (today or today_in_seoul())


def get_company_opening(actor: User, opening_id: int) -> Opening:
    """An opening of the actor's own company; anyone else's is 'not found'."""
    opening = _load(opening_id)
    if opening is None or not manages_company(actor, opening.company):
        raise NotFound(str(_l("No such opening.")))
    return opening


def get_opening_for_reviewer(actor: User, opening_id: int) -> Opening:
    opening = _load(opening_id)
    if opening is None or not can_review_opening(actor, opening):
        raise NotFound(str(_l("No such opening.")))
    return opening


def get_visible_opening(viewer: User | None, opening_id: int) -> Opening:
    """Public openings for everyone; others only for their company's managers and their reviewers."""
    opening = _load(opening_id)
    if opening is None or not can_see_opening(viewer, opening):
        raise NotFound(str(_l("No such opening.")))
    return opening


# -- writes ---------------------------------------------------------------------------------------------


def _requirements_signature(opening: Opening) -> tuple:
    return (
        opening.seats,
        tuple((s.skill_id or skills.normalize(s.name), s.importance.value, s.min_level) for s in opening.skills),
        tuple(sorted(g.id for g in opening.eligible_groups)),
        opening.degree_levels or "",
        opening.majors or "",
    )


# The terms a student agrees to when accepting; a change to them after applications arrived is told to the
# applicants and reviewers, and placements keep the terms as agreed (Placement.agreed_terms).
TERM_FIELDS = ("stipend_krw", "start_date", "end_date", "hours_per_week", "work_mode", "location")


def terms_of(opening: Opening) -> dict:
    """The opening's terms as plain JSON-safe values (dates as ISO strings, the work mode as its value)."""
    out = {}
    for name in TERM_FIELDS:
        value = getattr(opening, name)
        out[name] = value.isoformat() if isinstance(value, date) else getattr(value, "value", value)
    return out


def changed_terms(before: dict | None, after: dict) -> dict[str, tuple]:
    """{field: (before, after)} of the terms that differ; nothing when `before` is unknown."""
    if not before:
        return {}
    return {k: (before.get(k), after.get(k)) for k in TERM_FIELDS if before.get(k) != after.get(k)}


def _describe_changes(changes: dict[str, tuple]) -> str:
    return "; ".join(f"{name}: {old} → {new}" for name, (old, new) in changes.items())


# Applications whose student still waits for, holds or acted on an offer: they hear about changed terms.
_LIVE_APPLICATIONS = ("submitted", "shortlisted", "offered", "accepted")


def _tell_about_changed_terms(actor: User, opening: Opening, changes: dict[str, tuple]) -> int:
    """Notify the opening's live applicants and its reviewers that its terms changed; returns how many
    applicants were told. The audit entry lists every changed term."""
    from marketplace.models import Application, ApplicationStatus
    from marketplace.services.notifications import notify

    live = list(db.session.execute(
        select(Application.id, User).join(User, User.id == Application.student_id)
        .where(Application.opening_id == opening.id,
               Application.status.in_([ApplicationStatus(s) for s in _LIVE_APPLICATIONS]))
        .order_by(Application.id)
    ))
    audit.record(actor, "opening", opening.id, "terms_changed", opening.status.value, opening.status.value,
                 _describe_changes(changes))
    if not live:
        return 0
    for application_id, student in live:
        notify(student, "opening_terms_changed", link_to("students.application", application_id=application_id),
               opening=opening.title, company=opening.company.name)
    notify_many(managers_of_groups(opening.eligible_group_ids), "opening_terms_changed_reviewer",
                link_to("manager.opening", opening_id=opening.id), opening=opening.title,
                company=opening.company.name)
    return len(live)


def _apply(opening: Opening, values: dict) -> None:
    new_skills = values.pop("skills")
    for key, value in values.items():
        setattr(opening, key, value)
    opening.skills.clear()
    db.session.flush()  # delete the old rows before their replacements arrive
    opening.skills.extend(new_skills)


def preview_compliance(actor: User, data: OpeningData, opening: Opening | None = None) -> compliance.Check:
    """The compliance check of the terms as typed, before saving (the form's "Check the terms"); every field
    error first, as a save would give. Writes nothing."""
    company = opening.company if opening is not None else company_of(actor)
    if company is None or not manages_company(actor, company):
        raise NotFound(str(_l("No such opening.")))
    values = _validated(company, data)
    terms = {
        "practice_type": values["practice_type"].value, "start_date": values["start_date"].isoformat(),
        "end_date": values["end_date"].isoformat(), "schedule": values["schedule"],
        "stipend_krw": int(values["stipend_krw"]), "education_share_pct": values["education_share_pct"],
        "remote_share_pct": values["remote_share_pct"], "holiday_exception": values["holiday_exception"],
        "work_mode": values["work_mode"].value, "location": values["location"],
        "supervisor_name": values["supervisor_name"], "supervisor_contact": values["supervisor_contact"],
    }
    return compliance.check_terms(terms, company.size, "opening", opening.id if opening is not None else None)


def create_opening(actor: User, data: OpeningData) -> Opening:
    """A draft opening of the actor's company."""
    company = company_of(actor)
    if company is None or not user_can(actor, Permission.MANAGE_COMPANY):
        raise NotFound(str(_l("You do not manage a company yet. Create its profile or ask to join it.")))
    if company.status in (CompanyStatus.REJECTED, CompanyStatus.SUSPENDED):
        raise Conflict(str(_l("Your company is %(status)s and cannot post openings.", status=label(company.status))))
    values = _validated(company, data)
    opening = Opening(company=company, status=OpeningStatus.DRAFT, created_by_id=actor.id)
    db.session.add(opening)
    _apply(opening, values)
    db.session.flush()
    search.index_opening(opening)
    audit.record(actor, "opening", opening.id, "created", None, OpeningStatus.DRAFT.value)
    return opening


def update_opening(actor: User, opening: Opening, data: OpeningData) -> bool:
    """Save edits. Returns True when a published opening went back to review (requirements or seats changed)."""
    if not manages_company(actor, opening.company):
        raise NotFound(str(_l("No such opening.")))
    claim_for_edit(opening, data.version)
    if opening.status == OpeningStatus.IN_REVIEW:
        raise Conflict(str(_l("This opening is being reviewed; you can edit it again once it is decided.")))
    if opening.status not in EDITABLE:
        raise Conflict(str(_l("This opening is closed and can no longer be edited.")))
    values = _validated(opening.company, data)
    was_published = opening.status == OpeningStatus.PUBLISHED
    if was_published and values["deadline"] != opening.deadline and values["deadline"] < today_in_seoul():
        raise DomainError(str(_l("The application deadline has passed; choose a later date.")), field="deadline")
    if values["seats"] < opening.seats:
        lock_opening(opening.id)  # an approval committing meanwhile is counted
        held = seats_taken([opening.id])[opening.id]
        if values["seats"] < held:
            raise DomainError(str(_l(
                "Seats cannot be fewer than the approved placements (%(n)d now). To have fewer seats, ask the "
                "exchange manager to cancel a placement first.", n=held)), field="seats")
    before = _requirements_signature(opening)
    terms_before = terms_of(opening)
    _apply(opening, values)
    db.session.flush()
    changes = changed_terms(terms_before, terms_of(opening))
    if changes and opening.status != OpeningStatus.DRAFT:
        _tell_about_changed_terms(actor, opening, changes)
    agreements.terms_changed_for_opening(actor, opening.id)  # acknowledgements of the old terms are void
    search.index_opening(opening)
    if was_published and _requirements_signature(opening) != before:
        opening_machine.move(actor, opening, OpeningStatus.IN_REVIEW, action="sent_back_to_review",
                             note="requirements or seats changed")
        opening.submitted_at = utcnow()
        return True
    if was_published and changes and compliance.check(opening).blocking:
        # New terms that break a practice rule are not published until a reviewer looks at them again.
        opening_machine.move(actor, opening, OpeningStatus.IN_REVIEW, action="sent_back_to_review",
                             note="terms fail the practice rules")
        opening.submitted_at = utcnow()
        return True
    audit.record(actor, "opening", opening.id, "updated", opening.status.value, opening.status.value)
    return False


def _check_publishable(opening: Opening) -> None:
    if opening.company.status != CompanyStatus.APPROVED:
        raise Conflict(str(_l("Only approved companies can submit and publish openings.")))
    if opening.deadline < today_in_seoul():
        raise Conflict(str(_l("The application deadline (%(deadline)s) has passed; edit the opening and choose a "
                              "later deadline.", deadline=opening.deadline.isoformat())), field="deadline")
    if not opening.skills:
        raise Conflict(str(_l("List at least one required skill so students can see whether they fit.")),
                       field="skills")


def submit_opening(actor: User, opening: Opening) -> Opening:
    if not manages_company(actor, opening.company):
        raise NotFound(str(_l("No such opening.")))
    if opening.status not in (OpeningStatus.DRAFT, OpeningStatus.RETURNED):
        # published -> in_review exists too, but only through editing the requirements.
        raise Conflict(str(_l("Only drafts and returned openings can be submitted for review.")))
    _check_publishable(opening)
    opening_machine.move(actor, opening, OpeningStatus.IN_REVIEW, action="submitted")
    opening.submitted_at = utcnow()
    _tell_reviewers(opening)
    return opening


def _tell_reviewers(opening: Opening) -> None:
    """The exchange managers of the opening's eligible groups hear that it waits for review."""
    notify_many(managers_of_groups(opening.eligible_group_ids), "opening_submitted",
                link_to("manager.opening", opening_id=opening.id), opening=opening.title,
                company=opening.company.name)


def _tell_company(opening: Opening, kind: str, **params) -> None:
    """The company's active managers hear about their own opening's review."""
    notify_many(active_managers(opening.company), kind, link_to("companies.my_openings"), opening=opening.title,
                **params)


def publish_opening(actor: User, opening: Opening, note: str = "") -> Opening:
    if not can_review_opening(actor, opening):
        raise NotFound(str(_l("No such opening.")))
    if opening.status == OpeningStatus.IN_REVIEW:
        _check_publishable(opening)
    compliance.ensure_allowed(opening, _l("Publication"))
    opening_machine.move(actor, opening, OpeningStatus.PUBLISHED, action="published", note=(note or "").strip())
    opening.review_note = ""
    opening.published_at = utcnow()
    search.index_opening(opening)
    _tell_company(opening, "opening_published")
    return opening


def return_opening(actor: User, opening: Opening, note: str) -> Opening:
    if not can_review_opening(actor, opening):
        raise NotFound(str(_l("No such opening.")))
    note = (note or "").strip()
    if not note:
        raise DomainError(str(_l("Write a note saying what the company should change.")), field="note")
    opening_machine.move(actor, opening, OpeningStatus.RETURNED, action="returned", note=note)
    opening.review_note = note
    _tell_company(opening, "opening_returned", note=note)
    return opening


def close_opening(actor: User, opening: Opening, note: str = "") -> Opening:
    """No new applications from now on (the company's managers, or a reviewer of the opening)."""
    if not (manages_company(actor, opening.company) or can_review_opening(actor, opening)):
        raise NotFound(str(_l("No such opening.")))
    opening_machine.move(actor, opening, OpeningStatus.CLOSED, action="closed", note=(note or "").strip())
    return opening


# -- queries for the company and the reviewers ---------------------------------------------------------------


def _page_options():
    return (selectinload(Opening.skills), selectinload(Opening.eligible_groups))


def company_openings_query(company: Company, status: OpeningStatus | None = None) -> Select:
    query = (
        select(Opening).options(*_page_options())
        .where(Opening.company_id == company.id)
        .order_by(Opening.updated_at.desc(), Opening.id.desc())
    )
    return query if status is None else query.where(Opening.status == status)


def status_counts(company: Company) -> dict[OpeningStatus, int]:
    rows = db.session.execute(
        select(Opening.status, func.count()).where(Opening.company_id == company.id).group_by(Opening.status)
    )
    counts = {status: 0 for status in OpeningStatus}
    counts.update({status: n for status, n in rows})
    return counts


def openings_in_review_query(actor: User) -> Select:
    return openings_in_review_of_groups_query(reviewable_group_ids(actor))


@lru_cache(maxsize=STATEMENTS_KEPT)
def openings_in_review_of_groups_query(group_ids: frozenset[int] | None) -> Select:
    """Openings waiting for review in a scope of groups (None: every group), built once per scope."""
    # joinedload, not a join: the page's count (a subquery without eager joins) then reads `opening` alone, by
    # its status index. With the join, SQLite could drive the count from `company` (3 ms at 5,000 openings).
    query = (
        select(Opening)
        .options(joinedload(Opening.company), *_page_options())
        .where(Opening.status == OpeningStatus.IN_REVIEW)
        .order_by(Opening.submitted_at, Opening.id)
    )
    if group_ids is None:
        return query
    if not group_ids:
        return query.where(false())
    return query.where(exists().where(opening_groups.c.opening_id == Opening.id,
                                      opening_groups.c.group_id.in_(group_ids)))


def company_public_openings(company: Company) -> list[Opening]:
    return list(db.session.scalars(
        select(Opening).options(*_page_options())
        .where(Opening.company_id == company.id, Opening.status == OpeningStatus.PUBLISHED)
        .order_by(Opening.deadline, Opening.id)
    ))


# -- the public list -----------------------------------------------------------------------------------------

SORTS = ("relevance", "newest", "deadline", "stipend")


@dataclass
class OpeningFilters:
    q: str = ""
    kind: OpeningKind | None = None
    group: ProjectGroup | None = None
    mode: WorkMode | None = None
    location: str = ""
    skill: str = ""
    paid: bool | None = None
    open_only: bool = False
    sort: str = "newest"

    @property
    def words(self) -> list[str]:
        return self.q.split()[:8]

    @cached_property
    def search(self) -> search.SearchQuery:
        return search.parse_query(self.q)

    @property
    def highlights(self) -> list[str]:
        """Surface forms to mark in the results: the query's words, and every name of a skill or
        place it names (in both languages)."""
        return self.search.highlights

    @property
    def default_sort(self) -> str:
        return "relevance" if self.search else "newest"

    def as_args(self) -> dict:
        """Query parameters that reproduce these filters (for pagination links)."""
        args = {
            "q": self.q or None,
            "kind": self.kind.value if self.kind else None,
            "group": self.group.code if self.group else None,
            "mode": self.mode.value if self.mode else None,
            "location": self.location or None,
            "skill": self.skill or None,
            "paid": None if self.paid is None else ("1" if self.paid else "0"),
            "open": "1" if self.open_only else None,
            "sort": self.sort if self.sort != self.default_sort else None,
        }
        return {k: v for k, v in args.items() if v is not None}

    @property
    def active(self) -> bool:
        return bool(set(self.as_args()) - {"sort"})


def _text(args: Mapping, name: str, limit: int = 100) -> str:
    value = args.get(name) or ""
    return " ".join(str(value).split())[:limit]


def parse_filters(args: Mapping) -> OpeningFilters:
    """Filters from query parameters; anything invalid is ignored rather than refused."""
    filters = OpeningFilters(q=_text(args, "q", 200), location=_text(args, "location"), skill=_text(args, "skill"))
    try:
        filters.kind = OpeningKind(args.get("kind", ""))
    except ValueError:
        pass
    try:
        filters.mode = WorkMode(args.get("mode", ""))
    except ValueError:
        pass
    group = _text(args, "group", 20)
    if group:
        if group.isdigit() and len(group) < 10:
            filters.group = db.session.get(ProjectGroup, int(group))
        else:
            filters.group = db.session.scalar(select(ProjectGroup).where(func.upper(ProjectGroup.code) == group.upper()))
    paid = args.get("paid")
    filters.paid = True if paid == "1" else False if paid == "0" else None
    filters.open_only = args.get("open") == "1"
    sort = args.get("sort")
    filters.sort = sort if sort in SORTS and (sort != "relevance" or filters.search) else filters.default_sort
    return filters


def is_full():
    """SQL condition: the opening's seats are all held by placements (approved, active or completed)."""
    held = (select(func.count()).select_from(Placement)
            .where(Placement.opening_id == Opening.id, Placement.status.in_(SEAT_HOLDING))
            .scalar_subquery())
    return held >= Opening.seats


def public_openings_query(filters: OpeningFilters, today: date | None = None) -> Select:
    """Published openings of approved companies matching the filters, eager-loading what the list shows."""
    query = (
        select(Opening)
        .join(Opening.company)
        .options(contains_eager(Opening.company), *_page_options())
        .where(Opening.status == OpeningStatus.PUBLISHED, Company.status == CompanyStatus.APPROVED)
    )
    wanted = filters.search
    if wanted:
        query = search.apply_search(query, wanted)
    if filters.kind:
        query = query.where(Opening.kind == filters.kind)
    if filters.mode:
        query = query.where(Opening.work_mode == filters.mode)
    if filters.group:
        query = query.where(exists().where(opening_groups.c.opening_id == Opening.id,
                                           opening_groups.c.group_id == filters.group.id))
    if filters.location:
        place = search.place_named(filters.location)
        names = place.names if place else (filters.location,)  # 수원 also finds "Suwon" and "수원시"
        query = query.where(or_(*(Opening.location.icontains(name, autoescape=True) for name in names)))
    if filters.skill:
        skill_id, _display = skills.canonicalize(filters.skill)
        condition = or_(OpeningSkill.name.icontains(filters.skill, autoescape=True),
                        OpeningSkill.display_name.icontains(filters.skill, autoescape=True))
        if skill_id:
            condition = or_(OpeningSkill.skill_id == skill_id, condition)
        query = query.where(exists().where(OpeningSkill.opening_id == Opening.id, condition))
    if filters.paid is True:
        query = query.where(Opening.stipend_krw > 0)
    elif filters.paid is False:
        query = query.where(Opening.stipend_krw == 0)
    if filters.open_only:
        query = query.where(Opening.deadline >= (today or today_in_seoul()), ~is_full())
    if filters.sort == "relevance" and wanted:
        query = query.order_by(Opening.published_at.desc(), Opening.id.desc())  # after relevance
    elif filters.sort == "deadline":
        query = query.order_by(Opening.deadline, Opening.id)
    elif filters.sort == "stipend":
        query = query.order_by(Opening.stipend_krw.desc(), Opening.id.desc())
    else:
        query = query.order_by(Opening.published_at.desc(), Opening.id.desc())
    return query
